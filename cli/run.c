/* Running a command: reach the cluster, select the targets, hand over to the command. */
#include "config.h"
#include "cli.h"

#include <stdlib.h>

int cli_run(struct ctx *c)
{
	int rc;

	if (c->cmd->flags & CMD_NO_NODES)
		return c->cmd->exec(c);
	if ((rc = cluster_load(c)) != 0)
		return rc;
	if ((rc = select_nodes(c)) != 0)
		return rc;
	return c->cmd->exec(c);
}

void cli_free(struct ctx *c)
{
	for (size_t i = 0; i < c->nnodes; i++)
		cluster_node_free(&c->nodes[i]);
	free(c->nodes);
	free(c->sel);
}
