/* Bottleneck hints: which nodes stand out from their peers, and how (lmcctl diagnose,
 * lmcache-top's Overview). The rule, documented in docs/bottlenecks.md and lmcctl(1):
 *
 *   Nodes are compared with their peers (same role). A signal is judged over at least
 *   BN_MIN_PEERS nodes that have it. With m the peers' median and MAD the median of the
 *   absolute deviations from m, a node's modified z-score is 0.6745 (x - m) / MAD
 *   (Iglewicz and Hoaglin). A node is an outlier on a signal when the score is beyond
 *   BN_SCORE in the signal's bad direction AND x is at least BN_MIN_CHANGE (relative) away
 *   from m, so that a tight cluster does not flag noise. MAD = 0 makes any such distance an
 *   outlier.
 */
#ifndef LMC_COMMON_BOTTLENECK_H
#define LMC_COMMON_BOTTLENECK_H

#include "prom.h"

#include <stddef.h>

#define BN_MIN_PEERS 3
#define BN_SCORE 3.5
#define BN_MIN_CHANGE 0.2

enum bn_signal {
	BN_HIT_RATE,       /* hit tokens / requested tokens, since start */
	BN_RETRIEVE_TIME,  /* mean seconds per retrieve */
	BN_RETRIEVE_SPEED, /* mean tokens per second of a retrieve */
	BN_STORE_TIME,     /* mean seconds per store */
	BN_CACHE_USAGE,    /* bytes in the local cache */
	BN_BLOCKED,        /* threads in uninterruptible sleep (disk-sleep) or stopped */
	BN_NSIGNALS
};

struct bn_signal_info {
	const char *name; /* "hit rate" */
	int bad;          /* +1: high is bad, -1: low is bad */
	const char *unit; /* how bn_format shows a value: "%", "s", "tok/s", "B", "" */
};
extern const struct bn_signal_info bn_signal_info[BN_NSIGNALS];

/* One node's signals; NAN where it has none (e.g. a scheduler never retrieves). */
struct bn_node {
	const char *name;
	const char *peers; /* the group it is compared within (its role) */
	double v[BN_NSIGNALS];
};

/* A node that stands out on one signal. */
struct bn_hint {
	size_t node; /* index into the nodes given */
	enum bn_signal signal;
	double value, median, score; /* score: +-INFINITY when the peers' MAD is 0 */
};

/* Sets every signal to NAN, then those the exposition has (LMCache's metric names). */
void bn_from_metrics(const struct prom_exposition *e, double v[BN_NSIGNALS]);
/* The sample names the signals are computed from, NULL-terminated: a client that keeps only
 * these sums of a node (lmcache-top) gets the same signals from bn_from_sums. */
extern const char *const bn_sample_names[];
/* bn_from_metrics over sums given by sum(name, arg): the sum of every sample called name,
 * NAN when there is none. */
void bn_from_sums(double (*sum)(const char *name, const void *arg), const void *arg,
                  double v[BN_NSIGNALS]);
/* The sum of every sample called name (all label sets); NAN when there is none. */
double bn_sum_samples(const struct prom_exposition *e, const char *name);
/* The outliers among values[0..n) (NAN: unknown) in direction bad; writes their indexes,
 * scores and the median to idx/score (arrays of n) and returns how many. */
size_t bn_outliers(const double *values, size_t n, int bad, size_t *idx, double *score,
                   double *median);
/* Every hint over nodes, per peer group and signal, in node order; *out malloc'd. */
size_t bn_hints(const struct bn_node *nodes, size_t n, struct bn_hint **out);
/* "hit rate low 12.0% (peers 61.0%)". Caller frees. */
char *bn_hint_text(const struct bn_hint *h);
/* A value of signal s with its unit: "61.0%", "0.042 s", "3.2 GiB". Caller frees. */
char *bn_format(enum bn_signal s, double v);

#endif
