/* Forwarding on the server loop of the request (srv.h, srv_loop_*): a node on a unix socket
 * without TLS is reached by the own client (upstream.c) whose connections are in the loop's
 * epoll set, so the request is sent, its answer read and the client's connection resumed
 * on the thread that parsed it and sends the answer. Each loop has its own state (a
 * struct fwd_loop, made on its first transfer): the pool of kept connections and the
 * transfers in flight, touched by that loop's thread only. The loop's tick ends transfers
 * past their deadline (504), drops those whose client left and resumes paused ones. */
#include "config.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "fwd-internal.h"
#include "xalloc.h"

#define PAUSED_POLL_MS 20 /* a transfer paused for the budget: others' readers free it */

struct fwd_loop {
	struct srv_loop_user u; /* first */
	struct srv_loop *loop;
	struct up_pool *pool;
	struct xfer *active;
	size_t npaused;
	atomic_bool kicked;
	int64_t swept; /* the kept connections' last aging, monotonic ms */
};

static const char loop_key = 0; /* the key of the frontend's state on a loop */

static void unlink_active(struct fwd_loop *fl, struct xfer *x)
{
	if (x->prev != NULL)
		x->prev->next = x->next;
	else
		fl->active = x->next;
	if (x->next != NULL)
		x->next->prev = x->prev;
}

/* x ended (rc) or is given up on (the own client's connection, if any, closes). */
static void loop_done(struct xfer *x, CURLcode rc)
{
	if (x->uc != NULL)
		up_abort(x->uc);
	x->uc = NULL;
	unlink_active(x->loop, x);
	xfer_end(x, rc);
}

/* ---- the own client's callbacks ---- */

static void own_header(void *cls, const char *name, size_t nlen, const char *v, size_t vlen)
{
	xfer_keep_field(cls, name, nlen, v, vlen);
}

static void own_head(void *cls, unsigned int status, int64_t length)
{
	struct xfer *x = cls;

	x->status = status;
	x->length = length;
}

static enum up_take own_body(void *cls, const char *data, size_t n)
{
	return xfer_take_body(cls, data, n);
}

static void own_done(void *cls, enum up_end end, const char *why)
{
	struct xfer *x = cls;

	x->uc = NULL; /* the pool's again */
	x->why = why;
	loop_done(x, end == UP_OK ? CURLE_OK : end == UP_CONNECT ? CURLE_COULDNT_CONNECT
								 : CURLE_RECV_ERROR);
}

static const struct up_ops own_ops = { own_header, own_head, own_body, own_done };

/* ---- the loop's tick ---- */

/* Drops transfers whose client left (all when stopping), resumes paused ones with room. */
static void look_at_paused(struct fwd_loop *fl, bool stopping)
{
	struct xfer *next;

	for (struct xfer *x = fl->active; x != NULL; x = next) {
		enum xfer_next what = xfer_check(x, stopping);

		next = x->next;
		if (what == XFER_DROP)
			loop_done(x, CURLE_ABORTED_BY_CALLBACK);
		else if (what == XFER_RESUME)
			up_resume(x->uc); /* may deliver at once, even end the transfer */
	}
}

/* Ends transfers past their deadline; the ms to the next one (-1: none). */
static int expire(struct fwd_loop *fl, int64_t now)
{
	int64_t next = -1;
	struct xfer *n;

	fl->npaused = 0;
	for (struct xfer *x = fl->active; x != NULL; x = n) {
		n = x->next;
		if (x->deadline <= now) {
			loop_done(x, CURLE_OPERATION_TIMEDOUT);
			continue;
		}
		if (next < 0 || x->deadline - now < next)
			next = x->deadline - now;
		fl->npaused += x->paused; /* read by its own thread: no lock needed for a hint */
	}
	return (int)next;
}

static int loop_tick(struct srv_loop_user *u, bool stopping)
{
	struct fwd_loop *fl = (struct fwd_loop *)u;
	int64_t now;
	int wait;

	if (atomic_exchange(&fl->kicked, false) || stopping || fl->npaused > 0)
		look_at_paused(fl, stopping);
	now = fwd_now_ms();
	wait = expire(fl, now);
	if (now - fl->swept > 1000) { /* the kept connections age */
		fl->swept = now;
		up_expire(fl->pool, now / 1000, FWD_IDLE_MAX_S);
	}
	up_reap(fl->pool); /* after the round's events, which may name closed ones */
	if (fl->npaused > 0 && (wait < 0 || wait > PAUSED_POLL_MS))
		wait = PAUSED_POLL_MS;
	return wait >= 0 ? wait : (int)FWD_IDLE_MAX_S * 1000; /* idle: the kept ones age */
}

static void loop_end(struct srv_loop_user *u)
{
	struct fwd_loop *fl = (struct fwd_loop *)u;

	while (fl->active != NULL)
		loop_done(fl->active, CURLE_ABORTED_BY_CALLBACK);
	up_pool_free(fl->pool);
	free(fl);
}

/* ---- starting ---- */

static struct fwd_loop *loop_state(struct srv_loop *l)
{
	struct fwd_loop *fl = (struct fwd_loop *)srv_loop_find_user(l, &loop_key);

	if (fl != NULL)
		return fl;
	fl = xcalloc(1, sizeof(*fl));
	fl->u = (struct srv_loop_user){ .key = &loop_key, .tick = loop_tick, .end = loop_end };
	fl->loop = l;
	fl->pool = up_pool_new(l);
	fl->swept = fwd_now_ms();
	srv_loop_attach(l, &fl->u);
	return fl;
}

void fwd_loop_start(struct xfer *x, struct srv_loop *l)
{
	struct fwd_loop *fl = loop_state(l);
	struct up_request r = { x->port, x->method, x->url, x->headers, x->rq_body, x->body_len };

	x->loop = fl;
	x->prev = NULL;
	x->next = fl->active;
	if (fl->active != NULL)
		fl->active->prev = x;
	fl->active = x;
	x->uc = up_start(fl->pool, &r, &own_ops, x);
	if (x->uc == NULL) /* the node cannot be reached */
		loop_done(x, CURLE_COULDNT_CONNECT);
}

void fwd_loop_kick(struct xfer *x)
{
	atomic_store(&x->loop->kicked, true);
	if (srv_loop_current() != x->loop->loop)
		srv_loop_wake(x->loop->loop);
}
