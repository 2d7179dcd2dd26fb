/* Heartbeat validation and the stored form of an entry. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "entry.h"
#include "tap.h"

static int check(const char *addr, const char *pid, const char *version, const char *other,
		 char **why)
{
	struct heartbeat_params p = { addr, pid, version, other };
	struct dentry e;
	int rc;

	*why = NULL;
	rc = entry_from_params(&e, &p, "10.1.2.3", 1000, why);
	if (rc == 0)
		entry_clear(&e);
	return rc;
}

static void refused(const char *addr, const char *pid, const char *version, const char *other,
		    const char *needle, const char *name)
{
	char *why;
	int rc = check(addr, pid, version, other, &why);

	ok(rc < 0 && why && strstr(why, needle), name);
	if (why && !strstr(why, needle))
		printf("# reason: %s\n", why);
	free(why);
}

static void accepted(const char *addr, const char *pid, const char *version, const char *other,
		     const char *name)
{
	char *why;
	int rc = check(addr, pid, version, other, &why);

	ok(rc == 0, name);
	if (why)
		printf("# reason: %s\n", why);
	free(why);
}

static void test_addresses(void)
{
	char big[700];

	accepted("http://10.0.0.1:8000", NULL, NULL, NULL, "plain http address");
	accepted("https://frontend.example:443/x", "1", "0.3.9", "{}", "https with a path");
	accepted("http://[::1]:8000", NULL, NULL, NULL, "bracketed IPv6");
	refused(NULL, NULL, NULL, NULL, "missing api_address", "absent address");
	refused("", NULL, NULL, NULL, "missing api_address", "empty address");
	refused("ftp://h:1", NULL, NULL, NULL, "http:// or https://", "other scheme");
	refused("10.0.0.1:8000", NULL, NULL, NULL, "http:// or https://", "no scheme");
	refused("http://", NULL, NULL, NULL, "no host", "scheme only");
	refused("http://:8000", NULL, NULL, NULL, "no host", "port without host");
	refused("http://a b:1", NULL, NULL, NULL, "spaces", "space inside");
	memset(big, 'a', sizeof(big) - 1);
	memcpy(big, "http://", 7);
	big[sizeof(big) - 1] = '\0';
	refused(big, NULL, NULL, NULL, "longer than", "oversized address");
}

static void test_fields(void)
{
	char big[5000];

	refused("http://h:1", "abc", NULL, NULL, "pid must be", "pid not a number");
	refused("http://h:1", "12x", NULL, NULL, "pid must be", "pid with trailing junk");
	refused("http://h:1", "-5", NULL, NULL, "pid must be", "negative pid");
	refused("http://h:1", "99999999999", NULL, NULL, "pid must be", "pid out of range");
	accepted("http://h:1", "", NULL, NULL, "empty pid means none");
	refused("http://h:1", NULL, NULL, "{not json", "not JSON", "other_info not JSON");
	refused("http://h:1", NULL, NULL, "[1,2]", "JSON object", "other_info not an object");
	memset(big, ' ', sizeof(big) - 1);
	big[0] = '{';
	big[sizeof(big) - 2] = '}';
	big[sizeof(big) - 1] = '\0';
	refused("http://h:1", NULL, NULL, big, "longer than", "oversized other_info");
	memset(big, 'v', 200);
	big[200] = '\0';
	refused("http://h:1", NULL, big, NULL, "version longer", "oversized version");
	refused("http://h:1", NULL, "1.0\n", NULL, "control", "version with a newline");
}

static void test_defaults_and_json(void)
{
	struct heartbeat_params p = { "http://h:1", NULL, NULL, NULL };
	struct dentry e, back;
	json_t *j;
	char *why = NULL;

	ok(entry_from_params(&e, &p, NULL, 1234, &why) == 0, "defaults accepted");
	is_str(e.version, "1.0.0", "default version is LMCache's");
	is_str(e.other_info, "{}", "default other_info is {}");
	is_int(e.pid, -1, "no pid");
	ok(e.ip_address == NULL, "no peer");
	is_int(e.start_time, 1234, "start time is now");
	e.last_seen = 2000;
	j = entry_to_json(&e);
	ok(entry_from_json(&back, j, &why) == 0, "stored form reads back");
	is_str(back.api_address, "http://h:1", "address round trip");
	is_int(back.pid, -1, "null pid round trip");
	is_int(back.start_time, 1234, "start time round trip");
	is_int(back.last_seen, 2000, "last seen round trip");
	json_decref(j);
	entry_clear(&back);
	entry_clear(&e);
	j = json_pack("{s:s}", "apiAddress", "http://h:1");
	ok(entry_from_json(&back, j, &why) < 0 && why, "stored form without lastSeen refused");
	free(why);
	json_decref(j);
}

int main(void)
{
	no_plan();
	test_addresses();
	test_fields();
	test_defaults_and_json();
	return done_testing();
}
