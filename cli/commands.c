/* The command table, unique-prefix lookup and help generated from the descriptors. */
#include "config.h"
#include "lmcctl.h"
#include "cli.h"
#include "buf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Adding a command: one cmd-*.c file and one line here (and in cli.h). */
const struct cmd_entry *const cmd_table[] = {
	&cmd_nodes, &cmd_version, &cmd_health, &cmd_metrics, &cmd_threads,
	&cmd_log_level, &cmd_set_log_level, &cmd_config_get, &cmd_config_set,
	&cmd_config_diff, &cmd_meta, &cmd_inference, &cmd_env, &cmd_run_script,
	&cmd_plugins, &cmd_profile, &cmd_diagnose, &cmd_call, &cmd_wait, &cmd_context_list,
	&cmd_context_use, &cmd_completion, &cmd_help,
	NULL,
};

char *cmd_full_name(const struct cmd_entry *c)
{
	return c->sub ? xasprintf("%s %s", c->name, c->sub) : xstrdup(c->name);
}

/* The commands whose word at depth (0: name, 1: sub) starts with word, among those
 * whose name is name (depth 1). Exact matches win over prefixes. */
static size_t match(const char *word, const char *name, const struct cmd_entry **out)
{
	size_t n = 0, exact = 0;

	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		const struct cmd_entry *c = cmd_table[i];
		const char *w = name ? c->sub : c->name;

		if (name != NULL && (c->sub == NULL || strcmp(c->name, name) != 0))
			continue;
		if (!str_starts_with(w, word))
			continue;
		if (name == NULL && n > 0 && strcmp(out[n - 1]->name, c->name) == 0)
			continue; /* "config get" and "config set" are one first word */
		if (strcmp(w, word) == 0)
			exact = n + 1;
		out[n++] = c;
	}
	if (exact) {
		out[0] = out[exact - 1];
		return 1;
	}
	return n;
}

static char *ambiguous(const char *word, const struct cmd_entry **m, size_t n, bool sub)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "ambiguous command: %s, could be: ", word);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, "%s%s", i ? ", " : "", sub ? m[i]->sub : m[i]->name);
	return buf_steal(&b);
}

static const struct cmd_entry *find_sub(const char *name, char **argv, int argc, char **cause)
{
	const struct cmd_entry *m[32];
	size_t n;

	if (argc < 1 || argv[0][0] == '-') {
		*cause = xasprintf("%s: missing subcommand (lmcctl %s --help)", name, name);
		return NULL;
	}
	n = match(argv[0], name, m);
	if (n == 0)
		*cause = xasprintf("unknown command: %s %s", name, argv[0]);
	else if (n > 1)
		*cause = ambiguous(argv[0], m, n, true);
	return n == 1 ? m[0] : NULL;
}

const struct cmd_entry *cmd_find(char **argv, int argc, int *used, char **cause)
{
	const struct cmd_entry *m[32];
	size_t n = match(argv[0], NULL, m);

	if (n == 0) {
		*cause = xasprintf("unknown command: %s (lmcctl --help lists them)", argv[0]);
		return NULL;
	}
	if (n > 1) {
		*cause = ambiguous(argv[0], m, n, false);
		return NULL;
	}
	*used = 1;
	if (m[0]->sub == NULL)
		return m[0];
	*used = 2;
	return find_sub(m[0]->name, argv + 1, argc - 1, cause);
}

static void print_opt(FILE *f, char s, const char *name, const char *arg, const char *help)
{
	char *left = s ? xasprintf("-%c, --%s%s%s", s, name, arg ? " " : "", arg ? arg : "")
		       : xasprintf("    --%s%s%s", name, arg ? " " : "", arg ? arg : "");

	fprintf(f, "  %-26s %s\n", left, help);
	free(left);
}

void cmd_print_help(const struct cmd_entry *c, FILE *f)
{
	char *name = cmd_full_name(c);

	fprintf(f, "Usage: lmcctl %s%s%s\n\n%s.\n", name, *c->usage ? " " : "", c->usage, c->summary);
	if (c->help != NULL)
		fprintf(f, "\n%s", c->help);
	if (c->opts != NULL && c->opts[0].name != NULL) {
		fputs("\nOptions:\n", f);
		for (const struct cmd_opt *o = c->opts; o->name != NULL; o++)
			print_opt(f, o->short_name, o->name, o->arg, o->help);
	}
	if (!(c->flags & CMD_NO_NODES) || (c->flags & CMD_WATCHES))
		fputs("\nTargets: NODE names or globs after the arguments, or -n NAME, --all,\n"
		      "-l role=worker|scheduler, --instance ID (lmcctl --help for all options).\n",
		      f);
	free(name);
}

int cmd_print_group(const char *word, FILE *f)
{
	const struct cmd_entry *m[32];
	int n = 0;

	if (match(word, NULL, m) != 1 || m[0]->sub == NULL)
		return 0;
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		if (strcmp(cmd_table[i]->name, m[0]->name) == 0) {
			fputs(n++ ? "\n" : "", f);
			cmd_print_help(cmd_table[i], f);
		}
	return n;
}

void cmd_print_overview(FILE *f)
{
	fputs("Usage: lmcctl [options] COMMAND [ARGS...] [NODE...]\n\nCommands:\n", f);
	for (size_t i = 0; cmd_table[i] != NULL; i++) {
		char *name = cmd_full_name(cmd_table[i]);

		fprintf(f, "  %-16s %s\n", name, cmd_table[i]->summary);
		free(name);
	}
	fputs("\nOptions:\n", f);
	for (const struct gopt *g = global_opts; g->name != NULL; g++)
		print_opt(f, g->short_name, g->name, g->arg, g->help);
	fputs("\nExamples:\n"
	      "  export LMCACHE_REGISTRY=http://registry:5000\n"
	      "  lmcctl nodes                              # every node, its role and address\n"
	      "  lmcctl version --all -o json | jq .       # versions as JSON\n"
	      "  lmcctl set-log-level lmcache DEBUG -l role=worker\n"
	      "  lmcctl config get -n 'inst1_*' chunk_size\n"
	      "  lmcctl --socket /tmp/lmcache_internal_api_server/socket_6999 health\n"
	      "\nExit status: 0 ok, 1 other failure, 2 usage, 3 partial failure, 4 not found,\n"
	      "5 unreachable, 6 timeout, 7 permission denied (see lmcctl(1)).\n",
	      f);
}
