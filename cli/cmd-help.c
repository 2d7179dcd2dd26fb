/* help [COMMAND]: the overview, or one command's help (same as COMMAND --help). */
#include "config.h"
#include "cli.h"

#include <stdlib.h>

static int exec(struct ctx *c)
{
	const struct cmd_entry *cmd;
	char *cause = NULL;
	int used;

	if (c->nargs == 0) {
		cmd_print_overview(stdout);
		return LMC_EXIT_OK;
	}
	if ((cmd = cmd_find(c->args, c->nargs, &used, &cause)) == NULL && c->nargs == 1 &&
	    cmd_print_group(c->args[0], stdout) > 0) {
		free(cause); /* "help config": every config subcommand */
		return LMC_EXIT_OK;
	}
	if (cmd == NULL) {
		fprintf(stderr, "lmcctl: %s\n", cause);
		free(cause);
		return LMC_EXIT_USAGE;
	}
	cmd_print_help(cmd, stdout);
	return LMC_EXIT_OK;
}

const struct cmd_entry cmd_help = {
	.name = "help",
	.usage = "[COMMAND]",
	.summary = "Show help for lmcctl or one command",
	.min_args = 0, .max_args = 2,
	.flags = CMD_NO_NODES,
	.complete = "command",
	.exec = exec,
};
