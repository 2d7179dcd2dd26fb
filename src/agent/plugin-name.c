/* The plugin name grammar (docs/protocol.md section 4): the lower-cased stem split on '_';
 * one part runs everywhere; the first part must be "all" or the role; with more than two
 * parts an all-digits second part names the one worker id it runs on. */
#include "config.h"
#include "plugin-name.h"
#include "strutil.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

char *plugin_stem(const char *path)
{
	const char *base = strrchr(path, '/');
	const char *dot;

	base = base ? base + 1 : path;
	/* Python: a leading dot is part of the name, not an extension (".sh" has no suffix). */
	dot = strrchr(base, '.');
	if (dot == NULL || dot == base || dot[1] == '\0')
		return str_lower(xstrdup(base));
	return str_lower(xstrndup(base, (size_t)(dot - base)));
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* Whether the digits in s are exactly the number id (no overflow: long digit strings
 * simply match no worker). */
static bool digits_equal(const char *s, int id)
{
	unsigned long long v;
	char *end;

	if (id < 0)
		return false;
	errno = 0;
	v = strtoull(s, &end, 10);
	return errno == 0 && *end == '\0' && v == (unsigned long long)id;
}

/* Spelled out here so the grammar stays a pure unit without the rest of the agent. */
static const char *role_word(lmca_role role)
{
	return role == LMCA_ROLE_SCHEDULER ? "scheduler" : "worker";
}

static bool parts_eligible(char **parts, size_t n, lmca_role role, int worker_id,
                           const char **why)
{
	if (n < 2)
		return true;
	if (strcmp(parts[0], "all") != 0 && strcmp(parts[0], role_word(role)) != 0) {
		*why = "the name asks for another role";
		return false;
	}
	if (n > 2 && all_digits(parts[1]) && !digits_equal(parts[1], worker_id)) {
		*why = "the name asks for another worker id";
		return false;
	}
	return true;
}

bool plugin_eligible(const char *path, lmca_role role, int worker_id, const char **why)
{
	char *stem = plugin_stem(path);
	size_t n = 0;
	char **parts = str_split(stem, '_', &n);
	const char *reason = NULL;
	bool yes = parts_eligible(parts, n, role, worker_id, &reason);

	if (why)
		*why = reason;
	str_list_free(parts);
	free(stem);
	return yes;
}
