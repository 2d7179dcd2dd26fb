#include "config.h"
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool str_starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

bool str_ends_with(const char *s, const char *suffix)
{
	size_t ls = strlen(s), lx = strlen(suffix);

	return ls >= lx && memcmp(s + ls - lx, suffix, lx) == 0;
}

bool str_is_method(const char *m)
{
	size_t n = strspn(m, "ABCDEFGHIJKLMNOPQRSTUVWXYZ");

	return n > 0 && n <= 16 && m[n] == '\0';
}

char *str_lower(char *s)
{
	for (char *p = s; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	return s;
}

char *str_trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

bool str_icontains(const char *haystack, const char *needle)
{
	size_t n = strlen(needle);

	for (const char *p = haystack; *p; p++)
		if (strncasecmp(p, needle, n) == 0)
			return true;
	return n == 0;
}

char **str_split(const char *s, char sep, size_t *count)
{
	size_t n = 1, i = 0;
	char **list;
	const char *start = s;

	for (const char *p = s; *p; p++)
		n += (*p == sep);
	list = xcalloc(n + 1, sizeof *list);
	for (const char *p = s;; p++) {
		if (*p == sep || *p == '\0') {
			list[i++] = xstrndup(start, (size_t)(p - start));
			start = p + 1;
		}
		if (*p == '\0')
			break;
	}
	if (count)
		*count = i;
	return list;
}

void str_list_free(char **list)
{
	if (list == NULL)
		return;
	for (char **p = list; *p; p++)
		free(*p);
	free(list);
}

void str_list_add(char *list, size_t size, const char *item)
{
	size_t n = strlen(list);

	if (strstr(list, item) == NULL)
		snprintf(list + n, size - n, "%s%s", n ? ", " : "", item);
}

char *str_escape_ctl(const char *s)
{
	char *out = xmalloc(4 * strlen(s) + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *named = *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : *p == '\t' ? "\\t" :
				    *p == '\\' ? "\\\\" : NULL;

		if (named)
			o += sprintf(o, "%s", named);
		else if (*p < 0x20 || *p == 0x7f)
			o += sprintf(o, "\\x%02x", *p);
		else
			*o++ = (char)*p;
	}
	*o = '\0';
	return out;
}

/* RFC 3986's unreserved characters, whatever the C locale. */
static bool unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

char *str_percent_encode(const char *s, const char *keep)
{
	static const char hex[] = "0123456789ABCDEF";
	char *out = xmalloc(3 * strlen(s) + 1), *o = out;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (unreserved(*p) || strchr(keep, *p) != NULL) {
			*o++ = (char)*p;
		} else {
			*o++ = '%';
			*o++ = hex[*p >> 4];
			*o++ = hex[*p & 15];
		}
	}
	*o = '\0';
	return out;
}

/* The length of the UTF-8 sequence at s (at most n bytes), 0 when it is not valid UTF-8:
 * overlong forms, surrogates and code points above U+10FFFF are invalid, as in Go's
 * unicode/utf8 (what Prometheus checks label values with). */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
	size_t len = s[0] < 0x80 ? 1 : s[0] < 0xC2 ? 0 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3
		   : s[0] < 0xF5 ? 4 : 0;
	unsigned char lo = 0x80, hi = 0xBF;

	if (len == 0 || len > n)
		return 0;
	if (s[0] == 0xE0)
		lo = 0xA0;
	else if (s[0] == 0xED)
		hi = 0x9F;
	else if (s[0] == 0xF0)
		lo = 0x90;
	else if (s[0] == 0xF4)
		hi = 0x8F;
	if (len > 1 && (s[1] < lo || s[1] > hi))
		return 0;
	for (size_t i = 2; i < len; i++)
		if ((s[i] & 0xC0) != 0x80)
			return 0;
	return len;
}

size_t str_utf8_valid_prefix(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t at = 0, k;

	while (at < n) {
		if (u[at] < 0x80) {
			at++;
			continue;
		}
		if ((k = utf8_seq(u + at, n - at)) == 0)
			break;
		at += k;
	}
	return at;
}

size_t str_utf8_repair(char *s)
{
	size_t n = strlen(s), at = 0, fixed = 0;

	while ((at += str_utf8_valid_prefix(s + at, n - at)) < n) {
		s[at++] = '?';
		fixed++;
	}
	return fixed;
}

/* The significant digits of d (at most 17, no trailing zeros) into digits, and the decimal
 * exponent of the first one: the fewest that strtod reads back as d. */
static void shortest_digits(double d, char *digits, int *exp10)
{
	char tmp[STR_DOUBLE_SIZE];
	const char *p;
	size_t n = 0;

	for (int prec = 0; prec < 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* "-d.ddde+XX"; the radix character depends on the locale, so skip any non-digit. */
	for (p = tmp; *p != 'e'; p++)
		if (isdigit((unsigned char)*p))
			digits[n++] = *p;
	while (n > 1 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	*exp10 = atoi(p + 1);
}

/* Appends n copies of c at *p. */
static void put_run(char **p, char c, int n)
{
	while (n-- > 0)
		*(*p)++ = c;
}

char *str_double(double d, char *buf)
{
	char digits[24], *p = buf;
	int e, n, point;

	if (d != d || d - d != 0) /* NaN or infinite */
		return strcpy(buf, d != d ? "NaN" : d < 0 ? "-Infinity" : "Infinity");
	shortest_digits(d, digits, &e);
	n = (int)strlen(digits);
	point = e + 1; /* how many digits stand before the decimal point */
	if (signbit(d))
		*p++ = '-';
	if (point < -3 || point > 16) { /* repr()'s switch to exponent notation */
		*p++ = digits[0];
		if (n > 1)
			*p++ = '.';
		p = stpcpy(p, digits + 1);
		snprintf(p, 8, "e%c%02d", e < 0 ? '-' : '+', abs(e) % 1000); /* |e| <= 324 */
		return buf;
	}
	if (point <= 0) {
		p = stpcpy(p, "0.");
		put_run(&p, '0', -point);
		p = stpcpy(p, digits);
	} else if (point >= n) {
		p = stpcpy(p, digits);
		put_run(&p, '0', point - n);
		p = stpcpy(p, ".0");
	} else {
		p = mempcpy(p, digits, (size_t)point);
		*p++ = '.';
		p = stpcpy(p, digits + point);
	}
	*p = '\0';
	return buf;
}
