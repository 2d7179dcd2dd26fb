/* GET /env redaction rules. */
#include "config.h"
#include "env-redact.h"
#include "tap.h"

/* The names and shapes of issue 13's list, and /conf's JSON. */
static void redact_more(void)
{
	const char *names[] = { "REDIS_PASSWD", "MINIO_PASS", "PROXY_AUTH", "JWT", "BEARER",
		                "SESSION_COOKIE", "SERVER_PEM", "MY_PRIVATE_THING" };
	char *env[] = { "DB_URL=postgres://bob:hunter2@db:5432/x", "PLAIN_URL=http://host:80/a",
		        "USER_ONLY=redis://bob@host", "CA=-----BEGIN CERTIFICATE-----\nAB",
		        "LMCACHE_EXTRA_CONFIG={\"s3_password\": \"pw\", \"n\": 1}",
		        "LMCACHE_MIN_RETRIEVE_TOKENS_X=1", NULL };
	json_t *snap, *conf;
	char *r;

	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		ok(env_is_secret(names[i], NULL), names[i]);
	snap = env_snapshot(env, NULL);
	is_str(json_string_value(json_object_get(snap, "DB_URL")),
	       "postgres://bob:" ENV_REDACTED "@db:5432/x", "a URL's password hidden");
	is_str(json_string_value(json_object_get(snap, "PLAIN_URL")), "http://host:80/a",
	       "host:port is no password");
	is_str(json_string_value(json_object_get(snap, "USER_ONLY")), "redis://bob@host",
	       "a user alone kept");
	is_str(json_string_value(json_object_get(snap, "CA")), ENV_REDACTED, "PEM hidden");
	is_str(json_string_value(json_object_get(snap, "LMCACHE_EXTRA_CONFIG")),
	       "{\"s3_password\":\"" ENV_REDACTED "\",\"n\":1}", "extra config's members");
	json_decref(snap);
	conf = json_pack("{s:i, s:s, s:{s:s, s:s}}", "min_retrieve_tokens", 256, "remote_url",
		         "lm://u:p@h:1", "extra_config", "api_key", "k", "note", "x");
	redact_json(conf);
	is_int(json_integer_value(json_object_get(conf, "min_retrieve_tokens")), 256,
	       "numbers are never secrets");
	is_str(json_string_value(json_object_get(conf, "remote_url")), "lm://u:" ENV_REDACTED "@h:1",
	       "remote_url's credentials");
	is_str(json_string_value(json_object_get(json_object_get(conf, "extra_config"), "api_key")),
	       ENV_REDACTED, "extra_config's secret member");
	is_str(json_string_value(json_object_get(json_object_get(conf, "extra_config"), "note")),
	       "x", "extra_config's other member");
	json_decref(conf);
	r = redact_value("a://x:y@h b://p:q@i");
	is_str(r, "a://x:" ENV_REDACTED "@h b://p:" ENV_REDACTED "@i", "every URL's password");
	free(r);
}

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
	redact_more();
	return done_testing();
}
