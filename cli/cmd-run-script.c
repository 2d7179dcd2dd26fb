/* run-script FILE: runs a Python script inside each target (POST /run_script, multipart
 * field "script") and shows what it printed. Servers have it off by default: a node that
 * has not enabled it answers 404 and fails with not found (4) and the server's hint. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int exec(struct ctx *c)
{
	struct request *reqs;
	struct result *rs;
	int rc;

	if (access(c->args[0], R_OK) != 0) {
		fprintf(stderr, "lmcctl: run-script: cannot read %s: %s\n", c->args[0],
			strerror(errno));
		return LMC_EXIT_USAGE;
	}
	reqs = xcalloc(c->nsel ? c->nsel : 1, sizeof *reqs);
	for (size_t i = 0; i < c->nsel; i++)
		reqs[i] = (struct request){ .method = "POST", .path = xstrdup("/run_script"),
					    .upload = c->args[0] };
	rs = fanout(c, reqs);
	for (size_t i = 0; i < c->nsel; i++) {
		if (rs[i].code == 0)
			rs[i].result = json_stringn(rs[i].body, rs[i].len);
		request_free(&reqs[i]);
	}
	rc = report(c, rs, c->nsel, print_bodies);
	results_free(rs, c->nsel);
	free(reqs);
	return rc;
}

const struct cmd_entry cmd_run_script = {
	.name = "run-script",
	.usage = "FILE NODE...|--all|-l role=R",
	.summary = "Run a Python script inside nodes (when they enable it)",
	.help = "The node must set run_script_api_enabled: true. Output of several nodes is\n"
		"shown under \"==> NODE <==\" lines (not with --no-headers).\n\n"
		"Examples:\n"
		"  lmcctl run-script dump_cache_stats.py inst1_worker0\n"
		"  lmcctl run-script probe.py -l role=worker -o json | jq -r '.[].result'\n",
	.min_args = 1, .max_args = 1,
	.flags = CMD_MUTATES,
	.exec = exec,
};
