/* The HTTP side: libmicrohttpd, a central route table and reply helpers. One file per
 * endpoint family (ep-heartbeat.c, ep-infos.c, ep-self.c) supplies the handlers. */
#ifndef LMC_DISCOVERY_SERVER_H
#define LMC_DISCOVERY_SERVER_H

#include <microhttpd.h>
#include <stdbool.h>

#include "buf.h"
#include "discovery.h"
#include "auth.h"
#include "srv.h"

struct disc_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	struct discovery *d;
	const struct srv_caller *caller; /* who asked (srv_authorise) */
};

struct disc_reply {
	unsigned int status;
	const char *content_type;
	struct buf body;
	void (*body_free)(void *body); /* how body is freed once sent; NULL: free() */
};

typedef void (*disc_handler_fn)(struct disc_request *rq, struct disc_reply *rp);

/* An endpoint in the route table (server.c): a struct srv_route whose data is this. */
struct disc_endpoint {
	disc_handler_fn fn;
};

/* Endpoint families. */
void disc_ep_heartbeat(struct disc_request *rq, struct disc_reply *rp);
void disc_ep_deregister(struct disc_request *rq, struct disc_reply *rp);
void disc_ep_infos(struct disc_request *rq, struct disc_reply *rp);
void disc_ep_health(struct disc_request *rq, struct disc_reply *rp);
void disc_ep_metrics(struct disc_request *rq, struct disc_reply *rp);
void disc_ep_http_sd(struct disc_request *rq, struct disc_reply *rp);

/* A query parameter (decoded), or NULL. */
const char *disc_rq_arg(struct disc_request *rq, const char *name);
/* {"status": "error", "detail": detail} with status. */
void disc_reply_error(struct disc_reply *rp, unsigned int status, const char *detail);
void disc_reply_text(struct disc_reply *rp, unsigned int status, const char *text);

/* Starts serving on an already bound, listening socket; srv_stop() stops. */
struct srv *disc_server_start(struct discovery *d, int listen_fd, char **cause);
/* Re-reads the token file (SIGHUP); arg is the struct discovery. */
void disc_server_reload(void *arg);

#endif
