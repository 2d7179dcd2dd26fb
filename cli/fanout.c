/* Sending one request to each selected node at once and classifying the answers. */
#include "config.h"
#include "cli.h"
#include "http-multi.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Requests in flight at once. Nodes come sorted by name, mostly frontend after frontend, so
 * a frontend gets up to this many of its nodes' requests together. More costs every process
 * on the way more CPU per request: libcurl's multi walks every transfer and polls every
 * socket each time one progresses (lmcctl), and each request in flight to a frontend is a
 * connection it accepts and closes. Measured on 1,024 nodes behind 16 frontends (see
 * tests/bench/README.md, issue 18): 64 instead of 256 costs lmcctl about 15% and the
 * frontends about 10% less CPU, and the fan-out less time. Hung nodes each hold a place
 * until the timeout, so not fewer. */
#define FANOUT_PARALLEL 64

long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int status_code_class(long status)
{
	if (status >= 200 && status < 300)
		return LMC_EXIT_OK;
	if (status == 401 || status == 403)
		return LMC_EXIT_DENIED;
	if (status == 404)
		return LMC_EXIT_NOTFOUND;
	if (status == 502)
		return LMC_EXIT_UNREACHABLE; /* a frontend that cannot connect to the node */
	if (status == 504)
		return LMC_EXIT_TIMEOUT;
	return LMC_EXIT_OTHER;
}

void result_fail(struct result *r, int code, char *msg)
{
	r->code = code;
	free(r->error);
	r->error = msg;
}

static char *text_message(const struct result *r)
{
	char *copy = xstrdup(r->body);
	char *out = xasprintf("HTTP %ld: %s", r->status, str_trim(copy));

	free(copy);
	return out;
}

/* The message of an error body: {"error", "message"}, {"reason"}, {"detail"}, or the text
 * itself. */
static char *body_message(const struct result *r)
{
	json_t *j = json_parse_lenient(r->body, r->len, NULL);
	const char *m = json_str_member(j, "message", NULL);
	char *out;

	if (m == NULL || *m == '\0')
		m = json_str_member(j, "reason", NULL); /* /healthcheck's 503 */
	if (m == NULL || *m == '\0')
		m = json_str_member(j, "detail", NULL);
	if (m == NULL || *m == '\0')
		m = json_str_member(j, "error", NULL);
	if (m == NULL || *m == '\0')
		m = json_is_string(j) ? json_string_value(j) : NULL;
	if (m != NULL && *m != '\0')
		out = xasprintf("HTTP %ld: %s", r->status, m);
	else if (j == NULL && r->len > 0 && r->len < 300)
		out = text_message(r);
	else
		out = xasprintf("HTTP %ld", r->status);
	json_decref(j);
	return out;
}

static void classify(struct result *r, struct hm_res *h, long timeout_ms)
{
	r->status = h->status;
	r->took_ms = h->took_ms;
	r->body = h->body;
	r->len = h->len;
	h->body = NULL;
	if (h->err == HM_ERR_CONNECT)
		result_fail(r, LMC_EXIT_UNREACHABLE, xasprintf("unreachable: %s", h->error));
	else if (h->err == HM_ERR_DENIED)
		result_fail(r, LMC_EXIT_DENIED, xasprintf("permission denied: %s", h->error));
	else if (h->err == HM_ERR_TIMEOUT)
		result_fail(r, LMC_EXIT_TIMEOUT, xasprintf("timed out after %.3g s", timeout_ms / 1000.0));
	else if (h->err != HM_OK)
		result_fail(r, LMC_EXIT_OTHER, xstrdup(h->error));
	else if (status_code_class(h->status) != 0)
		result_fail(r, status_code_class(h->status), body_message(r));
}

static char *node_url(const struct cl_node *n, const char *path)
{
	return xasprintf("%s%s%s", n->url, path[0] == '/' ? "" : "/", path);
}

/* The time left before the command's deadline, at most the per-request timeout. */
long time_left_ms(const struct ctx *c)
{
	long left;

	if (c->deadline_ms <= 0)
		return c->o.timeout_ms;
	left = c->deadline_ms - now_ms();
	return left < 1 ? 1 : left < c->o.timeout_ms ? left : c->o.timeout_ms;
}

struct result *fanout_to(struct ctx *c, struct cl_node **nodes, struct request *reqs, size_t n)
{
	struct hm_req *h = xcalloc(n ? n : 1, sizeof *h);
	struct hm_res *hr = xcalloc(n ? n : 1, sizeof *hr);
	struct result *rs = xcalloc(n ? n : 1, sizeof *rs);
	long timeout = time_left_ms(c);

	for (size_t i = 0; i < n; i++)
		h[i] = (struct hm_req){ .method = reqs[i].method, .url = node_url(nodes[i], reqs[i].path),
					.unix_socket = nodes[i]->socket, .body = reqs[i].body,
					.body_len = reqs[i].body ? strlen(reqs[i].body) : 0,
					.content_type = reqs[i].content_type,
					.upload_path = reqs[i].upload, .upload_field = "script",
					.timeout_ms = timeout };
	batch_run(nodes, h, hr, n, FANOUT_PARALLEL);
	for (size_t i = 0; i < n; i++) {
		rs[i].node = nodes[i];
		classify(&rs[i], &hr[i], c->o.timeout_ms);
		hm_res_free(&hr[i]);
		free((char *)h[i].url);
	}
	free(h);
	free(hr);
	return rs;
}

struct result *fanout(struct ctx *c, struct request *reqs)
{
	return fanout_to(c, c->sel, reqs, c->nsel);
}

struct result *fanout_get(struct ctx *c, const char *path)
{
	struct request *reqs = xcalloc(c->nsel ? c->nsel : 1, sizeof *reqs);
	struct result *rs;

	for (size_t i = 0; i < c->nsel; i++)
		reqs[i] = (struct request){ .method = "GET", .path = xstrdup(path) };
	rs = fanout(c, reqs);
	for (size_t i = 0; i < c->nsel; i++)
		request_free(&reqs[i]);
	free(reqs);
	return rs;
}

void request_free(struct request *r)
{
	free(r->path);
	free(r->body);
}

json_t *result_json(struct result *r)
{
	char *cause = NULL;

	if (r->code != 0)
		return NULL;
	json_decref(r->result);
	r->result = json_parse_lenient(r->body, r->len, &cause);
	if (r->result == NULL)
		result_fail(r, LMC_EXIT_OTHER, xasprintf("bad answer: %s", cause));
	free(cause);
	return r->result;
}

json_t *result_json_object(struct result *r)
{
	json_t *j = result_json(r);

	if (j != NULL && !json_is_object(j)) {
		result_fail(r, LMC_EXIT_OTHER, xstrdup("bad answer: not a JSON object"));
		return NULL;
	}
	return j;
}

void result_clear(struct result *r)
{
	free(r->error);
	free(r->body);
	json_decref(r->result);
	*r = (struct result){ .node = r->node };
}

void results_free(struct result *rs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		result_clear(&rs[i]);
	free(rs);
}
