/*
 * fib: the Loc-RIB's selected paths in the Linux kernel, over rtnetlink.
 *
 * Routes carry conf->fib_protocol and go into conf->fib_table; routes of
 * any other protocol are never added over, replaced or deleted. Changes
 * are queued per prefix and written from the event loop in batches of
 * many netlink messages per write; every acknowledgement is matched to
 * its request by sequence number. A second socket follows the kernel's
 * routes, links and addresses: a route of ours deleted by someone else
 * is put back, a lost notification (ENOBUFS) forces a full resync.
 *
 * At start the routes of our protocol in our table are read once and
 * adopted as stale: a route learned again with the same next hops is
 * left as it is, fib_sweep_stale() removes the others.
 */
#ifndef PODBGPD_FIB_H
#define PODBGPD_FIB_H

#include <stdbool.h>
#include <stddef.h>

#include "conf.h"
#include "prefix.h"
#include "rib.h"

struct event_base;
struct fib;

/* Borrows base, conf and rib until fib_free(). NULL if out of memory. */
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
};

void		 fib_get_stats(const struct fib *fib, struct fib_stats *s);

#endif
