/* What endpoints use to read a request and fill a response (lmca_request_*, respond_*):
 * below the route table, which runs the endpoints. */
#include "config.h"
#include "server.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <microhttpd.h>
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

struct later_job {
	lmca_agent *agent;
	later_work work;
	void *job;
};

static void later_main(void *arg, struct srv_reply *out)
{
	struct later_job *r = arg;
	lmca_response res = { 0 };

	r->work(r->agent, r->job, &res);
	response_to_reply(&res, out);
	free(r);
}

void respond_later(lmca_agent *agent, const lmca_request *req, lmca_response *res,
                   later_work work, void *job)
{
	struct later_job *r = xmalloc(sizeof *r);
	struct srv_reply refused = { 0 };

	*r = (struct later_job){ agent, work, job };
	if (srv_later_run(req->sr, &refused, later_main, r))
		return;
	/* Too many threads at once (never with the endpoints' own bounds: two scripts, one
	 * profile): the work runs here, as it used to. */
	srv_reply_clear(&refused);
	free(r);
	work(agent, job, res);
}
