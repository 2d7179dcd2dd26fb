/* Request dispatch. Bodies are not part of the protocol (every argument is in the query
 * string); a body is read and dropped, up to a bound. */
#include "config.h"
#include "server.h"

#include <stdio.h>
#include <string.h>

#include "daemon-log.h"
#include "listing.h"
#include "strutil.h"
#include "xalloc.h"

#define BODY_MAX (64 * 1024)

static const struct route routes[] = {
	{ "GET", "/lmcache_heartbeat", ep_heartbeat, false },
	{ "GET", "/heartbeat", ep_heartbeat, false }, /* LMCache's alias */
	{ "DELETE", "/lmcache_heartbeat", ep_deregister, false },
	{ "DELETE", "/heartbeat", ep_deregister, false },
	{ "GET", "/lmcache_deregister", ep_deregister, false },
	{ "POST", "/lmcache_deregister", ep_deregister, false },
	{ "GET", "/lmcache_infos", ep_infos, true },
	{ "GET", "/health", ep_health, true },
	{ "GET", "/metrics", ep_metrics, true },
	{ "GET", "/http_sd", ep_http_sd, true },
};

void discovery_store_state(struct discovery *d, bool ok, const char *why)
{
	bool was_down;

	if (atomic_load(&d->store_down) == !ok)
		return; /* the common case costs no write */
	was_down = atomic_exchange(&d->store_down, !ok);

	if (!ok && !was_down)
		log_warn("store %s failing: %s", d->store_desc, why ? why : "unknown error");
	else if (ok && was_down)
		log_info("store %s answers again", d->store_desc);
}

const char *rq_arg(struct request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

void reply_json(struct reply *rp, unsigned int status, const char *text)
{
	rp->status = status;
	rp->content_type = "application/json";
	buf_reset(&rp->body);
	buf_puts(&rp->body, text);
}

void reply_error(struct reply *rp, unsigned int status, const char *detail)
{
	rp->status = status;
	rp->content_type = "application/json";
	buf_reset(&rp->body);
	buf_puts(&rp->body, "{\"status\":\"error\",\"detail\":");
	json_quote(&rp->body, detail);
	buf_putc(&rp->body, '}');
}

static void dispatch(struct request *rq, struct reply *rp)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].path, rq->path) != 0)
			continue;
		if (strcmp(routes[i].method, rq->method) == 0 ||
		    (routes[i].head && strcmp(rq->method, "HEAD") == 0)) {
			routes[i].handler(rq, rp);
			return;
		}
		str_list_add(rp->allow, sizeof(rp->allow), routes[i].method);
	}
	if (rp->allow[0])
		reply_error(rp, 405, "method not allowed");
	else
		reply_error(rp, 404, "no such endpoint");
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct reply *rp)
{
	size_t len = rp->body.len;
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, buf_steal(&rp->body), MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, rp->content_type);
	if (rp->status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rp->allow);
	rc = MHD_queue_response(conn, rp->status, resp);
	MHD_destroy_response(resp);
	return rc;
}

/* libmicrohttpd calls this once for the headers, once per body chunk, once at the end. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	static int started_marker;
	struct discovery *d = cls;
	struct request rq = { conn, method, url, d };
	struct reply rp = { 200, "application/json", BUF_INIT, "" };

	if (*state == NULL) {
		*state = &started_marker;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0; /* dropped: no endpoint takes a body */
		return MHD_YES;
	}
	atomic_fetch_add(&d->stats.requests, 1);
	dispatch(&rq, &rp);
	log_debug("%s %s -> %u", method, url, rp.status);
	return send_reply(conn, &rp);
}

struct MHD_Daemon *server_start(struct discovery *d, int listen_fd, char **cause)
{
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *mhd;

	mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, d, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
		MHD_OPTION_LISTEN_SOCKET, listen_fd,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned int)d->opt->threads,
		MHD_OPTION_CONNECTION_LIMIT, 4096u, MHD_OPTION_CONNECTION_TIMEOUT, 30u,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)BODY_MAX, MHD_OPTION_END);
	if (mhd == NULL)
		*cause = xstrdup("cannot start the HTTP server");
	return mhd;
}
