/* The collector thread: every interval (or when woken) it lists the cluster, then asks every
 * node what the screen needs, all requests at once on one libcurl multi kept between rounds
 * (so its connections are reused), and merges the answers into the model. The screen never
 * waits for the network. */
#include "config.h"
#include "top.h"
#include "agentfmt.h"
#include "http-multi.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum kind { K_METRICS, K_VERSION, K_LMC_VERSION, K_PLUGINS, K_HEALTH, K_TAB };

struct job {
	size_t node; /* index in m->nodes (only the collector changes that array) */
	enum kind kind;
	int tab; /* the tab a K_TAB answer belongs to */
	char *url;
	char *socket;
};

struct collector {
	pthread_t thread;
	struct model *m;
	struct cl_source src;
	struct hm_client *http; /* the collector thread's: connections kept between rounds */
	const struct tab *const *tabs;
};

struct plan {
	struct job *jobs;
	size_t n;
};

static void plan_add(struct plan *p, size_t i, const struct tnode *n, enum kind k, int tab,
		     const char *path)
{
	p->jobs = xreallocarray(p->jobs, p->n + 1, sizeof *p->jobs);
	p->jobs[p->n++] = (struct job){ i, k, tab, xasprintf("%s%s", n->id.url, path),
					 n->id.socket ? xstrdup(n->id.socket) : NULL };
}

/* What to ask each listed node this round. Caller holds the lock. */
static void plan_round(struct model *m, const struct tab *t, struct plan *p)
{

	for (size_t i = 0; i < m->nnodes; i++) {
		const struct tnode *n = &m->nodes[i];
		bool sel = m->selected != NULL && strcmp(m->selected, n->id.name) == 0;

		if (!n->listed)
			continue;
		if (t->all_nodes || sel)
			plan_add(p, i, n, K_METRICS, m->tab, "/metrics");
		if (n->version == NULL && (t->all_nodes || sel))
			plan_add(p, i, n, K_VERSION, m->tab, "/version");
		if (n->lmc_version == NULL && sel)
			plan_add(p, i, n, K_LMC_VERSION, m->tab, "/lmc_version");
		if (sel && n->health_path != NULL)
			plan_add(p, i, n, K_HEALTH, m->tab, n->health_path);
		if (t->all_nodes && (n->plugins < 0 || m->rounds % 15 == 0))
			plan_add(p, i, n, K_PLUGINS, m->tab, "/plugins");
		/* marked nodes too: a bulk action shows each node's current value */
		if ((sel || n->marked) && t->path != NULL)
			plan_add(p, i, n, K_TAB, m->tab, n->tab[m->tab].fallback && t->fallback_path
				 ? t->fallback_path : t->path);
	}
}

static char *failure(const struct hm_res *r)
{
	if (r->err != HM_OK)
		return xstrdup(r->error ? r->error : "request failed");
	if (r->status < 200 || r->status > 299)
		return xasprintf("HTTP %ld", r->status);
	return NULL;
}

static void apply_tab(const struct tab *t, int tab, struct tnode *n, const struct hm_res *r,
		      char *why, double now)
{
	struct tab_data *d = &n->tab[tab];
	char *cause = NULL;
	json_t *doc;

	if (why != NULL && r->status >= 400 && r->status < 500 && !d->fallback &&
	    t->fallback_path != NULL) {
		d->fallback = true; /* asked again at once, the other way */
		return;
	}
	doc = why ? NULL : t->parse(r->body, r->len, &cause);

	free(d->error);
	d->error = why ? text_bounded(why, strlen(why)) : cause;
	if (doc != NULL) {
		json_decref(d->prev);
		d->prev = d->doc;
		d->prev_when = d->when;
		d->doc = doc;
		d->when = now;
	}
}

/* /plugins (an extension: absent on LMCache's servers, then "-"): those found for this node,
 * not the ones skipped for another role, and how many run. */
static void count_plugins(struct tnode *n, const struct hm_res *r)
{
	json_t *doc = json_parse_lenient(r->body, r->len, NULL), *p;
	size_t i;

	n->plugins = json_is_array(doc) ? 0 : -1;
	n->plugins_running = 0;
	json_array_foreach(doc, i, p) {
		const char *st = json_str_member(p, "state", "");

		n->plugins += strcmp(st, "skipped") != 0;
		n->plugins_running += strcmp(st, "running") == 0;
	}
	json_decref(doc);
}

/* Health is a detail, not the state: a node without a health route (LMCache's in-process
 * server has none; its multi-process one answers /api/healthcheck) is up with health
 * unknown. */
static void apply_health(struct tnode *n, const struct hm_res *r)
{
	json_t *doc = json_parse_lenient(r->body, r->len, NULL);
	const char *why = json_str_member(doc, "reason", json_str_member(doc, "status", ""));

	free(n->health);
	if (r->err != HM_OK)
		n->health = xasprintf("unknown (%s)", r->error ? r->error : "no answer");
	else if (r->status == 404 && strcmp(n->health_path, "/healthcheck") == 0) {
		n->health_path = "/api/healthcheck";
		n->health = xstrdup("unknown (no /healthcheck)");
	} else if (r->status == 404) {
		n->health_path = NULL;
		n->health = xstrdup("unknown (the node has no health route)");
	} else if (r->status >= 200 && r->status < 300)
		n->health = xstrdup("healthy");
	else
		n->health = xasprintf("unhealthy (HTTP %ld%s%.80s)", r->status, *why ? ": " : "", why);
	json_decref(doc);
}

static void apply(struct collector *c, const struct job *j, const struct hm_res *r, double now)
{
	struct tnode *n = &c->m->nodes[j->node];
	char *why = failure(r);

	if (j->kind == K_METRICS && why != NULL)
		node_fail(n, why);
	else if (j->kind == K_METRICS) {
		node_ok(n, now);
		node_metrics(n, r->body, r->len, now);
	} else if (j->kind == K_VERSION && why == NULL) {
		node_set_text(&n->version, agentfmt_version(r->body, r->len));
	} else if (j->kind == K_LMC_VERSION && why == NULL) {
		node_set_text(&n->lmc_version, agentfmt_version(r->body, r->len));
	} else if (j->kind == K_PLUGINS && why == NULL) {
		count_plugins(n, r);
	} else if (j->kind == K_HEALTH) {
		apply_health(n, r);
	} else if (j->kind == K_TAB) {
		apply_tab(c->tabs[j->tab], j->tab, n, r, why, now);
	}
	free(why);
}

struct round {
	struct collector *c;
	struct plan *p;
};

/* Each answer goes into the model as it arrives and its body is freed at once: a round over
 * thousands of nodes with big answers holds only the ones in flight. */
static void answered(size_t i, const struct hm_res *res, void *arg)
{
	struct round *r = arg;
	struct hm_res *done = (struct hm_res *)res;

	pthread_mutex_lock(&r->c->m->lock);
	apply(r->c, &r->p->jobs[i], res, now_mono());
	pthread_mutex_unlock(&r->c->m->lock);
	hm_res_free(done);
}

static void run_plan(struct collector *c, struct plan *p, long tmo)
{
	struct hm_req *reqs = xcalloc(p->n + 1, sizeof *reqs);
	struct hm_res *res = xcalloc(p->n + 1, sizeof *res);
	struct round r = { c, p };

	for (size_t i = 0; i < p->n; i++)
		reqs[i] = (struct hm_req){ .url = p->jobs[i].url, .unix_socket = p->jobs[i].socket,
					   .timeout_ms = tmo };
	hm_client_run(c->http, reqs, res, p->n, 64, answered, &r);
	for (size_t i = 0; i < p->n; i++) {
		hm_res_free(&res[i]);
		free(p->jobs[i].url);
		free(p->jobs[i].socket);
	}
	free(p->jobs);
	free(reqs);
	free(res);
}

/* A request timeout that keeps a round within about one interval. */
static long timeout_ms(double interval)
{
	double t = interval * 1000 * 0.8;

	return t < 1000 ? 1000 : t > 5000 ? 5000 : (long)t;
}

static void collect_round(struct collector *c, double interval)
{
	struct cl_listing l;
	struct plan p = { 0 };
	char *cause = NULL;

	if (cluster_list(&c->src, &l, &cause) < 0) {
		l = (struct cl_listing){ .error = cause };
	}
	pthread_mutex_lock(&c->m->lock);
	top_model_merge(c->m, &l);
	plan_round(c->m, c->tabs[c->m->tab], &p);
	pthread_mutex_unlock(&c->m->lock);
	run_plan(c, &p, timeout_ms(interval));
}

/* The message of an action's answer: the server's errors, else its first line; false when
 * it failed. */
static bool action_result(const struct action *a, const struct hm_res *r, char **msg)
{
	char *why = failure(r);
	json_t *doc = json_parse_lenient(r->body, r->len, NULL);
	json_t *errs = json_object_get(doc, "errors");
	char *line = xstrndup(r->body, strcspn(r->body, "\n"));
	bool ok = false;

	if (json_is_object(errs) && json_object_size(errs) > 0) {
		char *e = json_to_text(errs);

		*msg = xasprintf("%s: %s", a->what, e);
		free(e);
	} else if (why != NULL) {
		*msg = xasprintf("%s failed: %s%s%s", a->what, why, *line ? ": " : "", line);
	} else {
		ok = true;
		*msg = json_object_size(json_object_get(doc, "updated")) > 0
			? xasprintf("%s: updated", a->what)
			: xasprintf("%s: %s", a->what, *line ? line : "ok");
	}
	free(line);
	free(why);
	json_decref(doc);
	return ok;
}

/* One request of an action; false when it failed. The message goes to *msg. */
static bool send_one(struct collector *c, const struct action *a, char **msg)
{
	struct hm_req req = { .method = a->method, .body = a->body,
			      .body_len = a->body ? strlen(a->body) : 0 };
	struct hm_res res = { 0 };
	char *url = NULL, *sock = NULL;
	bool ok = false;

	pthread_mutex_lock(&c->m->lock);
	struct tnode *n = top_model_find(c->m, a->node);

	if (n != NULL) {
		url = xasprintf("%s%s", n->id.url, a->path);
		sock = n->id.socket ? xstrdup(n->id.socket) : NULL;
	}
	pthread_mutex_unlock(&c->m->lock);
	if (url == NULL) {
		*msg = xasprintf("%s: node %s is gone", a->what, a->node);
		return false;
	}
	req.url = url;
	req.unix_socket = sock;
	hm_client_run(c->http, &req, &res, 1, 1, NULL, NULL);
	ok = action_result(a, &res, msg);
	hm_res_free(&res);
	free(url);
	free(sock);
	return ok;
}

/* An action, or a bulk action (a chain): one result per node, one summary line. */
static void do_action(struct collector *c, struct action *a)
{
	size_t n = 0, bad = 0;

	pthread_mutex_lock(&c->m->lock);
	top_model_results_clear(c->m);
	pthread_mutex_unlock(&c->m->lock);
	for (struct action *p = a; p != NULL; p = p->next, n++) {
		char *msg;
		bool ok = send_one(c, p, &msg);

		bad += !ok;
		pthread_mutex_lock(&c->m->lock);
		if (a->next == NULL)
			top_model_status(c->m, !ok, "%s", msg);
		else
			top_model_result(c->m, !ok, "%s", msg);
		pthread_mutex_unlock(&c->m->lock);
		free(msg);
	}
	pthread_mutex_lock(&c->m->lock);
	if (n > 1)
		c->m->results_ready = true;
	if (n > 1)
		top_model_status(c->m, bad > 0, "%zu of %zu done%s (R shows each result)",
			     n - bad, n, bad ? ", failures" : "");
	pthread_mutex_unlock(&c->m->lock);
	action_free(a);
}

static void wait_tick(struct model *m)
{
	struct timespec ts;
	double until = now_mono() + m->interval;

	while (!m->stop && !m->refresh_now && m->pending == NULL) {
		if (m->paused) {
			pthread_cond_wait(&m->wake, &m->lock);
			continue;
		}
		ts.tv_sec = (time_t)until;
		ts.tv_nsec = (long)((until - (double)ts.tv_sec) * 1e9);
		if (pthread_cond_timedwait(&m->wake, &m->lock, &ts) == ETIMEDOUT)
			return;
	}
}

static void *collector_main(void *arg)
{
	struct collector *c = arg;
	struct model *m = c->m;

	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		struct action *a = m->pending;
		double interval = m->interval;

		m->pending = NULL;
		m->refresh_now = false;
		pthread_mutex_unlock(&m->lock);
		if (a != NULL)
			do_action(c, a);
		collect_round(c, interval);
		pthread_mutex_lock(&m->lock);
		m->rounds++;
		top_model_notify(m);
		wait_tick(m);
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

struct collector *collector_start(struct model *m, const struct cl_source *src,
				  const struct tab *const *tabs)
{
	struct collector *c = xcalloc(1, sizeof *c);
	sigset_t all, old;

	c->m = m;
	c->tabs = tabs;
	c->src = *src;
	c->http = hm_client_new();
	c->src.http = c->http; /* the walk reuses the collector's connections */
	sigfillset(&all); /* signals (SIGWINCH, SIGINT) belong to the screen thread */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&c->thread, NULL, collector_main, c) != 0) {
		hm_client_free(c->http);
		free(c);
		c = NULL;
	}
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return c;
}

void collector_stop(struct collector *c)
{
	pthread_mutex_lock(&c->m->lock);
	c->m->stop = true;
	pthread_cond_signal(&c->m->wake);
	pthread_mutex_unlock(&c->m->lock);
	pthread_join(c->thread, NULL);
	hm_client_free(c->http);
	free(c);
}
