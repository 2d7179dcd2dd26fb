/* etcd://HOST:PORT[/PREFIX]: entries live in etcd v3, reached through its JSON gateway, one
 * key per api_address under the prefix, each attached to a lease granted with the TTL, so
 * etcd itself expires entries and every registry on the same etcd shows the same view.
 * A refresh grants a fresh lease, rewrites the key on it and revokes the old lease.
 * etcds:// speaks TLS (--etcd-cacert, --etcd-cert/--etcd-key); --etcd-user authenticates
 * with etcd's username and password and sends the token etcd returns, asking for a new one
 * when etcd says it expired (401). */
#include "config.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "client-auth.h"
#include "daemon-log.h"
#include "etcd-codec.h"
#include "etcd-mirror.h"
#include "jsonutil.h"
#include "store.h"
#include "xalloc.h"
#include "xthread.h"

/* Idle easy handles kept (each with its connection to etcd); more calls at once make
 * handles of their own. */
#define IDLE_MAX 8
/* A watch message longer than this is not etcd's: the watch is dropped and started over. */
#define WATCH_LINE_MAX (64 * 1024 * 1024)
/* How long a listing waits for the watch to deliver this registry's own last write before
 * it ranges etcd instead. */
#define MIRROR_WAIT_MS 1000

struct etcd_store {
	struct store base;
	/* Guards the idle handles and the failure state only, never held during a call: calls
	 * run side by side, so one slow call does not hold up the others. */
	pthread_mutex_t lock;
	CURL *idle[IDLE_MAX];
	size_t nidle;
	/* After a call that got no answer, calls fail at once with the last error instead of
	 * each waiting out a timeout, until the prober thread finds etcd answering again. */
	bool failing, stopping;
	char *last_error;
	pthread_cond_t wake; /* the prober's, with lock */
	pthread_t prober;
	struct curl_slist *headers;
	char *base_url;
	char *prefix;
	struct store_limits lim;
	char *user, *password; /* etcd's authentication; NULL: none */
	char *auth_header;     /* "Authorization: <token>" once authenticated; under lock */
	bool tls;
	char *cacert, *cert, *key; /* TLS files for every handle; NULL: none */
	struct etcd_mirror mirror; /* listings read it (etcd-mirror.h) */
	pthread_t watcher;	   /* loads the mirror and follows etcd's watch */
	CURLM *multi;		   /* the watch's, so that closing can wake it */
};

#define ES(s) ((struct etcd_store *)(s))

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
	buf_append(arg, data, size * n);
	return size * n;
}

static json_t *parse_reply(const struct buf *b, long status, const char *path, char **cause)
{
	json_t *reply = json_parse_text(buf_cstr(b), b->len, NULL);

	if (status == 200 && json_is_object(reply))
		return reply;
	*cause = xasprintf("etcd %s answered %ld: %s", path, status,
			   json_str_member(reply, "message", b->len ? buf_cstr(b) : "no body"));
	json_decref(reply);
	return NULL;
}

static CURL *handle_new(struct etcd_store *es)
{
	CURL *c = curl_easy_init();

	if (c == NULL)
		abort(); /* only on memory exhaustion */
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, es->headers);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 1000L);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 5000L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, es->tls ? "https" : "http");
	if (es->cacert != NULL)
		curl_easy_setopt(c, CURLOPT_CAINFO, es->cacert);
	if (es->cert != NULL) {
		curl_easy_setopt(c, CURLOPT_SSLCERT, es->cert);
		curl_easy_setopt(c, CURLOPT_SSLKEY, es->key);
	}
	return c;
}

/* A handle for a call, or NULL (with cause) when etcd is known to be failing. */
static CURL *admit(struct etcd_store *es, char **cause)
{
	CURL *c = NULL;
	bool failing;

	pthread_mutex_lock(&es->lock);
	failing = es->failing;
	if (failing)
		*cause = xasprintf("%s (retried every second in the background)", es->last_error);
	else if (es->nidle > 0)
		c = es->idle[--es->nidle];
	pthread_mutex_unlock(&es->lock);
	return c != NULL || failing ? c : handle_new(es);
}

/* Gives the handle back; a call that got no answer marks etcd failing. */
static void settle(struct etcd_store *es, CURL *c, const char *error)
{
	pthread_mutex_lock(&es->lock);
	if (es->nidle < IDLE_MAX) {
		es->idle[es->nidle++] = c;
		c = NULL;
	}
	if (error != NULL && !es->failing) {
		es->failing = true;
		free(es->last_error);
		es->last_error = xstrdup(error);
		pthread_cond_broadcast(&es->wake);
	}
	pthread_mutex_unlock(&es->lock);
	if (c != NULL)
		curl_easy_cleanup(c);
}

/* Whether etcd answers its gateway at all (any HTTP status will do). */
static bool etcd_answers(struct etcd_store *es, CURL *c)
{
	char *url = xasprintf("%s/v3/maintenance/status", es->base_url);
	struct buf b = BUF_INIT;
	CURLcode rc;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
	rc = curl_easy_perform(c);
	buf_free(&b);
	free(url);
	return rc == CURLE_OK;
}

/* Sleeps a second or until stopping; under lock. */
static void pause_second(struct etcd_store *es)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += 1;
	pthread_cond_timedwait(&es->wake, &es->lock, &ts);
}

static void *prober_main(void *arg)
{
	struct etcd_store *es = arg;
	CURL *c = handle_new(es);

	pthread_mutex_lock(&es->lock);
	while (!es->stopping) {
		if (!es->failing) {
			pthread_cond_wait(&es->wake, &es->lock);
			continue;
		}
		pause_second(es);
		pthread_mutex_unlock(&es->lock);
		bool ok = etcd_answers(es, c);
		pthread_mutex_lock(&es->lock);
		es->failing = es->failing && !ok;
	}
	pthread_mutex_unlock(&es->lock);
	curl_easy_cleanup(c);
	return NULL;
}

/* The headers of a call: the JSON type and the current token. */
static struct curl_slist *call_headers(struct etcd_store *es)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");

	pthread_mutex_lock(&es->lock);
	if (es->auth_header != NULL)
		h = curl_slist_append(h, es->auth_header);
	pthread_mutex_unlock(&es->lock);
	return h;
}

/* One POST on handle c with the current token; the status, or -1 (rc set). */
static long post(struct etcd_store *es, CURL *c, const char *url, const char *text,
		 struct buf *b, CURLcode *rc)
{
	struct curl_slist *h = call_headers(es);
	long status = -1;

	buf_reset(b);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, b);
	*rc = curl_easy_perform(c);
	if (*rc == CURLE_OK)
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, es->headers);
	curl_slist_free_all(h);
	return status;
}

static int authenticate(struct etcd_store *es, CURL *c, char **cause);

/* POSTs body (stolen) to the gateway path; the reply object, or NULL with cause. */
static json_t *call(struct etcd_store *es, const char *path, json_t *body, char **cause)
{
	char *url = xasprintf("%s%s", es->base_url, path), *text = json_to_text(body);
	struct buf b = BUF_INIT;
	long status = 0;
	json_t *reply = NULL;
	CURL *c;
	CURLcode rc;

	json_decref(body);
	if ((c = admit(es, cause)) != NULL) {
		status = post(es, c, url, text, &b, &rc);
		if (status == 401 && es->user != NULL && authenticate(es, c, NULL) == 0)
			status = post(es, c, url, text, &b, &rc); /* the token expired: once more */
		if (rc != CURLE_OK)
			*cause = xasprintf("etcd at %s unreachable: %s", es->base_url,
					   curl_easy_strerror(rc));
		else
			reply = parse_reply(&b, status, path, cause);
		settle(es, c, rc != CURLE_OK ? *cause : NULL);
	}
	buf_free(&b);
	free(text);
	free(url);
	return reply;
}

static json_t *key_body(const char *key)
{
	char *k = b64_encode(key, strlen(key));
	json_t *body = json_pack("{s:s}", "key", k);

	free(k);
	return body;
}

static json_t *prefix_body(const struct etcd_store *es)
{
	size_t n;
	char *end = etcd_prefix_end(es->prefix, &n);
	char *b64end = b64_encode(end, n);
	json_t *body = key_body(es->prefix);

	json_object_set_new(body, "range_end", json_string(b64end));
	free(end);
	free(b64end);
	return body;
}

/* The stored entry of key (found: 1), its lease in *lease. */
static int get_existing(struct etcd_store *es, const char *key, struct dentry *old,
			long long *lease, char **cause)
{
	json_t *reply = call(es, "/v3/kv/range", key_body(key), cause);
	json_t *kv;
	int found;

	if (reply == NULL)
		return -1;
	kv = json_array_get(json_object_get(reply, "kvs"), 0);
	found = kv != NULL && etcd_decode_entry(kv, old, NULL) == 0;
	*lease = kv ? etcd_int64(kv, "lease") : 0;
	json_decref(reply);
	return found;
}

static long etcd_count(struct store *s, char **cause)
{
	json_t *body = prefix_body(ES(s)), *reply;
	long n;

	json_object_set_new(body, "count_only", json_true());
	if ((reply = call(ES(s), "/v3/kv/range", body, cause)) == NULL)
		return -1;
	n = (long)etcd_int64(reply, "count");
	json_decref(reply);
	return n;
}

static long long grant(struct etcd_store *es, char **cause)
{
	json_t *reply = call(es, "/v3/lease/grant", json_pack("{s:i}", "TTL", es->lim.ttl), cause);
	long long id;

	if (reply == NULL)
		return -1;
	id = etcd_int64(reply, "ID");
	json_decref(reply);
	if (id <= 0)
		*cause = xstrdup("etcd granted no lease");
	return id > 0 ? id : -1;
}

static int put_key(struct etcd_store *es, const char *key, const struct dentry *e,
		   long long lease, char **cause)
{
	json_t *obj = entry_to_json(e), *body = key_body(key), *reply;
	char *text = json_to_text(obj), *v = b64_encode(text, strlen(text));

	json_object_set_new(body, "value", json_string(v));
	json_object_set_new(body, "lease", json_integer(lease));
	reply = call(es, "/v3/kv/put", body, cause);
	mirror_wrote(&es->mirror, reply);
	json_decref(reply);
	json_decref(obj);
	free(text);
	free(v);
	return reply ? 0 : -1;
}

static void lease_revoke(struct etcd_store *es, long long lease)
{
	char *why = NULL;
	json_t *reply = call(es, "/v3/lease/revoke", json_pack("{s:I}", "ID", (json_int_t)lease),
			     &why);

	if (reply == NULL)
		log_debug("revoking lease %lld: %s", lease, why);
	json_decref(reply);
	free(why);
}

static enum store_status check_room(struct etcd_store *es, char **cause)
{
	long n = etcd_count(&es->base, cause);

	if (n < 0)
		return STORE_UNAVAILABLE;
	if ((size_t)n < es->lim.max_entries)
		return STORE_OK;
	*cause = xasprintf("registry full: %ld entries (--max-entries %zu)", n,
			   es->lim.max_entries);
	return STORE_FULL;
}

static enum store_status etcd_put(struct store *s, const struct dentry *e, bool force,
				  bool *created, char **cause)
{
	struct etcd_store *es = ES(s);
	char *key = etcd_entry_key(es->prefix, e->api_address);
	struct dentry old = { 0 }, copy;
	long long old_lease = 0, lease;
	enum store_status st = STORE_UNAVAILABLE;
	int found = get_existing(es, key, &old, &old_lease, cause);

	if (found < 0)
		goto out;
	if (found && !force && entry_owned_by_other(&old, e->owner)) {
		*cause = xasprintf("%s is registered by another token", e->api_address);
		st = STORE_NOT_YOURS;
		goto out;
	}
	*created = found == 0;
	if (*created && (st = check_room(es, cause)) != STORE_OK)
		goto out;
	st = STORE_UNAVAILABLE;
	if ((lease = grant(es, cause)) < 0)
		goto out;
	entry_copy(&copy, e);
	if (found)
		copy.start_time = old.start_time;
	if (put_key(es, key, &copy, lease, cause) == 0) {
		st = STORE_OK;
		if (old_lease > 0 && old_lease != lease)
			lease_revoke(es, old_lease);
	}
	entry_clear(&copy);
out:
	entry_clear(&old);
	free(key);
	return st;
}

static int etcd_remove(struct store *s, const char *api_address, const char *owner,
		       char **cause)
{
	char *key = etcd_entry_key(ES(s)->prefix, api_address);
	struct dentry old = { 0 };
	long long lease = 0;
	json_t *reply = NULL;
	int rc = owner ? get_existing(ES(s), key, &old, &lease, cause) : 0;

	if (rc > 0 && entry_owned_by_other(&old, owner)) {
		*cause = xasprintf("%s is registered by another token", api_address);
		rc = STORE_NOT_YOURS;
	} else if (rc >= 0) {
		reply = call(ES(s), "/v3/kv/deleterange", key_body(key), cause);
		rc = reply ? etcd_int64(reply, "deleted") > 0 : -1;
		if (rc > 0)
			mirror_wrote(&ES(s)->mirror, reply);
	}
	json_decref(reply);
	entry_clear(&old);
	free(key);
	return rc;
}

/* A flag of es (failing, stopping) read under its lock. */
static bool flag(struct etcd_store *es, const bool *f)
{
	bool v;

	pthread_mutex_lock(&es->lock);
	v = *f;
	pthread_mutex_unlock(&es->lock);
	return v;
}

/* From the mirror when it is current, else one range over the prefix. */
static int etcd_foreach(struct store *s, store_visit_fn cb, void *arg, char **cause)
{
	time_t cutoff = time(NULL) - ES(s)->lim.ttl;
	json_t *reply, *kv;
	struct dentry e;
	size_t i;

	/* etcd known to be failing lists as failing, as the heartbeats answer. */
	if (!flag(ES(s), &ES(s)->failing) &&
	    mirror_foreach(&ES(s)->mirror, cutoff, MIRROR_WAIT_MS, cb, arg) == 0)
		return 0;
	if ((reply = call(ES(s), "/v3/kv/range", prefix_body(ES(s)), cause)) == NULL)
		return -1;
	json_array_foreach(json_object_get(reply, "kvs"), i, kv) {
		/* A foreign or damaged value under our prefix is skipped, not fatal. */
		if (etcd_decode_entry(kv, &e, NULL) < 0)
			continue;
		if (e.last_seen > cutoff)
			cb(&e, arg);
		entry_clear(&e);
	}
	json_decref(reply);
	return 0;
}

/* etcd expires entries itself, through their leases. */
static size_t etcd_expire(struct store *s, time_t now, time_t *next_due)
{
	*next_due = 0;
	return 0;
}

/* ---- the mirror's watcher thread ---- */

struct watch {
	struct etcd_store *es;
	struct buf pending; /* the start of a message whose newline has not come yet */
};

/* The gateway streams one JSON message a line; a message that ends the watch (or is not a
 * watch message) ends the transfer. */
static size_t on_watch(char *data, size_t size, size_t n, void *arg)
{
	struct watch *w = arg;
	size_t used = 0, len;
	char *nl;

	buf_append(&w->pending, data, size * n);
	while ((nl = memchr(w->pending.data + used, '\n', w->pending.len - used)) != NULL) {
		len = (size_t)(nl - (w->pending.data + used));
		if (len > 0 && mirror_apply(&w->es->mirror, w->pending.data + used, len) != 0)
			return 0;
		used += len + 1;
	}
	memmove(w->pending.data, w->pending.data + used, w->pending.len - used + 1);
	w->pending.len -= used;
	return w->pending.len > WATCH_LINE_MAX ? 0 : size * n;
}

/* The watch request: every key under the prefix from revision from on. */
static char *watch_body(struct etcd_store *es, long long from)
{
	json_t *create = prefix_body(es), *body;
	char *text;

	json_object_set_new(create, "start_revision", json_integer(from));
	body = json_pack("{s:o}", "create_request", create);
	text = json_to_text(body);
	json_decref(body);
	return text;
}

/* Follows etcd's watch from revision from until it ends, breaks or the store closes. */
static void watch(struct etcd_store *es, long long from)
{
	struct watch w = { es, BUF_INIT };
	char *url = xasprintf("%s/v3/watch", es->base_url), *text = watch_body(es, from);
	struct curl_slist *h = call_headers(es);
	CURL *c = handle_new(es);
	int running = 1;

	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_watch);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &w);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 0L); /* a stream: no end expected */
	curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_multi_add_handle(es->multi, c);
	while (running && !flag(es, &es->stopping) && curl_multi_perform(es->multi, &running) == CURLM_OK)
		if (running)
			curl_multi_poll(es->multi, NULL, 0, 1000, NULL);
	curl_multi_remove_handle(es->multi, c);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	buf_free(&w.pending);
	free(text);
	free(url);
}

/* Loads the mirror with one range and follows the watch from the next revision; when the
 * watch ends (etcd restarted, its start revision compacted away), drops the mirror and
 * starts over a second later. */
static void *watcher_main(void *arg)
{
	struct etcd_store *es = arg;
	char *why = NULL;
	json_t *reply;

	while (!flag(es, &es->stopping)) {
		if ((reply = call(es, "/v3/kv/range", prefix_body(es), &why)) != NULL) {
			long long rev = mirror_load(&es->mirror, reply);

			json_decref(reply);
			watch(es, rev + 1);
			mirror_drop(&es->mirror);
		}
		free(why);
		why = NULL;
		pthread_mutex_lock(&es->lock);
		if (!es->stopping)
			pause_second(es);
		pthread_mutex_unlock(&es->lock);
	}
	return NULL;
}

/* etcd's /v3/auth/authenticate on handle c; the token goes into every later request. */
static int authenticate(struct etcd_store *es, CURL *c, char **cause)
{
	char *url = xasprintf("%s/v3/auth/authenticate", es->base_url);
	json_t *body = json_pack("{s:s, s:s}", "name", es->user, "password", es->password);
	char *text = json_to_text(body);
	struct buf b = BUF_INIT;
	CURLcode rc;
	long status;
	json_t *reply;

	char *header;

	pthread_mutex_lock(&es->lock);
	free(es->auth_header);
	es->auth_header = NULL;
	pthread_mutex_unlock(&es->lock);
	status = post(es, c, url, text, &b, &rc);
	reply = status == 200 ? json_parse_text(buf_cstr(&b), b.len, NULL) : NULL;
	header = json_str_member(reply, "token", NULL) == NULL ? NULL
		 : xasprintf("Authorization: %s", json_str_member(reply, "token", ""));
	pthread_mutex_lock(&es->lock);
	free(es->auth_header);
	es->auth_header = header;
	pthread_mutex_unlock(&es->lock);
	if (header == NULL && cause != NULL)
		*cause = xasprintf("etcd at %s refused user %s: %s", es->base_url, es->user,
				   rc != CURLE_OK ? curl_easy_strerror(rc)
				   : b.len	  ? buf_cstr(&b)
						  : "no answer");
	json_decref(reply);
	json_decref(body);
	buf_free(&b);
	free(text);
	free(url);
	return header ? 0 : -1;
}

static void secure_free(struct etcd_store *es)
{
	free(es->user);
	free(es->password);
	free(es->auth_header);
	free(es->cacert);
	free(es->cert);
	free(es->key);
}

/* TLS files and the username/password of spec->sec. */
static int secure(struct etcd_store *es, const struct store_spec *spec, char **cause)
{
	const struct etcd_security *sec = spec->sec;

	if (sec == NULL)
		return 0;
	CURL *c;
	int rc;

	es->cacert = sec->cacert ? xstrdup(sec->cacert) : NULL;
	es->cert = sec->cert ? xstrdup(sec->cert) : NULL;
	es->key = sec->key ? xstrdup(sec->key) : NULL;
	if (sec->user == NULL)
		return 0;
	es->user = xstrdup(sec->user);
	/* The file's first word, like a token file: only its owner may read it. */
	if ((es->password = client_token_read(sec->password_file, cause)) == NULL)
		return -1;
	c = handle_new(es);
	rc = authenticate(es, c, cause);
	curl_easy_cleanup(c);
	return rc;
}

static struct store *etcd_open(const struct store_spec *spec, const struct store_limits *lim,
			       char **cause)
{
	struct etcd_store *es = xcalloc(1, sizeof(*es));
	sigset_t all, old;

	es->base.ops = &store_etcd_ops;
	pthread_mutex_init(&es->lock, NULL);
	es->base_url = xasprintf("%s://%s:%d", spec->tls ? "https" : "http", spec->host, spec->port);
	es->prefix = xstrdup(spec->prefix);
	es->lim = *lim;
	es->headers = curl_slist_append(NULL, "Content-Type: application/json");
	es->tls = spec->tls;
	if (secure(es, spec, cause) < 0) {
		secure_free(es);
		curl_slist_free_all(es->headers);
		free(es->base_url);
		free(es->prefix);
		free(es);
		return NULL;
	}
	cond_init_monotonic(&es->wake);
	mirror_init(&es->mirror, es->prefix);
	es->multi = curl_multi_init();
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_create(&es->prober, NULL, prober_main, es);
	pthread_create(&es->watcher, NULL, watcher_main, es);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return &es->base;
}

static void etcd_close(struct store *s)
{
	struct etcd_store *es = ES(s);

	pthread_mutex_lock(&es->lock);
	es->stopping = true;
	pthread_cond_broadcast(&es->wake);
	pthread_mutex_unlock(&es->lock);
	curl_multi_wakeup(es->multi);
	pthread_join(es->prober, NULL);
	pthread_join(es->watcher, NULL);
	curl_multi_cleanup(es->multi);
	mirror_fini(&es->mirror);
	pthread_cond_destroy(&es->wake);
	while (es->nidle > 0)
		curl_easy_cleanup(es->idle[--es->nidle]);
	secure_free(es);
	curl_slist_free_all(es->headers);
	free(es->last_error);
	pthread_mutex_destroy(&es->lock);
	free(es->base_url);
	free(es->prefix);
	free(es);
}

const struct store_ops store_etcd_ops = {
	.name = "etcd",
	.open = etcd_open,
	.put = etcd_put,
	.remove = etcd_remove,
	.foreach = etcd_foreach,
	.count = etcd_count,
	.expire = etcd_expire,
	.close = etcd_close,
};
