/* The server core's event loops (srv-loop.c): the limits over all loops, and a real server
 * with two loops on a loopback port whose handlers run their own descriptors on the loop of
 * the request, keep state on it (srv_loop_user) and are ended when the server stops. */
#include "config.h"
#include "srv-loop.h"
#include "raw-http.h"
#include "tap.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static enum MHD_Result admit(struct srv_loops *ls, const char *ip)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	struct sockaddr_un u = { .sun_family = AF_UNIX };

	if (ip == NULL)
		return loops_admit(ls, (struct sockaddr *)&u, sizeof(u));
	inet_pton(AF_INET, ip, &a.sin_addr);
	return loops_admit(ls, (struct sockaddr *)&a, sizeof(a));
}

static void test_limits(void)
{
	char *why = NULL;
	struct srv_loops *ls = loops_new(2, 3, 2, &why);

	ok(ls != NULL, "two loops made (not running)");
	is_int(loops_count(ls), 2, "loops_count");
	ok(admit(ls, "127.0.0.1") == MHD_YES, "a first connection is admitted");
	loops_opened(ls, "127.0.0.1");
	loops_opened(ls, "127.0.0.1");
	ok(admit(ls, "127.0.0.1") == MHD_NO, "an address at its limit is refused, over all loops");
	ok(admit(ls, "127.0.0.2") == MHD_YES, "another address is not");
	ok(admit(ls, NULL) == MHD_YES, "unix-socket clients are not counted per address");
	loops_opened(ls, "unix");
	ok(admit(ls, "127.0.0.2") == MHD_NO, "the total limit counts every connection");
	loops_closed(ls, "unix");
	loops_closed(ls, "127.0.0.1");
	ok(admit(ls, "127.0.0.1") == MHD_YES, "a closed connection frees its place");
	loops_closed(ls, "127.0.0.1");
	loops_stop(ls);
}

/* ---- a server with two loops ---- */

struct own_io {
	struct srv_loop_watch w;
	int fd[2];
	struct srv_loop *loop;
	pthread_t thread;
	struct srv_later *later;
};

/* The state the handlers keep on each loop: requests held until the server stops. */
struct held {
	struct srv_loop_user u;
	struct srv_later *hang[4];
	int nhang;
};

static atomic_int ticks, ends, hanging;
static const char held_key = 0;

static void on_pipe(struct srv_loop_watch *w, uint32_t events)
{
	struct own_io *io = (struct own_io *)w;
	struct srv_reply rp = { 0 };
	bool same = srv_loop_current() == io->loop && pthread_equal(pthread_self(), io->thread);
	char b, *body = strdup(same ? "same thread" : "another thread");

	(void)events;
	if (read(io->fd[0], &b, 1) != 1)
		abort();
	srv_reply_take(&rp, 200, NULL, body, strlen(body));
	close(io->fd[0]);
	close(io->fd[1]);
	srv_later_finish(io->later, &rp);
	free(io);
}

/* GET /own: answered from the handler's own descriptor on the request's loop. */
static void own_handler(struct srv_request *rq, struct srv_reply *rp)
{
	struct own_io *io = calloc(1, sizeof(*io));

	io->loop = srv_loop_current();
	io->thread = pthread_self();
	if (io->loop == NULL || pipe(io->fd) < 0) {
		srv_reply_detail(rp, 500, "not on a loop");
		free(io);
		return;
	}
	io->w.on_event = on_pipe;
	io->later = srv_later(rq);
	srv_loop_add(io->loop, io->fd[0], EPOLLIN, &io->w);
	if (write(io->fd[1], "x", 1) != 1)
		abort();
}

static int held_tick(struct srv_loop_user *u, bool stopping)
{
	struct held *h = (struct held *)u;

	atomic_fetch_add(&ticks, 1);
	while (stopping && h->nhang > 0) {
		struct srv_reply rp = { 0 };

		srv_reply_detail(&rp, 503, "stopping");
		srv_later_finish(h->hang[--h->nhang], &rp);
	}
	return -1;
}

static void held_end(struct srv_loop_user *u)
{
	atomic_fetch_add(&ends, 1);
	free(u);
}

/* GET /hang: held by the loop's user until the server stops. */
static void hang_handler(struct srv_request *rq, struct srv_reply *rp)
{
	struct srv_loop *l = srv_loop_current();
	struct held *h = (struct held *)srv_loop_find_user(l, &held_key);

	if (h == NULL) {
		h = calloc(1, sizeof(*h));
		h->u = (struct srv_loop_user){ .key = &held_key, .tick = held_tick, .end = held_end };
		srv_loop_attach(l, &h->u);
	}
	if (h->nhang == 4) {
		srv_reply_detail(rp, 503, "full");
		return;
	}
	h->hang[h->nhang++] = srv_later(rq);
	atomic_fetch_add(&hanging, 1);
}

static const struct srv_route routes[] = {
	{ "GET", "/own", own_handler, NULL, 0, 0, NULL },
	{ "GET", "/hang", hang_handler, NULL, 0, 0, NULL },
};

static int listen_port(int *fd)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);

	*fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (*fd < 0 || bind(*fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(*fd, 64) < 0 ||
	    getsockname(*fd, (struct sockaddr *)&a, &len) < 0)
		abort();
	return ntohs(a.sin_port);
}

static void *hang_client(void *arg)
{
	return raw_http(*(int *)arg, "GET", "/hang");
}

static void test_server(void)
{
	struct srv_config cfg;
	char *why = NULL, *out, *hung;
	int fd, port = listen_port(&fd);
	struct srv *s;
	pthread_t t;

	srv_config_init(&cfg, fd, NULL);
	cfg.loops = 2;
	cfg.own_routes = true;
	s = srv_start(&cfg, srv_table_of(routes, 2, false), &why);
	ok(s != NULL, "a server with two loops starts");
	ok(srv_loop_current() == NULL, "the main thread is no loop");
	for (int i = 0; i < 8; i++) { /* new connections: both loops get some */
		out = raw_http(port, "GET", "/own");
		ok(out != NULL && strstr(out, "200 OK") && strstr(out, "same thread"),
		   "the handler's descriptor is served on the request's own thread");
		free(out);
	}
	pthread_create(&t, NULL, hang_client, &port);
	while (atomic_load(&hanging) == 0)
		usleep(1000);
	ok(atomic_load(&ticks) > 0, "the loop's user has its tick");
	srv_stop(s);
	pthread_join(t, (void **)&hung);
	ok(hung != NULL && strstr(hung, "503") != NULL,
	   "stopping ends a request held on a loop (its user's tick said so)");
	free(hung);
	is_int(atomic_load(&ends), 1, "the user's end runs when its loop stops");
	close(fd);
}

int main(void)
{
	no_plan();
	test_limits();
	test_server();
	return done_testing();
}
