/*
 * One node's exposition read once (prom-scan.c): checked as strictly as prom_parse, each sample
 * line recorded as a piece of the text (where the node label goes in), in runs of lines of one
 * family. Nothing is copied: the merger (prom-merge.c) files the runs under the merged
 * families without building a model of the samples and writes the output straight from the
 * text; prom-cache.c keeps the last text and scan of each node. Private to src/common.
 */
#ifndef LMC_COMMON_PROM_SCAN_H
#define LMC_COMMON_PROM_SCAN_H

#include <stdint.h>

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

/* A sample line as the output has it: the len bytes at off in the text with the node label
 * put in after the first cut of them (how, the text says: after "name{" before a label, as
 * {node="..."} after a bare name). cut PROM_PIECE_OWN: the line was not written as the
 * output writes it (blanks, a node label to rename); the len bytes at off in the scan's own
 * buffer are the line rewritten, its node label in. Offsets, not pointers: 12 bytes a line,
 * which the merge reads again. */
struct prom_piece {
	uint32_t off, cut, len;
};

#define PROM_PIECE_OWN UINT32_MAX

/* The pieces [first, first + n) of one family, bytes long in the output. */
struct prom_run {
	size_t family;
	size_t first, n;
	size_t bytes;
};

struct prom_scan {
	const char *text; /* the scanned text, which must live as long as the scan */
	struct buf own;   /* lines rewritten (PROM_PIECE_OWN) */
	size_t label_len; /* of the node label the scan was made for */
	struct prom_scan_family *fams; /* in order of first appearance */
	size_t nfams, fam_cap;
	struct prom_piece *pieces;
	size_t npieces, piece_cap;
	struct prom_run *runs;
	size_t nruns, run_cap;
	/* samples left out because Prometheus would refuse them; the first one's reason */
	size_t nskipped;
	char *skipped;
};

/* Scans len bytes of text (less than 4 GiB) for the node whose label (node="...") is
 * node_label. On error returns -1 with *cause "line N: what" and *out empty (safe to free). */
int prom_scan_text(const char *text, size_t len, const struct buf *node_label,
                   struct prom_scan *out, char **cause);
void prom_scan_free(struct prom_scan *s);
/* Writes the n pieces at p of scan s (a run or part of one), for the node whose label is
 * node_label, at o (room for their bytes); returns the end of what it wrote. The writers are
 * in prom-print.c. */
char *prom_scan_put_run(const struct prom_scan *s, const struct prom_piece *p, size_t n,
                        const struct buf *node_label, char *o);

/* node="<name>" for name (escaped; bytes that are not UTF-8 as '?'). */
void prom_node_label(struct buf *b, const char *name);


/* prom_merge with some nodes already scanned: scans[i], when scans is not NULL and it is
 * not NULL, is node i's text scanned with its node label (text is then not read). */
char *prom_merge_scans(const struct prom_node *nodes, struct prom_scan *const *scans, size_t n,
                       size_t *out_len, struct prom_problems *problems);

#endif
