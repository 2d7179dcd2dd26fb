/* GET /version ("<version>-<commit>"), /lmc_version and /commit_id: JSON strings, with
 * "NA" for an empty part as LMCache does. */
#include "config.h"
#include "server.h"
#include "xalloc.h"

#include <stdlib.h>

enum version_part { PART_BOTH, PART_VERSION, PART_COMMIT };

static void respond_version(lmca_agent *agent, lmca_response *res, enum version_part part)
{
	json_t *s;
	char *text;

	pthread_mutex_lock(&agent->lock);
	if (part == PART_VERSION)
		text = xstrdup(agent->version);
	else if (part == PART_COMMIT)
		text = xstrdup(agent->commit);
	else
		text = xasprintf("%s-%s", *agent->version ? agent->version : "NA",
		                 *agent->commit ? agent->commit : "NA");
	pthread_mutex_unlock(&agent->lock);
	s = json_string(text);
	respond_json(res, 200, "application/json", s, 0);
	json_decref(s);
	free(text);
}

static void get_version(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	(void)req;
	respond_version(agent, res, PART_BOTH);
}

static void get_lmc_version(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	(void)req;
	respond_version(agent, res, PART_VERSION);
}

static void get_commit_id(lmca_agent *agent, const lmca_request *req, lmca_response *res)
{
	(void)req;
	respond_version(agent, res, PART_COMMIT);
}

static const struct endpoint endpoints[] = {
	{ "GET", "/version", get_version, SRV_ROLE_VIEWER },
	{ "GET", "/lmc_version", get_lmc_version, SRV_ROLE_VIEWER },
	{ "GET", "/commit_id", get_commit_id, SRV_ROLE_VIEWER },
	{ 0 },
};

const struct endpoint_family ep_version = { "version", endpoints };
