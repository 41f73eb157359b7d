/*
 * policy: which routes podbgpd takes from a peer and which it announces to
 * one, with the communities it attaches, and the max-prefix limit.
 *
 * Pure: the glue passes the configuration (borrowed) and the node's facts
 * (copied): its own pod CIDRs, its addresses, its connected subnets, and in
 * route-reflector mode the pod CIDRs and addresses of every node. Nothing
 * here logs; each rejection has a reason, counted per peer.
 *
 * Import, first failing step decides (podbgpd.yaml(5), Filters):
 *  0. loops, whatever the prefix and the rules: our AS in any AS_PATH
 *     segment (RFC 4271 9.1.2), ORIGINATOR_ID equal to our router ID or
 *     our cluster ID in CLUSTER_LIST (RFC 4456 8);
 *  1. safety (not for the default route): a route that overlaps this node's
 *     pod CIDRs, contains one of its addresses or overlaps a connected
 *     subnet is refused, whatever the rules say;
 *  2. the default route is refused unless the filter has allow-default;
 *  3. from a node peer: the route must be a pod CIDR of that node (in
 *     route-reflector mode, of any known node) with that node's address as
 *     next hop;
 *  4. the rules, in order: the first that matches accepts or rejects;
 *  5. built-in: accepted inside cluster-cidrs, or if it is the default
 *     route (step 2 let it through); otherwise refused.
 *
 * Export (policy_export): see the table in policy.c and podbgpd.yaml(5).
 */
#ifndef PODBGP_POLICY_H
#define PODBGP_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "bgp_attr.h"
#include "conf.h"
#include "prefix.h"

/* Why a route was refused (import) or not announced (export). */
enum policy_reason {
	POLICY_OK = 0,
	POLICY_NOT_IN_CLUSTER,		/* import, built-in */
	POLICY_DEFAULT_NOT_ALLOWED,	/* allow-default is false */
	POLICY_COVERS_OWN_ADDR,
	POLICY_OVERLAPS_OWN_CIDR,
	POLICY_OVERLAPS_CONNECTED,
	POLICY_NODE_NOT_POD_CIDR,
	POLICY_NODE_BAD_NEXTHOP,
	POLICY_RULE_REJECT,
	POLICY_MAX_PREFIX,		/* over the limit (policy_prefix_add) */
	POLICY_EXP_NOT_OWN,		/* export, built-in: not our pod CIDR */
	POLICY_EXP_IBGP,		/* node route to a node, unreflected */
	POLICY_EXP_NO_ADVERTISE,	/* RFC 1997 well-known community */
	POLICY_EXP_NO_EXPORT,		/* RFC 1997, towards another AS */
	POLICY_AS_LOOP,			/* import: our AS in AS_PATH */
	POLICY_ORIGINATOR_LOOP,		/* ORIGINATOR_ID: our router ID */
	POLICY_CLUSTER_LOOP,		/* our cluster ID in CLUSTER_LIST */
	POLICY_REASON_MAX
};

/* A short lower-case phrase ("not in cluster CIDRs"); never NULL. */
const char	*policy_reason_name(enum policy_reason r);

enum policy_peer_kind {
	POLICY_PEER_EXTERNAL = 0,	/* listed under peers: ToR, router */
	POLICY_PEER_NODE,		/* another node: full mesh or RR */
};

/* What podbgpd knows of a node from the API: owned arrays. */
struct policy_node {
	struct prefix	*cidrs;		/* its pod CIDRs */
	size_t		 ncidrs;
	struct ipaddr	*addrs;		/* its InternalIPs: valid next hops */
	size_t		 naddrs;
};

/*
 * One peer. Counters are since policy_peer_init; prefixes is what the
 * session holds now (policy_prefix_add/del).
 */
struct policy_peer {
	enum policy_peer_kind	 kind;
	const struct conf_peer	*conf;		/* borrowed; NULL: no filters,
						 * no limit, no communities */
	bool			 rr_client;	/* node peer this node reflects
						 * for (RFC 4456 client) */
	struct policy_node	 node;		/* POLICY_PEER_NODE only */

	uint64_t		 accepted;	/* announcements accepted */
	uint64_t		 rejected[POLICY_REASON_MAX];
	uint32_t		 prefixes;	/* accepted prefixes held */
	bool			 over_limit;	/* since last session_down */

	/* export scratch: the arrays of the last template made */
	uint32_t		*scomm;
	size_t			 scomm_cap;
	struct bgp_lcomm	*slcomm;
	size_t			 slcomm_cap;
	uint8_t			*saspath;
	size_t			 saspath_cap;
	uint32_t		*scluster;
	size_t			 scluster_cap;
};

struct policy_ctx;

/*
 * A context for conf (borrowed: call policy_set_conf after a reload before
 * freeing the old one). Node facts start empty. NULL if out of memory.
 */
struct policy_ctx	*policy_ctx_new(const struct conf *conf);
/* policy_ctx_free(NULL) is a no-op. */
void			 policy_ctx_free(struct policy_ctx *ctx);
void			 policy_set_conf(struct policy_ctx *ctx,
			    const struct conf *conf);

/*
 * Node facts, copied. Each returns 1 if the set changed (the glue must then
 * run the Adj-RIB-In through policy_import again), 0 if not, -1 if out of
 * memory (the old set is kept). Order does not matter.
 */
int	policy_set_pod_cidrs(struct policy_ctx *ctx, const struct prefix *p,
	    size_t n);
int	policy_set_addrs(struct policy_ctx *ctx, const struct ipaddr *a,
	    size_t n);
int	policy_set_connected(struct policy_ctx *ctx, const struct prefix *p,
	    size_t n);
/* Every node of the cluster, for route-reflector mode. */
int	policy_set_nodes(struct policy_ctx *ctx,
	    const struct policy_node *nodes, size_t n);
/* Whether this node is a route reflector now (its label). */
void	policy_set_reflector(struct policy_ctx *ctx, bool reflector);
/* This node's AS (bgp.asn or its annotation); for NO_EXPORT. */
void	policy_set_asn(struct policy_ctx *ctx, uint32_t asn);
/*
 * This node's BGP identifier and route-reflector cluster ID, host order,
 * for the RFC 4456 loop checks; 0 is unset. An unset cluster ID is the
 * router ID (RFC 4456 7); with both unset neither check applies.
 */
void	policy_set_router_id(struct policy_ctx *ctx, uint32_t id);
void	policy_set_cluster_id(struct policy_ctx *ctx, uint32_t id);

/* conf is borrowed and may be NULL; replace it with policy_peer_set_conf. */
void	policy_peer_init(struct policy_peer *pp, enum policy_peer_kind kind,
	    const struct conf_peer *conf);
void	policy_peer_set_conf(struct policy_peer *pp,
	    const struct conf_peer *conf);
/* The node behind a node peer, copied; 1 changed, 0 same, -1 no memory. */
int	policy_peer_set_node(struct policy_peer *pp, const struct prefix *cidrs,
	    size_t ncidrs, const struct ipaddr *addrs, size_t naddrs);
void	policy_peer_fini(struct policy_peer *pp);

/*
 * Import of one announced prefix with its attributes (a may be NULL: no
 * next hop). Returns true to accept; else *why (may be NULL) holds the
 * reason, also counted in pp->rejected. Withdrawals need no policy.
 */
bool	policy_import(struct policy_ctx *ctx, struct policy_peer *pp,
	    const struct prefix *p, const struct bgp_attr_set *a,
	    enum policy_reason *why);

/* policy_import's verdict alone: POLICY_OK or why not (not counted). */
enum policy_reason	policy_import_check(const struct policy_ctx *ctx,
			    const struct policy_peer *pp,
			    const struct prefix *p,
			    const struct bgp_attr_set *a);
/*
 * Max-prefix. The glue calls policy_prefix_add when a prefix accepted by
 * policy_import is new in the peer's Adj-RIB-In, policy_prefix_del when one
 * leaves it, policy_peer_session_down when the session ends. Above
 * conf->max_prefixes, add returns true and fills *lim (if not NULL): send
 * NOTIFICATION(code, subcode, data), close, and connect again after
 * lim->restart seconds (0: stay down until an operator restarts it).
 */
struct policy_limit {
	uint8_t		 code;		/* BGP_ERR_CEASE */
	uint8_t		 subcode;	/* BGP_ERR_CEASE_MAX_PREFIX */
	uint8_t		 data[7];	/* RFC 4486 4: AFI, SAFI, the limit */
	size_t		 datalen;
	uint32_t	 restart;	/* seconds; 0: stay down */
};

bool	policy_prefix_add(struct policy_peer *pp, enum bgp_aid aid,
	    struct policy_limit *lim);
void	policy_prefix_del(struct policy_peer *pp);
void	policy_peer_session_down(struct policy_peer *pp);

/* Where a route to export comes from. */
enum policy_origin {
	POLICY_ORIGIN_OWN = 0,		/* this node's pod CIDR */
	POLICY_ORIGIN_NODE,		/* learned from a node peer */
	POLICY_ORIGIN_EXTERNAL,		/* learned from an external peer */
};

struct policy_route {
	const struct prefix	*prefix;
	enum policy_origin	 origin;
	bool			 from_rr_client; /* NODE: learned from a peer
						  * with rr_client set */
	bool			 from_ibgp;	/* learned over iBGP */
	uint32_t		 src_id;	/* learned: the sender's BGP
						 * Identifier, host order */
};

/*
 * Export of route r with attributes a (borrowed, not changed) to pp.
 * Returns 1 to send it with the attributes in *out, 0 not to (*why, may be
 * NULL, says why), -1 if out of memory. *out is a template: a's fields with
 * the peer's communities and large communities merged in, sorted, without
 * duplicates; its arrays are a's or pp's scratch, valid until the next
 * policy_export to pp or policy_peer_fini: intern or encode it before.
 *
 * A learned route (origin not OWN) is also made ready for the peer: to
 * another AS our AS is prepended and MED dropped (RFC 4271 5.1.2, 5.1.4;
 * the next hop is the caller's, who sets its own address); within the AS
 * LOCAL_PREF is kept, or 100 for a route learned over eBGP; a reflected
 * route gets ORIGINATOR_ID (the sender's, if it had none) and our cluster
 * ID in front of CLUSTER_LIST (RFC 4456 8). A learned route is never sent
 * from one iBGP peer to another except by a reflector.
 */
int	policy_export(const struct policy_ctx *ctx, struct policy_peer *pp,
	    const struct policy_route *r, const struct bgp_attr_set *a,
	    struct bgp_attr_set *out, enum policy_reason *why);

/* policy_export's verdict alone: POLICY_OK or why not (not counted). */
enum policy_reason	policy_export_check(const struct policy_ctx *ctx,
			    const struct policy_peer *pp,
			    const struct policy_route *r,
			    const struct bgp_attr_set *a);

/*
 * Whether any learned route could be exported to pp at all (a reflector's
 * node peer, a peer whose export filter has an accept rule); false lets
 * the glue skip the peer when the Loc-RIB changes.
 */
bool	policy_exports_learned(const struct policy_ctx *ctx,
	    const struct policy_peer *pp);
/*
 * Whether a learned route for prefix p could be exported to pp; when it
 * could, a prefix that is no longer exported must be withdrawn.
 */
bool	policy_export_possible(const struct policy_ctx *ctx,
	    const struct policy_peer *pp, const struct prefix *p);

#endif
