/* Listening sockets (see listen.h). Every descriptor is close-on-exec. The unix socket is
 * bound inside a private 0700 directory, made 0600 there and then renamed into place, so
 * it is never reachable with a looser mode and the process umask is never touched. */
#include "config.h"
#include "listen.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define LISTEN_BACKLOG 128

static int fill_sun(struct sockaddr_un *sa, const char *path, char **cause)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sa->sun_path) {
		*cause = xasprintf("socket path %s is too long (%zu bytes, the limit is %zu)",
		                   path, strlen(path), sizeof sa->sun_path - 1);
		return -1;
	}
	strcpy(sa->sun_path, path);
	return 0;
}

/* Creates dir and its missing parents with mode 0700. *created is the topmost directory
 * made (NULL when all existed). */
static int make_dirs(const char *dir, char **created, char **cause)
{
	struct stat st;
	char *parent, *slash;

	*created = NULL;
	if (stat(dir, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return 0;
		*cause = xasprintf("%s is not a directory", dir);
		return -1;
	}
	parent = xstrdup(dir);
	slash = strrchr(parent, '/');
	if (slash != NULL && slash != parent) {
		*slash = '\0';
		if (make_dirs(parent, created, cause) < 0) {
			free(parent);
			return -1;
		}
	}
	free(parent);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST) {
		*cause = xasprintf("cannot create directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (*created == NULL)
		*created = xstrdup(dir);
	return 0;
}

/* A directory others may write to without the sticky bit lets them swap our socket. */
static int check_dir(const char *dir, char **cause)
{
	struct stat st;

	if (stat(dir, &st) < 0) {
		*cause = xasprintf("cannot stat %s: %s", dir, strerror(errno));
		return -1;
	}
	if ((st.st_mode & (S_IWGRP | S_IWOTH)) && !(st.st_mode & S_ISVTX)) {
		*cause = xasprintf("directory %s is writable by others; refusing to put a socket there",
		                   dir);
		return -1;
	}
	return 0;
}

/* 0 when path is free or held by a dead socket (removed), -1 when it is in use. */
static int clear_stale(const char *path, const struct sockaddr_un *sa, char **cause)
{
	struct stat st;
	int fd, rc;

	if (lstat(path, &st) < 0)
		return 0;
	if (!S_ISSOCK(st.st_mode)) {
		*cause = xasprintf("%s exists and is not a socket", path);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	rc = connect(fd, (const struct sockaddr *)sa, sizeof *sa);
	close(fd);
	if (rc == 0) {
		*cause = xasprintf("%s is in use by a running server", path);
		return -1;
	}
	if (unlink(path) < 0 && errno != ENOENT) {
		*cause = xasprintf("cannot remove stale socket %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* Binds fd inside a fresh 0700 directory under dir, sets 0600 and renames into path. */
static int bind_private(int fd, const char *dir, const char *path, char **cause)
{
	char *tmp = xasprintf("%s/.lmca-XXXXXX", dir), *tmpsock = NULL;
	struct sockaddr_un sa;
	int rc = -1;

	if (mkdtemp(tmp) == NULL) {
		*cause = xasprintf("cannot create a directory in %s: %s", dir, strerror(errno));
		free(tmp);
		return -1;
	}
	tmpsock = xasprintf("%s/s", tmp);
	if (fill_sun(&sa, tmpsock, cause) < 0)
		goto out;
	if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		*cause = xasprintf("cannot bind %s: %s", path, strerror(errno));
		goto out;
	}
	if (chmod(tmpsock, 0600) < 0 || rename(tmpsock, path) < 0) {
		*cause = xasprintf("cannot put socket at %s: %s", path, strerror(errno));
		unlink(tmpsock);
		goto out;
	}
	rc = 0;
out:
	rmdir(tmp);
	free(tmpsock);
	free(tmp);
	return rc;
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

static int bind_unix(int fd, const char *path, struct unix_listener *ul, char **cause)
{
	struct sockaddr_un sa;
	char *dir = dir_of(path);
	int rc = -1;

	if (fill_sun(&sa, path, cause) < 0 || make_dirs(dir, &ul->created_dir, cause) < 0 ||
	    check_dir(dir, cause) < 0 || clear_stale(path, &sa, cause) < 0 ||
	    bind_private(fd, dir, path, cause) < 0)
		goto out;
	rc = 0;
out:
	free(dir);
	return rc;
}

int listen_unix(const char *path, struct unix_listener *ul, char **cause)
{
	struct stat st;
	int fd;

	*ul = (struct unix_listener){ .fd = -1 };
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		*cause = xasprintf("socket: %s", strerror(errno));
		return -1;
	}
	if (bind_unix(fd, path, ul, cause) < 0)
		goto fail;
	if (listen(fd, LISTEN_BACKLOG) < 0 || lstat(path, &st) < 0) {
		*cause = xasprintf("cannot listen on %s: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	ul->fd = fd;
	ul->path = xstrdup(path);
	ul->dev = st.st_dev;
	ul->ino = st.st_ino;
	return 0;
fail:
	close(fd);
	if (ul->created_dir)
		rmdir(ul->created_dir);
	free(ul->created_dir);
	ul->created_dir = NULL;
	return -1;
}

/* Removes the directories of path that we created, innermost first; stops at the first
 * that is not empty (other sockets live there). */
static void remove_created_dirs(const char *path, const char *created)
{
	char *dir = dir_of(path), *up;
	size_t len = strlen(created);

	while (strncmp(dir, created, len) == 0 && (dir[len] == '\0' || dir[len] == '/')) {
		if (rmdir(dir) < 0 || dir[len] == '\0')
			break;
		up = dir_of(dir);
		free(dir);
		dir = up;
	}
	free(dir);
}

void unlisten_unix(struct unix_listener *ul)
{
	struct stat st;

	if (ul->fd >= 0)
		close(ul->fd);
	if (ul->path && lstat(ul->path, &st) == 0 && st.st_dev == ul->dev && st.st_ino == ul->ino)
		unlink(ul->path);
	if (ul->created_dir && ul->path)
		remove_created_dirs(ul->path, ul->created_dir);
	free(ul->path);
	free(ul->created_dir);
	*ul = (struct unix_listener){ .fd = -1 };
}

static int bound_port_of(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof ss;

	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

static int try_bind(const struct addrinfo *ai)
{
	int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	int one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		int e = errno;

		close(fd);
		errno = e;
		return -1;
	}
	return fd;
}

int listen_tcp(const char *host, int port, int *bound_port, char **cause)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
	struct addrinfo *res, *ai;
	char service[16];
	int fd = -1, err, e = 0;

	if (port < 0 || port > 65535) {
		*cause = xasprintf("port %d is out of range", port);
		return -1;
	}
	snprintf(service, sizeof service, "%d", port);
	err = getaddrinfo(host && *host ? host : NULL, service, &hints, &res);
	if (err != 0) {
		*cause = xasprintf("cannot resolve %s: %s", host, gai_strerror(err));
		return -1;
	}
	for (ai = res; ai != NULL && fd < 0; ai = ai->ai_next)
		if ((fd = try_bind(ai)) < 0)
			e = errno;
	freeaddrinfo(res);
	if (fd < 0) {
		*cause = xasprintf("cannot listen on %s:%d: %s", host, port, strerror(e));
		return -1;
	}
	*bound_port = bound_port_of(fd);
	return fd;
}
