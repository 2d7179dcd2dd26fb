/* nodes: the selected nodes as listed (no request to the nodes themselves). */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

#include <stdlib.h>

static json_t *node_json(const struct cl_node *n)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s?}", "name", n->name, "role", n->role,
			 "instance", n->instance, "url", n->url, "socket", n->socket);
}

static void print(struct ctx *c, struct result *rs, size_t n)
{
	const char *head[] = { "NODE", "ROLE", "INSTANCE", "ADDRESS", NULL };
	struct table *t = table_new(c, head);

	for (size_t i = 0; i < n; i++) {
		const struct cl_node *nd = rs[i].node;
		char *addr = nd->socket ? xasprintf("unix:%s", nd->socket) : xstrdup(nd->url);

		table_row(t, nd->name, *nd->role ? nd->role : "-", *nd->instance ? nd->instance : "-",
			  addr);
		free(addr);
	}
	table_print(t);
}

static int exec(struct ctx *c)
{
	struct result *rs = xcalloc(c->nsel ? c->nsel : 1, sizeof *rs);
	int rc;

	c->no_status = true; /* nothing was asked of the nodes */
	for (size_t i = 0; i < c->nsel; i++) {
		rs[i].node = c->sel[i];
		rs[i].result = node_json(c->sel[i]);
	}
	rc = report(c, rs, c->nsel, print);
	results_free(rs, c->nsel);
	return rc;
}

const struct cmd_entry cmd_nodes = {
	.name = "nodes",
	.usage = "[NODE...]",
	.summary = "List the nodes: name, role, instance and address",
	.help = "Nodes come from the registry's frontends (or --frontend). Nothing is sent to\n"
		"the nodes themselves: use health to see whether they answer.\n\n"
		"Examples:\n"
		"  lmcctl nodes -l role=worker --no-headers | awk '{print $1}'\n"
		"  lmcctl nodes -o json | jq -r '.[].result.url'\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
