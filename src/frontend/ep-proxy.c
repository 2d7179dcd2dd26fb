/* Forwarding: ANY /proxy2/{node}/{path} (by name; a proxy's name reaches that frontend, so
 * /proxy2/<proxy>/proxy2/<leaf>/... is LMCache's two-hop form, served directly when the
 * leaf is one this frontend reaches itself) and ANY /proxy/{host}/{port_or_socket}/{path}
 * (by address; registered nodes only, sockets too). */
#include "config.h"
#include "server.h"
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "daemon-log.h"
#include "forward.h"
#include "strutil.h"
#include "xalloc.h"

/* Frontends forwarding to each other (two hops, a central frontend listed in the registry
 * it reads) could send a request round in a circle; every hop adds one to this header and a
 * request that has made too many hops is refused. */
#define HOPS_HEADER "X-LMCache-Frontend-Hops"
#define MAX_HOPS 8

struct header_copy {
	struct curl_slist *list;
	bool own_token; /* the frontend sends its own: the caller's is not passed on */
};

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *name,
				  const char *value)
{
	struct header_copy *hc = cls;
	struct curl_slist **list = &hc->list;
	char *line;

	(void)kind;
	if (path_request_header_dropped(name) || strcasecmp(name, HOPS_HEADER) == 0 ||
	    (hc->own_token && strcasecmp(name, "Authorization") == 0))
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

/* The client's end-to-end headers; curl sets Host and Content-Length itself. With a node
 * token (--node-token-file) the frontend speaks for itself: the caller's Authorization
 * stays here and the frontend's own goes on, the caller's role checked already. */
static struct curl_slist *request_headers(struct fe_request *rq)
{
	struct header_copy hc = { NULL, rq->fe->node_token != NULL };
	char line[64];

	MHD_get_connection_values(rq->conn, MHD_HEADER_KIND, add_header, &hc);
	snprintf(line, sizeof(line), HOPS_HEADER ": %d", hops(rq->conn) + 1);
	hc.list = curl_slist_append(hc.list, line);
	if (rq->fe->node_token != NULL) {
		char *auth = xasprintf("Authorization: Bearer %s", rq->fe->node_token);

		hc.list = curl_slist_append(hc.list, auth);
		free(auth);
	}
	return curl_slist_append(hc.list, "Expect:"); /* no 100-continue round trip */
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);

	return n >= k && strcmp(s + n - k, tail) == 0;
}

/* Whether query has name=<something>. */
static bool query_sets(const char *query, const char *name)
{
	size_t k = strlen(name);

	for (const char *p = query; p && *p; p = strchr(p, '&') ? strchr(p, '&') + 1 : NULL)
		if (strncmp(p, name, k) == 0 && p[k] == '=' && p[k + 1] != '\0' && p[k + 1] != '&')
			return true;
	return false;
}

/* The frontend's uid and token reach what its caller may not: what a request needs on a
 * node beyond the route's method rule (a node's run_script, its /loglevel?level=) is
 * needed here too. */
static enum srv_role node_role(const char *raw_path, const char *raw_query)
{
	char *path = srv_decode(raw_path, strlen(raw_path));
	char *query = srv_decode(raw_query, strlen(raw_query));
	enum srv_role need = SRV_ROLE_VIEWER;
	size_t n;

	if (path == NULL || query == NULL) { /* the node would refuse it: ask the most */
		need = SRV_ROLE_ADMIN;
	} else {
		for (n = strlen(path); n > 1 && path[n - 1] == '/'; n--) /* nodes ignore a '/' */
			path[n - 1] = '\0';
		if (ends_with(path, "/run_script"))
			need = SRV_ROLE_ADMIN;
		else if (ends_with(path, "/loglevel") && query_sets(query, "level"))
			need = SRV_ROLE_OPERATOR;
	}
	free(path);
	free(query);
	return need;
}

/* A node's unix socket serves its user only; without a token the frontend must not carry
 * another local user's change there under its own uid (a GET is every viewer's). */
static bool uid_may(struct fe_request *rq, struct fe_reply *rp, const char *port, enum srv_role need)
{
	long uid;

	if (rq->caller->by_token || !model_port_is_socket(port) ||
	    (need == SRV_ROLE_VIEWER && (strcmp(rq->method, "GET") == 0 ||
					 strcmp(rq->method, "HEAD") == 0)))
		return true;
	uid = srv_peer_uid(rq->conn);
	if (uid == (long)geteuid() || uid == 0)
		return true;
	fe_reply_detail(rp, 403, "uid %ld may not change a node on this host's unix socket through "
			      "the frontend (it serves uid %ld): send a token", uid, (long)geteuid());
	return false;
}

static bool caller_may(struct fe_request *rq, struct fe_reply *rp, const char *port, const char *path,
		       const char *query)
{
	enum srv_role need = node_role(path, query ? query : "");

	if (!uid_may(rq, rp, port, need))
		return false;
	if (srv_role_allows(rq->caller->role, need))
		return true;
	fe_reply_detail(rp, 403, "%s (role %s) may not %s %s on a node: it needs role %s",
		     rq->caller->name, srv_role_name(rq->caller->role), rq->method, path,
		     srv_role_name(need));
	return false;
}

/* "/proxy2/<name>" with name percent-encoded as a path segment (':' and '@' may stay). */
static char *via_prefix(const char *name)
{
	char *seg = str_percent_encode(name, ":@"), *out = xasprintf("/proxy2/%s", seg);

	free(seg);
	return out;
}

/* The checks before forwarding f: the allow list (pinning what was checked into
 * f->resolve), the caller's role, the hop count. false when rp holds the refusal. */
static bool may_forward(struct fe_request *rq, struct fe_reply *rp, struct fwd_request *f)
{
	if (!frontend_target_allowed(rq->fe, f->host, f->port, &f->resolve)) {
		fe_reply_detail(rp, 403, "%s is outside this frontend's allow list (--allow-network)",
				f->host);
		log_warn("refused to forward to %s:%s: outside the allow list", f->host, f->port);
		return false;
	}
	if (!caller_may(rq, rp, f->port, f->path, f->query))
		return false;
	if (hops(rq->conn) >= MAX_HOPS) {
		fe_reply_detail(rp, 508, "Loop detected: more than %d frontend hops", MAX_HOPS);
		return false;
	}
	return true;
}

static void relay(struct fe_request *rq, struct fe_reply *rp, const char *host, const char *port,
		  bool https, const char *prefix, const char *rest)
{
	const char *query;
	size_t plen = path_length(rest, &query);
	char *path = xstrndup(rest, plen);
	struct fwd_request f = { rq->method, host, port, prefix, path, query, rq->body,
				 rq->body_len, request_headers(rq),
				 rq->fe->opt->proxy_timeout_ms, NULL, https };
	struct fwd_response r;

	if (may_forward(rq, rp, &f)) {
		forward(&f, &r);
		rp->status = (unsigned int)r.status;
		rp->content_type = r.content_type ? r.content_type : xstrdup("text/plain");
		rp->body = r.body;
		rp->headers = r.headers;
		free(r.error);
	}
	curl_slist_free_all(f.headers);
	curl_slist_free_all(f.resolve);
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

void fe_ep_proxy2(struct fe_request *rq, struct fe_reply *rp)
{
	char *name = fe_rq_capture(rq, rp, 0), *host = NULL, *port = NULL, *prefix = NULL;
	struct srv_match pm = { .rest = rq->m.rest };
	const char *rest = rq->m.rest;
	struct fe_target t;
	bool found, https = false;

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
		https = t.https;
	}
	pthread_rwlock_unlock(&rq->fe->lock);
	if (found)
		relay(rq, rp, host, port, https, prefix, rest);
	else
		fe_reply_detail(rp, 404, "Node with name '%s' not found", name);
	free(name);
	free(host);
	free(port);
	free(prefix);
}

void fe_ep_proxy(struct fe_request *rq, struct fe_reply *rp)
{
	char *host = fe_rq_capture(rq, rp, 0), *port = host ? fe_rq_capture(rq, rp, 1) : NULL;
	bool allowed, https = false;

	if (port != NULL) {
		pthread_rwlock_rdlock(&rq->fe->lock);
		allowed = model_registered(&rq->fe->model, host, port, &https);
		pthread_rwlock_unlock(&rq->fe->lock);
		if (allowed)
			relay(rq, rp, host, port, https, NULL, rq->m.rest);
		else
			fe_reply_detail(rp, 403, "Target %s:%s is not a registered node", host, port);
	}
	free(host);
	free(port);
}
