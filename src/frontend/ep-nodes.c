/* Reading the node model: /api/nodes, /api/proxies, /api/proxies/{p}/nodes and
 * /api/proxies/{p}/refresh (which asks that proxy's own /api/nodes for its leaves). */
#include "config.h"
#include "server.h"

#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

void fe_ep_api_nodes(struct fe_request *rq, struct fe_reply *rp)
{
	json_t *doc;

	pthread_rwlock_rdlock(&rq->fe->lock);
	doc = model_api_nodes(&rq->fe->model);
	pthread_rwlock_unlock(&rq->fe->lock);
	fe_reply_json(rp, 200, doc);
}

void fe_ep_api_proxies(struct fe_request *rq, struct fe_reply *rp)
{
	json_t *doc;

	pthread_rwlock_rdlock(&rq->fe->lock);
	doc = model_api_proxies(&rq->fe->model);
	pthread_rwlock_unlock(&rq->fe->lock);
	fe_reply_json(rp, 200, doc);
}

static json_t *leaves_json(const struct fe_proxy *p)
{
	json_t *list = json_array();

	for (size_t i = 0; i < p->nnodes; i++)
		json_array_append_new(list, model_node_json(&p->nodes[i]));
	return list;
}

void fe_ep_proxy_nodes(struct fe_request *rq, struct fe_reply *rp)
{
	char *name = fe_rq_capture(rq, rp, 0);
	struct fe_proxy *p;
	json_t *list = NULL;

	if (name == NULL)
		return;
	pthread_rwlock_rdlock(&rq->fe->lock);
	if ((p = model_find_proxy(&rq->fe->model, name)) != NULL)
		list = leaves_json(p);
	pthread_rwlock_unlock(&rq->fe->lock);
	if (list != NULL)
		fe_reply_json(rp, 200, json_pack("{s:o}", "nodes", list));
	else
		fe_reply_detail(rp, 404, "Proxy not found");
	free(name);
}

/* The proxy's address, copied so the fetch runs without the lock. */
static bool proxy_address(struct frontend *fe, const char *name, char **host, char **port,
			  bool *https)
{
	struct fe_proxy *p;

	pthread_rwlock_rdlock(&fe->lock);
	if ((p = model_find_proxy(&fe->model, name)) != NULL) {
		*host = xstrdup(p->host);
		*port = xstrdup(p->port);
		*https = p->https;
	}
	pthread_rwlock_unlock(&fe->lock);
	return p != NULL;
}

/* Swaps the fetched leaves in, unless the proxy went away meanwhile. */
static json_t *install_leaves(struct frontend *fe, const char *name, struct fe_proxy *fresh)
{
	struct fe_proxy *p;
	json_t *list = NULL;

	pthread_rwlock_wrlock(&fe->lock);
	if ((p = model_find_proxy(&fe->model, name)) != NULL) {
		struct fe_node *old = p->nodes;
		size_t nold = p->nnodes;

		p->nodes = fresh->nodes;
		p->nnodes = fresh->nnodes;
		fresh->nodes = old;
		fresh->nnodes = nold;
		model_index(&fe->model);
		list = leaves_json(p);
	}
	pthread_rwlock_unlock(&fe->lock);
	return list;
}

void fe_ep_proxy_refresh(struct fe_request *rq, struct fe_reply *rp)
{
	char *name = fe_rq_capture(rq, rp, 0), *host = NULL, *port = NULL, *why = NULL;
	struct fe_proxy fresh = { 0 };
	json_t *list;
	bool https = false;
	int rc;

	if (name == NULL)
		return;
	if (!proxy_address(rq->fe, name, &host, &port, &https))
		fe_reply_detail(rp, 404, "Proxy not found");
	else if ((rc = supplier_refresh_proxy(rq->fe, &(struct fe_target){ host, port, NULL, https },
					      &fresh, &why)) < 0)
		fe_reply_detail(rp, rc == SUPPLIER_REFUSED ? 403 : 502, "%s", why);
	else if ((list = install_leaves(rq->fe, name, &fresh)) == NULL)
		fe_reply_detail(rp, 404, "Proxy not found");
	else
		fe_reply_json(rp, 200, json_pack("{s:s, s:o}", "status", "success", "nodes", list));
	model_proxy_clear(&fresh);
	free(name);
	free(host);
	free(port);
	free(why);
}
