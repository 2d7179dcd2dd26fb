/* The security settings of a daemon served by the core (srv.h): the token file (who may do
 * what), the exposure rule (no tokens, no listening beyond loopback unless insecure) and the
 * TLS material. One struct srv_auth per daemon, given to the core in struct srv_config.auth;
 * lmcache-security(7) describes the model.
 *
 * Token file: one "TOKEN ROLE [NAME]" a line, '#' comments and blank lines ignored; ROLE is
 * viewer, operator, admin or agent; the file must be the daemon user's and mode 0600 (or
 * stricter). Tokens are kept as SHA-256 digests and compared in constant time. */
#ifndef LMC_SERVER_AUTH_H
#define LMC_SERVER_AUTH_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>

#include "srv.h"

#define SRV_TOKEN_MIN 16  /* shortest token accepted, in bytes */
#define SRV_TOKEN_MAX 256 /* longest */

/* What a daemon was told on its command line (or the agent in its config). */
struct srv_auth_options {
	const char *token_file;	   /* NULL: no tokens (loopback only, unless insecure) */
	bool insecure;		   /* listen beyond loopback without tokens anyway */
	const char *tls_cert;	   /* PEM files; both or neither */
	const char *tls_key;
	const char *tls_client_ca; /* clients must present a certificate it signed */
	bool reload_on_change;	   /* re-read the token file when it changes (the agent) */
};

/* The daemons' flags for these, in their getopt_long tables and --help. */
enum {
	SRV_OPT_TOKEN_FILE = 0x5000, SRV_OPT_INSECURE, SRV_OPT_TLS_CERT, SRV_OPT_TLS_KEY,
	SRV_OPT_TLS_CLIENT_CA
};
#define SRV_AUTH_LONGOPTS                                                        \
	{ "token-file", required_argument, NULL, SRV_OPT_TOKEN_FILE },          \
	{ "insecure", no_argument, NULL, SRV_OPT_INSECURE },                    \
	{ "tls-cert", required_argument, NULL, SRV_OPT_TLS_CERT },              \
	{ "tls-key", required_argument, NULL, SRV_OPT_TLS_KEY },                \
	{ "tls-client-ca", required_argument, NULL, SRV_OPT_TLS_CLIENT_CA }
#define SRV_AUTH_USAGE                                                                        \
	"  --token-file FILE            tokens and roles, 'TOKEN ROLE [NAME]' a line, mode 0600;\n" \
	"                               SIGHUP re-reads it (lmcache-security(7))\n"                \
	"  --insecure                   listen beyond loopback without --token-file anyway\n"     \
	"  --tls-cert FILE, --tls-key FILE  serve HTTPS with this PEM certificate and key\n"      \
	"  --tls-client-ca FILE         mutual TLS: clients need a certificate this CA signed\n"
/* Takes getopt's c and optarg when c is one of SRV_AUTH_LONGOPTS (copied; free them with
 * srv_auth_options_clear). False for any other c. */
bool srv_auth_option(struct srv_auth_options *o, int c, const char *v);
void srv_auth_options_clear(struct srv_auth_options *o);

#define SRV_INSECURE_WARNING                                                                 \
	"INSECURE: listening beyond loopback without a token file (--insecure): anyone who " \
	"reaches this port may read and change everything"

struct srv_auth;

/* Reads the token file and the TLS files: NULL with *cause when one is unusable. */
struct srv_auth *srv_auth_new(const struct srv_auth_options *o, char **cause);
void srv_auth_free(struct srv_auth *a);
/* Re-reads the token file (SIGHUP). On failure the old tokens stay and *cause says why. */
int srv_auth_reload(struct srv_auth *a, char **cause);
bool srv_auth_has_tokens(const struct srv_auth *a);
bool srv_auth_insecure(const struct srv_auth *a);
/* The number of tokens loaded. */
size_t srv_auth_count(struct srv_auth *a);

/* The role and name of token, or SRV_ROLE_DEFAULT (none) when no token matches. name (may be
 * NULL) receives the token's name, or "token<line>" when it has none. */
enum srv_role srv_auth_lookup(struct srv_auth *a, const char *token, char name[SRV_NAME_MAX]);

/* TLS material for srv_daemon_options (NULL when not configured). */
const char *srv_auth_tls_cert(const struct srv_auth *a);
const char *srv_auth_tls_key(const struct srv_auth *a);
const char *srv_auth_tls_client_ca(const struct srv_auth *a);

/* "viewer", "operator", "admin", "agent" ("none" for SRV_ROLE_DEFAULT). */
const char *srv_role_name(enum srv_role r);
/* The role of a name, or SRV_ROLE_DEFAULT. */
enum srv_role srv_role_parse(const char *s);
/* Whether have may call a route needing need: viewer < operator < admin; agent only
 * where agent is needed (admin may too). */
bool srv_role_allows(enum srv_role have, enum srv_role need);

/* Parses a token file's text (exposed for tests): entries are handed to add; 0, or -1 with
 * *cause naming the line. */
int srv_tokens_parse(const char *text, const char *what,
		     void (*add)(void *arg, const char *tok, enum srv_role r, const char *name,
				 int line),
		     void *arg, char **cause);

#endif
