/* The default store: a hash table in this process, entries expire TTL seconds after their
 * last heartbeat. Listing skips expired entries even before the sweep removes them. */
#include "config.h"
#include "store-memory.h"

#include <stdlib.h>

#include "xalloc.h"

#define MEM(s) ((struct mem_store *)(s))

void mem_store_init(struct mem_store *m, const struct store_ops *ops,
		    const struct store_limits *lim)
{
	m->base.ops = ops;
	pthread_mutex_init(&m->lock, NULL);
	m->table = disc_table_new();
	m->lim = *lim;
}

void mem_store_fini(struct mem_store *m)
{
	disc_table_free(m->table);
	pthread_mutex_destroy(&m->lock);
}

void mem_store_restore(struct mem_store *m, struct dentry *e)
{
	disc_table_put(m->table, e);
}

static struct store *mem_open(const struct store_spec *spec, const struct store_limits *lim,
			      char **cause)
{
	struct mem_store *m = xcalloc(1, sizeof(*m));

	mem_store_init(m, &store_memory_ops, lim);
	return &m->base;
}

static void changed(struct mem_store *m, bool membership)
{
	if (m->on_change)
		m->on_change(m->on_change_arg, membership);
}

static enum store_status mem_put(struct store *s, const struct dentry *e, bool force,
				 bool *created, char **cause)
{
	struct mem_store *m = MEM(s);
	const struct dentry *old;
	struct dentry copy;

	pthread_mutex_lock(&m->lock);
	old = disc_table_get(m->table, e->api_address);
	if (old != NULL && !force && entry_owned_by_other(old, e->owner)) {
		pthread_mutex_unlock(&m->lock);
		*cause = xasprintf("%s is registered by another token", e->api_address);
		return STORE_NOT_YOURS;
	}
	/* Entries past their TTL but not yet swept do not count against the bound. */
	if (old == NULL &&
	    disc_table_count_live(m->table, time(NULL) - m->lim.ttl) >= m->lim.max_entries) {
		pthread_mutex_unlock(&m->lock);
		*cause = xasprintf("registry full: %zu entries (--max-entries)", m->lim.max_entries);
		return STORE_FULL;
	}
	entry_copy(&copy, e);
	*created = disc_table_put(m->table, &copy) == 1;
	changed(m, *created);
	pthread_mutex_unlock(&m->lock);
	return STORE_OK;
}

static int mem_remove(struct store *s, const char *api_address, const char *owner,
		      char **cause)
{
	struct mem_store *m = MEM(s);
	const struct dentry *old;
	int rc;

	pthread_mutex_lock(&m->lock);
	old = disc_table_get(m->table, api_address);
	if (old != NULL && owner != NULL && entry_owned_by_other(old, owner)) {
		pthread_mutex_unlock(&m->lock);
		*cause = xasprintf("%s is registered by another token", api_address);
		return STORE_NOT_YOURS;
	}
	rc = disc_table_remove(m->table, api_address);
	if (rc == 1)
		changed(m, true);
	pthread_mutex_unlock(&m->lock);
	return rc;
}

static int mem_foreach(struct store *s, store_visit_fn cb, void *arg, char **cause)
{
	struct mem_store *m = MEM(s);
	int rc;

	pthread_mutex_lock(&m->lock);
	rc = disc_table_foreach(m->table, time(NULL) - m->lim.ttl, cb, arg);
	pthread_mutex_unlock(&m->lock);
	return rc < 0 ? -1 : 0;
}

static long mem_count(struct store *s, char **cause)
{
	struct mem_store *m = MEM(s);
	long n;

	pthread_mutex_lock(&m->lock);
	n = (long)disc_table_count_live(m->table, time(NULL) - m->lim.ttl);
	pthread_mutex_unlock(&m->lock);
	return n;
}

static size_t mem_expire(struct store *s, time_t now, time_t *next_due)
{
	struct mem_store *m = MEM(s);
	size_t n;
	time_t oldest;

	pthread_mutex_lock(&m->lock);
	n = disc_table_expire(m->table, now - m->lim.ttl);
	oldest = disc_table_oldest(m->table);
	if (n > 0)
		changed(m, true);
	pthread_mutex_unlock(&m->lock);
	*next_due = oldest ? oldest + m->lim.ttl : 0;
	return n;
}

static void mem_close(struct store *s)
{
	mem_store_fini(MEM(s));
	free(s);
}

const struct store_ops store_memory_ops = {
	.name = "memory",
	.open = mem_open,
	.put = mem_put,
	.remove = mem_remove,
	.foreach = mem_foreach,
	.count = mem_count,
	.expire = mem_expire,
	.close = mem_close,
};
