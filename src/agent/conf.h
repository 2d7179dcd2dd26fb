/*
 * What conf.c and conf-load*.c share: typed values from text, the staged form of a loaded
 * configuration, and the store's internal setters. Not seen by the rest of the agent.
 */
#ifndef LMC_AGENT_CONF_H
#define LMC_AGENT_CONF_H

#include "agent-internal.h"

#include <jansson.h>
#include <stdbool.h>

/* What the loader knows about a key before it parses a value for it. */
struct conf_key_info {
	bool known;          /* registered (by the agent or the host) */
	lmca_conf_type type; /* meaningful when known */
	bool env_one_item;   /* a list key whose environment value is ONE item */
};

/* The canonical name of key (resolves aliases such as plugin_locations). */
const char *conf_canonical(const char *key);
/* Type information of key (after alias resolution). */
struct conf_key_info conf_key_lookup(const lmca_agent *agent, const char *key);
/* Registered keys, in registration order, as a NULL-terminated list; free with
 * str_list_free. */
char **conf_registered_keys(const lmca_agent *agent);

/* "a boolean", "an integer", ... for messages. */
const char *conf_type_desc(lmca_conf_type type);
/* JSON value of type from a text (an environment value or a YAML scalar). NULL with *cause
 * (no location in it) when the text does not fit the type. */
json_t *conf_value_from_text(lmca_conf_type type, const char *text, bool one_item,
                             char **cause);
/* JSON value of type from a JSON value (lmca_conf_set, POST /conf, YAML collections). */
json_t *conf_coerce(lmca_conf_type type, const json_t *in, char **cause);
/* A guessed JSON value of a plain YAML scalar: null, bool, int, float or string. */
json_t *conf_guess_scalar(const char *text);

/* A configuration staged by a loader and applied at once (nothing applied on error). */
struct conf_staged {
	char *key;     /* canonical */
	json_t *value; /* already of the key's type, or guessed for an unknown key */
	char *origin;  /* "file.yaml:3" or "LMCACHE_FOO" for messages */
	bool known;
};

/* Applies staged values: known keys through the change callbacks, unknown ones stored
 * read-only. Returns -1 with *cause when a callback refused a value. */
int conf_apply_staged(lmca_agent *agent, struct conf_staged *st, size_t n, char **cause);
void conf_staged_free(struct conf_staged *st, size_t n);

/* conf-yaml.c: stages the keys of a YAML file. */
int conf_yaml_stage(const lmca_agent *agent, const char *path, struct conf_staged **out,
                    size_t *n, char **cause);

#endif
