/* Finding the nodes: one node (--socket, --url), one frontend's /api/nodes (--frontend), or
 * the registry's frontends and each one's /api/nodes (--registry). Nodes behind a frontend
 * are reached through its /proxy2/<name>; a frontend listed as a node adds a second hop. */
#include "config.h"
#include "cli.h"
#include "http-multi.h"
#include "jsonutil.h"
#include "nodelist.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct source {
	char *url;    /* where to reach the listed nodes: <frontend>[/proxy2/<fe>] */
	char *listed; /* what to name in messages */
};

static char *trim_slash(const char *s)
{
	size_t len = strlen(s);

	while (len > 0 && s[len - 1] == '/')
		len--;
	return xstrndup(s, len);
}

static void add_node(struct ctx *c, const char *name, const char *url, const char *sock)
{
	struct node *n;

	for (size_t i = 0; i < c->nnodes; i++)
		if (strcmp(c->nodes[i].name, name) == 0)
			return; /* listed by two frontends: the first one reaches it */
	c->nodes = xreallocarray(c->nodes, c->nnodes + 1, sizeof *c->nodes);
	n = &c->nodes[c->nnodes++];
	*n = (struct node){ .name = xstrdup(name), .url = trim_slash(url),
			    .socket = sock ? xstrdup(sock) : NULL };
	nodelist_name_role(name, &n->instance, &n->role);
}

/* The failure class of a listing request, 0 when it answered 2xx. */
static int fetch_class(const struct hm_res *r)
{
	if (r->err == HM_ERR_CONNECT)
		return LMC_EXIT_UNREACHABLE;
	if (r->err == HM_ERR_TIMEOUT)
		return LMC_EXIT_TIMEOUT;
	if (r->err == HM_ERR_DENIED)
		return LMC_EXIT_DENIED;
	if (r->err != HM_OK)
		return LMC_EXIT_OTHER;
	if (r->status == 502 || r->status == 503)
		return LMC_EXIT_UNREACHABLE;
	return status_code_class(r->status);
}

static char *fetch_error(const struct hm_res *r)
{
	if (r->error != NULL)
		return xstrdup(r->error);
	return xasprintf("HTTP %ld", r->status);
}

/* GETs url of every source at once; doc[i] is the parsed JSON or NULL (reported). */
static void fetch_all(struct ctx *c, struct source *src, size_t n, const char *path,
		      json_t **doc, int *codes)
{
	struct hm_req *reqs = xcalloc(n ? n : 1, sizeof *reqs);
	struct hm_res *res = xcalloc(n ? n : 1, sizeof *res);
	char **urls = xcalloc(n ? n : 1, sizeof *urls);

	for (size_t i = 0; i < n; i++) {
		urls[i] = xasprintf("%s%s", src[i].url, path);
		reqs[i] = (struct hm_req){ .url = urls[i], .timeout_ms = c->o.timeout_ms };
	}
	hm_run(reqs, res, n, 0);
	for (size_t i = 0; i < n; i++) {
		char *cause = NULL;

		codes[i] = fetch_class(&res[i]);
		doc[i] = NULL;
		if (codes[i] == 0 && (doc[i] = json_parse_text(res[i].body, res[i].len, &cause)) == NULL)
			codes[i] = LMC_EXIT_OTHER;
		if (codes[i] != 0) {
			char *why = cause ? cause : fetch_error(&res[i]);

			fprintf(stderr, "lmcctl: cannot list nodes of %s: %s\n", src[i].listed, why);
			if (why != cause)
				free(why);
		}
		free(cause);
		hm_res_free(&res[i]);
		free(urls[i]);
	}
	free(urls);
	free(reqs);
	free(res);
}

struct round {
	struct source *next;
	size_t nnext;
	int codes[64];
	size_t ncodes;
};

static void note_failure(struct round *r, int code)
{
	if (r->ncodes < sizeof r->codes / sizeof r->codes[0])
		r->codes[r->ncodes++] = code;
}

static void add_entries(struct ctx *c, const struct source *s, const json_t *doc,
			struct round *r, int depth)
{
	char *cause = NULL;
	size_t n;
	struct nl_entry *e = nodelist_parse_api_nodes(doc, &n, &cause);

	if (e == NULL) {
		fprintf(stderr, "lmcctl: %s: %s\n", s->listed, cause);
		free(cause);
		note_failure(r, LMC_EXIT_OTHER);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		char *seg = url_encode(e[i].name);
		char *url = xasprintf("%s/proxy2/%s", s->url, seg);

		if (e[i].is_proxy && depth == 0) {
			r->next = xreallocarray(r->next, r->nnext + 1, sizeof *r->next);
			r->next[r->nnext++] = (struct source){ url, xstrdup(e[i].name) };
		} else {
			add_node(c, e[i].name, url, NULL);
			free(url);
		}
		free(seg);
	}
	nodelist_entries_free(e, n);
}

static void sources_free(struct source *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(s[i].url);
		free(s[i].listed);
	}
	free(s);
}

/* One round of /api/nodes over src (which it frees); frontends found as nodes make the
 * next round (depth 1: two hops at most). */
static void list_round(struct ctx *c, struct source *src, size_t n, int depth, struct round *r)
{
	json_t **doc = xcalloc(n ? n : 1, sizeof *doc);
	int *codes = xcalloc(n ? n : 1, sizeof *codes);
	struct round next = { 0 };

	fetch_all(c, src, n, "/api/nodes", doc, codes);
	for (size_t i = 0; i < n; i++) {
		if (codes[i] != 0)
			note_failure(r, codes[i]);
		else
			add_entries(c, &src[i], doc[i], &next, depth);
		json_decref(doc[i]);
	}
	for (size_t i = 0; i < next.ncodes; i++)
		note_failure(r, next.codes[i]);
	if (next.nnext > 0)
		list_round(c, next.next, next.nnext, depth + 1, r);
	else
		free(next.next);
	sources_free(src, n);
	free(doc);
	free(codes);
}

/* The frontends a registry lists, as sources; NULL with *code when it cannot be read. */
static struct source *registry_sources(struct ctx *c, size_t *n, int *code)
{
	struct source reg = { nodelist_infos_url(c->o.registry), xstrdup("registry") };
	struct source *src = NULL;
	json_t *doc;
	char *cause = NULL, **fe;

	free(reg.listed);
	reg.listed = xasprintf("registry %s", c->o.registry);
	fetch_all(c, &reg, 1, "", &doc, code);
	*n = 0;
	if (*code == 0 && (fe = nodelist_frontends(doc, n, &cause)) == NULL) {
		fprintf(stderr, "lmcctl: %s: %s\n", reg.listed, cause);
		*code = LMC_EXIT_OTHER;
		free(cause);
	} else if (*code == 0) {
		src = xcalloc(*n ? *n : 1, sizeof *src);
		for (size_t i = 0; i < *n; i++)
			src[i] = (struct source){ xstrdup(fe[i]), xasprintf("frontend %s", fe[i]) };
		str_list_free(fe);
	}
	json_decref(doc);
	free(reg.url);
	free(reg.listed);
	return src;
}

static int load_direct(struct ctx *c)
{
	if (c->o.socket != NULL && c->o.url != NULL) {
		fprintf(stderr, "lmcctl: --socket and --url name one node each: give one\n");
		return LMC_EXIT_USAGE;
	}
	if (c->o.socket != NULL)
		add_node(c, c->o.socket, "http://localhost", c->o.socket);
	else
		add_node(c, c->o.url, c->o.url, NULL);
	return 0;
}

/* Names in natural order (inst2_worker2 before inst2_worker10), so tables are stable
 * whatever order the registry and frontends list in. */
int node_name_cmp(const char *a, const char *b)
{
	while (*a && *b) {
		if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
			const char *ea = a + strspn(a, "0123456789"), *eb = b + strspn(b, "0123456789");
			size_t la, lb;

			while (*a == '0' && a + 1 < ea)
				a++;
			while (*b == '0' && b + 1 < eb)
				b++;
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
	return node_name_cmp(((const struct node *)x)->name, ((const struct node *)y)->name);
}

int cluster_load(struct ctx *c)
{
	struct round r = { 0 };
	struct source *src;
	size_t n = 0;
	int code = 0;

	if (c->o.socket != NULL || c->o.url != NULL)
		return load_direct(c);
	if (c->o.frontend != NULL) {
		src = xmalloc(sizeof *src);
		src[0] = (struct source){ trim_slash(c->o.frontend),
					  xasprintf("frontend %s", c->o.frontend) };
		n = 1;
	} else if (c->o.registry != NULL) {
		if ((src = registry_sources(c, &n, &code)) == NULL)
			return code;
		if (n == 0)
			fprintf(stderr, "lmcctl: registry %s lists no frontend\n", c->o.registry);
	} else {
		fprintf(stderr, "lmcctl: no cluster given: use --registry URL (or LMCACHE_REGISTRY),"
				" --frontend URL, --socket PATH or --url URL\n");
		return LMC_EXIT_USAGE;
	}
	list_round(c, src, n, 0, &r);
	if (c->nnodes > 1)
		qsort(c->nodes, c->nnodes, sizeof *c->nodes, by_name);
	if (r.ncodes > 0 && c->nnodes == 0)
		return combine_codes(r.codes, r.ncodes);
	if (r.ncodes > 0)
		c->listing_code = combine_codes(r.codes, r.ncodes);
	return 0;
}

void node_free(struct node *n)
{
	free(n->name);
	free(n->role);
	free(n->instance);
	free(n->url);
	free(n->socket);
}
