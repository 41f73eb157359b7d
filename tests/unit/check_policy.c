/*
 * policy suite: what podbgpd takes from each kind of peer and why it
 * refuses the rest (one table row per case), what it announces in each mesh
 * mode, the communities it attaches, and the max-prefix limit.
 *
 * The node under test: pod CIDRs 10.244.1.0/24 and fd00:10:244:1::/64,
 * addresses 10.1.0.5 and 2001:db8:1::5 on the connected subnets
 * 10.1.0.0/24 and 2001:db8:1::/64.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "check_unit.h"
#include "conf.h"
#include "policy.h"

#define CONF_FMT							\
	"cluster-cidrs: [10.244.0.0/16, \"fd00:10:244::/56\"]\n"	\
	"bgp:\n"							\
	"  asn: 64512\n"						\
	"  mesh: {mode: %s}\n"						\
	"  peers:\n"							\
	"    - address: 10.1.0.1\n"					\
	"      asn: 65001\n"						\
	"      name: tor-a\n"						\
	"    - address: 10.1.0.2\n"					\
	"      asn: 65001\n"						\
	"      name: tor-b\n"						\
	"      import:\n"						\
	"        allow-default: true\n"					\
	"        rules:\n"						\
	"          - {prefix: 10.244.200.0/24, action: accept}\n"	\
	"          - {prefix: 10.244.128.0/17, ge: 24, le: 26, "	\
	"action: reject}\n"						\
	"          - {prefix: 10.244.64.0/18, ge: 24, le: 24, "		\
	"action: accept}\n"						\
	"          - {prefix: 10.244.0.0/16, ge: 20, le: 24, "		\
	"action: reject}\n"						\
	"          - {prefix: 192.168.0.0/16, ge: 24, le: 24, "		\
	"action: accept}\n"						\
	"          - {prefix: 10.1.0.0/16, le: 32, action: accept}\n"	\
	"          - {prefix: \"2001:db8::/32\", ge: 48, le: 64, "	\
	"action: accept}\n"						\
	"          - {prefix: \"fd00:10:244:80::/57\", ge: 64, "	\
	"action: reject}\n"						\
	"      export:\n"						\
	"        rules:\n"						\
	"          - {prefix: 10.244.0.0/16, ge: 24, le: 24, "		\
	"action: accept}\n"						\
	"      max-prefixes: {limit: 3, restart-time: 60}\n"		\
	"      communities: [\"65001:200\", \"65001:100\", "		\
	"no-export]\n"							\
	"      large-communities: [\"4200000001:1:2\", \"1:2:3\"]\n"	\
	"    - address: 10.1.0.3\n"					\
	"      asn: 64512\n"						\
	"      name: tor-c\n"						\
	"      max-prefixes: 2\n"					\
	"      export:\n"						\
	"        allow-default: true\n"					\
	"        rules:\n"						\
	"          - {prefix: 10.244.1.0/24, action: reject}\n"		\
	"          - {prefix: 10.244.0.0/16, ge: 24, le: 24, "		\
	"action: accept}\n"						\
	"          - {prefix: 0.0.0.0/0, action: accept}\n"

enum mode { FM = 0, RR, TOR };

/* Peers of the fixture. */
enum tpeer {
	TA = 0,		/* tor-a: no filters */
	TB,		/* tor-b: import rules, allow-default, communities */
	TC,		/* tor-c: iBGP, export rules */
	NB,		/* node-b: 10.244.2.0/24, 10.1.0.6 */
	ND,		/* node-d: 10.250.0.0/24 outside cluster-cidrs */
	NR,		/* reflector node-r: 10.244.9.0/24, 10.1.0.9 */
	NC,		/* node-c as a client of ours: 10.244.3.0/24 */
	NPEERS
};

struct fix {
	struct conf		*conf;
	struct policy_ctx	*ctx;
	struct policy_peer	 peer[NPEERS];
};

static struct prefix
P(const char *s)
{
	struct prefix	p;

	ck_assert_msg(prefix_parse(s, &p) == PREFIX_OK, "prefix %s", s);
	return p;
}

static struct ipaddr
A(const char *s)
{
	struct ipaddr	a;

	ck_assert_msg(ipaddr_parse(s, &a) == 0, "address %s", s);
	return a;
}

static void
set_node(struct policy_peer *pp, const char *c4, const char *c6,
    const char *a4, const char *a6)
{
	struct prefix	c[2];
	struct ipaddr	a[2];
	size_t		nc = 0, na = 0;

	c[nc++] = P(c4);
	if (c6 != NULL)
		c[nc++] = P(c6);
	a[na++] = A(a4);
	if (a6 != NULL)
		a[na++] = A(a6);
	ck_assert_int_eq(policy_peer_set_node(pp, c, nc, a, na), 1);
}

static void
own_facts(struct policy_ctx *ctx)
{
	struct prefix	pod[] = { P("10.244.1.0/24"), P("fd00:10:244:1::/64") };
	struct prefix	conn[] = { P("10.1.0.0/24"), P("2001:db8:1::/64") };
	struct ipaddr	addr[] = { A("10.1.0.5"), A("2001:db8:1::5") };

	ck_assert_int_eq(policy_set_pod_cidrs(ctx, pod, 2), 1);
	ck_assert_int_eq(policy_set_addrs(ctx, addr, 2), 1);
	ck_assert_int_eq(policy_set_connected(ctx, conn, 2), 1);
}

/* Every node of the cluster, for route-reflector mode. */
static void
all_nodes(struct policy_ctx *ctx)
{
	struct prefix	c[] = { P("10.244.1.0/24"), P("10.244.2.0/24"),
			    P("10.244.3.0/24"), P("10.244.9.0/24") };
	struct ipaddr	a[] = { A("10.1.0.5"), A("10.1.0.6"), A("10.1.0.7"),
			    A("10.1.0.9") };
	struct policy_node	n[4];
	size_t			i;

	for (i = 0; i < 4; i++) {
		n[i].cidrs = &c[i];
		n[i].ncidrs = 1;
		n[i].addrs = &a[i];
		n[i].naddrs = 1;
	}
	ck_assert_int_eq(policy_set_nodes(ctx, n, 4), 1);
	ck_assert_int_eq(policy_set_nodes(ctx, n, 4), 0);
}

static void
fix_init(struct fix *f, enum mode m, bool facts)
{
	static const char *const modes[] = { "full-mesh", "route-reflector",
	    "none" };
	struct conf_errors	 errs;
	char			 yaml[4096];
	int			 n;

	n = snprintf(yaml, sizeof(yaml), CONF_FMT, modes[m]);
	ck_assert(n > 0 && (size_t)n < sizeof(yaml));
	f->conf = conf_load_buf("t.yaml", yaml, (size_t)n, &errs);
	ck_assert_msg(f->conf != NULL, "%s", errs.n > 0 ? errs.e[0].text :
	    "no memory");
	ck_assert_uint_eq(f->conf->npeers, 3);
	ck_assert_ptr_nonnull(f->ctx = policy_ctx_new(f->conf));
	if (facts)
		own_facts(f->ctx);
	if (m == RR)
		all_nodes(f->ctx);
	policy_peer_init(&f->peer[TA], POLICY_PEER_EXTERNAL,
	    &f->conf->peers[0]);
	policy_peer_init(&f->peer[TB], POLICY_PEER_EXTERNAL,
	    &f->conf->peers[1]);
	policy_peer_init(&f->peer[TC], POLICY_PEER_EXTERNAL,
	    &f->conf->peers[2]);
	policy_peer_init(&f->peer[NB], POLICY_PEER_NODE, NULL);
	set_node(&f->peer[NB], "10.244.2.0/24", "fd00:10:244:2::/64",
	    "10.1.0.6", "2001:db8:1::6");
	policy_peer_init(&f->peer[ND], POLICY_PEER_NODE, NULL);
	set_node(&f->peer[ND], "10.250.0.0/24", NULL, "10.1.0.8", NULL);
	policy_peer_init(&f->peer[NR], POLICY_PEER_NODE, NULL);
	set_node(&f->peer[NR], "10.244.9.0/24", NULL, "10.1.0.9", NULL);
	policy_peer_init(&f->peer[NC], POLICY_PEER_NODE, NULL);
	f->peer[NC].rr_client = true;
	set_node(&f->peer[NC], "10.244.3.0/24", NULL, "10.1.0.7", NULL);
}

static void
fix_fini(struct fix *f)
{
	size_t	i;

	for (i = 0; i < NPEERS; i++)
		policy_peer_fini(&f->peer[i]);
	policy_ctx_free(f->ctx);
	conf_free(f->conf);
}

/* Imports pfx from peer with next hop nh (NULL: none); returns the reason. */
static enum policy_reason
import(struct fix *f, enum tpeer peer, const char *pfx, const char *nh)
{
	struct bgp_attr_set	a;
	struct prefix		p = P(pfx);
	enum policy_reason	why = POLICY_REASON_MAX;
	bool			ok;

	memset(&a, 0, sizeof(a));
	if (nh != NULL)
		a.nexthop = A(nh);
	ok = policy_import(f->ctx, &f->peer[peer], &p, &a, &why);
	ck_assert_int_eq(ok, why == POLICY_OK);
	return why;
}

#define OK	POLICY_OK

static const struct {
	enum mode		 mode;
	enum tpeer		 peer;
	const char		*prefix;
	const char		*nexthop;
	enum policy_reason	 want;
} imp[] = {
	/* built-in policy, tor-a without rules */
	{ FM, TA, "10.244.2.0/24", "10.1.0.1", OK },
	{ FM, TA, "10.244.255.255/32", "10.1.0.1", OK },
	{ FM, TA, "10.245.0.0/24", "10.1.0.1", POLICY_NOT_IN_CLUSTER },
	{ FM, TA, "172.16.0.0/12", "10.1.0.1", POLICY_NOT_IN_CLUSTER },
	{ FM, TA, "fd00:10:244:2::/64", "2001:db8:1::1", OK },
	{ FM, TA, "fd00:10:244:100::/64", "2001:db8:1::1",
	  POLICY_NOT_IN_CLUSTER },
	{ FM, TA, "0.0.0.0/0", "10.1.0.1", POLICY_DEFAULT_NOT_ALLOWED },
	{ FM, TA, "::/0", "2001:db8:1::1", POLICY_DEFAULT_NOT_ALLOWED },
	/* safety: own pod CIDRs, either way round, and the aggregate */
	{ FM, TA, "10.244.1.0/24", "10.1.0.1", POLICY_OVERLAPS_OWN_CIDR },
	{ FM, TA, "10.244.1.128/25", "10.1.0.1", POLICY_OVERLAPS_OWN_CIDR },
	{ FM, TA, "10.244.0.0/16", "10.1.0.1", POLICY_OVERLAPS_OWN_CIDR },
	{ FM, TA, "fd00:10:244:1::/64", "2001:db8:1::1",
	  POLICY_OVERLAPS_OWN_CIDR },
	{ FM, TA, "fd00:10:244:1:8000::/65", "2001:db8:1::1",
	  POLICY_OVERLAPS_OWN_CIDR },
	/* own addresses and connected subnets */
	{ FM, TA, "10.1.0.5/32", "10.1.0.1", POLICY_COVERS_OWN_ADDR },
	{ FM, TA, "10.1.0.0/16", "10.1.0.1", POLICY_COVERS_OWN_ADDR },
	{ FM, TA, "10.1.0.128/25", "10.1.0.1", POLICY_OVERLAPS_CONNECTED },
	{ FM, TA, "2001:db8:1::5/128", "2001:db8:1::1",
	  POLICY_COVERS_OWN_ADDR },
	{ FM, TA, "2001:db8:1:0:8000::/65", "2001:db8:1::1",
	  POLICY_OVERLAPS_CONNECTED },
	/* tor-b: rules in order, ge/le edges, allow-default */
	{ FM, TB, "10.244.200.0/24", "10.1.0.2", OK },	/* 1 before 2 */
	{ FM, TB, "10.244.200.0/25", "10.1.0.2", POLICY_RULE_REJECT },
	{ FM, TB, "10.244.129.0/24", "10.1.0.2", POLICY_RULE_REJECT },
	{ FM, TB, "10.244.129.0/26", "10.1.0.2", POLICY_RULE_REJECT },
	{ FM, TB, "10.244.129.0/27", "10.1.0.2", OK },	/* past le */
	{ FM, TB, "10.244.128.0/23", "10.1.0.2", POLICY_RULE_REJECT },
	{ FM, TB, "10.244.128.0/19", "10.1.0.2", OK },	/* before ge */
	{ FM, TB, "10.244.65.0/24", "10.1.0.2", OK },	/* 3 before 4 */
	{ FM, TB, "10.244.3.0/24", "10.1.0.2", POLICY_RULE_REJECT },
	{ FM, TB, "192.168.5.0/24", "10.1.0.2", OK },	/* outside cluster */
	{ FM, TB, "192.168.5.0/25", "10.1.0.2", POLICY_NOT_IN_CLUSTER },
	{ FM, TB, "192.168.0.0/16", "10.1.0.2", POLICY_NOT_IN_CLUSTER },
	{ FM, TB, "10.1.1.0/24", "10.1.0.2", OK },
	{ FM, TB, "10.1.0.7/32", "10.1.0.2", POLICY_OVERLAPS_CONNECTED },
	{ FM, TB, "10.1.0.5/32", "10.1.0.2", POLICY_COVERS_OWN_ADDR },
	{ FM, TB, "10.1.0.0/16", "10.1.0.2", POLICY_COVERS_OWN_ADDR },
	{ FM, TB, "0.0.0.0/0", "10.1.0.2", OK },
	{ FM, TB, "::/0", "2001:db8:1::2", OK },
	{ FM, TB, "2001:db8:5::/48", "2001:db8:1::2", OK },
	{ FM, TB, "2001:db8:5::/64", "2001:db8:1::2", OK },
	{ FM, TB, "2001:db8:4::/47", "2001:db8:1::2", POLICY_NOT_IN_CLUSTER },
	{ FM, TB, "2001:db8:5::/65", "2001:db8:1::2", POLICY_NOT_IN_CLUSTER },
	{ FM, TB, "2001:db8:1::/48", "2001:db8:1::2", POLICY_COVERS_OWN_ADDR },
	{ FM, TB, "fd00:10:244:80::/64", "2001:db8:1::2", POLICY_RULE_REJECT },
	{ FM, TB, "fd00:10:244:ff::/64", "2001:db8:1::2", POLICY_RULE_REJECT },
	{ FM, TB, "fd00:10:244:7f::/64", "2001:db8:1::2", OK },
	{ FM, TB, "fd00:10:244:80::/63", "2001:db8:1::2", OK },
	/* full mesh: a node announces its own pod CIDRs, next hop itself */
	{ FM, NB, "10.244.2.0/24", "10.1.0.6", OK },
	{ FM, NB, "fd00:10:244:2::/64", "2001:db8:1::6", OK },
	{ FM, NB, "10.244.2.0/24", "10.1.0.7", POLICY_NODE_BAD_NEXTHOP },
	{ FM, NB, "10.244.2.0/24", NULL, POLICY_NODE_BAD_NEXTHOP },
	{ FM, NB, "fd00:10:244:2::/64", "2001:db8:1::7",
	  POLICY_NODE_BAD_NEXTHOP },
	{ FM, NB, "10.244.3.0/24", "10.1.0.6", POLICY_NODE_NOT_POD_CIDR },
	{ FM, NB, "10.244.2.0/25", "10.1.0.6", POLICY_NODE_NOT_POD_CIDR },
	{ FM, NB, "10.244.2.0/23", "10.1.0.6", POLICY_NODE_NOT_POD_CIDR },
	{ FM, NB, "0.0.0.0/0", "10.1.0.6", POLICY_DEFAULT_NOT_ALLOWED },
	{ FM, NB, "10.244.1.0/24", "10.1.0.6", POLICY_OVERLAPS_OWN_CIDR },
	{ FM, ND, "10.250.0.0/24", "10.1.0.8", POLICY_NOT_IN_CLUSTER },
	/* a reflected route is another node's: the table is RR-only */
	{ FM, NR, "10.244.3.0/24", "10.1.0.7", POLICY_NODE_NOT_POD_CIDR },
	{ RR, NR, "10.244.3.0/24", "10.1.0.7", OK },
	{ RR, NR, "10.244.9.0/24", "10.1.0.9", OK },
	{ RR, NR, "10.244.2.0/24", "10.1.0.6", OK },
	{ RR, NR, "10.244.3.0/24", "10.1.0.6", POLICY_NODE_BAD_NEXTHOP },
	{ RR, NR, "10.244.3.0/24", "10.1.0.9", POLICY_NODE_BAD_NEXTHOP },
	{ RR, NR, "10.244.77.0/24", "10.1.0.7", POLICY_NODE_NOT_POD_CIDR },
	{ RR, NR, "10.244.1.0/24", "10.1.0.5", POLICY_OVERLAPS_OWN_CIDR },
	{ RR, NC, "10.244.3.0/24", "10.1.0.7", OK },
	{ RR, NC, "10.244.3.0/24", "10.1.0.9", POLICY_NODE_BAD_NEXTHOP },
	/* ToR mode: same built-in policy */
	{ TOR, TA, "10.244.7.0/24", "10.1.0.1", OK },
	{ TOR, TA, "10.1.0.0/24", "10.1.0.1", POLICY_COVERS_OWN_ADDR },
};

START_TEST(import_row)
{
	struct fix		f;
	enum policy_reason	got;

	fix_init(&f, imp[_i].mode, true);
	/* the check alone gives the same verdict and counts nothing */
	{
		struct bgp_attr_set	a;
		struct prefix		p = P(imp[_i].prefix);
		enum tpeer		t = imp[_i].peer;
		int			r;

		memset(&a, 0, sizeof(a));
		if (imp[_i].nexthop != NULL)
			a.nexthop = A(imp[_i].nexthop);
		ck_assert_int_eq(policy_import_check(f.ctx, &f.peer[t], &p,
		    &a), imp[_i].want);
		ck_assert_uint_eq(f.peer[t].accepted, 0);
		for (r = 0; r < POLICY_REASON_MAX; r++)
			ck_assert_uint_eq(f.peer[t].rejected[r], 0);
	}
	got = import(&f, imp[_i].peer, imp[_i].prefix, imp[_i].nexthop);
	ck_assert_msg(got == imp[_i].want, "row %d: %s: got \"%s\", "
	    "want \"%s\"", _i, imp[_i].prefix, policy_reason_name(got),
	    policy_reason_name(imp[_i].want));
	if (got == OK)
		ck_assert_uint_eq(f.peer[imp[_i].peer].accepted, 1);
	else
		ck_assert_uint_eq(f.peer[imp[_i].peer].rejected[got], 1);
	fix_fini(&f);
}
END_TEST

START_TEST(import_counters)
{
	struct fix	f;
	unsigned	i;

	fix_init(&f, FM, true);
	import(&f, TA, "10.244.2.0/24", "10.1.0.1");
	import(&f, TA, "10.244.3.0/24", "10.1.0.1");
	for (i = 0; i < 3; i++)
		import(&f, TA, "0.0.0.0/0", "10.1.0.1");
	import(&f, TA, "10.244.1.0/24", "10.1.0.1");
	import(&f, TA, "10.9.0.0/24", "10.1.0.1");
	ck_assert_uint_eq(f.peer[TA].accepted, 2);
	ck_assert_uint_eq(f.peer[TA].rejected[POLICY_DEFAULT_NOT_ALLOWED], 3);
	ck_assert_uint_eq(f.peer[TA].rejected[POLICY_OVERLAPS_OWN_CIDR], 1);
	ck_assert_uint_eq(f.peer[TA].rejected[POLICY_NOT_IN_CLUSTER], 1);
	ck_assert_uint_eq(f.peer[TA].rejected[POLICY_RULE_REJECT], 0);
	/* per peer: tor-b saw none of it */
	ck_assert_uint_eq(f.peer[TB].accepted, 0);
	ck_assert_uint_eq(f.peer[TB].rejected[POLICY_DEFAULT_NOT_ALLOWED], 0);
	fix_fini(&f);
}
END_TEST

/* Without node facts nothing is "own"; facts change at run time. */
START_TEST(import_fact_updates)
{
	struct fix	f;
	struct prefix	pod = P("10.244.7.0/24"), conn = P("10.3.0.0/24");
	struct ipaddr	addr = A("10.244.8.1");
	struct prefix	same[] = { P("10.244.1.0/24"),
			    P("fd00:10:244:1::/64") };

	fix_init(&f, FM, false);
	ck_assert_int_eq(import(&f, TA, "10.244.1.0/24", NULL), OK);
	own_facts(f.ctx);
	ck_assert_int_eq(import(&f, TA, "10.244.1.0/24", NULL),
	    POLICY_OVERLAPS_OWN_CIDR);
	/* the same set again is no change */
	ck_assert_int_eq(policy_set_pod_cidrs(f.ctx, same, 2), 0);
	ck_assert_int_eq(policy_set_pod_cidrs(f.ctx, &pod, 1), 1);
	ck_assert_int_eq(import(&f, TA, "10.244.1.0/24", NULL), OK);
	ck_assert_int_eq(import(&f, TA, "10.244.7.0/24", NULL),
	    POLICY_OVERLAPS_OWN_CIDR);
	ck_assert_int_eq(import(&f, TA, "fd00:10:244:1::/64", NULL), OK);
	/* an own pod CIDR beats tor-b's first rule, which accepts it */
	ck_assert_int_eq(import(&f, TB, "10.244.200.0/24", NULL), OK);
	pod = P("10.244.200.0/24");
	ck_assert_int_eq(policy_set_pod_cidrs(f.ctx, &pod, 1), 1);
	ck_assert_int_eq(import(&f, TB, "10.244.200.0/24", NULL),
	    POLICY_OVERLAPS_OWN_CIDR);
	ck_assert_int_eq(import(&f, TA, "10.244.7.0/24", NULL), OK);
	/* a new address inside the cluster range */
	ck_assert_int_eq(import(&f, TA, "10.244.8.0/24", NULL), OK);
	ck_assert_int_eq(policy_set_addrs(f.ctx, &addr, 1), 1);
	ck_assert_int_eq(import(&f, TA, "10.244.8.0/24", NULL),
	    POLICY_COVERS_OWN_ADDR);
	/* the old address is only inside a connected subnet now */
	ck_assert_int_eq(import(&f, TB, "10.1.0.5/32", NULL),
	    POLICY_OVERLAPS_CONNECTED);
	/* connected subnets replaced, then cleared */
	ck_assert_int_eq(policy_set_connected(f.ctx, &conn, 1), 1);
	ck_assert_int_eq(import(&f, TB, "10.1.0.7/32", NULL), OK);
	ck_assert_int_eq(import(&f, TB, "10.3.0.7/32", NULL),
	    POLICY_OVERLAPS_CONNECTED);
	ck_assert_int_eq(import(&f, TB, "10.3.0.0/16", NULL),
	    POLICY_OVERLAPS_CONNECTED);
	ck_assert_int_eq(policy_set_connected(f.ctx, NULL, 0), 1);
	ck_assert_int_eq(policy_set_connected(f.ctx, NULL, 0), 0);
	ck_assert_int_eq(import(&f, TB, "10.3.0.0/16", NULL),
	    POLICY_NOT_IN_CLUSTER);
	fix_fini(&f);
}
END_TEST

START_TEST(import_node_update)
{
	struct fix	f;

	fix_init(&f, FM, true);
	ck_assert_int_eq(import(&f, NB, "10.244.2.0/24", "10.1.0.6"), OK);
	/* node-b got a new pod CIDR and a new address */
	set_node(&f.peer[NB], "10.244.12.0/24", NULL, "10.1.0.16", NULL);
	ck_assert_int_eq(import(&f, NB, "10.244.2.0/24", "10.1.0.6"),
	    POLICY_NODE_NOT_POD_CIDR);
	ck_assert_int_eq(import(&f, NB, "10.244.12.0/24", "10.1.0.6"),
	    POLICY_NODE_BAD_NEXTHOP);
	ck_assert_int_eq(import(&f, NB, "10.244.12.0/24", "10.1.0.16"), OK);
	ck_assert_int_eq(import(&f, NB, "fd00:10:244:2::/64",
	    "2001:db8:1::6"), POLICY_NODE_NOT_POD_CIDR);
	{
		struct prefix	c = P("10.244.12.0/24");
		struct ipaddr	a = A("10.1.0.16");

		ck_assert_int_eq(policy_peer_set_node(&f.peer[NB], &c, 1,
		    &a, 1), 0);
	}
	fix_fini(&f);
}
END_TEST

/* Reflected routes follow the cluster's node list as it changes. */
START_TEST(import_rr_nodes_update)
{
	struct fix		f;
	struct prefix		c = P("10.244.3.0/24");
	struct ipaddr		a = A("10.1.0.17");
	struct policy_node	n = { &c, 1, &a, 1 };

	fix_init(&f, RR, true);
	ck_assert_int_eq(import(&f, NR, "10.244.3.0/24", "10.1.0.7"), OK);
	ck_assert_int_eq(policy_set_nodes(f.ctx, &n, 1), 1);
	ck_assert_int_eq(import(&f, NR, "10.244.3.0/24", "10.1.0.7"),
	    POLICY_NODE_BAD_NEXTHOP);
	ck_assert_int_eq(import(&f, NR, "10.244.3.0/24", "10.1.0.17"), OK);
	ck_assert_int_eq(import(&f, NR, "10.244.2.0/24", "10.1.0.6"),
	    POLICY_NODE_NOT_POD_CIDR);
	ck_assert_int_eq(policy_set_nodes(f.ctx, NULL, 0), 1);
	ck_assert_int_eq(import(&f, NR, "10.244.3.0/24", "10.1.0.17"),
	    POLICY_NODE_NOT_POD_CIDR);
	fix_fini(&f);
}
END_TEST

/* After a reload the rules of the new config apply. */
START_TEST(import_reload)
{
	struct fix		 f;
	struct conf		*c2;
	struct conf_errors	 errs;
	const char		*y = "cluster-cidrs: [10.245.0.0/16]\n"
				    "bgp: {asn: 64512, peers: [{address: "
				    "10.1.0.1, asn: 65001, import: "
				    "{allow-default: true}}]}\n";

	fix_init(&f, FM, true);
	ck_assert_int_eq(import(&f, TA, "10.245.1.0/24", NULL),
	    POLICY_NOT_IN_CLUSTER);
	c2 = conf_load_buf("t2.yaml", y, strlen(y), &errs);
	ck_assert_ptr_nonnull(c2);
	policy_set_conf(f.ctx, c2);
	policy_peer_set_conf(&f.peer[TA], &c2->peers[0]);
	ck_assert_int_eq(import(&f, TA, "10.245.1.0/24", NULL), OK);
	ck_assert_int_eq(import(&f, TA, "10.244.2.0/24", NULL),
	    POLICY_NOT_IN_CLUSTER);
	ck_assert_int_eq(import(&f, TA, "0.0.0.0/0", NULL), OK);
	policy_set_conf(f.ctx, f.conf);
	conf_free(c2);
	fix_fini(&f);
}
END_TEST

static struct policy_limit
limit_none(void)
{
	struct policy_limit	l;

	memset(&l, 0xa5, sizeof(l));
	return l;
}

START_TEST(maxpfx_threshold)
{
	struct fix		f;
	struct policy_limit	lim = limit_none();
	static const uint8_t	data4[7] = { 0, 1, 1, 0, 0, 0, 3 };
	static const uint8_t	data6[7] = { 0, 2, 1, 0, 0, 0, 3 };
	unsigned		i;

	fix_init(&f, FM, true);
	for (i = 0; i < 3; i++)
		ck_assert(!policy_prefix_add(&f.peer[TB], BGP_AID_IPV4, &lim));
	ck_assert_uint_eq(f.peer[TB].prefixes, 3);
	ck_assert(policy_prefix_add(&f.peer[TB], BGP_AID_IPV4, &lim));
	ck_assert_uint_eq(lim.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(lim.subcode, BGP_ERR_CEASE_MAX_PREFIX);
	ck_assert_uint_eq(lim.datalen, 7);
	ck_assert_mem_eq(lim.data, data4, 7);
	ck_assert_uint_eq(lim.restart, 60);
	ck_assert(f.peer[TB].over_limit);
	ck_assert_uint_eq(f.peer[TB].rejected[POLICY_MAX_PREFIX], 1);
	/* a withdrawal makes room again */
	policy_prefix_del(&f.peer[TB]);
	ck_assert_uint_eq(f.peer[TB].prefixes, 3);
	ck_assert(policy_prefix_add(&f.peer[TB], BGP_AID_IPV6, &lim));
	ck_assert_mem_eq(lim.data, data6, 7);
	ck_assert_uint_eq(f.peer[TB].rejected[POLICY_MAX_PREFIX], 2);
	/* the session went down: counting starts over */
	policy_peer_session_down(&f.peer[TB]);
	ck_assert_uint_eq(f.peer[TB].prefixes, 0);
	ck_assert(!f.peer[TB].over_limit);
	for (i = 0; i < 3; i++)
		ck_assert(!policy_prefix_add(&f.peer[TB], BGP_AID_IPV6, &lim));
	ck_assert(policy_prefix_add(&f.peer[TB], BGP_AID_IPV6, &lim));
	fix_fini(&f);
}
END_TEST

START_TEST(maxpfx_bare_number)
{
	struct fix		f;
	struct policy_limit	lim = limit_none();

	fix_init(&f, FM, true);
	ck_assert(!policy_prefix_add(&f.peer[TC], BGP_AID_IPV4, &lim));
	ck_assert(!policy_prefix_add(&f.peer[TC], BGP_AID_IPV4, &lim));
	ck_assert(policy_prefix_add(&f.peer[TC], BGP_AID_IPV4, &lim));
	ck_assert_uint_eq(lim.restart, 0);	/* stay down */
	ck_assert_uint_eq(lim.data[6], 2);
	ck_assert(policy_prefix_add(&f.peer[TC], BGP_AID_IPV4, NULL));
	ck_assert_uint_eq(f.peer[TC].rejected[POLICY_MAX_PREFIX], 2);
	fix_fini(&f);
}
END_TEST

START_TEST(maxpfx_unlimited)
{
	struct fix		f;
	struct policy_limit	lim = limit_none();
	unsigned		i;

	fix_init(&f, FM, true);
	for (i = 0; i < 100000; i++) {
		ck_assert(!policy_prefix_add(&f.peer[TA], BGP_AID_IPV4, &lim));
		ck_assert(!policy_prefix_add(&f.peer[NB], BGP_AID_IPV4, &lim));
	}
	ck_assert_uint_eq(f.peer[TA].prefixes, 100000);
	ck_assert_uint_eq(f.peer[NB].prefixes, 100000);
	/* more deletions than additions do not wrap */
	policy_peer_session_down(&f.peer[NB]);
	policy_prefix_del(&f.peer[NB]);
	ck_assert_uint_eq(f.peer[NB].prefixes, 0);
	fix_fini(&f);
}
END_TEST

/* Export: mode, peer, origin, and the expected answer. */
static const struct {
	enum mode		 mode;
	bool			 reflector;
	enum tpeer		 peer;
	enum policy_origin	 origin;
	bool			 from_client;
	const char		*prefix;
	enum policy_reason	 want;
} exp_rows[] = {
	/* ToR mode: own CIDRs only */
	{ TOR, false, TA, POLICY_ORIGIN_OWN, false, "10.244.1.0/24", OK },
	{ TOR, false, TA, POLICY_ORIGIN_OWN, false, "fd00:10:244:1::/64", OK },
	{ TOR, false, TA, POLICY_ORIGIN_EXTERNAL, false, "10.244.2.0/24",
	  POLICY_EXP_NOT_OWN },
	{ TOR, false, TA, POLICY_ORIGIN_EXTERNAL, false, "0.0.0.0/0",
	  POLICY_DEFAULT_NOT_ALLOWED },
	/* full mesh: own CIDRs to every node, nothing node to node */
	{ FM, false, NB, POLICY_ORIGIN_OWN, false, "10.244.1.0/24", OK },
	{ FM, false, NB, POLICY_ORIGIN_NODE, false, "10.244.3.0/24",
	  POLICY_EXP_IBGP },
	{ FM, true, NB, POLICY_ORIGIN_NODE, true, "10.244.3.0/24",
	  POLICY_EXP_IBGP },
	{ FM, false, NB, POLICY_ORIGIN_EXTERNAL, false, "10.244.3.0/24",
	  POLICY_EXP_NOT_OWN },
	{ FM, false, TA, POLICY_ORIGIN_OWN, false, "10.244.1.0/24", OK },
	{ FM, false, TA, POLICY_ORIGIN_NODE, false, "10.244.2.0/24",
	  POLICY_EXP_NOT_OWN },
	/* route reflector, RFC 4456 8 */
	{ RR, true, NC, POLICY_ORIGIN_NODE, true, "10.244.2.0/24", OK },
	{ RR, true, NR, POLICY_ORIGIN_NODE, true, "10.244.3.0/24", OK },
	{ RR, true, NC, POLICY_ORIGIN_NODE, false, "10.244.9.0/24", OK },
	{ RR, true, NR, POLICY_ORIGIN_NODE, false, "10.244.2.0/24",
	  POLICY_EXP_IBGP },
	{ RR, true, NC, POLICY_ORIGIN_OWN, false, "10.244.1.0/24", OK },
	{ RR, true, NC, POLICY_ORIGIN_EXTERNAL, false, "10.244.5.0/24",
	  POLICY_EXP_NOT_OWN },
	{ RR, false, NR, POLICY_ORIGIN_NODE, true, "10.244.3.0/24",
	  POLICY_EXP_IBGP },
	{ RR, false, NR, POLICY_ORIGIN_OWN, false, "10.244.1.0/24", OK },
	{ RR, true, NC, POLICY_ORIGIN_NODE, true, "0.0.0.0/0",
	  POLICY_DEFAULT_NOT_ALLOWED },
	/* explicit export rules: tor-c */
	{ FM, false, TC, POLICY_ORIGIN_OWN, false, "10.244.1.0/24",
	  POLICY_RULE_REJECT },
	{ FM, false, TC, POLICY_ORIGIN_OWN, false, "fd00:10:244:1::/64", OK },
	{ FM, false, TC, POLICY_ORIGIN_NODE, false, "10.244.2.0/24", OK },
	{ FM, false, TC, POLICY_ORIGIN_EXTERNAL, false, "10.244.2.0/25",
	  POLICY_EXP_NOT_OWN },
	{ FM, false, TC, POLICY_ORIGIN_EXTERNAL, false, "0.0.0.0/0", OK },
	{ FM, false, TC, POLICY_ORIGIN_EXTERNAL, false, "::/0",
	  POLICY_EXP_NOT_OWN },
	{ FM, false, TB, POLICY_ORIGIN_EXTERNAL, false, "10.244.2.0/24", OK },
	{ FM, false, TB, POLICY_ORIGIN_EXTERNAL, false, "0.0.0.0/0",
	  POLICY_DEFAULT_NOT_ALLOWED },
};

static struct bgp_attr_set
attrs(const uint32_t *comm, size_t n)
{
	struct bgp_attr_set	a;

	memset(&a, 0, sizeof(a));
	a.nexthop = A("10.1.0.5");
	a.communities = comm;
	a.ncommunities = n;
	return a;
}

static enum policy_reason
export(struct fix *f, bool reflector, enum tpeer peer,
    enum policy_origin origin, bool from_client, const char *pfx,
    const struct bgp_attr_set *a)
{
	struct prefix		p = P(pfx);
	struct policy_route	r = { .prefix = &p,
	    .origin = origin, .from_rr_client = from_client };
	struct bgp_attr_set	out;
	enum policy_reason	why = POLICY_REASON_MAX;
	int			rc;

	policy_set_reflector(f->ctx, reflector);
	rc = policy_export(f->ctx, &f->peer[peer], &r, a, &out, &why);
	ck_assert_int_eq(rc, why == POLICY_OK);
	return why;
}

START_TEST(export_row)
{
	struct fix		f;
	struct bgp_attr_set	a = attrs(NULL, 0);
	enum policy_reason	got;

	fix_init(&f, exp_rows[_i].mode, true);
	got = export(&f, exp_rows[_i].reflector, exp_rows[_i].peer,
	    exp_rows[_i].origin, exp_rows[_i].from_client,
	    exp_rows[_i].prefix, &a);
	ck_assert_msg(got == exp_rows[_i].want, "row %d: %s: got \"%s\", "
	    "want \"%s\"", _i, exp_rows[_i].prefix, policy_reason_name(got),
	    policy_reason_name(exp_rows[_i].want));
	fix_fini(&f);
}
END_TEST

/* RFC 1997: no-advertise goes nowhere, no-export stays in the AS. */
START_TEST(export_well_known)
{
	struct fix		f;
	const uint32_t		noexp[] = { 0xffffff01 }, noadv[] =
				    { 0x00010001, 0xffffff02 },
				subconf[] = { 0xffffff03 };
	struct bgp_attr_set	a;

	fix_init(&f, RR, true);
	a = attrs(noexp, 1);
	ck_assert_int_eq(export(&f, true, TB, POLICY_ORIGIN_NODE, false,
	    "10.244.2.0/24", &a), POLICY_EXP_NO_EXPORT);
	ck_assert_int_eq(export(&f, true, TC, POLICY_ORIGIN_NODE, false,
	    "10.244.2.0/24", &a), OK);		/* tor-c is in our AS */
	ck_assert_int_eq(export(&f, true, NC, POLICY_ORIGIN_NODE, false,
	    "10.244.2.0/24", &a), OK);
	a = attrs(subconf, 1);
	ck_assert_int_eq(export(&f, true, TB, POLICY_ORIGIN_NODE, false,
	    "10.244.2.0/24", &a), POLICY_EXP_NO_EXPORT);
	/* our AS from an annotation: tor-b's 65001 is now ours */
	policy_set_asn(f.ctx, 65001);
	ck_assert_int_eq(export(&f, true, TB, POLICY_ORIGIN_NODE, false,
	    "10.244.2.0/24", &a), OK);
	a = attrs(noadv, 2);
	ck_assert_int_eq(export(&f, true, TC, POLICY_ORIGIN_NODE, false,
	    "10.244.2.0/24", &a), POLICY_EXP_NO_ADVERTISE);
	ck_assert_int_eq(export(&f, true, NC, POLICY_ORIGIN_NODE, true,
	    "10.244.2.0/24", &a), POLICY_EXP_NO_ADVERTISE);
	fix_fini(&f);
}
END_TEST

static uint32_t
C(uint16_t asn, uint16_t v)
{
	return (uint32_t)asn << 16 | v;
}

/*
 * tor-b gets 65001:200, 65001:100, no-export and two large communities
 * merged into the route's own, sorted and without repeats; the interned
 * original does not change.
 */
START_TEST(export_communities)
{
	struct fix		 f;
	const uint32_t		 comm[] = { C(65001, 200), C(1, 1),
				    C(65001, 200) };
	const struct bgp_lcomm	 lc[] = { { 1, 2, 3 }, { 0, 9, 9 } };
	const uint32_t		 want[] = { C(1, 1), C(65001, 100),
				    C(65001, 200), 0xffffff01 };
	const struct bgp_lcomm	 lwant[] = { { 0, 9, 9 }, { 1, 2, 3 },
				    { 4200000001U, 1, 2 } };
	struct bgp_attr_table	*t;
	const struct bgp_attr_set *in, *in2;
	struct bgp_attr_set	 a = attrs(comm, 3), out, copy;
	struct prefix		 p = P("10.244.2.0/24");
	struct policy_route	 r = { .prefix = &p,
	    .origin = POLICY_ORIGIN_NODE, .from_rr_client = false };
	uint32_t		 refs;

	fix_init(&f, FM, true);
	a.lcomms = lc;
	a.nlcomms = 2;
	ck_assert_ptr_nonnull(t = bgp_attr_table_new());
	ck_assert_ptr_nonnull(in = bgp_attr_intern(t, &a));
	copy = *in;
	refs = in->refcnt;
	ck_assert_int_eq(policy_export(f.ctx, &f.peer[TB], &r, in, &out,
	    NULL), 1);
	ck_assert_uint_eq(out.ncommunities, 4);
	ck_assert_mem_eq(out.communities, want, sizeof(want));
	ck_assert_uint_eq(out.nlcomms, 3);
	ck_assert_mem_eq(out.lcomms, lwant, sizeof(lwant));
	ck_assert(ipaddr_cmp(&out.nexthop, &in->nexthop) == 0);
	/* the original is untouched */
	ck_assert_ptr_eq(in->communities, copy.communities);
	ck_assert_uint_eq(in->ncommunities, copy.ncommunities);
	ck_assert_uint_eq(in->nlcomms, 2);
	ck_assert_uint_eq(in->refcnt, refs);
	ck_assert_ptr_ne(out.communities, in->communities);
	ck_assert(bgp_attr_set_eq(in, &a));
	/* interning the result gives a second, different set */
	ck_assert_ptr_nonnull(in2 = bgp_attr_intern(t, &out));
	ck_assert_ptr_ne(in2, in);
	ck_assert_uint_eq(bgp_attr_table_count(t), 2);
	ck_assert_uint_eq(in2->ncommunities, 4);
	bgp_attr_unref(in2);
	bgp_attr_unref(in);
	bgp_attr_table_free(t);
	fix_fini(&f);
}
END_TEST

/* A route without communities of its own gets exactly the peer's. */
START_TEST(export_communities_empty)
{
	struct fix		f;
	const uint32_t		want[] = { C(65001, 100), C(65001, 200),
				    0xffffff01 };
	struct bgp_attr_set	a = attrs(NULL, 0), out;
	struct prefix		p = P("10.244.1.0/24");
	struct policy_route	r = { .prefix = &p,
	    .origin = POLICY_ORIGIN_OWN, .from_rr_client = false };

	fix_init(&f, TOR, true);
	ck_assert_int_eq(policy_export(f.ctx, &f.peer[TB], &r, &a, &out,
	    NULL), 1);
	ck_assert_uint_eq(out.ncommunities, 3);
	ck_assert_mem_eq(out.communities, want, sizeof(want));
	ck_assert_uint_eq(out.nlcomms, 2);
	ck_assert_uint_eq(out.lcomms[0].global, 1);
	ck_assert_uint_eq(out.lcomms[1].global, 4200000001U);
	ck_assert_ptr_null(a.communities);
	fix_fini(&f);
}
END_TEST

/* No communities configured: the template shares the original's. */
START_TEST(export_communities_none)
{
	struct fix		f;
	const uint32_t		comm[] = { C(7, 7) };
	struct bgp_attr_set	a = attrs(comm, 1), out;
	struct prefix		p = P("10.244.1.0/24");
	struct policy_route	r = { .prefix = &p,
	    .origin = POLICY_ORIGIN_OWN, .from_rr_client = false };

	fix_init(&f, FM, true);
	ck_assert_int_eq(policy_export(f.ctx, &f.peer[TA], &r, &a, &out,
	    NULL), 1);
	ck_assert_ptr_eq(out.communities, comm);
	ck_assert_uint_eq(out.ncommunities, 1);
	ck_assert_uint_eq(out.nlcomms, 0);
	ck_assert(bgp_attr_set_eq(&out, &a));
	ck_assert_int_eq(policy_export(f.ctx, &f.peer[NB], &r, &a, &out,
	    NULL), 1);
	ck_assert_ptr_eq(out.communities, comm);
	fix_fini(&f);
}
END_TEST

/* A refused route leaves the template alone; scratch grows as needed. */
START_TEST(export_scratch_reuse)
{
	struct fix		f;
	uint32_t		many[300];
	struct bgp_attr_set	a, out;
	struct prefix		p = P("10.244.1.0/24");
	struct policy_route	r = { .prefix = &p,
	    .origin = POLICY_ORIGIN_OWN, .from_rr_client = false };
	size_t			i;

	for (i = 0; i < 300; i++)
		many[i] = (uint32_t)(300 - i) * 3;
	fix_init(&f, FM, true);
	a = attrs(many, 1);
	ck_assert_int_eq(policy_export(f.ctx, &f.peer[TB], &r, &a, &out,
	    NULL), 1);
	ck_assert_uint_eq(out.ncommunities, 4);
	a = attrs(many, 300);
	ck_assert_int_eq(policy_export(f.ctx, &f.peer[TB], &r, &a, &out,
	    NULL), 1);
	ck_assert_uint_eq(out.ncommunities, 303);
	for (i = 1; i < out.ncommunities; i++)
		ck_assert_uint_lt(out.communities[i - 1], out.communities[i]);
	ck_assert_uint_eq(many[0], 900);
	fix_fini(&f);
}
END_TEST

/*
 * Loop detection. An AS path is written as segments: type, count, then
 * the AS numbers; 0 ends it (END). The fixture's AS is 64512.
 */
#define END		0
#define SEQ		BGP_ASSEG_SEQUENCE
#define SET		BGP_ASSEG_SET
#define CSEQ		BGP_ASSEG_CONFED_SEQUENCE
#define CSET		BGP_ASSEG_CONFED_SET
#define ID(a, b, c, d)	((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))
#define RID		ID(10, 1, 0, 5)		/* our router ID */
#define CID		ID(10, 0, 0, 1)		/* a set cluster ID */

/* A learned route as it leaves: route r from a learned origin. */
static int
export_learned(struct fix *f, enum tpeer peer, enum policy_origin origin,
    bool from_ibgp, const char *pfx, const struct bgp_attr_set *a,
    struct bgp_attr_set *out, enum policy_reason *why)
{
	struct prefix		p = P(pfx);
	struct policy_route	r = { .prefix = &p, .origin = origin,
	    .from_ibgp = from_ibgp, .src_id = 0x0a010006 };

	return policy_export(f->ctx, &f->peer[peer], &r, a, out, why);
}

/*
 * Towards another AS (tor-b, 65001): our AS 64512 (0xfc00) in front,
 * joining the first AS_SEQUENCE; MED, LOCAL_PREF, ORIGINATOR_ID and
 * CLUSTER_LIST stay behind (RFC 4271 5.1.2, 5.1.4; RFC 4456).
 */
START_TEST(export_ebgp_prepend)
{
	struct fix		f;
	const uint8_t		path[] = { SEQ, 2, 0, 0, 0xfd, 0xe9,
				    0, 0, 0xfd, 0xea, SET, 1, 0, 0, 0, 7 };
	const uint8_t		want[] = { SEQ, 3, 0, 0, 0xfc, 0,
				    0, 0, 0xfd, 0xe9, 0, 0, 0xfd, 0xea,
				    SET, 1, 0, 0, 0, 7 };
	const uint32_t		cl[] = { 1 };
	struct bgp_attr_set	a = attrs(NULL, 0), out;
	enum policy_reason	why;

	fix_init(&f, TOR, true);
	a.aspath = path;
	a.aspath_len = sizeof(path);
	a.flags = BGP_AS_MED | BGP_AS_LOCAL_PREF | BGP_AS_ORIGINATOR_ID;
	a.med = 5;
	a.local_pref = 200;
	a.originator_id = 9;
	a.cluster_list = cl;
	a.ncluster = 1;
	ck_assert_int_eq(export_learned(&f, TB, POLICY_ORIGIN_EXTERNAL, false,
	    "10.244.70.0/24", &a, &out, &why), 1);
	ck_assert_uint_eq(out.aspath_len, sizeof(want));
	ck_assert_mem_eq(out.aspath, want, sizeof(want));
	ck_assert_uint_eq(out.flags & (BGP_AS_MED | BGP_AS_LOCAL_PREF |
	    BGP_AS_ORIGINATOR_ID), 0);
	ck_assert_uint_eq(out.ncluster, 0);
	/* the route's own set is untouched */
	ck_assert_uint_eq(a.aspath_len, sizeof(path));
	ck_assert_uint_eq(a.flags & BGP_AS_MED, BGP_AS_MED);
	fix_fini(&f);
}
END_TEST

/* An empty path, a path starting with a set, a full sequence. */
START_TEST(export_ebgp_prepend_segments)
{
	struct fix		f;
	const uint8_t		set[] = { SET, 1, 0, 0, 0, 7 };
	const uint8_t		want_empty[] = { SEQ, 1, 0, 0, 0xfc, 0 };
	const uint8_t		want_set[] = { SEQ, 1, 0, 0, 0xfc, 0,
				    SET, 1, 0, 0, 0, 7 };
	uint8_t			full[2 + 255 * 4];
	struct bgp_attr_set	a = attrs(NULL, 0), out;

	fix_init(&f, TOR, true);
	ck_assert_int_eq(export_learned(&f, TB, POLICY_ORIGIN_EXTERNAL, false,
	    "10.244.70.0/24", &a, &out, NULL), 1);
	ck_assert_uint_eq(out.aspath_len, sizeof(want_empty));
	ck_assert_mem_eq(out.aspath, want_empty, sizeof(want_empty));
	a.aspath = set;
	a.aspath_len = sizeof(set);
	ck_assert_int_eq(export_learned(&f, TB, POLICY_ORIGIN_EXTERNAL, false,
	    "10.244.70.0/24", &a, &out, NULL), 1);
	ck_assert_uint_eq(out.aspath_len, sizeof(want_set));
	ck_assert_mem_eq(out.aspath, want_set, sizeof(want_set));
	memset(full, 0, sizeof(full));
	full[0] = SEQ;
	full[1] = 255;
	a.aspath = full;
	a.aspath_len = sizeof(full);
	ck_assert_int_eq(export_learned(&f, TB, POLICY_ORIGIN_EXTERNAL, false,
	    "10.244.70.0/24", &a, &out, NULL), 1);
	ck_assert_uint_eq(out.aspath_len, sizeof(full) + 6);
	ck_assert_mem_eq(out.aspath, want_empty, sizeof(want_empty));
	ck_assert_uint_eq(out.aspath[6], SEQ);
	ck_assert_uint_eq(out.aspath[7], 255);
	/* this node's own routes are built by the caller: no prepend */
	ck_assert_int_eq(export(&f, false, TB, POLICY_ORIGIN_OWN, false,
	    "10.244.1.0/24", &a), OK);
	fix_fini(&f);
}
END_TEST

/*
 * Within the AS (tor-c, 64512): an eBGP-learned route gets LOCAL_PREF
 * 100 and keeps its MED and path; an iBGP-learned one is not passed on.
 */
START_TEST(export_ibgp_rules)
{
	struct fix		f;
	const uint8_t		path[] = { SEQ, 1, 0, 0, 0xfd, 0xe9 };
	struct bgp_attr_set	a = attrs(NULL, 0), out;
	enum policy_reason	why;

	fix_init(&f, TOR, true);
	a.aspath = path;
	a.aspath_len = sizeof(path);
	a.flags = BGP_AS_MED;
	a.med = 5;
	ck_assert_int_eq(export_learned(&f, TC, POLICY_ORIGIN_EXTERNAL, false,
	    "10.244.70.0/24", &a, &out, &why), 1);
	ck_assert_uint_eq(out.flags & BGP_AS_LOCAL_PREF, BGP_AS_LOCAL_PREF);
	ck_assert_uint_eq(out.local_pref, 100);
	ck_assert_uint_eq(out.flags & BGP_AS_MED, BGP_AS_MED);
	ck_assert_uint_eq(out.med, 5);
	ck_assert_uint_eq(out.aspath_len, sizeof(path));
	ck_assert_int_eq(export_learned(&f, TC, POLICY_ORIGIN_EXTERNAL, true,
	    "10.244.70.0/24", &a, &out, &why), 0);
	ck_assert_int_eq(why, POLICY_EXP_IBGP);
	/* nor a node's route learned over iBGP */
	ck_assert_int_eq(export_learned(&f, TC, POLICY_ORIGIN_NODE, true,
	    "10.244.2.0/24", &a, &out, &why), 0);
	ck_assert_int_eq(why, POLICY_EXP_IBGP);
	/* towards another AS LOCAL_PREF goes, whatever it was */
	a.flags |= BGP_AS_LOCAL_PREF;
	a.local_pref = 300;
	ck_assert_int_eq(export_learned(&f, TB, POLICY_ORIGIN_EXTERNAL, true,
	    "10.244.70.0/24", &a, &out, &why), 1);
	ck_assert_uint_eq(out.flags & BGP_AS_LOCAL_PREF, 0);
	fix_fini(&f);
}
END_TEST

/*
 * A reflector (RFC 4456 8): ORIGINATOR_ID is the sender's unless the
 * route has one, our cluster ID goes first in CLUSTER_LIST (the router ID
 * when no cluster ID is set), LOCAL_PREF stays.
 */
START_TEST(export_reflect_attrs)
{
	struct fix		f;
	const uint32_t		cl[] = { 0x01020304 };
	struct bgp_attr_set	a = attrs(NULL, 0), out;

	fix_init(&f, RR, true);
	policy_set_reflector(f.ctx, true);
	policy_set_router_id(f.ctx, RID);
	a.flags = BGP_AS_LOCAL_PREF;
	a.local_pref = 150;
	ck_assert_int_eq(export_learned(&f, NR, POLICY_ORIGIN_NODE, true,
	    "10.244.3.0/24", &a, &out, NULL), 0);	/* not from a client */
	{
		struct prefix		p = P("10.244.3.0/24");
		struct policy_route	r = { .prefix = &p,
		    .origin = POLICY_ORIGIN_NODE, .from_rr_client = true,
		    .from_ibgp = true, .src_id = 0x0a010007 };

		ck_assert_int_eq(policy_export(f.ctx, &f.peer[NR], &r, &a,
		    &out, NULL), 1);
		ck_assert_uint_eq(out.flags & BGP_AS_ORIGINATOR_ID,
		    BGP_AS_ORIGINATOR_ID);
		ck_assert_uint_eq(out.originator_id, 0x0a010007);
		ck_assert_uint_eq(out.ncluster, 1);
		ck_assert_uint_eq(out.cluster_list[0], RID);
		ck_assert_uint_eq(out.local_pref, 150);
		ck_assert(ipaddr_cmp(&out.nexthop, &a.nexthop) == 0);
		/* an ORIGINATOR_ID stays; a set cluster ID goes first */
		policy_set_cluster_id(f.ctx, CID);
		a.flags |= BGP_AS_ORIGINATOR_ID;
		a.originator_id = 0x0a0100ff;
		a.cluster_list = cl;
		a.ncluster = 1;
		ck_assert_int_eq(policy_export(f.ctx, &f.peer[NR], &r, &a,
		    &out, NULL), 1);
		ck_assert_uint_eq(out.originator_id, 0x0a0100ff);
		ck_assert_uint_eq(out.ncluster, 2);
		ck_assert_uint_eq(out.cluster_list[0], CID);
		ck_assert_uint_eq(out.cluster_list[1], 0x01020304);
		ck_assert_uint_eq(a.ncluster, 1);
	}
	fix_fini(&f);
}
END_TEST

/* Which peers and prefixes the glue must consider at all. */
START_TEST(export_possible)
{
	struct fix	f;
	struct prefix	in = P("10.244.70.0/24"), out25 = P("10.244.70.0/25"),
			dflt = P("0.0.0.0/0"), own = P("10.244.1.0/24");

	fix_init(&f, RR, true);
	policy_set_reflector(f.ctx, false);
	ck_assert(!policy_exports_learned(f.ctx, &f.peer[TA]));	/* no rules */
	ck_assert(policy_exports_learned(f.ctx, &f.peer[TB]));
	ck_assert(policy_exports_learned(f.ctx, &f.peer[TC]));
	ck_assert(!policy_exports_learned(f.ctx, &f.peer[NC]));
	ck_assert(!policy_export_possible(f.ctx, &f.peer[TA], &in));
	ck_assert(policy_export_possible(f.ctx, &f.peer[TB], &in));
	ck_assert(!policy_export_possible(f.ctx, &f.peer[TB], &out25));
	ck_assert(!policy_export_possible(f.ctx, &f.peer[TB], &dflt));
	ck_assert(policy_export_possible(f.ctx, &f.peer[TC], &dflt));
	ck_assert(!policy_export_possible(f.ctx, &f.peer[TC], &own));
	ck_assert(!policy_export_possible(f.ctx, &f.peer[NC], &in));
	policy_set_reflector(f.ctx, true);
	ck_assert(policy_exports_learned(f.ctx, &f.peer[NC]));
	ck_assert(policy_exports_learned(f.ctx, &f.peer[NR]));
	ck_assert(policy_export_possible(f.ctx, &f.peer[NC], &in));
	fix_fini(&f);
}
END_TEST

struct loop_case {
	enum tpeer		 peer;
	const char		*prefix;
	const char		*nexthop;
	uint32_t		 path[12];
	bool			 has_orig;
	uint32_t		 orig;
	uint32_t		 cl[3];
	size_t			 ncl;
	uint32_t		 rid;		/* policy_set_router_id */
	uint32_t		 cid;		/* policy_set_cluster_id */
	enum policy_reason	 want;
};

/* Wire form with 4-octet AS numbers, as in struct bgp_attr_set. */
static size_t
aspath_wire(const uint32_t *path, uint8_t *out, size_t cap)
{
	size_t		o = 0, i;
	uint32_t	n;

	while (*path != END) {
		n = path[1];
		ck_assert(o + 2 + 4 * n <= cap);
		out[o++] = (uint8_t)path[0];
		out[o++] = (uint8_t)n;
		for (i = 0; i < n; i++) {
			out[o++] = path[2 + i] >> 24;
			out[o++] = (path[2 + i] >> 16) & 0xff;
			out[o++] = (path[2 + i] >> 8) & 0xff;
			out[o++] = path[2 + i] & 0xff;
		}
		path += 2 + n;
	}
	return o;
}

static enum policy_reason
import_loop(struct fix *f, const struct loop_case *c)
{
	struct bgp_attr_set	a;
	struct prefix		p = P(c->prefix);
	uint8_t			wire[64];
	enum policy_reason	why = POLICY_REASON_MAX;
	bool			ok;

	memset(&a, 0, sizeof(a));
	a.nexthop = A(c->nexthop);
	a.aspath = wire;
	a.aspath_len = aspath_wire(c->path, wire, sizeof(wire));
	if (c->has_orig) {
		a.flags |= BGP_AS_ORIGINATOR_ID;
		a.originator_id = c->orig;
	}
	a.cluster_list = c->ncl > 0 ? c->cl : NULL;
	a.ncluster = c->ncl;
	policy_set_router_id(f->ctx, c->rid);
	policy_set_cluster_id(f->ctx, c->cid);
	ok = policy_import(f->ctx, &f->peer[c->peer], &p, &a, &why);
	ck_assert_int_eq(ok, why == POLICY_OK);
	return why;
}

#define T4	"10.244.2.0/24", "10.1.0.1"	/* acceptable from tor-a */

static const struct loop_case loop_rows[] = {
	/* RFC 4271 9.1.2: our AS anywhere in the path */
	{ TA, T4, { SEQ, 3, 64512, 65001, 65002 }, .want = POLICY_AS_LOOP },
	{ TA, T4, { SEQ, 3, 65001, 64512, 65002 }, .want = POLICY_AS_LOOP },
	{ TA, T4, { SEQ, 3, 65001, 65002, 64512 }, .want = POLICY_AS_LOOP },
	{ TA, T4, { SEQ, 1, 65001, SET, 2, 65005, 64512 },
	  .want = POLICY_AS_LOOP },
	{ TA, T4, { CSEQ, 1, 64512, SEQ, 1, 65001 }, .want = POLICY_AS_LOOP },
	{ TA, T4, { CSET, 2, 65010, 64512, SEQ, 1, 65001 },
	  .want = POLICY_AS_LOOP },
	{ TA, T4, { SEQ, 1, 65001, SEQ, 2, 65002, 64512 },
	  .want = POLICY_AS_LOOP },		/* second sequence */
	/* not present */
	{ TA, T4, { SEQ, 2, 65001, 65002, SET, 1, 65003 }, .want = OK },
	{ TA, T4, { END }, .want = OK },
	{ TA, T4, { SEQ, 2, 65001, 0x1fc00 }, .want = OK }, /* 64512 + 2^16 */
	{ TA, T4, { SEQ, 1, 4200000000U }, .want = OK },
	/* RFC 4456 8: ORIGINATOR_ID */
	{ TA, T4, { END }, true, RID, .rid = RID,
	  .want = POLICY_ORIGINATOR_LOOP },
	{ TA, T4, { END }, true, ID(10, 1, 0, 6), .rid = RID, .want = OK },
	{ TA, T4, { END }, false, RID, .rid = RID, .want = OK }, /* absent */
	{ TA, T4, { END }, true, 0, .want = OK },	/* router ID unset */
	{ NB, "10.244.2.0/24", "10.1.0.6", { END }, true, RID, .rid = RID,
	  .want = POLICY_ORIGINATOR_LOOP },
	/* CLUSTER_LIST: the cluster ID, by default the router ID */
	{ TA, T4, { END }, .cl = { ID(1, 1, 1, 1), RID }, .ncl = 2,
	  .rid = RID, .want = POLICY_CLUSTER_LOOP },
	{ TA, T4, { END }, .cl = { ID(1, 1, 1, 1), ID(2, 2, 2, 2) },
	  .ncl = 2, .rid = RID, .want = OK },
	{ TA, T4, { END }, .cl = { CID }, .ncl = 1, .rid = RID, .cid = CID,
	  .want = POLICY_CLUSTER_LOOP },
	{ TA, T4, { END }, .cl = { RID }, .ncl = 1, .rid = RID, .cid = CID,
	  .want = OK },		/* a set cluster ID replaces RID */
	{ TA, T4, { END }, .cl = { ID(1, 1, 1, 1), ID(2, 2, 2, 2), CID },
	  .ncl = 3, .cid = CID, .want = POLICY_CLUSTER_LOOP },
	{ TA, T4, { END }, true, RID, .cl = { RID }, .ncl = 1, .want = OK },
	/* before the rules: tor-b's first rule accepts 10.244.200.0/24 */
	{ TB, "10.244.200.0/24", "10.1.0.2", { END }, .want = OK },
	{ TB, "10.244.200.0/24", "10.1.0.2", { SEQ, 2, 65001, 64512 },
	  .want = POLICY_AS_LOOP },
	{ TB, "10.244.200.0/24", "10.1.0.2", { END }, true, RID, .rid = RID,
	  .want = POLICY_ORIGINATOR_LOOP },
	{ TB, "10.244.200.0/24", "10.1.0.2", { END }, .cl = { RID }, .ncl = 1,
	  .rid = RID, .want = POLICY_CLUSTER_LOOP },
	/* and before every other step */
	{ TB, "0.0.0.0/0", "10.1.0.2", { SEQ, 1, 64512 },
	  .want = POLICY_AS_LOOP },
	{ TA, "0.0.0.0/0", "10.1.0.1", { SEQ, 1, 64512 },
	  .want = POLICY_AS_LOOP },
	{ TA, "10.244.1.0/24", "10.1.0.1", { SEQ, 1, 64512 },
	  .want = POLICY_AS_LOOP },
	{ NB, "10.244.3.0/24", "10.1.0.6", { END }, .cl = { RID }, .ncl = 1,
	  .rid = RID, .want = POLICY_CLUSTER_LOOP },
	/* several loops: AS path, then originator, then cluster list */
	{ TA, T4, { SEQ, 1, 64512 }, true, RID, .cl = { RID }, .ncl = 1,
	  .rid = RID, .want = POLICY_AS_LOOP },
	{ TA, T4, { END }, true, RID, .cl = { RID }, .ncl = 1,
	  .rid = RID, .want = POLICY_ORIGINATOR_LOOP },
};

START_TEST(import_loop_row)
{
	struct fix		f;
	enum policy_reason	got;
	const struct loop_case	*c = &loop_rows[_i];

	fix_init(&f, FM, true);
	got = import_loop(&f, c);
	ck_assert_msg(got == c->want, "loop row %d: got \"%s\", want \"%s\"",
	    _i, policy_reason_name(got), policy_reason_name(c->want));
	if (got == OK)
		ck_assert_uint_eq(f.peer[c->peer].accepted, 1);
	else
		ck_assert_uint_eq(f.peer[c->peer].rejected[got], 1);
	fix_fini(&f);
}
END_TEST

/* Counted by reason and per peer; the AS follows policy_set_asn. */
START_TEST(import_loop_counters)
{
	struct fix		f;
	struct loop_case	as = { TA, T4, { SEQ, 2, 65001, 64512 },
				    .want = POLICY_AS_LOOP };
	struct loop_case	orig = { TA, T4, { END }, true, RID,
				    .rid = RID };
	struct loop_case	cl = { TA, T4, { END }, .cl = { RID },
				    .ncl = 1, .rid = RID };
	unsigned		i;

	fix_init(&f, FM, true);
	for (i = 0; i < 3; i++)
		ck_assert_int_eq(import_loop(&f, &as), POLICY_AS_LOOP);
	for (i = 0; i < 2; i++)
		ck_assert_int_eq(import_loop(&f, &orig),
		    POLICY_ORIGINATOR_LOOP);
	ck_assert_int_eq(import_loop(&f, &cl), POLICY_CLUSTER_LOOP);
	ck_assert_uint_eq(f.peer[TA].rejected[POLICY_AS_LOOP], 3);
	ck_assert_uint_eq(f.peer[TA].rejected[POLICY_ORIGINATOR_LOOP], 2);
	ck_assert_uint_eq(f.peer[TA].rejected[POLICY_CLUSTER_LOOP], 1);
	ck_assert_uint_eq(f.peer[TA].rejected[POLICY_RULE_REJECT], 0);
	ck_assert_uint_eq(f.peer[TA].accepted, 0);
	ck_assert_uint_eq(f.peer[TB].rejected[POLICY_AS_LOOP], 0);
	/* our AS from an annotation: 65001 is ours, 64512 no longer */
	policy_set_asn(f.ctx, 65001);
	ck_assert_int_eq(import_loop(&f, &as), POLICY_AS_LOOP);
	as.path[1] = 1;
	as.path[2] = 64512;
	as.path[3] = END;
	ck_assert_int_eq(import_loop(&f, &as), OK);
	/* the router ID changed: the old one is someone else's */
	orig.rid = ID(10, 1, 0, 99);
	ck_assert_int_eq(import_loop(&f, &orig), OK);
	cl.rid = orig.rid;
	ck_assert_int_eq(import_loop(&f, &cl), OK);
	ck_assert_uint_eq(f.peer[TA].rejected[POLICY_AS_LOOP], 4);
	ck_assert_uint_eq(f.peer[TA].accepted, 3);
	fix_fini(&f);
}
END_TEST

START_TEST(reason_names)
{
	unsigned	i, j;

	for (i = 0; i < POLICY_REASON_MAX; i++) {
		ck_assert_ptr_nonnull(policy_reason_name(i));
		ck_assert_uint_gt(strlen(policy_reason_name(i)), 1);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(policy_reason_name(i),
			    policy_reason_name(j));
	}
	ck_assert_str_eq(policy_reason_name(POLICY_NOT_IN_CLUSTER),
	    "not in cluster CIDRs");
	ck_assert_str_eq(policy_reason_name(POLICY_NODE_BAD_NEXTHOP),
	    "node peer: next hop is not the node");
	ck_assert_str_eq(policy_reason_name(POLICY_AS_LOOP), "AS path loop");
	ck_assert_str_eq(policy_reason_name(POLICY_ORIGINATOR_LOOP),
	    "originator is this router");
	ck_assert_str_eq(policy_reason_name(POLICY_CLUSTER_LOOP),
	    "cluster list loop");
	ck_assert_str_eq(policy_reason_name(POLICY_REASON_MAX), "unknown");
	policy_ctx_free(NULL);
}
END_TEST

Suite *
policy_suite(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc;

	tc = tcase_create("import");
	tcase_add_loop_test(tc, import_row, 0, sizeof(imp) / sizeof(imp[0]));
	tcase_add_test(tc, import_counters);
	tcase_add_test(tc, import_fact_updates);
	tcase_add_test(tc, import_node_update);
	tcase_add_test(tc, import_rr_nodes_update);
	tcase_add_test(tc, import_reload);
	suite_add_tcase(s, tc);

	tc = tcase_create("loops");
	tcase_add_loop_test(tc, import_loop_row, 0,
	    sizeof(loop_rows) / sizeof(loop_rows[0]));
	tcase_add_test(tc, import_loop_counters);
	suite_add_tcase(s, tc);

	tc = tcase_create("max-prefix");
	tcase_add_test(tc, maxpfx_threshold);
	tcase_add_test(tc, maxpfx_bare_number);
	tcase_add_test(tc, maxpfx_unlimited);
	suite_add_tcase(s, tc);

	tc = tcase_create("export");
	tcase_add_loop_test(tc, export_row, 0,
	    sizeof(exp_rows) / sizeof(exp_rows[0]));
	tcase_add_test(tc, export_well_known);
	tcase_add_test(tc, export_communities);
	tcase_add_test(tc, export_communities_empty);
	tcase_add_test(tc, export_communities_none);
	tcase_add_test(tc, export_scratch_reuse);
	tcase_add_test(tc, export_ebgp_prepend);
	tcase_add_test(tc, export_ebgp_prepend_segments);
	tcase_add_test(tc, export_ibgp_rules);
	tcase_add_test(tc, export_reflect_attrs);
	tcase_add_test(tc, export_possible);
	tcase_add_test(tc, reason_names);
	suite_add_tcase(s, tc);
	return s;
}
