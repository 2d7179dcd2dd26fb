/* Heartbeat validation: LMCache's service stores whatever arrives (or silently drops a
 * heartbeat without api_address); we refuse bad input with a reason instead. */
#include "config.h"
#include "entry.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "strutil.h"
#include "xalloc.h"

static int fail(char **cause, char *msg)
{
	if (cause)
		*cause = msg;
	else
		free(msg);
	return -1;
}

/* Well-formed UTF-8 (no overlong forms, surrogates or code points past U+10FFFF): a
 * listing is JSON, and one bad byte would spoil it for every reader. */
static bool valid_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned int c = *s, n = c < 0x80 ? 0 : (c >> 5) == 6 ? 1 : (c >> 4) == 14 ? 2
					       : (c >> 3) == 30 ? 3 : 4;
		unsigned int cp = n == 0 ? c : c & (0x3f >> n);

		if (n == 4)
			return false;
		for (unsigned int i = 1; i <= n; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return false;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) ||
		    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		s += n + 1;
	}
	return true;
}

static int check_utf8(const char *what, const char *v, char **cause)
{
	return valid_utf8(v) ? 0 : fail(cause, xasprintf("%s is not valid UTF-8", what));
}

static bool has_bad_bytes(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || *s == 0x7f)
			return true;
	return false;
}

int entry_check_address(const char *addr, char **cause)
{
	const char *host;

	if (addr == NULL || *addr == '\0')
		return fail(cause, xstrdup("missing api_address"));
	if (strlen(addr) > ENTRY_ADDRESS_MAX)
		return fail(cause, xasprintf("api_address longer than %d bytes", ENTRY_ADDRESS_MAX));
	if (str_starts_with(addr, "http://"))
		host = addr + 7;
	else if (str_starts_with(addr, "https://"))
		host = addr + 8;
	else
		return fail(cause, xstrdup("api_address must be an http:// or https:// URL"));
	if (*host == '\0' || *host == '/' || *host == ':' || *host == '?' || *host == '#')
		return fail(cause, xstrdup("api_address has no host"));
	if (has_bad_bytes(addr))
		return fail(cause, xstrdup("api_address contains spaces or control characters"));
	return check_utf8("api_address", addr, cause);
}

static int parse_pid(const char *s, long long *pid, char **cause)
{
	char *end;
	long long v;

	*pid = -1;
	if (s == NULL || *s == '\0')
		return 0;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < 0 || v > INT_MAX || s[0] == '-' || s[0] == '+' ||
	    s[0] == ' ')
		return fail(cause, xasprintf("pid must be a non-negative integer, not '%.40s'", s));
	*pid = v;
	return 0;
}

static int check_version(const char *v, char **cause)
{
	if (strlen(v) > ENTRY_VERSION_MAX)
		return fail(cause, xasprintf("version longer than %d bytes", ENTRY_VERSION_MAX));
	for (const char *c = v; *c; c++)
		if ((unsigned char)*c < ' ' || *c == 0x7f)
			return fail(cause, xstrdup("version contains control characters"));
	return 0;
}

static int check_other_info(const char *s, char **cause)
{
	json_t *v;
	char *why = NULL;

	if (strlen(s) > ENTRY_OTHER_INFO_MAX)
		return fail(cause, xasprintf("other_info longer than %d bytes", ENTRY_OTHER_INFO_MAX));
	v = json_parse_text(s, strlen(s), &why);
	if (v == NULL) {
		fail(cause, xasprintf("other_info is not JSON: %s", why ? why : "parse error"));
		free(why);
		return -1;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		return fail(cause, xstrdup("other_info must be a JSON object"));
	}
	json_decref(v);
	return 0;
}

int entry_from_params(struct dentry *e, const struct heartbeat_params *p, const char *peer,
		      time_t now, char **cause)
{
	const char *version = p->version ? p->version : ENTRY_DEFAULT_VERSION;
	const char *other = p->other_info ? p->other_info : "{}";
	long long pid;

	memset(e, 0, sizeof(*e));
	if (entry_check_address(p->api_address, cause) < 0 || parse_pid(p->pid, &pid, cause) < 0 ||
	    check_version(version, cause) < 0 || check_utf8("version", version, cause) < 0 ||
	    check_other_info(other, cause) < 0 || check_utf8("other_info", other, cause) < 0)
		return -1;
	e->api_address = xstrdup(p->api_address);
	e->pid = pid;
	e->version = xstrdup(version);
	e->other_info = xstrdup(other);
	e->ip_address = peer ? xstrdup(peer) : NULL;
	e->start_time = now;
	e->last_seen = now;
	return 0;
}

void entry_copy(struct dentry *dst, const struct dentry *src)
{
	*dst = *src;
	dst->api_address = xstrdup(src->api_address);
	dst->version = xstrdup(src->version);
	dst->other_info = xstrdup(src->other_info);
	dst->ip_address = src->ip_address ? xstrdup(src->ip_address) : NULL;
	dst->owner = src->owner ? xstrdup(src->owner) : NULL;
	dst->listed = NULL;
	dst->listed_len = 0;
}

bool entry_owned_by_other(const struct dentry *existing, const char *owner)
{
	return existing->owner != NULL && (owner == NULL || strcmp(existing->owner, owner) != 0);
}

void entry_clear(struct dentry *e)
{
	free(e->api_address);
	free(e->version);
	free(e->other_info);
	free(e->ip_address);
	free(e->owner);
	free(e->listed);
	memset(e, 0, sizeof(*e));
}

json_t *entry_to_json(const struct dentry *e)
{
	json_t *o = json_object();

	json_object_set_new(o, "apiAddress", json_string(e->api_address));
	json_object_set_new(o, "pid", e->pid >= 0 ? json_integer(e->pid) : json_null());
	json_object_set_new(o, "version", json_string(e->version));
	json_object_set_new(o, "otherInfo", json_string(e->other_info));
	json_object_set_new(o, "ipAddress",
			    e->ip_address ? json_string(e->ip_address) : json_null());
	json_object_set_new(o, "startTime", json_integer(e->start_time));
	json_object_set_new(o, "lastSeen", json_integer(e->last_seen));
	if (e->owner != NULL)
		json_object_set_new(o, "owner", json_string(e->owner));
	return o;
}

int entry_from_json(struct dentry *e, const json_t *obj, char **cause)
{
	const char *addr = json_str_member(obj, "apiAddress", NULL);
	const json_t *pid = json_object_get(obj, "pid");
	const char *ip = json_str_member(obj, "ipAddress", NULL);

	memset(e, 0, sizeof(*e));
	if (!json_is_object(obj) || entry_check_address(addr, cause) < 0)
		return -1;
	if (!json_is_integer(json_object_get(obj, "lastSeen")))
		return fail(cause, xstrdup("stored entry has no lastSeen"));
	e->api_address = xstrdup(addr);
	e->pid = json_is_integer(pid) ? json_integer_value(pid) : -1;
	e->version = xstrdup(json_str_member(obj, "version", ENTRY_DEFAULT_VERSION));
	e->owner = json_str_member(obj, "owner", NULL) ? xstrdup(json_str_member(obj, "owner", NULL))
						       : NULL;
	e->other_info = xstrdup(json_str_member(obj, "otherInfo", "{}"));
	e->ip_address = ip ? xstrdup(ip) : NULL;
	e->last_seen = (time_t)json_integer_value(json_object_get(obj, "lastSeen"));
	e->start_time = json_is_integer(json_object_get(obj, "startTime"))
				? (time_t)json_integer_value(json_object_get(obj, "startTime"))
				: e->last_seen;
	return 0;
}
