/*
 * The merge's output buffers (prom-out.h). A merge of a thousand nodes writes 8 MB; into
 * fresh memory each time, the kernel first faults in and zeroes every page. The output is
 * read once (sent to the client) and freed, so one block kept between merges takes that
 * away, for the price of keeping it while no merge runs: one block at most, at most twice
 * the size the last merge asked for.
 *
 * Each output is preceded by a header saying its block's size, so any number may be out at
 * once and each is freed by itself; an output handed to free() or realloc() instead of
 * prom_text_free is not the start of a block, which malloc refuses at once.
 */
#include "config.h"
#include "prom.h"
#include "prom-out.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct prom_out_slot prom_out_slot = PROM_OUT_SLOT_INIT;

/* Before each output, a cache line (so the text starts on one): its block's size. */
#define HEAD 64
#define MAGIC UINT64_C(0x70726f6d6f757421) /* "promout!" */

struct head {
	size_t cap; /* of the whole block, head included */
	uint64_t magic;
};

static struct head *head_of(const char *out)
{
	struct head *h = (struct head *)(void *)(out - HEAD);

	if (h->magic != MAGIC)
		abort(); /* not a merge's output: a caller's bug, and freeing it would be worse */
	return h;
}

/* A new block of at least n bytes, *cap its size. One that will be kept has room for a
 * next output a little longer (the values' digits vary from scrape to scrape); from
 * PROM_OUT_HUGE on it is whole 2 MiB huge pages when the kernel gives them on request, so
 * that its first writing costs a few page faults rather than one per 4 KiB. free()
 * releases it. */
static char *new_block(size_t n, size_t *cap)
{
	size_t size = (n + PROM_OUT_HUGE - 1) / PROM_OUT_HUGE * PROM_OUT_HUGE;
	void *p;

	*cap = n;
	if (n < PROM_OUT_KEEP)
		return xmalloc(n);
	if (n < PROM_OUT_HUGE || posix_memalign(&p, PROM_OUT_HUGE, size) != 0) {
		*cap = (n + n / 8 + 4095) & ~(size_t)4095;
		return xmalloc(*cap);
	}
	madvise(p, size, MADV_HUGEPAGE);
	*cap = size;
	return p;
}

char *prom_out_take(struct prom_out_slot *s, size_t need)
{
	size_t n = need + HEAD, cap = 0;
	char *block = NULL, *old = NULL;

	pthread_mutex_lock(&s->lock);
	old = s->kept;
	s->kept = NULL;
	pthread_mutex_unlock(&s->lock);
	if (old) {
		cap = ((struct head *)(void *)old)->cap;
		if (cap >= n && cap / 2 <= n)
			block = old, old = NULL;
	}
	free(old); /* too small, or more than twice what is needed: not kept */
	if (!block)
		block = new_block(n, &cap);
	*(struct head *)(void *)block = (struct head){ cap, MAGIC };
	return block + HEAD;
}

size_t prom_out_room(const char *out)
{
	return head_of(out)->cap - HEAD;
}

void prom_out_give(struct prom_out_slot *s, char *out)
{
	struct head *h;

	if (!out)
		return;
	h = head_of(out);
	if (h->cap >= PROM_OUT_KEEP) {
		char *kept;

		pthread_mutex_lock(&s->lock);
		kept = s->kept;
		/* The larger is kept: an output that grew gives back its smaller first block
		 * before its final one. */
		if (!kept || ((struct head *)(void *)kept)->cap < h->cap) {
			s->kept = (char *)h;
			h = (struct head *)(void *)kept;
		}
		pthread_mutex_unlock(&s->lock);
	}
	free(h);
}

void prom_out_drain(struct prom_out_slot *s)
{
	char *block;

	pthread_mutex_lock(&s->lock);
	block = s->kept;
	s->kept = NULL;
	pthread_mutex_unlock(&s->lock);
	free(block);
}

char *prom_out_append(struct prom_out_slot *s, char *out, size_t *len, const char *more,
                      size_t n)
{
	char *to = out;

	if (*len + n + 1 > prom_out_room(out)) {
		to = prom_out_take(s, *len + n + 1);
		memcpy(to, out, *len);
		prom_out_give(s, out);
	}
	memcpy(to + *len, more, n);
	*len += n;
	to[*len] = '\0';
	return to;
}

void prom_text_free(void *text)
{
	prom_out_give(&prom_out_slot, text);
}

char *prom_text_append(char *text, size_t *len, const char *more, size_t n)
{
	return prom_out_append(&prom_out_slot, text, len, more, n);
}
