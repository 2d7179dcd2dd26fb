/* The Threads tab's hot view: the selected node's hottest functions, like perf top. While
 * the view is drawn, a thread of its own runs GET /profile?format=json on that node back to
 * back, each over one refresh interval, and keeps the latest answer; the view shows it. The
 * thread ends once the view has not been drawn for two intervals, so the node is profiled
 * only while someone looks. */
#include "config.h"
#include "hot.h"
#include "http-multi.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static struct {
	pthread_mutex_t lock;
	pthread_t thread;
	bool started, running, stopping;
	char *node, *url, *socket; /* the target */
	int seconds;
	double drawn; /* when the view last asked */
	struct hot_result latest;
} hot = { .lock = PTHREAD_MUTEX_INITIALIZER };

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result_clear(struct hot_result *r)
{
	json_decref(r->functions);
	free(r->node);
	free(r->error);
	memset(r, 0, sizeof *r);
}

/* The answer of one profile as a result (functions of the running threads). */
static void read_answer(const struct hm_res *res, struct hot_result *r)
{
	json_t *doc = NULL, *on;

	if (res->err != HM_OK)
		r->error = xstrdup(res->error ? res->error : "no answer");
	else if (res->status == 404)
		r->error = xstrdup("this node has no /profile (not lmcache-tools' agent)");
	else if (res->status != 200)
		r->error = xasprintf("/profile answered %ld: %.80s", res->status, res->body);
	else if ((doc = json_loadb(res->body, res->len, 0, NULL)) == NULL ||
		 !json_is_object(on = json_object_get(doc, "on_cpu")))
		r->error = xstrdup("/profile: not a profile");
	else {
		r->samples = (long)json_integer_value(json_object_get(on, "samples"));
		r->functions = json_incref(json_object_get(on, "functions"));
	}
	json_decref(doc);
}

/* Runs one profile of the current target; false when the thread should end. */
static bool profile_once(void)
{
	struct hm_res res = { 0 };
	struct hot_result r = { 0 };
	struct hm_req req = { 0 };
	char *node, *url;
	bool go;

	pthread_mutex_lock(&hot.lock);
	go = !hot.stopping && hot.node != NULL && now_s() - hot.drawn < 2.0 * hot.seconds + 1;
	hot.running = go;
	node = go ? xstrdup(hot.node) : NULL;
	url = go ? xasprintf("%s/profile?seconds=%d&hz=99&format=json", hot.url, hot.seconds)
		 : NULL;
	req.unix_socket = go && hot.socket ? xstrdup(hot.socket) : NULL;
	req.timeout_ms = (hot.seconds + 10) * 1000L;
	pthread_mutex_unlock(&hot.lock);
	if (!go)
		return false;
	req.url = url;
	hm_run(&req, &res, 1, 1);
	read_answer(&res, &r);
	r.node = node;
	r.when = now_s();
	pthread_mutex_lock(&hot.lock);
	if (hot.node != NULL && strcmp(hot.node, node) == 0) {
		r.seq = hot.latest.seq + 1;
		result_clear(&hot.latest);
		hot.latest = r;
	} else {
		result_clear(&r);
	}
	pthread_mutex_unlock(&hot.lock);
	hm_res_free(&res);
	free(url);
	free((char *)req.unix_socket);
	return true;
}

static void *hot_loop(void *arg)
{
	(void)arg;
	while (profile_once())
		; /* an error answer (a node without /profile) is as slow as the view's refresh */
	return NULL;
}

static void set_target(const char *node, const char *url, const char *socket)
{
	if (hot.node != NULL && strcmp(hot.node, node) == 0)
		return;
	free(hot.node);
	free(hot.url);
	free(hot.socket);
	hot.node = xstrdup(node);
	hot.url = xstrdup(url);
	hot.socket = socket ? xstrdup(socket) : NULL;
	result_clear(&hot.latest);
}

void hot_follow(const char *node, const char *url, const char *socket, int seconds)
{
	pthread_mutex_lock(&hot.lock);
	set_target(node, url, socket);
	hot.seconds = seconds < 1 ? 1 : seconds > 10 ? 10 : seconds;
	hot.drawn = now_s();
	if (!hot.running && !hot.stopping) {
		if (hot.started)
			pthread_join(hot.thread, NULL); /* it ended on its own */
		hot.started = pthread_create(&hot.thread, NULL, hot_loop, NULL) == 0;
		hot.running = hot.started;
	}
	pthread_mutex_unlock(&hot.lock);
}

void hot_latest(const char *node, struct hot_result *out)
{
	memset(out, 0, sizeof *out);
	pthread_mutex_lock(&hot.lock);
	if (hot.latest.node != NULL && strcmp(hot.latest.node, node) == 0) {
		out->functions = json_incref(hot.latest.functions);
		out->samples = hot.latest.samples;
		out->when = hot.latest.when;
		out->seq = hot.latest.seq;
		out->node = xstrdup(hot.latest.node);
		out->error = hot.latest.error ? xstrdup(hot.latest.error) : NULL;
	}
	pthread_mutex_unlock(&hot.lock);
}

void hot_result_free(struct hot_result *r) { result_clear(r); }

void hot_shutdown(void)
{
	bool started;

	pthread_mutex_lock(&hot.lock);
	hot.stopping = true;
	started = hot.started;
	hot.started = false;
	pthread_mutex_unlock(&hot.lock);
	if (started)
		pthread_join(hot.thread, NULL); /* at most one profile: one refresh interval */
	pthread_mutex_lock(&hot.lock);
	free(hot.node);
	free(hot.url);
	free(hot.socket);
	hot.node = hot.url = hot.socket = NULL;
	result_clear(&hot.latest);
	pthread_mutex_unlock(&hot.lock);
}
