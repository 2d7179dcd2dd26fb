/* POST /api/fanout: many /proxy2 requests in one (our extension; docs/protocol.md 5.1).
 * A client that asks thousands of nodes behind a few frontends (lmcctl ... --all) sends
 * each frontend one request naming its nodes' requests instead of one request per node.
 * Each request in the batch is checked as /proxy2 checks it (fe_proxy2_check), a refusal
 * is the one /proxy2 would give, and a request that changes a node or is refused has an
 * audit line of its own. The requests go out on /proxy2's own transports, FANOUT_WINDOW
 * at a time (forward_collect: the own client on this server loop for unix-socket nodes),
 * no thread waiting; the last answer in sends the batch's. */
#include "config.h"
#include "server.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "forward.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

/* Requests in one batch (lmcctl sends at most this many, cli/batch.c), and of one batch in
 * flight at once: as many as lmcctl had in flight when it asked node by node, so that a
 * batch of many requests to one node (a logger each) does not overrun its listen queue. */
#define FANOUT_MAX_REQUESTS 256
#define FANOUT_WINDOW 64
/* Of all batches together, so that batches cannot make the frontend hold without bound what
 * single requests could not: requests in flight (a batch beyond is a 503, its client asks
 * node by node) and answers' bytes held until their batch is sent (an answer beyond is
 * "retry"). */
#define FANOUT_INFLIGHT_MAX 1024
#define FANOUT_HELD_MAX (64u << 20)

static atomic_size_t inflight, held;

struct batch;

/* One request of the batch, its strings in the batch's document. */
struct entry {
	const char *method, *path, *body, *content_type;
	size_t body_len;
	struct fe_hop hop;
	json_t *answer;
	int64_t started; /* fwd_now_ms */
	size_t held;	  /* its answer's bytes in `held` */
	struct batch *b;
};

struct batch {
	struct entry *e;
	size_t n;
	long timeout_ms;
	json_t *doc;
	int64_t deadline; /* fwd_now_ms: every answer is in by then */
	pthread_mutex_t mu; /* the fields below */
	size_t pending; /* answers still to come, and a hold while a thread sends (pumping) */
	size_t next;	/* the next request to send */
	size_t running; /* requests sent and not answered */
	bool pumping;	/* a thread is sending: the others leave it to that one */
	struct srv_later *later;
	/* for the audit lines, written as answers come in */
	struct frontend *fe;
	struct MHD_Connection *conn;
	struct srv_caller caller;
};

/* Entry i of the "requests" array; false with *why (malloc'd) when malformed. */
static bool read_entry(struct batch *b, size_t i, const json_t *v, char **why)
{
	struct entry *e = &b->e[i];
	const json_t *body = json_object_get(v, "body");

	e->b = b;
	e->method = json_str_member(v, "method", "GET");
	e->path = json_str_member(v, "path", NULL);
	e->content_type = json_str_member(v, "content_type", NULL);
	if (!json_is_object(v) || !str_is_method(e->method) || e->path == NULL ||
	    (body != NULL && !json_is_string(body) && !json_is_null(body))) {
		*why = xasprintf("requests[%zu]: an object with \"method\" (GET, POST, ...), "
				 "\"path\" (/proxy2/<node>/...) and an optional string \"body\"", i);
		return false;
	}
	if (json_is_string(body)) {
		e->body = json_string_value(body);
		e->body_len = json_string_length(body);
	}
	return true;
}

/* The batch of doc (taken); false with *why (malloc'd) when it is not one. */
static bool read_batch(struct batch *b, json_t *doc, char **why)
{
	const json_t *reqs = json_object_get(doc, "requests");
	const json_t *tmo = json_object_get(doc, "timeout_ms");
	size_t i;
	json_t *v;

	b->doc = doc;
	if (!json_is_array(reqs) || json_array_size(reqs) == 0 ||
	    json_array_size(reqs) > FANOUT_MAX_REQUESTS) {
		*why = xasprintf("\"requests\" is an array of 1 to %d requests", FANOUT_MAX_REQUESTS);
		return false;
	}
	if (tmo != NULL && (!json_is_integer(tmo) || json_integer_value(tmo) <= 0)) {
		*why = xstrdup("\"timeout_ms\" is a positive integer");
		return false;
	}
	if (tmo != NULL && json_integer_value(tmo) < b->timeout_ms)
		b->timeout_ms = (long)json_integer_value(tmo);
	b->n = json_array_size(reqs);
	b->e = xcalloc(b->n, sizeof(*b->e));
	json_array_foreach(reqs, i, v)
		if (!read_entry(b, i, v, why))
			return false;
	return true;
}

static void batch_free(struct batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		fe_hop_free(&b->e[i].hop);
		json_decref(b->e[i].answer);
		atomic_fetch_sub(&held, b->e[i].held);
	}
	free(b->e);
	json_decref(b->doc);
	pthread_mutex_destroy(&b->mu);
	free(b);
}

/* One audit line for a request of the batch that changes a node or was refused. */
static void audit(const struct entry *e, unsigned int status)
{
	const struct batch *b = e->b;
	const char *query;
	char *path, *line, *via;
	struct srv_request sr = { .conn = b->conn, .method = e->method, .caller = b->caller };

	if (!e->hop.changes && status != 401 && status != 403)
		return;
	path = srv_decode(e->path, path_length(e->path, &query));
	sr.path = path ? path : "?";
	line = srv_audit_line(&sr, status);
	via = xasprintf("%s via=/api/fanout", line);
	frontend_audit(b->fe, via, status);
	free(line);
	free(via);
	free(path);
}

/* The answer of a request whose answer the batch cannot carry (larger than a batch holds,
 * or not UTF-8 text): a request that reads is asked again alone ("retry"); one that
 * changes a node is not sent twice, its status comes without its body ("cut"). */
static json_t *uncarried(const struct entry *e, unsigned int status, const char *why)
{
	if (!e->hop.changes)
		return json_pack("{s:i, s:b, s:s}", "status", 0, "retry", 1, "detail", why);
	return json_pack("{s:i, s:b, s:s}", "status", (int)status, "cut", 1, "detail", why);
}

/* What /proxy2 would have answered (status, content type, body), or why not. */
static json_t *answer_of(const struct entry *e, const struct srv_reply *rp, long took_ms,
			 bool cut)
{
	json_t *a;

	if (cut)
		return uncarried(e, rp->status, "the answer is larger than a batch carries (256 KiB)");
	a = json_pack("{s:i, s:s, s:s%, s:i}", "status", (int)rp->status, "content_type",
		      rp->content_type ? rp->content_type : "text/plain", "body",
		      rp->body ? rp->body : "", rp->len, "took_ms", (int)took_ms);
	return a ? a : uncarried(e, rp->status, "the answer is not UTF-8 text");
}

/* Sends the batch's answer: every request's, in order. */
static void finish(struct batch *b)
{
	json_t *answers = json_array(), *doc;
	struct srv_reply rp = { 0 };
	char *text;

	for (size_t i = 0; i < b->n; i++)
		json_array_append(answers, b->e[i].answer);
	doc = json_pack("{s:o}", "answers", answers);
	text = json_to_text(doc);
	json_decref(doc);
	srv_reply_take(&rp, 200, "application/json", text, strlen(text));
	srv_later_finish(b->later, &rp);
	batch_free(b);
}

/* Lets go of one hold on b: the last sends the answer. */
static void release(struct batch *b)
{
	bool last;

	pthread_mutex_lock(&b->mu);
	last = --b->pending == 0;
	pthread_mutex_unlock(&b->mu);
	if (last)
		finish(b);
}

/* One answer in (on its transport's thread, or the handler's for a refusal). */
static void answered(struct entry *e, json_t *answer)
{
	e->answer = answer; /* each entry's own: read once all are in (after the lock) */
	release(e->b);
}

/* Whether an answer of len bytes may be held (and counts it). */
static bool may_hold(struct entry *e, size_t len)
{
	if (atomic_fetch_add(&held, len) + len > FANOUT_HELD_MAX) {
		atomic_fetch_sub(&held, len);
		return false;
	}
	e->held = len;
	return true;
}

static void pump(struct batch *b);

static void on_answer(void *cls, struct srv_reply *rp, bool cut)
{
	struct entry *e = cls;
	struct batch *b = e->b;
	bool send;
	json_t *a;

	atomic_fetch_sub(&inflight, 1);
	audit(e, rp->status);
	if (!cut && !may_hold(e, rp->len))
		a = uncarried(e, rp->status, "the frontend holds too many batched answers");
	else
		a = answer_of(e, rp, (long)(fwd_now_ms() - e->started), cut);
	srv_reply_clear(rp);
	pthread_mutex_lock(&b->mu);
	b->running--;
	send = !b->pumping && b->next < b->n;
	if (send) { /* this thread sends the next, holding the batch meanwhile */
		b->pumping = true;
		b->pending++;
	}
	pthread_mutex_unlock(&b->mu);
	if (send)
		pump(b);
	answered(e, a);
}

static void send_one(struct entry *e)
{
	struct fe_hop *h = &e->hop;
	int64_t left = e->b->deadline - fwd_now_ms();
	struct fwd_request f = { e->method, h->host, h->port, h->prefix, h->path, h->query,
				 e->body, e->body_len, h->headers, left > 0 ? (long)left : 1,
				 h->resolve, h->https };

	h->headers = h->resolve = NULL; /* the forwarder's now */
	e->started = fwd_now_ms();
	forward_collect(&f, on_answer, e);
}

/* Sends requests while fewer than FANOUT_WINDOW are in flight, then lets go of the hold
 * the sending thread has on b. An answer that comes in meanwhile (on another thread, or
 * at once on this one) leaves the sending to this thread. */
static void pump(struct batch *b)
{
	for (;;) {
		struct entry *e = NULL;

		pthread_mutex_lock(&b->mu);
		while (b->next < b->n && b->e[b->next].answer != NULL) /* refused */
			b->next++;
		if (b->next < b->n && b->running < FANOUT_WINDOW) {
			e = &b->e[b->next++];
			b->running++;
		} else {
			b->pumping = false;
		}
		pthread_mutex_unlock(&b->mu);
		if (e == NULL)
			break;
		send_one(e);
	}
	release(b);
}

/* Checks request e as /proxy2 would; a refusal is its answer at once. */
static void check(struct fe_request *rq, struct entry *e)
{
	struct fe_reply rp = { 0, NULL, BUF_INIT, NULL, NULL, false };
	const char *type = e->content_type ? e->content_type : "application/json";
	struct srv_reply r;

	if (fe_proxy2_check(rq, &rp, e->method, e->path, e->body ? type : NULL, &e->hop))
		return;
	r = (struct srv_reply){ .status = rp.status, .content_type = rp.content_type,
				.body = rp.body.data, .len = rp.body.len };
	atomic_fetch_sub(&inflight, 1); /* not sent */
	audit(e, rp.status);
	answered(e, answer_of(e, &r, 0, false));
	free(rp.content_type);
	buf_free(&rp.body);
}

void fe_ep_fanout(struct fe_request *rq, struct fe_reply *rp)
{
	struct batch *b = xcalloc(1, sizeof(*b));
	json_t *doc = fe_rq_json(rq, rp);
	char *why = NULL;

	pthread_mutex_init(&b->mu, NULL);
	b->timeout_ms = rq->fe->opt->proxy_timeout_ms;
	if (doc == NULL || !read_batch(b, doc, &why)) {
		if (doc != NULL)
			fe_reply_detail(rp, 400, "Bad batch: %s", why);
		free(why);
		batch_free(b);
		return;
	}
	if (atomic_fetch_add(&inflight, b->n) + b->n > FANOUT_INFLIGHT_MAX) {
		atomic_fetch_sub(&inflight, b->n);
		fe_reply_detail(rp, 503, "Too many batched requests in flight: send them one by one");
		batch_free(b);
		return;
	}
	b->pending = b->n + 1; /* the answers, and the handler's hold as the first sender */
	b->pumping = true;
	b->deadline = fwd_now_ms() + b->timeout_ms;
	b->later = srv_later(rq->sr);
	b->fe = rq->fe;
	b->conn = rq->conn;
	b->caller = *rq->caller;
	rp->later = true;
	for (size_t i = 0; i < b->n; i++)
		check(rq, &b->e[i]);
	pump(b); /* the last answer may come in before it returns */
}
