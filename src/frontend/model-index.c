/* The model's index (model.h): each proxy's name to its place, each leaf's name to its first
 * place, so that a request finds its node without comparing its name with every node's (a
 * frontend of 4,096 nodes spent 14 us a /proxy2 request in strcmp), and each address
 * reached directly to its first place (for /proxy/<host>/<port>). Made by model_move
 * and by the first model_add_*, kept by every change: an added proxy or leaf goes in,
 * anything else makes it again. A model without one (empty, or built by hand before its
 * model_index) is searched name by name. */
#include "config.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

#define NONE ((size_t)-1)
#define PLACE(i, j) ((size_t)(i) << 32 | (size_t)(j)) /* leaf j of proxy i */
#define SELF 0xffffffffu /* as j: the proxy itself */

bool model_indexed(const struct fe_model *m)
{
	return m->proxy_at.cap > 0;
}

void model_index_free(struct fe_model *m)
{
	prom_map_free(&m->proxy_at);
	prom_map_free(&m->leaf_at);
	prom_map_free(&m->addr_at);
	for (size_t i = 0; i < m->naddr_keys; i++)
		free(m->addr_keys[i]);
	free(m->addr_keys);
	m->addr_keys = NULL;
	m->naddr_keys = 0;
}

/* The key of an address: a socket path is one address whatever the host, a TCP address
 * is its host and port. */
static char *addr_key(const char *host, const char *port)
{
	return model_port_is_socket(port) ? xasprintf("\n%s", port)
					  : xasprintf("%s\n%s", host, port);
}

/* An address reached directly (a proxy, or a leaf not reached through its proxy): the
 * first one of an address answers (one in an earlier proxy replaces one of a later). */
static void index_address(struct fe_model *m, const char *host, const char *port, size_t at)
{
	char *key = addr_key(host, port);
	size_t had = prom_map_get(&m->addr_at, key);

	if (had != NONE && had >> 32 <= at >> 32) {
		free(key);
		return;
	}
	m->addr_keys = xreallocarray(m->addr_keys, m->naddr_keys + 1, sizeof(*m->addr_keys));
	m->addr_keys[m->naddr_keys++] = key;
	prom_map_put(&m->addr_at, key, at);
}

/* Leaf j of proxy i, unless a leaf of that name comes before it (in an earlier proxy: a
 * proxy's leaves have names of their own): the first one answers, as in a search. */
void model_index_leaf(struct fe_model *m, size_t i, size_t j)
{
	const struct fe_node *n = &m->proxies[i].nodes[j];
	size_t at = prom_map_get(&m->leaf_at, n->name);

	if (at == NONE || at >> 32 > i)
		prom_map_put(&m->leaf_at, n->name, PLACE(i, j));
	if (!n->via_proxy)
		index_address(m, n->host, n->port, PLACE(i, j));
}

void model_index_proxy(struct fe_model *m, size_t i)
{
	const struct fe_proxy *p = &m->proxies[i];

	if (prom_map_get(&m->proxy_at, p->name) == NONE)
		prom_map_put(&m->proxy_at, p->name, i);
	index_address(m, p->host, p->port, PLACE(i, SELF));
	for (size_t j = 0; j < p->nnodes; j++)
		model_index_leaf(m, i, j);
}

/* The whole index, in the order of a search (a proxy, then its leaves), so that the first
 * of a name or an address answers. */
void model_index(struct fe_model *m)
{
	model_index_free(m);
	prom_map_init(&m->proxy_at, m->nproxies + 1);
	prom_map_init(&m->leaf_at, model_count_leaves(m) + 1);
	prom_map_init(&m->addr_at, m->nproxies + model_count_leaves(m) + 1);
	for (size_t i = 0; i < m->nproxies; i++)
		model_index_proxy(m, i);
}

bool model_index_find_address(const struct fe_model *m, const char *host, const char *port,
			      bool *https)
{
	char *key = addr_key(host, port);
	size_t at = prom_map_get(&m->addr_at, key);
	const struct fe_proxy *p;

	free(key);
	if (at == NONE)
		return false;
	p = &m->proxies[at >> 32];
	*https = (at & SELF) == SELF ? p->https : p->nodes[at & SELF].https;
	return true;
}

/* The proxy called name: NULL when there is none. */
struct fe_proxy *model_index_find_proxy(const struct fe_model *m, const char *name)
{
	size_t i = prom_map_get(&m->proxy_at, name);

	return i == NONE ? NULL : &m->proxies[i];
}

/* The first leaf called name, and its proxy in *owner; NULL when there is none. */
struct fe_node *model_index_find_leaf(const struct fe_model *m, const char *name,
				      struct fe_proxy **owner)
{
	size_t at = prom_map_get(&m->leaf_at, name);

	if (at == NONE)
		return NULL;
	*owner = &m->proxies[at >> 32];
	return &(*owner)->nodes[at & 0xffffffffu];
}
