/* GET /health: LMCache's answer, so its monitors keep working. */
#include "config.h"
#include "server.h"

void fe_ep_health(struct fe_request *rq, struct fe_reply *rp)
{
	(void)rq;
	fe_reply_json(rp, 200, json_pack("{s:s, s:s}", "status", "healthy", "service",
				      "lmcache-monitor"));
}
