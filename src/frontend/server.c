/* The frontend's side of the server core (srv.h): its request and reply, the adapter that
 * runs an endpoint, and the server's settings.
 *
 * libmicrohttpd with a small epoll thread pool: an idle or slow client connection costs
 * no thread. No handler blocks a pool thread: a forwarded request waits for its node
 * suspended, the transfer on the forwarder's curl multi (forward.c); an endpoint that waits
 * for several nodes or frontends (/metrics, refresh, heartbeat start/stop) runs on a
 * thread of its own (SLOW_ROUTE, srv_later_run). The raw URI keeps percent-encoded
 * segments (socket paths of /proxy) and the query as sent. */
#include "config.h"
#include "server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon-log.h"
#include "forward.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

void fe_reply_json(struct fe_reply *rp, unsigned int status, json_t *doc)
{
	char *text = json_to_text(doc);

	rp->status = status;
	free(rp->content_type);
	rp->content_type = xstrdup("application/json");
	buf_reset(&rp->body);
	buf_puts(&rp->body, text);
	free(text);
	json_decref(doc);
}

void fe_reply_detail(struct fe_reply *rp, unsigned int status, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	fe_reply_json(rp, status, json_pack("{s:s}", "detail", msg));
	free(msg);
}

void fe_reply_success(struct fe_reply *rp, const char *msg)
{
	fe_reply_json(rp, 200, json_pack("{s:s, s:s}", "status", "success", "message", msg));
}

char *fe_rq_capture(struct fe_request *rq, struct fe_reply *rp, size_t i)
{
	char *s = srv_decode(rq->m.cap[i].p, rq->m.cap[i].len);

	if (s == NULL)
		fe_reply_detail(rp, 400, "Malformed percent-encoding in the path");
	return s;
}

json_t *fe_rq_json(struct fe_request *rq, struct fe_reply *rp)
{
	char *why = NULL;
	json_t *doc = json_parse_text(rq->body ? rq->body : "", rq->body_len, &why);

	if (doc == NULL) {
		fe_reply_json(rp, 400, json_pack("{s:s, s:s}", "detail", "Invalid JSON body",
					      "message", why ? why : "empty body"));
		free(why);
	}
	return doc;
}

static void move_headers(struct srv_reply *out, const struct curl_slist *h)
{
	for (; h != NULL; h = h->next)
		srv_reply_header(out, h->data);
}

/* Runs ep and hands its reply to the core (nothing when it answers later). */
static void run_call(const struct fe_endpoint *ep, struct fe_request *rq, struct srv_reply *out)
{
	struct fe_reply rp = { 200, NULL, BUF_INIT, NULL, NULL, false };
	size_t len;

	ep->fn(rq, &rp);
	len = rp.body.len;
	if (!rp.later) {
		srv_reply_take(out, rp.status, rp.content_type ? rp.content_type : "text/plain",
			       len ? buf_steal(&rp.body) : NULL, len);
		if (len)
			out->body_free = rp.body_free;
		move_headers(out, rp.headers);
	}
	free(rp.content_type);
	if (rp.body_free && rp.body.data)
		rp.body_free(buf_steal(&rp.body));
	buf_free(&rp.body);
	curl_slist_free_all(rp.headers);
}

/* A slow endpoint's call on its own thread, with copies of what lives on the server's. */
struct slow_call {
	const struct fe_endpoint *ep;
	struct fe_request rq;
	struct srv_caller caller;
};

static void slow_main(void *arg, struct srv_reply *out)
{
	struct slow_call *c = arg;

	c->rq.caller = &c->caller;
	run_call(c->ep, &c->rq, out);
	free(c);
}

void fe_server_call(struct srv_request *sr, struct srv_reply *out)
{
	const struct fe_endpoint *ep = sr->route->data;
	struct fe_request rq = { .conn = sr->conn, .method = sr->method, .uri = sr->uri,
			      .m = sr->m, .body = sr->body, .body_len = sr->body_len,
			      .fe = sr->ctx, .caller = &sr->caller, .sr = sr };
	struct slow_call *c;

	if (!ep->slow) {
		run_call(ep, &rq, out);
		return;
	}
	c = xmalloc(sizeof(*c));
	*c = (struct slow_call){ ep, rq, sr->caller };
	c->rq.sr = NULL; /* a slow endpoint does not answer later itself */
	if (!srv_later_run(sr, out, slow_main, c))
		free(c);
}

static void on_reply(void *ctx, const char *method, const char *uri, unsigned int status)
{
	struct frontend *fe = ctx;

	atomic_fetch_add(&fe->requests, 1);
	log_debug("%s %s -> %u", method, uri, status);
}

void fe_server_stop(struct srv *s)
{
	if (s == NULL)
		return;
	forward_cleanup();
	srv_stop(s);
}

/* One server loop per core (as nginx's "worker_processes auto"), at least two, so that a
 * long TLS handshake or a large merge on one leaves the others serving. */
static unsigned int loop_count(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 2 ? 2 : n > 16 ? 16 : (unsigned int)n;
}

struct srv *fe_server_start(struct frontend *fe, int listen_fd, char **cause)
{
	struct srv_config cfg;

	forward_init();
	srv_config_init(&cfg, listen_fd, fe);
	cfg.loops = loop_count();
	cfg.max_connections = fe->opt->max_connections;
	/* lmcctl and lmcache-top fan out up to 256 requests at once through one frontend. */
	cfg.max_per_ip = 256;
	cfg.timeout = 120;
	srv_config_timeouts(&cfg, &fe->opt->timeouts);
	cfg.body_limit = fe->opt->max_body;
	cfg.log = log_mhd;
	cfg.on_reply = on_reply;
	cfg.on_audit = frontend_audit;
	cfg.auth = fe->auth;
	cfg.own_routes = true;
	return srv_start(&cfg, srv_table_of(fe_routes, fe_nroutes, false), cause);
}
