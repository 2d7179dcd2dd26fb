/* Allow lists: CIDR ranges, exact hosts, names resolved, URL hosts. */
#include "config.h"
#include "netallow.h"
#include "tap.h"

#include <stdlib.h>

static void url_host(const char *url, const char *want)
{
	char *h = net_url_host(url);

	if (want == NULL)
		ok(h == NULL, url);
	else
		is_str(h, want, url);
	free(h);
}

int main(void)
{
	struct net_allow a = { 0 }, any = { 0 };
	char *why = NULL;

	no_plan();
	net_allow_loopback(&a);
	ok(net_allow_add(&a, "10.1.0.0/16", &why) == 0, "a v4 range");
	ok(net_allow_add(&a, "fd00::/8", &why) == 0, "a v6 range");
	ok(net_allow_add(&a, "192.168.1.7", &why) == 0, "one address");
	ok(net_allow_add(&a, "10.0.0.0/33", &why) < 0 && why != NULL, "bits beyond 32 refused");
	free(why);
	why = NULL;
	ok(net_allow_add(&a, "example", &why) < 0, "a name is no range");
	free(why);
	ok(net_allow_host(&a, "127.0.0.1"), "loopback");
	ok(!net_allow_host(&a, "127.0.0.2"), "only 127.0.0.1 of 127/8");
	ok(net_allow_host(&a, "10.1.255.3"), "in 10.1/16");
	ok(!net_allow_host(&a, "10.2.0.1"), "outside 10.1/16");
	ok(net_allow_host(&a, "192.168.1.7") && !net_allow_host(&a, "192.168.1.8"), "/32");
	ok(net_allow_host(&a, "fd12::1") && !net_allow_host(&a, "fe80::1"), "v6 range");
	ok(net_allow_host(&a, "::ffff:127.0.0.1"), "v4-mapped counts as v4");
	ok(net_allow_host(&a, "[::1]"), "bracketed v6");
	ok(net_allow_host(&a, "localhost"), "a name that resolves to loopback");
	ok(!net_allow_host(&a, "no-such-host.invalid"), "a name that does not resolve");
	net_allow_add_host(&a, "Node-7.internal");
	ok(net_allow_host(&a, "node-7.internal"), "an exact host, any case");
	ok(net_allow_add(&any, "any", NULL) == 0 && net_allow_host(&any, "10.9.9.9"), "any");
	url_host("http://127.0.0.2:80/x", "127.0.0.2");
	url_host("https://u:p@[::1]:8443/x", "::1");
	url_host("http://host", "host");
	url_host("ftp://host/", NULL);
	url_host("http:///x", NULL);
	url_host("file:///etc/passwd", NULL);
	net_allow_free(&a);
	net_allow_free(&any);
	return done_testing();
}
