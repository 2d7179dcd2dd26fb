/* The one address parser (src/common/url.c): http and https URLs in the forms the tools
 * take (IPv6, default ports, prefixes, userinfo, case), unix sockets, and what it refuses. */
#include "config.h"
#include "url.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>

/* Parses text and compares "scheme host port path socket" (NULL parts as "-"). */
static void is_url(const char *text, const char *want, const char *name)
{
	struct url u;
	char *cause = NULL, got[512];

	if (url_parse(text, &u, &cause) < 0) {
		is_str(cause, want, name);
		free(cause);
		return;
	}
	snprintf(got, sizeof got, "%s %s %s %s %s", u.scheme, u.host, u.port ? u.port : "-",
		 u.path ? u.path : "-", u.socket ? u.socket : "-");
	is_str(got, want, name);
	url_clear(&u);
}

static void test_http(void)
{
	is_url("http://10.0.0.5:5000", "http 10.0.0.5 5000  -", "registry address");
	is_url("http://registry", "http registry 80  -", "http's default port");
	is_url("https://registry/", "https registry 443  -", "https's default port, '/' dropped");
	is_url("HTTPS://Reg:8443/lmcache/", "https Reg 8443 /lmcache -",
	       "scheme in any case; a prefix without its trailing '/'");
	is_url("http://[::1]:8000/x", "http ::1 8000 /x -", "IPv6 host without brackets");
	is_url("http://user:pw@h:1/lmcache_infos?x=1#f", "http h 1 /lmcache_infos -",
	       "userinfo, query and fragment are not part of host or path");
	is_url("http://h:1//", "http h 1 / -", "only one trailing '/' goes");
}

static void test_socket(void)
{
	is_url("unix:/tmp/lmc/s_6999", "unix localhost - - /tmp/lmc/s_6999", "unix:PATH");
	is_url("/run/lmcache/api.sock", "unix localhost - - /run/lmcache/api.sock",
	       "an absolute path is a socket");
	is_url("unix:rel/s", "unix socket 'rel/s' is not an absolute path", "relative socket");
}

static void test_refused(void)
{
	is_url("ftp://h/", "'ftp://h/' is not an http:// or https:// URL nor a unix socket",
	       "other schemes");
	is_url("registry:5000", "'registry:5000' is not an http:// or https:// URL nor a unix "
	       "socket", "no scheme");
	is_url("http://", "'http://' is not a URL with a host", "no host");
	is_url("http:///x", "'http:///x' is not a URL with a host", "no host, a path");
	is_url("http://h:99999", "'http://h:99999' is not a URL with a host", "port out of range");
	is_url("http://a b", "'http://a b' is not a URL with a host", "a space");
}

static void test_authority(void)
{
	struct url u;
	char *a;

	url_parse("http://[fe80::1]:9/", &u, NULL);
	a = url_authority(&u);
	is_str(a, "[fe80::1]:9", "authority brackets an IPv6 host");
	free(a);
	url_clear(&u);
	url_parse("https://h", &u, NULL);
	a = url_authority(&u);
	is_str(a, "h:443", "authority with the default port");
	free(a);
	url_clear(&u);
}

/* url_host reads exactly the host url_parse reads, and refuses what it refuses. */
static void test_host(void)
{
	static const char *const texts[] = {
		"http://127.0.0.2:80/x", "https://u:p@[::1]:8443/x", "http://host", "HTTP://Reg:1/",
		"ftp://host/", "http:///x", "http://", "http://h:99999", "http://a b",
		"file:///etc/passwd", "unix:/tmp/s", "/run/api.sock", "registry:5000",
	};

	for (size_t i = 0; i < sizeof(texts) / sizeof(*texts); i++) {
		struct url u;
		char *cause = NULL, *host = url_host(texts[i]);

		if (url_parse(texts[i], &u, &cause) == 0 && u.socket == NULL)
			is_str(host, u.host, texts[i]);
		else
			ok(host == NULL, texts[i]);
		url_clear(&u);
		free(cause);
		free(host);
	}
}

int main(void)
{
	no_plan();
	test_http();
	test_socket();
	test_refused();
	test_authority();
	test_host();
	return done_testing();
}
