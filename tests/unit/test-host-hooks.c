/* The hooks of a host with a runtime of its own, through the public API: frames added to
 * the right thread in GET /threads, GET /loglevel from the host's loggers (503 when they
 * cannot answer), and the collector's text after the agent's metrics. */
#include "config.h"
#include "lmcagent.h"
#include "raw-http.h"
#include "tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

static int main_tid;

static void frames(void *arg, lmca_frame_add add, void *ctx)
{
	(void)arg;
	add(ctx, main_tid, "File \"host.py\", line 7, in inner");
	add(ctx, main_tid, "File \"host.py\", line 3, in outer");
	add(ctx, 999999999, "File \"ghost.py\", line 1, in nobody"); /* no such thread */
}

struct loggers {
	int level;
	bool busy;
};

static int busy(struct loggers *l, char **cause)
{
	if (l->busy)
		*cause = strdup("the runtime is busy");
	return l->busy ? -1 : 0;
}

static int list(void *arg, lmca_level_add add, void *ctx, char **cause)
{
	struct loggers *l = arg;

	if (busy(l, cause) < 0)
		return -1;
	add(ctx, "engine", l->level);
	add(ctx, "engine.cache", 0);
	return 0;
}

static int get(void *arg, const char *logger, int *level, char **cause)
{
	(void)logger;
	*level = ((struct loggers *)arg)->level;
	return busy(arg, cause);
}

static int set(void *arg, const char *logger, int level, char **cause)
{
	(void)logger;
	if (busy(arg, cause) < 0)
		return -1;
	((struct loggers *)arg)->level = level;
	return 0;
}

static char *collect(void *arg)
{
	lmca_metric_set(arg, NULL, 42);
	return strdup("# TYPE host_things gauge\nhost_things 7\n");
}

static lmca_agent *start_agent(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_SCHEDULER, -1, 1, NULL);

	lmca_conf_set(a, "internal_api_server_enabled", "true", NULL);
	lmca_conf_set(a, "internal_api_server_port_start", "0", NULL);
	return a;
}

static void test_threads(lmca_agent *a, int port)
{
	char *r = raw_http(port, "GET", "/threads"), *block, *inner, *outer;

	block = strstr(r, "Thread: <Thread(");
	ok(block != NULL, "threads answered");
	inner = strstr(r, "  #0 File \"host.py\", line 7, in inner\n");
	outer = strstr(r, "  #1 File \"host.py\", line 3, in outer\n");
	ok(inner && outer && inner < outer, "the host's frames come first, innermost first");
	ok(strstr(r, "ghost.py") == NULL, "frames of an unknown thread are left out");
	free(r);
	lmca_agent_set_stack_provider(a, NULL, NULL);
	r = raw_http(port, "GET", "/threads");
	ok(strstr(r, "host.py") == NULL, "no provider: native frames only");
	free(r);
}

static void test_loglevel(int port, struct loggers *l)
{
	char *r = raw_http(port, "GET", "/loglevel");

	ok(strstr(r, "=== Loggers and Levels ===\nengine: INFO\nengine.cache: NOTSET\n") != NULL,
	   "the host's loggers with their own levels");
	free(r);
	r = raw_http(port, "GET", "/loglevel?logger_name=engine&level=debug");
	ok(strstr(r, "Set engine level to DEBUG (including all handlers)") && l->level == 10,
	   "set through the host");
	free(r);
	r = raw_http(port, "GET", "/loglevel?logger_name=engine&level=LOUD");
	ok(strstr(r, " 400 ") && strstr(r, "Invalid log level: LOUD") && l->level == 10,
	   "a bad level is refused before the host is asked");
	free(r);
	l->busy = true;
	r = raw_http(port, "GET", "/loglevel?logger_name=engine");
	ok(strstr(r, " 503 ") && strstr(r, "the runtime is busy"), "503 with the host's cause");
	free(r);
}

int main(void)
{
	struct loggers l = { 20, false };
	static const lmca_log_provider provider = { list, get, set };
	lmca_agent *a = start_agent();
	lmca_metric *age = lmca_gauge(a, "host_text_age_seconds", "age", NULL);
	char *r;
	int port;

	no_plan();
	main_tid = (int)syscall(SYS_gettid);
	lmca_agent_set_stack_provider(a, frames, NULL);
	lmca_agent_set_log_provider(a, &provider, &l);
	lmca_agent_set_metrics_collector(a, collect, age);
	ok(lmca_agent_start(a, NULL) == 0, "agent starts");
	port = lmca_agent_bound_port(a);
	test_threads(a, port);
	test_loglevel(port, &l);
	r = raw_http(port, "GET", "/metrics");
	ok(strstr(r, "host_text_age_seconds 42") && strstr(r, "\nhost_things 7\n"),
	   "the collector ran first and its text follows the agent's");
	free(r);
	lmca_agent_set_log_provider(a, NULL, NULL);
	r = raw_http(port, "GET", "/loglevel");
	ok(strstr(r, "root: ") && !strstr(r, "engine.cache"), "NULL: the agent's loggers again");
	free(r);
	lmca_agent_free(a);
	return done_testing();
}
