/* GET /healthcheck: {"status": "healthy"}, or 503 with the provider's reason. */
#include "config.h"
#include "server.h"

#include <stdlib.h>

static void get_health(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	lmca_health_fn fn;
	void *arg;
	char *reason = NULL;
	json_t *o;

	(void)req;
	pthread_mutex_lock(&agent->lock);
	fn = agent->health_fn;
	arg = agent->health_arg;
	pthread_mutex_unlock(&agent->lock);
	if (fn == NULL || fn(arg, &reason) == 0) {
		o = json_pack("{s:s}", "status", "healthy");
		respond_json(res, 200, NULL, o, 0);
	} else {
		o = json_pack("{s:s, s:s}", "status", "unhealthy", "reason",
		              reason ? reason : "unhealthy");
		respond_json(res, 503, NULL, o, 0);
	}
	json_decref(o);
	free(reason);
}

static const struct endpoint endpoints[] = {
	{ "GET", "/healthcheck", get_health, SRV_ROLE_VIEWER },
	{ 0 },
};

const struct endpoint_family ep_health = { "health", endpoints };
