/*
 * nl_pipe: the kernel's practical limit for writing routes, a reference
 * for the FIB benchmarks. Adds n IPv4 /24s (from 32.0.0.0, as
 * tests/bench/feeder announces them) via one gateway and device with raw
 * rtnetlink requests sent back to back in large writes, every one with
 * NLM_F_ACK, while a second thread reads the acknowledgements (the
 * kernel answers within each write: without a reader the receive buffer
 * would overflow and answers be lost). Then deletes them the same way.
 * With -S one thread does both, reading the answers after each write
 * (which the kernel has handled when send() returns): on a busy
 * machine a second thread may cost more than it saves.
 *
 *   nl_pipe -g gateway -d device [-n count] [-s first-prefix]
 *	 [-p protocol] [-t table] [-w write-bytes] [-W window] [-a|-r] [-S]
 *
 * -a only adds, -r only deletes. stdout:
 *   install seconds=.. routes=.. errors=..
 *   remove seconds=.. routes=.. errors=..
 * The time runs from the first write to the last acknowledgement. Exits
 * 1 if an answer is missing or a request failed.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef SOL_NETLINK
#define SOL_NETLINK	270
#endif
#ifndef NETLINK_CAP_ACK
#define NETLINK_CAP_ACK	10
#endif

#define RXBUF		(1024 * 1024)

static int		fd;
static atomic_ulong	acked;		/* answers read in the phase */
static unsigned long	want;		/* answers to wait for */
static unsigned long	nerr, first_err;
static bool		lost, serial;
static struct timespec	t_last;

static void
usage(void)
{
	fprintf(stderr, "usage: nl_pipe -g gateway -d device [-n count] "
	    "[-s first-prefix]\n\t[-p protocol] [-t table] [-w write-bytes] "
	    "[-W window] [-a|-r] [-S]\n");
	exit(2);
}

static double
secs(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

static void
setbuf_force(int opt_force, int opt, int sz)
{
	if (setsockopt(fd, SOL_SOCKET, opt_force, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, opt, &sz, sizeof(sz));
}

/* Reads answers until all of this phase's have come or are lost, or
 * (nonblock) until there are none to read. */
static void
read_acks(uint8_t *buf, bool nonblock)
{
	struct nlmsghdr	*h;
	ssize_t		 n;
	int		 rem;

	while (atomic_load(&acked) < want) {
		n = recv(fd, buf, RXBUF, nonblock ? MSG_DONTWAIT : 0);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (nonblock && (errno == EAGAIN ||
			    errno == EWOULDBLOCK))
				return;
			fprintf(stderr, "nl_pipe: recv: %s\n",
			    strerror(errno));
			lost = true;
			break;
		}
		rem = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, rem);
		    h = NLMSG_NEXT(h, rem)) {
			struct nlmsgerr	*e = NLMSG_DATA(h);

			if (h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (e->error != 0 && nerr++ == 0)
				first_err = (unsigned long)-e->error;
			atomic_fetch_add(&acked, 1);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t_last);
}

static void *
reader(void *arg)
{
	read_acks(arg, false);
	return NULL;
}

static size_t
put_attr(uint8_t *p, uint16_t type, const void *data, uint16_t len)
{
	struct rtattr	*a = (struct rtattr *)p;

	a->rta_type = type;
	a->rta_len = RTA_LENGTH(len);
	memcpy(RTA_DATA(a), data, len);
	return RTA_ALIGN(a->rta_len);
}

/* One request for /24 number v at p; its length. */
static size_t
build(uint8_t *p, int type, uint32_t v, uint32_t seq, uint32_t gw,
    uint32_t oif, uint8_t proto, uint32_t table)
{
	struct nlmsghdr	*h = (struct nlmsghdr *)p;
	struct rtmsg	*rm;
	uint32_t	 dst = htonl(v << 8);
	size_t		 len;

	memset(h, 0, NLMSG_LENGTH(sizeof(*rm)));
	h->nlmsg_type = (uint16_t)type;
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (type == RTM_NEWROUTE)
		h->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	h->nlmsg_seq = seq;
	rm = NLMSG_DATA(h);
	rm->rtm_family = AF_INET;
	rm->rtm_dst_len = 24;
	rm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
	rm->rtm_protocol = proto;
	rm->rtm_scope = RT_SCOPE_UNIVERSE;
	rm->rtm_type = RTN_UNICAST;
	len = NLMSG_LENGTH(sizeof(*rm));
	len += put_attr(p + len, RTA_DST, &dst, 4);
	if (table >= 256)
		len += put_attr(p + len, RTA_TABLE, &table, 4);
	if (type == RTM_NEWROUTE) {
		len += put_attr(p + len, RTA_GATEWAY, &gw, 4);
		len += put_attr(p + len, RTA_OIF, &oif, 4);
	}
	h->nlmsg_len = (uint32_t)len;
	return NLMSG_ALIGN(len);
}

/* One phase: n requests of type; 0 if every one succeeded. */
static int
phase(const char *what, int type, uint32_t base, unsigned long n,
    uint32_t gw, uint32_t oif, uint8_t proto, uint32_t table,
    size_t wmax, unsigned long window, uint8_t *obuf, uint8_t *rxbuf)
{
	struct timespec	 t0;
	pthread_t	 th;
	size_t		 olen = 0;
	unsigned long	 i, sent = 0;
	ssize_t		 w;

	atomic_store(&acked, 0);
	want = n;
	nerr = 0;
	lost = false;
	if (!serial && pthread_create(&th, NULL, reader, rxbuf) != 0) {
		fprintf(stderr, "nl_pipe: cannot start the reader\n");
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i <= n && !lost; i++) {
		if (i < n) {
			olen += build(obuf + olen, type, base + (uint32_t)i,
			    (uint32_t)i + 1, gw, oif, proto, table);
			sent++;
		}
		if (olen == 0 || (olen + 256 <= wmax && i < n))
			continue;
		/* the kernel works through the write before it returns */
		while (sent - atomic_load(&acked) > window && !lost)
			sched_yield();
		do
			w = send(fd, obuf, olen, 0);
		while (w == -1 && errno == EINTR);
		if (w == -1) {
			fprintf(stderr, "nl_pipe: send: %s\n",
			    strerror(errno));
			return 1;
		}
		olen = 0;
		if (serial)
			read_acks(rxbuf, true);
	}
	if (serial)
		read_acks(rxbuf, false);
	else
		pthread_join(th, NULL);
	printf("%s seconds=%.3f routes=%lu errors=%lu", what,
	    secs(&t0, &t_last), n - nerr, nerr);
	if (nerr > 0)
		printf(" first_error=%s", strerror((int)first_err));
	if (lost)
		printf(" answers_missing=%lu", n - atomic_load(&acked));
	printf("\n");
	fflush(stdout);
	return nerr > 0 || lost;
}

int
main(int argc, char **argv)
{
	struct sockaddr_nl	 sa;
	struct in_addr		 gw = { 0 }, first;
	const char		*dev = NULL, *firsts = "32.0.0.0";
	unsigned long		 n = 1000000, proto = 196;
	unsigned long		 table = RT_TABLE_MAIN;
	unsigned long		 window = 200000;
	size_t			 wmax = 256 * 1024;
	uint8_t			*obuf, *rxbuf;
	uint32_t		 base, oif;
	int			 ch, one = 1, rc = 0;
	bool			 add = true, del = true;

	while ((ch = getopt(argc, argv, "ad:g:n:p:rSs:t:w:W:")) != -1) {
		switch (ch) {
		case 'a':
			del = false;
			break;
		case 'd':
			dev = optarg;
			break;
		case 'g':
			if (inet_pton(AF_INET, optarg, &gw) != 1)
				usage();
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			proto = strtoul(optarg, NULL, 10);
			break;
		case 'r':
			add = false;
			break;
		case 'S':
			serial = true;
			break;
		case 's':
			firsts = optarg;
			break;
		case 't':
			table = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			wmax = strtoul(optarg, NULL, 10);
			break;
		case 'W':
			window = strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
		}
	}
	if (dev == NULL || gw.s_addr == 0 || n == 0 || proto == 0 ||
	    proto > 255 || table == 0 || table > UINT32_MAX ||
	    wmax < 4096 || window == 0 || (!add && !del) ||
	    inet_pton(AF_INET, firsts, &first) != 1)
		usage();
	base = ntohl(first.s_addr) >> 8;
	if (base + n > (1UL << 24)) {
		fprintf(stderr, "nl_pipe: %lu /24s from %s run past "
		    "255.255.255.0\n", n, firsts);
		return 2;
	}
	if ((oif = if_nametoindex(dev)) == 0) {
		fprintf(stderr, "nl_pipe: no device %s\n", dev);
		return 1;
	}
	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1) {
		perror("nl_pipe: socket");
		return 1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		perror("nl_pipe: bind");
		return 1;
	}
	/* a write must fit the send buffer; answers queue meanwhile */
	setbuf_force(SO_SNDBUFFORCE, SO_SNDBUF, (int)wmax * 2 + 65536);
	setbuf_force(SO_RCVBUFFORCE, SO_RCVBUF, 256 * 1024 * 1024);
	(void)setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	if ((obuf = malloc(wmax)) == NULL || (rxbuf = malloc(RXBUF)) == NULL) {
		fprintf(stderr, "nl_pipe: out of memory\n");
		return 1;
	}
	if (add)
		rc |= phase("install", RTM_NEWROUTE, base, n, gw.s_addr, oif,
		    (uint8_t)proto, (uint32_t)table, wmax, window, obuf,
		    rxbuf);
	if (del)
		rc |= phase("remove", RTM_DELROUTE, base, n, gw.s_addr, oif,
		    (uint8_t)proto, (uint32_t)table, wmax, window, obuf,
		    rxbuf);
	free(obuf);
	free(rxbuf);
	close(fd);
	return rc;
}
