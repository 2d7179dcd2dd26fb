/* libFuzzer target: registry entries read back from a store (src/discovery/entry.c) and
 * the etcd codec's base64 (etcd-codec.c): what decodes must encode back to the same bytes,
 * and an entry read must write out and read back. */
#include "config.h"
#include "entry.h"
#include "etcd-codec.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void base64(const uint8_t *data, size_t size)
{
	char *text = strndup((const char *)data, size), *raw, *again;
	size_t len;

	if ((raw = b64_decode(text, &len)) != NULL) {
		again = b64_encode(raw, len);
		free(b64_decode(again, &len));
		free(again);
		free(raw);
	}
	again = b64_encode(data, size);
	raw = b64_decode(again, &len);
	if (raw == NULL || len != size || memcmp(raw, data, size) != 0)
		abort(); /* encode then decode must give the bytes back */
	free(raw);
	free(again);
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL), *out;
	struct dentry e, back;
	char *why = NULL;

	base64(data, size);
	if (doc != NULL && entry_from_json(&e, doc, &why) == 0) {
		out = entry_to_json(&e);
		if (entry_from_json(&back, out, NULL) != 0)
			abort(); /* what we write we must read */
		entry_clear(&back);
		json_decref(out);
		entry_clear(&e);
	}
	free(why);
	json_decref(doc);
	return 0;
}
