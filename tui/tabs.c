/* What several tabs share: the node line, JSON documents as rows, the selection. The tabs
 * themselves are reached through u->tabs (tab-table.c), so nothing here depends on them. */
#include "config.h"
#include "top.h"
#include "buf.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void node_state_text(const struct model *m, const struct tnode *n, char *buf, size_t len)
{
	const char *st = node_state_name(m, n);
	double age = node_age(n);

	if (strcmp(st, "up") == 0 || strcmp(st, "...") == 0 || isnan(age))
		snprintf(buf, len, "%s", st);
	else if (age < 120)
		snprintf(buf, len, "%s %.0fs", st, age);
	else if (age < 7200)
		snprintf(buf, len, "%s %.0fm", st, age / 60);
	else
		snprintf(buf, len, "%s %.0fh", st, age / 3600);
}

bool node_is_old(const struct model *m, const struct tnode *n)
{
	const char *st = node_state_name(m, n);

	return strcmp(st, "down") == 0 || strcmp(st, "gone") == 0;
}

enum pair state_color(const char *s)
{
	return strcmp(s, "up") == 0 ? C_OK : strcmp(s, "stale") == 0 ? C_WARN
		: strcmp(s, "...") == 0 ? C_DIM : C_BAD;
}

/* The state first, so a narrow screen cuts the frontend, not the state. */
int node_header(struct ui *u, struct tnode *n, int y)
{
	char st[32];
	struct buf b = BUF_INIT;

	node_state_text(u->m, n, st, sizeof st);
	put_line(y, C_NORMAL, " node ");
	text_fit(&b, n->id.name, 48, false);
	put_attr(y, 6, C_NORMAL, true, "%s", str_trim(b.data));
	put_attr(y, getcurx(stdscr) + 2, state_color(node_state_name(u->m, n)), true, "%s", st);
	buf_reset(&b);
	buf_printf(&b, "  %s  via %s%s%s", *n->id.role ? n->id.role : "-",
		   *n->id.frontend ? n->id.frontend : "direct", n->error ? "  " : "",
		   n->error ? n->error : "");
	put_attr(y, getcurx(stdscr), n->error ? C_BAD : C_NORMAL, false, "%s", b.data);
	buf_free(&b);
	return 1;
}

void *tab_rows(struct ui *u, struct tnode *n, struct rows *r, int y, int h)
{
	const struct tab_data *d;
	int used;

	if (n == NULL) {
		put_line(y, C_DIM, " no node selected (the registry lists none yet)");
		return NULL;
	}
	used = node_header(u, n, y);
	r->old = node_is_old(u->m, n);
	d = &n->tab[u->tab];
	if (d->error != NULL) {
		if (d->doc != NULL)
			put_line(y + used, C_BAD, " %s: %s (showing the answer of %.0fs ago)",
				 u->tabs[u->tab]->name, d->error, now_mono() - d->when);
		else
			put_line(y + used, C_BAD, " %s: %s", u->tabs[u->tab]->name, d->error);
		used++;
	} else if (d->doc == NULL && u->tabs[u->tab]->path != NULL) {
		put_line(y + used, C_DIM, " waiting for %s ...", u->tabs[u->tab]->path);
		used++;
	}
	return rows_show(u, r, y + used, h - used);
}

/* Reals as Python writes them (5.0, 0.9); Infinity and NaN arrive as strings from the
 * lenient parser and show as sent; objects and arrays as JSON with short reals. */
char *value_text(const json_t *v)
{
	char num[STR_DOUBLE_SIZE];

	if (v == NULL || json_is_null(v))
		return xstrdup("null");
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_real(v))
		return xstrdup(str_double(json_real_value(v), num));
	return json_dumps_shortest(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

static void rows_json_at(struct rows *r, const json_t *v, const char *prefix, int depth)
{
	const char *k;
	json_t *x;

	if (json_is_object(v) && depth < 4 && json_object_size(v) > 0) {
		if (*prefix)
			rows_head(r, C_HEAD, depth - 1, "%s", prefix);
		json_object_foreach((json_t *)v, k, x) {
			char *p = *prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);

			rows_json_at(r, x, p, depth + 1);
			free(p);
		}
		return;
	}
	char *text = value_text(v);
	/* under the header of its object (depth - 1), top-level fields at 0 */
	struct row *w = rows_add(r, C_NORMAL, (void *)v, depth > 0 ? depth - 1 : 0);

	rows_cell(w, 0, NAN, "%s", prefix);
	rows_cell(w, 1, NAN, "%s", text);
	free(text);
}

void rows_json(struct rows *r, const json_t *v, const char *prefix)
{
	rows_json_at(r, v, prefix, 0);
}

static const struct col field_cols[] = {
	{ "FIELD", 12, 48, 0, false, false, false },
	{ "VALUE", 8, 0, 0, false, false, false },
};

void tab_json_draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r;

	rows_init(&r, field_cols, 2, "fields");
	if (n != NULL && n->tab[u->tab].doc != NULL)
		rows_json(&r, n->tab[u->tab].doc, "");
	tab_rows(u, n, &r, y, h);
	rows_free(&r);
}

bool tab_no_key(struct ui *u, struct tnode *n, int key)
{
	(void)u;
	(void)n;
	(void)key;
	return false;
}

void ui_set_key(struct ui *u, const char *key)
{
	if (key != NULL && u->cur_key != NULL && strcmp(key, u->cur_key) == 0)
		return;
	free(u->cur_key);
	u->cur_key = key ? xstrdup(key) : NULL;
}

struct tnode *ui_selected(const struct ui *u)
{
	struct model *m = u->m;

	return m->selected ? top_model_find(m, m->selected) : NULL;
}

void ui_fix_selection(struct ui *u)
{
	struct model *m = u->m;

	if (ui_selected(u) == NULL && m->nnodes > 0) {
		free(m->selected);
		m->selected = xstrdup(m->nodes[0].id.name);
	}
}

void ui_select(struct ui *u, const char *name)
{
	struct model *m = u->m;

	if (m->selected != NULL && strcmp(m->selected, name) == 0)
		return;
	free(m->selected);
	m->selected = xstrdup(name);
	u->follow = true;
	m->refresh_now = true;
	pthread_cond_signal(&m->wake);
}

void ui_show_tab(struct ui *u, int t)
{
	u->tab = (t + u->ntabs) % u->ntabs;
	u->back_tab = -1;
	u->m->tab = u->tab;
	u->m->refresh_now = true;
	pthread_cond_signal(&u->m->wake);
}
