/*
 * RIB throughput and memory: one peer announces N /24s (default 1M) that
 * share one interned attribute set, a second peer (another AS, so the
 * decision compares two candidates) announces the same prefixes, the
 * second withdraws them one by one and the first goes down (flush).
 * Change records are drained every 4096 operations, as the glue would.
 * Prints figures; never passes or fails.
 *
 *   bench_rib [prefixes]
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgp_attr.h"
#include "rib.h"

#define DRAIN_EVERY	4096

static struct rib_change	chg[DRAIN_EVERY];

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long
maxrss_kib(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_maxrss;
}

static size_t
drain(struct rib *rib)
{
	size_t	n, total = 0;

	while ((n = rib_changes_next(rib, chg, DRAIN_EVERY)) > 0)
		total += n;
	return total;
}

static const struct bgp_attr_set *
make_attr(struct bgp_attr_table *t, uint32_t as, uint8_t nh_last)
{
	struct bgp_attr_set	a;
	uint8_t			path[6] = { 2, 1 };

	path[2] = as >> 24;
	path[3] = as >> 16;
	path[4] = as >> 8;
	path[5] = as;
	memset(&a, 0, sizeof(a));
	a.origin = 0;
	a.nexthop.family = AF_INET;
	a.nexthop.addr[0] = 192;
	a.nexthop.addr[2] = 2;
	a.nexthop.addr[3] = nh_last;
	a.aspath = path;
	a.aspath_len = sizeof(path);
	return bgp_attr_intern(t, &a);
}

static void
pfx(struct prefix *p, unsigned i)
{
	memset(p, 0, sizeof(*p));
	p->family = AF_INET;
	p->len = 24;
	p->addr[0] = 10 + (i >> 16);
	p->addr[1] = i >> 8;
	p->addr[2] = i;
}

static size_t
mem_total(const struct rib *rib)
{
	struct rib_mem	m[RIB_MT_MAX];

	return rib_memory(rib, m);
}

int
main(int argc, char **argv)
{
	struct bgp_attr_table		*at;
	const struct bgp_attr_set	*a1, *a2;
	struct rib			*rib;
	struct rib_peer			 pa, pb;
	struct rib_mem			 m[RIB_MT_MAX];
	struct rib_entry		 e;
	struct prefix			 p;
	size_t				 n = 1000000, i, records, total;
	long				 rss0, rss1;
	int				 ida, idb;
	double				 t0, t1;

	if (argc > 1)
		n = strtoul(argv[1], NULL, 10);
	at = bgp_attr_table_new();
	a1 = make_attr(at, 65001, 1);
	a2 = make_attr(at, 65002, 2);
	if ((rib = rib_new(NULL)) == NULL)
		return 1;
	memset(&pa, 0, sizeof(pa));
	pa.addr.family = AF_INET;
	pa.addr.addr[0] = 192;
	pa.addr.addr[2] = 2;
	pa.addr.addr[3] = 1;
	pa.as = 65001;
	pa.bgp_id = 0xc0000201;
	pa.flags = RIB_PEER_EBGP;
	pb = pa;
	pb.addr.addr[3] = 2;
	pb.as = 65002;
	pb.bgp_id = 0xc0000202;
	ida = rib_peer_add(rib, &pa);
	idb = rib_peer_add(rib, &pb);
	rss0 = maxrss_kib();

	records = 0;
	t0 = now();
	for (i = 0; i < n; i++) {
		pfx(&p, (unsigned)i);
		if (rib_path_add(rib, &p, ida, 0, a1) == -1)
			return 1;
		if ((i + 1) % DRAIN_EVERY == 0)
			records += drain(rib);
	}
	records += drain(rib);
	t1 = now();
	rss1 = maxrss_kib();
	total = rib_memory(rib, m);
	printf("peer A adds %zu /24s (one attr set): %.3f s, %.0f inserts/s, "
	    "%zu change records\n", n, t1 - t0, n / (t1 - t0), records);
	printf("  rib memory: %zu bytes, %.1f bytes/route "
	    "(nodes %zu x %zu B, glue %zu x %zu B)\n", total,
	    (double)total / n, m[RIB_MT_NODE4].count,
	    m[RIB_MT_NODE4].count ? m[RIB_MT_NODE4].bytes /
	    m[RIB_MT_NODE4].count : 0, m[RIB_MT_GLUE4].count,
	    m[RIB_MT_GLUE4].count ? m[RIB_MT_GLUE4].bytes /
	    m[RIB_MT_GLUE4].count : 0);
	printf("  peak RSS %ld KiB (%ld KiB before), %.1f bytes/route\n",
	    rss1, rss0, (rss1 - rss0) * 1024.0 / n);

	records = 0;
	t0 = now();
	for (i = 0; i < n; i++) {
		pfx(&p, (unsigned)i);
		if (rib_path_add(rib, &p, idb, 0, a2) == -1)
			return 1;
		if ((i + 1) % DRAIN_EVERY == 0)
			records += drain(rib);
	}
	records += drain(rib);
	t1 = now();
	pfx(&p, 0);
	rib_lookup(rib, &p, &e);
	total = rib_memory(rib, m);
	printf("peer B adds the same %zu (2 candidates): %.3f s, %.0f/s, "
	    "%zu change records, best from peer %u\n", n, t1 - t0,
	    n / (t1 - t0), records, e.paths[0].peer);
	printf("  rib memory: %zu bytes, %.1f bytes/prefix; peak RSS "
	    "%ld KiB\n", total, (double)total / n, maxrss_kib());

	records = 0;
	t0 = now();
	for (i = 0; i < n; i++) {
		pfx(&p, (unsigned)i);
		rib_path_del(rib, &p, idb, 0);
		if ((i + 1) % DRAIN_EVERY == 0)
			records += drain(rib);
	}
	records += drain(rib);
	t1 = now();
	printf("peer B withdraws %zu: %.3f s, %.0f/s, %zu change records\n",
	    n, t1 - t0, n / (t1 - t0), records);
	t0 = now();
	i = rib_peer_flush(rib, ida, BGP_AID_MAX);
	records = drain(rib);
	t1 = now();
	printf("peer A goes down (flush %zu paths): %.3f s, "
	    "%zu change records\n", i, t1 - t0, records);
	printf("after: rib memory %zu bytes, %zu attribute sets, "
	    "peak RSS %ld KiB\n", mem_total(rib), bgp_attr_table_count(at),
	    maxrss_kib());
	rib_free(rib);
	bgp_attr_unref(a1);
	bgp_attr_unref(a2);
	bgp_attr_table_free(at);
	return 0;
}
