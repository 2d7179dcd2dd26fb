/* Plugin mode: nodes of this host from the config (docs/protocol.md 1) and flags from
 * extra_config. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "plugin-mode.h"
#include "strutil.h"
#include "tap.h"

static json_t *parse(const char *text)
{
	char *why = NULL;

	return json_parse_text(text, strlen(text), &why);
}

static void test_defaults(void)
{
	json_t *cfg = parse("{}");
	struct fe_model m = { 0 };
	char *why = NULL;

	is_int(plugin_mode_nodes(cfg, 2, "127.0.0.1", 8000, &m, &why), 0, "empty config");
	is_int(m.proxies[0].nnodes, 3, "scheduler and two workers");
	is_str(m.proxies[0].nodes[0].name, "lmcache_default_instance_scheduler", "default id");
	is_str(m.proxies[0].nodes[0].port, "6999", "scheduler on 6999");
	is_str(m.proxies[0].nodes[2].name, "lmcache_default_instance_worker1", "worker 1");
	is_str(m.proxies[0].nodes[2].port, "7001", "worker 1 on 7001");
	is_str(m.proxies[0].nodes[0].host, "127.0.0.1", "loopback by default");
	model_clear(&m);
	json_decref(cfg);
}

static void test_sockets_and_index(void)
{
	json_t *cfg = parse("{\"lmcache_instance_id\":\"inst\",\"internal_api_server_port_start\":9000,"
			    "\"internal_api_server_socket_path_prefix\":\"/run/lmc/s\","
			    "\"internal_api_server_include_index_list\":[0,2],"
			    "\"internal_api_server_host\":\"0.0.0.0\"}");
	struct fe_model m = { 0 };
	char *why = NULL;

	is_int(plugin_mode_nodes(cfg, 3, "127.0.0.1", 8000, &m, &why), 0, "full config");
	is_int(m.proxies[0].nnodes, 2, "only indexes 0 and 2");
	is_str(m.proxies[0].nodes[0].name, "inst_scheduler", "scheduler");
	is_str(m.proxies[0].nodes[0].port, "/run/lmc/s_9000", "scheduler socket");
	is_str(m.proxies[0].nodes[1].name, "inst_worker1", "index 2 is worker 1");
	is_str(m.proxies[0].nodes[1].port, "/run/lmc/s_9002", "worker 1 socket");
	model_clear(&m);
	json_decref(cfg);
	cfg = parse("{\"internal_api_server_host\":\"0.0.0.0\"}");
	plugin_mode_nodes(cfg, 0, "127.0.0.1", 8000, &m, &why);
	is_int(m.proxies[0].nnodes, 1, "no workers: scheduler only");
	is_str(m.proxies[0].nodes[0].host, "127.0.0.1", "0.0.0.0 reached on loopback");
	model_clear(&m);
	json_decref(cfg);
	cfg = parse("{\"internal_api_server_include_index_list\":\"x\"}");
	ok(plugin_mode_nodes(cfg, 1, "h", 1, &m, &why) < 0 && why, "bad index list refused");
	free(why);
	json_decref(cfg);
}

static void test_args(void)
{
	json_t *cfg = parse("{\"extra_config\":{\"plugin.frontend.port\":8123,"
			    "\"plugin.frontend.heartbeat-url\":\"http://r:1/lmcache_heartbeat\","
			    "\"plugin.frontend.no-http\":true,\"plugin.frontend.off\":false,"
			    "\"other\":1}}");
	size_t n = 0;
	char *why = NULL, **v = plugin_mode_args(cfg, &n, &why);

	is_int(n, 5, "five words");
	is_str(v[0], "--port", "flag from key");
	is_str(v[1], "8123", "number value");
	is_str(v[2], "--heartbeat-url", "second flag");
	is_str(v[3], "http://r:1/lmcache_heartbeat", "string value");
	is_str(v[4], "--no-http", "true is a bare flag");
	ok(v[5] == NULL, "false and other keys left out");
	str_list_free(v);
	json_decref(cfg);
	cfg = parse("{\"extra_config\":\"{\\\"plugin.frontend.port\\\": 9}\"}");
	v = plugin_mode_args(cfg, &n, &why);
	ok(n == 2 && strcmp(v[1], "9") == 0, "extra_config as JSON text (env form)");
	str_list_free(v);
	json_decref(cfg);
	cfg = parse("{\"extra_config\":[1]}");
	ok(plugin_mode_args(cfg, &n, &why) == NULL && why, "extra_config not an object");
	free(why);
	json_decref(cfg);
}

int main(void)
{
	no_plan();
	test_defaults();
	test_sockets_and_index();
	test_args();
	return done_testing();
}
