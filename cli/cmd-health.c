/* health: GET /healthcheck on each node; unhealthy (503) and silent nodes fail. LMCache's
 * in-process API server has no health route (docs/protocol.md): a node that answers 404
 * there is asked for /version, and when that answers it is up with health "unknown". */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>

static void print(struct ctx *c, struct result *rs, size_t n)
{
	const char *head[] = { "NODE", "HEALTH", "TOOK", NULL };
	struct table *t = table_new(c, head);

	for (size_t i = 0; i < n; i++) {
		char *took;

		if (rs[i].code != 0)
			continue;
		took = xasprintf("%ldms", rs[i].took_ms);
		table_row(t, rs[i].node->name, json_str_member(rs[i].result, "status", "?"), took);
		free(took);
	}
	table_print(t);
}

/* The nodes that answered "not found" for the health route: up when /version answers. */
static void without_health_route(struct ctx *c, struct result *rs)
{
	struct cl_node **all = c->sel, **some = xcalloc(c->nsel ? c->nsel : 1, sizeof *some);
	size_t nall = c->nsel, *at = xcalloc(c->nsel ? c->nsel : 1, sizeof *at), n = 0;
	struct result *v;

	for (size_t i = 0; i < nall; i++)
		if (rs[i].code == LMC_EXIT_NOTFOUND && rs[i].status == 404) {
			at[n] = i;
			some[n++] = all[i];
		}
	c->sel = some;
	c->nsel = n;
	v = n > 0 ? fanout_get(c, "/version") : NULL;
	for (size_t i = 0; i < n; i++) {
		struct result *r = &rs[at[i]];

		if (v[i].code != 0)
			continue; /* not a node either: the health route's 404 stands */
		r->code = LMC_EXIT_OK;
		free(r->error);
		r->error = NULL;
		r->took_ms = v[i].took_ms;
		json_decref(r->result);
		r->result = json_pack("{s:s, s:s}", "status", "unknown", "reason",
				      "the node has no health route");
	}
	results_free(v, n);
	c->sel = all;
	c->nsel = nall;
	free(some);
	free(at);
}

static int exec(struct ctx *c)
{
	struct result *rs = fanout_get(c, "/healthcheck");
	int rc;

	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == 0)
			parse_json_object(c, &rs[i]);
	without_health_route(c, rs);
	rc = report(c, rs, c->nsel, print);
	results_free(rs, c->nsel);
	return rc;
}

const struct cmd_entry cmd_health = {
	.name = "health",
	.usage = "[NODE...]",
	.summary = "Check that each node answers and is healthy",
	.help = "A node that answers 503 {\"status\": \"unhealthy\", \"reason\": ...} fails with\n"
		"the reason; one that does not answer is unreachable (5) or timed out (6).\n"
		"A node without a health route (LMCache's in-process server) that answers\n"
		"/version is up, with health \"unknown\".\n\n"
		"Examples:\n"
		"  lmcctl -q health --all || echo 'some node is down'\n"
		"  lmcctl health --timeout 2 -l role=scheduler\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
