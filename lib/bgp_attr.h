/*
 * bgp_attr: the UPDATE message body (withdrawn routes, path attributes,
 * NLRI) with the error verdicts of RFC 7606, its encoder, and interned
 * attribute sets.
 *
 * Decoding never allocates: struct bgp_update holds scalars and views into
 * the caller's message, already validated, so iterating them cannot fail.
 * An owned, canonical copy of a route's attributes is a struct
 * bgp_attr_set; equal sets are shared through a struct bgp_attr_table.
 */
#ifndef PODBGP_BGP_ATTR_H
#define PODBGP_BGP_ATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bgp.h"
#include "buf.h"
#include "prefix.h"

/* Path attribute type codes (IANA "BGP Path Attributes"). */
enum bgp_attr_type {
	BGP_ATTR_ORIGIN = 1,
	BGP_ATTR_AS_PATH = 2,
	BGP_ATTR_NEXT_HOP = 3,
	BGP_ATTR_MED = 4,
	BGP_ATTR_LOCAL_PREF = 5,
	BGP_ATTR_ATOMIC_AGGREGATE = 6,
	BGP_ATTR_AGGREGATOR = 7,
	BGP_ATTR_COMMUNITIES = 8,		/* RFC 1997 */
	BGP_ATTR_ORIGINATOR_ID = 9,		/* RFC 4456 */
	BGP_ATTR_CLUSTER_LIST = 10,		/* RFC 4456 */
	BGP_ATTR_MP_REACH_NLRI = 14,		/* RFC 4760 */
	BGP_ATTR_MP_UNREACH_NLRI = 15,		/* RFC 4760 */
	BGP_ATTR_EXT_COMMUNITIES = 16,		/* RFC 4360 */
	BGP_ATTR_AS4_PATH = 17,			/* RFC 6793 */
	BGP_ATTR_AS4_AGGREGATOR = 18,		/* RFC 6793 */
	BGP_ATTR_TRAFFIC_ENG = 24,		/* RFC 5543 */
	BGP_ATTR_IPV6_EXT_COMMUNITIES = 25,	/* RFC 5701 */
	BGP_ATTR_LARGE_COMMUNITY = 32,		/* RFC 8092 */
	BGP_ATTR_ATTR_SET = 128,		/* RFC 6368 */
};

/* Attribute Flags, RFC 4271 4.3; the low four bits are unused. */
#define BGP_ATTRF_OPTIONAL	0x80
#define BGP_ATTRF_TRANSITIVE	0x40
#define BGP_ATTRF_PARTIAL	0x20
#define BGP_ATTRF_EXTLEN	0x10

enum bgp_origin {
	BGP_ORIGIN_IGP = 0,
	BGP_ORIGIN_EGP = 1,
	BGP_ORIGIN_INCOMPLETE = 2,
};

enum bgp_asseg_type {
	BGP_ASSEG_SET = 1,
	BGP_ASSEG_SEQUENCE = 2,
	BGP_ASSEG_CONFED_SEQUENCE = 3,		/* RFC 5065 */
	BGP_ASSEG_CONFED_SET = 4,
};

/* A validated run of NLRI for one address family (a view). */
struct bgp_nlri_sec {
	const uint8_t	*p;
	size_t		 len;		/* bytes */
	size_t		 count;		/* prefixes */
	uint8_t		 aid;		/* enum bgp_aid */
	bool		 addpath;	/* each prefix has a 4-byte path ID */
};

/* One attribute kept raw (optional transitive ones podbgp passes on). */
struct bgp_raw_attr {
	uint8_t		 flags;		/* Partial set if unrecognised */
	uint8_t		 type;
	uint16_t	 len;
	const uint8_t	*val;
};

/*
 * A decoded UPDATE body. Views point into the decoded message and stay
 * valid as long as it does. Only attributes whose bit is set (see
 * bgp_update_has) are meaningful; malformed ones that RFC 7606 says to
 * discard are absent.
 */
struct bgp_update {
	uint8_t		 present[32];	/* bit per attribute type code */
	uint8_t		 keep[32];	/* raw attributes to pass on */
	struct buf	 attrs;		/* the well-formed part of the list */

	uint8_t		 origin;
	struct buf	 aspath;	/* AS_PATH segments */
	uint8_t		 aspath_asz;	/* 2 or 4 */
	uint16_t	 aspath_count;	/* path length, RFC 4271 9.1.2.2 */
	struct buf	 as4path;	/* AS4_PATH, when it is to be merged */
	bool		 as4_merge;	/* RFC 6793 4.2.3 applies */
	uint16_t	 as4_take;	/* leading ASNs of AS_PATH to keep */
	struct ipaddr	 nexthop;	/* NEXT_HOP */
	uint32_t	 med;
	uint32_t	 local_pref;
	uint32_t	 aggr_as;	/* AGGREGATOR (AS4_AGGREGATOR merged) */
	uint32_t	 aggr_id;
	struct buf	 communities;	/* 4-octet units */
	struct buf	 large_communities; /* 12-octet units */
	uint32_t	 originator_id;
	struct buf	 cluster_list;	/* 4-octet units */

	/* MP_REACH_NLRI for a family podbgp speaks */
	struct ipaddr	 mp_nexthop;
	struct ipaddr	 mp_nexthop_ll;	/* family 0 unless 32-byte next hop */
	struct bgp_nlri_sec mp_reach;	/* len 0 and aid BGP_AID_MAX if none */
	struct bgp_nlri_sec mp_unreach;
	struct bgp_nlri_sec withdrawn;	/* IPv4 Withdrawn Routes field */
	struct bgp_nlri_sec nlri;	/* IPv4 NLRI field */

	bool		 eor;		/* End-of-RIB, RFC 4724 2 */
	uint8_t		 eor_aid;	/* its family, when eor */
};

static inline bool
bgp_update_has(const struct bgp_update *u, unsigned type)
{
	return type < 256 && (u->present[type / 8] >> (type % 8)) & 1;
}

/*
 * Decodes an UPDATE body (the bytes after the 19-byte header). Returns the
 * verdict, also left in err with, for BGP_RESET, the NOTIFICATION code,
 * subcode and data; err->offset counts from the start of the message
 * (header included). For BGP_WITHDRAW the caller withdraws every prefix of
 * both iterators below; for BGP_ATTR_DISCARD the update is usable as is.
 * On BGP_RESET the contents of *u are unspecified.
 */
enum bgp_verdict	bgp_update_decode(const uint8_t *body, size_t len,
			    const struct bgp_peer_ctx *ctx,
			    struct bgp_update *u, struct bgp_err *err);

/* Number of prefixes announced (NLRI field and MP_REACH_NLRI). */
size_t	bgp_update_nreach(const struct bgp_update *u);
/* Number withdrawn (Withdrawn Routes field and MP_UNREACH_NLRI). */
size_t	bgp_update_nunreach(const struct bgp_update *u);

/*
 * NLRI iteration over validated sections. The iterator walks the IPv4
 * field first, then the MP attribute. nexthop is the next hop of the
 * section being walked (announced routes only; family 0 if none), and
 * nexthop_ll its IPv6 link-local companion (family 0 if none).
 */
struct bgp_nlri_iter {
	const uint8_t		*p;
	const uint8_t		*end;
	const struct bgp_nlri_sec *next;
	const struct ipaddr	*next_nh;
	const struct ipaddr	*nexthop;
	const struct ipaddr	*nexthop_ll;
	const struct ipaddr	*mp_ll;
	uint8_t			 family;
	bool			 addpath;
};

void	bgp_nlri_iter_reach(struct bgp_nlri_iter *it,
	    const struct bgp_update *u);
void	bgp_nlri_iter_unreach(struct bgp_nlri_iter *it,
	    const struct bgp_update *u);
/* One section only. */
void	bgp_nlri_iter_sec(struct bgp_nlri_iter *it,
	    const struct bgp_nlri_sec *sec);
/* Next canonical prefix (host bits masked) and path ID (0 without
 * add-path; path_id may be NULL). 1 if one was produced, 0 at the end. */
int	bgp_nlri_next(struct bgp_nlri_iter *it, struct prefix *p,
	    uint32_t *path_id);

/*
 * AS path segments. For an UPDATE from a 2-octet peer the iterator yields
 * the path rebuilt from AS_PATH and AS4_PATH (RFC 6793 4.2.3); AS numbers
 * are read with bgp_asseg_asn.
 */
struct bgp_asseg {
	uint8_t		 type;		/* enum bgp_asseg_type */
	uint8_t		 count;
	uint8_t		 asz;
	const uint8_t	*asns;
};

static inline uint32_t
bgp_asseg_asn(const struct bgp_asseg *s, unsigned i)
{
	return s->asz == 4 ? get_u32(s->asns + 4 * i) :
	    get_u16(s->asns + 2 * i);
}

struct bgp_aspath_iter {
	struct buf	 cur;
	struct buf	 as4;
	uint8_t		 asz;
	bool		 merge;
	bool		 in_as4;
	uint32_t	 take;
};

void	bgp_aspath_iter_update(struct bgp_aspath_iter *it,
	    const struct bgp_update *u);
/* Over segments already validated, e.g. bgp_attr_set.aspath (asz 4). */
void	bgp_aspath_iter_raw(struct bgp_aspath_iter *it, const uint8_t *p,
	    size_t len, uint8_t asz);
int	bgp_aspath_next(struct bgp_aspath_iter *it, struct bgp_asseg *seg);

/*
 * Raw attributes kept for passing on: unknown optional transitive ones
 * (with the Partial bit set, RFC 4271 5) and known ones podbgp does not
 * interpret (extended communities, ATTR_SET). First occurrence only.
 */
struct bgp_raw_iter {
	struct buf	 rest;
	uint8_t		 done[32];
};

void	bgp_raw_iter_init(struct bgp_raw_iter *it, const struct bgp_update *u);
int	bgp_raw_next(struct bgp_raw_iter *it, const struct bgp_update *u,
	    struct bgp_raw_attr *a);

/* Writes a readable dump of a decoded UPDATE to f. */
void	bgp_update_print(FILE *f, const struct bgp_update *u);
/* Attribute names for dumps; never NULL. */
const char	*bgp_attr_name(unsigned type);

/*
 * struct bgp_attr_set: the attributes of a route, owned and canonical.
 * A template is filled by the caller (arrays it owns) or by
 * bgp_attr_set_from_update (arrays to release with bgp_attr_set_fini);
 * bgp_attr_intern returns a shared, read-only copy.
 */
#define BGP_AS_MED		0x0001
#define BGP_AS_LOCAL_PREF	0x0002
#define BGP_AS_ATOMIC_AGGR	0x0004
#define BGP_AS_AGGREGATOR	0x0008
#define BGP_AS_ORIGINATOR_ID	0x0010

struct bgp_lcomm {
	uint32_t	 global;
	uint32_t	 local1;
	uint32_t	 local2;
};

struct bgp_attr_table;

struct bgp_attr_set {
	uint32_t	 flags;		/* BGP_AS_* */
	uint8_t		 origin;
	struct ipaddr	 nexthop;	/* NEXT_HOP or MP global next hop */
	struct ipaddr	 nexthop_ll;	/* IPv6 link-local, family 0 if none */
	uint32_t	 med;
	uint32_t	 local_pref;
	uint32_t	 aggr_as;
	uint32_t	 aggr_id;
	uint32_t	 originator_id;
	/* AS_PATH segments in wire form with 4-octet AS numbers */
	const uint8_t	*aspath;
	size_t		 aspath_len;
	const uint32_t	*communities;
	size_t		 ncommunities;
	const struct bgp_lcomm *lcomms;
	size_t		 nlcomms;
	const uint32_t	*cluster_list;
	size_t		 ncluster;
	/* raw attributes: repeated flags(1) type(1) length(2) value */
	const uint8_t	*raw;
	size_t		 raw_len;

	/* interning; ignored in templates */
	struct bgp_attr_set	*hnext;
	struct bgp_attr_table	*table;
	uint32_t	 hash;
	uint32_t	 refcnt;
};

/*
 * Fills tmpl with owned copies of u's attributes for routes of family
 * aid, the AS path rebuilt to 4-octet form. aid picks the next hop: for
 * IPv6 the MP_REACH_NLRI one (and link-local); for IPv4 the MP_REACH_NLRI
 * one if the attribute is for IPv4, else NEXT_HOP. -1 if out of memory.
 */
int	bgp_attr_set_from_update(struct bgp_attr_set *tmpl,
	    const struct bgp_update *u, enum bgp_aid aid);
/* Frees the arrays of a template made by bgp_attr_set_from_update. */
void	bgp_attr_set_fini(struct bgp_attr_set *tmpl);
bool	bgp_attr_set_eq(const struct bgp_attr_set *a,
	    const struct bgp_attr_set *b);
uint32_t	bgp_attr_set_hash(const struct bgp_attr_set *a);
/* Number of ASNs counted as in RFC 4271 9.1.2.2 (AS_SET counts one). */
unsigned	bgp_attr_aspath_count(const struct bgp_attr_set *a);
void	bgp_attr_set_print(FILE *f, const struct bgp_attr_set *a);

struct bgp_attr_table	*bgp_attr_table_new(void);
/* Frees the table and every set still in it: references die with it. */
void	bgp_attr_table_free(struct bgp_attr_table *t);
size_t	bgp_attr_table_count(const struct bgp_attr_table *t);
/* Shared copy equal to tmpl with one reference for the caller; NULL if
 * out of memory. */
const struct bgp_attr_set	*bgp_attr_intern(struct bgp_attr_table *t,
				    const struct bgp_attr_set *tmpl);
const struct bgp_attr_set	*bgp_attr_ref(const struct bgp_attr_set *a);
/* Drops a reference; the last one frees the set and removes it. */
void	bgp_attr_unref(const struct bgp_attr_set *a);

/*
 * Encoding. Each function appends one UPDATE body (no header) to w, at
 * most max bytes (0 means bgp_msg_max(ctx) - BGP_HDR_LEN). The pack
 * functions put as many of the n prefixes as fit and store that number in
 * *done; they return -1 (w->err set, or nothing fits) on failure. Path IDs
 * are written when ctx->addpath_tx has the family's bit (ids NULL: 0).
 * Towards eBGP peers LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST are left
 * out; the AS path is written as it is in the set (prepending is policy).
 */
int	bgp_update_pack_reach(struct wbuf *w, size_t max,
	    const struct bgp_peer_ctx *ctx, enum bgp_aid aid,
	    const struct bgp_attr_set *a, const struct prefix *pfx,
	    const uint32_t *ids, size_t n, size_t *done);
int	bgp_update_pack_unreach(struct wbuf *w, size_t max,
	    const struct bgp_peer_ctx *ctx, enum bgp_aid aid,
	    const struct prefix *pfx, const uint32_t *ids, size_t n,
	    size_t *done);
/* End-of-RIB marker, RFC 4724 2. */
int	bgp_update_encode_eor(struct wbuf *w, enum bgp_aid aid);

#endif
