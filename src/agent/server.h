/*
 * What the server pieces share: the request/response objects, the endpoint descriptors,
 * the route table and the stack capture. Only server.c knows libmicrohttpd's daemon;
 * endpoints see requests through lmca_request_* and a few helpers here.
 */
#ifndef LMCA_SERVER_H
#define LMCA_SERVER_H

#include "agent-internal.h"
#include "route-match.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct MHD_Connection;

/* Largest request body accepted; a bigger one gets 413. */
#define SERVER_BODY_LIMIT (1024 * 1024)

struct lmca_request {
	struct MHD_Connection *conn;
	const char *method;
	const char *path;
	const char *body; /* NUL-terminated, "" when there is none */
	size_t body_len;
};

struct lmca_response {
	int status;
	char *content_type; /* NULL: text/plain */
	char *body;
	size_t len;
	char *allow; /* Allow header of a 405, or NULL */
};

/* A built-in endpoint: one descriptor per method and path. */
struct endpoint {
	const char *method;
	const char *path;
	void (*handle)(lmca_agent *agent, const lmca_request *req, lmca_response *res);
};

/* One file (ep-*.c) per family, each a NULL-path-terminated list of endpoints. */
struct endpoint_family {
	const char *name;
	const struct endpoint *endpoints;
};

/* ---- route.c ---- */
struct route_table;
struct route_table *route_table_new(void);
void route_table_free(struct route_table *rt);
/* Runs the handler of method and path, or fills res with the 404/405 error. */
void route_dispatch(lmca_agent *agent, const lmca_request *req, lmca_response *res);
void response_clear(lmca_response *res);

/* Helpers for endpoints. */
void respond_text(lmca_response *res, int status, const char *text);
/* Takes ownership of the malloc'd text. */
void respond_owned(lmca_response *res, int status, const char *content_type, char *text);
/* Serialises v (indent > 0: pretty) as a response body; does not steal v. */
void respond_json(lmca_response *res, int status, const char *content_type, const json_t *v,
                  int indent);
/* Parses len bytes of JSON text (any value): a new reference, or NULL with *cause. */
json_t *ep_parse_json(const char *text, size_t len, char **cause);
/* Splits a "names=a,b" style argument; NULL when the argument is absent or empty. */
char **request_list_arg(const lmca_request *req, const char *name);

/* ---- server.c ---- */
/* The agent's server object, created on first use (host routes can come before start). */
struct server *server_of(lmca_agent *agent);
struct route_table *route_table_of(lmca_agent *agent);
/* The stack capture signal in use while the server runs (0: none). */
int server_stack_signal(lmca_agent *agent);
/* Stops and frees the server object (from lmca_agent_free). */
void server_free(lmca_agent *agent);

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
