/* idlehost: an idle host process for the agent's idle-cost benchmark. "idlehost agent"
 * embeds liblmcagent (configured from LMCACHE_* variables, as LMCache hosts are) and starts
 * it; "idlehost none" is the same host without the agent. Either prints "ready" and then
 * waits for SIGTERM or SIGINT, doing nothing, so any wake-up or memory is the agent's. */
#include "config.h"
#include "lmcagent.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static lmca_agent *start_agent(void)
{
	char *cause = NULL;
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_SCHEDULER, -1, 1, &cause);

	if (a && lmca_agent_load_config(a, &cause) == 0 && lmca_agent_start(a, &cause) == 0)
		return a;
	fprintf(stderr, "idlehost: %s\n", cause ? cause : "cannot start the agent");
	free(cause);
	lmca_agent_free(a);
	exit(1);
}

int main(int argc, char **argv)
{
	lmca_agent *a = NULL;
	sigset_t set;
	int sig;

	if (argc != 2 || (strcmp(argv[1], "agent") != 0 && strcmp(argv[1], "none") != 0)) {
		fputs("usage: idlehost agent|none\n", stderr);
		return 2;
	}
	/* Blocked before the agent starts its threads, so they inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	if (strcmp(argv[1], "agent") == 0)
		a = start_agent();
	puts("ready");
	fflush(stdout);
	sigwait(&set, &sig);
	lmca_agent_free(a);
	return 0;
}
