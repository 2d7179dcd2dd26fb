/* What a client presents to a daemon (lmcache-security(7)): a bearer token and TLS settings,
 * set once per process (lmcctl, lmcache-top, the frontend's outgoing requests) and applied to
 * every libcurl transfer by client_auth_apply. */
#ifndef LMC_COMMON_CLIENT_AUTH_H
#define LMC_COMMON_CLIENT_AUTH_H

#include <curl/curl.h>

struct client_auth {
	const char *token;  /* sent as "Authorization: Bearer <token>"; NULL: none */
	const char *cacert; /* CA bundle to verify https servers; NULL: the system's */
	const char *cert;   /* client certificate and key (mutual TLS) */
	const char *key;
};

/* Reads a token file: the first word of the first line that is neither blank nor a comment
 * (a daemon's token file line "TOKEN ROLE NAME" works too). The file must not be readable
 * by group or others. The token (malloc'd) or NULL with *cause. */
char *client_token_read(const char *path, char **cause);

/* The token of a client: from file when given, else $LMCACHE_TOKEN, else NULL (no error).
 * -1 with *cause when the file is unusable. */
int client_token_find(const char *file, char **token, char **cause);

/* A client's start (lmcctl, lmcache-top): the token from token_file, else $LMCACHE_TOKEN,
 * else fallback (lmcctl's context; may be NULL), and the TLS files, set process-wide. -1
 * with *cause when a file is unusable. */
int client_auth_setup(const char *token_file, const char *fallback, const char *cacert,
		      const char *cert, const char *key, char **cause);

/* Sets the process-wide settings (copied). Call before any transfer starts. */
void client_auth_set(const struct client_auth *a);
/* Adds the bearer token (token when not NULL, else the process-wide one) to *headers and the
 * TLS settings to e. The caller sets CURLOPT_HTTPHEADER with *headers afterwards. */
void client_auth_apply(CURL *e, struct curl_slist **headers, const char *token);
/* The TLS settings alone (a caller that writes its own Authorization header). */
void client_tls_apply(CURL *e);

#endif
