/* Running a command: reach the cluster, select the targets, hand over to the command;
 * with --watch, again every interval until interrupted (or stdout closes), like watch(1).
 * --timeout bounds the whole run: listings and requests get what is left of it, and an
 * alarm ends a run that is still busy (parsing a huge answer, say) just after it. */
#include "config.h"
#include "cli.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define ALARM_GRACE_MS 500 /* after the deadline: room for the last results to be printed */

static void on_alarm(int sig)
{
	static const char msg[] = "lmcctl: timed out (--timeout bounds the whole command)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof msg - 1) < 0) {
		/* nothing left to tell */
	}
	_exit(LMC_EXIT_TIMEOUT);
}

/* The alarm at the deadline plus grace; ms 0 cancels it. */
static void set_alarm(long ms)
{
	struct itimerval it = { .it_value = { .tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000 } };

	signal(SIGALRM, on_alarm);
	setitimer(ITIMER_REAL, &it, NULL);
}

static int run_once(struct ctx *c)
{
	int rc;

	c->deadline_ms = now_ms() + c->o.timeout_ms;
	if (!(c->cmd->flags & CMD_WATCHES)) /* wait keeps its own time */
		set_alarm(c->o.timeout_ms + ALARM_GRACE_MS);
	if (c->cmd->flags & CMD_NO_NODES)
		rc = c->cmd->exec(c);
	else if ((rc = cluster_load(c)) == 0 && (rc = select_nodes(c)) == 0)
		rc = c->cmd->exec(c);
	set_alarm(0);
	return rc;
}

void sleep_ms(long ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) != 0)
		;
}

static void watch_header(const struct ctx *c)
{
	char when[64];
	time_t t = time(NULL);

	strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", localtime(&t));
	if (isatty(STDOUT_FILENO))
		printf("\033[H\033[2JEvery %.1fs: lmcctl %s%s%s    %s\n\n", c->o.watch_ms / 1000.0,
		       c->cmd->name, c->cmd->sub ? " " : "", c->cmd->sub ? c->cmd->sub : "", when);
	fflush(stdout);
}

int cli_run(struct ctx *c)
{
	int rc;

	if (c->o.watch_ms <= 0 || (c->cmd->flags & CMD_WATCHES))
		return run_once(c);
	for (bool first = true;; first = false) {
		if (!first && !isatty(STDOUT_FILENO))
			putchar('\n'); /* rounds apart in a pipe or file */
		watch_header(c);
		rc = run_once(c);
		fflush(stdout);
		cli_free(c);
		sleep_ms(c->o.watch_ms);
	}
	return rc;
}

void cli_free(struct ctx *c)
{
	for (size_t i = 0; i < c->nnodes; i++)
		cluster_node_free(&c->nodes[i]);
	free(c->nodes);
	free(c->sel);
	c->nodes = NULL;
	c->sel = NULL;
	c->nnodes = c->nsel = 0;
	c->listing_code = 0;
}
