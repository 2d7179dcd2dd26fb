/* The frontend's credentials (lmcache-security(7)): its token file and TLS files as a
 * server, the tokens it presents as a client, the SIGHUP reload and the audit log. */
#include "config.h"
#include "frontend.h"

#include <stdlib.h>

#include "auth.h"
#include "buf.h"
#include "client-auth.h"
#include "daemon-log.h"
#include "url.h"
#include "xalloc.h"

static int read_token(const char *file, char **out, char **cause)
{
	*out = NULL;
	return file == NULL || (*out = client_token_read(file, cause)) != NULL ? 0 : -1;
}

bool frontend_target_allowed(struct frontend *fe, const char *host, const char *port,
			     struct curl_slist **pin)
{
	if (pin != NULL)
		*pin = NULL;
	return model_port_is_socket(port) || net_allow_pin(&fe->allow, host, port, pin);
}

/* The allow list: loopback, --allow-network, and the hosts of the nodes and the registry
 * the operator gave at start (a node added through the API or learnt from a registry is
 * not trusted). */
int frontend_allow_init(struct frontend *fe, char **cause)
{
	const struct fe_model *m = &fe->model;
	char *hb = fe->opt->heartbeat_url ? url_host(fe->opt->heartbeat_url) : NULL;

	if (hb != NULL)
		net_allow_add_host(&fe->allow, hb);
	free(hb);
	net_allow_loopback(&fe->allow);
	for (size_t i = 0; i < fe->opt->nallow; i++)
		if (net_allow_add(&fe->allow, fe->opt->allow_network[i], cause) < 0)
			return -1;
	for (size_t i = 0; i < m->nproxies; i++) {
		net_allow_add_host(&fe->allow, m->proxies[i].host);
		for (size_t j = 0; j < m->proxies[i].nnodes; j++)
			net_allow_add_host(&fe->allow, m->proxies[i].nodes[j].host);
	}
	return 0;
}

int frontend_security_open(struct frontend *fe, char **cause)
{
	const struct fe_options *o = fe->opt;
	struct client_auth ca = { NULL, o->cacert, o->cert, o->key };

	if ((o->cert == NULL) != (o->key == NULL)) {
		*cause = xstrdup("--cert and --key go together");
		return -1;
	}
	if (read_token(o->node_token_file, &fe->node_token, cause) < 0 ||
	    read_token(o->heartbeat_token_file, &fe->heartbeat_token, cause) < 0 ||
	    (fe->auth = srv_auth_new(&o->sec, cause)) == NULL)
		return -1;
	ca.token = fe->node_token;
	client_auth_set(&ca);
	if (srv_auth_has_tokens(fe->auth))
		log_info("token file %s: %zu tokens", o->sec.token_file, srv_auth_count(fe->auth));
	return 0;
}

void frontend_security_close(struct frontend *fe)
{
	srv_auth_free(fe->auth);
	net_allow_free(&fe->allow);
	free(fe->node_token);
	free(fe->heartbeat_token);
	fe->auth = NULL;
	fe->node_token = fe->heartbeat_token = NULL;
}

void frontend_reload(void *arg)
{
	struct frontend *fe = arg;
	char *why = NULL;

	if (srv_auth_reload(fe->auth, &why) < 0)
		log_error("token file not reloaded, the old tokens stay: %s", why);
	else if (srv_auth_has_tokens(fe->auth))
		log_info("token file %s reloaded: %zu tokens", fe->opt->sec.token_file,
			 srv_auth_count(fe->auth));
	free(why);
}

void frontend_audit(void *ctx, const char *line, unsigned int status)
{
	struct frontend *fe = ctx;

	atomic_fetch_add(&fe->audited, 1);
	if (status == 401 || status == 403)
		atomic_fetch_add(&fe->refused, 1);
	log_info("%s", line);
}

void frontend_audit_metrics(struct frontend *fe, struct buf *b)
{
	buf_printf(b, "# HELP lmcache_frontend_audited_requests_total Changing requests and "
		      "refusals, each also logged as an audit line.\n"
		      "# TYPE lmcache_frontend_audited_requests_total counter\n"
		      "lmcache_frontend_audited_requests_total %lu\n"
		      "# HELP lmcache_frontend_refused_requests_total Requests refused 401 or 403.\n"
		      "# TYPE lmcache_frontend_refused_requests_total counter\n"
		      "lmcache_frontend_refused_requests_total %lu\n"
		      "# HELP lmcache_frontend_supplier_refused_total Registry-listed frontends not "
		      "contacted because they are outside the allow list (each refresh counts).\n"
		      "# TYPE lmcache_frontend_supplier_refused_total counter\n"
		      "lmcache_frontend_supplier_refused_total %lu\n",
		   atomic_load(&fe->audited), atomic_load(&fe->refused),
		   atomic_load(&fe->supplier_refused));
}
