/* GET /lmcache_infos[?minute=N | ?hour=N]: the registered frontends, in LMCache's shape.
 * hour wins over minute, as in LMCache; a value that is not a number is refused (LMCache
 * silently ignores it and lists everything). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "listing.h"
#include "server.h"
#include "xalloc.h"

/* The start of the ?hour= or ?minute= window (0: no window); -1 with cause when the value is
 * not a non-negative integer. */
static int window_start(struct disc_request *rq, time_t *since, char **cause)
{
	const char *name = disc_rq_arg(rq, "hour") ? "hour" : "minute";
	long long unit = disc_rq_arg(rq, "hour") ? 3600 : 60, n;
	const char *v = disc_rq_arg(rq, name);
	char *end;

	*since = 0;
	if (v == NULL)
		return 0;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || end == v || *end != '\0' || *v == '-' || n > 1000000000LL / unit) {
		*cause = xasprintf("%s must be a non-negative integer", name);
		return -1;
	}
	*since = time(NULL) - (time_t)(n * unit);
	return 0;
}

void disc_ep_infos(struct disc_request *rq, struct disc_reply *rp)
{
	struct store *s = rq->d->store;
	char *why = NULL;
	struct listing l;
	time_t since;
	int rc;

	if (window_start(rq, &since, &why) < 0) {
		atomic_fetch_add(&rq->d->stats.rejected_bad, 1);
		disc_reply_error(rp, 400, why);
		free(why);
		return;
	}
	listing_begin(&l, since);
	rc = s->ops->foreach(s, listing_add, &l, &why);
	listing_end(&l);
	if (rc < 0) {
		listing_text_free(l.out);
		atomic_fetch_add(&rq->d->stats.store_errors, 1);
		discovery_store_state(rq->d, false, why);
		disc_reply_error(rp, 503, why);
		free(why);
		return;
	}
	discovery_store_state(rq->d, true, NULL);
	atomic_fetch_add(&rq->d->stats.listings, 1);
	buf_free(&rp->body);
	rp->body = (struct buf){ l.out, l.len, l.room };
	rp->body_free = listing_text_free;
	rp->status = 200;
}
