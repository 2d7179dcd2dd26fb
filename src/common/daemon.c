#include "config.h"
#include "daemon.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon-log.h"
#include "xalloc.h"

/* The first address of res that binds and listens, or -1 with errno set. */
static int listen_first(const struct addrinfo *res, int type_flags)
{
	const struct addrinfo *ai;
	int fd = -1, one = 1, err;

	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | type_flags, 0);
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
	return fd;
}

int daemon_listen(const char *host, int port, int type_flags, char **cause)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res;
	char service[16];
	int fd, err;

	snprintf(service, sizeof(service), "%d", port);
	if ((err = getaddrinfo(host, service, &hints, &res)) != 0) {
		*cause = xasprintf("cannot resolve %s: %s", host, gai_strerror(err));
		return -1;
	}
	if ((fd = listen_first(res, type_flags)) < 0)
		*cause = xasprintf("cannot listen on %s:%d: %s", host, port, strerror(errno));
	freeaddrinfo(res);
	return fd;
}

void daemon_block_signals(sigset_t *stop)
{
	sigemptyset(stop);
	sigaddset(stop, SIGTERM);
	sigaddset(stop, SIGINT);
	sigaddset(stop, SIGHUP);
	pthread_sigmask(SIG_BLOCK, stop, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int daemon_wait(const sigset_t *stop, const struct timespec *timeout,
		void (*reload)(void *arg), void *arg)
{
	int sig;

	while ((sig = sigtimedwait(stop, NULL, timeout)) < 0 && errno == EINTR)
		;
	if (sig < 0) /* EAGAIN: the time is up */
		return 0;
	if (sig == SIGHUP && reload != NULL) {
		log_info("signal %d: reloading", sig);
		reload(arg);
		return 0;
	}
	log_info("signal %d: stopping", sig);
	daemon_notify("STOPPING=1");
	return sig;
}

