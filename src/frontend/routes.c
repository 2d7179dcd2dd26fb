/* The route table: one line per endpoint, in match order. */
#include "config.h"
#include "server.h"

const struct srv_route routes[] = {
	ROUTE("GET", "/health", ep_health),
	ROUTE("GET", "/api/nodes", ep_api_nodes),
	ROUTE("GET", "/api/proxies", ep_api_proxies),
	ROUTE("POST", "/api/proxies", ep_add_proxy),
	ROUTE("GET", "/api/proxies/{}/nodes", ep_proxy_nodes),
	ROUTE("POST", "/api/proxies/{}/nodes", ep_add_node),
	ROUTE("GET", "/api/proxies/{}/refresh", ep_proxy_refresh),
	ROUTE("POST", "/api/proxies/{}/refresh", ep_proxy_refresh),
	ROUTE("PUT", "/api/nodes/{}", ep_update_node),
	ROUTE("DELETE", "/api/nodes/{}", ep_delete_node),
	ROUTE("GET", "/api/heartbeat/status", ep_heartbeat_status),
	ROUTE("POST", "/api/heartbeat/start", ep_heartbeat_start),
	ROUTE("POST", "/api/heartbeat/stop", ep_heartbeat_stop),
	ROUTE("GET", "/metrics", ep_metrics),
	ROUTE(NULL, "/proxy2/{}/**", ep_proxy2),
	ROUTE(NULL, "/proxy/{}/{}/**", ep_proxy),
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
