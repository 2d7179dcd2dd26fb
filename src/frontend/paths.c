/* Paths and header filters of forwarding; see paths.h. */
#include "config.h"
#include "paths.h"

#include <string.h>
#include <strings.h>


size_t path_length(const char *uri, const char **query)
{
	const char *q = strchr(uri, '?');

	if (query != NULL)
		*query = q ? q + 1 : "";
	return q ? (size_t)(q - uri) : strlen(uri);
}

static bool in_list(const char *name, const char *const *list)
{
	for (; *list; list++)
		if (strcasecmp(name, *list) == 0)
			return true;
	return false;
}

bool path_hop_by_hop(const char *name)
{
	static const char *const hop[] = { "connection", "keep-alive", "te", "trailer", "trailers",
					   "transfer-encoding", "upgrade", NULL };

	return in_list(name, hop) || strncasecmp(name, "proxy-", 6) == 0;
}

bool path_request_header_dropped(const char *name)
{
	static const char *const own[] = { "host", "content-length", "expect", NULL };

	return path_hop_by_hop(name) || in_list(name, own);
}
