/* One demo node: its agent configured as LMCache configures its internal API server, the
 * engine simulation and the host's registrations. */
#include "config.h"
#include "demo.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

int demo_node_setup(struct demo_engine *e, const struct demo_options *o, int index,
                    char **cause);
void demo_node_report(const struct demo_engine *e);

static int set_string(lmca_agent *a, const char *key, const char *value, char **cause)
{
	char *json = xasprintf("\"%s\"", value);
	int rc;

	/* Flag values are simple names and paths; quote characters would need escaping. */
	for (const char *p = value; *p; p++)
		if (*p == '"' || *p == '\\') {
			*cause = xasprintf("invalid character in '%s'", value);
			free(json);
			return -1;
		}
	rc = lmca_conf_set(a, key, json, cause);
	free(json);
	return rc;
}

/* Command-line flags win over the config file and environment. */
static int apply_flags(lmca_agent *a, const struct demo_options *o, char **cause)
{
	char port[16];

	if (o->instance_id && set_string(a, "lmcache_instance_id", o->instance_id, cause) < 0)
		return -1;
	if (o->socket_prefix &&
	    set_string(a, "internal_api_server_socket_path_prefix", o->socket_prefix, cause) < 0)
		return -1;
	if (o->host && set_string(a, "internal_api_server_host", o->host, cause) < 0)
		return -1;
	snprintf(port, sizeof port, "%d", o->port_start);
	if (o->port_start >= 0 && lmca_conf_set(a, "internal_api_server_port_start", port, cause) < 0)
		return -1;
	return 0;
}

static lmca_agent *make_agent(const struct demo_options *o, int worker_id, char **cause)
{
	lmca_agent *a = lmca_agent_new(o->role, worker_id, o->worker_count, cause);

	if (a == NULL)
		return NULL;
	/* A demo serves its API unless the config says otherwise. */
	if (demo_register_config(a, cause) < 0 ||
	    lmca_conf_set(a, "internal_api_server_enabled", "true", cause) < 0 ||
	    (o->config_file ? lmca_agent_load_config_file(a, o->config_file, cause)
	                    : lmca_agent_load_config(a, cause)) < 0 ||
	    apply_flags(a, o, cause) < 0) {
		lmca_agent_free(a);
		return NULL;
	}
	return a;
}

int demo_node_setup(struct demo_engine *e, const struct demo_options *o, int index,
                    char **cause)
{
	int worker_id = o->role == LMCA_ROLE_SCHEDULER ? -1 : o->worker_id + index;
	lmca_agent *a = make_agent(o, worker_id, cause);

	if (a == NULL)
		return -1;
	lmca_agent_set_version(a, PACKAGE_VERSION, "demo");
	demo_engine_init(e, a, o, worker_id);
	demo_register_host(e);
	if (lmca_agent_start(a, cause) < 0 || demo_engine_start(e, cause) < 0) {
		demo_engine_stop(e);
		lmca_agent_free(a);
		demo_engine_free(e);
		return -1;
	}
	return 0;
}

/* One line per node on stdout, for people and scripts. */
void demo_node_report(const struct demo_engine *e)
{
	char *name = lmca_agent_name(e->agent), *path = lmca_agent_socket_path(e->agent);
	int port = lmca_agent_bound_port(e->agent);
	struct stat st;

	/* The agent's socket exists once its server runs (disabled or excluded: none). */
	if (path != NULL && stat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		printf("%s listening on unix:%s\n", name, path);
	else if (port >= 0)
		printf("%s listening on port %d\n", name, port);
	else
		printf("%s running without an API server\n", name);
	fflush(stdout);
	free(name);
	free(path);
}
