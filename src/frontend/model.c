/* Parsing, printing and editing the node model. */
#include "config.h"
#include "model.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "xalloc.h"

bool model_port_is_socket(const char *port)
{
	return strchr(port, '/') != NULL;
}

static bool port_number_ok(const char *s)
{
	char *end;
	long v;

	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	v = strtol(s, &end, 10);
	return errno == 0 && *end == '\0' && v > 0 && v <= 65535;
}

/* The port member as text, or NULL when it is neither a valid number nor a socket path. */
static char *port_text(const json_t *v)
{
	if (json_is_integer(v) && json_integer_value(v) > 0 && json_integer_value(v) <= 65535)
		return xasprintf("%lld", (long long)json_integer_value(v));
	if (!json_is_string(v))
		return NULL;
	if (model_port_is_socket(json_string_value(v)) || port_number_ok(json_string_value(v)))
		return xstrdup(json_string_value(v));
	return NULL;
}

/* A name travels as one path segment of /proxy2/<name>/, so it may not hold '/'. */
static const char *name_member(const json_t *obj, char **cause)
{
	const json_t *v = json_object_get(obj, "name");

	if (!json_is_string(v) || json_string_length(v) == 0) {
		*cause = xstrdup("\"name\" must be a non-empty string");
		return NULL;
	}
	if (strchr(json_string_value(v), '/') != NULL) {
		*cause = xstrdup("\"name\" may not contain '/'");
		return NULL;
	}
	return json_string_value(v);
}

/* "scheme": "http" (the default) or "https", our extension. */
static int scheme_member(const json_t *obj, const char *name, bool *https, char **cause)
{
	const json_t *v = json_object_get(obj, "scheme");
	const char *s = json_string_value(v);

	*https = s != NULL && strcasecmp(s, "https") == 0;
	if (v == NULL || json_is_null(v) || *https || (s && strcasecmp(s, "http") == 0))
		return 0;
	*cause = xasprintf("node %s: \"scheme\" must be \"http\" or \"https\"", name);
	return -1;
}

int model_node_parse(const json_t *obj, struct fe_node *out, char **cause)
{
	const json_t *host, *pid;
	const char *name;
	char *port;

	memset(out, 0, sizeof(*out));
	if (!json_is_object(obj)) {
		*cause = xstrdup("a node must be a JSON object");
		return -1;
	}
	if ((name = name_member(obj, cause)) == NULL)
		return -1;
	host = json_object_get(obj, "host");
	if (!json_is_string(host) || json_string_length(host) == 0) {
		*cause = xasprintf("node %s: \"host\" must be a non-empty string", name);
		return -1;
	}
	if ((port = port_text(json_object_get(obj, "port"))) == NULL) {
		*cause = xasprintf("node %s: \"port\" must be a port number or a socket path", name);
		return -1;
	}
	if (scheme_member(obj, name, &out->https, cause) < 0) {
		free(port);
		return -1;
	}
	out->name = xstrdup(name);
	out->host = xstrdup(json_string_value(host));
	out->port = port;
	pid = json_object_get(obj, "proxy_id");
	out->proxy_id = json_is_string(pid) ? xstrdup(json_string_value(pid)) : NULL;
	return 0;
}

void model_node_clear(struct fe_node *n)
{
	free(n->name);
	free(n->host);
	free(n->port);
	free(n->proxy_id);
	memset(n, 0, sizeof(*n));
}

void model_proxy_clear(struct fe_proxy *p)
{
	for (size_t i = 0; i < p->nnodes; i++)
		model_node_clear(&p->nodes[i]);
	free(p->nodes);
	free(p->name);
	free(p->host);
	free(p->port);
	memset(p, 0, sizeof(*p));
}

void model_clear(struct fe_model *m)
{
	for (size_t i = 0; i < m->nproxies; i++)
		model_proxy_clear(&m->proxies[i]);
	free(m->proxies);
	m->proxies = NULL;
	m->nproxies = 0;
	model_index_free(m);
}

/* The model that serves requests is always moved into place: it gets its index here. */
void model_move(struct fe_model *dst, struct fe_model *src)
{
	model_clear(dst);
	*dst = *src;
	*src = (struct fe_model){ 0 };
	model_index(dst);
}

static bool has_leaf(const struct fe_proxy *p, const char *name)
{
	for (size_t i = 0; i < p->nnodes; i++)
		if (strcmp(p->nodes[i].name, name) == 0)
			return true;
	return false;
}

static void push_node(struct fe_proxy *p, struct fe_node *n)
{
	p->nodes = xreallocarray(p->nodes, p->nnodes + 1, sizeof(*p->nodes));
	p->nodes[p->nnodes++] = *n;
	memset(n, 0, sizeof(*n));
}

/* Leaves of a list into p; a duplicate name is an error (found with a map of the names:
 * comparing each with all before it took 1.8 s for 32,768 leaves). */
static int parse_leaves(const json_t *list, struct fe_proxy *p, char **cause)
{
	struct prom_map seen;
	const json_t *v;
	struct fe_node n;
	size_t i;
	int rc = 0;

	if (!json_is_array(list)) {
		*cause = xasprintf("proxy %s: \"nodes\" must be a list", p->name);
		return -1;
	}
	prom_map_init(&seen, json_array_size(list) + 1);
	json_array_foreach(list, i, v) {
		if ((rc = model_node_parse(v, &n, cause)) < 0)
			break;
		if (prom_map_get(&seen, n.name) != (size_t)-1) {
			*cause = xasprintf("proxy %s: duplicate node name %s", p->name, n.name);
			model_node_clear(&n);
			rc = -1;
			break;
		}
		push_node(p, &n);
		prom_map_put(&seen, p->nodes[p->nnodes - 1].name, i);
	}
	prom_map_free(&seen);
	return rc;
}

int model_proxy_parse(const json_t *obj, struct fe_proxy *out, char **cause)
{
	struct fe_node self;
	const json_t *list;

	memset(out, 0, sizeof(*out));
	if (model_node_parse(obj, &self, cause) < 0)
		return -1;
	out->name = self.name;
	out->host = self.host;
	out->port = self.port;
	out->https = self.https;
	free(self.proxy_id);
	list = json_object_get(obj, "nodes");
	if (list == NULL)
		list = json_object_get(obj, "children"); /* our own /api/nodes, read back */
	if (list != NULL && parse_leaves(list, out, cause) < 0) {
		model_proxy_clear(out);
		return -1;
	}
	return 0;
}

static void push_proxy(struct fe_model *m, struct fe_proxy *p)
{
	m->proxies = xreallocarray(m->proxies, m->nproxies + 1, sizeof(*m->proxies));
	m->proxies[m->nproxies++] = *p;
	memset(p, 0, sizeof(*p));
}

/* A list of proxies, or an object holding one under "proxies" or "nodes". */
int model_parse_proxies(const json_t *doc, struct fe_model *m, char **cause)
{
	struct fe_model tmp = { 0 };
	struct fe_proxy p;
	const json_t *v;
	size_t i;

	if (json_is_object(doc))
		doc = json_object_get(doc, "proxies") ? json_object_get(doc, "proxies")
						       : json_object_get(doc, "nodes");
	if (!json_is_array(doc)) {
		*cause = xstrdup("expected a JSON list of proxies");
		return -1;
	}
	json_array_foreach(doc, i, v) {
		if (model_proxy_parse(v, &p, cause) < 0)
			goto fail;
		if (model_add_proxy(&tmp, &p, cause) != 0) {
			model_proxy_clear(&p);
			goto fail;
		}
	}
	model_move(m, &tmp);
	return 0;
fail:
	model_clear(&tmp);
	return -1;
}

int model_from_nodes(const json_t *doc, const char *host, int port, struct fe_model *m,
		     char **cause)
{
	struct fe_proxy p = { xstrdup("local_proxy"), xstrdup(host), xasprintf("%d", port),
			      NULL, 0, false, false };
	struct fe_model tmp = { 0 };

	if (parse_leaves(doc, &p, cause) < 0) {
		model_proxy_clear(&p);
		return -1;
	}
	push_proxy(&tmp, &p);
	model_move(m, &tmp);
	return 0;
}

json_t *model_port_json(const char *port)
{
	if (port_number_ok(port))
		return json_integer(strtol(port, NULL, 10));
	return json_string(port);
}

json_t *model_node_json(const struct fe_node *n)
{
	json_t *o = json_pack("{s:s, s:s, s:o}", "name", n->name, "host", n->host, "port",
			      model_port_json(n->port));

	if (n->proxy_id != NULL)
		json_object_set_new(o, "proxy_id", json_string(n->proxy_id));
	if (n->https) /* LMCache's shape for plain HTTP */
		json_object_set_new(o, "scheme", json_string("https"));
	return o;
}

/* Ids and proxy_id as LMCache's get_all_nodes: "proxy_<proxy name>", "node_<node name>",
 * proxy_id the name of the proxy listing the node. */
static json_t *child_json(const struct fe_node *n, const char *proxy)
{
	json_t *o = model_node_json(n);
	char *s = xasprintf("node_%s", n->name);

	json_object_set_new(o, "id", json_string(s));
	json_object_set_new(o, "is_proxy", json_false());
	json_object_set_new(o, "proxy_id", json_string(proxy));
	free(s);
	return o;
}

static json_t *proxy_port_json(const struct fe_proxy *p)
{
	return p->port_text ? json_string(p->port) : model_port_json(p->port);
}

/* A proxy's {"name", "host", "port"}, and "scheme" when it is https. */
static json_t *proxy_json(const struct fe_proxy *p)
{
	json_t *o = json_pack("{s:s, s:s, s:o}", "name", p->name, "host", p->host, "port",
			      proxy_port_json(p));

	if (p->https)
		json_object_set_new(o, "scheme", json_string("https"));
	return o;
}

json_t *model_api_nodes(const struct fe_model *m)
{
	json_t *list = json_array(), *o, *children;
	char *id;

	for (size_t i = 0; i < m->nproxies; i++) {
		const struct fe_proxy *p = &m->proxies[i];

		id = xasprintf("proxy_%s", p->name);
		o = proxy_json(p);
		json_object_set_new(o, "id", json_string(id));
		json_object_set_new(o, "is_proxy", json_true());
		free(id);
		children = json_array();
		for (size_t j = 0; j < p->nnodes; j++)
			json_array_append_new(children, child_json(&p->nodes[j], p->name));
		json_object_set_new(o, "children", children);
		json_array_append_new(list, o);
	}
	return json_pack("{s:o}", "nodes", list);
}

json_t *model_api_proxies(const struct fe_model *m)
{
	json_t *list = json_array();

	for (size_t i = 0; i < m->nproxies; i++)
		json_array_append_new(list, proxy_json(&m->proxies[i]));
	return json_pack("{s:o}", "proxies", list);
}

struct fe_proxy *model_find_proxy(const struct fe_model *m, const char *name)
{
	if (model_indexed(m))
		return model_index_find_proxy(m, name);
	for (size_t i = 0; i < m->nproxies; i++)
		if (strcmp(m->proxies[i].name, name) == 0)
			return &m->proxies[i];
	return NULL;
}

/* The leaf called name, and its proxy in *owner. */
static struct fe_node *find_leaf(const struct fe_model *m, const char *name,
				 struct fe_proxy **owner)
{
	if (model_indexed(m))
		return model_index_find_leaf(m, name, owner);
	for (size_t i = 0; i < m->nproxies; i++)
		for (size_t j = 0; j < m->proxies[i].nnodes; j++)
			if (strcmp(m->proxies[i].nodes[j].name, name) == 0) {
				*owner = &m->proxies[i];
				return &m->proxies[i].nodes[j];
			}
	return NULL;
}

bool model_resolve(const struct fe_model *m, const char *name, struct fe_target *t)
{
	struct fe_proxy *p = model_find_proxy(m, name);
	struct fe_node *n;

	if (p != NULL) {
		*t = (struct fe_target){ p->host, p->port, NULL, p->https };
		return true;
	}
	if ((n = find_leaf(m, name, &p)) == NULL)
		return false;
	*t = model_leaf_target(p, (size_t)(n - p->nodes));
	return true;
}

bool model_resolve_direct(const struct fe_model *m, const char *proxy, const char *leaf,
			  struct fe_target *t)
{
	const struct fe_proxy *p = model_find_proxy(m, proxy);
	struct fe_proxy *owner = NULL;
	const struct fe_node *n = p != NULL ? find_leaf(m, leaf, &owner) : NULL;

	if (n != NULL && owner == p && !n->via_proxy) { /* the usual case: one of that name */
		*t = model_leaf_target(p, (size_t)(n - p->nodes));
		return true;
	}
	for (size_t j = 0; p != NULL && j < p->nnodes; j++)
		if (!p->nodes[j].via_proxy && strcmp(p->nodes[j].name, leaf) == 0) {
			*t = model_leaf_target(p, j);
			return true;
		}
	return false;
}

struct fe_target model_leaf_target(const struct fe_proxy *p, size_t j)
{
	const struct fe_node *n = &p->nodes[j];

	if (n->via_proxy)
		return (struct fe_target){ p->host, p->port, n->name, p->https };
	return (struct fe_target){ n->host, n->port, NULL, n->https };
}

char *model_target_url(const struct fe_target *t, const char *path)
{
	const char *pre = t->via ? "/proxy2/" : "", *leaf = t->via ? t->via : "";
	const char *sch = t->https ? "https" : "http";

	if (model_port_is_socket(t->port))
		return xasprintf("%s://localhost%s%s%s", sch, pre, leaf, path);
	if (strchr(t->host, ':') != NULL)
		return xasprintf("%s://[%s]:%s%s%s%s", sch, t->host, t->port, pre, leaf, path);
	return xasprintf("%s://%s:%s%s%s%s", sch, t->host, t->port, pre, leaf, path);
}

/* A socket path is one address whatever the host; a TCP address needs both to match. */
static bool same_address(const char *h1, const char *p1, const char *h2, const char *p2)
{
	if (strcmp(p1, p2) != 0)
		return false;
	return model_port_is_socket(p1) || strcmp(h1, h2) == 0;
}

bool model_registered(const struct fe_model *m, const char *host, const char *port,
		      bool *https)
{
	bool dummy;

	https = https ? https : &dummy;
	if (model_indexed(m))
		return model_index_find_address(m, host, port, https);
	for (size_t i = 0; i < m->nproxies; i++) {
		const struct fe_proxy *p = &m->proxies[i];

		if (same_address(p->host, p->port, host, port)) {
			*https = p->https;
			return true;
		}
		for (size_t j = 0; j < p->nnodes; j++)
			if (!p->nodes[j].via_proxy &&
			    same_address(p->nodes[j].host, p->nodes[j].port, host, port)) {
				*https = p->nodes[j].https;
				return true;
			}
	}
	return false;
}

size_t model_count_leaves(const struct fe_model *m)
{
	size_t n = 0;

	for (size_t i = 0; i < m->nproxies; i++)
		n += m->proxies[i].nnodes;
	return n;
}

int model_add_proxy(struct fe_model *m, struct fe_proxy *p, char **cause)
{
	if (!model_indexed(m))
		model_index(m);
	if (model_find_proxy(m, p->name) != NULL) {
		*cause = xasprintf("Proxy name already exists: %s", p->name);
		return 409;
	}
	push_proxy(m, p);
	model_index_proxy(m, m->nproxies - 1);
	return 0;
}

int model_add_node(struct fe_model *m, const char *proxy, struct fe_node *n, char **cause)
{
	struct fe_proxy *p, *owner = NULL;

	if (!model_indexed(m))
		model_index(m);
	p = model_find_proxy(m, proxy);

	if (p == NULL) {
		*cause = xasprintf("Proxy not found: %s", proxy);
		return 404;
	}
	/* the index has the first leaf of that name: p's, another proxy's (then p is searched),
	 * or none */
	if (model_index_find_leaf(m, n->name, &owner) != NULL &&
	    (owner == p || has_leaf(p, n->name))) {
		*cause = xasprintf("Node name already exists: %s", n->name);
		return 409;
	}
	push_node(p, n);
	model_index_leaf(m, (size_t)(p - m->proxies), p->nnodes - 1);
	return 0;
}

/* A proxy keeps its leaves unless the update brings a "nodes" list. */
static int update_proxy(struct fe_model *m, struct fe_proxy *p, const json_t *obj, char **cause)
{
	struct fe_proxy np;

	if (model_proxy_parse(obj, &np, cause) < 0)
		return 400;
	if (strcmp(np.name, p->name) != 0 && model_find_proxy(m, np.name) != NULL) {
		*cause = xasprintf("Proxy name already exists: %s", np.name);
		model_proxy_clear(&np);
		return 409;
	}
	if (json_object_get(obj, "nodes") == NULL && json_object_get(obj, "children") == NULL) {
		np.nodes = p->nodes;
		np.nnodes = p->nnodes;
		p->nodes = NULL;
		p->nnodes = 0;
	}
	model_proxy_clear(p);
	*p = np;
	return 0;
}

static int update_leaf(struct fe_proxy *p, struct fe_node *n, const json_t *obj, char **cause)
{
	struct fe_node nn;

	if (model_node_parse(obj, &nn, cause) < 0)
		return 400;
	if (strcmp(nn.name, n->name) != 0 && has_leaf(p, nn.name)) {
		*cause = xasprintf("Node name already exists: %s", nn.name);
		model_node_clear(&nn);
		return 409;
	}
	nn.via_proxy = n->via_proxy;
	model_node_clear(n);
	*n = nn;
	return 0;
}

static int update(struct fe_model *m, const char *name, const json_t *obj, char **cause)
{
	struct fe_proxy *p = model_find_proxy(m, name);
	struct fe_node *n;
	struct fe_node check;

	if (model_node_parse(obj, &check, cause) < 0)
		return 400;
	model_node_clear(&check);
	if (p != NULL)
		return update_proxy(m, p, obj, cause);
	if ((n = find_leaf(m, name, &p)) != NULL)
		return update_leaf(p, n, obj, cause);
	*cause = xasprintf("Node not found: %s", name);
	return 404;
}

static int delete(struct fe_model *m, const char *name, char **cause)
{
	struct fe_proxy *p = model_find_proxy(m, name);
	struct fe_node *n;
	size_t i;

	if (p != NULL) {
		i = (size_t)(p - m->proxies);
		model_proxy_clear(p);
		memmove(p, p + 1, (m->nproxies - i - 1) * sizeof(*p));
		m->nproxies--;
		return 0;
	}
	if ((n = find_leaf(m, name, &p)) == NULL) {
		*cause = xasprintf("Node not found: %s", name);
		return 404;
	}
	i = (size_t)(n - p->nodes);
	model_node_clear(n);
	memmove(n, n + 1, (p->nnodes - i - 1) * sizeof(*n));
	p->nnodes--;
	return 0;
}

/* An update or a deletion moves or frees names: the index is made again. */
int model_update(struct fe_model *m, const char *name, const json_t *obj, char **cause)
{
	int status = update(m, name, obj, cause);

	if (status == 0 && model_indexed(m))
		model_index(m);
	return status;
}

int model_delete(struct fe_model *m, const char *name, char **cause)
{
	int status = delete(m, name, cause);

	if (status == 0 && model_indexed(m))
		model_index(m);
	return status;
}
