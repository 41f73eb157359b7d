/*
 * rib: the prefix table against a brute-force model, resumable walks, each
 * step of the decision process in both orders of arrival, ECMP, graceful
 * restart, change records and attribute references. Every test ends with
 * the rib freed and the attribute table empty: no reference leaks.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>

#include "check_unit.h"
#include "rib.h"

static struct bgp_attr_table		*at;
static struct rib			*rib;
static const struct bgp_attr_set	*held[512];
static size_t				 nheld;

static void
setup(void)
{
	at = bgp_attr_table_new();
	ck_assert_ptr_nonnull(at);
	rib = rib_new(NULL);
	ck_assert_ptr_nonnull(rib);
	nheld = 0;
}

static void
teardown(void)
{
	size_t	i;

	rib_free(rib);
	rib = NULL;
	for (i = 0; i < nheld; i++)
		bgp_attr_unref(held[i]);
	/* every reference the rib took is gone with it */
	ck_assert_uint_eq(bgp_attr_table_count(at), 0);
	bgp_attr_table_free(at);
}

static void
reconf(unsigned max_paths, bool always_med, bool unknown_reach)
{
	struct rib_conf	c;

	rib_free(rib);
	rib_conf_default(&c);
	c.max_paths = max_paths;
	c.always_compare_med = always_med;
	c.nh_unknown_reachable = unknown_reach;
	rib = rib_new(&c);
	ck_assert_ptr_nonnull(rib);
}

static struct prefix
P(const char *s)
{
	struct prefix	p;

	ck_assert_int_eq(prefix_parse(s, &p), PREFIX_OK);
	return p;
}

static struct ipaddr
IP(const char *s)
{
	struct ipaddr	a;

	memset(&a, 0, sizeof(a));
	ck_assert_int_eq(ipaddr_parse(s, &a), 0);
	return a;
}

/* "1 2 {3 4} (65010)": sequence, set, confederation sequence. */
static size_t
aspath_enc(const char *s, uint8_t *out)
{
	size_t		 o = 0, seg = 0;
	int		 open = 0;
	unsigned long	 as;
	char		*end;

	while (*s != '\0') {
		if (*s == ' ') {
			s++;
			continue;
		}
		if (*s == '(' || *s == '{') {
			open = *s == '(' ? BGP_ASSEG_CONFED_SEQUENCE :
			    BGP_ASSEG_SET;
			seg = o;
			out[o++] = (uint8_t)open;
			out[o++] = 0;
			s++;
			continue;
		}
		if (*s == ')' || *s == '}') {
			open = 0;
			s++;
			continue;
		}
		as = strtoul(s, &end, 10);
		ck_assert_ptr_ne(end, s);
		s = end;
		if (open == 0) {
			open = BGP_ASSEG_SEQUENCE;
			seg = o;
			out[o++] = (uint8_t)open;
			out[o++] = 0;
		}
		out[seg + 1]++;
		out[o++] = (uint8_t)(as >> 24);
		out[o++] = (uint8_t)(as >> 16);
		out[o++] = (uint8_t)(as >> 8);
		out[o++] = (uint8_t)as;
	}
	return o;
}

struct aspec {
	const char	*nh;		/* NULL: 192.0.2.99 */
	const char	*path;		/* NULL: empty */
	uint8_t		 origin;
	uint32_t	 lp;		/* 0: no LOCAL_PREF */
	bool		 has_med;
	uint32_t	 med;
	uint32_t	 originator;	/* 0: none */
	unsigned	 ncl;
};

static const struct bgp_attr_set *
mk(struct aspec s)
{
	static const uint32_t		 cl[4] = { 11, 12, 13, 14 };
	struct bgp_attr_set		 a;
	const struct bgp_attr_set	*r;
	uint8_t				 path[256];

	memset(&a, 0, sizeof(a));
	a.origin = s.origin;
	a.nexthop = IP(s.nh != NULL ? s.nh : "192.0.2.99");
	a.aspath_len = aspath_enc(s.path != NULL ? s.path : "", path);
	a.aspath = path;
	if (s.lp != 0) {
		a.flags |= BGP_AS_LOCAL_PREF;
		a.local_pref = s.lp;
	}
	if (s.has_med) {
		a.flags |= BGP_AS_MED;
		a.med = s.med;
	}
	if (s.originator != 0) {
		a.flags |= BGP_AS_ORIGINATOR_ID;
		a.originator_id = s.originator;
	}
	a.cluster_list = cl;
	a.ncluster = s.ncl;
	r = bgp_attr_intern(at, &a);
	ck_assert_ptr_nonnull(r);
	ck_assert_uint_lt(nheld, sizeof(held) / sizeof(held[0]));
	held[nheld++] = r;
	return r;
}

/* A simple attribute set told apart by its next hop. */
static const struct bgp_attr_set *
simple(const char *nh)
{
	return mk((struct aspec){ .nh = nh, .path = "65001" });
}

struct pspec {
	const char	*addr;
	uint32_t	 as;
	uint32_t	 id;
	uint8_t		 flags;
};

static unsigned
peer(struct pspec s)
{
	struct rib_peer	p;
	int		id;

	memset(&p, 0, sizeof(p));
	p.addr = IP(s.addr);
	p.as = s.as;
	p.bgp_id = s.id;
	p.flags = s.flags;
	id = rib_peer_add(rib, &p);
	ck_assert_int_ge(id, 0);
	return (unsigned)id;
}

static unsigned
ibgp(const char *addr, uint32_t id)
{
	return peer((struct pspec){ addr, 65000, id, 0 });
}

static unsigned
ebgp(const char *addr, uint32_t as, uint32_t id)
{
	return peer((struct pspec){ addr, as, id, RIB_PEER_EBGP });
}

static void
add(const char *pfx, unsigned pr, uint32_t pid, const struct bgp_attr_set *a)
{
	struct prefix	p = P(pfx);

	ck_assert_int_eq(rib_path_add(rib, &p, pr, pid, a), 0);
}

static int
del(const char *pfx, unsigned pr, uint32_t pid)
{
	struct prefix	p = P(pfx);

	return rib_path_del(rib, &p, pr, pid);
}

static struct rib_entry
get(const char *pfx)
{
	struct prefix		p = P(pfx);
	struct rib_entry	e;

	ck_assert_msg(rib_lookup(rib, &p, &e) == 1, "%s not found", pfx);
	return e;
}

static bool
has(const char *pfx)
{
	struct prefix		p = P(pfx);
	struct rib_entry	e;

	return rib_lookup(rib, &p, &e) == 1;
}

static size_t
drain(void)
{
	struct rib_change	c[64];
	size_t			n, total = 0;

	while ((n = rib_changes_next(rib, c, 64)) > 0)
		total += n;
	return total;
}

/* Drains and expects exactly one record for pfx of the given kind. */
static void
expect_one(const char *pfx, enum rib_change_kind kind)
{
	struct rib_change	c[4];
	struct prefix		p = P(pfx);

	ck_assert_uint_eq(rib_changes_next(rib, c, 4), 1);
	ck_assert(prefix_eq(&c[0].prefix, &p));
	ck_assert_uint_eq(c[0].kind, kind);
	ck_assert_uint_eq(rib_changes_next(rib, c, 4), 0);
}

static void
expect_none(void)
{
	struct rib_change	c[4];

	ck_assert_uint_eq(rib_changes_next(rib, c, 4), 0);
}

/* ---- prefix table ------------------------------------------------------ */

START_TEST(empty_table)
{
	struct rib_entry	e;
	struct rib_cursor	c;
	struct prefix		p = P("0.0.0.0/0");
	struct ipaddr		a = IP("10.1.2.3");

	ck_assert_int_eq(rib_lookup(rib, &p, &e), 0);
	ck_assert_int_eq(rib_match(rib, &p, &e), 0);
	ck_assert_int_eq(rib_match_addr(rib, &a, &e), 0);
	rib_cursor_init(&c, BGP_AID_IPV4);
	ck_assert_int_eq(rib_dump_next(rib, &c, &e), 0);
	ck_assert_int_eq(rib_dump_next(rib, &c, &e), 0);
	ck_assert_uint_eq(rib_changes_pending(rib), 0);
}
END_TEST

static const char *const lpm_set[] = {
	"0.0.0.0/0", "10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/24",
	"10.1.1.1/32", "10.1.1.128/25", "10.128.0.0/9", "192.0.2.0/24",
	"255.255.255.255/32", "::/0", "2001:db8::/32", "2001:db8:1::/48",
	"2001:db8::1/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
};

static const struct {
	const char	*addr;
	const char	*match;
} lpm_cases[] = {
	{ "10.1.1.1", "10.1.1.1/32" },
	{ "10.1.1.2", "10.1.1.0/24" },
	{ "10.1.1.200", "10.1.1.128/25" },
	{ "10.1.2.1", "10.1.0.0/16" },
	{ "10.2.0.1", "10.0.0.0/8" },
	{ "10.200.0.1", "10.128.0.0/9" },
	{ "11.0.0.1", "0.0.0.0/0" },
	{ "0.0.0.0", "0.0.0.0/0" },
	{ "192.0.2.255", "192.0.2.0/24" },
	{ "255.255.255.255", "255.255.255.255/32" },
	{ "255.255.255.254", "0.0.0.0/0" },
	{ "2001:db8::1", "2001:db8::1/128" },
	{ "2001:db8::2", "2001:db8::/32" },
	{ "2001:db8:1::5", "2001:db8:1::/48" },
	{ "2001:db9::", "::/0" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	    "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128" },
	{ "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe", "::/0" },
};

START_TEST(lpm_table)
{
	const struct bgp_attr_set	*a = simple("192.0.2.1");
	struct rib_entry		 e;
	struct ipaddr			 addr = IP(lpm_cases[_i].addr);
	struct prefix			 want = P(lpm_cases[_i].match);
	unsigned			 pr = ibgp("10.0.0.1", 1);
	size_t				 i;

	for (i = 0; i < sizeof(lpm_set) / sizeof(lpm_set[0]); i++)
		add(lpm_set[i], pr, 0, a);
	ck_assert_int_eq(rib_match_addr(rib, &addr, &e), 1);
	ck_assert(prefix_eq(&e.prefix, &want));
}
END_TEST

START_TEST(exact_lookup_is_exact)
{
	unsigned	pr = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pr, 0, simple("192.0.2.1"));
	add("10.1.1.0/24", pr, 0, simple("192.0.2.1"));
	ck_assert(has("10.0.0.0/8"));
	ck_assert(has("10.1.1.0/24"));
	ck_assert(!has("10.1.0.0/16"));		/* a branching point only */
	ck_assert(!has("10.0.0.0/9"));
	ck_assert(!has("10.1.1.0/25"));
	ck_assert(!has("0.0.0.0/0"));
	ck_assert(!has("::/0"));
}
END_TEST

START_TEST(match_prefix_covering)
{
	struct rib_entry	e;
	struct prefix		p = P("10.1.1.0/24");
	unsigned		pr = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pr, 0, simple("192.0.2.1"));
	add("10.1.1.0/25", pr, 0, simple("192.0.2.1"));
	ck_assert_int_eq(rib_match(rib, &p, &e), 1);
	ck_assert_uint_eq(e.prefix.len, 8);	/* /25 is more specific */
	add("10.1.1.0/24", pr, 0, simple("192.0.2.1"));
	ck_assert_int_eq(rib_match(rib, &p, &e), 1);
	ck_assert(prefix_eq(&e.prefix, &p));
}
END_TEST

static const int orders[6][3] = {
	{ 0, 1, 2 }, { 0, 2, 1 }, { 1, 0, 2 },
	{ 1, 2, 0 }, { 2, 0, 1 }, { 2, 1, 0 },
};

START_TEST(overlap_any_order)
{
	static const char *const pf[3] = {
		"10.0.0.0/8", "10.1.0.0/16", "10.1.1.0/24"
	};
	struct rib_cursor	 c;
	struct rib_entry	 e;
	struct ipaddr		 a = IP("10.1.1.1"), b = IP("10.1.2.1");
	unsigned		 pr = ibgp("10.0.0.1", 1);
	int			 i;

	for (i = 0; i < 3; i++)
		add(pf[orders[_i][i]], pr, 0, simple("192.0.2.1"));
	rib_cursor_init(&c, BGP_AID_IPV4);
	for (i = 0; i < 3; i++) {
		struct prefix	want = P(pf[i]);

		ck_assert_int_eq(rib_dump_next(rib, &c, &e), 1);
		ck_assert(prefix_eq(&e.prefix, &want));
	}
	ck_assert_int_eq(rib_dump_next(rib, &c, &e), 0);
	ck_assert_int_eq(rib_match_addr(rib, &a, &e), 1);
	ck_assert_uint_eq(e.prefix.len, 24);
	ck_assert_int_eq(rib_match_addr(rib, &b, &e), 1);
	ck_assert_uint_eq(e.prefix.len, 16);
	/* delete in the same order: the rest stays reachable */
	for (i = 0; i < 3; i++) {
		ck_assert_int_eq(del(pf[orders[_i][i]], pr, 0), 1);
		drain();
		ck_assert(!has(pf[orders[_i][i]]));
	}
}
END_TEST

START_TEST(delete_internal_node)
{
	struct rib_mem	m[RIB_MT_MAX];
	unsigned	pr = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pr, 0, simple("192.0.2.1"));
	add("10.0.0.0/16", pr, 0, simple("192.0.2.1"));
	add("10.128.0.0/16", pr, 0, simple("192.0.2.1"));
	drain();
	/* /8 has a child on each side: it becomes a branching node */
	ck_assert_int_eq(del("10.0.0.0/8", pr, 0), 1);
	drain();
	ck_assert(!has("10.0.0.0/8"));
	ck_assert(has("10.0.0.0/16"));
	ck_assert(has("10.128.0.0/16"));
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_NODE4].count, 2);
	ck_assert_uint_eq(m[RIB_MT_GLUE4].count, 1);
	/* a leaf goes and the branching node with it */
	ck_assert_int_eq(del("10.128.0.0/16", pr, 0), 1);
	drain();
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_NODE4].count, 1);
	ck_assert_uint_eq(m[RIB_MT_GLUE4].count, 0);
	ck_assert(has("10.0.0.0/16"));
	ck_assert_int_eq(del("10.0.0.0/16", pr, 0), 1);
	drain();
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_NODE4].count, 0);
}
END_TEST

START_TEST(glue_becomes_prefix)
{
	struct rib_mem	m[RIB_MT_MAX];
	unsigned	pr = ibgp("10.0.0.1", 1);

	add("10.0.0.0/16", pr, 0, simple("192.0.2.1"));
	add("10.1.0.0/16", pr, 0, simple("192.0.2.1"));
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_GLUE4].count, 1);	/* at 10.0.0.0/15 */
	add("10.0.0.0/15", pr, 0, simple("192.0.2.1"));
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_GLUE4].count, 0);
	ck_assert_uint_eq(m[RIB_MT_NODE4].count, 3);
	ck_assert(has("10.0.0.0/15"));
	ck_assert(has("10.0.0.0/16"));
	ck_assert(has("10.1.0.0/16"));
}
END_TEST

START_TEST(host_and_default_routes)
{
	static const char *const pf[] = {
		"0.0.0.0/0", "0.0.0.0/32", "255.255.255.255/32", "::/0",
		"::/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128",
		"128.0.0.0/1", "8000::/1",
	};
	unsigned	pr = ibgp("10.0.0.1", 1);
	size_t		i;

	for (i = 0; i < sizeof(pf) / sizeof(pf[0]); i++)
		add(pf[i], pr, 0, simple("192.0.2.1"));
	for (i = 0; i < sizeof(pf) / sizeof(pf[0]); i++)
		ck_assert_msg(has(pf[i]), "%s", pf[i]);
	for (i = 0; i < sizeof(pf) / sizeof(pf[0]); i++) {
		ck_assert_int_eq(del(pf[i], pr, 0), 1);
		drain();
		ck_assert(!has(pf[i]));
		if (i + 1 < sizeof(pf) / sizeof(pf[0]))
			ck_assert(has(pf[i + 1]));
	}
}
END_TEST

/* Deterministic generator, independent of the C library. */
static uint32_t
rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return (uint32_t)(*s >> 33);
}

static int
pcmp(const void *a, const void *b)
{
	return prefix_cmp(a, b);
}

static void
random_vs_model(int family, uint64_t seed)
{
	enum { NCAND = 3000, NOPS = 12000 };
	struct prefix		*cand, *set;
	bool			*in;
	struct rib_entry	 e;
	struct rib_cursor	 c;
	struct rib_mem		 m[RIB_MT_MAX];
	const struct bgp_attr_set *a = simple("192.0.2.1");
	unsigned		 pr = ibgp("10.0.0.1", 1), maxlen;
	size_t			 i, j, n, k;
	uint64_t		 s = seed;

	maxlen = family == AF_INET ? 32 : 128;
	cand = calloc(NCAND, sizeof(*cand));
	set = calloc(NCAND, sizeof(*set));
	in = calloc(NCAND, sizeof(*in));
	for (i = 0; i < NCAND; i++) {
		uint8_t	addr[16];

		/* crowd addresses into a small space so prefixes overlap */
		for (j = 0; j < 16; j++)
			addr[j] = (uint8_t)(rnd(&s) & (j < 2 ? 0x3 : 0xff));
		if (family == AF_INET6 && rnd(&s) % 2)
			memset(addr + 2, 0, 10);
		prefix_set(&cand[i], family, addr,
		    rnd(&s) % 8 == 0 ? rnd(&s) % 9 :
		    rnd(&s) % (maxlen + 1));
	}
	for (k = 0; k < NOPS; k++) {
		i = rnd(&s) % NCAND;
		if (rnd(&s) % 3 != 0) {
			ck_assert_int_eq(rib_path_add(rib, &cand[i], pr, 0, a),
			    0);
			/* duplicates among candidates share the node */
			for (j = 0; j < NCAND; j++)
				if (prefix_eq(&cand[j], &cand[i]))
					in[j] = true;
		} else {
			ck_assert_int_eq(rib_path_del(rib, &cand[i], pr, 0),
			    in[i] ? 1 : 0);
			for (j = 0; j < NCAND; j++)
				if (prefix_eq(&cand[j], &cand[i]))
					in[j] = false;
		}
		if (rnd(&s) % 4 != 0)
			drain();
		ck_assert_int_eq(rib_lookup(rib, &cand[i], &e), in[i]);
		if (k % 1500 != 0)
			continue;
		/* full comparison now and then */
		for (n = 0, j = 0; j < NCAND; j++) {
			ck_assert_int_eq(rib_lookup(rib, &cand[j], &e), in[j]);
			if (in[j] && (n == 0 || !prefix_eq(&set[n - 1],
			    &cand[j])))
				set[n++] = cand[j];
		}
		qsort(set, n, sizeof(*set), pcmp);
		for (i = 0, j = 0; j < n; j++)
			if (i == 0 || !prefix_eq(&set[i - 1], &set[j]))
				set[i++] = set[j];
		n = i;
		rib_cursor_init(&c, family == AF_INET ? BGP_AID_IPV4 :
		    BGP_AID_IPV6);
		for (j = 0; j < n; j++) {
			ck_assert_int_eq(rib_dump_next(rib, &c, &e), 1);
			ck_assert(prefix_eq(&e.prefix, &set[j]));
		}
		ck_assert_int_eq(rib_dump_next(rib, &c, &e), 0);
		for (j = 0; j < 300; j++) {
			struct ipaddr		 ad;
			const struct prefix	*want;
			uint32_t		 w;

			memset(&ad, 0, sizeof(ad));
			ad.family = (uint8_t)family;
			for (i = 0; i < 16; i++) {
				w = rnd(&s);
				ad.addr[i] = (uint8_t)(w & (i < 2 ? 3 : 0xff));
			}
			if (family == AF_INET)
				memset(ad.addr + 4, 0, 12);
			want = prefix_longest_match_addr(set, n, &ad);
			ck_assert_int_eq(rib_match_addr(rib, &ad, &e),
			    want != NULL);
			if (want != NULL)
				ck_assert(prefix_eq(&e.prefix, want));
		}
		drain();
		rib_memory(rib, m);
		/* path compression: fewer branching nodes than prefixes */
		i = family == AF_INET ? RIB_MT_GLUE4 : RIB_MT_GLUE6;
		ck_assert_uint_le(m[i].count, n > 0 ? n - 1 : 0);
		ck_assert_uint_eq(m[i - 1].count, n);
	}
	/* withdraw everything: no node remains */
	for (i = 0; i < NCAND; i++)
		rib_path_del(rib, &cand[i], pr, 0);
	drain();
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_NODE4].count + m[RIB_MT_NODE6].count, 0);
	ck_assert_uint_eq(m[RIB_MT_GLUE4].count + m[RIB_MT_GLUE6].count, 0);
	free(cand);
	free(set);
	free(in);
}

static const uint64_t	seeds[] = { 1, 7, 0x5eed, 99, 12345, 31337 };

START_TEST(random_ipv4)
{
	random_vs_model(AF_INET, seeds[_i]);
}
END_TEST

START_TEST(random_ipv6)
{
	random_vs_model(AF_INET6, seeds[_i]);
}
END_TEST

/* ---- cursors ----------------------------------------------------------- */

static void
expect_walk(struct rib_cursor *c, const char *const *want, size_t n)
{
	struct rib_entry	e;
	size_t			i;

	for (i = 0; i < n; i++) {
		struct prefix	p = P(want[i]);
		char		buf[PREFIX_STRLEN];

		ck_assert_int_eq(rib_dump_next(rib, c, &e), 1);
		ck_assert_msg(prefix_eq(&e.prefix, &p), "got %s want %s",
		    prefix_fmt(&e.prefix, buf, sizeof(buf)), want[i]);
	}
}

START_TEST(cursor_resumes_after_deletions)
{
	static const char *const first[] = {
		"10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24",
	};
	static const char *const rest[] = {
		"10.0.2.128/25", "10.0.4.0/24", "10.0.5.0/24", "10.0.6.0/24",
		"10.0.7.0/24", "10.0.8.0/24", "10.0.9.0/24",
	};
	struct rib_cursor	c;
	struct rib_entry	e;
	unsigned		pr = ibgp("10.0.0.1", 1);
	char			s[32];
	int			i;

	for (i = 0; i < 10; i++) {
		snprintf(s, sizeof(s), "10.0.%d.0/24", i);
		add(s, pr, 0, simple("192.0.2.1"));
	}
	rib_cursor_init(&c, BGP_AID_IPV4);
	expect_walk(&c, first, 3);
	/* the last one returned and the next go, one appears before the
	 * cursor and one after it */
	ck_assert_int_eq(del("10.0.2.0/24", pr, 0), 1);
	ck_assert_int_eq(del("10.0.3.0/24", pr, 0), 1);
	add("10.0.1.128/25", pr, 0, simple("192.0.2.1"));
	add("10.0.2.128/25", pr, 0, simple("192.0.2.1"));
	drain();
	expect_walk(&c, rest, 7);
	ck_assert_int_eq(rib_dump_next(rib, &c, &e), 0);
}
END_TEST

START_TEST(cursor_after_covering_prefix)
{
	static const char *const first[] = { "10.0.0.0/8", "10.1.0.0/16" };
	static const char *const rest[] = {
		"10.1.0.0/17", "10.2.0.0/16", "11.0.0.0/8",
	};
	struct rib_cursor	c;
	struct rib_entry	e;
	unsigned		pr = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pr, 0, simple("192.0.2.1"));
	add("10.1.0.0/16", pr, 0, simple("192.0.2.1"));
	add("10.2.0.0/16", pr, 0, simple("192.0.2.1"));
	rib_cursor_init(&c, BGP_AID_IPV4);
	expect_walk(&c, first, 2);
	/* the cursor's prefix and its parent go; a child and a later
	 * prefix come; an earlier one does not show */
	del("10.0.0.0/8", pr, 0);
	del("10.1.0.0/16", pr, 0);
	add("9.0.0.0/8", pr, 0, simple("192.0.2.1"));
	add("10.1.0.0/17", pr, 0, simple("192.0.2.1"));
	add("11.0.0.0/8", pr, 0, simple("192.0.2.1"));
	drain();
	expect_walk(&c, rest, 3);
	ck_assert_int_eq(rib_dump_next(rib, &c, &e), 0);
}
END_TEST

START_TEST(cursor_resumes_in_chunks)
{
	const struct bgp_attr_set *a = simple("192.0.2.1");
	struct rib_cursor	c;
	struct rib_entry	e;
	struct prefix		p, last;
	unsigned		pr = ibgp("10.0.0.1", 1);
	size_t			i, n = 0;

	for (i = 0; i < 5000; i++) {
		memset(&p, 0, sizeof(p));
		p.family = AF_INET;
		p.len = (uint8_t)(16 + i % 17);
		p.addr[0] = 10;
		p.addr[1] = (uint8_t)(i * 7);
		p.addr[2] = (uint8_t)(i * 13);
		p.addr[3] = (uint8_t)i;
		prefix_mask(&p);
		ck_assert_int_eq(rib_path_add(rib, &p, pr, 0, a), 0);
	}
	drain();
	rib_cursor_init(&c, BGP_AID_IPV4);
	while (rib_dump_next(rib, &c, &e)) {
		if (n > 0)
			ck_assert_int_lt(prefix_cmp(&last, &e.prefix), 0);
		last = e.prefix;
		n++;
		/* every 100 prefixes the table changes under the cursor */
		if (n % 100 == 0) {
			rib_path_del(rib, &e.prefix, pr, 0);
			drain();
		}
	}
	ck_assert_uint_gt(n, 1000);
	ck_assert_uint_eq(c.state, 2);
}
END_TEST

/*
 * A walk resumed while the table changes at random under it: each prefix
 * it returns is the smallest one present that comes after the previous.
 */
static void
cursor_vs_model(int family, uint64_t seed)
{
	enum { NCAND = 800 };
	struct prefix		*cand;
	bool			*in;
	const struct bgp_attr_set *a = simple("192.0.2.1");
	struct rib_cursor	 c;
	struct rib_entry	 e;
	const struct prefix	*want;
	struct prefix		 last;
	unsigned		 pr = ibgp("10.0.0.1", 1), maxlen;
	size_t			 i, j, k, steps = 0;
	uint64_t		 s = seed;
	bool			 started = false, addop;

	maxlen = family == AF_INET ? 32 : 128;
	cand = calloc(NCAND, sizeof(*cand));
	in = calloc(NCAND, sizeof(*in));
	for (i = 0; i < NCAND; i++) {
		uint8_t	addr[16];

		for (j = 0; j < 16; j++)
			addr[j] = (uint8_t)(rnd(&s) & (j < 2 ? 0x3 : 0xff));
		prefix_set(&cand[i], family, addr, rnd(&s) % (maxlen + 1));
		if (rnd(&s) % 2) {
			rib_path_add(rib, &cand[i], pr, 0, a);
			for (j = 0; j <= i; j++)
				if (prefix_eq(&cand[j], &cand[i]))
					in[j] = true;
		}
	}
	rib_cursor_init(&c, family == AF_INET ? BGP_AID_IPV4 : BGP_AID_IPV6);
	for (;;) {
		/* the table changes between two steps of the walk */
		for (k = rnd(&s) % 4; k > 0; k--) {
			i = rnd(&s) % NCAND;
			addop = rnd(&s) % 2;
			if (addop)
				rib_path_add(rib, &cand[i], pr, 0, a);
			else
				rib_path_del(rib, &cand[i], pr, 0);
			for (j = 0; j < NCAND; j++)
				if (prefix_eq(&cand[j], &cand[i]))
					in[j] = addop;
			if (rnd(&s) % 2)
				drain();
		}
		if (started && rnd(&s) % 3 == 0) {
			rib_path_del(rib, &last, pr, 0);	/* the cursor's */
			for (j = 0; j < NCAND; j++)
				if (prefix_eq(&cand[j], &last))
					in[j] = false;
			drain();
		}
		want = NULL;
		for (j = 0; j < NCAND; j++)
			if (in[j] && (!started || prefix_cmp(&cand[j], &last) >
			    0) && (want == NULL || prefix_cmp(&cand[j], want) < 0))
				want = &cand[j];
		if (want == NULL) {
			ck_assert_int_eq(rib_dump_next(rib, &c, &e), 0);
			break;
		}
		ck_assert_int_eq(rib_dump_next(rib, &c, &e), 1);
		ck_assert(prefix_eq(&e.prefix, want));
		last = e.prefix;
		started = true;
		steps++;
	}
	ck_assert_uint_gt(steps, 10);
	free(cand);
	free(in);
}

START_TEST(cursor_random_ipv4)
{
	cursor_vs_model(AF_INET, seeds[_i]);
}
END_TEST

START_TEST(cursor_random_ipv6)
{
	cursor_vs_model(AF_INET6, seeds[_i]);
}
END_TEST

START_TEST(cursor_per_family)
{
	static const char *const v6[] = { "2001:db8::/32", "2001:db8::/64" };
	struct rib_cursor	c;
	struct rib_entry	e;
	unsigned		pr = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pr, 0, simple("192.0.2.1"));
	add("2001:db8::/64", pr, 0, simple("2001:db8::1"));
	add("2001:db8::/32", pr, 0, simple("2001:db8::1"));
	rib_cursor_init(&c, BGP_AID_IPV6);
	expect_walk(&c, v6, 2);
	ck_assert_int_eq(rib_dump_next(rib, &c, &e), 0);
}
END_TEST

START_TEST(peer_walk)
{
	const struct bgp_attr_set	*a = simple("192.0.2.1");
	struct rib_cursor		 c;
	struct rib_entry		 e;
	const struct rib_path		*p;
	struct prefix			 p1 = P("10.1.0.0/16");
	struct prefix			 p2 = P("10.2.0.0/16");
	unsigned			 pa = ibgp("10.0.0.1", 1);
	unsigned			 pb = ibgp("10.0.0.2", 2);

	add("10.1.0.0/16", pa, 3, a);
	add("10.1.0.0/16", pa, 1, a);
	add("10.1.0.0/16", pb, 0, a);
	add("10.2.0.0/16", pa, 2, a);
	add("10.3.0.0/16", pb, 0, a);
	ck_assert_uint_eq(rib_peer_npaths(rib, pa, BGP_AID_IPV4), 3);
	ck_assert_uint_eq(rib_peer_npaths(rib, pb, BGP_AID_IPV4), 2);
	ck_assert_uint_eq(rib_peer_npaths(rib, pa, BGP_AID_IPV6), 0);
	rib_cursor_init(&c, BGP_AID_IPV4);
	ck_assert_int_eq(rib_peer_dump_next(rib, pa, &c, &e, &p), 1);
	ck_assert(prefix_eq(&e.prefix, &p1));
	ck_assert_uint_eq(p->path_id, 1);
	ck_assert_uint_eq(p->peer, pa);
	/* the next one goes before the walk gets there */
	ck_assert_int_eq(del("10.1.0.0/16", pa, 3), 1);
	ck_assert_int_eq(rib_peer_dump_next(rib, pa, &c, &e, &p), 1);
	ck_assert(prefix_eq(&e.prefix, &p2));
	ck_assert_uint_eq(p->path_id, 2);
	ck_assert_int_eq(rib_peer_dump_next(rib, pa, &c, &e, &p), 0);
	ck_assert_int_eq(rib_peer_dump_next(rib, pa, &c, &e, &p), 0);
}
END_TEST

/* ---- paths -------------------------------------------------------------- */

START_TEST(bad_arguments)
{
	struct prefix	p = P("10.0.0.0/8"), bad = p;
	unsigned	pr = ibgp("10.0.0.1", 1);

	bad.family = AF_UNIX;
	ck_assert_int_eq(rib_path_add(rib, &bad, pr, 0, simple("192.0.2.1")),
	    -1);
	ck_assert_int_eq(rib_path_add(rib, &p, pr + 1, 0,
	    simple("192.0.2.1")), -1);
	ck_assert_int_eq(rib_path_add(rib, &p, pr, 0, NULL), -1);
	ck_assert_int_eq(rib_path_del(rib, &p, pr, 0), 0);
	ck_assert_int_eq(rib_path_del(rib, &bad, pr, 0), 0);
	ck_assert_ptr_null(rib_peer_get(rib, pr + 1));
	ck_assert_uint_eq(rib_changes_pending(rib), 0);
}
END_TEST

START_TEST(replace_attributes)
{
	const struct bgp_attr_set	*a = simple("192.0.2.1");
	const struct bgp_attr_set	*b = simple("192.0.2.2");
	struct rib_entry		 e;
	unsigned			 pr = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pr, 7, a);
	add("10.0.0.0/8", pr, 7, b);
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.npaths, 1);
	ck_assert_ptr_eq(e.paths[0].attr, b);
	ck_assert_uint_eq(a->refcnt, 1);	/* only ours is left */
	ck_assert_uint_eq(b->refcnt, 2);
	ck_assert_uint_eq(rib_peer_npaths(rib, pr, BGP_AID_IPV4), 1);
	ck_assert_int_eq(del("10.0.0.0/8", pr, 7), 1);
	ck_assert_uint_eq(b->refcnt, 1);
	ck_assert_int_eq(del("10.0.0.0/8", pr, 7), 0);
}
END_TEST

START_TEST(addpath_several_per_peer)
{
	struct rib_entry	e;
	struct rib_mem		m[RIB_MT_MAX];
	struct rib_stats	st;
	unsigned		pr = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pr, 1, simple("192.0.2.1"));
	add("10.0.0.0/8", pr, 2, simple("192.0.2.2"));
	add("10.0.0.0/8", pr, 3, simple("192.0.2.3"));
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.npaths, 3);
	ck_assert_uint_eq(e.nbest, 1);
	ck_assert_uint_eq(e.paths[0].path_id, 1);
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_PATHV].count, 1);
	rib_stats(rib, BGP_AID_IPV4, &st);
	ck_assert_uint_eq(st.prefixes, 1);
	ck_assert_uint_eq(st.active, 1);
	ck_assert_uint_eq(st.paths, 3);
	ck_assert_int_eq(del("10.0.0.0/8", pr, 1), 1);
	ck_assert_int_eq(del("10.0.0.0/8", pr, 3), 1);
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.npaths, 1);
	ck_assert_uint_eq(e.paths[0].path_id, 2);
	/* back to one path: stored inline again */
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_PATHV].count, 0);
	ck_assert_uint_eq(m[RIB_MT_PATHV].bytes, 0);
}
END_TEST

/* ---- decision process: path X must win over path Y ----------------------- */

#define PX	{ "10.0.0.2", 65000, 2, 0 }	/* worse id and address */
#define PY	{ "10.0.0.1", 65000, 1, 0 }

static const struct dcase {
	const char	*name;
	struct pspec	 peer[2];
	struct aspec	 attr[2];
	uint32_t	 igp[2];
	bool		 unreach[2];
	bool		 always_med;
	bool		 same_peer;
	enum rib_step	 step;		/* the step that tells X from Y */
} dcases[] = {
	{ .name = "higher LOCAL_PREF", .step = RIB_STEP_LOCAL_PREF, .peer = { PX, PY },
	    .attr = { { .path = "1", .lp = 200 },
	      { .path = "1", .lp = 100 } } },
	{ .name = "default LOCAL_PREF 100 beats 90", .step = RIB_STEP_LOCAL_PREF, .peer = { PX, PY },
	    .attr = { { .path = "1" }, { .path = "1", .lp = 90 } } },
	{ .name = "110 beats default LOCAL_PREF", .step = RIB_STEP_LOCAL_PREF, .peer = { PX, PY },
	    .attr = { { .path = "1", .lp = 110 }, { .path = "1" } } },
	{ .name = "shorter AS path", .step = RIB_STEP_AS_PATH, .peer = { PX, PY },
	    .attr = { { .path = "1" }, { .path = "1 2" } } },
	{ .name = "AS_SET counts one", .step = RIB_STEP_AS_PATH, .peer = { PX, PY },
	    .attr = { { .path = "1 {2 3 4}" }, { .path = "1 2 3" } } },
	{ .name = "confederation segments count zero", .step = RIB_STEP_AS_PATH, .peer = { PX, PY },
	    .attr = { { .path = "(65010 65011) 1" }, { .path = "1 2" } } },
	{ .name = "ORIGIN IGP over EGP", .step = RIB_STEP_ORIGIN, .peer = { PX, PY },
	    .attr = { { .path = "1", .origin = 0 },
	      { .path = "1", .origin = 1 } } },
	{ .name = "ORIGIN EGP over INCOMPLETE", .step = RIB_STEP_ORIGIN, .peer = { PX, PY },
	    .attr = { { .path = "1", .origin = 1 },
	      { .path = "1", .origin = 2 } } },
	{ .name = "lower MED, same neighbour AS", .step = RIB_STEP_MED, .peer = { PX, PY },
	    .attr = { { .path = "1", .has_med = true, .med = 5 },
	      { .path = "1", .has_med = true, .med = 10 } } },
	{ .name = "missing MED is 0", .step = RIB_STEP_MED, .peer = { PX, PY },
	    .attr = { { .path = "1" },
	      { .path = "1", .has_med = true, .med = 10 } } },
	{ .name = "MED ignored across neighbour ASes", .step = RIB_STEP_ROUTER_ID,
	    .peer = { { "10.0.0.2", 65000, 1, 0 },
	      { "10.0.0.1", 65000, 2, 0 } },
	    .attr = { { .path = "1", .has_med = true, .med = 50 },
	      { .path = "2", .has_med = true, .med = 10 } } },
	{ .name = "always-compare-med", .step = RIB_STEP_MED, .peer = { PX, PY },
	    .attr = { { .path = "1", .has_med = true, .med = 5 },
	      { .path = "2", .has_med = true, .med = 10 } },
	    .always_med = true },
	{ .name = "MED of confederation path: first AS outside", .step = RIB_STEP_MED,
	    .peer = { PX, PY },
	    .attr = { { .path = "(65010) 1", .has_med = true, .med = 5 },
	      { .path = "1", .has_med = true, .med = 10 } } },
	{ .name = "eBGP over iBGP", .step = RIB_STEP_EBGP,
	    .peer = { { "10.0.0.2", 1, 2, RIB_PEER_EBGP }, PY },
	    .attr = { { .path = "1" }, { .path = "1" } } },
	{ .name = "lower IGP cost", .step = RIB_STEP_IGP, .peer = { PX, PY },
	    .attr = { { .nh = "192.0.2.2", .path = "1" },
	      { .nh = "192.0.2.1", .path = "1" } }, .igp = { 5, 10 } },
	{ .name = "lower BGP identifier", .step = RIB_STEP_ROUTER_ID,
	    .peer = { { "10.0.0.2", 65000, 1, 0 },
	      { "10.0.0.1", 65000, 2, 0 } },
	    .attr = { { .path = "1" }, { .path = "1" } } },
	{ .name = "ORIGINATOR_ID instead of BGP identifier", .step = RIB_STEP_ROUTER_ID,
	    .peer = { { "10.0.0.2", 65000, 9, 0 },
	      { "10.0.0.1", 65000, 2, 0 } },
	    .attr = { { .path = "1", .originator = 1 }, { .path = "1" } } },
	{ .name = "ORIGINATOR_ID against ORIGINATOR_ID", .step = RIB_STEP_ROUTER_ID, .peer = { PX, PY },
	    .attr = { { .path = "1", .originator = 3 },
	      { .path = "1", .originator = 4 } } },
	{ .name = "shorter CLUSTER_LIST", .step = RIB_STEP_CLUSTER_LIST, .peer = { PX, PY },
	    .attr = { { .path = "1", .originator = 5, .ncl = 1 },
	      { .path = "1", .originator = 5, .ncl = 2 } } },
	{ .name = "lower peer address", .step = RIB_STEP_PEER_ADDR,
	    .peer = { { "10.0.0.1", 65000, 2, 0 },
	      { "10.0.0.2", 65000, 1, 0 } },
	    .attr = { { .path = "1", .originator = 5 },
	      { .path = "1", .originator = 5 } } },
	{ .name = "local route over learned", .step = RIB_STEP_LOCAL, .peer = {
	    { "0.0.0.0", 65000, 2, RIB_PEER_LOCAL }, PY },
	    .attr = { { .path = "" }, { .path = "", .lp = 500 } } },
	{ .name = "unreachable next hop is not feasible", .step = RIB_STEP_NEXTHOP, .peer = { PX, PY },
	    .attr = { { .nh = "192.0.2.2", .path = "1 2 3", .lp = 50 },
	      { .nh = "192.0.2.1", .path = "1" } },
	    .unreach = { false, true } },
	{ .name = "lower path ID of one peer", .step = RIB_STEP_PATH_ID, .peer = { PY, PY },
	    .attr = { { .path = "1" }, { .path = "1" } }, .same_peer = true },
	{ .name = "LOCAL_PREF before AS path", .step = RIB_STEP_LOCAL_PREF, .peer = { PX, PY },
	    .attr = { { .path = "1 2 3", .lp = 200 },
	      { .path = "1", .lp = 100 } } },
	{ .name = "AS path before ORIGIN", .step = RIB_STEP_AS_PATH, .peer = { PX, PY },
	    .attr = { { .path = "1", .origin = 2 },
	      { .path = "1 2", .origin = 0 } } },
	{ .name = "ORIGIN before MED", .step = RIB_STEP_ORIGIN, .peer = { PX, PY },
	    .attr = { { .path = "1", .origin = 0, .has_med = true, .med = 100 },
	      { .path = "1", .origin = 1, .has_med = true, .med = 0 } } },
	{ .name = "MED before eBGP", .step = RIB_STEP_MED, .peer = { PX,
	    { "10.0.0.1", 1, 1, RIB_PEER_EBGP } },
	    .attr = { { .path = "1" },
	      { .path = "1", .has_med = true, .med = 10 } } },
	{ .name = "eBGP before IGP cost", .step = RIB_STEP_EBGP,
	    .peer = { { "10.0.0.2", 1, 2, RIB_PEER_EBGP }, PY },
	    .attr = { { .nh = "192.0.2.2", .path = "1" },
	      { .nh = "192.0.2.1", .path = "1" } }, .igp = { 10, 0 } },
	{ .name = "BGP identifier before CLUSTER_LIST", .step = RIB_STEP_ROUTER_ID,
	    .peer = { { "10.0.0.2", 65000, 1, 0 },
	      { "10.0.0.1", 65000, 2, 0 } },
	    .attr = { { .path = "1", .ncl = 3 }, { .path = "1" } } },
	{ .name = "CLUSTER_LIST before peer address", .step = RIB_STEP_CLUSTER_LIST, .peer = { PX, PY },
	    .attr = { { .path = "1", .originator = 5 },
	      { .path = "1", .originator = 5, .ncl = 1 } } },
	{ .name = "eBGP same AS: MED before identifier", .step = RIB_STEP_MED,
	    .peer = { { "10.0.0.2", 1, 2, RIB_PEER_EBGP },
	      { "10.0.0.1", 1, 1, RIB_PEER_EBGP } },
	    .attr = { { .path = "1", .has_med = true, .med = 1 },
	      { .path = "1", .has_med = true, .med = 2 } } },
};

START_TEST(decision_step)
{
	const struct dcase	*d = &dcases[_i / 2];
	const struct bgp_attr_set *a[2];
	struct rib_entry	 e;
	unsigned		 id[2];
	int			 i, k;

	reconf(1, d->always_med, true);
	id[0] = peer(d->peer[0]);
	id[1] = d->same_peer ? id[0] : peer(d->peer[1]);
	for (i = 0; i < 2; i++) {
		struct ipaddr	nh = IP(d->attr[i].nh != NULL ?
				    d->attr[i].nh : "192.0.2.99");

		a[i] = mk(d->attr[i]);
		if (d->igp[i] != 0 || d->unreach[i])
			ck_assert_int_ge(rib_nexthop_update(rib, &nh,
			    !d->unreach[i], d->igp[i]), 0);
	}
	for (k = 0; k < 2; k++) {
		i = (_i % 2) ? 1 - k : k;
		add("10.0.0.0/8", id[i], (uint32_t)i + 1, a[i]);
	}
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.npaths, 2);
	ck_assert_uint_eq(e.nbest, 1);
	ck_assert_msg(e.paths[0].peer == id[0] && e.paths[0].path_id == 1,
	    "%s (order %d): path Y won", d->name, (int)(_i % 2));
}
END_TEST

/* rib_path_compare names the step that decided, both ways round. */
START_TEST(decision_explained)
{
	const struct dcase	*d = &dcases[_i];
	const struct rib_path	*x, *y;
	struct rib_entry	 e;
	enum rib_step		 st;
	unsigned		 id[2];
	int			 i;

	reconf(1, d->always_med, true);
	id[0] = peer(d->peer[0]);
	id[1] = d->same_peer ? id[0] : peer(d->peer[1]);
	for (i = 0; i < 2; i++) {
		struct ipaddr	nh = IP(d->attr[i].nh != NULL ?
				    d->attr[i].nh : "192.0.2.99");

		if (d->igp[i] != 0 || d->unreach[i])
			ck_assert_int_ge(rib_nexthop_update(rib, &nh,
			    !d->unreach[i], d->igp[i]), 0);
		add("10.0.0.0/8", id[i], (uint32_t)i + 1, mk(d->attr[i]));
	}
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.npaths, 2);
	/* paths[0] is X, the winner (decision_step checks that) */
	x = &e.paths[0];
	y = &e.paths[1];
	ck_assert_int_lt(rib_path_compare(rib, x, y, &st), 0);
	ck_assert_msg(st == d->step, "%s: step %s, expected %s", d->name,
	    rib_step_name(st), rib_step_name(d->step));
	ck_assert_int_gt(rib_path_compare(rib, y, x, &st), 0);
	ck_assert_int_eq(st, d->step);
	ck_assert_int_eq(rib_path_compare(rib, x, x, &st), 0);
	ck_assert_int_eq(st, RIB_STEP_NONE);
}
END_TEST

START_TEST(decision_explained_names)
{
	int	s;

	for (s = 0; s < RIB_STEP_MAX; s++)
		ck_assert_str_ne(rib_step_name((enum rib_step)s), "?");
	ck_assert_str_eq(rib_step_name(RIB_STEP_MAX), "?");
	ck_assert_str_eq(rib_step_name(RIB_STEP_MED), "lowest MED");
}
END_TEST

/* Both next hops unreachable: neither is feasible, nothing decides. */
START_TEST(decision_explained_infeasible)
{
	struct ipaddr		nh = IP("192.0.2.99");
	struct rib_entry	e;
	enum rib_step		st;

	add("10.0.0.0/8", ibgp("10.0.0.1", 1), 0, simple("192.0.2.99"));
	add("10.0.0.0/8", ibgp("10.0.0.2", 2), 0, mk((struct aspec){
	    .path = "65001", .lp = 300 }));
	ck_assert_int_ge(rib_nexthop_update(rib, &nh, false, 0), 0);
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.nbest, 0);
	ck_assert_int_eq(rib_path_compare(rib, &e.paths[0], &e.paths[1],
	    &st), 0);
	ck_assert_int_eq(st, RIB_STEP_NONE);
}
END_TEST

/*
 * RFC 4271 9.1.2.2 c) is not transitive. A and B come from AS 1, C from
 * AS 2. Pairwise: B beats A (MED), C beats B (IGP cost), A beats C (IGP
 * cost). Set elimination: A goes for B's MED, then C beats B on cost.
 */
START_TEST(med_not_transitive)
{
	const struct bgp_attr_set	*a[3];
	struct rib_entry		 e;
	struct ipaddr			 nh;
	unsigned			 id[3];
	int				 i;

	id[0] = ibgp("10.0.0.1", 1);
	id[1] = ibgp("10.0.0.2", 2);
	id[2] = ibgp("10.0.0.3", 3);
	a[0] = mk((struct aspec){ .nh = "192.0.2.1", .path = "1",
	    .has_med = true, .med = 10 });
	a[1] = mk((struct aspec){ .nh = "192.0.2.2", .path = "1",
	    .has_med = true, .med = 5 });
	a[2] = mk((struct aspec){ .nh = "192.0.2.3", .path = "2",
	    .has_med = true, .med = 0 });
	nh = IP("192.0.2.1");
	rib_nexthop_update(rib, &nh, true, 1);
	nh = IP("192.0.2.2");
	rib_nexthop_update(rib, &nh, true, 30);
	nh = IP("192.0.2.3");
	rib_nexthop_update(rib, &nh, true, 20);
	for (i = 0; i < 3; i++)
		add("10.0.0.0/8", id[orders[_i][i]], 0, a[orders[_i][i]]);
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.nbest, 1);
	ck_assert_uint_eq(e.paths[0].peer, id[2]);
	/* without B, A and C compare on cost and A wins */
	ck_assert_int_eq(del("10.0.0.0/8", id[1], 0), 1);
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.paths[0].peer, id[0]);
}
END_TEST

/* ---- ECMP ------------------------------------------------------------ */

START_TEST(ecmp_maximum)
{
	static const unsigned	max[] = { 1, 2, 3, 4, 8 };
	const struct bgp_attr_set *a[4];
	struct rib_entry	 e;
	unsigned		 id[4], i;
	char			 s[32];

	reconf(max[_i], false, true);
	/* arrive in descending identifier order */
	for (i = 0; i < 4; i++) {
		snprintf(s, sizeof(s), "10.0.0.%u", 10 - i);
		id[i] = ebgp(s, 65001, 10 - i);
		snprintf(s, sizeof(s), "192.0.2.%u", 10 - i);
		a[i] = simple(s);
		add("10.0.0.0/8", id[i], 0, a[i]);
	}
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.npaths, 4);
	ck_assert_uint_eq(e.nbest, max[_i] < 4 ? max[_i] : 4);
	/* in the order of the remaining tie-breaks: lowest id first */
	for (i = 0; i < e.nbest; i++)
		ck_assert_uint_eq(e.paths[i].peer, id[3 - i]);
}
END_TEST

static const struct ecase {
	const char	*name;
	struct pspec	 peer[2];
	struct aspec	 attr[2];
	uint32_t	 igp[2];
	size_t		 nbest;
} ecases[] = {
	{ .name = "eBGP same AS", .peer = {
	    { "10.0.0.1", 1, 1, RIB_PEER_EBGP },
	    { "10.0.0.2", 1, 2, RIB_PEER_EBGP } },
	    .attr = { { .nh = "192.0.2.1", .path = "1" },
	      { .nh = "192.0.2.2", .path = "1" } }, .nbest = 2 },
	{ .name = "eBGP different AS", .peer = {
	    { "10.0.0.1", 1, 1, RIB_PEER_EBGP },
	    { "10.0.0.2", 2, 2, RIB_PEER_EBGP } },
	    .attr = { { .nh = "192.0.2.1", .path = "1" },
	      { .nh = "192.0.2.2", .path = "2" } }, .nbest = 1 },
	{ .name = "iBGP equal", .peer = { PY, PX },
	    .attr = { { .nh = "192.0.2.1", .path = "1" },
	      { .nh = "192.0.2.2", .path = "2" } }, .nbest = 2 },
	{ .name = "iBGP different IGP cost", .peer = { PY, PX },
	    .attr = { { .nh = "192.0.2.1", .path = "1" },
	      { .nh = "192.0.2.2", .path = "1" } }, .igp = { 1, 2 },
	    .nbest = 1 },
	{ .name = "iBGP equal IGP cost", .peer = { PY, PX },
	    .attr = { { .nh = "192.0.2.1", .path = "1" },
	      { .nh = "192.0.2.2", .path = "1" } }, .igp = { 7, 7 },
	    .nbest = 2 },
	{ .name = "iBGP MEDs differ across ASes", .peer = { PY, PX },
	    .attr = { { .nh = "192.0.2.1", .path = "1", .has_med = true,
		.med = 1 },
	      { .nh = "192.0.2.2", .path = "2", .has_med = true, .med = 9 } },
	    .nbest = 1 },
	{ .name = "iBGP CLUSTER_LIST differs", .peer = { PY, PX },
	    .attr = { { .nh = "192.0.2.1", .path = "1" },
	      { .nh = "192.0.2.2", .path = "1", .ncl = 2 } }, .nbest = 2 },
	{ .name = "local and learned", .peer = {
	    { "0.0.0.0", 65000, 9, RIB_PEER_LOCAL }, PY },
	    .attr = { { .path = "" }, { .nh = "192.0.2.2", .path = "" } },
	    .nbest = 1 },
	{ .name = "iBGP and eBGP", .peer = {
	    { "10.0.0.1", 1, 1, RIB_PEER_EBGP }, PY },
	    .attr = { { .nh = "192.0.2.1", .path = "1" },
	      { .nh = "192.0.2.2", .path = "1" } }, .nbest = 1 },
};

START_TEST(ecmp_set)
{
	const struct ecase	*d = &ecases[_i];
	struct rib_entry	 e;
	unsigned		 id[2];
	int			 i;

	reconf(8, false, true);
	for (i = 0; i < 2; i++) {
		struct ipaddr	nh = IP(d->attr[i].nh != NULL ?
				    d->attr[i].nh : "192.0.2.99");

		id[i] = peer(d->peer[i]);
		if (d->igp[i] != 0)
			rib_nexthop_update(rib, &nh, true, d->igp[i]);
		add("10.0.0.0/8", id[i], 0, mk(d->attr[i]));
	}
	e = get("10.0.0.0/8");
	ck_assert_msg(e.nbest == d->nbest, "%s: %zu selected", d->name,
	    e.nbest);
	ck_assert_uint_eq(e.paths[0].peer, id[0]);
}
END_TEST

START_TEST(ecmp_change_records)
{
	unsigned	pa, pb, pc;

	reconf(4, false, true);
	pa = ebgp("10.0.0.1", 1, 1);
	pb = ebgp("10.0.0.2", 1, 2);
	pc = ebgp("10.0.0.3", 2, 3);
	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	expect_one("10.0.0.0/8", RIB_CHG_ADD);
	/* a second equal path joins the set: the FIB must learn it */
	add("10.0.0.0/8", pb, 0, simple("192.0.2.2"));
	expect_one("10.0.0.0/8", RIB_CHG_CHANGE);
	ck_assert_uint_eq(get("10.0.0.0/8").nbest, 2);
	/* a path that is not selected comes and goes: nothing to say */
	add("10.0.0.0/8", pc, 0, mk((struct aspec){ .nh = "192.0.2.3",
	    .path = "2" }));
	expect_none();
	ck_assert_int_eq(del("10.0.0.0/8", pc, 0), 1);
	expect_none();
	ck_assert_int_eq(del("10.0.0.0/8", pb, 0), 1);
	expect_one("10.0.0.0/8", RIB_CHG_CHANGE);
}
END_TEST

/* ---- graceful restart and peer down ---------------------------------- */

START_TEST(stale_mark_relearn_sweep)
{
	const struct bgp_attr_set	*a = simple("192.0.2.1");
	struct rib_entry		 e;
	unsigned			 pr = ibgp("10.0.0.1", 1);
	char				 s[32];
	int				 i;

	for (i = 0; i < 10; i++) {
		snprintf(s, sizeof(s), "10.%d.0.0/16", i);
		add(s, pr, 0, a);
	}
	drain();
	ck_assert_uint_eq(rib_peer_mark_stale(rib, pr, BGP_AID_IPV4), 10);
	expect_none();			/* stale routes still forward */
	e = get("10.3.0.0/16");
	ck_assert(e.paths[0].flags & RIB_PF_STALE);
	ck_assert_uint_eq(e.nbest, 1);
	/* re-learned with the same or other attributes: not stale */
	add("10.3.0.0/16", pr, 0, a);
	add("10.4.0.0/16", pr, 0, simple("192.0.2.2"));
	ck_assert(!(get("10.3.0.0/16").paths[0].flags & RIB_PF_STALE));
	ck_assert(!(get("10.4.0.0/16").paths[0].flags & RIB_PF_STALE));
	drain();
	ck_assert_uint_eq(rib_peer_sweep_stale(rib, pr, BGP_AID_IPV4), 8);
	ck_assert_uint_eq(drain(), 8);
	ck_assert(has("10.3.0.0/16"));
	ck_assert(has("10.4.0.0/16"));
	ck_assert(!has("10.5.0.0/16"));
	ck_assert_uint_eq(rib_peer_npaths(rib, pr, BGP_AID_IPV4), 2);
	ck_assert_uint_eq(rib_peer_sweep_stale(rib, pr, BGP_AID_IPV4), 0);
}
END_TEST

START_TEST(stale_per_family)
{
	unsigned	pr = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pr, 0, simple("192.0.2.1"));
	add("2001:db8::/32", pr, 0, simple("2001:db8::1"));
	ck_assert_uint_eq(rib_peer_mark_stale(rib, pr, BGP_AID_IPV6), 1);
	ck_assert(!(get("10.0.0.0/8").paths[0].flags & RIB_PF_STALE));
	ck_assert(get("2001:db8::/32").paths[0].flags & RIB_PF_STALE);
	ck_assert_uint_eq(rib_peer_sweep_stale(rib, pr, BGP_AID_IPV4), 0);
	ck_assert(has("2001:db8::/32"));
	ck_assert_uint_eq(rib_peer_sweep_stale(rib, pr, BGP_AID_MAX), 1);
	ck_assert(!has("2001:db8::/32"));
	ck_assert(has("10.0.0.0/8"));
}
END_TEST

START_TEST(stale_sweep_falls_back)
{
	unsigned	pa = ibgp("10.0.0.1", 1);
	unsigned	pb = ibgp("10.0.0.2", 2);
	struct rib_entry e;

	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	add("10.0.0.0/8", pb, 0, simple("192.0.2.2"));
	drain();
	rib_peer_mark_stale(rib, pa, BGP_AID_MAX);
	/* the stale path of A stays best until swept */
	ck_assert_uint_eq(get("10.0.0.0/8").paths[0].peer, pa);
	ck_assert_uint_eq(rib_peer_sweep_stale(rib, pa, BGP_AID_MAX), 1);
	expect_one("10.0.0.0/8", RIB_CHG_CHANGE);
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.npaths, 1);
	ck_assert_uint_eq(e.paths[0].peer, pb);
}
END_TEST

START_TEST(peer_down_flushes)
{
	unsigned	pa = ibgp("10.0.0.1", 1);
	unsigned	pb = ibgp("10.0.0.2", 2);
	struct rib_change c[16];
	struct rib_stats st;
	size_t		n, i, nrem = 0, nchg = 0;
	char		s[32];

	for (i = 0; i < 10; i++) {
		snprintf(s, sizeof(s), "10.%zu.0.0/16", i);
		add(s, pa, 0, simple("192.0.2.1"));
		add(s, pa, 1, simple("192.0.2.3"));
	}
	add("10.0.0.0/16", pb, 0, simple("192.0.2.2"));
	add("2001:db8::/32", pa, 0, simple("2001:db8::1"));
	drain();
	ck_assert_uint_eq(rib_peer_flush(rib, pa, BGP_AID_IPV4), 20);
	n = rib_changes_next(rib, c, 16);
	ck_assert_uint_eq(n, 10);
	for (i = 0; i < n; i++) {
		nrem += c[i].kind == RIB_CHG_REMOVE;
		nchg += c[i].kind == RIB_CHG_CHANGE;
	}
	ck_assert_uint_eq(nrem, 9);
	ck_assert_uint_eq(nchg, 1);
	ck_assert_uint_eq(get("10.0.0.0/16").paths[0].peer, pb);
	ck_assert_uint_eq(rib_peer_npaths(rib, pa, BGP_AID_IPV4), 0);
	ck_assert(has("2001:db8::/32"));
	rib_stats(rib, BGP_AID_IPV4, &st);
	ck_assert_uint_eq(st.prefixes, 1);
	ck_assert_uint_eq(st.paths, 1);
}
END_TEST

START_TEST(peer_remove_reuses_id)
{
	unsigned	pa = ibgp("10.0.0.1", 1);
	unsigned	pb = ibgp("10.0.0.2", 2);
	unsigned	pc;

	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	add("10.0.0.0/8", pb, 0, simple("192.0.2.2"));
	rib_peer_remove(rib, pa);
	ck_assert_ptr_null(rib_peer_get(rib, pa));
	ck_assert_uint_eq(get("10.0.0.0/8").npaths, 1);
	pc = ibgp("10.0.0.3", 3);
	ck_assert_uint_eq(pc, pa);		/* the lowest free id */
	ck_assert_uint_eq(rib_peer_get(rib, pc)->bgp_id, 3);
	ck_assert_uint_eq(rib_peer_npaths(rib, pc, BGP_AID_IPV4), 0);
	ck_assert_uint_eq(get("10.0.0.0/8").paths[0].peer, pb);
}
END_TEST

START_TEST(flush_unselected_frees_nodes)
{
	struct ipaddr	nh = IP("192.0.2.1");
	struct rib_mem	m[RIB_MT_MAX];
	unsigned	pa = ibgp("10.0.0.1", 1);
	char		s[32];
	int		i;

	for (i = 0; i < 50; i++) {
		snprintf(s, sizeof(s), "10.%d.%d.0/24", i % 4, i);
		add(s, pa, 0, simple("192.0.2.1"));
	}
	rib_nexthop_update(rib, &nh, false, 0);
	drain();
	/* nothing was selected, so nothing is queued: the walk itself
	 * must take the emptied nodes out */
	ck_assert_uint_eq(rib_peer_flush(rib, pa, BGP_AID_IPV4), 50);
	expect_none();
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_NODE4].count, 0);
	ck_assert_uint_eq(m[RIB_MT_GLUE4].count, 0);
	ck_assert_uint_eq(m[RIB_MT_NODE4].bytes, 0);
}
END_TEST

/* ---- change records ------------------------------------------------------ */

START_TEST(changes_coalesce)
{
	unsigned	pa = ibgp("10.0.0.1", 1);
	unsigned	pb = ibgp("10.0.0.2", 2);

	add("10.0.0.0/8", pb, 0, simple("192.0.2.2"));
	add("10.0.0.0/8", pb, 0, simple("192.0.2.3"));
	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	ck_assert_uint_eq(rib_changes_pending(rib), 1);
	expect_one("10.0.0.0/8", RIB_CHG_ADD);
}
END_TEST

START_TEST(changes_add_then_remove_cancel)
{
	struct rib_mem	m[RIB_MT_MAX];
	unsigned	pa = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	ck_assert_int_eq(del("10.0.0.0/8", pa, 0), 1);
	ck_assert(!has("10.0.0.0/8"));
	expect_none();
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_NODE4].count, 0);	/* freed on drain */
}
END_TEST

START_TEST(changes_remove_then_add)
{
	unsigned	pa = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	drain();
	ck_assert_int_eq(del("10.0.0.0/8", pa, 0), 1);
	add("10.0.0.0/8", pa, 0, simple("192.0.2.2"));
	expect_one("10.0.0.0/8", RIB_CHG_CHANGE);
	ck_assert_int_eq(del("10.0.0.0/8", pa, 0), 1);
	expect_one("10.0.0.0/8", RIB_CHG_REMOVE);
	ck_assert(!has("10.0.0.0/8"));
}
END_TEST

START_TEST(changes_bounded_batches)
{
	struct rib_change	c[3];
	struct prefix		prev;
	unsigned		pa = ibgp("10.0.0.1", 1);
	size_t			i, n, total = 0, calls = 0;
	char			s[32];

	for (i = 0; i < 10; i++) {
		snprintf(s, sizeof(s), "10.%zu.0.0/16", i);
		add(s, pa, 0, simple("192.0.2.1"));
	}
	while ((n = rib_changes_next(rib, c, 3)) > 0) {
		ck_assert_uint_le(n, 3);
		for (i = 0; i < n; i++) {
			ck_assert_uint_eq(c[i].kind, RIB_CHG_ADD);
			/* queued in the order of the changes */
			if (total + i > 0)
				ck_assert_int_lt(prefix_cmp(&prev,
				    &c[i].prefix), 0);
			prev = c[i].prefix;
		}
		total += n;
		calls++;
	}
	ck_assert_uint_eq(total, 10);
	ck_assert_uint_eq(calls, 4);
	ck_assert_uint_eq(rib_changes_pending(rib), 0);
}
END_TEST

START_TEST(changes_same_attributes_silent)
{
	const struct bgp_attr_set	*a = simple("192.0.2.1");
	unsigned			 pa = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pa, 0, a);
	drain();
	add("10.0.0.0/8", pa, 0, a);		/* a duplicate announcement */
	expect_none();
	add("10.0.0.0/8", pa, 0, simple("192.0.2.9"));
	expect_one("10.0.0.0/8", RIB_CHG_CHANGE);
}
END_TEST

START_TEST(refcounts_released)
{
	const struct bgp_attr_set	*a[3];
	struct rib_mem			 m[RIB_MT_MAX];
	unsigned			 pa = ibgp("10.0.0.1", 1);
	unsigned			 pb = ibgp("10.0.0.2", 2);
	struct prefix			 p;
	size_t				 i;

	a[0] = simple("192.0.2.1");
	a[1] = simple("192.0.2.2");
	a[2] = simple("192.0.2.3");
	for (i = 0; i < 1000; i++) {
		memset(&p, 0, sizeof(p));
		p.family = AF_INET;
		p.len = 24;
		p.addr[0] = 10;
		p.addr[1] = (uint8_t)(i >> 8);
		p.addr[2] = (uint8_t)i;
		ck_assert_int_eq(rib_path_add(rib, &p, pa, 0, a[i % 3]), 0);
		ck_assert_int_eq(rib_path_add(rib, &p, pb, 0, a[(i + 1) % 3]),
		    0);
	}
	ck_assert_uint_eq(a[0]->refcnt, 1 + 667);
	for (i = 0; i < 1000; i++) {
		memset(&p, 0, sizeof(p));
		p.family = AF_INET;
		p.len = 24;
		p.addr[0] = 10;
		p.addr[1] = (uint8_t)(i >> 8);
		p.addr[2] = (uint8_t)i;
		ck_assert_int_eq(rib_path_del(rib, &p, pb, 0), 1);
	}
	rib_peer_flush(rib, pa, BGP_AID_MAX);
	drain();
	for (i = 0; i < 3; i++)
		ck_assert_uint_eq(a[i]->refcnt, 1);
	for (i = 0; i < nheld; i++)
		bgp_attr_unref(held[i]);
	nheld = 0;
	ck_assert_uint_eq(bgp_attr_table_count(at), 0);
	rib_memory(rib, m);
	ck_assert_uint_eq(m[RIB_MT_NODE4].count, 0);
	ck_assert_uint_eq(m[RIB_MT_GLUE4].count, 0);
	ck_assert_uint_eq(m[RIB_MT_NODE4].bytes, 0);
	ck_assert_uint_eq(m[RIB_MT_PATHV].count, 0);
}
END_TEST

START_TEST(free_with_routes)
{
	unsigned	pa = ibgp("10.0.0.1", 1);
	unsigned	pb = ibgp("10.0.0.2", 2);

	/* teardown frees the rib with these in it and checks the table */
	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	add("10.0.0.0/8", pb, 0, simple("192.0.2.2"));
	add("2001:db8::/32", pa, 0, simple("2001:db8::1"));
	ck_assert_uint_eq(rib_changes_pending(rib), 2);
}
END_TEST

/* ---- next hops ---------------------------------------------------------- */

START_TEST(nexthop_unreachable_single)
{
	struct ipaddr	nh = IP("192.0.2.1");
	struct rib_entry e;
	struct rib_stats st;
	unsigned	pa = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	add("10.1.0.0/16", pa, 0, simple("192.0.2.2"));
	drain();
	ck_assert_int_eq(rib_nexthop_update(rib, &nh, false, 0), 1);
	expect_one("10.0.0.0/8", RIB_CHG_REMOVE);
	e = get("10.0.0.0/8");			/* still in the Adj-RIB-In */
	ck_assert_uint_eq(e.nbest, 0);
	ck_assert(e.paths[0].flags & RIB_PF_NH_UNREACH);
	rib_stats(rib, BGP_AID_IPV4, &st);
	ck_assert_uint_eq(st.prefixes, 2);
	ck_assert_uint_eq(st.active, 1);
	/* the same state again re-evaluates nothing */
	ck_assert_int_eq(rib_nexthop_update(rib, &nh, false, 0), 0);
	ck_assert_int_eq(rib_nexthop_update(rib, &nh, true, 0), 1);
	expect_one("10.0.0.0/8", RIB_CHG_ADD);
	e = get("10.0.0.0/8");
	ck_assert_uint_eq(e.nbest, 1);
	ck_assert(!(e.paths[0].flags & RIB_PF_NH_UNREACH));
}
END_TEST

START_TEST(nexthop_switches_best)
{
	struct ipaddr	nh1 = IP("192.0.2.1");
	unsigned	pa = ibgp("10.0.0.1", 1);
	unsigned	pb = ibgp("10.0.0.2", 2);

	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	add("10.0.0.0/8", pb, 0, simple("192.0.2.2"));
	drain();
	ck_assert_uint_eq(get("10.0.0.0/8").paths[0].peer, pa);
	rib_nexthop_update(rib, &nh1, false, 0);
	expect_one("10.0.0.0/8", RIB_CHG_CHANGE);
	ck_assert_uint_eq(get("10.0.0.0/8").paths[0].peer, pb);
	/* reachable but far: cost decides against it */
	rib_nexthop_update(rib, &nh1, true, 100);
	expect_none();
	ck_assert_uint_eq(get("10.0.0.0/8").paths[0].peer, pb);
	/* forgotten: unknown counts as reachable at cost 0 again */
	ck_assert_int_eq(rib_nexthop_clear(rib, &nh1), 1);
	expect_one("10.0.0.0/8", RIB_CHG_CHANGE);
	ck_assert_uint_eq(get("10.0.0.0/8").paths[0].peer, pa);
	ck_assert_int_eq(rib_nexthop_clear(rib, &nh1), 0);
}
END_TEST

START_TEST(nexthop_unknown_unreachable)
{
	struct ipaddr	nh = IP("192.0.2.1");
	struct ipaddr	a = IP("10.1.2.3");
	struct rib_entry e;
	unsigned	pa, pl;

	reconf(1, false, false);
	pa = ibgp("10.0.0.1", 1);
	pl = peer((struct pspec){ "0.0.0.0", 65000, 1, RIB_PEER_LOCAL });
	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	add("10.1.0.0/16", pa, 0, simple("192.0.2.1"));
	add("10.2.0.0/16", pl, 0, mk((struct aspec){ .path = "" }));
	ck_assert_uint_eq(get("10.0.0.0/8").nbest, 0);
	ck_assert_uint_eq(get("10.2.0.0/16").nbest, 1);	/* local */
	ck_assert_int_eq(rib_match_addr(rib, &a, &e), 0);
	ck_assert_int_eq(rib_nexthop_update(rib, &nh, true, 3), 2);
	ck_assert_uint_eq(get("10.0.0.0/8").nbest, 1);
	ck_assert_int_eq(rib_match_addr(rib, &a, &e), 1);
	ck_assert_uint_eq(e.prefix.len, 16);
}
END_TEST

START_TEST(lpm_skips_unselected)
{
	struct ipaddr	nh = IP("192.0.2.2");
	struct ipaddr	a = IP("10.1.2.3");
	struct rib_entry e;
	unsigned	pa = ibgp("10.0.0.1", 1);

	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	add("10.1.0.0/16", pa, 0, simple("192.0.2.2"));
	rib_nexthop_update(rib, &nh, false, 0);
	ck_assert_int_eq(rib_match_addr(rib, &a, &e), 1);
	ck_assert_uint_eq(e.prefix.len, 8);
}
END_TEST

START_TEST(memory_counters)
{
	struct rib_mem	m[RIB_MT_MAX];
	size_t		total, sum = 0, i;
	unsigned	pa = ibgp("10.0.0.1", 1);
	struct ipaddr	nh = IP("192.0.2.1");

	add("10.0.0.0/8", pa, 0, simple("192.0.2.1"));
	add("2001:db8::/32", pa, 0, simple("2001:db8::1"));
	add("2001:db8:1::/48", pa, 0, simple("2001:db8::1"));
	rib_nexthop_update(rib, &nh, true, 1);
	total = rib_memory(rib, m);
	for (i = 0; i < RIB_MT_MAX; i++) {
		ck_assert_ptr_nonnull(m[i].name);
		sum += m[i].bytes;
	}
	ck_assert_uint_ge(total, sum);
	ck_assert_uint_eq(m[RIB_MT_NODE4].count, 1);
	ck_assert_uint_eq(m[RIB_MT_NODE6].count, 2);
	ck_assert_uint_eq(m[RIB_MT_NEXTHOP].count, 1);
	ck_assert_uint_eq(m[RIB_MT_PEER].count, 1);
	ck_assert_uint_eq(m[RIB_MT_QUEUE].count, 3);
	ck_assert_uint_gt(m[RIB_MT_NODE4].bytes, 0);
}
END_TEST

Suite *
rib_suite(void)
{
	Suite	*s = suite_create("rib");
	TCase	*tc;

	tc = tcase_create("table");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, empty_table);
	tcase_add_loop_test(tc, lpm_table, 0,
	    sizeof(lpm_cases) / sizeof(lpm_cases[0]));
	tcase_add_test(tc, exact_lookup_is_exact);
	tcase_add_test(tc, match_prefix_covering);
	tcase_add_loop_test(tc, overlap_any_order, 0, 6);
	tcase_add_test(tc, delete_internal_node);
	tcase_add_test(tc, glue_becomes_prefix);
	tcase_add_test(tc, host_and_default_routes);
	tcase_add_loop_test(tc, random_ipv4, 0,
	    sizeof(seeds) / sizeof(seeds[0]));
	tcase_add_loop_test(tc, random_ipv6, 0,
	    sizeof(seeds) / sizeof(seeds[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("walk");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, cursor_resumes_after_deletions);
	tcase_add_test(tc, cursor_after_covering_prefix);
	tcase_add_test(tc, cursor_resumes_in_chunks);
	tcase_add_test(tc, cursor_per_family);
	tcase_add_loop_test(tc, cursor_random_ipv4, 0,
	    sizeof(seeds) / sizeof(seeds[0]));
	tcase_add_loop_test(tc, cursor_random_ipv6, 0,
	    sizeof(seeds) / sizeof(seeds[0]));
	tcase_add_test(tc, peer_walk);
	suite_add_tcase(s, tc);

	tc = tcase_create("paths");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, bad_arguments);
	tcase_add_test(tc, replace_attributes);
	tcase_add_test(tc, addpath_several_per_peer);
	suite_add_tcase(s, tc);

	tc = tcase_create("decision");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, decision_step, 0,
	    2 * (int)(sizeof(dcases) / sizeof(dcases[0])));
	tcase_add_loop_test(tc, med_not_transitive, 0, 6);
	tcase_add_loop_test(tc, decision_explained, 0,
	    (int)(sizeof(dcases) / sizeof(dcases[0])));
	tcase_add_test(tc, decision_explained_names);
	tcase_add_test(tc, decision_explained_infeasible);
	suite_add_tcase(s, tc);

	tc = tcase_create("ecmp");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, ecmp_maximum, 0, 5);
	tcase_add_loop_test(tc, ecmp_set, 0,
	    sizeof(ecases) / sizeof(ecases[0]));
	tcase_add_test(tc, ecmp_change_records);
	suite_add_tcase(s, tc);

	tc = tcase_create("restart");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, stale_mark_relearn_sweep);
	tcase_add_test(tc, stale_per_family);
	tcase_add_test(tc, stale_sweep_falls_back);
	tcase_add_test(tc, peer_down_flushes);
	tcase_add_test(tc, peer_remove_reuses_id);
	tcase_add_test(tc, flush_unselected_frees_nodes);
	suite_add_tcase(s, tc);

	tc = tcase_create("changes");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, changes_coalesce);
	tcase_add_test(tc, changes_add_then_remove_cancel);
	tcase_add_test(tc, changes_remove_then_add);
	tcase_add_test(tc, changes_bounded_batches);
	tcase_add_test(tc, changes_same_attributes_silent);
	tcase_add_test(tc, refcounts_released);
	tcase_add_test(tc, free_with_routes);
	suite_add_tcase(s, tc);

	tc = tcase_create("nexthop");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, nexthop_unreachable_single);
	tcase_add_test(tc, nexthop_switches_best);
	tcase_add_test(tc, nexthop_unknown_unreachable);
	tcase_add_test(tc, lpm_skips_unselected);
	tcase_add_test(tc, memory_counters);
	suite_add_tcase(s, tc);
	return s;
}
