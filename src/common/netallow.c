/* Allow lists of addresses (netallow.h). */
#include "config.h"
#include "netallow.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "buf.h"
#include "strutil.h"
#include "xalloc.h"

static bool parse_addr(const char *s, struct net_range *r)
{
	memset(r, 0, sizeof *r);
	if (inet_pton(AF_INET, s, r->addr) == 1) {
		r->family = AF_INET;
		r->bits = 32;
		return true;
	}
	if (inet_pton(AF_INET6, s, r->addr) == 1) {
		r->family = AF_INET6;
		r->bits = 128;
		return true;
	}
	return false;
}

int net_allow_add(struct net_allow *a, const char *spec, char **cause)
{
	const char *slash = strchr(spec, '/');
	char *addr = slash ? xstrndup(spec, (size_t)(slash - spec)) : xstrdup(spec);
	struct net_range r;
	char *end = NULL;
	long bits = 0;
	bool ok = parse_addr(addr, &r);

	free(addr);
	if (strcmp(spec, "any") == 0) {
		a->any = true;
		return 0;
	}
	if (ok && slash != NULL) {
		bits = strtol(slash + 1, &end, 10);
		ok = end != slash + 1 && *end == '\0' && bits >= 0 && bits <= (long)r.bits;
		r.bits = (unsigned int)bits;
	}
	if (!ok) {
		*cause = xasprintf("'%s' is not an address or a CIDR range (10.0.0.0/8, fd00::/8)",
				   spec);
		return -1;
	}
	a->ranges = xreallocarray(a->ranges, a->nranges + 1, sizeof *a->ranges);
	a->ranges[a->nranges++] = r;
	return 0;
}

void net_allow_loopback(struct net_allow *a)
{
	net_allow_add(a, "127.0.0.1", NULL);
	net_allow_add(a, "::1", NULL);
}

/* Whether the exact name host (any case) was added. */
static bool listed(const struct net_allow *a, const char *host)
{
	char *low = str_lower(xstrdup(host));
	bool found = a->nhosts > 0 && prom_map_get(&a->host_at, low) != (size_t)-1;

	free(low);
	return found;
}

void net_allow_add_host(struct net_allow *a, const char *host)
{
	if (listed(a, host))
		return;
	if (a->nhosts == 0)
		prom_map_init(&a->host_at, 16);
	a->hosts = xreallocarray(a->hosts, a->nhosts + 1, sizeof *a->hosts);
	a->hosts[a->nhosts] = str_lower(xstrdup(host));
	prom_map_put(&a->host_at, a->hosts[a->nhosts], a->nhosts);
	a->nhosts++;
}

static bool in_range(const struct net_range *r, const struct net_range *x)
{
	unsigned int full = r->bits / 8, rest = r->bits % 8;

	if (r->family != x->family || memcmp(r->addr, x->addr, full) != 0)
		return false;
	return rest == 0 || ((r->addr[full] ^ x->addr[full]) & (0xff00 >> rest) & 0xff) == 0;
}

/* An IPv4-mapped IPv6 address counts as its IPv4 address. */
static void unmap(struct net_range *x)
{
	static const unsigned char prefix[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	if (x->family == AF_INET6 && memcmp(x->addr, prefix, 12) == 0) {
		memmove(x->addr, x->addr + 12, 4);
		x->family = AF_INET;
	}
}

static bool range_allows(const struct net_allow *a, struct net_range *x)
{
	unmap(x);
	for (size_t i = 0; i < a->nranges; i++)
		if (in_range(&a->ranges[i], x))
			return true;
	return false;
}

/* The addresses name resolves to (numeric, at most MAX_ADDRS), in *n; false when it does
 * not resolve or one of them is outside a (one outside would let a name that resolves to
 * both pass). */
#define MAX_ADDRS 16
static bool resolved_allowed(const struct net_allow *a, const char *name,
			     char addrs[MAX_ADDRS][INET6_ADDRSTRLEN], size_t *n)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM }, *res = NULL;
	bool ok;

	*n = 0;
	if (getaddrinfo(name, NULL, &hints, &res) != 0)
		return false;
	ok = res != NULL;
	for (struct addrinfo *p = res; p && ok; p = p->ai_next) {
		struct net_range x = { .family = p->ai_family };

		if (p->ai_family == AF_INET)
			memcpy(x.addr, &((struct sockaddr_in *)p->ai_addr)->sin_addr, 4);
		else if (p->ai_family == AF_INET6)
			memcpy(x.addr, &((struct sockaddr_in6 *)p->ai_addr)->sin6_addr, 16);
		ok = (p->ai_family == AF_INET || p->ai_family == AF_INET6) && range_allows(a, &x);
		if (ok && *n < MAX_ADDRS) /* x as checked: a v4-mapped address as IPv4 */
			inet_ntop(x.family, x.addr, addrs[(*n)++], INET6_ADDRSTRLEN);
	}
	freeaddrinfo(res);
	return ok;
}

struct curl_slist *net_pin_entry(const char *host, const char *port, const char *const *addrs,
				 size_t n)
{
	struct buf b = BUF_INIT;
	struct curl_slist *pin;

	buf_printf(&b, "%s:%s:", host, port);
	for (size_t i = 0; i < n; i++)
		buf_printf(&b, strchr(addrs[i], ':') ? "%s[%s]" : "%s%s", i ? "," : "", addrs[i]);
	pin = curl_slist_append(NULL, buf_cstr(&b));
	buf_free(&b);
	if (pin == NULL)
		abort(); /* only on memory exhaustion */
	return pin;
}

bool net_allow_pin(const struct net_allow *a, const char *host, const char *port,
		   struct curl_slist **pin)
{
	size_t len = strlen(host), n = 0;
	char *bare = len > 2 && host[0] == '[' && host[len - 1] == ']'
			     ? xstrndup(host + 1, len - 2) : xstrdup(host);
	char addrs[MAX_ADDRS][INET6_ADDRSTRLEN];
	const char *list[MAX_ADDRS];
	struct net_range x;
	bool ok = a->any || listed(a, bare);

	if (pin != NULL)
		*pin = NULL;
	if (!ok && parse_addr(bare, &x))
		ok = range_allows(a, &x);
	else if (!ok && (ok = resolved_allowed(a, bare, addrs, &n)) && pin != NULL) {
		for (size_t i = 0; i < n; i++)
			list[i] = addrs[i];
		*pin = net_pin_entry(bare, port, list, n);
	}
	free(bare);
	return ok;
}

bool net_allow_host(const struct net_allow *a, const char *host)
{
	return net_allow_pin(a, host, "0", NULL);
}

void net_allow_free(struct net_allow *a)
{
	for (size_t i = 0; i < a->nhosts; i++)
		free(a->hosts[i]);
	free(a->hosts);
	prom_map_free(&a->host_at);
	free(a->ranges);
	*a = (struct net_allow){ 0 };
}
