/* Route patterns, percent-decoding and hop-by-hop header filtering. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "tap.h"

static char *cap(const struct path_match *m, size_t i)
{
	return strndup(m->cap[i].p, m->cap[i].len);
}

static void test_match(void)
{
	struct path_match m;
	char *s;

	ok(path_match("/health", "/health", &m), "exact");
	ok(path_match("/health", "/health?x=1", &m), "query ignored");
	ok(!path_match("/health", "/health/", &m), "trailing slash differs");
	ok(!path_match("/api/nodes", "/api/nodesx", &m), "prefix is not a match");
	ok(path_match("/api/proxies/{}/nodes", "/api/proxies/p1/nodes", &m) && m.ncap == 1,
	   "one capture");
	s = cap(&m, 0);
	is_str(s, "p1", "captured p1");
	free(s);
	ok(!path_match("/api/proxies/{}/nodes", "/api/proxies//nodes", &m), "empty capture");
	ok(path_match("/proxy2/{}/**", "/proxy2/n1/metrics?a=b", &m), "proxy2 with path");
	is_str(m.rest, "/metrics?a=b", "rest keeps the query");
	ok(path_match("/proxy2/{}/**", "/proxy2/n1", &m) && *m.rest == '\0', "proxy2 without path");
	ok(path_match("/proxy2/{}/**", "/proxy2/p/proxy2/leaf/x", &m), "two hops");
	is_str(m.rest, "/proxy2/leaf/x", "two hops: inner path");
	ok(path_match("/proxy/{}/{}/**", "/proxy/localhost/%2Ftmp%2Fs_6999/version", &m) &&
		   m.ncap == 2, "proxy by address");
	s = cap(&m, 1);
	is_str(s, "%2Ftmp%2Fs_6999", "socket segment raw");
	free(s);
	is_str(m.rest, "/version", "proxy rest");
}

static void test_decode(void)
{
	char *s = path_decode("%2Ftmp%2fs_1", 12);

	is_str(s, "/tmp/s_1", "decodes both cases");
	free(s);
	ok(path_decode("%2", 2) == NULL, "truncated escape");
	ok(path_decode("%zz", 3) == NULL, "bad hex");
	ok(path_decode("a%00b", 5) == NULL, "NUL refused");
	s = path_decode("a+b", 3);
	is_str(s, "a+b", "plus is literal in a path");
	free(s);
}

static void test_headers(void)
{
	const char *hop[] = { "Connection", "keep-alive", "TE", "Trailers", "Transfer-Encoding",
			      "Upgrade", "Proxy-Authorization", "proxy-authenticate" };

	for (size_t i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		ok(path_hop_by_hop(hop[i]), hop[i]);
	ok(!path_hop_by_hop("Content-Type"), "content-type is end-to-end");
	ok(!path_hop_by_hop("Authorization"), "authorization is end-to-end");
	ok(path_request_header_dropped("Host"), "host set by the forwarder");
	ok(path_request_header_dropped("content-length"), "length set by the forwarder");
	ok(!path_request_header_dropped("Accept"), "accept forwarded");
}

int main(void)
{
	no_plan();
	test_match();
	test_decode();
	test_headers();
	return done_testing();
}
