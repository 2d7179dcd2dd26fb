/* What GET /profile answers from sampled stacks: folded lines and per-function counts. */
#include "config.h"
#include "profile.h"
#include "tap.h"

#include <stdlib.h>

static char *a1[] = { "worker", "main", "loop", "hash" };
static char *a2[] = { "worker", "main", "loop", "hash" }; /* same functions, other pcs */
static char *a3[] = { "worker", "main", "loop" };
static char *a4[] = { "worker", "fib", "fib", "fib" }; /* recursion */
static char *a5[] = { "idle" };                       /* a thread without a stack */

static const struct prof_stack stacks[] = {
	{ a1, 4, 5 }, { a2, 4, 2 }, { a3, 3, 1 }, { a4, 4, 3 }, { a5, 1, 4 },
};
#define NSTACKS (sizeof stacks / sizeof stacks[0])

static json_int_t field(json_t *fns, const char *function, const char *key)
{
	size_t i;
	json_t *f;

	json_array_foreach(fns, i, f)
		if (strcmp(json_string_value(json_object_get(f, "function")), function) == 0)
			return json_integer_value(json_object_get(f, key));
	return -1;
}

static void test_folded(void)
{
	char *text = prof_folded(stacks, NSTACKS);

	is_str(text,
	       "idle 4\n"
	       "worker;fib;fib;fib 3\n"
	       "worker;main;loop 1\n"
	       "worker;main;loop;hash 7\n",
	       "folded: one sorted line per stack, same names merged");
	free(text);
	text = prof_folded(stacks, 0);
	is_str(text, "", "folded: no samples, no lines");
	free(text);
	is_int(prof_samples(stacks, NSTACKS), 15, "samples: all counts summed");
}

static void test_functions(void)
{
	json_t *fns = prof_functions(stacks, NSTACKS);

	is_str(json_string_value(json_object_get(json_array_get(fns, 0), "function")), "hash",
	       "functions: the hottest by self first");
	is_int(field(fns, "hash", "self"), 7, "self: innermost samples");
	is_int(field(fns, "loop", "self"), 1, "self of a function that is also a caller");
	is_int(field(fns, "loop", "total"), 8, "total: samples anywhere in the stack");
	is_int(field(fns, "main", "self"), 0, "a caller only: no self samples");
	is_int(field(fns, "fib", "total"), 3, "recursion counts once per sample");
	is_int(field(fns, "fib", "self"), 3, "recursion: innermost frame is self");
	is_int(field(fns, "idle", "total"), -1, "thread names are not functions");
	is_int(json_array_size(fns), 4, "four functions");
	json_decref(fns);
}

static void test_frame_name(void)
{
	char *n = prof_frame_name("a;b c\td");

	is_str(n, "a:b_c_d", "frame names: no separators of the folded format");
	free(n);
	n = prof_frame_name("");
	is_str(n, "?", "frame names: never empty");
	free(n);
}

int main(void)
{
	no_plan();
	test_folded();
	test_functions();
	test_frame_name();
	return done_testing();
}
