/* inference: GET /inference_info on each node, a JSON object shown as NODE/KEY/VALUE rows. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

static int exec(struct ctx *c)
{
	return simple_get(c, "/inference_info", parse_json_object, print_key_values);
}

const struct cmd_entry cmd_inference = {
	.name = "inference",
	.usage = "[NODE...]",
	.summary = "Show vLLM and LMCache versions and the model and cache configuration",
	.help = "Examples:\n"
		"  lmcctl inference -n inst1_scheduler\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
