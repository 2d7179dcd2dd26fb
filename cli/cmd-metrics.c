/* metrics: each node's samples (GET /metrics), optionally only those whose metric name
 * matches --match. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const struct cmd_opt opts[] = {
	{ "match", 'm', "PATTERN", "metric names containing PATTERN (or matching a glob)" },
	{ NULL, 0, NULL, NULL },
};

static void add_sample(json_t *a, const char *line, size_t nlen, size_t slen, const char *v,
		       size_t vlen)
{
	char *text = xstrndup(v, vlen), *end;
	double d = strtod(text, &end);
	json_t *val = *end == '\0' && end != text ? json_real(d) : json_string(text);

	if (json_is_real(val) && d == (double)(long long)d && d < 9e15 && d > -9e15) {
		json_decref(val);
		val = json_integer((json_int_t)d);
	}
	json_array_append_new(a, json_pack("{s:s%, s:s%, s:o}", "name", line, nlen, "series", line,
					   slen, "value", val));
	free(text);
}

static void parse(struct ctx *c, struct result *r)
{
	size_t n, nlen, slen, vlen;
	char **lines = str_split(r->body, '\n', &n);
	json_t *a = json_array();
	const char *v;

	for (size_t i = 0; i < n; i++) {
		if (!prom_split(lines[i], &nlen, &slen, &v, &vlen))
			continue;
		if (c->copt[0] != NULL) {
			char *name = xstrndup(lines[i], nlen);
			bool keep = name_matches(c->copt[0], name);

			free(name);
			if (!keep)
				continue;
		}
		add_sample(a, lines[i], nlen, slen, v, vlen);
	}
	str_list_free(lines);
	r->result = a;
	if (c->copt[0] != NULL && json_array_size(a) == 0)
		result_fail(r, LMC_EXIT_NOTFOUND, xasprintf("no metric matches '%s'", c->copt[0]));
}

static void print(struct ctx *c, struct result *rs, size_t n)
{
	const char *head[] = { "NODE", "SERIES", "VALUE", NULL };
	struct table *t = table_new(c, head);
	json_t *s;
	size_t j;

	for (size_t i = 0; i < n; i++) {
		if (rs[i].code != 0)
			continue;
		json_array_foreach(rs[i].result, j, s) {
			char *v = json_cell(json_object_get(s, "value"));

			table_row(t, rs[i].node->name, json_string_value(json_object_get(s, "series")), v);
			free(v);
		}
	}
	table_print(t);
}

static int exec(struct ctx *c)
{
	return simple_get(c, "/metrics", parse, print);
}

const struct cmd_entry cmd_metrics = {
	.name = "metrics",
	.usage = "[--match PATTERN] [NODE...]",
	.summary = "Show Prometheus samples of each node",
	.help = "A node none of whose metrics match --match fails with not found (4).\n\n"
		"examples:\n"
		"  lmcctl metrics -m hit_rate\n"
		"  lmcctl metrics -m 'lmcache:num_*' -o json | jq '.[].result[] | .value'\n",
	.min_args = 0, .max_args = 0,
	.opts = opts,
	.exec = exec,
};
