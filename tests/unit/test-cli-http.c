/* The shared batch HTTP client (src/common/http-multi.h) against a real HTTP server
 * (libmicrohttpd, one thread per connection, on a free loopback port): many requests at
 * once, methods and bodies, multipart uploads, statuses, a slow answer that times out while
 * the others arrive, and a refused connection. A client (hm_client) keeps its connections
 * between batches: counted servers show no new connection on the second batch, over TCP and
 * over two unix sockets reached by the same URL. */
#include "config.h"
#include "http-multi.h"
#include "buf.h"
#include "tap.h"
#include "xalloc.h"

#include <microhttpd.h>
#include <stdbool.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct upload {
	struct buf body;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text), (void *)text,
								 MHD_RESPMEM_MUST_COPY);
	enum MHD_Result ret = MHD_queue_response(conn, status, r);

	MHD_destroy_response(r);
	return ret;
}

/* /echo: "<METHOD> <content-type> <body>"; /slow: after 1.5 s; /missing: 404. */
static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **state)
{
	struct upload *u = *state;
	const char *ct;
	char *text;
	enum MHD_Result ret;

	if (u == NULL) {
		*state = xcalloc(1, sizeof *u);
		return MHD_YES;
	}
	if (*size > 0) {
		buf_append(&u->body, data, *size);
		*size = 0;
		return MHD_YES;
	}
	if (strcmp(url, "/slow") == 0)
		usleep(1500 * 1000);
	if (strcmp(url, "/missing") == 0)
		return reply(conn, 404, "{\"detail\": \"Not Found\"}");
	ct = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Type");
	text = xasprintf("%s %s %s", method, ct ? ct : "-", buf_cstr(&u->body));
	ret = reply(conn, 200, text);
	free(text);
	return ret;
}

static void done(void *cls, struct MHD_Connection *c, void **state,
		 enum MHD_RequestTerminationCode code)
{
	struct upload *u = *state;

	if (u != NULL) {
		buf_free(&u->body);
		free(u);
	}
}

static struct MHD_Daemon *start(unsigned *port)
{
	struct MHD_Daemon *d = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0,
		NULL, NULL, handler, NULL, MHD_OPTION_NOTIFY_COMPLETED, done, NULL,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)1000, MHD_OPTION_END);

	*port = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port : 0;
	return d;
}

static void test_many(unsigned port)
{
	enum { N = 300 };
	struct hm_req reqs[N];
	struct hm_res res[N] = { 0 };
	char *url = xasprintf("http://127.0.0.1:%u/echo", port);
	int good = 0;

	for (int i = 0; i < N; i++)
		reqs[i] = (struct hm_req){ .url = url, .timeout_ms = 20000 };
	hm_run(reqs, res, N, 0);
	for (int i = 0; i < N; i++) {
		good += res[i].err == HM_OK && res[i].status == 200 && strcmp(res[i].body, "GET - ") == 0;
		hm_res_free(&res[i]);
	}
	is_int(good, N, "300 requests at once, every one answered");
	free(url);
}

static void test_methods(unsigned port)
{
	char *base = xasprintf("http://127.0.0.1:%u", port);
	char *echo = xasprintf("%s/echo", base), *missing = xasprintf("%s/missing", base);
	char file[] = "/tmp/test-cli-http-XXXXXX";
	int fd = mkstemp(file);
	struct hm_req reqs[4] = {
		{ .method = "POST", .url = echo, .body = "{\"a\":1}", .body_len = 7 },
		{ .method = "PUT", .url = echo, .body = "x=1", .body_len = 3, .content_type = "text/plain" },
		{ .method = "POST", .url = echo, .upload_path = file, .upload_field = "script" },
		{ .url = missing },
	};
	struct hm_res res[4] = { 0 };

	ok(write(fd, "print(1)\n", 9) == 9, "script file written");
	close(fd);
	hm_run(reqs, res, 4, 0);
	is_str(res[0].body, "POST application/json {\"a\":1}", "POST with a JSON body");
	is_str(res[1].body, "PUT text/plain x=1", "PUT with its content type");
	ok(strstr(res[2].body, "multipart/form-data") != NULL, "upload is multipart/form-data");
	ok(strstr(res[2].body, "name=\"script\"") && strstr(res[2].body, "print(1)"),
	   "in the named field, with the file's bytes");
	is_int(res[3].status, 404, "a 404 is a response, not an error");
	is_int(res[3].err, HM_OK, "err is HM_OK for any status");
	for (int i = 0; i < 4; i++)
		hm_res_free(&res[i]);
	unlink(file);
	free(base);
	free(echo);
	free(missing);
}

static void test_failures(unsigned port)
{
	char *slow = xasprintf("http://127.0.0.1:%u/slow", port);
	char *echo = xasprintf("http://127.0.0.1:%u/echo", port);
	struct hm_req reqs[3] = {
		{ .url = slow, .timeout_ms = 300 },
		{ .url = echo, .timeout_ms = 5000 },
		{ .url = "http://127.0.0.1:1/", .timeout_ms = 5000 },
	};
	struct hm_res res[3] = { 0 };

	hm_run(reqs, res, 3, 0);
	is_int(res[0].err, HM_ERR_TIMEOUT, "a slow answer times out");
	ok(res[0].error != NULL && res[0].body != NULL, "with a message, and a body to free");
	is_int(res[1].err, HM_OK, "the other request still answered");
	is_int(res[2].err, HM_ERR_CONNECT, "a refused connection");
	is_int(res[2].status, 0, "no status without a response");
	for (int i = 0; i < 3; i++)
		hm_res_free(&res[i]);
	free(slow);
	free(echo);
}

static void test_unix_socket(void)
{
	struct hm_req req = { .url = "http://localhost/x", .unix_socket = "/nonexistent/sock" };
	struct hm_res res = { 0 };

	hm_run(&req, &res, 1, 0);
	is_int(res.err, HM_ERR_CONNECT, "a missing unix socket cannot be connected to");
	hm_res_free(&res);
	hm_run(NULL, NULL, 0, 0);
	ok(1, "no request at all");
}

/* A server that answers every request with its name and counts the connections it accepts. */
struct counted {
	struct MHD_Daemon *d;
	const char *name;
	int accepted;
};

static enum MHD_Result name_handler(void *cls, struct MHD_Connection *conn, const char *url,
				    const char *method, const char *version, const char *data,
				    size_t *size, void **state)
{
	static int seen;

	if (*state == NULL) { /* answering on the first call would close the connection */
		*state = &seen;
		return MHD_YES;
	}
	return reply(conn, 200, ((struct counted *)cls)->name);
}

static void on_conn(void *cls, struct MHD_Connection *c, void **state,
		    enum MHD_ConnectionNotificationCode code)
{
	if (code == MHD_CONNECTION_NOTIFY_STARTED)
		__atomic_add_fetch(&((struct counted *)cls)->accepted, 1, __ATOMIC_SEQ_CST);
}

static int accepted(struct counted *s)
{
	return __atomic_load_n(&s->accepted, __ATOMIC_SEQ_CST);
}

/* On fd (a listening unix socket), or on a free loopback port when fd < 0. */
static bool counted_start(struct counted *s, const char *name, int fd, unsigned *port)
{
	s->name = name;
	s->accepted = 0;
	s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
					MHD_USE_POLL,
				0, NULL, NULL, name_handler, s, MHD_OPTION_NOTIFY_CONNECTION,
				on_conn, s, MHD_OPTION_LISTEN_SOCKET, fd < 0 ? MHD_INVALID_SOCKET : fd,
				MHD_OPTION_END);
	if (s->d != NULL && port != NULL)
		*port = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)->port;
	return s->d != NULL;
}

static int unix_listen(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof a.sun_path, "%s", path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 64) < 0) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

struct seen {
	int calls;
	bool filled[8];
};

static void on_done(size_t i, const struct hm_res *r, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	if (i < 8)
		s->filled[i] = r->status == 200 && r->body != NULL;
}

/* n requests; returns how many were answered with want[i % nwant]. */
static int batch(struct hm_client *c, struct hm_req *reqs, size_t n, const char *const *want,
		 size_t nwant, struct seen *seen)
{
	struct hm_res res[8] = { 0 };
	int good = 0;

	if (c != NULL)
		hm_client_run(c, reqs, res, n, 0, seen ? on_done : NULL, seen);
	else
		hm_run(reqs, res, n, 0);
	for (size_t i = 0; i < n; i++) {
		good += res[i].err == HM_OK && strcmp(res[i].body, want[i % nwant]) == 0;
		hm_res_free(&res[i]);
	}
	return good;
}

static void test_reuse_tcp(void)
{
	struct counted s;
	unsigned port = 0;
	struct hm_client *c = hm_client_new();
	struct hm_req reqs[8];
	const char *const want[] = { "tcp" };
	struct seen seen = { 0 };
	char *url;
	int first, all = 1;

	if (!ok(counted_start(&s, "tcp", -1, &port), "counted TCP server started"))
		return;
	url = xasprintf("http://127.0.0.1:%u/who", port);
	for (int i = 0; i < 8; i++)
		reqs[i] = (struct hm_req){ .url = url, .timeout_ms = 10000 };
	is_int(batch(c, reqs, 8, want, 1, &seen), 8, "client: first batch answered");
	is_int(seen.calls, 8, "done called once per request");
	for (int i = 0; i < 8; i++)
		all &= seen.filled[i];
	ok(all, "each with its result already filled in");
	first = accepted(&s);
	ok(first >= 1 && first <= 8, "first batch: at most one connection per request");
	is_int(batch(c, reqs, 8, want, 1, NULL), 8, "client: second batch answered");
	is_int(accepted(&s), first, "second batch reuses the connections: none accepted");
	is_int(batch(NULL, reqs, 2, want, 1, NULL), 2, "hm_run answered");
	ok(accepted(&s) > first, "hm_run (one-shot) connects anew");
	hm_client_free(c);
	MHD_stop_daemon(s.d);
	free(url);
}

/* Two servers behind the same URL, told apart only by the socket path. */
static void test_reuse_unix(void)
{
	char dir[] = "/tmp/test-cli-http-XXXXXX";
	struct counted a, b;
	struct hm_client *c = hm_client_new();
	const char *const want[] = { "A", "B" };
	struct hm_req reqs[4];
	char *pa, *pb;
	int na, nb;

	ok(mkdtemp(dir) != NULL, "temp dir");
	pa = xasprintf("%s/a.sock", dir);
	pb = xasprintf("%s/b.sock", dir);
	if (!ok(counted_start(&a, "A", unix_listen(pa), NULL) &&
			counted_start(&b, "B", unix_listen(pb), NULL),
		"two unix socket servers started"))
		return;
	for (int i = 0; i < 4; i++)
		reqs[i] = (struct hm_req){ .url = "http://localhost/who",
					   .unix_socket = i % 2 ? pb : pa, .timeout_ms = 10000 };
	is_int(batch(c, reqs, 4, want, 2, NULL), 4, "unix: each answer from its own socket");
	na = accepted(&a);
	nb = accepted(&b);
	ok(na >= 1 && nb >= 1, "both servers were connected to");
	is_int(batch(c, reqs, 4, want, 2, NULL), 4, "unix: second batch, still its own socket");
	/* Two requests a socket: the first batch may have needed one connection or two, as the
	 * answers came; without reuse the second would open two more. */
	ok(accepted(&a) - na < 2 && accepted(&b) - nb < 2,
	   "second batch reuses each socket's connections");
	hm_client_free(c);
	MHD_stop_daemon(a.d);
	MHD_stop_daemon(b.d);
	unlink(pa);
	unlink(pb);
	rmdir(dir);
	free(pa);
	free(pb);
}

/* hm_start_order's answer as "i i i ...". */
static void expect_order(const struct hm_req *reqs, size_t n, size_t par, size_t kept,
			 const char *want, const char *what)
{
	size_t *o = hm_start_order(reqs, n, par, kept);
	char got[64] = "";

	for (size_t i = 0; i < n && i < 20; i++)
		snprintf(got + strlen(got), sizeof got - strlen(got), "%s%zu", i ? " " : "", o[i]);
	is_str(got, want, what);
	free(o);
}

static void test_start_order(void)
{
	/* 0-3 to A (port 81: paths, a bare query), 4-6 to B (port 8), 7-8 to the socket S,
	 * server after server, as a listing sorted by name gives them. */
	const char *u[] = { "http://127.0.0.1:81/proxy2/a0/loglevel", "http://127.0.0.1:81/x",
			    "http://127.0.0.1:81?q", "http://127.0.0.1:81/proxy2/a3",
			    "http://127.0.0.1:8/b", "http://127.0.0.1:8/b?x", "http://127.0.0.1:8" };
	struct hm_req r[9];

	for (size_t i = 0; i < 9; i++)
		r[i] = (struct hm_req){ .url = i < 7 ? u[i] : "http://localhost/who",
					.unix_socket = i < 7 ? NULL : "/tmp/s.sock" };
	/* Turns of max_parallel / 4 = 2, the servers in the order of their first request; a
	 * server is its URL up to the path, query or fragment (":8" and ":81" are two). */
	expect_order(r, 9, 8, 1024, "0 1 4 5 7 8 2 3 6", "turns of 2: A, B, socket, then again");
	expect_order(r, 9, 8, 3, "0 4 7 1 5 8 2 6 3", "3 kept connections for 3 servers: turns of 1");
	expect_order(r, 9, 400, 1024, "0 1 2 3 4 5 6 7 8", "large turns: server after server");
	expect_order(r, 0, 8, 1024, "", "no request: an empty order");
}

/* Eight servers asked sixteen times each, server after server, sixteen requests at once:
 * started in that order, each server would get sixteen connections at once (128 in all);
 * taken in turns of four, a server's next turn finds its connections idle. */
static void test_turns_reuse(void)
{
	enum { NS = 8, PER = 16 };
	struct counted s[NS];
	struct hm_req reqs[NS * PER];
	struct hm_res res[NS * PER];
	char *url[NS];
	struct hm_client *c = hm_client_new();
	unsigned port;
	int good = 0, conns = 0;

	memset(res, 0, sizeof res);
	for (int i = 0; i < NS; i++) {
		if (!ok(counted_start(&s[i], "t", -1, &port), "turns: a counted server started"))
			return;
		url[i] = xasprintf("http://127.0.0.1:%u/who", port);
		for (int j = 0; j < PER; j++)
			reqs[i * PER + j] = (struct hm_req){ .url = url[i], .timeout_ms = 10000 };
	}
	hm_client_run(c, reqs, res, NS * PER, PER, NULL, NULL);
	for (int i = 0; i < NS * PER; i++) {
		good += res[i].err == HM_OK && res[i].status == 200;
		hm_res_free(&res[i]);
	}
	is_int(good, NS * PER, "turns: every request answered");
	for (int i = 0; i < NS; i++) {
		conns += accepted(&s[i]);
		MHD_stop_daemon(s[i].d);
		free(url[i]);
	}
	printf("# %d connections for %d requests\n", conns, NS * PER);
	ok(conns <= NS * PER / 2, "turns: connections reused (at most half as many as requests)");
	hm_client_free(c);
}

int main(void)
{
	unsigned port;
	struct MHD_Daemon *d = start(&port);

	no_plan();
	if (!ok(d != NULL && port > 0, "test server started"))
		return done_testing();
	test_many(port);
	test_methods(port);
	test_failures(port);
	test_unix_socket();
	MHD_stop_daemon(d);
	test_reuse_tcp();
	test_reuse_unix();
	test_start_order();
	test_turns_reuse();
	return done_testing();
}
