/*
 * prom-merge NAME=FILE...: merges the expositions in the files as prom_merge does for
 * lmcache-frontend's /metrics and prints the result. A file that cannot be read stands for
 * a node whose scrape failed. Problems go to stderr, one "node<TAB>family<TAB>message" line
 * each (family "-" for the whole node).
 */
#include "config.h"
#include "buf.h"
#include "prom.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads path into b; NULL on success, else why not. */
static char *slurp(const char *path, struct buf *b)
{
	FILE *f = fopen(path, "r");
	char chunk[65536];
	size_t n;

	if (!f)
		return xasprintf("unreachable: %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
	return NULL;
}

/* NAME=FILE into a node as the frontend's scrape would give it; -1 without "=". */
static int load_node(char *arg, struct prom_node *node, struct buf *text, char **error)
{
	char *eq = strchr(arg, '=');
	double start = now();

	if (!eq)
		return -1;
	*eq = '\0';
	node->name = arg;
	*error = slurp(eq + 1, text);
	node->text = *error ? NULL : buf_cstr(text);
	node->len = text->len;
	node->error = *error;
	node->scrape_seconds = now() - start;
	return 0;
}

int main(int argc, char **argv)
{
	struct prom_node *nodes = xcalloc((size_t)argc, sizeof *nodes);
	struct buf *texts = xcalloc((size_t)argc, sizeof *texts);
	char **errors = xcalloc((size_t)argc, sizeof *errors);
	struct prom_problems problems;
	size_t n = 0, len;
	char *out;

	for (int i = 1; i < argc; i++, n++)
		if (load_node(argv[i], &nodes[n], &texts[n], &errors[n]) < 0) {
			fprintf(stderr, "usage: prom-merge NAME=FILE...\n");
			return 2;
		}
	out = prom_merge(nodes, n, &len, &problems);
	fwrite(out, 1, len, stdout);
	for (size_t i = 0; i < problems.count; i++)
		fprintf(stderr, "%s\t%s\t%s\n", problems.items[i].node,
		        problems.items[i].family ? problems.items[i].family : "-",
		        problems.items[i].message);
	prom_problems_free(&problems);
	prom_text_free(out);
	for (size_t i = 0; i < n; i++) {
		buf_free(&texts[i]);
		free(errors[i]);
	}
	free(texts);
	free(errors);
	free(nodes);
	return 0;
}
