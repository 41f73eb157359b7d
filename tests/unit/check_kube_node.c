/*
 * kube_node suite: what podbgpd gets from the API server's JSON: the
 * nodes of a list page with the resourceVersion and continue token, each
 * watch event, bad nodes named and left out, bad documents refused with a
 * message that says where.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_unit.h"
#include "kube_node.h"

static char	err[KUBE_ERR_LEN];

/* A realistic Node, as the API server writes it (keys in Go's order). */
#define NODE_A \
	"{\"metadata\":{\"name\":\"worker-a\",\"uid\":\"3b1f\"," \
	"\"resourceVersion\":\"1001\",\"creationTimestamp\":" \
	"\"2024-05-01T10:00:00Z\",\"labels\":{\"kubernetes.io/os\":\"linux\"," \
	"\"rack\":\"r1\"},\"annotations\":{\"node.alpha.kubernetes.io/ttl\":" \
	"\"0\",\"podbgp.io/asn\":\"64513\"},\"managedFields\":[{\"manager\":" \
	"\"kubelet\",\"fieldsV1\":{\"f:metadata\":{\"f:labels\":{\".\":{}}}}}]}," \
	"\"spec\":{\"podCIDR\":\"10.244.1.0/24\",\"podCIDRs\":" \
	"[\"10.244.1.0/24\",\"fd00:10:244:1::/64\"],\"taints\":[{\"key\":\"k\"," \
	"\"effect\":\"NoSchedule\"}]},\"status\":{\"capacity\":{\"cpu\":\"4\"}," \
	"\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]," \
	"\"addresses\":[{\"type\":\"InternalIP\",\"address\":\"192.0.2.11\"}," \
	"{\"type\":\"Hostname\",\"address\":\"worker-a\"},{\"type\":" \
	"\"InternalIP\",\"address\":\"2001:db8::11\"}],\"images\":[{\"names\":" \
	"[\"registry/x@sha256:00\",\"registry/x:1\"],\"sizeBytes\":123}]," \
	"\"nodeInfo\":{\"kernelVersion\":\"6.1\"}}}"

/* Keys in another order, no spaces, status before metadata. */
#define NODE_B \
	"{\"status\":{\"addresses\":[{\"address\":\"192.0.2.12\",\"type\":" \
	"\"InternalIP\"}]},\"spec\":{\"podCIDR\":\"10.244.2.0/24\"}," \
	"\"metadata\":{\"creationTimestamp\":\"2024-05-01T09:00:00Z\"," \
	"\"name\":\"worker-b\"}}"

static struct node *
page_node(struct kube_page *pg, const char *name)
{
	struct node	*n;

	n = node_set_find(pg->nodes, name);
	ck_assert_msg(n != NULL, "no node %s", name);
	return n;
}

static void
assert_cidr(const struct node *n, size_t i, const char *want)
{
	char	t[PREFIX_STRLEN];

	ck_assert_uint_gt(n->ncidrs, i);
	ck_assert_str_eq(prefix_fmt(&n->cidrs[i], t, sizeof(t)), want);
}

static void
assert_addr(const struct node *n, size_t i, const char *want)
{
	char	t[IPADDR_STRLEN];

	ck_assert_uint_gt(n->naddrs, i);
	ck_assert_str_eq(ipaddr_fmt(&n->addrs[i], t, sizeof(t)), want);
}

START_TEST(list_page)
{
	static const char	doc[] = "{\"kind\":\"NodeList\",\"apiVersion\":"
	    "\"v1\",\"metadata\":{\"resourceVersion\":\"123\",\"continue\":"
	    "\"tok\",\"remainingItemCount\":5},\"items\":[" NODE_A ","
	    NODE_B "]}\n";
	struct kube_page	 pg;
	struct node		*n;

	ck_assert_msg(kube_parse_node_list(doc, strlen(doc), &pg, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_str_eq(pg.resource_version, "123");
	ck_assert_str_eq(pg.cont, "tok");
	ck_assert_uint_eq(pg.nskipped, 0);
	ck_assert_uint_eq(pg.nodes->n, 2);

	n = page_node(&pg, "worker-a");
	ck_assert_uint_eq(n->seq, 1714557600);
	ck_assert_uint_eq(n->ncidrs, 2);
	assert_cidr(n, 0, "10.244.1.0/24");
	assert_cidr(n, 1, "fd00:10:244:1::/64");
	ck_assert_uint_eq(n->naddrs, 2);
	assert_addr(n, 0, "192.0.2.11");
	assert_addr(n, 1, "2001:db8::11");
	ck_assert_uint_eq(n->nlabels, 2);
	ck_assert_str_eq(node_label(n, "rack"), "r1");
	ck_assert_uint_eq(n->asn, 64513);
	ck_assert_uint_eq(n->nannots, 1);	/* only podbgp's are kept */

	n = page_node(&pg, "worker-b");
	ck_assert_uint_eq(n->seq, 1714557600 - 3600);
	ck_assert_uint_eq(n->ncidrs, 1);
	assert_cidr(n, 0, "10.244.2.0/24");
	assert_addr(n, 0, "192.0.2.12");
	kube_page_clear(&pg);
	ck_assert_ptr_null(pg.nodes);
}
END_TEST

START_TEST(list_last_page)
{
	/* items before metadata and kind; an empty continue: the last page */
	static const char	doc[] = "{\"items\":[],\"metadata\":"
	    "{\"continue\":\"\",\"resourceVersion\":\"9\"},\"kind\":"
	    "\"NodeList\"}";
	static const char	doc2[] = "{ \"kind\" : \"NodeList\" , "
	    "\"metadata\" : { } , \"items\" : null }";
	struct kube_page	pg;

	ck_assert_msg(kube_parse_node_list(doc, strlen(doc), &pg, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(pg.nodes->n, 0);
	ck_assert_str_eq(pg.resource_version, "9");
	ck_assert(pg.cont == NULL || pg.cont[0] == '\0');
	kube_page_clear(&pg);

	ck_assert_msg(kube_parse_node_list(doc2, strlen(doc2), &pg, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(pg.nodes->n, 0);
	ck_assert_ptr_null(pg.resource_version);
	ck_assert_ptr_null(pg.cont);
	kube_page_clear(&pg);
}
END_TEST

/* Items of a list page; the name skipped ("" for none) and why. */
static const struct {
	const char	*item;
	const char	*name;		/* NULL: loaded */
	const char	*why;
} item_cases[] = {
	{ "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"podCIDR\":"
	  "\"10.244.1.1/24\"}}", "n",
	  "pod CIDR 10.244.1.1/24 has host bits set (did you mean "
	  "10.244.1.0/24?)" },
	{ "{\"metadata\":{\"name\":\"n\"},\"status\":{\"addresses\":"
	  "[{\"type\":\"InternalIP\",\"address\":\"bogus\"}]}}", "n",
	  "address: expected an IPv4 or IPv6 address, got \"bogus\"" },
	/* only InternalIP is read */
	{ "{\"metadata\":{\"name\":\"n\"},\"status\":{\"addresses\":"
	  "[{\"type\":\"Hostname\",\"address\":\"bogus\"}]}}", NULL, NULL },
	{ "{\"metadata\":{\"name\":\"n\",\"annotations\":{\"podbgp.io/asn\":"
	  "\"0\"}}}", "n",
	  "annotation 'podbgp.io/asn': expected an AS number between 1 and "
	  "4294967295 (asplain or asdot), not 23456, got \"0\"" },
	{ "{\"metadata\":{\"uid\":\"x\"}}", "", "no metadata.name" },
	{ "{\"metadata\":{\"name\":null}}", "", "no metadata.name" },
	{ "{\"metadata\":{\"name\":\"Bad_Name\"}}", "",
	  "the name is not a DNS-1123 subdomain (at most 253 lower-case "
	  "letters, digits, '-' and '.')" },
	{ "{\"metadata\":{\"name\":\"n\",\"creationTimestamp\":\"yesterday\"}}",
	  "n", "metadata.creationTimestamp \"yesterday\" is not an RFC 3339 "
	  "time after 1970" },
	{ "{\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":[1]}}}", "n",
	  "metadata.labels: the value of 'a' is not a string" },
	{ "{\"metadata\":{\"name\":\"n\",\"labels\":{\"a\":\"-x\"}}}", "n",
	  "label 'a': value \"-x\" is not empty or at most 63 letters, digits, "
	  "'-', '_', '.' starting and ending with a letter or digit" },
	{ "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"podCIDRs\":"
	  "\"10.0.0.0/8\"}}", "n", "spec.podCIDRs is not a list" },
	{ "{\"metadata\":{\"name\":\"n\"},\"spec\":{\"podCIDRs\":"
	  "[\"10.0.0.0/8\",\"10.1.0.0/16\"]}}", "n",
	  "pod CIDR 10.1.0.0/16: the node has an IPv4 pod CIDR already "
	  "(10.0.0.0/8); at most one per family" },
	/* nulls are absent values */
	{ "{\"metadata\":{\"name\":\"n\",\"labels\":null,\"annotations\":null,"
	  "\"creationTimestamp\":null},\"spec\":{\"podCIDR\":null,"
	  "\"podCIDRs\":null},\"status\":{\"addresses\":null}}", NULL, NULL },
	{ "{\"metadata\":null,\"spec\":null,\"status\":null}", "",
	  "no metadata.name" },
};

START_TEST(item_table)
{
	char			 doc[2048];
	struct kube_page	 pg;

	snprintf(doc, sizeof(doc), "{\"kind\":\"NodeList\",\"items\":[%s,"
	    "{\"metadata\":{\"name\":\"good\"}}]}", item_cases[_i].item);
	ck_assert_msg(kube_parse_node_list(doc, strlen(doc), &pg, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_nonnull(node_set_find(pg.nodes, "good"));
	if (item_cases[_i].name == NULL) {
		ck_assert_uint_eq(pg.nskipped, 0);
		ck_assert_uint_eq(pg.nodes->n, 2);
	} else {
		ck_assert_uint_eq(pg.nodes->n, 1);
		ck_assert_uint_eq(pg.nskipped, 1);
		if (item_cases[_i].name[0] == '\0')
			ck_assert_ptr_null(pg.skipped[0].name);
		else
			ck_assert_str_eq(pg.skipped[0].name,
			    item_cases[_i].name);
		ck_assert_str_eq(pg.skipped[0].why, item_cases[_i].why);
	}
	kube_page_clear(&pg);
}
END_TEST

/* Documents refused as a whole, and the message. */
static const struct {
	const char	*doc;
	const char	*msg;
} bad_docs[] = {
	{ "", "byte 0 (the end): empty document: expected a JSON object" },
	{ "[]", "byte 0 (line 1, column 1): expected a JSON object" },
	{ "{\"kind\":\"NodeList\",\"items\":[}",
	  "byte 28 (line 1, column 29): JSON syntax error: did not find "
	  "expected node content while parsing a flow node" },
	{ "{\"kind\":\"NodeList\",\"items\":[]", "byte 29 (the end): JSON "
	  "syntax error: did not find expected ',' or '}' while parsing a "
	  "flow mapping" },
	{ "{\"kind\":\"NodeList\",\"items\":[]} {}", "byte 31 (line 1, column "
	  "32): JSON syntax error: did not find expected <document start>" },
	{ "{\"kind\":\"PodList\",\"items\":[]}",
	  "expected a NodeList, got kind \"PodList\"" },
	{ "{\"items\":[]}", "expected a NodeList, got an object without kind" },
	{ "{\"kind\":\"NodeList\"}", "a NodeList without items" },
	{ "{\"kind\":\"NodeList\",\"items\":{}}",
	  "byte 27 (line 1, column 28): expected a list for items" },
	{ "{\"kind\":\"NodeList\",\"items\":[1]}",
	  "byte 28 (line 1, column 29): expected an object (a Node) in items" },
	{ "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
	  "\"message\":\"too old resource version\",\"reason\":\"Expired\","
	  "\"code\":410}", "the API server answered with a Status: 410 "
	  "Expired: too old resource version" },
	{ "{\"kind\":\"NodeList\",\"items\":[],\"x\":\"\x01\"}",
	  "byte 35: cannot read JSON: control characters are not allowed" },
	{ "{\"kind\":\"NodeList\",\"items\":[*a]}",
	  "byte 28 (line 1, column 29): an alias is not JSON" },
};

START_TEST(bad_doc_table)
{
	struct kube_page	pg;

	ck_assert_int_eq(kube_parse_node_list(bad_docs[_i].doc,
	    strlen(bad_docs[_i].doc), &pg, err, sizeof(err)), -1);
	ck_assert_str_eq(err, bad_docs[_i].msg);
	ck_assert_ptr_null(pg.nodes);
	ck_assert_ptr_null(pg.resource_version);
	ck_assert_uint_eq(pg.nskipped, 0);
	kube_page_clear(&pg);
}
END_TEST

START_TEST(events)
{
	static const char	added[] = "{\"type\":\"ADDED\",\"object\":"
	    NODE_A "}\n";
	static const char	modified[] = "{\"object\":" NODE_B ",\"type\":"
	    "\"MODIFIED\"}";
	static const char	deleted[] = "{\"type\":\"DELETED\",\"object\":"
	    "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":"
	    "\"worker-b\",\"resourceVersion\":\"77\"}}}";
	static const char	bookmark[] = "{\"type\":\"BOOKMARK\",\"object\":"
	    "{\"kind\":\"Node\",\"apiVersion\":\"v1\",\"metadata\":"
	    "{\"resourceVersion\":\"12746\",\"creationTimestamp\":null,"
	    "\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}";
	static const char	error[] = "{\"type\":\"ERROR\",\"object\":"
	    "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
	    "\"status\":\"Failure\",\"message\":\"too old resource version: "
	    "1 (5)\",\"reason\":\"Expired\",\"code\":410}}";
	struct kube_event	ev;

	ck_assert_msg(kube_parse_event(added, strlen(added), &ev, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ev.type, KUBE_EV_ADDED);
	ck_assert_ptr_nonnull(ev.node);
	ck_assert_str_eq(ev.node->name, "worker-a");
	ck_assert_uint_eq(ev.node->ncidrs, 2);
	ck_assert_str_eq(ev.resource_version, "1001");
	kube_event_clear(&ev);
	ck_assert_ptr_null(ev.node);

	ck_assert_msg(kube_parse_event(modified, strlen(modified), &ev, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ev.type, KUBE_EV_MODIFIED);
	ck_assert_str_eq(ev.node->name, "worker-b");
	ck_assert_ptr_null(ev.resource_version);
	kube_event_clear(&ev);

	ck_assert_msg(kube_parse_event(deleted, strlen(deleted), &ev, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ev.type, KUBE_EV_DELETED);
	ck_assert_str_eq(ev.node->name, "worker-b");
	ck_assert_str_eq(ev.resource_version, "77");
	kube_event_clear(&ev);

	ck_assert_msg(kube_parse_event(bookmark, strlen(bookmark), &ev, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ev.type, KUBE_EV_BOOKMARK);
	ck_assert_ptr_null(ev.node);
	ck_assert_ptr_null(ev.why);
	ck_assert_str_eq(ev.resource_version, "12746");
	kube_event_clear(&ev);

	ck_assert_msg(kube_parse_event(error, strlen(error), &ev, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ev.type, KUBE_EV_ERROR);
	ck_assert_ptr_null(ev.node);
	ck_assert_int_eq(ev.code, 410);
	ck_assert_str_eq(ev.message, "too old resource version: 1 (5)");
	kube_event_clear(&ev);
}
END_TEST

START_TEST(event_bad_node)
{
	static const char	doc[] = "{\"type\":\"MODIFIED\",\"object\":"
	    "{\"spec\":{\"podCIDR\":\"10.0.0.1/8\"},\"metadata\":{\"name\":"
	    "\"worker-c\"}}}";
	static const char	noname[] = "{\"type\":\"ADDED\",\"object\":"
	    "{\"metadata\":{}}}";
	struct kube_event	ev;

	ck_assert_msg(kube_parse_event(doc, strlen(doc), &ev, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ev.type, KUBE_EV_MODIFIED);
	ck_assert_ptr_null(ev.node);
	ck_assert_str_eq(ev.name, "worker-c");
	ck_assert_str_eq(ev.why, "pod CIDR 10.0.0.1/8 has host bits set "
	    "(did you mean 10.0.0.0/8?)");
	kube_event_clear(&ev);

	ck_assert_msg(kube_parse_event(noname, strlen(noname), &ev, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_ptr_null(ev.node);
	ck_assert_ptr_null(ev.name);
	ck_assert_str_eq(ev.why, "no metadata.name");
	kube_event_clear(&ev);
}
END_TEST

static const struct {
	const char	*doc;
	const char	*msg;
} bad_events[] = {
	{ "{\"object\":{}}", "a watch event without type" },
	{ "{\"type\":\"ADDED\"}", "a ADDED event without object" },
	{ "{\"type\":\"RENAMED\",\"object\":{}}",
	  "unknown watch event type \"RENAMED\"" },
	{ "{\"type\":[],\"object\":{}}",
	  "byte 8 (line 1, column 9): expected a string for type" },
	{ "{\"type\":\"ADDED\",\"object\":[]}",
	  "byte 25 (line 1, column 26): expected an object for object" },
	{ "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":"
	  "{\"name\":\"p\"}}}", "expected a Node in the ADDED event, got kind "
	  "\"Pod\"" },
	{ "{\"type\":\"ADDED\",\"object\":{}}\n{\"type\":\"ADDED\"}",
	  "byte 29 (line 2, column 1): JSON syntax error: did not find "
	  "expected <document start>" },
};

START_TEST(bad_event_table)
{
	struct kube_event	ev;

	ck_assert_int_eq(kube_parse_event(bad_events[_i].doc,
	    strlen(bad_events[_i].doc), &ev, err, sizeof(err)), -1);
	ck_assert_str_eq(err, bad_events[_i].msg);
	ck_assert_ptr_null(ev.node);
	ck_assert_ptr_null(ev.resource_version);
	kube_event_clear(&ev);
}
END_TEST

/* JSON that YAML 1.1 reads differently, or not at all, or slowly. */
START_TEST(json_edges)
{
	static const char	doc[] = "{\"kind\":\"NodeList\",\"items\":["
	    /* escapes: \/ and \u in what is read, numbers, empties, nulls */
	    "{\"metadata\":{\"name\":\"\\u0061\\u002d1\",\"uid\":null,"
	    "\"generation\":-1.5e3,\"finalizers\":[],\"ownerReferences\":{},"
	    "\"annotations\":{\"x\":\"caf\\u00e9 \\\"q\\\" \\t\\/\"}},"
	    "\"spec\":{\"podCIDR\":\"10.0.1.0\\/24\",\"unschedulable\":true},"
	    "\"status\":{\"addresses\":[{}],\"images\":[[[[]]],{\"a\":{}}]}},"
	    /* what libyaml refuses raw, in fields that are skipped */
	    "{\"metadata\":{\"name\":\"b\",\"annotations\":{\"del\":"
	    "\"a\x7f\",\"c1\":\"\xc2\x80\xc2\x9f\",\"nonchar\":\"\xef\xbf\xbf\","
	    "\"pair\":\"\\ud83d\\ude00\",\"lone\":\"\\udc00x\\ud800\"}}},"
	    /* a label that is not one: named and skipped */
	    "{\"metadata\":{\"name\":\"c\",\"labels\":{\"k\":"
	    "\"caf\\u00e9\"}}}"
	    "]}";
	struct kube_page	 pg;
	struct node		*n;
	char			 t[PREFIX_STRLEN];

	ck_assert_msg(kube_parse_node_list(doc, strlen(doc), &pg, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(pg.nodes->n, 2);
	n = page_node(&pg, "a-1");
	ck_assert_str_eq(prefix_fmt(&n->cidrs[0], t, sizeof(t)),
	    "10.0.1.0/24");
	ck_assert_uint_eq(n->naddrs, 0);
	page_node(&pg, "b");
	ck_assert_uint_eq(pg.nskipped, 1);
	ck_assert_str_eq(pg.skipped[0].name, "c");
	ck_assert_str_eq(pg.skipped[0].why, "label 'k': value \"caf\xc3\xa9\" is "
	    "not empty or at most 63 letters, digits, '-', '_', '.' starting "
	    "and ending with a letter or digit");
	kube_page_clear(&pg);
}
END_TEST

/* Bytes libyaml would refuse or fold come through unchanged. */
START_TEST(json_strings_exact)
{
	static const char	doc[] = "{\"type\":\"ERROR\",\"object\":"
	    "{\"code\":500,\"message\":\"a\xc2\x85" "b\xe2\x80\xa8" "c\x7f"
	    "d\\ud83d\\ude00\\udc00\xef\xbf\xbe\"}}";

	struct kube_event	ev;

	ck_assert_msg(kube_parse_event(doc, strlen(doc), &ev, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_int_eq(ev.code, 500);
	ck_assert_str_eq(ev.message, "a\xc2\x85" "b\xe2\x80\xa8" "c\x7f"
	    "d\xf0\x9f\x98\x80\xef\xbf\xbd\xef\xbf\xbe");
	kube_event_clear(&ev);
}
END_TEST

/* kubectl's indented output; a mistake on line 4 is placed there. */
START_TEST(pretty_printed)
{
	static const char	doc[] = "{\n    \"apiVersion\": \"v1\",\n"
	    "\t\"items\": [\n        {\n            \"metadata\": {\n"
	    "                \"name\": \"w\"\n            }\n        }\n"
	    "    ],\n    \"kind\": \"NodeList\"\r\n}\n";
	static const char	bad[] = "{\n  \"kind\": \"NodeList\",\n"
	    "  \"items\": [\n    {\"metadata\": {\"name\" \"w\"}}\n  ]\n}\n";
	struct kube_page	pg;

	ck_assert_msg(kube_parse_node_list(doc, strlen(doc), &pg, err,
	    sizeof(err)) == 0, "%s", err);
	ck_assert_uint_eq(pg.nodes->n, 1);
	kube_page_clear(&pg);
	ck_assert_int_eq(kube_parse_node_list(bad, strlen(bad), &pg, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "byte 62 (line 4, column 26): JSON syntax "
	    "error: did not find expected ',' or '}' while parsing a flow "
	    "mapping");
}
END_TEST

START_TEST(too_deep)
{
	char			 doc[512];
	struct kube_page	 pg;
	size_t			 o;
	int			 i;

	o = (size_t)snprintf(doc, sizeof(doc), "{\"kind\":\"NodeList\","
	    "\"items\":[],\"x\":");
	for (i = 0; i < 70; i++)
		doc[o++] = '[';
	for (i = 0; i < 70; i++)
		doc[o++] = ']';
	doc[o++] = '}';
	doc[o] = '\0';
	ck_assert_int_eq(kube_parse_node_list(doc, o, &pg, err, sizeof(err)),
	    -1);
	/* the document's { and 64 ['s: the 64th [ is the 65th level */
	ck_assert_str_eq(err, "byte 97: objects and lists nested deeper than "
	    "64 levels");
}
END_TEST

/* kube-router's annotations through the API's JSON. */
START_TEST(kube_router_annotations)
{
	static const char	doc[] = "{\"kind\":\"NodeList\",\"items\":["
	    "{\"metadata\":{\"name\":\"a\",\"annotations\":{"
	    "\"kube-router.io/node.asn\":\"64512\","
	    "\"kube-router.io/peer.asns\":\"65000\","
	    "\"kube-router.io/peer.ips\":\"192.0.2.1\","
	    "\"kube-router.io/peer.passwords\":\"U2VjdXJlUGFzc3dvcmQ=\","
	    "\"kube-router.io/pod-cidr\":\"10.9.0.0/24\"}},"
	    "\"spec\":{\"podCIDR\":\"10.244.0.0/24\"}},"
	    "{\"metadata\":{\"name\":\"b\",\"annotations\":{"
	    "\"kube-router.io/peer.asns\":\"65000\","
	    "\"kube-router.io/peer.ips\":\"192.0.2.1,192.0.2.2\"}}}]}";
	struct kube_page	 pg;
	struct node		*n;
	char			 t[PREFIX_STRLEN];

	ck_assert_msg(kube_parse_node_list(doc, strlen(doc), &pg, err,
	    sizeof(err)) == 0, "%s", err);
	n = page_node(&pg, "a");
	ck_assert_uint_eq(n->asn, 64512);
	ck_assert_uint_eq(n->npeers, 1);
	ck_assert_str_eq(n->peers[0].password, "SecurePassword");
	ck_assert_uint_eq(n->ncidrs, 1);
	ck_assert_str_eq(prefix_fmt(&n->cidrs[0], t, sizeof(t)),
	    "10.9.0.0/24");
	ck_assert_uint_eq(pg.nskipped, 1);
	ck_assert_str_eq(pg.skipped[0].name, "b");
	ck_assert_str_eq(pg.skipped[0].why, "annotations "
	    "'kube-router.io/peer.ips' and 'kube-router.io/peer.asns' give 2 "
	    "addresses and 1 AS numbers; they go in pairs");
	kube_page_clear(&pg);
}
END_TEST

/* A page of 2,000 nodes: all there, in order, none skipped. */
START_TEST(big_list)
{
	char			*doc, *p;
	struct kube_page	 pg;
	size_t			 cap = 2000 * 400 + 100, o;
	int			 i;

	ck_assert_ptr_nonnull(doc = malloc(cap));
	o = (size_t)snprintf(doc, cap, "{\"kind\":\"NodeList\",\"metadata\":"
	    "{\"resourceVersion\":\"5\"},\"items\":[");
	for (i = 0; i < 2000; i++)
		o += (size_t)snprintf(doc + o, cap - o, "%s{\"metadata\":"
		    "{\"name\":\"n%04d\",\"creationTimestamp\":"
		    "\"2024-02-29T23:59:%02dZ\"},\"spec\":{\"podCIDRs\":"
		    "[\"10.%d.%d.0/24\"]},\"status\":{\"addresses\":[{\"type\":"
		    "\"InternalIP\",\"address\":\"192.168.%d.%d\"}]}}",
		    i ? "," : "", i, i % 60, i / 256, i % 256, i / 250,
		    i % 250 + 1);
	o += (size_t)snprintf(doc + o, cap - o, "]}");
	ck_assert_uint_lt(o, cap);
	ck_assert_msg(kube_parse_node_list(doc, o, &pg, err, sizeof(err)) == 0,
	    "%s", err);
	ck_assert_uint_eq(pg.nodes->n, 2000);
	ck_assert_uint_eq(pg.nskipped, 0);
	ck_assert_str_eq(pg.nodes->v[1999]->name, "n1999");
	/* 2024-02-29T23:59:00Z, a leap day */
	ck_assert_uint_eq(pg.nodes->v[0]->seq, 1709251140);
	p = pg.resource_version;
	ck_assert_str_eq(p, "5");
	kube_page_clear(&pg);
	free(doc);
}
END_TEST

static const struct {
	const char	*ts;
	long long	 t;		/* -1: refused */
} times[] = {
	{ "1970-01-01T00:00:00Z", 0 },
	{ "2024-05-01T10:00:00Z", 1714557600 },
	{ "2024-05-01T12:00:00+02:00", 1714557600 },
	{ "2024-05-01T09:30:00.123456-00:30", 1714557600 },
	{ "2000-03-01t00:00:00z", 951868800 },
	{ "2100-12-31T23:59:59Z", 4133980799 },
	{ "2023-02-29T00:00:00Z", -1 },
	{ "1969-12-31T23:59:59Z", -1 },
	{ "2024-05-01T10:00:00", -1 },
	{ "2024-05-01T10:00Z", -1 },
	{ "2024-13-01T10:00:00Z", -1 },
	{ "2024-05-01T10:00:00.Z", -1 },
};

START_TEST(timestamps)
{
	char			doc[256];
	struct kube_event	ev;

	snprintf(doc, sizeof(doc), "{\"type\":\"ADDED\",\"object\":"
	    "{\"metadata\":{\"name\":\"n\",\"creationTimestamp\":\"%s\"}}}",
	    times[_i].ts);
	ck_assert_msg(kube_parse_event(doc, strlen(doc), &ev, err,
	    sizeof(err)) == 0, "%s", err);
	if (times[_i].t < 0)
		ck_assert_ptr_null(ev.node);
	else {
		ck_assert_ptr_nonnull(ev.node);
		ck_assert_uint_eq(ev.node->seq, (uint64_t)times[_i].t);
	}
	kube_event_clear(&ev);
}
END_TEST

Suite *
kube_node_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("kube_node");
	tc = tcase_create("list");
	tcase_add_test(tc, list_page);
	tcase_add_test(tc, list_last_page);
	tcase_add_loop_test(tc, item_table, 0,
	    sizeof(item_cases) / sizeof(item_cases[0]));
	tcase_add_loop_test(tc, bad_doc_table, 0,
	    sizeof(bad_docs) / sizeof(bad_docs[0]));
	tcase_add_test(tc, json_edges);
	tcase_add_test(tc, json_strings_exact);
	tcase_add_test(tc, pretty_printed);
	tcase_add_test(tc, too_deep);
	tcase_add_test(tc, kube_router_annotations);
	tcase_add_test(tc, big_list);
	suite_add_tcase(s, tc);

	tc = tcase_create("watch");
	tcase_add_test(tc, events);
	tcase_add_test(tc, event_bad_node);
	tcase_add_loop_test(tc, bad_event_table, 0,
	    sizeof(bad_events) / sizeof(bad_events[0]));
	tcase_add_loop_test(tc, timestamps, 0,
	    sizeof(times) / sizeof(times[0]));
	suite_add_tcase(s, tc);
	return s;
}
