/* libFuzzer target: the Prometheus text parser and the merger (src/common/prom-*.c). The
 * input is split at its first NUL into two nodes' expositions; whatever they hold, the merge
 * must parse again and hold nothing Prometheus would refuse. */
#include "config.h"
#include "prom.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul = memchr(text, '\0', size);
	size_t first = nul ? (size_t)(nul - text) : size;
	struct prom_node nodes[2] = {
		{ .name = "a", .text = text, .len = first },
		{ .name = "b", .text = nul ? nul + 1 : "", .len = nul ? size - first - 1 : 0 },
	};
	struct prom_exposition e;
	size_t len;
	char *out = prom_merge(nodes, 2, &len, NULL);

	if (prom_parse(out, len, &e, NULL) < 0 || e.nskipped != 0)
		abort(); /* the merge must always be valid */
	prom_exposition_free(&e);
	free(out);
	return 0;
}
