/* Matching a method and path against a list of routes: pure, so it is unit-tested alone. */
#ifndef LMCA_ROUTE_MATCH_H
#define LMCA_ROUTE_MATCH_H

#include <stdbool.h>
#include <stddef.h>

struct route {
	const char *method; /* "GET", "POST", ... or "*" for any */
	const char *path;   /* exact path, no query string */
	bool builtin;
	void *data; /* what the owner dispatches to */
};

/* Index of the route for method and path, or -1 with *status 404 (no such path) or 405
 * (path known, method not). HEAD matches GET; one trailing slash is ignored. */
int route_find(const struct route *routes, size_t n, const char *method, const char *path,
               int *status);

/* The methods routes accept on path, comma-separated ("GET, HEAD, POST"), for a 405's
 * Allow header; the caller frees it. "" when the path is unknown. */
char *route_allowed(const struct route *routes, size_t n, const char *path);

/* Whether a new route (method, path) may be added: 0, or -1 with *cause. A host route may
 * not use the path of a built-in one nor repeat a method and path already taken. */
int route_check_new(const struct route *routes, size_t n, const char *method,
                    const char *path, char **cause);

#endif
