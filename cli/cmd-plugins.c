/* plugins: each node's runtime plugins (GET /plugins, an lmcache-tools extension: LMCache's
 * own servers answer 404, reported as a node that does not offer it, not found). */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>

static void parse(struct ctx *c, struct result *r)
{
	json_t *j;

	if (r->code == LMC_EXIT_NOTFOUND && r->status == 404) {
		result_fail(r, LMC_EXIT_NOTFOUND, xstrdup("the node does not offer plugins (/plugins"
			    " is an lmcache-tools extension; LMCache's own servers lack it)"));
		return;
	}
	if (r->code != 0)
		return;
	j = result_json(r);

	if (j != NULL && !json_is_array(j))
		result_fail(r, LMC_EXIT_OTHER, xstrdup("bad answer: not a JSON list"));
}

static void row(struct table *t, const char *node, const json_t *p)
{
	const char *keys[] = { "pid", "state", "restarts", "last_exit_status" };
	char *cells[4];

	for (size_t i = 0; i < 4; i++) {
		cells[i] = json_cell(json_object_get(p, keys[i]));
		if (*cells[i] == '\0') {
			free(cells[i]);
			cells[i] = xstrdup("-");
		}
	}
	table_row(t, node, json_str_member(p, "name", "?"), cells[1], cells[0], cells[2], cells[3]);
	for (size_t i = 0; i < 4; i++)
		free(cells[i]);
}

static void print(struct ctx *c, struct result *rs, size_t n)
{
	const char *head[] = { "NODE", "PLUGIN", "STATE", "PID", "RESTARTS", "LAST-EXIT", NULL };
	struct table *t = table_new(c, head);
	json_t *p;
	size_t j;

	for (size_t i = 0; i < n; i++)
		if (rs[i].code == 0)
			json_array_foreach(rs[i].result, j, p)
				row(t, rs[i].node->name, p);
	table_print(t);
}

static int exec(struct ctx *c)
{
	struct result *rs = fanout_get(c, "/plugins");
	int rc;

	for (size_t i = 0; i < c->nsel; i++)
		parse(c, &rs[i]);
	rc = report(c, rs, c->nsel, print);
	results_free(rs, c->nsel);
	return rc;
}

const struct cmd_entry cmd_plugins = {
	.name = "plugins",
	.usage = "[NODE...]",
	.summary = "Show each node's runtime plugins and their state",
	.help = "Examples:\n"
		"  lmcctl plugins -l role=scheduler\n"
		"  lmcctl plugins -o json | jq '.[].result[] | select(.state != \"running\")'\n",
	.min_args = 0, .max_args = 0,
	.exec = exec,
};
