/*
 * Merges several nodes' expositions into one valid exposition (docs/protocol.md section 5)
 * without a model of the samples: each node's text is scanned once (prom-scan.c), which
 * records its sample lines, in runs of one family, as pieces of the text; the merge files the
 * runs under the merged families (one hash lookup per node family), places each family in
 * the output from the sizes of its runs, and writes the runs straight from the nodes' texts,
 * node after node, with the node label put in. The cost is linear in the input, and after the
 * scan the bytes go through memory once more: each text read front to back, written to the
 * output (no buffer of lines in between), which is the last merge's memory (prom-out.c).
 */
#include "config.h"
#include "buf.h"
#include "prom.h"
#include "prom-map.h"
#include "prom-out.h"
#include "prom-scan.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UP_NAME "lmcache_frontend_node_up"
#define DURATION_NAME "lmcache_frontend_node_scrape_duration_seconds"
#define SKIPPED_NAME "lmcache_frontend_node_samples_skipped"
#define NONE ((size_t)-1)

/* A run of one node's scan that belongs to a merged family. The runs are kept in the order
 * of the nodes, so a family's runs, in that order, are its part of the output. Room for
 * them is made by take_scan. */
struct run {
	const struct prom_scan *scan;
	const struct prom_piece *pieces;
	uint32_t n;    /* pieces */
	uint32_t node; /* whose label goes in */
	uint32_t fam;
	size_t bytes;
	size_t out; /* where it goes in the output */
};

struct mfamily {
	const char *name;
	size_t name_len;
	enum prom_type type;
	const char *help; /* as written (escaped), or NULL */
	size_t help_len;
	size_t bytes;       /* of its runs */
	bool own;           /* one of our per-node gauges */
	size_t own_index;   /* which one, in own_gauges */
	size_t head, head_len; /* its HELP and TYPE (own: all its lines) in the merger's head */
	size_t out;            /* where they go in the output */
	size_t end;            /* where its runs end in the output (while they are written) */
};

enum node_state { NODE_UP, NODE_DOWN, NODE_DUPLICATE };

struct merger {
	const struct prom_node *nodes;
	size_t n;
	struct prom_scan *scans; /* the scans made here */
	enum node_state *state;
	size_t *skipped; /* per node: samples its scan left out */
	struct mfamily *fams;
	size_t nfams, fam_cap;
	struct run *runs;
	size_t nruns, run_cap;
	size_t *fam_of; /* the last node's families' merged families (NONE: left out) */
	size_t fam_of_n, fam_of_cap;
	struct prom_map index;
	struct prom_problems problems;
	struct buf *node_labels; /* node="<name>", escaped once per node: views into labels */
	struct buf labels;
	struct buf head; /* the output's lines not from the nodes: problems, HELP, TYPE, ours */
	size_t problems_len; /* the problems' part of head */
};

static void problem(struct merger *m, size_t node, const char *family, size_t flen,
                    char *message)
{
	struct prom_problems *p = &m->problems;

	p->items = xreallocarray(p->items, p->count + 1, sizeof *p->items);
	p->items[p->count++] = (struct prom_problem){
		.node = xstrdup(m->nodes[node].name),
		.family = family ? xstrndup(family, flen) : NULL,
		.message = message,
	};
}

static size_t add_mfamily(struct merger *m, const char *name, size_t len, enum prom_type type,
                          bool own)
{
	if (m->nfams == m->fam_cap) {
		m->fam_cap = m->fam_cap ? m->fam_cap * 2 : 256;
		m->fams = xreallocarray(m->fams, m->fam_cap, sizeof *m->fams);
	}
	m->fams[m->nfams] = (struct mfamily){ name, len, type, NULL, 0, 0, own, 0, 0, 0, 0, 0 };
	prom_map_putn(&m->index, name, len, m->nfams);
	return m->nfams++;
}

static void add_run(struct merger *m, size_t fam, const struct prom_scan *s, size_t run,
                    size_t node)
{
	const struct prom_run *pr = &s->runs[run];

	m->runs[m->nruns++] = (struct run){ s, &s->pieces[pr->first], (uint32_t)pr->n,
	                                    (uint32_t)node, (uint32_t)fam, pr->bytes, 0 };
	m->fams[fam].bytes += pr->bytes;
}

/* The merged family of one node family, or NONE with the reason reported. guess is the merged
 * family at the same place in the last node: nodes mostly list the same families in the same
 * order, so the hash table is seldom needed. */
static size_t take_family(struct merger *m, size_t node, const struct prom_scan_family *f,
                          size_t guess)
{
	size_t i = guess;
	struct mfamily *mf;

	if (i == NONE || m->fams[i].name_len != f->name_len ||
	    memcmp(m->fams[i].name, f->name, f->name_len) != 0)
		i = prom_map_getn(&m->index, f->name, f->name_len);
	if (i == NONE)
		i = add_mfamily(m, f->name, f->name_len, f->type, false);
	mf = &m->fams[i];
	if (mf->own) {
		problem(m, node, f->name, f->name_len,
		        xasprintf("family %.*s skipped: the name is reserved for the frontend's "
		                  "own gauge", (int)f->name_len, f->name));
		return NONE;
	}
	if (mf->type != f->type) {
		problem(m, node, f->name, f->name_len,
		        xasprintf("family %.*s skipped: type %s conflicts with %s", (int)f->name_len,
		                  f->name, prom_type_name(f->type), prom_type_name(mf->type)));
		return NONE;
	}
	if (!mf->help && f->help) {
		mf->help = f->help;
		mf->help_len = f->help_len;
	}
	return i;
}

/* Files a node's families and runs under the merged families. */
static void take_scan(struct merger *m, size_t node, const struct prom_scan *s)
{
	m->skipped[node] = s->nskipped;
	if (s->nskipped)
		problem(m, node, NULL, 0, xasprintf("%zu sample%s left out (first: %s)", s->nskipped,
		                                    s->nskipped == 1 ? "" : "s", s->skipped));
	if (s->nfams > m->fam_of_cap) {
		m->fam_of_cap = s->nfams * 2;
		m->fam_of = xreallocarray(m->fam_of, m->fam_of_cap, sizeof *m->fam_of);
	}
	if (m->nruns + s->nruns > m->run_cap) { /* room for all nodes: they mostly look alike */
		m->run_cap = m->nruns + s->nruns * (m->n - node);
		m->runs = xreallocarray(m->runs, m->run_cap, sizeof *m->runs);
	}
	for (size_t i = 0; i < s->nfams; i++)
		m->fam_of[i] = take_family(m, node, &s->fams[i], i < m->fam_of_n ? m->fam_of[i] : NONE);
	m->fam_of_n = s->nfams;
	for (size_t i = 0; i < s->nruns; i++)
		if (m->fam_of[s->runs[i].family] != NONE)
			add_run(m, m->fam_of[s->runs[i].family], s, i, node);
}

/* Scans a node's text (unless the caller did); a node that failed or sent garbage is
 * down. */
static void take_node(struct merger *m, size_t node, const struct prom_scan *given)
{
	const struct prom_node *in = &m->nodes[node];
	char *cause = NULL;

	if (m->state[node] == NODE_DUPLICATE) {
		problem(m, node, NULL, 0, xstrdup("node skipped: another node has the same name"));
		return;
	}
	if (!given && !in->text) {
		m->state[node] = NODE_DOWN;
		problem(m, node, NULL, 0,
		        xasprintf("scrape failed: %s", in->error ? in->error : "no data"));
		return;
	}
	if (!given && prom_scan_text(in->text, in->len, &m->node_labels[node], &m->scans[node],
	                             &cause) < 0) {
		m->state[node] = NODE_DOWN;
		problem(m, node, NULL, 0, xasprintf("invalid exposition: %s", cause));
		free(cause);
		return;
	}
	take_scan(m, node, given ? given : &m->scans[node]);
}

/* A HELP text as written: its escapes are the output's already; bytes that are not UTF-8
 * become '?'. */
static void put_help(struct buf *b, const char *s, size_t n)
{
	while (n > 0) {
		size_t ok = str_utf8_valid_prefix(s, n);

		buf_append(b, s, ok);
		if (ok == n)
			return;
		buf_putc(b, '?');
		s += ok + 1;
		n -= ok + 1;
	}
}

static void put_header(struct buf *b, const struct mfamily *mf)
{
	if (mf->help) {
		buf_printf(b, "# HELP %.*s ", (int)mf->name_len, mf->name);
		put_help(b, mf->help, mf->help_len);
		buf_putc(b, '\n');
	}
	buf_printf(b, "# TYPE %.*s %s\n", (int)mf->name_len, mf->name, prom_type_name(mf->type));
}

/* "} <seconds>\n": whole milliseconds (what the frontend measures) without printf, whose
 * float formatting cost more than a node's samples; anything else as %.9g. */
static void put_seconds(struct buf *b, double s)
{
	double ms = s * 1000.0;
	long long whole = ms >= 0 && ms < 1e12 ? (long long)(ms + 0.5) : -1;
	char text[32];

	/* %.9g would print the same digits: s is within 1e-9 of whole milliseconds. */
	if (whole < 0 || ms - (double)whole > 1e-6 || (double)whole - ms > 1e-6) {
		buf_printf(b, "} %.9g\n", s);
		return;
	}
	snprintf(text, sizeof text, "} %lld.%03lld\n", whole / 1000, whole % 1000);
	buf_puts(b, text);
}

static const struct {
	const char *name, *help;
} own_gauges[] = {
	{ UP_NAME, "Whether the frontend could scrape and parse the node's metrics (1) or not (0)." },
	{ DURATION_NAME, "How long the frontend's scrape of the node's metrics took, in seconds." },
	{ SKIPPED_NAME, "Samples of the node's last scrape left out of the merge because Prometheus "
			"would refuse them (a label value not UTF-8, a value out of range)." },
};

/* Our per-node gauge number g (an index into own_gauges). */
static void put_own(struct buf *b, const struct merger *m, size_t g)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s gauge\n", own_gauges[g].name, own_gauges[g].help,
	           own_gauges[g].name);
	for (size_t i = 0; i < m->n; i++) {
		if (m->state[i] == NODE_DUPLICATE)
			continue;
		buf_puts(b, own_gauges[g].name);
		buf_putc(b, '{');
		buf_append(b, m->node_labels[i].data, m->node_labels[i].len);
		if (g == 0)
			buf_puts(b, m->state[i] == NODE_UP ? "} 1\n" : "} 0\n");
		else if (g == 1)
			put_seconds(b, m->nodes[i].scrape_seconds);
		else
			buf_printf(b, "} %zu\n", m->skipped[i]);
	}
}

/* Problems as comments: one line each, so a newline in a message cannot break the text. */
static void put_problems(struct buf *b, const struct merger *m)
{
	for (size_t i = 0; i < m->problems.count; i++) {
		const struct prom_problem *p = &m->problems.items[i];
		size_t at = b->len;

		buf_printf(b, "# node %s: %s\n", p->node, p->message);
		for (size_t k = at; k + 1 < b->len; k++)
			if (b->data[k] == '\n' || b->data[k] == '\r')
				b->data[k] = ' ';
	}
}

/* Writes the lines not from the nodes into m->head, places every family in the output, and
 * returns the output's length. */
static size_t plan(struct merger *m)
{
	size_t at;

	put_problems(&m->head, m);
	m->problems_len = at = m->head.len;
	for (size_t i = 0; i < m->nfams; i++) {
		struct mfamily *mf = &m->fams[i];

		mf->head = m->head.len;
		if (mf->own)
			put_own(&m->head, m, mf->own_index);
		else
			put_header(&m->head, mf);
		mf->head_len = m->head.len - mf->head;
		mf->out = at;
		at += mf->head_len + mf->bytes;
		mf->end = at;
	}
	return at;
}

/* Asks for n bytes at p to be brought into the cache while other work goes on. */
static void prefetch(const char *p, size_t n)
{
	for (size_t at = 0; at < n; at += 64)
		__builtin_prefetch(p + at);
}

/* The runs [first, end) of one node at their places in the output o: each right before what
 * the next nodes put in its family (written already). */
static void put_node_runs(struct merger *m, size_t first, size_t end, char *o)
{
	for (size_t i = end; i-- > first;) {
		struct run *r = &m->runs[i];

		m->fams[r->fam].end -= r->bytes;
		r->out = m->fams[r->fam].end;
	}
	for (size_t i = first; i < end; i++) {
		const struct run *r = &m->runs[i];

		prom_scan_put_run(r->scan, r->pieces, r->n, &m->node_labels[r->node], o + r->out);
	}
}

/* The output is written node after node, last node first, each node's runs in the order of
 * its text: each text is read front to back (not a line here and there for every family),
 * and the last texts scanned, still in the cache, first. */
static void write_output(struct buf *b, struct merger *m)
{
	size_t len = plan(m), end = m->nruns;

	b->data = prom_out_take(&prom_out_slot, len + 1);
	b->cap = len + 1;
	b->len = len;
	memcpy(b->data, m->head.data, m->problems_len);
	for (size_t i = 0; i < m->nfams; i++)
		memcpy(b->data + m->fams[i].out, m->head.data + m->fams[i].head, m->fams[i].head_len);
	while (end > 0) {
		size_t first = end - 1;

		while (first > 0 && m->runs[first - 1].node == m->runs[end - 1].node)
			first--;
		put_node_runs(m, first, end, b->data);
		end = first;
	}
	b->data[len] = '\0';
}

/* Each node's label, all in one buffer (a thousand nodes: a thousand allocations fewer), and
 * which nodes repeat an earlier node's name; while each name is in the cache. */
static void name_nodes(struct merger *m)
{
	struct prom_map names;

	prom_map_init(&names, m->n);
	for (size_t i = 0; i < m->n; i++) {
		size_t at = m->labels.len, len = strlen(m->nodes[i].name);

		if (prom_map_getn(&names, m->nodes[i].name, len) != NONE)
			m->state[i] = NODE_DUPLICATE;
		else
			prom_map_putn(&names, m->nodes[i].name, len, i);
		prom_node_label(&m->labels, m->nodes[i].name);
		m->node_labels[i].len = m->labels.len - at;
		m->node_labels[i].cap = at; /* where it starts, until the buffer stops moving */
	}
	for (size_t i = 0; i < m->n; i++) {
		m->node_labels[i].data = m->labels.data + m->node_labels[i].cap;
		m->node_labels[i].cap = m->node_labels[i].len;
	}
	prom_map_free(&names);
}

static void merger_init(struct merger *m, const struct prom_node *nodes, size_t n)
{
	size_t k = n ? n : 1;

	*m = (struct merger){ .nodes = nodes, .n = n };
	m->scans = xcalloc(k, sizeof *m->scans);
	m->state = xcalloc(k, sizeof *m->state);
	m->skipped = xcalloc(k, sizeof *m->skipped);
	m->node_labels = xcalloc(k, sizeof *m->node_labels);
	prom_map_init(&m->index, 512);
	for (size_t g = 0; g < sizeof own_gauges / sizeof *own_gauges; g++) {
		size_t f = add_mfamily(m, own_gauges[g].name, strlen(own_gauges[g].name),
		                       PROM_GAUGE, true);

		m->fams[f].own_index = g;
	}
	name_nodes(m);
}

static void merger_free(struct merger *m)
{
	for (size_t i = m->n; i-- > 0;) /* the last made first: their blocks are in the cache */
		prom_scan_free(&m->scans[i]);
	free(m->node_labels);
	buf_free(&m->labels);
	buf_free(&m->head);
	prom_map_free(&m->index);
	free(m->scans);
	free(m->state);
	free(m->skipped);
	free(m->fams);
	free(m->runs);
	free(m->fam_of);
}

char *prom_merge_scans(const struct prom_node *nodes, struct prom_scan *const *scans, size_t n,
                       size_t *out_len, struct prom_problems *problems)
{
	struct merger m;
	struct buf b = BUF_INIT;

	merger_init(&m, nodes, n);
	for (size_t i = 0; i < n; i++) {
		if (i + 1 < n && nodes[i + 1].text && !(scans && scans[i + 1]))
			prefetch(nodes[i + 1].text, nodes[i + 1].len < 16384 ? nodes[i + 1].len : 16384);
		take_node(&m, i, scans ? scans[i] : NULL);
	}
	write_output(&b, &m);
	merger_free(&m);
	if (problems)
		*problems = m.problems;
	else
		prom_problems_free(&m.problems);
	if (out_len)
		*out_len = b.len;
	return buf_steal(&b);
}

char *prom_merge(const struct prom_node *nodes, size_t n, size_t *out_len,
                 struct prom_problems *problems)
{
	return prom_merge_scans(nodes, NULL, n, out_len, problems);
}

void prom_problems_free(struct prom_problems *p)
{
	for (size_t i = 0; i < p->count; i++) {
		free(p->items[i].node);
		free(p->items[i].family);
		free(p->items[i].message);
	}
	free(p->items);
	p->items = NULL;
	p->count = 0;
}
