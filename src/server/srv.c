/* The libmicrohttpd daemon: request capture, dispatch through the route table and the
 * authorisation hook, and the daemon's options assembled in one place.
 *
 * Threading (struct srv_config.threads): n > 0 is an epoll thread pool; idle, every
 * thread sleeps in epoll_wait and keep-alive connections stay with the thread that accepted
 * them. 0 is a thread per connection, for a daemon whose handlers block for long.
 * struct srv_config.loops > 0 runs the core's own event loops instead (srv-loop.c), a
 * daemon polled by each: a request answered later on a loop is counted by its loop and
 * taken again by that loop's thread (no lock, no condition variable). */
#include "config.h"
#include "srv.h"

#include <fcntl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth.h"
#include "buf.h"
#include "srv-loop.h"
#include "srv-watch.h"
#include "xalloc.h"

struct srv {
	struct srv_config cfg;
	struct srv_table *routes;
	struct MHD_Daemon *daemon;
	struct srv_watch *watch; /* header and body deadlines (srv-watch.c) */
	struct srv_loops *loops; /* cfg.loops > 0: the core's own loops, a daemon each */
	pthread_mutex_t mu; /* later, finished and pending */
	pthread_cond_t cond;
	unsigned int pending; /* requests answered later, not finished yet */
};

/* Per request, made by the URI log callback before the first access call. */
struct req_state {
	char *uri;
	struct buf body;
	bool started;
	bool too_big;
	struct srv_conn *conn; /* the connection's deadline */
	/* srv_later: the request and its route kept for the audit, the answer to send. */
	struct srv *s;
	struct srv_loop *loop; /* the loop serving the request (loops mode), or NULL */
	bool later, finished;
	struct srv_request rq;
	struct srv_route route;
	struct srv_reply reply;
};

void srv_config_init(struct srv_config *cfg, int fd, void *ctx)
{
	*cfg = (struct srv_config){
		.fd = fd,
		.threads = SRV_DEFAULT_THREADS,
		.max_connections = SRV_DEFAULT_MAX_CONNECTIONS,
		.max_per_ip = SRV_DEFAULT_MAX_PER_IP,
		.timeout = SRV_DEFAULT_TIMEOUT,
		.header_timeout = SRV_DEFAULT_HEADER_TIMEOUT,
		.body_timeout = SRV_DEFAULT_BODY_TIMEOUT,
		.body_limit = SRV_DEFAULT_BODY_LIMIT,
		.ctx = ctx,
	};
}

static void srv_log(struct srv *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void srv_log(struct srv *s, const char *fmt, ...)
{
	va_list ap;

	if (s->cfg.log == NULL)
		return;
	va_start(ap, fmt);
	s->cfg.log(s->cfg.ctx, fmt, ap);
	va_end(ap);
}

int srv_timeout_option(struct srv_timeouts *t, int c, const char *v, char **cause)
{
	unsigned int *dst = c == SRV_OPT_HEADER_TIMEOUT ? &t->header
			    : c == SRV_OPT_BODY_TIMEOUT ? &t->body
							: NULL;
	char *end;
	unsigned long n;

	if (dst == NULL)
		return 0;
	n = strtoul(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || n < 1 || n > 3600) {
		*cause = xasprintf("--%s: expected seconds from 1 to 3600, got '%s'",
				   c == SRV_OPT_HEADER_TIMEOUT ? "header-timeout" : "body-timeout", v);
		return -1;
	}
	*dst = (unsigned int)n;
	return 1;
}

void srv_config_timeouts(struct srv_config *cfg, const struct srv_timeouts *t)
{
	if (t->header > 0)
		cfg->header_timeout = t->header;
	if (t->body > 0)
		cfg->body_timeout = t->body;
}

/* ---- one request ---- */

static void add_header_line(struct MHD_Response *r, const char *line)
{
	const char *colon = strchr(line, ':');
	char *name;

	if (colon == NULL)
		return;
	name = xstrndup(line, (size_t)(colon - line));
	MHD_add_response_header(r, name, colon + 1 + strspn(colon + 1, " \t"));
	free(name);
}

/* Sends rp (and clears it), telling cfg.on_reply first. */
static enum MHD_Result queue(struct srv *s, struct MHD_Connection *conn, const char *method,
			     const char *uri, struct srv_reply *rp)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (s->cfg.on_reply != NULL)
		s->cfg.on_reply(s->cfg.ctx, method, uri, rp->status);
	if (rp->stream != NULL) /* libmicrohttpd frees stream_cls with the response */
		r = MHD_create_response_from_callback(
			rp->stream_size == SRV_STREAM_UNKNOWN ? MHD_SIZE_UNKNOWN : rp->stream_size,
			64 * 1024, rp->stream, rp->stream_cls,
			rp->stream_free);
	else if (rp->body != NULL)
		r = MHD_create_response_from_buffer_with_free_callback(
			rp->len, rp->body, rp->body_free ? rp->body_free : free);
	else
		r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	rp->body = NULL;
	rp->body_free = NULL;
	rp->stream_free = NULL;
	for (size_t i = 0; i < rp->nheaders; i++)
		add_header_line(r, rp->headers[i]);
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
				rp->content_type ? rp->content_type : "text/plain; charset=utf-8");
	if (rp->allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rp->allow);
	ret = MHD_queue_response(conn, rp->status, r);
	MHD_destroy_response(r);
	srv_reply_clear(rp);
	return ret;
}

static enum MHD_Result queue_refused(struct srv *s, struct MHD_Connection *conn,
				     const char *method, const struct req_state *st)
{
	struct srv_reply rp = { 0 };

	srv_reply_detail(&rp, 403, "only the server's owner (or root) may use this socket");
	return queue(s, conn, method, st->uri, &rp);
}

static enum MHD_Result queue_too_big(struct srv *s, struct MHD_Connection *conn,
				     const char *method, const struct req_state *st)
{
	struct srv_reply rp = { 0 };

	srv_reply_detail(&rp, 413, "Request body larger than %zu bytes", s->cfg.body_limit);
	return queue(s, conn, method, st->uri, &rp);
}

/* Finds the route (into *route, which rq->route points to until the audit is done), asks
 * srv_authorise, runs the handler. */
static void dispatch(struct srv *s, struct srv_request *rq, struct srv_route *route,
		     struct srv_reply *rp)
{
	if (!srv_table_lookup(s->routes, rq, route, rp))
		return;
	if (!srv_authorise(rq, s->cfg.auth, srv_request_role(rq), rp))
		return;
	route->handler(rq, rp);
	if (rp->status == 0 && !((struct req_state *)rq->core)->later)
		srv_reply_detail(rp, 500, "the handler set no response");
}

/* Changing requests and refusals go to cfg.on_audit, one line each. */
static void audit(struct srv *s, const struct srv_request *rq, unsigned int status)
{
	char *line;

	if (s->cfg.on_audit == NULL || rq->route == NULL ||
	    (!srv_request_changes(rq) && status != 401 && status != 403))
		return;
	line = srv_audit_line(rq, status);
	s->cfg.on_audit(s->cfg.ctx, line, status);
	free(line);
}

/* ---- answering later ---- */

static struct srv_conn *conn_of(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL ? ci->socket_context : NULL;
}

void srv_suspend(struct MHD_Connection *conn)
{
	MHD_suspend_connection(conn);
}

void srv_resume(struct MHD_Connection *conn)
{
	struct srv_conn *c = conn_of(conn);

	MHD_resume_connection(conn);
	if (c != NULL && c->loop != NULL)
		loop_resumed(c->loop);
}

struct srv_later *srv_later(struct srv_request *rq)
{
	struct req_state *st = rq->core;
	struct srv *s = st->s;

	st->later = true;
	st->route = *rq->route;
	st->rq = *rq;
	st->rq.route = &st->route;
	if (st->loop != NULL) {
		loop_later(st->loop, 1);
	} else {
		pthread_mutex_lock(&s->mu);
		s->pending++;
		pthread_mutex_unlock(&s->mu);
	}
	if (s->cfg.threads > 0 || st->loop != NULL) /* not with a thread per connection */
		MHD_suspend_connection(rq->conn);
	return (struct srv_later *)st;
}

/* On a loop the connection's own thread takes the answer once resumed: no lock, no wait
 * (libmicrohttpd's resume orders the writes before it). */
static void finish_on_loop(struct req_state *st)
{
	struct srv_loop *loop = st->loop;

	st->finished = true;
	MHD_resume_connection(st->rq.conn);
	loop_resumed(loop); /* st may be gone already */
	loop_later(loop, -1);
}

void srv_later_finish(struct srv_later *l, struct srv_reply *rp)
{
	struct req_state *st = (struct req_state *)l;
	struct srv *s = st->s;

	st->reply = *rp;
	*rp = (struct srv_reply){ 0 };
	if (st->reply.status == 0)
		srv_reply_detail(&st->reply, 500, "the handler set no response");
	if (st->loop != NULL) {
		finish_on_loop(st);
		return;
	}
	pthread_mutex_lock(&s->mu);
	st->finished = true;
	if (s->cfg.threads > 0)
		MHD_resume_connection(st->rq.conn);
	s->pending--;
	pthread_cond_broadcast(&s->cond);
	pthread_mutex_unlock(&s->mu); /* nothing of st or s is touched after this */
}

/* Threads of srv_later_run at once (all servers of the process). */
static atomic_uint later_threads;

struct later_run {
	void (*work)(void *arg, struct srv_reply *rp);
	void *arg;
	struct srv_later *later;
};

static void *later_main(void *p)
{
	struct later_run *r = p;
	struct srv_reply rp = { 0 };

	pthread_setname_np(pthread_self(), "srv-later");
	r->work(r->arg, &rp);
	atomic_fetch_sub(&later_threads, 1);
	srv_later_finish(r->later, &rp);
	free(r);
	return NULL;
}

bool srv_later_run(struct srv_request *rq, struct srv_reply *rp,
		   void (*work)(void *arg, struct srv_reply *rp), void *arg)
{
	struct later_run *r;
	pthread_attr_t attr;
	pthread_t t;

	if (atomic_fetch_add(&later_threads, 1) >= SRV_LATER_THREADS) {
		atomic_fetch_sub(&later_threads, 1);
		srv_reply_detail(rp, 503, "Too many slow requests at once; try again later");
		return false;
	}
	r = xmalloc(sizeof(*r));
	*r = (struct later_run){ work, arg, srv_later(rq) };
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&t, &attr, later_main, r) != 0)
		later_main(r); /* no thread to be had: the work runs here */
	pthread_attr_destroy(&attr);
	return true;
}

/* The answer of a request answered later, once finished (with a thread per connection, the
 * connection's thread waits for it here). */
static enum MHD_Result respond_later(struct srv *s, struct req_state *st)
{
	if (st->loop == NULL) {
		pthread_mutex_lock(&s->mu);
		while (!st->finished)
			pthread_cond_wait(&s->cond, &s->mu);
		pthread_mutex_unlock(&s->mu);
	}
	audit(s, &st->rq, st->reply.status);
	return queue(s, st->rq.conn, st->rq.method, st->uri, &st->reply);
}

static enum MHD_Result respond(struct srv *s, struct MHD_Connection *conn, const char *url,
			       const char *method, struct req_state *st)
{
	struct srv_request rq = { .conn = conn, .method = method, .uri = st->uri, .path = url,
				  .body = buf_cstr(&st->body), .body_len = st->body.len,
				  .ctx = s->cfg.ctx, .core = st };
	struct srv_reply rp = { 0 };
	struct srv_route route;

	if (st->later) /* resumed */
		return respond_later(s, st);
	dispatch(s, &rq, &route, &rp);
	if (st->later) /* suspended, unless with a thread per connection */
		return s->cfg.threads > 0 || st->loop != NULL ? MHD_YES : respond_later(s, st);
	audit(s, &rq, rp.status);
	return queue(s, conn, method, st->uri, &rp);
}

/* ---- capture: headers, body chunks, the end ---- */

/* A unix socket is 0600 already; the peer's uid is checked too, as tmux does, so a socket
 * made reachable by hand (or inherited) still serves only its owner and root. The uid is
 * kept for the connection's requests (srv-auth.c). */
static void peer_check(struct srv_conn *c, int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);
	int domain = 0;
	socklen_t dlen = sizeof(domain);

	c->uid = c->tcp_uid = -1;
	if (getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) < 0 || domain != AF_UNIX)
		return;
	c->refused = getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
		     (cred.uid != geteuid() && cred.uid != 0);
	if (!c->refused)
		c->uid = (long)cred.uid;
}

/* Each connection's socket_context is its struct srv_conn: its deadline (headers due from
 * the start) and whether its peer is refused. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct srv *s = cls;
	const union MHD_ConnectionInfo *ci;
	struct srv_conn *c;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		if (*socket_context != NULL && s->loops != NULL)
			loops_closed(s->loops, ((struct srv_conn *)*socket_context)->from);
		if (*socket_context != NULL)
			watch_remove(s->watch, *socket_context);
		*socket_context = NULL;
		return;
	}
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL)
		return;
	c = watch_add(s->watch, ci->connect_fd, s->cfg.header_timeout, "headers");
	c->loop = s->loops != NULL ? srv_loop_current() : NULL;
	peer_check(c, ci->connect_fd);
	srv_peer_address(conn, c->from, sizeof(c->from));
	if (s->loops != NULL)
		loops_opened(s->loops, c->from);
	*socket_context = c;
}


/* The next phase of conn's request is due within secs (0: none). */
static void conn_due(struct srv *s, struct srv_conn *c, unsigned int secs, const char *phase)
{
	if (c != NULL)
		watch_set(s->watch, c, secs, phase);
}

static void on_expired(void *ctx, const struct srv_conn *c)
{
	struct srv *s = ctx;

	srv_log(s, "closed a connection from %s: its request %s took more than %u s\n",
		c->from, c->phase, c->secs);
}

/* Whether a body follows the headers (a length above 0, or chunks). */
static bool has_body(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);

	return (cl != NULL && strtoull(cl, NULL, 10) > 0) ||
	       MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					   MHD_HTTP_HEADER_TRANSFER_ENCODING) != NULL;
}

static bool declared_too_big(struct srv *s, struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						     MHD_HTTP_HEADER_CONTENT_LENGTH);

	return cl != NULL && strtoull(cl, NULL, 10) > s->cfg.body_limit;
}

static void take_upload(struct srv *s, struct req_state *st, const char *data, size_t size)
{
	if (st->too_big)
		return;
	if (st->body.len + size > s->cfg.body_limit) {
		st->too_big = true; /* the rest is read and dropped, then 413 */
		buf_free(&st->body);
		return;
	}
	buf_append(&st->body, data, size);
}

/* libmicrohttpd calls this once for the headers, once per body chunk, once at the end. */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct srv *s = cls;
	struct req_state *st = *con_cls;

	(void)version;
	if (!st->started) {
		st->started = true;
		st->conn = conn_of(conn);
		conn_due(s, st->conn, has_body(conn) ? s->cfg.body_timeout : 0, "body");
		if (st->conn != NULL && st->conn->refused)
			return queue_refused(s, conn, method, st);
		/* Refuse a declared oversized body before reading it. */
		return declared_too_big(s, conn) ? queue_too_big(s, conn, method, st) : MHD_YES;
	}
	if (*upload_size != 0) {
		take_upload(s, st, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	conn_due(s, st->conn, 0, NULL); /* the request is in: the answer has the idle timeout */
	if (st->too_big)
		return queue_too_big(s, conn, method, st);
	return respond(s, conn, url, method, st);
}

/* The raw URI: percent-encoded captures and the query as the client sent them. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct req_state *st = xcalloc(1, sizeof(*st));

	(void)conn;
	st->s = cls;
	st->uri = xstrdup(uri);
	if (st->s->loops != NULL)
		st->loop = srv_loop_current();
	return st;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct srv *s = cls;
	struct req_state *st = *con_cls;

	(void)toe;
	/* Kept alive, the connection is idle until the next request, then sends its headers:
	 * both within the idle and the header timeout. */
	conn_due(s, conn_of(conn), s->cfg.header_timeout ? s->cfg.timeout + s->cfg.header_timeout : 0,
		 "headers");
	if (st == NULL)
		return;
	free(st->uri);
	buf_free(&st->body);
	srv_reply_clear(&st->reply);
	free(st);
	*con_cls = NULL;
}

static void on_log(void *cls, const char *fmt, va_list ap)
{
	struct srv *s = cls;

	s->cfg.log(s->cfg.ctx, fmt, ap);
}

/* ---- the daemon ---- */

static unsigned int daemon_flags(const struct srv_config *c)
{
	unsigned int f = c->loops > 0 ? MHD_USE_ITC : MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ITC;

	if (c->loops > 0) /* polled by the core's loop (srv-loop.c) */
		f |= MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
	else if (c->threads == 0)
		f |= MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL;
	else
		f |= MHD_USE_EPOLL | MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME;
	if (c->log != NULL)
		f |= MHD_USE_ERROR_LOG;
	if (srv_auth_tls_cert(c->auth) != NULL)
		f |= MHD_USE_TLS;
	return f;
}

#define OPT(o, v, p) ((struct MHD_OptionItem){ (o), (intptr_t)(v), (p) })

/* Every libmicrohttpd option of the daemon, from s->cfg. The one place to add options
 * (TLS certificates and priorities; header and body timeouts for slow clients). */
static size_t srv_daemon_options(struct srv *s, struct MHD_OptionItem *o)
{
	const struct srv_config *c = &s->cfg;
	size_t n = 0;

	if (c->log != NULL) /* first, or libmicrohttpd warns on stderr */
		o[n++] = OPT(MHD_OPTION_EXTERNAL_LOGGER, on_log, s);
	o[n++] = OPT(MHD_OPTION_LISTEN_SOCKET, c->fd, NULL);
	o[n++] = OPT(MHD_OPTION_CONNECTION_LIMIT, c->max_connections, NULL);
	o[n++] = OPT(MHD_OPTION_CONNECTION_TIMEOUT, c->timeout, NULL);
	if (c->threads > 1 && c->loops == 0)
		o[n++] = OPT(MHD_OPTION_THREAD_POOL_SIZE, c->threads, NULL);
	if (c->max_per_ip > 0 && c->loops == 0) /* the loops count over all daemons */
		o[n++] = OPT(MHD_OPTION_PER_IP_CONNECTION_LIMIT, c->max_per_ip, NULL);
	if (c->memory_limit > 0)
		o[n++] = OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, c->memory_limit, NULL);
	o[n++] = OPT(MHD_OPTION_URI_LOG_CALLBACK, on_uri, s);
	o[n++] = OPT(MHD_OPTION_NOTIFY_COMPLETED, on_completed, s);
	o[n++] = OPT(MHD_OPTION_NOTIFY_CONNECTION, on_connection, s);
	if (srv_auth_tls_cert(c->auth) != NULL) { /* PEM text, kept by c->auth */
		o[n++] = OPT(MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)srv_auth_tls_cert(c->auth));
		o[n++] = OPT(MHD_OPTION_HTTPS_MEM_KEY, 0, (void *)srv_auth_tls_key(c->auth));
	}
	if (srv_auth_tls_client_ca(c->auth) != NULL)
		o[n++] = OPT(MHD_OPTION_HTTPS_MEM_TRUST, 0,
			     (void *)srv_auth_tls_client_ca(c->auth));
	o[n++] = OPT(MHD_OPTION_END, 0, NULL);
	return n;
}

static void srv_free(struct srv *s)
{
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cond);
	free(s);
}

/* After the daemons: the watchdog, the routes, the server. */
static void srv_stop_free(struct srv *s)
{
	watch_stop(s->watch);
	if (s->cfg.own_routes)
		srv_table_free(s->routes);
	srv_free(s);
}

static struct MHD_Daemon *daemon_start(struct srv *s, struct MHD_OptionItem *opts,
				       MHD_AcceptPolicyCallback apc, void *apc_cls)
{
	return MHD_start_daemon(daemon_flags(&s->cfg), 0, apc, apc_cls, on_request, s,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
}

/* The loops mode: a daemon per loop on the shared listening socket, then the loops. */
static int loops_start(struct srv *s, struct MHD_OptionItem *opts, char **cause)
{
	if ((s->loops = loops_new(s->cfg.loops, s->cfg.max_connections, s->cfg.max_per_ip,
				  cause)) == NULL)
		return -2;
	for (unsigned int i = 0; i < loops_count(s->loops); i++) {
		struct MHD_Daemon *d = daemon_start(s, opts, loops_admit, s->loops);

		if (d == NULL || loop_set_daemon(loops_get(s->loops, i), d) < 0) {
			if (d != NULL)
				MHD_stop_daemon(d);
			loops_stop(s->loops);
			s->loops = NULL;
			return -1;
		}
	}
	if (loops_run(s->loops, cause) == 0)
		return 0;
	loops_stop(s->loops);
	s->loops = NULL;
	return -2;
}

/* 0; -1 when libmicrohttpd refused; -2 with *cause. */
static int daemons_start(struct srv *s, struct MHD_OptionItem *opts, char **cause)
{
	if (s->cfg.loops > 0)
		return loops_start(s, opts, cause);
	s->daemon = daemon_start(s, opts, NULL, NULL);
	return s->daemon != NULL ? 0 : -1;
}

/* Starts the daemon with every signal but cfg.unblocked_signal blocked, so its threads
 * inherit that mask and never run the host's handlers. */
struct srv *srv_start(const struct srv_config *cfg, struct srv_table *routes, char **cause)
{
	struct srv *s = xcalloc(1, sizeof(*s));
	struct MHD_OptionItem opts[32]; /* srv_daemon_options() fills at most 14 today */
	sigset_t all, old;
	int started;

	if (srv_check_exposure(cfg, cause) < 0) {
		if (cfg->own_routes)
			srv_table_free(routes);
		free(s);
		return NULL;
	}
	s->cfg = *cfg;
	s->routes = routes;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cond, NULL);
	srv_daemon_options(s, opts);
	if (cfg->threads > 0 || cfg->loops > 0) /* an epoll pool must not block in accept */
		fcntl(cfg->fd, F_SETFL, fcntl(cfg->fd, F_GETFL) | O_NONBLOCK);
	sigfillset(&all);
	if (cfg->unblocked_signal != 0)
		sigdelset(&all, cfg->unblocked_signal);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	s->watch = watch_start(on_expired, s);
	started = daemons_start(s, opts, cause);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (started < 0) {
		if (started == -1)
			*cause = xstrdup(cfg->auth && srv_auth_tls_cert(cfg->auth)
					 ? "cannot start the HTTPS server (libmicrohttpd: is the "
					   "certificate and key a pair, in PEM?)"
					 : "cannot start the HTTP server (libmicrohttpd)");
		srv_stop_free(s);
		return NULL;
	}
	return s;
}


void srv_stop(struct srv *s)
{
	if (s == NULL)
		return;
	if (s->loops != NULL) { /* each loop waits for its own requests answered later */
		loops_stop(s->loops);
		srv_stop_free(s);
		return;
	}
	/* Quiesce first: MHD gives the listening socket back, the caller closes it. */
	MHD_quiesce_daemon(s->daemon);
	/* libmicrohttpd must not stop with a connection suspended: the work of requests
	 * answered later finishes first, as a handler's thread would have. */
	pthread_mutex_lock(&s->mu);
	while (s->pending > 0)
		pthread_cond_wait(&s->cond, &s->mu);
	pthread_mutex_unlock(&s->mu);
	MHD_stop_daemon(s->daemon);
	srv_stop_free(s);
}
