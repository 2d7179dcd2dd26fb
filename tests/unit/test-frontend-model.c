/* The frontend's node model: parsing (ports as int or socket path, validation), the
 * /api/nodes and /api/proxies documents, name resolution and node management codes, and
 * the index of names that resolution uses. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"
#include "model.h"
#include "tap.h"
#include "xalloc.h"

static json_t *parse(const char *text)
{
	char *why = NULL;
	json_t *doc = json_parse_text(text, strlen(text), &why);

	if (doc == NULL) {
		printf("# bad test JSON: %s\n", why);
		exit(1);
	}
	return doc;
}

static char *dump(json_t *doc)
{
	char *s = json_dumps(doc, JSON_COMPACT | JSON_SORT_KEYS);

	json_decref(doc);
	return s;
}

/* Where a request for a name goes, as a URL, on test_nodes_flag's model (two leaves under local_proxy). */
static void test_targets(struct fe_model *m)
{
	struct fe_target t;
	char *s;

	ok(model_resolve_direct(m, "local_proxy", "a_worker0", &t) && strcmp(t.port, "7000") == 0 &&
		   t.via == NULL,
	   "two hops to a leaf this frontend reaches itself: the leaf directly");
	ok(!model_resolve_direct(m, "local_proxy", "nope", &t) &&
		   !model_resolve_direct(m, "other", "a_worker0", &t),
	   "two hops: an unknown leaf or proxy is not resolved directly");
	s = model_target_url(&t, "/version");
	is_str(s, "http://127.0.0.1:7000/version", "target URL over TCP");
	free(s);
	t = model_leaf_target(&m->proxies[0], 0);
	s = model_target_url(&t, "/metrics");
	is_str(s, "http://localhost/metrics", "target URL over a socket");
	free(s);
	t = (struct fe_target){ "h5", "8000", "i3_worker0", false };
	s = model_target_url(&t, "/version");
	is_str(s, "http://h5:8000/proxy2/i3_worker0/version", "target URL through a proxy");
	free(s);
}

static void test_proxies_doc(struct fe_model *m)
{
	char *s;

	m->proxies[0].port_text = true;
	s = dump(model_api_proxies(m));
	is_str(s, "{\"proxies\":[{\"host\":\"127.0.0.1\",\"name\":\"local_proxy\",\"port\":\"8000\"}]}",
	       "a supplied proxy's port is a string, as LMCache's");
	free(s);
	m->proxies[0].port_text = false;
	s = dump(model_api_proxies(m));
	is_str(s, "{\"proxies\":[{\"host\":\"127.0.0.1\",\"name\":\"local_proxy\",\"port\":8000}]}",
	       "/api/proxies document");
	free(s);
}

static void test_nodes_flag(void)
{
	json_t *doc = parse("[{\"name\":\"a_scheduler\",\"host\":\"localhost\",\"port\":\"/tmp/s_6999\"},"
			    "{\"name\":\"a_worker0\",\"host\":\"127.0.0.1\",\"port\":7000}]");
	struct fe_model m = { 0 };
	char *why = NULL, *s;

	is_int(model_from_nodes(doc, "127.0.0.1", 8000, &m, &why), 0, "--nodes parses");
	is_int(m.nproxies, 1, "wrapped in one proxy");
	is_str(m.proxies[0].name, "local_proxy", "named local_proxy");
	is_str(m.proxies[0].nodes[0].port, "/tmp/s_6999", "socket path kept as text");
	is_str(m.proxies[0].nodes[1].port, "7000", "int port kept as digits");
	s = dump(model_api_nodes(&m));
	is_str(s,
	       "{\"nodes\":[{\"children\":[{\"host\":\"localhost\",\"id\":\"node_a_scheduler\","
	       "\"is_proxy\":false,\"name\":\"a_scheduler\",\"port\":\"/tmp/s_6999\","
	       "\"proxy_id\":\"local_proxy\"},{\"host\":\"127.0.0.1\",\"id\":\"node_a_worker0\","
	       "\"is_proxy\":false,\"name\":\"a_worker0\",\"port\":7000,\"proxy_id\":\"local_proxy\"}],"
	       "\"host\":\"127.0.0.1\",\"id\":\"proxy_local_proxy\",\"is_proxy\":true,"
	       "\"name\":\"local_proxy\",\"port\":8000}]}",
	       "/api/nodes document: ports int or string, LMCache's ids and proxy ids");
	free(s);
	test_targets(&m);
	test_proxies_doc(&m);
	model_clear(&m);
	json_decref(doc);
}

static void expect_invalid(const char *text, const char *what)
{
	json_t *doc = parse(text);
	struct fe_model m = { 0 };
	char *why = NULL;

	ok(model_from_nodes(doc, "h", 1, &m, &why) < 0 && why != NULL, what);
	is_int(m.nproxies, 0, "nothing loaded on error");
	free(why);
	json_decref(doc);
}

static void test_invalid(void)
{
	expect_invalid("{\"name\":\"x\"}", "not a list");
	expect_invalid("[{\"host\":\"h\",\"port\":1}]", "missing name");
	expect_invalid("[{\"name\":\"a/b\",\"host\":\"h\",\"port\":1}]", "name with '/'");
	expect_invalid("[{\"name\":\"a\",\"host\":\"h\",\"port\":0}]", "port 0");
	expect_invalid("[{\"name\":\"a\",\"host\":\"h\",\"port\":70000}]", "port too large");
	expect_invalid("[{\"name\":\"a\",\"host\":\"h\",\"port\":\"abc\"}]", "port text not a path");
	expect_invalid("[{\"name\":\"a\",\"port\":1}]", "missing host");
	expect_invalid("[{\"name\":\"a\",\"host\":\"h\",\"port\":1,\"scheme\":\"ftp\"}]",
		       "a scheme other than http or https");
	expect_invalid("[{\"name\":\"a\",\"host\":\"h\",\"port\":1,\"scheme\":1}]",
		       "a scheme that is not a string");
	expect_invalid("[{\"name\":\"a\",\"host\":\"h\",\"port\":1},{\"name\":\"a\",\"host\":\"h\",\"port\":2}]",
		       "duplicate name");
}

static void load(struct fe_model *m)
{
	json_t *doc = parse("{\"proxies\":[{\"name\":\"p1\",\"host\":\"10.0.0.1\",\"port\":8000,\"nodes\":["
			    "{\"name\":\"n1\",\"host\":\"localhost\",\"port\":\"/s/1\"},"
			    "{\"name\":\"n2\",\"host\":\"10.0.0.1\",\"port\":7000}]},"
			    "{\"name\":\"p2\",\"host\":\"10.0.0.2\",\"port\":\"8000\"}]}");
	char *why = NULL;

	if (model_parse_proxies(doc, m, &why) < 0)
		printf("# %s\n", why);
	json_decref(doc);
}

static void test_resolve(void)
{
	struct fe_model m = { 0 };
	struct fe_target t;

	load(&m);
	is_int(m.nproxies, 2, "config: two proxies");
	is_int(model_count_leaves(&m), 2, "config: two leaves");
	ok(model_resolve(&m, "p2", &t) && strcmp(t.host, "10.0.0.2") == 0 && t.via == NULL,
	   "a proxy resolves to its own address (two-hop)");
	ok(model_resolve(&m, "n1", &t) && strcmp(t.port, "/s/1") == 0, "a leaf resolves");
	ok(!model_resolve(&m, "nope", &t), "unknown name");
	m.proxies[0].nodes[1].via_proxy = true; /* by hand: the index is made again */
	model_index(&m);
	ok(model_resolve(&m, "n2", &t) && strcmp(t.port, "8000") == 0 && strcmp(t.via, "n2") == 0,
	   "a leaf learnt from a proxy goes through it");
	ok(model_registered(&m, "whatever", "/s/1", NULL), "socket registered whatever the host");
	ok(!model_registered(&m, "localhost", "/etc/passwd", NULL), "other socket refused");
	ok(model_registered(&m, "10.0.0.2", "8000", NULL), "proxy address registered");
	ok(!model_registered(&m, "10.0.0.1", "7000", NULL), "a leaf reached through a proxy is not direct");
	ok(!model_registered(&m, "10.0.0.3", "8000", NULL), "other host refused");
	model_clear(&m);
}

/* "scheme": "https" (our extension): parsed, listed, followed by targets and URLs. */
static void test_https(void)
{
	json_t *doc = parse("{\"proxies\":[{\"name\":\"p\",\"host\":\"h\",\"port\":8443,"
			    "\"scheme\":\"https\",\"nodes\":[{\"name\":\"via\",\"host\":\"x\","
			    "\"port\":1},{\"name\":\"tls\",\"host\":\"n\",\"port\":7000,"
			    "\"scheme\":\"HTTPS\"},{\"name\":\"plain\",\"host\":\"n\",\"port\":7001,"
			    "\"scheme\":\"http\"}]}]}");
	struct fe_model m = { 0 };
	struct fe_target t;
	char *why = NULL, *s;
	bool https = false;

	is_int(model_parse_proxies(doc, &m, &why), 0, "a proxy and a node with scheme https");
	json_decref(doc);
	m.proxies[0].nodes[0].via_proxy = true; /* by hand: the index is made again */
	model_index(&m);
	ok(model_resolve(&m, "p", &t) && t.https, "the proxy is https");
	s = model_target_url(&t, "/api/nodes");
	is_str(s, "https://h:8443/api/nodes", "its URL");
	free(s);
	ok(model_resolve(&m, "via", &t) && t.https, "a leaf through an https proxy goes by https");
	ok(model_resolve(&m, "tls", &t) && t.https, "an https leaf, any case");
	ok(model_resolve(&m, "plain", &t) && !t.https, "an http leaf");
	ok(model_registered(&m, "n", "7000", &https) && https, "/proxy to an https node");
	ok(model_registered(&m, "n", "7001", &https) && !https, "/proxy to an http node");
	s = dump(model_api_proxies(&m));
	is_str(s, "{\"proxies\":[{\"host\":\"h\",\"name\":\"p\",\"port\":8443,\"scheme\":\"https\"}]}",
	       "/api/proxies shows scheme https");
	free(s);
	s = dump(model_node_json(&m.proxies[0].nodes[2]));
	is_str(s, "{\"host\":\"n\",\"name\":\"plain\",\"port\":7001}",
	       "an http node keeps LMCache's shape");
	free(s);
	model_clear(&m);
}

/* An error code from a model call; its message is dropped. */
static void is_code(int got, int want, char **why, const char *name)
{
	is_int(got, want, name);
	free(*why);
	*why = NULL;
}

static void test_manage_add(struct fe_model *m)
{
	json_t *doc = parse("{\"name\":\"p2\",\"host\":\"h\",\"port\":1}");
	struct fe_node n;
	struct fe_proxy p;
	char *why = NULL;

	model_proxy_parse(doc, &p, &why);
	is_code(model_add_proxy(m, &p, &why), 409, &why, "duplicate proxy: 409");
	model_proxy_clear(&p);
	json_decref(doc);
	doc = parse("{\"name\":\"n1\",\"host\":\"h\",\"port\":1}");
	model_node_parse(doc, &n, &why);
	is_code(model_add_node(m, "p1", &n, &why), 409, &why, "duplicate node: 409");
	is_code(model_add_node(m, "p9", &n, &why), 404, &why, "unknown proxy: 404");
	is_int(model_add_node(m, "p2", &n, &why), 0, "node added");
	is_int(m->proxies[1].nnodes, 1, "p2 has the node");
	json_decref(doc);
}

static void test_manage_update(struct fe_model *m)
{
	json_t *doc = parse("{\"name\":\"p1\",\"host\":\"10.9.9.9\",\"port\":9000}");
	char *why = NULL;

	is_int(model_update(m, "p1", doc, &why), 0, "proxy updated");
	is_int(m->proxies[0].nnodes, 2, "update without nodes keeps the leaves");
	is_str(m->proxies[0].host, "10.9.9.9", "new host");
	json_decref(doc);
	doc = parse("{\"host\":\"x\"}");
	is_code(model_update(m, "n2", doc, &why), 400, &why, "invalid update: 400");
	json_decref(doc);
	doc = parse("{\"name\":\"n2\",\"host\":\"x\",\"port\":1}");
	is_code(model_update(m, "zz", doc, &why), 404, &why, "unknown update: 404");
	json_decref(doc);
}

static void test_manage(void)
{
	struct fe_model m = { 0 };
	char *why = NULL;

	load(&m);
	test_manage_add(&m);
	test_manage_update(&m);
	is_int(model_delete(&m, "n1", &why), 0, "leaf deleted (p1)");
	is_int(model_delete(&m, "n1", &why), 0, "same name under p2 deleted next");
	is_code(model_delete(&m, "n1", &why), 404, &why, "deleted again: 404");
	is_int(model_delete(&m, "p2", &why), 0, "proxy deleted");
	is_int(m.nproxies, 1, "one proxy left");
	model_clear(&m);
}

/* Leaf (or proxy) name resolves to port (NULL: does not resolve). */
static void resolves(const struct fe_model *m, const char *name, const char *port,
		     const char *what)
{
	struct fe_target t;
	bool found = model_resolve(m, name, &t);

	if (port == NULL)
		ok(!found, what);
	else
		ok(found && strcmp(t.port, port) == 0, what);
}

/* 64 proxies of 64 leaves, leaf k of proxy i on socket /s/<i>/<k>, as a supplier builds it. */
static void load_many(struct fe_model *m)
{
	char *why = NULL;

	for (int i = 0; i < 64; i++) {
		struct fe_proxy p = { xasprintf("p%d", i), xstrdup("h"), xasprintf("%d", 8000 + i),
				      NULL, 0, false, false };
		if (model_add_proxy(m, &p, &why) != 0)
			exit(1);
		for (int k = 0; k < 64; k++) {
			struct fe_node n = { xasprintf("w%d_%d", i, k), xstrdup("localhost"),
					     xasprintf("/s/%d/%d", i, k), NULL, false, false };

			if (model_add_node(m, m->proxies[i].name, &n, &why) != 0)
				exit(1);
		}
	}
}

/* After every kind of change the index answers as a search of the proxies would. */
static void test_index_changes(struct fe_model *m)
{
	struct fe_node dup = { xstrdup("w9_9"), xstrdup("localhost"), xstrdup("/s/dup"), NULL,
			       false, false };
	json_t *rename = parse("{\"name\":\"renamed\",\"host\":\"localhost\",\"port\":\"/s/r\"}");
	char *why = NULL;

	struct fe_node same = { xstrdup("same"), xstrdup("localhost"), xstrdup("/s/9/8"), NULL,
				false, true };
	bool https = false;

	is_int(model_add_node(m, "p3", &same, &why), 0, "a leaf at the address of a later one");
	ok(model_registered(m, "x", "/s/9/8", &https) && https, "the first one's address answers");
	is_int(model_add_node(m, "p3", &dup, &why), 0, "a leaf named as one of a later proxy");
	resolves(m, "w9_9", "/s/dup", "the first proxy's leaf of that name answers");
	is_int(model_delete(m, "w9_9", &why), 0, "deleted (the first one)");
	resolves(m, "w9_9", "/s/9/9", "the later one answers again");
	is_int(model_delete(m, "p0", &why), 0, "the first proxy deleted: the others move up");
	resolves(m, "w0_5", NULL, "its leaves are gone");
	resolves(m, "w63_63", "/s/63/63", "the last proxy's leaves still resolve");
	resolves(m, "p1", "8001", "and the proxies");
	is_int(model_update(m, "w5_5", rename, &why), 0, "a leaf renamed");
	resolves(m, "w5_5", NULL, "its old name is gone");
	resolves(m, "renamed", "/s/r", "its new name resolves");
	json_decref(rename);
}

/* The index (model-index.c): every one of 4,096 leaves found, the two-hop path, the index
 * moved and freed with its model. */
static void test_index(void)
{
	struct fe_model m = { 0 }, moved = { 0 };
	struct fe_target t;
	int good = 0;

	load_many(&m);
	ok(model_indexed(&m), "a model built with model_add_* is indexed");
	for (int i = 0; i < 64; i++)
		for (int k = 0; k < 64; k++) {
			char *name = xasprintf("w%d_%d", i, k), *port = xasprintf("/s/%d/%d", i, k);

			good += model_resolve(&m, name, &t) && strcmp(t.port, port) == 0;
			free(name);
			free(port);
		}
	is_int(good, 4096, "each of 4,096 leaves resolves to its own socket");
	resolves(&m, "p63", "8063", "a proxy resolves");
	resolves(&m, "w64_0", NULL, "an unknown name does not");
	test_index_changes(&m);
	ok(model_resolve_direct(&m, "p7", "w7_7", &t) && strcmp(t.port, "/s/7/7") == 0,
	   "a leaf under its proxy (LMCache's two-hop path)");
	ok(model_registered(&m, "elsewhere", "/s/40/40", NULL), "a leaf's socket is registered");
	ok(model_registered(&m, "h", "8010", NULL), "a proxy's address is");
	ok(!model_registered(&m, "h", "8000", NULL), "the deleted proxy's is not");
	ok(!model_registered(&m, "localhost", "/s/0/1", NULL), "nor its leaves'");
	ok(model_registered(&m, "x", "/s/r", NULL), "a renamed leaf's socket is");
	ok(!model_resolve_direct(&m, "p7", "w8_8", &t), "not under another proxy");
	model_move(&moved, &m);
	ok(model_indexed(&moved) && !model_indexed(&m), "the index moves with the model");
	resolves(&moved, "w30_30", "/s/30/30", "and answers there");
	model_clear(&moved);
	ok(!model_indexed(&moved), "cleared: no index");
}

int main(void)
{
	no_plan();
	test_nodes_flag();
	test_invalid();
	test_resolve();
	test_https();
	test_manage();
	test_index();
	return done_testing();
}
