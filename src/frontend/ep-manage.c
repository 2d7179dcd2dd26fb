/* Node management: POST /api/proxies, POST /api/proxies/{p}/nodes, PUT and DELETE
 * /api/nodes/{name}. 400 for an invalid body, 404 for an unknown name, 409 for a duplicate. */
#include "config.h"
#include "server.h"

#include <stdlib.h>

#include "daemon-log.h"

/* Runs a model change under the write lock and answers it. */
static void answer(struct fe_reply *rp, int status, char *why, const char *ok_msg)
{
	if (status == 0)
		fe_reply_success(rp, ok_msg);
	else
		fe_reply_detail(rp, (unsigned int)status, "%s", why ? why : "failed");
	free(why);
}

void fe_ep_add_proxy(struct fe_request *rq, struct fe_reply *rp)
{
	json_t *doc = fe_rq_json(rq, rp);
	struct fe_proxy p;
	char *why = NULL;
	int status;

	if (doc == NULL)
		return;
	if (model_proxy_parse(doc, &p, &why) < 0) {
		answer(rp, 400, why, NULL);
	} else {
		pthread_rwlock_wrlock(&rq->fe->lock);
		status = model_add_proxy(&rq->fe->model, &p, &why);
		pthread_rwlock_unlock(&rq->fe->lock);
		if (status != 0)
			model_proxy_clear(&p);
		else
			log_info("proxy added through the API");
		answer(rp, status, why, "Proxy added");
	}
	json_decref(doc);
}

void fe_ep_add_node(struct fe_request *rq, struct fe_reply *rp)
{
	char *proxy = fe_rq_capture(rq, rp, 0), *why = NULL;
	json_t *doc = proxy ? fe_rq_json(rq, rp) : NULL;
	struct fe_node n;
	int status;

	if (doc == NULL) {
		free(proxy);
		return;
	}
	if (model_node_parse(doc, &n, &why) < 0) {
		answer(rp, 400, why, NULL);
	} else {
		pthread_rwlock_wrlock(&rq->fe->lock);
		status = model_add_node(&rq->fe->model, proxy, &n, &why);
		pthread_rwlock_unlock(&rq->fe->lock);
		if (status != 0)
			model_node_clear(&n);
		answer(rp, status, why, "Node added to proxy");
	}
	json_decref(doc);
	free(proxy);
}

void fe_ep_update_node(struct fe_request *rq, struct fe_reply *rp)
{
	char *name = fe_rq_capture(rq, rp, 0), *why = NULL;
	json_t *doc = name ? fe_rq_json(rq, rp) : NULL;
	int status;

	if (doc == NULL) {
		free(name);
		return;
	}
	pthread_rwlock_wrlock(&rq->fe->lock);
	status = model_update(&rq->fe->model, name, doc, &why);
	pthread_rwlock_unlock(&rq->fe->lock);
	answer(rp, status, why, "Node updated");
	json_decref(doc);
	free(name);
}

void fe_ep_delete_node(struct fe_request *rq, struct fe_reply *rp)
{
	char *name = fe_rq_capture(rq, rp, 0), *why = NULL;
	int status;

	if (name == NULL)
		return;
	pthread_rwlock_wrlock(&rq->fe->lock);
	status = model_delete(&rq->fe->model, name, &why);
	pthread_rwlock_unlock(&rq->fe->lock);
	answer(rp, status, why, "Node deleted");
	free(name);
}
