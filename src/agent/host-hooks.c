/* Hooks of a host with a runtime of its own (lmcagent.h): frames of its language in
 * GET /threads, its loggers behind GET /loglevel, its metrics after the agent's. The
 * hooks live in one small object, created when the host sets the first one and read
 * under the agent's lock. */
#include "config.h"
#include "host-hooks.h"
#include "buf.h"
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct host_hooks {
	lmca_stack_provider stack_fn;
	void *stack_arg;
	lmca_log_provider log;
	bool has_log;
	void *log_arg;
	lmca_metrics_collector metrics_fn;
	void *metrics_arg;
};

void host_hooks_free(struct host_hooks *hooks) { free(hooks); }

/* The hooks object; the caller holds agent->lock. */
static struct host_hooks *hooks_of(lmca_agent *agent)
{
	if (agent->hooks == NULL)
		agent->hooks = xcalloc(1, sizeof *agent->hooks);
	return agent->hooks;
}

/* A copy of the hooks taken under the lock (all zero when the host set none). */
static struct host_hooks snapshot(lmca_agent *agent)
{
	struct host_hooks h = { 0 };

	pthread_mutex_lock(&agent->lock);
	if (agent->hooks != NULL)
		h = *agent->hooks;
	pthread_mutex_unlock(&agent->lock);
	return h;
}

void lmca_agent_set_stack_provider(lmca_agent *agent, lmca_stack_provider fn, void *arg)
{
	pthread_mutex_lock(&agent->lock);
	hooks_of(agent)->stack_fn = fn;
	hooks_of(agent)->stack_arg = arg;
	pthread_mutex_unlock(&agent->lock);
}

void lmca_agent_set_log_provider(lmca_agent *agent, const lmca_log_provider *provider,
                                 void *arg)
{
	struct host_hooks *h;

	pthread_mutex_lock(&agent->lock);
	h = hooks_of(agent);
	h->has_log = provider != NULL;
	if (provider != NULL)
		h->log = *provider;
	h->log_arg = arg;
	pthread_mutex_unlock(&agent->lock);
}

void lmca_agent_set_metrics_collector(lmca_agent *agent, lmca_metrics_collector fn, void *arg)
{
	pthread_mutex_lock(&agent->lock);
	hooks_of(agent)->metrics_fn = fn;
	hooks_of(agent)->metrics_arg = arg;
	pthread_mutex_unlock(&agent->lock);
}

/* ---- GET /threads ---- */

struct frames_by_tid {
	struct thread_info *threads;
	size_t n;
	char ***extra; /* per thread: the host's frames, NULL-terminated */
	size_t *count;
};

static void add_frame(void *ctx, int tid, const char *frame)
{
	struct frames_by_tid *f = ctx;

	for (size_t i = 0; i < f->n; i++) {
		if (f->threads[i].tid != tid)
			continue;
		f->extra[i] = xrealloc(f->extra[i], (f->count[i] + 2) * sizeof(char *));
		f->extra[i][f->count[i]++] = xstrdup(frame);
		f->extra[i][f->count[i]] = NULL;
		return;
	}
}

/* Host frames, then the native ones, in one NULL-terminated list. */
static char **join_frames(char **host, size_t nhost, char **native)
{
	size_t nnative = 0;
	char **all;

	while (native && native[nnative])
		nnative++;
	all = xmalloc((nhost + nnative + 1) * sizeof *all);
	memcpy(all, host, nhost * sizeof *all);
	if (nnative > 0)
		memcpy(all + nhost, native, nnative * sizeof *all);
	all[nhost + nnative] = NULL;
	return all;
}

void host_stacks_add(lmca_agent *agent, struct thread_info *threads, size_t n)
{
	struct host_hooks h = snapshot(agent);
	struct frames_by_tid f = { threads, n, NULL, NULL };

	if (h.stack_fn == NULL || n == 0)
		return;
	f.extra = xcalloc(n, sizeof *f.extra);
	f.count = xcalloc(n, sizeof *f.count);
	h.stack_fn(h.stack_arg, add_frame, &f);
	for (size_t i = 0; i < n; i++) {
		if (f.extra[i] == NULL)
			continue;
		char **all = join_frames(f.extra[i], f.count[i], threads[i].frames);

		free(threads[i].frames); /* its strings moved into `all` */
		threads[i].frames = all;
		free(f.extra[i]);
	}
	free(f.extra);
	free(f.count);
}

/* ---- GET /loglevel ---- */

/* A logger's name with control characters escaped: one line per logger is what clients
 * parse (docs/protocol.md). */
static void put_name(struct buf *b, const char *name)
{
	for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
		if (*p == '\n')
			buf_puts(b, "\\n");
		else if (*p == '\r')
			buf_puts(b, "\\r");
		else if (*p == '\t')
			buf_puts(b, "\\t");
		else if (*p < 0x20 || *p == 0x7f)
			buf_printf(b, "\\x%02x", *p);
		else
			buf_putc(b, (char)*p);
	}
}

static void add_level_line(void *ctx, const char *logger, int level)
{
	put_name(ctx, logger);
	buf_printf(ctx, ": %s\n", lmca_level_name((lmca_level)level));
}

static void unavailable(lmca_response *res, char *cause)
{
	lmca_respond_error(res, 503, "Service Unavailable", cause ? cause : "the host did not answer");
	free(cause);
}

static void log_list(const struct host_hooks *h, lmca_response *res)
{
	struct buf b = BUF_INIT;
	char *cause = NULL;

	buf_puts(&b, "=== Loggers and Levels ===\n");
	if (h->log.list(h->log_arg, add_level_line, &b, &cause) < 0) {
		buf_free(&b);
		unavailable(res, cause);
		return;
	}
	respond_owned(res, 200, NULL, buf_steal(&b));
}

static void log_get(const struct host_hooks *h, const char *name, lmca_response *res)
{
	struct buf b = BUF_INIT;
	char *cause = NULL;
	int level;

	if (h->log.get(h->log_arg, name, &level, &cause) < 0) {
		unavailable(res, cause);
		return;
	}
	put_name(&b, name);
	buf_printf(&b, ": %s", lmca_level_name((lmca_level)level));
	respond_owned(res, 200, NULL, buf_steal(&b));
}

static void log_set(const struct host_hooks *h, const char *name, const char *text,
                    lmca_response *res)
{
	char *cause = NULL, *upper;
	struct buf b = BUF_INIT;
	lmca_level level;

	if (lmca_level_parse(text, &level) < 0) {
		respond_owned(res, 400, NULL, xasprintf("Invalid log level: %s", text));
		return;
	}
	if (h->log.set(h->log_arg, name, (int)level, &cause) < 0) {
		unavailable(res, cause);
		return;
	}
	buf_puts(&b, "Set ");
	put_name(&b, name);
	upper = xstrdup(text);
	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	buf_printf(&b, " level to %s (including all handlers)", upper);
	free(upper);
	respond_owned(res, 200, NULL, buf_steal(&b));
}

bool host_loglevel(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	struct host_hooks h = snapshot(agent);
	const char *name = lmca_request_arg(req, "logger_name");
	const char *level = lmca_request_arg(req, "level");
	bool has_name = name != NULL && *name != '\0', has_level = level != NULL && *level != '\0';

	if (!h.has_log)
		return false;
	if (!has_name && !has_level)
		log_list(&h, res);
	else if (!has_name)
		lmca_respond_error(res, 400, "Bad Request", "level needs logger_name");
	else if (!has_level)
		log_get(&h, name, res);
	else
		log_set(&h, name, level, res);
	return true;
}

/* ---- GET /metrics ---- */

char *host_metrics_render(lmca_agent *agent)
{
	struct host_hooks h = snapshot(agent);
	char *extra = h.metrics_fn ? h.metrics_fn(h.metrics_arg) : NULL, *own, *all;

	own = lmca_metrics_render(agent);
	if (extra == NULL || *extra == '\0') {
		free(extra);
		return own;
	}
	all = xasprintf("%s%s%s", own, *own && own[strlen(own) - 1] != '\n' ? "\n" : "", extra);
	free(own);
	free(extra);
	return all;
}
