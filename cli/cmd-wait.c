/* wait CONDITION: polls until the condition holds on every selected node (exit 0), or the
 * time runs out (6, with the last reason it did not hold). Conditions:
 *   healthy                every target answers its health route healthy (or unknown)
 *   log-level LOGGER=LEVEL every logger matching LOGGER is at LEVEL on every target
 *   config KEY=VALUE       KEY has VALUE (JSON when it parses) on every target
 *   nodes N                at least N nodes are listed (after -l/--instance/names)
 * The cluster is listed again on each poll, so nodes that come and go are seen. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define WAIT_DEFAULT_MS 60000L /* --timeout not given: kubectl wait's 30 s is short for a restart */

/* One poll: NULL when the condition holds, else why not (caller frees). */
typedef char *check_fn(struct ctx *c, const char *arg);

static char *first_failure(struct result *rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rs[i].code != 0)
			return xasprintf("%s: %s", rs[i].node->name, rs[i].error ? rs[i].error : "failed");
	return NULL;
}

static char *check_healthy(struct ctx *c, const char *arg)
{
	struct result *rs = health_check(c);
	char *why = first_failure(rs, c->nsel);

	for (size_t i = 0; why == NULL && i < c->nsel; i++)
		if (strcmp(json_str_member(rs[i].result, "status", ""), "unhealthy") == 0)
			why = xasprintf("%s: unhealthy", rs[i].node->name);
	results_free(rs, c->nsel);
	return why;
}

/* arg KEY=VALUE split; VALUE parsed as JSON when it parses. */
static char *split(const char *arg, json_t **value)
{
	const char *eq = strchr(arg, '=');

	*value = json_loads(eq + 1, JSON_DECODE_ANY, NULL);
	if (*value == NULL)
		*value = json_string(eq + 1);
	return xstrndup(arg, (size_t)(eq - arg));
}

/* Every value in each ok result's object equals want; else the first that does not. */
static char *all_equal(struct result *rs, size_t n, const json_t *want)
{
	char *why = first_failure(rs, n);
	const char *k;
	json_t *v;

	for (size_t i = 0; why == NULL && i < n; i++)
		json_object_foreach(rs[i].result, k, v)
			if (why == NULL && !json_same(v, want)) {
				char *have = json_cell(v);

				why = xasprintf("%s: %s is %s", rs[i].node->name, k, have);
				free(have);
			}
	return why;
}

/* Narrows one node's answer down to the value of name (a logger, a config key). */
typedef void pick_fn(struct result *r, char *name);

static void pick_level(struct result *r, char *logger)
{
	parse_loglevels(r, logger);
}

static void pick_conf(struct result *r, char *key)
{
	parse_conf(r, &key, 1);
}

/* NAME=VALUE of arg on every selected node: GET path, each answer picked down to NAME's
 * value and compared with VALUE (upper-cased first when upper: levels are upper case on the
 * wire). NULL when all are equal, else why not. */
static char *check_values(struct ctx *c, const char *arg, const char *path, pick_fn *pick,
			  bool upper)
{
	json_t *want;
	char *name = split(arg, &want), *why;
	struct result *rs = fanout_get(c, path);

	if (upper && json_is_string(want)) {
		char *up = xstrdup(json_string_value(want));

		for (char *p = up; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		json_string_set(want, up);
		free(up);
	}
	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == 0)
			pick(&rs[i], name);
	why = all_equal(rs, c->nsel, want);
	results_free(rs, c->nsel);
	json_decref(want);
	free(name);
	return why;
}

static char *check_log_level(struct ctx *c, const char *arg)
{
	return check_values(c, arg, "/loglevel", pick_level, true);
}

static char *check_config(struct ctx *c, const char *arg)
{
	return check_values(c, arg, "/conf", pick_conf, false);
}

static char *check_nodes(struct ctx *c, const char *arg)
{
	long want = strtol(arg, NULL, 10);

	return (long)c->nsel >= want ? NULL : xasprintf("%zu of %ld nodes", c->nsel, want);
}

static const struct condition {
	const char *name;
	check_fn *check;
	const char *arg; /* what its argument looks like; NULL: none */
} conditions[] = {
	{ "healthy", check_healthy, NULL },
	{ "log-level", check_log_level, "LOGGER=LEVEL" },
	{ "config", check_config, "KEY=VALUE" },
	{ "nodes", check_nodes, "N" },
	{ NULL, NULL, NULL },
};

/* The condition named by the first argument; the arguments after it (and after its own
 * argument) become targets. NULL (usage) when it is unknown or its argument is wrong. */
static const struct condition *condition(struct ctx *c)
{
	const struct condition *w = conditions;
	int own;

	while (w->name != NULL && strcmp(w->name, c->args[0]) != 0)
		w++;
	own = w->name != NULL && w->arg != NULL ? 2 : 1;
	if (w->name == NULL || c->nargs < own ||
	    (w->arg != NULL && w->check != check_nodes && strchr(c->args[1], '=') == NULL) ||
	    (w->check == check_nodes && strtol(c->args[1], NULL, 10) < 1)) {
		fprintf(stderr, "lmcctl: wait: expected healthy, log-level LOGGER=LEVEL, config "
				"KEY=VALUE or nodes N\n");
		return NULL;
	}
	c->targets = c->args + own; /* the rest, with the targets after them */
	c->ntargets += c->nargs - own;
	c->nargs = own;
	return w;
}

/* One poll: list, select and check, with messages of the listing kept off stderr (the
 * last reason is told at the end). NULL when the condition holds. */
static char *poll_once(struct ctx *c, const struct condition *w, int *rc_out)
{
	int saved = dup(STDERR_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	char *why = NULL;
	int rc;

	fflush(stderr);
	dup2(null, STDERR_FILENO);
	if ((rc = cluster_load(c)) == 0 && (rc = select_nodes(c)) == 0)
		why = w->check(c, c->nargs > 1 ? c->args[1] : NULL);
	else if (w->check == check_nodes && rc == LMC_EXIT_NOTFOUND)
		why = check_nodes(c, c->args[1]); /* none yet */
	else
		why = xasprintf("the cluster cannot be listed (exit status %d)", rc);
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	close(null);
	cli_free(c);
	*rc_out = now_ms() >= c->deadline_ms ? LMC_EXIT_TIMEOUT : rc; /* cut short */
	return why;
}

/* The reason to tell: a poll cut short by the deadline says less than the one before. */
static char *keep_reason(char *prev, char *why, int rc)
{
	if (prev != NULL && rc == LMC_EXIT_TIMEOUT) {
		free(why);
		return prev;
	}
	free(prev);
	return why;
}

static int exec(struct ctx *c)
{
	const struct condition *w = condition(c);
	long interval = c->o.watch_ms > 0 ? c->o.watch_ms : 2000, left;
	char *why = NULL, *now;
	int rc = 0;

	if (w == NULL)
		return LMC_EXIT_USAGE;
	if (!c->o.timeout_given)
		c->o.timeout_ms = WAIT_DEFAULT_MS;
	c->deadline_ms = now_ms() + c->o.timeout_ms;
	while ((now = poll_once(c, w, &rc)) != NULL && (left = c->deadline_ms - now_ms()) > 0) {
		why = keep_reason(why, now, rc);
		sleep_ms(interval < left ? interval : left);
	}
	if (now == NULL) {
		free(why);
		if (!c->o.quiet)
			printf("condition met: %s%s%s\n", w->name, c->nargs > 1 ? " " : "",
			       c->nargs > 1 ? c->args[1] : "");
		return LMC_EXIT_OK;
	}
	why = keep_reason(why, now, rc);
	fprintf(stderr, "lmcctl: wait: timed out after %.3g s: %s\n", c->o.timeout_ms / 1000.0, why);
	free(why);
	return LMC_EXIT_TIMEOUT;
}

const struct cmd_entry cmd_wait = {
	.name = "wait",
	.usage = "healthy|log-level LOGGER=LEVEL|config KEY=VALUE|nodes N [NODE...]",
	.summary = "Wait until a condition holds on every node",
	.help = "Polls every --interval seconds (default 2) until the condition holds on every\n"
		"selected node (exit 0) or --timeout runs out (default 60 here; exit 6, with the\n"
		"reason). LOGGER may be a glob; VALUE is JSON when it parses. nodes N waits until\n"
		"at least N nodes are listed.\n\n"
		"Examples:\n"
		"  lmcctl wait healthy --timeout 120 && echo 'all up'\n"
		"  lmcctl wait nodes 6 --timeout 30\n"
		"  lmcctl wait log-level 'lmcache.v1.*'=WARNING -l role=worker --timeout 300\n"
		"  lmcctl wait config max_local_cpu_size=5 inst1_worker0\n",
	.min_args = 1, .max_args = -1,
	.flags = CMD_NO_NODES | CMD_WATCHES,
	.complete = "condition",
	.exec = exec,
};
