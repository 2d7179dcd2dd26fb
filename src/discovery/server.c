/* The registry's side of the server core (srv.h): the route table, the adapter that runs
 * an endpoint, reply helpers and the server's settings. Bodies are not part of the
 * protocol (every argument is in the query string): one is read up to a bound, unused. */
#include "config.h"
#include "server.h"

#include <stdio.h>
#include <string.h>

#include "daemon-log.h"
#include "listing.h"
#include "strutil.h"
#include "xalloc.h"

#define BODY_MAX (64 * 1024)
/* libmicrohttpd zeroes a connection's whole pool for every request, so it is kept to what the
 * largest valid heartbeat needs: every field at its maximum, percent-encoded (about 15 KiB of
 * request line), plus headers. Bodies are copied out chunk by chunk (BODY_MAX still holds). */
#define CONN_MEMORY (32 * 1024)

static void call(struct srv_request *rq, struct srv_reply *rp);

/* Read-only endpoints answer HEAD; the GETs that change the registry (LMCache's
 * heartbeat and deregistration are GETs) do not, and are the nodes' to call. */
#define ROUTE(method, path, fn, flags, role) \
	{ method, path, call, (void *)&(const struct disc_endpoint){ fn }, flags, role, NULL }
#define NODE_ROUTE(method, path, fn) ROUTE(method, path, fn, SRV_NO_HEAD, SRV_ROLE_AGENT)
static const struct srv_route routes[] = {
	NODE_ROUTE("GET", "/lmcache_heartbeat", disc_ep_heartbeat),
	NODE_ROUTE("GET", "/heartbeat", disc_ep_heartbeat), /* LMCache's alias */
	NODE_ROUTE("DELETE", "/lmcache_heartbeat", disc_ep_deregister),
	NODE_ROUTE("DELETE", "/heartbeat", disc_ep_deregister),
	NODE_ROUTE("GET", "/lmcache_deregister", disc_ep_deregister),
	NODE_ROUTE("POST", "/lmcache_deregister", disc_ep_deregister),
	ROUTE("GET", "/lmcache_infos", disc_ep_infos, 0, 0),
	ROUTE("GET", "/health", disc_ep_health, 0, 0),
	ROUTE("GET", "/metrics", disc_ep_metrics, 0, 0),
	ROUTE("GET", "/http_sd", disc_ep_http_sd, 0, 0),
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

const char *disc_rq_arg(struct disc_request *rq, const char *name)
{
	return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

void disc_reply_text(struct disc_reply *rp, unsigned int status, const char *text)
{
	rp->status = status;
	rp->content_type = "application/json";
	buf_reset(&rp->body);
	buf_puts(&rp->body, text);
}

void disc_reply_error(struct disc_reply *rp, unsigned int status, const char *detail)
{
	rp->status = status;
	rp->content_type = "application/json";
	buf_reset(&rp->body);
	buf_puts(&rp->body, "{\"status\":\"error\",\"detail\":");
	json_quote(&rp->body, detail);
	buf_putc(&rp->body, '}');
}

static void call(struct srv_request *sr, struct srv_reply *out)
{
	const struct disc_endpoint *ep = sr->route->data;
	struct disc_request rq = { sr->conn, sr->method, sr->path, sr->ctx, &sr->caller };
	struct disc_reply rp = { 200, "application/json", BUF_INIT, NULL };
	size_t len;

	ep->fn(&rq, &rp);
	len = rp.body.len;
	srv_reply_take(out, rp.status, rp.content_type, buf_steal(&rp.body), len);
	out->body_free = rp.body_free;
}

static void on_reply(void *ctx, const char *method, const char *uri, unsigned int status)
{
	struct discovery *d = ctx;

	atomic_fetch_add(&d->stats.requests, 1);
	log_debug("%s %s -> %u", method, uri, status);
}

static void on_audit(void *ctx, const char *line, unsigned int status)
{
	struct discovery *d = ctx;

	atomic_fetch_add(&d->stats.audited, 1);
	if (status == 401 || status == 403)
		atomic_fetch_add(&d->stats.refused, 1);
	log_info("%s", line);
}

void disc_server_reload(void *arg)
{
	struct discovery *d = arg;
	char *why = NULL;

	if (srv_auth_reload(d->auth, &why) < 0)
		log_error("token file not reloaded, the old tokens stay: %s", why);
	else
		log_info("token file %s reloaded: %zu tokens", d->opt->sec.token_file,
			 srv_auth_count(d->auth));
	free(why);
}

struct srv *disc_server_start(struct discovery *d, int listen_fd, char **cause)
{
	struct srv_config cfg;

	srv_config_init(&cfg, listen_fd, d);
	cfg.threads = (unsigned int)d->opt->threads;
	cfg.max_connections = 4096;
	cfg.memory_limit = CONN_MEMORY;
	cfg.body_limit = BODY_MAX;
	srv_config_timeouts(&cfg, &d->opt->timeouts);
	cfg.log = log_mhd;
	cfg.on_reply = on_reply;
	cfg.on_audit = on_audit;
	cfg.auth = d->auth;
	cfg.own_routes = true;
	return srv_start(&cfg, srv_table_of(routes, sizeof(routes) / sizeof(routes[0]), false),
			 cause);
}
