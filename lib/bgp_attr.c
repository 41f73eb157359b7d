/*
 * bgp_attr: UPDATE body codec with RFC 7606 verdicts, and interned
 * attribute sets.
 *
 * The decoder walks the body once, checks every attribute against one
 * descriptor table (flags, length rule, verdict when malformed, decoder),
 * and leaves views into the message in struct bgp_update; it allocates
 * nothing, logs nothing, and never reads outside the body. Verdicts follow
 * RFC 7606: the worst finding wins (3.h), and the first finding of that
 * severity names the NOTIFICATION.
 *
 * Choices where the RFCs leave room, documented once here:
 * - Malformed NLRI or Withdrawn Routes (RFC 7606 5.3) reset the session
 *   with Invalid Network Field (RFC 4271 6.3 names it for the NLRI field;
 *   we use it for both). Malformed MP_REACH_NLRI/MP_UNREACH_NLRI content
 *   resets with Optional Attribute Error (RFC 4760 7).
 * - A repeated attribute other than MP_* keeps its first occurrence and
 *   drops the others: RFC 7606 3.g says "attribute discard" for them.
 * - The Partial bit is not checked on receipt (RFC 7606 3.c speaks only
 *   of the Optional and Transitive bits).
 * - LOCAL_PREF missing on iBGP is not an error: it is not one of the
 *   well-known mandatory attributes of RFC 4271 6.3.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bgp_attr.h"

#define BIT_SET(a, i)	((a)[(i) / 8] |= (uint8_t)(1u << ((i) % 8)))
#define BIT_ISSET(a, i)	(((a)[(i) / 8] >> ((i) % 8)) & 1)

#define F_WK		BGP_ATTRF_TRANSITIVE	/* well-known */
#define F_OPT		BGP_ATTRF_OPTIONAL
#define F_OPT_T		(BGP_ATTRF_OPTIONAL | BGP_ATTRF_TRANSITIVE)

struct dec {
	const struct bgp_peer_ctx *ctx;
	struct bgp_update	*u;
	struct bgp_err		*err;
	const uint8_t		*body;
	const uint8_t		*attr;		/* attribute being decoded */
	size_t			 attr_total;	/* its header + value */
	bool			 has_nlri;	/* IPv4 NLRI field non-empty */
	struct buf		 as4path;
	uint32_t		 as4_count;
	uint32_t		 as4_aggr_as;
	uint32_t		 as4_aggr_id;
	unsigned		 nattrs;
	uint8_t			 seen[32];	/* type codes met so far */
};

enum data_kind {
	DATA_NONE,
	DATA_ATTR,	/* RFC 4271 6.3: the erroneous attribute */
};

/*
 * Records a finding on the attribute being decoded. Only the first
 * finding of the worst severity so far is kept (bgp_err_set).
 */
static void
dec_fail(struct dec *d, enum bgp_verdict v, uint8_t sub, enum data_kind dk,
    const char *why)
{
	if (v <= d->err->verdict)
		return;
	bgp_err_set(d->err, v, BGP_ERR_UPDATE, sub, why);
	d->err->offset = BGP_HDR_LEN + (size_t)(d->attr - d->body);
	if (dk == DATA_ATTR) {
		d->err->data = d->attr;
		d->err->datalen = d->attr_total;
	}
}

/* The attribute value decoders: 0 if the attribute is to be kept. */
typedef int	 attr_dec_fn(struct dec *, const uint8_t *, size_t);

enum len_rule {
	LEN_ANY,
	LEN_FIXED,	/* exactly arg */
	LEN_UNIT,	/* a non-zero multiple of arg */
	LEN_MIN,	/* at least arg */
	LEN_AGGR,	/* 6 or 8 by the AS number size, RFC 7606 7.7 */
};

struct attr_desc {
	const char	*name;
	uint8_t		 flags;		/* expected Optional and Transitive */
	uint8_t		 rule;		/* enum len_rule */
	uint8_t		 arg;
	uint8_t		 bad;		/* enum bgp_verdict when malformed */
	bool		 ibgp_only;	/* from eBGP: attribute discard */
	bool		 keep;		/* not interpreted, passed on raw */
	attr_dec_fn	*dec;
};

static attr_dec_fn	dec_origin, dec_aspath, dec_nexthop, dec_med,
			dec_local_pref, dec_atomic, dec_aggregator, dec_view,
			dec_originator, dec_mp_reach, dec_mp_unreach,
			dec_as4path, dec_as4aggr;

/*
 * Every attribute podbgp knows, with the RFC 7606 section 7 rule for it.
 * Indexed by type code; a NULL name is an unrecognised attribute.
 */
static const struct attr_desc attr_descs[] = {
	/* RFC 7606 7.1: bad length or value -> treat-as-withdraw */
	[BGP_ATTR_ORIGIN] = { "ORIGIN", F_WK, LEN_FIXED, 1,
	    BGP_WITHDRAW, false, false, dec_origin },
	/* RFC 7606 7.2 */
	[BGP_ATTR_AS_PATH] = { "AS_PATH", F_WK, LEN_ANY, 0,
	    BGP_WITHDRAW, false, false, dec_aspath },
	/* RFC 7606 7.3 */
	[BGP_ATTR_NEXT_HOP] = { "NEXT_HOP", F_WK, LEN_FIXED, 4,
	    BGP_WITHDRAW, false, false, dec_nexthop },
	/* RFC 7606 7.4 */
	[BGP_ATTR_MED] = { "MULTI_EXIT_DISC", F_OPT, LEN_FIXED, 4,
	    BGP_WITHDRAW, false, false, dec_med },
	/* RFC 7606 7.5: from eBGP discarded; bad length -> withdraw */
	[BGP_ATTR_LOCAL_PREF] = { "LOCAL_PREF", F_WK, LEN_FIXED, 4,
	    BGP_WITHDRAW, true, false, dec_local_pref },
	/* RFC 7606 7.6: attribute discard */
	[BGP_ATTR_ATOMIC_AGGREGATE] = { "ATOMIC_AGGREGATE", F_WK, LEN_FIXED, 0,
	    BGP_ATTR_DISCARD, false, false, dec_atomic },
	/* RFC 7606 7.7: attribute discard */
	[BGP_ATTR_AGGREGATOR] = { "AGGREGATOR", F_OPT_T, LEN_AGGR, 0,
	    BGP_ATTR_DISCARD, false, false, dec_aggregator },
	/* RFC 7606 7.8 */
	[BGP_ATTR_COMMUNITIES] = { "COMMUNITIES", F_OPT_T, LEN_UNIT, 4,
	    BGP_WITHDRAW, false, false, dec_view },
	/* RFC 7606 7.9 */
	[BGP_ATTR_ORIGINATOR_ID] = { "ORIGINATOR_ID", F_OPT, LEN_FIXED, 4,
	    BGP_WITHDRAW, true, false, dec_originator },
	/* RFC 7606 7.10 */
	[BGP_ATTR_CLUSTER_LIST] = { "CLUSTER_LIST", F_OPT, LEN_UNIT, 4,
	    BGP_WITHDRAW, true, false, dec_view },
	/* RFC 7606 7.11, 5.3: MP_REACH shorter than 5 is incorrect */
	[BGP_ATTR_MP_REACH_NLRI] = { "MP_REACH_NLRI", F_OPT, LEN_MIN, 5,
	    BGP_RESET, false, false, dec_mp_reach },
	/* RFC 7606 7.12, 5.3: MP_UNREACH shorter than 3 is incorrect */
	[BGP_ATTR_MP_UNREACH_NLRI] = { "MP_UNREACH_NLRI", F_OPT, LEN_MIN, 3,
	    BGP_RESET, false, false, dec_mp_unreach },
	/* RFC 7606 7.14 */
	[BGP_ATTR_EXT_COMMUNITIES] = { "EXTENDED_COMMUNITIES", F_OPT_T,
	    LEN_UNIT, 8, BGP_WITHDRAW, false, true, NULL },
	/* RFC 6793 6: malformed AS4_PATH / AS4_AGGREGATOR are discarded */
	[BGP_ATTR_AS4_PATH] = { "AS4_PATH", F_OPT_T, LEN_ANY, 0,
	    BGP_ATTR_DISCARD, false, false, dec_as4path },
	[BGP_ATTR_AS4_AGGREGATOR] = { "AS4_AGGREGATOR", F_OPT_T, LEN_FIXED, 8,
	    BGP_ATTR_DISCARD, false, false, dec_as4aggr },
	/*
	 * RFC 7606 7.13: RFC 5543 3 says the attribute holds one or more
	 * descriptors of at least 36 octets; shorter is malformed. It is
	 * optional non-transitive and podbgp does not use it: dropped.
	 */
	[BGP_ATTR_TRAFFIC_ENG] = { "TRAFFIC_ENGINEERING", F_OPT, LEN_MIN, 36,
	    BGP_WITHDRAW, false, false, NULL },
	/* RFC 7606 7.15 */
	[BGP_ATTR_IPV6_EXT_COMMUNITIES] = { "IPV6_EXT_COMMUNITIES", F_OPT_T,
	    LEN_UNIT, 20, BGP_WITHDRAW, false, true, NULL },
	/* RFC 8092 6: not a non-zero multiple of 12 -> withdraw */
	[BGP_ATTR_LARGE_COMMUNITY] = { "LARGE_COMMUNITY", F_OPT_T, LEN_UNIT, 12,
	    BGP_WITHDRAW, false, false, dec_view },
	/* RFC 7606 7.16: shorter than the Origin AS field is malformed */
	[BGP_ATTR_ATTR_SET] = { "ATTR_SET", F_OPT_T, LEN_MIN, 4,
	    BGP_WITHDRAW, false, true, NULL },
};

#define NDESCS	(sizeof(attr_descs) / sizeof(attr_descs[0]))

const char *
bgp_attr_name(unsigned type)
{
	if (type < NDESCS && attr_descs[type].name != NULL)
		return attr_descs[type].name;
	return "unknown";
}

/*
 * Validates a run of NLRI: RFC 7606 5.3 (prefix longer than the family
 * allows, or the last prefix overrunning the field).
 */
static int
nlri_check(const uint8_t *p, size_t n, unsigned maxlen, bool addpath,
    size_t *count)
{
	const uint8_t	*end = p + n;
	size_t		 c = 0;
	unsigned	 len;

	while (p < end) {
		if (addpath) {
			if (end - p < 5)
				return -1;
			p += 4;
		}
		len = *p++;
		if (len > maxlen)
			return -1;
		len = (len + 7) >> 3;
		if ((size_t)(end - p) < len)
			return -1;
		p += len;
		c++;
	}
	*count = c;
	return 0;
}

static void
sec_set(struct bgp_nlri_sec *s, const uint8_t *p, size_t len, size_t count,
    enum bgp_aid aid, bool addpath)
{
	s->p = p;
	s->len = len;
	s->count = count;
	s->aid = (uint8_t)aid;
	s->addpath = addpath;
}

static bool
addpath_rx(const struct dec *d, enum bgp_aid aid)
{
	return (d->ctx->addpath_rx >> aid) & 1;
}

/*
 * AS_PATH / AS4_PATH syntax, RFC 7606 7.2: unknown segment type, a
 * segment overrunning the attribute, a single octet left (underrun), or a
 * zero segment length make it malformed. Counts the path length as RFC
 * 4271 9.1.2.2 does (AS_SET counts one, confederation segments none).
 */
enum aspath_bad {
	ASP_OK,
	ASP_MALFORMED,
	ASP_AS0,
	ASP_CONFED,
};

static enum aspath_bad
aspath_check(const uint8_t *p, size_t len, unsigned asz, uint32_t *count)
{
	enum aspath_bad	 r = ASP_OK;
	uint32_t	 c = 0;
	size_t		 n, i;
	uint8_t		 type;

	while (len > 0) {
		if (len < 2)
			return ASP_MALFORMED;
		type = p[0];
		n = p[1];
		if (type < BGP_ASSEG_SET || type > BGP_ASSEG_CONFED_SET ||
		    n == 0 || len - 2 < n * asz)
			return ASP_MALFORMED;
		for (i = 0; i < n; i++)
			if ((asz == 4 ? get_u32(p + 2 + 4 * i) :
			    get_u16(p + 2 + 2 * i)) == 0)
				r = ASP_AS0;
		if (type == BGP_ASSEG_SEQUENCE)
			c += (uint32_t)n;
		else if (type == BGP_ASSEG_SET)
			c++;
		else if (r == ASP_OK)
			r = ASP_CONFED;
		p += 2 + n * asz;
		len -= 2 + n * asz;
	}
	*count = c;
	return r;
}

static int
dec_origin(struct dec *d, const uint8_t *v, size_t len)
{
	/* RFC 7606 7.1: an undefined value -> treat-as-withdraw */
	if (v[0] > BGP_ORIGIN_INCOMPLETE) {
		dec_fail(d, BGP_WITHDRAW, BGP_ERR_UPD_ORIGIN, DATA_ATTR,
		    "undefined ORIGIN value");
		return -1;
	}
	d->u->origin = v[0];
	return 0;
}

static int
dec_aspath(struct dec *d, const uint8_t *v, size_t len)
{
	unsigned	asz = d->ctx->as4 ? 4 : 2;
	uint32_t	count = 0;

	switch (aspath_check(v, len, asz, &count)) {
	case ASP_MALFORMED:
		/* RFC 7606 7.2 */
		dec_fail(d, BGP_WITHDRAW, BGP_ERR_UPD_ASPATH, DATA_NONE,
		    "malformed AS_PATH");
		return -1;
	case ASP_AS0:
		/* RFC 7607 2: AS 0 makes the AS_PATH malformed */
		dec_fail(d, BGP_WITHDRAW, BGP_ERR_UPD_ASPATH, DATA_NONE,
		    "AS 0 in AS_PATH");
		return -1;
	case ASP_CONFED:
		/*
		 * RFC 5065 5.3 with RFC 7606 3.e: confederation segments from
		 * outside the confederation; podbgp has no confederations, so
		 * any eBGP peer is outside.
		 */
		if (d->ctx->ebgp) {
			dec_fail(d, BGP_WITHDRAW, BGP_ERR_UPD_ASPATH,
			    DATA_NONE, "confederation segment from eBGP");
			return -1;
		}
		break;
	case ASP_OK:
		break;
	}
	buf_init(&d->u->aspath, v, len);
	d->u->aspath_asz = (uint8_t)asz;
	d->u->aspath_count = count > UINT16_MAX ? UINT16_MAX : (uint16_t)count;
	return 0;
}

/*
 * RFC 4271 6.3: a next hop must be a valid host address. Unspecified,
 * loopback and multicast addresses are not, for NEXT_HOP and for the
 * next hop of MP_REACH_NLRI alike (RFC 4760 says nothing of its own).
 */
static bool
nexthop_martian(const struct ipaddr *a)
{
	static const uint8_t	zero[16], loop6[16] = { [15] = 1 };

	if (a->family == AF_INET)
		return a->addr[0] == 0 || a->addr[0] == 127 ||
		    a->addr[0] >= 224;
	return memcmp(a->addr, zero, sizeof(zero)) == 0 ||
	    memcmp(a->addr, loop6, sizeof(loop6)) == 0 || a->addr[0] == 0xff;
}

static int
dec_nexthop(struct dec *d, const uint8_t *v, size_t len)
{
	struct ipaddr	nh;

	memset(&nh, 0, sizeof(nh));
	nh.family = AF_INET;
	memcpy(nh.addr, v, 4);
	/*
	 * RFC 7606 7.3: a next hop that is no valid host address makes the
	 * route ignored (withdrawn), not the session reset. Only checked
	 * when the NLRI field uses it: RFC 4760 3 says to ignore NEXT_HOP
	 * in an UPDATE that carries only MP_REACH_NLRI.
	 */
	if (d->has_nlri && nexthop_martian(&nh)) {
		dec_fail(d, BGP_WITHDRAW, BGP_ERR_UPD_NEXTHOP, DATA_ATTR,
		    "NEXT_HOP is not a host address");
		return -1;
	}
	d->u->nexthop = nh;
	return 0;
}

static int
dec_med(struct dec *d, const uint8_t *v, size_t len)
{
	d->u->med = get_u32(v);
	return 0;
}

static int
dec_local_pref(struct dec *d, const uint8_t *v, size_t len)
{
	d->u->local_pref = get_u32(v);
	return 0;
}

static int
dec_atomic(struct dec *d, const uint8_t *v, size_t len)
{
	return 0;
}

static int
dec_aggregator(struct dec *d, const uint8_t *v, size_t len)
{
	uint32_t	as = len == 8 ? get_u32(v) : get_u16(v);

	/* RFC 7607 2: AS 0 is malformed; RFC 7606 7.7: discard */
	if (as == 0) {
		dec_fail(d, BGP_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL, DATA_ATTR,
		    "AS 0 in AGGREGATOR");
		return -1;
	}
	d->u->aggr_as = as;
	d->u->aggr_id = get_u32(v + len - 4);
	return 0;
}

/* Variable attributes whose length rule is their whole validation. */
static int
dec_view(struct dec *d, const uint8_t *v, size_t len)
{
	struct buf	*b;

	switch (d->attr[1]) {
	case BGP_ATTR_COMMUNITIES:
		b = &d->u->communities;
		break;
	case BGP_ATTR_CLUSTER_LIST:
		b = &d->u->cluster_list;
		break;
	default:
		b = &d->u->large_communities;
		break;
	}
	buf_init(b, v, len);
	return 0;
}

static int
dec_originator(struct dec *d, const uint8_t *v, size_t len)
{
	d->u->originator_id = get_u32(v);
	return 0;
}

/* RFC 4760 3. A family podbgp does not speak is ignored. */
static int
dec_mp_reach(struct dec *d, const uint8_t *v, size_t len)
{
	struct bgp_update	*u = d->u;
	enum bgp_aid		 aid;
	size_t			 nhlen, count;
	bool			 ap;

	aid = bgp_aid_from_afi(get_u16(v), v[2]);
	nhlen = v[3];
	if (len < 5 + nhlen) {
		dec_fail(d, BGP_RESET, BGP_ERR_UPD_OPTIONAL, DATA_ATTR,
		    "MP_REACH_NLRI next hop overruns the attribute");
		return -1;
	}
	if (aid == BGP_AID_MAX)
		return -1;
	/* RFC 7606 7.11: a next hop length other than expected */
	if ((aid == BGP_AID_IPV4 && nhlen != 4) ||
	    (aid == BGP_AID_IPV6 && nhlen != 16 && nhlen != 32)) {
		dec_fail(d, BGP_RESET, BGP_ERR_UPD_OPTIONAL, DATA_ATTR,
		    "MP_REACH_NLRI next hop length");
		return -1;
	}
	ap = addpath_rx(d, aid);
	/* RFC 4760 3: the octet after the next hop is reserved, ignored */
	if (nlri_check(v + 5 + nhlen, len - 5 - nhlen,
	    prefix_maxlen(bgp_aid_family(aid)), ap, &count) == -1) {
		/* RFC 7606 5.3, 3.j */
		dec_fail(d, BGP_RESET, BGP_ERR_UPD_OPTIONAL, DATA_ATTR,
		    "malformed NLRI in MP_REACH_NLRI");
		return -1;
	}
	memset(&u->mp_nexthop, 0, sizeof(u->mp_nexthop));
	u->mp_nexthop.family = (uint8_t)bgp_aid_family(aid);
	memcpy(u->mp_nexthop.addr, v + 4, nhlen > 16 ? 16 : nhlen);
	if (nhlen == 32) {
		u->mp_nexthop_ll.family = AF_INET6;
		memcpy(u->mp_nexthop_ll.addr, v + 20, 16);
	}
	sec_set(&u->mp_reach, v + 5 + nhlen, len - 5 - nhlen, count, aid, ap);
	/* the NLRI parsed, so its routes can be treated as withdrawn */
	if (nexthop_martian(&u->mp_nexthop))
		dec_fail(d, BGP_WITHDRAW, BGP_ERR_UPD_NEXTHOP, DATA_ATTR,
		    "MP_REACH_NLRI next hop is not a host address");
	return 0;
}

static int
dec_mp_unreach(struct dec *d, const uint8_t *v, size_t len)
{
	enum bgp_aid	aid;
	size_t		count;
	bool		ap;

	aid = bgp_aid_from_afi(get_u16(v), v[2]);
	if (aid == BGP_AID_MAX)
		return -1;
	ap = addpath_rx(d, aid);
	if (nlri_check(v + 3, len - 3, prefix_maxlen(bgp_aid_family(aid)),
	    ap, &count) == -1) {
		/* RFC 7606 5.3, 3.j */
		dec_fail(d, BGP_RESET, BGP_ERR_UPD_OPTIONAL, DATA_ATTR,
		    "malformed NLRI in MP_UNREACH_NLRI");
		return -1;
	}
	sec_set(&d->u->mp_unreach, v + 3, len - 3, count, aid, ap);
	return 0;
}

static int
dec_as4path(struct dec *d, const uint8_t *v, size_t len)
{
	uint32_t	count = 0;

	/* RFC 6793 4.1: a NEW speaker discards AS4_PATH from a NEW one */
	if (d->ctx->as4) {
		dec_fail(d, BGP_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL, DATA_NONE,
		    "AS4_PATH from a 4-octet AS peer");
		return -1;
	}
	/*
	 * RFC 6793 6: malformed -> attribute discard. Confederation
	 * segments are not allowed here either; the iterator skips them.
	 */
	switch (aspath_check(v, len, 4, &count)) {
	case ASP_MALFORMED:
	case ASP_AS0:
		dec_fail(d, BGP_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL, DATA_ATTR,
		    "malformed AS4_PATH");
		return -1;
	default:
		break;
	}
	buf_init(&d->as4path, v, len);
	d->as4_count = count;
	return 0;
}

static int
dec_as4aggr(struct dec *d, const uint8_t *v, size_t len)
{
	if (d->ctx->as4) {
		dec_fail(d, BGP_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL, DATA_NONE,
		    "AS4_AGGREGATOR from a 4-octet AS peer");
		return -1;
	}
	if (get_u32(v) == 0) {
		dec_fail(d, BGP_ATTR_DISCARD, BGP_ERR_UPD_OPTIONAL, DATA_ATTR,
		    "AS 0 in AS4_AGGREGATOR");
		return -1;
	}
	d->as4_aggr_as = get_u32(v);
	d->as4_aggr_id = get_u32(v + 4);
	return 0;
}

static bool
len_ok(const struct dec *d, const struct attr_desc *ad, size_t len)
{
	switch (ad->rule) {
	case LEN_FIXED:
		return len == ad->arg;
	case LEN_UNIT:
		/* RFC 7606 4: zero length is malformed unless allowed */
		return len > 0 && len % ad->arg == 0;
	case LEN_MIN:
		return len >= ad->arg;
	case LEN_AGGR:
		return len == (d->ctx->as4 ? 8u : 6u);
	default:
		return true;
	}
}

static void
dec_attr(struct dec *d, uint8_t flags, uint8_t type, const uint8_t *v,
    size_t len)
{
	struct bgp_update	*u = d->u;
	const struct attr_desc	*ad;

	d->nattrs++;
	ad = type < NDESCS && attr_descs[type].name != NULL ?
	    &attr_descs[type] : NULL;

	if (ad == NULL) {
		/* RFC 4271 6.3: an unrecognised well-known attribute */
		if (!(flags & BGP_ATTRF_OPTIONAL)) {
			dec_fail(d, BGP_RESET, BGP_ERR_UPD_WELLKNOWN, DATA_ATTR,
			    "unrecognized well-known attribute");
			return;
		}
		/* RFC 4271 5: optional transitive ones are passed on */
		if (flags & BGP_ATTRF_TRANSITIVE)
			BIT_SET(u->keep, type);
		return;
	}
	/* RFC 7606 7.5, 7.9, 7.10: from eBGP, discarded whatever it holds */
	if (ad->ibgp_only && d->ctx->ebgp) {
		dec_fail(d, BGP_ATTR_DISCARD, BGP_ERR_UPD_ATTR_LIST, DATA_NONE,
		    "iBGP-only attribute from eBGP peer");
		return;
	}
	/* RFC 7606 3.c; for MP_* 5.3 makes it a reset */
	if ((flags & F_OPT_T) != ad->flags) {
		dec_fail(d, (enum bgp_verdict)ad->bad, BGP_ERR_UPD_FLAGS,
		    DATA_ATTR, "attribute flags conflict with its type");
		return;
	}
	/* RFC 7606 7.x length rules, RFC 4271 6.3 Attribute Length Error */
	if (!len_ok(d, ad, len)) {
		dec_fail(d, (enum bgp_verdict)ad->bad, BGP_ERR_UPD_LENGTH,
		    DATA_ATTR, "attribute length is wrong for its type");
		return;
	}
	if (ad->dec != NULL && ad->dec(d, v, len) == -1)
		return;
	if (ad->keep)
		BIT_SET(u->keep, type);
	BIT_SET(u->present, type);
}

/* RFC 6793 4.2.3: rebuild the path from AS_PATH and AS4_PATH. */
static void
as4_merge(struct dec *d)
{
	struct bgp_update	*u = d->u;
	bool			 has_aggr;

	has_aggr = bgp_update_has(u, BGP_ATTR_AGGREGATOR);
	/* AGGREGATOR not AS_TRANS: AS4_AGGREGATOR and AS4_PATH ignored */
	if (has_aggr && u->aggr_as != BGP_AS_TRANS)
		return;
	if (has_aggr && bgp_update_has(u, BGP_ATTR_AS4_AGGREGATOR)) {
		u->aggr_as = d->as4_aggr_as;
		u->aggr_id = d->as4_aggr_id;
	}
	/* fewer ASNs in AS_PATH than in AS4_PATH: AS4_PATH ignored */
	if (!bgp_update_has(u, BGP_ATTR_AS4_PATH) ||
	    !bgp_update_has(u, BGP_ATTR_AS_PATH) ||
	    u->aspath_count < d->as4_count)
		return;
	u->as4path = d->as4path;
	u->as4_merge = true;
	u->as4_take = (uint16_t)(u->aspath_count - d->as4_count);
}

/* RFC 4271 6.3: the Data field names the missing type code. */
static void
missing(struct dec *d, uint8_t type)
{
	if (d->err->verdict >= BGP_WITHDRAW)
		return;
	bgp_err_set(d->err, BGP_WITHDRAW, BGP_ERR_UPDATE, BGP_ERR_UPD_MISSING,
	    "missing well-known attribute");
	d->err->dbuf[0] = type;
	d->err->data = d->err->dbuf;
	d->err->datalen = 1;
	d->err->offset = BGP_HDR_LEN;
}

static enum bgp_verdict
body_fail(struct dec *d, const uint8_t *at, uint8_t code, uint8_t sub,
    const char *why)
{
	bgp_err_set(d->err, BGP_RESET, code, sub, why);
	d->err->offset = BGP_HDR_LEN + (size_t)(at - d->body);
	return BGP_RESET;
}

enum bgp_verdict
bgp_update_decode(const uint8_t *body, size_t len,
    const struct bgp_peer_ctx *ctx, struct bgp_update *u, struct bgp_err *err)
{
	struct dec	 d;
	struct buf	 ab;
	const uint8_t	*p, *nlri;
	size_t		 wlen, alen, nlen, hlen, vlen, count;
	uint8_t		 flags, type;
	bool		 reach;
	bool		 ap4 = (ctx->addpath_rx >> BGP_AID_IPV4) & 1;

	memset(u, 0, sizeof(*u));
	u->mp_reach.aid = u->mp_unreach.aid = BGP_AID_MAX;
	u->withdrawn.aid = u->nlri.aid = BGP_AID_IPV4;
	u->eor_aid = BGP_AID_MAX;
	bgp_err_clear(err);
	memset(&d, 0, sizeof(d));
	d.ctx = ctx;
	d.u = u;
	d.err = err;
	d.body = body;

	/* RFC 4271 6.1: an UPDATE is at least 23 bytes long */
	if (len < 4) {
		body_fail(&d, body, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
		    "UPDATE shorter than 23 bytes");
		err->dbuf[0] = (uint8_t)((len + BGP_HDR_LEN) >> 8);
		err->dbuf[1] = (uint8_t)(len + BGP_HDR_LEN);
		err->data = err->dbuf;
		err->datalen = 2;
		return BGP_RESET;
	}
	/* RFC 4271 6.3, RFC 7606 3.b: lengths beyond the message */
	wlen = get_u16(body);
	if (wlen > len - 4)
		return body_fail(&d, body, BGP_ERR_UPDATE,
		    BGP_ERR_UPD_ATTR_LIST, "Withdrawn Routes Length too large");
	alen = get_u16(body + 2 + wlen);
	if (alen > len - 4 - wlen)
		return body_fail(&d, body + 2 + wlen, BGP_ERR_UPDATE,
		    BGP_ERR_UPD_ATTR_LIST,
		    "Total Path Attribute Length too large");
	nlri = body + 4 + wlen + alen;
	nlen = len - 4 - wlen - alen;

	/* RFC 7606 3.i, 5.3: both fields must parse, or reset (3.j) */
	if (nlri_check(body + 2, wlen, 32, ap4, &count) == -1)
		return body_fail(&d, body + 2, BGP_ERR_UPDATE,
		    BGP_ERR_UPD_NETWORK, "malformed Withdrawn Routes");
	sec_set(&u->withdrawn, body + 2, wlen, count, BGP_AID_IPV4, ap4);
	if (nlri_check(nlri, nlen, 32, ap4, &count) == -1)
		return body_fail(&d, nlri, BGP_ERR_UPDATE, BGP_ERR_UPD_NETWORK,
		    "malformed NLRI");
	sec_set(&u->nlri, nlri, nlen, count, BGP_AID_IPV4, ap4);
	d.has_nlri = nlen > 0;

	buf_init(&ab, body + 4 + wlen, alen);
	p = ab.p;
	while (ab.n > 0) {
		d.attr = ab.p;
		d.attr_total = ab.n;
		/*
		 * RFC 7606 4: too few octets left for an attribute header,
		 * or an attribute overrunning the list: treat-as-withdraw,
		 * and the Total Path Attribute Length still finds the NLRI.
		 */
		if (ab.n < 3 || ((ab.p[0] & BGP_ATTRF_EXTLEN) && ab.n < 4)) {
			dec_fail(&d, BGP_WITHDRAW, BGP_ERR_UPD_ATTR_LIST,
			    DATA_NONE, "truncated attribute header");
			break;
		}
		flags = ab.p[0];
		type = ab.p[1];
		if (flags & BGP_ATTRF_EXTLEN) {
			vlen = get_u16(ab.p + 2);
			hlen = 4;
		} else {
			vlen = ab.p[2];
			hlen = 3;
		}
		if (vlen > ab.n - hlen) {
			dec_fail(&d, BGP_WITHDRAW, BGP_ERR_UPD_LENGTH,
			    DATA_ATTR, "attribute overruns the attribute list");
			break;
		}
		d.attr_total = hlen + vlen;
		if (!BIT_ISSET(d.seen, type)) {
			BIT_SET(d.seen, type);
			dec_attr(&d, flags, type, ab.p + hlen, vlen);
		} else if (type == BGP_ATTR_MP_REACH_NLRI ||
		    type == BGP_ATTR_MP_UNREACH_NLRI) {
			/* RFC 7606 3.g: repeated MP_* -> reset */
			dec_fail(&d, BGP_RESET, BGP_ERR_UPD_ATTR_LIST,
			    DATA_NONE, "repeated MP_REACH/MP_UNREACH_NLRI");
		} else {
			/* RFC 7606 3.g: later occurrences are discarded */
			dec_fail(&d, BGP_ATTR_DISCARD, BGP_ERR_UPD_ATTR_LIST,
			    DATA_NONE, "repeated attribute");
		}
		if (err->verdict == BGP_RESET)
			return BGP_RESET;
		ab.p += d.attr_total;
		ab.n -= d.attr_total;
	}
	buf_init(&u->attrs, p, (size_t)(ab.p - p));
	d.attr = NULL;

	if (!ctx->as4)
		as4_merge(&d);

	reach = u->nlri.count > 0 || u->mp_reach.count > 0;
	/*
	 * RFC 7606 3.d: a missing well-known mandatory attribute -> withdraw.
	 * NEXT_HOP is needed only by the NLRI field (RFC 4760 3).
	 */
	if (reach) {
		if (!BIT_ISSET(d.seen, BGP_ATTR_ORIGIN))
			missing(&d, BGP_ATTR_ORIGIN);
		else if (!BIT_ISSET(d.seen, BGP_ATTR_AS_PATH))
			missing(&d, BGP_ATTR_AS_PATH);
		else if (u->nlri.count > 0 &&
		    !BIT_ISSET(d.seen, BGP_ATTR_NEXT_HOP))
			missing(&d, BGP_ATTR_NEXT_HOP);
	}

	/* RFC 4724 2: End-of-RIB markers */
	if (len == 4) {
		u->eor = true;
		u->eor_aid = BGP_AID_IPV4;
	} else if (wlen == 0 && nlen == 0 && d.nattrs == 1 &&
	    bgp_update_has(u, BGP_ATTR_MP_UNREACH_NLRI) &&
	    u->mp_unreach.len == 0) {
		u->eor = true;
		u->eor_aid = u->mp_unreach.aid;
	}

	/*
	 * RFC 7606 5.2: attributes but no reachable NLRI, and an error
	 * that asks for more than attribute discard: session reset.
	 */
	if (err->verdict == BGP_WITHDRAW && !reach)
		err->verdict = BGP_RESET;
	return err->verdict;
}

size_t
bgp_update_nreach(const struct bgp_update *u)
{
	return u->nlri.count + u->mp_reach.count;
}

size_t
bgp_update_nunreach(const struct bgp_update *u)
{
	return u->withdrawn.count + u->mp_unreach.count;
}

/* NLRI iteration. */

static void
iter_load(struct bgp_nlri_iter *it, const struct bgp_nlri_sec *s,
    const struct ipaddr *nh, const struct ipaddr *ll)
{
	it->p = s->p;
	it->end = s->p + s->len;
	it->family = (uint8_t)bgp_aid_family((enum bgp_aid)s->aid);
	it->addpath = s->addpath;
	it->nexthop = nh;
	it->nexthop_ll = ll;
}

static const struct ipaddr	no_addr;

void
bgp_nlri_iter_sec(struct bgp_nlri_iter *it, const struct bgp_nlri_sec *sec)
{
	memset(it, 0, sizeof(*it));
	iter_load(it, sec, &no_addr, &no_addr);
}

void
bgp_nlri_iter_reach(struct bgp_nlri_iter *it, const struct bgp_update *u)
{
	bgp_nlri_iter_sec(it, &u->nlri);
	it->nexthop = bgp_update_has(u, BGP_ATTR_NEXT_HOP) ? &u->nexthop :
	    &no_addr;
	if (u->mp_reach.aid != BGP_AID_MAX) {
		it->next = &u->mp_reach;
		it->next_nh = &u->mp_nexthop;
		it->mp_ll = &u->mp_nexthop_ll;
	}
}

void
bgp_nlri_iter_unreach(struct bgp_nlri_iter *it, const struct bgp_update *u)
{
	bgp_nlri_iter_sec(it, &u->withdrawn);
	if (u->mp_unreach.aid != BGP_AID_MAX) {
		it->next = &u->mp_unreach;
		it->next_nh = &no_addr;
		it->mp_ll = &no_addr;
	}
}

/*
 * The hot loop: the section was validated by the decoder, so no bound is
 * checked twice and nothing is called per prefix.
 */
int
bgp_nlri_next(struct bgp_nlri_iter *it, struct prefix *pfx,
    uint32_t *path_id)
{
	const uint8_t	*p;
	unsigned	 len, nb, i;
	uint32_t	 id = 0;

	while (it->p >= it->end) {
		if (it->next == NULL)
			return 0;
		iter_load(it, it->next, it->next_nh, it->mp_ll);
		it->next = NULL;
	}
	p = it->p;
	if (it->addpath) {
		id = get_u32(p);
		p += 4;
	}
	len = *p++;
	nb = (len + 7) >> 3;
	memset(pfx, 0, sizeof(*pfx));
	pfx->family = it->family;
	pfx->len = (uint8_t)len;
	for (i = 0; i < nb; i++)
		pfx->addr[i] = p[i];
	/* host bits past the length are masked, not an error */
	if (len & 7)
		pfx->addr[nb - 1] &= (uint8_t)(0xff << (8 - (len & 7)));
	it->p = p + nb;
	if (path_id != NULL)
		*path_id = id;
	return 1;
}

/* AS path iteration. */

void
bgp_aspath_iter_raw(struct bgp_aspath_iter *it, const uint8_t *p, size_t len,
    uint8_t asz)
{
	memset(it, 0, sizeof(*it));
	buf_init(&it->cur, p, len);
	it->asz = asz;
}

void
bgp_aspath_iter_update(struct bgp_aspath_iter *it, const struct bgp_update *u)
{
	bgp_aspath_iter_raw(it, u->aspath.p, u->aspath.n, u->aspath_asz);
	if (u->as4_merge) {
		it->as4 = u->as4path;
		it->merge = true;
		it->take = u->as4_take;
	}
}

int
bgp_aspath_next(struct bgp_aspath_iter *it, struct bgp_asseg *seg)
{
	size_t	n;

	for (;;) {
		if (!it->in_as4 && it->merge && it->take == 0) {
			/* RFC 6793 4.2.3: the rest comes from AS4_PATH */
			it->in_as4 = true;
			it->cur = it->as4;
			it->asz = 4;
		}
		if (it->cur.n < 2) {
			if (it->merge && !it->in_as4) {
				it->take = 0;
				continue;
			}
			return 0;
		}
		seg->type = it->cur.p[0];
		n = it->cur.p[1];
		seg->count = (uint8_t)n;
		seg->asz = it->asz;
		seg->asns = it->cur.p + 2;
		it->cur.p += 2 + n * it->asz;
		it->cur.n -= 2 + n * it->asz;
		if (it->in_as4) {
			/* RFC 6793 6: no confederation segments in AS4_PATH */
			if (seg->type == BGP_ASSEG_CONFED_SEQUENCE ||
			    seg->type == BGP_ASSEG_CONFED_SET)
				continue;
			return 1;
		}
		if (it->merge) {
			if (seg->type == BGP_ASSEG_SET)
				it->take--;
			else if (seg->type == BGP_ASSEG_SEQUENCE) {
				if (n > it->take)
					seg->count = (uint8_t)it->take;
				it->take -= seg->count;
			}
		}
		return 1;
	}
}

/* Raw attributes to pass on. */

void
bgp_raw_iter_init(struct bgp_raw_iter *it, const struct bgp_update *u)
{
	memset(it, 0, sizeof(*it));
	it->rest = u->attrs;
}

int
bgp_raw_next(struct bgp_raw_iter *it, const struct bgp_update *u,
    struct bgp_raw_attr *a)
{
	const uint8_t	*p;
	size_t		 hlen, vlen;
	uint8_t		 type;

	/* u->attrs holds only well-formed attribute headers */
	while (it->rest.n > 0) {
		p = it->rest.p;
		hlen = p[0] & BGP_ATTRF_EXTLEN ? 4 : 3;
		vlen = hlen == 4 ? get_u16(p + 2) : p[2];
		it->rest.p += hlen + vlen;
		it->rest.n -= hlen + vlen;
		type = p[1];
		if (!BIT_ISSET(u->keep, type) || BIT_ISSET(it->done, type))
			continue;
		BIT_SET(it->done, type);
		a->type = type;
		a->flags = p[0] & (uint8_t)~BGP_ATTRF_EXTLEN & 0xf0;
		/* RFC 4271 5: passed on unrecognised, so Partial is set */
		if (type >= NDESCS || attr_descs[type].name == NULL)
			a->flags |= BGP_ATTRF_PARTIAL;
		a->len = (uint16_t)vlen;
		a->val = p + hlen;
		return 1;
	}
	return 0;
}

/* Dumps. */

static void
print_aspath(FILE *f, struct bgp_aspath_iter *it)
{
	struct bgp_asseg	 s;
	const char		*open, *close;
	unsigned		 i;
	bool			 first = true;

	while (bgp_aspath_next(it, &s)) {
		switch (s.type) {
		case BGP_ASSEG_SET:
			open = "{";
			close = "}";
			break;
		case BGP_ASSEG_CONFED_SEQUENCE:
			open = "(";
			close = ")";
			break;
		case BGP_ASSEG_CONFED_SET:
			open = "[";
			close = "]";
			break;
		default:
			open = close = "";
			break;
		}
		fprintf(f, "%s%s", first ? "" : " ", open);
		for (i = 0; i < s.count; i++)
			fprintf(f, "%s%u", i ? " " : "", bgp_asseg_asn(&s, i));
		fputs(close, f);
		first = false;
	}
}

static const char *
origin_name(unsigned o)
{
	static const char *const names[] = { "IGP", "EGP", "incomplete" };

	return o < 3 ? names[o] : "?";
}

static void
print_nlri(FILE *f, const char *what, struct bgp_nlri_iter *it)
{
	struct prefix	p;
	char		buf[PREFIX_STRLEN];
	uint32_t	id;
	bool		any = false;

	while (bgp_nlri_next(it, &p, &id)) {
		if (!any)
			fprintf(f, "  %s:", what);
		any = true;
		fprintf(f, " %s", prefix_fmt(&p, buf, sizeof(buf)));
		if (it->addpath)
			fprintf(f, " path %u", id);
	}
	if (any)
		fputc('\n', f);
}

static void
print_u32_pairs(FILE *f, const uint8_t *p, size_t n)
{
	size_t	i;

	for (i = 0; i + 4 <= n; i += 4)
		fprintf(f, " %u:%u", get_u16(p + i), get_u16(p + i + 2));
}

static void
print_ipv4(FILE *f, uint32_t v)
{
	fprintf(f, "%u.%u.%u.%u", v >> 24, (v >> 16) & 0xff, (v >> 8) & 0xff,
	    v & 0xff);
}

void
bgp_update_print(FILE *f, const struct bgp_update *u)
{
	struct bgp_aspath_iter	 ai;
	struct bgp_nlri_iter	 ni;
	struct bgp_raw_iter	 ri;
	struct bgp_raw_attr	 ra;
	char			 a1[IPADDR_STRLEN], a2[IPADDR_STRLEN];
	size_t			 i;

	fputs("UPDATE\n", f);
	if (u->eor)
		fprintf(f, "  End-of-RIB %s unicast\n",
		    u->eor_aid == BGP_AID_IPV6 ? "IPv6" : "IPv4");
	bgp_nlri_iter_unreach(&ni, u);
	print_nlri(f, "withdrawn", &ni);
	if (bgp_update_has(u, BGP_ATTR_ORIGIN))
		fprintf(f, "  ORIGIN: %s\n", origin_name(u->origin));
	if (bgp_update_has(u, BGP_ATTR_AS_PATH)) {
		fputs("  AS_PATH: ", f);
		bgp_aspath_iter_update(&ai, u);
		print_aspath(f, &ai);
		fputc('\n', f);
	}
	if (bgp_update_has(u, BGP_ATTR_NEXT_HOP))
		fprintf(f, "  NEXT_HOP: %s\n",
		    ipaddr_fmt(&u->nexthop, a1, sizeof(a1)));
	if (bgp_update_has(u, BGP_ATTR_MED))
		fprintf(f, "  MULTI_EXIT_DISC: %u\n", u->med);
	if (bgp_update_has(u, BGP_ATTR_LOCAL_PREF))
		fprintf(f, "  LOCAL_PREF: %u\n", u->local_pref);
	if (bgp_update_has(u, BGP_ATTR_ATOMIC_AGGREGATE))
		fputs("  ATOMIC_AGGREGATE\n", f);
	if (bgp_update_has(u, BGP_ATTR_AGGREGATOR)) {
		fprintf(f, "  AGGREGATOR: %u ", u->aggr_as);
		print_ipv4(f, u->aggr_id);
		fputc('\n', f);
	}
	if (bgp_update_has(u, BGP_ATTR_COMMUNITIES)) {
		fputs("  COMMUNITIES:", f);
		print_u32_pairs(f, u->communities.p, u->communities.n);
		fputc('\n', f);
	}
	if (bgp_update_has(u, BGP_ATTR_ORIGINATOR_ID)) {
		fputs("  ORIGINATOR_ID: ", f);
		print_ipv4(f, u->originator_id);
		fputc('\n', f);
	}
	if (bgp_update_has(u, BGP_ATTR_CLUSTER_LIST)) {
		fputs("  CLUSTER_LIST:", f);
		for (i = 0; i + 4 <= u->cluster_list.n; i += 4) {
			fputc(' ', f);
			print_ipv4(f, get_u32(u->cluster_list.p + i));
		}
		fputc('\n', f);
	}
	if (bgp_update_has(u, BGP_ATTR_LARGE_COMMUNITY)) {
		fputs("  LARGE_COMMUNITY:", f);
		for (i = 0; i + 12 <= u->large_communities.n; i += 12)
			fprintf(f, " %u:%u:%u",
			    get_u32(u->large_communities.p + i),
			    get_u32(u->large_communities.p + i + 4),
			    get_u32(u->large_communities.p + i + 8));
		fputc('\n', f);
	}
	if (u->mp_reach.aid != BGP_AID_MAX) {
		fprintf(f, "  MP_REACH_NLRI: %s next hop %s",
		    u->mp_reach.aid == BGP_AID_IPV6 ? "IPv6" : "IPv4",
		    ipaddr_fmt(&u->mp_nexthop, a1, sizeof(a1)));
		if (u->mp_nexthop_ll.family != 0)
			fprintf(f, " %s",
			    ipaddr_fmt(&u->mp_nexthop_ll, a2, sizeof(a2)));
		fputc('\n', f);
	}
	if (u->mp_unreach.aid != BGP_AID_MAX)
		fprintf(f, "  MP_UNREACH_NLRI: %s\n",
		    u->mp_unreach.aid == BGP_AID_IPV6 ? "IPv6" : "IPv4");
	bgp_raw_iter_init(&ri, u);
	while (bgp_raw_next(&ri, u, &ra))
		fprintf(f, "  %s (type %u, flags 0x%02x, %u bytes)\n",
		    bgp_attr_name(ra.type), ra.type, ra.flags, ra.len);
	bgp_nlri_iter_reach(&ni, u);
	print_nlri(f, "announced", &ni);
}

/* Attribute sets. */

int
bgp_attr_set_from_update(struct bgp_attr_set *a, const struct bgp_update *u,
    enum bgp_aid aid)
{
	struct bgp_aspath_iter	 ai;
	struct bgp_asseg	 s;
	struct bgp_raw_iter	 ri;
	struct bgp_raw_attr	 ra;
	uint8_t			*asp = NULL, *raw = NULL, *q;
	uint32_t		*comm = NULL, *cl = NULL;
	struct bgp_lcomm	*lc = NULL;
	size_t			 n, i, bound;

	memset(a, 0, sizeof(*a));
	a->origin = u->origin;
	if (aid == BGP_AID_IPV4 && u->mp_reach.aid != BGP_AID_IPV4) {
		if (bgp_update_has(u, BGP_ATTR_NEXT_HOP))
			a->nexthop = u->nexthop;
	} else if (u->mp_reach.aid == aid) {
		a->nexthop = u->mp_nexthop;
		a->nexthop_ll = u->mp_nexthop_ll;
	}
	if (bgp_update_has(u, BGP_ATTR_MED)) {
		a->flags |= BGP_AS_MED;
		a->med = u->med;
	}
	if (bgp_update_has(u, BGP_ATTR_LOCAL_PREF)) {
		a->flags |= BGP_AS_LOCAL_PREF;
		a->local_pref = u->local_pref;
	}
	if (bgp_update_has(u, BGP_ATTR_ATOMIC_AGGREGATE))
		a->flags |= BGP_AS_ATOMIC_AGGR;
	if (bgp_update_has(u, BGP_ATTR_AGGREGATOR)) {
		a->flags |= BGP_AS_AGGREGATOR;
		a->aggr_as = u->aggr_as;
		a->aggr_id = u->aggr_id;
	}
	if (bgp_update_has(u, BGP_ATTR_ORIGINATOR_ID)) {
		a->flags |= BGP_AS_ORIGINATOR_ID;
		a->originator_id = u->originator_id;
	}

	/* 2-octet numbers double in size; AS4_PATH is 4-octet already */
	bound = u->aspath.n * (4 / (u->aspath_asz ? u->aspath_asz : 4)) +
	    u->as4path.n;
	if (bound > 0) {
		if ((asp = malloc(bound)) == NULL)
			goto fail;
		q = asp;
		bgp_aspath_iter_update(&ai, u);
		while (bgp_aspath_next(&ai, &s)) {
			if (s.count == 0)
				continue;
			*q++ = s.type;
			*q++ = s.count;
			for (i = 0; i < s.count; i++) {
				uint32_t v = bgp_asseg_asn(&s, (unsigned)i);

				*q++ = (uint8_t)(v >> 24);
				*q++ = (uint8_t)(v >> 16);
				*q++ = (uint8_t)(v >> 8);
				*q++ = (uint8_t)v;
			}
		}
		a->aspath = asp;
		a->aspath_len = (size_t)(q - asp);
	}
	if ((n = u->communities.n / 4) > 0) {
		if ((comm = calloc(n, sizeof(*comm))) == NULL)
			goto fail;
		for (i = 0; i < n; i++)
			comm[i] = get_u32(u->communities.p + 4 * i);
		a->communities = comm;
		a->ncommunities = n;
	}
	if ((n = u->large_communities.n / 12) > 0) {
		if ((lc = calloc(n, sizeof(*lc))) == NULL)
			goto fail;
		for (i = 0; i < n; i++) {
			lc[i].global = get_u32(u->large_communities.p + 12 * i);
			lc[i].local1 = get_u32(u->large_communities.p +
			    12 * i + 4);
			lc[i].local2 = get_u32(u->large_communities.p +
			    12 * i + 8);
		}
		a->lcomms = lc;
		a->nlcomms = n;
	}
	if ((n = u->cluster_list.n / 4) > 0) {
		if ((cl = calloc(n, sizeof(*cl))) == NULL)
			goto fail;
		for (i = 0; i < n; i++)
			cl[i] = get_u32(u->cluster_list.p + 4 * i);
		a->cluster_list = cl;
		a->ncluster = n;
	}
	n = 0;
	bgp_raw_iter_init(&ri, u);
	while (bgp_raw_next(&ri, u, &ra))
		n += 4 + ra.len;
	if (n > 0) {
		if ((raw = malloc(n)) == NULL)
			goto fail;
		q = raw;
		bgp_raw_iter_init(&ri, u);
		while (bgp_raw_next(&ri, u, &ra)) {
			*q++ = ra.flags;
			*q++ = ra.type;
			*q++ = (uint8_t)(ra.len >> 8);
			*q++ = (uint8_t)ra.len;
			memcpy(q, ra.val, ra.len);
			q += ra.len;
		}
		a->raw = raw;
		a->raw_len = n;
	}
	return 0;

fail:
	free(asp);
	free(comm);
	free(lc);
	free(cl);
	free(raw);
	memset(a, 0, sizeof(*a));
	return -1;
}

void
bgp_attr_set_fini(struct bgp_attr_set *a)
{
	free((void *)a->aspath);
	free((void *)a->communities);
	free((void *)a->lcomms);
	free((void *)a->cluster_list);
	free((void *)a->raw);
	memset(a, 0, sizeof(*a));
}

static bool
ipaddr_same(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family &&
	    memcmp(a->addr, b->addr, sizeof(a->addr)) == 0;
}

static bool
arr_same(const void *a, const void *b, size_t n)
{
	return n == 0 || memcmp(a, b, n) == 0;
}

/* Fields a flag says are absent take no part in equality or hashing. */
bool
bgp_attr_set_eq(const struct bgp_attr_set *a, const struct bgp_attr_set *b)
{
	uint32_t	f = a->flags;

	if (f != b->flags || a->origin != b->origin ||
	    !ipaddr_same(&a->nexthop, &b->nexthop) ||
	    !ipaddr_same(&a->nexthop_ll, &b->nexthop_ll))
		return false;
	if ((f & BGP_AS_MED) && a->med != b->med)
		return false;
	if ((f & BGP_AS_LOCAL_PREF) && a->local_pref != b->local_pref)
		return false;
	if ((f & BGP_AS_AGGREGATOR) &&
	    (a->aggr_as != b->aggr_as || a->aggr_id != b->aggr_id))
		return false;
	if ((f & BGP_AS_ORIGINATOR_ID) && a->originator_id != b->originator_id)
		return false;
	return a->aspath_len == b->aspath_len &&
	    a->ncommunities == b->ncommunities &&
	    a->nlcomms == b->nlcomms && a->ncluster == b->ncluster &&
	    a->raw_len == b->raw_len &&
	    arr_same(a->aspath, b->aspath, a->aspath_len) &&
	    arr_same(a->communities, b->communities,
	    a->ncommunities * sizeof(uint32_t)) &&
	    arr_same(a->lcomms, b->lcomms,
	    a->nlcomms * sizeof(struct bgp_lcomm)) &&
	    arr_same(a->cluster_list, b->cluster_list,
	    a->ncluster * sizeof(uint32_t)) &&
	    arr_same(a->raw, b->raw, a->raw_len);
}

/* FNV-1a, fed field by field so padding never counts. */
static uint32_t
hash_bytes(uint32_t h, const void *p, size_t n)
{
	const uint8_t	*b = p;
	size_t		 i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t
hash_u32(uint32_t h, uint32_t v)
{
	return hash_bytes(h, &v, sizeof(v));
}

uint32_t
bgp_attr_set_hash(const struct bgp_attr_set *a)
{
	uint32_t	h = 2166136261u;

	h = hash_u32(h, a->flags);
	h = hash_u32(h, a->origin);
	h = hash_u32(h, a->nexthop.family);
	h = hash_bytes(h, a->nexthop.addr, sizeof(a->nexthop.addr));
	h = hash_u32(h, a->nexthop_ll.family);
	h = hash_bytes(h, a->nexthop_ll.addr, sizeof(a->nexthop_ll.addr));
	if (a->flags & BGP_AS_MED)
		h = hash_u32(h, a->med);
	if (a->flags & BGP_AS_LOCAL_PREF)
		h = hash_u32(h, a->local_pref);
	if (a->flags & BGP_AS_AGGREGATOR) {
		h = hash_u32(h, a->aggr_as);
		h = hash_u32(h, a->aggr_id);
	}
	if (a->flags & BGP_AS_ORIGINATOR_ID)
		h = hash_u32(h, a->originator_id);
	h = hash_u32(h, (uint32_t)a->aspath_len);
	if (a->aspath_len)
		h = hash_bytes(h, a->aspath, a->aspath_len);
	h = hash_u32(h, (uint32_t)a->ncommunities);
	if (a->ncommunities)
		h = hash_bytes(h, a->communities,
		    a->ncommunities * sizeof(uint32_t));
	h = hash_u32(h, (uint32_t)a->nlcomms);
	if (a->nlcomms)
		h = hash_bytes(h, a->lcomms,
		    a->nlcomms * sizeof(struct bgp_lcomm));
	h = hash_u32(h, (uint32_t)a->ncluster);
	if (a->ncluster)
		h = hash_bytes(h, a->cluster_list,
		    a->ncluster * sizeof(uint32_t));
	h = hash_u32(h, (uint32_t)a->raw_len);
	if (a->raw_len)
		h = hash_bytes(h, a->raw, a->raw_len);
	return h;
}

unsigned
bgp_attr_aspath_count(const struct bgp_attr_set *a)
{
	struct bgp_aspath_iter	it;
	struct bgp_asseg	s;
	unsigned		n = 0;

	bgp_aspath_iter_raw(&it, a->aspath, a->aspath_len, 4);
	while (bgp_aspath_next(&it, &s)) {
		if (s.type == BGP_ASSEG_SEQUENCE)
			n += s.count;
		else if (s.type == BGP_ASSEG_SET)
			n++;
	}
	return n;
}

void
bgp_attr_set_print(FILE *f, const struct bgp_attr_set *a)
{
	struct bgp_aspath_iter	 ai;
	char			 buf[IPADDR_STRLEN];
	size_t			 i;

	fprintf(f, "origin %s as-path \"", origin_name(a->origin));
	bgp_aspath_iter_raw(&ai, a->aspath, a->aspath_len, 4);
	print_aspath(f, &ai);
	fputc('"', f);
	if (a->nexthop.family != 0)
		fprintf(f, " next-hop %s",
		    ipaddr_fmt(&a->nexthop, buf, sizeof(buf)));
	if (a->nexthop_ll.family != 0)
		fprintf(f, " %s", ipaddr_fmt(&a->nexthop_ll, buf, sizeof(buf)));
	if (a->flags & BGP_AS_MED)
		fprintf(f, " med %u", a->med);
	if (a->flags & BGP_AS_LOCAL_PREF)
		fprintf(f, " local-pref %u", a->local_pref);
	if (a->flags & BGP_AS_ATOMIC_AGGR)
		fputs(" atomic-aggregate", f);
	if (a->flags & BGP_AS_AGGREGATOR) {
		fprintf(f, " aggregator %u ", a->aggr_as);
		print_ipv4(f, a->aggr_id);
	}
	for (i = 0; i < a->ncommunities; i++)
		fprintf(f, "%s%u:%u", i ? " " : " communities ",
		    a->communities[i] >> 16, a->communities[i] & 0xffff);
	for (i = 0; i < a->nlcomms; i++)
		fprintf(f, "%s%u:%u:%u", i ? " " : " large-communities ",
		    a->lcomms[i].global, a->lcomms[i].local1,
		    a->lcomms[i].local2);
	if (a->flags & BGP_AS_ORIGINATOR_ID) {
		fputs(" originator-id ", f);
		print_ipv4(f, a->originator_id);
	}
	for (i = 0; i < a->ncluster; i++) {
		fputs(i ? " " : " cluster-list ", f);
		print_ipv4(f, a->cluster_list[i]);
	}
	fputc('\n', f);
}

/* The intern table: chained buckets, a power of two, grown at load 1. */

struct bgp_attr_table {
	struct bgp_attr_set	**b;
	size_t			  nb;
	size_t			  count;
};

#define TABLE_MIN	64

struct bgp_attr_table *
bgp_attr_table_new(void)
{
	struct bgp_attr_table	*t;

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	if ((t->b = calloc(TABLE_MIN, sizeof(*t->b))) == NULL) {
		free(t);
		return NULL;
	}
	t->nb = TABLE_MIN;
	return t;
}

void
bgp_attr_table_free(struct bgp_attr_table *t)
{
	struct bgp_attr_set	*a, *next;
	size_t			 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nb; i++)
		for (a = t->b[i]; a != NULL; a = next) {
			next = a->hnext;
			free(a);
		}
	free(t->b);
	free(t);
}

size_t
bgp_attr_table_count(const struct bgp_attr_table *t)
{
	return t->count;
}

/* Failing to grow only makes chains longer. */
static void
table_grow(struct bgp_attr_table *t)
{
	struct bgp_attr_set	**nb, *a, *next;
	size_t			  n = t->nb * 2, i;

	if ((nb = calloc(n, sizeof(*nb))) == NULL)
		return;
	for (i = 0; i < t->nb; i++)
		for (a = t->b[i]; a != NULL; a = next) {
			next = a->hnext;
			a->hnext = nb[a->hash & (n - 1)];
			nb[a->hash & (n - 1)] = a;
		}
	free(t->b);
	t->b = nb;
	t->nb = n;
}

/* One allocation per set: the struct, then its arrays, widest first. */
static struct bgp_attr_set *
set_copy(const struct bgp_attr_set *tmpl)
{
	struct bgp_attr_set	*a;
	size_t			 n32, nlc, sz;
	uint8_t			*q;

	n32 = (tmpl->ncommunities + tmpl->ncluster) * sizeof(uint32_t);
	nlc = tmpl->nlcomms * sizeof(struct bgp_lcomm);
	sz = sizeof(*a) + n32 + nlc + tmpl->aspath_len + tmpl->raw_len;
	if ((a = malloc(sz)) == NULL)
		return NULL;
	*a = *tmpl;
	q = (uint8_t *)(a + 1);
#define TAKE(field, len) do {						\
	if ((len) > 0) {						\
		memcpy(q, tmpl->field, (len));				\
		a->field = (void *)q;					\
		q += (len);						\
	} else								\
		a->field = NULL;					\
} while (0)
	TAKE(communities, tmpl->ncommunities * sizeof(uint32_t));
	TAKE(cluster_list, tmpl->ncluster * sizeof(uint32_t));
	TAKE(lcomms, nlc);
	TAKE(aspath, tmpl->aspath_len);
	TAKE(raw, tmpl->raw_len);
#undef TAKE
	return a;
}

const struct bgp_attr_set *
bgp_attr_intern(struct bgp_attr_table *t, const struct bgp_attr_set *tmpl)
{
	struct bgp_attr_set	*a;
	uint32_t		 h = bgp_attr_set_hash(tmpl);

	for (a = t->b[h & (t->nb - 1)]; a != NULL; a = a->hnext)
		if (a->hash == h && bgp_attr_set_eq(a, tmpl)) {
			a->refcnt++;
			return a;
		}
	if ((a = set_copy(tmpl)) == NULL)
		return NULL;
	a->hash = h;
	a->refcnt = 1;
	a->table = t;
	a->hnext = t->b[h & (t->nb - 1)];
	t->b[h & (t->nb - 1)] = a;
	if (++t->count > t->nb)
		table_grow(t);
	return a;
}

const struct bgp_attr_set *
bgp_attr_ref(const struct bgp_attr_set *ca)
{
	struct bgp_attr_set	*a = (struct bgp_attr_set *)ca;

	a->refcnt++;
	return a;
}

void
bgp_attr_unref(const struct bgp_attr_set *ca)
{
	struct bgp_attr_set	*a = (struct bgp_attr_set *)ca, **pp;
	struct bgp_attr_table	*t;

	if (a == NULL || --a->refcnt > 0)
		return;
	t = a->table;
	for (pp = &t->b[a->hash & (t->nb - 1)]; *pp != NULL;
	    pp = &(*pp)->hnext)
		if (*pp == a) {
			*pp = a->hnext;
			t->count--;
			break;
		}
	free(a);
}

/* Encoding. */

/* Extended Length only where the value needs it (RFC 4271 4.3). */
static void
put_attr_hdr(struct wbuf *w, uint8_t flags, uint8_t type, size_t len)
{
	flags &= BGP_ATTRF_OPTIONAL | BGP_ATTRF_TRANSITIVE | BGP_ATTRF_PARTIAL;
	if (len > UINT16_MAX) {
		w->err = true;
		return;
	}
	if (len > UINT8_MAX) {
		wbuf_put_u8(w, flags | BGP_ATTRF_EXTLEN);
		wbuf_put_u8(w, type);
		wbuf_put_u16(w, (uint16_t)len);
	} else {
		wbuf_put_u8(w, flags);
		wbuf_put_u8(w, type);
		wbuf_put_u8(w, (uint8_t)len);
	}
}

/*
 * The AS path for a 2-octet peer (RFC 6793 4.2.2): numbers above 65535
 * become AS_TRANS; as4 selects the AS4_PATH form instead, which leaves
 * out confederation segments. Returns the value length; writes when w is
 * not NULL. *wide tells whether any number needed 4 octets.
 */
static size_t
aspath_put_old(struct wbuf *w, const struct bgp_attr_set *a, bool as4,
    bool *wide)
{
	struct bgp_aspath_iter	it;
	struct bgp_asseg	s;
	size_t			len = 0;
	unsigned		i;
	uint32_t		v;

	bgp_aspath_iter_raw(&it, a->aspath, a->aspath_len, 4);
	while (bgp_aspath_next(&it, &s)) {
		if (as4 && (s.type == BGP_ASSEG_CONFED_SEQUENCE ||
		    s.type == BGP_ASSEG_CONFED_SET))
			continue;
		len += 2 + (size_t)s.count * (as4 ? 4 : 2);
		if (w != NULL) {
			wbuf_put_u8(w, s.type);
			wbuf_put_u8(w, s.count);
		}
		for (i = 0; i < s.count; i++) {
			v = bgp_asseg_asn(&s, i);
			if (v > UINT16_MAX && wide != NULL)
				*wide = true;
			if (w == NULL)
				continue;
			if (as4)
				wbuf_put_u32(w, v);
			else
				wbuf_put_u16(w, v > UINT16_MAX ?
				    BGP_AS_TRANS : (uint16_t)v);
		}
	}
	return len;
}

static void
put_u32s(struct wbuf *w, uint8_t flags, uint8_t type, const uint32_t *v,
    size_t n)
{
	size_t	i;

	put_attr_hdr(w, flags, type, n * 4);
	for (i = 0; i < n; i++)
		wbuf_put_u32(w, v[i]);
}

/* Every attribute but MP_*, in type code order, raw ones last. */
static void
encode_attrs(struct wbuf *w, const struct bgp_attr_set *a,
    const struct bgp_peer_ctx *ctx, bool nexthop)
{
	const uint8_t	*r, *end;
	bool		 ibgp = !ctx->ebgp, wide = false, big_aggr;
	size_t		 vlen;

	put_attr_hdr(w, F_WK, BGP_ATTR_ORIGIN, 1);
	wbuf_put_u8(w, a->origin);
	if (ctx->as4) {
		put_attr_hdr(w, F_WK, BGP_ATTR_AS_PATH, a->aspath_len);
		wbuf_put_bytes(w, a->aspath, a->aspath_len);
	} else {
		put_attr_hdr(w, F_WK, BGP_ATTR_AS_PATH,
		    aspath_put_old(NULL, a, false, &wide));
		aspath_put_old(w, a, false, NULL);
	}
	if (nexthop) {
		put_attr_hdr(w, F_WK, BGP_ATTR_NEXT_HOP, 4);
		wbuf_put_bytes(w, a->nexthop.addr, 4);
	}
	if (a->flags & BGP_AS_MED) {
		put_attr_hdr(w, F_OPT, BGP_ATTR_MED, 4);
		wbuf_put_u32(w, a->med);
	}
	/* RFC 4271 5.1.5: LOCAL_PREF is not sent to external peers */
	if (ibgp && (a->flags & BGP_AS_LOCAL_PREF)) {
		put_attr_hdr(w, F_WK, BGP_ATTR_LOCAL_PREF, 4);
		wbuf_put_u32(w, a->local_pref);
	}
	if (a->flags & BGP_AS_ATOMIC_AGGR)
		put_attr_hdr(w, F_WK, BGP_ATTR_ATOMIC_AGGREGATE, 0);
	big_aggr = (a->flags & BGP_AS_AGGREGATOR) && a->aggr_as > UINT16_MAX;
	if (a->flags & BGP_AS_AGGREGATOR) {
		put_attr_hdr(w, F_OPT_T, BGP_ATTR_AGGREGATOR, ctx->as4 ? 8 : 6);
		if (ctx->as4)
			wbuf_put_u32(w, a->aggr_as);
		else
			wbuf_put_u16(w, big_aggr ? BGP_AS_TRANS :
			    (uint16_t)a->aggr_as);
		wbuf_put_u32(w, a->aggr_id);
	}
	if (a->ncommunities > 0)
		put_u32s(w, F_OPT_T, BGP_ATTR_COMMUNITIES, a->communities,
		    a->ncommunities);
	/* RFC 4456 8: reflection attributes stay inside the AS */
	if (ibgp && (a->flags & BGP_AS_ORIGINATOR_ID)) {
		put_attr_hdr(w, F_OPT, BGP_ATTR_ORIGINATOR_ID, 4);
		wbuf_put_u32(w, a->originator_id);
	}
	if (ibgp && a->ncluster > 0)
		put_u32s(w, F_OPT, BGP_ATTR_CLUSTER_LIST, a->cluster_list,
		    a->ncluster);
	/* RFC 6793 4.2.2: AS4_PATH only when some number needs it */
	if (!ctx->as4 && wide) {
		put_attr_hdr(w, F_OPT_T, BGP_ATTR_AS4_PATH,
		    aspath_put_old(NULL, a, true, NULL));
		aspath_put_old(w, a, true, NULL);
	}
	if (!ctx->as4 && big_aggr) {
		put_attr_hdr(w, F_OPT_T, BGP_ATTR_AS4_AGGREGATOR, 8);
		wbuf_put_u32(w, a->aggr_as);
		wbuf_put_u32(w, a->aggr_id);
	}
	if (a->nlcomms > 0) {
		size_t	i;

		put_attr_hdr(w, F_OPT_T, BGP_ATTR_LARGE_COMMUNITY,
		    a->nlcomms * 12);
		for (i = 0; i < a->nlcomms; i++) {
			wbuf_put_u32(w, a->lcomms[i].global);
			wbuf_put_u32(w, a->lcomms[i].local1);
			wbuf_put_u32(w, a->lcomms[i].local2);
		}
	}
	r = a->raw;
	end = r + a->raw_len;
	while (r != NULL && end - r >= 4) {
		vlen = get_u16(r + 2);
		if ((size_t)(end - r - 4) < vlen) {
			w->err = true;
			break;
		}
		put_attr_hdr(w, r[0], r[1], vlen);
		wbuf_put_bytes(w, r + 4, vlen);
		r += 4 + vlen;
	}
}

/* Appends prefixes while the body stays within limit; returns how many. */
static size_t
put_prefixes(struct wbuf *w, size_t start, size_t limit, int family, bool ap,
    const struct prefix *pfx, const uint32_t *ids, size_t n)
{
	size_t	i, nb, need;

	for (i = 0; i < n; i++) {
		if (pfx[i].family != family)
			break;
		nb = prefix_bytes(pfx[i].len);
		need = (ap ? 4 : 0) + 1 + nb;
		if (w->len - start + need > limit)
			break;
		if (ap)
			wbuf_put_u32(w, ids != NULL ? ids[i] : 0);
		wbuf_put_u8(w, pfx[i].len);
		wbuf_put_bytes(w, pfx[i].addr, nb);
		if (w->err)
			break;
	}
	return i;
}

static size_t
body_max(size_t max, const struct bgp_peer_ctx *ctx)
{
	return max != 0 ? max : bgp_msg_max(ctx) - BGP_HDR_LEN;
}

/* MP_* header with Extended Length, so its length can be patched. */
static size_t
put_mp_hdr(struct wbuf *w, uint8_t type, enum bgp_aid aid)
{
	size_t	off;

	wbuf_put_u8(w, BGP_ATTRF_OPTIONAL | BGP_ATTRF_EXTLEN);
	wbuf_put_u8(w, type);
	off = w->len;
	wbuf_put_u16(w, 0);
	wbuf_put_u16(w, bgp_aid_afi(aid));
	wbuf_put_u8(w, BGP_SAFI_UNICAST);
	return off;
}

static int
patch_len(struct wbuf *w, size_t off)
{
	if (w->err || w->len - off - 2 > UINT16_MAX)
		return -1;
	return wbuf_patch_u16(w, off, (uint16_t)(w->len - off - 2));
}

int
bgp_update_pack_reach(struct wbuf *w, size_t max,
    const struct bgp_peer_ctx *ctx, enum bgp_aid aid,
    const struct bgp_attr_set *a, const struct prefix *pfx,
    const uint32_t *ids, size_t n, size_t *done)
{
	struct wbuf	 s;
	size_t		 start = w->len, aoff, moff, i = 0;
	int		 family;
	bool		 ap;

	*done = 0;
	if (aid >= BGP_AID_MAX || n == 0)
		return -1;
	family = bgp_aid_family(aid);
	ap = (ctx->addpath_tx >> aid) & 1;
	max = body_max(max, ctx);
	/* a route needs a next hop of its own family */
	if (a->nexthop.family != family)
		return -1;
	wbuf_put_u16(w, 0);
	aoff = w->len;
	wbuf_put_u16(w, 0);
	if (aid == BGP_AID_IPV4) {
		encode_attrs(w, a, ctx, true);
		if (patch_len(w, aoff) == -1 || w->len - start > max)
			goto fail;
		i = put_prefixes(w, start, max, family, ap, pfx, ids, n);
	} else {
		/* RFC 7606 5.1: MP_REACH_NLRI goes first, so the other
		 * attributes are sized beforehand */
		wbuf_init(&s, UINT16_MAX);
		encode_attrs(&s, a, ctx, false);
		if (s.err || s.len > max) {
			wbuf_fini(&s);
			goto fail;
		}
		moff = put_mp_hdr(w, BGP_ATTR_MP_REACH_NLRI, aid);
		wbuf_put_u8(w, a->nexthop_ll.family == AF_INET6 ? 32 : 16);
		wbuf_put_bytes(w, a->nexthop.addr, 16);
		if (a->nexthop_ll.family == AF_INET6)
			wbuf_put_bytes(w, a->nexthop_ll.addr, 16);
		wbuf_put_u8(w, 0);	/* reserved, RFC 4760 3 */
		i = put_prefixes(w, start, max - s.len, family, ap, pfx, ids,
		    n);
		if (patch_len(w, moff) == -1) {
			wbuf_fini(&s);
			goto fail;
		}
		wbuf_put_bytes(w, s.p, s.len);
		wbuf_fini(&s);
		if (patch_len(w, aoff) == -1)
			goto fail;
	}
	if (w->err || i == 0 || w->len - start > max)
		goto fail;
	*done = i;
	return 0;
fail:
	w->len = start;
	return -1;
}

int
bgp_update_pack_unreach(struct wbuf *w, size_t max,
    const struct bgp_peer_ctx *ctx, enum bgp_aid aid,
    const struct prefix *pfx, const uint32_t *ids, size_t n, size_t *done)
{
	size_t	start = w->len, off, moff, i;
	int	family;
	bool	ap;

	*done = 0;
	if (aid >= BGP_AID_MAX || n == 0)
		return -1;
	family = bgp_aid_family(aid);
	ap = (ctx->addpath_tx >> aid) & 1;
	max = body_max(max, ctx);
	/* the two length fields at least */
	if (max < 4)
		return -1;
	if (aid == BGP_AID_IPV4) {
		off = w->len;
		wbuf_put_u16(w, 0);
		/* room for the empty Total Path Attribute Length */
		i = put_prefixes(w, start, max - 2, family, ap, pfx, ids, n);
		if (patch_len(w, off) == -1)
			goto fail;
		wbuf_put_u16(w, 0);
	} else {
		wbuf_put_u16(w, 0);
		off = w->len;
		wbuf_put_u16(w, 0);
		moff = put_mp_hdr(w, BGP_ATTR_MP_UNREACH_NLRI, aid);
		i = put_prefixes(w, start, max, family, ap, pfx, ids, n);
		if (patch_len(w, moff) == -1 || patch_len(w, off) == -1)
			goto fail;
	}
	if (w->err || i == 0 || w->len - start > max)
		goto fail;
	*done = i;
	return 0;
fail:
	w->len = start;
	return -1;
}

int
bgp_update_encode_eor(struct wbuf *w, enum bgp_aid aid)
{
	wbuf_put_u16(w, 0);
	if (aid == BGP_AID_IPV4) {
		/* RFC 4724 2: an UPDATE with nothing in it */
		wbuf_put_u16(w, 0);
	} else {
		/* an empty MP_UNREACH_NLRI as the only attribute */
		wbuf_put_u16(w, 6);
		put_attr_hdr(w, F_OPT, BGP_ATTR_MP_UNREACH_NLRI, 3);
		wbuf_put_u16(w, bgp_aid_afi(aid));
		wbuf_put_u8(w, BGP_SAFI_UNICAST);
	}
	return w->err ? -1 : 0;
}
