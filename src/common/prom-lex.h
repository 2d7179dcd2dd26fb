/* The lexical pieces of the Prometheus text format (prom-lex.c), shared by the parser and the
 * one-pass scanner. */
#ifndef LMC_COMMON_PROM_LEX_H
#define LMC_COMMON_PROM_LEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where the name starting at p ends (p itself when there is none): a metric name when colon,
 * else a label name. */
const char *prom_name_end(const char *p, const char *end, bool colon);
const char *prom_skip_blanks(const char *p, const char *end);
/* The line of the first NUL byte in text, 0 when there is none. */
int prom_nul_line(const char *text, size_t len);
/* The end of the line starting at p (without its \n and a \r before it); *next is the
 * start of the next line. */
const char *prom_line_end(const char *p, const char *end, const char **next);

/* A float as Prometheus' Go parser reads it (decimal, Inf, NaN; never hex or nan(...)) from
 * n bytes at s; *range is set when it is a number too large for a double ("1e999"), which
 * Go's parser refuses. */
bool prom_float(const char *s, size_t n, double *out, bool *range);
/* A timestamp: a decimal int64 in n bytes at s, no leading blank. */
bool prom_int64(const char *s, size_t n, int64_t *out);

#endif
