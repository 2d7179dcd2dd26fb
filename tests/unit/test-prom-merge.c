/* Unit tests of the multi-node Prometheus merger (src/common/prom-merge.c). */
#include "config.h"
#include "prom.h"
#include "tap.h"

#include <stdlib.h>

static const char node_a[] =
	"# HELP hits_total Cache hits.\n# TYPE hits_total counter\n"
	"hits_total{worker_id=\"0\"} 5.0\n"
	"# HELP lat Latency.\n# TYPE lat histogram\n"
	"lat_bucket{le=\"0.1\"} 1.0\nlat_bucket{le=\"+Inf\"} 2.0\nlat_count 2.0\nlat_sum 0.3\n"
	"# HELP usage Usage from a.\n# TYPE usage gauge\nusage{node=\"host-1\"} 7.0\n";

static const char node_b[] =
	"# TYPE usage gauge\n# HELP usage Usage from b.\n"
	"usage{node=\"host-2\",exported_node=\"x\"} 8.0 1700000000000\n"
	"# HELP hits_total Other help.\n# TYPE hits_total gauge\nhits_total 9.0\n"
	"# HELP lat Latency.\n# TYPE lat histogram\n"
	"lat_bucket{le=\"0.1\"} 0.0\nlat_bucket{le=\"+Inf\"} 1.0\nlat_count 1.0\nlat_sum 0.2\n"
	"# HELP lmcache_frontend_node_up Not yours.\n# TYPE lmcache_frontend_node_up gauge\n"
	"lmcache_frontend_node_up 1\n"
	"# HELP only_b Only on b.\nonly_b{path=\"C:\\\\x\",q=\"\\\"\"} 1\n";

static const char node_bad[] = "fine 1\nbroken{ 2\n";

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static const struct prom_sample *find_sample(const struct prom_exposition *e, const char *family,
                                             const char *node, const char *name)
{
	const struct prom_family *f = prom_find_family(e, family);

	for (size_t i = 0; f && i < f->nsamples; i++) {
		const char *n = prom_label_value(&f->samples[i], "node");

		if (n && strcmp(n, node) == 0 && strcmp(f->samples[i].name, name) == 0)
			return &f->samples[i];
	}
	return NULL;
}

static bool has_problem(const struct prom_problems *p, const char *node, const char *family,
                        const char *text)
{
	for (size_t i = 0; i < p->count; i++) {
		const struct prom_problem *q = &p->items[i];

		if (strcmp(q->node, node) == 0 && strstr(q->message, text) &&
		    (family ? q->family && strcmp(q->family, family) == 0 : q->family == NULL))
			return true;
	}
	return false;
}

static void check_headers(const char *out)
{
	is_int(count(out, "# TYPE hits_total "), 1, "one TYPE per family");
	is_int(count(out, "# HELP hits_total "), 1, "one HELP per family");
	is_int(count(out, "# TYPE lat histogram\n"), 1, "one histogram TYPE");
	is_int(count(out, "# HELP usage Usage from a.\n"), 1, "the first HELP seen wins");
	is_int(count(out, "Usage from b"), 0, "later HELP dropped");
	is_int(count(out, "# TYPE lmcache_frontend_node_up gauge\n"), 1, "own gauge once");
	is_int(count(out, "# TYPE only_b untyped\n"), 1, "untyped family gets a TYPE");
	ok(strstr(out, "lat_sum{node=\"a\"} 0.3\nlat_bucket{node=\"b\",le=\"0.1\"} 0.0\n") != NULL,
	   "histogram sub-samples stay together, node after node");
	ok(strstr(out, "# node b: family hits_total skipped: type gauge conflicts with counter\n"),
	   "conflict reported as a comment");
}

static void check_samples(const struct prom_exposition *e)
{
	const struct prom_sample *s;

	s = find_sample(e, "hits_total", "a", "hits_total");
	ok(s && s->value == 5.0 && strcmp(prom_label_value(s, "worker_id"), "0") == 0,
	   "node label added, own labels kept");
	ok(!find_sample(e, "hits_total", "b", "hits_total"), "conflicting node family skipped");
	s = find_sample(e, "usage", "a", "usage");
	is_str(s ? prom_label_value(s, "exported_node") : NULL, "host-1", "node -> exported_node");
	s = find_sample(e, "usage", "b", "usage");
	is_str(s ? prom_label_value(s, "exported_node") : NULL, "x", "exported_node kept");
	is_str(s ? prom_label_value(s, "exported_exported_node") : NULL, "host-2",
	       "clash -> exported_exported_node");
	ok(s && s->has_timestamp && s->timestamp_ms == 1700000000000LL, "timestamp kept");
	s = find_sample(e, "lat", "b", "lat_count");
	ok(s && s->value == 1.0, "histogram count of b");
	s = find_sample(e, "only_b", "b", "only_b");
	ok(s && strcmp(prom_label_value(s, "path"), "C:\\x") == 0 &&
	           strcmp(prom_label_value(s, "q"), "\"") == 0,
	   "escapes survive the round trip");
	ok(!find_sample(e, "fine", "bad", "fine"), "nothing from a node that does not parse");
}

static void check_own_gauges(const struct prom_exposition *e)
{
	const struct prom_sample *s;
	const struct prom_family *f = prom_find_family(e, "lmcache_frontend_node_up");

	ok(f && f->type == PROM_GAUGE && f->nsamples == 5, "one up sample per distinct node");
	ok((s = find_sample(e, "lmcache_frontend_node_up", "a", "lmcache_frontend_node_up")) &&
	           s->value == 1, "a up");
	ok((s = find_sample(e, "lmcache_frontend_node_up", "bad", "lmcache_frontend_node_up")) &&
	           s->value == 0, "unparsable node down");
	ok((s = find_sample(e, "lmcache_frontend_node_up", "dead", "lmcache_frontend_node_up")) &&
	           s->value == 0, "unreachable node down");
	ok((s = find_sample(e, "lmcache_frontend_node_up", "we\"ird\\", "lmcache_frontend_node_up")) &&
	           s->value == 1, "node name escaped");
	s = find_sample(e, "lmcache_frontend_node_scrape_duration_seconds", "b",
	                "lmcache_frontend_node_scrape_duration_seconds");
	ok(s && s->value == 0.25, "scrape duration");
}

static void check_problems(const struct prom_problems *p)
{
	is_int(p->count, 5, "five problems");
	ok(has_problem(p, "b", "hits_total", "type gauge conflicts with counter"), "conflict");
	ok(has_problem(p, "b", "lmcache_frontend_node_up", "reserved"), "reserved name");
	ok(has_problem(p, "bad", NULL, "invalid exposition: line 2: "), "parse error with line");
	ok(has_problem(p, "dead", NULL, "scrape failed: timeout after 2 s"), "scrape failure");
	ok(has_problem(p, "a", NULL, "same name"), "duplicate node name");
}

/* The one-pass merge (prom-scan.c): a node's interleaved families still come out grouped, a
 * HELP that is not UTF-8 is repaired, labels written loosely are written canonically. */
static void test_one_pass(void)
{
	static const char text[] = "# HELP a a\xff help\\n\n# TYPE a gauge\na 1\n# TYPE b gauge\nb 2\n"
	                           "a{ x = \"1\" , } 3\nb{} 4\n";
	const struct prom_node two[] = {
		{ .name = "n1", .text = text, .len = sizeof text - 1 },
		{ .name = "n2", .text = text, .len = sizeof text - 1 },
	};
	size_t len;
	char *out = prom_merge(two, 2, &len, NULL);

	ok(strstr(out, "# HELP a a? help\\n\n# TYPE a gauge\na{node=\"n1\"} 1\n"
	               "a{node=\"n1\",x=\"1\"} 3\na{node=\"n2\"} 1\na{node=\"n2\",x=\"1\"} 3\n"
	               "# TYPE b gauge\nb{node=\"n1\"} 2\nb{node=\"n1\"} 4\nb{node=\"n2\"} 2\n") != NULL,
	   "interleaved families grouped, HELP repaired, labels made canonical");
	if (!strstr(out, "a{node=\"n2\",x=\"1\"} 3\n# TYPE b"))
		printf("# %s", out);
	prom_text_free(out);
}

int main(void)
{
	const struct prom_node nodes[] = {
		{ "a", node_a, sizeof node_a - 1, NULL, 0.5 },
		{ "b", node_b, sizeof node_b - 1, NULL, 0.25 },
		{ "bad", node_bad, sizeof node_bad - 1, NULL, 0.1 },
		{ "dead", NULL, 0, "timeout after 2 s", 2.0 },
		{ "we\"ird\\", "", 0, NULL, 0.0 },
		{ "a", node_b, sizeof node_b - 1, NULL, 0.5 },
	};
	struct prom_problems problems;
	struct prom_exposition e;
	char *cause = NULL, *out;
	size_t len;

	no_plan();
	out = prom_merge(nodes, sizeof nodes / sizeof *nodes, &len, &problems);
	is_int(len, strlen(out), "length");
	is_int(prom_parse(out, len, &e, &cause), 0, "the merged text parses");
	if (cause)
		printf("# %s\n%s", cause, out);
	check_headers(out);
	check_samples(&e);
	check_own_gauges(&e);
	check_problems(&problems);
	prom_exposition_free(&e);
	prom_problems_free(&problems);
	prom_text_free(out);
	out = prom_merge(NULL, 0, &len, NULL);
	is_int(prom_parse(out, len, &e, &cause), 0, "no nodes: still valid");
	is_int(e.nfamilies, 3, "only the own gauges");
	prom_exposition_free(&e);
	prom_text_free(out);
	test_one_pass();
	return done_testing();
}
