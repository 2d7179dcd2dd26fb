/*
 * Work proportional to what changed: a node whose body is byte for byte the one it sent at
 * the last scrape is not scanned again. The cache holds, per node name, the last body and its
 * scan (its sample lines with the node label, which the name fixes); each merge rebuilds it
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
	struct prom_scan scan;
};

struct prom_cache {
	struct entry *entries;
	size_t n;
	struct prom_map index; /* name -> entry */
};

struct prom_cache *prom_cache_new(void)
{
	struct prom_cache *c = xcalloc(1, sizeof *c);

	prom_map_init(&c->index, 16);
	return c;
}

static void entry_free(struct entry *en)
{
	free(en->name);
	free(en->body);
	prom_scan_free(&en->scan);
}

void prom_cache_free(struct prom_cache *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++)
		entry_free(&c->entries[i]);
	free(c->entries);
	prom_map_free(&c->index);
	free(c);
}

/* Moves the old entry for this node's unchanged body into en; false if there is none. */
static bool reuse(struct prom_cache *old, const struct prom_node *in, struct entry *en)
{
	size_t i = prom_map_get(&old->index, in->name);
	struct entry *o;

	if (i == (size_t)-1)
		return false;
	o = &old->entries[i];
	if (!o->body || o->len != in->len || memcmp(o->body, in->text, in->len) != 0)
		return false;
	*en = *o;
	memset(o, 0, sizeof *o);
	return true;
}

/* Fills en for node in, scanning its body unless it is unchanged; the scan points into the
 * entry's copy of the body, which lives as long as the scan. Returns the scan, or NULL when
 * there is none (a failed scrape, or a body that does not scan: prom_merge says why). */
static struct prom_scan *refresh(struct prom_cache *old, const struct prom_node *in,
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
	rc = prom_scan(en->body, en->len, &label, &en->scan, NULL);
	buf_free(&label);
	if (rc == 0)
		return &en->scan;
	free(en->body);
	en->body = NULL;
	return NULL;
}

char *prom_cache_merge(struct prom_cache *c, const struct prom_node *nodes, size_t n,
                       size_t *out_len, struct prom_problems *problems)
{
	struct prom_cache old = *c;
	struct prom_scan **scans = xcalloc(n ? n : 1, sizeof *scans);
	char *out;

	c->entries = xcalloc(n ? n : 1, sizeof *c->entries);
	c->n = 0;
	prom_map_init(&c->index, n);
	for (size_t i = 0; i < n; i++) {
		struct entry *en = &c->entries[c->n];

		if (prom_map_get(&c->index, nodes[i].name) != (size_t)-1)
			continue; /* a duplicate name: prom_merge reports it */
		scans[i] = refresh(&old, &nodes[i], en);
		if (!en->name) /* a reused entry keeps its own */
			en->name = xstrdup(nodes[i].name);
		prom_map_put(&c->index, en->name, c->n++);
	}
	out = prom_merge_scans(nodes, scans, n, out_len, problems);
	for (size_t i = 0; i < old.n; i++)
		entry_free(&old.entries[i]);
	free(old.entries);
	prom_map_free(&old.index);
	free(scans);
	return out;
}
