/* GET /lmcache_heartbeat (and LMCache's /heartbeat alias): register or refresh a frontend.
 * DELETE /lmcache_heartbeat, GET|POST /lmcache_deregister: remove one (extension). */
#include "config.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "netallow.h"
#include "server.h"
#include "url.h"
#include "xalloc.h"

static void peer_address(struct MHD_Connection *conn, char *out, size_t len)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	socklen_t salen;

	out[0] = '\0';
	if (ci == NULL || ci->client_addr == NULL)
		return;
	salen = ci->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
						       : sizeof(struct sockaddr_in);
	if (getnameinfo(ci->client_addr, salen, out, (socklen_t)len, NULL, 0, NI_NUMERICHOST) != 0)
		out[0] = '\0';
	/* An IPv4 peer on a dual-stack socket shows as its plain IPv4 address. */
	if (strncmp(out, "::ffff:", 7) == 0 && strchr(out, '.'))
		memmove(out, out + 7, strlen(out + 7) + 1);
}

static void store_failed(struct disc_request *rq, struct disc_reply *rp, enum store_status st,
			 const char *why)
{
	if (st == STORE_NOT_YOURS) {
		disc_reply_error(rp, 403, why);
	} else if (st == STORE_FULL) {
		atomic_fetch_add(&rq->d->stats.rejected_full, 1);
		disc_reply_error(rp, 507, why);
	} else {
		atomic_fetch_add(&rq->d->stats.store_errors, 1);
		discovery_store_state(rq->d, false, why);
		disc_reply_error(rp, 503, why);
	}
}

/* The owner an entry gets, or may be removed by: the caller's token name; NULL without
 * tokens (anyone's). */
static char *caller_owner(const struct disc_request *rq)
{
	return rq->caller->by_token ? xstrdup(rq->caller->name) : NULL;
}

static bool address_allowed(struct discovery *d, const char *api_address)
{
	char *host = url_host(api_address);
	bool ok = host != NULL && net_allow_host(&d->allow, host);

	free(host);
	return ok;
}

static enum store_status put_owned(struct disc_request *rq, struct dentry *e, bool *created,
				   char **why)
{
	e->owner = caller_owner(rq);
	return rq->d->store->ops->put(rq->d->store, e, rq->caller->role == SRV_ROLE_ADMIN, created,
				      why);
}

void disc_ep_heartbeat(struct disc_request *rq, struct disc_reply *rp)
{
	struct heartbeat_params p = { disc_rq_arg(rq, "api_address"), disc_rq_arg(rq, "pid"),
				      disc_rq_arg(rq, "version"), disc_rq_arg(rq, "other_info") };
	char peer[64], *why = NULL;
	struct dentry e;
	bool created = false;
	enum store_status st;

	peer_address(rq->conn, peer, sizeof(peer));
	if (entry_from_params(&e, &p, peer[0] ? peer : NULL, time(NULL), &why) < 0) {
		atomic_fetch_add(&rq->d->stats.rejected_bad, 1);
		disc_reply_error(rp, 400, why);
	} else if (!address_allowed(rq->d, e.api_address)) {
		atomic_fetch_add(&rq->d->stats.rejected_bad, 1);
		disc_reply_error(rp, 403, "api_address is outside the registry's allow list "
				     "(--allow-network)");
	} else if ((st = put_owned(rq, &e, &created, &why)) != STORE_OK) {
		store_failed(rq, rp, st, why);
	} else {
		discovery_store_state(rq->d, true, NULL);
		atomic_fetch_add(&rq->d->stats.heartbeats, 1);
		if (created)
			atomic_fetch_add(&rq->d->stats.registrations, 1);
		disc_reply_text(rp, 200, "{\"status\":\"success\"}");
	}
	entry_clear(&e);
	free(why);
}

void disc_ep_deregister(struct disc_request *rq, struct disc_reply *rp)
{
	const char *addr = disc_rq_arg(rq, "api_address");
	struct store *s = rq->d->store;
	char *why = NULL, *owner = caller_owner(rq);
	bool admin = rq->caller->role == SRV_ROLE_ADMIN; /* may remove anyone's */
	int rc;

	if (entry_check_address(addr, &why) < 0) {
		atomic_fetch_add(&rq->d->stats.rejected_bad, 1);
		disc_reply_error(rp, 400, why);
	} else if ((rc = s->ops->remove(s, addr, admin ? NULL : owner, &why)) < 0) {
		store_failed(rq, rp, rc == STORE_NOT_YOURS ? STORE_NOT_YOURS : STORE_UNAVAILABLE, why);
	} else if (rc == 0) {
		disc_reply_error(rp, 404, "api_address is not registered");
	} else {
		atomic_fetch_add(&rq->d->stats.deregistrations, 1);
		disc_reply_text(rp, 200, "{\"status\":\"success\",\"removed\":true}");
	}
	free(why);
	free(owner);
}
