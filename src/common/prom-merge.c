/*
 * Merges several nodes' expositions into one valid exposition (docs/protocol.md section 5). Each
 * family name is looked up in a hash table once per node, each family keeps a list of the
 * node families it is made of, and the output is written into one buffer sized up front:
 * the cost is linear in the input.
 */
#include "config.h"
#include "buf.h"
#include "prom.h"
#include "prom-map.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UP_NAME "lmcache_frontend_node_up"
#define DURATION_NAME "lmcache_frontend_node_scrape_duration_seconds"
#define SKIPPED_NAME "lmcache_frontend_node_samples_skipped"
#define NONE ((size_t)-1)

/* One node family taking part in a merged family; parts of a family form a list. */
struct part {
	size_t node;
	const struct prom_family *f;
	size_t next;
};

struct mfamily {
	const char *name;
	enum prom_type type;
	const char *help;
	size_t first, last; /* parts */
	bool own;           /* one of our per-node gauges */
	size_t own_index;   /* which one, in own_gauges */
};

enum node_state { NODE_UP, NODE_DOWN, NODE_DUPLICATE };

struct merger {
	const struct prom_node *nodes;
	size_t n;
	struct prom_exposition *exps;
	enum node_state *state;
	size_t *skipped; /* per node: samples its parse left out */
	struct mfamily *fams;
	size_t nfams, fam_cap;
	struct part *parts;
	size_t nparts, part_cap;
	struct prom_map index;
	struct prom_problems problems;
	struct buf *node_labels; /* node="<name>", escaped once per node */
};

static void problem(struct merger *m, size_t node, const char *family, char *message)
{
	struct prom_problems *p = &m->problems;

	p->items = xreallocarray(p->items, p->count + 1, sizeof *p->items);
	p->items[p->count++] = (struct prom_problem){
		.node = xstrdup(m->nodes[node].name),
		.family = family ? xstrdup(family) : NULL,
		.message = message,
	};
}

static size_t add_mfamily(struct merger *m, const char *name, enum prom_type type,
                          const char *help, bool own)
{
	if (m->nfams == m->fam_cap) {
		m->fam_cap = m->fam_cap ? m->fam_cap * 2 : 256;
		m->fams = xreallocarray(m->fams, m->fam_cap, sizeof *m->fams);
	}
	m->fams[m->nfams] = (struct mfamily){ name, type, help, NONE, NONE, own, 0 };
	prom_map_put(&m->index, name, m->nfams);
	return m->nfams++;
}

static void add_part(struct merger *m, size_t fam, size_t node, const struct prom_family *f)
{
	struct mfamily *mf = &m->fams[fam];

	if (m->nparts == m->part_cap) {
		m->part_cap = m->part_cap ? m->part_cap * 2 : 1024;
		m->parts = xreallocarray(m->parts, m->part_cap, sizeof *m->parts);
	}
	m->parts[m->nparts] = (struct part){ node, f, NONE };
	if (mf->last == NONE)
		mf->first = m->nparts;
	else
		m->parts[mf->last].next = m->nparts;
	mf->last = m->nparts++;
}

/* Files one node family under its merged family, or reports why it cannot be. */
static void take_family(struct merger *m, size_t node, const struct prom_family *f)
{
	size_t i = prom_map_get(&m->index, f->name);
	struct mfamily *mf;

	if (i == NONE) {
		add_part(m, add_mfamily(m, f->name, f->type, f->help, false), node, f);
		return;
	}
	mf = &m->fams[i];
	if (mf->own) {
		problem(m, node, f->name, xasprintf("family %s skipped: the name is reserved for "
		                                    "the frontend's own gauge", f->name));
	} else if (mf->type != f->type) {
		problem(m, node, f->name, xasprintf("family %s skipped: type %s conflicts with %s",
		                                    f->name, prom_type_name(f->type),
		                                    prom_type_name(mf->type)));
	} else {
		if (!mf->help)
			mf->help = f->help;
		add_part(m, i, node, f);
	}
}

/* Parses a node's text (unless the caller did); a node that failed or sent garbage is
 * down. */
static void take_node(struct merger *m, size_t node, struct prom_map *names)
{
	const struct prom_node *in = &m->nodes[node];
	const struct prom_exposition *e = in->parsed;
	char *cause = NULL;

	if (prom_map_get(names, in->name) != NONE) {
		m->state[node] = NODE_DUPLICATE;
		problem(m, node, NULL, xstrdup("node skipped: another node has the same name"));
		return;
	}
	prom_map_put(names, in->name, node);
	if (!e && !in->text) {
		m->state[node] = NODE_DOWN;
		problem(m, node, NULL, xasprintf("scrape failed: %s", in->error ? in->error : "no data"));
		return;
	}
	if (!e && prom_parse(in->text, in->len, &m->exps[node], &cause) < 0) {
		m->state[node] = NODE_DOWN;
		problem(m, node, NULL, xasprintf("invalid exposition: %s", cause));
		free(cause);
		return;
	}
	if (!e)
		e = &m->exps[node];
	m->skipped[node] = e->nskipped;
	if (e->nskipped)
		problem(m, node, NULL, xasprintf("%zu sample%s left out (first: %s)", e->nskipped,
		                                 e->nskipped == 1 ? "" : "s", e->skipped));
	for (size_t i = 0; i < e->nfamilies; i++)
		take_family(m, node, &e->families[i]);
}

static bool has_label(const struct prom_sample *s, const char *name, size_t len)
{
	for (size_t i = 0; i < s->nlabels; i++)
		if (strlen(s->labels[i].name) == len && memcmp(s->labels[i].name, name, len) == 0)
			return true;
	return false;
}

/* The sample's own node label becomes exported_node (exported_exported_node if that is
 * taken too, as Prometheus does). */
static void put_renamed(struct buf *b, const struct prom_sample *s)
{
	static const char prefix[] = "exported_";
	char name[128] = "node";
	size_t len = 4;

	do {
		if (len + sizeof prefix > sizeof name)
			break;
		memmove(name + sizeof prefix - 1, name, len + 1);
		memcpy(name, prefix, sizeof prefix - 1);
		len += sizeof prefix - 1;
	} while (has_label(s, name, len));
	buf_append(b, name, len);
}

static bool has_node_label(const struct prom_sample *s)
{
	for (size_t i = 0; i < s->nlabels; i++)
		if (s->labels[i].name[0] == 'n' && strcmp(s->labels[i].name, "node") == 0)
			return true;
	return false;
}

static void put_labels(struct buf *b, const struct prom_sample *s)
{
	for (size_t i = 0; i < s->nlabels; i++) {
		buf_putc(b, ',');
		if (strcmp(s->labels[i].name, "node") == 0)
			put_renamed(b, s);
		else
			buf_puts(b, s->labels[i].name);
		buf_puts(b, "=\"");
		prom_put_escaped(b, s->labels[i].value, strlen(s->labels[i].value), true);
		buf_putc(b, '"');
	}
}

/* Room for n more bytes (and the NUL) at the end of b. */
static char *reserve(struct buf *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		b->cap = (b->len + n + 1) * 2;
		b->data = xrealloc(b->data, b->cap);
	}
	return b->data + b->len;
}

static void copy(char **o, const char *s, size_t n)
{
	memcpy(*o, s, n);
	*o += n;
}

/* The common case in one reservation: canonical labels without a node label, no
 * timestamp. Returns false when the sample needs put_sample's general path. */
static bool put_sample_fast(struct buf *b, const struct prom_sample *s,
                            const struct buf *node_label)
{
	char *o, *start;

	if (!s->raw_labels || s->has_timestamp || has_node_label(s))
		return false;
	o = start = reserve(b, s->name_len + node_label->len + s->raw_labels_len + s->value_len + 6);
	copy(&o, s->name, s->name_len);
	*o++ = '{';
	copy(&o, node_label->data, node_label->len);
	*o++ = ',';
	copy(&o, s->raw_labels, s->raw_labels_len);
	*o++ = '}';
	*o++ = ' ';
	copy(&o, s->value_text, s->value_len);
	*o++ = '\n';
	*o = '\0';
	b->len += (size_t)(o - start);
	return true;
}

/* name{node="<node>",labels} value [timestamp]; node_label is the rendered node="..." pair.
 * Labels written canonically are copied as they came, without unescaping and escaping. */
static void put_sample(struct buf *b, const struct prom_sample *s, const struct buf *node_label)
{
	if (put_sample_fast(b, s, node_label))
		return;
	buf_append(b, s->name, s->name_len);
	buf_putc(b, '{');
	buf_append(b, node_label->data, node_label->len);
	if (s->raw_labels && !has_node_label(s)) {
		buf_putc(b, ',');
		buf_append(b, s->raw_labels, s->raw_labels_len);
	} else {
		put_labels(b, s);
	}
	buf_append(b, "} ", 2);
	buf_append(b, s->value_text, s->value_len);
	if (s->has_timestamp)
		buf_printf(b, " %lld", (long long)s->timestamp_ms);
	buf_putc(b, '\n');
}

static void put_header(struct buf *b, const char *name, const char *help, enum prom_type type)
{
	if (help) {
		buf_printf(b, "# HELP %s ", name);
		prom_put_escaped(b, help, strlen(help), false);
		buf_putc(b, '\n');
	}
	buf_printf(b, "# TYPE %s %s\n", name, prom_type_name(type));
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
	put_header(b, own_gauges[g].name, own_gauges[g].help, PROM_GAUGE);
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

static void put_family(struct buf *b, const struct merger *m, const struct mfamily *mf)
{
	put_header(b, mf->name, mf->help, mf->type);
	for (size_t p = mf->first; p != NONE; p = m->parts[p].next) {
		const struct part *part = &m->parts[p];

		for (size_t i = 0; i < part->f->nsamples; i++)
			put_sample(b, &part->f->samples[i], &m->node_labels[part->node]);
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

/* node="<name>", the name's bytes that are not UTF-8 as '?' (a name may come from a
 * supplier). */
static void put_node_label(struct buf *b, const char *name)
{
	buf_puts(b, "node=\"");
	prom_put_escaped(b, name, strlen(name), true);
	buf_putc(b, '"');
}

static void write_output(struct buf *b, const struct merger *m)
{
	size_t total = 4096;

	for (size_t i = 0; i < m->n; i++) {
		total += m->nodes[i].text ? m->nodes[i].len + m->nodes[i].len / 2 : 128;
		put_node_label(&m->node_labels[i], m->nodes[i].name);
	}
	b->data = xmalloc(total);
	b->cap = total;
	b->len = 0;
	b->data[0] = '\0';
	put_problems(b, m);
	for (size_t i = 0; i < m->nfams; i++) {
		if (m->fams[i].own)
			put_own(b, m, m->fams[i].own_index);
		else
			put_family(b, m, &m->fams[i]);
	}
}

char *prom_merge(const struct prom_node *nodes, size_t n, size_t *out_len,
                 struct prom_problems *problems)
{
	struct merger m = { .nodes = nodes, .n = n };
	struct prom_map names;
	struct buf b = BUF_INIT;

	m.exps = xcalloc(n ? n : 1, sizeof *m.exps);
	m.state = xcalloc(n ? n : 1, sizeof *m.state);
	m.skipped = xcalloc(n ? n : 1, sizeof *m.skipped);
	m.node_labels = xcalloc(n ? n : 1, sizeof *m.node_labels);
	prom_map_init(&m.index, 512);
	prom_map_init(&names, n);
	for (size_t g = 0; g < sizeof own_gauges / sizeof *own_gauges; g++) {
		size_t f = add_mfamily(&m, own_gauges[g].name, PROM_GAUGE, NULL, true);

		m.fams[f].own_index = g;
	}
	for (size_t i = 0; i < n; i++)
		take_node(&m, i, &names);
	write_output(&b, &m);
	for (size_t i = 0; i < n; i++) {
		prom_exposition_free(&m.exps[i]);
		buf_free(&m.node_labels[i]);
	}
	free(m.node_labels);
	prom_map_free(&names);
	prom_map_free(&m.index);
	free(m.exps);
	free(m.state);
	free(m.skipped);
	free(m.fams);
	free(m.parts);
	if (problems)
		*problems = m.problems;
	else
		prom_problems_free(&m.problems);
	if (out_len)
		*out_len = b.len;
	return buf_steal(&b);
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
