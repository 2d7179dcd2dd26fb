/* The heartbeat into a registry (src/common/heartbeat.h) and its control endpoints:
 * GET /api/heartbeat/status, POST /api/heartbeat/start, POST /api/heartbeat/stop. */
#include "config.h"
#include "server.h"

#include <stdlib.h>

#include "daemon-log.h"
#include "heartbeat.h"

/* On the heartbeat thread: nodes_count is the number of leaves right now. */
static void refresh(json_t *other_info, char **version, void *arg)
{
	struct frontend *fe = arg;
	size_t n;

	(void)version;
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
		.https = fe->opt->sec.tls_cert != NULL,
		.refresh = refresh,
		.arg = fe,
	};

	if (heartbeat_running(fe->hb))
		heartbeat_stop(fe->hb, false);
	if (heartbeat_start(fe->hb, &cfg, cause) < 0)
		return -1;
	log_info("heartbeat to %s every %d s", url, interval > 0 ? interval : 30);
	return 0;
}

void ep_heartbeat_status(struct request *rq, struct reply *rp)
{
	reply_json(rp, 200, heartbeat_status(rq->fe->hb));
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
	char *host = net_url_host(url);
	bool ok = host == NULL || frontend_target_allowed(fe, host, "0"); /* NULL: a 400 later */

	free(host);
	return ok;
}

void ep_heartbeat_start(struct request *rq, struct reply *rp)
{
	json_t *doc = rq_json(rq, rp);
	const char *url;
	int interval, delay;
	char *why = NULL;

	if (doc == NULL)
		return;
	url = json_string_value(json_object_get(doc, "heartbeat_url"));
	interval = seconds(doc, "interval", HEARTBEAT_DEFAULT_INTERVAL);
	delay = seconds(doc, "initial_delay", 0);
	if (url == NULL || *url == '\0')
		reply_detail(rp, 400, "heartbeat_url is required");
	else if (interval <= 0 || delay < 0)
		reply_detail(rp, 400, "interval and initial_delay must be seconds (interval > 0)");
	else if (!url_allowed(rq->fe, url))
		reply_detail(rp, 403, "heartbeat_url must be http(s) to a host in this frontend's "
				      "allow list (--allow-network)");
	else if (frontend_heartbeat_start(rq->fe, url, interval, delay, &why) < 0)
		reply_detail(rp, 400, "%s", why);
	else
		reply_success(rp, "Heartbeat service started");
	free(why);
	json_decref(doc);
}

void ep_heartbeat_stop(struct request *rq, struct reply *rp)
{
	bool was = heartbeat_stop(rq->fe->hb, true) == 0;

	reply_success(rp, was ? "Heartbeat service stopped" : "Heartbeat service was not running");
}
