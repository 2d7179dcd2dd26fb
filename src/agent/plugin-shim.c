/*
 * lmcache-plugin-shim: runs one runtime plugin for liblmcagent and makes sure the plugin
 * and everything it started die with the host, even when the host is killed with SIGKILL.
 *
 *   lmcache-plugin-shim GRACE_MS PROGRAM [ARG...]
 *
 * The host starts the shim with fd 3 = the read end of a "lifeline" pipe whose write end
 * only the host holds, and fd 4 = a status pipe back to the host. The shim starts PROGRAM
 * in a new process group of its own and reports "pid <pid>", then "exit <wait status>" (or
 * "spawn-error <errno>") on fd 4. When the lifeline reaches end-of-file (the host stopped
 * the plugin or died) or the plugin exits, the shim sends SIGTERM to the plugin's group,
 * waits up to GRACE_MS for it to empty, sends SIGKILL, and exits.
 *
 * The shim is a child subreaper, so descendants that the plugin orphans are reparented to
 * it and reaped. Descendants that left the plugin's group (setsid, setpgid) are found in
 * /proc by their parent links and get the same SIGTERM, then SIGKILL; the shim exits only
 * when it has no descendant left. Should the shim itself be killed, the host sees the status pipe close
 * without an exit report and kills the plugin's group (whose id it got in "pid").
 */
#include "config.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LIFELINE_FD 3
#define STATUS_FD 4

extern char **environ;

static pid_t plugin_pid = -1;
static bool plugin_reaped;

static void report(const char *what, long value)
{
	char line[64];
	int n = snprintf(line, sizeof line, "%s %ld\n", what, value);

	/* The host may be gone; its absence is what the lifeline handles. */
	if (write(STATUS_FD, line, (size_t)n) < 0 && errno != EPIPE)
		perror("lmcache-plugin-shim: status");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Closes every descriptor above the status pipe, whatever the host left open. */
static void close_extra_fds(void)
{
	if (close_range(STATUS_FD + 1, ~0U, 0) == 0)
		return;
	for (int fd = STATUS_FD + 1; fd < 65536; fd++)
		close(fd);
}

/* Starts the plugin in its own process group with default signal state. */
static int spawn_plugin(char **argv)
{
	posix_spawnattr_t attr;
	sigset_t all, none;
	int rc;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
	                                        POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setsigdefault(&attr, &all);
	posix_spawnattr_setsigmask(&attr, &none);
	rc = posix_spawn(&plugin_pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	return rc;
}

/* Reaps every child that has exited (the shim is a subreaper: these are the plugin and
 * its orphans); reports the plugin's status. */
static void reap(void)
{
	for (;;) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);

		if (pid <= 0)
			return;
		if (pid == plugin_pid) {
			plugin_reaped = true;
			report("exit", (long)status);
		}
	}
}

/* Waits for SIGCHLD on sfd for at most timeout_ms (-1: forever); true when one came. */
static bool wait_sigchld(int sfd, int lifeline, int timeout_ms)
{
	struct pollfd p[2] = { { sfd, POLLIN, 0 }, { lifeline, POLLIN, 0 } };
	struct signalfd_siginfo si;

	if (poll(p, lifeline >= 0 ? 2 : 1, timeout_ms) <= 0)
		return false;
	if (p[0].revents & POLLIN)
		while (read(sfd, &si, sizeof si) == (ssize_t)sizeof si)
			;
	return true;
}

/* True when the lifeline is closed (drains and ignores anything written to it). */
static bool lifeline_closed(int fd)
{
	char buf[64];
	ssize_t n = read(fd, buf, sizeof buf);

	return n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR);
}

/* The parent of pid from /proc/PID/stat, or -1. */
static pid_t parent_of(const char *pid)
{
	char path[64], buf[512], *close_paren;
	ssize_t n;
	int fd;

	snprintf(path, sizeof path, "/proc/%s/stat", pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -1;
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* "pid (comm) state ppid ...": comm may hold anything, so look after its last ')'. */
	if ((close_paren = strrchr(buf, ')')) == NULL)
		return -1;
	return (pid_t)strtol(close_paren + 4, NULL, 10);
}

struct procs {
	pid_t *pid, *ppid;
	size_t n, cap;
};

static void procs_read(struct procs *ps)
{
	DIR *d = opendir("/proc");
	struct dirent *de;

	ps->n = 0;
	while (d != NULL && (de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		if (ps->n == ps->cap) {
			ps->cap = ps->cap ? ps->cap * 2 : 1024;
			ps->pid = realloc(ps->pid, ps->cap * sizeof *ps->pid);
			ps->ppid = realloc(ps->ppid, ps->cap * sizeof *ps->ppid);
			if (!ps->pid || !ps->ppid)
				abort();
		}
		ps->pid[ps->n] = (pid_t)atoi(de->d_name);
		ps->ppid[ps->n++] = parent_of(de->d_name);
	}
	if (d != NULL)
		closedir(d);
}

/* Sends sig to every descendant of the shim that left the plugin's group; returns how many
 * descendants there are, in the group or not. Zombies count: their parent has yet to reap
 * them. */
static size_t signal_descendants(int sig)
{
	struct procs ps = { 0 };
	pid_t *todo;
	size_t head = 0, tail = 0, found = 0;

	procs_read(&ps);
	if ((todo = malloc((ps.n + 1) * sizeof *todo)) == NULL)
		abort();
	todo[tail++] = getpid();
	while (head < tail) {
		pid_t parent = todo[head++];

		for (size_t i = 0; i < ps.n; i++)
			if (ps.ppid[i] == parent) {
				todo[tail++] = ps.pid[i];
				ps.ppid[i] = -1; /* visited */
				/* The group got sig already: a second SIGTERM could cut short a
				 * plugin's own clean exit. */
				if (getpgid(ps.pid[i]) != plugin_pid)
					kill(ps.pid[i], sig);
				found++;
			}
	}
	free(todo);
	free(ps.pid);
	free(ps.ppid);
	return found;
}

/* SIGTERM to the plugin's group and every other descendant, then SIGKILL to whatever has
 * not exited within grace_ms, until nothing the plugin started is left. */
static void shut_down(int sfd, long grace_ms)
{
	long long deadline = now_ms() + grace_ms;
	bool timed_out = false;

	/* While the group has members its id cannot be reused, so these signals cannot reach
	 * a stranger; once it is empty, none are sent. */
	kill(-plugin_pid, SIGTERM);
	signal_descendants(SIGTERM);
	for (;;) {
		long long left = deadline - now_ms();

		reap();
		if (plugin_reaped && kill(-plugin_pid, 0) != 0 && signal_descendants(0) == 0)
			break;
		if (left <= 0) {
			timed_out = true;
			break;
		}
		wait_sigchld(sfd, -1, left > 100 ? 100 : (int)left);
	}
	if (timed_out)
		kill(-plugin_pid, SIGKILL);
	/* Each round kills what is left; what it orphans comes to the shim and is killed in
	 * the next one (bounded: a process stuck in the kernel cannot hold the shim forever). */
	for (int round = 0; timed_out && round < 100 && signal_descendants(SIGKILL) > 0; round++) {
		reap();
		wait_sigchld(sfd, -1, 50);
	}
	if (!plugin_reaped) {
		int status;

		if (waitpid(plugin_pid, &status, 0) == plugin_pid)
			report("exit", (long)status);
	}
	reap();
}

/* Runs until the plugin exits or the lifeline closes. */
static void supervise(int sfd)
{
	for (;;) {
		struct pollfd p[2] = { { sfd, POLLIN, 0 }, { LIFELINE_FD, POLLIN, 0 } };

		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return;
		if (p[1].revents && lifeline_closed(LIFELINE_FD))
			return;
		if (p[0].revents & POLLIN) {
			wait_sigchld(sfd, -1, 0);
			reap();
			if (plugin_reaped)
				return;
		}
	}
}

static int setup_signals(void)
{
	sigset_t set;

	/* The host's stop and terminal signals are for the plugin; the shim outlives them to
	 * finish the shutdown. SIGCHLD is read through a signalfd. */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

int main(int argc, char **argv)
{
	long grace_ms;
	char *end;
	int sfd, rc;

	if (argc < 3 || fcntl(LIFELINE_FD, F_GETFD) < 0 || fcntl(STATUS_FD, F_GETFD) < 0) {
		fprintf(stderr, "usage: lmcache-plugin-shim GRACE_MS PROGRAM [ARG...]\n"
		                "(liblmcagent starts it with the lifeline on fd 3, status on fd 4)\n");
		return 2;
	}
	grace_ms = strtol(argv[1], &end, 10);
	if (*end != '\0' || grace_ms < 0)
		grace_ms = 5000;
	close_extra_fds();
	fcntl(LIFELINE_FD, F_SETFD, FD_CLOEXEC);
	fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC);
	fcntl(LIFELINE_FD, F_SETFL, O_NONBLOCK);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	sfd = setup_signals();
	if ((rc = spawn_plugin(argv + 2)) != 0) {
		report("spawn-error", (long)rc);
		fprintf(stderr, "cannot execute %s: %s\n", argv[2], strerror(rc));
		return 127;
	}
	report("pid", (long)plugin_pid);
	supervise(sfd);
	shut_down(sfd, grace_ms);
	return 0;
}
