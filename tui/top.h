/* lmcache-top: shared types. The collector (collect.c) fills the model (model.c) from the
 * network in its own thread; the screen loop (main.c) draws the model under its lock and
 * handles keys (keys.c), each tab (tab-*.c) a const vtable in tab_table[] (tabs.c). */
#ifndef LMC_TUI_TOP_H
#define LMC_TUI_TOP_H

#include "cluster.h"
#include "prom.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define NTABS 7
#define SPARK_LEN 60
#define MIN_COLS 60
#define MIN_ROWS 12
#define STATUS_SECONDS 15.0

/* The main LMCache series kept as history for sparklines (model.c). */
enum spark { SP_HIT_RATE, SP_HIT_TOKENS, SP_RETRIEVES, SP_CACHE, NSPARK };

enum node_state { NS_UNKNOWN, NS_UP, NS_DOWN };

/* What a node last answered for one tab. */
struct tab_data {
	json_t *doc;	   /* parsed by the tab's parse hook, or NULL */
	char *error;	   /* why the last fetch failed, or NULL */
	double when;	   /* monotonic time of the last answer, 0: never */
	json_t *prev;	   /* the answer before, for rates (thread CPU), or NULL */
	double prev_when;
};

struct tnode {
	struct cl_node id;	/* name, role, frontend, url, socket... */
	bool listed;		/* in the latest listing */
	enum node_state state;
	char *error;		/* last failure, or NULL */
	double last_ok;		/* monotonic seconds, 0: never */
	char *version, *lmc_version;
	int plugins;		/* plugins for this node (not skipped), -1: unknown */
	int plugins_running;
	struct prom_exposition metrics, prev; /* this and the previous scrape, for rates */
	double t_metrics, t_prev;
	double hit_rate, hit_tokens, cache_usage; /* of the latest scrape, NAN: absent */
	double spark[NSPARK][SPARK_LEN]; /* ring; NAN: no value */
	size_t spark_pos;
	struct tab_data tab[NTABS];
};

/* A request the UI asks the collector to send (set a log level, a config value). */
struct action {
	char *node;	/* node name */
	char *method;
	char *path;
	char *body;	/* NULL: none */
	char *what;	/* for the status line */
};

struct model {
	pthread_mutex_t lock;
	struct tnode *nodes;
	size_t nnodes;
	struct cl_frontend *frontends;
	size_t nfrontends;
	char *source;	 /* what is shown as the root of the tree */
	char *error;	 /* listing failure, or NULL */
	unsigned long rounds;
	/* set by the UI, read by the collector */
	int tab;
	char *selected;
	struct action *pending;
	double interval; /* seconds */
	bool paused, refresh_now, stop;
	char *status;	 /* result of the last action, or NULL */
	bool status_bad;
	double status_when; /* shown for STATUS_SECONDS */
	pthread_cond_t wake;
	int notify_fd;	 /* written when something changed (a pipe to the screen loop) */
};

/* model.c */
void model_init(struct model *m, const char *source, int notify_fd);
void model_free(struct model *m);
/* Merges a listing (taken) into the nodes: new nodes added, missing ones kept unlisted. */
void model_merge(struct model *m, struct cl_listing *l);
struct tnode *model_find(struct model *m, const char *name);
void node_metrics(struct tnode *n, const char *text, size_t len, double now);
void node_fail(struct tnode *n, const char *why);
void node_ok(struct tnode *n, double now);
void model_status(struct model *m, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void model_notify(struct model *m);
/* Sums over the node's latest scrape for the overview columns; NAN when absent. */
double node_hit_rate(const struct tnode *n);
double node_hit_tokens(const struct tnode *n);
double node_cache_usage(const struct tnode *n);
/* Rates per second between the last two scrapes, NAN when unknown: of one sample (same
 * name and labels in both), or of every sample called name, summed. */
double node_rate(const struct tnode *n, const struct prom_sample *s);
double node_rate_sum(const struct tnode *n, const char *name);
/* name{label="value",...} of a sample; caller frees. */
char *sample_series(const struct prom_sample *s);
double now_mono(void);
void action_free(struct action *a);

/* collect.c */
struct collector;
struct collector *collector_start(struct model *m, const struct cl_source *src);
void collector_stop(struct collector *c);

/* Options (main.c). */
struct topts {
	struct cl_source src;
	bool color, unicode, readonly;
	double delay;
	long max_iterations; /* 0: run until quit */
};

/* The screen state of the UI thread. */
enum mode { M_NORMAL, M_HELP, M_INPUT, M_MENU, M_CONFIRM, M_DETAIL };

struct ui;
typedef void (*input_done_fn)(struct ui *u, const char *text);

struct ui {
	struct model *m;
	const struct topts *o;
	int tab;
	int cursor[NTABS], top[NTABS]; /* row cursor and first shown row per tab */
	char *filter[NTABS];
	enum mode mode;
	/* M_INPUT */
	char input[256];
	const char *input_label;
	input_done_fn input_done;
	/* M_MENU and M_CONFIRM */
	const char *const *menu;
	int menu_pos;
	input_done_fn menu_done;
	char *confirm;
	struct action *confirm_action;
	/* M_DETAIL: lines shown over the tab */
	char **detail;
	size_t ndetail;
	int detail_top;
	char *detail_title;
	char *cur_key;	/* the key of the row under the cursor (logger, config key), copied */
	char *edit_key;	/* the row an edit or menu is about */
	bool follow;	/* Overview: move the cursor to the selected node */
	int dir;	/* direction of the last cursor move: 1 down, -1 up */
	bool quit;
	int rows, cols;
};

/* A tab: const vtable (tabs.c holds tab_table[]). */
struct keybind {
	const char *keys; /* as shown in help */
	const char *help;
};

struct tab {
	const char *name;
	int key; /* '1'..'7' */
	/* What to GET from the selected node for this tab, or NULL (Overview: nothing extra). */
	const char *path;
	/* Turns the body into the document drawn; NULL with cause. */
	json_t *(*parse)(const char *body, size_t len, char **cause);
	/* Rows of the tab for the selected node (lines to draw and filter over). */
	void (*draw)(struct ui *u, struct tnode *n, int y, int h);
	/* A key the global table did not take; true when used. */
	bool (*on_key)(struct ui *u, struct tnode *n, int key);
	const struct keybind *keys; /* for help, {NULL} terminated */
};

extern const struct tab *const tab_table[NTABS];
extern const struct tab tab_overview, tab_metrics, tab_threads, tab_loglevel, tab_config,
	tab_meta, tab_inference;

/* screen.c */
void screen_init(const struct topts *o);
void screen_end(void);
enum pair { C_NORMAL, C_TITLE, C_TAB, C_TABSEL, C_HEAD, C_SEL, C_OK, C_BAD, C_DIM, C_WARN };
void put_attr(int y, int x, enum pair c, bool bold, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
void put_line(int y, enum pair c, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *glyph(const char *utf8, const char *ascii);
/* Draws into the curses buffer; draw_frame also sends it to the terminal. */
void compose_frame(struct ui *u);
void draw_frame(struct ui *u);
/* A sparkline of v (ring from pos) into buf (>= 4 * width + 1 bytes). */
void sparkline(const double *v, size_t n, size_t pos, int width, char *buf);
char *human_bytes(double v, char *buf, size_t len);
char *human_num(double v, char *buf, size_t len);

/* keys.c */
void keys_handle(struct ui *u, int key);
void help_draw(struct ui *u);

/* list.c: a scrolling, filterable list of text rows for the tabs. */
struct rows {
	char **text;
	enum pair *color;
	void **data;
	size_t n;
	bool filtered;
};
void rows_add(struct rows *r, enum pair c, void *data, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void rows_free(struct rows *r);
/* Applies the tab's filter now (rows_show does it otherwise). */
void rows_apply_filter(struct ui *u, struct rows *r);
/* Keeps only rows matching the tab's filter (header rows, data == NULL, stay when any row
 * under them stays), clamps the cursor, draws rows in [y, y + h). Returns the data of the
 * row under the cursor. */
void *rows_show(struct ui *u, struct rows *r, int y, int h, const char *header);
bool rows_key(struct ui *u, int key, int nrows);

/* prompt.c */
void prompt_start(struct ui *u, const char *label, const char *init, input_done_fn done);
void menu_start(struct ui *u, const char *const *items, int pos, input_done_fn done);
/* Asks before sending a (taken); refused in --readonly. */
void confirm_action(struct ui *u, struct action *a, const char *question);
void prompt_key(struct ui *u, int key);
void prompt_draw(struct ui *u);
void detail_show(struct ui *u, const char *title, char **lines, size_t n);
void detail_free(struct ui *u);

/* tabs.c: helpers of the tab files. */
/* The node line above a node's tab; returns the rows it used. */
int node_header(struct ui *u, struct tnode *n, int y);
/* A tab's document as rows ("a.b: value"), objects as header rows. */
void rows_json(struct rows *r, const json_t *v, const char *prefix);
void ui_set_key(struct ui *u, const char *key);
const char *node_state_name(const struct model *m, const struct tnode *n);
/* A tab's standard body: node line, error line, then the rows with the cursor. */
void *tab_rows(struct ui *u, struct tnode *n, struct rows *r, int y, int h, const char *head);
json_t *parse_json_doc(const char *body, size_t len, char **cause);
/* draw of a tab that shows its JSON document as rows (Meta, Inference). */
void tab_json_draw(struct ui *u, struct tnode *n, int y, int h);
/* on_key of a tab without keys of its own. */
bool tab_no_key(struct ui *u, struct tnode *n, int key);

/* The node the tabs show (the Overview cursor); NULL when none. Caller holds the lock. */
struct tnode *ui_selected(struct ui *u);
void ui_select(struct ui *u, const char *name);

#endif
