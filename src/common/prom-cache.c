/*
 * Work proportional to what changed: a node whose body is byte for byte the one it sent at
 * the last scrape is not parsed again. The cache holds, per node name, the last body and its
 * parse; each merge rebuilds it from the nodes of that scrape, so it never holds more than
 * one scrape's worth (nodes that left are dropped).
 */
#include "config.h"
#include "prom.h"
#include "prom-map.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct entry {
	char *name;
	char *body;
	size_t len;
	struct prom_exposition e;
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
	prom_exposition_free(&en->e);
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

/* Fills en for node in (parsing its body unless unchanged) and points in->parsed at it. A
 * body that does not parse is left to prom_merge, which reports why. */
static void refresh(struct prom_cache *old, struct prom_node *in, struct entry *en)
{
	if (!in->text || in->parsed)
		return;
	if (!reuse(old, in, en)) {
		if (prom_parse(in->text, in->len, &en->e, NULL) < 0)
			return;
		en->body = xmalloc(in->len + 1);
		memcpy(en->body, in->text, in->len);
		en->len = in->len;
	}
	in->parsed = &en->e;
}

char *prom_cache_merge(struct prom_cache *c, const struct prom_node *nodes, size_t n,
                       size_t *out_len, struct prom_problems *problems)
{
	struct prom_cache old = *c;
	struct prom_node *v = xcalloc(n ? n : 1, sizeof *v);
	char *out;

	c->entries = xcalloc(n ? n : 1, sizeof *c->entries);
	c->n = 0;
	prom_map_init(&c->index, n);
	for (size_t i = 0; i < n; i++) {
		struct entry *en = &c->entries[c->n];

		v[i] = nodes[i];
		if (prom_map_get(&c->index, nodes[i].name) != (size_t)-1)
			continue; /* a duplicate name: prom_merge reports it */
		refresh(&old, &v[i], en);
		if (!en->name) /* a reused entry keeps its own */
			en->name = xstrdup(nodes[i].name);
		prom_map_put(&c->index, en->name, c->n++);
	}
	out = prom_merge(v, n, out_len, problems);
	for (size_t i = 0; i < old.n; i++)
		entry_free(&old.entries[i]);
	free(old.entries);
	prom_map_free(&old.index);
	free(v);
	return out;
}
