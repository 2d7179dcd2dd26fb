/* The frontend's side of the server core (srv.h): its request and reply, the adapter that
 * runs an endpoint, and the server's settings.
 *
 * libmicrohttpd in thread-per-connection mode. A forwarded request blocks its thread on
 * libcurl until the node answers or the proxy timeout expires; with a thread per client
 * connection, a slow or hung node holds only the connections waiting for it, while every
 * other client keeps its own thread. Keep-alive clients (dashboards, lmcctl, wrk) keep their
 * thread across requests, so no thread is created per request. --max-connections bounds the
 * threads. Serving from an epoll pool instead needs forwarding that does not block a
 * server thread: MHD_suspend_connection on the request, the transfer on one curl multi
 * loop (src/common/http-multi.c), MHD_resume_connection with the answer. The raw URI
 * keeps percent-encoded segments (socket paths of /proxy) and the query as sent. */
#include "config.h"
#include "server.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon-log.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

void reply_json(struct reply *rp, unsigned int status, json_t *doc)
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

void reply_detail(struct reply *rp, unsigned int status, const char *fmt, ...)
{
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		abort();
	reply_json(rp, status, json_pack("{s:s}", "detail", msg));
	free(msg);
}

void reply_success(struct reply *rp, const char *msg)
{
	reply_json(rp, 200, json_pack("{s:s, s:s}", "status", "success", "message", msg));
}

char *rq_capture(struct request *rq, struct reply *rp, size_t i)
{
	char *s = srv_decode(rq->m.cap[i].p, rq->m.cap[i].len);

	if (s == NULL)
		reply_detail(rp, 400, "Malformed percent-encoding in the path");
	return s;
}

json_t *rq_json(struct request *rq, struct reply *rp)
{
	char *why = NULL;
	json_t *doc = json_parse_text(rq->body ? rq->body : "", rq->body_len, &why);

	if (doc == NULL) {
		reply_json(rp, 400, json_pack("{s:s, s:s}", "detail", "Invalid JSON body",
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

void server_call(struct srv_request *sr, struct srv_reply *out)
{
	const struct endpoint *ep = sr->route->data;
	struct request rq = { .conn = sr->conn, .method = sr->method, .uri = sr->uri,
			      .m = sr->m, .body = sr->body, .body_len = sr->body_len,
			      .fe = sr->ctx, .caller = &sr->caller };
	struct reply rp = { 200, NULL, BUF_INIT, NULL };
	size_t len;

	ep->fn(&rq, &rp);
	len = rp.body.len;
	srv_reply_take(out, rp.status, rp.content_type ? rp.content_type : "text/plain",
		       len ? buf_steal(&rp.body) : NULL, len);
	move_headers(out, rp.headers);
	free(rp.content_type);
	buf_free(&rp.body);
	curl_slist_free_all(rp.headers);
}

static void on_reply(void *ctx, const char *method, const char *uri, unsigned int status)
{
	struct frontend *fe = ctx;

	atomic_fetch_add(&fe->requests, 1);
	log_debug("%s %s -> %u", method, uri, status);
}

struct srv *server_start(struct frontend *fe, int listen_fd, char **cause)
{
	struct srv_config cfg;

	srv_config_init(&cfg, listen_fd, fe);
	cfg.threads = 0; /* a thread per connection: forwarding blocks (see above) */
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
	return srv_start(&cfg, srv_table_of(routes, nroutes, false), cause);
}
