/* The route table: built-in endpoints (one family per ep-*.c) and the host's routes, the
 * request accessors and the response setters. */
#include "config.h"
#include "server.h"
#include "buf.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

/* The built-in endpoint families. Adding one is one ep-<name>.c file defining
 * `const struct endpoint_family ep_<name>` plus one line here. */
#define ENDPOINT_FAMILIES(X) \
	X(metrics)           \
	X(threads)           \
	X(loglevel)          \
	X(conf)              \
	X(meta)              \
	X(version)           \
	X(env)               \
	X(run_script)        \
	X(health)            \
	X(plugins)           \
	X(profile)

#define DECLARE_FAMILY(name) extern const struct endpoint_family ep_##name;
ENDPOINT_FAMILIES(DECLARE_FAMILY)
#define LIST_FAMILY(name) &ep_##name,
static const struct endpoint_family *const families[] = { ENDPOINT_FAMILIES(LIST_FAMILY) };

struct host_route {
	lmca_handler fn;
	void *arg;
};

struct route_table {
	pthread_mutex_t lock; /* routes only grow; dispatch copies the match under the lock */
	struct route *routes;
	size_t n;
};

static void table_append(struct route_table *rt, struct route r)
{
	rt->routes = xreallocarray(rt->routes, rt->n + 1, sizeof *rt->routes);
	rt->routes[rt->n++] = r;
}

struct route_table *route_table_new(void)
{
	struct route_table *rt = xcalloc(1, sizeof *rt);

	pthread_mutex_init(&rt->lock, NULL);
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
		for (const struct endpoint *ep = families[f]->endpoints; ep->path; ep++)
			table_append(rt, (struct route){ ep->method, ep->path, true, (void *)ep });
	return rt;
}

void route_table_free(struct route_table *rt)
{
	if (rt == NULL)
		return;
	for (size_t i = 0; i < rt->n; i++) {
		if (rt->routes[i].builtin)
			continue;
		free((char *)rt->routes[i].method);
		free((char *)rt->routes[i].path);
		free(rt->routes[i].data);
	}
	free(rt->routes);
	pthread_mutex_destroy(&rt->lock);
	free(rt);
}

int lmca_agent_add_route(lmca_agent *agent, const char *method, const char *path,
                         lmca_handler fn, void *arg, char **cause)
{
	struct route_table *rt = route_table_of(agent);
	struct host_route *h;
	char *why = NULL;

	pthread_mutex_lock(&rt->lock);
	if (fn == NULL || route_check_new(rt->routes, rt->n, method, path, &why) < 0) {
		pthread_mutex_unlock(&rt->lock);
		if (why == NULL)
			why = xstrdup("route handler is NULL");
		if (cause)
			*cause = why;
		else
			free(why);
		return -1;
	}
	h = xmalloc(sizeof *h);
	h->fn = fn;
	h->arg = arg;
	table_append(rt, (struct route){ xstrdup(method), xstrdup(path), false, h });
	pthread_mutex_unlock(&rt->lock);
	return 0;
}

static void respond_no_route(struct route_table *rt, const lmca_request *req,
                             lmca_response *res, int status)
{
	char *msg, *allow;

	if (status == 405) {
		pthread_mutex_lock(&rt->lock);
		allow = route_allowed(rt->routes, rt->n, req->path);
		pthread_mutex_unlock(&rt->lock);
		msg = xasprintf("%s is not allowed on %s (allowed: %s)", req->method, req->path,
		                allow);
		lmca_respond_error(res, 405, "Method Not Allowed", msg);
		res->allow = allow;
	} else {
		msg = xasprintf("no endpoint %s", req->path);
		lmca_respond_error(res, 404, "Not Found", msg);
	}
	free(msg);
}

void route_dispatch(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	struct route_table *rt = route_table_of(agent);
	struct route match;
	int status = 404, i;

	pthread_mutex_lock(&rt->lock);
	i = route_find(rt->routes, rt->n, req->method, req->path, &status);
	if (i >= 0)
		match = rt->routes[i];
	pthread_mutex_unlock(&rt->lock);
	if (i < 0) {
		respond_no_route(rt, req, res, status);
		return;
	}
	if (match.builtin) {
		((const struct endpoint *)match.data)->handle(agent, req, res);
	} else {
		struct host_route *h = match.data;

		h->fn(agent, req, res, h->arg);
	}
	if (res->status == 0)
		lmca_respond_error(res, 500, "Internal Server Error", "the handler set no response");
}

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
	free(res->allow);
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
