/* lmcagent.Agent: one liblmcagent agent (lmcagent(3)) in Python's idiom. */
#include "config.h"
#include "pymod.h"
#include "xalloc.h"

#include <structmember.h>
#include <string.h>

#define SELF ((AgentObject *)self)

static int parse_role(const char *text, lmca_role *role)
{
	if (strcmp(text, "scheduler") == 0)
		*role = LMCA_ROLE_SCHEDULER;
	else if (strcmp(text, "worker") == 0)
		*role = LMCA_ROLE_WORKER;
	else {
		PyErr_Format(PyExc_ValueError, "role must be \"scheduler\" or \"worker\", not \"%s\"",
		             text);
		return -1;
	}
	return 0;
}

static int seconds_to_ms(double s, const char *what, int *ms)
{
	if (!(s > 0 && s <= 3600)) {
		PyErr_Format(PyExc_ValueError, "%s must be between 0 and 3600 seconds", what);
		return -1;
	}
	*ms = (int)(s * 1000 + 0.5);
	return 0;
}

/* Agent(role, worker_id=0, worker_count=1, *, gil_timeout=0.5, call_timeout=30.0,
 *       registry=<prometheus_client.REGISTRY when importable>, version=None, commit=None) */
static int agent_init(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *names[] = { "role", "worker_id", "worker_count", "gil_timeout", "call_timeout",
		                 "registry", "version", "commit", NULL };
	const char *role_text, *version = NULL, *commit = NULL;
	int worker_id = 0, worker_count = 1;
	double gil_s = 0.5, call_s = 30.0;
	PyObject *registry = NULL;
	char *cause = NULL;
	lmca_role role;

	if (SELF->agent != NULL) {
		PyErr_SetString(PyExc_RuntimeError, "Agent is already initialised");
		return -1;
	}
	if (!PyArg_ParseTupleAndKeywords(args, kw, "s|ii$ddOzz", names, &role_text, &worker_id,
	                                 &worker_count, &gil_s, &call_s, &registry, &version, &commit))
		return -1;
	if (parse_role(role_text, &role) < 0 ||
	    seconds_to_ms(gil_s, "gil_timeout", &SELF->gil_ms) < 0 ||
	    seconds_to_ms(call_s, "call_timeout", &SELF->run_ms) < 0)
		return -1;
	if ((SELF->agent = lmca_agent_new(role, worker_id, worker_count, &cause)) == NULL) {
		lmcpy_raise(cause);
		return -1;
	}
	if (version != NULL)
		lmca_agent_set_version(SELF->agent, version, commit ? commit : "unknown");
	SELF->registry = registry;
	Py_XINCREF(registry);
	if (lmcpy_hooks_install(SELF, &cause) < 0) {
		lmcpy_raise(cause);
		return -1;
	}
	lmcpy_track(SELF);
	return 0;
}

static PyObject *agent_new(PyTypeObject *type, PyObject *args, PyObject *kw)
{
	AgentObject *self = (AgentObject *)type->tp_alloc(type, 0);

	(void)args, (void)kw;
	if (self == NULL)
		return NULL;
	self->refs = PyList_New(0);
	pthread_mutex_init(&self->lock, NULL);
	if (self->refs == NULL) {
		Py_DECREF(self);
		return NULL;
	}
	return (PyObject *)self;
}

void lmcpy_agent_stop(AgentObject *self)
{
	if (self->agent == NULL || !self->started)
		return;
	Py_BEGIN_ALLOW_THREADS
	lmca_agent_stop(self->agent);
	Py_END_ALLOW_THREADS
	self->started = false;
}

static void agent_dealloc(PyObject *self)
{
	PyObject_GC_UnTrack(self);
	if (SELF->weakrefs != NULL)
		PyObject_ClearWeakRefs(self);
	lmcpy_untrack(SELF);
	if (SELF->agent != NULL)
		lmca_agent_set_log_sink(SELF->agent, NULL, NULL); /* its last lines: to stderr */
	lmcpy_agent_stop(SELF);
	Py_BEGIN_ALLOW_THREADS
	lmca_agent_free(SELF->agent);
	gil_broker_free(SELF->broker);
	Py_END_ALLOW_THREADS
	lmcpy_hooks_free(SELF);
	Py_CLEAR(SELF->refs);
	Py_CLEAR(SELF->registry);
	pthread_mutex_destroy(&SELF->lock);
	Py_TYPE(self)->tp_free(self);
}

static int agent_traverse(PyObject *self, visitproc visit, void *arg)
{
	Py_VISIT(SELF->refs);
	Py_VISIT(SELF->registry);
	return 0;
}

static bool ready(AgentObject *self)
{
	if (self->agent == NULL)
		PyErr_SetString(PyExc_RuntimeError, "Agent.__init__ was not called");
	return self->agent != NULL;
}

/* ---- lifecycle ---- */

static PyObject *agent_start(PyObject *self, PyObject *unused)
{
	char *cause = NULL;
	int rc;

	(void)unused;
	if (!ready(SELF))
		return NULL;
	if (SELF->started)
		Py_RETURN_NONE;
	Py_BEGIN_ALLOW_THREADS
	rc = lmca_agent_start(SELF->agent, &cause);
	Py_END_ALLOW_THREADS
	if (rc < 0)
		return lmcpy_raise(cause);
	SELF->started = true;
	Py_RETURN_NONE;
}

static PyObject *agent_stop(PyObject *self, PyObject *unused)
{
	(void)unused;
	if (!ready(SELF))
		return NULL;
	lmcpy_agent_stop(SELF);
	Py_RETURN_NONE;
}

static PyObject *agent_enter(PyObject *self, PyObject *unused)
{
	PyObject *r = agent_start(self, unused);

	if (r == NULL)
		return NULL;
	Py_DECREF(r);
	return Py_NewRef(self);
}

static PyObject *agent_exit(PyObject *self, PyObject *args)
{
	(void)args;
	if (ready(SELF))
		lmcpy_agent_stop(SELF);
	Py_RETURN_FALSE;
}

static PyObject *agent_load_config(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *names[] = { "path", NULL };
	PyObject *path = Py_None, *bytes = NULL;
	char *cause = NULL;
	int rc;

	if (!ready(SELF) || !PyArg_ParseTupleAndKeywords(args, kw, "|O", names, &path))
		return NULL;
	if (path != Py_None && !PyUnicode_FSConverter(path, &bytes))
		return NULL;
	if (bytes != NULL)
		rc = lmca_agent_load_config_file(SELF->agent, PyBytes_AS_STRING(bytes), &cause);
	else
		rc = lmca_agent_load_config(SELF->agent, &cause);
	Py_XDECREF(bytes);
	return rc < 0 ? lmcpy_raise(cause) : Py_NewRef(Py_None);
}

/* ---- configuration ---- */

static int parse_type(PyObject *t, lmca_conf_type *type)
{
	static const struct { PyTypeObject *py; lmca_conf_type c; } map[] = {
		{ &PyBool_Type, LMCA_CONF_BOOL }, { &PyLong_Type, LMCA_CONF_INT },
		{ &PyFloat_Type, LMCA_CONF_FLOAT }, { &PyUnicode_Type, LMCA_CONF_STRING },
		{ &PyList_Type, LMCA_CONF_LIST }, { &PyDict_Type, LMCA_CONF_MAP },
	};

	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (t == (PyObject *)map[i].py) {
			*type = map[i].c;
			return 0;
		}
	PyErr_SetString(PyExc_TypeError, "type must be one of bool, int, float, str, list, dict");
	return -1;
}

/* register(key, type, default=None, *, mutable=False, on_change=None) */
static PyObject *agent_register(PyObject *self, PyObject *args, PyObject *kw)
{
	static char *names[] = { "key", "type", "default", "mutable", "on_change", NULL };
	PyObject *type_obj, *dflt = Py_None, *on_change = Py_None;
	const char *key;
	int mutable_at_runtime = 0;
	lmca_conf_type type;
	char *json, *cause = NULL;
	int rc;

	if (!ready(SELF) || !PyArg_ParseTupleAndKeywords(args, kw, "sO|O$pO", names, &key,
	                                                  &type_obj, &dflt, &mutable_at_runtime,
	                                                  &on_change))
		return NULL;
	if (parse_type(type_obj, &type) < 0 || (json = lmcpy_to_json(dflt)) == NULL)
		return NULL;
	rc = lmca_conf_register(SELF->agent, key, type, json, mutable_at_runtime, &cause);
	free(json);
	if (rc < 0)
		return lmcpy_raise(cause);
	if (on_change != Py_None && lmcpy_on_change(SELF, key, on_change) < 0)
		return NULL;
	Py_RETURN_NONE;
}

/* on_change(key, fn): fn(key, value) after each change; raising rejects the change. */
static PyObject *agent_on_change(PyObject *self, PyObject *args)
{
	const char *key;
	PyObject *fn;

	if (!ready(SELF) || !PyArg_ParseTuple(args, "sO", &key, &fn))
		return NULL;
	return lmcpy_on_change(SELF, key, fn) < 0 ? NULL : Py_NewRef(fn);
}

static PyObject *agent_get(PyObject *self, PyObject *args)
{
	PyObject *dflt = Py_None, *v;
	const char *key;
	char *json;

	if (!ready(SELF) || !PyArg_ParseTuple(args, "s|O", &key, &dflt))
		return NULL;
	if ((json = lmca_conf_get_json(SELF->agent, key)) == NULL)
		return Py_NewRef(dflt);
	v = lmcpy_from_json(json);
	free(json);
	return v;
}

/* set(key, value): coerced to the key's type; on_change callbacks run (and may refuse). */
static PyObject *agent_set(PyObject *self, PyObject *args)
{
	PyObject *value;
	const char *key;
	char *json, *cause = NULL;
	int rc;

	if (!ready(SELF) || !PyArg_ParseTuple(args, "sO", &key, &value))
		return NULL;
	if ((json = lmcpy_to_json(value)) == NULL)
		return NULL;
	/* Without the GIL: a POST /conf may hold the change lock while its on_change callback
	 * waits for the GIL; ours, if any, takes the GIL back itself. */
	Py_BEGIN_ALLOW_THREADS
	rc = lmca_conf_set(SELF->agent, key, json, &cause);
	Py_END_ALLOW_THREADS
	free(json);
	return rc < 0 ? lmcpy_raise(cause) : Py_NewRef(Py_None);
}

static PyObject *agent_config(PyObject *self, void *closure)
{
	char *json;
	PyObject *v;

	(void)closure;
	if (!ready(SELF))
		return NULL;
	json = lmca_conf_dump_json(SELF->agent);
	v = lmcpy_from_json(json);
	free(json);
	return v;
}

/* ---- metrics ---- */

/* Label names as a NULL-terminated array borrowed from the (checked) sequence. */
static const char **label_array(PyObject *seq)
{
	Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
	const char **names = xcalloc((size_t)n + 1, sizeof *names);

	for (Py_ssize_t i = 0; i < n; i++)
		if ((names[i] = PyUnicode_AsUTF8(PySequence_Fast_GET_ITEM(seq, i))) == NULL) {
			free(names);
			return NULL;
		}
	return names;
}

static double *bucket_array(PyObject *buckets, size_t *n)
{
	PyObject *seq = PySequence_Fast(buckets, "buckets must be a sequence of numbers");
	double *b;

	if (seq == NULL)
		return NULL;
	*n = (size_t)PySequence_Fast_GET_SIZE(seq);
	b = xcalloc(*n + 1, sizeof *b);
	for (size_t i = 0; i < *n; i++)
		b[i] = PyFloat_AsDouble(PySequence_Fast_GET_ITEM(seq, (Py_ssize_t)i));
	Py_DECREF(seq);
	if (PyErr_Occurred()) {
		free(b);
		return NULL;
	}
	return b;
}

static lmca_metric *make_metric(AgentObject *self, char kind, const char *name,
                                const char *help, const char **labels, PyObject *buckets)
{
	double *b = NULL;
	size_t nb = 0;
	lmca_metric *m;

	if (kind == 'c')
		return lmca_counter(self->agent, name, help, labels);
	if (kind == 'g')
		return lmca_gauge(self->agent, name, help, labels);
	if (buckets != Py_None && (b = bucket_array(buckets, &nb)) == NULL)
		return NULL;
	m = lmca_histogram(self->agent, name, help, labels, b, nb);
	free(b);
	return m;
}

/* counter/gauge/histogram(name, help="", labels=(), *, buckets=None) */
static PyObject *metric_ctor(PyObject *self, PyObject *args, PyObject *kw, char kind)
{
	static char *names[] = { "name", "help", "labels", "buckets", NULL };
	const char *name, *help = "", **labels;
	PyObject *label_obj = NULL, *buckets = Py_None, *seq, *out = NULL;
	lmca_metric *m;

	if (!ready(SELF) || !PyArg_ParseTupleAndKeywords(args, kw, "s|sO$O", names, &name, &help,
	                                                  &label_obj, &buckets))
		return NULL;
	if (kind != 'h' && buckets != Py_None) {
		PyErr_SetString(PyExc_TypeError, "buckets are for histograms");
		return NULL;
	}
	if (label_obj != NULL && PyUnicode_Check(label_obj)) {
		PyErr_SetString(PyExc_TypeError, "labels must be a sequence of names, not a str");
		return NULL;
	}
	seq = label_obj ? PySequence_Fast(label_obj, "labels must be a sequence of names")
	                : PyTuple_New(0);
	if (seq == NULL || (labels = label_array(seq)) == NULL) {
		Py_XDECREF(seq);
		return NULL;
	}
	m = make_metric(SELF, kind, name, help, labels[0] ? labels : NULL, buckets);
	free(labels);
	if (m == NULL && !PyErr_Occurred())
		PyErr_Format(lmcpy_error, "cannot create metric %s: a bad name, or already registered "
		             "with another type or labels", name);
	if (m != NULL)
		out = lmcpy_metric_new(SELF, m, seq);
	Py_DECREF(seq);
	return out;
}

static PyObject *agent_counter(PyObject *self, PyObject *args, PyObject *kw)
{
	return metric_ctor(self, args, kw, 'c');
}

static PyObject *agent_gauge(PyObject *self, PyObject *args, PyObject *kw)
{
	return metric_ctor(self, args, kw, 'g');
}

static PyObject *agent_histogram(PyObject *self, PyObject *args, PyObject *kw)
{
	return metric_ctor(self, args, kw, 'h');
}

/* ---- providers and routes (hooks.c does the work) ---- */

static PyObject *agent_set_meta(PyObject *self, PyObject *value)
{
	return ready(SELF) ? lmcpy_set_provider(SELF, value, true) : NULL;
}

static PyObject *agent_set_inference(PyObject *self, PyObject *value)
{
	return ready(SELF) ? lmcpy_set_provider(SELF, value, false) : NULL;
}

static PyObject *agent_set_health(PyObject *self, PyObject *fn)
{
	return ready(SELF) ? lmcpy_set_health(SELF, fn) : NULL;
}

static PyObject *agent_add_route(PyObject *self, PyObject *args)
{
	const char *method, *path;
	PyObject *fn;

	if (!ready(SELF) || !PyArg_ParseTuple(args, "ssO", &method, &path, &fn))
		return NULL;
	return lmcpy_add_route(SELF, method, path, fn);
}

/* route(method, path): a decorator that adds the function as a route. */
static PyObject *agent_route(PyObject *self, PyObject *args)
{
	PyObject *functools, *partial, *add, *out = NULL;
	const char *method, *path;

	if (!ready(SELF) || !PyArg_ParseTuple(args, "ss", &method, &path))
		return NULL;
	if ((functools = PyImport_ImportModule("functools")) == NULL)
		return NULL;
	partial = PyObject_GetAttrString(functools, "partial");
	add = PyObject_GetAttrString(self, "add_route");
	if (partial && add)
		out = PyObject_CallFunction(partial, "Oss", add, method, path);
	Py_XDECREF(add);
	Py_XDECREF(partial);
	Py_DECREF(functools);
	return out;
}

/* ---- identity ---- */

static PyObject *get_int(PyObject *self, void *which)
{
	lmca_agent *a = SELF->agent;

	if (!ready(SELF))
		return NULL;
	switch ((char)(intptr_t)which) {
	case 'w': return PyLong_FromLong(lmca_agent_worker_id(a));
	case 'c': return PyLong_FromLong(lmca_agent_worker_count(a));
	case 'i': return PyLong_FromLong(lmca_agent_index(a));
	case 'p': return PyLong_FromLong(lmca_agent_port(a));
	default: return PyLong_FromLong(lmca_agent_bound_port(a));
	}
}

static PyObject *take_string(char *s)
{
	PyObject *o = s ? PyUnicode_FromString(s) : Py_NewRef(Py_None);

	free(s);
	return o;
}

static PyObject *get_text(PyObject *self, void *which)
{
	if (!ready(SELF))
		return NULL;
	switch ((char)(intptr_t)which) {
	case 'r': return PyUnicode_FromString(lmca_role_name(lmca_agent_role(SELF->agent)));
	case 'n': return take_string(lmca_agent_name(SELF->agent));
	default: return take_string(lmca_agent_socket_path(SELF->agent));
	}
}

static PyObject *get_running(PyObject *self, void *unused)
{
	(void)unused;
	return PyBool_FromLong(SELF->started);
}

#define G(name, fn, c, doc) { name, fn, NULL, doc, (void *)(intptr_t)(c) }
static PyGetSetDef agent_getset[] = {
	G("role", get_text, 'r', "\"scheduler\" or \"worker\""),
	G("name", get_text, 'n', "<instance_id>_scheduler or <instance_id>_worker<N>"),
	G("socket_path", get_text, 's', "<prefix>_<port>, or None without a socket prefix"),
	G("worker_id", get_int, 'w', "the worker id (-1 for the scheduler)"),
	G("worker_count", get_int, 'c', "the instance's number of workers"),
	G("index", get_int, 'i', "0 for the scheduler, 1 + N for worker N"),
	G("port", get_int, 'p', "internal_api_server_port_start + index"),
	G("bound_port", get_int, 'b', "the TCP port listened on, or -1"),
	G("running", get_running, 0, "True between start() and stop()"),
	{ "config", agent_config, NULL, "every configuration key and its value (a new dict)",
	  NULL },
	{ NULL, NULL, NULL, NULL, NULL },
};

#define KW(f) (PyCFunction)(void (*)(void))(f), METH_VARARGS | METH_KEYWORDS
static PyMethodDef agent_methods[] = {
	{ "start", agent_start, METH_NOARGS,
	  "start(): starts the internal API server (when enabled) and the plugins" },
	{ "stop", agent_stop, METH_NOARGS, "stop(): stops plugins and server; idempotent" },
	{ "__enter__", agent_enter, METH_NOARGS, "start() and return the agent" },
	{ "__exit__", agent_exit, METH_VARARGS, "stop()" },
	{ "load_config", KW(agent_load_config),
	  "load_config(path=None): LMCACHE_CONFIG_FILE (or path), else LMCACHE_* variables" },
	{ "register", KW(agent_register),
	  "register(key, type, default=None, *, mutable=False, on_change=None): a config key;\n"
	  "type is bool, int, float, str, list or dict; mutable keys may change by POST /conf" },
	{ "on_change", agent_on_change, METH_VARARGS,
	  "on_change(key, fn): fn(key, value) after each change of key; raising refuses it" },
	{ "get", agent_get, METH_VARARGS, "get(key, default=None): a config value" },
	{ "set", agent_set, METH_VARARGS, "set(key, value): sets a config value" },
	{ "counter", KW(agent_counter), "counter(name, help='', labels=()) -> Metric" },
	{ "gauge", KW(agent_gauge), "gauge(name, help='', labels=()) -> Metric" },
	{ "histogram", KW(agent_histogram),
	  "histogram(name, help='', labels=(), *, buckets=None) -> Metric" },
	{ "set_meta", agent_set_meta, METH_O,
	  "set_meta(dict or callable): GET /meta; a callable's last answer is served while\n"
	  "the GIL cannot be had" },
	{ "set_inference", agent_set_inference, METH_O,
	  "set_inference(dict or callable): GET /inference_info, as set_meta" },
	{ "set_health", agent_set_health, METH_O,
	  "set_health(fn): GET /healthcheck is unhealthy when fn() returns False or raises\n"
	  "(the reason is the exception's text); without fn, when the GIL cannot be had" },
	{ "add_route", agent_add_route, METH_VARARGS,
	  "add_route(method, path, fn): fn(request) answers method path; request has method,\n"
	  "path and body (bytes); fn returns str, bytes, a dict or list (JSON), or a tuple\n"
	  "(status, body) or (status, content_type, body); returns fn" },
	{ "route", agent_route, METH_VARARGS, "route(method, path): add_route as a decorator" },
	{ NULL, NULL, 0, NULL },
};

PyTypeObject lmcpy_agent_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "lmcagent.Agent",
	.tp_basicsize = sizeof(AgentObject),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_doc = "Agent(role, worker_id=0, worker_count=1, *, gil_timeout=0.5, call_timeout=30.0,\n"
	          "      registry=prometheus_client.REGISTRY, version=None, commit=None)\n\n"
	          "One node's agent. role is \"scheduler\" or \"worker\". gil_timeout bounds how long\n"
	          "the agent's threads wait for the GIL, call_timeout how long they wait for Python\n"
	          "code that started (seconds). registry: the prometheus_client registry whose\n"
	          "metrics follow the agent's (None: none; default: prometheus_client's when it\n"
	          "is installed). A context manager: with agent: starts and stops it.",
	.tp_new = agent_new,
	.tp_init = agent_init,
	.tp_dealloc = agent_dealloc,
	.tp_traverse = agent_traverse,
	.tp_weaklistoffset = offsetof(AgentObject, weakrefs),
	.tp_methods = agent_methods,
	.tp_getset = agent_getset,
};

int lmcpy_agent_ready(PyObject *module)
{
	if (PyType_Ready(&lmcpy_agent_type) < 0 || PyType_Ready(&lmcpy_metric_type) < 0)
		return -1;
	if (PyModule_AddObjectRef(module, "Agent", (PyObject *)&lmcpy_agent_type) < 0)
		return -1;
	return PyModule_AddObjectRef(module, "Metric", (PyObject *)&lmcpy_metric_type);
}
