/* A node's HTTP/1.1 answer, read as it arrives (the frontend's own client, upstream.c):
 * the head whole, then the body as it is framed (Content-Length, chunked, or up to the
 * connection's end). Strict and bounded, as a hostile node may send anything: a malformed
 * status line, header, length or chunk size is an error with its reason (the proxy's 502),
 * never a guess. Pure: no I/O, no allocation. */
#ifndef LMC_FRONTEND_UP_PARSE_H
#define LMC_FRONTEND_UP_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define UP_HEAD_MAX (64u << 10)	  /* status line and headers together */
#define UP_HEADERS_MAX 100	  /* header lines of one head */
#define UP_CHUNK_LINE_MAX 4096	  /* a chunk-size line with its extensions */
#define UP_TRAILER_MAX (16u << 10) /* the trailer section, read and dropped */

enum up_state {
	UP_HEAD,
	UP_BODY_LENGTH, /* `left` bytes to go */
	UP_BODY_CLOSE,	/* up to the connection's end */
	UP_CHUNK_SIZE,
	UP_CHUNK_EXT,
	UP_CHUNK_SIZE_LF,
	UP_CHUNK_DATA,
	UP_CHUNK_DATA_CR,
	UP_CHUNK_DATA_LF,
	UP_TRAILER_START,
	UP_TRAILER_LINE,
	UP_TRAILER_END_LF,
	UP_DONE,
	UP_ERROR,
};

/* One header line of the head: name and value (blanks around it removed). */
typedef void (*up_header_fn)(void *cls, const char *name, size_t nlen, const char *value,
			     size_t vlen);

struct up_parse {
	enum up_state state;
	bool head_request;  /* the request was HEAD: no body, whatever the head says */
	unsigned int status;
	int64_t length;	    /* Content-Length, or -1 */
	bool chunked;
	bool keep_alive;    /* the connection may carry the next request once done */
	uint64_t left;	    /* of the body or of the chunk */
	unsigned int digits; /* of the chunk size read so far */
	size_t line;	    /* bytes of the current chunk-size line, or of the trailers */
	const char *error;  /* UP_ERROR: why (a static string) */
};

/* Ready for an answer (head_request: to a HEAD request). */
void up_parse_init(struct up_parse *p, bool head_request);
/* The head at buf (n bytes, all received so far): its length once the whole head is there
 * (header(cls, ...) called for each header line of the final answer; 1xx interim answers
 * are skipped and count in the length), 0 while more is needed, -1 with p->error when it
 * is malformed or larger than UP_HEAD_MAX. Then the state is one of the body's, or
 * UP_DONE for an answer without a body. */
ssize_t up_parse_head(struct up_parse *p, const char *buf, size_t n, up_header_fn header,
		      void *cls);
/* Body bytes: takes from in (n bytes) up to the end of the body or of the next run of
 * data, and returns how many it took (-1 with p->error when malformed); *data and *dlen
 * give the body bytes among them (none: *dlen 0). Call again with the rest. */
ssize_t up_parse_body(struct up_parse *p, const char *in, size_t n, const char **data,
		      size_t *dlen);
/* The connection ended (EOF): whether that completes the answer (close-delimited). */
bool up_parse_eof(struct up_parse *p);

#endif
