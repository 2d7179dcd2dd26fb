/* Client credentials (client-auth.h): the token file, $LMCACHE_TOKEN, the TLS files. */
#include "config.h"
#include "client-auth.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "xalloc.h"

static struct client_auth process; /* strings owned; set before threads start */

static char *first_word(const char *text)
{
	for (const char *p = text; *p;) {
		size_t sp = strspn(p, " \t\r"), len = strcspn(p + sp, " \t\r\n");

		if (len > 0 && p[sp] != '#')
			return xstrndup(p + sp, len);
		p += sp + strcspn(p + sp, "\n");
		p += *p == '\n';
	}
	return NULL;
}

char *client_token_read(const char *path, char **cause)
{
	struct buf b = BUF_INIT;
	struct stat st;
	char *tok = NULL;

	if (stat(path, &st) < 0 || buf_read_file(&b, path) < 0) {
		*cause = xasprintf("token file %s: %s", path, strerror(errno));
		buf_free(&b);
		return NULL;
	}
	if ((st.st_mode & 077) != 0)
		*cause = xasprintf("token file %s: readable by others (mode %04o): chmod 600 it",
				   path, (unsigned int)(st.st_mode & 07777));
	else if ((tok = first_word(buf_cstr(&b))) == NULL)
		*cause = xasprintf("token file %s: no token in it", path);
	buf_free(&b);
	return tok;
}

int client_token_find(const char *file, char **token, char **cause)
{
	const char *env = getenv("LMCACHE_TOKEN");

	*token = NULL;
	if (file != NULL)
		return (*token = client_token_read(file, cause)) ? 0 : -1;
	if (env != NULL && *env != '\0')
		*token = xstrdup(env);
	return 0;
}

int client_auth_setup(const char *token_file, const char *fallback, const char *cacert,
		      const char *cert, const char *key, char **cause)
{
	struct client_auth a = { NULL, cacert, cert, key };
	char *tok = NULL;

	if ((cert == NULL) != (key == NULL)) {
		*cause = xstrdup("--cert and --key go together");
		return -1;
	}
	if (client_token_find(token_file, &tok, cause) < 0)
		return -1;
	a.token = tok ? tok : fallback;
	client_auth_set(&a);
	free(tok);
	return 0;
}

static void set_str(const char **dst, const char *v)
{
	free((char *)*dst);
	*dst = v ? xstrdup(v) : NULL;
}

void client_auth_set(const struct client_auth *a)
{
	set_str(&process.token, a->token);
	set_str(&process.cacert, a->cacert);
	set_str(&process.cert, a->cert);
	set_str(&process.key, a->key);
}

void client_auth_apply(CURL *e, struct curl_slist **headers, const char *token)
{
	const char *t = token ? token : process.token;

	if (t != NULL) {
		char *h = xasprintf("Authorization: Bearer %s", t);

		*headers = curl_slist_append(*headers, h);
		free(h);
	}
	client_tls_apply(e);
}

void client_tls_apply(CURL *e)
{
	if (process.cacert != NULL)
		curl_easy_setopt(e, CURLOPT_CAINFO, process.cacert);
	if (process.cert != NULL)
		curl_easy_setopt(e, CURLOPT_SSLCERT, process.cert);
	if (process.key != NULL)
		curl_easy_setopt(e, CURLOPT_SSLKEY, process.key);
}
