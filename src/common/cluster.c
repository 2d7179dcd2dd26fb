/* Walking registry -> frontends -> nodes with one concurrent round of requests per level. */
#include "config.h"
#include "cluster.h"
#include "http-multi.h"
#include "jsonutil.h"
#include "nodelist.h"
#include "strutil.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 5000L

struct hop {
	char *url;  /* where the listed nodes are reached: <frontend>[/proxy2/<fe>] */
	char *name; /* the frontend as shown to the user */
};

static char *trim_slash(const char *s)
{
	size_t len = strlen(s);

	while (len > 0 && s[len - 1] == '/')
		len--;
	return xstrndup(s, len);
}

static char *path_segment(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *r = xstrdup(e ? e : s);

	curl_free(e);
	return r;
}

/* The JSON document at url, or NULL with cause. */
static json_t *fetch_json(const struct hm_res *r, char **cause)
{
	if (r->err != HM_OK) {
		*cause = xstrdup(r->error ? r->error : "request failed");
		return NULL;
	}
	if (r->status < 200 || r->status > 299) {
		*cause = xasprintf("HTTP %ld", r->status);
		return NULL;
	}
	return json_parse_text(r->body, r->len, cause);
}

/* GETs <hop url><path> of every hop at once; docs[i] NULL with errs[i] on failure. */
static void fetch_all(const struct hop *h, size_t n, const char *path, long tmo, json_t **docs,
		      char **errs)
{
	struct hm_req *reqs = xcalloc(n + 1, sizeof *reqs);
	struct hm_res *res = xcalloc(n + 1, sizeof *res);
	char **urls = xcalloc(n + 1, sizeof *urls);

	for (size_t i = 0; i < n; i++) {
		urls[i] = xasprintf("%s%s", h[i].url, path);
		reqs[i] = (struct hm_req){ .url = urls[i], .timeout_ms = tmo };
	}
	hm_run(reqs, res, n, 0);
	for (size_t i = 0; i < n; i++) {
		errs[i] = NULL;
		docs[i] = fetch_json(&res[i], &errs[i]);
		hm_res_free(&res[i]);
		free(urls[i]);
	}
	free(urls);
	free(reqs);
	free(res);
}

static void add_node(struct cl_listing *l, const struct nl_entry *e, const char *url,
		     const char *fe)
{
	struct cl_node *n;

	for (size_t i = 0; i < l->nnodes; i++)
		if (strcmp(l->nodes[i].name, e->name) == 0)
			return; /* listed twice: the first frontend reaches it */
	l->nodes = xreallocarray(l->nodes, l->nnodes + 1, sizeof *l->nodes);
	n = &l->nodes[l->nnodes++];
	*n = (struct cl_node){ .name = xstrdup(e->name), .frontend = xstrdup(fe),
			       .host = xstrdup(e->host ? e->host : ""),
			       .port = xstrdup(e->port ? e->port : ""), .url = trim_slash(url) };
	nodelist_name_role(e->name, &n->instance, &n->role);
}

static void add_frontend(struct cl_listing *l, const char *url, char *error)
{
	l->frontends = xreallocarray(l->frontends, l->nfrontends + 1, sizeof *l->frontends);
	l->frontends[l->nfrontends++] = (struct cl_frontend){ xstrdup(url), error };
}

/* The entries of one /api/nodes: nodes, and (first level only) frontends for a next hop. */
static void add_entries(struct cl_listing *l, const struct hop *h, const json_t *doc, int depth,
			struct hop **next, size_t *nnext)
{
	char *cause = NULL;
	size_t n;
	struct nl_entry *e = nodelist_parse_api_nodes(doc, &n, &cause);

	if (e == NULL) {
		l->frontends[l->nfrontends - 1].error = cause;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *seg = path_segment(e[i].name);
		char *url = xasprintf("%s/proxy2/%s", h->url, seg);

		if (e[i].is_proxy && depth == 0) {
			*next = xreallocarray(*next, *nnext + 1, sizeof **next);
			(*next)[(*nnext)++] = (struct hop){ url, xstrdup(e[i].name) };
			url = NULL;
		} else {
			add_node(l, &e[i], url, h->name);
		}
		free(url);
		free(seg);
	}
	nodelist_entries_free(e, n);
}

static void hops_free(struct hop *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].url);
		free(h[i].name);
	}
	free(h);
}

/* One level of /api/nodes over hops (freed here); depth 1 at most (two hops). */
static void list_level(struct cl_listing *l, struct hop *h, size_t n, int depth, long tmo)
{
	json_t **docs = xcalloc(n + 1, sizeof *docs);
	char **errs = xcalloc(n + 1, sizeof *errs);
	struct hop *next = NULL;
	size_t nnext = 0;

	fetch_all(h, n, "/api/nodes", tmo, docs, errs);
	for (size_t i = 0; i < n; i++) {
		add_frontend(l, h[i].url, errs[i]);
		if (docs[i] != NULL)
			add_entries(l, &h[i], docs[i], depth, &next, &nnext);
		json_decref(docs[i]);
	}
	if (nnext > 0)
		list_level(l, next, nnext, depth + 1, tmo);
	else
		free(next);
	hops_free(h, n);
	free(docs);
	free(errs);
}

/* The registry's frontends as hops; NULL (and l->error) when it cannot be read. */
static struct hop *registry_hops(const char *registry, long tmo, struct cl_listing *l,
				 size_t *n)
{
	struct hop reg = { nodelist_infos_url(registry), NULL }, *h = NULL;
	json_t *doc;
	char *err = NULL, **fe;

	*n = 0;
	fetch_all(&reg, 1, "", tmo, &doc, &err);
	if (doc != NULL && (fe = nodelist_frontends(doc, n, &err)) != NULL) {
		h = xcalloc(*n + 1, sizeof *h);
		for (size_t i = 0; i < *n; i++)
			h[i] = (struct hop){ xstrdup(fe[i]), xstrdup(fe[i]) };
		str_list_free(fe);
	}
	if (err != NULL)
		l->error = xasprintf("registry %s: %s", registry, err);
	free(err);
	json_decref(doc);
	free(reg.url);
	return h;
}

static void list_socket(struct cl_listing *l, const char *sock)
{
	struct nl_entry e = { .name = (char *)sock, .host = "localhost", .port = (char *)sock };

	add_node(l, &e, "http://localhost", "");
	l->nodes[0].socket = xstrdup(sock);
}

/* Named by its URL; an LMCache name at its end (.../proxy2/inst_worker0) gives the role. */
static void list_url(struct cl_listing *l, const char *url)
{
	char *base = trim_slash(url);
	const char *last = strrchr(base, '/');
	struct nl_entry e = { .name = base, .host = "", .port = "" };

	add_node(l, &e, base, "");
	free(l->nodes[0].role);
	free(l->nodes[0].instance);
	nodelist_name_role(last ? last + 1 : base, &l->nodes[0].instance, &l->nodes[0].role);
	free(base);
}

int cluster_list(const struct cl_source *src, struct cl_listing *out, char **cause)
{
	long tmo = src->timeout_ms > 0 ? src->timeout_ms : DEFAULT_TIMEOUT_MS;
	struct hop *h;
	size_t n = 0;

	*out = (struct cl_listing){ 0 };
	if (src->socket != NULL) {
		list_socket(out, src->socket);
		return 0;
	}
	if (src->url != NULL) {
		list_url(out, src->url);
		return 0;
	}
	if (src->frontend != NULL) {
		h = xcalloc(1, sizeof *h);
		h[0] = (struct hop){ trim_slash(src->frontend), trim_slash(src->frontend) };
		n = 1;
	} else if (src->registry != NULL) {
		if ((h = registry_hops(src->registry, tmo, out, &n)) == NULL)
			return 0;
	} else {
		*cause = xstrdup("no cluster given: use --registry URL (or LMCACHE_REGISTRY), "
				 "--frontend URL, --socket PATH or --url URL");
		return -1;
	}
	list_level(out, h, n, 0, tmo);
	return 0;
}

void cluster_node_free(struct cl_node *n)
{
	free(n->name);
	free(n->role);
	free(n->instance);
	free(n->frontend);
	free(n->host);
	free(n->port);
	free(n->url);
	free(n->socket);
}

void cluster_listing_free(struct cl_listing *l)
{
	for (size_t i = 0; i < l->nnodes; i++)
		cluster_node_free(&l->nodes[i]);
	for (size_t i = 0; i < l->nfrontends; i++) {
		free(l->frontends[i].url);
		free(l->frontends[i].error);
	}
	free(l->nodes);
	free(l->frontends);
	free(l->error);
	*l = (struct cl_listing){ 0 };
}
