/* Splitting one Prometheus text sample line, "name{labels} value [timestamp]", into the
 * series (name with labels, as written) and the value. Label values may hold spaces,
 * braces and escaped quotes. */
#include "config.h"
#include "cli.h"

#include <string.h>

/* The end of a "{...}" label set starting at s (which is '{'), or NULL when unclosed. */
static const char *labels_end(const char *s)
{
	bool quoted = false;

	for (s++; *s; s++) {
		if (quoted && *s == '\\' && s[1] != '\0')
			s++;
		else if (*s == '"')
			quoted = !quoted;
		else if (!quoted && *s == '}')
			return s + 1;
	}
	return NULL;
}

bool prom_split(const char *line, size_t *name_len, size_t *series_len, const char **value,
		size_t *value_len)
{
	const char *p = line + strspn(line, " \t"), *end;

	if (*p == '#' || *p == '\0' || p != line)
		return false;
	*name_len = strcspn(line, " \t{");
	if (*name_len == 0)
		return false;
	end = line + *name_len;
	if (*end == '{' && (end = labels_end(end)) == NULL)
		return false;
	*series_len = (size_t)(end - line);
	end += strspn(end, " \t");
	*value = end;
	*value_len = strcspn(end, " \t");
	return *value_len > 0;
}
