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

/* "http://host[:port][/...]" into host and port; false for anything else. */
static bool split_address(const char *addr, char **host, char **port)
{
	struct url u;
	char *why = NULL;
	bool ok = url_parse(addr, &u, &why) == 0 && strcmp(u.scheme, "http") == 0;

	if (ok) {
		*host = u.host;
		*port = u.port;
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

static char *api_nodes_url(const char *host, const char *port)
{
	if (model_port_is_socket(port))
		return xstrdup("http://localhost/api/nodes");
	if (strchr(host, ':') != NULL)
		return xasprintf("http://[%s]:%s/api/nodes", host, port);
	return xasprintf("http://%s:%s/api/nodes", host, port);
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
							  xstrdup(e[i].port), NULL, true };
	nodelist_entries_free(e, n);
	return 0;
}

int supplier_refresh_proxy(const char *host, const char *port, long timeout_ms,
			   struct fe_proxy *p, char **cause)
{
	char *url = api_nodes_url(host, port);
	struct hm_req rq = { .url = url, .timeout_ms = timeout_ms,
			     .unix_socket = model_port_is_socket(port) ? port : NULL };
	struct hm_res r = { 0 };
	int rc;

	p->name = proxy_name(host, port);
	hm_run(&rq, &r, 1, 1);
	rc = take_leaves(&r, p, cause);
	hm_res_free(&r);
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

/* One proxy per frontend; a frontend that does not answer is kept, without leaves. */
static void build(char **addrs, size_t n, long timeout_ms, struct fe_model *m)
{
	struct hm_req *reqs = xcalloc(n + 1, sizeof(*reqs));
	struct hm_res *res = xcalloc(n + 1, sizeof(*res));
	struct fe_proxy *p = xcalloc(n + 1, sizeof(*p));
	size_t k = 0;
	char *why;

	for (size_t i = 0; i < n; i++) {
		if (!split_address(addrs[i], &p[k].host, &p[k].port)) {
			log_warn("node supplier: skipping %s (not an http:// address)", addrs[i]);
			continue;
		}
		p[k].name = proxy_name(p[k].host, p[k].port);
		p[k].port_text = true;
		reqs[k].url = api_nodes_url(p[k].host, p[k].port);
		reqs[k++].timeout_ms = timeout_ms;
	}
	hm_run(reqs, res, k, 0);
	for (size_t i = 0; i < k; i++) {
		why = NULL;
		if (take_leaves(&res[i], &p[i], &why) < 0)
			log_warn("node supplier: %s", why);
		free(why);
		why = NULL;
		if (model_add_proxy(m, &p[i], &why) != 0)
			model_proxy_clear(&p[i]);
		free(why);
		hm_res_free(&res[i]);
		free((char *)reqs[i].url);
	}
	free(p);
	free(res);
	free(reqs);
}

int supplier_load(const char *infos_url, long timeout_ms, struct fe_model *out, char **cause)
{
	size_t n = 0;
	char **addrs = fetch_frontends(infos_url, timeout_ms, &n, cause);

	if (addrs == NULL)
		return -1;
	model_clear(out);
	build(addrs, n, timeout_ms, out);
	str_list_free(addrs);
	return 0;
}

static void reload(struct frontend *fe)
{
	struct fe_model m = { NULL, 0 };
	char *why = NULL;

	if (supplier_load(fe->opt->node_supplier_url, fe->opt->metrics_timeout_ms, &m, &why) < 0) {
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
		clock_gettime(CLOCK_REALTIME, &due);
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
