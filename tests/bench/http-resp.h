/* HTTP/1.1 response framing for the load generator (tests/bench/loadgen.c). */
#ifndef LMC_BENCH_HTTP_RESP_H
#define LMC_BENCH_HTTP_RESP_H

#include <stdbool.h>
#include <stddef.h>

/* The length of a chunked body at p (n bytes), or 0 while incomplete. */
size_t http_chunked_len(const char *p, size_t n);
/* The total length of the first complete response in p (n bytes), or 0 while incomplete;
 * sets *status (0 if unreadable) and *close_after (Connection: close). */
size_t http_response_len(const char *p, size_t n, int *status, bool *close_after);

#endif
