/* LogLevel: every logger of the selected node and its level. Enter chooses a level for the
 * logger under the cursor, s for a typed name or glob; a name sets every logger under it
 * too (LMCache's per-module loggers do not propagate, so a parent alone changes nothing
 * there). The request goes to every marked node (else the selected one) after one
 * confirmation listing current -> new per node and logger: GET /loglevel?logger_name&level. */
#include "config.h"
#include "top.h"
#include "agentfmt.h"
#include "strutil.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <curses.h>
#include <fnmatch.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = { "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NOTSET",
				      NULL };

static json_t *parse(const char *body, size_t len, char **cause)
{
	return agentfmt_loglevels(body, len, cause);
}

enum { L_NAME, L_LEVEL, L_N };

static const struct col cols[L_N] = {
	[L_NAME] = { "LOGGER", 16, 0, 0, false, false, false },
	[L_LEVEL] = { "LEVEL", 8, 0, 0, false, false, false },
};

static void draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r;
	json_t *doc = n ? n->tab[u->tab].doc : NULL, *v;
	const char *name;

	rows_init(&r, cols, L_N, "loggers");
	json_object_foreach(doc, name, v) {
		struct row *w = rows_add(&r, C_NORMAL, (void *)name, 0);

		rows_cell(w, L_NAME, NAN, "%s", name);
		rows_cell(w, L_LEVEL, NAN, "%s", json_string_value(v) ? json_string_value(v) : "?");
	}
	name = tab_rows(u, n, &r, y, h);
	ui_set_key(u, name);
	rows_free(&r);
}

/* The logger itself, those under it (a.b.c under a.b), or those matching a glob. */
static bool covers(const char *pattern, const char *name)
{
	size_t n = strlen(pattern);

	if (strpbrk(pattern, "*?[") != NULL)
		return fnmatch(pattern, name, 0) == 0;
	return strcmp(pattern, name) == 0 || strcmp(pattern, "root") == 0 ||
	       (strncmp(pattern, name, n) == 0 && name[n] == '.');
}

static struct action *level_action(const char *node, const char *logger, const char *level)
{
	char *q = str_percent_encode(logger, "");
	struct action *a = action_new(node, "GET",
				      xasprintf("/loglevel?logger_name=%s&level=%s", q, level), NULL,
				      xasprintf("%s: %s -> %s", node, logger, level));

	free(q);
	return a;
}

/* Appends the requests for one node; its loggers as last answered. */
static void node_actions(struct ui *u, struct tnode *n, const char *level, struct action ***tail,
			 char ***lines, size_t *nl, const char **one)
{
	const json_t *doc = n->tab[u->tab].doc, *v;
	const char *name;

	json_object_foreach((json_t *)doc, name, v) {
		if (!covers(u->edit_key, name))
			continue;
		*one = name;
		**tail = level_action(n->id.name, name, level);
		*tail = &(**tail)->next;
		*lines = xreallocarray(*lines, *nl + 1, sizeof **lines);
		(*lines)[(*nl)++] = xasprintf("%s  %s  %s -> %s", n->id.name, name,
					      json_string_value(v) ? json_string_value(v) : "?",
					      level);
	}
}

static void level_chosen(struct ui *u, const char *level)
{
	size_t nt, nl = 0;
	struct tnode **t = action_targets(u, &nt);
	struct action *first = NULL, **tail = &first;
	char **lines = NULL, *q;
	const char *one = NULL;

	for (size_t i = 0; i < nt; i++)
		node_actions(u, t[i], level, &tail, &lines, &nl, &one);
	if (first == NULL) {
		top_model_status(u->m, true, "no logger matches %s on %zu node%s", u->edit_key, nt,
			     nt == 1 ? "" : "s");
	} else {
		q = nl == 1 ? xasprintf("Set logger %s on %s to %s?", one, first->node, level)
			    : xasprintf("Set %zu loggers (%s) on %zu node%s to %s?", nl, u->edit_key,
					nt, nt == 1 ? "" : "s", level);
		confirm_action(u, first, q, lines, nl > 1 ? nl : 0);
		if (nl == 1)
			free(lines[0]);
		free(q);
	}
	free(lines);
	free(t);
}

static void choose_level(struct ui *u, const char *pattern, const char *current)
{
	int pos = 0;
	char *title;

	for (int i = 0; levels[i] != NULL; i++)
		if (current != NULL && strcmp(levels[i], current) == 0)
			pos = i;
	free(u->edit_key);
	u->edit_key = xstrdup(pattern);
	title = xasprintf("level of %s", pattern);
	menu_start(u, title, levels, pos, level_chosen);
	free(title);
}

static void pattern_typed(struct ui *u, const char *text)
{
	if (*text)
		choose_level(u, text, NULL);
}

static bool on_key(struct ui *u, struct tnode *n, int key)
{
	bool enter = key == '\r' || key == '\n' || key == KEY_ENTER;

	if (!enter && key != 's')
		return false;
	if (n == NULL || (enter && u->cur_key == NULL))
		return true;
	if (u->o->readonly) {
		top_model_status(u->m, true, "read-only: log levels cannot be set");
		return true;
	}
	if (key == 's')
		prompt_start(u, "logger name or glob (a name covers the loggers under it): ", "",
			     pattern_typed);
	else
		choose_level(u, u->cur_key, json_string_value(json_object_get(n->tab[u->tab].doc,
									       u->cur_key)));
	return true;
}

static const struct keybind keys[] = {
	{ "Enter", "set the level of the logger under the cursor and the loggers under it" },
	{ "s", "set the level of a typed logger name or glob (lmcache, lmcache.v1.*)" },
	{ "", "marked nodes (Overview, Space) all get it, after one confirmation" },
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
