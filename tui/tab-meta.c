/* Meta: the engine metadata of the selected node (/meta: model, world size, worker id, KV
 * shape and type), one row per field. */
#include "config.h"
#include "top.h"
#include "jsonutil.h"

static const struct keybind keys[] = { { "/", "filter fields" }, { NULL, NULL } };

const struct tab tab_meta = {
	.name = "Meta",
	.key = '6',
	.path = "/meta",
	.parse = json_parse_lenient,
	.draw = tab_json_draw,
	.on_key = tab_no_key,
	.keys = keys,
};
