/* Every stored entry gets its listing member rendered here, once its start_time is final. */
#include "config.h"
#include "table.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "listing.h"
#include "xalloc.h"

struct node {
	struct dentry e;
	uint64_t hash;
	struct node *chain;	  /* next in the bucket */
	struct node *prev, *next; /* heartbeat order, oldest first */
};

struct disc_table {
	struct node **buckets;
	size_t nbuckets; /* a power of two */
	size_t count;
	struct node *head, *tail;
};

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

struct disc_table *disc_table_new(void)
{
	struct disc_table *t = xcalloc(1, sizeof(*t));

	t->nbuckets = 64;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	return t;
}

void disc_table_free(struct disc_table *t)
{
	struct node *n, *next;

	if (t == NULL)
		return;
	for (n = t->head; n; n = next) {
		next = n->next;
		entry_clear(&n->e);
		free(n);
	}
	free(t->buckets);
	free(t);
}

static struct node **find_slot(const struct disc_table *t, const char *addr, uint64_t h)
{
	struct node **p = &t->buckets[h & (t->nbuckets - 1)];

	while (*p && ((*p)->hash != h || strcmp((*p)->e.api_address, addr) != 0))
		p = &(*p)->chain;
	return p;
}

const struct dentry *disc_table_get(const struct disc_table *t, const char *api_address)
{
	struct node *n = *find_slot(t, api_address, hash_str(api_address));

	return n ? &n->e : NULL;
}

static void grow(struct disc_table *t)
{
	size_t nb = t->nbuckets * 2;
	struct node **b = xcalloc(nb, sizeof(*b));

	for (struct node *n = t->head; n; n = n->next) {
		n->chain = b[n->hash & (nb - 1)];
		b[n->hash & (nb - 1)] = n;
	}
	free(t->buckets);
	t->buckets = b;
	t->nbuckets = nb;
}

static void unlink_order(struct disc_table *t, struct node *n)
{
	if (n->prev)
		n->prev->next = n->next;
	else
		t->head = n->next;
	if (n->next)
		n->next->prev = n->prev;
	else
		t->tail = n->prev;
	n->prev = n->next = NULL;
}

static void append_order(struct disc_table *t, struct node *n)
{
	n->prev = t->tail;
	n->next = NULL;
	if (t->tail)
		t->tail->next = n;
	else
		t->head = n;
	t->tail = n;
}

int disc_table_put(struct disc_table *t, struct dentry *e)
{
	uint64_t h = hash_str(e->api_address);
	struct node **slot = find_slot(t, e->api_address, h);
	struct node *n = *slot;

	if (n) {
		e->start_time = n->e.start_time;
		listing_render(e);
		entry_clear(&n->e);
		n->e = *e;
		unlink_order(t, n);
		append_order(t, n);
		return 0;
	}
	listing_render(e);
	n = xcalloc(1, sizeof(*n));
	n->e = *e;
	n->hash = h;
	*slot = n;
	append_order(t, n);
	if (++t->count > t->nbuckets)
		grow(t);
	return 1;
}

static void drop(struct disc_table *t, struct node **slot)
{
	struct node *n = *slot;

	*slot = n->chain;
	unlink_order(t, n);
	entry_clear(&n->e);
	free(n);
	t->count--;
}

int disc_table_remove(struct disc_table *t, const char *api_address)
{
	struct node **slot = find_slot(t, api_address, hash_str(api_address));

	if (*slot == NULL)
		return 0;
	drop(t, slot);
	return 1;
}

size_t disc_table_expire(struct disc_table *t, time_t cutoff)
{
	size_t n = 0;

	/* The list is ordered by last_seen (loaders insert oldest first), so the first live
	 * entry ends the sweep. */
	while (t->head && t->head->e.last_seen <= cutoff) {
		drop(t, find_slot(t, t->head->e.api_address, t->head->hash));
		n++;
	}
	return n;
}

size_t disc_table_count_live(const struct disc_table *t, time_t cutoff)
{
	size_t dead = 0;

	for (struct node *n = t->head; n && n->e.last_seen <= cutoff; n = n->next)
		dead++;
	return t->count - dead;
}

time_t disc_table_oldest(const struct disc_table *t)
{
	return t->head ? t->head->e.last_seen : 0;
}

int disc_table_foreach(const struct disc_table *t, time_t cutoff, int (*cb)(const struct dentry *, void *),
		  void *arg)
{
	int rc;

	for (struct node *n = t->head; n; n = n->next) {
		if (n->e.last_seen <= cutoff)
			continue;
		if ((rc = cb(&n->e, arg)) != 0)
			return rc;
	}
	return 0;
}
