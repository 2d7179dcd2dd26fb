/* Blocking forwarding on the connection's own thread (see server.c for why). Each target
 * keeps a stack of idle easy handles; curl_easy_reset keeps a handle's live connections, so
 * a handle taken from the stack usually has a warm keep-alive connection to its node. */
#include "config.h"
#include "forward.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonutil.h"
#include "model.h"
#include "paths.h"
#include "xalloc.h"

#define POOL_MAX_IDLE 64
#define CONNECT_TIMEOUT_MS 10000L

struct pool {
	char *key; /* "host|port" */
	CURL *idle[POOL_MAX_IDLE];
	size_t nidle;
	struct pool *next;
};

static pthread_mutex_t pools_mu = PTHREAD_MUTEX_INITIALIZER;
static struct pool *pools;

struct xfer {
	struct fwd_response *rp;
	bool too_big;
};

static struct pool *pool_for(const char *key)
{
	struct pool *p;

	for (p = pools; p != NULL; p = p->next)
		if (strcmp(p->key, key) == 0)
			return p;
	p = xcalloc(1, sizeof(*p));
	p->key = xstrdup(key);
	p->next = pools;
	pools = p;
	return p;
}

static CURL *take(const char *key)
{
	struct pool *p;
	CURL *e = NULL;

	pthread_mutex_lock(&pools_mu);
	p = pool_for(key);
	if (p->nidle > 0)
		e = p->idle[--p->nidle];
	pthread_mutex_unlock(&pools_mu);
	if (e == NULL && (e = curl_easy_init()) == NULL)
		abort(); /* only on memory exhaustion */
	return e;
}

static void give_back(const char *key, CURL *e)
{
	struct pool *p;

	pthread_mutex_lock(&pools_mu);
	p = pool_for(key);
	if (p->nidle < POOL_MAX_IDLE) {
		p->idle[p->nidle++] = e;
		e = NULL;
	}
	pthread_mutex_unlock(&pools_mu);
	if (e != NULL)
		curl_easy_cleanup(e);
}

void forward_cleanup(void)
{
	struct pool *p, *next;

	pthread_mutex_lock(&pools_mu);
	for (p = pools; p != NULL; p = next) {
		next = p->next;
		while (p->nidle > 0)
			curl_easy_cleanup(p->idle[--p->nidle]);
		free(p->key);
		free(p);
	}
	pools = NULL;
	pthread_mutex_unlock(&pools_mu);
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	if (x->rp->body.len + n > FORWARD_MAX_RESPONSE) {
		x->too_big = true;
		return 0;
	}
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
	const char *pre = rq->prefix ? rq->prefix : "";

	if (model_port_is_socket(rq->port))
		return xasprintf("http://localhost%s%s%s%s", pre, path, q, rq->query);
	if (strchr(rq->host, ':') != NULL)
		return xasprintf("http://[%s]:%s%s%s%s%s", rq->host, rq->port, pre, path, q,
				 rq->query);
	return xasprintf("http://%s:%s%s%s%s%s", rq->host, rq->port, pre, path, q, rq->query);
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
	if (model_port_is_socket(rq->port))
		curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, rq->port);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 timeout < CONNECT_TIMEOUT_MS ? timeout : CONNECT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, rq->headers);
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
		     bool too_big)
{
	bool sock = model_port_is_socket(rq->port);

	if (rc == CURLE_OPERATION_TIMEDOUT)
		fail(rp, 504, sock ? xasprintf("Connection to socket %s timed out", rq->port)
				   : xasprintf("Connection to target service %s:%s timed out",
					       rq->host, rq->port));
	else if (too_big)
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
	char *key = xasprintf("%s|%s", rq->host, rq->port), *url = target_url(rq);
	struct xfer x = { rp, false };
	CURL *e = take(key);
	CURLcode rc;

	memset(rp, 0, sizeof(*rp));
	setup(e, rq, url, &x);
	rc = curl_easy_perform(e);
	if (rc == CURLE_OK)
		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &rp->status);
	else
		classify(rq, rp, rc, x.too_big);
	curl_easy_reset(e); /* drops our pointers, keeps the connection */
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
