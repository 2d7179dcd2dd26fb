/*
 * liblmcagent: the agent every LMCache node process embeds.
 *
 * It serves LMCache's internal API (shared/PROTOCOL.md section 3) over a unix socket and/or
 * loopback TCP, runs runtime plugins (section 4), and gives the host named loggers, Prometheus
 * metrics, typed configuration and metadata providers.
 *
 * Conventions:
 * - Every public symbol starts with lmca_.
 * - Functions that can fail return -1 (or NULL) and, when `cause` is not NULL, store a
 *   malloc'd message there that the caller frees. They return 0 (or the object) on success.
 * - Strings passed in are copied; strings returned as `char *` are the caller's to free();
 *   strings returned as `const char *` belong to the agent and live as long as it does.
 * - Everything is per agent: several agents can live in one process. All functions may be
 *   called from any thread once the agent exists, except lmca_agent_free().
 * - The agent installs no signal handler except the one for the stack-capture signal
 *   (lmca_agent_set_stack_signal), never reaps children it did not start, opens every
 *   descriptor close-on-exec and does not wake up while idle.
 */
#ifndef LMCAGENT_H
#define LMCAGENT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lmca_agent lmca_agent;

typedef enum lmca_role {
	LMCA_ROLE_SCHEDULER = 0,
	LMCA_ROLE_WORKER = 1,
} lmca_role;

/* ---- lifecycle ------------------------------------------------------------------------ */

/* A new, stopped agent. worker_id is ignored for the scheduler (whose id is -1).
 * worker_count is the number of workers of the instance (for plugins and derivation). */
lmca_agent *lmca_agent_new(lmca_role role, int worker_id, int worker_count, char **cause);

/* Loads configuration as LMCache does: the YAML file named by LMCACHE_CONFIG_FILE when set,
 * otherwise LMCACHE_<KEY> environment variables. Call after the host registered its keys;
 * keys nobody registered are kept as read-only values and shown by GET /conf. */
int lmca_agent_load_config(lmca_agent *agent, char **cause);
int lmca_agent_load_config_file(lmca_agent *agent, const char *path, char **cause);

/* Starts the internal API server (when internal_api_server_enabled and this node's index is
 * included) and the plugins. */
int lmca_agent_start(lmca_agent *agent, char **cause);
/* Stops plugins (SIGTERM to each group, SIGKILL after the grace period) and the server.
 * Idempotent. */
void lmca_agent_stop(lmca_agent *agent);
/* Stops and frees. NULL is fine. */
void lmca_agent_free(lmca_agent *agent);

/* ---- identity (PROTOCOL section 1) ----------------------------------------------------- */

lmca_role lmca_agent_role(const lmca_agent *agent);
const char *lmca_role_name(lmca_role role); /* "scheduler" / "worker" */
int lmca_agent_worker_id(const lmca_agent *agent); /* -1 for the scheduler */
int lmca_agent_worker_count(const lmca_agent *agent);
/* Scheduler 0, worker N is 1 + N. */
int lmca_agent_index(const lmca_agent *agent);
/* "<instance_id>_scheduler" or "<instance_id>_worker<N>"; recomputed from current config. */
char *lmca_agent_name(const lmca_agent *agent);
/* internal_api_server_port_start + index. */
int lmca_agent_port(const lmca_agent *agent);
/* "<prefix>_<port>", or NULL when no socket prefix is configured. */
char *lmca_agent_socket_path(const lmca_agent *agent);
/* After start: the TCP port actually bound (differs from lmca_agent_port only when the
 * configured port is 0), or -1 when not listening on TCP. */
int lmca_agent_bound_port(const lmca_agent *agent);

/* Pure derivations, exposed for the frontend's plugin mode and for tests. */
char *lmca_node_name(const char *instance_id, lmca_role role, int worker_id);
int lmca_node_index(lmca_role role, int worker_id);

/* Version strings served by /version ("<version>-<commit>"), /lmc_version, /commit_id.
 * Default: this package's version and "unknown". */
void lmca_agent_set_version(lmca_agent *agent, const char *version, const char *commit);

/* ---- configuration (PROTOCOL section 2) --------------------------------------------------
 * Values are JSON texts ("true", "6999", "\"abc\"", "[1,2]", "{...}"). The agent registers
 * the keys of PROTOCOL section 2 itself; the host registers its own before loading config. */

typedef enum lmca_conf_type {
	LMCA_CONF_BOOL,
	LMCA_CONF_INT,
	LMCA_CONF_FLOAT,
	LMCA_CONF_STRING,
	LMCA_CONF_LIST, /* JSON array */
	LMCA_CONF_MAP,  /* JSON object */
} lmca_conf_type;

/* Registers key with a default (JSON text, "null" for none). mutable: POST /conf may change
 * it at run time. Registering an existing key is an error. */
int lmca_conf_register(lmca_agent *agent, const char *key, lmca_conf_type type,
                       const char *default_json, bool mutable_at_runtime, char **cause);

/* Called after a successful change of key (by POST /conf or lmca_conf_set) with the new
 * value. Returning -1 with *cause set rejects the change ("Failed to set config value"),
 * and the old value is kept. */
typedef int (*lmca_conf_cb)(lmca_agent *agent, const char *key, const char *value_json,
                            void *arg, char **cause);
int lmca_conf_on_change(lmca_agent *agent, const char *key, lmca_conf_cb cb, void *arg,
                        char **cause);

/* Sets key from JSON text, coerced to its type ("5" for a float is fine, "\"x\"" for an int
 * is not). Ignores the mutable flag: that is for the API. */
int lmca_conf_set(lmca_agent *agent, const char *key, const char *value_json, char **cause);
/* JSON text of the value, or NULL when the key is unknown. */
char *lmca_conf_get_json(const lmca_agent *agent, const char *key);
bool lmca_conf_get_bool(const lmca_agent *agent, const char *key, bool dflt);
long long lmca_conf_get_int(const lmca_agent *agent, const char *key, long long dflt);
double lmca_conf_get_float(const lmca_agent *agent, const char *key, double dflt);
/* A copy of a string value, or of dflt (NULL allowed) when unset/unknown/not a string. */
char *lmca_conf_get_string(const lmca_agent *agent, const char *key, const char *dflt);
/* The whole configuration as a JSON object text (what plugins get in
 * LMCACHE_PLUGIN_CONFIG). */
char *lmca_conf_dump_json(const lmca_agent *agent);

/* ---- loggers ------------------------------------------------------------------------------
 * Python-style named loggers: "lmcache.v1.cache" inherits from "lmcache.v1", then "lmcache",
 * then "root", until its own level is set. Levels use Python's numbers. */

typedef enum lmca_level {
	LMCA_LOG_NOTSET = 0,
	LMCA_LOG_DEBUG = 10,
	LMCA_LOG_INFO = 20,
	LMCA_LOG_WARNING = 30,
	LMCA_LOG_ERROR = 40,
	LMCA_LOG_CRITICAL = 50,
} lmca_level;

typedef struct lmca_logger lmca_logger;

/* The logger of that name, created on first use (NULL or "" or "root" is the root logger).
 * The pointer stays valid for the agent's life. */
lmca_logger *lmca_logger_get(lmca_agent *agent, const char *name);
const char *lmca_logger_name(const lmca_logger *logger);
void lmca_log(lmca_logger *logger, lmca_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void lmca_vlog(lmca_logger *logger, lmca_level level, const char *fmt, va_list ap);
bool lmca_log_enabled(const lmca_logger *logger, lmca_level level);
/* Sets the logger's own level (LMCA_LOG_NOTSET: inherit again). */
void lmca_logger_set_level(lmca_logger *logger, lmca_level level);
lmca_level lmca_logger_level(const lmca_logger *logger);           /* own, maybe NOTSET */
lmca_level lmca_logger_effective_level(const lmca_logger *logger); /* after inheritance */

/* "DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL", "NOTSET"; "Level N" otherwise. */
const char *lmca_level_name(lmca_level level);
/* Case-insensitive name ("warn" and "fatal" accepted as Python does) or a number. */
int lmca_level_parse(const char *text, lmca_level *level);

/* Where log lines go. Default: stderr as "<time> <LEVEL> [<logger>] <message>". */
typedef void (*lmca_log_sink)(void *arg, const char *logger, lmca_level level,
                              const char *message);
void lmca_agent_set_log_sink(lmca_agent *agent, lmca_log_sink sink, void *arg);
/* The default sink's line on stderr; a host's sink may fall back to it. */
void lmca_log_to_stderr(const char *logger, lmca_level level, const char *message);

/* ---- metrics --------------------------------------------------------------------------------
 * Counters, gauges and histograms with labels, rendered as Prometheus text 0.0.4.
 * label_names and label_values are NULL-terminated arrays (NULL for no labels); values must
 * match the names in number. */

typedef struct lmca_metric lmca_metric;

lmca_metric *lmca_counter(lmca_agent *agent, const char *name, const char *help,
                          const char *const *label_names);
lmca_metric *lmca_gauge(lmca_agent *agent, const char *name, const char *help,
                        const char *const *label_names);
/* buckets: ascending upper bounds without +Inf; NULL for Prometheus' defaults. */
lmca_metric *lmca_histogram(lmca_agent *agent, const char *name, const char *help,
                            const char *const *label_names, const double *buckets,
                            size_t nbuckets);

void lmca_metric_inc(lmca_metric *m, const char *const *label_values, double by); /* ctr, gauge */
void lmca_metric_set(lmca_metric *m, const char *const *label_values, double value); /* gauge */
void lmca_metric_observe(lmca_metric *m, const char *const *label_values, double value); /* hist */
/* Current value of a counter or gauge series (NAN when the series does not exist). */
double lmca_metric_value(lmca_metric *m, const char *const *label_values);

/* Zeroes every series (POST /metrics/reset). */
void lmca_metrics_reset(lmca_agent *agent);
/* The exposition text of every metric; the caller frees it. */
char *lmca_metrics_render(lmca_agent *agent);

/* ---- metadata, inference info, health -------------------------------------------------------
 * Providers return a malloc'd JSON text (the caller of the provider frees it) or NULL. */

typedef char *(*lmca_json_provider)(void *arg);
/* GET /meta: a JSON object (model_name, world_size, worker_id, fmt, kv_dtype, ...). */
void lmca_agent_set_meta_provider(lmca_agent *agent, lmca_json_provider fn, void *arg);
/* GET /inference_info: {"vllm_version","lmcache_version","vllm_config","model_config",
 * "cache_config"}; /inference_version is derived from it. */
void lmca_agent_set_inference_provider(lmca_agent *agent, lmca_json_provider fn, void *arg);
/* GET /healthcheck: return 0 when healthy; -1 with *reason (malloc'd) when not.
 * Without a provider the node is healthy while its server runs. */
typedef int (*lmca_health_fn)(void *arg, char **reason);
void lmca_agent_set_health_provider(lmca_agent *agent, lmca_health_fn fn, void *arg);

/* ---- extra routes and run_script -------------------------------------------------------------- */

typedef struct lmca_request lmca_request;
typedef struct lmca_response lmca_response;

const char *lmca_request_method(const lmca_request *req);
const char *lmca_request_path(const lmca_request *req);
/* A query-string argument (URL-decoded), or NULL. */
const char *lmca_request_arg(const lmca_request *req, const char *name);
const char *lmca_request_header(const lmca_request *req, const char *name);
const char *lmca_request_body(const lmca_request *req, size_t *len); /* NUL-terminated */

/* Sets the response; body is copied. content_type NULL means "text/plain". */
void lmca_respond(lmca_response *res, int status, const char *content_type, const char *body,
                  size_t len);
/* Sets the response to the JSON text of an error {"error": error, "message": message}. */
void lmca_respond_error(lmca_response *res, int status, const char *error, const char *message);

typedef void (*lmca_handler)(lmca_agent *agent, const lmca_request *req, lmca_response *res,
                             void *arg);
/* Adds a route for an exact path ("DELETE", "/cache/clear"); method "*" matches any method.
 * Host routes cannot replace the built-in endpoints. */
int lmca_agent_add_route(lmca_agent *agent, const char *method, const char *path,
                         lmca_handler fn, void *arg, char **cause);

/* POST /run_script hands the uploaded script to this runner when run_script_api_enabled is
 * true. Return 0 and a malloc'd *output (the text response), or -1 and *output as the error. */
typedef int (*lmca_script_runner)(void *arg, const char *script, size_t len, char **output);
void lmca_agent_set_script_runner(lmca_agent *agent, lmca_script_runner fn, void *arg);

/* ---- hosts with a runtime of their own (an interpreter) ----------------------------------
 * A host whose code runs in a language runtime (the Python module lmcagent, lmcagent(3))
 * gives the agent that runtime's view of threads, loggers and metrics. The agent calls
 * these from its server threads with none of its own locks held. Each must answer promptly
 * even while the runtime is busy: bound any wait for the runtime, then fail with a cause. */

/* GET /threads: the host language's frames of each thread it knows (tid: the kernel thread
 * id), innermost first. fn calls add(ctx, tid, frame) once per frame; the agent shows them
 * before that thread's native frames. */
typedef void (*lmca_frame_add)(void *ctx, int tid, const char *frame);
typedef void (*lmca_stack_provider)(void *arg, lmca_frame_add add, void *ctx);
void lmca_agent_set_stack_provider(lmca_agent *agent, lmca_stack_provider fn, void *arg);

/* GET /loglevel answered from the host's own loggers instead of the agent's tree. Levels
 * are the loggers' own (NOTSET when unset), in Python's numbers. Each returns 0, or -1
 * with *cause, which the agent answers with 503 and the cause. */
typedef void (*lmca_level_add)(void *ctx, const char *logger, int level);
typedef struct lmca_log_provider {
	int (*list)(void *arg, lmca_level_add add, void *ctx, char **cause);
	int (*get)(void *arg, const char *logger, int *level, char **cause);
	int (*set)(void *arg, const char *logger, int level, char **cause);
} lmca_log_provider;
/* provider is copied; NULL goes back to the agent's own loggers. */
void lmca_agent_set_log_provider(lmca_agent *agent, const lmca_log_provider *provider,
                                 void *arg);

/* GET /metrics appends the collector's exposition text (malloc'd; NULL: nothing) after the
 * agent's own metrics. It is called before the agent renders, so it may set the agent's
 * metrics (say, how old its text is). Its families must not repeat the agent's names. */
typedef char *(*lmca_metrics_collector)(void *arg);
void lmca_agent_set_metrics_collector(lmca_agent *agent, lmca_metrics_collector fn, void *arg);

/* ---- guest behaviour ----------------------------------------------------------------------- */

/* The signal used to capture other threads' stacks for GET /threads (default SIGRTMIN+3;
 * 0 disables stack capture). Refused with a cause when the host already handles it. Must
 * be called before lmca_agent_start. */
int lmca_agent_set_stack_signal(lmca_agent *agent, int signo, char **cause);

/* Environment variable names whose values GET /env shows unredacted, in addition to the
 * built-in rule (names containing TOKEN, SECRET, PASSWORD, KEY or CREDENTIAL are redacted). */
void lmca_agent_set_env_allowlist(lmca_agent *agent, const char *const *names);

#ifdef __cplusplus
}
#endif

#endif
