/*
 * One node's exposition read once (prom-scan.c): checked as strictly as prom_parse, its sample
 * lines copied with the node label injected into one buffer, in runs of lines of one family.
 * The merger (prom-merge.c) files the runs under the merged families without building a
 * model of the samples; prom-cache.c keeps the last scan of each node. Private to src/common.
 */
#ifndef LMC_COMMON_PROM_SCAN_H
#define LMC_COMMON_PROM_SCAN_H

#include "buf.h"
#include "prom.h"

struct prom_scan_family {
	const char *name; /* into the scanned text, name_len bytes */
	size_t name_len;
	enum prom_type type;
	bool has_type;
	const char *help; /* the HELP text as written (escaped), or NULL */
	size_t help_len;
	size_t nsamples;
};

/* len bytes at off in the scan's out, all lines of one family (offsets, as out may move). */
struct prom_run {
	size_t family;
	size_t off, len;
};

struct prom_scan {
	struct buf *out; /* where its sample lines are (not owned: several scans may share it) */
	struct prom_scan_family *fams; /* in order of first appearance */
	size_t nfams, fam_cap;
	struct prom_run *runs;
	size_t nruns, run_cap;
	/* samples left out because Prometheus would refuse them; the first one's reason */
	size_t nskipped;
	char *skipped;
};

/* Scans len bytes of text, appending its sample lines to dst with node_label (node="...")
 * injected into each. On error returns -1 with *cause "line N: what", dst as it was and *out
 * empty (safe to free). */
int prom_scan_text(const char *text, size_t len, const struct buf *node_label, struct buf *dst,
              struct prom_scan *out, char **cause);
void prom_scan_free(struct prom_scan *s);

/* node="<name>" for name (escaped; bytes that are not UTF-8 as '?'). */
void prom_node_label(struct buf *b, const char *name);


/* prom_merge with some nodes already scanned: scans[i], when scans is not NULL and it is
 * not NULL, is node i's text scanned with its node label (text is then not read). */
char *prom_merge_scans(const struct prom_node *nodes, struct prom_scan *const *scans, size_t n,
                       size_t *out_len, struct prom_problems *problems);

#endif
