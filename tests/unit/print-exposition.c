/* Prints a representative exposition of the agent's metrics for tests/bats/
 * agent-metrics-text.bats, which feeds it to `promtool check metrics`: LMCache's names
 * (with ':'), every metric type, labels that need escaping, help with a newline and a
 * backslash, special floats, a reset family and default and custom buckets. */
#include "config.h"
#include "lmcagent.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static void counters(lmca_agent *a)
{
	const char *wl[] = { "worker_id", "model", NULL };
	lmca_metric *hits = lmca_counter(a, "lmcache:num_hit_tokens", "Number of hit tokens", wl);
	lmca_metric *req = lmca_counter(a, "lmcache:num_retrieve_requests_total",
	                                "Retrieve requests\nsecond line \\ backslash", NULL);

	lmca_metric_inc(hits, (const char *[]){ "0", "meta-llama/Llama-3.1-8B", NULL }, 1024);
	lmca_metric_inc(hits, (const char *[]){ "1", "quote\" back\\slash\nnewline", NULL }, 7);
	lmca_metric_inc(req, NULL, 3);
}

static void gauges(lmca_agent *a)
{
	const char *kl[] = { "kind", NULL };
	lmca_metric *usage = lmca_gauge(a, "lmcache:local_cache_usage", "Local cache bytes", NULL);
	lmca_metric *rate = lmca_gauge(a, "lmcache:retrieve_hit_rate", "Hit rate", NULL);
	lmca_metric *odd = lmca_gauge(a, "lmcache:special_values", "Special floats", kl);

	lmca_metric_set(usage, NULL, 123456789.0);
	lmca_metric_set(rate, NULL, 0.875);
	lmca_metric_set(odd, (const char *[]){ "nan", NULL }, NAN);
	lmca_metric_set(odd, (const char *[]){ "inf", NULL }, INFINITY);
	lmca_metric_set(odd, (const char *[]){ "-inf", NULL }, -INFINITY);
	lmca_metric_set(odd, (const char *[]){ "tiny", NULL }, 1e-300);
	lmca_metric_set(odd, (const char *[]){ "", NULL }, -2);
}

static void histograms(lmca_agent *a)
{
	const double buckets[] = { 1, 8, 64, 512, 4096 };
	const char *ol[] = { "op", NULL };
	lmca_metric *t = lmca_histogram(a, "lmcache:time_to_retrieve", "Retrieve seconds", NULL,
	                                NULL, 0);
	lmca_metric *len = lmca_histogram(a, "lmcache:retrieve_length", "Tokens", ol, buckets, 5);

	for (int i = 0; i < 50; i++)
		lmca_metric_observe(t, NULL, i * 0.013);
	lmca_metric_observe(len, (const char *[]){ "store", NULL }, 300);
	lmca_metric_observe(len, (const char *[]){ "retrieve", NULL }, 1e6);
	lmca_histogram(a, "lmcache:never_observed", "Empty", ol, NULL, 0);
}

int main(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_WORKER, 0, 2, NULL);
	char *text;

	counters(a);
	gauges(a);
	histograms(a);
	if (getenv("RESET") != NULL)
		lmca_metrics_reset(a);
	text = lmca_metrics_render(a);
	fputs(text, stdout);
	free(text);
	lmca_agent_free(a);
	return 0;
}
