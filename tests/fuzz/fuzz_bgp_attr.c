/*
 * Fuzz target: one UPDATE body. The first byte picks the session context.
 * Whatever decodes must intern, re-encode and decode again to the same
 * routes and attributes: the encoder and decoder agree on every input the
 * decoder accepts.
 */
#include <stdlib.h>
#include <string.h>

#include "bgp_attr.h"
#include "bgp_msg.h"

#define MAXPFX	8192

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct prefix	pfx[MAXPFX], pfx2[MAXPFX];
static uint32_t		ids[MAXPFX], ids2[MAXPFX];

/* Collects the announced prefixes of family aid. */
static size_t
collect(const struct bgp_update *u, enum bgp_aid aid, struct prefix *out,
    uint32_t *oid)
{
	struct bgp_nlri_iter	it;
	struct prefix		p;
	uint32_t		id;
	size_t			n = 0;

	for (bgp_nlri_iter_reach(&it, u); bgp_nlri_next(&it, &p, &id);)
		if (p.family == bgp_aid_family(aid) && n < MAXPFX) {
			oid[n] = id;
			out[n++] = p;
		}
	return n;
}

static void
roundtrip(const struct bgp_update *u, const struct bgp_peer_ctx *ctx,
    struct bgp_attr_table *t, enum bgp_aid aid)
{
	struct bgp_attr_set	 tmpl, tmpl2;
	const struct bgp_attr_set *a, *b;
	struct bgp_peer_ctx	 c2 = *ctx;
	struct bgp_update	 u2;
	struct bgp_err		 e;
	struct wbuf		 w;
	size_t			 n, n2, done, off = 0;

	if ((n = collect(u, aid, pfx, ids)) == 0)
		return;
	if (bgp_attr_set_from_update(&tmpl, u, aid) == -1)
		return;
	a = bgp_attr_intern(t, &tmpl);
	b = bgp_attr_intern(t, &tmpl);
	if (a == NULL || a != b || !bgp_attr_set_eq(a, &tmpl))
		abort();
	bgp_attr_unref(b);
	/* re-encode as the peer would see it, in as many UPDATEs as needed */
	c2.as4 = true;
	c2.ebgp = false;
	c2.ext_msg = true;
	c2.addpath_tx = ctx->addpath_rx;
	c2.addpath_rx = ctx->addpath_rx;
	wbuf_init(&w, BGP_MSG_MAX_EXT);
	while (off < n) {
		wbuf_reset(&w);
		if (bgp_update_pack_reach(&w, 0, &c2, aid, a, pfx + off,
		    ids + off, n - off, &done) == -1 || done == 0)
			break;
		bgp_err_clear(&e);
		if (bgp_update_decode(w.p, w.len, &c2, &u2, &e) != BGP_OK)
			abort();
		n2 = collect(&u2, aid, pfx2, ids2);
		if (n2 != done)
			abort();
		for (size_t i = 0; i < n2; i++)
			if (!prefix_eq(&pfx2[i], &pfx[off + i]) ||
			    ids2[i] != ids[off + i])
				abort();
		if (bgp_attr_set_from_update(&tmpl2, &u2, aid) == 0) {
			if (!bgp_attr_set_eq(&tmpl2, a))
				abort();
			bgp_attr_set_fini(&tmpl2);
		}
		off += done;
	}
	wbuf_fini(&w);
	bgp_attr_unref(a);
	bgp_attr_set_fini(&tmpl);
}

int
LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct bgp_peer_ctx	 ctx;
	struct bgp_update	 u;
	struct bgp_err		 e;
	struct bgp_attr_table	*t;
	enum bgp_verdict	 v;

	if (n < 1 || n > BGP_MSG_MAX_EXT)
		return 0;
	memset(&ctx, 0, sizeof(ctx));
	ctx.as4 = d[0] & 1;
	ctx.ebgp = d[0] >> 1 & 1;
	ctx.ext_msg = true;
	ctx.addpath_rx = d[0] >> 3 & 3;
	bgp_err_clear(&e);
	v = bgp_update_decode(d + 1, n - 1, &ctx, &u, &e);
	if (v == BGP_RESET) {
		/* bodies under 4 bytes are a header length error */
		if (e.code != BGP_ERR_UPDATE && e.code != BGP_ERR_HEADER)
			abort();
		return 0;
	}
	if (v != BGP_OK)
		return 0;
	if ((t = bgp_attr_table_new()) == NULL)
		return 0;
	roundtrip(&u, &ctx, t, BGP_AID_IPV4);
	roundtrip(&u, &ctx, t, BGP_AID_IPV6);
	if (bgp_attr_table_count(t) != 0)
		abort();	/* every reference was dropped */
	bgp_attr_table_free(t);
	return 0;
}
