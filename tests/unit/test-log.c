/* Loggers: Python's hierarchy and level rules, level names and parsing, the host sink, the
 * default stderr format, the list for GET /loglevel, and concurrent use. */
#include "config.h"
#include "agent-internal.h"
#include "buf.h"
#include "tap.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct captured {
	struct buf lines;
	int count;
	pthread_mutex_t lock;
};

static void capture(void *arg, const char *logger, lmca_level level, const char *message)
{
	struct captured *c = arg;

	pthread_mutex_lock(&c->lock);
	buf_printf(&c->lines, "%s|%s|%s\n", logger, lmca_level_name(level), message);
	c->count++;
	pthread_mutex_unlock(&c->lock);
}

static void test_hierarchy(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_WORKER, 1, 2, NULL);
	lmca_logger *root = lmca_logger_get(a, NULL);
	lmca_logger *cache = lmca_logger_get(a, "lmcache.v1.cache");
	lmca_logger *v1, *top;

	ok(root == lmca_logger_get(a, "root") && root == lmca_logger_get(a, ""), "root aliases");
	is_str(lmca_logger_name(root), "root", "root name");
	is_int(lmca_logger_effective_level(cache), LMCA_LOG_WARNING, "root's WARNING by default");
	is_int(lmca_logger_level(cache), LMCA_LOG_NOTSET, "own level NOTSET");
	top = lmca_logger_get(a, "lmcache");
	lmca_logger_set_level(top, LMCA_LOG_DEBUG);
	is_int(lmca_logger_effective_level(cache), LMCA_LOG_DEBUG,
	       "a logger created before its ancestor follows it once it exists");
	v1 = lmca_logger_get(a, "lmcache.v1");
	lmca_logger_set_level(v1, LMCA_LOG_ERROR);
	is_int(lmca_logger_effective_level(cache), LMCA_LOG_ERROR, "nearest ancestor wins");
	ok(!lmca_log_enabled(cache, LMCA_LOG_WARNING) && lmca_log_enabled(cache, LMCA_LOG_ERROR),
	   "enabled follows the effective level");
	lmca_logger_set_level(cache, LMCA_LOG_INFO);
	is_int(lmca_logger_effective_level(cache), LMCA_LOG_INFO, "own level wins");
	lmca_logger_set_level(cache, LMCA_LOG_NOTSET);
	is_int(lmca_logger_effective_level(cache), LMCA_LOG_ERROR, "NOTSET inherits again");
	is_int(lmca_logger_effective_level(lmca_logger_get(a, "lmcache2")), LMCA_LOG_WARNING,
	       "lmcache2 is not a child of lmcache");
	ok(lmca_logger_get(a, "lmcache.v1") == v1, "same pointer on lookup");
	ok(log_tree_find(a, "lmcache.v1.cache") == cache, "find existing");
	ok(log_tree_find(a, "lmcache.nope") == NULL, "find does not create");
	ok(log_tree_find(a, "lmcache.nope") == NULL, "still not created");
	lmca_agent_free(a);
}

static void test_levels(void)
{
	lmca_level l = LMCA_LOG_NOTSET;

	is_str(lmca_level_name(LMCA_LOG_WARNING), "WARNING", "WARNING");
	is_str(lmca_level_name(LMCA_LOG_CRITICAL), "CRITICAL", "CRITICAL");
	is_str(lmca_level_name(LMCA_LOG_NOTSET), "NOTSET", "NOTSET");
	is_str(lmca_level_name((lmca_level)15), "Level 15", "other number");
	ok(lmca_level_parse("debug", &l) == 0 && l == LMCA_LOG_DEBUG, "lower-case name");
	ok(lmca_level_parse("Info", &l) == 0 && l == LMCA_LOG_INFO, "mixed case");
	ok(lmca_level_parse("WARN", &l) == 0 && l == LMCA_LOG_WARNING, "WARN");
	ok(lmca_level_parse("fatal", &l) == 0 && l == LMCA_LOG_CRITICAL, "FATAL");
	ok(lmca_level_parse("25", &l) == 0 && l == 25, "number");
	ok(lmca_level_parse("0", &l) == 0 && l == LMCA_LOG_NOTSET, "zero");
	ok(lmca_level_parse("verbose", &l) < 0, "unknown name refused");
	ok(lmca_level_parse("", &l) < 0, "empty refused");
	ok(lmca_level_parse("-5", &l) < 0, "negative refused");
	ok(lmca_level_parse("10x", &l) < 0, "trailing junk refused");
	ok(lmca_level_parse("99999999999999", &l) < 0, "overflow refused");
}

static void add_line(void *arg, const char *name, lmca_level effective)
{
	buf_printf(arg, "%s: %s\n", name, lmca_level_name(effective));
}

static void test_foreach(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_WORKER, 0, 1, NULL);
	struct buf b = BUF_INIT;

	lmca_logger_set_level(lmca_logger_get(a, "lmcache"), LMCA_LOG_INFO);
	lmca_logger_get(a, "zeta");
	lmca_logger_get(a, "lmcache.v1.cache");
	lmca_logger_set_level(lmca_logger_get(a, "alpha"), LMCA_LOG_DEBUG);
	log_tree_foreach(a, add_line, &b);
	is_str(buf_cstr(&b),
	       "root: WARNING\nalpha: DEBUG\nlmcache: INFO\nlmcache.v1.cache: INFO\n"
	       "zeta: WARNING\n",
	       "root first, then by name, with effective levels");
	buf_free(&b);
	lmca_agent_free(a);
}

static void test_sink(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_WORKER, 0, 1, NULL);
	struct captured c = { BUF_INIT, 0, PTHREAD_MUTEX_INITIALIZER };
	lmca_logger *l = lmca_logger_get(a, "lmcache.test");

	lmca_agent_set_log_sink(a, capture, &c);
	lmca_log(l, LMCA_LOG_INFO, "hidden %d", 1);
	lmca_log(l, LMCA_LOG_WARNING, "shown %d %s", 2, "x");
	lmca_logger_set_level(l, LMCA_LOG_DEBUG);
	lmca_log(l, LMCA_LOG_DEBUG, "debug now");
	is_str(buf_cstr(&c.lines), "lmcache.test|WARNING|shown 2 x\nlmcache.test|DEBUG|debug now\n",
	       "host sink gets logger, level and formatted message; filtered by level");
	buf_free(&c.lines);
	lmca_agent_free(a);
}

static void test_stderr_format(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_WORKER, 0, 1, NULL);
	char path[] = "/tmp/lmc-log-XXXXXX", line[512] = "";
	int fd = mkstemp(path), saved = dup(2);
	FILE *f;

	fflush(stderr);
	dup2(fd, 2);
	lmca_log(lmca_logger_get(a, "lmcache.fmt"), LMCA_LOG_ERROR, "disk %s full", "/x");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	f = fdopen(fd, "r");
	rewind(f);
	if (fgets(line, sizeof line, f) == NULL)
		line[0] = '\0';
	fclose(f);
	unlink(path);
	/* 2026-11-25T02:00:00.123Z ERROR [lmcache.fmt] disk /x full */
	ok(strlen(line) > 24 && line[4] == '-' && line[10] == 'T' && line[19] == '.' &&
	   line[23] == 'Z', "ISO 8601 UTC time first");
	is_str(line + 24, " ERROR [lmcache.fmt] disk /x full\n", "level, logger, message");
	lmca_agent_free(a);
}

struct thread_arg {
	lmca_agent *agent;
	int id;
};

static void *log_many(void *p)
{
	struct thread_arg *t = p;
	char name[32];

	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof name, "lmcache.t%d.n%d", t->id, i % 10);
		lmca_log(lmca_logger_get(t->agent, name), LMCA_LOG_WARNING, "m%d", i);
		if (i % 50 == 0)
			lmca_logger_set_level(lmca_logger_get(t->agent, "lmcache"), LMCA_LOG_INFO);
	}
	return NULL;
}

static void test_threads(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_WORKER, 0, 1, NULL);
	struct captured c = { BUF_INIT, 0, PTHREAD_MUTEX_INITIALIZER };
	struct thread_arg args[4];
	pthread_t t[4];

	lmca_agent_set_log_sink(a, capture, &c);
	for (int i = 0; i < 4; i++) {
		args[i] = (struct thread_arg){ a, i };
		pthread_create(&t[i], NULL, log_many, &args[i]);
	}
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	is_int(c.count, 2000, "every line from 4 threads arrived");
	ok(log_tree_find(a, "lmcache.t3.n9") != NULL, "loggers created concurrently exist");
	buf_free(&c.lines);
	lmca_agent_free(a);
}

int main(void)
{
	no_plan();
	test_hierarchy();
	test_levels();
	test_foreach();
	test_sink();
	test_stderr_format();
	test_threads();
	return done_testing();
}
