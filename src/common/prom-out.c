/*
 * The merge's output buffers (prom-out.h). A merge of a thousand nodes writes 8 MB; into
 * fresh memory each time, the kernel first faults in and zeroes every page (about a
 * millisecond of the merge's 13 on huge pages). The output is read once (sent to the
 * client) and freed, so one buffer kept between merges takes that away, for the price of
 * keeping it while no merge runs. Kept: one buffer at most, at most twice the size the last
 * merge asked for.
 */
#include "config.h"
#include "prom.h"
#include "prom-out.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

struct prom_out_slot prom_out_slot = PROM_OUT_SLOT_INIT;

/* A new buffer of at least n bytes (n >= PROM_OUT_HUGE), *cap its size: whole 2 MiB huge
 * pages when the kernel gives them on request, so that its first writing costs a few page
 * faults rather than one per 4 KiB. free() releases it. */
static char *big_alloc(size_t n, size_t *cap)
{
	size_t size = (n + PROM_OUT_HUGE - 1) / PROM_OUT_HUGE * PROM_OUT_HUGE;
	void *p;

	if (posix_memalign(&p, PROM_OUT_HUGE, size) != 0) {
		*cap = n;
		return xmalloc(n);
	}
	madvise(p, size, MADV_HUGEPAGE);
	*cap = size;
	return p;
}

char *prom_out_take(struct prom_out_slot *s, size_t need, size_t *cap)
{
	char *p = NULL, *old = NULL;

	if (need < PROM_OUT_HUGE) {
		*cap = need;
		return xmalloc(need);
	}
	pthread_mutex_lock(&s->lock);
	if (s->kept && s->kept_cap >= need && s->kept_cap / 2 <= need) {
		p = s->kept;
		*cap = s->kept_cap;
	} else {
		old = s->kept; /* too small, or much larger than needed: not kept */
	}
	s->kept = NULL;
	pthread_mutex_unlock(&s->lock);
	free(old);
	return p ? p : big_alloc(need, cap);
}

void prom_out_lend(struct prom_out_slot *s, char *p, size_t cap)
{
	if (cap < PROM_OUT_HUGE)
		return;
	pthread_mutex_lock(&s->lock);
	if (!s->lent) { /* else another merge's output is out: this one is freed when done */
		s->lent = p;
		s->lent_cap = cap;
	}
	pthread_mutex_unlock(&s->lock);
}

void prom_out_give(struct prom_out_slot *s, char *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&s->lock);
	if (p == s->lent) {
		s->lent = NULL;
		if (!s->kept) {
			s->kept = p;
			s->kept_cap = s->lent_cap;
			p = NULL;
		}
	}
	pthread_mutex_unlock(&s->lock);
	free(p);
}

void prom_out_drain(struct prom_out_slot *s)
{
	char *p;

	pthread_mutex_lock(&s->lock);
	p = s->kept;
	s->kept = NULL;
	pthread_mutex_unlock(&s->lock);
	free(p);
}

char *prom_out_append(struct prom_out_slot *s, char *p, size_t *len, const char *more,
                      size_t n)
{
	size_t room;
	bool lent;
	char *q;

	pthread_mutex_lock(&s->lock);
	lent = p == s->lent;
	room = lent ? s->lent_cap : 0;
	pthread_mutex_unlock(&s->lock);
	if (!lent) {
		q = xrealloc(p, *len + n + 1); /* an ordinary block: realloc may move it */
	} else if (*len + n + 1 <= room) {
		q = p;
	} else { /* the one lent is given back, not moved under the slot's record */
		q = xmalloc(*len + n + 1);
		memcpy(q, p, *len);
		prom_out_give(s, p);
	}
	memcpy(q + *len, more, n);
	*len += n;
	q[*len] = '\0';
	return q;
}

void prom_text_free(void *text)
{
	prom_out_give(&prom_out_slot, text);
}

char *prom_text_append(char *text, size_t *len, const char *more, size_t n)
{
	return prom_out_append(&prom_out_slot, text, len, more, n);
}
