/*
 * bgp: numbers and types shared by the BGP codec modules (bgp_msg,
 * bgp_attr) and their users. Protocol codes are named here once; no other
 * file writes a bare NOTIFICATION code or message type.
 */
#ifndef PODBGP_BGP_H
#define PODBGP_BGP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define BGP_PORT		179
#define BGP_VERSION		4
#define BGP_MARKER_LEN		16
#define BGP_HDR_LEN		19
#define BGP_MSG_MIN		BGP_HDR_LEN
#define BGP_MSG_MAX		4096	/* RFC 4271 4.1 */
#define BGP_MSG_MAX_EXT		65535	/* RFC 8654 */
#define BGP_AS_TRANS		23456	/* RFC 6793 */

enum bgp_msg_type {
	BGP_MSG_OPEN = 1,
	BGP_MSG_UPDATE = 2,
	BGP_MSG_NOTIFICATION = 3,
	BGP_MSG_KEEPALIVE = 4,
	BGP_MSG_ROUTE_REFRESH = 5,	/* RFC 2918 */
};

/* RFC 4271 4.5 and later registrations */
enum bgp_err_code {
	BGP_ERR_HEADER = 1,
	BGP_ERR_OPEN = 2,
	BGP_ERR_UPDATE = 3,
	BGP_ERR_HOLD = 4,
	BGP_ERR_FSM = 5,
	BGP_ERR_CEASE = 6,
	BGP_ERR_ROUTE_REFRESH = 7,	/* RFC 7313 */
};

enum bgp_err_header_sub {
	BGP_ERR_HDR_SYNC = 1,		/* Connection Not Synchronized */
	BGP_ERR_HDR_LEN = 2,		/* Bad Message Length */
	BGP_ERR_HDR_TYPE = 3,		/* Bad Message Type */
};

enum bgp_err_open_sub {
	BGP_ERR_OPEN_VERSION = 1,	/* Unsupported Version Number */
	BGP_ERR_OPEN_PEER_AS = 2,	/* Bad Peer AS */
	BGP_ERR_OPEN_BGP_ID = 3,	/* Bad BGP Identifier */
	BGP_ERR_OPEN_OPT_PARAM = 4,	/* Unsupported Optional Parameter */
	BGP_ERR_OPEN_HOLD = 6,		/* Unacceptable Hold Time */
	BGP_ERR_OPEN_CAPA = 7,		/* Unsupported Capability, RFC 5492 */
	BGP_ERR_OPEN_ROLE = 11,		/* Role Mismatch, RFC 9234 */
};

enum bgp_err_update_sub {
	BGP_ERR_UPD_ATTR_LIST = 1,	/* Malformed Attribute List */
	BGP_ERR_UPD_WELLKNOWN = 2,	/* Unrecognized Well-known Attribute */
	BGP_ERR_UPD_MISSING = 3,	/* Missing Well-known Attribute */
	BGP_ERR_UPD_FLAGS = 4,		/* Attribute Flags Error */
	BGP_ERR_UPD_LENGTH = 5,		/* Attribute Length Error */
	BGP_ERR_UPD_ORIGIN = 6,		/* Invalid ORIGIN Attribute */
	BGP_ERR_UPD_NEXTHOP = 8,	/* Invalid NEXT_HOP Attribute */
	BGP_ERR_UPD_OPTIONAL = 9,	/* Optional Attribute Error */
	BGP_ERR_UPD_NETWORK = 10,	/* Invalid Network Field */
	BGP_ERR_UPD_ASPATH = 11,	/* Malformed AS_PATH */
};

/* RFC 6608 */
enum bgp_err_fsm_sub {
	BGP_ERR_FSM_UNSPEC = 0,
	BGP_ERR_FSM_OPENSENT = 1,
	BGP_ERR_FSM_OPENCONFIRM = 2,
	BGP_ERR_FSM_ESTABLISHED = 3,
};

/* RFC 4486, RFC 8538 */
enum bgp_err_cease_sub {
	BGP_ERR_CEASE_MAX_PREFIX = 1,
	BGP_ERR_CEASE_ADMIN_SHUTDOWN = 2,
	BGP_ERR_CEASE_PEER_DECONF = 3,
	BGP_ERR_CEASE_ADMIN_RESET = 4,
	BGP_ERR_CEASE_CONN_REJECT = 5,
	BGP_ERR_CEASE_CONFIG_CHANGE = 6,
	BGP_ERR_CEASE_COLLISION = 7,
	BGP_ERR_CEASE_RESOURCES = 8,
	BGP_ERR_CEASE_HARD_RESET = 9,
	BGP_ERR_CEASE_BFD_DOWN = 10,
};

/* RFC 7313 5 */
enum bgp_err_rr_sub {
	BGP_ERR_RR_LENGTH = 1,		/* Invalid Message Length */
};

enum bgp_afi {
	BGP_AFI_IPV4 = 1,
	BGP_AFI_IPV6 = 2,
};

enum bgp_safi {
	BGP_SAFI_UNICAST = 1,
};

/*
 * The address families podbgp speaks, as a small dense index for per-family
 * arrays and bit sets. Everything else is carried as raw AFI/SAFI numbers.
 */
enum bgp_aid {
	BGP_AID_IPV4 = 0,		/* IPv4 unicast */
	BGP_AID_IPV6 = 1,		/* IPv6 unicast */
	BGP_AID_MAX
};

/* BGP_AID_MAX if the pair is not one podbgp speaks. */
enum bgp_aid	bgp_aid_from_afi(uint16_t afi, uint8_t safi);
uint16_t	bgp_aid_afi(enum bgp_aid aid);
int		bgp_aid_family(enum bgp_aid aid);	/* AF_INET, AF_INET6 */

/*
 * What decoding a message concluded, ordered by severity so the worst of
 * several findings is their maximum. RFC 7606 2.
 */
enum bgp_verdict {
	BGP_OK = 0,
	BGP_ATTR_DISCARD,	/* drop the attribute, keep the route */
	BGP_WITHDRAW,		/* treat the UPDATE's routes as withdrawn */
	BGP_RESET,		/* send NOTIFICATION(code, subcode, data) */
};

/*
 * Why decoding failed. For BGP_RESET, code/subcode/data are what goes into
 * the NOTIFICATION. data points into the message being decoded or into
 * dbuf (so copy it before the struct moves); why is a static string for
 * the log; offset is from the start of the message.
 */
struct bgp_err {
	enum bgp_verdict	 verdict;
	uint8_t			 code;
	uint8_t			 subcode;
	const uint8_t		*data;
	size_t			 datalen;
	uint8_t			 dbuf[4];
	size_t			 offset;
	const char		*why;
};

/*
 * Records a finding if it is at least as severe as the one held, and
 * returns the verdict now held. The first finding of the worst severity
 * wins, so the NOTIFICATION names the first fatal error in the message.
 */
enum bgp_verdict	bgp_err_set(struct bgp_err *e, enum bgp_verdict v,
			    uint8_t code, uint8_t subcode, const char *why);
void			bgp_err_clear(struct bgp_err *e);

/* What was negotiated on the session: decoding an UPDATE depends on it. */
struct bgp_peer_ctx {
	bool	as4;		/* RFC 6793: AS numbers are 4 octets */
	bool	ebgp;		/* the peer is in another AS */
	bool	ext_msg;	/* RFC 8654: messages up to 65535 bytes */
	uint8_t	addpath_rx;	/* bit (1 << aid): NLRI carry path IDs */
	uint8_t	addpath_tx;	/* bit (1 << aid): we send path IDs */
};

static inline size_t
bgp_msg_max(const struct bgp_peer_ctx *ctx)
{
	return ctx != NULL && ctx->ext_msg ? BGP_MSG_MAX_EXT : BGP_MSG_MAX;
}

/* Names for logs and dumps; never NULL. */
const char	*bgp_msg_type_name(unsigned type);
const char	*bgp_err_code_name(unsigned code);
const char	*bgp_err_subcode_name(unsigned code, unsigned subcode);

#endif
