/* The etcd store's copy of its prefix, so a listing reads memory instead of ranging over
 * every key through etcd's JSON gateway: loaded from one range, then kept current by the
 * lines of etcd's watch stream (/v3/watch) from the next revision on. Locked inside. */
#ifndef LMC_DISCOVERY_ETCD_MIRROR_H
#define LMC_DISCOVERY_ETCD_MIRROR_H

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "store.h"
#include "table.h"

struct etcd_mirror {
	pthread_mutex_t lock;
	pthread_cond_t moved; /* the revision grew or the mirror was dropped */
	char *prefix;
	struct disc_table *table; /* NULL: not loaded, or the watch broke (listings range etcd) */
	bool watching;	     /* the watch stream confirmed it was created */
	long long rev;	     /* the etcd revision the table reflects */
	long long wrote;     /* the revision of this registry's last write */
};

void mirror_init(struct etcd_mirror *m, const char *prefix);
void mirror_fini(struct etcd_mirror *m);
/* Replaces the table by the keys of a range reply; returns the revision to watch from. */
long long mirror_load(struct etcd_mirror *m, const json_t *range_reply);
/* Applies one line of the watch stream: 0 applied, 1 the watch is over (cancelled, e.g.
 * its start revision was compacted): load again; -1 not a watch message. */
int mirror_apply(struct etcd_mirror *m, const char *line, size_t len);
/* Forgets the table (the watch broke): listings go to etcd until the next load. */
void mirror_drop(struct etcd_mirror *m);
/* Notes the revision of a write of this registry that changed a key under the prefix (a
 * put, or a delete that deleted): its reply's header. NULL: none. */
void mirror_wrote(struct etcd_mirror *m, const json_t *reply);
/* Visits the entries seen after cutoff once the mirror holds this registry's last write,
 * waiting for the watch up to wait_ms; -1 when there is no current mirror. */
int mirror_foreach(struct etcd_mirror *m, time_t cutoff, int wait_ms, store_visit_fn cb,
		   void *arg);

#endif
