/*
 * feeder: a BGP speaker made to feed a table fast, for benchmarks. It
 * connects to a peer, exchanges OPEN and KEEPALIVE, then writes n distinct
 * IPv4 /24s packed into full UPDATEs sharing one attribute set, and
 * End-of-RIB, all encoded into one buffer beforehand so that only the
 * write() calls are timed. Then it keeps the session up (answering and
 * sending KEEPALIVEs) until SIGTERM/SIGINT or the -t duration, and closes
 * with a Cease. Blocking sockets: one peer, nothing else to do.
 *
 * With -R it is the receiving end instead: it sends no route and counts
 * the /24s of the feed's range announced to it (the sender's own routes
 * aside) until all n have come (the second peer of a benchmark).
 *
 * stdout gets key=value lines, flushed as they happen:
 *   established peer_as=.. ext_msg=0|1
 *   first_update_ns=<CLOCK_REALTIME ns when the first UPDATE byte is written>
 *   pushed prefixes=.. updates=.. bytes=.. seconds=..
 *   received prefixes=.. updates=.. last_ns=<CLOCK_REALTIME ns when the
 *     n-th prefix was read>	(-R)
 *   withdrawn prefixes=.. updates=..	(-R, once all n are withdrawn again)
 *   first_withdraw_ns=<CLOCK_REALTIME ns when the first withdrawal byte
 *     is written>	(-w, after SIGUSR1)
 *   withdrew prefixes=.. updates=.. bytes=.. seconds=..	(-w)
 *
 * With -w it withdraws every prefix of the feed, in full UPDATEs encoded
 * beforehand, when it receives SIGUSR1 (once), and keeps the session.
 *
 *   feeder -a peer-address [-p port] [-b local-address] [-L]
 *	 [-l local-as] [-r peer-as] [-i router-id] [-n count]
 *	 [-s first-prefix] [-N next-hop] [-x] [-t seconds] [-H hold-time]
 *	 [-R] [-w]
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bgp.h"
#include "bgp_attr.h"
#include "bgp_msg.h"
#include "buf.h"
#include "prefix.h"

#define IBUF_SIZE	(2 * BGP_MSG_MAX_EXT)

static volatile sig_atomic_t	stop, withdraw;
static uint8_t			ibuf[IBUF_SIZE];
static size_t			ilen;
static size_t			consumed;	/* by the caller */

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void
on_usr1(int sig)
{
	(void)sig;
	withdraw = 1;
}

static void
usage(void)
{
	fprintf(stderr, "usage: feeder -a peer-address [-p port] "
	    "[-b local-address] [-L] [-l local-as] [-r peer-as]\n"
	    "\t[-i router-id] [-n count] [-s first-prefix] [-N next-hop] "
	    "[-x] [-t seconds]\n\t[-H hold-time] [-R] [-w]\n");
	exit(2);
}

static double
mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	ssize_t	r;

	while (n > 0) {
		r = write(fd, p, n);
		if (r == -1) {
			if (errno == EINTR && !stop)
				continue;
			return -1;
		}
		p += r;
		n -= (size_t)r;
	}
	return 0;
}

/*
 * Returns the next whole message (its length in *h) from the socket,
 * waiting at most ms milliseconds (-1: forever); 1 got one, 0 timed out
 * or interrupted, -1 closed or broken. The message stays at ibuf until
 * the next call.
 */
static int
read_msg(int fd, const struct bgp_peer_ctx *ctx, struct bgp_msg_hdr *h,
    int ms)
{
	struct bgp_err	e;
	struct pollfd	pfd = { .fd = fd, .events = POLLIN };
	ssize_t		n;
	int		r;

	if (consumed > 0) {
		memmove(ibuf, ibuf + consumed, ilen - consumed);
		ilen -= consumed;
		consumed = 0;
	}
	for (;;) {
		bgp_err_clear(&e);
		r = bgp_msg_frame(ibuf, ilen, ctx, h, &e);
		if (r == 1) {
			consumed = h->len;
			return 1;
		}
		if (r == -1) {
			fprintf(stderr, "feeder: bad message header: %s\n",
			    e.why ? e.why : "");
			return -1;
		}
		if (stop)
			return 0;
		r = poll(&pfd, 1, ms);
		if (r == 0 || (r == -1 && errno == EINTR))
			return 0;
		if (r == -1)
			return -1;
		n = read(fd, ibuf + ilen, sizeof(ibuf) - ilen);
		if (n == 0) {
			fprintf(stderr, "feeder: connection closed by the "
			    "peer\n");
			return -1;
		}
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "feeder: read: %s\n", strerror(errno));
			return -1;
		}
		ilen += (size_t)n;
	}
}

static void
print_notification(const struct bgp_msg_hdr *h)
{
	struct bgp_notification	n;
	struct bgp_err		e;

	if (bgp_notification_decode(ibuf, h->len, &n, &e) == 0) {
		fprintf(stderr, "feeder: received NOTIFICATION: ");
		bgp_msg_print_notification(stderr, &n);
	} else
		fprintf(stderr, "feeder: received a malformed "
		    "NOTIFICATION\n");
}

static int
send_keepalive(int fd)
{
	struct wbuf	w;
	int		r;

	wbuf_init(&w, BGP_KEEPALIVE_LEN);
	r = bgp_keepalive_encode(&w) == 0 && !w.err ?
	    write_all(fd, w.p, w.len) : -1;
	wbuf_fini(&w);
	return r;
}

/* A listening socket on local (or any address) and port; -1 on error. */
static int
listen_on(const char *local, unsigned long port)
{
	struct sockaddr_in	sa;
	int			fd, one = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (local != NULL && inet_pton(AF_INET, local, &sa.sin_addr) != 1)
		usage();
	if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ==
	    -1 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1 ||
	    listen(fd, 4) == -1) {
		perror("feeder: listening");
		return -1;
	}
	return fd;
}

/*
 * Connects (or accepts from the peer on lfd, if not -1), sends our OPEN
 * (4-octet AS from bgp_open_init, IPv4 unicast, RFC 8654 if ext) and
 * reads the peer's, left in ibuf (*h). Returns the socket, -1 to try
 * again later, -2 on a local error.
 */
static int
open_session(int lfd, const struct sockaddr_in *sa, const char *local,
    struct sockaddr_in *la, struct in_addr *rid, struct bgp_open *ours,
    unsigned long las, unsigned long hold, bool ext, struct bgp_msg_hdr *h)
{
	struct wbuf	w;
	socklen_t	salen = sizeof(*la);
	int		fd, r, one = 1;

	ilen = consumed = 0;
	if (lfd >= 0) {
		struct sockaddr_in	from;
		socklen_t		fl = sizeof(from);

		if ((fd = accept(lfd, (struct sockaddr *)&from, &fl)) == -1) {
			if (errno != EINTR)
				perror("feeder: accept");
			return -1;
		}
		if (from.sin_addr.s_addr != sa->sin_addr.s_addr) {
			close(fd);
			return -1;
		}
	} else {
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
			perror("feeder: socket");
			return -2;
		}
		if (local != NULL) {
			memset(la, 0, sizeof(*la));
			la->sin_family = AF_INET;
			if (inet_pton(AF_INET, local, &la->sin_addr) != 1)
				usage();
			if (bind(fd, (struct sockaddr *)la, sizeof(*la)) ==
			    -1) {
				perror("feeder: bind");
				close(fd);
				return -2;
			}
		}
		if (connect(fd, (const struct sockaddr *)sa, sizeof(*sa)) ==
		    -1) {
			perror("feeder: connect");
			close(fd);
			return -1;
		}
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (getsockname(fd, (struct sockaddr *)la, &salen) == -1) {
		perror("feeder: getsockname");
		close(fd);
		return -2;
	}
	if (rid->s_addr == 0)
		*rid = la->sin_addr;
	bgp_open_init(ours, (uint32_t)las, (uint16_t)hold,
	    ntohl(rid->s_addr));
	ours->mp = true;
	ours->mp_aids = 1 << BGP_AID_IPV4;
	ours->ext_msg = ext;
	wbuf_init(&w, BGP_MSG_MAX);
	r = bgp_open_encode(&w, ours) == -1 ? -1 : write_all(fd, w.p, w.len);
	wbuf_fini(&w);
	if (r == -1) {
		perror("feeder: sending OPEN");
		close(fd);
		return -1;
	}
	if ((r = read_msg(fd, NULL, h, 30000)) != 1 ||
	    h->type != BGP_MSG_OPEN) {
		if (r == 1 && h->type == BGP_MSG_NOTIFICATION)
			print_notification(h);
		fprintf(stderr, "feeder: no OPEN from the peer\n");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * -R: counts the prefixes announced until n have come, then keeps the
 * session (KEEPALIVEs) until a signal or the duration; 0 if all came.
 */
/* Whether p is one of the n /24s from base. */
static bool
in_feed(const struct prefix *p, uint32_t base, unsigned long n)
{
	uint32_t	v;

	v = (uint32_t)p->addr[0] << 16 | (uint32_t)p->addr[1] << 8 |
	    p->addr[2];
	return p->family == AF_INET && p->len == 24 && v >= base &&
	    v - base < n;
}

/* How many prefixes of the feed the iterator yields. */
static unsigned long
count_feed(struct bgp_nlri_iter *it, uint32_t base, unsigned long n)
{
	struct prefix	p;
	unsigned long	k = 0;

	while (bgp_nlri_next(it, &p, NULL) == 1)
		k += in_feed(&p, base, n);
	return k;
}

static int
receive(int fd, const struct bgp_peer_ctx *ctx, uint32_t base,
    unsigned long n, uint16_t holdtime, double duration)
{
	struct bgp_msg_hdr	h;
	struct bgp_update	u;
	struct bgp_nlri_iter	it;
	struct bgp_err		e;
	struct timespec		ts;
	unsigned long		got = 0, gone = 0, k;
	size_t			nupd = 0, nwupd = 0;
	double			last_ka = mono(), deadline = 0;
	int			r;

	while (!stop && (deadline == 0 || mono() < deadline)) {
		if (holdtime > 0 && mono() - last_ka >= holdtime / 3.0) {
			if (send_keepalive(fd) == -1)
				return 1;
			last_ka = mono();
		}
		r = read_msg(fd, ctx, &h, 1000);
		if (r == -1)
			return 1;
		if (r == 0)
			continue;
		if (h.type == BGP_MSG_NOTIFICATION) {
			print_notification(&h);
			return 1;
		}
		if (h.type != BGP_MSG_UPDATE)
			continue;
		bgp_err_clear(&e);
		if (bgp_update_decode(ibuf + BGP_HDR_LEN, h.len - BGP_HDR_LEN,
		    ctx, &u, &e) != BGP_OK) {
			fprintf(stderr, "feeder: bad UPDATE: %s\n",
			    e.why ? e.why : "");
			return 1;
		}
		if (got < n) {
			bgp_nlri_iter_reach(&it, &u);
			k = count_feed(&it, base, n);
			got += k;
			nupd += k > 0;
			if (got >= n) {
				clock_gettime(CLOCK_REALTIME, &ts);
				printf("received prefixes=%lu updates=%zu "
				    "last_ns=%lld%09ld\n", got, nupd,
				    (long long)ts.tv_sec, ts.tv_nsec);
				fflush(stdout);
				if (duration > 0)
					deadline = mono() + duration;
			}
		} else if (gone < n) {
			bgp_nlri_iter_unreach(&it, &u);
			k = count_feed(&it, base, n);
			gone += k;
			nwupd += k > 0;
			if (gone >= n) {
				printf("withdrawn prefixes=%lu updates=%zu\n",
				    gone, nwupd);
				fflush(stdout);
			}
		}
	}
	return got >= n ? 0 : 1;
}

int
main(int argc, char **argv)
{
	const char		*peer = NULL, *local = NULL, *nhs = NULL;
	const char		*firsts = "32.0.0.0";
	unsigned long		 port = 179, n = 1000000, las = 65100;
	unsigned long		 ras = 0, hold = 90;
	double			 duration = 0, t0, t1, deadline, last_ka;
	double			 giveup;
	bool			 ext = false;
	struct in_addr		 rid = { 0 };
	struct sockaddr_in	 sa, la;
	struct bgp_open		 ours, theirs;
	struct bgp_peer_ctx	 ctx;
	struct bgp_msg_hdr	 h;
	struct bgp_err		 e;
	struct bgp_attr_set	 a;
	struct prefix		*pfx;
	struct ipaddr		 first;
	struct wbuf		 w;
	struct timespec		 ts;
	struct sigaction	 sig;
	uint8_t			 aspath[6];
	uint32_t		 base;
	uint16_t		 holdtime;
	size_t			 i, done, start, nupd = 0;
	int			 fd, lfd = -1, ch, r;
	bool			 listening = false, receiving = false;
	bool			 withdrawing = false;
	struct wbuf		 wd;
	size_t			 nwupd = 0;

	while ((ch = getopt(argc, argv, "a:b:H:i:Ll:n:N:p:r:Rs:t:wx")) != -1) {
		switch (ch) {
		case 'a':
			peer = optarg;
			break;
		case 'b':
			local = optarg;
			break;
		case 'H':
			hold = strtoul(optarg, NULL, 10);
			break;
		case 'i':
			if (inet_pton(AF_INET, optarg, &rid) != 1)
				usage();
			break;
		case 'L':
			listening = true;
			break;
		case 'l':
			las = strtoul(optarg, NULL, 10);
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'N':
			nhs = optarg;
			break;
		case 'p':
			port = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			ras = strtoul(optarg, NULL, 10);
			break;
		case 'R':
			receiving = true;
			break;
		case 's':
			firsts = optarg;
			break;
		case 't':
			duration = atof(optarg);
			break;
		case 'w':
			withdrawing = true;
			break;
		case 'x':
			ext = true;
			break;
		default:
			usage();
		}
	}
	if (peer == NULL || n == 0 || n > (1UL << 24) || port == 0 ||
	    port > 65535 || las == 0 || las > UINT32_MAX ||
	    ras > UINT32_MAX || (hold != 0 && hold < 3) || hold > 65535)
		usage();
	if (ipaddr_parse(firsts, &first) != 0 || first.family != AF_INET)
		usage();
	base = (uint32_t)first.addr[0] << 16 | (uint32_t)first.addr[1] << 8 |
	    first.addr[2];
	if (base + n > (1UL << 24)) {
		fprintf(stderr, "feeder: %lu /24s from %s run past "
		    "255.255.255.0\n", n, firsts);
		return 2;
	}

	memset(&sig, 0, sizeof(sig));
	sig.sa_handler = on_signal;
	sigaction(SIGTERM, &sig, NULL);
	sigaction(SIGINT, &sig, NULL);
	sig.sa_handler = on_usr1;
	sigaction(SIGUSR1, &sig, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* the prefixes first: out of the timed part */
	if ((pfx = calloc(n, sizeof(*pfx))) == NULL) {
		fprintf(stderr, "feeder: out of memory\n");
		return 1;
	}
	for (i = 0; i < n; i++) {
		uint32_t	v = base + (uint32_t)i;

		pfx[i].family = AF_INET;
		pfx[i].len = 24;
		pfx[i].addr[0] = v >> 16;
		pfx[i].addr[1] = v >> 8 & 0xff;
		pfx[i].addr[2] = v & 0xff;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	if (inet_pton(AF_INET, peer, &sa.sin_addr) != 1)
		usage();
	if (listening && (lfd = listen_on(local, port)) == -1)
		return 1;
	/* the peer may refuse us for a while (Idle): try again */
	giveup = mono() + 60;
	for (;;) {
		fd = open_session(lfd, &sa, local, &la, &rid, &ours, las,
		    hold, ext, &h);
		if (fd >= 0)
			break;
		if (fd == -2 || stop || mono() > giveup) {
			fprintf(stderr, "feeder: no session with %s\n", peer);
			return 1;
		}
		usleep(500000);
	}
	if (bgp_open_decode(ibuf, h.len, &theirs, &e) == -1) {
		fprintf(stderr, "feeder: bad OPEN: %s\n", e.why ? e.why : "");
		return 1;
	}
	if (ras != 0 && theirs.peer_as != ras) {
		fprintf(stderr, "feeder: peer is AS %u, not %lu\n",
		    theirs.peer_as, ras);
		return 1;
	}
	memset(&ctx, 0, sizeof(ctx));
	bgp_open_negotiate(&ours, &theirs, &ctx, &holdtime);
	if (send_keepalive(fd) == -1) {
		perror("feeder: sending KEEPALIVE");
		return 1;
	}
	for (;;) {
		if ((r = read_msg(fd, &ctx, &h, 30000)) != 1) {
			fprintf(stderr, "feeder: no KEEPALIVE after OPEN\n");
			return 1;
		}
		if (h.type == BGP_MSG_KEEPALIVE)
			break;
		if (h.type == BGP_MSG_NOTIFICATION) {
			print_notification(&h);
			return 1;
		}
	}
	printf("established peer_as=%u ext_msg=%d holdtime=%u\n",
	    theirs.peer_as, ctx.ext_msg, holdtime);
	fflush(stdout);
	if (receiving) {
		free(pfx);
		r = receive(fd, &ctx, base, n, holdtime, duration);
		close(fd);
		return r;
	}

	/* one attribute set: ORIGIN IGP, AS_PATH our AS, our next hop */
	memset(&a, 0, sizeof(a));
	a.origin = BGP_ORIGIN_IGP;
	aspath[0] = BGP_ASSEG_SEQUENCE;
	aspath[1] = 1;
	aspath[2] = las >> 24 & 0xff;
	aspath[3] = las >> 16 & 0xff;
	aspath[4] = las >> 8 & 0xff;
	aspath[5] = las & 0xff;
	a.aspath = aspath;
	a.aspath_len = sizeof(aspath);
	if (nhs != NULL) {
		if (ipaddr_parse(nhs, &a.nexthop) != 0 ||
		    a.nexthop.family != AF_INET)
			usage();
	} else {
		a.nexthop.family = AF_INET;
		memcpy(a.nexthop.addr, &la.sin_addr, 4);
	}

	/* everything encoded before the clock starts */
	wbuf_init(&w, SIZE_MAX);
	for (i = 0; i < n; i += done) {
		start = bgp_msg_hdr_begin(&w, BGP_MSG_UPDATE);
		if (bgp_update_pack_reach(&w, 0, &ctx, BGP_AID_IPV4, &a,
		    pfx + i, NULL, n - i, &done) == -1 ||
		    bgp_msg_hdr_end(&w, start, bgp_msg_max(&ctx)) == -1) {
			fprintf(stderr, "feeder: encoding UPDATE %zu failed\n",
			    nupd);
			return 1;
		}
		nupd++;
	}
	start = bgp_msg_hdr_begin(&w, BGP_MSG_UPDATE);
	if (bgp_update_encode_eor(&w, BGP_AID_IPV4) == -1 ||
	    bgp_msg_hdr_end(&w, start, bgp_msg_max(&ctx)) == -1 || w.err) {
		fprintf(stderr, "feeder: encoding End-of-RIB failed\n");
		return 1;
	}
	/* and the withdrawals, if asked for */
	wbuf_init(&wd, SIZE_MAX);
	for (i = 0; withdrawing && i < n; i += done) {
		start = bgp_msg_hdr_begin(&wd, BGP_MSG_UPDATE);
		if (bgp_update_pack_unreach(&wd, 0, &ctx, BGP_AID_IPV4,
		    pfx + i, NULL, n - i, &done) == -1 ||
		    bgp_msg_hdr_end(&wd, start, bgp_msg_max(&ctx)) == -1 ||
		    wd.err) {
			fprintf(stderr, "feeder: encoding withdrawal %zu "
			    "failed\n", nwupd);
			return 1;
		}
		nwupd++;
	}
	free(pfx);

	clock_gettime(CLOCK_REALTIME, &ts);
	t0 = mono();
	printf("first_update_ns=%lld%09ld\n", (long long)ts.tv_sec,
	    ts.tv_nsec);
	fflush(stdout);
	if (write_all(fd, w.p, w.len) == -1) {
		perror("feeder: writing the UPDATEs");
		return 1;
	}
	t1 = mono();
	printf("pushed prefixes=%lu updates=%zu bytes=%zu seconds=%.6f\n",
	    n, nupd + 1, w.len, t1 - t0);
	fflush(stdout);
	wbuf_fini(&w);

	/* keep the session: KEEPALIVE every holdtime/3, drain the rest */
	deadline = duration > 0 ? t1 + duration : 0;
	last_ka = t1;
	while (!stop && (deadline == 0 || mono() < deadline)) {
		int	ms = holdtime > 0 ? holdtime * 1000 / 3 : 10000;

		if (holdtime > 0 && mono() - last_ka >= holdtime / 3.0) {
			if (send_keepalive(fd) == -1)
				return 1;
			last_ka = mono();
		}
		if (ms > 1000)
			ms = 1000;
		if (withdraw == 1 && withdrawing) {
			withdraw = 2;
			clock_gettime(CLOCK_REALTIME, &ts);
			t0 = mono();
			printf("first_withdraw_ns=%lld%09ld\n",
			    (long long)ts.tv_sec, ts.tv_nsec);
			fflush(stdout);
			if (write_all(fd, wd.p, wd.len) == -1) {
				perror("feeder: writing the withdrawals");
				return 1;
			}
			printf("withdrew prefixes=%lu updates=%zu bytes=%zu "
			    "seconds=%.6f\n", n, nwupd, wd.len, mono() - t0);
			fflush(stdout);
			last_ka = mono();
		}
		r = read_msg(fd, &ctx, &h, ms);
		if (r == -1)
			return 1;
		if (r == 1 && h.type == BGP_MSG_NOTIFICATION) {
			print_notification(&h);
			return 1;
		}
	}
	wbuf_fini(&wd);
	wbuf_init(&w, BGP_MSG_MAX);
	if (bgp_notification_encode_shutdown(&w, BGP_ERR_CEASE_ADMIN_SHUTDOWN,
	    "feeder done") == 0)
		write_all(fd, w.p, w.len);
	wbuf_fini(&w);
	close(fd);
	return 0;
}
