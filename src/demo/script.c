/* The demo's /run_script runner: the uploaded script runs with sh in its own process
 * group, stdout and stderr captured, killed after a timeout. The agent calls it only when
 * run_script_api_enabled is true. */
#include "config.h"
#include "demo.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define SCRIPT_TIMEOUT_MS 30000
#define SCRIPT_OUTPUT_LIMIT (1024 * 1024)

extern char **environ;

static char *write_temp(const char *script, size_t len, char **err)
{
	const char *dir = getenv("TMPDIR");
	char *path = xasprintf("%s/lmc-script-XXXXXX", dir && *dir ? dir : "/tmp");
	int fd = mkostemp(path, O_CLOEXEC);

	if (fd < 0 || write(fd, script, len) != (ssize_t)len) {
		*err = xasprintf("cannot write the script to %s: %s", path, strerror(errno));
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
		free(path);
		return NULL;
	}
	close(fd);
	return path;
}

/* Spawns sh path with stdout/stderr on out_fd, in a new process group, signals reset. */
static pid_t spawn_sh(const char *path, int out_fd, char **err)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	char *argv[] = { "sh", (char *)path, NULL };
	pid_t pid;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 1);
	posix_spawn_file_actions_adddup2(&fa, out_fd, 2);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	                                        POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	rc = posix_spawnp(&pid, "sh", &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		*err = xasprintf("cannot run sh: %s", strerror(rc));
		return -1;
	}
	return pid;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Reads fd until EOF or the deadline; false on timeout. */
static bool collect(int fd, struct buf *out)
{
	long long deadline = now_ms() + SCRIPT_TIMEOUT_MS;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char chunk[4096];
	ssize_t n;

	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0)
			return false;
		if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
			return true;
		if (!(p.revents & (POLLIN | POLLHUP)))
			continue;
		n = read(fd, chunk, sizeof chunk);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return true;
		if (out->len + (size_t)n <= SCRIPT_OUTPUT_LIMIT)
			buf_append(out, chunk, (size_t)n);
	}
}

static int finish(pid_t pid, bool done, struct buf *out, char **output)
{
	int status = 0;

	if (!done)
		kill(-pid, SIGKILL);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (!done) {
		buf_printf(out, "%stimed out after %d s", out->len ? "\n" : "",
		           SCRIPT_TIMEOUT_MS / 1000);
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf_printf(out, "%sexit status %d", out->len ? "\n" : "",
		           WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
		done = false;
	}
	*output = buf_steal(out);
	return done ? 0 : -1;
}

int demo_run_script(void *arg, const char *script, size_t len, char **output)
{
	struct buf out = BUF_INIT;
	char *path, *err = NULL;
	int fds[2];
	pid_t pid;
	bool done;

	(void)arg;
	if ((path = write_temp(script, len, &err)) == NULL) {
		*output = err;
		return -1;
	}
	if (pipe2(fds, O_CLOEXEC) < 0) {
		*output = xasprintf("pipe: %s", strerror(errno));
		unlink(path);
		free(path);
		return -1;
	}
	pid = spawn_sh(path, fds[1], &err);
	close(fds[1]);
	done = pid > 0 && collect(fds[0], &out);
	close(fds[0]);
	unlink(path);
	free(path);
	if (pid < 0) {
		*output = err;
		return -1;
	}
	return finish(pid, done, &out, output);
}
