/* The node's answer, strictly (RFC 9112): see up-parse.h. */
#include "config.h"
#include "up-parse.h"

#include <string.h>
#include <strings.h>

void up_parse_init(struct up_parse *p, bool head_request)
{
	*p = (struct up_parse){ .state = UP_HEAD, .head_request = head_request, .length = -1 };
}

static ssize_t fail(struct up_parse *p, const char *why)
{
	p->state = UP_ERROR;
	p->error = why;
	return -1;
}

/* The end of the head in buf (after its empty line), or 0. */
static size_t head_end(const char *buf, size_t n)
{
	for (const char *nl = memchr(buf, '\n', n); nl != NULL;
	     nl = memchr(nl + 1, '\n', n - (size_t)(nl + 1 - buf))) {
		const char *q = nl + 1;

		if (q < buf + n && *q == '\r')
			q++;
		if (q < buf + n && *q == '\n')
			return (size_t)(q + 1 - buf);
	}
	return 0;
}

static bool is_tchar(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

/* Field-value and reason-phrase bytes: visible, blanks, obs-text; no control. */
static bool text_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return false;
	}
	return true;
}

/* "HTTP/1.x SSS reason": the status, or 0 when malformed; *v11 for HTTP/1.1. */
static unsigned int status_line(const char *s, size_t n, bool *v11)
{
	if (n < 12 || memcmp(s, "HTTP/1.", 7) != 0 || (s[7] != '0' && s[7] != '1') ||
	    s[8] != ' ' || (n > 12 && s[12] != ' ') || !text_ok(s + 12, n - 12))
		return 0;
	for (int i = 9; i < 12; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	*v11 = s[7] == '1';
	if (s[9] < '1' || s[9] > '5')
		return 0;
	return (unsigned int)((s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0'));
}

/* Whether the comma-separated list v holds token tok (case-insensitive). */
static bool list_has(const char *v, size_t n, const char *tok)
{
	size_t k = strlen(tok);

	for (size_t i = 0; i < n;) {
		size_t j = i, e;

		while (j < n && v[j] != ',')
			j++;
		while (i < j && (v[i] == ' ' || v[i] == '\t'))
			i++;
		for (e = j; e > i && (v[e - 1] == ' ' || v[e - 1] == '\t'); e--)
			;
		if (e - i == k && strncasecmp(v + i, tok, k) == 0)
			return true;
		i = j + 1;
	}
	return false;
}

static bool name_is(const char *name, size_t nlen, const char *want)
{
	return nlen == strlen(want) && strncasecmp(name, want, nlen) == 0;
}

/* The framing headers: Content-Length, Transfer-Encoding, Connection. */
static ssize_t framing(struct up_parse *p, const char *name, size_t nlen, const char *v,
		       size_t vlen)
{
	if (name_is(name, nlen, "content-length")) {
		int64_t len = 0;

		if (vlen == 0 || vlen > 18)
			return fail(p, "malformed Content-Length in the answer");
		for (size_t i = 0; i < vlen; i++) {
			if (v[i] < '0' || v[i] > '9')
				return fail(p, "malformed Content-Length in the answer");
			len = len * 10 + (v[i] - '0');
		}
		if (p->length >= 0 && p->length != len)
			return fail(p, "conflicting Content-Length headers in the answer");
		p->length = len;
	} else if (name_is(name, nlen, "transfer-encoding")) {
		if (p->chunked || vlen != 7 || strncasecmp(v, "chunked", 7) != 0)
			return fail(p, "unsupported Transfer-Encoding in the answer");
		p->chunked = true;
	} else if (name_is(name, nlen, "connection") && list_has(v, vlen, "close")) {
		p->keep_alive = false;
	}
	return 0;
}

/* One header line (without its line end). */
static ssize_t header_line(struct up_parse *p, const char *s, size_t n, up_header_fn header,
			   void *cls)
{
	const char *colon = memchr(s, ':', n), *v;
	size_t nlen, vlen;

	if (colon == NULL || colon == s)
		return fail(p, "malformed header line in the answer");
	nlen = (size_t)(colon - s);
	for (size_t i = 0; i < nlen; i++)
		if (!is_tchar((unsigned char)s[i]))
			return fail(p, "malformed header line in the answer");
	for (v = colon + 1; v < s + n && (*v == ' ' || *v == '\t'); v++)
		;
	for (vlen = (size_t)(s + n - v); vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t');)
		vlen--;
	if (!text_ok(v, vlen))
		return fail(p, "malformed header value in the answer");
	if (framing(p, s, nlen, v, vlen) < 0)
		return -1;
	if (header != NULL)
		header(cls, s, nlen, v, vlen);
	return 0;
}

/* The line at *s (up to end), without its "\r\n" or "\n"; *s moves past it. */
static size_t next_line(const char **s, const char *end, const char **line)
{
	const char *nl = memchr(*s, '\n', (size_t)(end - *s));
	size_t n = (size_t)(nl - *s);

	*line = *s;
	*s = nl + 1;
	if (n > 0 && (*line)[n - 1] == '\r')
		n--;
	return n;
}

/* One complete head (len bytes, ending with its empty line): status and headers. */
static ssize_t one_head(struct up_parse *p, const char *buf, size_t len, up_header_fn header,
			void *cls)
{
	const char *s = buf, *end = buf + len, *line;
	size_t n = next_line(&s, end, &line), count = 0;
	bool v11 = false;

	if ((p->status = status_line(line, n, &v11)) == 0)
		return fail(p, "malformed status line in the answer");
	if (p->status == 101)
		return fail(p, "the node switched protocols");
	p->keep_alive = v11;
	p->length = -1;
	p->chunked = false;
	while ((n = next_line(&s, end, &line)) > 0) {
		if (line[0] == ' ' || line[0] == '\t')
			return fail(p, "folded header line in the answer");
		if (++count > UP_HEADERS_MAX)
			return fail(p, "too many header lines in the answer");
		if (header_line(p, line, n, p->status >= 200 ? header : NULL, cls) < 0)
			return -1;
	}
	return 0;
}

/* The body's framing once the final head is in. */
static void body_start(struct up_parse *p)
{
	if (p->chunked) {
		if (p->length >= 0)
			p->keep_alive = false; /* both: chunked wins, the connection goes */
		p->length = -1;
	}
	if (p->head_request || p->status == 204 || p->status == 304) {
		p->state = UP_DONE;
	} else if (p->chunked) {
		p->state = UP_CHUNK_SIZE;
	} else if (p->length >= 0) {
		p->left = (uint64_t)p->length;
		p->state = p->left > 0 ? UP_BODY_LENGTH : UP_DONE;
	} else {
		p->state = UP_BODY_CLOSE;
		p->keep_alive = false;
	}
}

ssize_t up_parse_head(struct up_parse *p, const char *buf, size_t n, up_header_fn header,
		      void *cls)
{
	size_t off = 0, len;

	if (p->state != UP_HEAD)
		return fail(p, "internal: head parsed twice");
	for (;;) {
		size_t avail = n - off;

		len = head_end(buf + off, avail < UP_HEAD_MAX - off ? avail : UP_HEAD_MAX - off);
		if (len == 0)
			return n >= UP_HEAD_MAX ? fail(p, "answer head larger than 64 KiB") : 0;
		if (one_head(p, buf + off, len, header, cls) < 0)
			return -1;
		off += len;
		if (p->status >= 200)
			break;
	}
	body_start(p);
	return (ssize_t)off;
}

static int hex_value(char c)
{
	return c >= '0' && c <= '9' ? c - '0'
	       : c >= 'a' && c <= 'f' ? c - 'a' + 10
	       : c >= 'A' && c <= 'F' ? c - 'A' + 10
				      : -1;
}

/* A byte of a chunk-size line: hex digits, then extensions (skipped), then the line end. */
static ssize_t chunk_size_byte(struct up_parse *p, char c)
{
	int h = hex_value(c);

	if (++p->line > UP_CHUNK_LINE_MAX)
		return fail(p, "chunk-size line too long in the answer");
	if (c == '\n' && p->digits > 0) {
		p->state = p->left > 0 ? UP_CHUNK_DATA : UP_TRAILER_START;
		p->line = 0;
		return 0;
	}
	if (p->state == UP_CHUNK_SIZE && h >= 0) {
		if (++p->digits > 15)
			return fail(p, "chunk size too large in the answer");
		p->left = p->left * 16 + (uint64_t)h;
		return 0;
	}
	if (p->state == UP_CHUNK_SIZE && p->digits > 0 && (c == ';' || c == ' ' || c == '\t'))
		p->state = UP_CHUNK_EXT;
	else if (p->state == UP_CHUNK_SIZE && p->digits > 0 && c == '\r')
		p->state = UP_CHUNK_SIZE_LF;
	else if (p->state != UP_CHUNK_EXT || c == '\0' || c == '\n')
		return fail(p, "malformed chunk size in the answer");
	return 0;
}

/* The next chunk's size line begins. */
static void next_chunk(struct up_parse *p)
{
	p->state = UP_CHUNK_SIZE;
	p->left = 0;
	p->digits = 0;
	p->line = 0;
}

/* A byte of the framing around chunk data and of the trailers. */
static ssize_t frame_byte(struct up_parse *p, char c)
{
	switch (p->state) {
	case UP_CHUNK_DATA_CR:
		if (c == '\r' || c == '\n') {
			if (c == '\r')
				p->state = UP_CHUNK_DATA_LF;
			else
				next_chunk(p);
			break;
		}
		return fail(p, "chunk data longer than its size in the answer");
	case UP_CHUNK_DATA_LF:
		if (c != '\n')
			return fail(p, "chunk data longer than its size in the answer");
		next_chunk(p);
		break;
	case UP_TRAILER_START:
	case UP_TRAILER_LINE:
	case UP_TRAILER_END_LF:
		if (++p->line > UP_TRAILER_MAX)
			return fail(p, "trailers larger than 16 KiB in the answer");
		if (p->state == UP_TRAILER_END_LF && c != '\n')
			return fail(p, "malformed trailer in the answer");
		if (c == '\n')
			p->state = p->state == UP_TRAILER_LINE ? UP_TRAILER_START : UP_DONE;
		else if (p->state == UP_TRAILER_START)
			p->state = c == '\r' ? UP_TRAILER_END_LF : UP_TRAILER_LINE;
		break;
	default:
		return chunk_size_byte(p, c);
	}
	return 0;
}

/* Data of a length or a chunk: up to left bytes. */
static size_t data_run(struct up_parse *p, const char *in, size_t n, const char **data,
		       size_t *dlen)
{
	size_t k = p->left < n ? (size_t)p->left : n;

	*data = in;
	*dlen = k;
	p->left -= k;
	if (p->left == 0)
		p->state = p->state == UP_CHUNK_DATA ? UP_CHUNK_DATA_CR : UP_DONE;
	return k;
}

ssize_t up_parse_body(struct up_parse *p, const char *in, size_t n, const char **data,
		      size_t *dlen)
{
	size_t i = 0;

	*data = in;
	*dlen = 0;
	if (p->state == UP_BODY_CLOSE) {
		*data = in;
		*dlen = n;
		return (ssize_t)n;
	}
	if (p->state == UP_BODY_LENGTH || p->state == UP_CHUNK_DATA)
		return n > 0 ? (ssize_t)data_run(p, in, n, data, dlen) : 0;
	while (i < n && p->state != UP_DONE && p->state != UP_CHUNK_DATA) {
		if (p->state == UP_ERROR || p->state == UP_HEAD)
			return fail(p, p->error ? p->error : "internal: body before head");
		if (frame_byte(p, in[i++]) < 0)
			return -1;
	}
	return (ssize_t)i;
}

bool up_parse_eof(struct up_parse *p)
{
	if (p->state == UP_BODY_CLOSE)
		p->state = UP_DONE;
	return p->state == UP_DONE;
}
