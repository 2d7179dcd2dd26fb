/* What metrics.c (registry, series, updates) and metrics-render.c (exposition) share. */
#ifndef LMC_AGENT_METRICS_H
#define LMC_AGENT_METRICS_H

#include "agent-internal.h"
#include "buf.h"

#include <stdint.h>

enum metric_kind { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

struct series {
	char *key;         /* label values, length-prefixed (unique for any values) */
	uint64_t hash;
	char *labels;      /* rendered `a="x",b="y"` (escaped), "" without labels */
	double value;      /* counter, gauge */
	uint64_t *buckets; /* histogram: per-bucket (not cumulative) counts, +Inf last */
	uint64_t count;
	double sum;
	struct series *next_in_chain;
};

struct lmca_metric {
	enum metric_kind kind;
	char *name; /* exposed family name: counters carry _total */
	char *help;
	char **label_names; /* NULL-terminated */
	size_t nlabels;
	double *bounds; /* histogram upper bounds without +Inf */
	size_t nbounds;
	char **le_text; /* rendered `le="<bound>"` labels, +Inf last */

	uint64_t *generation; /* the registry's change counter, bumped after every update */

	pthread_mutex_t lock; /* guards the series below */
	struct series **series; /* in creation order */
	size_t nseries, cap;
	struct series **table; /* hash chains */
	size_t table_size;
};

struct metric_registry {
	pthread_rwlock_t lock; /* write: registration; read: rendering, reset */
	lmca_metric **metrics; /* in registration order */
	size_t n, cap;
	size_t last_size; /* size of the last exposition, to size the next buffer */
	/* Scrapes between two updates send the same text: the last exposition is kept with the
	 * generation it was rendered at (read before rendering, so a racing update only causes
	 * one more render). */
	uint64_t generation;
	pthread_mutex_t cache_lock;
	char *cache; /* NULL until the first render */
	size_t cache_len;
	uint64_t cache_gen;
};

/* Marks the registry changed: call after an update is complete. */
static inline void metric_changed(const lmca_metric *m)
{
	__atomic_add_fetch(m->generation, 1, __ATOMIC_RELEASE);
}

/* Prometheus' float spelling: NaN, +Inf, -Inf, else the shortest exact decimal
 * (integers as "1.0", as Python's client does). buf must hold 32 bytes. */
void metric_format_value(double v, char *out, size_t size);
/* Appends s escaped for a label value (\\, \", \n) or, help != 0, for HELP (\\, \n). */
void metric_escape(struct buf *b, const char *s, int help);

#endif
