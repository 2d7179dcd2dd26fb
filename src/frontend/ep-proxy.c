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
static bool uid_may(struct fe_request *rq, struct fe_reply *rp, const char *port,
		    enum srv_role need)
{
	long uid;

	if (rq->caller->by_token || !model_port_is_socket(port) || need == SRV_ROLE_VIEWER)
		return true;
	uid = srv_peer_uid(rq->conn);
	if (uid == (long)geteuid() || uid == 0)
		return true;
	fe_reply_detail(rp, 403, "uid %ld may not change a node on this host's unix socket through "
			      "the frontend (it serves uid %ld): send a token", uid, (long)geteuid());
	return false;
}

/* The role method and path need on a node: the route's rule for the method (the core's
 * for /proxy2 itself, a batch's own for its requests), and what the node's path needs. */
static enum srv_role request_role(const char *method, const char *path, const char *query)
{
	enum srv_role need = node_role(path, query ? query : "");
	bool reads = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;

	return !reads && need == SRV_ROLE_VIEWER ? SRV_ROLE_OPERATOR : need;
}

static bool caller_may(struct fe_request *rq, struct fe_reply *rp, const char *method,
		       const char *port, const char *path, const char *query)
{
	enum srv_role need = request_role(method, path, query);

	if (!uid_may(rq, rp, port, need))
		return false;
	if (srv_role_allows(rq->caller->role, need))
		return true;
	fe_reply_detail(rp, 403, "%s (role %s) may not %s %s on a node: it needs role %s",
		     rq->caller->name, srv_role_name(rq->caller->role), method, path,
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
	if (!caller_may(rq, rp, f->method, f->port, f->path, f->query))
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

	if (may_forward(rq, rp, &f)) {
		/* The answer comes later, the connection holding no server thread meanwhile;
		 * the forwarder takes f's header and resolve lists. */
		forward_start(&f, srv_later(rq->sr), rq->conn);
		rp->later = true;
	} else {
		curl_slist_free_all(f.headers);
		curl_slist_free_all(f.resolve);
	}
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

/* Where /proxy2/<name><*rest> goes, copied out of the model; *rest moves past the leaf of
 * a two-hop path this frontend serves directly. */
static bool find_target(struct frontend *fe, const char *name, const char **rest,
			struct fe_hop *h)
{
	struct srv_match pm = { .rest = *rest };
	struct fe_target t;
	bool found;

	pthread_rwlock_rdlock(&fe->lock);
	if (two_hop_direct(&fe->model, name, &pm, &t)) {
		found = true;
		*rest = pm.rest;
	} else {
		found = model_resolve(&fe->model, name, &t);
	}
	if (found)
		*h = (struct fe_hop){ .host = xstrdup(t.host), .port = xstrdup(t.port),
				      .prefix = t.via ? via_prefix(t.via) : NULL, .https = t.https };
	pthread_rwlock_unlock(&fe->lock);
	return found;
}

void fe_hop_free(struct fe_hop *h)
{
	free(h->host);
	free(h->port);
	free(h->prefix);
	free(h->path);
	free(h->query);
	curl_slist_free_all(h->resolve);
	curl_slist_free_all(h->headers);
	*h = (struct fe_hop){ 0 };
}

void fe_ep_proxy2(struct fe_request *rq, struct fe_reply *rp)
{
	char *name = fe_rq_capture(rq, rp, 0);
	const char *rest = rq->m.rest;
	struct fe_hop h = { 0 };

	if (name == NULL)
		return;
	if (find_target(rq->fe, name, &rest, &h))
		relay(rq, rp, h.host, h.port, h.https, h.prefix, rest);
	else
		fe_reply_detail(rp, 404, "Node with name '%s' not found", name);
	free(name);
	fe_hop_free(&h);
}

/* The headers of a batch's request: the hop count the next frontend reads, the body's
 * type, and the frontend's node token or else the caller's Authorization, as /proxy2
 * sends them. */
static struct curl_slist *hop_headers(struct fe_request *rq, const char *content_type)
{
	const char *auth = MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, "Authorization");
	struct curl_slist *l;
	char line[64], *h;

	snprintf(line, sizeof(line), HOPS_HEADER ": %d", hops(rq->conn) + 1);
	l = curl_slist_append(NULL, line);
	if (content_type != NULL) {
		h = xasprintf("Content-Type: %s", content_type);
		l = curl_slist_append(l, h);
		free(h);
	}
	if (rq->fe->node_token != NULL || auth != NULL) {
		h = rq->fe->node_token ? xasprintf("Authorization: Bearer %s", rq->fe->node_token)
				       : xasprintf("Authorization: %s", auth);
		l = curl_slist_append(l, h);
		free(h);
	}
	return curl_slist_append(l, "Expect:");
}

bool fe_proxy2_check(struct fe_request *rq, struct fe_reply *rp, const char *method,
		     const char *uri, const char *content_type, struct fe_hop *h)
{
	struct srv_match m;
	const char *rest, *query;
	char *name;
	bool found, ok = false;

	if (!srv_path_match("/proxy2/{}/**", 0, uri, false, &m) ||
	    (name = srv_decode(m.cap[0].p, m.cap[0].len)) == NULL) {
		fe_reply_detail(rp, 400, "Not a /proxy2/<node>/... path: %s", uri);
		return false;
	}
	rest = m.rest;
	found = find_target(rq->fe, name, &rest, h);
	h->path = xstrndup(rest, path_length(rest, &query));
	h->query = xstrdup(query);
	h->changes = request_role(method, h->path, h->query) != SRV_ROLE_VIEWER;
	if (found) {
		struct fwd_request f = { .method = method, .host = h->host, .port = h->port,
					 .path = h->path, .query = h->query };

		ok = may_forward(rq, rp, &f);
		h->resolve = f.resolve;
	} else {
		fe_reply_detail(rp, 404, "Node with name '%s' not found", name);
	}
	if (ok)
		h->headers = hop_headers(rq, content_type);
	free(name);
	return ok;
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
