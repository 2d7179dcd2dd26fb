/* Human tables: columns as wide as their widest cell, two spaces apart, the last column
 * unpadded, a header line unless --no-headers. Colour only when c->o.color is set (a
 * terminal, no NO_COLOR, no --no-color). */
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

static void print_row(struct table *t, size_t row, const size_t *w, bool head)
{
	struct buf line = BUF_INIT;

	for (size_t col = 0; col < t->ncols; col++) {
		const char *s = t->cells[row * t->ncols + col];

		if (col + 1 < t->ncols)
			buf_printf(&line, "%-*s  ", (int)w[col], s);
		else
			buf_puts(&line, s);
	}
	while (line.len > 0 && line.data[line.len - 1] == ' ')
		line.data[--line.len] = '\0';
	if (head)
		printf("%s%s%s\n", color(t->c, "head"), buf_cstr(&line), color(t->c, "reset"));
	else
		printf("%s\n", buf_cstr(&line));
	buf_free(&line);
}

void table_print(struct table *t)
{
	size_t rows = t->ncells / t->ncols, *w = xcalloc(t->ncols, sizeof *w);

	for (size_t i = t->header ? 0 : t->ncols; i < rows * t->ncols; i++) {
		size_t len = strlen(t->cells[i]);

		if (len > w[i % t->ncols])
			w[i % t->ncols] = len;
	}
	for (size_t r = t->header ? 0 : 1; r < rows; r++)
		print_row(t, r, w, r == 0);
	for (size_t i = 0; i < t->ncells; i++)
		free(t->cells[i]);
	free(t->cells);
	free(w);
	free(t);
}
