/* POST /run_script: a multipart/form-data upload whose field `script` is handed to the
 * host's runner. Off unless run_script_api_enabled (404 saying how to enable it). */
#include "config.h"
#include "server.h"
#include "buf.h"
#include "xalloc.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

#define DISABLED_TEXT                                                                     \
	"The /run_script API is disabled. It runs caller-supplied code, so it is off by "  \
	"default; enable it with run_script_api_enabled (LMCACHE_RUN_SCRIPT_API_ENABLED=true " \
	"or run_script_api_enabled: true in the config file), only on a trusted host."

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

static void run(lmca_agent *agent, struct script_upload *up, lmca_response *res)
{
	lmca_script_runner fn;
	void *arg;
	char *output = NULL;

	pthread_mutex_lock(&agent->lock);
	fn = agent->script_fn;
	arg = agent->script_arg;
	pthread_mutex_unlock(&agent->lock);
	if (fn == NULL) {
		lmca_respond_error(res, 501, "Not Implemented",
		                   "this node has no script runner");
		return;
	}
	if (fn(arg, buf_cstr(&up->data), up->data.len, &output) == 0) {
		respond_owned(res, 200, NULL, output ? output : xstrdup(""));
	} else {
		respond_owned(res, 500, NULL,
		              xasprintf("Error executing script: %s", output ? output : "failed"));
		free(output);
	}
}

static void post_run_script(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	struct script_upload up = { BUF_INIT, false };

	if (!lmca_conf_get_bool(agent, "run_script_api_enabled", false)) {
		respond_text(res, 404, DISABLED_TEXT);
		return;
	}
	if (!read_script(req, &up))
		respond_text(res, 400, "No script file provided");
	else
		run(agent, &up, res);
	buf_free(&up.data);
}

static const struct endpoint endpoints[] = {
	{ "POST", "/run_script", post_run_script, SRV_ROLE_ADMIN },
	{ 0 },
};

const struct endpoint_family ep_run_script = { "run_script", endpoints };
