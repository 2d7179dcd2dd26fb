/* set-log-level LOGGER LEVEL: sets a logger's level on each target. The logger must already
 * exist there (read first with GET /loglevel): a server would create a misspelt logger
 * silently, so a node without it fails with not found (4) and is left unchanged. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = { "DEBUG", "INFO", "WARNING", "WARN", "ERROR",
				      "CRITICAL", "FATAL", "NOTSET", NULL };

static int check_args(struct ctx *c, char *level)
{
	size_t i = 0;

	for (char *p = level; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	while (levels[i] != NULL && strcmp(levels[i], level) != 0)
		i++;
	if (levels[i] == NULL) {
		fprintf(stderr, "lmcctl: set-log-level: unknown level '%s' (DEBUG, INFO, WARNING,"
				" ERROR, CRITICAL, NOTSET)\n", level);
		return LMC_EXIT_USAGE;
	}
	if (strpbrk(c->args[0], "*?[") != NULL) {
		fprintf(stderr, "lmcctl: set-log-level: name one logger, not a glob\n");
		return LMC_EXIT_USAGE;
	}
	return 0;
}

/* Sets the level on the nodes of rs that have the logger; their results are replaced. */
static void set_where_present(struct ctx *c, struct result *rs)
{
	struct cl_node **all = c->sel, **some = xcalloc(c->nsel ? c->nsel : 1, sizeof *some);
	size_t nall = c->nsel, *at = xcalloc(c->nsel ? c->nsel : 1, sizeof *at), n = 0;
	char *lg = url_encode(c->args[0]), *lv = url_encode(c->args[1]);
	char *path = xasprintf("/loglevel?logger_name=%s&level=%s", lg, lv);
	struct result *set;

	for (size_t i = 0; i < nall; i++)
		if (rs[i].code == 0) {
			at[n] = i;
			some[n++] = all[i];
		}
	c->sel = some;
	c->nsel = n;
	set = fanout_get(c, path);
	for (size_t i = 0; i < n; i++) {
		if (set[i].code == 0)
			set[i].result = json_pack("{s:s}", c->args[0], c->args[1]);
		result_clear(&rs[at[i]]);
		rs[at[i]] = set[i];
	}
	c->sel = all;
	c->nsel = nall;
	free(set);
	free(some);
	free(at);
	free(path);
	free(lg);
	free(lv);
}

static int exec(struct ctx *c)
{
	struct result *rs;
	int rc = check_args(c, c->args[1]);

	if (rc != 0)
		return rc;
	rs = fanout_get(c, "/loglevel");
	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == 0)
			parse_loglevels(&rs[i], c->args[0]);
	set_where_present(c, rs);
	rc = report(c, rs, c->nsel, print_loglevels);
	results_free(rs, c->nsel);
	return rc;
}

const struct cmd_entry cmd_set_log_level = {
	.name = "set-log-level",
	.usage = "LOGGER LEVEL NODE...|--all|-l role=R",
	.summary = "Set a logger's level",
	.help = "LEVEL is DEBUG, INFO, WARNING, ERROR, CRITICAL or NOTSET. The logger must exist\n"
		"on a node (see log-level); a node without it fails with not found (4).\n"
		"It changes nodes, so targets must be named, or --all given.\n\n"
		"Examples:\n"
		"  lmcctl set-log-level lmcache DEBUG -l role=worker\n"
		"  lmcctl set-log-level lmcache INFO --all && lmcctl log-level lmcache\n",
	.min_args = 2, .max_args = 2,
	.flags = CMD_MUTATES,
	.exec = exec,
};
