/* What lmcache-discovery and lmcache-frontend do alike around their servers: the listening
 * socket, and the stop signals owned by the main thread. */
#ifndef LMC_COMMON_DAEMON_H
#define LMC_COMMON_DAEMON_H

#include <signal.h>
#include <time.h>

/* Binds and listens on host:port (a numeric port; host a name or address). type_flags are
 * added to SOCK_STREAM | SOCK_CLOEXEC (e.g. SOCK_NONBLOCK). The descriptor, or -1 with
 * cause. */
int daemon_listen(const char *host, int port, int type_flags, char **cause);

/* Fills stop with SIGTERM, SIGINT and SIGHUP and blocks them, and ignores SIGPIPE. Call it
 * before any thread starts, so that only daemon_wait sees the signals. */
void daemon_block_signals(sigset_t *stop);

/* Waits for a signal of stop, or until timeout passes (NULL: no limit). The signal, logged
 * as the reason for stopping, or 0 when the time is up; SIGHUP calls reload(arg) (when not
 * NULL) and returns 0. */
int daemon_wait(const sigset_t *stop, const struct timespec *timeout,
		void (*reload)(void *arg), void *arg);

/* Tells systemd the daemon's state ("READY=1" once listening, "STOPPING=1"), when run by
 * systemd with Type=notify and built with libsystemd; otherwise does nothing. */
void daemon_notify(const char *state);

#endif
