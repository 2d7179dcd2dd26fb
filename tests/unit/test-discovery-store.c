/* Store selection, etcd key encoding, the hash table and the command line. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "etcd-codec.h"
#include "options.h"
#include "store.h"
#include "table.h"
#include "tap.h"
#include "xalloc.h"

static void test_spec(void)
{
	struct store_spec s;
	char *why = NULL;

	ok(store_spec_parse(&s, "memory", &why) == 0 && s.kind == STORE_MEMORY, "memory");
	store_spec_clear(&s);
	ok(store_spec_parse(&s, "file:/var/lib/x.json", &why) == 0 && s.kind == STORE_FILE,
	   "file store");
	is_str(s.path, "/var/lib/x.json", "file path");
	store_spec_clear(&s);
	ok(store_spec_parse(&s, "etcd://10.0.0.5:2379", &why) == 0 && s.kind == STORE_ETCD, "etcd");
	is_str(s.host, "10.0.0.5", "etcd host");
	is_int(s.port, 2379, "etcd port");
	is_str(s.prefix, "/lmcache/discovery/", "default prefix");
	store_spec_clear(&s);
	ok(store_spec_parse(&s, "etcd://h:1/team/a", &why) == 0, "etcd with prefix");
	is_str(s.prefix, "/team/a/", "prefix gets slashes");
	store_spec_clear(&s);
	ok(store_spec_parse(&s, "etcd://h", &why) < 0 && why, "etcd without port refused");
	free(why);
	why = NULL;
	ok(store_spec_parse(&s, "etcd://h:99999", &why) < 0 && why, "bad etcd port refused");
	free(why);
	why = NULL;
	ok(store_spec_parse(&s, "file:", &why) < 0 && why, "file without path refused");
	free(why);
	why = NULL;
	ok(store_spec_parse(&s, "redis://x", &why) < 0 && strstr(why, "unknown store"),
	   "unknown store refused");
	free(why);
}

static void test_codec(void)
{
	size_t n;
	char *s = b64_encode("/lmcache/discovery/", 19), *d;

	is_str(s, "L2xtY2FjaGUvZGlzY292ZXJ5Lw==", "base64 of the prefix");
	d = b64_decode(s, &n);
	is_int(n, 19, "decoded length");
	is_str(d, "/lmcache/discovery/", "round trip");
	free(s);
	free(d);
	s = b64_encode("ab", 2);
	is_str(s, "YWI=", "one pad");
	free(s);
	d = b64_decode("YWJj", &n);
	is_str(d, "abc", "no pad");
	free(d);
	ok(b64_decode("YW*j", &n) == NULL, "invalid character refused");
	ok(b64_decode("YWJ", &n) == NULL, "bad length refused");
	s = etcd_prefix_end("/lmcache/discovery/", &n);
	is_str(s, "/lmcache/discovery0", "range end increments the last byte");
	free(s);
	s = etcd_prefix_end("a\xff", &n);
	is_str(s, "b", "range end skips 0xff");
	free(s);
	s = etcd_entry_key("/p/", "http://h:1");
	is_str(s, "/p/http://h:1", "entry key");
	free(s);
}

static struct dentry entry(const char *addr, time_t seen)
{
	struct dentry e = { xstrdup(addr), 1, xstrdup("v"), xstrdup("{}"), NULL, seen, seen, NULL,
			    NULL, 0 };
	return e;
}

static int count_cb(const struct dentry *e, void *arg)
{
	(*(int *)arg)++;
	return 0;
}

static void test_table(void)
{
	struct disc_table *t = disc_table_new();
	struct dentry e;
	char addr[64];
	int seen = 0;

	e = entry("http://a:1", 100);
	is_int(disc_table_put(t, &e), 1, "new entry");
	e = entry("http://a:1", 150);
	is_int(disc_table_put(t, &e), 0, "refreshed entry");
	is_int(disc_table_get(t, "http://a:1")->start_time, 100, "refresh keeps start time");
	is_int(disc_table_get(t, "http://a:1")->last_seen, 150, "refresh updates last seen");
	for (int i = 0; i < 1000; i++) {
		snprintf(addr, sizeof(addr), "http://n%d:1", i);
		e = entry(addr, 200 + i);
		disc_table_put(t, &e);
	}
	is_int(disc_table_count_live(t, 0), 1001, "table grows");
	ok(disc_table_get(t, "http://n777:1") != NULL, "lookup after growth");
	is_int(disc_table_remove(t, "http://n777:1"), 1, "remove");
	is_int(disc_table_remove(t, "http://n777:1"), 0, "remove twice");
	is_int(disc_table_oldest(t), 150, "oldest");
	is_int(disc_table_expire(t, 209), 11, "expire the eleven oldest");
	is_int(disc_table_count_live(t, 0), 989, "count after expiry");
	disc_table_foreach(t, 1000, count_cb, &seen);
	is_int(seen, 199, "foreach skips entries seen before the cutoff");
	e = entry("http://n300:1", 5000);
	disc_table_put(t, &e);
	is_int(disc_table_expire(t, 1199), 988, "refreshed entry moved to the tail");
	ok(disc_table_get(t, "http://n300:1") != NULL, "refreshed entry survives");
	disc_table_free(t);
}

static int parse(const char *const *args, int n, struct disc_options *o, char **why)
{
	char *argv[16];

	for (int i = 0; i < n; i++)
		argv[i] = (char *)args[i];
	argv[n] = NULL;
	return disc_options_parse(o, n, argv, stdout, why);
}

static void test_options(void)
{
	const char *good[] = { "x", "--port", "5001", "--ttl", "7", "--store", "file:/tmp/s",
			       "--max-entries", "10", "--log-level", "debug" };
	const char *bad_ttl[] = { "x", "--ttl", "0" };
	const char *bad_port[] = { "x", "--port", "http" };
	const char *extra[] = { "x", "stray" };
	const char *unknown[] = { "x", "--bogus" };
	struct disc_options o;
	char *why = NULL;

	is_int(parse(good, 11, &o, &why), OPTIONS_RUN, "good command line");
	is_int(o.port, 5001, "port");
	is_int(o.ttl, 7, "ttl");
	is_int(o.max_entries, 10, "max entries");
	is_str(o.host, "127.0.0.1", "loopback by default");
	is_int(o.store.kind, STORE_FILE, "store");
	disc_options_clear(&o);
	is_int(parse(good, 1, &o, &why), OPTIONS_RUN, "defaults");
	is_int(o.ttl, 90, "default ttl");
	is_int(o.port, 5000, "default port");
	disc_options_clear(&o);
	const char *const *bad[] = { bad_ttl, bad_port, extra, unknown };
	int lens[] = { 3, 3, 2, 2 };
	for (int i = 0; i < 4; i++) {
		ok(parse(bad[i], lens[i], &o, &why) == OPTIONS_USAGE && why, "usage error");
		printf("# %s\n", why ? why : "(none)");
		free(why);
		why = NULL;
		disc_options_clear(&o);
	}
}

int main(void)
{
	no_plan();
	test_spec();
	test_codec();
	test_table();
	test_options();
	return done_testing();
}
