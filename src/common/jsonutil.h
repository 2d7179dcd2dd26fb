/* jansson helpers with the project's error convention (char **cause, NULL on failure). */
#ifndef LMC_COMMON_JSONUTIL_H
#define LMC_COMMON_JSONUTIL_H

#include <jansson.h>
#include <stddef.h>

/* Parses len bytes of JSON text (any value, not only objects). */
json_t *json_parse_text(const char *text, size_t len, char **cause);
/* Compact JSON text of v; the caller frees it. */
char *json_to_text(const json_t *v);
/* The string member key of obj, or dflt when absent or not a string. */
const char *json_str_member(const json_t *obj, const char *key, const char *dflt);

#endif
