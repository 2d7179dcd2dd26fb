/* The hot view's data (hot.c): the latest profile of the node the view shows. */
#ifndef LMC_TUI_HOT_H
#define LMC_TUI_HOT_H

#include <jansson.h>

struct hot_result {
	char *node;	    /* whose profile; NULL: none yet */
	json_t *functions;  /* [{"function", "self", "total"}] of the running threads, by self */
	long samples;	    /* on-CPU samples in it */
	double when;	    /* monotonic seconds of the answer */
	unsigned long seq;  /* profiles of this node answered so far, this one included */
	char *error;	    /* why there is none, or NULL */
};

/* The view is drawn for node (at url, over socket when not NULL): keep profiling it, each
 * profile over seconds (1..10). Starts the profiling thread when it is not running. */
void hot_follow(const char *node, const char *url, const char *socket, int seconds);
/* A copy of the latest result for node (node NULL in out when there is none). */
void hot_latest(const char *node, struct hot_result *out);
void hot_result_free(struct hot_result *r);
/* Stops the thread (waits for its current profile) and frees everything. */
void hot_shutdown(void);

#endif
