/* Redaction of secret-looking environment values (see env-redact.h). */
#include "config.h"
#include "env-redact.h"
#include "strutil.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static const char *const secret_words[] = { "TOKEN",  "SECRET", "PASS",   "KEY",
					    "CREDENTIAL", "AUTH", "JWT",    "BEARER",
					    "COOKIE", "PEM",    "PRIVATE", "SESSION" };

/* One upper-cased copy searched with strstr: GET /conf asks this of every key of every
 * answer, and a case-insensitive compare at every offset cost 30 us a request. */
bool env_is_secret(const char *name, char *const *allowlist)
{
	char *upper = xstrdup(name);
	bool secret = false;

	for (char *p = upper; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	for (size_t i = 0; i < sizeof secret_words / sizeof secret_words[0]; i++)
		secret = secret || strstr(upper, secret_words[i]) != NULL;
	free(upper);
	if (secret && allowlist != NULL)
		for (char *const *a = allowlist; *a; a++)
			if (strcmp(*a, name) == 0)
				return false;
	return secret;
}

/* "scheme://user:pass@host...": the password's span, or false. */
static bool url_password(const char *v, const char **from, const char **to)
{
	const char *s = strstr(v, "://"), *at, *colon;

	if (s == NULL)
		return false;
	s += 3;
	at = s + strcspn(s, "@/?#");
	if (*at != '@')
		return false;
	colon = memchr(s, ':', (size_t)(at - s));
	if (colon == NULL || colon + 1 == at)
		return false;
	*from = colon + 1;
	*to = at;
	return true;
}

char *redact_value(const char *value)
{
	const char *from, *to;

	if (strstr(value, "-----BEGIN") != NULL)
		return xstrdup(ENV_REDACTED);
	if (url_password(value, &from, &to)) {
		char *rest = redact_value(to);
		char *out = xasprintf("%.*s%s%s", (int)(from - value), value, ENV_REDACTED,
		                      rest ? rest : to);

		free(rest);
		return out;
	}
	return NULL;
}

void redact_json(json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;
	char *r;

	if (json_is_object(v)) {
		json_object_foreach(v, key, m)
			if (env_is_secret(key, NULL) && json_is_string(m)) /* numbers tell nothing */
				json_object_set_new(v, key, json_string(ENV_REDACTED));
			else
				redact_json(m);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			redact_json(m);
	} else if (json_is_string(v) && (r = redact_value(json_string_value(v))) != NULL) {
		json_string_set(v, r);
		free(r);
	}
}

/* LMCACHE_EXTRA_CONFIG holds a JSON object of anything: its secret members go; text that
 * is not JSON is hidden whole. */
static json_t *extra_config_value(const char *v)
{
	json_t *doc = json_loads(v, JSON_DECODE_ANY, NULL), *out;
	char *text;

	if (!json_is_object(doc)) {
		json_decref(doc);
		return json_string(ENV_REDACTED);
	}
	redact_json(doc);
	text = json_dumps(doc, JSON_COMPACT);
	json_decref(doc);
	out = json_string(text ? text : ENV_REDACTED);
	free(text);
	return out;
}

static json_t *env_value(const char *name, const char *v, char *const *allowlist)
{
	char *r;
	json_t *out;

	if (env_is_secret(name, allowlist))
		return json_string(ENV_REDACTED);
	if (strcmp(name, "LMCACHE_EXTRA_CONFIG") == 0)
		return extra_config_value(v);
	if ((r = redact_value(v)) == NULL)
		return json_string(v);
	out = json_string(r);
	free(r);
	return out;
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
		json_object_set_new(out, name, env_value(name, eq + 1, allowlist));
		free(name);
	}
	return out;
}
