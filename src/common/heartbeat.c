#include "config.h"
#include "heartbeat.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "client-auth.h"
#include "jsonutil.h"
#include "netallow.h"
#include "strutil.h"
#include "url.h"
#include "xalloc.h"
#include "xthread.h"

#define REQUEST_TIMEOUT_MS 10000L
#define DEREGISTER_TIMEOUT_MS 2000L
#define ERROR_MAX 200

struct heartbeat {
	/* Serialises start, stop and restart as a whole (held across the join), so that only
	 * one caller ever joins a thread; lock alone is released before the join. */
	pthread_mutex_t ctl;
	pthread_mutex_t lock;
	pthread_cond_t cond; /* CLOCK_MONOTONIC: a clock step neither delays nor hurries it */
	pthread_t thread;
	bool running, stopping, deregister, deregistering;
	/* The copied configuration. */
	struct heartbeat_config cfg;
	char *url, *api_override, *version, *token;
	double startup_time;
	unsigned int seed;
	/* Status, under lock. */
	char *api_address, *local_ip, *last_error;
	unsigned long long sent, succeeded, failed, consecutive;
	double last_attempt, last_success, last_error_time, next_due; /* epoch; 0: never */
};

static double now_epoch(void)
{
	struct timeval tv;

	gettimeofday(&tv, NULL);
	return (double)tv.tv_sec + tv.tv_usec / 1e6;
}

void heartbeat_iso_time(char out[40], double epoch)
{
	time_t secs = (time_t)epoch;
	long usec = (long)((epoch - (double)secs) * 1e6);
	struct tm tm;
	char base[32];

	localtime_r(&secs, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 40, "%s.%06ld", base, usec < 0 ? 0 : usec > 999999 ? 999999 : usec);
}

long heartbeat_backoff_ms(unsigned attempt, long base_ms, long cap_ms, double r)
{
	long d = base_ms;

	for (unsigned i = 0; i < attempt && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	if (r < 0)
		r = 0;
	if (r >= 1)
		r = 0.999999;
	return d / 2 + (long)((double)(d - d / 2) * r);
}

char *heartbeat_api_address(const char *ip, int port)
{
	return strchr(ip, ':') ? xasprintf("http://[%s]:%d", ip, port)
			       : xasprintf("http://%s:%d", ip, port);
}

/* A connected UDP socket sends nothing, but makes the kernel choose the source address
 * it would use toward the registry (LMCache asks about 8.8.8.8 instead, which is wrong on
 * a private network and fails without a default route). */
static int route_source(const struct addrinfo *ai, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_CLOEXEC, 0), rc = -1;

	if (fd < 0)
		return -1;
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0 &&
	    getsockname(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sl, out, (socklen_t)len, NULL, 0,
			NI_NUMERICHOST) == 0)
		rc = 0;
	close(fd);
	return rc;
}

int heartbeat_local_ip(const char *url, char *out, size_t len, char **cause)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM }, *res = NULL, *ai;
	struct url u;
	int rc = -1, err;

	if (url_parse(url, &u, cause) < 0)
		return -1;
	if (u.socket != NULL) {
		*cause = xasprintf("%s: a unix socket has no source address", url);
		url_clear(&u);
		return -1;
	}
	if ((err = getaddrinfo(u.host, u.port, &hints, &res)) != 0)
		*cause = xasprintf("cannot resolve %s: %s", u.host, gai_strerror(err));
	for (ai = res; ai && rc < 0; ai = ai->ai_next)
		rc = route_source(ai, out, len);
	if (rc < 0 && err == 0)
		*cause = xasprintf("no route to %s", u.host);
	if (res)
		freeaddrinfo(res);
	url_clear(&u);
	return rc;
}

/* ---- one request ---- */

static int on_progress(void *arg, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
	struct heartbeat *hb = arg;
	bool stop;

	pthread_mutex_lock(&hb->lock);
	stop = hb->stopping && !hb->deregistering;
	pthread_mutex_unlock(&hb->lock);
	/* Non-zero aborts a heartbeat in flight: stop() need not wait for a slow registry.
	 * The deregistration itself runs to its own short timeout. */
	return stop;
}

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	if (b->len < ERROR_MAX)
		buf_append(b, data, size * n);
	return size * n;
}

static int add_param(CURLU *u, const char *key, const char *value)
{
	char *kv = xasprintf("%s=%s", key, value);
	CURLUcode rc = curl_url_set(u, CURLUPART_QUERY, kv, CURLU_APPENDQUERY | CURLU_URLENCODE);

	free(kv);
	return rc == CURLUE_OK ? 0 : -1;
}

/* The URL with the params (NULL-terminated key, value pairs) appended, or NULL. */
static CURLU *build_url(const char *url, const char *const *params)
{
	CURLU *u = curl_url();

	if (curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK)
		goto bad;
	for (size_t i = 0; params[i]; i += 2)
		if (add_param(u, params[i], params[i + 1]) < 0)
			goto bad;
	return u;
bad:
	curl_url_cleanup(u);
	return NULL;
}

static void set_options(CURL *c, struct heartbeat *hb, CURLU *u, const char *method,
			long timeout_ms, struct buf *body, struct curl_slist **headers)
{
	curl_easy_setopt(c, CURLOPT_CURLU, u);
	curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms < 5000 ? timeout_ms : 5000L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, hb);
	*headers = NULL;
	client_auth_apply(c, headers, hb->cfg.token);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, *headers);
}

/* With an allow list, the registry's host is resolved and checked for this request, and
 * *pin makes libcurl connect to the addresses checked. */
static int pin_registry(struct heartbeat *hb, struct curl_slist **pin, char **cause)
{
	struct url u;
	int rc = 0;

	*pin = NULL;
	if (hb->cfg.allow == NULL)
		return 0;
	if (url_parse(hb->url, &u, cause) < 0)
		return -1;
	if (u.socket == NULL && !net_allow_pin(hb->cfg.allow, u.host, u.port, pin)) {
		*cause = xasprintf("%s is outside the allow list (--allow-network)", u.host);
		rc = -1;
	}
	url_clear(&u);
	return rc;
}

/* Performs method on the registry URL with the params; a 2xx answer is success. */
static int request(struct heartbeat *hb, const char *method, const char *const *params,
		   long timeout_ms, char **cause)
{
	CURLU *u = build_url(hb->url, params);
	CURL *c;
	struct buf body = BUF_INIT;
	struct curl_slist *headers = NULL, *pin = NULL;
	long status = 0;
	CURLcode rc;

	if (u == NULL || pin_registry(hb, &pin, cause) < 0) {
		if (u == NULL)
			*cause = xasprintf("cannot build a request URL from '%s'", hb->url);
		curl_url_cleanup(u);
		return -1;
	}
	c = curl_easy_init();
	set_options(c, hb, u, method, timeout_ms, &body, &headers);
	curl_easy_setopt(c, CURLOPT_RESOLVE, pin);
	rc = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	if (rc != CURLE_OK)
		*cause = xstrdup(curl_easy_strerror(rc));
	else if (status < 200 || status > 299)
		*cause = xasprintf("HTTP %ld: %.*s", status, ERROR_MAX, buf_cstr(&body));
	buf_free(&body);
	curl_easy_cleanup(c);
	curl_slist_free_all(headers);
	curl_slist_free_all(pin);
	curl_url_cleanup(u);
	return rc == CURLE_OK && status >= 200 && status <= 299 ? 0 : -1;
}

/* ---- the thread ---- */

static json_t *other_info(struct heartbeat *hb, char **version)
{
	char iso[40];
	json_t *info = json_object();

	heartbeat_iso_time(iso, hb->startup_time);
	json_object_set_new(info, "startup_time", json_string(iso));
	json_object_set_new(info, "nodes_count", json_integer(0));
	*version = xstrdup(hb->version);
	if (hb->cfg.refresh)
		hb->cfg.refresh(info, version, hb->cfg.arg);
	return info;
}

static char *current_api_address(struct heartbeat *hb, char **local_ip)
{
	char ip[64], *why = NULL;

	if (heartbeat_local_ip(hb->url, ip, sizeof(ip), &why) < 0) {
		snprintf(ip, sizeof(ip), "127.0.0.1");
		free(why);
	}
	*local_ip = xstrdup(ip);
	if (hb->api_override)
		return xstrdup(hb->api_override);
	if (hb->cfg.https) { /* the frontend serves TLS: its address says so */
		char *a = heartbeat_api_address(ip, hb->cfg.port), *s = xasprintf("https%s", a + 4);

		free(a);
		return s;
	}
	return heartbeat_api_address(ip, hb->cfg.port);
}

static void record(struct heartbeat *hb, char *api, char *ip, char *err, double when)
{
	pthread_mutex_lock(&hb->lock);
	free(hb->api_address);
	free(hb->local_ip);
	hb->api_address = api;
	hb->local_ip = ip;
	hb->sent++;
	hb->last_attempt = when;
	if (err == NULL) {
		hb->succeeded++;
		hb->consecutive = 0;
		hb->last_success = when;
	} else {
		hb->failed++;
		hb->consecutive++;
		free(hb->last_error);
		hb->last_error = err;
		hb->last_error_time = when;
	}
	pthread_mutex_unlock(&hb->lock);
}

/* Sends one heartbeat; 0 on success. */
static int send_one(struct heartbeat *hb)
{
	char *ip, *api = current_api_address(hb, &ip), *version, *why = NULL;
	json_t *info = other_info(hb, &version);
	char *info_text = json_dumps(info, JSON_COMPACT), pid[24];
	const char *params[] = { "api_address", api, "pid", pid, "version", version,
				 "other_info", info_text, NULL };
	double when = now_epoch();
	int rc;

	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	rc = request(hb, "GET", params, REQUEST_TIMEOUT_MS, &why);
	record(hb, api, ip, why, when);
	json_decref(info);
	free(info_text);
	free(version);
	return rc;
}

static void deregister(struct heartbeat *hb)
{
	char *ip, *api = current_api_address(hb, &ip), *why = NULL;
	const char *params[] = { "api_address", api, NULL };

	/* An old registry (LMCache's) answers 405; the entry then ages out there. */
	if (request(hb, "DELETE", params, DEREGISTER_TIMEOUT_MS, &why) < 0)
		free(why);
	free(api);
	free(ip);
}

static void deadline_after(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* Sleeps ms unless stopped first; true when stopping. */
static bool sleep_ms(struct heartbeat *hb, long ms)
{
	struct timespec due;
	bool stop;

	deadline_after(&due, ms);
	pthread_mutex_lock(&hb->lock);
	hb->next_due = now_epoch() + ms / 1000.0;
	while (!hb->stopping && pthread_cond_timedwait(&hb->cond, &hb->lock, &due) != ETIMEDOUT)
		;
	hb->next_due = 0;
	stop = hb->stopping;
	pthread_mutex_unlock(&hb->lock);
	return stop;
}

static void *worker(void *arg)
{
	struct heartbeat *hb = arg;
	long interval_ms = hb->cfg.interval * 1000L;
	unsigned attempt = 0;
	bool dereg;

#ifdef HAVE_PTHREAD_SETNAME_NP
	pthread_setname_np(pthread_self(), "lmc-heartbeat");
#endif
	if (!sleep_ms(hb, hb->cfg.initial_delay * 1000L)) {
		do {
			if (send_one(hb) == 0)
				attempt = 0;
			else
				attempt++;
		} while (!sleep_ms(hb, attempt == 0 ? interval_ms
				   : heartbeat_backoff_ms(attempt - 1, HEARTBEAT_BACKOFF_BASE_MS,
							  interval_ms,
							  rand_r(&hb->seed) / (RAND_MAX + 1.0))));
	}
	pthread_mutex_lock(&hb->lock);
	dereg = hb->deregistering = hb->deregister;
	pthread_mutex_unlock(&hb->lock);
	if (dereg)
		deregister(hb);
	return NULL;
}

/* ---- control ---- */

struct heartbeat *heartbeat_new(void)
{
	struct heartbeat *hb = xcalloc(1, sizeof(*hb));

	pthread_mutex_init(&hb->ctl, NULL);
	pthread_mutex_init(&hb->lock, NULL);
	cond_init_monotonic(&hb->cond);
	hb->startup_time = now_epoch();
	hb->seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	return hb;
}

static int check_config(const struct heartbeat_config *cfg, char **cause)
{
	struct url u;
	char *why = NULL;

	if (cfg->url == NULL ||
	    !(str_starts_with(cfg->url, "http://") || str_starts_with(cfg->url, "https://"))) {
		*cause = xstrdup("heartbeat URL must be an http:// or https:// URL");
		return -1;
	}
	if (url_parse(cfg->url, &u, &why) < 0) { /* "http:///x": libcurl would send to x */
		*cause = xasprintf("heartbeat URL: %s", why);
		free(why);
		return -1;
	}
	url_clear(&u);
	if (cfg->initial_delay < 0) {
		*cause = xstrdup("heartbeat initial delay must not be negative");
		return -1;
	}
	return 0;
}

static void copy_config(struct heartbeat *hb, const struct heartbeat_config *cfg)
{
	free(hb->url);
	free(hb->api_override);
	free(hb->version);
	free(hb->token);
	hb->cfg = *cfg;
	if (hb->cfg.interval <= 0)
		hb->cfg.interval = HEARTBEAT_DEFAULT_INTERVAL;
	hb->url = xstrdup(cfg->url);
	hb->api_override = cfg->api_address ? xstrdup(cfg->api_address) : NULL;
	hb->version = xstrdup(cfg->version ? cfg->version : "1.0.0");
	hb->cfg.url = hb->url;
	hb->cfg.api_address = hb->api_override;
	hb->cfg.version = hb->version;
	hb->token = cfg->token ? xstrdup(cfg->token) : NULL;
	hb->cfg.token = hb->token;
}

/* Under ctl. */
static int start_locked(struct heartbeat *hb, const struct heartbeat_config *cfg, char **cause)
{
	sigset_t all, old;
	int err;

	if (check_config(cfg, cause) < 0)
		return -1;
	pthread_mutex_lock(&hb->lock);
	if (hb->running) {
		pthread_mutex_unlock(&hb->lock);
		*cause = xstrdup("heartbeat already running");
		return -1;
	}
	copy_config(hb, cfg);
	hb->stopping = hb->deregister = hb->deregistering = false;
	curl_global_init(CURL_GLOBAL_DEFAULT);
	/* The thread starts with every signal blocked: the host's handlers stay the host's. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&hb->thread, NULL, worker, hb);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	hb->running = err == 0;
	pthread_mutex_unlock(&hb->lock);
	if (err != 0) {
		*cause = xasprintf("cannot start the heartbeat thread: %s", strerror(err));
		return -1;
	}
	return 0;
}

/* Under ctl: the only place a thread is joined. */
static int stop_locked(struct heartbeat *hb, bool deregister_entry)
{
	pthread_mutex_lock(&hb->lock);
	if (!hb->running) {
		pthread_mutex_unlock(&hb->lock);
		return -1;
	}
	hb->stopping = true;
	hb->deregister = deregister_entry;
	pthread_cond_signal(&hb->cond);
	pthread_mutex_unlock(&hb->lock);
	pthread_join(hb->thread, NULL);
	pthread_mutex_lock(&hb->lock);
	hb->running = false;
	pthread_mutex_unlock(&hb->lock);
	curl_global_cleanup();
	return 0;
}

int heartbeat_restart(struct heartbeat *hb, const struct heartbeat_config *cfg, char **cause)
{
	int rc;

	pthread_mutex_lock(&hb->ctl);
	stop_locked(hb, false);
	rc = start_locked(hb, cfg, cause);
	pthread_mutex_unlock(&hb->ctl);
	return rc;
}

int heartbeat_stop(struct heartbeat *hb, bool deregister_entry)
{
	int rc;

	pthread_mutex_lock(&hb->ctl);
	rc = stop_locked(hb, deregister_entry);
	pthread_mutex_unlock(&hb->ctl);
	return rc;
}


static json_t *time_or_null(double t)
{
	char iso[40];

	if (t <= 0)
		return json_null();
	heartbeat_iso_time(iso, t);
	return json_string(iso);
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *heartbeat_status(struct heartbeat *hb)
{
	double now = now_epoch();
	json_t *o;

	pthread_mutex_lock(&hb->lock);
	o = json_pack("{s:b, s:o, s:o, s:o, s:i, s:i, s:o, s:o}", "running", hb->running,
		      "heartbeat_url", str_or_null(hb->url), "api_address",
		      str_or_null(hb->api_address), "local_ip", str_or_null(hb->local_ip),
		      "interval", hb->cfg.interval, "initial_delay", hb->cfg.initial_delay,
		      "startup_time", time_or_null(hb->startup_time), "current_time",
		      time_or_null(now));
	json_object_set_new(o, "sent", json_integer((json_int_t)hb->sent));
	json_object_set_new(o, "succeeded", json_integer((json_int_t)hb->succeeded));
	json_object_set_new(o, "failed", json_integer((json_int_t)hb->failed));
	json_object_set_new(o, "consecutive_failures", json_integer((json_int_t)hb->consecutive));
	json_object_set_new(o, "last_attempt", time_or_null(hb->last_attempt));
	json_object_set_new(o, "last_success", time_or_null(hb->last_success));
	json_object_set_new(o, "last_error", str_or_null(hb->last_error));
	json_object_set_new(o, "last_error_time", time_or_null(hb->last_error_time));
	json_object_set_new(o, "next_attempt_in", hb->running && hb->next_due > 0
				       ? json_real(hb->next_due > now ? hb->next_due - now : 0) : json_null());
	pthread_mutex_unlock(&hb->lock);
	return o;
}

void heartbeat_free(struct heartbeat *hb)
{
	if (hb == NULL)
		return;
	heartbeat_stop(hb, true);
	pthread_cond_destroy(&hb->cond);
	pthread_mutex_destroy(&hb->lock);
	pthread_mutex_destroy(&hb->ctl);
	free(hb->url);
	free(hb->token);
	free(hb->api_override);
	free(hb->version);
	free(hb->api_address);
	free(hb->local_ip);
	free(hb->last_error);
	free(hb);
}

char *heartbeat_version_text(const char *body, size_t len)
{
	while (len > 0 && isspace((unsigned char)*body))
		body++, len--;
	while (len > 0 && isspace((unsigned char)body[len - 1]))
		len--;
	if (len >= 2 && ((body[0] == '"' && body[len - 1] == '"') ||
			 (body[0] == '\'' && body[len - 1] == '\''))) {
		body++;
		len -= 2;
	}
	return len > 0 && memchr(body, '\n', len) == NULL ? xstrndup(body, len) : NULL;
}
