/*
 * node suite: the checks on each field with the message a user reads,
 * node_validate() on records built by hand, node_equal() and the set diff
 * a relist or reload relies on, and overlapping pod CIDR claims.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_unit.h"
#include "node.h"

static char	err[NODE_ERR_LEN];

/* A node from a compact description; fails the test on any error. */
static struct node *
mk(const char *name, uint64_t seq, const char *cidr1, const char *cidr2,
    const char *addr)
{
	struct node	*n;

	ck_assert_ptr_nonnull(n = node_new(name));
	n->seq = seq;
	if (cidr1 != NULL)
		ck_assert_msg(node_add_pod_cidr(n, cidr1, err, sizeof(err)) ==
		    0, "%s", err);
	if (cidr2 != NULL)
		ck_assert_msg(node_add_pod_cidr(n, cidr2, err, sizeof(err)) ==
		    0, "%s", err);
	if (addr != NULL)
		ck_assert_msg(node_add_address(n, addr, err, sizeof(err)) == 0,
		    "%s", err);
	return n;
}

static const struct {
	const char	*s;
	bool		 ok;
} names[] = {
	{ "worker-1", true },
	{ "a", true },
	{ "node1.example.com", true },
	{ "0abc", true },
	{ "", false },
	{ "Worker-1", false },
	{ "worker_1", false },
	{ "-worker", false },
	{ "worker-", false },
	{ "a..b", false },
	{ ".a", false },
	{ "a.", false },
	{ "a.-b", false },
	{ "a b", false },
};

START_TEST(name_table)
{
	ck_assert_msg(node_name_valid(names[_i].s) == names[_i].ok, "%s",
	    names[_i].s);
}
END_TEST

START_TEST(name_length)
{
	char	s[NODE_NAME_MAX + 2];

	/* 253 is the limit, parts of any length up to it */
	memset(s, 'a', sizeof(s));
	s[NODE_NAME_MAX] = '\0';
	ck_assert(node_name_valid(s));
	s[NODE_NAME_MAX] = 'a';
	s[NODE_NAME_MAX + 1] = '\0';
	ck_assert(!node_name_valid(s));
}
END_TEST

static const struct {
	const char	*cidr1;		/* added first, must succeed */
	const char	*cidr2;
	const char	*err;		/* NULL: cidr2 is accepted */
} cidr_cases[] = {
	{ NULL, "10.244.1.0/24", NULL },
	{ NULL, "10.244.1.1/24", "node 'n': pod CIDR 10.244.1.1/24 has host "
	  "bits set (did you mean 10.244.1.0/24?)" },
	{ NULL, "fd00::1/64", "node 'n': pod CIDR fd00::1/64 has host bits "
	  "set (did you mean fd00::/64?)" },
	{ NULL, "10.244.1.0", "node 'n': pod CIDR: expected an IPv4 or IPv6 "
	  "prefix like 10.244.1.0/24, got \"10.244.1.0\"" },
	{ NULL, "10.244.1.0/33", "node 'n': pod CIDR: expected an IPv4 or "
	  "IPv6 prefix like 10.244.1.0/24, got \"10.244.1.0/33\"" },
	{ NULL, "0.0.0.0/0", "node 'n': pod CIDR 0.0.0.0/0 covers every "
	  "address" },
	{ "10.244.1.0/24", "fd00:1::/64", NULL },
	{ "10.244.1.0/24", "10.244.2.0/24", "node 'n': pod CIDR "
	  "10.244.2.0/24: the node has an IPv4 pod CIDR already "
	  "(10.244.1.0/24); at most one per family" },
	{ "fd00:1::/64", "fd00:2::/64", "node 'n': pod CIDR fd00:2::/64: the "
	  "node has an IPv6 pod CIDR already (fd00:1::/64); at most one per "
	  "family" },
};

START_TEST(cidr_table)
{
	struct node	*n;

	n = mk("n", 0, cidr_cases[_i].cidr1, NULL, NULL);
	err[0] = '\0';
	if (cidr_cases[_i].err == NULL) {
		ck_assert_msg(node_add_pod_cidr(n, cidr_cases[_i].cidr2, err,
		    sizeof(err)) == 0, "%s", err);
		ck_assert_uint_eq(n->ncidrs, cidr_cases[_i].cidr1 ? 2 : 1);
	} else {
		ck_assert_int_eq(node_add_pod_cidr(n, cidr_cases[_i].cidr2,
		    err, sizeof(err)), -1);
		ck_assert_str_eq(err, cidr_cases[_i].err);
		ck_assert_uint_eq(n->ncidrs, cidr_cases[_i].cidr1 ? 1 : 0);
	}
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);
}
END_TEST

START_TEST(cidrs_sorted)
{
	struct node	*n;
	char		 t[PREFIX_STRLEN];

	/* IPv6 given first still ends up second */
	n = mk("n", 0, "fd00:1::/64", "10.244.1.0/24", NULL);
	ck_assert_str_eq(prefix_fmt(&n->cidrs[0], t, sizeof(t)),
	    "10.244.1.0/24");
	ck_assert_str_eq(prefix_fmt(&n->cidrs[1], t, sizeof(t)),
	    "fd00:1::/64");
	node_free(n);
}
END_TEST

START_TEST(addresses)
{
	struct node	*n;
	char		 s[32];
	int		 i;

	n = mk("n", 0, NULL, NULL, "192.0.2.1");
	ck_assert_int_eq(node_add_address(n, "2001:db8::1", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(node_add_address(n, "192.0.2.1", err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "node 'n': address 192.0.2.1 is given twice");
	ck_assert_int_eq(node_add_address(n, "192.0.2.300", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': address: expected an IPv4 or IPv6 "
	    "address, got \"192.0.2.300\"");
	ck_assert_int_eq(node_add_address(n, "::", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': address :: is the unspecified "
	    "address");
	ck_assert_uint_eq(n->naddrs, 2);
	for (i = 2; i < NODE_ADDRS_MAX; i++) {
		snprintf(s, sizeof(s), "10.0.0.%d", i);
		ck_assert_int_eq(node_add_address(n, s, err, sizeof(err)), 0);
	}
	ck_assert_int_eq(node_add_address(n, "10.1.1.1", err, sizeof(err)),
	    -1);
	ck_assert_str_eq(err, "node 'n': too many addresses (at most 16)");
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);
}
END_TEST

static const struct {
	const char	*key;
	const char	*value;
	const char	*err;		/* NULL: accepted */
} label_cases[] = {
	{ "podbgp.io/route-reflector", "true", NULL },
	{ "kubernetes.io/hostname", "worker-1", NULL },
	{ "zone", "", NULL },
	{ "a_b.c-d", "X_y.z-1", NULL },
	{ "Example.com/x", "1", "node 'n': label key \"Example.com/x\" is not "
	  "a qualified name ([prefix/]name, name of at most 63 letters, "
	  "digits, '-', '_', '.')" },
	{ "/x", "1", "node 'n': label key \"/x\" is not a qualified name "
	  "([prefix/]name, name of at most 63 letters, digits, '-', '_', "
	  "'.')" },
	{ "a/b/c", "1", "node 'n': label key \"a/b/c\" is not a qualified "
	  "name ([prefix/]name, name of at most 63 letters, digits, '-', "
	  "'_', '.')" },
	{ "x", "-bad", "node 'n': label 'x': value \"-bad\" is not empty or "
	  "at most 63 letters, digits, '-', '_', '.' starting and ending with "
	  "a letter or digit" },
	{ "x", "a b", "node 'n': label 'x': value \"a b\" is not empty or at "
	  "most 63 letters, digits, '-', '_', '.' starting and ending with a "
	  "letter or digit" },
};

START_TEST(label_table)
{
	struct node	*n = mk("n", 0, NULL, NULL, NULL);
	int		 rc;

	rc = node_set_label(n, label_cases[_i].key, label_cases[_i].value,
	    err, sizeof(err));
	if (label_cases[_i].err == NULL) {
		ck_assert_msg(rc == 0, "%s", err);
		ck_assert_str_eq(node_label(n, label_cases[_i].key),
		    label_cases[_i].value);
	} else {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(err, label_cases[_i].err);
		ck_assert_uint_eq(n->nlabels, 0);
	}
	node_free(n);
}
END_TEST

START_TEST(labels_sorted_unique_bounded)
{
	struct node	*n = mk("n", 0, NULL, NULL, NULL);
	char		 k[16];
	int		 i;

	ck_assert_int_eq(node_set_label(n, "b", "2", err, sizeof(err)), 0);
	ck_assert_int_eq(node_set_label(n, "a", "1", err, sizeof(err)), 0);
	ck_assert_str_eq(n->labels[0].key, "a");
	ck_assert_str_eq(n->labels[1].key, "b");
	ck_assert_int_eq(node_set_label(n, "a", "3", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': label 'a' is given twice");
	ck_assert_str_eq(node_label(n, "a"), "1");
	ck_assert_ptr_null(node_label(n, "c"));
	for (i = 2; i < NODE_LABELS_MAX; i++) {
		snprintf(k, sizeof(k), "k%d", i);
		ck_assert_int_eq(node_set_label(n, k, "", err, sizeof(err)),
		    0);
	}
	ck_assert_int_eq(node_set_label(n, "z", "", err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': too many labels (at most 256)");
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);
}
END_TEST

static const struct {
	const char	*key;
	const char	*value;
	const char	*err;		/* NULL: accepted */
	uint32_t	 asn, router_id, cluster_id;
	size_t		 kept;
} annot_cases[] = {
	{ "podbgp.io/asn", "64513", NULL, 64513, 0, 0, 1 },
	{ "podbgp.io/asn", "1.10", NULL, 65546, 0, 0, 1 },
	{ "podbgp.io/asn", "4294967295", NULL, 4294967295u, 0, 0, 1 },
	{ "podbgp.io/router-id", "192.0.2.1", NULL, 0, 0xc0000201, 0, 1 },
	{ "podbgp.io/cluster-id", "10.0.0.1", NULL, 0, 0, 0x0a000001, 1 },
	{ "node.alpha.kubernetes.io/ttl", "0", NULL, 0, 0, 0, 0 },
	{ "flannel.alpha.coreos.com/backend-data", "{\"x\": 1}", NULL, 0, 0, 0,
	  0 },
	{ "podbgp.io/asn", "0", "node 'n': annotation 'podbgp.io/asn': "
	  "expected an AS number between 1 and 4294967295 (asplain or asdot), "
	  "not 23456, got \"0\"", 0, 0, 0, 0 },
	{ "podbgp.io/asn", "23456", "node 'n': annotation 'podbgp.io/asn': "
	  "expected an AS number between 1 and 4294967295 (asplain or asdot), "
	  "not 23456, got \"23456\"", 0, 0, 0, 0 },
	{ "podbgp.io/asn", "4294967296", "node 'n': annotation "
	  "'podbgp.io/asn': expected an AS number between 1 and 4294967295 "
	  "(asplain or asdot), not 23456, got \"4294967296\"", 0, 0, 0, 0 },
	{ "podbgp.io/asn", "65536.1", "node 'n': annotation 'podbgp.io/asn': "
	  "expected an AS number between 1 and 4294967295 (asplain or asdot), "
	  "not 23456, got \"65536.1\"", 0, 0, 0, 0 },
	{ "podbgp.io/asn", " 1", "node 'n': annotation 'podbgp.io/asn': "
	  "expected an AS number between 1 and 4294967295 (asplain or asdot), "
	  "not 23456, got \" 1\"", 0, 0, 0, 0 },
	{ "podbgp.io/router-id", "0.0.0.0", "node 'n': annotation "
	  "'podbgp.io/router-id': expected a non-zero IPv4 address, got "
	  "\"0.0.0.0\"", 0, 0, 0, 0 },
	{ "podbgp.io/router-id", "2001:db8::1", "node 'n': annotation "
	  "'podbgp.io/router-id': expected a non-zero IPv4 address, got "
	  "\"2001:db8::1\"", 0, 0, 0, 0 },
	{ "podbgp.io/cluster-id", "", "node 'n': annotation "
	  "'podbgp.io/cluster-id': expected a non-zero IPv4 address, got "
	  "\"\"", 0, 0, 0, 0 },
	{ "podbgp.io/router_id", "1.2.3.4", "node 'n': unknown annotation "
	  "'podbgp.io/router_id' (did you mean 'podbgp.io/router-id'?)", 0, 0,
	  0, 0 },
	{ "podbgp.io/peer", "x", "node 'n': unknown annotation "
	  "'podbgp.io/peer' (known: podbgp.io/asn, podbgp.io/router-id, "
	  "podbgp.io/cluster-id, podbgp.io/peers, podbgp.io/communities, "
	  "podbgp.io/pod-cidrs)", 0, 0, 0, 0 },
	/* kube-router's: read, or dropped like any other's */
	{ "kube-router.io/node.asn", "64512", NULL, 64512, 0, 0, 1 },
	{ "kube-router.io/rr.server", "42", NULL, 0, 0, 42, 1 },
	{ "kube-router.io/rr.server", "0x2a", NULL, 0, 0, 42, 1 },
	{ "kube-router.io/rr.client", "10.0.0.1", NULL, 0, 0, 0x0a000001, 1 },
	{ "kube-router.io/path-prepend.as", "65000", NULL, 0, 0, 0, 0 },
	{ "kube-router.io/bgp-local-addresses", "x", NULL, 0, 0, 0, 0 },
	{ "kube-router.io/node.asn", "64512x", "node 'n': annotation "
	  "'kube-router.io/node.asn': expected an AS number between 1 and "
	  "4294967295 (asplain or asdot), not 23456, got \"64512x\"", 0, 0,
	  0, 0 },
	{ "kube-router.io/rr.client", "0", "node 'n': annotation "
	  "'kube-router.io/rr.client': expected a non-zero cluster ID (a "
	  "number or an IPv4 address), got \"0\"", 0, 0, 0, 0 },
	{ "kube-router.io/peer.ips", "192.0.2.1,x", "node 'n': annotation "
	  "'kube-router.io/peer.ips': expected IPv4 or IPv6 addresses "
	  "separated by commas, got \"x\"", 0, 0, 0, 0 },
	{ "kube-router.io/peer.ports", ",0", "node 'n': annotation "
	  "'kube-router.io/peer.ports': expected ports (1-65535) separated by "
	  "commas, got \"0\"", 0, 0, 0, 0 },
	/* the value itself is never shown: it may be half a password */
	{ "kube-router.io/peer.passwords", "c2VjcmV0,s3cr3t!", "node 'n': "
	  "annotation 'kube-router.io/peer.passwords': password 2: expected 1 "
	  "to 80 bytes in base64", 0, 0, 0, 0 },
	{ "podbgp.io/communities", "65000:70000", "node 'n': annotation "
	  "'podbgp.io/communities': expected communities as ASN:VALUE (each "
	  "0-65535), a 32-bit number or a name such as no-export, separated "
	  "by commas, got \"65000:70000\"", 0, 0, 0, 0 },
	{ "podbgp.io/pod-cidrs", "10.0.0.1/8", "node 'n': annotation "
	  "'podbgp.io/pod-cidrs': pod CIDR 10.0.0.1/8 has host bits set (did "
	  "you mean 10.0.0.0/8?)", 0, 0, 0, 0 },
	{ "kube-router.io/pod-cidrs", "10.0.0.0/8,10.1.0.0/16", "node 'n': "
	  "annotation 'kube-router.io/pod-cidrs': two IPv4 pod CIDRs; at most "
	  "one per family", 0, 0, 0, 0 },
	{ "kube-router.io/pod-cidr", "10.0.0.0/8,fd00::/64", "node 'n': "
	  "annotation 'kube-router.io/pod-cidr': expected one pod CIDR, got "
	  "\"10.0.0.0/8,fd00::/64\"", 0, 0, 0, 0 },
	{ "podbgp.io/peers", "[", "node 'n': annotation 'podbgp.io/peers': "
	  "not YAML: did not find expected node content at line 2, column 1",
	  0, 0, 0, 0 },
	{ "podbgp.io/peers", "- {remoteip: 192.0.2.1, remoteasn: 1}\n---\n- "
	  "{remoteip: 192.0.2.2, remoteasn: 1}", "node 'n': annotation "
	  "'podbgp.io/peers': expected one YAML document", 0, 0, 0, 0 },
	{ "podbgp.io/peers", "remoteip: 192.0.2.1", "node 'n': annotation "
	  "'podbgp.io/peers': expected a YAML list of peers (- remoteip: ...; "
	  "remoteasn: ...)", 0, 0, 0, 0 },
	{ "podbgp.io/peers", "- remoteip: 192.0.2.1\n  remoteasn: 65000\n"
	  "  pasword: x", "node 'n': annotation 'podbgp.io/peers': peer 1: "
	  "unknown key 'pasword' (known: remoteip, remoteasn, localip, port, "
	  "password)", 0, 0, 0, 0 },
	{ "podbgp.io/peers", "- remoteip: 192.0.2.1", "node 'n': annotation "
	  "'podbgp.io/peers': peer 1: remoteasn is required", 0, 0, 0, 0 },
	{ "podbgp.io/peers", "- {remoteip: 192.0.2.1, remoteasn: 1}\n"
	  "- {remoteip: 192.0.2.1, remoteasn: 2}", "node 'n': annotation "
	  "'podbgp.io/peers': peer 192.0.2.1 is given twice", 0, 0, 0, 0 },
	{ "kube-router.io/peers", "- remoteip: 192.0.2.1\n  remoteasn: 65000\n"
	  "  password: not*base64", "node 'n': annotation "
	  "'kube-router.io/peers': peer 1: password: expected 1 to 80 bytes in "
	  "base64", 0, 0, 0, 0 },
};

START_TEST(annot_table)
{
	struct node	*n = mk("n", 0, NULL, NULL, NULL);
	int		 rc;

	err[0] = '\0';
	rc = node_set_annotation(n, annot_cases[_i].key,
	    annot_cases[_i].value, err, sizeof(err));
	if (annot_cases[_i].err == NULL)
		ck_assert_msg(rc == 0, "%s", err);
	else {
		ck_assert_int_eq(rc, -1);
		ck_assert_str_eq(err, annot_cases[_i].err);
	}
	ck_assert_uint_eq(n->asn, annot_cases[_i].asn);
	ck_assert_uint_eq(n->router_id, annot_cases[_i].router_id);
	ck_assert_uint_eq(n->cluster_id, annot_cases[_i].cluster_id);
	ck_assert_uint_eq(n->nannots, annot_cases[_i].kept);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);
}
END_TEST

START_TEST(annot_twice)
{
	struct node	*n = mk("n", 0, NULL, NULL, NULL);

	ck_assert_int_eq(node_set_annotation(n, NODE_ANNOT_ASN, "1", err,
	    sizeof(err)), 0);
	ck_assert_int_eq(node_set_annotation(n, NODE_ANNOT_ASN, "2", err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': annotation 'podbgp.io/asn' is given "
	    "twice");
	ck_assert_uint_eq(n->asn, 1);
	node_free(n);
}
END_TEST

/* Records edited by hand, as a buggy source could produce them. */
START_TEST(validate_by_hand)
{
	struct node	*n;
	char		 long_name[300];

	n = mk("Bad", 0, NULL, NULL, NULL);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'Bad': the name is not a DNS-1123 "
	    "subdomain (at most 253 lower-case letters, digits, '-' and '.', "
	    "each dot-separated part starting and ending with a letter or "
	    "digit)");
	node_free(n);

	/* a long name is cut in messages, and control bytes shown as '?' */
	memset(long_name, 'a', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = '\0';
	long_name[1] = '\n';
	n = mk(long_name, 0, NULL, NULL, NULL);
	ck_assert_int_eq(node_add_address(n, "x", err, sizeof(err)), -1);
	/* 2 + 62 bytes of the name, then "..." */
	ck_assert_str_eq(err, "node 'a?"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...': address: "
	    "expected an IPv4 or IPv6 address, got \"x\"");
	node_free(n);

	n = mk("n", 0, "10.244.1.0/24", NULL, NULL);
	n->cidrs[0].addr[3] = 1;
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': pod CIDR 10.244.1.1/24 has host bits "
	    "set");
	node_free(n);

	n = mk("n", 0, "10.244.1.0/24", NULL, NULL);
	n->cidrs[1] = n->cidrs[0];
	n->cidrs[1].addr[2] = 2;
	n->ncidrs = 2;
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': two IPv4 pod CIDRs; at most one per "
	    "family");
	node_free(n);

	n = mk("n", 0, NULL, NULL, "192.0.2.1");
	ck_assert_int_eq(node_add_address(n, "192.0.2.2", err, sizeof(err)),
	    0);
	n->addrs[1] = n->addrs[0];
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': address 192.0.2.1 is given twice");
	node_free(n);

	n = mk("n", 0, NULL, NULL, NULL);
	ck_assert_int_eq(node_set_annotation(n, NODE_ANNOT_ASN, "64513", err,
	    sizeof(err)), 0);
	n->asn = 64514;
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': the parsed AS number does not "
	    "match the annotations");
	node_free(n);

	n = mk("n", 0, NULL, NULL, NULL);
	n->router_id = 1;	/* no annotation says so */
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': the parsed router ID does not "
	    "match the annotations");
	node_free(n);

	n = mk("n", 0, NULL, NULL, NULL);
	ck_assert_int_eq(node_set_annotation(n, NODE_ANNOT_PEERS,
	    "- {remoteip: 192.0.2.1, remoteasn: 65000, password: pw}", err,
	    sizeof(err)), 0);
	n->peers[0].port = 1179;
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': the parsed peer list does not "
	    "match the annotations");
	node_free(n);

	n = mk("n", 0, NULL, NULL, NULL);
	n->cidrs_annotated = true;
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': the parsed pod CIDR list does not "
	    "match the annotations");
	node_free(n);
}
END_TEST

static struct node *
annotated(const char *const *kv)
{
	struct node	*n = mk("n", 0, NULL, NULL, NULL);

	for (; kv[0] != NULL; kv += 2)
		ck_assert_msg(node_set_annotation(n, kv[0], kv[1], err,
		    sizeof(err)) == 0, "%s", err);
	return n;
}

static void
assert_peer(const struct node *n, size_t i, const char *addr, uint32_t asn,
    const char *password, uint16_t port, const char *local)
{
	char	t[IPADDR_STRLEN];

	ck_assert_uint_gt(n->npeers, i);
	ck_assert_str_eq(ipaddr_fmt(&n->peers[i].addr, t, sizeof(t)), addr);
	ck_assert_uint_eq(n->peers[i].asn, asn);
	if (password == NULL)
		ck_assert_ptr_null(n->peers[i].password);
	else
		ck_assert_str_eq(n->peers[i].password, password);
	ck_assert_uint_eq(n->peers[i].port, port);
	if (local == NULL)
		ck_assert_int_eq(n->peers[i].local_addr.family, 0);
	else
		ck_assert_str_eq(ipaddr_fmt(&n->peers[i].local_addr, t,
		    sizeof(t)), local);
}

/* kube-router's annotations as a cluster moving over has them. */
START_TEST(kube_router_peers)
{
	/* printf 'SecurePassword' | base64 */
	static const char *const yaml[] = {
		NODE_KR_PEERS, "- remoteip: 192.168.1.99\n"
		"  remoteasn: 65000\n  password: U2VjdXJlUGFzc3dvcmQ=\n"
		"  localip: 192.168.1.10\n  port: 1179\n"
		"  future-option: 1\n"
		"- remoteip: 2001:db8::99\n  remoteasn: \"65001\"\n"
		"  port: 179\n", NULL };
	static const char *const lists[] = {
		NODE_KR_PEER_PORTS, ",1179",
		NODE_KR_PEER_IPS, "192.168.1.100, 192.168.1.99",
		NODE_KR_PEER_PASSWORDS, "U2VjdXJlUGFzc3dvcmQ,",
		NODE_KR_PEER_ASNS, "65000,65002",
		NODE_KR_PEER_LOCALIPS, ",10.1.1.2", NULL };
	struct node	*n;

	n = annotated(yaml);
	ck_assert_uint_eq(n->npeers, 2);
	assert_peer(n, 0, "192.168.1.99", 65000, "SecurePassword", 1179,
	    "192.168.1.10");
	assert_peer(n, 1, "2001:db8::99", 65001, NULL, 0, NULL);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);

	/* one by one, in an order where peer.ips comes late */
	n = annotated(lists);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	ck_assert_uint_eq(n->npeers, 2);	/* sorted by address */
	assert_peer(n, 0, "192.168.1.99", 65002, NULL, 1179, "10.1.1.2");
	assert_peer(n, 1, "192.168.1.100", 65000, "SecurePassword", 0, NULL);
	node_free(n);
}
END_TEST

START_TEST(kube_router_peer_lists_mismatch)
{
	static const char *const two_one[] = {
		NODE_KR_PEER_IPS, "192.0.2.1,192.0.2.2",
		NODE_KR_PEER_ASNS, "65000", NULL };
	static const char *const ports[] = {
		NODE_KR_PEER_IPS, "192.0.2.1,192.0.2.2",
		NODE_KR_PEER_ASNS, "65000,65000",
		NODE_KR_PEER_PASSWORDS, "c2VjcmV0", NULL };
	static const char *const no_asns[] = {
		NODE_KR_PEER_IPS, "192.0.2.1", NULL };
	struct node	*n;

	/* each is fine alone; together they are not, and validate says so */
	n = annotated(two_one);
	ck_assert_uint_eq(n->npeers, 0);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': annotations 'kube-router.io/peer.ips' "
	    "and 'kube-router.io/peer.asns' give 2 addresses and 1 AS numbers; "
	    "they go in pairs");
	node_free(n);

	n = annotated(ports);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	ck_assert_str_eq(err, "node 'n': annotation "
	    "'kube-router.io/peer.passwords' gives 1 entries for 2 peers "
	    "(leave an entry blank for none)");
	ck_assert_ptr_null(strstr(err, "c2VjcmV0"));
	node_free(n);

	n = annotated(no_asns);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), -1);
	node_free(n);
}
END_TEST

/* podbgp.io's value wins, whichever annotation was set first. */
START_TEST(precedence)
{
	static const char *const asn1[] = { NODE_KR_ASN, "64512",
	    NODE_ANNOT_ASN, "64513", NULL };
	static const char *const asn2[] = { NODE_ANNOT_ASN, "64513",
	    NODE_KR_ASN, "64512", NULL };
	static const char *const peers[] = {
		NODE_KR_PEER_IPS, "192.0.2.1", NODE_KR_PEER_ASNS, "65000",
		NODE_ANNOT_PEERS, "- remoteip: 192.0.2.9\n  remoteasn: 65009\n"
		"  password: plain text\n",
		NODE_KR_PEERS, "- {remoteip: 192.0.2.5, remoteasn: 65005}", NULL };
	static const char *const kr_peers[] = {
		NODE_KR_PEERS, "- {remoteip: 192.0.2.5, remoteasn: 65005}",
		NODE_KR_PEER_IPS, "192.0.2.1,192.0.2.2",
		NODE_KR_PEER_ASNS, "65000", NULL };	/* inconsistent, unread */
	static const char *const empty[] = { NODE_ANNOT_PEERS, "",
	    NODE_KR_PEERS, "- {remoteip: 192.0.2.5, remoteasn: 65005}",
	    NODE_ANNOT_COMMUNITIES, "", NODE_KR_COMMUNITIES, "no-export",
	    NULL };
	static const char *const rr[] = { NODE_KR_RR_CLIENT, "7",
	    NODE_KR_RR_SERVER, "42", NULL };
	static const char *const rr_cid[] = { NODE_KR_RR_SERVER, "42",
	    NODE_ANNOT_CLUSTER_ID, "10.0.0.1", NULL };
	struct node	*n;

	n = annotated(asn1);
	ck_assert_uint_eq(n->asn, 64513);
	node_free(n);
	n = annotated(asn2);
	ck_assert_uint_eq(n->asn, 64513);
	ck_assert_uint_eq(n->nannots, 2);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);

	n = annotated(peers);
	ck_assert_uint_eq(n->npeers, 1);
	assert_peer(n, 0, "192.0.2.9", 65009, "plain text", 0, NULL);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);

	n = annotated(kr_peers);
	ck_assert_uint_eq(n->npeers, 1);
	assert_peer(n, 0, "192.0.2.5", 65005, NULL, 0, NULL);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);

	/* present but empty still wins: a way to drop kube-router's */
	n = annotated(empty);
	ck_assert_uint_eq(n->npeers, 0);
	ck_assert_uint_eq(n->ncommunities, 0);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);

	n = annotated(rr);
	ck_assert_int_eq(n->rr_role, NODE_RR_SERVER);
	ck_assert_uint_eq(n->cluster_id, 42);
	node_free(n);
	n = annotated(rr_cid);
	ck_assert_int_eq(n->rr_role, NODE_RR_SERVER);
	ck_assert_uint_eq(n->cluster_id, 0x0a000001);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);
}
END_TEST

START_TEST(communities)
{
	static const char *const c[] = { NODE_KR_COMMUNITIES,
	    "no-export, 65000:100,4294967041,NO-PEER, 0", NULL };
	struct node	*n;

	n = annotated(c);
	ck_assert_uint_eq(n->ncommunities, 4);	/* no-export given twice */
	ck_assert_uint_eq(n->communities[0], 0);
	ck_assert_uint_eq(n->communities[1], 65000u << 16 | 100);
	ck_assert_uint_eq(n->communities[2], 0xffffff01);
	ck_assert_uint_eq(n->communities[3], 0xffffff04);
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);
}
END_TEST

/* An annotation's pod CIDRs override the spec's, in either order. */
START_TEST(pod_cidr_override)
{
	struct node	*n;
	char		 t[PREFIX_STRLEN];

	n = mk("n", 0, "10.244.1.0/24", NULL, NULL);
	ck_assert_int_eq(node_set_annotation(n, NODE_KR_POD_CIDRS,
	    "fd00:5::/64,10.5.0.0/24", err, sizeof(err)), 0);
	ck_assert_uint_eq(n->ncidrs, 2);
	ck_assert_str_eq(prefix_fmt(&n->cidrs[0], t, sizeof(t)),
	    "10.5.0.0/24");
	ck_assert_str_eq(prefix_fmt(&n->cidrs[1], t, sizeof(t)),
	    "fd00:5::/64");
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);

	n = mk("n", 0, NULL, NULL, NULL);
	ck_assert_int_eq(node_set_annotation(n, NODE_KR_POD_CIDR,
	    "10.6.0.0/24", err, sizeof(err)), 0);
	ck_assert_int_eq(node_set_annotation(n, NODE_ANNOT_POD_CIDRS,
	    "10.7.0.0/24", err, sizeof(err)), 0);
	/* the spec's is still checked, but not kept */
	ck_assert_int_eq(node_add_pod_cidr(n, "10.244.1.1/24", err,
	    sizeof(err)), -1);
	ck_assert_int_eq(node_add_pod_cidr(n, "10.244.1.0/24", err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(n->ncidrs, 1);
	ck_assert_str_eq(prefix_fmt(&n->cidrs[0], t, sizeof(t)),
	    "10.7.0.0/24");
	ck_assert_int_eq(node_validate(n, err, sizeof(err)), 0);
	node_free(n);
}
END_TEST

/* Peers take part in equality and copies; a change says what moved. */
START_TEST(peers_changes)
{
	static const char *const a_kv[] = { NODE_ANNOT_PEERS,
	    "- {remoteip: 192.0.2.1, remoteasn: 65000, password: one}",
	    NODE_ANNOT_COMMUNITIES, "65000:1", NULL };
	static const char *const b_kv[] = { NODE_ANNOT_PEERS,
	    "- {remoteip: 192.0.2.1, remoteasn: 65000, password: two}",
	    NODE_ANNOT_COMMUNITIES, "65000:1", NULL };
	struct node	*a, *b, *c;

	a = annotated(a_kv);
	b = annotated(b_kv);
	ck_assert_ptr_nonnull(c = node_copy(a));
	ck_assert(node_equal(a, c));
	ck_assert_ptr_ne(c->peers[0].password, a->peers[0].password);
	ck_assert_int_eq(node_validate(c, err, sizeof(err)), 0);
	ck_assert_uint_eq(node_changes(a, b), NODE_CH_PEERS | NODE_CH_ANNOTS);
	ck_assert(!node_equal(a, b));
	node_free(a);
	node_free(b);
	node_free(c);
}
END_TEST

static struct node *
full(const char *name)
{
	struct node	*n;

	n = mk(name, 7, "10.244.1.0/24", "fd00:1::/64", "192.0.2.1");
	ck_assert_int_eq(node_add_address(n, "2001:db8::1", err, sizeof(err)),
	    0);
	ck_assert_int_eq(node_set_label(n, "podbgp.io/route-reflector",
	    "true", err, sizeof(err)), 0);
	ck_assert_int_eq(node_set_annotation(n, NODE_ANNOT_ASN, "64513", err,
	    sizeof(err)), 0);
	return n;
}

START_TEST(copy_and_equal)
{
	struct node	*a, *b;

	a = full("n");
	ck_assert_ptr_nonnull(b = node_copy(a));
	ck_assert(node_equal(a, b));
	ck_assert_uint_eq(b->seq, 7);
	ck_assert_str_eq(node_label(b, "podbgp.io/route-reflector"), "true");
	ck_assert_uint_eq(b->asn, 64513);
	ck_assert_int_eq(node_validate(b, err, sizeof(err)), 0);
	/* age is not content: a relist must not see a change */
	b->seq = 99;
	ck_assert(node_equal(a, b));
	node_free(b);

	/* each aspect on its own */
	b = node_copy(a);
	b->cidrs[0].addr[2] = 9;
	ck_assert_uint_eq(node_changes(a, b), NODE_CH_CIDRS);
	node_free(b);
	b = node_copy(a);
	b->ncidrs = 1;
	ck_assert_uint_eq(node_changes(a, b), NODE_CH_CIDRS);
	node_free(b);
	b = node_copy(a);
	b->addrs[0] = a->addrs[1];
	b->addrs[1] = a->addrs[0];	/* order: the first is the next hop */
	ck_assert_uint_eq(node_changes(a, b), NODE_CH_ADDRS);
	node_free(b);
	b = node_copy(a);
	free(b->labels[0].value);
	b->labels[0].value = strdup("false");
	ck_assert_uint_eq(node_changes(a, b), NODE_CH_LABELS);
	ck_assert(!node_equal(a, b));
	node_free(b);
	b = node_copy(a);
	ck_assert_int_eq(node_set_annotation(b, NODE_ANNOT_ROUTER_ID,
	    "192.0.2.1", err, sizeof(err)), 0);
	ck_assert_uint_eq(node_changes(a, b), NODE_CH_ANNOTS);
	node_free(b);
	/* other annotations are not kept, so they cannot cause a change */
	b = node_copy(a);
	ck_assert_int_eq(node_set_annotation(b, "example.com/x", "y", err,
	    sizeof(err)), 0);
	ck_assert(node_equal(a, b));
	node_free(b);
	b = full("m");
	ck_assert_uint_eq(node_changes(a, b), 0);
	ck_assert(!node_equal(a, b));	/* another node */
	node_free(b);
	node_free(a);
}
END_TEST

static struct node_set *
set_of(struct node *n, ...)
{
	struct node_set	*s;
	va_list		 ap;

	ck_assert_ptr_nonnull(s = node_set_new());
	va_start(ap, n);
	for (; n != NULL; n = va_arg(ap, struct node *))
		ck_assert_int_eq(node_set_add(s, n), 0);
	va_end(ap);
	return s;
}

START_TEST(set_basics)
{
	struct node_set	*s;
	struct node	*c, *dup;

	s = set_of(mk("c", 1, NULL, NULL, NULL), mk("a", 2, NULL, NULL, NULL),
	    mk("b", 3, NULL, NULL, NULL), NULL);
	ck_assert_uint_eq(s->n, 3);
	ck_assert_str_eq(s->v[0]->name, "a");
	ck_assert_str_eq(s->v[1]->name, "b");
	ck_assert_str_eq(s->v[2]->name, "c");
	ck_assert_uint_eq(node_set_find(s, "b")->seq, 3);
	ck_assert_ptr_null(node_set_find(s, "d"));
	dup = mk("b", 4, NULL, NULL, NULL);
	ck_assert_int_eq(node_set_add(s, dup), 1);
	ck_assert_uint_eq(node_set_find(s, "b")->seq, 3);
	node_free(dup);
	ck_assert_ptr_nonnull(c = node_set_take(s, "c"));
	ck_assert_str_eq(c->name, "c");
	ck_assert_uint_eq(s->n, 2);
	ck_assert_ptr_null(node_set_take(s, "c"));
	node_free(c);
	node_set_free(s);
	node_set_free(NULL);
}
END_TEST

START_TEST(diff)
{
	struct node_set		*old, *new;
	struct node_diff	*d;
	struct node		*b2;

	old = set_of(mk("a", 1, "10.0.1.0/24", NULL, "192.0.2.1"),
	    mk("b", 2, "10.0.2.0/24", NULL, "192.0.2.2"),
	    mk("c", 3, "10.0.3.0/24", NULL, "192.0.2.3"),
	    mk("d", 4, NULL, NULL, NULL), NULL);
	b2 = mk("b", 2, "10.0.2.0/24", NULL, "192.0.2.22");
	ck_assert_int_eq(node_set_label(b2, "x", "y", err, sizeof(err)), 0);
	new = set_of(mk("a", 1, "10.0.1.0/24", NULL, "192.0.2.1"), b2,
	    mk("d", 40, NULL, NULL, NULL), mk("e", 5, NULL, NULL, NULL), NULL);
	ck_assert_ptr_nonnull(d = node_set_diff(old, new));
	ck_assert_uint_eq(d->nadded, 1);
	ck_assert_str_eq(d->added[0]->name, "e");
	ck_assert_uint_eq(d->nremoved, 1);
	ck_assert_str_eq(d->removed[0]->name, "c");
	ck_assert_uint_eq(d->nchanged, 1);
	ck_assert_str_eq(d->changed[0].old->name, "b");
	ck_assert_ptr_eq(d->changed[0].new, b2);
	ck_assert_uint_eq(d->changed[0].what, NODE_CH_ADDRS | NODE_CH_LABELS);
	ck_assert(!node_diff_empty(d));
	node_diff_free(d);

	/* a set against itself, and against an equal copy: nothing */
	ck_assert_ptr_nonnull(d = node_set_diff(new, new));
	ck_assert(node_diff_empty(d));
	node_diff_free(d);
	ck_assert(node_set_equal(new, new));
	ck_assert(!node_set_equal(old, new));
	node_set_free(old);

	old = node_set_new();
	ck_assert_ptr_nonnull(d = node_set_diff(old, new));
	ck_assert_uint_eq(d->nadded, 4);
	ck_assert_uint_eq(d->nremoved + d->nchanged, 0);
	node_diff_free(d);
	ck_assert_ptr_nonnull(d = node_set_diff(new, old));
	ck_assert_uint_eq(d->nremoved, 4);
	ck_assert_str_eq(d->removed[3]->name, "e");
	node_diff_free(d);
	node_set_free(old);
	node_set_free(new);
}
END_TEST

START_TEST(keep_age)
{
	struct node_set	*old, *cur;

	old = set_of(mk("a", 10, NULL, NULL, NULL), mk("b", 20, NULL, NULL,
	    NULL), NULL);
	/* reload: z placed first, y later, a moved down */
	cur = set_of(mk("z", 1, NULL, NULL, NULL), mk("b", 2, NULL, NULL,
	    NULL), mk("a", 3, NULL, NULL, NULL), mk("y", 4, NULL, NULL, NULL),
	    NULL);
	node_set_keep_age(cur, old);
	ck_assert_uint_eq(node_set_find(cur, "a")->seq, 10);
	ck_assert_uint_eq(node_set_find(cur, "b")->seq, 20);
	ck_assert_uint_eq(node_set_find(cur, "z")->seq, 21);
	ck_assert_uint_eq(node_set_find(cur, "y")->seq, 22);
	node_set_free(old);
	node_set_free(cur);
}
END_TEST

START_TEST(overlaps)
{
	struct node_set		*s;
	struct node_overlap	*ov;
	size_t			 n;
	char			 t[PREFIX_STRLEN];

	s = set_of(mk("a", 5, "10.0.0.0/24", "fd00::/64", NULL),
	    mk("b", 1, "10.0.0.128/25", NULL, NULL),	/* older, inside a */
	    mk("c", 9, "10.0.1.0/24", "fd00::/48", NULL),	/* covers a */
	    mk("d", 9, "10.0.1.0/24", NULL, NULL),	/* c's, same age */
	    mk("e", 2, "10.0.2.0/24", "fd00:1::/64", NULL), NULL);
	ck_assert_int_eq(node_set_overlaps(s, &ov, &n), 0);
	ck_assert_uint_eq(n, 3);
	/* sorted by the loser's CIDR */
	ck_assert_str_eq(ov[0].loser->name, "a");
	ck_assert_str_eq(prefix_fmt(&ov[0].loser_cidr, t, sizeof(t)),
	    "10.0.0.0/24");
	ck_assert_str_eq(ov[0].winner->name, "b");
	ck_assert_str_eq(prefix_fmt(&ov[0].winner_cidr, t, sizeof(t)),
	    "10.0.0.128/25");
	ck_assert_str_eq(ov[1].loser->name, "d");	/* tie: name decides */
	ck_assert_str_eq(ov[1].winner->name, "c");
	ck_assert_str_eq(ov[2].loser->name, "c");
	ck_assert_str_eq(prefix_fmt(&ov[2].loser_cidr, t, sizeof(t)),
	    "fd00::/48");
	ck_assert_str_eq(ov[2].winner->name, "a");
	free(ov);
	node_set_free(s);

	s = set_of(mk("a", 1, "10.0.0.0/24", NULL, NULL),
	    mk("b", 2, "10.0.1.0/24", NULL, NULL), NULL);
	ck_assert_int_eq(node_set_overlaps(s, &ov, &n), 0);
	ck_assert_uint_eq(n, 0);
	ck_assert_ptr_null(ov);
	node_set_free(s);
}
END_TEST

Suite *
node_suite(void)
{
	Suite	*s = suite_create("node");
	TCase	*tc;

	tc = tcase_create("fields");
	tcase_add_loop_test(tc, name_table, 0,
	    sizeof(names) / sizeof(names[0]));
	tcase_add_test(tc, name_length);
	tcase_add_loop_test(tc, cidr_table, 0,
	    sizeof(cidr_cases) / sizeof(cidr_cases[0]));
	tcase_add_test(tc, cidrs_sorted);
	tcase_add_test(tc, addresses);
	tcase_add_loop_test(tc, label_table, 0,
	    sizeof(label_cases) / sizeof(label_cases[0]));
	tcase_add_test(tc, labels_sorted_unique_bounded);
	tcase_add_loop_test(tc, annot_table, 0,
	    sizeof(annot_cases) / sizeof(annot_cases[0]));
	tcase_add_test(tc, annot_twice);
	tcase_add_test(tc, validate_by_hand);
	tcase_add_test(tc, kube_router_peers);
	tcase_add_test(tc, kube_router_peer_lists_mismatch);
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, communities);
	tcase_add_test(tc, pod_cidr_override);
	tcase_add_test(tc, peers_changes);
	suite_add_tcase(s, tc);

	tc = tcase_create("sets");
	tcase_add_test(tc, copy_and_equal);
	tcase_add_test(tc, set_basics);
	tcase_add_test(tc, diff);
	tcase_add_test(tc, keep_age);
	tcase_add_test(tc, overlaps);
	suite_add_tcase(s, tc);
	return s;
}
