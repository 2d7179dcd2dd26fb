/* The heartbeat client's pure pieces: backoff schedule, addresses, time format. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "heartbeat.h"
#include "tap.h"

static void test_backoff(void)
{
	is_int(heartbeat_backoff_ms(0, 1000, 30000, 0), 500, "first retry, no jitter: half");
	is_int(heartbeat_backoff_ms(0, 1000, 30000, 0.999999), 999, "first retry, full jitter");
	is_int(heartbeat_backoff_ms(1, 1000, 30000, 0), 1000, "doubles");
	is_int(heartbeat_backoff_ms(3, 1000, 30000, 0), 4000, "doubles again");
	is_int(heartbeat_backoff_ms(5, 1000, 30000, 0), 15000, "capped at the interval");
	is_int(heartbeat_backoff_ms(60, 1000, 30000, 0.5), 22500, "no overflow on many attempts");
	for (unsigned a = 0; a < 10; a++) {
		long lo = heartbeat_backoff_ms(a, 1000, 30000, 0);
		long hi = heartbeat_backoff_ms(a, 1000, 30000, 0.99);
		ok(lo <= hi && hi <= 30000 && lo >= 500, "jitter stays within [d/2, d]");
	}
}

static void test_addresses(void)
{
	char ip[64], *why = NULL, *a;

	ok(heartbeat_local_ip("http://127.0.0.1:5000/lmcache_heartbeat", ip, sizeof(ip), &why) == 0,
	   "local address toward loopback");
	is_str(ip, "127.0.0.1", "loopback routes from loopback");
	ok(heartbeat_local_ip("not a url", ip, sizeof(ip), &why) < 0 && why, "bad URL refused");
	free(why);
	a = heartbeat_api_address("10.0.0.2", 8000);
	is_str(a, "http://10.0.0.2:8000", "IPv4 api_address");
	free(a);
	a = heartbeat_api_address("fd00::1", 8000);
	is_str(a, "http://[fd00::1]:8000", "IPv6 api_address is bracketed");
	free(a);
}

static void test_time(void)
{
	char iso[40];

	heartbeat_iso_time(iso, 1700000000.25);
	is_int(strlen(iso), 26, "isoformat length");
	is_str(iso + 19, ".250000", "microseconds");
	ok(iso[10] == 'T', "T separator");
}

static void test_control(void)
{
	struct heartbeat *hb = heartbeat_new();
	struct heartbeat_config cfg = { .url = "ftp://x" };
	char *why = NULL;
	json_t *st;

	ok(heartbeat_restart(hb, &cfg, &why) < 0 && why, "non-http URL refused");
	free(why);
	why = NULL;
	cfg.url = "http:///lmcache_heartbeat";
	ok(heartbeat_restart(hb, &cfg, &why) < 0 && why && strstr(why, "not a URL with a host"),
	   "a URL without a host refused (libcurl would read the path as the host)");
	free(why);
	ok(heartbeat_stop(hb, false) < 0, "stop when not running");
	st = heartbeat_status(hb);
	ok(json_is_false(json_object_get(st, "running")), "status: not running");
	ok(json_is_null(json_object_get(st, "last_success")), "status: no success yet");
	json_decref(st);
	heartbeat_free(hb);
}

/* A node's /version answer as LMCache's frontend reads it. */
static void test_version_text(void)
{
	const struct {
		const char *body, *want;
	} cases[] = {
		{ "\"0.3.9-6ae0e8b\"", "0.3.9-6ae0e8b" },
		{ "  \"0.1.0-demo\"\n", "0.1.0-demo" },
		{ "'1.2'", "1.2" },
		{ "0.3.9", "0.3.9" },
		{ "\"\"", NULL },
		{ "   ", NULL },
		{ "\"two\nlines\"", NULL },
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *got = heartbeat_version_text(cases[i].body, strlen(cases[i].body));

		if (cases[i].want == NULL)
			ok(got == NULL, "version_text: nothing usable is no version");
		else
			is_str(got, cases[i].want, "version_text: quotes and white space removed");
		free(got);
	}
}

int main(void)
{
	no_plan();
	test_version_text();
	test_backoff();
	test_addresses();
	test_time();
	test_control();
	return done_testing();
}
