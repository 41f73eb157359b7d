/*
 * nodes_file suite: what an operator sees when podbgpd reads the static
 * nodes file: the exact message with file:line:column, the file refused as
 * a whole only when it is broken as a whole, and otherwise every good node
 * loaded while each bad one is named and left out.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_unit.h"
#include "nodes_file.h"

static struct conf_errors	errs;

static struct node_set *
load(const char *yaml)
{
	return nodes_file_load_buf("t.yaml", yaml, strlen(yaml), &errs);
}

#define REFUSED	(-1)

/* Input, the first message (all of it), how many, and nodes loaded. */
static const struct {
	const char	*yaml;
	const char	*first;
	size_t		 nerrs;
	int		 loaded;	/* REFUSED: NULL returned */
} bad_cases[] = {
	/* the file as a whole */
	{ "", "t.yaml:1:1: the nodes file is empty: it needs a 'nodes' list "
	  "('nodes: []' for none)", 1, REFUSED },
	{ "# only a comment\n", "t.yaml:1:1: the nodes file is empty: it needs "
	  "a 'nodes' list ('nodes: []' for none)", 1, REFUSED },
	{ "nodes:\n", "t.yaml:1:7: expected a list for 'nodes', got nothing",
	  1, REFUSED },
	{ "nodes: {a: 1}\n", "t.yaml:1:8: expected a list for 'nodes', got a "
	  "mapping", 1, REFUSED },
	{ "- name: a\n", "t.yaml:1:1: expected a mapping at the top level, got "
	  "a list", 1, REFUSED },
	{ "nodes: []\nnode: []\n", "t.yaml:2:1: unknown key 'node' at the top "
	  "level (expected one of: nodes)", 1, REFUSED },
	{ "node: []\n", "t.yaml:1:1: unknown key 'node' at the top level "
	  "(expected one of: nodes)", 2, REFUSED },
	{ "nodes: []\nnodes: []\n", "t.yaml:2:1: duplicate key 'nodes' at the "
	  "top level (first at line 1)", 1, REFUSED },
	{ "nodes: []\n---\nnodes: []\n", "t.yaml:3:1: only one YAML document "
	  "is allowed", 1, REFUSED },
	{ "nodes:\n  - name: a\n    pod-cidrs: [10.0.0.0/24\n",
	  "t.yaml:4:1: YAML syntax error: did not find expected ',' or ']' "
	  "(while parsing a flow sequence at line 3)", 1, REFUSED },
	{ "nodes: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[["
	  "[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]"
	  "]]\n", "t.yaml:1:72: lists and mappings nested deeper than 64 "
	  "levels", 1, REFUSED },

	/* one node: named, left out, the others load */
	{ "nodes:\n  - name: a\n    pod-cidrs: [10.244.1.1/24]\n"
	  "  - name: b\n",
	  "t.yaml:3:17: node 'a': pod CIDR 10.244.1.1/24 has host bits set "
	  "(did you mean 10.244.1.0/24?)", 1, 1 },
	{ "nodes:\n  - name: a\n    pod-cidrs: [10.244.1.0/24, "
	  "10.244.2.0/24]\n",
	  "t.yaml:3:32: node 'a': pod CIDR 10.244.2.0/24: the node has an IPv4 "
	  "pod CIDR already (10.244.1.0/24); at most one per family", 1, 0 },
	{ "nodes:\n  - name: a\n    pod-cidrs: 10.244.1.0/24\n",
	  "t.yaml:3:16: node 'a': expected a list for 'pod-cidrs', got "
	  "\"10.244.1.0/24\"", 1, 0 },
	{ "nodes:\n  - name: a\n    pod-cidrs: [[10.244.1.0/24]]\n",
	  "t.yaml:3:17: node 'a': expected a pod CIDR for 'pod-cidrs', got a "
	  "list", 1, 0 },
	{ "nodes:\n  - name: a\n    addresses: [192.0.2.1, 192.0.2.1]\n"
	  "  - name: b\n    addresses: [192.0.2.1]\n",
	  "t.yaml:3:28: node 'a': address 192.0.2.1 is given twice", 1, 1 },
	{ "nodes:\n  - name: a\n    addresses: [192.0.2.1/32]\n",
	  "t.yaml:3:17: node 'a': address: expected an IPv4 or IPv6 address, "
	  "got \"192.0.2.1/32\"", 1, 0 },
	{ "nodes:\n  - name: a\n  - name: b\n  - name: a\n    pod-cidrs: []\n",
	  "t.yaml:4:11: node 'a' is listed twice (first at line 2): this "
	  "entry is skipped", 1, 2 },
	/* a bad first entry still makes the second a duplicate */
	{ "nodes:\n  - name: a\n    bad: 1\n  - name: a\n",
	  "t.yaml:3:5: unknown key 'bad' in node 'a' (expected one of: name, "
	  "pod-cidrs, addresses, labels, annotations)", 2, 0 },
	{ "nodes:\n  - name: a\n    pod_cidrs: []\n",
	  "t.yaml:3:5: unknown key 'pod_cidrs' in node 'a' (did you mean "
	  "'pod-cidrs'?)", 1, 0 },
	{ "nodes:\n  - name: a\n    name: b\n",
	  "t.yaml:3:5: duplicate key 'name' in node 'a' (first at line 2)", 1,
	  0 },
	{ "nodes:\n  - pod-cidrs: [10.0.0.0/24]\n  - name: b\n",
	  "t.yaml:2:5: node #1: missing required key 'name'", 1, 1 },
	{ "nodes:\n  - name: Worker_1\n  - name: b\n",
	  "t.yaml:2:11: node \"Worker_1\": expected a node name (a DNS-1123 "
	  "subdomain: lower-case letters, digits, '-' and '.') for 'name', got "
	  "\"Worker_1\"", 1, 1 },
	{ "nodes:\n  - name:\n",
	  "t.yaml:2:10: node #1: expected a node name (a DNS-1123 subdomain: "
	  "lower-case letters, digits, '-' and '.') for 'name', got nothing",
	  1, 0 },
	/* a setter's message names an unnamed node by its place */
	{ "nodes:\n  - pod-cidrs: [x]\n",
	  "t.yaml:2:5: node #1: missing required key 'name'", 2, 0 },
	{ "nodes:\n  - worker-1\n  - name: b\n",
	  "t.yaml:2:5: node #1: expected a mapping for 'nodes', got "
	  "\"worker-1\"", 1, 1 },
	{ "nodes:\n  - name: a\n    labels: [x]\n",
	  "t.yaml:3:13: node 'a': expected a mapping for 'labels', got a list",
	  1, 0 },
	{ "nodes:\n  - name: a\n    labels: {x: [y]}\n",
	  "t.yaml:3:17: node 'a': expected a text value for 'x', got a list",
	  1, 0 },
	{ "nodes:\n  - name: a\n    labels: {x: -y}\n",
	  "t.yaml:3:17: node 'a': label 'x': value \"-y\" is not empty or at "
	  "most 63 letters, digits, '-', '_', '.' starting and ending with a "
	  "letter or digit", 1, 0 },
	{ "nodes:\n  - name: a\n    labels: {x: 1, x: 2}\n",
	  "t.yaml:3:23: node 'a': label 'x' is given twice", 1, 0 },
	{ "nodes:\n  - name: a\n    annotations:\n      podbgp.io/asn: 0\n"
	  "  - name: b\n",
	  "t.yaml:4:22: node 'a': annotation 'podbgp.io/asn': expected an AS "
	  "number between 1 and 4294967295 (asplain or asdot), not 23456, got "
	  "\"0\"", 1, 1 },
	{ "nodes:\n  - name: a\n    annotations:\n      podbgp.io/asn:\n",
	  "t.yaml:4:7: node 'a': annotation 'podbgp.io/asn': expected an AS "
	  "number between 1 and 4294967295 (asplain or asdot), not 23456, got "
	  "\"\"", 1, 0 },
	{ "nodes:\n  - name: a\n    annotations: {podbgp.io/cluster_id: "
	  "1.1.1.1}\n",
	  "t.yaml:3:41: node 'a': unknown annotation 'podbgp.io/cluster_id' "
	  "(did you mean 'podbgp.io/cluster-id'?)", 1, 0 },
	/* every problem of a node is listed, in file order */
	{ "nodes:\n  - name: a\n    pod-cidrs: [10.0.0.1/8]\n"
	  "    addresses: [x]\n",
	  "t.yaml:3:17: node 'a': pod CIDR 10.0.0.1/8 has host bits set (did "
	  "you mean 10.0.0.0/8?)", 2, 0 },
};

START_TEST(bad_table)
{
	struct node_set	*s;

	s = load(bad_cases[_i].yaml);
	ck_assert_uint_ge(errs.n, 1);
	ck_assert_str_eq(errs.e[0].text, bad_cases[_i].first);
	ck_assert_uint_eq(errs.n, bad_cases[_i].nerrs);
	if (bad_cases[_i].loaded == REFUSED)
		ck_assert_ptr_null(s);
	else {
		ck_assert_ptr_nonnull(s);
		ck_assert_uint_eq(s->n, (size_t)bad_cases[_i].loaded);
	}
	node_set_free(s);
}
END_TEST

/* Input, and the records expected, written out by a few fields. */
static const struct {
	const char	*yaml;
	size_t		 n;
	const char	*first_name;
	size_t		 first_ncidrs;
	size_t		 first_naddrs;
	uint32_t	 first_asn;
} good_cases[] = {
	{ "nodes: []\n", 0, NULL, 0, 0, 0 },
	{ "nodes:\n  - name: a\n", 1, "a", 0, 0, 0 },
	{ "nodes:\n  - {name: b}\n  - {name: a, pod-cidrs: [10.0.0.0/24, "
	  "\"fd00::/64\"], addresses: [192.0.2.1, \"2001:db8::1\"], "
	  "annotations: {podbgp.io/asn: 1.10}}\n", 2, "a", 2, 2, 65546 },
	/* block style, other annotations ignored, empty label value */
	{ "nodes:\n  - name: node-1.example.com\n    pod-cidrs:\n"
	  "      - fd00:10:244:1::/64\n    addresses:\n      - 2001:db8::11\n"
	  "    labels:\n      topology.kubernetes.io/zone:\n"
	  "    annotations:\n      node.alpha.kubernetes.io/ttl: \"0\"\n"
	  "      podbgp.io/asn: 4200000000\n", 1, "node-1.example.com", 1, 1,
	  4200000000u },
	/* anchors share a value */
	{ "nodes:\n  - name: a\n    labels: &l {rack: r1}\n"
	  "  - name: b\n    labels: *l\n", 2, "a", 0, 0, 0 },
};

START_TEST(good_table)
{
	struct node_set	*s;
	size_t		 i;
	char		 err[NODE_ERR_LEN];

	s = load(good_cases[_i].yaml);
	for (i = 0; i < errs.n; i++)
		fprintf(stderr, "case %d: %s\n", _i, errs.e[i].text);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_uint_eq(s->n, good_cases[_i].n);
	for (i = 0; i < s->n; i++)
		ck_assert_msg(node_validate(s->v[i], err, sizeof(err)) == 0,
		    "%s", err);
	if (s->n > 0) {
		ck_assert_str_eq(s->v[0]->name, good_cases[_i].first_name);
		ck_assert_uint_eq(s->v[0]->ncidrs, good_cases[_i].first_ncidrs);
		ck_assert_uint_eq(s->v[0]->naddrs, good_cases[_i].first_naddrs);
		ck_assert_uint_eq(s->v[0]->asn, good_cases[_i].first_asn);
	}
	node_set_free(s);
}
END_TEST

/* One bad node among good ones: the good ones load complete. */
START_TEST(partial_load)
{
	const char	*yaml =
	    "nodes:\n"
	    "  - name: w1\n"
	    "    pod-cidrs: [10.244.1.0/24]\n"
	    "    addresses: [192.0.2.11]\n"
	    "  - name: w2\n"
	    "    pod-cidrs: [10.244.3.0/23]\n"
	    "    addresses: [192.0.2.12]\n"
	    "  - name: w3\n"
	    "    pod-cidrs: [10.244.3.0/24]\n"
	    "    addresses: [192.0.2.13]\n"
	    "    labels: {podbgp.io/route-reflector: \"true\"}\n";
	struct node_set		*s;
	const struct node	*w3;
	char			 t[PREFIX_STRLEN];

	ck_assert_ptr_nonnull(s = load(yaml));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.e[0].text, "t.yaml:6:17: node 'w2': pod CIDR "
	    "10.244.3.0/23 has host bits set (did you mean 10.244.2.0/23?)");
	ck_assert_uint_eq(s->n, 2);
	ck_assert_ptr_null(node_set_find(s, "w2"));
	ck_assert_ptr_nonnull(w3 = node_set_find(s, "w3"));
	ck_assert_uint_eq(w3->seq, 3);	/* its place in the file */
	ck_assert_str_eq(prefix_fmt(&w3->cidrs[0], t, sizeof(t)),
	    "10.244.3.0/24");
	ck_assert_str_eq(node_label(w3, "podbgp.io/route-reflector"), "true");
	ck_assert_uint_eq(node_set_find(s, "w1")->seq, 1);
	node_set_free(s);
}
END_TEST

/* The peers and kube-router annotations come through the file too. */
START_TEST(annotated_peers)
{
	const char	*yaml =
	    "nodes:\n"
	    "  - name: w1\n"
	    "    annotations:\n"
	    "      podbgp.io/peers: |\n"
	    "        - remoteip: 192.0.2.1\n"
	    "          remoteasn: 65000\n"
	    "          password: s3cret\n"
	    "      kube-router.io/node.asn: \"64512\"\n"
	    "      kube-router.io/node.bgp.communities: no-export\n"
	    "      kube-router.io/path-prepend.as: \"65000\"\n"
	    "  - name: w2\n"
	    "    annotations:\n"
	    "      kube-router.io/peer.ips: 192.0.2.1,192.0.2.2\n"
	    "      kube-router.io/peer.asns: \"65000\"\n"
	    "  - name: w3\n"
	    "    annotations:\n"
	    "      podbgp.io/peers: \"- {remoteip: 192.0.2.1, remoteasn: 0, "
	    "password: s3cret}\"\n";
	struct node_set		*s;
	const struct node	*w1;
	size_t			 i;

	ck_assert_ptr_nonnull(s = load(yaml));
	ck_assert_uint_eq(errs.n, 2);
	ck_assert_str_eq(errs.e[0].text, "t.yaml:11:5: node 'w2': annotations "
	    "'kube-router.io/peer.ips' and 'kube-router.io/peer.asns' give 2 "
	    "addresses and 1 AS numbers; they go in pairs");
	ck_assert_str_eq(errs.e[1].text, "t.yaml:17:24: node 'w3': annotation "
	    "'podbgp.io/peers': peer 1: remoteasn: expected an AS number "
	    "between 1 and 4294967295 (asplain or asdot), not 23456, got "
	    "\"0\"");
	for (i = 0; i < errs.n; i++)
		ck_assert_ptr_null(strstr(errs.e[i].text, "s3cret"));
	ck_assert_uint_eq(s->n, 1);
	ck_assert_ptr_nonnull(w1 = node_set_find(s, "w1"));
	ck_assert_uint_eq(w1->asn, 64512);
	ck_assert_uint_eq(w1->npeers, 1);
	ck_assert_str_eq(w1->peers[0].password, "s3cret");
	ck_assert_uint_eq(w1->ncommunities, 1);
	ck_assert_uint_eq(w1->communities[0], 0xffffff01);
	ck_assert_uint_eq(w1->nannots, 3);	/* path-prepend is not read */
	node_set_free(s);
}
END_TEST

START_TEST(error_cap)
{
	struct node_set	*s;
	char		 yaml[8192];
	size_t		 o, i;

	o = (size_t)snprintf(yaml, sizeof(yaml), "nodes:\n");
	for (i = 0; i < CONF_ERR_MAX + 5; i++)
		o += (size_t)snprintf(yaml + o, sizeof(yaml) - o,
		    "  - {name: n%zu, pod-cidrs: [10.0.%zu.1/24]}\n", i, i);
	o += (size_t)snprintf(yaml + o, sizeof(yaml) - o, "  - name: ok\n");
	ck_assert_ptr_nonnull(s = load(yaml));
	ck_assert_uint_eq(errs.n, CONF_ERR_MAX);
	ck_assert_uint_eq(errs.dropped, 5);
	/* past the cap, errors still keep their node out */
	ck_assert_uint_eq(s->n, 1);
	ck_assert_str_eq(s->v[0]->name, "ok");
	node_set_free(s);
}
END_TEST

START_TEST(reload_same_file)
{
	const char	*yaml =
	    "nodes:\n  - {name: a, pod-cidrs: [10.0.1.0/24]}\n"
	    "  - {name: b, pod-cidrs: [10.0.2.0/24]}\n";
	const char	*moved =
	    "nodes:\n  - {name: c, pod-cidrs: [10.0.2.0/24]}\n"
	    "  - {name: b, pod-cidrs: [10.0.2.0/24]}\n"
	    "  - {name: a, pod-cidrs: [10.0.1.0/24]}\n";
	struct node_set		*a, *b;
	struct node_diff	*d;
	struct node_overlap	*ov;
	size_t			 n;

	ck_assert_ptr_nonnull(a = load(yaml));
	ck_assert_ptr_nonnull(b = load(yaml));
	ck_assert(node_set_equal(a, b));
	ck_assert_ptr_nonnull(d = node_set_diff(a, b));
	ck_assert(node_diff_empty(d));
	node_diff_free(d);
	node_set_free(b);

	/* c is put first and claims b's CIDR: b, older, keeps it */
	ck_assert_ptr_nonnull(b = load(moved));
	ck_assert_ptr_nonnull(d = node_set_diff(a, b));
	ck_assert_uint_eq(d->nadded, 1);
	ck_assert_uint_eq(d->nremoved + d->nchanged, 0);
	node_diff_free(d);
	node_set_keep_age(b, a);
	ck_assert_int_eq(node_set_overlaps(b, &ov, &n), 0);
	ck_assert_uint_eq(n, 1);
	ck_assert_str_eq(ov[0].winner->name, "b");
	ck_assert_str_eq(ov[0].loser->name, "c");
	free(ov);
	node_set_free(a);
	node_set_free(b);
}
END_TEST

START_TEST(sample_file)
{
	struct node_set		*s;
	const struct node	*w;
	char			 path[4096];

	snprintf(path, sizeof(path), "%s/../../etc/nodes.yaml", TEST_DATADIR);
	s = nodes_file_load(path, &errs);
	if (errs.n > 0)
		fprintf(stderr, "%s\n", errs.e[0].text);
	ck_assert_ptr_nonnull(s);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_uint_eq(s->n, 3);
	ck_assert_ptr_nonnull(w = node_set_find(s, "worker-1"));
	ck_assert_uint_eq(w->ncidrs, 2);
	ck_assert_uint_eq(w->naddrs, 2);
	ck_assert_uint_eq(w->router_id, 0xc000020b);	/* 192.0.2.11 */
	ck_assert_str_eq(node_label(w, "podbgp.io/route-reflector"), "true");
	ck_assert_ptr_nonnull(w = node_set_find(s, "worker-2"));
	ck_assert_uint_eq(w->asn, 64513);
	ck_assert_ptr_nonnull(w = node_set_find(s, "worker-3"));
	ck_assert_uint_eq(w->ncidrs, 0);
	node_set_free(s);
}
END_TEST

START_TEST(missing_file)
{
	ck_assert_ptr_null(nodes_file_load("/nonexistent/nodes.yaml", &errs));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_str_eq(errs.e[0].text, "/nonexistent/nodes.yaml: cannot "
	    "open: No such file or directory");
}
END_TEST

Suite *
nodes_file_suite(void)
{
	Suite	*s = suite_create("nodes_file");
	TCase	*tc;

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, bad_table, 0,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, partial_load);
	tcase_add_test(tc, annotated_peers);
	tcase_add_test(tc, error_cap);
	tcase_add_test(tc, missing_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("load");
	tcase_add_loop_test(tc, good_table, 0,
	    sizeof(good_cases) / sizeof(good_cases[0]));
	tcase_add_test(tc, reload_same_file);
	tcase_add_test(tc, sample_file);
	suite_add_tcase(s, tc);
	return s;
}
