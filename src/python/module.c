/* The module lmcagent: liblmcagent for Python hosts (lmcagent(3) in Python's idiom). */
#include "config.h"
#include "pymod.h"
#include "xalloc.h"

#include <string.h>

PyDoc_STRVAR(module_doc,
"liblmcagent, the agent every LMCache node embeds, for Python hosts.\n"
"\n"
"The agent serves LMCache's internal API (/metrics, /threads, /loglevel, /conf, /meta,\n"
"/inference_info, /version, /env, /run_script, /healthcheck, /plugins and the host's own\n"
"routes) over a unix socket or loopback TCP, and runs LMCache's runtime plugins. It answers\n"
"from its own threads, so it keeps answering while a Python thread holds the GIL:\n"
"\n"
"- /threads shows every thread's Python stack (innermost first, read without the GIL, as\n"
"  faulthandler does) before its native frames;\n"
"- /loglevel lists and sets the host's real logging loggers (needs the GIL: when it cannot\n"
"  be had within gil_timeout seconds, 503 with the reason);\n"
"- /metrics is the agent's metrics plus the host's prometheus_client registry; when the\n"
"  GIL cannot be had, the last collected text and its age in the gauge\n"
"  lmcache_agent_python_metrics_age_seconds;\n"
"- /run_script (off unless run_script_api_enabled) runs the uploaded script in this\n"
"  interpreter as LMCache does: the value of its `result` variable is the answer;\n"
"- the agent's own log lines (plugin output included) go to logging's loggers of the\n"
"  same names (lmcache.plugin, lmcache.internal_api_server), or to stderr while the GIL\n"
"  cannot be had.\n"
"\n"
"A host needs five lines:\n"
"\n"
"    import lmcagent, threading\n"
"\n"
"    agent = lmcagent.Agent(\"worker\", worker_id=0, worker_count=1)\n"
"    agent.load_config()           # LMCACHE_CONFIG_FILE, else LMCACHE_* variables, as LMCache reads them\n"
"    with agent:                   # serves the internal API from the agent's own threads\n"
"        threading.Event().wait()  # the host's work\n"
"\n"
"Errors of the library raise lmcagent.Error with its message; bad arguments raise\n"
"ValueError or TypeError. Agents still running when the interpreter exits are stopped\n"
"(plugins get SIGTERM). The agent captures native stacks with a real-time signal\n"
"(SIGRTMIN+3): signal.pause() returns on it, so wait for work or stop signals otherwise\n"
"(an Event, signal.sigwait). See lmcagent(3) for the C API underneath.");

PyObject *lmcpy_error;
static PyObject *json_dumps, *json_loads;
static AgentObject **live;
static size_t nlive;

PyObject *lmcpy_raise(char *cause)
{
	PyErr_SetString(lmcpy_error, cause ? cause : "failed");
	free(cause);
	return NULL;
}

char *lmcpy_to_json(PyObject *value)
{
	PyObject *text = PyObject_CallOneArg(json_dumps, value);
	const char *s;
	char *out;

	if (text == NULL)
		return NULL;
	s = PyUnicode_AsUTF8(text);
	out = s ? xstrdup(s) : NULL;
	Py_DECREF(text);
	return out;
}

PyObject *lmcpy_from_json(const char *text)
{
	PyObject *s = PyUnicode_FromString(text), *v;

	if (s == NULL)
		return NULL;
	v = PyObject_CallOneArg(json_loads, s);
	Py_DECREF(s);
	return v;
}

char *lmcpy_exception_text(void)
{
	PyObject *type, *value, *tb, *s;
	const char *c;
	char *out;

	PyErr_Fetch(&type, &value, &tb);
	PyErr_NormalizeException(&type, &value, &tb);
	s = value ? PyObject_Str(value) : NULL;
	c = s ? PyUnicode_AsUTF8(s) : NULL;
	out = xstrdup(c ? c : "unknown error");
	PyErr_Clear();
	Py_XDECREF(s);
	Py_XDECREF(type);
	Py_XDECREF(value);
	Py_XDECREF(tb);
	return out;
}

void lmcpy_track(AgentObject *self)
{
	live = xreallocarray(live, nlive + 1, sizeof *live);
	live[nlive++] = self;
}

void lmcpy_untrack(AgentObject *self)
{
	for (size_t i = 0; i < nlive; i++)
		if (live[i] == self) {
			live[i] = live[--nlive];
			return;
		}
}

/* atexit: the agents' threads must not outlive the interpreter they call into. */
static PyObject *stop_all(PyObject *module, PyObject *unused)
{
	(void)module, (void)unused;
	for (size_t i = 0; i < nlive; i++)
		lmcpy_agent_stop(live[i]);
	Py_RETURN_NONE;
}

static PyMethodDef module_methods[] = {
	{ "_stop_all", stop_all, METH_NOARGS, "Stops every agent (run at interpreter exit)." },
	{ NULL, NULL, 0, NULL },
};

static struct PyModuleDef module_def = {
	PyModuleDef_HEAD_INIT, "lmcagent", module_doc, -1, module_methods,
	NULL, NULL, NULL, NULL,
};

static int import_json(void)
{
	PyObject *json = PyImport_ImportModule("json");

	if (json == NULL)
		return -1;
	json_dumps = PyObject_GetAttrString(json, "dumps");
	json_loads = PyObject_GetAttrString(json, "loads");
	Py_DECREF(json);
	return json_dumps && json_loads ? 0 : -1;
}

static int register_atexit(PyObject *module)
{
	PyObject *atexit = PyImport_ImportModule("atexit"), *fn, *r;

	if (atexit == NULL)
		return -1;
	fn = PyObject_GetAttrString(module, "_stop_all");
	r = fn ? PyObject_CallMethod(atexit, "register", "O", fn) : NULL;
	Py_XDECREF(fn);
	Py_DECREF(atexit);
	Py_XDECREF(r);
	return r ? 0 : -1;
}

PyMODINIT_FUNC PyInit_lmcagent(void); /* the one symbol the interpreter looks up */

PyMODINIT_FUNC PyInit_lmcagent(void)
{
	PyObject *m = PyModule_Create(&module_def);

	if (m == NULL || import_json() < 0)
		goto fail;
	lmcpy_error = PyErr_NewExceptionWithDoc("lmcagent.Error",
		"An error of liblmcagent; its message is the library's cause.", NULL, NULL);
	if (lmcpy_error == NULL || PyModule_AddObjectRef(m, "Error", lmcpy_error) < 0)
		goto fail;
	if (lmcpy_agent_ready(m) < 0 || register_atexit(m) < 0)
		goto fail;
	if (PyModule_AddStringConstant(m, "__version__", PACKAGE_VERSION) < 0)
		goto fail;
	return m;
fail:
	Py_XDECREF(m);
	return NULL;
}
