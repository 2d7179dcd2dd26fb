/* Route patterns and header filters; see paths.h. */
#include "config.h"
#include "paths.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

size_t path_length(const char *uri, const char **query)
{
	const char *q = strchr(uri, '?');

	if (query != NULL)
		*query = q ? q + 1 : "";
	return q ? (size_t)(q - uri) : strlen(uri);
}

/* Matches one pattern segment [pat, pat_end) against the path at *at. */
static bool match_segment(const char *pat, size_t plen, const char **at, const char *end,
			  struct path_match *m)
{
	const char *seg = *at, *stop = memchr(seg, '/', (size_t)(end - seg));
	size_t len = stop ? (size_t)(stop - seg) : (size_t)(end - seg);

	if (plen == 2 && memcmp(pat, "{}", 2) == 0) {
		if (len == 0 || m->ncap == PATH_MAX_CAPTURES)
			return false;
		m->cap[m->ncap++] = (struct path_seg){ seg, len };
	} else if (len != plen || memcmp(pat, seg, len) != 0) {
		return false;
	}
	*at = seg + len;
	return true;
}

bool path_match(const char *pattern, const char *uri, struct path_match *m)
{
	const char *end = uri + path_length(uri, NULL), *at = uri, *pat = pattern;

	memset(m, 0, sizeof(*m));
	while (*pat == '/') {
		const char *pend = strchr(pat + 1, '/');
		size_t plen = pend ? (size_t)(pend - pat - 1) : strlen(pat + 1);

		if (plen == 2 && memcmp(pat + 1, "**", 2) == 0) {
			if (at != end && *at != '/')
				return false;
			m->rest = at; /* "/..." with the query, or "" */
			return true;
		}
		if (at == end || *at != '/')
			return false;
		at++;
		if (!match_segment(pat + 1, plen, &at, end, m))
			return false;
		pat += 1 + plen;
	}
	return at == end;
}

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

char *path_decode(const char *p, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;

	for (size_t i = 0; i < len; i++) {
		if (p[i] != '%') {
			*o++ = p[i];
			continue;
		}
		if (i + 2 >= len || hex(p[i + 1]) < 0 || hex(p[i + 2]) < 0)
			goto bad;
		*o = (char)(hex(p[i + 1]) * 16 + hex(p[i + 2]));
		if (*o++ == '\0')
			goto bad;
		i += 2;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(name, *list) == 0)
			return true;
	return false;
}

bool path_hop_by_hop(const char *name)
{
	static const char *const hop[] = { "connection", "keep-alive", "te", "trailer", "trailers",
					   "transfer-encoding", "upgrade", NULL };

	return in_list(name, hop) || strncasecmp(name, "proxy-", 6) == 0;
}

bool path_request_header_dropped(const char *name)
{
	static const char *const own[] = { "host", "content-length", "expect", NULL };

	return path_hop_by_hop(name) || in_list(name, own);
}
