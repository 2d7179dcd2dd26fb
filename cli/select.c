/* Choosing the targets among the listed nodes. A node is a target when it matches any name
 * or glob (fnmatch) given, and the role and instance filters; a name or glob that matches
 * no node fails the whole command with "not found" before anything is sent, so a typo never
 * runs a change on fewer nodes than meant. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

bool glob_match(const char *pattern, const char *s)
{
	return fnmatch(pattern, s, 0) == 0;
}

static bool filtered_in(const struct ctx *c, const struct cl_node *n)
{
	if (c->o.role != NULL && strcmp(c->o.role, n->role) != 0)
		return false;
	return c->o.instance == NULL || strcmp(c->o.instance, n->instance) == 0;
}

/* Every pattern, from -n and after the arguments, in one list. */
static char **patterns(const struct ctx *c, size_t *n)
{
	char **p = xcalloc(c->o.nnames + (size_t)c->ntargets + 1, sizeof *p);

	*n = 0;
	for (size_t i = 0; i < c->o.nnames; i++)
		p[(*n)++] = c->o.names[i];
	for (int i = 0; i < c->ntargets; i++)
		p[(*n)++] = c->targets[i];
	return p;
}

static bool any_match(char **p, size_t np, const char *name)
{
	for (size_t i = 0; i < np; i++)
		if (glob_match(p[i], name))
			return true;
	return false;
}

/* A pattern that matches none of the listed nodes, or NULL. */
static const char *unmatched(const struct ctx *c, char **p, size_t np)
{
	for (size_t i = 0; i < np; i++) {
		size_t j = 0;

		while (j < c->nnodes && !glob_match(p[i], c->nodes[j].name))
			j++;
		if (j == c->nnodes)
			return p[i];
	}
	return NULL;
}

bool cmd_mutates(const struct ctx *c)
{
	if (c->cmd->flags & CMD_MUTATES)
		return true;
	return (c->cmd->flags & CMD_MUTATES_UNLESS_GET) && strcasecmp(c->args[0], "GET") != 0 &&
	       strcasecmp(c->args[0], "HEAD") != 0;
}

static int need_targets(const struct ctx *c, size_t np)
{
	char *name;

	if (np > 0 || c->o.all || c->o.role || c->o.instance || !cmd_mutates(c))
		return 0;
	if (c->o.socket != NULL || c->o.url != NULL)
		return 0; /* one node named on the command line */
	name = cmd_full_name(c->cmd);
	fprintf(stderr, "lmcctl: %s changes nodes: name them (NODE..., -n NAME, -l role=...) or"
			" pass --all\n", name);
	free(name);
	return LMC_EXIT_USAGE;
}

int select_nodes(struct ctx *c)
{
	size_t np;
	char **p = patterns(c, &np);
	const char *bad;
	int rc = need_targets(c, np);

	if (rc == 0 && (bad = unmatched(c, p, np)) != NULL) {
		/* Not found, unless it may sit behind a frontend that could not be listed. */
		fprintf(stderr, "lmcctl: no node matches '%s'%s\n", bad,
			c->listing_code ? " among the nodes that could be listed" : "");
		rc = c->listing_code ? c->listing_code : LMC_EXIT_NOTFOUND;
	}
	for (size_t i = 0; rc == 0 && i < c->nnodes; i++) {
		if ((np > 0 && !any_match(p, np, c->nodes[i].name)) || !filtered_in(c, &c->nodes[i]))
			continue;
		c->sel = xreallocarray(c->sel, c->nsel + 1, sizeof *c->sel);
		c->sel[c->nsel++] = &c->nodes[i];
	}
	if (rc == 0 && c->nsel == 0) {
		fprintf(stderr, "lmcctl: no node %s\n", c->nnodes ? "matches the selection" : "found");
		rc = c->listing_code ? c->listing_code : LMC_EXIT_NOTFOUND;
	}
	c->exact = np > 0;
	for (size_t i = 0; i < np; i++)
		c->exact = c->exact && strpbrk(p[i], "*?[") == NULL;
	free(p);
	return rc;
}

bool name_matches(const char *pattern, const char *name)
{
	if (pattern == NULL)
		return true;
	if (strpbrk(pattern, "*?[") != NULL)
		return fnmatch(pattern, name, 0) == 0;
	return str_icontains(name, pattern);
}

bool logger_under(const char *pattern, const char *name)
{
	char *copy;
	bool found = glob_match(pattern, name);

	if (found || strchr(name, '.') == NULL)
		return found;
	copy = xstrdup(name);
	for (char *dot = strrchr(copy, '.'); !found && dot != NULL; dot = strrchr(copy, '.')) {
		*dot = '\0';
		found = glob_match(pattern, copy);
	}
	free(copy);
	return found;
}
