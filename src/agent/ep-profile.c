/* GET /profile (extension): samples every thread's stack for `seconds` (1..30, default 10)
 * at `hz` (1..1000, default 99) and answers in the folded format flamegraph.pl, speedscope
 * and inferno read, one "thread;outer;...;inner count" line per distinct stack. `cpu=off`
 * folds the off-CPU (sleeping, waiting) threads' stacks instead of the running ones';
 * `format=json` gives per-function self/total counts of both. One profile runs at a time
 * in the process: 409 while one is running. */
#include "config.h"
#include "server.h"
#include "profile.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* An integer argument in [min, max], or def when absent; -1 when malformed. */
static int int_arg(const lmca_request *req, const char *name, int def, int min, int max)
{
	const char *text = lmca_request_arg(req, name);
	char *end;
	long v;

	if (text == NULL || *text == '\0')
		return def;
	v = strtol(text, &end, 10);
	return *end == '\0' && v >= min && v <= max ? (int)v : -1;
}

static json_t *part_json(const struct prof_stack *s, size_t n)
{
	return json_pack("{s:I, s:o}", "samples", (json_int_t)prof_samples(s, n), "functions",
	                 prof_functions(s, n));
}

static void answer_json(lmca_response *res, const struct prof_result *r)
{
	json_t *v = json_pack("{s:i, s:i, s:I, s:I, s:I, s:o, s:o}", "seconds", r->seconds,
	                      "hz", r->hz, "ticks", (json_int_t)r->ticks, "late",
	                      (json_int_t)r->late, "dropped", (json_int_t)r->dropped,
	                      "on_cpu", part_json(r->on, r->non), "off_cpu",
	                      part_json(r->off, r->noff));

	respond_json(res, 200, "application/json", v, 2);
	json_decref(v);
}

/* Which answer was asked for: 0 folded on-CPU, 1 folded off-CPU, 2 JSON; -1 unknown. */
static int answer_kind(const lmca_request *req)
{
	const char *format = lmca_request_arg(req, "format"), *cpu = lmca_request_arg(req, "cpu");

	if (format != NULL && strcmp(format, "json") == 0)
		return cpu == NULL ? 2 : -1;
	if (format != NULL && strcmp(format, "folded") != 0)
		return -1;
	if (cpu == NULL || strcmp(cpu, "on") == 0)
		return 0;
	return strcmp(cpu, "off") == 0 ? 1 : -1;
}

/* A profile to take on its worker thread (respond_later). */
struct profile_job {
	int signo, seconds, hz, kind;
};

static void take_profile(lmca_agent *agent, void *arg, lmca_response *res)
{
	struct profile_job *job = arg;
	struct prof_result *r = profile_run(job->signo, job->seconds, job->hz);

	(void)agent;
	profile_end();
	if (job->kind == 2)
		answer_json(res, r);
	else
		respond_owned(res, 200, NULL, job->kind == 0 ? prof_folded(r->on, r->non)
		                                             : prof_folded(r->off, r->noff));
	prof_result_free(r);
	free(job);
}

static void get_profile(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	int seconds = int_arg(req, "seconds", 10, 1, PROFILE_MAX_SECONDS);
	int hz = int_arg(req, "hz", 99, 1, PROFILE_MAX_HZ), kind = answer_kind(req);
	int signo = server_stack_signal(agent);
	struct profile_job *job;

	if (seconds < 0 || hz < 0 || kind < 0) {
		lmca_respond_error(res, 400, "Bad Request",
		                   "seconds must be 1..30, hz 1..1000, format folded or json, "
		                   "cpu on or off (folded only)");
		return;
	}
	if (signo == 0) {
		lmca_respond_error(res, 503, "Service Unavailable",
		                   "stack capture is off in this host");
		return;
	}
	if (!profile_begin()) {
		lmca_respond_error(res, 409, "Conflict", "a profile is already running; try later");
		return;
	}
	job = xmalloc(sizeof *job);
	*job = (struct profile_job){ signo, seconds, hz, kind };
	respond_later(agent, req, res, take_profile, job);
}

static const struct endpoint endpoints[] = {
	/* An operator's: it costs the host CPU for seconds (on a worker thread, holding no
	 * server thread: respond_later). */
	{ "GET", "/profile", get_profile, SRV_ROLE_OPERATOR, NULL },
	{ 0 },
};

const struct endpoint_family ep_profile = { "profile", endpoints };
