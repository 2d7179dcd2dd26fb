/* The in-memory registry: a hash table keyed by api_address whose entries are also on a
 * list ordered by last heartbeat, so expiry pops from the head and never scans. Not locked:
 * the memory store holds its lock around every call. */
#ifndef LMC_DISCOVERY_TABLE_H
#define LMC_DISCOVERY_TABLE_H

#include <stddef.h>
#include <time.h>

#include "entry.h"

struct disc_table;

struct disc_table *disc_table_new(void);
void disc_table_free(struct disc_table *t);
const struct dentry *disc_table_get(const struct disc_table *t, const char *api_address);
/* Inserts or refreshes e (taking its strings); an existing entry keeps its start_time.
 * Returns 1 when the entry is new, 0 when it was refreshed. */
int disc_table_put(struct disc_table *t, struct dentry *e);
/* Returns 1 when removed, 0 when absent. */
int disc_table_remove(struct disc_table *t, const char *api_address);
/* Removes entries last seen at or before cutoff; returns how many. */
size_t disc_table_expire(struct disc_table *t, time_t cutoff);
/* Entries seen after cutoff (walks only the expired ones at the head). */
size_t disc_table_count_live(const struct disc_table *t, time_t cutoff);
/* The oldest last_seen, or 0 when empty. */
time_t disc_table_oldest(const struct disc_table *t);
/* Calls cb on every entry seen after cutoff, oldest first; stops when cb returns non-zero. */
int disc_table_foreach(const struct disc_table *t, time_t cutoff, int (*cb)(const struct dentry *, void *),
		  void *arg);

#endif
