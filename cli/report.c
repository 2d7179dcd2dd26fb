/* Printing the per-node results and combining them into one exit code:
 *   every target ok -> 0; some ok and some failed -> 3 (partial);
 *   every target failed the same way -> that way's code (4, 5, 6, 7 or 1);
 *   every target failed, in different ways -> 1.
 * A frontend that could not be listed while others were makes a success partial (3),
 * unless every target was named exactly and found; a name that matches none of the nodes
 * listed then fails with that frontend's class (5, 6, ...). */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

int combine_codes(const int *codes, size_t n)
{
	size_t ok = 0; /* results with data */
	bool same = true;
	int first_bad = -1;

	for (size_t i = 0; i < n; i++) {
		if (codes[i] == 0) {
			ok++;
			continue;
		}
		if (first_bad >= 0 && codes[i] != first_bad)
			same = false;
		if (first_bad < 0)
			first_bad = codes[i];
	}
	if (ok == n)
		return LMC_EXIT_OK;
	if (ok > 0)
		return LMC_EXIT_PARTIAL;
	return same ? first_bad : LMC_EXIT_OTHER;
}

static json_t *result_object(const struct result *r)
{
	json_t *o = json_object();

	json_object_set_new(o, "node", json_string(r->node->name));
	json_object_set_new(o, "ok", json_boolean(r->code == 0));
	json_object_set_new(o, "status", r->status ? json_integer(r->status) : json_null());
	json_object_set_new(o, "error", r->error ? json_string(r->error) : json_null());
	json_object_set_new(o, "took_ms", json_integer(r->took_ms));
	if (r->result != NULL) /* on a failure: what the node answered, when it is known */
		json_object_set(o, "result", r->result);
	else if (r->code == 0)
		json_object_set_new(o, "result", json_stringn(r->body ? r->body : "", r->len));
	else
		json_object_set_new(o, "result", json_null());
	return o;
}

static json_t *report_json(const struct result *rs, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, result_object(&rs[i]));
	return a;
}

static void print_json(const struct result *rs, size_t n)
{
	json_t *a = report_json(rs, n);
	char *text = json_dumps_shortest(a, JSON_INDENT(2) | JSON_ENSURE_ASCII);

	if (text != NULL)
		puts(text);
	free(text);
	json_decref(a);
}

/* -o name: the names of the nodes that succeeded, one a line (for xargs and loops). */
static void print_names(const struct result *rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (rs[i].code == 0) {
			char *name = display_escape(rs[i].node->name, false);

			printf("%s\n", name);
			free(name);
		}
}

static void print_structured(struct ctx *c, const struct result *rs, size_t n)
{
	if (c->o.out == OUT_YAML) {
		json_t *a = report_json(rs, n);

		print_yaml(a, stdout);
		json_decref(a);
	} else {
		print_json(rs, n);
	}
}

int report(struct ctx *c, struct result *rs, size_t n, print_fn print)
{
	int *codes = xcalloc(n ? n : 1, sizeof *codes);
	int rc;

	for (size_t i = 0; i < n; i++) {
		codes[i] = rs[i].code;
		if (rs[i].code != 0)
			warn_node(rs[i].node->name, rs[i].error ? rs[i].error : "failed");
	}
	c->rs = rs;
	c->nrs = n;
	if (c->o.quiet)
		;
	else if (c->o.json)
		print_structured(c, rs, n);
	else if (c->o.out == OUT_NAME)
		print_names(rs, n);
	else if (print != NULL)
		print(c, rs, n); /* failed nodes too: tables show them as rows */
	fflush(stdout);
	c->rs = NULL;
	c->nrs = 0;
	rc = combine_codes(codes, n);
	if (rc == LMC_EXIT_OK && c->listing_code != 0 && !c->exact)
		rc = LMC_EXIT_PARTIAL;
	free(codes);
	return rc;
}

void warn_node(const char *node, const char *msg)
{
	char *n = display_escape(node, false), *m = display_escape(msg, false);

	fprintf(stderr, "lmcctl: %s: %s\n", n, m);
	free(n);
	free(m);
}
