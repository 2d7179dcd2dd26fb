/* The simulated engine: LMCache's metric names moving like a busy engine, driven by named
 * threads. A worker retrieves and stores KV chunks; the scheduler looks them up. With
 * --tick-ms 0 the threads exist but wait (no wake-ups). */
#include "config.h"
#include "demo.h"
#include "xalloc.h"
#include "xthread.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define GIB (1024.0 * 1024.0 * 1024.0)
#define KV_BYTES_PER_TOKEN (128.0 * 1024.0) /* 8B model, bf16: 32 layers x 2 x 8 x 128 x 2 */

struct demo_metrics {
	lmca_metric *retrieve_requests, *store_requests, *lookup_requests;
	lmca_metric *requested_tokens, *hit_tokens, *lookup_tokens, *lookup_hits;
	lmca_metric *evict_count;
	lmca_metric *retrieve_hit_rate, *lookup_hit_rate, *local_cache_usage;
	lmca_metric *time_to_retrieve, *time_to_store, *retrieve_speed;
};

static const char *const label_names[] = { "model_name", "worker_id", NULL };
static const double time_buckets[] = { 0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1,
	                                0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0 };
static const double speed_buckets[] = { 1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096,
	                                 8192, 16384, 32768, 65536 };
#define NB(a) (sizeof(a) / sizeof(a)[0])

static void register_metrics(struct demo_engine *e)
{
	struct demo_metrics *m = e->m = xcalloc(1, sizeof *m);
	lmca_agent *a = e->agent;

	m->retrieve_requests = lmca_counter(a, "lmcache:num_retrieve_requests",
		"Total number of retrieve requests sent to lmcache", label_names);
	m->store_requests = lmca_counter(a, "lmcache:num_store_requests",
		"Total number of store requests sent to lmcache", label_names);
	m->lookup_requests = lmca_counter(a, "lmcache:num_lookup_requests",
		"Total number of lookup requests sent to lmcache", label_names);
	m->requested_tokens = lmca_counter(a, "lmcache:num_requested_tokens",
		"Total number of tokens requested from lmcache", label_names);
	m->hit_tokens = lmca_counter(a, "lmcache:num_hit_tokens",
		"Total number of tokens hit in lmcache", label_names);
	m->lookup_tokens = lmca_counter(a, "lmcache:num_lookup_tokens",
		"Total number of tokens requested in lookup from lmcache", label_names);
	m->lookup_hits = lmca_counter(a, "lmcache:num_lookup_hits",
		"Total number of tokens hit in lookup from lmcache", label_names);
	m->evict_count = lmca_counter(a, "lmcache:local_cpu_evict_count",
		"Total number of evict in local cpu backend", label_names);
	m->retrieve_hit_rate = lmca_gauge(a, "lmcache:retrieve_hit_rate",
		"Hit rate of lmcache retrieve requests since last log", label_names);
	m->lookup_hit_rate = lmca_gauge(a, "lmcache:lookup_hit_rate",
		"Hit rate of lmcache lookup requests since last log", label_names);
	m->local_cache_usage = lmca_gauge(a, "lmcache:local_cache_usage",
		"Local cache usage (bytes) of lmcache", label_names);
	m->time_to_retrieve = lmca_histogram(a, "lmcache:time_to_retrieve",
		"Time to retrieve from lmcache (seconds)", label_names, time_buckets, NB(time_buckets));
	m->time_to_store = lmca_histogram(a, "lmcache:time_to_store",
		"Time to store to lmcache (seconds)", label_names, time_buckets, NB(time_buckets));
	m->retrieve_speed = lmca_histogram(a, "lmcache:retrieve_speed",
		"Retrieve speed of lmcache (tokens per second)", label_names, speed_buckets,
		NB(speed_buckets));
}

/* Series exist from the start (at zero), so a still node (--tick-ms 0) has samples too. */
static void zero_series(struct demo_engine *e)
{
	const char *l[] = { e->opts->model, e->worker_label, NULL };
	struct demo_metrics *m = e->m;
	lmca_metric *worker[] = { m->retrieve_requests, m->store_requests, m->requested_tokens,
		                  m->hit_tokens, m->evict_count };
	lmca_metric *sched[] = { m->lookup_requests, m->lookup_tokens, m->lookup_hits };

	if (e->worker_id < 0) {
		for (size_t i = 0; i < NB(sched); i++)
			lmca_metric_inc(sched[i], l, 0);
		lmca_metric_set(m->lookup_hit_rate, l, 0);
		return;
	}
	for (size_t i = 0; i < NB(worker); i++)
		lmca_metric_inc(worker[i], l, 0);
	lmca_metric_set(m->retrieve_hit_rate, l, 0);
	lmca_metric_set(m->local_cache_usage, l, 0);
}

static int on_capacity_change(lmca_agent *agent, const char *key, const char *value_json,
                              void *arg, char **cause)
{
	struct demo_engine *e = arg;
	double gib = strtod(value_json, NULL);

	(void)agent, (void)key;
	if (!(gib > 0)) {
		*cause = xasprintf("%s must be a positive number of GiB", key);
		return -1;
	}
	pthread_mutex_lock(&e->lock);
	e->capacity_bytes = gib * GIB;
	pthread_mutex_unlock(&e->lock);
	lmca_log(e->log_cpu, LMCA_LOG_INFO, "local CPU cache capacity is now %.2f GiB", gib);
	return 0;
}

void demo_engine_init(struct demo_engine *e, lmca_agent *agent, const struct demo_options *o,
                      int worker_id)
{
	memset(e, 0, sizeof *e);
	e->agent = agent;
	e->opts = o;
	e->worker_id = worker_id;
	snprintf(e->worker_label, sizeof e->worker_label, "%d", worker_id);
	pthread_mutex_init(&e->lock, NULL);
	cond_init_monotonic(&e->wake);
	e->log_engine = lmca_logger_get(agent, "lmcache.v1.cache_engine");
	e->log_cpu = lmca_logger_get(agent, "lmcache.v1.storage_backend.local_cpu_backend");
	e->log_sched = lmca_logger_get(agent, "lmcache.v1.lookup_server");
	lmca_logger_get(agent, "lmcache.v1.internal_api_server");
	register_metrics(e);
	zero_series(e);
	e->capacity_bytes = lmca_conf_get_float(agent, "max_local_cpu_size", 5.0) * GIB;
	lmca_conf_on_change(agent, "max_local_cpu_size", on_capacity_change, e, NULL);
}

/* ---- one step of work ---- */

static double uniform(unsigned *seed) { return (double)rand_r(seed) / RAND_MAX; }

static void labels_of(const struct demo_engine *e, const char *labels[3])
{
	labels[0] = e->opts->model;
	labels[1] = e->worker_label;
	labels[2] = NULL;
}

static void retrieve_step(struct demo_engine *e, unsigned *seed, double *rate)
{
	const char *l[3];
	double tokens = 256.0 * (1 + rand_r(seed) % 16), hit, secs;

	labels_of(e, l);
	/* The hit rate wanders like a workload with changing prefix reuse. */
	*rate = fmin(0.98, fmax(0.05, *rate + (uniform(seed) - 0.5) * 0.1));
	hit = floor(tokens * *rate / 256.0) * 256.0;
	secs = 0.002 + hit / 20000.0 * (0.5 + uniform(seed));
	lmca_metric_inc(e->m->retrieve_requests, l, 1);
	lmca_metric_inc(e->m->requested_tokens, l, tokens);
	lmca_metric_inc(e->m->hit_tokens, l, hit);
	lmca_metric_set(e->m->retrieve_hit_rate, l, hit / tokens);
	lmca_metric_observe(e->m->time_to_retrieve, l, secs);
	lmca_metric_observe(e->m->retrieve_speed, l, hit / secs);
	if (lmca_log_enabled(e->log_engine, LMCA_LOG_DEBUG))
		lmca_log(e->log_engine, LMCA_LOG_DEBUG, "retrieved %.0f of %.0f tokens in %.3fs",
		         hit, tokens, secs);
}

static void store_step(struct demo_engine *e, unsigned *seed)
{
	const char *l[3];
	double tokens = 256.0 * (1 + rand_r(seed) % 8), usage;
	bool evicted = false;

	labels_of(e, l);
	pthread_mutex_lock(&e->lock);
	e->cache_bytes += tokens * KV_BYTES_PER_TOKEN;
	if (e->cache_bytes > e->capacity_bytes) {
		e->cache_bytes = e->capacity_bytes * 0.8; /* LRU eviction frees a fifth */
		evicted = true;
	}
	usage = e->cache_bytes;
	pthread_mutex_unlock(&e->lock);
	lmca_metric_inc(e->m->store_requests, l, 1);
	lmca_metric_observe(e->m->time_to_store, l, 0.001 + tokens / 50000.0 * uniform(seed));
	lmca_metric_set(e->m->local_cache_usage, l, usage);
	if (evicted) {
		lmca_metric_inc(e->m->evict_count, l, 1);
		lmca_log(e->log_cpu, LMCA_LOG_INFO, "local CPU cache full, evicted to %.2f GiB",
		         usage / GIB);
	}
}

static void lookup_step(struct demo_engine *e, unsigned *seed, double *rate)
{
	const char *l[3];
	double tokens = 256.0 * (1 + rand_r(seed) % 32), hit;

	labels_of(e, l);
	*rate = fmin(0.98, fmax(0.05, *rate + (uniform(seed) - 0.5) * 0.08));
	hit = floor(tokens * *rate / 256.0) * 256.0;
	lmca_metric_inc(e->m->lookup_requests, l, 1);
	lmca_metric_inc(e->m->lookup_tokens, l, tokens);
	lmca_metric_inc(e->m->lookup_hits, l, hit);
	lmca_metric_set(e->m->lookup_hit_rate, l, hit / tokens);
	if (lmca_log_enabled(e->log_sched, LMCA_LOG_DEBUG))
		lmca_log(e->log_sched, LMCA_LOG_DEBUG, "looked up %.0f tokens, %.0f hit", tokens, hit);
}

/* ---- the threads ---- */

/* Waits one tick (or, with --tick-ms 0, until stopped). false when stopping. */
static bool wait_tick(struct demo_engine *e)
{
	struct timespec ts;
	int ms = e->opts->tick_ms;
	bool go;

	pthread_mutex_lock(&e->lock);
	if (ms > 0) {
		clock_gettime(CLOCK_MONOTONIC, &ts); /* e->wake is monotonic */
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (long)(ms % 1000) * 1000000L;
		ts.tv_sec += ts.tv_nsec / 1000000000L;
		ts.tv_nsec %= 1000000000L;
		while (!e->stopping && pthread_cond_timedwait(&e->wake, &e->lock, &ts) != ETIMEDOUT)
			;
	} else {
		while (!e->stopping)
			pthread_cond_wait(&e->wake, &e->lock);
	}
	go = !e->stopping;
	pthread_mutex_unlock(&e->lock);
	return go;
}

void *demo_worker_loop(void *arg)
{
	struct demo_engine *e = arg;
	unsigned seed = 7919u * (unsigned)(e->worker_id + 2);
	double rate = 0.6;
	long n = 0;

	while (wait_tick(e)) {
		retrieve_step(e, &seed, &rate);
		if (++n % 2 == 0)
			store_step(e, &seed);
		if (n % 120 == 0)
			lmca_log(e->log_engine, LMCA_LOG_INFO, "served %ld requests", n);
	}
	return NULL;
}

void *demo_scheduler_loop(void *arg)
{
	struct demo_engine *e = arg;
	unsigned seed = 104729u;
	double rate = 0.5;

	while (wait_tick(e))
		lookup_step(e, &seed, &rate);
	return NULL;
}

static int spawn(struct demo_engine *e, void *(*fn)(void *), const char *name, char **cause)
{
	int err = pthread_create(&e->threads[e->nthreads], NULL, fn, e);

	if (err != 0) {
		*cause = xasprintf("cannot start thread %s: %s", name, strerror(err));
		return -1;
	}
	pthread_setname_np(e->threads[e->nthreads++], name);
	return 0;
}

int demo_engine_start(struct demo_engine *e, char **cause)
{
	char name[32];

	if (e->worker_id < 0)
		return spawn(e, demo_scheduler_loop, "lmc-scheduler", cause);
	/* Thread names hold 15 bytes: "lmc-worker-" and up to 4 digits. */
	snprintf(name, sizeof name, "lmc-worker-%d", e->worker_id % 10000);
	return spawn(e, demo_worker_loop, name, cause);
}

void demo_engine_stop(struct demo_engine *e)
{
	pthread_mutex_lock(&e->lock);
	e->stopping = true;
	pthread_cond_broadcast(&e->wake);
	pthread_mutex_unlock(&e->lock);
	for (int i = 0; i < e->nthreads; i++)
		pthread_join(e->threads[i], NULL);
	e->nthreads = 0;
}

void demo_engine_clear_cache(struct demo_engine *e, double *freed)
{
	const char *l[3];

	labels_of(e, l);
	pthread_mutex_lock(&e->lock);
	*freed = e->cache_bytes;
	e->cache_bytes = 0;
	pthread_mutex_unlock(&e->lock);
	lmca_metric_set(e->m->local_cache_usage, l, 0);
	lmca_log(e->log_cpu, LMCA_LOG_INFO, "cache cleared (%.0f bytes freed)", *freed);
}

void demo_engine_free(struct demo_engine *e)
{
	free(e->m);
	pthread_cond_destroy(&e->wake);
	pthread_mutex_destroy(&e->lock);
}
