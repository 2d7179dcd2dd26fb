/* Small string helpers shared by every program. */
#ifndef LMC_COMMON_STRUTIL_H
#define LMC_COMMON_STRUTIL_H

#include <stdbool.h>
#include <stddef.h>

bool str_starts_with(const char *s, const char *prefix);
bool str_ends_with(const char *s, const char *suffix);
/* Whether m is an HTTP method as a batch of requests names it: 1 to 16 capital letters. */
bool str_is_method(const char *m);
/* Lower-cases s in place and returns it. */
char *str_lower(char *s);
/* Returns s without leading and trailing white space (modifies s). */
char *str_trim(char *s);
/* Case-insensitive substring search; true when needle is empty. */
bool str_icontains(const char *haystack, const char *needle);
/* Splits s on sep into a NULL-terminated array of fresh strings; free with str_list_free. */
char **str_split(const char *s, char sep, size_t *count);
void str_list_free(char **list);
/* Appends item to the ", "-separated list held in the buffer list of size bytes, unless the
 * list holds it already (e.g. the methods of an Allow header); cut short when full. */
void str_list_add(char *list, size_t size, const char *item);
/* A fresh copy of s that holds no control character: \n, \r, \t and \\ as such, other
 * bytes below 0x20 and 0x7f as \xNN. For names written one per line, so that a name cannot
 * forge lines or terminal sequences. */
char *str_escape_ctl(const char *s);
/* s percent-encoded (RFC 3986): every byte other than the unreserved ones (A-Z a-z 0-9
 * - . _ ~) and those in keep ("" for a query value or a path segment) as %XX, upper-case
 * hex. The one encoder of the tree; caller frees. */
char *str_percent_encode(const char *s, const char *keep);
/* How many of the n bytes at s are valid UTF-8 (n when all are): overlong forms, surrogates
 * and code points above U+10FFFF are invalid. */
size_t str_utf8_valid_prefix(const char *s, size_t n);
/* Replaces each byte that is not part of valid UTF-8 in s with '?'; returns how many. */
size_t str_utf8_repair(char *s);

/* Room for any str_double() text ("-2.2250738585072014e-308" is 24 bytes). */
#define STR_DOUBLE_SIZE 32
/* The shortest decimal text that reads back as the same double, laid out as Python's repr()
 * does (so values look as LMCache's Python code shows them): "0.9", "1.0", "-0.0", "1e+22",
 * "1e-05", "5e-324", fixed notation for decimal exponents -4..15. Non-finite values are
 * spelled as Python's json.dumps writes them: "Infinity", "-Infinity", "NaN". Writes into
 * buf (STR_DOUBLE_SIZE bytes) and returns it. Independent of the C locale's decimal point. */
char *str_double(double d, char *buf);


#endif
