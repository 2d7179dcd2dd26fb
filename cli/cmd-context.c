/* context list | context use NAME: the named clusters of the config file (context.c), and
 * which one commands use when no flag or environment variable names a cluster. */
#include "config.h"
#include "cli.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Where a context's cluster is, as shown. */
static const char *where(const struct context *x)
{
	for (int k = CTX_SOCKET; k >= CTX_REGISTRY; k--) /* the most specific wins */
		if (k != CTX_URL && x->value[k] != NULL)
			return x->value[k];
	return x->value[CTX_URL] != NULL ? x->value[CTX_URL] : "-";
}

static int list(struct ctx *c)
{
	const char *head[] = { "CURRENT", "NAME", "CLUSTER", NULL };
	struct context_file f;
	struct table *t;
	char *cause = NULL;

	if (context_load(&f, &cause) < 0) {
		fprintf(stderr, "lmcctl: %s\n", cause);
		free(cause);
		return LMC_EXIT_OTHER;
	}
	if (c->o.out == OUT_NAME) {
		for (size_t i = 0; i < f.n; i++)
			printf("%s\n", f.ctx[i].name);
	} else {
		t = table_new(c, head);
		for (size_t i = 0; i < f.n; i++)
			table_row(t, f.current && strcmp(f.current, f.ctx[i].name) == 0 ? "*" : "",
				  f.ctx[i].name, where(&f.ctx[i]));
		table_print(t);
	}
	context_free(&f);
	return LMC_EXIT_OK;
}

/* The file's text with its current-context line replaced (or added at the top). */
static char *with_current(const char *text, const char *name)
{
	struct buf b = BUF_INIT;

	buf_printf(&b, "current-context = %s\n", name);
	for (const char *l = text, *next; *l; l = next) {
		const char *p = l;

		next = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l);
		while (*p == ' ' || *p == '\t')
			p++;
		if (strncmp(p, "current-context", 15) != 0)
			buf_append(&b, l, (size_t)(next - l));
	}
	return buf_steal(&b);
}

/* Writes text to path through a private temporary file and a rename (0600: tokens). */
static int write_file(const char *path, const char *text, char **cause)
{
	char *tmp = xasprintf("%s.XXXXXX", path);
	int fd = mkstemp(tmp), rc = -1;
	size_t len = strlen(text);

	if (fd >= 0 && write(fd, text, len) == (ssize_t)len && fsync(fd) == 0 &&
	    rename(tmp, path) == 0)
		rc = 0;
	if (rc < 0)
		*cause = xasprintf("cannot write %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	if (rc < 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

static int use(struct ctx *c)
{
	struct context_file f;
	struct buf b = BUF_INIT;
	char *cause = NULL, *path = context_path(), *text = NULL;
	int rc = LMC_EXIT_OK;

	if (context_load(&f, &cause) < 0) {
		rc = LMC_EXIT_OTHER;
	} else if (context_find(&f, c->args[0]) == NULL) {
		cause = xasprintf("no context '%s' in %s (lmcctl context list)", c->args[0], path);
		rc = LMC_EXIT_NOTFOUND;
	} else if (buf_read_file(&b, path) < 0 ||
		   write_file(path, text = with_current(buf_cstr(&b), c->args[0]), &cause) < 0) {
		cause = cause ? cause : xasprintf("cannot read %s: %s", path, strerror(errno));
		rc = LMC_EXIT_OTHER;
	} else if (!c->o.quiet) {
		printf("current context: %s\n", c->args[0]);
	}
	if (cause != NULL)
		fprintf(stderr, "lmcctl: context use: %s\n", cause);
	free(cause);
	free(text);
	free(path);
	buf_free(&b);
	context_free(&f);
	return rc;
}

const struct cmd_entry cmd_context_list = {
	.name = "context",
	.sub = "list",
	.usage = "",
	.summary = "List the named clusters of the config file",
	.help = "Contexts live in $XDG_CONFIG_HOME/lmcctl/config (~/.config/lmcctl/config):\n"
		"  current-context = prod\n"
		"  [context prod]\n"
		"  registry = http://10.0.0.5:5000\n"
		"  timeout = 5\n"
		"Keys: registry, frontend, socket, url, timeout, output, token (sent on every\n"
		"request as \"Authorization: Bearer TOKEN\" unless --token-file or LMCACHE_TOKEN\n"
		"gives one). Flags override the environment, which overrides the file; --context\n"
		"NAME picks another context for one command.\n\n"
		"Examples:\n"
		"  lmcctl context list\n"
		"  lmcctl --context prod health\n",
	.min_args = 0, .max_args = 0,
	.flags = CMD_NO_NODES,
	.exec = list,
};

const struct cmd_entry cmd_context_use = {
	.name = "context",
	.sub = "use",
	.usage = "NAME",
	.summary = "Make a context the current one",
	.help = "Examples:\n"
		"  lmcctl context use prod && lmcctl nodes\n",
	.min_args = 1, .max_args = 1,
	.flags = CMD_NO_NODES,
	.complete = "context",
	.exec = use,
};
