/*
 * Typed config values: from text (environment variables, YAML scalars) and from JSON
 * (lmca_conf_set, POST /conf), with the coercions an operator expects ("5" for a float,
 * 5 for a float, "[1,2]" or "1,2" for a list of ints) and nothing looser.
 */
#include "config.h"
#include "conf.h"
#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *conf_type_desc(lmca_conf_type type)
{
	switch (type) {
	case LMCA_CONF_BOOL: return "a boolean";
	case LMCA_CONF_INT: return "an integer";
	case LMCA_CONF_FLOAT: return "a number";
	case LMCA_CONF_STRING: return "a string";
	case LMCA_CONF_LIST: return "a list";
	case LMCA_CONF_MAP: return "a map (JSON object)";
	}
	return "a value";
}

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "1", "yes", "on", "y", "t" };
	static const char *const no[] = { "false", "0", "no", "off", "n", "f" };

	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
		if (strcasecmp(s, yes[i]) == 0)
			return *out = true, 0;
		if (strcasecmp(s, no[i]) == 0)
			return *out = false, 0;
	}
	return -1;
}

static const char *skip_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Numbers may have blanks around them, nothing else. */
static int parse_int(const char *s, long long *out)
{
	char *end;

	errno = 0;
	if (*(s = skip_blanks(s)) == '\0')
		return -1;
	*out = strtoll(s, &end, 10);
	return errno != 0 || *skip_blanks(end) != '\0' ? -1 : 0;
}

static int parse_float(const char *s, double *out)
{
	char *end;

	errno = 0;
	if (*(s = skip_blanks(s)) == '\0')
		return -1;
	*out = strtod(s, &end);
	return errno == ERANGE || *skip_blanks(end) != '\0' || !isfinite(*out) ? -1 : 0;
}

static json_t *bad(char **cause, lmca_conf_type type, const char *text)
{
	if (cause)
		*cause = xasprintf("expected %s, got \"%s\"", conf_type_desc(type), text);
	return NULL;
}

/* One item of a comma-separated list: an int when it reads as one, else a string. */
static json_t *list_item(const char *text)
{
	long long i;

	return parse_int(text, &i) == 0 ? json_integer(i) : json_string(text);
}

static json_t *list_from_text(const char *text, bool one_item, char **cause)
{
	json_t *arr, *v;
	json_error_t err;
	char **parts;

	if (one_item)
		return json_pack("[s]", text);
	if (*text == '[') {
		v = json_loads(text, JSON_DECODE_ANY, &err);
		if (json_is_array(v))
			return v;
		json_decref(v);
		if (cause)
			*cause = xasprintf("expected a list such as [1,2] or 1,2, got \"%s\"", text);
		return NULL;
	}
	arr = json_array();
	parts = str_split(text, ',', NULL);
	for (char **p = parts; *p; p++) {
		char *item = str_trim(*p);

		if (*item != '\0')
			json_array_append_new(arr, list_item(item));
	}
	str_list_free(parts);
	return arr;
}

static json_t *map_from_text(const char *text, char **cause)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &err);

	if (json_is_object(v))
		return v;
	json_decref(v);
	if (cause)
		*cause = xasprintf("expected a JSON object, got \"%s\"", text);
	return NULL;
}

json_t *conf_value_from_text(lmca_conf_type type, const char *text, bool one_item,
                             char **cause)
{
	long long i;
	double d;
	bool b;

	switch (type) {
	case LMCA_CONF_BOOL:
		return parse_bool(text, &b) == 0 ? json_boolean(b) : bad(cause, type, text);
	case LMCA_CONF_INT:
		return parse_int(text, &i) == 0 ? json_integer(i) : bad(cause, type, text);
	case LMCA_CONF_FLOAT:
		return parse_float(text, &d) == 0 ? json_real(d) : bad(cause, type, text);
	case LMCA_CONF_STRING:
		return json_string(text);
	case LMCA_CONF_LIST:
		return list_from_text(text, one_item, cause);
	case LMCA_CONF_MAP:
		return map_from_text(text, cause);
	}
	return bad(cause, type, text);
}

static json_t *coerce_number(lmca_conf_type type, const json_t *in)
{
	double d;

	if (type == LMCA_CONF_FLOAT)
		return json_is_number(in) ? json_real(json_number_value(in)) : NULL;
	if (json_is_integer(in))
		return json_integer(json_integer_value(in));
	if (json_is_real(in)) {
		d = json_real_value(in);
		if (d == floor(d) && fabs(d) < 9.2e18)
			return json_integer((json_int_t)d);
	}
	return NULL;
}

static json_t *coerce_inner(lmca_conf_type type, const json_t *in)
{
	switch (type) {
	case LMCA_CONF_BOOL:
		return json_is_boolean(in) ? json_boolean(json_is_true(in)) : NULL;
	case LMCA_CONF_INT:
	case LMCA_CONF_FLOAT:
		return coerce_number(type, in);
	case LMCA_CONF_STRING:
		return json_is_string(in) ? json_deep_copy(in) : NULL;
	case LMCA_CONF_LIST:
		return json_is_array(in) ? json_deep_copy(in) : NULL;
	case LMCA_CONF_MAP:
		return json_is_object(in) ? json_deep_copy(in) : NULL;
	}
	return NULL;
}

json_t *conf_coerce(lmca_conf_type type, const json_t *in, char **cause)
{
	json_t *v = coerce_inner(type, in);
	char *text;

	/* A string holding a bool or a number is what YAML quoting and shell scripts give. */
	if (v == NULL && json_is_string(in) &&
	    (type == LMCA_CONF_BOOL || type == LMCA_CONF_INT || type == LMCA_CONF_FLOAT))
		return conf_value_from_text(type, json_string_value(in), false, cause);
	if (v == NULL && cause) {
		text = json_dumps_shortest(in, JSON_ENCODE_ANY | JSON_COMPACT);
		*cause = xasprintf("expected %s, got %s", conf_type_desc(type), text);
		free(text);
	}
	return v;
}

json_t *conf_guess_scalar(const char *text)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	static const char *const trues[] = { "true", "True", "TRUE" };
	static const char *const falses[] = { "false", "False", "FALSE" };
	long long i;
	double d;

	for (size_t k = 0; k < sizeof nulls / sizeof nulls[0]; k++)
		if (strcmp(text, nulls[k]) == 0)
			return json_null();
	for (size_t k = 0; k < 3; k++) {
		if (strcmp(text, trues[k]) == 0)
			return json_true();
		if (strcmp(text, falses[k]) == 0)
			return json_false();
	}
	if (parse_int(text, &i) == 0 && strchr(text, ' ') == NULL)
		return json_integer(i);
	if (parse_float(text, &d) == 0 && strchr(text, ' ') == NULL)
		return json_real(d);
	return json_string(text);
}
