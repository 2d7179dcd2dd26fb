/* A driver for the heartbeat client (src/common/heartbeat.c), for the bats tests: runs the
 * client with the given settings, keeps its status in a JSON file, and on SIGTERM stops it
 * with deregistration (SIGQUIT: without). SIGUSR1 stops and starts it again at run time. */
#include "config.h"

#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "heartbeat.h"
#include "xalloc.h"

static int nodes_count;

static void refresh(json_t *info, char **version, void *arg)
{
	json_object_set_new(info, "nodes_count", json_integer(nodes_count));
	json_object_set_new(info, "driver", json_string("heartbeat-client"));
}

static void write_status(struct heartbeat *hb, const char *path)
{
	char *tmp = xasprintf("%s.tmp", path);
	json_t *st = heartbeat_status(hb);

	if (json_dump_file(st, tmp, JSON_COMPACT) == 0)
		rename(tmp, path);
	json_decref(st);
	free(tmp);
}

static int parse(int argc, char **argv, struct heartbeat_config *cfg, const char **status)
{
	static const struct option longopts[] = {
		{ "url", required_argument, NULL, 'u' },
		{ "interval", required_argument, NULL, 'i' },
		{ "initial-delay", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'p' },
		{ "api-address", required_argument, NULL, 'a' },
		{ "version", required_argument, NULL, 'v' },
		{ "nodes-count", required_argument, NULL, 'n' },
		{ "status-file", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'u': cfg->url = optarg; break;
		case 'i': cfg->interval = atoi(optarg); break;
		case 'd': cfg->initial_delay = atoi(optarg); break;
		case 'p': cfg->port = atoi(optarg); break;
		case 'a': cfg->api_address = optarg; break;
		case 'v': cfg->version = optarg; break;
		case 'n': nodes_count = atoi(optarg); break;
		case 's': *status = optarg; break;
		default: return -1;
		}
	}
	return *status ? 0 : -1;
}

/* Keeps the status file fresh until a stop signal, which it returns (-1: no restart). */
static int run(struct heartbeat *hb, const struct heartbeat_config *cfg, const sigset_t *set,
	       const char *status)
{
	struct timespec tick = { 0, 100 * 1000000L };
	char *why = NULL;
	int sig;

	for (;;) {
		write_status(hb, status);
		sig = sigtimedwait(set, NULL, &tick);
		if (sig == SIGUSR1) {
			heartbeat_stop(hb, false);
			write_status(hb, status);
			if (heartbeat_restart(hb, cfg, &why) < 0)
				return -1;
		} else if (sig > 0) {
			return sig;
		}
	}
}

int main(int argc, char **argv)
{
	struct heartbeat_config cfg = { .port = 8000, .refresh = refresh };
	const char *status = NULL;
	struct heartbeat *hb;
	char *why = NULL;
	sigset_t set;
	int sig;

	if (parse(argc, argv, &cfg, &status) < 0) {
		fprintf(stderr, "usage: heartbeat-client --url URL --status-file PATH [...]\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGQUIT);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	hb = heartbeat_new();
	if (heartbeat_restart(hb, &cfg, &why) < 0) {
		fprintf(stderr, "heartbeat-client: %s\n", why);
		free(why);
		heartbeat_free(hb);
		return 1;
	}
	if ((sig = run(hb, &cfg, &set, status)) < 0)
		return 1;
	heartbeat_stop(hb, sig != SIGQUIT);
	write_status(hb, status);
	heartbeat_free(hb);
	return 0;
}
