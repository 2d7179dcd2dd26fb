/* Plugin mode (docs/protocol.md 1 and 5): run by the agent's plugin runtime on a scheduler, the
 * frontend derives every node of its host from the host's config (LMCACHE_PLUGIN_CONFIG)
 * and takes flags from extra_config keys plugin.frontend.<x>. Pure. */
#ifndef LMC_FRONTEND_PLUGIN_MODE_H
#define LMC_FRONTEND_PLUGIN_MODE_H

#include <jansson.h>
#include <stddef.h>

#include "model.h"

#define PLUGIN_FLAG_PREFIX "plugin.frontend."

/* The config from the environment (LMCACHE_PLUGIN_CONFIG, or the newer
 * LMCACHE_RUNTIME_PLUGIN_CONFIG); NULL when neither is set, NULL with cause when invalid. */
json_t *plugin_mode_config(char **cause);
/* The worker count from LMCACHE_PLUGIN_WORKER_COUNT (or the newer name); 1 when unset. */
int plugin_mode_worker_count(void);

/* The host's nodes as one proxy "local_proxy" at fe_host:fe_port. */
int plugin_mode_nodes(const json_t *config, int workers, const char *fe_host, int fe_port,
		      struct fe_model *m, char **cause);
/* extra_config's plugin.frontend.<x> keys as "--<x>" [value] words, in key order: true is a
 * bare flag, false and null are left out, other values their text. NULL-terminated; free
 * with str_list_free. */
char **plugin_mode_args(const json_t *config, size_t *n, char **cause);

#endif
