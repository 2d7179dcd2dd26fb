/* version: each node's "<version>-<commit>" (GET /version, a JSON string). */
#include "config.h"
#include "cli.h"
#include "agentfmt.h"

#include <stdlib.h>

static void parse(struct ctx *c, struct result *r)
{
	char *v = agentfmt_version(r->body, r->len);

	r->result = json_string(v);
	free(v);
}

static void print(struct ctx *c, struct result *rs, size_t n)
{
	print_node_value(c, rs, n, "VERSION");
}

static int exec(struct ctx *c)
{
	return simple_get(c, "/version", parse, print);
}

const struct cmd_entry cmd_version = {
	.name = "version",
	.usage = "[NODE...]",
	.summary = "Show each node's LMCache version and commit",
	.help = "Examples:\n"
		"  lmcctl version                       # every node\n"
		"  lmcctl version -o json | jq -r '.[] | \"\\(.node) \\(.result)\"'\n"
		"  lmcctl version -o json | jq -r '[.[].result] | unique | length'  # 1: no skew\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
