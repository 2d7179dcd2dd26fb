/* Human tables: columns as wide as their widest cell, two spaces apart, the last column
 * unpadded, a header line unless --no-headers. Colour only when c->o.color is set (a
 * terminal, no NO_COLOR, no --no-color).
 *
 * A table printed by report() is about the nodes' answers: every row starts with the node's
 * name, and table_print adds the STATUS column ("ok" or the node's error) and a row for each
 * failed node that has none, in node order; -o wide adds TOOK and the node's ADDRESS before
 * it. Cells are escaped: a node's name or answer never reaches the terminal with control
 * characters or escape sequences in it (-o json stays exact). */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct table {
	struct ctx *c;
	size_t ncols;
	char **cells; /* row-major; the header is row 0 */
	size_t ncells;
	bool header;
};

const char *color(struct ctx *c, const char *what)
{
	if (!c->o.color)
		return "";
	if (strcmp(what, "head") == 0)
		return "\033[1m"; /* bold: cells stay uncoloured so widths stay exact */
	return "\033[0m";
}

/* The length of the valid UTF-8 sequence at s (1-4), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n = s[0] < 0x80 ? 1 : (s[0] & 0xe0) == 0xc0 ? 2 : (s[0] & 0xf0) == 0xe0 ? 3
		 : (s[0] & 0xf8) == 0xf0 ? 4 : 0;

	if (n == 0 || (n == 2 && s[0] < 0xc2))
		return 0;
	for (size_t i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return n;
}

/* One control character as text: \n \r \t \e, else \xHH (C1 controls: \u0080-\u009f). */
static void put_control(struct buf *b, unsigned cp)
{
	const char *named = cp == '\n' ? "\\n" : cp == '\r' ? "\\r" : cp == '\t' ? "\\t"
			  : cp == 0x1b ? "\\e" : NULL;

	if (named != NULL)
		buf_puts(b, named);
	else if (cp >= 0x80)
		buf_printf(b, "\\u%04x", cp);
	else
		buf_printf(b, "\\x%02x", cp);
}

char *display_escape(const char *s, bool keep_newlines)
{
	struct buf b = BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_len(p);

		if (n == 0) {
			buf_printf(&b, "\\x%02x", *p++); /* not UTF-8 */
		} else if (n == 1 && (*p < 0x20 || *p == 0x7f) &&
			   !(keep_newlines && (*p == '\n' || *p == '\t'))) {
			put_control(&b, *p++);
		} else if (n == 2 && p[0] == 0xc2 && p[1] < 0xa0) {
			put_control(&b, p[1]); /* U+0080..U+009F, CSI among them */
			p += 2;
		} else {
			buf_append(&b, (const char *)p, n);
			p += n;
		}
	}
	buf_putc(&b, '\0');
	b.len--;
	return buf_steal(&b);
}

/* Terminal columns of an escaped cell: one per character (not per byte). */
static size_t cell_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

struct table *table_new(struct ctx *c, const char *const *header)
{
	struct table *t = xcalloc(1, sizeof *t);

	t->c = c;
	while (header[t->ncols] != NULL)
		t->ncols++;
	t->header = !c->o.no_headers;
	for (size_t i = 0; i < t->ncols; i++)
		table_add(t, header[i]);
	return t;
}

void table_add(struct table *t, const char *cell)
{
	t->cells = xreallocarray(t->cells, t->ncells + 1, sizeof *t->cells);
	t->cells[t->ncells++] = xstrdup(cell ? cell : "");
}

void table_row(struct table *t, ...)
{
	va_list ap;

	va_start(ap, t);
	for (size_t i = 0; i < t->ncols; i++)
		table_add(t, va_arg(ap, const char *));
	va_end(ap);
}

static void print_row(struct table *t, char **row, const size_t *w, bool head)
{
	struct buf line = BUF_INIT;

	for (size_t col = 0; col < t->ncols; col++) {
		buf_puts(&line, row[col]);
		for (size_t i = cell_width(row[col]); col + 1 < t->ncols && i < w[col] + 2; i++)
			buf_putc(&line, ' ');
	}
	while (line.len > 0 && line.data[line.len - 1] == ' ')
		line.data[--line.len] = '\0';
	if (head)
		printf("%s%s%s\n", color(t->c, "head"), buf_cstr(&line), color(t->c, "reset"));
	else
		printf("%s\n", buf_cstr(&line));
	buf_free(&line);
}

static void print_all(struct table *t)
{
	size_t rows = t->ncells / t->ncols, *w = xcalloc(t->ncols, sizeof *w);

	for (size_t i = 0; i < t->ncells; i++) {
		char *e = display_escape(t->cells[i], false);
		size_t len = cell_width(e);

		free(t->cells[i]);
		t->cells[i] = e;
		if ((i >= t->ncols || t->header) && len > w[i % t->ncols])
			w[i % t->ncols] = len;
	}
	for (size_t r = t->header ? 0 : 1; r < rows; r++)
		print_row(t, &t->cells[r * t->ncols], w, r == 0);
	free(w);
}

/* The status columns of one row of result r: [TOOK ADDRESS] STATUS. */
static void add_status(struct table *t, const struct result *r, bool wide)
{
	if (wide) {
		const struct cl_node *n = r->node;
		char *took = r->status || r->code == 0 ? xasprintf("%ldms", r->took_ms) : xstrdup("-");
		char *addr = n->socket ? xasprintf("unix:%s", n->socket) : xstrdup(n->url);

		table_add(t, took);
		table_add(t, addr);
		free(took);
		free(addr);
	}
	table_add(t, r->code == 0 ? "ok" : r->error ? r->error : "failed");
}

/* The rows of t in node order with the status columns, and a row for each failed node
 * without one. Rows come in node order from the printers, so one pass merges them. */
static struct table *with_status(struct table *t)
{
	bool wide = t->c->o.out == OUT_WIDE;
	struct table *o = xcalloc(1, sizeof *o);
	size_t rows = t->ncells / t->ncols, r = 1;

	*o = (struct table){ .c = t->c, .ncols = t->ncols + (wide ? 3 : 1), .header = t->header };
	for (size_t col = 0; col < t->ncols; col++)
		table_add(o, t->cells[col]);
	if (wide) {
		table_add(o, "TOOK");
		table_add(o, "ADDRESS");
	}
	table_add(o, "STATUS");
	for (size_t i = 0; i < t->c->nrs; i++) {
		const struct result *res = &t->c->rs[i];
		size_t from = r;

		for (; r < rows && strcmp(t->cells[r * t->ncols], res->node->name) == 0; r++) {
			for (size_t col = 0; col < t->ncols; col++)
				table_add(o, t->cells[r * t->ncols + col]);
			add_status(o, res, wide);
		}
		for (size_t col = 0; r == from && res->code != 0 && col < t->ncols; col++)
			table_add(o, col == 0 ? res->node->name : "-");
		if (r == from && res->code != 0)
			add_status(o, res, wide);
	}
	return o;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(t);
}

void table_print(struct table *t)
{
	struct table *out = t;

	if (t->c->rs != NULL && !t->c->no_status)
		out = with_status(t);
	print_all(out);
	if (out != t)
		table_free(out);
	table_free(t);
}

void print_members(struct ctx *c, struct result *rs, size_t n, const char *key_head,
		   const char *value_head)
{
	const char *head[] = { "NODE", key_head, value_head, NULL };
	struct table *t = table_new(c, head);
	const char *k;
	json_t *v;

	for (size_t i = 0; i < n; i++) {
		if (rs[i].code != 0 || !json_is_object(rs[i].result))
			continue;
		json_object_foreach(rs[i].result, k, v) {
			char *cell = json_cell(v);

			table_row(t, rs[i].node->name, k, cell);
			free(cell);
		}
	}
	table_print(t);
}
