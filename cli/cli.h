/* lmcctl internals shared by the command files: cluster, selection, fan-out, report. */
#ifndef LMC_CLI_H
#define LMC_CLI_H

#include "lmcctl.h"
#include "buf.h"
#include "strutil.h"

/* run.c: reaches the cluster, selects the targets, runs the command. */
int cli_run(struct ctx *c);
void cli_free(struct ctx *c);

/* cluster.c: fills c->nodes from --socket/--url, --frontend or --registry. Returns an exit
 * code (0: at least one node listed, or some listing failed but others answered, noted in
 * c->listing_code). */
int cluster_load(struct ctx *c);
/* Natural order of node names: digit runs compare as numbers. */
int node_name_cmp(const char *a, const char *b);

/* select.c: fills c->sel from -n, positional targets, --all, -l and --instance. Returns an
 * exit code; a pattern that matches no node is LMC_EXIT_NOTFOUND. */
int select_nodes(struct ctx *c);
bool glob_match(const char *pattern, const char *s);

/* fanout.c: reqs[i] to c->sel[i], all at once; res[i] classified (code, error). */
struct result *fanout(struct ctx *c, struct request *reqs);
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
/* s percent-encoded for a URL path segment or query value; caller frees. */
char *url_encode(const char *s);
/* Class of an HTTP status: 0 for 2xx. */
int status_code_class(long status);

/* report.c: prints results (JSON array or the command's table) and returns the exit code
 * that combines them (lmcctl(1) EXIT STATUS). */
typedef void (*print_fn)(struct ctx *c, struct result *rs, size_t n);
int report(struct ctx *c, struct result *rs, size_t n, print_fn print);
int combine_codes(const int *codes, size_t n);

/* output.c: stable human tables. */
struct table;
struct table *table_new(struct ctx *c, const char *const *header);
void table_row(struct table *t, ...); /* strings, NULL-terminated */
void table_add(struct table *t, const char *cell);
void table_print(struct table *t); /* and frees it */
const char *color(struct ctx *c, const char *what); /* "head" or "reset" */

/* The commands (cmd-*.c). */
extern const struct cmd_entry cmd_nodes, cmd_version, cmd_health, cmd_metrics, cmd_threads,
	cmd_log_level, cmd_set_log_level, cmd_config_get, cmd_config_set, cmd_config_diff,
	cmd_meta, cmd_inference, cmd_env, cmd_run_script, cmd_plugins, cmd_call, cmd_completion,
	cmd_help;



/* simple.c: GET path on every target, parse each ok answer, report. */
typedef void (*parse_fn)(struct ctx *c, struct result *r);
int simple_get(struct ctx *c, const char *path, parse_fn parse, print_fn print);
/* parse_fn for JSON bodies, also JSON sent as text/plain. */
void parse_json_body(struct ctx *c, struct result *r);
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
/* cmd-log-level.c, shared with set-log-level. */
void parse_loglevels(struct result *r, const char *pattern);
void print_loglevels(struct ctx *c, struct result *rs, size_t n);
/* cmd-config-get.c, shared with config diff. */
void parse_conf(struct result *r, char **keys, int nkeys);
/* A NODE/KEY/VALUE table of result objects (config get, meta, inference). */
void print_key_values(struct ctx *c, struct result *rs, size_t n);
#endif
