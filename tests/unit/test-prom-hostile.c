/* A node's exposition that Prometheus would refuse in part (label values that are not
 * UTF-8, values out of a double's range) loses those samples only, and the merge of it
 * with good nodes stays valid (src/common/prom-parse.c, prom-merge.c, strutil.c). */
#include "config.h"
#include "prom.h"
#include "strutil.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static void test_utf8(void)
{
	char fix[] = "a\xff" "b\xc3\xa9" "\xed\xa0\x80";

	is_int(str_utf8_valid_prefix("h\xc3\xa9llo \xf0\x9f\x98\x80", 11), 11, "valid UTF-8");
	is_int(str_utf8_valid_prefix("ab\xc0\x80", 4), 2, "overlong NUL refused");
	is_int(str_utf8_valid_prefix("\xed\xa0\x80", 3), 0, "surrogate refused");
	is_int(str_utf8_valid_prefix("\xf4\x90\x80\x80", 4), 0, "above U+10FFFF refused");
	is_int(str_utf8_valid_prefix("x\xe2\x82", 3), 1, "truncated sequence refused");
	is_int(str_utf8_valid_prefix("\x80", 1), 0, "lone continuation refused");
	is_int(str_utf8_repair(fix), 4, "repair counts the bad bytes");
	is_str(fix, "a?b\xc3\xa9???", "bad bytes become '?', good ones stay");
}

static const char bad_node[] =
	"# HELP m Bytes \xff not UTF-8.\n"
	"# TYPE m gauge\n"
	"m{k=\"ok\"} 1\n"
	"m{k=\"\xff\xfe\"} 2\n"
	"m{k=\"big\"} 1e999\n"
	"m{k=\"neg\"} -1e999\n"
	"m{k=\"tiny\"} 1e-400\n"
	"m{k=\"inf\"} +Inf\n"
	"# TYPE h histogram\n"
	"h_bucket{le=\"1\"} 1\n"
	"h_bucket{le=\"1e999\"} 1\n"
	"h_bucket{le=\"+Inf\"} 1\n"
	"h_sum 1\n"
	"h_count 1\n"
	"only_bad{k=\"\xc0\x80\"} 1\n";

static void test_parse(void)
{
	struct prom_exposition e;
	const struct prom_family *f;
	char *cause = NULL;

	is_int(prom_parse(bad_node, strlen(bad_node), &e, &cause), 0, "a bad series is no parse error");
	is_int(e.nskipped, 5, "five samples left out");
	ok(e.skipped && strstr(e.skipped, "line 4:") && strstr(e.skipped, "UTF-8"),
	   "the first reason names its line");
	f = prom_find_family(&e, "m");
	ok(f && f->nsamples == 3, "the good samples of the family stay");
	is_str(f ? f->help : NULL, "Bytes ? not UTF-8.", "a HELP that is not UTF-8 is repaired");
	f = prom_find_family(&e, "h");
	ok(f && f->nsamples == 4, "a bucket with an out-of-range le is left out");
	ok(prom_find_family(&e, "only_bad") == NULL, "a family of bad samples only does not appear");
	prom_exposition_free(&e);
	ok(e.skipped == NULL, "freed");
}

static void test_merge(void)
{
	static const char good[] = "# TYPE m gauge\nm{k=\"g\"} 7\n";
	struct prom_node nodes[] = {
		{ .name = "bad", .text = bad_node, .len = sizeof bad_node - 1 },
		{ .name = "good", .text = good, .len = sizeof good - 1 },
		{ .name = "n\xff", .text = good, .len = sizeof good - 1 },
	};
	struct prom_exposition e;
	char *cause = NULL, *out;
	size_t len;

	out = prom_merge(nodes, 3, &len, NULL);
	is_int(prom_parse(out, len, &e, &cause), 0, "the merge parses");
	is_int(e.nskipped, 0, "and holds nothing Prometheus would refuse");
	ok(strstr(out, "lmcache_frontend_node_samples_skipped{node=\"bad\"} 5\n") != NULL,
	   "the bad node's left-out samples are counted");
	ok(strstr(out, "lmcache_frontend_node_samples_skipped{node=\"good\"} 0\n") != NULL,
	   "a good node has none");
	ok(strstr(out, "lmcache_frontend_node_up{node=\"bad\"} 1\n") != NULL, "the bad node is up");
	ok(strstr(out, "m{node=\"good\",k=\"g\"} 7\n") != NULL, "the good node's series is there");
	ok(strstr(out, "m{node=\"bad\",k=\"ok\"} 1\n") != NULL, "the bad node's good series too");
	ok(strstr(out, "m{node=\"n?\",k=\"g\"} 7\n") != NULL, "a node name not UTF-8 is repaired");
	ok(strstr(out, "# node bad: 5 samples left out (first: line 4:") != NULL,
	   "the problem is said in a comment");
	prom_exposition_free(&e);
	prom_text_free(out);
}

int main(void)
{
	no_plan();
	test_utf8();
	test_parse();
	test_merge();
	return done_testing();
}
