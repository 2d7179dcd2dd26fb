/* The load generator's response framing (tests/bench/http-resp.c): a wrong length would
 * make every benchmark figure wrong (stalled or mis-split keep-alive responses). */
#include "config.h"
#include "http-resp.h"
#include "tap.h"

#include <string.h>

static size_t len_of(const char *s, int *status, bool *close_after)
{
	return http_response_len(s, strlen(s), status, close_after);
}

static void test_content_length(void)
{
	const char *r = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1 200 OK\r\n";
	int st = 0;
	bool cl = true;

	is_int((int)len_of(r, &st, &cl), 43, "Content-Length: the first response only");
	is_int(st, 200, "status read");
	ok(!cl, "keep-alive by default");
	is_int((int)len_of("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel", &st, &cl), 0,
	       "incomplete body: not yet");
	is_int((int)len_of("HTTP/1.1 200 OK\r\nContent-Len", &st, &cl), 0,
	       "incomplete headers: not yet");
	is_int((int)len_of("HTTP/1.1 404 Not Found\r\ncontent-length:0\r\n\r\n", &st, &cl), 44,
	       "header names are case-insensitive, no space after the colon");
	is_int(st, 404, "non-2xx status");
}

static void test_chunked(void)
{
	const char *r = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
	                "5\r\nhello\r\na\r\n0123456789\r\n0\r\n\r\n";
	int st;
	bool cl;

	is_int((int)len_of(r, &st, &cl), (int)strlen(r), "chunked: up to the last chunk");
	is_int((int)http_response_len(r, strlen(r) - 2, &st, &cl), 0,
	       "chunked without the final CRLF: not yet");
	is_int((int)http_response_len(r, strlen(r) - 12, &st, &cl), 0,
	       "chunked cut inside a chunk: not yet");
	is_int((int)http_chunked_len("0\r\n\r\n", 5), 5, "empty chunked body");
	is_int((int)http_chunked_len("3\r\nab", 6), 0, "short chunk");
}

static void test_close_and_no_body(void)
{
	int st;
	bool cl = false;

	is_int((int)len_of("HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n", &st, &cl),
	       46, "no length: no body");
	ok(cl, "Connection: close seen");
	is_int((int)len_of("HTTP/1.1 200 OK\r\nX-Connection: close\r\n\r\n", &st, &cl), 40,
	       "a header ending in Connection is not Connection");
	ok(!cl, "... and does not close");
}

int main(void)
{
	plan(16);
	test_content_length();
	test_chunked();
	test_close_and_no_body();
	return done_testing();
}
