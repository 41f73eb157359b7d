/*
 * rib: the prefix table, Adj-RIB-In, Loc-RIB and the decision process.
 *
 * One struct rib holds a path-compressed binary radix tree per address
 * family. Each prefix node carries the paths learned for it, one per
 * (peer, path ID) (RFC 7911 add-path gives a peer several), and the
 * result of the decision process of RFC 4271 9.1.2: the paths are kept
 * ordered so that the selected ones (best first, then its ECMP partners)
 * come first. The Adj-RIB-In of a peer is the set of its paths in the
 * tree; there is no second copy.
 *
 * The RIB is pure: no clock, no log, no kernel, no callbacks. It reports
 * every change of a prefix's selection as a change record the glue drains
 * with rib_changes_next() and then looks the prefix up.
 *
 * Views (struct rib_entry, struct rib_path pointers) stay valid until the
 * next call that modifies the RIB.
 *
 * Costs: insert, delete and lookups walk one root-to-prefix path (at most
 * 33 or 129 nodes, no rebalancing); the peer-wide and next-hop operations
 * walk the whole table. Memory: an IPv4 prefix with one path costs a
 * 32-byte node plus at most one 12-byte branching node (IPv6: 48 + 12),
 * from pools of fixed-size slots; more paths live in an array of 16
 * bytes a path. Attribute sets are shared through bgp_attr_intern.
 */
#ifndef PODBGP_RIB_H
#define PODBGP_RIB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp.h"
#include "bgp_attr.h"
#include "prefix.h"

/* Upper bound for rib_conf.max_paths. */
#define RIB_ECMP_MAX		64
/* Peer ids are 0 .. RIB_PEER_MAX - 1. */
#define RIB_PEER_MAX		65535

struct rib_conf {
	/* LOCAL_PREF for paths whose set has none (eBGP-learned, local) */
	uint32_t	default_local_pref;
	/* ECMP: most paths selected per prefix, 1 (no multipath) .. 64 */
	unsigned	max_paths;
	/* compare MED between paths from different neighbouring ASes */
	bool		always_compare_med;
	/* next hops never given to rib_nexthop_update count as reachable
	 * with IGP cost 0 (true), or as unreachable (false) */
	bool		nh_unknown_reachable;
};

/* Defaults: LOCAL_PREF 100, max_paths 1, MED per AS, unknown reachable. */
void	rib_conf_default(struct rib_conf *c);

/* Peer flags */
#define RIB_PEER_EBGP		0x01	/* external peer */
#define RIB_PEER_RR_CLIENT	0x02	/* route-reflector client (RFC 4456) */
#define RIB_PEER_LOCAL		0x04	/* this node's own routes */

/*
 * A peer as the decision process sees it. bgp_id is the BGP Identifier
 * as a number (192.0.2.1 is 0xc0000201), comparable with the
 * ORIGINATOR_ID of a struct bgp_attr_set.
 */
struct rib_peer {
	struct ipaddr	addr;
	uint32_t	as;
	uint32_t	bgp_id;
	uint8_t		flags;		/* RIB_PEER_* */
};

/* Path flags */
#define RIB_PF_STALE		0x01	/* graceful restart: not re-learned */
#define RIB_PF_NH_UNREACH	0x02	/* next hop unreachable, not feasible
					 * (kept up to date by the decision) */

/* One path of a prefix; 16 bytes. */
struct rib_path {
	const struct bgp_attr_set *attr;	/* the rib holds a reference */
	uint32_t	path_id;
	uint16_t	peer;
	uint8_t		flags;		/* RIB_PF_* */
	uint8_t		spare;
};

/* A prefix with its paths; paths[0 .. nbest) are selected, best first. */
struct rib_entry {
	struct prefix		 prefix;
	const struct rib_path	*paths;
	size_t			 npaths;
	size_t			 nbest;		/* 0: no feasible path */
};

struct rib;

/* New empty rib (conf NULL: defaults); NULL if out of memory. */
struct rib	*rib_new(const struct rib_conf *conf);
/* Frees everything and drops every attribute reference; NULL is a no-op.
 * Pending change records are discarded. */
void		 rib_free(struct rib *rib);

/*
 * Peers. rib_peer_add copies p and returns its id (the lowest free one),
 * -1 if out of memory or out of ids. rib_peer_remove withdraws the peer's
 * paths (change records follow) and frees the id.
 */
int		 rib_peer_add(struct rib *rib, const struct rib_peer *p);
void		 rib_peer_remove(struct rib *rib, unsigned peer);
/* NULL if no such peer; valid until the next rib_peer_add. */
const struct rib_peer	*rib_peer_get(const struct rib *rib, unsigned peer);
/* Paths the peer has in the family (its Adj-RIB-In size). */
size_t		 rib_peer_npaths(const struct rib *rib, unsigned peer,
		    enum bgp_aid aid);

/*
 * Paths. rib_path_add adds the path (peer, path_id) to prefix p or
 * replaces its attributes; the rib takes its own reference on attr, the
 * caller keeps its own. Re-adding clears RIB_PF_STALE. 0 on success, -1
 * if p is no IPv4/IPv6 prefix, the peer does not exist, or out of memory
 * (the rib is then unchanged).
 * rib_path_del returns 1 if the path was removed, 0 if there was none.
 */
int		 rib_path_add(struct rib *rib, const struct prefix *p,
		    unsigned peer, uint32_t path_id,
		    const struct bgp_attr_set *attr);
int		 rib_path_del(struct rib *rib, const struct prefix *p,
		    unsigned peer, uint32_t path_id);

/*
 * Peer-wide operations on one family, or all with aid BGP_AID_MAX; each
 * returns the number of paths affected. Peer down without graceful
 * restart: rib_peer_flush. Graceful restart (RFC 4724 4.2): mark_stale
 * when the session drops, re-learned paths lose the mark, sweep_stale on
 * End-of-RIB or when the stale timer fires.
 */
size_t		 rib_peer_flush(struct rib *rib, unsigned peer,
		    enum bgp_aid aid);
size_t		 rib_peer_mark_stale(struct rib *rib, unsigned peer,
		    enum bgp_aid aid);
size_t		 rib_peer_sweep_stale(struct rib *rib, unsigned peer,
		    enum bgp_aid aid);

/*
 * Next hops (RFC 4271 9.1.2.1). Sets whether nh is reachable and its IGP
 * cost, and re-runs the decision for every prefix with a path through it
 * (a walk of the whole table: next hops change rarely). Returns the number
 * of prefixes re-evaluated, -1 if out of memory (nothing changed).
 * rib_nexthop_clear makes nh unknown again (see nh_unknown_reachable).
 * Paths of RIB_PEER_LOCAL peers are always feasible.
 */
long		 rib_nexthop_update(struct rib *rib, const struct ipaddr *nh,
		    bool reachable, uint32_t igp_cost);
long		 rib_nexthop_clear(struct rib *rib, const struct ipaddr *nh);

/*
 * Lookups; 1 and *e filled if found, 0 if not. rib_lookup is exact and
 * finds any prefix with paths; the longest-prefix matches only consider
 * prefixes with a selected path: rib_match_addr the most specific one
 * containing a, rib_match the most specific containing p (p included).
 */
int		 rib_lookup(const struct rib *rib, const struct prefix *p,
		    struct rib_entry *e);
int		 rib_match_addr(const struct rib *rib, const struct ipaddr *a,
		    struct rib_entry *e);
int		 rib_match(const struct rib *rib, const struct prefix *p,
		    struct rib_entry *e);

/*
 * Ordered walks in prefix_cmp order, resumable: the cursor remembers the
 * last prefix (and path) returned, so a walk continues after it however
 * the table changed in between. Init the cursor for one family.
 */
struct rib_cursor {
	struct prefix	last;		/* last prefix returned */
	uint32_t	path_id;	/* rib_peer_dump_next: last path ID */
	uint8_t		state;		/* 0 fresh, 1 walking, 2 done */
};

void		 rib_cursor_init(struct rib_cursor *c, enum bgp_aid aid);
/* Next prefix with paths: 1 and *e filled, 0 at the end. */
int		 rib_dump_next(const struct rib *rib, struct rib_cursor *c,
		    struct rib_entry *e);
/* Next path of peer (by prefix, then path ID): 1 with *e the prefix and
 * *path the peer's path, 0 at the end. */
int		 rib_peer_dump_next(const struct rib *rib, unsigned peer,
		    struct rib_cursor *c, struct rib_entry *e,
		    const struct rib_path **path);

/*
 * Change records. Every change of a prefix's selected paths (best path,
 * ECMP set, or the attributes of a selected path) queues the prefix once
 * until drained. kind compares the state at the first change since the
 * last drain with the state now: ADD (nothing selected before), CHANGE,
 * REMOVE (nothing selected now); a prefix added and removed in between
 * gives no record. The glue looks the prefix up for the new selection.
 */
enum rib_change_kind {
	RIB_CHG_ADD = 1,
	RIB_CHG_CHANGE,
	RIB_CHG_REMOVE,
};

struct rib_change {
	struct prefix		prefix;
	uint8_t			kind;		/* enum rib_change_kind */
};

/* Moves up to max records into out; returns how many. */
size_t		 rib_changes_next(struct rib *rib, struct rib_change *out,
		    size_t max);
/* Prefixes queued (an upper bound of the records still to come). */
size_t		 rib_changes_pending(const struct rib *rib);
/* True once a record could not be queued for lack of memory (only the
 * peer-wide and next-hop operations can lose one): the glue must then
 * resynchronise from a full walk. Reading it clears it. */
bool		 rib_changes_lost(struct rib *rib);

/*
 * Explaining the decision: which step of RFC 4271 9.1.2 (with this
 * RIB's additions: own routes first, RFC 4456 9, path ID last) tells
 * paths a and b of one prefix apart. Returns < 0 if a is preferred, > 0
 * if b, 0 if neither (same path, both infeasible, or equal through every
 * step); *step is the deciding step, RIB_STEP_NONE for 0. Pure: it reads
 * the RIB's next-hop states. Pairwise, where decide() removes candidates
 * from the whole set: with MEDs compared only within a neighbouring AS a
 * third path can make the difference, and then the answer for the best
 * path and a loser may be "equal" or name a later step.
 */
enum rib_step {
	RIB_STEP_NONE = 0,
	RIB_STEP_NEXTHOP,	/* 9.1.2.1: reachable next hop */
	RIB_STEP_LOCAL,		/* this node's own route */
	RIB_STEP_LOCAL_PREF,	/* 9.1.2.1: degree of preference */
	RIB_STEP_AS_PATH,	/* 9.1.2.2 a) */
	RIB_STEP_ORIGIN,	/* b) */
	RIB_STEP_MED,		/* c) */
	RIB_STEP_EBGP,		/* d) */
	RIB_STEP_IGP,		/* e) */
	RIB_STEP_ROUTER_ID,	/* f), ORIGINATOR_ID per RFC 4456 9 */
	RIB_STEP_CLUSTER_LIST,	/* RFC 4456 9 */
	RIB_STEP_PEER_ADDR,	/* g) */
	RIB_STEP_PATH_ID,	/* add-path: deterministic */
	RIB_STEP_MAX
};

int		 rib_path_compare(const struct rib *rib,
		    const struct rib_path *a, const struct rib_path *b,
		    enum rib_step *step);
/* A short lower-case phrase ("lowest MED"); never NULL. */
const char	*rib_step_name(enum rib_step s);

/* Counters. */
enum rib_mtype {
	RIB_MT_NODE4,		/* IPv4 prefix nodes */
	RIB_MT_GLUE4,		/* IPv4 branching nodes without paths */
	RIB_MT_NODE6,
	RIB_MT_GLUE6,
	RIB_MT_PATHV,		/* path arrays of prefixes with > 1 path */
	RIB_MT_NEXTHOP,
	RIB_MT_PEER,
	RIB_MT_QUEUE,		/* change queue */
	RIB_MT_MAX
};

struct rib_mem {
	const char	*name;
	size_t		 count;		/* objects in use */
	size_t		 bytes;		/* bytes allocated for them */
};

/* Fills m[RIB_MT_MAX]; returns the total bytes. */
size_t		 rib_memory(const struct rib *rib, struct rib_mem *m);

struct rib_stats {
	size_t	prefixes;		/* prefixes with paths */
	size_t	active;			/* prefixes with a selected path */
	size_t	paths;
};

void		 rib_stats(const struct rib *rib, enum bgp_aid aid,
		    struct rib_stats *s);

#endif
