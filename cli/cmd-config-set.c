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
		json_object_set_new(o, key, parse_value(eq + 1));
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
	const char *head[] = { "NODE", "KEY", "VALUE", NULL };
	struct table *t = table_new(c, head);
	const char *k;
	json_t *v;

	for (size_t i = 0; i < n; i++) {
		/* A node that refused some keys may have taken others: show those too. */
		json_object_foreach(json_object_get(rs[i].result, "updated"), k, v) {
			char *cell = json_cell(v);

			table_row(t, rs[i].node->name, k, cell);
			free(cell);
		}
	}
	table_print(t);
}

static int exec(struct ctx *c)
{
	json_t *body = assignments(c);
	struct request *reqs;
	struct result *rs;
	int rc;

	if (body == NULL)
		return LMC_EXIT_USAGE;
	reqs = xcalloc(c->nsel ? c->nsel : 1, sizeof *reqs);
	for (size_t i = 0; i < c->nsel; i++)
		reqs[i] = (struct request){ .method = "POST", .path = xstrdup("/conf"),
					    .body = json_to_text(body) };
	rs = fanout(c, reqs);
	for (size_t i = 0; i < c->nsel; i++) {
		if (rs[i].code == 0 || rs[i].status == 400)
			judge(&rs[i]);
		request_free(&reqs[i]);
	}
	rc = report(c, rs, c->nsel, print);
	results_free(rs, c->nsel);
	free(reqs);
	json_decref(body);
	return rc;
}

const struct cmd_entry cmd_config_set = {
	.name = "config",
	.sub = "set",
	.usage = "KEY=VALUE... -n NODE...|--all|-l role=R",
	.summary = "Change configuration values at runtime",
	.help = "VALUE is taken as JSON when it parses (8, true, null, [1,2], {\"a\":1}, \"text\"),\n"
		"otherwise as a string. A node refusing a key (unknown, not mutable at runtime,\n"
		"bad value) fails with the reason; the other keys may still have changed there.\n\n"
		"examples:\n"
		"  lmcctl config set chunk_size=512 -l role=worker\n"
		"  lmcctl config set 'extra_config={\"a\": 1}' -n inst1_scheduler\n",
	.min_args = 1, .max_args = -1,
	.flags = CMD_MUTATES,
	.exec = exec,
};
