/* diagnose: nodes that stand out from their peers (bottleneck.h): each node's metrics and
 * thread states, compared within its role with the outlier rule of docs/bottlenecks.md. */
#include "config.h"
#include "cli.h"
#include "agentfmt.h"
#include "bottleneck.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Threads in uninterruptible sleep or stopped; NAN when the answer has no states. */
static double blocked_threads(const struct result *t)
{
	json_t *all, *th;
	double n = 0;
	bool any = false;
	size_t i;

	if (t->code != 0 || (all = agentfmt_threads(t->body, t->len, NULL)) == NULL)
		return NAN;
	json_array_foreach(all, i, th) {
		const char *st = json_str_member(th, "state", NULL);

		any |= st != NULL;
		n += st && (strcmp(st, "disk-sleep") == 0 || strcmp(st, "stopped") == 0);
	}
	json_decref(all);
	return any ? n : NAN;
}

/* The signals of node i from its answers; false when its metrics are unusable. */
static bool node_signals(struct result *m, const struct result *t, struct bn_node *out)
{
	struct prom_exposition e;
	char *cause = NULL;

	if (m->code != 0)
		return false;
	if (prom_parse(m->body, m->len, &e, &cause) < 0) {
		result_fail(m, LMC_EXIT_OTHER, xasprintf("bad /metrics: %s", cause));
		free(cause);
		return false;
	}
	bn_from_metrics(&e, out->v);
	prom_exposition_free(&e);
	out->v[BN_BLOCKED] = blocked_threads(t);
	out->name = m->node->name;
	out->peers = *m->node->role ? m->node->role : "node";
	return true;
}

static json_t *hint_json(const struct bn_hint *h)
{
	char *text = bn_hint_text(h), *v = bn_format(h->signal, h->value);
	char *m = bn_format(h->signal, h->median);
	json_t *j = json_pack("{s:s, s:f, s:f, s:o, s:s, s:s, s:s}", "signal",
	                      bn_signal_info[h->signal].name, "value", h->value, "peers_median",
	                      h->median, "score",
	                      isfinite(h->score) ? json_real(h->score) : json_null(), "hint", text,
	                      "shown", v, "peers_shown", m);

	free(text);
	free(v);
	free(m);
	return j;
}

/* Each usable node's result: the list of its hints (maybe empty). */
static void attach_hints(struct result *rs, size_t *of, size_t k, struct bn_node *nodes)
{
	struct bn_hint *h;
	size_t nh = bn_hints(nodes, k, &h);

	for (size_t i = 0; i < k; i++) {
		json_decref(rs[of[i]].result);
		rs[of[i]].result = json_array();
	}
	for (size_t i = 0; i < nh; i++)
		json_array_append_new(rs[of[h[i].node]].result, hint_json(&h[i]));
	free(h);
}

static void print(struct ctx *c, struct result *rs, size_t n)
{
	const char *head[] = { "NODE", "SIGNAL", "VALUE", "PEERS", NULL };
	size_t hints = 0, judged = 0, j;
	struct table *t;
	json_t *h;

	for (size_t i = 0; i < n; i++)
		if (rs[i].code == 0) {
			judged++;
			hints += json_array_size(rs[i].result);
		}
	if (hints == 0) {
		printf("no node stands out from its peers (%zu nodes compared)\n", judged);
		return;
	}
	t = table_new(c, head);
	for (size_t i = 0; i < n; i++)
		json_array_foreach(rs[i].code == 0 ? rs[i].result : NULL, j, h) {
			table_row(t, rs[i].node->name, json_str_member(h, "signal", "?"),
			          json_str_member(h, "shown", ""),
			          json_str_member(h, "peers_shown", ""),
			          NULL);
		}
	table_print(t);
}

static int exec(struct ctx *c)
{
	struct result *rm = fanout_get(c, "/metrics");
	struct result *rt = fanout_get(c, "/threads?format=json");
	struct bn_node *nodes = xcalloc(c->nsel ? c->nsel : 1, sizeof *nodes);
	size_t *of = xcalloc(c->nsel ? c->nsel : 1, sizeof *of), k = 0;
	int rc;

	for (size_t i = 0; i < c->nsel; i++)
		if (node_signals(&rm[i], &rt[i], &nodes[k]))
			of[k++] = i;
	attach_hints(rm, of, k, nodes);
	rc = report(c, rm, c->nsel, print);
	results_free(rm, c->nsel);
	results_free(rt, c->nsel);
	free(nodes);
	free(of);
	return rc;
}

const struct cmd_entry cmd_diagnose = {
	.name = "diagnose",
	.usage = "[NODE...]",
	.summary = "Flag nodes that stand out from their peers (hit rate, speed, usage, threads)",
	.help = "Compares each node with the others of its role\n"
		"(see lmcctl(1), BOTTLENECK HINTS).\n"
		"examples:\n"
		"  lmcctl diagnose --all\n"
		"  lmcctl -o json diagnose --all\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
