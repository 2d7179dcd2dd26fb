/* lmcache-demo-node: embeds liblmcagent and simulates an LMCache scheduler or worker.
 * See lmcache-demo-node(1). */
#include "config.h"
#include "demo.h"
#include "xalloc.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COUNT 1024

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lmcache-demo-node [options]\n"
		"  --role scheduler|worker   node role (default worker)\n"
		"  --worker-id N             worker id of the (first) node (default 0)\n"
		"  --worker-count N          workers in the instance (default 2)\n"
		"  --instance-id ID          lmcache_instance_id\n"
		"  --socket-prefix PREFIX    serve on the unix socket PREFIX_<port>\n"
		"  --port-start N            internal_api_server_port_start\n"
		"  --host HOST               internal_api_server_host\n"
		"  --config FILE             LMCache YAML config (default: LMCACHE_CONFIG_FILE or\n"
		"                            LMCACHE_* environment variables)\n"
		"  --model NAME              model name in metrics and metadata\n"
		"  --count K                 run K workers (consecutive ids) in this process\n"
		"  --tick-ms MS              simulation period (default 200; 0: still)\n"
		"  --busy N                  N threads that burn CPU (a node to profile)\n"
		"  --help, --version\n");
}

static int parse_int(const char *s, const char *flag, int min, int max)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v < min || v > max) {
		fprintf(stderr, "lmcache-demo-node: %s: invalid value '%s'\n", flag, s);
		exit(2);
	}
	return (int)v;
}

static lmca_role parse_role(const char *s)
{
	if (strcmp(s, "scheduler") == 0)
		return LMCA_ROLE_SCHEDULER;
	if (strcmp(s, "worker") == 0)
		return LMCA_ROLE_WORKER;
	fprintf(stderr, "lmcache-demo-node: --role: expected scheduler or worker, not '%s'\n", s);
	exit(2);
}

enum { OPT_ROLE = 256, OPT_WID, OPT_WCOUNT, OPT_IID, OPT_PREFIX, OPT_PORT, OPT_HOST,
       OPT_CONFIG, OPT_MODEL, OPT_COUNT, OPT_TICK, OPT_BUSY, OPT_HELP, OPT_VERSION };

static const struct option long_opts[] = {
	{ "role", required_argument, NULL, OPT_ROLE },
	{ "worker-id", required_argument, NULL, OPT_WID },
	{ "worker-count", required_argument, NULL, OPT_WCOUNT },
	{ "instance-id", required_argument, NULL, OPT_IID },
	{ "socket-prefix", required_argument, NULL, OPT_PREFIX },
	{ "port-start", required_argument, NULL, OPT_PORT },
	{ "host", required_argument, NULL, OPT_HOST },
	{ "config", required_argument, NULL, OPT_CONFIG },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "count", required_argument, NULL, OPT_COUNT },
	{ "tick-ms", required_argument, NULL, OPT_TICK },
	{ "busy", required_argument, NULL, OPT_BUSY },
	{ "help", no_argument, NULL, OPT_HELP },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ NULL, 0, NULL, 0 },
};

static void apply_opt(struct demo_options *o, int c, const char *arg)
{
	switch (c) {
	case OPT_ROLE: o->role = parse_role(arg); break;
	case OPT_WID: o->worker_id = parse_int(arg, "--worker-id", 0, 1 << 20); break;
	case OPT_WCOUNT: o->worker_count = parse_int(arg, "--worker-count", 0, 1 << 20); break;
	case OPT_IID: o->instance_id = arg; break;
	case OPT_PREFIX: o->socket_prefix = arg; break;
	case OPT_PORT: o->port_start = parse_int(arg, "--port-start", 0, 65535); break;
	case OPT_HOST: o->host = arg; break;
	case OPT_CONFIG: o->config_file = arg; break;
	case OPT_MODEL: o->model = arg; break;
	case OPT_COUNT: o->count = parse_int(arg, "--count", 1, MAX_COUNT); break;
	case OPT_TICK: o->tick_ms = parse_int(arg, "--tick-ms", 0, 3600 * 1000); break;
	case OPT_BUSY: o->busy = parse_int(arg, "--busy", 0, 64); break;
	case OPT_HELP: usage(stdout); exit(0);
	case OPT_VERSION: printf("lmcache-demo-node %s\n", PACKAGE_VERSION); exit(0);
	default: usage(stderr); exit(2);
	}
}

static void parse_args(int argc, char **argv, struct demo_options *o)
{
	int c;

	*o = (struct demo_options){ .role = LMCA_ROLE_WORKER, .worker_count = 2, .port_start = -1,
	                            .model = "meta-llama/Llama-3.1-8B-Instruct", .count = 1,
	                            .tick_ms = 200 };
	while ((c = getopt_long(argc, argv, "", long_opts, NULL)) != -1)
		apply_opt(o, c, optarg);
	if (optind < argc) {
		fprintf(stderr, "lmcache-demo-node: unexpected argument '%s'\n", argv[optind]);
		exit(2);
	}
	if (o->count > 1 && o->role == LMCA_ROLE_SCHEDULER) {
		fprintf(stderr, "lmcache-demo-node: --count needs --role worker\n");
		exit(2);
	}
}

int demo_node_setup(struct demo_engine *e, const struct demo_options *o, int index,
                    char **cause);
void demo_node_report(const struct demo_engine *e);

/* Before any thread: block everything but the agent's stack signal and the crashes;
 * signals that end the program are taken with sigwait (wait_for_stop). */
static void block_signals(void)
{
	sigset_t block;

	sigfillset(&block);
	sigdelset(&block, SIGRTMIN + 3);
	sigdelset(&block, SIGSEGV);
	sigdelset(&block, SIGABRT);
	pthread_sigmask(SIG_SETMASK, &block, NULL);
}

static void wait_for_stop(void)
{
	sigset_t stop;
	int sig;

	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGHUP);
	sigwait(&stop, &sig);
	fprintf(stderr, "lmcache-demo-node: %s, stopping\n", strsignal(sig));
}

int main(int argc, char **argv)
{
	struct demo_options o;
	struct demo_engine *engines;
	struct demo_busy *busy = NULL;
	char *cause = NULL;
	int n = 0, rc = 0;

	parse_args(argc, argv, &o);
	block_signals();
	engines = xcalloc((size_t)o.count, sizeof *engines);
	for (n = 0; n < o.count; n++)
		if (demo_node_setup(&engines[n], &o, n, &cause) < 0) {
			fprintf(stderr, "lmcache-demo-node: %s\n", cause);
			free(cause);
			rc = 1;
			break;
		}
	if (rc == 0) {
		if (o.busy > 0)
			busy = demo_busy_start(o.busy, engines[0].agent);
		for (int i = 0; i < n; i++)
			demo_node_report(&engines[i]);
		wait_for_stop();
	}
	demo_busy_stop(busy);
	while (n-- > 0) {
		demo_engine_stop(&engines[n]);
		lmca_agent_free(engines[n].agent);
		demo_engine_free(&engines[n]);
	}
	free(engines);
	return rc;
}
