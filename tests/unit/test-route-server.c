/* The server through the public API: two agents in one process on ephemeral TCP ports,
 * host routes, restart, and the stack signal rules. */
#include "config.h"
#include "lmcagent.h"
#include "raw-http.h"
#include "tap.h"

#include <arpa/inet.h>
#include <pthread.h>
#include <dirent.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static void hello(lmca_agent *agent, const lmca_request *req, lmca_response *res, void *arg)
{
	const char *who = lmca_request_arg(req, "who");
	char body[128];

	(void)agent;
	snprintf(body, sizeof body, "%s %s %s", (const char *)arg, lmca_request_method(req),
	         who ? who : "-");
	lmca_respond(res, 200, "text/plain", body, strlen(body));
}

/* Whether every MHD thread blocks SIGTERM and leaves the stack signal deliverable. */
static bool server_threads_masked(int stack_signal)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int found = 0, good = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		char path[300], text[4096], *p;
		unsigned long long mask;
		size_t n;
		FILE *f;

		snprintf(path, sizeof path, "/proc/self/task/%s/status", de->d_name);
		if (de->d_name[0] == '.' || (f = fopen(path, "r")) == NULL)
			continue;
		n = fread(text, 1, sizeof text - 1, f);
		fclose(f);
		text[n] = '\0';
		if (strstr(text, "Name:\tMHD") == NULL || (p = strstr(text, "SigBlk:")) == NULL)
			continue;
		found++;
		mask = strtoull(p + 7, NULL, 16);
		if (((mask >> (SIGTERM - 1)) & 1) && !((mask >> (stack_signal - 1)) & 1))
			good++;
		else
			printf("# thread %s blocks %llx\n", de->d_name, mask);
	}
	if (d != NULL)
		closedir(d);
	return found > 0 && good == found;
}

static lmca_agent *tcp_agent(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_SCHEDULER, -1, 1, NULL);

	lmca_conf_set(a, "internal_api_server_enabled", "true", NULL);
	lmca_conf_set(a, "internal_api_server_port_start", "0", NULL);
	return a;
}

static bool contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

static void test_two_agents(void)
{
	lmca_agent *a = tcp_agent(), *b = tcp_agent();
	char *cause = NULL, *r;
	int pa, pb;

	is_int(lmca_agent_bound_port(a), -1, "no port before start");
	ok(lmca_agent_add_route(a, "GET", "/hello", hello, "A", NULL) == 0, "host route added");
	ok(lmca_agent_add_route(a, "GET", "/metrics", hello, "A", &cause) < 0 && cause,
	   "a built-in cannot be replaced");
	free(cause);
	ok(lmca_agent_start(a, NULL) == 0 && lmca_agent_start(b, NULL) == 0, "both start");
	/* MHD names its threads once they run; give a loaded machine time to get there. */
	for (int i = 0; i < 100 && !server_threads_masked(SIGRTMIN + 3); i++)
		usleep(20000);
	ok(server_threads_masked(SIGRTMIN + 3), "server threads block signals but the stack one");
	pa = lmca_agent_bound_port(a);
	pb = lmca_agent_bound_port(b);
	ok(pa > 0 && pb > 0 && pa != pb, "each agent has its own ephemeral port");
	r = raw_http(pa, "GET", "/hello?who=me");
	ok(contains(r, "200 OK") && contains(r, "A GET me"), "host route answers on A");
	free(r);
	r = raw_http(pb, "GET", "/hello");
	ok(contains(r, "404") && contains(r, "{\"detail\":\"Not Found\"}"), "B does not have A's route");
	free(r);
	r = raw_http(pb, "GET", "/version");
	ok(contains(r, "200 OK") && contains(r, "\"" PACKAGE_VERSION "-unknown\""), "B serves /version");
	free(r);
	lmca_agent_stop(a);
	is_int(lmca_agent_bound_port(a), -1, "no port after stop");
	ok(raw_http(pa, "GET", "/version") == NULL, "nothing listens after stop");
	ok(lmca_agent_start(a, NULL) == 0, "restart");
	r = raw_http(lmca_agent_bound_port(a), "GET", "/hello");
	ok(contains(r, "A GET -"), "host routes survive a restart");
	free(r);
	lmca_agent_free(a);
	lmca_agent_free(b);
}

static void on_usr1(int signo) { (void)signo; }

static int parked[2];

/* A thread that waits on a pipe, with every signal blocked or none. */
static void *park(void *arg)
{
	sigset_t set;
	char c;

	if (arg != NULL)
		sigfillset(&set);
	else
		sigemptyset(&set);
	pthread_sigmask(SIG_SETMASK, &set, NULL);
	if (read(parked[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static void test_threads(void)
{
	lmca_agent *a = tcp_agent();
	pthread_t blocked, open;
	char *r;

	ok(pipe(parked) == 0, "pipe");
	pthread_create(&blocked, NULL, park, "blocked");
	pthread_create(&open, NULL, park, NULL);
	pthread_setname_np(blocked, "parked-blocked");
	pthread_setname_np(open, "parked-open");
	lmca_agent_start(a, NULL);
	r = raw_http(lmca_agent_bound_port(a), "GET", "/threads?name=PARKED-BLOCKED");
	ok(contains(r, "Thread: <Thread(parked-blocked,") &&
	   contains(r, "No stack trace available") && contains(r, "Total threads: 1"),
	   "a thread that blocks the signal has no stack, and the others still answer");
	free(r);
	/* On a loaded machine the new thread may not run within the capture's timeout the
	 * first time: a few tries, each a full request. */
	r = NULL;
	for (int try = 0; try < 5 && !(contains(r, "read+") || contains(r, "__read")); try++) {
		free(r);
		r = raw_http(lmca_agent_bound_port(a), "GET", "/threads?name=parked-open");
	}
	ok(contains(r, "Stack trace:\r\n") || contains(r, "Stack trace:\n"), "an open thread has a stack");
	if (!ok(contains(r, "read+") || contains(r, "__read"), "its innermost frames are the read it waits in"))
		printf("# response:\n%s\n", r ? r : "(none)");
	free(r);
	close(parked[1]);
	pthread_join(blocked, NULL);
	pthread_join(open, NULL);
	close(parked[0]);
	lmca_agent_free(a);
}

static void test_stack_signal(void)
{
	lmca_agent *a = tcp_agent();
	char *cause = NULL;

	signal(SIGUSR1, on_usr1);
	ok(lmca_agent_set_stack_signal(a, SIGUSR1, &cause) < 0 && cause,
	   "a signal the host handles is refused");
	free(cause);
	cause = NULL;
	ok(lmca_agent_set_stack_signal(a, SIGKILL, &cause) < 0, "SIGKILL is refused");
	free(cause);
	ok(lmca_agent_set_stack_signal(a, SIGRTMIN + 5, NULL) == 0, "a free signal is taken");
	ok(lmca_agent_start(a, NULL) == 0, "start with it");
	{
		struct sigaction sa;

		sigaction(SIGRTMIN + 5, NULL, &sa);
		ok((sa.sa_flags & SA_SIGINFO) != 0, "capture handler installed while serving");
		lmca_agent_stop(a);
		sigaction(SIGRTMIN + 5, NULL, &sa);
		ok(!(sa.sa_flags & SA_SIGINFO) && sa.sa_handler == SIG_DFL,
		   "previous disposition restored at stop");
	}
	ok(lmca_agent_set_stack_signal(a, 0, NULL) == 0, "0 disables capture");
	lmca_agent_free(a);
}

static void test_disabled(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_WORKER, 0, 1, NULL);

	lmca_conf_set(a, "internal_api_server_port_start", "0", NULL);
	ok(lmca_agent_start(a, NULL) == 0, "start without the server enabled succeeds");
	is_int(lmca_agent_bound_port(a), -1, "and listens nowhere");
	lmca_agent_free(a);
}

int main(void)
{
	no_plan();
	test_two_agents();
	test_stack_signal();
	test_disabled();
	test_threads();
	return done_testing();
}
