/*
 * podbgp-decode: prints a stream of raw BGP messages (one TCP direction,
 * as recorded) the way podbgp's codec reads them.
 *
 *   podbgp-decode [-i] [-q] FILE [REVERSE-FILE]
 *
 * The session context (4-octet AS, extended messages, add-path) is
 * negotiated from the OPEN in FILE and, when given, the OPEN of the other
 * direction in REVERSE-FILE, exactly as a speaker would. eBGP or iBGP
 * follows from the two OPENs' AS numbers, or -i says iBGP. Exits 1 if any
 * message draws a NOTIFICATION-worthy error.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bgp_attr.h"
#include "bgp_msg.h"

struct stream {
	uint8_t	*p;
	size_t	 n;
};

static int
read_file(const char *path, struct stream *s)
{
	FILE	*f;
	size_t	 cap = 65536, r;

	if ((f = strcmp(path, "-") ? fopen(path, "rb") : stdin) == NULL)
		return -1;
	s->n = 0;
	if ((s->p = malloc(cap)) == NULL)
		return -1;
	while ((r = fread(s->p + s->n, 1, cap - s->n, f)) > 0) {
		s->n += r;
		if (s->n == cap) {
			uint8_t	*np = realloc(s->p, cap * 2);

			if (np == NULL)
				return -1;
			s->p = np;
			cap *= 2;
		}
	}
	if (f != stdin)
		fclose(f);
	return 0;
}

/* The first OPEN in a stream, if it has one that decodes. */
static int
first_open(const struct stream *s, struct bgp_open *o)
{
	struct bgp_msg_hdr	h;
	struct bgp_err		e;
	size_t			off = 0;

	bgp_err_clear(&e);
	while (bgp_msg_frame(s->p + off, s->n - off, NULL, &h, &e) == 1) {
		if (h.type == BGP_MSG_OPEN)
			return bgp_open_decode(s->p + off, h.len, o, &e);
		off += h.len;
	}
	return -1;
}

static void
print_err(const struct bgp_err *e)
{
	printf("  error: %s: %s / %s (%s)", e->verdict == BGP_RESET ?
	    "session reset" : e->verdict == BGP_WITHDRAW ?
	    "treat-as-withdraw" : "attribute discard",
	    bgp_err_code_name(e->code),
	    bgp_err_subcode_name(e->code, e->subcode),
	    e->why ? e->why : "?");
	printf(" at offset %zu\n", e->offset);
}

int
main(int argc, char **argv)
{
	struct stream		 s, rev;
	struct bgp_open		 ours, peer, o;
	struct bgp_peer_ctx	 ctx;
	struct bgp_msg_hdr	 h;
	struct bgp_err		 e;
	struct bgp_update	 u;
	struct bgp_notification	 nt;
	struct bgp_rr		 rr;
	size_t			 off = 0, idx = 0, counts[6] = { 0 };
	uint16_t		 hold;
	bool			 ibgp = false, quiet = false, have_rev = false;
	bool			 enhanced = false;
	int			 c, r, rc = 0;

	while ((c = getopt(argc, argv, "iq")) != -1) {
		switch (c) {
		case 'i':
			ibgp = true;
			break;
		case 'q':
			quiet = true;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1 || argc > 2)
		goto usage;
	if (read_file(argv[0], &s) == -1) {
		fprintf(stderr, "podbgp-decode: %s: %s\n", argv[0],
		    strerror(errno));
		return 2;
	}
	memset(&ctx, 0, sizeof(ctx));
	if (first_open(&s, &peer) == 0) {
		/*
		 * Without the other direction, assume the receiver mirrored
		 * every capability the sender offered.
		 */
		ours = peer;
		if (argc == 2 && read_file(argv[1], &rev) == 0) {
			have_rev = first_open(&rev, &ours) == 0;
			free(rev.p);
		}
		bgp_open_negotiate(&ours, &peer, &ctx, &hold);
		enhanced = ours.enhanced_rr && peer.enhanced_rr;
		/* the sender's add-path send bits are our receive bits */
		ctx.addpath_rx = have_rev ? ctx.addpath_rx : peer.addpath_send;
		if (!have_rev)
			ctx.ebgp = !ibgp;
	}
	if (ibgp)
		ctx.ebgp = false;
	printf("# %s: %zu bytes; session: %s, %s AS numbers, %s messages,"
	    " add-path receive%s%s\n", argv[0], s.n,
	    ctx.ebgp ? "eBGP" : "iBGP", ctx.as4 ? "4-octet" : "2-octet",
	    ctx.ext_msg ? "extended" : "4096-byte",
	    ctx.addpath_rx & 1 << BGP_AID_IPV4 ? " IPv4" : "",
	    ctx.addpath_rx & 1 << BGP_AID_IPV6 ? " IPv6" : "");

	for (;;) {
		bgp_err_clear(&e);
		if ((r = bgp_msg_frame(s.p + off, s.n - off, &ctx, &h,
		    &e)) != 1) {
			if (r == -1) {
				print_err(&e);
				rc = 1;
			} else if (off != s.n)
				printf("# %zu trailing bytes (cut message)\n",
				    s.n - off);
			break;
		}
		idx++;
		if (h.type < 6)
			counts[h.type]++;
		if (!quiet)
			printf("%zu %s len=%u\n", idx,
			    bgp_msg_type_name(h.type), h.len);
		switch (h.type) {
		case BGP_MSG_OPEN:
			if (bgp_open_decode(s.p + off, h.len, &o, &e) == 0) {
				if (!quiet)
					bgp_msg_print_open(stdout, &o);
			} else
				r = -1;
			break;
		case BGP_MSG_UPDATE:
			if (bgp_update_decode(s.p + off + BGP_HDR_LEN,
			    h.len - BGP_HDR_LEN, &ctx, &u, &e) != BGP_RESET) {
				if (!quiet)
					bgp_update_print(stdout, &u);
				if (e.verdict != BGP_OK && !quiet)
					print_err(&e);
			} else
				r = -1;
			break;
		case BGP_MSG_NOTIFICATION:
			if (bgp_notification_decode(s.p + off, h.len, &nt,
			    &e) == 0) {
				if (!quiet)
					bgp_msg_print_notification(stdout, &nt);
			} else
				r = -1;
			break;
		case BGP_MSG_KEEPALIVE:
			if (bgp_keepalive_decode(s.p + off, h.len, &e) == -1)
				r = -1;
			break;
		case BGP_MSG_ROUTE_REFRESH:
			r = bgp_rr_decode(s.p + off, h.len, enhanced, &rr,
			    &e);
			if (r == 0 && !quiet)
				bgp_msg_print_rr(stdout, &rr);
			break;
		}
		if (r == -1) {
			print_err(&e);
			rc = 1;
		}
		off += h.len;
	}
	printf("# %zu messages: %zu OPEN, %zu UPDATE, %zu NOTIFICATION, "
	    "%zu KEEPALIVE, %zu ROUTE-REFRESH\n", idx, counts[1], counts[2],
	    counts[3], counts[4], counts[5]);
	free(s.p);
	return rc;
usage:
	fprintf(stderr, "usage: podbgp-decode [-i] [-q] FILE [REVERSE-FILE]\n");
	return 2;
}
