/* config get [KEY...]: configuration values of each node (GET /conf), all of them or the
 * keys named (names or globs). Named keys are asked for with ?names= (LMCache's filter; a
 * node that ignores it answers them all), and the answer is filtered here either way. A key
 * that matches nothing on a node fails that node with not found (4). */
#include "config.h"
#include "cli.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* result: the members of r's /conf object whose key matches one of keys (all if none). */
void parse_conf(struct result *r, char **keys, int nkeys)
{
	json_t *all = result_json_object(r), *v;
	const char *k;

	if (all == NULL)
		return;
	r->result = json_object();
	for (int i = 0; i < nkeys || (i == 0 && nkeys == 0); i++) {
		size_t found = 0;

		json_object_foreach(all, k, v)
			if (nkeys == 0 || glob_match(keys[i], k)) {
				json_object_set(r->result, k, v);
				found++;
			}
		if (found == 0 && nkeys > 0 && r->code == 0)
			result_fail(r, LMC_EXIT_NOTFOUND, xasprintf("no config key '%s'", keys[i]));
	}
	json_decref(all);
}

static void parse(struct ctx *c, struct result *r)
{
	parse_conf(r, c->args, c->nargs);
}

void print_key_values(struct ctx *c, struct result *rs, size_t n)
{
	print_members(c, rs, n, "KEY", "VALUE");
}

char *conf_path(char **keys, int nkeys)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < nkeys; i++)
		if (strpbrk(keys[i], "*?[") != NULL)
			nkeys = 0; /* a glob: every key is needed, to match it here */
	buf_puts(&b, "/conf");
	for (int i = 0; i < nkeys; i++) {
		char *k = str_percent_encode(keys[i], "");

		buf_printf(&b, "%s%s", i ? "," : "?names=", k);
		free(k);
	}
	return buf_steal(&b);
}

static int exec(struct ctx *c)
{
	char *path = conf_path(c->args, c->nargs);
	int rc = simple_get(c, path, parse, print_key_values);

	free(path);
	return rc;
}

const struct cmd_entry cmd_config_get = {
	.name = "config",
	.sub = "get",
	.usage = "[KEY...] [-n NODE...]",
	.summary = "Show configuration values",
	.help = "KEYs are names or globs. Give target nodes with -n, since the arguments are\n"
		"all keys.\n\n"
		"Examples:\n"
		"  lmcctl config get chunk_size -n 'inst1_*'\n"
		"  lmcctl config get 'internal_api_server_*' -l role=scheduler\n"
		"  lmcctl config get -o json | jq '.[0].result'\n",
	.min_args = 0, .max_args = -1,
	.complete = "key...",
	.exec = exec,
};
