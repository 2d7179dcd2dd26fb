/* The Python half of the hooks (hooks.c): small functions run on the GIL broker's thread.
 * Kept as Python because they only use Python objects; compiled once per interpreter. */
#include "config.h"
#include "pymod.h"

static const char source[] =
"import logging\n"
"\n"
"def loggers():\n"
"    # The real loggers, as LMCache lists them (every Logger the manager knows, own level),\n"
"    # after the root logger (which LMCache leaves out).\n"
"    return [('root', logging.root.level)] + [\n"
"        (name, lg.level) for name, lg in list(logging.Logger.manager.loggerDict.items())\n"
"        if isinstance(lg, logging.Logger)]\n"
"\n"
"def get_level(name):\n"
"    # Reading does not create a logger (docs/protocol.md): an unknown one is NOTSET.\n"
"    lg = logging.root if name == 'root' else logging.Logger.manager.loggerDict.get(name)\n"
"    return lg.level if isinstance(lg, logging.Logger) else logging.NOTSET\n"
"\n"
"def set_level(name, level):\n"
"    lg = logging.getLogger(name)\n"
"    lg.setLevel(level)\n"
"    for h in lg.handlers:  # 'including all handlers', as LMCache does\n"
"        h.setLevel(level)\n"
"\n"
"def log(name, level, message):\n"
"    logging.getLogger(name).log(level, '%s', message)\n"
"\n"
"def collect(registry):\n"
"    from prometheus_client import generate_latest\n"
"    return generate_latest(registry).decode('utf-8')\n"
"\n"
"class Request:\n"
"    def __init__(self, method, path, body):\n"
"        self.method, self.path, self.body = method, path, body\n"
"    def __repr__(self):\n"
"        return f'<Request {self.method} {self.path}>'\n"
"\n"
"def answer(fn, method, path, body):\n"
"    # fn's return value as (status, content type, body bytes).\n"
"    import json\n"
"    r = fn(Request(method, path, body))\n"
"    status, ctype = 200, None\n"
"    if isinstance(r, tuple):\n"
"        if len(r) == 2:\n"
"            status, r = r\n"
"        elif len(r) == 3:\n"
"            status, ctype, r = r\n"
"        else:\n"
"            raise ValueError('a route returns (status, body) or (status, content_type, body)')\n"
"    if r is None:\n"
"        r = b''\n"
"    elif isinstance(r, (dict, list)):\n"
"        r, ctype = json.dumps(r).encode(), ctype or 'application/json'\n"
"    elif isinstance(r, str):\n"
"        r, ctype = r.encode(), ctype or 'text/plain; charset=utf-8'\n"
"    elif not isinstance(r, (bytes, bytearray)):\n"
"        raise TypeError(f'a route returns str, bytes, dict, list or None, not {type(r).__name__}')\n"
"    return int(status), ctype or 'application/octet-stream', bytes(r)\n"
"\n"
"SAFE_BUILTINS = ('print', 'str', 'int', 'float', 'list', 'dict', 'tuple', 'set')\n"
"\n"
"def run_script(script, allowed, app):\n"
"    # LMCache's /run_script: a few builtins, imports only of script_allowed_imports, the\n"
"    # answer is str(result) (its default text when the script sets none).\n"
"    import builtins, importlib\n"
"    modules = {}\n"
"    for name in allowed or ():\n"
"        try:\n"
"            modules[name] = importlib.import_module(name)\n"
"        except ImportError:\n"
"            pass\n"
"    def only_allowed(name, globals=None, locals=None, fromlist=(), level=0):\n"
"        if name not in modules:\n"
"            raise ImportError(f\"Import of '{name}' is not allowed\")\n"
"        return modules[name]\n"
"    env = {name: getattr(builtins, name) for name in SAFE_BUILTINS}\n"
"    env['__import__'] = only_allowed\n"
"    scope = {}\n"
"    exec(script, {'__builtins__': env, 'app': app}, scope)\n"
"    return str(scope.get('result', 'Script executed successfully'))\n";

static PyObject *helpers;

PyObject *lmcpy_helper(const char *name)
{
	PyObject *code;

	if (helpers == NULL) {
		code = Py_CompileString(source, "<lmcagent helpers>", Py_file_input);
		if (code == NULL)
			return NULL;
		helpers = PyImport_ExecCodeModule("lmcagent._helpers", code);
		Py_DECREF(code);
		if (helpers == NULL)
			return NULL;
	}
	return PyObject_GetAttrString(helpers, name);
}
