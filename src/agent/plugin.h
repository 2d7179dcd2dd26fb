/* What the plugin runtime's files share (docs/protocol.md section 4). */
#ifndef LMC_AGENT_PLUGIN_H
#define LMC_AGENT_PLUGIN_H

#include "agent-internal.h"
#include "buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

/* ---- plugin-conf.c: settings from extra_config ---- */
enum plugin_restart {
	PLUGIN_RESTART_NEVER, /* LMCache's behaviour */
	PLUGIN_RESTART_ON_FAILURE,
	PLUGIN_RESTART_ALWAYS,
};

struct plugin_settings {
	enum plugin_restart restart; /* runtime_plugin_restart */
	double backoff;              /* runtime_plugin_restart_backoff: first delay, seconds */
	double backoff_max;          /* runtime_plugin_restart_backoff_max: the cap, seconds */
	double stop_grace;           /* runtime_plugin_stop_grace: SIGTERM to SIGKILL, seconds */
};

/* Fills s from the extra_config object (NULL: defaults). A bad value keeps its default and
 * is reported: -1 with *cause naming every bad key; 0 when all were fine. */
int plugin_settings_parse(const json_t *extra, struct plugin_settings *s, char **cause);
const char *plugin_restart_name(enum plugin_restart r);
/* The delay before restart number n+1 (n restarts so far in this crash loop). */
double plugin_backoff_delay(const struct plugin_settings *s, unsigned n);

/* ---- one plugin ---- */
enum plugin_state {
	PLUGIN_SKIPPED,    /* its name is for another process */
	PLUGIN_FAILED,     /* cannot be started (no interpreter, no shim); not retried */
	PLUGIN_RUNNING,
	PLUGIN_STOPPING,   /* the runtime is stopping it */
	PLUGIN_RESTARTING, /* exited; waits for its backoff delay */
	PLUGIN_EXITED,     /* exited; the policy does not restart it */
	PLUGIN_STOPPED,    /* stopped by the runtime */
};

struct plugin {
	char *path;
	char *name;  /* the file name */
	char **cmd;  /* interpreter words and path; NULL when it cannot run */
	char *error; /* why it was skipped or cannot run, or the last launch error */
	enum plugin_state state;

	pid_t shim;    /* the shim process (our child); 0 when none */
	pid_t pid;     /* the plugin process, also its process group; 0 when unknown */
	int out_fd;    /* its stdout+stderr; -1 when closed */
	int status_fd; /* the shim's reports; -1 when closed */
	int life_fd;   /* the lifeline's write end; -1 when closed */
	struct buf out_line;    /* an incomplete output line */
	struct buf status_line; /* an incomplete report line */

	bool exit_reported;
	int exit_code;  /* Python style: the exit code, or -signal */
	bool has_exit;  /* exit_code is valid (it exited at least once) */
	unsigned restarts;
	unsigned streak; /* restarts in the current crash loop (for the backoff) */
	double started;  /* monotonic seconds */
	double restart_at;
	double restart_delay; /* the delay chosen for the last restart; <0: none yet */
};

const char *plugin_state_name(enum plugin_state s);

/* ---- shim-path.c ---- */
/* The shim's path: LMCACHE_PLUGIN_SHIM, else one next to the host's executable (an
 * uninstalled build tree), else the configured libexec path. */
const char *plugin_shim_path(void);

/* ---- plugin-spawn.c ---- */
/* The environment of a plugin: the host's plus the LMCACHE_RUNTIME_PLUGIN_* and
 * LMCACHE_PLUGIN_* variables and PYTHONUNBUFFERED=1 (str_list_free). */
char **plugin_environment(lmca_agent *agent);
/* Starts p's shim with the lifeline, status and output pipes. */
int plugin_spawn(struct plugin *p, char **envp, double grace, char **cause);
/* Python-style code of a wait status: the exit code, or -signal. */
int plugin_exit_code(int status);

/* ---- plugin-io.c: the supervisor's per-plugin events, logged to log ---- */
struct plugin_runtime;
/* Logs the complete lines of p's output; at_eof also flushes a partial line. Returns
 * false when the pipe reached end-of-file (the descriptor is then closed). */
bool plugin_read_output(lmca_logger *log, struct plugin *p, bool at_eof);
/* Handles the shim's reports; false when the shim has gone (status pipe closed). */
bool plugin_read_status(lmca_logger *log, struct plugin *p);

/* ---- plugin.c ---- */
/* Called when p's shim has gone: logs the exit, updates metrics, applies the policy. */
void plugin_instance_ended(struct plugin_runtime *rt, struct plugin *p);

#endif
