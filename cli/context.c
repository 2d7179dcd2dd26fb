/* Contexts: named clusters in $XDG_CONFIG_HOME/lmcctl/config (~/.config/lmcctl/config), as
 * kubectl's kubeconfig, in a small INI form:
 *
 *     current-context = prod
 *     [context prod]
 *     registry = http://10.0.0.5:5000
 *     timeout = 5
 *     output = json
 *     token = ...          sent as "Authorization: Bearer ..." (after --token-file and
 *                          LMCACHE_TOKEN: client_auth_setup)
 *
 * Keys: registry, frontend, socket, url (where the cluster is), timeout, output, token.
 * Environment variables override the file, flags override both: the file's cluster is used
 * only when neither a flag nor LMCACHE_REGISTRY/LMCACHE_FRONTEND names one. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *const keys[] = { "registry", "frontend", "socket", "url", "timeout",
				    "output", "token", NULL };

char *context_path(void)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (xdg != NULL && *xdg == '/')
		return xasprintf("%s/lmcctl/config", xdg);
	return xasprintf("%s/.config/lmcctl/config", home != NULL ? home : "");
}

void context_free(struct context_file *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->ctx[i].name);
		for (size_t k = 0; k < CTX_NKEYS; k++)
			free(f->ctx[i].value[k]);
	}
	free(f->ctx);
	free(f->current);
	*f = (struct context_file){ 0 };
}

/* One "key = value" line of section cur (NULL: the top). */
static int set_line(struct context_file *f, struct context *cur, char *line, char **cause)
{
	char *eq = strchr(line, '='), *k, *v;
	size_t i = 0;

	if (eq == NULL) {
		*cause = xasprintf("expected KEY = VALUE, not '%s'", line);
		return -1;
	}
	*eq = '\0';
	k = str_trim(line);
	v = str_trim(eq + 1);
	if (cur == NULL && strcmp(k, "current-context") == 0) {
		free(f->current);
		f->current = xstrdup(v);
		return 0;
	}
	while (cur != NULL && keys[i] != NULL && strcmp(keys[i], k) != 0)
		i++;
	if (cur == NULL || keys[i] == NULL) {
		*cause = xasprintf("unknown key '%s'%s", k, cur ? "" : " outside a [context NAME]");
		return -1;
	}
	free(cur->value[i]);
	cur->value[i] = xstrdup(v);
	return 0;
}

static struct context *add_section(struct context_file *f, char *line, char **cause)
{
	char *end = strchr(line, ']'), *name;

	if (end == NULL || strncmp(line, "[context ", 9) != 0) {
		*cause = xasprintf("expected [context NAME], not '%s'", line);
		return NULL;
	}
	*end = '\0';
	name = str_trim(line + 9);
	f->ctx = xreallocarray(f->ctx, f->n + 1, sizeof *f->ctx);
	f->ctx[f->n] = (struct context){ .name = xstrdup(name) };
	return &f->ctx[f->n++];
}

static int parse(struct context_file *f, char *text, char **cause)
{
	struct context *cur = NULL;
	size_t lineno = 0;

	for (char *line = text, *next; line != NULL; line = next) {
		char *l, *why = NULL;

		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		l = str_trim(line);
		lineno++;
		if (*l == '\0' || *l == '#' || *l == ';')
			continue;
		if (*l == '[' ? (cur = add_section(f, l, &why)) == NULL : set_line(f, cur, l, &why) < 0) {
			*cause = xasprintf("line %zu: %s", lineno, why);
			free(why);
			return -1;
		}
	}
	return 0;
}

int context_load(struct context_file *f, char **cause)
{
	char *path = context_path(), *why = NULL;
	struct buf b = BUF_INIT;
	int rc = 0;

	*f = (struct context_file){ 0 };
	if (buf_read_file(&b, path) < 0) {
		if (errno != ENOENT && errno != EACCES) { /* another user's HOME: no contexts */
			*cause = xasprintf("%s: %s", path, strerror(errno));
			rc = -1;
		}
	} else if (parse(f, (char *)buf_cstr(&b), &why) < 0) {
		*cause = xasprintf("%s: %s", path, why);
		free(why);
		context_free(f);
		rc = -1;
	}
	buf_free(&b);
	free(path);
	return rc;
}

const struct context *context_find(const struct context_file *f, const char *name)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->ctx[i].name, name) == 0)
			return &f->ctx[i];
	return NULL;
}
