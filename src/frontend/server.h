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

struct request {
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

struct reply {
	unsigned int status;
	char *content_type;
	struct buf body;
	struct curl_slist *headers; /* extra "Name: value" headers */
	bool later; /* the handler answers later (srv_later): the rest is unset */
};

typedef void (*handler_fn)(struct request *rq, struct reply *rp);

/* An endpoint in the route table (routes.c): a struct srv_route whose data is this. */
struct endpoint {
	handler_fn fn;
	bool slow; /* waits for other servers: runs on a thread of its own (srv_later_run) */
};
#define ROUTE_ROLE(method, pattern, fn, role) \
	{ method, pattern, server_call, (void *)&(const struct endpoint){ fn, false }, 0, role, NULL }
/* An endpoint that waits for nodes or other frontends (a fan-out, a refresh). */
#define SLOW_ROUTE_ROLE(method, pattern, fn, role) \
	{ method, pattern, server_call, (void *)&(const struct endpoint){ fn, true }, 0, role, NULL }
#define SLOW_ROUTE(method, pattern, fn) SLOW_ROUTE_ROLE(method, pattern, fn, SRV_ROLE_DEFAULT)
#define ROUTE(method, pattern, fn) ROUTE_ROLE(method, pattern, fn, SRV_ROLE_DEFAULT)
/* Node management makes the frontend send requests elsewhere: admin only. */
#define ADMIN_ROUTE(method, pattern, fn) ROUTE_ROLE(method, pattern, fn, SRV_ROLE_ADMIN)
/* Runs the endpoint of rq's route with the frontend's request and reply. */
void server_call(struct srv_request *rq, struct srv_reply *rp);

extern const struct srv_route routes[];
extern const size_t nroutes;

/* Endpoint families. */
void ep_health(struct request *rq, struct reply *rp);
void ep_api_nodes(struct request *rq, struct reply *rp);
void ep_api_proxies(struct request *rq, struct reply *rp);
void ep_proxy_nodes(struct request *rq, struct reply *rp);
void ep_proxy_refresh(struct request *rq, struct reply *rp);
void ep_add_proxy(struct request *rq, struct reply *rp);
void ep_add_node(struct request *rq, struct reply *rp);
void ep_update_node(struct request *rq, struct reply *rp);
void ep_delete_node(struct request *rq, struct reply *rp);
void ep_heartbeat_status(struct request *rq, struct reply *rp);
void ep_heartbeat_start(struct request *rq, struct reply *rp);
void ep_heartbeat_stop(struct request *rq, struct reply *rp);
void ep_proxy2(struct request *rq, struct reply *rp);
void ep_proxy(struct request *rq, struct reply *rp);
void ep_metrics(struct request *rq, struct reply *rp);

/* Sends doc (taken) as application/json. */
void reply_json(struct reply *rp, unsigned int status, json_t *doc);
/* {"detail": "..."} as FastAPI's errors, which LMCache's clients read. */
void reply_detail(struct reply *rp, unsigned int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* {"status": "success", "message": msg}. */
void reply_success(struct reply *rp, const char *msg);
/* Capture i of the route, percent-decoded; NULL after a 400 reply. */
char *rq_capture(struct request *rq, struct reply *rp, size_t i);
/* The body as JSON; NULL after a 400 reply. */
json_t *rq_json(struct request *rq, struct reply *rp);

/* Serves on an already listening socket; server_stop() stops. */
struct srv *server_start(struct frontend *fe, int listen_fd, char **cause);
/* Ends the forwarded transfers, then stops the server (s may be NULL). */
void server_stop(struct srv *s);

#endif
