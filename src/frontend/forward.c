/* Forwarding a request to a node without holding a server thread, the client's side and
 * what both transports share: the client's connection waits suspended (srv_later) while
 * the transfer runs on the own client (fwd-loop.c: a node on a unix socket without TLS, on
 * the server loop that serves the request, so the request stays on one thread) or on
 * libcurl (fwd-curl.c: TCP and https nodes, on the forwarder thread).
 *
 * An answer that has arrived whole by FORWARD_STREAM_AT bytes is sent as one buffer (with
 * its length). A larger one streams: libmicrohttpd's content reader (read_stream, on the
 * connection's server thread) takes what the transport appended (xfer_take_body); when
 * nothing is there it suspends the connection and the next bytes resume it; when the
 * client does not keep up, the transport pauses the node's transfer and the reader kicks
 * it once it has drained half. So what is held per answer and in all is bounded
 * (forward.h), whatever the size of the answer. */
#include "config.h"
#include "forward.h"

#include <microhttpd.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "fwd-internal.h"
#include "model.h"
#include "paths.h"
#include "xalloc.h"

/* Bytes received and not yet taken by clients, all answers; transfers paused for it. */
static atomic_size_t buffered;
static atomic_int paused_n;

int64_t fwd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the transfer's life ---- */

void xfer_unref(struct xfer *x)
{
	bool last;

	pthread_mutex_lock(&x->mu);
	last = --x->refs == 0;
	pthread_mutex_unlock(&x->mu);
	if (!last)
		return;
	atomic_fetch_sub(&buffered, x->body.len - x->off);
	buf_free(&x->body);
	srv_reply_clear(&x->head);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->resolve);
	curl_slist_free_all(x->socket_name);
	free(x->url);
	free(x->host);
	free(x->port);
	pthread_mutex_destroy(&x->mu);
	free(x);
}

static void kick(struct xfer *x)
{
	if (x->own)
		fwd_loop_kick(x);
	else
		fwd_curl_kick();
}

/* Under x->mu: the connection waits in read_stream for data or the end. */
static void wake_reader(struct xfer *x)
{
	if (x->waiting) {
		x->waiting = false;
		srv_resume(x->conn);
	}
}

/* ---- the client's side: libmicrohttpd's content reader ---- */

static ssize_t read_stream(void *cls, uint64_t pos, char *out, size_t max)
{
	struct xfer *x = cls;
	size_t avail;
	ssize_t n = 0;
	bool go_on = false;

	(void)pos;
	pthread_mutex_lock(&x->mu);
	avail = x->body.len - x->off;
	if (avail > 0) {
		n = (ssize_t)(avail < max ? avail : max);
		memcpy(out, x->body.data + x->off, (size_t)n);
		x->off += (size_t)n;
		atomic_fetch_sub(&buffered, (size_t)n);
		go_on = x->paused && x->body.len - x->off < FORWARD_STREAM_BUFFER / 2;
	} else if (x->done) {
		n = x->failed ? SRV_STREAM_ERROR : SRV_STREAM_END;
	} else { /* nothing yet: no server thread waits for the node */
		x->waiting = true;
		srv_suspend(x->conn);
	}
	pthread_mutex_unlock(&x->mu);
	if (go_on)
		kick(x);
	else if (n > 0 && atomic_load(&paused_n) > 0) /* others may wait for the budget */
		fwd_curl_kick(); /* (loops look at theirs while they have paused ones) */
	return n;
}

/* libmicrohttpd is done with the answer (sent, or the client left). */
static void free_stream(void *cls)
{
	struct xfer *x = cls;
	bool running;

	pthread_mutex_lock(&x->mu);
	x->dropped = true;
	running = !x->done;
	pthread_mutex_unlock(&x->mu);
	if (running)
		kick(x); /* its transport drops the transfer */
	xfer_unref(x);
}

/* ---- the node's side (on the forwarder) ---- */

/* Under x->mu: the answer's status and head into rp; its body too when whole. */
static void head_reply(struct xfer *x, struct srv_reply *rp, bool whole)
{
	if (x->e != NULL) /* libcurl's, still with its handle */
		fwd_curl_head(x);
	*rp = x->head;
	x->head = (struct srv_reply){ 0 };
	rp->status = x->status;
	if (rp->content_type == NULL)
		rp->content_type = xstrdup("text/plain");
	if (whole) {
		atomic_fetch_sub(&buffered, x->body.len - x->off);
		rp->len = x->body.len;
		rp->body = rp->len > 0 ? buf_steal(&x->body) : NULL;
		buf_free(&x->body);
		return;
	}
	rp->stream = read_stream;
	rp->stream_free = free_stream;
	rp->stream_cls = x;
	rp->stream_size = x->length >= 0 ? (uint64_t)x->length : SRV_STREAM_UNKNOWN;
	x->streaming = true;
	x->refs++;
}

/* Under x->mu: whether len more bytes must wait for the client (or for the others'). */
static bool must_wait(const struct xfer *x, size_t len)
{
	return (x->streaming && x->body.len - x->off + len > FORWARD_STREAM_BUFFER) ||
	       atomic_load(&buffered) + len > FORWARD_BUDGET;
}

enum up_take xfer_take_body(struct xfer *x, const char *data, size_t n)
{
	struct srv_reply rp = { 0 };
	struct srv_later *start = NULL;
	enum up_take ret = UP_TAKEN;

	pthread_mutex_lock(&x->mu);
	if (x->dropped) {
		ret = UP_STOP;
	} else if (must_wait(x, n)) {
		x->paused = true;
		atomic_fetch_add(&paused_n, 1);
		ret = UP_PAUSE;
	} else {
		if (x->off > 0 && x->off >= x->body.len / 2) { /* taken half: move the rest */
			memmove(x->body.data, x->body.data + x->off, x->body.len - x->off);
			x->body.len -= x->off;
			x->off = 0;
		}
		buf_append(&x->body, data, n);
		atomic_fetch_add(&buffered, n);
		wake_reader(x);
		if (x->sink != NULL && x->body.len >= FORWARD_STREAM_AT) {
			x->too_large = true; /* a collected answer is held whole: not this one */
			ret = UP_STOP;
		} else if (!x->streaming && x->body.len >= FORWARD_STREAM_AT) {
			head_reply(x, &rp, false);
			start = x->later;
			x->later = NULL;
		}
	}
	pthread_mutex_unlock(&x->mu);
	if (start != NULL)
		srv_later_finish(start, &rp);
	return ret;
}

/* Keeps end-to-end headers; content type, length and date are the server's to set. */
void xfer_keep_field(struct xfer *x, const char *n, size_t nlen, const char *value, size_t vlen)
{
	struct srv_reply *rp = &x->head;
	char name[64], *h;

	if (nlen >= sizeof(name)) { /* no hop-by-hop or framing name is that long */
		h = xasprintf("%.*s: %.*s", (int)nlen, n, (int)vlen, value);
		srv_reply_header(rp, h);
		free(h);
		return;
	}
	memcpy(name, n, nlen);
	name[nlen] = '\0';
	if (strcasecmp(name, "content-type") == 0) {
		free(rp->content_type);
		rp->content_type = xstrndup(value, vlen);
	} else if (!path_hop_by_hop(name) && strcasecmp(name, "content-length") != 0 &&
		   strcasecmp(name, "date") != 0) {
		h = xasprintf("%s: %.*s", name, (int)vlen, value);
		srv_reply_header(rp, h);
		free(h);
	}
}


/* ---- the end of a transfer ---- */

/* The proxy's own answer, in LMCache's words ({"detail": ...}). */
static void fail(struct srv_reply *rp, unsigned int status, char *detail)
{
	srv_reply_clear(rp);
	srv_reply_detail(rp, status, "%s", detail);
	free(detail);
}

unsigned int fwd_failure(CURLcode rc, const char *host, const char *port, const char *why,
			 char **detail)
{
	bool sock = model_port_is_socket(port);

	if (rc == CURLE_ABORTED_BY_CALLBACK) { /* only when the frontend stops */
		*detail = xstrdup("The frontend is stopping");
		return 503;
	}
	if (rc == CURLE_OPERATION_TIMEDOUT) {
		*detail = sock ? xasprintf("Connection to socket %s timed out", port)
			       : xasprintf("Connection to target service %s:%s timed out", host, port);
		return 504;
	}
	if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
		*detail = sock ? xasprintf("Failed to connect to socket: %s", port)
			       : xasprintf("Failed to connect to target service %s:%s", host, port);
	else
		*detail = xasprintf("Error communicating with target service: %s",
				    why != NULL ? why : curl_easy_strerror(rc));
	return 502;
}

void xfer_classify(const struct xfer *x, struct srv_reply *rp, CURLcode rc)
{
	char *detail;
	unsigned int status = fwd_failure(rc, x->host, x->port, x->why, &detail);

	fail(rp, status, detail);
}

void xfer_end(struct xfer *x, CURLcode rc)
{
	struct srv_reply rp = { 0 };
	struct srv_later *finish = NULL;

	pthread_mutex_lock(&x->mu);
	x->done = true;
	x->failed = rc != CURLE_OK;
	if (x->paused)
		atomic_fetch_sub(&paused_n, 1);
	x->paused = false;
	if (!x->streaming) {
		if (x->too_large)
			rp.status = x->status;
		else if (rc == CURLE_OK)
			head_reply(x, &rp, true);
		else
			xfer_classify(x, &rp, rc);
		finish = x->later;
		x->later = NULL;
	}
	wake_reader(x);
	pthread_mutex_unlock(&x->mu);
	if (finish != NULL)
		srv_later_finish(finish, &rp);
	else if (x->sink != NULL)
		x->sink(x->sink_cls, &rp, x->too_large);
	xfer_unref(x);
}

enum xfer_next xfer_check(struct xfer *x, bool stopping)
{
	enum xfer_next next = XFER_AS_IS;

	pthread_mutex_lock(&x->mu);
	if (x->dropped || stopping) {
		next = XFER_DROP;
	} else if (x->paused && x->body.len - x->off < FORWARD_STREAM_BUFFER / 2 &&
		   atomic_load(&buffered) < FORWARD_BUDGET) {
		x->paused = false;
		atomic_fetch_sub(&paused_n, 1);
		next = XFER_RESUME;
	}
	pthread_mutex_unlock(&x->mu);
	return next;
}

/* ---- starting ---- */

/* The own client's request line target: "/path?query". */
static char *target_path(const struct fwd_request *rq)
{
	return xasprintf("%s%s%s%s", rq->prefix ? rq->prefix : "", *rq->path ? rq->path : "/",
			 *rq->query ? "?" : "", rq->query);
}

static struct xfer *xfer_new(const struct fwd_request *rq, struct srv_later *l,
			     struct MHD_Connection *conn, bool own)
{
	struct xfer *x = xcalloc(1, sizeof(*x));
	long timeout = rq->timeout_ms > 0 ? rq->timeout_ms : 60000L;

	pthread_mutex_init(&x->mu, NULL);
	x->own = own;
	x->method = rq->method;
	x->rq_body = rq->body ? rq->body : "";
	x->body_len = rq->body_len;
	x->deadline = fwd_now_ms() + timeout;
	x->length = -1;
	x->url = own ? target_path(rq) : NULL; /* libcurl's is made with its handle */
	x->headers = rq->headers;
	x->resolve = rq->resolve;
	x->host = xstrdup(rq->host);
	x->port = xstrdup(rq->port);
	x->later = l;
	x->conn = conn;
	x->refs = 1;
	return x;
}

/* Starts x (made for rq) on its transport: the own client on this server loop for a
 * unix-socket node without TLS (there is one while the core runs its loops), libcurl
 * otherwise; a frontend stopping answers 503 at once. */
static void start(const struct fwd_request *rq, struct xfer *x, struct srv_loop *loop)
{
	struct srv_reply rp = { 0 };
	struct srv_later *l = x->later;

	if (loop != NULL) {
		fwd_loop_start(x, loop);
		return;
	}
	if (fwd_curl_start(x, rq))
		return;
	xfer_classify(x, &rp, CURLE_ABORTED_BY_CALLBACK); /* stopping: no new transfer */
	x->later = NULL;
	if (l != NULL)
		srv_later_finish(l, &rp);
	else
		x->sink(x->sink_cls, &rp, false);
	xfer_unref(x);
}

static struct srv_loop *own_loop(const struct fwd_request *rq)
{
	return model_port_is_socket(rq->port) && !rq->https ? srv_loop_current() : NULL;
}

void forward_start(const struct fwd_request *rq, struct srv_later *l, struct MHD_Connection *conn)
{
	struct srv_loop *loop = own_loop(rq);

	start(rq, xfer_new(rq, l, conn, loop != NULL), loop);
}

void forward_collect(const struct fwd_request *rq, fwd_sink_fn *sink, void *cls)
{
	struct srv_loop *loop = own_loop(rq);
	struct xfer *x = xfer_new(rq, NULL, NULL, loop != NULL);

	x->sink = sink;
	x->sink_cls = cls;
	start(rq, x, loop);
}

void forward_init(void)
{
	fwd_curl_init();
}

void forward_cleanup(void)
{
	fwd_curl_cleanup();
}
