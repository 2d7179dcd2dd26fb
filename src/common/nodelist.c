#include "config.h"
#include "nodelist.h"
#include "prom-map.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

char *nodelist_infos_url(const char *registry)
{
	size_t len = strcspn(registry, "?");

	while (len > 0 && registry[len - 1] == '/')
		len--;
	if (len >= 14 && strncmp(registry + len - 14, "/lmcache_infos", 14) == 0)
		return xstrdup(registry);
	return xasprintf("%.*s/lmcache_infos", (int)len, registry);
}

static void add_address(char ***v, size_t *n, const char *addr)
{
	size_t len = strlen(addr);

	while (len > 0 && addr[len - 1] == '/')
		len--;
	if (len == 0)
		return;
	*v = xreallocarray(*v, *n + 2, sizeof **v);
	(*v)[(*n)++] = xstrndup(addr, len);
	(*v)[*n] = NULL;
}

/* Each address once, in the order first listed; one pass with a hash set. */
static void drop_duplicates(char **v, size_t *n)
{
	struct prom_map seen;
	size_t kept = 0;

	prom_map_init(&seen, *n);
	for (size_t i = 0; i < *n; i++) {
		if (prom_map_get(&seen, v[i]) != (size_t)-1) {
			free(v[i]);
			continue;
		}
		v[kept] = v[i];
		prom_map_put(&seen, v[kept], kept);
		kept++;
	}
	*n = kept;
	v[kept] = NULL;
	prom_map_free(&seen);
}

char **nodelist_frontends(const json_t *infos, size_t *n, char **cause)
{
	const json_t *procs = json_object_get(infos, "processInfos"), *proc, *ent;
	const char *key;
	char **v = xcalloc(1, sizeof *v);
	size_t i;

	*n = 0;
	if (!json_is_object(procs)) {
		*cause = xstrdup("not a registry listing (no processInfos object)");
		free(v);
		return NULL;
	}
	json_object_foreach((json_t *)procs, key, proc) {
		json_array_foreach(json_object_get(proc, "lmCacheInfoEntities"), i, ent) {
			const char *addr = json_str_member(ent, "apiAddress", NULL);

			if (addr != NULL)
				add_address(&v, n, addr);
		}
	}
	drop_duplicates(v, n);
	return v;
}

/* A port member as text: an int, or a string (a socket path when it holds '/'). */
static char *port_text(const json_t *p)
{
	if (json_is_integer(p))
		return xasprintf("%lld", (long long)json_integer_value(p));
	if (json_is_string(p))
		return xstrdup(json_string_value(p));
	return xstrdup("");
}

static void add_entry(struct nl_entry **v, size_t *n, const json_t *o, const char *proxy)
{
	const char *name = json_str_member(o, "name", NULL);

	if (name == NULL)
		return;
	*v = xreallocarray(*v, *n + 1, sizeof **v);
	(*v)[*n] = (struct nl_entry){
		.name = xstrdup(name),
		.host = xstrdup(json_str_member(o, "host", "")),
		.port = port_text(json_object_get(o, "port")),
		.proxy = proxy ? xstrdup(proxy) : NULL,
		.is_proxy = proxy != NULL && json_is_true(json_object_get(o, "is_proxy")),
	};
	(*n)++;
}

struct nl_entry *nodelist_parse_api_nodes(const json_t *doc, size_t *n, char **cause)
{
	const json_t *nodes = json_object_get(doc, "nodes"), *item, *kids, *kid;
	struct nl_entry *v = NULL;
	size_t i, j;

	*n = 0;
	if (!json_is_array(nodes)) {
		*cause = xstrdup("not a node list (no nodes array)");
		return NULL;
	}
	json_array_foreach(nodes, i, item) {
		kids = json_object_get(item, "children");
		if (!json_is_array(kids))
			kids = json_object_get(item, "nodes");
		if (!json_is_array(kids)) {
			add_entry(&v, n, item, NULL);
			continue;
		}
		json_array_foreach(kids, j, kid)
			add_entry(&v, n, kid, json_str_member(item, "name", ""));
	}
	return v ? v : xcalloc(1, sizeof *v);
}

void nodelist_entries_free(struct nl_entry *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(v[i].name);
		free(v[i].host);
		free(v[i].port);
		free(v[i].proxy);
	}
	free(v);
}

static bool is_worker_suffix(const char *s)
{
	if (!str_starts_with(s, "worker") || s[6] == '\0')
		return false;
	for (s += 6; *s; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

bool nodelist_name_role(const char *name, char **instance, char **role)
{
	const char *us = strrchr(name, '_');

	if (us != NULL && us != name && (strcmp(us + 1, "scheduler") == 0 || is_worker_suffix(us + 1))) {
		*instance = xstrndup(name, (size_t)(us - name));
		*role = xstrdup(us[1] == 's' ? "scheduler" : "worker");
		return true;
	}
	*instance = xstrdup("");
	*role = xstrdup("");
	return false;
}
