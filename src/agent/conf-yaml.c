/*
 * An LMCache YAML config file as staged values: the top level is a map of keys; a scalar
 * takes the type of its registered key, nested maps and lists become JSON values, and a key
 * nobody registered keeps a type guessed from YAML (quoted scalars are strings). Errors
 * name the key and file:line.
 */
#include "config.h"
#include "conf.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Bounds that keep a hostile file (deep nesting, alias expansion) from eating the host. */
#define YAML_MAX_DEPTH 64
#define YAML_MAX_VALUES 100000

struct yaml_ctx {
	yaml_document_t *doc;
	const char *path;
	size_t values;
	char *error; /* first error, with its location */
};

static const char *scalar_text(const yaml_node_t *node)
{
	return (const char *)node->data.scalar.value;
}

static bool plain(const yaml_node_t *node)
{
	return node->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
}

/* Records the first error as "file:line: what". */
static void fail(struct yaml_ctx *c, const yaml_node_t *node, const char *what)
{
	if (c->error == NULL)
		c->error = xasprintf("%s:%zu: %s", c->path, node->start_mark.line + 1, what);
}

static json_t *to_json(struct yaml_ctx *c, yaml_node_t *node, int depth);

static json_t *seq_to_json(struct yaml_ctx *c, yaml_node_t *node, int depth)
{
	json_t *arr = json_array(), *v;

	for (yaml_node_item_t *it = node->data.sequence.items.start;
	     it < node->data.sequence.items.top; it++) {
		if ((v = to_json(c, yaml_document_get_node(c->doc, *it), depth + 1)) == NULL) {
			json_decref(arr);
			return NULL;
		}
		json_array_append_new(arr, v);
	}
	return arr;
}

static json_t *map_to_json(struct yaml_ctx *c, yaml_node_t *node, int depth)
{
	json_t *obj = json_object(), *v;
	yaml_node_t *k;

	for (yaml_node_pair_t *p = node->data.mapping.pairs.start;
	     p < node->data.mapping.pairs.top; p++) {
		k = yaml_document_get_node(c->doc, p->key);
		if (k->type != YAML_SCALAR_NODE) {
			fail(c, k, "a map key must be a scalar");
			json_decref(obj);
			return NULL;
		}
		if ((v = to_json(c, yaml_document_get_node(c->doc, p->value), depth + 1)) == NULL) {
			json_decref(obj);
			return NULL;
		}
		json_object_set_new(obj, scalar_text(k), v);
	}
	return obj;
}

static json_t *to_json(struct yaml_ctx *c, yaml_node_t *node, int depth)
{
	if (depth > YAML_MAX_DEPTH || ++c->values > YAML_MAX_VALUES) {
		fail(c, node, "nesting too deep or too many values");
		return NULL;
	}
	switch (node->type) {
	case YAML_SCALAR_NODE:
		return plain(node) ? conf_guess_scalar(scalar_text(node))
		                   : json_string(scalar_text(node));
	case YAML_SEQUENCE_NODE:
		return seq_to_json(c, node, depth);
	case YAML_MAPPING_NODE:
		return map_to_json(c, node, depth);
	default:
		fail(c, node, "empty YAML node");
		return NULL;
	}
}

static bool is_null_scalar(const yaml_node_t *node)
{
	const char *t;

	if (node->type != YAML_SCALAR_NODE || !plain(node))
		return false;
	t = scalar_text(node);
	return *t == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
	       strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

/* The value of one top-level key: typed by its registration, guessed otherwise. */
static json_t *key_value(struct yaml_ctx *c, const char *key, struct conf_key_info info,
                         yaml_node_t *node)
{
	json_t *raw, *v;
	char *why = NULL;

	if (is_null_scalar(node))
		return json_null();
	if (info.known && node->type == YAML_SCALAR_NODE && info.type != LMCA_CONF_LIST &&
	    info.type != LMCA_CONF_MAP)
		v = conf_value_from_text(info.type, scalar_text(node), false, &why);
	else if ((raw = to_json(c, node, 1)) == NULL)
		return NULL;
	else {
		v = info.known ? conf_coerce(info.type, raw, &why) : json_incref(raw);
		json_decref(raw);
	}
	if (v == NULL && why != NULL) {
		char *what = xasprintf("config key %s: %s", key, why);

		fail(c, node, what);
		free(what);
		free(why);
	}
	return v;
}

static int stage_pair(struct yaml_ctx *c, const lmca_agent *agent, yaml_node_pair_t *p,
                      struct conf_staged **st, size_t *n)
{
	yaml_node_t *k = yaml_document_get_node(c->doc, p->key);
	yaml_node_t *vn = yaml_document_get_node(c->doc, p->value);
	struct conf_key_info info;
	const char *key;
	json_t *v;

	if (k->type != YAML_SCALAR_NODE) {
		fail(c, k, "a config key must be a scalar");
		return -1;
	}
	key = conf_canonical(scalar_text(k));
	info = conf_key_lookup(agent, key);
	if ((v = key_value(c, key, info, vn)) == NULL)
		return -1;
	*st = xreallocarray(*st, *n + 1, sizeof **st);
	(*st)[*n].key = xstrdup(key);
	(*st)[*n].value = v;
	(*st)[*n].origin = xasprintf("%s:%zu", c->path, k->start_mark.line + 1);
	(*st)[*n].known = info.known;
	(*n)++;
	return 0;
}

static int stage_root(struct yaml_ctx *c, const lmca_agent *agent, struct conf_staged **st,
                      size_t *n)
{
	yaml_node_t *root = yaml_document_get_root_node(c->doc);

	if (root == NULL || is_null_scalar(root))
		return 0; /* an empty file sets nothing */
	if (root->type != YAML_MAPPING_NODE) {
		fail(c, root, "the top level must be a map of config keys");
		return -1;
	}
	for (yaml_node_pair_t *p = root->data.mapping.pairs.start;
	     p < root->data.mapping.pairs.top; p++)
		if (stage_pair(c, agent, p, st, n) < 0)
			return -1;
	return 0;
}

static int load_document(FILE *f, const char *path, yaml_document_t *doc, char **cause)
{
	yaml_parser_t parser;
	int rc = 0;

	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, doc)) {
		if (cause)
			*cause = xasprintf("%s:%zu: invalid YAML: %s%s%s", path,
			                   parser.problem_mark.line + 1,
			                   parser.problem ? parser.problem : "parse error",
			                   parser.context ? " " : "",
			                   parser.context ? parser.context : "");
		rc = -1;
	}
	yaml_parser_delete(&parser);
	return rc;
}

int conf_yaml_stage(const lmca_agent *agent, const char *path, struct conf_staged **out,
                    size_t *n, char **cause)
{
	struct yaml_ctx c = { NULL, path, 0, NULL };
	yaml_document_t doc;
	FILE *f = fopen(path, "re");
	int rc;

	if (f == NULL) {
		if (cause)
			*cause = xasprintf("cannot open config file %s: %s", path, strerror(errno));
		return -1;
	}
	rc = load_document(f, path, &doc, cause);
	fclose(f);
	if (rc < 0)
		return -1;
	c.doc = &doc;
	rc = stage_root(&c, agent, out, n);
	yaml_document_delete(&doc);
	if (rc < 0) {
		if (cause)
			*cause = c.error;
		else
			free(c.error);
	}
	return rc;
}
