/* The HTTP side: libmicrohttpd, the central route table (routes.c) and reply helpers. One
 * file per endpoint family (ep-*.c) supplies the handlers. */
#ifndef LMC_FRONTEND_SERVER_H
#define LMC_FRONTEND_SERVER_H

#include <curl/curl.h>
#include <jansson.h>
#include <microhttpd.h>
#include <stddef.h>

#include "buf.h"
#include "frontend.h"
#include "paths.h"
#include "srv.h"

struct fe_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *uri; /* raw, as the client sent it (percent-encoded, with the query) */
	struct srv_match m; /* the route's captures */
	const char *body;
	size_t body_len;
	struct frontend *fe;
	const struct srv_caller *caller; /* who asked (srv_authorise) */
	struct srv_request *sr; /* the core's request (srv_later) */
};

struct fe_reply {
	unsigned int status;
	char *content_type;
	struct buf body;
	void (*body_free)(void *data); /* how body.data is freed; NULL: free() */
	struct curl_slist *headers; /* extra "Name: value" headers */
	bool later; /* the handler answers later (srv_later): the rest is unset */
};

typedef void (*fe_handler_fn)(struct fe_request *rq, struct fe_reply *rp);

/* An endpoint in the route table (routes.c): a struct srv_route whose data is this. */
struct fe_endpoint {
	fe_handler_fn fn;
	bool slow; /* waits for other servers: runs on a thread of its own (srv_later_run) */
};
#define ROUTE_ROLE(method, pattern, fn, role) \
	{ method, pattern, fe_server_call, (void *)&(const struct fe_endpoint){ fn, false }, 0, \
	  role, NULL }
/* An endpoint that waits for nodes or other frontends (a fan-out, a refresh). */
#define SLOW_ROUTE_ROLE(method, pattern, fn, role) \
	{ method, pattern, fe_server_call, (void *)&(const struct fe_endpoint){ fn, true }, 0, \
	  role, NULL }
#define SLOW_ROUTE(method, pattern, fn) SLOW_ROUTE_ROLE(method, pattern, fn, SRV_ROLE_DEFAULT)
#define ROUTE(method, pattern, fn) ROUTE_ROLE(method, pattern, fn, SRV_ROLE_DEFAULT)
/* Node management makes the frontend send requests elsewhere: admin only. */
#define ADMIN_ROUTE(method, pattern, fn) ROUTE_ROLE(method, pattern, fn, SRV_ROLE_ADMIN)
/* Runs the endpoint of rq's route with the frontend's request and reply. */
void fe_server_call(struct srv_request *rq, struct srv_reply *rp);

extern const struct srv_route fe_routes[];
extern const size_t fe_nroutes;

/* Endpoint families. */
void fe_ep_health(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_api_nodes(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_api_proxies(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_proxy_nodes(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_proxy_refresh(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_add_proxy(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_add_node(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_update_node(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_delete_node(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_heartbeat_status(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_heartbeat_start(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_heartbeat_stop(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_proxy2(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_proxy(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_metrics(struct fe_request *rq, struct fe_reply *rp);
void fe_ep_fanout(struct fe_request *rq, struct fe_reply *rp);

/* ep-proxy.c, for a batch (ep-fanout.c): where one /proxy2 request goes. */
struct fe_hop {
	char *host, *port;
	char *prefix; /* "/proxy2/<leaf>" for a leaf reached through its proxy, or NULL */
	bool https;
	char *path, *query;	    /* raw, after the node's name; query without '?' ("": none) */
	struct curl_slist *resolve; /* the addresses the allow list checked (CURLOPT_RESOLVE) */
	struct curl_slist *headers; /* the hop count, the body's type, Authorization passed on */
	bool changes;		    /* the request changes the node (audited) */
};
/* Checks method and uri ("/proxy2/<node>/<path>[?query]", raw) as /proxy2 checks its
 * requests: the node known, the allow list, the caller's role for the method and the
 * node's path, the unix-socket uid rule, the hop count. true with *h set, or false with rp
 * holding /proxy2's refusal (400, 403, 404, 508). fe_hop_free either way. */
bool fe_proxy2_check(struct fe_request *rq, struct fe_reply *rp, const char *method,
		     const char *uri, const char *content_type, struct fe_hop *h);
void fe_hop_free(struct fe_hop *h);

/* Sends doc (taken) as application/json. */
void fe_reply_json(struct fe_reply *rp, unsigned int status, json_t *doc);
/* {"detail": "..."} as FastAPI's errors, which LMCache's clients read. */
void fe_reply_detail(struct fe_reply *rp, unsigned int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* {"status": "success", "message": msg}. */
void fe_reply_success(struct fe_reply *rp, const char *msg);
/* Capture i of the route, percent-decoded; NULL after a 400 reply. */
char *fe_rq_capture(struct fe_request *rq, struct fe_reply *rp, size_t i);
/* The body as JSON; NULL after a 400 reply. */
json_t *fe_rq_json(struct fe_request *rq, struct fe_reply *rp);

/* Serves on an already listening socket; fe_server_stop() stops. */
struct srv *fe_server_start(struct frontend *fe, int listen_fd, char **cause);
/* Ends the forwarded transfers, then stops the server (s may be NULL). */
void fe_server_stop(struct srv *s);

#endif
