/*
 * Fuzz target: a BGP byte stream as a peer would send it. The first byte
 * picks what was negotiated (4-octet AS, eBGP, extended messages, add-path,
 * enhanced route refresh); the rest is framed and every message decoded.
 * A decoded OPEN must re-encode to bytes that decode to the same OPEN
 * (but for an empty capabilities parameter, which says nothing and is not
 * re-sent).
 */
#include <stdlib.h>
#include <string.h>

#include "bgp_attr.h"
#include "bgp_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
open_roundtrip(const uint8_t *msg, size_t len)
{
	struct bgp_open	o, o2;
	struct bgp_err	e;
	struct wbuf	w;

	bgp_err_clear(&e);
	if (bgp_open_decode(msg, len, &o, &e) == -1) {
		if (e.verdict != BGP_RESET || e.code == 0)
			abort();	/* a failure must say what to send */
		return;
	}
	wbuf_init(&w, BGP_MSG_MAX_EXT);
	if (bgp_open_encode(&w, &o) == 0) {
		bgp_err_clear(&e);
		if (bgp_open_decode(w.p, w.len, &o2, &e) == -1 ||
		    o2.my_as != o.my_as || o2.peer_as != o.peer_as ||
		    o2.holdtime != o.holdtime || o2.bgp_id != o.bgp_id ||
		    o2.mp_aids != o.mp_aids ||
		    o2.gr_aids != o.gr_aids || o2.nunknown != o.nunknown)
			abort();
	}
	wbuf_fini(&w);
}

static void
update_walk(const uint8_t *msg, size_t len, const struct bgp_peer_ctx *ctx)
{
	struct bgp_update	 u;
	struct bgp_err		 e;
	struct bgp_nlri_iter	 it;
	struct prefix		 p;
	uint32_t		 id;
	size_t			 n = 0;

	bgp_err_clear(&e);
	if (bgp_update_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, ctx, &u,
	    &e) == BGP_RESET) {
		if (e.code == 0)
			abort();
		return;
	}
	for (bgp_nlri_iter_reach(&it, &u); bgp_nlri_next(&it, &p, &id);)
		n++;
	if (n != bgp_update_nreach(&u))
		abort();
	n = 0;
	for (bgp_nlri_iter_unreach(&it, &u); bgp_nlri_next(&it, &p, &id);)
		n++;
	if (n != bgp_update_nunreach(&u))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct bgp_peer_ctx	 ctx;
	struct bgp_msg_hdr	 h;
	struct bgp_err		 e;
	struct bgp_notification	 nt;
	struct bgp_rr		 rr;
	bool			 enhanced;

	if (n < 1)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.as4 = d[0] & 1;
	ctx.ebgp = d[0] >> 1 & 1;
	ctx.ext_msg = d[0] >> 2 & 1;
	ctx.addpath_rx = d[0] >> 3 & 3;
	enhanced = d[0] >> 5 & 1;
	d++;
	n--;
	for (;;) {
		bgp_err_clear(&e);
		if (bgp_msg_frame(d, n, &ctx, &h, &e) != 1)
			break;
		switch (h.type) {
		case BGP_MSG_OPEN:
			open_roundtrip(d, h.len);
			break;
		case BGP_MSG_UPDATE:
			update_walk(d, h.len, &ctx);
			break;
		case BGP_MSG_NOTIFICATION:
			bgp_notification_decode(d, h.len, &nt, &e);
			break;
		case BGP_MSG_KEEPALIVE:
			bgp_keepalive_decode(d, h.len, &e);
			break;
		case BGP_MSG_ROUTE_REFRESH:
			bgp_rr_decode(d, h.len, enhanced, &rr, &e);
			break;
		}
		d += h.len;
		n -= h.len;
	}
	return 0;
}
