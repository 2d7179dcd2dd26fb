/* Many HTTP requests at once on one libcurl multi handle, each with its own timeout, over
 * TCP or a unix socket. Used by lmcctl's fan-out, lmcache-top's collector and the frontend's
 * merged /metrics; blocking (the caller waits for all). */
#ifndef LMC_COMMON_HTTP_MULTI_H
#define LMC_COMMON_HTTP_MULTI_H

#include <stddef.h>

struct curl_slist;

/* Bodies larger than this are cut off and reported as an error. */
#define HM_MAX_BODY (64u << 20)

enum hm_err {
	HM_OK = 0,	/* a response arrived (any status) */
	HM_ERR_CONNECT, /* could not resolve or connect */
	HM_ERR_TIMEOUT,
	HM_ERR_DENIED,	/* connecting was not permitted (a unix socket of another user) */
	HM_ERR_OTHER,
};

struct hm_req {
	const char *method;	  /* NULL: GET */
	const char *url;	  /* with a unix socket: http://localhost/<path> */
	const char *unix_socket;  /* NULL: TCP */
	const char *body;	  /* NULL: none */
	size_t body_len;
	const char *content_type; /* of body; NULL: application/json */
	const char *upload_path;  /* a file sent as multipart/form-data... */
	const char *upload_field; /* ...in this field */
	long timeout_ms;	  /* whole request; <= 0: 10 s */
	const char *token;	  /* bearer token; NULL: the process's (client-auth.h) */
	struct curl_slist *resolve; /* CURLOPT_RESOLVE (netallow.h's pin), or NULL */
};

struct hm_res {
	enum hm_err err;
	long status;	/* HTTP status, 0 without a response */
	char *body;	/* NUL-terminated, never NULL after hm_run */
	size_t len;
	char *error;	/* message when err != HM_OK, else NULL */
	long took_ms;
};

/* Called on the running thread as soon as reqs[i] is answered (or failed), with res[i]
 * already filled: lets a caller work on early answers while slower ones are in flight. */
typedef void hm_done_fn(size_t i, const struct hm_res *res, void *arg);

/* A client keeps its connections (and DNS answers) open between batches, so a caller that
 * asks the same nodes again and again (a refresh loop, a scrape endpoint) does not pay a
 * new connect per request. Connections are keyed by scheme, host, port and unix socket
 * path. A client is used by one thread at a time. */
struct hm_client;

struct hm_client *hm_client_new(void);
void hm_client_free(struct hm_client *c);

/* Runs n requests concurrently (at most max_parallel at a time; 0: 256) and fills res[i]
 * for reqs[i], calling done (when not NULL) as each one finishes. res must be zeroed; free
 * each with hm_res_free. */
void hm_client_run(struct hm_client *c, const struct hm_req *reqs, struct hm_res *res,
		   size_t n, size_t max_parallel, hm_done_fn *done, void *arg);

/* The order hm_client_run starts reqs in (an array of n indexes, to free): grouped by
 * server (unix socket, or scheme, host and port), the groups taking turns of a few
 * requests each, so that each server's connections are reused turn after turn while
 * kept connections at most stay open; within a server, the requests' own order. */
size_t *hm_start_order(const struct hm_req *reqs, size_t n, size_t max_parallel, size_t kept);

/* hm_client_run on a client of its own, closed at the end (for one-off batches). */
void hm_run(const struct hm_req *reqs, struct hm_res *res, size_t n, size_t max_parallel);
void hm_res_free(struct hm_res *r);

/* For a transfer of easy (a CURL *) over the unix socket socket_path: a name of the
 * socket's own in libcurl's cache of kept connections (by default every unix socket's are
 * in one list, searched on each request). Returns the list to free once the transfer is
 * over. */
struct curl_slist *hm_socket_name(void *easy, const char *socket_path);

#endif
