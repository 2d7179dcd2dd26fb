/* The tab table, and what several tabs share: the node line and JSON documents as rows. */
#include "config.h"
#include "top.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const struct tab *const tab_table[NTABS] = {
	&tab_overview, &tab_metrics, &tab_threads, &tab_loglevel, &tab_config, &tab_meta,
	&tab_inference,
};

const char *node_state_name(const struct model *m, const struct tnode *n)
{
	if (!n->listed)
		return "gone";
	if (n->state == NS_DOWN)
		return "down";
	if (n->state == NS_UNKNOWN)
		return "...";
	/* no answer for a few intervals: the collector is stuck on it */
	if (now_mono() - n->last_ok > 2.5 * m->interval + 1.0 && !m->paused)
		return "stale";
	return "up";
}

static enum pair state_color(const char *s)
{
	return strcmp(s, "up") == 0 ? C_OK : strcmp(s, "stale") == 0 ? C_WARN
		: strcmp(s, "...") == 0 ? C_DIM : C_BAD;
}

int node_header(struct ui *u, struct tnode *n, int y)
{
	const char *st = node_state_name(u->m, n);

	put_line(y, C_NORMAL, " node %s  %s  via %s", n->id.name, *n->id.role ? n->id.role : "-",
		 *n->id.frontend ? n->id.frontend : "direct");
	put_attr(y, getcurx(stdscr) + 2, state_color(st), true, "%s", st);
	if (n->error != NULL)
		put_attr(y, getcurx(stdscr) + 2, C_BAD, false, "(%s)", n->error);
	return 1;
}

void *tab_rows(struct ui *u, struct tnode *n, struct rows *r, int y, int h, const char *head)
{
	const struct tab_data *d;
	int used;

	if (n == NULL) {
		put_line(y, C_DIM, " no node selected (the registry lists none yet)");
		return NULL;
	}
	used = node_header(u, n, y);
	d = &n->tab[u->tab];
	if (d->error != NULL) {
		if (d->doc != NULL)
			put_line(y + used, C_BAD, " %s: %s (showing the answer of %.0fs ago)",
				 tab_table[u->tab]->name, d->error, now_mono() - d->when);
		else
			put_line(y + used, C_BAD, " %s: %s", tab_table[u->tab]->name, d->error);
		used++;
	} else if (d->doc == NULL && tab_table[u->tab]->path != NULL) {
		put_line(y + used, C_DIM, " waiting for %s ...", tab_table[u->tab]->path);
		used++;
	}
	return rows_show(u, r, y + used, h - used, head);
}

static void rows_json_at(struct rows *r, const json_t *v, const char *prefix, int depth)
{
	const char *k;
	json_t *x;

	if (json_is_object(v) && depth < 4 && json_object_size(v) > 0) {
		if (*prefix)
			rows_add(r, C_HEAD, NULL, " %s", prefix);
		json_object_foreach((json_t *)v, k, x) {
			char *p = *prefix ? xasprintf("%s.%s", prefix, k) : xstrdup(k);

			rows_json_at(r, x, p, depth + 1);
			free(p);
		}
		return;
	}
	char *text = json_is_string(v) ? xstrdup(json_string_value(v)) : json_to_text(v);

	rows_add(r, C_NORMAL, (void *)v, "  %-40s %s", prefix, text ? text : "null");
	free(text);
}

void rows_json(struct rows *r, const json_t *v, const char *prefix)
{
	rows_json_at(r, v, prefix, 0);
}

void tab_json_draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r = { 0 };
	char head[96];

	if (n != NULL && n->tab[u->tab].doc != NULL)
		rows_json(&r, n->tab[u->tab].doc, "");
	snprintf(head, sizeof head, "   %-40s %s", "FIELD", "VALUE");
	tab_rows(u, n, &r, y, h, head);
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
	free(u->cur_key);
	u->cur_key = key ? xstrdup(key) : NULL;
}

json_t *parse_json_doc(const char *body, size_t len, char **cause)
{
	return json_parse_lenient(body, len, cause);
}

struct tnode *ui_selected(struct ui *u)
{
	struct model *m = u->m;
	struct tnode *n = m->selected ? model_find(m, m->selected) : NULL;

	if (n == NULL && m->nnodes > 0) {
		n = &m->nodes[0];
		free(m->selected);
		m->selected = xstrdup(n->id.name);
	}
	return n;
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
