/* Allow lists: CIDR ranges, exact hosts, names resolved, URL hosts, pinned resolution. */
#include "config.h"
#include "netallow.h"
#include "tap.h"
#include "xalloc.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* A listening socket on 127.0.0.1 (its port in port) that accepts nothing: libcurl's
 * CONNECT_ONLY transfer completes on the kernel's accept queue. */
static int listener(char port[8])
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof sa;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, len) < 0 || listen(fd, 8) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
		abort();
	snprintf(port, 8, "%u", ntohs(sa.sin_port));
	return fd;
}

/* Connects to url with pin as CURLOPT_RESOLVE; the address libcurl connected to, or "". */
static void connect_with(const char *url, struct curl_slist *pin, char out[64])
{
	CURL *e = curl_easy_init();
	char *ip = NULL;

	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CONNECT_ONLY, 1L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(e, CURLOPT_RESOLVE, pin);
	out[0] = '\0';
	if (curl_easy_perform(e) == CURLE_OK &&
	    curl_easy_getinfo(e, CURLINFO_PRIMARY_IP, &ip) == CURLE_OK && ip)
		snprintf(out, 64, "%s", ip);
	curl_easy_cleanup(e);
}

/* net_allow_pin: one resolution, every address checked, the checked addresses pinned. */
static void pins(void)
{
	struct net_allow a = { 0 }, far = { 0 }, any = { 0 };
	struct curl_slist *pin = NULL;

	net_allow_loopback(&a);
	net_allow_add(&far, "127.0.0.2/32", NULL);
	net_allow_add(&any, "any", NULL);
	ok(net_allow_pin(&a, "localhost", "8080", &pin) && pin != NULL && pin->next == NULL &&
		   strncmp(pin->data, "localhost:8080:", 15) == 0 &&
		   strspn(pin->data + 15, "127.0.0.1,[::1]") == strlen(pin->data + 15),
	   "localhost: allowed, pinned to the loopback addresses it resolved to");
	curl_slist_free_all(pin);
	pin = (struct curl_slist *)1;
	ok(!net_allow_pin(&far, "localhost", "8080", &pin) && pin == NULL,
	   "localhost refused when its addresses are outside the list");
	pin = (struct curl_slist *)1;
	ok(net_allow_pin(&a, "127.0.0.1", "80", &pin) && pin == NULL, "a numeric address: no pin");
	ok(!net_allow_pin(&a, "127.0.0.2", "80", &pin) && pin == NULL, "127.0.0.2 refused");
	ok(!net_allow_pin(&a, "no-such-host.invalid", "80", &pin) && pin == NULL,
	   "a name that does not resolve is refused");
	ok(net_allow_pin(&any, "localhost", "80", &pin) && pin == NULL, "any: nothing to pin");
	net_allow_add_host(&a, "node-7.internal");
	ok(net_allow_pin(&a, "node-7.internal", "80", &pin) && pin == NULL,
	   "a host the operator named is trusted by name");
	net_allow_free(&a);
	net_allow_free(&far);
	net_allow_free(&any);
}

/* libcurl connects to the pinned address without resolving the name itself: a name that
 * resolves nowhere reaches the listener through its pin, and only through it. */
static void pins_used(void)
{
	struct net_allow a = { 0 };
	struct curl_slist *pin;
	const char *v4[] = { "127.0.0.1" }, *both[] = { "127.0.0.1", "::1" };
	char port[8], url[64], ip[64];
	int fd = listener(port);

	pin = net_pin_entry("pinned.invalid", "80", both, 2);
	is_str(pin->data, "pinned.invalid:80:127.0.0.1,[::1]", "IPv6 addresses are bracketed");
	curl_slist_free_all(pin);
	snprintf(url, sizeof url, "http://pinned.invalid:%s/", port);
	pin = net_pin_entry("pinned.invalid", port, v4, 1);
	connect_with(url, pin, ip);
	is_str(ip, "127.0.0.1", "libcurl connects to the pinned address");
	curl_slist_free_all(pin);
	connect_with(url, NULL, ip);
	is_str(ip, "", "and without the pin the name does not resolve");
	net_allow_loopback(&a);
	snprintf(url, sizeof url, "http://localhost:%s/", port);
	ok(net_allow_pin(&a, "localhost", port, &pin), "localhost on the listener's port");
	connect_with(url, pin, ip);
	is_str(ip, "127.0.0.1", "its pin reaches the listener");
	curl_slist_free_all(pin);
	close(fd);
	net_allow_free(&a);
}

/* A frontend lists each node's host: thousands, most of them the same. (Addresses, so
 * that nothing is resolved: an address not listed is only checked against the ranges.) */
static void many_hosts(void)
{
	struct net_allow a = { 0 };
	int found = 0;

	for (int i = 0; i < 4096; i++) {
		char *h = xasprintf("10.77.%d.%d", i / 256, i % 256);

		net_allow_add_host(&a, h);
		net_allow_add_host(&a, "LocalHost");
		free(h);
	}
	is_int((int)a.nhosts, 4097, "each host kept once");
	for (int i = 0; i < 4096; i++) {
		char *h = xasprintf("10.77.%d.%d", i / 256, i % 256);

		found += net_allow_host(&a, h);
		free(h);
	}
	is_int(found, 4096, "each one found");
	ok(!net_allow_host(&a, "10.78.0.1"), "another address is not");
	net_allow_free(&a);
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
	net_allow_free(&a);
	net_allow_free(&any);
	pins();
	pins_used();
	many_hosts();
	return done_testing();
}
