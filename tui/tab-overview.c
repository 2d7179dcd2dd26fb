/* Overview: the cluster as a tree (registry -> frontends -> nodes), one row per node with its
 * role, state, version, hit rate, hit tokens, cache usage and plugins; below, the selected
 * node's addresses and versions. The cursor here chooses the node the other tabs show. */
#include "config.h"
#include "top.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DETAIL_ROWS 4

static void node_row(struct ui *u, struct rows *r, struct tnode *n, bool last)
{
	char name[64], rate[16], tok[16], cache[16], plug[24];
	const char *st = node_state_name(u->m, n);
	double hr = node_hit_rate(n);
	enum pair c = strcmp(st, "up") == 0 ? C_NORMAL : strcmp(st, "stale") == 0 ? C_WARN
		: strcmp(st, "...") == 0 ? C_DIM : C_BAD;

	snprintf(name, sizeof name, "%s%s %s", glyph("   ", "   "),
		 last ? glyph("└─", "`-") : glyph("├─", "|-"), n->id.name);
	snprintf(rate, sizeof rate, isnan(hr) ? "-" : "%.1f%%", hr * 100);
	human_num(node_hit_tokens(n), tok, sizeof tok);
	human_bytes(node_cache_usage(n), cache, sizeof cache);
	if (n->plugins < 0)
		snprintf(plug, sizeof plug, "-");
	else
		snprintf(plug, sizeof plug, "%d/%d", n->plugins_running, n->plugins);
	rows_add(r, c, n, " %-36s %-9s %-6s %-14s %8s %10s %11s %7s", name,
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
static void frontend_rows(struct ui *u, struct rows *r, const char *fe)
{
	struct model *m = u->m;
	const char *err = frontend_error(m, fe);
	size_t last = m->nnodes;

	rows_add(r, err ? C_BAD : C_DIM, NULL, " %s frontend %s%s%s", glyph("├─", "|-"),
		 *fe ? fe : "(direct)", err ? "  " : "", err ? err : "");
	for (size_t i = 0; i < m->nnodes; i++)
		if (strcmp(m->nodes[i].id.frontend, fe) == 0)
			last = i;
	for (size_t i = 0; i < m->nnodes; i++)
		if (strcmp(m->nodes[i].id.frontend, fe) == 0)
			node_row(u, r, &m->nodes[i], i == last);
}

/* Nodes of one frontend come together in a listing: the previous one is checked first. */
static bool seen_before(const struct model *m, size_t i)
{
	if (i > 0 && strcmp(m->nodes[i - 1].id.frontend, m->nodes[i].id.frontend) == 0)
		return true;
	for (size_t j = 0; j < i; j++)
		if (strcmp(m->nodes[j].id.frontend, m->nodes[i].id.frontend) == 0)
			return true;
	return false;
}

static void build(struct ui *u, struct rows *r)
{
	struct model *m = u->m;

	for (size_t i = 0; i < m->nnodes; i++)
		if (!seen_before(m, i))
			frontend_rows(u, r, m->nodes[i].id.frontend);
	for (size_t i = 0; i < m->nfrontends; i++) /* frontends that listed nothing */
		if (m->frontends[i].error != NULL)
			rows_add(r, C_BAD, NULL, " %s frontend %s  %s", glyph("├─", "|-"),
				 m->frontends[i].url, m->frontends[i].error);
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
