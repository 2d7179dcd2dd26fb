/*
 * The HTTP server core shared by the agent (inside liblmcagent), lmcache-frontend and
 * lmcache-discovery: libmicrohttpd on an already bound socket, one route table shape,
 * request capture, the HEAD rule, errors in one shape and the server limits.
 *
 * Errors the core makes itself are FastAPI's, as LMCache's servers are FastAPI apps:
 * application/json {"detail": "Not Found"} (404), {"detail": "Method Not Allowed"} with an
 * Allow header (405), and {"detail": "..."} for 413 and 403.
 *
 * Extension points, each in one place:
 *   - authorisation: srv_authorise() (srv-auth.c) runs before every handler with the
 *     route's required role (struct srv_route.role);
 *   - libmicrohttpd's daemon options: srv_daemon_options() (srv.c) assembles all of them
 *     from struct srv_config (TLS options go there).
 */
#ifndef LMC_SERVER_SRV_H
#define LMC_SERVER_SRV_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct MHD_Connection;

/* Who may call a route (tokens will map to roles; today every caller has all). */
enum srv_role {
	SRV_ROLE_DEFAULT = 0, /* viewer for GET and HEAD, operator for the rest */
	SRV_ROLE_VIEWER,
	SRV_ROLE_OPERATOR,
	SRV_ROLE_ADMIN,
	SRV_ROLE_AGENT, /* a node or plugin reporting to a daemon (heartbeats) */
};

enum srv_route_flag {
	SRV_NO_HEAD = 1 << 0,  /* a GET that changes state: HEAD is 405, not a GET */
	SRV_RESERVED = 1 << 1, /* a built-in path: srv_table_add refuses any other route on it */
	SRV_LITERAL = 1 << 2,  /* the pattern is an exact path: "{}" and "**" are plain text */
	SRV_OWN_DATA = 1 << 3, /* srv_table_free frees data */
};

#define SRV_MAX_CAPTURES 3

struct srv_seg {
	const char *p;
	size_t len;
};

struct srv_match {
	struct srv_seg cap[SRV_MAX_CAPTURES]; /* raw (still percent-encoded) segments */
	size_t ncap;
	const char *rest; /* after a trailing "**": "/..." with the query, or "" */
};

struct srv_route;
struct srv_auth; /* auth.h */

#define SRV_NAME_MAX 64 /* longest caller name */

/* Who sent a request, as srv_authorise found out. */
struct srv_caller {
	enum srv_role role;	/* SRV_ROLE_ADMIN when the daemon asks for no token */
	char name[SRV_NAME_MAX]; /* the token's name, "uid:N" (unix socket) or "anonymous" */
	char from[64];		/* the peer's address, or "unix" */
	bool by_token;		/* the role comes from a token */
};

/* What a handler sees; the strings live until the handler returns. */
struct srv_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *uri;  /* raw, as the client sent it (percent-encoded, with the query) */
	const char *path; /* percent-decoded path, no query */
	struct srv_match m;
	const char *body; /* NUL-terminated, "" when there is none */
	size_t body_len;
	void *ctx; /* struct srv_config.ctx */
	const struct srv_route *route;
	struct srv_caller caller; /* filled before the handler runs */
	void *core;		  /* the core's own state of the request (srv_later) */
};

struct srv_reply {
	unsigned int status; /* 0: the handler set nothing (the core answers 500) */
	char *content_type;  /* malloc'd; NULL: text/plain; charset=utf-8 */
	char *body;	     /* malloc'd, may be NULL */
	size_t len;
	void (*body_free)(void *body); /* how body is freed; NULL: free() */
	char **headers; /* malloc'd "Name: value" lines */
	size_t nheaders;
	char *allow; /* the Allow header of a 405 */
	/* Instead of body, a body produced while it is sent (libmicrohttpd's content reader):
	 * stream(cls, pos, buf, max) gives up to max bytes at pos, SRV_STREAM_END at the end,
	 * SRV_STREAM_ERROR to cut the connection; stream_free(cls) when the answer is done or
	 * dropped. stream_size is the length, or SRV_STREAM_UNKNOWN (chunked). */
	ssize_t (*stream)(void *cls, uint64_t pos, char *buf, size_t max);
	void (*stream_free)(void *cls);
	void *stream_cls;
	uint64_t stream_size;
};

#define SRV_STREAM_END ((ssize_t)-1)
#define SRV_STREAM_ERROR ((ssize_t)-2)
#define SRV_STREAM_UNKNOWN UINT64_MAX

typedef void (*srv_handler)(struct srv_request *rq, struct srv_reply *rp);

/* One route: the same shape in all three daemons. */
struct srv_route {
	const char *method; /* "GET", "POST", ...; NULL: any method */
	/* "/api/nodes/{}": "{}" is one non-empty segment (a capture), a final "**" segment matches
	 * any remainder (even none); other segments compare with the decoded path. */
	const char *pattern;
	srv_handler handler;
	void *data; /* for the handler (the daemon's endpoint descriptor) */
	unsigned int flags;
	enum srv_role role;
	/* A GET that changes state when this query argument is non-empty (LMCache's
	 * /loglevel?level=): then it needs operator at least and is audited. May be NULL. */
	const char *change_arg;
};

/* ---- srv-route.c: matching (pure) and the route table ---- */

/* Matches pattern against the path part of uri; lax: one trailing '/' is ignored. */
bool srv_path_match(const char *pattern, unsigned int flags, const char *uri, bool lax,
		    struct srv_match *m);
/* Index of the route for method and uri, or -1 with *status 404 (no route has the path)
 * or 405 (a route has the path, not the method). A GET route answers HEAD too. */
int srv_route_find(const struct srv_route *routes, size_t n, const char *method,
		   const char *uri, bool lax, struct srv_match *m, int *status);
/* The Allow header for uri ("GET, HEAD, POST"; "*" when a route takes any method). */
char *srv_route_allowed(const struct srv_route *routes, size_t n, const char *uri, bool lax);
/* Whether a route (method NULL: any; flags its flags) may join routes: 0, or -1 with
 * *cause. Only another SRV_RESERVED route may share the path of a SRV_RESERVED one. */
int srv_route_check_new(const struct srv_route *routes, size_t n, const char *method,
			const char *pattern, unsigned int flags, char **cause);
/* Percent-decodes len bytes; NULL when malformed or when it holds a NUL. */
char *srv_decode(const char *p, size_t len);

struct srv_table;
/* lax: one trailing '/' on a request path is ignored ("/conf/" is "/conf"). */
struct srv_table *srv_table_new(bool lax);
void srv_table_free(struct srv_table *t);
/* Adds a copy of r (method and pattern copied; data kept). 0, or -1 with *cause. */
int srv_table_add(struct srv_table *t, const struct srv_route *r, char **cause);
/* A table of the n routes (a daemon's const table); aborts on a conflict (a bug). */
struct srv_table *srv_table_of(const struct srv_route *routes, size_t n, bool lax);
/* Finds the route of rq (filling rq->m and rq->route from *copy) or fills rp with the
 * 404/405. Safe while other threads add routes. */
bool srv_table_lookup(struct srv_table *t, struct srv_request *rq, struct srv_route *copy,
		      struct srv_reply *rp);

/* ---- srv-reply.c ---- */
/* Sets the reply, taking body (malloc'd, len bytes, may be NULL when len is 0). */
void srv_reply_take(struct srv_reply *rp, unsigned int status, const char *content_type,
		    char *body, size_t len);
/* FastAPI's error shape: application/json {"detail": "<formatted>"}. */
void srv_reply_detail(struct srv_reply *rp, unsigned int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Adds a response header line "Name: value" (copied). */
void srv_reply_header(struct srv_reply *rp, const char *line);
void srv_reply_clear(struct srv_reply *rp);


/* ---- srv.c: answering later ---- */
struct srv_later;
/* Called by a handler that answers later, then returns leaving rp unset. In a thread pool
 * the connection is suspended (MHD_suspend_connection): it holds no server thread until
 * srv_later_finish; with a thread per connection its thread waits. The request's strings
 * (method, uri, path, body, headers and arguments through rq->conn) stay valid until then;
 * rq itself does not: copy what the work needs. Once per request. */
struct srv_later *srv_later(struct srv_request *rq);
/* From any thread, exactly once: sends rp (taken) as the answer and resumes the connection. */
void srv_later_finish(struct srv_later *l, struct srv_reply *rp);
/* Runs work(arg, rp) on a thread of its own (it inherits the server thread's blocked
 * signals) while rq's connection waits (srv_later); its rp is the answer. For handlers that
 * take seconds: at most SRV_LATER_THREADS at once; beyond, false with rp set to 503 (arg
 * is the caller's again). */
bool srv_later_run(struct srv_request *rq, struct srv_reply *rp,
		   void (*work)(void *arg, struct srv_reply *rp), void *arg);
#define SRV_LATER_THREADS 64
/* A handler's own suspension of its connection (an answer that streams and waits for
 * data), and its resumption from any thread (it also wakes the connection's loop). */
void srv_suspend(struct MHD_Connection *conn);
void srv_resume(struct MHD_Connection *conn);

/* ---- srv-loop.c: the core's own event loops (struct srv_config.loops) ---- */
/* A request's handler may run its own I/O on the loop that serves the request: descriptors
 * in the loop's epoll set, a callback per event, all on that one thread (no hand-over to
 * another thread and back). Everything here is for the loop's own thread, except
 * srv_loop_wake. */
struct srv_loop;
/* An epoll registration: data.ptr is the watch; on_event(w, events) runs on the loop. */
struct srv_loop_watch {
	void (*on_event)(struct srv_loop_watch *w, uint32_t events);
};
/* A piece of a daemon with state on a loop (one per key and loop), e.g. a connection pool. */
struct srv_loop_user {
	const void *key;
	/* After each round of events: the milliseconds until it wants the next call (-1: no
	 * time limit). stopping: the server stops; end the work in flight. */
	int (*tick)(struct srv_loop_user *u, bool stopping);
	/* The loop ends (its daemon stopped): free u. */
	void (*end)(struct srv_loop_user *u);
	struct srv_loop_user *next;
};
/* The loop running on this thread, or NULL (not a loop thread). */
struct srv_loop *srv_loop_current(void);
/* epoll_ctl on the loop's set (EPOLL_CTL_ADD, _MOD); closing fd removes it. 0, or -1. */
int srv_loop_add(struct srv_loop *l, int fd, uint32_t events, struct srv_loop_watch *w);
int srv_loop_mod(struct srv_loop *l, int fd, uint32_t events, struct srv_loop_watch *w);
/* The user of key on l, or NULL; srv_loop_attach adds one (l calls its end()). */
struct srv_loop_user *srv_loop_find_user(struct srv_loop *l, const void *key);
void srv_loop_attach(struct srv_loop *l, struct srv_loop_user *u);
/* From any thread: the loop runs its users' tick soon. */
void srv_loop_wake(struct srv_loop *l);

/* ---- srv-auth.c: the one authorisation hook ---- */
/* The role a route requires (its own, or the default for its method). */
enum srv_role srv_route_role(const struct srv_route *r, const char *method);
/* Called by the core before every handler: fills rq->caller; true lets the request
 * through; false means rp holds the refusal (401/403, FastAPI's shape). auth NULL or
 * without tokens: every caller is admin (loopback, as LMCache). */
bool srv_authorise(struct srv_request *rq, struct srv_auth *auth, enum srv_role need,
		   struct srv_reply *rp);
/* The role rq needs: its route's, operator when the route's change_arg is given. */
enum srv_role srv_request_role(const struct srv_request *rq);
/* Whether rq changes state (audited): not GET/HEAD, a route marked SRV_NO_HEAD, or its
 * change_arg given. */
bool srv_request_changes(const struct srv_request *rq);
/* The audit line of a finished request (malloc'd): who, role, from, method, path, status. */
char *srv_audit_line(const struct srv_request *rq, unsigned int status);
struct srv_config;
/* Whether the daemon may serve cfg->fd: a TCP socket beyond loopback needs a token file,
 * unless auth says insecure. 0, or -1 with *cause. srv_start checks it. */
int srv_check_exposure(const struct srv_config *cfg, char **cause);
/* Whether fd listens beyond loopback (the daemon then logs an --insecure start). */
bool srv_exposed(int fd);
/* The peer's address ("127.0.0.1", "::1"), or "unix". */
void srv_peer_address(struct MHD_Connection *conn, char *out, size_t n);
struct sockaddr;
/* The same of an address (NULL, or not IP: "unix"). */
void srv_address_text(const struct sockaddr *sa, char *out, size_t n);
/* The uid of the process at the other end of a loopback TCP connection (the kernel's
 * sock_diag), or of a unix socket's peer; -1 when it cannot be known. */
long srv_peer_uid(struct MHD_Connection *conn);

/* ---- srv.c: the daemon ---- */

/* The server's limits and hooks; srv_config_init() fills the defaults. */
struct srv_config {
	int fd;			      /* bound and listening (TCP or unix); the caller closes it */
	unsigned int threads;	      /* 0: a thread per connection; n: n epoll threads */
	/* n > 0: n event loops of the core's own instead (srv-loop.c; threads unused), each a
	 * libmicrohttpd daemon polled by the loop, on which handlers may run their own I/O. */
	unsigned int loops;
	unsigned int max_connections; /* at once */
	unsigned int max_per_ip;      /* connections at once from one address; 0: no limit */
	unsigned int timeout;	      /* seconds a connection may be idle */
	/* Seconds a client has to send a request's headers in full, from the connection's
	 * start (or, kept alive, within timeout + header_timeout of the last answer), and then
	 * its body in full: a slow or stalled sender (slowloris) is dropped, however often it
	 * sends a byte. The answer has only the idle timeout, so a slow healthy download goes
	 * on. 0: no limit. */
	unsigned int header_timeout;
	unsigned int body_timeout;
	size_t body_limit;	      /* a larger request body is refused with 413 */
	size_t memory_limit;	      /* per connection (headers and buffers); 0: MHD's */
	int unblocked_signal;	      /* the only signal the server's threads take (0: none) */
	/* libmicrohttpd's own error messages (NULL: not logged). */
	void (*log)(void *ctx, const char *fmt, va_list ap);
	/* After each request (refusals too), with its final status (counters, debug logs);
	 * uri is the raw one. May be NULL. */
	void (*on_reply)(void *ctx, const char *method, const char *uri, unsigned int status);
	/* After each changing request (srv_request_changes) and each refusal, with its audit
	 * line (srv_audit_line); the daemon logs and counts it. May be NULL. */
	void (*on_audit)(void *ctx, const char *line, unsigned int status);
	struct srv_auth *auth; /* tokens and TLS (auth.h); NULL: none. Not owned. */
	void *ctx; /* passed to handlers (rq->ctx) and to the hooks */
	bool own_routes; /* srv_stop frees the route table */
};

#define SRV_DEFAULT_THREADS 4
#define SRV_DEFAULT_MAX_CONNECTIONS 256
#define SRV_DEFAULT_TIMEOUT 30
#define SRV_DEFAULT_BODY_LIMIT (1024 * 1024)
#define SRV_DEFAULT_HEADER_TIMEOUT 10
#define SRV_DEFAULT_BODY_TIMEOUT 30
/* One client (one TCP address; unix-socket clients are not counted) holding connections
 * open, idle or half-sent, gets no more than this: it cannot take all max_connections (or,
 * with a thread per connection, all threads) from the others. Loopback clients share
 * 127.0.0.1, so it stays well above what one tool opens (a load generator, Prometheus);
 * the frontend, which clients fan out through, allows more. */
#define SRV_DEFAULT_MAX_PER_IP 64

void srv_config_init(struct srv_config *cfg, int fd, void *ctx);

/* --header-timeout and --body-timeout of the frontend and the registry (0: the default). */
struct srv_timeouts {
	unsigned int header, body;
};
enum { SRV_OPT_HEADER_TIMEOUT = 0x5100, SRV_OPT_BODY_TIMEOUT };
#define SRV_TIMEOUT_LONGOPTS                                                     \
	{ "header-timeout", required_argument, NULL, SRV_OPT_HEADER_TIMEOUT },  \
	{ "body-timeout", required_argument, NULL, SRV_OPT_BODY_TIMEOUT }
#define SRV_TIMEOUT_USAGE                                                                     \
	"  --header-timeout S           seconds a client has to send a request's headers\n"      \
	"                               (default 10)\n"                                          \
	"  --body-timeout S             then seconds to send its body (default 30)\n"
/* Takes getopt's c and optarg when c is one of SRV_TIMEOUT_LONGOPTS: 1, or -1 with *cause
 * for a bad value; 0 for any other c. */
int srv_timeout_option(struct srv_timeouts *t, int c, const char *v, char **cause);
/* Sets cfg's header and body timeouts from t (those given). */
void srv_config_timeouts(struct srv_config *cfg, const struct srv_timeouts *t);

struct srv;
/* Starts serving cfg->fd with routes (not owned; it must outlive the server). */
struct srv *srv_start(const struct srv_config *cfg, struct srv_table *routes, char **cause);
/* Stops accepting, finishes, frees; the listening socket stays open for the caller. */
void srv_stop(struct srv *s);

#endif
