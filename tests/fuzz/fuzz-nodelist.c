/* libFuzzer target: the node listings a client walks (src/common/nodelist.c): a registry's
 * /lmcache_infos and a frontend's /api/nodes, from any JSON document, and node names. */
#include "config.h"
#include "nodelist.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void names(const char *text, size_t size)
{
	char *name = xstrndup(text, size), *inst, *role;

	nodelist_name_role(name, &inst, &role);
	free(inst);
	free(role);
	free(name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	json_t *doc = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
	char *why = NULL, **fronts;
	struct nl_entry *v;
	size_t n = 0;

	names((const char *)data, size);
	if (doc == NULL)
		return 0;
	fronts = nodelist_frontends(doc, &n, &why);
	str_list_free(fronts);
	free(why);
	why = NULL;
	v = nodelist_parse_api_nodes(doc, &n, &why);
	if (v)
		nodelist_entries_free(v, n);
	free(why);
	json_decref(doc);
	return 0;
}
