/* Allow lists of network addresses (lmcache-security(7)): which hosts a frontend may send
 * requests to, which api_addresses a registry accepts. CIDR ranges (IPv4 and IPv6) and
 * exact host names; a name is allowed when listed, or when every address it resolves to
 * is in a range, and then pinned to those addresses for the request. */
#ifndef LMC_COMMON_NETALLOW_H
#define LMC_COMMON_NETALLOW_H

#include <stdbool.h>
#include <stddef.h>

#include <curl/curl.h>

#include "prom-map.h"

struct net_range {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	unsigned int bits;
};

struct net_allow {
	struct net_range *ranges;
	size_t nranges;
	char **hosts; /* exact names, in lower case (from the operator's own configuration) */
	size_t nhosts;
	struct prom_map host_at; /* the same, to find one at once: a frontend of thousands of
				  * nodes lists each node's host */
	bool any; /* everything allowed */
};

/* Adds "ADDR/BITS", "ADDR" (one address), or "any". 0, or -1 with *cause. */
int net_allow_add(struct net_allow *a, const char *spec, char **cause);
/* Adds 127.0.0.1 and ::1: the loopback default (the rest of 127.0.0.0/8 is opt-in, so
 * that tests have an address "elsewhere"). */
void net_allow_loopback(struct net_allow *a);
/* Adds an exact host name or address (once). */
void net_allow_add_host(struct net_allow *a, const char *host);
/* Whether host (a name, an address, "[v6]") is allowed; names are resolved. */
bool net_allow_host(const struct net_allow *a, const char *host);
/* Whether host may be contacted on port (digits), resolving a name once: every address it
 * resolves to must be allowed. Then *pin is the CURLOPT_RESOLVE list that makes libcurl
 * connect to exactly the addresses checked instead of resolving the name again, whose
 * answer could differ (DNS rebinding); NULL when there is nothing to pin (a numeric
 * address, a name the operator listed, "any") and when refused. Every request to an
 * address from a registry or a caller sets it; free it with curl_slist_free_all. */
bool net_allow_pin(const struct net_allow *a, const char *host, const char *port,
		   struct curl_slist **pin);
/* The CURLOPT_RESOLVE list "host:port:addr[,addr]..." (IPv6 addresses bracketed). */
struct curl_slist *net_pin_entry(const char *host, const char *port, const char *const *addrs,
				 size_t n);
void net_allow_free(struct net_allow *a);

#endif
