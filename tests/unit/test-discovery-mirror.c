/* The etcd store's mirror: a range reply loads it, watch messages (etcd's gateway, one
 * JSON object a line) change it, a cancelled watch asks for a reload. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "etcd-codec.h"
#include "etcd-mirror.h"
#include "tap.h"
#include "xalloc.h"

#define PREFIX "/p/"

/* A key-value object as the gateway writes it: the entry of addr, written at revision rev. */
static char *kv(const char *addr, long long rev)
{
	char *key = xasprintf(PREFIX "%s", addr), *value;
	char *v = xasprintf("{\"apiAddress\":\"%s\",\"pid\":1,\"version\":\"1\",\"otherInfo\":"
			    "\"{}\",\"startTime\":%ld,\"lastSeen\":%ld}", addr, (long)time(NULL),
			    (long)time(NULL));
	char *k64 = b64_encode(key, strlen(key)), *v64 = b64_encode(v, strlen(v));

	value = xasprintf("{\"key\":\"%s\",\"mod_revision\":\"%lld\",\"value\":\"%s\"}", k64, rev,
			  v64);
	free(key);
	free(v);
	free(k64);
	free(v64);
	return value;
}

static int add_name(const struct dentry *e, void *arg)
{
	strcat(arg, e->api_address);
	strcat(arg, " ");
	return 0;
}

static const char *names(struct etcd_mirror *m)
{
	static char out[256];

	out[0] = '\0';
	if (mirror_foreach(m, 0, 0, add_name, out) < 0)
		return "(none)";
	return out;
}

static int apply(struct etcd_mirror *m, const char *line)
{
	return mirror_apply(m, line, strlen(line));
}

/* A listing waits for this registry's own write; a cancelled watch, then a drop. */
static void test_wrote_and_end(struct etcd_mirror *m)
{
	json_t *wrote = json_loads("{\"header\":{\"revision\":\"8\"}}", 0, NULL);

	mirror_wrote(m, wrote);
	is_str(names(m), "(none)", "behind this registry's own write: not listed from");
	is_int(apply(m, "{\"result\":{\"events\":[{\"type\":\"DELETE\",\"kv\":{\"key\":\"eA==\","
			"\"mod_revision\":\"8\"}}]}}"), 0, "a foreign key's delete");
	is_str(names(m), "http://b:1 ", "caught up with the write");
	is_int(apply(m, "{\"error\":{\"message\":\"x\"}}"), -1, "not a watch message");
	is_int(apply(m, "{\"result\":{\"canceled\":true,\"compact_revision\":\"6\"}}"), 1,
	       "a cancelled watch asks for a reload");
	mirror_drop(m);
	is_str(names(m), "(none)", "dropped");
	json_decref(wrote);
}

static void test_mirror(void)
{
	struct etcd_mirror m;
	char *a = kv("http://a:1", 4), *b = kv("http://b:1", 6), *text;
	json_t *range;

	mirror_init(&m, PREFIX);
	is_str(names(&m), "(none)", "no mirror before the first load");
	text = xasprintf("{\"header\":{\"revision\":\"5\"},\"kvs\":[%s],\"count\":\"1\"}", a);
	range = json_loads(text, 0, NULL);
	is_int(mirror_load(&m, range), 5, "the revision to watch after");
	is_str(names(&m), "(none)", "not listed from until the watch is confirmed");
	is_int(apply(&m, "{\"result\":{\"header\":{\"revision\":\"9\"},\"created\":true}}"), 0,
	       "created");
	is_str(names(&m), "http://a:1 ", "the range's entries");
	free(text);
	text = xasprintf("{\"result\":{\"header\":{\"revision\":\"9\"},\"events\":[{\"kv\":%s}]}}", b);
	is_int(apply(&m, text), 0, "a put event");
	is_str(names(&m), "http://a:1 http://b:1 ", "the put is listed");
	free(text);
	text = xasprintf("{\"result\":{\"events\":[{\"type\":\"DELETE\",\"kv\":{\"key\":\"%s\","
			 "\"mod_revision\":\"7\"}}]}}", "L3AvaHR0cDovL2E6MQ==");
	is_int(apply(&m, text), 0, "a delete event");
	is_str(names(&m), "http://b:1 ", "the delete is applied");
	test_wrote_and_end(&m);
	json_decref(range);
	free(text);
	free(a);
	free(b);
	mirror_fini(&m);
}

int main(void)
{
	no_plan();
	test_mirror();
	return done_testing();
}
