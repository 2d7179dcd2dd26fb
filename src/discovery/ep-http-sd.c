/* GET /http_sd (extension): the registered frontends as Prometheus HTTP service discovery
 * targets (http-sd.h), for a scrape config with http_sd_configs pointing here. */
#include "config.h"

#include <stdlib.h>

#include "http-sd.h"
#include "server.h"

void disc_ep_http_sd(struct disc_request *rq, struct disc_reply *rp)
{
	struct store *s = rq->d->store;
	json_t *groups = json_array();
	char *why = NULL, *text;

	if (s->ops->foreach(s, http_sd_add, groups, &why) < 0) {
		json_decref(groups);
		atomic_fetch_add(&rq->d->stats.store_errors, 1);
		discovery_store_state(rq->d, false, why);
		disc_reply_error(rp, 503, why); /* Prometheus keeps the last good targets meanwhile */
		free(why);
		return;
	}
	discovery_store_state(rq->d, true, NULL);
	atomic_fetch_add(&rq->d->stats.listings, 1);
	text = json_dumps(groups, JSON_COMPACT);
	disc_reply_text(rp, 200, text ? text : "[]");
	free(text);
	json_decref(groups);
}
