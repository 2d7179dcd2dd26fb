/*
 * The merge's output buffers (prom-out.c): a large output (from 64 KiB; from 2 MB on huge
 * pages) is kept when its reader frees it (prom_text_free) and written over by the next
 * merge, so that a merge does not pay page faults and the kernel's zeroing of fresh pages
 * each time (8 MB at a thousand nodes). One buffer is kept at most, and none much larger
 * than the last output needed. The merges' slot is private to src/common; the registry's
 * listing has its own (src/discovery/listing.c), as can tests.
 */
#ifndef LMC_COMMON_PROM_OUT_H
#define LMC_COMMON_PROM_OUT_H

#include <pthread.h>
#include <stddef.h>

/* Outputs smaller than this are plain malloc'd blocks, which malloc recycles itself; from
 * it on they are kept (glibc maps blocks from 128 KiB afresh each time: a 16-node merge's
 * 130 KB output cost 33 page faults, a third of the merge). */
#define PROM_OUT_KEEP ((size_t)64 << 10)
/* From this on, whole huge pages. */
#define PROM_OUT_HUGE ((size_t)2 << 20)

struct prom_out_slot {
	pthread_mutex_t lock;
	char *kept; /* a free block for the next large output, or NULL */
};

#define PROM_OUT_SLOT_INIT { PTHREAD_MUTEX_INITIALIZER, NULL }

/* The merges' slot (prom_merge, prom_cache_merge, prom_text_free). */
extern struct prom_out_slot prom_out_slot;

/* Room for need bytes of output: the kept block when it fits and is at most twice what is
 * needed, else a new one (the kept one, too small or too large, is freed: a small output
 * after a large one leaves nothing kept). */
char *prom_out_take(struct prom_out_slot *s, size_t need);
/* The bytes an output from prom_out_take has room for. */
size_t prom_out_room(const char *out);
/* Frees an output: a large one is kept when the slot is empty or keeps a smaller one
 * (which is freed instead). NULL is fine. */
void prom_out_give(struct prom_out_slot *s, char *out);
/* Frees the kept block. */
void prom_out_drain(struct prom_out_slot *s);
/* Appends n bytes at more to the output out of *len bytes (in its own room when there is
 * some); returns the output, which may have moved. */
char *prom_out_append(struct prom_out_slot *s, char *out, size_t *len, const char *more,
                      size_t n);

#endif
