/* GET /metrics: every leaf's /metrics fetched at once (libcurl multi, a timeout per node)
 * and merged into one valid exposition (node label on every sample, one HELP/TYPE per
 * family, per-node up and scrape-duration gauges). The HTTP clients are pooled, so
 * successive scrapes reuse their connections to the nodes. Each body is scanned as soon as
 * it arrives, and a body that is the one the node sent last time is not scanned again
 * (prom_cache); a scrape that finds the cache busy with another merges without it rather
 * than wait. */
#include "config.h"
#include "server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "daemon-log.h"
#include "http-multi.h"
#include "metrics-filter.h"
#include "paths.h"
#include "prom.h"
#include "strutil.h"
#include "xalloc.h"

struct scrape {
	char *name;
	char *url;
	char *socket; /* NULL: TCP */
	struct curl_slist *pin; /* the addresses checked (frontend_target_allowed) */
};

/* Idle clients kept for the next scrape (each holds a connection per node); more
 * concurrent scrapes make clients of their own, freed when the pool is full. */
#define POOL_MAX 2

static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct hm_client *pool[POOL_MAX];
static size_t pool_n;

static struct hm_client *client_take(void)
{
	struct hm_client *c = NULL;

	pthread_mutex_lock(&pool_lock);
	if (pool_n > 0)
		c = pool[--pool_n];
	pthread_mutex_unlock(&pool_lock);
	return c ? c : hm_client_new();
}

static void client_give(struct hm_client *c)
{
	pthread_mutex_lock(&pool_lock);
	if (pool_n < POOL_MAX) {
		pool[pool_n++] = c;
		c = NULL;
	}
	pthread_mutex_unlock(&pool_lock);
	hm_client_free(c);
}

/* The cache of the nodes' last bodies and their scans. A scrape that finds it busy with
 * another scrape merges without it rather than wait. */
static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct prom_cache *cache;

/* One scrape's nodes; each body is scanned as soon as it arrives (on_done), while slower
 * nodes are still answering, so only the merge itself waits for the last one. */
struct scrape_run {
	struct prom_node *pn;
	char **why;
	struct prom_cache *cache; /* NULL: merged without the cache */
};

/* Copies every leaf's address, so the scrape runs without the lock. */
static struct scrape *snapshot(struct frontend *fe, size_t *n)
{
	struct scrape *v;
	struct fe_target t;

	pthread_rwlock_rdlock(&fe->lock);
	v = xcalloc(model_count_leaves(&fe->model) + 1, sizeof(*v));
	*n = 0;
	for (size_t i = 0; i < fe->model.nproxies; i++)
		for (size_t j = 0; j < fe->model.proxies[i].nnodes; j++) {
			struct scrape *s;

			t = model_leaf_target(&fe->model.proxies[i], j);
			if (!frontend_target_allowed(fe, t.host, t.port, &v[*n].pin))
				continue; /* not scraped: outside the allow list */
			s = &v[(*n)++];
			s->name = xstrdup(fe->model.proxies[i].nodes[j].name);
			s->url = model_target_url(&t, "/metrics");
			s->socket = model_port_is_socket(t.port) ? xstrdup(t.port) : NULL;
		}
	pthread_rwlock_unlock(&fe->lock);
	return v;
}

static void describe(const struct hm_res *r, struct prom_node *pn, char **why)
{
	if (r->err == HM_OK && r->status == 200) {
		pn->text = r->body;
		pn->len = r->len;
		return;
	}
	if (r->err == HM_OK)
		*why = xasprintf("HTTP %ld", r->status);
	else if (r->err == HM_ERR_TIMEOUT)
		*why = xasprintf("timeout: %s", r->error ? r->error : "no answer");
	else
		*why = xasprintf("unreachable: %s", r->error ? r->error : "error");
	pn->error = *why;
}

static void on_done(size_t i, const struct hm_res *r, void *arg)
{
	struct scrape_run *sr = arg;

	sr->pn[i].scrape_seconds = (double)r->took_ms / 1000.0;
	describe(r, &sr->pn[i], &sr->why[i]);
	if (sr->cache)
		prom_cache_node(sr->cache, i, &sr->pn[i]);
}

static void run_begin(struct scrape_run *sr, const struct scrape *v, size_t n)
{
	sr->pn = xcalloc(n + 1, sizeof(*sr->pn));
	sr->why = xcalloc(n + 1, sizeof(*sr->why));
	for (size_t i = 0; i < n; i++)
		sr->pn[i].name = v[i].name;
	sr->cache = NULL;
	if (pthread_mutex_trylock(&cache_lock) != 0)
		return;
	if (!cache)
		cache = prom_cache_new();
	sr->cache = cache;
	prom_cache_begin(cache, sr->pn, n);
}

static char *run_merge(struct scrape_run *sr, const struct hm_res *res, size_t n, size_t *len)
{
	struct prom_problems probs = { NULL, 0 };
	char *out;

	for (size_t i = 0; i < n; i++)
		if (!sr->pn[i].text && !sr->pn[i].error)
			on_done(i, &res[i], sr); /* a request the client could not even start */
	if (sr->cache) {
		out = prom_cache_end(sr->cache, sr->pn, n, len, &probs);
		pthread_mutex_unlock(&cache_lock);
	} else {
		out = prom_merge(sr->pn, n, len, &probs);
	}
	for (size_t i = 0; i < probs.count; i++)
		log_debug("metrics: node %s%s%s: %s", probs.items[i].node,
			  probs.items[i].family ? " family " : "",
			  probs.items[i].family ? probs.items[i].family : "",
			  probs.items[i].message);
	prom_problems_free(&probs);
	for (size_t i = 0; i < n; i++)
		free(sr->why[i]);
	free(sr->why);
	free(sr->pn);
	return out;
}

/* The names of ?name=N&name=M (our filter, metrics-filter.h) into *names (NULL: no filter);
 * false after a 400 for an empty or malformed one, or too many. */
static bool filter_names(struct fe_request *rq, struct fe_reply *rp, char ***names, size_t *n)
{
	const char *query;
	char **parts;
	bool ok = true;

	path_length(rq->uri, &query);
	parts = str_split(query, '&', NULL);
	*names = xcalloc(METRICS_FILTER_MAX + 1, sizeof **names);
	*n = 0;
	for (char **p = parts; *p != NULL && ok; p++) {
		char *v;

		if (strncmp(*p, "name=", 5) != 0)
			continue; /* other arguments are ignored, as LMCache's frontend does */
		v = srv_decode(*p + 5, strlen(*p + 5));
		ok = v != NULL && *v != '\0' && *n < METRICS_FILTER_MAX;
		if (ok)
			(*names)[(*n)++] = v;
		else
			free(v);
	}
	str_list_free(parts);
	if (!ok)
		fe_reply_detail(rp, 400, "name= takes a metric name, at most %d of them",
				METRICS_FILTER_MAX);
	if (!ok || *n == 0) {
		str_list_free(*names);
		*names = NULL;
	}
	return ok;
}

/* Keeps only the series asked for (names NULL: all; freed here). */
static void filter_body(struct fe_reply *rp, char **names, size_t n)
{
	struct buf out = BUF_INIT;

	if (names == NULL)
		return;
	buf_append(&out, "", 0);
	metrics_filter(rp->body.data, rp->body.len, names, n, &out);
	prom_text_free(rp->body.data);
	rp->body = out;
	rp->body_free = NULL;
	str_list_free(names);
}

/* The merged text as the body, as it is (at 1,024 nodes a copy is 8 MB), with the
 * frontend's own counters after it; freed with prom_text_free once sent, so that the next
 * merge writes into the same memory (prom-out.c). */
static void merged_body(struct fe_request *rq, struct fe_reply *rp, char *text, size_t len)
{
	struct buf audit = BUF_INIT;

	frontend_audit_metrics(rq->fe, &audit);
	text = prom_text_append(text, &len, audit.data, audit.len);
	buf_free(&audit);
	buf_free(&rp->body);
	rp->body = (struct buf){ text, len, len + 1 };
	rp->body_free = prom_text_free;
}

void fe_ep_metrics(struct fe_request *rq, struct fe_reply *rp)
{
	size_t n, len, nnames;
	char **names;

	if (!filter_names(rq, rp, &names, &nnames))
		return;
	struct scrape *v = snapshot(rq->fe, &n);
	struct hm_req *reqs = xcalloc(n + 1, sizeof(*reqs));
	struct hm_res *res = xcalloc(n + 1, sizeof(*res));
	struct hm_client *client = client_take();
	struct scrape_run sr;
	char *text;

	for (size_t i = 0; i < n; i++)
		reqs[i] = (struct hm_req){ .url = v[i].url, .unix_socket = v[i].socket,
					   .timeout_ms = rq->fe->opt->metrics_timeout_ms,
					   .resolve = v[i].pin };
	run_begin(&sr, v, n);
	hm_client_run(client, reqs, res, n, 0, on_done, &sr);
	client_give(client);
	text = run_merge(&sr, res, n, &len);
	rp->status = 200;
	rp->content_type = xstrdup("text/plain; version=0.0.4; charset=utf-8");
	merged_body(rq, rp, text, len);
	filter_body(rp, names, nnames);
	for (size_t i = 0; i < n; i++) {
		hm_res_free(&res[i]);
		free(v[i].name);
		free(v[i].url);
		free(v[i].socket);
		curl_slist_free_all(v[i].pin);
	}
	free(res);
	free(reqs);
	free(v);
}
