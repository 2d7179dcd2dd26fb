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
 */
#include "config.h"
#include "buf.h"
#include "prom.h"
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
};

static void fleet_make(struct fleet *fl, const char *tmpl, size_t len, size_t n)
{
	fl->n = n;
	fl->bytes = 0;
	fl->nodes = xcalloc(n, sizeof *fl->nodes);
	fl->texts = xcalloc(n, sizeof *fl->texts);
	for (size_t i = 0; i < n; i++) {
		fl->texts[i] = vary(tmpl, len, i);
		fl->nodes[i].name = xasprintf("bench_worker%zu", i);
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
	}
	free(fl->texts);
	free(fl->nodes);
}

enum mode { COPY, MERGE, CACHED };

/* The reference: every body copied into one buffer. Not inlined, so that callgrind's
 * --toggle-collect=copy_all can count it as it counts prom_merge. */
__attribute__((noinline)) static char *copy_all(const struct fleet *fl, size_t *len)
{
	char *out = xmalloc(fl->bytes + 1);

	*len = 0;
	for (size_t i = 0; i < fl->n; i++) {
		memcpy(out + *len, fl->nodes[i].text, fl->nodes[i].len);
		*len += fl->nodes[i].len;
	}
	return out;
}

/* One scrape's work in the given mode; returns the output's length. */
static size_t once(const struct fleet *fl, enum mode mode, struct prom_cache *cache)
{
	size_t len = 0;
	char *out;

	if (mode == COPY)
		out = copy_all(fl, &len);
	else if (mode == MERGE) {
		out = prom_merge(fl->nodes, fl->n, &len, NULL);
	} else {
		out = prom_cache_merge(cache, fl->nodes, fl->n, &len, NULL);
	}
	if (mode == COPY)
		free(out);
	else
		prom_text_free(out); /* as the frontend does once the answer is sent */
	return len;
}

static void row(const struct fleet *fl, enum mode mode, int rounds)
{
	static const char *const names[] = { "copy", "merge", "cached" };
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

int main(int argc, char **argv)
{
	int rounds = 5, first = 2;
	size_t len;
	char *tmpl;

	if (argc >= 3 && strcmp(argv[1], "--rounds") == 0) {
		rounds = atoi(argv[2]);
		argv += 2;
		argc -= 2;
	}
	if (argc < 2 || rounds < 1) {
		fprintf(stderr, "usage: prom-bench [--rounds N] FILE [NODES...]\n");
		return 2;
	}
	tmpl = slurp(argv[1], &len);
	for (int a = argc > first ? first : 0; a < argc; a++) {
		struct fleet fl;

		fleet_make(&fl, tmpl, len, a ? (size_t)atol(argv[a]) : 256);
		for (enum mode m = COPY; m <= CACHED; m++)
			row(&fl, m, rounds);
		fleet_free(&fl);
		if (!a)
			break;
	}
	free(tmpl);
	return 0;
}
