/* health: GET /healthcheck on each node; unhealthy (503) and silent nodes fail. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>

static void print(struct ctx *c, struct result *rs, size_t n)
{
	const char *head[] = { "NODE", "STATUS", "TOOK", NULL };
	struct table *t = table_new(c, head);

	for (size_t i = 0; i < n; i++) {
		char *took;

		if (rs[i].code != 0)
			continue;
		took = xasprintf("%ldms", rs[i].took_ms);
		table_row(t, rs[i].node->name, json_str_member(rs[i].result, "status", "?"), took);
		free(took);
	}
	table_print(t);
}

static int exec(struct ctx *c)
{
	return simple_get(c, "/healthcheck", parse_json_object, print);
}

const struct cmd_entry cmd_health = {
	.name = "health",
	.usage = "[NODE...]",
	.summary = "Check that each node answers and is healthy",
	.help = "A node that answers 503 {\"status\": \"unhealthy\", \"reason\": ...} fails with\n"
		"the reason; one that does not answer is unreachable (5) or timed out (6).\n\n"
		"examples:\n"
		"  lmcctl -q health --all || echo 'some node is down'\n"
		"  lmcctl health --timeout 2 -l role=scheduler\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
