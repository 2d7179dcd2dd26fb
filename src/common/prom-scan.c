/*
 * One pass over a node's exposition: each line is checked as strictly as prom_parse checks it
 * (so whatever we re-emit, promtool and Prometheus accept) and each sample line is recorded as
 * a piece of the text, with where node="..." goes in; nothing is copied. Nothing is unescaped
 * either: label values and HELP texts are passed on as written, which is already the form the
 * output needs. The few lines not written as the output writes them (blanks, a node label to
 * rename) are rewritten into the scan's own buffer. A sample that is well formed but that
 * Prometheus would refuse (label value not UTF-8, 1e999) is left out and counted, as
 * prom_parse does.
 */
#include "config.h"
#include "prom-scan.h"
#include "prom-lex.h"
#include "prom-map.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)

struct span {
	const char *p;
	size_t n;
};

struct label {
	struct span name, value;
};

/* A sample line's pieces, pointing into the text. */
struct line {
	struct span name, labels, value, ts; /* labels: between the braces; ts.p NULL: none */
	bool canonical; /* labels written as we would write them: copied as they are */
	bool has_node;  /* a label called node, which must be renamed */
};

struct scanner {
	const char *p, *end; /* the current line */
	int line;
	const char *text;
	struct prom_scan *s;
	const struct buf *node_label;
	struct prom_map names;   /* family name -> index in s->fams */
	size_t current;          /* family of the last HELP/TYPE/sample, or NONE */
	size_t run_family;       /* family of the last run, or NONE */
	struct label *labels;    /* of the sample being read */
	size_t nlabels, label_cap;
	const char *skip; /* why the sample being read is left out, or NULL */
	char *error;
};

static int fail(struct scanner *sc, const char *what, const char *detail, size_t n)
{
	sc->error = xasprintf("line %d: %s%s%.*s", sc->line, what, detail ? ": " : "",
	                      detail ? (int)n : 0, detail ? detail : "");
	return -1;
}

static void skip_blanks(struct scanner *sc)
{
	sc->p = prom_skip_blanks(sc->p, sc->end);
}

/* Skips blanks; whether there were any. */
static bool blanks_seen(struct scanner *sc)
{
	const char *at = sc->p;

	skip_blanks(sc);
	return sc->p != at;
}

static bool at_end(const struct scanner *sc)
{
	return sc->p >= sc->end;
}

/* A metric (colon true) or label name; false when there is none. */
static bool read_name(struct scanner *sc, bool colon, struct span *out)
{
	const char *p = prom_name_end(sc->p, sc->end, colon);

	if (p == sc->p)
		return false;
	*out = (struct span){ sc->p, (size_t)(p - sc->p) };
	sc->p = p;
	return true;
}

/* The token up to the next blank. */
static struct span read_token(struct scanner *sc)
{
	const char *p = sc->p, *end = sc->end;
	struct span t = { p, 0 };

	while (p < end && *p != ' ' && *p != '\t')
		p++;
	t.n = (size_t)(p - t.p);
	sc->p = p;
	return t;
}

/* Escaped text up to an unescaped '"' (quote) or the end of the line: \\, \n and, in label
 * values, \" are the escapes. False on another escape or a missing '"'. */
static bool read_escaped(struct scanner *sc, bool quote, struct span *out)
{
	const char *p = sc->p, *end = sc->end;
	const char *close = quote ? memchr(p, '"', (size_t)(end - p)) : end;

	/* Most texts have no escapes. */
	if (!close || memchr(p, '\\', (size_t)(close - p))) {
		for (; p < end && !(quote && *p == '"'); p++)
			if (*p == '\\' && (++p == end || (*p != 'n' && *p != '\\' &&
			                                  !(quote && *p == '"'))))
				return false;
		if (quote && p == end)
			return false;
		close = p;
	}
	*out = (struct span){ sc->p, (size_t)(close - sc->p) };
	sc->p = close;
	return true;
}

static bool span_is(struct span a, const char *s)
{
	return a.n == strlen(s) && memcmp(a.p, s, a.n) == 0;
}

static bool span_eq(struct span a, struct span b)
{
	return a.n == b.n && memcmp(a.p, b.p, a.n) == 0;
}

static size_t add_family(struct scanner *sc, struct span name)
{
	struct prom_scan *s = sc->s;

	if (s->nfams == s->fam_cap) {
		s->fam_cap = s->fam_cap ? s->fam_cap * 2 : 32;
		s->fams = xreallocarray(s->fams, s->fam_cap, sizeof *s->fams);
	}
	s->fams[s->nfams] = (struct prom_scan_family){ .name = name.p, .name_len = name.n };
	prom_map_putn(&sc->names, name.p, name.n, s->nfams);
	return s->nfams++;
}

/* Whether name is the family's name followed by suffix. */
static bool has_suffix(struct span name, const struct prom_scan_family *f, const char *suffix)
{
	size_t sn = strlen(suffix);

	return name.n == f->name_len + sn && memcmp(name.p, f->name, f->name_len) == 0 &&
	       memcmp(name.p + f->name_len, suffix, sn) == 0;
}

/* Whether a sample called name belongs to family f (histograms and summaries have
 * sub-samples). */
static bool belongs(const struct prom_scan_family *f, struct span name)
{
	if (name.n == f->name_len && memcmp(f->name, name.p, name.n) == 0)
		return true;
	if (f->type == PROM_HISTOGRAM && has_suffix(name, f, "_bucket"))
		return true;
	if (f->type == PROM_HISTOGRAM || f->type == PROM_SUMMARY)
		return has_suffix(name, f, "_sum") || has_suffix(name, f, "_count");
	return false;
}

/* A histogram or summary family that name is a sub-sample of, found by its suffix. */
static size_t family_by_suffix(struct scanner *sc, struct span name)
{
	static const char *const suffixes[] = { "_bucket", "_sum", "_count" };

	for (size_t k = 0; k < sizeof suffixes / sizeof *suffixes; k++) {
		size_t sn = strlen(suffixes[k]), i;

		if (name.n <= sn || memcmp(name.p + name.n - sn, suffixes[k], sn) != 0)
			continue;
		i = prom_map_getn(&sc->names, name.p, name.n - sn);
		if (i != NONE && belongs(&sc->s->fams[i], name))
			return i;
	}
	return NONE;
}

static size_t family_of_sample(struct scanner *sc, struct span name)
{
	size_t i = sc->current;

	if (i != NONE && belongs(&sc->s->fams[i], name))
		return i;
	i = prom_map_getn(&sc->names, name.p, name.n);
	if (i == NONE)
		i = family_by_suffix(sc, name);
	return i != NONE ? i : add_family(sc, name);
}

static int scan_type(struct scanner *sc, struct prom_scan_family *f)
{
	struct span word;

	skip_blanks(sc);
	word = read_token(sc);
	for (enum prom_type t = PROM_UNTYPED; t <= PROM_SUMMARY; t++)
		if (span_is(word, prom_type_name(t))) {
			f->type = t;
			f->has_type = true;
			skip_blanks(sc);
			return at_end(sc) ? 0 : fail(sc, "text after the type", f->name, f->name_len);
		}
	return fail(sc, "unknown metric type", word.p, word.n);
}

static int scan_help(struct scanner *sc, struct prom_scan_family *f)
{
	struct span help;

	if (!at_end(sc) && *sc->p != ' ' && *sc->p != '\t')
		return fail(sc, "invalid metric name", f->name, f->name_len);
	skip_blanks(sc);
	if (!read_escaped(sc, false, &help))
		return fail(sc, "invalid escape in HELP of", f->name, f->name_len);
	f->help = help.p;
	f->help_len = help.n;
	return 0;
}

/* "# HELP name text" or "# TYPE name type"; the caller has read "# HELP" / "# TYPE". */
static int scan_meta(struct scanner *sc, bool help)
{
	struct span name;
	struct prom_scan_family *f;
	size_t i;

	skip_blanks(sc);
	if (!read_name(sc, true, &name))
		return fail(sc, "missing metric name", help ? "HELP" : "TYPE", 4);
	i = prom_map_getn(&sc->names, name.p, name.n);
	if (i == NONE)
		i = add_family(sc, name);
	f = &sc->s->fams[i];
	sc->current = i;
	if (f->nsamples)
		return fail(sc, help ? "HELP after the samples of" : "TYPE after the samples of",
		            name.p, name.n);
	if (help ? f->help != NULL : f->has_type)
		return fail(sc, help ? "second HELP line for" : "second TYPE line for", name.p, name.n);
	return help ? scan_help(sc, f) : scan_type(sc, f);
}

static int scan_comment(struct scanner *sc)
{
	struct span word;

	sc->p++;
	skip_blanks(sc);
	word = read_token(sc);
	if (span_is(word, "HELP"))
		return scan_meta(sc, true);
	if (span_is(word, "TYPE"))
		return scan_meta(sc, false);
	return 0;
}

static struct label *new_label(struct scanner *sc)
{
	if (sc->nlabels == sc->label_cap) {
		sc->label_cap = sc->label_cap ? sc->label_cap * 2 : 16;
		sc->labels = xreallocarray(sc->labels, sc->label_cap, sizeof *sc->labels);
	}
	return &sc->labels[sc->nlabels++];
}

static bool duplicate_label(const struct scanner *sc, struct span name)
{
	for (size_t i = 0; i + 1 < sc->nlabels; i++)
		if (span_eq(sc->labels[i].name, name))
			return true;
	return false;
}

/* name="value" and what follows it up to the next label or '}'. */
static int scan_label(struct scanner *sc, struct line *ln, bool *after_comma)
{
	struct label *l = new_label(sc);

	if (!read_name(sc, false, &l->name))
		return fail(sc, "invalid label name", NULL, 0);
	if (duplicate_label(sc, l->name))
		return fail(sc, "duplicate label", l->name.p, l->name.n);
	ln->has_node |= span_is(l->name, "node");
	ln->canonical &= !blanks_seen(sc);
	if (at_end(sc) || *sc->p++ != '=')
		return fail(sc, "expected '=' after label", l->name.p, l->name.n);
	ln->canonical &= !blanks_seen(sc);
	if (at_end(sc) || *sc->p++ != '"')
		return fail(sc, "expected '\"' to open the value of label", l->name.p, l->name.n);
	if (!read_escaped(sc, true, &l->value))
		return fail(sc, "invalid escape or unterminated value of label", l->name.p,
		            l->name.n);
	sc->p++;
	ln->canonical &= !blanks_seen(sc);
	*after_comma = !at_end(sc) && *sc->p == ',';
	if (*after_comma)
		sc->p++;
	else if (at_end(sc) || *sc->p != '}')
		return fail(sc, "expected ',' or '}' after label", l->name.p, l->name.n);
	return 0;
}

/* Whether the n bytes at p are all ASCII, eight at a time: most label sets are. */
static bool ascii(const char *p, size_t n)
{
	uint64_t acc = 0, w;

	for (; n >= 8; p += 8, n -= 8) {
		memcpy(&w, p, 8);
		acc |= w;
	}
	for (; n > 0; p++, n--)
		acc |= (unsigned char)*p;
	return (acc & 0x8080808080808080ULL) == 0;
}

/* {name="value",...} with an optional trailing comma; the caller has seen the '{'. Label
 * names are ASCII, so the text between the braces is UTF-8 when its values are. */
static int scan_labels(struct scanner *sc, struct line *ln)
{
	const char *open = sc->p;
	bool after_comma = false;

	for (sc->p++;;) {
		ln->canonical &= !blanks_seen(sc);
		if (!at_end(sc) && *sc->p == '}')
			break;
		if (scan_label(sc, ln, &after_comma) < 0)
			return -1;
	}
	ln->canonical &= !after_comma;
	ln->labels = (struct span){ open + 1, (size_t)(sc->p - open - 1) };
	sc->p++;
	if (!ascii(ln->labels.p, ln->labels.n) &&
	    str_utf8_valid_prefix(ln->labels.p, ln->labels.n) != ln->labels.n)
		sc->skip = "a label value that is not UTF-8";
	return 0;
}

static int scan_value(struct scanner *sc, struct line *ln)
{
	bool labels = ln->labels.p != NULL, range;
	double v;
	int64_t ts;

	if (!labels && (at_end(sc) || (*sc->p != ' ' && *sc->p != '\t')))
		return fail(sc, "expected a blank before the value of", ln->name.p, ln->name.n);
	skip_blanks(sc);
	ln->value = read_token(sc);
	if (!prom_float(ln->value.p, ln->value.n, &v, &range)) {
		if (!range)
			return fail(sc, "invalid value", ln->value.p, ln->value.n);
		sc->skip = "a value out of range";
	}
	skip_blanks(sc);
	if (at_end(sc))
		return 0;
	ln->ts = read_token(sc);
	if (!prom_int64(ln->ts.p, ln->ts.n, &ts))
		return fail(sc, "invalid timestamp of", ln->name.p, ln->name.n);
	skip_blanks(sc);
	return at_end(sc) ? 0 : fail(sc, "text after the timestamp of", ln->name.p, ln->name.n);
}

/* The le of a bucket and the quantile of a summary sample must be numbers. */
static int check_special_labels(struct scanner *sc, const struct line *ln,
                                const struct prom_scan_family *f)
{
	const char *want = NULL;
	bool range;
	double v;

	if (f->type == PROM_HISTOGRAM && ln->name.n > 7 &&
	    memcmp(ln->name.p + ln->name.n - 7, "_bucket", 7) == 0)
		want = "le";
	else if (f->type == PROM_SUMMARY && ln->name.n == f->name_len)
		want = "quantile";
	if (!want)
		return 0;
	for (size_t i = 0; i < sc->nlabels; i++) {
		const struct span *value = &sc->labels[i].value;

		if (!span_is(sc->labels[i].name, want))
			continue;
		if (prom_float(value->p, value->n, &v, &range))
			return 0;
		if (!range)
			return fail(sc, "label is not a number", want, strlen(want));
		sc->skip = "a label le or quantile out of range";
		return 0;
	}
	return fail(sc, "missing label", want, strlen(want));
}

/* A label called node becomes exported_node (exported_exported_node if that is taken too,
 * as Prometheus does). */
static void put_renamed(struct buf *b, const struct scanner *sc)
{
	static const char prefix[] = "exported_";
	char name[128] = "node";
	size_t len = 4;
	bool taken;

	do {
		if (len + sizeof prefix > sizeof name)
			break;
		memmove(name + sizeof prefix - 1, name, len + 1);
		memcpy(name, prefix, sizeof prefix - 1);
		len += sizeof prefix - 1;
		taken = false;
		for (size_t i = 0; i < sc->nlabels; i++)
			taken |= span_eq(sc->labels[i].name, (struct span){ name, len });
	} while (taken);
	buf_append(b, name, len);
}

/* The labels one by one: blanks and a trailing comma dropped, node renamed. */
static void put_labels(struct buf *b, const struct scanner *sc)
{
	for (size_t i = 0; i < sc->nlabels; i++) {
		const struct label *l = &sc->labels[i];

		buf_putc(b, ',');
		if (span_is(l->name, "node"))
			put_renamed(b, sc);
		else
			buf_append(b, l->name.p, l->name.n);
		buf_append(b, "=\"", 2);
		buf_append(b, l->value.p, l->value.n);
		buf_putc(b, '"');
	}
}

/* name{node="<node>",labels} value [timestamp]\n, rewritten into the scan's own buffer. */
static void put_own(struct scanner *sc, const struct line *ln)
{
	struct buf *b = &sc->s->own;
	const struct buf *nl = sc->node_label;

	buf_append(b, ln->name.p, ln->name.n);
	buf_putc(b, '{');
	buf_append(b, nl->data, nl->len);
	put_labels(b, sc);
	buf_append(b, "} ", 2);
	buf_append(b, ln->value.p, ln->value.n);
	if (ln->ts.p) {
		buf_putc(b, ' ');
		buf_append(b, ln->ts.p, ln->ts.n);
	}
	buf_putc(b, '\n');
}

/* Whether the line, from its name to its end, is written as the output writes it: labels
 * canonical and without node, then "} value" or " value", " timestamp", nothing after. */
static bool as_output(const struct scanner *sc, const struct line *ln)
{
	const char *after = ln->name.p + ln->name.n, *vend = ln->value.p + ln->value.n;

	if (!ln->canonical || ln->has_node)
		return false;
	if (ln->labels.p) {
		if (ln->labels.p != after + 1)
			return false;
		after = ln->labels.p + ln->labels.n + 1;
	}
	if (*after != ' ' || ln->value.p != after + 1)
		return false;
	if (!ln->ts.p)
		return vend == sc->end;
	return *vend == ' ' && ln->ts.p == vend + 1 && ln->ts.p + ln->ts.n == sc->end;
}

/* The sample's piece: the line itself, cut after "name{" or "name"; else rewritten. *bytes:
 * its length in the output. */
static int make_piece(struct scanner *sc, const struct line *ln, struct prom_piece *p,
                      size_t *bytes)
{
	struct prom_scan *s = sc->s;
	size_t at = s->own.len;

	if (as_output(sc, ln)) {
		p->off = (uint32_t)(ln->name.p - sc->text);
		p->cut = (uint32_t)(ln->name.n + (ln->labels.p != NULL));
		p->len = (uint32_t)(sc->end - ln->name.p);
		*bytes = p->len + s->label_len + 1 + (!ln->labels.p ? 2 : ln->labels.n ? 1 : 0);
		return 0;
	}
	put_own(sc, ln);
	if (s->own.len > UINT32_MAX)
		return fail(sc, "text too large once rewritten", NULL, 0);
	*p = (struct prom_piece){ (uint32_t)at, PROM_PIECE_OWN, (uint32_t)(s->own.len - at) };
	*bytes = p->len;
	return 0;
}

/* Records the sample in the run of its family (a new run when the family changed). */
static int put_in_run(struct scanner *sc, const struct line *ln, size_t fam)
{
	struct prom_scan *s = sc->s;
	size_t bytes;

	if (fam != sc->run_family) {
		if (s->nruns == s->run_cap) {
			s->run_cap = s->run_cap ? s->run_cap * 2 : 32;
			s->runs = xreallocarray(s->runs, s->run_cap, sizeof *s->runs);
		}
		s->runs[s->nruns++] = (struct prom_run){ fam, s->npieces, 0, 0 };
		sc->run_family = fam;
	}
	if (s->npieces == s->piece_cap) {
		s->piece_cap = s->piece_cap ? s->piece_cap * 2 : 64;
		s->pieces = xreallocarray(s->pieces, s->piece_cap, sizeof *s->pieces);
	}
	if (make_piece(sc, ln, &s->pieces[s->npieces], &bytes) < 0)
		return -1;
	s->npieces++;
	s->runs[s->nruns - 1].n++;
	s->runs[s->nruns - 1].bytes += bytes;
	return 0;
}

/* Leaves out the sample just read and notes why; the rest of the text is still used. */
static int skip_sample(struct scanner *sc)
{
	if (sc->s->nskipped++ == 0)
		sc->s->skipped = xasprintf("line %d: %s", sc->line, sc->skip);
	sc->skip = NULL;
	return 0;
}

static int scan_sample(struct scanner *sc)
{
	struct line ln = { .canonical = true };
	const char *after_name;
	size_t fam;

	sc->nlabels = 0;
	if (!read_name(sc, true, &ln.name))
		return fail(sc, "invalid metric name", NULL, 0);
	after_name = sc->p;
	skip_blanks(sc);
	if (at_end(sc) || *sc->p != '{')
		sc->p = after_name;
	else if (scan_labels(sc, &ln) < 0)
		return -1;
	if (scan_value(sc, &ln) < 0)
		return -1;
	if (sc->skip)
		return skip_sample(sc);
	fam = family_of_sample(sc, ln.name);
	sc->current = fam;
	if (check_special_labels(sc, &ln, &sc->s->fams[fam]) < 0)
		return -1;
	if (sc->skip)
		return skip_sample(sc);
	sc->s->fams[fam].nsamples++;
	return put_in_run(sc, &ln, fam);
}

static int scan_line(struct scanner *sc)
{
	skip_blanks(sc);
	if (at_end(sc))
		return 0;
	if (*sc->p == '#')
		return scan_comment(sc);
	return scan_sample(sc);
}

/* A NUL byte would be passed on: the text is refused, naming the line. */
static int scan_lines(struct scanner *sc, const char *text, size_t len)
{
	const char *end = text + len, *next;
	int rc = 0;

	if ((sc->line = prom_nul_line(text, len)) > 0)
		return fail(sc, "NUL byte in the text", NULL, 0);
	for (const char *p = text; p < end && rc == 0; p = next) {
		sc->line++;
		sc->p = p;
		sc->end = prom_line_end(p, end, &next);
		rc = scan_line(sc);
	}
	return rc;
}

/* Room for the pieces of a text of len bytes, guessed from its lines (a sample line of the
 * agent's is about 130 bytes), so that the array seldom moves. */
static void reserve_pieces(struct prom_scan *s, size_t len)
{
	s->piece_cap = len / 96 + 16;
	s->pieces = xreallocarray(NULL, s->piece_cap, sizeof *s->pieces);
}

int prom_scan_text(const char *text, size_t len, const struct buf *node_label,
                   struct prom_scan *out, char **cause)
{
	struct scanner sc = { .text = text, .s = out, .node_label = node_label, .current = NONE,
	                      .run_family = NONE };
	int rc = -1;

	memset(out, 0, sizeof *out);
	out->text = text;
	out->label_len = node_label->len;
	if (len > UINT32_MAX) {
		sc.error = xstrdup("line 1: text larger than 4 GiB");
	} else {
		reserve_pieces(out, len);
		prom_map_init(&sc.names, 32);
		rc = scan_lines(&sc, text, len);
		prom_map_free(&sc.names);
	}
	free(sc.labels);
	if (rc < 0) {
		prom_scan_free(out);
		if (cause)
			*cause = sc.error;
		else
			free(sc.error);
	}
	return rc;
}

void prom_scan_free(struct prom_scan *s)
{
	free(s->fams);
	free(s->pieces);
	free(s->runs);
	free(s->skipped);
	buf_free(&s->own);
	memset(s, 0, sizeof *s);
}
