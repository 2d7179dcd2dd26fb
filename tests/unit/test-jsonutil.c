/* Unit tests for libcommon's jansson helpers: the lenient parser of Python's non-finite
 * tokens and the dumper with the shortest reals. */
#include "config.h"
#include "jsonutil.h"
#include "tap.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* text parsed leniently and written back compactly. */
static void is_lenient(const char *text, const char *want, const char *name)
{
	char *cause = NULL, *got;
	json_t *v = json_parse_lenient(text, strlen(text), &cause);

	got = v ? json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : cause;
	is_str(got, want, name);
	free(got);
	json_decref(v);
}

/* text refused, with a cause that holds want. */
static void is_refused(const char *text, const char *want, const char *name)
{
	char *cause = NULL;
	json_t *v = json_parse_lenient(text, strlen(text), &cause);

	ok(v == NULL && cause != NULL && strstr(cause, want) != NULL, name);
	if (cause && !strstr(cause, want))
		printf("# cause: %s\n", cause);
	json_decref(v);
	free(cause);
}

static void test_lenient_tokens(void)
{
	is_lenient("{\"timeout\": Infinity}", "{\"timeout\":\"Infinity\"}", "Infinity as a value");
	is_lenient("{\"a\": -Infinity, \"b\": -1}", "{\"a\":\"-Infinity\",\"b\":-1}",
	           "-Infinity vs -1");
	is_lenient("[1, NaN, 2.5, NaN]", "[1,\"NaN\",2.5,\"NaN\"]", "NaN inside an array");
	is_lenient("NaN", "\"NaN\"", "a bare NaN document");
	is_lenient("{\"a\": {\"b\": [Infinity, {\"c\": NaN}]}, \"d\": -Infinity}",
	           "{\"a\":{\"b\":[\"Infinity\",{\"c\":\"NaN\"}]},\"d\":\"-Infinity\"}", "nested");
	is_lenient("{\"a\":Infinity,\"b\":\n\tNaN\n}", "{\"a\":\"Infinity\",\"b\":\"NaN\"}",
	           "no spaces, newlines and tabs");
	is_lenient("{\"k\": \"Infinity NaN -Infinity\"}", "{\"k\":\"Infinity NaN -Infinity\"}",
	           "the words inside a string stay");
	is_lenient("{\"say \\\"NaN\\\"\": \"a\\\\\", \"x\": NaN}",
	           "{\"say \\\"NaN\\\"\":\"a\\\\\",\"x\":\"NaN\"}",
	           "escaped quotes and backslashes");
	is_lenient("{\"Infinity\": 1}", "{\"Infinity\":1}", "a key named Infinity");
	is_lenient("{\"v\": 0.9, \"n\": null}", "{\"v\":0.90000000000000002,\"n\":null}",
	           "no token: parsed as is");
}

static void test_lenient_errors(void)
{
	is_refused("{\"a\": NaNx}", "invalid JSON", "NaN as part of another token");
	is_refused("{\"a\": infinity}", "invalid JSON", "other spellings stay invalid");
	is_refused("{\"a\": +Infinity}", "invalid JSON", "+Infinity is not Python's");
	is_refused("{\"a\": -NaN}", "invalid JSON", "-NaN is not Python's");
	is_refused("{NaN: 1}", "invalid JSON", "NaN as a key");
	is_refused("[1, 2] NaN", "invalid JSON", "NaN after the document");
	is_refused("[NaN NaN]", "invalid JSON", "two values without a comma");
	is_refused("{\"a\": NaN, \"b\": Infinity, \"c\": }", "line 1 column 32 (byte 32)",
	           "the position counts the text as received");
	is_refused("{\"a\": NaN,\n\"c\": NaN,\n\"d\" 1}", "line 3 column 5 (byte 26)",
	           "line and column after tokens on earlier lines");
	is_refused("{\"a\": NaN, \"b\": \"open", "invalid JSON", "an unterminated string");
	is_refused("[NaN, \"\\", "invalid JSON", "a trailing backslash");
}

/* Linear: a long answer full of tokens parses (a quadratic scan would not finish soon). */
static void test_lenient_large(void)
{
	size_t n = 200000;
	char *text = xmalloc(n * 5 + 3), *p = text, *cause = NULL;
	json_t *v;

	*p++ = '[';
	for (size_t i = 0; i < n; i++)
		p = stpcpy(p, i + 1 < n ? "NaN, " : "NaN");
	*p++ = ']';
	*p = '\0';
	v = json_parse_lenient(text, strlen(text), &cause);
	is_int(json_array_size(v), n, "200000 tokens");
	is_str(json_string_value(json_array_get(v, n - 1)), "NaN", "the last one");
	json_decref(v);
	free(text);
}

/* v dumped shortest with flags. */
static void is_dump(json_t *v, size_t flags, const char *want, const char *name)
{
	char *got = json_dumps_shortest(v, flags);

	is_str(got, want, name);
	free(got);
}

/* Without reals that differ, the text is jansson's own, whatever the layout flags. */
static void test_dump_layout(void)
{
	json_t *v = json_pack("{s:[i,s,{},[]], s:{s:b, s:n, s:f}, s:s, s:[]}", "b", 1, "x/é",
	                      "a", "t", 1, "n", "r", 0.5, "s", "q\"\n", "e");
	size_t flags[] = { JSON_COMPACT, 0, JSON_INDENT(2), JSON_INDENT(4) | JSON_SORT_KEYS,
		           JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ESCAPE_SLASH,
		           JSON_INDENT(1) | JSON_COMPACT };

	for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++) {
		char *want = json_dumps(v, flags[i]);
		char *name = xasprintf("layout as jansson's, flags %#zx", flags[i]);

		is_dump(v, flags[i], want, name);
		free(want);
		free(name);
	}
	json_decref(v);
}

static void test_dump_reals(void)
{
	json_t *v = json_pack("{s:f, s:[f,f,f], s:i, s:f}", "ratio", 0.9, "l", 0.1, 1.0 / 3, 1e22,
	                      "n", 3, "one", 1.0);

	is_dump(v, JSON_COMPACT,
	        "{\"ratio\":0.9,\"l\":[0.1,0.3333333333333333,1e+22],\"n\":3,\"one\":1.0}",
	        "reals shortest, compact");
	is_dump(v, JSON_INDENT(2) | JSON_SORT_KEYS,
	        "{\n  \"l\": [\n    0.1,\n    0.3333333333333333,\n    1e+22\n  ],\n"
	        "  \"n\": 3,\n  \"one\": 1.0,\n  \"ratio\": 0.9\n}",
	        "reals shortest, indented, sorted");
	json_decref(v);
	v = json_real(0.9);
	is_dump(v, JSON_ENCODE_ANY, "0.9", "a bare real");
	ok(json_dumps_shortest(v, 0) == NULL, "a bare real without JSON_ENCODE_ANY, as jansson");
	json_decref(v);
	v = json_pack("[f]", 0.9);
	{
		char *t = json_to_text(v);

		is_str(t, "[0.9]", "json_to_text writes reals shortest");
		free(t);
	}
	json_decref(v);
}

int main(void)
{
	no_plan();
	test_lenient_tokens();
	test_lenient_errors();
	test_lenient_large();
	test_dump_layout();
	test_dump_reals();
	return done_testing();
}
