/* Finding the nodes: lmcctl's side of the shared walk (src/common/cluster.h), which lists
 * one node (--socket, --url), one frontend (--frontend) or the registry's frontends
 * (--registry). Here: the option checks, the messages, and each failed listing turned into
 * its exit code class. */
#include "config.h"
#include "cli.h"
#include "cluster.h"
#include "xalloc.h"

#include <stdlib.h>

/* The exit code class of one listing, 0 when it was read. */
static int listing_class(enum hm_err err, long status, const char *error)
{
	if (err == HM_ERR_CONNECT)
		return LMC_EXIT_UNREACHABLE;
	if (err == HM_ERR_TIMEOUT)
		return LMC_EXIT_TIMEOUT;
	if (err == HM_ERR_DENIED)
		return LMC_EXIT_DENIED;
	if (err != HM_OK)
		return LMC_EXIT_OTHER;
	if (status == 502 || status == 503)
		return LMC_EXIT_UNREACHABLE;
	if (status_code_class(status) != LMC_EXIT_OK)
		return status_code_class(status);
	return error != NULL ? LMC_EXIT_OTHER : LMC_EXIT_OK; /* answered, but not a listing */
}

/* Reports the frontends that could not be listed; returns their combined class or 0. */
static int frontend_failures(const struct cl_listing *l)
{
	int *codes = xcalloc(l->nfrontends + 1, sizeof *codes), rc;
	size_t n = 0;

	for (size_t i = 0; i < l->nfrontends; i++) {
		const struct cl_frontend *f = &l->frontends[i];
		int code = listing_class(f->err, f->status, f->error);

		if (code == LMC_EXIT_OK)
			continue;
		fprintf(stderr, "lmcctl: cannot list nodes of frontend %s: %s\n", f->name, f->error);
		codes[n++] = code;
	}
	rc = n > 0 ? combine_codes(codes, n) : LMC_EXIT_OK;
	free(codes);
	return rc;
}

static int check_source(const struct opts *o)
{
	if (o->socket != NULL && o->url != NULL) {
		fprintf(stderr, "lmcctl: --socket and --url name one node each: give one\n");
		return LMC_EXIT_USAGE;
	}
	if (!o->socket && !o->url && !o->frontend && !o->registry) {
		fprintf(stderr, "lmcctl: no cluster given: use --registry URL (or LMCACHE_REGISTRY),"
				" --frontend URL, --socket PATH or --url URL\n");
		return LMC_EXIT_USAGE;
	}
	return LMC_EXIT_OK;
}

/* The exit code of a listing: a registry that cannot be read, or no node while frontends
 * failed, is the failure's class; failures beside listed nodes go to c->listing_code. */
static int listing_code(struct ctx *c, const struct cl_listing *l)
{
	bool by_registry = !c->o.socket && !c->o.url && !c->o.frontend;
	int code;

	if (l->error != NULL) {
		fprintf(stderr, "lmcctl: cannot list nodes of %s\n", l->error);
		code = listing_class(l->err, l->status, l->error);
		return code != LMC_EXIT_OK ? code : LMC_EXIT_OTHER;
	}
	if (by_registry && l->nfrontends == 0)
		fprintf(stderr, "lmcctl: registry %s lists no frontend\n", c->o.registry);
	code = frontend_failures(l);
	if (code != LMC_EXIT_OK && l->nnodes == 0)
		return code;
	c->listing_code = code;
	return LMC_EXIT_OK;
}

int cluster_load(struct ctx *c)
{
	struct cl_source src = { .registry = c->o.registry, .frontend = c->o.frontend,
				 .socket = c->o.socket, .url = c->o.url,
				 .timeout_ms = time_left_ms(c) };
	struct cl_listing l;
	char *cause = NULL;
	int code = check_source(&c->o);

	if (code != LMC_EXIT_OK)
		return code;
	if (cluster_list(&src, &l, &cause) < 0) {
		fprintf(stderr, "lmcctl: %s\n", cause);
		free(cause);
		return LMC_EXIT_USAGE;
	}
	code = listing_code(c, &l);
	cluster_sort(&l);
	c->nodes = l.nodes; /* the nodes are lmcctl's now */
	c->nnodes = l.nnodes;
	l.nodes = NULL;
	l.nnodes = 0;
	cluster_listing_free(&l);
	return code;
}
