/* Route matching (pure, unit-tested alone) and the route table. */
#include "config.h"
#include "srv.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "xalloc.h"

static int hex(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c |= 0x20;
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* The next decoded byte of raw at *i (advancing it), or -1 for a malformed escape. */
static int next_byte(const char *raw, size_t len, size_t *i)
{
	int c;

	if (raw[*i] != '%')
		return (unsigned char)raw[(*i)++];
	if (*i + 2 >= len || hex(raw[*i + 1]) < 0 || hex(raw[*i + 2]) < 0)
		return -1;
	c = hex(raw[*i + 1]) * 16 + hex(raw[*i + 2]);
	*i += 3;
	return c;
}

char *srv_decode(const char *p, size_t len)
{
	char *out = xmalloc(len + 1), *o = out;
	size_t i = 0;
	int c;

	while (i < len) {
		if ((c = next_byte(p, len, &i)) <= 0) {
			free(out);
			return NULL;
		}
		*o++ = (char)c;
	}
	*o = '\0';
	return out;
}

/* Whether the raw (percent-encoded) text equals the literal lit once decoded. */
static bool literal_equal(const char *lit, size_t llen, const char *raw, size_t rlen)
{
	size_t i = 0, j = 0;
	int c;

	if (memchr(raw, '%', rlen) == NULL)
		return llen == rlen && memcmp(lit, raw, rlen) == 0;
	while (i < rlen) {
		if (j == llen || (c = next_byte(raw, rlen, &i)) < 0 || (char)c != lit[j++])
			return false;
	}
	return j == llen;
}

/* The end of uri's path part, less one trailing '/' when lax. */
static const char *path_end(const char *uri, bool lax)
{
	const char *end = uri + strcspn(uri, "?");

	if (lax && end - uri > 1 && end[-1] == '/')
		end--;
	return end;
}

/* Matches one pattern segment [pat, pat + plen) against the path at *at. */
static bool match_segment(const char *pat, size_t plen, const char **at, const char *end,
			  struct srv_match *m)
{
	const char *seg = *at, *stop = memchr(seg, '/', (size_t)(end - seg));
	size_t len = stop ? (size_t)(stop - seg) : (size_t)(end - seg);

	if (plen == 2 && memcmp(pat, "{}", 2) == 0) {
		if (len == 0 || m->ncap == SRV_MAX_CAPTURES)
			return false;
		m->cap[m->ncap++] = (struct srv_seg){ seg, len };
	} else if (!literal_equal(pat, plen, seg, len)) {
		return false;
	}
	*at = seg + len;
	return true;
}

bool srv_path_match(const char *pattern, unsigned int flags, const char *uri, bool lax,
		    struct srv_match *m)
{
	const char *end = path_end(uri, lax), *at = uri, *pat = pattern;

	memset(m, 0, sizeof(*m));
	if (flags & SRV_LITERAL)
		return literal_equal(pattern, strlen(pattern), uri, (size_t)(end - uri));
	while (*pat == '/') {
		const char *pend = strchr(pat + 1, '/');
		size_t plen = pend ? (size_t)(pend - pat - 1) : strlen(pat + 1);

		if (plen == 2 && memcmp(pat + 1, "**", 2) == 0) {
			if (at != end && *at != '/')
				return false;
			m->rest = at;
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

static bool method_matches(const struct srv_route *r, const char *method)
{
	if (r->method == NULL || strcmp(r->method, method) == 0)
		return true;
	return strcmp(method, "HEAD") == 0 && strcmp(r->method, "GET") == 0 &&
	       !(r->flags & SRV_NO_HEAD);
}

int srv_route_find(const struct srv_route *routes, size_t n, const char *method,
		   const char *uri, bool lax, struct srv_match *m, int *status)
{
	bool path_known = false;

	for (size_t i = 0; i < n; i++) {
		if (!srv_path_match(routes[i].pattern, routes[i].flags, uri, lax, m))
			continue;
		path_known = true;
		if (method_matches(&routes[i], method))
			return (int)i;
	}
	*status = path_known ? 405 : 404;
	return -1;
}

char *srv_route_allowed(const struct srv_route *routes, size_t n, const char *uri, bool lax)
{
	char out[256] = "";
	struct srv_match m;

	for (size_t i = 0; i < n; i++) {
		if (!srv_path_match(routes[i].pattern, routes[i].flags, uri, lax, &m))
			continue;
		if (routes[i].method == NULL)
			return xstrdup("*");
		str_list_add(out, sizeof(out), routes[i].method);
		if (strcmp(routes[i].method, "GET") == 0 && !(routes[i].flags & SRV_NO_HEAD))
			str_list_add(out, sizeof(out), "HEAD");
	}
	return xstrdup(out);
}

static bool valid_method(const char *m)
{
	if (*m == '\0')
		return false;
	for (; *m; m++)
		if (*m < 'A' || *m > 'Z')
			return false;
	return true;
}

int srv_route_check_new(const struct srv_route *routes, size_t n, const char *method,
			const char *pattern, unsigned int flags, char **cause)
{
	if (method != NULL && !valid_method(method)) {
		*cause = xasprintf("invalid method '%s'", method);
		return -1;
	}
	if (pattern == NULL || pattern[0] != '/' || strchr(pattern, '?') != NULL) {
		*cause = xasprintf("invalid path '%s': must start with '/' and have no query",
				   pattern ? pattern : "(null)");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (strcmp(routes[i].pattern, pattern) != 0)
			continue;
		if ((routes[i].flags & SRV_RESERVED) && !(flags & SRV_RESERVED)) {
			*cause = xasprintf("%s is a built-in endpoint", pattern);
			return -1;
		}
		if (method == NULL || routes[i].method == NULL ||
		    strcmp(routes[i].method, method) == 0) {
			*cause = xasprintf("route %s %s already exists", method ? method : "*",
					   pattern);
			return -1;
		}
	}
	return 0;
}

/* ---- the table ---- */

struct srv_table {
	pthread_rwlock_t lock; /* routes only grow; lookups copy the match under the lock */
	struct srv_route *routes;
	size_t n;
	bool lax;
};

struct srv_table *srv_table_new(bool lax)
{
	struct srv_table *t = xcalloc(1, sizeof(*t));

	pthread_rwlock_init(&t->lock, NULL);
	t->lax = lax;
	return t;
}

void srv_table_free(struct srv_table *t)
{
	if (t == NULL)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free((char *)t->routes[i].method);
		free((char *)t->routes[i].pattern);
		if (t->routes[i].flags & SRV_OWN_DATA)
			free(t->routes[i].data);
	}
	free(t->routes);
	pthread_rwlock_destroy(&t->lock);
	free(t);
}

/* The stored pattern: in a lax table, without one trailing '/'. */
static char *normal_pattern(const struct srv_table *t, const char *p)
{
	size_t len = strlen(p);

	if (t->lax && len > 1 && p[len - 1] == '/')
		len--;
	return xstrndup(p, len);
}

int srv_table_add(struct srv_table *t, const struct srv_route *r, char **cause)
{
	struct srv_route copy = *r;
	char *pattern = r->pattern ? normal_pattern(t, r->pattern) : NULL;

	pthread_rwlock_wrlock(&t->lock);
	if (srv_route_check_new(t->routes, t->n, r->method, pattern, r->flags, cause) < 0) {
		pthread_rwlock_unlock(&t->lock);
		free(pattern);
		return -1;
	}
	copy.method = r->method ? xstrdup(r->method) : NULL;
	copy.pattern = pattern;
	t->routes = xreallocarray(t->routes, t->n + 1, sizeof(*t->routes));
	t->routes[t->n++] = copy;
	pthread_rwlock_unlock(&t->lock);
	return 0;
}

struct srv_table *srv_table_of(const struct srv_route *routes, size_t n, bool lax)
{
	struct srv_table *t = srv_table_new(lax);
	char *why = NULL;

	for (size_t i = 0; i < n; i++) {
		if (srv_table_add(t, &routes[i], &why) < 0) {
			fprintf(stderr, "route table: %s\n", why);
			abort();
		}
	}
	return t;
}

bool srv_table_lookup(struct srv_table *t, struct srv_request *rq, struct srv_route *copy,
		      struct srv_reply *rp)
{
	int status = 404, i;
	char *allow = NULL;

	pthread_rwlock_rdlock(&t->lock);
	i = srv_route_find(t->routes, t->n, rq->method, rq->uri, t->lax, &rq->m, &status);
	if (i >= 0)
		*copy = t->routes[i];
	else if (status == 405)
		allow = srv_route_allowed(t->routes, t->n, rq->uri, t->lax);
	pthread_rwlock_unlock(&t->lock);
	if (i >= 0) {
		rq->route = copy;
		return true;
	}
	srv_reply_detail(rp, (unsigned int)status, status == 405 ? "Method Not Allowed" :
								   "Not Found");
	rp->allow = allow;
	return false;
}
