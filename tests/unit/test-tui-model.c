/* lmcache-top's model: merging listings keeps history and marks vanished nodes, scrapes give
 * the overview's figures and rates, a bad scrape keeps the last good one. */
#include "config.h"
#include "tap.h"
#include "../../tui/top.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static struct cl_listing listing(const char *const *names)
{
	struct cl_listing l = { 0 };

	for (; *names != NULL; names++) {
		l.nodes = xreallocarray(l.nodes, l.nnodes + 1, sizeof *l.nodes);
		l.nodes[l.nnodes++] = (struct cl_node){
			.name = xstrdup(*names), .role = xstrdup("worker"), .instance = xstrdup("i"),
			.frontend = xstrdup("fe"), .host = xstrdup("h"), .port = xstrdup("1"),
			.url = xasprintf("http://fe/proxy2/%s", *names),
		};
	}
	return l;
}

static const char scrape1[] =
	"# TYPE lmcache:num_hit_tokens counter\n"
	"lmcache:num_hit_tokens_total{worker_id=\"0\"} 100\n"
	"lmcache:num_hit_tokens_total{worker_id=\"1\"} 50\n"
	"# TYPE lmcache:retrieve_hit_rate gauge\n"
	"lmcache:retrieve_hit_rate 0.25\n"
	"# TYPE lmcache:local_cache_usage gauge\n"
	"lmcache:local_cache_usage 1024\n";

static const char scrape2[] =
	"# TYPE lmcache:num_hit_tokens counter\n"
	"lmcache:num_hit_tokens_total{worker_id=\"0\"} 300\n"
	"lmcache:num_hit_tokens_total{worker_id=\"1\"} 50\n"
	"# TYPE lmcache:retrieve_hit_rate gauge\n"
	"lmcache:retrieve_hit_rate 0.5\n";

static void test_merge(void)
{
	static const char *const first[] = { "a", "b", NULL }, *const second[] = { "b", "c", NULL };
	struct model m;
	struct cl_listing l = listing(first);

	top_model_init(&m, "registry x", -1, 7);
	top_model_merge(&m, &l);
	is_int((int)m.nnodes, 2, "two nodes listed");
	top_model_find(&m, "b")->version = xstrdup("1.0");
	l = listing(second);
	top_model_merge(&m, &l);
	is_int((int)m.nnodes, 3, "a node not listed again is kept");
	ok(!top_model_find(&m, "a")->listed, "... and marked unlisted");
	ok(top_model_find(&m, "b")->listed && top_model_find(&m, "c")->listed, "the others are listed");
	is_str(top_model_find(&m, "b")->version, "1.0", "a relisted node keeps what was learnt");
	ok(top_model_find(&m, "nope") == NULL, "unknown name: NULL");
	top_model_free(&m);
}

static void test_figures(void)
{
	static const char *const names[] = { "w", NULL };
	struct model m;
	struct cl_listing l = listing(names);
	struct tnode *n;

	top_model_init(&m, "x", -1, 7);
	top_model_merge(&m, &l);
	n = top_model_find(&m, "w");
	ok(isnan(n->hit_rate), "no scrape: no hit rate");
	node_metrics(n, scrape1, strlen(scrape1), 10.0, true, true);
	ok(n->hit_rate == 0.25, "hit rate from retrieve_hit_rate");
	ok(n->hit_tokens == 150, "hit tokens summed over label sets");
	ok(n->cache_usage == 1024, "cache usage");
	ok(isnan(node_rate_sum(n, "lmcache:num_hit_tokens_total")), "one scrape: no rate yet");
	node_metrics(n, scrape2, strlen(scrape2), 12.0, true, true);
	ok(node_rate_sum(n, "lmcache:num_hit_tokens_total") == 100, "(350 - 150) / 2 s");
	ok(node_rate(n, &n->metrics.families[0].samples[0]) == 100, "rate of one series");
	ok(node_rate(n, &n->metrics.families[0].samples[1]) == 0, "a still series: 0/s");
	ok(isnan(n->cache_usage), "a gauge gone from the scrape: no value");
	node_metrics(n, "garbage{", 8, 14.0, true, true);
	ok(n->error != NULL && strstr(n->error, "bad /metrics") != NULL, "bad text: an error");
	ok(n->hit_rate == 0.5, "... and the last good scrape stays");
	char *s = prom_series(NULL, &n->metrics.families[0].samples[0], NULL);
	is_str(s, "lmcache:num_hit_tokens_total{worker_id=\"0\"}", "series text");
	free(s);
	ok(n->spark[SP_HIT_RATE][0] == 0.25 && n->spark[SP_HIT_RATE][1] == 0.5,
	   "sparkline history of the hit rate");
	top_model_free(&m);
}

/* A registry that cannot be read leaves the last listing as it was (issue 15, bug 2). */
static void test_registry_down(void)
{
	static const char *const names[] = { "a", "b", NULL };
	struct model m;
	struct cl_listing l = listing(names);

	top_model_init(&m, "x", -1, 7);
	top_model_merge(&m, &l);
	l = (struct cl_listing){ .error = xstrdup("registry r: connection refused") };
	top_model_merge(&m, &l);
	ok(top_model_find(&m, "a")->listed && top_model_find(&m, "b")->listed, "nodes stay listed");
	ok(m.registry_down, "... the registry is marked unreachable");
	is_str(m.error, "registry r: connection refused", "... with the reason");
	l = listing(names);
	top_model_merge(&m, &l);
	ok(!m.registry_down && m.error == NULL, "back: no longer marked");
	top_model_free(&m);
}

/* 2,000 nodes listed again in the opposite order: each keeps its history (issue 14,
 * item 5). */
static void test_big(void)
{
	enum { N = 2000 };
	const char **names = xcalloc(N + 1, sizeof *names);
	struct model m;
	struct cl_listing l;
	bool kept = true;

	for (int i = 0; i < N; i++)
		names[i] = xasprintf("inst%d_worker0", i);
	top_model_init(&m, "x", -1, 7);
	l = listing(names);
	top_model_merge(&m, &l);
	for (int i = 0; i < N; i++)
		m.nodes[i].plugins = i;
	for (int i = 0; i < N / 2; i++) {
		const char *t = names[i];

		names[i] = names[N - 1 - i];
		names[N - 1 - i] = t;
	}
	l = listing(names);
	top_model_merge(&m, &l);
	is_int((int)m.nnodes, N, "no node added twice");
	for (int i = 0; i < N; i++) {
		struct tnode *n = top_model_find(&m, names[i]);

		kept = kept && n->listed && n->plugins == atoi(names[i] + 4);
	}
	ok(kept, "every node relisted with what was learnt");
	for (int i = 0; i < N; i++)
		free((char *)names[i]);
	free(names);
	top_model_free(&m);
}

/* A 110 KB version is kept bounded (issue 14, item 5). */
static void test_big_text(void)
{
	const char *names[] = { "a", NULL };
	struct model m;
	struct cl_listing l = listing(names);
	char *big = xmalloc(110 * 1024 + 1);

	top_model_init(&m, "x", -1, 7);
	top_model_merge(&m, &l);
	memset(big, '9', 110 * 1024);
	big[110 * 1024] = '\0';
	node_set_text(&m.nodes[0].version, xstrdup(big));
	ok(strlen(m.nodes[0].version) <= FIELD_MAX + 3, "a 110 KB version is kept bounded");
	ok(strncmp(m.nodes[0].version, "999", 3) == 0 &&
	   strcmp(m.nodes[0].version + strlen(m.nodes[0].version) - 3, "...") == 0,
	   "... its start, marked as cut");
	free(big);
	top_model_free(&m);
}

static const char merged[] =
	"# node b: scrape failed: unreachable: Couldn't connect to server\n"
	"# TYPE lmcache_frontend_node_up gauge\n"
	"lmcache_frontend_node_up{node=\"a\"} 1\n"
	"lmcache_frontend_node_up{node=\"b\"} 0\n"
	"lmcache_frontend_node_up{node=\"z\"} 1\n"
	"# TYPE lmcache:num_hit_tokens_total counter\n"
	"lmcache:num_hit_tokens_total{node=\"a\",worker_id=\"0\"} 100\n"
	"lmcache:num_hit_tokens_total{node=\"a\",worker_id=\"1\"} 50\n"
	"lmcache:num_hit_tokens_total{node=\"c\"} 7\n"
	"# TYPE lmcache:time_to_retrieve histogram\n"
	"lmcache:time_to_retrieve_sum{node=\"a\"} 2\n"
	"lmcache:time_to_retrieve_count{node=\"a\"} 4\n"
	"# TYPE lmcache:retrieve_hit_rate gauge\n"
	"lmcache:retrieve_hit_rate{node=\"a\"} 0.25\n";

/* A frontend's merged /metrics (scrape.c): each sample to the node its node label names,
 * among the nodes of that frontend; the down ones with the merge's reason. */
static void test_scrape(void)
{
	static const char *const names[] = { "a", "b", "c", NULL };
	struct model m;
	struct cl_listing l = listing(names);
	struct prom_exposition e;
	struct tnode *a, *b, *c;
	char *src;
	bool unlisted = false;

	top_model_init(&m, "x", -1, 7);
	top_model_merge(&m, &l);
	a = top_model_find(&m, "a"), b = top_model_find(&m, "b"), c = top_model_find(&m, "c");
	src = node_source_of(a);
	is_str(src, "http://fe", "a node's source: its URL without /proxy2/<name>");
	free(src);
	a->src = b->src = 0;
	c->src = 1; /* another frontend's */
	ok(prom_parse(merged, strlen(merged), &e, NULL) == 0, "merged text parses");
	ok(scrape_apply(&m, 0, &e, merged, strlen(merged), 5.0, &unlisted), "a merged exposition");
	ok(unlisted, "it names a node the listing lacks (z)");
	ok(a->covered && a->state == NS_UP && a->hit_tokens == 150, "a: up, hit tokens summed");
	ok(a->hit_rate == 0.25, "a: its hit rate");
	ok(summary_get(&a->sum, "lmcache:time_to_retrieve_sum") == 2, "a: a histogram's sum");
	ok(b->covered && b->state == NS_DOWN, "b: down");
	is_str(b->error, "scrape failed: unreachable: Couldn't connect to server",
	       "b: the reason the merge gave");
	ok(!c->covered && isnan(c->hit_tokens), "c: another frontend's node is not taken");
	prom_exposition_free(&e);
	static const char plain[] = "# TYPE x counter\nx_total 1\n";

	ok(prom_parse(plain, sizeof plain - 1, &e, NULL) == 0 &&
	   !scrape_apply(&m, 0, &e, "", 0, 6.0, &unlisted), "no lmcache_frontend_node_up: not merged");
	prom_exposition_free(&e);
	top_model_hints(&m);
	ok(a->hint == NULL, "too few peers: no hint");
	top_model_free(&m);
}

/* A merged exposition that names only listed nodes (one of them another frontend's) leaves
 * the listing be. */
static void test_scrape_listed(void)
{
	static const char *const names[] = { "a", "c", NULL };
	static const char known[] = "# TYPE lmcache_frontend_node_up gauge\n"
				    "lmcache_frontend_node_up{node=\"a\"} 1\n"
				    "lmcache_frontend_node_up{node=\"c\"} 1\n";
	struct model m;
	struct cl_listing l = listing(names);
	struct prom_exposition e;
	bool unlisted = false;

	top_model_init(&m, "x", -1, 7);
	top_model_merge(&m, &l);
	top_model_find(&m, "a")->src = 0;
	top_model_find(&m, "c")->src = 1;
	ok(prom_parse(known, sizeof known - 1, &e, NULL) == 0 &&
	   scrape_apply(&m, 0, &e, known, sizeof known - 1, 5.0, &unlisted) && !unlisted,
	   "only listed nodes (c: another frontend's): nothing to notice");
	prom_exposition_free(&e);
	top_model_free(&m);
}

int main(void)
{
	no_plan();
	test_merge();
	test_figures();
	test_registry_down();
	test_big();
	test_big_text();
	test_scrape();
	test_scrape_listed();
	return done_testing();
}
