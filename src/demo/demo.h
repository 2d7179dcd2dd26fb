/* lmcache-demo-node: a host program that embeds liblmcagent and behaves like an LMCache
 * scheduler or worker (metrics that move, working threads, loggers, config, meta). */
#ifndef LMC_DEMO_H
#define LMC_DEMO_H

#include "lmcagent.h"

#include <pthread.h>
#include <stdbool.h>

struct demo_options {
	lmca_role role;
	int worker_id;
	int worker_count;
	const char *instance_id;
	const char *socket_prefix;
	const char *host;
	int port_start; /* -1: from config */
	const char *config_file;
	const char *model;
	int count;
	int tick_ms;
	int busy; /* threads burning CPU (busy.c) */
};

/* The simulated engine of one node. */
struct demo_engine {
	lmca_agent *agent;
	const struct demo_options *opts;
	int worker_id; /* -1 for the scheduler */
	char worker_label[16];

	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stopping;
	double cache_bytes;    /* simulated local CPU cache usage */
	double capacity_bytes; /* max_local_cpu_size in bytes */
	pthread_t threads[2];
	int nthreads;

	lmca_logger *log_engine, *log_cpu, *log_sched;
	struct demo_metrics *m;
};

/* host.c: config keys, providers, routes, the script runner. */
int demo_register_config(lmca_agent *agent, char **cause);
void demo_register_host(struct demo_engine *e);

/* engine.c: metrics and the worker threads. */
void demo_engine_init(struct demo_engine *e, lmca_agent *agent, const struct demo_options *o,
                      int worker_id);
int demo_engine_start(struct demo_engine *e, char **cause);
void demo_engine_stop(struct demo_engine *e);
void demo_engine_clear_cache(struct demo_engine *e, double *freed);
void demo_engine_free(struct demo_engine *e);

/* The loops the working threads run (exported so /threads can name them). */
void *demo_worker_loop(void *arg);
void *demo_scheduler_loop(void *arg);

/* busy.c: n threads burning CPU in one function; their rounds are a counter of agent. */
struct demo_busy;
struct demo_busy *demo_busy_start(int n, lmca_agent *agent);
void demo_busy_stop(struct demo_busy *b);

/* script.c: runs an uploaded script with sh, with a timeout. */
int demo_run_script(void *arg, const char *script, size_t len, char **output);

#endif
