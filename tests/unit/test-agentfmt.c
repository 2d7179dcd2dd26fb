/* Unit tests for agentfmt's /threads parser on LMCache's Python stacks: frames come out
 * innermost first, one string a frame, as for the agent's native stacks. */
#include "config.h"
#include "agentfmt.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* An LMCache node's /threads text as its router writes it (Thread: <repr>, Stack trace:,
 * traceback.format_stack's two lines a frame, outermost first; blocks joined by blank
 * lines; the summary). Thread ids are Python's 15-digit idents. */
static const char lmcache_text[] =
	"Thread: <_MainThread(MainThread, started 140245378799168)>\n"
	"Stack trace:\n"
	"  File \"/usr/local/bin/vllm\", line 8, in <module>\n"
	"    sys.exit(main())\n"
	"  File \"/usr/lib/python3.12/asyncio/base_events.py\", line 1949, in _run_once\n"
	"    event_list = self._selector.select(timeout)\n"
	"                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^\n"
	"  File \"/usr/lib/python3.12/selectors.py\", line 468, in select\n"
	"    fd_event_list = self._selector.poll(timeout, max_ev)\n"
	"\n\n"
	"Thread: <Thread(lmcache-internal-api-server-thread, started daemon 140241118799552)>\n"
	"Stack trace:\n"
	"  File \"/usr/lib/python3.12/threading.py\", line 1032, in _bootstrap\n"
	"    self._bootstrap_inner()\n"
	"  File \"/usr/lib/python3.12/threading.py\", line 1012, in run\n"
	"    self._target(*self._args, **self._kwargs)\n"
	"  File \"/usr/lib/python3.12/threading.py\", line 359, in wait\n"
	"    waiter.acquire()\n"
	"\n\n"
	"Thread: <Thread(idle, started daemon 140241110406848)>\n"
	"No stack trace available\n"
	"\n\n"
	"=== Thread Summary ===\n"
	"Total threads: 3\n";

static const char *frame(const json_t *threads, size_t t, size_t f)
{
	return json_string_value(json_array_get(
		json_object_get(json_array_get(threads, t), "frames"), f));
}

static void test_python_text(void)
{
	char *cause = NULL;
	json_t *a = agentfmt_threads(lmcache_text, strlen(lmcache_text), &cause), *t;

	is_int(json_array_size(a), 3, "text: three threads");
	t = json_array_get(a, 0);
	ok(json_integer_value(json_object_get(t, "thread_id")) == 140245378799168LL,
	   "text: a 15-digit ident");
	is_int(json_array_size(json_object_get(t, "frames")), 3, "text: one frame per two lines");
	is_str(frame(a, 0, 0),
	       "select (/usr/lib/python3.12/selectors.py:468): "
	       "fd_event_list = self._selector.poll(timeout, max_ev)",
	       "text: the innermost frame first, with its source line");
	is_str(frame(a, 0, 1),
	       "_run_once (/usr/lib/python3.12/asyncio/base_events.py:1949): "
	       "event_list = self._selector.select(timeout)", "text: a caret line left out");
	is_str(frame(a, 0, 2), "<module> (/usr/local/bin/vllm:8): sys.exit(main())",
	       "text: the outermost frame last");
	t = json_array_get(a, 1);
	is_str(json_string_value(json_object_get(t, "name")), "lmcache-internal-api-server-thread",
	       "text: a long name");
	ok(json_integer_value(json_object_get(t, "thread_id")) == 140241118799552LL,
	   "text: the daemon's ident");
	is_str(frame(a, 1, 0), "wait (/usr/lib/python3.12/threading.py:359): waiter.acquire()",
	       "text: the second thread's innermost frame");
	is_int(json_array_size(json_object_get(json_array_get(a, 2), "frames")), 0,
	       "text: no stack, no frames");
	json_decref(a);
}

static void test_python_json(void)
{
	/* LMCache's JSON list: no stack, str(thread) as function_name. */
	const char *lmc = "[{\"thread_id\": 140245378799168, \"name\": \"MainThread\", \"state\": "
			  "\"running\", \"function_name\": \"<_MainThread(MainThread, started "
			  "140245378799168)>\", \"cpu_time\": 0, \"memory_usage\": 0}]";
	/* A list whose frames are format_stack's entries (one string, two lines each). */
	const char *py = "[{\"thread_id\": 1, \"frames\": ["
			 "\"  File \\\"/a.py\\\", line 3, in main\\n    loop()\\n\","
			 "\"  File \\\"/b.py\\\", line 9, in loop\\n    time.sleep(1)\\n\"]}]";
	const char *native = "[{\"thread_id\": 2, \"frames\": [\"epoll_wait+0x5a (libc.so.6)\","
			     " \"main_loop+0x10 (lmcache-frontend)\"]}]";
	char *cause = NULL;
	json_t *a = agentfmt_threads(lmc, strlen(lmc), &cause);

	ok(json_integer_value(json_object_get(json_array_get(a, 0), "thread_id")) ==
		   140245378799168LL, "LMCache JSON: a 15-digit id");
	is_str(frame(a, 0, 0), "<_MainThread(MainThread, started 140245378799168)>",
	       "LMCache JSON: function_name as the only frame, untouched");
	json_decref(a);
	a = agentfmt_threads(py, strlen(py), &cause);
	is_int(json_array_size(json_object_get(json_array_get(a, 0), "frames")), 2,
	       "JSON: two frames");
	is_str(frame(a, 0, 0), "loop (/b.py:9): time.sleep(1)", "JSON: innermost first");
	is_str(frame(a, 0, 1), "main (/a.py:3): loop()", "JSON: outermost last");
	json_decref(a);
	a = agentfmt_threads(native, strlen(native), &cause);
	is_str(frame(a, 0, 0), "epoll_wait+0x5a (libc.so.6)", "native frames keep their order");
	json_decref(a);
}

/* A frame without source (a frozen module) and a head with no ", in " still parse. */
static void test_python_odd(void)
{
	const char *t = "Thread: <Thread(w, started 123456789012345)>\nStack trace:\n"
			"  File \"<frozen runpy>\", line 198, in _run_module_as_main\n"
			"  File \"/x.py\", line 2\n    pass\n";
	char *cause = NULL;
	json_t *a = agentfmt_threads(t, strlen(t), &cause);

	is_str(frame(a, 0, 0), "? (/x.py:2): pass", "a head without a function");
	is_str(frame(a, 0, 1), "_run_module_as_main (<frozen runpy>:198)",
	       "a frame without source");
	json_decref(a);
}

/* `File ", line ...`: the quote after File opens the path, so this is no frame head (the
 * fuzzer's find: the head was taken for one and its path searched past the end). */
static void test_python_quote_only(void)
{
	const char *t = "Thread: <Thread(w, started 1)>\nStack trace:\n"
			"  File \", line 3, in f\n"
			"  File \"/y.py\", line 4, in g\n";
	char *cause = NULL;
	json_t *a = agentfmt_threads(t, strlen(t), &cause);

	ok(a != NULL, "a stack with a quote-only head parses");
	is_str(frame(a, 0, 0), "File \", line 3, in f", "a stack not read as Python's stays as sent");
	json_decref(a);
	free(cause);
}

int main(void)
{
	no_plan();
	test_python_text();
	test_python_json();
	test_python_odd();
	test_python_quote_only();
	return done_testing();
}
