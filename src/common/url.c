/* Addresses through libcurl's URL parser (url.h): one place decides what an address is. */
#include "config.h"
#include "url.h"

#include <curl/curl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "strutil.h"
#include "xalloc.h"

/* A part of u as a malloc'd string, or NULL when the URL has none. */
static char *part(CURLU *u, CURLUPart what, unsigned int flags)
{
	char *v = NULL, *out;

	if (curl_url_get(u, what, &v, flags) != CURLUE_OK)
		return NULL;
	out = xstrdup(v);
	curl_free(v);
	return out;
}

static int parse_socket(const char *path, struct url *u, char **cause)
{
	if (*path != '/') {
		*cause = xasprintf("unix socket '%s' is not an absolute path", path);
		return -1;
	}
	*u = (struct url){ .scheme = xstrdup("unix"), .host = xstrdup("localhost"),
			   .socket = xstrdup(path) };
	return 0;
}

/* The host without the brackets libcurl keeps around an IPv6 literal. */
static void unbracket(char *host)
{
	size_t n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		memmove(host, host + 1, n - 2);
		host[n - 2] = '\0';
	}
}

/* libcurl's handle of an http(s) URL, *host its host (malloc'd, unbracketed); NULL when
 * text is not a URL with a host. */
static CURLU *parse_host(const char *text, char **host)
{
	CURLU *h = curl_url();

	*host = NULL;
	/* libcurl reads "http:///x" as the host x: an empty authority is no host here. */
	if (h == NULL || strchr("/?#", text[strcspn(text, ":") + 3]) != NULL ||
	    curl_url_set(h, CURLUPART_URL, text, 0) != CURLUE_OK ||
	    (*host = part(h, CURLUPART_HOST, 0)) == NULL || **host == '\0') {
		curl_url_cleanup(h);
		free(*host);
		*host = NULL;
		return NULL;
	}
	unbracket(*host);
	return h;
}

static int parse_http(const char *text, struct url *u, char **cause)
{
	CURLU *h = parse_host(text, &u->host);
	size_t n;

	if (h == NULL) {
		*cause = xasprintf("'%s' is not a URL with a host", text);
		return -1;
	}
	u->scheme = str_lower(part(h, CURLUPART_SCHEME, 0));
	u->port = part(h, CURLUPART_PORT, CURLU_DEFAULT_PORT);
	u->path = part(h, CURLUPART_PATH, 0);
	if (u->path == NULL)
		u->path = xstrdup("");
	n = strlen(u->path);
	if (n > 0 && u->path[n - 1] == '/')
		u->path[n - 1] = '\0';
	curl_url_cleanup(h);
	return 0;
}

static bool is_http(const char *text)
{
	return strncasecmp(text, "http://", 7) == 0 || strncasecmp(text, "https://", 8) == 0;
}

int url_parse(const char *text, struct url *u, char **cause)
{
	*u = (struct url){ 0 };
	if (strncmp(text, "unix:", 5) == 0)
		return parse_socket(text + 5, u, cause);
	if (*text == '/')
		return parse_socket(text, u, cause);
	if (!is_http(text)) {
		*cause = xasprintf("'%s' is not an http:// or https:// URL nor a unix socket", text);
		return -1;
	}
	return parse_http(text, u, cause);
}

/* The host alone: what url_parse would read, without the parts it does not need (a
 * registry checks the host of every heartbeat's address). */
char *url_host(const char *text)
{
	char *host;

	if (is_http(text))
		curl_url_cleanup(parse_host(text, &host));
	else
		host = NULL;
	return host;
}

void url_clear(struct url *u)
{
	free(u->scheme);
	free(u->host);
	free(u->port);
	free(u->path);
	free(u->socket);
	*u = (struct url){ 0 };
}

char *url_authority(const struct url *u)
{
	return strchr(u->host, ':') != NULL ? xasprintf("[%s]:%s", u->host, u->port)
					    : xasprintf("%s:%s", u->host, u->port);
}
