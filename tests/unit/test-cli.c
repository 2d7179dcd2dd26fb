/* lmcctl's pure pieces: exit code combination, command lookup, name matching, loggers
 * under a name, escaping for the terminal, the /conf path of named keys. */
#include "config.h"
#include "cli.h"
#include "tap.h"

#include <stdlib.h>

static int combine(const char *codes)
{
	int v[16];
	size_t n = 0;

	for (const char *p = codes; *p; p++)
		v[n++] = *p - '0';
	return combine_codes(v, n);
}

static void test_combine(void)
{
	is_int(combine("000"), 0, "every target ok: 0");
	is_int(combine("050"), 3, "one unreachable among successes: partial 3");
	is_int(combine("0674"), 3, "several failures among successes: partial 3");
	is_int(combine("55"), 5, "every target unreachable: 5");
	is_int(combine("666"), 6, "every target timed out: 6");
	is_int(combine("4"), 4, "the only target not found: 4");
	is_int(combine("7"), 7, "denied: 7");
	is_int(combine("56"), 1, "every target failed, in different ways: 1");
	is_int(combine(""), 0, "no target at all: 0 (selection reports 4 before)");
}

static const char *find(const char *a, const char *b, int *used, char **cause)
{
	char *argv[] = { (char *)a, (char *)b, NULL };
	const struct cmd_entry *c;

	*cause = NULL;
	c = cmd_find(argv, b ? 2 : 1, used, cause);
	return c ? c->sub ? c->sub : c->name : NULL;
}

static void test_lookup(void)
{
	char *cause;
	int used = 0;

	is_str(find("version", NULL, &used, &cause), "version", "exact name");
	is_int(used, 1, "one word used");
	is_str(find("ver", NULL, &used, &cause), "version", "unique prefix");
	is_str(find("conf", "g", &used, &cause), "get", "prefix of a command and its subcommand");
	is_int(used, 2, "two words used");
	is_str(find("config", "diff", &used, &cause), "diff", "config diff");
	ok(find("co", NULL, &used, &cause) == NULL, "ambiguous prefix fails");
	is_str(cause, "ambiguous command: co, could be: config, context, completion", "candidates listed");
	free(cause);
	ok(find("he", NULL, &used, &cause) == NULL, "he: health or help");
	free(cause);
	is_str(find("help", NULL, &used, &cause), "help", "an exact name wins over longer ones");
	ok(find("nope", NULL, &used, &cause) == NULL, "unknown command");
	free(cause);
	ok(find("config", NULL, &used, &cause) == NULL, "config without subcommand");
	ok(strstr(cause, "missing subcommand") != NULL, "says the subcommand is missing");
	free(cause);
	for (size_t i = 0; cmd_table[i] != NULL; i++)
		ok(cmd_table[i]->exec != NULL && cmd_table[i]->summary != NULL &&
		   cmd_table[i]->usage != NULL, cmd_table[i]->name);
}

static void test_match(void)
{
	ok(name_matches(NULL, "anything"), "no pattern matches all");
	ok(name_matches("HIT", "lmcache:num_hit_tokens"), "substring, any case");
	ok(!name_matches("miss", "lmcache:num_hit_tokens"), "no substring");
	ok(name_matches("lmcache:*_rate", "lmcache:retrieve_hit_rate"), "glob");
	ok(!name_matches("lmcache:*_rate", "x_lmcache:retrieve_hit_rate"), "globs are anchored");
	ok(glob_match("inst1_w*", "inst1_worker0"), "node glob");
	ok(!glob_match("inst1_w*", "inst10_worker0"), "node glob is anchored");
}

static void test_logger_under(void)
{
	ok(logger_under("lmcache", "lmcache.v1.cache_engine"), "a name names the loggers under it");
	ok(logger_under("lmcache", "lmcache"), "and itself");
	ok(!logger_under("lmcache", "lmcachex.v1"), "not a sibling that shares a prefix");
	ok(logger_under("lmcache.v1.*", "lmcache.v1.storage_backend.local_cpu_backend"),
	   "a glob names what is under its matches");
	ok(!logger_under("lmcache.v1.*", "lmcache.internal_api_server"), "and not the rest");
	ok(!logger_under("root", "lmcache.v1"), "root is a logger's name, not every dotted prefix");
}

static void check_escape(const char *in, bool nl, const char *want, const char *what)
{
	char *got = display_escape(in, nl);

	is_str(got, want, what);
	free(got);
}

static void test_escape(void)
{
	check_escape("inst1_worker0", false, "inst1_worker0", "plain text unchanged");
	check_escape("a\033[2Jb", false, "a\\e[2Jb", "ESC as \\e");
	check_escape("x\ny\tz\a", false, "x\\ny\\tz\\x07", "newline, tab, bell");
	check_escape("x\ny\tz", true, "x\ny\tz", "newlines and tabs kept when asked");
	check_escape("\xc2\x9b" "2J", false, "\\u009b2J", "C1 CSI (U+009B) escaped");
	check_escape("caf\xc3\xa9", false, "caf\xc3\xa9", "UTF-8 kept");
	check_escape("bad\xff\xc3", false, "bad\\xff\\xc3", "bytes that are not UTF-8 as \\xHH");
	check_escape("\x7f", false, "\\x7f", "DEL");
}

static void test_conf_path(void)
{
	char *plain[] = { "chunk_size", "extra config" }, *glob[] = { "chunk_size", "pd_*" };
	char *p;

	p = conf_path(plain, 2);
	is_str(p, "/conf?names=chunk_size,extra%20config", "plain names go in ?names=");
	free(p);
	p = conf_path(glob, 2);
	is_str(p, "/conf", "a glob needs every key");
	free(p);
	p = conf_path(NULL, 0);
	is_str(p, "/conf", "no key: all");
	free(p);
}

int main(void)
{
	no_plan();
	test_combine();
	test_lookup();
	test_match();
	test_logger_under();
	test_escape();
	test_conf_path();
	return done_testing();
}
