/* Redaction of secret-looking environment values (see env-redact.h). */
#include "config.h"
#include "env-redact.h"
#include "strutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

static const char *const secret_words[] = { "TOKEN", "SECRET", "PASSWORD", "KEY", "CREDENTIAL" };

bool env_is_secret(const char *name, char *const *allowlist)
{
	bool secret = false;

	for (size_t i = 0; i < sizeof secret_words / sizeof secret_words[0]; i++)
		secret = secret || str_icontains(name, secret_words[i]);
	if (secret && allowlist != NULL)
		for (char *const *a = allowlist; *a; a++)
			if (strcmp(*a, name) == 0)
				return false;
	return secret;
}

json_t *env_snapshot(char *const *env, char *const *allowlist)
{
	json_t *out = json_object();

	for (char *const *e = env; e && *e; e++) {
		const char *eq = strchr(*e, '=');
		char *name;

		if (eq == NULL || eq == *e)
			continue;
		name = xstrndup(*e, (size_t)(eq - *e));
		json_object_set_new(out, name,
		                    json_string(env_is_secret(name, allowlist) ? ENV_REDACTED : eq + 1));
		free(name);
	}
	return out;
}
