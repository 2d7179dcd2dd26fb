/* The HTTP side: libmicrohttpd, a central route table and reply helpers. One file per
 * endpoint family (ep-heartbeat.c, ep-infos.c, ep-self.c) supplies the handlers. */
#ifndef LMC_DISCOVERY_SERVER_H
#define LMC_DISCOVERY_SERVER_H

#include <microhttpd.h>
#include <stdbool.h>

#include "buf.h"
#include "discovery.h"
#include "srv.h"

struct request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	struct discovery *d;
};

struct reply {
	unsigned int status;
	const char *content_type;
	struct buf body;
};

typedef void (*handler_fn)(struct request *rq, struct reply *rp);

/* An endpoint in the route table (server.c): a struct srv_route whose data is this. */
struct endpoint {
	handler_fn fn;
};

/* Endpoint families. */
void ep_heartbeat(struct request *rq, struct reply *rp);
void ep_deregister(struct request *rq, struct reply *rp);
void ep_infos(struct request *rq, struct reply *rp);
void ep_health(struct request *rq, struct reply *rp);
void ep_metrics(struct request *rq, struct reply *rp);

/* A query parameter (decoded), or NULL. */
const char *rq_arg(struct request *rq, const char *name);
/* {"status": "error", "detail": detail} with status. */
void reply_error(struct reply *rp, unsigned int status, const char *detail);
void reply_json(struct reply *rp, unsigned int status, const char *text);

/* Starts serving on an already bound, listening socket; srv_stop() stops. */
struct srv *server_start(struct discovery *d, int listen_fd, char **cause);

#endif
