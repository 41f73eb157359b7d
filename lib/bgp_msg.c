/*
 * bgp_msg: header, OPEN and capabilities, KEEPALIVE, NOTIFICATION and
 * ROUTE-REFRESH to and from structs.
 *
 * Pure: no logging, no globals, no allocation except the writer's. Every
 * read goes through struct buf; each optional parameter and capability is
 * carved into its own sub-cursor, so a length field can never make a read
 * leave its TLV. Every failure is a BGP_RESET with the exact RFC code,
 * subcode and data, whose pointers refer to the input or to e->dbuf.
 */
#include <string.h>

#include "bgp_msg.h"

#define AID_BIT(aid)	((uint8_t)(1U << (aid)))

/*
 * Records a fatal error and returns -1. data is set only when this error
 * is the one recorded (an earlier BGP_RESET in e wins, see bgp_err_set()).
 */
static int
fail(struct bgp_err *e, uint8_t code, uint8_t subcode, const char *why,
    size_t off, const uint8_t *data, size_t datalen)
{
	bool	fresh = e->verdict < BGP_RESET;

	bgp_err_set(e, BGP_RESET, code, subcode, why);
	if (fresh) {
		e->data = data;
		e->datalen = datalen;
		e->offset = off;
	}
	return -1;
}

/* As fail(), with a 2-byte value of our own as data. */
static int
fail_u16(struct bgp_err *e, uint8_t code, uint8_t subcode, const char *why,
    size_t off, uint16_t v)
{
	bool	fresh = e->verdict < BGP_RESET;

	fail(e, code, subcode, why, off, NULL, 0);
	if (fresh) {
		e->dbuf[0] = v >> 8;
		e->dbuf[1] = v & 0xff;
		e->data = e->dbuf;
		e->datalen = 2;
	}
	return -1;
}

/* ---- header and framing ------------------------------------------------ */

int
bgp_msg_frame(const uint8_t *p, size_t n, const struct bgp_peer_ctx *ctx,
    struct bgp_msg_hdr *h, struct bgp_err *e)
{
	size_t	 i, len, min, max;
	uint8_t	 type;

	/* RFC 4271 6.1: checked on what has arrived, no need to wait */
	for (i = 0; i < n && i < BGP_MARKER_LEN; i++)
		if (p[i] != 0xff)
			return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC,
			    "marker is not all ones", i, NULL, 0);
	if (n < BGP_HDR_LEN)
		return 0;

	len = get_u16(p + BGP_MARKER_LEN);
	type = p[BGP_MARKER_LEN + 2];
	max = bgp_msg_max(ctx);
	if (len < BGP_HDR_LEN || len > max)
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
		    "message length out of range", BGP_MARKER_LEN,
		    p + BGP_MARKER_LEN, 2);

	switch (type) {
	case BGP_MSG_OPEN:
		/* RFC 8654 2: OPEN and KEEPALIVE stay within 4096 */
		min = BGP_OPEN_MIN;
		max = BGP_MSG_MAX;
		break;
	case BGP_MSG_UPDATE:
		min = BGP_UPDATE_MIN;
		break;
	case BGP_MSG_NOTIFICATION:
		min = BGP_NOTIFICATION_MIN;
		break;
	case BGP_MSG_KEEPALIVE:
		min = max = BGP_KEEPALIVE_LEN;
		break;
	case BGP_MSG_ROUTE_REFRESH:
		/*
		 * bgp_rr_decode() owns its length rule: RFC 7313 5 answers
		 * some bad lengths with its own code, depending on what was
		 * negotiated and on the subtype byte.
		 */
		min = BGP_HDR_LEN;
		break;
	default:
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_TYPE,
		    "unknown message type", BGP_MARKER_LEN + 2,
		    p + BGP_MARKER_LEN + 2, 1);
	}
	if (len < min || len > max)
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
		    "bad length for the message type", BGP_MARKER_LEN,
		    p + BGP_MARKER_LEN, 2);

	h->len = (uint16_t)len;
	h->type = type;
	return n >= len ? 1 : 0;
}

/*
 * What a decoder checks before trusting the fixed part: the caller gave a
 * whole message of the right type whose length field matches. The frame
 * already did this on the normal path; fuzzers and tests call decoders
 * directly.
 */
static int
msg_check(const uint8_t *msg, size_t len, uint8_t type, size_t min,
    struct bgp_err *e)
{
	size_t	i;

	if (len < BGP_HDR_LEN)
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
		    "message shorter than its header", 0, NULL, 0);
	for (i = 0; i < BGP_MARKER_LEN; i++)
		if (msg[i] != 0xff)
			return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_SYNC,
			    "marker is not all ones", i, NULL, 0);
	if (msg[BGP_MARKER_LEN + 2] != type)
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_TYPE,
		    "unexpected message type", BGP_MARKER_LEN + 2,
		    msg + BGP_MARKER_LEN + 2, 1);
	if (get_u16(msg + BGP_MARKER_LEN) != len || len < min)
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
		    "bad message length", BGP_MARKER_LEN,
		    msg + BGP_MARKER_LEN, 2);
	return 0;
}

size_t
bgp_msg_hdr_begin(struct wbuf *w, enum bgp_msg_type t)
{
	static const uint8_t	marker[BGP_MARKER_LEN] = {
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
		0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	};
	size_t			start = w->len;

	wbuf_put_bytes(w, marker, sizeof(marker));
	wbuf_put_u16(w, 0);
	wbuf_put_u8(w, (uint8_t)t);
	return start;
}

int
bgp_msg_hdr_end(struct wbuf *w, size_t start, size_t max)
{
	size_t	len;

	if (w->err || start > w->len)
		return -1;
	len = w->len - start;
	if (len < BGP_HDR_LEN || len > max || len > BGP_MSG_MAX_EXT)
		return -1;
	return wbuf_patch_u16(w, start + BGP_MARKER_LEN, (uint16_t)len);
}

/* ---- OPEN -------------------------------------------------------------- */

void
bgp_open_init(struct bgp_open *o, uint32_t asn, uint16_t holdtime,
    uint32_t bgp_id)
{
	memset(o, 0, sizeof(*o));
	o->version = BGP_VERSION;
	o->my_as = asn > 0xffff ? BGP_AS_TRANS : (uint16_t)asn;
	o->holdtime = holdtime;
	o->bgp_id = bgp_id;
	o->peer_as = asn;
	o->capa = true;
	o->as4 = true;
	o->as4_value = asn;
}

static int
capa_len_error(struct bgp_err *e, size_t off, const char *why)
{
	/* RFC 5492 names no subcode for a malformed capability: unspecific */
	return fail(e, BGP_ERR_OPEN, 0, why, off, NULL, 0);
}

static void
capa_unknown(struct bgp_open *o, uint8_t code, const struct buf *cb)
{
	struct bgp_capa_raw	*r;

	if (o->nunknown >= BGP_OPEN_UNKNOWN_MAX) {
		o->unknown_dropped++;
		return;
	}
	r = &o->unknown[o->nunknown++];
	r->code = code;
	r->len = (uint8_t)cb->n;
	r->data = cb->p;
}

static int
capa_gr(struct bgp_open *o, struct buf *cb, struct bgp_err *e, size_t off)
{
	uint16_t	v, afi;
	uint8_t		safi, flags;
	enum bgp_aid	aid;

	/* RFC 4724 3: 2 bytes, then 4 per family */
	if (cb->n < 2 || (cb->n - 2) % 4 != 0)
		return capa_len_error(e, off, "graceful restart capability "
		    "length");
	/* a repeated capability replaces the earlier one */
	o->gr = true;
	o->gr_aids = o->gr_fwd = 0;
	o->gr_other = 0;
	if (buf_get_u16(cb, &v) == -1)
		return capa_len_error(e, off, "graceful restart capability "
		    "length");
	o->gr_flags = v >> 12;
	o->gr_time = v & BGP_GR_TIME_MAX;
	while (cb->n > 0) {
		if (buf_get_u16(cb, &afi) == -1 ||
		    buf_get_u8(cb, &safi) == -1 ||
		    buf_get_u8(cb, &flags) == -1)
			return capa_len_error(e, off, "graceful restart "
			    "capability length");
		if ((aid = bgp_aid_from_afi(afi, safi)) == BGP_AID_MAX) {
			o->gr_other++;
			continue;
		}
		o->gr_aids |= AID_BIT(aid);
		if (flags & BGP_GR_AF_F_FORWARD)
			o->gr_fwd |= AID_BIT(aid);
	}
	return 0;
}

static int
capa_addpath(struct bgp_open *o, struct buf *cb, struct bgp_err *e,
    size_t off)
{
	struct buf	 scan = *cb;
	uint16_t	 afi;
	uint8_t		 safi, sr;
	enum bgp_aid	 aid;

	if (cb->n % 4 != 0)
		return capa_len_error(e, off, "add-path capability length");
	/* RFC 7911 4: another Send/Receive value voids the capability */
	while (scan.n > 0) {
		if (buf_skip(&scan, 3) == -1 || buf_get_u8(&scan, &sr) == -1)
			return capa_len_error(e, off,
			    "add-path capability length");
		if (sr < BGP_ADDPATH_RECV ||
		    sr > (BGP_ADDPATH_RECV | BGP_ADDPATH_SEND)) {
			o->addpath_bad = true;
			return 0;
		}
	}
	o->addpath = true;
	while (cb->n > 0) {
		if (buf_get_u16(cb, &afi) == -1 ||
		    buf_get_u8(cb, &safi) == -1 ||
		    buf_get_u8(cb, &sr) == -1)
			return capa_len_error(e, off,
			    "add-path capability length");
		if ((aid = bgp_aid_from_afi(afi, safi)) == BGP_AID_MAX) {
			o->addpath_other++;
			continue;
		}
		if (sr & BGP_ADDPATH_RECV)
			o->addpath_recv |= AID_BIT(aid);
		if (sr & BGP_ADDPATH_SEND)
			o->addpath_send |= AID_BIT(aid);
	}
	return 0;
}

static int
parse_capas(const uint8_t *msg, struct buf *pb, struct bgp_open *o,
    struct bgp_err *e)
{
	struct buf	 cb;
	uint8_t		 code, clen, safi;
	uint16_t	 afi;
	size_t		 off;
	enum bgp_aid	 aid;

	while (pb->n > 0) {
		off = (size_t)(pb->p - msg);
		if (buf_get_u8(pb, &code) == -1 ||
		    buf_get_u8(pb, &clen) == -1 ||
		    buf_take(pb, clen, &cb) == -1)
			return capa_len_error(e, off,
			    "capability overruns its parameter");
		switch (code) {
		case BGP_CAPA_MP:
			/* RFC 4760 8: AFI, reserved, SAFI */
			if (clen != 4 || buf_get_u16(&cb, &afi) == -1 ||
			    buf_skip(&cb, 1) == -1 ||
			    buf_get_u8(&cb, &safi) == -1)
				return capa_len_error(e, off,
				    "multiprotocol capability length");
			o->mp = true;
			if ((aid = bgp_aid_from_afi(afi, safi)) == BGP_AID_MAX)
				o->mp_other++;
			else
				o->mp_aids |= AID_BIT(aid);
			break;
		case BGP_CAPA_ROUTE_REFRESH:
			if (clen != 0)
				return capa_len_error(e, off,
				    "route refresh capability length");
			o->route_refresh = true;
			break;
		case BGP_CAPA_ENHANCED_RR:
			if (clen != 0)
				return capa_len_error(e, off,
				    "enhanced route refresh capability length");
			o->enhanced_rr = true;
			break;
		case BGP_CAPA_EXT_MSG:
			if (clen != 0)
				return capa_len_error(e, off,
				    "extended message capability length");
			o->ext_msg = true;
			break;
		case BGP_CAPA_AS4:
			if (clen != 4 || buf_get_u32(&cb, &o->as4_value) == -1)
				return capa_len_error(e, off,
				    "4-octet AS capability length");
			/* RFC 7607 */
			if (o->as4_value == 0)
				return fail(e, BGP_ERR_OPEN,
				    BGP_ERR_OPEN_PEER_AS,
				    "4-octet AS capability carries AS 0",
				    off, NULL, 0);
			o->as4 = true;
			break;
		case BGP_CAPA_GR:
			if (capa_gr(o, &cb, e, off) == -1)
				return -1;
			break;
		case BGP_CAPA_ADDPATH:
			if (capa_addpath(o, &cb, e, off) == -1)
				return -1;
			break;
		default:
			capa_unknown(o, code, &cb);
			break;
		}
	}
	return 0;
}

int
bgp_open_decode(const uint8_t *msg, size_t len, struct bgp_open *o,
    struct bgp_err *e)
{
	struct buf	 b, pb;
	uint8_t		 optlen, ptype, plen8;
	uint16_t	 plen16, extlen;
	size_t		 plen, off;
	bool		 ext = false;

	memset(o, 0, sizeof(*o));
	if (msg_check(msg, len, BGP_MSG_OPEN, BGP_OPEN_MIN, e) == -1)
		return -1;
	if (len > BGP_MSG_MAX)
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
		    "OPEN longer than 4096 bytes", BGP_MARKER_LEN,
		    msg + BGP_MARKER_LEN, 2);

	buf_init(&b, msg + BGP_HDR_LEN, len - BGP_HDR_LEN);
	if (buf_get_u8(&b, &o->version) == -1 ||
	    buf_get_u16(&b, &o->my_as) == -1 ||
	    buf_get_u16(&b, &o->holdtime) == -1 ||
	    buf_get_u32(&b, &o->bgp_id) == -1 ||
	    buf_get_u8(&b, &optlen) == -1)
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
		    "OPEN shorter than 29 bytes", BGP_MARKER_LEN,
		    msg + BGP_MARKER_LEN, 2);

	if (o->version != BGP_VERSION)
		/* RFC 4271 6.2: data is the version we support */
		return fail_u16(e, BGP_ERR_OPEN, BGP_ERR_OPEN_VERSION,
		    "unsupported BGP version", BGP_HDR_LEN, BGP_VERSION);
	if (o->my_as == 0)
		return fail(e, BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS,
		    "my AS is 0", BGP_HDR_LEN + 1, NULL, 0);
	if (o->holdtime == 1 || o->holdtime == 2)
		return fail(e, BGP_ERR_OPEN, BGP_ERR_OPEN_HOLD,
		    "hold time of 1 or 2 seconds", BGP_HDR_LEN + 3, NULL, 0);
	if (o->bgp_id == 0)
		return fail(e, BGP_ERR_OPEN, BGP_ERR_OPEN_BGP_ID,
		    "BGP identifier is 0", BGP_HDR_LEN + 5, NULL, 0);

	/* RFC 9072 2: length 255 and a first type 255 mean 2-byte lengths */
	plen = optlen;
	if (optlen == 255 && b.n > 0 && b.p[0] == BGP_OPT_PARAM_EXT) {
		ext = true;
		buf_skip(&b, 1);
		if (buf_get_u16(&b, &extlen) == -1)
			return fail(e, BGP_ERR_OPEN, 0,
			    "extended optional parameters length truncated",
			    BGP_OPEN_MIN, NULL, 0);
		plen = extlen;
	}
	if (b.n != plen)
		return fail(e, BGP_ERR_OPEN, 0, "optional parameters length "
		    "does not match the message length", BGP_OPEN_MIN - 1,
		    NULL, 0);

	while (b.n > 0) {
		off = (size_t)(b.p - msg);
		if (buf_get_u8(&b, &ptype) == -1)
			break;
		if (ext) {
			if (buf_get_u16(&b, &plen16) == -1)
				return fail(e, BGP_ERR_OPEN, 0, "optional "
				    "parameter header truncated", off, NULL, 0);
			plen = plen16;
		} else {
			if (buf_get_u8(&b, &plen8) == -1)
				return fail(e, BGP_ERR_OPEN, 0, "optional "
				    "parameter header truncated", off, NULL, 0);
			plen = plen8;
		}
		if (buf_take(&b, plen, &pb) == -1)
			return fail(e, BGP_ERR_OPEN, 0,
			    "optional parameter overruns the message", off,
			    NULL, 0);
		if (ptype != BGP_OPT_PARAM_CAPA)
			return fail(e, BGP_ERR_OPEN, BGP_ERR_OPEN_OPT_PARAM,
			    "unsupported optional parameter", off, NULL, 0);
		o->capa = true;
		if (parse_capas(msg, &pb, o, e) == -1)
			return -1;
	}

	o->peer_as = o->as4 ? o->as4_value : o->my_as;
	return 0;
}

static void
put_capa_hdr(struct wbuf *w, uint8_t code, uint8_t len)
{
	wbuf_put_u8(w, code);
	wbuf_put_u8(w, len);
}

static void
put_capas(struct wbuf *c, const struct bgp_open *o)
{
	unsigned	aid;
	uint8_t		n, sr;
	size_t		i;

	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (!(o->mp_aids & AID_BIT(aid)))
			continue;
		put_capa_hdr(c, BGP_CAPA_MP, 4);
		wbuf_put_u16(c, bgp_aid_afi(aid));
		wbuf_put_u8(c, 0);
		wbuf_put_u8(c, BGP_SAFI_UNICAST);
	}
	if (o->route_refresh)
		put_capa_hdr(c, BGP_CAPA_ROUTE_REFRESH, 0);
	if (o->enhanced_rr)
		put_capa_hdr(c, BGP_CAPA_ENHANCED_RR, 0);
	if (o->ext_msg)
		put_capa_hdr(c, BGP_CAPA_EXT_MSG, 0);
	if (o->as4) {
		put_capa_hdr(c, BGP_CAPA_AS4, 4);
		wbuf_put_u32(c, o->as4_value);
	}
	if (o->gr) {
		for (n = 0, aid = 0; aid < BGP_AID_MAX; aid++)
			if (o->gr_aids & AID_BIT(aid))
				n++;
		put_capa_hdr(c, BGP_CAPA_GR, 2 + 4 * n);
		wbuf_put_u16(c, (uint16_t)((o->gr_flags & 0xf) << 12 |
		    (o->gr_time & BGP_GR_TIME_MAX)));
		for (aid = 0; aid < BGP_AID_MAX; aid++) {
			if (!(o->gr_aids & AID_BIT(aid)))
				continue;
			wbuf_put_u16(c, bgp_aid_afi(aid));
			wbuf_put_u8(c, BGP_SAFI_UNICAST);
			wbuf_put_u8(c, o->gr_fwd & AID_BIT(aid) ?
			    BGP_GR_AF_F_FORWARD : 0);
		}
	}
	if (o->addpath) {
		for (n = 0, aid = 0; aid < BGP_AID_MAX; aid++)
			if ((o->addpath_recv | o->addpath_send) & AID_BIT(aid))
				n++;
		put_capa_hdr(c, BGP_CAPA_ADDPATH, 4 * n);
		for (aid = 0; aid < BGP_AID_MAX; aid++) {
			sr = 0;
			if (o->addpath_recv & AID_BIT(aid))
				sr |= BGP_ADDPATH_RECV;
			if (o->addpath_send & AID_BIT(aid))
				sr |= BGP_ADDPATH_SEND;
			if (sr == 0)
				continue;
			wbuf_put_u16(c, bgp_aid_afi(aid));
			wbuf_put_u8(c, BGP_SAFI_UNICAST);
			wbuf_put_u8(c, sr);
		}
	}
	for (i = 0; i < o->nunknown && i < BGP_OPEN_UNKNOWN_MAX; i++) {
		put_capa_hdr(c, o->unknown[i].code, o->unknown[i].len);
		wbuf_put_bytes(c, o->unknown[i].data, o->unknown[i].len);
	}
}

int
bgp_open_encode(struct wbuf *w, const struct bgp_open *o)
{
	struct wbuf	 c;
	size_t		 start;
	int		 rc;

	wbuf_init(&c, BGP_MSG_MAX);
	put_capas(&c, o);
	if (c.err) {
		wbuf_fini(&c);
		return -1;
	}

	start = bgp_msg_hdr_begin(w, BGP_MSG_OPEN);
	wbuf_put_u8(w, o->version);
	wbuf_put_u16(w, o->my_as);
	wbuf_put_u16(w, o->holdtime);
	wbuf_put_u32(w, o->bgp_id);
	if (c.len == 0) {
		wbuf_put_u8(w, 0);
	} else if (2 + c.len <= 255) {
		wbuf_put_u8(w, (uint8_t)(2 + c.len));
		wbuf_put_u8(w, BGP_OPT_PARAM_CAPA);
		wbuf_put_u8(w, (uint8_t)c.len);
		wbuf_put_bytes(w, c.p, c.len);
	} else {
		/* RFC 9072 2: only when the parameters need it */
		wbuf_put_u8(w, 255);
		wbuf_put_u8(w, BGP_OPT_PARAM_EXT);
		wbuf_put_u16(w, (uint16_t)(3 + c.len));
		wbuf_put_u8(w, BGP_OPT_PARAM_CAPA);
		wbuf_put_u16(w, (uint16_t)c.len);
		wbuf_put_bytes(w, c.p, c.len);
	}
	wbuf_fini(&c);
	rc = bgp_msg_hdr_end(w, start, BGP_MSG_MAX);
	return rc;
}

static uint32_t
effective_as(const struct bgp_open *o)
{
	return o->as4 ? o->as4_value : o->my_as;
}

void
bgp_open_negotiate(const struct bgp_open *ours, const struct bgp_open *peer,
    struct bgp_peer_ctx *ctx, uint16_t *holdtime)
{
	memset(ctx, 0, sizeof(*ctx));
	ctx->as4 = ours->as4 && peer->as4;
	ctx->ext_msg = ours->ext_msg && peer->ext_msg;
	ctx->ebgp = effective_as(ours) != effective_as(peer);
	if (ours->addpath && peer->addpath) {
		ctx->addpath_rx = ours->addpath_recv & peer->addpath_send;
		ctx->addpath_tx = ours->addpath_send & peer->addpath_recv;
	}
	*holdtime = ours->holdtime < peer->holdtime ? ours->holdtime :
	    peer->holdtime;
}

uint8_t
bgp_open_families(const struct bgp_open *ours, const struct bgp_open *peer)
{
	uint8_t	a, b;

	a = ours->mp ? ours->mp_aids : AID_BIT(BGP_AID_IPV4);
	b = peer->mp ? peer->mp_aids : AID_BIT(BGP_AID_IPV4);
	return a & b;
}

/* ---- KEEPALIVE --------------------------------------------------------- */

int
bgp_keepalive_encode(struct wbuf *w)
{
	size_t	start = bgp_msg_hdr_begin(w, BGP_MSG_KEEPALIVE);

	return bgp_msg_hdr_end(w, start, BGP_KEEPALIVE_LEN);
}

int
bgp_keepalive_decode(const uint8_t *msg, size_t len, struct bgp_err *e)
{
	if (msg_check(msg, len, BGP_MSG_KEEPALIVE, BGP_KEEPALIVE_LEN, e) == -1)
		return -1;
	if (len != BGP_KEEPALIVE_LEN)
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
		    "KEEPALIVE longer than 19 bytes", BGP_MARKER_LEN,
		    msg + BGP_MARKER_LEN, 2);
	return 0;
}

/* ---- NOTIFICATION ------------------------------------------------------ */

bool
bgp_utf8_valid(const uint8_t *p, size_t n)
{
	size_t	i = 0, k, need;
	uint8_t	c, lo, hi;

	/* RFC 3629 4: no overlong forms, no surrogates, nothing > U+10FFFF */
	while (i < n) {
		c = p[i];
		if (c < 0x80) {
			i++;
			continue;
		}
		lo = 0x80;
		hi = 0xbf;
		if (c < 0xc2)
			return false;
		else if (c < 0xe0)
			need = 1;
		else if (c < 0xf0) {
			need = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c < 0xf5) {
			need = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else
			return false;
		if (n - i - 1 < need)
			return false;
		if (p[i + 1] < lo || p[i + 1] > hi)
			return false;
		for (k = 2; k <= need; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return false;
		i += need + 1;
	}
	return true;
}

static bool
has_shutdown_comm(uint8_t code, uint8_t subcode)
{
	/* RFC 9003 2 */
	return code == BGP_ERR_CEASE &&
	    (subcode == BGP_ERR_CEASE_ADMIN_SHUTDOWN ||
	    subcode == BGP_ERR_CEASE_ADMIN_RESET);
}

int
bgp_notification_decode(const uint8_t *msg, size_t len,
    struct bgp_notification *n, struct bgp_err *e)
{
	size_t	clen;

	memset(n, 0, sizeof(*n));
	if (msg_check(msg, len, BGP_MSG_NOTIFICATION, BGP_NOTIFICATION_MIN,
	    e) == -1)
		return -1;
	n->code = msg[BGP_HDR_LEN];
	n->subcode = msg[BGP_HDR_LEN + 1];
	n->data = msg + BGP_NOTIFICATION_MIN;
	n->datalen = len - BGP_NOTIFICATION_MIN;

	/* older speakers send no data at all: no communication, not bad */
	if (!has_shutdown_comm(n->code, n->subcode) || n->datalen == 0)
		return 0;
	clen = n->data[0];
	if (clen > n->datalen - 1 || !bgp_utf8_valid(n->data + 1, clen)) {
		/* RFC 9003 4: log it, never fail the NOTIFICATION for it */
		n->comm_state = BGP_COMM_MALFORMED;
		return 0;
	}
	memcpy(n->comm, n->data + 1, clen);
	n->comm[clen] = '\0';
	n->comm_len = clen;
	n->comm_state = BGP_COMM_OK;
	return 0;
}

int
bgp_notification_encode(struct wbuf *w, const struct bgp_peer_ctx *ctx,
    uint8_t code, uint8_t subcode, const uint8_t *data, size_t datalen)
{
	size_t	start, max = bgp_msg_max(ctx);

	if (datalen > max - BGP_NOTIFICATION_MIN)
		datalen = max - BGP_NOTIFICATION_MIN;
	start = bgp_msg_hdr_begin(w, BGP_MSG_NOTIFICATION);
	wbuf_put_u8(w, code);
	wbuf_put_u8(w, subcode);
	if (datalen > 0)
		wbuf_put_bytes(w, data, datalen);
	return bgp_msg_hdr_end(w, start, max);
}

int
bgp_notification_encode_shutdown(struct wbuf *w, uint8_t subcode,
    const char *comm)
{
	uint8_t	d[1 + BGP_SHUTDOWN_COMM_MAX];
	size_t	n = comm != NULL ? strlen(comm) : 0;

	if (!has_shutdown_comm(BGP_ERR_CEASE, subcode) ||
	    !bgp_utf8_valid((const uint8_t *)comm, n))
		return -1;
	if (n > BGP_SHUTDOWN_COMM_MAX) {
		/* back off to the start of the character cut in two */
		n = BGP_SHUTDOWN_COMM_MAX;
		while (n > 0 && ((uint8_t)comm[n] & 0xc0) == 0x80)
			n--;
	}
	d[0] = (uint8_t)n;
	if (n > 0)
		memcpy(d + 1, comm, n);
	return bgp_notification_encode(w, NULL, BGP_ERR_CEASE, subcode, d,
	    1 + n);
}

/* ---- ROUTE-REFRESH ----------------------------------------------------- */

int
bgp_rr_decode(const uint8_t *msg, size_t len, bool enhanced,
    struct bgp_rr *rr, struct bgp_err *e)
{
	uint8_t	subtype = 0;

	memset(rr, 0, sizeof(*rr));
	if (msg_check(msg, len, BGP_MSG_ROUTE_REFRESH, BGP_HDR_LEN, e) == -1)
		return -1;
	if (len > BGP_HDR_LEN + 2)
		subtype = msg[BGP_HDR_LEN + 2];

	if (enhanced && len > BGP_HDR_LEN + 2) {
		/* RFC 7313 5: unknown subtypes are ignored */
		if (subtype > BGP_RR_EORR)
			return BGP_RR_IGNORE;
		if (len != BGP_RR_LEN && subtype != BGP_RR_REQUEST)
			return fail(e, BGP_ERR_ROUTE_REFRESH,
			    BGP_ERR_RR_LENGTH, "BoRR/EoRR of bad length",
			    BGP_MARKER_LEN, msg, len);
	}
	if (len != BGP_RR_LEN)
		return fail(e, BGP_ERR_HEADER, BGP_ERR_HDR_LEN,
		    "ROUTE-REFRESH not 23 bytes long", BGP_MARKER_LEN,
		    msg + BGP_MARKER_LEN, 2);

	rr->afi = get_u16(msg + BGP_HDR_LEN);
	/* RFC 2918 3: without RFC 7313 the byte is reserved, ignored */
	rr->subtype = enhanced ? subtype : BGP_RR_REQUEST;
	rr->safi = msg[BGP_HDR_LEN + 3];
	rr->aid = bgp_aid_from_afi(rr->afi, rr->safi);
	return 0;
}

int
bgp_rr_encode(struct wbuf *w, uint16_t afi, uint8_t subtype, uint8_t safi)
{
	size_t	start = bgp_msg_hdr_begin(w, BGP_MSG_ROUTE_REFRESH);

	wbuf_put_u16(w, afi);
	wbuf_put_u8(w, subtype);
	wbuf_put_u8(w, safi);
	return bgp_msg_hdr_end(w, start, BGP_RR_LEN);
}

/* ---- text -------------------------------------------------------------- */

const char *
bgp_capa_name(unsigned code)
{
	switch (code) {
	case BGP_CAPA_MP:
		return "multiprotocol";
	case BGP_CAPA_ROUTE_REFRESH:
		return "route-refresh";
	case BGP_CAPA_EXT_MSG:
		return "extended-message";
	case BGP_CAPA_GR:
		return "graceful-restart";
	case BGP_CAPA_AS4:
		return "as4";
	case BGP_CAPA_ADDPATH:
		return "add-path";
	case BGP_CAPA_ENHANCED_RR:
		return "enhanced-route-refresh";
	default:
		return "unknown";
	}
}

static const char *
aid_name(unsigned aid)
{
	return aid == BGP_AID_IPV6 ? "ipv6-unicast" : "ipv4-unicast";
}

static void
print_hex(FILE *f, const uint8_t *p, size_t n)
{
	size_t	i;

	for (i = 0; i < n; i++)
		fprintf(f, "%02x", p[i]);
}

static void
print_aids(FILE *f, const char *capa, uint8_t aids, unsigned other)
{
	unsigned	aid;
	const char	*sep = "";

	fprintf(f, " %s(", capa);
	for (aid = 0; aid < BGP_AID_MAX; aid++) {
		if (aids & AID_BIT(aid)) {
			fprintf(f, "%s%s", sep, aid_name(aid));
			sep = " ";
		}
	}
	if (other > 0)
		fprintf(f, "%s+%u other", sep, other);
	fputc(')', f);
}

void
bgp_msg_print_open(FILE *f, const struct bgp_open *o)
{
	unsigned	aid;
	size_t		i;
	const char	*sep = "";

	fprintf(f, "OPEN version %u as %u holdtime %u id %u.%u.%u.%u",
	    o->version, o->my_as, o->holdtime, o->bgp_id >> 24,
	    (o->bgp_id >> 16) & 0xff, (o->bgp_id >> 8) & 0xff,
	    o->bgp_id & 0xff);
	if (o->as4)
		fprintf(f, " peer-as %u", o->as4_value);
	fputs(" capabilities:", f);
	if (o->mp)
		print_aids(f, bgp_capa_name(BGP_CAPA_MP), o->mp_aids,
		    o->mp_other);
	if (o->route_refresh)
		fprintf(f, " %s", bgp_capa_name(BGP_CAPA_ROUTE_REFRESH));
	if (o->enhanced_rr)
		fprintf(f, " %s", bgp_capa_name(BGP_CAPA_ENHANCED_RR));
	if (o->ext_msg)
		fprintf(f, " %s", bgp_capa_name(BGP_CAPA_EXT_MSG));
	if (o->as4)
		fprintf(f, " %s(%u)", bgp_capa_name(BGP_CAPA_AS4),
		    o->as4_value);
	if (o->gr) {
		fprintf(f, " %s(time %u%s%s", bgp_capa_name(BGP_CAPA_GR),
		    o->gr_time, o->gr_flags & BGP_GR_F_RESTART ?
		    " restarting" : "", o->gr_flags & BGP_GR_F_NOTIFICATION ?
		    " notification" : "");
		for (aid = 0; aid < BGP_AID_MAX; aid++)
			if (o->gr_aids & AID_BIT(aid))
				fprintf(f, " %s%s", aid_name(aid),
				    o->gr_fwd & AID_BIT(aid) ?
				    "+forwarding" : "");
		if (o->gr_other > 0)
			fprintf(f, " +%u other", o->gr_other);
		fputc(')', f);
	}
	if (o->addpath) {
		fprintf(f, " %s(", bgp_capa_name(BGP_CAPA_ADDPATH));
		for (aid = 0; aid < BGP_AID_MAX; aid++) {
			if (!((o->addpath_recv | o->addpath_send) &
			    AID_BIT(aid)))
				continue;
			fprintf(f, "%s%s %s%s%s", sep, aid_name(aid),
			    o->addpath_recv & AID_BIT(aid) ? "receive" : "",
			    (o->addpath_recv & o->addpath_send &
			    AID_BIT(aid)) ? "+" : "",
			    o->addpath_send & AID_BIT(aid) ? "send" : "");
			sep = " ";
		}
		if (o->addpath_other > 0)
			fprintf(f, "%s+%u other", sep, o->addpath_other);
		fputc(')', f);
	}
	if (o->addpath_bad)
		fputs(" add-path(ignored: bad send/receive)", f);
	for (i = 0; i < o->nunknown && i < BGP_OPEN_UNKNOWN_MAX; i++) {
		fprintf(f, " capability-%u(", o->unknown[i].code);
		print_hex(f, o->unknown[i].data, o->unknown[i].len);
		fputc(')', f);
	}
	if (o->unknown_dropped > 0)
		fprintf(f, " +%zu more", o->unknown_dropped);
	fputc('\n', f);
}

void
bgp_msg_print_notification(FILE *f, const struct bgp_notification *n)
{
	size_t		i;
	unsigned char	c;

	fprintf(f, "NOTIFICATION %s, %s (%u/%u)", bgp_err_code_name(n->code),
	    bgp_err_subcode_name(n->code, n->subcode), n->code, n->subcode);
	switch (n->comm_state) {
	case BGP_COMM_OK:
		fputs(" communication \"", f);
		for (i = 0; i < n->comm_len; i++) {
			c = (unsigned char)n->comm[i];
			/* the peer's text: keep the terminal safe */
			if (c < 0x20 || c == 0x7f || c == '"' || c == '\\')
				fprintf(f, "\\x%02x", c);
			else
				fputc(c, f);
		}
		fputc('"', f);
		break;
	case BGP_COMM_MALFORMED:
		fputs(" malformed communication", f);
		/* FALLTHROUGH */
	case BGP_COMM_NONE:
		if (n->datalen > 0) {
			fputs(" data ", f);
			print_hex(f, n->data, n->datalen);
		}
		break;
	}
	fputc('\n', f);
}

void
bgp_msg_print_rr(FILE *f, const struct bgp_rr *rr)
{
	static const char *const sub[] = {
		[BGP_RR_REQUEST] = "request",
		[BGP_RR_BORR] = "begin",
		[BGP_RR_EORR] = "end",
	};

	fprintf(f, "ROUTE-REFRESH %s afi %u safi %u",
	    rr->subtype <= BGP_RR_EORR ? sub[rr->subtype] : "unknown",
	    rr->afi, rr->safi);
	if (rr->aid < BGP_AID_MAX)
		fprintf(f, " (%s)", aid_name(rr->aid));
	fputc('\n', f);
}
