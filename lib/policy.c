/*
 * policy: import and export decisions, max-prefix counting, communities.
 *
 * Must not: log, keep globals, touch an interned attribute set. The safety
 * checks come before the operator's rules on purpose: a rule written for a
 * ToR must never let a peer steer this node's own traffic away.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "policy.h"

/* RFC 1997 well-known communities. */
#define COMM_NO_EXPORT		0xffffff01U
#define COMM_NO_ADVERTISE	0xffffff02U
#define COMM_NO_EXPORT_SUBCONFED 0xffffff03U

struct policy_ctx {
	const struct conf	*conf;
	uint32_t		 asn;
	uint32_t		 router_id;	/* 0: unset */
	uint32_t		 cluster_id;	/* 0: the router ID */
	bool			 reflector;
	struct prefix		*pod;
	size_t			 npod;
	struct ipaddr		*addrs;
	size_t			 naddrs;
	struct prefix		*conn;
	size_t			 nconn;
	struct policy_node	*nodes;
	size_t			 nnodes;
};

static const char *const reason_names[POLICY_REASON_MAX] = {
	[POLICY_OK] = "ok",
	[POLICY_NOT_IN_CLUSTER] = "not in cluster CIDRs",
	[POLICY_DEFAULT_NOT_ALLOWED] = "default route not allowed",
	[POLICY_COVERS_OWN_ADDR] = "covers own address",
	[POLICY_OVERLAPS_OWN_CIDR] = "overlaps own pod CIDR",
	[POLICY_OVERLAPS_CONNECTED] = "overlaps connected subnet",
	[POLICY_NODE_NOT_POD_CIDR] = "node peer: not its pod CIDR",
	[POLICY_NODE_BAD_NEXTHOP] = "node peer: next hop is not the node",
	[POLICY_RULE_REJECT] = "rule reject",
	[POLICY_MAX_PREFIX] = "max-prefix",
	[POLICY_EXP_NOT_OWN] = "not this node's pod CIDR",
	[POLICY_EXP_IBGP] = "learned over iBGP, not reflected",
	[POLICY_EXP_NO_ADVERTISE] = "no-advertise community",
	[POLICY_EXP_NO_EXPORT] = "no-export community",
	[POLICY_AS_LOOP] = "AS path loop",
	[POLICY_ORIGINATOR_LOOP] = "originator is this router",
	[POLICY_CLUSTER_LOOP] = "cluster list loop",
};

const char *
policy_reason_name(enum policy_reason r)
{
	if ((unsigned)r >= POLICY_REASON_MAX)
		return "unknown";
	return reason_names[r];
}

struct policy_ctx *
policy_ctx_new(const struct conf *conf)
{
	struct policy_ctx	*ctx;

	if ((ctx = calloc(1, sizeof(*ctx))) == NULL)
		return NULL;
	policy_set_conf(ctx, conf);
	return ctx;
}

static void
node_fini(struct policy_node *n)
{
	free(n->cidrs);
	free(n->addrs);
	memset(n, 0, sizeof(*n));
}

static void
nodes_free(struct policy_node *nodes, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		node_fini(&nodes[i]);
	free(nodes);
}

void
policy_ctx_free(struct policy_ctx *ctx)
{
	if (ctx == NULL)
		return;
	free(ctx->pod);
	free(ctx->addrs);
	free(ctx->conn);
	nodes_free(ctx->nodes, ctx->nnodes);
	free(ctx);
}

void
policy_set_conf(struct policy_ctx *ctx, const struct conf *conf)
{
	ctx->conf = conf;
	if (conf != NULL)
		ctx->asn = conf->asn;
}

void
policy_set_reflector(struct policy_ctx *ctx, bool reflector)
{
	ctx->reflector = reflector;
}

void
policy_set_asn(struct policy_ctx *ctx, uint32_t asn)
{
	ctx->asn = asn;
}

void
policy_set_router_id(struct policy_ctx *ctx, uint32_t id)
{
	ctx->router_id = id;
}

void
policy_set_cluster_id(struct policy_ctx *ctx, uint32_t id)
{
	ctx->cluster_id = id;
}

/*
 * Replaces *dst (n_dst elements of size sz) with a copy of src. 1 if the
 * contents changed, 0 if not, -1 if out of memory (dst untouched).
 */
static int
set_array(void *dstp, size_t *ndst, const void *src, size_t n, size_t sz)
{
	void	**dst = dstp;
	void	 *copy = NULL;

	if (n == *ndst && (n == 0 || memcmp(*dst, src, n * sz) == 0))
		return 0;
	if (n > 0) {
		if ((copy = calloc(n, sz)) == NULL)
			return -1;
		memcpy(copy, src, n * sz);
	}
	free(*dst);
	*dst = copy;
	*ndst = n;
	return 1;
}

int
policy_set_pod_cidrs(struct policy_ctx *ctx, const struct prefix *p,
    size_t n)
{
	return set_array(&ctx->pod, &ctx->npod, p, n, sizeof(*p));
}

int
policy_set_addrs(struct policy_ctx *ctx, const struct ipaddr *a, size_t n)
{
	return set_array(&ctx->addrs, &ctx->naddrs, a, n, sizeof(*a));
}

int
policy_set_connected(struct policy_ctx *ctx, const struct prefix *p,
    size_t n)
{
	return set_array(&ctx->conn, &ctx->nconn, p, n, sizeof(*p));
}

static int
node_copy(struct policy_node *dst, const struct prefix *cidrs,
    size_t ncidrs, const struct ipaddr *addrs, size_t naddrs)
{
	memset(dst, 0, sizeof(*dst));
	if (set_array(&dst->cidrs, &dst->ncidrs, cidrs, ncidrs,
	    sizeof(*cidrs)) == -1 ||
	    set_array(&dst->addrs, &dst->naddrs, addrs, naddrs,
	    sizeof(*addrs)) == -1) {
		node_fini(dst);
		return -1;
	}
	return 0;
}

/* Whether n holds exactly these CIDRs and addresses, in this order. */
static bool
node_same(const struct policy_node *n, const struct prefix *cidrs,
    size_t ncidrs, const struct ipaddr *addrs, size_t naddrs)
{
	return n->ncidrs == ncidrs && n->naddrs == naddrs &&
	    (ncidrs == 0 ||
	    memcmp(n->cidrs, cidrs, ncidrs * sizeof(*cidrs)) == 0) &&
	    (naddrs == 0 ||
	    memcmp(n->addrs, addrs, naddrs * sizeof(*addrs)) == 0);
}

int
policy_set_nodes(struct policy_ctx *ctx, const struct policy_node *nodes,
    size_t n)
{
	struct policy_node	*copy;
	size_t			 i;

	if (n == ctx->nnodes) {
		for (i = 0; i < n && node_same(&ctx->nodes[i], nodes[i].cidrs,
		    nodes[i].ncidrs, nodes[i].addrs, nodes[i].naddrs); i++)
			continue;
		if (i == n)
			return 0;
	}
	copy = NULL;
	if (n > 0) {
		if ((copy = calloc(n, sizeof(*copy))) == NULL)
			return -1;
		for (i = 0; i < n; i++)
			if (node_copy(&copy[i], nodes[i].cidrs,
			    nodes[i].ncidrs, nodes[i].addrs,
			    nodes[i].naddrs) == -1) {
				nodes_free(copy, i);
				return -1;
			}
	}
	nodes_free(ctx->nodes, ctx->nnodes);
	ctx->nodes = copy;
	ctx->nnodes = n;
	return 1;
}

void
policy_peer_init(struct policy_peer *pp, enum policy_peer_kind kind,
    const struct conf_peer *conf)
{
	memset(pp, 0, sizeof(*pp));
	pp->kind = kind;
	pp->conf = conf;
}

void
policy_peer_set_conf(struct policy_peer *pp, const struct conf_peer *conf)
{
	pp->conf = conf;
}

int
policy_peer_set_node(struct policy_peer *pp, const struct prefix *cidrs,
    size_t ncidrs, const struct ipaddr *addrs, size_t naddrs)
{
	struct policy_node	 copy;

	if (node_same(&pp->node, cidrs, ncidrs, addrs, naddrs))
		return 0;
	if (node_copy(&copy, cidrs, ncidrs, addrs, naddrs) == -1)
		return -1;
	node_fini(&pp->node);
	pp->node = copy;
	return 1;
}

void
policy_peer_fini(struct policy_peer *pp)
{
	node_fini(&pp->node);
	free(pp->scomm);
	free(pp->slcomm);
	free(pp->saspath);
	free(pp->scluster);
	pp->scomm = NULL;
	pp->slcomm = NULL;
	pp->saspath = NULL;
	pp->scluster = NULL;
	pp->scomm_cap = pp->slcomm_cap = 0;
	pp->saspath_cap = pp->scluster_cap = 0;
}

static bool
is_default(const struct prefix *p)
{
	return p->len == 0;
}

/*
 * Step 0 of import: a route that has been here already. Every segment
 * type counts, confederation ones too: podbgpd is in no confederation, so
 * its AS there can only mean the route went round.
 */
static enum policy_reason
loops(const struct policy_ctx *ctx, const struct bgp_attr_set *a)
{
	struct bgp_aspath_iter	 it;
	struct bgp_asseg	 seg;
	uint32_t		 cid;
	unsigned		 i;
	size_t			 j;

	if (a == NULL)
		return POLICY_OK;
	if (ctx->asn != 0) {
		bgp_aspath_iter_raw(&it, a->aspath, a->aspath_len, 4);
		while (bgp_aspath_next(&it, &seg))
			for (i = 0; i < seg.count; i++)
				if (bgp_asseg_asn(&seg, i) == ctx->asn)
					return POLICY_AS_LOOP;
	}
	if ((a->flags & BGP_AS_ORIGINATOR_ID) && ctx->router_id != 0 &&
	    a->originator_id == ctx->router_id)
		return POLICY_ORIGINATOR_LOOP;
	cid = ctx->cluster_id != 0 ? ctx->cluster_id : ctx->router_id;
	if (cid != 0)
		for (j = 0; j < a->ncluster; j++)
			if (a->cluster_list[j] == cid)
				return POLICY_CLUSTER_LOOP;
	return POLICY_OK;
}

/* Step 1 of import: what no rule may override. */
static enum policy_reason
safety(const struct policy_ctx *ctx, const struct prefix *p)
{
	size_t	i;

	for (i = 0; i < ctx->npod; i++)
		if (prefix_overlaps(p, &ctx->pod[i]))
			return POLICY_OVERLAPS_OWN_CIDR;
	for (i = 0; i < ctx->naddrs; i++)
		if (prefix_contains_addr(p, &ctx->addrs[i]))
			return POLICY_COVERS_OWN_ADDR;
	for (i = 0; i < ctx->nconn; i++)
		if (prefix_overlaps(p, &ctx->conn[i]))
			return POLICY_OVERLAPS_CONNECTED;
	return POLICY_OK;
}

/*
 * How node n relates to route p with next hop nh: POLICY_OK if p is one of
 * its pod CIDRs and nh one of its addresses, POLICY_NODE_BAD_NEXTHOP if
 * only the first holds, POLICY_NODE_NOT_POD_CIDR otherwise.
 */
static enum policy_reason
node_match(const struct policy_node *n, const struct prefix *p,
    const struct ipaddr *nh)
{
	size_t	i;

	for (i = 0; i < n->ncidrs; i++)
		if (prefix_eq(&n->cidrs[i], p))
			break;
	if (i == n->ncidrs)
		return POLICY_NODE_NOT_POD_CIDR;
	if (nh == NULL)
		return POLICY_NODE_BAD_NEXTHOP;
	for (i = 0; i < n->naddrs; i++)
		if (ipaddr_cmp(&n->addrs[i], nh) == 0)
			return POLICY_OK;
	return POLICY_NODE_BAD_NEXTHOP;
}

/*
 * Step 3: in full mesh a node announces only its own pod CIDRs; through a
 * reflector (RFC 4456 keeps the next hop) any node's, with its next hop.
 */
static enum policy_reason
node_check(const struct policy_ctx *ctx, const struct policy_peer *pp,
    const struct prefix *p, const struct ipaddr *nh)
{
	enum policy_reason	r, best;
	size_t			i;

	if ((best = node_match(&pp->node, p, nh)) == POLICY_OK)
		return POLICY_OK;
	if (ctx->conf == NULL || ctx->conf->mesh_mode != CONF_MESH_RR)
		return best;
	for (i = 0; i < ctx->nnodes; i++) {
		if ((r = node_match(&ctx->nodes[i], p, nh)) == POLICY_OK)
			return POLICY_OK;
		if (r == POLICY_NODE_BAD_NEXTHOP)
			best = r;
	}
	return best;
}

/* Step 4: 1 accept, 0 reject, -1 no rule matched. */
static int
rules_eval(const struct conf_filter *f, const struct prefix *p)
{
	const struct conf_rule	*r;
	size_t			 i;

	for (i = 0; i < f->nrules; i++) {
		r = &f->rules[i];
		if (prefix_contains(&r->prefix, p) && p->len >= r->ge &&
		    p->len <= r->le)
			return r->action == CONF_ACCEPT;
	}
	return -1;
}

static bool
in_cluster(const struct policy_ctx *ctx, const struct prefix *p)
{
	size_t	i;

	if (ctx->conf == NULL)
		return false;
	for (i = 0; i < ctx->conf->ncluster_cidrs; i++)
		if (prefix_contains(&ctx->conf->cluster_cidrs[i], p))
			return true;
	return false;
}

static enum policy_reason
import_eval(const struct policy_ctx *ctx, const struct policy_peer *pp,
    const struct prefix *p, const struct bgp_attr_set *a)
{
	const struct conf_filter	*f;
	const struct ipaddr		*nh;
	enum policy_reason		 r;
	int				 v;

	if ((r = loops(ctx, a)) != POLICY_OK)
		return r;
	f = pp->conf != NULL ? &pp->conf->import : NULL;
	if (is_default(p)) {
		if (f == NULL || !f->allow_default)
			return POLICY_DEFAULT_NOT_ALLOWED;
	} else if ((r = safety(ctx, p)) != POLICY_OK)
		return r;
	if (pp->kind == POLICY_PEER_NODE) {
		nh = a != NULL && a->nexthop.family != 0 ? &a->nexthop : NULL;
		if ((r = node_check(ctx, pp, p, nh)) != POLICY_OK)
			return r;
	}
	if (f != NULL && (v = rules_eval(f, p)) != -1)
		return v ? POLICY_OK : POLICY_RULE_REJECT;
	if (is_default(p) || in_cluster(ctx, p))
		return POLICY_OK;
	return POLICY_NOT_IN_CLUSTER;
}

bool
policy_import(struct policy_ctx *ctx, struct policy_peer *pp,
    const struct prefix *p, const struct bgp_attr_set *a,
    enum policy_reason *why)
{
	enum policy_reason	r;

	r = import_eval(ctx, pp, p, a);
	if (why != NULL)
		*why = r;
	if (r == POLICY_OK) {
		pp->accepted++;
		return true;
	}
	pp->rejected[r]++;
	return false;
}

enum policy_reason
policy_import_check(const struct policy_ctx *ctx, const struct policy_peer *pp,
    const struct prefix *p, const struct bgp_attr_set *a)
{
	return import_eval(ctx, pp, p, a);
}

bool
policy_prefix_add(struct policy_peer *pp, enum bgp_aid aid,
    struct policy_limit *lim)
{
	uint32_t	max;
	uint16_t	afi;

	if (pp->prefixes < UINT32_MAX)
		pp->prefixes++;
	if (pp->conf == NULL || (max = pp->conf->max_prefixes) == 0 ||
	    pp->prefixes <= max)
		return false;
	pp->rejected[POLICY_MAX_PREFIX]++;
	pp->over_limit = true;
	if (lim == NULL)
		return true;
	memset(lim, 0, sizeof(*lim));
	lim->code = BGP_ERR_CEASE;
	lim->subcode = BGP_ERR_CEASE_MAX_PREFIX;
	afi = bgp_aid_afi(aid);
	lim->data[0] = afi >> 8;
	lim->data[1] = afi & 0xff;
	lim->data[2] = 1;			/* SAFI unicast */
	lim->data[3] = max >> 24;
	lim->data[4] = (max >> 16) & 0xff;
	lim->data[5] = (max >> 8) & 0xff;
	lim->data[6] = max & 0xff;
	lim->datalen = afi != 0 ? sizeof(lim->data) : 0;
	lim->restart = pp->conf->max_prefixes_restart;
	return true;
}

void
policy_prefix_del(struct policy_peer *pp)
{
	if (pp->prefixes > 0)
		pp->prefixes--;
}

void
policy_peer_session_down(struct policy_peer *pp)
{
	pp->prefixes = 0;
	pp->over_limit = false;
}

static bool
has_comm(const struct bgp_attr_set *a, uint32_t c)
{
	size_t	i;

	for (i = 0; i < a->ncommunities; i++)
		if (a->communities[i] == c)
			return true;
	return false;
}

/* An external peer in another AS; nodes share ours. */
static bool
peer_ebgp(const struct policy_ctx *ctx, const struct policy_peer *pp)
{
	return pp->kind == POLICY_PEER_EXTERNAL && pp->conf != NULL &&
	    pp->conf->asn != ctx->asn;
}

static bool
reflecting(const struct policy_ctx *ctx)
{
	return ctx->conf != NULL && ctx->conf->mesh_mode == CONF_MESH_RR &&
	    ctx->reflector;
}

/*
 * Export, by where the route comes from and to whom (after no-advertise,
 * no-export and allow-default):
 *
 *   origin     to an external peer        to a node peer
 *   own        rules, else announced      announced, then rules
 *   node       rules, else not            reflector: if it came from a
 *                                         client or goes to one (RFC 4456
 *                                         8); else not (iBGP)
 *   external   rules, else not            not
 *
 * A learned route goes from an iBGP peer to another iBGP peer (an
 * external one in our AS) only by reflection, never to a listed peer.
 */
static enum policy_reason
export_eval(const struct policy_ctx *ctx, const struct policy_peer *pp,
    const struct policy_route *r, const struct bgp_attr_set *a)
{
	const struct conf_filter	*f;
	bool				 rr;
	int				 v;

	f = pp->conf != NULL ? &pp->conf->export : NULL;
	if (has_comm(a, COMM_NO_ADVERTISE))
		return POLICY_EXP_NO_ADVERTISE;
	if (pp->kind == POLICY_PEER_EXTERNAL && pp->conf != NULL &&
	    pp->conf->asn != ctx->asn &&
	    (has_comm(a, COMM_NO_EXPORT) ||
	    has_comm(a, COMM_NO_EXPORT_SUBCONFED)))
		return POLICY_EXP_NO_EXPORT;
	if (is_default(r->prefix) && (f == NULL || !f->allow_default))
		return POLICY_DEFAULT_NOT_ALLOWED;
	if (pp->kind == POLICY_PEER_NODE) {
		rr = reflecting(ctx);
		switch (r->origin) {
		case POLICY_ORIGIN_OWN:
			break;
		case POLICY_ORIGIN_NODE:
			if (!rr || (!r->from_rr_client && !pp->rr_client))
				return POLICY_EXP_IBGP;
			break;
		default:
			return POLICY_EXP_NOT_OWN;
		}
	} else if (r->origin != POLICY_ORIGIN_OWN && r->from_ibgp &&
	    !peer_ebgp(ctx, pp))
		return POLICY_EXP_IBGP;
	if (f != NULL && (v = rules_eval(f, r->prefix)) != -1)
		return v ? POLICY_OK : POLICY_RULE_REJECT;
	if (pp->kind == POLICY_PEER_NODE || r->origin == POLICY_ORIGIN_OWN)
		return POLICY_OK;
	return POLICY_EXP_NOT_OWN;
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t	x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_lcomm(const void *a, const void *b)
{
	const struct bgp_lcomm	*x = a, *y = b;

	if (x->global != y->global)
		return x->global < y->global ? -1 : 1;
	if (x->local1 != y->local1)
		return x->local1 < y->local1 ? -1 : 1;
	if (x->local2 != y->local2)
		return x->local2 < y->local2 ? -1 : 1;
	return 0;
}

/* Makes room for n elements of size sz in *buf; -1 if out of memory. */
static int
reserve(void *bufp, size_t *cap, size_t n, size_t sz)
{
	void	**buf = bufp;
	void	 *nb;

	if (n <= *cap)
		return 0;
	if (n > SIZE_MAX / sz || (nb = realloc(*buf, n * sz)) == NULL)
		return -1;
	*buf = nb;
	*cap = n;
	return 0;
}

/* Sorts n elements and drops repeats; returns the new count. */
static size_t
sort_uniq(void *base, size_t n, size_t sz,
    int (*cmp)(const void *, const void *))
{
	uint8_t	*b = base;
	size_t	 i, o;

	if (n < 2)
		return n;
	qsort(b, n, sz, cmp);
	for (i = 1, o = 1; i < n; i++)
		if (cmp(b + (o - 1) * sz, b + i * sz) != 0) {
			if (o != i)
				memcpy(b + o * sz, b + i * sz, sz);
			o++;
		}
	return o;
}

static int
attach(struct policy_peer *pp, const struct bgp_attr_set *a,
    struct bgp_attr_set *out)
{
	const struct conf_peer	*c = pp->conf;
	size_t			 i, n;

	*out = *a;
	out->hnext = NULL;
	out->table = NULL;
	out->hash = 0;
	out->refcnt = 0;
	if (c == NULL)
		return 0;
	if (c->ncommunities > 0) {
		n = a->ncommunities + c->ncommunities;
		if (reserve(&pp->scomm, &pp->scomm_cap, n,
		    sizeof(*pp->scomm)) == -1)
			return -1;
		if (a->ncommunities > 0)
			memcpy(pp->scomm, a->communities,
			    a->ncommunities * sizeof(*pp->scomm));
		for (i = 0; i < c->ncommunities; i++)
			pp->scomm[a->ncommunities + i] =
			    (uint32_t)c->communities[i].asn << 16 |
			    c->communities[i].value;
		out->communities = pp->scomm;
		out->ncommunities = sort_uniq(pp->scomm, n,
		    sizeof(*pp->scomm), cmp_u32);
	}
	if (c->nlarge_communities > 0) {
		n = a->nlcomms + c->nlarge_communities;
		if (reserve(&pp->slcomm, &pp->slcomm_cap, n,
		    sizeof(*pp->slcomm)) == -1)
			return -1;
		if (a->nlcomms > 0)
			memcpy(pp->slcomm, a->lcomms,
			    a->nlcomms * sizeof(*pp->slcomm));
		for (i = 0; i < c->nlarge_communities; i++) {
			pp->slcomm[a->nlcomms + i].global =
			    c->large_communities[i].global;
			pp->slcomm[a->nlcomms + i].local1 =
			    c->large_communities[i].local1;
			pp->slcomm[a->nlcomms + i].local2 =
			    c->large_communities[i].local2;
		}
		out->lcomms = pp->slcomm;
		out->nlcomms = sort_uniq(pp->slcomm, n, sizeof(*pp->slcomm),
		    cmp_lcomm);
	}
	return 0;
}

static void
put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Our AS in front of out's AS path, in pp's scratch. */
static int
prepend_as(const struct policy_ctx *ctx, struct policy_peer *pp,
    struct bgp_attr_set *out)
{
	const uint8_t	*old = out->aspath;
	size_t		 len = out->aspath_len, n;
	uint8_t		*p;

	if (reserve(&pp->saspath, &pp->saspath_cap, len + 6, 1) == -1)
		return -1;
	p = pp->saspath;
	if (len >= 2 && old[0] == BGP_ASSEG_SEQUENCE && old[1] < 255) {
		/* joins the first sequence */
		p[0] = BGP_ASSEG_SEQUENCE;
		p[1] = (uint8_t)(old[1] + 1);
		put_be32(p + 2, ctx->asn);
		memcpy(p + 6, old + 2, len - 2);
		n = len + 4;
	} else {
		p[0] = BGP_ASSEG_SEQUENCE;
		p[1] = 1;
		put_be32(p + 2, ctx->asn);
		if (len > 0)
			memcpy(p + 6, old, len);
		n = len + 6;
	}
	out->aspath = pp->saspath;
	out->aspath_len = n;
	return 0;
}

/* RFC 4456 8: ORIGINATOR_ID once, our cluster ID first in CLUSTER_LIST. */
static int
reflect(const struct policy_ctx *ctx, struct policy_peer *pp,
    const struct policy_route *r, struct bgp_attr_set *out)
{
	uint32_t	cid = ctx->cluster_id ? ctx->cluster_id : ctx->router_id;

	if (!(out->flags & BGP_AS_ORIGINATOR_ID)) {
		out->flags |= BGP_AS_ORIGINATOR_ID;
		out->originator_id = r->src_id;
	}
	if (reserve(&pp->scluster, &pp->scluster_cap, out->ncluster + 1,
	    sizeof(*pp->scluster)) == -1)
		return -1;
	pp->scluster[0] = cid;
	if (out->ncluster > 0)
		memcpy(pp->scluster + 1, out->cluster_list,
		    out->ncluster * sizeof(*pp->scluster));
	out->cluster_list = pp->scluster;
	out->ncluster++;
	return 0;
}

/* The changes RFC 4271 5.1 and RFC 4456 make to a learned route. */
static int
transform(const struct policy_ctx *ctx, struct policy_peer *pp,
    const struct policy_route *r, struct bgp_attr_set *out)
{
	if (r->origin == POLICY_ORIGIN_OWN)
		return 0;
	if (peer_ebgp(ctx, pp)) {
		out->flags &= ~(uint32_t)(BGP_AS_MED | BGP_AS_LOCAL_PREF |
		    BGP_AS_ORIGINATOR_ID);
		out->ncluster = 0;
		out->cluster_list = NULL;
		return prepend_as(ctx, pp, out);
	}
	if (!r->from_ibgp || !(out->flags & BGP_AS_LOCAL_PREF)) {
		out->flags |= BGP_AS_LOCAL_PREF;
		out->local_pref = 100;
	}
	if (pp->kind == POLICY_PEER_NODE && r->origin == POLICY_ORIGIN_NODE)
		return reflect(ctx, pp, r, out);
	return 0;
}

int
policy_export(const struct policy_ctx *ctx, struct policy_peer *pp,
    const struct policy_route *r, const struct bgp_attr_set *a,
    struct bgp_attr_set *out, enum policy_reason *why)
{
	enum policy_reason	rs;

	rs = export_eval(ctx, pp, r, a);
	if (why != NULL)
		*why = rs;
	if (rs != POLICY_OK)
		return 0;
	if (attach(pp, a, out) == -1 || transform(ctx, pp, r, out) == -1)
		return -1;
	return 1;
}

enum policy_reason
policy_export_check(const struct policy_ctx *ctx, const struct policy_peer *pp,
    const struct policy_route *r, const struct bgp_attr_set *a)
{
	return export_eval(ctx, pp, r, a);
}

static bool
has_accept_rule(const struct conf_filter *f)
{
	size_t	i;

	for (i = 0; i < f->nrules; i++)
		if (f->rules[i].action == CONF_ACCEPT)
			return true;
	return false;
}

bool
policy_exports_learned(const struct policy_ctx *ctx,
    const struct policy_peer *pp)
{
	if (pp->kind == POLICY_PEER_NODE)
		return reflecting(ctx);
	return pp->conf != NULL && has_accept_rule(&pp->conf->export);
}

bool
policy_export_possible(const struct policy_ctx *ctx,
    const struct policy_peer *pp, const struct prefix *p)
{
	const struct conf_filter	*f;

	if (pp->kind == POLICY_PEER_NODE)
		return reflecting(ctx);
	if (pp->conf == NULL)
		return false;
	f = &pp->conf->export;
	if (is_default(p) && !f->allow_default)
		return false;
	return rules_eval(f, p) == 1;
}
