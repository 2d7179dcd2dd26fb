/* GET /env: the process environment as JSON (application/json, as LMCache's), secret-looking
 * values redacted unless the host allow-listed the name (lmca_agent_set_env_allowlist). */
#include "config.h"
#include "server.h"
#include "env-redact.h"
#include "jsonutil.h"

extern char **environ;

static void get_env(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	json_t *env;

	(void)req;
	pthread_mutex_lock(&agent->lock);
	env = env_snapshot(environ, agent->env_allowlist);
	pthread_mutex_unlock(&agent->lock);
	/* sorted by name, as LMCache's */
	respond_owned(res, 200, "application/json",
	              json_dumps_shortest(env, JSON_INDENT(2) | JSON_SORT_KEYS));
	json_decref(env);
}

static const struct endpoint endpoints[] = {
	{ "GET", "/env", get_env, SRV_ROLE_VIEWER, NULL },
	{ 0 },
};

const struct endpoint_family ep_env = { "env", endpoints };
