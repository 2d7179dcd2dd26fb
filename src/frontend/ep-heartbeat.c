/* The heartbeat into a registry (src/common/heartbeat.h) and its control endpoints:
 * GET /api/heartbeat/status, POST /api/heartbeat/start, POST /api/heartbeat/stop. */
#include "config.h"
#include "server.h"

#include <stdlib.h>

#include "daemon-log.h"
#include "heartbeat.h"
#include "http-multi.h"
#include "strutil.h"
#include "url.h"
#include "xalloc.h"

/* Nodes asked for their version per heartbeat, and how long each may take: the heartbeat
 * must not be held up by nodes that do not answer. */
#define VERSION_TRIES 3
#define VERSION_TIMEOUT_MS 2000L

struct version_ask {
	char *url;
	char *socket;
	struct curl_slist *pin; /* the addresses checked (frontend_target_allowed) */
};

/* Up to VERSION_TRIES leaves to ask, schedulers first (LMCache's version is the scheduler's
 * as much as any worker's, and a scheduler is up whenever the instance is). */
static size_t version_asks(struct frontend *fe, struct version_ask *v)
{
	size_t n = 0;
	struct fe_target t;

	pthread_rwlock_rdlock(&fe->lock);
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < fe->model.nproxies; i++)
			for (size_t j = 0; j < fe->model.proxies[i].nnodes && n < VERSION_TRIES; j++) {
				bool sched = str_ends_with(fe->model.proxies[i].nodes[j].name,
							   "_scheduler");

				if (sched != (pass == 0))
					continue;
				t = model_leaf_target(&fe->model.proxies[i], j);
				if (!frontend_target_allowed(fe, t.host, t.port, &v[n].pin))
					continue;
				v[n].url = model_target_url(&t, "/version");
				v[n++].socket = model_port_is_socket(t.port) ? xstrdup(t.port) : NULL;
			}
	pthread_rwlock_unlock(&fe->lock);
	return n;
}

/* The LMCache version of this frontend's nodes (the first that answers /version), or NULL. */
static char *nodes_version(struct frontend *fe)
{
	struct version_ask v[VERSION_TRIES];
	size_t n = version_asks(fe, v);
	char *version = NULL;

	for (size_t i = 0; i < n; i++) {
		struct hm_req rq = { .url = v[i].url, .unix_socket = v[i].socket,
				     .timeout_ms = VERSION_TIMEOUT_MS, .resolve = v[i].pin };
		struct hm_res r = { 0 };

		if (version == NULL) {
			hm_run(&rq, &r, 1, 1);
			if (r.err == HM_OK && r.status == 200)
				version = heartbeat_version_text(r.body, r.len);
			hm_res_free(&r);
		}
		free(v[i].url);
		free(v[i].socket);
		curl_slist_free_all(v[i].pin);
	}
	return version;
}

/* On the heartbeat thread: nodes_count is the number of leaves right now, and the version
 * is the nodes' LMCache version, as LMCache's frontend reports it; ours when none answers. */
static void refresh(json_t *other_info, char **version, void *arg)
{
	struct frontend *fe = arg;
	char *nodes = nodes_version(fe);
	size_t n;

	if (nodes != NULL) {
		free(*version);
		*version = nodes;
	}
	pthread_rwlock_rdlock(&fe->lock);
	n = model_count_leaves(&fe->model);
	pthread_rwlock_unlock(&fe->lock);
	json_object_set_new(other_info, "nodes_count", json_integer((json_int_t)n));
}

int frontend_heartbeat_start(struct frontend *fe, const char *url, int interval, int delay,
			     char **cause)
{
	struct heartbeat_config cfg = {
		.url = url,
		.interval = interval,
		.initial_delay = delay,
		.api_address = fe->opt->api_address,
		.port = fe->opt->port,
		.version = PACKAGE_VERSION,
		.token = fe->heartbeat_token,
		.allow = &fe->allow,
		.https = fe->opt->sec.tls_cert != NULL,
		.refresh = refresh,
		.arg = fe,
	};

	if (heartbeat_restart(fe->hb, &cfg, cause) < 0)
		return -1;
	log_info("heartbeat to %s every %d s", url, interval > 0 ? interval : 30);
	return 0;
}

void fe_ep_heartbeat_status(struct fe_request *rq, struct fe_reply *rp)
{
	fe_reply_json(rp, 200, heartbeat_status(rq->fe->hb));
}

/* A JSON number member as whole seconds, or dflt; -1 when it is not a number >= 0. */
static int seconds(const json_t *doc, const char *key, int dflt)
{
	const json_t *v = json_object_get(doc, key);

	if (v == NULL || json_is_null(v))
		return dflt;
	if (!json_is_number(v) || json_number_value(v) < 0 || json_number_value(v) > 86400)
		return -1;
	return (int)json_number_value(v);
}

/* A heartbeat sends a request every interval: only to where the frontend may send. */
static bool url_allowed(struct frontend *fe, const char *url)
{
	char *host = url_host(url);
	/* NULL: a 400 later; the thread checks again, and pins, at every heartbeat */
	bool ok = host == NULL || frontend_target_allowed(fe, host, "0", NULL);

	free(host);
	return ok;
}

void fe_ep_heartbeat_start(struct fe_request *rq, struct fe_reply *rp)
{
	json_t *doc = fe_rq_json(rq, rp);
	const char *url;
	int interval, delay;
	char *why = NULL;

	if (doc == NULL)
		return;
	url = json_string_value(json_object_get(doc, "heartbeat_url"));
	interval = seconds(doc, "interval", HEARTBEAT_DEFAULT_INTERVAL);
	delay = seconds(doc, "initial_delay", 0);
	if (url == NULL || *url == '\0')
		fe_reply_detail(rp, 400, "heartbeat_url is required");
	else if (interval <= 0 || delay < 0)
		fe_reply_detail(rp, 400, "interval and initial_delay must be seconds (interval > 0)");
	else if (!url_allowed(rq->fe, url))
		fe_reply_detail(rp, 403, "heartbeat_url must be http(s) to a host in this frontend's "
				      "allow list (--allow-network)");
	else if (frontend_heartbeat_start(rq->fe, url, interval, delay, &why) < 0)
		fe_reply_detail(rp, 400, "%s", why);
	else
		fe_reply_success(rp, "Heartbeat service started");
	free(why);
	json_decref(doc);
}

void fe_ep_heartbeat_stop(struct fe_request *rq, struct fe_reply *rp)
{
	bool was = heartbeat_stop(rq->fe->hb, true) == 0;

	fe_reply_success(rp, was ? "Heartbeat service stopped" : "Heartbeat service was not running");
}
