/*
 * Prometheus text exposition 0.0.4 of every metric, into one buffer sized from the last
 * exposition. Label sets are rendered and escaped once, when a series is created, so a
 * scrape is a sequence of appends and float formats while each metric's lock is held.
 */
#include "config.h"
#include "metrics.h"
#include "xalloc.h"

#include <stdbool.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Decimal digits of n followed by ".0" (as prometheus_client prints whole floats). Scrapes
 * print thousands of these; snprintf would dominate the render. */
static size_t format_whole(uint64_t n, bool negative, char *out)
{
	char tmp[24];
	size_t len = 0, k = 0;

	do {
		tmp[k++] = (char)('0' + n % 10);
		n /= 10;
	} while (n > 0);
	if (negative)
		out[len++] = '-';
	while (k > 0)
		out[len++] = tmp[--k];
	memcpy(out + len, ".0", 3);
	return len + 2;
}

void metric_format_value(double v, char *out, size_t size)
{
	if (fabs(v) < 1e15 && v == (double)(long long)v && size >= 24) {
		format_whole((uint64_t)llabs((long long)v), v < 0, out);
	} else if (isnan(v)) {
		snprintf(out, size, "NaN");
	} else if (isinf(v)) {
		snprintf(out, size, v > 0 ? "+Inf" : "-Inf");
	} else {
		/* The shortest of 15 or 17 digits that reads back exactly. */
		snprintf(out, size, "%.15g", v);
		if (strtod(out, NULL) != v)
			snprintf(out, size, "%.17g", v);
	}
}

void metric_escape(struct buf *b, const char *s, int help)
{
	const char *run = s;

	for (; *s; s++) {
		const char *rep = *s == '\\'             ? "\\\\"
		                  : *s == '\n'           ? "\\n"
		                  : (*s == '"' && !help) ? "\\\""
		                                         : NULL;

		if (rep == NULL)
			continue;
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

static const char *type_name(enum metric_kind kind)
{
	return kind == METRIC_COUNTER ? "counter" : kind == METRIC_GAUGE ? "gauge" : "histogram";
}

static void put_header(struct buf *b, const lmca_metric *m)
{
	buf_puts(b, "# HELP ");
	buf_puts(b, m->name);
	buf_putc(b, ' ');
	metric_escape(b, m->help, 1);
	buf_puts(b, "\n# TYPE ");
	buf_puts(b, m->name);
	buf_putc(b, ' ');
	buf_puts(b, type_name(m->kind));
	buf_putc(b, '\n');
}

/* name[suffix]{labels[,extra]} value */
static void put_sample(struct buf *b, const char *name, const char *suffix, const char *labels,
                       const char *extra, const char *value)
{
	buf_puts(b, name);
	buf_puts(b, suffix);
	if (*labels || extra) {
		buf_putc(b, '{');
		buf_puts(b, labels);
		if (extra) {
			if (*labels)
				buf_putc(b, ',');
			buf_puts(b, extra);
		}
		buf_putc(b, '}');
	}
	buf_putc(b, ' ');
	buf_puts(b, value);
	buf_putc(b, '\n');
}

static void put_count(struct buf *b, const char *name, const char *suffix,
                      const char *labels, const char *extra, uint64_t n)
{
	char text[32];

	format_whole(n, false, text);
	put_sample(b, name, suffix, labels, extra, text);
}

static void put_histogram(struct buf *b, const lmca_metric *m, const struct series *s)
{
	uint64_t cumulative = 0;
	char text[32];

	for (size_t i = 0; i <= m->nbounds; i++) {
		cumulative += s->buckets[i];
		put_count(b, m->name, "_bucket", s->labels, m->le_text[i], cumulative);
	}
	put_count(b, m->name, "_count", s->labels, NULL, s->count);
	metric_format_value(s->sum, text, sizeof text);
	put_sample(b, m->name, "_sum", s->labels, NULL, text);
}

static void put_metric(struct buf *b, lmca_metric *m)
{
	char text[32];

	put_header(b, m);
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->nseries; i++) {
		const struct series *s = m->series[i];

		if (m->kind == METRIC_HISTOGRAM) {
			put_histogram(b, m, s);
		} else {
			metric_format_value(s->value, text, sizeof text);
			put_sample(b, m->name, "", s->labels, NULL, text);
		}
	}
	pthread_mutex_unlock(&m->lock);
}

/* A copy of the cached exposition when nothing changed since it was rendered, else NULL. */
static char *cached(struct metric_registry *mr, uint64_t gen)
{
	char *copy = NULL;

	pthread_mutex_lock(&mr->cache_lock);
	if (mr->cache != NULL && mr->cache_gen == gen) {
		copy = xmalloc(mr->cache_len + 1);
		memcpy(copy, mr->cache, mr->cache_len + 1);
	}
	pthread_mutex_unlock(&mr->cache_lock);
	return copy;
}

static void remember(struct metric_registry *mr, const struct buf *b, uint64_t gen)
{
	char *copy = xmalloc(b->len + 1);

	memcpy(copy, buf_cstr(b), b->len + 1);
	pthread_mutex_lock(&mr->cache_lock);
	free(mr->cache);
	mr->cache = copy;
	mr->cache_len = b->len;
	mr->cache_gen = gen;
	pthread_mutex_unlock(&mr->cache_lock);
}

char *lmca_metrics_render(lmca_agent *agent)
{
	struct metric_registry *mr = agent->metrics;
	uint64_t gen = __atomic_load_n(&mr->generation, __ATOMIC_ACQUIRE);
	struct buf b = BUF_INIT;
	char *text = cached(mr, gen);
	size_t hint;

	if (text != NULL)
		return text;
	pthread_rwlock_rdlock(&mr->lock);
	hint = __atomic_load_n(&mr->last_size, __ATOMIC_RELAXED);
	b.cap = hint + hint / 8 + 256;
	b.data = xmalloc(b.cap);
	b.data[0] = '\0';
	for (size_t i = 0; i < mr->n; i++)
		put_metric(&b, mr->metrics[i]);
	pthread_rwlock_unlock(&mr->lock);
	__atomic_store_n(&mr->last_size, b.len, __ATOMIC_RELAXED);
	remember(mr, &b, gen);
	return buf_steal(&b);
}
