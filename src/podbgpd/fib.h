/*
 * fib: the Loc-RIB's selected paths in the Linux kernel, over rtnetlink.
 *
 * Routes carry conf->fib_protocol and go into conf->fib_table; routes of
 * any other protocol are never added over, replaced or deleted. Changes
 * are queued per prefix and written from the event loop in batches of
 * many netlink messages per write; every acknowledgement is matched to
 * its request by sequence number. A second socket follows the kernel's
 * routes, links and addresses: a route of ours deleted by someone else
 * is put back, a lost notification (ENOBUFS) forces a full resync: links,
 * addresses and routes are dumped again, read from the event loop a
 * chunk at a time, and nothing is written until it is done.
 *
 * At start the routes of our protocol in our table are read once and
 * adopted as stale: a route learned again with the same next hops is
 * left as it is, fib_sweep_stale() removes the others.
 */
#ifndef PODBGPD_FIB_H
#define PODBGPD_FIB_H

#include <net/if.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conf.h"
#include "prefix.h"
#include "rib.h"

struct event_base;
struct fib;

/* Borrows base, conf and rib until fib_free(). NULL if out of memory. */
/*
 * Called after fib.c changed the RIB itself (a next hop became reachable
 * or not), so that whoever drains the RIB's change records does so.
 */
void		 fib_set_rib_changed(struct fib *fib, void (*cb)(void));
struct fib	*fib_new(struct event_base *base, const struct conf *conf,
		    struct rib *rib);
/*
 * Opens the netlink sockets, reads links, addresses and our routes (the
 * only synchronous exchange) and subscribes to their changes. Arms the
 * stale timer (conf->stale_time). Returns 0, or -1 (logged).
 */
int		 fib_start(struct fib *fib);
/* Session listener: the prefixes whose selection changed. */
void		 fib_rib_changes(const struct rib_change *chg, size_t n,
		    void *fib);
/* Session listener: change records were lost; compare everything. */
void		 fib_rib_resync(void *fib);
/* This node's own pod CIDRs, copied: blackholes with blackhole_own_cidr.
 * Returns 0, -1 if out of memory (nothing changed). */
int		 fib_set_own_prefixes(struct fib *fib,
		    const struct prefix *p, size_t n);
/* Removes the adopted routes not learned again. */
void		 fib_sweep_stale(struct fib *fib);
/*
 * Stops following the kernel. flush: removes our routes first (written
 * synchronously: this is the way out). Otherwise they stay.
 */
void		 fib_stop(struct fib *fib, bool flush);
void		 fib_free(struct fib *fib);

/* Counters for tests and `show`. */
struct fib_stats {
	size_t		routes;		/* ours in the kernel, we think */
	size_t		stale;
	size_t		queued;		/* prefixes to be written */
	size_t		inflight;	/* requests not answered yet */
	unsigned long	errors;		/* requests the kernel refused */
	unsigned long	reinstalled;	/* put back after others' deletes */
	bool		resyncing;	/* a full resync is running */
	unsigned long	resyncs;	/* full resyncs done */
};

void		 fib_get_stats(const struct fib *fib, struct fib_stats *s);
/* Cheap (fib_get_stats walks the table): is a full resync running, and
 * how many were done. */
void		 fib_resync_state(const struct fib *fib, bool *running,
		    unsigned long *done);

/*
 * Read-only views for `show fib` and `show route ... explain`: none of
 * these changes the table, starts a netlink exchange or resolves a next
 * hop; they report what fib knows now.
 */

/* One next hop of a route, with its interface. */
struct fib_nexthop {
	struct ipaddr	gw;		/* family 0: none (blackhole) */
	int		ifindex;	/* 0: the kernel chose */
	char		ifname[IF_NAMESIZE];	/* "" if unknown */
	bool		up;		/* the link is up (or unknown) */
};

/* fib_entry flags */
#define FIB_E_KERNEL	0x01	/* ours is in the kernel, as far as we know */
#define FIB_E_STALE	0x02	/* adopted at start, not learned again */
#define FIB_E_FOREIGN	0x04	/* another protocol holds the prefix */
#define FIB_E_QUEUED	0x08	/* a change waits to be written */
#define FIB_E_UNKNOWN	0x10	/* a replace failed: contents unknown */

/* A prefix of the shadow table: what the kernel holds of ours. */
struct fib_entry {
	struct prefix		prefix;
	unsigned		flags;		/* FIB_E_ */
	uint8_t			type;		/* RTN_UNICAST, RTN_BLACKHOLE */
	size_t			nnh;
	struct fib_nexthop	nh[RIB_ECMP_MAX];
};

/*
 * A walk of the shadow table, resumable across loop turns. Each call
 * visits one hash bucket and calls cb for every entry in it (a few at
 * most); returns 1 while buckets are left, 0 at the end. Buckets are
 * visited in reverse-binary order, so a table that grows in between
 * neither skips nor repeats an entry; an entry added or removed during
 * the walk may or may not be seen. Zero the cursor to start.
 */
struct fib_cursor {
	size_t		v;
	bool		done;
};

int		 fib_dump_next(const struct fib *fib, struct fib_cursor *c,
		    void (*cb)(const struct fib_entry *, void *), void *arg);
/* The shadow entry of p: 1 and *e filled, 0 if none. */
int		 fib_lookup(const struct fib *fib, const struct prefix *p,
		    struct fib_entry *e);
/* The most specific shadow entry of ours in the kernel holding a. */
int		 fib_match_addr(const struct fib *fib, const struct ipaddr *a,
		    struct fib_entry *e);

/* Why a prefix is, or is not, in the kernel as the Loc-RIB wants it. */
enum fib_why {
	FIB_WHY_INSTALLED = 0,	/* ours, with the next hops wanted */
	FIB_WHY_NOT_SELECTED,	/* the Loc-RIB selects nothing: none wanted */
	FIB_WHY_OWN_BLACKHOLE,	/* wanted: a blackhole for our pod CIDR */
	FIB_WHY_LOCAL,		/* this node's own route: not installed */
	FIB_WHY_NH_UNRESOLVED,	/* no next hop is connected or resolved */
	FIB_WHY_LINK_DOWN,	/* every next hop's link is down */
	FIB_WHY_FOREIGN,	/* another protocol's route holds it */
	FIB_WHY_STALE,		/* adopted route kept until End-of-RIB */
	FIB_WHY_QUEUED,		/* the change waits to be written */
	FIB_WHY_DIFFERS,	/* the kernel has other next hops (error?) */
	FIB_WHY_MISSING,	/* wanted, not in the kernel, not queued */
	FIB_WHY_UNWANTED,	/* ours in the kernel, the RIB wants none */
	FIB_WHY_MAX
};

/* A short lower-case phrase; never NULL. */
const char	*fib_why_name(enum fib_why w);
/*
 * What the Loc-RIB wants for p (type and next hops in *want, nnh 0 and
 * type 0 when nothing) compared with the shadow table. FIB_WHY_INSTALLED
 * and FIB_WHY_NOT_SELECTED are the agreeing answers; the others are
 * differences.
 */
enum fib_why	 fib_explain(const struct fib *fib, const struct prefix *p,
		    struct fib_entry *want);

/* How a BGP next hop resolves (RFC 4271 5.1.3, recursive as BIRD's). */
enum fib_nh_kind {
	FIB_NH_CONNECTED = 1,	/* on a connected subnet */
	FIB_NH_LINKLOCAL,	/* IPv6 link-local: on the only such link */
	FIB_NH_RESOLVED,	/* through a route of another protocol */
	FIB_NH_UNRESOLVED,	/* looked up: no usable route leads to it */
	FIB_NH_NOT_LOOKED_UP,	/* no route used it yet (not in the cache) */
};

struct fib_nh_state {
	enum fib_nh_kind	kind;
	struct prefix		via;	/* FIB_NH_RESOLVED: covering route */
	uint32_t		metric;	/* its metric: the IGP cost */
	size_t			nnh;	/* gateways, or the interface */
	struct fib_nexthop	nh[16];
};

void		 fib_nexthop_state(const struct fib *fib,
		    const struct ipaddr *a, struct fib_nh_state *st);

#endif
