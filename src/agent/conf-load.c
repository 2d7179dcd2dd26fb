/*
 * Loading configuration as LMCache does: the YAML file named by LMCACHE_CONFIG_FILE when it
 * is set, otherwise LMCACHE_<KEY> environment variables for the registered keys. Everything
 * is parsed and checked first and applied at once, so a bad value changes nothing.
 */
#include "config.h"
#include "conf.h"
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define CONFIG_FILE_VAR "LMCACHE_CONFIG_FILE"

static char *env_name(const char *key)
{
	char *name = xasprintf("LMCACHE_%s", key);

	for (char *p = name; *p; p++)
		*p = *p == '.' || *p == '-' ? '_' : (char)toupper((unsigned char)*p);
	return name;
}

/* The variable that names key: LMCACHE_<KEY>, else that of an old alias of key. */
static char *env_lookup(const char *key, const char **value)
{
	static const char *const old_names[][2] = {
		{ "runtime_plugin_locations", "plugin_locations" },
	};
	char *name = env_name(key);

	if ((*value = getenv(name)) != NULL)
		return name;
	for (size_t i = 0; i < sizeof old_names / sizeof old_names[0]; i++) {
		if (strcmp(key, old_names[i][0]) != 0)
			continue;
		free(name);
		name = env_name(old_names[i][1]);
		if ((*value = getenv(name)) != NULL)
			return name;
	}
	free(name);
	return NULL;
}

static void stage_push(struct conf_staged **st, size_t *n, const char *key, json_t *value,
                       char *origin)
{
	*st = xreallocarray(*st, *n + 1, sizeof **st);
	(*st)[*n].key = xstrdup(key);
	(*st)[*n].value = value;
	(*st)[*n].origin = origin;
	(*st)[*n].known = true;
	(*n)++;
}

static int env_stage(const lmca_agent *agent, struct conf_staged **st, size_t *n,
                     char **cause)
{
	char **keys = conf_registered_keys(agent);
	struct conf_key_info info;
	const char *text;
	char *var, *why = NULL;
	json_t *v;
	int rc = 0;

	for (char **k = keys; *k && rc == 0; k++) {
		if ((var = env_lookup(*k, &text)) == NULL)
			continue;
		info = conf_key_lookup(agent, *k);
		v = conf_value_from_text(info.type, text, info.env_one_item, &why);
		if (v == NULL) {
			if (cause)
				*cause = xasprintf("config key %s from environment variable %s: %s",
				                   *k, var, why);
			free(why);
			free(var);
			rc = -1;
			break;
		}
		stage_push(st, n, *k, v, var);
	}
	str_list_free(keys);
	return rc;
}

static int apply(lmca_agent *agent, struct conf_staged *st, size_t n, int rc, char **cause)
{
	if (rc == 0)
		rc = conf_apply_staged(agent, st, n, cause);
	conf_staged_free(st, n);
	return rc;
}

int lmca_agent_load_config_file(lmca_agent *agent, const char *path, char **cause)
{
	struct conf_staged *st = NULL;
	size_t n = 0;
	int rc = conf_yaml_stage(agent, path, &st, &n, cause);

	return apply(agent, st, n, rc, cause);
}

int lmca_agent_load_config(lmca_agent *agent, char **cause)
{
	const char *file = getenv(CONFIG_FILE_VAR);
	struct conf_staged *st = NULL;
	size_t n = 0;
	int rc;

	if (file != NULL && *file != '\0')
		return lmca_agent_load_config_file(agent, file, cause);
	rc = env_stage(agent, &st, &n, cause);
	return apply(agent, st, n, rc, cause);
}
