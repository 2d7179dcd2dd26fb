/* Metrics: sparklines of the main LMCache series (with their range and time window), then
 * every family of the selected node's /metrics that has samples, grouped by prefix, each
 * sample with its value and, for counters, its rate since the previous scrape. Histograms
 * are collapsed to p50/p90/p99 per series; Enter or + expands the one under the cursor. */
#include "config.h"
#include "top.h"
#include "buf.h"
#include "strutil.h"
#include "xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NSPARKS 4

enum { M_SERIES, M_VALUE, M_RATE, M_QUANT, M_N };

static const struct col cols[M_N] = {
	[M_SERIES] = { "FAMILY / SERIES", 20, 64, 0, false, false, false },
	[M_VALUE] = { "VALUE", 8, 0, 0, true, true, true },
	[M_RATE] = { "RATE", 8, 0, 0, true, true, true },
	[M_QUANT] = { "P50 P90 P99", 12, 0, 1, false, true, true },
};

static const struct {
	enum spark s;
	const char *label, *series; /* the series whose unit it shares */
} sparks[NSPARKS] = {
	{ SP_HIT_RATE, "hit rate", "lmcache:retrieve_hit_rate" },
	{ SP_HIT_TOKENS, "hit tokens/s", "" },
	{ SP_RETRIEVES, "retrieves/s", "" },
	{ SP_CACHE, "cache usage", "lmcache:local_cache_usage" },
};

/* One unit and precision per value, the same in the sparklines and the rows: rates of
 * hits as percentages, sizes in bytes, the rest with k/M/G. */
static char *series_value(const char *name, double v, char *buf, size_t len)
{
	if (str_ends_with(name, "_hit_rate"))
		return human_percent(v, buf, len);
	if (strcmp(name, "lmcache:local_cache_usage") == 0 || str_ends_with(name, "_bytes") ||
	    str_ends_with(name, "_bytes_total"))
		return human_bytes(v, buf, len);
	return human_num(v, buf, len);
}

static void draw_sparks(struct ui *u, struct tnode *n, int y)
{
	int w = u->cols - 66;
	char *line;

	w = w > SPARK_LEN ? SPARK_LEN : w < 8 ? 8 : w;
	line = xmalloc((size_t)w * 4 + 1);
	for (int i = 0; i < NSPARKS; i++) {
		const double *v = n->spark[sparks[i].s];
		double last = v[(n->spark_pos + SPARK_LEN - 1) % SPARK_LEN], lo, hi;
		char num[24], a[24], b[24], iv[24];

		series_value(sparks[i].series, last, num, sizeof num);
		sparkline(v, SPARK_LEN, n->spark_pos, w, line, &lo, &hi);
		put_line(y + i, C_NORMAL, " %-13s %10s  ", sparks[i].label, num);
		put_attr(y + i, 28, C_OK, false, "%s", line);
		put_attr(y + i, 29 + w, C_DIM, false, "min %s max %s, last %d x %ss",
			 series_value(sparks[i].series, lo, a, sizeof a),
			 series_value(sparks[i].series, hi, b, sizeof b), w,
			 human_float(u->m->interval, iv, sizeof iv));
	}
	free(line);
}

/* "lmcache" of "lmcache:hits", "process" of "process_cpu_seconds_total". */
static size_t group_len(const char *name)
{
	size_t c = strcspn(name, ":");

	return name[c] ? c : strcspn(name, "_");
}

static int by_group_name(const void *a, const void *b)
{
	const struct prom_family *x = *(const struct prom_family *const *)a;
	const struct prom_family *y = *(const struct prom_family *const *)b;
	size_t gx = group_len(x->name), gy = group_len(y->name);
	int c = strncmp(x->name, y->name, gx < gy ? gx : gy);

	return c ? c : gx != gy ? (gx < gy ? -1 : 1) : strcmp(x->name, y->name);
}

static void sample_row(struct rows *r, const struct prom_sample *s, double rate)
{
	char v[24], rt[32] = "";
	char *series = prom_series(NULL, s, NULL);
	struct row *w = rows_add(r, C_NORMAL, (void *)s, 2);

	if (!isnan(rate))
		snprintf(rt, sizeof rt, "%s/s", series_value(s->name, rate, v, sizeof v));
	rows_cell(w, M_SERIES, NAN, "  %s", series);
	rows_cell(w, M_VALUE, s->value, "%s", series_value(s->name, s->value, v, sizeof v));
	rows_cell(w, M_RATE, rate, "%s", rt);
	free(series);
}

#define MAX_BUCKETS 64

/* One series of a histogram: its cumulative buckets in text order (ascending le). */
struct hist {
	const struct prom_sample *last; /* the +Inf bucket: the count */
	double le[MAX_BUCKETS], cum[MAX_BUCKETS];
	int n;
};

/* As Prometheus' histogram_quantile: linear within the bucket the rank falls in; in the
 * +Inf bucket, the highest finite bound. */
static double quantile(const struct hist *h, double q)
{
	double total = h->n ? h->cum[h->n - 1] : 0, rank = q * total;
	int i = 0;

	if (total <= 0)
		return NAN;
	while (i < h->n - 1 && h->cum[i] < rank)
		i++;
	if (isinf(h->le[i]))
		return i > 0 ? h->le[i - 1] : NAN;
	double lo = i ? h->le[i - 1] : 0, clo = i ? h->cum[i - 1] : 0;

	return h->cum[i] > clo ? lo + (h->le[i] - lo) * (rank - clo) / (h->cum[i] - clo) : lo;
}

static void hist_row(struct rows *r, struct tnode *n, const struct prom_family *f,
		     const struct hist *h)
{
	char *name = prom_series(f->name, h->last, "le"), p[3][24], v[24], rt[32] = "";
	double rate = node_rate(n, h->last);
	struct row *w = rows_add(r, C_NORMAL, (void *)h->last, 2);

	human_num(quantile(h, 0.5), p[0], sizeof p[0]);
	human_num(quantile(h, 0.9), p[1], sizeof p[1]);
	human_num(quantile(h, 0.99), p[2], sizeof p[2]);
	if (!isnan(rate))
		snprintf(rt, sizeof rt, "%s/s", human_num(rate, v, sizeof v));
	rows_cell(w, M_SERIES, NAN, "  %s", name);
	rows_cell(w, M_QUANT, quantile(h, 0.99), "%s %s %s", p[0], p[1], p[2]);
	rows_cell(w, M_VALUE, h->last->value, "%s", human_num(h->last->value, v, sizeof v));
	rows_cell(w, M_RATE, rate, "%s", rt);
	free(name);
}

/* A collapsed histogram: one row per series with its quantiles, count and count rate. */
static void hist_rows(struct rows *r, struct tnode *n, const struct prom_family *f)
{
	struct hist h = { 0 };
	char *cur = NULL;

	for (size_t i = 0; i < f->nsamples; i++) {
		const struct prom_sample *s = &f->samples[i];
		const char *le = prom_label_value(s, "le");
		char *key;

		if (le == NULL || !str_ends_with(s->name, "_bucket"))
			continue;
		key = prom_series(f->name, s, "le");
		if (cur != NULL && strcmp(cur, key) != 0) {
			hist_row(r, n, f, &h);
			h.n = 0;
		}
		free(cur);
		cur = key;
		if (h.n < MAX_BUCKETS) {
			h.le[h.n] = strtod(le, NULL);
			h.cum[h.n++] = s->value;
		}
		h.last = s;
	}
	if (cur != NULL)
		hist_row(r, n, f, &h);
	free(cur);
}

static bool expanded(const struct ui *u, const struct prom_family *f)
{
	return f->type != PROM_HISTOGRAM || (u->expanded && strcmp(u->expanded, f->name) == 0);
}

static void family_rows(struct ui *u, struct tnode *n, struct rows *r,
			const struct prom_family *f)
{
	bool counter = f->type == PROM_COUNTER || f->type == PROM_HISTOGRAM ||
		       f->type == PROM_SUMMARY;
	size_t at = r->n;
	struct row *w = rows_add(r, C_WARN, (void *)f, 1);
	double sum = NAN;

	w->span = true; /* its name, type and help across the line */
	rows_cell(w, M_SERIES, NAN, " %s%s  (%s) %s", f->type == PROM_HISTOGRAM ? expanded(u, f)
		  ? glyph("▾ ", "- ") : glyph("▸ ", "+ ") : "", f->name, prom_type_name(f->type),
		  f->help ? f->help : "");
	if (!expanded(u, f)) {
		hist_rows(r, n, f);
	} else {
		for (size_t i = 0; i < f->nsamples; i++)
			sample_row(r, &f->samples[i], counter ? node_rate(n, &f->samples[i]) : NAN);
	}
	for (size_t i = at + 1; i < r->n; i++) /* the family sorts by its series' total rate */
		if (!isnan(r->r[i].key[M_RATE]))
			sum = (isnan(sum) ? 0 : sum) + r->r[i].key[M_RATE];
	r->r[at].key[M_RATE] = sum;
}

static void build(struct ui *u, struct tnode *n, struct rows *r)
{
	size_t nf = n->metrics.nfamilies, k = 0;
	const struct prom_family **v = xcalloc(nf + 1, sizeof *v);
	const char *prev = NULL;
	size_t prev_len = 0;

	for (size_t i = 0; i < nf; i++)
		if (n->metrics.families[i].nsamples > 0) /* families without samples: hidden */
			v[k++] = &n->metrics.families[i];
	qsort(v, k, sizeof *v, by_group_name);
	for (size_t i = 0; i < k; i++) {
		size_t g = group_len(v[i]->name);

		if (prev == NULL || g != prev_len || strncmp(prev, v[i]->name, g) != 0)
			rows_head(r, C_HEAD, 0, "%.*s", (int)g, v[i]->name);
		prev = v[i]->name;
		prev_len = g;
		family_rows(u, n, r, v[i]);
	}
	free(v);
}

/* The name of the family of the row under the cursor (a family or one of its samples). */
static const char *family_under(const struct tnode *n, const void *cur)
{
	const struct prom_exposition *e = &n->metrics;

	for (size_t i = 0; cur != NULL && i < e->nfamilies; i++) {
		const struct prom_family *f = &e->families[i];
		const struct prom_sample *s = cur;

		if (cur == (const void *)f || (s >= f->samples && s < f->samples + f->nsamples))
			return f->name;
	}
	return NULL;
}

static void draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r;
	const void *cur;

	rows_init(&r, cols, M_N, "rows");
	if (n == NULL) {
		tab_rows(u, n, &r, y, h);
		return;
	}
	node_header(u, n, y);
	draw_sparks(u, n, y + 1);
	build(u, n, &r);
	r.old = node_is_old(u->m, n);
	if (n->metrics.nfamilies == 0) {
		put_line(y + 5, C_DIM, " no metrics yet");
		ui_set_key(u, NULL);
	} else {
		cur = rows_show(u, &r, y + 5, h - 5);
		ui_set_key(u, family_under(n, cur));
	}
	rows_free(&r);
}

/* Enter or + on a histogram expands it (its buckets, _sum and _count); again collapses. */
static bool on_key(struct ui *u, struct tnode *n, int key)
{
	const struct prom_family *f;

	if (key != '\r' && key != '\n' && key != KEY_ENTER && key != '+')
		return false;
	if (n == NULL || u->cur_key == NULL ||
	    (f = prom_find_family(&n->metrics, u->cur_key)) == NULL || f->type != PROM_HISTOGRAM)
		return key != '+'; /* + elsewhere: the refresh interval */
	if (u->expanded != NULL && strcmp(u->expanded, f->name) == 0) {
		free(u->expanded);
		u->expanded = NULL;
	} else {
		free(u->expanded);
		u->expanded = xstrdup(f->name);
	}
	return true;
}

static const struct keybind keys[] = {
	{ "/", "filter families and series by name (a family keeps its series)" },
	{ "Enter +", "expand / collapse the histogram under the cursor (buckets, sum, count)" },
	{ "< >", "sort by VALUE or RATE (within each family)" },
	{ NULL, NULL },
};

const struct tab tab_metrics = {
	.name = "Metrics",
	.key = '2',
	.path = NULL, /* the collector scrapes the selected node's /metrics anyway */
	.parse = NULL,
	.draw = draw,
	.on_key = on_key,
	.keys = keys,
};
