#include "config.h"
#include "http-multi.h"
#include "buf.h"
#include "client-auth.h"
#include "xalloc.h"

#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define DEFAULT_TIMEOUT_MS 10000L
#define DEFAULT_PARALLEL 256
/* Idle connections a client keeps at most: one per node of a large cluster, but never more
 * than a quarter of the descriptors the process may open. */
#define MAX_KEPT 1024

struct hm_client {
	CURLM *multi;
	long kept;   /* CURLMOPT_MAXCONNECTS now */
	long opened; /* connections opened so far (CURLINFO_NUM_CONNECTS) */
};

struct batch {
	struct hm_client *c;
	struct xfer *x;
	hm_done_fn *done;
	void *arg;
};

struct xfer {
	CURL *easy;
	struct curl_slist *headers;
	struct curl_slist *connect_to; /* hm_socket_name's */
	curl_mime *mime;
	struct buf body;
	bool too_big;
	struct timespec start;
	struct hm_res *res;
};

static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void global_init(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Bodies up to this size are given their Content-Length at once: lmcache-top receives a
 * hundred 10-100 KB answers a round, each copied several times as it grew by doubling.
 * Larger ones grow as they arrive (a length is only a claim). */
#define PRESIZE_MAX (1u << 20)

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
	struct xfer *x = arg;
	curl_off_t claimed = -1;

	if (x->body.len + n * size > HM_MAX_BODY) {
		x->too_big = true;
		return 0; /* aborts the transfer */
	}
	if (x->body.cap == 0 &&
	    curl_easy_getinfo(x->easy, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &claimed) == CURLE_OK &&
	    claimed > 0 && claimed <= PRESIZE_MAX)
		buf_reserve(&x->body, (size_t)claimed);
	buf_append(&x->body, p, n * size);
	return n * size;
}

static void set_body(struct xfer *x, const struct hm_req *r)
{
	if (r->upload_path != NULL) {
		curl_mimepart *part;

		x->mime = curl_mime_init(x->easy);
		part = curl_mime_addpart(x->mime);
		curl_mime_name(part, r->upload_field ? r->upload_field : "file");
		curl_mime_filedata(part, r->upload_path);
		curl_easy_setopt(x->easy, CURLOPT_MIMEPOST, x->mime);
	} else if (r->body != NULL) {
		char *ct = xasprintf("Content-Type: %s",
				     r->content_type ? r->content_type : "application/json");

		x->headers = curl_slist_append(x->headers, ct);
		free(ct);
		curl_easy_setopt(x->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)r->body_len);
		curl_easy_setopt(x->easy, CURLOPT_COPYPOSTFIELDS, r->body);
	}
}

static void set_method(CURL *e, const struct hm_req *r)
{
	const char *m = r->method ? r->method : "GET";

	if (strcmp(m, "POST") == 0 && r->body == NULL && r->upload_path == NULL)
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, ""); /* an empty POST */
	else if (strcmp(m, "HEAD") == 0)
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	else if (strcmp(m, "GET") != 0 && strcmp(m, "POST") != 0)
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, m);
}

/* libcurl (7.88) files its kept connections by host and port, so those of every unix socket
 * share one list, "localhost:80", and finding one to reuse checks each of them (a poll
 * call): at 256 nodes a scrape made about 280,000 poll calls. A made-up connect-to name
 * per socket path gives each socket a list of its own; the Host header stays "localhost",
 * and libcurl still compares the socket paths, so names that collide cost speed only. */
struct curl_slist *hm_socket_name(void *easy, const char *socket_path)
{
	uint64_t h = UINT64_C(14695981039346656037); /* FNV-1a */
	struct curl_slist *l;
	char line[48];

	for (const unsigned char *p = (const unsigned char *)socket_path; *p; p++)
		h = (h ^ *p) * UINT64_C(1099511628211);
	snprintf(line, sizeof line, "::u%016" PRIx64 ".invalid:", h);
	l = curl_slist_append(NULL, line);
	curl_easy_setopt(easy, CURLOPT_CONNECT_TO, l);
	return l;
}

static void setup(struct xfer *x, const struct hm_req *r)
{
	long t = r->timeout_ms > 0 ? r->timeout_ms : DEFAULT_TIMEOUT_MS;

	x->easy = curl_easy_init();
	curl_easy_setopt(x->easy, CURLOPT_URL, r->url);
	curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
	curl_easy_setopt(x->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(x->easy, CURLOPT_TIMEOUT_MS, t);
	curl_easy_setopt(x->easy, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(x->easy, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(x->easy, CURLOPT_WRITEDATA, x);
	if (r->unix_socket != NULL) {
		curl_easy_setopt(x->easy, CURLOPT_UNIX_SOCKET_PATH, r->unix_socket);
		x->connect_to = hm_socket_name(x->easy, r->unix_socket);
	}
	curl_easy_setopt(x->easy, CURLOPT_RESOLVE, r->resolve);
	/* No "Expect: 100-continue" round trip: the agents answer at once. */
	x->headers = curl_slist_append(NULL, "Expect:");
	client_auth_apply(x->easy, &x->headers, r->token);
	set_body(x, r);
	curl_easy_setopt(x->easy, CURLOPT_HTTPHEADER, x->headers);
	set_method(x->easy, r);
	clock_gettime(CLOCK_MONOTONIC, &x->start);
}

static enum hm_err classify(CURL *e, CURLcode rc)
{
	long os_errno = 0;

	curl_easy_getinfo(e, CURLINFO_OS_ERRNO, &os_errno);
	if (rc == CURLE_COULDNT_CONNECT && (os_errno == EACCES || os_errno == EPERM))
		return HM_ERR_DENIED;
	switch (rc) {
	case CURLE_OK: return HM_OK;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY: return HM_ERR_CONNECT;
	case CURLE_OPERATION_TIMEDOUT: return HM_ERR_TIMEOUT;
	default: return HM_ERR_OTHER;
	}
}

static void finish(struct xfer *x, CURLcode rc)
{
	struct hm_res *res = x->res;

	res->took_ms = ms_since(&x->start);
	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &res->status);
	res->err = classify(x->easy, rc);
	if (x->too_big)
		res->error = xasprintf("response larger than %u bytes", HM_MAX_BODY);
	else if (rc != CURLE_OK)
		res->error = xstrdup(curl_easy_strerror(rc));
	if (x->too_big)
		res->err = HM_ERR_OTHER;
	res->len = x->body.len;
	res->body = buf_steal(&x->body);
	if (res->body == NULL)
		res->body = xstrdup("");
}

static void cleanup(struct xfer *x)
{
	curl_easy_cleanup(x->easy);
	curl_slist_free_all(x->headers);
	curl_slist_free_all(x->connect_to);
	curl_mime_free(x->mime);
	buf_free(&x->body);
}

static void drain(CURLM *m, const struct batch *b, size_t *active)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		struct xfer *x;
		long connects = 0;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&x);
		curl_easy_getinfo(msg->easy_handle, CURLINFO_NUM_CONNECTS, &connects);
		b->c->opened += connects;
		finish(x, msg->data.result);
		curl_multi_remove_handle(m, x->easy);
		cleanup(x);
		(*active)--;
		if (b->done != NULL)
			b->done((size_t)(x - b->x), x->res, b->arg);
	}
}

struct hm_client *hm_client_new(void)
{
	struct hm_client *c = xcalloc(1, sizeof *c);

	pthread_once(&init_once, global_init);
	c->multi = curl_multi_init();
	return c;
}

void hm_client_free(struct hm_client *c)
{
	if (c == NULL)
		return;
	curl_multi_cleanup(c->multi);
	free(c);
}

/* The most idle connections a client keeps: one per node of a large cluster, but never more
 * than a quarter of the descriptors the process may open. */
static size_t kept_cap(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur / 4 < MAX_KEPT)
		return rl.rlim_cur / 4;
	return MAX_KEPT;
}

/* libcurl's default cache holds 4 connections per handle still added, so it shrinks as a
 * batch drains and closes most of them. Sized instead for every connection the client has
 * opened and the n this batch may open: a caller that asks a registry, then its frontends,
 * then the nodes behind them (lmcache-top's refresh) finds each connection again the next
 * time, not only those of its largest batch. */
static void keep_connections(struct hm_client *c, size_t n, size_t cap)
{
	size_t need = (size_t)c->opened + n;
	long want = (long)(need > cap ? cap : need);

	if (want > c->kept) {
		c->kept = want;
		curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, want);
	}
}

/* ---- the order requests start in ---- */

struct keyed {
	const char *key; /* the server a connection goes to: a unix socket or scheme://host:port */
	size_t len;
	size_t i;
};

static struct keyed server_of(const struct hm_req *r, size_t i)
{
	const char *u = r->url, *auth = strstr(u, "://");
	size_t len;

	if (r->unix_socket != NULL)
		return (struct keyed){ r->unix_socket, strlen(r->unix_socket), i };
	len = auth != NULL ? (size_t)(auth + 3 - u) + strcspn(auth + 3, "/?#") : strlen(u);
	return (struct keyed){ u, len, i };
}

static int by_server(const void *a, const void *b)
{
	const struct keyed *x = a, *y = b;
	int d = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

	if (d == 0 && x->len != y->len)
		d = x->len < y->len ? -1 : 1;
	if (d == 0)
		d = x->i < y->i ? -1 : x->i > y->i;
	return d;
}

/* server[i]: the number of reqs[i]'s server, servers numbered in the order of their first
 * request. Returns how many servers there are. */
static size_t number_servers(const struct hm_req *reqs, size_t n, size_t *server)
{
	struct keyed *k = xcalloc(n ? n : 1, sizeof *k);
	size_t *head = xcalloc(n ? n : 1, sizeof *head); /* each request's server's first request */
	size_t ns = 0;

	for (size_t i = 0; i < n; i++)
		k[i] = server_of(&reqs[i], i);
	qsort(k, n, sizeof *k, by_server); /* a server's requests together, first one first */
	for (size_t j = 0; j < n; j++)
		head[k[j].i] = j > 0 && k[j].len == k[j - 1].len &&
				       memcmp(k[j].key, k[j - 1].key, k[j].len) == 0 ?
				       head[k[j - 1].i] : k[j].i;
	for (size_t i = 0; i < n; i++) /* a first request comes before the others of its server */
		server[i] = head[i] == i ? ns++ : server[head[i]];
	free(k);
	free(head);
	return ns;
}

/* How many requests to one server start together before the next server's turn. Nodes
 * come sorted by name, so behind frontends a batch holds one frontend's nodes, then the
 * next's: started in that order, max_parallel requests go to one frontend on as many
 * connections, which are then left idle while the other frontends are asked, and closed
 * once the cache is full (lmcctl over 4,096 nodes behind 64 frontends: 3,703 connects for
 * 4,096 requests). Taken in turns, each server's connections are reused turn after turn
 * as long as the cache holds them all (turn * servers <= kept), and a few servers still
 * get requests together (a frontend woken for each request alone spends more per request:
 * one at a time measured worse than 8 or 16). */
static size_t turn_size(size_t servers, size_t max_parallel, size_t kept)
{
	size_t turn = kept / (servers ? servers : 1);

	if (turn > max_parallel / 4)
		turn = max_parallel / 4;
	return turn < 1 ? 1 : turn;
}

/* by: the requests server after server, each server's in their own order; server s's are
 * by[begin[s]] up to by[begin[s + 1]] (begin: ns + 1 zeroes). */
static void bucket(const size_t *server, size_t n, size_t ns, size_t *by, size_t *begin)
{
	size_t *fill = xcalloc(ns + 1, sizeof *fill);

	for (size_t i = 0; i < n; i++)
		begin[server[i] + 1]++;
	for (size_t s = 0; s < ns; s++)
		begin[s + 1] += begin[s];
	memcpy(fill, begin, ns * sizeof *fill);
	for (size_t i = 0; i < n; i++)
		by[fill[server[i]]++] = i;
	free(fill);
}

size_t *hm_start_order(const struct hm_req *reqs, size_t n, size_t max_parallel, size_t kept)
{
	size_t *server = xcalloc(n ? n : 1, sizeof *server), *by = xcalloc(n ? n : 1, sizeof *by);
	size_t *order = xcalloc(n ? n : 1, sizeof *order), ns = number_servers(reqs, n, server);
	size_t *begin = xcalloc(ns + 1, sizeof *begin), *at = xcalloc(ns + 1, sizeof *at);
	size_t turn = turn_size(ns, max_parallel, kept), done = 0;

	bucket(server, n, ns, by, begin);
	memcpy(at, begin, ns * sizeof *at); /* at[s] walks server s's requests */
	while (done < n)
		for (size_t s = 0; s < ns; s++)
			for (size_t t = 0; t < turn && at[s] < begin[s + 1]; t++)
				order[done++] = by[at[s]++];
	free(server);
	free(by);
	free(begin);
	free(at);
	return order;
}

void hm_client_run(struct hm_client *c, const struct hm_req *reqs, struct hm_res *res,
		   size_t n, size_t max_parallel, hm_done_fn *done, void *arg)
{
	struct batch b = { c, xcalloc(n ? n : 1, sizeof *b.x), done, arg };
	size_t next = 0, active = 0, cap = kept_cap(), *order;
	int running;

	if (max_parallel == 0)
		max_parallel = DEFAULT_PARALLEL;
	keep_connections(c, n, cap);
	order = hm_start_order(reqs, n, max_parallel, cap);
	while (next < n || active > 0) {
		for (; next < n && active < max_parallel; next++, active++) {
			size_t i = order[next];

			b.x[i].res = &res[i];
			setup(&b.x[i], &reqs[i]);
			curl_multi_add_handle(c->multi, b.x[i].easy);
		}
		curl_multi_perform(c->multi, &running);
		drain(c->multi, &b, &active);
		if (active > 0)
			curl_multi_poll(c->multi, NULL, 0, 100, NULL);
	}
	free(order);
	free(b.x);
}

void hm_run(const struct hm_req *reqs, struct hm_res *res, size_t n, size_t max_parallel)
{
	struct hm_client *c = hm_client_new();

	hm_client_run(c, reqs, res, n, max_parallel, NULL, NULL);
	hm_client_free(c);
}

void hm_res_free(struct hm_res *r)
{
	free(r->body);
	free(r->error);
	*r = (struct hm_res){ 0 };
}
