/* What the demo registers with its agent, as an LMCache engine would: LMCache's config
 * keys, engine metadata, inference info, the /cache/clear route and the script runner. */
#include "config.h"
#include "demo.h"
#include "xalloc.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

struct conf_key {
	const char *key;
	lmca_conf_type type;
	const char *dflt;
	bool mutable_at_runtime;
};

/* A representative subset of LMCache's engine config (lmcache/v1/config.py). */
static const struct conf_key conf_keys[] = {
	{ "chunk_size", LMCA_CONF_INT, "256", false },
	{ "local_cpu", LMCA_CONF_BOOL, "true", false },
	{ "max_local_cpu_size", LMCA_CONF_FLOAT, "5.0", true },
	{ "local_disk", LMCA_CONF_STRING, "null", false },
	{ "max_local_disk_size", LMCA_CONF_FLOAT, "0.0", false },
	{ "remote_url", LMCA_CONF_STRING, "null", false },
	{ "remote_serde", LMCA_CONF_STRING, "\"naive\"", false },
	{ "save_decode_cache", LMCA_CONF_BOOL, "false", true },
	{ "save_unfull_chunk", LMCA_CONF_BOOL, "true", true },
	{ "use_layerwise", LMCA_CONF_BOOL, "false", false },
	{ "enable_blending", LMCA_CONF_BOOL, "false", false },
	{ "enable_p2p", LMCA_CONF_BOOL, "false", false },
	{ "cache_policy", LMCA_CONF_STRING, "\"LRU\"", true },
	{ "min_retrieve_tokens", LMCA_CONF_INT, "0", true },
};

int demo_register_config(lmca_agent *agent, char **cause)
{
	for (size_t i = 0; i < sizeof conf_keys / sizeof conf_keys[0]; i++) {
		const struct conf_key *k = &conf_keys[i];

		if (lmca_conf_register(agent, k->key, k->type, k->dflt, k->mutable_at_runtime,
		                       cause) < 0)
			return -1;
	}
	return 0;
}

/* Shaped as LMCache's LMCacheMetadata (docs/protocol.md 3.2). */
static char *meta_json(void *arg)
{
	struct demo_engine *e = arg;
	lmca_agent *a = e->agent;
	long long chunk = lmca_conf_get_int(a, "chunk_size", 256);
	json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:s, s:[i,i,I,i,i], s:b, s:i, s:I}",
		"model_name", e->opts->model, "served_model_name", e->opts->model,
		"world_size", lmca_agent_worker_count(a), "worker_id", e->worker_id,
		"kv_dtype", "torch.bfloat16", "kv_shape", 32, 2, (json_int_t)chunk, 8, 128,
		"use_mla", 0, "first_rank", 0, "chunk_size", (json_int_t)chunk);
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	return text;
}

/* vllm_config is text, as vLLM prints its config. */
static char *inference_json(void *arg)
{
	struct demo_engine *e = arg;
	int tp = lmca_agent_worker_count(e->agent) > 0 ? lmca_agent_worker_count(e->agent) : 1;
	char *vc = xasprintf("model='%s', dtype=torch.bfloat16, max_seq_len=131072, "
	                     "tensor_parallel_size=%d, pipeline_parallel_size=1, "
	                     "kv_transfer_config=LMCacheConnectorV1", e->opts->model, tp);
	json_t *o = json_pack(
		"{s:s, s:s, s:s, s:{s:s, s:s, s:i}, s:{s:i, s:f, s:s}}",
		"vllm_version", "0.10.1.1", "lmcache_version", PACKAGE_VERSION, "vllm_config", vc,
		"model_config", "model", e->opts->model, "dtype", "bfloat16", "max_model_len", 131072,
		"cache_config", "block_size", 16, "gpu_memory_utilization", 0.9,
		"cache_dtype", "auto");
	char *text = json_dumps(o, JSON_COMPACT);

	json_decref(o);
	free(vc);
	return text;
}

/* DELETE /cache/clear: LMCache's example of a host route. */
static void clear_cache(lmca_agent *agent, const lmca_request *req, lmca_response *res,
                        void *arg)
{
	double freed;
	json_t *o;
	char *text;

	(void)agent, (void)req;
	demo_engine_clear_cache(arg, &freed);
	o = json_pack("{s:s, s:I}", "status", "success", "freed_bytes", (json_int_t)freed);
	text = json_dumps(o, JSON_COMPACT);
	lmca_respond(res, 200, "application/json", text, strlen(text));
	free(text);
	json_decref(o);
}

void demo_register_host(struct demo_engine *e)
{
	lmca_agent_set_meta_provider(e->agent, meta_json, e);
	lmca_agent_set_inference_provider(e->agent, inference_json, e);
	lmca_agent_set_script_runner(e->agent, demo_run_script, e);
	lmca_agent_add_route(e->agent, "DELETE", "/cache/clear", clear_cache, e, NULL);
}
