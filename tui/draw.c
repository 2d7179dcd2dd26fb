/* The terminal: curses set-up, colours (or attributes), glyphs (or ASCII), clipped text,
 * cell widths, number formats and sparklines. Nothing here knows the UI's state. */
#include "config.h"
#include "draw.h"
#include "buf.h"
#include "strutil.h"
#include "xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

static bool use_color, use_unicode;

static void init_pairs(void)
{
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
	init_pair(C_MENU, COLOR_WHITE, COLOR_BLUE);
	init_pair(C_MARK, COLOR_YELLOW, -1);
}

void screen_init(bool color, bool unicode, bool mouse)
{
	initscr();
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	nodelay(stdscr, TRUE);
	set_escdelay(25);
	curs_set(0);
	use_unicode = unicode;
	use_color = color && has_colors();
	if (mouse) {
		mousemask(BUTTON1_CLICKED | BUTTON1_PRESSED | BUTTON1_DOUBLE_CLICKED | BUTTON4_PRESSED
			  | BUTTON5_PRESSED, NULL);
		mouseinterval(0);
	}
	if (use_color)
		init_pairs();
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

/* Without colour: reverse video marks bars, menus and the cursor; dim and bold the rest. */
static attr_t attr_of(enum pair c, bool bold)
{
	attr_t a = bold ? A_BOLD : A_NORMAL;

	if (use_color && c != C_NORMAL)
		return a | COLOR_PAIR(c);
	if (c == C_TITLE || c == C_TABSEL || c == C_HEAD || c == C_SEL)
		a |= A_REVERSE;
	if (c == C_SEL || c == C_TABSEL)
		a |= A_BOLD; /* the cursor differs from a title bar even without colour */
	if (c == C_BAD || c == C_MARK)
		a |= A_BOLD;
	if (c == C_DIM)
		a |= A_DIM;
	return a;
}

/* Clipped to the screen, counted in characters, not bytes. */
static void put_text(int y, int x, const char *s)
{
	int cols = getmaxx(stdscr);
	size_t n = mbstowcs(NULL, s, 0);
	wchar_t *w;

	if (x >= cols || y < 0 || y >= getmaxy(stdscr))
		return;
	if (n == (size_t)-1) {
		mvaddnstr(y, x, s, cols - x);
		return;
	}
	w = xcalloc(n + 1, sizeof *w);
	mbstowcs(w, s, n + 1);
	mvaddnwstr(y, x, w, cols - x);
	free(w);
}

static void put_va(int y, int x, attr_t a, bool fill, const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		return;
	attrset(a);
	if (fill) {
		move(y, 0);
		hline(' ', getmaxx(stdscr));
	}
	put_text(y, x, s);
	attrset(A_NORMAL);
	free(s);
}

void put_attr(int y, int x, enum pair c, bool bold, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_va(y, x, attr_of(c, bold), false, fmt, ap);
	va_end(ap);
}

void put_line(int y, enum pair c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	put_va(y, 0, attr_of(c, false), true, fmt, ap);
	va_end(ap);
}

void put_line_attr(int y, enum pair c, unsigned long attrs, const char *text)
{
	attr_t a = attr_of(c, false) | (attr_t)attrs;

	if (!use_color && (attrs & A_DIM))
		a &= ~(attr_t)A_BOLD;
	attrset(a);
	move(y, 0);
	hline(' ', getmaxx(stdscr));
	put_text(y, 0, text);
	attrset(A_NORMAL);
}

/* One character of s: its length in bytes and its width in columns (controls: '?', 1). */
static size_t char_at(const char *s, int *cells)
{
	mbstate_t st = { 0 };
	wchar_t w;
	size_t n;

	if ((unsigned char)*s < 0x80) { /* ASCII, most of a table: no conversion */
		*cells = 1;
		return 1;
	}
	n = mbrtowc(&w, s, MB_CUR_MAX, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*cells = 1;
		return 1;
	}
	*cells = wcwidth(w);
	if (*cells < 0)
		*cells = 1;
	return n;
}

int text_cells(const char *s)
{
	int total = 0, c;

	while (*s) {
		s += char_at(s, &c);
		total += c;
	}
	return total;
}

const char *text_skip(const char *s, int skip)
{
	int c;

	while (*s && skip > 0) {
		s += char_at(s, &c);
		skip -= c;
	}
	return s;
}

/* Control characters from a node's text never reach the terminal. */
static void put_char(struct buf *b, const char *s, size_t n)
{
	if (n == 1 && ((unsigned char)*s < 0x20 || *s == 0x7f))
		buf_putc(b, '?');
	else if (n == 1 && ((unsigned char)*s & 0x80))
		buf_putc(b, '?'); /* an invalid byte */
	else
		buf_append(b, s, n);
}

void text_fit(struct buf *b, const char *s, int width, bool right)
{
	int need = text_cells(s), used = 0, c;

	if (width <= 0)
		return;
	if (need <= width) {
		for (int i = 0; right && i < width - need; i++)
			buf_putc(b, ' ');
		for (size_t n; *s; s += n)
			put_char(b, s, n = char_at(s, &c));
		for (int i = 0; !right && i < width - need; i++)
			buf_putc(b, ' ');
		return;
	}
	while (*s) {
		size_t n = char_at(s, &c);

		if (used + c > width - 1)
			break;
		put_char(b, s, n);
		used += c;
		s += n;
	}
	for (; used < width - 1; used++)
		buf_putc(b, ' ');
	buf_puts(b, glyph("…", "~"));
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
	snprintf(buf, len, u == 0 ? "%.0f %s" : fabs(v) < 10 ? "%.2f %s" : fabs(v) < 100
		 ? "%.1f %s" : "%.0f %s", v, unit[u]);
	return buf;
}

/* Three significant digits with a k/M/G suffix; small integers as they are. */
char *human_num(double v, char *buf, size_t len)
{
	static const char suffix[] = " kMGTP";
	int u = 0;

	if (isnan(v))
		return snprintf(buf, len, "-"), buf;
	if (isinf(v))
		return snprintf(buf, len, v > 0 ? "inf" : "-inf"), buf;
	if (fabs(v) < 1e4) {
		snprintf(buf, len, v == floor(v) || fabs(v) >= 100 ? "%.0f" : "%.3g", v);
		return buf;
	}
	while (fabs(v) >= 1000 && u < 5) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, fabs(v) < 10 ? "%.2f%c" : fabs(v) < 100 ? "%.1f%c" : "%.0f%c", v,
		 suffix[u]);
	return buf;
}

char *human_percent(double fraction, char *buf, size_t len)
{
	if (isnan(fraction))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.1f%%", fraction * 100);
	return buf;
}

/* str_double's shortest text, whole numbers without ".0" (an interval of 2 s). */
char *human_float(double v, char *buf, size_t len)
{
	char d[STR_DOUBLE_SIZE];

	if (isfinite(v) && v == trunc(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%s", str_double(v, d));
	return buf;
}

static void minmax(const double *v, size_t n, size_t start, int width, double *lo, double *hi)
{
	*lo = INFINITY;
	*hi = -INFINITY;
	for (int i = 0; i < width; i++) {
		double x = v[(start + (size_t)i) % n];

		if (!isnan(x)) {
			*lo = fmin(*lo, x);
			*hi = fmax(*hi, x);
		}
	}
	if (*lo > *hi)
		*lo = *hi = NAN;
}

void sparkline(const double *v, size_t n, size_t pos, int width, char *buf, double *plo,
	       double *phi)
{
	static const char *const bar8[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
	static const char bar_ascii[] = "_.-:=+*#";
	size_t start = (pos + n - (size_t)width) % n;
	double lo, hi;
	char *p = buf;

	minmax(v, n, start, width, &lo, &hi);
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
	if (plo != NULL)
		*plo = lo;
	if (phi != NULL)
		*phi = hi;
}
