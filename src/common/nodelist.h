/* Parsers for the two listings a client walks to find nodes (PROTOCOL.md 5, 6): the
 * registry's /lmcache_infos (frontend addresses) and a frontend's /api/nodes (its nodes,
 * either as proxies with children or as LMCache's flat list). Pure: no I/O. */
#ifndef LMC_COMMON_NODELIST_H
#define LMC_COMMON_NODELIST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* The listing URL of a registry given as a base URL or as its full /lmcache_infos URL
 * (with or without a query). Caller frees. */
char *nodelist_infos_url(const char *registry);

/* processInfos.*.lmCacheInfoEntities[].apiAddress of a listing, unique, in order, without a
 * trailing '/'. NULL-terminated; free with str_list_free. NULL with cause when the document
 * is not a listing. */
char **nodelist_frontends(const json_t *infos, size_t *n, char **cause);

struct nl_entry {
	char *name;
	char *host;
	char *port;  /* a port number, or a unix socket path */
	char *proxy; /* the proxy it was listed under, or NULL */
	bool is_proxy; /* a frontend listed as a node: its own /api/nodes has the leaves */
};

/* The entries of a frontend's /api/nodes: children of proxies, or the flat list. A proxy
 * without a "children"/"nodes" member counts as an entry itself. */
struct nl_entry *nodelist_parse_api_nodes(const json_t *doc, size_t *n, char **cause);
void nodelist_entries_free(struct nl_entry *v, size_t n);

/* Splits an LMCache node name, "<instance>_scheduler" or "<instance>_worker<N>", into
 * fresh strings. false (and "" for both) when the name has neither form. */
bool nodelist_name_role(const char *name, char **instance, char **role);

#endif
