/* lmcctl: global options, command lookup and dispatch. See lmcctl(1). */
#include "config.h"
#include "lmcctl.h"
#include "cli.h"
#include "client-auth.h"
#include "xalloc.h"
#include "buf.h"
#include "strutil.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_WATCH_MS 2000L /* watch(1)'s default interval */

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("lmcctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (try --help)\n", stderr);
	exit(LMC_EXIT_USAGE);
}

/* Long options of the global table plus the command's own (keys OPT_CMD + index). */
static struct option *build_longopts(const struct cmd_entry *cmd, struct buf *shorts)
{
	size_t n = 0, ncmd = 0, i;
	struct option *lo;

	while (global_opts[n].name != NULL)
		n++;
	while (cmd != NULL && cmd->opts != NULL && cmd->opts[ncmd].name != NULL)
		ncmd++;
	lo = xcalloc(n + ncmd + 1, sizeof *lo);
	buf_puts(shorts, "-");
	for (i = 0; i < n; i++) {
		lo[i] = (struct option){ global_opts[i].name,
					 global_opts[i].arg ? required_argument : no_argument,
					 NULL, global_opts[i].key };
		if (global_opts[i].short_name)
			buf_printf(shorts, "%c%s", global_opts[i].short_name,
				   global_opts[i].arg ? ":" : "");
	}
	for (i = 0; i < ncmd; i++) {
		const struct cmd_opt *co = &cmd->opts[i];

		lo[n + i] = (struct option){ co->name, co->arg ? required_argument : no_argument,
					     NULL, OPT_CMD + (int)i };
		if (co->short_name)
			buf_printf(shorts, "%c%s", co->short_name, co->arg ? ":" : "");
	}
	return lo;
}

static long parse_seconds(const char *opt, const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || !(v > 0) || v > 86400)
		usage_error("%s: expected seconds (> 0), not '%s'", opt, s);
	return (long)(v * 1000 + 0.5) > 0 ? (long)(v * 1000 + 0.5) : 1;
}

static void set_output(struct opts *o, const char *s)
{
	static const char *const names[] = { "table", "wide", "json", "yaml", "name", NULL };
	size_t i = 0;

	while (names[i] != NULL && strcmp(names[i], s) != 0)
		i++;
	if (names[i] == NULL)
		usage_error("-o: expected table, wide, json, yaml or name, not '%s'", s);
	o->out = (enum out_format)i;
	o->json = o->out == OUT_JSON || o->out == OUT_YAML;
}

static void set_selector(struct opts *o, const char *s)
{
	if (str_starts_with(s, "role=")) {
		o->role = s + 5;
		if (strcmp(o->role, "worker") != 0 && strcmp(o->role, "scheduler") != 0)
			usage_error("-l: role must be worker or scheduler, not '%s'", o->role);
	} else if (str_starts_with(s, "instance=")) {
		o->instance = s + 9;
	} else {
		usage_error("-l: expected role=worker|scheduler or instance=ID, not '%s'", s);
	}
}

static void apply_gopt(struct ctx *c, int key, const char *arg)
{
	struct opts *o = &c->o;

	switch (key) {
	case OPT_REGISTRY: o->registry = arg; o->source_given = true; break;
	case OPT_FRONTEND: o->frontend = arg; o->source_given = true; break;
	case OPT_SOCKET: o->socket = arg; o->source_given = true; break;
	case OPT_URL: o->url = arg; o->source_given = true; break;
	case 'n':
		o->names = xreallocarray(o->names, o->nnames + 1, sizeof *o->names);
		o->names[o->nnames++] = (char *)arg;
		break;
	case OPT_ALL: o->all = true; break;
	case 'l': set_selector(o, arg); break;
	case OPT_INSTANCE: o->instance = arg; break;
	case 'o': set_output(o, arg); o->output_given = true; break;
	case OPT_NO_HEADERS: o->no_headers = true; break;
	case 'q': o->quiet = true; break;
	case OPT_NO_COLOR: o->color = false; break;
	case OPT_TIMEOUT: o->timeout_ms = parse_seconds("--timeout", arg); o->timeout_given = true; break;
	case OPT_DRY_RUN: o->dry_run = true; break;
	case 'w': o->watch_ms = o->watch_ms ? o->watch_ms : DEFAULT_WATCH_MS; break;
	case OPT_INTERVAL: o->watch_ms = parse_seconds("--interval", arg); break;
	case OPT_CONTEXT: o->context = arg; break;
	case OPT_TOKEN_FILE: o->token_file = arg; break;
	case OPT_CACERT: o->cacert = arg; break;
	case OPT_CERT: o->cert = arg; break;
	case OPT_KEY: o->key = arg; break;
	default: usage_error("%s", "unknown option"); break;
	}
}

/* Index of the first word that is not an option or an option's argument. */
static int find_command_word(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const struct gopt *g;

		if (strcmp(a, "--") == 0)
			return i + 1 < argc ? i + 1 : -1;
		if (a[0] != '-' || a[1] == '\0')
			return i;
		if (strchr(a, '=') != NULL || (a[1] != '-' && a[2] != '\0'))
			continue;
		for (g = global_opts; g->name != NULL; g++)
			if (g->arg != NULL && ((a[1] == '-' && strcmp(a + 2, g->name) == 0) ||
					       (a[1] != '-' && a[1] == g->short_name)))
				i++;
	}
	return -1;
}

static void print_version(void)
{
	printf("lmcctl %s\n", PACKAGE_VERSION);
	exit(LMC_EXIT_OK);
}

/* The index of the command's option with this short name, or -1. */
static int cmd_short(const struct cmd_entry *cmd, int key)
{
	for (int i = 0; cmd != NULL && cmd->opts != NULL && cmd->opts[i].name != NULL; i++)
		if (cmd->opts[i].short_name != 0 && cmd->opts[i].short_name == key)
			return i;
	return -1;
}

/* Parses every option, wherever it is; returns the positional words (command words
 * included) in order. */
static char **parse_options(struct ctx *c, int argc, char **argv, int *npos, bool *help)
{
	struct buf shorts = BUF_INIT;
	struct option *lo = build_longopts(c->cmd, &shorts);
	char **pos = xcalloc((size_t)argc + 1, sizeof *pos);
	int key;

	*npos = 0;
	opterr = 0;
	while ((key = getopt_long(argc, argv, buf_cstr(&shorts), lo, NULL)) != -1) {
		int ci = key >= OPT_CMD ? key - OPT_CMD : cmd_short(c->cmd, key);

		if (key == 1)
			pos[(*npos)++] = optarg;
		else if (key == 'h')
			*help = true;
		else if (key == 'V')
			print_version();
		else if (ci >= 0)
			c->copt[ci] = optarg ? optarg : "1";
		else if ((key == '?' || key == ':') && optopt > 0 && optopt < OPT_REGISTRY)
			usage_error("bad option or missing argument: -%c", optopt);
		else if (key == '?' || key == ':')
			usage_error("bad option or missing argument: %s", argv[optind - 1]);
		else
			apply_gopt(c, key, optarg);
	}
	while (optind < argc)
		pos[(*npos)++] = argv[optind++];
	free(lo);
	buf_free(&shorts);
	return pos;
}

static void split_positionals(struct ctx *c, char **pos, int npos)
{
	const struct cmd_entry *cmd = c->cmd;
	int nargs = npos;

	if (cmd->max_args >= 0 && nargs > cmd->max_args)
		nargs = cmd->max_args;
	if (cmd->complete != NULL && strcmp(cmd->complete, "key=...") == 0) {
		nargs = 0; /* config set: the KEY=VALUE words, then targets */
		while (nargs < npos && strchr(pos[nargs], '=') != NULL)
			nargs++;
		if (nargs == 0 && npos > 0)
			usage_error("config set: expected KEY=VALUE, not '%s'", pos[0]);
	}
	if (nargs < cmd->min_args) {
		char *name = cmd_full_name(cmd);

		fprintf(stderr, "lmcctl: %s: missing arguments\nUsage: lmcctl %s %s\n", name, name,
			cmd->usage);
		free(name);
		exit(LMC_EXIT_USAGE);
	}
	c->args = pos;
	c->nargs = nargs;
	c->targets = pos + nargs;
	c->ntargets = npos - nargs;
}

static void init_opts(struct opts *o)
{
	const char *nc = getenv("NO_COLOR");

	o->timeout_ms = DEFAULT_TIMEOUT_MS;
	o->color = isatty(STDOUT_FILENO) && (nc == NULL || *nc == '\0');
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v != NULL && *v != '\0' ? v : NULL;
}

/* The context's settings where neither a flag nor the environment gave them. */
static void apply_context(struct opts *o, const struct context *x, bool env_source)
{
	const char *const *v = (const char *const *)x->value;

	if (!o->source_given && !env_source) {
		o->registry = v[CTX_REGISTRY];
		o->frontend = v[CTX_FRONTEND];
		o->socket = v[CTX_SOCKET];
		o->url = v[CTX_URL];
	}
	if (!o->timeout_given && v[CTX_TIMEOUT] != NULL)
		o->timeout_ms = parse_seconds("the context's timeout", v[CTX_TIMEOUT]);
	if (!o->output_given && v[CTX_OUTPUT] != NULL)
		set_output(o, v[CTX_OUTPUT]);
	o->context_token = v[CTX_TOKEN]; /* after --token-file and LMCACHE_TOKEN */
}

/* Flags override the environment, which overrides the config file's context. */
static void layer_settings(struct ctx *c, struct context_file *f)
{
	struct opts *o = &c->o;
	bool env_source = env("LMCACHE_REGISTRY") || env("LMCACHE_FRONTEND");
	const char *name = o->context;
	const struct context *x;
	char *cause = NULL;

	if (!o->source_given) {
		o->registry = env("LMCACHE_REGISTRY");
		o->frontend = env("LMCACHE_FRONTEND");
	}
	if (c->cmd != NULL && strcmp(c->cmd->name, "context") == 0)
		return; /* it reads the file itself, and must work when the file is broken */
	if (context_load(f, &cause) < 0)
		usage_error("%s", cause);
	name = name != NULL ? name : f->current;
	if (name == NULL)
		return;
	if ((x = context_find(f, name)) == NULL)
		usage_error("no context '%s' in the config file (lmcctl context list)", name);
	apply_context(o, x, env_source);
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0)
			return true;
	return false;
}

static const struct cmd_entry *lookup(int argc, char **argv, int *used)
{
	int at = find_command_word(argc, argv);
	const struct cmd_entry *cmd;
	char *cause = NULL;

	if (at < 0)
		return NULL;
	cmd = cmd_find(argv + at, argc - at, used, &cause);
	if (cmd == NULL && wants_help(argc, argv) && cmd_print_group(argv[at], stdout) > 0) {
		free(cause);
		exit(LMC_EXIT_OK); /* "lmcctl config --help" */
	}
	if (cmd == NULL) {
		fprintf(stderr, "lmcctl: %s\n", cause);
		free(cause);
		exit(LMC_EXIT_USAGE);
	}
	return cmd;
}

int main(int argc, char **argv)
{
	struct ctx c = { 0 };
	struct context_file f = { 0 };
	bool help = false;
	char **pos;
	int npos, used = 0, rc;
	char *why = NULL;

	init_opts(&c.o);
	c.cmd = lookup(argc, argv, &used);
	pos = parse_options(&c, argc, argv, &npos, &help);
	if (c.cmd == NULL) {
		cmd_print_overview(help ? stdout : stderr); /* no command: usage, to stderr */
		free(pos);
		return help ? LMC_EXIT_OK : LMC_EXIT_USAGE;
	}
	if (help) {
		cmd_print_help(c.cmd, stdout);
		free(pos);
		return LMC_EXIT_OK;
	}
	split_positionals(&c, pos + used, npos - used);
	layer_settings(&c, &f);
	if (c.o.watch_ms > 0 && !(c.cmd->flags & CMD_WATCHES) && cmd_mutates(&c))
		usage_error("--watch repeats commands that read, not ones that change nodes");
	if (client_auth_setup(c.o.token_file, c.o.context_token, c.o.cacert, c.o.cert, c.o.key,
			      &why) < 0) {
		fprintf(stderr, "lmcctl: %s\n", why);
		free(why);
		rc = LMC_EXIT_USAGE;
	} else {
		rc = cli_run(&c);
	}
	cli_free(&c);
	context_free(&f);
	free(pos);
	free(c.o.names);
	return rc;
}
