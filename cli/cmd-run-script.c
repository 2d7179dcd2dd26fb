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

/* --dry-run: each target with what would run there. */
static void plan(struct ctx *c, struct result *rs)
{
	json_t *what = json_string(c->args[0]);

	for (size_t i = 0; i < c->nsel; i++) {
		rs[i].node = c->sel[i];
		rs[i].result = changes_new(c);
		changes_add(rs[i].result, "run-script", NULL, what);
	}
	json_decref(what);
}

static void print_plan(struct ctx *c, struct result *rs, size_t n)
{
	print_changes(c, rs, n, "ACTION");
}

static struct result *run(struct ctx *c, const char *file)
{
	struct request *reqs = xcalloc(c->nsel ? c->nsel : 1, sizeof *reqs);
	struct result *rs;

	for (size_t i = 0; i < c->nsel; i++)
		reqs[i] = (struct request){ .method = "POST", .path = xstrdup("/run_script"),
					    .upload = file };
	rs = fanout(c, reqs);
	for (size_t i = 0; i < c->nsel; i++) {
		if (rs[i].code == 0)
			rs[i].result = json_stringn(rs[i].body, rs[i].len);
		request_free(&reqs[i]);
	}
	free(reqs);
	return rs;
}

static int exec(struct ctx *c)
{
	char *cause = NULL, *file = input_file(c->args[0], &cause);
	struct result *rs;
	int rc;

	if (file == NULL) {
		fprintf(stderr, "lmcctl: run-script: %s\n", cause);
		free(cause);
		return LMC_EXIT_USAGE;
	}
	if (c->o.dry_run) {
		rs = xcalloc(c->nsel ? c->nsel : 1, sizeof *rs);
		plan(c, rs);
	} else {
		rs = run(c, file);
	}
	rc = report(c, rs, c->nsel, c->o.dry_run ? print_plan : print_bodies);
	results_free(rs, c->nsel);
	if (strcmp(c->args[0], "-") == 0)
		unlink(file);
	free(file);
	return rc;
}

const struct cmd_entry cmd_run_script = {
	.name = "run-script",
	.usage = "FILE|- NODE...|--all|-l role=R",
	.summary = "Run a Python script inside nodes (when they enable it)",
	.help = "The node must set run_script_api_enabled: true. Output of several nodes is\n"
		"shown under \"==> NODE <==\" lines (not with --no-headers). FILE - reads the\n"
		"script from standard input; --dry-run lists the nodes it would run on.\n\n"
		"Examples:\n"
		"  lmcctl run-script dump_cache_stats.py inst1_worker0\n"
		"  lmcctl run-script probe.py -l role=worker -o json | jq -r '.[].result'\n"
		"  lmcctl run-script - --all <probe.py\n",
	.min_args = 1, .max_args = 1,
	.flags = CMD_MUTATES,
	.complete = "file",
	.exec = exec,
};
