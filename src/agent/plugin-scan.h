/* Where runtime plugins are found (PROTOCOL section 4). */
#ifndef LMC_AGENT_PLUGIN_SCAN_H
#define LMC_AGENT_PLUGIN_SCAN_H

#include <stddef.h>

typedef void (*plugin_warn_fn)(void *arg, const char *message);

/* The plugin files of the locations, in launch order: a file is taken as is, a directory is
 * searched recursively for "*.py", then for "*.sh", each set sorted by path so that the
 * order does not depend on the file system. Missing locations are reported through warn
 * and skipped; a file found twice is launched once. Symbolic links to files are followed,
 * links to directories are not (no loops). A NULL-terminated list (str_list_free). */
char **plugin_scan(const char *const *locations, size_t n, plugin_warn_fn warn, void *arg);

#endif
