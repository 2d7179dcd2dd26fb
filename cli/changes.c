/* What a changing command did on each node, for tables and JSON alike: the result of a node
 * is {"changed": bool, "dry_run": bool, "changes": [{"name", "old", "new", "changed"}]},
 * one entry per logger or key it touched (or, with --dry-run, would touch); an entry the
 * node would not take has "refused": true. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>

bool json_same(const json_t *a, const json_t *b)
{
	if (json_is_number(a) && json_is_number(b))
		return json_number_value(a) == json_number_value(b); /* 5 is 5.0 */
	return json_equal(a, b);
}

json_t *changes_new(const struct ctx *c)
{
	return json_pack("{s:b, s:b, s:[]}", "changed", false, "dry_run", c->o.dry_run, "changes");
}

void changes_add(json_t *res, const char *name, json_t *old, json_t *new)
{
	bool changed = old == NULL || !json_same(old, new);
	json_t *e = json_pack("{s:s, s:O, s:O, s:b}", "name", name, "old", old ? old : json_null(),
			      "new", new, "changed", changed);

	json_array_append_new(json_object_get(res, "changes"), e);
	if (changed && !json_is_true(json_object_get(res, "dry_run")))
		json_object_set_new(res, "changed", json_true());
}

static const char *change_word(const json_t *e, bool dry_run)
{
	if (json_is_true(json_object_get(e, "refused")))
		return "refused";
	if (!json_is_true(json_object_get(e, "changed")))
		return "unchanged";
	return dry_run ? "would change" : "changed";
}

void print_changes(struct ctx *c, struct result *rs, size_t n, const char *title)
{
	const char *head[] = { "NODE", title, "OLD", "NEW", "CHANGE", NULL };
	struct table *t = table_new(c, head);
	json_t *e;
	size_t j;

	for (size_t i = 0; i < n; i++) {
		bool dry = json_is_true(json_object_get(rs[i].result, "dry_run"));

		json_array_foreach(json_object_get(rs[i].result, "changes"), j, e) {
			char *old = json_is_null(json_object_get(e, "old")) ? xstrdup("-")
					  : json_cell(json_object_get(e, "old"));
			char *new = json_cell(json_object_get(e, "new"));

			table_row(t, rs[i].node->name, json_str_member(e, "name", "?"), old, new,
				  change_word(e, dry));
			free(old);
			free(new);
		}
	}
	table_print(t);
}
