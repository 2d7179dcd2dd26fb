/* GET /health: LMCache's answer, so its monitors keep working. */
#include "config.h"
#include "server.h"

void ep_health(struct request *rq, struct reply *rp)
{
	(void)rq;
	reply_json(rp, 200, json_pack("{s:s, s:s}", "status", "healthy", "service",
				      "lmcache-monitor"));
}
