/*
 * Python-style named loggers: a tree by dotted name where a logger without its own level
 * follows its nearest existing ancestor (finally "root", WARNING by default as in Python).
 * Levels and parent links are atomics so that lmca_log_enabled costs no lock; the tree's
 * mutex guards creation, re-parenting and the sink.
 */
#include "config.h"
#include "agent-internal.h"
#include "buf.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

struct lmca_logger {
	char *name;
	struct log_tree *tree;
	_Atomic(lmca_logger *) parent; /* NULL for root */
	atomic_int level;               /* own level; NOTSET: inherit */
};

struct log_tree {
	pthread_mutex_t lock;
	lmca_logger root;
	lmca_logger **loggers; /* every logger but root, sorted by name */
	size_t n, cap;
	lmca_log_sink sink; /* NULL: stderr */
	void *sink_arg;
};

struct log_tree *log_tree_new(void)
{
	struct log_tree *lt = xcalloc(1, sizeof *lt);

	pthread_mutex_init(&lt->lock, NULL);
	lt->root.name = xstrdup("root");
	lt->root.tree = lt;
	atomic_init(&lt->root.parent, NULL);
	atomic_init(&lt->root.level, LMCA_LOG_WARNING);
	return lt;
}

void log_tree_free(struct log_tree *lt)
{
	if (lt == NULL)
		return;
	for (size_t i = 0; i < lt->n; i++) {
		free(lt->loggers[i]->name);
		free(lt->loggers[i]);
	}
	free(lt->loggers);
	free(lt->root.name);
	pthread_mutex_destroy(&lt->lock);
	free(lt);
}

static bool is_root_name(const char *name)
{
	return name == NULL || *name == '\0' || strcmp(name, "root") == 0;
}

/* Binary search; *pos is where name is or would go. Caller holds the lock. */
static lmca_logger *lookup(const struct log_tree *lt, const char *name, size_t *pos)
{
	size_t lo = 0, hi = lt->n;
	int c;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		c = strcmp(lt->loggers[mid]->name, name);
		if (c == 0) {
			*pos = mid;
			return lt->loggers[mid];
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*pos = lo;
	return NULL;
}

/* The nearest existing ancestor of name ("a.b.c": "a.b", then "a", then root). */
static lmca_logger *nearest_ancestor(struct log_tree *lt, const char *name)
{
	char *prefix = xstrdup(name), *dot;
	lmca_logger *found = NULL;
	size_t pos;

	while (found == NULL && (dot = strrchr(prefix, '.')) != NULL) {
		*dot = '\0';
		found = lookup(lt, prefix, &pos);
	}
	free(prefix);
	return found ? found : &lt->root;
}

/* Loggers below the new one that followed its parent now follow it (as Python fixes up
 * placeholders). Those are exactly the "name."-prefixed ones, adjacent in sorted order. */
static void adopt_children(struct log_tree *lt, lmca_logger *l, size_t pos)
{
	size_t len = strlen(l->name);

	for (size_t i = pos + 1; i < lt->n; i++) {
		lmca_logger *c = lt->loggers[i];

		if (strncmp(c->name, l->name, len) != 0)
			break;
		if (c->name[len] == '.' && atomic_load(&c->parent) == atomic_load(&l->parent))
			atomic_store(&c->parent, l);
	}
}

static lmca_logger *create(struct log_tree *lt, const char *name, size_t pos)
{
	lmca_logger *l = xcalloc(1, sizeof *l);

	l->name = xstrdup(name);
	l->tree = lt;
	atomic_init(&l->level, LMCA_LOG_NOTSET);
	atomic_init(&l->parent, nearest_ancestor(lt, name));
	if (lt->n == lt->cap) {
		lt->cap = lt->cap ? lt->cap * 2 : 32;
		lt->loggers = xreallocarray(lt->loggers, lt->cap, sizeof *lt->loggers);
	}
	memmove(lt->loggers + pos + 1, lt->loggers + pos, (lt->n - pos) * sizeof *lt->loggers);
	lt->loggers[pos] = l;
	lt->n++;
	adopt_children(lt, l, pos);
	return l;
}

/* The logger called name, created when missing and add is set (else NULL). */
static lmca_logger *find(lmca_agent *agent, const char *name, bool add)
{
	struct log_tree *lt = agent->logs;
	lmca_logger *l;
	size_t pos;

	if (is_root_name(name))
		return &lt->root;
	pthread_mutex_lock(&lt->lock);
	l = lookup(lt, name, &pos);
	if (l == NULL && add)
		l = create(lt, name, pos);
	pthread_mutex_unlock(&lt->lock);
	return l;
}

lmca_logger *lmca_logger_get(lmca_agent *agent, const char *name)
{
	return find(agent, name, true);
}

lmca_logger *log_tree_find(lmca_agent *agent, const char *name)
{
	return find(agent, name, false);
}

const char *lmca_logger_name(const lmca_logger *logger) { return logger->name; }

void lmca_logger_set_level(lmca_logger *logger, lmca_level level)
{
	/* Root always has a level, as in Python (setting NOTSET on root logs everything). */
	atomic_store(&logger->level, (int)level);
}

lmca_level lmca_logger_level(const lmca_logger *logger)
{
	return (lmca_level)atomic_load(&logger->level);
}

lmca_level lmca_logger_effective_level(const lmca_logger *logger)
{
	for (const lmca_logger *l = logger; l != NULL; l = atomic_load(&l->parent)) {
		int level = atomic_load(&l->level);

		if (level != LMCA_LOG_NOTSET)
			return (lmca_level)level;
	}
	return LMCA_LOG_NOTSET;
}

bool lmca_log_enabled(const lmca_logger *logger, lmca_level level)
{
	return (int)level >= (int)lmca_logger_effective_level(logger);
}

struct log_entry {
	char *name;
	lmca_level level;
};

void log_tree_foreach(lmca_agent *agent,
                      void (*fn)(void *arg, const char *name, lmca_level effective), void *arg)
{
	struct log_tree *lt = agent->logs;
	struct log_entry *snap;
	size_t n;

	/* Copy first: fn may create loggers or log. */
	pthread_mutex_lock(&lt->lock);
	n = lt->n;
	snap = xcalloc(n + 1, sizeof *snap);
	for (size_t i = 0; i < n; i++) {
		snap[i].name = xstrdup(lt->loggers[i]->name);
		snap[i].level = lmca_logger_effective_level(lt->loggers[i]);
	}
	pthread_mutex_unlock(&lt->lock);
	fn(arg, lt->root.name, lmca_logger_effective_level(&lt->root));
	for (size_t i = 0; i < n; i++) {
		fn(arg, snap[i].name, snap[i].level);
		free(snap[i].name);
	}
	free(snap);
}

static const struct {
	const char *name;
	lmca_level level;
} level_names[] = {
	{ "CRITICAL", LMCA_LOG_CRITICAL }, { "ERROR", LMCA_LOG_ERROR },
	{ "WARNING", LMCA_LOG_WARNING },   { "INFO", LMCA_LOG_INFO },
	{ "DEBUG", LMCA_LOG_DEBUG },       { "NOTSET", LMCA_LOG_NOTSET },
	{ "WARN", LMCA_LOG_WARNING },      { "FATAL", LMCA_LOG_CRITICAL },
};

const char *lmca_level_name(lmca_level level)
{
	static _Thread_local char other[32];

	for (size_t i = 0; i < 6; i++)
		if (level_names[i].level == level)
			return level_names[i].name;
	snprintf(other, sizeof other, "Level %d", (int)level);
	return other;
}

int lmca_level_parse(const char *text, lmca_level *level)
{
	char *end;
	long n;

	if (text == NULL)
		return -1;
	for (size_t i = 0; i < sizeof level_names / sizeof level_names[0]; i++)
		if (strcasecmp(text, level_names[i].name) == 0)
			return *level = level_names[i].level, 0;
	if (!isdigit((unsigned char)*text))
		return -1;
	errno = 0;
	n = strtol(text, &end, 10);
	if (errno != 0 || *end != '\0' || n > INT_MAX)
		return -1;
	*level = (lmca_level)n;
	return 0;
}

void lmca_agent_set_log_sink(lmca_agent *agent, lmca_log_sink sink, void *arg)
{
	pthread_mutex_lock(&agent->logs->lock);
	agent->logs->sink = sink;
	agent->logs->sink_arg = arg;
	pthread_mutex_unlock(&agent->logs->lock);
}

/* "<ISO time> <LEVEL> [<logger>] <message>" as one write, so lines from threads never mix. */
void lmca_log_to_stderr(const char *logger, lmca_level level, const char *message)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s [%s] %s\n", when, ts.tv_nsec / 1000000,
	        lmca_level_name(level), logger, message);
}

void lmca_vlog(lmca_logger *logger, lmca_level level, const char *fmt, va_list ap)
{
	struct log_tree *lt = logger->tree;
	struct buf msg = BUF_INIT;
	lmca_log_sink sink;
	void *arg;

	if (!lmca_log_enabled(logger, level))
		return;
	buf_vprintf(&msg, fmt, ap);
	pthread_mutex_lock(&lt->lock);
	sink = lt->sink;
	arg = lt->sink_arg;
	pthread_mutex_unlock(&lt->lock);
	if (sink != NULL)
		sink(arg, logger->name, level, buf_cstr(&msg));
	else
		lmca_log_to_stderr(logger->name, level, buf_cstr(&msg));
	buf_free(&msg);
}

void lmca_log(lmca_logger *logger, lmca_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	lmca_vlog(logger, level, fmt, ap);
	va_end(ap);
}
