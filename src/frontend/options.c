/* Flag parsing: one table gives the long names, the help text and the handlers. */
#include "config.h"
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "daemon-log.h"
#include "xalloc.h"

enum {
	OPT_HOST = 256, OPT_PORT, OPT_CONFIG, OPT_NODES, OPT_SUPPLIER, OPT_SUPPLIER_INTERVAL,
	OPT_HB_URL, OPT_HB_INTERVAL, OPT_HB_DELAY, OPT_API_ADDRESS, OPT_LOG_LEVEL, OPT_NO_HTTP,
	OPT_PROXY_TIMEOUT, OPT_METRICS_TIMEOUT, OPT_MAX_BODY, OPT_MAX_CONN, OPT_HELP, OPT_VERSION,
	OPT_NODE_TOKEN, OPT_HB_TOKEN, OPT_CACERT, OPT_CERT, OPT_KEY, OPT_ALLOW
};

static const struct option longopts[] = {
	{ "host", required_argument, NULL, OPT_HOST },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "nodes", required_argument, NULL, OPT_NODES },
	{ "node-supplier-url", required_argument, NULL, OPT_SUPPLIER },
	{ "node-supplier-interval", required_argument, NULL, OPT_SUPPLIER_INTERVAL },
	{ "heartbeat-url", required_argument, NULL, OPT_HB_URL },
	{ "heartbeat-interval", required_argument, NULL, OPT_HB_INTERVAL },
	{ "heartbeat-initial-delay", required_argument, NULL, OPT_HB_DELAY },
	{ "api-address", required_argument, NULL, OPT_API_ADDRESS },
	{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
	{ "no-http", no_argument, NULL, OPT_NO_HTTP },
	{ "proxy-timeout", required_argument, NULL, OPT_PROXY_TIMEOUT },
	{ "metrics-timeout", required_argument, NULL, OPT_METRICS_TIMEOUT },
	{ "max-body", required_argument, NULL, OPT_MAX_BODY },
	{ "max-connections", required_argument, NULL, OPT_MAX_CONN },
	SRV_AUTH_LONGOPTS,
	SRV_TIMEOUT_LONGOPTS,
	{ "node-token-file", required_argument, NULL, OPT_NODE_TOKEN },
	{ "heartbeat-token-file", required_argument, NULL, OPT_HB_TOKEN },
	{ "cacert", required_argument, NULL, OPT_CACERT },
	{ "cert", required_argument, NULL, OPT_CERT },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "allow-network", required_argument, NULL, OPT_ALLOW },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static const char usage[] =
	"Usage: lmcache-frontend [OPTION]...\n"
	"Per-host proxy of an LMCache cluster: /proxy2/<node>/..., node listing, merged /metrics.\n"
	"\n"
	"  --host ADDR                  listen address (default 127.0.0.1)\n"
	"  --port N                     listen port (default 8000)\n"
	"  --nodes JSON                 nodes as [{\"name\",\"host\",\"port\"}] (proxy local_proxy)\n"
	"  --config FILE                a JSON list of proxies, each with \"nodes\"\n"
	"  --node-supplier-url URL      a registry's /lmcache_infos: every frontend is a proxy\n"
	"  --node-supplier-interval S   refresh from the supplier every S seconds (default 30)\n"
	"  --heartbeat-url URL          register with a registry (lmcache-discovery)\n"
	"  --heartbeat-interval S       seconds between heartbeats (default 30)\n"
	"  --heartbeat-initial-delay S  seconds before the first heartbeat (default 0)\n"
	"  --api-address URL            address reported to the registry (default derived)\n"
	"  --proxy-timeout S            per forwarded request (default 60)\n"
	"  --metrics-timeout S          per node for /metrics (default 5)\n"
	"  --max-body BYTES             largest request body accepted (default 16777216)\n"
	"  --max-connections N          concurrent client connections (default 1024)\n"
	SRV_TIMEOUT_USAGE
	"  --no-http                    heartbeat only, serve nothing\n"
	"  --log-level LEVEL            error, warn, info (default) or debug\n"
	SRV_AUTH_USAGE
	"  --node-token-file FILE       token sent to nodes, frontends and the registry's list\n"
	"  --heartbeat-token-file FILE  token sent with heartbeats (the registry's agent role)\n"
	"  --cacert FILE                CA certificates for https nodes and registries\n"
	"  --cert FILE, --key FILE      client certificate for mutual TLS\n"
	"  --allow-network CIDR         nodes may also be there (repeatable; default: loopback,\n"
	"                               this host's sockets and the nodes given at start)\n"
	"  --help, --version\n"
	"\n"
	"Without a node source and with LMCACHE_PLUGIN_CONFIG set (run as an LMCache plugin), the\n"
	"nodes of this host are derived from that config; extra_config keys plugin.frontend.<x>\n"
	"become --<x> flags.\n";

static void defaults(struct fe_options *o)
{
	memset(o, 0, sizeof(*o));
	o->host = xstrdup("127.0.0.1");
	o->port = 8000;
	o->node_supplier_interval = 30;
	o->heartbeat_interval = 30;
	o->log_level = LOG_INFO;
	o->proxy_timeout_ms = 60000;
	o->metrics_timeout_ms = 5000;
	o->max_body = 16u << 20;
	o->max_connections = 1024;
}

static int parse_long(const char *flag, const char *s, long lo, long hi, long *out, char **cause)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || *out < lo || *out > hi) {
		*cause = xasprintf("--%s: expected an integer from %ld to %ld, got '%s'", flag, lo,
				   hi, s);
		return -1;
	}
	return 0;
}

/* Seconds as a decimal ("0.5") into milliseconds. */
static int parse_seconds(const char *flag, const char *s, long *ms, char **cause)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno != 0 || end == s || *end != '\0' || !(v > 0) || v > 86400) {
		*cause = xasprintf("--%s: expected seconds (> 0), got '%s'", flag, s);
		return -1;
	}
	*ms = (long)(v * 1000 + 0.5) > 0 ? (long)(v * 1000 + 0.5) : 1;
	return 0;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

static int set_int(const char *flag, const char *v, long lo, long hi, int *dst, char **cause)
{
	long n;

	if (parse_long(flag, v, lo, hi, &n, cause) < 0)
		return -1;
	*dst = (int)n;
	return 0;
}

/* The limits: timeouts, body size and connections. */
static int one_limit(struct fe_options *o, int c, const char *v, char **cause)
{
	long n;

	switch (c) {
	case OPT_PROXY_TIMEOUT: return parse_seconds("proxy-timeout", v, &o->proxy_timeout_ms, cause);
	case OPT_METRICS_TIMEOUT:
		return parse_seconds("metrics-timeout", v, &o->metrics_timeout_ms, cause);
	case OPT_MAX_BODY:
		if (parse_long("max-body", v, 0, 1L << 30, &n, cause) < 0)
			return -1;
		o->max_body = (size_t)n;
		return 0;
	case OPT_MAX_CONN:
		if (parse_long("max-connections", v, 1, 65536, &n, cause) < 0)
			return -1;
		o->max_connections = (unsigned int)n;
		return 0;
	}
	return -1;
}

static int one(struct fe_options *o, int c, const char *v, char **cause)
{
	switch (c) {
	case OPT_HOST: set_str(&o->host, v); return 0;
	case OPT_PORT: return set_int("port", v, 1, 65535, &o->port, cause);
	case OPT_CONFIG: set_str(&o->config, v); return 0;
	case OPT_NODES: set_str(&o->nodes, v); return 0;
	case OPT_SUPPLIER: set_str(&o->node_supplier_url, v); return 0;
	case OPT_SUPPLIER_INTERVAL:
		return set_int("node-supplier-interval", v, 1, 86400, &o->node_supplier_interval,
			       cause);
	case OPT_HB_URL: set_str(&o->heartbeat_url, v); return 0;
	case OPT_HB_INTERVAL:
		return set_int("heartbeat-interval", v, 1, 86400, &o->heartbeat_interval, cause);
	case OPT_HB_DELAY:
		return set_int("heartbeat-initial-delay", v, 0, 86400, &o->heartbeat_initial_delay,
			       cause);
	case OPT_API_ADDRESS: set_str(&o->api_address, v); return 0;
	case OPT_LOG_LEVEL:
		if ((o->log_level = log_level_parse(v)) >= 0)
			return 0;
		*cause = xasprintf("--log-level: unknown level '%s' (error, warn, info, debug)", v);
		return -1;
	case OPT_NO_HTTP: o->no_http = true; return 0;
	case OPT_NODE_TOKEN: set_str(&o->node_token_file, v); return 0;
	case OPT_HB_TOKEN: set_str(&o->heartbeat_token_file, v); return 0;
	case OPT_CACERT: set_str(&o->cacert, v); return 0;
	case OPT_CERT: set_str(&o->cert, v); return 0;
	case OPT_KEY: set_str(&o->key, v); return 0;
	case OPT_ALLOW:
		o->allow_network = xreallocarray(o->allow_network, o->nallow + 2, sizeof(char *));
		o->allow_network[o->nallow++] = xstrdup(v);
		o->allow_network[o->nallow] = NULL;
		return 0;
	}
	return one_limit(o, c, v, cause);
}

int fe_options_parse(struct fe_options *o, int argc, char **argv, FILE *out, char **cause)
{
	int c;

	defaults(o);
	optind = 0; /* GNU: rescan from the start (main parses twice in plugin mode) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+", longopts, NULL)) != -1) {
		if (c == OPT_HELP || c == OPT_VERSION) {
			fputs(c == OPT_HELP ? usage : "lmcache-frontend " PACKAGE_VERSION "\n", out);
			return OPTIONS_EXIT;
		}
		if (c == '?' || c == ':') {
			*cause = xasprintf("bad option '%s' (see --help)", argv[optind - 1]);
			return OPTIONS_USAGE;
		}
		if (srv_auth_option(&o->sec, c, optarg))
			continue;
		switch (srv_timeout_option(&o->timeouts, c, optarg, cause)) {
		case 1: continue;
		case -1: return OPTIONS_USAGE;
		}
		if (one(o, c, optarg, cause) < 0)
			return OPTIONS_USAGE;
	}
	if (optind < argc) {
		*cause = xasprintf("unexpected argument '%s' (see --help)", argv[optind]);
		return OPTIONS_USAGE;
	}
	return OPTIONS_RUN;
}

bool fe_options_have_nodes(const struct fe_options *o)
{
	return o->nodes != NULL || o->config != NULL || o->node_supplier_url != NULL;
}

void fe_options_clear(struct fe_options *o)
{
	free(o->host);
	free(o->config);
	free(o->nodes);
	free(o->node_supplier_url);
	free(o->heartbeat_url);
	free(o->api_address);
	free(o->node_token_file);
	free(o->heartbeat_token_file);
	free(o->cacert);
	free(o->cert);
	free(o->key);
	for (size_t i = 0; i < o->nallow; i++)
		free(o->allow_network[i]);
	free(o->allow_network);
	srv_auth_options_clear(&o->sec);
	memset(o, 0, sizeof(*o));
}
