/* GET /plugins (extension): the runtime plugins of this process and their state. */
#include "config.h"
#include "server.h"

static void get_plugins(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	json_t *list = plugin_runtime_list(agent);

	(void)req;
	respond_json(res, 200, "application/json", list, 0);
	json_decref(list);
}

static const struct endpoint endpoints[] = {
	{ "GET", "/plugins", get_plugins, SRV_ROLE_VIEWER },
	{ 0 },
};

const struct endpoint_family ep_plugins = { "plugins", endpoints };
