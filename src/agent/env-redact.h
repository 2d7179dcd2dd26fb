/* Which environment and configuration values GET /env and GET /conf may show
 * (lmcache-security(7)): pure, so it is unit-tested alone. Secrets are found by name and
 * by the shape of the value; every caller, whatever its role, sees only redacted values. */
#ifndef LMC_AGENT_ENV_REDACT_H
#define LMC_AGENT_ENV_REDACT_H

#include <jansson.h>
#include <stdbool.h>

#define ENV_REDACTED "<redacted>"

/* Whether the value of variable `name` must be hidden: its name contains TOKEN, SECRET,
 * PASS (PASSWORD, PASSWD, _PASS), KEY, CREDENTIAL, AUTH, JWT, BEARER, COOKIE, PEM, PRIVATE
 * or SESSION (any case) and it is not in allowlist (NULL-terminated, exact names, may be
 * NULL). */
bool env_is_secret(const char *name, char *const *allowlist);

/* A value with its secret parts hidden, or NULL when it shows none: a PEM block is
 * replaced whole, a URL's password ("scheme://user:pass@host") by ENV_REDACTED. */
char *redact_value(const char *value);

/* Redacts a JSON document in place: string members with secret names (env_is_secret)
 * become ENV_REDACTED (min_retrieve_tokens: 256 stays), other strings are redacted by
 * shape (redact_value), recursively. */
void redact_json(json_t *v);

/* An object of every NAME=value of env (NULL-terminated), secrets redacted by name and by
 * shape; LMCACHE_EXTRA_CONFIG (JSON) has its members redacted, or is hidden whole. */
json_t *env_snapshot(char *const *env, char *const *allowlist);

#endif
