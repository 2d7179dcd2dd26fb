/* The frontend's parser of a node's answer (src/frontend/up-parse.c): framing by length,
 * chunks and the connection's end; 1xx interim answers; every malformed piece refused with
 * its reason; the same result however the bytes are split across reads. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "up-parse.h"

struct result {
	char headers[512];
	char body[512];
	size_t blen;
	const char *error;
	unsigned int status;
	bool done, keep_alive;
};

static void on_header(void *cls, const char *name, size_t nlen, const char *value, size_t vlen)
{
	struct result *r = cls;
	size_t k = strlen(r->headers);

	snprintf(r->headers + k, sizeof(r->headers) - k, "%.*s=%.*s;", (int)nlen, name, (int)vlen,
		 value);
}

/* Feeds the answer s in reads of at most step bytes (the head accumulated as a connection
 * does); eof: the connection ends after it. */
static void run(const char *s, size_t step, bool head_req, bool eof, struct result *r)
{
	struct up_parse p;
	size_t n = strlen(s), have = 0, off = 0;
	ssize_t k;

	memset(r, 0, sizeof(*r));
	up_parse_init(&p, head_req);
	while (p.state == UP_HEAD && have < n) {
		have = have + step < n ? have + step : n;
		if ((k = up_parse_head(&p, s, have, on_header, r)) < 0)
			break;
		off = (size_t)k;
	}
	for (size_t end = off; p.state != UP_ERROR && p.state != UP_DONE && off < n;) {
		const char *d;
		size_t dl;

		end = end + step < n ? end + step : n;
		while (off < end && p.state != UP_DONE && p.state != UP_ERROR) {
			if ((k = up_parse_body(&p, s + off, end - off, &d, &dl)) < 0)
				break;
			memcpy(r->body + r->blen, d, dl);
			r->blen += dl;
			off += (size_t)k;
		}
	}
	if (eof && p.state != UP_ERROR)
		up_parse_eof(&p);
	r->body[r->blen] = '\0';
	r->error = p.state == UP_ERROR ? p.error : NULL;
	r->status = p.status;
	r->done = p.state == UP_DONE;
	r->keep_alive = p.keep_alive;
}

/* The same outcome for every read size from 1 byte to the whole. */
static void same_split(const char *name, const char *s, bool head_req, bool eof,
		       const struct result *want)
{
	struct result r;
	bool same = true;

	for (size_t step = 1; step <= strlen(s) && same; step++) {
		run(s, step, head_req, eof, &r);
		same = r.done == want->done && r.status == want->status &&
		       strcmp(r.body, want->body) == 0 && strcmp(r.headers, want->headers) == 0 &&
		       (r.error == NULL) == (want->error == NULL) && r.keep_alive == want->keep_alive;
		if (!same)
			printf("# differs at step %zu: body '%s' error %s\n", step, r.body,
			       r.error ? r.error : "-");
	}
	ok(same, name);
}

static void good(const char *name, const char *s, bool head_req, bool eof, unsigned int status,
		 const char *headers, const char *body, bool keep_alive)
{
	struct result r;
	char what[160];

	run(s, strlen(s), head_req, eof, &r);
	snprintf(what, sizeof(what), "%s: complete", name);
	ok(r.done && r.error == NULL, what);
	if (r.error)
		printf("#   error: %s\n", r.error);
	is_int(r.status, status, name);
	is_str(r.headers, headers, name);
	is_str(r.body, body, name);
	snprintf(what, sizeof(what), "%s: keep-alive %d", name, keep_alive);
	ok(r.keep_alive == keep_alive, what);
	snprintf(what, sizeof(what), "%s: split anywhere", name);
	same_split(what, s, head_req, eof, &r);
}

static void bad(const char *name, const char *s, const char *reason)
{
	struct result r;
	char what[160];

	run(s, strlen(s), false, true, &r);
	is_str(r.error, reason, name);
	snprintf(what, sizeof(what), "%s: split anywhere", name);
	same_split(what, s, false, true, &r);
}

static void test_framing(void)
{
	good("length", "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
	     false, false, 200, "Content-Type=text/plain;Content-Length=5;", "hello", true);
	good("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
			"5\r\nhello\r\n1;ext=1\r\n!\r\nA\r\n0123456789\r\n0\r\nX-T: 1\r\n\r\n",
	     false, false, 200, "Transfer-Encoding=chunked;", "hello!0123456789", true);
	good("bare LF lines", "HTTP/1.1 404 Not Found\nContent-Length: 2\n\nno", false, false, 404,
	     "Content-Length=2;", "no", true);
	good("close-delimited", "HTTP/1.1 200 OK\r\nX-A:  spaced  \r\n\r\nuntil the end", false,
	     true, 200, "X-A=spaced;", "until the end", false);
	good("HTTP/1.0", "HTTP/1.0 200 OK\r\nContent-Length: 1\r\n\r\nx", false, false, 200,
	     "Content-Length=1;", "x", false);
	good("Connection: close", "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\n"
				  "Content-Length: 0\r\n\r\n",
	     false, false, 200, "Connection=keep-alive, Close;Content-Length=0;", "", false);
	good("HEAD", "HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n", true, false, 200,
	     "Content-Length=99;", "", true);
	good("204", "HTTP/1.1 204 No Content\r\n\r\n", false, false, 204, "", "", true);
	good("100 skipped", "HTTP/1.1 100 Continue\r\nX-I: 1\r\n\r\nHTTP/1.1 201 Created\r\n"
			    "Content-Length: 2\r\n\r\nok",
	     false, false, 201, "Content-Length=2;", "ok", true);
	good("both: chunked wins, no reuse", "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n"
					     "Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n0\r\n\r\n",
	     false, false, 200, "Content-Length=50;Transfer-Encoding=chunked;", "ab", false);
	good("equal lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\ncontent-length: 1\r\n\r\nz",
	     false, false, 200, "Content-Length=1;content-length=1;", "z", true);
}

static void test_malformed(void)
{
	bad("not HTTP", "HTTX/1.1 200 OK\r\n\r\n", "malformed status line in the answer");
	bad("status of 2 digits", "HTTP/1.1 20 OK\r\n\r\n", "malformed status line in the answer");
	bad("status 600", "HTTP/1.1 600 X\r\n\r\n", "malformed status line in the answer");
	bad("HTTP/2 line", "HTTP/2 200 OK\r\n\r\n", "malformed status line in the answer");
	bad("101", "HTTP/1.1 101 Switching\r\n\r\n", "the node switched protocols");
	bad("no colon", "HTTP/1.1 200 OK\r\nBroken\r\n\r\n", "malformed header line in the answer");
	bad("space before colon", "HTTP/1.1 200 OK\r\nX-A : 1\r\n\r\n",
	    "malformed header line in the answer");
	bad("folded", "HTTP/1.1 200 OK\r\nX-A: 1\r\n 2\r\n\r\n", "folded header line in the answer");
	bad("control in value", "HTTP/1.1 200 OK\r\nX-A: a\x01z\r\n\r\n",
	    "malformed header value in the answer");
	bad("CR in value", "HTTP/1.1 200 OK\r\nX-A: a\rb\r\n\r\n",
	    "malformed header value in the answer");
	bad("negative length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
	    "malformed Content-Length in the answer");
	bad("huge length", "HTTP/1.1 200 OK\r\nContent-Length: 1234567890123456789\r\n\r\n",
	    "malformed Content-Length in the answer");
	bad("two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n",
	    "conflicting Content-Length headers in the answer");
	bad("gzip coding", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
	    "unsupported Transfer-Encoding in the answer");
	bad("chunk size not hex", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
	    "malformed chunk size in the answer");
	bad("empty chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n",
	    "malformed chunk size in the answer");
	bad("chunk size overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
				   "10000000000000000\r\n",
	    "chunk size too large in the answer");
	bad("chunk longer than its size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
					  "2\r\nabc\r\n0\r\n\r\n",
	    "chunk data longer than its size in the answer");
	bad("CR without LF", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\rab",
	    "malformed chunk size in the answer");
}

/* Sizes are bounded: a head, a chunk-size line and trailers past their limits. */
static void test_bounds(void)
{
	size_t n = UP_HEAD_MAX + 100;
	char *s = malloc(n + 1);
	struct up_parse p;

	memcpy(s, "HTTP/1.1 200 OK\r\nX: ", 20);
	memset(s + 20, 'a', n - 20);
	s[n] = '\0';
	up_parse_init(&p, false);
	is_int(up_parse_head(&p, s, UP_HEAD_MAX - 1, NULL, NULL), 0, "head below the limit: more");
	is_int(up_parse_head(&p, s, n, NULL, NULL), -1, "head past the limit: refused");
	is_str(p.error, "answer head larger than 64 KiB", "head limit's reason");
	memcpy(s, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;", 49);
	memset(s + 49, 'e', UP_CHUNK_LINE_MAX + 10);
	s[49 + UP_CHUNK_LINE_MAX + 10] = '\0';
	{
		struct result r;

		run(s, 4096, false, false, &r);
		is_str(r.error, "chunk-size line too long in the answer", "long extension");
	}
	free(s);
	{
		char many[8192] = "HTTP/1.1 200 OK\r\n";

		for (int i = 0; i <= UP_HEADERS_MAX; i++)
			strcat(many, "X: 1\r\n");
		strcat(many, "\r\n");
		bad("too many headers", many, "too many header lines in the answer");
	}
}

int main(void)
{
	no_plan();
	test_framing();
	test_malformed();
	test_bounds();
	return done_testing();
}
