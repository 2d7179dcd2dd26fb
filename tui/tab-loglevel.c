/* LogLevel: every logger of the selected node and its level; Enter chooses a level for the
 * logger under the cursor and, once confirmed, sets it (GET /loglevel?logger_name&level). */
#include "config.h"
#include "top.h"
#include "agentfmt.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = { "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", NULL };

static json_t *parse(const char *body, size_t len, char **cause)
{
	return agentfmt_loglevels(body, len, cause);
}

static void draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r = { 0 };
	json_t *doc = n ? n->tab[u->tab].doc : NULL, *v;
	const char *name;
	char head[96];

	json_object_foreach(doc, name, v)
		rows_add(&r, C_NORMAL, (void *)name, " %-60s %s", name,
			 json_string_value(v) ? json_string_value(v) : "?");
	snprintf(head, sizeof head, " %-60s %s", "LOGGER", "LEVEL");
	name = tab_rows(u, n, &r, y, h, head);
	ui_set_key(u, name);
	rows_free(&r);
}

static char *query_value(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *r = xstrdup(e ? e : s);

	curl_free(e);
	return r;
}

static void level_chosen(struct ui *u, const char *level)
{
	struct action *a = xcalloc(1, sizeof *a);
	char *logger = query_value(u->edit_key);
	char *q;

	a->node = xstrdup(u->m->selected);
	a->method = xstrdup("GET");
	a->path = xasprintf("/loglevel?logger_name=%s&level=%s", logger, level);
	a->what = xasprintf("%s: %s -> %s", a->node, u->edit_key, level);
	q = xasprintf("Set logger %s on %s to %s?", u->edit_key, a->node, level);
	confirm_action(u, a, q);
	free(q);
	free(logger);
}

static bool on_key(struct ui *u, struct tnode *n, int key)
{
	json_t *cur;
	int pos = 0;

	if (key != '\r' && key != '\n' && key != KEY_ENTER)
		return false;
	if (n == NULL || u->cur_key == NULL)
		return true;
	if (u->o->readonly) {
		model_status(u->m, true, "read-only: log levels cannot be set");
		return true;
	}
	cur = json_object_get(n->tab[u->tab].doc, u->cur_key);
	for (int i = 0; levels[i] != NULL; i++)
		if (json_string_value(cur) && strcmp(levels[i], json_string_value(cur)) == 0)
			pos = i;
	free(u->edit_key);
	u->edit_key = xstrdup(u->cur_key);
	menu_start(u, levels, pos, level_chosen);
	return true;
}

static const struct keybind keys[] = {
	{ "Enter", "choose a level for the logger under the cursor, then confirm with y" },
	{ "/", "filter loggers" },
	{ NULL, NULL },
};

const struct tab tab_loglevel = {
	.name = "LogLevel",
	.key = '4',
	.path = "/loglevel",
	.parse = parse,
	.draw = draw,
	.on_key = on_key,
	.keys = keys,
};
