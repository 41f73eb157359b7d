/*
 * bgp_msg: the BGP message codec for everything but the UPDATE body
 * (lib/bgp_attr does that): framing and the 19-byte header, OPEN with its
 * capabilities, KEEPALIVE, NOTIFICATION (with the RFC 9003 shutdown
 * communication) and ROUTE-REFRESH (RFC 2918, RFC 7313).
 *
 * Decoders take a whole message, header included, as bgp_msg_frame()
 * delimited it; they fill caller structs whose pointers are views into
 * that message, valid while the caller keeps the bytes. On failure they
 * return -1 and fill struct bgp_err with verdict BGP_RESET and the
 * NOTIFICATION code, subcode and data to send; e->offset counts from the
 * first marker byte. Encoders append to a struct wbuf and return -1 when
 * the writer failed or the message would be too long.
 */
#ifndef PODBGP_BGP_MSG_H
#define PODBGP_BGP_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "bgp.h"
#include "buf.h"

#define BGP_OPEN_MIN		29	/* RFC 4271 4.2 */
#define BGP_UPDATE_MIN		23	/* RFC 4271 4.3 */
#define BGP_NOTIFICATION_MIN	21	/* RFC 4271 4.5 */
#define BGP_KEEPALIVE_LEN	19	/* RFC 4271 4.4 */
#define BGP_RR_LEN		23	/* RFC 2918 3 */

/* ---- header and framing ------------------------------------------------ */

struct bgp_msg_hdr {
	uint16_t	len;		/* whole message, header included */
	uint8_t		type;		/* enum bgp_msg_type */
};

/*
 * Looks at the n bytes received so far (p[0] is a message start) and
 * returns 1 when a complete, well-framed message is there (*h says its
 * type and length; the caller consumes h->len bytes), 0 when more bytes
 * are needed, -1 on an RFC 4271 6.1 header error (e filled, BGP_RESET).
 * The header is checked as soon as its 19 bytes are in, the marker as soon
 * as any of it is, so a bad frame is refused without waiting for its body.
 * ctx may be NULL before the OPEN exchange: then messages are limited to
 * 4096 bytes, and to 65535 with ctx->ext_msg (RFC 8654), except OPEN and
 * KEEPALIVE, which never exceed 4096. The length of a ROUTE-REFRESH is
 * not checked here but by bgp_rr_decode(), since RFC 7313 5 answers some
 * bad lengths with its own error code depending on the subtype and on
 * what was negotiated: the caller must decode every ROUTE-REFRESH.
 */
int	bgp_msg_frame(const uint8_t *p, size_t n,
	    const struct bgp_peer_ctx *ctx, struct bgp_msg_hdr *h,
	    struct bgp_err *e);

/*
 * Starts a message of type t in w (marker, length placeholder, type) and
 * returns the offset of its first byte. The body is appended by the
 * caller, then bgp_msg_hdr_end() patches the length field: it returns 0,
 * or -1 if w->err is set or the message is longer than max (typically
 * bgp_msg_max(ctx)); after -1 the partial message is still in w, and the
 * caller drops it (w->len = start) or the whole buffer.
 */
size_t	bgp_msg_hdr_begin(struct wbuf *w, enum bgp_msg_type t);
int	bgp_msg_hdr_end(struct wbuf *w, size_t start, size_t max);

/* ---- OPEN -------------------------------------------------------------- */

enum bgp_capa_code {
	BGP_CAPA_MP = 1,		/* RFC 4760 */
	BGP_CAPA_ROUTE_REFRESH = 2,	/* RFC 2918 */
	BGP_CAPA_EXT_MSG = 6,		/* RFC 8654 */
	BGP_CAPA_GR = 64,		/* RFC 4724 */
	BGP_CAPA_AS4 = 65,		/* RFC 6793 */
	BGP_CAPA_ADDPATH = 69,		/* RFC 7911 */
	BGP_CAPA_ENHANCED_RR = 70,	/* RFC 7313 */
};

#define BGP_OPT_PARAM_CAPA	2	/* RFC 5492 */
#define BGP_OPT_PARAM_EXT	255	/* RFC 9072 */

/* RFC 4724 3 restart flags (the 4-bit field), and per-family flags */
#define BGP_GR_F_RESTART	0x8	/* R: the sender has restarted */
#define BGP_GR_F_NOTIFICATION	0x4	/* N: RFC 8538 */
#define BGP_GR_TIME_MAX		0xfff
#define BGP_GR_AF_F_FORWARD	0x80	/* F: forwarding kept */

/* RFC 7911 4 Send/Receive values */
#define BGP_ADDPATH_RECV	1
#define BGP_ADDPATH_SEND	2

/* Unknown capabilities kept raw; more than this are only counted. */
#define BGP_OPEN_UNKNOWN_MAX	16

struct bgp_capa_raw {
	uint8_t		 code;
	uint8_t		 len;
	const uint8_t	*data;		/* view into the message */
};

/*
 * An OPEN message. Families are bit sets indexed by enum bgp_aid
 * (bit 1 << aid); pairs podbgp does not speak are counted in the *_other
 * fields and otherwise dropped (they are not re-encoded).
 */
struct bgp_open {
	uint8_t		 version;
	uint16_t	 my_as;		/* 2 octets, maybe AS_TRANS */
	uint16_t	 holdtime;
	uint32_t	 bgp_id;	/* host byte order */

	/* decode only: the effective peer AS (AS4 capability, else my_as) */
	uint32_t	 peer_as;

	bool		 capa;		/* capabilities parameter seen */

	bool		 mp;		/* multiprotocol capability seen */
	uint8_t		 mp_aids;
	unsigned	 mp_other;

	bool		 route_refresh;
	bool		 enhanced_rr;
	bool		 ext_msg;

	bool		 as4;
	uint32_t	 as4_value;

	bool		 gr;
	uint8_t		 gr_flags;	/* BGP_GR_F_* (4 bits) */
	uint16_t	 gr_time;	/* seconds, 12 bits */
	uint8_t		 gr_aids;	/* families listed */
	uint8_t		 gr_fwd;	/* of those, with F set */
	unsigned	 gr_other;

	bool		 addpath;
	uint8_t		 addpath_recv;	/* sender receives path IDs */
	uint8_t		 addpath_send;	/* sender sends path IDs */
	unsigned	 addpath_other;
	bool		 addpath_bad;	/* capability ignored, 7911 4 */

	struct bgp_capa_raw	unknown[BGP_OPEN_UNKNOWN_MAX];
	size_t		 nunknown;
	size_t		 unknown_dropped;
};

/*
 * Fills an OPEN for our side: version 4, my_as set to asn or to AS_TRANS
 * when asn needs 4 octets, and the AS4 capability always (RFC 6793 says a
 * speaker that supports it advertises it). Everything else off.
 */
void	bgp_open_init(struct bgp_open *o, uint32_t asn, uint16_t holdtime,
	    uint32_t bgp_id);

/*
 * Decodes an OPEN message (header included) into *o. Checks, in the order
 * of RFC 4271 6.2: version 4 (else Unsupported Version Number, data 4),
 * my AS not 0 (RFC 7607 Bad Peer AS), hold time not 1 or 2 (Unacceptable
 * Hold Time), BGP identifier not 0 (Bad BGP Identifier; RFC 6286 allows
 * any other value), then the optional parameters, RFC 9072 extended
 * length included: only capabilities (type 2) are supported, others give
 * Unsupported Optional Parameter. Length errors inside the parameters or a
 * capability give OPEN Message Error subcode 0 (unspecific): RFC 5492 names
 * no subcode for a malformed capability, and 0 is what BIRD, FRR and
 * OpenBGPD send for it. An AS4 capability carrying 0 is Bad Peer AS
 * (RFC 7607). Checking the peer AS against the configuration is the
 * caller's business. Returns 0 or -1.
 */
int	bgp_open_decode(const uint8_t *msg, size_t len, struct bgp_open *o,
	    struct bgp_err *e);

/*
 * Appends an OPEN built from *o (peer_as is ignored): all capabilities in
 * one capabilities parameter, using the RFC 9072 extended length form only
 * when the parameters exceed 255 bytes. Returns 0 or -1.
 */
int	bgp_open_encode(struct wbuf *w, const struct bgp_open *o);

/*
 * What our OPEN and the peer's agree on: as4 and ext_msg when both sent
 * the capability; addpath_rx for families where we said receive and the
 * peer said send, addpath_tx the other way round (RFC 7911 4); ebgp when
 * the effective ASes differ (ours: the AS4 capability value if we send it,
 * else my_as). *holdtime gets the smaller hold time (RFC 4271 4.2). Pure.
 */
void	bgp_open_negotiate(const struct bgp_open *ours,
	    const struct bgp_open *peer, struct bgp_peer_ctx *ctx,
	    uint16_t *holdtime);

/*
 * Families (bit 1 << aid) both sides enabled. A side that sent no
 * multiprotocol capability speaks IPv4 unicast only (RFC 4760 8).
 */
uint8_t	bgp_open_families(const struct bgp_open *ours,
	    const struct bgp_open *peer);

/* ---- KEEPALIVE --------------------------------------------------------- */

int	bgp_keepalive_encode(struct wbuf *w);
/* Checks type and length (exactly 19, RFC 4271 4.4). Returns 0 or -1. */
int	bgp_keepalive_decode(const uint8_t *msg, size_t len,
	    struct bgp_err *e);

/* ---- NOTIFICATION ------------------------------------------------------ */

#define BGP_SHUTDOWN_COMM_MAX	255	/* RFC 9003 (RFC 8203: 128) */

enum bgp_comm_state {
	BGP_COMM_NONE = 0,	/* not a shutdown/reset, or no data */
	BGP_COMM_OK,		/* comm holds the decoded text */
	BGP_COMM_MALFORMED,	/* length overrun or bad UTF-8: see data */
};

struct bgp_notification {
	uint8_t			 code;
	uint8_t			 subcode;
	const uint8_t		*data;		/* view into the msg */
	size_t			 datalen;
	enum bgp_comm_state	 comm_state;
	/* RFC 9003 shutdown communication, NUL-terminated copy */
	char			 comm[BGP_SHUTDOWN_COMM_MAX + 1];
	size_t			 comm_len;
};

/*
 * Decodes a NOTIFICATION (header included). A Cease with subcode
 * administrative shutdown or reset has its shutdown communication decoded
 * into comm when well-formed (length byte within the data, valid UTF-8);
 * otherwise comm_state says MALFORMED and only the raw data remains: a
 * bad communication never fails the decode (RFC 9003 4). Bytes after the
 * communication are left in data and ignored. Returns 0 or -1.
 */
int	bgp_notification_decode(const uint8_t *msg, size_t len,
	    struct bgp_notification *n, struct bgp_err *e);

/*
 * Appends a NOTIFICATION. Data that would make the message longer than
 * bgp_msg_max(ctx) is truncated (ctx may be NULL). Returns 0 or -1.
 */
int	bgp_notification_encode(struct wbuf *w,
	    const struct bgp_peer_ctx *ctx, uint8_t code, uint8_t subcode,
	    const uint8_t *data, size_t datalen);

/*
 * Appends a Cease NOTIFICATION with subcode (administrative shutdown or
 * reset) carrying comm (may be NULL or empty: length 0) as the shutdown
 * communication, cut at a UTF-8 character boundary to 255 bytes. comm must
 * be valid UTF-8; -1 otherwise.
 */
int	bgp_notification_encode_shutdown(struct wbuf *w, uint8_t subcode,
	    const char *comm);

/* True if the n bytes are well-formed UTF-8 (RFC 3629). */
bool	bgp_utf8_valid(const uint8_t *p, size_t n);

/* ---- ROUTE-REFRESH ----------------------------------------------------- */

enum bgp_rr_subtype {
	BGP_RR_REQUEST = 0,		/* RFC 2918 */
	BGP_RR_BORR = 1,		/* RFC 7313 Beginning of RR */
	BGP_RR_EORR = 2,		/* RFC 7313 End of Route Refresh */
};

struct bgp_rr {
	uint16_t	afi;
	uint8_t		subtype;
	uint8_t		safi;
	enum bgp_aid	aid;		/* BGP_AID_MAX: not ours */
};

#define BGP_RR_IGNORE	1	/* bgp_rr_decode(): drop the message */

/*
 * Decodes a ROUTE-REFRESH (header included); enhanced says whether
 * enhanced route refresh (RFC 7313) was negotiated. Returns 0 (use *rr),
 * BGP_RR_IGNORE or -1 (e filled).
 *
 * Without enhanced route refresh the subtype byte is RFC 2918's reserved
 * byte: ignored, read as a plain request; any length but 23 is a header
 * Bad Message Length. With it: subtypes other than 0-2 are ignored (RFC
 * 7313 5, whatever the length); BoRR/EoRR not exactly 23 bytes long give
 * ROUTE-REFRESH Message Error / Invalid Message Length with the whole
 * message as data (RFC 7313 5); a plain request of another length is Bad
 * Message Length, since podbgp never negotiates ORF (RFC 5291), the only
 * thing that would lengthen it. Families not our own are decoded (aid is
 * BGP_AID_MAX); RFC 2918 4 has the caller ignore those it did not
 * advertise.
 */
int	bgp_rr_decode(const uint8_t *msg, size_t len, bool enhanced,
	    struct bgp_rr *rr, struct bgp_err *e);
int	bgp_rr_encode(struct wbuf *w, uint16_t afi, uint8_t subtype,
	    uint8_t safi);

/* ---- text for logs and dumps ------------------------------------------- */

/* "multiprotocol", "graceful-restart", ...; "unknown" otherwise. */
const char	*bgp_capa_name(unsigned code);

/*
 * One line per message on f, newline-terminated: OPEN with its capability
 * list, NOTIFICATION with code/subcode names, data in hex and the shutdown
 * communication (control characters escaped), ROUTE-REFRESH. These never
 * log; they write only to the FILE the caller passes.
 */
void	bgp_msg_print_open(FILE *f, const struct bgp_open *o);
void	bgp_msg_print_notification(FILE *f,
	    const struct bgp_notification *n);
void	bgp_msg_print_rr(FILE *f, const struct bgp_rr *rr);

#endif
