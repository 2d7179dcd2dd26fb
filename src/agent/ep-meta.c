/* GET /meta (names=a,b), /inference_info and /inference_version, from the host's
 * providers. */
#include "config.h"
#include "server.h"
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
	names = request_list_arg(req, "names");
	out = names ? pick(meta, names) : json_incref(meta);
	respond_json(res, 200, "text/plain; charset=utf-8", out, 2);
	json_decref(out);
	json_decref(meta);
	str_list_free(names);
}

static void get_inference_info(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	char *why = NULL;
	json_t *info = provide(agent, false, &why);

	(void)req;
	if (info == NULL)
		lmca_respond_error(res, 500, "Failed to get inference info", why);
	else
		respond_json(res, 200, NULL, info, 2);
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
	{ "GET", "/meta", get_meta, SRV_ROLE_VIEWER },
	{ "GET", "/inference_info", get_inference_info, SRV_ROLE_VIEWER },
	{ "GET", "/inference_version", get_inference_version, SRV_ROLE_VIEWER },
	{ 0 },
};

const struct endpoint_family ep_meta = { "meta", endpoints };
