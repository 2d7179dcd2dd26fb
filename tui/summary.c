/* A node's summary (top.h): the sums of the few sample names lmcache-top shows for every
 * node, so that a fleet of thousands costs a few hundred bytes a node, not its expositions.
 * The names are the Overview's own and those the bottleneck hints are computed from. */
#include "config.h"
#include "top.h"
#include "bottleneck.h"

#include <math.h>
#include <pthread.h>
#include <string.h>

/* What the Overview shows; bn_sample_names (the hints') are added to these. */
static const char *const shown[] = {
	"lmcache:retrieve_hit_rate", "lmcache:lookup_hit_rate", "lmcache:num_hit_tokens_total",
	"lmcache:num_lookup_hits_total", "lmcache:num_retrieve_requests_total",
	"lmcache:num_lookup_requests_total", "lmcache:local_cache_usage", NULL,
};

static const char *names[SUMMARY_MAX];
static size_t nnames;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void add_names(const char *const *list)
{
	for (; *list != NULL && nnames < SUMMARY_MAX; list++) {
		size_t i = 0;

		while (i < nnames && strcmp(names[i], *list) != 0)
			i++;
		if (i == nnames)
			names[nnames++] = *list;
	}
}

static void init_names(void)
{
	add_names(shown);
	add_names(bn_sample_names);
}

size_t summary_count(void)
{
	pthread_once(&once, init_names);
	return nnames;
}

const char *summary_name(size_t i)
{
	return i < summary_count() ? names[i] : NULL;
}

int summary_index(const char *name, int *hint)
{
	size_t n = summary_count();

	if (*hint >= 0 && (size_t)*hint < n && strcmp(names[*hint], name) == 0)
		return *hint;
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return *hint = (int)i;
	return -1;
}

void summary_clear(struct summary *s, double when)
{
	for (size_t i = 0; i < SUMMARY_MAX; i++)
		s->v[i] = NAN;
	s->when = when;
}

void summary_add(struct summary *s, int i, double v)
{
	if (i >= 0 && i < SUMMARY_MAX)
		s->v[i] = isnan(s->v[i]) ? v : s->v[i] + v;
}

void summary_of(struct summary *s, const struct prom_exposition *e, double when)
{
	int hint = 0;

	summary_clear(s, when);
	for (size_t i = 0; i < e->nsamples; i++)
		summary_add(s, summary_index(e->sample_store[i].name, &hint),
			    e->sample_store[i].value);
}

double summary_get(const struct summary *s, const char *name)
{
	int hint = -1, i = summary_index(name, &hint);

	return i < 0 ? NAN : s->v[i];
}
