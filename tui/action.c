/* Actions on nodes: the nodes an action goes to (the marked ones, else the selected one),
 * and one confirmation for all of them listing current -> new per node. */
#include "config.h"
#include "top.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct action *action_new(const char *node, const char *method, char *path, char *body,
			  char *what)
{
	struct action *a = xcalloc(1, sizeof *a);

	*a = (struct action){ .node = xstrdup(node), .method = xstrdup(method), .path = path,
			      .body = body, .what = what };
	return a;
}

struct tnode **action_targets(struct ui *u, size_t *n)
{
	struct model *m = u->m;
	struct tnode **v = xcalloc(m->nnodes + 1, sizeof *v), *sel;

	*n = 0;
	for (size_t i = 0; i < m->nnodes; i++)
		if (m->nodes[i].marked && m->nodes[i].listed)
			v[(*n)++] = &m->nodes[i];
	if (*n == 0 && (sel = ui_selected(u)) != NULL)
		v[(*n)++] = sel;
	return v;
}

void ui_show_results(struct ui *u)
{
	struct model *m = u->m;
	char **lines;

	if (m->nresults == 0) {
		top_model_status(m, false, "no action on marked nodes yet");
		return;
	}
	lines = xcalloc(m->nresults, sizeof *lines);
	for (size_t i = 0; i < m->nresults; i++)
		lines[i] = xstrdup(m->results[i]);
	detail_show(u, "results of the last action, per node", lines, m->nresults);
}
