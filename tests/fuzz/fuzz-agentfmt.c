/* libFuzzer target: the parsers of an agent's text formats (src/common/agentfmt.c):
 * versions, /loglevel listings and /threads in every format. */
#include "config.h"
#include "agentfmt.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	char *why = NULL, *v = agentfmt_version(body, size);
	json_t *doc;

	free(v);
	doc = agentfmt_loglevels(body, size, &why);
	json_decref(doc);
	free(why);
	why = NULL;
	doc = agentfmt_threads(body, size, &why);
	json_decref(doc);
	free(why);
	return 0;
}
