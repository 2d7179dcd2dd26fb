/* The one series printer (src/common/prom-print.c): hostile label values come out escaped as
 * the exposition format says, read back the same through prom_parse, and bytes that are not
 * UTF-8 show as '?' (the project's rule for text it passes on). */
#include "config.h"
#include "buf.h"
#include "prom.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

static struct prom_sample sample(const char *name, const struct prom_label *l, size_t n)
{
	return (struct prom_sample){ .name = name, .labels = l, .nlabels = n };
}

static void test_hostile(void)
{
	static const struct prom_label l[] = {
		{ "q", "say \"hi\"" }, { "bs", "C:\\dir\\" }, { "nl", "two\nlines" },
		{ "punct", "},a=\"b\",{" }, { "empty", "" },
	};
	struct prom_sample s = sample("m_total", l, 5);
	char *t = prom_series(NULL, &s, NULL);

	is_str(t, "m_total{q=\"say \\\"hi\\\"\",bs=\"C:\\\\dir\\\\\",nl=\"two\\nlines\","
	          "punct=\"},a=\\\"b\\\",{\",empty=\"\"}", "quotes, backslashes, newlines escaped");
	free(t);
}

/* What the printer writes, prom_parse reads back as the same values. */
static void test_round_trip(void)
{
	static const struct prom_label l[] = {
		{ "a", "\\\"\n\\n" }, { "b", "h\xc3\xa9llo \xf0\x9f\x98\x80" }, { "c", "\\" },
	};
	struct prom_sample s = sample("rt", l, 3);
	char *t = prom_series(NULL, &s, NULL);
	struct buf line = BUF_INIT;
	struct prom_exposition e;
	char *cause = NULL;

	buf_printf(&line, "%s 1\n", t);
	ok(prom_parse(line.data, line.len, &e, &cause) == 0, "the printed series parses");
	ok(e.nsamples == 1 && e.nskipped == 0, "... as one sample");
	for (size_t i = 0; i < 3 && e.nsamples == 1; i++)
		is_str(prom_label_value(&e.families[0].samples[0], l[i].name), l[i].value,
		       "... with the label value it was printed from");
	prom_exposition_free(&e);
	buf_free(&line);
	free(cause);
	free(t);
}

static void test_utf8_and_except(void)
{
	static const struct prom_label l[] = {
		{ "le", "0.5" }, { "bad", "a\xff" "b\xc3\x28" "c\xe2\x82" }, { "ok", "\xc3\xa9" },
	};
	struct prom_sample s = sample("h_bucket", l, 3), none = sample("up", NULL, 0);
	char *t = prom_series("h", &s, "le"), *u = prom_series(NULL, &none, NULL);
	struct buf b = BUF_INIT;

	is_str(t, "h{bad=\"a?b?(c??\",ok=\"\xc3\xa9\"}",
	       "bytes that are not UTF-8 become '?'; the except label and the name are chosen");
	is_str(u, "up", "no labels: no braces");
	prom_put_escaped(&b, "say \"x\"\\\n\xfe", 10, false);
	is_str(buf_cstr(&b), "say \"x\"\\\\\\n?", "HELP text: \\ and newline escaped, \" kept");
	buf_free(&b);
	free(t);
	free(u);
}

int main(void)
{
	no_plan();
	test_hostile();
	test_round_trip();
	test_utf8_and_except();
	return done_testing();
}
