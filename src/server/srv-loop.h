/* The core's event loops (srv.h, struct srv_config.loops), inside src/server only: what srv.c
 * needs to start them, feed them their daemons, count connections over all of them and stop
 * them. The handlers' side (srv_loop_current and the rest) is in srv.h. */
#ifndef LMC_SERVER_SRV_LOOP_H
#define LMC_SERVER_SRV_LOOP_H

#include <microhttpd.h>
#include <stdbool.h>
#include <sys/socket.h>

#include "srv.h"

struct srv_loops;
/* n loops (not running yet); max_conn connections at once over all of them, max_per_ip
 * from one address (0: no limit). NULL with *cause when out of descriptors. */
struct srv_loops *loops_new(unsigned int n, unsigned int max_conn, unsigned int max_per_ip,
			    char **cause);
unsigned int loops_count(const struct srv_loops *ls);
struct srv_loop *loops_get(struct srv_loops *ls, unsigned int i);
/* The loop's daemon: libmicrohttpd with MHD_USE_EPOLL and no thread of its own. 0, or -1. */
int loop_set_daemon(struct srv_loop *l, struct MHD_Daemon *d);
/* Starts the loops' threads (they inherit the caller's signal mask). 0, or -1 with *cause. */
int loops_run(struct srv_loops *ls, char **cause);
/* Stops accepting, has the users end their work, waits for the requests answered later,
 * stops the daemons, joins and frees. */
void loops_stop(struct srv_loops *ls);
/* libmicrohttpd's accept policy (cls: the loops): the limits over all loops. */
enum MHD_Result loops_admit(void *cls, const struct sockaddr *sa, socklen_t len);
/* A connection from the address from ("unix": not counted) opened or closed. */
void loops_opened(struct srv_loops *ls, const char *from);
void loops_closed(struct srv_loops *ls, const char *from);
/* A request on l answers later (+1) or has its answer (-1, after its resume). */
void loop_later(struct srv_loop *l, int delta);
/* A connection of l's daemon was resumed (from any thread): l gives its daemon a turn. */
void loop_resumed(struct srv_loop *l);

#endif
