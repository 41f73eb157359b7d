/*
 * nl_count: watches a namespace's IPv4 routes of one protocol in one
 * table and prints when n more than at its start are there, then when
 * their number is back where it started, for the FIB benchmarks: the
 * time the last route is in the kernel, the time the last one is gone.
 * It counts the kernel's route notifications (new routes minus deleted
 * ones, replacements aside), one read per batch of them. It sleeps 2 ms
 * when the socket is empty rather than wait on it: the kernel then
 * wakes no one per route written (a cost the writer would pay, several
 * microseconds each in a VM), and the times are at most 2 ms late.
 * Should notifications be lost (ENOBUFS) it counts by dumping the table
 * every 20 ms instead, and says so.
 *
 * With -r it counts replacements instead (the failover benchmark): the
 * RTM_NEWROUTE notifications carrying NLM_F_REPLACE, which the IPv4 FIB
 * sends when a route is replaced (a new one carries NLM_F_CREATE), and
 * says "replaced" at the n-th. With -m only those leaving the route with
 * that many next hops count (1 for a route without RTA_MULTIPATH), so a
 * prefix written twice on the way is not taken for two. Should
 * notifications be lost, -r -m counts by dumps the routes with that many
 * next hops, none of them dead; -r alone then gives up.
 *
 *   nl_count -n count [-p protocol] [-t table] [-T seconds] [-r [-m paths]]
 *
 * stdout, flushed as it happens:
 *   ready count=..          subscribed, routes already there counted
 *                           (the start: "full" at count+n, "empty" back
 *                           at count)
 *   full ns=.. mode=notify|dump
 *   empty ns=.. mode=notify|dump
 *   replaced n=.. ns=.. mode=notify|dump	(-r, instead of the two above)
 * ns: CLOCK_REALTIME nanoseconds (what tests/bench/feeder prints).
 * Exits 0 after "empty" (or "replaced"), 1 when the time limit (default
 * 600 s) passes.
 */
#include <sys/socket.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define RXBUF	(1024 * 1024)

static unsigned long	proto = 196, table = RT_TABLE_MAIN;
static long		paths = -1;	/* -m: next hops a replacement leaves */
static uint8_t		buf[RXBUF];

static void
usage(void)
{
	fprintf(stderr, "usage: nl_count -n count [-p protocol] [-t table] "
	    "[-T seconds] [-r [-m paths]]\n");
	exit(2);
}

static int
nl_open(unsigned groups)
{
	struct sockaddr_nl	sa;
	int			fd, sz = 512 * 1024 * 1024;

	if ((fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
	    NETLINK_ROUTE)) == -1) {
		perror("nl_count: socket");
		exit(1);
	}
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) == -1)
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
	memset(&sa, 0, sizeof(sa));
	sa.nl_family = AF_NETLINK;
	sa.nl_groups = groups;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		perror("nl_count: bind");
		exit(1);
	}
	return fd;
}

/* Whether h is a route of the protocol and table watched. */
static bool
watched(struct nlmsghdr *h)
{
	struct rtmsg	*rm = NLMSG_DATA(h);
	struct rtattr	*a;
	uint32_t	 t;
	int		 rem;

	if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*rm)) ||
	    rm->rtm_family != AF_INET || rm->rtm_protocol != proto)
		return false;
	t = rm->rtm_table;
	rem = (int)RTM_PAYLOAD(h);
	for (a = RTM_RTA(rm); RTA_OK(a, rem); a = RTA_NEXT(a, rem))
		if (a->rta_type == RTA_TABLE &&
		    RTA_PAYLOAD(a) == sizeof(uint32_t))
			memcpy(&t, RTA_DATA(a), sizeof(t));
	return t == table;
}

/*
 * The number of next hops of route h: those in RTA_MULTIPATH, 1 without
 * it. With live, -1 if the kernel marked one of them dead (link down).
 */
static long
nexthops(struct nlmsghdr *h, bool live)
{
	struct rtmsg		*rm = NLMSG_DATA(h);
	struct rtattr		*a;
	struct rtnexthop	*nh;
	long			 c;
	int			 rem, mrem;

	rem = (int)RTM_PAYLOAD(h);
	for (a = RTM_RTA(rm); RTA_OK(a, rem); a = RTA_NEXT(a, rem)) {
		if ((a->rta_type & NLA_TYPE_MASK) != RTA_MULTIPATH)
			continue;
		c = 0;
		mrem = (int)RTA_PAYLOAD(a);
		for (nh = RTA_DATA(a); RTNH_OK(nh, mrem);
		    mrem -= RTNH_ALIGN(nh->rtnh_len), nh = RTNH_NEXT(nh))
			if (live && (nh->rtnh_flags & RTNH_F_DEAD))
				return -1;
			else
				c++;
		return c;
	}
	return 1;
}

/*
 * The number of watched routes, by a dump; with -m (paths >= 0) those
 * with that many live next hops.
 */
static long
dump_count(void)
{
	struct {
		struct nlmsghdr	h;
		struct rtmsg	r;
	}		 req;
	struct nlmsghdr	*h;
	ssize_t		 n;
	long		 c = 0;
	int		 fd, rem;

	fd = nl_open(0);
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = sizeof(req);
	req.h.nlmsg_type = RTM_GETROUTE;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.h.nlmsg_seq = 1;
	req.r.rtm_family = AF_INET;
	if (send(fd, &req, sizeof(req), 0) == -1) {
		perror("nl_count: dump");
		exit(1);
	}
	for (;;) {
		if ((n = recv(fd, buf, sizeof(buf), 0)) == -1) {
			if (errno == EINTR)
				continue;
			perror("nl_count: dump");
			exit(1);
		}
		rem = (int)n;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, rem);
		    h = NLMSG_NEXT(h, rem)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return c;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "nl_count: dump failed\n");
				exit(1);
			}
			if (h->nlmsg_type == RTM_NEWROUTE && watched(h) &&
			    (paths < 0 || nexthops(h, true) == paths))
				c++;
		}
	}
}

static double
mono(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
say(const char *what, bool dumping)
{
	struct timespec	ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	printf("%s ns=%lld%09ld mode=%s\n", what, (long long)ts.tv_sec,
	    ts.tv_nsec, dumping ? "dump" : "notify");
	fflush(stdout);
}

int
main(int argc, char **argv)
{
	struct nlmsghdr	*h;
	struct timespec	 ts;
	unsigned long	 n = 0;
	double		 limit = 600;
	ssize_t		 r;
	long		 c, c0;
	bool		 full = false, dumping = false, replaced = false;
	int		 ch, fd, rem;

	while ((ch = getopt(argc, argv, "m:n:p:rt:T:")) != -1) {
		switch (ch) {
		case 'm':
			paths = strtol(optarg, NULL, 10);
			break;
		case 'r':
			replaced = true;
			break;
		case 'n':
			n = strtoul(optarg, NULL, 10);
			break;
		case 'p':
			proto = strtoul(optarg, NULL, 10);
			break;
		case 't':
			table = strtoul(optarg, NULL, 10);
			break;
		case 'T':
			limit = atof(optarg);
			break;
		default:
			usage();
		}
	}
	if (n == 0 || proto == 0 || proto > 255 || table == 0 ||
	    (paths >= 0 && !replaced) || paths == 0 || paths < -1)
		usage();
	limit += mono();
	/* subscribe first, then count what is there: nothing falls in
	 * between (a route seen twice would be counted twice; there is
	 * none while the benchmark waits for "ready") */
	fd = nl_open(RTMGRP_IPV4_ROUTE);
	c0 = c = dump_count();
	printf("ready count=%ld\n", c);
	fflush(stdout);
	while (mono() < limit) {
		if (replaced && c - c0 >= (long)n) {
			clock_gettime(CLOCK_REALTIME, &ts);
			printf("replaced n=%ld ns=%lld%09ld mode=%s\n", c - c0,
			    (long long)ts.tv_sec, ts.tv_nsec,
			    dumping ? "dump" : "notify");
			fflush(stdout);
			return 0;
		}
		if (!replaced && !full && c - c0 >= (long)n) {
			full = true;
			say("full", dumping);
		}
		if (!replaced && full && c <= c0) {
			say("empty", dumping);
			return 0;
		}
		if (dumping) {
			usleep(20000);
			c = dump_count();
			continue;
		}
		if ((r = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) == -1) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				usleep(2000);
			else if (errno == ENOBUFS && replaced && paths < 0) {
				fprintf(stderr, "nl_count: notifications "
				    "lost: replacements unknown\n");
				return 1;
			} else if (errno == ENOBUFS) {
				fprintf(stderr, "nl_count: notifications "
				    "lost: counting by dumps\n");
				dumping = true;
				close(fd);
				c = dump_count();
			}
			continue;
		}
		rem = (int)r;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, rem);
		    h = NLMSG_NEXT(h, rem)) {
			if (!watched(h))
				continue;
			if (replaced) {
				if (h->nlmsg_type == RTM_NEWROUTE &&
				    (h->nlmsg_flags & NLM_F_REPLACE) &&
				    (paths < 0 || nexthops(h, false) == paths))
					c++;
				continue;
			}
			if (h->nlmsg_type == RTM_NEWROUTE &&
			    !(h->nlmsg_flags & NLM_F_REPLACE))
				c++;
			else if (h->nlmsg_type == RTM_DELROUTE)
				c--;
		}
	}
	if (replaced)
		fprintf(stderr, "nl_count: time limit: %ld replaced\n",
		    c - c0);
	else
		fprintf(stderr, "nl_count: time limit: %ld routes\n", c);
	return 1;
}
