/* file:PATH: the memory store, saved to a state file so a restart keeps what it knew.
 * Writes are debounced (a new or removed entry within half a second, refreshed heartbeats
 * within five) and atomic: a temporary file in the same directory, fsync, rename. Entries
 * restored from the file still expire by their last heartbeat. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "daemon-log.h"
#include "jsonutil.h"
#include "store-memory.h"
#include "xalloc.h"
#include "xthread.h"

#define URGENT_MS 500
#define LAZY_MS 5000

struct file_store {
	struct mem_store mem; /* first: the memory ops work on it */
	char *path;
	pthread_t writer;
	pthread_cond_t cond; /* uses mem.lock */
	bool dirty, urgent, stopping;
};

#define FS(s) ((struct file_store *)(s))

static int collect(const struct dentry *e, void *arg)
{
	json_array_append_new(arg, entry_to_json(e));
	return 0;
}

/* The file's text, built with the lock held (a snapshot). */
static char *snapshot(struct file_store *f)
{
	json_t *doc = json_object(), *arr = json_array();
	char *text;

	disc_table_foreach(f->mem.table, 0, collect, arr);
	json_object_set_new(doc, "format", json_string("lmcache-discovery-state/1"));
	json_object_set_new(doc, "entries", arr);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	return text;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static void sync_dir(const char *path)
{
	char *copy = xstrdup(path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
	free(copy);
}

static int save(const char *path, const char *text)
{
	char *tmp = xasprintf("%s.tmp.%d", path, (int)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	int rc = -1;

	if (fd >= 0) {
		if (write_all(fd, text, strlen(text)) == 0 && write_all(fd, "\n", 1) == 0 &&
		    fsync(fd) == 0)
			rc = 0;
		close(fd);
	}
	if (rc == 0 && rename(tmp, path) == 0)
		sync_dir(path);
	else
		rc = -1;
	if (rc < 0) {
		log_error("cannot save state to %s: %s", path, strerror(errno));
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

static void deadline_in(struct timespec *ts, int ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Lets changes gather: until the lazy deadline, or the urgent one once a membership change
 * arrives, or until the store stops. */
static void debounce(struct file_store *f)
{
	struct timespec lazy, urgent;
	bool have_urgent = false;

	deadline_in(&lazy, LAZY_MS);
	while (!f->stopping) {
		if (f->urgent && !have_urgent) {
			deadline_in(&urgent, URGENT_MS);
			have_urgent = true;
		}
		if (pthread_cond_timedwait(&f->cond, &f->mem.lock, have_urgent ? &urgent : &lazy) ==
		    ETIMEDOUT)
			return;
	}
}

static void *writer_main(void *arg)
{
	struct file_store *f = arg;
	char *text;

	pthread_mutex_lock(&f->mem.lock);
	for (;;) {
		while (!f->dirty && !f->stopping)
			pthread_cond_wait(&f->cond, &f->mem.lock);
		if (!f->dirty)
			break;
		debounce(f);
		text = snapshot(f);
		f->dirty = f->urgent = false;
		pthread_mutex_unlock(&f->mem.lock);
		save(f->path, text);
		free(text);
		pthread_mutex_lock(&f->mem.lock);
	}
	pthread_mutex_unlock(&f->mem.lock);
	return NULL;
}

/* Wakes the writer only on a transition, so 20,000 heartbeats a second cost it nothing. */
static void on_change(void *arg, bool membership)
{
	struct file_store *f = arg;
	bool wake = !f->dirty || (membership && !f->urgent);

	f->dirty = true;
	if (membership)
		f->urgent = true;
	if (wake)
		pthread_cond_signal(&f->cond);
}

static int by_last_seen(const void *a, const void *b)
{
	const struct dentry *x = a, *y = b;

	return (x->last_seen > y->last_seen) - (x->last_seen < y->last_seen);
}

/* Restores entries oldest first, so the table's heartbeat order holds. */
static void restore_entries(struct file_store *f, const json_t *arr)
{
	size_t n = json_array_size(arr), got = 0, i;
	struct dentry *v = xcalloc(n ? n : 1, sizeof(*v));
	json_t *item;
	char *why = NULL;

	json_array_foreach(arr, i, item) {
		if (entry_from_json(&v[got], item, &why) == 0) {
			got++;
		} else {
			log_warn("%s: skipping stored entry %zu: %s", f->path, i, why);
			free(why);
			why = NULL;
		}
	}
	qsort(v, got, sizeof(*v), by_last_seen);
	for (i = 0; i < got; i++)
		mem_store_restore(&f->mem, &v[i]);
	free(v);
}

/* A state file that does not parse (a torn disk, a hand edit) must not keep the registry
 * down: it is renamed to PATH.corrupt-<epoch> for a person to look at, and the registry
 * starts empty (heartbeats refill it within one interval). -1 only when it cannot be moved. */
static int set_aside(struct file_store *f, const char *why, char **cause)
{
	char *aside = xasprintf("%s.corrupt-%lld", f->path, (long long)time(NULL));
	int rc = 0;

	if (rename(f->path, aside) == 0) {
		log_warn("%s is not a state file (%s): moved to %s, starting empty", f->path, why,
			 aside);
	} else {
		*cause = xasprintf("%s is not a state file (%s) and cannot be moved aside: %s",
				   f->path, why, strerror(errno));
		rc = -1;
	}
	free(aside);
	return rc;
}

static int load(struct file_store *f, char **cause)
{
	struct buf text = BUF_INIT;
	char *why = NULL;
	struct stat st;
	json_t *doc;
	int rc;

	if (stat(f->path, &st) != 0 && errno == ENOENT)
		return 0; /* first start */
	if (stat(f->path, &st) == 0 && !S_ISREG(st.st_mode)) {
		*cause = xasprintf("%s is not a regular file", f->path);
		return -1;
	}
	if (buf_read_file(&text, f->path) < 0) {
		*cause = xasprintf("cannot read %s: %s", f->path, strerror(errno));
		return -1;
	}
	doc = json_parse_text(buf_cstr(&text), text.len, &why);
	buf_free(&text);
	if (doc == NULL || !json_is_array(json_object_get(doc, "entries"))) {
		rc = set_aside(f, why ? why : "no entries array", cause);
		free(why);
		json_decref(doc);
		return rc;
	}
	restore_entries(f, json_object_get(doc, "entries"));
	json_decref(doc);
	return 0;
}

static struct store *file_open(const struct store_spec *spec, const struct store_limits *lim,
			       char **cause)
{
	struct file_store *f = xcalloc(1, sizeof(*f));
	sigset_t all, old;

	mem_store_init(&f->mem, &store_file_ops, lim);
	f->path = xstrdup(spec->path);
	if (load(f, cause) < 0) {
		mem_store_fini(&f->mem);
		free(f->path);
		free(f);
		return NULL;
	}
	cond_init_monotonic(&f->cond);
	f->mem.on_change = on_change;
	f->mem.on_change_arg = f;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_create(&f->writer, NULL, writer_main, f);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return &f->mem.base;
}

/* Stopping flushes what is pending, so a clean shutdown loses no heartbeat. */
static void file_close(struct store *s)
{
	struct file_store *f = FS(s);

	pthread_mutex_lock(&f->mem.lock);
	f->stopping = true;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->mem.lock);
	pthread_join(f->writer, NULL);
	pthread_cond_destroy(&f->cond);
	mem_store_fini(&f->mem);
	free(f->path);
	free(f);
}

static enum store_status file_put(struct store *s, const struct dentry *e, bool force,
				  bool *created, char **cause)
{
	return store_memory_ops.put(s, e, force, created, cause);
}

static int file_remove(struct store *s, const char *api_address, const char *owner,
		       char **cause)
{
	return store_memory_ops.remove(s, api_address, owner, cause);
}

static int file_foreach(struct store *s, store_visit_fn cb, void *arg, char **cause)
{
	return store_memory_ops.foreach(s, cb, arg, cause);
}

static long file_count(struct store *s, char **cause)
{
	return store_memory_ops.count(s, cause);
}

static size_t file_expire(struct store *s, time_t now, time_t *next_due)
{
	return store_memory_ops.expire(s, now, next_due);
}

const struct store_ops store_file_ops = {
	.name = "file",
	.open = file_open,
	.put = file_put,
	.remove = file_remove,
	.foreach = file_foreach,
	.count = file_count,
	.expire = file_expire,
	.close = file_close,
};
