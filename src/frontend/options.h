/* Command-line flags of lmcache-frontend (LMCache's lmcache_frontend flags, plus ours). */
#ifndef LMC_FRONTEND_OPTIONS_H
#define LMC_FRONTEND_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "auth.h"

struct fe_options {
	char *host;
	int port;
	char *config;		 /* --config FILE: a list of proxies */
	char *nodes;		 /* --nodes JSON: leaves of local_proxy */
	char *node_supplier_url; /* a registry's /lmcache_infos */
	int node_supplier_interval;
	char *heartbeat_url;
	int heartbeat_interval;
	int heartbeat_initial_delay;
	char *api_address; /* reported to the registry; NULL: derived */
	int log_level;
	bool no_http;
	long proxy_timeout_ms;
	long metrics_timeout_ms;
	size_t max_body;
	unsigned int max_connections;
	struct srv_auth_options sec; /* --token-file, --insecure, --tls-* */
	struct srv_timeouts timeouts; /* --header-timeout, --body-timeout */
	/* What the frontend presents: to nodes, frontends and the registry's listing, and to
	 * the registry's heartbeat (lmcache-security(7)). */
	char *node_token_file, *heartbeat_token_file, *cacert, *cert, *key;
	char **allow_network; /* --allow-network CIDR, repeatable; NULL-terminated */
	size_t nallow;
};

enum { OPTIONS_RUN, OPTIONS_EXIT, OPTIONS_USAGE };

/* Fills o from argv (defaults first); OPTIONS_EXIT after --help/--version (printed to out),
 * OPTIONS_USAGE with cause. Call fe_options_clear afterwards in every case. */
int fe_options_parse(struct fe_options *o, int argc, char **argv, FILE *out, char **cause);
bool fe_options_have_nodes(const struct fe_options *o);
void fe_options_clear(struct fe_options *o);

#endif
