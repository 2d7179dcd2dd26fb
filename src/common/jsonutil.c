#include "config.h"
#include "jsonutil.h"
#include "buf.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

json_t *json_parse_text(const char *text, size_t len, char **cause)
{
	json_error_t err;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

	if (v == NULL && cause != NULL)
		*cause = xasprintf("invalid JSON at line %d column %d: %s", err.line, err.column, err.text);
	return v;
}

/* ---- lenient parsing: Python's non-finite tokens become strings ---- */

/* The text being rewritten: a copy with each non-finite token quoted, and where each quoted
 * token ends in the copy (to give error positions in the text as received). */
struct lenient {
	const char *in;
	size_t len, i;
	struct buf out;
	struct buf open; /* '{' or '[' of each open container, innermost last */
	size_t *ends, n_ends, cap_ends;
	bool want_value; /* the next token is a value, not a key or a separator */
};

static bool is_delim(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == ',' || c == ':' ||
	       c == '[' || c == ']' || c == '{' || c == '}' || c == '"';
}

/* Copies a string token, escapes included, up to and with its closing quote. */
static void lenient_string(struct lenient *l)
{
	size_t start = l->i++;

	while (l->i < l->len && l->in[l->i] != '"')
		l->i += l->in[l->i] == '\\' ? 2 : 1;
	l->i = l->i < l->len ? l->i + 1 : l->len;
	buf_append(&l->out, l->in + start, l->i - start);
}

/* Copies a bare token (number, literal), quoting it when it is one of Python's three. */
static void lenient_word(struct lenient *l)
{
	static const char *const words[] = { "Infinity", "-Infinity", "NaN" };
	size_t start = l->i, n;

	while (l->i < l->len && !is_delim(l->in[l->i]))
		l->i++;
	n = l->i - start;
	for (size_t w = 0; l->want_value && n > 0 && w < 3; w++) {
		if (strlen(words[w]) != n || memcmp(l->in + start, words[w], n) != 0)
			continue;
		buf_printf(&l->out, "\"%s\"", words[w]);
		if (l->n_ends == l->cap_ends) { /* doubling: one token more a time was quadratic */
			l->cap_ends = l->cap_ends ? 2 * l->cap_ends : 16;
			l->ends = xreallocarray(l->ends, l->cap_ends, sizeof *l->ends);
		}
		l->ends[l->n_ends++] = l->out.len;
		return;
	}
	if (n == 0) /* a byte JSON has no use for: let jansson name it */
		n = ++l->i - start;
	buf_append(&l->out, l->in + start, n);
}

/* One structural byte, which says what may come next. */
static void lenient_punct(struct lenient *l, char c)
{
	if (c == '{' || c == '[')
		buf_putc(&l->open, c);
	else if ((c == '}' || c == ']') && l->open.len > 0)
		l->open.len--;
	if (c == ':' || c == '[')
		l->want_value = true;
	else if (c == ',')
		l->want_value = l->open.len > 0 && l->open.data[l->open.len - 1] == '[';
	else if (c == '{' || c == '}' || c == ']')
		l->want_value = false;
	buf_putc(&l->out, c);
	l->i++;
}

static void lenient_scan(struct lenient *l)
{
	l->want_value = true;
	while (l->i < l->len) {
		char c = l->in[l->i];

		if (c == '"') {
			lenient_string(l);
			l->want_value = false;
		} else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			buf_putc(&l->out, c);
			l->i++;
		} else if (is_delim(c)) {
			lenient_punct(l, c);
		} else {
			lenient_word(l);
			l->want_value = false;
		}
	}
}

/* jansson's error, its column and position moved back over the quotes we added. */
static char *lenient_cause(const struct lenient *l, const json_error_t *err)
{
	size_t pos = err->position > 0 ? (size_t)err->position : 0, line = pos;
	int before = 0, on_line = 0;

	if (pos > l->out.len)
		pos = line = l->out.len;
	while (line > 0 && l->out.data[line - 1] != '\n')
		line--;
	for (size_t r = 0; r < l->n_ends && l->ends[r] <= pos; r++) {
		before++;
		on_line += l->ends[r] > line;
	}
	return xasprintf("invalid JSON at line %d column %d (byte %zu): %s", err->line,
	                 err->column - 2 * on_line, pos - 2 * (size_t)before, err->text);
}

json_t *json_parse_lenient(const char *text, size_t len, char **cause)
{
	struct lenient l = { .in = text, .len = len };
	json_error_t err;
	json_t *v;

	/* Most answers hold none of the words: parse them as they are. */
	if (memmem(text, len, "Infinity", 8) == NULL && memmem(text, len, "NaN", 3) == NULL)
		return json_parse_text(text, len, cause);
	lenient_scan(&l);
	v = json_loadb(buf_cstr(&l.out), l.out.len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (v == NULL && cause != NULL)
		*cause = lenient_cause(&l, &err);
	buf_free(&l.out);
	buf_free(&l.open);
	free(l.ends);
	return v;
}

/* ---- dumping with the shortest reals ---- */

static bool has_real(const json_t *v)
{
	const char *k;
	json_t *it;
	size_t i;

	if (json_is_real(v))
		return true;
	json_object_foreach((json_t *)v, k, it)
		if (has_real(it))
			return true;
	json_array_foreach(v, i, it)
		if (has_real(it))
			return true;
	return false;
}

/* What jansson writes between items: a newline and indentation, or a space, or nothing. */
static void dump_indent(struct buf *b, size_t flags, int depth, bool space)
{
	int n = (int)(flags & JSON_MAX_INDENT) * depth;

	if ((flags & JSON_MAX_INDENT) > 0) {
		buf_putc(b, '\n');
		while (n-- > 0)
			buf_putc(b, ' ');
	} else if (space && !(flags & JSON_COMPACT)) {
		buf_putc(b, ' ');
	}
}

static void dump_value(struct buf *b, const json_t *v, size_t flags, int depth);

/* A scalar other than a real, exactly as jansson writes it. */
static void dump_scalar(struct buf *b, const json_t *v, size_t flags)
{
	size_t keep = flags & (JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH);
	char *s = json_dumps(v, JSON_ENCODE_ANY | keep);

	buf_puts(b, s ? s : "null");
	free(s);
}

static void dump_array(struct buf *b, const json_t *v, size_t flags, int depth)
{
	size_t n = json_array_size(v);

	buf_putc(b, '[');
	if (n > 0)
		dump_indent(b, flags, depth + 1, false);
	for (size_t i = 0; i < n; i++) {
		dump_value(b, json_array_get(v, i), flags, depth + 1);
		if (i + 1 < n)
			buf_putc(b, ',');
		dump_indent(b, flags, i + 1 < n ? depth + 1 : depth, i + 1 < n);
	}
	buf_putc(b, ']');
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void dump_object(struct buf *b, const json_t *v, size_t flags, int depth)
{
	size_t n = json_object_size(v), i = 0;
	const char **keys = xreallocarray(NULL, n + 1, sizeof *keys), *k;
	json_t *it;

	json_object_foreach((json_t *)v, k, it)
		keys[i++] = k;
	if (flags & JSON_SORT_KEYS)
		qsort(keys, n, sizeof *keys, cmp_key);
	buf_putc(b, '{');
	if (n > 0)
		dump_indent(b, flags, depth + 1, false);
	for (i = 0; i < n; i++) {
		json_t *key = json_string(keys[i]);

		dump_scalar(b, key, flags);
		json_decref(key);
		buf_puts(b, flags & JSON_COMPACT ? ":" : ": ");
		dump_value(b, json_object_get(v, keys[i]), flags, depth + 1);
		if (i + 1 < n)
			buf_putc(b, ',');
		dump_indent(b, flags, i + 1 < n ? depth + 1 : depth, i + 1 < n);
	}
	buf_putc(b, '}');
	free(keys);
}

static void dump_value(struct buf *b, const json_t *v, size_t flags, int depth)
{
	char num[STR_DOUBLE_SIZE];

	if (json_is_object(v))
		dump_object(b, v, flags, depth);
	else if (json_is_array(v))
		dump_array(b, v, flags, depth);
	else if (json_is_real(v))
		buf_puts(b, str_double(json_real_value(v), num));
	else
		dump_scalar(b, v, flags);
}

char *json_dumps_shortest(const json_t *v, size_t flags)
{
	struct buf b = BUF_INIT;

	/* Without reals jansson's own text is already right. */
	if (v == NULL || !has_real(v))
		return json_dumps(v, flags);
	if (!(flags & JSON_ENCODE_ANY) && !json_is_object(v) && !json_is_array(v))
		return NULL;
	dump_value(&b, v, flags, 0);
	return buf_steal(&b);
}

char *json_to_text(const json_t *v)
{
	char *s = json_dumps_shortest(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		return xstrdup("null");
	return s;
}

const char *json_str_member(const json_t *obj, const char *key, const char *dflt)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}
