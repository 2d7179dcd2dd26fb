/* set-log-level LOGGER LEVEL: sets loggers' levels on each target. LOGGER is a name or a
 * glob; it sets every logger the node lists that it matches or that sits under one it
 * matches ("lmcache" sets lmcache.v1.cache_engine, ...), the named logger itself included
 * when the node has it. This does what an operator means on both kinds of node: LMCache
 * makes one logger per module with propagation off, so setting a parent alone changes
 * nothing there, while our agent inherits like Python (docs/protocol.md). Loggers the node
 * does not list are never created (a server would create a misspelt one silently): a node
 * where nothing matches fails with not found (4) and is left unchanged. Loggers already at
 * LEVEL are not sent again and show as unchanged. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const levels[] = { "DEBUG", "INFO", "WARNING", "WARN", "ERROR",
				      "CRITICAL", "FATAL", "NOTSET", NULL };

static int check_level(char *level)
{
	size_t i = 0;

	for (char *p = level; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	while (levels[i] != NULL && strcmp(levels[i], level) != 0)
		i++;
	if (levels[i] == NULL) {
		fprintf(stderr, "lmcctl: set-log-level: unknown level '%s' (DEBUG, INFO, WARNING,"
				" ERROR, CRITICAL, NOTSET)\n", level);
		return LMC_EXIT_USAGE;
	}
	return 0;
}

/* r->result: the changes for the loggers of r's listing under pattern. */
static void plan(struct ctx *c, struct result *r)
{
	json_t *all, *v, *res, *lv = json_string(c->args[1]);
	const char *k;

	parse_loglevels(r, NULL);
	if (r->code != 0) {
		json_decref(lv);
		return;
	}
	all = r->result;
	res = changes_new(c);
	json_object_foreach(all, k, v)
		if (logger_under(c->args[0], k))
			changes_add(res, k, v, lv);
	json_decref(all);
	json_decref(lv);
	r->result = res;
	if (json_array_size(json_object_get(res, "changes")) == 0)
		result_fail(r, LMC_EXIT_NOTFOUND, xasprintf("no logger matches '%s'", c->args[0]));
}

/* The requests of every change still to make: one per (node, logger). */
static size_t requests(struct ctx *c, struct result *rs, struct cl_node ***nodes,
		       struct request **reqs, size_t **owner)
{
	char *lv = str_percent_encode(c->args[1], "");
	size_t n = 0;
	json_t *e;
	size_t j;

	for (size_t i = 0; i < c->nsel; i++)
		json_array_foreach(json_object_get(rs[i].result, "changes"), j, e) {
			char *lg;

			if (rs[i].code != 0 || !json_is_true(json_object_get(e, "changed")))
				continue;
			*nodes = xreallocarray(*nodes, n + 1, sizeof **nodes);
			*reqs = xreallocarray(*reqs, n + 1, sizeof **reqs);
			*owner = xreallocarray(*owner, n + 1, sizeof **owner);
			lg = str_percent_encode(json_str_member(e, "name", ""), "");
			(*nodes)[n] = c->sel[i];
			(*owner)[n] = i;
			(*reqs)[n++] = (struct request){ .method = "GET",
				.path = xasprintf("/loglevel?logger_name=%s&level=%s", lg, lv) };
			free(lg);
		}
	free(lv);
	return n;
}

/* Sends the changes; a node where one failed fails with that error. */
static void apply(struct ctx *c, struct result *rs)
{
	struct cl_node **nodes = NULL;
	struct request *reqs = NULL;
	size_t *owner = NULL, n = requests(c, rs, &nodes, &reqs, &owner);
	struct result *set = n ? fanout_to(c, nodes, reqs, n) : NULL;

	for (size_t i = 0; i < n; i++) {
		struct result *r = &rs[owner[i]];

		if (set[i].code != 0 && r->code == 0)
			result_fail(r, set[i].code, xstrdup(set[i].error));
		request_free(&reqs[i]);
	}
	results_free(set, n);
	free(nodes);
	free(reqs);
	free(owner);
}

static void print(struct ctx *c, struct result *rs, size_t n)
{
	print_changes(c, rs, n, "LOGGER");
}

static int exec(struct ctx *c)
{
	struct result *rs;
	int rc = check_level(c->args[1]);

	if (rc != 0)
		return rc;
	rs = fanout_get(c, "/loglevel");
	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == 0)
			plan(c, &rs[i]);
	if (!c->o.dry_run)
		apply(c, rs);
	rc = report(c, rs, c->nsel, print);
	results_free(rs, c->nsel);
	return rc;
}

const struct cmd_entry cmd_set_log_level = {
	.name = "set-log-level",
	.usage = "LOGGER LEVEL NODE...|--all|-l role=R",
	.summary = "Set the level of loggers, and of every logger under them",
	.help = "LEVEL is DEBUG, INFO, WARNING, ERROR, CRITICAL or NOTSET. LOGGER is a name or a\n"
		"glob; it sets each logger the node has that matches, and every logger under\n"
		"one (\"lmcache\" sets lmcache.v1.cache_engine too). Each row says what changed\n"
		"(OLD, NEW, CHANGE); --dry-run shows it without changing anything. Loggers are\n"
		"never created: a node without a matching logger fails with not found (4).\n"
		"It changes nodes, so targets must be named, or --all given.\n\n"
		"Examples:\n"
		"  lmcctl set-log-level lmcache DEBUG -l role=worker\n"
		"  lmcctl set-log-level 'lmcache.v1.*' INFO --all --dry-run\n"
		"  lmcctl set-log-level lmcache INFO --all && lmcctl log-level 'lmcache*'\n",
	.min_args = 2, .max_args = 2,
	.flags = CMD_MUTATES,
	.complete = "logger level",
	.exec = exec,
};
