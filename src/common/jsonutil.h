/* jansson helpers with the project's error convention (char **cause, NULL on failure). */
#ifndef LMC_COMMON_JSONUTIL_H
#define LMC_COMMON_JSONUTIL_H

#include <jansson.h>
#include <stddef.h>

/* Parses len bytes of JSON text (any value, not only objects). Strict JSON. */
json_t *json_parse_text(const char *text, size_t len, char **cause);
/* As json_parse_text, for answers of a node, a frontend or a registry: also accepts the bare
 * tokens Infinity, -Infinity and NaN that Python's json.dumps writes for non-finite floats
 * (LMCache's /conf holds float("inf")), in value position and spelled exactly so. Each
 * becomes the JSON string "Infinity", "-Infinity" or "NaN": tables then show the value as the
 * node sent it, and `-o json` output stays valid JSON (the value becomes a string). The
 * words inside strings or within other tokens are left alone; errors name the position in
 * the text as received. Linear in len. */
json_t *json_parse_lenient(const char *text, size_t len, char **cause);
/* Compact JSON text of v; the caller frees it. */
char *json_to_text(const json_t *v);
/* json_dumps(v, flags), except that every real is written as the shortest text that reads
 * back as the same double (str_double: 0.9, not 0.90000000000000002). Honours JSON_COMPACT,
 * JSON_INDENT(n), JSON_SORT_KEYS, JSON_ENSURE_ASCII and JSON_ESCAPE_SLASH as json_dumps
 * does. NULL where json_dumps gives NULL; the caller frees. */
char *json_dumps_shortest(const json_t *v, size_t flags);
/* The string member key of obj, or dflt when absent or not a string. */
const char *json_str_member(const json_t *obj, const char *key, const char *dflt);

#endif
