/* Listening sockets for the internal API server, with tmux-style hygiene. */
#ifndef LMC_AGENT_LISTEN_H
#define LMC_AGENT_LISTEN_H

#include <stdbool.h>
#include <sys/types.h>

struct unix_listener {
	int fd;
	char *path;        /* where the socket lives */
	char *created_dir; /* the directory we created for it, or NULL */
	dev_t dev;         /* identity of our socket file, to remove only our own */
	ino_t ino;
};

/* Binds and listens on a unix socket at path, mode 0600. The directory is created 0700
 * when missing. A stale socket (nobody answers) is replaced; a live one is an error. */
int listen_unix(const char *path, struct unix_listener *ul, char **cause);
/* Closes the socket and removes its file (when it is still ours) and the directory we
 * created (when empty). */
void unlisten_unix(struct unix_listener *ul);

/* Binds and listens on host:port (port 0: any): the descriptor, or -1 with *cause.
 * *bound_port is the port actually bound. */
int listen_tcp(const char *host, int port, int *bound_port, char **cause);

#endif
