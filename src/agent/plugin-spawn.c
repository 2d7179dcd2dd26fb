/* Starting a plugin: its environment, and posix_spawn of the shim that supervises it. */
#include "config.h"
#include "plugin.h"
#include "strutil.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static const char *const families[] = { "LMCACHE_RUNTIME_PLUGIN_", "LMCACHE_PLUGIN_" };
static const char *const suffixes[] = { "ROLE", "CONFIG", "WORKER_COUNT", "WORKER_ID" };

/* Whether the NAME=value entry e is one the runtime sets itself. */
static bool is_ours(const char *e)
{
	if (str_starts_with(e, "PYTHONUNBUFFERED="))
		return true;
	for (size_t f = 0; f < 2; f++) {
		size_t n = strlen(families[f]);

		if (strncmp(e, families[f], n) != 0)
			continue;
		for (size_t s = 0; s < 4; s++) {
			size_t m = strlen(suffixes[s]);

			if (strncmp(e + n, suffixes[s], m) == 0 && e[n + m] == '=')
				return true;
		}
	}
	return false;
}

char **plugin_environment(lmca_agent *agent)
{
	size_t n = 0, k = 0;
	char *values[4];
	char **env;

	for (char **e = environ; *e; e++)
		n++;
	env = xcalloc(n + 10, sizeof *env);
	for (char **e = environ; *e; e++)
		if (!is_ours(*e))
			env[k++] = xstrdup(*e);
	values[0] = xstrdup(lmca_role_name(lmca_agent_role(agent)));
	values[1] = lmca_conf_dump_json(agent);
	values[2] = xasprintf("%d", lmca_agent_worker_count(agent));
	values[3] = xasprintf("%d", lmca_agent_worker_id(agent));
	for (size_t f = 0; f < 2; f++)
		for (size_t s = 0; s < 4; s++)
			env[k++] = xasprintf("%s%s=%s", families[f], suffixes[s], values[s]);
	env[k++] = xstrdup("PYTHONUNBUFFERED=1");
	for (size_t s = 0; s < 4; s++)
		free(values[s]);
	return env;
}

int plugin_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return -WTERMSIG(status);
	return -1;
}

/* stdin from /dev/null, stdout and stderr to out, the lifeline on 3, status on 4, nothing
 * else (all our descriptors are close-on-exec; closefrom covers the host's others). */
static void child_fds(posix_spawn_file_actions_t *fa, int out, int life, int status)
{
	posix_spawn_file_actions_init(fa);
	posix_spawn_file_actions_addopen(fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(fa, out, 1);
	posix_spawn_file_actions_adddup2(fa, out, 2);
	posix_spawn_file_actions_adddup2(fa, life, 3);
	posix_spawn_file_actions_adddup2(fa, status, 4);
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCLOSEFROM_NP
	posix_spawn_file_actions_addclosefrom_np(fa, 5);
#endif
}

/* The shim in a process group of its own, with default signal dispositions and an empty
 * mask whatever the host (or this thread) uses. */
static void child_attr(posix_spawnattr_t *attr)
{
	sigset_t all, none;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_init(attr);
	posix_spawnattr_setflags(attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF |
	                                       POSIX_SPAWN_SETSIGMASK);
	posix_spawnattr_setpgroup(attr, 0);
	posix_spawnattr_setsigdefault(attr, &all);
	posix_spawnattr_setsigmask(attr, &none);
}

static char **shim_argv(const struct plugin *p, double grace)
{
	size_t n = 0;
	char **argv;

	while (p->cmd[n])
		n++;
	argv = xcalloc(n + 3, sizeof *argv);
	argv[0] = (char *)plugin_shim_path();
	argv[1] = xasprintf("%ld", (long)(grace * 1000));
	for (size_t i = 0; i < n; i++)
		argv[2 + i] = p->cmd[i];
	return argv;
}

static void close_pair(int fds[2])
{
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
}

int plugin_spawn(struct plugin *p, char **envp, double grace, char **cause)
{
	int out[2] = { -1, -1 }, life[2] = { -1, -1 }, st[2] = { -1, -1 }, rc;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	char **argv;

	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(life, O_CLOEXEC) < 0 || pipe2(st, O_CLOEXEC) < 0) {
		rc = errno;
		close_pair(out), close_pair(life), close_pair(st);
		*cause = xasprintf("cannot create pipes: %s", strerror(rc));
		return -1;
	}
	child_fds(&fa, out[1], life[0], st[1]);
	child_attr(&attr);
	argv = shim_argv(p, grace);
	rc = posix_spawn(&p->shim, argv[0], &fa, &attr, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	free(argv[1]);
	free(argv);
	close(out[1]), close(life[0]), close(st[1]);
	if (rc != 0) {
		close(out[0]), close(life[1]), close(st[0]);
		p->shim = 0;
		*cause = xasprintf("cannot start %s: %s", plugin_shim_path(), strerror(rc));
		return -1;
	}
	fcntl(out[0], F_SETFL, O_NONBLOCK);
	fcntl(st[0], F_SETFL, O_NONBLOCK);
	p->out_fd = out[0];
	p->status_fd = st[0];
	p->life_fd = life[1];
	p->pid = 0;
	p->exit_reported = false;
	return 0;
}
