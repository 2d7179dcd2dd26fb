/* lmcache-discovery's command line. */
#ifndef LMC_DISCOVERY_OPTIONS_H
#define LMC_DISCOVERY_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "auth.h"
#include "netallow.h"
#include "store.h"

#define DISCOVERY_DEFAULT_PORT 5000
#define DISCOVERY_DEFAULT_TTL 90
#define DISCOVERY_DEFAULT_MAX_ENTRIES 100000

struct disc_options {
	char *host;
	int port;
	int ttl;
	size_t max_entries;
	struct store_spec store;
	int log_level;
	int threads;
	struct srv_auth_options sec; /* --token-file, --insecure, --tls-* */
	struct srv_timeouts timeouts; /* --header-timeout, --body-timeout */
	struct net_allow allow;	     /* --allow-network CIDR..., checked when parsed */
	struct etcd_security etcd;   /* --etcd-cacert, --etcd-cert, --etcd-key, --etcd-user, ... */
};

enum { OPTIONS_RUN = 0, OPTIONS_EXIT = 1, OPTIONS_USAGE = -1 };

/* OPTIONS_RUN, OPTIONS_EXIT (help or version printed to out), or OPTIONS_USAGE with cause. */
int disc_options_parse(struct disc_options *o, int argc, char **argv, FILE *out, char **cause);
void disc_options_clear(struct disc_options *o);

#endif
