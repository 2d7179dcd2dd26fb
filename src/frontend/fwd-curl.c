/* Forwarding through libcurl (TCP and https nodes; unix-socket nodes too when a request is
 * not on a server loop): one libcurl multi driven by a thread of its own, the forwarder. A
 * request waiting for its node holds no server thread, so slow or hung nodes cost the
 * server nothing but the transfer. Server threads queue transfers and kick the forwarder
 * (curl_multi_wakeup) when it waits in curl_multi_poll.
 *
 * Connections to nodes are kept alive, bounded in number (IDLE_MAX, libcurl's cache) and
 * closed after FWD_IDLE_MAX_S unused, so a removed node's go. */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "client-auth.h"
#include "fwd-internal.h"
#include "http-multi.h"
#include "model.h"
#include "paths.h"
#include "xalloc.h"

#define CONNECT_TIMEOUT_MS 10000L
#define IDLE_MAX 128
#define HANDLES_KEPT 64 /* easy handles kept for reuse */

static struct {
	pthread_mutex_t mu; /* queue, kick, stop, handles */
	CURLM *multi;
	pthread_t thread;
	bool started, stop, kick;
	struct xfer *queue;
	struct xfer *active; /* the forwarder's own */
	CURL *handles[HANDLES_KEPT];
	size_t nhandles;
} fw = { .mu = PTHREAD_MUTEX_INITIALIZER };

/* The wake-up under fw.mu: the multi is freed once stopped. */
void fwd_curl_kick(void)
{
	pthread_mutex_lock(&fw.mu);
	fw.kick = true;
	if (fw.started && !fw.stop)
		curl_multi_wakeup(fw.multi);
	pthread_mutex_unlock(&fw.mu);
}

void fwd_curl_head(struct xfer *x)
{
	long status = 0;
	curl_off_t len = -1;

	curl_easy_getinfo(x->e, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_getinfo(x->e, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
	x->status = (unsigned int)status;
	x->length = len;
}

/* ---- libcurl's callbacks (on the forwarder) ---- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	enum up_take t = xfer_take_body(arg, data, n);

	(void)size;
	return t == UP_TAKEN ? n : t == UP_PAUSE ? CURL_WRITEFUNC_PAUSE : 0;
}

/* A header line as libcurl gives it ("Name: value\r\n"). */
static void keep_header(struct xfer *x, const char *line, size_t len)
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
	xfer_keep_field(x, line, (size_t)(colon - line), value, vlen);
}

/* libcurl gives the lines of the header section, its blank end, and then a chunked
 * answer's trailer lines: those are dropped (as the own client does), not made headers. */
static size_t on_header(char *line, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;

	(void)size;
	if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) { /* a new response (after a 100) */
		srv_reply_clear(&x->head);
		x->head_ended = false;
	} else if (n == 0 || line[0] == '\r' || line[0] == '\n') {
		x->head_ended = true;
	} else if (!x->head_ended) {
		keep_header(x, line, n);
	}
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
	curl_easy_setopt(e, CURLOPT_MAXAGE_CONN, FWD_IDLE_MAX_S);
	if (model_port_is_socket(rq->port)) {
		curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, rq->port);
		x->socket_name = hm_socket_name(e, rq->port);
	}
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

/* ---- the forwarder ---- */

static void unlink_active(struct xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		fw.active = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
}

/* The transfer ended (rc), or was dropped: its handle goes back, then the answer. */
static void curl_done(struct xfer *x, CURLcode rc)
{
	CURL *e = x->e;

	curl_multi_remove_handle(fw.multi, e);
	unlink_active(x);
	pthread_mutex_lock(&x->mu);
	if (!x->streaming && (rc == CURLE_OK || x->too_large)) /* a cut answer: its status */
		fwd_curl_head(x);
	x->e = NULL;
	pthread_mutex_unlock(&x->mu);
	handle_give(e);
	xfer_end(x, rc);
}

/* After a kick: drops transfers whose client left, lets paused ones go on. */
static void look_at_paused(bool stopping)
{
	struct xfer *next;

	for (struct xfer *x = fw.active; x != NULL; x = next) {
		enum xfer_next what = xfer_check(x, stopping);

		next = x->next;
		if (what == XFER_DROP)
			curl_done(x, CURLE_ABORTED_BY_CALLBACK);
		else if (what == XFER_RESUME)
			curl_easy_pause(x->e, CURLPAUSE_CONT); /* may deliver at once (on_body) */
	}
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
		curl_done(x, msg->data.result);
	}
}

/* Takes the new transfers, the kick and the stop; false once stopped and idle. */
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
		curl_multi_add_handle(fw.multi, x->e);
	}
}

static void *forwarder_main(void *arg)
{
	struct xfer *q;
	bool kicked, stopping;

	(void)arg;
	pthread_setname_np(pthread_self(), "fe-forward");
	while (take_work(&q, &kicked, &stopping)) {
		add_queued(q);
		if (kicked || stopping)
			look_at_paused(stopping);
		curl_round();
		if (!stopping) /* a queued transfer or a kick ends the wait (curl_multi_wakeup) */
			curl_multi_poll(fw.multi, NULL, 0, 1000, NULL);
	}
	return NULL;
}

void fwd_curl_init(void)
{
	if (fw.started)
		return;
	fw.multi = curl_multi_init();
	if (fw.multi == NULL)
		abort(); /* out of resources at start */
	curl_multi_setopt(fw.multi, CURLMOPT_MAXCONNECTS, (long)IDLE_MAX);
	if (pthread_create(&fw.thread, NULL, forwarder_main, NULL) != 0)
		abort();
	fw.started = true;
}

bool fwd_curl_start(struct xfer *x, const struct fwd_request *rq)
{
	pthread_mutex_lock(&fw.mu);
	if (!fw.started || fw.stop) {
		pthread_mutex_unlock(&fw.mu);
		return false;
	}
	x->url = target_url(rq);
	x->e = handle_take_locked();
	setup(x->e, rq, x);
	x->next = fw.queue;
	fw.queue = x;
	curl_multi_wakeup(fw.multi);
	pthread_mutex_unlock(&fw.mu);
	return true;
}

/* Every transfer ends (503 for a request still waiting, a streamed answer cut), so that no
 * connection stays suspended for libmicrohttpd to stop. */
void fwd_curl_cleanup(void)
{
	if (!fw.started || fw.stop)
		return;
	pthread_mutex_lock(&fw.mu);
	fw.stop = true;
	curl_multi_wakeup(fw.multi);
	pthread_mutex_unlock(&fw.mu);
	pthread_join(fw.thread, NULL);
	while (fw.nhandles > 0)
		curl_easy_cleanup(fw.handles[--fw.nhandles]);
	curl_multi_cleanup(fw.multi);
}
