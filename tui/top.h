/* lmcache-top: shared types. The collector (collect.c) fills the model (model.c) from the
 * network in its own thread; the screen loop (main.c) draws the model under its lock and
 * handles keys (keys.c), each tab (tab-*.c) a const vtable in tab_table[] (tabs.c). */
#ifndef LMC_TUI_TOP_H
#define LMC_TUI_TOP_H

#include "cluster.h"
#include "draw.h"
#include "prom.h"

#include <jansson.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#define SPARK_LEN 60
#define MIN_COLS 60
#define MIN_ROWS 12
#define STATUS_SECONDS 15.0
#define CELL_MAX 256 /* bytes of one field in a table: a 110 KB version stays cheap */
#define FIELD_MAX 200 /* bytes of a node's text kept for display (version, error) */

/* The main LMCache series kept as history for sparklines (model.c). */
enum spark { SP_HIT_RATE, SP_HIT_TOKENS, SP_RETRIEVES, SP_CACHE, NSPARK };

enum node_state { NS_UNKNOWN, NS_UP, NS_DOWN };

/* What a node's scrape costs between scrapes (summary.c): the sum of every sample of each of
 * a few names, those the Overview shows (hit rate, hit tokens, retrieves, cache usage) and
 * its hints compare (bottleneck.h). A node's whole exposition is kept only while a tab shows
 * it (the selected node). */
#define SUMMARY_MAX 24
struct summary {
	double v[SUMMARY_MAX]; /* by summary_index(); NAN: no sample of that name */
	double when;	       /* monotonic time of the scrape; 0: none */
};

/* What a node last answered for one tab. */
struct tab_data {
	json_t *doc;	   /* parsed by the tab's parse hook, or NULL */
	char *error;	   /* why the last fetch failed, or NULL */
	double when;	   /* monotonic time of the last answer, 0: never */
	json_t *prev;	   /* the answer before, for rates (thread CPU), or NULL */
	double prev_when;
	bool fallback;	   /* the node refused the tab's path: ask its fallback_path */
};

struct tnode {
	struct cl_node id;	/* name, role, frontend, url, socket... */
	bool listed;		/* in the latest listing */
	enum node_state state;
	char *error;		/* last failure, or NULL */
	double last_ok;		/* monotonic seconds, 0: never */
	char *version, *lmc_version;
	char *health;		/* "healthy", "unhealthy: ...", "unknown (...)"; NULL: not asked */
	const char *health_path; /* /healthcheck, LMCache's multi-process /api/healthcheck, or
				  * NULL once neither exists */
	int plugins;		/* plugins for this node (not skipped), -1: unknown */
	int plugins_running;
	unsigned long plugins_asked; /* the round /plugins was last asked + 1; 0: never */
	unsigned long drawn;	/* the round its Overview row was last on the screen + 1 */
	struct summary sum, sum_prev; /* the last two scrapes, for rates */
	/* The whole /metrics, this and the previous one, only for the selected node (the
	 * Metrics tab); empty for the others. */
	struct prom_exposition metrics, prev;
	double t_metrics, t_prev;
	double hit_rate, hit_tokens, cache_usage; /* of the latest scrape, NAN: absent */
	char *hint;	/* what makes it stand out from its peers (bottleneck.h), or NULL */
	char *source;	/* where its frontend's merged /metrics is (collect.c), or NULL */
	int src;	/* the collector's: its source this round, -1: asked on its own */
	bool covered;	/* the collector's: its source's answer named it this round */
	int slot;	/* scrape.c's, while it reads an answer; -1 otherwise */
	double spark[NSPARK][SPARK_LEN]; /* ring; NAN: no value */
	size_t spark_pos;
	struct tab_data *tab; /* one per tab (model.ntabs) */
	bool marked;	/* Space in the Overview: bulk actions go to every marked node */
};

/* A request the UI asks the collector to send (set a log level, a config value). */
struct action {
	char *node;	/* node name */
	char *method;
	char *path;
	char *body;	/* NULL: none */
	char *what;	/* for the status line */
	struct action *next; /* a bulk action: one request per node */
};

/* Node names to indexes in model.nodes (model.c). */
struct name_index {
	size_t *slot; /* index + 1; 0: empty */
	size_t mask;
};

struct model {
	pthread_mutex_t lock;
	struct tnode *nodes;
	size_t nnodes;
	struct name_index index; /* of nodes, rebuilt by each listing */
	struct cl_frontend *frontends;
	size_t nfrontends;
	char *source;	 /* what is shown as the root of the tree */
	char *error;	 /* listing failure, or NULL */
	bool registry_down; /* the last listing failed: the nodes are the last known ones */
	int ntabs;
	unsigned long rounds;
	/* set by the UI, read by the collector */
	int tab;
	char *selected;
	struct action *pending;
	double interval; /* seconds */
	bool paused, refresh_now, stop;
	bool relist_now; /* the next round reads the node listing anew (the refresh key) */
	char *status;	 /* result of the last action, or NULL */
	char **results;	 /* per node results of the last bulk action */
	bool results_ready; /* new results the screen has not shown yet */
	size_t nresults;
	bool status_bad;
	double status_when; /* shown for STATUS_SECONDS */
	pthread_cond_t wake;
	int notify_fd;	 /* written when something changed (a pipe to the screen loop) */
};

/* model.c */
void top_model_init(struct model *m, const char *source, int notify_fd, int ntabs);
void top_model_free(struct model *m);
/* Merges a listing (taken) into the nodes: new nodes added, missing ones kept unlisted. */
void top_model_merge(struct model *m, struct cl_listing *l);
struct tnode *top_model_find(struct model *m, const char *name);
/* A node's own /metrics: its summary when summarise (the collector did not get one from its
 * frontend), the whole exposition when keep (the selected node). */
void node_metrics(struct tnode *n, const char *text, size_t len, double now, bool summarise,
		  bool keep);
/* A new summary of a node's scrape: figures, sparklines, rates. */
void node_summary(struct tnode *n, const struct summary *s);
/* Frees the whole exposition of a node no tab shows. */
void node_drop_full(struct tnode *n);
/* Recomputes every node's hint (once a round, not once a frame). */
void top_model_hints(struct model *m);
const char *node_state_name(const struct model *m, const struct tnode *n);
void node_fail(struct tnode *n, const char *why);
/* The first FIELD_MAX bytes of s (whole characters), "..." when cut; caller frees. */
char *text_bounded(const char *s, size_t len);
/* Replaces *field by text (taken), bounded. */
void node_set_text(char **field, char *text);
void node_ok(struct tnode *n, double now);
/* Seconds since the node last answered, NAN when never. */
double node_age(const struct tnode *n);
void top_model_status(struct model *m, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void top_model_notify(struct model *m);
/* Rates per second between the last two scrapes, NAN when unknown: of one sample of the
 * whole exposition (same name and labels in both), or of every sample called name, summed
 * (a name the summary keeps). */
double node_rate(const struct tnode *n, const struct prom_sample *s);
double node_rate_sum(const struct tnode *n, const char *name);
double now_mono(void);
void action_free(struct action *a); /* and the ones after it */
void top_model_result(struct model *m, bool bad, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
void top_model_results_clear(struct model *m);

/* summary.c */
/* The index of a sample name in a summary, -1 when it keeps none; *hint (start at 0) makes a
 * run of the same name cost one comparison. */
int summary_index(const char *name, int *hint);
size_t summary_count(void);
const char *summary_name(size_t i);
void summary_clear(struct summary *s, double when);
void summary_add(struct summary *s, int i, double v);
/* The summary of one node's whole exposition. */
void summary_of(struct summary *s, const struct prom_exposition *e, double when);
/* The sum kept for name, NAN when none. */
double summary_get(const struct summary *s, const char *name);

/* scrape.c */
/* Where the merged /metrics of the frontend that reaches n is (n's URL without its last
 * /proxy2/<name>), NULL for a node reached directly. Caller frees. */
char *node_source_of(const struct tnode *n);
/* The path and query of a merged /metrics with only the names the summaries keep. */
char *scrape_path(void);
/* Reads the merged exposition e (text, len: its text) of source src into the nodes whose
 * src it is: state, error, summary; sets covered on each node it names, and *unlisted when
 * it names a node the listing does not have. False when e is no merged exposition (no
 * lmcache_frontend_node_up). */
bool scrape_apply(struct model *m, int src, const struct prom_exposition *e, const char *text,
		  size_t len, double now, bool *unlisted);

/* collect.c */
struct tab;
struct collector;
struct collector *collector_start(struct model *m, const struct cl_source *src,
				  const struct tab *const *tabs);
void collector_stop(struct collector *c);

/* Options (main.c). */
struct topts {
	struct cl_source src;
	bool color, unicode, readonly, mouse;
	double delay;
	long max_iterations; /* 0: run until quit */
};

/* The screen state of the UI thread. */
enum mode { M_NORMAL, M_HELP, M_INPUT, M_MENU, M_CONFIRM, M_DETAIL };

#define MAX_COLS 12

/* What one tab remembers: cursor, scroll, filter, sort, and where its table was last drawn
 * (for the mouse). */
struct tabstate {
	int cursor, top, hscroll;
	char *filter;
	int sort;	/* column index + 1; 0: the tab's own order */
	bool desc;	/* I: the sort column's direction inverted */
	int head_y, rows_y, rows_h; /* screen lines of the header and rows; -1: none */
	int colx[MAX_COLS + 1];	    /* screen column where each shown column starts */
	int colid[MAX_COLS];	    /* the table column shown there */
	int ncolx;
	int jump;		    /* n/N: to the next (1) or previous (-1) match at the next draw */
};

struct ui;
typedef void (*input_done_fn)(struct ui *u, const char *text);

struct ui {
	struct model *m;
	const struct topts *o;
	const struct tab *const *tabs; /* the tab table (tab-table.c) */
	int ntabs;
	int tab;
	struct tabstate *ts; /* one per tab */
	enum mode mode;
	/* M_INPUT */
	char input[256];
	const char *input_label;
	input_done_fn input_done;
	/* M_MENU and M_CONFIRM */
	const char *const *menu;
	int menu_pos;
	char *menu_title;
	input_done_fn menu_done;
	char **confirm;	/* the question, then one line per node (bulk) */
	size_t nconfirm;
	struct action *confirm_action;
	/* M_DETAIL: lines shown over the tab */
	char **detail;
	size_t ndetail;
	int detail_top;
	char *detail_title;
	char *cur_key;	/* the key of the row under the cursor (logger, config key), copied */
	char *edit_key;	/* the row an edit or menu is about */
	char *expanded;	/* Metrics: the family expanded with Enter, or NULL */
	int back_tab;	/* Esc in a tab reached by Enter on a node goes back here; -1: none */
	bool follow;	/* Overview: move the cursor to the selected node */
	int dir;	/* direction of the last cursor move: 1 down, -1 up */
	bool quit;
	int rows, cols;
	unsigned long keys; /* keys handled so far: what a tab caches is stale after one */
};

/* A tab: const vtable (tabs.c holds tab_table[]). */
struct keybind {
	const char *keys; /* as shown in help */
	const char *help;
};

struct tab {
	const char *name;
	int key; /* the key that shows it ('1'...) */
	/* What to GET from the selected node for this tab, or NULL (Overview: nothing extra). */
	const char *path;
	/* What to GET instead from a node that answers path 4xx (an older server), or NULL. */
	const char *fallback_path;
	/* Turns the body into the document drawn; NULL with cause. */
	json_t *(*parse)(const char *body, size_t len, char **cause);
	/* Rows of the tab for the selected node (lines to draw and filter over). */
	void (*draw)(struct ui *u, struct tnode *n, int y, int h);
	/* A key the global table did not take; true when used. */
	bool (*on_key)(struct ui *u, struct tnode *n, int key);
	const struct keybind *keys; /* for help, {NULL} terminated */
	/* Shows every node (the Overview): the collector asks all of them for /metrics,
	 * /version and /plugins, not only the selected one. */
	bool all_nodes;
};

/* tab-table.c */
extern const struct tab *const tab_table[];
extern const int ntabs;
extern const struct tab tab_overview, tab_metrics, tab_threads, tab_loglevel, tab_config,
	tab_meta, tab_inference;
/* The tab shown by key, or -1. */
int tab_by_key(int key);

/* frame.c: the whole screen from the UI state: title, tab bar, tab, status, overlays. */
void compose_frame(struct ui *u);
void draw_frame(struct ui *u);

/* keys.c */
void keys_handle(struct ui *u, int key);
void help_draw(struct ui *u);
/* A mouse event (KEY_MOUSE) at a screen position. */
void mouse_handle(struct ui *u);

/* list.c: the table every tab draws: columns that size to their content and shrink or drop
 * by priority when the terminal is narrow, rows in levels (a header, its items, their
 * sub-items) that sort by any column within their level, a filter that keeps the context of
 * what matches, a cursor on data rows, horizontal scroll, and a pane with the whole text of
 * a row that does not fit. */
struct col {
	const char *title;
	int min, max;	/* columns; max 0: no limit */
	int prio;	/* 0: always shown; higher numbers are dropped first on a narrow screen */
	bool right;	/* numbers: aligned right */
	bool num;	/* sorts by the key given with the cell, not the text */
	bool desc;	/* sorted high to low first (rates, CPU) */
};

struct row {
	char *cell[MAX_COLS]; /* NULL past the row's cells; a header row has only cell[0] */
	double key[MAX_COLS];
	enum pair color;
	bool dim;	/* a down or gone node: its numbers are old */
	bool match;	/* matches the filter (n/N jump between these) */
	bool marked;
	bool span;	/* a data row drawn as one text across the line (a family) */
	bool last, parent_last; /* tree rails (list.c) */
	int depth;	/* 0: top level; rows below a row at depth d have depth > d */
	void *data;	/* NULL: a header the cursor does not rest on */
};

struct rows {
	const struct col *cols;
	int ncols;
	const char *unit; /* "nodes", "rows": the filter line counts data rows in it */
	bool tree;	  /* draw tree rails for depth 1 rows (the Overview) */
	struct row *r;
	size_t n, cap;
	size_t total;	  /* data rows before the filter */
	bool filtered;
	bool old;	  /* the node does not answer now: every row is dimmed */
};

void rows_init(struct rows *r, const struct col *cols, int ncols, const char *unit);
/* A header row spanning the line. */
void rows_head(struct rows *r, enum pair c, int depth, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* A data row; then rows_cell for its cells, left to right. */
struct row *rows_add(struct rows *r, enum pair c, void *data, int depth);
void rows_cell(struct row *w, int col, double key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void rows_free(struct rows *r);
/* Empties r for a rebuild, keeping its rows' memory: the Overview's 4,000 rows are a
 * megabyte, which freed and grown again each round cost a page fault per page. */
void rows_clear(struct rows *r);
/* Sorts and filters now (rows_show does it otherwise). */
void rows_prepare(struct ui *u, struct rows *r);
/* Draws rows in [y, y + h): header, rows, the filter line and the detail pane of a row that
 * does not fit. Returns the data of the row under the cursor. */
void *rows_show(struct ui *u, struct rows *r, int y, int h);
/* Moves the cursor (j, k, PgDn, ...; n/N to matches); true when key was one of these. */
bool rows_key(struct ui *u, int key);
/* Puts the cursor on the row holding data; false when it is not shown. */
bool rows_cursor_to(struct ui *u, struct rows *r, const void *data);
struct tabstate *ui_ts(struct ui *u);

/* prompt.c */
void prompt_start(struct ui *u, const char *label, const char *init, input_done_fn done);
/* A menu titled title (copied); items stay the caller's. */
void menu_start(struct ui *u, const char *title, const char *const *items, int pos,
		input_done_fn done);
/* Asks before sending a (taken, with its ->next chain); refused in --readonly. Lines: one
 * per node, shown under the question. */
void confirm_action(struct ui *u, struct action *a, const char *question, char **lines,
		    size_t nlines);
void prompt_key(struct ui *u, int key);
void prompt_draw(struct ui *u);
void detail_show(struct ui *u, const char *title, char **lines, size_t n);
void detail_free(struct ui *u);

/* tabs.c: helpers of the tab files. */
/* The node line above a node's tab; returns the rows it used. */
int node_header(struct ui *u, struct tnode *n, int y);
/* A tab's document as rows (field, value), objects as header rows. */
void rows_json(struct rows *r, const json_t *v, const char *prefix);
void ui_set_key(struct ui *u, const char *key);
/* "down 12s": the state and, for a node not answering now, the age of its last answer. */
void node_state_text(const struct model *m, const struct tnode *n, char *buf, size_t len);
enum pair state_color(const char *state);
/* Down or gone: what is shown of it is its last answer, drawn dimmed. */
bool node_is_old(const struct model *m, const struct tnode *n);
/* A tab's standard body: node line, error line, then the rows with the cursor. */
void *tab_rows(struct ui *u, struct tnode *n, struct rows *r, int y, int h);
/* draw of a tab that shows its JSON document as rows (Meta, Inference). */
void tab_json_draw(struct ui *u, struct tnode *n, int y, int h);
/* on_key of a tab without keys of its own. */
bool tab_no_key(struct ui *u, struct tnode *n, int key);
/* The text of a JSON scalar as the node sent it (floats shortest, strings bare); caller
 * frees. */
char *value_text(const json_t *v);
/* The nodes an action goes to: the marked ones, else the selected one. Caller frees the
 * array (not the nodes). */
struct tnode **action_targets(struct ui *u, size_t *n);
/* The per node results of the last action on marked nodes, over the tab. */
void ui_show_results(struct ui *u);
struct action *action_new(const char *node, const char *method, char *path, char *body,
			  char *what);

/* The node the tabs show (the Overview cursor); NULL when none. No side effects. */
struct tnode *ui_selected(const struct ui *u);
/* Makes the selection name a listed node: the first one when it names none. */
void ui_fix_selection(struct ui *u);
void ui_select(struct ui *u, const char *name);
/* Shows tab t and has the collector fetch what it needs now. */
void ui_show_tab(struct ui *u, int t);

#endif
