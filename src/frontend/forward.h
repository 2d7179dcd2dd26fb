/* Forwarding one request to a node with blocking libcurl on the caller's thread. Easy
 * handles are pooled (bounded, keyed by target), so keep-alive connections to nodes are reused. */
#ifndef LMC_FRONTEND_FORWARD_H
#define LMC_FRONTEND_FORWARD_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

/* Upstream bodies larger than this answer 502; so does an answer arriving while the
 * answers being received add up to more than FORWARD_BUDGET. */
#define FORWARD_MAX_RESPONSE (32u << 20)
#define FORWARD_BUDGET (128u << 20)

struct fwd_request {
	const char *method;
	const char *host;
	const char *port;   /* a port number, or a unix socket path */
	const char *prefix; /* NULL, or "/proxy2/<leaf>" for a leaf reached through its proxy */
	const char *path;   /* raw, "/..." or "" */
	const char *query;  /* raw, without '?'; "" for none */
	const char *body;
	size_t body_len;
	struct curl_slist *headers; /* already filtered */
	long timeout_ms;
	struct curl_slist *resolve; /* CURLOPT_RESOLVE: the addresses checked (net_allow_pin) */
	bool https;		    /* with the frontend's --cacert, --cert, --key */
};

struct fwd_response {
	long status;	     /* upstream status, or 502/504 */
	char *content_type;  /* NULL when upstream sent none */
	struct buf body;
	struct curl_slist *headers; /* upstream end-to-end headers as "Name: value" */
	char *error;	     /* set when the proxy itself answered (502, 504) */
};

void forward(const struct fwd_request *rq, struct fwd_response *rp);
void forward_response_free(struct fwd_response *rp);
/* The pool key of a target: a socket path whatever the host, else host (lower case) and
 * port; the caller frees it. */
char *forward_target_key(const char *host, const char *port);
/* Frees the pooled handles (at exit). */
void forward_cleanup(void);

#endif
