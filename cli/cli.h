/* lmcctl internals shared by the command files: cluster, selection, fan-out, report. */
#ifndef LMC_CLI_H
#define LMC_CLI_H

#include "lmcctl.h"
#include "buf.h"
#include "strutil.h"

/* run.c: reaches the cluster, selects the targets, runs the command. */
int cli_run(struct ctx *c);
void cli_free(struct ctx *c); /* and zeroes what it freed, for the next round */
void sleep_ms(long ms);

/* cluster.c: fills c->nodes from --socket/--url, --frontend or --registry. Returns an exit
 * code (0: at least one node listed, or some listing failed but others answered, noted in
 * c->listing_code). */
int cluster_load(struct ctx *c);

/* select.c: fills c->sel from -n, positional targets, --all, -l and --instance. Returns an
 * exit code; a pattern that matches no node is LMC_EXIT_NOTFOUND. */
int select_nodes(struct ctx *c);
bool glob_match(const char *pattern, const char *s);
/* A logger named by pattern (a name or glob): it matches, or a dotted ancestor of it does
 * ("lmcache" names lmcache.v1.cache_engine). */
bool logger_under(const char *pattern, const char *name);

/* fanout.c: reqs[i] to c->sel[i], all at once; res[i] classified (code, error). */
struct result *fanout(struct ctx *c, struct request *reqs);
/* reqs[i] to nodes[i] (several may go to one node), all at once. */
struct result *fanout_to(struct ctx *c, struct cl_node **nodes, struct request *reqs, size_t n);
/* batch.c: runs the n requests h (h[i] to nodes[i]) as hm_run does, sending those to
 * nodes behind one of our frontends as one POST /api/fanout per frontend. */
struct hm_req;
struct hm_res;
void batch_run(struct cl_node **nodes, const struct hm_req *h, struct hm_res *hr, size_t n,
	       size_t parallel);
/* Monotonic milliseconds; the time a request may take before c's deadline. */
long now_ms(void);
long time_left_ms(const struct ctx *c);
/* The same GET of path to every selected node. */
struct result *fanout_get(struct ctx *c, const char *path);
void request_free(struct request *r);
void results_free(struct result *rs, size_t n);
void result_clear(struct result *r);
/* Marks r failed with code and a message (takes msg). */
void result_fail(struct result *r, int code, char *msg);
/* r->result from the body parsed as JSON; fails r when it is not JSON. */
json_t *result_json(struct result *r);
/* The same, and fails r unless the body is a JSON object. */
json_t *result_json_object(struct result *r);
/* Class of an HTTP status: 0 for 2xx. */
int status_code_class(long status);

/* report.c: prints results (JSON array or the command's table) and returns the exit code
 * that combines them (lmcctl(1) EXIT STATUS). */
typedef void (*print_fn)(struct ctx *c, struct result *rs, size_t n);
int report(struct ctx *c, struct result *rs, size_t n, print_fn print);
int combine_codes(const int *codes, size_t n);
/* "lmcctl: NODE: MSG" on stderr, escaped. */
void warn_node(const char *node, const char *msg);
/* output-yaml.c: v (the report) as a YAML document. */
void print_yaml(const json_t *v, FILE *f);

/* output.c: stable human tables. */
struct table;
struct table *table_new(struct ctx *c, const char *const *header);
void table_row(struct table *t, ...); /* strings, NULL-terminated */
void table_add(struct table *t, const char *cell);
void table_print(struct table *t); /* and frees it */
/* A NODE/<key_head>/<value_head> table: a row per member of each ok result's object, the
 * value as json_cell shows it (log levels, config get, meta, inference). */
void print_members(struct ctx *c, struct result *rs, size_t n, const char *key_head,
		   const char *value_head);
const char *color(struct ctx *c, const char *what); /* "head" or "reset" */
/* s for a terminal: control characters and escape sequences as \n, \e, \xHH, \u009b,
 * bytes that are not UTF-8 as \xHH; newlines and tabs kept when keep_newlines. Caller frees. */
char *display_escape(const char *s, bool keep_newlines);

/* The commands (cmd-*.c). */
extern const struct cmd_entry cmd_nodes, cmd_version, cmd_health, cmd_metrics, cmd_threads,
	cmd_log_level, cmd_set_log_level, cmd_config_get, cmd_config_set, cmd_config_diff,
	cmd_meta, cmd_inference, cmd_env, cmd_run_script, cmd_plugins, cmd_call, cmd_completion,
	cmd_help, cmd_wait, cmd_context_list, cmd_context_use;



extern const struct cmd_entry cmd_profile, cmd_diagnose;
/* cmd-profile.c: the hottest on-CPU functions of a GET /profile?format=json answer. */
char *profile_top_text(const json_t *profile);

/* simple.c: GET path on every target, parse each ok answer, report. */
typedef void (*parse_fn)(struct ctx *c, struct result *r);
int simple_get(struct ctx *c, const char *path, parse_fn parse, print_fn print);
/* parse_fn for answers that must be a JSON object (/meta, /inference_info, /healthcheck). */
void parse_json_object(struct ctx *c, struct result *r);
/* A two-column NODE/<title> table of each ok result as text. */
void print_node_value(struct ctx *c, struct result *rs, size_t n, const char *title);
/* Each ok answer as is, with a header line per node when there are several. */
void print_bodies(struct ctx *c, struct result *rs, size_t n);
/* A JSON value as a table cell: strings bare, the rest compact JSON. Caller frees. */
char *json_cell(const json_t *v);
/* A --match pattern: a glob when it has * ? or [, else a case-insensitive substring. */
bool name_matches(const char *pattern, const char *name);
/* input.c: "-" or "@-" reads standard input (once), "@FILE" a file, anything else is the
 * text itself; caller frees. NULL with cause. */
char *input_text(const char *arg, char **cause);
/* A file holding arg's input: arg itself, or for "-" a private temporary file with standard
 * input in it (the caller unlinks it). NULL with cause. */
char *input_file(const char *arg, char **cause);
/* context.c: the contexts of the config file (named clusters). */
enum { CTX_REGISTRY, CTX_FRONTEND, CTX_SOCKET, CTX_URL, CTX_TIMEOUT, CTX_OUTPUT, CTX_TOKEN,
       CTX_NKEYS };
struct context {
	char *name;
	char *value[CTX_NKEYS]; /* NULL when not set */
};
struct context_file {
	struct context *ctx;
	size_t n;
	char *current; /* current-context, or NULL */
};
char *context_path(void);
/* Reads the config file; a missing file is empty. -1 with cause on a bad file. */
int context_load(struct context_file *f, char **cause);
void context_free(struct context_file *f);
const struct context *context_find(const struct context_file *f, const char *name);
/* changes.c: what changing commands did (or would do, --dry-run) on each node. */
json_t *changes_new(const struct ctx *c);
/* Equal JSON values, numbers by value (5 and 5.0 are the same setting). */
bool json_same(const json_t *a, const json_t *b);
/* One logger or key: old (NULL: unknown) and new, both borrowed. */
void changes_add(json_t *res, const char *name, json_t *old, json_t *new);
/* NODE/<title>/OLD/NEW/CHANGE rows of the results' changes. */
void print_changes(struct ctx *c, struct result *rs, size_t n, const char *title);
/* cmd-health.c: each target's health answer (wait healthy shares it). */
struct result *health_check(struct ctx *c);
/* select.c: the command changes nodes (call: unless GET or HEAD). */
bool cmd_mutates(const struct ctx *c);
/* cmd-log-level.c, shared with set-log-level. */
void parse_loglevels(struct result *r, const char *pattern);
void print_loglevels(struct ctx *c, struct result *rs, size_t n);
/* cmd-config-get.c, shared with config diff. */
void parse_conf(struct result *r, char **keys, int nkeys);
/* "/conf", or "/conf?names=a,b" when every key is a plain name; caller frees. */
char *conf_path(char **keys, int nkeys);
/* A NODE/KEY/VALUE table of result objects (config get, meta, inference). */
void print_key_values(struct ctx *c, struct result *rs, size_t n);
#endif
