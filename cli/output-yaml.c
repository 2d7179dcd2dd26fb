/* -o yaml: the report (the same array as -o json) as one YAML document, written with
 * libyaml's emitter so quoting is always right. Numbers, booleans and null are plain
 * scalars; strings are quoted whenever they would read back as something else. */
#include "config.h"
#include "cli.h"
#include "jsonutil.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static void emit(yaml_emitter_t *e, yaml_event_t *ev)
{
	yaml_emitter_emit(e, ev); /* errors surface as a short document; nothing to free */
}

static void scalar(yaml_emitter_t *e, const char *text, bool plain)
{
	yaml_event_t ev;

	yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)strlen(text),
				     plain, !plain, plain ? YAML_PLAIN_SCALAR_STYLE
							   : YAML_DOUBLE_QUOTED_SCALAR_STYLE);
	emit(e, &ev);
}

/* Strings plain when they cannot be mistaken for another type, else double-quoted. */
static void string(yaml_emitter_t *e, const char *s)
{
	static const char *const special[] = { "true", "false", "null", "yes", "no", "on", "off",
					       "~", "", NULL };
	char *end;
	bool plain = strtod(s, &end) == 0 && end == s && strpbrk(s, ":#{}[],&*!|>'\"%@`\n\t") == NULL &&
		     s[0] != '-' && s[0] != '?' && s[0] != ' ';

	for (size_t i = 0; plain && special[i] != NULL; i++)
		plain = strcasecmp(s, special[i]) != 0;
	scalar(e, s, plain);
}

static void value(yaml_emitter_t *e, const json_t *v)
{
	yaml_event_t ev;
	const char *k;
	json_t *m;
	size_t i;

	if (json_is_object(v)) {
		yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
		emit(e, &ev);
		json_object_foreach((json_t *)v, k, m) {
			string(e, k);
			value(e, m);
		}
		yaml_mapping_end_event_initialize(&ev);
		emit(e, &ev);
	} else if (json_is_array(v)) {
		yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
		emit(e, &ev);
		json_array_foreach(v, i, m)
			value(e, m);
		yaml_sequence_end_event_initialize(&ev);
		emit(e, &ev);
	} else if (json_is_string(v)) {
		string(e, json_string_value(v));
	} else if (json_is_real(v)) {
		char d[STR_DOUBLE_SIZE];

		scalar(e, str_double(json_real_value(v), d), true);
	} else {
		char *text = json_to_text(v);

		scalar(e, text, true);
		free(text);
	}
}

void print_yaml(const json_t *v, FILE *f)
{
	yaml_emitter_t e;
	yaml_event_t ev;

	yaml_emitter_initialize(&e);
	yaml_emitter_set_output_file(&e, f);
	yaml_emitter_set_unicode(&e, 1);
	yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
	emit(&e, &ev);
	yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
	emit(&e, &ev);
	value(&e, v);
	yaml_document_end_event_initialize(&ev, 1);
	emit(&e, &ev);
	yaml_stream_end_event_initialize(&ev);
	emit(&e, &ev);
	yaml_emitter_flush(&e);
	yaml_emitter_delete(&e);
}
