#include "config.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>

json_t *json_parse_text(const char *text, size_t len, char **cause)
{
	json_error_t err;
	json_t *v = json_loadb(text, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);

	if (v == NULL && cause != NULL)
		*cause = xasprintf("invalid JSON at line %d column %d: %s", err.line, err.column, err.text);
	return v;
}

char *json_to_text(const json_t *v)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);

	if (s == NULL)
		return xstrdup("null");
	return s;
}

const char *json_str_member(const json_t *obj, const char *key, const char *dflt)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_string(v) ? json_string_value(v) : dflt;
}
