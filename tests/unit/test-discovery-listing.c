/* The /lmcache_infos builder: LMCache's shape and field names, filtering, escaping. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "listing.h"
#include "prom-out.h"
#include "tap.h"
#include "xalloc.h"

static struct dentry make(const char *addr, long long pid, const char *version, time_t seen)
{
	struct dentry e = { (char *)addr, pid, (char *)version, (char *)"{\"nodes_count\": 2}",
			    NULL, seen - 100, seen, NULL, NULL, 0 };
	return e;
}

static json_t *build(const struct dentry *v, size_t n, time_t since)
{
	struct listing l;
	json_t *doc;
	char *why = NULL;

	listing_begin(&l, since);
	for (size_t i = 0; i < n; i++)
		listing_add(&v[i], &l);
	listing_end(&l);
	ok(strlen(l.out) == l.len, "the text is NUL-terminated");
	doc = json_parse_text(l.out, l.len, &why);
	if (doc == NULL)
		printf("# %s\n# %s\n", why, l.out);
	free(why);
	listing_text_free(l.out);
	return doc;
}

static void test_shape(void)
{
	struct dentry v[] = { make("http://a:1", 10, "0.3.9", 5000),
			      make("http://b:2\"x", -1, "0.3.9", 6000),
			      make("http://c:3", 30, "0.4.0", 7000) };
	json_t *doc, *ent;

	v[0].ip_address = (char *)"10.0.0.9";
	doc = build(v, 3, 0);
	ok(doc != NULL, "listing is valid JSON");
	is_int(json_integer_value(json_object_get(doc, "processCount")), 3, "processCount");
	is_int(json_integer_value(json_object_get(doc, "versionCount")), 2,
	       "versionCount counts distinct versions");
	ok(json_is_null(json_object_get(doc, "versions")), "versions is null");
	ent = json_array_get(json_object_get(json_object_get(json_object_get(doc, "processInfos"),
							     "http://a:1"),
					     "lmCacheInfoEntities"),
			     0);
	is_int(json_integer_value(json_object_get(json_object_get(json_object_get(doc,
		"processInfos"), "http://a:1"), "count")), 1, "count is 1");
	is_str(json_str_member(ent, "apiAddress", NULL), "http://a:1", "apiAddress");
	is_int(json_integer_value(json_object_get(ent, "pid")), 10, "pid is a number");
	is_str(json_str_member(ent, "version", NULL), "0.3.9", "version");
	is_str(json_str_member(ent, "ipAddress", NULL), "10.0.0.9", "ipAddress is the peer");
	is_str(json_str_member(ent, "otherInfo", NULL), "{\"nodes_count\": 2}",
	       "otherInfo is the string the client sent");
	ok(strlen(json_str_member(ent, "lastReportTime", "")) == 19, "lastReportTime format");
	ok(strlen(json_str_member(ent, "startTime", "")) == 19, "startTime format");
	ent = json_array_get(json_object_get(json_object_get(json_object_get(doc, "processInfos"),
							     "http://b:2\"x"),
					     "lmCacheInfoEntities"),
			     0);
	ok(ent != NULL, "a quote in the key is escaped");
	ok(json_is_null(json_object_get(ent, "pid")), "absent pid lists as null");
	ok(json_is_null(json_object_get(ent, "ipAddress")), "unknown peer lists as null");
	json_decref(doc);
}

static void test_filter_and_empty(void)
{
	struct dentry v[] = { make("http://a:1", 1, "1", 5000), make("http://b:1", 2, "1", 6000) };
	json_t *doc = build(v, 2, 5500);

	is_int(json_integer_value(json_object_get(doc, "processCount")), 1, "since filters");
	ok(json_object_get(json_object_get(doc, "processInfos"), "http://b:1") != NULL,
	   "the recent one stays");
	json_decref(doc);
	doc = build(v, 0, 0);
	is_int(json_integer_value(json_object_get(doc, "processCount")), 0, "empty listing");
	is_int(json_object_size(json_object_get(doc, "processInfos")), 0, "no processInfos");
	json_decref(doc);
}

/* A stored entry's pre-rendered member lists exactly as one rendered while listing. */
static char *text_of(const struct dentry *v, size_t n)
{
	struct listing l;
	char *text;

	listing_begin(&l, 0);
	for (size_t i = 0; i < n; i++)
		listing_add(&v[i], &l);
	listing_end(&l);
	text = xstrdup(l.out);
	listing_text_free(l.out);
	return text;
}

static void test_rendered(void)
{
	struct dentry v[] = { make("http://a:1", 10, "0.3.9", 5000), make("http://b:\"2", -1, "1", 9000),
			      make("http://c:3", 7, "0.3.9", 9100) };
	char *plain, *pre;

	v[1].ip_address = (char *)"127.0.0.2";
	plain = text_of(v, 3);
	for (size_t i = 0; i < 3; i++)
		listing_render(&v[i]);
	ok(v[0].listed != NULL && v[0].listed_len == strlen(v[0].listed), "member rendered");
	pre = text_of(v, 3);
	is_str(pre, plain, "pre-rendered members list as rendered ones");
	v[2].version = (char *)"2";
	listing_render(&v[2]); /* replaces the old member */
	free(pre);
	pre = text_of(v, 3);
	ok(strstr(pre, "\"versionCount\":3") != NULL, "a version after others is counted");
	for (size_t i = 0; i < 3; i++)
		free(v[i].listed);
	free(plain);
	free(pre);
}

/* A large listing grows from a small first block; once sent, its block is where the next
 * listing is written (no fresh pages to fault in), and the text is the same. */
static void test_kept_block(void)
{
	enum { N = 3000 };
	struct dentry *v = xcalloc(N, sizeof(*v));
	char (*addr)[32] = xcalloc(N, sizeof(*addr));
	char *first;
	void *block;
	struct listing l;

	for (size_t i = 0; i < N; i++) {
		snprintf(addr[i], sizeof(addr[i]), "http://10.0.%zu.%zu:8000", i / 256, i % 256);
		v[i] = make(addr[i], (long long)i, "0.3.9", 5000);
	}
	listing_begin(&l, 0);
	for (size_t i = 0; i < N; i++)
		listing_add(&v[i], &l);
	listing_end(&l);
	first = xstrdup(l.out);
	ok(l.len > 2 * PROM_OUT_KEEP, "a listing of 3,000 entries is a large output");
	ok(strstr(first, "\"processCount\":3000,") != NULL, "all of them listed");
	block = l.out;
	listing_text_free(l.out);
	ok(listing_slot.kept == (char *)block - 64, "its final block is kept once sent");
	listing_begin(&l, 0);
	ok(l.out == block && listing_slot.kept == NULL, "the next listing starts in it");
	for (size_t i = 0; i < N; i++)
		listing_add(&v[i], &l);
	listing_end(&l);
	is_str(l.out, first, "and lists the same text");
	ok(l.out == block, "without moving");
	listing_text_free(l.out);
	free(first);
	free(addr);
	free(v);
}

static void test_quote(void)
{
	struct buf b = BUF_INIT;

	json_quote(&b, "a\"b\\c\n\x01z");
	is_str(b.data, "\"a\\\"b\\\\c\\u000a\\u0001z\"", "JSON escaping");
	buf_free(&b);
}

int main(void)
{
	no_plan();
	test_shape();
	test_filter_and_empty();
	test_rendered();
	test_kept_block();
	test_quote();
	return done_testing();
}
