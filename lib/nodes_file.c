/*
 * nodes_file: a YAML list of nodes into a node_set.
 *
 *	nodes:
 *	  - name: worker-1
 *	    pod-cidrs: [10.244.1.0/24, fd00:10:244:1::/64]
 *	    addresses: [192.0.2.11]
 *	    labels: {podbgp.io/route-reflector: "true"}
 *	    annotations: {podbgp.io/asn: "64513"}
 *
 * Each field goes through the node_* setters, which check it, and the
 * error is placed at the value. A node with any error is left out and the
 * walk goes on with the next; only a broken file as a whole is refused.
 */
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "nodes_file.h"
#include "yaml_util.h"

/* "node 'worker-1'", "node \"Bad_Name\"" or, with no name, "node #3". */
struct who {
	char	text[NODE_NAME_MAX + 16];
};

static size_t
nerrors(const struct conf_errors *errs)
{
	return errs->n + errs->dropped;
}

static void
nexpected(struct yctx *x, const struct who *w, const yaml_node_t *v,
    const char *key, const char *what)
{
	char	g[64];

	yerr(x, &v->start_mark, "%s: expected %s for '%s', got %s", w->text,
	    what, key, ygot(v, g, sizeof(g)));
}

/* A setter's message; a node without a usable name is named by place. */
static void
nreport(struct yctx *x, const struct who *w, const yaml_node_t *at,
    const char *err)
{
	static const char	unnamed[] = "node '': ";

	if (strncmp(err, unnamed, sizeof(unnamed) - 1) == 0)
		yerr(x, &at->start_mark, "%s: %s", w->text,
		    err + sizeof(unnamed) - 1);
	else
		yerr(x, &at->start_mark, "%s", err);
}

static const char *
nscalar(struct yctx *x, const struct who *w, const yaml_node_t *v,
    const char *key, const char *what)
{
	if (v->type != YAML_SCALAR_NODE || yis_null(v) ||
	    v->data.scalar.length == 0 ||
	    strlen(ysval(v)) != v->data.scalar.length) {
		nexpected(x, w, v, key, what);
		return NULL;
	}
	return ysval(v);
}

typedef int	(*add_fn)(struct node *, const char *, char *, size_t);

static void
parse_list(struct yctx *x, const struct who *w, yaml_node_t *v,
    const char *key, const char *what, struct node *n, add_fn add)
{
	yaml_node_item_t	*it;
	yaml_node_t		*item;
	const char		*s;
	char			 err[NODE_ERR_LEN];

	if (v->type != YAML_SEQUENCE_NODE) {
		nexpected(x, w, v, key, "a list");
		return;
	}
	for (it = v->data.sequence.items.start;
	    it < v->data.sequence.items.top; it++) {
		if ((item = ynode(x, *it)) == NULL ||
		    (s = nscalar(x, w, item, key, what)) == NULL)
			continue;
		if (add(n, s, err, sizeof(err)) == -1)
			nreport(x, w, item, err);
	}
}

typedef int	(*set_fn)(struct node *, const char *, const char *, char *,
		    size_t);

/* key: value pairs of text; a value left empty is the empty string. */
static void
parse_kv(struct yctx *x, const struct who *w, yaml_node_t *v,
    const char *key, struct node *n, set_fn set)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k, *val;
	const char		*ks, *vs;
	char			 err[NODE_ERR_LEN], what[64];

	if (v->type != YAML_MAPPING_NODE) {
		nexpected(x, w, v, key, "a mapping");
		return;
	}
	snprintf(what, sizeof(what), "a key of '%s'", key);
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	    p++) {
		if ((k = ynode(x, p->key)) == NULL ||
		    (val = ynode(x, p->value)) == NULL)
			continue;
		if ((ks = nscalar(x, w, k, key, what)) == NULL)
			continue;
		if (yis_null(val))
			vs = "";
		else if (val->type != YAML_SCALAR_NODE ||
		    strlen(ysval(val)) != val->data.scalar.length) {
			nexpected(x, w, val, ks, "a text value");
			continue;
		} else
			vs = ysval(val);
		if (set(n, ks, vs, err, sizeof(err)) == -1)
			nreport(x, w, yis_null(val) ? k : val, err);
	}
}

/* The value of the 'name' key of a node entry, if it is a scalar. */
static yaml_node_t *
find_name(struct yctx *x, yaml_node_t *v)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k;

	if (v->type != YAML_MAPPING_NODE)
		return NULL;
	for (p = v->data.mapping.pairs.start; p < v->data.mapping.pairs.top;
	    p++)
		if ((k = ynode(x, p->key)) != NULL &&
		    k->type == YAML_SCALAR_NODE &&
		    strcmp(ysval(k), "name") == 0)
			return ynode(x, p->value);
	return NULL;
}

/* Usable as a node name: a valid name in a plain scalar without NULs. */
static const char *
name_of(const yaml_node_t *nv)
{
	if (nv == NULL || nv->type != YAML_SCALAR_NODE ||
	    strlen(ysval(nv)) != nv->data.scalar.length ||
	    !node_name_valid(ysval(nv)))
		return NULL;
	return ysval(nv);
}

/* Loads one entry; returns the node, or NULL (reported) to skip it. */
static struct node *
parse_node(struct yctx *x, yaml_node_t *v, size_t idx, bool *oom)
{
	static const char *const keys[] = { "name", "pod-cidrs",
	    "addresses", "labels", "annotations", NULL };
	enum { K_NAME, K_CIDRS, K_ADDRS, K_LABELS, K_ANNOTS };
	const char	*name_what = "a node name (a DNS-1123 subdomain: "
			    "lower-case letters, digits, '-' and '.')";
	yaml_node_t	*seen[YMAP_NSEEN(keys)], *val, *nv;
	struct ymap	 it;
	struct who	 w;
	char		 g[64];
	struct node	*n;
	const char	*name;
	char		 err[NODE_ERR_LEN];
	size_t		 before = nerrors(x->errs);
	int		 i;

	nv = find_name(x, v);
	if ((name = name_of(nv)) != NULL)
		snprintf(w.text, sizeof(w.text), "node '%s'", name);
	else if (nv != NULL && nv->type == YAML_SCALAR_NODE && !yis_null(nv))
		snprintf(w.text, sizeof(w.text), "node %s",
		    ygot(nv, g, sizeof(g)));
	else
		snprintf(w.text, sizeof(w.text), "node #%zu", idx + 1);
	if (v->type != YAML_MAPPING_NODE) {
		nexpected(x, &w, v, "nodes", "a mapping");
		return NULL;
	}
	if ((n = node_new(name != NULL ? name : "")) == NULL) {
		*oom = true;
		return NULL;
	}
	n->seq = idx + 1;
	if (!ymap_init(x, &it, v, "nodes", keys, seen)) {
		node_free(n);
		return NULL;
	}
	snprintf(it.where, sizeof(it.where), "in %s", w.text);
	while ((i = ymap_next(x, &it, &val)) != -1) {
		switch (i) {
		case K_NAME:
			if (nscalar(x, &w, val, "name", name_what) != NULL &&
			    name == NULL)
				nexpected(x, &w, val, "name", name_what);
			break;
		case K_CIDRS:
			parse_list(x, &w, val, "pod-cidrs", "a pod CIDR", n,
			    node_add_pod_cidr);
			break;
		case K_ADDRS:
			parse_list(x, &w, val, "addresses", "an address", n,
			    node_add_address);
			break;
		case K_LABELS:
			parse_kv(x, &w, val, "labels", n, node_set_label);
			break;
		case K_ANNOTS:
			parse_kv(x, &w, val, "annotations", n,
			    node_set_annotation);
			break;
		}
	}
	if (seen[K_NAME] == NULL)
		yerr(x, &v->start_mark, "%s: missing required key 'name'",
		    w.text);
	if (nerrors(x->errs) == before &&
	    node_validate(n, err, sizeof(err)) == -1)
		yerr(x, &v->start_mark, "%s", err);	/* a setter let it by */
	if (nerrors(x->errs) != before) {
		node_free(n);
		return NULL;
	}
	return n;
}

struct named {
	const char	*name;
	size_t		 idx;
	yaml_node_t	*at;
};

static int
cmp_named(const void *pa, const void *pb)
{
	const struct named	*a = pa, *b = pb;
	int			 c;

	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/*
 * Marks every entry whose name an earlier entry has, whether or not that
 * one loads: a name given twice is a typo and the file says which node
 * was meant only by its first use. *dup[i] is the first entry's name node.
 */
static int
find_dups(struct yctx *x, yaml_node_item_t *items, size_t n,
    yaml_node_t **dup)
{
	struct named	*nm;
	yaml_node_t	*v, *nv;
	size_t		 i, k = 0;

	if ((nm = calloc(n + 1, sizeof(*nm))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		if ((v = ynode(x, items[i])) == NULL ||
		    (nv = find_name(x, v)) == NULL || name_of(nv) == NULL)
			continue;
		nm[k].name = name_of(nv);
		nm[k].idx = i;
		nm[k++].at = nv;
	}
	qsort(nm, k, sizeof(*nm), cmp_named);
	for (i = 1; i < k; i++)
		if (strcmp(nm[i - 1].name, nm[i].name) == 0)
			dup[nm[i].idx] = dup[nm[i - 1].idx] != NULL ?
			    dup[nm[i - 1].idx] : nm[i - 1].at;
	free(nm);
	return 0;
}

static struct node_set *
parse_root(struct yctx *x, yaml_node_t *root)
{
	static const char *const keys[] = { "nodes", NULL };
	struct node_set		*set;
	struct node		*n;
	struct ymap		 it;
	yaml_node_t		*seen[YMAP_NSEEN(keys)], *val, *list = NULL, *v, **dup;
	yaml_node_item_t	*items;
	size_t			 nitems, i, before = nerrors(x->errs);
	bool			 oom = false;

	if (!ymap_init(x, &it, root, NULL, keys, seen))
		return NULL;
	while (ymap_next(x, &it, &val) != -1)
		list = val;
	if (seen[0] == NULL) {
		yerr(x, &root->start_mark, "missing required key 'nodes' at "
		    "the top level");
		return NULL;
	}
	if (nerrors(x->errs) != before)
		return NULL;	/* an unknown top-level key: not our file */
	if (list->type != YAML_SEQUENCE_NODE) {
		yexpected(x, list, "nodes", "a list");
		return NULL;
	}
	items = list->data.sequence.items.start;
	nitems = (size_t)(list->data.sequence.items.top - items);
	if (nitems > NODES_FILE_MAX) {
		yerr(x, &list->start_mark, "too many nodes (at most %d)",
		    NODES_FILE_MAX);
		return NULL;
	}
	if ((set = node_set_new()) == NULL ||
	    (dup = calloc(nitems + 1, sizeof(*dup))) == NULL) {
		node_set_free(set);
		yerr(x, NULL, "out of memory");
		return NULL;
	}
	if (find_dups(x, items, nitems, dup) == -1)
		oom = true;
	for (i = 0; i < nitems && !oom; i++) {
		if ((v = ynode(x, items[i])) == NULL)
			continue;
		if (dup[i] != NULL) {
			yerr(x, &find_name(x, v)->start_mark, "node '%s' is "
			    "listed twice (first at line %u): this entry is "
			    "skipped", ysval(dup[i]), yline(dup[i]));
			continue;
		}
		if ((n = parse_node(x, v, i, &oom)) == NULL)
			continue;
		if (node_set_add(set, n) != 0) {
			node_free(n);	/* dup[] ruled out a second name */
			oom = true;
		}
	}
	free(dup);
	if (oom) {
		yerr(x, NULL, "out of memory");
		node_set_free(set);
		return NULL;
	}
	return set;
}

struct node_set *
nodes_file_load_buf(const char *name, const void *data, size_t len,
    struct conf_errors *errs)
{
	struct yctx	 x;
	yaml_document_t	 doc;
	yaml_node_t	*root;
	struct node_set	*set = NULL;
	yaml_mark_t	 start = { 0, 0, 0 };
	size_t		 before;

	memset(errs, 0, sizeof(*errs));
	memset(&x, 0, sizeof(x));
	x.file = name != NULL ? name : "(nodes)";
	x.errs = errs;
	if (yload_doc(&x, data, len, &doc, &root) == -1)
		return NULL;
	/* a second document is an error of the file as a whole */
	before = nerrors(errs);
	if (root == NULL)
		yerr(&x, &start, "the nodes file is empty: it needs a 'nodes' "
		    "list ('nodes: []' for none)");
	else if (before == 0)
		set = parse_root(&x, root);
	yaml_document_delete(&doc);
	yerrors_sort(errs);
	return set;
}

struct node_set *
nodes_file_load(const char *path, struct conf_errors *errs)
{
	struct yctx	 x;
	struct node_set	*set;
	char		*data;
	size_t		 len;

	memset(errs, 0, sizeof(*errs));
	memset(&x, 0, sizeof(x));
	x.file = path;
	x.errs = errs;
	if (yread_file(&x, path, &data, &len) == -1)
		return NULL;
	set = nodes_file_load_buf(path, data, len, errs);
	free(data);
	return set;
}
