/* A reader of the Prometheus text exposition format 0.0.4: families with their HELP and
 * TYPE, and samples (series text as written, value). Lenient, as a client must be: lines it
 * cannot read are counted, not fatal. Pure: no I/O. */
#ifndef LMC_PROMTEXT_H
#define LMC_PROMTEXT_H

#include <stddef.h>

struct pt_sample {
	char *series; /* name{labels} as written */
	double value;
};

struct pt_family {
	char *name;
	char *type; /* "counter", "gauge", "histogram", "summary", "untyped" */
	char *help; /* "" when none */
	struct pt_sample *samples;
	size_t nsamples;
};

struct pt_doc {
	struct pt_family *fams;
	size_t nfams;
	size_t bad_lines;
};

/* Parses len bytes of exposition text into *doc (zeroed first). */
void pt_parse(const char *text, size_t len, struct pt_doc *doc);
void pt_free(struct pt_doc *doc);
/* The family a sample name belongs to: histogram and summary samples (_bucket, _sum,
 * _count) and counters (_total) belong to the family declared without the suffix. */
const struct pt_family *pt_find(const struct pt_doc *doc, const char *name);
/* The sum of the values of every sample of family name with exactly that sample name
 * (all label sets); false when there is none. */
int pt_sum(const struct pt_doc *doc, const char *name, double *sum);
/* The value of series (as written) in doc; false when absent. */
int pt_value(const struct pt_doc *doc, const char *series, double *value);

#endif
