/* Bottleneck hints (bottleneck.h): signals from LMCache's metrics, the outlier rule. */
#include "config.h"
#include "bottleneck.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const struct bn_signal_info bn_signal_info[BN_NSIGNALS] = {
	[BN_HIT_RATE] = { "hit rate", -1, "%" },
	[BN_RETRIEVE_TIME] = { "retrieve time", +1, "s" },
	[BN_RETRIEVE_SPEED] = { "retrieve speed", -1, "tok/s" },
	[BN_STORE_TIME] = { "store time", +1, "s" },
	[BN_CACHE_USAGE] = { "cache usage", +1, "B" },
	[BN_BLOCKED] = { "blocked threads", +1, "" },
};

double bn_sum_samples(const struct prom_exposition *e, const char *name)
{
	double sum = 0;
	bool found = false;

	for (size_t i = 0; i < e->nfamilies; i++) {
		const struct prom_family *f = &e->families[i];

		/* A sample's name starts with its family's (the parser's rule), so most families
		 * are passed over whole: lmcache-top asks this of 4,096 nodes a round. */
		if (strncmp(f->name, name, strlen(f->name)) != 0)
			continue;
		for (size_t j = 0; j < f->nsamples; j++)
			if (strcmp(f->samples[j].name, name) == 0) {
				sum += f->samples[j].value;
				found = true;
			}
	}
	return found ? sum : NAN;
}

/* num / den when den > 0, else NAN. */
static double ratio(double num, double den)
{
	return den > 0 && !isnan(num) ? num / den : NAN;
}

/* The sums each signal is computed from, in the order of bn_sample_names. */
enum { S_HIT, S_REQUESTED, S_RT_SUM, S_RT_COUNT, S_RS_SUM, S_RS_COUNT, S_ST_SUM, S_ST_COUNT,
       S_CACHE, S_N };

const char *const bn_sample_names[S_N + 1] = {
	[S_HIT] = "lmcache:num_hit_tokens_total",
	[S_REQUESTED] = "lmcache:num_requested_tokens_total",
	[S_RT_SUM] = "lmcache:time_to_retrieve_sum",
	[S_RT_COUNT] = "lmcache:time_to_retrieve_count",
	[S_RS_SUM] = "lmcache:retrieve_speed_sum",
	[S_RS_COUNT] = "lmcache:retrieve_speed_count",
	[S_ST_SUM] = "lmcache:time_to_store_sum",
	[S_ST_COUNT] = "lmcache:time_to_store_count",
	[S_CACHE] = "lmcache:local_cache_usage",
	[S_N] = NULL,
};

void bn_from_sums(double (*sum)(const char *name, const void *arg), const void *arg,
                  double v[BN_NSIGNALS])
{
	double x[S_N];

	for (int i = 0; i < S_N; i++)
		x[i] = sum(bn_sample_names[i], arg);
	for (int i = 0; i < BN_NSIGNALS; i++)
		v[i] = NAN;
	v[BN_HIT_RATE] = ratio(x[S_HIT], x[S_REQUESTED]);
	v[BN_RETRIEVE_TIME] = ratio(x[S_RT_SUM], x[S_RT_COUNT]);
	v[BN_RETRIEVE_SPEED] = ratio(x[S_RS_SUM], x[S_RS_COUNT]);
	v[BN_STORE_TIME] = ratio(x[S_ST_SUM], x[S_ST_COUNT]);
	v[BN_CACHE_USAGE] = x[S_CACHE];
}

static double exposition_sum(const char *name, const void *e)
{
	return bn_sum_samples(e, name);
}

void bn_from_metrics(const struct prom_exposition *e, double v[BN_NSIGNALS])
{
	bn_from_sums(exposition_sum, e, v);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of the n known values in v (sorts v). */
static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The known values of values, and their median and MAD; false with fewer than the peers
 * a judgement needs. */
static bool centre(const double *values, size_t n, double *m, double *mad)
{
	double *k = xcalloc(n ? n : 1, sizeof *k);
	size_t known = 0;

	for (size_t i = 0; i < n; i++)
		if (!isnan(values[i]))
			k[known++] = values[i];
	if (known >= BN_MIN_PEERS) {
		*m = median(k, known);
		for (size_t i = 0; i < known; i++)
			k[i] = fabs(k[i] - *m);
		*mad = median(k, known);
	}
	free(k);
	return known >= BN_MIN_PEERS;
}

size_t bn_outliers(const double *values, size_t n, int bad, size_t *idx, double *score,
                   double *med)
{
	double m = 0, mad = 0;
	size_t found = 0;

	if (!centre(values, n, &m, &mad))
		return 0;
	*med = m;
	for (size_t i = 0; i < n; i++) {
		double d = values[i] - m;
		double z = mad > 0 ? 0.6745 * d / mad : d == 0 ? 0 : copysign(INFINITY, d);

		if (isnan(values[i]) || z * bad <= BN_SCORE || fabs(d) < BN_MIN_CHANGE * fabs(m))
			continue;
		idx[found] = i;
		score[found++] = z;
	}
	return found;
}

/* Hints of the group of nodes whose peers equal those of nodes[first]. */
static void group_hints(const struct bn_node *nodes, size_t n, size_t first,
                        struct bn_hint **out, size_t *nout)
{
	size_t *members = xcalloc(n, sizeof *members), k = 0, *idx = xcalloc(n, sizeof *idx);
	double *vals = xcalloc(n, sizeof *vals), *score = xcalloc(n, sizeof *score), med;

	for (size_t i = first; i < n; i++)
		if (strcmp(nodes[i].peers, nodes[first].peers) == 0)
			members[k++] = i;
	for (int s = 0; s < BN_NSIGNALS; s++) {
		size_t found;

		for (size_t i = 0; i < k; i++)
			vals[i] = nodes[members[i]].v[s];
		found = bn_outliers(vals, k, bn_signal_info[s].bad, idx, score, &med);
		*out = xreallocarray(*out, *nout + found + 1, sizeof **out);
		for (size_t i = 0; i < found; i++)
			(*out)[(*nout)++] = (struct bn_hint){ members[idx[i]], (enum bn_signal)s,
			                                       vals[idx[i]], med, score[i] };
	}
	free(members);
	free(idx);
	free(vals);
	free(score);
}

static bool group_seen(const struct bn_node *nodes, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(nodes[j].peers, nodes[i].peers) == 0)
			return true;
	return false;
}

static int cmp_hint(const void *a, const void *b)
{
	const struct bn_hint *x = a, *y = b;

	if (x->node != y->node)
		return x->node < y->node ? -1 : 1;
	return (int)x->signal - (int)y->signal;
}

size_t bn_hints(const struct bn_node *nodes, size_t n, struct bn_hint **out)
{
	size_t count = 0;

	*out = NULL;
	for (size_t i = 0; i < n; i++)
		if (!group_seen(nodes, i))
			group_hints(nodes, n, i, out, &count);
	if (count > 1)
		qsort(*out, count, sizeof **out, cmp_hint);
	return count;
}

char *bn_format(enum bn_signal s, double v)
{
	const char *unit = bn_signal_info[s].unit;
	static const char *const big[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int i = 0;

	if (isnan(v))
		return xstrdup("-");
	if (strcmp(unit, "%") == 0)
		return xasprintf("%.1f%%", v * 100);
	if (strcmp(unit, "B") == 0) {
		while (fabs(v) >= 1024 && i < 4)
			v /= 1024, i++;
		return xasprintf("%.1f %s", v, big[i]);
	}
	return *unit ? xasprintf("%.3g %s", v, unit) : xasprintf("%.3g", v);
}

char *bn_hint_text(const struct bn_hint *h)
{
	char *v = bn_format(h->signal, h->value), *m = bn_format(h->signal, h->median);
	char *out = xasprintf("%s %s %s (peers %s)", bn_signal_info[h->signal].name,
	                      h->value > h->median ? "high" : "low", v, m);

	free(v);
	free(m);
	return out;
}
