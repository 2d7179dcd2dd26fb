/* config diff [KEY...]: the keys whose values are not the same on every selected node.
 * Each node's result holds its values of those keys; a key a node lacks shows as absent
 * there. No difference: every result is an empty object, and the exit code is still 0. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>

/* true when key has the same value (or is absent) on every ok node. */
static bool same_everywhere(const struct result *rs, size_t n, const char *key)
{
	const json_t *first = NULL;
	bool seen = false;

	for (size_t i = 0; i < n; i++) {
		const json_t *v;

		if (rs[i].code != 0)
			continue;
		v = json_object_get(rs[i].result, key);
		if (seen && !(v == NULL ? first == NULL : first != NULL && json_equal(first, v)))
			return false;
		first = v;
		seen = true;
	}
	return true;
}

/* Every key of any ok node that differs somewhere. */
static json_t *differing_keys(const struct result *rs, size_t n)
{
	json_t *keys = json_object(), *v;
	const char *k;

	for (size_t i = 0; i < n; i++) {
		if (rs[i].code != 0)
			continue;
		json_object_foreach(rs[i].result, k, v)
			if (json_object_get(keys, k) == NULL && !same_everywhere(rs, n, k))
				json_object_set_new(keys, k, json_true());
	}
	return keys;
}

static void keep_only(struct result *r, const json_t *keys)
{
	json_t *out = json_object(), *v;
	const char *k;

	json_object_foreach((json_t *)keys, k, v) {
		json_t *val = json_object_get(r->result, k);

		json_object_set_new(out, k, val ? json_incref(val) : json_string("<absent>"));
	}
	json_decref(r->result);
	r->result = out;
}

static int exec(struct ctx *c)
{
	char *path = conf_path(c->args, c->nargs);
	struct result *rs = fanout_get(c, path);
	json_t *keys;
	int rc;

	free(path);
	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == 0)
			parse_conf(&rs[i], c->args, c->nargs);
	keys = differing_keys(rs, c->nsel);
	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == 0)
			keep_only(&rs[i], keys);
	if (json_object_size(keys) == 0 && !c->o.json && !c->o.quiet)
		fprintf(stderr, "lmcctl: no difference between %zu nodes\n", c->nsel);
	rc = report(c, rs, c->nsel, print_key_values);
	json_decref(keys);
	results_free(rs, c->nsel);
	return rc;
}

const struct cmd_entry cmd_config_diff = {
	.name = "config",
	.sub = "diff",
	.usage = "[KEY...] [-n NODE...]",
	.summary = "Show configuration keys whose values differ across nodes",
	.help = "Compares every key (or the KEYs, names or globs) across the selected nodes and\n"
		"shows each differing key with each node's value (\"<absent>\" where missing).\n\n"
		"Examples:\n"
		"  lmcctl config diff -l role=worker\n"
		"  lmcctl config diff max_local_cpu_size -o json | jq -e 'all(.[]; .result == {})'\n",
	.min_args = 0, .max_args = -1,
	.complete = "key...",
	.exec = exec,
};
