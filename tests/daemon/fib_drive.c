/*
 * fib_drive: fib.c without BGP, for tests and the benchmark. Fills a RIB
 * from commands on stdin, one a line, and hands its change records to
 * the fib as the sessions do:
 *
 *   peer ADDR                   a peer (ids from 0, in order)
 *   add PREFIX PEER NH [LL]     path of peer PEER with next hop NH
 *   del PREFIX PEER             withdraws it
 *   own PREFIX ...              own pod CIDRs (none: no argument)
 *   bench N NH                  N /32 routes from 10.0.0.0 via NH,
 *                               through peer 0; prints the time
 *   unbench N                   withdraws them; prints the time
 *   sweep                       fib_sweep_stale
 *   wait                        prints "idle" once nothing is queued
 *   stop keep|flush             fib_stop and exit
 *
 * Usage: fib_drive [-bv] [-t TABLE] [-p PROTOCOL] [-m MAXPATHS]
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "bgp_attr.h"
#include "conf.h"
#include "fib.h"
#include "log.h"
#include "rib.h"

static struct event_base	*base;
static struct rib		*rib;
static struct fib		*fib;
static struct bgp_attr_table	*attrs;
static struct event		*ev_in, *ev_wait;
static char			 line[4096];
static size_t			 llen;
static struct timespec		 t0;
static const char		*waiting;	/* what to print when idle */
static uint32_t			 peer_ids;
static bool			 eof;

static void	process_lines(void);

static double
since(const struct timespec *t)
{
	struct timespec	now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t->tv_sec) +
	    (double)(now.tv_nsec - t->tv_nsec) / 1e9;
}

static void
drain(void)
{
	struct rib_change	chg[256];
	size_t			n;

	if (rib_changes_lost(rib))
		fib_rib_resync(fib);
	while ((n = rib_changes_next(rib, chg, 256)) > 0)
		fib_rib_changes(chg, n, fib);
}

static int
path(const char *pfx, const char *peer, const char *nh, const char *ll)
{
	struct bgp_attr_set		 t;
	const struct bgp_attr_set	*a;
	struct prefix			 p;
	int				 rc;

	memset(&t, 0, sizeof(t));
	if (prefix_parse(pfx, &p) != PREFIX_OK ||
	    ipaddr_parse(nh, &t.nexthop) != 0 ||
	    (ll != NULL && ipaddr_parse(ll, &t.nexthop_ll) != 0))
		return -1;
	if ((a = bgp_attr_intern(attrs, &t)) == NULL)
		return -1;
	rc = rib_path_add(rib, &p, (unsigned)atoi(peer), 0, a);
	bgp_attr_unref(a);
	return rc;
}

static void
wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct fib_stats	s;

	fib_get_stats(fib, &s);
	if (s.queued > 0 || s.inflight > 0) {
		event_add(ev_wait, &(struct timeval){ 0, 1000 });
		return;
	}
	if (strcmp(waiting, "idle") == 0)
		printf("idle\n");
	else
		printf("%s %.3f s\n", waiting, since(&t0));
	fflush(stdout);
	if (eof)
		event_base_loopexit(base, NULL);
	else
		event_add(ev_in, NULL);
	process_lines();
}

static void
bench(unsigned long n, const char *nh, bool add)
{
	struct bgp_attr_set		 t;
	const struct bgp_attr_set	*a = NULL;
	struct prefix			 p;
	unsigned long			 i;
	uint32_t			 x;

	memset(&t, 0, sizeof(t));
	if (add) {
		if (ipaddr_parse(nh, &t.nexthop) != 0 ||
		    (a = bgp_attr_intern(attrs, &t)) == NULL) {
			printf("error\n");
			return;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		x = htonl(0x0a000000u + (uint32_t)i);
		prefix_set(&p, AF_INET, &x, 32);
		if (add)
			rib_path_add(rib, &p, 0, 0, a);
		else
			rib_path_del(rib, &p, 0, 0);
		/* as sessions do: a batch per UPDATE-sized group */
		if (i % 512 == 511)
			drain();
	}
	if (a != NULL)
		bgp_attr_unref(a);
	drain();
}

static void
command(char *s)
{
	char		*v[16];
	int		 n = 0;
	struct rib_peer	 rp;
	struct prefix	 own[16];

	while (n < 16 && (v[n] = strsep(&s, " \t")) != NULL)
		if (*v[n] != '\0')
			n++;
	if (n == 0)
		return;
	if (strcmp(v[0], "peer") == 0 && n == 2) {
		memset(&rp, 0, sizeof(rp));
		if (ipaddr_parse(v[1], &rp.addr) != 0) {
			printf("error\n");
			return;
		}
		rp.as = 65001;
		rp.bgp_id = ++peer_ids;
		printf("peer %d\n", rib_peer_add(rib, &rp));
	} else if (strcmp(v[0], "add") == 0 && (n == 4 || n == 5)) {
		if (path(v[1], v[2], v[3], n == 5 ? v[4] : NULL) != 0)
			printf("error\n");
	} else if (strcmp(v[0], "del") == 0 && n == 3) {
		struct prefix	p;

		if (prefix_parse(v[1], &p) != PREFIX_OK)
			printf("error\n");
		else
			rib_path_del(rib, &p, (unsigned)atoi(v[2]), 0);
	} else if (strcmp(v[0], "own") == 0) {
		int	i;

		for (i = 1; i < n && i <= 16; i++)
			if (prefix_parse(v[i], &own[i - 1]) != PREFIX_OK) {
				printf("error\n");
				return;
			}
		fib_set_own_prefixes(fib, own, (size_t)(n - 1));
	} else if (strcmp(v[0], "sweep") == 0)
		fib_sweep_stale(fib);
	else if (strcmp(v[0], "wait") == 0 || strcmp(v[0], "bench") == 0 ||
	    strcmp(v[0], "unbench") == 0) {
		if (strcmp(v[0], "bench") == 0 && n == 3) {
			bench(strtoul(v[1], NULL, 10), v[2], true);
			waiting = "installed";
		} else if (strcmp(v[0], "unbench") == 0 && n == 2) {
			bench(strtoul(v[1], NULL, 10), NULL, false);
			waiting = "removed";
		} else
			waiting = "idle";
		drain();
		event_del(ev_in);
		event_add(ev_wait, &(struct timeval){ 0, 1000 });
		return;
	} else if (strcmp(v[0], "stop") == 0 && n == 2) {
		fib_stop(fib, strcmp(v[1], "flush") == 0);
		event_base_loopexit(base, NULL);
		return;
	} else
		printf("error: %s\n", v[0]);
	drain();
	fflush(stdout);
}

static void
process_lines(void)
{
	char	*nl;

	while (event_pending(ev_in, EV_READ, NULL) &&
	    (nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		command(line);
		llen -= (size_t)(nl + 1 - line);
		memmove(line, nl + 1, llen + 1);
	}
}

static void
input_cb(evutil_socket_t fd, short what, void *arg)
{
	ssize_t	 r;

	r = read(fd, line + llen, sizeof(line) - 1 - llen);
	if (r <= 0) {
		eof = true;
		event_del(ev_in);
		if (!event_pending(ev_wait, EV_TIMEOUT, NULL))
			event_base_loopexit(base, NULL);
		return;
	}
	llen += (size_t)r;
	line[llen] = '\0';
	process_lines();
}

int
main(int argc, char *argv[])
{
	struct conf	c;
	struct rib_conf	rc;
	int		ch, rv = 0;

	memset(&c, 0, sizeof(c));
	c.fib_table = CONF_DEF_FIB_TABLE;
	c.fib_protocol = CONF_DEF_FIB_PROTOCOL;
	c.max_paths = CONF_DEF_MAX_PATHS;
	c.stale_time = CONF_DEF_STALE_TIME;
	log_init("fib_drive", LOG_TO_STDERR, LOG_LVL_INFO);
	while ((ch = getopt(argc, argv, "bm:p:t:v")) != -1)
		switch (ch) {
		case 'b':
			c.blackhole_own_cidr = true;
			break;
		case 'm':
			c.max_paths = (uint32_t)atoi(optarg);
			break;
		case 'p':
			c.fib_protocol = (uint32_t)atoi(optarg);
			break;
		case 't':
			c.fib_table = (uint32_t)atoi(optarg);
			break;
		case 'v':
			log_debug_set(LOG_CAT_FIB);
			break;
		default:
			fprintf(stderr, "usage: fib_drive [-b] [-m MAXPATHS] "
			    "[-p PROTOCOL] [-t TABLE] [-v]\n");
			return 2;
		}
	rib_conf_default(&rc);
	rc.max_paths = c.max_paths;
	if ((base = event_base_new()) == NULL || (rib = rib_new(&rc)) == NULL ||
	    (attrs = bgp_attr_table_new()) == NULL)
		return 1;
	fib = fib_new(base, &c, rib);
	if (fib_start(fib) == -1)
		rv = 1;
	else {
		ev_in = event_new(base, 0, EV_READ | EV_PERSIST, input_cb,
		    NULL);
		ev_wait = evtimer_new(base, wait_cb, NULL);
		event_add(ev_in, NULL);
		printf("ready\n");
		fflush(stdout);
		event_base_dispatch(base);
		event_free(ev_in);
		event_free(ev_wait);
	}
	fib_free(fib);
	rib_free(rib);
	bgp_attr_table_free(attrs);
	event_base_free(base);
	libevent_global_shutdown();
	return rv;
}
