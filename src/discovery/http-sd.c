/* Prometheus http_sd target groups from registry entries (http-sd.h). An api_address
 * "http://h:p/prefix" becomes the target "h:p" with __scheme__ "http" and, when there is a
 * path prefix, __metrics_path__ "/prefix/metrics". */
#include "config.h"
#include "http-sd.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "url.h"
#include "xalloc.h"

/* "host:port" of the URL and its scheme and path; -1 when it is no http(s) URL. */
static int split_address(const char *addr, char **target, char **scheme, char **path)
{
	struct url u;
	char *why = NULL;

	*target = *scheme = *path = NULL;
	if (url_parse(addr, &u, &why) < 0 || u.socket != NULL) {
		free(why);
		url_clear(&u);
		return -1;
	}
	*target = url_authority(&u);
	*scheme = u.scheme;
	*path = u.path;
	u.scheme = u.path = NULL;
	url_clear(&u);
	return 0;
}

static void set_label(json_t *labels, const char *name, const char *value)
{
	if (value != NULL)
		json_object_set_new(labels, name, json_string(value));
}

static json_t *labels_of(const struct dentry *e, const char *scheme, const char *path)
{
	json_t *labels = json_object();
	size_t n = path ? strlen(path) : 0;
	char num[32];

	set_label(labels, "__scheme__", scheme ? scheme : "http");
	if (n > 0) { /* a prefix: the frontend's /metrics lives under it */
		char *mp = xasprintf("%s/metrics", path);

		set_label(labels, "__metrics_path__", mp);
		free(mp);
	}
	set_label(labels, "__meta_lmcache_api_address", e->api_address);
	set_label(labels, "__meta_lmcache_version", e->version);
	set_label(labels, "__meta_lmcache_ip_address", e->ip_address);
	if (e->pid >= 0) {
		snprintf(num, sizeof num, "%lld", e->pid);
		set_label(labels, "__meta_lmcache_pid", num);
	}
	snprintf(num, sizeof num, "%lld", (long long)e->last_seen);
	set_label(labels, "__meta_lmcache_last_seen", num);
	return labels;
}

json_t *http_sd_group(const struct dentry *e)
{
	char *target, *scheme, *path;
	json_t *group = NULL;

	if (e->api_address == NULL || split_address(e->api_address, &target, &scheme, &path) < 0)
		return NULL;
	group = json_pack("{s:[s], s:o}", "targets", target, "labels",
	                  labels_of(e, scheme, path));
	free(target);
	free(scheme);
	free(path);
	return group;
}

int http_sd_add(const struct dentry *e, void *array)
{
	json_t *g = http_sd_group(e);

	if (g != NULL)
		json_array_append_new(array, g);
	return 0;
}
