/* Config: every key of the selected node's /conf; Enter edits the value under the cursor
 * and, once confirmed, POSTs it. The server decides what is mutable: its errors ("Config is
 * not mutable at runtime") appear in the status line. */
#include "config.h"
#include "top.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_KEY, K_VALUE, K_N };

static const struct col cols[K_N] = {
	[K_KEY] = { "KEY", 16, 48, 0, false, false, false },
	[K_VALUE] = { "VALUE", 10, 0, 0, false, false, false },
};

static void draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r;
	json_t *doc = n ? n->tab[u->tab].doc : NULL, *v;
	const char *key;

	rows_init(&r, cols, K_N, "keys");
	json_object_foreach(doc, key, v) {
		char *text = value_text(v);
		struct row *w = rows_add(&r, C_NORMAL, (void *)key, 0);

		rows_cell(w, K_KEY, NAN, "%s", key);
		rows_cell(w, K_VALUE, NAN, "%s", text);
		free(text);
	}
	key = tab_rows(u, n, &r, y, h);
	ui_set_key(u, key);
	rows_free(&r);
}

/* What the user typed as a JSON value: JSON when it parses, else a string. */
static json_t *typed_value(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	return v != NULL ? v : json_string(text);
}

/* One POST /conf per target node, one confirmation listing current -> new for each. */
static void value_entered(struct ui *u, const char *text)
{
	size_t nt;
	struct tnode **t = action_targets(u, &nt);
	struct action *first = NULL, **tail = &first;
	char **lines = xcalloc(nt + 1, sizeof *lines), *q;
	json_t *body = json_object();

	json_object_set_new(body, u->edit_key, typed_value(text));
	for (size_t i = 0; i < nt; i++) {
		char *cur = value_text(json_object_get(t[i]->tab[u->tab].doc, u->edit_key));

		*tail = action_new(t[i]->id.name, "POST", xstrdup("/conf"), json_to_text(body),
				   xasprintf("%s: %s = %s", t[i]->id.name, u->edit_key, text));
		tail = &(*tail)->next;
		lines[i] = xasprintf("%s  %s  %s -> %s", t[i]->id.name, u->edit_key, cur, text);
		free(cur);
	}
	q = nt == 1 ? xasprintf("Set %s = %s on %s?", u->edit_key, text, first->node)
		    : xasprintf("Set %s = %s on %zu nodes?", u->edit_key, text, nt);
	confirm_action(u, first, q, lines, nt > 1 ? nt : 0);
	if (nt == 1)
		free(lines[0]);
	free(lines);
	free(q);
	free(t);
	json_decref(body);
}

static bool on_key(struct ui *u, struct tnode *n, int key)
{
	static char label[128];
	char *cur;

	if (key != '\r' && key != '\n' && key != KEY_ENTER && key != 'e')
		return false;
	if (n == NULL || u->cur_key == NULL)
		return true;
	if (u->o->readonly) {
		top_model_status(u->m, true, "read-only: configuration cannot be changed");
		return true;
	}
	free(u->edit_key);
	u->edit_key = xstrdup(u->cur_key);
	cur = value_text(json_object_get(n->tab[u->tab].doc, u->cur_key));
	snprintf(label, sizeof label, "%.100s = ", u->edit_key);
	prompt_start(u, label, cur, value_entered);
	free(cur);
	return true;
}

static const struct keybind keys[] = {
	{ "Enter e", "edit the value under the cursor (JSON; plain text is a string), confirm with y" },
	{ "", "marked nodes (Overview, Space) all get it, after one confirmation" },
	{ "/", "filter keys" },
	{ NULL, NULL },
};

const struct tab tab_config = {
	.name = "Config",
	.key = '5',
	.path = "/conf",
	.parse = json_parse_lenient,
	.draw = draw,
	.on_key = on_key,
	.keys = keys,
};
