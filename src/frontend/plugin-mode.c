/* Plugin mode: nodes and flags from the host's config; see plugin-mode.h. */
#include "config.h"
#include "plugin-mode.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#define DEFAULT_INSTANCE "lmcache_default_instance"
#define DEFAULT_PORT_START 6999

static const char *env_either(const char *a, const char *b)
{
	const char *v = getenv(a);

	return v != NULL && *v != '\0' ? v : getenv(b);
}

json_t *plugin_mode_config(char **cause)
{
	const char *text = env_either("LMCACHE_PLUGIN_CONFIG", "LMCACHE_RUNTIME_PLUGIN_CONFIG");
	json_t *doc;

	if (text == NULL || *text == '\0')
		return NULL;
	if ((doc = json_parse_text(text, strlen(text), cause)) == NULL)
		return NULL;
	if (!json_is_object(doc)) {
		*cause = xstrdup("LMCACHE_PLUGIN_CONFIG is not a JSON object");
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int plugin_mode_worker_count(void)
{
	const char *v = env_either("LMCACHE_PLUGIN_WORKER_COUNT",
				   "LMCACHE_RUNTIME_PLUGIN_WORKER_COUNT");
	char *end;
	long n;

	if (v == NULL || *v == '\0')
		return 1;
	n = strtol(v, &end, 10);
	return *end == '\0' && n >= 0 && n < 4096 ? (int)n : 1;
}

/* The index list (NULL: every index); -1 when it is not a list of integers. */
static int include_list(const json_t *cfg, const json_t **list, char **cause)
{
	const json_t *v = json_object_get(cfg, "internal_api_server_include_index_list"), *e;
	size_t i;

	*list = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v)) {
		*cause = xstrdup("internal_api_server_include_index_list must be a list");
		return -1;
	}
	json_array_foreach(v, i, e) {
		if (!json_is_integer(e)) {
			*cause = xstrdup("internal_api_server_include_index_list: not an integer");
			return -1;
		}
	}
	*list = json_array_size(v) > 0 ? v : NULL;
	return 0;
}

static bool index_included(const json_t *list, int index)
{
	const json_t *e;
	size_t i;

	if (list == NULL)
		return true;
	json_array_foreach(list, i, e)
		if (json_integer_value(e) == index)
			return true;
	return false;
}

/* A server bound to every address is reached on loopback. */
static const char *tcp_host(const json_t *cfg)
{
	const char *h = json_str_member(cfg, "internal_api_server_host", "127.0.0.1");

	if (*h == '\0' || strcmp(h, "0.0.0.0") == 0)
		return "127.0.0.1";
	return strcmp(h, "::") == 0 ? "::1" : h;
}

static int port_start(const json_t *cfg, char **cause)
{
	const json_t *v = json_object_get(cfg, "internal_api_server_port_start");

	if (v == NULL || json_is_null(v))
		return DEFAULT_PORT_START;
	if (json_is_string(v))
		return atoi(json_string_value(v)) > 0 ? atoi(json_string_value(v)) : -1;
	if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) < 65535)
		return (int)json_integer_value(v);
	*cause = xstrdup("internal_api_server_port_start must be a port number");
	return -1;
}

static void add_node(struct fe_proxy *p, const json_t *cfg, const char *name, int port)
{
	const char *prefix = json_str_member(cfg, "internal_api_server_socket_path_prefix", NULL);
	struct fe_node n = { 0 };

	n.name = xstrdup(name);
	if (prefix != NULL && *prefix != '\0') {
		n.host = xstrdup("localhost");
		n.port = xasprintf("%s_%d", prefix, port);
	} else {
		n.host = xstrdup(tcp_host(cfg));
		n.port = xasprintf("%d", port);
	}
	n.proxy_id = xstrdup("proxy_0");
	p->nodes = xreallocarray(p->nodes, p->nnodes + 1, sizeof(*p->nodes));
	p->nodes[p->nnodes++] = n;
}

int plugin_mode_nodes(const json_t *cfg, int workers, const char *fe_host, int fe_port,
		      struct fe_model *m, char **cause)
{
	const char *inst = json_str_member(cfg, "lmcache_instance_id", DEFAULT_INSTANCE);
	struct fe_proxy p = { 0 };
	const json_t *list;
	int start = port_start(cfg, cause);
	char *name;

	if (start < 0 || include_list(cfg, &list, cause) < 0)
		return -1;
	p.name = xstrdup("local_proxy");
	p.host = xstrdup(fe_host);
	p.port = xasprintf("%d", fe_port);
	for (int index = 0; index <= workers; index++) {
		if (!index_included(list, index))
			continue;
		name = index == 0 ? xasprintf("%s_scheduler", inst)
				  : xasprintf("%s_worker%d", inst, index - 1);
		add_node(&p, cfg, name, start + index);
		free(name);
	}
	model_clear(m);
	m->proxies = xmalloc(sizeof(*m->proxies));
	m->proxies[0] = p;
	m->nproxies = 1;
	model_index(m);
	return 0;
}

/* extra_config as an object (LMCache's env form is a JSON text). */
static json_t *extra_config(const json_t *cfg, char **cause)
{
	json_t *v = json_object_get(cfg, "extra_config");

	if (v == NULL || json_is_null(v))
		return json_object();
	if (json_is_string(v))
		v = json_parse_text(json_string_value(v), json_string_length(v), cause);
	else
		json_incref(v);
	if (v != NULL && !json_is_object(v)) {
		*cause = xstrdup("extra_config is not an object");
		json_decref(v);
		return NULL;
	}
	return v;
}

static void push(char ***v, size_t *n, char *s)
{
	*v = xreallocarray(*v, *n + 2, sizeof(**v));
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
}

static char *value_text(const json_t *v)
{
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	return json_to_text(v);
}

char **plugin_mode_args(const json_t *cfg, size_t *n, char **cause)
{
	json_t *extra = extra_config(cfg, cause), *v;
	char **out = xcalloc(1, sizeof(*out));
	const char *key;

	*n = 0;
	if (extra == NULL) {
		free(out);
		return NULL;
	}
	json_object_foreach(extra, key, v) {
		if (!str_starts_with(key, PLUGIN_FLAG_PREFIX) || json_is_false(v) ||
		    json_is_null(v) || key[strlen(PLUGIN_FLAG_PREFIX)] == '\0')
			continue;
		push(&out, n, xasprintf("--%s", key + strlen(PLUGIN_FLAG_PREFIX)));
		if (!json_is_true(v))
			push(&out, n, value_text(v));
	}
	json_decref(extra);
	return out;
}
