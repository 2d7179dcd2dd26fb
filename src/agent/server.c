/* The internal API server: a libmicrohttpd daemon on a pre-bound socket (listen.c): the
 * unix socket when a prefix is configured, else TCP. It dispatches to the route table
 * (route.c).
 *
 * Threading: an epoll thread pool. Idle, every thread sleeps in epoll_wait without a
 * timeout (no periodic wake-ups); keep-alive connections are served by the thread that
 * accepted them; a slow handler (/run_script) holds one pool thread, not the server. */
#include "config.h"
#include "server.h"
#include "listen.h"
#include "buf.h"
#include "xalloc.h"

#include <microhttpd.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SERVER_THREADS 4
#define SERVER_IDLE_TIMEOUT 30 /* seconds before an idle connection is closed */
#define SERVER_MAX_CONNECTIONS 256

struct server {
	pthread_mutex_t lock; /* start/stop */
	struct route_table *routes;
	bool running;
	struct unix_listener ul;
	int tcp_fd;
	int bound_port;
	struct MHD_Daemon *daemon;
	int stack_signal; /* installed for this agent, 0: none */
	lmca_logger *log;
};

/* Per-request state: the body read so far. */
struct req_state {
	struct buf body;
	bool too_big;
};

struct server *server_of(lmca_agent *agent)
{
	pthread_mutex_lock(&agent->lock);
	if (agent->server == NULL) {
		struct server *s = xcalloc(1, sizeof *s);

		pthread_mutex_init(&s->lock, NULL);
		s->routes = route_table_new();
		s->tcp_fd = -1;
		s->bound_port = -1;
		s->ul.fd = -1;
		agent->server = s;
	}
	pthread_mutex_unlock(&agent->lock);
	return agent->server;
}

struct route_table *route_table_of(lmca_agent *agent)
{
	return server_of(agent)->routes;
}

int lmca_agent_bound_port(const lmca_agent *agent)
{
	struct server *s = agent->server;
	int port;

	if (s == NULL)
		return -1;
	pthread_mutex_lock(&s->lock);
	port = s->running ? s->bound_port : -1;
	pthread_mutex_unlock(&s->lock);
	return port;
}

int server_stack_signal(lmca_agent *agent)
{
	struct server *s = agent->server;

	return s ? s->stack_signal : 0;
}

/* ---- one request ---- */

static enum MHD_Result queue(struct MHD_Connection *conn, lmca_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer_with_free_callback(res->len, res->body, free);
	res->body = NULL;
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	                        res->content_type ? res->content_type : "text/plain; charset=utf-8");
	if (res->allow != NULL)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
	ret = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	response_clear(res);
	return ret;
}

static enum MHD_Result queue_too_big(struct MHD_Connection *conn)
{
	lmca_response res = { 0 };
	char *msg = xasprintf("request body exceeds the limit of %d bytes", SERVER_BODY_LIMIT);

	lmca_respond_error(&res, 413, "Payload Too Large", msg);
	free(msg);
	return queue(conn, &res);
}

/* socket_context marker of a unix connection from another user (see on_connection). */
static char peer_refused;

/* The socket is 0600 already; the peer's uid is checked too, as tmux does, so a socket
 * made reachable by hand (or inherited) still serves only its owner and root. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	struct ucred cred;
	socklen_t len = sizeof cred;
	int domain = 0;
	socklen_t dlen = sizeof domain;

	(void)cls;
	if (toe != MHD_CONNECTION_NOTIFY_STARTED)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (ci == NULL || getsockopt(ci->connect_fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) < 0 ||
	    domain != AF_UNIX)
		return;
	if (getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 ||
	    (cred.uid != geteuid() && cred.uid != 0))
		*socket_context = &peer_refused;
}

static bool peer_is_refused(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci != NULL && ci->socket_context == &peer_refused;
}

static enum MHD_Result queue_forbidden(struct MHD_Connection *conn)
{
	lmca_response res = { 0 };

	lmca_respond_error(&res, 403, "Forbidden",
	                   "only the server's owner (or root) may use this socket");
	return queue(conn, &res);
}

static bool declared_too_big(struct MHD_Connection *conn)
{
	const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
	                                             MHD_HTTP_HEADER_CONTENT_LENGTH);

	return cl != NULL && strtoull(cl, NULL, 10) > SERVER_BODY_LIMIT;
}

static void take_upload(struct req_state *st, const char *data, size_t size)
{
	if (st->too_big)
		return;
	if (st->body.len + size > SERVER_BODY_LIMIT) {
		st->too_big = true;
		buf_free(&st->body);
		return;
	}
	buf_append(&st->body, data, size);
}

static enum MHD_Result dispatch(lmca_agent *agent, struct MHD_Connection *conn,
                                const char *url, const char *method, struct req_state *st)
{
	struct server *s = agent->server;
	lmca_request req = { conn, method, url, buf_cstr(&st->body), st->body.len };
	lmca_response res = { 0 };

	route_dispatch(agent, &req, &res);
	if (lmca_log_enabled(s->log, LMCA_LOG_DEBUG))
		lmca_log(s->log, LMCA_LOG_DEBUG, "%s %s -> %d", method, url, res.status);
	return queue(conn, &res);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct req_state *st = *con_cls;

	(void)version;
	if (st == NULL) {
		*con_cls = st = xcalloc(1, sizeof *st);
		if (peer_is_refused(conn))
			return queue_forbidden(conn);
		/* Refuse a declared oversized body before reading it. */
		return declared_too_big(conn) ? queue_too_big(conn) : MHD_YES;
	}
	if (*upload_size != 0) {
		take_upload(st, upload_data, *upload_size);
		*upload_size = 0;
		return MHD_YES;
	}
	if (st->too_big)
		return queue_too_big(conn);
	return dispatch(cls, conn, url, method, st);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	struct req_state *st = *con_cls;

	(void)cls, (void)conn, (void)toe;
	if (st != NULL) {
		buf_free(&st->body);
		free(st);
		*con_cls = NULL;
	}
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	lmca_vlog(cls, LMCA_LOG_WARNING, fmt, ap);
}

/* ---- start and stop ---- */

/* Starts the daemon with every signal but the stack signal blocked, so MHD's threads
 * inherit that mask and never run the host's handlers. */
static struct MHD_Daemon *start_daemon(lmca_agent *agent, int fd)
{
	struct server *s = agent->server;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC |
	                 MHD_USE_TURBO;
	sigset_t all, old;
	struct MHD_Daemon *d;

	sigfillset(&all);
	if (s->stack_signal != 0)
		sigdelset(&all, s->stack_signal);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, agent,
	                     MHD_OPTION_LISTEN_SOCKET, fd,
	                     MHD_OPTION_THREAD_POOL_SIZE, (unsigned)SERVER_THREADS,
	                     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)SERVER_IDLE_TIMEOUT,
	                     MHD_OPTION_CONNECTION_LIMIT, (unsigned)SERVER_MAX_CONNECTIONS,
	                     MHD_OPTION_NOTIFY_COMPLETED, on_completed, agent,
	                     MHD_OPTION_NOTIFY_CONNECTION, on_connection, agent,
	                     MHD_OPTION_EXTERNAL_LOGGER, mhd_log, s->log,
	                     MHD_OPTION_END);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return d;
}

/* internal_api_server_include_index_list: when set and non-empty, only listed indexes. */
static bool index_included(lmca_agent *agent)
{
	char *text = lmca_conf_get_json(agent, "internal_api_server_include_index_list");
	json_t *list = text ? ep_parse_json(text, strlen(text), NULL) : NULL;
	bool included = true;
	size_t i;
	json_t *v;

	if (json_is_array(list) && json_array_size(list) > 0) {
		included = false;
		json_array_foreach(list, i, v)
			if (json_is_integer(v) && json_integer_value(v) == lmca_agent_index(agent))
				included = true;
	}
	json_decref(list);
	free(text);
	return included;
}

static void install_stacks(lmca_agent *agent)
{
	struct server *s = agent->server;
	char *why = NULL;

	s->stack_signal = 0;
	if (agent->stack_signal == 0)
		return;
	if (stacks_install(agent->stack_signal, &why) < 0) {
		lmca_log(s->log, LMCA_LOG_WARNING, "stack capture disabled: %s", why);
		free(why);
		return;
	}
	s->stack_signal = agent->stack_signal;
}

/* Opens the listener: the unix socket when a prefix is configured (as LMCache does),
 * otherwise TCP on internal_api_server_host. Returns the descriptor or -1. */
static int open_listener(lmca_agent *agent, char **cause)
{
	struct server *s = agent->server;
	char *path = lmca_agent_socket_path(agent), *host;
	int fd;

	if (path != NULL) {
		fd = listen_unix(path, &s->ul, cause) < 0 ? -1 : s->ul.fd;
		free(path);
		return fd;
	}
	host = lmca_conf_get_string(agent, "internal_api_server_host", "127.0.0.1");
	fd = s->tcp_fd = listen_tcp(host, lmca_agent_port(agent), &s->bound_port, cause);
	free(host);
	return fd;
}

static void close_listener(struct server *s)
{
	if (s->ul.path != NULL || s->ul.fd >= 0)
		unlisten_unix(&s->ul);
	if (s->tcp_fd >= 0)
		close(s->tcp_fd);
	s->tcp_fd = -1;
	s->bound_port = -1;
}

static int start_locked(lmca_agent *agent, char **cause)
{
	struct server *s = agent->server;
	int fd;

	if (!lmca_conf_get_bool(agent, "internal_api_server_enabled", false)) {
		lmca_log(s->log, LMCA_LOG_INFO, "internal API server is disabled");
		return 0;
	}
	if (!index_included(agent)) {
		lmca_log(s->log, LMCA_LOG_INFO, "index %d is not in the include list: no server",
		         lmca_agent_index(agent));
		return 0;
	}
	if ((fd = open_listener(agent, cause)) < 0)
		return -1;
	install_stacks(agent);
	s->daemon = start_daemon(agent, fd);
	if (s->daemon == NULL) {
		*cause = xstrdup("cannot start the HTTP server (libmicrohttpd)");
		close_listener(s);
		if (s->stack_signal)
			stacks_uninstall(s->stack_signal);
		return -1;
	}
	s->running = true;
	if (s->ul.path != NULL)
		lmca_log(s->log, LMCA_LOG_INFO, "internal API server listening on %s", s->ul.path);
	else
		lmca_log(s->log, LMCA_LOG_INFO, "internal API server listening on TCP port %d",
		         s->bound_port);
	return 0;
}

int server_start(lmca_agent *agent, char **cause)
{
	struct server *s = server_of(agent);
	char *why = NULL;
	int rc = 0;

	if (s->log == NULL)
		s->log = lmca_logger_get(agent, "lmcache.internal_api_server");
	pthread_mutex_lock(&s->lock);
	if (!s->running)
		rc = start_locked(agent, &why);
	pthread_mutex_unlock(&s->lock);
	if (rc < 0) {
		if (cause)
			*cause = why;
		else
			free(why);
	}
	return rc;
}

void server_stop(lmca_agent *agent)
{
	struct server *s = agent->server;

	if (s == NULL)
		return;
	pthread_mutex_lock(&s->lock);
	if (s->running) {
		/* Quiesce first: MHD gives the listening socket back and we close it. */
		MHD_quiesce_daemon(s->daemon);
		MHD_stop_daemon(s->daemon);
		s->daemon = NULL;
		close_listener(s);
		if (s->stack_signal)
			stacks_uninstall(s->stack_signal);
		s->stack_signal = 0;
		s->running = false;
	}
	pthread_mutex_unlock(&s->lock);
}

void server_free(lmca_agent *agent)
{
	struct server *s = agent->server;

	if (s == NULL)
		return;
	server_stop(agent);
	route_table_free(s->routes);
	pthread_mutex_destroy(&s->lock);
	free(s);
	agent->server = NULL;
}
