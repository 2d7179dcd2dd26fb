/* lmcache-discovery: the registry of lmcache-frontend processes. The main thread owns the
 * signals and the expiry sweep; libmicrohttpd's threads serve requests. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "discovery.h"
#include "daemon-log.h"
#include "server.h"
#include "xalloc.h"

/* Binds and listens on host:port; the descriptor, or -1 with cause. */
static int listen_on(const char *host, int port, char **cause)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res, *ai;
	char service[16];
	int fd = -1, one = 1, err;

	snprintf(service, sizeof(service), "%d", port);
	if ((err = getaddrinfo(host, service, &hints, &res)) != 0) {
		*cause = xasprintf("cannot resolve %s: %s", host, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
			err = errno;
			close(fd);
			fd = -1;
			errno = err;
		}
	}
	if (fd < 0)
		*cause = xasprintf("cannot listen on %s:%d: %s", host, port, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

/* Sleeps until a signal or until the next entry is due to expire, then sweeps. */
static void run(struct discovery *d, const sigset_t *stop)
{
	time_t next_due = time(NULL), now; /* sweep at once: restored state may be stale */
	struct timespec wait;
	size_t n;
	int sig;

	for (;;) {
		now = time(NULL);
		wait.tv_sec = next_due > now ? next_due - now : (next_due ? 0 : d->opt->ttl);
		wait.tv_nsec = 0;
		sig = sigtimedwait(stop, NULL, &wait);
		if (sig > 0) {
			log_info("signal %d: stopping", sig);
			return;
		}
		n = d->store->ops->expire(d->store, time(NULL), &next_due);
		if (n > 0) {
			atomic_fetch_add(&d->stats.expired, n);
			log_info("expired %zu entr%s", n, n == 1 ? "y" : "ies");
		}
	}
}

static struct store *open_store(struct discovery *d, char **cause)
{
	struct store_limits lim = { d->opt->ttl, d->opt->max_entries };
	struct store *s = store_open(&d->opt->store, &lim, cause);
	char *why = NULL;

	if (s && s->ops->count(s, &why) < 0) {
		log_warn("%s; serving anyway, requests answer 503 until it is back", why);
		free(why);
	}
	return s;
}

static int serve(struct options *o)
{
	struct discovery d = { .opt = o, .started = time(NULL) };
	struct MHD_Daemon *mhd = NULL;
	sigset_t stop;
	char *why = NULL;
	int fd = -1, rc = 1;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	/* Blocked before any thread starts, so only sigtimedwait sees them. */
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);
	d.store_desc = store_spec_describe(&o->store);
	if ((fd = listen_on(o->host, o->port, &why)) < 0 || (d.store = open_store(&d, &why)) == NULL ||
	    (mhd = server_start(&d, fd, &why)) == NULL) {
		fprintf(stderr, "lmcache-discovery: %s\n", why);
		goto out;
	}
	log_info("listening on %s port %d, store %s, ttl %ds, max %zu entries", o->host, o->port,
		 d.store_desc, o->ttl, o->max_entries);
	run(&d, &stop);
	rc = 0;
out:
	if (mhd)
		MHD_stop_daemon(mhd);
	if (d.store)
		d.store->ops->close(d.store);
	if (fd >= 0)
		close(fd);
	free(d.store_desc);
	free(why);
	return rc;
}

int main(int argc, char **argv)
{
	struct options o;
	char *why = NULL;
	int rc;

	switch (options_parse(&o, argc, argv, stdout, &why)) {
	case OPTIONS_EXIT:
		options_clear(&o);
		return 0;
	case OPTIONS_USAGE:
		fprintf(stderr, "lmcache-discovery: %s\n", why);
		free(why);
		options_clear(&o);
		return 2;
	}
	log_setup("lmcache-discovery", o.log_level);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = serve(&o);
	curl_global_cleanup();
	options_clear(&o);
	return rc;
}
