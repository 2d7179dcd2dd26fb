/* libFuzzer target: the frontend's parser of a node's answer (src/frontend/up-parse.c). The
 * input is read as one answer twice, whole and a few bytes at a time (the first byte picks
 * the size of the reads), and both must agree: the parser keeps no byte but its state. */
#include "config.h"
#include "up-parse.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct outcome {
	enum up_state state;
	unsigned long long body; /* bytes of body */
};

static void parse(const char *s, size_t n, size_t step, struct outcome *o)
{
	struct up_parse p;
	size_t have = 0, off = 0;
	ssize_t k = 0;

	up_parse_init(&p, false);
	while (p.state == UP_HEAD && have < n) {
		have = have + step < n ? have + step : n;
		k = up_parse_head(&p, s, have, NULL, NULL);
	}
	off = k > 0 ? (size_t)k : 0;
	o->body = 0;
	for (size_t end = off; p.state != UP_ERROR && p.state != UP_DONE && p.state != UP_HEAD &&
			       off < n;) {
		const char *d;
		size_t dl;

		end = end + step < n ? end + step : n;
		while (off < end && p.state != UP_DONE && (k = up_parse_body(&p, s + off, end - off,
									     &d, &dl)) >= 0) {
			if (dl > 0 && (d < s + off || d + dl > s + end))
				abort(); /* the body is a part of what was given */
			o->body += dl;
			off += (size_t)k;
		}
	}
	o->state = p.state;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct outcome whole, split;

	if (size < 1)
		return 0;
	parse((const char *)data + 1, size - 1, size, &whole);
	parse((const char *)data + 1, size - 1, 1 + data[0] % 7, &split);
	if (whole.state != split.state || whole.body != split.body)
		abort();
	return 0;
}
