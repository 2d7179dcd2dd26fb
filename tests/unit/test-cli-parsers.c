/* The listing and agent format parsers in libcommon that lmcctl reads the cluster with:
 * registry listings, /api/nodes in both shapes, node names, /version, /loglevel, /threads
 * in all three formats. */
#include "config.h"
#include "agentfmt.h"
#include "nodelist.h"
#include "strutil.h"
#include "tap.h"

#include <stdlib.h>

static json_t *J(const char *text)
{
	return json_loads(text, JSON_DECODE_ANY, NULL);
}

static void test_infos_url(void)
{
	char *u;

	is_str(u = nodelist_infos_url("http://r:5000"), "http://r:5000/lmcache_infos", "base URL");
	free(u);
	is_str(u = nodelist_infos_url("http://r:5000/"), "http://r:5000/lmcache_infos", "trailing /");
	free(u);
	is_str(u = nodelist_infos_url("http://r/lmcache_infos?minute=5"),
	       "http://r/lmcache_infos?minute=5", "full URL kept, query and all");
	free(u);
}

static void test_frontends(void)
{
	json_t *doc = J("{\"processCount\": 3, \"processInfos\": {"
			"\"http://a:8000\": {\"count\": 1, \"lmCacheInfoEntities\": ["
			"  {\"apiAddress\": \"http://a:8000/\", \"pid\": 1}]},"
			"\"http://b:8000\": {\"count\": 2, \"lmCacheInfoEntities\": ["
			"  {\"apiAddress\": \"http://b:8000\"}, {\"apiAddress\": \"http://a:8000\"},"
			"  {\"pid\": 3}]}}}");
	char *cause = NULL, **fe;
	size_t n;

	fe = nodelist_frontends(doc, &n, &cause);
	is_int(n, 2, "two distinct frontends");
	is_str(fe[0], "http://a:8000", "first, without trailing /");
	is_str(fe[1], "http://b:8000", "second");
	ok(fe[2] == NULL, "NULL-terminated");
	str_list_free(fe);
	json_decref(doc);
	doc = J("{\"status\": \"ok\"}");
	ok(nodelist_frontends(doc, &n, &cause) == NULL, "not a listing");
	ok(cause != NULL, "with a cause");
	free(cause);
	json_decref(doc);
}

static void test_api_nodes(void)
{
	json_t *doc = J("{\"nodes\": [{\"id\": \"proxy_0\", \"name\": \"fe1\", \"host\": \"h\","
			" \"port\": 8000, \"is_proxy\": true, \"children\": ["
			"  {\"name\": \"i_scheduler\", \"host\": \"localhost\", \"port\": \"/s/x_6999\"},"
			"  {\"name\": \"fe9\", \"host\": \"o\", \"port\": 8000, \"is_proxy\": true}]}]}");
	struct nl_entry *e;
	char *cause = NULL;
	size_t n;

	e = nodelist_parse_api_nodes(doc, &n, &cause);
	is_int(n, 2, "children of the proxy");
	is_str(e[0].name, "i_scheduler", "leaf name");
	is_str(e[0].port, "/s/x_6999", "socket port kept as text");
	is_str(e[0].proxy, "fe1", "listed under its proxy");
	ok(!e[0].is_proxy, "a leaf");
	ok(e[1].is_proxy, "a frontend listed as a node");
	is_str(e[1].port, "8000", "int port as text");
	nodelist_entries_free(e, n);
	json_decref(doc);
	doc = J("{\"nodes\": [{\"name\": \"mp1\", \"host\": \"h\", \"port\": 8085}]}");
	e = nodelist_parse_api_nodes(doc, &n, &cause);
	is_int(n, 1, "LMCache's flat list");
	ok(e[0].proxy == NULL && !e[0].is_proxy, "a leaf without proxy");
	nodelist_entries_free(e, n);
	json_decref(doc);
	doc = J("[1]");
	ok(nodelist_parse_api_nodes(doc, &n, &cause) == NULL && cause != NULL, "not a node list");
	free(cause);
	json_decref(doc);
}

static void name_role(const char *name, const char *inst, const char *role, bool want)
{
	char *i, *r;

	is_int(nodelist_name_role(name, &i, &r), want, name);
	is_str(i, inst, "instance");
	is_str(r, role, "role");
	free(i);
	free(r);
}

static void test_names(void)
{
	name_role("lmcache_default_instance_scheduler", "lmcache_default_instance", "scheduler", true);
	name_role("inst1_worker12", "inst1", "worker", true);
	name_role("inst1_workerX", "", "", false);
	name_role("_scheduler", "", "", false);
	name_role("/tmp/sock_7000", "", "", false);
}

static void test_version(void)
{
	char *v;

	is_str(v = agentfmt_version("\"0.3.9-abc\"", 11), "0.3.9-abc", "quoted JSON string");
	free(v);
	is_str(v = agentfmt_version(" 0.3.9\n", 7), "0.3.9", "plain text, trimmed");
	free(v);
}

static void test_loglevels(void)
{
	const char *t = "=== Loggers and Levels ===\nroot: WARNING\nlmcache.v1: DEBUG\r\n";
	char *cause = NULL;
	json_t *o = agentfmt_loglevels(t, strlen(t), &cause);

	is_int(json_object_size(o), 2, "two loggers");
	is_str(json_string_value(json_object_get(o, "lmcache.v1")), "DEBUG", "level, CR dropped");
	json_decref(o);
	o = agentfmt_loglevels("lmcache: INFO", 13, &cause);
	is_str(json_string_value(json_object_get(o, "lmcache")), "INFO", "the one-logger form");
	json_decref(o);
	ok(agentfmt_loglevels("Internal Server Error", 21, &cause) == NULL, "no logger line");
	free(cause);
}

/* Python's text dump (LMCache's /threads) and our own thread lines in it. */
static void test_threads_text(void)
{
	const char *text = "Thread: <_MainThread(MainThread, started 140)>\nStack trace:\n"
			   "  File \"a.py\", line 1, in <module>\n  run()\n\n"
			   "Thread: <Thread(lmc-io, sleeping, tid 7, cpu 0.10s)>\nNo stack trace available\n\n"
			   "\n=== Thread Summary ===\nTotal threads: 2\n";
	char *cause = NULL;
	json_t *a = agentfmt_threads(text, strlen(text), &cause), *t;

	is_int(json_array_size(a), 2, "text: two threads");
	t = json_array_get(a, 0);
	is_str(json_string_value(json_object_get(t, "name")), "MainThread", "text: name");
	is_int(json_array_size(json_object_get(t, "frames")), 1, "text: one Python frame");
	is_int(json_integer_value(json_object_get(t, "thread_id")), 140, "text: Python's ident");
	is_str(json_string_value(json_object_get(t, "state")), "started", "text: Python's status");
	t = json_array_get(a, 1);
	is_str(json_string_value(json_object_get(t, "name")), "lmc-io", "ours: name");
	is_str(json_string_value(json_object_get(t, "state")), "sleeping", "ours: state");
	is_int(json_integer_value(json_object_get(t, "thread_id")), 7, "ours: tid");
	ok(json_real_value(json_object_get(t, "cpu_time")) == 0.1, "ours: cpu");
	is_int(json_array_size(json_object_get(json_array_get(a, 1), "frames")), 0, "no stack");
	json_decref(a);
	text = "Thread: <Thread(Thread-1 (worker), started daemon 1403)>\nNo stack trace available\n";
	a = agentfmt_threads(text, strlen(text), &cause);
	t = json_array_get(a, 0);
	is_str(json_string_value(json_object_get(t, "name")), "Thread-1 (worker)", "a name with parens");
	is_str(json_string_value(json_object_get(t, "state")), "started daemon", "daemon status");
	is_int(json_integer_value(json_object_get(t, "thread_id")), 1403, "its ident");
	json_decref(a);
}

/* The JSON forms: LMCache's and ours with frames; anything else is refused. */
static void test_threads_json(void)
{
	const char *lmc_json = "[{\"thread_id\": 5, \"name\": \"w\", \"state\": \"running\","
			       " \"function_name\": \"loop\", \"cpu_time\": 1.5, \"memory_usage\": 3}]";
	const char *ours = "[{\"thread_id\": 9, \"name\": \"x\", \"state\": \"S\", \"cpu_time\": 0,"
			   " \"frames\": [\"#0 f\", \"#1 g\"]}]";
	char *cause = NULL;
	json_t *a = agentfmt_threads(lmc_json, strlen(lmc_json), &cause), *t;

	t = json_array_get(a, 0);
	is_int(json_integer_value(json_object_get(t, "thread_id")), 5, "LMCache JSON: id");
	is_str(json_string_value(json_array_get(json_object_get(t, "frames"), 0)), "loop",
	       "LMCache JSON: function_name as the frame");
	json_decref(a);
	a = agentfmt_threads(ours, strlen(ours), &cause);
	is_int(json_array_size(json_object_get(json_array_get(a, 0), "frames")), 2, "ours: frames");
	json_decref(a);
	ok(agentfmt_threads("garbage", 7, &cause) == NULL && cause != NULL, "not a thread dump");
	free(cause);
}

int main(void)
{
	no_plan();
	test_infos_url();
	test_frontends();
	test_api_nodes();
	test_names();
	test_version();
	test_loglevels();
	test_threads_text();
	test_threads_json();
	return done_testing();
}
