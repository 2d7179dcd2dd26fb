/* Unit tests of the merge cache (src/common/prom-cache.c): the same output as prom_merge,
 * whatever changed between merges. */
#include "config.h"
#include "prom.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const char body_a1[] = "# HELP hits Hits.\n# TYPE hits counter\nhits{w=\"0\"} 5.0\n";
static const char body_a2[] = "# HELP hits Hits.\n# TYPE hits counter\nhits{w=\"0\"} 6.0\n";
static const char body_b[] = "# TYPE lat gauge\nlat 0.25\n";
static const char body_bad[] = "fine 1\nbroken{ 2\n";

#define NODE(n, b) { n, b, sizeof b - 1, NULL, 0.5 }

/* Merges with the cache and without it; the two texts must be the same. */
static char *both(struct prom_cache *c, const struct prom_node *v, size_t n, const char *what)
{
	size_t len, plain_len;
	char *out = prom_cache_merge(c, v, n, &len, NULL);
	char *plain = prom_merge(v, n, &plain_len, NULL);

	ok(len == plain_len && strcmp(out, plain) == 0, what);
	is_int(len, strlen(out), "length");
	prom_text_free(plain);
	return out;
}

/* In steps, the nodes arriving in any order (as the frontend scans each body on arrival),
 * the merge is prom_merge's. */
static void test_steps(struct prom_cache *c, const struct prom_node *v, size_t n)
{
	size_t len, plain_len;
	char *plain = prom_merge(v, n, &plain_len, NULL), *out;

	for (int round = 0; round < 2; round++) {
		prom_cache_begin(c, v, n);
		for (size_t k = n; k-- > 0;)
			prom_cache_node(c, k, &v[k]);
		out = prom_cache_end(c, v, n, &len, NULL);
		ok(len == plain_len && strcmp(out, plain) == 0,
		   round ? "in steps, from the scans kept: as prom_merge" :
		           "in steps, last node first: as prom_merge");
		prom_text_free(out);
	}
	prom_text_free(plain);
}

int main(void)
{
	struct prom_cache *c = prom_cache_new();
	struct prom_node first[] = { NODE("a", body_a1), NODE("b", body_b) };
	struct prom_node second[] = { NODE("a", body_a2), NODE("b", body_b) };
	struct prom_node third[] = { NODE("b", body_bad), NODE("b", body_b), NODE("c", body_a1),
				     { "d", NULL, 0, "unreachable: refused", 0.1 } };
	struct prom_problems probs;
	size_t len;
	char *out;

	no_plan();
	out = both(c, first, 2, "first merge: as prom_merge");
	ok(strstr(out, "hits{node=\"a\",w=\"0\"} 5.0\n") != NULL, "a's sample");
	prom_text_free(out);
	out = both(c, first, 2, "unchanged bodies: the same output");
	prom_text_free(out);
	out = both(c, second, 2, "a changed: as prom_merge");
	ok(strstr(out, "hits{node=\"a\",w=\"0\"} 6.0\n") != NULL, "a's new value, not the cached one");
	prom_text_free(out);
	out = both(c, third, 4, "bad body, duplicate name, new and failed nodes: as prom_merge");
	ok(strstr(out, "lmcache_frontend_node_up{node=\"b\"} 0\n") != NULL, "bad body: node down");
	ok(strstr(out, "node=\"a\"") == NULL, "a node that left is gone");
	prom_text_free(out);
	out = prom_cache_merge(c, third, 4, &len, &probs);
	ok(probs.count >= 3, "problems still reported from the cache");
	prom_problems_free(&probs);
	prom_text_free(out);
	test_steps(c, third, 4);
	test_steps(c, second, 2);
	out = both(c, NULL, 0, "no nodes");
	prom_text_free(out);
	prom_cache_free(c);
	prom_cache_free(NULL);
	return done_testing();
}
