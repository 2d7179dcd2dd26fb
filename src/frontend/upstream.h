/* The frontend's own HTTP/1.1 client for nodes on a unix socket (fwd-loop.c runs it on the
 * server core's event loop of the request; https and TCP nodes go through libcurl):
 * kept-alive connections in a pool per loop, one request at a time on each, the answer read
 * with up-parse.c. Nothing is allocated per request once the pool's connections have their
 * buffers. A pool and its connections belong to their loop's thread. */
#ifndef LMC_FRONTEND_UPSTREAM_H
#define LMC_FRONTEND_UPSTREAM_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srv.h"

struct upc;

enum up_take { UP_TAKEN, UP_PAUSE, UP_STOP };
enum up_end { UP_OK, UP_CONNECT, UP_FAILED };

/* What the transfer's owner hears, in order: header()* and head() once, body()*, done(). */
struct up_ops {
	void (*header)(void *cls, const char *name, size_t nlen, const char *v, size_t vlen);
	void (*head)(void *cls, unsigned int status, int64_t length);
	/* UP_PAUSE: none of data was taken, the connection waits for up_resume; UP_STOP: the
	 * answer is not wanted (done() follows with UP_FAILED). */
	enum up_take (*body)(void *cls, const char *data, size_t n);
	/* The end; why says what went wrong (UP_FAILED). The connection is the pool's again. */
	void (*done)(void *cls, enum up_end end, const char *why);
};

struct up_request {
	const char *sock;   /* the node's unix socket */
	const char *method;
	const char *target; /* "/path?query" as sent */
	const struct curl_slist *headers; /* "Name: value" lines; "Name:" alone is left out */
	const char *body;
	size_t body_len;
};

struct up_pool;
/* A pool whose connections are watched on loop (edge-triggered). */
struct up_pool *up_pool_new(struct srv_loop *loop);
/* Closes the pool's connections (none may be in a transfer) and frees it. */
void up_pool_free(struct up_pool *p);
/* Sends rq on a kept connection of p or a new one: the connection, or NULL when the node
 * cannot be reached (no callback then). */
struct upc *up_start(struct up_pool *p, const struct up_request *rq, const struct up_ops *ops,
		     void *cls);
/* The owner takes body bytes again after UP_PAUSE. */
void up_resume(struct upc *c);
/* The owner gives up on c's transfer (timeout, client gone): c is closed, no callback. */
void up_abort(struct upc *c);
/* Closes kept connections idle for more than idle_s seconds (now: monotonic seconds). */
void up_expire(struct up_pool *p, int64_t now, int64_t idle_s);
/* Frees the connections closed since the last call: after each batch of events. */
void up_reap(struct up_pool *p);

#endif
