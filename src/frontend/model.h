/* The frontend's node model (docs/protocol.md 5): a list of proxies, each with its leaf nodes.
 * A port is kept as text: a TCP port number, or a unix socket path when it holds '/'. A
 * node or proxy speaks HTTP, or HTTPS with "scheme": "https" (our extension).
 * Pure: no locking and no I/O; the caller (frontend.c) serialises access. */
#ifndef LMC_FRONTEND_MODEL_H
#define LMC_FRONTEND_MODEL_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "prom-map.h"

struct fe_node {
	char *name;
	char *host;
	char *port;	/* digits, or a socket path */
	char *proxy_id; /* as given; NULL when absent */
	/* Reached through its proxy (/proxy2/<name>/... on the proxy) rather than directly:
	 * leaves learnt from another frontend, whose sockets live on that frontend's host. */
	bool via_proxy;
	bool https; /* "scheme": "https" */
};

struct fe_proxy {
	char *name;
	char *host;
	char *port;
	struct fe_node *nodes;
	size_t nnodes;
	bool port_text; /* shown as a string even when all digits (LMCache's supplier proxies) */
	bool https;	/* "scheme": "https", or an https:// api_address from a registry */
};

struct fe_model {
	struct fe_proxy *proxies;
	size_t nproxies;
	/* The index (model-index.c): names to places, made by model_move and kept by the
	 * model_* changes. Whoever changes proxies or nodes by hand calls model_index. */
	struct prom_map proxy_at, leaf_at, addr_at;
	char **addr_keys; /* addr_at's keys */
	size_t naddr_keys;
};

/* Where a request for a node goes. */
struct fe_target {
	const char *host;
	const char *port;
	const char *via; /* non-NULL: prefix the path with /proxy2/<via>/ */
	bool https;
};

bool model_port_is_socket(const char *port);

/* One node or proxy object {"name", "host", "port", ...}; NULL with cause when invalid. */
int model_node_parse(const json_t *obj, struct fe_node *out, char **cause);
void model_node_clear(struct fe_node *n);
/* A list of proxies, each with an optional "nodes" list (--config, POST /api/proxies). */
int model_parse_proxies(const json_t *doc, struct fe_model *m, char **cause);
int model_proxy_parse(const json_t *obj, struct fe_proxy *out, char **cause);
void model_proxy_clear(struct fe_proxy *p);
/* --nodes: a list of leaves wrapped in one proxy called local_proxy at host:port. */
int model_from_nodes(const json_t *doc, const char *host, int port, struct fe_model *m,
		     char **cause);
void model_clear(struct fe_model *m);
void model_move(struct fe_model *dst, struct fe_model *src);

/* "port" as JSON: an integer when it is all digits, else the string. */
json_t *model_port_json(const char *port);
json_t *model_node_json(const struct fe_node *n);
/* GET /api/nodes. */
json_t *model_api_nodes(const struct fe_model *m);
/* GET /api/proxies. */
json_t *model_api_proxies(const struct fe_model *m);

struct fe_proxy *model_find_proxy(const struct fe_model *m, const char *name);
/* A proxy by name first, then a leaf of any proxy (as LMCache's /proxy2). */
bool model_resolve(const struct fe_model *m, const char *name, struct fe_target *t);
/* The leaf called leaf under the proxy called proxy, when this frontend reaches it itself
 * (not through that proxy): LMCache's two-hop path to it is then served directly. */
bool model_resolve_direct(const struct fe_model *m, const char *proxy, const char *leaf,
			  struct fe_target *t);
/* The target of leaf j of proxy p (through the proxy when the leaf is reached that way). */
struct fe_target model_leaf_target(const struct fe_proxy *p, size_t j);
/* The URL of path ("/...") on target t: http://localhost/... for a socket (the caller
 * connects to t->port), with /proxy2/<via> before the path when t goes through a proxy;
 * https:// for an https target. */
char *model_target_url(const struct fe_target *t, const char *path);
/* True when host:port (or the socket path) is a registered node or proxy; then *https
 * (when not NULL) says whether it speaks HTTPS. */
bool model_registered(const struct fe_model *m, const char *host, const char *port,
		      bool *https);
size_t model_count_leaves(const struct fe_model *m);

/* model-index.c: (re)makes the index of m; whether m has one; frees it. */
void model_index(struct fe_model *m);
bool model_indexed(const struct fe_model *m);
void model_index_free(struct fe_model *m);
/* The index's side of the changes and the lookups, for model.c. */
void model_index_proxy(struct fe_model *m, size_t i);
void model_index_leaf(struct fe_model *m, size_t i, size_t j);
struct fe_proxy *model_index_find_proxy(const struct fe_model *m, const char *name);
struct fe_node *model_index_find_leaf(const struct fe_model *m, const char *name,
				      struct fe_proxy **owner);
/* Whether host:port is a proxy's or a directly reached leaf's (the first one's https flag
 * into *https). */
bool model_index_find_address(const struct fe_model *m, const char *host, const char *port,
			      bool *https);
/* Node management; 0, or an HTTP status (400, 404, 409) with cause. */
int model_add_proxy(struct fe_model *m, struct fe_proxy *p, char **cause);
int model_add_node(struct fe_model *m, const char *proxy, struct fe_node *n, char **cause);
int model_update(struct fe_model *m, const char *name, const json_t *obj, char **cause);
int model_delete(struct fe_model *m, const char *name, char **cause);

#endif
