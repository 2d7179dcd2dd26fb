/* Forwarding: ANY /proxy2/{node}/{path} (by name; a proxy's name reaches that frontend, so
 * /proxy2/<proxy>/proxy2/<leaf>/... is LMCache's two-hop form, served directly when the
 * leaf is one this frontend reaches itself) and ANY /proxy/{host}/{port_or_socket}/{path}
 * (by address; registered nodes only, sockets too). */
#include "config.h"
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "forward.h"
#include "xalloc.h"

/* Frontends forwarding to each other (two hops, a central frontend listed in the registry
 * it reads) could send a request round in a circle; every hop adds one to this header and a
 * request that has made too many hops is refused. */
#define HOPS_HEADER "X-LMCache-Frontend-Hops"
#define MAX_HOPS 8

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *name,
				  const char *value)
{
	struct curl_slist **list = cls;
	char *line;

	(void)kind;
	if (path_request_header_dropped(name) || strcasecmp(name, HOPS_HEADER) == 0)
		return MHD_YES;
	line = xasprintf("%s: %s", name, value ? value : "");
	*list = curl_slist_append(*list, line);
	free(line);
	return MHD_YES;
}

static int hops(struct MHD_Connection *conn)
{
	const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, HOPS_HEADER);
	int n = v ? atoi(v) : 0;

	return n > 0 ? n : 0;
}

/* The client's end-to-end headers; curl sets Host and Content-Length itself. */
static struct curl_slist *request_headers(struct MHD_Connection *conn)
{
	struct curl_slist *list = NULL;
	char line[64];

	MHD_get_connection_values(conn, MHD_HEADER_KIND, add_header, &list);
	snprintf(line, sizeof(line), HOPS_HEADER ": %d", hops(conn) + 1);
	list = curl_slist_append(list, line);
	return curl_slist_append(list, "Expect:"); /* no 100-continue round trip */
}

/* "/proxy2/<name>" with name percent-encoded where needed. */
static char *via_prefix(const char *name)
{
	static const char hexd[] = "0123456789ABCDEF";
	char *out = xmalloc(8 + 3 * strlen(name) + 1), *o = out;

	o = stpcpy(o, "/proxy2/");
	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("-._~:@", *s)) {
			*o++ = (char)*s;
		} else {
			*o++ = '%';
			*o++ = hexd[*s >> 4];
			*o++ = hexd[*s & 15];
		}
	}
	*o = '\0';
	return out;
}

static void relay(struct request *rq, struct reply *rp, const char *host, const char *port,
		  const char *prefix, const char *rest)
{
	const char *query;
	size_t plen = path_length(rest, &query);
	char *path = xstrndup(rest, plen);
	struct fwd_request f = { rq->method, host, port, prefix, path, query, rq->body,
				 rq->body_len, request_headers(rq->conn),
				 rq->fe->opt->proxy_timeout_ms };
	struct fwd_response r;

	if (hops(rq->conn) >= MAX_HOPS) {
		reply_detail(rp, 508, "Loop detected: more than %d frontend hops", MAX_HOPS);
		curl_slist_free_all(f.headers);
		free(path);
		return;
	}
	forward(&f, &r);
	rp->status = (unsigned int)r.status;
	rp->content_type = r.content_type ? r.content_type : xstrdup("text/plain");
	rp->body = r.body;
	rp->headers = r.headers;
	free(r.error);
	curl_slist_free_all(f.headers);
	free(path);
}

/* /proxy2/<name>/proxy2/<leaf>/... where <leaf> is a leaf of proxy <name> that this frontend
 * reaches itself: its target, and *rest the path after the leaf. */
static bool two_hop_direct(const struct fe_model *m, const char *name, struct srv_match *pm,
			   struct fe_target *t)
{
	char *leaf;
	bool found;

	if (!srv_path_match("/proxy2/{}/**", 0, pm->rest, false, pm))
		return false;
	if ((leaf = srv_decode(pm->cap[0].p, pm->cap[0].len)) == NULL)
		return false;
	found = model_resolve_direct(m, name, leaf, t);
	free(leaf);
	return found;
}

void ep_proxy2(struct request *rq, struct reply *rp)
{
	char *name = rq_capture(rq, rp, 0), *host = NULL, *port = NULL, *prefix = NULL;
	struct srv_match pm = { .rest = rq->m.rest };
	const char *rest = rq->m.rest;
	struct fe_target t;
	bool found;

	if (name == NULL)
		return;
	pthread_rwlock_rdlock(&rq->fe->lock);
	if (two_hop_direct(&rq->fe->model, name, &pm, &t)) {
		found = true;
		rest = pm.rest;
	} else {
		found = model_resolve(&rq->fe->model, name, &t);
	}
	if (found) {
		host = xstrdup(t.host);
		port = xstrdup(t.port);
		prefix = t.via ? via_prefix(t.via) : NULL;
	}
	pthread_rwlock_unlock(&rq->fe->lock);
	if (found)
		relay(rq, rp, host, port, prefix, rest);
	else
		reply_detail(rp, 404, "Node with name '%s' not found", name);
	free(name);
	free(host);
	free(port);
	free(prefix);
}

void ep_proxy(struct request *rq, struct reply *rp)
{
	char *host = rq_capture(rq, rp, 0), *port = host ? rq_capture(rq, rp, 1) : NULL;
	bool allowed;

	if (port != NULL) {
		pthread_rwlock_rdlock(&rq->fe->lock);
		allowed = model_registered(&rq->fe->model, host, port);
		pthread_rwlock_unlock(&rq->fe->lock);
		if (allowed)
			relay(rq, rp, host, port, NULL, rq->m.rest);
		else
			reply_detail(rp, 403, "Target %s:%s is not a registered node", host, port);
	}
	free(host);
	free(port);
}
