/* Route matching (see route-match.h). */
#include "config.h"
#include "route-match.h"
#include "xalloc.h"

#include <string.h>

/* Compares paths ignoring one trailing slash on either side ("/conf/" is "/conf"). */
static bool path_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 1 && a[la - 1] == '/')
		la--;
	if (lb > 1 && b[lb - 1] == '/')
		lb--;
	return la == lb && memcmp(a, b, la) == 0;
}

static bool method_matches(const char *route_method, const char *method)
{
	if (strcmp(route_method, "*") == 0 || strcmp(route_method, method) == 0)
		return true;
	return strcmp(method, "HEAD") == 0 && strcmp(route_method, "GET") == 0;
}

int route_find(const struct route *routes, size_t n, const char *method, const char *path,
               int *status)
{
	bool path_known = false;

	for (size_t i = 0; i < n; i++) {
		if (!path_equal(routes[i].path, path))
			continue;
		path_known = true;
		if (method_matches(routes[i].method, method))
			return (int)i;
	}
	*status = path_known ? 405 : 404;
	return -1;
}

static void add_method(char *out, size_t size, const char *m)
{
	size_t len = strlen(m);
	const char *p = out;

	/* Skip duplicates (a path may be served by several host routes). */
	while ((p = strstr(p, m)) != NULL) {
		if ((p == out || p[-1] == ' ') && (p[len] == ',' || p[len] == '\0'))
			return;
		p += len;
	}
	if (*out)
		strncat(out, ", ", size - strlen(out) - 1);
	strncat(out, m, size - strlen(out) - 1);
}

char *route_allowed(const struct route *routes, size_t n, const char *path)
{
	char out[256] = "";

	for (size_t i = 0; i < n; i++) {
		if (!path_equal(routes[i].path, path))
			continue;
		if (strcmp(routes[i].method, "*") == 0)
			return xstrdup("*");
		add_method(out, sizeof out, routes[i].method);
		if (strcmp(routes[i].method, "GET") == 0)
			add_method(out, sizeof out, "HEAD");
	}
	return xstrdup(out);
}

static bool valid_method(const char *m)
{
	if (strcmp(m, "*") == 0)
		return true;
	if (*m == '\0')
		return false;
	for (; *m; m++)
		if (*m < 'A' || *m > 'Z')
			return false;
	return true;
}

int route_check_new(const struct route *routes, size_t n, const char *method,
                    const char *path, char **cause)
{
	if (method == NULL || !valid_method(method)) {
		*cause = xasprintf("invalid method '%s'", method ? method : "(null)");
		return -1;
	}
	if (path == NULL || path[0] != '/' || strchr(path, '?') != NULL) {
		*cause = xasprintf("invalid path '%s': must start with '/' and have no query",
		                   path ? path : "(null)");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!path_equal(routes[i].path, path))
			continue;
		if (routes[i].builtin) {
			*cause = xasprintf("%s is a built-in endpoint", path);
			return -1;
		}
		if (strcmp(routes[i].method, method) == 0 || strcmp(routes[i].method, "*") == 0 ||
		    strcmp(method, "*") == 0) {
			*cause = xasprintf("route %s %s already exists", method, path);
			return -1;
		}
	}
	return 0;
}
