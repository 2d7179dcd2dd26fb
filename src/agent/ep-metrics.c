/* GET /metrics (Prometheus text 0.0.4) and POST /metrics/reset. */
#include "config.h"
#include "host-hooks.h"

static void get_metrics(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	(void)req;
	respond_owned(res, 200, "text/plain; version=0.0.4; charset=utf-8",
	              host_metrics_render(agent));
}

static void reset_metrics(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	(void)req;
	lmca_metrics_reset(agent);
	respond_text(res, 200, "ok");
}

static const struct endpoint endpoints[] = {
	{ "GET", "/metrics", get_metrics, SRV_ROLE_VIEWER },
	{ "POST", "/metrics/reset", reset_metrics, SRV_ROLE_OPERATOR },
	{ 0 },
};

const struct endpoint_family ep_metrics = { "metrics", endpoints };
