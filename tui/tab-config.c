/* Config: every key of the selected node's /conf; Enter edits the value under the cursor
 * and, once confirmed, POSTs it. The server decides what is mutable: its errors ("Config is
 * not mutable at runtime") appear in the status line. */
#include "config.h"
#include "top.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r = { 0 };
	json_t *doc = n ? n->tab[u->tab].doc : NULL, *v;
	const char *key;
	char head[96];

	json_object_foreach(doc, key, v) {
		char *text = json_to_text(v);

		rows_add(&r, C_NORMAL, (void *)key, " %-44s %s", key, text ? text : "null");
		free(text);
	}
	snprintf(head, sizeof head, " %-44s %s", "KEY", "VALUE");
	key = tab_rows(u, n, &r, y, h, head);
	ui_set_key(u, key);
	rows_free(&r);
}

/* What the user typed as a JSON value: JSON when it parses, else a string. */
static json_t *typed_value(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	return v != NULL ? v : json_string(text);
}

static void value_entered(struct ui *u, const char *text)
{
	struct action *a = xcalloc(1, sizeof *a);
	json_t *body = json_object();
	char *q;

	json_object_set_new(body, u->edit_key, typed_value(text));
	a->node = xstrdup(u->m->selected);
	a->method = xstrdup("POST");
	a->path = xstrdup("/conf");
	a->body = json_to_text(body);
	a->what = xasprintf("%s: %s = %s", a->node, u->edit_key, text);
	q = xasprintf("Set %s = %s on %s?", u->edit_key, text, a->node);
	confirm_action(u, a, q);
	free(q);
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
		model_status(u->m, true, "read-only: configuration cannot be changed");
		return true;
	}
	free(u->edit_key);
	u->edit_key = xstrdup(u->cur_key);
	cur = json_to_text(json_object_get(n->tab[u->tab].doc, u->cur_key));
	snprintf(label, sizeof label, "%s = ", u->edit_key);
	prompt_start(u, label, cur ? cur : "", value_entered);
	free(cur);
	return true;
}

static const struct keybind keys[] = {
	{ "Enter e", "edit the value under the cursor (JSON; plain text is a string), confirm with y" },
	{ "/", "filter keys" },
	{ NULL, NULL },
};

const struct tab tab_config = {
	.name = "Config",
	.key = '5',
	.path = "/conf",
	.parse = parse_json_doc,
	.draw = draw,
	.on_key = on_key,
	.keys = keys,
};
