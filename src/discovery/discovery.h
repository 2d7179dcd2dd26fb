/* The registry process's shared state, seen by every endpoint. */
#ifndef LMC_DISCOVERY_H
#define LMC_DISCOVERY_H

#include <stdatomic.h>
#include <stdbool.h>
#include <time.h>

#include "netallow.h"
#include "options.h"
#include "store.h"

struct stats {
	atomic_ullong heartbeats;    /* accepted heartbeats */
	atomic_ullong registrations; /* heartbeats that created an entry */
	atomic_ullong deregistrations;
	atomic_ullong expired;
	atomic_ullong rejected_bad;   /* 400 */
	atomic_ullong rejected_full;  /* 507 */
	atomic_ullong store_errors;   /* 503 */
	atomic_ullong listings;
	atomic_ullong requests;
	atomic_ullong audited, refused; /* changing requests; refusals (401/403) */
};

struct discovery {
	const struct disc_options *opt;
	struct store *store;
	char *store_desc;
	time_t started;
	struct stats stats;
	atomic_bool store_down; /* logged on each change, not on each failed request */
	struct srv_auth *auth;	/* --token-file, --tls-* */
	struct net_allow allow; /* api_address hosts (--allow-network; default any) */
};

/* Records whether the store answered; logs only when that changes. */
void discovery_store_state(struct discovery *d, bool ok, const char *why);

#endif
