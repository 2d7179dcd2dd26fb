/* inference: GET /inference_info on each node, a JSON object shown as NODE/KEY/VALUE rows. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

static void parse(struct ctx *c, struct result *r)
{
	json_t *j = result_json(r);

	if (j != NULL && !json_is_object(j))
		result_fail(r, LMC_EXIT_OTHER, xstrdup("bad answer: not a JSON object"));
}

static int exec(struct ctx *c)
{
	return simple_get(c, "/inference_info", parse, print_key_values);
}

const struct cmd_entry cmd_inference = {
	.name = "inference",
	.usage = "[NODE...]",
	.summary = "Show vLLM and LMCache versions and the model and cache configuration",
	.help = "examples:\n"
		"  lmcctl inference -n inst1_scheduler\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
