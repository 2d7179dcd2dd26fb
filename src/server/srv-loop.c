/* The core's own event loops (struct srv_config.loops): each a thread with an epoll set, a
 * libmicrohttpd daemon polled from it (MHD_USE_EPOLL without a thread of its own: the
 * daemon's epoll descriptor is one member of the set, MHD_run when it is ready or its
 * timeout is due) and whatever descriptors the requests' handlers add (srv_loop_add). So a
 * handler that talks to another server does it on the thread that parsed the request and
 * will send the answer: no hand-over to another thread and back, no thread switch.
 *
 * The daemons share the listening socket (each wakes for a new connection, one accepts
 * it). libmicrohttpd's limits count per daemon, so the total and per-address limits are
 * kept here over all loops: a connection is counted when it opens and refused by the
 * accept policy when its address (or the server) is full. Two loops accepting at the same
 * moment may let an address have one connection more than its limit per extra loop. */
#include "config.h"
#include "srv-loop.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "xalloc.h"

#define EVENTS 64
#define PEER_BUCKETS 256
#define STOP_POLL_MS 50 /* while stopping: a finished request's wake-up may race the check */
#define STOP_GRACE_ROUNDS 8

struct srv_loop {
	struct srv_loops *ls;
	struct MHD_Daemon *d;
	int epfd, evfd;
	pthread_t thread;
	atomic_bool stop;
	atomic_int pending; /* requests of this daemon answered later, not finished */
	bool mhd_due;	    /* a connection was resumed after the daemon's turn */
	bool running, quiet; /* its thread runs; its daemon accepts no more */
	int grace;	     /* rounds since the stop left nothing pending */
	struct srv_loop_watch mhd_w, wake_w;
	struct srv_loop_user *users;
};

/* Connections from one address, over all loops. */
struct peer {
	char from[64];
	unsigned int n;
	struct peer *next;
};

struct srv_loops {
	unsigned int n;
	struct srv_loop *loop;
	unsigned int max_conn, max_per_ip;
	pthread_mutex_t mu; /* conns and peers: taken on connect and close, not per request */
	unsigned int conns;
	struct peer *peers[PEER_BUCKETS];
};

static __thread struct srv_loop *current;

/* ---- the handlers' side (srv.h) ---- */

struct srv_loop *srv_loop_current(void)
{
	return current;
}

int srv_loop_add(struct srv_loop *l, int fd, uint32_t events, struct srv_loop_watch *w)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev);
}

int srv_loop_mod(struct srv_loop *l, int fd, uint32_t events, struct srv_loop_watch *w)
{
	struct epoll_event ev = { .events = events, .data.ptr = w };

	return epoll_ctl(l->epfd, EPOLL_CTL_MOD, fd, &ev);
}

struct srv_loop_user *srv_loop_find_user(struct srv_loop *l, const void *key)
{
	for (struct srv_loop_user *u = l->users; u != NULL; u = u->next)
		if (u->key == key)
			return u;
	return NULL;
}

void srv_loop_attach(struct srv_loop *l, struct srv_loop_user *u)
{
	u->next = l->users;
	l->users = u;
}

void srv_loop_wake(struct srv_loop *l)
{
	uint64_t one = 1;

	if (write(l->evfd, &one, sizeof(one)) < 0) {
		/* EAGAIN only: the counter is full, the loop wakes anyway */
	}
}

/* ---- limits over all loops ---- */

static unsigned int peer_bucket(const char *from)
{
	unsigned int h = 2166136261u;

	for (; *from; from++)
		h = (h ^ (unsigned char)*from) * 16777619u;
	return h % PEER_BUCKETS;
}

/* Under ls->mu: the entry of from (made when make). */
static struct peer **peer_find(struct srv_loops *ls, const char *from)
{
	struct peer **p = &ls->peers[peer_bucket(from)];

	while (*p != NULL && strcmp((*p)->from, from) != 0)
		p = &(*p)->next;
	return p;
}

enum MHD_Result loops_admit(void *cls, const struct sockaddr *sa, socklen_t len)
{
	struct srv_loops *ls = cls;
	char from[64];
	struct peer *p;
	bool ok;

	(void)len;
	srv_address_text(sa, from, sizeof(from));
	pthread_mutex_lock(&ls->mu);
	p = *peer_find(ls, from);
	ok = ls->conns < ls->max_conn &&
	     (ls->max_per_ip == 0 || strcmp(from, "unix") == 0 || p == NULL ||
	      p->n < ls->max_per_ip);
	pthread_mutex_unlock(&ls->mu);
	return ok ? MHD_YES : MHD_NO;
}

void loops_opened(struct srv_loops *ls, const char *from)
{
	struct peer **p;

	pthread_mutex_lock(&ls->mu);
	ls->conns++;
	if (strcmp(from, "unix") != 0) {
		p = peer_find(ls, from);
		if (*p == NULL) {
			*p = xcalloc(1, sizeof(**p));
			snprintf((*p)->from, sizeof((*p)->from), "%s", from);
		}
		(*p)->n++;
	}
	pthread_mutex_unlock(&ls->mu);
}

void loops_closed(struct srv_loops *ls, const char *from)
{
	struct peer **p, *gone = NULL;

	pthread_mutex_lock(&ls->mu);
	ls->conns--;
	p = peer_find(ls, from);
	if (strcmp(from, "unix") != 0 && *p != NULL && --(*p)->n == 0) {
		gone = *p;
		*p = gone->next;
	}
	pthread_mutex_unlock(&ls->mu);
	free(gone);
}

/* ---- one loop ---- */

void loop_later(struct srv_loop *l, int delta)
{
	atomic_fetch_add(&l->pending, delta);
	if (delta < 0 && atomic_load(&l->stop) && current != l)
		srv_loop_wake(l);
}

/* libmicrohttpd polled from outside takes a resumed connection at its next MHD_run and
 * wakes nobody: on the loop's own thread the round ends with that turn, from another
 * thread the loop is woken. */
void loop_resumed(struct srv_loop *l)
{
	if (current == l)
		l->mhd_due = true;
	else
		srv_loop_wake(l);
}

static void on_mhd(struct srv_loop_watch *w, uint32_t events)
{
	(void)w; /* the daemon has its turn every round */
	(void)events;
}

static void on_wake(struct srv_loop_watch *w, uint32_t events)
{
	struct srv_loop *l = (struct srv_loop *)((char *)w - offsetof(struct srv_loop, wake_w));
	uint64_t n;

	(void)events;
	if (read(l->evfd, &n, sizeof(n)) < 0) {
		/* EAGAIN: read already */
	}
}

/* The users' round; the shortest wait any of them (and the daemon) asks for, in ms. */
static int tick_users(struct srv_loop *l, bool stopping)
{
	MHD_UNSIGNED_LONG_LONG mhd_ms;
	int wait = -1;

	for (struct srv_loop_user *u = l->users; u != NULL; u = u->next) {
		int w = u->tick(u, stopping);

		if (w >= 0 && (wait < 0 || w < wait))
			wait = w;
	}
	if (MHD_get_timeout(l->d, &mhd_ms) == MHD_YES && (wait < 0 || mhd_ms < (unsigned)wait))
		wait = mhd_ms > INT32_MAX ? INT32_MAX : (int)mhd_ms;
	if (stopping && (wait < 0 || wait > STOP_POLL_MS))
		wait = STOP_POLL_MS;
	return wait;
}

/* One round: the events, the daemon's turn when due, the users' ticks; false once stopped
 * with nothing of its requests pending. */
static bool loop_round(struct srv_loop *l, int *wait)
{
	struct epoll_event ev[EVENTS];
	int n = epoll_wait(l->epfd, ev, EVENTS, *wait);
	bool stopping;

	for (int i = 0; i < n; i++) {
		struct srv_loop_watch *w = ev[i].data.ptr;

		w->on_event(w, ev[i].events);
	}
	stopping = atomic_load(&l->stop); /* after the wait, which the stop ends */
	if (stopping && !l->quiet) { /* no new connections; the listening fd is the caller's */
		MHD_quiesce_daemon(l->d);
		l->quiet = true;
	}
	l->mhd_due = false;
	MHD_run(l->d);
	*wait = tick_users(l, stopping);
	if (l->mhd_due) /* resumed during the ticks */
		*wait = 0;
	if (!stopping || atomic_load(&l->pending) > 0 || l->mhd_due)
		return true;
	/* Stopped with nothing pending: a few more turns send the answers just resumed. */
	return n > 0 && ++l->grace < STOP_GRACE_ROUNDS;
}

/* The daemon stops (its connections close, streamed answers dropped), then the users go. */
static void loop_end(struct srv_loop *l)
{
	if (!l->quiet)
		MHD_quiesce_daemon(l->d);
	MHD_stop_daemon(l->d);
	l->d = NULL;
	while (l->users != NULL) {
		struct srv_loop_user *u = l->users;

		l->users = u->next;
		u->end(u);
	}
}

static void *loop_main(void *arg)
{
	struct srv_loop *l = arg;
	int wait = 0;

	current = l;
	pthread_setname_np(pthread_self(), "srv-loop");
	while (loop_round(l, &wait))
		;
	loop_end(l);
	current = NULL;
	return NULL;
}

/* ---- the set of loops ---- */

static int loop_init(struct srv_loops *ls, struct srv_loop *l)
{
	l->ls = ls;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	l->mhd_w.on_event = on_mhd;
	l->wake_w.on_event = on_wake;
	if (l->epfd < 0 || l->evfd < 0)
		return -1;
	return srv_loop_add(l, l->evfd, EPOLLIN, &l->wake_w);
}

static void loop_close(struct srv_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->evfd >= 0)
		close(l->evfd);
}

struct srv_loops *loops_new(unsigned int n, unsigned int max_conn, unsigned int max_per_ip,
			    char **cause)
{
	struct srv_loops *ls = xcalloc(1, sizeof(*ls));

	ls->n = n;
	ls->max_conn = max_conn;
	ls->max_per_ip = max_per_ip;
	ls->loop = xcalloc(n, sizeof(*ls->loop));
	pthread_mutex_init(&ls->mu, NULL);
	for (unsigned int i = 0; i < n; i++) {
		ls->loop[i].epfd = ls->loop[i].evfd = -1;
		if (loop_init(ls, &ls->loop[i]) < 0) {
			*cause = xstrdup("cannot make the server's event loops (out of descriptors)");
			ls->n = i + 1;
			loops_stop(ls);
			return NULL;
		}
	}
	return ls;
}

unsigned int loops_count(const struct srv_loops *ls)
{
	return ls->n;
}

struct srv_loop *loops_get(struct srv_loops *ls, unsigned int i)
{
	return &ls->loop[i];
}

int loop_set_daemon(struct srv_loop *l, struct MHD_Daemon *d)
{
	const union MHD_DaemonInfo *di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_EPOLL_FD);

	l->d = d;
	return di == NULL ? -1 : srv_loop_add(l, di->epoll_fd, EPOLLIN, &l->mhd_w);
}

int loops_run(struct srv_loops *ls, char **cause)
{
	for (unsigned int i = 0; i < ls->n; i++) {
		if (pthread_create(&ls->loop[i].thread, NULL, loop_main, &ls->loop[i]) != 0) {
			*cause = xstrdup("cannot start the server's event loops (threads)");
			return -1; /* the caller's loops_stop stops those started */
		}
		ls->loop[i].running = true;
	}
	return 0;
}

/* Also frees loops that never ran (their daemons, if any, are stopped here). */
void loops_stop(struct srv_loops *ls)
{
	for (unsigned int i = 0; i < ls->n; i++) {
		atomic_store(&ls->loop[i].stop, true);
		srv_loop_wake(&ls->loop[i]);
	}
	for (unsigned int i = 0; i < ls->n; i++) {
		if (ls->loop[i].running)
			pthread_join(ls->loop[i].thread, NULL);
		else if (ls->loop[i].d != NULL) /* never ran */
			loop_end(&ls->loop[i]);
		loop_close(&ls->loop[i]);
	}
	for (unsigned int b = 0; b < PEER_BUCKETS; b++)
		while (ls->peers[b] != NULL) {
			struct peer *p = ls->peers[b];

			ls->peers[b] = p->next;
			free(p);
		}
	pthread_mutex_destroy(&ls->mu);
	free(ls->loop);
	free(ls);
}
