/* The name= filter of the merged GET /metrics, our extension (docs/protocol.md 5): a client
 * that shows a few series of many nodes takes only those, not every node's exposition. */
#ifndef LMC_FRONTEND_METRICS_FILTER_H
#define LMC_FRONTEND_METRICS_FILTER_H

#include "buf.h"

#include <stddef.h>

/* Most names one request may ask for. */
#define METRICS_FILTER_MAX 64

/* Appends to out the exposition text[0..len) with only the samples whose name is one of
 * names[0..n), or whose family (its # HELP / # TYPE name) is; each kept family's HELP and
 * TYPE lines come before its first sample kept, families with no sample kept are left out,
 * other comments are kept. The result is as valid an exposition as the input. */
void metrics_filter(const char *text, size_t len, char *const *names, size_t n, struct buf *out);

#endif
