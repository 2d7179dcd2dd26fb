/* GET /env: the process environment as text JSON, secret-looking values redacted unless
 * the host allow-listed the name (lmca_agent_set_env_allowlist). */
#include "config.h"
#include "server.h"
#include "env-redact.h"

extern char **environ;

static void get_env(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	json_t *env;

	(void)req;
	pthread_mutex_lock(&agent->lock);
	env = env_snapshot(environ, agent->env_allowlist);
	pthread_mutex_unlock(&agent->lock);
	respond_json(res, 200, "text/plain; charset=utf-8", env, 2);
	json_decref(env);
}

static const struct endpoint endpoints[] = {
	{ "GET", "/env", get_env, SRV_ROLE_VIEWER },
	{ 0 },
};

const struct endpoint_family ep_env = { "env", endpoints };
