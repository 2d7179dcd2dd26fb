/* meta: GET /meta on each node, a JSON object shown as NODE/KEY/VALUE rows. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

static int exec(struct ctx *c)
{
	return simple_get(c, "/meta", parse_json_object, print_key_values);
}

const struct cmd_entry cmd_meta = {
	.name = "meta",
	.usage = "[NODE...]",
	.summary = "Show each node's engine metadata (model, world size, worker id, ...)",
	.help = "Examples:\n"
		"  lmcctl meta -o json | jq -r '.[] | \"\\(.node) \\(.result.model_name)\"'\n"
		"  lmcctl meta -l role=worker\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
