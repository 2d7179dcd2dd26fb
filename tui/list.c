/* The scrolling, filterable list most tabs are: rows of text, a header, a cursor. Header rows
 * (data == NULL) stay visible when a row under them matches the filter. */
#include "config.h"
#include "top.h"
#include "strutil.h"
#include "xalloc.h"

#include <curses.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void rows_add(struct rows *r, enum pair c, void *data, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = NULL;
	va_end(ap);
	r->text = xreallocarray(r->text, r->n + 1, sizeof *r->text);
	r->color = xreallocarray(r->color, r->n + 1, sizeof *r->color);
	r->data = xreallocarray(r->data, r->n + 1, sizeof *r->data);
	r->text[r->n] = xstrdup(s ? s : "");
	r->color[r->n] = c;
	r->data[r->n++] = data;
	free(s);
}

void rows_free(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->text[i]);
	free(r->text);
	free(r->color);
	free(r->data);
	*r = (struct rows){ 0 };
}

/* Drops rows not matching the filter; a header goes when nothing under it stays. */
static void rows_filter(struct rows *r, const char *f)
{
	size_t out = 0;

	for (size_t i = 0; i < r->n; i++) {
		bool keep = r->data[i] == NULL || str_icontains(r->text[i], f);

		if (keep && r->data[i] == NULL) {
			keep = false;
			for (size_t j = i + 1; j < r->n && r->data[j] != NULL; j++)
				keep = keep || str_icontains(r->text[j], f);
		}
		if (!keep) {
			free(r->text[i]);
			continue;
		}
		r->text[out] = r->text[i];
		r->color[out] = r->color[i];
		r->data[out++] = r->data[i];
	}
	r->n = out;
}

static void clamp(struct ui *u, int n, int h)
{
	int *cur = &u->cursor[u->tab], *top = &u->top[u->tab];

	if (*cur >= n)
		*cur = n - 1;
	if (*cur < 0)
		*cur = 0;
	if (*cur < *top)
		*top = *cur;
	if (*cur >= *top + h)
		*top = *cur - h + 1;
	if (*top > n - h)
		*top = n - h;
	if (*top < 0)
		*top = 0;
}

void rows_apply_filter(struct ui *u, struct rows *r)
{
	const char *f = u->filter[u->tab];

	if (!r->filtered && f != NULL && *f)
		rows_filter(r, f);
	r->filtered = true;
}

void *rows_show(struct ui *u, struct rows *r, int y, int h, const char *header)
{
	const char *f = u->filter[u->tab];
	int cur;

	rows_apply_filter(u, r);
	if (header != NULL) {
		put_line(y++, C_HEAD, "%s", header);
		h--;
	}
	if (f != NULL && *f) {
		put_line(y + h - 1, C_WARN, " filter: %s  (%zu rows; / to change, Esc in / clears)",
			 f, r->n);
		h--;
	}
	clamp(u, (int)r->n, h);
	cur = u->cursor[u->tab];
	for (int i = 0; i < h && u->top[u->tab] + i < (int)r->n; i++) {
		int k = u->top[u->tab] + i;

		put_line(y + i, k == cur ? C_SEL : r->color[k], "%s", r->text[k]);
	}
	if (r->n == 0)
		put_line(y, C_DIM, " (nothing to show)");
	return cur < (int)r->n ? r->data[cur] : NULL;
}

bool rows_key(struct ui *u, int key, int nrows)
{
	int *cur = &u->cursor[u->tab], page = u->rows - 6;

	switch (key) {
	case KEY_DOWN: case 'j': (*cur)++; break;
	case KEY_UP: case 'k': (*cur)--; break;
	case KEY_NPAGE: case ' ': *cur += page; break;
	case KEY_PPAGE: *cur -= page; break;
	case KEY_HOME: case 'g': *cur = 0; break;
	case KEY_END: case 'G': *cur = nrows > 0 ? nrows - 1 : 0; break;
	default: return false;
	}
	u->dir = key == KEY_UP || key == 'k' || key == KEY_PPAGE || key == KEY_HOME || key == 'g'
		? -1 : 1;
	if (*cur < 0)
		*cur = 0;
	return true;
}
