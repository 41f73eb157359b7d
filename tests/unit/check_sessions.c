/*
 * Recorded sessions: every message of eight real BGP session directions
 * (BIRD 2, FRR, GoBGP; tests/data/sessions/README) is decoded with our
 * codec and compared, field by field and in order, with TShark's
 * independent description of the same bytes in the matching .txt file.
 * The session context comes from the two OPENs, as a speaker would
 * negotiate it.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "bgp_attr.h"
#include "bgp_msg.h"
#include "check_unit.h"

#define TX_MAX		64	/* entries of one kind in one message */
#define TX_TEXT		256

/* RFC 1997 and IANA well-known communities, as TShark names them */
static const struct {
	const char	*name;
	uint32_t	 value;
} wk_comms[] = {
	{ "GRACEFUL_SHUTDOWN",		0xffff0000 },
	{ "ACCEPT_OWN",			0xffff0001 },
	{ "LLGR_STALE",			0xffff0006 },
	{ "NO_LLGR",			0xffff0007 },
	{ "BLACKHOLE",			0xffff029a },
	{ "NO_EXPORT",			0xffffff01 },
	{ "NO_ADVERTISE",		0xffffff02 },
	{ "NO_EXPORT_SUBCONFED",	0xffffff03 },
	{ "NOPEER",			0xffffff04 },
};

#define NO_EXPORT	0xffffff01

/*
 * One direction, the reverse one (for our side's OPEN), and what the
 * README and record.sh say of the UPDATEs TShark could not decode (over
 * 4096 bytes): one prefix with NO_EXPORT and the large communities
 * GLOBAL:LOCAL1:1 to GLOBAL:LOCAL1:N that record.sh adds, followed by
 * the one every route gets (BIRD keeps the set sorted).
 */
static const struct session {
	const char	*name;
	const char	*rev;
	unsigned	 nbig;		/* UPDATEs TShark did not decode */
	const char	*big_pfx;	/* their single announced prefix */
	struct bgp_lcomm big_last;	/* the large community after */
	struct bgp_lcomm big_series;	/* local2 is the series' length */
} sessions[] = {
	{ "bird-to-frr-v4", "frr-to-bird-v4", 3, "198.51.100.192/27",
	    { 4200000001, 100, 1 }, { 4200000001, 9, 360 } },
	{ "frr-to-bird-v4", "bird-to-frr-v4", 0, NULL, { 0, 0, 0 },
	    { 0, 0, 0 } },
	{ "bird-to-frr-v6", "frr-to-bird-v6", 0, NULL, { 0, 0, 0 },
	    { 0, 0, 0 } },
	{ "frr-to-bird-v6", "bird-to-frr-v6", 0, NULL, { 0, 0, 0 },
	    { 0, 0, 0 } },
	{ "frr-to-gobgp", "gobgp-to-frr", 0, NULL, { 0, 0, 0 },
	    { 0, 0, 0 } },
	{ "gobgp-to-frr", "frr-to-gobgp", 0, NULL, { 0, 0, 0 },
	    { 0, 0, 0 } },
	{ "bird-to-gobgp", "gobgp-to-bird", 0, NULL, { 0, 0, 0 },
	    { 0, 0, 0 } },
	{ "gobgp-to-bird", "bird-to-gobgp", 0, NULL, { 0, 0, 0 },
	    { 0, 0, 0 } },
};

#define NSESSIONS	(sizeof(sessions) / sizeof(sessions[0]))

struct tx_pfx {
	struct prefix	 pfx;
	bool		 has_id;
	uint32_t	 id;
};

struct tx_pfxlist {
	struct tx_pfx	 v[TX_MAX];
	size_t		 n;
};

struct tx_attr {
	uint32_t	 type;
	uint32_t	 flags;
	uint32_t	 len;
};

/* One message as TShark described it. */
struct tx_msg {
	unsigned	 idx;
	unsigned	 type;
	unsigned	 len;
	bool		 undecoded;

	/* OPEN */
	uint32_t	 my_as;
	uint32_t	 hold;
	struct ipaddr	 id;
	uint8_t		 capas[32];	/* bit per capability code */
	uint32_t	 as4;
	uint8_t		 mp_aids;
	uint8_t		 ap_send;
	uint8_t		 ap_recv;

	/* UPDATE */
	struct tx_attr	 attrs[TX_MAX];
	size_t		 nattrs;
	uint32_t	 origin;
	char		 aspath[TX_TEXT];
	struct ipaddr	 nexthop;
	uint32_t	 med;
	uint32_t	 local_pref;
	uint32_t	 comms[TX_MAX];
	size_t		 ncomms;
	struct bgp_lcomm lcomms[TX_MAX];
	size_t		 nlcomms;
	uint8_t		 reach_aid;
	struct ipaddr	 mp_nh;
	struct ipaddr	 mp_ll;
	uint8_t		 unreach_aid;
	bool		 has_rt;
	uint8_t		 rt[8];		/* one route target, wire form */
	struct tx_pfxlist nlri, withdrawn, mp_reach, mp_unreach;

	/* NOTIFICATION */
	uint32_t	 code;
	uint32_t	 subcode;
	bool		 has_comm;
	char		 comm[TX_TEXT];

	/* ROUTE-REFRESH */
	uint32_t	 afi;
	uint32_t	 safi;
	uint32_t	 subtype;
};

/* The .txt file, split into lines in place. */
struct txt {
	char		*cur;
	const char	*name;
	unsigned	 lineno;
	unsigned	 nmsgs;		/* from the "# N messages" header */
};

/* Where a failure is: file, line and message. */
static char	where[160];

#define EQ(what, ours, theirs)						\
	ck_assert_msg((uintmax_t)(ours) == (uintmax_t)(theirs),		\
	    "%s: %s: codec %ju, tshark %ju", where, (what),		\
	    (uintmax_t)(ours), (uintmax_t)(theirs))
#define TRUE(what, cond)						\
	ck_assert_msg((cond), "%s: %s", where, (what))

static bool
bit_isset(const uint8_t *set, unsigned i)
{
	return (set[i / 8] >> (i % 8)) & 1;
}

static void
bit_set(uint8_t *set, unsigned i)
{
	set[i / 8] |= (uint8_t)(1 << (i % 8));
}

/* ---- TShark text ------------------------------------------------------- */

/* The next line (NUL-terminated in place), or NULL at the end. */
static char *
txt_line(struct txt *t)
{
	char	*l, *nl;

	if (*t->cur == '\0')
		return NULL;
	l = t->cur;
	if ((nl = strchr(l, '\n')) != NULL) {
		*nl = '\0';
		t->cur = nl + 1;
	} else
		t->cur = l + strlen(l);
	t->lineno++;
	return l;
}

/* A decimal or 0x number right after "key=" (key at a word start). */
static bool
kv_u32(const char *s, const char *key, uint32_t *v)
{
	const char	*p = s;
	char		*end;
	size_t		 klen = strlen(key);
	unsigned long	 n;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == s || p[-1] == ' ') && p[klen] == '=')
			break;
		p += klen;
	}
	if (p == NULL)
		return false;
	p += klen + 1;
	n = strtoul(p, &end, strncmp(p, "0x", 2) == 0 ? 16 : 10);
	if (end == p || n > UINT32_MAX)
		return false;
	*v = (uint32_t)n;
	return true;
}

/* The number in "LABEL: Name (N)" after position s; NULL when absent. */
static const char *
label_num(const char *s, const char *label, uint32_t *v)
{
	const char	*p;

	if ((p = strstr(s, label)) == NULL ||
	    (p = strchr(p, '(')) == NULL || sscanf(p, "(%" SCNu32 ")",
	    v) != 1)
		return NULL;
	return p;
}

static uint8_t
aid_of(uint32_t afi, uint32_t safi)
{
	return (uint8_t)bgp_aid_from_afi((uint16_t)afi, (uint8_t)safi);
}

static void
parse_cap(struct tx_msg *m, const char *l)
{
	uint32_t	 code, afi, safi, sr;
	const char	*p = l, *as;

	TRUE("cap line", sscanf(l, "cap %" SCNu32, &code) == 1 &&
	    code < 256);
	bit_set(m->capas, code);
	if (code == BGP_CAPA_AS4)
		TRUE("AS4 capability value",
		    (as = strstr(l, "AS Number: ")) != NULL &&
		    sscanf(as, "AS Number: %" SCNu32, &m->as4) == 1);
	if (code != BGP_CAPA_MP && code != BGP_CAPA_ADDPATH)
		return;
	/* "AFI: IPv4 (1); ... SAFI: Unicast (1); [Send/Receive: Both (3)]" */
	while ((p = label_num(p, "AFI: ", &afi)) != NULL) {
		p = label_num(p, "SAFI: ", &safi);
		TRUE("capability family", p != NULL);
		if (aid_of(afi, safi) == BGP_AID_MAX)
			continue;
		if (code == BGP_CAPA_MP) {
			m->mp_aids |= (uint8_t)(1 << aid_of(afi, safi));
			continue;
		}
		p = label_num(p, "Send/Receive: ", &sr);
		TRUE("add-path send/receive", p != NULL);
		if (sr & BGP_ADDPATH_SEND)
			m->ap_send |= (uint8_t)(1 << aid_of(afi, safi));
		if (sr & BGP_ADDPATH_RECV)
			m->ap_recv |= (uint8_t)(1 << aid_of(afi, safi));
	}
}

/* "PREFIX [path-id N]" */
static void
parse_pfx(const char *s, struct tx_pfxlist *pl)
{
	char		 buf[PREFIX_STRLEN];
	struct tx_pfx	*x;
	const char	*id;

	TRUE("too many prefixes for the test", pl->n < TX_MAX);
	x = &pl->v[pl->n++];
	TRUE("prefix text", sscanf(s, "%50s", buf) == 1);
	TRUE("prefix syntax", prefix_parse(buf, &x->pfx) == PREFIX_OK);
	x->has_id = false;
	if ((id = strstr(s, " path-id ")) != NULL) {
		x->has_id = true;
		TRUE("path id", sscanf(id, " path-id %" SCNu32, &x->id) == 1);
	}
}

static void
parse_comms(struct tx_msg *m, const char *v)
{
	char		 tok[64];
	unsigned	 a, b, n;
	size_t		 i;
	int		 used;

	while (sscanf(v, "%63s%n", tok, &used) == 1) {
		v += used;
		TRUE("too many communities", m->ncomms < TX_MAX);
		if (sscanf(tok, "%u:%u%n", &a, &b, &used) == 2 &&
		    tok[used] == '\0' && a <= 0xffff && b <= 0xffff) {
			m->comms[m->ncomms++] = (uint32_t)(a << 16 | b);
			continue;
		}
		n = sizeof(wk_comms) / sizeof(wk_comms[0]);
		for (i = 0; i < n; i++)
			if (strcmp(tok, wk_comms[i].name) == 0)
				break;
		ck_assert_msg(i < n, "%s: unknown community %s", where, tok);
		m->comms[m->ncomms++] = wk_comms[i].value;
	}
}

static void
parse_lcomms(struct tx_msg *m, const char *v)
{
	struct bgp_lcomm	*c;
	int			 used;

	while (*v == ' ')
		v++;
	while (*v != '\0') {
		TRUE("too many large communities", m->nlcomms < TX_MAX);
		c = &m->lcomms[m->nlcomms++];
		TRUE("large community", sscanf(v, "%" SCNu32 ":%" SCNu32
		    ":%" SCNu32 "%n", &c->global, &c->local1, &c->local2,
		    &used) == 3);
		v += used;
		while (*v == ' ')
			v++;
	}
}

/* "attr TYPE NAME flags=0xFF len=N[: value]" */
static void
parse_attr(struct tx_msg *m, const char *l)
{
	struct tx_attr	*a;
	const char	*v, *nh;
	char		 addr[2][IPADDR_STRLEN];
	uint32_t	 afi, safi, as, val;
	int		 n;

	TRUE("too many attributes", m->nattrs < TX_MAX);
	a = &m->attrs[m->nattrs++];
	TRUE("attr line", sscanf(l, "attr %" SCNu32, &a->type) == 1 &&
	    a->type < 256 && kv_u32(l, "flags", &a->flags) &&
	    kv_u32(l, "len", &a->len));
	v = strchr(strstr(l, " len="), ':');
	v = v != NULL ? v + 2 : "";

	switch (a->type) {
	case BGP_ATTR_ORIGIN:
		m->origin = strcmp(v, "IGP") == 0 ? BGP_ORIGIN_IGP :
		    strcmp(v, "EGP") == 0 ? BGP_ORIGIN_EGP :
		    strcmp(v, "INCOMPLETE") == 0 ? BGP_ORIGIN_INCOMPLETE : 255;
		TRUE("ORIGIN value", m->origin != 255);
		break;
	case BGP_ATTR_AS_PATH:
		TRUE("AS_PATH text", strlen(v) < sizeof(m->aspath));
		strcpy(m->aspath, v);
		break;
	case BGP_ATTR_NEXT_HOP:
		TRUE("NEXT_HOP value", ipaddr_parse(v, &m->nexthop) == 0);
		break;
	case BGP_ATTR_MED:
		TRUE("MED value", sscanf(v, "%" SCNu32, &m->med) == 1);
		break;
	case BGP_ATTR_LOCAL_PREF:
		TRUE("LOCAL_PREF value",
		    sscanf(v, "%" SCNu32, &m->local_pref) == 1);
		break;
	case BGP_ATTR_COMMUNITIES:
		parse_comms(m, v);
		break;
	case BGP_ATTR_LARGE_COMMUNITY:
		parse_lcomms(m, v);
		break;
	case BGP_ATTR_MP_REACH_NLRI:
		TRUE("MP_REACH family", kv_u32(v, "afi", &afi) &&
		    kv_u32(v, "safi", &safi));
		m->reach_aid = aid_of(afi, safi);
		TRUE("MP_REACH next hop",
		    (nh = strstr(v, "next_hop=")) != NULL);
		n = sscanf(nh, "next_hop=%45s %45s", addr[0], addr[1]);
		TRUE("MP_REACH next hop", n >= 1 &&
		    ipaddr_parse(addr[0], &m->mp_nh) == 0);
		if (n == 2)
			TRUE("MP_REACH link-local next hop",
			    ipaddr_parse(addr[1], &m->mp_ll) == 0);
		break;
	case BGP_ATTR_EXT_COMMUNITIES:
		/* RFC 4360 4: the only kind the recordings hold, checked */
		if (a->len != 8 || sscanf(v, "Route Target: %" SCNu32 ":%"
		    SCNu32, &as, &val) != 2 || as > 0xffff ||
		    strstr(v, "[Transitive 2-Octet AS-Specific]") == NULL)
			break;
		m->has_rt = true;
		m->rt[0] = 0x00;
		m->rt[1] = 0x02;
		m->rt[2] = (uint8_t)(as >> 8);
		m->rt[3] = (uint8_t)as;
		m->rt[4] = (uint8_t)(val >> 24);
		m->rt[5] = (uint8_t)(val >> 16);
		m->rt[6] = (uint8_t)(val >> 8);
		m->rt[7] = (uint8_t)val;
		break;
	case BGP_ATTR_MP_UNREACH_NLRI:
		TRUE("MP_UNREACH family", kv_u32(v, "afi", &afi) &&
		    kv_u32(v, "safi", &safi));
		m->unreach_aid = aid_of(afi, safi);
		break;
	}
}

/* The text between the outer quotes, with \\ and \" undone. */
static void
parse_quoted(const char *l, char *dst, size_t len)
{
	const char	*p, *end;
	size_t		 n = 0;

	p = strchr(l, '"');
	end = strrchr(l, '"');
	TRUE("quoted text", p != NULL && end > p);
	for (p++; p < end; p++) {
		if (*p == '\\' && p + 1 < end && (p[1] == '\\' || p[1] == '"'))
			p++;
		TRUE("quoted text too long", n + 1 < len);
		dst[n++] = *p;
	}
	dst[n] = '\0';
}

static const char *const msg_types[] = {
	[BGP_MSG_OPEN] = "OPEN",
	[BGP_MSG_UPDATE] = "UPDATE",
	[BGP_MSG_NOTIFICATION] = "NOTIFICATION",
	[BGP_MSG_KEEPALIVE] = "KEEPALIVE",
	[BGP_MSG_ROUTE_REFRESH] = "ROUTE-REFRESH",
};

/*
 * Reads the next message: its header line and the indented detail lines
 * under it. Returns false at the end of the file.
 */
static bool
txt_next(struct txt *t, struct tx_msg *m)
{
	char		 type[32];
	char		*l;
	const char	*d;
	unsigned	 i;

	memset(m, 0, sizeof(*m));
	m->reach_aid = m->unreach_aid = BGP_AID_MAX;
	do {
		if ((l = txt_line(t)) == NULL)
			return false;
		if (l[0] == '#')
			sscanf(l, "# %u messages", &t->nmsgs);
	} while (l[0] == '#' || l[0] == '\0');

	snprintf(where, sizeof(where), "%s.txt:%u", t->name, t->lineno);
	TRUE("message line", sscanf(l, "%u %31s len=%u", &m->idx, type,
	    &m->len) == 3);
	for (i = 1; i < sizeof(msg_types) / sizeof(msg_types[0]); i++)
		if (strcmp(type, msg_types[i]) == 0)
			m->type = i;
	TRUE("message type name", m->type != 0);
	snprintf(where, sizeof(where), "%s.txt:%u: message %u %s", t->name,
	    t->lineno, m->idx, type);

	switch (m->type) {
	case BGP_MSG_OPEN:
		TRUE("OPEN fields", kv_u32(l, "my_as", &m->my_as) &&
		    kv_u32(l, "hold", &m->hold) &&
		    (d = strstr(l, " id=")) != NULL &&
		    ipaddr_parse(d + 4, &m->id) == 0);
		break;
	case BGP_MSG_NOTIFICATION:
		TRUE("NOTIFICATION fields", kv_u32(l, "code", &m->code) &&
		    kv_u32(l, "subcode", &m->subcode));
		break;
	case BGP_MSG_ROUTE_REFRESH:
		TRUE("ROUTE-REFRESH fields", kv_u32(l, "afi", &m->afi) &&
		    kv_u32(l, "safi", &m->safi) &&
		    kv_u32(l, "subtype", &m->subtype));
		break;
	}

	while (*t->cur == ' ') {
		l = txt_line(t);
		for (d = l; *d == ' '; d++)
			;
		if (strncmp(d, "cap ", 4) == 0)
			parse_cap(m, d);
		else if (strncmp(d, "attr ", 5) == 0)
			parse_attr(m, d);
		else if (strncmp(d, "nlri ", 5) == 0)
			parse_pfx(d + 5, &m->nlri);
		else if (strncmp(d, "withdrawn ", 10) == 0)
			parse_pfx(d + 10, &m->withdrawn);
		else if (strncmp(d, "mp_reach ", 9) == 0)
			parse_pfx(d + 9, &m->mp_reach);
		else if (strncmp(d, "mp_unreach ", 11) == 0)
			parse_pfx(d + 11, &m->mp_unreach);
		else if (strncmp(d, "not decoded by tshark", 21) == 0)
			m->undecoded = true;
		else if (strncmp(d, "shutdown_communication ", 23) == 0) {
			parse_quoted(d, m->comm, sizeof(m->comm));
			m->has_comm = true;
		} else
			ck_abort_msg("%s.txt:%u: unknown detail line: %s",
			    t->name, t->lineno, l);
	}
	return true;
}

/* ---- comparisons --------------------------------------------------------- */

static void
check_open(const struct tx_msg *m, const uint8_t *msg, size_t len)
{
	struct bgp_open	 o;
	struct bgp_err	 e;
	struct ipaddr	 id;
	uint8_t		 capas[32];
	size_t		 i;
	unsigned	 c;

	bgp_err_clear(&e);
	TRUE("OPEN decodes", bgp_open_decode(msg, len, &o, &e) == 0);
	EQ("my AS", o.my_as, m->my_as);
	EQ("hold time", o.holdtime, m->hold);
	memset(&id, 0, sizeof(id));
	id.family = AF_INET;
	id.addr[0] = (uint8_t)(o.bgp_id >> 24);
	id.addr[1] = (uint8_t)(o.bgp_id >> 16);
	id.addr[2] = (uint8_t)(o.bgp_id >> 8);
	id.addr[3] = (uint8_t)o.bgp_id;
	TRUE("BGP identifier", ipaddr_cmp(&id, &m->id) == 0);

	memset(capas, 0, sizeof(capas));
	if (o.mp)
		bit_set(capas, BGP_CAPA_MP);
	if (o.route_refresh)
		bit_set(capas, BGP_CAPA_ROUTE_REFRESH);
	if (o.ext_msg)
		bit_set(capas, BGP_CAPA_EXT_MSG);
	if (o.gr)
		bit_set(capas, BGP_CAPA_GR);
	if (o.as4)
		bit_set(capas, BGP_CAPA_AS4);
	if (o.addpath)
		bit_set(capas, BGP_CAPA_ADDPATH);
	if (o.enhanced_rr)
		bit_set(capas, BGP_CAPA_ENHANCED_RR);
	for (i = 0; i < o.nunknown; i++)
		bit_set(capas, o.unknown[i].code);
	EQ("capabilities dropped", o.unknown_dropped, 0);
	for (c = 0; c < 256; c++)
		ck_assert_msg(bit_isset(capas, c) == bit_isset(m->capas, c),
		    "%s: capability %u: codec %s, tshark %s", where, c,
		    bit_isset(capas, c) ? "present" : "absent",
		    bit_isset(m->capas, c) ? "present" : "absent");
	if (o.as4) {
		EQ("AS4 capability", o.as4_value, m->as4);
		EQ("peer AS", o.peer_as, m->as4);
	} else
		EQ("peer AS", o.peer_as, m->my_as);
	EQ("multiprotocol families", o.mp_aids, m->mp_aids);
	EQ("add-path send families", o.addpath_send, m->ap_send);
	EQ("add-path receive families", o.addpath_recv, m->ap_recv);
}

/* AS path as TShark writes it: "65002 4200000001", or "empty". */
static void
fmt_aspath(const struct bgp_update *u, char *dst, size_t len)
{
	struct bgp_aspath_iter	 it;
	struct bgp_asseg	 s;
	size_t			 off = 0;
	unsigned		 i;
	const char		*open, *close;

	dst[0] = '\0';
	bgp_aspath_iter_update(&it, u);
	while (bgp_aspath_next(&it, &s) == 1) {
		/* no sets in the recordings; braces as TShark uses them */
		open = s.type == BGP_ASSEG_SET ? "{" :
		    s.type == BGP_ASSEG_CONFED_SEQUENCE ? "(" :
		    s.type == BGP_ASSEG_CONFED_SET ? "[" : "";
		close = s.type == BGP_ASSEG_SET ? "}" :
		    s.type == BGP_ASSEG_CONFED_SEQUENCE ? ")" :
		    s.type == BGP_ASSEG_CONFED_SET ? "]" : "";
		for (i = 0; i < s.count && off < len; i++)
			off += (size_t)snprintf(dst + off, len - off,
			    "%s%s%" PRIu32 "%s", off > 0 ? " " : "",
			    i == 0 ? open : "", bgp_asseg_asn(&s, i),
			    i + 1 == s.count ? close : "");
	}
	if (off == 0)
		snprintf(dst, len, "empty");
}

static void
check_pfx(const char *what, size_t i, const struct prefix *p, uint32_t id,
    bool addpath, const struct tx_pfx *x)
{
	char	a[PREFIX_STRLEN], b[PREFIX_STRLEN];

	ck_assert_msg(prefix_eq(p, &x->pfx), "%s: %s %zu: codec %s, "
	    "tshark %s", where, what, i, prefix_fmt(p, a, sizeof(a)),
	    prefix_fmt(&x->pfx, b, sizeof(b)));
	ck_assert_msg(addpath == x->has_id, "%s: %s %zu (%s): path id %s "
	    "by codec, %s by tshark", where, what, i, a,
	    addpath ? "read" : "absent", x->has_id ? "shown" : "absent");
	if (addpath)
		EQ("path id", id, x->id);
}

/* One NLRI section against TShark's list, in order. */
static void
check_sec(const char *what, const struct bgp_nlri_sec *sec,
    const struct tx_pfxlist *pl)
{
	struct bgp_nlri_iter	 it;
	struct prefix		 p;
	uint32_t		 id;
	size_t			 i = 0;

	EQ(what, sec->count, pl->n);
	bgp_nlri_iter_sec(&it, sec);
	while (bgp_nlri_next(&it, &p, &id) == 1) {
		TRUE("more prefixes than tshark shows", i < pl->n);
		check_pfx(what, i, &p, id, sec->addpath, &pl->v[i]);
		i++;
	}
	EQ(what, i, pl->n);
}

/*
 * The whole-update iterators: IPv4 field first, then the MP attribute,
 * each announced prefix with the next hop of its own section.
 */
static void
check_iters(const struct bgp_update *u, const struct tx_msg *m)
{
	struct bgp_nlri_iter	 it;
	struct prefix		 p;
	uint32_t		 id;
	size_t			 i = 0, n4 = m->nlri.n;
	const struct tx_pfx	*x;
	struct ipaddr		 none;

	memset(&none, 0, sizeof(none));
	EQ("announced", bgp_update_nreach(u), n4 + m->mp_reach.n);
	bgp_nlri_iter_reach(&it, u);
	while (bgp_nlri_next(&it, &p, &id) == 1) {
		TRUE("too many announced", i < n4 + m->mp_reach.n);
		x = i < n4 ? &m->nlri.v[i] : &m->mp_reach.v[i - n4];
		check_pfx("announced", i, &p, id, x->has_id, x);
		TRUE("next hop of the prefix", ipaddr_cmp(it.nexthop,
		    i < n4 ? &m->nexthop : &m->mp_nh) == 0);
		TRUE("link-local next hop of the prefix",
		    ipaddr_cmp(it.nexthop_ll, i < n4 || m->mp_ll.family == 0 ?
		    &none : &m->mp_ll) == 0);
		i++;
	}
	EQ("announced", i, n4 + m->mp_reach.n);

	i = 0;
	n4 = m->withdrawn.n;
	EQ("withdrawn", bgp_update_nunreach(u), n4 + m->mp_unreach.n);
	bgp_nlri_iter_unreach(&it, u);
	while (bgp_nlri_next(&it, &p, &id) == 1) {
		TRUE("too many withdrawn", i < n4 + m->mp_unreach.n);
		x = i < n4 ? &m->withdrawn.v[i] : &m->mp_unreach.v[i - n4];
		check_pfx("withdrawn", i, &p, id, x->has_id, x);
		i++;
	}
	EQ("withdrawn", i, n4 + m->mp_unreach.n);
}

/* The attribute list as the codec kept it, against TShark's, in order. */
static void
check_attr_list(const struct bgp_update *u, const struct tx_msg *m)
{
	struct buf	 b = u->attrs;
	uint8_t		 flags, type, l8, seen[32];
	uint16_t	 len;
	size_t		 i = 0;
	unsigned	 t;

	memset(seen, 0, sizeof(seen));
	while (b.n > 0) {
		TRUE("attribute header", buf_get_u8(&b, &flags) == 0 &&
		    buf_get_u8(&b, &type) == 0);
		if (flags & BGP_ATTRF_EXTLEN)
			TRUE("attribute length", buf_get_u16(&b, &len) == 0);
		else {
			TRUE("attribute length", buf_get_u8(&b, &l8) == 0);
			len = l8;
		}
		TRUE("attribute value", buf_skip(&b, len) == 0);
		TRUE("more attributes than tshark shows", i < m->nattrs);
		EQ("attribute type", type, m->attrs[i].type);
		EQ("attribute flags", flags, m->attrs[i].flags);
		EQ("attribute length", len, m->attrs[i].len);
		/* known ones decoded, unknown optional transitive kept */
		ck_assert_msg(bgp_update_has(u, type) ||
		    (bit_isset(u->keep, type) &&
		    (flags & BGP_ATTRF_OPTIONAL)), "%s: attribute %u neither "
		    "decoded nor kept", where, type);
		bit_set(seen, type);
		i++;
	}
	EQ("number of attributes", i, m->nattrs);
	for (t = 0; t < 256; t++)
		if (bgp_update_has(u, t))
			ck_assert_msg(bit_isset(seen, t), "%s: attribute %u "
			    "decoded but not in the list", where, t);
}

/*
 * Attributes passed on raw: the unknown optional transitive ones (OTC,
 * type 35, in the recordings) with Partial set, and extended communities.
 */
static void
check_raw(const struct bgp_update *u, const struct tx_msg *m)
{
	struct bgp_raw_iter	 it;
	struct bgp_raw_attr	 a;
	const struct tx_attr	*x;
	size_t			 i, n = 0, want = 0;
	uint8_t			 flags;

	for (i = 0; i < m->nattrs; i++) {
		x = &m->attrs[i];
		if ((x->flags & BGP_ATTRF_OPTIONAL) &&
		    (x->flags & BGP_ATTRF_TRANSITIVE) &&
		    (!bgp_update_has(u, x->type) ||
		    x->type == BGP_ATTR_EXT_COMMUNITIES))
			want++;
	}
	bgp_raw_iter_init(&it, u);
	while (bgp_raw_next(&it, u, &a) == 1) {
		n++;
		for (i = 0; i < m->nattrs && m->attrs[i].type != a.type; i++)
			;
		ck_assert_msg(i < m->nattrs, "%s: raw attribute %u not in "
		    "tshark's list", where, a.type);
		x = &m->attrs[i];
		EQ("raw attribute length", a.len, x->len);
		flags = (uint8_t)(x->flags & ~BGP_ATTRF_EXTLEN);
		if (!bgp_update_has(u, a.type))
			flags |= BGP_ATTRF_PARTIAL;
		EQ("raw attribute flags", a.flags, flags);
		if (a.type == BGP_ATTR_EXT_COMMUNITIES && m->has_rt)
			TRUE("route target", memcmp(a.val, m->rt, 8) == 0);
	}
	EQ("raw attributes", n, want);
}

static void
check_update(const struct tx_msg *m, const uint8_t *msg, size_t len,
    const struct bgp_peer_ctx *ctx)
{
	struct bgp_update	 u;
	struct bgp_err		 e;
	enum bgp_verdict	 v;
	char			 path[TX_TEXT];
	size_t			 i;
	bool			 eor;

	v = bgp_update_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, ctx, &u,
	    &e);
	ck_assert_msg(v == BGP_OK, "%s: verdict %d (%s)", where, v,
	    e.why != NULL ? e.why : "?");
	check_attr_list(&u, m);
	check_raw(&u, m);

	if (bgp_update_has(&u, BGP_ATTR_ORIGIN))
		EQ("ORIGIN", u.origin, m->origin);
	if (bgp_update_has(&u, BGP_ATTR_AS_PATH)) {
		fmt_aspath(&u, path, sizeof(path));
		ck_assert_msg(strcmp(path, m->aspath) == 0, "%s: AS_PATH: "
		    "codec \"%s\", tshark \"%s\"", where, path, m->aspath);
	}
	if (bgp_update_has(&u, BGP_ATTR_NEXT_HOP))
		TRUE("NEXT_HOP", ipaddr_cmp(&u.nexthop, &m->nexthop) == 0);
	if (bgp_update_has(&u, BGP_ATTR_MED))
		EQ("MED", u.med, m->med);
	if (bgp_update_has(&u, BGP_ATTR_LOCAL_PREF))
		EQ("LOCAL_PREF", u.local_pref, m->local_pref);

	EQ("communities", u.communities.n / 4, m->ncomms);
	for (i = 0; i < m->ncomms; i++)
		EQ("community", get_u32(u.communities.p + 4 * i),
		    m->comms[i]);
	EQ("large communities", u.large_communities.n / 12, m->nlcomms);
	for (i = 0; i < m->nlcomms; i++) {
		const uint8_t	*c = u.large_communities.p + 12 * i;

		EQ("large community global", get_u32(c), m->lcomms[i].global);
		EQ("large community local 1", get_u32(c + 4),
		    m->lcomms[i].local1);
		EQ("large community local 2", get_u32(c + 8),
		    m->lcomms[i].local2);
	}

	EQ("MP_REACH family", u.mp_reach.aid, m->reach_aid);
	if (m->reach_aid != BGP_AID_MAX) {
		TRUE("MP next hop",
		    ipaddr_cmp(&u.mp_nexthop, &m->mp_nh) == 0);
		if (m->mp_ll.family != 0)
			TRUE("MP link-local next hop",
			    ipaddr_cmp(&u.mp_nexthop_ll, &m->mp_ll) == 0);
		else
			EQ("MP link-local next hop", u.mp_nexthop_ll.family,
			    0);
	}
	EQ("MP_UNREACH family", u.mp_unreach.aid, m->unreach_aid);

	check_sec("NLRI", &u.nlri, &m->nlri);
	check_sec("withdrawn", &u.withdrawn, &m->withdrawn);
	check_sec("MP_REACH", &u.mp_reach, &m->mp_reach);
	check_sec("MP_UNREACH", &u.mp_unreach, &m->mp_unreach);
	check_iters(&u, m);

	/* RFC 4724 2: an empty UPDATE, or a lone empty MP_UNREACH_NLRI */
	eor = m->nlri.n == 0 && m->withdrawn.n == 0 && (m->nattrs == 0 ||
	    (m->nattrs == 1 && m->attrs[0].type == BGP_ATTR_MP_UNREACH_NLRI &&
	    m->mp_unreach.n == 0));
	EQ("End-of-RIB", u.eor, eor);
	if (eor)
		EQ("End-of-RIB family", u.eor_aid, m->nattrs == 0 ?
		    BGP_AID_IPV4 : m->unreach_aid);
}

/* What the README says of the UPDATEs TShark 4.0 cannot decode. */
static void
check_big_update(const struct session *s, const uint8_t *msg, size_t len,
    const struct bgp_peer_ctx *ctx)
{
	struct bgp_update	 u;
	struct bgp_err		 e;
	struct bgp_nlri_iter	 it;
	struct prefix		 p, want;
	enum bgp_verdict	 v;
	const uint8_t		*c;
	size_t			 i;
	bool			 no_export = false;

	TRUE("oversized UPDATE expected in this session", s->big_pfx != NULL);
	TRUE("longer than 4096 bytes", len > BGP_MSG_MAX && ctx->ext_msg);
	v = bgp_update_decode(msg + BGP_HDR_LEN, len - BGP_HDR_LEN, ctx, &u,
	    &e);
	ck_assert_msg(v == BGP_OK, "%s: verdict %d (%s)", where, v,
	    e.why != NULL ? e.why : "?");
	EQ("large communities", u.large_communities.n / 12,
	    1 + s->big_series.local2);
	for (i = 0; i < s->big_series.local2; i++) {
		c = u.large_communities.p + 12 * i;
		EQ("large community global", get_u32(c),
		    s->big_series.global);
		EQ("large community local 1", get_u32(c + 4),
		    s->big_series.local1);
		EQ("large community local 2", get_u32(c + 8), i + 1);
	}
	c = u.large_communities.p + 12 * s->big_series.local2;
	EQ("last large community", get_u32(c), s->big_last.global);
	EQ("last large community", get_u32(c + 4), s->big_last.local1);
	EQ("last large community", get_u32(c + 8), s->big_last.local2);
	for (i = 0; i < u.communities.n / 4; i++)
		if (get_u32(u.communities.p + 4 * i) == NO_EXPORT)
			no_export = true;
	TRUE("NO_EXPORT", no_export);
	EQ("announced", bgp_update_nreach(&u), 1);
	EQ("withdrawn", bgp_update_nunreach(&u), 0);
	ck_assert_int_eq(prefix_parse(s->big_pfx, &want), PREFIX_OK);
	bgp_nlri_iter_reach(&it, &u);
	TRUE("announced prefix", bgp_nlri_next(&it, &p, NULL) == 1 &&
	    prefix_eq(&p, &want));
}

static void
check_notification(const struct tx_msg *m, const uint8_t *msg, size_t len)
{
	struct bgp_notification	 n;
	struct bgp_err		 e;

	TRUE("NOTIFICATION decodes",
	    bgp_notification_decode(msg, len, &n, &e) == 0);
	EQ("code", n.code, m->code);
	EQ("subcode", n.subcode, m->subcode);
	if (m->has_comm) {
		EQ("shutdown communication state", n.comm_state, BGP_COMM_OK);
		ck_assert_msg(strcmp(n.comm, m->comm) == 0, "%s: shutdown "
		    "communication: codec \"%s\", tshark \"%s\"", where,
		    n.comm, m->comm);
	} else
		TRUE("no shutdown communication",
		    n.comm_state != BGP_COMM_OK || n.comm_len == 0);
}

static void
check_rr(const struct tx_msg *m, const uint8_t *msg, size_t len,
    bool enhanced)
{
	struct bgp_rr	 rr;
	struct bgp_err	 e;

	TRUE("ROUTE-REFRESH decodes",
	    bgp_rr_decode(msg, len, enhanced, &rr, &e) == 0);
	EQ("AFI", rr.afi, m->afi);
	EQ("SAFI", rr.safi, m->safi);
	EQ("subtype", rr.subtype, m->subtype);
}

/* The first OPEN of a recorded direction. */
static void
first_open(const uint8_t *p, size_t n, struct bgp_open *o)
{
	struct bgp_msg_hdr	h;
	struct bgp_err		e;

	ck_assert_int_eq(bgp_msg_frame(p, n, NULL, &h, &e), 1);
	ck_assert_uint_eq(h.type, BGP_MSG_OPEN);
	ck_assert_int_eq(bgp_open_decode(p, h.len, o, &e), 0);
}

START_TEST(test_session)
{
	const struct session	*s = &sessions[_i];
	char			 path[128];
	unsigned char		*bgp, *rbgp, *text;
	size_t			 len, rlen, tlen, off = 0, nmsgs = 0, nbig = 0;
	struct bgp_open		 ours, peer;
	struct bgp_peer_ctx	 ctx;
	struct bgp_msg_hdr	 h;
	struct bgp_err		 e;
	struct txt		 t;
	struct tx_msg		*m;
	uint16_t		 hold;
	bool			 enhanced;

	snprintf(path, sizeof(path), "sessions/%s.bgp", s->name);
	ck_assert_msg(test_read_file(path, &bgp, &len) == 0, "%s", path);
	snprintf(path, sizeof(path), "sessions/%s.bgp", s->rev);
	ck_assert_msg(test_read_file(path, &rbgp, &rlen) == 0, "%s", path);
	snprintf(path, sizeof(path), "sessions/%s.txt", s->name);
	ck_assert_msg(test_read_file(path, &text, &tlen) == 0, "%s", path);
	text[tlen] = '\0';
	ck_assert_uint_eq(strlen((char *)text), tlen);

	/* the receiver's view: ours is the reverse direction's OPEN */
	first_open(bgp, len, &peer);
	first_open(rbgp, rlen, &ours);
	memset(&ctx, 0, sizeof(ctx));
	bgp_open_negotiate(&ours, &peer, &ctx, &hold);
	enhanced = ours.enhanced_rr && peer.enhanced_rr;

	memset(&t, 0, sizeof(t));
	t.cur = (char *)text;
	t.name = s->name;
	ck_assert_ptr_nonnull(m = malloc(sizeof(*m)));
	while (txt_next(&t, m)) {
		nmsgs++;
		EQ("message index", m->idx, nmsgs);
		bgp_err_clear(&e);
		ck_assert_msg(bgp_msg_frame(bgp + off, len - off, &ctx, &h,
		    &e) == 1, "%s: no message framed at offset %zu (%s)",
		    where, off, e.why != NULL ? e.why : "cut");
		EQ("type", h.type, m->type);
		EQ("length", h.len, m->len);
		switch (h.type) {
		case BGP_MSG_OPEN:
			check_open(m, bgp + off, h.len);
			break;
		case BGP_MSG_UPDATE:
			if (m->undecoded) {
				check_big_update(s, bgp + off, h.len, &ctx);
				nbig++;
			} else
				check_update(m, bgp + off, h.len, &ctx);
			break;
		case BGP_MSG_NOTIFICATION:
			check_notification(m, bgp + off, h.len);
			break;
		case BGP_MSG_KEEPALIVE:
			TRUE("KEEPALIVE decodes",
			    bgp_keepalive_decode(bgp + off, h.len, &e) == 0);
			break;
		case BGP_MSG_ROUTE_REFRESH:
			check_rr(m, bgp + off, h.len, enhanced);
			break;
		}
		off += h.len;
	}
	snprintf(where, sizeof(where), "%s", s->name);
	EQ("messages in the .txt header", t.nmsgs, nmsgs);
	EQ("bytes decoded", off, len);
	EQ("UPDATEs TShark did not decode", nbig, s->nbig);

	free(m);
	free(text);
	free(rbgp);
	free(bgp);
}
END_TEST

Suite *
sessions_suite(void)
{
	Suite	*s = suite_create("sessions");
	TCase	*tc = tcase_create("recorded");

	tcase_add_loop_test(tc, test_session, 0, (int)NSESSIONS);
	suite_add_tcase(s, tc);
	return s;
}
