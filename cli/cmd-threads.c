/* threads: each node's threads (GET /threads), in LMCache's text or JSON format or ours. */
#include "config.h"
#include "cli.h"
#include "agentfmt.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>

static const struct cmd_opt opts[] = {
	{ "match", 'm', "NAME", "threads whose name contains NAME (or matches a glob)" },
	{ "stacks", 's', NULL, "print each thread's stack" },
	{ NULL, 0, NULL, NULL },
};

static void parse(struct ctx *c, struct result *r)
{
	char *cause = NULL;
	json_t *all = agentfmt_threads(r->body, r->len, &cause), *t;
	size_t i;

	if (all == NULL) {
		result_fail(r, LMC_EXIT_OTHER, xasprintf("bad answer: %s", cause));
		free(cause);
		return;
	}
	r->result = json_array();
	json_array_foreach(all, i, t)
		if (name_matches(c->copt[0], json_str_member(t, "name", "")))
			json_array_append(r->result, t);
	json_decref(all);
	if (c->copt[0] != NULL && json_array_size(r->result) == 0)
		result_fail(r, LMC_EXIT_NOTFOUND, xasprintf("no thread matches '%s'", c->copt[0]));
}

/* One line of text for the terminal: escaped, then freed. */
static void put_line(const char *indent, char *text)
{
	char *e = display_escape(text, false);

	printf("%s%s\n", indent, e);
	free(e);
	free(text);
}

/* Each thread under "NODE NAME (TID)", its frames innermost first as the parser gives them. */
static void print_stacks(struct result *rs, size_t n)
{
	json_t *t, *f;
	size_t j, k;

	for (size_t i = 0; i < n; i++) {
		if (rs[i].code != 0)
			continue;
		json_array_foreach(rs[i].result, j, t) {
			char *tid = json_cell(json_object_get(t, "thread_id"));

			put_line("", xasprintf("%s %s (%s)", rs[i].node->name,
					       json_str_member(t, "name", "?"), tid));
			json_array_foreach(json_object_get(t, "frames"), k, f)
				put_line("  ", xstrdup(json_string_value(f) ? json_string_value(f) : "?"));
			putchar('\n');
			free(tid);
		}
	}
}

static void print(struct ctx *c, struct result *rs, size_t n)
{
	const char *head[] = { "NODE", "THREAD", "TID", "STATE", "CPU", NULL };
	struct table *t;
	json_t *th;
	size_t j;

	if (c->copt[1] != NULL) {
		print_stacks(rs, n);
		return;
	}
	t = table_new(c, head);
	for (size_t i = 0; i < n; i++) {
		if (rs[i].code != 0)
			continue;
		json_array_foreach(rs[i].result, j, th) {
			char *tid = json_cell(json_object_get(th, "thread_id"));
			char *st = json_cell(json_object_get(th, "state"));
			char *cpu = json_cell(json_object_get(th, "cpu_time"));

			table_row(t, rs[i].node->name, json_str_member(th, "name", "?"), tid,
				  *st ? st : "-", *cpu ? cpu : "-");
			free(tid);
			free(st);
			free(cpu);
		}
	}
	table_print(t);
}

static int exec(struct ctx *c)
{
	/* ?format=json is ours; LMCache's servers ignore it and answer their own format. */
	return simple_get(c, "/threads?format=json", parse, print);
}

const struct cmd_entry cmd_threads = {
	.name = "threads",
	.usage = "[--match NAME] [--stacks] [NODE...]",
	.summary = "Show each node's threads, and their stacks",
	.help = "Examples:\n"
		"  lmcctl threads -m mhd inst1_worker0\n"
		"  lmcctl threads --stacks -n inst1_scheduler   # where is it stuck?\n",
	.min_args = 0, .max_args = 0,
	.opts = opts,
	.exec = exec,
};
