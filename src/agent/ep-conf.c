/* GET /conf (names=a,b) and POST /conf (a JSON object of updates, with per-key errors). */
#include "config.h"
#include "server.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdlib.h>

static void get_conf(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	char **names = request_list_arg(req, "names");
	json_t *snap = conf_snapshot(agent, (const char *const *)names);

	respond_json(res, 200, "text/plain; charset=utf-8", snap, 2);
	json_decref(snap);
	str_list_free(names);
}

static void apply_one(lmca_agent *agent, const char *key, json_t *value, json_t *updated,
                      json_t *errors)
{
	const char *reason = NULL;
	char *detail = NULL;
	lmca_logger *log = lmca_logger_get(agent, "lmcache.internal_api_server");

	if (conf_update_from_api(agent, key, value, &reason, &detail) == 0) {
		json_object_set(updated, key, value);
		lmca_log(log, LMCA_LOG_INFO, "config %s updated through the API", key);
	} else {
		json_object_set_new(errors, key, json_string(reason ? reason : "Failed"));
		if (detail)
			lmca_log(log, LMCA_LOG_WARNING, "config %s not updated: %s", key, detail);
	}
	free(detail);
}

static void post_conf(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	char *why = NULL;
	json_t *body = ep_parse_json(req->body, req->body_len, &why);
	json_t *updated, *errors, *out, *value;
	const char *key;

	if (!json_is_object(body)) {
		lmca_respond_error(res, 400, "Invalid JSON body",
		                   why ? why : "the body must be a JSON object of key: value");
		json_decref(body);
		free(why);
		return;
	}
	updated = json_object();
	errors = json_object();
	json_object_foreach(body, key, value)
		apply_one(agent, key, value, updated, errors);
	out = json_pack("{s:o, s:o}", "updated", updated, "errors", errors);
	respond_json(res, json_object_size(updated) > 0 ? 200 : 400, NULL, out, 0);
	json_decref(out);
	json_decref(body);
}

static const struct endpoint endpoints[] = {
	{ "GET", "/conf", get_conf, SRV_ROLE_VIEWER },
	{ "POST", "/conf", post_conf, SRV_ROLE_OPERATOR },
	{ 0 },
};

const struct endpoint_family ep_conf = { "conf", endpoints };
