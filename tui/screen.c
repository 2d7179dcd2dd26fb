/* The terminal: curses set-up, colours (or none), glyphs (or ASCII), and the frame every tab
 * is drawn in: title, tab bar, tab body, status line, and the overlays. */
#include "config.h"
#include "top.h"
#include "xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

static bool use_color, use_unicode;

void screen_init(const struct topts *o)
{
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	use_unicode = o->unicode;
	use_color = o->color && has_colors();
	if (!use_color)
		return;
	start_color();
	use_default_colors();
	init_pair(C_TITLE, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_TAB, -1, -1);
	init_pair(C_TABSEL, COLOR_BLACK, COLOR_GREEN);
	init_pair(C_HEAD, COLOR_BLACK, COLOR_GREEN);
	init_pair(C_SEL, COLOR_BLACK, COLOR_CYAN);
	init_pair(C_OK, COLOR_GREEN, -1);
	init_pair(C_BAD, COLOR_RED, -1);
	init_pair(C_DIM, COLOR_BLUE, -1);
	init_pair(C_WARN, COLOR_YELLOW, -1);
}

void screen_end(void)
{
	if (!isendwin())
		endwin();
}

const char *glyph(const char *utf8, const char *ascii)
{
	return use_unicode ? utf8 : ascii;
}

static attr_t attr_of(enum pair c, bool bold)
{
	attr_t a = bold ? A_BOLD : A_NORMAL;

	if (use_color && c != C_NORMAL)
		return a | COLOR_PAIR(c);
	if (c == C_TITLE || c == C_TABSEL || c == C_HEAD || c == C_SEL)
		a |= A_REVERSE; /* without colour, reverse video marks bars and the cursor */
	if (c == C_BAD)
		a |= A_BOLD;
	return a;
}

/* Clipped to width columns: counted in characters, not bytes, so a line holding "…" or a
 * tree glyph is not cut short. */
static void put_text(int y, int x, const char *s, int width)
{
	size_t n = mbstowcs(NULL, s, 0);
	wchar_t *w;

	if (n == (size_t)-1) {
		mvaddnstr(y, x, s, width);
		return;
	}
	w = xcalloc(n + 1, sizeof *w);
	mbstowcs(w, s, n + 1);
	mvaddnwstr(y, x, w, width);
	free(w);
}

static void put_va(int y, int x, enum pair c, bool bold, bool fill, const char *fmt, va_list ap)
{
	char *s;
	int cols = getmaxx(stdscr);

	if (vasprintf(&s, fmt, ap) < 0)
		return;
	attrset(attr_of(c, bold));
	if (fill) {
		move(y, 0);
		hline(' ', cols);
	}
	if (x < cols)
		put_text(y, x, s, cols - x);
	attrset(A_NORMAL);
	free(s);
}

void put_attr(int y, int x, enum pair c, bool bold, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_va(y, x, c, bold, false, fmt, ap);
	va_end(ap);
}

void put_line(int y, enum pair c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_va(y, 0, c, false, true, fmt, ap);
	va_end(ap);
}

char *human_bytes(double v, char *buf, size_t len)
{
	static const char *const unit[] = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
	int u = 0;

	if (isnan(v))
		return snprintf(buf, len, "-"), buf;
	while (fabs(v) >= 1024 && u < 5) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, u ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

char *human_num(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else if (fabs(v) >= 1e9)
		snprintf(buf, len, "%.2fG", v / 1e9);
	else if (fabs(v) >= 1e6)
		snprintf(buf, len, "%.2fM", v / 1e6);
	else if (fabs(v) >= 1e4)
		snprintf(buf, len, "%.1fk", v / 1e3);
	else if (v == floor(v) || fabs(v) >= 100)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3g", v);
	return buf;
}

/* Scaled between the minimum and maximum of the values shown. */
void sparkline(const double *v, size_t n, size_t pos, int width, char *buf)
{
	static const char *const bar8[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char bar_ascii[] = "_.-:=+*#";
	double lo = INFINITY, hi = -INFINITY;
	size_t start = (pos + n - (size_t)width) % n;
	char *p = buf;

	for (int i = 0; i < width; i++) {
		double x = v[(start + (size_t)i) % n];

		if (!isnan(x)) {
			lo = fmin(lo, x);
			hi = fmax(hi, x);
		}
	}
	for (int i = 0; i < width; i++) {
		double x = v[(start + (size_t)i) % n];
		int k = isnan(x) ? -1 : hi > lo ? (int)((x - lo) / (hi - lo) * 7.0 + 0.5) : 0;

		if (k < 0)
			*p++ = ' ';
		else if (use_unicode)
			p += sprintf(p, "%s", bar8[k]);
		else
			*p++ = bar_ascii[k];
	}
	*p = '\0';
}

static void draw_title(struct ui *u)
{
	struct model *m = u->m;
	size_t up = 0;
	char clock[16];
	time_t t = time(NULL);

	for (size_t i = 0; i < m->nnodes; i++)
		up += m->nodes[i].listed && m->nodes[i].state == NS_UP;
	strftime(clock, sizeof clock, "%H:%M:%S", localtime(&t));
	put_line(0, C_TITLE, " lmcache-top  %s  nodes %zu, %zu up  every %.1fs%s%s", m->source,
		 m->nnodes, up, m->interval, m->paused ? "  [PAUSED]" : "",
		 u->o->readonly ? "  [read-only]" : "");
	put_attr(0, u->cols - 9, C_TITLE, false, "%s", clock);
}

static void draw_tabs(struct ui *u)
{
	int x = 0;

	move(1, 0);
	clrtoeol();
	for (int i = 0; i < NTABS; i++) {
		char label[32];

		snprintf(label, sizeof label, " %c %s ", tab_table[i]->key, tab_table[i]->name);
		put_attr(1, x, i == u->tab ? C_TABSEL : C_TAB, i == u->tab, "%s", label);
		x += (int)strlen(label) + 1;
	}
}

static void draw_status(struct ui *u)
{
	struct model *m = u->m;
	int y = u->rows - 1;

	if (m->status != NULL)
		put_line(y, m->status_bad ? C_BAD : C_OK, " %s", m->status);
	else if (m->error != NULL)
		put_line(y, C_BAD, " %s", m->error);
	else
		put_line(y, C_DIM, " F1/? help  Tab/1-7 tabs  j/k move  / filter  n/p node  "
				   "+/- interval  Z pause  F10/q quit");
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
