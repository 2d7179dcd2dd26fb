/* The shape most commands share: one GET to every target, a parser per answer, a table. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <unistd.h>

void parse_json_object(struct ctx *c, struct result *r)
{
	result_json_object(r);
}

char *json_cell(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (v == NULL || json_is_null(v))
		return xstrdup("");
	if (json_is_real(v)) { /* shortest, as the node's Python shows it: 0.9, 5.0 */
		char d[STR_DOUBLE_SIZE];

		return xstrdup(str_double(json_real_value(v), d));
	}
	return json_to_text(v);
}

void print_node_value(struct ctx *c, struct result *rs, size_t n, const char *title)
{
	const char *head[] = { "NODE", title, NULL };
	struct table *t = table_new(c, head);

	for (size_t i = 0; i < n; i++) {
		char *cell;

		if (rs[i].code != 0)
			continue;
		cell = json_cell(rs[i].result);
		table_row(t, rs[i].node->name, cell);
		free(cell);
	}
	table_print(t);
}

int simple_get(struct ctx *c, const char *path, parse_fn parse, print_fn print)
{
	struct result *rs = fanout_get(c, path);
	int rc;

	for (size_t i = 0; i < c->nsel; i++)
		if (rs[i].code == 0 && parse != NULL)
			parse(c, &rs[i]);
	rc = report(c, rs, c->nsel, print);
	results_free(rs, c->nsel);
	return rc;
}

/* Each ok answer as is, under a "==> node <==" line when there are several (call,
 * run-script). On a terminal, control characters other than newlines and tabs are
 * escaped, so an answer cannot drive it; into a pipe or file the bytes go unchanged. */
void print_bodies(struct ctx *c, struct result *rs, size_t n)
{
	bool tty = isatty(STDOUT_FILENO);

	for (size_t i = 0; i < n; i++) {
		char *name, *body;

		if (rs[i].code != 0)
			continue;
		name = display_escape(rs[i].node->name, false);
		body = tty ? display_escape(rs[i].body, true) : NULL;
		if (n > 1 && !c->o.no_headers)
			printf("==> %s <==\n", name);
		if (body != NULL)
			fputs(body, stdout);
		else
			fwrite(rs[i].body, 1, rs[i].len, stdout);
		if (rs[i].len > 0 && rs[i].body[rs[i].len - 1] != '\n')
			putchar('\n');
		free(name);
		free(body);
	}
}
