/*
 * bgp: shared helpers of the codec modules: address family index, the
 * error record, and names of protocol numbers for logs.
 */
#include <string.h>
#include <sys/socket.h>

#include "bgp.h"

enum bgp_aid
bgp_aid_from_afi(uint16_t afi, uint8_t safi)
{
	if (safi != BGP_SAFI_UNICAST)
		return BGP_AID_MAX;
	switch (afi) {
	case BGP_AFI_IPV4:
		return BGP_AID_IPV4;
	case BGP_AFI_IPV6:
		return BGP_AID_IPV6;
	default:
		return BGP_AID_MAX;
	}
}

uint16_t
bgp_aid_afi(enum bgp_aid aid)
{
	return aid == BGP_AID_IPV6 ? BGP_AFI_IPV6 : BGP_AFI_IPV4;
}

int
bgp_aid_family(enum bgp_aid aid)
{
	return aid == BGP_AID_IPV6 ? AF_INET6 : AF_INET;
}

void
bgp_err_clear(struct bgp_err *e)
{
	memset(e, 0, sizeof(*e));
}

enum bgp_verdict
bgp_err_set(struct bgp_err *e, enum bgp_verdict v, uint8_t code,
    uint8_t subcode, const char *why)
{
	if (v > e->verdict) {
		e->verdict = v;
		e->code = code;
		e->subcode = subcode;
		e->data = NULL;
		e->datalen = 0;
		e->why = why;
	}
	return e->verdict;
}

const char *
bgp_msg_type_name(unsigned type)
{
	static const char *const names[] = {
		[BGP_MSG_OPEN] = "OPEN",
		[BGP_MSG_UPDATE] = "UPDATE",
		[BGP_MSG_NOTIFICATION] = "NOTIFICATION",
		[BGP_MSG_KEEPALIVE] = "KEEPALIVE",
		[BGP_MSG_ROUTE_REFRESH] = "ROUTE-REFRESH",
	};

	if (type < sizeof(names) / sizeof(names[0]) && names[type] != NULL)
		return names[type];
	return "unknown";
}

const char *
bgp_err_code_name(unsigned code)
{
	static const char *const names[] = {
		[BGP_ERR_HEADER] = "message header error",
		[BGP_ERR_OPEN] = "OPEN message error",
		[BGP_ERR_UPDATE] = "UPDATE message error",
		[BGP_ERR_HOLD] = "hold timer expired",
		[BGP_ERR_FSM] = "finite state machine error",
		[BGP_ERR_CEASE] = "cease",
		[BGP_ERR_ROUTE_REFRESH] = "ROUTE-REFRESH message error",
	};

	if (code < sizeof(names) / sizeof(names[0]) && names[code] != NULL)
		return names[code];
	return "unknown error";
}

const char *
bgp_err_subcode_name(unsigned code, unsigned subcode)
{
	static const char *const hdr[] = {
		[BGP_ERR_HDR_SYNC] = "connection not synchronized",
		[BGP_ERR_HDR_LEN] = "bad message length",
		[BGP_ERR_HDR_TYPE] = "bad message type",
	};
	static const char *const open[] = {
		[BGP_ERR_OPEN_VERSION] = "unsupported version number",
		[BGP_ERR_OPEN_PEER_AS] = "bad peer AS",
		[BGP_ERR_OPEN_BGP_ID] = "bad BGP identifier",
		[BGP_ERR_OPEN_OPT_PARAM] = "unsupported optional parameter",
		[BGP_ERR_OPEN_HOLD] = "unacceptable hold time",
		[BGP_ERR_OPEN_CAPA] = "unsupported capability",
		[BGP_ERR_OPEN_ROLE] = "role mismatch",
	};
	static const char *const upd[] = {
		[BGP_ERR_UPD_ATTR_LIST] = "malformed attribute list",
		[BGP_ERR_UPD_WELLKNOWN] = "unrecognized well-known attribute",
		[BGP_ERR_UPD_MISSING] = "missing well-known attribute",
		[BGP_ERR_UPD_FLAGS] = "attribute flags error",
		[BGP_ERR_UPD_LENGTH] = "attribute length error",
		[BGP_ERR_UPD_ORIGIN] = "invalid ORIGIN attribute",
		[BGP_ERR_UPD_NEXTHOP] = "invalid NEXT_HOP attribute",
		[BGP_ERR_UPD_OPTIONAL] = "optional attribute error",
		[BGP_ERR_UPD_NETWORK] = "invalid network field",
		[BGP_ERR_UPD_ASPATH] = "malformed AS_PATH",
	};
	static const char *const fsm[] = {
		[BGP_ERR_FSM_UNSPEC] = "unspecified",
		[BGP_ERR_FSM_OPENSENT] = "unexpected message in OpenSent",
		[BGP_ERR_FSM_OPENCONFIRM] = "unexpected message in OpenConfirm",
		[BGP_ERR_FSM_ESTABLISHED] = "unexpected message in Established",
	};
	static const char *const cease[] = {
		[BGP_ERR_CEASE_MAX_PREFIX] = "maximum number of prefixes reached",
		[BGP_ERR_CEASE_ADMIN_SHUTDOWN] = "administrative shutdown",
		[BGP_ERR_CEASE_PEER_DECONF] = "peer de-configured",
		[BGP_ERR_CEASE_ADMIN_RESET] = "administrative reset",
		[BGP_ERR_CEASE_CONN_REJECT] = "connection rejected",
		[BGP_ERR_CEASE_CONFIG_CHANGE] = "other configuration change",
		[BGP_ERR_CEASE_COLLISION] = "connection collision resolution",
		[BGP_ERR_CEASE_RESOURCES] = "out of resources",
		[BGP_ERR_CEASE_HARD_RESET] = "hard reset",
		[BGP_ERR_CEASE_BFD_DOWN] = "BFD down",
	};
	static const char *const rr[] = {
		[BGP_ERR_RR_LENGTH] = "invalid message length",
	};
	const char *const	*t = NULL;
	size_t			 n = 0;

#define PICK(a)	do { t = (a); n = sizeof(a) / sizeof((a)[0]); } while (0)
	switch (code) {
	case BGP_ERR_HEADER:
		PICK(hdr);
		break;
	case BGP_ERR_OPEN:
		PICK(open);
		break;
	case BGP_ERR_UPDATE:
		PICK(upd);
		break;
	case BGP_ERR_FSM:
		PICK(fsm);
		break;
	case BGP_ERR_CEASE:
		PICK(cease);
		break;
	case BGP_ERR_ROUTE_REFRESH:
		PICK(rr);
		break;
	}
#undef PICK
	if (subcode == 0 && code != BGP_ERR_FSM)
		return "unspecific";
	if (t != NULL && subcode < n && t[subcode] != NULL)
		return t[subcode];
	return "unknown subcode";
}
