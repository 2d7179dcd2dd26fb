/* What a profile answers (profile.h): folded stacks and per-function counts. Pure: the
 * unit test feeds it stacks by hand. */
#include "config.h"
#include "profile.h"
#include "buf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

long prof_samples(const struct prof_stack *s, size_t n)
{
	long total = 0;

	for (size_t i = 0; i < n; i++)
		total += s[i].count;
	return total;
}

char *prof_frame_name(const char *name)
{
	char *out = xstrdup(name && *name ? name : "?");

	for (char *p = out; *p; p++)
		if (*p == ';')
			*p = ':';
		else if ((unsigned char)*p <= ' ')
			*p = '_';
	return out;
}

struct line {
	char *text;
	long count;
};

static int cmp_line(const void *a, const void *b)
{
	return strcmp(((const struct line *)a)->text, ((const struct line *)b)->text);
}

static char *join(const struct prof_stack *s)
{
	struct buf b = BUF_INIT;

	for (int i = 0; i < s->n; i++)
		buf_printf(&b, "%s%s", i ? ";" : "", s->names[i]);
	return buf_steal(&b);
}

char *prof_folded(const struct prof_stack *s, size_t n)
{
	struct line *lines = xcalloc(n ? n : 1, sizeof *lines);
	struct buf b = BUF_INIT;
	size_t i = 0;

	for (i = 0; i < n; i++)
		lines[i] = (struct line){ join(&s[i]), s[i].count };
	qsort(lines, n, sizeof *lines, cmp_line);
	for (i = 0; i < n; i++) {
		long count = lines[i].count;

		while (i + 1 < n && strcmp(lines[i].text, lines[i + 1].text) == 0)
			count += lines[++i].count; /* different addresses, same functions */
		buf_printf(&b, "%s %ld\n", lines[i].text, count);
	}
	for (i = 0; i < n; i++)
		free(lines[i].text);
	free(lines);
	return buf_steal(&b);
}

/* Adds by to member key of the function's counters in fns. */
static void add(json_t *fns, const char *function, const char *key, long by)
{
	json_t *f = json_object_get(fns, function);

	if (f == NULL) {
		f = json_pack("{s:s, s:I, s:I}", "function", function, "self", (json_int_t)0,
		              "total", (json_int_t)0);
		json_object_set_new(fns, function, f);
	}
	json_object_set_new(f, key, json_integer(json_integer_value(json_object_get(f, key)) + by));
}

/* Whether names[i] appeared before in names[1..i-1] (recursion counts once in total). */
static bool seen_before(const struct prof_stack *s, int i)
{
	for (int j = 1; j < i; j++)
		if (strcmp(s->names[j], s->names[i]) == 0)
			return true;
	return false;
}

static int cmp_fn(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	json_int_t d = json_integer_value(json_object_get(y, "self")) -
	               json_integer_value(json_object_get(x, "self"));

	if (d == 0)
		d = json_integer_value(json_object_get(y, "total")) -
		    json_integer_value(json_object_get(x, "total"));
	if (d != 0)
		return d < 0 ? -1 : 1;
	return strcmp(json_string_value(json_object_get(x, "function")),
	              json_string_value(json_object_get(y, "function")));
}

static json_t *sorted_values(json_t *fns)
{
	size_t n = json_object_size(fns), i = 0;
	json_t **v = xcalloc(n ? n : 1, sizeof *v), *out = json_array(), *f;
	const char *k;

	json_object_foreach(fns, k, f)
		v[i++] = f;
	qsort(v, n, sizeof *v, cmp_fn);
	for (i = 0; i < n; i++)
		json_array_append(out, v[i]);
	free(v);
	return out;
}

json_t *prof_functions(const struct prof_stack *s, size_t n)
{
	json_t *fns = json_object(), *out;

	for (size_t i = 0; i < n; i++) {
		if (s[i].n < 2)
			continue; /* a thread without a stack names no function */
		add(fns, s[i].names[s[i].n - 1], "self", s[i].count);
		for (int j = 1; j < s[i].n; j++)
			if (!seen_before(&s[i], j))
				add(fns, s[i].names[j], "total", s[i].count);
	}
	out = sorted_values(fns);
	json_decref(fns);
	return out;
}
