/* Who the node is (PROTOCOL section 1: role, index, name, port, socket) and what the host
 * provides (version, meta, inference, health, script runner, env allow-list). The bottom
 * of the library with the configuration: it calls nothing above it. */
#include "config.h"
#include "agent-internal.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define DEFAULT_INSTANCE_ID "lmcache_default_instance"

lmca_role lmca_agent_role(const lmca_agent *agent) { return agent->role; }

const char *lmca_role_name(lmca_role role)
{
	return role == LMCA_ROLE_SCHEDULER ? "scheduler" : "worker";
}

int lmca_agent_worker_id(const lmca_agent *agent) { return agent->worker_id; }

int lmca_agent_worker_count(const lmca_agent *agent) { return agent->worker_count; }

int lmca_node_index(lmca_role role, int worker_id)
{
	return role == LMCA_ROLE_SCHEDULER ? 0 : 1 + worker_id;
}

int lmca_agent_index(const lmca_agent *agent)
{
	return lmca_node_index(agent->role, agent->worker_id);
}

char *lmca_node_name(const char *instance_id, lmca_role role, int worker_id)
{
	if (instance_id == NULL || *instance_id == '\0')
		instance_id = DEFAULT_INSTANCE_ID;
	if (role == LMCA_ROLE_SCHEDULER)
		return xasprintf("%s_scheduler", instance_id);
	return xasprintf("%s_worker%d", instance_id, worker_id);
}

char *lmca_agent_name(const lmca_agent *agent)
{
	char *id = lmca_conf_get_string(agent, "lmcache_instance_id", DEFAULT_INSTANCE_ID);
	char *name = lmca_node_name(id, agent->role, agent->worker_id);

	free(id);
	return name;
}

int lmca_agent_port(const lmca_agent *agent)
{
	long long start = lmca_conf_get_int(agent, "internal_api_server_port_start", 6999);

	return (int)(start + lmca_agent_index(agent));
}

char *lmca_agent_socket_path(const lmca_agent *agent)
{
	char *prefix = lmca_conf_get_string(agent, "internal_api_server_socket_path_prefix", NULL);
	char *path;

	if (prefix == NULL || *prefix == '\0') {
		free(prefix);
		return NULL;
	}
	path = xasprintf("%s_%d", prefix, lmca_agent_port(agent));
	free(prefix);
	return path;
}

void lmca_agent_set_version(lmca_agent *agent, const char *version, const char *commit)
{
	pthread_mutex_lock(&agent->lock);
	free(agent->version);
	free(agent->commit);
	agent->version = xstrdup(version ? version : PACKAGE_VERSION);
	agent->commit = xstrdup(commit ? commit : "unknown");
	pthread_mutex_unlock(&agent->lock);
}

#define SET_PROVIDER(field_fn, field_arg)          \
	do {                                       \
		pthread_mutex_lock(&agent->lock);  \
		agent->field_fn = fn;              \
		agent->field_arg = arg;            \
		pthread_mutex_unlock(&agent->lock); \
	} while (0)

void lmca_agent_set_meta_provider(lmca_agent *agent, lmca_json_provider fn, void *arg)
{
	SET_PROVIDER(meta_fn, meta_arg);
}

void lmca_agent_set_inference_provider(lmca_agent *agent, lmca_json_provider fn, void *arg)
{
	SET_PROVIDER(inference_fn, inference_arg);
}

void lmca_agent_set_health_provider(lmca_agent *agent, lmca_health_fn fn, void *arg)
{
	SET_PROVIDER(health_fn, health_arg);
}

void lmca_agent_set_script_runner(lmca_agent *agent, lmca_script_runner fn, void *arg)
{
	SET_PROVIDER(script_fn, script_arg);
}

void lmca_agent_set_env_allowlist(lmca_agent *agent, const char *const *names)
{
	size_t n = 0;
	char **list = NULL;

	if (names != NULL) {
		while (names[n] != NULL)
			n++;
		list = xcalloc(n + 1, sizeof *list);
		for (size_t i = 0; i < n; i++)
			list[i] = xstrdup(names[i]);
	}
	pthread_mutex_lock(&agent->lock);
	if (agent->env_allowlist != NULL)
		for (char **p = agent->env_allowlist; *p; p++)
			free(*p);
	free(agent->env_allowlist);
	agent->env_allowlist = list;
	pthread_mutex_unlock(&agent->lock);
}
