#include "config.h"
#include "promtext.h"
#include "xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const char *const suffixes[] = { "_bucket", "_sum", "_count", "_total", NULL };

static struct pt_family *family(struct pt_doc *d, const char *name, size_t len)
{
	for (size_t i = d->nfams; i-- > 0;)
		if (strlen(d->fams[i].name) == len && memcmp(d->fams[i].name, name, len) == 0)
			return &d->fams[i];
	d->fams = xreallocarray(d->fams, d->nfams + 1, sizeof *d->fams);
	d->fams[d->nfams] = (struct pt_family){ .name = xstrndup(name, len),
						.type = xstrdup("untyped"), .help = xstrdup("") };
	return &d->fams[d->nfams++];
}

/* The declared family of a sample name: itself, or itself without a known suffix. */
static struct pt_family *declared(const struct pt_doc *d, const char *name, size_t len)
{
	for (size_t i = d->nfams; i-- > 0;) {
		size_t fl = strlen(d->fams[i].name);

		if (fl > len || memcmp(d->fams[i].name, name, fl) != 0)
			continue;
		if (fl == len)
			return &d->fams[i];
		for (const char *const *s = suffixes; *s != NULL; s++)
			if (strlen(*s) == len - fl && memcmp(name + fl, *s, len - fl) == 0)
				return &d->fams[i];
	}
	return NULL;
}

static struct pt_family *sample_family(struct pt_doc *d, const char *name, size_t len)
{
	struct pt_family *f = declared(d, name, len);

	return f != NULL ? f : family(d, name, len);
}

/* "# HELP name text" / "# TYPE name type"; other comments are ignored. */
static void comment(struct pt_doc *d, const char *line, size_t len)
{
	const char *p = line + 1, *end = line + len, *name, *rest;
	bool help;

	while (p < end && *p == ' ')
		p++;
	if (end - p > 5 && memcmp(p, "HELP ", 5) == 0)
		help = true;
	else if (end - p > 5 && memcmp(p, "TYPE ", 5) == 0)
		help = false;
	else
		return;
	name = p + 5;
	for (rest = name; rest < end && *rest != ' '; rest++)
		;
	struct pt_family *f = family(d, name, (size_t)(rest - name));
	char **field = help ? &f->help : &f->type;

	if (rest < end)
		rest++;
	free(*field);
	*field = xstrndup(rest, (size_t)(end - rest));
}

/* The end of the series part: after the closing '}' (quotes respected) or at a space. */
static const char *series_end(const char *p, const char *end)
{
	bool quoted = false;

	for (; p < end; p++) {
		if (*p == '{' && !quoted) {
			for (p++; p < end; p++) {
				if (*p == '\\' && quoted)
					p++;
				else if (*p == '"')
					quoted = !quoted;
				else if (*p == '}' && !quoted)
					return p + 1;
			}
			return NULL;
		}
		if (*p == ' ' || *p == '\t')
			return p;
	}
	return NULL;
}

static void sample(struct pt_doc *d, const char *line, size_t len)
{
	const char *end = line + len, *se = series_end(line, end), *name_end;
	char *num, *stop;
	double v;

	if (se == NULL) {
		d->bad_lines++;
		return;
	}
	num = xstrndup(se, (size_t)(end - se));
	v = strtod(num, &stop);
	if (stop == num) {
		free(num);
		d->bad_lines++;
		return;
	}
	free(num);
	name_end = memchr(line, '{', (size_t)(se - line));
	struct pt_family *f = sample_family(d, line, (size_t)((name_end ? name_end : se) - line));

	f->samples = xreallocarray(f->samples, f->nsamples + 1, sizeof *f->samples);
	f->samples[f->nsamples++] = (struct pt_sample){ xstrndup(line, (size_t)(se - line)), v };
}

void pt_parse(const char *text, size_t len, struct pt_doc *d)
{
	const char *p = text, *end = text + len;

	*d = (struct pt_doc){ 0 };
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *le = nl ? nl : end;
		size_t l = (size_t)(le - p);

		while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == ' '))
			l--;
		if (l > 0 && p[0] == '#')
			comment(d, p, l);
		else if (l > 0)
			sample(d, p, l);
		p = le + 1;
	}
}

void pt_free(struct pt_doc *d)
{
	for (size_t i = 0; i < d->nfams; i++) {
		struct pt_family *f = &d->fams[i];

		for (size_t j = 0; j < f->nsamples; j++)
			free(f->samples[j].series);
		free(f->samples);
		free(f->name);
		free(f->type);
		free(f->help);
	}
	free(d->fams);
	*d = (struct pt_doc){ 0 };
}

const struct pt_family *pt_find(const struct pt_doc *d, const char *name)
{
	return declared(d, name, strlen(name));
}

static bool same_name(const char *series, const char *name)
{
	size_t n = strlen(name);

	return strncmp(series, name, n) == 0 && (series[n] == '\0' || series[n] == '{');
}

int pt_sum(const struct pt_doc *d, const char *name, double *sum)
{
	int found = 0;

	*sum = 0;
	for (size_t i = 0; i < d->nfams; i++)
		for (size_t j = 0; j < d->fams[i].nsamples; j++)
			if (same_name(d->fams[i].samples[j].series, name)) {
				*sum += d->fams[i].samples[j].value;
				found = 1;
			}
	return found;
}

int pt_value(const struct pt_doc *d, const char *series, double *value)
{
	for (size_t i = 0; i < d->nfams; i++)
		for (size_t j = 0; j < d->fams[i].nsamples; j++)
			if (strcmp(d->fams[i].samples[j].series, series) == 0) {
				*value = d->fams[i].samples[j].value;
				return 1;
			}
	return 0;
}
