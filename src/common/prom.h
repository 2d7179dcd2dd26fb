/*
 * Prometheus text exposition format 0.0.4: a parser (prom-parse.c), one printer of series
 * (prom-print.c) and a merger of several nodes' expositions into one valid exposition
 * (prom-merge.c, which reads each text once with prom-scan.c and builds no model of it).
 *
 * The parser accepts what Python's prometheus_client and our agent emit. It keeps one copy of
 * the text and points names and (unescaped) label values into it, so a parse costs a handful
 * of allocations whatever the number of samples. Errors carry the line number. A sample that
 * is well formed but that Prometheus would refuse (label value not UTF-8, 1e999) is left out
 * and counted, so one bad series does not cost a node its other series.
 */
#ifndef LMC_COMMON_PROM_H
#define LMC_COMMON_PROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum prom_type { PROM_UNTYPED, PROM_COUNTER, PROM_GAUGE, PROM_HISTOGRAM, PROM_SUMMARY };

struct prom_label {
	const char *name;
	const char *value; /* unescaped */
};

struct prom_sample {
	const char *name; /* the full sample name: foo_bucket, foo_sum, foo_total, ... */
	const struct prom_label *labels;
	size_t nlabels;
	const char *value_text; /* as written: "1.0", "NaN", "+Inf" */
	double value;
	bool has_timestamp;
	int64_t timestamp_ms;
	/* private, for the merger: lengths, and the escaped text between the braces when it is
	 * written canonically (no blanks, no trailing comma), else NULL */
	size_t name_len, value_len;
	const char *raw_labels;
	size_t raw_labels_len;
};

struct prom_family {
	const char *name;
	enum prom_type type; /* PROM_UNTYPED when no TYPE line was given */
	const char *help;    /* unescaped; NULL when no HELP line was given */
	const struct prom_sample *samples; /* all of this family's samples, in text order */
	size_t nsamples;
};

/* Every pointer in it (names, help, labels, value texts) lives as long as the exposition. */
struct prom_exposition {
	struct prom_family *families; /* in order of first appearance */
	size_t nfamilies;
	size_t nsamples;
	/* Samples left out because re-emitting them would make the text invalid for Prometheus
	 * (a label value that is not UTF-8, a value or le/quantile out of a double's range):
	 * how many, and the first one's reason ("line N: ..."), else NULL. */
	size_t nskipped;
	char *skipped;
	/* private */
	char *text;
	struct prom_sample *sample_store;
	struct prom_label *label_store;
};

/* Parses len bytes of text. On error returns -1 with *cause "line N: what" and leaves *out
 * empty (safe to free). */
int prom_parse(const char *text, size_t len, struct prom_exposition *out, char **cause);
void prom_exposition_free(struct prom_exposition *e);

/* The family called name, or NULL. Linear: for consumers, not for the merger. */
const struct prom_family *prom_find_family(const struct prom_exposition *e, const char *name);
/* The value of label name in s, or NULL. */
const char *prom_label_value(const struct prom_sample *s, const char *name);
/* The series text name{label="value",...} of s (name NULL: the sample's own name), without the
 * label called except (NULL: none), label values escaped as the exposition format says. The
 * printer of series for every program (prom-print.c); a malloc'd string. */
char *prom_series(const char *name, const struct prom_sample *s, const char *except);
/* Appends n bytes of s escaped for the exposition: \\ and \n, and \" when quote (label
 * values; HELP texts leave " as it is). Bytes that are not UTF-8 become '?'. */
struct buf;
void prom_put_escaped(struct buf *b, const char *s, size_t n, bool quote);
/* "counter", "gauge", "histogram", "summary", "untyped". */
const char *prom_type_name(enum prom_type t);

/* One node's scrape, as input to prom_merge. */
struct prom_node {
	const char *name;
	const char *text; /* the exposition; NULL when the scrape failed */
	size_t len;
	const char *error; /* why the scrape failed ("unreachable: ...", "timeout ..."), when text is NULL */
	double scrape_seconds;
};

/* Something the merger left out: a node it could not use (family NULL) or one family of a
 * node (type conflict, reserved name). */
struct prom_problem {
	char *node;
	char *family; /* NULL for a problem with the whole node */
	char *message;
};

struct prom_problems {
	struct prom_problem *items;
	size_t count;
};

/* Merges the nodes' expositions into one (a string freed with prom_text_free, *out_len its
 * length): every sample gets node="<name>" (an existing node label becomes exported_node),
 * each family appears once with the first HELP seen and one TYPE, a node family whose type
 * conflicts with the first seen type is left out and reported, and the gauges
 * lmcache_frontend_node_up and lmcache_frontend_node_scrape_duration_seconds are added for
 * every node. A node whose text does not parse counts as down. Problems go to *problems
 * (when not NULL) and into the output as "# " comments. */
char *prom_merge(const struct prom_node *nodes, size_t n, size_t *out_len,
                 struct prom_problems *problems);
/* Frees a merge's output (prom_merge, prom_cache_merge, prom_cache_end), which must be freed
 * with it and not with free(): a large output is kept and written over by a later merge,
 * which then costs no page faults (prom-out.c). NULL is fine. */
void prom_text_free(void *text);
/* Appends n bytes at more to a merge's output text of *len bytes (in place when there is
 * room); returns the text, which may have moved and is still freed with prom_text_free. */
char *prom_text_append(char *text, size_t *len, const char *more, size_t n);
void prom_problems_free(struct prom_problems *p);

/* prom_merge that scans only the bodies that changed since the cache's last merge (a node
 * is known by its name; the last body and its scan are kept per node, for the nodes of the
 * last merge only). The cache is not thread-safe: one merge at a time. */
struct prom_cache;
struct prom_cache *prom_cache_new(void);
void prom_cache_free(struct prom_cache *c);
char *prom_cache_merge(struct prom_cache *c, const struct prom_node *nodes, size_t n,
                       size_t *out_len, struct prom_problems *problems);
/* The same in steps, so that each body is scanned as soon as it arrives while slower nodes
 * are still answering: prom_cache_begin with the nodes (only their names are read), then
 * prom_cache_node for each node i once its text or failure is known, in any order, then
 * prom_cache_end with every node filled in. */
void prom_cache_begin(struct prom_cache *c, const struct prom_node *nodes, size_t n);
void prom_cache_node(struct prom_cache *c, size_t i, const struct prom_node *node);
char *prom_cache_end(struct prom_cache *c, const struct prom_node *nodes, size_t n,
                     size_t *out_len, struct prom_problems *problems);

#endif
