/* Python stacks without the GIL, for GET /threads, the way faulthandler dumps tracebacks from
 * a signal handler: read each thread state's frame chain while its thread runs, through
 * copies that cannot crash (peek), allocating no Python object. The interpreter's
 * thread-list lock (HEAD_LOCK) is held, for a bounded time, so no thread state is freed
 * while it is read. Needs CPython's internal headers
 * (python3-dev ships them), hence Py_BUILD_CORE in this file only. */
#define Py_BUILD_CORE 1
#include "config.h"
#include "pymod.h"
#include "buf.h"

#include <Python.h>
#include <internal/pycore_frame.h>
#include <internal/pycore_runtime.h>

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#define MAX_DEPTH 128
#define MAX_TEXT 1024 /* characters of a file or function name */
#define LIST_LOCK_US 50000

/* Appends a str object as UTF-8 without allocating a Python object. */
static void put_str(struct buf *b, PyObject *s)
{
	Py_ssize_t n;
	int kind;
	const void *data;

	if (s == NULL || !PyUnicode_Check(s) || !PyUnicode_IS_READY(s)) {
		buf_puts(b, "???");
		return;
	}
	kind = PyUnicode_KIND(s);
	data = PyUnicode_DATA(s);
	n = PyUnicode_GET_LENGTH(s);
	for (Py_ssize_t i = 0; i < n && i < MAX_TEXT; i++) {
		Py_UCS4 c = PyUnicode_READ(kind, data, i);
		char u[4];

		if (c < 0x80) {
			buf_putc(b, (char)c);
		} else if (c < 0x800) {
			u[0] = (char)(0xc0 | c >> 6), u[1] = (char)(0x80 | (c & 0x3f));
			buf_append(b, u, 2);
		} else if (c < 0x10000) {
			u[0] = (char)(0xe0 | c >> 12), u[1] = (char)(0x80 | (c >> 6 & 0x3f));
			u[2] = (char)(0x80 | (c & 0x3f));
			buf_append(b, u, 3);
		} else {
			u[0] = (char)(0xf0 | c >> 18), u[1] = (char)(0x80 | (c >> 12 & 0x3f));
			u[2] = (char)(0x80 | (c >> 6 & 0x3f)), u[3] = (char)(0x80 | (c & 0x3f));
			buf_append(b, u, 4);
		}
	}
}

/* Copies n bytes the running threads may be changing or freeing: process_vm_readv fails
 * on unmapped memory where a plain read would crash the host. Where the system refuses
 * the call (seccomp), plain reads, as faulthandler does. */
static bool peek(void *dst, const void *src, size_t n)
{
	static _Atomic int refused;
	struct iovec local = { dst, n }, remote = { (void *)src, n };

	if (src == NULL)
		return false;
	if (!refused) {
		if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) == (ssize_t)n)
			return true;
		if (errno != ENOSYS && errno != EPERM)
			return false;
		refused = 1;
	}
	memcpy(dst, src, n);
	return true;
}

/* The frame's code object, when it still is one (a frame being pushed or popped may hold
 * anything). */
static PyCodeObject *code_of(const _PyInterpreterFrame *f)
{
	PyCodeObject head;
	PyASCIIObject name, file;

	if (!peek(&head, f->f_code, sizeof head) || Py_TYPE(&head) != &PyCode_Type)
		return NULL;
	if (!peek(&file, head.co_filename, sizeof file) || !peek(&name, head.co_name, sizeof name))
		return NULL;
	return f->f_code;
}

/* One frame as Python's tracebacks write it. */
static void put_frame(struct buf *b, const _PyInterpreterFrame *f, PyCodeObject *code)
{
	int line = PyCode_Addr2Line(code, (int)(f->prev_instr - _PyCode_CODE(code)) *
	                                      (int)sizeof(_Py_CODEUNIT));

	buf_puts(b, "File \"");
	put_str(b, code->co_filename);
	buf_printf(b, "\", line %d, in ", line);
	put_str(b, code->co_name);
}

/* Whether the frame has started running its code (as _PyFrame_IsIncomplete, on a copy). */
static bool complete(const _PyInterpreterFrame *f, PyCodeObject *code)
{
	return f->owner == FRAME_OWNED_BY_GENERATOR ||
	       f->prev_instr >= _PyCode_CODE(code) + code->_co_firsttraceable;
}

static void thread_frames(PyThreadState *ts, lmca_frame_add add, void *ctx)
{
	_PyInterpreterFrame copy, *f = NULL;
	int tid = (int)ts->native_thread_id, depth = 0, hops = 0;
	struct buf b = BUF_INIT;
	_PyCFrame cframe;
	PyCodeObject *code;

	if (peek(&cframe, ts->cframe, sizeof cframe))
		f = cframe.current_frame;
	for (; f != NULL && depth < MAX_DEPTH && hops++ < 4 * MAX_DEPTH; f = copy.previous) {
		if (!peek(&copy, f, sizeof copy) || (code = code_of(&copy)) == NULL)
			break;
		if (!complete(&copy, code))
			continue;
		buf_reset(&b);
		put_frame(&b, &copy, code);
		add(ctx, tid, buf_cstr(&b));
		depth++;
	}
	if (f != NULL && depth == MAX_DEPTH)
		add(ctx, tid, "... (more Python frames)");
	buf_free(&b);
}

/* lmca_stack_provider: every thread of the module's interpreter. */
void pystacks_provide(void *arg, lmca_frame_add add, void *ctx)
{
	PyInterpreterState *interp = arg;
	PyThread_type_lock list_lock = _PyRuntime.interpreters.mutex;

	if (_Py_IsFinalizing() || list_lock == NULL)
		return;
	if (PyThread_acquire_lock_timed(list_lock, LIST_LOCK_US, 0) != PY_LOCK_ACQUIRED)
		return; /* a thread is being created or ended for long: no Python frames this time */
	for (PyThreadState *ts = PyInterpreterState_ThreadHead(interp); ts != NULL;
	     ts = PyThreadState_Next(ts))
		thread_frames(ts, add, ctx);
	PyThread_release_lock(list_lock);
}
