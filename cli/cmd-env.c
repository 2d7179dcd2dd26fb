/* env: each node's environment (GET /env), optionally only the variables whose names match
 * --match. Our agents redact secret-looking values; LMCache's do not. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

static const struct cmd_opt opts[] = {
	{ "match", 'm', "PATTERN", "variables whose name contains PATTERN (or matches a glob)" },
	{ NULL, 0, NULL, NULL },
};

static void parse(struct ctx *c, struct result *r)
{
	json_t *all = result_json_object(r), *v;
	const char *k;

	if (all == NULL)
		return;
	r->result = json_object();
	json_object_foreach(all, k, v)
		if (name_matches(c->copt[0], k))
			json_object_set(r->result, k, v);
	json_decref(all);
	if (c->copt[0] != NULL && json_object_size(r->result) == 0)
		result_fail(r, LMC_EXIT_NOTFOUND, xasprintf("no variable matches '%s'", c->copt[0]));
}

static int exec(struct ctx *c)
{
	return simple_get(c, "/env", parse, print_key_values);
}

const struct cmd_entry cmd_env = {
	.name = "env",
	.usage = "[--match PATTERN] [NODE...]",
	.summary = "Show each node's environment variables",
	.help = "Examples:\n"
		"  lmcctl env -m LMCACHE_ -l role=scheduler\n"
		"  lmcctl env -m 'LMCACHE_*' -o json | jq '.[].result'\n",
	.min_args = 0, .max_args = 0,
	.opts = opts,
	.exec = exec,
};
