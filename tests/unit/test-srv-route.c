/* The server core without a server: patterns, the HEAD rule, 404/405, adding routes. */
#include "config.h"
#include "srv.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static const struct srv_route routes[] = {
	{ "GET", "/metrics", NULL, NULL, SRV_RESERVED, 0 },
	{ "POST", "/metrics/reset", NULL, NULL, SRV_RESERVED, 0 },
	{ "GET", "/conf", NULL, NULL, SRV_RESERVED, 0 },
	{ "POST", "/conf", NULL, NULL, SRV_RESERVED, 0 },
	{ "DELETE", "/cache/clear", NULL, NULL, 0, 0 },
	{ NULL, "/any", NULL, NULL, 0, 0 },
	{ "GET", "/beat", NULL, NULL, SRV_NO_HEAD, 0 },
	{ "GET", "/lit/{}", NULL, NULL, SRV_LITERAL, 0 },
};
#define N (sizeof(routes) / sizeof(routes[0]))

static int find(const char *method, const char *uri, bool lax, int *status)
{
	struct srv_match m;

	*status = 0;
	return srv_route_find(routes, N, method, uri, lax, &m, status);
}

static int check_new_flags(const char *method, const char *path, unsigned int flags)
{
	char *cause = NULL;
	int rc = srv_route_check_new(routes, N, method, path, flags, &cause);

	ok(rc == 0 ? cause == NULL : cause != NULL, "a refusal says why");
	free(cause);
	return rc;
}

static int check_new(const char *method, const char *path)
{
	return check_new_flags(method, path, 0);
}

static char *cap(const struct srv_match *m, size_t i)
{
	return strndup(m->cap[i].p, m->cap[i].len);
}

static void test_find(void)
{
	int status;

	is_int(find("GET", "/metrics", true, &status), 0, "exact GET");
	is_int(find("POST", "/conf", true, &status), 3, "method selects among routes of one path");
	is_int(find("HEAD", "/metrics", true, &status), 0, "HEAD matches GET");
	is_int(find("GET", "/conf/", true, &status), 2, "lax: a trailing slash is ignored");
	is_int(find("GET", "/conf/", false, &status), -1, "strict: a trailing slash differs");
	is_int(find("GET", "/conf?x=1", false, &status), 2, "the query is not the path");
	is_int(find("GET", "/co%6ef", false, &status), 2, "literal segments match decoded");
	is_int(find("GET", "/nope", true, &status), -1, "unknown path");
	is_int(status, 404, "unknown path is 404");
	is_int(find("PUT", "/metrics", true, &status), -1, "wrong method");
	is_int(status, 405, "wrong method is 405");
	is_int(find("GET", "/metrics/reset", true, &status), -1, "GET on a POST route");
	is_int(status, 405, "... is 405");
	is_int(find("GET", "/metric", true, &status), -1, "no prefix matching");
	is_int(status, 404, "prefix is 404");
	is_int(find("PATCH", "/any", true, &status), 5, "NULL matches any method");
	is_int(find("DELETE", "/cache/clear", true, &status), 4, "host route found");
	is_int(find("GET", "/beat", true, &status), 6, "GET of a state-changing route");
	is_int(find("HEAD", "/beat", true, &status), -1, "SRV_NO_HEAD: HEAD is not a GET");
	is_int(status, 405, "... but 405");
	is_int(find("GET", "/lit/{}", true, &status), 7, "SRV_LITERAL: braces are text");
	is_int(find("GET", "/lit/x", true, &status), -1, "SRV_LITERAL: no capture");
}

static void test_allowed(void)
{
	char *a = srv_route_allowed(routes, N, "/conf", true);

	is_str(a, "GET, HEAD, POST", "Allow lists the methods of a path");
	free(a);
	a = srv_route_allowed(routes, N, "/metrics/reset/", true);
	is_str(a, "POST", "Allow of a POST-only path");
	free(a);
	a = srv_route_allowed(routes, N, "/beat", true);
	is_str(a, "GET", "no HEAD in Allow of a SRV_NO_HEAD route");
	free(a);
	a = srv_route_allowed(routes, N, "/nope", true);
	is_str(a, "", "Allow of an unknown path is empty");
	free(a);
}

static void test_check_new(void)
{
	is_int(check_new("GET", "/backends"), 0, "a new host route is accepted");
	is_int(check_new("GET", "/metrics"), -1, "a built-in cannot be replaced");
	is_int(check_new("DELETE", "/metrics"), -1, "nor its path taken with another method");
	is_int(check_new("DELETE", "/cache/clear"), -1, "a host route cannot be repeated");
	is_int(check_new("GET", "/cache/clear"), 0, "another method on a host path is fine");
	is_int(check_new("GET", "/any"), -1, "an any-method route takes every method");
	is_int(check_new(NULL, "/cache/clear"), -1, "an any-method route takes every path's method");
	is_int(check_new_flags("DELETE", "/metrics", SRV_RESERVED), 0,
	       "a built-in may share a built-in's path");
	is_int(check_new_flags("GET", "/metrics", SRV_RESERVED), -1, "but not its method");
	is_int(check_new("get", "/x"), -1, "lower-case method refused");
	is_int(check_new("GET", "x"), -1, "relative path refused");
	is_int(check_new("GET", "/x?y=1"), -1, "query in path refused");
}

static void test_patterns(void)
{
	struct srv_match m;
	char *s;

	ok(srv_path_match("/health", 0, "/health?x=1", false, &m), "query ignored");
	ok(!srv_path_match("/api/nodes", 0, "/api/nodesx", false, &m), "prefix is not a match");
	ok(srv_path_match("/api/proxies/{}/nodes", 0, "/api/proxies/p1/nodes", false, &m) &&
		   m.ncap == 1, "one capture");
	s = cap(&m, 0);
	is_str(s, "p1", "captured p1");
	free(s);
	ok(!srv_path_match("/api/proxies/{}/nodes", 0, "/api/proxies//nodes", false, &m),
	   "empty capture");
	ok(srv_path_match("/proxy2/{}/**", 0, "/proxy2/n1/metrics?a=b", false, &m),
	   "proxy2 with path");
	is_str(m.rest, "/metrics?a=b", "rest keeps the query");
	ok(srv_path_match("/proxy2/{}/**", 0, "/proxy2/n1", false, &m) && *m.rest == '\0',
	   "proxy2 without path");
	ok(srv_path_match("/proxy2/{}/**", 0, "/proxy2/p/proxy2/leaf/x", false, &m), "two hops");
	is_str(m.rest, "/proxy2/leaf/x", "two hops: inner path");
	ok(srv_path_match("/proxy/{}/{}/**", 0, "/proxy/localhost/%2Ftmp%2Fs_6999/version", false,
			  &m) && m.ncap == 2, "proxy by address");
	s = cap(&m, 1);
	is_str(s, "%2Ftmp%2Fs_6999", "socket segment raw");
	free(s);
	is_str(m.rest, "/version", "proxy rest");
	ok(srv_path_match("/", 0, "/", true, &m), "the root");
}

static void test_decode(void)
{
	char *s = srv_decode("%2Ftmp%2fs_1", 12);

	is_str(s, "/tmp/s_1", "decodes both cases");
	free(s);
	ok(srv_decode("%2", 2) == NULL, "truncated escape");
	ok(srv_decode("%zz", 3) == NULL, "bad hex");
	ok(srv_decode("a%00b", 5) == NULL, "NUL refused");
	s = srv_decode("a+b", 3);
	is_str(s, "a+b", "plus is literal in a path");
	free(s);
}

static void test_detail(void)
{
	struct srv_reply rp = { 0 };

	srv_reply_detail(&rp, 404, "Not Found");
	is_int((int)rp.status, 404, "status set");
	is_str(rp.content_type, "application/json", "FastAPI's content type");
	is_str(rp.body, "{\"detail\":\"Not Found\"}", "FastAPI's shape");
	srv_reply_clear(&rp);
}

int main(void)
{
	no_plan();
	test_find();
	test_allowed();
	test_check_new();
	test_patterns();
	test_decode();
	test_detail();
	return done_testing();
}
