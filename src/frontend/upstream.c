/* The frontend's own HTTP/1.1 client for nodes on a unix socket (see upstream.h).
 *
 * A connection carries one request at a time: the head (built into the connection's own
 * buffer) and the body go out with one sendmsg; the answer is read into the connection's
 * buffer and framed by up-parse.c; body bytes go to the owner where they lie. Done with a
 * reusable answer, the connection joins the pool (at most UP_KEPT_MAX, the newest first)
 * with its buffers, so a steady stream of requests allocates nothing here. A kept
 * connection the node closed meanwhile fails before any byte of the answer: the request
 * is sent once more on a new connection, as libcurl does. */
#include "config.h"
#include "upstream.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "up-parse.h"
#include "xalloc.h"

#define UP_KEPT_MAX 128	    /* idle connections kept */
#define UP_READ (16u << 10) /* read at once */

struct upc {
	struct srv_loop_watch w; /* first: the loop's event names the connection */
	struct up_pool *pool;
	int fd;
	char *sock;
	struct buf out; /* the request's head */
	const char *body;
	size_t body_len, sent; /* of head and body together */
	char *in; /* received: inlen bytes, parsed up to used */
	size_t inlen, incap, used;
	size_t pend, pendlen; /* body bytes at in + pend the owner has not taken (paused) */
	struct up_parse p;
	bool reused, got, paused, dead;
	const struct up_ops *ops; /* NULL while idle */
	void *cls;
	int64_t idle_since;
	struct upc *next, *prev; /* the pool; the dead list */
};

struct up_pool {
	struct srv_loop *loop;
	struct upc *kept; /* newest first */
	size_t nkept;
	struct upc *dead; /* closed, freed by up_reap (an event batch may still name them) */
};

static void on_event(struct srv_loop_watch *w, uint32_t events);

struct up_pool *up_pool_new(struct srv_loop *loop)
{
	struct up_pool *p = xcalloc(1, sizeof(*p));

	p->loop = loop;
	return p;
}

static int64_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* ---- connections ---- */

static int dial(const char *sock)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(sock) >= sizeof(sa.sun_path))
		return -1;
	strcpy(sa.sun_path, sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A unix socket connects at once or not at all (EAGAIN: its backlog is full). */
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static void watch(struct upc *c)
{
	c->w.on_event = on_event;
	srv_loop_add(c->pool->loop, c->fd, EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET, &c->w);
}

static void unkeep(struct upc *c)
{
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		c->pool->kept = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	c->next = c->prev = NULL;
	c->pool->nkept--;
}

/* Closes c; its memory goes in up_reap, after the event batch that may name it. */
static void destroy(struct upc *c)
{
	if (c->fd >= 0)
		close(c->fd); /* leaves the epoll set with it */
	c->fd = -1;
	c->dead = true;
	c->next = c->pool->dead;
	c->pool->dead = c;
}

void up_reap(struct up_pool *p)
{
	while (p->dead != NULL) {
		struct upc *c = p->dead;

		p->dead = c->next;
		buf_free(&c->out);
		free(c->in);
		free(c->sock);
		free(c);
	}
}

/* The oldest kept connection goes when the pool is full. */
static void keep(struct upc *c)
{
	struct up_pool *p = c->pool;
	struct upc *last = p->kept;

	if (p->nkept >= UP_KEPT_MAX) {
		while (last->next != NULL)
			last = last->next;
		unkeep(last);
		destroy(last);
	}
	c->ops = NULL;
	c->cls = NULL;
	c->idle_since = now_s();
	c->next = p->kept;
	if (p->kept != NULL)
		p->kept->prev = c;
	p->kept = c;
	p->nkept++;
}

static struct upc *take_kept(struct up_pool *p, const char *sock)
{
	for (struct upc *c = p->kept; c != NULL; c = c->next)
		if (strcmp(c->sock, sock) == 0) {
			unkeep(c);
			return c;
		}
	return NULL;
}

/* ---- the request ---- */

static void build(struct upc *c, const struct up_request *rq)
{
	bool with_length = rq->body_len > 0 || strcmp(rq->method, "POST") == 0 ||
			   strcmp(rq->method, "PUT") == 0 || strcmp(rq->method, "PATCH") == 0;

	buf_reset(&c->out);
	buf_printf(&c->out, "%s %s HTTP/1.1\r\nHost: localhost\r\n", rq->method, rq->target);
	for (const struct curl_slist *h = rq->headers; h != NULL; h = h->next) {
		const char *colon = strchr(h->data, ':');

		if (colon != NULL && colon[1 + strspn(colon + 1, " \t")] == '\0')
			continue; /* "Name:" alone: a header libcurl would leave out */
		buf_puts(&c->out, h->data);
		buf_puts(&c->out, "\r\n");
	}
	if (with_length)
		buf_printf(&c->out, "Content-Length: %zu\r\n", rq->body_len);
	buf_puts(&c->out, "\r\n");
	c->body = rq->body;
	c->body_len = rq->body_len;
	c->sent = 0;
	c->inlen = c->used = c->pendlen = 0;
	c->got = c->paused = false;
	up_parse_init(&c->p, strcmp(rq->method, "HEAD") == 0);
}

static void finish(struct upc *c, enum up_end end, const char *why)
{
	const struct up_ops *ops = c->ops;
	void *cls = c->cls;

	if (end == UP_OK && c->p.keep_alive && c->used == c->inlen &&
	    c->sent == c->out.len + c->body_len) {
		c->inlen = c->used = 0;
		keep(c);
	} else {
		destroy(c);
	}
	ops->done(cls, end, why);
}

/* A kept connection that fails before the answer's first byte: the node closed it while
 * it was idle; the request goes once more on a new one. */
static bool retried(struct upc *c)
{
	if (!c->reused || c->got)
		return false;
	close(c->fd);
	c->reused = false;
	c->sent = 0;
	if ((c->fd = dial(c->sock)) < 0)
		return false;
	watch(c);
	return true;
}

static void failed(struct upc *c, const char *why)
{
	if (retried(c))
		return;
	finish(c, c->got || c->sent > 0 ? UP_FAILED : UP_CONNECT, why);
}

/* Sends what is left of the request: 1 all sent, 0 the socket is full, -1 an error. */
static int flush(struct upc *c)
{
	while (c->sent < c->out.len + c->body_len) {
		struct iovec iov[2];
		struct msghdr m = { .msg_iov = iov };
		size_t k = 0, b = c->sent > c->out.len ? c->sent - c->out.len : 0;
		ssize_t n;

		if (c->sent < c->out.len)
			iov[k++] = (struct iovec){ c->out.data + c->sent, c->out.len - c->sent };
		if (c->body_len > b)
			iov[k++] = (struct iovec){ (void *)(c->body + b), c->body_len - b };
		m.msg_iovlen = k;
		n = sendmsg(c->fd, &m, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return errno == EAGAIN ? 0 : -1;
		c->sent += (size_t)n;
	}
	return 1;
}

/* ---- the answer ---- */

static void on_header(void *cls, const char *name, size_t nlen, const char *v, size_t vlen)
{
	struct upc *c = cls;

	c->ops->header(c->cls, name, nlen, v, vlen);
}

/* Hands body bytes at pend to the owner: false when c must stop (paused, or finished). */
static bool deliver(struct upc *c)
{
	enum up_take t;

	if (c->pendlen == 0)
		return true;
	t = c->ops->body(c->cls, c->in + c->pend, c->pendlen);
	if (t == UP_PAUSE) {
		c->paused = true;
		return false;
	}
	c->pendlen = 0;
	if (t == UP_STOP) {
		finish(c, UP_FAILED, "the client left");
		return false;
	}
	return true;
}

/* Frames what was received; false when c must stop reading (paused, or finished). */
static bool consume(struct upc *c)
{
	ssize_t k;

	if (c->p.state == UP_HEAD) {
		if ((k = up_parse_head(&c->p, c->in, c->inlen, on_header, c)) < 0) {
			finish(c, UP_FAILED, c->p.error);
			return false;
		}
		if (k == 0)
			return true;
		c->used = (size_t)k;
		c->ops->head(c->cls, c->p.status, c->p.length);
	}
	while (c->p.state != UP_DONE && c->used < c->inlen) {
		const char *d;

		if ((k = up_parse_body(&c->p, c->in + c->used, c->inlen - c->used, &d,
				       &c->pendlen)) < 0) {
			finish(c, UP_FAILED, c->p.error);
			return false;
		}
		c->pend = (size_t)(d - c->in);
		c->used += (size_t)k;
		if (!deliver(c))
			return false;
	}
	if (c->p.state == UP_DONE) {
		finish(c, UP_OK, NULL);
		return false;
	}
	if (c->used == c->inlen)
		c->used = c->inlen = 0; /* all taken: the buffer starts over */
	return true;
}

/* The node ended the connection (read 0). */
static void ended(struct upc *c)
{
	if (!c->got && retried(c))
		return;
	if (up_parse_eof(&c->p))
		finish(c, UP_OK, NULL);
	else
		finish(c, UP_FAILED, c->got ? "the node closed the connection before the answer ended"
					    : "the node closed the connection without an answer");
}

/* Reads until the socket has nothing more, c pauses, or c finishes. */
static void drain(struct upc *c)
{
	for (;;) {
		ssize_t n;

		if (c->incap < c->inlen + UP_READ) { /* grows up to a head's size + UP_READ */
			c->incap = c->inlen + UP_READ;
			c->in = xrealloc(c->in, c->incap);
		}
		n = recv(c->fd, c->in + c->inlen, UP_READ, MSG_DONTWAIT);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno == EAGAIN)
			return;
		if (n <= 0) {
			if (n == 0)
				ended(c);
			else
				failed(c, "the node reset the connection");
			return;
		}
		c->got = true;
		c->inlen += (size_t)n;
		if (!consume(c))
			return;
	}
}

/* ---- the owner's calls ---- */

struct upc *up_start(struct up_pool *p, const struct up_request *rq, const struct up_ops *ops,
		     void *cls)
{
	struct upc *c = take_kept(p, rq->sock);
	int fd;

	if (c == NULL) {
		if ((fd = dial(rq->sock)) < 0)
			return NULL;
		c = xcalloc(1, sizeof(*c));
		c->pool = p;
		c->fd = fd;
		c->sock = xstrdup(rq->sock);
		watch(c);
	} else {
		c->reused = true;
	}
	c->ops = ops;
	c->cls = cls;
	build(c, rq);
	/* The answer comes with the next event (edge-triggered: new bytes make one). */
	while (flush(c) < 0) {
		if (!retried(c)) {
			destroy(c);
			return NULL;
		}
	}
	return c;
}

/* An event on a kept connection: the node closed it, or sends what nobody asked for. */
static void idle_event(struct upc *c, uint32_t events)
{
	char b;

	if (!(events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) ||
	    (!(events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) &&
	     recv(c->fd, &b, 1, MSG_PEEK | MSG_DONTWAIT) < 0 && errno == EAGAIN))
		return; /* a late edge of the last answer */
	unkeep(c);
	destroy(c);
}

static void on_event(struct srv_loop_watch *w, uint32_t events)
{
	struct upc *c = (struct upc *)w;
	int sent;

	if (c->dead)
		return;
	if (c->ops == NULL) {
		idle_event(c, events);
		return;
	}
	if ((events & EPOLLOUT) && (sent = flush(c)) < 0) {
		failed(c, "the node closed the connection");
		return;
	}
	if (!c->paused) /* even with the request not all sent: the node may answer early */
		drain(c);
}

void up_resume(struct upc *c)
{
	c->paused = false;
	if (deliver(c) && consume(c))
		drain(c);
}

void up_abort(struct upc *c)
{
	destroy(c);
}

void up_expire(struct up_pool *p, int64_t now, int64_t idle_s)
{
	struct upc *next;

	for (struct upc *c = p->kept; c != NULL; c = next) {
		next = c->next;
		if (now - c->idle_since > idle_s) {
			unkeep(c);
			destroy(c);
		}
	}
}

void up_pool_free(struct up_pool *p)
{
	while (p->kept != NULL) {
		struct upc *c = p->kept;

		unkeep(c);
		destroy(c);
	}
	up_reap(p);
	free(p);
}
