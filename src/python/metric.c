/* lmcagent.Metric: a counter, gauge or histogram of the agent, used the way prometheus_client
 * metrics are: m.inc(), or m.labels(model_name="x").inc() for a metric with labels. */
#include "config.h"
#include "pymod.h"
#include "xalloc.h"

typedef struct {
	PyObject_HEAD
	AgentObject *agent; /* keeps the agent (and so the metric) alive */
	lmca_metric *m;
	PyObject *label_names; /* tuple */
	PyObject *values;      /* tuple of str for a child of labels(); NULL for the metric */
} MetricObject;

#define SELF ((MetricObject *)self)

PyObject *lmcpy_metric_new(AgentObject *agent, lmca_metric *m, PyObject *label_names)
{
	MetricObject *o = PyObject_GC_New(MetricObject, &lmcpy_metric_type);

	if (o == NULL)
		return NULL;
	o->agent = (AgentObject *)Py_NewRef((PyObject *)agent);
	o->m = m;
	o->label_names = PySequence_Tuple(label_names);
	o->values = NULL;
	PyObject_GC_Track(o);
	if (o->label_names == NULL) {
		Py_DECREF(o);
		return NULL;
	}
	return (PyObject *)o;
}

static void metric_dealloc(PyObject *self)
{
	PyObject_GC_UnTrack(self);
	Py_CLEAR(SELF->agent);
	Py_CLEAR(SELF->label_names);
	Py_CLEAR(SELF->values);
	PyObject_GC_Del(self);
}

static int metric_traverse(PyObject *self, visitproc visit, void *arg)
{
	Py_VISIT(SELF->agent);
	Py_VISIT(SELF->label_names);
	Py_VISIT(SELF->values);
	return 0;
}

/* The values of labels(*args, **kw) in the order of the label names (new tuple of str). */
static PyObject *label_values(MetricObject *self, PyObject *args, PyObject *kw)
{
	Py_ssize_t n = PyTuple_GET_SIZE(self->label_names), nkw = kw ? PyDict_GET_SIZE(kw) : 0;
	PyObject *out, *v;

	if ((PyTuple_GET_SIZE(args) > 0 && nkw > 0) || PyTuple_GET_SIZE(args) + nkw != n) {
		PyErr_Format(PyExc_ValueError, "labels() takes the %zd label values %R, by position "
		             "or by name", n, self->label_names);
		return NULL;
	}
	if ((out = PyTuple_New(n)) == NULL)
		return NULL;
	for (Py_ssize_t i = 0; i < n; i++) {
		v = nkw ? PyDict_GetItemWithError(kw, PyTuple_GET_ITEM(self->label_names, i))
		        : PyTuple_GET_ITEM(args, i);
		if (v == NULL) {
			if (!PyErr_Occurred())
				PyErr_Format(PyExc_ValueError, "missing label %R",
				             PyTuple_GET_ITEM(self->label_names, i));
			Py_DECREF(out);
			return NULL;
		}
		PyTuple_SET_ITEM(out, i, PyObject_Str(v));
	}
	return out;
}

static PyObject *metric_labels(PyObject *self, PyObject *args, PyObject *kw)
{
	PyObject *values, *child;

	if (SELF->values != NULL || PyTuple_GET_SIZE(SELF->label_names) == 0) {
		PyErr_SetString(PyExc_ValueError, "this metric has no labels to set");
		return NULL;
	}
	if ((values = label_values(SELF, args, kw)) == NULL)
		return NULL;
	child = lmcpy_metric_new(SELF->agent, SELF->m, SELF->label_names);
	if (child != NULL)
		((MetricObject *)child)->values = values;
	else
		Py_DECREF(values);
	return child;
}

/* Calls op with the C label values; raises when a metric with labels has none set. */
static PyObject *apply(MetricObject *self, void (*op)(lmca_metric *, const char *const *, double),
                       double x)
{
	Py_ssize_t n = self->values ? PyTuple_GET_SIZE(self->values) : 0;
	const char **v;

	if (self->values == NULL && PyTuple_GET_SIZE(self->label_names) > 0) {
		PyErr_Format(PyExc_ValueError, "this metric has labels %R: use .labels(...) first",
		             self->label_names);
		return NULL;
	}
	v = xcalloc((size_t)n + 1, sizeof *v);
	for (Py_ssize_t i = 0; i < n; i++)
		v[i] = PyUnicode_AsUTF8(PyTuple_GET_ITEM(self->values, i));
	op(self->m, n ? v : NULL, x);
	free(v);
	Py_RETURN_NONE;
}

static PyObject *metric_inc(PyObject *self, PyObject *args)
{
	double by = 1.0;

	if (!PyArg_ParseTuple(args, "|d", &by))
		return NULL;
	return apply(SELF, lmca_metric_inc, by);
}

static PyObject *metric_dec(PyObject *self, PyObject *args)
{
	double by = 1.0;

	if (!PyArg_ParseTuple(args, "|d", &by))
		return NULL;
	return apply(SELF, lmca_metric_inc, -by);
}

static PyObject *metric_set(PyObject *self, PyObject *arg)
{
	double v = PyFloat_AsDouble(arg);

	return v == -1.0 && PyErr_Occurred() ? NULL : apply(SELF, lmca_metric_set, v);
}

static PyObject *metric_observe(PyObject *self, PyObject *arg)
{
	double v = PyFloat_AsDouble(arg);

	return v == -1.0 && PyErr_Occurred() ? NULL : apply(SELF, lmca_metric_observe, v);
}

static double read_value;
static void read_op(lmca_metric *m, const char *const *values, double unused)
{
	(void)unused;
	read_value = lmca_metric_value(m, values); /* under the GIL: one reader at a time */
}

static PyObject *metric_value(PyObject *self, PyObject *unused)
{
	PyObject *r = apply(SELF, read_op, 0);

	(void)unused;
	if (r == NULL)
		return NULL;
	Py_DECREF(r);
	return PyFloat_FromDouble(read_value);
}

static PyMethodDef metric_methods[] = {
	{ "labels", (PyCFunction)(void (*)(void))metric_labels, METH_VARARGS | METH_KEYWORDS,
	  "labels(*values, **by_name) -> the series of these label values" },
	{ "inc", metric_inc, METH_VARARGS, "inc(amount=1): adds to a counter or gauge" },
	{ "dec", metric_dec, METH_VARARGS, "dec(amount=1): subtracts from a gauge" },
	{ "set", metric_set, METH_O, "set(value): sets a gauge" },
	{ "observe", metric_observe, METH_O, "observe(value): records a histogram observation" },
	{ "value", metric_value, METH_NOARGS,
	  "value() -> the current value of a counter or gauge series (nan when it has none)" },
	{ NULL, NULL, 0, NULL },
};

PyTypeObject lmcpy_metric_type = {
	PyVarObject_HEAD_INIT(NULL, 0)
	.tp_name = "lmcagent.Metric",
	.tp_basicsize = sizeof(MetricObject),
	.tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
	.tp_doc = "A counter, gauge or histogram of an Agent (Agent.counter, .gauge, .histogram).",
	.tp_dealloc = metric_dealloc,
	.tp_traverse = metric_traverse,
	.tp_methods = metric_methods,
};
