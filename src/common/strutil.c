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
