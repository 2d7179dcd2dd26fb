/* The agent's lifecycle: it makes every piece, starts and stops the server and the plugins,
 * and frees them. The top of the library: nothing calls up into it (identity.c is the
 * bottom). */
#include "config.h"
#include "agent-internal.h"
#include "server.h"
#include "xalloc.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>

lmca_agent *lmca_agent_new(lmca_role role, int worker_id, int worker_count, char **cause)
{
	lmca_agent *agent;

	if (role != LMCA_ROLE_SCHEDULER && role != LMCA_ROLE_WORKER) {
		if (cause)
			*cause = xstrdup("role must be scheduler or worker");
		return NULL;
	}
	if (role == LMCA_ROLE_WORKER && worker_id < 0) {
		if (cause)
			*cause = xasprintf("invalid worker id %d", worker_id);
		return NULL;
	}
	agent = xcalloc(1, sizeof *agent);
	agent->role = role;
	agent->worker_id = role == LMCA_ROLE_SCHEDULER ? -1 : worker_id;
	agent->worker_count = worker_count < 0 ? 0 : worker_count;
	pthread_mutex_init(&agent->lock, NULL);
	agent->version = xstrdup(PACKAGE_VERSION);
	agent->commit = xstrdup("unknown");
	agent->stack_signal = SIGRTMIN + 3;
	agent->conf = conf_store_new();
	agent->logs = log_tree_new();
	agent->metrics = metric_registry_new();
	agent->routes = routes_new();
	agent->server = server_new();
	conf_register_protocol_keys(agent);
	return agent;
}

int lmca_agent_start(lmca_agent *agent, char **cause)
{
	/* Plugins start after the server, so they can reach their node at once. */
	if (server_start(agent, cause) < 0 || plugin_runtime_start(agent, cause) < 0) {
		server_stop(agent);
		return -1;
	}
	return 0;
}

void lmca_agent_stop(lmca_agent *agent)
{
	plugin_runtime_stop(agent);
	server_stop(agent);
}

void lmca_agent_free(lmca_agent *agent)
{
	if (agent == NULL)
		return;
	lmca_agent_stop(agent);
	server_free(agent);
	srv_table_free(agent->routes);
	host_hooks_free(agent->hooks);
	metric_registry_free(agent->metrics);
	log_tree_free(agent->logs);
	conf_store_free(agent->conf);
	free(agent->version);
	free(agent->commit);
	if (agent->env_allowlist != NULL)
		for (char **p = agent->env_allowlist; *p; p++)
			free(*p);
	free(agent->env_allowlist);
	pthread_mutex_destroy(&agent->lock);
	free(agent);
}
