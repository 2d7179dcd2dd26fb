/* The memory store's state, shared with the file store that wraps it. */
#ifndef LMC_DISCOVERY_STORE_MEMORY_H
#define LMC_DISCOVERY_STORE_MEMORY_H

#include <pthread.h>

#include "store.h"
#include "table.h"

struct mem_store {
	struct store base;
	pthread_mutex_t lock;
	struct disc_table *table;
	struct store_limits lim;
	/* Called (lock held) after every change; membership is true for adds and removals. */
	void (*on_change)(void *arg, bool membership);
	void *on_change_arg;
};

void mem_store_init(struct mem_store *m, const struct store_ops *ops,
		    const struct store_limits *lim);
void mem_store_fini(struct mem_store *m);
/* Inserts a restored entry (lock not taken: for loading before serving). */
void mem_store_restore(struct mem_store *m, struct dentry *e);

#endif
