/*
 * prom-bench FILE [K...]: the merged /metrics' CPU work without the network. Every one of K
 * nodes sends the exposition in FILE with its values changed (so no two bodies are the
 * same), and one line of JSON per mode and K is printed:
 *   copy   the bodies copied into one buffer (memcpy): the practical limit;
 *   merge  prom_merge checking and merging the bodies, as the frontend does on each scrape;
 *   cached the same through a prom_cache that already holds every body (a scrape where no
 *          node's metrics changed): only the output is written.
 * MB/s counts input bytes per second of this process' CPU time (not wall time: on a shared
 * machine the time spent waiting for a core does not count). Each figure is the best of
 * several rounds; under valgrind --tool=callgrind use --rounds 1.
 *
 * With --pairs P, the growth from the first K to the last is measured apart, for copy, merge
 * and the merge's first step alone (the bodies' scans), in P pairs taken one right after the
 * other: the last K's scrape, then as many scrapes of the first K as make the same work,
 * timed together, each half after one scrape untimed, so the bodies are as warm as between
 * rounds. Both halves of a pair see the machine in the same state, which the best of each
 * K's rounds, a second or more apart, do not on a busy machine; one line each gives the
 * median of the pairs' ratios, their range, and the median time of a scrape of each K.
 */
#include "config.h"
#include "buf.h"
#include "prom.h"
#include "prom-scan.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	struct buf b = BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!f) {
		perror(path);
		exit(1);
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return buf_steal(&b);
}

/* Node i's body: the template with every digit after the first of a value's digits
 * rotated by i, so bodies differ as live counters do but parse the same way. */
static char *vary(const char *tmpl, size_t len, size_t i)
{
	char *s = xmalloc(len + 1);
	bool in_value = false, comment = false;

	memcpy(s, tmpl, len + 1);
	for (size_t k = 0; k < len; k++) {
		if (k == 0 || s[k - 1] == '\n')
			in_value = false, comment = s[k] == '#';
		if (!comment && s[k] == ' ')
			in_value = true;
		if (in_value && s[k] >= '1' && s[k] <= '9')
			s[k] = (char)('1' + (s[k] - '1' + i) % 9);
	}
	return s;
}

struct fleet {
	struct prom_node *nodes;
	char **texts;
	size_t n, bytes;
	char *copy; /* copy_all's output, kept as the merge keeps its own (prom-out.c) */
	struct buf *labels; /* each node's label, for scan_all */
};

static void fleet_make(struct fleet *fl, const char *tmpl, size_t len, size_t n)
{
	fl->n = n;
	fl->bytes = 0;
	fl->nodes = xcalloc(n, sizeof *fl->nodes);
	fl->texts = xcalloc(n, sizeof *fl->texts);
	fl->copy = NULL;
	fl->labels = xcalloc(n, sizeof *fl->labels);
	for (size_t i = 0; i < n; i++) {
		fl->texts[i] = vary(tmpl, len, i);
		fl->nodes[i].name = xasprintf("bench_worker%zu", i);
		prom_node_label(&fl->labels[i], fl->nodes[i].name);
		fl->nodes[i].text = fl->texts[i];
		fl->nodes[i].len = len;
		fl->nodes[i].scrape_seconds = 0.001;
		fl->bytes += len;
	}
}

static void fleet_free(struct fleet *fl)
{
	for (size_t i = 0; i < fl->n; i++) {
		free(fl->texts[i]);
		free((char *)fl->nodes[i].name);
		buf_free(&fl->labels[i]);
	}
	free(fl->labels);
	free(fl->texts);
	free(fl->nodes);
	free(fl->copy);
}

enum mode { COPY, MERGE, CACHED, SCAN };

/* The reference: every body copied into one buffer, the same from one copy to the next, so
 * that no copy pays the kernel's faulting in of fresh pages (the merge does not either). Not
 * inlined, so that callgrind's --toggle-collect=copy_all can count it as it counts
 * prom_merge. */
__attribute__((noinline)) static size_t copy_all(struct fleet *fl)
{
	size_t len = 0;

	if (!fl->copy)
		fl->copy = xmalloc(fl->bytes + 1);
	for (size_t i = 0; i < fl->n; i++) {
		memcpy(fl->copy + len, fl->nodes[i].text, fl->nodes[i].len);
		len += fl->nodes[i].len;
	}
	return len;
}

/* The merge's first step alone: each body scanned (prom-scan.c), the next one prefetched as
 * the merge does, and each scan freed at once, so its memory is the next one's: what a merge
 * of bodies it has not seen before costs at least. */
static size_t scan_all(const struct fleet *fl)
{
	struct prom_scan scan;
	char *cause = NULL;

	for (size_t i = 0; i < fl->n; i++) {
		for (size_t at = 0; i + 1 < fl->n && at < fl->nodes[i + 1].len; at += 64)
			__builtin_prefetch(fl->nodes[i + 1].text + at);
		if (prom_scan_text(fl->nodes[i].text, fl->nodes[i].len, &fl->labels[i], &scan,
				   &cause) != 0) {
			fprintf(stderr, "prom-bench: node %zu: %s\n", i, cause);
			exit(1);
		}
		prom_scan_free(&scan);
	}
	return fl->bytes;
}

/* One scrape's work in the given mode; returns the output's length. */
static size_t once(struct fleet *fl, enum mode mode, struct prom_cache *cache)
{
	size_t len = 0;

	if (mode == COPY)
		return copy_all(fl);
	if (mode == SCAN)
		return scan_all(fl);
	if (mode == MERGE)
		prom_text_free(prom_merge(fl->nodes, fl->n, &len, NULL));
	else
		prom_text_free(prom_cache_merge(cache, fl->nodes, fl->n, &len, NULL));
	return len; /* each output freed as the frontend does once the answer is sent */
}

static const char *const names[] = { "copy", "merge", "cached", "scan" };

static void row(struct fleet *fl, enum mode mode, int rounds)
{
	struct prom_cache *cache = prom_cache_new();
	double best = 1e9;
	size_t out = 0;

	if (mode == CACHED)
		once(fl, mode, cache);
	for (int r = 0; r < rounds; r++) {
		double t = now();

		out = once(fl, mode, cache);
		t = now() - t;
		if (t < best)
			best = t;
	}
	prom_cache_free(cache);
	printf("{\"mode\":\"%s\",\"nodes\":%zu,\"in_bytes\":%zu,\"out_bytes\":%zu,"
	       "\"ms\":%.3f,\"mb_s\":%.1f}\n",
	       names[mode], fl->n, fl->bytes, out, best * 1e3, (double)fl->bytes / best / 1e6);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* One scrape of the large fleet, timed, then its work in scrapes of the small one, timed
 * together: t[0] the large one's time, t[1] a small one's. Each is preceded by one untimed:
 * the merge keeps the memory of its last output (prom-out.c), the last fleet's size. */
static void pair(struct fleet *small, struct fleet *large, enum mode mode, double t[2])
{
	size_t k = large->n / small->n;

	once(large, mode, NULL);
	t[0] = now();
	once(large, mode, NULL);
	t[0] = now() - t[0];
	once(small, mode, NULL);
	t[1] = now();
	for (size_t i = 0; i < k; i++)
		once(small, mode, NULL);
	t[1] = (now() - t[1]) / (double)k;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The growth from small to large in mode: the median of the pairs' ratios and their range,
 * and the median times of a scrape of each. */
static void growth(struct fleet *small, struct fleet *large, enum mode mode, int pairs)
{
	double *r = xcalloc((size_t)pairs * 3, sizeof *r), *tl = r + pairs, *ts = tl + pairs, mid;

	for (int p = 0; p < pairs; p++) {
		double t[2];

		pair(small, large, mode, t);
		tl[p] = t[0], ts[p] = t[1], r[p] = t[0] / t[1];
	}
	mid = median(r, pairs); /* sorts r, before its ends are read */
	printf("{\"mode\":\"growth\",\"of\":\"%s\",\"small\":%zu,\"large\":%zu,\"pairs\":%d,"
	       "\"median\":%.1f,\"min\":%.1f,\"max\":%.1f,\"small_ms\":%.4f,\"large_ms\":%.3f}\n",
	       names[mode], small->n, large->n, pairs, mid, r[0], r[pairs - 1],
	       median(ts, pairs) * 1e3, median(tl, pairs) * 1e3);
	free(r);
}

/* --pairs: the growth from the first node count to the last, copy's, the scan's and the
 * merge's. */
static void growths(const char *tmpl, size_t len, size_t small_n, size_t large_n, int pairs)
{
	struct fleet small, large;

	fleet_make(&small, tmpl, len, small_n);
	fleet_make(&large, tmpl, len, large_n);
	growth(&small, &large, COPY, pairs);
	growth(&small, &large, SCAN, pairs);
	growth(&small, &large, MERGE, pairs);
	fleet_free(&large);
	fleet_free(&small);
}

static int usage(void)
{
	fprintf(stderr, "usage: prom-bench [--rounds N] [--pairs P] FILE [NODES...]\n");
	return 2;
}

int main(int argc, char **argv)
{
	int rounds = 5, pairs = 0;
	size_t len;
	char *tmpl;

	for (; argc >= 3 && argv[1][0] == '-'; argv += 2, argc -= 2) {
		if (strcmp(argv[1], "--rounds") == 0)
			rounds = atoi(argv[2]);
		else if (strcmp(argv[1], "--pairs") == 0)
			pairs = atoi(argv[2]);
		else
			return usage();
	}
	if (argc < 2 || rounds < 1 || pairs < 0 ||
	    (pairs && (argc < 4 || atol(argv[2]) < 1 || atol(argv[2]) >= atol(argv[argc - 1]))))
		return usage();
	tmpl = slurp(argv[1], &len);
	for (int a = argc > 2 ? 2 : 0; a < argc; a++) {
		struct fleet fl;

		fleet_make(&fl, tmpl, len, a ? (size_t)atol(argv[a]) : 256);
		for (enum mode m = COPY; m <= CACHED; m++)
			row(&fl, m, rounds);
		fleet_free(&fl);
		if (!a)
			break;
	}
	if (pairs)
		growths(tmpl, len, (size_t)atol(argv[2]), (size_t)atol(argv[argc - 1]), pairs);
	free(tmpl);
	return 0;
}
