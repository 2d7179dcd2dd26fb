/* Walking registry -> frontends -> nodes with one concurrent round of requests per level. */
#include "config.h"
#include "cluster.h"
#include "prom-map.h"
#include "http-multi.h"
#include "jsonutil.h"
#include "nodelist.h"
#include "strutil.h"
#include "url.h"
#include "xalloc.h"

#include <ctype.h>
#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_TIMEOUT_MS 5000L

struct hop {
	char *url;  /* where the listed nodes are reached: <frontend>[/proxy2/<fe>] */
	char *name; /* the frontend as shown to the user */
	char *base; /* <frontend>: the first hop's URL */
};

/* One walk: the HTTP client (the caller's, so its connections outlive the walk) and the
 * timeout of each listing request. */
struct walk {
	struct hm_client *http;
	long tmo;
};

static char *trim_slash(const char *s)
{
	size_t len = strlen(s);

	while (len > 0 && s[len - 1] == '/')
		len--;
	return xstrndup(s, len);
}

/* What one listing request brought: the document, or NULL with error and the class. */
struct got {
	json_t *doc;
	char *error;
	enum hm_err err;
	long status;
};

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
	return json_parse_lenient(r->body, r->len, cause);
}

/* GETs <hop url><path> of every hop at once into got[i]. */
static void fetch_all(const struct hop *h, size_t n, const char *path, const struct walk *w,
		      struct got *got)
{
	struct hm_req *reqs = xcalloc(n + 1, sizeof *reqs);
	struct hm_res *res = xcalloc(n + 1, sizeof *res);
	char **urls = xcalloc(n + 1, sizeof *urls);

	for (size_t i = 0; i < n; i++) {
		urls[i] = xasprintf("%s%s", h[i].url, path);
		reqs[i] = (struct hm_req){ .url = urls[i], .timeout_ms = w->tmo };
	}
	hm_client_run(w->http, reqs, res, n, 0, NULL, NULL);
	for (size_t i = 0; i < n; i++) {
		got[i] = (struct got){ .err = res[i].err, .status = res[i].status };
		got[i].doc = fetch_json(&res[i], &got[i].error);
		hm_res_free(&res[i]);
		free(urls[i]);
	}
	free(urls);
	free(reqs);
	free(res);
}

static void add_node(struct cl_listing *l, const struct nl_entry *e, const char *url,
		     const char *fe, const char *base)
{
	struct cl_node *n;

	l->nodes = xreallocarray(l->nodes, l->nnodes + 1, sizeof *l->nodes);
	n = &l->nodes[l->nnodes++];
	*n = (struct cl_node){ .name = xstrdup(e->name), .frontend = xstrdup(fe),
			       .host = xstrdup(e->host ? e->host : ""),
			       .port = xstrdup(e->port ? e->port : ""), .url = trim_slash(url),
			       .base = xstrdup(base) };
	nodelist_name_role(e->name, &n->instance, &n->role);
}

/* Records the listing of hop h (takes g->error). */
static void add_frontend(struct cl_listing *l, const struct hop *h, struct got *g)
{
	l->frontends = xreallocarray(l->frontends, l->nfrontends + 1, sizeof *l->frontends);
	l->frontends[l->nfrontends++] = (struct cl_frontend){
		.url = xstrdup(h->url), .error = g->error, .name = xstrdup(h->name),
		.err = g->err, .status = g->status };
	g->error = NULL;
}

/* Where entry e of the /api/nodes of hop h is reached. A leaf under a proxy other than the
 * frontend's own (local_proxy) lives behind that proxy, another frontend: LMCache's frontend
 * reaches it only as /proxy2/<proxy>/proxy2/<leaf> (docs/protocol.md 5), which ours accepts
 * too. Everything else is one hop, /proxy2/<name>. */
static char *entry_url(const struct hop *h, const struct nl_entry *e)
{
	char *seg = str_percent_encode(e->name, ""), *pseg, *url;

	if (e->is_proxy || e->proxy == NULL || *e->proxy == '\0' ||
	    strcmp(e->proxy, "local_proxy") == 0) {
		url = xasprintf("%s/proxy2/%s", h->url, seg);
	} else {
		pseg = str_percent_encode(e->proxy, "");
		url = xasprintf("%s/proxy2/%s/proxy2/%s", h->url, pseg, seg);
		free(pseg);
	}
	free(seg);
	return url;
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
		char *url = entry_url(h, &e[i]);

		if (e[i].is_proxy && depth == 0) {
			*next = xreallocarray(*next, *nnext + 1, sizeof **next);
			(*next)[(*nnext)++] = (struct hop){ url, xstrdup(e[i].name), xstrdup(h->base) };
			url = NULL;
		} else {
			add_node(l, &e[i], url, h->name, h->base);
		}
		free(url);
	}
	nodelist_entries_free(e, n);
}

static void hops_free(struct hop *h, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(h[i].url);
		free(h[i].name);
		free(h[i].base);
	}
	free(h);
}

/* One level of /api/nodes over hops (freed here); depth 1 at most (two hops). */
static void list_level(struct cl_listing *l, struct hop *h, size_t n, int depth,
		       const struct walk *w)
{
	struct got *got = xcalloc(n + 1, sizeof *got);
	struct hop *next = NULL;
	size_t nnext = 0;

	fetch_all(h, n, "/api/nodes", w, got);
	for (size_t i = 0; i < n; i++) {
		add_frontend(l, &h[i], &got[i]);
		if (got[i].doc != NULL)
			add_entries(l, &h[i], got[i].doc, depth, &next, &nnext);
		json_decref(got[i].doc);
	}
	if (nnext > 0)
		list_level(l, next, nnext, depth + 1, w);
	else
		free(next);
	hops_free(h, n);
	free(got);
}

/* The registry's frontends as hops; NULL (and l->error) when it cannot be read. */
static struct hop *registry_hops(const char *registry, const struct walk *w,
				 struct cl_listing *l, size_t *n)
{
	struct hop reg = { nodelist_infos_url(registry), NULL, NULL }, *h = NULL;
	struct got g;
	char **fe;

	*n = 0;
	fetch_all(&reg, 1, "", w, &g);
	l->err = g.err;
	l->status = g.status;
	if (g.doc != NULL && (fe = nodelist_frontends(g.doc, n, &g.error)) != NULL) {
		h = xcalloc(*n + 1, sizeof *h);
		for (size_t i = 0; i < *n; i++)
			h[i] = (struct hop){ xstrdup(fe[i]), xstrdup(fe[i]), xstrdup(fe[i]) };
		str_list_free(fe);
	}
	if (g.error != NULL)
		l->error = xasprintf("registry %s: %s", registry, g.error);
	free(g.error);
	json_decref(g.doc);
	free(reg.url);
	return h;
}

static void list_socket(struct cl_listing *l, const char *sock)
{
	struct nl_entry e = { .name = (char *)sock, .host = "localhost", .port = (char *)sock };

	add_node(l, &e, "http://localhost", "", "");
	l->nodes[0].socket = xstrdup(sock);
}

/* One node at a URL: named by the URL as given; host and port from it when it parses. */
static void list_url(struct cl_listing *l, const char *url)
{
	struct nl_entry e = { .name = (char *)url };
	struct url u;
	char *why = NULL;

	if (url_parse(url, &u, &why) == 0) {
		e.host = u.host;
		e.port = u.port;
	}
	add_node(l, &e, url, "", "");
	free(why);
	url_clear(&u);
}

/* A node listed twice (by two frontends): the first frontend reaches it. One pass with a
 * hash set, so a listing of many thousand nodes costs no more than reading it. */
static void drop_duplicates(struct cl_listing *l)
{
	struct prom_map seen;
	size_t kept = 0;

	prom_map_init(&seen, l->nnodes);
	for (size_t i = 0; i < l->nnodes; i++) {
		if (prom_map_get(&seen, l->nodes[i].name) != (size_t)-1) {
			cluster_node_free(&l->nodes[i]);
			continue;
		}
		l->nodes[kept] = l->nodes[i];
		prom_map_put(&seen, l->nodes[kept].name, kept);
		kept++;
	}
	l->nnodes = kept;
	prom_map_free(&seen);
}

/* The first hops of src: its one frontend, or the frontends its registry lists (NULL and
 * out->error when the registry cannot be read). */
static struct hop *first_hops(const struct cl_source *src, const struct walk *w,
			      struct cl_listing *out, size_t *n)
{
	struct hop *h;

	if (src->frontend == NULL)
		return registry_hops(src->registry, w, out, n);
	h = xcalloc(1, sizeof *h);
	h[0] = (struct hop){ trim_slash(src->frontend), trim_slash(src->frontend),
			     trim_slash(src->frontend) };
	*n = 1;
	return h;
}

int cluster_list(const struct cl_source *src, struct cl_listing *out, char **cause)
{
	struct walk w = { src->http, src->timeout_ms > 0 ? src->timeout_ms : DEFAULT_TIMEOUT_MS };
	struct hm_client *own = NULL;
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
	if (src->frontend == NULL && src->registry == NULL) {
		*cause = xstrdup("no cluster given: use --registry URL (or LMCACHE_REGISTRY), "
				 "--frontend URL or --socket PATH");
		return -1;
	}
	if (w.http == NULL)
		w.http = own = hm_client_new();
	if ((h = first_hops(src, &w, out, &n)) != NULL) {
		list_level(out, h, n, 0, &w);
		drop_duplicates(out);
	}
	hm_client_free(own);
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
	free(n->base);
}

void cluster_listing_free(struct cl_listing *l)
{
	for (size_t i = 0; i < l->nnodes; i++)
		cluster_node_free(&l->nodes[i]);
	for (size_t i = 0; i < l->nfrontends; i++) {
		free(l->frontends[i].url);
		free(l->frontends[i].error);
		free(l->frontends[i].name);
	}
	free(l->nodes);
	free(l->frontends);
	free(l->error);
	*l = (struct cl_listing){ 0 };
}

/* Skips leading zeros of the digit run [*p, end), keeping one digit. */
static void skip_zeros(const char **p, const char *end)
{
	while (**p == '0' && *p + 1 < end)
		(*p)++;
}

int cluster_name_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a + strspn(a, "0123456789"), *eb = b + strspn(b, "0123456789");
			size_t la, lb;

			skip_zeros(&a, ea);
			skip_zeros(&b, eb);
			la = (size_t)(ea - a);
			lb = (size_t)(eb - b);
			if (la != lb)
				return la < lb ? -1 : 1;
			if (strncmp(a, b, la) != 0)
				return strncmp(a, b, la);
			a = ea;
			b = eb;
		} else if (*a != *b) {
			return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
		} else {
			a++;
			b++;
		}
	}
	return *a ? 1 : *b ? -1 : 0;
}

static int by_name(const void *x, const void *y)
{
	return cluster_name_cmp(((const struct cl_node *)x)->name,
				((const struct cl_node *)y)->name);
}

void cluster_sort(struct cl_listing *l)
{
	if (l->nnodes > 1)
		qsort(l->nodes, l->nnodes, sizeof *l->nodes, by_name);
}
