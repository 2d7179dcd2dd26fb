/* The shared cluster walk (src/common/cluster.h) against a real HTTP server (libmicrohttpd
 * on a free loopback port) playing a registry and its frontends: nodes through /proxy2,
 * a second hop, duplicates, and each failing listing with its class (refused, HTTP status,
 * not a listing). Also the direct sources and the natural order. */
#include "config.h"
#include "cluster.h"
#include "tap.h"
#include "xalloc.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>

static unsigned port;

/* Frontend a: its own leaves under local_proxy (one hop), and, as a central frontend in
 * node-supplier mode lists them, a leaf under another frontend's proxy (two hops). */
static const char *fe_a_nodes =
	"{\"nodes\": [{\"name\": \"local_proxy\", \"is_proxy\": true, \"children\": ["
	" {\"name\": \"i1_worker10\", \"host\": \"h1\", \"port\": 7010},"
	" {\"name\": \"i1_worker2\", \"host\": \"h1\", \"port\": 7002},"
	" {\"name\": \"hub\", \"host\": \"h9\", \"port\": 9000, \"is_proxy\": true}]},"
	" {\"name\": \"proxy_h5_8000\", \"is_proxy\": true, \"port\": \"8000\", \"children\": ["
	" {\"name\": \"i3_worker0\", \"host\": \"h5\", \"port\": 7000,"
	" \"proxy_id\": \"proxy_h5_8000\"}]}]}";
static const char *hub_nodes =
	"{\"nodes\": [{\"name\": \"i2_scheduler\", \"host\": \"h2\", \"port\": \"/s/i2\"},"
	" {\"name\": \"i1_worker2\", \"host\": \"other\", \"port\": 1}]}";

/* The registry lists frontends a (good), b (404), c (not a listing), d (refused). */
static char *registry_doc(void)
{
	return xasprintf("{\"processInfos\": {\"x\": {\"lmCacheInfoEntities\": ["
			 "{\"apiAddress\": \"http://127.0.0.1:%u/a\"},"
			 "{\"apiAddress\": \"http://127.0.0.1:%u/b/\"},"
			 "{\"apiAddress\": \"http://127.0.0.1:%u/c\"},"
			 "{\"apiAddress\": \"http://127.0.0.1:1\"}]}}}",
			 port, port, port);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *conn, const char *url,
			       const char *method, const char *version, const char *data,
			       size_t *size, void **state)
{
	char *text = NULL;
	const char *body = "{\"detail\": \"Not Found\"}";
	unsigned status = 200;
	struct MHD_Response *r;
	enum MHD_Result ret;

	if (strcmp(url, "/reg/lmcache_infos") == 0)
		body = text = registry_doc();
	else if (strcmp(url, "/a/api/nodes") == 0)
		body = fe_a_nodes;
	else if (strcmp(url, "/a/proxy2/hub/api/nodes") == 0)
		body = hub_nodes;
	else if (strcmp(url, "/c/api/nodes") == 0)
		body = "{\"status\": \"ok\"}";
	else
		status = 404;
	r = MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	free(text);
	return ret;
}

static struct MHD_Daemon *start(void)
{
	struct MHD_Daemon *d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL, 0,
						NULL, NULL, handler, NULL, MHD_OPTION_END);

	port = d ? MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT)->port : 0;
	return d;
}

static void test_nodes(const struct cl_listing *l)
{
	char *a = xasprintf("http://127.0.0.1:%u/a", port);
	char *w2 = xasprintf("%s/proxy2/i1_worker2", a);
	char *sched = xasprintf("%s/proxy2/hub/proxy2/i2_scheduler", a);
	char *w0 = xasprintf("%s/proxy2/proxy_h5_8000/proxy2/i3_worker0", a);

	is_int(l->nnodes, 4, "four nodes: a duplicate from the second hop dropped");
	if (l->nnodes != 4)
		return;
	is_str(l->nodes[0].name, "i1_worker10", "listing order kept");
	is_str(l->nodes[1].url, w2, "a node is reached through its frontend's /proxy2");
	is_str(l->nodes[1].host, "h1", "the first listing wins a duplicate");
	is_str(l->nodes[1].frontend, a, "the frontend that listed it");
	is_str(l->nodes[2].url, w0, "under another frontend's proxy: LMCache's two-hop path");
	is_str(l->nodes[3].url, sched, "second hop: through both frontends");
	is_str(l->nodes[3].frontend, "hub", "named by the frontend's node name");
	is_str(l->nodes[3].port, "/s/i2", "a socket port as listed");
	is_str(l->nodes[3].role, "scheduler", "role from the name");
	is_str(l->nodes[3].instance, "i2", "instance from the name");
	free(w0);
	free(a);
	free(w2);
	free(sched);
}

static void test_frontends(const struct cl_listing *l)
{
	const struct cl_frontend *f = l->frontends;

	is_int(l->nfrontends, 5, "four frontends listed, one found as a node");
	if (l->nfrontends != 5)
		return;
	ok(f[0].error == NULL && f[0].err == HM_OK && f[0].status == 200, "a: listed");
	ok(f[1].err == HM_OK && f[1].status == 404, "b: answered 404");
	is_str(f[1].error, "HTTP 404", "b: why");
	ok(strstr(f[1].name, "/b") != NULL && f[1].name[strlen(f[1].name) - 1] != '/',
	   "b: named by its URL, without the trailing /");
	ok(f[2].err == HM_OK && f[2].status == 200 && f[2].error != NULL,
	   "c: answered, but not a listing");
	ok(f[3].err == HM_ERR_CONNECT && f[3].status == 0 && f[3].error != NULL, "d: refused");
	is_str(f[4].name, "hub", "the second hop named by its node name");
	ok(f[4].error == NULL && f[4].status == 200, "hub: listed");
}

static void test_registry(void)
{
	char *reg = xasprintf("http://127.0.0.1:%u/reg", port);
	struct cl_source src = { .registry = reg, .timeout_ms = 5000 };
	struct cl_listing l;
	char *cause = NULL;

	ok(cluster_list(&src, &l, &cause) == 0 && l.error == NULL, "registry walked");
	test_nodes(&l);
	test_frontends(&l);
	cluster_sort(&l);
	ok(l.nnodes == 4 && strcmp(l.nodes[0].name, "i1_worker2") == 0 &&
		   strcmp(l.nodes[1].name, "i1_worker10") == 0,
	   "sorted in natural order");
	cluster_listing_free(&l);
	free(reg);
	reg = xasprintf("http://127.0.0.1:%u/nope", port);
	src.registry = reg;
	ok(cluster_list(&src, &l, &cause) == 0, "an unreadable registry is not a usage error");
	ok(l.error != NULL && l.err == HM_OK && l.status == 404 && l.nnodes == 0,
	   "its failure and class kept");
	cluster_listing_free(&l);
	free(reg);
}

static void test_direct(void)
{
	struct cl_source src = { .url = "http://10.1.2.3:8123/" };
	struct cl_listing l;
	char *cause = NULL;

	ok(cluster_list(&src, &l, &cause) == 0 && l.nnodes == 1, "--url: one node");
	is_str(l.nodes[0].name, "http://10.1.2.3:8123/", "named as given");
	is_str(l.nodes[0].url, "http://10.1.2.3:8123", "reached without the trailing /");
	is_str(l.nodes[0].host, "10.1.2.3", "host from the URL");
	is_str(l.nodes[0].port, "8123", "port from the URL");
	ok(l.nodes[0].socket == NULL && l.nfrontends == 0, "no socket, no frontend");
	cluster_listing_free(&l);
	src = (struct cl_source){ .socket = "/run/x.sock", .url = "http://a" };
	ok(cluster_list(&src, &l, &cause) == 0 && l.nnodes == 1, "--socket: one node");
	is_str(l.nodes[0].socket, "/run/x.sock", "over its socket");
	is_str(l.nodes[0].url, "http://localhost", "at localhost");
	cluster_listing_free(&l);
	src = (struct cl_source){ 0 };
	ok(cluster_list(&src, &l, &cause) < 0 && cause != NULL, "nothing to list: an error");
	free(cause);
}

static void test_order(void)
{
	ok(cluster_name_cmp("i_worker2", "i_worker10") < 0, "worker2 before worker10");
	ok(cluster_name_cmp("i_worker10", "i_worker2") > 0, "and not after");
	ok(cluster_name_cmp("same", "same") == 0, "equal");
	ok(cluster_name_cmp("i10_worker0", "i9_worker0") > 0, "instances by number");
	ok(cluster_name_cmp("w007", "w7") == 0, "leading zeros do not count");
	ok(cluster_name_cmp("w0", "w00") == 0, "a zero is a zero");
	ok(cluster_name_cmp("i_scheduler", "i_worker0") < 0, "letters by byte");
	ok(cluster_name_cmp("abc", "abcd") < 0, "a prefix first");
}

int main(void)
{
	struct MHD_Daemon *d = start();

	no_plan();
	ok(d != NULL, "test server started");
	if (d != NULL) {
		test_registry();
		MHD_stop_daemon(d);
	}
	test_direct();
	test_order();
	return done_testing();
}
