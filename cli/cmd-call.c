/* call METHOD PATH: any request, for endpoints without a command of their own (a host's
 * /cache/clear, /backends, ...). The answer is shown as is, and as JSON in -o json when it
 * parses. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const struct cmd_opt opts[] = {
	{ "data", 'd', "BODY", "request body; @FILE reads it from FILE" },
	{ "content-type", 0, "TYPE", "of the body (default application/json)" },
	{ NULL, 0, NULL, NULL },
};

static char *read_body(const char *arg, int *rc)
{
	struct buf b = BUF_INIT;

	if (arg == NULL || arg[0] != '@')
		return arg ? xstrdup(arg) : NULL;
	if (buf_read_file(&b, arg + 1) < 0) {
		fprintf(stderr, "lmcctl: call: cannot read %s: %s\n", arg + 1, strerror(errno));
		*rc = LMC_EXIT_USAGE;
		return NULL;
	}
	return buf_steal(&b);
}

static int exec(struct ctx *c)
{
	int rc = 0;
	char *body = read_body(c->copt[0], &rc), *path;
	struct request *reqs;
	struct result *rs;

	if (rc != 0)
		return rc;
	for (char *p = c->args[0]; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	path = c->args[1][0] == '/' ? xstrdup(c->args[1]) : xasprintf("/%s", c->args[1]);
	reqs = xcalloc(c->nsel ? c->nsel : 1, sizeof *reqs);
	for (size_t i = 0; i < c->nsel; i++)
		reqs[i] = (struct request){ .method = c->args[0], .path = xstrdup(path),
					    .body = body ? xstrdup(body) : NULL,
					    .content_type = c->copt[1] };
	rs = fanout(c, reqs);
	for (size_t i = 0; i < c->nsel; i++) {
		if (rs[i].code == 0 && (rs[i].result = json_parse_lenient(rs[i].body, rs[i].len, NULL)) == NULL)
			rs[i].result = json_stringn(rs[i].body, rs[i].len);
		request_free(&reqs[i]);
	}
	rc = report(c, rs, c->nsel, print_bodies);
	results_free(rs, c->nsel);
	free(reqs);
	free(path);
	free(body);
	return rc;
}

const struct cmd_entry cmd_call = {
	.name = "call",
	.usage = "METHOD PATH [--data BODY|@FILE] [NODE...]",
	.summary = "Send any request to the nodes and show the answers",
	.help = "A METHOD other than GET or HEAD changes nodes, so targets must be named, or\n"
		"--all given.\n\n"
		"examples:\n"
		"  lmcctl call GET /backends inst1_worker0\n"
		"  lmcctl call POST /metrics/reset -l role=worker\n"
		"  lmcctl call POST /conf -d '{\"chunk_size\": 512}' -n inst1_worker1\n",
	.min_args = 2, .max_args = 2,
	.flags = CMD_MUTATES_UNLESS_GET,
	.opts = opts,
	.exec = exec,
};
