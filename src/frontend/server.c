/* libmicrohttpd in thread-per-connection mode. A forwarded request blocks its thread on
 * libcurl until the node answers or the proxy timeout expires; with a thread per client
 * connection, a slow or hung node holds only the connections waiting for it, while every
 * other client keeps its own thread. Keep-alive clients (dashboards, lmcctl, wrk) keep their
 * thread across requests, so no thread is created per request. --max-connections bounds the
 * threads. The raw URI comes from the URI log callback, so percent-encoded segments (socket
 * paths of /proxy) and the query reach the node exactly as sent. */
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

/* Per request, created by the URI log callback before the first access call. */
struct conn_state {
	char *uri;
	struct buf body;
	bool started;
	bool too_big;
};

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
	char *s = path_decode(rq->m.cap[i].p, rq->m.cap[i].len);

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

static bool method_ok(const struct route *r, const char *method)
{
	return r->method == NULL || strcmp(r->method, method) == 0 ||
	       (strcmp(r->method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

static void dispatch(struct request *rq, struct reply *rp)
{
	for (size_t i = 0; i < nroutes; i++) {
		if (!path_match(routes[i].pattern, rq->uri, &rq->m))
			continue;
		if (method_ok(&routes[i], rq->method)) {
			routes[i].handler(rq, rp);
			return;
		}
		str_list_add(rp->allow, sizeof(rp->allow), routes[i].method);
	}
	if (rp->allow[0])
		reply_detail(rp, 405, "Method Not Allowed");
	else
		reply_detail(rp, 404, "Not Found");
}

static void add_headers(struct MHD_Response *resp, const struct curl_slist *h)
{
	for (; h != NULL; h = h->next) {
		const char *colon = strchr(h->data, ':');
		char *name;

		if (colon == NULL)
			continue;
		name = xstrndup(h->data, (size_t)(colon - h->data));
		MHD_add_response_header(resp, name, colon + 1 + strspn(colon + 1, " \t"));
		free(name);
	}
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct reply *rp)
{
	size_t len = rp->body.len;
	struct MHD_Response *resp = MHD_create_response_from_buffer(
		len, len ? buf_steal(&rp->body) : NULL, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result rc;

	add_headers(resp, rp->headers);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				rp->content_type ? rp->content_type : "text/plain");
	if (rp->status == 405)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, rp->allow);
	rc = MHD_queue_response(conn, rp->status, resp);
	MHD_destroy_response(resp);
	return rc;
}

static void reply_clear(struct reply *rp)
{
	free(rp->content_type);
	buf_free(&rp->body);
	curl_slist_free_all(rp->headers);
}

static enum MHD_Result respond(struct frontend *fe, struct MHD_Connection *conn,
			       const char *method, struct conn_state *s)
{
	struct request rq = { .conn = conn, .method = method, .uri = s->uri,
			      .body = s->body.data, .body_len = s->body.len, .fe = fe };
	struct reply rp = { 200, NULL, BUF_INIT, NULL, "" };
	enum MHD_Result rc;

	atomic_fetch_add(&fe->requests, 1);
	if (s->too_big)
		reply_detail(&rp, 413, "Request body larger than %zu bytes", fe->opt->max_body);
	else
		dispatch(&rq, &rp);
	log_debug("%s %s -> %u", method, s->uri, rp.status);
	rc = send_reply(conn, &rp);
	reply_clear(&rp);
	return rc;
}

/* libmicrohttpd calls this once for the headers, once per body chunk, once at the end. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **state)
{
	struct frontend *fe = cls;
	struct conn_state *s = *state;

	(void)url;
	(void)version;
	if (!s->started) {
		s->started = true;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		if (s->body.len + *upload_size > fe->opt->max_body)
			s->too_big = true; /* the rest is read and dropped, then 413 */
		else
			buf_append(&s->body, upload, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	return respond(fe, conn, method, s);
}

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct conn_state *s = xcalloc(1, sizeof(*s));

	(void)cls;
	(void)conn;
	s->uri = xstrdup(uri);
	return s;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **state,
			 enum MHD_RequestTerminationCode toe)
{
	struct conn_state *s = *state;

	(void)cls;
	(void)conn;
	(void)toe;
	if (s == NULL)
		return;
	free(s->uri);
	buf_free(&s->body);
	free(s);
	*state = NULL;
}

struct MHD_Daemon *server_start(struct frontend *fe, int listen_fd, char **cause)
{
	unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
			     MHD_USE_POLL | MHD_USE_ERROR_LOG;
	struct MHD_Daemon *mhd;

	mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, fe, MHD_OPTION_EXTERNAL_LOGGER, log_mhd, NULL,
		MHD_OPTION_LISTEN_SOCKET, listen_fd, MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_CONNECTION_LIMIT, fe->opt->max_connections,
		MHD_OPTION_CONNECTION_TIMEOUT, 120u, MHD_OPTION_END);
	if (mhd == NULL)
		*cause = xstrdup("cannot start the HTTP server");
	return mhd;
}
