/* health: GET /healthcheck on each node; unhealthy (503) and silent nodes fail. LMCache's
 * in-process API server has no health route and its multi-process server has
 * /api/healthcheck (docs/protocol.md): a node that answers 404 is asked there, then for
 * /version, and when only that answers it is up with health "unknown". */
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

/* Takes the answer of the second route asked for r: LMCache's multi-process health route,
 * or /version, which makes the node up with health unknown. false when it did not answer. */
static bool take(struct result *r, struct result *v, bool api)
{
	if (v->status == 404 || (v->code != 0 && v->status == 0))
		return false;
	if (api) {
		result_clear(r);
		*r = *v;
		*v = (struct result){ .node = r->node };
		if (r->code == 0)
			result_json_object(r);
		return true;
	}
	if (v->code != 0)
		return false;
	r->code = LMC_EXIT_OK;
	free(r->error);
	r->error = NULL;
	r->took_ms = v->took_ms;
	json_decref(r->result);
	r->result = json_pack("{s:s, s:s}", "status", "unknown", "reason",
			      "the node has no health route");
	return true;
}

/* The nodes that answered "not found" for /healthcheck are asked LMCache's multi-process
 * route (/api/healthcheck) and /version at once. */
static void without_health_route(struct ctx *c, struct result *rs)
{
	struct cl_node **nodes = xcalloc(2 * c->nsel + 1, sizeof *nodes);
	struct request *reqs = xcalloc(2 * c->nsel + 1, sizeof *reqs);
	size_t *at = xcalloc(c->nsel + 1, sizeof *at), n = 0;
	struct result *v;

	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == LMC_EXIT_NOTFOUND && rs[i].status == 404) {
			nodes[2 * n] = nodes[2 * n + 1] = c->sel[i];
			reqs[2 * n] = (struct request){ .method = "GET", .path = xstrdup("/api/healthcheck") };
			reqs[2 * n + 1] = (struct request){ .method = "GET", .path = xstrdup("/version") };
			at[n++] = i;
		}
	v = n > 0 ? fanout_to(c, nodes, reqs, 2 * n) : NULL;
	for (size_t i = 0; i < n; i++)
		if (!take(&rs[at[i]], &v[2 * i], true))
			take(&rs[at[i]], &v[2 * i + 1], false);
	for (size_t i = 0; i < 2 * n; i++)
		request_free(&reqs[i]);
	results_free(v, 2 * n);
	free(nodes);
	free(reqs);
	free(at);
}

struct result *health_check(struct ctx *c)
{
	struct result *rs = fanout_get(c, "/healthcheck");

	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == 0)
			parse_json_object(c, &rs[i]);
	without_health_route(c, rs);
	return rs;
}

static int exec(struct ctx *c)
{
	struct result *rs = health_check(c);
	int rc = report(c, rs, c->nsel, print);

	results_free(rs, c->nsel);
	return rc;
}

const struct cmd_entry cmd_health = {
	.name = "health",
	.usage = "[NODE...]",
	.summary = "Check that each node answers and is healthy",
	.help = "A node that answers 503 {\"status\": \"unhealthy\", \"reason\": ...} fails with\n"
		"the reason; one that does not answer is unreachable (5) or timed out (6).\n"
		"LMCache's multi-process server is asked at /api/healthcheck. A node without a\n"
		"health route (LMCache's in-process server) that answers /version is up, with\n"
		"health \"unknown\" (exit 0).\n\n"
		"Examples:\n"
		"  lmcctl -q health --all || echo 'some node is down'\n"
		"  lmcctl health --timeout 2 -l role=scheduler\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
