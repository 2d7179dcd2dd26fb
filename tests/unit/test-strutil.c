/* Unit tests for libutil's string and buffer helpers. */
#include "config.h"
#include "buf.h"
#include "strutil.h"
#include "tap.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

static void test_split(void)
{
	size_t n;
	char **parts = str_split("all_0_x", '_', &n);

	is_int(n, 3, "split: three parts");
	is_str(parts[2], "x", "split: last part");
	ok(parts[3] == NULL, "split: NULL-terminated");
	str_list_free(parts);
	parts = str_split("", ',', &n);
	is_int(n, 1, "split: empty string is one empty part");
	str_list_free(parts);
}

static void test_buf(void)
{
	struct buf b = BUF_INIT;

	is_str(buf_cstr(&b), "", "buf: empty is \"\"");
	for (int i = 0; i < 100; i++)
		buf_printf(&b, "%d,", i);
	ok(b.len == 290, "buf: grows over many appends");
	buf_reset(&b);
	buf_puts(&b, "x");
	is_str(buf_cstr(&b), "x", "buf: reset then append");
	char *s = buf_steal(&b);
	is_str(s, "x", "buf: steal gives the text");
	ok(b.data == NULL && b.len == 0, "buf: steal empties");
	free(s);
}

static void test_buf_read_file(void)
{
	char path[] = "/tmp/lmc-buf-XXXXXX";
	int fd = mkstemp(path);
	struct buf b = BUF_INIT;

	ok(fd >= 0 && write(fd, "abc\n", 4) == 4, "read_file: fixture written");
	close(fd);
	buf_puts(&b, ">");
	ok(buf_read_file(&b, path) == 0, "read_file: reads");
	is_str(buf_cstr(&b), ">abc\n", "read_file: appends the whole file");
	unlink(path);
	ok(buf_read_file(&b, path) == -1 && errno == ENOENT, "read_file: missing file is ENOENT");
	buf_free(&b);
}

/* d as str_double() shows it, and that the text reads back as d. */
static void is_double(double d, const char *want)
{
	char buf[STR_DOUBLE_SIZE], *name = xasprintf("double: %s", want);

	is_str(str_double(d, buf), want, name);
	if (d == d)
		ok(strtod(buf, NULL) == d || (d - d != 0), "double: reads back");
	free(name);
}

static void test_double(void)
{
	is_double(0.1, "0.1");
	is_double(0.9, "0.9");
	is_double(1.0 / 3, "0.3333333333333333");
	is_double(2.0 / 3, "0.6666666666666666");
	is_double(1e-7, "1e-07");
	is_double(1e22, "1e+22");
	is_double(5e-324, "5e-324");
	is_double(1.0, "1.0");
	is_double(-0.0, "-0.0");
	is_double(0.0, "0.0");
	is_double(100.0, "100.0");
	is_double(1e15, "1000000000000000.0");
	is_double(1e16, "1e+16");
	is_double(0.0001, "0.0001");
	is_double(0.00001, "1e-05");
	is_double(123.456, "123.456");
	is_double(-1.5e300, "-1.5e+300");
	is_double(1.7976931348623157e308, "1.7976931348623157e+308");
	is_double(0.30000000000000004, "0.30000000000000004");
	is_double(INFINITY, "Infinity");
	is_double(-INFINITY, "-Infinity");
	is_double(NAN, "NaN");
}

/* Every byte as curl_easy_escape encodes it (what the tools used before), and the extra
 * characters a caller keeps. */
static void test_percent_encode(void)
{
	char one[2] = { 0, 0 };
	bool same = true;
	char *e, *c;

	for (int b = 1; b < 256; b++) {
		one[0] = (char)b;
		e = str_percent_encode(one, "");
		c = curl_easy_escape(NULL, one, 1);
		if (strcmp(e, c) != 0) {
			printf("# byte %d: %s, curl %s\n", b, e, c);
			same = false;
		}
		free(e);
		curl_free(c);
	}
	ok(same, "percent_encode: each byte 1-255 as libcurl's curl_easy_escape");
	e = str_percent_encode("inst 1/worker:0@h~x\xc3\xa9%", "");
	is_str(e, "inst%201%2Fworker%3A0%40h~x%C3%A9%25", "percent_encode: a query value");
	free(e);
	e = str_percent_encode("inst 1/worker:0@h", ":@");
	is_str(e, "inst%201%2Fworker:0@h", "percent_encode: a path segment keeping ':' and '@'");
	free(e);
	e = str_percent_encode("", "");
	is_str(e, "", "percent_encode: empty");
	free(e);
}

int main(void)
{
	char t[] = "  Hello World \n";

	no_plan();
	test_split();
	test_double();
	test_buf();
	test_buf_read_file();
	test_percent_encode();
	char *trimmed = str_trim(t);

	is_str(trimmed, "Hello World", "trim");
	is_str(str_lower(trimmed), "hello world", "lower");
	ok(str_icontains("MainThread", "thread"), "icontains ignores case");
	ok(!str_icontains("worker", "sched"), "icontains misses");
	ok(str_starts_with("/proxy2/x", "/proxy2/"), "starts_with");
	ok(str_ends_with("a.py", ".py") && !str_ends_with("py", ".py"), "ends_with");
	ok(str_is_method("GET") && str_is_method("PATCH") && str_is_method("ABCDEFGHIJKLMNOP"),
	   "is_method: capital letters, up to 16");
	ok(!str_is_method("") && !str_is_method("get") && !str_is_method("GET X") &&
	   !str_is_method("M-SEARCH") && !str_is_method("ABCDEFGHIJKLMNOPQ"),
	   "is_method: none, lower case, spaces, other bytes, 17 letters");
	char allow[16] = "";
	str_list_add(allow, sizeof(allow), "GET");
	str_list_add(allow, sizeof(allow), "POST");
	str_list_add(allow, sizeof(allow), "GET");
	is_str(allow, "GET, POST", "list_add: separated, no repeats");
	str_list_add(allow, sizeof(allow), "DELETE");
	is_str(allow, "GET, POST, DELE", "list_add: cut short when the buffer is full");
	char *esc = str_escape_ctl("evil\nroot: DEBUG\t\x1b[2J\\\x7f");
	is_str(esc, "evil\\nroot: DEBUG\\t\\x1b[2J\\\\\\x7f", "escape_ctl: no control byte left");
	free(esc);
	esc = str_escape_ctl("lmcache.v1.cache_engine");
	is_str(esc, "lmcache.v1.cache_engine", "escape_ctl: a plain name is unchanged");
	free(esc);
	return done_testing();
}
