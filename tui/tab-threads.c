/* Threads: every thread of the selected node (id, name, state, CPU use, innermost frame);
 * Enter shows its stack. The tab has views (v cycles them), each a line of views[]: a
 * builder of rows over the node's /threads answer. */
#include "config.h"
#include "top.h"
#include "agentfmt.h"
#include "hot.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *body, size_t len, char **cause)
{
	return agentfmt_threads(body, len, cause);
}

static char *cell(const json_t *v)
{
	return json_is_null(v) || v == NULL ? xstrdup("-") : value_text(v);
}

enum { T_TID, T_NAME, T_STATE, T_PCT, T_CPU, T_TOP, T_N };

/* Sized by content: LMCache's 15-digit thread ids fit. */
static const struct col thread_cols[T_N] = {
	[T_TID] = { "TID", 6, 0, 0, true, true, false },
	[T_NAME] = { "NAME", 8, 32, 0, false, false, false },
	[T_STATE] = { "STATE", 5, 12, 3, false, false, false },
	[T_PCT] = { "CPU%", 5, 0, 1, true, true, true },
	[T_CPU] = { "CPU s", 6, 0, 2, true, true, true },
	[T_TOP] = { "TOP FRAME", 10, 0, 4, false, false, false },
};

static json_t *find_thread(json_t *doc, const char *id, size_t hint);

/* CPU use since the previous answer, as top shows it; NAN when unknown. */
static double cpu_percent(const struct tab_data *d, json_t *t, const char *tid, size_t at)
{
	json_t *old = d->prev ? find_thread(d->prev, tid, at) : NULL;
	double dt = d->when - d->prev_when;
	json_t *a = json_object_get(old, "cpu_time"), *b = json_object_get(t, "cpu_time");

	if (json_is_number(a) && json_is_number(b) && dt > 0 &&
	    json_number_value(b) >= json_number_value(a))
		return (json_number_value(b) - json_number_value(a)) / dt * 100;
	return NAN;
}

/* Thread t, the at-th of the answer. */
static void thread_row(struct rows *r, const struct tab_data *d, json_t *t, size_t at)
{
	json_t *id = json_object_get(t, "thread_id"), *cpu = json_object_get(t, "cpu_time");
	char *tid = cell(id), *txt;
	json_t *frames = json_object_get(t, "frames");
	const char *top = json_string_value(json_array_get(frames, 0));
	double pct = cpu_percent(d, t, tid, at);
	struct row *w = rows_add(r, C_NORMAL, t, 0);
	char num[32] = "";

	rows_cell(w, T_TID, json_is_number(id) ? json_number_value(id) : NAN, "%s", tid);
	rows_cell(w, T_NAME, NAN, "%s", txt = cell(json_object_get(t, "name")));
	free(txt);
	rows_cell(w, T_STATE, NAN, "%s", txt = cell(json_object_get(t, "state")));
	free(txt);
	if (!isnan(pct))
		snprintf(num, sizeof num, "%.1f", pct);
	rows_cell(w, T_PCT, pct, "%s", num);
	rows_cell(w, T_CPU, json_is_number(cpu) ? json_number_value(cpu) : NAN, "%s",
		  txt = cell(cpu));
	free(txt);
	rows_cell(w, T_TOP, NAN, "%s", top ? top : "");
	free(tid);
}

static void threads_build(struct ui *u, struct tnode *n, struct rows *r)
{
	json_t *doc = n ? n->tab[u->tab].doc : NULL, *t;
	size_t i;

	rows_init(r, thread_cols, T_N, "threads");
	json_array_foreach(doc, i, t)
		thread_row(r, &n->tab[u->tab], t, i);
}

enum { H_SELF_PCT, H_SELF, H_TOTAL_PCT, H_FUNC, H_N };

static const struct col hot_cols[H_N] = {
	[H_SELF_PCT] = { "SELF%", 6, 0, 0, true, true, true },
	[H_SELF] = { "SAMPLES", 7, 0, 2, true, true, true },
	[H_TOTAL_PCT] = { "TOTAL%", 6, 0, 1, true, true, true },
	[H_FUNC] = { "FUNCTION", 10, 0, 0, false, false, false },
};

static void hot_row(struct rows *r, json_t *f, long samples)
{
	double self = (double)json_integer_value(json_object_get(f, "self"));
	double total = (double)json_integer_value(json_object_get(f, "total"));
	struct row *w = rows_add(r, C_NORMAL, f, 0);

	rows_cell(w, H_SELF_PCT, self, "%.1f", samples ? 100 * self / samples : 0);
	rows_cell(w, H_SELF, self, "%.0f", self);
	rows_cell(w, H_TOTAL_PCT, total, "%.1f", samples ? 100 * total / samples : 0);
	rows_cell(w, H_FUNC, NAN, "%s", json_str_member(f, "function", "?"));
}

/* One profile per refresh interval (hot.c keeps it within 1..10 s). */
static int hot_seconds(const struct ui *u)
{
	int s = (int)(u->m->interval + 0.5);

	return s < 1 ? 1 : s > 10 ? 10 : s;
}

/* The hot view: the node's hottest functions over the last interval (GET /profile, run by
 * hot.c while this view is drawn), like perf top. */
static void hot_build(struct ui *u, struct tnode *n, struct rows *r)
{
	struct hot_result h;
	size_t i;
	json_t *f;

	rows_init(r, hot_cols, H_N, "functions");
	if (n == NULL)
		return;
	hot_follow(n->id.name, n->id.url, n->id.socket, hot_seconds(u));
	hot_latest(n->id.name, &h);
	if (h.error != NULL)
		rows_head(r, C_BAD, 0, "hot: %s", h.error);
	else if (h.node == NULL)
		rows_head(r, C_DIM, 0, "hot: profiling %s ...", n->id.name);
	else
		rows_head(r, C_DIM, 0, "hot: profile %lu, %ld on-CPU samples over the last %d s",
			  h.seq, h.samples, hot_seconds(u));
	json_array_foreach(h.functions, i, f)
		if (json_integer_value(json_object_get(f, "self")) > 0)
			hot_row(r, f, h.samples);
	hot_result_free(&h);
}

/* The views of the tab; v cycles them. A view builds rows over the /threads answer. */
static const struct view {
	const char *name;
	void (*build)(struct ui *u, struct tnode *n, struct rows *r);
} views[] = {
	{ "threads", threads_build },
	{ "hot", hot_build },
};

static size_t view_at;

static void draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r;
	json_t *t;

	views[view_at].build(u, n, &r);
	t = tab_rows(u, n, &r, y, h);
	ui_set_key(u, NULL);
	if (t != NULL) {
		char *id = cell(json_object_get(t, "thread_id"));

		ui_set_key(u, id);
		free(id);
	}
	rows_free(&r);
}

static bool has_id(json_t *t, const char *id)
{
	char *c = cell(json_object_get(t, "thread_id"));
	bool same = strcmp(c, id) == 0;

	free(c);
	return same;
}

/* The thread of doc whose id reads id, looked for first at index hint: an answer lists the
 * threads in the order of the one before, and a process with a thousand threads made the
 * Threads tab take 130 ms to draw when each row searched the whole previous answer. */
static json_t *find_thread(json_t *doc, const char *id, size_t hint)
{
	size_t i;
	json_t *t = json_array_get(doc, hint);

	if (t != NULL && has_id(t, id))
		return t;
	json_array_foreach(doc, i, t)
		if (has_id(t, id))
			return t;
	return NULL;
}

static void show_stack(struct ui *u, json_t *t)
{
	json_t *frames = json_object_get(t, "frames"), *f;
	size_t n = json_array_size(frames), i;
	char **lines = xcalloc(n + 1, sizeof *lines);
	char *name = cell(json_object_get(t, "name")), *tid = cell(json_object_get(t, "thread_id"));
	char *title = xasprintf("stack of thread %s (%s)", tid, name);

	json_array_foreach(frames, i, f)
		lines[i] = xasprintf("#%-3zu %s", i, json_string_value(f) ? json_string_value(f) : "?");
	if (n == 0)
		lines[n++] = xstrdup("No stack trace available");
	detail_show(u, title, lines, n);
	free(title);
	free(name);
	free(tid);
}

static bool on_key(struct ui *u, struct tnode *n, int key)
{
	json_t *t;

	if (key == 'v') {
		view_at = (view_at + 1) % (sizeof views / sizeof views[0]);
		top_model_status(u->m, false, "Threads: %s view", views[view_at].name);
		return true;
	}
	if (key != '\r' && key != '\n' && key != KEY_ENTER)
		return false;
	if (n == NULL || u->cur_key == NULL)
		return true;
	if ((t = find_thread(n->tab[u->tab].doc, u->cur_key, 0)) != NULL)
		show_stack(u, t);
	return true;
}

static const struct keybind keys[] = {
	{ "Enter", "show the stack of the thread under the cursor" },
	{ "/", "filter threads (name, state, frame)" },
	{ "< >", "sort (CPU%, CPU s, ...)" },
	{ "v", "next view of the threads" },
	{ NULL, NULL },
};

const struct tab tab_threads = {
	.name = "Threads",
	.key = '3',
	.path = "/threads?format=json",
	.fallback_path = "/threads", /* LMCache's text (or JSON): agentfmt reads both */
	.parse = parse,
	.draw = draw,
	.on_key = on_key,
	.keys = keys,
};
