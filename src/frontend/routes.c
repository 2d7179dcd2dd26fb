/* The route table: one line per endpoint, in match order. Roles (lmcache-security(7)): GETs
 * viewer, other methods operator, node management admin; forwarding checks run_script. */
#include "config.h"
#include "server.h"

const struct srv_route routes[] = {
	ROUTE("GET", "/health", ep_health),
	ROUTE("GET", "/api/nodes", ep_api_nodes),
	ROUTE("GET", "/api/proxies", ep_api_proxies),
	ADMIN_ROUTE("POST", "/api/proxies", ep_add_proxy),
	ROUTE("GET", "/api/proxies/{}/nodes", ep_proxy_nodes),
	ADMIN_ROUTE("POST", "/api/proxies/{}/nodes", ep_add_node),
	SLOW_ROUTE("GET", "/api/proxies/{}/refresh", ep_proxy_refresh),
	SLOW_ROUTE("POST", "/api/proxies/{}/refresh", ep_proxy_refresh),
	ADMIN_ROUTE("PUT", "/api/nodes/{}", ep_update_node),
	ADMIN_ROUTE("DELETE", "/api/nodes/{}", ep_delete_node),
	ROUTE("GET", "/api/heartbeat/status", ep_heartbeat_status),
	SLOW_ROUTE_ROLE("POST", "/api/heartbeat/start", ep_heartbeat_start, SRV_ROLE_ADMIN),
	SLOW_ROUTE_ROLE("POST", "/api/heartbeat/stop", ep_heartbeat_stop, SRV_ROLE_ADMIN),
	SLOW_ROUTE("GET", "/metrics", ep_metrics),
	ROUTE(NULL, "/proxy2/{}/**", ep_proxy2),
	ROUTE(NULL, "/proxy/{}/{}/**", ep_proxy),
};

const size_t nroutes = sizeof(routes) / sizeof(routes[0]);
