/* Blocking forwarding on the connection's own thread (see server.c for why). Each target
 * has idle easy handles in one bounded pool; curl_easy_reset keeps a handle's live
 * connection, so a handle taken from the pool usually has a warm keep-alive connection to
 * its node. */
#include "config.h"
#include "forward.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "client-auth.h"
#include "jsonutil.h"
#include "model.h"
#include "paths.h"
#include "xalloc.h"

#define CONNECT_TIMEOUT_MS 10000L

/* Idle easy handles, each holding at most one keep-alive connection to its target, kept
 * for every target together: the number of descriptors they hold is bounded whatever the
 * number of targets or of spellings of one target. The least recently used goes first when
 * full, and a handle idle for IDLE_MAX_S is closed (so a removed node's connections go). */
#define IDLE_MAX 128
#define IDLE_MAX_S 60

struct idle {
	char *key; /* forward_target_key */
	CURL *e;
	time_t since;
};

static pthread_mutex_t pool_mu = PTHREAD_MUTEX_INITIALIZER;
static struct idle pool[IDLE_MAX];
static size_t pool_n;

char *forward_target_key(const char *host, const char *port)
{
	char *key;

	/* A socket is one target whatever the host is called. */
	if (model_port_is_socket(port))
		return xasprintf("unix:%s", port);
	key = xasprintf("%s|%s", host, port);
	for (char *c = key; *c != '|'; c++)
		*c = (char)((*c >= 'A' && *c <= 'Z') ? *c - 'A' + 'a' : *c);
	return key;
}

/* Takes entry i out of the pool (under pool_mu); the caller owns its key and handle. */
static struct idle pool_remove(size_t i)
{
	struct idle out = pool[i];

	pool[i] = pool[--pool_n];
	return out;
}

static CURL *take(const char *key)
{
	CURL *e = NULL;
	size_t best = IDLE_MAX;

	pthread_mutex_lock(&pool_mu);
	for (size_t i = 0; i < pool_n; i++)
		if (strcmp(pool[i].key, key) == 0 && (best == IDLE_MAX || pool[i].since > pool[best].since))
			best = i;
	if (best != IDLE_MAX) {
		struct idle it = pool_remove(best);

		free(it.key);
		e = it.e;
	}
	pthread_mutex_unlock(&pool_mu);
	if (e == NULL && (e = curl_easy_init()) == NULL)
		abort(); /* only on memory exhaustion */
	return e;
}

/* Under pool_mu: moves handles idle too long, and the oldest when the pool is full, into
 * gone (room for IDLE_MAX + 1) to be closed outside the lock. */
static size_t pool_expire(time_t now, CURL **gone)
{
	size_t n = 0, oldest = 0;

	for (size_t i = pool_n; i-- > 0;)
		if (now - pool[i].since > IDLE_MAX_S) {
			struct idle it = pool_remove(i);

			free(it.key);
			gone[n++] = it.e;
		}
	if (pool_n < IDLE_MAX)
		return n;
	for (size_t i = 1; i < pool_n; i++)
		if (pool[i].since < pool[oldest].since)
			oldest = i;
	free(pool[oldest].key);
	gone[n++] = pool_remove(oldest).e;
	return n;
}

static void give_back(const char *key, CURL *e)
{
	CURL *gone[IDLE_MAX + 1];
	time_t now = time(NULL);
	size_t n;

	pthread_mutex_lock(&pool_mu);
	n = pool_expire(now, gone);
	pool[pool_n++] = (struct idle){ xstrdup(key), e, now };
	pthread_mutex_unlock(&pool_mu);
	while (n > 0)
		curl_easy_cleanup(gone[--n]);
}

void forward_cleanup(void)
{
	pthread_mutex_lock(&pool_mu);
	while (pool_n > 0) {
		struct idle it = pool_remove(pool_n - 1);

		free(it.key);
		curl_easy_cleanup(it.e);
	}
	pthread_mutex_unlock(&pool_mu);
}

struct xfer {
	struct fwd_response *rp;
	bool too_big, over_budget;
	size_t counted; /* bytes of this answer counted in buffered */
};

/* Bytes of node answers being received by every forwarding thread together: many large
 * answers at once must not add up to unbounded memory either. */
static atomic_size_t buffered;

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	(void)size;
	if (x->rp->body.len + n > FORWARD_MAX_RESPONSE) {
		x->too_big = true;
		return 0;
	}
	if (atomic_fetch_add(&buffered, n) + n > FORWARD_BUDGET) {
		atomic_fetch_sub(&buffered, n);
		x->over_budget = true;
		return 0;
	}
	x->counted += n;
	buf_append(&x->rp->body, data, n);
	return n;
}

/* Keeps end-to-end headers; content type, length and date are the server's to set. */
static void keep_header(struct fwd_response *rp, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);
	char *name, *value;
	size_t vlen;

	if (colon == NULL)
		return;
	name = xstrndup(line, (size_t)(colon - line));
	for (value = (char *)colon + 1; *value == ' ' || *value == '\t'; value++)
		;
	vlen = len - (size_t)(value - line);
	while (vlen > 0 && (value[vlen - 1] == '\r' || value[vlen - 1] == '\n'))
		vlen--;
	if (strcasecmp(name, "content-type") == 0) {
		free(rp->content_type);
		rp->content_type = xstrndup(value, vlen);
	} else if (!path_hop_by_hop(name) && strcasecmp(name, "content-length") != 0 &&
		   strcasecmp(name, "date") != 0) {
		char *h = xstrndup(line, (size_t)(value + vlen - line));

		rp->headers = curl_slist_append(rp->headers, h);
		free(h);
	}
	free(name);
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	(void)size;
	if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) { /* a new response (after a 100) */
		curl_slist_free_all(x->rp->headers);
		x->rp->headers = NULL;
		return n;
	}
	keep_header(x->rp, line, n);
	return n;
}

static char *target_url(const struct fwd_request *rq)
{
	const char *path = *rq->path ? rq->path : "/";
	const char *q = *rq->query ? "?" : "";
	const char *pre = rq->prefix ? rq->prefix : "", *sch = rq->https ? "https" : "http";

	if (model_port_is_socket(rq->port))
		return xasprintf("%s://localhost%s%s%s%s", sch, pre, path, q, rq->query);
	if (strchr(rq->host, ':') != NULL)
		return xasprintf("%s://[%s]:%s%s%s%s%s", sch, rq->host, rq->port, pre, path, q,
				 rq->query);
	return xasprintf("%s://%s:%s%s%s%s%s", sch, rq->host, rq->port, pre, path, q, rq->query);
}

static void set_method(CURL *e, const struct fwd_request *rq)
{
	if (strcmp(rq->method, "GET") == 0 && rq->body_len == 0) {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		return;
	}
	if (strcmp(rq->method, "HEAD") == 0) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
		return;
	}
	if (rq->body_len > 0 || strcmp(rq->method, "POST") == 0 ||
	    strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "PATCH") == 0) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
	}
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, rq->method);
}

static void setup(CURL *e, const struct fwd_request *rq, const char *url, struct xfer *x)
{
	long timeout = rq->timeout_ms > 0 ? rq->timeout_ms : 60000L;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_MAXCONNECTS, 1L); /* one connection per pooled handle */
	if (model_port_is_socket(rq->port))
		curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, rq->port);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 timeout < CONNECT_TIMEOUT_MS ? timeout : CONNECT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, rq->headers);
	curl_easy_setopt(e, CURLOPT_RESOLVE, rq->resolve);
	client_tls_apply(e); /* the frontend's --cacert, --cert, --key for https nodes */
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	set_method(e, rq);
}

/* The proxy's own answer, in LMCache's words ({"detail": ...}). */
static void fail(struct fwd_response *rp, long status, char *detail)
{
	json_t *doc = json_pack("{s:s}", "detail", detail);
	char *text = json_to_text(doc);

	rp->status = status;
	buf_reset(&rp->body);
	buf_puts(&rp->body, text);
	free(rp->content_type);
	rp->content_type = xstrdup("application/json");
	curl_slist_free_all(rp->headers);
	rp->headers = NULL;
	rp->error = detail;
	free(text);
	json_decref(doc);
}

static void classify(const struct fwd_request *rq, struct fwd_response *rp, CURLcode rc,
		     const struct xfer *x)
{
	bool sock = model_port_is_socket(rq->port);

	if (x->over_budget)
		fail(rp, 502, xasprintf("The frontend holds more than %u bytes of answers in "
					"flight; try again", FORWARD_BUDGET));
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		fail(rp, 504, sock ? xasprintf("Connection to socket %s timed out", rq->port)
				   : xasprintf("Connection to target service %s:%s timed out",
					       rq->host, rq->port));
	else if (x->too_big)
		fail(rp, 502, xasprintf("Response of %s:%s is larger than %u bytes", rq->host,
					rq->port, FORWARD_MAX_RESPONSE));
	else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
		fail(rp, 502, sock ? xasprintf("Failed to connect to socket: %s", rq->port)
				   : xasprintf("Failed to connect to target service %s:%s",
					       rq->host, rq->port));
	else
		fail(rp, 502, xasprintf("Error communicating with target service: %s",
					curl_easy_strerror(rc)));
}

void forward(const struct fwd_request *rq, struct fwd_response *rp)
{
	char *key = forward_target_key(rq->host, rq->port), *url = target_url(rq);
	struct xfer x = { rp, false, false, 0 };
	CURL *e = take(key);
	CURLcode rc;

	memset(rp, 0, sizeof(*rp));
	setup(e, rq, url, &x);
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &rp->status);
	else
		classify(rq, rp, rc, &x);
	curl_easy_reset(e); /* drops our pointers, keeps the connection */
	atomic_fetch_sub(&buffered, x.counted);
	give_back(key, e);
	free(url);
	free(key);
}

void forward_response_free(struct fwd_response *rp)
{
	free(rp->content_type);
	buf_free(&rp->body);
	curl_slist_free_all(rp->headers);
	free(rp->error);
	memset(rp, 0, sizeof(*rp));
}
