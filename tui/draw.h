/* lmcache-top's drawing primitives: the terminal set-up, colour pairs (or attributes when
 * colours are off), glyphs (or ASCII), clipped text, cell-width arithmetic, number formats
 * and sparklines. The bottom layer: it knows nothing of nodes, tabs or the UI state. */
#ifndef LMC_TUI_DRAW_H
#define LMC_TUI_DRAW_H

#include <stdbool.h>
#include <stddef.h>

struct buf;

enum pair {
	C_NORMAL, C_TITLE, C_TAB, C_TABSEL, C_HEAD, C_SEL, C_OK, C_BAD, C_DIM, C_WARN, C_MENU,
	C_MARK,
};

void screen_init(bool color, bool unicode, bool mouse);
void screen_end(void);
void put_attr(int y, int x, enum pair c, bool bold, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* A whole line: cleared to its end in c. */
void put_line(int y, enum pair c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* The same with extra attributes (A_DIM, A_BOLD) on top of c's. */
void put_line_attr(int y, enum pair c, unsigned long attrs, const char *text);
const char *glyph(const char *utf8, const char *ascii);

/* Screen columns of s (UTF-8); invalid bytes count one each. */
int text_cells(const char *s);
/* Appends s to b fitted to exactly width columns: padded (on the left when right), or cut
 * with an ellipsis. skip: columns of s left out at the start (horizontal scroll). */
void text_fit(struct buf *b, const char *s, int width, bool right);
/* s without its first skip columns (a pointer into s). */
const char *text_skip(const char *s, int skip);

/* Numbers as every view shows them: one unit and one precision per kind of value. */
char *human_bytes(double v, char *buf, size_t len);
char *human_num(double v, char *buf, size_t len);
char *human_percent(double fraction, char *buf, size_t len);
/* A float in its shortest form ("0.9", "5", "inf"). */
char *human_float(double v, char *buf, size_t len);
/* A sparkline of v (ring from pos) into buf (>= 4 * width + 1 bytes), scaled between the
 * lowest and highest value shown; *lo and *hi (may be NULL) receive them, NAN when none. */
void sparkline(const double *v, size_t n, size_t pos, int width, char *buf, double *lo,
	       double *hi);

#endif
