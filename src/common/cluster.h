/* The cluster model a client walks (docs/protocol.md 5, 6): a registry lists frontends, each
 * frontend lists its nodes (a frontend listed as a node adds a second hop), and every node is
 * reached through its frontend's /proxy2/<name>, or /proxy2/<proxy>/proxy2/<name> when it is
 * listed under another frontend's proxy (a central frontend in node-supplier mode, LMCache's
 * or ours). Or one frontend, or one node on a socket or
 * at a URL. The one walk of lmcctl and lmcache-top; each failure keeps its class (err,
 * status) so a caller can turn it into exit codes. Blocking: call it from a thread that may
 * wait (lmcache-top's collector). */
#ifndef LMC_COMMON_CLUSTER_H
#define LMC_COMMON_CLUSTER_H

#include "http-multi.h"

#include <stddef.h>

struct cl_source {
	const char *registry; /* base URL or full /lmcache_infos URL */
	const char *frontend; /* one frontend's base URL */
	const char *socket;   /* one node's unix socket */
	long timeout_ms;      /* each listing request; <= 0: 5 s */
	const char *url;      /* one node's base URL (after socket, before frontend) */
	/* The caller's client, so that a refresh loop keeps its connections to the registry
	 * and the frontends; NULL: one of the walk's own, closed after it. */
	struct hm_client *http;
};

struct cl_node {
	char *name;
	char *role;	/* "scheduler", "worker" or "" */
	char *instance; /* "" when the name has no instance */
	char *frontend; /* the frontend (name or URL) that listed it; "" for a direct node */
	char *host;	/* as listed; "" when unknown */
	char *port;	/* a port number or a socket path, as listed */
	char *url;	/* base URL, no trailing '/' */
	char *socket;	/* unix socket the URL is reached over, or NULL */
	char *base;	/* the URL of the frontend first asked on the way to it (its url is
			 * <base>/proxy2/...); "" for a direct node */
};

struct cl_frontend {
	char *url;   /* base URL */
	char *error; /* why its listing failed, or NULL */
	char *name;  /* as shown: its URL as given or listed, or its node name (second hop) */
	enum hm_err err; /* HM_OK when its /api/nodes answered (error then: a status or body) */
	long status;	 /* that answer's HTTP status, 0 without one */
};

struct cl_listing {
	struct cl_node *nodes;
	size_t nnodes;
	struct cl_frontend *frontends;
	size_t nfrontends;
	char *error; /* the registry could not be read, or NULL */
	enum hm_err err; /* of the registry's listing, as in struct cl_frontend */
	long status;
};

/* Lists the nodes of src into *out (zeroed first). Failures of single frontends are kept
 * in out->frontends[].error; -1 with cause only when src names nothing to list. */
int cluster_list(const struct cl_source *src, struct cl_listing *out, char **cause);
void cluster_listing_free(struct cl_listing *l);
/* Frees the members of one node (not n itself). */
void cluster_node_free(struct cl_node *n);

/* Natural order of node names: digit runs compare as numbers (worker2 before worker10). */
int cluster_name_cmp(const char *a, const char *b);
/* Sorts l->nodes by name in natural order, so output is stable whatever order the registry
 * and frontends list in. cluster_list keeps the listing order. */
void cluster_sort(struct cl_listing *l);

#endif
