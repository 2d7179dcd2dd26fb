/* The in-memory registry: a hash table keyed by api_address whose entries are also on a
 * list ordered by last heartbeat, so expiry pops from the head and never scans. Not locked:
 * the memory store holds its lock around every call. */
#ifndef LMC_DISCOVERY_TABLE_H
#define LMC_DISCOVERY_TABLE_H

#include <stddef.h>
#include <time.h>

#include "entry.h"

struct table;

struct table *table_new(void);
void table_free(struct table *t);
size_t table_count(const struct table *t);
const struct dentry *table_get(const struct table *t, const char *api_address);
/* Inserts or refreshes e (taking its strings); an existing entry keeps its start_time.
 * Returns 1 when the entry is new, 0 when it was refreshed. */
int table_put(struct table *t, struct dentry *e);
/* Returns 1 when removed, 0 when absent. */
int table_remove(struct table *t, const char *api_address);
/* Removes entries last seen at or before cutoff; returns how many. */
size_t table_expire(struct table *t, time_t cutoff);
/* Entries seen after cutoff (walks only the expired ones at the head). */
size_t table_count_live(const struct table *t, time_t cutoff);
/* The oldest last_seen, or 0 when empty. */
time_t table_oldest(const struct table *t);
/* Calls cb on every entry seen after cutoff, oldest first; stops when cb returns non-zero. */
int table_foreach(const struct table *t, time_t cutoff, int (*cb)(const struct dentry *, void *),
		  void *arg);

#endif
