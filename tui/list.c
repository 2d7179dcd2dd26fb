/* The table every tab draws (see top.h): cells sized by content and bounded, levels that
 * sort within their parent, a filter that keeps context, a cursor on data rows, horizontal
 * scroll and a pane for a row that does not fit. Work per frame is linear in the rows
 * (plus the sort). */
#include "config.h"
#include "top.h"
#include "buf.h"
#include "cluster.h"
#include "strutil.h"
#include "xalloc.h"

#include <curses.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PANE_LINES 3
#define TREE_CELLS 6 /* "│  ├─ " */

struct tabstate *ui_ts(struct ui *u)
{
	return &u->ts[u->tab];
}

void rows_init(struct rows *r, const struct col *cols, int ncols, const char *unit)
{
	*r = (struct rows){ .cols = cols, .ncols = ncols, .unit = unit };
}

struct row *rows_add(struct rows *r, enum pair c, void *data, int depth)
{
	struct row *w;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->r = xreallocarray(r->r, r->cap, sizeof *r->r);
	}
	w = &r->r[r->n++];
	*w = (struct row){ .color = c, .data = data, .depth = depth };
	for (int i = 0; i < MAX_COLS; i++)
		w->key[i] = NAN;
	r->total += data != NULL;
	return w;
}

/* A cell holds at most CELL_MAX bytes, cut at a character boundary. */
static char *bounded(char *s)
{
	size_t n = strlen(s);

	if (n <= CELL_MAX)
		return s;
	n = CELL_MAX;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	s[n] = '\0';
	return s;
}

static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	/* Most cells are one string ("%s"): copied, not formatted (the Overview formats 40,000
	 * cells a round at 4,096 nodes). */
	if (strcmp(fmt, "%s") == 0) {
		const char *a = va_arg(ap, const char *);

		s = xstrdup(a ? a : "(null)"); /* as glibc's printf */
	} else if (vasprintf(&s, fmt, ap) < 0)
		s = xstrdup("");
	return bounded(s);
}

void rows_head(struct rows *r, enum pair c, int depth, const char *fmt, ...)
{
	struct row *w = rows_add(r, c, NULL, depth);
	va_list ap;

	va_start(ap, fmt);
	w->cell[0] = vformat(fmt, ap);
	va_end(ap);
}

void rows_cell(struct row *w, int col, double key, const char *fmt, ...)
{
	va_list ap;

	if (col < 0 || col >= MAX_COLS)
		return;
	va_start(ap, fmt);
	free(w->cell[col]);
	w->cell[col] = vformat(fmt, ap);
	va_end(ap);
	w->key[col] = key;
}

static void free_cells(struct rows *r)
{
	for (size_t i = 0; i < r->n; i++)
		for (int c = 0; c < MAX_COLS; c++)
			free(r->r[i].cell[c]);
}

void rows_free(struct rows *r)
{
	free_cells(r);
	free(r->r);
	*r = (struct rows){ 0 };
}

void rows_clear(struct rows *r)
{
	free_cells(r);
	*r = (struct rows){ .cols = r->cols, .ncols = r->ncols, .unit = r->unit, .tree = r->tree,
			    .r = r->r, .cap = r->cap };
}

static bool row_matches(const struct row *w, const char *f)
{
	for (int c = 0; c < MAX_COLS && w->cell[c] != NULL; c++)
		if (str_icontains(w->cell[c], f))
			return true;
	return false;
}

static void row_drop(struct row *w)
{
	for (int c = 0; c < MAX_COLS; c++)
		free(w->cell[c]);
}

/* Keeps the rows that match, everything under a row that matches (a family's samples, a
 * frontend's nodes) and the rows above one that is kept (its context). Two passes. */
static void rows_filter(struct rows *r, const char *f)
{
	bool *keep = xcalloc(r->n + 1, sizeof *keep);
	int open = -1, need = -1; /* need: depth of the nearest kept row below, -1: none */
	size_t out = 0;

	for (size_t i = 0; i < r->n; i++) {
		struct row *w = &r->r[i];

		w->match = row_matches(w, f);
		if (open >= 0 && w->depth <= open)
			open = -1;
		keep[i] = w->match || open >= 0;
		if (w->match && open < 0)
			open = w->depth;
	}
	for (size_t i = r->n; i-- > 0;) {
		if (keep[i])
			need = r->r[i].depth;
		else if (r->r[i].depth < need)
			keep[i] = true, need = r->r[i].depth;
	}
	for (size_t i = 0; i < r->n; i++) {
		if (keep[i])
			r->r[out++] = r->r[i];
		else
			row_drop(&r->r[i]);
	}
	r->n = out;
	free(keep);
}

struct block {
	size_t start, len;
	const struct row *head;
	const struct col *col;
	int c;
	bool desc;
};

/* Numbers by key (unknown last whatever the direction), text in natural order; ties keep
 * the tab's own order. */
static int block_cmp(const void *a, const void *b)
{
	const struct block *x = a, *y = b;
	const char *s = x->head->cell[x->c], *t = y->head->cell[x->c];
	double p = x->head->key[x->c], q = y->head->key[x->c];
	int d = 0;

	if (x->col->num && (isnan(p) || isnan(q)))
		return isnan(p) != isnan(q) ? (isnan(p) ? 1 : -1) : (x->start < y->start ? -1 : 1);
	if (x->col->num)
		d = p < q ? -1 : p > q;
	else
		d = cluster_name_cmp(s ? s : "", t ? t : "");
	if (x->desc)
		d = -d;
	return d ? d : x->start < y->start ? -1 : 1;
}

static void sort_level(struct rows *r, struct row *tmp, size_t lo, size_t hi, int c, bool desc);

/* The rows in [lo, hi) are blocks: a row and those under it. Data blocks sort; a level of
 * headers keeps its order and its contents sort. */
static void sort_blocks(struct rows *r, struct row *tmp, struct block *b, size_t nb, int c,
			bool desc)
{
	size_t at = b[0].start, pos = at;

	if (b[0].head->data != NULL)
		qsort(b, nb, sizeof *b, block_cmp);
	for (size_t i = 0; i < nb; i++) {
		memcpy(&tmp[pos], &r->r[b[i].start], b[i].len * sizeof *tmp);
		b[i].start = pos;
		pos += b[i].len;
	}
	memcpy(&r->r[at], &tmp[at], (pos - at) * sizeof *tmp);
	for (size_t i = 0; i < nb; i++)
		sort_level(r, tmp, b[i].start + 1, b[i].start + b[i].len, c, desc);
}

static void sort_level(struct rows *r, struct row *tmp, size_t lo, size_t hi, int c, bool desc)
{
	struct block *b;
	size_t nb = 0;
	int depth;

	if (hi <= lo)
		return;
	depth = r->r[lo].depth;
	b = xcalloc(hi - lo, sizeof *b);
	for (size_t i = lo; i < hi; i++) {
		if (r->r[i].depth <= depth || nb == 0)
			b[nb++] = (struct block){ i, 0, NULL, &r->cols[c], c, desc };
		b[nb - 1].len++;
	}
	for (size_t i = 0; i < nb; i++)
		b[i].head = &r->r[b[i].start];
	sort_blocks(r, tmp, b, nb, c, desc);
	free(b);
}

/* A column sorts in its natural direction (rates high to low), I inverts it. */
static bool sort_desc(const struct rows *r, const struct tabstate *ts)
{
	return ts->sort > 0 && r->cols[ts->sort - 1].desc != ts->desc;
}

void rows_prepare(struct ui *u, struct rows *r)
{
	struct tabstate *ts = ui_ts(u);

	if (r->filtered)
		return;
	r->filtered = true;
	if (ts->filter != NULL && *ts->filter)
		rows_filter(r, ts->filter);
	if (ts->sort < 0)
		ts->sort = r->ncols; /* < from the tab's own order: the last column */
	if (ts->sort > r->ncols)
		ts->sort = 0;
	if (ts->sort > 0 && r->n > 1) {
		struct row *tmp = xcalloc(r->n, sizeof *tmp);

		sort_level(r, tmp, 0, r->n, ts->sort - 1, sort_desc(r, ts));
		free(tmp);
	}
}

/* Columns as wide as their widest cell (within min/max); on a narrow screen they shrink to
 * their minimum, then the least important go. w[c] == 0: not shown. */
static int natural(const struct rows *r, int c)
{
	int w = text_cells(r->cols[c].title) + 1; /* room for the sort mark */

	for (size_t i = 0; i < r->n; i++)
		if (r->r[i].data != NULL && !r->r[i].span && r->r[i].cell[c] != NULL) {
			int k = text_cells(r->r[i].cell[c]);

			w = k > w ? k : w;
		}
	if (c == 0 && r->tree)
		w += TREE_CELLS;
	return w;
}

static int total(const struct rows *r, const int *w)
{
	int t = 1;

	for (int c = 0; c < r->ncols; c++)
		t += w[c] ? w[c] + 1 : 0;
	return t;
}

static bool drop_one(const struct rows *r, int *w)
{
	int worst = -1;

	for (int c = 0; c < r->ncols; c++)
		if (w[c] && r->cols[c].prio > 0 && (worst < 0 || r->cols[c].prio >= r->cols[worst].prio))
			worst = c;
	if (worst < 0)
		return false;
	w[worst] = 0;
	return true;
}

/* The widest column above its minimum gives up a column first; with any false, only the
 * columns that may be dropped (so the name column stays whole as long as possible). */
static bool shrink_one(const struct rows *r, int *w, bool any)
{
	int best = -1, slack = 0;

	for (int c = 0; c < r->ncols; c++) {
		int s = w[c] - r->cols[c].min;

		if (w[c] && r->cols[c].min > 0 && s > slack && (any || r->cols[c].prio > 0)) {
			best = c;
			slack = s;
		}
	}
	if (best < 0)
		return false;
	w[best]--;
	return true;
}

/* Whether no row has text in column c (a droppable column with nothing to say goes first,
 * e.g. the Overview's hints when no node stands out). */
static bool blank_col(const struct rows *r, int c)
{
	for (size_t i = 0; i < r->n; i++)
		if (r->r[i].data != NULL && !r->r[i].span && r->r[i].cell[c] != NULL &&
		    r->r[i].cell[c][0] != '\0')
			return false;
	return true;
}

static void layout(const struct rows *r, int avail, bool scrolled, int *w, int *nat)
{
	for (int c = 0; c < r->ncols; c++) {
		int max = r->cols[c].max;

		nat[c] = natural(r, c);
		w[c] = scrolled || max <= 0 || nat[c] < max ? nat[c] : max;
	}
	for (int c = 0; c < r->ncols && !scrolled && total(r, w) > avail; c++)
		if (r->cols[c].prio > 0 && blank_col(r, c))
			w[c] = 0;
	while (!scrolled && total(r, w) > avail)
		if (!shrink_one(r, w, false) && !drop_one(r, w) && !shrink_one(r, w, true))
			break;
}

/* The tree's rails (Overview): which row is the last of its level, in one backward pass. */
static void tree_marks(struct rows *r)
{
	bool seen[4] = { false }, zero_after = false;

	for (size_t i = r->n; i-- > 0;) {
		int d = r->r[i].depth < 3 ? r->r[i].depth : 3;

		r->r[i].last = !seen[d];
		r->r[i].parent_last = !zero_after;
		seen[d] = true;
		for (int k = d + 1; k < 4; k++)
			seen[k] = false;
		zero_after = zero_after || d == 0;
	}
}

static void tree_prefix(const struct row *w, struct buf *b)
{
	if (w->depth > 0)
		buf_puts(b, w->parent_last ? "   " : glyph("│  ", "|  "));
	buf_puts(b, w->last ? glyph("└─ ", "`- ") : glyph("├─ ", "|- "));
}

/* One row as a line: cells fitted to their columns, or a header's text. */
static void render(const struct rows *r, const struct row *w, const int *wd, struct buf *b)
{
	buf_puts(b, w->marked ? glyph("●", "*") : " ");
	if (w->data == NULL || w->span) {
		if (r->tree)
			tree_prefix(w, b);
		buf_puts(b, w->cell[0] ? w->cell[0] : "");
		return;
	}
	for (int c = 0; c < r->ncols; c++) {
		int width = wd[c];

		if (width == 0)
			continue;
		if (c == 0 && r->tree) {
			tree_prefix(w, b);
			width -= TREE_CELLS;
		}
		text_fit(b, w->cell[c] ? w->cell[c] : "", width, r->cols[c].right);
		buf_putc(b, ' ');
	}
}

static void head_line(struct ui *u, const struct rows *r, const int *wd, int y)
{
	struct tabstate *ts = ui_ts(u);
	struct buf b = BUF_INIT;

	buf_putc(&b, ' ');
	ts->ncolx = 0;
	for (int c = 0; c < r->ncols; c++) {
		char *t;

		if (wd[c] == 0)
			continue;
		t = xasprintf("%s%s", r->cols[c].title, ts->sort != c + 1 ? ""
			      : sort_desc(r, ts) ? glyph("▼", "v") : glyph("▲", "^"));
		ts->colx[ts->ncolx] = text_cells(buf_cstr(&b)) - ts->hscroll;
		ts->colid[ts->ncolx++] = c;
		text_fit(&b, t, wd[c], r->cols[c].right);
		buf_putc(&b, ' ');
		free(t);
	}
	ts->colx[ts->ncolx] = text_cells(buf_cstr(&b)) - ts->hscroll;
	put_line(y, C_HEAD, "%s", text_skip(buf_cstr(&b), ts->hscroll));
	buf_free(&b);
}

static bool is_data(const struct rows *r, int i)
{
	return i >= 0 && i < (int)r->n && r->r[i].data != NULL;
}

/* n/N: the next match after the cursor (wrapping); else the cursor rests on a data row,
 * off a header in the direction it moved. */
static void place_cursor(struct ui *u, const struct rows *r)
{
	struct tabstate *ts = ui_ts(u);
	int n = (int)r->n, *cur = &ts->cursor;

	if (*cur >= n)
		*cur = n - 1;
	if (*cur < 0)
		*cur = 0;
	for (int k = 1; ts->jump != 0 && k <= n; k++) {
		int i = ((*cur + ts->jump * k) % n + n) % n;

		if (is_data(r, i) && r->r[i].match) {
			*cur = i;
			break;
		}
	}
	ts->jump = 0;
	for (int d = u->dir < 0 ? -1 : 1, tries = 0; tries < 2 && !is_data(r, *cur); tries++, d = -d)
		for (int i = *cur; i >= 0 && i < n; i += d)
			if (is_data(r, i)) {
				*cur = i;
				break;
			}
}

static void scroll_to(struct tabstate *ts, int n, int h)
{
	if (ts->cursor < ts->top)
		ts->top = ts->cursor;
	if (ts->cursor >= ts->top + h)
		ts->top = ts->cursor - h + 1;
	if (ts->top > n - h)
		ts->top = n - h;
	if (ts->top < 0)
		ts->top = 0;
}

/* The cells of row w cut or dropped on screen, whole, wrapped into at most PANE_LINES
 * lines; 0 when the row fits. */
static int pane_lines(const struct rows *r, const struct row *w, const int *wd,
		      const int *nat, int cols, char **out)
{
	struct buf b = BUF_INIT;
	int n = 0;

	for (int c = 0; w != NULL && w->data != NULL && !w->span && c < r->ncols; c++)
		if (w->cell[c] != NULL && *w->cell[c] && wd[c] > 0 && wd[c] < nat[c] &&
		    text_cells(w->cell[c]) > wd[c] - (c == 0 && r->tree ? TREE_CELLS : 0))
			buf_printf(&b, "%s%s: %s", b.len ? "  " : "", r->cols[c].title,
				   w->cell[c] + strspn(w->cell[c], " "));
	for (const char *s = buf_cstr(&b); *s && n < PANE_LINES; n++) {
		const char *e = text_skip(s, cols - 4);

		out[n] = xasprintf("   %.*s", (int)(e - s), s);
		s = e;
	}
	buf_free(&b);
	return n;
}

static void draw_pane(char **lines, int n, int y)
{
	put_line(y, C_DIM, " %s", glyph("── the whole row ──", "-- the whole row --"));
	for (int i = 0; i < n; i++) {
		put_line(y + 1 + i, C_NORMAL, "%s", lines[i]);
		free(lines[i]);
	}
}

static size_t data_rows(const struct rows *r)
{
	size_t k = 0;

	for (size_t i = 0; i < r->n; i++)
		k += r->r[i].data != NULL;
	return k;
}

static void draw_rows(struct ui *u, const struct rows *r, const int *wd, int y, int h)
{
	struct tabstate *ts = ui_ts(u);
	struct buf b = BUF_INIT;

	ts->rows_y = y;
	ts->rows_h = h;
	for (int i = 0; i < h && ts->top + i < (int)r->n; i++) {
		const struct row *w = &r->r[ts->top + i];
		bool sel = ts->top + i == ts->cursor && w->data != NULL;

		buf_reset(&b);
		render(r, w, wd, &b);
		put_line_attr(y + i, sel ? C_SEL : w->marked ? C_MARK : w->color,
			      (w->dim || r->old) && !sel ? A_DIM : 0,
			      text_skip(buf_cstr(&b), ts->hscroll));
	}
	if (r->n == 0)
		put_line(y, C_DIM, " (nothing to show)");
	buf_free(&b);
}

void *rows_show(struct ui *u, struct rows *r, int y, int h)
{
	struct tabstate *ts = ui_ts(u);
	int wd[MAX_COLS] = { 0 }, nat[MAX_COLS] = { 0 }, np = 0;
	char *pane[PANE_LINES];

	rows_prepare(u, r);
	if (r->tree)
		tree_marks(r);
	layout(r, u->cols, ts->hscroll > 0, wd, nat);
	head_line(u, r, wd, y++);
	ts->head_y = y - 1;
	h--;
	if (ts->filter != NULL && *ts->filter) {
		put_line(y + h - 1, C_WARN, " filter: %s  (%zu of %zu %s; / changes, Esc clears, "
			 "n/N next/previous match)", ts->filter, data_rows(r), r->total, r->unit);
		h--;
	}
	place_cursor(u, r);
	if (h >= 8 && ts->hscroll == 0 && is_data(r, ts->cursor))
		np = pane_lines(r, &r->r[ts->cursor], wd, nat, u->cols, pane);
	if (np > 0) {
		h -= np + 1;
		draw_pane(pane, np, y + h);
	}
	scroll_to(ts, (int)r->n, h);
	draw_rows(u, r, wd, y, h);
	return is_data(r, ts->cursor) ? r->r[ts->cursor].data : NULL;
}

bool rows_cursor_to(struct ui *u, struct rows *r, const void *data)
{
	rows_prepare(u, r);
	for (size_t i = 0; i < r->n; i++)
		if (r->r[i].data == data) {
			ui_ts(u)->cursor = (int)i;
			return true;
		}
	return false;
}

static bool move_key(struct tabstate *ts, int key, int page)
{
	switch (key) {
	case KEY_DOWN: case 'j': ts->cursor++; break;
	case KEY_UP: case 'k': ts->cursor--; break;
	case KEY_NPAGE: ts->cursor += page; break;
	case KEY_PPAGE: ts->cursor -= page; break;
	case KEY_HOME: case 'g': ts->cursor = 0; break;
	case KEY_END: case 'G': ts->cursor = INT_MAX / 2; break;
	case 'n': ts->jump = 1; break;
	case 'N': ts->jump = -1; break;
	default: return false;
	}
	return true;
}

bool rows_key(struct ui *u, int key)
{
	struct tabstate *ts = ui_ts(u);

	if (key == KEY_RIGHT || key == KEY_LEFT) {
		ts->hscroll += key == KEY_RIGHT ? 8 : -8;
		ts->hscroll = ts->hscroll < 0 ? 0 : ts->hscroll;
		return true;
	}
	if (!move_key(ts, key, u->rows - 6))
		return false;
	if ((key == 'n' || key == 'N') && ts->filter == NULL)
		top_model_status(u->m, false, "n/N go to the rows matching the filter: / sets one");
	u->dir = key == KEY_UP || key == 'k' || key == KEY_PPAGE || key == KEY_HOME || key == 'g'
		|| key == 'N' ? -1 : 1;
	if (ts->cursor < 0)
		ts->cursor = 0;
	return true;
}
