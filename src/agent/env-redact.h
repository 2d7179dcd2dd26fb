/* Which environment values GET /env may show: pure, so it is unit-tested alone. */
#ifndef LMC_AGENT_ENV_REDACT_H
#define LMC_AGENT_ENV_REDACT_H

#include <jansson.h>
#include <stdbool.h>

#define ENV_REDACTED "<redacted>"

/* Whether the value of variable `name` must be hidden: its name contains TOKEN, SECRET,
 * PASSWORD, KEY or CREDENTIAL (any case) and it is not in allowlist (NULL-terminated,
 * exact names, may be NULL). */
bool env_is_secret(const char *name, char *const *allowlist);

/* An object of every NAME=value of env (NULL-terminated), secrets redacted. */
json_t *env_snapshot(char *const *env, char *const *allowlist);

#endif
