/*
 * session: sockets and timers of each BGP peer, driving lib/bgp_fsm.
 *
 * A session has two connection slots. Slot s->cur holds the FSM that
 * speaks for the session; the other one is used only while a second TCP
 * connection to the same peer is alive (RFC 4271 6.8 collision), and is
 * cleared as soon as either connection loses. Slots are embedded, never
 * freed while the session lives, so a callback may keep its pointer
 * across a step that closed the connection.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/queue.h>
#include <sys/random.h>
#include <sys/socket.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgp.h"
#include "bgp_attr.h"
#include "bgp_fsm.h"
#include "bgp_msg.h"
#include "buf.h"
#include "conf.h"
#include "log.h"
#include "policy.h"
#include "prefix.h"
#include "rib.h"
#include "session.h"
#include "xmalloc.h"

#ifndef IP_MINTTL
#define IP_MINTTL		21
#endif
#ifndef IPV6_MINHOPCOUNT
#define IPV6_MINHOPCOUNT	73
#endif

/*
 * Input buffer: starts small and grows, when full without a whole message
 * in it, up to two of the largest messages. Only connections with a
 * socket have one, so idle peers of a large mesh cost nothing.
 */
#define SESS_IBUF_MIN		16384
#define SESS_IBUF_SIZE		(2 * BGP_MSG_MAX_EXT)
/* Messages handled per read callback before yielding to the loop. */
#define SESS_MSGS_PER_CB	64
/* Output queue: stop reading above HWM, reset the session above MAX. */
#define SESS_OBUF_HWM		(256 * 1024)
#define SESS_OBUF_MAX		(16 * 1024 * 1024)

struct session;

struct conn;

struct conn_timer {
	struct conn	*c;
	int		 t;		/* enum bgp_fsm_timer */
	struct event	*ev;
};

/*
 * One TCP connection and the FSM that runs it. The peer's OPEN is kept
 * (have_open) for what was negotiated; nd_* hold the data of the
 * NOTIFICATION the next step may send (the FSM only knows the codes).
 */
struct conn {
	struct session		*s;
	bool			 used;		/* FSM started */
	int			 fd;
	bool			 outbound;
	bool			 connecting;	/* connect() pending */
	bool			 reading;
	bool			 eof;		/* peer closed */
	unsigned		 gen;		/* sockets closed */
	struct event		*ev_read;
	struct event		*ev_write;
	struct event		*ev_fail;	/* connect failed */
	struct conn_timer	 timer[BGP_TIMER_MAX];
	uint8_t			*ibuf;
	size_t			 ilen;
	size_t			 icap;
	struct wbuf		 obuf;
	size_t			 ooff;		/* sent */
	struct bgp_fsm		 fsm;
	struct ipaddr		 local;		/* our end */
	bool			 have_open;
	struct bgp_open		 popen;
	struct bgp_peer_ctx	 ctx;
	uint16_t		 hold;
	uint8_t			 families;
	uint8_t			 eor_rx;	/* End-of-RIBs: 1 << aid */
	/* a NOTIFICATION went either way: no graceful restart */
	bool			 notified;
	uint8_t			 nd_code;
	uint8_t			 nd_subcode;
	uint8_t			 nd_data[64];
	size_t			 nd_len;
	/*
	 * Adj-RIB-Out of learned routes: the walk of the Loc-RIB after the
	 * session came up or a route refresh (dump_*), announcements waiting
	 * to be packed (run_*: one attribute set, one family) and
	 * withdrawals (wd), our next hops and the last export made.
	 */
	struct event		*ev_dump;
	struct rib_cursor	 dcur;
	uint8_t			 dcur_aid;	/* the family walked */
	uint8_t			 dump_aids;	/* families left to walk */
	uint8_t			 dump_eor;	/* End-of-RIB after the walk */
	uint8_t			 dump_eorr;	/* EoRR after it (RFC 7313) */
	bool			 dumped;	/* walked since the last drain */
	/*
	 * A walk after an export policy change: every prefix not exported
	 * now is withdrawn, as the old policy may have exported it.
	 */
	bool			 wd_any;
	const struct bgp_attr_set *run_attr;	/* referenced */
	uint8_t			 run_aid;
	struct prefix		*run_p;
	size_t			 run_n;
	struct prefix		*wd[BGP_AID_MAX];
	size_t			 nwd[BGP_AID_MAX];
	uint8_t			 nh_valid;	/* 1 << aid */
	struct ipaddr		 nh[BGP_AID_MAX];
	struct ipaddr		 nh_ll[BGP_AID_MAX];
	const struct bgp_attr_set *ex_in;	/* referenced */
	const struct session	*ex_src;
	const struct bgp_attr_set *ex_out;	/* referenced */
};

struct session {
	TAILQ_ENTRY(session)	 entry;
	const struct conf_peer	*cp;	/* always &pc */
	bool			 node;	/* mesh node, added at run time */
	bool			 disabled;	/* by an operator: stays down */
	struct conf_peer	 pc;	/* owned copy of the peer's settings */
	char			 addrstr[IPADDR_STRLEN];
	struct conn		 conn[2];
	int			 cur;		/* slot in charge */
	bool			 ebgp;
	bool			 md5;
	char			 md5key[80];
	size_t			 md5len;
	struct bgp_fsm_conf	 fconf;
	struct policy_peer	 pp;
	int			 rib_peer;	/* -1: none */
	struct event		*ev_stale;	/* GR sweep */
	struct event		*ev_restart;	/* see conn_event */
	uint64_t		 since_ms;	/* state change */
	bool			 gr_stale;	/* stale paths wait */
	uint64_t		 stale_until_ms;	/* ev_stale fires */
	size_t			 stale_marked;	/* paths, at the drop */
	struct session_reject	 rej[SESSION_REJECT_KEEP];
	size_t			 nrej;
	size_t			 rej_next;	/* oldest, once full */
	bool			 synced;	/* sent End-of-RIB once */
	uint32_t		 limit_restart;	/* max-prefix, s */
	bool			 limit_hit;
	bool			 exports;	/* learned routes may go out */
	/* for show protocols */
	uint64_t		 updates_rx;
	uint64_t		 prefixes_rx;
	uint64_t		 withdrawals_rx;
	uint8_t			 last_code;
	uint8_t			 last_subcode;
	bool			 last_sent;
	struct log_rl		 rl;		/* peer-triggered */
};

struct listener {
	int		 fd;
	struct event	*ev;
};

static struct {
	struct event_base	*base;
	const struct conf	*conf;
	struct rib		*rib;
	struct policy_ctx	*pol;
	struct bgp_attr_table	*attrs;
	struct session_opts	 opts;
	TAILQ_HEAD(, session)	 sessions;
	struct listener		 ls[2];
	struct prefix		*own;
	size_t			 nown;
	/* on this node's own prefixes (the node's communities annotation) */
	uint32_t		*own_comm;
	size_t			 nown_comm;
	const char		*shutdown_msg;
	/* the configuration's, or the node's InternalIP (session_set_router_id) */
	uint32_t		 router_id;
	/* the local AS: the node's annotation (asn_node) or the configuration's */
	uint32_t		 asn;
	uint32_t		 asn_node;	/* 0: none */
	bool			 started;
	bool			 stopping;
	bool			 restarting;	/* GR: R bit in OPENs */
	struct event		*ev_restarting;	/* restart-time */
	struct log_rl		 rl_reject;
	/* Loc-RIB changes are drained once per loop turn */
	struct event		*ev_drain;
	bool			 drain_queued;
	struct session_rib_listener listener;
	/* the session of each RIB peer id */
	struct session		**by_peer;
	size_t			 nby_peer;
	/* drain_cb's scratch: connections that take learned routes */
	struct conn		**outv;
	size_t			 outcap;
} S = {
	.ls = { { -1, NULL }, { -1, NULL } },
};

static void	conn_event(struct conn *, enum bgp_fsm_event,
		    struct bgp_fsm_input *);
static void	conn_apply(struct conn *, const struct bgp_fsm_out *);
static void	conn_close(struct conn *);
static void	conn_read_cb(evutil_socket_t, short, void *);
static void	conn_write_cb(evutil_socket_t, short, void *);
static void	conn_flush(struct conn *);
/* send_own: announce, withdraw, or announce what policy allows and
 * withdraw the rest (after an export policy change) */
#define OWN_ANNOUNCE	0
#define OWN_WITHDRAW	1
#define OWN_REFRESH	2
static void	send_own(struct session *, struct conn *, uint8_t,
		    const struct prefix *, size_t, int);
static void	adj_reset(struct conn *);
static void	dump_cb(evutil_socket_t, short, void *);
static void	rib_kick(void);
static void	restart_check(void);

/* Remembers that s's import policy refused p, for `explain`. */
static void
reject_note(struct session *s, const struct prefix *p,
    enum policy_reason why, const struct bgp_attr_set *a)
{
	struct session_reject	*r = NULL;
	size_t			 i;

	for (i = 0; i < s->nrej && r == NULL; i++)
		if (prefix_eq(&s->rej[i].prefix, p))
			r = &s->rej[i];
	if (r == NULL && s->nrej < SESSION_REJECT_KEEP)
		r = &s->rej[s->nrej++];
	else if (r == NULL) {
		r = &s->rej[s->rej_next];
		s->rej_next = (s->rej_next + 1) % SESSION_REJECT_KEEP;
	}
	if (r->attr != NULL)
		bgp_attr_unref(r->attr);
	r->prefix = *p;
	r->why = why;
	r->at_ms = log_now_ms();
	r->attr = a != NULL ? bgp_attr_ref(a) : NULL;
}

static uint32_t
rand32(void)
{
	uint32_t	r;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)random();
	return r;
}

static const char *
peer_name(const struct session *s)
{
	return s->cp->name;
}

static void
sa_to_ipaddr(const struct sockaddr_storage *ss, struct ipaddr *a)
{
	memset(a, 0, sizeof(*a));
	if (ss->ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const void *)ss;

		a->family = AF_INET;
		memcpy(a->addr, &sin->sin_addr, 4);
	} else if (ss->ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const void *)ss;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			a->family = AF_INET;
			memcpy(a->addr, &sin6->sin6_addr.s6_addr[12], 4);
		} else {
			a->family = AF_INET6;
			memcpy(a->addr, &sin6->sin6_addr, 16);
		}
	}
}

static socklen_t
ipaddr_to_sa(const struct ipaddr *a, uint16_t port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET) {
		struct sockaddr_in *sin = (void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons(port);
		memcpy(&sin->sin_addr, a->addr, 4);
		return sizeof(*sin);
	}
	struct sockaddr_in6 *sin6 = (void *)ss;

	sin6->sin6_family = AF_INET6;
	sin6->sin6_port = htons(port);
	memcpy(&sin6->sin6_addr, a->addr, 16);
	return sizeof(*sin6);
}

/* ---- socket options --------------------------------------------------- */

static int
read_password(struct session *s)
{
	FILE	*f;
	size_t	 n;

	s->md5 = false;
	s->md5len = 0;
	if (s->cp->password != NULL) {
		n = strlen(s->cp->password);
		if (n == 0 || n > TCP_MD5SIG_MAXKEYLEN) {
			log_peer_warnx(s->addrstr, peer_name(s), "password "
			    "must be 1 to %d bytes", TCP_MD5SIG_MAXKEYLEN);
			return -1;
		}
		memcpy(s->md5key, s->cp->password, n);
		s->md5len = n;
		s->md5 = true;
		return 0;
	}
	if (s->cp->password_file == NULL)
		return 0;
	if ((f = fopen(s->cp->password_file, "r")) == NULL) {
		log_warn("neighbor %s: password file %s", s->addrstr,
		    s->cp->password_file);
		return -1;
	}
	n = fread(s->md5key, 1, sizeof(s->md5key), f);
	fclose(f);
	while (n > 0 && (s->md5key[n - 1] == '\n' ||
	    s->md5key[n - 1] == '\r'))
		n--;
	if (n == 0 || n > TCP_MD5SIG_MAXKEYLEN) {
		log_peer_warnx(s->addrstr, peer_name(s), "password in %s must "
		    "be 1 to %d bytes", s->cp->password_file,
		    TCP_MD5SIG_MAXKEYLEN);
		return -1;
	}
	s->md5len = n;
	s->md5 = true;
	return 0;
}

static int
set_md5(int fd, const struct session *s, bool on)
{
	struct tcp_md5sig	 md5;
	struct sockaddr_storage	 ss;

	memset(&md5, 0, sizeof(md5));
	ipaddr_to_sa(&s->cp->addr, 0, &ss);
	memcpy(&md5.tcpm_addr, &ss, sizeof(ss));
	if (on) {
		md5.tcpm_keylen = (uint16_t)s->md5len;
		memcpy(md5.tcpm_key, s->md5key, s->md5len);
	}
	return setsockopt(fd, IPPROTO_TCP, TCP_MD5SIG, &md5, sizeof(md5));
}

/*
 * TTL of our packets and, with GTSM (RFC 5082), the least TTL accepted:
 * 255 out, 256 - hops in. Without GTSM an eBGP peer that is not multihop
 * gets TTL 1, as in BIRD and OpenBGPD.
 */
static int
set_ttl(int fd, const struct session *s, int family)
{
	int	ttl = -1, minttl = -1;
	int	hops = s->cp->multihop > 0 ? (int)s->cp->multihop : 1;

	if (hops > 255)
		hops = 255;
	if (s->cp->ttl_security) {
		ttl = 255;
		minttl = 256 - hops;
	} else if (s->cp->multihop > 0)
		ttl = hops;
	else if (s->ebgp)
		ttl = 1;
	if (family == AF_INET) {
		if (ttl != -1 && setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl,
		    sizeof(ttl)) == -1)
			return -1;
		if (minttl != -1 && setsockopt(fd, IPPROTO_IP, IP_MINTTL,
		    &minttl, sizeof(minttl)) == -1)
			return -1;
	} else {
		if (ttl != -1 && setsockopt(fd, IPPROTO_IPV6,
		    IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) == -1)
			return -1;
		if (minttl != -1 && setsockopt(fd, IPPROTO_IPV6,
		    IPV6_MINHOPCOUNT, &minttl, sizeof(minttl)) == -1)
			return -1;
	}
	return 0;
}

static void
set_sockopts(int fd, const struct session *s, int family)
{
	int	on = 1;

	if (setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on)) == -1)
		log_warn("neighbor %s: TCP_NODELAY", s->addrstr);
	if (set_ttl(fd, s, family) == -1)
		log_warn("neighbor %s: TTL settings", s->addrstr);
}

/* ---- connections ------------------------------------------------------ */

static struct conn *
cur_conn(struct session *s)
{
	return &s->conn[s->cur];
}

static struct conn *
other_conn(struct conn *c)
{
	struct session	*s = c->s;

	return &s->conn[c == &s->conn[0] ? 1 : 0];
}

static bool
is_cur(const struct conn *c)
{
	return c == &c->s->conn[c->s->cur];
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn_timer	*ct = arg;
	struct conn		*c = ct->c;
	static const enum bgp_fsm_event ev[BGP_TIMER_MAX] = {
		[BGP_TIMER_CONNECT_RETRY] = BGP_EV_CONNECT_RETRY_EXPIRES,
		[BGP_TIMER_HOLD] = BGP_EV_HOLD_EXPIRES,
		[BGP_TIMER_KEEPALIVE] = BGP_EV_KEEPALIVE_EXPIRES,
		[BGP_TIMER_DELAY_OPEN] = BGP_EV_DELAY_OPEN_EXPIRES,
		[BGP_TIMER_IDLE_HOLD] = BGP_EV_IDLE_HOLD_EXPIRES,
	};

	if (!c->fsm.running[ct->t])
		return;
	conn_event(c, ev[ct->t], NULL);
}

static void
timer_start(struct conn *c, int t, uint32_t ms)
{
	struct timeval	tv;

	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->timer[t].ev, &tv);
}

static void
fail_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;

	if (c->used && c->connecting) {
		c->connecting = false;
		conn_event(c, BGP_EV_TCP_FAILS, NULL);
	}
}

static void
conn_setup(struct conn *c, struct session *s)
{
	int	t;

	memset(c, 0, sizeof(*c));
	c->s = s;
	c->fd = -1;
	wbuf_init(&c->obuf, SESS_OBUF_MAX);
	for (t = 0; t < BGP_TIMER_MAX; t++) {
		c->timer[t].c = c;
		c->timer[t].t = t;
		c->timer[t].ev = evtimer_new(S.base, timer_cb, &c->timer[t]);
		if (c->timer[t].ev == NULL)
			fatalx("evtimer_new");
	}
	if ((c->ev_fail = event_new(S.base, -1, 0, fail_cb, c)) == NULL ||
	    (c->ev_dump = event_new(S.base, -1, 0, dump_cb, c)) == NULL)
		fatalx("event_new");
	bgp_fsm_init(&c->fsm, &s->fconf);
}

/* Closes the socket, keeps the FSM. */
static void
conn_close(struct conn *c)
{
	char	tmp[4096];
	int	i;

	if (c->ev_read != NULL) {
		event_free(c->ev_read);
		c->ev_read = NULL;
	}
	if (c->ev_write != NULL) {
		event_free(c->ev_write);
		c->ev_write = NULL;
	}
	event_del(c->ev_fail);
	event_del(c->ev_dump);
	adj_reset(c);
	if (c->fd != -1) {
		/*
		 * Reading what the peer sent before close() keeps the kernel
		 * from answering with a RST, which could overtake our
		 * NOTIFICATION.
		 */
		shutdown(c->fd, SHUT_WR);
		for (i = 0; i < 64 && read(c->fd, tmp, sizeof(tmp)) > 0; i++)
			;
		close(c->fd);
		c->fd = -1;
	}
	c->gen++;
	c->connecting = false;
	c->reading = false;
	free(c->ibuf);
	c->ibuf = NULL;
	c->ilen = c->icap = 0;
	wbuf_reset(&c->obuf);
	c->ooff = 0;
}

static void
conn_stop_timers(struct conn *c)
{
	int	t;

	for (t = 0; t < BGP_TIMER_MAX; t++)
		evtimer_del(c->timer[t].ev);
}

/* Empties a slot: no socket, no timers, a fresh FSM. */
static void
conn_clear(struct conn *c)
{
	conn_close(c);
	conn_stop_timers(c);
	c->used = false;
	bgp_fsm_init(&c->fsm, &c->s->fconf);
}

static void
conn_teardown(struct conn *c)
{
	int	t;

	conn_close(c);
	for (t = 0; t < BGP_TIMER_MAX; t++)
		event_free(c->timer[t].ev);
	event_free(c->ev_fail);
	event_free(c->ev_dump);
	wbuf_fini(&c->obuf);
	free(c->run_p);
	for (t = 0; t < BGP_AID_MAX; t++)
		free(c->wd[t]);
}

static void
conn_attach(struct conn *c, int fd, bool outbound)
{
	struct sockaddr_storage	ss;
	socklen_t		sl = sizeof(ss);

	c->fd = fd;
	c->outbound = outbound;
	c->have_open = false;
	c->notified = false;
	c->eof = false;
	c->ev_read = event_new(S.base, fd, EV_READ | EV_PERSIST, conn_read_cb,
	    c);
	c->ev_write = event_new(S.base, fd, EV_WRITE | EV_PERSIST,
	    conn_write_cb, c);
	if (c->ev_read == NULL || c->ev_write == NULL)
		fatalx("event_new");
	memset(&c->local, 0, sizeof(c->local));
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
		sa_to_ipaddr(&ss, &c->local);
}

static void
conn_start_reading(struct conn *c)
{
	if (!c->reading && c->ev_read != NULL) {
		event_add(c->ev_read, NULL);
		c->reading = true;
		/* messages may wait in the buffer with nothing to read */
		if (c->ilen > 0 || c->eof)
			event_active(c->ev_read, EV_READ, 0);
	}
}

static void
conn_connect(struct conn *c)
{
	struct session		*s = c->s;
	struct sockaddr_storage	 ss;
	socklen_t		 sl;
	int			 fd, family = s->cp->addr.family;

	conn_close(c);
	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		log_warn("neighbor %s: socket", s->addrstr);
		goto fail;
	}
	if (s->md5 && set_md5(fd, s, true) == -1)
		log_warn("neighbor %s: TCP_MD5SIG", s->addrstr);
	set_sockopts(fd, s, family);
	if (s->cp->local_addr.family != 0) {
		sl = ipaddr_to_sa(&s->cp->local_addr, 0, &ss);
		if (bind(fd, (struct sockaddr *)&ss, sl) == -1) {
			log_warn("neighbor %s: bind to the local address",
			    s->addrstr);
			close(fd);
			goto fail;
		}
	}
	conn_attach(c, fd, true);
	sl = ipaddr_to_sa(&s->cp->addr, s->cp->port != 0 ? s->cp->port :
	    S.opts.connect_port, &ss);
	c->connecting = true;
	if (connect(fd, (struct sockaddr *)&ss, sl) == -1 &&
	    errno != EINPROGRESS) {
		log_debugc(LOG_CAT_FSM, "neighbor %s: connect: %s",
		    s->addrstr, strerror(errno));
		event_active(c->ev_fail, 0, 0);
		return;
	}
	/* completion (or failure) shows as writability */
	event_add(c->ev_write, NULL);
	return;
fail:
	c->connecting = true;
	event_active(c->ev_fail, 0, 0);
}

/* ---- output ----------------------------------------------------------- */

static void
conn_flush(struct conn *c)
{
	ssize_t	n;

	while (c->fd != -1 && !c->connecting && c->ooff < c->obuf.len) {
		n = write(c->fd, c->obuf.p + c->ooff, c->obuf.len - c->ooff);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				c->ooff = c->obuf.len;	/* read sees it */
			break;
		}
		c->ooff += (size_t)n;
	}
	if (c->ooff == c->obuf.len) {
		wbuf_reset(&c->obuf);
		c->ooff = 0;
		if (c->ev_write != NULL && !c->connecting)
			event_del(c->ev_write);
		/* below the high-water mark again */
		if (c->fd != -1 && !c->connecting)
			conn_start_reading(c);
	} else if (c->ev_write != NULL)
		event_add(c->ev_write, NULL);
	/* a table dump waits for room */
	if (c->dump_aids != 0 && c->fd != -1 &&
	    c->obuf.len - c->ooff <= SESS_OBUF_HWM)
		event_active(c->ev_dump, 0, 0);
}

/* After appending a message: schedule the write, check the queue. */
static int
conn_queued(struct conn *c)
{
	if (c->obuf.err) {
		log_peer_warnx(c->s->addrstr, peer_name(c->s),
		    "output queue over %d bytes", SESS_OBUF_MAX);
		return -1;
	}
	if (c->obuf.len - c->ooff > SESS_OBUF_HWM && c->reading) {
		event_del(c->ev_read);
		c->reading = false;
	}
	if (c->ev_write != NULL && !c->connecting)
		event_add(c->ev_write, NULL);
	return 0;
}

static void
build_open(const struct session *s, struct bgp_open *o)
{
	const struct conf	*cf = S.conf;
	uint8_t			 both;

	both = 1 << BGP_AID_IPV4 | 1 << BGP_AID_IPV6;

	bgp_open_init(o, S.asn, (uint16_t)s->cp->hold_time, S.router_id);
	o->capa = true;
	o->mp = true;
	o->mp_aids = both;
	o->route_refresh = true;
	o->enhanced_rr = true;
	o->ext_msg = true;
	if (s->cp->graceful_restart) {
		o->gr = true;
		o->gr_time = (uint16_t)(cf->restart_time > BGP_GR_TIME_MAX ?
		    BGP_GR_TIME_MAX : cf->restart_time);
		o->gr_aids = both;
		o->gr_fwd = S.opts.gr_forwarding ? both : 0;
		if (S.restarting)
			o->gr_flags |= BGP_GR_F_RESTART;
	}
}

static void
send_notification(struct conn *c, uint8_t code, uint8_t subcode)
{
	struct session	*s = c->s;
	const uint8_t	*data = NULL;
	size_t		 len = 0;
	int		 r;

	if (code == BGP_ERR_CEASE && (subcode ==
	    BGP_ERR_CEASE_ADMIN_SHUTDOWN || subcode ==
	    BGP_ERR_CEASE_ADMIN_RESET) && S.shutdown_msg != NULL)
		r = bgp_notification_encode_shutdown(&c->obuf, subcode,
		    S.shutdown_msg);
	else {
		if (c->nd_code == code && c->nd_subcode == subcode) {
			data = c->nd_data;
			len = c->nd_len;
		}
		r = bgp_notification_encode(&c->obuf,
		    c->have_open ? &c->ctx : NULL, code, subcode, data, len);
	}
	c->nd_code = c->nd_subcode = 0;
	c->nd_len = 0;
	if (r == -1)
		return;
	c->notified = true;
	s->last_code = code;
	s->last_subcode = subcode;
	s->last_sent = true;
	log_peer_warnx(s->addrstr, peer_name(s), "sent NOTIFICATION %s, %s",
	    bgp_err_code_name(code), bgp_err_subcode_name(code, subcode));
	conn_queued(c);
}

/* Remembers the data of the NOTIFICATION the next step is to send. */
static void
stash_err(struct conn *c, const struct bgp_err *e)
{
	c->nd_code = e->code;
	c->nd_subcode = e->subcode;
	c->nd_len = e->datalen < sizeof(c->nd_data) ? e->datalen :
	    sizeof(c->nd_data);
	if (c->nd_len > 0)
		memcpy(c->nd_data, e->data, c->nd_len);
}

/* ---- routes ----------------------------------------------------------- */

static void
routes_down(struct session *s, const struct conn *c)
{
	enum bgp_aid	aid;
	size_t		n = 0;
	bool		gr = false;

	policy_peer_session_down(&s->pp);
	if (s->rib_peer < 0)
		return;
	/*
	 * RFC 4724 4.2: the routes stay, marked stale, when the TCP session
	 * ended without a NOTIFICATION (RFC 8538's N bit is not spoken).
	 */
	if (c->have_open && c->popen.gr && s->cp->graceful_restart &&
	    !c->notified) {
		for (aid = 0; aid < BGP_AID_MAX; aid++)
			if (c->popen.gr_aids & (1 << aid)) {
				n += rib_peer_mark_stale(S.rib,
				    (unsigned)s->rib_peer, aid);
				gr = true;
			} else
				rib_peer_flush(S.rib, (unsigned)s->rib_peer,
				    aid);
	}
	if (gr) {
		/* the peer has its restart time to come back */
		struct timeval	tv = { c->popen.gr_time, 0 };

		log_peer_info(s->addrstr, peer_name(s), "graceful restart: "
		    "keeping %zu paths as stale for %u s", n,
		    c->popen.gr_time);
		s->gr_stale = true;
		s->stale_marked = n;
		s->stale_until_ms = log_now_ms() + tv.tv_sec * 1000;
		evtimer_add(s->ev_stale, &tv);
		return;
	}
	n = rib_peer_flush(S.rib, (unsigned)s->rib_peer, BGP_AID_MAX);
	log_debugc(LOG_CAT_UPDATE, "neighbor %s: %zu paths flushed",
	    s->addrstr, n);
}

static void
stale_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;
	size_t		 n;

	if (s->rib_peer < 0 || !s->gr_stale)
		return;
	n = rib_peer_sweep_stale(S.rib, (unsigned)s->rib_peer, BGP_AID_MAX);
	s->gr_stale = false;
	log_peer_info(s->addrstr, peer_name(s), "stale timer expired: %zu "
	    "stale paths removed", n);
	rib_kick();
}

/* Which session a RIB peer id is, for what goes out of the Loc-RIB. */
static void
by_peer_set(unsigned id, struct session *s)
{
	size_t	n;

	if (id >= S.nby_peer) {
		if (s == NULL)
			return;
		n = S.nby_peer ? S.nby_peer : 16;
		while (n <= id)
			n *= 2;
		S.by_peer = xreallocarray(S.by_peer, n, sizeof(*S.by_peer));
		memset(S.by_peer + S.nby_peer, 0,
		    (n - S.nby_peer) * sizeof(*S.by_peer));
		S.nby_peer = n;
	}
	S.by_peer[id] = s;
}

static int
rib_peer_setup(struct session *s, const struct conn *c)
{
	struct rib_peer		 rp;
	const struct rib_peer	*old;

	if (s->rib_peer >= 0) {
		old = rib_peer_get(S.rib, (unsigned)s->rib_peer);
		if (old != NULL && old->bgp_id == c->popen.bgp_id &&
		    old->as == c->popen.peer_as)
			return 0;
		by_peer_set((unsigned)s->rib_peer, NULL);
		rib_peer_remove(S.rib, (unsigned)s->rib_peer);
		s->rib_peer = -1;
		s->gr_stale = false;
		evtimer_del(s->ev_stale);
	}
	memset(&rp, 0, sizeof(rp));
	rp.addr = s->cp->addr;
	rp.as = c->popen.peer_as;
	rp.bgp_id = c->popen.bgp_id;
	rp.flags = s->ebgp ? RIB_PEER_EBGP : 0;
	s->rib_peer = rib_peer_add(S.rib, &rp);
	if (s->rib_peer < 0) {
		log_peer_warnx(s->addrstr, peer_name(s), "out of memory "
		    "adding the peer to the RIB");
		return -1;
	}
	by_peer_set((unsigned)s->rib_peer, s);
	return 0;
}

/*
 * Whether the peer's path for p counts for max-prefix: a stale one
 * (graceful restart) was dropped from the count when the session ended.
 */
static bool
rib_has_live_path(const struct session *s, const struct prefix *p)
{
	struct rib_entry	e;
	size_t			i;

	if (rib_lookup(S.rib, p, &e) == 0)
		return false;
	for (i = 0; i < e.npaths; i++)
		if (e.paths[i].peer == (unsigned)s->rib_peer &&
		    e.paths[i].path_id == 0)
			return !(e.paths[i].flags & RIB_PF_STALE);
	return false;
}

static void
route_withdraw(struct session *s, const struct prefix *p)
{
	char	pb[PREFIX_STRLEN];
	bool	live = rib_has_live_path(s, p);

	if (rib_path_del(S.rib, p, (unsigned)s->rib_peer, 0) == 1) {
		if (live)
			policy_prefix_del(&s->pp);
		if (log_debug_on(LOG_CAT_UPDATE))
			log_debugc(LOG_CAT_UPDATE, "neighbor %s: withdrawn %s",
			    s->addrstr, prefix_fmt(p, pb, sizeof(pb)));
	}
}

/*
 * Max-prefix was exceeded: Cease with the limit, and come back after the
 * configured time (or never).
 */
static void
max_prefix_hit(struct conn *c, const struct policy_limit *lim)
{
	struct session		*s = c->s;
	struct bgp_fsm_input	 in;

	log_peer_warnx(s->addrstr, peer_name(s), "more than %u prefixes: "
	    "closing the session%s", s->cp->max_prefixes,
	    lim->restart ? "" : " until restarted");
	c->nd_code = lim->code;
	c->nd_subcode = lim->subcode;
	c->nd_len = lim->datalen;
	memcpy(c->nd_data, lim->data, lim->datalen);
	memset(&in, 0, sizeof(in));
	in.subcode = lim->subcode;
	s->limit_hit = true;
	s->limit_restart = lim->restart;
	conn_event(c, lim->restart ? BGP_EV_AUTO_STOP : BGP_EV_MANUAL_STOP,
	    &in);
}

/* An UPDATE in Established; -1 if the session went down meanwhile. */
static int
handle_update(struct conn *c, const uint8_t *msg, size_t len)
{
	struct session			*s = c->s;
	struct bgp_update		 u;
	struct bgp_err			 e;
	struct bgp_nlri_iter		 it;
	struct bgp_attr_set		 tmpl;
	const struct bgp_attr_set	*attr[BGP_AID_MAX] = { NULL };
	struct policy_limit		 lim;
	struct bgp_fsm_input		 in;
	enum bgp_verdict		 v;
	enum policy_reason		 why;
	enum bgp_aid			 aid;
	struct prefix			 p;
	char				 pb[PREFIX_STRLEN];
	bool				 dbg = log_debug_on(LOG_CAT_UPDATE);
	bool				 limit = false, stale;
	size_t				 held;

	bgp_err_clear(&e);
	v = bgp_update_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, &c->ctx,
	    &u, &e);
	s->updates_rx++;
	if (v == BGP_RESET) {
		log_rl_warnx(&s->rl, "neighbor %s: bad UPDATE: %s (%s, %s)",
		    s->addrstr, e.why ? e.why : "malformed",
		    bgp_err_code_name(e.code),
		    bgp_err_subcode_name(e.code, e.subcode));
		stash_err(c, &e);
		memset(&in, 0, sizeof(in));
		in.code = e.code;
		in.subcode = e.subcode;
		conn_event(c, BGP_EV_UPDATE_ERR, &in);
		return -1;
	}
	if (v != BGP_OK)
		log_rl_warnx(&s->rl, "neighbor %s: UPDATE %s: %s", s->addrstr,
		    v == BGP_WITHDRAW ? "treated as withdraw" :
		    "attribute discarded", e.why ? e.why : "malformed");
	if (s->rib_peer < 0)
		return 0;
	if (u.eor) {
		size_t	n = 0;

		/* stale paths exist only after a graceful restart: spare
		 * the walk of the whole table otherwise */
		if (s->gr_stale)
			n = rib_peer_sweep_stale(S.rib, (unsigned)s->rib_peer,
			    u.eor_aid);

		log_debugc(LOG_CAT_UPDATE, "neighbor %s: End-of-RIB %s, "
		    "%zu stale paths removed", s->addrstr,
		    u.eor_aid == BGP_AID_IPV4 ? "IPv4" : "IPv6", n);
		/* every UPDATE before it is in the RIB: say how many */
		log_peer_info(s->addrstr, peer_name(s), "End-of-RIB for %s "
		    "unicast: %u prefixes from this peer (all families)",
		    u.eor_aid == BGP_AID_IPV4 ? "IPv4" : "IPv6",
		    s->pp.prefixes);
		if (u.eor_aid < BGP_AID_MAX)
			c->eor_rx |= (uint8_t)(1 << u.eor_aid);
		if (S.listener.eor != NULL)
			S.listener.eor(S.listener.arg);
		return 0;
	}
	bgp_nlri_iter_unreach(&it, &u);
	while (bgp_nlri_next(&it, &p, NULL) == 1) {
		s->withdrawals_rx++;
		route_withdraw(s, &p);
	}
	bgp_nlri_iter_reach(&it, &u);
	while (bgp_nlri_next(&it, &p, NULL) == 1) {
		s->prefixes_rx++;
		if (v == BGP_WITHDRAW) {
			route_withdraw(s, &p);
			continue;
		}
		aid = p.family == AF_INET ? BGP_AID_IPV4 : BGP_AID_IPV6;
		if (attr[aid] == NULL) {
			memset(&tmpl, 0, sizeof(tmpl));
			if (bgp_attr_set_from_update(&tmpl, &u, aid) == -1)
				fatalx("out of memory");
			attr[aid] = bgp_attr_intern(S.attrs, &tmpl);
			bgp_attr_set_fini(&tmpl);
			if (attr[aid] == NULL)
				fatalx("out of memory");
		}
		if (!policy_import(S.pol, &s->pp, &p, attr[aid], &why)) {
			reject_note(s, &p, why, attr[aid]);
			if (dbg)
				log_debugc(LOG_CAT_UPDATE, "neighbor %s: "
				    "rejected %s: %s", s->addrstr,
				    prefix_fmt(&p, pb, sizeof(pb)),
				    policy_reason_name(why));
			route_withdraw(s, &p);
			continue;
		}
		/*
		 * Counted for max-prefix when new, which the peer's path
		 * count shows without a second walk down the tree (a third
		 * of a big feed), or when it replaces a stale path, which
		 * graceful restart dropped from the count: only then is the
		 * prefix looked up first.
		 */
		stale = s->gr_stale && !rib_has_live_path(s, &p);
		held = rib_peer_npaths(S.rib, (unsigned)s->rib_peer, aid);
		if (rib_path_add(S.rib, &p, (unsigned)s->rib_peer, 0,
		    attr[aid]) == -1)
			fatalx("out of memory");
		if ((stale || rib_peer_npaths(S.rib, (unsigned)s->rib_peer,
		    aid) != held) && policy_prefix_add(&s->pp, aid, &lim)) {
			/* over the limit: this one stays out */
			rib_path_del(S.rib, &p, (unsigned)s->rib_peer, 0);
			limit = true;
			break;
		}
		if (dbg) {
			char	nb[IPADDR_STRLEN];

			log_debugc(LOG_CAT_UPDATE, "neighbor %s: accepted %s "
			    "via %s", s->addrstr,
			    prefix_fmt(&p, pb, sizeof(pb)),
			    ipaddr_fmt(&attr[aid]->nexthop, nb, sizeof(nb)));
		}
	}
	for (aid = 0; aid < BGP_AID_MAX; aid++)
		if (attr[aid] != NULL)
			bgp_attr_unref(attr[aid]);
	rib_kick();
	if (limit) {
		max_prefix_hit(c, &lim);
		return -1;
	}
	return 0;
}

/* ---- advertising ------------------------------------------------------ */

/* Own pod CIDRs the export policy lets out to s now. */
static uint32_t
own_exported(struct session *s, const struct conn *c)
{
	struct policy_route	r;
	struct bgp_attr_set	tmpl;
	uint32_t		n = 0;
	size_t			i;

	if (c->fd == -1 || c->fsm.state != BGP_FSM_ESTABLISHED)
		return 0;
	memset(&tmpl, 0, sizeof(tmpl));
	tmpl.origin = BGP_ORIGIN_IGP;
	tmpl.communities = S.own_comm;
	tmpl.ncommunities = S.nown_comm;
	for (i = 0; i < S.nown; i++) {
		enum bgp_aid	aid = S.own[i].family == AF_INET ?
				    BGP_AID_IPV4 : BGP_AID_IPV6;

		if (!(c->families & (1 << aid)))
			continue;
		memset(&r, 0, sizeof(r));
		r.prefix = &S.own[i];
		r.origin = POLICY_ORIGIN_OWN;
		if (policy_export_check(S.pol, &s->pp, &r, &tmpl) ==
		    POLICY_OK)
			n++;
	}
	return n;
}

/*
 * Our next hops for family aid on connection c: the local address of
 * the connection when its family matches, else an address of that family
 * on the interface that holds it; for IPv6 also the link-local address
 * of that interface when the peer is directly connected.
 */
static void
own_nexthop(const struct conn *c, enum bgp_aid aid, struct ipaddr *nh,
    struct ipaddr *ll)
{
	struct ifaddrs	*ifa, *i;
	struct ipaddr	 a;
	char		 ifname[IF_NAMESIZE + 1] = "";
	int		 family = bgp_aid_family(aid);

	memset(nh, 0, sizeof(*nh));
	memset(ll, 0, sizeof(*ll));
	if (c->local.family == family)
		*nh = c->local;
	if (getifaddrs(&ifa) == -1)
		return;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL)
			continue;
		sa_to_ipaddr((const void *)i->ifa_addr, &a);
		if (a.family == c->local.family &&
		    ipaddr_cmp(&a, &c->local) == 0) {
			snprintf(ifname, sizeof(ifname), "%s", i->ifa_name);
			break;
		}
	}
	for (i = ifa; ifname[0] != '\0' && i != NULL; i = i->ifa_next) {
		if (i->ifa_addr == NULL || strcmp(i->ifa_name, ifname) != 0 ||
		    i->ifa_addr->sa_family != family)
			continue;
		sa_to_ipaddr((const void *)i->ifa_addr, &a);
		if (family == AF_INET6 && ipaddr_is_linklocal(&a)) {
			if (ll->family == 0 && c->s->cp->multihop == 0)
				*ll = a;
		} else if (nh->family == 0)
			*nh = a;
	}
	freeifaddrs(ifa);
	if (nh->family == 0 && ll->family != 0) {
		*nh = *ll;
		memset(ll, 0, sizeof(*ll));
	}
}

/* Appends an UPDATE whose body fn wrote; checks the size. */
static int
finish_update(struct conn *c, size_t start, int r)
{
	if (r == -1 || bgp_msg_hdr_end(&c->obuf, start,
	    bgp_msg_max(&c->ctx)) == -1) {
		c->obuf.len = start;
		return -1;
	}
	return 0;
}

static void
update_sent(struct conn *c)
{
	struct bgp_fsm_input	in;
	struct bgp_fsm_out	out;

	memset(&in, 0, sizeof(in));
	in.now_ms = log_now_ms();
	in.rand = rand32();
	bgp_fsm_update_sent(&c->fsm, &in, &out);
	conn_apply(c, &out);
}

/*
 * Announces (or withdraws) the n prefixes of p that are of a family in
 * aids and negotiated on c; one UPDATE per prefix since each may carry
 * other export attributes.
 */
static void
send_own(struct session *s, struct conn *c, uint8_t aids,
    const struct prefix *p, size_t n, int mode)
{
	bool			 withdraw;
	struct bgp_attr_set	 tmpl, out;
	struct policy_route	 r;
	enum policy_reason	 why;
	enum bgp_aid		 aid;
	struct ipaddr		 nh, ll;
	uint8_t			 aspath[6];
	char			 pb[PREFIX_STRLEN];
	size_t			 i, start, done;
	bool			 sent = false;
	int			 rv;

	for (i = 0; i < n; i++) {
		aid = p[i].family == AF_INET ? BGP_AID_IPV4 : BGP_AID_IPV6;
		if (!(aids & c->families & (1 << aid)))
			continue;
		withdraw = mode == OWN_WITHDRAW;
 again:
		start = bgp_msg_hdr_begin(&c->obuf, BGP_MSG_UPDATE);
		if (withdraw) {
			rv = bgp_update_pack_unreach(&c->obuf, 0, &c->ctx, aid,
			    &p[i], NULL, 1, &done);
			if (finish_update(c, start, rv) == 0) {
				sent = true;
				log_debugc(LOG_CAT_UPDATE, "neighbor %s: "
				    "withdrawing %s", s->addrstr,
				    prefix_fmt(&p[i], pb, sizeof(pb)));
			}
			continue;
		}
		memset(&tmpl, 0, sizeof(tmpl));
		tmpl.origin = BGP_ORIGIN_IGP;
		tmpl.communities = S.own_comm;
		tmpl.ncommunities = S.nown_comm;
		if (s->ebgp) {
			aspath[0] = BGP_ASSEG_SEQUENCE;
			aspath[1] = 1;
			aspath[2] = (uint8_t)(S.asn >> 24);
			aspath[3] = (uint8_t)(S.asn >> 16);
			aspath[4] = (uint8_t)(S.asn >> 8);
			aspath[5] = (uint8_t)S.asn;
			tmpl.aspath = aspath;
			tmpl.aspath_len = sizeof(aspath);
		} else {
			tmpl.flags |= BGP_AS_LOCAL_PREF;
			tmpl.local_pref = 100;
		}
		own_nexthop(c, aid, &nh, &ll);
		if (nh.family == 0) {
			c->obuf.len = start;
			log_rl_warnx(&s->rl, "neighbor %s: no %s next hop "
			    "for %s", s->addrstr, aid == BGP_AID_IPV4 ?
			    "IPv4" : "IPv6", prefix_fmt(&p[i], pb,
			    sizeof(pb)));
			continue;
		}
		tmpl.nexthop = nh;
		tmpl.nexthop_ll = ll;
		r.prefix = &p[i];
		r.origin = POLICY_ORIGIN_OWN;
		r.from_rr_client = false;
		rv = policy_export(S.pol, &s->pp, &r, &tmpl, &out, &why);
		if (rv == -1)
			fatalx("out of memory");
		if (rv == 0) {
			c->obuf.len = start;
			log_debugc(LOG_CAT_UPDATE, "neighbor %s: not "
			    "announcing %s: %s", s->addrstr,
			    prefix_fmt(&p[i], pb, sizeof(pb)),
			    policy_reason_name(why));
			if (mode == OWN_REFRESH) {
				/* it may have been announced before */
				withdraw = true;
				goto again;
			}
			continue;
		}
		rv = bgp_update_pack_reach(&c->obuf, 0, &c->ctx, aid, &out,
		    &p[i], NULL, 1, &done);
		if (finish_update(c, start, rv) == 0) {
			sent = true;
			log_debugc(LOG_CAT_UPDATE, "neighbor %s: announcing "
			    "%s", s->addrstr, prefix_fmt(&p[i], pb,
			    sizeof(pb)));
		}
	}
	if (sent) {
		conn_queued(c);
		update_sent(c);
	}
}

/* ---- Adj-RIB-Out: learned routes -------------------------------------- */

/*
 * Routes of the Loc-RIB go out to the peers policy lets them reach
 * (reflection, export rules). No copy of what each peer was sent is kept:
 * a change is announced when exported, and withdrawn when the peer may
 * have had it (the change is not a new prefix, or a walk of the table ran
 * since the last drain) and policy could ever export that prefix to it.
 * Only the best path goes out, never back to the peer it came from.
 */

/* Prefixes collected for one UPDATE run or withdrawal batch. */
#define ADJ_RUN_MAX		2048
/* Prefixes walked per step of a table dump. */
#define ADJ_DUMP_STEP		4096
/* Change records per rib_changes_next call, and per drain turn. */
#define DRAIN_BATCH		512
#define DRAIN_MAX		(64 * 1024)

static bool
conn_up(const struct conn *c)
{
	return c->fd != -1 && c->fsm.state == BGP_FSM_ESTABLISHED;
}

static bool
sess_exports(const struct session *s)
{
	return policy_exports_learned(S.pol, &s->pp);
}

void
session_rib_changed(void)
{
	rib_kick();
}

/* Schedules a drain of the RIB's change records for this loop turn. */
static void
rib_kick(void)
{
	if (!S.drain_queued && S.ev_drain != NULL &&
	    rib_changes_pending(S.rib) > 0) {
		S.drain_queued = true;
		event_active(S.ev_drain, 0, 0);
	}
}

static void
adj_cache_drop(struct conn *c)
{
	if (c->ex_in != NULL)
		bgp_attr_unref(c->ex_in);
	if (c->ex_out != NULL)
		bgp_attr_unref(c->ex_out);
	c->ex_in = c->ex_out = NULL;
	c->ex_src = NULL;
	c->nh_valid = 0;
}

/* Packs the waiting announcements; true if something was written. */
static bool
adj_flush_run(struct conn *c)
{
	size_t	off = 0, done, start;
	bool	sent = false;
	int	rv;

	while (off < c->run_n) {
		start = bgp_msg_hdr_begin(&c->obuf, BGP_MSG_UPDATE);
		rv = bgp_update_pack_reach(&c->obuf, 0, &c->ctx, c->run_aid,
		    c->run_attr, c->run_p + off, NULL, c->run_n - off, &done);
		if (finish_update(c, start, rv) == -1) {
			log_rl_warnx(&c->s->rl, "neighbor %s: %zu routes not "
			    "announced: their attributes do not fit an UPDATE",
			    c->s->addrstr, c->run_n - off);
			break;
		}
		off += done;
		sent = true;
	}
	c->run_n = 0;
	if (c->run_attr != NULL)
		bgp_attr_unref(c->run_attr);
	c->run_attr = NULL;
	return sent;
}

static bool
adj_flush_wd(struct conn *c)
{
	enum bgp_aid	aid;
	size_t		off, done, start;
	bool		sent = false;
	int		rv;

	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		for (off = 0; off < c->nwd[aid]; off += done) {
			start = bgp_msg_hdr_begin(&c->obuf, BGP_MSG_UPDATE);
			rv = bgp_update_pack_unreach(&c->obuf, 0, &c->ctx,
			    aid, c->wd[aid] + off, NULL, c->nwd[aid] - off,
			    &done);
			if (finish_update(c, start, rv) == -1)
				break;
			sent = true;
		}
		c->nwd[aid] = 0;
	}
	return sent;
}

static void
adj_flush(struct conn *c)
{
	bool	sent;

	sent = adj_flush_run(c);
	sent = adj_flush_wd(c) || sent;
	if (sent) {
		conn_queued(c);
		update_sent(c);
	}
}

static void
adj_announce(struct conn *c, enum bgp_aid aid, const struct bgp_attr_set *a,
    const struct prefix *p)
{
	if (c->run_n > 0 && (c->run_attr != a || c->run_aid != aid ||
	    c->run_n == ADJ_RUN_MAX))
		adj_flush_run(c);
	if (c->run_p == NULL)
		c->run_p = xcalloc(ADJ_RUN_MAX, sizeof(*c->run_p));
	if (c->run_n == 0) {
		c->run_attr = bgp_attr_ref(a);
		c->run_aid = (uint8_t)aid;
	}
	c->run_p[c->run_n++] = *p;
}

static void
adj_withdraw(struct conn *c, enum bgp_aid aid, const struct prefix *p)
{
	if (c->nwd[aid] == ADJ_RUN_MAX)
		adj_flush_wd(c);
	if (c->wd[aid] == NULL)
		c->wd[aid] = xcalloc(ADJ_RUN_MAX, sizeof(*c->wd[aid]));
	c->wd[aid][c->nwd[aid]++] = *p;
}

/*
 * The attributes a route with attributes a from src goes to c with: the
 * export template with our next hop towards eBGP, interned. Consecutive
 * routes mostly share a, so the last result is kept (until the end of the
 * drain or dump step). NULL if there is no next hop to give.
 */
static const struct bgp_attr_set *
adj_attr(struct conn *c, const struct session *src,
    const struct policy_route *r, const struct bgp_attr_set *a,
    enum bgp_aid aid)
{
	struct session			*s = c->s;
	struct bgp_attr_set		 out;
	const struct bgp_attr_set	*oa;
	char				 pb[PREFIX_STRLEN];
	int				 rv;

	if (c->ex_in == a && c->ex_src == src)
		return c->ex_out;
	if ((rv = policy_export(S.pol, &s->pp, r, a, &out, NULL)) == -1)
		fatalx("out of memory");
	if (rv == 0)
		return NULL;
	if (s->ebgp) {
		/* next hop self (RFC 4271 5.1.3) */
		if (!(c->nh_valid & (1 << aid))) {
			own_nexthop(c, aid, &c->nh[aid], &c->nh_ll[aid]);
			c->nh_valid |= (uint8_t)(1 << aid);
		}
		if (c->nh[aid].family == 0) {
			log_rl_warnx(&s->rl, "neighbor %s: no %s next hop "
			    "for %s", s->addrstr, aid == BGP_AID_IPV4 ?
			    "IPv4" : "IPv6", prefix_fmt(r->prefix, pb,
			    sizeof(pb)));
			return NULL;
		}
		out.nexthop = c->nh[aid];
		out.nexthop_ll = c->nh_ll[aid];
	} else
		/* a link-local next hop means nothing on another link */
		memset(&out.nexthop_ll, 0, sizeof(out.nexthop_ll));
	if ((oa = bgp_attr_intern(S.attrs, &out)) == NULL)
		fatalx("out of memory");
	adj_cache_drop(c);
	c->ex_in = bgp_attr_ref(a);
	c->ex_src = src;
	c->ex_out = oa;
	return oa;
}

/*
 * Entry e's route for c: announced if policy exports its best path,
 * otherwise withdrawn if the peer may have it (may_have).
 */
static void
adj_export(struct conn *c, const struct rib_entry *e, bool may_have)
{
	struct session			*s = c->s, *src = NULL;
	const struct rib_path		*bp;
	const struct rib_peer		*rp;
	const struct bgp_attr_set	*oa;
	struct policy_route		 r;
	enum bgp_aid			 aid;

	aid = e->prefix.family == AF_INET ? BGP_AID_IPV4 : BGP_AID_IPV6;
	if (!(c->families & (1 << aid)))
		return;
	if (e->nbest > 0) {
		bp = &e->paths[0];
		if (bp->peer < S.nby_peer)
			src = S.by_peer[bp->peer];
	}
	if (src != NULL && src != s) {
		memset(&r, 0, sizeof(r));
		r.prefix = &e->prefix;
		r.origin = src->node ? POLICY_ORIGIN_NODE :
		    POLICY_ORIGIN_EXTERNAL;
		r.from_rr_client = src->pp.rr_client;
		r.from_ibgp = !src->ebgp;
		if ((rp = rib_peer_get(S.rib, bp->peer)) != NULL)
			r.src_id = rp->bgp_id;
		if (policy_export_check(S.pol, &s->pp, &r, bp->attr) ==
		    POLICY_OK && (oa = adj_attr(c, src, &r, bp->attr,
		    aid)) != NULL) {
			adj_announce(c, aid, oa, &e->prefix);
			return;
		}
	}
	if (may_have && (c->wd_any ||
	    policy_export_possible(S.pol, &s->pp, &e->prefix)))
		adj_withdraw(c, aid, &e->prefix);
}

/* End-of-RIB and Enhanced Route Refresh's EoRR for the families aids. */
static void
adj_markers(struct conn *c, uint8_t aids, bool eor, bool eorr)
{
	enum bgp_aid	aid;
	size_t		start;

	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (!(aids & c->families & (1 << aid)))
			continue;
		if (eorr) {
			start = c->obuf.len;
			if (bgp_rr_encode(&c->obuf, bgp_aid_afi(aid),
			    BGP_RR_EORR, BGP_SAFI_UNICAST) == -1)
				c->obuf.len = start;
		}
		if (eor) {
			start = bgp_msg_hdr_begin(&c->obuf, BGP_MSG_UPDATE);
			finish_update(c, start,
			    bgp_update_encode_eor(&c->obuf, aid));
		}
	}
	conn_queued(c);
	if (eor) {
		update_sent(c);
		if (c->dump_eor == 0 || c->dump_eor == (aids & c->families)) {
			/* the last End-of-RIB of the initial table */
			c->s->synced = true;
			restart_check();
		}
	}
}

static enum bgp_aid
lowest_aid(uint8_t aids)
{
	enum bgp_aid	aid;

	for (aid = 0; aid < BGP_AID_MAX; aid++)
		if (aids & (1 << aid))
			break;
	return aid;
}

/*
 * Sends the Loc-RIB's routes for the families aids to c, in steps from
 * the loop, then End-of-RIB (eor) or EoRR (eorr) for each family. A
 * family being walked starts again from its first prefix.
 */
static void
adj_dump_start(struct conn *c, uint8_t aids, bool eor, bool eorr)
{
	aids &= c->families;
	if (aids == 0)
		return;
	if (!sess_exports(c->s) && !c->wd_any) {
		adj_markers(c, aids, eor, eorr);
		return;
	}
	if (c->dump_aids == 0 || (aids & (1 << c->dcur_aid)))
		rib_cursor_init(&c->dcur, c->dcur_aid =
		    lowest_aid(c->dump_aids | aids));
	c->dump_aids |= aids;
	if (eor)
		c->dump_eor |= aids;
	if (eorr)
		c->dump_eorr |= aids;
	c->dumped = true;
	event_active(c->ev_dump, 0, 0);
}

static void
dump_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn		*c = arg;
	struct rib_entry	 e;
	uint8_t			 bit;
	unsigned		 k = 0;

	if (!conn_up(c)) {
		c->dump_aids = c->dump_eor = c->dump_eorr = 0;
		c->wd_any = false;
		return;
	}
	while (c->dump_aids != 0 && k < ADJ_DUMP_STEP) {
		if (rib_dump_next(S.rib, &c->dcur, &e) == 1) {
			if (e.nbest > 0)
				adj_export(c, &e, c->wd_any);
			k++;
			continue;
		}
		/* the family is done: its routes, then its marker */
		adj_flush(c);
		bit = (uint8_t)(1 << c->dcur_aid);
		c->dump_aids &= (uint8_t)~bit;
		adj_markers(c, bit, c->dump_eor & bit, c->dump_eorr & bit);
		c->dump_eor &= (uint8_t)~bit;
		c->dump_eorr &= (uint8_t)~bit;
		if (c->dump_aids != 0)
			rib_cursor_init(&c->dcur, c->dcur_aid =
			    lowest_aid(c->dump_aids));
	}
	adj_flush(c);
	adj_cache_drop(c);
	if (c->dump_aids == 0)
		c->wd_any = false;
	/* a slow reader gets the rest as its queue drains (conn_flush) */
	if (c->dump_aids != 0 && conn_up(c) &&
	    c->obuf.len - c->ooff <= SESS_OBUF_HWM)
		event_active(c->ev_dump, 0, 0);
}

/* Forgets what waited for c's peer (the connection closed). */
static void
adj_reset(struct conn *c)
{
	enum bgp_aid	aid;

	c->dump_aids = c->dump_eor = c->dump_eorr = 0;
	c->dumped = false;
	c->wd_any = false;
	c->run_n = 0;
	if (c->run_attr != NULL)
		bgp_attr_unref(c->run_attr);
	c->run_attr = NULL;
	for (aid = 0; aid < BGP_AID_MAX; aid++)
		c->nwd[aid] = 0;
	adj_cache_drop(c);
}

static void
drain_cb(evutil_socket_t fd, short what, void *arg)
{
	static struct rib_change	 chg[DRAIN_BATCH];
	struct rib_entry		 e;
	struct session			*s;
	struct conn			*c;
	size_t				 n, i, j, nout = 0, total = 0;
	bool				 lost;

	S.drain_queued = false;
	lost = rib_changes_lost(S.rib);
	/* the connections learned routes may go to, this turn */
	TAILQ_FOREACH(s, &S.sessions, entry) {
		c = cur_conn(s);
		if (!conn_up(c) || !sess_exports(s))
			continue;
		if (nout == S.outcap) {
			S.outcap = S.outcap ? 2 * S.outcap : 16;
			S.outv = xreallocarray(S.outv, S.outcap,
			    sizeof(*S.outv));
		}
		S.outv[nout++] = c;
	}
	while (total < DRAIN_MAX &&
	    (n = rib_changes_next(S.rib, chg, DRAIN_BATCH)) > 0) {
		total += n;
		for (i = 0; i < n && nout > 0; i++) {
			if (rib_lookup(S.rib, &chg[i].prefix, &e) == 0) {
				memset(&e, 0, sizeof(e));
				e.prefix = chg[i].prefix;
			}
			for (j = 0; j < nout; j++)
				adj_export(S.outv[j], &e, chg[i].kind !=
				    RIB_CHG_ADD || S.outv[j]->dumped);
		}
		if (S.listener.changes != NULL)
			S.listener.changes(chg, n, S.listener.arg);
	}
	for (j = 0; j < nout; j++) {
		c = S.outv[j];
		adj_flush(c);
		adj_cache_drop(c);
		c->dumped = c->dump_aids != 0;
		if (lost)
			adj_dump_start(c, c->families, false, false);
	}
	if (lost && S.listener.resync != NULL)
		S.listener.resync(S.listener.arg);
	rib_kick();
}

void
session_set_rib_listener(const struct session_rib_listener *l)
{
	S.listener = *l;
}

bool
session_all_eor(void)
{
	struct session	*s;
	struct conn	*c;

	TAILQ_FOREACH(s, &S.sessions, entry) {
		c = cur_conn(s);
		if (s->disabled)
			continue;
		if (!conn_up(c) || (c->eor_rx & c->families) != c->families)
			return false;
	}
	return true;
}

void
session_eor_count(size_t *done, size_t *total)
{
	struct session	*s;
	struct conn	*c;

	*done = *total = 0;
	TAILQ_FOREACH(s, &S.sessions, entry) {
		if (s->disabled)
			continue;
		(*total)++;
		c = cur_conn(s);
		if (conn_up(c) && (c->eor_rx & c->families) == c->families)
			(*done)++;
	}
}

/*
 * RFC 4724 4.1: after a restart, OPENs say so (the Restart State bit)
 * until every peer we offer graceful restart to has our routes and
 * End-of-RIB again; restart_cb ends it after restart-time anyway.
 */
static void
restart_check(void)
{
	struct session	*s;

	if (!S.restarting)
		return;
	TAILQ_FOREACH(s, &S.sessions, entry)
		if (s->cp->graceful_restart && !s->synced && !s->disabled)
			return;
	S.restarting = false;
	evtimer_del(S.ev_restarting);
	log_info("graceful restart: every peer has our routes and "
	    "End-of-RIB; the restart is over");
}

static void
restarting_cb(evutil_socket_t fd, short what, void *arg)
{
	if (!S.restarting)
		return;
	S.restarting = false;
	log_info("graceful restart: restart time of %u s over; later OPENs "
	    "no longer say restarting", S.conf->restart_time);
}

static void
session_up(struct session *s, struct conn *c)
{
	uint8_t	all = 1 << BGP_AID_IPV4 | 1 << BGP_AID_IPV6;

	s->limit_hit = false;
	if (rib_peer_setup(s, c) == -1)
		return;
	if (s->gr_stale) {
		struct timeval	tv = { S.conf->stale_time, 0 };
		enum bgp_aid	aid;

		/* RFC 4724 4.2: families whose forwarding state was lost */
		for (aid = 0; aid < BGP_AID_MAX; aid++)
			if (!c->popen.gr || !(c->popen.gr_fwd & (1 << aid)))
				rib_peer_sweep_stale(S.rib,
				    (unsigned)s->rib_peer, aid);
		/* End-of-RIB sweeps the rest; this timer what is left */
		s->stale_until_ms = log_now_ms() + tv.tv_sec * 1000;
		evtimer_add(s->ev_stale, &tv);
	}
	send_own(s, c, all, S.own, S.nown, OWN_ANNOUNCE);
	/* End-of-RIB follows the table at once: no deferral */
	adj_dump_start(c, all, true, false);
	rib_kick();
}

/* ---- the FSM ---------------------------------------------------------- */

static void
log_state(struct conn *c, const struct bgp_fsm_out *out)
{
	struct session	*s = c->s;

	if (out->prev == out->state)
		return;
	if (!is_cur(c)) {
		log_debugc(LOG_CAT_FSM, "neighbor %s: second connection: "
		    "%s -> %s", s->addrstr, bgp_fsm_state_name(out->prev),
		    bgp_fsm_state_name(out->state));
		return;
	}
	s->since_ms = log_now_ms();
	if (out->state == BGP_FSM_ESTABLISHED ||
	    out->prev == BGP_FSM_ESTABLISHED)
		log_peer_info(s->addrstr, peer_name(s), "%s",
		    bgp_fsm_state_name(out->state));
	else
		log_debugc(LOG_CAT_FSM, "neighbor %s: %s -> %s (%s)",
		    s->addrstr, bgp_fsm_state_name(out->prev),
		    bgp_fsm_state_name(out->state),
		    bgp_fsm_event_name(out->event));
}

/* Sends and starts what out asks for, except the session going up. */
static void
conn_apply(struct conn *c, const struct bgp_fsm_out *out)
{
	struct session	*s = c->s;
	struct bgp_open	 o;
	int		 t;

	if (out->actions & BGP_FSM_A_SEND_NOTIFICATION)
		send_notification(c, out->code, out->subcode);
	if (out->actions & BGP_FSM_A_SEND_OPEN) {
		build_open(s, &o);
		if (bgp_open_encode(&c->obuf, &o) == 0)
			conn_queued(c);
	}
	if (out->actions & BGP_FSM_A_SEND_KEEPALIVE) {
		bgp_keepalive_encode(&c->obuf);
		conn_queued(c);
	}
	if (out->actions & BGP_FSM_A_TCP_DROP) {
		conn_flush(c);
		conn_close(c);
	}
	if (out->actions & BGP_FSM_A_TCP_CONNECT)
		conn_connect(c);
	if (out->actions & BGP_FSM_A_SESSION_DOWN) {
		routes_down(s, c);
		rib_kick();
	}
	for (t = 0; t < BGP_TIMER_MAX; t++) {
		if (out->timer[t].op == BGP_TIMER_START)
			timer_start(c, t, out->timer[t].ms);
		else if (out->timer[t].op == BGP_TIMER_STOP)
			evtimer_del(c->timer[t].ev);
	}
}

/*
 * The second connection c reached Established first: the current one
 * has no OPEN from the peer (it waits in OpenSent on a connection the
 * peer may have given up, or lost its TCP connection and waits in
 * Active), so no collision was resolved. c becomes the session; the
 * other connection is closed as a collision's loser (RFC 4271 6.8).
 */
static void
second_takes_over(struct conn *c)
{
	struct session	*s = c->s;
	struct conn	*cur = cur_conn(s);

	if (cur->fsm.state == BGP_FSM_ESTABLISHED)
		return;
	log_debugc(LOG_CAT_FSM, "neighbor %s: the second connection is "
	    "Established first: it takes over", s->addrstr);
	if (cur->fsm.state == BGP_FSM_OPENSENT ||
	    cur->fsm.state == BGP_FSM_OPENCONFIRM)
		/* down to Idle, where c takes over (conn_event's end) */
		conn_event(cur, BGP_EV_COLLISION_DUMP, NULL);
	if (!is_cur(c)) {
		conn_clear(cur);
		s->cur = (int)(c - s->conn);
	}
}

/*
 * One FSM step on c and its actions. The caller must not assume the
 * connection still has a socket afterwards (check c->fd).
 */
static void
conn_event(struct conn *c, enum bgp_fsm_event ev, struct bgp_fsm_input *inp)
{
	struct session		*s = c->s;
	struct bgp_fsm_input	 in;
	struct bgp_fsm_out	 out;
	struct conn		*o;
	uint32_t		 idle_ms;

	if (inp != NULL)
		in = *inp;
	else
		memset(&in, 0, sizeof(in));
	in.now_ms = log_now_ms();
	in.rand = rand32();
	if (bgp_fsm_step(&c->fsm, ev, &in, &out) == -1)
		return;
	conn_apply(c, &out);
	if ((out.actions & BGP_FSM_A_SESSION_UP) && !is_cur(c))
		second_takes_over(c);
	log_state(c, &out);
	if (out.actions & BGP_FSM_A_SESSION_UP)
		session_up(s, c);
	idle_ms = out.timer[BGP_TIMER_IDLE_HOLD].ms;
	if (s->limit_hit && out.state == BGP_FSM_IDLE && s->limit_restart &&
	    c->fsm.running[BGP_TIMER_IDLE_HOLD]) {
		/* max-prefix: come back after the configured time */
		idle_ms = s->limit_restart * 1000;
		timer_start(c, BGP_TIMER_IDLE_HOLD, idle_ms);
		s->limit_hit = false;
	}
	/*
	 * A second connection lost falls back to Active (RFC 4271:
	 * TcpConnectionFails in OpenSent), where it would hold the slot
	 * with no socket: the peer's next connection would be refused and
	 * the slot could take over the session to wait for nothing.
	 */
	if (!is_cur(c) && out.state == BGP_FSM_ACTIVE &&
	    out.prev >= BGP_FSM_OPENSENT) {
		conn_clear(c);
		return;
	}
	if (out.state != BGP_FSM_IDLE)
		return;
	o = other_conn(c);
	if (!is_cur(c))
		conn_clear(c);
	else if (o->used && o->fsm.state != BGP_FSM_IDLE) {
		/* the second connection takes over */
		conn_clear(c);
		s->cur = (int)(o - s->conn);
		s->since_ms = log_now_ms();
	} else if (c->fsm.passive && !s->fconf.passive &&
	    c->fsm.running[BGP_TIMER_IDLE_HOLD]) {
		/*
		 * An accepted connection that won a collision was run by an
		 * FSM started passive; its restart would never connect out.
		 * Start over as configured after the same wait.
		 */
		struct timeval	tv;

		conn_clear(c);
		c->used = true;
		tv.tv_sec = idle_ms / 1000;
		tv.tv_usec = (idle_ms % 1000) * 1000;
		evtimer_add(s->ev_restart, &tv);
	}
}

static void
restart_cb(evutil_socket_t fd, short what, void *arg)
{
	struct session	*s = arg;
	struct conn	*c = cur_conn(s);

	if (S.stopping || c->fsm.state != BGP_FSM_IDLE)
		return;
	c->used = true;
	conn_event(c, bgp_fsm_start_event(&s->fconf, false), NULL);
}

/* ---- input ------------------------------------------------------------ */

/*
 * RFC 4271 6.8: an OPEN on c while the other connection is past
 * Connect/Active. Returns true if c itself was dumped.
 */
static bool
collision(struct conn *c, const struct bgp_open *po)
{
	struct session	*s = c->s;
	struct conn	*o = other_conn(c);
	struct conn	*loser;
	bool		 dump_c;

	if (!o->used || o->fd == -1)
		return false;
	if (o->fsm.state == BGP_FSM_ESTABLISHED) {
		/* CollisionDetectEstablishedState off: the new one goes */
		log_debugc(LOG_CAT_FSM, "neighbor %s: connection collision "
		    "with the established session", s->addrstr);
		conn_event(c, BGP_EV_COLLISION_DUMP, NULL);
		return true;
	}
	if (o->fsm.state != BGP_FSM_OPENSENT &&
	    o->fsm.state != BGP_FSM_OPENCONFIRM)
		return false;
	dump_c = bgp_fsm_collision_dump(c->outbound ? BGP_CONN_OUTBOUND :
	    BGP_CONN_INBOUND, S.router_id, S.asn, po->bgp_id,
	    po->peer_as);
	loser = dump_c ? c : o;
	log_debugc(LOG_CAT_FSM, "neighbor %s: connection collision, closing "
	    "the %s connection", s->addrstr, loser->outbound ? "outbound" :
	    "inbound");
	conn_event(loser, BGP_EV_COLLISION_DUMP, NULL);
	if (loser->used && loser->fsm.state == BGP_FSM_IDLE &&
	    !is_cur(loser))
		conn_clear(loser);
	return dump_c;
}

static void
handle_open(struct conn *c, const uint8_t *msg, size_t len)
{
	struct session		*s = c->s;
	struct bgp_open		 ours, po;
	struct bgp_err		 e;
	struct bgp_fsm_input	 in;
	uint16_t		 hold;

	bgp_err_clear(&e);
	memset(&in, 0, sizeof(in));
	if (bgp_open_decode(msg, len, &po, &e) == -1)
		goto err;
	if (po.peer_as != s->cp->asn) {
		log_rl_warnx(&s->rl, "neighbor %s: OPEN with AS %u, "
		    "configured %u", s->addrstr, po.peer_as, s->cp->asn);
		bgp_err_set(&e, BGP_RESET, BGP_ERR_OPEN,
		    BGP_ERR_OPEN_PEER_AS, "bad peer AS");
		goto err;
	}
	if (po.bgp_id == S.router_id && po.peer_as == S.asn) {
		bgp_err_set(&e, BGP_RESET, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID,
		    "BGP identifier equal to ours");
		goto err;
	}
	if (collision(c, &po))
		return;
	build_open(s, &ours);
	po.nunknown = 0;	/* views into msg */
	c->popen = po;
	c->have_open = true;
	bgp_open_negotiate(&ours, &po, &c->ctx, &hold);
	c->hold = hold;
	c->families = bgp_open_families(&ours, &po);
	c->eor_rx = 0;
	in.hold_time = hold;
	if (s->cp->keepalive != 0 && s->cp->keepalive < hold / 3u)
		in.keepalive = s->cp->keepalive;
	conn_event(c, BGP_EV_OPEN, &in);
	return;
err:
	log_rl_warnx(&s->rl, "neighbor %s: bad OPEN: %s", s->addrstr,
	    e.why ? e.why : "malformed");
	stash_err(c, &e);
	in.code = e.code;
	in.subcode = e.subcode;
	conn_event(c, BGP_EV_OPEN_ERR, &in);
}

static void
handle_notification(struct conn *c, const uint8_t *msg, size_t len)
{
	struct session		*s = c->s;
	struct bgp_notification	 n;
	struct bgp_err		 e;

	if (bgp_notification_decode(msg, len, &n, &e) == -1) {
		log_rl_warnx(&s->rl, "neighbor %s: malformed NOTIFICATION",
		    s->addrstr);
		conn_event(c, BGP_EV_NOTIF, NULL);
		return;
	}
	c->notified = true;
	s->last_code = n.code;
	s->last_subcode = n.subcode;
	s->last_sent = false;
	if (n.comm_state == BGP_COMM_OK && n.comm_len > 0) {
		char	esc[4 * BGP_SHUTDOWN_COMM_MAX + 1];
		size_t	i, j = 0;

		/* the peer's text goes to our log: no control bytes */
		for (i = 0; i < n.comm_len && j + 4 < sizeof(esc); i++) {
			unsigned char	ch = (unsigned char)n.comm[i];

			if (ch < 0x20 || ch == 0x7f)
				j += (size_t)snprintf(esc + j,
				    sizeof(esc) - j, "\\x%02x", ch);
			else
				esc[j++] = (char)ch;
		}
		esc[j] = '\0';
		log_peer_warnx(s->addrstr, peer_name(s), "received "
		    "NOTIFICATION %s, %s: \"%s\"", bgp_err_code_name(n.code),
		    bgp_err_subcode_name(n.code, n.subcode), esc);
	} else
		log_peer_warnx(s->addrstr, peer_name(s), "received "
		    "NOTIFICATION %s, %s", bgp_err_code_name(n.code),
		    bgp_err_subcode_name(n.code, n.subcode));
	conn_event(c, n.code == BGP_ERR_OPEN && n.subcode ==
	    BGP_ERR_OPEN_VERSION ? BGP_EV_NOTIF_VERSION : BGP_EV_NOTIF, NULL);
}

static void
handle_rr(struct conn *c, const uint8_t *msg, size_t len)
{
	struct session		*s = c->s;
	struct bgp_rr		 rr;
	struct bgp_err		 e;
	struct bgp_fsm_input	 in;
	size_t			 start;
	bool			 enh = c->popen.enhanced_rr;
	int			 r;

	bgp_err_clear(&e);
	r = bgp_rr_decode(msg, len, enh, &rr, &e);
	if (r == -1) {
		stash_err(c, &e);
		memset(&in, 0, sizeof(in));
		in.code = e.code;
		in.subcode = e.subcode;
		conn_event(c, BGP_EV_UPDATE_ERR, &in);
		return;
	}
	if (r == BGP_RR_IGNORE || rr.subtype != BGP_RR_REQUEST ||
	    rr.aid == BGP_AID_MAX || !(c->families & (1 << rr.aid)) ||
	    c->fsm.state != BGP_FSM_ESTABLISHED)
		return;
	log_debugc(LOG_CAT_UPDATE, "neighbor %s: route refresh for %s",
	    s->addrstr, rr.aid == BGP_AID_IPV4 ? "IPv4" : "IPv6");
	if (enh) {
		start = c->obuf.len;
		if (bgp_rr_encode(&c->obuf, rr.afi, BGP_RR_BORR,
		    rr.safi) == -1)
			c->obuf.len = start;
	}
	send_own(s, c, 1 << rr.aid, S.own, S.nown, OWN_ANNOUNCE);
	/* the learned routes we send, then EoRR */
	adj_dump_start(c, (uint8_t)(1 << rr.aid), false, enh);
}

/* One framed message. */
static void
handle_msg(struct conn *c, const struct bgp_msg_hdr *h, const uint8_t *msg)
{
	struct bgp_err	e;

	bgp_err_clear(&e);
	switch (h->type) {
	case BGP_MSG_OPEN:
		handle_open(c, msg, h->len);
		break;
	case BGP_MSG_KEEPALIVE:
		if (bgp_keepalive_decode(msg, h->len, &e) == -1) {
			struct bgp_fsm_input	in;

			stash_err(c, &e);
			memset(&in, 0, sizeof(in));
			in.code = e.code;
			in.subcode = e.subcode;
			conn_event(c, BGP_EV_HEADER_ERR, &in);
			break;
		}
		conn_event(c, BGP_EV_KEEPALIVE, NULL);
		break;
	case BGP_MSG_UPDATE:
		if (c->fsm.state == BGP_FSM_ESTABLISHED &&
		    handle_update(c, msg, h->len) == -1)
			break;
		conn_event(c, BGP_EV_UPDATE, NULL);
		break;
	case BGP_MSG_NOTIFICATION:
		handle_notification(c, msg, h->len);
		break;
	case BGP_MSG_ROUTE_REFRESH:
		handle_rr(c, msg, h->len);
		break;
	}
}

static void
conn_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn		*c = arg;
	struct session		*s = c->s;
	struct bgp_msg_hdr	 h;
	struct bgp_err		 e;
	struct bgp_fsm_input	 in;
	size_t			 off = 0;
	ssize_t			 n = -1;
	unsigned		 gen = c->gen;
	int			 i, r;

	errno = EAGAIN;
	if (c->ilen == c->icap && c->icap < SESS_IBUF_SIZE) {
		c->icap = c->icap == 0 ? SESS_IBUF_MIN : 2 * c->icap;
		if (c->icap > SESS_IBUF_SIZE)
			c->icap = SESS_IBUF_SIZE;
		c->ibuf = xrealloc(c->ibuf, c->icap);
	}
	if (!c->eof && c->ilen < c->icap)
		n = read(fd, c->ibuf + c->ilen, c->icap - c->ilen);
	if (n == 0) {
		/* what came before the FIN still counts */
		log_debugc(LOG_CAT_FSM, "neighbor %s: connection closed by "
		    "the peer", s->addrstr);
		c->eof = true;
	} else if (n == -1 && errno != EAGAIN && errno != EINTR &&
	    errno != EWOULDBLOCK) {
		log_rl_warnx(&s->rl, "neighbor %s: read: %s", s->addrstr,
		    strerror(errno));
		conn_event(c, BGP_EV_TCP_FAILS, NULL);
		return;
	} else if (n > 0)
		c->ilen += (size_t)n;
	for (i = 0; i < SESS_MSGS_PER_CB; i++) {
		bgp_err_clear(&e);
		r = bgp_msg_frame(c->ibuf + off, c->ilen - off,
		    c->have_open ? &c->ctx : NULL, &h, &e);
		if (r == 0)
			break;
		if (r == -1) {
			log_rl_warnx(&s->rl, "neighbor %s: bad message "
			    "header: %s", s->addrstr, e.why ? e.why : "");
			stash_err(c, &e);
			memset(&in, 0, sizeof(in));
			in.code = e.code;
			in.subcode = e.subcode;
			conn_event(c, BGP_EV_HEADER_ERR, &in);
			return;
		}
		handle_msg(c, &h, c->ibuf + off);
		if (c->gen != gen)
			return;		/* closed, maybe reopened */
		off += h.len;
	}
	if (off > 0) {
		memmove(c->ibuf, c->ibuf + off, c->ilen - off);
		c->ilen -= off;
	}
	/* more whole messages may wait: let the other sessions run first */
	if (i == SESS_MSGS_PER_CB) {
		if (c->reading)
			event_active(c->ev_read, EV_READ, 0);
		return;
	}
	if (c->eof)
		conn_event(c, BGP_EV_TCP_FAILS, NULL);
}

static void
conn_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct conn	*c = arg;
	int		 err = 0;
	socklen_t	 len = sizeof(err);

	if (c->connecting) {
		c->connecting = false;
		if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == -1)
			err = errno;
		if (err != 0) {
			log_debugc(LOG_CAT_FSM, "neighbor %s: connect: %s",
			    c->s->addrstr, strerror(err));
			event_del(c->ev_write);
			conn_event(c, BGP_EV_TCP_FAILS, NULL);
			return;
		}
		event_del(c->ev_write);
		struct sockaddr_storage	ss;
		socklen_t		sl = sizeof(ss);

		if (getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
			sa_to_ipaddr(&ss, &c->local);
		conn_start_reading(c);
		conn_event(c, BGP_EV_TCP_CR_ACKED, NULL);
		return;
	}
	conn_flush(c);
}

/* ---- passive side ----------------------------------------------------- */

static struct session *
session_find(const struct ipaddr *a)
{
	struct session	*s;

	TAILQ_FOREACH(s, &S.sessions, entry)
		if (ipaddr_cmp(&s->cp->addr, a) == 0)
			return s;
	return NULL;
}

static void
session_incoming(struct session *s, int fd)
{
	struct conn	*c = cur_conn(s), *o = other_conn(c);

	set_sockopts(fd, s, s->cp->addr.family);
	switch (c->fsm.state) {
	case BGP_FSM_IDLE:
		/*
		 * A connect of ours that failed leaves the FSM in Idle until
		 * the IdleHoldTimer (RFC 4271 8.2.2, Connect, event 18), and
		 * Idle refuses connections: a peer that connects but never
		 * listens (ExaBGP) would never get in. Unless there are
		 * flaps to damp, its connection starts the FSM passive as
		 * if it came in Active; a later restart connects out again.
		 */
		if (!c->fsm.enabled || c->fsm.flaps > 0 || o->used)
			break;
		conn_event(c, BGP_EV_AUTO_START_PASSIVE, NULL);
		if (c->fsm.state != BGP_FSM_ACTIVE)
			break;
		/* FALLTHROUGH */
	case BGP_FSM_ACTIVE:
		/* no connection of ours in flight: take this one */
		conn_close(c);
		conn_attach(c, fd, false);
		conn_start_reading(c);
		conn_event(c, BGP_EV_TCP_CONFIRMED, NULL);
		return;
	case BGP_FSM_ESTABLISHED:
		/*
		 * RFC 4724 4.2: a new connection from a peer that does
		 * graceful restart means it restarted: the old session is
		 * gone, its routes go stale, the new connection carries on.
		 */
		if (!c->have_open || !c->popen.gr || !s->cp->graceful_restart ||
		    o->used)
			break;
		log_peer_info(s->addrstr, peer_name(s), "new connection in "
		    "Established: the peer restarted");
		/* FALLTHROUGH */
	case BGP_FSM_CONNECT:
		/*
		 * Our connect is in flight: keep it and run the peer's in
		 * the second slot. Closing ours instead, when both sides
		 * connect at once, makes each close the other's and both
		 * wait a ConnectRetry in Active. RFC 4271 6.8 picks the
		 * survivor once the OPENs are in.
		 */
		/* FALLTHROUGH */
	case BGP_FSM_OPENSENT:
	case BGP_FSM_OPENCONFIRM:
		if (o->used)
			break;
		o->used = true;
		bgp_fsm_init(&o->fsm, &s->fconf);
		conn_event(o, BGP_EV_MANUAL_START_PASSIVE, NULL);
		conn_attach(o, fd, false);
		conn_start_reading(o);
		conn_event(o, BGP_EV_TCP_CONFIRMED, NULL);
		if (c->fsm.state == BGP_FSM_ESTABLISHED)
			conn_event(c, BGP_EV_TCP_FAILS, NULL);
		return;
	default:
		break;
	}
	log_debugc(LOG_CAT_FSM, "neighbor %s: connection refused in %s",
	    s->addrstr, bgp_fsm_state_name(c->fsm.state));
	close(fd);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	struct ipaddr		 a;
	struct session		*s;
	char			 as[IPADDR_STRLEN];
	int			 fd;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl,
	    SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_rl_warnx(&S.rl_reject, "accept: %s",
			    strerror(errno));
		return;
	}
	sa_to_ipaddr(&ss, &a);
	if ((s = session_find(&a)) == NULL || S.stopping || s->disabled) {
		log_rl_warnx(&S.rl_reject, "connection from %s refused: %s",
		    ipaddr_fmt(&a, as, sizeof(as)), S.stopping ?
		    "shutting down" : s == NULL ? "not a configured neighbor" :
		    "the session is disabled");
		close(fd);
		return;
	}
	session_incoming(s, fd);
}

static int
listen_open(int family)
{
	struct sockaddr_storage	 ss;
	struct ipaddr		 any;
	struct session		*s;
	socklen_t		 sl;
	int			 fd, on = 1;

	fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on));
	if (family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof(on));
	memset(&any, 0, sizeof(any));
	any.family = (uint8_t)family;
	sl = ipaddr_to_sa(&any, S.opts.listen_port, &ss);
	if (bind(fd, (struct sockaddr *)&ss, sl) == -1 ||
	    listen(fd, 64) == -1) {
		int	saved = errno;

		close(fd);
		errno = saved;
		return -1;
	}
	TAILQ_FOREACH(s, &S.sessions, entry)
		if (s->md5 && s->cp->addr.family == family &&
		    set_md5(fd, s, true) == -1)
			log_warn("neighbor %s: TCP_MD5SIG on the listening "
			    "socket", s->addrstr);
	return fd;
}

/* The key of s on the listening socket of its family: on or off. */
static void
listen_md5(struct session *s, bool on)
{
	int	i = s->cp->addr.family == AF_INET ? 0 : 1;

	if (S.ls[i].fd != -1 && set_md5(S.ls[i].fd, s, on) == -1)
		log_warn("neighbor %s: TCP_MD5SIG on the listening socket",
		    s->addrstr);
}

/* ---- API -------------------------------------------------------------- */

void
session_opts_default(struct session_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->listen_port = BGP_PORT;
	o->connect_port = BGP_PORT;
}

void
session_set_router_id(uint32_t id)
{
	S.router_id = id;
	policy_set_router_id(S.pol, id);
}

uint32_t
session_router_id(void)
{
	return S.router_id;
}

void
session_set_opts(const struct session_opts *o)
{
	S.opts = *o;
	if (!S.started)
		S.restarting = o->gr_restarting;
}

/* A new idle session for cp (borrowed); not in the list yet. */
static struct session *
session_new(const struct conf_peer *cp, enum policy_peer_kind kind, int *rv)
{
	struct session	*s;

	s = xcalloc(1, sizeof(*s));
	if (conf_peer_copy(&s->pc, cp) == -1)
		fatalx("out of memory");
	s->cp = cp = &s->pc;
	ipaddr_fmt(&cp->addr, s->addrstr, sizeof(s->addrstr));
	s->ebgp = cp->asn != S.asn;
	s->rib_peer = -1;
	log_rl_init(&s->rl, 10, 60000);
	bgp_fsm_conf_default(&s->fconf);
	s->fconf.passive = cp->passive;
	s->fconf.damp = true;
	if (read_password(s) == -1)
		*rv = -1;
	policy_peer_init(&s->pp, kind, kind == POLICY_PEER_NODE ? NULL : cp);
	if ((s->ev_stale = evtimer_new(S.base, stale_cb, s)) == NULL ||
	    (s->ev_restart = evtimer_new(S.base, restart_cb, s)) == NULL)
		fatalx("evtimer_new");
	conn_setup(&s->conn[0], s);
	conn_setup(&s->conn[1], s);
	s->since_ms = log_now_ms();
	return s;
}

static void
session_free(struct session *s)
{
	conn_teardown(&s->conn[0]);
	conn_teardown(&s->conn[1]);
	event_free(s->ev_stale);
	event_free(s->ev_restart);
	policy_peer_fini(&s->pp);
	while (s->nrej > 0)
		if (s->rej[--s->nrej].attr != NULL)
			bgp_attr_unref(s->rej[s->nrej].attr);
	explicit_bzero(s->md5key, sizeof(s->md5key));
	conf_peer_clear(&s->pc);
	free(s);
}

static void
session_start(struct session *s)
{
	struct conn	*c = cur_conn(s);

	c->used = true;
	conn_event(c, bgp_fsm_start_event(&s->fconf, true), NULL);
}

int
session_init(struct event_base *base, const struct conf *conf,
    struct rib *rib, struct policy_ctx *pol, struct bgp_attr_table *attrs)
{
	struct session	*s;
	size_t		 i;
	int		 rv = 0;

	S.base = base;
	S.conf = conf;
	S.rib = rib;
	S.pol = pol;
	S.attrs = attrs;
	session_opts_default(&S.opts);
	TAILQ_INIT(&S.sessions);
	if ((S.ev_drain = event_new(base, -1, 0, drain_cb, NULL)) == NULL)
		fatalx("event_new");
	log_rl_init(&S.rl_reject, 10, 60000);
	S.asn = conf->asn;
	policy_set_asn(pol, conf->asn);
	S.router_id = conf->router_id;
	policy_set_router_id(pol, conf->router_id);
	policy_set_cluster_id(pol, conf->cluster_id);
	for (i = 0; i < conf->npeers; i++) {
		s = session_new(&conf->peers[i], POLICY_PEER_EXTERNAL, &rv);
		TAILQ_INSERT_TAIL(&S.sessions, s, entry);
	}
	return rv;
}

int
session_start_all(void)
{
	static const int	 fam[2] = { AF_INET, AF_INET6 };
	struct session		*s;
	int			 i, nls = 0;

	S.stopping = false;
	for (i = 0; S.opts.listen_port != 0 && i < 2; i++) {
		if (S.ls[i].fd != -1)
			continue;
		if ((S.ls[i].fd = listen_open(fam[i])) == -1) {
			log_warn("listening on %s port %u", fam[i] == AF_INET ?
			    "0.0.0.0" : "[::]", S.opts.listen_port);
			continue;
		}
		S.ls[i].ev = event_new(S.base, S.ls[i].fd,
		    EV_READ | EV_PERSIST, accept_cb, NULL);
		if (S.ls[i].ev == NULL)
			fatalx("event_new");
		event_add(S.ls[i].ev, NULL);
		nls++;
	}
	if (!S.started && S.restarting) {
		struct timeval	tv = { S.conf->restart_time, 0 };

		if (S.ev_restarting == NULL && (S.ev_restarting =
		    evtimer_new(S.base, restarting_cb, NULL)) == NULL)
			fatalx("evtimer_new");
		evtimer_add(S.ev_restarting, &tv);
	}
	S.started = true;
	TAILQ_FOREACH(s, &S.sessions, entry)
		session_start(s);
	if (S.opts.listen_port != 0 && nls == 0)
		return -1;
	return 0;
}

void
session_stop_all(const char *msg)
{
	struct session		*s;
	struct bgp_fsm_input	 in;
	int			 i;

	S.stopping = true;
	S.shutdown_msg = msg;
	memset(&in, 0, sizeof(in));
	in.subcode = BGP_ERR_CEASE_ADMIN_SHUTDOWN;
	TAILQ_FOREACH(s, &S.sessions, entry) {
		evtimer_del(s->ev_restart);
		for (i = 0; i < 2; i++)
			if (s->conn[i].used)
				conn_event(&s->conn[i], BGP_EV_MANUAL_STOP,
				    &in);
		for (i = 0; i < 2; i++)
			conn_clear(&s->conn[i]);
	}
	S.shutdown_msg = NULL;
	for (i = 0; i < 2; i++) {
		if (S.ls[i].ev != NULL)
			event_free(S.ls[i].ev);
		S.ls[i].ev = NULL;
		if (S.ls[i].fd != -1)
			close(S.ls[i].fd);
		S.ls[i].fd = -1;
	}
}

void
session_free_all(void)
{
	struct session	*s;

	while ((s = TAILQ_FIRST(&S.sessions)) != NULL) {
		TAILQ_REMOVE(&S.sessions, s, entry);
		session_free(s);
	}
	S.started = false;
	S.restarting = false;
	if (S.ev_restarting != NULL)
		event_free(S.ev_restarting);
	S.ev_restarting = NULL;
	free(S.own);
	S.own = NULL;
	S.nown = 0;
	free(S.own_comm);
	S.own_comm = NULL;
	S.nown_comm = 0;
	if (S.ev_drain != NULL)
		event_free(S.ev_drain);
	S.ev_drain = NULL;
	S.drain_queued = false;
	free(S.by_peer);
	S.by_peer = NULL;
	S.nby_peer = 0;
	free(S.outv);
	S.outv = NULL;
	S.outcap = 0;
}

static bool
in_set(const struct prefix *p, const struct prefix *set, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (prefix_eq(p, &set[i]))
			return true;
	return false;
}

int
session_set_own_communities(const uint32_t *v, size_t n)
{
	struct session	*s;
	struct conn	*c;
	uint8_t		 all = 1 << BGP_AID_IPV4 | 1 << BGP_AID_IPV6;

	if (n == S.nown_comm && (n == 0 ||
	    memcmp(v, S.own_comm, n * sizeof(*v)) == 0))
		return 0;
	free(S.own_comm);
	S.own_comm = NULL;
	S.nown_comm = 0;
	if (n > 0) {
		if ((S.own_comm = calloc(n, sizeof(*v))) == NULL)
			return -1;
		memcpy(S.own_comm, v, n * sizeof(*v));
		S.nown_comm = n;
	}
	/* the same prefixes again, with the new attributes */
	TAILQ_FOREACH(s, &S.sessions, entry) {
		c = cur_conn(s);
		if (c->fsm.state == BGP_FSM_ESTABLISHED)
			send_own(s, c, all, S.own, S.nown, false);
	}
	return 0;
}

int
session_set_own_prefixes(const struct prefix *p, size_t n)
{
	struct prefix	*np = NULL, *gone, *added;
	struct session	*s;
	struct conn	*c;
	size_t		 i, ngone = 0, nadded = 0;
	uint8_t		 all = 1 << BGP_AID_IPV4 | 1 << BGP_AID_IPV6;

	if (n > 0) {
		if ((np = calloc(n, sizeof(*np))) == NULL)
			return -1;
		memcpy(np, p, n * sizeof(*np));
	}
	gone = xcalloc(S.nown + 1, sizeof(*gone));
	added = xcalloc(n + 1, sizeof(*added));
	for (i = 0; i < S.nown; i++)
		if (!in_set(&S.own[i], p, n))
			gone[ngone++] = S.own[i];
	for (i = 0; i < n; i++)
		if (!in_set(&p[i], S.own, S.nown))
			added[nadded++] = p[i];
	free(S.own);
	S.own = np;
	S.nown = n;
	if (policy_set_pod_cidrs(S.pol, p, n) == -1)
		log_warnx("out of memory setting the pod CIDRs");
	TAILQ_FOREACH(s, &S.sessions, entry) {
		c = cur_conn(s);
		if (c->fsm.state != BGP_FSM_ESTABLISHED)
			continue;
		send_own(s, c, all, gone, ngone, OWN_WITHDRAW);
		send_own(s, c, all, added, nadded, OWN_ANNOUNCE);
	}
	free(gone);
	free(added);
	return 0;
}

/* ---- stopping, restarting, removing one session ----------------------- */

/*
 * Stops both connections with Cease / subcode (msg: the shutdown
 * communication of an administrative shutdown or reset) and drops the
 * session's routes, stale ones included: a NOTIFICATION ends graceful
 * restart.
 */
static void
session_halt(struct session *s, uint8_t subcode, const char *msg)
{
	struct bgp_fsm_input	 in;
	size_t			 n;
	int			 i;

	memset(&in, 0, sizeof(in));
	in.subcode = subcode;
	S.shutdown_msg = msg;
	evtimer_del(s->ev_restart);
	for (i = 0; i < 2; i++)
		if (s->conn[i].used)
			conn_event(&s->conn[i], BGP_EV_MANUAL_STOP, &in);
	for (i = 0; i < 2; i++)
		conn_clear(&s->conn[i]);
	S.shutdown_msg = NULL;
	s->cur = 0;
	s->since_ms = log_now_ms();
	if (s->rib_peer >= 0) {
		n = rib_peer_flush(S.rib, (unsigned)s->rib_peer, BGP_AID_MAX);
		if (n > 0)
			log_debugc(LOG_CAT_UPDATE, "neighbor %s: %zu paths "
			    "flushed", s->addrstr, n);
	}
	s->gr_stale = false;
	evtimer_del(s->ev_stale);
	policy_peer_session_down(&s->pp);
	rib_kick();
}

/* Starts s again unless an operator disabled it or we are stopping. */
static void
session_resume(struct session *s)
{
	if (S.started && !S.stopping && !s->disabled)
		session_start(s);
}

/* Cease / Peer De-configured, routes withdrawn, the session freed. */
static void
session_drop(struct session *s)
{
	session_halt(s, BGP_ERR_CEASE_PEER_DECONF, NULL);
	if (s->rib_peer >= 0) {
		by_peer_set((unsigned)s->rib_peer, NULL);
		rib_peer_remove(S.rib, (unsigned)s->rib_peer);
		s->rib_peer = -1;
	}
	if (s->md5)
		listen_md5(s, false);
	TAILQ_REMOVE(&S.sessions, s, entry);
	session_free(s);
	rib_kick();
	/* it may have been the last one the restart waited for */
	restart_check();
}

/* ---- configured peers at run time ------------------------------------- */

/* A configured (not mesh) session by address. */
static struct session *
peer_session(const struct ipaddr *a)
{
	struct session	*s = session_find(a);

	return s != NULL && !s->node ? s : NULL;
}

int
session_peer_add(const struct conf_peer *cp)
{
	struct session	*s, *o, *last = NULL;
	int		 rv = 0;

	if (S.stopping)
		return -1;
	if ((o = session_find(&cp->addr)) != NULL) {
		log_peer_warnx(o->addrstr, peer_name(o), "already has a "
		    "session%s; not adding it again", o->node ?
		    " (a mesh node)" : "");
		return -1;
	}
	s = session_new(cp, POLICY_PEER_EXTERNAL, &rv);
	/* after the other configured peers, before the mesh nodes */
	TAILQ_FOREACH(o, &S.sessions, entry)
		if (!o->node)
			last = o;
	if (last != NULL)
		TAILQ_INSERT_AFTER(&S.sessions, last, s, entry);
	else
		TAILQ_INSERT_HEAD(&S.sessions, s, entry);
	if (s->md5)
		listen_md5(s, true);
	log_peer_info(s->addrstr, peer_name(s), "peer added");
	if (S.started)
		session_start(s);
	return rv == -1 ? 1 : 0;
}

int
session_peer_remove(const struct ipaddr *addr)
{
	struct session	*s;

	if ((s = peer_session(addr)) == NULL)
		return -1;
	log_peer_info(s->addrstr, peer_name(s), "peer removed");
	session_drop(s);
	return 0;
}

/*
 * Runs the session's Adj-RIB-In through import policy again: what it no
 * longer accepts is withdrawn. Routes refused before are not kept, so
 * the caller asks the peer for them again (route_refresh).
 */
static void
reimport(struct session *s)
{
	struct rib_cursor	 cur;
	struct rib_entry	 e;
	const struct rib_path	*path;
	enum policy_reason	 why;
	enum bgp_aid		 aid;
	struct prefix		 p;
	char			 pb[PREFIX_STRLEN];

	for (aid = 0; s->rib_peer >= 0 && aid < BGP_AID_MAX; aid++) {
		rib_cursor_init(&cur, aid);
		while (rib_peer_dump_next(S.rib, (unsigned)s->rib_peer, &cur,
		    &e, &path) == 1) {
			if (policy_import(S.pol, &s->pp, &e.prefix, path->attr,
			    &why))
				continue;
			p = e.prefix;
			log_debugc(LOG_CAT_UPDATE, "neighbor %s: %s no longer "
			    "accepted: %s", s->addrstr, prefix_fmt(&p, pb,
			    sizeof(pb)), policy_reason_name(why));
			route_withdraw(s, &p);
		}
	}
	rib_kick();
}

/* ROUTE-REFRESH (RFC 2918) for every family; false if not possible. */
static bool
route_refresh(struct session *s)
{
	struct conn	*c = cur_conn(s);
	enum bgp_aid	 aid;
	size_t		 start;

	if (c->fsm.state != BGP_FSM_ESTABLISHED || !c->have_open ||
	    !c->popen.route_refresh)
		return false;
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (!(c->families & (1 << aid)))
			continue;
		start = c->obuf.len;
		if (bgp_rr_encode(&c->obuf, bgp_aid_afi(aid), BGP_RR_REQUEST,
		    BGP_SAFI_UNICAST) == -1)
			c->obuf.len = start;
	}
	conn_queued(c);
	return true;
}

static bool
filter_same(const struct conf_filter *a, const struct conf_filter *b)
{
	return a->allow_default == b->allow_default &&
	    a->nrules == b->nrules && (a->nrules == 0 ||
	    memcmp(a->rules, b->rules, a->nrules * sizeof(*a->rules)) == 0);
}

/* Whether what goes out to the peer may differ between a and b. */
static bool
export_same(const struct conf_peer *a, const struct conf_peer *b)
{
	return filter_same(&a->export, &b->export) &&
	    a->ncommunities == b->ncommunities &&
	    a->nlarge_communities == b->nlarge_communities &&
	    (a->ncommunities == 0 || memcmp(a->communities, b->communities,
	    a->ncommunities * sizeof(*a->communities)) == 0) &&
	    (a->nlarge_communities == 0 || memcmp(a->large_communities,
	    b->large_communities, a->nlarge_communities *
	    sizeof(*a->large_communities)) == 0);
}

/* New settings for s, its derived state recomputed. */
static void
session_replace(struct session *s, const struct conf_peer *cp)
{
	struct conf_peer	old = s->pc;

	if (s->md5)
		listen_md5(s, false);
	if (conf_peer_copy(&s->pc, cp) == -1)
		fatalx("out of memory");
	policy_peer_set_conf(&s->pp, &s->pc);
	conf_peer_clear(&old);
	s->ebgp = s->pc.asn != S.asn;
	s->fconf.passive = s->pc.passive;
	if (read_password(s) == -1)
		log_peer_warnx(s->addrstr, peer_name(s), "no TCP MD5 key: "
		    "the session will not come up");
	if (s->md5)
		listen_md5(s, true);
}

/*
 * After an export policy change (filter, communities): this node's pod
 * CIDRs go out again with the new attributes (or are withdrawn), and the
 * Loc-RIB is walked again for the learned routes. No session reset, and
 * a route that stays exported is replaced, never withdrawn first.
 */
static void
reexport(struct session *s, bool exported_before)
{
	struct conn	*c = cur_conn(s);
	uint8_t		 all = 1 << BGP_AID_IPV4 | 1 << BGP_AID_IPV6;

	if (!conn_up(c))
		return;		/* it gets everything when it comes up */
	adj_cache_drop(c);
	send_own(s, c, all, S.own, S.nown, OWN_REFRESH);
	if (!exported_before && !sess_exports(s))
		return;
	c->wd_any = true;
	adj_dump_start(c, all, false, false);
}

int
session_peer_update(const struct conf_peer *cp)
{
	struct session		*s;
	enum conf_peer_delta	 d;
	bool			 imp, exp, exported;
	char			 key[sizeof(s->md5key)];
	size_t			 klen;
	bool			 md5;

	if ((s = peer_session(&cp->addr)) == NULL)
		return -1;
	d = conf_peer_compare(s->cp, cp);
	if (d == CONF_PEER_SAME && cp->password == NULL &&
	    cp->password_file != NULL) {
		/* the file may hold another key by now */
		memcpy(key, s->md5key, sizeof(key));
		klen = s->md5len;
		md5 = s->md5;
		if (read_password(s) == -1 || s->md5 != md5 ||
		    s->md5len != klen || memcmp(key, s->md5key, klen) != 0)
			d = CONF_PEER_RESET;
		explicit_bzero(key, sizeof(key));
	}
	if (d == CONF_PEER_SAME)
		return SESSION_PEER_SAME;
	imp = !filter_same(&s->cp->import, &cp->import) ||
	    s->cp->max_prefixes != cp->max_prefixes;
	exp = !export_same(s->cp, cp);
	if (d == CONF_PEER_SOFT) {
		exported = sess_exports(s);
		session_replace(s, cp);
		if (exp) {
			log_peer_info(s->addrstr, peer_name(s), "export "
			    "policy changed: routes sent again");
			reexport(s, exported);
		}
		if (!imp)
			return SESSION_PEER_SOFT;
		reimport(s);
		if (route_refresh(s) || cur_conn(s)->fsm.state !=
		    BGP_FSM_ESTABLISHED) {
			log_peer_info(s->addrstr, peer_name(s), "import "
			    "policy changed: routes checked again, route "
			    "refresh asked for");
			return SESSION_PEER_SOFT;
		}
		/* no route refresh: only a new session sends them again */
	}
	log_peer_info(s->addrstr, peer_name(s), "settings changed: "
	    "restarting the session");
	session_halt(s, BGP_ERR_CEASE_CONFIG_CHANGE, NULL);
	if (d != CONF_PEER_SOFT)
		session_replace(s, cp);
	session_resume(s);
	return SESSION_PEER_RESET;
}

static void	restart_all(void);
static bool	local_as(uint32_t);

void
session_set_conf(const struct conf *conf)
{
	bool		 again;
	/* without one configured, the identifier in use (the node's) stays */
	uint32_t	 rid = conf->router_id != 0 ? conf->router_id :
			    S.router_id;

	S.conf = conf;
	again = local_as(S.asn_node) || rid != S.router_id;
	S.router_id = rid;
	policy_set_router_id(S.pol, rid);
	if (again)
		restart_all();
}

/* Every session again, after the AS or the router ID changed. */
static void
restart_all(void)
{
	struct session	*s;

	log_info("bgp: AS or router ID changed: every session restarts");
	TAILQ_FOREACH(s, &S.sessions, entry) {
		if (s->node)
			s->pc.asn = S.asn;
		s->ebgp = s->pc.asn != S.asn;
		session_halt(s, BGP_ERR_CEASE_CONFIG_CHANGE, NULL);
		session_resume(s);
	}
}

/* The local AS from the node (0: the configuration's); true if it moved. */
static bool
local_as(uint32_t node_asn)
{
	uint32_t	asn = node_asn != 0 ? node_asn : S.conf->asn;
	bool		moved = asn != S.asn;

	S.asn_node = node_asn;
	S.asn = asn;
	policy_set_asn(S.pol, asn);
	return moved;
}

void
session_set_local_asn(uint32_t node_asn)
{
	if (local_as(node_asn) && S.started)
		restart_all();
}

uint32_t
session_local_asn(void)
{
	return S.asn;
}

void
session_import_changed(void)
{
	struct session	*s;

	TAILQ_FOREACH(s, &S.sessions, entry) {
		reimport(s);
		route_refresh(s);
	}
}

void
session_node_import_changed(void)
{
	struct session	*s;

	TAILQ_FOREACH(s, &S.sessions, entry)
		if (s->node) {
			reimport(s);
			route_refresh(s);
		}
}

/* ---- operator commands ------------------------------------------------ */

static struct session *
session_by_name(const char *what)
{
	struct session	*s;
	struct ipaddr	 a;

	TAILQ_FOREACH(s, &S.sessions, entry)
		if (s->cp->name != NULL && strcmp(s->cp->name, what) == 0)
			return s;
	if (ipaddr_parse(what, &a) == 0)
		return session_find(&a);
	return NULL;
}

int
session_disable(const char *what, const char *msg)
{
	struct session	*s;

	if ((s = session_by_name(what)) == NULL)
		return -1;
	if (s->disabled)
		return 0;
	log_peer_info(s->addrstr, peer_name(s), "disabled by an operator%s%s",
	    msg != NULL ? ": " : "", msg != NULL ? msg : "");
	s->disabled = true;
	session_halt(s, BGP_ERR_CEASE_ADMIN_SHUTDOWN, msg);
	restart_check();
	if (S.listener.eor != NULL)
		S.listener.eor(S.listener.arg);
	return 1;
}

int
session_enable(const char *what)
{
	struct session	*s;

	if ((s = session_by_name(what)) == NULL)
		return -1;
	if (!s->disabled)
		return 0;
	log_peer_info(s->addrstr, peer_name(s), "enabled by an operator");
	s->disabled = false;
	session_resume(s);
	return 1;
}

int
session_restart(const char *what, const char *msg)
{
	struct session	*s;

	if ((s = session_by_name(what)) == NULL)
		return -1;
	log_peer_info(s->addrstr, peer_name(s), "restarted by an operator");
	s->disabled = false;
	session_halt(s, BGP_ERR_CEASE_ADMIN_RESET, msg);
	session_resume(s);
	return 0;
}

/* ---- node peers (mesh) ------------------------------------------------ */

static struct session *
node_session(const char *name)
{
	struct session	*s;

	TAILQ_FOREACH(s, &S.sessions, entry)
		if (s->node && strcmp(s->cp->name, name) == 0)
			return s;
	return NULL;
}

int
session_add_node(const char *name, const struct ipaddr *addr, bool rr_client,
    const struct prefix *cidrs, size_t ncidrs, const struct ipaddr *addrs,
    size_t naddrs)
{
	struct session	*s, *o;
	struct conf_peer cp;
	char		 as[IPADDR_STRLEN];
	int		 rv = 0;

	if (S.stopping || node_session(name) != NULL)
		return -1;
	if ((o = session_find(addr)) != NULL) {
		log_warnx("node %s: %s is already the address of neighbor %s; "
		    "no session to the node", name, ipaddr_fmt(addr, as,
		    sizeof(as)), o->cp->name != NULL ? o->cp->name :
		    o->addrstr);
		return -1;
	}
	/* iBGP with the defaults of a configured peer, no filters */
	memset(&cp, 0, sizeof(cp));
	cp.addr = *addr;
	cp.asn = S.asn;
	cp.name = (char *)name;		/* copied by session_new */
	cp.hold_time = CONF_DEF_HOLD_TIME;
	cp.keepalive = CONF_DEF_HOLD_TIME / 3;
	cp.graceful_restart = true;
	s = session_new(&cp, POLICY_PEER_NODE, &rv);
	s->node = true;
	s->pp.rr_client = rr_client;
	if (policy_peer_set_node(&s->pp, cidrs, ncidrs, addrs, naddrs) == -1)
		fatalx("out of memory");
	TAILQ_INSERT_TAIL(&S.sessions, s, entry);
	log_peer_info(s->addrstr, peer_name(s), "mesh node added%s",
	    rr_client ? " (route-reflector client)" : "");
	if (S.started)
		session_start(s);
	return 0;
}

int
session_remove_node(const char *name)
{
	struct session		*s;

	if ((s = node_session(name)) == NULL)
		return -1;
	log_peer_info(s->addrstr, peer_name(s), "mesh node removed");
	session_drop(s);
	return 0;
}

/*
 * Paths the node's new facts no longer allow are withdrawn; routes they
 * now allow were refused before and are not kept, so the peer is asked
 * to send its routes again (RFC 2918).
 */
int
session_set_node(const char *name, const struct prefix *cidrs,
    size_t ncidrs, const struct ipaddr *addrs, size_t naddrs)
{
	struct session		*s;
	int			 r;

	if ((s = node_session(name)) == NULL)
		return -1;
	if ((r = policy_peer_set_node(&s->pp, cidrs, ncidrs, addrs,
	    naddrs)) == -1)
		fatalx("out of memory");
	if (r == 0)
		return 0;
	log_peer_info(s->addrstr, peer_name(s), "node changed: routes "
	    "checked again");
	reimport(s);
	route_refresh(s);
	return 1;
}

void
session_foreach(void (*cb)(const struct session_info *, void *), void *arg)
{
	struct session		*s;
	struct session_info	 si;
	const struct conn	*c;

	TAILQ_FOREACH(s, &S.sessions, entry) {
		c = cur_conn(s);
		memset(&si, 0, sizeof(si));
		si.name = s->cp->name;
		si.addr = s->cp->addr;
		si.asn = s->cp->asn;
		si.state = c->fsm.state;
		si.since_ms = s->since_ms;
		if (c->have_open) {
			si.remote_id = c->popen.bgp_id;
			si.hold_time = c->hold;
			si.families = c->families;
			if (c->ctx.as4)
				si.capa |= SESSION_CAPA_AS4;
			if (c->popen.route_refresh)
				si.capa |= SESSION_CAPA_RR;
			if (c->popen.enhanced_rr)
				si.capa |= SESSION_CAPA_ERR;
			if (c->popen.gr && s->cp->graceful_restart)
				si.capa |= SESSION_CAPA_GR;
			if (c->ctx.ext_msg)
				si.capa |= SESSION_CAPA_EXT_MSG;
		}
		si.updates_rx = s->updates_rx;
		si.prefixes_rx = s->prefixes_rx;
		si.withdrawals_rx = s->withdrawals_rx;
		si.prefixes_accepted = s->pp.prefixes;
		si.last_err_code = s->last_code;
		si.last_err_subcode = s->last_subcode;
		si.last_err_sent = s->last_sent;
		si.rib_peer = s->rib_peer;
		si.keepalive_ms = c->fsm.keepalive_ms;
		si.hold_conf = (uint16_t)s->cp->hold_time;
		si.node = s->node;
		si.disabled = s->disabled;
		si.policy = &s->pp;
		si.advertised_own = own_exported(s, c);
		si.learned_exportable = sess_exports(s);
		si.gr_peer_restarting = s->gr_stale;
		si.gr_stale_marked = s->stale_marked;
		if (s->gr_stale && s->stale_until_ms > log_now_ms())
			si.gr_stale_left_ms = s->stale_until_ms - log_now_ms();
		si.gr_restart_bit = S.restarting && s->cp->graceful_restart;
		si.eor_sent = s->synced;
		si.eor_received = c->eor_rx;
		cb(&si, arg);
	}
}

void
session_foreach_reject(const struct prefix *p, bool exact,
    const struct ipaddr *addr,
    void (*cb)(const char *, const struct session_reject *,
    enum policy_reason, void *), void *arg)
{
	struct session			*s;
	const struct session_reject	*r;
	enum policy_reason		 now;
	size_t				 i;

	TAILQ_FOREACH(s, &S.sessions, entry)
		for (i = 0; i < s->nrej; i++) {
			r = &s->rej[i];
			if (p != NULL && (exact ? !prefix_eq(&r->prefix, p) :
			    !prefix_overlaps(&r->prefix, p)))
				continue;
			if (p == NULL && !prefix_contains_addr(&r->prefix,
			    addr))
				continue;
			now = policy_import_check(S.pol, &s->pp, &r->prefix,
			    r->attr);
			cb(s->cp->name != NULL ? s->cp->name : s->addrstr, r,
			    now, arg);
		}
}
