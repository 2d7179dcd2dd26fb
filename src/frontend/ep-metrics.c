/* GET /metrics: every leaf's /metrics fetched at once (libcurl multi, a timeout per node)
 * and merged into one valid exposition by prom_merge (node label on every sample, one
 * HELP/TYPE per family, per-node up and scrape-duration gauges). The HTTP clients are
 * pooled, so successive scrapes reuse their connections to the nodes. A node whose body is
 * the one it sent last time is not parsed again (prom_cache); a scrape that finds the cache
 * busy with another merges without it rather than wait. */
#include "config.h"
#include "server.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "daemon-log.h"
#include "http-multi.h"
#include "prom.h"
#include "xalloc.h"

struct scrape {
	char *name;
	char *url;
	char *socket; /* NULL: TCP */
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

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct prom_cache *cache;

static char *merge_cached(const struct prom_node *pn, size_t n, size_t *len,
			  struct prom_problems *probs)
{
	char *out;

	if (pthread_mutex_trylock(&cache_lock) != 0)
		return prom_merge(pn, n, len, probs);
	if (!cache)
		cache = prom_cache_new();
	out = prom_cache_merge(cache, pn, n, len, probs);
	pthread_mutex_unlock(&cache_lock);
	return out;
}

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
			if (!frontend_target_allowed(fe, t.host, t.port))
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

static char *merge(struct scrape *v, struct hm_res *res, size_t n, size_t *len)
{
	struct prom_node *pn = xcalloc(n + 1, sizeof(*pn));
	char **why = xcalloc(n + 1, sizeof(*why)), *out;
	struct prom_problems probs = { NULL, 0 };

	for (size_t i = 0; i < n; i++) {
		pn[i].name = v[i].name;
		pn[i].scrape_seconds = (double)res[i].took_ms / 1000.0;
		describe(&res[i], &pn[i], &why[i]);
	}
	out = merge_cached(pn, n, len, &probs);
	for (size_t i = 0; i < probs.count; i++)
		log_debug("metrics: node %s%s%s: %s", probs.items[i].node,
			  probs.items[i].family ? " family " : "",
			  probs.items[i].family ? probs.items[i].family : "",
			  probs.items[i].message);
	prom_problems_free(&probs);
	for (size_t i = 0; i < n; i++)
		free(why[i]);
	free(why);
	free(pn);
	return out;
}

void fe_ep_metrics(struct fe_request *rq, struct fe_reply *rp)
{
	size_t n, len;
	struct scrape *v = snapshot(rq->fe, &n);
	struct hm_req *reqs = xcalloc(n + 1, sizeof(*reqs));
	struct hm_res *res = xcalloc(n + 1, sizeof(*res));
	struct hm_client *client = client_take();
	char *text;

	for (size_t i = 0; i < n; i++)
		reqs[i] = (struct hm_req){ .url = v[i].url, .unix_socket = v[i].socket,
					   .timeout_ms = rq->fe->opt->metrics_timeout_ms };
	hm_client_run(client, reqs, res, n, 0, NULL, NULL);
	client_give(client);
	text = merge(v, res, n, &len);
	rp->status = 200;
	rp->content_type = xstrdup("text/plain; version=0.0.4; charset=utf-8");
	buf_append(&rp->body, text, len);
	frontend_audit_metrics(rq->fe, &rp->body);
	free(text);
	for (size_t i = 0; i < n; i++) {
		hm_res_free(&res[i]);
		free(v[i].name);
		free(v[i].url);
		free(v[i].socket);
	}
	free(res);
	free(reqs);
	free(v);
}
