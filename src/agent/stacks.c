/* Capture of every thread's call stack for GET /threads and GET /profile.
 *
 * A signal handler is process-wide, so this is the library's one piece of global state:
 * the handler is installed once per signal for all agents that use it (reference counted)
 * and one capture runs at a time. The capturing thread points a slot at the target
 * thread, sends it the signal with tgkill, and the target's handler records backtrace()
 * into the slot. A thread that blocks the signal, or does not answer in time, has no
 * stack. */
#include "config.h"
#include "server.h"
#include "symbols.h"
#include "strutil.h"
#include "xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <execinfo.h>
#include <semaphore.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#define MAX_FRAMES STACKS_MAX_FRAMES
/* A busy machine may take a while to schedule the target; stuck threads (uninterruptible
 * sleep) never answer, so one collection gives up capturing after a total budget. */
#define CAPTURE_TIMEOUT_NS (1000 * 1000 * 1000L)
#define COLLECT_BUDGET_MS 5000
#define HANDLER_FRAMES 2 /* the handler and the kernel's signal trampoline */

enum { SLOT_IDLE, SLOT_WAITING, SLOT_FILLING, SLOT_DONE };

static struct {
	_Atomic int tid;
	_Atomic int state;
	int n;
	void *pc; /* where the thread was interrupted, when the architecture tells us */
	void *frames[MAX_FRAMES];
	sem_t done;
} slot;

static pthread_mutex_t install_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t capture_lock = PTHREAD_MUTEX_INITIALIZER;
static int installed_signo;
static int install_refs;
/* A capture timed out: its signal may still be delivered later, so the (harmless) handler
 * stays installed rather than let a real-time signal's default action kill the host. */
static bool signal_in_flight;
static struct sigaction previous;

static int current_tid(void) { return (int)syscall(SYS_gettid); }

static void *interrupted_pc(const void *uc)
{
	const ucontext_t *u = uc;

#if defined(__x86_64__)
	return (void *)u->uc_mcontext.gregs[REG_RIP];
#elif defined(__aarch64__)
	return (void *)u->uc_mcontext.pc;
#else
	(void)u;
	return NULL;
#endif
}

/* Only async-signal-safe work, plus backtrace(), which is preloaded at install time so it
 * does not allocate here. */
static void on_stack_signal(int signo, siginfo_t *si, void *uc)
{
	void *frames[MAX_FRAMES];
	int saved = errno, n, expect = SLOT_WAITING;

	(void)signo, (void)si;
	if (atomic_load(&slot.tid) == current_tid()) {
		n = backtrace(frames, MAX_FRAMES);
		if (atomic_compare_exchange_strong(&slot.state, &expect, SLOT_FILLING)) {
			memcpy(slot.frames, frames, (size_t)n * sizeof frames[0]);
			slot.n = n;
			slot.pc = interrupted_pc(uc);
			atomic_store(&slot.state, SLOT_DONE);
			sem_post(&slot.done);
		}
	}
	errno = saved;
}

/* Whether someone other than us handles signo. */
static bool signal_taken(int signo)
{
	struct sigaction sa;

	if (sigaction(signo, NULL, &sa) < 0)
		return true;
	if (sa.sa_flags & SA_SIGINFO)
		return sa.sa_sigaction != on_stack_signal;
	return sa.sa_handler != SIG_DFL;
}

static int check_signo(int signo, char **cause)
{
	if (signo < 1 || signo > SIGRTMAX || signo == SIGKILL || signo == SIGSTOP) {
		*cause = xasprintf("signal %d cannot be used for stack capture", signo);
		return -1;
	}
	if (signal_taken(signo)) {
		*cause = xasprintf("signal %d is already handled by the host", signo);
		return -1;
	}
	return 0;
}

int lmca_agent_set_stack_signal(lmca_agent *agent, int signo, char **cause)
{
	char *why = NULL;

	if (signo != 0 && check_signo(signo, &why) < 0) {
		if (cause)
			*cause = why;
		else
			free(why);
		return -1;
	}
	pthread_mutex_lock(&agent->lock);
	agent->stack_signal = signo;
	pthread_mutex_unlock(&agent->lock);
	return 0;
}

static int install_first(int signo, char **cause)
{
	struct sigaction sa = { .sa_sigaction = on_stack_signal,
	                        .sa_flags = SA_SIGINFO | SA_RESTART };
	void *warm[2];

	if (check_signo(signo, cause) < 0)
		return -1;
	backtrace(warm, 2); /* loads the unwinder now, not inside the handler */
	sem_init(&slot.done, 0, 0);
	sigemptyset(&sa.sa_mask);
	if (sigaction(signo, &sa, &previous) < 0) {
		*cause = xasprintf("sigaction: %s", strerror(errno));
		return -1;
	}
	installed_signo = signo;
	return 0;
}

int stacks_install(int signo, char **cause)
{
	int rc = 0;

	pthread_mutex_lock(&install_lock);
	/* installed_signo may outlive its last user after a timed-out capture (see above). */
	if (installed_signo != 0 && installed_signo != signo) {
		*cause = xasprintf("stacks are captured with signal %d already", installed_signo);
		rc = -1;
	} else if (installed_signo == 0) {
		rc = install_first(signo, cause);
	}
	if (rc == 0)
		install_refs++;
	pthread_mutex_unlock(&install_lock);
	return rc;
}

void stacks_uninstall(int signo)
{
	pthread_mutex_lock(&install_lock);
	if (install_refs > 0 && installed_signo == signo && --install_refs == 0) {
		pthread_mutex_lock(&capture_lock); /* no capture running */
		if (!signal_in_flight) {
			sigaction(signo, &previous, NULL);
			sem_destroy(&slot.done);
			installed_signo = 0;
		}
		pthread_mutex_unlock(&capture_lock);
	}
	pthread_mutex_unlock(&install_lock);
}

/* ---- /proc/self/task ---- */

static char *read_small(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n;

	if (f == NULL)
		return NULL;
	n = fread(out, 1, size - 1, f);
	fclose(f);
	out[n] = '\0';
	return out;
}

/* Whether thread tid blocks signo (then a signal would only queue up). */
static bool blocks_signal(int tid, int signo)
{
	char path[64], text[4096], *p;
	unsigned long long mask;

	snprintf(path, sizeof path, "/proc/self/task/%d/status", tid);
	if (read_small(path, text, sizeof text) == NULL || (p = strstr(text, "\nSigBlk:")) == NULL)
		return true;
	mask = strtoull(p + 8, NULL, 16);
	return (mask >> (signo - 1)) & 1;
}

static const char *state_name(char c)
{
	switch (c) {
	case 'R': return "running";
	case 'S': return "sleeping";
	case 'D': return "disk-sleep";
	case 'T': return "stopped";
	case 't': return "tracing-stop";
	case 'Z': return "zombie";
	case 'I': return "idle";
	default: return "unknown";
	}
}

/* One read of stat gives all three (the profiler calls this hz times a second per thread):
 * "tid (name) S ...", where the name (comm) may itself hold ')' and spaces. */
void stacks_read_task(struct thread_info *ti)
{
	char path[64], text[1024], *p, *name;
	unsigned long long ut = 0, st = 0;

	snprintf(path, sizeof path, "/proc/self/task/%d/stat", ti->tid);
	snprintf(ti->state, sizeof ti->state, "unknown");
	if (read_small(path, text, sizeof text) == NULL || (p = strrchr(text, ')')) == NULL ||
	    (name = strchr(text, '(')) == NULL || name > p)
		return;
	snprintf(ti->name, sizeof ti->name, "%.*s", (int)(p - name - 1), name + 1);
	snprintf(ti->state, sizeof ti->state, "%s", state_name(p[2]));
	/* After ") S" come fields 4..; utime and stime are fields 14 and 15. */
	if (sscanf(p + 2, "%*c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %llu %llu", &ut, &st) == 2)
		ti->cpu_time = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* ---- capture ---- */

static bool wait_slot(void)
{
	struct timespec ts;
	int expect = SLOT_WAITING;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += CAPTURE_TIMEOUT_NS % 1000000000L;
	ts.tv_sec += CAPTURE_TIMEOUT_NS / 1000000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	while (sem_timedwait(&slot.done, &ts) < 0)
		if (errno != EINTR)
			break;
	if (atomic_load(&slot.state) == SLOT_DONE)
		return true;
	if (atomic_compare_exchange_strong(&slot.state, &expect, SLOT_IDLE)) {
		signal_in_flight = true; /* abandoned: a late handler finds nothing to fill */
		return false;
	}
	while (sem_wait(&slot.done) < 0 && errno == EINTR)
		; /* the handler is filling the slot right now */
	return true;
}

/* The first frame of the interrupted code: the one at the interrupted pc, else the one
 * after the handler and the signal trampoline. */
static int first_frame(void)
{
	for (int i = 0; i < slot.n; i++)
		if (slot.pc != NULL && slot.frames[i] == slot.pc)
			return i;
	return HANDLER_FRAMES;
}

static int capture_other(int signo, int tid, void **out, int max)
{
	int n = 0, first;

	while (sem_trywait(&slot.done) == 0)
		;
	slot.n = 0;
	atomic_store(&slot.state, SLOT_WAITING);
	atomic_store(&slot.tid, tid);
	if (syscall(SYS_tgkill, getpid(), tid, signo) == 0 && wait_slot() &&
	    slot.n > (first = first_frame())) {
		n = slot.n - first < max ? slot.n - first : max;
		memcpy(out, slot.frames + first, (size_t)n * sizeof *out);
	}
	atomic_store(&slot.tid, 0);
	atomic_store(&slot.state, SLOT_IDLE);
	return n;
}

static int capture_self(void **out, int max)
{
	void *frames[MAX_FRAMES + 1];
	int n = backtrace(frames, MAX_FRAMES + 1) - 1; /* without this function */

	n = n < max ? n : max;
	memcpy(out, frames + 1, (size_t)(n > 0 ? n : 0) * sizeof *out);
	return n > 0 ? n : 0;
}

int stacks_capture(int signo, int tid, void **out, int max)
{
	int n;

	if (signo == 0 || max <= 0)
		return 0;
	if (tid == current_tid())
		return capture_self(out, max);
	if (blocks_signal(tid, signo))
		return 0;
	pthread_mutex_lock(&capture_lock);
	n = installed_signo == signo ? capture_other(signo, tid, out, max) : 0;
	pthread_mutex_unlock(&capture_lock);
	return n;
}

/* Frames for reading, innermost first, NULL-terminated; NULL when there are none. */
static char **capture_symbolised(struct symboliser **sy, int signo, int tid)
{
	void *frames[MAX_FRAMES];
	int n = stacks_capture(signo, tid, frames, MAX_FRAMES);
	char **out;

	if (n == 0)
		return NULL;
	if (*sy == NULL)
		*sy = symboliser_new();
	out = xcalloc((size_t)n + 1, sizeof *out);
	for (int i = 0; i < n; i++)
		out[i] = symboliser_frame(*sy, frames[i]);
	return out;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

static bool wanted(const struct thread_info *ti, const char *name, int tid)
{
	return (tid == 0 || ti->tid == tid) && (name == NULL || str_icontains(ti->name, name));
}

int *stacks_list_tids(size_t *count)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *de;
	int *out = NULL;
	size_t n = 0;

	while (d != NULL && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		out = xreallocarray(out, n + 1, sizeof *out);
		out[n++] = atoi(de->d_name);
	}
	if (d != NULL)
		closedir(d);
	if (n > 1)
		qsort(out, n, sizeof *out, cmp_int);
	*count = n;
	return out;
}

struct thread_info *stacks_collect(int signo, const char *name, int tid, size_t *count)
{
	size_t n, kept = 0;
	int *tids = stacks_list_tids(&n);
	struct thread_info *out = xcalloc(n ? n : 1, sizeof *out);
	struct symboliser *sy = NULL;
	long long start = now_ms();

	for (size_t i = 0; i < n; i++) {
		memset(&out[kept], 0, sizeof out[kept]);
		out[kept].tid = tids[i];
		stacks_read_task(&out[kept]);
		if (!wanted(&out[kept], name, tid))
			continue;
		if (now_ms() - start < COLLECT_BUDGET_MS)
			out[kept].frames = capture_symbolised(&sy, signo, out[kept].tid);
		kept++;
	}
	symboliser_free(sy);
	free(tids);
	*count = kept;
	return out;
}

void stacks_free(struct thread_info *threads, size_t count)
{
	for (size_t i = 0; i < count; i++)
		if (threads[i].frames) {
			for (char **f = threads[i].frames; *f; f++)
				free(*f);
			free(threads[i].frames);
		}
	free(threads);
}
