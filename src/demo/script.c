/* The demo's /run_script runner: the uploaded script runs with sh under liblmcagent's
 * plugin shim (lmcache-plugin-shim), so that the script and everything it starts, even
 * what leaves its process group, dies when the script ends, at the timeout, or with the
 * host (even on SIGKILL: the shim's lifeline pipe closes). stdout and stderr are captured.
 * The agent calls it only when run_script_api_enabled is true. */
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

#ifndef LMCA_PLUGIN_SHIM
#define LMCA_PLUGIN_SHIM "/usr/local/libexec/lmcache-tools/lmcache-plugin-shim"
#endif
#define SHIM_GRACE_MS "1000"

/* The pipes of one run: output (both ends), the lifeline (the shim reads, we hold the
 * write end: closing it, or dying, stops the script) and the shim's status reports. */
struct run_pipes {
	int out[2], life[2], status[2];
};

static void pipes_close(struct run_pipes *p)
{
	int *all[] = { p->out, p->life, p->status };

	for (size_t i = 0; i < 3; i++)
		for (int k = 0; k < 2; k++)
			if (all[i][k] >= 0) {
				close(all[i][k]);
				all[i][k] = -1;
			}
}

static int pipes_open(struct run_pipes *p, char **err)
{
	*p = (struct run_pipes){ { -1, -1 }, { -1, -1 }, { -1, -1 } };
	if (pipe2(p->out, O_CLOEXEC) == 0 && pipe2(p->life, O_CLOEXEC) == 0 &&
	    pipe2(p->status, O_CLOEXEC) == 0)
		return 0;
	*err = xasprintf("pipe: %s", strerror(errno));
	pipes_close(p);
	return -1;
}

/* Spawns the shim running sh path: stdin /dev/null, stdout/stderr the output pipe, the
 * lifeline on 3, status on 4, in a new process group, signals reset. */
static pid_t spawn_sh(const char *path, const struct run_pipes *p, char **err)
{
	const char *shim = getenv("LMCACHE_PLUGIN_SHIM");
	char *argv[] = { (char *)(shim && *shim ? shim : LMCA_PLUGIN_SHIM), SHIM_GRACE_MS,
			 "/bin/sh", (char *)path, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none, all;
	pid_t pid;
	int rc;

	sigemptyset(&none);
	sigfillset(&all);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, p->out[1], 1);
	posix_spawn_file_actions_adddup2(&fa, p->out[1], 2);
	posix_spawn_file_actions_adddup2(&fa, p->life[0], 3);
	posix_spawn_file_actions_adddup2(&fa, p->status[1], 4);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
	                                        POSIX_SPAWN_SETSIGDEF);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setsigdefault(&attr, &all);
	rc = posix_spawn(&pid, argv[0], &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		*err = xasprintf("cannot run the script under %s: %s", argv[0], strerror(rc));
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

#define CLIENT_CHECK_MS 200

/* Reads fd until EOF; false at the deadline or when the client has gone (*gone set). */
static bool collect(int fd, struct buf *out, bool *gone)
{
	long long deadline = now_ms() + SCRIPT_TIMEOUT_MS;
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char chunk[4096];
	ssize_t n;

	for (;;) {
		long long left = deadline - now_ms();

		if (left <= 0 || (*gone = lmca_script_client_gone()))
			return false;
		if (poll(&p, 1, left < CLIENT_CHECK_MS ? (int)left : CLIENT_CHECK_MS) < 0 &&
		    errno != EINTR)
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

/* The script's wait status from the shim's reports ("pid N", then "exit STATUS"); -1 when
 * the shim reported none. */
static int reported_status(int fd)
{
	char text[256];
	ssize_t n = read(fd, text, sizeof text - 1);
	const char *exit_line;

	if (n <= 0)
		return -1;
	text[n] = '\0';
	exit_line = strstr(text, "exit ");
	return exit_line ? atoi(exit_line + 5) : -1;
}

/* Waits for the shim (the lifeline is closed: on a timeout it kills what is left) and
 * turns the script's status into the answer. */
static int finish(pid_t shim, bool done, bool gone, struct run_pipes *p, struct buf *out,
		  char **output)
{
	int status = 0, wst;

	close(p->life[1]);
	p->life[1] = -1;
	while (waitpid(shim, &wst, 0) < 0 && errno == EINTR)
		;
	status = reported_status(p->status[0]);
	if (!done && gone) {
		buf_printf(out, "%sstopped: the client went away", out->len ? "\n" : "");
	} else if (!done) {
		buf_printf(out, "%stimed out after %d s", out->len ? "\n" : "",
		           SCRIPT_TIMEOUT_MS / 1000);
	} else if (status < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		buf_printf(out, "%sexit status %d", out->len ? "\n" : "",
		           status >= 0 && WIFEXITED(status) ? WEXITSTATUS(status)
		           : status >= 0 ? 128 + WTERMSIG(status) : 127);
		done = false;
	}
	*output = buf_steal(out);
	return done ? 0 : -1;
}

int demo_run_script(void *arg, const char *script, size_t len, char **output)
{
	struct buf out = BUF_INIT;
	struct run_pipes p;
	char *path, *err = NULL;
	pid_t pid;
	bool done, gone = false;

	(void)arg;
	if ((path = write_temp(script, len, &err)) == NULL || pipes_open(&p, &err) < 0) {
		if (path)
			unlink(path);
		free(path);
		*output = err;
		return -1;
	}
	pid = spawn_sh(path, &p, &err);
	close(p.out[1]);
	close(p.life[0]);
	close(p.status[1]);
	p.out[1] = p.life[0] = p.status[1] = -1;
	done = pid > 0 && collect(p.out[0], &out, &gone);
	if (pid < 0) {
		*output = err;
		done = false;
	}
	done = pid > 0 ? finish(pid, done, gone, &p, &out, output) == 0 : false;
	buf_free(&out);
	pipes_close(&p);
	unlink(path);
	free(path);
	return done ? 0 : -1;
}
