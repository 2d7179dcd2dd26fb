/* Plugin runtime settings from extra_config, and the backoff sequence. */
#include "config.h"
#include "plugin.h"
#include "jsonutil.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Parses text with ' for " (easier to read here) as extra_config. */
static int parse(const char *text, struct plugin_settings *s, char **cause)
{
	char *json = text ? strdup(text) : NULL;
	json_t *v;
	int rc;

	for (char *c = json; c && *c; c++)
		if (*c == '\'')
			*c = '"';
	v = json ? json_loads(json, 0, NULL) : NULL;
	rc = plugin_settings_parse(v, s, cause);
	json_decref(v);
	free(json);
	return rc;
}

static void test_valid(void)
{
	struct plugin_settings s;
	char *cause = NULL;

	is_int(parse(NULL, &s, &cause), 0, "no extra_config is fine");
	is_int(s.restart, PLUGIN_RESTART_NEVER, "default policy is never, as LMCache");
	ok(s.backoff == 1.0 && s.backoff_max == 60.0 && s.stop_grace == 5.0, "default times");

	is_int(parse("{'runtime_plugin_restart': 'on-failure', 'runtime_plugin_stop_grace': 0.5,"
	             " 'runtime_plugin_restart_backoff': '0.25',"
	             " 'runtime_plugin_restart_backoff_max': 2, 'other': 1}", &s, &cause),
	       0, "valid settings");
	is_int(s.restart, PLUGIN_RESTART_ON_FAILURE, "on-failure");
	ok(s.stop_grace == 0.5 && s.backoff == 0.25 && s.backoff_max == 2.0,
	   "times as numbers and strings");
	ok(plugin_backoff_delay(&s, 0) == 0.25, "first delay is the initial backoff");
	ok(plugin_backoff_delay(&s, 1) == 0.5, "then it doubles");
	ok(plugin_backoff_delay(&s, 2) == 1.0, "and doubles");
	ok(plugin_backoff_delay(&s, 3) == 2.0, "up to the cap");
	ok(plugin_backoff_delay(&s, 1000) == 2.0, "and stays at the cap");

	is_int(parse("{'runtime_plugin_restart': 'ALWAYS'}", &s, NULL), 0, "case-insensitive");
	is_int(s.restart, PLUGIN_RESTART_ALWAYS, "always");
	parse("{'runtime_plugin_restart': 'on_failure'}", &s, NULL);
	is_int(s.restart, PLUGIN_RESTART_ON_FAILURE, "on_failure spelling accepted");
	parse("{'runtime_plugin_restart': null}", &s, NULL);
	is_int(s.restart, PLUGIN_RESTART_NEVER, "null means the default");
}

static void test_invalid(void)
{
	struct plugin_settings s;
	char *cause = NULL;

	is_int(parse("{'runtime_plugin_restart': 'sometimes', 'runtime_plugin_stop_grace': -1,"
	             " 'runtime_plugin_restart_backoff': 'soon',"
	             " 'runtime_plugin_restart_backoff_max': 1e9}", &s, &cause),
	       -1, "bad values are reported");
	ok(cause && strstr(cause, "runtime_plugin_restart:") &&
	   strstr(cause, "runtime_plugin_stop_grace:") &&
	   strstr(cause, "runtime_plugin_restart_backoff:") &&
	   strstr(cause, "runtime_plugin_restart_backoff_max:"), "every bad key is named");
	is_int(s.restart, PLUGIN_RESTART_NEVER, "a bad policy keeps the default");
	ok(s.stop_grace == 5.0 && s.backoff == 1.0 && s.backoff_max == 60.0,
	   "bad times keep their defaults");
	free(cause);

	parse("{'runtime_plugin_restart_backoff': 10, 'runtime_plugin_restart_backoff_max': 1}",
	      &s, NULL);
	ok(s.backoff_max == 10.0, "a cap below the first delay is raised to it");
}

int main(void)
{
	no_plan();
	test_valid();
	test_invalid();
	is_str(plugin_restart_name(PLUGIN_RESTART_ON_FAILURE), "on-failure", "policy names");
	return done_testing();
}
