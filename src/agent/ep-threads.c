/* GET /threads: every thread of the process with its real call stack. Text as LMCache
 * serves it by default; ?format=json (extension) gives
 * [{"thread_id", "name", "state", "cpu_time", "function_name", "frames"}]. Filters: name
 * (case-insensitive substring) and thread_id. */
#include "config.h"
#include "host-hooks.h"
#include "buf.h"
#include "xalloc.h"

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

static int parse_tid(const char *text, int *tid)
{
	char *end;
	long v;

	*tid = 0;
	if (text == NULL || *text == '\0')
		return 0;
	v = strtol(text, &end, 10);
	if (*end != '\0' || v < 0 || v > 0x7fffffff)
		return -1;
	*tid = (int)v;
	return 0;
}

static void get_threads(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	const char *format = lmca_request_arg(req, "format"), *name = lmca_request_arg(req, "name");
	struct thread_info *threads;
	size_t n;
	int tid;

	if (parse_tid(lmca_request_arg(req, "thread_id"), &tid) < 0) {
		lmca_respond_error(res, 400, "Bad Request", "thread_id must be a thread id number");
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
	{ "GET", "/threads", get_threads, SRV_ROLE_VIEWER },
	{ 0 },
};

const struct endpoint_family ep_threads = { "threads", endpoints };
