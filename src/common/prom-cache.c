/*
 * Work proportional to what changed: a node whose body is byte for byte the one it sent at
 * the last scrape is not scanned again. The cache holds, per node name, the last body and its
 * scan (where its sample lines are, and how the node label, which the name fixes, goes in;
 * lines it had to rewrite, with the label); each merge rebuilds it
 * from the nodes of that scrape, so it never holds more than one scrape's worth (nodes that
 * left are dropped).
 */
#include "config.h"
#include "prom.h"
#include "prom-map.h"
#include "prom-scan.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	char *name;
	char *body;
	size_t len;
	struct prom_scan scan; /* of body */
};

struct generation {
	struct entry *entries;
	size_t n;
	struct prom_map index; /* name -> entry */
};

struct prom_cache {
	struct generation now, old; /* old: the last merge's, while a merge is under way */
	size_t *slot;               /* per node of the merge: its entry, or NONE (a duplicate) */
	struct prom_scan **scans;   /* per node of the merge: its scan, or NULL */
};

#define NONE ((size_t)-1)

struct prom_cache *prom_cache_new(void)
{
	struct prom_cache *c = xcalloc(1, sizeof *c);

	prom_map_init(&c->now.index, 16);
	return c;
}

static void entry_free(struct entry *en)
{
	free(en->name);
	free(en->body);
	prom_scan_free(&en->scan);
}

static void generation_free(struct generation *g)
{
	for (size_t i = 0; i < g->n; i++)
		entry_free(&g->entries[i]);
	free(g->entries);
	prom_map_free(&g->index);
	memset(g, 0, sizeof *g);
}

void prom_cache_free(struct prom_cache *c)
{
	if (!c)
		return;
	generation_free(&c->now);
	generation_free(&c->old);
	free(c->slot);
	free(c->scans);
	free(c);
}

/* Moves the old body and scan of this node into en when the body is unchanged; false if
 * there is none. */
static bool reuse(struct generation *old, const struct prom_node *in, struct entry *en)
{
	size_t i = prom_map_get(&old->index, in->name);
	struct entry *o;

	if (i == NONE)
		return false;
	o = &old->entries[i];
	if (!o->body || o->len != in->len || memcmp(o->body, in->text, in->len) != 0)
		return false;
	en->body = o->body;
	en->len = o->len;
	en->scan = o->scan;
	o->body = NULL;
	memset(&o->scan, 0, sizeof o->scan);
	return true;
}

/* Fills en for node in, scanning its body unless it is unchanged; the scan points into the
 * entry's copy of the body, which lives as long as the scan. Returns the scan, or NULL when
 * there is none (a failed scrape, or a body that does not scan: prom_merge says why). */
static struct prom_scan *refresh(struct generation *old, const struct prom_node *in,
                                 struct entry *en)
{
	struct buf label = BUF_INIT;
	int rc;

	if (!in->text)
		return NULL;
	if (reuse(old, in, en))
		return &en->scan;
	en->body = xmalloc(in->len + 1);
	memcpy(en->body, in->text, in->len);
	en->len = in->len;
	prom_node_label(&label, in->name);
	rc = prom_scan_text(en->body, en->len, &label, &en->scan, NULL);
	buf_free(&label);
	if (rc == 0)
		return &en->scan;
	free(en->body);
	en->body = NULL;
	return NULL;
}

void prom_cache_begin(struct prom_cache *c, const struct prom_node *nodes, size_t n)
{
	struct generation *g = &c->now;

	generation_free(&c->old);
	c->old = c->now;
	g->entries = xcalloc(n ? n : 1, sizeof *g->entries);
	g->n = 0;
	prom_map_init(&g->index, n);
	c->slot = xreallocarray(c->slot, n ? n : 1, sizeof *c->slot);
	c->scans = xreallocarray(c->scans, n ? n : 1, sizeof *c->scans);
	for (size_t i = 0; i < n; i++) {
		c->scans[i] = NULL;
		c->slot[i] = NONE;
		if (prom_map_get(&g->index, nodes[i].name) != NONE)
			continue; /* a duplicate name: prom_merge reports it */
		g->entries[g->n].name = xstrdup(nodes[i].name);
		prom_map_put(&g->index, g->entries[g->n].name, g->n);
		c->slot[i] = g->n++;
	}
}

void prom_cache_node(struct prom_cache *c, size_t i, const struct prom_node *node)
{
	if (c->slot[i] != NONE)
		c->scans[i] = refresh(&c->old, node, &c->now.entries[c->slot[i]]);
}

char *prom_cache_end(struct prom_cache *c, const struct prom_node *nodes, size_t n,
                     size_t *out_len, struct prom_problems *problems)
{
	char *out = prom_merge_scans(nodes, c->scans, n, out_len, problems);

	generation_free(&c->old);
	return out;
}

char *prom_cache_merge(struct prom_cache *c, const struct prom_node *nodes, size_t n,
                       size_t *out_len, struct prom_problems *problems)
{
	prom_cache_begin(c, nodes, n);
	for (size_t i = 0; i < n; i++)
		prom_cache_node(c, i, &nodes[i]);
	return prom_cache_end(c, nodes, n, out_len, problems);
}
