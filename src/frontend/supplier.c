/* The node supplier (--node-supplier-url): a registry's /lmcache_infos lists frontends;
 * each becomes a proxy named as LMCache names it, proxy_<host>_<port> with the port as a
 * string, and its /api/nodes gives the leaves (docs/protocol.md 5). Those leaves live on the
 * other host (their sockets are local there), so they are reached through their proxy:
 * LMCache's /proxy2/<proxy>/proxy2/<leaf>/x, or our one-hop /proxy2/<leaf>/x, goes to
 * <proxy>/proxy2/<leaf>/x. */
#include "config.h"
#include "frontend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon-log.h"
#include "http-multi.h"
#include "jsonutil.h"
#include "nodelist.h"
#include "strutil.h"
#include "url.h"
#include "xalloc.h"

/* "http[s]://host[:port][/...]" into host, port and scheme; false for anything else. */
static bool split_address(const char *addr, char **host, char **port, bool *https)
{
	struct url u;
	char *why = NULL;
	bool ok = url_parse(addr, &u, &why) == 0 &&
		  (strcmp(u.scheme, "http") == 0 || strcmp(u.scheme, "https") == 0);

	if (ok) {
		*host = u.host;
		*port = u.port;
		*https = strcmp(u.scheme, "https") == 0;
		u.host = u.port = NULL;
	}
	free(why);
	url_clear(&u);
	return ok;
}

/* LMCache's name of a supplied proxy: "proxy_" + "<host>:<port>" with every ':' as '_'. */
static char *proxy_name(const char *host, const char *port)
{
	char *name = xasprintf("proxy_%s_%s", host, port);

	for (char *c = name; *c; c++)
		if (*c == ':')
			*c = '_';
	return name;
}


/* The leaves of one /api/nodes answer into p, reached through p. */
static int take_leaves(const struct hm_res *r, struct fe_proxy *p, char **cause)
{
	struct nl_entry *e;
	json_t *doc;
	size_t n;

	if (r->err != HM_OK || r->status != 200) {
		*cause = r->err != HM_OK ? xasprintf("%s/api/nodes: %s", p->name, r->error)
					 : xasprintf("%s/api/nodes: HTTP %ld", p->name, r->status);
		return -1;
	}
	if ((doc = json_parse_text(r->body, r->len, cause)) == NULL)
		return -1;
	e = nodelist_parse_api_nodes(doc, &n, cause);
	json_decref(doc);
	if (e == NULL)
		return -1;
	p->nodes = xcalloc(n + 1, sizeof(*p->nodes));
	for (size_t i = 0; i < n; i++)
		p->nodes[p->nnodes++] = (struct fe_node){ xstrdup(e[i].name), xstrdup(e[i].host),
							  xstrdup(e[i].port), NULL, true, false };
	nodelist_entries_free(e, n);
	return 0;
}

/* A frontend outside the allow list is not contacted (a registry entry is anyone's word);
 * one inside is reached at the addresses checked (*pin). */
static bool allowed(struct frontend *fe, const char *host, const char *port,
		    struct curl_slist **pin, char **cause)
{
	if (frontend_target_allowed(fe, host, port, pin))
		return true;
	atomic_fetch_add(&fe->supplier_refused, 1);
	*cause = xasprintf("%s is outside this frontend's allow list (--allow-network)", host);
	return false;
}

int supplier_refresh_proxy(struct frontend *fe, const struct fe_target *t, struct fe_proxy *p,
			   char **cause)
{
	struct hm_req rq = { .timeout_ms = fe->opt->metrics_timeout_ms,
			     .unix_socket = model_port_is_socket(t->port) ? t->port : NULL };
	struct hm_res r = { 0 };
	char *url;
	int rc;

	p->name = proxy_name(t->host, t->port);
	if (!allowed(fe, t->host, t->port, &rq.resolve, cause))
		return SUPPLIER_REFUSED;
	rq.url = url = model_target_url(t, "/api/nodes");
	hm_run(&rq, &r, 1, 1);
	rc = take_leaves(&r, p, cause);
	hm_res_free(&r);
	curl_slist_free_all(rq.resolve);
	free(url);
	return rc;
}

static char **fetch_frontends(const char *infos_url, long timeout_ms, size_t *n, char **cause)
{
	char *url = nodelist_infos_url(infos_url), **list = NULL;
	struct hm_req rq = { .url = url, .timeout_ms = timeout_ms };
	struct hm_res r = { 0 };
	json_t *doc;

	hm_run(&rq, &r, 1, 1);
	if (r.err != HM_OK || r.status != 200)
		*cause = r.err != HM_OK ? xasprintf("%s: %s", url, r.error)
					: xasprintf("%s: HTTP %ld", url, r.status);
	else if ((doc = json_parse_text(r.body, r.len, cause)) != NULL) {
		list = nodelist_frontends(doc, n, cause);
		json_decref(doc);
	}
	hm_res_free(&r);
	free(url);
	return list;
}

/* Runs the requests that have a URL (the others were refused), each into its own res. */
static void run_allowed(const struct hm_req *reqs, struct hm_res *res, size_t n)
{
	struct hm_req *go = xcalloc(n + 1, sizeof(*go));
	struct hm_res *got = xcalloc(n + 1, sizeof(*got));
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		if (reqs[i].url != NULL)
			go[k++] = reqs[i];
	hm_run(go, got, k, 0);
	for (size_t i = 0, j = 0; i < n; i++)
		if (reqs[i].url != NULL)
			res[i] = got[j++];
	free(go);
	free(got);
}

/* The proxy of one registry address into p, and the request for its /api/nodes into rq
 * (no URL when it is outside the allow list: not asked); false for an address that is not
 * http(s). */
static bool prepare(struct frontend *fe, const char *addr, struct fe_proxy *p,
		    struct hm_req *rq)
{
	char *why = NULL;

	if (!split_address(addr, &p->host, &p->port, &p->https)) {
		log_warn("node supplier: skipping %s (not an http(s):// address)", addr);
		return false;
	}
	p->name = proxy_name(p->host, p->port);
	p->port_text = true;
	rq->timeout_ms = fe->opt->metrics_timeout_ms;
	if (allowed(fe, p->host, p->port, &rq->resolve, &why))
		rq->url = model_target_url(&(struct fe_target){ p->host, p->port, NULL, p->https },
					   "/api/nodes");
	else
		log_warn("node supplier: not contacting %s: %s", addr, why);
	free(why);
	return true;
}

/* One proxy per frontend; a frontend that does not answer, or that is outside the allow
 * list and so not asked, is kept without leaves. */
static void build(struct frontend *fe, char **addrs, size_t n, struct fe_model *m)
{
	struct hm_req *reqs = xcalloc(n + 1, sizeof(*reqs));
	struct hm_res *res = xcalloc(n + 1, sizeof(*res));
	struct fe_proxy *p = xcalloc(n + 1, sizeof(*p));
	size_t k = 0;
	char *why;

	for (size_t i = 0; i < n; i++)
		k += prepare(fe, addrs[i], &p[k], &reqs[k]);
	run_allowed(reqs, res, k);
	for (size_t i = 0; i < k; i++) {
		why = NULL;
		if (reqs[i].url != NULL && take_leaves(&res[i], &p[i], &why) < 0)
			log_warn("node supplier: %s", why);
		free(why);
		why = NULL;
		if (model_add_proxy(m, &p[i], &why) != 0)
			model_proxy_clear(&p[i]);
		free(why);
		hm_res_free(&res[i]);
		curl_slist_free_all(reqs[i].resolve);
		free((char *)reqs[i].url);
	}
	free(p);
	free(res);
	free(reqs);
}

int supplier_load(struct frontend *fe, struct fe_model *out, char **cause)
{
	size_t n = 0;
	char **addrs = fetch_frontends(fe->opt->node_supplier_url, fe->opt->metrics_timeout_ms, &n,
				       cause);

	if (addrs == NULL)
		return -1;
	model_clear(out);
	build(fe, addrs, n, out);
	str_list_free(addrs);
	return 0;
}

static void reload(struct frontend *fe)
{
	struct fe_model m = { 0 };
	char *why = NULL;

	if (supplier_load(fe, &m, &why) < 0) {
		log_warn("node supplier: %s; keeping the current nodes", why);
		free(why);
		return;
	}
	log_debug("node supplier: %zu proxies, %zu nodes", m.nproxies, model_count_leaves(&m));
	pthread_rwlock_wrlock(&fe->lock);
	model_move(&fe->model, &m);
	pthread_rwlock_unlock(&fe->lock);
}

static void *supplier_main(void *arg)
{
	struct frontend *fe = arg;
	struct timespec due;

	pthread_mutex_lock(&fe->supplier_mu);
	while (!fe->stopping) {
		pthread_mutex_unlock(&fe->supplier_mu);
		reload(fe);
		clock_gettime(CLOCK_MONOTONIC, &due); /* supplier_cv is monotonic */
		due.tv_sec += fe->opt->node_supplier_interval;
		pthread_mutex_lock(&fe->supplier_mu);
		while (!fe->stopping &&
		       pthread_cond_timedwait(&fe->supplier_cv, &fe->supplier_mu, &due) != ETIMEDOUT)
			;
	}
	pthread_mutex_unlock(&fe->supplier_mu);
	return NULL;
}

void supplier_start(struct frontend *fe)
{
	if (pthread_create(&fe->supplier, NULL, supplier_main, fe) != 0) {
		log_error("cannot start the node supplier thread");
		return;
	}
	fe->supplier_started = true;
}

void supplier_stop(struct frontend *fe)
{
	if (!fe->supplier_started)
		return;
	pthread_mutex_lock(&fe->supplier_mu);
	fe->stopping = true;
	pthread_cond_signal(&fe->supplier_cv);
	pthread_mutex_unlock(&fe->supplier_mu);
	pthread_join(fe->supplier, NULL);
	fe->supplier_started = false;
}
