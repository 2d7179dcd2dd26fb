/* Metrics: sparklines of the main LMCache series, then every family of the selected node's
 * /metrics grouped by prefix, each sample with its value and, for counters, its rate since
 * the previous scrape. */
#include "config.h"
#include "top.h"
#include "xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	enum spark s;
	const char *label;
	bool bytes, percent;
} sparks[] = {
	{ SP_HIT_RATE, "hit rate", false, true },
	{ SP_HIT_TOKENS, "hit tokens/s", false, false },
	{ SP_RETRIEVES, "retrieves/s", false, false },
	{ SP_CACHE, "cache usage", true, false },
};

static void draw_sparks(struct ui *u, struct tnode *n, int y)
{
	int w = u->cols - 34;
	char *line = xmalloc((size_t)w * 4 + 1);

	if (w > SPARK_LEN)
		w = SPARK_LEN;
	for (size_t i = 0; i < sizeof sparks / sizeof sparks[0]; i++) {
		const double *v = n->spark[sparks[i].s];
		double last = v[(n->spark_pos + SPARK_LEN - 1) % SPARK_LEN];
		char num[24];

		if (sparks[i].bytes)
			human_bytes(last, num, sizeof num);
		else if (sparks[i].percent && !isnan(last))
			snprintf(num, sizeof num, "%.1f%%", last * 100);
		else
			human_num(last, num, sizeof num);
		sparkline(v, SPARK_LEN, n->spark_pos, w, line);
		put_line(y + (int)i, C_NORMAL, " %-13s %10s  ", sparks[i].label, num);
		put_attr(y + (int)i, 28, C_OK, false, "%s", line);
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

/* The series cut to width, its end marked, so value and rate columns stay in place. */
static void sample_row(struct rows *r, const struct prom_sample *s, int width, double rate)
{
	char v[24], rt[32] = "", *series = sample_series(s);
	int len = (int)strlen(series);

	human_num(s->value, v, sizeof v);
	if (!isnan(rate)) {
		human_num(rate, rt, sizeof rt - 3);
		strcat(rt, "/s");
	}
	if (len > width)
		rows_add(r, C_NORMAL, (void *)s, "    %.*s%s %12s %12s", width - 1, series,
			 glyph("…", "~"), v, rt);
	else
		rows_add(r, C_NORMAL, (void *)s, "    %-*s %12s %12s", width, series, v, rt);
	free(series);
}

static void family_rows(struct tnode *n, struct rows *r, const struct prom_family *f, int width)
{
	bool counter = f->type == PROM_COUNTER || f->type == PROM_HISTOGRAM ||
		       f->type == PROM_SUMMARY;

	rows_add(r, C_WARN, (void *)f, "  %s  (%s) %s", f->name, prom_type_name(f->type),
		 f->help ? f->help : "");
	for (size_t i = 0; i < f->nsamples; i++) {
		const struct prom_sample *s = &f->samples[i];

		sample_row(r, s, width, counter ? node_rate(n, s) : NAN);
	}
}

static void build(struct tnode *n, struct rows *r, int width)
{
	size_t nf = n->metrics.nfamilies;
	const struct prom_family **v = xcalloc(nf + 1, sizeof *v);
	const char *prev = NULL;
	size_t prev_len = 0;

	for (size_t i = 0; i < nf; i++)
		v[i] = &n->metrics.families[i];
	qsort(v, nf, sizeof *v, by_group_name);
	for (size_t i = 0; i < nf; i++) {
		size_t g = group_len(v[i]->name);

		if (prev == NULL || g != prev_len || strncmp(prev, v[i]->name, g) != 0)
			rows_add(r, C_HEAD, NULL, " %.*s", (int)g, v[i]->name);
		prev = v[i]->name;
		prev_len = g;
		family_rows(n, r, v[i], width);
	}
	free(v);
}

static void draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r = { 0 };
	char head[160];

	if (n == NULL) {
		tab_rows(u, n, &r, y, h, NULL);
		return;
	}
	node_header(u, n, y);
	draw_sparks(u, n, y + 1);
	build(n, &r, u->cols - 31);
	snprintf(head, sizeof head, " %-*s %12s %12s", u->cols - 28, "FAMILY / SERIES", "VALUE",
		 "RATE");
	if (n->metrics.nfamilies == 0)
		put_line(y + 5, C_DIM, " no metrics yet");
	else
		rows_show(u, &r, y + 5, h - 5, head);
	rows_free(&r);
}

static const struct keybind keys[] = {
	{ "/", "filter families and series by name" },
	{ NULL, NULL },
};

const struct tab tab_metrics = {
	.name = "Metrics",
	.key = '2',
	.path = NULL, /* the collector scrapes the selected node's /metrics anyway */
	.parse = NULL,
	.draw = draw,
	.on_key = tab_no_key,
	.keys = keys,
};
