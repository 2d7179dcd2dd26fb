/* What endpoints use to read a request and fill a response (lmca_request_*, respond_*):
 * below the route table, which runs the endpoints. */
#include "config.h"
#include "server.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <microhttpd.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* ---- request accessors ---- */

const char *lmca_request_method(const lmca_request *req) { return req->method; }

const char *lmca_request_path(const lmca_request *req) { return req->path; }

const char *lmca_request_arg(const lmca_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *lmca_request_header(const lmca_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *lmca_request_body(const lmca_request *req, size_t *len)
{
	if (len)
		*len = req->body_len;
	return req->body;
}

char **request_list_arg(const lmca_request *req, const char *name)
{
	const char *v = lmca_request_arg(req, name);

	if (v == NULL || *v == '\0')
		return NULL;
	return str_split(v, ',', NULL);
}

json_t *ep_parse_json(const char *text, size_t len, char **cause)
{
	json_error_t err;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY, &err);

	if (v == NULL && cause)
		*cause = xasprintf("line %d, column %d: %s", err.line, err.column, err.text);
	return v;
}

/* ---- responses ---- */

void response_clear(lmca_response *res)
{
	free(res->content_type);
	free(res->body);
	*res = (lmca_response){ 0 };
}

void respond_owned(lmca_response *res, int status, const char *content_type, char *text)
{
	response_clear(res);
	res->status = status;
	res->content_type = content_type ? xstrdup(content_type) : NULL;
	res->body = text;
	res->len = strlen(text);
}

void lmca_respond(lmca_response *res, int status, const char *content_type, const char *body,
                  size_t len)
{
	char *copy = xmalloc(len + 1);

	if (len)
		memcpy(copy, body, len);
	copy[len] = '\0';
	respond_owned(res, status, content_type, copy);
	res->len = len; /* the body may hold NUL bytes */
}

void respond_text(lmca_response *res, int status, const char *text)
{
	respond_owned(res, status, NULL, xstrdup(text));
}

void respond_json(lmca_response *res, int status, const char *content_type, const json_t *v,
                  int indent)
{
	size_t flags = JSON_ENCODE_ANY | (indent > 0 ? JSON_INDENT(indent) : JSON_COMPACT);
	char *text = json_dumps_shortest(v, flags);

	respond_owned(res, status, content_type ? content_type : "application/json",
	              text ? text : xstrdup("null"));
}

void lmca_respond_error(lmca_response *res, int status, const char *error, const char *message)
{
	json_t *o = json_pack("{s:s, s:s}", "error", error ? error : "",
	                      "message", message ? message : "");

	respond_json(res, status, "application/json", o, 0);
	json_decref(o);
}

/* ---- answering later ---- */

void response_to_reply(lmca_response *res, struct srv_reply *out)
{
	srv_reply_take(out, (unsigned int)res->status, res->content_type, res->body, res->len);
	res->body = NULL;
	response_clear(res);
}

struct later_run {
	lmca_agent *agent;
	later_work work;
	void *job;
	struct srv_later *later;
};

static void *later_main(void *arg)
{
	struct later_run *r = arg;
	lmca_response res = { 0 };
	struct srv_reply out = { 0 };

	pthread_setname_np(pthread_self(), "lmca-later");
	r->work(r->agent, r->job, &res);
	response_to_reply(&res, &out);
	srv_later_finish(r->later, &out);
	free(r);
	return NULL;
}

/* The thread inherits the server thread's signal mask: it runs none of the host's handlers. */
void respond_later(lmca_agent *agent, const lmca_request *req, later_work work, void *job)
{
	struct later_run *r = xmalloc(sizeof *r);
	pthread_attr_t attr;
	pthread_t t;

	*r = (struct later_run){ agent, work, job, srv_later(req->sr) };
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, later_main, r) != 0)
		later_main(r); /* no thread to be had: the work runs here, as it used to */
	pthread_attr_destroy(&attr);
}
