/* The GIL broker: work that needs the interpreter, asked for by the agent's threads (which
 * must answer even while a Python thread holds the GIL). One Python thread state, on a
 * thread of its own, takes each job; the asker waits only for a bounded time. A job the
 * asker gave up on before it started never runs (a 503'd "set" is not applied later). */
#ifndef LMC_PYTHON_GIL_H
#define LMC_PYTHON_GIL_H

#include <Python.h>

struct gil_job {
	void (*run)(struct gil_job *job);  /* with the GIL, on the broker's thread */
	void (*free)(struct gil_job *job); /* frees the job and what it owns; no GIL */
	/* private */
	int state;
	int refs;
	struct gil_job *next;
};

struct gil_broker;

/* A broker for the calling thread's interpreter (called with the GIL). */
struct gil_broker *gil_broker_new(char **cause);
/* Stops the thread (jobs not started are dropped) and frees; called without the GIL. */
void gil_broker_free(struct gil_broker *b);

/* Runs job with the GIL: at once when the calling thread is a Python thread, else on the
 * broker's thread, waiting at most start_ms for it to start and run_ms more for it to end.
 * Returns 0 when it ran, or -1 with *cause. Either way the job is the broker's: it frees
 * it (job->free) once neither side uses it; on 0 the caller reads the results and then
 * calls gil_job_done. */
int gil_run(struct gil_broker *b, struct gil_job *job, int start_ms, int run_ms, char **cause);
void gil_job_done(struct gil_broker *b, struct gil_job *job);
/* Hands the job to the broker's thread without waiting for it; -1 (and the job freed) when
 * the broker cannot take more now. */
int gil_post(struct gil_broker *b, struct gil_job *job);

#endif
