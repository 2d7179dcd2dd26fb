/* GET /meta (names=a,b), /inference_info and /inference_version, from the host's
 * providers. */
#include "config.h"
#include "server.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The provider's JSON value, or NULL with *why set. */
static json_t *provide(lmca_agent *agent, bool meta, char **why)
{
	lmca_json_provider fn;
	void *arg;
	char *text;
	json_t *v;

	pthread_mutex_lock(&agent->lock);
	fn = meta ? agent->meta_fn : agent->inference_fn;
	arg = meta ? agent->meta_arg : agent->inference_arg;
	pthread_mutex_unlock(&agent->lock);
	if (fn == NULL) {
		*why = xstrdup("this node has no provider for it");
		return NULL;
	}
	if ((text = fn(arg)) == NULL) {
		*why = xstrdup("the provider returned nothing");
		return NULL;
	}
	v = ep_parse_json(text, strlen(text), why);
	free(text);
	return v;
}

/* LMCache's metadata keys (LMCacheMetadata, docs/protocol.md 3.2) that the host did not
 * give, from what the agent knows, else null: clients can rely on LMCache's shape. */
static void fill_lmcache_keys(lmca_agent *agent, json_t *meta)
{
	int wid = lmca_agent_worker_id(agent), count = lmca_agent_worker_count(agent);
	const struct {
		const char *key;
		json_t *value;
	} dflt[] = {
		{ "role", json_string(lmca_role_name(lmca_agent_role(agent))) },
		{ "worker_id", json_integer(wid) },
		{ "local_worker_id", json_integer(wid) },
		{ "world_size", json_integer(count) },
		{ "local_world_size", json_integer(count) },
		{ "first_rank", json_integer(0) },
		{ "chunk_size", json_integer(lmca_conf_get_int(agent, "chunk_size", 256)) },
		{ "use_mla", json_false() },
		{ "model_name", json_null() },
		{ "served_model_name", json_null() },
		{ "kv_dtype", json_null() },
		{ "kv_shape", json_null() },
		{ "engine_id", json_null() },
		{ "kv_connector_extra_config", json_null() },
	};

	for (size_t i = 0; i < sizeof dflt / sizeof dflt[0]; i++) {
		if (json_object_get(meta, dflt[i].key) == NULL)
			json_object_set(meta, dflt[i].key, dflt[i].value);
		json_decref(dflt[i].value);
	}
}

static json_t *pick(json_t *obj, char **names)
{
	json_t *out = json_object(), *v;

	for (char **n = names; *n; n++)
		if ((v = json_object_get(obj, *n)) != NULL)
			json_object_set(out, *n, v);
	return out;
}

static void get_meta(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	char *why = NULL, **names;
	json_t *meta = provide(agent, true, &why), *out;

	if (!json_is_object(meta)) {
		lmca_respond_error(res, 500, "Failed to get metadata", why ? why : "not an object");
		json_decref(meta);
		free(why);
		return;
	}
	fill_lmcache_keys(agent, meta);
	names = request_list_arg(req, "names");
	out = names ? pick(meta, names) : json_incref(meta);
	/* LMCache lists every attribute in name order, the asked ones in the order asked */
	respond_owned(res, 200, "text/plain; charset=utf-8",
	              json_dumps_shortest(out, JSON_INDENT(2) | (names ? 0 : JSON_SORT_KEYS)));
	json_decref(out);
	json_decref(meta);
	str_list_free(names);
}

static void get_inference_info(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	char *why = NULL;
	json_t *info = provide(agent, false, &why);

	(void)req;
	if (info == NULL) {
		lmca_respond_error(res, 500, "Failed to get inference info", why);
	} else {
		json_t *vc = json_object_get(info, "vllm_config");
		char *text;

		/* LMCache's vllm_config is vLLM's config printed as text, never an object */
		if (vc != NULL && !json_is_string(vc)) {
			text = json_dumps_shortest(vc, JSON_COMPACT | JSON_ENCODE_ANY);
			json_object_set_new(info, "vllm_config", json_string(text ? text : ""));
			free(text);
		}
		respond_json(res, 200, NULL, info, 2);
	}
	json_decref(info);
	free(why);
}

static void get_inference_version(lmca_agent *agent, const lmca_request *req,
                                  lmca_response *res)
{
	char *why = NULL;
	json_t *info = provide(agent, false, &why), *out;

	(void)req;
	if (info == NULL) {
		lmca_respond_error(res, 500, "Failed to get inference version", why);
	} else {
		json_t *v = json_object_get(info, "vllm_version");

		out = json_pack("{s:s}", "vllm_version",
		                json_is_string(v) ? json_string_value(v) : "unknown");
		respond_json(res, 200, NULL, out, 2);
		json_decref(out);
	}
	json_decref(info);
	free(why);
}

static const struct endpoint endpoints[] = {
	{ "GET", "/meta", get_meta, SRV_ROLE_VIEWER, NULL },
	{ "GET", "/inference_info", get_inference_info, SRV_ROLE_VIEWER, NULL },
	{ "GET", "/inference_version", get_inference_version, SRV_ROLE_VIEWER, NULL },
	{ 0 },
};

const struct endpoint_family ep_meta = { "meta", endpoints };
