/* Metrics: registration rules, updates, the exact exposition text (prometheus_client's
 * conventions), escaping, special floats, reset, and concurrent updates while rendering. */
#include "config.h"
#include "agent-internal.h"
#include "tap.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static lmca_agent *agent(void)
{
	return lmca_agent_new(LMCA_ROLE_WORKER, 0, 1, NULL);
}

static void is_render(lmca_agent *a, const char *want, const char *name)
{
	char *got = lmca_metrics_render(a);

	is_str(got, want, name);
	free(got);
}

static void test_registration(void)
{
	lmca_agent *a = agent();
	const char *labels[] = { "worker", NULL };
	const char *bad_labels[] = { "__x", NULL };
	const char *le[] = { "le", NULL };
	const char *dup[] = { "a", "a", NULL };
	const double unsorted[] = { 1, 0.5 };
	lmca_metric *c = lmca_counter(a, "lmcache:num_hit_tokens", "Hit tokens", labels);

	ok(c != NULL, "counter with ':' in its name");
	ok(lmca_counter(a, "lmcache:num_hit_tokens", "again", labels) == c,
	   "same name, type and labels: the same metric");
	ok(lmca_counter(a, "lmcache:num_hit_tokens_total", "x", labels) == c,
	   "name with _total is the same family");
	ok(lmca_gauge(a, "lmcache:num_hit_tokens_total", "x", labels) == NULL,
	   "same name as another type: refused");
	ok(lmca_counter(a, "lmcache:num_hit_tokens", "x", NULL) == NULL,
	   "same name with other labels: refused");
	ok(lmca_gauge(a, "9lives", "x", NULL) == NULL, "name starting with a digit refused");
	ok(lmca_gauge(a, "a-b", "x", NULL) == NULL, "name with '-' refused");
	ok(lmca_gauge(a, "g", "x", bad_labels) == NULL, "reserved label name refused");
	ok(lmca_gauge(a, "g", "x", dup) == NULL, "duplicate label refused");
	ok(lmca_histogram(a, "h", "x", le, NULL, 0) == NULL, "histogram label le refused");
	ok(lmca_histogram(a, "h", "x", NULL, unsorted, 2) == NULL, "unsorted buckets refused");
	lmca_agent_free(a);
}

/* test_exposition's two renderings: after updates, and after a reset. */
static const char want_exposition[] =
	"# HELP lmcache:num_hit_tokens_total Hit tokens\\\\n\\nsecond\n"
	"# TYPE lmcache:num_hit_tokens_total counter\n"
	"lmcache:num_hit_tokens_total{worker=\"0\",kind=\"hit\"} 4.0\n"
	"lmcache:num_hit_tokens_total{worker=\"1\",kind=\"a\\\"b\\\\c\\nd\"} 0.5\n"
	"# HELP lmcache:local_cache_usage Cache usage\n"
	"# TYPE lmcache:local_cache_usage gauge\n"
	"lmcache:local_cache_usage 1234.5\n"
	"# HELP lmcache:time_to_retrieve Retrieve time\n"
	"# TYPE lmcache:time_to_retrieve histogram\n"
	"lmcache:time_to_retrieve_bucket{le=\"0.1\"} 1.0\n"
	"lmcache:time_to_retrieve_bucket{le=\"1.0\"} 2.0\n"
	"lmcache:time_to_retrieve_bucket{le=\"2.5\"} 2.0\n"
	"lmcache:time_to_retrieve_bucket{le=\"+Inf\"} 3.0\n"
	"lmcache:time_to_retrieve_count 3.0\n"
	"lmcache:time_to_retrieve_sum 8.05\n";

static const char want_reset[] =
	"# HELP lmcache:num_hit_tokens_total Hit tokens\\\\n\\nsecond\n"
	"# TYPE lmcache:num_hit_tokens_total counter\n"
	"lmcache:num_hit_tokens_total{worker=\"0\",kind=\"hit\"} 0.0\n"
	"lmcache:num_hit_tokens_total{worker=\"1\",kind=\"a\\\"b\\\\c\\nd\"} 0.0\n"
	"# HELP lmcache:local_cache_usage Cache usage\n"
	"# TYPE lmcache:local_cache_usage gauge\n"
	"lmcache:local_cache_usage 0.0\n"
	"# HELP lmcache:time_to_retrieve Retrieve time\n"
	"# TYPE lmcache:time_to_retrieve histogram\n"
	"lmcache:time_to_retrieve_bucket{le=\"0.1\"} 0.0\n"
	"lmcache:time_to_retrieve_bucket{le=\"1.0\"} 0.0\n"
	"lmcache:time_to_retrieve_bucket{le=\"2.5\"} 0.0\n"
	"lmcache:time_to_retrieve_bucket{le=\"+Inf\"} 0.0\n"
	"lmcache:time_to_retrieve_count 0.0\n"
	"lmcache:time_to_retrieve_sum 0.0\n";

static void test_exposition(void)
{
	lmca_agent *a = agent();
	const char *wl[] = { "worker", "kind", NULL };
	const char *w0[] = { "0", "hit", NULL };
	const char *w1[] = { "1", "a\"b\\c\nd", NULL };
	const double bounds[] = { 0.1, 1, 2.5 };
	lmca_metric *c = lmca_counter(a, "lmcache:num_hit_tokens", "Hit tokens\\n\nsecond", wl);
	lmca_metric *g = lmca_gauge(a, "lmcache:local_cache_usage", "Cache usage", NULL);
	lmca_metric *h = lmca_histogram(a, "lmcache:time_to_retrieve", "Retrieve time", NULL,
	                                bounds, 3);

	lmca_metric_inc(c, w0, 3);
	lmca_metric_inc(c, w1, 0.5);
	lmca_metric_inc(c, w0, 1);
	lmca_metric_inc(c, w0, -1);
	lmca_metric_set(g, NULL, 1234.5);
	lmca_metric_observe(h, NULL, 0.05);
	lmca_metric_observe(h, NULL, 1);
	lmca_metric_observe(h, NULL, 7);
	is_render(a, want_exposition,
	          "exact exposition: _total, escaping, cumulative buckets, count, sum");
	ok(lmca_metric_value(c, w0) == 4, "value of a series");
	ok(isnan(lmca_metric_value(c, (const char *[]){ "9", "x", NULL })), "NaN for no series");
	ok(isnan(lmca_metric_value(c, (const char *[]){ "0", NULL })), "NaN for wrong arity");
	lmca_metric_inc(c, (const char *[]){ "0", NULL }, 1);
	ok(lmca_metric_value(c, w0) == 4, "wrong number of label values is ignored");
	lmca_metrics_reset(a);
	is_render(a, want_reset, "reset zeroes every series and keeps them");
	lmca_agent_free(a);
}

static void test_values(void)
{
	lmca_agent *a = agent();
	const char *l[] = { "v", NULL };
	lmca_metric *g = lmca_gauge(a, "g", "", l);
	char *text;

	ok(lmca_histogram(a, "h_seconds", "default buckets", NULL, NULL, 0) != NULL, "histogram");
	lmca_metric_set(g, (const char *[]){ "nan", NULL }, NAN);
	lmca_metric_set(g, (const char *[]){ "inf", NULL }, INFINITY);
	lmca_metric_set(g, (const char *[]){ "-inf", NULL }, -INFINITY);
	lmca_metric_set(g, (const char *[]){ "small", NULL }, 0.1);
	lmca_metric_set(g, (const char *[]){ "big", NULL }, 1e20);
	lmca_metric_set(g, (const char *[]){ "neg", NULL }, -3);
	lmca_metric_inc(g, (const char *[]){ "neg", NULL }, -1.5);
	text = lmca_metrics_render(a);
	ok(strstr(text, "g{v=\"nan\"} NaN\n") != NULL, "NaN");
	ok(strstr(text, "g{v=\"inf\"} +Inf\n") != NULL, "+Inf");
	ok(strstr(text, "g{v=\"-inf\"} -Inf\n") != NULL, "-Inf");
	ok(strstr(text, "g{v=\"small\"} 0.1\n") != NULL, "0.1 printed shortest");
	ok(strstr(text, "g{v=\"big\"} 1e+20\n") != NULL, "1e+20");
	ok(strstr(text, "g{v=\"neg\"} -4.5\n") != NULL, "gauge goes down");
	ok(strstr(text, "# HELP g \n") != NULL, "empty help");
	ok(strstr(text, "h_seconds_bucket{le=\"0.005\"} 0.0\n") != NULL &&
	   strstr(text, "h_seconds_bucket{le=\"10.0\"} 0.0\n") != NULL &&
	   strstr(text, "h_seconds_bucket{le=\"+Inf\"} 0.0\n") != NULL,
	   "prometheus_client's default buckets, unlabelled series present from the start");
	free(text);
	lmca_agent_free(a);
}

static void test_many_series(void)
{
	lmca_agent *a = agent();
	const char *l[] = { "id", NULL };
	lmca_metric *c = lmca_counter(a, "requests", "r", l);
	char id[16], *text;
	int bad = 0;

	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "%d", i);
		lmca_metric_inc(c, (const char *[]){ id, NULL }, i);
	}
	for (int i = 0; i < 3000; i++) {
		snprintf(id, sizeof id, "%d", i);
		bad += lmca_metric_value(c, (const char *[]){ id, NULL }) != i;
	}
	is_int(bad, 0, "3000 series each keep their own value (hash table growth)");
	text = lmca_metrics_render(a);
	ok(strstr(text, "requests_total{id=\"2999\"} 2999.0\n") != NULL, "last series rendered");
	free(text);
	lmca_agent_free(a);
}

struct worker {
	lmca_metric *c, *h;
};

static void *hammer(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 20000; i++) {
		lmca_metric_inc(w->c, NULL, 1);
		lmca_metric_observe(w->h, NULL, 0.5);
	}
	return NULL;
}

static void *render_loop(void *arg)
{
	for (int i = 0; i < 200; i++)
		free(lmca_metrics_render(arg));
	return NULL;
}

static void test_threads(void)
{
	lmca_agent *a = agent();
	struct worker w = { lmca_counter(a, "ops", "o", NULL),
		            lmca_histogram(a, "lat", "l", NULL, NULL, 0) };
	pthread_t t[4];
	char *text;

	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, hammer, &w);
	pthread_create(&t[3], NULL, render_loop, a);
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ok(lmca_metric_value(w.c, NULL) == 60000, "no increment lost under concurrency");
	text = lmca_metrics_render(a);
	ok(strstr(text, "lat_count 60000.0\n") && strstr(text, "lat_sum 30000.0\n"),
	   "histogram consistent after concurrent observes");
	free(text);
	lmca_agent_free(a);
}

/* Scrapes between updates reuse the last text; every kind of change shows at once. */
static void test_render_cache(void)
{
	lmca_agent *a = agent();
	const char *const lv[] = { "x", NULL };
	const char *const ln[] = { "k", NULL };
	lmca_metric *c = lmca_counter(a, "hits", "Hits", NULL);
	lmca_metric *g = lmca_gauge(a, "usage", "Usage", ln);
	lmca_metric *h = lmca_histogram(a, "lat", "Lat", NULL, (const double[]){ 1.0 }, 1);

	is_render(a, "# HELP hits_total Hits\n# TYPE hits_total counter\nhits_total 0.0\n"
		     "# HELP usage Usage\n# TYPE usage gauge\n"
		     "# HELP lat Lat\n# TYPE lat histogram\nlat_bucket{le=\"1.0\"} 0.0\n"
		     "lat_bucket{le=\"+Inf\"} 0.0\nlat_count 0.0\nlat_sum 0.0\n", "cache: first render");
	is_render(a, "# HELP hits_total Hits\n# TYPE hits_total counter\nhits_total 0.0\n"
		     "# HELP usage Usage\n# TYPE usage gauge\n"
		     "# HELP lat Lat\n# TYPE lat histogram\nlat_bucket{le=\"1.0\"} 0.0\n"
		     "lat_bucket{le=\"+Inf\"} 0.0\nlat_count 0.0\nlat_sum 0.0\n", "cache: same text again");
	lmca_metric_inc(c, NULL, 2);
	char *t = lmca_metrics_render(a);
	ok(strstr(t, "hits_total 2.0\n") != NULL, "cache: an increment shows");
	free(t);
	lmca_metric_set(g, lv, 7);
	t = lmca_metrics_render(a);
	ok(strstr(t, "usage{k=\"x\"} 7.0\n") != NULL, "cache: a new series shows");
	free(t);
	lmca_metric_observe(h, NULL, 0.5);
	t = lmca_metrics_render(a);
	ok(strstr(t, "lat_count 1.0\n") != NULL, "cache: an observation shows");
	free(t);
	lmca_metrics_reset(a);
	t = lmca_metrics_render(a);
	ok(strstr(t, "hits_total 0.0\n") != NULL && strstr(t, "lat_count 0.0\n") != NULL,
	   "cache: a reset shows");
	free(t);
	lmca_gauge(a, "late", "Registered later", NULL);
	t = lmca_metrics_render(a);
	ok(strstr(t, "# TYPE late gauge\nlate 0.0\n") != NULL, "cache: a new metric shows");
	free(t);
	lmca_agent_free(a);
}

int main(void)
{
	no_plan();
	test_registration();
	test_exposition();
	test_values();
	test_many_series();
	test_threads();
	test_render_cache();
	return done_testing();
}
