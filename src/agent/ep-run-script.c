/* POST /run_script: a multipart/form-data upload whose field `script` is handed to the
 * host's runner. Off unless run_script_api_enabled (404 saying how to enable it). */
#include "config.h"
#include "server.h"
#include "buf.h"
#include "xalloc.h"

#include <microhttpd.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#define DISABLED_TEXT                                                                     \
	"The /run_script API is disabled. It runs caller-supplied code, so it is off by "  \
	"default; enable it with run_script_api_enabled (LMCACHE_RUN_SCRIPT_API_ENABLED=true " \
	"or run_script_api_enabled: true in the config file), only on a trusted host."

/* Scripts running at once in this process; one more is refused with 429. A script runs on
 * a worker thread of its own while its connection waits suspended (respond_later): running
 * scripts hold no server thread, and /healthcheck answers meanwhile. */
#define MAX_RUNNING 2

static atomic_int running;

struct script_upload {
	struct buf data;
	bool found;
};

static enum MHD_Result on_field(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *filename, const char *content_type,
                                const char *transfer_encoding, const char *data,
                                uint64_t off, size_t size)
{
	struct script_upload *up = cls;

	(void)kind, (void)filename, (void)content_type, (void)transfer_encoding, (void)off;
	if (key != NULL && strcmp(key, "script") == 0) {
		up->found = true;
		buf_append(&up->data, data, size);
	}
	return MHD_YES;
}

/* Whether body ends its multipart with "--BOUNDARY--" (the boundary taken from the
 * Content-Type header): a body cut short carries a truncated script, which must not run. */
static bool upload_complete(const lmca_request *req)
{
	const char *ct = lmca_request_header(req, "Content-Type"), *b;
	char *close_mark;
	size_t n;
	bool found;

	if (ct == NULL || (b = strstr(ct, "boundary=")) == NULL)
		return true; /* not multipart: the post processor decides */
	b += strlen("boundary=");
	n = *b == '"' ? strcspn(++b, "\"") : strcspn(b, "; \t");
	close_mark = xasprintf("--%.*s--", (int)n, b);
	found = memmem(req->body, req->body_len, close_mark, strlen(close_mark)) != NULL;
	free(close_mark);
	return found;
}

/* Parses the multipart body with libmicrohttpd's post processor. */
static bool read_script(const lmca_request *req, struct script_upload *up)
{
	struct MHD_PostProcessor *pp = MHD_create_post_processor(req->conn, 16 * 1024, on_field, up);

	if (pp == NULL)
		return false; /* not multipart/form-data nor urlencoded */
	MHD_post_process(pp, req->body, req->body_len);
	MHD_destroy_post_processor(pp);
	return up->found;
}

/* The connection of the script running on this thread, for lmca_script_client_gone. */
static _Thread_local int client_fd = -1;

bool lmca_script_client_gone(void)
{
	struct pollfd p = { .fd = client_fd, .events = POLLRDHUP };

	if (client_fd < 0)
		return false;
	return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

static int connection_fd(const lmca_request *req)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);

	return ci ? ci->connect_fd : -1;
}

/* A script to run on its worker thread, with what it needs of the request. */
struct script_job {
	lmca_script_runner fn;
	void *arg;
	struct buf data;
	int client_fd;
};

static void run(lmca_agent *agent, void *arg, lmca_response *res)
{
	struct script_job *job = arg;
	char *output = NULL;
	int rc;

	(void)agent;
	client_fd = job->client_fd;
	rc = job->fn(job->arg, buf_cstr(&job->data), job->data.len, &output);
	client_fd = -1;
	atomic_fetch_sub(&running, 1);
	if (rc == 0) {
		respond_owned(res, 200, NULL, output ? output : xstrdup(""));
	} else {
		respond_owned(res, 500, NULL,
		              xasprintf("Error executing script: %s", output ? output : "failed"));
		free(output);
	}
	buf_free(&job->data);
	free(job);
}

/* Hands the script to the host's runner on a worker thread; the slot is taken. */
static void start(lmca_agent *agent, const lmca_request *req, struct script_upload *up,
		  lmca_response *res)
{
	struct script_job *job;

	pthread_mutex_lock(&agent->lock);
	job = xmalloc(sizeof *job);
	*job = (struct script_job){ agent->script_fn, agent->script_arg, up->data,
				    connection_fd(req) };
	pthread_mutex_unlock(&agent->lock);
	up->data = (struct buf)BUF_INIT;
	if (job->fn == NULL) {
		atomic_fetch_sub(&running, 1);
		buf_free(&job->data);
		free(job);
		lmca_respond_error(res, 501, "Not Implemented", "this node has no script runner");
		return;
	}
	respond_later(agent, req, res, run, job);
}

static bool slot_take(void)
{
	if (atomic_fetch_add(&running, 1) < MAX_RUNNING)
		return true;
	atomic_fetch_sub(&running, 1);
	return false;
}

static void post_run_script(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	struct script_upload up = { BUF_INIT, false };

	if (!lmca_conf_get_bool(agent, "run_script_api_enabled", false)) {
		respond_text(res, 404, DISABLED_TEXT);
		return;
	}
	if (!upload_complete(req)) {
		respond_text(res, 400, "Incomplete upload: the multipart body has no closing "
				       "boundary; nothing was run");
	} else if (!read_script(req, &up)) {
		respond_text(res, 400, "No script file provided");
	} else if (!slot_take()) {
		respond_owned(res, 429, NULL,
			      xasprintf("Too many scripts running (at most %d at once); try again "
					"later", MAX_RUNNING));
	} else {
		start(agent, req, &up, res);
	}
	buf_free(&up.data);
}

static const struct endpoint endpoints[] = {
	{ "POST", "/run_script", post_run_script, SRV_ROLE_ADMIN, NULL },
	{ 0 },
};

const struct endpoint_family ep_run_script = { "run_script", endpoints };
