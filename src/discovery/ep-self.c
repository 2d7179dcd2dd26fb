/* GET /health and GET /metrics: the registry's own state (extensions). */
#include "config.h"

#include <stdlib.h>

#include "listing.h"
#include "server.h"

void disc_ep_health(struct disc_request *rq, struct disc_reply *rp)
{
	struct store *s = rq->d->store;
	char *why = NULL;
	long n = s->ops->count(s, &why);
	struct buf *b = &rp->body;

	rp->status = n < 0 ? 503 : 200;
	buf_printf(b, "{\"status\":\"%s\",\"service\":\"lmcache-discovery\",\"version\":\"%s\","
		      "\"store\":",
		   n < 0 ? "unhealthy" : "healthy", PACKAGE_VERSION);
	json_quote(b, rq->d->store_desc);
	buf_printf(b, ",\"ttl\":%d,\"max_entries\":%zu", rq->d->opt->ttl, rq->d->opt->max_entries);
	if (n >= 0) {
		buf_printf(b, ",\"entries\":%ld}", n);
	} else {
		buf_puts(b, ",\"detail\":");
		json_quote(b, why);
		buf_putc(b, '}');
	}
	free(why);
}

static void family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void counter(struct buf *b, const char *name, const char *help, atomic_ullong *v)
{
	family(b, name, "counter", help);
	buf_printf(b, "%s %llu\n", name, (unsigned long long)atomic_load(v));
}

static void gauge(struct buf *b, const char *name, const char *help, long long v)
{
	family(b, name, "gauge", help);
	buf_printf(b, "%s %lld\n", name, v);
}

static void rejected(struct buf *b, struct stats *st)
{
	static const char name[] = "lmcache_discovery_rejected_total";

	family(b, name, "counter", "Requests refused, by reason.");
	buf_printf(b, "%s{reason=\"bad_request\"} %llu\n", name,
		   (unsigned long long)atomic_load(&st->rejected_bad));
	buf_printf(b, "%s{reason=\"full\"} %llu\n", name,
		   (unsigned long long)atomic_load(&st->rejected_full));
	buf_printf(b, "%s{reason=\"store_unavailable\"} %llu\n", name,
		   (unsigned long long)atomic_load(&st->store_errors));
}

void disc_ep_metrics(struct disc_request *rq, struct disc_reply *rp)
{
	struct discovery *d = rq->d;
	struct buf *b = &rp->body;
	char *why = NULL;
	long n = d->store->ops->count(d->store, &why);

	free(why);
	rp->content_type = "text/plain; version=0.0.4; charset=utf-8";
	gauge(b, "lmcache_discovery_store_up", "1 when the store answers, 0 when it does not.",
	      n >= 0);
	if (n >= 0)
		gauge(b, "lmcache_discovery_entries", "Entries registered now.", n);
	gauge(b, "lmcache_discovery_max_entries", "The bound on entries (--max-entries).",
	      (long long)d->opt->max_entries);
	gauge(b, "lmcache_discovery_ttl_seconds", "Seconds an entry lives without a heartbeat.",
	      d->opt->ttl);
	gauge(b, "lmcache_discovery_start_time_seconds", "When this process started (epoch).",
	      (long long)d->started);
	counter(b, "lmcache_discovery_heartbeats_total", "Heartbeats accepted.",
		&d->stats.heartbeats);
	counter(b, "lmcache_discovery_registrations_total", "Heartbeats that created an entry.",
		&d->stats.registrations);
	counter(b, "lmcache_discovery_deregistrations_total", "Entries removed on request.",
		&d->stats.deregistrations);
	counter(b, "lmcache_discovery_expired_total",
		"Entries forgotten after the TTL (memory and file stores; etcd expires its own).",
		&d->stats.expired);
	counter(b, "lmcache_discovery_listings_total", "Listings served.", &d->stats.listings);
	counter(b, "lmcache_discovery_http_requests_total", "HTTP requests answered.",
		&d->stats.requests);
	counter(b, "lmcache_discovery_audited_requests_total",
		"Changing requests and refusals, each also logged as an audit line.",
		&d->stats.audited);
	counter(b, "lmcache_discovery_refused_requests_total", "Requests refused 401 or 403.",
		&d->stats.refused);
	rejected(b, &d->stats);
}
