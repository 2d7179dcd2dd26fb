/*
 * Prometheus text format 0.0.4 parser. Names, label values and value texts are written,
 * unescaped and NUL-terminated, into one arena twice as large as the input: every token in
 * the input is followed by at least one separator byte, so the tokens never outgrow one
 * input's worth, and the raw label texts kept for the merger take at most another. As
 * strict as Prometheus' own parser about syntax, so that whatever we accept and re-emit,
 * promtool accepts too.
 */
#include "config.h"
#include "prom.h"
#include "prom-map.h"
#include "prom-scan.h"
#include "prom-lex.h"
#include "strutil.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Where a sample's family and labels are while parsing (arrays still grow). */
struct raw {
	size_t family;
	size_t label_first;
};

struct fam_state {
	bool has_type, has_help;
	size_t nsamples;
	size_t name_len;
};

struct parser {
	const char *p, *end; /* the current line */
	char *w;             /* next free byte of the arena */
	int line;
	struct prom_exposition *e;
	struct fam_state *fs;
	size_t fam_cap, sample_cap, label_cap, nlabels;
	struct raw *raw;
	struct prom_map names;
	size_t current; /* the family of the last HELP/TYPE/sample, or -1 */
	char *error;
	const char *skip; /* why the sample being parsed is left out, or NULL */
};

static int fail(struct parser *ps, const char *what, const char *detail)
{
	ps->error = xasprintf("line %d: %s%s%s", ps->line, what, detail ? ": " : "",
	                      detail ? detail : "");
	return -1;
}

static void skip_blanks(struct parser *ps)
{
	ps->p = prom_skip_blanks(ps->p, ps->end);
}

static bool at_end(const struct parser *ps)
{
	return ps->p >= ps->end;
}

/* Copies a metric (colon true) or label name into the arena; NULL when there is none. The
 * cursor stays in a local: stores into the arena could alias ps->p. */
static const char *read_name(struct parser *ps, bool colon)
{
	const char *start = ps->p, *p = prom_name_end(start, ps->end, colon);
	char *out = ps->w;
	size_t n = (size_t)(p - start);

	if (n == 0)
		return NULL;
	memcpy(out, start, n);
	out[n] = '\0';
	ps->w += n + 1;
	ps->p = p;
	return out;
}

/* Copies the token up to the next blank into the arena. */
static const char *read_token(struct parser *ps)
{
	const char *start = ps->p, *p = start, *end = ps->end;
	char *out = ps->w;

	while (p < end && *p != ' ' && *p != '\t')
		p++;
	memcpy(out, start, (size_t)(p - start));
	out[p - start] = '\0';
	ps->w += p - start + 1;
	ps->p = p;
	return out;
}

/* Copies text up to stop (or the end of line when stop is 0), resolving \\, \n and, in label
 * values, \". Returns NULL on a bad escape or a missing stop. */
static const char *read_escaped(struct parser *ps, char stop)
{
	const char *p = ps->p, *end = ps->end;
	const char *close = stop ? memchr(p, stop, (size_t)(end - p)) : end;
	char *out = ps->w, *o = out;

	/* Most texts have no escapes: one copy. */
	if (close && !memchr(p, '\\', (size_t)(close - p))) {
		memcpy(out, p, (size_t)(close - p));
		out[close - p] = '\0';
		ps->w = out + (close - p) + 1;
		ps->p = close;
		return out;
	}
	for (; p < end && *p != stop; p++) {
		if (*p != '\\') {
			*o++ = *p;
			continue;
		}
		if (++p == end)
			return NULL;
		if (*p == 'n')
			*o++ = '\n';
		else if (*p == '\\' || (*p == '"' && stop == '"'))
			*o++ = *p;
		else
			return NULL;
	}
	ps->p = p;
	if (stop && p == end)
		return NULL;
	*o = '\0';
	ps->w = o + 1;
	return out;
}

static size_t add_family(struct parser *ps, const char *name)
{
	struct prom_exposition *e = ps->e;
	size_t i = e->nfamilies++;

	if (i == ps->fam_cap) {
		ps->fam_cap = ps->fam_cap ? ps->fam_cap * 2 : 64;
		e->families = xreallocarray(e->families, ps->fam_cap, sizeof *e->families);
		ps->fs = xreallocarray(ps->fs, ps->fam_cap, sizeof *ps->fs);
	}
	e->families[i] = (struct prom_family){ .name = name, .type = PROM_UNTYPED };
	ps->fs[i] = (struct fam_state){ .name_len = strlen(name) };
	prom_map_put(&ps->names, name, i);
	return i;
}

/* Whether name (of length n) is family (of length fn) followed by suffix. */
static bool has_suffix(const char *name, size_t n, const char *family, size_t fn,
                       const char *suffix)
{
	size_t sn = strlen(suffix);

	return n == fn + sn && memcmp(name, family, fn) == 0 && memcmp(name + fn, suffix, sn) == 0;
}

/* Whether a sample called name belongs to family f (histograms and summaries have
 * sub-samples). */
static bool belongs(const struct prom_family *f, size_t fn, const char *name, size_t n)
{
	if (n == fn && memcmp(f->name, name, n) == 0)
		return true;
	if (f->type == PROM_HISTOGRAM && has_suffix(name, n, f->name, fn, "_bucket"))
		return true;
	if (f->type == PROM_HISTOGRAM || f->type == PROM_SUMMARY)
		return has_suffix(name, n, f->name, fn, "_sum") ||
		       has_suffix(name, n, f->name, fn, "_count");
	return false;
}

/* A histogram or summary family that name is a sub-sample of, found by its suffix. */
static size_t family_by_suffix(struct parser *ps, const char *name)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count" };
	char base[256];

	for (size_t k = 0; k < sizeof suffixes / sizeof *suffixes; k++) {
		size_t n = strlen(name), sn = strlen(suffixes[k]), i;

		if (n <= sn || n - sn >= sizeof base || strcmp(name + n - sn, suffixes[k]) != 0)
			continue;
		memcpy(base, name, n - sn);
		base[n - sn] = '\0';
		i = prom_map_get(&ps->names, base);
		if (i != (size_t)-1 && belongs(&ps->e->families[i], ps->fs[i].name_len, name, n))
			return i;
	}
	return (size_t)-1;
}

static size_t family_of_sample(struct parser *ps, const char *name, size_t n)
{
	size_t i = ps->current;

	if (i != (size_t)-1 && belongs(&ps->e->families[i], ps->fs[i].name_len, name, n))
		return ps->current;
	i = prom_map_get(&ps->names, name);
	if (i == (size_t)-1)
		i = family_by_suffix(ps, name);
	return i != (size_t)-1 ? i : add_family(ps, name);
}

static const char *const type_names[] = {
	[PROM_UNTYPED] = "untyped", [PROM_COUNTER] = "counter", [PROM_GAUGE] = "gauge",
	[PROM_HISTOGRAM] = "histogram", [PROM_SUMMARY] = "summary",
};

const char *prom_type_name(enum prom_type t)
{
	return type_names[t];
}

static int parse_type(struct parser *ps, struct prom_family *f)
{
	const char *word;

	skip_blanks(ps);
	word = read_token(ps);
	for (size_t t = 0; t < sizeof type_names / sizeof *type_names; t++)
		if (strcmp(word, type_names[t]) == 0) {
			f->type = (enum prom_type)t;
			skip_blanks(ps);
			return at_end(ps) ? 0 : fail(ps, "text after the type", f->name);
		}
	return fail(ps, "unknown metric type", word);
}

/* "# HELP name text" or "# TYPE name type"; the caller has read "# HELP" / "# TYPE". */
static int parse_meta(struct parser *ps, bool help)
{
	const char *name;
	size_t i;
	struct fam_state *st;

	skip_blanks(ps);
	if (!(name = read_name(ps, true)))
		return fail(ps, "missing metric name", help ? "HELP" : "TYPE");
	i = prom_map_get(&ps->names, name);
	if (i == (size_t)-1)
		i = add_family(ps, name);
	st = &ps->fs[i];
	ps->current = i;
	if (st->nsamples)
		return fail(ps, help ? "HELP after the samples of" : "TYPE after the samples of", name);
	if (help ? st->has_help : st->has_type)
		return fail(ps, help ? "second HELP line for" : "second TYPE line for", name);
	if (help) {
		st->has_help = true;
		if (!at_end(ps) && *ps->p != ' ' && *ps->p != '\t')
			return fail(ps, "invalid metric name", name);
		skip_blanks(ps);
		ps->e->families[i].help = read_escaped(ps, 0);
		if (!ps->e->families[i].help)
			return fail(ps, "invalid escape in HELP of", name);
		/* A HELP is only text: bytes that are not UTF-8 become '?'. */
		str_utf8_repair((char *)ps->e->families[i].help);
		return 0;
	}
	st->has_type = true;
	return parse_type(ps, &ps->e->families[i]);
}

static int parse_comment(struct parser *ps)
{
	const char *start;

	ps->p++;
	skip_blanks(ps);
	start = ps->p;
	while (!at_end(ps) && *ps->p != ' ' && *ps->p != '\t')
		ps->p++;
	if (ps->p - start == 4 && memcmp(start, "HELP", 4) == 0)
		return parse_meta(ps, true);
	if (ps->p - start == 4 && memcmp(start, "TYPE", 4) == 0)
		return parse_meta(ps, false);
	return 0;
}

static struct prom_label *new_label(struct parser *ps)
{
	if (ps->nlabels == ps->label_cap) {
		ps->label_cap = ps->label_cap ? ps->label_cap * 2 : 256;
		ps->e->label_store = xreallocarray(ps->e->label_store, ps->label_cap,
		                                   sizeof *ps->e->label_store);
	}
	return &ps->e->label_store[ps->nlabels++];
}

static bool duplicate_label(const struct parser *ps, size_t first, const char *name)
{
	for (size_t i = first; i + 1 < ps->nlabels; i++)
		if (ps->e->label_store[i].name[0] == name[0] &&
		    strcmp(ps->e->label_store[i].name, name) == 0)
			return true;
	return false;
}

/* {name="value",...} with an optional trailing comma; the caller has seen the '{'. */
static bool skip_blanks_seen(struct parser *ps)
{
	const char *at = ps->p;

	skip_blanks(ps);
	return ps->p != at;
}

/* One name="value" pair, the blanks around '=' noted in *canonical. */
static int parse_label(struct parser *ps, size_t first, bool *canonical)
{
	struct prom_label *l = new_label(ps);

	if (!(l->name = read_name(ps, false)))
		return fail(ps, "invalid label name", NULL);
	if (duplicate_label(ps, first, l->name))
		return fail(ps, "duplicate label", l->name);
	if (skip_blanks_seen(ps))
		*canonical = false;
	if (at_end(ps) || *ps->p++ != '=')
		return fail(ps, "expected '=' after label", l->name);
	if (skip_blanks_seen(ps))
		*canonical = false;
	if (at_end(ps) || *ps->p++ != '"')
		return fail(ps, "expected '\"' to open the value of label", l->name);
	if (!(l->value = read_escaped(ps, '"')))
		return fail(ps, "invalid escape or unterminated value of label", l->name);
	if (str_utf8_valid_prefix(l->value, strlen(l->value)) != strlen(l->value))
		ps->skip = "a label value that is not UTF-8";
	ps->p++;
	if (skip_blanks_seen(ps))
		*canonical = false;
	if (!at_end(ps) && (*ps->p == ',' || *ps->p == '}'))
		return 0;
	return fail(ps, "expected ',' or '}' after label", l->name);
}

static int parse_labels(struct parser *ps, size_t first, bool *canonical)
{
	bool after_comma = false;

	for (ps->p++;;) {
		if (skip_blanks_seen(ps))
			*canonical = false;
		if (!at_end(ps) && *ps->p == '}') {
			if (after_comma)
				*canonical = false;
			ps->p++;
			return 0;
		}
		if (parse_label(ps, first, canonical) < 0)
			return -1;
		after_comma = *ps->p == ',';
		if (after_comma)
			ps->p++;
	}
}

static struct prom_sample *new_sample(struct parser *ps)
{
	struct prom_exposition *e = ps->e;

	if (e->nsamples == ps->sample_cap) {
		ps->sample_cap = ps->sample_cap ? ps->sample_cap * 2 : 256;
		e->sample_store = xreallocarray(e->sample_store, ps->sample_cap, sizeof *e->sample_store);
		ps->raw = xreallocarray(ps->raw, ps->sample_cap, sizeof *ps->raw);
	}
	ps->raw[e->nsamples] = (struct raw){ .label_first = ps->nlabels };
	e->sample_store[e->nsamples] = (struct prom_sample){ 0 };
	return &e->sample_store[e->nsamples++];
}

/* The le of a bucket and the quantile of a summary sample must be numbers. */
static int check_special_labels(struct parser *ps, const struct prom_sample *s, size_t first,
                                const struct prom_family *f)
{
	const char *want = NULL;
	double v;

	if (f->type == PROM_HISTOGRAM && s->name_len > 7 &&
	    memcmp(s->name + s->name_len - 7, "_bucket", 7) == 0)
		want = "le";
	else if (f->type == PROM_SUMMARY && strcmp(s->name, f->name) == 0)
		want = "quantile";
	if (!want)
		return 0;
	for (size_t i = first; i < ps->nlabels; i++) {
		const char *value = ps->e->label_store[i].value;
		bool range;

		if (strcmp(ps->e->label_store[i].name, want) != 0)
			continue;
		if (prom_float(value, strlen(value), &v, &range))
			return 0;
		if (!range)
			return fail(ps, "label is not a number", want);
		ps->skip = "a label le or quantile out of range";
		return 0;
	}
	return fail(ps, "missing label", want);
}

static int parse_value(struct parser *ps, struct prom_sample *s, bool labels)
{
	const char *ts;
	bool range;

	if (!labels && (at_end(ps) || (*ps->p != ' ' && *ps->p != '\t')))
		return fail(ps, "expected a blank before the value of", s->name);
	skip_blanks(ps);
	s->value_text = read_token(ps);
	s->value_len = (size_t)(ps->w - s->value_text - 1);
	if (!prom_float(s->value_text, s->value_len, &s->value, &range)) {
		if (!range)
			return fail(ps, "invalid value", s->value_text);
		ps->skip = "a value out of range";
	}
	skip_blanks(ps);
	if (at_end(ps))
		return 0;
	s->has_timestamp = true;
	ts = read_token(ps);
	if (!prom_int64(ts, strlen(ts), &s->timestamp_ms))
		return fail(ps, "invalid timestamp of", s->name);
	skip_blanks(ps);
	return at_end(ps) ? 0 : fail(ps, "text after the timestamp of", s->name);
}

/* Parses the labels and keeps a copy of their raw text when it is canonical. */
static int parse_labels_kept(struct parser *ps, struct prom_sample *s, size_t first)
{
	const char *open = ps->p;
	bool canonical = true;
	size_t n;

	if (parse_labels(ps, first, &canonical) < 0)
		return -1;
	if (!canonical || ps->nlabels == first)
		return 0;
	n = (size_t)(ps->p - open - 2);
	memcpy(ps->w, open + 1, n);
	ps->w[n] = '\0';
	s->raw_labels = ps->w;
	s->raw_labels_len = n;
	ps->w += n + 1;
	return 0;
}

/* Leaves out the sample just parsed (its family, when known, loses it) and notes why; the
 * rest of the text is still used. */
static int skip_sample(struct parser *ps, size_t first, size_t fam)
{
	struct prom_exposition *e = ps->e;

	if (fam != (size_t)-1)
		ps->fs[fam].nsamples--;
	e->nsamples--;
	ps->nlabels = first;
	if (e->nskipped++ == 0)
		e->skipped = xasprintf("line %d: %s", ps->line, ps->skip);
	ps->skip = NULL;
	return 0;
}

static int parse_sample(struct parser *ps)
{
	struct prom_sample *s = new_sample(ps);
	size_t first = ps->nlabels, fam;
	const char *after_name;
	bool labels;

	if (!(s->name = read_name(ps, true)))
		return fail(ps, "invalid metric name", NULL);
	s->name_len = (size_t)(ps->w - s->name - 1);
	after_name = ps->p;
	skip_blanks(ps);
	labels = !at_end(ps) && *ps->p == '{';
	if (!labels)
		ps->p = after_name;
	else if (parse_labels_kept(ps, s, first) < 0)
		return -1;
	if (parse_value(ps, s, labels) < 0)
		return -1;
	if (ps->skip)
		return skip_sample(ps, first, (size_t)-1);
	fam = family_of_sample(ps, s->name, s->name_len);
	ps->raw[ps->e->nsamples - 1].family = fam;
	ps->fs[fam].nsamples++;
	ps->current = fam;
	s->nlabels = ps->nlabels - first;
	if (check_special_labels(ps, s, first, &ps->e->families[fam]) < 0)
		return -1;
	return ps->skip ? skip_sample(ps, first, fam) : 0;
}

static int parse_line(struct parser *ps)
{
	skip_blanks(ps);
	if (at_end(ps))
		return 0;
	if (*ps->p == '#')
		return parse_comment(ps);
	return parse_sample(ps);
}

/* Groups the samples by family (a stable counting sort: families may be interleaved in the
 * text) and turns label indexes into pointers now that the arrays no longer move. */
static void finish(struct parser *ps)
{
	struct prom_exposition *e = ps->e;
	struct prom_sample *sorted = xreallocarray(NULL, e->nsamples ? e->nsamples : 1,
	                                           sizeof *sorted);
	size_t *next = xcalloc(e->nfamilies + 1, sizeof *next);

	for (size_t f = 0, at = 0; f < e->nfamilies; at += ps->fs[f].nsamples, f++) {
		next[f] = at;
		e->families[f].nsamples = ps->fs[f].nsamples;
		e->families[f].samples = sorted + at;
	}
	for (size_t i = 0; i < e->nsamples; i++) {
		struct prom_sample *s = &sorted[next[ps->raw[i].family]++];

		*s = e->sample_store[i];
		s->labels = s->nlabels ? e->label_store + ps->raw[i].label_first : NULL;
	}
	free(next);
	free(e->sample_store);
	e->sample_store = sorted;
}

static void parser_free(struct parser *ps)
{
	free(ps->fs);
	free(ps->raw);
	prom_map_free(&ps->names);
}

int prom_parse(const char *text, size_t len, struct prom_exposition *out, char **cause)
{
	struct parser ps = { .line = 0, .e = out, .current = (size_t)-1 };
	const char *end = text + len, *next;
	int rc = 0;

	memset(out, 0, sizeof *out);
	out->text = ps.w = xmalloc(2 * len + 2);
	prom_map_init(&ps.names, 64);
	/* A NUL byte would end the tokens early: the text is refused, naming the line. */
	if ((ps.line = prom_nul_line(text, len)) > 0)
		rc = fail(&ps, "NUL byte in the text", NULL);
	for (const char *p = text; p < end && rc == 0; p = next) {
		ps.line++;
		ps.p = p;
		ps.end = prom_line_end(p, end, &next);
		rc = parse_line(&ps);
	}
	if (rc == 0)
		finish(&ps);
	parser_free(&ps);
	if (rc < 0) {
		prom_exposition_free(out);
		if (cause)
			*cause = ps.error;
		else
			free(ps.error);
		return -1;
	}
	return 0;
}

void prom_exposition_free(struct prom_exposition *e)
{
	free(e->families);
	free(e->sample_store);
	free(e->label_store);
	free(e->text);
	free(e->skipped);
	memset(e, 0, sizeof *e);
}

const struct prom_family *prom_find_family(const struct prom_exposition *e, const char *name)
{
	for (size_t i = 0; i < e->nfamilies; i++)
		if (strcmp(e->families[i].name, name) == 0)
			return &e->families[i];
	return NULL;
}

const char *prom_label_value(const struct prom_sample *s, const char *name)
{
	for (size_t i = 0; i < s->nlabels; i++)
		if (strcmp(s->labels[i].name, name) == 0)
			return s->labels[i].value;
	return NULL;
}
