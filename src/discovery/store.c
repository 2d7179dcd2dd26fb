/* Store selection: the --store argument names one of the implementations. */
#include "config.h"
#include "store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "strutil.h"
#include "xalloc.h"

static int fail(char **cause, char *msg)
{
	if (cause)
		*cause = msg;
	else
		free(msg);
	return -1;
}

static char *normalize_prefix(const char *p)
{
	size_t n = strlen(p);

	while (n > 0 && p[n - 1] == '/')
		n--;
	while (*p == '/' && n > 0) {
		p++;
		n--;
	}
	if (n == 0)
		return xstrdup("/");
	return xasprintf("/%.*s/", (int)n, p);
}

static int parse_port(const char *s, int *port)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end != '\0' || v < 1 || v > 65535)
		return -1;
	*port = (int)v;
	return 0;
}

static int parse_etcd(struct store_spec *spec, const char *rest, char **cause)
{
	const char *slash = strchr(rest, '/');
	char *hostport = slash ? xstrndup(rest, (size_t)(slash - rest)) : xstrdup(rest);
	char *colon = strrchr(hostport, ':');
	int rc = 0;

	if (colon == NULL || colon == hostport || parse_port(colon + 1, &spec->port) < 0) {
		rc = fail(cause, xasprintf("etcd store needs etcd[s]://HOST:PORT[/PREFIX], not "
					   "'%s'", rest));
	} else {
		*colon = '\0';
		spec->kind = STORE_ETCD;
		spec->host = xstrdup(hostport);
		spec->prefix = slash ? normalize_prefix(slash) : xstrdup(ETCD_DEFAULT_PREFIX);
	}
	free(hostport);
	return rc;
}

int store_spec_parse(struct store_spec *spec, const char *text, char **cause)
{
	memset(spec, 0, sizeof(*spec));
	if (strcmp(text, "memory") == 0) {
		spec->kind = STORE_MEMORY;
		return 0;
	}
	if (str_starts_with(text, "file:")) {
		if (text[5] == '\0')
			return fail(cause, xstrdup("file store needs a path: file:PATH"));
		spec->kind = STORE_FILE;
		spec->path = xstrdup(text + 5);
		return 0;
	}
	if (str_starts_with(text, "etcd://"))
		return parse_etcd(spec, text + 7, cause);
	if (str_starts_with(text, "etcds://")) { /* etcd over TLS */
		spec->tls = true;
		return parse_etcd(spec, text + 8, cause);
	}
	return fail(cause, xasprintf("unknown store '%s' (memory, file:PATH or "
				     "etcd[s]://HOST:PORT[/PREFIX])", text));
}

void store_spec_clear(struct store_spec *spec)
{
	free(spec->path);
	free(spec->host);
	free(spec->prefix);
	memset(spec, 0, sizeof(*spec));
}

char *store_spec_describe(const struct store_spec *spec)
{
	switch (spec->kind) {
	case STORE_FILE:
		return xasprintf("file:%s", spec->path);
	case STORE_ETCD:
		return xasprintf("etcd%s://%s:%d%s", spec->tls ? "s" : "", spec->host, spec->port,
				 spec->prefix);
	default:
		return xstrdup("memory");
	}
}

struct store *store_open(const struct store_spec *spec, const struct store_limits *lim,
			 char **cause)
{
	static const struct store_ops *const table[] = {
		[STORE_MEMORY] = &store_memory_ops,
		[STORE_FILE] = &store_file_ops,
		[STORE_ETCD] = &store_etcd_ops,
	};

	return table[spec->kind]->open(spec, lim, cause);
}
