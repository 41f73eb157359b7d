/*
 * Decoder throughput on a stream of full 4096-byte IPv4 UPDATEs, each with
 * ORIGIN, a two-AS AS_PATH and NEXT_HOP followed by 1012 /24s and a /0:
 * frame, decode (validates every NLRI) and iterate every prefix into a
 * struct prefix, as the RIB will. Prints figures; never passes or fails.
 *
 *   bench_decode [seconds] [messages]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bgp_attr.h"
#include "bgp_msg.h"

#define NLRI24	1012

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One UPDATE of exactly BGP_MSG_MAX bytes; returns its NLRI count. */
static size_t
make_update(uint8_t *m, unsigned seq)
{
	static const uint8_t attrs[] = {
		0x40, 1, 1, 0,				/* ORIGIN IGP */
		0x40, 2, 10, 2, 2, 0, 0, 0xfd, 0xe9,	/* AS_PATH 65001 */
		0, 0, 0xfd, 0xea,			/* 65002 */
		0x40, 3, 4, 192, 0, 2, 1,		/* NEXT_HOP */
	};
	size_t	off = 0, i;

	memset(m, 0xff, BGP_MARKER_LEN);
	off = BGP_MARKER_LEN;
	m[off++] = BGP_MSG_MAX >> 8;
	m[off++] = BGP_MSG_MAX & 0xff;
	m[off++] = BGP_MSG_UPDATE;
	m[off++] = 0;				/* no withdrawn routes */
	m[off++] = 0;
	m[off++] = 0;
	m[off++] = sizeof(attrs);
	memcpy(m + off, attrs, sizeof(attrs));
	off += sizeof(attrs);
	for (i = 0; i < NLRI24; i++) {
		unsigned	n = seq * NLRI24 + (unsigned)i;

		m[off++] = 24;
		m[off++] = 10 + (n >> 16 & 0x3f);
		m[off++] = n >> 8 & 0xff;
		m[off++] = n & 0xff;
	}
	m[off++] = 0;				/* 0.0.0.0/0 fills the last byte */
	if (off != BGP_MSG_MAX)
		abort();
	return NLRI24 + 1;
}

int
main(int argc, char **argv)
{
	double			 secs = argc > 1 ? atof(argv[1]) : 2.0;
	size_t			 nmsg = argc > 2 ? strtoul(argv[2], NULL, 10) : 2048;
	struct bgp_peer_ctx	 ctx = { .as4 = true, .ebgp = true };
	struct bgp_msg_hdr	 h;
	struct bgp_update	 u;
	struct bgp_err		 e;
	struct bgp_nlri_iter	 it;
	struct prefix		 p;
	uint8_t			*stream;
	size_t			 i, per = 0, nlri = 0, bytes = 0, off;
	unsigned long		 sum = 0;
	double			 t0, t;

	if (nmsg == 0 || (stream = malloc(nmsg * BGP_MSG_MAX)) == NULL)
		return 1;
	for (i = 0; i < nmsg; i++)
		per = make_update(stream + i * BGP_MSG_MAX, (unsigned)i);

	t0 = now();
	do {
		for (off = 0; off < nmsg * BGP_MSG_MAX; off += h.len) {
			if (bgp_msg_frame(stream + off, nmsg * BGP_MSG_MAX - off,
			    &ctx, &h, &e) != 1 ||
			    bgp_update_decode(stream + off + BGP_HDR_LEN,
			    h.len - BGP_HDR_LEN, &ctx, &u, &e) != BGP_OK) {
				fprintf(stderr, "decode failed: %s\n", e.why);
				return 1;
			}
			for (bgp_nlri_iter_reach(&it, &u);
			    bgp_nlri_next(&it, &p, NULL);)
				sum += p.addr[2];	/* keep the loop honest */
			nlri += bgp_update_nreach(&u);
		}
		bytes += nmsg * BGP_MSG_MAX;
	} while ((t = now() - t0) < secs);

	printf("bench_decode: %zu UPDATEs of %d bytes, %zu NLRI each, "
	    "%.2f s\n", bytes / BGP_MSG_MAX, BGP_MSG_MAX, per, t);
	printf("bench_decode: %.2f million NLRI/s, %.1f MB/s, %.0f ns/UPDATE"
	    " (checksum %lu)\n", nlri / t / 1e6, bytes / t / 1e6,
	    t * 1e9 / (bytes / BGP_MSG_MAX), sum);
	free(stream);
	return 0;
}
