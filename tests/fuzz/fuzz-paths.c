/* libFuzzer target: the frontend's request path handling (src/frontend/paths.c):
 * percent-decoding, route matching and the path/query split. */
#include "config.h"
#include "paths.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const patterns[] = { "/proxy2/{}/**", "/proxy/{}/{}/**",
						"/api/nodes/{}", "/metrics" };
	char *uri = strndup((const char *)data, size);
	struct path_match m;
	const char *query;

	free(path_decode(uri, strlen(uri)));
	path_length(uri, &query);
	for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++)
		if (path_match(patterns[i], uri, &m))
			for (size_t c = 0; c < m.ncap; c++)
				free(path_decode(m.cap[c].p, m.cap[c].len));
	path_hop_by_hop(uri);
	free(uri);
	return 0;
}
