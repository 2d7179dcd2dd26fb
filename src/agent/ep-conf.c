/* GET /conf (names=a,b) and POST /conf (a JSON object of updates, with per-key errors). */
#include "config.h"
#include "server.h"
#include "env-redact.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdlib.h>

static json_t *redacted_snapshot(const lmca_agent *agent, const char *const *names)
{
	json_t *snap = conf_snapshot(agent, names);

	redact_json(snap); /* passwords in extra_config, credentials in remote_url */
	return snap;
}

/* The whole store, as every caller sees it (redaction does not depend on the role). */
static char *render_all(const lmca_agent *agent)
{
	json_t *snap = redacted_snapshot(agent, NULL);
	char *text = json_dumps_shortest(snap, JSON_ENCODE_ANY | JSON_INDENT(2));

	json_decref(snap);
	return text ? text : xstrdup("{}");
}

/* Without names= the answer is cached until the store changes: it is what clients poll. */
static void get_conf(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	char **names = request_list_arg(req, "names");
	json_t *snap;

	if (names == NULL) {
		respond_owned(res, 200, "text/plain; charset=utf-8",
		              conf_render_cached(agent, render_all));
		return;
	}
	snap = redacted_snapshot(agent, (const char *const *)names);
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

/* LMCache's answer (docs/protocol.md 3.2): {"updated": {...}}, "errors" only when there are
 * some; 400 when there are errors and nothing was updated, so an empty object is a 200. */
static json_t *apply_all(lmca_agent *agent, json_t *body, int *status)
{
	json_t *updated = json_object(), *errors = json_object(), *out, *value;
	const char *key;

	json_object_foreach(body, key, value)
		apply_one(agent, key, value, updated, errors);
	*status = json_object_size(errors) > 0 && json_object_size(updated) == 0 ? 400 : 200;
	out = json_pack("{s:o}", "updated", updated);
	if (json_object_size(errors) > 0)
		json_object_set(out, "errors", errors);
	json_decref(errors);
	return out;
}

static void post_conf(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	char *why = NULL;
	json_t *body = ep_parse_json(req->body, req->body_len, &why), *out;
	int status;

	if (body == NULL) {
		lmca_respond_error(res, 400, "Invalid JSON body", why);
	} else if (!json_is_object(body)) {
		out = json_pack("{s:s}", "error", "Request body must be a JSON object");
		respond_json(res, 400, NULL, out, 0);
		json_decref(out);
	} else {
		out = apply_all(agent, body, &status);
		respond_json(res, status, NULL, out, 0);
		json_decref(out);
	}
	json_decref(body);
	free(why);
}

static const struct endpoint endpoints[] = {
	{ "GET", "/conf", get_conf, SRV_ROLE_VIEWER, NULL },
	{ "POST", "/conf", post_conf, SRV_ROLE_OPERATOR, NULL },
	{ 0 },
};

const struct endpoint_family ep_conf = { "conf", endpoints };
