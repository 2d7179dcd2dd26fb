/* The name= filter of the merged /metrics (metrics-filter.h). One pass over the merged text,
 * which holds each family once, its HELP and TYPE lines before its samples. */
#include "config.h"
#include "metrics-filter.h"

#include <stdbool.h>
#include <string.h>

struct filter {
	char *const *names;
	size_t n;
	const char *fam; /* the family of the last HELP/TYPE line, NULL: none */
	size_t fam_len;
	bool fam_asked;	  /* the whole family was asked for */
	struct buf meta;  /* its HELP/TYPE lines, written before its first sample kept */
	bool meta_out;	  /* already written */
};

/* How many of the len bytes at p come before one of stop. */
static size_t span(const char *p, size_t len, const char *stop)
{
	size_t i = 0;

	while (i < len && strchr(stop, p[i]) == NULL)
		i++;
	return i;
}

static bool asked(const struct filter *f, const char *name, size_t len)
{
	for (size_t i = 0; i < f->n; i++)
		if (strlen(f->names[i]) == len && memcmp(f->names[i], name, len) == 0)
			return true;
	return false;
}

/* Whether a sample called name is one of the current family's: its name, or its name with a
 * suffix the exposition format gives a family's samples. */
static bool in_family(const struct filter *f, const char *name, size_t len)
{
	static const char *const suffix[] = { "", "_total", "_created", "_bucket", "_count",
					      "_sum", "_info", NULL };

	if (f->fam == NULL || len < f->fam_len || memcmp(name, f->fam, f->fam_len) != 0)
		return false;
	for (size_t i = 0; suffix[i] != NULL; i++)
		if (strlen(suffix[i]) == len - f->fam_len &&
		    memcmp(name + f->fam_len, suffix[i], len - f->fam_len) == 0)
			return true;
	return false;
}

/* "# HELP name ..." or "# TYPE name ...": starts (or goes on with) a family. */
static void meta_line(struct filter *f, const char *line, size_t len)
{
	const char *name = line + 7;
	size_t nl = span(name, len - 7, " \t\n");

	if (f->fam == NULL || nl != f->fam_len || memcmp(name, f->fam, nl) != 0) {
		f->fam = name;
		f->fam_len = nl;
		f->fam_asked = asked(f, name, nl);
		buf_reset(&f->meta);
		f->meta_out = false;
	}
	buf_append(&f->meta, line, len);
}

static void sample_line(struct filter *f, const char *line, size_t len, struct buf *out)
{
	size_t nl = span(line, len, "{ \t\n");
	bool member = in_family(f, line, nl);

	if (!member)
		f->fam = NULL; /* a sample without HELP or TYPE: a family of its own */
	if (!asked(f, line, nl) && !(member && f->fam_asked))
		return;
	if (member && !f->meta_out) {
		buf_append(out, f->meta.data ? f->meta.data : "", f->meta.len);
		f->meta_out = true;
	}
	buf_append(out, line, len);
}

void metrics_filter(const char *text, size_t len, char *const *names, size_t n, struct buf *out)
{
	struct filter f = { .names = names, .n = n, .meta = BUF_INIT };

	for (const char *p = text, *end = text + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p); /* with its '\n' */

		if (ll > 7 && (memcmp(p, "# HELP ", 7) == 0 || memcmp(p, "# TYPE ", 7) == 0))
			meta_line(&f, p, ll);
		else if (*p == '#')
			buf_append(out, p, ll); /* the merge's notes: a node it could not scrape */
		else if (ll > 1)
			sample_line(&f, p, ll, out);
		p += ll;
	}
	buf_free(&f.meta);
}
