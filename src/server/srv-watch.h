/* The server core's watchdog of request deadlines (header and body timeouts), inside
 * src/server only: srv.c sets a connection's deadline as its request moves on. */
#ifndef LMC_SERVER_SRV_WATCH_H
#define LMC_SERVER_SRV_WATCH_H

#include <stdbool.h>
#include <stdint.h>

struct srv_loop;

/* One connection (libmicrohttpd's socket_context). */
struct srv_conn {
	int fd;
	bool refused;	     /* a unix peer of another user (srv.c) */
	long uid;	     /* a unix peer's uid, found at the start; -1: TCP or unknown */
	long tcp_uid;	     /* a loopback TCP peer's uid once found (srv-auth.c); -1: not yet */
	char from[64];	     /* the peer's address, for the log */
	int64_t deadline_ms; /* CLOCK_MONOTONIC; 0: none */
	const char *phase;   /* what is due: "headers", "body" */
	unsigned int secs;   /* the timeout that set the deadline */
	struct srv_loop *loop; /* the core's loop serving it (srv-loop.c), or NULL */
	struct srv_conn *prev, *next;
};

struct srv_watch;
/* Starts the watchdog; expired(ctx, c) runs on its thread for each connection it drops. */
struct srv_watch *watch_start(void (*expired)(void *ctx, const struct srv_conn *c), void *ctx);
void watch_stop(struct srv_watch *w);
/* A new connection, with phase due within secs (0: no deadline). */
struct srv_conn *watch_add(struct srv_watch *w, int fd, unsigned int secs, const char *phase);
/* The next phase is due within secs from now (0: no deadline). */
void watch_set(struct srv_watch *w, struct srv_conn *c, unsigned int secs, const char *phase);
/* Forgets (and frees) c: before libmicrohttpd closes its descriptor. */
void watch_remove(struct srv_watch *w, struct srv_conn *c);

#endif
