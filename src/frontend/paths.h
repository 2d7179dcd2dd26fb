/* Pure helpers of the request path: route patterns, URL segments, hop-by-hop headers. */
#ifndef LMC_FRONTEND_PATHS_H
#define LMC_FRONTEND_PATHS_H

#include <stdbool.h>
#include <stddef.h>

#define PATH_MAX_CAPTURES 3

struct path_seg {
	const char *p;
	size_t len;
};

struct path_match {
	struct path_seg cap[PATH_MAX_CAPTURES]; /* raw (still percent-encoded) segments */
	size_t ncap;
	const char *rest; /* after a trailing "**": "/..." or "" */
};

/* Matches the path part of a raw URI (up to '?' or the end) against a pattern where "{}"
 * is one non-empty segment and a final "**" matches any remainder (even none). */
bool path_match(const char *pattern, const char *uri, struct path_match *m);
/* The path part's length and the query ("" when none, else without the '?'). */
size_t path_length(const char *uri, const char **query);
/* Percent-decodes a segment into a fresh string; NULL when it is malformed or holds NUL. */
char *path_decode(const char *p, size_t len);
/* Headers a proxy must not forward (RFC 9110 7.6.1 and LMCache's list). */
bool path_hop_by_hop(const char *name);
/* Request headers the forwarder sets itself (host, content-length, expect) or drops. */
bool path_request_header_dropped(const char *name);

#endif
