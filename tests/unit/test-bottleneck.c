/* The outlier rule of bottleneck hints (docs/bottlenecks.md) and the signals it reads. */
#include "config.h"
#include "bottleneck.h"
#include "tap.h"

#include <math.h>
#include <stdlib.h>

static size_t outliers(const double *v, size_t n, int bad, size_t *idx)
{
	double score[16], med;

	return bn_outliers(v, n, bad, idx, score, &med);
}

static void test_rule(void)
{
	double hit[] = { 0.61, 0.60, 0.62, 0.59, 0.12 };
	double tight[] = { 0.60, 0.60, 0.61, 0.60, 0.55 }; /* far in MADs, close in value */
	double flat[] = { 2, 2, 2, 2, 9 };                   /* MAD 0 */
	double two[] = { 0.9, 0.1 };
	double unknown[] = { NAN, 0.6, NAN, NAN, 0.1 };
	double zeros[] = { 0, 0, 0, 3 };
	size_t idx[16];

	is_int(outliers(hit, 5, -1, idx), 1, "a low hit rate among peers stands out");
	is_int(idx[0], 4, "and it is that node");
	is_int(outliers(hit, 5, +1, idx), 0, "in the other direction nothing is bad");
	is_int(outliers(tight, 5, -1, idx), 0, "under 20% from the median is not flagged");
	is_int(outliers(flat, 5, +1, idx), 1, "identical peers: any far value stands out");
	is_int(idx[0], 4, "the far one");
	is_int(outliers(two, 2, -1, idx), 0, "two nodes are too few to judge");
	is_int(outliers(unknown, 5, -1, idx), 0, "unknown values are not peers (2 known)");
	is_int(outliers(zeros, 4, +1, idx), 1, "a median of zero: any value above stands out");
}

static void test_hints(void)
{
	struct bn_node nodes[6];
	struct bn_hint *h;
	size_t n;
	char *text;

	for (int i = 0; i < 6; i++) {
		nodes[i] = (struct bn_node){ .name = "w", .peers = i < 4 ? "worker" : "scheduler" };
		for (int s = 0; s < BN_NSIGNALS; s++)
			nodes[i].v[s] = NAN;
		nodes[i].v[BN_HIT_RATE] = i == 2 ? 0.1 : 0.6;
		nodes[i].v[BN_RETRIEVE_TIME] = 0.01;
	}
	nodes[4].v[BN_HIT_RATE] = 0.05; /* a scheduler: not among the workers' peers */
	n = bn_hints(nodes, 6, &h);
	is_int(n, 1, "one hint: the worker with the low hit rate");
	is_int(h[0].node, 2, "node index");
	is_int(h[0].signal, BN_HIT_RATE, "signal");
	text = bn_hint_text(&h[0]);
	is_str(text, "hit rate low 10.0% (peers 60.0%)", "hint text");
	free(text);
	free(h);
}

static void test_metrics(void)
{
	static const char text[] =
		"# TYPE lmcache:num_hit_tokens_total counter\n"
		"lmcache:num_hit_tokens_total{worker_id=\"0\"} 30\n"
		"lmcache:num_hit_tokens_total{worker_id=\"1\"} 10\n"
		"# TYPE lmcache:num_requested_tokens_total counter\n"
		"lmcache:num_requested_tokens_total{worker_id=\"0\"} 100\n"
		"# TYPE lmcache:time_to_retrieve histogram\n"
		"lmcache:time_to_retrieve_bucket{le=\"+Inf\"} 4\n"
		"lmcache:time_to_retrieve_sum 2\n"
		"lmcache:time_to_retrieve_count 4\n"
		"# TYPE lmcache:local_cache_usage gauge\n"
		"lmcache:local_cache_usage 1073741824\n";
	struct prom_exposition e;
	double v[BN_NSIGNALS];
	char *cause = NULL, *s;

	ok(prom_parse(text, sizeof text - 1, &e, &cause) == 0, "exposition parses");
	bn_from_metrics(&e, v);
	ok(fabs(v[BN_HIT_RATE] - 0.4) < 1e-9, "hit rate: hit / requested tokens, all series");
	ok(fabs(v[BN_RETRIEVE_TIME] - 0.5) < 1e-9, "retrieve time: histogram sum / count");
	ok(isnan(v[BN_STORE_TIME]), "no store histogram: unknown");
	ok(isnan(v[BN_BLOCKED]), "threads are not in the metrics");
	s = bn_format(BN_CACHE_USAGE, v[BN_CACHE_USAGE]);
	is_str(s, "1.0 GiB", "cache usage in binary units");
	free(s);
	prom_exposition_free(&e);
}

int main(void)
{
	no_plan();
	test_rule();
	test_hints();
	test_metrics();
	return done_testing();
}
