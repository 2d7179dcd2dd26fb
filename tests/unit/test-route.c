/* Route matching and the rules for adding host routes. */
#include "config.h"
#include "route-match.h"
#include "tap.h"

#include <stdlib.h>

static const struct route routes[] = {
	{ "GET", "/metrics", true, NULL },
	{ "POST", "/metrics/reset", true, NULL },
	{ "GET", "/conf", true, NULL },
	{ "POST", "/conf", true, NULL },
	{ "DELETE", "/cache/clear", false, NULL },
	{ "*", "/any", false, NULL },
};
#define N (sizeof routes / sizeof routes[0])

static int find(const char *method, const char *path, int *status)
{
	*status = 0;
	return route_find(routes, N, method, path, status);
}

static int check_new(const char *method, const char *path)
{
	char *cause = NULL;
	int rc = route_check_new(routes, N, method, path, &cause);

	ok(rc == 0 ? cause == NULL : cause != NULL, "a refusal says why");
	free(cause);
	return rc;
}

int main(void)
{
	int status;

	no_plan();
	is_int(find("GET", "/metrics", &status), 0, "exact GET");
	is_int(find("POST", "/conf", &status), 3, "method selects among routes of one path");
	is_int(find("GET", "/conf", &status), 2, "GET /conf");
	is_int(find("HEAD", "/metrics", &status), 0, "HEAD matches GET");
	is_int(find("GET", "/conf/", &status), 2, "a trailing slash is ignored");
	is_int(find("GET", "/nope", &status), -1, "unknown path");
	is_int(status, 404, "unknown path is 404");
	is_int(find("PUT", "/metrics", &status), -1, "wrong method");
	is_int(status, 405, "wrong method is 405");
	is_int(find("GET", "/metrics/reset", &status), -1, "GET on a POST route");
	is_int(status, 405, "... is 405");
	is_int(find("GET", "/metric", &status), -1, "no prefix matching");
	is_int(status, 404, "prefix is 404");
	is_int(find("PATCH", "/any", &status), 5, "* matches any method");
	is_int(find("DELETE", "/cache/clear", &status), 4, "host route found");

	{
		char *a = route_allowed(routes, N, "/conf");

		is_str(a, "GET, HEAD, POST", "Allow lists the methods of a path");
		free(a);
		a = route_allowed(routes, N, "/metrics/reset/");
		is_str(a, "POST", "Allow of a POST-only path");
		free(a);
		a = route_allowed(routes, N, "/nope");
		is_str(a, "", "Allow of an unknown path is empty");
		free(a);
	}

	is_int(check_new("GET", "/backends"), 0, "a new host route is accepted");
	is_int(check_new("GET", "/metrics"), -1, "a built-in cannot be replaced");
	is_int(check_new("DELETE", "/metrics"), -1, "nor its path taken with another method");
	is_int(check_new("DELETE", "/cache/clear"), -1, "a host route cannot be repeated");
	is_int(check_new("GET", "/cache/clear"), 0, "another method on a host path is fine");
	is_int(check_new("GET", "/any"), -1, "a * route takes every method");
	is_int(check_new("get", "/x"), -1, "lower-case method refused");
	is_int(check_new("GET", "x"), -1, "relative path refused");
	is_int(check_new("GET", "/x?y=1"), -1, "query in path refused");
	return done_testing();
}
