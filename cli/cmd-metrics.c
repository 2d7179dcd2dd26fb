/* metrics: each node's samples (GET /metrics, parsed with the shared prom.h), optionally
 * only those whose family or sample name matches --match. */
#include "config.h"
#include "cli.h"
#include "prom.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const struct cmd_opt opts[] = {
	{ "match", 'm', "PATTERN", "metric names containing PATTERN (or matching a glob)" },
	{ NULL, 0, NULL, NULL },
};

static json_t *sample_json(const struct prom_family *f, const struct prom_sample *s)
{
	json_t *labels = json_object(), *value, *out;
	char *series = prom_series(NULL, s, NULL);

	for (size_t i = 0; i < s->nlabels; i++)
		json_object_set_new(labels, s->labels[i].name, json_string(s->labels[i].value));
	if (!isfinite(s->value))
		value = json_string(s->value_text); /* NaN, +Inf: not JSON numbers */
	else if (s->value == (double)(json_int_t)s->value && fabs(s->value) < 9e15)
		value = json_integer((json_int_t)s->value);
	else
		value = json_real(s->value);
	out = json_pack("{s:s, s:s, s:s, s:o, s:o}", "name", s->name, "type",
			prom_type_name(f->type), "series", series, "labels", labels, "value", value);
	free(series);
	return out;
}

static void parse(struct ctx *c, struct result *r)
{
	struct prom_exposition e;
	char *cause = NULL;

	if (prom_parse(r->body, r->len, &e, &cause) < 0) {
		result_fail(r, LMC_EXIT_OTHER, xasprintf("bad answer: %s", cause));
		free(cause);
		return;
	}
	r->result = json_array();
	for (size_t i = 0; i < e.nfamilies; i++) {
		const struct prom_family *f = &e.families[i];

		for (size_t j = 0; j < f->nsamples; j++)
			if (name_matches(c->copt[0], f->name) ||
			    name_matches(c->copt[0], f->samples[j].name))
				json_array_append_new(r->result, sample_json(f, &f->samples[j]));
	}
	prom_exposition_free(&e);
	if (c->copt[0] != NULL && json_array_size(r->result) == 0)
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
		"Examples:\n"
		"  lmcctl metrics -m hit_rate\n"
		"  lmcctl metrics -m 'lmcache:num_*' -o json | jq '.[].result[] | .value'\n",
	.min_args = 0, .max_args = 0,
	.opts = opts,
	.exec = exec,
};
