/* HTTP/1.1 response framing for the load generator: where one response ends in a stream
 * of keep-alive responses (Content-Length, chunked, or no body). */
#include "config.h"
#include "http-resp.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The length of a chunked body at p (n bytes), or 0 while incomplete. Trailers are not
 * expected from the servers measured here. */
size_t http_chunked_len(const char *p, size_t n)
{
	size_t off = 0;

	for (;;) {
		const char *eol = memmem(p + off, n - off, "\r\n", 2);
		unsigned long size;

		if (!eol)
			return 0;
		size = strtoul(p + off, NULL, 16);
		off = (size_t)(eol - p) + 2;
		if (size == 0)
			return n - off >= 2 ? off + 2 : 0;
		if (n - off < size + 2)
			return 0;
		off += size + 2;
	}
}

/* The value of header NAME in the header block [h, end), or NULL. */
static const char *header(const char *h, const char *end, const char *name)
{
	size_t len = strlen(name);

	for (const char *l = memmem(h, (size_t)(end - h), "\r\n", 2); l && l < end;
	     l = memmem(l + 2, (size_t)(end - l - 2), "\r\n", 2)) {
		const char *v = l + 2;

		if ((size_t)(end - v) > len && strncasecmp(v, name, len) == 0 && v[len] == ':')
			return v + len + 1 + strspn(v + len + 1, " \t");
	}
	return NULL;
}

/* The total length of the first complete response in p (n bytes), or 0 while incomplete;
 * sets *status and *close_after. */
size_t http_response_len(const char *p, size_t n, int *status, bool *close_after)
{
	const char *hend = n ? memmem(p, n, "\r\n\r\n", 4) : NULL;
	const char *v;
	size_t hlen, body;

	if (!hend)
		return 0;
	hlen = (size_t)(hend - p) + 4;
	*status = n > 12 ? atoi(p + 9) : 0;
	v = header(p, hend + 2, "Connection");
	*close_after = v && strncasecmp(v, "close", 5) == 0;
	if ((v = header(p, hend + 2, "Content-Length")))
		body = strtoul(v, NULL, 10);
	else if ((v = header(p, hend + 2, "Transfer-Encoding")) &&
	         strncasecmp(v, "chunked", 7) == 0) {
		body = http_chunked_len(p + hlen, n - hlen);
		if (body == 0)
			return 0;
	} else
		body = 0;
	return n >= hlen + body ? hlen + body : 0;
}
