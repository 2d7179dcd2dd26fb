#include "config.h"
#include "agentfmt.h"
#include "buf.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* A trimmed copy of s; frees s. */
static char *trimmed(char *s)
{
	char *t = xstrdup(str_trim(s));

	free(s);
	return t;
}

char *agentfmt_version(const char *body, size_t len)
{
	json_t *j = json_parse_lenient(body, len, NULL);
	char *v;

	if (json_is_string(j))
		v = xstrdup(json_string_value(j));
	else
		v = xstrndup(body, len);
	json_decref(j);
	return trimmed(v);
}

/* The lines of body, trimmed at the end; free with str_list_free. */
static char **lines_of(const char *body, size_t len, size_t *n)
{
	char *copy = xstrndup(body, len);
	char **v = str_split(copy, '\n', n);

	for (size_t i = 0; i < *n; i++) {
		size_t l = strlen(v[i]);

		while (l > 0 && (v[i][l - 1] == '\r' || v[i][l - 1] == ' ' || v[i][l - 1] == '\t'))
			v[i][--l] = '\0';
	}
	free(copy);
	return v;
}

json_t *agentfmt_loglevels(const char *body, size_t len, char **cause)
{
	size_t n;
	char **lines = lines_of(body, len, &n);
	json_t *o = json_object();

	for (size_t i = 0; i < n; i++) {
		char *sep = strstr(lines[i], ": ");

		if (str_starts_with(lines[i], "===") || sep == NULL || sep == lines[i])
			continue;
		*sep = '\0';
		json_object_set_new(o, lines[i], json_string(str_trim(sep + 2)));
	}
	str_list_free(lines);
	if (json_object_size(o) == 0) {
		*cause = xstrdup("no \"<logger>: <LEVEL>\" line in the answer");
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *thread_new(void)
{
	json_t *t = json_object();

	json_object_set_new(t, "name", json_null());
	json_object_set_new(t, "thread_id", json_null());
	json_object_set_new(t, "state", json_null());
	json_object_set_new(t, "cpu_time", json_null());
	json_object_set_new(t, "frames", json_array());
	return t;
}

/* One entry of either JSON list format. */
static json_t *thread_from_json(const json_t *in)
{
	json_t *t = thread_new(), *frames = json_object_get(in, "frames");
	const char *keys[] = { "name", "thread_id", "state", "cpu_time" };
	const char *fn = json_str_member(in, "function_name", NULL);

	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (json_object_get(in, keys[i]) != NULL)
			json_object_set(t, keys[i], json_object_get(in, keys[i]));
	if (json_is_array(frames))
		json_object_set(t, "frames", frames);
	else if (fn != NULL)
		json_array_append_new(json_object_get(t, "frames"), json_string(fn));
	return t;
}

/* The last run of digits in s, as a JSON integer, or JSON null. */
static json_t *last_number(const char *s, size_t len)
{
	size_t end = len, start;

	while (end > 0 && !isdigit((unsigned char)s[end - 1]))
		end--;
	start = end;
	while (start > 0 && isdigit((unsigned char)s[start - 1]))
		start--;
	if (start == end)
		return json_null();
	return json_integer(strtoll(s + start, NULL, 10));
}

/* Ours: "name, state, tid N, cpu 1.25s". */
static void fields_ours(json_t *t, const char *in)
{
	size_t n;
	char **f = str_split(in, ',', &n);

	for (size_t i = 0; i < n; i++) {
		char *v = str_trim(f[i]);

		if (i == 0)
			json_object_set_new(t, "name", json_string(v));
		else if (str_starts_with(v, "tid "))
			json_object_set_new(t, "thread_id", json_integer(strtoll(v + 4, NULL, 10)));
		else if (str_starts_with(v, "cpu "))
			json_object_set_new(t, "cpu_time", json_real(strtod(v + 4, NULL)));
		else if (i == 1)
			json_object_set_new(t, "state", json_string(v));
	}
	str_list_free(f);
}

/* Python's repr: "name, started daemon 1403" (the name may hold ", "). */
static void fields_python(json_t *t, const char *in, size_t len)
{
	const char *last = NULL;

	for (const char *p = in; p + 1 < in + len; p++)
		if (p[0] == ',' && p[1] == ' ')
			last = p;
	if (last == NULL) {
		json_object_set_new(t, "name", json_stringn(in, len));
		return;
	}
	json_object_set_new(t, "name", json_stringn(in, (size_t)(last - in)));
	json_object_set_new(t, "thread_id", last_number(last + 2, len - (size_t)(last + 2 - in)));
	len -= (size_t)(last + 2 - in);
	while (len > 0 && (isdigit((unsigned char)last[2 + len - 1]) || last[2 + len - 1] == ' '))
		len--;
	json_object_set_new(t, "state", json_stringn(last + 2, len));
}

/* "Thread: <Thread(...)>" (Python's repr, or ours) or any other description: the fields
 * inside the parentheses when there are any, else the whole description as the name. */
static json_t *thread_from_header(const char *desc)
{
	json_t *t = thread_new();
	const char *open = strchr(desc, '('), *close = strrchr(desc, ')');
	char *inner;

	if (open == NULL || close == NULL || close < open) {
		json_object_set_new(t, "name", json_string(desc));
		return t;
	}
	inner = xstrndup(open + 1, (size_t)(close - open - 1));
	if (strstr(inner, ", tid ") != NULL && strchr(inner, ',') != NULL)
		fields_ours(t, inner);
	else
		fields_python(t, inner, strlen(inner));
	free(inner);
	return t;
}

static json_t *threads_from_text(const char *body, size_t len, char **cause)
{
	size_t n;
	char **lines = lines_of(body, len, &n);
	json_t *a = json_array(), *cur = NULL;
	bool in_stack = false;

	for (size_t i = 0; i < n; i++) {
		char *l = lines[i];

		if (str_starts_with(l, "Thread: ")) {
			cur = thread_from_header(l + 8);
			json_array_append_new(a, cur);
			in_stack = false;
		} else if (str_starts_with(l, "===")) {
			cur = NULL;
		} else if (cur != NULL && strcmp(l, "Stack trace:") == 0) {
			in_stack = true;
		} else if (cur != NULL && in_stack && *str_trim(l) != '\0') {
			json_array_append_new(json_object_get(cur, "frames"), json_string(str_trim(l)));
		}
	}
	str_list_free(lines);
	/* body need not end with a NUL: look within its len bytes only. */
	if (json_array_size(a) == 0 && memmem(body, len, "Total threads: 0", 16) == NULL) {
		*cause = xstrdup("no \"Thread:\" block in the answer");
		json_decref(a);
		return NULL;
	}
	return a;
}

/* ---- Python stacks: traceback.format_stack lists frames outermost first, two lines each:
 * `File "PATH", line N, in F` and the source line (maybe a caret line under it). ---- */

static bool py_head(const char *l)
{
	/* after the opening quote: in `File ", line 3` the quote opens the path */
	return str_starts_with(l, "File \"") && strstr(l + 6, "\", line ") != NULL;
}

/* Python 3.11's position markers ("    ^^^^", "~~~^^^") say nothing a table can show. */
static bool py_marker(const char *l)
{
	return l[strspn(l, "^~ ")] == '\0';
}

/* `File "PATH", line N, in F` and its source line as "F (PATH:N): SOURCE". */
static json_t *py_frame(const char *head, const char *src)
{
	const char *path = head + 6, *q = strstr(path, "\", line "), *in = strstr(q, ", in ");
	long line = strtol(q + 8, NULL, 10);
	json_t *f;
	char *s;

	if (in == NULL)
		s = xasprintf("? (%.*s:%ld)", (int)(q - path), path, line);
	else
		s = xasprintf("%s (%.*s:%ld)", in + 5, (int)(q - path), path, line);
	if (src != NULL) {
		char *t = xasprintf("%s: %s", s, src);

		free(s);
		s = t;
	}
	f = json_string(s);
	free(s);
	return f != NULL ? f : json_string("?"); /* not UTF-8 */
}

/* The lines of every frame string, trimmed, empty ones left out. */
static char **frame_lines(const json_t *frames, size_t *n)
{
	struct buf all = BUF_INIT;
	json_t *f;
	size_t i;
	char **v;

	json_array_foreach(frames, i, f)
		if (json_is_string(f))
			buf_printf(&all, "%s\n", json_string_value(f));
	v = str_split(buf_cstr(&all), '\n', n);
	buf_free(&all);
	for (i = 0; i < *n; i++)
		memmove(v[i], str_trim(v[i]), strlen(str_trim(v[i])) + 1);
	return v;
}

/* The frames of thread t innermost first, as native stacks are: Python's are joined into
 * one string a frame and reversed; any other list stays as it is. */
static void frames_innermost_first(json_t *t)
{
	size_t n, i, j;
	char **l = frame_lines(json_object_get(t, "frames"), &n);
	json_t *outer = json_array(), *inner = json_array();

	for (i = 0; i < n && *l[i] == '\0'; i++)
		;
	for (; i < n && py_head(l[i]); i = j) {
		const char *src = NULL;

		for (j = i + 1; j < n && !py_head(l[j]); j++)
			if (src == NULL && *l[j] != '\0' && !py_marker(l[j]))
				src = l[j];
		json_array_append_new(outer, py_frame(l[i], src));
	}
	for (j = json_array_size(outer); j > 0 && i >= n; j--)
		json_array_append(inner, json_array_get(outer, j - 1));
	if (i >= n && json_array_size(inner) > 0)
		json_object_set(t, "frames", inner);
	json_decref(inner);
	json_decref(outer);
	str_list_free(l);
}

/* Every thread of a parsed list with its frames innermost first. */
static json_t *threads_normalised(json_t *a)
{
	json_t *t;
	size_t i;

	json_array_foreach(a, i, t)
		frames_innermost_first(t);
	return a;
}

json_t *agentfmt_threads(const char *body, size_t len, char **cause)
{
	json_t *j = json_parse_lenient(body, len, NULL), *a, *it;
	size_t i;

	if (!json_is_array(j)) {
		json_decref(j);
		return threads_normalised(threads_from_text(body, len, cause));
	}
	a = json_array();
	json_array_foreach(j, i, it)
		if (json_is_object(it))
			json_array_append_new(a, thread_from_json(it));
	json_decref(j);
	return threads_normalised(a);
}
