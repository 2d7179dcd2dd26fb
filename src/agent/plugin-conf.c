/* Plugin runtime settings (an extension) from extra_config: restart policy, backoff, grace. */
#include "config.h"
#include "plugin.h"
#include "xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEFAULT_BACKOFF 1.0
#define DEFAULT_BACKOFF_MAX 60.0
#define DEFAULT_STOP_GRACE 5.0

static const char *const restart_names[] = { "never", "on-failure", "always" };

const char *plugin_restart_name(enum plugin_restart r) { return restart_names[r]; }

static void complain(struct buf *why, const char *key, const char *what)
{
	buf_printf(why, "%s%s: %s", why->len ? "; " : "", key, what);
}

/* A number of seconds given as a JSON number or a numeric string. */
static int seconds_value(const json_t *v, double *out)
{
	char *end;
	double d;

	if (json_is_number(v)) {
		d = json_number_value(v);
	} else if (json_is_string(v)) {
		d = strtod(json_string_value(v), &end);
		if (end == json_string_value(v) || *end != '\0')
			return -1;
	} else {
		return -1;
	}
	if (!isfinite(d) || d < 0 || d > 86400)
		return -1;
	*out = d;
	return 0;
}

static void parse_seconds(const json_t *extra, const char *key, double *out, struct buf *why)
{
	const json_t *v = json_object_get(extra, key);

	if (v != NULL && !json_is_null(v) && seconds_value(v, out) < 0)
		complain(why, key, "expected a number of seconds between 0 and 86400");
}

static void parse_restart(const json_t *extra, enum plugin_restart *out, struct buf *why)
{
	const json_t *v = json_object_get(extra, "runtime_plugin_restart");
	const char *s = json_string_value(v);

	if (v == NULL || json_is_null(v))
		return;
	for (size_t i = 0; s != NULL && i < 3; i++) {
		if (strcasecmp(s, restart_names[i]) == 0 ||
		    (i == PLUGIN_RESTART_ON_FAILURE && strcasecmp(s, "on_failure") == 0)) {
			*out = (enum plugin_restart)i;
			return;
		}
	}
	complain(why, "runtime_plugin_restart", "expected never, on-failure or always");
}

int plugin_settings_parse(const json_t *extra, struct plugin_settings *s, char **cause)
{
	struct buf why = BUF_INIT;

	s->restart = PLUGIN_RESTART_NEVER;
	s->backoff = DEFAULT_BACKOFF;
	s->backoff_max = DEFAULT_BACKOFF_MAX;
	s->stop_grace = DEFAULT_STOP_GRACE;
	if (json_is_object(extra)) {
		parse_restart(extra, &s->restart, &why);
		parse_seconds(extra, "runtime_plugin_restart_backoff", &s->backoff, &why);
		parse_seconds(extra, "runtime_plugin_restart_backoff_max", &s->backoff_max, &why);
		parse_seconds(extra, "runtime_plugin_stop_grace", &s->stop_grace, &why);
	}
	if (s->backoff_max < s->backoff)
		s->backoff_max = s->backoff;
	if (why.len == 0) {
		buf_free(&why);
		return 0;
	}
	if (cause)
		*cause = buf_steal(&why);
	else
		buf_free(&why);
	return -1;
}

double plugin_backoff_delay(const struct plugin_settings *s, unsigned n)
{
	double d = s->backoff;

	for (unsigned i = 0; i < n && d < s->backoff_max; i++)
		d *= 2;
	return d < s->backoff_max ? d : s->backoff_max;
}
