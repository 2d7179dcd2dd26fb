/* The Python module lmcagent: what its pieces share.
 *   module.c   the module, its exception, JSON helpers, stopping agents at exit
 *   agent.c    the Agent type: lifecycle, identity, configuration
 *   metric.c   the Metric type (counters, gauges, histograms, with labels)
 *   hooks.c    what the agent's threads ask of Python (loggers, metrics, providers, routes,
 *              run_script), each through the GIL broker with a time bound
 *   gil.c      the GIL broker;  pystacks.c  Python stacks without the GIL */
#ifndef LMC_PYTHON_PYMOD_H
#define LMC_PYTHON_PYMOD_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <stdbool.h>
#include <time.h>

#include "lmcagent.h"
#include "gil.h"

typedef struct {
	PyObject_HEAD
	lmca_agent *agent;
	struct gil_broker *broker;
	int gil_ms; /* how long the agent's threads wait for the GIL */
	int run_ms; /* how long they wait for Python code that started */
	bool started;
	PyObject *refs;     /* callables and objects the hooks use, kept alive here */
	PyObject *registry; /* prometheus_client registry, or None */
	lmca_metric *metrics_age;
	pthread_mutex_t lock; /* guards the last known answers below */
	char *meta_last, *inference_last;
	PyObject *meta_fn, *inference_fn, *health_fn; /* borrowed from refs; NULL: none */
	char *metrics_last;
	struct timespec metrics_at;
	PyObject *weakrefs;
} AgentObject;

extern PyTypeObject lmcpy_agent_type;
extern PyTypeObject lmcpy_metric_type;
extern PyObject *lmcpy_error;

/* module.c */
/* Raises lmcagent.Error with the library's cause (freed) and returns NULL. */
PyObject *lmcpy_raise(char *cause);
/* JSON text of a Python value (malloc'd), or NULL with a Python exception set. */
char *lmcpy_to_json(PyObject *value);
/* The Python value of a JSON text (new reference), or NULL with an exception set. */
PyObject *lmcpy_from_json(const char *text);
/* The message of the pending exception (cleared), malloc'd. */
char *lmcpy_exception_text(void);
/* Remembers a live agent for stopping at interpreter exit; forgets it. */
void lmcpy_track(AgentObject *self);
void lmcpy_untrack(AgentObject *self);

/* agent.c */
int lmcpy_agent_ready(PyObject *module);
/* Stops the agent with the GIL released (server threads may be waiting for Python). */
void lmcpy_agent_stop(AgentObject *self);

/* metric.c */
PyObject *lmcpy_metric_new(AgentObject *agent, lmca_metric *m, PyObject *label_names);

/* hooks.c */
int lmcpy_hooks_install(AgentObject *self, char **cause);
PyObject *lmcpy_set_provider(AgentObject *self, PyObject *value, bool meta);
PyObject *lmcpy_set_health(AgentObject *self, PyObject *fn);
PyObject *lmcpy_add_route(AgentObject *self, const char *method, const char *path,
                          PyObject *fn);
int lmcpy_on_change(AgentObject *self, const char *key, PyObject *fn);
void lmcpy_hooks_free(AgentObject *self);

/* helpers.c: a function of the Python half of the hooks (new reference), or NULL. */
PyObject *lmcpy_helper(const char *name);

/* pystacks.c */
void pystacks_provide(void *arg, lmca_frame_add add, void *ctx);

#endif
