/* lmcache-frontend: the per-host proxy of an LMCache cluster. The main thread owns the
 * signals; libmicrohttpd's threads serve requests; the heartbeat and the node supplier have
 * a thread each. */
#include "config.h"

#include <curl/curl.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buf.h"
#include "daemon-log.h"
#include "daemon.h"
#include "forward.h"
#include "frontend.h"
#include "heartbeat.h"
#include "jsonutil.h"
#include "plugin-mode.h"
#include "server.h"
#include "strutil.h"
#include "xalloc.h"
#include "xthread.h"

static int load_config_file(const struct fe_options *o, struct fe_model *m, char **cause)
{
	struct buf text = BUF_INIT;
	char *why = NULL;
	json_t *doc;
	int rc = -1;

	if (buf_read_file(&text, o->config) < 0) {
		*cause = xasprintf("%s: %s", o->config, strerror(errno));
		return -1;
	}
	doc = json_parse_text(buf_cstr(&text), text.len, &why);
	if (doc != NULL)
		rc = model_parse_proxies(doc, m, &why);
	if (rc < 0)
		*cause = xasprintf("%s: %s", o->config, why);
	free(why);
	buf_free(&text);
	json_decref(doc);
	return rc;
}

static int load_nodes_flag(const struct fe_options *o, struct fe_model *m, char **cause)
{
	char *why = NULL;
	json_t *doc = json_parse_text(o->nodes, strlen(o->nodes), &why);
	int rc = doc ? model_from_nodes(doc, o->host, o->port, m, &why) : -1;

	if (rc < 0)
		*cause = xasprintf("--nodes: %s", why);
	free(why);
	json_decref(doc);
	return rc;
}

/* The first node source given wins: --nodes, --config, plugin mode. The supplier fills the
 * model on its own thread. */
static int load_model(const struct fe_options *o, const json_t *plugin_cfg, struct fe_model *m,
		      char **cause)
{
	int rc = 0;

	if (o->node_supplier_url != NULL)
		return 0;
	if (o->nodes != NULL)
		rc = load_nodes_flag(o, m, cause);
	else if (o->config != NULL)
		rc = load_config_file(o, m, cause);
	else if (plugin_cfg != NULL)
		rc = plugin_mode_nodes(plugin_cfg, plugin_mode_worker_count(), o->host, o->port,
				       m, cause);
	for (size_t i = 0; rc == 0 && i < m->nproxies; i++)
		if (strcmp(m->proxies[i].name, "local_proxy") == 0) /* this frontend itself */
			m->proxies[i].https = o->sec.tls_cert != NULL;
	return rc;
}

/* What is served, and a warning when that is reachable from other hosts without tokens. */
static void announce(struct frontend *fe, int fd)
{
	const struct fe_options *o = fe->opt;

	log_info("listening on %s port %d, %zu proxies, %zu nodes", o->host, o->port,
		 fe->model.nproxies, model_count_leaves(&fe->model));
	if (srv_exposed(fd) && !srv_auth_has_tokens(fe->auth))
		log_warn("%s", SRV_INSECURE_WARNING);
}

static int serve(struct frontend *fe, const sigset_t *stop)
{
	const struct fe_options *o = fe->opt;
	struct srv *mhd = NULL;
	char *why = NULL;
	int fd = -1;

	if (!o->no_http && ((fd = daemon_listen(o->host, o->port, 0, &why)) < 0 ||
			    (mhd = fe_server_start(fe, fd, &why)) == NULL))
		goto fail;
	if (o->heartbeat_url != NULL &&
	    frontend_heartbeat_start(fe, o->heartbeat_url, o->heartbeat_interval,
				     o->heartbeat_initial_delay, &why) < 0)
		goto fail;
	if (o->node_supplier_url != NULL)
		supplier_start(fe);
	if (mhd != NULL)
		announce(fe, fd);
	daemon_notify("READY=1");
	while (daemon_wait(stop, NULL, srv_auth_has_tokens(fe->auth) ? frontend_reload : NULL,
			   fe) == 0)
		;
	supplier_stop(fe);
	heartbeat_stop(fe->hb, true);
	if (mhd != NULL)
		fe_server_stop(mhd);
	if (fd >= 0)
		close(fd);
	return 0;
fail:
	fprintf(stderr, "lmcache-frontend: %s\n", why);
	free(why);
	if (mhd != NULL)
		fe_server_stop(mhd);
	if (fd >= 0)
		close(fd);
	return 1;
}

static int run(const struct fe_options *o, const json_t *plugin_cfg)
{
	struct frontend fe = { .opt = o };
	sigset_t stop;
	char *why = NULL;
	int rc = 1;

	daemon_block_signals(&stop); /* before any thread starts */
	pthread_rwlock_init(&fe.lock, NULL);
	pthread_mutex_init(&fe.supplier_mu, NULL);
	cond_init_monotonic(&fe.supplier_cv);
	if (frontend_security_open(&fe, &why) < 0 ||
	    load_model(o, plugin_cfg, &fe.model, &why) < 0 || frontend_allow_init(&fe, &why) < 0) {
		fprintf(stderr, "lmcache-frontend: %s\n", why);
		free(why);
	} else {
		fe.hb = heartbeat_new();
		rc = serve(&fe, &stop);
		heartbeat_free(fe.hb);
	}
	model_clear(&fe.model);
	frontend_security_close(&fe);
	forward_cleanup();
	pthread_cond_destroy(&fe.supplier_cv);
	pthread_mutex_destroy(&fe.supplier_mu);
	pthread_rwlock_destroy(&fe.lock);
	return rc;
}

/* argv with the plugin's extra_config flags first, so explicit arguments override them. */
static char **plugin_argv(int argc, char **argv, const json_t *cfg, int *nargc, char **cause)
{
	size_t n = 0;
	char **extra = plugin_mode_args(cfg, &n, cause), **v;

	if (extra == NULL)
		return NULL;
	v = xcalloc(n + (size_t)argc + 1, sizeof(*v));
	v[0] = xstrdup(argv[0]);
	for (size_t i = 0; i < n; i++)
		v[1 + i] = xstrdup(extra[i]);
	for (int i = 1; i < argc; i++)
		v[n + (size_t)i] = xstrdup(argv[i]);
	*nargc = (int)n + argc;
	str_list_free(extra);
	return v;
}

/* Parses the flags; in plugin mode (no node source, a plugin config in the environment)
 * again with the extra_config flags. */
static int parse(struct fe_options *o, int argc, char **argv, json_t **cfg, char **cause)
{
	int rc = fe_options_parse(o, argc, argv, stdout, cause), nargc;
	char **v;

	if (rc != OPTIONS_RUN || fe_options_have_nodes(o))
		return rc;
	if ((*cfg = plugin_mode_config(cause)) == NULL)
		return *cause ? OPTIONS_USAGE : OPTIONS_RUN;
	if ((v = plugin_argv(argc, argv, *cfg, &nargc, cause)) == NULL)
		return OPTIONS_USAGE;
	fe_options_clear(o);
	rc = fe_options_parse(o, nargc, v, stdout, cause);
	str_list_free(v);
	if (rc == OPTIONS_RUN && fe_options_have_nodes(o)) { /* extra_config named a source */
		json_decref(*cfg);
		*cfg = NULL;
	}
	return rc;
}

int main(int argc, char **argv)
{
	struct fe_options o;
	json_t *cfg = NULL;
	char *why = NULL;
	int rc;

	switch (parse(&o, argc, argv, &cfg, &why)) {
	case OPTIONS_EXIT:
		fe_options_clear(&o);
		return 0;
	case OPTIONS_USAGE:
		fprintf(stderr, "lmcache-frontend: %s\n", why);
		free(why);
		fe_options_clear(&o);
		json_decref(cfg);
		return 2;
	}
	log_setup("lmcache-frontend", o.log_level);
	if (cfg != NULL)
		log_info("plugin mode: nodes of this host from LMCACHE_PLUGIN_CONFIG");
	curl_global_init(CURL_GLOBAL_DEFAULT);
	rc = run(&o, cfg);
	curl_global_cleanup();
	json_decref(cfg);
	fe_options_clear(&o);
	return rc;
}
