/* Overview: the cluster as a tree (registry -> frontends -> nodes), one row per node with
 * its role, state, version, hit rate, hit tokens and retrieves per second (with a trend),
 * cache usage, plugins and what makes it stand out from its peers (bottleneck.h); below,
 * the selected node's addresses and versions. The cursor here chooses the node the other
 * tabs show; Space marks nodes for actions on many. */
#include "config.h"
#include "top.h"
#include "xalloc.h"

#include <curses.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DETAIL_ROWS 4
#define TREND_LEN 8

enum { O_NAME, O_ROLE, O_STATE, O_VERSION, O_HIT, O_TOK, O_RETR, O_TREND, O_CACHE, O_PLUG,
       O_HINT, O_N };

/* Narrow screens drop the highest prio first (0: never). */
static const struct col cols[O_N] = {
	[O_NAME] = { "NAME", 24, 56, 0, false, false, false },
	[O_ROLE] = { "ROLE", 9, 9, 6, false, false, false },
	[O_STATE] = { "STATE", 5, 9, 0, false, true, false },
	[O_VERSION] = { "VERSION", 7, 16, 7, false, false, false },
	[O_HIT] = { "HIT RATE", 9, 0, 1, true, true, true },
	[O_TOK] = { "HIT TOK/S", 10, 0, 2, true, true, true },
	[O_RETR] = { "RETR/S", 7, 0, 4, true, true, true },
	[O_TREND] = { "TREND", TREND_LEN, TREND_LEN, 5, false, false, false },
	[O_CACHE] = { "CACHE", 8, 0, 3, true, true, true },
	[O_PLUG] = { "PLUGINS", 8, 0, 8, true, false, false },
	[O_HINT] = { "STANDS OUT", 10, 0, 5, false, false, false },
};

/* Sorting by state: the healthy first. */
static double state_rank(const char *st)
{
	static const char *const order[] = { "up", "stale", "...", "down", "gone" };

	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
		if (strcmp(order[i], st) == 0)
			return (double)i;
	return 9;
}

static double last_value(const struct tnode *n, enum spark s)
{
	return n->spark[s][(n->spark_pos + SPARK_LEN - 1) % SPARK_LEN];
}

static void rate_cells(struct row *w, const struct tnode *n)
{
	char num[32], line[4 * TREND_LEN + 1];
	double tok = last_value(n, SP_HIT_TOKENS), retr = last_value(n, SP_RETRIEVES);

	rows_cell(w, O_HIT, n->hit_rate, "%s", human_percent(n->hit_rate, num, sizeof num));
	rows_cell(w, O_TOK, tok, "%s", human_num(tok, num, sizeof num));
	rows_cell(w, O_RETR, retr, "%s", human_num(retr, num, sizeof num));
	sparkline(n->spark[SP_HIT_TOKENS], SPARK_LEN, n->spark_pos, TREND_LEN, line, NULL, NULL);
	rows_cell(w, O_TREND, NAN, "%s", line);
	rows_cell(w, O_CACHE, n->cache_usage, "%s", human_bytes(n->cache_usage, num,
								   sizeof num));
}

/* A node that does not answer now keeps its last numbers, dimmed, with their age. */
static void node_row(struct ui *u, struct rows *r, struct tnode *n)
{
	const char *st = node_state_name(u->m, n);
	const char *hint = strcmp(st, "up") == 0 ? n->hint : NULL; /* of the last round */
	char state[32];
	struct row *w = rows_add(r, strcmp(st, "up") == 0 ? C_NORMAL : state_color(st), n, 1);

	node_state_text(u->m, n, state, sizeof state);
	w->dim = node_is_old(u->m, n);
	w->marked = n->marked;
	rows_cell(w, O_NAME, NAN, "%s", n->id.name);
	rows_cell(w, O_ROLE, NAN, "%s", *n->id.role ? n->id.role : "-");
	rows_cell(w, O_STATE, state_rank(st), "%s", state);
	rows_cell(w, O_VERSION, NAN, "%s", n->version ? n->version : "-");
	rate_cells(w, n);
	if (n->plugins < 0)
		rows_cell(w, O_PLUG, NAN, "-");
	else
		rows_cell(w, O_PLUG, NAN, "%d/%d", n->plugins_running, n->plugins);
	rows_cell(w, O_HINT, NAN, "%s", hint ? hint : "");
	if (hint != NULL && w->color == C_NORMAL)
		w->color = C_WARN;
}

static const struct cl_frontend *frontend_of(const struct model *m, const char *fe)
{
	for (size_t i = 0; i < m->nfrontends; i++)
		if (strcmp(m->frontends[i].url, fe) == 0 ||
		    (m->frontends[i].name && strcmp(m->frontends[i].name, fe) == 0))
			return &m->frontends[i];
	return NULL;
}

static void frontend_head(struct rows *r, const struct model *m, const char *fe)
{
	const struct cl_frontend *f = frontend_of(m, fe);
	const char *err = f ? f->error : NULL;

	rows_head(r, err ? C_BAD : C_DIM, 0, "frontend %s%s%s", *fe ? fe : "(direct)",
		  err ? "  " : "", err ? err : "");
}

/* The index of frontend fe in fes[0..*n), added when new; nodes of one frontend are mostly
 * listed together, so the previous node's (at) is tried first. */
static size_t frontend_index(const char **fes, size_t *n, const char *fe, size_t at)
{
	if (at < *n && strcmp(fes[at], fe) == 0)
		return at;
	for (size_t j = 0; j < *n; j++)
		if (strcmp(fes[j], fe) == 0)
			return j;
	fes[*n] = fe;
	return (*n)++;
}

/* Nodes grouped under their frontend in listing order, then failing frontends without
 * nodes. Each node's name is compared once or twice, not with every frontend's. */
static void build(struct ui *u, struct rows *r)
{
	struct model *m = u->m;
	const char **fes = xcalloc(m->nnodes + m->nfrontends + 1, sizeof *fes);
	size_t *group = xcalloc(m->nnodes + 1, sizeof *group), nfe = 0;

	for (size_t i = 0; i < m->nnodes; i++)
		group[i] = frontend_index(fes, &nfe, m->nodes[i].id.frontend, i ? group[i - 1] : 0);
	for (size_t f = 0; f < nfe; f++) {
		frontend_head(r, m, fes[f]);
		for (size_t i = 0; i < m->nnodes; i++)
			if (group[i] == f)
				node_row(u, r, &m->nodes[i]);
	}
	for (size_t i = 0, k = nfe; i < m->nfrontends; i++)
		if (m->frontends[i].error != NULL &&
		    frontend_index(fes, &k, m->frontends[i].url, 0) >= nfe)
			frontend_head(r, m, m->frontends[i].url);
	free(group);
	free(fes);
}

static void details(struct ui *u, struct tnode *n, int y)
{
	char age[32] = "never";

	if (n == NULL) {
		put_line(y, C_HEAD, " selected: none");
		return;
	}
	if (n->last_ok > 0)
		snprintf(age, sizeof age, "%.1fs ago", node_age(n));
	put_line(y, C_HEAD, " selected: %s", n->id.name);
	put_line(y + 1, C_NORMAL, "   host %s  port %s  instance %s  role %s  health %s",
		 *n->id.host ? n->id.host : "-", *n->id.port ? n->id.port : "-",
		 *n->id.instance ? n->id.instance : "-", *n->id.role ? n->id.role : "-",
		 n->health ? n->health : "-");
	put_line(y + 2, C_NORMAL, "   version %.40s  lmcache %.40s  answered %s%s%.200s",
		 n->version ? n->version : "-", n->lmc_version ? n->lmc_version : "-", age,
		 n->error ? "  error: " : "", n->error ? n->error : "");
	put_line(y + 3, C_DIM, "   url %s%s%s", n->id.url, n->id.socket ? " via " : "",
		 n->id.socket ? n->id.socket : "");
}

static size_t marked(const struct model *m)
{
	size_t k = 0;

	for (size_t i = 0; i < m->nnodes; i++)
		k += m->nodes[i].marked;
	return k;
}

static void source_line(struct ui *u, int y)
{
	struct model *m = u->m;
	size_t k = marked(m);

	put_line(y, C_NORMAL, " %s %s", glyph("●", "*"), m->source);
	if (m->error != NULL)
		put_attr(y, getcurx(stdscr) + 2, C_BAD, true, "%s", m->error);
	if (k > 0)
		put_attr(y, getcurx(stdscr) + 2, C_MARK, true, "%zu marked", k);
}

/* The rows of thousands of nodes cost the screen more than the rest of it together: they are
 * built again when a round ended, a key was pressed, the nodes were listed anew (the rows
 * point at them) or an interval passed (the ages of nodes that do not answer), not for every
 * frame. */
static struct {
	struct rows r;
	bool valid;
	const struct tnode *nodes;
	size_t nnodes;
	unsigned long rounds, keys;
	double when;
} shown;

static struct rows *shown_rows(struct ui *u)
{
	struct model *m = u->m;
	double now = now_mono();

	if (shown.valid && shown.nodes == m->nodes && shown.nnodes == m->nnodes &&
	    shown.rounds == m->rounds && shown.keys == u->keys && now - shown.when < m->interval)
		return &shown.r;
	if (shown.valid) {
		rows_clear(&shown.r);
	} else {
		rows_init(&shown.r, cols, O_N, "nodes");
		shown.r.tree = true;
	}
	build(u, &shown.r);
	shown.valid = true;
	shown.nodes = m->nodes;
	shown.nnodes = m->nnodes;
	shown.rounds = m->rounds;
	shown.keys = u->keys;
	shown.when = now;
	return &shown.r;
}

/* The nodes whose rows are on the screen: the collector refreshes what only they show
 * (plugins) more often. */
static void mark_drawn(struct ui *u, const struct rows *r)
{
	const struct tabstate *ts = ui_ts(u);

	for (int i = ts->top; i >= 0 && i < ts->top + ts->rows_h && (size_t)i < r->n; i++)
		if (r->r[i].data != NULL)
			((struct tnode *)r->r[i].data)->drawn = u->m->rounds + 1;
}

/* The pane of the selected node is always there once nodes are known, so the list does not
 * jump when the selection or the listing changes. */
static void draw(struct ui *u, struct tnode *sel, int y, int h)
{
	struct rows *r = shown_rows(u);
	struct tnode *cur;

	source_line(u, y);
	if (u->m->nnodes > 0)
		h -= DETAIL_ROWS + 1;
	if (u->follow && sel != NULL)
		rows_cursor_to(u, r, sel);
	u->follow = false;
	cur = rows_show(u, r, y + 1, h - 1);
	mark_drawn(u, r);
	if (cur != NULL && cur != sel) {
		ui_select(u, cur->id.name);
		u->follow = false;
		sel = cur;
	}
	if (u->m->nnodes > 0)
		details(u, sel, y + h + 1);
}

static void mark_shown(struct ui *u)
{
	struct rows r;

	rows_init(&r, cols, O_N, "nodes");
	build(u, &r);
	rows_prepare(u, &r);
	for (size_t i = 0; i < r.n; i++)
		if (r.r[i].data != NULL)
			((struct tnode *)r.r[i].data)->marked = true;
	rows_free(&r);
}

/* Space marks the node under the cursor and moves on; a marks every node shown (filter by
 * role or name first), M every node of the cursor node's role, u unmarks all; Enter opens
 * the node's tabs. */
static bool on_key(struct ui *u, struct tnode *n, int key)
{
	struct model *m = u->m;

	if (key == ' ' && n != NULL) {
		n->marked = !n->marked;
		rows_key(u, KEY_DOWN);
	} else if (key == 'a') {
		mark_shown(u);
	} else if (key == 'M' && n != NULL) {
		for (size_t i = 0; i < m->nnodes; i++) /* every node of this node's role */
			m->nodes[i].marked |= strcmp(m->nodes[i].id.role, n->id.role) == 0;
	} else if (key == 'u') {
		for (size_t i = 0; i < m->nnodes; i++)
			m->nodes[i].marked = false;
	} else if ((key == '\r' || key == '\n' || key == KEY_ENTER) && n != NULL) {
		int back = u->tab;

		ui_show_tab(u, 1);
		u->back_tab = back;
	} else {
		return false;
	}
	return true;
}

static const struct keybind keys[] = {
	{ "Up Down j k", "choose the node the other tabs show" },
	{ "Enter", "open the node's tabs (Esc comes back)" },
	{ "Space", "mark / unmark the node (actions in LogLevel and Config go to marked nodes)" },
	{ "a u", "mark every node shown (filter by role or name first) / unmark all" },
	{ "M", "mark every node with the role of the one under the cursor" },
	{ NULL, NULL },
};

const struct tab tab_overview = {
	.name = "Overview",
	.key = '1',
	.path = NULL,
	.parse = NULL,
	.draw = draw,
	.on_key = on_key,
	.keys = keys,
	.all_nodes = true,
};
