/* Inference: the serving engine of the selected node (/inference_info: vLLM and LMCache
 * versions, vLLM, model and cache configuration), one row per field. */
#include "config.h"
#include "top.h"

#include <stdio.h>

static void draw(struct ui *u, struct tnode *n, int y, int h)
{
	struct rows r = { 0 };
	char head[96];

	if (n != NULL && n->tab[u->tab].doc != NULL)
		rows_json(&r, n->tab[u->tab].doc, "");
	snprintf(head, sizeof head, "   %-40s %s", "FIELD", "VALUE");
	tab_rows(u, n, &r, y, h, head);
	rows_free(&r);
}

static bool on_key(struct ui *u, struct tnode *n, int key)
{
	(void)u;
	(void)n;
	(void)key;
	return false;
}

static const struct keybind keys[] = { { "/", "filter fields" }, { NULL, NULL } };

const struct tab tab_inference = {
	.name = "Inference",
	.key = '7',
	.path = "/inference_info",
	.parse = parse_json_doc,
	.draw = draw,
	.on_key = on_key,
	.keys = keys,
};
