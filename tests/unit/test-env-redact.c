/* GET /env redaction rules. */
#include "config.h"
#include "env-redact.h"
#include "tap.h"

int main(void)
{
	char *allow[] = { "LMCACHE_PUBLIC_KEY_PATH", NULL };
	char *env[] = { "HOME=/root", "HF_TOKEN=hf_abc", "db_password=pw", "AWS_SECRET_ACCESS_KEY=x",
		        "MY_CREDENTIALS=c", "LMCACHE_PUBLIC_KEY_PATH=/k", "EMPTY=", "=bogus",
		        "NOEQUALS", NULL };
	json_t *snap;

	no_plan();
	ok(!env_is_secret("HOME", NULL), "HOME is not secret");
	ok(env_is_secret("HF_TOKEN", NULL), "TOKEN");
	ok(env_is_secret("db_password", NULL), "password in any case");
	ok(env_is_secret("API_KEY", NULL), "KEY");
	ok(env_is_secret("GOOGLE_APPLICATION_CREDENTIALS", NULL), "CREDENTIAL");
	ok(env_is_secret("MONKEY", NULL), "KEY anywhere in the name (cautious)");
	ok(!env_is_secret("LMCACHE_PUBLIC_KEY_PATH", allow), "allow-listed name shown");
	ok(env_is_secret("LMCACHE_PUBLIC_KEY_PATH2", allow), "allow-list is exact");

	snap = env_snapshot(env, allow);
	is_str(json_string_value(json_object_get(snap, "HOME")), "/root", "plain value kept");
	is_str(json_string_value(json_object_get(snap, "HF_TOKEN")), ENV_REDACTED, "token hidden");
	is_str(json_string_value(json_object_get(snap, "db_password")), ENV_REDACTED,
	       "password hidden");
	is_str(json_string_value(json_object_get(snap, "AWS_SECRET_ACCESS_KEY")), ENV_REDACTED,
	       "secret hidden");
	is_str(json_string_value(json_object_get(snap, "MY_CREDENTIALS")), ENV_REDACTED,
	       "credentials hidden");
	is_str(json_string_value(json_object_get(snap, "LMCACHE_PUBLIC_KEY_PATH")), "/k",
	       "allow-listed value shown");
	is_str(json_string_value(json_object_get(snap, "EMPTY")), "", "empty value kept");
	is_int(json_object_size(snap), 7, "malformed entries skipped");
	json_decref(snap);
	return done_testing();
}
