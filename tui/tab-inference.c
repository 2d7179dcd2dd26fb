/* Inference: the serving engine of the selected node (/inference_info: vLLM and LMCache
 * versions, vLLM, model and cache configuration), one row per field, sections as headers. */
#include "config.h"
#include "top.h"
#include "jsonutil.h"

static const struct keybind keys[] = { { "/", "filter fields" }, { NULL, NULL } };

const struct tab tab_inference = {
	.name = "Inference",
	.key = '7',
	.path = "/inference_info",
	.parse = json_parse_lenient,
	.draw = tab_json_draw,
	.on_key = tab_no_key,
	.keys = keys,
};
