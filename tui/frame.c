/* The frame: title, tab bar, the current tab (or the help), status line and overlays, from
 * the UI state. The composition layer: it calls the tabs, the help and the prompts; the
 * drawing primitives it uses (draw.c) call nothing back. */
#include "config.h"
#include "top.h"
#include "buf.h"
#include "xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* What matters most comes first (counts, interval), the long source last; the clock only
 * where it does not cover anything. */
static void draw_title(struct ui *u)
{
	struct model *m = u->m;
	size_t up = 0, listed = 0;
	char clock[16], iv[32];
	struct buf b = BUF_INIT;
	time_t t = time(NULL);

	for (size_t i = 0; i < m->nnodes; i++) {
		listed += m->nodes[i].listed;
		up += m->nodes[i].listed && m->nodes[i].state == NS_UP;
	}
	buf_printf(&b, " lmcache-top  nodes %zu, %zu up", listed, up);
	if (listed < m->nnodes)
		buf_printf(&b, ", %zu gone", m->nnodes - listed);
	buf_printf(&b, "  every %ss%s%s", human_float(m->interval, iv, sizeof iv),
		   m->paused ? "  [PAUSED]" : "", u->o->readonly ? "  [read-only]" : "");
	if (m->registry_down)
		buf_puts(&b, "  [registry unreachable: last known cluster]");
	buf_printf(&b, "  %s", m->source);
	strftime(clock, sizeof clock, "%H:%M:%S", localtime(&t));
	put_line(0, C_TITLE, "%s", b.data);
	if (text_cells(b.data) + 10 <= u->cols)
		put_attr(0, u->cols - 9, C_TITLE, false, "%s", clock);
	buf_free(&b);
}

/* Labels shrink to the key and a short name when the bar would not fit. */
static void draw_tabs(struct ui *u)
{
	int x = 0, full = 0;

	for (int i = 0; i < ntabs; i++)
		full += (int)strlen(tab_table[i]->name) + 4;
	move(1, 0);
	clrtoeol();
	for (int i = 0; i < ntabs; i++) {
		char label[32];
		int len = full <= u->cols ? (int)strlen(tab_table[i]->name) : 4;

		snprintf(label, sizeof label, " %c %.*s ", tab_table[i]->key, len, tab_table[i]->name);
		put_attr(1, x, i == u->tab ? C_TABSEL : C_TAB, i == u->tab, "%s", label);
		x += (int)strlen(label) + 1;
	}
}

static void draw_status(struct ui *u)
{
	struct model *m = u->m;
	int y = u->rows - 1;

	if (m->status != NULL && now_mono() - m->status_when < STATUS_SECONDS)
		put_line(y, m->status_bad ? C_BAD : C_OK, " %s", m->status);
	else if (m->error != NULL)
		put_line(y, C_BAD, " %s", m->error);
	else
		put_line(y, C_DIM, " F1/? help  Tab/%c-%c tabs  j/k move  / filter  < > sort  "
			 "Space mark  ] [ node  +/- interval  q quit", tab_table[0]->key,
			 tab_table[ntabs - 1]->key);
}

void compose_frame(struct ui *u)
{
	getmaxyx(stdscr, u->rows, u->cols);
	erase();
	if (u->rows < MIN_ROWS || u->cols < MIN_COLS) {
		mvprintw(0, 0, "Terminal too small (%dx%d).", u->cols, u->rows);
		mvprintw(1, 0, "lmcache-top needs %dx%d.", MIN_COLS, MIN_ROWS);
		mvprintw(2, 0, "Enlarge it, or q to quit.");
		return;
	}
	draw_title(u);
	draw_tabs(u);
	if (u->mode == M_HELP)
		help_draw(u);
	else
		tab_table[u->tab]->draw(u, ui_selected(u), 2, u->rows - 3);
	draw_status(u);
	prompt_draw(u);
}

void draw_frame(struct ui *u)
{
	compose_frame(u);
	refresh();
}
