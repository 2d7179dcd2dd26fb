/* Where the plugin shim is, found as git finds its exec path: an explicit override, then
 * beside the running executable (so an uninstalled build tree works), then the configured
 * libexec directory. */
#include "config.h"
#include "plugin.h"
#include "strutil.h"
#include "xalloc.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef LMCA_PLUGIN_SHIM
#define LMCA_PLUGIN_SHIM "/usr/local/libexec/lmcache-tools/lmcache-plugin-shim"
#endif

#define SHIM_NAME "lmcache-plugin-shim"

static char found[PATH_MAX];
static pthread_once_t once = PTHREAD_ONCE_INIT;

/* Copies dir/rel into found if that is an executable file. */
static bool try_shim(const char *dir, const char *rel)
{
	int n = snprintf(found, sizeof(found), "%s/%s", dir, rel);

	if (n > 0 && (size_t)n < sizeof(found) && access(found, X_OK) == 0)
		return true;
	found[0] = '\0';
	return false;
}

/* The executable's own directory; libtool's uninstalled programs run from .libs/, whose
 * parent is the program's build directory (src/demo/ beside src/agent/). */
static void search(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	char *slash;

	if (n <= 0)
		return;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return;
	*slash = '\0';
	if (try_shim(exe, SHIM_NAME))
		return;
	if ((slash = strrchr(exe, '/')) != NULL && strcmp(slash, "/.libs") == 0)
		*slash = '\0';
	try_shim(exe, "../agent/" SHIM_NAME);
}

const char *plugin_shim_path(void)
{
	const char *env = getenv("LMCACHE_PLUGIN_SHIM");

	if (env && *env)
		return env;
	pthread_once(&once, search);
	return found[0] ? found : LMCA_PLUGIN_SHIM;
}
