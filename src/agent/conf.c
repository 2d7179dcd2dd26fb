/*
 * The configuration store: typed keys with defaults, a mutable flag and change callbacks
 * (docs/protocol.md section 2). Values are jansson values, read and written under one mutex; a
 * second, recursive mutex serialises changes so that a change callback runs outside the
 * data lock (it may read config, or even set another key) while no other change interleaves.
 */
#include "config.h"
#include "conf.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct conf_entry {
	char *key;
	lmca_conf_type type;
	json_t *value; /* never NULL: json_null() when unset */
	bool mutable_at_runtime;
	bool registered; /* false: found in a config file, nobody registered it (read-only) */
	bool env_one_item;
	lmca_conf_cb cb;
	void *cb_arg;
};

struct conf_store {
	pthread_mutex_t lock;        /* guards entries */
	pthread_mutex_t change_lock; /* recursive: serialises set + callback + rollback */
	struct conf_entry *entries;
	size_t n, cap;
	unsigned long changes;       /* bumped under lock by every write (entry_put) */
	pthread_mutex_t render_lock; /* guards the two below */
	char *rendered;              /* conf_render_cached's text, valid while changes unmoved */
	unsigned long rendered_at;
};

/* Old names LMCache still accepts. */
static const struct {
	const char *alias, *key;
} aliases[] = {
	{ "plugin_locations", "runtime_plugin_locations" },
};

struct conf_store *conf_store_new(void)
{
	struct conf_store *cs = xcalloc(1, sizeof *cs);
	pthread_mutexattr_t attr;

	pthread_mutex_init(&cs->lock, NULL);
	pthread_mutex_init(&cs->render_lock, NULL);
	pthread_mutexattr_init(&attr);
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	pthread_mutex_init(&cs->change_lock, &attr);
	pthread_mutexattr_destroy(&attr);
	return cs;
}

void conf_store_free(struct conf_store *cs)
{
	if (cs == NULL)
		return;
	for (size_t i = 0; i < cs->n; i++) {
		free(cs->entries[i].key);
		json_decref(cs->entries[i].value);
	}
	free(cs->entries);
	free(cs->rendered);
	pthread_mutex_destroy(&cs->render_lock);
	pthread_mutex_destroy(&cs->change_lock);
	pthread_mutex_destroy(&cs->lock);
	free(cs);
}

const char *conf_canonical(const char *key)
{
	for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
		if (strcmp(key, aliases[i].alias) == 0)
			return aliases[i].key;
	return key;
}

/* Caller holds cs->lock. */
static struct conf_entry *find(const struct conf_store *cs, const char *key)
{
	key = conf_canonical(key);
	for (size_t i = 0; i < cs->n; i++)
		if (strcmp(cs->entries[i].key, key) == 0)
			return &cs->entries[i];
	return NULL;
}

/* The one way a value changes: replaces e's value (stolen) and returns the old one, so that
 * a cached rendering is never served stale. Caller holds cs->lock. */
static json_t *entry_put(struct conf_store *cs, struct conf_entry *e, json_t *value)
{
	json_t *old = e->value;

	e->value = value;
	cs->changes++;
	return old;
}

/* Caller holds cs->lock. */
static struct conf_entry *add_entry(struct conf_store *cs, const char *key)
{
	struct conf_entry *e;

	if (cs->n == cs->cap) {
		cs->cap = cs->cap ? cs->cap * 2 : 32;
		cs->entries = xreallocarray(cs->entries, cs->cap, sizeof *cs->entries);
	}
	e = &cs->entries[cs->n++];
	memset(e, 0, sizeof *e);
	e->key = xstrdup(key);
	e->value = json_null();
	return e;
}

/* A key loaded from a file before its registration takes the registered type. */
static int adopt_loaded(struct conf_store *cs, struct conf_entry *e, lmca_conf_type type,
                        bool mut, char **cause)
{
	json_t *v = json_is_null(e->value) ? json_null() : conf_coerce(type, e->value, cause);

	if (v == NULL)
		return -1;
	json_decref(entry_put(cs, e, v));
	e->type = type;
	e->mutable_at_runtime = mut;
	e->registered = true;
	return 0;
}

static int register_key(lmca_agent *agent, const char *key, lmca_conf_type type,
                        json_t *dflt, bool mut, char **cause)
{
	struct conf_store *cs = agent->conf;
	struct conf_entry *e;
	int rc = 0;

	pthread_mutex_lock(&cs->lock);
	e = find(cs, key);
	if (e != NULL && e->registered) {
		if (cause)
			*cause = xasprintf("config key %s is already registered", key);
		rc = -1;
	} else if (e != NULL) {
		rc = adopt_loaded(cs, e, type, mut, cause);
	} else {
		e = add_entry(cs, key);
		json_decref(entry_put(cs, e, json_incref(dflt)));
		e->type = type;
		e->mutable_at_runtime = mut;
		e->registered = true;
	}
	pthread_mutex_unlock(&cs->lock);
	return rc;
}

static bool valid_key(const char *key)
{
	if (key == NULL || *key == '\0')
		return false;
	for (const char *p = key; *p; p++)
		if (!(*p == '_' || *p == '.' || *p == '-' || (*p >= 'a' && *p <= 'z') ||
		      (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			return false;
	return true;
}

int lmca_conf_register(lmca_agent *agent, const char *key, lmca_conf_type type,
                       const char *default_json, bool mutable_at_runtime, char **cause)
{
	json_t *parsed, *dflt = NULL;
	json_error_t err;
	char *why = NULL;
	int rc;

	if (!valid_key(key) || strcmp(conf_canonical(key), key) != 0) {
		if (cause)
			*cause = xasprintf("invalid config key name '%s'", key ? key : "");
		return -1;
	}
	parsed = json_loads(default_json ? default_json : "null", JSON_DECODE_ANY, &err);
	if (parsed == NULL) {
		if (cause)
			*cause = xasprintf("default of %s is not JSON: %s", key, err.text);
		return -1;
	}
	dflt = json_is_null(parsed) ? json_null() : conf_coerce(type, parsed, &why);
	json_decref(parsed);
	if (dflt == NULL) {
		if (cause)
			*cause = xasprintf("default of %s: %s", key, why);
		free(why);
		return -1;
	}
	rc = register_key(agent, key, type, dflt, mutable_at_runtime, cause);
	json_decref(dflt);
	return rc;
}

int lmca_conf_on_change(lmca_agent *agent, const char *key, lmca_conf_cb cb, void *arg,
                        char **cause)
{
	struct conf_store *cs = agent->conf;
	struct conf_entry *e;

	pthread_mutex_lock(&cs->lock);
	e = find(cs, key);
	if (e != NULL && e->registered) {
		e->cb = cb;
		e->cb_arg = arg;
	}
	pthread_mutex_unlock(&cs->lock);
	if (e == NULL || !e->registered) {
		if (cause)
			*cause = xasprintf("unknown config key %s", key);
		return -1;
	}
	return 0;
}

/* Swaps in `value` (stolen) and returns the previous one; caller holds change_lock. */
static json_t *swap_value(struct conf_store *cs, const char *key, json_t *value)
{
	struct conf_entry *e;
	json_t *old;

	pthread_mutex_lock(&cs->lock);
	e = find(cs, key);
	old = entry_put(cs, e, value);
	pthread_mutex_unlock(&cs->lock);
	return old;
}

/* Stores v (stolen, already of the key's type) and runs the change callback outside the
 * data lock; a refusal puts the old value back. */
static int store_and_notify(lmca_agent *agent, const char *key, json_t *v, char **cause)
{
	struct conf_store *cs = agent->conf;
	struct conf_entry *e;
	lmca_conf_cb cb;
	void *arg;
	char *text, *why = NULL;
	json_t *old;
	int rc = 0;

	pthread_mutex_lock(&cs->lock);
	e = find(cs, key);
	cb = e->cb;
	arg = e->cb_arg;
	pthread_mutex_unlock(&cs->lock);
	old = swap_value(cs, key, v);
	if (cb != NULL) {
		text = json_dumps_shortest(v, JSON_ENCODE_ANY | JSON_COMPACT);
		rc = cb(agent, conf_canonical(key), text, arg, &why);
		free(text);
	}
	if (rc != 0) {
		json_decref(swap_value(cs, key, old));
		if (cause)
			*cause = xasprintf("%s: change refused: %s", key, why ? why : "no reason given");
		free(why);
		return -1;
	}
	json_decref(old);
	return 0;
}

/* Coerces `in` to the type of the registered key and stores it (mutable or not). */
static int set_value(lmca_agent *agent, const char *key, const json_t *in, char **cause)
{
	struct conf_store *cs = agent->conf;
	struct conf_entry *e;
	lmca_conf_type type = LMCA_CONF_STRING;
	bool known;
	json_t *v;
	char *why = NULL;
	int rc;

	pthread_mutex_lock(&cs->change_lock);
	pthread_mutex_lock(&cs->lock);
	e = find(cs, key);
	known = e != NULL && e->registered;
	if (known)
		type = e->type;
	pthread_mutex_unlock(&cs->lock);
	if (!known) {
		pthread_mutex_unlock(&cs->change_lock);
		if (cause)
			*cause = xasprintf("unknown config key %s", key);
		return -1;
	}
	v = json_is_null(in) ? json_null() : conf_coerce(type, in, &why);
	if (v == NULL) {
		if (cause)
			*cause = xasprintf("%s: %s", key, why);
		free(why);
		pthread_mutex_unlock(&cs->change_lock);
		return -1;
	}
	rc = store_and_notify(agent, key, v, cause);
	pthread_mutex_unlock(&cs->change_lock);
	return rc;
}

int lmca_conf_set(lmca_agent *agent, const char *key, const char *value_json, char **cause)
{
	json_error_t err;
	json_t *in;
	int rc;

	in = json_loads(value_json ? value_json : "null", JSON_DECODE_ANY, &err);
	if (in == NULL) {
		if (cause)
			*cause = xasprintf("%s: value is not JSON: %s", key, err.text);
		return -1;
	}
	rc = set_value(agent, key, in, cause);
	json_decref(in);
	return rc;
}

int conf_update_from_api(lmca_agent *agent, const char *key, const json_t *value,
                         const char **reason, char **detail)
{
	struct conf_store *cs = agent->conf;
	struct conf_entry *e;
	bool known, mut;

	*detail = NULL;
	pthread_mutex_lock(&cs->lock);
	e = find(cs, key);
	known = e != NULL;
	mut = known && e->registered && e->mutable_at_runtime;
	pthread_mutex_unlock(&cs->lock);
	if (!known) {
		*reason = "Unknown config";
		return -1;
	}
	if (!mut) {
		*reason = "Config is not mutable at runtime";
		return -1;
	}
	if (set_value(agent, key, value, detail) < 0) {
		*reason = "Failed to set config value";
		return -1;
	}
	return 0;
}

/* A new reference to the value of key, or NULL when unknown. */
json_t *conf_get(const lmca_agent *agent, const char *key)
{
	struct conf_store *cs = agent->conf;
	struct conf_entry *e;
	json_t *v = NULL;

	pthread_mutex_lock(&cs->lock);
	e = find(cs, key);
	if (e != NULL)
		v = json_deep_copy(e->value);
	pthread_mutex_unlock(&cs->lock);
	return v;
}

char *lmca_conf_get_json(const lmca_agent *agent, const char *key)
{
	json_t *v = conf_get(agent, key);
	char *text;

	if (v == NULL)
		return NULL;
	text = json_dumps_shortest(v, JSON_ENCODE_ANY | JSON_COMPACT);
	json_decref(v);
	return text;
}

bool lmca_conf_get_bool(const lmca_agent *agent, const char *key, bool dflt)
{
	json_t *v = conf_get(agent, key);
	bool r = json_is_boolean(v) ? json_is_true(v) : dflt;

	json_decref(v);
	return r;
}

long long lmca_conf_get_int(const lmca_agent *agent, const char *key, long long dflt)
{
	json_t *v = conf_get(agent, key);
	long long r = dflt;

	if (json_is_integer(v))
		r = json_integer_value(v);
	else if (json_is_real(v) && fabs(json_real_value(v)) < 9.2e18)
		r = (long long)json_real_value(v);
	json_decref(v);
	return r;
}

double lmca_conf_get_float(const lmca_agent *agent, const char *key, double dflt)
{
	json_t *v = conf_get(agent, key);
	double r = json_is_number(v) ? json_number_value(v) : dflt;

	json_decref(v);
	return r;
}

char *lmca_conf_get_string(const lmca_agent *agent, const char *key, const char *dflt)
{
	json_t *v = conf_get(agent, key);
	char *r;

	if (json_is_string(v))
		r = xstrdup(json_string_value(v));
	else
		r = dflt ? xstrdup(dflt) : NULL;
	json_decref(v);
	return r;
}

json_t *conf_snapshot(const lmca_agent *agent, const char *const *names)
{
	struct conf_store *cs = agent->conf;
	json_t *obj = json_object();
	struct conf_entry *e;

	pthread_mutex_lock(&cs->lock);
	if (names == NULL) {
		for (size_t i = 0; i < cs->n; i++)
			json_object_set_new(obj, cs->entries[i].key,
			                    json_deep_copy(cs->entries[i].value));
	} else {
		for (const char *const *p = names; *p; p++)
			if ((e = find(cs, *p)) != NULL)
				json_object_set_new(obj, *p, json_deep_copy(e->value));
	}
	pthread_mutex_unlock(&cs->lock);
	return obj;
}

static unsigned long changes_now(struct conf_store *cs)
{
	unsigned long c;

	pthread_mutex_lock(&cs->lock);
	c = cs->changes;
	pthread_mutex_unlock(&cs->lock);
	return c;
}

/* The counter is read before render() takes its snapshot, so a change made meanwhile moves
 * it past the stored mark and the next call renders again. */
char *conf_render_cached(const lmca_agent *agent, char *(*render)(const lmca_agent *))
{
	struct conf_store *cs = agent->conf;
	unsigned long now;
	char *text;

	pthread_mutex_lock(&cs->render_lock);
	now = changes_now(cs);
	if (cs->rendered == NULL || cs->rendered_at != now) {
		free(cs->rendered);
		cs->rendered = render(agent);
		cs->rendered_at = now;
	}
	text = xstrdup(cs->rendered);
	pthread_mutex_unlock(&cs->render_lock);
	return text;
}

char *lmca_conf_dump_json(const lmca_agent *agent)
{
	json_t *obj = conf_snapshot(agent, NULL);
	char *text = json_dumps_shortest(obj, JSON_COMPACT);

	json_decref(obj);
	return text;
}

struct conf_key_info conf_key_lookup(const lmca_agent *agent, const char *key)
{
	struct conf_store *cs = agent->conf;
	struct conf_key_info info = { false, LMCA_CONF_STRING, false };
	struct conf_entry *e;

	pthread_mutex_lock(&cs->lock);
	e = find(cs, key);
	if (e != NULL && e->registered) {
		info.known = true;
		info.type = e->type;
		info.env_one_item = e->env_one_item;
	}
	pthread_mutex_unlock(&cs->lock);
	return info;
}

char **conf_registered_keys(const lmca_agent *agent)
{
	struct conf_store *cs = agent->conf;
	char **keys;
	size_t k = 0;

	pthread_mutex_lock(&cs->lock);
	keys = xcalloc(cs->n + 1, sizeof *keys);
	for (size_t i = 0; i < cs->n; i++)
		if (cs->entries[i].registered)
			keys[k++] = xstrdup(cs->entries[i].key);
	pthread_mutex_unlock(&cs->lock);
	return keys;
}

/* Stores the value of a key nobody registered, read-only, with its guessed type. */
static void store_unknown(struct conf_store *cs, const char *key, json_t *value)
{
	struct conf_entry *e;

	pthread_mutex_lock(&cs->lock);
	e = find(cs, key);
	if (e == NULL)
		e = add_entry(cs, key);
	json_decref(entry_put(cs, e, json_incref(value)));
	e->type = json_is_boolean(value) ? LMCA_CONF_BOOL
	          : json_is_integer(value) ? LMCA_CONF_INT
	          : json_is_real(value)    ? LMCA_CONF_FLOAT
	          : json_is_array(value)   ? LMCA_CONF_LIST
	          : json_is_object(value)  ? LMCA_CONF_MAP
	                                   : LMCA_CONF_STRING;
	pthread_mutex_unlock(&cs->lock);
}

int conf_apply_staged(lmca_agent *agent, struct conf_staged *st, size_t n, char **cause)
{
	struct conf_store *cs = agent->conf;
	char *why = NULL;

	pthread_mutex_lock(&cs->change_lock);
	for (size_t i = 0; i < n; i++) {
		if (!st[i].known) {
			store_unknown(cs, st[i].key, st[i].value);
			continue;
		}
		if (store_and_notify(agent, st[i].key, json_incref(st[i].value), &why) < 0) {
			if (cause)
				*cause = xasprintf("%s (from %s)", why, st[i].origin);
			free(why);
			pthread_mutex_unlock(&cs->change_lock);
			return -1;
		}
	}
	pthread_mutex_unlock(&cs->change_lock);
	return 0;
}

void conf_staged_free(struct conf_staged *st, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(st[i].key);
		free(st[i].origin);
		json_decref(st[i].value);
	}
	free(st);
}

/* docs/protocol.md section 2, with LMCache's defaults except the loopback host. None is mutable
 * at run time: they decide where the server listens and which plugins run. */
static const struct {
	const char *key;
	lmca_conf_type type;
	const char *dflt;
	bool env_one_item;
} protocol_keys[] = {
	{ "internal_api_server_enabled", LMCA_CONF_BOOL, "false", false },
	{ "internal_api_server_host", LMCA_CONF_STRING, "\"127.0.0.1\"", false },
	{ "internal_api_server_port_start", LMCA_CONF_INT, "6999", false },
	{ "internal_api_server_include_index_list", LMCA_CONF_LIST, "null", false },
	{ "internal_api_server_socket_path_prefix", LMCA_CONF_STRING, "null", false },
	{ "runtime_plugin_locations", LMCA_CONF_LIST, "null", true },
	{ "extra_config", LMCA_CONF_MAP, "null", false },
	{ "run_script_api_enabled", LMCA_CONF_BOOL, "false", false },
	{ "lmcache_instance_id", LMCA_CONF_STRING, "\"lmcache_default_instance\"", false },
	/* Ours (lmcache-security(7)): tokens and TLS of the internal API server. */
	{ "internal_api_server_token_file", LMCA_CONF_STRING, "null", false },
	{ "internal_api_server_insecure", LMCA_CONF_BOOL, "false", false },
	{ "internal_api_server_tls_cert", LMCA_CONF_STRING, "null", false },
	{ "internal_api_server_tls_key", LMCA_CONF_STRING, "null", false },
	{ "internal_api_server_tls_client_ca", LMCA_CONF_STRING, "null", false },
	/* Ours (lmcagent(3)): the server's threads, header and body timeouts. */
	{ "internal_api_server_threads", LMCA_CONF_INT, "4", false },
	{ "internal_api_server_header_timeout", LMCA_CONF_INT, "10", false },
	{ "internal_api_server_body_timeout", LMCA_CONF_INT, "30", false },
};

void conf_register_protocol_keys(lmca_agent *agent)
{
	struct conf_entry *e;

	for (size_t i = 0; i < sizeof protocol_keys / sizeof protocol_keys[0]; i++) {
		lmca_conf_register(agent, protocol_keys[i].key, protocol_keys[i].type,
		                   protocol_keys[i].dflt, false, NULL);
		pthread_mutex_lock(&agent->conf->lock);
		e = find(agent->conf, protocol_keys[i].key);
		e->env_one_item = protocol_keys[i].env_one_item;
		pthread_mutex_unlock(&agent->conf->lock);
	}
}
