/*
 * The one printer of Prometheus text pieces: escaped label values and HELP texts, and a
 * series (name{label="value",...}) as the exposition format writes it. The merger, lmcctl
 * metrics and lmcache-top all print series through it, so what they show reads back the same.
 * It also writes the merge's output lines: a scan's runs (prom-scan.h) with the node label put
 * in, a copy per line.
 */
#include "config.h"
#include "buf.h"
#include "prom.h"
#include "prom-scan.h"
#include "strutil.h"

#include <string.h>

/* Appends the valid UTF-8 run s[0..n) escaped: \\, \n and, when quote, \". */
static void put_run(struct buf *b, const char *s, size_t n, bool quote)
{
	const char *run = s, *end = s + n;

	for (; s < end; s++) {
		const char *rep = *s == '\\' ? "\\\\" : *s == '\n' ? "\\n"
		                  : (*s == '"' && quote) ? "\\\"" : NULL;

		if (!rep)
			continue;
		buf_append(b, run, (size_t)(s - run));
		buf_puts(b, rep);
		run = s + 1;
	}
	buf_append(b, run, (size_t)(s - run));
}

void prom_put_escaped(struct buf *b, const char *s, size_t n, bool quote)
{
	while (n > 0) {
		size_t ok = str_utf8_valid_prefix(s, n);

		put_run(b, s, ok, quote);
		if (ok == n)
			return;
		buf_putc(b, '?'); /* the project's rule: a byte that is not UTF-8 shows as '?' */
		s += ok + 1;
		n -= ok + 1;
	}
}

char *prom_series(const char *name, const struct prom_sample *s, const char *except)
{
	struct buf b = BUF_INIT;
	size_t k = 0;

	buf_puts(&b, name ? name : s->name);
	for (size_t i = 0; i < s->nlabels; i++) {
		const struct prom_label *l = &s->labels[i];

		if (except && strcmp(l->name, except) == 0)
			continue;
		buf_putc(&b, k++ ? ',' : '{');
		buf_puts(&b, l->name);
		buf_append(&b, "=\"", 2);
		prom_put_escaped(&b, l->value, strlen(l->value), true);
		buf_putc(&b, '"');
	}
	if (k > 0)
		buf_putc(&b, '}');
	return buf_steal(&b);
}

static char *put(char *o, const void *p, size_t n)
{
	memcpy(o, p, n);
	return o + n;
}

/* The node label at o, for a line whose text is cut at at: after "name{" (then a ',' when
 * labels follow) or after a bare name (then the braces are ours). */
static char *put_label(char *o, const char *at, const struct buf *node_label)
{
	bool braces = at[-1] == '{';

	if (!braces)
		*o++ = '{';
	o = put(o, node_label->data, node_label->len);
	if (!braces)
		*o++ = '}';
	else if (*at != '}')
		*o++ = ',';
	return o;
}

/* The text from seg to seg_end, the end of a line, and its '\n'; nothing when seg is NULL. */
static char *put_tail(char *o, const char *seg, const char *seg_end)
{
	if (!seg)
		return o;
	o = put(o, seg, (size_t)(seg_end - seg));
	*o++ = '\n';
	return o;
}

/* A line's tail, its '\n' and the next line's head are one copy when the lines follow each
 * other in the text, as they mostly do: a copy and the label per line. */
char *prom_scan_put_run(const struct prom_scan *s, const struct prom_piece *p, size_t n,
                        const struct buf *node_label, char *o)
{
	const struct prom_piece *end = p + n;
	const char *seg = NULL, *seg_end = NULL; /* the last line's tail, not written yet */

	for (; p < end; p++) {
		const char *t;

		if (p->cut == PROM_PIECE_OWN) {
			o = put(put_tail(o, seg, seg_end), s->own.data + p->off, p->len);
			seg = NULL;
			continue;
		}
		t = s->text + p->off;
		if (seg && seg_end + 1 == t && *seg_end == '\n')
			o = put(o, seg, (size_t)(t + p->cut - seg));
		else
			o = put(put_tail(o, seg, seg_end), t, p->cut);
		o = put_label(o, t + p->cut, node_label);
		seg = t + p->cut;
		seg_end = t + p->len;
	}
	return put_tail(o, seg, seg_end);
}

void prom_node_label(struct buf *b, const char *name)
{
	buf_append(b, "node=\"", 6);
	prom_put_escaped(b, name, strlen(name), true);
	buf_putc(b, '"');
}
