/* The GIL broker (gil.h). The broker's thread is a C thread with a Python thread state of
 * its own; it waits for jobs without the GIL, then takes the GIL for each. */
#include "config.h"
#include "gil.h"
#include "xalloc.h"
#include "xthread.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <stdbool.h>
#include <time.h>

#define QUEUE_LIMIT 16 /* jobs waiting; more are refused at once rather than queued */

enum { JOB_WAITING, JOB_RUNNING, JOB_DONE, JOB_DROPPED };

struct gil_broker {
	pthread_mutex_t lock;
	pthread_cond_t wake; /* a job arrived, or stop */
	pthread_cond_t done; /* a job started or finished */
	struct gil_job *head, *tail;
	int queued;
	bool stopping;
	pthread_t thread;
};

/* Caller holds b->lock. */
static void unref(struct gil_job *job)
{
	if (--job->refs == 0)
		job->free(job);
}

static struct gil_job *next_job(struct gil_broker *b)
{
	struct gil_job *job;

	pthread_mutex_lock(&b->lock);
	while (b->head == NULL && !b->stopping)
		pthread_cond_wait(&b->wake, &b->lock);
	job = b->head;
	if (job != NULL) {
		b->head = job->next;
		if (b->head == NULL)
			b->tail = NULL;
		b->queued--;
	}
	pthread_mutex_unlock(&b->lock);
	return job;
}

/* With the GIL: runs the job unless its asker gave up meanwhile. */
static void take(struct gil_broker *b, struct gil_job *job)
{
	bool go;

	pthread_mutex_lock(&b->lock);
	go = job->state == JOB_WAITING && !b->stopping;
	if (go)
		job->state = JOB_RUNNING;
	else if (job->state == JOB_WAITING)
		job->state = JOB_DROPPED;
	pthread_cond_broadcast(&b->done);
	pthread_mutex_unlock(&b->lock);
	if (go)
		job->run(job);
	pthread_mutex_lock(&b->lock);
	if (go)
		job->state = JOB_DONE;
	pthread_cond_broadcast(&b->done);
	unref(job);
	pthread_mutex_unlock(&b->lock);
}

static void *broker_main(void *arg)
{
	struct gil_broker *b = arg;
	/* A thread state of this thread's own, known to PyGILState: Python code of a job that
	 * calls back into the agent (Agent.set with an on_change) takes the GIL back here. */
	PyGILState_STATE g = PyGILState_Ensure();
	PyThreadState *ts = PyEval_SaveThread();
	struct gil_job *job;

	while ((job = next_job(b)) != NULL) {
		PyEval_RestoreThread(ts);
		take(b, job);
		ts = PyEval_SaveThread();
	}
	PyEval_RestoreThread(ts);
	PyGILState_Release(g);
	return NULL;
}

struct gil_broker *gil_broker_new(char **cause)
{
	struct gil_broker *b = xcalloc(1, sizeof *b);
	sigset_t all, old;
	int err;

	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->wake, NULL);
	cond_init_monotonic(&b->done);
	sigfillset(&all);
	sigdelset(&all, SIGRTMIN + 3); /* the agent's default stack capture signal */
	pthread_sigmask(SIG_SETMASK, &all, &old); /* signals stay with Python's main thread */
	err = pthread_create(&b->thread, NULL, broker_main, b);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err != 0) {
		*cause = xasprintf("cannot start the interpreter's helper thread: %s", strerror(err));
		free(b);
		return NULL;
	}
#ifdef HAVE_PTHREAD_SETNAME_NP
	pthread_setname_np(b->thread, "lmca-python");
#endif
	return b;
}

void gil_broker_free(struct gil_broker *b)
{
	struct gil_job *job;

	if (b == NULL)
		return;
	pthread_mutex_lock(&b->lock);
	b->stopping = true;
	while ((job = b->head) != NULL) {
		b->head = job->next;
		job->state = JOB_DROPPED;
		unref(job);
	}
	pthread_cond_broadcast(&b->wake);
	pthread_cond_broadcast(&b->done);
	pthread_mutex_unlock(&b->lock);
	pthread_join(b->thread, NULL);
	pthread_cond_destroy(&b->wake);
	pthread_cond_destroy(&b->done);
	pthread_mutex_destroy(&b->lock);
	free(b);
}

static struct timespec deadline_in(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	return ts;
}

/* A Python thread asking: it can take the GIL itself (it may even hold it). */
static int run_here(struct gil_broker *b, struct gil_job *job)
{
	PyGILState_STATE g = PyGILState_Ensure();

	job->state = JOB_RUNNING;
	job->run(job);
	job->state = JOB_DONE;
	PyGILState_Release(g);
	(void)b;
	return 0;
}

static int enqueue(struct gil_broker *b, struct gil_job *job, char **cause)
{
	if (b->stopping || b->queued >= QUEUE_LIMIT) {
		*cause = xasprintf(b->stopping ? "the agent is stopping"
		                               : "%d requests already wait for the Python interpreter "
		                                 "(a thread holds the GIL)", b->queued);
		return -1;
	}
	job->refs = 2;
	job->state = JOB_WAITING;
	job->next = NULL;
	if (b->tail)
		b->tail->next = job;
	else
		b->head = job;
	b->tail = job;
	b->queued++;
	pthread_cond_signal(&b->wake);
	return 0;
}

/* Waits (b->lock held) while the job is in `state`, until the deadline; false on time out. */
static bool wait_while(struct gil_broker *b, struct gil_job *job, int state, int ms)
{
	struct timespec dl = deadline_in(ms);

	while (job->state == state)
		if (pthread_cond_timedwait(&b->done, &b->lock, &dl) == ETIMEDOUT)
			return job->state != state;
	return true;
}

static int give_up(struct gil_broker *b, struct gil_job *job, char *cause_text, char **cause)
{
	*cause = cause_text;
	unref(job);
	pthread_mutex_unlock(&b->lock);
	return -1;
}

int gil_run(struct gil_broker *b, struct gil_job *job, int start_ms, int run_ms, char **cause)
{
	if (PyGILState_GetThisThreadState() != NULL) {
		job->refs = 1;
		return run_here(b, job);
	}
	pthread_mutex_lock(&b->lock);
	if (enqueue(b, job, cause) < 0) {
		pthread_mutex_unlock(&b->lock);
		job->free(job);
		return -1;
	}
	if (!wait_while(b, job, JOB_WAITING, start_ms)) {
		job->state = JOB_DROPPED;
		return give_up(b, job, xasprintf("the Python interpreter did not answer within %d ms "
		                                 "(a thread holds the GIL)", start_ms), cause);
	}
	if (job->state == JOB_DROPPED)
		return give_up(b, job, xstrdup("the agent is stopping"), cause);
	if (!wait_while(b, job, JOB_RUNNING, run_ms))
		return give_up(b, job, xasprintf("the Python code did not finish within %d ms",
		                                 run_ms), cause);
	pthread_mutex_unlock(&b->lock);
	return 0;
}

void gil_job_done(struct gil_broker *b, struct gil_job *job)
{
	pthread_mutex_lock(&b->lock);
	unref(job);
	pthread_mutex_unlock(&b->lock);
}

int gil_post(struct gil_broker *b, struct gil_job *job)
{
	char *cause = NULL;
	int rc;

	pthread_mutex_lock(&b->lock);
	rc = enqueue(b, job, &cause);
	if (rc == 0)
		job->refs = 1; /* nobody waits for it */
	pthread_mutex_unlock(&b->lock);
	if (rc < 0) {
		free(cause);
		job->free(job);
	}
	return rc;
}
