/*
 * What the server pieces share: the request/response objects, the endpoint descriptors,
 * the route table and the stack capture. The server core (src/server/srv.h) runs the
 * daemon; endpoints see requests through lmca_request_* and a few helpers here.
 */
#ifndef LMC_AGENT_SERVER_H
#define LMC_AGENT_SERVER_H

#include "agent-internal.h"
#include "srv.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct MHD_Connection;

struct lmca_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	const char *body; /* NUL-terminated, "" when there is none */
	size_t body_len;
	struct srv_request *sr; /* the core's request, for respond_later */
};

struct lmca_response {
	int status;
	char *content_type; /* NULL: text/plain */
	char *body;
	size_t len;
};

/* A built-in endpoint: one descriptor per method and path. */
struct endpoint {
	const char *method;
	const char *path;
	void (*handle)(lmca_agent *agent, const lmca_request *req, lmca_response *res);
	enum srv_role role; /* who may call it (0: viewer for GET, operator otherwise) */
	const char *change_arg; /* a GET that changes state with this argument (srv.h) */
};

/* One file (ep-*.c) per family, each a NULL-path-terminated list of endpoints. */
struct endpoint_family {
	const char *name;
	const struct endpoint *endpoints;
};

/* ---- route.c ---- */
/* The route table of the built-in endpoints; the host adds its own (lmca_agent_add_route). */
struct srv_table *routes_new(void);

/* ---- request.c: helpers for endpoints ---- */
void response_clear(lmca_response *res);
void respond_text(lmca_response *res, int status, const char *text);
/* Takes ownership of the malloc'd text. */
void respond_owned(lmca_response *res, int status, const char *content_type, char *text);
/* Serialises v (indent > 0: pretty) as a response body; does not steal v. */
void respond_json(lmca_response *res, int status, const char *content_type, const json_t *v,
                  int indent);
/* Work that answers later (respond_later): fills res; frees job. */
typedef void (*later_work)(lmca_agent *agent, void *job, lmca_response *res);
/* The endpoint's last act, res left unset: work(agent, job, res) runs on a worker thread of
 * its own while the connection waits suspended (srv_later_run), so work that takes seconds
 * (/run_script, /profile) holds no server thread and the others keep answering. job holds
 * copies of what work needs of req. */
void respond_later(lmca_agent *agent, const lmca_request *req, lmca_response *res,
                   later_work work, void *job);
/* Hands res over to the core's reply (an unset status becomes the core's 500). */
void response_to_reply(lmca_response *res, struct srv_reply *out);
/* Parses len bytes of JSON text (any value): a new reference, or NULL with *cause. */
json_t *ep_parse_json(const char *text, size_t len, char **cause);
/* Splits a "names=a,b" style argument; NULL when the argument is absent or empty. */
char **request_list_arg(const lmca_request *req, const char *name);

/* ---- server.c ---- */
struct server *server_new(void);
/* Stops and frees the server object (from lmca_agent_free). */
void server_free(lmca_agent *agent);
/* The stack capture signal in use while the server runs (0: none). */
static inline int server_stack_signal(const lmca_agent *agent)
{
	return agent->stack_signal_active;
}

/* ---- stacks.c ---- */
struct thread_info {
	int tid;
	char name[64];
	char state[32];
	double cpu_time; /* seconds of user + system time */
	char **frames;   /* NULL-terminated symbolised frames, innermost first; NULL: none */
};
/* Installs the capture handler for signo (shared by all agents using it). */
int stacks_install(int signo, char **cause);
void stacks_uninstall(int signo);
/* The threads of the process whose name contains `name` (case-insensitive; NULL: any)
 * and whose id is `tid` (0: any), each with its stack (signo 0: no stacks). */
struct thread_info *stacks_collect(int signo, const char *name, int tid, size_t *count);
void stacks_free(struct thread_info *threads, size_t count);
/* The raw stack of thread tid, innermost first, up to max return addresses (the first is
 * the interrupted pc); 0 when it has none (signo 0, blocked, no answer in time). */
#define STACKS_MAX_FRAMES 64
int stacks_capture(int signo, int tid, void **out, int max);
/* The ids of this process's threads, ascending. */
int *stacks_list_tids(size_t *count);
/* Fills name, state and cpu_time of ti->tid from /proc. */
void stacks_read_task(struct thread_info *ti);

#endif
