/*
 * The metric registry: counters, gauges and histograms with labels, following Python's
 * prometheus_client (a counter's family is exposed as <name>_total; an unlabelled metric
 * has its one series from the start). Each metric has its own mutex, so updates of
 * different metrics never contend and rendering holds one metric's lock at a time.
 */
#include "config.h"
#include "metrics.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* prometheus_client's default buckets. */
static const double default_bounds[] = { .005, .01, .025, .05, .075, .1, .25,
                                          .5,   .75, 1.0, 2.5,  5.0, 7.5, 10.0 };

struct metric_registry *metric_registry_new(void)
{
	struct metric_registry *mr = xcalloc(1, sizeof *mr);

	pthread_rwlock_init(&mr->lock, NULL);
	pthread_mutex_init(&mr->cache_lock, NULL);
	return mr;
}

static void series_free(struct series *s)
{
	free(s->key);
	free(s->labels);
	free(s->buckets);
	free(s);
}

static void metric_free(lmca_metric *m)
{
	for (size_t i = 0; i < m->nseries; i++)
		series_free(m->series[i]);
	free(m->series);
	free(m->table);
	for (size_t i = 0; i < m->nlabels; i++)
		free(m->label_names[i]);
	free(m->label_names);
	for (size_t i = 0; m->le_text && i <= m->nbounds; i++)
		free(m->le_text[i]);
	free(m->le_text);
	free(m->bounds);
	free(m->name);
	free(m->help);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

void metric_registry_free(struct metric_registry *mr)
{
	if (mr == NULL)
		return;
	for (size_t i = 0; i < mr->n; i++)
		metric_free(mr->metrics[i]);
	free(mr->metrics);
	free(mr->cache);
	pthread_mutex_destroy(&mr->cache_lock);
	pthread_rwlock_destroy(&mr->lock);
	free(mr);
}

static bool valid_name(const char *s, bool colon)
{
	if (s == NULL || *s == '\0' || (*s >= '0' && *s <= '9'))
		return false;
	for (; *s; s++)
		if (!(*s == '_' || (colon && *s == ':') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return false;
	return true;
}

static bool valid_labels(const char *const *names, enum metric_kind kind)
{
	for (size_t i = 0; names && names[i]; i++) {
		if (!valid_name(names[i], false) || strncmp(names[i], "__", 2) == 0)
			return false;
		if (kind == METRIC_HISTOGRAM && strcmp(names[i], "le") == 0)
			return false;
		for (size_t j = 0; j < i; j++)
			if (strcmp(names[i], names[j]) == 0)
				return false;
	}
	return true;
}

static bool valid_bounds(const double *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isnan(b[i]) || isinf(b[i]) || (i > 0 && b[i] <= b[i - 1]))
			return false;
	return true;
}

static void set_bounds(lmca_metric *m, const double *b, size_t n)
{
	char text[32];

	if (b == NULL || n == 0) {
		b = default_bounds;
		n = sizeof default_bounds / sizeof default_bounds[0];
	}
	m->bounds = xreallocarray(NULL, n, sizeof *b);
	memcpy(m->bounds, b, n * sizeof *b);
	m->nbounds = n;
	m->le_text = xcalloc(n + 1, sizeof *m->le_text);
	for (size_t i = 0; i < n; i++) {
		metric_format_value(b[i], text, sizeof text);
		m->le_text[i] = xasprintf("le=\"%s\"", text);
	}
	m->le_text[n] = xstrdup("le=\"+Inf\"");
}

static char *family_name(enum metric_kind kind, const char *name)
{
	size_t len = strlen(name);

	if (kind == METRIC_COUNTER && !(len > 6 && strcmp(name + len - 6, "_total") == 0))
		return xasprintf("%s_total", name);
	return xstrdup(name);
}

static lmca_metric *metric_new(enum metric_kind kind, const char *name, const char *help,
                               const char *const *label_names)
{
	lmca_metric *m = xcalloc(1, sizeof *m);

	m->kind = kind;
	m->name = family_name(kind, name);
	m->help = xstrdup(help ? help : "");
	while (label_names && label_names[m->nlabels])
		m->nlabels++;
	m->label_names = xcalloc(m->nlabels + 1, sizeof *m->label_names);
	for (size_t i = 0; i < m->nlabels; i++)
		m->label_names[i] = xstrdup(label_names[i]);
	pthread_mutex_init(&m->lock, NULL);
	m->table_size = 16;
	m->table = xcalloc(m->table_size, sizeof *m->table);
	return m;
}

static bool same_shape(const lmca_metric *m, enum metric_kind kind,
                       const char *const *label_names)
{
	size_t n = 0;

	if (m->kind != kind)
		return false;
	while (label_names && label_names[n])
		n++;
	if (n != m->nlabels)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(m->label_names[i], label_names[i]) != 0)
			return false;
	return true;
}

static struct series *series_get(lmca_metric *m, const char *const *values, bool create);

/* Registers a metric, or returns the one already registered under that name when it has
 * the same type and labels (so a host may look a metric up again); NULL on conflict. */
static lmca_metric *registry_add(lmca_agent *agent, lmca_metric *m,
                                 const char *const *label_names)
{
	struct metric_registry *mr = agent->metrics;
	lmca_metric *found = NULL;

	pthread_rwlock_wrlock(&mr->lock);
	for (size_t i = 0; i < mr->n && found == NULL; i++)
		if (strcmp(mr->metrics[i]->name, m->name) == 0)
			found = mr->metrics[i];
	if (found == NULL) {
		if (mr->n == mr->cap) {
			mr->cap = mr->cap ? mr->cap * 2 : 32;
			mr->metrics = xreallocarray(mr->metrics, mr->cap, sizeof *mr->metrics);
		}
		m->generation = &mr->generation;
		mr->metrics[mr->n++] = m;
		if (m->nlabels == 0)
			series_get(m, NULL, true);
		metric_changed(m);
	}
	pthread_rwlock_unlock(&mr->lock);
	if (found == NULL)
		return m;
	found = same_shape(found, m->kind, label_names) ? found : NULL;
	metric_free(m);
	return found;
}

static lmca_metric *make(lmca_agent *agent, enum metric_kind kind, const char *name,
                         const char *help, const char *const *label_names)
{
	if (!valid_name(name, true) || !valid_labels(label_names, kind))
		return NULL;
	return registry_add(agent, metric_new(kind, name, help, label_names), label_names);
}

lmca_metric *lmca_counter(lmca_agent *agent, const char *name, const char *help,
                          const char *const *label_names)
{
	return make(agent, METRIC_COUNTER, name, help, label_names);
}

lmca_metric *lmca_gauge(lmca_agent *agent, const char *name, const char *help,
                        const char *const *label_names)
{
	return make(agent, METRIC_GAUGE, name, help, label_names);
}

lmca_metric *lmca_histogram(lmca_agent *agent, const char *name, const char *help,
                            const char *const *label_names, const double *buckets,
                            size_t nbuckets)
{
	lmca_metric *m;

	if (!valid_name(name, true) || !valid_labels(label_names, METRIC_HISTOGRAM) ||
	    !valid_bounds(buckets, buckets ? nbuckets : 0))
		return NULL;
	m = metric_new(METRIC_HISTOGRAM, name, help, label_names);
	set_bounds(m, buckets, nbuckets);
	return registry_add(agent, m, label_names);
}

/* ---- series ---- */

static char *series_key(const lmca_metric *m, const char *const *values, uint64_t *hash)
{
	struct buf b = BUF_INIT;
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < m->nlabels; i++)
		buf_printf(&b, "%zu:%s", strlen(values[i]), values[i]);
	for (size_t i = 0; i < b.len; i++)
		h = (h ^ (unsigned char)b.data[i]) * 1099511628211ULL;
	*hash = h;
	return buf_steal(&b);
}

static char *render_labels(const lmca_metric *m, const char *const *values)
{
	struct buf b = BUF_INIT;

	for (size_t i = 0; i < m->nlabels; i++) {
		if (i > 0)
			buf_putc(&b, ',');
		buf_puts(&b, m->label_names[i]);
		buf_puts(&b, "=\"");
		metric_escape(&b, values[i], 0);
		buf_putc(&b, '"');
	}
	return buf_steal(&b);
}

static void table_grow(lmca_metric *m)
{
	size_t size = m->table_size * 2;
	struct series **t = xcalloc(size, sizeof *t);

	for (size_t i = 0; i < m->nseries; i++) {
		struct series *s = m->series[i];
		size_t slot = s->hash & (size - 1);

		s->next_in_chain = t[slot];
		t[slot] = s;
	}
	free(m->table);
	m->table = t;
	m->table_size = size;
}

static struct series *series_add(lmca_metric *m, const char *const *values, char *key,
                                 uint64_t hash)
{
	struct series *s = xcalloc(1, sizeof *s);
	size_t slot;

	s->key = key;
	s->hash = hash;
	s->labels = render_labels(m, values);
	if (m->kind == METRIC_HISTOGRAM)
		s->buckets = xcalloc(m->nbounds + 1, sizeof *s->buckets);
	if (m->nseries == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 8;
		m->series = xreallocarray(m->series, m->cap, sizeof *m->series);
	}
	m->series[m->nseries++] = s;
	if (m->nseries > m->table_size) {
		table_grow(m);
	} else {
		slot = hash & (m->table_size - 1);
		s->next_in_chain = m->table[slot];
		m->table[slot] = s;
	}
	return s;
}

static bool values_match(const lmca_metric *m, const char *const *values)
{
	size_t n = 0;

	while (values && values[n])
		n++;
	return n == m->nlabels;
}

/* The series of those label values (created when asked); caller holds m->lock. NULL when
 * the values do not match the label names in number. */
static struct series *series_get(lmca_metric *m, const char *const *values, bool create)
{
	uint64_t hash;
	char *key;
	struct series *s;

	if (!values_match(m, values))
		return NULL;
	key = series_key(m, values, &hash);
	for (s = m->table[hash & (m->table_size - 1)]; s; s = s->next_in_chain)
		if (s->hash == hash && strcmp(s->key, key) == 0)
			break;
	if (s == NULL && create)
		return series_add(m, values, key, hash);
	free(key);
	return s;
}

/* ---- updates ---- */

void lmca_metric_inc(lmca_metric *m, const char *const *label_values, double by)
{
	struct series *s;

	/* A counter only goes up (prometheus_client raises on a negative increment). */
	if (m == NULL || m->kind == METRIC_HISTOGRAM || (m->kind == METRIC_COUNTER && !(by >= 0)))
		return;
	pthread_mutex_lock(&m->lock);
	if ((s = series_get(m, label_values, true)) != NULL)
		s->value += by;
	pthread_mutex_unlock(&m->lock);
	metric_changed(m);
}

void lmca_metric_set(lmca_metric *m, const char *const *label_values, double value)
{
	struct series *s;

	if (m == NULL || m->kind != METRIC_GAUGE)
		return;
	pthread_mutex_lock(&m->lock);
	if ((s = series_get(m, label_values, true)) != NULL)
		s->value = value;
	pthread_mutex_unlock(&m->lock);
	metric_changed(m);
}

static size_t bucket_of(const lmca_metric *m, double v)
{
	size_t lo = 0, hi = m->nbounds;

	/* First bound >= v; NaN lands in +Inf. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v <= m->bounds[mid])
			hi = mid;
		else
			lo = mid + 1;
	}
	return isnan(v) ? m->nbounds : lo;
}

void lmca_metric_observe(lmca_metric *m, const char *const *label_values, double value)
{
	struct series *s;

	if (m == NULL || m->kind != METRIC_HISTOGRAM)
		return;
	pthread_mutex_lock(&m->lock);
	if ((s = series_get(m, label_values, true)) != NULL) {
		s->buckets[bucket_of(m, value)]++;
		s->count++;
		s->sum += value;
	}
	pthread_mutex_unlock(&m->lock);
	metric_changed(m);
}

double lmca_metric_value(lmca_metric *m, const char *const *label_values)
{
	struct series *s;
	double v = NAN;

	if (m == NULL || m->kind == METRIC_HISTOGRAM)
		return NAN;
	pthread_mutex_lock(&m->lock);
	if ((s = series_get(m, label_values, false)) != NULL)
		v = s->value;
	pthread_mutex_unlock(&m->lock);
	return v;
}

void lmca_metrics_reset(lmca_agent *agent)
{
	struct metric_registry *mr = agent->metrics;

	pthread_rwlock_rdlock(&mr->lock);
	for (size_t i = 0; i < mr->n; i++) {
		lmca_metric *m = mr->metrics[i];

		pthread_mutex_lock(&m->lock);
		for (size_t j = 0; j < m->nseries; j++) {
			struct series *s = m->series[j];

			s->value = 0;
			s->sum = 0;
			s->count = 0;
			if (s->buckets)
				memset(s->buckets, 0, (m->nbounds + 1) * sizeof *s->buckets);
		}
		pthread_mutex_unlock(&m->lock);
	}
	__atomic_add_fetch(&mr->generation, 1, __ATOMIC_RELEASE);
	pthread_rwlock_unlock(&mr->lock);
}
