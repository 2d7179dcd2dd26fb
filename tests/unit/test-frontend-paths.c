/* Path and query of a URI, hop-by-hop header filtering (patterns: test-srv-route.c). */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "paths.h"
#include "tap.h"

static void test_length(void)
{
	const char *q;

	is_int((int)path_length("/metrics?a=b", &q), 8, "path part ends at '?'");
	is_str(q, "a=b", "query without the '?'");
	is_int((int)path_length("/metrics", &q), 8, "no query");
	is_str(q, "", "empty query");
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
	test_length();
	test_headers();
	return done_testing();
}
