/* The nodes as last seen, with their history; shared by the collector and the screen under
 * model.lock. */
#include "config.h"
#include "top.h"
#include "buf.h"
#include "bottleneck.h"
#include "xalloc.h"
#include "xthread.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double now_mono(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

void top_model_init(struct model *m, const char *source, int notify_fd, int tabs)
{
	*m = (struct model){ .source = xstrdup(source), .notify_fd = notify_fd, .interval = 2.0,
			     .ntabs = tabs };
	pthread_mutex_init(&m->lock, NULL);
	cond_init_monotonic(&m->wake);
}

void action_free(struct action *a)
{
	if (a == NULL)
		return;
	action_free(a->next);
	free(a->node);
	free(a->method);
	free(a->path);
	free(a->body);
	free(a->what);
	free(a);
}

static void node_free(struct tnode *n, int tabs)
{
	cluster_node_free(&n->id);
	free(n->error);
	free(n->version);
	free(n->lmc_version);
	free(n->health);
	free(n->hint);
	free(n->source);
	prom_exposition_free(&n->metrics);
	prom_exposition_free(&n->prev);
	for (int t = 0; t < tabs; t++) {
		json_decref(n->tab[t].doc);
		json_decref(n->tab[t].prev);
		free(n->tab[t].error);
	}
	free(n->tab);
}

void top_model_free(struct model *m)
{
	struct cl_listing fe = { .frontends = m->frontends, .nfrontends = m->nfrontends };

	for (size_t i = 0; i < m->nnodes; i++)
		node_free(&m->nodes[i], m->ntabs);
	free(m->nodes);
	free(m->index.slot);
	cluster_listing_free(&fe);
	free(m->source);
	free(m->error);
	free(m->selected);
	free(m->status);
	top_model_results_clear(m);
	action_free(m->pending);
	pthread_mutex_destroy(&m->lock);
	pthread_cond_destroy(&m->wake);
}

/* Names to node indexes (struct name_index), open addressing: a listing of thousands of
 * nodes in a new order merges in linear time, and a merged /metrics finds each sample's node
 * at once. */

static size_t name_hash(const char *s)
{
	size_t h = 14695981039346656037u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211u;
	return h;
}

static void index_build(struct name_index *x, const struct model *m)
{
	size_t cap = 16;

	while (cap < 2 * m->nnodes)
		cap *= 2;
	x->slot = xcalloc(cap, sizeof *x->slot);
	x->mask = cap - 1;
	for (size_t i = 0; i < m->nnodes; i++) {
		size_t h = name_hash(m->nodes[i].id.name) & x->mask;

		while (x->slot[h] != 0)
			h = (h + 1) & x->mask;
		x->slot[h] = i + 1;
	}
}

static struct tnode *index_find(const struct name_index *x, struct model *m, const char *name)
{
	for (size_t h = name_hash(name) & x->mask; x->slot[h] != 0; h = (h + 1) & x->mask)
		if (strcmp(m->nodes[x->slot[h] - 1].id.name, name) == 0)
			return &m->nodes[x->slot[h] - 1];
	return NULL;
}

struct tnode *top_model_find(struct model *m, const char *name)
{
	return m->index.slot != NULL ? index_find(&m->index, m, name) : NULL;
}

static void node_add(struct model *m, struct cl_node *id)
{
	struct tnode *n;

	m->nodes = xreallocarray(m->nodes, m->nnodes + 1, sizeof *m->nodes);
	n = &m->nodes[m->nnodes++];
	*n = (struct tnode){ .id = *id, .listed = true, .plugins = -1, .hit_rate = NAN,
			     .hit_tokens = NAN, .cache_usage = NAN,
			     .tab = xcalloc((size_t)m->ntabs, sizeof *n->tab),
			     .health_path = "/healthcheck", .src = -1, .slot = -1 };
	summary_clear(&n->sum, 0);
	summary_clear(&n->sum_prev, 0);
	for (int s = 0; s < NSPARK; s++)
		for (int i = 0; i < SPARK_LEN; i++)
			n->spark[s][i] = NAN;
	*id = (struct cl_node){ 0 };
}

/* A node listed again keeps its history; its address may have moved. */
static void node_relist(struct tnode *n, struct cl_node *id)
{
	if (strcmp(n->id.url, id->url) != 0) { /* moved: another frontend's /metrics */
		free(n->source);
		n->source = NULL;
	}
	cluster_node_free(&n->id);
	n->id = *id;
	n->listed = true;
	*id = (struct cl_node){ 0 };
}

/* The registry did not answer: the nodes and frontends last listed stay as they were (and
 * are still asked), the title says the registry is unreachable. */
static void keep_last_listing(struct model *m, struct cl_listing *l)
{
	free(m->error);
	m->error = l->error;
	l->error = NULL;
	m->registry_down = true;
	cluster_listing_free(l);
}

void top_model_merge(struct model *m, struct cl_listing *l)
{
	if (l->error != NULL && l->nnodes == 0 && l->nfrontends == 0) {
		keep_last_listing(m, l);
		return;
	}
	size_t nold = m->nnodes;

	m->registry_down = false;
	for (size_t i = 0; i < m->nnodes; i++)
		m->nodes[i].listed = false;
	for (size_t i = 0; i < l->nnodes; i++) {
		struct tnode *n = top_model_find(m, l->nodes[i].name);

		if (n != NULL && n < m->nodes + nold && !n->listed)
			node_relist(n, &l->nodes[i]);
		else if (n == NULL)
			node_add(m, &l->nodes[i]);
	}
	free(m->index.slot);
	index_build(&m->index, m);
	free(m->error);
	m->error = l->error;
	l->error = NULL;
	struct cl_listing old = { .frontends = m->frontends, .nfrontends = m->nfrontends };

	cluster_listing_free(&old);
	m->frontends = l->frontends;
	m->nfrontends = l->nfrontends;
	l->frontends = NULL;
	l->nfrontends = 0;
	cluster_listing_free(l);
}

/* A node's text kept for display is bounded: a node answering a 110 KB version costs the
 * screen no more than one answering "0.3.9". */
char *text_bounded(const char *s, size_t len)
{
	size_t n = len < FIELD_MAX ? len : FIELD_MAX;

	while (n < len && n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	return n < len ? xasprintf("%.*s...", (int)n, s) : xstrndup(s, n);
}

void node_set_text(char **field, char *text)
{
	free(*field);
	*field = text ? text_bounded(text, strlen(text)) : NULL;
	free(text);
}

void node_fail(struct tnode *n, const char *why)
{
	n->state = NS_DOWN;
	node_set_text(&n->error, xstrdup(why));
}

double node_age(const struct tnode *n)
{
	return n->last_ok > 0 ? now_mono() - n->last_ok : NAN;
}

void node_ok(struct tnode *n, double now)
{
	n->state = NS_UP;
	n->last_ok = now;
	free(n->error);
	n->error = NULL;
}

/* Computed once per scrape: the Overview draws them for every node on every frame. */
static void figures(struct tnode *n)
{
	const struct summary *s = &n->sum;

	n->hit_rate = summary_get(s, "lmcache:retrieve_hit_rate");
	if (isnan(n->hit_rate))
		n->hit_rate = summary_get(s, "lmcache:lookup_hit_rate");
	n->hit_tokens = summary_get(s, "lmcache:num_hit_tokens_total");
	if (isnan(n->hit_tokens))
		n->hit_tokens = summary_get(s, "lmcache:num_lookup_hits_total");
	n->cache_usage = summary_get(s, "lmcache:local_cache_usage");
}

static void spark_push(struct tnode *n)
{
	double v[NSPARK] = { n->hit_rate, node_rate_sum(n, "lmcache:num_hit_tokens_total"),
			     node_rate_sum(n, "lmcache:num_retrieve_requests_total"),
			     n->cache_usage };

	if (isnan(v[SP_HIT_TOKENS]))
		v[SP_HIT_TOKENS] = node_rate_sum(n, "lmcache:num_lookup_hits_total");
	if (isnan(v[SP_RETRIEVES]))
		v[SP_RETRIEVES] = node_rate_sum(n, "lmcache:num_lookup_requests_total");
	for (int s = 0; s < NSPARK; s++)
		n->spark[s][n->spark_pos] = v[s];
	n->spark_pos = (n->spark_pos + 1) % SPARK_LEN;
}

void node_summary(struct tnode *n, const struct summary *s)
{
	n->sum_prev = n->sum;
	n->sum = *s;
	figures(n);
	spark_push(n);
}

void node_drop_full(struct tnode *n)
{
	prom_exposition_free(&n->metrics);
	prom_exposition_free(&n->prev);
	n->t_metrics = n->t_prev = 0;
}

/* A node whose text does not parse keeps its last good scrape and shows why. */
void node_metrics(struct tnode *n, const char *text, size_t len, double now, bool summarise,
		  bool keep)
{
	struct prom_exposition e;
	struct summary s;
	char *cause = NULL;

	if (prom_parse(text, len, &e, &cause) < 0) {
		free(n->error);
		n->error = xasprintf("bad /metrics: %s", cause);
		free(cause);
		return;
	}
	if (summarise) {
		summary_of(&s, &e, now);
		node_summary(n, &s);
	}
	if (!keep) {
		prom_exposition_free(&e);
		return;
	}
	prom_exposition_free(&n->prev);
	n->prev = n->metrics;
	n->t_prev = n->t_metrics;
	n->metrics = e;
	n->t_metrics = now;
}

static bool same_labels(const struct prom_sample *a, const struct prom_sample *b)
{
	if (strcmp(a->name, b->name) != 0 || a->nlabels != b->nlabels)
		return false;
	for (size_t i = 0; i < a->nlabels; i++)
		if (strcmp(a->labels[i].name, b->labels[i].name) != 0 ||
		    strcmp(a->labels[i].value, b->labels[i].value) != 0)
			return false;
	return true;
}

/* Scrapes list their samples in the same order: the sample at the same place is the usual
 * match, so a whole tab of rates is linear. */
static const struct prom_sample *prev_sample(const struct tnode *n, const struct prom_sample *s)
{
	const struct prom_exposition *e = &n->prev;
	size_t at = (size_t)(s - n->metrics.sample_store);

	if (s >= n->metrics.sample_store && at < e->nsamples &&
	    same_labels(&e->sample_store[at], s))
		return &e->sample_store[at];
	for (size_t i = 0; i < e->nfamilies; i++)
		for (size_t j = 0; j < e->families[i].nsamples; j++)
			if (same_labels(&e->families[i].samples[j], s))
				return &e->families[i].samples[j];
	return NULL;
}

/* A counter that went down was reset: that is no negative rate. */
static double rate(double t0, double t1, double a, double b)
{
	double dt = t1 - t0;

	return t0 <= 0 || dt <= 0 || b < a ? NAN : (b - a) / dt;
}

double node_rate(const struct tnode *n, const struct prom_sample *s)
{
	const struct prom_sample *p = prev_sample(n, s);

	return p == NULL ? NAN : rate(n->t_prev, n->t_metrics, p->value, s->value);
}

double node_rate_sum(const struct tnode *n, const char *name)
{
	return rate(n->sum_prev.when, n->sum.when, summary_get(&n->sum_prev, name),
		    summary_get(&n->sum, name));
}

const char *node_state_name(const struct model *m, const struct tnode *n)
{
	if (!n->listed)
		return "gone";
	if (n->state == NS_DOWN)
		return "down";
	if (n->state == NS_UNKNOWN)
		return "...";
	/* no answer for a few intervals: the collector is stuck on it */
	if (now_mono() - n->last_ok > 2.5 * m->interval + 1.0 && !m->paused)
		return "stale";
	return "up";
}

static double summary_sum(const char *name, const void *s)
{
	return summary_get(s, name);
}

/* Bottleneck hints (bottleneck.h, docs/bottlenecks.md) of the nodes answering now, among
 * the peers of their role: the first signal a node stands out on (lmcctl diagnose lists
 * them all), NULL where it does not. Once a round, from the summaries. */
void top_model_hints(struct model *m)
{
	struct bn_node *bn = xcalloc(m->nnodes + 1, sizeof *bn);
	struct bn_hint *h;
	size_t nh;

	for (size_t i = 0; i < m->nnodes; i++) {
		const struct tnode *n = &m->nodes[i];

		bn[i].name = n->id.name;
		bn[i].peers = *n->id.role ? n->id.role : "node";
		bn_from_sums(summary_sum, &n->sum, bn[i].v);
		if (strcmp(node_state_name(m, n), "up") != 0)
			for (int s = 0; s < BN_NSIGNALS; s++)
				bn[i].v[s] = NAN; /* old numbers are not compared */
		free(m->nodes[i].hint);
		m->nodes[i].hint = NULL;
	}
	nh = bn_hints(bn, m->nnodes, &h);
	for (size_t i = 0; i < nh; i++)
		if (m->nodes[h[i].node].hint == NULL)
			m->nodes[h[i].node].hint = bn_hint_text(&h[i]);
	free(h);
	free(bn);
}

/* fmt with ap as a malloc'd string, or NULL when it cannot be formatted. */
static char *formatted(const char *fmt, va_list ap)
{
	char *s;

	return vasprintf(&s, fmt, ap) < 0 ? NULL : s;
}

void top_model_status(struct model *m, bool bad, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	free(m->status);
	m->status = formatted(fmt, ap);
	va_end(ap);
	m->status_bad = bad;
	m->status_when = now_mono();
}

void top_model_results_clear(struct model *m)
{
	for (size_t i = 0; i < m->nresults; i++)
		free(m->results[i]);
	free(m->results);
	m->results = NULL;
	m->nresults = 0;
}

/* One line of a bulk action's results ("node: ok"), kept until the next bulk action. */
void top_model_result(struct model *m, bool bad, const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	s = formatted(fmt, ap);
	va_end(ap);
	m->results = xreallocarray(m->results, m->nresults + 1, sizeof *m->results);
	m->results[m->nresults++] = xasprintf("%c %s", bad ? '!' : ' ', s ? s : "");
	free(s);
}

void top_model_notify(struct model *m)
{
	char c = 1;

	if (m->notify_fd >= 0 && write(m->notify_fd, &c, 1) < 0) {
		/* a full pipe already holds a wake-up */
	}
}
