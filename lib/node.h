/*
 * node: the record of one cluster node, as both node sources (the
 * Kubernetes API and the static nodes file) produce it, and sets of them.
 *
 * A record holds what podbgp uses: the name, at most one pod CIDR per
 * address family (as Kubernetes' spec.podCIDRs), the InternalIP addresses
 * in the order the source gave them, every label (bounded: the
 * route-reflector label key is configurable and may change on reload), and
 * only the annotations podbgp reads: those under "podbgp.io/" and, so that
 * a cluster can move from kube-router without re-annotating its nodes, the
 * "kube-router.io/" ones listed below. They are parsed into asn,
 * router_id, cluster_id, rr_role, peers, communities and (overriding the
 * spec) the pod CIDRs. Where both name the same thing, podbgp.io's wins,
 * whatever the order the annotations were set in. Other annotations are
 * dropped on entry: they can be large and podbgp never reads them.
 *
 * The node_add_* and node_set_* functions check their field as they store
 * it, so a loader can point at the offending value; node_validate() checks
 * a whole record built by any means. Error texts name the node and the
 * field. Nothing here logs or keeps state between calls.
 */
#ifndef PODBGP_NODE_H
#define PODBGP_NODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "prefix.h"

#define NODE_NAME_MAX		253	/* DNS-1123 subdomain */
#define NODE_CIDRS_MAX		2	/* one IPv4, one IPv6 */
#define NODE_ADDRS_MAX		16
#define NODE_LABELS_MAX		256
#define NODE_ANNOT_PREFIX	"podbgp.io/"
#define NODE_ANNOT_ASN		"podbgp.io/asn"
#define NODE_ANNOT_ROUTER_ID	"podbgp.io/router-id"
#define NODE_ANNOT_CLUSTER_ID	"podbgp.io/cluster-id"
/* a YAML list as kube-router.io/peers, but passwords in plain text */
#define NODE_ANNOT_PEERS	"podbgp.io/peers"
#define NODE_ANNOT_COMMUNITIES	"podbgp.io/communities"
#define NODE_ANNOT_POD_CIDRS	"podbgp.io/pod-cidrs"
/* kube-router's, read where podbgp.io/ has nothing for the same thing */
#define NODE_KR_PREFIX		"kube-router.io/"
#define NODE_KR_ASN		"kube-router.io/node.asn"
#define NODE_KR_PEERS		"kube-router.io/peers"
#define NODE_KR_PEER_IPS	"kube-router.io/peer.ips"
#define NODE_KR_PEER_ASNS	"kube-router.io/peer.asns"
#define NODE_KR_PEER_PASSWORDS	"kube-router.io/peer.passwords"
#define NODE_KR_PEER_PORTS	"kube-router.io/peer.ports"
#define NODE_KR_PEER_LOCALIPS	"kube-router.io/peer.localips"
#define NODE_KR_RR_SERVER	"kube-router.io/rr.server"
#define NODE_KR_RR_CLIENT	"kube-router.io/rr.client"
#define NODE_KR_POD_CIDR	"kube-router.io/pod-cidr"
#define NODE_KR_POD_CIDRS	"kube-router.io/pod-cidrs"
#define NODE_KR_COMMUNITIES	"kube-router.io/node.bgp.communities"
#define NODE_PEERS_MAX		32
#define NODE_COMMUNITIES_MAX	64
#define NODE_PASSWORD_MAX	80	/* TCP_MD5SIG_MAXKEYLEN */
/* Room for any message of this module, node name included. */
#define NODE_ERR_LEN		512

struct node_kv {
	char	*key;
	char	*value;
};

/* A BGP peer of this node outside the cluster (a ToR, say). */
struct node_peer {
	struct ipaddr	 addr;
	uint32_t	 asn;
	char		*password;	/* NULL: none; never put in messages */
	uint16_t	 port;		/* 0: 179 (179 itself is stored as 0) */
	struct ipaddr	 local_addr;	/* family 0: the node's own choice */
};

/* kube-router.io/rr.server and rr.client */
enum node_rr_role {
	NODE_RR_NONE,
	NODE_RR_SERVER,
	NODE_RR_CLIENT,
};

struct node {
	char		*name;
	/*
	 * Age: lower is older. The source sets it (creation order in the
	 * API, position in the nodes file); it only decides which of two
	 * overlapping pod CIDR claims wins, and is not part of node_equal().
	 */
	uint64_t	 seq;
	struct prefix	 cidrs[NODE_CIDRS_MAX];	/* sorted, IPv4 first */
	size_t		 ncidrs;
	struct ipaddr	*addrs;		/* InternalIPs, source order */
	size_t		 naddrs;
	struct node_kv	*labels;	/* sorted by key, keys unique */
	size_t		 nlabels;
	struct node_kv	*annots;	/* the kept ones only, sorted */
	size_t		 nannots;
	/* Parsed from the annotations; 0 when absent. */
	uint32_t	 asn;
	uint32_t	 router_id;	/* host order */
	uint32_t	 cluster_id;	/* host order; also from rr.* */
	enum node_rr_role rr_role;
	struct node_peer *peers;	/* sorted by address, unique */
	size_t		 npeers;
	uint32_t	*communities;	/* sorted, unique */
	size_t		 ncommunities;
	/* cidrs come from an annotation; the spec's are checked, not kept */
	bool		 cidrs_annotated;
};

/*
 * A new empty record with a copy of name (not checked here: see
 * node_validate()). NULL when out of memory.
 */
struct node	*node_new(const char *name);
/* node_free(NULL) is a no-op. */
void		 node_free(struct node *n);
/* A deep copy, or NULL when out of memory. */
struct node	*node_copy(const struct node *n);

/* A DNS-1123 subdomain: what Kubernetes accepts as a Node name. */
bool	node_name_valid(const char *s);
/* Kubernetes label syntax: a qualified name, a value of 0..63 chars. */
bool	node_label_key_valid(const char *s);
bool	node_label_value_valid(const char *s);

/*
 * Field setters. Each returns 0, or -1 with a message in err (errlen
 * bytes, NODE_ERR_LEN is enough) that names the node and the field; the
 * record is unchanged on failure.
 *
 * node_add_pod_cidr: "ADDR/LEN", strict: host bits are an error; a second
 * CIDR of a family is an error.
 * node_add_address: an IPv4 or IPv6 address; duplicates are errors.
 * node_set_label: a new key (a key given twice is an error).
 * node_set_annotation: keys podbgp does not read are skipped (0 is
 * returned, nothing stored), kube-router.io/ ones included; an unknown
 * podbgp.io/ key or a bad value is an error, so a typo is not silently
 * ignored. Each value is checked alone; what involves several annotations
 * (kube-router.io/peer.ips and peer.asns of different lengths, say) can
 * only be known once all are set, and node_validate() reports it.
 * Passwords are never quoted in messages.
 */
int	node_add_pod_cidr(struct node *n, const char *s, char *err,
	    size_t errlen);
int	node_add_address(struct node *n, const char *s, char *err,
	    size_t errlen);
int	node_set_label(struct node *n, const char *key, const char *value,
	    char *err, size_t errlen);
int	node_set_annotation(struct node *n, const char *key,
	    const char *value, char *err, size_t errlen);
/* The label's value, or NULL if the node has no such label. */
const char	*node_label(const struct node *n, const char *key);

/*
 * Checks every invariant of the record (what the setters check, plus the
 * name, that the annotations agree with each other, and that the parsed
 * fields agree with them). Returns 0, or -1 with the first problem in err.
 */
int	node_validate(const struct node *n, char *err, size_t errlen);

/* What differs between two records of the same node. */
#define NODE_CH_CIDRS		0x01
#define NODE_CH_ADDRS		0x02
#define NODE_CH_LABELS		0x04
#define NODE_CH_ANNOTS		0x08	/* any kept annotation or its value */
#define NODE_CH_PEERS		0x10	/* the parsed peers in particular */

/* NODE_CH_* bits; 0 when equal. seq and the name are not compared. */
unsigned	node_changes(const struct node *a, const struct node *b);
/* Same name and node_changes() == 0: a relist that needs no action. */
bool		node_equal(const struct node *a, const struct node *b);

/* Records owned by the set, sorted by name, names unique. */
struct node_set {
	struct node	**v;
	size_t		  n;
	size_t		  cap;
};

struct node_set	*node_set_new(void);
/* Frees the set and every record in it; NULL is a no-op. */
void		 node_set_free(struct node_set *s);
/*
 * Takes n into the set: 0 on success; 1 if a node of that name is there
 * already, -1 when out of memory (in both cases n stays the caller's).
 */
int		 node_set_add(struct node_set *s, struct node *n);
struct node	*node_set_find(const struct node_set *s, const char *name);
/* Removes and returns the named record (the caller frees it), or NULL. */
struct node	*node_set_take(struct node_set *s, const char *name);
/* The same names and records equal by node_equal(). */
bool		 node_set_equal(const struct node_set *a,
		    const struct node_set *b);
/*
 * Gives nodes of cur that were in old the seq they had there, and the
 * others seqs after every old one, keeping their relative order: a node
 * keeps its age across reloads of the nodes file, as in the API.
 */
void		 node_set_keep_age(struct node_set *cur,
		    const struct node_set *old);

struct node_change {
	const struct node	*old;
	const struct node	*new;
	unsigned		 what;		/* NODE_CH_* */
};

struct node_diff {
	const struct node	**added;	/* in new, by name */
	size_t			  nadded;
	const struct node	**removed;	/* in old, by name */
	size_t			  nremoved;
	struct node_change	 *changed;	/* by name */
	size_t			  nchanged;
};

/*
 * What turns old into new. The result points into both sets and is valid
 * while they are unchanged. NULL when out of memory.
 */
struct node_diff	*node_set_diff(const struct node_set *old,
			    const struct node_set *new);
void			 node_diff_free(struct node_diff *d);
bool			 node_diff_empty(const struct node_diff *d);

/*
 * Two nodes claim overlapping pod CIDRs. The older claim (lower seq; on a
 * tie, the name that sorts first) wins; the caller ignores the loser's
 * CIDR (and says so in the log), never the winner's.
 */
struct node_overlap {
	const struct node	*winner;
	struct prefix		 winner_cidr;
	const struct node	*loser;
	struct prefix		 loser_cidr;
};

/*
 * Every overlapping pair, sorted by the loser's CIDR. *out is NULL when
 * there are none; free it with free(). Returns 0, or -1 when out of
 * memory.
 */
int	node_set_overlaps(const struct node_set *s, struct node_overlap **out,
	    size_t *nout);

#endif
