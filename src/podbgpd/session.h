/*
 * session: the BGP sessions of podbgpd on libevent.
 *
 * One session per configured peer, and in full-mesh mode one per other
 * node; both are added, changed and removed at run time (reload, node
 * events), peers by address, nodes by name. Each owns up to two TCP
 * connections (its own outbound one and an accepted one, during a
 * collision), each with a struct bgp_fsm and the FSM's timers as libevent
 * timers; the FSM decides, this module only carries out its actions.
 * Received UPDATEs go through policy into the RIB; this node's own pod
 * CIDRs are announced to every established peer, and the routes of the
 * Loc-RIB to the peers policy exports them to (reflection, export rules),
 * as the RIB's change records are drained once per loop turn.
 *
 * Call order: session_init, optionally session_set_opts and
 * session_set_own_prefixes, session_start_all; at exit session_stop_all,
 * then session_free_all.
 */
#ifndef PODBGPD_SESSION_H
#define PODBGPD_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bgp_attr.h"
#include "bgp_fsm.h"
#include "conf.h"
#include "policy.h"
#include "prefix.h"
#include "rib.h"

struct event_base;

/* Settings the configuration file does not carry (tests, the caller). */
struct session_opts {
	uint16_t	listen_port;	/* 0: no listening sockets */
	uint16_t	connect_port;	/* peers' port */
	bool		gr_forwarding;	/* GR: F bit */
	/*
	 * GR: this node restarted, so OPENs carry the Restart State bit
	 * until every graceful-restart peer has come up and been sent our
	 * End-of-RIB, or restart-time seconds after session_start_all.
	 */
	bool		gr_restarting;
};

/* Defaults: both ports 179, no forwarding state, not restarting. */
void	session_opts_default(struct session_opts *o);

/*
 * Borrows everything: base, conf (until session_set_conf or
 * session_free_all), rib, policy
 * and attribute table. Creates one idle session per conf->peers entry.
 * Returns 0, -1 if a session could not be set up (logged).
 */
int	session_init(struct event_base *base, const struct conf *conf,
	    struct rib *rib, struct policy_ctx *pol,
	    struct bgp_attr_table *attrs);
void	session_set_opts(const struct session_opts *o);
/*
 * The BGP identifier in OPENs from now on (host order). Sessions that are
 * up keep the one they opened with.
 */
void		session_set_router_id(uint32_t id);
uint32_t	session_router_id(void);
/*
 * This node's AS from its annotation (podbgp.io/asn or
 * kube-router.io/node.asn; 0: the configuration's bgp.asn). A change
 * restarts every running session.
 */
void		session_set_local_asn(uint32_t node_asn);
uint32_t	session_local_asn(void);
/*
 * Opens the listening sockets and starts every session (passive peers
 * wait for the peer to connect). Returns 0, or -1 if no listening socket
 * could be opened while one was asked for.
 */
int	session_start_all(void);
/*
 * Cease / Administrative Shutdown with msg as the shutdown communication
 * (RFC 9003; NULL: none) to every peer past OpenSent, then closes every
 * connection and the listening sockets. Sessions stay stopped.
 */
void	session_stop_all(const char *msg);
void	session_free_all(void);

/*
 * This node's own pod CIDRs, copied. Established peers get the
 * difference at once: UPDATEs for new ones, withdrawals for the others.
 * Returns 0, -1 if out of memory (nothing changed).
 */
int	session_set_own_prefixes(const struct prefix *p, size_t n);
/*
 * Communities (RFC 1997, sorted) attached to this node's own prefixes,
 * from its node record; sent again to established peers when they
 * change. -1 when out of memory.
 */
int	session_set_own_communities(const uint32_t *v, size_t n);

/*
 * Mesh nodes: an iBGP session (our ASN, the defaults of a configured
 * peer, no filters) to the node called name at addr, a route-reflector
 * client of ours if rr_client, with a node policy
 * (only its pod CIDRs cidrs, only its addresses addrs as next hops; both
 * copied). Started at once if session_start_all ran, else by it; an
 * incoming connection from addr belongs to it.
 * session_add_node returns 0, -1 if name has a session already, addr is
 * another session's (logged) or the sessions are stopping.
 * session_remove_node sends Cease / Peer De-configured on every open
 * connection, withdraws the node's routes and frees the session; -1 if
 * there is no such node.
 * session_set_node replaces the node's pod CIDRs and addresses: routes
 * they no longer allow are withdrawn and the node is asked for its routes
 * again (route refresh). Returns 1 changed, 0 same, -1 no such node.
 * A node whose address changed is removed and added again.
 */
int	session_add_node(const char *name, const struct ipaddr *addr,
	    bool rr_client, const struct prefix *cidrs, size_t ncidrs,
	    const struct ipaddr *addrs, size_t naddrs);
int	session_remove_node(const char *name);
int	session_set_node(const char *name, const struct prefix *cidrs,
	    size_t ncidrs, const struct ipaddr *addrs, size_t naddrs);

/*
 * Peers of the configuration, or built at run time (from node
 * annotations, with an inline password): each session keeps its own
 * copy of the struct conf_peer, so the caller may free cp afterwards.
 * Peers are matched by address.
 *
 * session_peer_add: a new session, started at once if session_start_all
 * ran. Returns 0, 1 if it was added but its password could not be read
 * (it will not come up), -1 if the address has a session already
 * (logged) or the sessions are stopping.
 * session_peer_remove: Cease / Peer De-configured, its routes (stale ones
 * too) withdrawn, the session freed. -1 if no configured peer has addr.
 * session_peer_update: new settings for the peer with cp->addr. Names and
 * descriptions change in place; a new import filter or max-prefix is
 * applied in place (routes it refuses withdrawn, a ROUTE-REFRESH asks for
 * the others; a peer without route refresh is restarted instead); a new
 * export filter or new communities are applied in place too (this node's
 * pod CIDRs and the learned routes sent again, what is no longer exported
 * withdrawn); anything else restarts the session (Cease / Other
 * Configuration Change). A password file is read again: another key
 * restarts the session too.
 * Returns SESSION_PEER_SAME, _SOFT (in place), _RESET (restarted), or -1
 * if no configured peer has that address.
 */
#define SESSION_PEER_SAME	0
#define SESSION_PEER_SOFT	1
#define SESSION_PEER_RESET	2
int	session_peer_add(const struct conf_peer *cp);
int	session_peer_remove(const struct ipaddr *addr);
int	session_peer_update(const struct conf_peer *cp);
/*
 * A reloaded configuration (borrowed until the next call or
 * session_free_all): AS, router ID and graceful-restart timers. A new AS
 * or router ID restarts every session.
 */
void	session_set_conf(const struct conf *conf);
/*
 * The import policy of every session changed (cluster-cidrs): their
 * routes are checked again and every peer is asked for its routes again
 * (ROUTE-REFRESH; a peer without it sends them at its next session).
 */
void	session_import_changed(void);
/*
 * Another part changed the RIB (next-hop reachability): its change
 * records go to the peers and the FIB on this loop turn.
 */
void	session_rib_changed(void);
/*
 * The same for the sessions to other nodes only: through a route
 * reflector any node's pod CIDR may come, and what a node owns changed.
 */
void	session_node_import_changed(void);

/*
 * Operator commands on the session called what: a peer's or mesh node's
 * name, or its address. session_disable sends Cease / Administrative
 * Shutdown with msg (RFC 9003; NULL: none), drops its routes, and the
 * session stays down, refusing connections, until session_enable:
 * returns 1 done, 0 already so, -1 no such session. session_restart
 * sends Cease / Administrative Reset and starts it again (enabling it):
 * 0, or -1 no such session.
 */
int	session_disable(const char *what, const char *msg);
int	session_enable(const char *what);
int	session_restart(const char *what, const char *msg);

/*
 * Who else follows the Loc-RIB (the kernel FIB): after the sessions have
 * sent their part, changes() gets every batch of change records; the RIB
 * may be looked up then, not changed. resync() means records were lost:
 * compare the whole Loc-RIB. eor() follows an End-of-RIB from a peer
 * (its routes are in the RIB by then). Any may be NULL.
 */
struct session_rib_listener {
	void	(*changes)(const struct rib_change *, size_t, void *);
	void	(*resync)(void *);
	void	*arg;
	void	(*eor)(void *);
};

void	session_set_rib_listener(const struct session_rib_listener *l);
/* True when every session not disabled is Established and has sent
 * End-of-RIB for every family it negotiated. */
bool	session_all_eor(void);
/* The sessions not disabled (total), and those of them that are so. */
void	session_eor_count(size_t *done, size_t *total);

/* Negotiated capability bits of struct session_info.capa */
#define SESSION_CAPA_AS4	0x01
#define SESSION_CAPA_RR		0x02
#define SESSION_CAPA_ERR	0x04	/* enhanced route refresh */
#define SESSION_CAPA_GR		0x08	/* graceful restart */
#define SESSION_CAPA_EXT_MSG	0x10

/*
 * The last prefixes a session's import policy refused (rejected routes
 * are not kept in the RIB): one entry per prefix, the oldest replaced.
 */
#define SESSION_REJECT_KEEP	16

struct session_reject {
	struct prefix		prefix;
	enum policy_reason	why;
	uint64_t		at_ms;		/* monotonic */
	/* the attributes then received (a reference held) */
	const struct bgp_attr_set *attr;
};

/* What `show protocols` tells about a session; a snapshot. */
struct session_info {
	const char		*name;		/* NULL: unnamed */
	struct ipaddr		 addr;
	uint32_t		 asn;
	enum bgp_fsm_state	 state;
	uint64_t		 since_ms;	/* state since, monotonic */
	uint32_t		 remote_id;	/* 0 until an OPEN */
	uint16_t		 hold_time;	/* negotiated */
	uint8_t			 families;	/* 1 << enum bgp_aid */
	uint8_t			 capa;		/* SESSION_CAPA_ */
	uint64_t		 updates_rx;
	uint64_t		 prefixes_rx;	/* announced */
	uint64_t		 withdrawals_rx;
	uint32_t		 prefixes_accepted;	/* now */
	/* the last NOTIFICATION either way; code 0: none yet */
	uint8_t			 last_err_code;
	uint8_t			 last_err_subcode;
	bool			 last_err_sent;	/* we sent it */
	/* for show protocols all and show route */
	int			 rib_peer;	/* RIB peer id; -1: none */
	uint32_t		 keepalive_ms;	/* in use; 0: none */
	uint16_t		 hold_conf;	/* configured hold time */
	bool			 node;		/* a mesh node's session */
	bool			 disabled;	/* by an operator */
	const struct policy_peer *policy;	/* counters by reason */
	/*
	 * Advertised: this node's pod CIDRs that the export policy lets
	 * out to the peer now, if Established (no Adj-RIB-Out is kept, so
	 * this is the policy's answer, not a count of what was sent);
	 * learned_exportable: learned routes may be exported too (not
	 * counted).
	 */
	uint32_t		 advertised_own;
	bool			 learned_exportable;
	/* graceful restart (RFC 4724) */
	bool			 gr_peer_restarting;	/* its stale paths held */
	uint64_t		 gr_stale_left_ms;	/* their timer */
	size_t			 gr_stale_marked;	/* paths, at the drop */
	bool			 gr_restart_bit;	/* our OPENs say R */
	bool			 eor_sent;	/* our initial table is out */
	uint8_t			 eor_received;	/* 1 << enum bgp_aid */
};

/* Calls cb for every session in configuration order (mesh nodes after
 * the configured peers, in the order they were added). */
void	session_foreach(void (*cb)(const struct session_info *, void *),
	    void *arg);
/*
 * Calls cb for every refusal remembered (SESSION_REJECT_KEEP a session)
 * of a prefix p contains (exact: equal to p) or, p NULL, holding addr:
 * the session's name (its address if unnamed), the refusal, and what its
 * import policy answers now for the attributes then received (not
 * counted).
 */
void	session_foreach_reject(const struct prefix *p, bool exact,
	    const struct ipaddr *addr,
	    void (*cb)(const char *, const struct session_reject *,
	    enum policy_reason, void *), void *arg);

#endif
