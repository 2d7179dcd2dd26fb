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

static void usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("lmcctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(lmcctl --help for usage)\n", stderr);
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

static long parse_timeout(const char *s)
{
	char *end;
	double v = strtod(s, &end);

	if (*s == '\0' || *end != '\0' || !(v > 0) || v > 86400)
		usage_error("--timeout: expected seconds (> 0), not '%s'", s);
	return (long)(v * 1000 + 0.5) > 0 ? (long)(v * 1000 + 0.5) : 1;
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
	case OPT_REGISTRY: o->registry = arg; break;
	case OPT_FRONTEND: o->frontend = arg; break;
	case OPT_SOCKET: o->socket = arg; break;
	case OPT_URL: o->url = arg; break;
	case 'n':
		o->names = xreallocarray(o->names, o->nnames + 1, sizeof *o->names);
		o->names[o->nnames++] = (char *)arg;
		break;
	case OPT_ALL: o->all = true; break;
	case 'l': set_selector(o, arg); break;
	case OPT_INSTANCE: o->instance = arg; break;
	case 'o':
		if (strcmp(arg, "json") != 0 && strcmp(arg, "table") != 0)
			usage_error("-o: expected table or json, not '%s'", arg);
		o->json = strcmp(arg, "json") == 0;
		break;
	case OPT_NO_HEADERS: o->no_headers = true; break;
	case 'q': o->quiet = true; break;
	case OPT_NO_COLOR: o->color = false; break;
	case OPT_TIMEOUT: o->timeout_ms = parse_timeout(arg); break;
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
	if (nargs < cmd->min_args) {
		char *name = cmd_full_name(cmd);

		fprintf(stderr, "lmcctl: %s: missing arguments\nusage: lmcctl %s %s\n", name, name,
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
	o->registry = getenv("LMCACHE_REGISTRY");
	o->frontend = getenv("LMCACHE_FRONTEND");
	if (o->registry != NULL && *o->registry == '\0')
		o->registry = NULL;
	if (o->frontend != NULL && *o->frontend == '\0')
		o->frontend = NULL;
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
	bool help = false;
	char **pos;
	int npos, used = 0, rc;
	char *why = NULL;

	init_opts(&c.o);
	c.cmd = lookup(argc, argv, &used);
	pos = parse_options(&c, argc, argv, &npos, &help);
	if (c.cmd == NULL) {
		cmd_print_overview(stdout);
		free(pos);
		return help ? LMC_EXIT_OK : LMC_EXIT_USAGE;
	}
	if (help) {
		cmd_print_help(c.cmd, stdout);
		free(pos);
		return LMC_EXIT_OK;
	}
	split_positionals(&c, pos + used, npos - used);
	if (client_auth_setup(c.o.token_file, NULL, c.o.cacert, c.o.cert, c.o.key, &why) < 0) {
		fprintf(stderr, "lmcctl: %s\n", why);
		free(why);
		free(pos);
		free(c.o.names);
		return LMC_EXIT_USAGE;
	}
	rc = cli_run(&c);
	cli_free(&c);
	free(pos);
	free(c.o.names);
	return rc;
}
