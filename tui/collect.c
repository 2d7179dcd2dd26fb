/* The collector thread: every interval (or when woken) it lists the cluster, then asks what
 * the screen needs, all requests at once on one libcurl multi kept between rounds (so its
 * connections are reused), and merges the answers into the model. The Overview's numbers of
 * every node come from one merged /metrics per frontend (scrape.c), asked only for what the
 * summaries keep; a node whose frontend has none is asked on its own. The screen never waits
 * for the network. */
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

/* K_METRICS: a node's own /metrics for its summary (and whole, when selected); K_FULL: the
 * whole /metrics of the selected node whose summary comes from its frontend; K_MERGED: a
 * frontend's merged /metrics. */
enum kind { K_METRICS, K_FULL, K_MERGED, K_VERSION, K_LMC_VERSION, K_PLUGINS, K_HEALTH, K_TAB };

struct job {
	size_t node; /* index in m->nodes (only the collector changes that array); K_MERGED:
		      * index in the collector's sources */
	enum kind kind;
	int tab; /* the tab a K_TAB answer belongs to */
	bool keep; /* K_METRICS: keep the whole exposition (the selected node) */
	char *url;
	char *socket;
};

/* A frontend's merged /metrics is asked again this many rounds after it was found missing
 * (the frontend may have been upgraded). */
#define PROBE_ROUNDS 30

/* The node listing (the registry, then every frontend's /api/nodes) is read again every
 * RELIST_ROUNDS rounds, and in the round after any sign that it changed: a listing that
 * failed, a frontend that could not be reached, a merged /metrics that leaves out a listed
 * node or names one not listed, the refresh key. At 4,096 nodes behind 64 frontends it was
 * a third of the collector's work each round, for an answer that seldom changes. */
#define RELIST_ROUNDS 5

/* Where a merged /metrics is: a frontend, or a proxy frontend behind a central one. */
struct source {
	char *url;
	unsigned long per_node_since; /* round it was found missing +1; 0: not missing */
	bool asked;		      /* this round */
};

struct collector {
	pthread_t thread;
	struct model *m;
	struct cl_source src;
	struct hm_client *http; /* the collector thread's: connections kept between rounds */
	const struct tab *const *tabs;
	struct source *sources;
	size_t nsources;
	char *scrape_path;	/* /metrics?name=... */
	unsigned long listed_at; /* the round (1-based) the listing was last read; 0: never */
	bool relist;		 /* read it again next round */
};

struct plan {
	struct job *jobs;
	size_t n;
};

static struct job *plan_add(struct plan *p, size_t i, const struct tnode *n, enum kind k,
			     int tab, const char *path)
{
	p->jobs = xreallocarray(p->jobs, p->n + 1, sizeof *p->jobs);
	p->jobs[p->n++] = (struct job){ i, k, tab, false, xasprintf("%s%s", n->id.url, path),
					 n->id.socket ? xstrdup(n->id.socket) : NULL };
	return &p->jobs[p->n - 1];
}

/* The source of node n this round (its index, -1: none), asked this round unless it has
 * no merged /metrics. */
static int source_of(struct collector *c, struct tnode *n)
{
	size_t i = 0;

	if (n->source == NULL && (n->source = node_source_of(n)) == NULL)
		return -1;
	if (n->src >= 0 && (size_t)n->src < c->nsources && strcmp(c->sources[n->src].url,
								       n->source) == 0)
		i = (size_t)n->src; /* the usual case: where it was last round */
	while (i < c->nsources && strcmp(c->sources[i].url, n->source) != 0)
		i++;
	if (i == c->nsources) {
		c->sources = xreallocarray(c->sources, ++c->nsources, sizeof *c->sources);
		c->sources[i] = (struct source){ xstrdup(n->source), 0, false };
	}
	if (c->sources[i].per_node_since > 0 &&
	    c->m->rounds + 1 - c->sources[i].per_node_since < PROBE_ROUNDS)
		return -1;
	c->sources[i].asked = true;
	return (int)i;
}

/* A node's /metrics this round: from its frontend's merged one (the Overview), or its own;
 * the whole of it for the selected node. */
static void plan_metrics(struct collector *c, struct plan *p, size_t i, bool all, bool sel)
{
	struct tnode *n = &c->m->nodes[i];

	n->src = all ? source_of(c, n) : -1;
	n->covered = false;
	if (!sel)
		node_drop_full(n);
	if (n->src >= 0 && sel)
		plan_add(p, i, n, K_FULL, 0, "/metrics");
	else if (n->src < 0 && (all || sel))
		plan_add(p, i, n, K_METRICS, 0, "/metrics")->keep = sel;
}

/* The merged /metrics of every source a node was given to this round. */
static void plan_sources(struct collector *c, struct plan *p)
{
	for (size_t s = 0; s < c->nsources; s++) {
		if (!c->sources[s].asked)
			continue;
		c->sources[s].asked = false;
		p->jobs = xreallocarray(p->jobs, p->n + 1, sizeof *p->jobs);
		p->jobs[p->n++] = (struct job){ s, K_MERGED, 0, false,
			xasprintf("%s%s", c->sources[s].url, c->scrape_path), NULL };
	}
}

/* Plugins change seldom: a node's are asked once, then every PLUGINS_ROUNDS rounds while
 * its row is on the screen, ten times less often otherwise (thousands of nodes, a few dozen
 * rows). */
#define PLUGINS_ROUNDS 15

static bool plugins_due(const struct model *m, struct tnode *n)
{
	unsigned long now = m->rounds + 1, every = PLUGINS_ROUNDS;

	if (n->drawn + 1 < now)
		every *= 10;
	if (n->plugins_asked != 0 && now - n->plugins_asked < every)
		return false;
	n->plugins_asked = now;
	return true;
}

/* What to ask each listed node this round. Caller holds the lock. */
static void plan_round(struct collector *c, const struct tab *t, struct plan *p)
{
	struct model *m = c->m;

	for (size_t i = 0; i < m->nnodes; i++) {
		struct tnode *n = &m->nodes[i];
		bool sel = m->selected != NULL && strcmp(m->selected, n->id.name) == 0;

		n->src = -1;
		if (!n->listed)
			continue;
		plan_metrics(c, p, i, t->all_nodes, sel);
		if (n->version == NULL && (t->all_nodes || sel))
			plan_add(p, i, n, K_VERSION, m->tab, "/version");
		if (n->lmc_version == NULL && sel)
			plan_add(p, i, n, K_LMC_VERSION, m->tab, "/lmc_version");
		if (sel && n->health_path != NULL)
			plan_add(p, i, n, K_HEALTH, m->tab, n->health_path);
		if (t->all_nodes && plugins_due(m, n))
			plan_add(p, i, n, K_PLUGINS, m->tab, "/plugins");
		/* marked nodes too: a bulk action shows each node's current value */
		if ((sel || n->marked) && t->path != NULL)
			plan_add(p, i, n, K_TAB, m->tab, n->tab[m->tab].fallback && t->fallback_path
				 ? t->fallback_path : t->path);
	}
	plan_sources(c, p);
}

/* The nodes their source's answer did not name (a frontend without a merged /metrics, one
 * that does not list them, or no answer): asked on their own, in the same round. */
static void plan_uncovered(struct collector *c, struct plan *p)
{
	struct model *m = c->m;

	for (size_t i = 0; i < m->nnodes; i++) {
		struct tnode *n = &m->nodes[i];

		if (n->src >= 0 && !n->covered) {
			/* not kept: the selected node's whole /metrics is asked anyway (K_FULL) */
			plan_add(p, i, n, K_METRICS, 0, "/metrics");
			n->src = -1;
			c->relist = true;
		}
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

/* A tab's answer parsed outside the model's lock (a thousand threads' stacks take a tenth
 * of a second to read, and the screen waits for the lock), and what it replaces, freed after
 * the lock too. */
struct tab_answer {
	json_t *doc;
	char *cause;
	json_t *old;
};

static void parse_tab(const struct tab *t, const struct hm_res *r, struct tab_answer *a)
{
	char *why = failure(r);

	if (why == NULL && t->parse != NULL)
		a->doc = t->parse(r->body, r->len, &a->cause);
	free(why);
}

static void apply_tab(const struct tab *t, int tab, struct tnode *n, const struct hm_res *r,
		      char *why, struct tab_answer *a, double now)
{
	struct tab_data *d = &n->tab[tab];

	if (why != NULL && r->status >= 400 && r->status < 500 && !d->fallback &&
	    t->fallback_path != NULL) {
		d->fallback = true; /* asked again at once, the other way */
		return;
	}
	free(d->error);
	d->error = why ? text_bounded(why, strlen(why)) : a->cause;
	a->cause = NULL;
	if (a->doc != NULL) {
		a->old = d->prev;
		d->prev = d->doc;
		d->prev_when = d->when;
		d->doc = a->doc;
		d->when = now;
		a->doc = NULL;
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

/* Whether r says its frontend has no merged /metrics: it answered, but not with one (LMCache's
 * concatenates its nodes' texts; an old one may have no /metrics). A timeout or a 5xx says
 * nothing of the kind: a frontend busy merging thousands of nodes is asked again next round,
 * not replaced by one request per node for PROBE_ROUNDS rounds. */
static bool no_merged(const struct hm_res *r)
{
	return r->err == HM_OK && r->status < 500;
}

/* A frontend's merged /metrics (e: its parse, NULL when it did not parse). A frontend that
 * cannot be reached reaches none of its nodes; one that did not answer with a merged
 * /metrics leaves its nodes to their own requests this round (plan_uncovered), and for
 * PROBE_ROUNDS rounds when it has none. */
static void apply_merged(struct collector *c, const struct job *j, const struct hm_res *r,
			 const struct prom_exposition *e, double now)
{
	struct model *m = c->m;
	struct source *s = &c->sources[j->node];

	if (r->err == HM_ERR_CONNECT) {
		char *why = xasprintf("frontend: %s", r->error ? r->error : "unreachable");

		c->relist = true;
		for (size_t i = 0; i < m->nnodes; i++)
			if (m->nodes[i].src == (int)j->node && !m->nodes[i].covered) {
				node_fail(&m->nodes[i], why);
				m->nodes[i].covered = true;
			}
		free(why);
	} else if (e != NULL && scrape_apply(m, (int)j->node, e, r->body, r->len, now,
					     &c->relist)) {
		s->per_node_since = 0;
	} else if (no_merged(r)) {
		s->per_node_since = m->rounds + 1;
	}
}

static void apply(struct collector *c, const struct job *j, const struct hm_res *r,
		  struct tab_answer *a, double now)
{
	struct tnode *n = &c->m->nodes[j->node];
	char *why = failure(r);

	if (j->kind == K_METRICS && why != NULL)
		node_fail(n, why);
	else if (j->kind == K_METRICS) {
		node_ok(n, now);
		node_metrics(n, r->body, r->len, now, true, j->keep);
	} else if (j->kind == K_FULL && why == NULL) {
		node_metrics(n, r->body, r->len, now, false, true);
	} else if (j->kind == K_VERSION && why == NULL) {
		node_set_text(&n->version, agentfmt_version(r->body, r->len));
	} else if (j->kind == K_LMC_VERSION && why == NULL) {
		node_set_text(&n->lmc_version, agentfmt_version(r->body, r->len));
	} else if (j->kind == K_PLUGINS && why == NULL) {
		count_plugins(n, r);
	} else if (j->kind == K_HEALTH) {
		apply_health(n, r);
	} else if (j->kind == K_TAB) {
		apply_tab(c->tabs[j->tab], j->tab, n, r, why, a, now);
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
	const struct job *j = &r->p->jobs[i];
	struct prom_exposition e;
	struct tab_answer a = { 0 };
	bool parsed = false;

	/* parsed outside the lock */
	if (j->kind == K_MERGED && res->err == HM_OK && res->status == 200)
		parsed = prom_parse(res->body, res->len, &e, NULL) == 0;
	else if (j->kind == K_TAB)
		parse_tab(r->c->tabs[j->tab], res, &a);
	pthread_mutex_lock(&r->c->m->lock);
	if (j->kind == K_MERGED)
		apply_merged(r->c, j, res, parsed ? &e : NULL, now_mono());
	else
		apply(r->c, j, res, &a, now_mono());
	pthread_mutex_unlock(&r->c->m->lock);
	if (parsed)
		prom_exposition_free(&e);
	json_decref(a.doc); /* not taken: the tab fell back to its other path */
	json_decref(a.old);
	free(a.cause);
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

/* Whether this round reads the listing (RELIST_ROUNDS). Caller holds the lock. */
static bool listing_due(struct collector *c)
{
	unsigned long now = c->m->rounds + 1;
	bool due = c->relist || c->m->relist_now || c->listed_at == 0 ||
		   now - c->listed_at >= RELIST_ROUNDS;

	c->m->relist_now = false;
	return due;
}

/* Reads the listing into the model (takes the lock). */
static void relist(struct collector *c)
{
	struct cl_listing l;
	char *cause = NULL;
	bool failed;

	if (cluster_list(&c->src, &l, &cause) < 0)
		l = (struct cl_listing){ .error = cause };
	failed = l.error != NULL;
	for (size_t i = 0; i < l.nfrontends; i++)
		failed |= l.frontends[i].error != NULL;
	pthread_mutex_lock(&c->m->lock);
	c->relist = failed;
	c->listed_at = c->m->rounds + 1;
	top_model_merge(c->m, &l);
	pthread_mutex_unlock(&c->m->lock);
}

static void collect_round(struct collector *c, double interval)
{
	struct plan p = { 0 };
	bool due;

	pthread_mutex_lock(&c->m->lock);
	due = listing_due(c);
	pthread_mutex_unlock(&c->m->lock);
	if (due)
		relist(c);
	pthread_mutex_lock(&c->m->lock);
	plan_round(c, c->tabs[c->m->tab], &p);
	pthread_mutex_unlock(&c->m->lock);
	run_plan(c, &p, timeout_ms(interval));
	p = (struct plan){ 0 };
	pthread_mutex_lock(&c->m->lock);
	plan_uncovered(c, &p);
	pthread_mutex_unlock(&c->m->lock);
	if (p.n > 0)
		run_plan(c, &p, timeout_ms(interval));
	pthread_mutex_lock(&c->m->lock);
	top_model_hints(c->m);
	pthread_mutex_unlock(&c->m->lock);
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
	c->scrape_path = scrape_path();
	sigfillset(&all); /* signals (SIGWINCH, SIGINT) belong to the screen thread */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	if (pthread_create(&c->thread, NULL, collector_main, c) != 0) {
		hm_client_free(c->http);
		free(c->scrape_path);
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
	for (size_t i = 0; i < c->nsources; i++)
		free(c->sources[i].url);
	free(c->sources);
	free(c->scrape_path);
	free(c);
}
