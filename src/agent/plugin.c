/*
 * The plugin runtime (PROTOCOL section 4): finds the plugins this process runs, launches
 * each through lmcache-plugin-shim, logs their output, applies the restart policy and
 * stops them. One supervisor thread per agent sleeps in poll() on the plugins' pipes; it
 * wakes only for output, an exit, a stop request or a restart timer.
 *
 * Children: the runtime waits only for the shims it started, by pid, after their status
 * pipe closed, and tolerates ECHILD (a host that ignores SIGCHLD); exits are learned from
 * the shim's reports, not from SIGCHLD.
 */
#include "config.h"
#include "plugin.h"
#include "plugin-interp.h"
#include "plugin-name.h"
#include "plugin-scan.h"
#include "strutil.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define LOGGER_NAME "lmcache.plugin"
/* After the grace period the shim kills the group itself; this margin is for a shim that
 * does not respond at all. */
#define STOP_MARGIN 2.0

struct plugin_runtime {
	lmca_agent *agent;
	lmca_logger *log;
	lmca_metric *restarts_total;
	lmca_metric *running;
	struct plugin_settings set;

	pthread_mutex_t lock; /* guards everything below */
	pthread_t thread;
	bool has_thread;
	bool stopping;
	bool stop_claimed;
	double stop_deadline;
	int wake[2];
	struct plugin *v;
	size_t n;
};

/* Guards agent->plugins against GET /plugins while the runtime is being stopped. */
static pthread_mutex_t runtimes_lock = PTHREAD_MUTEX_INITIALIZER;

static const char *const state_names[] = {
	"skipped", "failed", "running", "stopping", "restarting", "exited", "stopped",
};

const char *plugin_state_name(enum plugin_state s) { return state_names[s]; }

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void update_running(struct plugin_runtime *rt)
{
	size_t running = 0;

	for (size_t i = 0; i < rt->n; i++)
		running += rt->v[i].shim != 0;
	lmca_metric_set(rt->running, NULL, (double)running);
}

static void launch(struct plugin_runtime *rt, struct plugin *p)
{
	char **env = plugin_environment(rt->agent);
	char *cause = NULL;

	if (plugin_spawn(p, env, rt->set.stop_grace, &cause) < 0) {
		lmca_log(rt->log, LMCA_LOG_ERROR, "Failed to launch plugin %s: %s", p->path, cause);
		free(p->error);
		p->error = cause;
		p->state = PLUGIN_FAILED;
	} else {
		struct buf interp = BUF_INIT;

		for (char **w = p->cmd; w[1]; w++)
			buf_printf(&interp, "%s%s", w == p->cmd ? "" : " ", *w);
		p->state = PLUGIN_RUNNING;
		p->started = now_s();
		lmca_log(rt->log, LMCA_LOG_INFO, "Launched runtime plugin: %s with %s", p->path,
		         buf_cstr(&interp));
		buf_free(&interp);
	}
	str_list_free(env);
	update_running(rt);
}

/* After an exit: restart later, or not, as the policy says. */
static void apply_policy(struct plugin_runtime *rt, struct plugin *p, double uptime)
{
	bool again = rt->set.restart == PLUGIN_RESTART_ALWAYS ||
	             (rt->set.restart == PLUGIN_RESTART_ON_FAILURE && p->exit_code != 0);
	double delay;

	if (!again) {
		p->state = PLUGIN_EXITED;
		return;
	}
	/* A run as long as the cap ends the crash loop: the next delay starts small again. */
	if (uptime >= rt->set.backoff_max)
		p->streak = 0;
	delay = plugin_backoff_delay(&rt->set, p->streak++);
	p->restart_at = now_s() + delay;
	p->restart_delay = delay;
	p->state = PLUGIN_RESTARTING;
	lmca_log(rt->log, LMCA_LOG_INFO, "Restarting runtime plugin %s in %.3g s (policy %s)",
	         p->path, delay, plugin_restart_name(rt->set.restart));
}

/* Reaps the shim (ours, by pid) and fills in an exit the shim could not report. */
static void reap_shim(struct plugin_runtime *rt, struct plugin *p)
{
	int status;
	pid_t r;

	do
		r = waitpid(p->shim, &status, 0);
	while (r < 0 && errno == EINTR);
	if (p->exit_reported)
		return;
	lmca_log(rt->log, LMCA_LOG_WARNING,
	         "Runtime plugin %s: its shim ended without reporting the plugin's exit", p->path);
	if (p->pid > 0 && kill(-p->pid, 0) == 0)
		kill(-p->pid, SIGKILL);
	p->exit_code = r == p->shim ? plugin_exit_code(status) : -SIGKILL;
}

void plugin_instance_ended(struct plugin_runtime *rt, struct plugin *p)
{
	double uptime = now_s() - p->started;

	plugin_read_output(rt->log, p, true);
	reap_shim(rt, p);
	if (p->life_fd >= 0)
		close(p->life_fd);
	p->life_fd = -1;
	p->shim = 0;
	p->pid = 0;
	p->has_exit = true;
	lmca_log(rt->log, LMCA_LOG_INFO, "Runtime plugin %s exited with code %d", p->path,
	         p->exit_code);
	if (rt->stopping || p->state == PLUGIN_STOPPING)
		p->state = PLUGIN_STOPPED;
	else
		apply_policy(rt, p, uptime);
	update_running(rt);
}

/* Restarts whose delay is over; returns the poll timeout (ms) until the next one. */
static int run_timers(struct plugin_runtime *rt)
{
	double now = now_s(), next = -1;

	for (size_t i = 0; i < rt->n; i++) {
		struct plugin *p = &rt->v[i];

		if (p->state != PLUGIN_RESTARTING || rt->stopping)
			continue;
		if (p->restart_at <= now) {
			const char *const label[] = { p->path, NULL };

			p->restarts++;
			lmca_metric_inc(rt->restarts_total, label, 1);
			launch(rt, p);
		} else if (next < 0 || p->restart_at < next) {
			next = p->restart_at;
		}
	}
	if (rt->stopping)
		next = rt->stop_deadline;
	if (next < 0)
		return -1;
	return next <= now ? 0 : (int)((next - now) * 1000) + 1;
}

/* A stop that outlived the grace period and the margin: kill what is left directly. */
static void force_stop(struct plugin_runtime *rt)
{
	for (size_t i = 0; i < rt->n; i++) {
		struct plugin *p = &rt->v[i];

		if (p->shim == 0)
			continue;
		if (p->pid > 0)
			kill(-p->pid, SIGKILL);
		kill(p->shim, SIGKILL);
	}
}

static bool any_shim(const struct plugin_runtime *rt)
{
	for (size_t i = 0; i < rt->n; i++)
		if (rt->v[i].shim != 0)
			return true;
	return false;
}

/* One round: wait for something to happen, then handle it. Called with rt->lock held. */
static void supervise_once(struct plugin_runtime *rt, struct pollfd *fds, size_t *owner)
{
	size_t k = 0;
	int timeout = run_timers(rt);

	fds[k++] = (struct pollfd){ rt->wake[0], POLLIN, 0 };
	for (size_t i = 0; i < rt->n; i++) {
		if (rt->v[i].out_fd >= 0) {
			owner[k] = i;
			fds[k++] = (struct pollfd){ rt->v[i].out_fd, POLLIN, 0 };
		}
		if (rt->v[i].status_fd >= 0) {
			owner[k] = i;
			fds[k++] = (struct pollfd){ rt->v[i].status_fd, POLLIN, 0 };
		}
	}
	pthread_mutex_unlock(&rt->lock);
	poll(fds, k, timeout);
	pthread_mutex_lock(&rt->lock);
	if (fds[0].revents) {
		char drain[64];

		while (read(rt->wake[0], drain, sizeof drain) > 0)
			;
	}
	for (size_t j = 1; j < k; j++) {
		struct plugin *p = &rt->v[owner[j]];

		if (fds[j].revents == 0)
			continue;
		if (fds[j].fd == p->out_fd)
			plugin_read_output(rt->log, p, false);
		else if (fds[j].fd == p->status_fd && !plugin_read_status(rt->log, p))
			plugin_instance_ended(rt, p);
	}
	if (rt->stopping && now_s() >= rt->stop_deadline)
		force_stop(rt);
}

static void *supervisor(void *arg)
{
	struct plugin_runtime *rt = arg;
	struct pollfd *fds = xcalloc(2 * rt->n + 1, sizeof *fds);
	size_t *owner = xcalloc(2 * rt->n + 1, sizeof *owner);

	pthread_mutex_lock(&rt->lock);
	while (!rt->stopping || any_shim(rt))
		supervise_once(rt, fds, owner);
	pthread_mutex_unlock(&rt->lock);
	free(fds);
	free(owner);
	return NULL;
}

static void *supervisor_thread(void *arg)
{
#ifdef HAVE_PTHREAD_SETNAME_NP
	pthread_setname_np(pthread_self(), "lmc-plugins"); /* shown by GET /threads */
#endif
	return supervisor(arg);
}

/* Closing a lifeline makes the shim send SIGTERM to the plugin's group, and SIGKILL after
 * the grace period. Called with rt->lock held. */
static void begin_stop(struct plugin_runtime *rt)
{
	rt->stopping = true;
	rt->stop_deadline = now_s() + rt->set.stop_grace + STOP_MARGIN;
	for (size_t i = 0; i < rt->n; i++) {
		struct plugin *p = &rt->v[i];

		if (p->life_fd >= 0) {
			close(p->life_fd);
			p->life_fd = -1;
		}
		if (p->state == PLUGIN_RUNNING)
			p->state = PLUGIN_STOPPING;
		else if (p->state == PLUGIN_RESTARTING)
			p->state = PLUGIN_STOPPED;
	}
}

/* ---- start ---- */

static void warn_location(void *arg, const char *message)
{
	lmca_log(arg, LMCA_LOG_WARNING, "%s", message);
}

/* runtime_plugin_locations (or its old name) as a list of paths; an env value is one path. */
static char **plugin_locations(lmca_agent *agent, size_t *n)
{
	static const char *const keys[] = { "runtime_plugin_locations", "plugin_locations" };
	char **out = NULL;

	*n = 0;
	for (size_t k = 0; k < 2 && *n == 0; k++) {
		json_t *v = conf_get(agent, keys[k]);
		size_t i;
		json_t *e;

		if (json_is_string(v) && *json_string_value(v)) {
			out = xcalloc(2, sizeof *out);
			out[(*n)++] = xstrdup(json_string_value(v));
		} else if (json_is_array(v)) {
			out = xcalloc(json_array_size(v) + 1, sizeof *out);
			json_array_foreach (v, i, e)
				if (json_is_string(e) && *json_string_value(e))
					out[(*n)++] = xstrdup(json_string_value(e));
		}
		json_decref(v);
		if (*n == 0) {
			free(out);
			out = NULL;
		}
	}
	return out;
}

static void load_settings(struct plugin_runtime *rt)
{
	json_t *extra = conf_get(rt->agent, "extra_config");
	char *cause = NULL;

	if (plugin_settings_parse(extra, &rt->set, &cause) < 0) {
		lmca_log(rt->log, LMCA_LOG_WARNING, "extra_config: %s (defaults used)", cause);
		free(cause);
	}
	json_decref(extra);
}

/* Decides what becomes of one found file: skipped, failed, or launched. */
static void add_plugin(struct plugin_runtime *rt, const char *path)
{
	struct plugin *p = &rt->v[rt->n++];
	const char *why = NULL, *base = strrchr(path, '/');
	char *warning = NULL;

	memset(p, 0, sizeof *p);
	p->path = xstrdup(path);
	p->name = xstrdup(base ? base + 1 : path);
	p->out_fd = p->status_fd = p->life_fd = -1;
	p->restart_delay = -1;
	if (!plugin_eligible(path, rt->agent->role, rt->agent->worker_id, &why)) {
		lmca_log(rt->log, LMCA_LOG_INFO, "Skipping %s: %s", path, why);
		p->error = xstrdup(why);
		p->state = PLUGIN_SKIPPED;
		return;
	}
	p->cmd = plugin_command(path, getenv("PATH"), &warning, &p->error);
	if (warning != NULL)
		lmca_log(rt->log, LMCA_LOG_WARNING, "Runtime plugin %s: %s", path, warning);
	free(warning);
	if (p->cmd == NULL) {
		lmca_log(rt->log, LMCA_LOG_ERROR, "Failed to launch plugin %s: %s", path, p->error);
		p->state = PLUGIN_FAILED;
		return;
	}
	launch(rt, p);
}

static struct plugin_runtime *runtime_new(lmca_agent *agent)
{
	struct plugin_runtime *rt = xcalloc(1, sizeof *rt);
	static const char *const label[] = { "plugin", NULL };

	rt->agent = agent;
	rt->log = lmca_logger_get(agent, LOGGER_NAME);
	/* LMCache's loggers default to INFO, so plugin output shows unless the host (or
	 * GET /loglevel) chose a level for this logger. */
	if (lmca_logger_level(rt->log) == LMCA_LOG_NOTSET)
		lmca_logger_set_level(rt->log, LMCA_LOG_INFO);
	rt->restarts_total = lmca_counter(agent, "lmcache_plugin_restarts_total",
	                                  "Runtime plugin restarts by the restart policy", label);
	rt->running = lmca_gauge(agent, "lmcache_plugins_running",
	                         "Runtime plugins whose process is running", NULL);
	pthread_mutex_init(&rt->lock, NULL);
	rt->wake[0] = rt->wake[1] = -1;
	load_settings(rt);
	return rt;
}

/* The supervisor runs with every signal blocked: they are the host's business. */
static int start_thread(struct plugin_runtime *rt, char **cause)
{
	sigset_t all, old;
	int rc;

	if (pipe2(rt->wake, O_CLOEXEC | O_NONBLOCK) < 0) {
		*cause = xasprintf("plugin runtime: cannot create a pipe: %s", strerror(errno));
		return -1;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&rt->thread, NULL, supervisor_thread, rt);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		*cause = xasprintf("plugin runtime: cannot start its thread: %s", strerror(rc));
		return -1;
	}
	rt->has_thread = true;
	return 0;
}

static void runtime_free(struct plugin_runtime *rt)
{
	for (size_t i = 0; i < rt->n; i++) {
		struct plugin *p = &rt->v[i];

		free(p->path);
		free(p->name);
		free(p->error);
		str_list_free(p->cmd);
		buf_free(&p->out_line);
		buf_free(&p->status_line);
	}
	free(rt->v);
	if (rt->wake[0] >= 0)
		close(rt->wake[0]), close(rt->wake[1]);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

int plugin_runtime_start(lmca_agent *agent, char **cause)
{
	struct plugin_runtime *rt;
	size_t nloc = 0, nfiles = 0;
	char **locs, **files;
	char *why = NULL;

	if (agent->plugins != NULL || (locs = plugin_locations(agent, &nloc)) == NULL)
		return 0;
	rt = runtime_new(agent);
	files = plugin_scan((const char *const *)locs, nloc, warn_location, rt->log);
	while (files[nfiles])
		nfiles++;
	rt->v = xcalloc(nfiles ? nfiles : 1, sizeof *rt->v);
	pthread_mutex_lock(&rt->lock);
	for (size_t i = 0; i < nfiles; i++)
		add_plugin(rt, files[i]);
	pthread_mutex_unlock(&rt->lock);
	str_list_free(files);
	str_list_free(locs);
	if (start_thread(rt, &why) < 0) {
		/* Without a supervisor nothing may keep running: stop them from this thread. */
		pthread_mutex_lock(&rt->lock);
		begin_stop(rt);
		pthread_mutex_unlock(&rt->lock);
		supervisor(rt);
		runtime_free(rt);
		if (cause)
			*cause = why;
		else
			free(why);
		return -1;
	}
	pthread_mutex_lock(&runtimes_lock);
	agent->plugins = rt;
	pthread_mutex_unlock(&runtimes_lock);
	return 0;
}

/* ---- stop ---- */

void plugin_runtime_stop(lmca_agent *agent)
{
	struct plugin_runtime *rt;

	pthread_mutex_lock(&runtimes_lock);
	rt = agent->plugins;
	if (rt != NULL && rt->stop_claimed)
		rt = NULL;
	if (rt != NULL)
		rt->stop_claimed = true;
	pthread_mutex_unlock(&runtimes_lock);
	if (rt == NULL)
		return;
	pthread_mutex_lock(&rt->lock);
	begin_stop(rt);
	pthread_mutex_unlock(&rt->lock);
	if (write(rt->wake[1], "", 1) < 0 && errno != EAGAIN)
		lmca_log(rt->log, LMCA_LOG_ERROR, "cannot wake the plugin supervisor: %s",
		         strerror(errno));
	pthread_join(rt->thread, NULL);
	update_running(rt);
	pthread_mutex_lock(&runtimes_lock);
	agent->plugins = NULL;
	pthread_mutex_unlock(&runtimes_lock);
	runtime_free(rt);
}

/* ---- GET /plugins ---- */

static json_t *plugin_json(const struct plugin_runtime *rt, const struct plugin *p, double now)
{
	bool live = p->shim != 0;
	json_t *o = json_pack("{s:s, s:s, s:s, s:I}", "name", p->name, "path", p->path, "state",
	                      plugin_state_name(p->state), "restarts", (json_int_t)p->restarts);
	json_t *cmd = json_array();

	json_object_set_new(o, "pid", live && p->pid > 0 ? json_integer(p->pid) : json_null());
	json_object_set_new(o, "last_exit_status",
	                    p->has_exit ? json_integer(p->exit_code) : json_null());
	json_object_set_new(o, "uptime", live ? json_real(now - p->started) : json_null());
	json_object_set_new(o, "next_restart_in", p->state == PLUGIN_RESTARTING ?
	                    json_real(p->restart_at > now ? p->restart_at - now : 0) : json_null());
	json_object_set_new(o, "restart_delay",
	                    p->restart_delay >= 0 ? json_real(p->restart_delay) : json_null());
	json_object_set_new(o, "pgid", live && p->pid > 0 ? json_integer(p->pid) : json_null());
	for (char **c = p->cmd; c && *c; c++)
		json_array_append_new(cmd, json_string(*c));
	json_object_set_new(o, "command", cmd);
	json_object_set_new(o, "error", p->error ? json_string(p->error) : json_null());
	json_object_set_new(o, "restart_policy", json_string(plugin_restart_name(rt->set.restart)));
	return o;
}

json_t *plugin_runtime_list(lmca_agent *agent)
{
	json_t *list = json_array();
	struct plugin_runtime *rt;

	pthread_mutex_lock(&runtimes_lock);
	rt = agent->plugins;
	if (rt != NULL) {
		double now = now_s();

		pthread_mutex_lock(&rt->lock);
		for (size_t i = 0; i < rt->n; i++)
			json_array_append_new(list, plugin_json(rt, &rt->v[i], now));
		pthread_mutex_unlock(&rt->lock);
	}
	pthread_mutex_unlock(&runtimes_lock);
	return list;
}
