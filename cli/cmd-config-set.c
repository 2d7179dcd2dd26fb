/* config set KEY=VALUE...: changes configuration values (POST /conf). VALUEs are JSON when
 * they parse as JSON (8, true, [1,2], "x"), else strings. A node that refuses any key
 * fails: not found (4) when every refused key is unknown there, else 1. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static json_t *parse_value(const char *text)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);

	return v != NULL ? v : json_string(text);
}

/* o[key] = text's value; text "@-" reads it from standard input, "@FILE" from a file. */
static int set_value(json_t *o, const char *key, const char *text)
{
	char *cause = NULL, *in = text[0] == '@' ? input_text(text, &cause) : xstrdup(text);

	if (in == NULL) {
		fprintf(stderr, "lmcctl: config set: %s: %s\n", key, cause);
		free(cause);
		return -1;
	}
	/* trimmed: "echo VALUE |" adds a newline */
	json_object_set_new(o, key, parse_value(text[0] == '@' ? str_trim(in) : in));
	free(in);
	return 0;
}

/* The body {key: value} of the arguments; NULL (usage) when one lacks '='. */
static json_t *assignments(struct ctx *c)
{
	json_t *o = json_object();

	for (int i = 0; i < c->nargs; i++) {
		char *eq = strchr(c->args[i], '=');
		char *key;

		if (eq == NULL || eq == c->args[i]) {
			fprintf(stderr, "lmcctl: config set: expected KEY=VALUE, not '%s'\n",
				c->args[i]);
			json_decref(o);
			return NULL;
		}
		key = xstrndup(c->args[i], (size_t)(eq - c->args[i]));
		if (set_value(o, key, eq + 1) < 0) {
			free(key);
			json_decref(o);
			return NULL;
		}
		free(key);
	}
	return o;
}

static void judge(struct result *r)
{
	json_t *j = json_parse_lenient(r->body, r->len, NULL), *errs = json_object_get(j, "errors"), *v;
	struct buf msg = BUF_INIT;
	bool all_unknown = true;
	const char *k;

	if ((r->status != 200 && r->status != 400) || !json_is_object(json_object_get(j, "updated"))) {
		json_decref(j);
		if (r->code == 0)
			result_fail(r, LMC_EXIT_OTHER, xstrdup("bad answer: no \"updated\" object"));
		return;
	}
	json_decref(r->result);
	r->result = j;
	json_object_foreach(errs, k, v) {
		buf_printf(&msg, "%s%s: %s", msg.len ? "; " : "", k, json_string_value(v));
		all_unknown = all_unknown && json_is_string(v) &&
			      strcmp(json_string_value(v), "Unknown config") == 0;
	}
	if (msg.len > 0) {
		result_fail(r, all_unknown ? LMC_EXIT_NOTFOUND : LMC_EXIT_OTHER, buf_steal(&msg));
	} else {
		free(r->error);
		r->error = NULL;
		r->code = 0;
	}
}

static void print(struct ctx *c, struct result *rs, size_t n)
{
	print_changes(c, rs, n, "KEY");
}

/* r->result: each assigned key with the node's current value (from GET /conf in r). */
static void plan(struct ctx *c, struct result *r, const json_t *body)
{
	json_t *cur = result_json_object(r), *res, *v;
	const char *k;

	if (cur == NULL)
		return;
	res = changes_new(c);
	json_object_foreach((json_t *)body, k, v)
		changes_add(res, k, json_object_get(cur, k), v);
	json_decref(cur);
	r->result = res;
}

/* The keys of r's plan that change, as the body to POST; NULL when none does. */
static char *changed_body(const struct result *r)
{
	json_t *o = json_object(), *e;
	char *text = NULL;
	size_t j;

	json_array_foreach(json_object_get(r->result, "changes"), j, e)
		if (json_is_true(json_object_get(e, "changed")))
			json_object_set(o, json_str_member(e, "name", ""), json_object_get(e, "new"));
	if (json_object_size(o) > 0)
		text = json_to_text(o);
	json_decref(o);
	return text;
}

/* After the POST: keys the node did not take are "refused" rather than changed. */
static void settle(json_t *plan, const json_t *answer)
{
	const json_t *updated = json_object_get(answer, "updated");
	bool any = false;
	json_t *e;
	size_t j;

	json_array_foreach(json_object_get(plan, "changes"), j, e) {
		if (!json_is_true(json_object_get(e, "changed")))
			continue;
		if (json_object_get(updated, json_str_member(e, "name", "")) != NULL) {
			any = true;
			continue;
		}
		json_object_set_new(e, "changed", json_false());
		json_object_set_new(e, "refused", json_true());
	}
	json_object_set_new(plan, "changed", json_boolean(any));
}

/* POSTs the changed keys of each planned node; judges the answers into rs. */
static void apply(struct ctx *c, struct result *rs)
{
	struct request *reqs = xcalloc(c->nsel ? c->nsel : 1, sizeof *reqs);
	struct cl_node **nodes = xcalloc(c->nsel ? c->nsel : 1, sizeof *nodes);
	size_t *at = xcalloc(c->nsel ? c->nsel : 1, sizeof *at), n = 0;
	struct result *set;

	for (size_t i = 0; i < c->nsel; i++) {
		char *body = rs[i].code == 0 ? changed_body(&rs[i]) : NULL;

		if (body == NULL)
			continue;
		reqs[n] = (struct request){ .method = "POST", .path = xstrdup("/conf"), .body = body };
		nodes[n] = c->sel[i];
		at[n++] = i;
	}
	set = n ? fanout_to(c, nodes, reqs, n) : NULL;
	for (size_t i = 0; i < n; i++) {
		if (set[i].code == 0 || set[i].status == 400)
			judge(&set[i]);
		settle(rs[at[i]].result, set[i].result);
		if (set[i].code != 0)
			result_fail(&rs[at[i]], set[i].code, xstrdup(set[i].error));
		request_free(&reqs[i]);
	}
	results_free(set, n);
	free(reqs);
	free(nodes);
	free(at);
}

static int exec(struct ctx *c)
{
	json_t *body = assignments(c);
	struct result *rs;
	int rc;

	if (body == NULL)
		return LMC_EXIT_USAGE;
	rs = fanout_get(c, "/conf");
	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == 0)
			plan(c, &rs[i], body);
	if (!c->o.dry_run)
		apply(c, rs);
	rc = report(c, rs, c->nsel, print);
	results_free(rs, c->nsel);
	json_decref(body);
	return rc;
}

const struct cmd_entry cmd_config_set = {
	.name = "config",
	.sub = "set",
	.usage = "KEY=VALUE... NODE...|--all|-l role=R",
	.summary = "Change configuration values at runtime",
	.help = "VALUE is taken as JSON when it parses (8, true, null, [1,2], {\"a\":1}, \"text\"),\n"
		"otherwise as a string. A node refusing a key (unknown, not mutable at runtime,\n"
		"bad value) fails with the reason; the other keys may still have changed there.\n"
		"VALUE @- reads it from standard input, @FILE from a file.\n"
		"Each row shows the key's OLD and NEW value and whether it changed; keys that\n"
		"already have the value are not sent. --dry-run only shows the rows.\n\n"
		"Examples:\n"
		"  lmcctl config set chunk_size=512 -l role=worker --dry-run\n"
		"  lmcctl config set save_decode_cache=true max_local_cpu_size=4.5 -n inst1_scheduler\n"
		"  echo 8 | lmcctl config set max_local_cpu_size=@- -l role=worker\n",
	.min_args = 1, .max_args = -1,
	.flags = CMD_MUTATES,
	.complete = "key=...",
	.exec = exec,
};
