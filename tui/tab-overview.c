/* Overview: the cluster as a tree (registry -> frontends -> nodes), one row per node with its
 * role, state, version, hit rate, hit tokens, cache usage and plugins; below, the selected
 * node's addresses and versions. The cursor here chooses the node the other tabs show. */
#include "config.h"
#include "top.h"
#include "xalloc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DETAIL_ROWS 4
#define NAME_CELLS 36

/* Pads s with spaces to `cells` screen columns: printf's %-36s counts bytes, and the tree's
 * glyphs take several bytes for one column. */
static void pad_cells(char *s, size_t size, int cells)
{
	int used = 0;
	size_t len = strlen(s);

	for (const char *p = s; *p; p++)
		used += ((unsigned char)*p & 0xC0) != 0x80;
	while (used++ < cells && len + 1 < size)
		s[len++] = ' ';
	s[len] = '\0';
}

/* fe_last: the node's frontend is the last branch of the tree, so no rail runs past it. */
static void node_row(struct ui *u, struct rows *r, struct tnode *n, bool fe_last, bool last)
{
	char name[96], rate[16], tok[16], cache[16], plug[24];
	const char *st = node_state_name(u->m, n);
	double hr = node_hit_rate(n);
	enum pair c = strcmp(st, "up") == 0 ? C_NORMAL : strcmp(st, "stale") == 0 ? C_WARN
		: strcmp(st, "...") == 0 ? C_DIM : C_BAD;

	snprintf(name, sizeof name, "%s%s %s", fe_last ? "   " : glyph("│  ", "|  "),
		 last ? glyph("└─", "`-") : glyph("├─", "|-"), n->id.name);
	pad_cells(name, sizeof name, NAME_CELLS);
	snprintf(rate, sizeof rate, isnan(hr) ? "-" : "%.1f%%", hr * 100);
	human_num(node_hit_tokens(n), tok, sizeof tok);
	human_bytes(node_cache_usage(n), cache, sizeof cache);
	if (n->plugins < 0)
		snprintf(plug, sizeof plug, "-");
	else
		snprintf(plug, sizeof plug, "%d/%d", n->plugins_running, n->plugins);
	rows_add(r, c, n, " %s %-9s %-6s %-14s %8s %10s %11s %7s", name,
		 *n->id.role ? n->id.role : "-", st, n->version ? n->version : "-", rate, tok,
		 cache, plug);
}

static const char *frontend_error(const struct model *m, const char *fe)
{
	for (size_t i = 0; i < m->nfrontends; i++)
		if (strcmp(m->frontends[i].url, fe) == 0)
			return m->frontends[i].error;
	return NULL;
}

/* One frontend's header and nodes, in listing order. */
static void frontend_rows(struct ui *u, struct rows *r, const char *fe, bool fe_last)
{
	struct model *m = u->m;
	const char *err = frontend_error(m, fe);
	size_t last = m->nnodes;

	rows_add(r, err ? C_BAD : C_DIM, NULL, " %s frontend %s%s%s",
		 fe_last ? glyph("└─", "`-") : glyph("├─", "|-"), *fe ? fe : "(direct)",
		 err ? "  " : "", err ? err : "");
	for (size_t i = 0; i < m->nnodes; i++)
		if (strcmp(m->nodes[i].id.frontend, fe) == 0)
			last = i;
	for (size_t i = 0; i < m->nnodes; i++)
		if (strcmp(m->nodes[i].id.frontend, fe) == 0)
			node_row(u, r, &m->nodes[i], fe_last, i == last);
}

static bool has_nodes(const struct model *m, const char *fe)
{
	for (size_t i = 0; i < m->nnodes; i++)
		if (strcmp(m->nodes[i].id.frontend, fe) == 0)
			return true;
	return false;
}

/* The tree's branches in order: frontends as their nodes come in the listing, then failing
 * frontends that have no known nodes. Returns how many were stored in fes. */
static size_t branches(const struct model *m, const char **fes, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nnodes && n < max; i++) {
		size_t j = 0;

		while (j < n && strcmp(fes[j], m->nodes[i].id.frontend) != 0)
			j++;
		if (j == n)
			fes[n++] = m->nodes[i].id.frontend;
	}
	for (size_t i = 0; i < m->nfrontends && n < max; i++)
		if (m->frontends[i].error != NULL && !has_nodes(m, m->frontends[i].url))
			fes[n++] = m->frontends[i].url;
	return n;
}

static void build(struct ui *u, struct rows *r)
{
	struct model *m = u->m;
	size_t max = m->nnodes + m->nfrontends, n;
	const char **fes = xcalloc(max ? max : 1, sizeof *fes);

	n = branches(m, fes, max);
	for (size_t i = 0; i < n; i++)
		frontend_rows(u, r, fes[i], i + 1 == n);
	free(fes);
}

static void details(struct ui *u, struct tnode *n, int y)
{
	char age[32] = "never";

	if (n->last_ok > 0)
		snprintf(age, sizeof age, "%.1fs ago", now_mono() - n->last_ok);
	put_line(y, C_HEAD, " selected: %s", n->id.name);
	put_line(y + 1, C_NORMAL, "   host %s  port %s  instance %s  role %s",
		 *n->id.host ? n->id.host : "-", *n->id.port ? n->id.port : "-",
		 *n->id.instance ? n->id.instance : "-", *n->id.role ? n->id.role : "-");
	put_line(y + 2, C_NORMAL, "   version %s  lmcache %s  answered %s%s%s",
		 n->version ? n->version : "-", n->lmc_version ? n->lmc_version : "-", age,
		 n->error ? "  error: " : "", n->error ? n->error : "");
	put_line(y + 3, C_DIM, "   url %s%s%s", n->id.url, n->id.socket ? " via " : "",
		 n->id.socket ? n->id.socket : "");
}

/* After n/p, the cursor follows the selection. */
static void follow(struct ui *u, struct rows *r, struct tnode *sel)
{
	if (!u->follow)
		return;
	u->follow = false;
	rows_apply_filter(u, r);
	for (size_t i = 0; i < r->n; i++)
		if (r->data[i] == sel)
			u->cursor[u->tab] = (int)i;
}

/* The cursor rests on nodes only: off a frontend line, in the direction it moved. */
static void skip_headers(struct ui *u, struct rows *r)
{
	int *cur = &u->cursor[u->tab], n;

	rows_apply_filter(u, r);
	n = (int)r->n;
	if (*cur >= n)
		*cur = n - 1;
	for (int d = u->dir < 0 ? -1 : 1, tries = 0; tries < 2; tries++, d = -d)
		for (int i = *cur; i >= 0 && i < n; i += d)
			if (r->data[i] != NULL) {
				*cur = i;
				return;
			}
}

static void draw(struct ui *u, struct tnode *sel, int y, int h)
{
	struct rows r = { 0 };
	char head[160];
	struct tnode *cur;

	put_line(y, C_NORMAL, " %s %s", glyph("●", "*"), u->m->source);
	if (u->m->error != NULL)
		put_attr(y, 3 + (int)strlen(u->m->source) + 2, C_BAD, true, "%s", u->m->error);
	snprintf(head, sizeof head, " %-36s %-9s %-6s %-14s %8s %10s %11s %7s", "NAME", "ROLE",
		 "STATE", "VERSION", "HIT RATE", "HIT TOKENS", "CACHE USAGE", "PLUGINS");
	build(u, &r);
	if (sel != NULL) {
		follow(u, &r, sel);
		h -= DETAIL_ROWS + 1;
	}
	skip_headers(u, &r);
	cur = rows_show(u, &r, y + 1, h - 1, head);
	if (cur != NULL && cur != sel) {
		ui_select(u, cur->id.name);
		u->follow = false;
		sel = cur;
	}
	if (sel != NULL)
		details(u, sel, y + h + 1);
	rows_free(&r);
}

static const struct keybind keys[] = {
	{ "Up Down j k", "choose the node the other tabs show" },
	{ NULL, NULL },
};

const struct tab tab_overview = {
	.name = "Overview",
	.key = '1',
	.path = NULL,
	.parse = NULL,
	.draw = draw,
	.on_key = tab_no_key,
	.keys = keys,
};
