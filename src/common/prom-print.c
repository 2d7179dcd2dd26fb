/*
 * The one printer of Prometheus text pieces: escaped label values and HELP texts, and a
 * series (name{label="value",...}) as the exposition format writes it. The merger, lmcctl
 * metrics and lmcache-top all print series through it, so what they show reads back the same.
 */
#include "config.h"
#include "buf.h"
#include "prom.h"
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
