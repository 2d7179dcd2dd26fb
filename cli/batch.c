/* The fan-out's requests to nodes behind our frontends, sent as one POST /api/fanout per
 * frontend (and per BATCH_MAX of its nodes) instead of one request per node: at thousands
 * of nodes most of the work of lmcctl and of the frontends was taking those requests in
 * and out (docs/protocol.md 5.1). The frontend checks each request as /proxy2 would and
 * answers with what each node answered, so the results are those of the requests sent one
 * by one. A frontend without the route (LMCache's 404) is asked node by node from then on,
 * a batch it could not take (400, 413, 503) node by node, and so is a read whose answer did
 * not fit in its batch ("retry"; a change is not sent twice). Uploads (run-script), the
 * nodes of a --socket or --url and lone nodes of a frontend go as before. */
#include "config.h"
#include "cli.h"
#include "http-multi.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define BATCH_MAX 256 /* requests in one batch (the frontend takes up to 256) */

/* Frontends seen without the route in this process: asked node by node from then on. */
static char **no_route;
static size_t nno_route;

static bool lacks_route(const char *base)
{
	for (size_t i = 0; i < nno_route; i++)
		if (strcmp(no_route[i], base) == 0)
			return true;
	return false;
}

static void note_no_route(const char *base)
{
	if (lacks_route(base))
		return;
	no_route = xreallocarray(no_route, nno_route + 1, sizeof *no_route);
	no_route[nno_route++] = xstrdup(base);
}

/* The path of request r on node n as the node's frontend takes it ("/proxy2/..."), or NULL
 * when it goes alone. */
static char *batch_path(const struct cl_node *n, const struct hm_req *r)
{
	size_t bl = n->base ? strlen(n->base) : 0;

	if (bl == 0 || n->socket != NULL || r->upload_path != NULL ||
	    (r->method != NULL && !str_is_method(r->method)) ||
	    strncmp(n->url, n->base, bl) != 0 || strncmp(n->url + bl, "/proxy2/", 8) != 0 ||
	    lacks_route(n->base))
		return NULL;
	return xstrdup(r->url + bl);
}

/* One batch: the requests (indexes into the fan-out's) going to one frontend. */
struct batch {
	const char *base;
	size_t *idx;
	size_t n;
	char *body; /* the POST's JSON */
	char *url;
};

/* Adds request i to the open batch of base, or opens one. */
static void add_to(struct batch **bs, size_t *nb, const char *base, size_t i)
{
	struct batch *b = NULL;

	for (size_t k = *nb; k-- > 0;)
		if (strcmp((*bs)[k].base, base) == 0 && (*bs)[k].n < BATCH_MAX) {
			b = &(*bs)[k];
			break;
		}
	if (b == NULL) {
		*bs = xreallocarray(*bs, *nb + 1, sizeof **bs);
		b = &(*bs)[(*nb)++];
		*b = (struct batch){ .base = base, .idx = xcalloc(BATCH_MAX, sizeof(size_t)) };
	}
	b->idx[b->n++] = i;
}

/* The JSON of one request in a batch; NULL when its body is not text JSON can carry. */
static json_t *entry_json(const struct hm_req *r, const char *path)
{
	json_t *e = json_pack("{s:s, s:s}", "method", r->method ? r->method : "GET", "path", path);
	json_t *body = r->body != NULL && e != NULL ? json_stringn(r->body, r->body_len) : NULL;

	if (e == NULL || (r->body != NULL && body == NULL)) {
		json_decref(e);
		return NULL;
	}
	if (body != NULL) {
		json_object_set_new(e, "body", body);
		if (r->content_type != NULL)
			json_object_set_new(e, "content_type", json_string(r->content_type));
	}
	return e;
}

static void batch_free(struct batch *b)
{
	free(b->idx);
	free(b->body);
	free(b->url);
}

/* Makes b's POST; requests JSON cannot carry leave the batch (alone[i] set). */
static void make_body(struct batch *b, const struct hm_req *h, char **paths, bool *alone)
{
	json_t *reqs = json_array(), *doc;
	size_t kept = 0;
	long tmo = h[b->idx[0]].timeout_ms;

	for (size_t k = 0; k < b->n; k++) {
		json_t *e = entry_json(&h[b->idx[k]], paths[b->idx[k]]);

		if (e == NULL) {
			alone[b->idx[k]] = true;
			continue;
		}
		json_array_append_new(reqs, e);
		b->idx[kept++] = b->idx[k];
	}
	b->n = kept;
	/* the nodes' answers (or the frontend's 504s) come back before this POST times out */
	doc = json_pack("{s:o, s:I}", "requests", reqs, "timeout_ms",
			(json_int_t)(tmo > 10 ? tmo - tmo / 10 : tmo));
	b->body = json_to_text(doc);
	json_decref(doc);
	b->url = xasprintf("%s/api/fanout", b->base);
}

/* Groups the batchable requests by frontend; lone ones (and the rest) go alone. */
static struct batch *group(struct cl_node **nodes, const struct hm_req *h, size_t n,
			   char **paths, bool *alone, size_t *nb)
{
	struct batch *bs = NULL;
	size_t m = 0;

	*nb = 0;
	for (size_t i = 0; i < n; i++) {
		paths[i] = batch_path(nodes[i], &h[i]);
		alone[i] = paths[i] == NULL;
		if (!alone[i])
			add_to(&bs, nb, nodes[i]->base, i);
	}
	for (size_t k = 0; k < *nb; k++) {
		if (bs[k].n < 2) { /* nothing to save: as before */
			alone[bs[k].idx[0]] = true;
			free(bs[k].idx);
			continue;
		}
		make_body(&bs[k], h, paths, alone);
		if (bs[k].n > 0)
			bs[m++] = bs[k];
		else
			batch_free(&bs[k]);
	}
	*nb = m;
	return bs;
}

/* Answer a of a batch into r, as if its request had been sent alone; false for "retry".
 * A change whose answer was "cut" was made, its answer not kept: an error naming both. */
static bool take_answer(const json_t *a, struct hm_res *r)
{
	const json_t *body = json_object_get(a, "body");

	if (json_is_true(json_object_get(a, "retry")))
		return false;
	if (json_is_true(json_object_get(a, "cut"))) {
		r->err = HM_ERR_OTHER;
		r->status = (long)json_integer_value(json_object_get(a, "status"));
		r->error = xasprintf("HTTP %ld, the answer not shown: %s (sent once, not again)",
				     r->status, json_str_member(a, "detail", "not carried"));
		r->body = xstrdup("");
		return true;
	}
	if (!json_is_integer(json_object_get(a, "status")) || !json_is_string(body)) {
		r->err = HM_ERR_OTHER;
		r->error = xstrdup("bad answer from the frontend's /api/fanout");
		r->body = xstrdup("");
		return true;
	}
	r->status = (long)json_integer_value(json_object_get(a, "status"));
	r->len = json_string_length(body);
	r->body = xmalloc(r->len + 1);
	memcpy(r->body, json_string_value(body), r->len + 1);
	r->took_ms = (long)json_integer_value(json_object_get(a, "took_ms"));
	return true;
}

/* The batch's own answer br as each of its requests' (it failed as a whole). */
static void spread(const struct batch *b, const struct hm_res *br, struct hm_res *hr)
{
	for (size_t k = 0; k < b->n; k++) {
		struct hm_res *r = &hr[b->idx[k]];

		*r = (struct hm_res){ br->err, br->status, xstrdup(br->body), br->len,
				      br->error ? xstrdup(br->error) : NULL, br->took_ms };
	}
}

/* The answers of batch b (its POST answered br) into hr; requests to send alone (the
 * frontend lacks the route, or said "retry") get again[i] set. */
static void distribute(const struct batch *b, const struct hm_res *br, struct hm_res *hr,
		       bool *again)
{
	json_t *doc, *ans;
	long st = br->status;

	/* nothing was sent: the route is missing (remembered), or the frontend could not take
	 * this batch (unreadable, too large, too many in flight) */
	if (br->err == HM_OK && (st == 404 || st == 405 || st == 501 || st == 400 || st == 413 ||
				 st == 503)) {
		if (st == 404 || st == 405 || st == 501)
			note_no_route(b->base);
		for (size_t k = 0; k < b->n; k++)
			again[b->idx[k]] = true;
		return;
	}
	if (br->err != HM_OK || st < 200 || st > 299) {
		spread(b, br, hr);
		return;
	}
	doc = json_parse_lenient(br->body, br->len, NULL);
	ans = json_object_get(doc, "answers");
	if (json_array_size(ans) != b->n) {
		struct hm_res bad = { HM_ERR_OTHER, st, "", 0,
				      "bad answer from the frontend's /api/fanout", br->took_ms };

		spread(b, &bad, hr);
	} else {
		for (size_t k = 0; k < b->n; k++)
			if (!take_answer(json_array_get(ans, k), &hr[b->idx[k]]))
				again[b->idx[k]] = true;
	}
	json_decref(doc);
}

/* Sends the requests marked in which alone, all at once, into hr; spent_ms of their time
 * has gone already. */
static void run_alone(const struct hm_req *h, struct hm_res *hr, const bool *which, size_t n,
		      size_t parallel, long spent_ms)
{
	struct hm_req *q = xcalloc(n + 1, sizeof *q);
	struct hm_res *qr = xcalloc(n + 1, sizeof *qr);
	size_t *idx = xcalloc(n + 1, sizeof *idx), m = 0;

	for (size_t i = 0; i < n; i++)
		if (which[i]) {
			idx[m] = i;
			q[m] = h[i];
			q[m].timeout_ms = h[i].timeout_ms > spent_ms ? h[i].timeout_ms - spent_ms : 1;
			m++;
		}
	if (m > 0)
		hm_run(q, qr, m, parallel);
	for (size_t k = 0; k < m; k++)
		hr[idx[k]] = qr[k];
	free(q);
	free(qr);
	free(idx);
}

void batch_run(struct cl_node **nodes, const struct hm_req *h, struct hm_res *hr, size_t n,
	       size_t parallel)
{
	long start = now_ms();
	char **paths = xcalloc(n + 1, sizeof *paths);
	bool *alone = xcalloc(n + 1, sizeof *alone), *again = xcalloc(n + 1, sizeof *again);
	size_t nb, m;
	struct batch *bs = group(nodes, h, n, paths, alone, &nb);
	struct hm_req *q = xcalloc(nb + n + 1, sizeof *q);
	struct hm_res *qr = xcalloc(nb + n + 1, sizeof *qr);

	for (m = 0; m < nb; m++)
		q[m] = (struct hm_req){ .method = "POST", .url = bs[m].url, .body = bs[m].body,
					.body_len = strlen(bs[m].body),
					.timeout_ms = h[bs[m].idx[0]].timeout_ms };
	for (size_t i = 0; i < n; i++)
		if (alone[i])
			q[m++] = h[i];
	hm_run(q, qr, m, parallel);
	m = nb;
	for (size_t i = 0; i < n; i++)
		if (alone[i])
			hr[i] = qr[m++];
	for (size_t k = 0; k < nb; k++) {
		distribute(&bs[k], &qr[k], hr, again);
		hm_res_free(&qr[k]);
		batch_free(&bs[k]);
	}
	run_alone(h, hr, again, n, parallel, now_ms() - start); /* only when some need it */
	for (size_t i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
	free(alone);
	free(again);
	free(bs);
	free(q);
	free(qr);
}
