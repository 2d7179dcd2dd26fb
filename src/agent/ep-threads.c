/* GET /threads: every thread of the process with its real call stack. Text as LMCache
 * serves it by default; ?format=json (extension) gives
 * [{"thread_id", "name", "state", "cpu_time", "function_name", "frames"}]. Filters: name
 * (case-insensitive substring) and thread_id. */
#include "config.h"
#include "host-hooks.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void render_text(struct buf *b, const struct thread_info *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			buf_puts(b, "\n\n");
		buf_printf(b, "Thread: <Thread(%s, %s, tid %d, cpu %.2fs)>\n", t[i].name, t[i].state,
		           t[i].tid, t[i].cpu_time);
		if (t[i].frames == NULL || t[i].frames[0] == NULL) {
			buf_puts(b, "No stack trace available\n");
			continue;
		}
		buf_puts(b, "Stack trace:\n");
		for (char **f = t[i].frames; *f; f++)
			buf_printf(b, "  #%d %s\n", (int)(f - t[i].frames), *f);
	}
	buf_printf(b, "\n\n=== Thread Summary ===\nTotal threads: %zu\n", n);
}

static json_t *thread_json(const struct thread_info *t)
{
	json_t *frames = json_array();

	for (char **f = t->frames; f && *f; f++)
		json_array_append_new(frames, json_string(*f));
	return json_pack("{s:i, s:s, s:s, s:f, s:s?, s:o}", "thread_id", t->tid, "name", t->name,
	                 "state", t->state, "cpu_time", t->cpu_time, "function_name",
	                 t->frames && t->frames[0] ? t->frames[0] : NULL, "frames", frames);
}

/* thread_id as LMCache's FastAPI parameter (Optional[int]): absent or 0 means no filter; an
 * integer that names no thread of ours (negative, too big) matches none (-1); anything
 * else is not an integer (-1 returned). */
static int parse_tid(const char *text, int *tid)
{
	char *end;
	long long v;

	*tid = 0;
	if (text == NULL || *text == '\0')
		return 0;
	errno = 0;
	v = strtoll(text, &end, 10);
	while (*end == ' ' || *end == '\t')
		end++;
	if (end == text || *end != '\0')
		return -1;
	*tid = errno == 0 && v >= 0 && v <= 0x7fffffff ? (int)v : -1;
	return 0;
}

/* FastAPI's answer to a query parameter that is not an integer (docs/protocol.md 3.1). */
static void respond_not_integer(lmca_response *res, const char *param)
{
	json_t *o = json_pack("{s:[{s:[s,s], s:s, s:s}]}", "detail", "loc", "query", param,
	                      "msg", "value is not a valid integer", "type", "type_error.integer");

	respond_json(res, 422, NULL, o, 0);
	json_decref(o);
}

static void get_threads(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	const char *format = lmca_request_arg(req, "format"), *name = lmca_request_arg(req, "name");
	struct thread_info *threads;
	size_t n;
	int tid;

	if (parse_tid(lmca_request_arg(req, "thread_id"), &tid) < 0) {
		respond_not_integer(res, "thread_id");
		return;
	}
	threads = stacks_collect(server_stack_signal(agent), name && *name ? name : NULL, tid, &n);
	host_stacks_add(agent, threads, n);
	if (format != NULL && strcmp(format, "json") == 0) {
		json_t *list = json_array();

		for (size_t i = 0; i < n; i++)
			json_array_append_new(list, thread_json(&threads[i]));
		respond_json(res, 200, NULL, list, 2);
		json_decref(list);
	} else {
		struct buf b = BUF_INIT;

		render_text(&b, threads, n);
		respond_owned(res, 200, NULL, buf_steal(&b));
	}
	stacks_free(threads, n);
}

static const struct endpoint endpoints[] = {
	{ "GET", "/threads", get_threads, SRV_ROLE_VIEWER, NULL },
	{ 0 },
};

const struct endpoint_family ep_threads = { "threads", endpoints };
