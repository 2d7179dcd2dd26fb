/* lmcache-discovery: the registry of lmcache-frontend processes. The main thread owns the
 * signals and the expiry sweep; libmicrohttpd's threads serve requests. */
#include "config.h"

#include <curl/curl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon-log.h"
#include "daemon.h"
#include "discovery.h"
#include "server.h"
#include "xalloc.h"

/* Sleeps until a signal or until the next entry is due to expire, then sweeps. */
static void run(struct discovery *d, const sigset_t *stop)
{
	time_t next_due = time(NULL), now; /* sweep at once: restored state may be stale */
	struct timespec wait;
	size_t n;

	for (;;) {
		now = time(NULL);
		wait.tv_sec = next_due > now ? next_due - now : (next_due ? 0 : d->opt->ttl);
		wait.tv_nsec = 0;
		if (daemon_wait(stop, &wait, srv_auth_has_tokens(d->auth) ? disc_server_reload : NULL,
				d) > 0)
			return;
		n = d->store->ops->expire(d->store, time(NULL), &next_due);
		if (n > 0) {
			atomic_fetch_add(&d->stats.expired, n);
			log_info("expired %zu entr%s", n, n == 1 ? "y" : "ies");
		}
	}
}

static struct store *open_store(struct discovery *d, char **cause)
{
	struct store_limits lim = { d->opt->ttl, d->opt->max_entries };
	struct store *s = store_open(&d->opt->store, &lim, cause);
	char *why = NULL;

	if (s && s->ops->count(s, &why) < 0) {
		log_warn("%s; serving anyway, requests answer 503 until it is back", why);
		free(why);
	}
	return s;
}

static int serve(struct disc_options *o)
{
	struct discovery d = { .opt = o, .started = time(NULL), .allow = o->allow };
	struct srv *mhd = NULL;
	sigset_t stop;
	char *why = NULL;
	int fd = -1, rc = 1;

	daemon_block_signals(&stop);
	d.store_desc = store_spec_describe(&o->store);
	if ((d.auth = srv_auth_new(&o->sec, &why)) == NULL ||
	    (fd = daemon_listen(o->host, o->port, SOCK_NONBLOCK, &why)) < 0 ||
	    (d.store = open_store(&d, &why)) == NULL ||
	    (mhd = disc_server_start(&d, fd, &why)) == NULL) {
		fprintf(stderr, "lmcache-discovery: %s\n", why);
		goto out;
	}
	log_info("listening on %s port %d, store %s, ttl %ds, max %zu entries", o->host, o->port,
		 d.store_desc, o->ttl, o->max_entries);
	if (srv_exposed(fd) && !srv_auth_has_tokens(d.auth))
		log_warn("%s", SRV_INSECURE_WARNING);
	if (o->allow.nranges == 0 && !o->allow.any)
		log_info("api_address: any host accepted (no --allow-network)");
	if (o->allow.nranges == 0)
		d.allow.any = true;
	daemon_notify("READY=1");
	run(&d, &stop);
	rc = 0;
out:
	if (mhd)
		srv_stop(mhd);
	if (d.store)
		d.store->ops->close(d.store);
	if (fd >= 0)
		close(fd);
	free(d.store_desc);
	srv_auth_free(d.auth);
	free(why);
	return rc;
}

int main(int argc, char **argv)
{
	struct disc_options o;
	char *why = NULL;
	int rc;

	switch (disc_options_parse(&o, argc, argv, stdout, &why)) {
	case OPTIONS_EXIT:
		disc_options_clear(&o);
		return 0;
	case OPTIONS_USAGE:
		fprintf(stderr, "lmcache-discovery: %s\n", why);
		free(why);
		disc_options_clear(&o);
		return 2;
	}
	log_setup("lmcache-discovery", o.log_level);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = serve(&o);
	curl_global_cleanup();
	disc_options_clear(&o);
	return rc;
}
