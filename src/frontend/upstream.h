/* The frontend's own HTTP/1.1 client for nodes on a unix socket (forward.c's forwarder runs
 * it on its event loop; https and TCP nodes go through libcurl): kept-alive connections in
 * a pool, one request at a time on each, the answer read with up-parse.c. Nothing is
 * allocated per request once the pool's connections have their buffers. Forwarder thread
 * only. */
#ifndef LMC_FRONTEND_UPSTREAM_H
#define LMC_FRONTEND_UPSTREAM_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

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

/* Connections are watched on epfd (edge-triggered, data.ptr the connection). */
void up_init(int epfd);
/* Sends rq on a kept connection or a new one: the connection, or NULL when the node cannot
 * be reached (no callback then). */
struct upc *up_start(const struct up_request *rq, const struct up_ops *ops, void *cls);
/* An epoll event on c. */
void up_event(struct upc *c, uint32_t events);
/* The owner takes body bytes again after UP_PAUSE. */
void up_resume(struct upc *c);
/* The owner gives up on c's transfer (timeout, client gone): c is closed, no callback. */
void up_abort(struct upc *c);
/* Closes kept connections idle for more than idle_s seconds (now: monotonic seconds). */
void up_expire(int64_t now, int64_t idle_s);
/* Frees the connections closed since the last call: after each batch of events. */
void up_reap(void);
void up_cleanup(void);

#endif
