/* lmcctl: shared types of the CLI. A command is a const descriptor in cmd_table[]
 * (commands.c); it runs against the selected nodes through the fan-out (fanout.c) and hands
 * one result per node to the report (report.c), which prints and picks the exit code. */
#ifndef LMC_CLI_LMCCTL_H
#define LMC_CLI_LMCCTL_H

#include "cluster.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Exit codes, frozen (lmcctl(1) EXIT STATUS). */
enum {
	LMC_EXIT_OK = 0,
	LMC_EXIT_OTHER = 1,
	LMC_EXIT_USAGE = 2,
	LMC_EXIT_PARTIAL = 3,
	LMC_EXIT_NOTFOUND = 4,
	LMC_EXIT_UNREACHABLE = 5,
	LMC_EXIT_TIMEOUT = 6,
	LMC_EXIT_DENIED = 7,
};

/* -o: tables (plain or wide), the structured report (JSON or YAML), or node names. */
enum out_format { OUT_TABLE, OUT_WIDE, OUT_JSON, OUT_YAML, OUT_NAME };

/* Global options. */
struct opts {
	const char *registry, *frontend, *socket, *url;
	char **names; /* -n, may hold globs */
	size_t nnames;
	bool all;
	const char *role, *instance;
	enum out_format out;
	bool json; /* out is JSON or YAML: the structured report */
	bool no_headers, quiet, color, dry_run;
	long timeout_ms; /* the whole command (listing and requests) */
	long watch_ms;	 /* -w: run again every watch_ms; 0: once */
	const char *context; /* --context, or the config file's current context */
	bool source_given, timeout_given, output_given; /* by a flag */
	const char *context_token; /* the context's token, or NULL (client_auth_setup) */
	const char *token_file, *cacert, *cert, *key; /* lmcache-security(7) */
};

/* What to ask one node. */
struct request {
	const char *method;
	char *path;		/* with query string */
	char *body;		/* NULL: none */
	const char *content_type;
	const char *upload;	/* a file sent as multipart field "script" (run-script) */
};

/* What one node answered. */
struct result {
	const struct cl_node *node;
	int code;	/* LMC_EXIT_OK or the class of the failure */
	long status;	/* HTTP status; 0 when there was no response */
	char *error;	/* NULL when ok */
	long took_ms;
	char *body;	/* NUL-terminated */
	size_t len;
	json_t *result; /* shown by -o json; read by the human printers */
};

struct cmd_entry;

struct ctx {
	struct opts o;
	const struct cmd_entry *cmd;
	char **args; /* the command's own arguments */
	int nargs;
	char **targets; /* node names and globs given after them */
	int ntargets;
	const char *copt[4]; /* values of the command's own options, by index */
	struct cl_node *nodes; /* every node found (cluster.h) */
	size_t nnodes;
	int listing_code; /* frontends that failed while others were listed: their class */
	bool exact; /* every target was named exactly (no glob, no "all") */
	struct cl_node **sel; /* the selected targets */
	size_t nsel;
	const struct result *rs; /* what report() is printing: tables add STATUS from it */
	size_t nrs;
	bool no_status; /* the command's table is not about answers (nodes) */
	long deadline_ms; /* monotonic time the whole command must end by */
};

/* A command's own option (--match PATTERN). */
struct cmd_opt {
	const char *name;
	char short_name;
	const char *arg; /* NULL: a flag */
	const char *help;
};

enum {
	CMD_MUTATES = 1,  /* changes nodes: targets must be named (or --all) */
	CMD_NO_NODES = 2, /* runs without reaching any node */
	CMD_MUTATES_UNLESS_GET = 4, /* mutates unless its first argument is GET or HEAD */
	CMD_WATCHES = 8, /* polls by itself (wait): --watch does not repeat it */
};

struct cmd_entry {
	const char *name;
	const char *sub; /* "get" of "config get", or NULL */
	const char *usage; /* arguments, after the name */
	const char *summary;
	const char *help; /* details and examples for --help */
	int min_args, max_args; /* own arguments; max -1: any number */
	int flags;
	const struct cmd_opt *opts; /* up to 4, terminated by {NULL} */
	/* What completes each argument, in order ("logger level"; "key..." repeats): logger,
	 * level, key, key=, file, method, shell, context, condition. NULL: none; node names
	 * come after them unless CMD_NO_NODES. */
	const char *complete;
	int (*exec)(struct ctx *);
};

/* commands.c */
extern const struct cmd_entry *const cmd_table[];
/* Finds the command named by argv (one word, or two for "config get"); unique prefixes
 * are accepted. Sets *used to the number of words consumed. NULL with cause. */
const struct cmd_entry *cmd_find(char **argv, int argc, int *used, char **cause);
void cmd_print_help(const struct cmd_entry *c, FILE *f);
void cmd_print_overview(FILE *f);
/* The help of every subcommand of the command word names ("config"); how many. */
int cmd_print_group(const char *word, FILE *f);
char *cmd_full_name(const struct cmd_entry *c);

/* options.c: the global options, for the parser, help and completion. */
struct gopt {
	const char *name;
	char short_name;
	const char *arg;
	const char *help;
	int key; /* getopt's value: the short name, or an OPT_* */
};

enum { OPT_REGISTRY = 256, OPT_FRONTEND, OPT_SOCKET, OPT_URL, OPT_ALL, OPT_INSTANCE,
       OPT_NO_HEADERS, OPT_NO_COLOR, OPT_TIMEOUT, OPT_DRY_RUN, OPT_INTERVAL, OPT_CONTEXT,
       OPT_TOKEN_FILE, OPT_CACERT, OPT_CERT, OPT_KEY, OPT_CMD = 512 };
extern const struct gopt global_opts[];

#endif
