/* What the agent's threads ask of Python. Each request becomes a job for the GIL broker
 * (gil.h), bounded by the agent's gil_timeout and call_timeout; a request the interpreter
 * cannot take in time gets a clear 503, or the last known answer where one exists. */
#include "config.h"
#include "pymod.h"
#include "xalloc.h"

#include <math.h>
#include <string.h>

#define AGE_METRIC "lmcache_agent_python_metrics_age_seconds"

/* One request to Python: the inputs, the outputs, and the Python part that fills them. */
struct py_job {
	struct gil_job base;
	void (*call)(struct py_job *job); /* with the GIL; sets rc (0/-1), out or cause */
	AgentObject *self;
	PyObject *fn; /* borrowed: kept alive by self->refs */
	char *in, *in2;
	size_t in_len;
	int in_int;
	int rc, status;
	char *out, *out2, *cause;
	size_t out_len;
	char **names;
	int *levels;
	size_t n;
};

static void job_run_call(struct gil_job *base)
{
	struct py_job *job = (struct py_job *)base;

	job->rc = -1;
	job->call(job);
	if (PyErr_Occurred()) {
		free(job->cause);
		job->cause = lmcpy_exception_text();
		job->rc = -1;
	}
}

static void job_free(struct gil_job *base)
{
	struct py_job *job = (struct py_job *)base;

	for (size_t i = 0; i < job->n; i++)
		free(job->names[i]);
	free(job->names);
	free(job->levels);
	free(job->in);
	free(job->in2);
	free(job->out);
	free(job->out2);
	free(job->cause);
	free(job);
}

static struct py_job *job_new(AgentObject *self, void (*call)(struct py_job *), PyObject *fn)
{
	struct py_job *job = xcalloc(1, sizeof *job);

	job->base.run = job_run_call;
	job->base.free = job_free;
	job->call = call;
	job->self = self;
	job->fn = fn;
	return job;
}

/* Runs the job within the agent's bounds: 0 with the job's results (release with
 * job_done), or with *cause (the job is gone) -1 when Python did not answer in time and
 * -2 when the Python code raised. */
static int job_run(struct py_job *job, char **cause)
{
	struct gil_broker *b = job->self->broker;

	if (gil_run(b, &job->base, job->self->gil_ms, job->self->run_ms, cause) < 0)
		return -1;
	if (job->rc < 0) {
		*cause = job->cause ? job->cause : xstrdup("the Python code failed");
		job->cause = NULL;
		gil_job_done(b, &job->base);
		return -2;
	}
	return 0;
}

static void job_done(struct py_job *job) { gil_job_done(job->self->broker, &job->base); }

/* Calls helpers.<name>(*args) (format as Py_BuildValue's): a new reference or NULL. */
static PyObject *call_helper(const char *name, const char *format, ...)
{
	PyObject *fn = lmcpy_helper(name), *args, *r = NULL;
	va_list ap;

	if (fn == NULL)
		return NULL;
	va_start(ap, format);
	args = Py_VaBuildValue(format, ap);
	va_end(ap);
	if (args != NULL)
		r = PyObject_CallObject(fn, args);
	Py_XDECREF(args);
	Py_DECREF(fn);
	return r;
}

/* Sets job->out to str(r) (r is stolen); rc 0. */
static void take_text(struct py_job *job, PyObject *r)
{
	const char *s = r ? PyUnicode_AsUTF8(r) : NULL;

	if (s != NULL) {
		job->out = xstrdup(s);
		job->rc = 0;
	}
	Py_XDECREF(r);
}

/* ---- /loglevel: Python's logging ---- */

static void call_list(struct py_job *job)
{
	PyObject *list = call_helper("loggers", "()"), *item;
	Py_ssize_t n;

	if (list == NULL)
		return;
	n = PyList_GET_SIZE(list);
	job->names = xcalloc((size_t)n + 1, sizeof *job->names);
	job->levels = xcalloc((size_t)n + 1, sizeof *job->levels);
	for (Py_ssize_t i = 0; i < n; i++) {
		item = PyList_GET_ITEM(list, i);
		const char *name = PyUnicode_AsUTF8(PyTuple_GET_ITEM(item, 0));
		long level = PyLong_AsLong(PyTuple_GET_ITEM(item, 1));

		if (name == NULL || PyErr_Occurred())
			break;
		job->names[job->n] = xstrdup(name);
		job->levels[job->n++] = (int)level;
	}
	Py_DECREF(list);
	job->rc = PyErr_Occurred() ? -1 : 0;
}

static int log_list(void *arg, lmca_level_add add, void *ctx, char **cause)
{
	struct py_job *job = job_new(arg, call_list, NULL);

	if (job_run(job, cause) < 0)
		return -1;
	for (size_t i = 0; i < job->n; i++)
		add(ctx, job->names[i], job->levels[i]);
	job_done(job);
	return 0;
}

static void call_get(struct py_job *job)
{
	PyObject *r = call_helper("get_level", "(s)", job->in);

	if (r != NULL) {
		job->in_int = (int)PyLong_AsLong(r);
		job->rc = PyErr_Occurred() ? -1 : 0;
		Py_DECREF(r);
	}
}

static int log_get(void *arg, const char *logger, int *level, char **cause)
{
	struct py_job *job = job_new(arg, call_get, NULL);

	job->in = xstrdup(logger);
	if (job_run(job, cause) < 0)
		return -1;
	*level = job->in_int;
	job_done(job);
	return 0;
}

static void call_set(struct py_job *job)
{
	PyObject *r = call_helper("set_level", "(si)", job->in, job->in_int);

	job->rc = r ? 0 : -1;
	Py_XDECREF(r);
}

static int log_set(void *arg, const char *logger, int level, char **cause)
{
	struct py_job *job = job_new(arg, call_set, NULL);

	job->in = xstrdup(logger);
	job->in_int = level;
	if (job_run(job, cause) < 0)
		return -1;
	job_done(job);
	return 0;
}

static const lmca_log_provider python_logging = { log_list, log_get, log_set };

/* ---- /metrics: the host's prometheus_client registry ---- */

static void call_collect(struct py_job *job)
{
	take_text(job, call_helper("collect", "(O)", job->self->registry));
}

static double seconds_since(const struct timespec *t)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) + (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

/* Keeps a fresh text as the last known one; the age gauge says how old the served one is. */
static char *remember_metrics(AgentObject *self, char *fresh)
{
	char *text;
	double age = 0;

	pthread_mutex_lock(&self->lock);
	if (fresh != NULL) {
		free(self->metrics_last);
		self->metrics_last = fresh;
		clock_gettime(CLOCK_MONOTONIC, &self->metrics_at);
	} else if (self->metrics_last != NULL) {
		age = seconds_since(&self->metrics_at);
	} else {
		age = INFINITY;
	}
	text = self->metrics_last ? xstrdup(self->metrics_last) : NULL;
	pthread_mutex_unlock(&self->lock);
	lmca_metric_set(self->metrics_age, NULL, age);
	return text;
}

/* lmca_metrics_collector */
static char *collect_metrics(void *arg)
{
	AgentObject *self = arg;
	struct py_job *job = job_new(self, call_collect, NULL);
	char *cause = NULL, *fresh = NULL;

	if (job_run(job, &cause) == 0) {
		fresh = job->out;
		job->out = NULL;
		job_done(job);
	}
	free(cause);
	return remember_metrics(self, fresh);
}

/* ---- /meta and /inference_info ---- */

static void call_provider(struct py_job *job)
{
	PyObject *r = PyObject_CallNoArgs(job->fn);

	if (r != NULL && (job->out = lmcpy_to_json(r)) != NULL)
		job->rc = 0;
	Py_XDECREF(r);
}

/* The last known answer, refreshed from the callable when the interpreter answers. */
static char *provide(AgentObject *self, bool meta)
{
	char **last = meta ? &self->meta_last : &self->inference_last, *text, *cause = NULL;
	struct py_job *job;
	PyObject *fn;

	pthread_mutex_lock(&self->lock);
	fn = meta ? self->meta_fn : self->inference_fn;
	pthread_mutex_unlock(&self->lock);
	if (fn != NULL) {
		job = job_new(self, call_provider, fn);
		if (job_run(job, &cause) == 0) {
			pthread_mutex_lock(&self->lock);
			free(*last);
			*last = job->out;
			job->out = NULL;
			pthread_mutex_unlock(&self->lock);
			job_done(job);
		}
		free(cause);
	}
	pthread_mutex_lock(&self->lock);
	text = *last ? xstrdup(*last) : NULL;
	pthread_mutex_unlock(&self->lock);
	return text;
}

static char *provide_meta(void *arg) { return provide(arg, true); }
static char *provide_inference(void *arg) { return provide(arg, false); }

/* set_meta/set_inference(dict or callable): a callable is called now too, so there is a
 * last known answer from the start. */
PyObject *lmcpy_set_provider(AgentObject *self, PyObject *value, bool meta)
{
	PyObject *first = PyCallable_Check(value) ? PyObject_CallNoArgs(value) : Py_NewRef(value);
	char *json = first ? lmcpy_to_json(first) : NULL;

	Py_XDECREF(first);
	if (json == NULL)
		return NULL;
	if (PyCallable_Check(value) && PyList_Append(self->refs, value) < 0) {
		free(json);
		return NULL;
	}
	pthread_mutex_lock(&self->lock);
	free(meta ? self->meta_last : self->inference_last);
	*(meta ? &self->meta_last : &self->inference_last) = json;
	*(meta ? &self->meta_fn : &self->inference_fn) = PyCallable_Check(value) ? value : NULL;
	pthread_mutex_unlock(&self->lock);
	if (meta)
		lmca_agent_set_meta_provider(self->agent, provide_meta, self);
	else
		lmca_agent_set_inference_provider(self->agent, provide_inference, self);
	Py_RETURN_NONE;
}

/* ---- /healthcheck ---- */

static void call_health(struct py_job *job)
{
	PyObject *r = job->fn ? PyObject_CallNoArgs(job->fn) : Py_NewRef(Py_True);

	if (r == NULL)
		return;
	if (r == Py_False)
		job->cause = xstrdup("the host's health check returned False");
	else
		job->rc = 0;
	Py_DECREF(r);
}

/* lmca_health_fn: the host's check, or only that the interpreter answers in time. */
static int check_health(void *arg, char **reason)
{
	AgentObject *self = arg;
	struct py_job *job;
	PyObject *fn;

	pthread_mutex_lock(&self->lock);
	fn = self->health_fn;
	pthread_mutex_unlock(&self->lock);
	job = job_new(self, call_health, fn);
	if (job_run(job, reason) < 0)
		return -1;
	job_done(job);
	return 0;
}

PyObject *lmcpy_set_health(AgentObject *self, PyObject *fn)
{
	if (fn != Py_None && !PyCallable_Check(fn)) {
		PyErr_SetString(PyExc_TypeError, "set_health takes a callable (or None)");
		return NULL;
	}
	if (fn != Py_None && PyList_Append(self->refs, fn) < 0)
		return NULL;
	pthread_mutex_lock(&self->lock);
	self->health_fn = fn == Py_None ? NULL : fn;
	pthread_mutex_unlock(&self->lock);
	Py_RETURN_NONE;
}

/* ---- host routes and configuration callbacks ---- */

struct callable {
	AgentObject *self;
	PyObject *fn;
};

/* A callable for a C hook, freed with the agent (a capsule in self->refs). */
static struct callable *keep_callable(AgentObject *self, PyObject *fn)
{
	struct callable *c = xcalloc(1, sizeof *c);
	PyObject *cap = PyCapsule_New(c, NULL, NULL);

	c->self = self;
	c->fn = fn;
	if (cap == NULL || PyList_Append(self->refs, cap) < 0 || PyList_Append(self->refs, fn) < 0) {
		Py_XDECREF(cap);
		free(c);
		return NULL;
	}
	Py_DECREF(cap);
	return c;
}

static void call_route(struct py_job *job)
{
	PyObject *r = call_helper("answer", "(Ossy#)", job->fn, job->in, job->in2, job->out2,
	                          (Py_ssize_t)job->in_len), *body;

	free(job->out2);
	job->out2 = NULL;
	if (r == NULL)
		return;
	body = PyTuple_GET_ITEM(r, 2);
	job->status = (int)PyLong_AsLong(PyTuple_GET_ITEM(r, 0));
	job->out2 = xstrdup(PyUnicode_AsUTF8(PyTuple_GET_ITEM(r, 1)));
	job->out_len = (size_t)PyBytes_GET_SIZE(body);
	job->out = xmalloc(job->out_len + 1);
	memcpy(job->out, PyBytes_AS_STRING(body), job->out_len + 1);
	job->rc = job->status >= 100 && job->status <= 599 ? 0 : -1;
	if (job->rc < 0)
		job->cause = xasprintf("the route returned status %d", job->status);
	Py_DECREF(r);
}

static void route_handler(lmca_agent *agent, const lmca_request *req, lmca_response *res,
                          void *arg)
{
	struct callable *c = arg;
	struct py_job *job = job_new(c->self, call_route, c->fn);
	const char *body = lmca_request_body(req, &job->in_len);
	char *cause = NULL;
	int rc;

	(void)agent;
	job->in = xstrdup(lmca_request_method(req));
	job->in2 = xstrdup(lmca_request_path(req));
	job->out2 = xmalloc(job->in_len + 1); /* the body, until the answer replaces it */
	memcpy(job->out2, body, job->in_len + 1);
	if ((rc = job_run(job, &cause)) == 0) {
		lmca_respond(res, job->status, job->out2, job->out, job->out_len);
		job_done(job);
	} else {
		lmca_respond_error(res, rc == -1 ? 503 : 500,
		                   rc == -1 ? "Service Unavailable" : "Internal Server Error", cause);
	}
	free(cause);
}

PyObject *lmcpy_add_route(AgentObject *self, const char *method, const char *path, PyObject *fn)
{
	struct callable *c;
	char *cause = NULL;

	if (!PyCallable_Check(fn)) {
		PyErr_SetString(PyExc_TypeError, "a route's handler must be callable");
		return NULL;
	}
	if ((c = keep_callable(self, fn)) == NULL)
		return NULL;
	if (lmca_agent_add_route(self->agent, method, path, route_handler, c, &cause) < 0)
		return lmcpy_raise(cause);
	return Py_NewRef(fn);
}

static void call_on_change(struct py_job *job)
{
	PyObject *value = lmcpy_from_json(job->in2), *r;

	if (value == NULL)
		return;
	r = PyObject_CallFunction(job->fn, "sO", job->in, value);
	Py_DECREF(value);
	job->rc = r ? 0 : -1;
	Py_XDECREF(r);
}

/* lmca_conf_cb: the Python callback; raising (or no answer in time) refuses the change. */
static int conf_changed(lmca_agent *agent, const char *key, const char *value_json, void *arg,
                        char **cause)
{
	struct callable *c = arg;
	struct py_job *job = job_new(c->self, call_on_change, c->fn);

	(void)agent;
	job->in = xstrdup(key);
	job->in2 = xstrdup(value_json);
	if (job_run(job, cause) < 0)
		return -1;
	job_done(job);
	return 0;
}

int lmcpy_on_change(AgentObject *self, const char *key, PyObject *fn)
{
	struct callable *c;
	char *cause = NULL;

	if (!PyCallable_Check(fn)) {
		PyErr_SetString(PyExc_TypeError, "on_change takes a callable");
		return -1;
	}
	if ((c = keep_callable(self, fn)) == NULL)
		return -1;
	if (lmca_conf_on_change(self->agent, key, conf_changed, c, &cause) < 0) {
		lmcpy_raise(cause);
		return -1;
	}
	return 0;
}

/* ---- /run_script ---- */

static void call_script(struct py_job *job)
{
	char *allowed_json = lmca_conf_get_json(job->self->agent, "script_allowed_imports");
	PyObject *allowed = allowed_json ? lmcpy_from_json(allowed_json) : Py_NewRef(Py_None);

	free(allowed_json);
	if (allowed == NULL)
		return;
	take_text(job, call_helper("run_script", "(y#OO)", job->in, (Py_ssize_t)job->in_len,
	                           allowed, (PyObject *)job->self));
	Py_DECREF(allowed);
}

/* lmca_script_runner */
static int run_script(void *arg, const char *script, size_t len, char **output)
{
	struct py_job *job = job_new(arg, call_script, NULL);

	job->in = xmalloc(len + 1);
	memcpy(job->in, script, len);
	job->in[len] = '\0';
	job->in_len = len;
	if (job_run(job, output) < 0)
		return -1;
	*output = job->out;
	job->out = NULL;
	job_done(job);
	return 0;
}

/* ---- the agent's own log lines, into Python's logging ---- */

static void call_log(struct py_job *job)
{
	PyObject *r = call_helper("log", "(sis)", job->in, job->in_int, job->in2);

	job->rc = r ? 0 : -1;
	Py_XDECREF(r);
}

/* lmca_log_sink: a Python thread logs at once; the agent's threads hand the line to the
 * broker without waiting, and to stderr when it cannot take it (the GIL held for long). */
static void agent_log(void *arg, const char *logger, lmca_level level, const char *message)
{
	AgentObject *self = arg;
	struct py_job *job = job_new(self, call_log, NULL);
	PyGILState_STATE g;

	job->in = xstrdup(logger);
	job->in2 = xstrdup(message);
	job->in_int = (int)level;
	if (PyGILState_GetThisThreadState() != NULL && !_Py_IsFinalizing()) {
		g = PyGILState_Ensure();
		call_log(job);
		PyErr_Clear();
		PyGILState_Release(g);
		job_free(&job->base);
	} else if (gil_post(self->broker, &job->base) < 0) {
		lmca_log_to_stderr(logger, level, message);
	}
}

/* ---- installation ---- */

/* The registry argument: prometheus_client's default registry when it is importable. */
static int pick_registry(AgentObject *self)
{
	PyObject *pc;

	if (self->registry != NULL) {
		if (self->registry == Py_None)
			Py_CLEAR(self->registry);
		return 0;
	}
	if ((pc = PyImport_ImportModule("prometheus_client")) == NULL) {
		PyErr_Clear(); /* not installed: the agent's own metrics only */
		return 0;
	}
	self->registry = PyObject_GetAttrString(pc, "REGISTRY");
	Py_DECREF(pc);
	return self->registry ? 0 : -1;
}

static int install_metrics(AgentObject *self, char **cause)
{
	PyObject *text;

	if (pick_registry(self) < 0) {
		*cause = lmcpy_exception_text();
		return -1;
	}
	if (self->registry == NULL)
		return 0;
	self->metrics_age = lmca_gauge(self->agent, AGE_METRIC,
		"Seconds since the host's prometheus_client metrics that follow were collected "
		"(0: for this answer; they are older when the GIL could not be had in time)", NULL);
	if ((text = call_helper("collect", "(O)", self->registry)) == NULL) {
		*cause = lmcpy_exception_text();
		return -1;
	}
	free(remember_metrics(self, xstrdup(PyUnicode_AsUTF8(text))));
	Py_DECREF(text);
	lmca_agent_set_metrics_collector(self->agent, collect_metrics, self);
	return 0;
}

int lmcpy_hooks_install(AgentObject *self, char **cause)
{
	char *known;

	if ((self->broker = gil_broker_new(cause)) == NULL)
		return -1;
	known = lmca_conf_get_json(self->agent, "script_allowed_imports");

	if (known == NULL) /* LMCache's key for run_script's imports */
		lmca_conf_register(self->agent, "script_allowed_imports", LMCA_CONF_LIST, "[]", false,
		                   NULL);
	free(known);
	lmca_agent_set_stack_provider(self->agent, pystacks_provide, PyInterpreterState_Get());
	lmca_agent_set_log_provider(self->agent, &python_logging, self);
	lmca_agent_set_health_provider(self->agent, check_health, self);
	lmca_agent_set_script_runner(self->agent, run_script, self);
	lmca_agent_set_log_sink(self->agent, agent_log, self);
	return install_metrics(self, cause);
}

void lmcpy_hooks_free(AgentObject *self)
{
	free(self->meta_last);
	free(self->inference_last);
	free(self->metrics_last);
}
