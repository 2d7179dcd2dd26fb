/*
 * What the pieces of liblmcagent share and the host never sees.
 *
 * The pieces in layers; a piece calls only pieces on its own layer or below (checked with
 * `scripts/layers calls build src/agent`, which finds no circle):
 *
 *   lifecycle   agent.c       lmca_agent_new/start/stop/free     (struct lmca_agent)
 *   serving     route.c       the route table (srv_table) and its adapters
 *               server.c      the listener and the server core (struct server)
 *   endpoints   ep-*.c        one file per endpoint family (docs/protocol.md section 3)
 *   services    request.c     what endpoints read and answer with
 *               plugin*.c     plugin runtime (docs/protocol.md section 4) (struct plugin_runtime)
 *               log.c         logger tree and sinks               (struct log_tree)
 *               metrics*.c    metric registry, Prometheus text    (struct metric_registry)
 *               stacks.c      every thread's call stack; listen.c  sockets
 *               host-hooks.c  a runtime host's threads, loggers, metrics (struct host_hooks)
 *   bottom      identity.c    role, index, name, port, the host's providers
 *               conf*.c       configuration store, YAML/env loading (struct conf_store)
 *
 * Below all of them: the server core (src/server/srv.h) and libutil. Values travel as
 * json_t *, never as text re-parsed (conf_get).
 */
#ifndef LMC_AGENT_INTERNAL_H
#define LMC_AGENT_INTERNAL_H

#include "lmcagent.h"

#include <jansson.h>
#include <pthread.h>

struct conf_store;
struct log_tree;
struct metric_registry;
struct server;
struct srv_table;
struct plugin_runtime;
struct host_hooks;

struct lmca_agent {
	lmca_role role;
	int worker_id; /* -1 for the scheduler */
	int worker_count;

	pthread_mutex_t lock; /* guards the provider and version fields below */
	char *version;
	char *commit;
	lmca_json_provider meta_fn;
	void *meta_arg;
	lmca_json_provider inference_fn;
	void *inference_arg;
	lmca_health_fn health_fn;
	void *health_arg;
	lmca_script_runner script_fn;
	void *script_arg;
	char **env_allowlist; /* NULL-terminated, may be NULL */
	int stack_signal;     /* 0: no stack capture */
	int stack_signal_active; /* installed while the server runs, 0: none */

	struct conf_store *conf;
	struct log_tree *logs;
	struct metric_registry *metrics;
	struct srv_table *routes; /* built-in and host routes (route.c) */
	struct server *server;
	struct plugin_runtime *plugins;
	struct host_hooks *hooks; /* NULL until the host sets one; guarded by lock */
};

/* ---- conf.c ---- */
struct conf_store *conf_store_new(void);
void conf_store_free(struct conf_store *cs);
/* A new reference to a copy of key's value, or NULL when the key is unknown. */
json_t *conf_get(const lmca_agent *agent, const char *key);
/* Registers the keys of docs/protocol.md section 2 (the agent calls this from lmca_agent_new). */
void conf_register_protocol_keys(lmca_agent *agent);
/* A new reference to an object of all keys (or only `names`, NULL-terminated, unknown
 * names left out) with their current values. */
json_t *conf_snapshot(const lmca_agent *agent, const char *const *names);
/* A copy of the text render() makes of the store, rendered again only after the store
 * changed (GET /conf: the same answer until a value or a key changes). */
char *conf_render_cached(const lmca_agent *agent, char *(*render)(const lmca_agent *));
/* Applies one key of a POST /conf body. Returns 0, or -1 with *reason one of
 * "Unknown config", "Config is not mutable at runtime", "Failed to set config value"
 * (static strings) and *detail (malloc'd, may be NULL) saying more. */
int conf_update_from_api(lmca_agent *agent, const char *key, const json_t *value,
                         const char **reason, char **detail);

/* ---- log.c ---- */
struct log_tree *log_tree_new(void);
void log_tree_free(struct log_tree *lt);
/* Calls fn for every logger in name order (root first) with its name and effective level. */
void log_tree_foreach(lmca_agent *agent,
                      void (*fn)(void *arg, const char *name, lmca_level effective), void *arg);
/* The logger if it exists (does not create it). */
lmca_logger *log_tree_find(lmca_agent *agent, const char *name);

/* ---- metrics.c ---- */
struct metric_registry *metric_registry_new(void);
void metric_registry_free(struct metric_registry *mr);

/* ---- host-hooks.c ---- */
void host_hooks_free(struct host_hooks *hooks);

/* ---- server.c ---- */
int server_start(lmca_agent *agent, char **cause);
void server_stop(lmca_agent *agent);

/* ---- plugin.c ---- */
int plugin_runtime_start(lmca_agent *agent, char **cause);
void plugin_runtime_stop(lmca_agent *agent);
/* The JSON list for GET /plugins (a new reference). */
json_t *plugin_runtime_list(lmca_agent *agent);

#endif
