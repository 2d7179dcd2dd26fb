/* The sampler of GET /profile (profile.h). Each round lists the threads, reads their state
 * and takes each one's raw stack with the capture signal; names are resolved once, after
 * the last round. Nothing runs between profiles: the idle cost is zero.
 *
 * An off-CPU thread blocked in the same system call at the same pc and stack pointer as
 * at its last sample has the same stack: it is counted again without a signal, so a
 * sleeping thread is interrupted once per blocking site, not hz times a second. */
#include "config.h"
#include "profile.h"
#include "server.h"
#include "symbols.h"
#include "xalloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Distinct stacks kept per table; further samples of new stacks are counted as dropped. */
#define MAX_STACKS 8192
#define MAX_TRACKED 1024 /* threads whose off-CPU stack is remembered */

struct raw {
	uint64_t hash; /* 0: empty slot */
	char thread[64];
	int n;
	long count;
	void **pcs;
};

struct table {
	struct raw *slots;
	size_t cap, used;
};

/* The last off-CPU stack of one thread and where it was blocked. */
struct tracked {
	int tid;
	char where[64]; /* "syscall sp pc" */
	int n;
	void *pcs[STACKS_MAX_FRAMES];
};

struct sampler {
	int signo, self;
	struct table on, off;
	struct tracked *tracked;
	size_t ntracked;
	long dropped;
};

static atomic_bool busy;

bool profile_begin(void)
{
	bool expect = false;

	return atomic_compare_exchange_strong(&busy, &expect, true);
}

void profile_end(void) { atomic_store(&busy, false); }

/* ---- the table of distinct stacks ---- */

static uint64_t hash_of(const char *thread, void **pcs, int n)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = thread; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	for (int i = 0; i < n; i++)
		h = (h ^ (uintptr_t)pcs[i]) * 1099511628211ull;
	return h ? h : 1;
}

static bool same(const struct raw *r, uint64_t h, const char *thread, void **pcs, int n)
{
	return r->hash == h && r->n == n && strcmp(r->thread, thread) == 0 &&
	       memcmp(r->pcs, pcs, (size_t)n * sizeof *pcs) == 0;
}

static struct raw *find(struct table *t, uint64_t h, const char *thread, void **pcs, int n)
{
	size_t i = (size_t)h & (t->cap - 1);

	while (t->slots[i].hash != 0 && !same(&t->slots[i], h, thread, pcs, n))
		i = (i + 1) & (t->cap - 1);
	return &t->slots[i];
}

static void grow(struct table *t)
{
	struct raw *old = t->slots;
	size_t n = t->cap;

	t->cap = n ? n * 2 : 256;
	t->slots = xcalloc(t->cap, sizeof *t->slots);
	for (size_t i = 0; i < n; i++)
		if (old[i].hash != 0)
			*find(t, old[i].hash, old[i].thread, old[i].pcs, old[i].n) = old[i];
	free(old);
}

static void count(struct sampler *sp, struct table *t, const char *thread, void **pcs, int n)
{
	uint64_t h = hash_of(thread, pcs, n);
	struct raw *r;

	if ((t->used + 1) * 2 > t->cap)
		grow(t);
	r = find(t, h, thread, pcs, n);
	if (r->hash == 0) {
		if (t->used >= MAX_STACKS) {
			sp->dropped++;
			return;
		}
		*r = (struct raw){ .hash = h, .n = n };
		snprintf(r->thread, sizeof r->thread, "%s", thread);
		r->pcs = xcalloc((size_t)(n ? n : 1), sizeof *pcs);
		memcpy(r->pcs, pcs, (size_t)n * sizeof *pcs);
		t->used++;
	}
	r->count++;
}

static void table_free(struct table *t)
{
	for (size_t i = 0; i < t->cap; i++)
		free(t->slots[i].pcs);
	free(t->slots);
}

/* ---- one round ---- */

/* "syscall sp pc" of a thread blocked in a system call, from /proc (the arguments are left
 * out: a timeout that shrinks does not make a new stack). "" when unknown. */
static void blocked_where(int tid, char *out, size_t size)
{
	char path[64], text[256], *sp, *pc;
	FILE *f;

	out[0] = '\0';
	snprintf(path, sizeof path, "/proc/self/task/%d/syscall", tid);
	if ((f = fopen(path, "re")) == NULL)
		return;
	if (fgets(text, sizeof text, f) != NULL && (pc = strrchr(text, ' ')) != NULL) {
		*pc++ = '\0';
		sp = strrchr(text, ' ');
		if (sp != NULL && text[0] >= '0' && text[0] <= '9')
			snprintf(out, size, "%.*s %s %s", (int)strcspn(text, " "), text, sp + 1,
			         pc);
	}
	fclose(f);
	out[strcspn(out, "\n")] = '\0';
}

static struct tracked *tracked_of(struct sampler *sp, int tid)
{
	for (size_t i = 0; i < sp->ntracked; i++)
		if (sp->tracked[i].tid == tid)
			return &sp->tracked[i];
	if (sp->ntracked == MAX_TRACKED)
		return NULL;
	sp->tracked = xreallocarray(sp->tracked, sp->ntracked + 1, sizeof *sp->tracked);
	memset(&sp->tracked[sp->ntracked], 0, sizeof *sp->tracked);
	sp->tracked[sp->ntracked].tid = tid;
	return &sp->tracked[sp->ntracked++];
}

static void sample_off_cpu(struct sampler *sp, const struct thread_info *ti)
{
	struct tracked *tr = tracked_of(sp, ti->tid);
	void *pcs[STACKS_MAX_FRAMES];
	char where[64];
	int n;

	blocked_where(ti->tid, where, sizeof where);
	if (tr != NULL && where[0] != '\0' && strcmp(where, tr->where) == 0) {
		count(sp, &sp->off, ti->name, tr->pcs, tr->n);
		return;
	}
	n = stacks_capture(sp->signo, ti->tid, pcs, STACKS_MAX_FRAMES);
	count(sp, &sp->off, ti->name, pcs, n);
	if (tr != NULL) {
		snprintf(tr->where, sizeof tr->where, "%s", where);
		memcpy(tr->pcs, pcs, (size_t)n * sizeof *pcs);
		tr->n = n;
	}
}

static void sample_round(struct sampler *sp)
{
	size_t n;
	int *tids = stacks_list_tids(&n);

	for (size_t i = 0; i < n; i++) {
		struct thread_info ti = { .tid = tids[i] };
		void *pcs[STACKS_MAX_FRAMES];

		if (ti.tid == sp->self)
			continue;
		stacks_read_task(&ti);
		if (strcmp(ti.state, "unknown") == 0)
			continue; /* gone since the listing */
		if (strcmp(ti.state, "running") == 0)
			count(sp, &sp->on, ti.name,
			      pcs, stacks_capture(sp->signo, ti.tid, pcs, STACKS_MAX_FRAMES));
		else if (strcmp(ti.state, "zombie") != 0)
			sample_off_cpu(sp, &ti);
	}
	free(tids);
}

/* ---- the run ---- */

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static void sleep_until(long long ns)
{
	struct timespec ts = { .tv_sec = ns / 1000000000LL, .tv_nsec = ns % 1000000000LL };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) != 0)
		;
}

static void sample_for(struct sampler *sp, struct prof_result *r)
{
	long long period = 1000000000LL / r->hz, next = now_ns();
	long long end = next + (long long)r->seconds * 1000000000LL;

	while (next < end) {
		sample_round(sp);
		r->ticks++;
		next += period;
		if (now_ns() > next) { /* overran: skip the missed rounds, do not catch up */
			long long behind = (now_ns() - next) / period + 1;

			r->late += behind;
			next += behind * period;
		}
		if (next < end)
			sleep_until(next);
	}
}

/* The raw stacks of t, named: thread first, then outermost to innermost. */
static struct prof_stack *resolve(struct symboliser *sy, const struct table *t, size_t *count)
{
	struct prof_stack *out = xcalloc(t->used ? t->used : 1, sizeof *out);
	size_t k = 0;

	for (size_t i = 0; i < t->cap; i++) {
		const struct raw *r = &t->slots[i];

		if (r->hash == 0)
			continue;
		out[k].n = r->n + 1;
		out[k].count = r->count;
		out[k].names = xcalloc((size_t)r->n + 1, sizeof *out[k].names);
		out[k].names[0] = prof_frame_name(r->thread);
		for (int j = 0; j < r->n; j++)
			out[k].names[r->n - j] =
				prof_frame_name(symboliser_function(sy, r->pcs[j]));
		k++;
	}
	*count = k;
	return out;
}

struct prof_result *profile_run(int signo, int seconds, int hz)
{
	struct sampler sp = { .signo = signo, .self = (int)syscall(SYS_gettid) };
	struct prof_result *r = xcalloc(1, sizeof *r);
	struct symboliser *sy;

	r->seconds = seconds;
	r->hz = hz;
	sample_for(&sp, r);
	sy = symboliser_new();
	r->on = resolve(sy, &sp.on, &r->non);
	r->off = resolve(sy, &sp.off, &r->noff);
	r->dropped = sp.dropped;
	symboliser_free(sy);
	table_free(&sp.on);
	table_free(&sp.off);
	free(sp.tracked);
	return r;
}

static void stacks_free_all(struct prof_stack *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		for (int j = 0; j < s[i].n; j++)
			free(s[i].names[j]);
		free(s[i].names);
	}
	free(s);
}

void prof_result_free(struct prof_result *r)
{
	if (r == NULL)
		return;
	stacks_free_all(r->on, r->non);
	stacks_free_all(r->off, r->noff);
	free(r);
}
