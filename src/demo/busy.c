/* --busy N: N threads that burn CPU in one known static function, so that a profile of the
 * demo has a hottest function to find (tests, benchmarks). Each round of work adds one to
 * the counter demo_busy_rounds_total: the host's throughput. */
#include "config.h"
#include "demo.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>

#define ROUND_ITERATIONS 200000

struct demo_busy {
	pthread_t *threads;
	int n;
	atomic_bool stopping;
	lmca_metric *rounds;
};

/* The work: a hash chain the compiler cannot fold away. Not inlined, so a profile names it. */
static __attribute__((noinline)) uint64_t busy_hash_round(uint64_t h)
{
	for (int i = 0; i < ROUND_ITERATIONS; i++)
		h = (h ^ (uint64_t)i) * 1099511628211ull;
	return h;
}

static void *busy_loop(void *arg)
{
	struct demo_busy *b = arg;
	volatile uint64_t sink = 0;

	while (!atomic_load(&b->stopping)) {
		sink = busy_hash_round(sink + 1);
		lmca_metric_inc(b->rounds, NULL, 1);
	}
	return NULL;
}

struct demo_busy *demo_busy_start(int n, lmca_agent *agent)
{
	struct demo_busy *b = xcalloc(1, sizeof *b);

	b->rounds = lmca_counter(agent, "demo_busy_rounds_total",
	                         "Rounds of work done by the --busy threads", NULL);
	b->threads = xcalloc((size_t)n, sizeof *b->threads);
	for (; b->n < n; b->n++) {
		if (pthread_create(&b->threads[b->n], NULL, busy_loop, b) != 0)
			break;
#ifdef HAVE_PTHREAD_SETNAME_NP
		pthread_setname_np(b->threads[b->n], "lmc-busy");
#endif
	}
	return b;
}

void demo_busy_stop(struct demo_busy *b)
{
	if (b == NULL)
		return;
	atomic_store(&b->stopping, true);
	for (int i = 0; i < b->n; i++)
		pthread_join(b->threads[i], NULL);
	free(b->threads);
	free(b);
}
