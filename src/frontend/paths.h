/* Pure helpers of forwarding: the path and query of a URI, hop-by-hop headers. */
#ifndef LMC_FRONTEND_PATHS_H
#define LMC_FRONTEND_PATHS_H

#include <stdbool.h>
#include <stddef.h>

/* The path part's length and the query ("" when none, else without the '?'). */
size_t path_length(const char *uri, const char **query);
/* Headers a proxy must not forward (RFC 9110 7.6.1 and LMCache's list). */
bool path_hop_by_hop(const char *name);
/* Request headers the forwarder sets itself (host, content-length, expect) or drops. */
bool path_request_header_dropped(const char *name);

#endif
