/*
 * rib: prefix table, paths, decision process, change queue.
 *
 * Must not: read the clock, log, touch the kernel or call into the glue.
 * Everything it has to say goes into the change queue.
 *
 * Layout, chosen for a million routes in little memory:
 * - Nodes live in per-family pools of fixed-size slots and refer to each
 *   other by 32-bit index; the top bit of a reference says which pool
 *   (prefix node or glue node). Glue nodes only branch and keep no
 *   address (crit-bit style, see tree_leaf): 12 bytes. Prefix nodes carry
 *   one path inline (32 bytes for IPv4, 48 for IPv6); a second path moves
 *   them to a separately allocated path array.
 * - The tree is path-compressed: every glue node has two children, a
 *   prefix node any number. Insert and delete walk one root-to-node path.
 * - Pre-order of the tree is prefix_cmp order, which is what the
 *   resumable cursor walks rely on.
 * Invariants: the selected paths of a node are paths[0 .. nbest), best
 * first. A prefix node without paths only survives while queued in the
 * change queue (so that the queue's reference stays valid); lookups and
 * walks treat it as absent and draining the queue deletes it.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "rib.h"

/* ---- pools of fixed-size slots ---------------------------------------- */

#define POOL_SHIFT	10
#define POOL_CHUNK	(1u << POOL_SHIFT)
#define POOL_MAXIDX	0x7fffffffu

struct pool {
	uint8_t		**chunks;
	uint32_t	  nchunks;
	uint32_t	  chunkcap;
	uint32_t	  size;		/* bytes per slot */
	uint32_t	  next;		/* first never-used index */
	uint32_t	  free;		/* free list, 0 if empty */
	size_t		  inuse;
};

static inline void *
pool_ptr(const struct pool *p, uint32_t i)
{
	return p->chunks[i >> POOL_SHIFT] +
	    (size_t)(i & (POOL_CHUNK - 1)) * p->size;
}

static void
pool_init(struct pool *p, uint32_t size)
{
	memset(p, 0, sizeof(*p));
	p->size = size;
	p->next = 1;			/* index 0 stands for "none" */
}

static void
pool_fini(struct pool *p)
{
	uint32_t	i;

	for (i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	pool_init(p, p->size);
}

/* A zeroed slot, 0 if out of memory. */
static uint32_t
pool_get(struct pool *p)
{
	uint8_t		**nc;
	uint32_t	  i, ncap;

	if (p->free != 0) {
		i = p->free;
		memcpy(&p->free, pool_ptr(p, i), sizeof(p->free));
	} else {
		if (p->next >= POOL_MAXIDX)
			return 0;
		if ((p->next >> POOL_SHIFT) >= p->nchunks) {
			if (p->nchunks == p->chunkcap) {
				/* doubling: no trail of freed arrays */
				ncap = p->chunkcap ? p->chunkcap * 2 : 16;
				nc = realloc(p->chunks, ncap * sizeof(*nc));
				if (nc == NULL)
					return 0;
				p->chunks = nc;
				p->chunkcap = ncap;
			}
			nc = p->chunks;
			nc[p->nchunks] = malloc((size_t)POOL_CHUNK * p->size);
			if (nc[p->nchunks] == NULL)
				return 0;
			p->nchunks++;
		}
		i = p->next++;
	}
	p->inuse++;
	memset(pool_ptr(p, i), 0, p->size);
	return i;
}

static void
pool_put(struct pool *p, uint32_t i)
{
	memcpy(pool_ptr(p, i), &p->free, sizeof(p->free));
	p->free = i;
	/* an emptied pool gives its memory back (withdraw of everything) */
	if (--p->inuse == 0)
		pool_fini(p);
}

static size_t
pool_bytes(const struct pool *p)
{
	return (size_t)p->nchunks * POOL_CHUNK * p->size +
	    p->chunkcap * sizeof(*p->chunks);
}

/* ---- nodes ------------------------------------------------------------- */

#define REF_ROUTE	0x80000000u

#define NF_ROUTE	0x01		/* prefix node (has a path slot) */
#define NF_MULTI	0x02		/* paths in a struct pathv */
#define NF_QUEUED	0x04		/* in the change queue */

struct node {
	uint32_t	child[2];
	uint8_t		len;
	uint8_t		flags;		/* NF_* */
	uint8_t		nbest;		/* selected paths */
	uint8_t		spare;
	uint8_t		addr[];		/* 4 or 16 bytes; not in glue */
};

struct pathv {
	uint32_t	n;
	uint32_t	cap;
	struct rib_path	p[];
};

/* The path slot of a prefix node, after the address. */
union tail {
	struct rib_path	 one;		/* attr NULL: no path */
	struct pathv	*v;		/* NF_MULTI */
};

struct tree {
	struct pool	glue;
	struct pool	route;
	uint32_t	root;
	uint8_t		family;
	uint8_t		alen;
	uint8_t		tailoff;
	size_t		prefixes;
	size_t		active;
	size_t		paths;
};

struct peer_slot {
	struct rib_peer	p;
	bool		used;
	size_t		npaths[BGP_AID_MAX];
};

struct nh {
	struct nh	*next;
	struct ipaddr	 addr;
	bool		 reach;
	uint32_t	 cost;
};

struct qent {
	uint32_t	ref;
	uint8_t		aid;
	uint8_t		was;		/* had a selection before */
};

/* Decision process scratch per path. */
struct cand {
	uint32_t		 idx;
	uint32_t		 lp;
	uint32_t		 aslen;
	uint32_t		 med;
	uint32_t		 nbr;
	uint32_t		 igp;
	uint32_t		 id;
	uint32_t		 ncl;
	uint32_t		 path_id;
	uint16_t		 peer;
	uint8_t			 origin;
	bool			 ebgp;
	bool			 local;
	bool			 out;
	const struct ipaddr	*paddr;
	uint32_t		 peer_as;
};

struct rib {
	struct rib_conf	 conf;
	struct tree	 t[BGP_AID_MAX];
	struct peer_slot *peers;
	size_t		 npeers;
	struct nh	**nhb;
	size_t		 nnhb;
	size_t		 nnh;
	struct qent	*q;
	size_t		 qhead;
	size_t		 qtail;
	size_t		 qcap;
	bool		 lost;
	struct cand	*cand;
	struct rib_path	*ptmp;
	uint8_t		*mark;
	size_t		 scap;
	size_t		 npathv;
	size_t		 pathv_bytes;
};

static inline struct node *
N(const struct tree *t, uint32_t ref)
{
	if (ref & REF_ROUTE)
		return pool_ptr(&t->route, ref & ~REF_ROUTE);
	return pool_ptr(&t->glue, ref);
}

static inline union tail *
TAIL(const struct tree *t, struct node *n)
{
	return (union tail *)(void *)((uint8_t *)n + t->tailoff);
}

static inline struct rib_path *
node_paths(const struct tree *t, struct node *n, size_t *np)
{
	union tail	*tl = TAIL(t, n);

	if (n->flags & NF_MULTI) {
		*np = tl->v->n;
		return tl->v->p;
	}
	*np = tl->one.attr != NULL;
	return &tl->one;
}

static inline bool
node_has_paths(const struct tree *t, struct node *n)
{
	return (n->flags & NF_ROUTE) && ((n->flags & NF_MULTI) ||
	    TAIL(t, n)->one.attr != NULL);
}

static inline unsigned
bit(const uint8_t *a, unsigned i)
{
	return prefix_bit(a, i);
}

/* Leading bits a and b share, at most max. */
static inline unsigned
common(const uint8_t *a, const uint8_t *b, unsigned max)
{
	uint32_t	wa, wb;
	unsigned	i, c;

	for (i = 0; i < max; i += 32) {
		memcpy(&wa, a + i / 8, 4);
		memcpy(&wb, b + i / 8, 4);
		if (wa != wb) {
			c = i + (unsigned)__builtin_clz(ntohl(wa ^ wb));
			return c < max ? c : max;
		}
	}
	return max;
}

static void
node_prefix(const struct tree *t, const struct node *n, struct prefix *p)
{
	memset(p, 0, sizeof(*p));
	p->family = t->family;
	p->len = n->len;
	memcpy(p->addr, n->addr, t->alen);
}

static uint32_t
new_route(struct tree *t, const struct prefix *p)
{
	struct node	*n;
	uint32_t	 i;

	if ((i = pool_get(&t->route)) == 0)
		return 0;
	n = pool_ptr(&t->route, i);
	n->len = p->len;
	n->flags = NF_ROUTE;
	memcpy(n->addr, p->addr, t->alen);
	return i | REF_ROUTE;
}

/* Glue nodes keep no address: see tree_leaf. */
static uint32_t
new_glue(struct tree *t, unsigned len)
{
	struct node	*n;
	uint32_t	 i;

	if ((i = pool_get(&t->glue)) == 0)
		return 0;
	n = pool_ptr(&t->glue, i);
	n->len = (uint8_t)len;
	return i;
}

static void
free_node(struct tree *t, uint32_t ref)
{
	if (ref & REF_ROUTE)
		pool_put(&t->route, ref & ~REF_ROUTE);
	else
		pool_put(&t->glue, ref);
}

/*
 * A prefix node to compare p with, found by following p's bits (crit-bit
 * style): every node on the way is an ancestor of it, so the bits p
 * shares with it tell where p belongs on that path. A glue node's prefix
 * is the leading bits of any prefix node below it, which is why glue
 * nodes need no address. NULL if the tree is empty.
 */
static struct node *
tree_leaf(const struct tree *t, const struct prefix *p, unsigned *c)
{
	uint32_t	 r = t->root, next;
	struct node	*n;

	if (r == 0)
		return NULL;
	for (;;) {
		n = N(t, r);
		if (n->len >= p->len) {
			if (r & REF_ROUTE)
				break;
			r = n->child[0];	/* any prefix below will do */
			continue;
		}
		next = n->child[bit(p->addr, n->len)];
		if (next == 0)
			break;			/* only prefix nodes lack one */
		r = next;
	}
	*c = common(n->addr, p->addr, n->len < p->len ? n->len : p->len);
	return n;
}

/* The prefix node for p, created if needed; 0 if out of memory. */
static uint32_t
tree_insert(struct tree *t, const struct prefix *p)
{
	uint32_t	*slot = &t->root, r, nr, g;
	struct node	*n = NULL, *leaf, *x;
	unsigned	 c = 0, lb = 0;

	if ((leaf = tree_leaf(t, p, &c)) != NULL && c < leaf->len)
		lb = bit(leaf->addr, c);
	/* down the nodes that cover p */
	while ((r = *slot) != 0) {
		n = N(t, r);
		if (n->len > c || n->len == p->len)
			break;
		slot = &n->child[bit(p->addr, n->len)];
	}
	if (r != 0 && n->len == p->len && n->len <= c) {
		if (r & REF_ROUTE)
			return r;
		/* a glue node becomes a prefix node */
		if ((nr = new_route(t, p)) == 0)
			return 0;
		x = N(t, nr);
		x->child[0] = n->child[0];
		x->child[1] = n->child[1];
		*slot = nr;
		free_node(t, r);
		return nr;
	}
	if ((nr = new_route(t, p)) == 0)
		return 0;
	if (r == 0) {
		*slot = nr;
		return nr;
	}
	/* n shares c bits with p, its bit c is the leaf's */
	if (c == p->len) {
		N(t, nr)->child[lb] = r;	/* p covers n */
		*slot = nr;
		return nr;
	}
	if ((g = new_glue(t, c)) == 0) {
		free_node(t, nr);
		return 0;
	}
	x = N(t, g);
	x->child[bit(p->addr, c)] = nr;
	x->child[lb] = r;
	*slot = g;
	return nr;
}

/* The prefix node for p (with or without paths), 0 if none. */
static uint32_t
tree_find(const struct tree *t, const struct prefix *p)
{
	uint32_t	 r = t->root;
	struct node	*n;

	while (r != 0) {
		n = N(t, r);
		if (n->len >= p->len)
			return n->len == p->len && (r & REF_ROUTE) &&
			    common(n->addr, p->addr, p->len) == p->len ? r : 0;
		if ((r & REF_ROUTE) &&
		    common(n->addr, p->addr, n->len) < n->len)
			return 0;
		r = n->child[bit(p->addr, n->len)];
	}
	return 0;
}

/* Route node r (no paths, not queued) becomes glue or goes. */
static uint32_t
unroute(struct tree *t, uint32_t r)
{
	struct node	*n = N(t, r), *x;
	uint32_t	 g, c;

	if (n->child[0] != 0 && n->child[1] != 0) {
		if ((g = new_glue(t, n->len)) == 0)
			return r;	/* stays an empty prefix node */
		x = N(t, g);
		x->child[0] = n->child[0];
		x->child[1] = n->child[1];
		free_node(t, r);
		return g;
	}
	c = n->child[0] | n->child[1];
	free_node(t, r);
	return c;
}

/* Deletes the empty, unqueued prefix node for p. */
static void
tree_remove(struct tree *t, const struct prefix *p)
{
	uint32_t	*slot = &t->root, *pslot = NULL, r, parent = 0;
	struct node	*n, *pn;

	while ((r = *slot) != 0) {
		n = N(t, r);
		if (n->len >= p->len)
			break;
		pslot = slot;
		parent = r;
		slot = &n->child[bit(p->addr, n->len)];
	}
	if (r == 0 || !(r & REF_ROUTE) || n->len != p->len ||
	    common(n->addr, p->addr, p->len) < p->len)
		return;
	*slot = unroute(t, r);
	if (*slot == 0 && parent != 0 && !(parent & REF_ROUTE)) {
		/* a glue node left with one child is not needed */
		pn = N(t, parent);
		*pslot = pn->child[0] | pn->child[1];
		free_node(t, parent);
	}
}

/* Removes empty, unqueued prefix nodes and needless glue below r. */
static uint32_t
prune(struct tree *t, uint32_t r)
{
	struct node	*n;
	uint32_t	 c;

	if (r == 0)
		return 0;
	n = N(t, r);
	c = prune(t, n->child[0]);
	n = N(t, r);
	n->child[0] = c;
	c = prune(t, n->child[1]);
	n = N(t, r);
	n->child[1] = c;
	if (r & REF_ROUTE) {
		if (node_has_paths(t, n) || (n->flags & NF_QUEUED))
			return r;
		return unroute(t, r);
	}
	if (n->child[0] != 0 && n->child[1] != 0)
		return r;
	c = n->child[0] | n->child[1];
	free_node(t, r);
	return c;
}

/*
 * First prefix node with paths after p in pre-order (at p too if
 * inclusive), NULL if none. Subtrees still to visit go on a stack, the
 * deepest on top, which is their order.
 */
static struct node *
tree_succ(const struct tree *t, const struct prefix *p, bool inclusive)
{
	uint32_t	 st[3 * 130], r = t->root;
	size_t		 ns = 0;
	struct node	*n, *leaf;
	unsigned	 c;

	if ((leaf = tree_leaf(t, p, &c)) == NULL)
		return NULL;
	while (r != 0) {
		n = N(t, r);
		if (n->len > c) {
			/* n diverges from p at bit c, or extends p */
			if (c == p->len || bit(leaf->addr, c))
				st[ns++] = r;	/* all of it after p */
			break;
		}
		if (n->len == p->len) {
			if (inclusive && node_has_paths(t, n))
				return n;
			st[ns++] = n->child[1];
			st[ns++] = n->child[0];
			break;
		}
		if (bit(p->addr, n->len) == 0) {
			st[ns++] = n->child[1];
			r = n->child[0];
		} else
			r = n->child[1];
	}
	while (ns > 0) {
		if ((r = st[--ns]) == 0)
			continue;
		n = N(t, r);
		if (node_has_paths(t, n))
			return n;
		st[ns++] = n->child[1];
		st[ns++] = n->child[0];
	}
	return NULL;
}

/* ---- configuration, peers, next hops ------------------------------------ */

void
rib_conf_default(struct rib_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->default_local_pref = 100;
	c->max_paths = 1;
	c->always_compare_med = false;
	c->nh_unknown_reachable = true;
}

static int
aid_of(const struct prefix *p)
{
	if (p->family == AF_INET && p->len <= 32)
		return BGP_AID_IPV4;
	if (p->family == AF_INET6 && p->len <= 128)
		return BGP_AID_IPV6;
	return -1;
}

static int	scratch_reserve(struct rib *, size_t);

static void
tree_init(struct tree *t, int family)
{
	memset(t, 0, sizeof(*t));
	t->family = (uint8_t)family;
	t->alen = family == AF_INET ? 4 : 16;
	/* the path slot is 8-aligned after the address */
	t->tailoff = (uint8_t)((sizeof(struct node) + t->alen + 7) & ~7u);
	pool_init(&t->glue, (uint32_t)sizeof(struct node));
	pool_init(&t->route, t->tailoff + (uint32_t)sizeof(union tail));
}

struct rib *
rib_new(const struct rib_conf *conf)
{
	struct rib	*rib;

	if ((rib = calloc(1, sizeof(*rib))) == NULL)
		return NULL;
	if (conf != NULL)
		rib->conf = *conf;
	else
		rib_conf_default(&rib->conf);
	if (rib->conf.max_paths < 1)
		rib->conf.max_paths = 1;
	if (rib->conf.max_paths > RIB_ECMP_MAX)
		rib->conf.max_paths = RIB_ECMP_MAX;
	tree_init(&rib->t[BGP_AID_IPV4], AF_INET);
	tree_init(&rib->t[BGP_AID_IPV6], AF_INET6);
	/* the peer-wide walks need room for one path's marks */
	if (scratch_reserve(rib, 8) == -1) {
		rib_free(rib);
		return NULL;
	}
	return rib;
}

static void
free_paths(struct rib *rib, struct tree *t, uint32_t r)
{
	struct node	*n;
	struct rib_path	*pp;
	size_t		 np, i;

	while (r != 0) {
		n = N(t, r);
		if (n->flags & NF_ROUTE) {
			pp = node_paths(t, n, &np);
			for (i = 0; i < np; i++)
				bgp_attr_unref(pp[i].attr);
			if (n->flags & NF_MULTI)
				free(TAIL(t, n)->v);
		}
		free_paths(rib, t, n->child[0]);
		r = n->child[1];
	}
}

void
rib_free(struct rib *rib)
{
	struct nh	*h, *hn;
	size_t		 i;

	if (rib == NULL)
		return;
	for (i = 0; i < BGP_AID_MAX; i++) {
		free_paths(rib, &rib->t[i], rib->t[i].root);
		pool_fini(&rib->t[i].glue);
		pool_fini(&rib->t[i].route);
	}
	for (i = 0; i < rib->nnhb; i++)
		for (h = rib->nhb[i]; h != NULL; h = hn) {
			hn = h->next;
			free(h);
		}
	free(rib->nhb);
	free(rib->peers);
	free(rib->q);
	free(rib->cand);
	free(rib->ptmp);
	free(rib->mark);
	free(rib);
}

int
rib_peer_add(struct rib *rib, const struct rib_peer *p)
{
	struct peer_slot	*np;
	size_t			 i, ncap;

	for (i = 0; i < rib->npeers; i++)
		if (!rib->peers[i].used)
			break;
	if (i == rib->npeers) {
		if (i >= RIB_PEER_MAX)
			return -1;
		ncap = rib->npeers ? rib->npeers * 2 : 8;
		if (ncap > RIB_PEER_MAX)
			ncap = RIB_PEER_MAX;
		if ((np = realloc(rib->peers, ncap * sizeof(*np))) == NULL)
			return -1;
		memset(np + rib->npeers, 0,
		    (ncap - rib->npeers) * sizeof(*np));
		rib->peers = np;
		rib->npeers = ncap;
	}
	memset(&rib->peers[i], 0, sizeof(rib->peers[i]));
	rib->peers[i].p = *p;
	rib->peers[i].used = true;
	return (int)i;
}

const struct rib_peer *
rib_peer_get(const struct rib *rib, unsigned peer)
{
	if (peer >= rib->npeers || !rib->peers[peer].used)
		return NULL;
	return &rib->peers[peer].p;
}

size_t
rib_peer_npaths(const struct rib *rib, unsigned peer, enum bgp_aid aid)
{
	if (rib_peer_get(rib, peer) == NULL || aid >= BGP_AID_MAX)
		return 0;
	return rib->peers[peer].npaths[aid];
}

static unsigned
addr_len(const struct ipaddr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static bool
addr_eq(const struct ipaddr *a, const struct ipaddr *b)
{
	return a->family == b->family &&
	    memcmp(a->addr, b->addr, addr_len(a)) == 0;
}

static size_t
nh_bucket(const struct rib *rib, const struct ipaddr *a)
{
	uint32_t	h = 2166136261u;
	unsigned	i;

	h = (h ^ a->family) * 16777619u;
	for (i = 0; i < addr_len(a); i++)
		h = (h ^ a->addr[i]) * 16777619u;
	return h & (rib->nnhb - 1);
}

static struct nh *
nh_find(const struct rib *rib, const struct ipaddr *a)
{
	struct nh	*h;

	if (rib->nnh == 0)
		return NULL;
	for (h = rib->nhb[nh_bucket(rib, a)]; h != NULL; h = h->next)
		if (addr_eq(&h->addr, a))
			return h;
	return NULL;
}

/* Feasibility of a path's next hop (RFC 4271 9.1.2.1) and its cost. */
static bool
nh_state(const struct rib *rib, const struct rib_path *p, uint32_t *cost)
{
	const struct nh	*h;

	*cost = 0;
	if (rib->peers[p->peer].p.flags & RIB_PEER_LOCAL)
		return true;
	if ((h = nh_find(rib, &p->attr->nexthop)) == NULL)
		return rib->conf.nh_unknown_reachable;
	*cost = h->cost;
	return h->reach;
}

/* ---- change queue -------------------------------------------------------- */

/* Room for k more entries; -1 if out of memory. */
static int
q_reserve(struct rib *rib, size_t k)
{
	struct qent	*nq;
	size_t		 ncap;

	if (rib->qcap - rib->qtail >= k)
		return 0;
	if (rib->qhead > 0) {
		memmove(rib->q, rib->q + rib->qhead,
		    (rib->qtail - rib->qhead) * sizeof(*rib->q));
		rib->qtail -= rib->qhead;
		rib->qhead = 0;
		if (rib->qcap - rib->qtail >= k)
			return 0;
	}
	ncap = rib->qcap ? rib->qcap * 2 : 256;
	while (ncap - rib->qtail < k)
		ncap *= 2;
	if ((nq = realloc(rib->q, ncap * sizeof(*nq))) == NULL)
		return -1;
	rib->q = nq;
	rib->qcap = ncap;
	return 0;
}

static void
enqueue(struct rib *rib, unsigned aid, uint32_t r, struct node *n, bool was)
{
	if (n->flags & NF_QUEUED)
		return;
	if (q_reserve(rib, 1) == -1) {
		rib->lost = true;
		return;
	}
	rib->q[rib->qtail].ref = r;
	rib->q[rib->qtail].aid = (uint8_t)aid;
	rib->q[rib->qtail].was = was;
	rib->qtail++;
	n->flags |= NF_QUEUED;
}

size_t
rib_changes_pending(const struct rib *rib)
{
	return rib->qtail - rib->qhead;
}

bool
rib_changes_lost(struct rib *rib)
{
	bool	l = rib->lost;

	rib->lost = false;
	return l;
}

size_t
rib_changes_next(struct rib *rib, struct rib_change *out, size_t max)
{
	struct qent	 e;
	struct tree	*t;
	struct node	*n;
	struct prefix	 p;
	size_t		 k = 0;
	bool		 now;

	while (k < max && rib->qhead < rib->qtail) {
		e = rib->q[rib->qhead++];
		t = &rib->t[e.aid];
		n = N(t, e.ref);
		n->flags &= ~NF_QUEUED;
		now = n->nbest > 0;
		node_prefix(t, n, &p);
		if (e.was || now) {
			out[k].prefix = p;
			out[k].kind = !e.was ? RIB_CHG_ADD :
			    now ? RIB_CHG_CHANGE : RIB_CHG_REMOVE;
			k++;
		}
		if (!node_has_paths(t, n))
			tree_remove(t, &p);
	}
	if (rib->qhead == rib->qtail) {
		rib->qhead = rib->qtail = 0;
		if (rib->qcap > 4096) {
			/* the burst is over: give its memory back */
			free(rib->q);
			rib->q = NULL;
			rib->qcap = 0;
		}
	}
	return k;
}

/* ---- decision process ---------------------------------------------------- */

static int
scratch_reserve(struct rib *rib, size_t n)
{
	struct cand	*c;
	struct rib_path	*p;
	uint8_t		*m;
	size_t		 ncap;

	if (n <= rib->scap)
		return 0;
	ncap = rib->scap ? rib->scap : 8;
	while (ncap < n)
		ncap *= 2;
	if ((c = realloc(rib->cand, ncap * sizeof(*c))) == NULL)
		return -1;
	rib->cand = c;
	if ((p = realloc(rib->ptmp, ncap * sizeof(*p))) == NULL)
		return -1;
	rib->ptmp = p;
	if ((m = realloc(rib->mark, ncap)) == NULL)
		return -1;
	rib->mark = m;
	rib->scap = ncap;
	return 0;
}

/*
 * AS path length as RFC 4271 9.1.2.2 a) counts it (AS_SET 1, confederation
 * segments 0, RFC 5065 5.3) and the neighbouring AS for the MED rule: the
 * first AS of the path outside the confederation, 0 if none (local).
 */
static void
aspath_info(const struct bgp_attr_set *a, uint32_t *len, uint32_t *nbr)
{
	struct bgp_aspath_iter	it;
	struct bgp_asseg	s;
	bool			first = true;

	*len = 0;
	*nbr = 0;
	bgp_aspath_iter_raw(&it, a->aspath, a->aspath_len, 4);
	while (bgp_aspath_next(&it, &s)) {
		if (s.type == BGP_ASSEG_SEQUENCE) {
			if (first && s.count > 0)
				*nbr = bgp_asseg_asn(&s, 0);
			*len += s.count;
		} else if (s.type == BGP_ASSEG_SET)
			(*len)++;
		else
			continue;
		first = false;
	}
}

/* Remaining tie-breaks after the IGP cost: RFC 4271 9.1.2.2 f) and g)
 * with RFC 4456 9, then the path ID so that add-path is deterministic. */
static int
cand_cmp(const void *va, const void *vb)
{
	const struct cand	*a = va, *b = vb;
	int			 c;

	if (a->id != b->id)
		return a->id < b->id ? -1 : 1;
	if (a->ncl != b->ncl)
		return a->ncl < b->ncl ? -1 : 1;
	if ((c = ipaddr_cmp(a->paddr, b->paddr)) != 0)
		return c;
	if (a->peer != b->peer)
		return a->peer < b->peer ? -1 : 1;
	if (a->path_id != b->path_id)
		return a->path_id < b->path_id ? -1 : 1;
	return 0;
}

/* What the decision process compares of path p, whose next hop costs
 * cost. */
static void
cand_fill(const struct rib *rib, const struct rib_path *p, uint32_t cost,
    struct cand *b)
{
	const struct bgp_attr_set	*a = p->attr;
	const struct peer_slot		*ps = &rib->peers[p->peer];

	memset(b, 0, sizeof(*b));
	b->lp = (a->flags & BGP_AS_LOCAL_PREF) ? a->local_pref :
	    rib->conf.default_local_pref;
	aspath_info(a, &b->aslen, &b->nbr);
	b->origin = a->origin;
	b->med = (a->flags & BGP_AS_MED) ? a->med : 0;
	b->igp = cost;
	b->id = (a->flags & BGP_AS_ORIGINATOR_ID) ? a->originator_id :
	    ps->p.bgp_id;
	b->ncl = (uint32_t)a->ncluster;
	b->path_id = p->path_id;
	b->peer = p->peer;
	b->ebgp = (ps->p.flags & RIB_PEER_EBGP) != 0;
	b->local = (ps->p.flags & RIB_PEER_LOCAL) != 0;
	b->paddr = &ps->p.addr;
	b->peer_as = ps->p.as;
	b->out = false;
}

static size_t
compact(struct cand *c, size_t m)
{
	size_t	i, k = 0;

	for (i = 0; i < m; i++)
		if (!c[i].out)
			c[k++] = c[i];
	return k;
}

/*
 * RFC 4271 9.1.2: selects among the node's paths and moves the selected
 * ones to the front. Each step removes candidates from the whole set, as
 * the RFC describes, rather than comparing pairs: the MED rule is not
 * transitive and a pairwise sort could depend on the order of arrival.
 */
static void
decide(struct rib *rib, const struct tree *t, struct node *n)
{
	struct rib_path		*pp;
	struct cand		*c = rib->cand, *b;
	size_t			 np, i, j, m = 0, k;
	uint32_t		 cost, best;
	bool			 any;

	pp = node_paths(t, n, &np);
	if (np <= 1) {
		n->nbest = 0;
		if (np == 1) {
			if (nh_state(rib, pp, &cost)) {
				pp->flags &= ~RIB_PF_NH_UNREACH;
				n->nbest = 1;
			} else
				pp->flags |= RIB_PF_NH_UNREACH;
		}
		return;
	}
	for (i = 0; i < np; i++) {
		if (!nh_state(rib, &pp[i], &cost)) {
			pp[i].flags |= RIB_PF_NH_UNREACH;
			continue;
		}
		pp[i].flags &= ~RIB_PF_NH_UNREACH;
		b = &c[m++];
		cand_fill(rib, &pp[i], cost, b);
		b->idx = (uint32_t)i;
	}
	if (m == 0) {
		n->nbest = 0;
		return;
	}

	/* this node's own routes win over learned ones */
	for (any = false, i = 0; i < m; i++)
		any |= c[i].local;
	if (any) {
		for (i = 0; i < m; i++)
			c[i].out = !c[i].local;
		m = compact(c, m);
	}
	/* 9.1.2.1: highest degree of preference (LOCAL_PREF) */
	for (best = 0, i = 0; i < m; i++)
		if (c[i].lp > best)
			best = c[i].lp;
	for (i = 0; i < m; i++)
		c[i].out = c[i].lp != best;
	m = compact(c, m);
	/* 9.1.2.2 a): fewest AS numbers */
	for (best = UINT32_MAX, i = 0; i < m; i++)
		if (c[i].aslen < best)
			best = c[i].aslen;
	for (i = 0; i < m; i++)
		c[i].out = c[i].aslen != best;
	m = compact(c, m);
	/* b): lowest ORIGIN */
	for (best = UINT32_MAX, i = 0; i < m; i++)
		if (c[i].origin < best)
			best = c[i].origin;
	for (i = 0; i < m; i++)
		c[i].out = c[i].origin != best;
	m = compact(c, m);
	/* c): a route goes if another from the same neighbouring AS has a
	 * lower MED (missing MED counts 0); all judged on the same set */
	for (i = 0; i < m; i++)
		for (j = 0; j < m && !c[i].out; j++)
			if ((rib->conf.always_compare_med ||
			    c[j].nbr == c[i].nbr) && c[j].med < c[i].med)
				c[i].out = true;
	m = compact(c, m);
	/* d): eBGP over iBGP */
	for (any = false, i = 0; i < m; i++)
		any |= c[i].ebgp;
	if (any) {
		for (i = 0; i < m; i++)
			c[i].out = !c[i].ebgp;
		m = compact(c, m);
	}
	/* e): lowest interior cost to the next hop */
	for (best = UINT32_MAX, i = 0; i < m; i++)
		if (c[i].igp < best)
			best = c[i].igp;
	for (i = 0; i < m; i++)
		c[i].out = c[i].igp != best;
	m = compact(c, m);
	/* f), g), then peer address: the best is the first in this order,
	 * and its ECMP partners follow in it */
	qsort(c, m, sizeof(*c), cand_cmp);

	memset(rib->mark, 0, np);
	rib->ptmp[0] = pp[c[0].idx];
	rib->mark[c[0].idx] = 1;
	k = 1;
	for (i = 1; i < m && k < rib->conf.max_paths; i++) {
		/* multipath needs the same MED and, for eBGP, the same
		 * neighbour AS (no "multipath relax") */
		if (c[i].med != c[0].med)
			continue;
		if (c[0].ebgp && c[i].peer_as != c[0].peer_as)
			continue;
		rib->ptmp[k++] = pp[c[i].idx];
		rib->mark[c[i].idx] = 1;
	}
	n->nbest = (uint8_t)k;
	for (i = 0; i < np; i++)
		if (!rib->mark[i])
			rib->ptmp[k++] = pp[i];
	memcpy(pp, rib->ptmp, np * sizeof(*pp));
}

/* The selection before a change, to tell whether it changed. */
struct snap {
	unsigned	n;
	struct rib_path	p[RIB_ECMP_MAX];
};

static void
snap_take(const struct tree *t, struct node *n, struct snap *s)
{
	struct rib_path	*pp;
	size_t		 np;

	pp = node_paths(t, n, &np);
	s->n = n->nbest;
	memcpy(s->p, pp, s->n * sizeof(*pp));
}

/* Runs the decision and queues the prefix if its selection changed. */
static void
settle(struct rib *rib, unsigned aid, uint32_t r, struct node *n,
    const struct snap *s)
{
	struct tree	*t = &rib->t[aid];
	struct rib_path	*pp;
	size_t		 np, i;
	bool		 changed;

	decide(rib, t, n);
	pp = node_paths(t, n, &np);
	changed = n->nbest != s->n;
	for (i = 0; !changed && i < s->n; i++)
		changed = pp[i].attr != s->p[i].attr ||
		    pp[i].peer != s->p[i].peer ||
		    pp[i].path_id != s->p[i].path_id;
	if ((s->n > 0) != (n->nbest > 0)) {
		if (n->nbest > 0)
			t->active++;
		else
			t->active--;
	}
	if (changed)
		enqueue(rib, aid, r, n, s->n > 0);
}

/* ---- paths ------------------------------------------------------------- */

static void
path_gone(struct rib *rib, unsigned aid, const struct rib_path *p)
{
	rib->peers[p->peer].npaths[aid]--;
	rib->t[aid].paths--;
	bgp_attr_unref(p->attr);
}

/* Removes the paths of n for which drop[i] is set. */
static void
paths_drop(struct rib *rib, unsigned aid, struct node *n, const uint8_t *drop)
{
	struct tree	*t = &rib->t[aid];
	union tail	*tl = TAIL(t, n);
	struct pathv	*v;
	struct rib_path	 one;
	size_t		 i, k = 0;

	if (!(n->flags & NF_MULTI)) {
		if (tl->one.attr != NULL && drop[0]) {
			path_gone(rib, aid, &tl->one);
			tl->one.attr = NULL;
			t->prefixes--;
		}
		return;
	}
	v = tl->v;
	for (i = 0; i < v->n; i++) {
		if (drop[i])
			path_gone(rib, aid, &v->p[i]);
		else
			v->p[k++] = v->p[i];
	}
	v->n = (uint32_t)k;
	if (k <= 1) {
		memset(&one, 0, sizeof(one));
		if (k == 1)
			one = v->p[0];
		else
			t->prefixes--;
		rib->npathv--;
		rib->pathv_bytes -= sizeof(*v) + v->cap * sizeof(v->p[0]);
		free(v);
		n->flags &= ~NF_MULTI;
		tl->one = one;
	}
}

int
rib_path_add(struct rib *rib, const struct prefix *p, unsigned peer,
    uint32_t path_id, const struct bgp_attr_set *attr)
{
	struct tree	*t;
	struct node	*n;
	union tail	*tl;
	struct rib_path	*pp;
	struct pathv	*v;
	struct snap	 s;
	size_t		 np, i, ncap;
	uint32_t	 r;
	int		 aid;

	if ((aid = aid_of(p)) < 0 || rib_peer_get(rib, peer) == NULL ||
	    attr == NULL)
		return -1;
	t = &rib->t[aid];
	if (q_reserve(rib, 1) == -1 || (r = tree_insert(t, p)) == 0)
		return -1;
	n = N(t, r);
	tl = TAIL(t, n);
	if (!node_has_paths(t, n)) {
		/* the common case: a prefix's first path, stored inline */
		s.n = n->nbest;		/* 0 */
		tl->one.attr = bgp_attr_ref(attr);
		tl->one.path_id = path_id;
		tl->one.peer = (uint16_t)peer;
		tl->one.flags = 0;
		rib->peers[peer].npaths[aid]++;
		t->paths++;
		t->prefixes++;
		settle(rib, (unsigned)aid, r, n, &s);
		return 0;
	}
	pp = node_paths(t, n, &np);
	for (i = 0; i < np; i++)
		if (pp[i].peer == peer && pp[i].path_id == path_id)
			break;
	if (i < np) {
		/* implicit withdraw: the new attributes replace the old */
		pp[i].flags &= ~RIB_PF_STALE;
		if (pp[i].attr == attr)
			return 0;
		snap_take(t, n, &s);
		bgp_attr_unref(pp[i].attr);
		pp[i].attr = bgp_attr_ref(attr);
		settle(rib, (unsigned)aid, r, n, &s);
		return 0;
	}
	if (scratch_reserve(rib, np + 1) == -1)
		return -1;
	snap_take(t, n, &s);
	if (!(n->flags & NF_MULTI)) {
		if ((v = malloc(sizeof(*v) + 2 * sizeof(v->p[0]))) == NULL)
			return -1;
		v->n = 1;
		v->cap = 2;
		v->p[0] = tl->one;
		tl->v = v;
		n->flags |= NF_MULTI;
		rib->npathv++;
		rib->pathv_bytes += sizeof(*v) + 2 * sizeof(v->p[0]);
	} else if (tl->v->n == tl->v->cap) {
		v = tl->v;
		ncap = (size_t)v->cap * 2;
		if ((v = realloc(v, sizeof(*v) + ncap * sizeof(v->p[0]))) ==
		    NULL)
			return -1;
		rib->pathv_bytes += (ncap - v->cap) * sizeof(v->p[0]);
		v->cap = (uint32_t)ncap;
		tl->v = v;
	} else
		v = tl->v;
	v->p[v->n].attr = bgp_attr_ref(attr);
	v->p[v->n].path_id = path_id;
	v->p[v->n].peer = (uint16_t)peer;
	v->p[v->n].flags = 0;
	v->p[v->n].spare = 0;
	v->n++;
	rib->peers[peer].npaths[aid]++;
	t->paths++;
	settle(rib, (unsigned)aid, r, n, &s);
	return 0;
}

int
rib_path_del(struct rib *rib, const struct prefix *p, unsigned peer,
    uint32_t path_id)
{
	struct tree	*t;
	struct node	*n;
	struct rib_path	*pp;
	struct snap	 s;
	uint8_t		 one = 1;
	size_t		 np, i;
	uint32_t	 r;
	int		 aid;

	if ((aid = aid_of(p)) < 0)
		return 0;
	t = &rib->t[aid];
	if ((r = tree_find(t, p)) == 0)
		return 0;
	n = N(t, r);
	pp = node_paths(t, n, &np);
	for (i = 0; i < np; i++)
		if (pp[i].peer == peer && pp[i].path_id == path_id)
			break;
	if (i == np)
		return 0;
	snap_take(t, n, &s);
	if (np == 1)
		paths_drop(rib, (unsigned)aid, n, &one);
	else {
		/* mark is big enough: it was reserved for np paths */
		memset(rib->mark, 0, np);
		rib->mark[i] = 1;
		paths_drop(rib, (unsigned)aid, n, rib->mark);
	}
	settle(rib, (unsigned)aid, r, n, &s);
	if (!node_has_paths(t, n) && !(n->flags & NF_QUEUED))
		tree_remove(t, p);
	return 1;
}

/* ---- peer-wide and next-hop operations ---------------------------------- */

enum bulk_op { B_FLUSH, B_MARK, B_SWEEP, B_NH };

struct bulk {
	enum bulk_op		 op;
	unsigned		 peer;
	const struct ipaddr	*nh;
	size_t			 count;
	bool			 emptied;
};

static void
bulk_node(struct rib *rib, unsigned aid, uint32_t r, struct node *n,
    struct bulk *b)
{
	struct tree	*t = &rib->t[aid];
	struct rib_path	*pp;
	struct snap	 s;
	size_t		 np, i, hit = 0;
	uint8_t		*drop = rib->mark;

	pp = node_paths(t, n, &np);
	for (i = 0; i < np; i++) {
		drop[i] = 0;
		switch (b->op) {
		case B_FLUSH:
			drop[i] = pp[i].peer == b->peer;
			break;
		case B_SWEEP:
			drop[i] = pp[i].peer == b->peer &&
			    (pp[i].flags & RIB_PF_STALE);
			break;
		case B_MARK:
			if (pp[i].peer == b->peer) {
				pp[i].flags |= RIB_PF_STALE;
				b->count++;
			}
			break;
		case B_NH:
			drop[i] = addr_eq(&pp[i].attr->nexthop, b->nh);
			break;
		}
		hit += drop[i];
	}
	if (hit == 0)
		return;
	snap_take(t, n, &s);
	if (b->op == B_NH)
		b->count++;
	else {
		paths_drop(rib, aid, n, drop);
		b->count += hit;
	}
	settle(rib, aid, r, n, &s);
	if (!node_has_paths(t, n) && !(n->flags & NF_QUEUED))
		b->emptied = true;
}

static void
bulk_walk(struct rib *rib, unsigned aid, uint32_t r, struct bulk *b)
{
	struct tree	*t = &rib->t[aid];
	struct node	*n;

	while (r != 0) {
		n = N(t, r);
		if (node_has_paths(t, n))
			bulk_node(rib, aid, r, n, b);
		bulk_walk(rib, aid, n->child[0], b);
		r = n->child[1];
	}
}

static size_t
bulk_run(struct rib *rib, enum bgp_aid aid, struct bulk *b)
{
	unsigned	i;

	for (i = 0; i < BGP_AID_MAX; i++) {
		if (aid != BGP_AID_MAX && aid != i)
			continue;
		if (b->op != B_NH && (b->peer >= rib->npeers ||
		    rib->peers[b->peer].npaths[i] == 0))
			continue;
		b->emptied = false;
		bulk_walk(rib, i, rib->t[i].root, b);
		if (b->emptied)
			rib->t[i].root = prune(&rib->t[i], rib->t[i].root);
	}
	return b->count;
}

size_t
rib_peer_flush(struct rib *rib, unsigned peer, enum bgp_aid aid)
{
	struct bulk	b = { .op = B_FLUSH, .peer = peer };

	return bulk_run(rib, aid, &b);
}

size_t
rib_peer_mark_stale(struct rib *rib, unsigned peer, enum bgp_aid aid)
{
	struct bulk	b = { .op = B_MARK, .peer = peer };

	return bulk_run(rib, aid, &b);
}

size_t
rib_peer_sweep_stale(struct rib *rib, unsigned peer, enum bgp_aid aid)
{
	struct bulk	b = { .op = B_SWEEP, .peer = peer };

	return bulk_run(rib, aid, &b);
}

void
rib_peer_remove(struct rib *rib, unsigned peer)
{
	if (rib_peer_get(rib, peer) == NULL)
		return;
	rib_peer_flush(rib, peer, BGP_AID_MAX);
	memset(&rib->peers[peer], 0, sizeof(rib->peers[peer]));
}

static int
nh_grow(struct rib *rib)
{
	struct nh	**nb, **ob = rib->nhb, *h, *hn;
	size_t		  onb = rib->nnhb, i, j;

	if ((nb = calloc(onb ? onb * 2 : 16, sizeof(*nb))) == NULL)
		return -1;
	rib->nhb = nb;
	rib->nnhb = onb ? onb * 2 : 16;
	for (i = 0; i < onb; i++)
		for (h = ob[i]; h != NULL; h = hn) {
			hn = h->next;
			j = nh_bucket(rib, &h->addr);
			h->next = nb[j];
			nb[j] = h;
		}
	free(ob);
	return 0;
}

static long
nh_reevaluate(struct rib *rib, const struct ipaddr *nh)
{
	struct bulk	b = { .op = B_NH, .nh = nh };

	return (long)bulk_run(rib, BGP_AID_MAX, &b);
}

long
rib_nexthop_update(struct rib *rib, const struct ipaddr *nh, bool reachable,
    uint32_t igp_cost)
{
	struct nh	*h;
	size_t		 j;

	if (nh->family != AF_INET && nh->family != AF_INET6)
		return -1;
	if ((h = nh_find(rib, nh)) != NULL) {
		if (h->reach == reachable && h->cost == igp_cost)
			return 0;
	} else {
		if (rib->nnh >= rib->nnhb && nh_grow(rib) == -1)
			return -1;
		if ((h = calloc(1, sizeof(*h))) == NULL)
			return -1;
		h->addr.family = nh->family;
		memcpy(h->addr.addr, nh->addr, addr_len(nh));
		j = nh_bucket(rib, &h->addr);
		h->next = rib->nhb[j];
		rib->nhb[j] = h;
		rib->nnh++;
	}
	h->reach = reachable;
	h->cost = igp_cost;
	return nh_reevaluate(rib, nh);
}

long
rib_nexthop_clear(struct rib *rib, const struct ipaddr *nh)
{
	struct nh	**hp, *h;

	if (rib->nnh == 0)
		return 0;
	for (hp = &rib->nhb[nh_bucket(rib, nh)]; (h = *hp) != NULL;
	    hp = &h->next)
		if (addr_eq(&h->addr, nh))
			break;
	if (h == NULL)
		return 0;
	*hp = h->next;
	free(h);
	rib->nnh--;
	return nh_reevaluate(rib, nh);
}

/* ---- lookups and walks --------------------------------------------------- */

static void
fill(const struct tree *t, struct node *n, struct rib_entry *e)
{
	node_prefix(t, n, &e->prefix);
	e->paths = node_paths(t, n, &e->npaths);
	e->nbest = n->nbest;
}

int
rib_lookup(const struct rib *rib, const struct prefix *p,
    struct rib_entry *e)
{
	const struct tree	*t;
	struct node		*n;
	uint32_t		 r;
	int			 aid;

	if ((aid = aid_of(p)) < 0)
		return 0;
	t = &rib->t[aid];
	if ((r = tree_find(t, p)) == 0 || !node_has_paths(t, n = N(t, r)))
		return 0;
	fill(t, n, e);
	return 1;
}

int
rib_match(const struct rib *rib, const struct prefix *p, struct rib_entry *e)
{
	const struct tree	*t;
	struct node		*n, *found = NULL;
	uint32_t		 r;
	int			 aid;

	if ((aid = aid_of(p)) < 0)
		return 0;
	t = &rib->t[aid];
	for (r = t->root; r != 0; r = n->child[bit(p->addr, n->len)]) {
		n = N(t, r);
		if (n->len > p->len)
			break;
		if (r & REF_ROUTE) {
			/* nothing below a prefix that misses p can match */
			if (common(n->addr, p->addr, n->len) < n->len)
				break;
			if (n->nbest > 0 && node_has_paths(t, n))
				found = n;
		}
		if (n->len == p->len)
			break;
	}
	if (found == NULL)
		return 0;
	fill(t, found, e);
	return 1;
}

int
rib_match_addr(const struct rib *rib, const struct ipaddr *a,
    struct rib_entry *e)
{
	struct prefix	p;

	memset(&p, 0, sizeof(p));
	p.family = a->family;
	p.len = (uint8_t)prefix_maxlen(a->family);
	memcpy(p.addr, a->addr, addr_len(a));
	return rib_match(rib, &p, e);
}

void
rib_cursor_init(struct rib_cursor *c, enum bgp_aid aid)
{
	memset(c, 0, sizeof(*c));
	c->last.family = (uint8_t)bgp_aid_family(aid);
}

int
rib_dump_next(const struct rib *rib, struct rib_cursor *c,
    struct rib_entry *e)
{
	const struct tree	*t;
	struct node		*n;
	int			 aid;

	if (c->state == 2 || (aid = aid_of(&c->last)) < 0)
		return 0;
	t = &rib->t[aid];
	if ((n = tree_succ(t, &c->last, c->state == 0)) == NULL) {
		c->state = 2;
		return 0;
	}
	fill(t, n, e);
	c->last = e->prefix;
	c->state = 1;
	return 1;
}

int
rib_peer_dump_next(const struct rib *rib, unsigned peer,
    struct rib_cursor *c, struct rib_entry *e, const struct rib_path **path)
{
	const struct tree	*t;
	struct node		*n;
	const struct rib_path	*best;
	size_t			 i;
	bool			 after;
	int			 aid;

	if (c->state == 2 || (aid = aid_of(&c->last)) < 0)
		return 0;
	t = &rib->t[aid];
	/* the last prefix again: the peer may have more path IDs there */
	after = c->state == 1;
	for (n = tree_succ(t, &c->last, true); n != NULL;
	    n = tree_succ(t, &e->prefix, false)) {
		fill(t, n, e);
		if (after && !prefix_eq(&e->prefix, &c->last))
			after = false;
		best = NULL;
		for (i = 0; i < e->npaths; i++) {
			if (e->paths[i].peer != peer ||
			    (after && e->paths[i].path_id <= c->path_id))
				continue;
			if (best == NULL || e->paths[i].path_id < best->path_id)
				best = &e->paths[i];
		}
		if (best != NULL) {
			c->last = e->prefix;
			c->path_id = best->path_id;
			c->state = 1;
			*path = best;
			return 1;
		}
	}
	c->state = 2;
	return 0;
}

/* ---- counters ----------------------------------------------------------- */

size_t
rib_memory(const struct rib *rib, struct rib_mem *m)
{
	struct nh	*h;
	size_t		 i, total = 0, nnh = 0;

	m[RIB_MT_NODE4] = (struct rib_mem){ "rib-node-ipv4",
	    rib->t[BGP_AID_IPV4].route.inuse,
	    pool_bytes(&rib->t[BGP_AID_IPV4].route) };
	m[RIB_MT_GLUE4] = (struct rib_mem){ "rib-glue-ipv4",
	    rib->t[BGP_AID_IPV4].glue.inuse,
	    pool_bytes(&rib->t[BGP_AID_IPV4].glue) };
	m[RIB_MT_NODE6] = (struct rib_mem){ "rib-node-ipv6",
	    rib->t[BGP_AID_IPV6].route.inuse,
	    pool_bytes(&rib->t[BGP_AID_IPV6].route) };
	m[RIB_MT_GLUE6] = (struct rib_mem){ "rib-glue-ipv6",
	    rib->t[BGP_AID_IPV6].glue.inuse,
	    pool_bytes(&rib->t[BGP_AID_IPV6].glue) };
	m[RIB_MT_PATHV] = (struct rib_mem){ "rib-path-array", rib->npathv,
	    rib->pathv_bytes };
	for (i = 0; i < rib->nnhb; i++)
		for (h = rib->nhb[i]; h != NULL; h = h->next)
			nnh++;
	m[RIB_MT_NEXTHOP] = (struct rib_mem){ "rib-nexthop", nnh,
	    nnh * sizeof(struct nh) + rib->nnhb * sizeof(*rib->nhb) };
	for (i = 0, nnh = 0; i < rib->npeers; i++)
		nnh += rib->peers[i].used;
	m[RIB_MT_PEER] = (struct rib_mem){ "rib-peer", nnh,
	    rib->npeers * sizeof(*rib->peers) };
	m[RIB_MT_QUEUE] = (struct rib_mem){ "rib-change-queue",
	    rib->qtail - rib->qhead, rib->qcap * sizeof(*rib->q) };
	for (i = 0; i < RIB_MT_MAX; i++)
		total += m[i].bytes;
	return total + sizeof(*rib) + rib->scap * (sizeof(*rib->cand) +
	    sizeof(*rib->ptmp) + 1);
}

void
rib_stats(const struct rib *rib, enum bgp_aid aid, struct rib_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (aid >= BGP_AID_MAX)
		return;
	s->prefixes = rib->t[aid].prefixes;
	s->active = rib->t[aid].active;
	s->paths = rib->t[aid].paths;
}

/* ---- explaining the decision --------------------------------------------- */

/* The order of the steps in decide(), pairwise. */
int
rib_path_compare(const struct rib *rib, const struct rib_path *pa,
    const struct rib_path *pb, enum rib_step *step)
{
	struct cand	a, b;
	uint32_t	ca, cb;
	bool		ra, rb;
	int		c;

#define DECIDE(st, cond_a_wins, cond_b_wins) do {			\
		if (cond_a_wins) {					\
			*step = (st);					\
			return -1;					\
		}							\
		if (cond_b_wins) {					\
			*step = (st);					\
			return 1;					\
		}							\
	} while (0)

	*step = RIB_STEP_NONE;
	if (pa->peer >= rib->npeers || !rib->peers[pa->peer].used ||
	    pb->peer >= rib->npeers || !rib->peers[pb->peer].used ||
	    pa->attr == NULL || pb->attr == NULL)
		return 0;
	ra = nh_state(rib, pa, &ca);
	rb = nh_state(rib, pb, &cb);
	/* 9.1.2.1: an unreachable next hop makes a path infeasible */
	DECIDE(RIB_STEP_NEXTHOP, ra && !rb, rb && !ra);
	if (!ra)
		return 0;
	cand_fill(rib, pa, ca, &a);
	cand_fill(rib, pb, cb, &b);
	DECIDE(RIB_STEP_LOCAL, a.local && !b.local, b.local && !a.local);
	DECIDE(RIB_STEP_LOCAL_PREF, a.lp > b.lp, b.lp > a.lp);
	DECIDE(RIB_STEP_AS_PATH, a.aslen < b.aslen, b.aslen < a.aslen);
	DECIDE(RIB_STEP_ORIGIN, a.origin < b.origin, b.origin < a.origin);
	if (rib->conf.always_compare_med || a.nbr == b.nbr)
		DECIDE(RIB_STEP_MED, a.med < b.med, b.med < a.med);
	DECIDE(RIB_STEP_EBGP, a.ebgp && !b.ebgp, b.ebgp && !a.ebgp);
	DECIDE(RIB_STEP_IGP, a.igp < b.igp, b.igp < a.igp);
	DECIDE(RIB_STEP_ROUTER_ID, a.id < b.id, b.id < a.id);
	DECIDE(RIB_STEP_CLUSTER_LIST, a.ncl < b.ncl, b.ncl < a.ncl);
	c = ipaddr_cmp(a.paddr, b.paddr);
	if (c == 0)
		c = (a.peer > b.peer) - (a.peer < b.peer);
	DECIDE(RIB_STEP_PEER_ADDR, c < 0, c > 0);
	DECIDE(RIB_STEP_PATH_ID, a.path_id < b.path_id,
	    b.path_id < a.path_id);
#undef DECIDE
	return 0;
}

const char *
rib_step_name(enum rib_step s)
{
	static const char *const	names[RIB_STEP_MAX] = {
		[RIB_STEP_NONE] = "equal",
		[RIB_STEP_NEXTHOP] = "next hop reachability",
		[RIB_STEP_LOCAL] = "own route over learned",
		[RIB_STEP_LOCAL_PREF] = "highest local preference",
		[RIB_STEP_AS_PATH] = "shortest AS path",
		[RIB_STEP_ORIGIN] = "lowest origin",
		[RIB_STEP_MED] = "lowest MED",
		[RIB_STEP_EBGP] = "eBGP over iBGP",
		[RIB_STEP_IGP] = "lowest IGP cost to the next hop",
		[RIB_STEP_ROUTER_ID] = "lowest router ID",
		[RIB_STEP_CLUSTER_LIST] = "shortest cluster list",
		[RIB_STEP_PEER_ADDR] = "lowest peer address",
		[RIB_STEP_PATH_ID] = "lowest path ID",
	};

	return (unsigned)s < RIB_STEP_MAX ? names[s] : "?";
}
