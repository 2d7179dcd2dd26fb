/* What the endpoints ask of a host with a runtime of its own (lmcagent.h, "hosts with a
 * runtime of their own"): its threads' frames, its loggers, its metrics. */
#ifndef LMC_AGENT_HOST_HOOKS_H
#define LMC_AGENT_HOST_HOOKS_H

#include "server.h"

/* GET /threads: puts the host's frames of each thread before its native frames. */
void host_stacks_add(lmca_agent *agent, struct thread_info *threads, size_t n);
/* GET /loglevel from the host's loggers: false when the host has none (the agent's own
 * tree answers). */
bool host_loglevel(lmca_agent *agent, const lmca_request *req, lmca_response *res);
/* GET /metrics: the host collector's text after the agent's own (malloc'd). */
char *host_metrics_render(lmca_agent *agent);

#endif
