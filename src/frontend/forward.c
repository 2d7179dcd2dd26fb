/* Forwarding on one libcurl multi driven by a thread of its own (the forwarder), while the
 * client's connection waits suspended (srv_later): a request waiting for its node holds no
 * server thread, so slow or hung nodes cost the server nothing but the transfer.
 *
 * An answer that has arrived whole by FORWARD_STREAM_AT bytes is sent as one buffer (with
 * its length). A larger one streams: libmicrohttpd's content reader (read_stream, on a
 * server thread) takes what curl's write callback (on_body, on the forwarder) appended;
 * when nothing is there it suspends the connection and on_body resumes it; when the
 * client does not keep up, on_body pauses the node's transfer (CURLPAUSE) and the reader
 * asks the forwarder to go on once it has drained half. So what is held per answer and in
 * all is bounded (forward.h), whatever the size of the answer.
 *
 * A node on a unix socket without TLS is reached by the frontend's own client (upstream.c)
 * on the forwarder's epoll set; the rest (TCP, https) by libcurl. The forwarder waits in
 * epoll_wait, or, while libcurl has transfers, in curl_multi_poll with the epoll set as one
 * more descriptor. Server threads wake it through an eventfd, only when it sleeps.
 *
 * Connections to nodes are kept alive, bounded in number (IDLE_MAX, libcurl's cache and
 * upstream.c's pool each) and closed after IDLE_MAX_S unused, so a removed node's go. */
#include "config.h"
#include "forward.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "client-auth.h"
#include "jsonutil.h"
#include "model.h"
#include "paths.h"
#include "upstream.h"
#include "xalloc.h"

#define CONNECT_TIMEOUT_MS 10000L
#define IDLE_MAX 128
#define IDLE_MAX_S 60L
#define HANDLES_KEPT 64 /* easy handles kept for reuse */
#define EVENTS 64	 /* epoll events taken at once */

struct xfer {
	pthread_mutex_t mu; /* the fields below `answer` (the forwarder and a server thread) */
	CURL *e;	 /* libcurl's transfer, or */
	struct upc *uc; /* the own client's (a unix socket without TLS) */
	bool own;
	const char *method, *rq_body; /* the own client's request (the core keeps them) */
	size_t body_len;
	int64_t deadline; /* the own client's, monotonic ms */
	unsigned int status; /* the own client's answer */
	int64_t length;
	const char *why; /* the own client's reason of a failure */
	char *url;	 /* libcurl's URL, the own client's target */
	struct curl_slist *headers;
	struct curl_slist *resolve; /* read when the transfer starts */
	char *host, *port; /* for the proxy's own messages */
	struct srv_later *later; /* until the answer's head is handed over */
	struct MHD_Connection *conn;
	struct srv_reply head;	 /* content type and headers of the node's answer */
	/* answer */
	struct buf body; /* received, from off on not yet taken by the client */
	size_t off;
	bool streaming, done, failed, paused, waiting, dropped;
	int refs; /* the transfer, and the stream while libmicrohttpd holds it */
	struct xfer *next, *prev; /* the forwarder's queue, then its active list */
};

static struct {
	pthread_mutex_t mu; /* queue, kick, stop, asleep */
	CURLM *multi;
	int epfd, evfd; /* the own client's connections and the wake-up */
	size_t ncurl;	/* libcurl's transfers running */
	pthread_t thread;
	bool started, stop, kick, asleep;
	struct xfer *queue;
	struct xfer *active; /* the forwarder's own */
	CURL *handles[HANDLES_KEPT];
	size_t nhandles;
} fw = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* Bytes received and not yet taken by clients, all answers; transfers paused for it. */
static atomic_size_t buffered;
static atomic_int paused_n;

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- the transfer's life ---- */

static void xfer_unref(struct xfer *x)
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
	free(x->url);
	free(x->host);
	free(x->port);
	pthread_mutex_destroy(&x->mu);
	free(x);
}

/* Under fw.mu: whether the forwarder sleeps (then the caller wakes it, outside). */
static bool must_wake_locked(void)
{
	bool sleeping = fw.asleep;

	fw.asleep = false;
	return sleeping;
}

static void wake(void)
{
	uint64_t one = 1;

	if (write(fw.evfd, &one, sizeof(one)) < 0) {
		/* only EAGAIN (the counter is full): it is awake anyway */
	}
}

/* Asks the forwarder to look at paused and dropped transfers. */
static void kick(void)
{
	bool sleeping;

	pthread_mutex_lock(&fw.mu);
	fw.kick = true;
	sleeping = must_wake_locked();
	pthread_mutex_unlock(&fw.mu);
	if (sleeping)
		wake();
}

/* Under x->mu: the connection waits in read_stream for data or the end. */
static void wake_reader(struct xfer *x)
{
	if (x->waiting) {
		x->waiting = false;
		MHD_resume_connection(x->conn);
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
		MHD_suspend_connection(x->conn);
	}
	pthread_mutex_unlock(&x->mu);
	if (go_on || (n > 0 && atomic_load(&paused_n) > 0))
		kick();
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
		kick(); /* the forwarder drops the transfer */
	xfer_unref(x);
}

/* ---- the node's side (on the forwarder) ---- */

/* Under x->mu: the answer's status and head into rp; its body too when whole. */
static void head_reply(struct xfer *x, struct srv_reply *rp, bool whole)
{
	long status = x->status;
	curl_off_t len = x->length;

	if (!x->own)
		curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
	*rp = x->head;
	x->head = (struct srv_reply){ 0 };
	rp->status = (unsigned int)status;
	if (rp->content_type == NULL)
		rp->content_type = xstrdup("text/plain");
	if (whole) {
		atomic_fetch_sub(&buffered, x->body.len - x->off);
		rp->len = x->body.len;
		rp->body = rp->len > 0 ? buf_steal(&x->body) : NULL;
		buf_free(&x->body);
		return;
	}
	if (!x->own)
		curl_easy_getinfo(x->e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	rp->stream = read_stream;
	rp->stream_free = free_stream;
	rp->stream_cls = x;
	rp->stream_size = len >= 0 ? (uint64_t)len : SRV_STREAM_UNKNOWN;
	x->streaming = true;
	x->refs++;
}

/* Under x->mu: whether len more bytes must wait for the client (or for the others'). */
static bool must_wait(const struct xfer *x, size_t len)
{
	return (x->streaming && x->body.len - x->off + len > FORWARD_STREAM_BUFFER) ||
	       atomic_load(&buffered) + len > FORWARD_BUDGET;
}

/* n bytes of the answer's body, from either client: taken, or the transfer pauses (the
 * client or the budget has no room) or stops (the client left). */
static enum up_take take_body(struct xfer *x, const char *data, size_t n)
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
		if (!x->streaming && x->body.len >= FORWARD_STREAM_AT) {
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

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	enum up_take t = take_body(arg, data, n);

	(void)size;
	return t == UP_TAKEN ? n : t == UP_PAUSE ? CURL_WRITEFUNC_PAUSE : 0;
}

/* Keeps end-to-end headers; content type, length and date are the server's to set. */
static void keep_field(struct srv_reply *rp, const char *n, size_t nlen, const char *value,
		       size_t vlen)
{
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

/* A header line as libcurl gives it ("Name: value\r\n"). */
static void keep_header(struct srv_reply *rp, const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len), *value;
	size_t vlen;

	if (colon == NULL)
		return;
	for (value = colon + 1; *value == ' ' || *value == '\t'; value++)
		;
	vlen = len - (size_t)(value - line);
	while (vlen > 0 && (value[vlen - 1] == '\r' || value[vlen - 1] == '\n'))
		vlen--;
	keep_field(rp, line, (size_t)(colon - line), value, vlen);
}

static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	(void)size;
	if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) /* a new response (after a 100) */
		srv_reply_clear(&x->head);
	else
		keep_header(&x->head, line, n);
	return n;
}

/* ---- a transfer's setup ---- */

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

/* The own client's request line target: "/path?query". */
static char *target_path(const struct fwd_request *rq)
{
	return xasprintf("%s%s%s%s", rq->prefix ? rq->prefix : "", *rq->path ? rq->path : "/",
			 *rq->query ? "?" : "", rq->query);
}

/* A node on a unix socket without TLS goes through the own client (upstream.c). */
static void own_request(struct xfer *x, const struct fwd_request *rq)
{
	long timeout = rq->timeout_ms > 0 ? rq->timeout_ms : 60000L;

	x->own = model_port_is_socket(rq->port) && !rq->https;
	x->method = rq->method;
	x->rq_body = rq->body ? rq->body : "";
	x->body_len = rq->body_len;
	x->deadline = now_ms() + timeout;
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

/* Every option of a forwarded transfer: the one place for per-target settings (a pinned
 * address, TLS to an https node). */
static void setup(CURL *e, const struct fwd_request *rq, struct xfer *x)
{
	long timeout = rq->timeout_ms > 0 ? rq->timeout_ms : 60000L;

	curl_easy_setopt(e, CURLOPT_URL, x->url);
	curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_PROXY, ""); /* nodes are reached directly (no proxy env) */
	curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, IDLE_MAX_S);
	if (model_port_is_socket(rq->port))
		curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, rq->port);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, timeout);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 timeout < CONNECT_TIMEOUT_MS ? timeout : CONNECT_TIMEOUT_MS);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, x->headers);
	curl_easy_setopt(e, CURLOPT_RESOLVE, x->resolve);
	client_tls_apply(e); /* the frontend's --cacert, --cert, --key for https nodes */
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, x);
	curl_easy_setopt(e, CURLOPT_PRIVATE, x);
	set_method(e, rq);
}

/* ---- the end of a transfer ---- */

/* The proxy's own answer, in LMCache's words ({"detail": ...}). */
static void fail(struct srv_reply *rp, unsigned int status, char *detail)
{
	srv_reply_clear(rp);
	srv_reply_detail(rp, status, "%s", detail);
	free(detail);
}

static void classify(const struct xfer *x, struct srv_reply *rp, CURLcode rc)
{
	bool sock = model_port_is_socket(x->port);

	if (rc == CURLE_ABORTED_BY_CALLBACK) /* only when the frontend stops */
		fail(rp, 503, xstrdup("The frontend is stopping"));
	else if (rc == CURLE_OPERATION_TIMEDOUT)
		fail(rp, 504, sock ? xasprintf("Connection to socket %s timed out", x->port)
				   : xasprintf("Connection to target service %s:%s timed out",
					       x->host, x->port));
	else if (rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST)
		fail(rp, 502, sock ? xasprintf("Failed to connect to socket: %s", x->port)
				   : xasprintf("Failed to connect to target service %s:%s",
					       x->host, x->port));
	else if (x->why != NULL) /* the own client's reason */
		fail(rp, 502, xasprintf("Error communicating with target service: %s", x->why));
	else
		fail(rp, 502, xasprintf("Error communicating with target service: %s",
					curl_easy_strerror(rc)));
}

/* An easy handle, reused when one is kept (under fw.mu). */
static CURL *handle_take_locked(void)
{
	CURL *e = fw.nhandles > 0 ? fw.handles[--fw.nhandles] : curl_easy_init();

	if (e == NULL)
		abort(); /* only on memory exhaustion */
	return e;
}

static void handle_give(CURL *e)
{
	curl_easy_reset(e);
	pthread_mutex_lock(&fw.mu);
	if (fw.nhandles < HANDLES_KEPT) {
		fw.handles[fw.nhandles++] = e;
		e = NULL;
	}
	pthread_mutex_unlock(&fw.mu);
	if (e != NULL)
		curl_easy_cleanup(e);
}

static void unlink_active(struct xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		fw.active = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
}

/* On the forwarder: the transfer ended (rc), or was dropped. */
static void xfer_done(struct xfer *x, CURLcode rc)
{
	struct srv_reply rp = { 0 };
	struct srv_later *finish = NULL;

	if (!x->own) {
		curl_multi_remove_handle(fw.multi, x->e);
		fw.ncurl--;
	} else if (x->uc != NULL) { /* given up on (timeout, client gone, stopping) */
		up_abort(x->uc);
	}
	x->uc = NULL;
	unlink_active(x);
	pthread_mutex_lock(&x->mu);
	x->done = true;
	x->failed = rc != CURLE_OK;
	if (x->paused)
		atomic_fetch_sub(&paused_n, 1);
	x->paused = false;
	if (!x->streaming) {
		if (rc == CURLE_OK)
			head_reply(x, &rp, true);
		else
			classify(x, &rp, rc);
		finish = x->later;
		x->later = NULL;
	}
	wake_reader(x);
	pthread_mutex_unlock(&x->mu);
	if (x->e != NULL)
		handle_give(x->e);
	x->e = NULL;
	if (finish != NULL)
		srv_later_finish(finish, &rp);
	xfer_unref(x);
}

/* On the forwarder, after a kick: drops transfers whose client left, and lets paused ones
 * go on when their client (and the budget) has room again. */
static void look_at_paused(bool stopping)
{
	struct xfer *next;

	for (struct xfer *x = fw.active; x != NULL; x = next) {
		bool drop, resume;

		next = x->next;
		pthread_mutex_lock(&x->mu);
		drop = x->dropped || stopping;
		resume = !drop && x->paused && x->body.len - x->off < FORWARD_STREAM_BUFFER / 2 &&
			 atomic_load(&buffered) < FORWARD_BUDGET;
		if (resume) {
			x->paused = false;
			atomic_fetch_sub(&paused_n, 1);
		}
		pthread_mutex_unlock(&x->mu);
		if (drop)
			xfer_done(x, CURLE_ABORTED_BY_CALLBACK);
		else if (resume && x->own)
			up_resume(x->uc); /* may deliver at once, even end the transfer */
		else if (resume)
			curl_easy_pause(x->e, CURLPAUSE_CONT); /* may deliver at once (on_body) */
	}
}

/* ---- the own client's transfers (upstream.c) ---- */

static void own_header(void *cls, const char *name, size_t nlen, const char *v, size_t vlen)
{
	struct xfer *x = cls;

	keep_field(&x->head, name, nlen, v, vlen);
}

static void own_head(void *cls, unsigned int status, int64_t length)
{
	struct xfer *x = cls;

	x->status = status;
	x->length = length;
}

static enum up_take own_body(void *cls, const char *data, size_t n)
{
	return take_body(cls, data, n);
}

static void own_done(void *cls, enum up_end end, const char *why)
{
	struct xfer *x = cls;

	x->uc = NULL; /* the pool's again */
	x->why = why;
	xfer_done(x, end == UP_OK ? CURLE_OK : end == UP_CONNECT ? CURLE_COULDNT_CONNECT
								 : CURLE_RECV_ERROR);
}

static const struct up_ops own_ops = { own_header, own_head, own_body, own_done };

/* Sends x's request on the own client; a node that cannot be reached ends x at once. */
static void own_start(struct xfer *x)
{
	struct up_request r = { x->port, x->method, x->url, x->headers, x->rq_body, x->body_len };

	x->uc = up_start(&r, &own_ops, x);
	if (x->uc == NULL)
		xfer_done(x, CURLE_COULDNT_CONNECT);
}

/* Ends the own client's transfers past their deadline; the time to the next one (ms, -1:
 * none). */
static int expire_own(void)
{
	int64_t now = now_ms(), next = -1;
	struct xfer *n;

	for (struct xfer *x = fw.active; x != NULL; x = n) {
		n = x->next;
		if (!x->own)
			continue;
		if (x->deadline <= now)
			xfer_done(x, CURLE_OPERATION_TIMEDOUT);
		else if (next < 0 || x->deadline - now < next)
			next = x->deadline - now;
	}
	return (int)next;
}

/* ---- the forwarder ---- */

/* Takes the new transfers, the kick and the stop (under fw.mu); false once stopped and
 * idle. */
static bool take_work(struct xfer **queue, bool *kicked, bool *stopping)
{
	bool go_on;

	pthread_mutex_lock(&fw.mu);
	*queue = fw.queue;
	fw.queue = NULL;
	*kicked = fw.kick;
	fw.kick = false;
	*stopping = fw.stop;
	go_on = !fw.stop || *queue != NULL || fw.active != NULL;
	pthread_mutex_unlock(&fw.mu);
	return go_on;
}

/* Whether the forwarder may sleep: nothing queued (under fw.mu, so that a server thread
 * queueing after this wakes it). */
static bool may_sleep(void)
{
	bool idle;

	pthread_mutex_lock(&fw.mu);
	idle = fw.queue == NULL && !fw.kick && !fw.stop;
	fw.asleep = idle;
	pthread_mutex_unlock(&fw.mu);
	return idle;
}

/* The own client's events (and the wake-up's), waiting up to wait_ms when allowed. */
static void own_events(int wait_ms)
{
	struct epoll_event ev[EVENTS];
	int n = epoll_wait(fw.epfd, ev, EVENTS, wait_ms != 0 && may_sleep() ? wait_ms : 0);
	uint64_t count;

	pthread_mutex_lock(&fw.mu);
	fw.asleep = false;
	pthread_mutex_unlock(&fw.mu);
	for (int i = 0; i < n; i++) {
		if (ev[i].data.ptr == NULL) {
			if (read(fw.evfd, &count, sizeof(count)) < 0) {
				/* EAGAIN: read already */
			}
		} else {
			up_event(ev[i].data.ptr, ev[i].events);
		}
	}
	up_reap();
}

/* libCurl's round: its transfers go on, the finished ones end. */
static void curl_round(void)
{
	int running;
	CURLMsg *msg;

	curl_multi_perform(fw.multi, &running);
	while ((msg = curl_multi_info_read(fw.multi, &running)) != NULL) {
		struct xfer *x = NULL;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		xfer_done(x, msg->data.result);
	}
}

/* Waits for the next event: in epoll_wait, or in curl_multi_poll (the epoll set one more
 * descriptor) while libcurl has transfers. */
static void wait_events(int wait_ms)
{
	struct curl_waitfd own = { fw.epfd, CURL_WAIT_POLLIN, 0 };

	if (fw.ncurl > 0) {
		if (wait_ms != 0 && may_sleep())
			curl_multi_poll(fw.multi, &own, 1, wait_ms < 0 ? 1000 : wait_ms, NULL);
		own_events(0);
	} else {
		own_events(wait_ms < 0 || wait_ms > 1000 ? 1000 : wait_ms);
	}
}

static void add_queued(struct xfer *q)
{
	while (q != NULL) {
		struct xfer *x = q;

		q = q->next;
		x->prev = NULL;
		x->next = fw.active;
		if (fw.active != NULL)
			fw.active->prev = x;
		fw.active = x;
		if (x->own) {
			own_start(x);
		} else {
			curl_multi_add_handle(fw.multi, x->e);
			fw.ncurl++;
		}
	}
}

static void *forwarder_main(void *arg)
{
	struct xfer *q;
	bool kicked, stopping;
	int64_t swept = now_ms();
	int wait_ms;

	(void)arg;
	pthread_setname_np(pthread_self(), "fe-forward");
	while (take_work(&q, &kicked, &stopping)) {
		add_queued(q);
		if (kicked || stopping)
			look_at_paused(stopping);
		if (fw.ncurl > 0)
			curl_round();
		wait_ms = expire_own();
		if (now_ms() - swept > 1000) { /* the own client's idle connections age */
			swept = now_ms();
			up_expire(swept / 1000, IDLE_MAX_S);
		}
		wait_events(stopping ? 0 : wait_ms);
	}
	up_cleanup();
	return NULL;
}

void forward_init(void)
{
	if (fw.started)
		return;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	fw.multi = curl_multi_init();
	fw.epfd = epoll_create1(EPOLL_CLOEXEC);
	fw.evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (fw.multi == NULL || fw.epfd < 0 || fw.evfd < 0 ||
	    epoll_ctl(fw.epfd, EPOLL_CTL_ADD, fw.evfd, &ev) < 0)
		abort(); /* out of resources at start */
	curl_multi_setopt(fw.multi, CURLMOPT_MAXCONNECTS, (long)IDLE_MAX);
	up_init(fw.epfd);
	if (pthread_create(&fw.thread, NULL, forwarder_main, NULL) != 0)
		abort();
	fw.started = true;
}

void forward_start(const struct fwd_request *rq, struct srv_later *l, struct MHD_Connection *conn)
{
	struct xfer *x = xcalloc(1, sizeof(*x));
	bool sleeping;

	pthread_mutex_init(&x->mu, NULL);
	own_request(x, rq);
	x->url = x->own ? target_path(rq) : target_url(rq);
	x->headers = rq->headers;
	x->resolve = rq->resolve;
	x->host = xstrdup(rq->host);
	x->port = xstrdup(rq->port);
	x->later = l;
	x->conn = conn;
	x->refs = 1;
	pthread_mutex_lock(&fw.mu);
	if (!fw.started || fw.stop) { /* stopping: no new transfer */
		struct srv_reply rp = { 0 };

		pthread_mutex_unlock(&fw.mu);
		classify(x, &rp, CURLE_ABORTED_BY_CALLBACK);
		x->later = NULL;
		xfer_unref(x);
		srv_later_finish(l, &rp);
		return;
	}
	if (!x->own) {
		x->e = handle_take_locked();
		setup(x->e, rq, x);
	}
	x->next = fw.queue;
	fw.queue = x;
	sleeping = must_wake_locked();
	pthread_mutex_unlock(&fw.mu);
	if (sleeping)
		wake();
}

/* Every transfer ends (503 for a request still waiting, a streamed answer cut), so that no
 * connection stays suspended for libmicrohttpd to stop. */
void forward_cleanup(void)
{
	if (!fw.started || fw.stop)
		return;
	pthread_mutex_lock(&fw.mu);
	fw.stop = true;
	pthread_mutex_unlock(&fw.mu);
	wake();
	pthread_join(fw.thread, NULL);
	while (fw.nhandles > 0)
		curl_easy_cleanup(fw.handles[--fw.nhandles]);
	curl_multi_cleanup(fw.multi);
	close(fw.epfd);
	close(fw.evfd);
}
