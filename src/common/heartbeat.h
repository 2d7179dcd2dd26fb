/* The heartbeat client of lmcache-frontend: a thread that reports this frontend to a
 * registry (lmcache-discovery, or LMCache's discover service) with LMCache's plain GET
 *   <url>?api_address=http://h:p&pid=N&version=V&other_info={"startup_time":..,"nodes_count":N}
 * every interval, retrying with exponential backoff and jitter while the registry is down,
 * and deregistering (DELETE <url>?api_address=...) when stopped cleanly. The thread sleeps
 * until it is due and stops promptly, even in the middle of a request. */
#ifndef LMC_COMMON_HEARTBEAT_H
#define LMC_COMMON_HEARTBEAT_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

struct net_allow;

#define HEARTBEAT_DEFAULT_INTERVAL 30
#define HEARTBEAT_BACKOFF_BASE_MS 1000L

struct heartbeat_config {
	const char *url;	 /* the registry's heartbeat URL (http or https) */
	int interval;		 /* seconds between heartbeats; <= 0 means 30 */
	int initial_delay;	 /* seconds before the first heartbeat */
	const char *api_address; /* override; NULL: http://<address toward the registry>:<port> */
	int port;		 /* the frontend's port, for the derived api_address */
	const char *version;	 /* reported version; NULL: "1.0.0" (the callback may replace it) */
	const char *token;	 /* the registry's agent token; NULL: the process's (client-auth.h) */
	bool https;		 /* the derived api_address is https:// (the frontend serves TLS) */
	/* When not NULL, the registry's host is checked against it at every request and
	 * libcurl connects to the addresses checked (netallow.h); it must outlive the
	 * heartbeat. */
	const struct net_allow *allow;
	/* Called on the heartbeat thread before each heartbeat: other_info already holds
	 * startup_time and nodes_count (0); the callback may change them, add keys, and
	 * replace *version with a malloc'd string. May be NULL. */
	void (*refresh)(json_t *other_info, char **version, void *arg);
	void *arg;
};

struct heartbeat;

struct heartbeat *heartbeat_new(void);
/* Starts the thread with cfg (copied), after stopping a running one (without deregistering),
 * as one step: concurrent callers of restart and stop never interleave. -1 with cause when
 * the URL is not an http(s) URL. */
int heartbeat_restart(struct heartbeat *hb, const struct heartbeat_config *cfg, char **cause);
/* Stops the thread, after a deregistration when asked; -1 when it was not running.
 * Safe from any number of threads: one joins, the others wait for it and return -1. */
int heartbeat_stop(struct heartbeat *hb, bool deregister);
/* {"running", "heartbeat_url", "api_address", "local_ip", "interval", "initial_delay",
 *  "startup_time", "current_time", "sent", "succeeded", "failed", "consecutive_failures",
 *  "last_attempt", "last_success", "last_error", "last_error_time", "next_attempt_in"}
 * (times ISO 8601 local, like LMCache's; absent values null). The caller owns it. */
json_t *heartbeat_status(struct heartbeat *hb);
/* Stops (deregistering) and frees. */
void heartbeat_free(struct heartbeat *hb);

/* Pure pieces, exposed for tests. */
/* Delay before retry number attempt (0-based): min(cap, base * 2^attempt), with "equal
 * jitter": half of it fixed, half scaled by r in [0, 1). */
long heartbeat_backoff_ms(unsigned attempt, long base_ms, long cap_ms, double r);
/* The local address that routes to the host of url (numeric; IPv6 without brackets). */
int heartbeat_local_ip(const char *url, char *out, size_t len, char **cause);
/* "http://ip:port", bracketing an IPv6 address. */
char *heartbeat_api_address(const char *ip, int port);
/* A node's /version answer as a version: white space and one pair of surrounding quotes
 * (a JSON string) removed, as LMCache's frontend does; NULL when nothing is left. */
char *heartbeat_version_text(const char *body, size_t len);
/* LMCache's isoformat(): "YYYY-MM-DDTHH:MM:SS.ffffff", local time. */
void heartbeat_iso_time(char out[40], double epoch);

#endif
