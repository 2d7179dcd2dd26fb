/* log-level [LOGGER]: every logger and its level on each node, or those LOGGER (a name or
 * a glob) names: that match it or sit under one that does, as set-log-level sets them. The full list is read (GET /loglevel) and filtered here, because a
 * server asked for one unknown logger creates it rather than saying it does not exist. */
#include "config.h"
#include "cli.h"
#include "agentfmt.h"
#include "xalloc.h"

#include <stdlib.h>

/* result: {logger: LEVEL} of the loggers matching pattern (all when NULL). */
void parse_loglevels(struct result *r, const char *pattern)
{
	char *cause = NULL;
	json_t *all = agentfmt_loglevels(r->body, r->len, &cause), *v;
	const char *k;

	if (all == NULL) {
		result_fail(r, LMC_EXIT_OTHER, xasprintf("bad answer: %s", cause));
		free(cause);
		return;
	}
	r->result = json_object();
	json_object_foreach(all, k, v)
		if (pattern == NULL || logger_under(pattern, k))
			json_object_set(r->result, k, v);
	json_decref(all);
	if (pattern != NULL && json_object_size(r->result) == 0)
		result_fail(r, LMC_EXIT_NOTFOUND, xasprintf("no logger matches '%s'", pattern));
}

static void parse(struct ctx *c, struct result *r)
{
	parse_loglevels(r, c->nargs > 0 ? c->args[0] : NULL);
}

void print_loglevels(struct ctx *c, struct result *rs, size_t n)
{
	print_members(c, rs, n, "LOGGER", "LEVEL");
}

/* "log-level NODE" reads NODE as a logger: say how to name a node instead. */
static void hint(const struct ctx *c, int rc)
{
	if (rc != LMC_EXIT_NOTFOUND || c->nargs == 0)
		return;
	for (size_t i = 0; i < c->nnodes; i++)
		if (glob_match(c->args[0], c->nodes[i].name)) {
			fprintf(stderr, "lmcctl: '%s' is a node: lmcctl log-level -n %s\n",
				c->args[0], c->args[0]);
			return;
		}
}

static int exec(struct ctx *c)
{
	int rc = simple_get(c, "/loglevel", parse, print_loglevels);

	hint(c, rc);
	return rc;
}

const struct cmd_entry cmd_log_level = {
	.name = "log-level",
	.usage = "[LOGGER] [NODE...]",
	.summary = "Show loggers and their levels",
	.help = "LOGGER is a logger name or a glob; it shows the loggers that match and those\n"
		"under them (\"lmcache\" shows lmcache.v1.cache_engine). A node without such a\n"
		"logger fails with not found (4).\n\n"
		"Examples:\n"
		"  lmcctl log-level                          # every logger of every node\n"
		"  lmcctl log-level 'lmcache*' inst1_worker0\n"
		"  lmcctl log-level lmcache -o json | jq -r '.[].result[]' | sort -u\n",
	.min_args = 0, .max_args = 1,
	.complete = "logger",
	.exec = exec,
};
