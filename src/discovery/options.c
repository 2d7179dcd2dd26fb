#include "config.h"
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "daemon-log.h"
#include "xalloc.h"

static const char usage[] =
	"Usage: lmcache-discovery [OPTION]...\n"
	"The registry of lmcache-frontend processes (LMCache's discover service protocol).\n"
	"\n"
	"  --host HOST          address to listen on (default 127.0.0.1)\n"
	"  --port PORT          TCP port (default 5000)\n"
	"  --ttl SECONDS        forget an entry this long after its last heartbeat (default 90)\n"
	"  --store STORE        memory (default), file:PATH or etcd[s]://HOST:PORT[/PREFIX]\n"
	"  --max-entries N      refuse new entries beyond N (default 100000)\n"
	"  --threads N          server threads (default 2)\n"
	"  --log-level LEVEL    error, warn, info (default) or debug\n"
	"  --allow-network CIDR api_address hosts accepted (repeatable; default: any, logged)\n"
	"  --etcd-cacert FILE   CA of an etcds:// store's certificate\n"
	"  --etcd-cert FILE, --etcd-key FILE  client certificate for etcd\n"
	"  --etcd-user NAME, --etcd-password-file FILE  etcd's username/password auth\n"
	SRV_TIMEOUT_USAGE
	SRV_AUTH_USAGE
	"  --help               show this help and exit\n"
	"  --version            show the version and exit\n"
	"\n"
	"Endpoints: GET /lmcache_heartbeat, GET /lmcache_infos[?minute=N|?hour=N],\n"
	"DELETE /lmcache_heartbeat?api_address=URL, GET /lmcache_deregister?api_address=URL,\n"
	"GET /health, GET /metrics. See lmcache-discovery(8).\n";

static int fail(char **cause, char *msg)
{
	*cause = msg;
	return OPTIONS_USAGE;
}

static int parse_num(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static void defaults(struct disc_options *o)
{
	memset(o, 0, sizeof(*o));
	o->host = xstrdup("127.0.0.1");
	o->port = DISCOVERY_DEFAULT_PORT;
	o->ttl = DISCOVERY_DEFAULT_TTL;
	o->max_entries = DISCOVERY_DEFAULT_MAX_ENTRIES;
	o->log_level = LOG_INFO;
	o->threads = 2;
	o->store.kind = STORE_MEMORY;
}

static void set_str(char **dst, const char *v)
{
	free(*dst);
	*dst = xstrdup(v);
}

/* The store and how to reach etcd. */
static int apply_store(struct disc_options *o, int opt, const char *name, const char *arg,
		       char **cause)
{
	switch (opt) {
	case 's':
		store_spec_clear(&o->store);
		return store_spec_parse(&o->store, arg, cause) < 0 ? OPTIONS_USAGE : 0;
	case 'E': set_str(&o->etcd.cacert, arg); return 0;
	case 'C': set_str(&o->etcd.cert, arg); return 0;
	case 'K': set_str(&o->etcd.key, arg); return 0;
	case 'U': set_str(&o->etcd.user, arg); return 0;
	case 'P': set_str(&o->etcd.password_file, arg); return 0;
	}
	return fail(cause, xasprintf("unknown option %s", name));
}

/* One option's value; the long option's name is in the usage error. */
static int apply(struct disc_options *o, int opt, const char *name, const char *arg, char **cause)
{
	long v;

	switch (opt) {
	case 'H':
		free(o->host);
		o->host = xstrdup(arg);
		return *arg ? 0 : fail(cause, xstrdup("--host needs an address"));
	case 'p':
		if (parse_num(arg, 1, 65535, &v) < 0)
			return fail(cause, xasprintf("--port must be 1-65535, not '%s'", arg));
		o->port = (int)v;
		return 0;
	case 't':
		if (parse_num(arg, 1, 86400 * 365, &v) < 0)
			return fail(cause, xasprintf("--ttl must be a number of seconds >= 1, not '%s'",
						     arg));
		o->ttl = (int)v;
		return 0;
	case 'm':
		if (parse_num(arg, 1, LONG_MAX, &v) < 0)
			return fail(cause, xasprintf("--max-entries must be >= 1, not '%s'", arg));
		o->max_entries = (size_t)v;
		return 0;
	case 'j':
		if (parse_num(arg, 1, 64, &v) < 0)
			return fail(cause, xasprintf("--threads must be 1-64, not '%s'", arg));
		o->threads = (int)v;
		return 0;
	case 'a':
		return net_allow_add(&o->allow, arg, cause) < 0 ? OPTIONS_USAGE : 0;
	case 'l':
		if ((o->log_level = log_level_parse(arg)) < 0)
			return fail(cause, xasprintf("--log-level must be error, warn, info or debug, "
						     "not '%s'", arg));
		return 0;
	}
	return apply_store(o, opt, name, arg, cause);
}

static const struct option longopts[] = {
	{ "host", required_argument, NULL, 'H' },
	{ "port", required_argument, NULL, 'p' },
	{ "ttl", required_argument, NULL, 't' },
	{ "store", required_argument, NULL, 's' },
	{ "max-entries", required_argument, NULL, 'm' },
	{ "threads", required_argument, NULL, 'j' },
	{ "log-level", required_argument, NULL, 'l' },
	{ "allow-network", required_argument, NULL, 'a' },
	{ "etcd-cacert", required_argument, NULL, 'E' },
	{ "etcd-cert", required_argument, NULL, 'C' },
	{ "etcd-key", required_argument, NULL, 'K' },
	{ "etcd-user", required_argument, NULL, 'U' },
	{ "etcd-password-file", required_argument, NULL, 'P' },
	SRV_AUTH_LONGOPTS,
	SRV_TIMEOUT_LONGOPTS,
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

int disc_options_parse(struct disc_options *o, int argc, char **argv, FILE *out, char **cause)
{
	int opt, idx;

	defaults(o);
	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "", longopts, &idx)) != -1) {
		if (opt == 'h' || opt == 'V') {
			fputs(opt == 'h' ? usage : "lmcache-discovery " PACKAGE_VERSION "\n", out);
			return OPTIONS_EXIT;
		}
		if (opt == '?' || opt == ':')
			return fail(cause, xasprintf("bad option '%s' (see --help)",
						     argv[optind - 1]));
		if (srv_auth_option(&o->sec, opt, optarg))
			continue;
		switch (srv_timeout_option(&o->timeouts, opt, optarg, cause)) {
		case 1: continue;
		case -1: return OPTIONS_USAGE;
		}
		if (apply(o, opt, argv[optind - 1], optarg, cause) < 0)
			return OPTIONS_USAGE;
	}
	if (optind < argc)
		return fail(cause, xasprintf("unexpected argument '%s'", argv[optind]));
	if ((o->etcd.cert == NULL) != (o->etcd.key == NULL))
		return fail(cause, xstrdup("--etcd-cert and --etcd-key go together"));
	if ((o->etcd.user == NULL) != (o->etcd.password_file == NULL))
		return fail(cause, xstrdup("--etcd-user and --etcd-password-file go together"));
	o->store.sec = &o->etcd;
	return OPTIONS_RUN;
}

void disc_options_clear(struct disc_options *o)
{
	free(o->host);
	store_spec_clear(&o->store);
	srv_auth_options_clear(&o->sec);
	net_allow_free(&o->allow);
	free(o->etcd.cacert);
	free(o->etcd.cert);
	free(o->etcd.key);
	free(o->etcd.user);
	free(o->etcd.password_file);
	memset(o, 0, sizeof(*o));
}
