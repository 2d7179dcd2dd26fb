/*
 * The merge's output buffers (prom-out.c): a large output (from 2 MB, on huge pages) is kept
 * when its reader frees it (prom_text_free) and written over by the next merge, so that a
 * merge of a thousand nodes does not pay page faults and the kernel's zeroing of 8 MB of
 * fresh pages each time. One buffer is kept at most, and none much larger than the last
 * output needed. Private to src/common; the slot is a parameter so that tests can have
 * their own.
 */
#ifndef LMC_COMMON_PROM_OUT_H
#define LMC_COMMON_PROM_OUT_H

#include <pthread.h>
#include <stddef.h>

/* Outputs smaller than this are plain malloc'd blocks, which malloc recycles itself. */
#define PROM_OUT_HUGE ((size_t)2 << 20)

struct prom_out_slot {
	pthread_mutex_t lock;
	char *kept;       /* a free buffer for the next large output, or NULL */
	size_t kept_cap;
	char *lent;       /* the last large output handed out from here, until it is freed */
	size_t lent_cap;
};

#define PROM_OUT_SLOT_INIT { PTHREAD_MUTEX_INITIALIZER, NULL, 0, NULL, 0 }

/* The merges' slot (prom_merge, prom_cache_merge, prom_text_free). */
extern struct prom_out_slot prom_out_slot;

/* A buffer of at least need bytes, *cap its size: the kept one when it fits and is at most
 * twice need, else a new one (the kept one, too small or too large, is freed). The buffer
 * may be grown with realloc before prom_out_lend. */
char *prom_out_take(struct prom_out_slot *s, size_t need, size_t *cap);
/* Records the finished output p (cap bytes) as handed out, so that prom_out_give keeps it. */
void prom_out_lend(struct prom_out_slot *s, char *p, size_t cap);
/* Frees an output: the one lent is kept when the slot is empty; any other is freed. */
void prom_out_give(struct prom_out_slot *s, char *p);
/* Frees the kept buffer (what is lent stays the reader's). */
void prom_out_drain(struct prom_out_slot *s);
/* Appends n bytes at more to the output p of *len bytes (p's own room when it has some);
 * returns the output, which may have moved. */
char *prom_out_append(struct prom_out_slot *s, char *p, size_t *len, const char *more,
                      size_t n);

#endif
