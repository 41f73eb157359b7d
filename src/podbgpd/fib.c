/*
 * fib: the Loc-RIB in the kernel. See fib.h.
 *
 * The module keeps one struct fib_route per prefix it has, or wants, in
 * the kernel: what the kernel holds of ours (as far as we know) and
 * flags. A change marks the prefix dirty; the flush event computes what
 * the prefix should have now (the RIB's selection, or a blackhole for an
 * own CIDR), compares with the kernel's and appends at most one request
 * to the output buffer. Requests go out many to a write; rtnetlink
 * handles a write before it returns and answers a request that failed,
 * and the last of each write (NLM_F_ACK), in order: the answers are
 * matched against a ring of the requests in flight, and one without an
 * answer before an answered one has succeeded.
 *
 * Four netlink sockets: cmd (our requests and their answers, never
 * blocking), mon (notifications), sync (the dumps at start and the short
 * next hop lookups, the only blocking exchanges) and rs (the dumps of a
 * resynchronisation after a lost notification, read from the loop).
 *
 * Routes carry their next hops (RTA_GATEWAY, RTA_MULTIPATH), not kernel
 * next-hop objects (RTA_NH_ID). Measured (tests/bench/bench_fib_failover.sh):
 * at the scale of a pod network, thousands of routes, a failover rewrites
 * them all in some 20-35 ms, and a link going down is handled by the
 * kernel at once either way (it skips a dead path of a multipath route);
 * a next-hop group would save milliseconds. In exchange, the kernel
 * deletes the objects of a link that goes down or loses its carrier
 * without a word, and the routes that used one alone with them, so
 * every link flap would mean rebuilding objects and routes from our
 * side. Worth it for full tables of a million routes (1.4 s instead of
 * 3.4 s for a lost session), not for the job podbgpd does.
 */
#include "config.h"

#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <event2/event.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/socket.h>
#include <netlink/route/route.h>
#include <netlink/route/nexthop.h>

#include "fib.h"
#include "log.h"
#include "xmalloc.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK		270
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK		10
#endif
#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK		11
#endif

/* Requests without an answer at most: their answers, should all fail,
 * must fit the receive buffer, as the kernel answers within our write. */
#define FIB_INFLIGHT_MAX	2048
/* One write: at most this many bytes of requests (the send buffer). */
#define FIB_WRITE_MAX		(128 * 1024)
/* Prefixes looked at per turn of the loop, so BGP keeps being served. */
#define FIB_BUDGET		4096
/* Dump messages handled per turn of the loop in a resynchronisation. */
#define FIB_RS_BUDGET		4096
#define FIB_RCVBUF		(8 * 1024 * 1024)
#define FIB_RXBUF		(64 * 1024)

struct fib_nh {
	struct ipaddr	gw;		/* family 0: none */
	int		ifindex;	/* 0: the kernel resolves */
};

/* fib_route flags */
#define FR_KERNEL	0x01	/* the kernel has ours: type and nh */
#define FR_STALE	0x02	/* adopted at start, not learned again */
#define FR_FOREIGN	0x04	/* another protocol holds the prefix */
#define FR_DIRTY	0x08	/* on the dirty list */
#define FR_UNKNOWN	0x10	/* with FR_KERNEL: contents unknown */
#define FR_HANDSOFF	0x20	/* deleted by hand, reinstall-deleted off:
				 * stays out while we want what it had */
#define FR_SEEN		0x40	/* resync: the route dump or a notification
				 * told its state already */

struct fib_route {
	struct fib_route	*hnext;		/* hash chain */
	struct fib_route	*dnext;		/* dirty list */
	struct prefix		 prefix;
	uint8_t			 flags;
	uint8_t			 type;		/* RTN_ */
	uint16_t		 nnh;
	struct fib_nh		*nh;		/* &nh1 or allocated */
	struct fib_nh		 nh1;
};

/* Requests in flight */
#define FQ_ADD		1
#define FQ_REPLACE	2
#define FQ_DEL		3

struct fib_req {
	uint32_t	seq;
	uint8_t		op;
	bool		ack;		/* an answer even on success */
	struct prefix	prefix;
};

struct fib_addr {
	int		ifindex;
	struct prefix	net;		/* the connected subnet */
};

/*
 * A BGP next hop on no connected subnet, resolved through the kernel's
 * own routes as BIRD's recursive gateways are: the gateways of the
 * route the kernel would use for it (one that is not ours, nor the
 * default route). Kept while the daemon runs and looked up again when
 * routes, addresses or links change.
 */
#define FIB_RNH_PATHS	16

struct fib_rnh {
	struct ipaddr	addr;
	bool		resolved;
	bool		told;		/* the RIB knows 'resolved' */
	uint32_t	metric;		/* the covering route's */
	struct prefix	via;		/* the covering route */
	uint16_t	nnh;
	struct fib_nh	nh[FIB_RNH_PATHS];
};

struct fib_link {
	int		ifindex;
	bool		up;		/* IFF_UP and IFF_RUNNING */
	bool		seen;		/* resync: the kernel has it */
	bool		notified;	/* resync: news since the dump began */
	char		name[IF_NAMESIZE];
};

/*
 * A resynchronisation: the kernel's links, then addresses, then routes,
 * dumped one after the other on the rs socket. Nothing is written while
 * it runs: requests computed from a half-known state would be wrong.
 */
enum fib_rs {
	RS_NONE = 0,
	RS_LINKS,
	RS_ADDRS,
	RS_ROUTES,
	RS_RETRY,	/* a dump failed: ev_retry starts it again */
};

struct fib {
	struct event_base	*base;
	const struct conf	*conf;
	struct rib		*rib;

	struct nl_sock		*cmd, *mon, *sync;
	uint32_t		 cmd_port;
	struct event		*ev_cmd, *ev_cmd_w, *ev_mon, *ev_flush;
	struct event		*ev_stale, *ev_soft, *ev_retry;
	struct event		*ev_rnh, *ev_rnh_tell;
	bool			 started, stopping;

	/* the resynchronisation */
	enum fib_rs		 rs;
	struct nl_sock		*rs_sock;
	struct event		*ev_rs;
	struct fib_addr		*rs_addrs;	/* the address list rebuilt */
	size_t			 rs_naddrs;
	/* deleted since the dump began: a dump entry read later is older */
	struct fib_addr		*rs_gone;
	size_t			 rs_ngone;
	int			*rs_dlinks;
	size_t			 rs_ndlinks;
	uint64_t		 rs_start_ms;
	unsigned long		 resyncs;	/* done */

	struct fib_route	**htab;
	size_t			 hsize;		/* power of two */
	size_t			 nroutes;	/* entries in htab */
	struct fib_route	*dhead, *dtail;
	size_t			 ndirty;

	uint8_t			*obuf;
	size_t			 olen;
	size_t			 onmsg;	/* requests in obuf */
	size_t			 olast;	/* offset of the last one */
	uint32_t		 seq;
	struct fib_req		 ring[FIB_INFLIGHT_MAX];
	size_t			 rhead, rcount;

	struct prefix		*own;
	size_t			 nown;

	struct fib_addr		*addrs;
	size_t			 naddrs;
	struct fib_link		*links;
	size_t			 nlinks;
	struct fib_rnh		*rnh;
	size_t			 nrnh;
	void			(*rib_changed)(void);
	/* next hops told unreachable because their link is down */
	struct fib_nh		*nh_down;
	size_t			 nnh_down;

	uint8_t			*rxbuf;
	unsigned long		 errors, reinstalled;
	struct log_rl		 rl;
};

static void	flush_schedule(struct fib *);
static struct nl_sock *open_sock(const char *, bool);
static void	full_resync(struct fib *);
static void	read_answers(struct fib *);
static void	mon_read_cb(evutil_socket_t, short, void *);
static void	soft_resync(struct fib *);
static void	rnh_recheck(struct fib *);
static void	rnh_tell_cb(evutil_socket_t, short, void *);
static void	rnh_check_cb(evutil_socket_t, short, void *);

/* --- the table ---------------------------------------------------------- */

static size_t
bucket(const struct fib *fib, const struct prefix *p)
{
	return prefix_hash(p) & (fib->hsize - 1);
}

static struct fib_route *
route_find(const struct fib *fib, const struct prefix *p)
{
	struct fib_route	*r;

	for (r = fib->htab[bucket(fib, p)]; r != NULL; r = r->hnext)
		if (prefix_eq(&r->prefix, p))
			return r;
	return NULL;
}

static void
table_grow(struct fib *fib)
{
	struct fib_route	**old = fib->htab, *r, *next;
	size_t			  osize = fib->hsize, i, b;

	fib->hsize = osize * 2;
	fib->htab = xcalloc(fib->hsize, sizeof(*fib->htab));
	for (i = 0; i < osize; i++)
		for (r = old[i]; r != NULL; r = next) {
			next = r->hnext;
			b = bucket(fib, &r->prefix);
			r->hnext = fib->htab[b];
			fib->htab[b] = r;
		}
	free(old);
}

static struct fib_route *
route_get(struct fib *fib, const struct prefix *p)
{
	struct fib_route	*r;
	size_t			 b;

	if ((r = route_find(fib, p)) != NULL)
		return r;
	if (fib->nroutes >= fib->hsize)
		table_grow(fib);
	r = xcalloc(1, sizeof(*r));
	r->prefix = *p;
	r->nh = &r->nh1;
	b = bucket(fib, p);
	r->hnext = fib->htab[b];
	fib->htab[b] = r;
	fib->nroutes++;
	return r;
}

static void
route_set_nh(struct fib_route *r, const struct fib_nh *nh, size_t n)
{
	if (r->nh != &r->nh1)
		free(r->nh);
	r->nh = &r->nh1;
	if (n > 1)
		r->nh = xreallocarray(NULL, n, sizeof(*nh));
	if (n > 0)
		memcpy(r->nh, nh, n * sizeof(*nh));
	r->nnh = (uint16_t)n;
}

/* Unlinks and frees r; it must not be on the dirty list. */
static void
route_free(struct fib *fib, struct fib_route *r)
{
	struct fib_route	**pp;

	for (pp = &fib->htab[bucket(fib, &r->prefix)]; *pp != r;
	    pp = &(*pp)->hnext)
		;
	*pp = r->hnext;
	fib->nroutes--;
	if (r->nh != &r->nh1)
		free(r->nh);
	free(r);
}

static void
mark_dirty(struct fib *fib, struct fib_route *r)
{
	if (r->flags & FR_DIRTY)
		return;
	r->flags |= FR_DIRTY;
	r->dnext = NULL;
	if (fib->dtail != NULL)
		fib->dtail->dnext = r;
	else
		fib->dhead = r;
	fib->dtail = r;
	fib->ndirty++;
	flush_schedule(fib);
}

static void
dirty_prefix(struct fib *fib, const struct prefix *p)
{
	mark_dirty(fib, route_get(fib, p));
}

/* --- links and addresses ------------------------------------------------ */

static struct fib_link *
link_find(const struct fib *fib, int ifindex)
{
	size_t	i;

	for (i = 0; i < fib->nlinks; i++)
		if (fib->links[i].ifindex == ifindex)
			return &fib->links[i];
	return NULL;
}

static bool
link_usable(const struct fib *fib, int ifindex)
{
	const struct fib_link	*l;

	if (ifindex == 0 || (l = link_find(fib, ifindex)) == NULL)
		return true;
	return l->up;
}

/* The interface whose connected subnet holds a (longest match), 0. */
static int
connected_ifindex(const struct fib *fib, const struct ipaddr *a)
{
	const struct fib_addr	*best = NULL;
	size_t			 i;

	for (i = 0; i < fib->naddrs; i++) {
		const struct fib_addr	*fa = &fib->addrs[i];

		if (prefix_contains_addr(&fa->net, a) &&
		    (best == NULL || fa->net.len > best->net.len))
			best = fa;
	}
	return best != NULL ? best->ifindex : 0;
}

/* The only interface with an IPv6 link-local subnet, or 0. */
static int
only_ll_ifindex(const struct fib *fib)
{
	int	found = 0;
	size_t	i;

	for (i = 0; i < fib->naddrs; i++) {
		const struct fib_addr	*fa = &fib->addrs[i];

		if (fa->net.family != AF_INET6 || fa->net.addr[0] != 0xfe ||
		    (fa->net.addr[1] & 0xc0) != 0x80)
			continue;
		if (found != 0 && found != fa->ifindex)
			return 0;
		found = fa->ifindex;
	}
	return found;
}

/* --- what a prefix should have ----------------------------------------- */

static int
nh_cmp(const void *a, const void *b)
{
	const struct fib_nh	*x = a, *y = b;
	int			 c;

	if ((c = ipaddr_cmp(&x->gw, &y->gw)) != 0)
		return c;
	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static bool
is_own(const struct fib *fib, const struct prefix *p)
{
	size_t	i;

	for (i = 0; i < fib->nown; i++)
		if (prefix_eq(&fib->own[i], p))
			return true;
	return false;
}

static struct fib_rnh	*rnh_get(struct fib *, const struct ipaddr *);
static struct fib_rnh	*rnh_find(const struct fib *, const struct ipaddr *);

/*
 * What want() found on its way, for fib_explain(); with ro set it only
 * looks next hops up in the cache and resolves none.
 */
struct want_why {
	bool	ro;
	bool	local;		/* a selected path is this node's own */
	size_t	unresolved;	/* selected paths without a next hop */
	size_t	down;		/* next hops left out: link down */
};

/*
 * The next hops of one selected path, at most max into nh: the global
 * next hop on the interface of its connected subnet; for IPv6 with a
 * link-local next hop, that one on the interface the peer is reached
 * through; a next hop on no connected subnet, the gateways it resolves
 * to (none while it does not).
 */
static size_t
path_nh(struct fib *fib, const struct prefix *p,
    const struct rib_path *path, struct fib_nh *nh, size_t max, bool ro)
{
	const struct bgp_attr_set	*a = path->attr;
	const struct rib_peer		*peer;
	const struct fib_rnh		*rnh;
	size_t				 i;
	int				 ifi = 0;

	memset(nh, 0, sizeof(*nh));
	if (a == NULL || a->nexthop.family != p->family || max == 0)
		return 0;
	if (p->family == AF_INET6 && a->nexthop_ll.family == AF_INET6) {
		ifi = connected_ifindex(fib, &a->nexthop);
		if (ifi == 0 && (peer = rib_peer_get(fib->rib,
		    path->peer)) != NULL && !ipaddr_is_linklocal(&peer->addr))
			ifi = connected_ifindex(fib, &peer->addr);
		if (ifi == 0)
			ifi = only_ll_ifindex(fib);
		if (ifi != 0) {
			nh->gw = a->nexthop_ll;
			nh->ifindex = ifi;
			return 1;
		}
	}
	nh->gw = a->nexthop;
	if (ipaddr_is_linklocal(&nh->gw)) {
		/* no global address to go by: the only candidate link */
		nh->ifindex = only_ll_ifindex(fib);
		return 1;
	}
	if ((nh->ifindex = connected_ifindex(fib, &nh->gw)) != 0)
		return 1;
	rnh = ro ? rnh_find(fib, &nh->gw) : rnh_get(fib, &nh->gw);
	if (rnh == NULL || !rnh->resolved)
		return 0;
	for (i = 0; i < rnh->nnh && i < max; i++)
		nh[i] = rnh->nh[i];
	return i;
}

/*
 * Fills type and nh (RIB_ECMP_MAX entries), sorted and without
 * duplicates; returns the number of next hops, -1 when the prefix should
 * have no route of ours.
 */
static int
want(struct fib *fib, const struct prefix *p, uint8_t *type,
    struct fib_nh *nh, struct want_why *why)
{
	struct rib_entry	e;
	size_t			i, n = 0, npaths = 0, max;

	*type = RTN_UNICAST;
	if (fib->conf->blackhole_own_cidr && is_own(fib, p)) {
		*type = RTN_BLACKHOLE;
		return 0;
	}
	if (rib_lookup(fib->rib, p, &e) != 1 || e.nbest == 0)
		return -1;
	max = fib->conf->max_paths > 0 ? fib->conf->max_paths : 1;
	if (max > RIB_ECMP_MAX)
		max = RIB_ECMP_MAX;
	/* max BGP paths; a recursive one may bring several gateways */
	for (i = 0; i < e.nbest && npaths < max && n < RIB_ECMP_MAX; i++) {
		const struct rib_peer	*peer;
		size_t			 k, got, w = n;

		peer = rib_peer_get(fib->rib, e.paths[i].peer);
		if (peer != NULL && (peer->flags & RIB_PEER_LOCAL)) {
			if (why != NULL)
				why->local = true;
			continue;
		}
		got = path_nh(fib, p, &e.paths[i], &nh[n], RIB_ECMP_MAX - n,
		    why != NULL && why->ro);
		if (got == 0 && why != NULL)
			why->unresolved++;
		for (k = 0; k < got; k++)
			if (link_usable(fib, nh[n + k].ifindex))
				nh[w++] = nh[n + k];
			else if (why != NULL)
				why->down++;
		if (w > n)
			npaths++;
		n = w;
	}
	if (n == 0)
		return -1;
	qsort(nh, n, sizeof(*nh), nh_cmp);
	for (i = 1; i < n; )
		if (nh_cmp(&nh[i - 1], &nh[i]) == 0) {
			memmove(&nh[i], &nh[i + 1], (n - i - 1) * sizeof(*nh));
			n--;
		} else
			i++;
	return (int)n;
}

/* Does the kernel's route r equal what we want? ifindex 0 wanted
 * matches the one the kernel chose. */
static bool
same(const struct fib_route *r, uint8_t type, const struct fib_nh *nh,
    int n)
{
	int	i;

	if ((r->flags & FR_UNKNOWN) || r->type != type || r->nnh != n)
		return false;
	for (i = 0; i < n; i++)
		if (ipaddr_cmp(&r->nh[i].gw, &nh[i].gw) != 0 ||
		    (nh[i].ifindex != 0 && r->nh[i].ifindex != nh[i].ifindex))
			return false;
	return true;
}

/* --- requests ----------------------------------------------------------- */

static const char *
pfx_str(const struct prefix *p, char *buf, size_t len)
{
	return prefix_fmt(p, buf, len);
}

/* Appends an attribute to the request at h; returns it. */
static struct rtattr *
put_attr(struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
	struct rtattr	*a;

	a = (struct rtattr *)((uint8_t *)h + NLMSG_ALIGN(h->nlmsg_len));
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len > 0)
		memcpy(RTA_DATA(a), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(a->rta_len);
	return a;
}

static size_t
alen(int family)
{
	return family == AF_INET ? 4 : 16;
}

/*
 * Writes one request at h, as rtnl_route_build_add_request and
 * rtnl_route_build_del_request would (the same attributes in the same
 * order), without their allocations: a million routes are a million
 * requests. The buffer has room for RIB_ECMP_MAX next hops.
 */
static void
build_req(const struct fib *fib, struct nlmsghdr *h, const struct prefix *p,
    int op, uint8_t type, const struct fib_nh *nh, int n)
{
	struct rtmsg		*rm;
	struct rtattr		*mp;
	struct rtnexthop	*rtnh;
	uint32_t		 table = fib->conf->fib_table, u;
	int			 i;

	memset(h, 0, NLMSG_LENGTH(sizeof(*rm)));
	h->nlmsg_len = NLMSG_LENGTH(sizeof(*rm));
	h->nlmsg_type = op == FQ_DEL ? RTM_DELROUTE : RTM_NEWROUTE;
	h->nlmsg_flags = NLM_F_REQUEST;
	if (op != FQ_DEL)
		h->nlmsg_flags |= NLM_F_CREATE |
		    (op == FQ_ADD ? NLM_F_EXCL : NLM_F_REPLACE);
	rm = NLMSG_DATA(h);
	rm->rtm_family = p->family;
	rm->rtm_dst_len = p->len;
	/* the attribute below holds the whole number */
	rm->rtm_table = (uint8_t)table;
	rm->rtm_protocol = (uint8_t)fib->conf->fib_protocol;
	rm->rtm_scope = RT_SCOPE_UNIVERSE;
	/* a delete names the type too: the kernel matches it */
	rm->rtm_type = type != 0 ? type : RTN_UNICAST;
	put_attr(h, RTA_TABLE, &table, sizeof(table));
	put_attr(h, RTA_DST, p->addr, alen(p->family));
	if (op == FQ_DEL || n == 0)
		return;
	if (n == 1) {
		if (nh[0].gw.family != 0)
			put_attr(h, RTA_GATEWAY, nh[0].gw.addr,
			    alen(nh[0].gw.family));
		if (nh[0].ifindex != 0) {
			u = (uint32_t)nh[0].ifindex;
			put_attr(h, RTA_OIF, &u, sizeof(u));
		}
		return;
	}
	mp = put_attr(h, RTA_MULTIPATH | NLA_F_NESTED, NULL, 0);
	for (i = 0; i < n; i++) {
		rtnh = (struct rtnexthop *)((uint8_t *)h + h->nlmsg_len);
		memset(rtnh, 0, sizeof(*rtnh));
		rtnh->rtnh_ifindex = nh[i].ifindex;
		h->nlmsg_len += RTNH_ALIGN(sizeof(*rtnh));
		if (nh[i].gw.family != 0)
			put_attr(h, RTA_GATEWAY, nh[i].gw.addr,
			    alen(nh[i].gw.family));
		rtnh->rtnh_len = (unsigned short)((uint8_t *)h +
		    h->nlmsg_len - (uint8_t *)rtnh);
	}
	mp->rta_len = (unsigned short)((uint8_t *)h + h->nlmsg_len -
	    (uint8_t *)mp);
}

/* Appends one request for r to the output buffer. */
static void
emit(struct fib *fib, const struct prefix *p, int op, uint8_t type,
    const struct fib_nh *nh, int n)
{
	struct nlmsghdr		*h;
	struct fib_req		*q;

	h = (struct nlmsghdr *)(fib->obuf + fib->olen);
	build_req(fib, h, p, op, type, nh, n);
	/* NLM_F_ACK on the last of the write only: see write_out */
	h->nlmsg_seq = ++fib->seq;
	fib->olast = fib->olen;
	fib->olen += NLMSG_ALIGN(h->nlmsg_len);
	fib->onmsg++;

	q = &fib->ring[(fib->rhead + fib->rcount) % FIB_INFLIGHT_MAX];
	q->seq = fib->seq;
	q->op = (uint8_t)op;
	q->ack = false;
	q->prefix = *p;
	fib->rcount++;
}

/*
 * Brings one prefix to what it should be: at most one request. An
 * adopted route wanted unchanged only loses its stale mark.
 */
static void
sync_route(struct fib *fib, struct fib_route *r)
{
	struct fib_nh	nh[RIB_ECMP_MAX];
	uint8_t		type;
	int		n;

	n = want(fib, &r->prefix, &type, nh, NULL);
	if (r->flags & FR_HANDSOFF) {
		/* r keeps what it had when it was deleted */
		if (n >= 0 && same(r, type, nh, n))
			return;
		r->flags &= ~FR_HANDSOFF;
	}
	if (r->flags & FR_FOREIGN) {
		if (n < 0)
			route_free(fib, r);
		return;
	}
	if (n < 0) {
		if (!(r->flags & FR_KERNEL)) {
			route_free(fib, r);
			return;
		}
		if (r->flags & FR_STALE)
			return;		/* fib_sweep_stale decides */
		emit(fib, &r->prefix, FQ_DEL, r->type, NULL, 0);
		route_free(fib, r);
		return;
	}
	if ((r->flags & FR_KERNEL) && same(r, type, nh, n)) {
		r->flags &= ~FR_STALE;
		return;
	}
	/* until the peers have sent everything, an adopted route stays
	 * as it is: the first of its ECMP paths to come back would
	 * otherwise replace it for a moment */
	if (r->flags & FR_STALE)
		return;
	emit(fib, &r->prefix, (r->flags & FR_KERNEL) ? FQ_REPLACE : FQ_ADD,
	    type, nh, n);
	r->flags = (r->flags | FR_KERNEL) & ~(FR_STALE | FR_UNKNOWN);
	r->type = type;
	route_set_nh(r, nh, (size_t)n);
}

/* --- writing ------------------------------------------------------------ */

/* Writes the output buffer; false if it must wait (EAGAIN). */
static bool
write_out(struct fib *fib)
{
	ssize_t	w;

	if (fib->olen == 0)
		return true;
	/* the answer to the last request says the others before it that
	 * have none succeeded (it is the last of the ring) */
	((struct nlmsghdr *)(fib->obuf + fib->olast))->nlmsg_flags |=
	    NLM_F_ACK;
	fib->ring[(fib->rhead + fib->rcount - 1) % FIB_INFLIGHT_MAX].ack =
	    true;
	w = send(nl_socket_get_fd(fib->cmd), fib->obuf, fib->olen,
	    MSG_DONTWAIT);
	if (w == -1 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR)) {
		event_add(fib->ev_cmd_w, NULL);
		return false;
	}
	log_debugc(LOG_CAT_FIB, "wrote %zu requests, %zu bytes",
	    fib->onmsg, fib->olen);
	fib->olen = 0;
	fib->onmsg = 0;
	if (w == -1) {
		/* the requests are lost: start over from the kernel */
		log_warn("fib: netlink write");
		fib->rcount = 0;
		if (!fib->stopping)
			event_add(fib->ev_retry, &(struct timeval){ 1, 0 });
		return true;
	}
	/* rtnetlink has answered within the write, and told the monitor
	 * socket: read both before its buffer fills with our own news */
	read_answers(fib);
	if (!fib->stopping)
		mon_read_cb(nl_socket_get_fd(fib->mon), EV_READ, fib);
	return true;
}

static void
flush(struct fib *fib)
{
	struct fib_route	*r;
	size_t			 budget = FIB_BUDGET;

	if (fib->olen > 0 && !write_out(fib))
		return;
	/* a resync may start within write_out: then stop at once (the
	 * dirty marks wait for its end) */
	while (fib->dhead != NULL && budget > 0 && fib->rs == RS_NONE) {
		if (fib->rcount >= FIB_INFLIGHT_MAX ||
		    fib->olen + 4096 > FIB_WRITE_MAX) {
			if (!write_out(fib))
				return;
			if (fib->rcount >= FIB_INFLIGHT_MAX)
				return;	/* answers to come wake us */
		}
		r = fib->dhead;
		fib->dhead = r->dnext;
		if (fib->dhead == NULL)
			fib->dtail = NULL;
		fib->ndirty--;
		r->flags &= ~FR_DIRTY;
		sync_route(fib, r);
		budget--;
	}
	if (!write_out(fib))
		return;
	if (fib->dhead != NULL && fib->rs == RS_NONE)
		flush_schedule(fib);
}

static void
flush_cb(evutil_socket_t fd, short what, void *arg)
{
	flush(arg);
}

static void
flush_schedule(struct fib *fib)
{
	if (fib->started && !fib->stopping && fib->rs == RS_NONE)
		event_active(fib->ev_flush, EV_TIMEOUT, 0);
}

static void
cmd_write_cb(evutil_socket_t fd, short what, void *arg)
{
	flush(arg);
}

/* --- answers ------------------------------------------------------------ */

static const char *
op_name(int op)
{
	return op == FQ_ADD ? "add" : op == FQ_REPLACE ? "replace" :
	    "delete";
}

static void
answer(struct fib *fib, const struct fib_req *q, int error,
    const char *why)
{
	struct fib_route	*r;
	char			 buf[PREFIX_STRLEN];

	if (error == 0)
		return;
	r = route_find(fib, &q->prefix);
	pfx_str(&q->prefix, buf, sizeof(buf));
	if (q->op == FQ_DEL) {
		if (error == ESRCH)
			log_debugc(LOG_CAT_FIB, "%s was gone already",
			    buf);
		else {
			fib->errors++;
			log_rl_warnx(&fib->rl, "fib: delete %s: %s%s%s", buf,
			    strerror(error), why ? ": " : "", why ? why : "");
		}
		return;
	}
	if (q->op == FQ_ADD && error == EEXIST) {
		if (r != NULL && (r->flags & FR_KERNEL) &&
		    !(r->flags & FR_FOREIGN)) {
			log_warnx("fib: %s is held by a route of another "
			    "protocol in table %" PRIu32 ": leaving it alone",
			    buf, fib->conf->fib_table);
			r->flags = (r->flags | FR_FOREIGN) & ~FR_KERNEL;
		}
		return;
	}
	fib->errors++;
	log_rl_warnx(&fib->rl, "fib: %s %s: %s%s%s", op_name(q->op), buf,
	    strerror(error), why ? ": " : "", why ? why : "");
	if (r == NULL || !(r->flags & FR_KERNEL))
		return;
	if (q->op == FQ_ADD)
		r->flags &= ~FR_KERNEL;
	else
		r->flags |= FR_UNKNOWN;
}

/* The extended ack's message, if the kernel gave one. */
static const char *
ext_ack_msg(struct nlmsghdr *h)
{
	struct nlmsgerr	*e = NLMSG_DATA(h);
	struct nlattr	*a;
	size_t		 off;
	int		 rem;

	if (!(h->nlmsg_flags & NLM_F_ACK_TLVS))
		return NULL;
	off = sizeof(*e);
	if (!(h->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	if (NLMSG_HDRLEN + off >= h->nlmsg_len)
		return NULL;
	nla_for_each_attr(a, (struct nlattr *)((char *)e + NLMSG_ALIGN(off)),
	    (int)(h->nlmsg_len - NLMSG_HDRLEN - NLMSG_ALIGN(off)), rem)
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0) {
			char	*s = nla_data(a);

			s[nla_len(a) - 1] = '\0';
			return s;
		}
	return NULL;
}

static void
read_answers(struct fib *fib)
{
	struct nlmsghdr	*h;
	ssize_t		 n;
	int		 rem, fd = nl_socket_get_fd(fib->cmd);

	for (;;) {
		n = recv(fd, fib->rxbuf, FIB_RXBUF, MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				/* answers lost: the kernel's state is
				 * unknown, read it again */
				log_warnx("fib: answers lost (ENOBUFS): "
				    "resynchronising");
				fib->rcount = 0;
				full_resync(fib);
				return;
			}
			log_warn("fib: netlink read");
			break;
		}
		rem = (int)n;
		for (h = (struct nlmsghdr *)fib->rxbuf; nlmsg_ok(h, rem);
		    h = nlmsg_next(h, &rem)) {
			struct nlmsgerr	*e;

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			e = NLMSG_DATA(h);
			/* answers come in order: requests before this one
			 * without an answer succeeded, unless they asked
			 * for one */
			while (fib->rcount > 0 &&
			    fib->ring[fib->rhead].seq != h->nlmsg_seq) {
				if (fib->ring[fib->rhead].ack)
					log_warnx("fib: no answer to request "
					    "%" PRIu32,
					    fib->ring[fib->rhead].seq);
				fib->rhead = (fib->rhead + 1) %
				    FIB_INFLIGHT_MAX;
				fib->rcount--;
			}
			if (fib->rcount == 0) {
				log_debugc(LOG_CAT_FIB, "answer to unknown "
				    "request %" PRIu32, h->nlmsg_seq);
				continue;
			}
			answer(fib, &fib->ring[fib->rhead], -e->error,
			    ext_ack_msg(h));
			fib->rhead = (fib->rhead + 1) % FIB_INFLIGHT_MAX;
			fib->rcount--;
		}
	}
	if (fib->dhead != NULL)
		flush_schedule(fib);
}

static void
cmd_read_cb(evutil_socket_t fd, short what, void *arg)
{
	read_answers(arg);
}

/* --- the kernel's view -------------------------------------------------- */

static bool
nl_to_ipaddr(struct nl_addr *na, struct ipaddr *a)
{
	unsigned	len;

	memset(a, 0, sizeof(*a));
	if (na == NULL)
		return false;
	len = nl_addr_get_len(na);
	if ((nl_addr_get_family(na) != AF_INET || len != 4) &&
	    (nl_addr_get_family(na) != AF_INET6 || len != 16))
		return false;
	a->family = (uint8_t)nl_addr_get_family(na);
	memcpy(a->addr, nl_addr_get_binary_addr(na), len);
	return true;
}

/* A route message of the kernel, if in our table: prefix, protocol. */
static struct rtnl_route *
parse_route(const struct fib *fib, struct nlmsghdr *h, struct prefix *p)
{
	struct rtnl_route	*rt = NULL;
	struct nl_addr		*dst;
	struct rtmsg		*rm = NLMSG_DATA(h);

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rm)) ||
	    (rm->rtm_family != AF_INET && rm->rtm_family != AF_INET6) ||
	    (rm->rtm_flags & RTM_F_CLONED))
		return NULL;
	if (rtnl_route_parse(h, &rt) < 0)
		return NULL;
	if (rtnl_route_get_table(rt) != fib->conf->fib_table ||
	    (dst = rtnl_route_get_dst(rt)) == NULL ||
	    prefix_set(p, rtnl_route_get_family(rt),
	    nl_addr_get_binary_addr(dst), nl_addr_get_prefixlen(dst)) != 0) {
		rtnl_route_put(rt);
		return NULL;
	}
	return rt;
}

/* The kernel's route of ours into r's kernel state. */
static void
adopt_state(struct fib_route *r, struct rtnl_route *rt)
{
	struct fib_nh	nh[RIB_ECMP_MAX];
	int		i, n = 0, nn;

	nn = rtnl_route_get_nnexthops(rt);
	for (i = 0; i < nn && n < RIB_ECMP_MAX; i++) {
		struct rtnl_nexthop	*rnh = rtnl_route_nexthop_n(rt, i);

		memset(&nh[n], 0, sizeof(nh[n]));
		nl_to_ipaddr(rtnl_route_nh_get_gateway(rnh), &nh[n].gw);
		nh[n].ifindex = rtnl_route_nh_get_ifindex(rnh);
		n++;
	}
	qsort(nh, (size_t)n, sizeof(*nh), nh_cmp);
	route_set_nh(r, nh, (size_t)n);
	r->type = rtnl_route_get_type(rt);
	r->flags = (r->flags | FR_KERNEL) & ~(FR_FOREIGN | FR_UNKNOWN);
}

static void
on_route(struct fib *fib, struct nlmsghdr *h, bool dump)
{
	struct rtnl_route	*rt;
	struct fib_route	*r;
	struct prefix		 p;
	char			 buf[PREFIX_STRLEN];
	bool			 ours;

	/* the news of our own requests: nothing to learn, skip the parse */
	if (!dump && fib->cmd_port != 0 && h->nlmsg_pid == fib->cmd_port)
		return;
	if ((rt = parse_route(fib, h, &p)) == NULL)
		return;
	ours = rtnl_route_get_protocol(rt) == fib->conf->fib_protocol;
	pfx_str(&p, buf, sizeof(buf));
	if (dump && fib->rs == RS_ROUTES) {
		/* a notification read since the dump began is as new: the
		 * notifications of a prefix come in order, none is lost */
		if (ours) {
			r = route_get(fib, &p);
			if (!(r->flags & FR_SEEN)) {
				adopt_state(r, rt);
				r->flags |= FR_SEEN;
			}
		}
	} else if (dump) {
		if (ours) {
			r = route_get(fib, &p);
			adopt_state(r, rt);
			r->flags |= FR_STALE;
		}
	} else if (h->nlmsg_type == RTM_DELROUTE && ours &&
	    h->nlmsg_pid != fib->cmd_port) {
		r = route_find(fib, &p);
		if (r != NULL && fib->rs == RS_ROUTES)
			r->flags |= FR_SEEN;
		if (r != NULL && (r->flags & FR_KERNEL) &&
		    !(r->flags & FR_FOREIGN)) {
			r->flags &= ~FR_KERNEL;
			if (r->flags & FR_STALE)
				log_info("fib: adopted route %s was deleted",
				    buf);
			else if (!fib->conf->reinstall_deleted) {
				/* out until what we want for it changes */
				log_info("fib: route %s of ours was deleted "
				    "by someone else: leaving it out "
				    "(reinstall-deleted is off)", buf);
				r->flags |= FR_HANDSOFF;
				rtnl_route_put(rt);
				return;
			} else {
				log_info("fib: route %s of ours was deleted "
				    "by someone else: installing it again",
				    buf);
				fib->reinstalled++;
			}
			mark_dirty(fib, r);
		}
	} else if (h->nlmsg_type == RTM_NEWROUTE && ours &&
	    h->nlmsg_pid != fib->cmd_port) {
		/* someone else wrote a route with our number: take it as
		 * ours and put back what the RIB says */
		r = route_get(fib, &p);
		if (!(r->flags & FR_STALE))
			log_info("fib: route %s of ours was changed by someone "
			    "else: restoring it", buf);
		adopt_state(r, rt);
		if (fib->rs == RS_ROUTES)
			r->flags |= FR_SEEN;
		mark_dirty(fib, r);
	} else if (h->nlmsg_type == RTM_DELROUTE && !ours) {
		r = route_find(fib, &p);
		if (r != NULL && (r->flags & FR_FOREIGN)) {
			log_info("fib: the foreign route for %s is gone: "
			    "installing ours", buf);
			r->flags &= ~FR_FOREIGN;
			mark_dirty(fib, r);
		}
	} else if (h->nlmsg_type == RTM_NEWROUTE && !ours) {
		r = route_find(fib, &p);
		if (r != NULL && (r->flags & FR_KERNEL))
			log_debugc(LOG_CAT_FIB, "a route of protocol %u "
			    "for %s appeared beside ours",
			    rtnl_route_get_protocol(rt), buf);
	}
	rtnl_route_put(rt);
}

/* The index of fa in a list of addresses, n if not there. */
static size_t
addr_index(const struct fib_addr *addrs, size_t n, const struct fib_addr *fa)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (addrs[i].ifindex == fa->ifindex &&
		    prefix_eq(&addrs[i].net, &fa->net))
			break;
	return i;
}

/* Adds or deletes fa in a list of addresses; false if nothing changed. */
static bool
addr_apply(struct fib_addr **addrs, size_t *n, int type,
    const struct fib_addr *fa)
{
	size_t	i = addr_index(*addrs, *n, fa);

	if (type == RTM_NEWADDR && i == *n) {
		*addrs = xreallocarray(*addrs, *n + 1, sizeof(**addrs));
		(*addrs)[(*n)++] = *fa;
	} else if (type == RTM_DELADDR && i < *n)
		(*addrs)[i] = (*addrs)[--*n];
	else
		return false;
	return true;
}

/* The addresses of a link that is gone go with it. */
static void
addr_drop_link(struct fib_addr *addrs, size_t *n, int ifindex)
{
	size_t	i;

	for (i = 0; i < *n; )
		if (addrs[i].ifindex == ifindex)
			addrs[i] = addrs[--*n];
		else
			i++;
}

/*
 * An address dumped or notified. In a resynchronisation the dump builds
 * a new list, which replaces the old one at its end: an address deleted
 * while notifications were lost goes. Notifications meanwhile go to both.
 */
static void
on_addr(struct fib *fib, struct nlmsghdr *h, bool dump)
{
	struct ifaddrmsg	*ifa = NLMSG_DATA(h);
	struct nlattr		*a;
	struct fib_addr		 fa;
	const void		*addr = NULL;
	int			 rem;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifa)) ||
	    (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6))
		return;
	nlmsg_for_each_attr(a, h, sizeof(*ifa), rem)
		if (nla_type(a) == IFA_ADDRESS && nla_len(a) ==
		    (ifa->ifa_family == AF_INET ? 4 : 16))
			addr = nla_data(a);
	if (addr == NULL)
		return;
	memset(&fa, 0, sizeof(fa));
	fa.ifindex = (int)ifa->ifa_index;
	if (prefix_set(&fa.net, ifa->ifa_family, addr, ifa->ifa_prefixlen) !=
	    0)
		return;
	if (fib->rs == RS_ADDRS && dump) {
		if (addr_index(fib->rs_gone, fib->rs_ngone, &fa) ==
		    fib->rs_ngone)
			(void)addr_apply(&fib->rs_addrs, &fib->rs_naddrs,
			    RTM_NEWADDR, &fa);
		return;
	}
	if (fib->rs == RS_ADDRS) {
		(void)addr_apply(&fib->rs_addrs, &fib->rs_naddrs,
		    h->nlmsg_type, &fa);
		(void)addr_apply(&fib->rs_gone, &fib->rs_ngone,
		    h->nlmsg_type == RTM_DELADDR ? RTM_NEWADDR : RTM_DELADDR,
		    &fa);
	}
	if (!addr_apply(&fib->addrs, &fib->naddrs, h->nlmsg_type, &fa))
		return;
	/* next hops may resolve to another interface now */
	if (fib->started)
		event_add(fib->ev_soft, &(struct timeval){ 0, 200000 });
}

/*
 * The kernel drops IPv4 routes through a link that goes down without a
 * word (no RTM_DELROUTE): ours through it are of unknown state now, so
 * the next pass writes them whole again rather than trusting our view.
 */
static void
link_lost(struct fib *fib, int ifindex)
{
	struct fib_route	*r;
	size_t			 i, k;

	for (i = 0; i < fib->hsize; i++)
		for (r = fib->htab[i]; r != NULL; r = r->hnext) {
			if (!(r->flags & FR_KERNEL))
				continue;
			for (k = 0; k < r->nnh; k++)
				if (r->nh[k].ifindex == ifindex) {
					r->flags |= FR_UNKNOWN;
					mark_dirty(fib, r);
					break;
				}
		}
}

/*
 * The BGP next hops on a link's subnets become unreachable for the
 * decision process when it goes down, and known again when it comes
 * back: a prefix then fails over to a path through another link, not
 * only to the other members of its ECMP set. A walk of the RIB, but
 * links change rarely.
 */
static void
link_nexthops(struct fib *fib, int ifindex, bool up)
{
	struct rib_cursor	 c;
	struct rib_entry	 e;
	struct ipaddr		*nh = NULL;
	size_t			 i, k, n = 0, cap = 0;
	int			 aid;

	if (fib->rib == NULL)
		return;
	if (up) {
		/* what was told at the down, whatever the RIB holds now */
		for (k = 0; k < fib->nnh_down; ) {
			if (fib->nh_down[k].ifindex != ifindex) {
				k++;
				continue;
			}
			if (rib_nexthop_clear(fib->rib,
			    &fib->nh_down[k].gw) == -1)
				fatalx("out of memory");
			fib->nh_down[k] = fib->nh_down[--fib->nnh_down];
			n++;
		}
		if (n > 0 && fib->rib_changed != NULL)
			fib->rib_changed();
		return;
	}
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		rib_cursor_init(&c, (enum bgp_aid)aid);
		while (rib_dump_next(fib->rib, &c, &e) == 1)
			for (i = 0; i < e.npaths; i++) {
				const struct bgp_attr_set *a = e.paths[i].attr;

				if (a == NULL || a->nexthop.family == 0 ||
				    connected_ifindex(fib, &a->nexthop) !=
				    ifindex)
					continue;
				for (k = 0; k < n; k++)
					if (ipaddr_cmp(&nh[k], &a->nexthop) ==
					    0)
						break;
				if (k < n)
					continue;
				if (n == cap) {
					cap = cap ? cap * 2 : 8;
					nh = xreallocarray(nh, cap,
					    sizeof(*nh));
				}
				nh[n++] = a->nexthop;
			}
	}
	/* after the walk: the updates change the entries it looked at */
	for (k = 0; k < n; k++) {
		if (rib_nexthop_update(fib->rib, &nh[k], false, 0) == -1)
			fatalx("out of memory");
		fib->nh_down = xreallocarray(fib->nh_down, fib->nnh_down + 1,
		    sizeof(*fib->nh_down));
		fib->nh_down[fib->nnh_down].gw = nh[k];
		fib->nh_down[fib->nnh_down++].ifindex = ifindex;
	}
	free(nh);
	if (n > 0 && fib->rib_changed != NULL)
		fib->rib_changed();
}

/* Is ifindex in the list of links deleted since the link dump began? */
static size_t
dlink_index(const struct fib *fib, int ifindex)
{
	size_t	i;

	for (i = 0; i < fib->rs_ndlinks; i++)
		if (fib->rs_dlinks[i] == ifindex)
			break;
	return i;
}

/*
 * A link dumped or notified. In a resynchronisation, a notification read
 * since the dump began is newer than a dump entry read after it (the
 * kernel fills the next part of a dump ahead): that entry is ignored.
 */
static void
on_link(struct fib *fib, struct nlmsghdr *h, bool dump)
{
	struct ifinfomsg	*ifi = NLMSG_DATA(h);
	struct fib_link		*l;
	struct nlattr		*a;
	const char		*name = "?";
	bool			 up;
	size_t			 i;
	int			 rem;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*ifi)))
		return;
	up = (ifi->ifi_flags & IFF_UP) && (ifi->ifi_flags & IFF_RUNNING);
	nlmsg_for_each_attr(a, h, sizeof(*ifi), rem)
		if (nla_type(a) == IFLA_IFNAME && nla_len(a) > 0 &&
		    memchr(nla_data(a), '\0', (size_t)nla_len(a)) != NULL)
			name = nla_data(a);
	l = link_find(fib, ifi->ifi_index);
	if (fib->rs == RS_LINKS && dump && (l != NULL ? l->notified :
	    dlink_index(fib, ifi->ifi_index) < fib->rs_ndlinks))
		return;
	if (fib->rs == RS_LINKS && !dump) {
		i = dlink_index(fib, ifi->ifi_index);
		if (h->nlmsg_type == RTM_DELLINK && i == fib->rs_ndlinks) {
			fib->rs_dlinks = xreallocarray(fib->rs_dlinks,
			    fib->rs_ndlinks + 1, sizeof(*fib->rs_dlinks));
			fib->rs_dlinks[fib->rs_ndlinks++] = ifi->ifi_index;
		} else if (h->nlmsg_type != RTM_DELLINK &&
		    i < fib->rs_ndlinks)
			fib->rs_dlinks[i] = fib->rs_dlinks[--fib->rs_ndlinks];
	}
	if (l != NULL) {
		l->seen = true;		/* the kernel has it */
		l->notified = l->notified || (fib->rs == RS_LINKS && !dump);
	}
	if (h->nlmsg_type == RTM_DELLINK) {
		if (l == NULL)
			return;
		*l = fib->links[--fib->nlinks];
		addr_drop_link(fib->addrs, &fib->naddrs, ifi->ifi_index);
		addr_drop_link(fib->rs_addrs, &fib->rs_naddrs,
		    ifi->ifi_index);
	} else if (l == NULL) {
		fib->links = xreallocarray(fib->links, fib->nlinks + 1,
		    sizeof(*fib->links));
		l = &fib->links[fib->nlinks++];
		l->ifindex = ifi->ifi_index;
		l->up = up;
		l->seen = true;
		l->notified = fib->rs == RS_LINKS && !dump;
		snprintf(l->name, sizeof(l->name), "%s", name);
	} else if (l->up != up) {
		l->up = up;
		snprintf(l->name, sizeof(l->name), "%s", name);
		log_info("fib: link %s is %s: its next hops are %s", l->name,
		    up ? "up" : "down", up ? "usable again" : "left out");
		if (!up)
			link_lost(fib, ifi->ifi_index);
		link_nexthops(fib, ifi->ifi_index, up);
	} else
		return;
	if (fib->started)
		event_add(fib->ev_soft, &(struct timeval){ 0, 200000 });
}

static void
on_msg(struct fib *fib, struct nlmsghdr *h, bool dump)
{
	switch (h->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		on_route(fib, h, dump);
		/* a route of another protocol may carry a next hop of ours */
		if (!dump && h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct
		    rtmsg)) && ((struct rtmsg *)NLMSG_DATA(h))->rtm_protocol !=
		    fib->conf->fib_protocol)
			rnh_recheck(fib);
		break;
	case RTM_NEWADDR:
	case RTM_DELADDR:
		on_addr(fib, h, dump);
		if (!dump)
			rnh_recheck(fib);
		break;
	case RTM_NEWLINK:
	case RTM_DELLINK:
		on_link(fib, h, dump);
		if (!dump)
			rnh_recheck(fib);
		break;
	}
}

/* One dump over the sync socket, blocking. 0, or -1 (logged). */
static int
dump(struct fib *fib, int type, int family)
{
	struct rtgenmsg	 g = { .rtgen_family = (unsigned char)family };
	struct nlmsghdr	*h;
	ssize_t		 n;
	int		 rem, fd = nl_socket_get_fd(fib->sync), err;

	if ((err = nl_send_simple(fib->sync, type, NLM_F_DUMP, &g,
	    sizeof(g))) < 0) {
		log_warnx("fib: netlink dump request: %s", nl_geterror(err));
		return -1;
	}
	for (;;) {
		n = recv(fd, fib->rxbuf, FIB_RXBUF, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_warn("fib: netlink dump");
			return -1;
		}
		rem = (int)n;
		for (h = (struct nlmsghdr *)fib->rxbuf; nlmsg_ok(h, rem);
		    h = nlmsg_next(h, &rem)) {
			if (h->nlmsg_type == NLMSG_DONE)
				return 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr	*e = NLMSG_DATA(h);

				if (e->error == 0)
					return 0;
				errno = -e->error;
				log_warn("fib: netlink dump");
				return -1;
			}
			on_msg(fib, h, true);
		}
	}
}

/* --- recursive next hops ------------------------------------------------ */

/*
 * Asks the kernel which route it uses for rnh->addr (RTM_GETROUTE with
 * RTM_F_FIB_MATCH: the whole route, every path of a multipath one) and
 * takes its gateways. A route of ours does not resolve: BGP is not
 * resolved through BGP. The default route does unless the configuration
 * says otherwise (FRR's default): nodes commonly reach each other's
 * InternalIPs only through it. Blocking, but one short exchange per
 * next hop.
 */
static void
rnh_resolve(struct fib *fib, struct fib_rnh *rnh)
{
	struct {
		struct nlmsghdr	h;
		struct rtmsg	rm;
		struct rtattr	ra;
		uint8_t		addr[16];
	} req;
	uint8_t			 rx[8192];
	struct rtnl_route	*rt = NULL;
	struct nlmsghdr		*h;
	struct nl_addr		*dst;
	size_t			 alen = rnh->addr.family == AF_INET ? 4 : 16;
	ssize_t			 n;
	int			 fd = nl_socket_get_fd(fib->sync), rem, i, nn;

	rnh->resolved = false;
	rnh->nnh = 0;
	rnh->metric = 0;
	memset(&rnh->via, 0, sizeof(rnh->via));
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = (uint32_t)NLMSG_LENGTH(sizeof(req.rm) +
	    RTA_LENGTH(alen));
	req.h.nlmsg_type = RTM_GETROUTE;
	req.h.nlmsg_flags = NLM_F_REQUEST;
	req.h.nlmsg_seq = ++fib->seq;
	req.rm.rtm_family = rnh->addr.family;
	req.rm.rtm_dst_len = (unsigned char)(alen * 8);
	req.rm.rtm_flags = RTM_F_FIB_MATCH;
	req.ra.rta_type = RTA_DST;
	req.ra.rta_len = (unsigned short)RTA_LENGTH(alen);
	memcpy(req.addr, rnh->addr.addr, alen);
	if (send(fd, &req, req.h.nlmsg_len, 0) == -1) {
		log_warn("fib: next hop lookup");
		return;
	}
	do
		n = recv(fd, rx, sizeof(rx), 0);
	while (n == -1 && errno == EINTR);
	if (n <= 0)
		return;
	rem = (int)n;
	for (h = (struct nlmsghdr *)rx; nlmsg_ok(h, rem);
	    h = nlmsg_next(h, &rem)) {
		if (h->nlmsg_type == RTM_NEWROUTE &&
		    rtnl_route_parse(h, &rt) >= 0)
			break;
		/* an error (unreachable, blackhole...): not resolved */
		return;
	}
	if (rt == NULL)
		return;
	dst = rtnl_route_get_dst(rt);
	if (dst == NULL || rtnl_route_get_type(rt) != RTN_UNICAST ||
	    rtnl_route_get_protocol(rt) == fib->conf->fib_protocol ||
	    (nl_addr_get_prefixlen(dst) == 0 &&
	    !fib->conf->resolve_via_default) ||
	    prefix_set(&rnh->via, rnh->addr.family,
	    nl_addr_get_binary_addr(dst), nl_addr_get_prefixlen(dst)) != 0) {
		rtnl_route_put(rt);
		return;
	}
	rnh->metric = rtnl_route_get_priority(rt);
	nn = rtnl_route_get_nnexthops(rt);
	for (i = 0; i < nn && rnh->nnh < FIB_RNH_PATHS; i++) {
		struct rtnl_nexthop	*rn = rtnl_route_nexthop_n(rt, i);
		struct fib_nh		*nh = &rnh->nh[rnh->nnh];

		memset(nh, 0, sizeof(*nh));
		if (!nl_to_ipaddr(rtnl_route_nh_get_gateway(rn), &nh->gw) ||
		    nh->gw.family != rnh->addr.family)
			/* a device route: the next hop is on that link */
			nh->gw = rnh->addr;
		nh->ifindex = rtnl_route_nh_get_ifindex(rn);
		if (nh->ifindex != 0 && link_usable(fib, nh->ifindex))
			rnh->nnh++;
	}
	rtnl_route_put(rt);
	qsort(rnh->nh, rnh->nnh, sizeof(rnh->nh[0]), nh_cmp);
	rnh->resolved = rnh->nnh > 0;
}

static bool
rnh_same(const struct fib_rnh *a, const struct fib_rnh *b)
{
	return a->resolved == b->resolved && a->metric == b->metric &&
	    a->nnh == b->nnh && prefix_eq(&a->via, &b->via) &&
	    memcmp(a->nh, b->nh, a->nnh * sizeof(a->nh[0])) == 0;
}

static void
rnh_log(const struct fib_rnh *rnh)
{
	char	a[IPADDR_STRLEN], v[PREFIX_STRLEN], g[IPADDR_STRLEN];

	ipaddr_fmt(&rnh->addr, a, sizeof(a));
	if (!rnh->resolved)
		log_info("fib: next hop %s is unresolved: no route of "
		    "another protocol leads to it; its routes are unusable",
		    a);
	else
		log_info("fib: next hop %s resolves through %s: %u "
		    "gateways, the first %s", a,
		    prefix_fmt(&rnh->via, v, sizeof(v)), rnh->nnh,
		    ipaddr_fmt(&rnh->nh[0].gw, g, sizeof(g)));
}

/* The cache entry of next hop a, or NULL: no lookup is made. */
static struct fib_rnh *
rnh_find(const struct fib *fib, const struct ipaddr *a)
{
	size_t	i;

	for (i = 0; i < fib->nrnh; i++)
		if (ipaddr_cmp(&fib->rnh[i].addr, a) == 0)
			return &fib->rnh[i];
	return NULL;
}

/*
 * The cache entry of next hop a, resolved on first use. The RIB hears of
 * its reachability later (rnh_tell_cb): the caller may be in the middle
 * of a RIB entry that the news would change.
 */
static struct fib_rnh *
rnh_get(struct fib *fib, const struct ipaddr *a)
{
	struct fib_rnh	*rnh;

	if ((rnh = rnh_find(fib, a)) != NULL)
		return rnh;
	if (fib->sync == NULL)
		return NULL;
	fib->rnh = xreallocarray(fib->rnh, fib->nrnh + 1, sizeof(*fib->rnh));
	rnh = &fib->rnh[fib->nrnh++];
	memset(rnh, 0, sizeof(*rnh));
	rnh->addr = *a;
	rnh_resolve(fib, rnh);
	rnh_log(rnh);
	if (!rnh->resolved && fib->ev_rnh_tell != NULL)
		event_active(fib->ev_rnh_tell, EV_TIMEOUT, 0);
	else
		rnh->told = true;	/* reachable is the RIB's default */
	return rnh;
}

/* Tells the RIB which next hops are reachable now. */
static void
rnh_tell_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fib	*fib = arg;
	size_t		 i;

	for (i = 0; i < fib->nrnh; i++) {
		struct fib_rnh	*rnh = &fib->rnh[i];

		if (rnh->told)
			continue;
		rnh->told = true;
		if (rib_nexthop_update(fib->rib, &rnh->addr, rnh->resolved,
		    rnh->metric) == -1)
			fatalx("out of memory");
	}
	/* the RIB's changes come back through fib_rib_changes */
	if (fib->rib_changed != NULL)
		fib->rib_changed();
}

void
fib_set_rib_changed(struct fib *fib, void (*cb)(void))
{
	fib->rib_changed = cb;
}

/* Routes, addresses or links changed: every next hop is looked up again. */
static void
rnh_check_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fib	*fib = arg;
	struct fib_rnh	 old;
	size_t		 i;
	bool		 moved = false, tell = false;

	for (i = 0; i < fib->nrnh; i++) {
		struct fib_rnh	*rnh = &fib->rnh[i];

		old = *rnh;
		rnh_resolve(fib, rnh);
		if (rnh_same(&old, rnh))
			continue;
		rnh_log(rnh);
		moved = true;
		if (old.resolved != rnh->resolved ||
		    old.metric != rnh->metric) {
			rnh->told = false;
			tell = true;
		}
	}
	if (tell)
		event_active(fib->ev_rnh_tell, EV_TIMEOUT, 0);
	if (moved)
		soft_resync(fib);
}

/*
 * Something the resolution depends on changed. The check waits a little
 * so a burst costs one pass, and a burst that goes on does not postpone
 * it: the timer is only set when not set already.
 */
static void
rnh_recheck(struct fib *fib)
{
	struct timeval	tv = { 0, 100000 };

	if (fib->nrnh == 0 || fib->ev_rnh == NULL ||
	    evtimer_pending(fib->ev_rnh, NULL))
		return;
	evtimer_add(fib->ev_rnh, &tv);
}

static void
mon_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fib	*fib = arg;
	struct nlmsghdr	*h;
	ssize_t		 n;
	int		 rem;
	bool		 lost = false;

	for (;;) {
		n = recv(fd, fib->rxbuf, FIB_RXBUF, MSG_DONTWAIT);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == ENOBUFS) {
				log_warnx("fib: kernel notifications lost "
				    "(ENOBUFS): resynchronising");
				lost = true;
				continue;
			}
			log_warn("fib: netlink monitor read");
			break;
		}
		rem = (int)n;
		for (h = (struct nlmsghdr *)fib->rxbuf; nlmsg_ok(h, rem);
		    h = nlmsg_next(h, &rem))
			on_msg(fib, h, false);
	}
	/*
	 * Only now: what was queued before the loss is older than what was
	 * lost. Read during the resync it would count as news (FR_SEEN,
	 * notified), newer than the dump.
	 */
	if (lost)
		full_resync(fib);
}

/* --- resynchronisation -------------------------------------------------- */

/* Every prefix we have, the RIB has, or is our own: dirty. */
static void
soft_resync(struct fib *fib)
{
	struct rib_cursor	c;
	struct rib_entry	e;
	struct fib_route	*r;
	size_t			i;
	int			aid;

	for (i = 0; i < fib->hsize; i++)
		for (r = fib->htab[i]; r != NULL; r = r->hnext)
			mark_dirty(fib, r);
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		rib_cursor_init(&c, (enum bgp_aid)aid);
		while (rib_dump_next(fib->rib, &c, &e) == 1)
			if (e.nbest > 0)
				dirty_prefix(fib, &e.prefix);
	}
	for (i = 0; i < fib->nown; i++)
		dirty_prefix(fib, &fib->own[i]);
}

/*
 * Full resynchronisation, when the kernel's state is unknown (a lost
 * notification or answer): links, addresses and routes are dumped again
 * on their own socket, read from the loop a budget at a time, so the
 * sessions are served meanwhile; the monitor keeps being read. Nothing
 * is written until the end, then every prefix is compared.
 */

/* Drops the dump socket and what was half learned from it. */
static void
rs_close(struct fib *fib)
{
	struct fib_route	*r;
	size_t			 i;

	if (fib->ev_rs != NULL)
		event_free(fib->ev_rs);
	fib->ev_rs = NULL;
	if (fib->rs_sock != NULL)
		nl_socket_free(fib->rs_sock);
	fib->rs_sock = NULL;
	free(fib->rs_addrs);
	fib->rs_addrs = NULL;
	fib->rs_naddrs = 0;
	free(fib->rs_gone);
	fib->rs_gone = NULL;
	fib->rs_ngone = 0;
	free(fib->rs_dlinks);
	fib->rs_dlinks = NULL;
	fib->rs_ndlinks = 0;
	if (fib->rs == RS_ROUTES)
		for (i = 0; i < fib->hsize; i++)
			for (r = fib->htab[i]; r != NULL; r = r->hnext)
				r->flags &= ~FR_SEEN;
}

/* A dump failed: try again in a second, writing nothing meanwhile. */
static void
rs_fail(struct fib *fib)
{
	rs_close(fib);
	fib->rs = RS_RETRY;
	event_add(fib->ev_retry, &(struct timeval){ 1, 0 });
}

static int
rs_request(struct fib *fib, int type)
{
	struct rtgenmsg	g = { .rtgen_family = AF_UNSPEC };
	int		err;

	if ((err = nl_send_simple(fib->rs_sock, type, NLM_F_DUMP, &g,
	    sizeof(g))) < 0) {
		log_warnx("fib: netlink dump request: %s", nl_geterror(err));
		return -1;
	}
	return 0;
}

/* The links the dump did not list are gone. */
static void
links_sweep(struct fib *fib)
{
	size_t	i;

	for (i = 0; i < fib->nlinks; )
		if (!fib->links[i].seen) {
			log_info("fib: link %s is gone", fib->links[i].name);
			addr_drop_link(fib->addrs, &fib->naddrs,
			    fib->links[i].ifindex);
			fib->links[i] = fib->links[--fib->nlinks];
		} else
			i++;
}

/*
 * The route dump is done: a route of ours neither dumped nor notified
 * is not in the kernel. Then every prefix is compared and written.
 */
static void
rs_finish(struct fib *fib)
{
	struct fib_route	*r;
	size_t			 i, nk = 0, nd = fib->ndirty;

	for (i = 0; i < fib->hsize; i++)
		for (r = fib->htab[i]; r != NULL; r = r->hnext) {
			if (r->flags & FR_SEEN)
				r->flags &= ~FR_SEEN;
			else
				r->flags &= ~(FR_KERNEL | FR_STALE |
				    FR_FOREIGN | FR_UNKNOWN);
			if ((r->flags & (FR_KERNEL | FR_FOREIGN)) == FR_KERNEL)
				nk++;
		}
	fib->rs = RS_NONE;
	rs_close(fib);
	fib->resyncs++;
	log_info("fib: resynchronised: %zu routes of ours in the kernel, "
	    "%zu dirty, in %" PRIu64 " ms", nk, nd,
	    log_now_ms() - fib->rs_start_ms);
	rnh_recheck(fib);
	soft_resync(fib);
	/* marks set during the resync did not schedule a flush */
	if (fib->dhead != NULL)
		flush_schedule(fib);
}

/* A dump is done: the next one, or the end. */
static void
rs_next(struct fib *fib)
{
	switch (fib->rs) {
	case RS_LINKS:
		links_sweep(fib);
		fib->rs = RS_ADDRS;
		if (rs_request(fib, RTM_GETADDR) == -1)
			rs_fail(fib);
		break;
	case RS_ADDRS:
		free(fib->addrs);
		fib->addrs = fib->rs_addrs;
		fib->naddrs = fib->rs_naddrs;
		fib->rs_addrs = NULL;
		fib->rs_naddrs = 0;
		fib->rs = RS_ROUTES;
		if (rs_request(fib, RTM_GETROUTE) == -1)
			rs_fail(fib);
		break;
	case RS_ROUTES:
		rs_finish(fib);
		break;
	default:
		break;
	}
}

static void
rs_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fib	*fib = arg;
	struct nlmsghdr	*h;
	struct nlmsgerr	*e;
	ssize_t		 n;
	size_t		 budget = FIB_RS_BUDGET;
	int		 rem;

	/* level-triggered: what is left wakes us on the next turn */
	while (budget > 0) {
		n = recv(fd, fib->rxbuf, FIB_RXBUF, MSG_DONTWAIT);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			if (n == 0)
				log_warnx("fib: netlink dump: end of file");
			else
				log_warn("fib: netlink dump");
			rs_fail(fib);
			return;
		}
		rem = (int)n;
		for (h = (struct nlmsghdr *)fib->rxbuf; nlmsg_ok(h, rem);
		    h = nlmsg_next(h, &rem)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				rs_next(fib);
				return;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				e = NLMSG_DATA(h);
				if (e->error == 0) {
					rs_next(fib);
					return;
				}
				errno = -e->error;
				log_warn("fib: netlink dump");
				rs_fail(fib);
				return;
			}
			on_msg(fib, h, true);
			if (budget > 0)
				budget--;
		}
	}
}

/* Starts a resynchronisation, or the one running over again. */
static void
full_resync(struct fib *fib)
{
	size_t	i;

	if (!fib->started || fib->stopping)
		return;
	evtimer_del(fib->ev_retry);
	if (fib->rs == RS_NONE) {
		log_info("fib: resynchronising with the kernel");
		fib->rs_start_ms = log_now_ms();
	} else if (fib->rs != RS_RETRY)
		log_info("fib: resynchronisation starts over");
	rs_close(fib);
	/*
	 * Requests computed but not written: dropped, the dump tells what
	 * the kernel has. Those written are in the kernel before the dump
	 * starts: rtnetlink handles a write within it.
	 */
	if (fib->olen > 0) {
		fib->rcount = fib->rcount > fib->onmsg ?
		    fib->rcount - fib->onmsg : 0;
		fib->olen = 0;
		fib->onmsg = 0;
	}
	for (i = 0; i < fib->nlinks; i++)
		fib->links[i].seen = fib->links[i].notified = false;
	fib->rs = RS_LINKS;
	if ((fib->rs_sock = open_sock("dump", true)) == NULL ||
	    rs_request(fib, RTM_GETLINK) == -1) {
		rs_fail(fib);
		return;
	}
	fib->ev_rs = event_new(fib->base, nl_socket_get_fd(fib->rs_sock),
	    EV_READ | EV_PERSIST, rs_read_cb, fib);
	if (fib->ev_rs == NULL || event_add(fib->ev_rs, NULL) == -1)
		fatalx("fib: cannot set up events");
}

static void
soft_cb(evutil_socket_t fd, short what, void *arg)
{
	soft_resync(arg);
}

static void
retry_cb(evutil_socket_t fd, short what, void *arg)
{
	full_resync(arg);
}

static void
stale_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fib	*fib = arg;

	log_info("fib: stale timer expired");
	fib_sweep_stale(fib);
}

/* --- API ---------------------------------------------------------------- */

struct fib *
fib_new(struct event_base *base, const struct conf *conf, struct rib *rib)
{
	struct fib	*fib;

	fib = xcalloc(1, sizeof(*fib));
	fib->base = base;
	fib->conf = conf;
	fib->rib = rib;
	fib->hsize = 1024;
	fib->htab = xcalloc(fib->hsize, sizeof(*fib->htab));
	fib->obuf = xmalloc(FIB_WRITE_MAX);
	fib->rxbuf = xmalloc(FIB_RXBUF);
	log_rl_init(&fib->rl, 10, 1000);
	return fib;
}

static struct nl_sock *
open_sock(const char *what, bool nonblock)
{
	struct nl_sock	*sk;
	int		 err, fd, one = 1, sz = FIB_RCVBUF;
	int		 wsz = FIB_WRITE_MAX + 4096;

	if ((sk = nl_socket_alloc()) == NULL)
		fatalx("out of memory");
	if ((err = nl_connect(sk, NETLINK_ROUTE)) < 0) {
		log_warnx("fib: netlink %s socket: %s", what,
		    nl_geterror(err));
		nl_socket_free(sk);
		return NULL;
	}
	fd = nl_socket_get_fd(sk);
	if (nonblock)
		nl_socket_set_nonblocking(sk);
	/* more than rmem_max if we may (CAP_NET_ADMIN) */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	/* a write is one message to the kernel: it must fit (libnl sets
	 * 32 KiB) */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &wsz,
	    sizeof(wsz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &wsz, sizeof(wsz));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return sk;
}

/*
 * The news of our own requests (nlmsg_pid the request socket's port)
 * tells nothing, see on_route, and would cost a copy queued for each
 * route written and a read: the kernel drops it before it is queued.
 * Failing that, on_route skips it as before.
 */
static void
mon_filter(struct fib *fib)
{
	struct sock_filter	code[] = {
		/* the word is loaded in network order: compare likewise */
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
		    offsetof(struct nlmsghdr, nlmsg_pid)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, htonl(fib->cmd_port),
		    0, 1),
		BPF_STMT(BPF_RET | BPF_K, 0),
		BPF_STMT(BPF_RET | BPF_K, 0xffffffff),
	};
	struct sock_fprog	prog = { sizeof(code) / sizeof(code[0]), code };

	if (fib->cmd_port == 0)
		return;
	if (setsockopt(nl_socket_get_fd(fib->mon), SOL_SOCKET,
	    SO_ATTACH_FILTER, &prog, sizeof(prog)) == -1)
		log_debugc(LOG_CAT_FIB, "no socket filter on the monitor: %s",
		    strerror(errno));
}

int
fib_start(struct fib *fib)
{
	struct fib_route	*r;
	size_t			 i, nstale = 0;
	int			 err, prio;

	if ((fib->cmd = open_sock("request", true)) == NULL ||
	    (fib->mon = open_sock("monitor", true)) == NULL ||
	    (fib->sync = open_sock("dump", false)) == NULL)
		return -1;
	fib->cmd_port = nl_socket_get_local_port(fib->cmd);
	mon_filter(fib);
	/* subscribe before reading, so nothing falls in between */
	if ((err = nl_socket_add_memberships(fib->mon, RTNLGRP_LINK,
	    RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE,
	    RTNLGRP_IPV6_ROUTE, 0)) < 0) {
		log_warnx("fib: netlink subscription: %s", nl_geterror(err));
		return -1;
	}
	if (dump(fib, RTM_GETLINK, AF_UNSPEC) == -1 ||
	    dump(fib, RTM_GETADDR, AF_UNSPEC) == -1 ||
	    dump(fib, RTM_GETROUTE, AF_UNSPEC) == -1)
		return -1;
	for (i = 0; i < fib->hsize; i++)
		for (r = fib->htab[i]; r != NULL; r = r->hnext)
			nstale++;
	fib->ev_cmd = event_new(fib->base, nl_socket_get_fd(fib->cmd),
	    EV_READ | EV_PERSIST, cmd_read_cb, fib);
	fib->ev_cmd_w = event_new(fib->base, nl_socket_get_fd(fib->cmd),
	    EV_WRITE, cmd_write_cb, fib);
	fib->ev_mon = event_new(fib->base, nl_socket_get_fd(fib->mon),
	    EV_READ | EV_PERSIST, mon_read_cb, fib);
	fib->ev_flush = event_new(fib->base, -1, 0, flush_cb, fib);
	fib->ev_stale = evtimer_new(fib->base, stale_cb, fib);
	fib->ev_soft = evtimer_new(fib->base, soft_cb, fib);
	fib->ev_retry = evtimer_new(fib->base, retry_cb, fib);
	fib->ev_rnh = evtimer_new(fib->base, rnh_check_cb, fib);
	fib->ev_rnh_tell = event_new(fib->base, -1, 0, rnh_tell_cb, fib);
	if (fib->ev_cmd == NULL || fib->ev_cmd_w == NULL ||
	    fib->ev_mon == NULL || fib->ev_flush == NULL ||
	    fib->ev_stale == NULL || fib->ev_soft == NULL ||
	    fib->ev_retry == NULL || fib->ev_rnh == NULL ||
	    fib->ev_rnh_tell == NULL)
		fatalx("fib: cannot set up events");
	/*
	 * Writing routes is the kernel's work in our thread: it waits while
	 * sessions have messages to handle (the lowest priority of the base),
	 * so a burst reaches the Loc-RIB and the peers first. The monitor
	 * keeps the default, its socket must not overflow meanwhile.
	 */
	if ((prio = event_base_get_npriorities(fib->base)) > 1 &&
	    (event_priority_set(fib->ev_flush, prio - 1) == -1 ||
	    event_priority_set(fib->ev_cmd, prio - 1) == -1 ||
	    event_priority_set(fib->ev_cmd_w, prio - 1) == -1))
		fatalx("fib: cannot set event priorities");
	if (event_add(fib->ev_cmd, NULL) == -1 ||
	    event_add(fib->ev_mon, NULL) == -1)
		fatalx("fib: cannot set up events");
	fib->started = true;
	log_info("fib: table %" PRIu32 ", protocol %" PRIu32 ": %zu routes "
	    "of ours adopted as stale", fib->conf->fib_table,
	    fib->conf->fib_protocol, nstale);
	if (nstale > 0)
		event_add(fib->ev_stale,
		    &(struct timeval){ (time_t)fib->conf->stale_time, 0 });
	/* what is known already (own CIDRs, routes) */
	soft_resync(fib);
	return 0;
}

void
fib_rib_changes(const struct rib_change *chg, size_t n, void *arg)
{
	struct fib	*fib = arg;
	size_t		 i;

	if (!fib->started || fib->stopping)
		return;
	for (i = 0; i < n; i++)
		dirty_prefix(fib, &chg[i].prefix);
}

void
fib_rib_resync(void *arg)
{
	struct fib	*fib = arg;

	if (!fib->started || fib->stopping)
		return;
	log_info("fib: change records lost: comparing the whole RIB");
	soft_resync(fib);
}

int
fib_set_own_prefixes(struct fib *fib, const struct prefix *p, size_t n)
{
	struct prefix	*old = fib->own;
	size_t		 nold = fib->nown, i;

	fib->own = NULL;
	if (n > 0) {
		if ((fib->own = reallocarray(NULL, n, sizeof(*p))) == NULL) {
			fib->own = old;
			return -1;
		}
		memcpy(fib->own, p, n * sizeof(*p));
	}
	fib->nown = n;
	if (fib->started && !fib->stopping) {
		for (i = 0; i < nold; i++)
			dirty_prefix(fib, &old[i]);
		for (i = 0; i < n; i++)
			dirty_prefix(fib, &p[i]);
	}
	free(old);
	return 0;
}

void
fib_sweep_stale(struct fib *fib)
{
	struct fib_route	*r;
	size_t			 i, n = 0;

	if (!fib->started || fib->stopping)
		return;
	evtimer_del(fib->ev_stale);
	for (i = 0; i < fib->hsize; i++)
		for (r = fib->htab[i]; r != NULL; r = r->hnext)
			if (r->flags & FR_STALE) {
				/* not wanted any more, else not stale */
				r->flags &= ~FR_STALE;
				mark_dirty(fib, r);
				n++;
			}
	log_info("fib: %zu stale routes to remove unless learned "
	    "again", n);
}

void
fib_stop(struct fib *fib, bool flush_routes)
{
	struct fib_route	*r;
	struct pollfd		 pfd;
	size_t			 i;

	if (!fib->started || fib->stopping)
		return;
	fib->stopping = true;
	rs_close(fib);
	fib->rs = RS_NONE;
	event_del(fib->ev_flush);
	event_del(fib->ev_stale);
	event_del(fib->ev_soft);
	event_del(fib->ev_retry);
	event_del(fib->ev_rnh);
	event_del(fib->ev_rnh_tell);
	event_del(fib->ev_mon);
	event_del(fib->ev_cmd);
	event_del(fib->ev_cmd_w);
	/* what is queued is not written: the routes stay as they are */
	while ((r = fib->dhead) != NULL) {
		fib->dhead = r->dnext;
		r->flags &= ~FR_DIRTY;
	}
	fib->dtail = NULL;
	fib->ndirty = 0;
	if (!flush_routes) {
		log_info("fib: leaving %zu routes in the kernel",
		    fib->nroutes);
		return;
	}
	log_info("fib: removing our routes");
	pfd.fd = nl_socket_get_fd(fib->cmd);
	pfd.events = POLLIN;
	for (i = 0; i < fib->hsize; i++)
		for (r = fib->htab[i]; r != NULL; r = r->hnext) {
			if (!(r->flags & FR_KERNEL) || (r->flags & FR_FOREIGN))
				continue;
			while (fib->rcount >= FIB_INFLIGHT_MAX ||
			    fib->olen + 4096 > FIB_WRITE_MAX) {
				if (fib->olen > 0 && !write_out(fib))
					(void)poll(&(struct pollfd){ pfd.fd,
					    POLLOUT, 0 }, 1, 1000);
				else if (poll(&pfd, 1, 1000) <= 0)
					fib->rcount = 0;
				else
					read_answers(fib);
			}
			emit(fib, &r->prefix, FQ_DEL, r->type, NULL, 0);
			r->flags &= ~FR_KERNEL;
		}
	while (fib->olen > 0 && !write_out(fib))
		(void)poll(&(struct pollfd){ pfd.fd, POLLOUT, 0 }, 1, 1000);
	while (fib->rcount > 0 && poll(&pfd, 1, 1000) > 0)
		read_answers(fib);
}

void
fib_free(struct fib *fib)
{
	struct fib_route	*r, *next;
	struct event		*evs[9];
	struct nl_sock		*socks[3];
	size_t			 i;

	if (fib == NULL)
		return;
	fib->rs = RS_NONE;
	rs_close(fib);
	evs[0] = fib->ev_cmd;
	evs[1] = fib->ev_cmd_w;
	evs[2] = fib->ev_mon;
	evs[3] = fib->ev_flush;
	evs[4] = fib->ev_stale;
	evs[5] = fib->ev_soft;
	evs[6] = fib->ev_retry;
	evs[7] = fib->ev_rnh;
	evs[8] = fib->ev_rnh_tell;
	socks[0] = fib->cmd;
	socks[1] = fib->mon;
	socks[2] = fib->sync;
	for (i = 0; i < fib->hsize; i++)
		for (r = fib->htab[i]; r != NULL; r = next) {
			next = r->hnext;
			if (r->nh != &r->nh1)
				free(r->nh);
			free(r);
		}
	free(fib->htab);
	for (i = 0; i < sizeof(evs) / sizeof(evs[0]); i++)
		if (evs[i] != NULL)
			event_free(evs[i]);
	for (i = 0; i < sizeof(socks) / sizeof(socks[0]); i++)
		if (socks[i] != NULL)
			nl_socket_free(socks[i]);
	free(fib->own);
	free(fib->addrs);
	free(fib->links);
	free(fib->rnh);
	free(fib->nh_down);
	free(fib->obuf);
	free(fib->rxbuf);
	free(fib);
}

void
fib_get_stats(const struct fib *fib, struct fib_stats *s)
{
	struct fib_route	*r;
	size_t			 i;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < fib->hsize; i++)
		for (r = fib->htab[i]; r != NULL; r = r->hnext) {
			if (r->flags & FR_KERNEL)
				s->routes++;
			if (r->flags & FR_STALE)
				s->stale++;
		}
	s->queued = fib->ndirty;
	s->inflight = fib->rcount;
	s->errors = fib->errors;
	s->reinstalled = fib->reinstalled;
	fib_resync_state(fib, &s->resyncing, &s->resyncs);
}

void
fib_resync_state(const struct fib *fib, bool *running, unsigned long *done)
{
	*running = fib->rs != RS_NONE;
	*done = fib->resyncs;
}

/* --- read-only views ---------------------------------------------------- */

static void
view_nh(const struct fib *fib, const struct fib_nh *in, struct fib_nexthop *o)
{
	const struct fib_link	*l;

	memset(o, 0, sizeof(*o));
	o->gw = in->gw;
	o->ifindex = in->ifindex;
	o->up = true;
	if (in->ifindex != 0 && (l = link_find(fib, in->ifindex)) != NULL) {
		snprintf(o->ifname, sizeof(o->ifname), "%s", l->name);
		o->up = l->up;
	}
}

static void
view(const struct fib *fib, const struct fib_route *r, struct fib_entry *e)
{
	size_t	i;

	e->prefix = r->prefix;
	e->flags = 0;
	if (r->flags & FR_KERNEL)
		e->flags |= FIB_E_KERNEL;
	if (r->flags & FR_STALE)
		e->flags |= FIB_E_STALE;
	if (r->flags & FR_FOREIGN)
		e->flags |= FIB_E_FOREIGN;
	if (r->flags & FR_DIRTY)
		e->flags |= FIB_E_QUEUED;
	if (r->flags & FR_UNKNOWN)
		e->flags |= FIB_E_UNKNOWN;
	e->type = r->type;
	e->nnh = 0;
	if (!(r->flags & FR_KERNEL))
		return;
	for (i = 0; i < r->nnh && i < RIB_ECMP_MAX; i++)
		view_nh(fib, &r->nh[i], &e->nh[e->nnh++]);
}

static size_t
rev_bits(size_t v)
{
	size_t	r = 0;
	unsigned i;

	for (i = 0; i < sizeof(v) * 8; i++, v >>= 1)
		r = (r << 1) | (v & 1);
	return r;
}

/*
 * The bucket order of a reverse-binary counter (Redis' SCAN): the high
 * bits of a bucket number are counted first, so when the table doubles
 * the buckets already visited are exactly those that split from the old
 * ones visited.
 */
int
fib_dump_next(const struct fib *fib, struct fib_cursor *c,
    void (*cb)(const struct fib_entry *, void *), void *arg)
{
	struct fib_entry	 e;
	const struct fib_route	*r;
	size_t			 mask = fib->hsize - 1;

	while (!c->done) {
		const struct fib_route	*head = fib->htab[c->v & mask];

		for (r = head; r != NULL; r = r->hnext) {
			view(fib, r, &e);
			cb(&e, arg);
		}
		c->v |= ~mask;
		c->v = rev_bits(rev_bits(c->v) + 1);
		if (c->v == 0)
			c->done = true;
		if (head != NULL)
			break;
	}
	return c->done ? 0 : 1;
}

int
fib_lookup(const struct fib *fib, const struct prefix *p,
    struct fib_entry *e)
{
	const struct fib_route	*r;

	if ((r = route_find(fib, p)) == NULL)
		return 0;
	view(fib, r, e);
	return 1;
}

int
fib_match_addr(const struct fib *fib, const struct ipaddr *a,
    struct fib_entry *e)
{
	const struct fib_route	*r, *best = NULL;
	struct prefix		 p;
	int			 len, max = a->family == AF_INET ? 32 : 128;

	/* one hash probe per prefix length, longest first */
	for (len = max; len >= 0 && best == NULL; len--) {
		if (prefix_set(&p, a->family, a->addr, (unsigned)len) != 0)
			continue;
		if ((r = route_find(fib, &p)) != NULL &&
		    (r->flags & FR_KERNEL) && !(r->flags & FR_FOREIGN))
			best = r;
	}
	if (best == NULL)
		return 0;
	view(fib, best, e);
	return 1;
}

const char *
fib_why_name(enum fib_why w)
{
	static const char *const	names[FIB_WHY_MAX] = {
		[FIB_WHY_INSTALLED] = "installed",
		[FIB_WHY_NOT_SELECTED] = "not selected in the Loc-RIB",
		[FIB_WHY_OWN_BLACKHOLE] = "own pod CIDR: blackhole",
		[FIB_WHY_LOCAL] = "this node's own route: not installed",
		[FIB_WHY_NH_UNRESOLVED] = "next hop unresolved",
		[FIB_WHY_LINK_DOWN] = "link of the next hop down",
		[FIB_WHY_FOREIGN] = "held by a route of another protocol",
		[FIB_WHY_STALE] = "stale: kept until End-of-RIB",
		[FIB_WHY_QUEUED] = "queued: to be written",
		[FIB_WHY_DIFFERS] = "in the kernel with other next hops",
		[FIB_WHY_MISSING] = "missing from the kernel",
		[FIB_WHY_UNWANTED] = "in the kernel, not wanted",
	};

	return (unsigned)w < FIB_WHY_MAX && names[w] != NULL ? names[w] :
	    "?";
}

enum fib_why
fib_explain(const struct fib *cfib, const struct prefix *p,
    struct fib_entry *wnt)
{
	/* want() in read-only mode changes nothing: no resolution, no
	 * table entry */
	struct fib		*fib = (struct fib *)(uintptr_t)cfib;
	struct fib_nh		 nh[RIB_ECMP_MAX];
	struct want_why		 why;
	const struct fib_route	*r;
	uint8_t			 type;
	int			 n, i;

	memset(&why, 0, sizeof(why));
	why.ro = true;
	memset(wnt, 0, sizeof(*wnt));
	wnt->prefix = *p;
	n = want(fib, p, &type, nh, &why);
	for (i = 0; i < n; i++)
		view_nh(fib, &nh[i], &wnt->nh[wnt->nnh++]);
	if (n >= 0)
		wnt->type = type;
	r = route_find(fib, p);
	if (r != NULL && (r->flags & FR_FOREIGN))
		return n >= 0 ? FIB_WHY_FOREIGN : FIB_WHY_NOT_SELECTED;
	if (n < 0) {
		if (r != NULL && (r->flags & FR_KERNEL)) {
			if (r->flags & FR_STALE)
				return FIB_WHY_STALE;
			return (r->flags & FR_DIRTY) ? FIB_WHY_QUEUED :
			    FIB_WHY_UNWANTED;
		}
		if (why.down > 0)
			return FIB_WHY_LINK_DOWN;
		if (why.unresolved > 0)
			return FIB_WHY_NH_UNRESOLVED;
		if (why.local)
			return FIB_WHY_LOCAL;
		return FIB_WHY_NOT_SELECTED;
	}
	if (r != NULL && (r->flags & FR_KERNEL) && same(r, type, nh, n))
		return type == RTN_BLACKHOLE ? FIB_WHY_OWN_BLACKHOLE :
		    FIB_WHY_INSTALLED;
	if (r != NULL && (r->flags & FR_STALE))
		return FIB_WHY_STALE;
	if (r != NULL && (r->flags & FR_DIRTY))
		return FIB_WHY_QUEUED;
	if (r != NULL && (r->flags & FR_KERNEL))
		return FIB_WHY_DIFFERS;
	return FIB_WHY_MISSING;
}

void
fib_nexthop_state(const struct fib *fib, const struct ipaddr *a,
    struct fib_nh_state *st)
{
	const struct fib_rnh	*rnh;
	struct fib_nh		 nh;
	size_t			 i;

	memset(st, 0, sizeof(*st));
	memset(&nh, 0, sizeof(nh));
	nh.gw = *a;
	if (ipaddr_is_linklocal(a)) {
		st->kind = FIB_NH_LINKLOCAL;
		nh.ifindex = only_ll_ifindex(fib);
		view_nh(fib, &nh, &st->nh[st->nnh++]);
		return;
	}
	if ((nh.ifindex = connected_ifindex(fib, a)) != 0) {
		st->kind = FIB_NH_CONNECTED;
		view_nh(fib, &nh, &st->nh[st->nnh++]);
		return;
	}
	if ((rnh = rnh_find(fib, a)) == NULL) {
		st->kind = FIB_NH_NOT_LOOKED_UP;
		return;
	}
	st->kind = rnh->resolved ? FIB_NH_RESOLVED : FIB_NH_UNRESOLVED;
	st->via = rnh->via;
	st->metric = rnh->metric;
	for (i = 0; i < rnh->nnh && i < sizeof(st->nh) / sizeof(st->nh[0]);
	    i++)
		view_nh(fib, &rnh->nh[i], &st->nh[st->nnh++]);
}
