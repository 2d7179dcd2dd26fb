/* Forwarding a request to a node without holding a server thread: the client's connection
 * waits suspended (srv_later) while the transfer runs on the server loop of the request (a
 * unix-socket node without TLS: the own client) or on one libcurl multi (the forwarder
 * thread), and a large answer streams to the client as it arrives. */
#ifndef LMC_FRONTEND_FORWARD_H
#define LMC_FRONTEND_FORWARD_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "srv.h"

/* An answer up to FORWARD_STREAM_AT bytes is sent whole, with its length; a larger one
 * streams. Of one answer at most FORWARD_STREAM_BUFFER bytes are held that the client has
 * not taken yet, and of all answers together FORWARD_BUDGET: beyond, the node's transfer
 * is paused until the client reads on. */
#define FORWARD_STREAM_AT (256u << 10)
#define FORWARD_STREAM_BUFFER (1u << 20)
#define FORWARD_BUDGET (128u << 20)

struct fwd_request {
	const char *method;
	const char *host;
	const char *port;   /* a port number, or a unix socket path */
	const char *prefix; /* NULL, or "/proxy2/<leaf>" for a leaf reached through its proxy */
	const char *path;   /* raw, "/..." or "" */
	const char *query;  /* raw, without '?'; "" for none */
	const char *body;   /* must live until the answer is sent (the core's request body) */
	size_t body_len;
	struct curl_slist *headers; /* already filtered; taken */
	long timeout_ms;
	struct curl_slist *resolve; /* CURLOPT_RESOLVE: the addresses checked (net_allow_pin) */
	bool https;		    /* with the frontend's --cacert, --cert, --key */
};

/* The proxy's own answer to a transfer to host:port that failed with rc (why: the own
 * client's reason, or NULL), in LMCache's words: its status (502, 504; 503 when the
 * frontend stops) and *detail (malloc'd). */
unsigned int fwd_failure(CURLcode rc, const char *host, const char *port, const char *why,
			 char **detail);
/* Monotonic milliseconds (the transfers' deadlines). */
int64_t fwd_now_ms(void);
/* Starts the forwarder thread (libcurl's; once, before serving). */
void forward_init(void);
/* Sends rq to its node; the answer (the node's, or the proxy's 502/504 in LMCache's words)
 * finishes later through l. conn is the client's connection (suspended while a streamed
 * answer waits for the node). */
void forward_start(const struct fwd_request *rq, struct srv_later *l, struct MHD_Connection *conn);
/* What forward_collect hands over, on the transport's thread: the answer as forward_start
 * would send it (taken); cut when the node's answer was larger than FORWARD_STREAM_AT and
 * not kept (rp then has the node's status and no body). */
typedef void fwd_sink_fn(void *cls, struct srv_reply *rp, bool cut);
/* Sends rq as forward_start does, for a caller with no client connection (a batch,
 * ep-fanout.c): the answer comes whole to sink(cls, ...), perhaps before this returns. */
void forward_collect(const struct fwd_request *rq, fwd_sink_fn *sink, void *cls);
/* Stops the forwarder and frees what it kept: before the server stops (srv_stop), since
 * libmicrohttpd must not stop with a connection suspended waiting for a node. (Transfers
 * on the server's loops end when the loops stop.) */
void forward_cleanup(void);

#endif
