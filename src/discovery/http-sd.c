/* Prometheus http_sd target groups from registry entries (http-sd.h). An api_address
 * "http://h:p/prefix" becomes the target "h:p" with __scheme__ "http" and, when there is a
 * path prefix, __metrics_path__ "/prefix/metrics". */
#include "config.h"
#include "http-sd.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xalloc.h"

static char *url_part(CURLU *u, CURLUPart what, unsigned flags)
{
	char *v = NULL, *out;

	if (curl_url_get(u, what, &v, flags) != CURLUE_OK)
		return NULL;
	out = xstrdup(v);
	curl_free(v);
	return out;
}

/* "host:port" of the URL and its scheme and path; -1 when it has no host. */
static int split_address(const char *addr, char **target, char **scheme, char **path)
{
	CURLU *u = curl_url();
	char *host = NULL, *port = NULL;
	int rc = -1;

	*target = *scheme = *path = NULL;
	if (u != NULL && curl_url_set(u, CURLUPART_URL, addr, 0) == CURLUE_OK &&
	    (host = url_part(u, CURLUPART_HOST, 0)) != NULL &&
	    (port = url_part(u, CURLUPART_PORT, CURLU_DEFAULT_PORT)) != NULL) {
		*target = xasprintf("%s:%s", host, port);
		*scheme = url_part(u, CURLUPART_SCHEME, 0);
		*path = url_part(u, CURLUPART_PATH, 0);
		rc = 0;
	}
	free(host);
	free(port);
	curl_url_cleanup(u);
	return rc;
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
	if (n > 1) { /* a prefix: the frontend's /metrics lives under it */
		char *mp = xasprintf("%.*s/metrics", (int)(path[n - 1] == '/' ? n - 1 : n), path);

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
