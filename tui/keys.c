/* The key table: every global binding once, with the help text the help screen is generated
 * from. Keys a binding does not take go to the current tab. */
#include "config.h"
#include "top.h"
#include "xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CTRL_L 12
#define ESC 27

struct binding {
	int keys[4]; /* 0-terminated */
	const char *label;
	const char *help;
	void (*fn)(struct ui *u, int key);
};

static void wake(struct ui *u)
{
	u->m->refresh_now = true;
	pthread_cond_signal(&u->m->wake);
}

static void set_tab(struct ui *u, int t)
{
	ui_show_tab(u, t);
}

static void k_next_tab(struct ui *u, int key)
{
	set_tab(u, u->tab + (key == KEY_BTAB ? -1 : 1));
}

static void k_help(struct ui *u, int key)
{
	(void)key;
	u->mode = M_HELP;
}

static void filter_done(struct ui *u, const char *text)
{
	struct tabstate *ts = ui_ts(u);

	free(ts->filter);
	ts->filter = *text ? xstrdup(text) : NULL;
	ts->cursor = 0;
	ts->jump = 1; /* onto the first match */
	u->follow = true; /* Overview: the selected node stays selected when still shown */
}

static void k_filter(struct ui *u, int key)
{
	(void)key;
	prompt_start(u, "filter: ", ui_ts(u)->filter ? ui_ts(u)->filter : "", filter_done);
}

/* Esc clears the filter; without one, it goes back to where Enter on a node came from. */
static void k_escape(struct ui *u, int key)
{
	(void)key;
	if (ui_ts(u)->filter != NULL) {
		filter_done(u, "");
	} else if (u->back_tab >= 0) {
		int back = u->back_tab;

		set_tab(u, back);
		u->follow = true;
	}
}

/* Doubling and halving move towards 0.25-64 s, never away from it: a -d outside that range
 * can still be brought back by the other key. */
static void k_interval(struct ui *u, int key)
{
	double *iv = &u->m->interval;

	if (key == '+')
		*iv = fmin(*iv * 2, fmax(64, *iv));
	else
		*iv = fmax(*iv / 2, fmin(0.25, *iv));
	wake(u);
}

/* < > choose the sort column (from the tab's own order through each column), I inverts. */
static void k_sort(struct ui *u, int key)
{
	struct tabstate *ts = ui_ts(u);

	if (key == 'I') {
		ts->desc = !ts->desc;
		return;
	}
	ts->sort += key == '<' ? -1 : 1; /* wrapped by the table, which knows its columns */
	ts->desc = false;
	u->follow = true;
}

static void k_results(struct ui *u, int key)
{
	(void)key;
	ui_show_results(u);
}

static void k_pause(struct ui *u, int key)
{
	(void)key;
	u->m->paused = !u->m->paused;
	wake(u);
}

static void k_refresh(struct ui *u, int key)
{
	(void)key;
	u->m->relist_now = true;
	wake(u);
}

static void k_redraw(struct ui *u, int key)
{
	(void)key;
	clearok(curscr, TRUE);
}

static void k_quit(struct ui *u, int key)
{
	(void)key;
	u->quit = true;
}

/* The nodes in listing order, for ] and [. */
static void k_node(struct ui *u, int key)
{
	struct model *m = u->m;
	struct tnode *cur = ui_selected(u);
	int dir = key == ']' ? 1 : -1;
	size_t i = cur ? (size_t)(cur - m->nodes) : 0;

	if (m->nnodes == 0)
		return;
	i = (i + m->nnodes + (size_t)(cur ? dir : 0)) % m->nnodes;
	ui_select(u, m->nodes[i].id.name);
}

static const struct binding bindings[] = {
	{ { '\t', KEY_BTAB }, "Tab S-Tab", "next / previous tab", k_next_tab },
	{ { KEY_F(1), '?', 'h' }, "F1 ? h", "this help", k_help },
	{ { KEY_F(3), '/' }, "F3 /", "filter the rows of this tab (Overview: nodes)", k_filter },
	{ { ESC }, "Esc", "clear the filter; else back to the Overview after Enter on a node",
	  k_escape },
	{ { '>', '<', KEY_F(6) }, "< > F6", "sort by the next / previous column", k_sort },
	{ { 'I' }, "I", "invert the sort order", k_sort },
	{ { ']' }, "]", "next node", k_node },
	{ { '[' }, "[", "previous node", k_node },
	{ { 'R' }, "R", "the per node results of the last action on marked nodes", k_results },
	{ { KEY_F(5), 'r' }, "F5 r", "refresh now", k_refresh },
	{ { '+', '-' }, "+ -", "longer / shorter refresh interval (doubles / halves it)", k_interval },
	{ { 'Z', 'z' }, "Z", "pause / resume collecting", k_pause },
	{ { CTRL_L }, "C-l", "redraw the screen", k_redraw },
	{ { KEY_F(10), 'q' }, "F10 q", "quit", k_quit },
};

static const struct keybind move_keys[] = {
	{ "Up Down j k", "move the cursor" },
	{ "PgUp PgDn", "move a page" },
	{ "Home End g G", "first / last row" },
	{ "n N", "next / previous row matching the filter" },
	{ "Left Right", "scroll sideways (whole cells, no columns dropped)" },
	{ "mouse", "click a tab, a row, a column header (sorts; again: inverts)" },
	{ NULL, NULL },
};

void keys_handle(struct ui *u, int key)
{
	struct tnode *n = ui_selected(u);
	int t;

	if (u->mode != M_NORMAL && u->mode != M_HELP) {
		prompt_key(u, key);
		return;
	}
	if (u->mode == M_HELP) {
		u->mode = M_NORMAL; /* any key closes the help */
		return;
	}
	if (key == KEY_MOUSE) {
		mouse_handle(u);
		return;
	}
	if ((t = tab_by_key(key)) >= 0) {
		set_tab(u, t);
		return;
	}
	if (tab_table[u->tab]->on_key(u, n, key)) /* a tab's own keys first (Enter, +) */
		return;
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		for (int k = 0; k < 4 && bindings[i].keys[k]; k++)
			if (bindings[i].keys[k] == key) {
				bindings[i].fn(u, key);
				return;
			}
	rows_key(u, key);
}

/* A click on the tab bar picks a tab, on a column header sorts by it (again: inverts), on
 * a row moves the cursor there; the wheel scrolls. */
static void click(struct ui *u, int y, int x)
{
	struct tabstate *ts = ui_ts(u);

	if (y == 1) {
		for (int i = 0, at = 0; i < ntabs; i++) {
			at += (int)strlen(tab_table[i]->name) + 5;
			if (x < at) {
				set_tab(u, i);
				return;
			}
		}
	} else if (y == ts->head_y) {
		for (int i = 0; i < ts->ncolx; i++)
			if (x >= ts->colx[i] && x < ts->colx[i + 1]) {
				if (ts->sort == ts->colid[i] + 1)
					ts->desc = !ts->desc;
				else
					ts->sort = ts->colid[i] + 1, ts->desc = false;
			}
	} else if (y >= ts->rows_y && y < ts->rows_y + ts->rows_h) {
		ts->cursor = ts->top + (y - ts->rows_y);
		u->dir = 1;
	}
}

void mouse_handle(struct ui *u)
{
	MEVENT e;

	if (getmouse(&e) != OK || u->mode != M_NORMAL)
		return;
	if (e.bstate & BUTTON4_PRESSED)
		rows_key(u, KEY_UP);
	else if (e.bstate & BUTTON5_PRESSED)
		rows_key(u, KEY_DOWN);
	else if (e.bstate & (BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED))
		click(u, e.y, e.x);
}

static void help_section(struct ui *u, int *y, const char *title, const struct keybind *k)
{
	put_line((*y)++, C_HEAD, " %s", title);
	for (; k->keys != NULL && *y < u->rows - 1; k++)
		put_line((*y)++, C_NORMAL, "   %-18s %s", k->keys, k->help);
}

void help_draw(struct ui *u)
{
	struct keybind global[sizeof bindings / sizeof bindings[0] + 2];
	char tabs[16], what[32];
	size_t n = 0;
	int y = 2;

	snprintf(tabs, sizeof tabs, "%c-%c", tab_table[0]->key, tab_table[ntabs - 1]->key);
	snprintf(what, sizeof what, "go to tab %s", tabs);
	global[n++] = (struct keybind){ tabs, what };
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		if (bindings[i].label != NULL)
			global[n++] = (struct keybind){ bindings[i].label, bindings[i].help };
	global[n] = (struct keybind){ NULL, NULL };
	help_section(u, &y, "lmcache-top keys (any key closes this help)", global);
	help_section(u, &y, "Moving", move_keys);
	if (tab_table[u->tab]->keys != NULL && tab_table[u->tab]->keys[0].keys != NULL) {
		char title[64];

		snprintf(title, sizeof title, "%s tab", tab_table[u->tab]->name);
		help_section(u, &y, title, tab_table[u->tab]->keys);
	}
}
