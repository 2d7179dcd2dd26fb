/* The state every part of lmcache-frontend shares: options, the node model behind a
 * read-write lock (requests read it, node management and the supplier write it), the
 * heartbeat client and the node supplier. */
#ifndef LMC_FRONTEND_H
#define LMC_FRONTEND_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "model.h"
#include "netallow.h"
#include "options.h"

struct heartbeat;

struct frontend {
	const struct fe_options *opt;
	pthread_rwlock_t lock; /* guards model */
	struct fe_model model;
	struct heartbeat *hb;
	/* the node supplier's thread (supplier.c) */
	pthread_t supplier;
	bool supplier_started;
	pthread_mutex_t supplier_mu;
	pthread_cond_t supplier_cv;
	bool stopping;
	atomic_ulong requests;
	struct srv_auth *auth; /* tokens, TLS (--token-file, --tls-*) */
	char *node_token;      /* sent to nodes when forwarding (--node-token-file) */
	char *heartbeat_token; /* sent with heartbeats (--heartbeat-token-file) */
	/* Where requests may go: loopback, --allow-network, hosts of the command line's
	 * nodes; unix sockets of this host always. */
	struct net_allow allow;
	atomic_ulong audited, refused; /* changing requests, and refusals (401/403) */
	atomic_ulong supplier_refused; /* registry-listed frontends not contacted (allow list) */
};

/* security.c: credentials in and out, the SIGHUP reload, the audit hook. */
int frontend_security_open(struct frontend *fe, char **cause);
/* The allow list, after the model is loaded; -1 with cause for a bad --allow-network. */
int frontend_allow_init(struct frontend *fe, char **cause);
void frontend_security_close(struct frontend *fe);
void frontend_reload(void *fe);
void frontend_audit(void *fe, const char *line, unsigned int status);
/* Whether the frontend may send requests to host:port (allow); then *pin (when pin is not
 * NULL) is what the request sets as CURLOPT_RESOLVE, so that it connects to the addresses
 * checked (net_allow_pin). */
bool frontend_target_allowed(struct frontend *fe, const char *host, const char *port,
			     struct curl_slist **pin);
/* The audit counters in Prometheus text, appended to b. */
struct buf;
void frontend_audit_metrics(struct frontend *fe, struct buf *b);

/* Starts a heartbeat with the frontend's nodes_count; -1 with cause. */
int frontend_heartbeat_start(struct frontend *fe, const char *url, int interval, int delay,
			     char **cause);

/* supplier.c: the nodes of every frontend a registry lists, as proxies whose leaves are
 * reached through them. */
int supplier_load(struct frontend *fe, struct fe_model *out, char **cause);
/* Replaces p's leaves with those the /api/nodes of the proxy at t lists (reached through
 * it); -1 with cause
 * when that fails, SUPPLIER_REFUSED with cause when p is outside the allow list (and was
 * not contacted). */
#define SUPPLIER_REFUSED (-2)
int supplier_refresh_proxy(struct frontend *fe, const struct fe_target *t, struct fe_proxy *p,
			   char **cause);
/* A thread that reloads the model from opt->node_supplier_url periodically. */
void supplier_start(struct frontend *fe);
void supplier_stop(struct frontend *fe);

#endif
