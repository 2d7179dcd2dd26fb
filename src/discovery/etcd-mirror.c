/* A listing from the mirror shows this registry's own writes at once (it waits for the
 * watch to deliver them) and other registries' as soon as etcd's watch delivers them,
 * milliseconds later. Without a mirror (etcd restarting, the watch broken) the store
 * ranges etcd as before. */
#include "config.h"
#include "etcd-mirror.h"

#include <stdlib.h>
#include <string.h>

#include "etcd-codec.h"
#include "jsonutil.h"
#include "xalloc.h"
#include "xthread.h"

void mirror_init(struct etcd_mirror *m, const char *prefix)
{
	memset(m, 0, sizeof(*m));
	pthread_mutex_init(&m->lock, NULL);
	cond_init_monotonic(&m->moved);
	m->prefix = xstrdup(prefix);
}

void mirror_fini(struct etcd_mirror *m)
{
	disc_table_free(m->table);
	free(m->prefix);
	pthread_cond_destroy(&m->moved);
	pthread_mutex_destroy(&m->lock);
}

/* Stores the entry of kv in t (a foreign or damaged value under the prefix is left out). */
static void put_kv(struct disc_table *t, const json_t *kv)
{
	struct dentry e;

	if (etcd_decode_entry(kv, &e, NULL) == 0)
		disc_table_put(t, &e);
}

long long mirror_load(struct etcd_mirror *m, const json_t *range_reply)
{
	struct disc_table *t = disc_table_new(), *old;
	long long rev = etcd_int64(json_object_get(range_reply, "header"), "revision");
	const json_t *kv;
	size_t i;

	json_array_foreach(json_object_get(range_reply, "kvs"), i, kv)
		put_kv(t, kv);
	pthread_mutex_lock(&m->lock);
	old = m->table;
	m->table = t;
	m->watching = false; /* until the watch from rev + 1 is confirmed */
	m->rev = rev;
	pthread_mutex_unlock(&m->lock);
	disc_table_free(old);
	return rev;
}

/* One event of a watch message; under lock. The mirror reflects etcd up to the event's
 * revision (not the message header's: replayed events come after a header that is ahead). */
static void apply_event(struct etcd_mirror *m, const json_t *ev)
{
	const json_t *kv = json_object_get(ev, "kv");
	long long rev = etcd_int64(kv, "mod_revision");
	char *addr;

	if (rev > m->rev)
		m->rev = rev;
	if (json_is_string(json_object_get(ev, "type")) &&
	    strcmp(json_string_value(json_object_get(ev, "type")), "DELETE") == 0) {
		if ((addr = etcd_key_address(kv, m->prefix)) != NULL)
			disc_table_remove(m->table, addr);
		free(addr);
		return;
	}
	put_kv(m->table, kv); /* PUT, the gateway's default type, is left out of the JSON */
}

int mirror_apply(struct etcd_mirror *m, const char *line, size_t len)
{
	json_t *doc = json_loadb(line, len, 0, NULL);
	const json_t *res = json_object_get(doc, "result"), *ev;
	int rc = res == NULL ? -1 : json_is_true(json_object_get(res, "canceled")) ? 1 : 0;
	size_t i;

	pthread_mutex_lock(&m->lock);
	if (rc == 0 && m->table != NULL) {
		json_array_foreach(json_object_get(res, "events"), i, ev)
			apply_event(m, ev);
		m->watching = true;
		pthread_cond_broadcast(&m->moved);
	}
	pthread_mutex_unlock(&m->lock);
	json_decref(doc);
	return rc;
}

void mirror_drop(struct etcd_mirror *m)
{
	struct disc_table *old;

	pthread_mutex_lock(&m->lock);
	old = m->table;
	m->table = NULL;
	m->watching = false;
	pthread_cond_broadcast(&m->moved);
	pthread_mutex_unlock(&m->lock);
	disc_table_free(old);
}

void mirror_wrote(struct etcd_mirror *m, const json_t *reply)
{
	long long rev = etcd_int64(json_object_get(reply, "header"), "revision");

	if (reply == NULL)
		return;
	pthread_mutex_lock(&m->lock);
	if (rev > m->wrote)
		m->wrote = rev;
	pthread_mutex_unlock(&m->lock);
}

/* Whether the mirror is current and holds this registry's last write, waiting for the
 * watch up to wait_ms; under lock. */
static bool caught_up(struct etcd_mirror *m, int wait_ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += wait_ms / 1000;
	until.tv_nsec += (long)(wait_ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (m->table != NULL && m->watching && m->rev < m->wrote)
		if (pthread_cond_timedwait(&m->moved, &m->lock, &until) != 0)
			break;
	return m->table != NULL && m->watching && m->rev >= m->wrote;
}

int mirror_foreach(struct etcd_mirror *m, time_t cutoff, int wait_ms, store_visit_fn cb,
		   void *arg)
{
	int rc = -1;

	pthread_mutex_lock(&m->lock);
	if (caught_up(m, wait_ms)) {
		disc_table_foreach(m->table, cutoff, cb, arg);
		rc = 0;
	}
	pthread_mutex_unlock(&m->lock);
	return rc;
}
