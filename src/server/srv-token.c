/* The token file and the TLS files of a daemon (auth.h): read, checked, reloaded, looked up.
 * Tokens are kept only as SHA-256 digests; a lookup hashes the presented token and compares
 * it with every digest without stopping early, so its time does not depend on which bytes
 * matched. */
#include "config.h"
#include "auth.h"

#include <errno.h>
#include <fcntl.h>
#include <gnutls/crypto.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "buf.h"
#include "xalloc.h"

#define DIGEST 32

struct token {
	unsigned char digest[DIGEST];
	enum srv_role role;
	char name[SRV_NAME_MAX];
};

struct token_set {
	struct token *v;
	size_t n;
	struct stat st; /* of the file when read (reload_on_change) */
};

struct srv_auth {
	struct srv_auth_options o;
	char *token_file;
	char *tls_cert, *tls_key, *tls_client_ca; /* the files' contents */
	pthread_mutex_t lock;			  /* tokens */
	struct token_set tokens;
};

static const char *const role_names[] = { "none", "viewer", "operator", "admin", "agent" };

const char *srv_role_name(enum srv_role r)
{
	return (unsigned int)r < sizeof role_names / sizeof role_names[0] ? role_names[r] : "none";
}

enum srv_role srv_role_parse(const char *s)
{
	for (size_t i = 1; i < sizeof role_names / sizeof role_names[0]; i++)
		if (strcmp(s, role_names[i]) == 0)
			return (enum srv_role)i;
	return SRV_ROLE_DEFAULT;
}

bool srv_role_allows(enum srv_role have, enum srv_role need)
{
	if (have == SRV_ROLE_ADMIN)
		return true;
	if (need == SRV_ROLE_AGENT || have == SRV_ROLE_AGENT)
		return have == need;
	return have != SRV_ROLE_DEFAULT && have >= need;
}

/* ---- parsing ---- */

static int parse_line(char *line, int no, const char *what,
		      void (*add)(void *, const char *, enum srv_role, const char *, int),
		      void *arg, char **cause)
{
	char *f[4] = { 0 };
	size_t n = 0;
	enum srv_role r;

	for (char *save = NULL, *t = strtok_r(line, " \t\r", &save); t != NULL && n < 4;
	     t = strtok_r(NULL, " \t\r", &save))
		f[n++] = t;
	if (n == 0 || f[0][0] == '#')
		return 0;
	if (n < 2 || n > 3) {
		*cause = xasprintf("%s line %d: expected 'TOKEN ROLE [NAME]'", what, no);
		return -1;
	}
	if (strlen(f[0]) < SRV_TOKEN_MIN || strlen(f[0]) > SRV_TOKEN_MAX) {
		*cause = xasprintf("%s line %d: a token has %d to %d characters", what, no,
				   SRV_TOKEN_MIN, SRV_TOKEN_MAX);
		return -1;
	}
	if ((r = srv_role_parse(f[1])) == SRV_ROLE_DEFAULT) {
		*cause = xasprintf("%s line %d: unknown role '%s' (viewer, operator, admin, agent)",
				   what, no, f[1]);
		return -1;
	}
	if (f[2] != NULL && strlen(f[2]) >= SRV_NAME_MAX) {
		*cause = xasprintf("%s line %d: the name is longer than %d characters", what, no,
				   SRV_NAME_MAX - 1);
		return -1;
	}
	add(arg, f[0], r, f[2], no);
	return 0;
}

int srv_tokens_parse(const char *text, const char *what,
		     void (*add)(void *, const char *, enum srv_role, const char *, int),
		     void *arg, char **cause)
{
	char *copy = xstrdup(text), *save = NULL;
	int no = 0, rc = 0;

	/* strtok_r would skip empty lines and miscount: split by hand. */
	for (char *line = copy; rc == 0 && line != NULL; line = save) {
		save = strchr(line, '\n');
		if (save != NULL)
			*save++ = '\0';
		no++;
		rc = parse_line(line, no, what, add, arg, cause);
	}
	free(copy);
	return rc;
}

/* ---- reading files ---- */

/* The whole file, which must be the daemon user's and not readable by others when secret. */
static char *read_private(const char *path, bool secret, struct stat *st, char **cause)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct buf b = BUF_INIT;
	char chunk[4096];
	ssize_t n;

	if (fd < 0 || fstat(fd, st) < 0) {
		*cause = xasprintf("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	if (secret && (st->st_uid != geteuid() || (st->st_mode & 077) != 0)) {
		*cause = xasprintf("%s: must be owned by uid %u and mode 0600 (it is uid %u, mode "
				   "%04o): chmod 600 it", path, (unsigned int)geteuid(),
				   (unsigned int)st->st_uid, (unsigned int)(st->st_mode & 07777));
		close(fd);
		return NULL;
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && b.len < (1u << 20))
		buf_append(&b, chunk, (size_t)n);
	close(fd);
	return buf_steal(&b);
}

struct loading {
	struct token_set *set;
	bool dup;
	int dup_line;
};

static void add_token(void *arg, const char *tok, enum srv_role r, const char *name, int line)
{
	struct loading *l = arg;
	struct token t = { .role = r };

	gnutls_hash_fast(GNUTLS_DIG_SHA256, tok, strlen(tok), t.digest);
	if (name != NULL)
		snprintf(t.name, sizeof t.name, "%s", name);
	else
		snprintf(t.name, sizeof t.name, "token%d", line);
	for (size_t i = 0; i < l->set->n; i++)
		if (memcmp(l->set->v[i].digest, t.digest, DIGEST) == 0 && !l->dup)
			l->dup = true, l->dup_line = line;
	l->set->v = xrealloc(l->set->v, (l->set->n + 1) * sizeof t);
	l->set->v[l->set->n++] = t;
}

static int load_tokens(const char *path, struct token_set *out, char **cause)
{
	struct token_set set = { 0 };
	struct loading l = { &set, false, 0 };
	char *text = read_private(path, true, &set.st, cause);
	int rc;

	if (text == NULL)
		return -1;
	rc = srv_tokens_parse(text, path, add_token, &l, cause);
	free(text);
	if (rc == 0 && l.dup) {
		*cause = xasprintf("%s line %d: the same token twice", path, l.dup_line);
		rc = -1;
	}
	if (rc < 0) {
		free(set.v);
		return -1;
	}
	*out = set;
	return 0;
}

static char *read_pem(const char *path, char **cause)
{
	struct stat st;

	return path ? read_private(path, false, &st, cause) : NULL;
}

/* ---- the object ---- */

static int load_tls(struct srv_auth *a, char **cause)
{
	const struct srv_auth_options *o = &a->o;

	if ((o->tls_cert == NULL) != (o->tls_key == NULL)) {
		*cause = xstrdup("--tls-cert and --tls-key go together");
		return -1;
	}
	if (o->tls_client_ca != NULL && o->tls_cert == NULL) {
		*cause = xstrdup("--tls-client-ca needs --tls-cert and --tls-key");
		return -1;
	}
	if (o->tls_key != NULL) {
		struct stat st;

		/* The key is a secret: the same rule as the token file. */
		if ((a->tls_key = read_private(o->tls_key, true, &st, cause)) == NULL)
			return -1;
	}
	if ((o->tls_cert && (a->tls_cert = read_pem(o->tls_cert, cause)) == NULL) ||
	    (o->tls_client_ca && (a->tls_client_ca = read_pem(o->tls_client_ca, cause)) == NULL))
		return -1;
	return 0;
}

struct srv_auth *srv_auth_new(const struct srv_auth_options *o, char **cause)
{
	struct srv_auth *a = xcalloc(1, sizeof *a);

	a->o = *o; /* the paths are the caller's until load_tls is done */
	pthread_mutex_init(&a->lock, NULL);
	a->token_file = o->token_file ? xstrdup(o->token_file) : NULL;
	if ((a->token_file && load_tokens(a->token_file, &a->tokens, cause) < 0) ||
	    load_tls(a, cause) < 0) {
		srv_auth_free(a);
		return NULL;
	}
	a->o.token_file = a->token_file;
	a->o.tls_cert = a->o.tls_key = a->o.tls_client_ca = NULL;
	return a;
}

void srv_auth_free(struct srv_auth *a)
{
	if (a == NULL)
		return;
	free(a->tokens.v);
	free(a->token_file);
	free(a->tls_cert);
	free(a->tls_key);
	free(a->tls_client_ca);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

int srv_auth_reload(struct srv_auth *a, char **cause)
{
	struct token_set set, old;

	if (a->token_file == NULL)
		return 0;
	if (load_tokens(a->token_file, &set, cause) < 0)
		return -1;
	pthread_mutex_lock(&a->lock);
	old = a->tokens;
	a->tokens = set;
	pthread_mutex_unlock(&a->lock);
	free(old.v);
	return 0;
}

bool srv_auth_has_tokens(const struct srv_auth *a) { return a != NULL && a->token_file; }

bool srv_auth_insecure(const struct srv_auth *a) { return a != NULL && a->o.insecure; }

size_t srv_auth_count(struct srv_auth *a)
{
	size_t n;

	pthread_mutex_lock(&a->lock);
	n = a->tokens.n;
	pthread_mutex_unlock(&a->lock);
	return n;
}

/* The agent cannot take SIGHUP (a library installs no handlers): it re-reads a changed file. */
static void refresh(struct srv_auth *a)
{
	struct stat st;
	char *why = NULL;

	if (!a->o.reload_on_change || stat(a->token_file, &st) < 0)
		return;
	if (st.st_ino == a->tokens.st.st_ino && st.st_mtim.tv_sec == a->tokens.st.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == a->tokens.st.st_mtim.tv_nsec && st.st_size == a->tokens.st.st_size)
		return;
	pthread_mutex_unlock(&a->lock);
	srv_auth_reload(a, &why); /* a broken file keeps the old tokens */
	free(why);
	pthread_mutex_lock(&a->lock);
}

enum srv_role srv_auth_lookup(struct srv_auth *a, const char *token, char name[SRV_NAME_MAX])
{
	unsigned char d[DIGEST];
	enum srv_role role = SRV_ROLE_DEFAULT;
	size_t len = strlen(token);

	gnutls_hash_fast(GNUTLS_DIG_SHA256, token, len, d);
	pthread_mutex_lock(&a->lock);
	refresh(a);
	for (size_t i = 0; i < a->tokens.n; i++) {
		unsigned char diff = 0;

		for (size_t k = 0; k < DIGEST; k++)
			diff |= (unsigned char)(d[k] ^ a->tokens.v[i].digest[k]);
		if (diff == 0 && len >= SRV_TOKEN_MIN) {
			role = a->tokens.v[i].role;
			if (name != NULL)
				memcpy(name, a->tokens.v[i].name, SRV_NAME_MAX);
		}
	}
	pthread_mutex_unlock(&a->lock);
	return role;
}

const char *srv_auth_tls_cert(const struct srv_auth *a) { return a ? a->tls_cert : NULL; }

const char *srv_auth_tls_key(const struct srv_auth *a) { return a ? a->tls_key : NULL; }

const char *srv_auth_tls_client_ca(const struct srv_auth *a)
{
	return a ? a->tls_client_ca : NULL;
}

static void set_path(const char **dst, const char *v)
{
	free((char *)*dst);
	*dst = xstrdup(v);
}

bool srv_auth_option(struct srv_auth_options *o, int c, const char *v)
{
	switch (c) {
	case SRV_OPT_TOKEN_FILE: set_path(&o->token_file, v); return true;
	case SRV_OPT_INSECURE: o->insecure = true; return true;
	case SRV_OPT_TLS_CERT: set_path(&o->tls_cert, v); return true;
	case SRV_OPT_TLS_KEY: set_path(&o->tls_key, v); return true;
	case SRV_OPT_TLS_CLIENT_CA: set_path(&o->tls_client_ca, v); return true;
	}
	return false;
}

void srv_auth_options_clear(struct srv_auth_options *o)
{
	free((char *)o->token_file);
	free((char *)o->tls_cert);
	free((char *)o->tls_key);
	free((char *)o->tls_client_ca);
	*o = (struct srv_auth_options){ 0 };
}
