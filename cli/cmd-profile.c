/* profile: a sampling profile of each node (GET /profile, an extension of our agent).
 * Folded stacks for flamegraph.pl, speedscope or inferno; the node's JSON; or "top", the
 * hottest functions. One node prints to stdout; several (or --dir) write one file per node,
 * <dir>/<node>.<folded|json|top>, and list them. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOP_ROWS 25

static const struct cmd_opt opts[] = {
	{ "seconds", 's', "N", "sample for N seconds, 1..30 (default 10)" },
	{ "hz", 0, "H", "samples per second, 1..1000 (default 99)" },
	{ "format", 'o', "FORMAT", "folded (default), json or top" },
	{ "dir", 'd', "DIR", "one file per node in DIR (default with several nodes: .)" },
	{ NULL, 0, NULL, NULL },
};

enum { SECONDS, HZ, FORMAT, DIR_OPT };

static double share(json_int_t part, json_int_t all)
{
	return all > 0 ? 100.0 * (double)part / (double)all : 0.0;
}

/* The hottest on-CPU functions of a node's JSON profile, as a table. */
char *profile_top_text(const json_t *p)
{
	const json_t *on = json_object_get(p, "on_cpu"), *f;
	json_int_t all = json_integer_value(json_object_get(on, "samples"));
	struct buf b = BUF_INIT;
	size_t i;

	buf_printf(&b, "%" JSON_INTEGER_FORMAT " on-CPU samples, %" JSON_INTEGER_FORMAT
	           " off-CPU, %d s at %d Hz\n", all,
	           json_integer_value(json_object_get(json_object_get(p, "off_cpu"), "samples")),
	           (int)json_integer_value(json_object_get(p, "seconds")),
	           (int)json_integer_value(json_object_get(p, "hz")));
	buf_printf(&b, "%7s %7s %7s %7s  %s\n", "SELF%", "SELF", "TOTAL%", "TOTAL", "FUNCTION");
	json_array_foreach(json_object_get(on, "functions"), i, f) {
		json_int_t self = json_integer_value(json_object_get(f, "self"));
		json_int_t total = json_integer_value(json_object_get(f, "total"));

		if (i == TOP_ROWS)
			break;
		buf_printf(&b, "%6.1f%% %7" JSON_INTEGER_FORMAT " %6.1f%% %7" JSON_INTEGER_FORMAT
		           "  %s\n", share(self, all), self, share(total, all), total,
		           json_str_member(f, "function", "?"));
	}
	return buf_steal(&b);
}

static const char *format_of(struct ctx *c)
{
	return c->copt[FORMAT] ? c->copt[FORMAT] : "folded";
}

static bool to_files(struct ctx *c)
{
	return c->copt[DIR_OPT] != NULL || c->nsel > 1;
}

static char *file_name(struct ctx *c, const char *node)
{
	char *path = xasprintf("%s/%s.%s", c->copt[DIR_OPT] ? c->copt[DIR_OPT] : ".", node,
	                       format_of(c));
	char *base = path + strlen(path) - strlen(node) - strlen(format_of(c)) - 1;

	for (char *p = base; *p; p++) /* a node name is one file name */
		if (*p == '/')
			*p = '_';
	return path;
}

static int write_file(const char *path, const char *text, char **cause)
{
	FILE *f = fopen(path, "we");

	if (f == NULL || fputs(text, f) < 0 || fclose(f) != 0) {
		*cause = xasprintf("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The answer in the asked format, as text; NULL with r failed. */
static char *render(struct ctx *c, struct result *r)
{
	json_t *p;

	if (strcmp(format_of(c), "top") != 0)
		return xstrdup(r->body);
	if ((p = result_json_object(r)) == NULL)
		return NULL;
	return profile_top_text(p);
}

static void parse(struct ctx *c, struct result *r)
{
	char *text = render(c, r), *path, *cause = NULL;

	if (text == NULL)
		return;
	if (!to_files(c)) {
		json_decref(r->result);
		r->result = json_string(text);
		free(text);
		return;
	}
	path = file_name(c, r->node->name);
	if (write_file(path, text, &cause) < 0)
		result_fail(r, LMC_EXIT_OTHER, cause);
	json_decref(r->result);
	r->result = json_string(path);
	free(path);
	free(text);
}

static void print(struct ctx *c, struct result *rs, size_t n)
{
	const char *head[] = { "NODE", "FILE", NULL };
	struct table *t;

	if (!to_files(c)) {
		for (size_t i = 0; i < n; i++)
			if (rs[i].code == 0)
				fputs(json_string_value(rs[i].result), stdout);
		return;
	}
	t = table_new(c, head);
	for (size_t i = 0; i < n; i++)
		if (rs[i].code == 0)
			table_row(t, rs[i].node->name, json_string_value(rs[i].result), NULL);
	table_print(t);
}

/* An integer option in [min, max] (def when absent), or -1 after a usage message. */
static int int_opt(const char *text, const char *name, int def, int min, int max)
{
	char *end;
	long v;

	if (text == NULL)
		return def;
	v = strtol(text, &end, 10);
	if (*text != '\0' && *end == '\0' && v >= min && v <= max)
		return (int)v;
	fprintf(stderr, "lmcctl: profile: --%s must be %d..%d, not '%s'\n", name, min, max, text);
	return -1;
}

static int exec(struct ctx *c)
{
	int seconds = int_opt(c->copt[SECONDS], "seconds", 10, 1, 30);
	int hz = int_opt(c->copt[HZ], "hz", 99, 1, 1000);
	const char *fmt = format_of(c);
	char *path;
	int rc;

	if (seconds < 0 || hz < 0)
		return LMC_EXIT_USAGE;
	if (strcmp(fmt, "folded") != 0 && strcmp(fmt, "json") != 0 && strcmp(fmt, "top") != 0) {
		fprintf(stderr, "lmcctl: profile: -o must be folded, json or top, not '%s'\n", fmt);
		return LMC_EXIT_USAGE;
	}
	c->o.timeout_ms += seconds * 1000L; /* the node answers after sampling */
	path = xasprintf("/profile?seconds=%d&hz=%d%s", seconds, hz,
	                 strcmp(fmt, "folded") != 0 ? "&format=json" : "");
	rc = simple_get(c, path, parse, print);
	free(path);
	return rc;
}

const struct cmd_entry cmd_profile = {
	.name = "profile",
	.usage = "[--seconds N] [--hz H] [-o folded|json|top] [--dir DIR] [NODE...]",
	.summary = "Sample each node's stacks: flame graph input or the hottest functions",
	.help = "One node prints to stdout; several nodes (or --dir) write DIR/NODE.FORMAT.\n"
		"examples:\n"
		"  lmcctl profile inst1_worker0 --seconds 5 -o top    # its hottest functions\n"
		"  lmcctl profile inst1_worker0 -s 2 > w0.folded      # flamegraph.pl w0.folded\n"
		"  lmcctl profile -l role=worker -s 2 -o json --dir prof   # prof/<node>.json\n",
	.min_args = 0, .max_args = 0,
	.opts = opts,
	.exec = exec,
};
