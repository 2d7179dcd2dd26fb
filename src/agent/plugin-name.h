/* Which runtime plugins a process runs: the name grammar of PROTOCOL section 4. Pure. */
#ifndef LMC_AGENT_PLUGIN_NAME_H
#define LMC_AGENT_PLUGIN_NAME_H

#include "lmcagent.h"

#include <stdbool.h>

/* The file stem of path (base name without its last extension, as Python's Path.stem),
 * lower-cased. The caller frees it. */
char *plugin_stem(const char *path);

/* Whether the plugin at path runs in a process of this role and worker id (-1 for the
 * scheduler). When it does not, *why (may be NULL) gets a static reason. */
bool plugin_eligible(const char *path, lmca_role role, int worker_id, const char **why);

#endif
