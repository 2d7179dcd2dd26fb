/* The Overview's numbers from a frontend's merged /metrics (docs/protocol.md 5): one request
 * per frontend instead of one per node, asking only for the sample names the summaries keep
 * (our frontend's name= filter, an extension; a frontend without it sends everything). Each
 * sample goes to the node its node label names; lmcache_frontend_node_up says which nodes
 * answered. A frontend that sends no such exposition (LMCache's concatenates its nodes'
 * texts) is left to per-node requests by the collector. */
#include "config.h"
#include "top.h"
#include "buf.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define UP_NAME "lmcache_frontend_node_up"

char *node_source_of(const struct tnode *n)
{
	char *seg = str_percent_encode(n->id.name, "");
	char *suffix = xasprintf("/proxy2/%s", seg);
	size_t ul = strlen(n->id.url), sl = strlen(suffix);
	char *src = NULL;

	/* through a frontend (cluster.c's entry_url): <source>/proxy2/<name> */
	if (*n->id.frontend && n->id.socket == NULL && ul > sl &&
	    strcmp(n->id.url + ul - sl, suffix) == 0)
		src = xstrndup(n->id.url, ul - sl);
	free(seg);
	free(suffix);
	return src;
}

char *scrape_path(void)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "/metrics?name=%s", UP_NAME);
	for (size_t i = 0; i < summary_count(); i++) {
		char *e = str_percent_encode(summary_name(i), "");

		buf_printf(&b, "&name=%s", e);
		free(e);
	}
	return b.data;
}

/* The reason the merge gives for a node it could not scrape: its "# node NAME: why" comment
 * (the merge writes one per failed node), else a plain one. */
static char *down_reason(const char *text, size_t len, const char *name)
{
	char *head = xasprintf("# node %s: ", name), *why = NULL;
	size_t hl = strlen(head);

	for (const char *p = text, *end = text + len; p < end && why == NULL;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (ll > hl && memcmp(p, head, hl) == 0)
			why = text_bounded(p + hl, ll - hl);
		p += ll + 1;
	}
	free(head);
	return why ? why : xstrdup("its frontend could not scrape it");
}

/* The node of source src that sample s is about, or NULL. */
static struct tnode *sample_node(struct model *m, int src, const struct prom_sample *s)
{
	const char *name = prom_label_value(s, "node");
	struct tnode *n = name ? top_model_find(m, name) : NULL;

	return n != NULL && n->src == src ? n : NULL;
}

/* Whether the node sample s names is in the listing (of any source); true without a name. */
static bool listed(struct model *m, const struct prom_sample *s)
{
	const char *name = prom_label_value(s, "node");

	return name == NULL || top_model_find(m, name) != NULL;
}

/* Marks the nodes the up gauge names: covered, failed ones with their reason; each one up
 * gets a fresh summary, acc[n->slot]. Sets *unlisted when it names a node not listed at
 * all. Returns how many are up. */
static size_t take_up(struct model *m, int src, const struct prom_family *up,
		      const char *text, size_t len, struct summary *acc, double now,
		      bool *unlisted)
{
	size_t k = 0;

	for (size_t i = 0; i < up->nsamples; i++) {
		struct tnode *n = sample_node(m, src, &up->samples[i]);

		if (n == NULL)
			*unlisted |= !listed(m, &up->samples[i]);
		if (n == NULL || n->covered)
			continue;
		n->covered = true;
		if (up->samples[i].value == 1) {
			summary_clear(&acc[k], now);
			n->slot = (int)k++;
			continue;
		}
		char *why = down_reason(text, len, n->id.name);

		node_fail(n, why);
		free(why);
	}
	return k;
}

/* Gives each node up its summary. */
static void commit(struct model *m, int src, const struct prom_family *up, struct summary *acc,
		   double now)
{
	for (size_t i = 0; i < up->nsamples; i++) {
		struct tnode *n = sample_node(m, src, &up->samples[i]);

		if (n == NULL || n->slot < 0)
			continue;
		node_ok(n, now);
		node_summary(n, &acc[n->slot]);
		n->slot = -1;
	}
}

bool scrape_apply(struct model *m, int src, const struct prom_exposition *e, const char *text,
		  size_t len, double now, bool *unlisted)
{
	const struct prom_family *up = prom_find_family(e, UP_NAME);
	struct summary *acc;
	int hint = 0;

	if (up == NULL)
		return false;
	acc = xcalloc(up->nsamples + 1, sizeof *acc);
	take_up(m, src, up, text, len, acc, now, unlisted);
	for (size_t i = 0; i < e->nsamples; i++) {
		const struct prom_sample *s = &e->sample_store[i];
		int k = summary_index(s->name, &hint);
		struct tnode *n = k < 0 ? NULL : sample_node(m, src, s);

		if (n != NULL && n->slot >= 0)
			summary_add(&acc[n->slot], k, s->value);
	}
	commit(m, src, up, acc, now);
	free(acc);
	return true;
}
