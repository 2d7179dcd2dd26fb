/* lmcctl's global options: one table for the parser, the help and the completion. */
#include "config.h"
#include "lmcctl.h"

const struct gopt global_opts[] = {
	{ "registry", 0, "URL", "registry (or its /lmcache_infos URL); env LMCACHE_REGISTRY",
	  OPT_REGISTRY },
	{ "frontend", 0, "URL", "one frontend instead of a registry; env LMCACHE_FRONTEND",
	  OPT_FRONTEND },
	{ "socket", 0, "PATH", "one node on its unix socket", OPT_SOCKET },
	{ "url", 0, "URL", "one node at URL", OPT_URL },
	{ "node", 'n', "NAME", "target node name or glob (repeatable)", 'n' },
	{ "all", 0, NULL, "target every node", OPT_ALL },
	{ "selector", 'l', "KEY=VALUE", "role=worker|scheduler or instance=ID", 'l' },
	{ "instance", 0, "ID", "only nodes of this lmcache_instance_id", OPT_INSTANCE },
	{ "output", 'o', "FORMAT", "table (default), wide, json, yaml or name", 'o' },
	{ "no-headers", 0, NULL, "tables without their header line", OPT_NO_HEADERS },
	{ "quiet", 'q', NULL, "no data on stdout; errors still on stderr", 'q' },
	{ "no-color", 0, NULL, "no colour (also NO_COLOR)", OPT_NO_COLOR },
	{ "timeout", 0, "SECONDS", "the whole command's time limit (default 10)", OPT_TIMEOUT },
	{ "dry-run", 0, NULL, "show what a change would do (current -> new); change nothing",
	  OPT_DRY_RUN },
	{ "watch", 'w', NULL, "run a reading command again every interval, like watch(1)", 'w' },
	{ "interval", 0, "SECONDS", "of --watch and of wait's polls (default 2)", OPT_INTERVAL },
	{ "context", 0, "NAME", "a cluster of the config file (lmcctl context list)", OPT_CONTEXT },
	{ "token-file", 0, "FILE", "bearer token to send (over LMCACHE_TOKEN and the context's)",
	  OPT_TOKEN_FILE },
	{ "cacert", 0, "FILE", "CA certificates for https addresses", OPT_CACERT },
	{ "cert", 0, "FILE", "client certificate (mutual TLS), with --key", OPT_CERT },
	{ "key", 0, "FILE", "the client certificate's key", OPT_KEY },
	{ "help", 'h', NULL, "help (lmcctl COMMAND --help for a command)", 'h' },
	{ "version", 'V', NULL, "lmcctl's own version", 'V' },
	{ NULL, 0, NULL, NULL, 0 },
};
