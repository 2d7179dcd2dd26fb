/* libFuzzer target: request path handling (the server core's src/server/srv-route.c and
 * the frontend's src/frontend/paths.c): percent-decoding, route matching and the
 * path/query split. */
#include "config.h"
#include "paths.h"
#include "srv.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const patterns[] = { "/proxy2/{}/**", "/proxy/{}/{}/**",
						"/api/nodes/{}", "/metrics" };
	char *uri = strndup((const char *)data, size);
	struct srv_match m;
	const char *query;

	free(srv_decode(uri, strlen(uri)));
	path_length(uri, &query);
	for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++)
		if (srv_path_match(patterns[i], 0, uri, i % 2 == 0, &m))
			for (size_t c = 0; c < m.ncap; c++)
				free(srv_decode(m.cap[c].p, m.cap[c].len));
	path_hop_by_hop(uri);
	free(uri);
	return 0;
}
