/*
 * podbgpd: arguments, configuration, signals and the event loop.
 *
 * main() owns the only struct event_base and is the only place that
 * dispatches it. What runs today: the configuration is loaded and checked
 * (-n), logging follows it, SIGHUP and `configure` re-read it and apply
 * the difference to the sessions (fib, control and mesh settings wait for
 * a restart), SIGTERM/SIGINT and `down` stop, and the service manager
 * hears about all of it through sd_notify, READY=1 once routing has
 * converged. The BGP sessions announce this node's pod CIDRs from the
 * static nodes file;
 * in full-mesh mode the other nodes of that file get sessions, which
 * follow the file on SIGHUP. A state file next to the control socket
 * tells a start after a crash or SIGKILL, a graceful restart, apart.
 * The control sockets serve podbgpctl(8); fib.c puts the Loc-RIB in the
 * kernel. Node discovery from the API is not wired in yet, and the
 * daemon says so rather than pretend.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgp_attr.h"
#include "conf.h"
#include "control.h"
#include "fib.h"
#include "kube.h"
#include "log.h"
#include "node.h"
#include "nodes_file.h"
#include "policy.h"
#include "prefix.h"
#include "rib.h"
#include "sdnotify.h"
#include "session.h"
#include "xmalloc.h"

#define CONF_DEFAULT_PATH	SYSCONFDIR "/podbgp/podbgpd.yaml"

struct daemon {
	struct event_base	*base;
	struct event		*ev_term;
	struct event		*ev_int;
	struct event		*ev_hup;
	struct event		*ev_watchdog;
	struct event		*ev_startup;	/* until READY=1 */
	struct conf		*conf;
	/*
	 * The configuration the daemon was started with: the fib and the
	 * mesh keep following it (their changes need a restart), so it
	 * lives until exit. Sessions and policy follow d->conf.
	 */
	struct conf		*bgp_conf;
	struct rib		*rib;
	/* the kernel FIB; NULL if it could not be opened */
	struct fib		*fib;
	bool			 fib_swept;	/* after all End-of-RIBs */
	struct policy_ctx	*pol;
	struct bgp_attr_table	*attrs;
	/*
	 * The nodes as the source last gave them (NULL: none yet), their
	 * overlapping pod CIDR claims (pointing into nodes_raw), and the
	 * nodes the daemon works from: nodes_raw less the younger claims.
	 */
	struct node_set		*nodes_raw;
	struct node_overlap	*overlaps;
	size_t			 noverlaps;
	struct node_set		*nodes;
	/* the API client with source: kubernetes; NULL otherwise */
	struct kube		*kube;
	/* sessions from this node's peers annotation, by address */
	struct conf_peer	*node_peers;
	size_t			 nnode_peers;
	/* sessions wait for a router ID: configured, or the InternalIP */
	bool			 sessions_started;
	bool			 waiting_logged;
	/* what the control sockets show; kept current on reload */
	struct control_state	 ctl;
	char			 host[256];	/* own_name()'s buffer */
	const char		*conf_path;
	const char		*socket;	/* -s; NULL: config's */
	char			*state_path;	/* GR; NULL: none */
	int			 verbose;	/* number of -v */
	bool			 foreground;
	bool			 flush_on_exit;	/* down --flush */
	bool			 stopping;
	/* start-up: READY=1 once converged or after startup-timeout */
	bool			 ready;
	bool			 nodes_synced;
	uint64_t		 startup_deadline_ms;
	char			 status[192];	/* last STATUS= sent */
	struct control_ops	 ops;
};

enum {
	OPT_VERSION = 256,
	OPT_HELP,
};

static const struct option longopts[] = {
	{ "foreground", no_argument, NULL, 'd' },
	{ "config", required_argument, NULL, 'f' },
	{ "check-config", no_argument, NULL, 'n' },
	{ "socket", required_argument, NULL, 's' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "version", no_argument, NULL, OPT_VERSION },
	{ "help", no_argument, NULL, OPT_HELP },
	{ NULL, 0, NULL, 0 },
};

#define USAGE	"usage: podbgpd [-dnv] [-f file] [-s socket]\n"

static void
help(void)
{
	printf(USAGE
	    "  -d, --foreground     stay in the foreground; log to stderr "
	    "unless\n"
	    "                       the configuration says syslog\n"
	    "  -f, --config FILE    configuration file (default %s)\n"
	    "  -n, --check-config   check the configuration and exit; with -v "
	    "also\n"
	    "                       print it with every default made explicit\n"
	    "  -s, --socket PATH    control socket, instead of control.socket\n"
	    "  -v, --verbose        log more (repeat for more still)\n"
	    "      --version        print the version and exit\n"
	    "      --help           print this help and exit\n",
	    CONF_DEFAULT_PATH);
}

static int
usage(void)
{
	fputs(USAGE, stderr);
	return 2;
}

static enum log_level
conf_level(const struct conf *c, int verbose)
{
	int	lvl;

	switch (c->log_level) {
	case CONF_LOG_ERROR:
		lvl = LOG_LVL_ERROR;
		break;
	case CONF_LOG_WARNING:
		lvl = LOG_LVL_WARNING;
		break;
	case CONF_LOG_INFO:
		lvl = LOG_LVL_INFO;
		break;
	default:
		lvl = LOG_LVL_DEBUG;
		break;
	}
	lvl += verbose;
	return lvl > LOG_LVL_DEBUG ? LOG_LVL_DEBUG : (enum log_level)lvl;
}

static void
apply_log(const struct daemon *d)
{
	/* Detached, stderr is gone: syslog is the only place left. */
	if (!d->foreground || d->conf->log_dest == CONF_LOG_SYSLOG)
		log_set_dest(LOG_TO_SYSLOG);
	else
		log_set_dest(LOG_TO_STDERR);
	log_set_level(conf_level(d->conf, d->verbose));
}

/* -s replaces control.socket, so -nv shows what the daemon would use. */
static int
apply_socket(struct conf *c, const char *path, char *why, size_t whylen)
{
	struct sockaddr_un	sa;

	if (path == NULL)
		return 0;
	if (path[0] != '/' || strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, whylen, "-s %s: not an absolute path of at most "
		    "%zu bytes", path, sizeof(sa.sun_path) - 1);
		return -1;
	}
	if (c->ro_socket != NULL && strcmp(c->ro_socket, path) == 0) {
		snprintf(why, whylen, "-s %s: this is the read-only socket "
		    "(control.read-only-socket)", path);
		return -1;
	}
	free(c->ctl_socket);
	c->ctl_socket = xstrdup(path);
	return 0;
}

static int
check_config(const char *path, const char *socket, int verbose)
{
	struct conf_errors	 errs;
	struct conf		*c;
	char			 why[256];
	int			 rc = 0;

	if ((c = conf_load(path, &errs)) == NULL) {
		conf_errors_print(stderr, &errs);
		if (errs.n == 0)
			fprintf(stderr, "%s: out of memory\n", path);
		return 1;
	}
	if (apply_socket(c, socket, why, sizeof(why)) == -1) {
		fprintf(stderr, "%s\n", why);
		conf_free(c);
		return 1;
	}
	if (verbose > 0 && (conf_write(stdout, c) == -1 ||
	    fflush(stdout) == EOF)) {
		fprintf(stderr, "podbgpd: cannot write the configuration: "
		    "%s\n", strerror(errno));
		rc = 1;
	}
	conf_free(c);
	if (rc == 0)
		fprintf(stderr, "configuration OK\n");
	return rc;
}

static void
log_conf_errors(const char *what, const struct conf_errors *errs)
{
	size_t	i;

	for (i = 0; i < errs->n; i++)
		log_warnx("%s%s", what, errs->e[i].text);
	if (errs->dropped > 0)
		log_warnx("%s%zu more errors not shown", what, errs->dropped);
	if (errs->n == 0)
		log_warnx("%sout of memory", what);
}

/* What a reload leaves to the next start of podbgpd. */
#define CONF_CH_NOT_APPLIED	(CONF_CH_MESH | CONF_CH_FIB | CONF_CH_CONTROL)

static const struct {
	unsigned	 flag;
	const char	*name;
} change_names[] = {
	{ CONF_CH_NODE_NAME, "node-name" },
	{ CONF_CH_NODES, "nodes" },
	{ CONF_CH_CLUSTER_CIDRS, "cluster-cidrs" },
	{ CONF_CH_ASN, "bgp.asn" },
	{ CONF_CH_ROUTER_ID, "bgp.router-id" },
	{ CONF_CH_MESH, "bgp.mesh" },
	{ CONF_CH_GR, "bgp.graceful-restart" },
	{ CONF_CH_FIB, "fib" },
	{ CONF_CH_CONTROL, "control" },
	{ CONF_CH_LOG, "log" },
};

/* Comma-separated names of the sections in flags. */
static void
change_list(unsigned flags, char *dst, size_t len)
{
	size_t	i, off = 0;
	int	n;

	dst[0] = '\0';
	for (i = 0; i < sizeof(change_names) / sizeof(change_names[0]); i++) {
		if ((flags & change_names[i].flag) == 0 || off >= len)
			continue;
		n = snprintf(dst + off, len - off, "%s%s", off > 0 ? ", " : "",
		    change_names[i].name);
		if (n > 0)
			off += (size_t)n;
	}
}

static const char *
peer_str(const struct conf_peer *p, char *dst, size_t len)
{
	char	addr[64];

	ipaddr_fmt(&p->addr, addr, sizeof(addr));
	if (p->name != NULL)
		snprintf(dst, len, "%s (%s)", addr, p->name);
	else
		snprintf(dst, len, "%s", addr);
	return dst;
}

static void
log_diff(const struct conf_diff *cd)
{
	char	list[256], peer[160];
	size_t	i;

	if (conf_diff_empty(cd)) {
		log_info("reload: no changes");
		return;
	}
	if (cd->flags != 0) {
		change_list(cd->flags, list, sizeof(list));
		log_info("reload: changed: %s", list);
	}
	for (i = 0; i < cd->nadded; i++)
		log_info("reload: peer %s added",
		    peer_str(cd->added[i], peer, sizeof(peer)));
	for (i = 0; i < cd->nremoved; i++)
		log_info("reload: peer %s removed",
		    peer_str(cd->removed[i], peer, sizeof(peer)));
	for (i = 0; i < cd->nchanged; i++)
		log_info("reload: peer %s changed (%s)",
		    peer_str(cd->changed[i].new, peer, sizeof(peer)),
		    cd->changed[i].reset ? "needs a session reset" :
		    "policy or names only");
	if ((cd->flags & CONF_CH_NOT_APPLIED) != 0) {
		change_list(cd->flags & CONF_CH_NOT_APPLIED, list,
		    sizeof(list));
		log_warnx("reload: changes to %s take effect when podbgpd "
		    "restarts", list);
	}
}

/* This node's name: node-name, else $NODE_NAME, else the host name. */
static const char *
own_name(const struct conf *c, char *host, size_t len)
{
	const char	*name = c->node_name;

	if (name == NULL)
		name = getenv("NODE_NAME");
	if (name == NULL || *name == '\0') {
		if (gethostname(host, len) == -1)
			fatal("gethostname");
		host[len - 1] = '\0';
		name = host;
	}
	return name;
}

/* The address a mesh session to n goes to: its first IPv4, else IPv6. */
static const struct ipaddr *
node_peer_addr(const struct node *n)
{
	size_t	i;

	for (i = 0; i < n->naddrs; i++)
		if (n->addrs[i].family == AF_INET)
			return &n->addrs[i];
	return n->naddrs > 0 ? &n->addrs[0] : NULL;
}

static void
mesh_add(const struct node *n, bool rr_client)
{
	const struct ipaddr	*a;

	if ((a = node_peer_addr(n)) == NULL) {
		log_warnx("node %s has no address: no session to it",
		    n->name);
		return;
	}
	session_add_node(n->name, a, rr_client, n->cidrs, n->ncidrs, n->addrs,
	    n->naddrs);
}

/* A route reflector by its label (bgp.mesh.reflector-label) or by
 * kube-router.io/rr.server. */
static bool
is_reflector(const struct conf *bc, const struct node *n)
{
	const char	*v;

	if (n != NULL && n->rr_role == NODE_RR_SERVER)
		return true;	/* kube-router.io/rr.server */
	if (n == NULL || bc->reflector_label == NULL ||
	    (v = node_label(n, bc->reflector_label)) == NULL)
		return false;
	return bc->reflector_value == NULL ||
	    strcmp(v, bc->reflector_value) == 0;
}

/* A node's AS: its annotation's, or the configuration's. */
static uint32_t
node_as(const struct conf *bc, const struct node *n)
{
	return n != NULL && n->asn != 0 ? n->asn : bc->asn;
}

/*
 * Whether this node (self, NULL if unknown) has a session to node n, and
 * whether n is its route-reflector client: in full mesh every node; with
 * route reflectors a reflector peers with every node, its clients being
 * the nodes that are no reflectors, and the others only with reflectors.
 * Node sessions are iBGP: only nodes of the same AS peer (as kube-router
 * does), so per-node AS numbers make separate meshes.
 */
static bool
mesh_wants(const struct conf *bc, const struct node *self,
    const struct node *n, bool *client)
{
	bool	rr_self, rr_n;

	*client = false;
	if (node_as(bc, self) != node_as(bc, n))
		return false;
	if (bc->mesh_mode == CONF_MESH_FULL)
		return true;
	if (bc->mesh_mode != CONF_MESH_RR)
		return false;
	rr_self = is_reflector(bc, self);
	rr_n = is_reflector(bc, n);
	*client = rr_self && !rr_n;
	return rr_self || rr_n;
}

/*
 * The sessions to other nodes after the nodes changed from old (NULL at
 * start) to cur: only what changed is touched, so the other sessions
 * keep running.
 */
static void
mesh_apply(const struct conf *bc, const struct node_set *old,
    const struct node_set *cur, const char *self)
{
	const struct node	*selfo, *selfn, *n, *o;
	const struct ipaddr	*oa, *na;
	size_t			 i;
	bool			 wo, wn, co, cn;

	selfo = old != NULL ? node_set_find(old, self) : NULL;
	selfn = node_set_find(cur, self);
	for (i = 0; old != NULL && i < old->n; i++)
		if (strcmp(old->v[i]->name, self) != 0 &&
		    node_set_find(cur, old->v[i]->name) == NULL)
			session_remove_node(old->v[i]->name);
	for (i = 0; i < cur->n; i++) {
		n = cur->v[i];
		if (strcmp(n->name, self) == 0)
			continue;
		o = old != NULL ? node_set_find(old, n->name) : NULL;
		wn = mesh_wants(bc, selfn, n, &cn);
		wo = o != NULL && mesh_wants(bc, selfo, o, &co);
		if (!wn) {
			if ((wo || o == NULL) &&
			    node_as(bc, selfn) != node_as(bc, n))
				log_info("node %s is in AS %u, this node in "
				    "AS %u: no session to it", n->name,
				    node_as(bc, n), node_as(bc, selfn));
			if (wo)
				session_remove_node(n->name);
			continue;
		}
		if (!wo) {
			mesh_add(n, cn);
			continue;
		}
		oa = node_peer_addr(o);
		na = node_peer_addr(n);
		if (oa == NULL || na == NULL || ipaddr_cmp(oa, na) != 0 ||
		    co != cn) {
			/* a new address or role: a new session */
			session_remove_node(n->name);
			mesh_add(n, cn);
		} else
			session_set_node(n->name, n->cidrs, n->ncidrs,
			    n->addrs, n->naddrs);
	}
}

/* Every node's pod CIDRs and addresses, for routes through a reflector. */
static void
policy_nodes(struct daemon *d, const struct node_set *ns, const char *self)
{
	struct policy_node	*pn;
	size_t			 i, k = 0;

	pn = xcalloc(ns->n + 1, sizeof(*pn));
	for (i = 0; i < ns->n; i++) {
		if (strcmp(ns->v[i]->name, self) == 0)
			continue;
		pn[k].cidrs = ns->v[i]->cidrs;
		pn[k].ncidrs = ns->v[i]->ncidrs;
		pn[k].addrs = ns->v[i]->addrs;
		pn[k].naddrs = ns->v[i]->naddrs;
		k++;
	}
	if (policy_set_nodes(d->pol, pn, k) == -1)
		fatalx("out of memory");
	free(pn);
}

static void	sessions_start(struct daemon *);
static void	startup_check(struct daemon *);

/*
 * Without a configured router-id, this node's first IPv4 InternalIP is
 * the BGP identifier, and the sessions wait for it. It stays for the
 * daemon's life: a new identifier would need every session reset.
 */
static void
router_id_from_node(struct daemon *d, const struct node *self)
{
	uint32_t	id = 0;
	size_t		i;
	char		s[IPADDR_STRLEN];

	if (d->bgp_conf->router_id == 0 && session_router_id() == 0 &&
	    self != NULL) {
		for (i = 0; i < self->naddrs && id == 0; i++)
			if (self->addrs[i].family == AF_INET)
				memcpy(&id, self->addrs[i].addr, 4);
		if (id != 0) {
			session_set_router_id(ntohl(id));
			log_info("bgp: router ID %s, node %s's InternalIP",
			    ipaddr_fmt(&self->addrs[i - 1], s, sizeof(s)),
			    self->name);
		}
	}
	sessions_start(d);
}

/* Whether any node's pod CIDRs or addresses differ (or nodes came or went). */
static bool
nodes_owners_changed(const struct node_set *old, const struct node_set *cur)
{
	struct node_diff	*df;
	bool			 changed;
	size_t			 i;

	if ((df = node_set_diff(old, cur)) == NULL)
		fatalx("out of memory");
	changed = df->nadded > 0 || df->nremoved > 0;
	for (i = 0; i < df->nchanged && !changed; i++)
		changed = (df->changed[i].what &
		    (NODE_CH_CIDRS | NODE_CH_ADDRS)) != 0;
	node_diff_free(df);
	return changed;
}

static const struct conf_peer *
peer_in(const struct conf_peer *v, size_t n, const struct ipaddr *a)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (ipaddr_cmp(&v[i].addr, a) == 0)
			return &v[i];
	return NULL;
}

/*
 * This node's own BGP peers from its annotations (podbgp.io/peers, or
 * kube-router's peers and peer.* names), as kube-router users set up
 * their ToRs: sessions like configured ones, the password inline. A peer
 * of the configuration with the same address wins. Only what changed is
 * touched.
 */
static void
node_peers_apply(struct daemon *d, const struct node *self)
{
	struct conf_peer	*want = NULL;
	const struct conf_peer	*o;
	size_t			 i, nwant = 0;
	char			 a[IPADDR_STRLEN];

	if (self != NULL && self->npeers > 0)
		want = xcalloc(self->npeers, sizeof(*want));
	for (i = 0; self != NULL && i < self->npeers; i++) {
		const struct node_peer	*np = &self->peers[i];
		struct conf_peer	*cp = &want[nwant];

		ipaddr_fmt(&np->addr, a, sizeof(a));
		if (peer_in(d->conf->peers, d->conf->npeers, &np->addr) !=
		    NULL) {
			log_warnx("node %s: peer %s of its annotations is a "
			    "configured peer: the configuration's is used",
			    self->name, a);
			continue;
		}
		cp->addr = np->addr;
		cp->port = np->port;
		cp->asn = np->asn;
		cp->name = xstrdup(a);
		cp->password = np->password != NULL ?
		    xstrdup(np->password) : NULL;
		cp->local_addr = np->local_addr;
		cp->hold_time = CONF_DEF_HOLD_TIME;
		cp->keepalive = CONF_DEF_HOLD_TIME / 3;
		cp->graceful_restart = true;
		nwant++;
	}
	for (i = 0; i < d->nnode_peers; i++)
		if (peer_in(want, nwant, &d->node_peers[i].addr) == NULL)
			session_peer_remove(&d->node_peers[i].addr);
	for (i = 0; i < nwant; i++) {
		o = peer_in(d->node_peers, d->nnode_peers, &want[i].addr);
		if (o == NULL) {
			log_info("node %s: peer %s from its annotations",
			    self->name, want[i].name);
			session_peer_add(&want[i]);
		} else if (conf_peer_compare(o, &want[i]) != CONF_PEER_SAME)
			session_peer_update(&want[i]);
	}
	for (i = 0; i < d->nnode_peers; i++)
		conf_peer_clear(&d->node_peers[i]);
	free(d->node_peers);
	d->node_peers = want;
	d->nnode_peers = nwant;
}

/* Whether a claim of the overlap list ov is also in old (same loser). */
static bool
overlap_known(const struct node_overlap *ov, const struct node_overlap *old,
    size_t nold)
{
	size_t	i;

	for (i = 0; i < nold; i++)
		if (strcmp(old[i].loser->name, ov->loser->name) == 0 &&
		    strcmp(old[i].winner->name, ov->winner->name) == 0 &&
		    prefix_cmp(&old[i].loser_cidr, &ov->loser_cidr) == 0)
			return true;
	return false;
}

/* Removes cidr from the record's pod CIDRs. */
static void
node_drop_cidr(struct node *n, const struct prefix *cidr)
{
	size_t	i;

	for (i = 0; i < n->ncidrs; i++)
		if (prefix_cmp(&n->cidrs[i], cidr) == 0) {
			memmove(&n->cidrs[i], &n->cidrs[i + 1],
			    (n->ncidrs - i - 1) * sizeof(n->cidrs[0]));
			n->ncidrs--;
			return;
		}
}

/*
 * What the rest of the daemon works from: the nodes as the source gave
 * them, less every pod CIDR that overlaps an older claim. The loser's
 * CIDR is neither announced, accepted nor routed to, so no traffic is
 * balanced between two nodes that both think they own the addresses.
 */
static struct node_set *
nodes_effective(const struct node_set *raw, const struct node_overlap *ov,
    size_t nov)
{
	struct node_set	*eff;
	struct node	*c;
	size_t		 i;

	eff = node_set_new();
	if (eff == NULL)
		fatalx("out of memory");
	for (i = 0; i < raw->n; i++) {
		if ((c = node_copy(raw->v[i])) == NULL ||
		    node_set_add(eff, c) != 0)
			fatalx("out of memory");
	}
	for (i = 0; i < nov; i++)
		node_drop_cidr(node_set_find(eff, ov[i].loser->name),
		    &ov[i].loser_cidr);
	return eff;
}

/*
 * Takes the nodes the source (the nodes file or the API server) now
 * reports, and applies what changed: this node's pod CIDRs to announce,
 * the policy's view of the other nodes and, in full-mesh and
 * route-reflector modes, the sessions to them. Unchanged nodes cause no
 * work beyond the comparison. raw becomes the daemon's.
 */
static void
nodes_apply(struct daemon *d, struct node_set *raw, const char *source)
{
	const struct conf	*c = d->conf;
	struct node_overlap	*ov;
	struct node_set		*ns;
	const struct node	*n, *old_self;
	bool			 self_changed;
	const char		*name;
	char			 host[256], a[PREFIX_STRLEN], b[PREFIX_STRLEN];
	size_t			 i, nov;

	name = own_name(c, host, sizeof(host));
	if (node_set_overlaps(raw, &ov, &nov) == -1)
		fatalx("out of memory");
	for (i = 0; i < nov; i++)
		if (!overlap_known(&ov[i], d->overlaps, d->noverlaps))
			log_warnx("node %s: pod CIDR %s overlaps %s of node "
			    "%s, an older claim: ignored until resolved",
			    ov[i].loser->name,
			    prefix_fmt(&ov[i].loser_cidr, a, sizeof(a)),
			    prefix_fmt(&ov[i].winner_cidr, b, sizeof(b)),
			    ov[i].winner->name);
	ns = nodes_effective(raw, ov, nov);

	old_self = d->nodes != NULL ? node_set_find(d->nodes, name) : NULL;
	n = node_set_find(ns, name);
	self_changed = d->nodes == NULL || (n == NULL) != (old_self == NULL) ||
	    (n != NULL && !node_equal(old_self, n));
	if (n == NULL) {
		if (d->nodes == NULL || old_self != NULL)
			log_warnx("node %s is not in %s: not announcing any "
			    "pod CIDR", name, source);
		if (session_set_own_prefixes(NULL, 0) == -1 ||
		    (d->fib != NULL &&
		    fib_set_own_prefixes(d->fib, NULL, 0) == -1))
			fatalx("out of memory");
	} else if (self_changed) {
		if (session_set_own_prefixes(n->cidrs, n->ncidrs) == -1 ||
		    (d->fib != NULL &&
		    fib_set_own_prefixes(d->fib, n->cidrs, n->ncidrs) == -1))
			fatalx("out of memory");
		log_info("node %s: %zu pod CIDRs to announce", name,
		    n->ncidrs);
		if (session_set_own_communities(n->communities,
		    n->ncommunities) == -1)
			fatalx("out of memory");
		if (policy_set_addrs(d->pol, n->addrs, n->naddrs) == -1)
			fatalx("out of memory");
	}
	if (d->bgp_conf->mesh_mode == CONF_MESH_RR) {
		bool	rr = is_reflector(d->bgp_conf, n);

		if (n != NULL && n->cluster_id != 0)
			policy_set_cluster_id(d->pol, n->cluster_id);
		else
			policy_set_cluster_id(d->pol, d->bgp_conf->cluster_id);
		policy_set_reflector(d->pol, rr);
		policy_nodes(d, ns, name);
		/*
		 * What each node owns decides which reflected routes are
		 * taken: a route may have come before the change that
		 * allows it, so the node sessions are checked again.
		 */
		if (d->nodes != NULL && nodes_owners_changed(d->nodes, ns))
			session_node_import_changed();
		if (d->nodes == NULL)
			log_info("node %s: %s", name, rr ? "route reflector" :
			    "route-reflector client");
	}
	/* a new AS restarts the sessions there are; the ones the mesh
	 * adds below start with it rather than being restarted at once */
	if (self_changed)
		session_set_local_asn(n != NULL ? n->asn : 0);
	if (d->bgp_conf->mesh_mode != CONF_MESH_NONE)
		mesh_apply(d->bgp_conf, d->nodes, ns, name);
	node_set_free(d->nodes);
	d->nodes = ns;
	if (self_changed)
		node_peers_apply(d, n);
	router_id_from_node(d, n);
	free(d->overlaps);
	node_set_free(d->nodes_raw);
	d->nodes_raw = raw;
	d->overlaps = ov;
	d->noverlaps = nov;
	d->ctl.nodes = raw;
	d->ctl.overlaps = ov;
	d->ctl.noverlaps = nov;
}

/*
 * The API server's nodes, at most once per loop turn: cur is ours. The
 * client keeps the last known nodes through any outage, so this is only
 * called with what the API server really said.
 */
static void
on_kube_nodes(struct node_set *cur, void *arg)
{
	struct daemon	*d = arg;

	if (d->nodes_raw != NULL)
		node_set_keep_age(cur, d->nodes_raw);
	d->nodes_synced = true;
	nodes_apply(d, cur, "the API server");
	startup_check(d);
}

static void
on_kube_state(const struct kube_status *st, void *arg)
{
	(void)arg;
	log_debug("kube: %s%s%s", kube_state_name(st->state),
	    st->last_error[0] != '\0' ? ", last error: " : "",
	    st->last_error);
}

/* With source: kubernetes, the API client; an unusable kubeconfig is
 * logged and leaves the daemon serving what it has. */
static void
kube_start(struct daemon *d)
{
	struct kube_opts	o;

	if (d->conf->nodes_source != CONF_NODES_KUBERNETES)
		return;
	kube_opts_from_conf(&o, d->conf);
	if ((d->kube = kube_new(d->base, &o, on_kube_nodes, on_kube_state,
	    d)) == NULL)
		log_warnx("kube: the API client cannot start: no nodes "
		    "will be learned until the configuration is fixed and "
		    "reloaded");
	d->ctl.kube = d->kube;
}

static void
kube_stop(struct daemon *d)
{
	kube_free(d->kube);
	d->kube = NULL;
	d->ctl.kube = NULL;
}

/*
 * The static nodes file. A file that cannot be read leaves everything as
 * it was; a node with a bad value is logged and left out.
 */
static void
nodes_from_file(struct daemon *d)
{
	const struct conf	*c = d->conf;
	struct conf_errors	 errs;
	struct node_set		*ns;

	if (c->nodes_source != CONF_NODES_FILE || c->nodes_file == NULL)
		return;
	/* read at once: there is nothing more to wait for, even on errors */
	d->nodes_synced = true;
	if ((ns = nodes_file_load(c->nodes_file, &errs)) == NULL) {
		log_conf_errors("", &errs);
		log_warnx("%s: cannot be read; keeping the nodes as they were",
		    c->nodes_file);
		return;
	}
	if (errs.n > 0 || errs.dropped > 0)
		log_conf_errors("", &errs);
	if (d->nodes_raw != NULL)
		node_set_keep_age(ns, d->nodes_raw);
	nodes_apply(d, ns, c->nodes_file);
}

/*
 * The file at path, checked, with -s applied. NULL with the errors in
 * errs, or errs empty and the reason in why.
 */
static struct conf *
load_conf(const struct daemon *d, const char *path, struct conf_errors *errs,
    char *why, size_t whylen)
{
	struct conf	*nc;

	why[0] = '\0';
	if ((nc = conf_load(path, errs)) == NULL) {
		if (errs->n == 0)
			snprintf(why, whylen, "%s: out of memory", path);
		return NULL;
	}
	if (apply_socket(nc, d->socket, why, whylen) == -1) {
		conf_free(nc);
		memset(errs, 0, sizeof(*errs));
		return NULL;
	}
	return nc;
}

/*
 * nc replaces the running configuration: removed peers stop (Cease /
 * Peer De-configured), changed ones are updated in place or restarted,
 * new ones start; every other session keeps running untouched. A one-line
 * summary goes to msg.
 */
static int
apply_conf(struct daemon *d, struct conf *nc, char *msg, size_t len)
{
	struct conf_diff	*cd;
	struct conf		*old = d->conf;
	size_t			 i, soft = 0, reset = 0;
	int			 r;
	bool			 nodes_changed;

	if ((cd = conf_diff(d->conf, nc)) == NULL) {
		snprintf(msg, len, "out of memory comparing configurations");
		return -1;
	}
	log_diff(cd);
	nodes_changed = (cd->flags & CONF_CH_NODES) != 0;
	session_set_conf(nc);
	policy_set_conf(d->pol, nc);
	for (i = 0; i < cd->nremoved; i++)
		session_peer_remove(&cd->removed[i]->addr);
	for (i = 0; i < cd->nchanged; i++) {
		r = session_peer_update(cd->changed[i].new);
		if (r == SESSION_PEER_SOFT)
			soft++;
		else if (r == SESSION_PEER_RESET)
			reset++;
	}
	for (i = 0; i < cd->nadded; i++)
		session_peer_add(cd->added[i]);
	if ((cd->flags & CONF_CH_CLUSTER_CIDRS) != 0) {
		log_info("reload: cluster-cidrs changed: every peer's routes "
		    "checked again, route refresh asked for");
		session_import_changed();
	}
	if (conf_diff_empty(cd))
		snprintf(msg, len, "no changes");
	else
		snprintf(msg, len, "reconfigured: %zu peers added, %zu "
		    "removed, %zu restarted, %zu changed in place%s",
		    cd->nadded, cd->nremoved, reset, soft,
		    (cd->flags & CONF_CH_NOT_APPLIED) != 0 ? "; some changes "
		    "wait for a restart of podbgpd (see the log)" : "");
	conf_diff_free(cd);
	d->conf = nc;
	d->ctl.conf = nc;
	d->ctl.node_name = own_name(nc, d->host, sizeof(d->host));
	if (old != d->bgp_conf)
		conf_free(old);
	apply_log(d);
	/* nodes may have come, gone or changed in the nodes file */
	nodes_from_file(d);
	if (nodes_changed) {
		/* another kubeconfig, context or source: a new client; the
		 * nodes known stay until it has listed */
		kube_stop(d);
		kube_start(d);
	}
	return 0;
}

static void
send_ready_status(struct daemon *d)
{
	if (d->foreground)
		sdnotify_sendf("READY=1\nSTATUS=running, %zu peers "
		    "configured", d->conf->npeers);
	else	/* detached: we are not the process the manager started */
		sdnotify_sendf("READY=1\nMAINPID=%ld\nSTATUS=running, %zu "
		    "peers configured", (long)getpid(), d->conf->npeers);
}

/*
 * SIGHUP and `configure [check] [FILE]`: read file (NULL: the running
 * one). On errors the running configuration stays; otherwise, unless
 * check, the new one replaces it. Errors are logged (unless check) and
 * returned in errs, or why if errs is empty; msg gets the summary.
 */
static int
reconfigure(struct daemon *d, const char *file, bool check,
    struct conf_errors *errs, char *msg, size_t len)
{
	struct conf	*nc;
	const char	*path = file != NULL ? file : d->conf_path;
	int		 rc = -1;

	if (check) {
		if ((nc = load_conf(d, path, errs, msg, len)) == NULL)
			return -1;
		conf_free(nc);
		snprintf(msg, len, "%s: configuration OK", path);
		return 0;
	}
	if (d->ready)
		sdnotify_sendf("RELOADING=1\nMONOTONIC_USEC=%" PRIu64,
		    sdnotify_monotonic_usec());
	log_info("reload: reading %s", path);
	if ((nc = load_conf(d, path, errs, msg, len)) == NULL) {
		if (errs->n > 0 || errs->dropped > 0)
			log_conf_errors("reload: ", errs);
		else
			log_warnx("reload: %s", msg);
		log_warnx("reload: %s has errors; keeping the running "
		    "configuration", path);
		goto done;
	}
	if (apply_conf(d, nc, msg, len) == -1) {
		log_warnx("reload: %s; keeping the running configuration",
		    msg);
		conf_free(nc);
		goto done;
	}
	log_info("reload: done");
	rc = 0;
 done:
	if (d->ready)
		send_ready_status(d);
	return rc;
}

static void
reload(struct daemon *d)
{
	struct conf_errors	errs;
	char			msg[256];

	reconfigure(d, NULL, false, &errs, msg, sizeof(msg));
}

static int
ctl_configure(void *arg, const char *file, bool check,
    struct conf_errors *errs, char *msg, size_t len)
{
	return reconfigure(arg, file, check, errs, msg, len);
}

/*
 * Routes adopted from the kernel at start stay until every peer has sent
 * End-of-RIB (or the fib's stale timer fires): then those not learned
 * again go, once.
 */
static void
on_eor(void *arg)
{
	struct daemon	*d = arg;

	if (d->fib == NULL || d->fib_swept || !session_all_eor())
		return;
	d->fib_swept = true;
	fib_sweep_stale(d->fib);
}

static void
on_rib_changes(const struct rib_change *chg, size_t n, void *arg)
{
	struct daemon	*d = arg;

	if (d->fib != NULL)
		fib_rib_changes(chg, n, d->fib);
}

static void
on_rib_resync(void *arg)
{
	struct daemon	*d = arg;

	if (d->fib != NULL)
		fib_rib_resync(d->fib);
}

static void
fib_setup(struct daemon *d)
{
	struct session_rib_listener	l = {
		.changes = on_rib_changes,
		.resync = on_rib_resync,
		.eor = on_eor,
		.arg = d,
	};

	if (!d->bgp_conf->fib_install) {
		log_info("fib: install is off: the kernel's routes are left "
		    "alone");
		return;
	}
	d->fib = fib_new(d->base, d->bgp_conf, d->rib);
	fib_set_rib_changed(d->fib, session_rib_changed);
	if (fib_start(d->fib) == -1) {
		log_warnx("fib: cannot follow the kernel: no routes will be "
		    "installed");
		fib_free(d->fib);
		d->fib = NULL;
		return;
	}
	session_set_rib_listener(&l);
}

/*
 * Before the sessions go down and take their routes out of the RIB: the
 * routes stay in the kernel (keep-on-exit) or all go at once.
 */
static void
fib_shutdown(struct daemon *d)
{
	if (d->fib != NULL)
		fib_stop(d->fib, !d->bgp_conf->keep_on_exit ||
		    d->flush_on_exit);
}

static void
stop(struct daemon *d)
{
	if (d->stopping)
		return;
	d->stopping = true;
	sdnotify_send("STOPPING=1");
	fib_shutdown(d);
	session_stop_all("podbgpd shutting down");
	event_base_loopexit(d->base, NULL);
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	struct daemon	*d = arg;

	switch (sig) {
	case SIGHUP:
		log_info("SIGHUP received");
		reload(d);
		break;
	case SIGTERM:
	case SIGINT:
		log_info("%s received, stopping",
		    sig == SIGTERM ? "SIGTERM" : "SIGINT");
		stop(d);
		break;
	}
}

static void
on_down(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;

	log_info("down requested on the control socket%s, stopping",
	    d->flush_on_exit ? " with --flush: routes leave the kernel" : "");
	stop(d);
}

/* `down [--flush]`: the reply is out; stop on the next loop turn. */
static void
ctl_down(void *arg, bool flush)
{
	struct daemon	*d = arg;
	struct timeval	 tv = { 0, 0 };

	if (flush)
		d->flush_on_exit = true;
	if (event_base_once(d->base, -1, EV_TIMEOUT, on_down, d, &tv) == -1)
		on_down(-1, 0, d);
}

/*
 * READY=1 means converged: the node source has synced and every
 * session (not disabled) is Established with End-of-RIB received, or
 * startup-timeout has passed. Until then STATUS= says what is awaited.
 */
static void
startup_check(struct daemon *d)
{
	char	st[sizeof(d->status)];
	size_t	done, total;
	bool	nodes;

	if (d->ready || d->stopping)
		return;
	/* the nodes file once read, the API server's first complete list */
	nodes = d->nodes_synced;
	session_eor_count(&done, &total);
	if (!nodes)
		snprintf(st, sizeof(st), "starting: waiting for the node "
		    "source");
	else if (done < total)
		snprintf(st, sizeof(st), "starting: %zu of %zu sessions "
		    "Established with End-of-RIB", done, total);
	else {
		log_info("ready: %zu sessions Established with End-of-RIB",
		    total);
		goto ready;
	}
	if (log_now_ms() >= d->startup_deadline_ms) {
		log_warnx("ready: startup-timeout of %u s passed, %s",
		    d->conf->startup_timeout, st);
		goto ready;
	}
	if (strcmp(st, d->status) != 0) {
		snprintf(d->status, sizeof(d->status), "%s", st);
		sdnotify_sendf("STATUS=%s", st);
	}
	return;
 ready:
	d->ready = true;
	if (d->ev_startup != NULL)
		event_del(d->ev_startup);
	send_ready_status(d);
}

static void
on_startup(evutil_socket_t fd, short what, void *arg)
{
	startup_check(arg);
}

static void
on_ready(evutil_socket_t fd, short what, void *arg)
{
	struct daemon	*d = arg;
	struct timeval	 tv = { 0, 100000 };

	/* Runs from inside the loop, so READY=1 means the loop turns. */
	d->startup_deadline_ms = log_now_ms() +
	    (uint64_t)d->conf->startup_timeout * 1000;
	startup_check(d);
	if (d->ready)
		return;
	d->ev_startup = event_new(d->base, -1, EV_PERSIST, on_startup, d);
	if (d->ev_startup == NULL || event_add(d->ev_startup, &tv) == -1)
		fatalx("cannot arm the start-up timer");
}

static void
on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	sdnotify_send("WATCHDOG=1");
}

static struct event *
add_signal(struct daemon *d, int sig)
{
	struct event	*ev;

	if ((ev = evsignal_new(d->base, sig, on_signal, d)) == NULL)
		fatalx("evsignal_new(%d) failed", sig);
	if (evsignal_add(ev, NULL) == -1)
		fatalx("evsignal_add(%d) failed", sig);
	return ev;
}

/*
 * The graceful-restart state file, next to the control socket: written at
 * start, removed by a stop that takes this node's routes along
 * (keep-on-exit false), so a SIGKILL, a crash or a stop that leaves the
 * routes in the kernel leaves it behind. Found at start, it means this
 * start is a restart: the OPENs say so (R bit). The F bit says whether
 * this node's routes outlive podbgpd, which keep-on-exit decides.
 */
static void
gr_state_start(struct daemon *d)
{
	const struct conf	*c = d->bgp_conf;
	struct session_opts	 o;
	struct stat		 st;
	char			 path[256], buf[32];	/* sockets: 107 */
	int			 fd, n;

	session_opts_default(&o);
	o.gr_forwarding = c->keep_on_exit;
	if (conf_state_path(c->ctl_socket, path, sizeof(path)) == -1) {
		log_warnx("graceful restart: no state file for control "
		    "socket %s", c->ctl_socket);
		session_set_opts(&o);
		return;
	}
	if (stat(path, &st) == 0) {
		o.gr_restarting = true;
		log_info("graceful restart: restarting, as %s was left by a "
		    "podbgpd that did not flush its routes; OPENs say so for "
		    "up to %u s", path, c->restart_time);
	} else if (errno != ENOENT)
		log_warn("graceful restart: %s", path);
	session_set_opts(&o);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd == -1) {
		log_warn("graceful restart: cannot write %s, so a restart "
		    "will not be announced as one", path);
		return;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (write(fd, buf, (size_t)n) != n)
		log_warn("graceful restart: %s", path);
	close(fd);
	d->state_path = xstrdup(path);
}

/* A stop that flushes this node's routes is no restart to come. */
static void
gr_state_stop(struct daemon *d)
{
	if (d->state_path == NULL)
		return;
	if ((!d->bgp_conf->keep_on_exit || d->flush_on_exit) &&
	    unlink(d->state_path) == -1 && errno != ENOENT)
		log_warn("graceful restart: cannot remove %s", d->state_path);
	free(d->state_path);
	d->state_path = NULL;
}

static void
bgp_start(struct daemon *d)
{
	struct rib_conf	rc;

	d->bgp_conf = d->conf;
	rib_conf_default(&rc);
	/* ECMP: equal paths selected together, up to the configured number */
	rc.max_paths = d->conf->max_paths;
	if ((d->rib = rib_new(&rc)) == NULL ||
	    (d->pol = policy_ctx_new(d->conf)) == NULL ||
	    (d->attrs = bgp_attr_table_new()) == NULL)
		fatalx("out of memory");
	if (session_init(d->base, d->conf, d->rib, d->pol, d->attrs) == -1)
		log_warnx("bgp: some sessions could not be set up");
	fib_setup(d);
	nodes_from_file(d);
	kube_start(d);
	sessions_start(d);
}

/* The sessions, once there is a router ID (see router_id_from_node). */
static void
sessions_start(struct daemon *d)
{
	if (d->sessions_started || (d->conf->npeers == 0 &&
	    d->conf->mesh_mode == CONF_MESH_NONE))
		return;
	if (session_router_id() == 0) {
		if (!d->waiting_logged)
			log_info("bgp: no router-id configured: the sessions "
			    "wait for node %s's InternalIP", d->ctl.node_name);
		d->waiting_logged = true;
		return;
	}
	d->sessions_started = true;
	gr_state_start(d);
	if (session_start_all() == -1)
		log_warnx("bgp: no listening socket; only connecting out");
}

static void
bgp_free(struct daemon *d)
{
	size_t	i;

	kube_stop(d);
	for (i = 0; i < d->nnode_peers; i++)
		conf_peer_clear(&d->node_peers[i]);
	free(d->node_peers);
	d->node_peers = NULL;
	d->nnode_peers = 0;
	fib_shutdown(d);
	gr_state_stop(d);
	session_free_all();
	fib_free(d->fib);
	d->fib = NULL;
	node_set_free(d->nodes);
	d->nodes = NULL;
	free(d->overlaps);
	d->overlaps = NULL;
	d->noverlaps = 0;
	node_set_free(d->nodes_raw);
	d->nodes_raw = NULL;
	rib_free(d->rib);
	policy_ctx_free(d->pol);
	bgp_attr_table_free(d->attrs);
	if (d->bgp_conf != d->conf)
		conf_free(d->bgp_conf);
}

static int
run(struct daemon *d)
{
	struct conf_errors	 errs;
	struct sigaction	 sa;
	struct timeval		 tv;
	char			 why[256];
	uint64_t		 wd;

	if ((d->conf = conf_load(d->conf_path, &errs)) == NULL) {
		log_conf_errors("", &errs);
		log_error("%s: configuration has errors, not starting",
		    d->conf_path);
		return 1;
	}
	if (apply_socket(d->conf, d->socket, why, sizeof(why)) == -1) {
		log_error("%s", why);
		conf_free(d->conf);
		return 1;
	}
	apply_log(d);
	if (!d->foreground && daemon(0, 0) == -1)
		fatal("daemon");

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) == -1)
		fatal("sigaction(SIGPIPE)");

	/* three priorities: 1, the default, for most; 2 for fib's writes */
	if ((d->base = event_base_new()) == NULL ||
	    event_base_priority_init(d->base, 3) == -1)
		fatalx("event_base_new failed");
	d->ev_term = add_signal(d, SIGTERM);
	d->ev_int = add_signal(d, SIGINT);
	d->ev_hup = add_signal(d, SIGHUP);

	sdnotify_init();
	if ((wd = sdnotify_watchdog_usec()) > 0) {
		/* sd_watchdog_enabled(3): ping at half the interval */
		wd /= 2;
		tv.tv_sec = (time_t)(wd / 1000000);
		tv.tv_usec = (suseconds_t)(wd % 1000000);
		d->ev_watchdog = event_new(d->base, -1, EV_PERSIST,
		    on_watchdog, d);
		if (d->ev_watchdog == NULL || event_add(d->ev_watchdog,
		    &tv) == -1)
			fatalx("cannot arm the watchdog timer");
		log_debug("watchdog: pinging every %" PRIu64 " us", wd);
	}
	tv.tv_sec = 0;
	tv.tv_usec = 0;
	if (event_base_once(d->base, -1, EV_TIMEOUT, on_ready, d, &tv) == -1)
		fatalx("event_base_once failed");

	log_info("podbgpd %s started with %s (%zu peers, log level %s, "
	    "libevent %s)", PACKAGE_VERSION, d->conf_path, d->conf->npeers,
	    log_level_name(log_get_level()), event_get_version());
	/* the sockets first: an unusable path stops us before any session */
	d->ctl.conf = d->conf;
	d->ctl.node_name = own_name(d->conf, d->host, sizeof(d->host));
	d->ctl.start_ms = log_now_ms();
	d->ctl.start_time = (int64_t)time(NULL);
	d->ops.configure = ctl_configure;
	d->ops.down = ctl_down;
	d->ops.arg = d;
	d->ctl.ops = &d->ops;
	if (control_init(d->base, &d->ctl) == -1) {
		log_error("control socket unusable, not starting");
		sdnotify_send("STOPPING=1");
		if (d->ev_watchdog != NULL)
			event_free(d->ev_watchdog);
		event_free(d->ev_hup);
		event_free(d->ev_int);
		event_free(d->ev_term);
		event_base_free(d->base);
		conf_free(d->conf);
		return 1;
	}
	bgp_start(d);
	d->ctl.rib = d->rib;
	d->ctl.attrs = d->attrs;
	d->ctl.fib = d->fib;
	d->ctl.nodes = d->nodes_raw;

	if (event_base_dispatch(d->base) == -1)
		fatalx("event_base_dispatch failed");

	log_info("stopped");
	control_free();
	bgp_free(d);
	if (d->ev_watchdog != NULL)
		event_free(d->ev_watchdog);
	if (d->ev_startup != NULL)
		event_free(d->ev_startup);
	event_free(d->ev_hup);
	event_free(d->ev_int);
	event_free(d->ev_term);
	event_base_free(d->base);
	conf_free(d->conf);
	libevent_global_shutdown();
	return 0;
}

int
main(int argc, char *argv[])
{
	struct daemon	d;
	bool		check = false;
	int		ch;

	memset(&d, 0, sizeof(d));
	d.conf_path = CONF_DEFAULT_PATH;
	log_init("podbgpd", LOG_TO_STDERR, LOG_LVL_INFO);

	while ((ch = getopt_long(argc, argv, "df:ns:v", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'd':
			d.foreground = true;
			break;
		case 'f':
			d.conf_path = optarg;
			break;
		case 'n':
			check = true;
			break;
		case 's':
			d.socket = optarg;
			break;
		case 'v':
			d.verbose++;
			break;
		case OPT_VERSION:
			printf("podbgpd %s\n", PACKAGE_VERSION);
			return 0;
		case OPT_HELP:
			help();
			return 0;
		default:
			return usage();
		}
	}
	if (optind != argc) {
		fprintf(stderr, "podbgpd: unexpected argument '%s'\n",
		    argv[optind]);
		return usage();
	}
	if (check)
		return check_config(d.conf_path, d.socket, d.verbose);
	log_set_level(d.verbose > 0 ? LOG_LVL_DEBUG : LOG_LVL_INFO);
	return run(&d);
}
