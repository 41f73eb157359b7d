/*
 * conf suite: what an operator sees. Bad input gives the exact message with
 * file:line:column; good input gives the documented defaults; the
 * normalised output loads back to an equal config; conf_diff() tells reload
 * what changed.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check_unit.h"
#include "conf.h"

static struct conf_errors	errs;

static struct conf *
load(const char *yaml)
{
	return conf_load_buf("t.yaml", yaml, strlen(yaml), &errs);
}

/* Input, and the first message a user would see (all of it). */
static const struct {
	const char	*yaml;
	const char	*first;
	size_t		 n;		/* messages in all */
} bad_cases[] = {
	{ "bgp:\n  asn: 64512\n  peerz: []\n",
	  "t.yaml:3:3: unknown key 'peerz' in 'bgp' (expected one of: asn, "
	  "router-id, mesh, graceful-restart, peers)", 1 },
	{ "bgp:\n  asn: hello\n",
	  "t.yaml:2:8: expected an integer between 1 and 4294967295 for "
	  "'asn', got \"hello\"", 1 },
	{ "bgp:\n  asn:\n",
	  "t.yaml:2:7: expected an integer between 1 and 4294967295 for "
	  "'asn', got nothing", 1 },
	{ "bgp:\n  asn: -1\n",
	  "t.yaml:2:8: expected an integer between 1 and 4294967295 for "
	  "'asn', got \"-1\"", 1 },
	{ "bgp:\n  asn: 0x10\n",
	  "t.yaml:2:8: expected an integer between 1 and 4294967295 for "
	  "'asn', got \"0x10\"", 1 },
	{ "bgp:\n  asn: 65536.1\n",
	  "t.yaml:2:8: expected an integer between 1 and 4294967295 for "
	  "'asn', got \"65536.1\"", 1 },
	{ "bgp:\n  asn: 0.0\n",
	  "t.yaml:2:8: expected an integer between 1 and 4294967295 for "
	  "'asn', got \"0.0\"", 1 },
	{ "bgp:\n  asn: 23456\n",
	  "t.yaml:2:8: AS 23456 is AS_TRANS (RFC 6793), not usable for "
	  "'asn'", 1 },
	{ "bgp:\n  router-id: 1.2.3.4\n",
	  "t.yaml:1:1: missing required key 'asn' in 'bgp'", 1 },
	{ "log:\n  level: info\n",
	  "t.yaml:1:1: missing required key 'bgp' at the top level (it holds "
	  "at least 'asn')", 1 },
	{ "bgp:\n  asn: 1\n  router-id: 0.0.0.0\n",
	  "t.yaml:3:14: 'router-id' must not be 0.0.0.0", 1 },
	{ "bgp:\n  asn: 1\n  router-id: 2001:db8::1\n",
	  "t.yaml:3:14: expected an IPv4 address for 'router-id', got "
	  "\"2001:db8::1\"", 1 },
	{ "bgp:\n  asn: 1\n  asn: 2\n",
	  "t.yaml:3:3: duplicate key 'asn' in 'bgp' (first at line 2)", 1 },
	{ "bgp:\n  asn: 1\n  x: [\n",
	  "t.yaml:4:1: YAML syntax error: did not find expected node content "
	  "(while parsing a flow node at line 4)", 1 },
	{ "bgp: {asn: 1}\nlog: *nowhere\n",
	  "t.yaml:2:6: YAML syntax error: found undefined alias", 1 },
	{ "bgp:\n  asn: 1\n  peers:\n  - address: 192.0.2.1\n"
	  "    asn: 2\n    hold-time: 1\n",
	  "t.yaml:6:16: hold-time 1 is not allowed: use 0 (no keepalives) "
	  "or 3 to 65535 (RFC 4271 4.2)", 1 },
	{ "bgp:\n  asn: 1\n  peers:\n  - address: 192.0.2.1\n    asn: 2\n"
	  "  - address: 192.0.2.1\n    asn: 3\n",
	  "t.yaml:6:5: duplicate peer address 192.0.2.1 (first at line 4)",
	  1 },
	{ "bgp:\n  asn: 1\n  peers:\n  - {address: 192.0.2.1, asn: 2, "
	  "communities: [\"1:65536\"]}\n",
	  "t.yaml:4:48: expected a community 'ASN:VALUE' (numbers 0 to "
	  "65535) or no-export, no-advertise, no-export-subconfed, blackhole "
	  "for 'communities', got \"1:65536\"", 1 },
	{ "bgp:\n  asn: 1\n  peers:\n  - {address: 192.0.2.1, asn: 2, "
	  "large-communities: [\"1:2:3:4\"]}\n",
	  "t.yaml:4:54: expected a large community 'GLOBAL:LOCAL1:LOCAL2' "
	  "(numbers 0 to 4294967295) for 'large-communities', got "
	  "\"1:2:3:4\"", 1 },
	{ "bgp: {asn: 1}\ncontrol:\n  mode: \"rw-rw----\"\n",
	  "t.yaml:3:9: expected permission bits in octal like \"0660\" for "
	  "'mode', got \"rw-rw----\"", 1 },
	{ "bgp: {asn: 1}\ncontrol:\n  mode: \"01777\"\n",
	  "t.yaml:3:9: expected permission bits in octal like \"0660\" for "
	  "'mode', got \"01777\"", 1 },
	{ "bgp: {asn: 1}\ncluster-cidrs: [10.244.0.1/16]\n",
	  "t.yaml:2:17: prefix 10.244.0.1/16 in 'cluster-cidrs' has host "
	  "bits set: did you mean 10.244.0.0/16?", 1 },
	{ "bgp: {asn: 1}\ncluster-cidrs: [10.0.0.0/8, 10.1.0.0/16]\n",
	  "t.yaml:2:29: cluster CIDR 10.1.0.0/16 overlaps 10.0.0.0/8 "
	  "(line 2)", 1 },
	{ "bgp: {asn: 1}\nfib: {protocol: 186}\n",
	  "t.yaml:2:17: protocol 186 belongs to bgp: podbgpd would take over "
	  "its routes (default 196)", 1 },
	{ "bgp: {asn: 1}\nfib: {protocol: 2}\n",
	  "t.yaml:2:17: protocol 2 is reserved by the kernel: choose one "
	  "from 5 to 255 (default 196)", 1 },
	{ "bgp: {asn: 1}\nfib: {table: local}\n",
	  "t.yaml:2:14: expected 'main' or a table number between 1 and "
	  "4294967295 for 'table', got \"local\"", 1 },
	{ "bgp: {asn: 1}\nfib: {max-paths: 0}\n",
	  "t.yaml:2:18: expected an integer between 1 and 64 for "
	  "'max-paths', got \"0\"", 1 },
	{ "bgp: {asn: 1}\nlog: {level: verbose}\n",
	  "t.yaml:2:14: expected one of error, warning, info, debug for "
	  "'level', got \"verbose\"", 1 },
	{ "bgp: {asn: 1}\nnodes: {source: etcd}\n",
	  "t.yaml:2:17: expected one of kubernetes, file for 'source', got "
	  "\"etcd\"", 1 },
	{ "bgp: {asn: 1, mesh: {mode: route-reflector, reflector-label: "
	  "\"a=b=c\"}}\n",
	  "t.yaml:1:62: expected a node label as 'key=value' or 'key' for "
	  "'reflector-label', got \"a=b=c\"", 1 },
	{ "bgp: {asn: 1}\ncontrol: {socket: /run/podbgp/"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa}\n",
	  "t.yaml:2:19: 'socket' is 110 bytes long, a unix socket path can "
	  "have at most 107", 1 },
	{ "bgp:\n  asn: 1\n  peers:\n  - address: 192.0.2.1\n    asn: 2\n"
	  "    max-prefixes: 0\n",
	  "t.yaml:6:19: expected an integer between 1 and 4294967295 for "
	  "'max-prefixes', got \"0\"", 1 },
	{ "bgp:\n  asn: 1\n  peers:\n  - address: 192.0.2.1\n    asn: 2\n"
	  "    port: 0\n",
	  "t.yaml:6:11: expected an integer between 1 and 65535 for "
	  "'port', got \"0\"", 1 },
	{ "bgp:\n  asn: 1\n  peers:\n  - address: 192.0.2.1\n    asn: 2\n"
	  "    max-prefixes: {restart-time: 5}\n",
	  "t.yaml:6:19: missing required key 'limit' in 'max-prefixes'", 1 },
	{ "bgp:\n  asn: 1\n  peers:\n  - address: 192.0.2.1\n    asn: 2\n"
	  "    description: \"two\\nlines\"\n",
	  "t.yaml:6:18: expected one line of text (at most 255 bytes) for "
	  "'description', got \"two?lines\"", 1 },
	{ "node-name: \"a\\0b\"\nbgp: {asn: 1}\n",
	  "t.yaml:1:12: expected a node name of lower-case letters, digits, "
	  "'-' and '.' for 'node-name', got \"a?b\"", 1 },
	{ "node-name: Node_A\nbgp: {asn: 1}\n",
	  "t.yaml:1:12: expected a node name of lower-case letters, digits, "
	  "'-' and '.' for 'node-name', got \"Node_A\"", 1 },
	{ "bgp: {asn: 1}\n\xff\xfe: 1\n",
	  "t.yaml:2:1: cannot read YAML: invalid leading UTF-8 octet", 1 },
	{ "bgp: {asn: 1}\n[a]: 1\n",
	  "t.yaml:2:1: expected a key name at the top level", 1 },
	{ "- bgp\n",
	  "t.yaml:1:1: expected a mapping at the top level, got a list", 1 },
	{ "bgp: {asn: 1}\n---\nbgp: {asn: 2}\n",
	  "t.yaml:3:1: only one YAML document is allowed", 1 },
	/* errors come in file order, whatever the walk order */
	{ "bgp:\n  peers:\n  - address: 192.0.2.1\n",
	  "t.yaml:1:1: missing required key 'asn' in 'bgp'", 2 },
	{ "bgp:\n  asn: 1\n  peers:\n  - address: 10.0.0.1\n    asn: 2\n"
	  "    import:\n      rules:\n      - {prefix: 10.0.0.0/8, ge: 33, "
	  "action: accept}\n",
	  "t.yaml:8:30: 'ge' must be between 8 and 32 for 10.0.0.0/8", 1 },
};

START_TEST(bad_table)
{
	struct conf	*c;

	c = load(bad_cases[_i].yaml);
	ck_assert_ptr_null(c);
	ck_assert_uint_ge(errs.n, 1);
	ck_assert_str_eq(errs.e[0].text, bad_cases[_i].first);
	ck_assert_uint_eq(errs.n, bad_cases[_i].n);
}
END_TEST

/* The graceful-restart state file sits next to the control socket. */
START_TEST(state_path)
{
	static const struct {
		const char	*sock, *want;
	} cases[] = {
		{ "/run/podbgp/podbgpd.ctl", "/run/podbgp/podbgpd.state" },
		{ "/tmp/t.x/control.socket", "/tmp/t.x/control.state" },
		{ "/tmp/t.x/sock", "/tmp/t.x/sock.state" },
		{ "/tmp/.hidden", "/tmp/.hidden.state" },
		{ "/tmp/a.b.ctl", "/tmp/a.b.state" },
		{ "/tmp/a.state", "/tmp/a.state.state" },
		{ "rel.ctl", "rel.state" },
	};
	char	buf[64];
	size_t	i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(conf_state_path(cases[i].sock, buf,
		    sizeof(buf)), 0);
		ck_assert_str_eq(buf, cases[i].want);
	}
	ck_assert_int_eq(conf_state_path("", buf, sizeof(buf)), -1);
	ck_assert_int_eq(conf_state_path("/run/podbgp/", buf, sizeof(buf)),
	    -1);
	/* exactly fits, then one byte short */
	ck_assert_int_eq(conf_state_path("/a/b.ctl", buf, 11), 0);
	ck_assert_str_eq(buf, "/a/b.state");
	ck_assert_int_eq(conf_state_path("/a/b.ctl", buf, 10), -1);
}
END_TEST

START_TEST(defaults)
{
	struct conf	*c;

	c = load("bgp:\n  asn: 64512\n");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(errs.n, 0);
	ck_assert_ptr_null(c->node_name);
	ck_assert_int_eq(c->nodes_source, CONF_NODES_KUBERNETES);
	ck_assert_ptr_null(c->kubeconfig);
	ck_assert_uint_eq(c->ncluster_cidrs, 0);
	ck_assert_uint_eq(c->asn, 64512);
	ck_assert_uint_eq(c->router_id, 0);
	ck_assert_int_eq(c->mesh_mode, CONF_MESH_NONE);
	ck_assert_str_eq(c->reflector_label, "podbgp.io/route-reflector");
	ck_assert_str_eq(c->reflector_value, "true");
	ck_assert_uint_eq(c->restart_time, 120);
	ck_assert_uint_eq(c->stale_time, 360);
	ck_assert_uint_eq(c->npeers, 0);
	ck_assert_uint_eq(c->fib_table, 254);
	ck_assert_uint_eq(c->fib_protocol, 196);
	ck_assert_uint_eq(c->max_paths, 16);
	ck_assert(c->keep_on_exit);
	ck_assert(c->fib_install);
	ck_assert(!c->blackhole_own_cidr);
	ck_assert_str_eq(c->ctl_socket, RUNSTATEDIR "/podbgp/podbgpd.ctl");
	ck_assert_uint_eq(c->ctl_mode, 0660);
	ck_assert_ptr_null(c->ctl_group);
	ck_assert_str_eq(c->ro_socket, RUNSTATEDIR "/podbgp/podbgpd.ro.ctl");
	ck_assert_uint_eq(c->ro_mode, 0666);
	ck_assert_int_eq(c->log_level, CONF_LOG_INFO);
	ck_assert_int_eq(c->log_dest, CONF_LOG_STDERR);
	conf_free(c);
}
END_TEST

START_TEST(peer_defaults)
{
	struct conf		*c;
	const struct conf_peer	*p;

	c = load("bgp:\n  asn: 64512\n  peers:\n"
	    "  - {address: 192.0.2.1, asn: 65000}\n"
	    "  - {address: 192.0.2.2, asn: 65000, hold-time: 0}\n"
	    "  - {address: 192.0.2.3, asn: 65000, hold-time: 10}\n");
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->npeers, 3);
	p = &c->peers[0];
	ck_assert_uint_eq(p->addr.family, AF_INET);
	ck_assert_uint_eq(p->asn, 65000);
	ck_assert_ptr_null(p->name);
	ck_assert_ptr_null(p->password_file);
	ck_assert_uint_eq(p->hold_time, 90);
	ck_assert_uint_eq(p->keepalive, 30);
	ck_assert(!p->ttl_security);
	ck_assert_uint_eq(p->multihop, 0);
	ck_assert_uint_eq(p->local_addr.family, 0);
	ck_assert(!p->passive);
	ck_assert(p->graceful_restart);
	ck_assert(!p->import.allow_default);
	ck_assert_uint_eq(p->import.nrules, 0);
	ck_assert_uint_eq(p->export.nrules, 0);
	ck_assert_uint_eq(p->max_prefixes, 0);
	ck_assert_uint_eq(p->ncommunities, 0);
	ck_assert_uint_eq(c->peers[1].keepalive, 0);
	ck_assert_uint_eq(c->peers[2].keepalive, 3);
	conf_free(c);
}
END_TEST

START_TEST(values)
{
	struct conf		*c;
	const struct conf_peer	*p;
	char			 s[PREFIX_STRLEN];

	c = load("node-name: worker-1.example\n"
	    "nodes: {source: file, file: /etc/podbgp/nodes.yaml}\n"
	    "cluster-cidrs: [10.244.0.0/16, \"fd00::/48\"]\n"
	    "bgp:\n  asn: 1.10\n  router-id: 192.0.2.1\n"
	    "  mesh: {mode: route-reflector, reflector-label: rr, "
	    "cluster-id: 10.0.0.1}\n"
	    "  peers:\n  - address: 2001:db8::1\n    asn: 65535.65535\n"
	    "    local-address: 2001:db8::2\n    multihop: 3\n"
	    "    port: 1790\n"
	    "    import:\n      allow-default: true\n      rules:\n"
	    "      - {prefix: 10.0.0.0/8, le: 24, action: accept}\n"
	    "      - {prefix: 10.0.0.0/8, ge: 30, action: reject}\n"
	    "      - {prefix: 10.1.0.0/16, action: accept}\n"
	    "    max-prefixes: {limit: 100, restart-time: 30}\n"
	    "    communities: [\"65000:7\", no-export, blackhole]\n"
	    "    large-communities: [\"4294967295:0:1\"]\n"
	    "fib: {install: false, table: 4294967295, protocol: 5, "
	    "max-paths: 64}\n"
	    "control: {mode: 600, group: wheel, read-only-socket: \"\"}\n"
	    "log: {level: debug, destination: syslog}\n");
	ck_assert_msg(c != NULL, "%s", errs.e[0].text);
	ck_assert_str_eq(c->node_name, "worker-1.example");
	ck_assert_int_eq(c->nodes_source, CONF_NODES_FILE);
	ck_assert_str_eq(c->nodes_file, "/etc/podbgp/nodes.yaml");
	ck_assert_uint_eq(c->ncluster_cidrs, 2);
	ck_assert_str_eq(prefix_fmt(&c->cluster_cidrs[1], s, sizeof(s)),
	    "fd00::/48");
	ck_assert_uint_eq(c->asn, 65546);
	ck_assert_uint_eq(c->router_id, 0xc0000201);
	ck_assert_int_eq(c->mesh_mode, CONF_MESH_RR);
	ck_assert_str_eq(c->reflector_label, "rr");
	ck_assert_ptr_null(c->reflector_value);
	ck_assert_uint_eq(c->cluster_id, 0x0a000001);
	p = &c->peers[0];
	ck_assert_uint_eq(p->asn, 4294967295u);
	ck_assert_uint_eq(p->local_addr.family, AF_INET6);
	ck_assert_uint_eq(p->multihop, 3);
	ck_assert_uint_eq(p->port, 1790);
	ck_assert(p->import.allow_default);
	ck_assert_uint_eq(p->import.nrules, 3);
	ck_assert_uint_eq(p->import.rules[0].ge, 8);
	ck_assert_uint_eq(p->import.rules[0].le, 24);
	ck_assert_uint_eq(p->import.rules[1].ge, 30);
	ck_assert_uint_eq(p->import.rules[1].le, 32);
	ck_assert_int_eq(p->import.rules[1].action, CONF_REJECT);
	ck_assert_uint_eq(p->import.rules[2].ge, 16);
	ck_assert_uint_eq(p->import.rules[2].le, 16);
	ck_assert_uint_eq(p->max_prefixes, 100);
	ck_assert_uint_eq(p->max_prefixes_restart, 30);
	ck_assert_uint_eq(p->ncommunities, 3);
	ck_assert_uint_eq(p->communities[1].asn, 65535);
	ck_assert_uint_eq(p->communities[1].value, 65281);
	ck_assert_uint_eq(p->communities[2].value, 666);
	ck_assert_uint_eq(p->large_communities[0].global, 4294967295u);
	ck_assert_uint_eq(p->large_communities[0].local2, 1);
	ck_assert_uint_eq(c->fib_table, 4294967295u);
	ck_assert_uint_eq(c->fib_protocol, 5);
	ck_assert_uint_eq(c->max_paths, 64);
	ck_assert(!c->fib_install);
	ck_assert_uint_eq(c->ctl_mode, 0600);
	ck_assert_str_eq(c->ctl_group, "wheel");
	ck_assert_ptr_null(c->ro_socket);
	ck_assert_int_eq(c->log_level, CONF_LOG_DEBUG);
	ck_assert_int_eq(c->log_dest, CONF_LOG_SYSLOG);
	conf_free(c);
}
END_TEST

/* Configs whose normalised form must load back to an equal struct. */
static const char *const rt_cases[] = {
	"bgp: {asn: 1}\n",
	"node-name: \"yes\"\nbgp: {asn: 4294967295}\n"
	    "nodes: {kubeconfig: \"/k/a b: c\"}\n",
	"bgp:\n  asn: 65000\n  mesh: {mode: full-mesh}\n"
	    "fib: {table: 7, keep-on-exit: false, blackhole-own-cidr: true}\n",
	"bgp:\n  asn: 65000\n  mesh: {mode: route-reflector, cluster-id: "
	    "1.1.1.1}\n",
	"bgp:\n  asn: 65000\n  peers:\n  - address: \"::1\"\n    asn: 1\n"
	    "    name: n1\n"
	    "    description: \"quote \\\" back \\\\ \u00e9t\u00e9\"\n"
	    "    password-file: \"/p\\tq\"\n    passive: true\n"
	    "    port: 11179\n"
	    "    ttl-security: true\n"
	    "    graceful-restart: false\n    hold-time: 0\n"
	    "    export: {allow-default: true, rules: [{prefix: \"::/0\", "
	    "le: 128, action: reject}]}\n    max-prefixes: 7\n"
	    "    communities: [\"0:0\"]\n    large-communities: [\"0:0:0\"]\n",
	/* a plain scalar cannot end in ':' */
	"bgp: {asn: 1, peers: [{address: \"2001:db8::1\", asn: 2, "
	    "local-address: \"2001:db8::\"}]}\n",
	"nodes: {source: file, file: /n}\nbgp: {asn: 2}\n"
	    "control: {socket: /s, mode: \"0600\", group: g, "
	    "read-only-socket: ~, read-only-mode: \"0640\"}\n"
	    "log: {level: error, destination: syslog}\n",
};

static char *
write_str(const struct conf *c)
{
	char	*s = NULL;
	size_t	 len = 0;
	FILE	*f;

	f = open_memstream(&s, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(conf_write(f, c), 0);
	fclose(f);
	return s;
}

START_TEST(round_trip)
{
	struct conf	*a, *b;
	char		*sa, *sb;

	a = load(rt_cases[_i]);
	ck_assert_msg(a != NULL, "%s", errs.e[0].text);
	sa = write_str(a);
	b = load(sa);
	ck_assert_msg(b != NULL, "%s in:\n%s", errs.e[0].text, sa);
	ck_assert(conf_equal(a, b));
	ck_assert(conf_equal(b, a));
	sb = write_str(b);
	ck_assert_str_eq(sa, sb);
	free(sa);
	free(sb);
	conf_free(a);
	conf_free(b);
}
END_TEST

START_TEST(equal_detects_change)
{
	struct conf	*a, *b;

	a = load("bgp: {asn: 1, peers: [{address: 10.0.0.1, asn: 2, "
	    "communities: [\"1:1\"]}]}\n");
	b = load("bgp: {asn: 1, peers: [{address: 10.0.0.1, asn: 2, "
	    "communities: [\"1:2\"]}]}\n");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert(!conf_equal(a, b));
	ck_assert(conf_equal(a, a));
	conf_free(a);
	conf_free(b);
}
END_TEST

#define PEERS_OLD \
	"  - {address: 10.0.0.1, asn: 2}\n" \
	"  - {address: 10.0.0.2, asn: 2}\n" \
	"  - {address: 10.0.0.3, asn: 2}\n"

static const struct {
	const char	*old, *new;
	unsigned	 flags;
	size_t		 added, removed, changed;
	bool		 reset;		/* of the first changed peer */
} diff_cases[] = {
	{ "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD,
	  "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD, 0, 0, 0, 0, false },
	/* the same config written differently is no change */
	{ "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD,
	  "bgp:\n  asn: 0.1\n  peers:\n"
	  "  - {address: 10.0.0.3, asn: 2, hold-time: 90}\n"
	  "  - {address: 10.0.0.1, asn: 2}\n"
	  "  - {address: 10.0.0.2, asn: 2, keepalive: 30}\n",
	  0, 0, 0, 0, false },
	{ "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD,
	  "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD
	  "  - {address: 10.0.0.4, asn: 2}\n", 0, 1, 0, 0, false },
	{ "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD,
	  "bgp:\n  asn: 1\n  peers:\n  - {address: 10.0.0.1, asn: 2}\n",
	  0, 0, 2, 0, false },
	{ "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD,
	  "bgp:\n  asn: 1\n  peers:\n  - {address: 10.0.0.1, asn: 3}\n"
	  "  - {address: 10.0.0.2, asn: 2}\n  - {address: 10.0.0.3, asn: 2}\n",
	  0, 0, 0, 1, true },
	/* another port: a new session; 179 written out is the default */
	{ "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD,
	  "bgp:\n  asn: 1\n  peers:\n  - {address: 10.0.0.1, asn: 2, "
	  "port: 1790}\n  - {address: 10.0.0.2, asn: 2, port: 179}\n"
	  "  - {address: 10.0.0.3, asn: 2}\n", 0, 0, 0, 1, true },
	{ "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD,
	  "bgp:\n  asn: 1\n  peers:\n  - {address: 10.0.0.1, asn: 2, "
	  "max-prefixes: 10}\n  - {address: 10.0.0.2, asn: 2}\n"
	  "  - {address: 10.0.0.3, asn: 2}\n", 0, 0, 0, 1, false },
	{ "bgp:\n  asn: 1\n  peers:\n" PEERS_OLD,
	  "bgp:\n  asn: 1\n  peers:\n  - {address: 10.0.0.1, asn: 2}\n"
	  "  - {address: 10.0.0.2, asn: 2, password-file: /k}\n"
	  "  - {address: 10.0.0.3, asn: 2, name: c}\n", 0, 0, 0, 2, true },
	{ "bgp: {asn: 1}\n", "bgp: {asn: 2, router-id: 1.2.3.4}\n",
	  CONF_CH_ASN | CONF_CH_ROUTER_ID, 0, 0, 0, false },
	{ "bgp: {asn: 1}\n", "bgp: {asn: 1}\nlog: {level: debug}\n"
	  "fib: {max-paths: 1}\n", CONF_CH_LOG | CONF_CH_FIB, 0, 0, 0, false },
	{ "bgp: {asn: 1}\n", "bgp: {asn: 1, mesh: {mode: full-mesh}}\n"
	  "cluster-cidrs: [10.0.0.0/8]\nnode-name: a\n",
	  CONF_CH_MESH | CONF_CH_CLUSTER_CIDRS | CONF_CH_NODE_NAME,
	  0, 0, 0, false },
	{ "bgp: {asn: 1}\n", "bgp: {asn: 1, graceful-restart: "
	  "{stale-time: 1}}\ncontrol: {group: g}\nnodes: {kubeconfig: /k}\n",
	  CONF_CH_GR | CONF_CH_CONTROL | CONF_CH_NODES, 0, 0, 0, false },
};

START_TEST(diff_table)
{
	struct conf		*a, *b;
	struct conf_diff	*d;
	char			 s[IPADDR_STRLEN];

	a = load(diff_cases[_i].old);
	ck_assert_msg(a != NULL, "%s", errs.e[0].text);
	b = load(diff_cases[_i].new);
	ck_assert_msg(b != NULL, "%s", errs.e[0].text);
	d = conf_diff(a, b);
	ck_assert_ptr_nonnull(d);
	ck_assert_uint_eq(d->flags, diff_cases[_i].flags);
	ck_assert_uint_eq(d->nadded, diff_cases[_i].added);
	ck_assert_uint_eq(d->nremoved, diff_cases[_i].removed);
	ck_assert_uint_eq(d->nchanged, diff_cases[_i].changed);
	if (d->nchanged > 0) {
		ck_assert_int_eq(d->changed[0].reset, diff_cases[_i].reset);
		ck_assert_int_eq(ipaddr_cmp(&d->changed[0].old->addr,
		    &d->changed[0].new->addr), 0);
	}
	if (d->nadded > 0)
		ck_assert_str_eq(ipaddr_fmt(&d->added[0]->addr, s, sizeof(s)),
		    "10.0.0.4");
	if (d->nremoved > 0)
		ck_assert_str_eq(ipaddr_fmt(&d->removed[0]->addr, s,
		    sizeof(s)), "10.0.0.2");
	ck_assert_int_eq(conf_diff_empty(d), diff_cases[_i].flags == 0 &&
	    diff_cases[_i].added + diff_cases[_i].removed +
	    diff_cases[_i].changed == 0);
	conf_diff_free(d);
	conf_free(a);
	conf_free(b);
}
END_TEST

START_TEST(error_cap)
{
	char		 y[4096];
	size_t		 i, o;
	struct conf	*c;

	o = (size_t)snprintf(y, sizeof(y), "bgp:\n  asn: 1\n  peers:\n");
	for (i = 0; i < 25; i++)
		o += (size_t)snprintf(y + o, sizeof(y) - o,
		    "  - {address: 10.0.0.%zu, asn: 2, hold-time: 2}\n", i + 1);
	c = load(y);
	ck_assert_ptr_null(c);
	ck_assert_uint_eq(errs.n, CONF_ERR_MAX);
	ck_assert_uint_eq(errs.dropped, 5);
	ck_assert_uint_eq(errs.e[19].line, 23);
}
END_TEST

START_TEST(list_limit)
{
	size_t		 len = 64 + (CONF_LIST_MAX + 1) * 16, i, o;
	char		*y = malloc(len);
	struct conf	*c;

	ck_assert_ptr_nonnull(y);
	o = (size_t)snprintf(y, len, "bgp: {asn: 1}\ncluster-cidrs:\n");
	for (i = 0; i <= CONF_LIST_MAX; i++)
		o += (size_t)snprintf(y + o, len - o, "- 10.%zu.%zu.0/24\n",
		    i / 256, i % 256);
	c = load(y);
	ck_assert_ptr_null(c);
	ck_assert_str_eq(errs.e[0].text, "t.yaml:3:1: too many entries in "
	    "'cluster-cidrs' (at most 1024)");
	free(y);
}
END_TEST

START_TEST(nesting_limit)
{
	char	y[256];

	/* 64 levels are fine for the scanner, the 65th is refused */
	snprintf(y, sizeof(y), "bgp: {asn: 1}\nlog: %.64s%.64s\n",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
	    "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]");
	ck_assert_ptr_null(load(y));
	ck_assert_str_eq(errs.e[0].text, "t.yaml:2:6: expected a mapping for "
	    "'log', got a list");
	snprintf(y, sizeof(y), "bgp: {asn: 1}\nlog: \"[{\" # [{\n%.65s\n",
	    "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
	ck_assert_ptr_null(load(y));
	ck_assert_str_eq(errs.e[0].text, "t.yaml:3:65: lists and mappings "
	    "nested deeper than 64 levels");
}
END_TEST

START_TEST(load_file)
{
	char		 path[] = "/tmp/check_conf.XXXXXX";
	const char	*y = "# comment\n\nbgp:\n  asn: 1\n  mesh: {mode: x}\n";
	struct conf	*c;
	char		 want[128];
	int		 fd;

	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, y, strlen(y)), (ssize_t)strlen(y));
	close(fd);
	c = conf_load(path, &errs);
	unlink(path);
	ck_assert_ptr_null(c);
	snprintf(want, sizeof(want), "%s:5:16: expected one of none, "
	    "full-mesh, route-reflector for 'mode', got \"x\"", path);
	ck_assert_str_eq(errs.e[0].text, want);
	ck_assert_uint_eq(errs.e[0].line, 5);
	ck_assert_uint_eq(errs.e[0].column, 16);
}
END_TEST

START_TEST(load_missing_file)
{
	ck_assert_ptr_null(conf_load("/nonexistent/podbgpd.yaml", &errs));
	ck_assert_uint_eq(errs.n, 1);
	ck_assert_uint_eq(errs.e[0].line, 0);
	ck_assert_str_eq(errs.e[0].text, "/nonexistent/podbgpd.yaml: cannot "
	    "open: No such file or directory");
}
END_TEST

START_TEST(aliases_and_find)
{
	struct conf		*c;
	struct ipaddr		 a;
	const struct conf_peer	*p;

	c = load("bgp:\n  asn: 1\n  peers:\n"
	    "  - address: 10.0.0.1\n    asn: 2\n"
	    "    import: &f {rules: [{prefix: 10.0.0.0/8, action: accept}]}\n"
	    "  - address: 10.0.0.2\n    asn: 2\n    export: *f\n");
	ck_assert_msg(c != NULL, "%s", errs.e[0].text);
	ck_assert_uint_eq(c->peers[1].export.nrules, 1);
	ck_assert_int_eq(ipaddr_parse("10.0.0.2", &a), 0);
	p = conf_peer_find(c, &a);
	ck_assert_ptr_eq(p, &c->peers[1]);
	ck_assert_int_eq(ipaddr_parse("10.0.0.3", &a), 0);
	ck_assert_ptr_null(conf_peer_find(c, &a));
	conf_free(c);
	conf_free(NULL);
	conf_diff_free(NULL);
}
END_TEST

/*
 * A peer built at run time (node annotations): copied deep, with an
 * inline password that changes how it compares and is never written.
 */
START_TEST(peer_copy_compare)
{
	struct conf		*c;
	struct conf_peer	 cp, cp2;
	char			*buf = NULL;
	size_t			 len = 0;
	FILE			*f;

	c = load("bgp:\n  asn: 1\n  peers:\n"
	    "  - address: 10.0.0.1\n    asn: 2\n    name: tor-a\n"
	    "    import: {rules: [{prefix: 10.0.0.0/8, action: accept}]}\n"
	    "    communities: ['1:2']\n");
	ck_assert_msg(c != NULL, "%s", errs.e[0].text);
	ck_assert_int_eq(conf_peer_copy(&cp, &c->peers[0]), 0);
	ck_assert_ptr_ne(cp.name, c->peers[0].name);
	ck_assert_str_eq(cp.name, "tor-a");
	ck_assert_ptr_ne(cp.import.rules, c->peers[0].import.rules);
	ck_assert_ptr_ne(cp.communities, c->peers[0].communities);
	ck_assert_int_eq(conf_peer_compare(&c->peers[0], &cp), CONF_PEER_SAME);

	cp.communities[0].value = 3;
	ck_assert_int_eq(conf_peer_compare(&c->peers[0], &cp), CONF_PEER_SOFT);
	cp.communities[0].value = 2;
	free(cp.name);
	cp.name = strdup("tor-b");
	ck_assert_int_eq(conf_peer_compare(&c->peers[0], &cp), CONF_PEER_SOFT);
	cp.hold_time = 30;
	ck_assert_int_eq(conf_peer_compare(&c->peers[0], &cp),
	    CONF_PEER_RESET);
	cp.hold_time = c->peers[0].hold_time;

	/* the inline password: a session parameter, copied too */
	cp.password = strdup("s3cret");
	ck_assert_int_eq(conf_peer_compare(&c->peers[0], &cp),
	    CONF_PEER_RESET);
	ck_assert_int_eq(conf_peer_copy(&cp2, &cp), 0);
	ck_assert_ptr_ne(cp2.password, cp.password);
	ck_assert_str_eq(cp2.password, "s3cret");
	ck_assert_int_eq(conf_peer_compare(&cp, &cp2), CONF_PEER_SAME);

	/* never written out */
	conf_peer_clear(&c->peers[0]);
	ck_assert_int_eq(conf_peer_copy(&c->peers[0], &cp2), 0);
	f = open_memstream(&buf, &len);
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(conf_write(f, c), 0);
	fclose(f);
	ck_assert_ptr_null(strstr(buf, "s3cret"));
	ck_assert_ptr_nonnull(strstr(buf, "tor-b"));
	free(buf);

	conf_peer_clear(&cp);
	conf_peer_clear(&cp2);
	ck_assert_ptr_null(cp.password);
	conf_peer_clear(NULL);
	conf_free(c);
}
END_TEST

Suite *
conf_suite(void)
{
	Suite	*s = suite_create("conf");
	TCase	*tc;

	tc = tcase_create("errors");
	tcase_add_loop_test(tc, bad_table, 0,
	    sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, error_cap);
	tcase_add_test(tc, list_limit);
	tcase_add_test(tc, nesting_limit);
	tcase_add_test(tc, load_file);
	tcase_add_test(tc, load_missing_file);
	suite_add_tcase(s, tc);

	tc = tcase_create("values");
	tcase_add_test(tc, defaults);
	tcase_add_test(tc, peer_defaults);
	tcase_add_test(tc, values);
	tcase_add_test(tc, aliases_and_find);
	tcase_add_test(tc, peer_copy_compare);
	tcase_add_test(tc, state_path);
	suite_add_tcase(s, tc);

	tc = tcase_create("write");
	tcase_add_loop_test(tc, round_trip, 0,
	    sizeof(rt_cases) / sizeof(rt_cases[0]));
	tcase_add_test(tc, equal_detects_change);
	suite_add_tcase(s, tc);

	tc = tcase_create("diff");
	tcase_add_loop_test(tc, diff_table, 0,
	    sizeof(diff_cases) / sizeof(diff_cases[0]));
	suite_add_tcase(s, tc);
	return s;
}
