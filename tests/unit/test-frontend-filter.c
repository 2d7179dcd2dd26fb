/* The name= filter of the merged /metrics: samples by name or family, each kept family's
 * HELP and TYPE before its samples, families without a kept sample left out, the merge's
 * notes kept, and what comes out still parses. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "metrics-filter.h"
#include "prom.h"
#include "tap.h"

static const char merged[] =
	"# node b: scrape failed: unreachable: Couldn't connect to server\n"
	"# HELP lmcache_frontend_node_up Whether the frontend could scrape the node.\n"
	"# TYPE lmcache_frontend_node_up gauge\n"
	"lmcache_frontend_node_up{node=\"a\"} 1\n"
	"lmcache_frontend_node_up{node=\"b\"} 0\n"
	"# HELP lmcache:num_hit_tokens_total Total number of tokens hit\n"
	"# TYPE lmcache:num_hit_tokens_total counter\n"
	"lmcache:num_hit_tokens_total{node=\"a\",worker_id=\"0\"} 5.0\n"
	"# HELP lmcache:time_to_retrieve Time to retrieve\n"
	"# TYPE lmcache:time_to_retrieve histogram\n"
	"lmcache:time_to_retrieve_bucket{node=\"a\",le=\"0.1\"} 1.0\n"
	"lmcache:time_to_retrieve_bucket{node=\"a\",le=\"+Inf\"} 2.0\n"
	"lmcache:time_to_retrieve_count{node=\"a\"} 2.0\n"
	"lmcache:time_to_retrieve_sum{node=\"a\"} 0.5\n"
	"# TYPE lmcache:num_hit counter\n"
	"lmcache:num_hit_total{node=\"a\"} 3\n"
	"untyped_thing{node=\"a\"} 7\n"
	"lmcache:num_hit_total_x{node=\"a\"} 9\n";

/* The filtered text for names (NULL-terminated). */
static char *filtered(const char *const *names)
{
	struct buf out = BUF_INIT;
	size_t n = 0;

	while (names[n] != NULL)
		n++;
	buf_append(&out, "", 0);
	metrics_filter(merged, sizeof merged - 1, (char *const *)names, n, &out);
	return buf_steal(&out);
}

static void test_families(void)
{
	const char *const names[] = { "lmcache_frontend_node_up", "lmcache:time_to_retrieve",
				      NULL };
	char *s = filtered(names);

	ok(strstr(s, "# node b: scrape failed") == s, "the merge's notes are kept");
	ok(strstr(s, "# TYPE lmcache_frontend_node_up gauge\nlmcache_frontend_node_up{node=\"a\"}")
	   != NULL, "a family asked for: TYPE, then its samples");
	ok(strstr(s, "lmcache:time_to_retrieve_bucket{node=\"a\",le=\"+Inf\"} 2.0\n") != NULL,
	   "a histogram asked for by its family: its buckets");
	ok(strstr(s, "lmcache:time_to_retrieve_sum{node=\"a\"} 0.5\n") != NULL, "... and sum");
	ok(strstr(s, "num_hit_tokens") == NULL, "a family not asked for is left out, HELP too");
	ok(strstr(s, "untyped_thing") == NULL, "so is a sample without a family");
	free(s);
}

static void test_samples(void)
{
	const char *const names[] = { "lmcache:time_to_retrieve_sum", "lmcache:num_hit_total",
				      "untyped_thing", NULL };
	char *s = filtered(names), *cause = NULL;
	struct prom_exposition e;

	ok(strstr(s, "# HELP lmcache:time_to_retrieve Time to retrieve\n"
		     "# TYPE lmcache:time_to_retrieve histogram\n"
		     "lmcache:time_to_retrieve_sum{node=\"a\"} 0.5\n") != NULL,
	   "a sample asked for by its name: with its family's HELP and TYPE");
	ok(strstr(s, "_bucket") == NULL && strstr(s, "_count") == NULL,
	   "... without the family's other samples");
	ok(strstr(s, "# TYPE lmcache:num_hit counter\nlmcache:num_hit_total{node=\"a\"} 3\n")
	   != NULL, "a counter's _total sample");
	ok(strstr(s, "untyped_thing{node=\"a\"} 7\n") != NULL, "a sample without a family");
	ok(strstr(s, "num_hit_total_x") == NULL, "a longer name is another name");
	ok(strstr(s, "lmcache_frontend_node_up") == NULL, "the up gauge only when asked for");
	ok(prom_parse(s, strlen(s), &e, &cause) == 0, "the filtered text parses");
	is_int((int)e.nsamples, 3, "... to the three samples asked for");
	prom_exposition_free(&e);
	free(cause);
	free(s);
}

static void test_nothing(void)
{
	const char *const names[] = { "nope", NULL };
	char *s = filtered(names);

	is_str(s, "# node b: scrape failed: unreachable: Couldn't connect to server\n",
	       "no name matches: only the notes");
	free(s);
}

int main(void)
{
	no_plan();
	test_families();
	test_samples();
	test_nothing();
	return done_testing();
}
