/* Loading config as LMCache does: a YAML file (typed by registered keys, unknown keys kept
 * read-only with guessed types) named by LMCACHE_CONFIG_FILE, else LMCACHE_* variables; bad
 * values name the key and where they came from, and change nothing. */
#include "config.h"
#include "agent-internal.h"
#include "tap.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char fixture_dir[4096];

static const char *fixture(const char *name)
{
	static char path[4200];

	snprintf(path, sizeof path, "%s/%s", fixture_dir, name);
	return path;
}

static int changes;

static int count_change(lmca_agent *a, const char *k, const char *v, void *arg, char **cause)
{
	changes++;
	return 0;
}

static lmca_agent *host_agent(void)
{
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_SCHEDULER, -1, 2, NULL);

	lmca_conf_register(a, "chunk_size", LMCA_CONF_INT, "1", true, NULL);
	lmca_conf_register(a, "local_cpu", LMCA_CONF_BOOL, "false", true, NULL);
	lmca_conf_register(a, "max_local_cpu_size", LMCA_CONF_FLOAT, "1.0", false, NULL);
	lmca_conf_on_change(a, "chunk_size", count_change, NULL, NULL);
	return a;
}

static void is_json(lmca_agent *a, const char *key, const char *want, const char *name)
{
	char *got = lmca_conf_get_json(a, key);

	is_str(got, want, name);
	free(got);
}

/* Keys the file gives that nobody registered: read-only until a piece registers them. */
static void test_file_unknown_keys(lmca_agent *a)
{
	char *cause = NULL, *detail = NULL;
	const char *reason = NULL;
	json_t *v;

	v = json_string("x");
	ok(conf_update_from_api(a, "remote_url", v, &reason, &detail) < 0 &&
	   strcmp(reason, "Config is not mutable at runtime") == 0, "unknown key is read-only");
	json_decref(v);
	ok(lmca_conf_set(a, "remote_url", "\"y\"", NULL) < 0, "even for lmca_conf_set");
	ok(lmca_conf_register(a, "remote_url", LMCA_CONF_STRING, "null", true, NULL) == 0,
	   "registering a loaded key adopts it");
	is_json(a, "remote_url", "\"lm://localhost:65432\"", "its loaded value is kept");
	ok(lmca_conf_set(a, "remote_url", "\"y\"", NULL) == 0, "and it is now settable");
	cause = NULL;
	ok(lmca_conf_register(a, "save_decode_cache", LMCA_CONF_INT, "0", true, &cause) < 0 &&
	   cause, "registering a loaded key with a type that does not fit fails");
	free(cause);
}

static void test_file(void)
{
	lmca_agent *a = host_agent();
	char *cause = NULL;

	changes = 0;
	ok(lmca_agent_load_config_file(a, fixture("lmcache.yaml"), &cause) == 0, "file loads");
	free(cause);
	is_json(a, "chunk_size", "256", "host int");
	is_int(changes, 1, "change callback ran at load");
	is_json(a, "local_cpu", "true", "host bool");
	is_json(a, "max_local_cpu_size", "5.0", "host float");
	is_json(a, "internal_api_server_enabled", "true", "YAML True for a bool key");
	is_json(a, "internal_api_server_port_start", "7100", "port start");
	is_json(a, "internal_api_server_include_index_list", "[0,2]", "include list");
	is_json(a, "internal_api_server_socket_path_prefix",
	        "\"/tmp/lmcache_internal_api_server/socket\"", "socket prefix");
	is_json(a, "runtime_plugin_locations", "[\"/opt/plugins\",\"/etc/lmcache/scheduler_probe.sh\"]",
	        "plugin_locations in a file is the alias");
	is_json(a, "lmcache_instance_id", "\"1234\"", "string key keeps digits as text");
	is_json(a, "extra_config",
	        "{\"plugin.frontend.port\":8080,\"nested\":{\"a\":[1,2.5,\"x\",null],\"b\":null}}",
	        "nested map becomes a JSON object");
	is_json(a, "remote_url", "\"lm://localhost:65432\"", "unknown string kept");
	is_json(a, "save_decode_cache", "false", "unknown bool guessed");
	is_json(a, "blend_special_str", "\" # \"", "quoted string with a hash");
	is_json(a, "quoted_number", "\"42\"", "quoted number stays a string");
	is_json(a, "ratio", "0.75", "unknown float guessed");
	is_json(a, "empty_key", "null", "empty value is null");
	test_file_unknown_keys(a);
	lmca_agent_free(a);
}

static void expect_error(const char *file, const char *const *parts, const char *name)
{
	lmca_agent *a = host_agent();
	char *cause = NULL;
	bool all = true;

	ok(lmca_agent_load_config_file(a, fixture(file), &cause) < 0, name);
	for (const char *const *p = parts; *p; p++)
		all = all && cause && strstr(cause, *p);
	if (!ok(all, "error names key and place"))
		printf("#   cause: %s\n", cause ? cause : "(null)");
	is_json(a, "chunk_size", "1", "nothing applied from a bad file");
	free(cause);
	lmca_agent_free(a);
}

static void test_file_errors(void)
{
	const char *bad_int[] = { "internal_api_server_port_start", "bad-int.yaml:2",
		                  "expected an integer", "seven", NULL };
	const char *syntax[] = { "bad-syntax.yaml:", "invalid YAML", NULL };
	const char *not_map[] = { "not-a-map.yaml:1", "top level must be a map", NULL };
	const char *bad_list[] = { "internal_api_server_include_index_list", "bad-list.yaml:2",
		                   "expected a list", NULL };
	const char *missing[] = { "cannot open config file", "no-such.yaml", NULL };

	expect_error("bad-int.yaml", bad_int, "bad int");
	expect_error("bad-syntax.yaml", syntax, "bad syntax");
	expect_error("not-a-map.yaml", not_map, "top level not a map");
	expect_error("bad-list.yaml", bad_list, "scalar for a list");
	expect_error("no-such.yaml", missing, "missing file");
}

static void test_deep_nesting(void)
{
	char path[] = "/tmp/lmc-conf-deep-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	lmca_agent *a = host_agent();
	char *cause = NULL;

	fputs("extra_config: ", f);
	for (int i = 0; i < 200; i++)
		fputc('[', f);
	for (int i = 0; i < 200; i++)
		fputc(']', f);
	fputc('\n', f);
	fclose(f);
	ok(lmca_agent_load_config_file(a, path, &cause) < 0 && cause &&
	   strstr(cause, "too deep"), "deep nesting refused");
	free(cause);
	unlink(path);
	lmca_agent_free(a);
}

/* Anchors and aliases are resolved, but an alias bomb must not expand without bound. */
static void test_aliases(void)
{
	static const char bomb[] =
		"a: &a [x, x, x, x, x, x, x, x, x, x]\n"
		"b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
		"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
		"d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
		"e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
		"extra_config: {big: [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]}\n";
	static const char anchors[] = "base: &base {port: 8080}\nextra_config: *base\n";
	char path[] = "/tmp/lmc-conf-alias-XXXXXX";
	lmca_agent *a = host_agent();
	char *cause = NULL;
	FILE *f;

	f = fdopen(mkstemp(path), "w");
	fputs(anchors, f);
	fclose(f);
	ok(lmca_agent_load_config_file(a, path, NULL) == 0, "anchors and aliases load");
	is_json(a, "extra_config", "{\"port\":8080}", "alias resolved");
	f = fopen(path, "w");
	fputs(bomb, f);
	fclose(f);
	ok(lmca_agent_load_config_file(a, path, &cause) < 0 && cause &&
	   strstr(cause, "too many values"), "alias bomb refused");
	free(cause);
	is_json(a, "extra_config", "{\"port\":8080}", "and changed nothing");
	unlink(path);
	lmca_agent_free(a);
}

static void clear_env(void)
{
	static const char *const vars[] = {
		"LMCACHE_CONFIG_FILE", "LMCACHE_CHUNK_SIZE", "LMCACHE_INTERNAL_API_SERVER_ENABLED",
		"LMCACHE_INTERNAL_API_SERVER_INCLUDE_INDEX_LIST", "LMCACHE_RUNTIME_PLUGIN_LOCATIONS",
		"LMCACHE_PLUGIN_LOCATIONS", "LMCACHE_EXTRA_CONFIG", "LMCACHE_LMCACHE_INSTANCE_ID",
		"LMCACHE_MAX_LOCAL_CPU_SIZE", NULL,
	};

	for (const char *const *v = vars; *v; v++)
		unsetenv(*v);
}

static void test_env(void)
{
	lmca_agent *a = host_agent();
	char *cause = NULL;

	clear_env();
	setenv("LMCACHE_CHUNK_SIZE", "512", 1);
	setenv("LMCACHE_INTERNAL_API_SERVER_ENABLED", "True", 1);
	setenv("LMCACHE_INTERNAL_API_SERVER_INCLUDE_INDEX_LIST", "1, 2", 1);
	setenv("LMCACHE_RUNTIME_PLUGIN_LOCATIONS", "/opt/a,b/plugins", 1);
	setenv("LMCACHE_EXTRA_CONFIG", "{\"plugin.frontend.port\": 9000}", 1);
	setenv("LMCACHE_LMCACHE_INSTANCE_ID", "inst7", 1);
	setenv("LMCACHE_MAX_LOCAL_CPU_SIZE", "2.5", 1);
	ok(lmca_agent_load_config(a, &cause) == 0, "environment loads");
	free(cause);
	is_json(a, "chunk_size", "512", "int from env");
	is_json(a, "internal_api_server_enabled", "true", "bool from env");
	is_json(a, "internal_api_server_include_index_list", "[1,2]", "\"1, 2\" is a list of ints");
	is_json(a, "runtime_plugin_locations", "[\"/opt/a,b/plugins\"]", "env path is ONE path");
	is_json(a, "extra_config", "{\"plugin.frontend.port\":9000}", "extra_config JSON object");
	is_json(a, "lmcache_instance_id", "\"inst7\"", "string from env");
	is_json(a, "max_local_cpu_size", "2.5", "float from env");
	lmca_agent_free(a);

	a = host_agent();
	clear_env();
	setenv("LMCACHE_INTERNAL_API_SERVER_INCLUDE_INDEX_LIST", "[0,3]", 1);
	setenv("LMCACHE_PLUGIN_LOCATIONS", "/old/name", 1);
	ok(lmca_agent_load_config(a, NULL) == 0, "bracketed list and old variable name");
	is_json(a, "internal_api_server_include_index_list", "[0,3]", "[0,3] is a list");
	is_json(a, "runtime_plugin_locations", "[\"/old/name\"]", "LMCACHE_PLUGIN_LOCATIONS");
	lmca_agent_free(a);
}

static void test_env_errors(void)
{
	lmca_agent *a = host_agent();
	char *cause = NULL;

	clear_env();
	setenv("LMCACHE_INTERNAL_API_SERVER_ENABLED", "true", 1);
	setenv("LMCACHE_CHUNK_SIZE", "lots", 1);
	ok(lmca_agent_load_config(a, &cause) < 0, "bad env value fails");
	ok(cause && strstr(cause, "LMCACHE_CHUNK_SIZE") && strstr(cause, "chunk_size") &&
	   strstr(cause, "lots"), "error names key, variable and value");
	free(cause);
	cause = NULL;
	is_json(a, "internal_api_server_enabled", "false", "nothing applied");
	clear_env();
	setenv("LMCACHE_EXTRA_CONFIG", "[1]", 1);
	ok(lmca_agent_load_config(a, &cause) < 0 && cause && strstr(cause, "JSON object"),
	   "extra_config must be an object");
	free(cause);
	lmca_agent_free(a);
}

static void test_file_wins(void)
{
	lmca_agent *a = host_agent();

	clear_env();
	setenv("LMCACHE_CONFIG_FILE", fixture("lmcache.yaml"), 1);
	setenv("LMCACHE_CHUNK_SIZE", "999", 1);
	ok(lmca_agent_load_config(a, NULL) == 0, "LMCACHE_CONFIG_FILE loads");
	is_json(a, "chunk_size", "256", "file wins; env ignored when a file is named");
	lmca_agent_free(a);
	a = host_agent();
	setenv("LMCACHE_CONFIG_FILE", fixture("empty.yaml"), 1);
	ok(lmca_agent_load_config(a, NULL) == 0, "empty file loads");
	is_json(a, "chunk_size", "1", "and changes nothing");
	clear_env();
	lmca_agent_free(a);
}

int main(void)
{
	const char *src = getenv("LMC_SRCDIR");

	snprintf(fixture_dir, sizeof fixture_dir, "%s/tests/fixtures/conf", src ? src : ".");
	no_plan();
	test_file();
	test_file_errors();
	test_deep_nesting();
	test_aliases();
	test_env();
	test_env_errors();
	test_file_wins();
	return done_testing();
}
