/* Inside forwarding (forward.c, fwd-curl.c, fwd-loop.c): a transfer, shared by the client's
 * side (forward.c: the answer handed to the core, streamed with bounded memory) and its
 * transport, libcurl on the forwarder thread (fwd-curl.c) or the own client on the server
 * loop of the request (fwd-loop.c). */
#ifndef LMC_FRONTEND_FWD_INTERNAL_H
#define LMC_FRONTEND_FWD_INTERNAL_H

#include <curl/curl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "forward.h"
#include "srv.h"
#include "upstream.h"

#define FWD_IDLE_MAX_S 60L /* kept connections to nodes close after this unused */

struct fwd_loop;

struct xfer {
	pthread_mutex_t mu; /* the fields below `answer` (transport and client's side) */
	CURL *e;	    /* libcurl's transfer, or */
	struct upc *uc;	    /* the own client's (a unix socket without TLS) */
	struct fwd_loop *loop; /* the own client's loop */
	bool own;
	const char *method, *rq_body; /* the own client's request (the core keeps them) */
	size_t body_len;
	int64_t deadline;    /* the own client's, monotonic ms */
	unsigned int status; /* the answer's */
	int64_t length;	     /* its length, -1: unknown */
	const char *why;     /* the own client's reason of a failure */
	char *url;	     /* libcurl's URL, the own client's target */
	struct curl_slist *headers;
	struct curl_slist *resolve; /* read when the transfer starts */
	struct curl_slist *socket_name; /* libcurl's name of a unix socket (hm_socket_name) */
	char *host, *port;	    /* for the proxy's own messages */
	struct srv_later *later;    /* until the answer's head is handed over */
	struct MHD_Connection *conn;
	fwd_sink_fn *sink;	    /* or the whole answer goes here (forward_collect) */
	void *sink_cls;
	bool too_large;		    /* the sink's answer passed FORWARD_STREAM_AT: dropped */
	struct srv_reply head; /* content type and headers of the node's answer */
	/* answer */
	struct buf body; /* received, from off on not yet taken by the client */
	size_t off;
	bool streaming, done, failed, paused, waiting, dropped;
	bool head_ended; /* libcurl's: the node's header section ended (later lines: trailers) */
	int refs; /* the transfer, and the stream while libmicrohttpd holds it */
	struct xfer *next, *prev; /* the transport's list */
};

/* What a look at a transfer (after a kick) says its transport does. */
enum xfer_next { XFER_AS_IS, XFER_DROP, XFER_RESUME };

/* ---- forward.c ---- */
void xfer_unref(struct xfer *x);
/* n bytes of the answer's body: taken, or the transfer pauses (no room) or stops. */
enum up_take xfer_take_body(struct xfer *x, const char *data, size_t n);
/* A header of the node's answer into x->head (end-to-end ones; content type kept). */
void xfer_keep_field(struct xfer *x, const char *n, size_t nlen, const char *v, size_t vlen);
/* The transport let go of x, which ended with rc (own client's codes mapped to libcurl's). */
void xfer_end(struct xfer *x, CURLcode rc);
/* Whether x is to be dropped (its client left, or stopping) or resumed (room again). */
enum xfer_next xfer_check(struct xfer *x, bool stopping);
/* The proxy's own answer for rc (502, 504, 503 when stopping) into rp. */
void xfer_classify(const struct xfer *x, struct srv_reply *rp, CURLcode rc);

/* ---- fwd-curl.c: libcurl on the forwarder thread ---- */
void fwd_curl_init(void);
void fwd_curl_cleanup(void);
/* Queues x (its request rq) on the forwarder; false when stopping (x untouched). */
bool fwd_curl_start(struct xfer *x, const struct fwd_request *rq);
/* The answer's status and length of a libcurl transfer into x (its head arrived). */
void fwd_curl_head(struct xfer *x);
void fwd_curl_kick(void);

/* ---- fwd-loop.c: the own client on the request's server loop ---- */
void fwd_loop_start(struct xfer *x, struct srv_loop *l);
/* Asks x's loop to look at its paused and dropped transfers. */
void fwd_loop_kick(struct xfer *x);

#endif
