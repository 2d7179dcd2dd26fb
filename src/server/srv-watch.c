/* Deadlines of connections still sending a request: the header and body timeouts.
 *
 * libmicrohttpd has one idle timeout (MHD_OPTION_CONNECTION_TIMEOUT, reset by every byte),
 * and MHD_CONNECTION_OPTION_TIMEOUT only changes that idle timeout per connection: a client
 * sending a header byte every few seconds (slowloris) or a body that trickles is never idle
 * and would keep its connection (and, with a thread per connection, its thread) for hours.
 * So the core keeps absolute deadlines itself: one per connection, set when a phase starts
 * (the connection opens or the previous answer ends: headers due; headers in: body due;
 * body in: none), and one watchdog thread that shuts down the socket of a connection past
 * its deadline. libmicrohttpd then reads the end of the stream and closes the connection
 * in its own thread, as for a client that left; the descriptor cannot be reused meanwhile,
 * since the close notification (watch_remove) takes the same lock before libmicrohttpd
 * closes it. The watchdog sleeps without a timeout while no deadline is set (an idle
 * server has no wake-ups). */
#include "config.h"
#include "srv-watch.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <time.h>

#include "xalloc.h"
#include "xthread.h"

struct srv_watch {
	pthread_mutex_t mu;
	pthread_cond_t cond; /* on CLOCK_MONOTONIC */
	pthread_t thread;
	bool stop;
	struct srv_conn *head;
	int64_t wake_ms; /* when the watchdog wakes next (0: only when told) */
	void (*expired)(void *ctx, const struct srv_conn *c);
	void *ctx;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Under mu: drops the connections past their deadline; the earliest deadline left, or 0. */
static int64_t sweep(struct srv_watch *w, int64_t now)
{
	int64_t next = 0;

	for (struct srv_conn *c = w->head; c != NULL; c = c->next) {
		if (c->deadline_ms == 0)
			continue;
		if (c->deadline_ms <= now) {
			shutdown(c->fd, SHUT_RDWR);
			w->expired(w->ctx, c);
			c->deadline_ms = 0;
		} else if (next == 0 || c->deadline_ms < next) {
			next = c->deadline_ms;
		}
	}
	return next;
}

static void *watch_main(void *arg)
{
	struct srv_watch *w = arg;

	pthread_setname_np(pthread_self(), "srv-watch");
	pthread_mutex_lock(&w->mu);
	while (!w->stop) {
		int64_t next = sweep(w, now_ms());
		struct timespec ts = { (time_t)(next / 1000), (long)(next % 1000) * 1000000 };

		w->wake_ms = next;
		if (next == 0)
			pthread_cond_wait(&w->cond, &w->mu);
		else
			pthread_cond_timedwait(&w->cond, &w->mu, &ts);
	}
	pthread_mutex_unlock(&w->mu);
	return NULL;
}

struct srv_watch *watch_start(void (*expired)(void *ctx, const struct srv_conn *c), void *ctx)
{
	struct srv_watch *w = xcalloc(1, sizeof(*w));

	pthread_mutex_init(&w->mu, NULL);
	cond_init_monotonic(&w->cond);
	w->expired = expired;
	w->ctx = ctx;
	if (pthread_create(&w->thread, NULL, watch_main, w) != 0)
		abort(); /* no thread for the watchdog: out of resources at start */
	return w;
}

void watch_stop(struct srv_watch *w)
{
	if (w == NULL)
		return;
	pthread_mutex_lock(&w->mu);
	w->stop = true;
	pthread_cond_signal(&w->cond);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->thread, NULL);
	while (w->head != NULL)
		watch_remove(w, w->head);
	pthread_mutex_destroy(&w->mu);
	pthread_cond_destroy(&w->cond);
	free(w);
}

struct srv_conn *watch_add(struct srv_watch *w, int fd, unsigned int secs, const char *phase)
{
	struct srv_conn *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	pthread_mutex_lock(&w->mu);
	c->next = w->head;
	if (w->head != NULL)
		w->head->prev = c;
	w->head = c;
	pthread_mutex_unlock(&w->mu);
	watch_set(w, c, secs, phase);
	return c;
}

void watch_set(struct srv_watch *w, struct srv_conn *c, unsigned int secs, const char *phase)
{
	pthread_mutex_lock(&w->mu);
	c->deadline_ms = secs > 0 ? now_ms() + (int64_t)secs * 1000 : 0;
	c->phase = phase;
	c->secs = secs;
	/* The watchdog sleeps until the earliest deadline it knew: told only of an earlier one
	 * (most deadlines are later, and most are cleared before they come). */
	if (secs > 0 && (w->wake_ms == 0 || c->deadline_ms < w->wake_ms)) {
		w->wake_ms = c->deadline_ms;
		pthread_cond_signal(&w->cond);
	}
	pthread_mutex_unlock(&w->mu);
}

void watch_remove(struct srv_watch *w, struct srv_conn *c)
{
	pthread_mutex_lock(&w->mu);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		w->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	pthread_mutex_unlock(&w->mu);
	free(c);
}
