/* The internal API server: the server core (srv.h) on a pre-bound socket (listen.c), the
 * unix socket when a prefix is configured, else TCP, serving the agent's route table
 * (route.c). This file only opens, starts and stops; it knows no route.
 *
 * Threading: an epoll thread pool. Idle, every thread sleeps in epoll_wait without a
 * timeout (no periodic wake-ups); keep-alive connections are served by the thread that
 * accepted them; a slow endpoint (/run_script, /profile) runs on a worker thread of its own
 * while its connection waits suspended (route.c), holding no pool thread. */
#include "config.h"
#include "server.h"
#include "listen.h"
#include "auth.h"
#include "srv.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct server {
	pthread_mutex_t lock; /* start/stop */
	bool running;
	struct unix_listener ul;
	int tcp_fd;
	int bound_port;
	struct srv *srv;
	struct srv_auth *auth; /* internal_api_server_token_file, _tls_* */
	lmca_logger *log;
};

struct server *server_new(void)
{
	struct server *s = xcalloc(1, sizeof *s);

	pthread_mutex_init(&s->lock, NULL);
	s->tcp_fd = -1;
	s->bound_port = -1;
	s->ul.fd = -1;
	return s;
}

int lmca_agent_bound_port(const lmca_agent *agent)
{
	struct server *s = agent->server;
	int port;

	pthread_mutex_lock(&s->lock);
	port = s->running ? s->bound_port : -1;
	pthread_mutex_unlock(&s->lock);
	return port;
}

/* ---- the core's hooks ---- */

static void on_reply(void *ctx, const char *method, const char *uri, unsigned int status)
{
	lmca_agent *agent = ctx;
	lmca_logger *log = agent->server->log;

	if (lmca_log_enabled(log, LMCA_LOG_DEBUG))
		lmca_log(log, LMCA_LOG_DEBUG, "%s %s -> %u", method, uri, status);
}

static void on_mhd_log(void *ctx, const char *fmt, va_list ap)
{
	lmca_agent *agent = ctx;

	lmca_vlog(agent->server->log, LMCA_LOG_WARNING, fmt, ap);
}

/* ---- start and stop ---- */

/* internal_api_server_include_index_list: when set and non-empty, only listed indexes. */
static bool index_included(lmca_agent *agent)
{
	json_t *list = conf_get(agent, "internal_api_server_include_index_list");
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
	return included;
}

static void install_stacks(lmca_agent *agent)
{
	struct server *s = agent->server;
	char *why = NULL;

	agent->stack_signal_active = 0;
	if (agent->stack_signal == 0)
		return;
	if (stacks_install(agent->stack_signal, &why) < 0) {
		lmca_log(s->log, LMCA_LOG_WARNING, "stack capture disabled: %s", why);
		free(why);
		return;
	}
	agent->stack_signal_active = agent->stack_signal;
}

static void uninstall_stacks(lmca_agent *agent)
{
	if (agent->stack_signal_active)
		stacks_uninstall(agent->stack_signal_active);
	agent->stack_signal_active = 0;
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

static void on_audit(void *ctx, const char *line, unsigned int status)
{
	lmca_agent *agent = ctx;

	static const char *const labels[] = { "result", NULL };
	const char *result[] = { status == 401 || status == 403 ? "refused"
				 : status < 400			 ? "ok"
								 : "failed",
				 NULL };

	lmca_metric_inc(lmca_counter(agent, "lmcache_internal_api_audited_requests_total",
				     "Changing requests and refusals, each also logged as an "
				     "audit line (logger lmcache.audit).", labels),
			result, 1);
	/* Its own logger, at WARNING so that LMCache's default level shows it; an operator
	 * silences it with /loglevel?logger_name=lmcache.audit&level=ERROR. */
	lmca_log(lmca_logger_get(agent, "lmcache.audit"), LMCA_LOG_WARNING, "%s", line);
}

/* Tokens and TLS from the configuration (lmcache-security(7)). A library takes no SIGHUP:
 * the token file is re-read when it changes. */
static struct srv_auth *open_auth(lmca_agent *agent, char **cause)
{
	char *k[4] = {
		lmca_conf_get_string(agent, "internal_api_server_token_file", NULL),
		lmca_conf_get_string(agent, "internal_api_server_tls_cert", NULL),
		lmca_conf_get_string(agent, "internal_api_server_tls_key", NULL),
		lmca_conf_get_string(agent, "internal_api_server_tls_client_ca", NULL),
	};
	struct srv_auth_options o = {
		k[0], lmca_conf_get_bool(agent, "internal_api_server_insecure", false), k[1], k[2],
		k[3], true
	};
	struct srv_auth *a = srv_auth_new(&o, cause);

	for (size_t i = 0; i < 4; i++)
		free(k[i]);
	return a;
}

/* An integer key within lo..hi (dflt otherwise): internal_api_server_threads, the timeouts. */
static unsigned int conf_uint(lmca_agent *agent, const char *key, unsigned int dflt,
			      unsigned int lo, unsigned int hi)
{
	long long n = lmca_conf_get_int(agent, key, dflt);

	return n >= lo && n <= hi ? (unsigned int)n : dflt;
}

/* The server's settings: the core's defaults are the agent's. */
static struct srv *start_core(lmca_agent *agent, int fd, char **cause)
{
	struct server *s = agent->server;
	struct srv_config cfg;

	if ((s->auth = open_auth(agent, cause)) == NULL)
		return NULL;
	srv_config_init(&cfg, fd, agent);
	cfg.threads = conf_uint(agent, "internal_api_server_threads", SRV_DEFAULT_THREADS, 1, 64);
	cfg.header_timeout = conf_uint(agent, "internal_api_server_header_timeout",
				       SRV_DEFAULT_HEADER_TIMEOUT, 1, 3600);
	cfg.body_timeout = conf_uint(agent, "internal_api_server_body_timeout",
				     SRV_DEFAULT_BODY_TIMEOUT, 1, 3600);
	cfg.unblocked_signal = agent->stack_signal_active;
	cfg.log = on_mhd_log;
	cfg.on_reply = on_reply;
	cfg.on_audit = on_audit;
	cfg.auth = s->auth;
	if (srv_exposed(fd) && !srv_auth_has_tokens(s->auth) && srv_auth_insecure(s->auth))
		lmca_log(s->log, LMCA_LOG_WARNING, "%s", SRV_INSECURE_WARNING);
	return srv_start(&cfg, agent->routes, cause);
}

static bool wanted(lmca_agent *agent)
{
	struct server *s = agent->server;

	if (!lmca_conf_get_bool(agent, "internal_api_server_enabled", false)) {
		lmca_log(s->log, LMCA_LOG_INFO, "internal API server is disabled");
		return false;
	}
	if (!index_included(agent)) {
		lmca_log(s->log, LMCA_LOG_INFO, "index %d is not in the include list: no server",
		         lmca_agent_index(agent));
		return false;
	}
	return true;
}

static int start_locked(lmca_agent *agent, char **cause)
{
	struct server *s = agent->server;
	int fd;

	if (!wanted(agent))
		return 0;
	if ((fd = open_listener(agent, cause)) < 0)
		return -1;
	install_stacks(agent);
	if ((s->srv = start_core(agent, fd, cause)) == NULL) {
		srv_auth_free(s->auth);
		s->auth = NULL;
		close_listener(s);
		uninstall_stacks(agent);
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
	struct server *s = agent->server;
	char *why = NULL;
	int rc = 0;

	if (s->log == NULL)
		s->log = lmca_logger_get(agent, "lmcache.internal_api_server");
	/* The audit logger exists before the first change, so that setting the levels of
	 * every lmcache.* logger covers it too. */
	lmca_logger_get(agent, "lmcache.audit");
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

	pthread_mutex_lock(&s->lock);
	if (s->running) {
		srv_stop(s->srv);
		s->srv = NULL;
		srv_auth_free(s->auth);
		s->auth = NULL;
		close_listener(s);
		uninstall_stacks(agent);
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
	pthread_mutex_destroy(&s->lock);
	free(s);
	agent->server = NULL;
}
