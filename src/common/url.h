/* The one parser of the addresses the tools are given: registries, frontends, nodes, the
 * api_address of a heartbeat (libcurl's CURLU underneath). */
#ifndef LMC_COMMON_URL_H
#define LMC_COMMON_URL_H

struct url {
	char *scheme; /* "http", "https" or "unix" */
	char *host;   /* without IPv6 brackets; "localhost" for a unix socket */
	char *port;   /* decimal, the scheme's default when the URL has none; NULL for a socket */
	char *path;   /* the URL's path without one trailing '/' ("" when none); NULL for a socket */
	char *socket; /* the unix socket's path, or NULL */
};

/* Parses text: "http://HOST[:PORT][/PATH]" or "https://..." (IPv6 literals in brackets,
 * userinfo, a query and a fragment allowed; the scheme in any case), or a unix socket as
 * "unix:PATH" or an absolute path "/PATH" (how lmcctl prints one, and --socket). 0, or -1
 * with *cause (u then holds nothing). Free with url_clear. */
int url_parse(const char *text, struct url *u, char **cause);
void url_clear(struct url *u);
/* The host of an http(s) URL as url_parse reads it (malloc'd, brackets removed), or NULL
 * when text is not an http:// or https:// URL with a host (a unix socket neither). */
char *url_host(const char *text);
/* "HOST:PORT" of an http(s) URL, with brackets around an IPv6 host. Caller frees. */
char *url_authority(const struct url *u);

#endif
