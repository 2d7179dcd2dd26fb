/* The route table: one line per endpoint, in match order. */
#include "config.h"
#include "server.h"

const struct route routes[] = {
	{ "GET", "/health", ep_health },
	{ "GET", "/api/nodes", ep_api_nodes },
	{ "GET", "/api/proxies", ep_api_proxies },
	{ "POST", "/api/proxies", ep_add_proxy },
	{ "GET", "/api/proxies/{}/nodes", ep_proxy_nodes },
	{ "POST", "/api/proxies/{}/nodes", ep_add_node },
	{ "GET", "/api/proxies/{}/refresh", ep_proxy_refresh },
	{ "POST", "/api/proxies/{}/refresh", ep_proxy_refresh },
	{ "PUT", "/api/nodes/{}", ep_update_node },
	{ "DELETE", "/api/nodes/{}", ep_delete_node },
	{ "GET", "/api/heartbeat/status", ep_heartbeat_status },
	{ "POST", "/api/heartbeat/start", ep_heartbeat_start },
	{ "POST", "/api/heartbeat/stop", ep_heartbeat_stop },
	{ "GET", "/metrics", ep_metrics },
	{ NULL, "/proxy2/{}/**", ep_proxy2 },
	{ NULL, "/proxy/{}/{}/**", ep_proxy },
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
