/* Registry entries as Prometheus http_sd target groups. */
#include "config.h"
#include "http-sd.h"
#include "tap.h"

static const char *label(json_t *g, const char *name)
{
	return json_string_value(json_object_get(json_object_get(g, "labels"), name));
}

static const char *target(json_t *g)
{
	return json_string_value(json_array_get(json_object_get(g, "targets"), 0));
}

static void test_plain(void)
{
	struct dentry e = { .api_address = "http://127.0.0.1:8000", .pid = 42,
	                    .version = "0.3.1", .ip_address = "127.0.0.1", .last_seen = 1700 };
	json_t *g = http_sd_group(&e);

	is_str(target(g), "127.0.0.1:8000", "target: host:port of the api_address");
	is_int(json_array_size(json_object_get(g, "targets")), 1, "one target per group");
	is_str(label(g, "__scheme__"), "http", "scheme");
	is_str(label(g, "__metrics_path__"), NULL, "no prefix: Prometheus' default /metrics");
	is_str(label(g, "__meta_lmcache_api_address"), "http://127.0.0.1:8000", "api_address");
	is_str(label(g, "__meta_lmcache_version"), "0.3.1", "version");
	is_str(label(g, "__meta_lmcache_pid"), "42", "pid as a string");
	is_str(label(g, "__meta_lmcache_last_seen"), "1700", "last heartbeat, epoch seconds");
	json_decref(g);
}

static void test_prefix_and_defaults(void)
{
	struct dentry e = { .api_address = "https://fe.example/lmc/", .pid = -1, .version = "1" };
	json_t *g = http_sd_group(&e);

	is_str(target(g), "fe.example:443", "default port of the scheme");
	is_str(label(g, "__scheme__"), "https", "https kept");
	is_str(label(g, "__metrics_path__"), "/lmc/metrics", "a prefix moves /metrics under it");
	is_str(label(g, "__meta_lmcache_pid"), NULL, "no pid, no label");
	json_decref(g);
	e.api_address = "http://[::1]:9000";
	g = http_sd_group(&e);
	is_str(target(g), "[::1]:9000", "IPv6 host in brackets");
	json_decref(g);
}

static void test_refused(void)
{
	struct dentry e = { .api_address = "not a url", .version = "1" };
	json_t *a = json_array();

	ok(http_sd_group(&e) == NULL, "an address without a host is left out");
	is_int(http_sd_add(&e, a), 0, "the listing goes on");
	is_int(json_array_size(a), 0, "and lists nothing for it");
	json_decref(a);
}

int main(void)
{
	no_plan();
	test_plain();
	test_prefix_and_defaults();
	test_refused();
	return done_testing();
}
