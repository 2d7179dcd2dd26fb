/* Modal pieces drawn over a tab: a one-line input, a menu, a yes/no confirmation of a
 * mutating request, and a scrolling text view (a thread's stack). */
#include "config.h"
#include "top.h"
#include "xalloc.h"

#include <curses.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ESC 27

void prompt_start(struct ui *u, const char *label, const char *init, input_done_fn done)
{
	u->mode = M_INPUT;
	u->input_label = label;
	u->input_done = done;
	snprintf(u->input, sizeof u->input, "%s", init);
}

void menu_start(struct ui *u, const char *title, const char *const *items, int pos,
		input_done_fn done)
{
	free(u->menu_title);
	u->menu_title = xstrdup(title);
	u->mode = M_MENU;
	u->menu = items;
	u->menu_pos = pos;
	u->menu_done = done;
}

static void confirm_free(struct ui *u)
{
	for (size_t i = 0; i < u->nconfirm; i++)
		free(u->confirm[i]);
	free(u->confirm);
	u->confirm = NULL;
	u->nconfirm = 0;
}

void confirm_action(struct ui *u, struct action *a, const char *question, char **lines,
		    size_t nlines)
{
	confirm_free(u);
	if (u->o->readonly) {
		top_model_status(u->m, true, "read-only: %s not sent", a->what);
		action_free(a);
		u->mode = M_NORMAL;
		for (size_t i = 0; i < nlines; i++)
			free(lines[i]);
		return;
	}
	action_free(u->confirm_action);
	u->confirm = xcalloc(nlines + 1, sizeof *u->confirm);
	u->confirm[0] = xasprintf("%s [y/N]", question);
	memcpy(u->confirm + 1, lines, nlines * sizeof *lines);
	u->nconfirm = nlines + 1;
	u->confirm_action = a;
	u->mode = M_CONFIRM;
}

void detail_show(struct ui *u, const char *title, char **lines, size_t n)
{
	detail_free(u);
	u->detail_title = xstrdup(title);
	u->detail = lines;
	u->ndetail = n;
	u->detail_top = 0;
	u->mode = M_DETAIL;
}

void detail_free(struct ui *u)
{
	for (size_t i = 0; i < u->ndetail; i++)
		free(u->detail[i]);
	free(u->detail);
	free(u->detail_title);
	u->detail = NULL;
	u->detail_title = NULL;
	u->ndetail = 0;
}

static void input_key(struct ui *u, int key)
{
	size_t len = strlen(u->input);

	if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		u->mode = M_NORMAL;
		u->input_done(u, u->input);
	} else if (key == ESC) {
		u->mode = M_NORMAL;
	} else if ((key == KEY_BACKSPACE || key == 127 || key == 8) && len > 0) {
		u->input[len - 1] = '\0';
	} else if (key == 21) { /* C-u */
		u->input[0] = '\0';
	} else if (key >= ' ' && key < 127 && len + 1 < sizeof u->input) {
		u->input[len] = (char)key;
		u->input[len + 1] = '\0';
	}
}

static void menu_key(struct ui *u, int key)
{
	int n = 0;

	while (u->menu[n] != NULL)
		n++;
	if (key >= 'A' && key <= 'Z') /* the level's first letter */
		for (int i = 0; i < n; i++)
			if (u->menu[i][0] == key)
				u->menu_pos = i;
	if (key == KEY_DOWN || key == 'j')
		u->menu_pos = (u->menu_pos + 1) % n;
	else if (key == KEY_UP || key == 'k')
		u->menu_pos = (u->menu_pos + n - 1) % n;
	else if (key == ESC || key == 'q')
		u->mode = M_NORMAL;
	else if (key == '\r' || key == '\n' || key == KEY_ENTER) {
		u->mode = M_NORMAL;
		u->menu_done(u, u->menu[u->menu_pos]);
	}
}

static void confirm_key(struct ui *u, int key)
{
	struct model *m = u->m;

	u->mode = M_NORMAL;
	if (key == 'y' || key == 'Y') {
		action_free(m->pending);
		m->pending = u->confirm_action;
		top_model_status(m, false, "%s: sending...", m->pending->what);
		pthread_cond_signal(&m->wake);
	} else {
		top_model_status(m, false, "cancelled");
		action_free(u->confirm_action);
	}
	u->confirm_action = NULL;
	confirm_free(u);
}

static void detail_key(struct ui *u, int key)
{
	int page = u->rows - 6;

	if (key == KEY_DOWN || key == 'j')
		u->detail_top++;
	else if (key == KEY_UP || key == 'k')
		u->detail_top--;
	else if (key == KEY_NPAGE || key == ' ')
		u->detail_top += page;
	else if (key == KEY_PPAGE)
		u->detail_top -= page;
	else
		u->mode = M_NORMAL; /* Esc, q, Enter, anything else: back to the tab */
	if (u->detail_top > (int)u->ndetail - 1)
		u->detail_top = (int)u->ndetail - 1;
	if (u->detail_top < 0)
		u->detail_top = 0;
}

void prompt_key(struct ui *u, int key)
{
	if (u->mode == M_INPUT)
		input_key(u, key);
	else if (u->mode == M_MENU)
		menu_key(u, key);
	else if (u->mode == M_CONFIRM)
		confirm_key(u, key);
	else if (u->mode == M_DETAIL)
		detail_key(u, key);
}

/* The menu's items on their own colour; the highlighted one in the cursor's colour and
 * marked, so it shows without colours too. */
static void menu_draw(struct ui *u)
{
	int n = 0, y0, w = 20, x;

	while (u->menu[n] != NULL)
		n++;
	w = text_cells(u->menu_title) + 2 > w ? text_cells(u->menu_title) + 2 : w;
	w = w > u->cols - 2 ? u->cols - 2 : w;
	x = (u->cols - w) / 2;
	y0 = (u->rows - n) / 2;
	put_attr(y0 - 1, x, C_HEAD, false, " %-*.*s", w - 1, w - 1, u->menu_title);
	for (int i = 0; i < n; i++)
		put_attr(y0 + i, x, i == u->menu_pos ? C_SEL : C_MENU, i == u->menu_pos,
			 "%s%-*s", i == u->menu_pos ? glyph("▶ ", "> ") : "  ", w - 2, u->menu[i]);
	put_attr(y0 + n, x, C_MENU, false, " %-*s", w - 1, "Enter sets, Esc cancels");
}

/* A bulk action's confirmation: the question, then current -> new per node. */
static void confirm_draw(struct ui *u)
{
	int y = u->rows - 1, n = (int)u->nconfirm - 1, max = u->rows - 5;

	if (n > 0) {
		int shown = n < max ? n : max, top = u->rows - 2 - shown;

		put_line(top - 1, C_HEAD, " %d node%s:", n, n == 1 ? "" : "s");
		for (int i = 0; i < shown; i++)
			put_line(top + i, C_MENU, "  %s", i + 1 < shown || shown == n
				 ? u->confirm[1 + i] : "...");
	}
	put_line(y, C_WARN, " %s", u->confirm[0]);
}

static void detail_draw(struct ui *u)
{
	int h = u->rows - 4;

	put_line(2, C_HEAD, " %s  (j/k scroll, any other key closes)", u->detail_title);
	for (int i = 0; i < h; i++)
		put_line(3 + i, C_NORMAL, "  %s",
			 u->detail_top + i < (int)u->ndetail ? u->detail[u->detail_top + i] : "");
}

void prompt_draw(struct ui *u)
{
	int y = u->rows - 1;

	if (u->mode == M_INPUT) {
		put_line(y, C_WARN, " %s%s", u->input_label, u->input);
		put_attr(y, 1 + (int)strlen(u->input_label) + (int)strlen(u->input), C_SEL, false,
			 " ");
	} else if (u->mode == M_CONFIRM) {
		confirm_draw(u);
	} else if (u->mode == M_MENU) {
		menu_draw(u);
	} else if (u->mode == M_DETAIL) {
		detail_draw(u);
	}
}
