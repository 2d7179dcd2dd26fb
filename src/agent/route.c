/* The agent's route table on the server core (srv.h): built-in endpoints (one family per
 * ep-*.c) and the host's routes, and the adapters that run them. Endpoints read requests
 * and fill responses with request.c. */
#include "config.h"
#include "server.h"
#include "srv.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The built-in endpoint families. Adding one is one ep-<name>.c file defining
 * `const struct endpoint_family ep_<name>` plus one line here. */
#define ENDPOINT_FAMILIES(X) \
	X(metrics)           \
	X(threads)           \
	X(loglevel)          \
	X(conf)              \
	X(meta)              \
	X(version)           \
	X(env)               \
	X(run_script)        \
	X(health)            \
	X(plugins)           \
	X(profile)

#define DECLARE_FAMILY(name) extern const struct endpoint_family ep_##name;
ENDPOINT_FAMILIES(DECLARE_FAMILY)
#define LIST_FAMILY(name) &ep_##name,
static const struct endpoint_family *const families[] = { ENDPOINT_FAMILIES(LIST_FAMILY) };

struct host_route {
	lmca_handler fn;
	void *arg;
};

static lmca_request request_of(struct srv_request *sr)
{
	return (lmca_request){ sr->conn, sr->method, sr->path, sr->body, sr->body_len, sr };
}

static void run_builtin(struct srv_request *sr, struct srv_reply *out)
{
	const struct endpoint *ep = sr->route->data;
	lmca_request req = request_of(sr);
	lmca_response res = { 0 };

	ep->handle(sr->ctx, &req, &res);
	response_to_reply(&res, out);
}

static void run_host(struct srv_request *sr, struct srv_reply *out)
{
	const struct host_route *h = sr->route->data;
	lmca_request req = request_of(sr);
	lmca_response res = { 0 };

	h->fn(sr->ctx, &req, &res, h->arg);
	response_to_reply(&res, out);
}

struct srv_table *routes_new(void)
{
	struct srv_table *t = srv_table_new(true); /* "/conf/" is "/conf" */

	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++)
		for (const struct endpoint *ep = families[f]->endpoints; ep->path; ep++) {
			struct srv_route r = { ep->method, ep->path, run_builtin, (void *)ep,
			                       SRV_RESERVED, ep->role, ep->change_arg };
			char *why = NULL;

			if (srv_table_add(t, &r, &why) < 0)
				abort(); /* a bug: two built-ins on one method and path */
		}
	return t;
}

int lmca_agent_add_route(lmca_agent *agent, const char *method, const char *path,
                         lmca_handler fn, void *arg, char **cause)
{
	struct host_route *h;
	struct srv_route r;
	char *why = NULL;

	if (fn == NULL || method == NULL) {
		why = xstrdup(fn ? "invalid method '(null)'" : "route handler is NULL");
		goto fail;
	}
	h = xmalloc(sizeof *h);
	*h = (struct host_route){ fn, arg };
	r = (struct srv_route){ strcmp(method, "*") == 0 ? NULL : method, path, run_host, h,
	                        SRV_LITERAL | SRV_OWN_DATA, SRV_ROLE_DEFAULT, NULL };
	if (srv_table_add(agent->routes, &r, &why) == 0)
		return 0;
	free(h);
fail:
	if (cause)
		*cause = why;
	else
		free(why);
	return -1;
}
