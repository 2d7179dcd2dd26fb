/* The route table: one line per endpoint, in match order. Roles (lmcache-security(7)): GETs
 * viewer, other methods operator, node management admin; forwarding checks run_script. */
#include "config.h"
#include "server.h"

const struct srv_route fe_routes[] = {
	ROUTE("GET", "/health", fe_ep_health),
	ROUTE("GET", "/api/nodes", fe_ep_api_nodes),
	ROUTE("GET", "/api/proxies", fe_ep_api_proxies),
	ADMIN_ROUTE("POST", "/api/proxies", fe_ep_add_proxy),
	ROUTE("GET", "/api/proxies/{}/nodes", fe_ep_proxy_nodes),
	ADMIN_ROUTE("POST", "/api/proxies/{}/nodes", fe_ep_add_node),
	SLOW_ROUTE("GET", "/api/proxies/{}/refresh", fe_ep_proxy_refresh),
	SLOW_ROUTE("POST", "/api/proxies/{}/refresh", fe_ep_proxy_refresh),
	ADMIN_ROUTE("PUT", "/api/nodes/{}", fe_ep_update_node),
	ADMIN_ROUTE("DELETE", "/api/nodes/{}", fe_ep_delete_node),
	ROUTE("GET", "/api/heartbeat/status", fe_ep_heartbeat_status),
	SLOW_ROUTE_ROLE("POST", "/api/heartbeat/start", fe_ep_heartbeat_start, SRV_ROLE_ADMIN),
	SLOW_ROUTE_ROLE("POST", "/api/heartbeat/stop", fe_ep_heartbeat_stop, SRV_ROLE_ADMIN),
	SLOW_ROUTE("GET", "/metrics", fe_ep_metrics),
	/* each request in it is checked as /proxy2 checks it, with the method's role */
	ROUTE_ROLE("POST", "/api/fanout", fe_ep_fanout, SRV_ROLE_VIEWER),
	ROUTE(NULL, "/proxy2/{}/**", fe_ep_proxy2),
	ROUTE(NULL, "/proxy/{}/{}/**", fe_ep_proxy),
};

const size_t fe_nroutes = sizeof(fe_routes) / sizeof(fe_routes[0]);
