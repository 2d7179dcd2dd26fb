/* Unit tests of the Prometheus text parser (src/common/prom-parse.c). */
#include "config.h"
#include "buf.h"
#include "prom.h"
#include "tap.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

static char *read_fixture(const char *name, size_t *len)
{
	const char *src = getenv("LMC_SRCDIR");
	char path[4096];
	char chunk[4096];
	struct buf b = BUF_INIT;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "%s/tests/fixtures/prom/%s", src ? src : ".", name);
	if (!(f = fopen(path, "r"))) {
		printf("# cannot open %s\n", path);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

static int parse_str(const char *text, struct prom_exposition *e, char **cause)
{
	*cause = NULL;
	return prom_parse(text, strlen(text), e, cause);
}

/* The parse fails and the error names the line and contains what. */
static void fails(const char *text, int line, const char *what)
{
	struct prom_exposition e;
	char *cause, prefix[32];
	int rc = parse_str(text, &e, &cause);

	snprintf(prefix, sizeof prefix, "line %d: ", line);
	ok(rc == -1 && cause && strncmp(cause, prefix, strlen(prefix)) == 0 && strstr(cause, what),
	   what);
	if (cause)
		printf("#   error: %s\n", cause);
	free(cause);
	ok(e.nfamilies == 0 && e.families == NULL, "nothing left after an error");
	prom_exposition_free(&e);
}

/* The rest of lmcache-python.prom: a summary, an empty family, labels, help, the count. */
static void check_python_others(const struct prom_exposition *e)
{
	const struct prom_family *f;

	f = prom_find_family(e, "lmcache:request_latency_seconds");
	ok(f && f->type == PROM_SUMMARY && f->nsamples == 4 && isnan(f->samples[1].value),
	   "summary with quantiles and a NaN");
	f = prom_find_family(e, "lmcache:num_slow_retrieval_by_time_total");
	ok(f && f->nsamples == 0 && f->type == PROM_COUNTER, "a family without samples");
	f = prom_find_family(e, "python_info");
	ok(f && f->samples[0].nlabels == 5, "five labels");
	f = prom_find_family(e, "process_max_fds");
	ok(f && f->samples[0].value == 1048576.0 && f->samples[0].nlabels == 0, "exponent value");
	is_str(prom_find_family(e, "lmcache:retrieve_hit_rate")->help,
	       "The hit rate for retrieve requests.", "help text");
	is_int(e->nfamilies, 21, "every family");
}

static void test_python_fixture(void)
{
	struct prom_exposition e;
	const struct prom_family *f;
	char *cause = NULL, *text;
	size_t len;

	if (!(text = read_fixture("lmcache-python.prom", &len))) {
		ok(0, "read lmcache-python.prom");
		return;
	}
	is_int(prom_parse(text, len, &e, &cause), 0, "prometheus_client text parses");
	is_str(cause, NULL, "no error");
	f = prom_find_family(&e, "lmcache:num_retrieve_requests_total");
	ok(f && f->type == PROM_COUNTER && f->nsamples == 1, "counter family with its _total sample");
	ok(f && f->samples[0].value == 4821.0 && strcmp(f->samples[0].value_text, "4821.0") == 0,
	   "counter value and text");
	ok(f && strcmp(prom_label_value(&f->samples[0], "worker_id"), "0") == 0, "counter label");
	f = prom_find_family(&e, "lmcache:num_retrieve_requests_created");
	ok(f && f->type == PROM_GAUGE && f->nsamples == 1, "_created is its own gauge family");
	f = prom_find_family(&e, "lmcache:time_to_retrieve");
	ok(f && f->type == PROM_HISTOGRAM && f->nsamples == 9, "histogram keeps buckets, count, sum");
	ok(f && strcmp(f->samples[6].name, "lmcache:time_to_retrieve_bucket") == 0 &&
	           f->samples[6].value == 4821.0 &&
	           strcmp(prom_label_value(&f->samples[6], "le"), "+Inf") == 0,
	   "+Inf bucket");
	ok(f && strcmp(f->samples[8].name, "lmcache:time_to_retrieve_sum") == 0, "sum last");
	check_python_others(&e);
	prom_exposition_free(&e);
	free(text);
}

static void test_escapes(void)
{
	struct prom_exposition e;
	const struct prom_family *f;
	char *cause, *text;
	size_t len;

	if (!(text = read_fixture("escapes.prom", &len))) {
		ok(0, "read escapes.prom");
		return;
	}
	is_int(prom_parse(text, len, &e, &cause), 0, "escapes parse");
	f = prom_find_family(&e, "escaped_value");
	is_str(f ? f->help : NULL, "Help with a backslash \\ and a newline \n in it.", "HELP escapes");
	is_str(prom_label_value(&f->samples[0], "path"), "C:\\dir\\file", "backslashes");
	is_str(prom_label_value(&f->samples[0], "quote"), "say \"hi\"", "quotes");
	is_str(prom_label_value(&f->samples[0], "nl"), "a\nb", "newline");
	ok(f->samples[0].has_timestamp && f->samples[0].timestamp_ms == 1732512345000LL, "timestamp");
	ok(!f->samples[1].has_timestamp && isinf(f->samples[1].value) && f->samples[1].value < 0,
	   "-Inf, blanks and a trailing comma in labels");
	ok(isinf(f->samples[2].value) && f->samples[2].value > 0, "tabs as blanks, +Inf");
	f = prom_find_family(&e, "no_type_metric");
	ok(f && f->type == PROM_UNTYPED && f->nsamples == 2, "missing TYPE is untyped");
	ok(f && f->samples[1].timestamp_ms == -1000 && f->samples[1].value == -3.5e-7,
	   "negative timestamp and value");
	prom_exposition_free(&e);
	free(text);
}

static void test_tolerance(void)
{
	struct prom_exposition e;
	char *cause;
	const char *text = "a_total 1\nb{x=\"1\"} 2\r\nb{x=\"2\"} 3\na_total{y=\"z\"} 4\n"
	                   "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
	                   "other 0\nh_count 2\nh_sum 0.5";

	is_int(parse_str(text, &e, &cause), 0, "interleaved families, CRLF, no final newline");
	is_int(e.nfamilies, 4, "four families");
	ok(e.nfamilies == 4 && e.families[0].nsamples == 2 && e.families[1].nsamples == 2,
	   "samples grouped under their family");
	ok(e.nfamilies == 4 && e.families[2].nsamples == 4 &&
	           strcmp(e.families[2].samples[3].name, "h_sum") == 0,
	   "histogram sub-samples found again after another family");
	ok(e.nfamilies == 4 && e.families[0].help == NULL && e.families[0].type == PROM_UNTYPED,
	   "no HELP, no TYPE");
	prom_exposition_free(&e);
	is_int(parse_str("", &e, &cause), 0, "empty text");
	is_int(e.nfamilies, 0, "no families");
	prom_exposition_free(&e);
}

static void test_errors(void)
{
	fails("ok 1\nbad{x=\"1\" 2\n", 2, "expected ',' or '}'");
	fails("a{x=\"1\",x=\"2\"} 1\n", 1, "duplicate label");
	fails("a{x=\"\\q\"} 1\n", 1, "invalid escape");
	fails("a{x=\"open} 1\n", 1, "unterminated");
	fails("a{1x=\"1\"} 1\n", 1, "invalid label name");
	fails("\n\na one\n", 3, "invalid value");
	fails("a 0x10\n", 1, "invalid value");
	fails("a\n", 1, "expected a blank");
	fails("a 1 12.5\n", 1, "invalid timestamp");
	/* strtod and strtoll skip leading white space; Go's parser refuses it */
	fails("a 1 \r1000\n", 1, "invalid timestamp");
	fails("a \v1\n", 1, "invalid value");
	fails("a 1 2 3\n", 1, "text after the timestamp");
	fails("9a 1\n", 1, "invalid metric name");
	fails("# TYPE a gauge\n# TYPE a gauge\n", 2, "second TYPE");
	fails("# HELP a x\n# HELP a y\n", 2, "second HELP");
	fails("a 1\n# TYPE a gauge\n", 2, "TYPE after the samples");
	fails("# TYPE a meter\n", 1, "unknown metric type");
	fails("# TYPE a gauge extra\n", 1, "text after the type");
	fails("# HELP a bad \\t escape\n", 1, "invalid escape in HELP");
	fails("# TYPE h histogram\nh_bucket 1\n", 2, "missing label: le");
	fails("# TYPE h histogram\nh_bucket{le=\"x\"} 1\n", 2, "label is not a number");
	fails("# TYPE s summary\ns 1\n", 2, "missing label: quantile");
	fails("# TYPE\n", 1, "missing metric name");
}

/* Values come out exactly as strtod reads them, on the fast path and off it. */
static void test_values(void)
{
	static const char *const texts[] = {
		"0.1", "12.0", "0.8125", "-3.25", "+7", "1.", "0.0000000000000000000001",
		"123456789012345", "1234567890123456789", "0.1234567890123456789", "1.7325e+09",
		"4.9e-324", "1e308", "-0.0", "00012.50", "3.14159265358979",
	};
	struct buf text = BUF_INIT;
	struct prom_exposition e;
	char *cause = NULL;
	bool same = true;

	for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
		buf_printf(&text, "v%zu %s\n", i, texts[i]);
	is_int(prom_parse(text.data, text.len, &e, &cause), 0, "values parse");
	for (size_t i = 0; i < e.nfamilies && i < sizeof texts / sizeof *texts; i++) {
		double want = strtod(texts[i], NULL), got = e.families[i].samples[0].value;

		if (memcmp(&got, &want, sizeof got) != 0) {
			printf("# %s: got %.17g, want %.17g\n", texts[i], got, want);
			same = false;
		}
	}
	ok(same && e.nfamilies == sizeof texts / sizeof *texts, "every value exact");
	prom_exposition_free(&e);
	buf_free(&text);
}

static void test_nul(void)
{
	struct prom_exposition e;
	char *cause = NULL;

	is_int(prom_parse("a 1\nb\0 2\n", 9, &e, &cause), -1, "NUL byte rejected");
	is_str(cause, "line 2: NUL byte in the text", "NUL error names the line");
	free(cause);
}

int main(void)
{
	no_plan();
	test_python_fixture();
	test_escapes();
	test_tolerance();
	test_errors();
	test_nul();
	test_values();
	is_str(prom_type_name(PROM_SUMMARY), "summary", "type names");
	return done_testing();
}
