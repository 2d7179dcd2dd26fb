/* libFuzzer target: the Prometheus text parser and the merger (src/common/prom-*.c). The
 * input is split at its first NUL into two nodes' expositions; whatever they hold, the merge
 * must parse again and hold nothing Prometheus would refuse. The merger reads the texts with
 * its own scanner (prom-scan.c), so the parser must agree with it on each text: the same
 * verdict, the same samples kept and left out. The cache's merge is the plain merge. */
#include "config.h"
#include "prom.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* How many families are named like the frontend's own gauges; their samples in *samples. */
static size_t own_families(const struct prom_exposition *e, size_t *samples)
{
	size_t n = 0;

	*samples = 0;
	for (size_t i = 0; i < e->nfamilies; i++)
		if (strncmp(e->families[i].name, "lmcache_frontend_node_", 22) == 0) {
			n++;
			*samples += e->families[i].nsamples;
		}
	return n;
}

/* The merge m of one node's text keeps the samples its parse e keeps, and counts the others. */
static bool same_samples(const struct prom_exposition *e, const struct prom_exposition *m)
{
	const struct prom_family *f = prom_find_family(m, "lmcache_frontend_node_samples_skipped");
	size_t own;

	if (own_families(e, &own) > 0)
		return true; /* a reserved family: left out, reported */
	own_families(m, &own);
	return m->nsamples - own == e->nsamples && f && f->nsamples == 1 &&
	       f->samples[0].value == (double)e->nskipped;
}

/* The merge of text alone against prom_parse of it. */
static void agree(const char *text, size_t len)
{
	struct prom_node node = { .name = "a", .text = text, .len = len };
	struct prom_exposition e, m;
	int rc = prom_parse(text, len, &e, NULL);
	size_t out_len;
	char *out = prom_merge(&node, 1, &out_len, NULL);

	if (prom_parse(out, out_len, &m, NULL) < 0 || m.nskipped != 0)
		abort();
	if ((rc == 0) != (strstr(out, "lmcache_frontend_node_up{node=\"a\"} 1\n") != NULL))
		abort(); /* the scanner and the parser disagree on the text */
	if (rc == 0 && !same_samples(&e, &m))
		abort();
	prom_exposition_free(&m);
	prom_exposition_free(&e);
	prom_text_free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul = memchr(text, '\0', size);
	size_t first = nul ? (size_t)(nul - text) : size;
	struct prom_node nodes[2] = {
		{ .name = "a", .text = text, .len = first },
		{ .name = "b", .text = nul ? nul + 1 : "", .len = nul ? size - first - 1 : 0 },
	};
	struct prom_exposition e;
	struct prom_cache *c = prom_cache_new();
	size_t len, clen;
	char *out = prom_merge(nodes, 2, &len, NULL);
	char *cached = prom_cache_merge(c, nodes, 2, NULL, NULL);

	if (prom_parse(out, len, &e, NULL) < 0 || e.nskipped != 0)
		abort(); /* the merge must always be valid */
	prom_text_free(cached);
	cached = prom_cache_merge(c, nodes, 2, &clen, NULL); /* from the cache's scans */
	if (clen != len || memcmp(cached, out, len) != 0)
		abort();
	agree(text, first);
	prom_cache_free(c);
	prom_exposition_free(&e);
	prom_text_free(cached);
	prom_text_free(out);
	return 0;
}
