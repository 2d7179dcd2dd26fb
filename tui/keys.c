/* The key table: every global binding once, with the help text the help screen is generated
 * from. Keys a binding does not take go to the current tab. */
#include "config.h"
#include "top.h"
#include "xalloc.h"

#include <curses.h>
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
	u->tab = (t + NTABS) % NTABS;
	u->m->tab = u->tab;
	wake(u);
}

static void k_next_tab(struct ui *u, int key)
{
	set_tab(u, u->tab + (key == KEY_BTAB ? -1 : 1));
}

static void k_tab_n(struct ui *u, int key)
{
	set_tab(u, key - '1');
}

static void k_help(struct ui *u, int key)
{
	(void)key;
	u->mode = M_HELP;
	u->top[u->tab] = 0;
}

static void filter_done(struct ui *u, const char *text)
{
	free(u->filter[u->tab]);
	u->filter[u->tab] = *text ? xstrdup(text) : NULL;
	u->cursor[u->tab] = 0;
}

static void k_filter(struct ui *u, int key)
{
	(void)key;
	prompt_start(u, "filter: ", u->filter[u->tab] ? u->filter[u->tab] : "", filter_done);
}

static void k_clear_filter(struct ui *u, int key)
{
	(void)key;
	filter_done(u, "");
}

static void k_interval(struct ui *u, int key)
{
	double *iv = &u->m->interval;

	*iv = key == '+' ? *iv * 2 : *iv / 2;
	*iv = *iv < 0.25 ? 0.25 : *iv > 64 ? 64 : *iv;
	wake(u);
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

/* The nodes in Overview order (listed first, by name), for n/p. */
static void k_node(struct ui *u, int key)
{
	struct model *m = u->m;
	struct tnode *cur = ui_selected(u);
	int dir = key == 'n' || key == ']' ? 1 : -1;
	size_t i = cur ? (size_t)(cur - m->nodes) : 0;

	if (m->nnodes == 0)
		return;
	i = (i + m->nnodes + (size_t)(cur ? dir : 0)) % m->nnodes;
	ui_select(u, m->nodes[i].id.name);
}

static const struct binding bindings[] = {
	{ { '\t', KEY_BTAB }, "Tab S-Tab", "next / previous tab", k_next_tab },
	{ { '1', '2', '3', '4' }, "1-7", "go to tab 1-7", k_tab_n },
	{ { '5', '6', '7' }, NULL, NULL, k_tab_n },
	{ { KEY_F(1), '?', 'h' }, "F1 ? h", "this help", k_help },
	{ { KEY_F(3), '/' }, "F3 /", "filter the rows of this tab (Overview: nodes)", k_filter },
	{ { ESC }, "Esc", "clear the filter", k_clear_filter },
	{ { 'n', ']' }, "n ]", "next node", k_node },
	{ { 'p', '[' }, "p [", "previous node", k_node },
	{ { KEY_F(5), 'r' }, "F5 r", "refresh now", k_refresh },
	{ { '+', '-' }, "+ -", "longer / shorter refresh interval (doubles / halves it)", k_interval },
	{ { 'Z', 'z' }, "Z", "pause / resume collecting", k_pause },
	{ { CTRL_L }, "C-l", "redraw the screen", k_redraw },
	{ { KEY_F(10), 'q' }, "F10 q", "quit", k_quit },
};

static const struct keybind move_keys[] = {
	{ "Up Down j k", "move the cursor" },
	{ "PgUp PgDn Space", "move a page" },
	{ "Home End g G", "first / last row" },
	{ NULL, NULL },
};

void keys_handle(struct ui *u, int key)
{
	struct tnode *n = ui_selected(u);

	if (u->mode != M_NORMAL && u->mode != M_HELP) {
		prompt_key(u, key);
		return;
	}
	if (u->mode == M_HELP) {
		u->mode = M_NORMAL; /* any key closes the help */
		return;
	}
	for (size_t i = 0; i < sizeof bindings / sizeof bindings[0]; i++)
		for (int k = 0; k < 4 && bindings[i].keys[k]; k++)
			if (bindings[i].keys[k] == key) {
				bindings[i].fn(u, key);
				return;
			}
	if (tab_table[u->tab]->on_key(u, n, key))
		return;
	rows_key(u, key, 1 << 20);
}

static void help_section(struct ui *u, int *y, const char *title, const struct keybind *k)
{
	put_line((*y)++, C_HEAD, " %s", title);
	for (; k->keys != NULL && *y < u->rows - 1; k++)
		put_line((*y)++, C_NORMAL, "   %-18s %s", k->keys, k->help);
}

void help_draw(struct ui *u)
{
	struct keybind global[sizeof bindings / sizeof bindings[0] + 1];
	size_t n = 0;
	int y = 2;

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
