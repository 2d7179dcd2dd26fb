/* The registry's frontends as Prometheus HTTP service discovery targets (GET /http_sd):
 * [{"targets": ["host:port"], "labels": {"__scheme__", "__meta_lmcache_*", ...}}], one
 * group per registered frontend, so Prometheus scrapes every frontend's merged /metrics. */
#ifndef LMC_DISCOVERY_HTTP_SD_H
#define LMC_DISCOVERY_HTTP_SD_H

#include <jansson.h>

#include "entry.h"

/* The target group of one entry (a new reference), or NULL when its api_address is not a
 * URL Prometheus can scrape (then it is left out). */
json_t *http_sd_group(const struct dentry *e);
/* A store's foreach callback: appends e's group to the JSON array arg; returns 0. */
int http_sd_add(const struct dentry *e, void *array);

#endif
