/* call METHOD PATH: any request, for endpoints without a command of their own (and routes
 * a node adds, such as a host's own). The answer is shown as is, and as JSON in -o json when it
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
	{ "data", 'd', "BODY", "request body; @FILE reads it from FILE, - or @- from stdin" },
	{ "content-type", 0, "TYPE", "of the body (default application/json)" },
	{ NULL, 0, NULL, NULL },
};

/* --dry-run of a changing request: each target with the request it would get. */
static struct result *plan(struct ctx *c, const char *path, const char *body)
{
	struct result *rs = xcalloc(c->nsel ? c->nsel : 1, sizeof *rs);
	char *what = xasprintf("%s %s", c->args[0], path);
	json_t *b = json_string(body ? body : "");

	for (size_t i = 0; i < c->nsel; i++) {
		rs[i].node = c->sel[i];
		rs[i].result = changes_new(c);
		changes_add(rs[i].result, what, NULL, b);
	}
	json_decref(b);
	free(what);
	return rs;
}

static void print_plan(struct ctx *c, struct result *rs, size_t n)
{
	print_changes(c, rs, n, "REQUEST");
}

static struct result *send(struct ctx *c, const char *path, const char *body)
{
	struct request *reqs = xcalloc(c->nsel ? c->nsel : 1, sizeof *reqs);
	struct result *rs;

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
	free(reqs);
	return rs;
}

static bool changing(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static int exec(struct ctx *c)
{
	char *cause = NULL, *body = NULL, *path;
	struct result *rs;
	bool dry;
	int rc;

	if (c->copt[0] != NULL && (body = input_text(c->copt[0], &cause)) == NULL) {
		fprintf(stderr, "lmcctl: call: %s\n", cause);
		free(cause);
		return LMC_EXIT_USAGE;
	}
	for (char *p = c->args[0]; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	path = c->args[1][0] == '/' ? xstrdup(c->args[1]) : xasprintf("/%s", c->args[1]);
	dry = c->o.dry_run && changing(c->args[0]);
	rs = dry ? plan(c, path, body) : send(c, path, body);
	rc = report(c, rs, c->nsel, dry ? print_plan : print_bodies);
	results_free(rs, c->nsel);
	free(path);
	free(body);
	return rc;
}

const struct cmd_entry cmd_call = {
	.name = "call",
	.usage = "METHOD PATH [--data BODY|@FILE|-] [NODE...]",
	.summary = "Send any request to the nodes and show the answers",
	.help = "A METHOD other than GET or HEAD changes nodes, so targets must be named, or\n"
		"--all given; --dry-run then lists what would be sent where.\n\n"
		"Examples:\n"
		"  lmcctl call GET /threads inst1_worker0\n"
		"  lmcctl call DELETE /cache/clear -l role=worker --dry-run\n"
		"  echo '{\"max_local_cpu_size\": 4}' | lmcctl call POST /conf -d @- inst1_worker1\n",
	.min_args = 2, .max_args = 2,
	.flags = CMD_MUTATES_UNLESS_GET,
	.opts = opts,
	.complete = "method path",
	.exec = exec,
};
