/* One registry entry (a frontend that heartbeats), its validation and its stored form. */
#ifndef LMC_DISCOVERY_ENTRY_H
#define LMC_DISCOVERY_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <jansson.h>

/* Limits on what a heartbeat may carry; longer values are refused, never truncated. */
#define ENTRY_ADDRESS_MAX 512
#define ENTRY_VERSION_MAX 128
#define ENTRY_OTHER_INFO_MAX 4096
#define ENTRY_DEFAULT_VERSION "1.0.0"

struct dentry {
	char *api_address;
	long long pid; /* -1 when the heartbeat gave none (listed as null) */
	char *version;
	char *other_info; /* JSON text, kept as the client sent it (LMCache lists it as a string) */
	char *ip_address; /* the peer that sent the heartbeat; NULL lists as null */
	time_t start_time; /* first heartbeat seen for this api_address */
	time_t last_seen;
	char *owner; /* the token name that registered it; NULL: anyone's (no tokens) */
	/* Its member of the /lmcache_infos document, rendered when stored (listing_render) so
	 * a listing is a concatenation; NULL: rendered while listing. Not copied. */
	char *listed;
	size_t listed_len;
};

/* The raw query parameters of a heartbeat; any may be NULL (absent). */
struct heartbeat_params {
	const char *api_address;
	const char *pid;
	const char *version;
	const char *other_info;
};

/* Checks an api_address: an http(s) URL with a host, short, no spaces or control bytes. */
int entry_check_address(const char *addr, char **cause);
/* Validates params and fills e (fresh strings); start_time and last_seen are set to now. */
int entry_from_params(struct dentry *e, const struct heartbeat_params *p, const char *peer,
		      time_t now, char **cause);
void entry_copy(struct dentry *dst, const struct dentry *src);
void entry_clear(struct dentry *e);
/* Whether a caller known as owner (NULL: no token) may replace or remove existing: an
 * entry belongs to the token that registered it. */
bool entry_owned_by_other(const struct dentry *existing, const char *owner);

/* The stored form (state file, etcd value): an object with epoch times. */
json_t *entry_to_json(const struct dentry *e);
int entry_from_json(struct dentry *e, const json_t *obj, char **cause);

#endif
