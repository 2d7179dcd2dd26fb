/* The config store: protocol keys and defaults, typed get/set, coercion, aliases, the API
 * update path with its exact reasons, change callbacks and their refusal, snapshots, and
 * concurrent readers and writers. */
#include "config.h"
#include "agent-internal.h"
#include "tap.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

static lmca_agent *new_agent(void)
{
	char *cause = NULL;
	lmca_agent *a = lmca_agent_new(LMCA_ROLE_WORKER, 0, 2, &cause);

	if (a == NULL) {
		printf("Bail out! agent: %s\n", cause);
		exit(1);
	}
	return a;
}

static void check_json(lmca_agent *a, const char *key, const char *want, const char *name)
{
	char *got = lmca_conf_get_json(a, key);

	is_str(got, want, name);
	free(got);
}

static void test_protocol_defaults(void)
{
	lmca_agent *a = new_agent();
	char *s;

	ok(!lmca_conf_get_bool(a, "internal_api_server_enabled", true), "server off by default");
	s = lmca_conf_get_string(a, "internal_api_server_host", NULL);
	is_str(s, "127.0.0.1", "host defaults to loopback");
	free(s);
	is_int(lmca_conf_get_int(a, "internal_api_server_port_start", 0), 6999, "port start");
	check_json(a, "internal_api_server_include_index_list", "null", "include list none");
	check_json(a, "internal_api_server_socket_path_prefix", "null", "socket prefix none");
	check_json(a, "runtime_plugin_locations", "null", "plugin locations none");
	check_json(a, "extra_config", "null", "extra_config none");
	ok(!lmca_conf_get_bool(a, "run_script_api_enabled", true), "run_script off");
	check_json(a, "lmcache_instance_id", "\"lmcache_default_instance\"", "instance id");
	check_json(a, "plugin_locations", "null", "old name plugin_locations reads the new key");
	ok(lmca_conf_get_json(a, "no_such_key") == NULL, "unknown key: NULL");
	lmca_agent_free(a);
}

static void test_register(lmca_agent *a)
{
	char *cause = NULL;

	ok(lmca_conf_register(a, "chunk_size", LMCA_CONF_INT, "256", true, NULL) == 0,
	   "register int");
	ok(lmca_conf_register(a, "chunk_size", LMCA_CONF_INT, "1", true, &cause) < 0 &&
	   cause && strstr(cause, "already registered"), "second registration refused");
	free(cause);
	cause = NULL;
	ok(lmca_conf_register(a, "bad", LMCA_CONF_INT, "\"x\"", true, &cause) < 0 && cause,
	   "default of the wrong type refused");
	free(cause);
	cause = NULL;
	ok(lmca_conf_register(a, "bad key", LMCA_CONF_INT, "1", true, &cause) < 0,
	   "key with a space refused");
	free(cause);
	ok(lmca_conf_register(a, "plugin_locations", LMCA_CONF_LIST, "null", true, NULL) < 0,
	   "an alias cannot be registered");
	lmca_conf_register(a, "ratio", LMCA_CONF_FLOAT, "0.5", true, NULL);
	lmca_conf_register(a, "name", LMCA_CONF_STRING, "\"x\"", true, NULL);
	lmca_conf_register(a, "flag", LMCA_CONF_BOOL, "false", true, NULL);
}

/* Setting and reading the keys test_register made, of each type. */
static void test_types(lmca_agent *a)
{
	char *cause = NULL;

	ok(lmca_conf_set(a, "ratio", "5", NULL) == 0, "int for a float is fine");
	check_json(a, "ratio", "5.0", "stored as a float");
	ok(lmca_conf_set(a, "chunk_size", "\"x\"", &cause) < 0 && cause &&
	   strstr(cause, "expected an integer"), "string for an int refused");
	free(cause);
	cause = NULL;
	is_int(lmca_conf_get_int(a, "chunk_size", 0), 256, "old value kept");
	ok(lmca_conf_set(a, "chunk_size", "\"512\"", NULL) == 0, "numeric string for an int");
	is_int(lmca_conf_get_int(a, "chunk_size", 0), 512, "converted");
	ok(lmca_conf_set(a, "chunk_size", "2.5", NULL) < 0, "fraction for an int refused");
	ok(lmca_conf_set(a, "flag", "true", NULL) == 0 && lmca_conf_get_bool(a, "flag", false),
	   "bool set");
	ok(lmca_conf_set(a, "name", "42", NULL) < 0, "number for a string refused");
	ok(lmca_conf_set(a, "name", "{", &cause) < 0 && cause && strstr(cause, "not JSON"),
	   "malformed JSON refused");
	free(cause);
	ok(lmca_conf_set(a, "nope", "1", NULL) < 0, "unknown key refused");
	ok(lmca_conf_set(a, "name", "null", NULL) == 0, "null clears a value");
	ok(lmca_conf_get_string(a, "name", NULL) == NULL, "cleared string gives dflt");
	ok(lmca_conf_set(a, "plugin_locations", "[\"/p\"]", NULL) == 0, "set through the alias");
	check_json(a, "runtime_plugin_locations", "[\"/p\"]", "alias wrote the real key");
	is_int(lmca_conf_get_int(a, "ratio", 0), 5, "get_int of a float value");
	ok(lmca_conf_get_float(a, "name", 1.5) == 1.5, "get_float of a non-number gives dflt");
}

static void test_register_and_types(void)
{
	lmca_agent *a = new_agent();

	test_register(a);
	test_types(a);
	lmca_agent_free(a);
}

struct cb_state {
	int calls;
	char last[64];
	bool refuse;
	char seen_in_cb[64];
};

static int on_change(lmca_agent *agent, const char *key, const char *value, void *arg,
                     char **cause)
{
	struct cb_state *st = arg;
	char *now = lmca_conf_get_json(agent, key);

	st->calls++;
	snprintf(st->last, sizeof st->last, "%s=%s", key, value);
	snprintf(st->seen_in_cb, sizeof st->seen_in_cb, "%s", now);
	free(now);
	if (st->refuse) {
		*cause = strdup("value out of range");
		return -1;
	}
	return 0;
}

static void test_callbacks(lmca_agent *a)
{
	struct cb_state st = { 0 };
	const char *reason = NULL;
	char *detail = NULL, *cause = NULL;
	json_t *v;

	ok(lmca_conf_on_change(a, "min_retrieve_tokens", on_change, &st, NULL) == 0, "on_change");
	ok(lmca_conf_on_change(a, "nope", on_change, &st, NULL) < 0, "on_change unknown key");

	v = json_integer(512);
	ok(conf_update_from_api(a, "min_retrieve_tokens", v, &reason, &detail) == 0, "API update");
	is_int(st.calls, 1, "callback ran");
	is_str(st.last, "min_retrieve_tokens=512", "callback got key and JSON value");
	is_str(st.seen_in_cb, "512", "callback sees the new value (no deadlock reading it)");

	st.refuse = true;
	json_decref(v);
	v = json_integer(7);
	ok(conf_update_from_api(a, "min_retrieve_tokens", v, &reason, &detail) < 0, "refused");
	is_str(reason, "Failed to set config value", "refusal reason");
	ok(detail && strstr(detail, "value out of range"), "detail carries the callback's cause");
	free(detail);
	is_int(lmca_conf_get_int(a, "min_retrieve_tokens", 0), 512, "old value kept on refusal");
	ok(lmca_conf_set(a, "min_retrieve_tokens", "9", &cause) < 0 && cause, "set refused too");
	free(cause);
	json_decref(v);
}

/* The API's refusals, each with LMCache's reason. */
static void test_api_refusals(lmca_agent *a)
{
	const char *reason = NULL;
	char *detail = NULL;
	json_t *v = json_integer(7);

	ok(conf_update_from_api(a, "whatever", v, &reason, &detail) < 0, "unknown key");
	is_str(reason, "Unknown config", "unknown reason");
	ok(conf_update_from_api(a, "internal_api_server_port_start", v, &reason, &detail) < 0,
	   "immutable key");
	is_str(reason, "Config is not mutable at runtime", "immutable reason");
	json_decref(v);
	v = json_string("abc");
	ok(conf_update_from_api(a, "min_retrieve_tokens", v, &reason, &detail) < 0, "bad type");
	is_str(reason, "Failed to set config value", "bad type reason");
	ok(detail && strstr(detail, "expected an integer"), "bad type detail");
	free(detail);
	json_decref(v);
}

static void test_callbacks_and_api(void)
{
	lmca_agent *a = new_agent();

	lmca_conf_register(a, "min_retrieve_tokens", LMCA_CONF_INT, "0", true, NULL);
	test_callbacks(a);
	test_api_refusals(a);
	lmca_agent_free(a);
}

static void test_snapshot(void)
{
	lmca_agent *a = new_agent();
	const char *names[] = { "lmcache_instance_id", "unknown_one", "plugin_locations", NULL };
	json_t *snap;
	char *dump;

	snap = conf_snapshot(a, names);
	is_int(json_object_size(snap), 2, "named snapshot leaves unknown names out");
	ok(json_object_get(snap, "plugin_locations") != NULL, "alias shown under its name");
	json_decref(snap);
	snap = conf_snapshot(a, NULL);
	is_int(json_object_size(snap), 17, "the protocol keys and our 8");
	ok(json_object_get(snap, "plugin_locations") == NULL, "alias not listed twice");
	json_decref(snap);
	dump = lmca_conf_dump_json(a);
	ok(dump && strncmp(dump, "{\"internal_api_server_enabled\":false", 36) == 0,
	   "dump is compact JSON in registration order");
	free(dump);
	lmca_agent_free(a);
}

static void *writer(void *arg)
{
	char v[32];

	for (int i = 0; i < 2000; i++) {
		snprintf(v, sizeof v, "\"w%d\"", i);
		lmca_conf_set(arg, "shared", v, NULL);
	}
	return NULL;
}

static void *reader(void *arg)
{
	long bad = 0;

	for (int i = 0; i < 2000; i++) {
		char *s = lmca_conf_get_string(arg, "shared", NULL);

		bad += s == NULL || s[0] != 'w';
		free(s);
	}
	return (void *)bad;
}

static void test_threads(void)
{
	lmca_agent *a = new_agent();
	pthread_t t[4];
	void *bad;
	long total = 0;

	lmca_conf_register(a, "shared", LMCA_CONF_STRING, "\"w\"", true, NULL);
	pthread_create(&t[0], NULL, writer, a);
	pthread_create(&t[1], NULL, writer, a);
	pthread_create(&t[2], NULL, reader, a);
	pthread_create(&t[3], NULL, reader, a);
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], &bad);
		total += i >= 2 ? (long)bad : 0;
	}
	is_int(total, 0, "readers always see a whole value while writers change it");
	lmca_agent_free(a);
}

int main(void)
{
	no_plan();
	test_protocol_defaults();
	test_register_and_types();
	test_callbacks_and_api();
	test_snapshot();
	test_threads();
	return done_testing();
}
