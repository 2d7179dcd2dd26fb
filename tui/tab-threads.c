/* Threads: every thread of the selected node (name, state, cpu); Enter shows its stack. */
#include "config.h"
#include "top.h"
#include "agentfmt.h"
#include "xalloc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *body, size_t len, char **cause)
{
	return agentfmt_threads(body, len, cause);
}

static char *cell(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (json_is_real(v))
		return xasprintf("%.2f", json_real_value(v));
	return xstrdup("-");
}

static json_t *find_thread(json_t *doc, const char *id);

/* CPU use since the previous answer, as top shows it; "" when unknown. */
static void cpu_percent(const struct tab_data *d, json_t *t, const char *tid, char *buf,
			size_t len)
{
	json_t *old = d->prev ? find_thread(d->prev, tid) : NULL;
	double dt = d->when - d->prev_when;
	json_t *a = json_object_get(old, "cpu_time"), *b = json_object_get(t, "cpu_time");

	*buf = '\0';
	if (json_is_number(a) && json_is_number(b) && dt > 0 &&
	    json_number_value(b) >= json_number_value(a))
		snprintf(buf, len, "%.1f", (json_number_value(b) - json_number_value(a)) / dt * 100);
}

static void thread_row(struct rows *r, const struct tab_data *d, json_t *t)
{
	char *tid = cell(json_object_get(t, "thread_id"));
	char *state = cell(json_object_get(t, "state"));
	char *cpu = cell(json_object_get(t, "cpu_time"));
	char *name = cell(json_object_get(t, "name"));
	json_t *frames = json_object_get(t, "frames");
	const char *top = json_string_value(json_array_get(frames, 0));
	char pct[16];

	cpu_percent(d, t, tid, pct, sizeof pct);
	rows_add(r, C_NORMAL, t, " %-10s %-28s %-10s %6s %9s  %s", tid, name, state, pct, cpu,
		 top ? top : "");
	free(tid);
	free(state);
	free(cpu);
	free(name);
}

static void draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r = { 0 };
	json_t *doc = n ? n->tab[u->tab].doc : NULL, *t;
	size_t i;
	char head[128];

	json_array_foreach(doc, i, t)
		thread_row(&r, &n->tab[u->tab], t);
	snprintf(head, sizeof head, " %-10s %-28s %-10s %6s %9s  %s", "TID", "NAME", "STATE",
		 "CPU%", "CPU s", "TOP FRAME");
	t = tab_rows(u, n, &r, y, h, head);
	ui_set_key(u, NULL);
	if (t != NULL) {
		char *id = cell(json_object_get(t, "thread_id"));

		ui_set_key(u, id);
		free(id);
	}
	rows_free(&r);
}

static json_t *find_thread(json_t *doc, const char *id)
{
	size_t i;
	json_t *t;

	json_array_foreach(doc, i, t) {
		char *c = cell(json_object_get(t, "thread_id"));
		bool same = strcmp(c, id) == 0;

		free(c);
		if (same)
			return t;
	}
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

	if (key != '\r' && key != '\n' && key != KEY_ENTER)
		return false;
	if (n == NULL || u->cur_key == NULL)
		return true;
	if ((t = find_thread(n->tab[u->tab].doc, u->cur_key)) != NULL)
		show_stack(u, t);
	return true;
}

static const struct keybind keys[] = {
	{ "Enter", "show the stack of the thread under the cursor" },
	{ "/", "filter threads (name, state, frame)" },
	{ NULL, NULL },
};

const struct tab tab_threads = {
	.name = "Threads",
	.key = '3',
	.path = "/threads?format=json",
	.parse = parse,
	.draw = draw,
	.on_key = on_key,
	.keys = keys,
};
