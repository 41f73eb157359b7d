/*
 * control: the control sockets; see control.h and podbgpctl(8).
 *
 * Each client is a bufferevent. A request line is parsed (ctl_cmd) and
 * its reply produced by a generator that writes one item at a time into
 * the bufferevent's output: the generator runs while the output holds
 * less than CTL_OUT_HIGH bytes and at most CTL_STEP_BUDGET items per loop
 * turn, and is called again when the output drains below the low mark or,
 * if it stopped on its budget, on the next loop turn. Requests that arrive
 * while a reply is being produced wait in the input buffer, whose size is
 * bounded by the read watermark; they are taken up, without recursion,
 * once the reply is complete.
 */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/rtnetlink.h>
#include <net/if.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>

#include "bgp.h"
#include "bgp_fsm.h"
#include "control.h"
#include "ctl_cmd.h"
#include "fib.h"
#include "kube.h"
#include "log.h"
#include "policy.h"
#include "session.h"
#include "xmalloc.h"

/* Produce more only while the output holds less than this. */
#define CTL_OUT_HIGH		(64 * 1024)
/* Ask for more when it has drained to this. */
#define CTL_OUT_LOW		(16 * 1024)
/* Requests waiting while a reply is produced: the input stops here. */
#define CTL_IN_MAX		(4 * CTL_LINE_MAX)
/* Items (prefixes, sessions, nodes) visited per loop turn and client. */
#define CTL_STEP_BUDGET		1024

struct peer_name {
	char		 name[CTL_NAME_MAX + 1];	/* "" if none */
	char		 addr[IPADDR_STRLEN];
	bool		 set;
};

struct proto_snap;

struct client {
	TAILQ_ENTRY(client)	 entry;
	struct bufferevent	*bev;
	struct event		*ev_more;	/* continue next loop turn */
	bool			 ro;		/* read-only socket */
	bool			 eof;		/* the client sent all it will */
	bool			 dead;		/* read no more requests */
	/* the reply in progress */
	bool			 busy;
	struct ctl_cmd		 cmd;
	int			 phase;
	size_t			 idx;		/* sessions, nodes */
	unsigned		 aid;		/* route walk: family */
	struct rib_cursor	 cur;
	int			 proto_peer;	/* protocol NAME; -1: any */
	bool			 first;		/* JSON: no comma yet */
	size_t			 nprefixes, npaths;
	size_t			 wname;		/* column width */
	struct peer_name	*names;		/* by RIB peer id */
	size_t			 nnames;
	struct proto_snap	*snap;		/* show protocols */
	size_t			 nsnap;
	/* show fib, table kernel, explain */
	struct fib_cursor	 fcur;
	struct fib_entry	 fent;		/* scratch */
	size_t			 fstale, fforeign, fqueued, funknown;
	size_t			 fdiff, nmissing;
	struct prefix		 xprefix;	/* explain: the prefix */
	bool			 xhave;
	bool			 down;		/* stop once the reply is out */
};

struct listener {
	int		 fd;
	struct event	*ev;
	char		*path;
	dev_t		 dev;
	ino_t		 ino;
	bool		 ro;
};

static struct {
	struct event_base		*base;
	const struct control_state	*st;
	struct listener			 ls[2];
	size_t				 nls;
	TAILQ_HEAD(, client)		 clients;
	size_t				 nclients;
} C;

static void	client_free(struct client *);
static void	client_input(struct client *);
static void	fill(struct client *);

/* --- output helpers --------------------------------------------------- */

static struct evbuffer *
out(struct client *cl)
{
	return bufferevent_get_output(cl->bev);
}

/* One reply line: code, '-' or ' ', the text, newline. */
static void
line(struct client *cl, unsigned code, bool last, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void
line(struct client *cl, unsigned code, bool last, const char *fmt, ...)
{
	va_list	ap;

	evbuffer_add_printf(out(cl), "%04u%c", code, last ? ' ' : '-');
	va_start(ap, fmt);
	evbuffer_add_vprintf(out(cl), fmt, ap);
	va_end(ap);
	evbuffer_add(out(cl), "\n", 1);
}

static void
done(struct client *cl)
{
	line(cl, CTL_OK, true, "ok");
	cl->busy = false;
}

static char	*jstr(const char *, char *, size_t);
static void	 json_error(struct client *, unsigned, const char *,
		    const char *const *, size_t);

static void
error_reply(struct client *cl, unsigned code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
error_reply(struct client *cl, unsigned code, const char *fmt, ...)
{
	char	text[CTL_ERR_LEN + 64];
	va_list	ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	if (cl->cmd.json)
		json_error(cl, code, text, NULL, 0);
	else
		line(cl, code, true, "%s", text);
	cl->busy = false;
}

/* A JSON string with its quotes, escaped, into dst (len > 2). */
static char *
jstr(const char *s, char *dst, size_t len)
{
	size_t	o = 0;

	if (s == NULL) {
		snprintf(dst, len, "null");
		return dst;
	}
	dst[o++] = '"';
	for (; *s != '\0' && o + 8 < len; s++) {
		unsigned char	ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\') {
			dst[o++] = '\\';
			dst[o++] = (char)ch;
		} else if (ch < 0x20)
			o += (size_t)snprintf(dst + o, len - o, "\\u%04x",
			    ch);
		else
			dst[o++] = (char)ch;
	}
	dst[o++] = '"';
	dst[o] = '\0';
	return dst;
}

/*
 * An error as the last line of a JSON reply, under its own code:
 * {"error": {"code": N, "message": "...", "details": [...]}}.
 */
static void
json_error(struct client *cl, unsigned code, const char *msg,
    const char *const *details, size_t nd)
{
	char	j[2 * CTL_ERR_LEN + 64];
	size_t	i;

	evbuffer_add_printf(out(cl), "%04u {\"error\": {\"code\": %u, "
	    "\"message\": %s", code, code, jstr(msg, j, sizeof(j)));
	if (details != NULL) {
		evbuffer_add_printf(out(cl), ", \"details\": [");
		for (i = 0; i < nd; i++)
			evbuffer_add_printf(out(cl), "%s%s", i > 0 ? ", " : "",
			    jstr(details[i], j, sizeof(j)));
		evbuffer_add_printf(out(cl), "]");
	}
	evbuffer_add(out(cl), "}}\n", 3);
}

static void
fmt_id(uint32_t id, char *dst, size_t len)
{
	snprintf(dst, len, "%u.%u.%u.%u", id >> 24, (id >> 16) & 0xff,
	    (id >> 8) & 0xff, id & 0xff);
}

/* "1d02:03:04" or "02:03:04" */
static void
fmt_dur(uint64_t ms, char *dst, size_t len)
{
	uint64_t	s = ms / 1000;

	if (s >= 86400)
		snprintf(dst, len, "%" PRIu64 "d%02" PRIu64 ":%02" PRIu64
		    ":%02" PRIu64, s / 86400, s / 3600 % 24, s / 60 % 60,
		    s % 60);
	else
		snprintf(dst, len, "%02" PRIu64 ":%02" PRIu64 ":%02" PRIu64,
		    s / 3600, s / 60 % 60, s % 60);
}

/* --- show status ------------------------------------------------------ */

static const char *
source_name(const struct conf *c)
{
	return c->nodes_source == CONF_NODES_FILE ? "file" : "kubernetes";
}

static void
show_status(struct client *cl)
{
	const struct control_state	*st = C.st;
	const struct conf		*c = st->conf;
	char				 id[16], up[32], when[64], j[4][300];
	uint64_t			 upms = log_now_ms() - st->start_ms;
	time_t				 t = (time_t)st->start_time;
	struct tm			 tm;
	size_t				 nn = st->nodes != NULL ?
					    st->nodes->n : 0;

	struct kube_status		 ks;
	char				 kst[160], kj[500];
	uint32_t			 rid = session_router_id();

	fmt_id(rid, id, sizeof(id));
	fmt_dur(upms, up, sizeof(up));
	memset(&ks, 0, sizeof(ks));
	kst[0] = '\0';
	if (c->nodes_source == CONF_NODES_KUBERNETES && st->kube != NULL) {
		kube_status(st->kube, &ks);
		if (ks.state == KUBE_BACKOFF)
			snprintf(kst, sizeof(kst), "backing off %" PRIu64
			    " s", (ks.backoff_until_ms > log_now_ms() ?
			    ks.backoff_until_ms - log_now_ms() : 0) / 1000 + 1);
		else
			snprintf(kst, sizeof(kst), "%s",
			    kube_state_name(ks.state));
	} else if (c->nodes_source == CONF_NODES_KUBERNETES)
		snprintf(kst, sizeof(kst), "not running");
	if (cl->cmd.json && c->nodes_source == CONF_NODES_KUBERNETES) {
		char	a[300], b[300], e[300];

		snprintf(kj, sizeof(kj), ", \"kubernetes\": {\"state\": "
		    "\"%s\", \"synced\": %s, \"server\": %s, "
		    "\"resource_version\": %s, \"last_error\": %s, "
		    "\"lists\": %" PRIu64 ", \"relists\": %" PRIu64 ", "
		    "\"watches\": %" PRIu64 ", \"events\": %" PRIu64 ", "
		    "\"errors\": %" PRIu64 "}", kst, ks.synced ? "true" :
		    "false", jstr(ks.server, a, sizeof(a)),
		    jstr(ks.resource_version, b, sizeof(b)),
		    jstr(ks.last_error[0] != '\0' ? ks.last_error : NULL, e,
		    sizeof(e)), ks.lists, ks.relists, ks.watches, ks.events,
		    ks.errors);
	} else
		kj[0] = '\0';
	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (cl->cmd.json) {
		line(cl, CTL_R_JSON, false, "{\"version\": %s, \"node\": %s, "
		    "\"router_id\": \"%s\", \"asn\": %u, \"started\": \"%s\", "
		    "\"uptime_s\": %" PRIu64 ", \"node_source\": %s, "
		    "\"nodes_file\": %s, \"nodes\": %zu, \"peers_configured\": "
		    "%zu%s}",
		    jstr(PACKAGE_VERSION, j[0], sizeof(j[0])),
		    jstr(st->node_name, j[1], sizeof(j[1])), id,
		    session_local_asn(), when,
		    upms / 1000, jstr(source_name(c), j[2], sizeof(j[2])),
		    jstr(c->nodes_source == CONF_NODES_FILE ? c->nodes_file :
		    NULL, j[3], sizeof(j[3])), nn, c->npeers, kj);
		done(cl);
		return;
	}
	line(cl, CTL_R_STATUS, false, "podbgpd %s", PACKAGE_VERSION);
	line(cl, CTL_R_STATUS, false, "Node:         %s", st->node_name);
	line(cl, CTL_R_STATUS, false, "Router ID:    %s%s", id,
	    rid == 0 ? " (unset: waiting for this node's InternalIP)" :
	    c->router_id == 0 ? " (the node's InternalIP)" : "");
	line(cl, CTL_R_STATUS, false, "AS:           %u%s",
	    session_local_asn(), session_local_asn() != c->asn ?
	    " (the node's annotation)" : "");
	line(cl, CTL_R_STATUS, false, "Started:      %s, up %s", when, up);
	if (c->nodes_source == CONF_NODES_FILE)
		line(cl, CTL_R_STATUS, false, "Node source:  file %s, %zu "
		    "nodes", c->nodes_file != NULL ? c->nodes_file : "-", nn);
	else {
		line(cl, CTL_R_STATUS, false, "Node source:  kubernetes %s, "
		    "%s, %zu nodes%s", ks.server[0] != '\0' ? ks.server :
		    "-", kst, nn, ks.synced ? "" : " (not synced yet)");
		if (ks.resource_version[0] != '\0')
			line(cl, CTL_R_STATUS, false, "              "
			    "resourceVersion %s, %" PRIu64 " lists, %" PRIu64
			    " watches, %" PRIu64 " events, %" PRIu64 " errors",
			    ks.resource_version, ks.lists, ks.watches,
			    ks.events, ks.errors);
		if (ks.last_error[0] != '\0')
			line(cl, CTL_R_STATUS, false, "              last "
			    "error: %s", ks.last_error);
	}
	line(cl, CTL_R_STATUS, false, "Peers:        %zu configured",
	    c->npeers);
	done(cl);
}

/* --- sessions --------------------------------------------------------- */

/*
 * show protocols works on a copy taken when the request starts: sessions
 * may come and go while a long reply goes out, and their names and
 * counters with them.
 */
struct proto_snap {
	struct session_info	 si;	/* name and policy: set when shown */
	char			*name;
	struct policy_peer	 pp;	/* the counters only */
};

static void
snap_free(struct client *cl)
{
	size_t	i;

	for (i = 0; i < cl->nsnap; i++)
		free(cl->snap[i].name);
	free(cl->snap);
	cl->snap = NULL;
	cl->nsnap = 0;
}

static const char *
si_name(const struct session_info *si, char *addr, size_t len)
{
	ipaddr_fmt(&si->addr, addr, len);
	return si->name != NULL ? si->name : addr;
}

/* A session is picked by its name or its address. */
static bool
si_matches(const struct session_info *si, const char *want)
{
	char	addr[IPADDR_STRLEN];

	if (want[0] == '\0')
		return true;
	ipaddr_fmt(&si->addr, addr, sizeof(addr));
	return (si->name != NULL && strcmp(si->name, want) == 0) ||
	    strcmp(addr, want) == 0;
}

static void
names_cb(const struct session_info *si, void *arg)
{
	struct client	*cl = arg;
	struct peer_name *pn;

	if (si->rib_peer < 0)
		return;
	if ((size_t)si->rib_peer >= cl->nnames) {
		size_t	n = (size_t)si->rib_peer + 16;

		cl->names = xreallocarray(cl->names, n, sizeof(*cl->names));
		memset(cl->names + cl->nnames, 0,
		    (n - cl->nnames) * sizeof(*cl->names));
		cl->nnames = n;
	}
	pn = &cl->names[si->rib_peer];
	pn->set = true;
	ipaddr_fmt(&si->addr, pn->addr, sizeof(pn->addr));
	snprintf(pn->name, sizeof(pn->name), "%s",
	    si->name != NULL ? si->name : pn->addr);
}

/* RIB peer id to session name; refreshed before each chunk, as peers
 * come and go while a long reply is produced. */
static void
refresh_names(struct client *cl)
{
	size_t	i;

	for (i = 0; i < cl->nnames; i++)
		cl->names[i].set = false;
	session_foreach(names_cb, cl);
}

static void
err_text(const struct session_info *si, char *dst, size_t len)
{
	if (si->last_err_code == 0) {
		dst[0] = '\0';
		return;
	}
	snprintf(dst, len, "%s %s/%s", si->last_err_sent ? "sent" :
	    "received", bgp_err_code_name(si->last_err_code),
	    bgp_err_subcode_name(si->last_err_code, si->last_err_subcode));
}

static void
capa_text(uint8_t capa, char *dst, size_t len, bool json)
{
	static const struct {
		uint8_t		 bit;
		const char	*name;
	} names[] = {
		{ SESSION_CAPA_AS4, "4-octet AS" },
		{ SESSION_CAPA_RR, "route refresh" },
		{ SESSION_CAPA_ERR, "enhanced route refresh" },
		{ SESSION_CAPA_GR, "graceful restart" },
		{ SESSION_CAPA_EXT_MSG, "extended messages" },
	};
	size_t	i, o = 0;

	dst[0] = '\0';
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if ((capa & names[i].bit) == 0 || o >= len)
			continue;
		o += (size_t)snprintf(dst + o, len - o, json ? "%s\"%s\"" :
		    "%s%s", o > 0 ? ", " : "", names[i].name);
	}
	if (o == 0 && !json)
		snprintf(dst, len, "none");
}

static void
families_text(uint8_t fam, char *dst, size_t len, bool json)
{
	snprintf(dst, len, "%s%s%s", fam & 1 ? (json ? "\"ipv4-unicast\"" :
	    "IPv4 unicast") : "", (fam & 3) == 3 ? ", " : "",
	    fam & 2 ? (json ? "\"ipv6-unicast\"" : "IPv6 unicast") : "");
	if (fam == 0 && !json)
		snprintf(dst, len, "none");
}

static void
proto_json(struct client *cl, const struct session_info *si)
{
	char		 addr[IPADDR_STRLEN], j[2][300], et[160], capa[160];
	char		 fam[64], rej[1024], id[16];
	uint64_t	 since = log_now_ms() - si->since_ms;
	const struct policy_peer *pp = si->policy;
	size_t		 o = 0;
	int		 r;

	ipaddr_fmt(&si->addr, addr, sizeof(addr));
	err_text(si, et, sizeof(et));
	evbuffer_add_printf(out(cl), "%04u-%s{\"name\": %s, \"address\": "
	    "\"%s\", \"asn\": %u, \"kind\": \"%s\", \"state\": \"%s\", "
	    "\"since_s\": %" PRIu64 ", \"prefixes_received\": %" PRIu64 ", "
	    "\"prefixes_accepted\": %u, \"prefixes_advertised\": %u, "
	    "\"advertises_learned\": %s, \"disabled\": %s, "
	    "\"last_error\": %s",
	    CTL_R_JSON, cl->first ? "" : ",",
	    jstr(si->name, j[0], sizeof(j[0])), addr, si->asn,
	    si->node ? "node" : "peer", bgp_fsm_state_name(si->state),
	    since / 1000, si->prefixes_rx, si->prefixes_accepted,
	    si->advertised_own, si->learned_exportable ? "true" : "false",
	    si->disabled ? "true" : "false",
	    et[0] != '\0' ? jstr(et, j[1], sizeof(j[1])) : "null");
	cl->first = false;
	if (cl->cmd.all) {
		capa_text(si->capa, capa, sizeof(capa), true);
		families_text(si->families, fam, sizeof(fam), true);
		fmt_id(si->remote_id, id, sizeof(id));
		rej[0] = '\0';
		for (r = 1; pp != NULL && r < POLICY_REASON_MAX; r++) {
			if (pp->rejected[r] == 0 || o >= sizeof(rej))
				continue;
			o += (size_t)snprintf(rej + o, sizeof(rej) - o,
			    "%s\"%s\": %" PRIu64, o > 0 ? ", " : "",
			    policy_reason_name(r), pp->rejected[r]);
		}
		evbuffer_add_printf(out(cl), ", \"remote_id\": \"%s\", "
		    "\"hold_time\": %u, \"hold_time_configured\": %u, "
		    "\"keepalive\": %u, \"capabilities\": [%s], "
		    "\"families\": [%s], \"updates_received\": %" PRIu64 ", "
		    "\"withdrawals_received\": %" PRIu64 ", "
		    "\"announcements_accepted\": %" PRIu64 ", "
		    "\"rejected\": {%s}", id, si->hold_time, si->hold_conf,
		    si->keepalive_ms / 1000, capa, fam, si->updates_rx,
		    si->withdrawals_rx, pp != NULL ? pp->accepted : 0, rej);
		families_text(si->eor_received & si->families, fam,
		    sizeof(fam), true);
		evbuffer_add_printf(out(cl), ", \"graceful_restart\": "
		    "{\"negotiated\": %s, \"peer_restarting\": %s, "
		    "\"stale_timer_s\": ", si->capa & SESSION_CAPA_GR ?
		    "true" : "false", si->gr_peer_restarting ? "true" :
		    "false");
		if (si->gr_peer_restarting)
			evbuffer_add_printf(out(cl), "%" PRIu64 ", "
			    "\"stale_paths_marked\": %zu",
			    (si->gr_stale_left_ms + 999) / 1000,
			    si->gr_stale_marked);
		else
			evbuffer_add_printf(out(cl), "null");
		evbuffer_add_printf(out(cl), ", \"restart_bit_sent\": %s, "
		    "\"eor_sent\": %s, \"eor_received\": [%s]}",
		    si->gr_restart_bit ? "true" : "false",
		    si->eor_sent ? "true" : "false", fam);
	}
	evbuffer_add(out(cl), "}\n", 2);
}

static void
proto_text(struct client *cl, const struct session_info *si)
{
	const struct policy_peer *pp = si->policy;
	char		 addr[IPADDR_STRLEN], since[32], et[160], buf[160];
	char		 id[16];
	int		 r;
	bool		 any = false;

	fmt_dur(log_now_ms() - si->since_ms, since, sizeof(since));
	err_text(si, et, sizeof(et));
	line(cl, CTL_R_PROTOCOLS, false, "%-*s %-15s %-10u %-11s %-10s "
	    "%8" PRIu64 " %8u %10u  %s", (int)cl->wname,
	    si_name(si, addr, sizeof(addr)), addr, si->asn,
	    si->disabled && si->state == BGP_FSM_IDLE ? "Disabled" :
	    bgp_fsm_state_name(si->state), since, si->prefixes_rx,
	    si->prefixes_accepted, si->advertised_own, et);
	if (!cl->cmd.all)
		return;
	fmt_id(si->remote_id, id, sizeof(id));
	line(cl, CTL_R_PROTO_DETAIL, false, "  Kind:             %s",
	    si->node ? "cluster node" : "configured peer");
	line(cl, CTL_R_PROTO_DETAIL, false, "  Remote router ID: %s",
	    si->remote_id != 0 ? id : "-");
	line(cl, CTL_R_PROTO_DETAIL, false, "  Hold time:        %u s "
	    "(configured %u s), keepalive %u s", si->hold_time,
	    si->hold_conf, si->keepalive_ms / 1000);
	capa_text(si->capa, buf, sizeof(buf), false);
	line(cl, CTL_R_PROTO_DETAIL, false, "  Capabilities:     %s", buf);
	families_text(si->families, buf, sizeof(buf), false);
	line(cl, CTL_R_PROTO_DETAIL, false, "  Families:         %s", buf);
	line(cl, CTL_R_PROTO_DETAIL, false, "  Received:         %" PRIu64
	    " updates, %" PRIu64 " prefixes announced, %" PRIu64
	    " withdrawn", si->updates_rx, si->prefixes_rx,
	    si->withdrawals_rx);
	line(cl, CTL_R_PROTO_DETAIL, false, "  Accepted:         %" PRIu64
	    " announcements, %u prefixes held",
	    pp != NULL ? pp->accepted : 0, si->prefixes_accepted);
	for (r = 1; pp != NULL && r < POLICY_REASON_MAX; r++) {
		if (pp->rejected[r] == 0)
			continue;
		line(cl, CTL_R_PROTO_DETAIL, false, "  %s %-28s %" PRIu64,
		    any ? "         " : "Rejected:", policy_reason_name(r),
		    pp->rejected[r]);
		any = true;
	}
	if (!any)
		line(cl, CTL_R_PROTO_DETAIL, false, "  Rejected:         "
		    "none");
	line(cl, CTL_R_PROTO_DETAIL, false, "  Advertised:       %u own "
	    "pod CIDRs exported now%s", si->advertised_own,
	    si->learned_exportable ? "; learned routes may go out too (not "
	    "counted)" : "");
	if (si->gr_peer_restarting)
		snprintf(buf, sizeof(buf), "peer restarting: its paths "
		    "held as stale (%zu when it went down), %" PRIu64
		    " s left", si->gr_stale_marked,
		    (si->gr_stale_left_ms + 999) / 1000);
	else
		snprintf(buf, sizeof(buf), "peer not restarting");
	/* while the peer restarts there is no session to have negotiated */
	line(cl, CTL_R_PROTO_DETAIL, false, "  Graceful restart: %s%s%s",
	    si->gr_peer_restarting ? "" : si->capa & SESSION_CAPA_GR ?
	    "negotiated" : "not negotiated", si->gr_peer_restarting ? "" :
	    "; ", buf);
	families_text(si->eor_received & si->families, buf, sizeof(buf),
	    false);
	line(cl, CTL_R_PROTO_DETAIL, false, "  End-of-RIB:       sent %s, "
	    "received %s%s", si->eor_sent ? "yes" : "no", buf,
	    si->gr_restart_bit ? "; our OPENs say restarting (R bit)" : "");
	line(cl, CTL_R_PROTO_DETAIL, false, "  Last error:       %s",
	    et[0] != '\0' ? et : "none");
}

static void
snap_cb(const struct session_info *si, void *arg)
{
	struct client		*cl = arg;
	struct proto_snap	*ps;
	char			 addr[IPADDR_STRLEN];
	size_t			 w;

	if (!si_matches(si, cl->cmd.name))
		return;
	cl->snap = xreallocarray(cl->snap, cl->nsnap + 1, sizeof(*cl->snap));
	ps = &cl->snap[cl->nsnap++];
	memset(ps, 0, sizeof(*ps));
	ps->si = *si;
	ps->name = si->name != NULL ? xstrdup(si->name) : NULL;
	if (si->policy != NULL) {
		ps->pp.accepted = si->policy->accepted;
		memcpy(ps->pp.rejected, si->policy->rejected,
		    sizeof(ps->pp.rejected));
		ps->pp.prefixes = si->policy->prefixes;
	}
	w = strlen(si_name(si, addr, sizeof(addr)));
	if (w > cl->wname)
		cl->wname = w;
}

/* One step of show protocols: phase 0 header, 1 sessions, 2 end. */
static void
show_protocols(struct client *cl)
{
	struct proto_snap	*ps;

	switch (cl->phase) {
	case 0:
		cl->wname = 4;
		snap_free(cl);
		session_foreach(snap_cb, cl);
		if (cl->cmd.name[0] != '\0' && cl->nsnap == 0) {
			error_reply(cl, CTL_E_NO_PROTOCOL, "no protocol "
			    "named %s", cl->cmd.name);
			return;
		}
		if (cl->cmd.json)
			line(cl, CTL_R_JSON, false, "{\"protocols\": [");
		else
			line(cl, CTL_R_PROTOCOLS, false, "%-*s %-15s %-10s "
			    "%-11s %-10s %8s %8s %10s  %s", (int)cl->wname,
			    "Name", "Address", "AS", "State", "Since",
			    "Received", "Accepted", "Advertised", "Info");
		cl->phase = 1;
		return;
	case 1:
		if (cl->idx >= cl->nsnap) {
			cl->phase = 2;
			return;
		}
		ps = &cl->snap[cl->idx++];
		ps->si.name = ps->name;
		ps->si.policy = &ps->pp;
		if (cl->cmd.json)
			proto_json(cl, &ps->si);
		else
			proto_text(cl, &ps->si);
		return;
	default:
		snap_free(cl);
		if (cl->cmd.json)
			line(cl, CTL_R_JSON, false, "]}");
		done(cl);
	}
}

/* --- show route ------------------------------------------------------- */

static const char *
origin_name(uint8_t o)
{
	return o == 0 ? "IGP" : o == 1 ? "EGP" : "incomplete";
}

/* The AS path as text ("65001 {65002 65003}") or JSON numbers. */
static void
aspath_text(const struct bgp_attr_set *a, char *dst, size_t len, bool json)
{
	struct bgp_aspath_iter	it;
	struct bgp_asseg	seg;
	size_t			o = 0;
	unsigned		i;
	bool			set;

	dst[0] = '\0';
	if (a->aspath == NULL || a->aspath_len == 0)
		return;
	bgp_aspath_iter_raw(&it, a->aspath, a->aspath_len, 4);
	while (bgp_aspath_next(&it, &seg) == 1 && o + 16 < len) {
		set = seg.type == BGP_ASSEG_SET ||
		    seg.type == BGP_ASSEG_CONFED_SET;
		if (set && !json)
			o += (size_t)snprintf(dst + o, len - o, "%s{",
			    o > 0 ? " " : "");
		for (i = 0; i < seg.count && o + 16 < len; i++)
			o += (size_t)snprintf(dst + o, len - o, "%s%u",
			    o > 0 && !(set && !json && i == 0) ?
			    (json ? ", " : " ") : "", bgp_asseg_asn(&seg, i));
		if (set && !json)
			o += (size_t)snprintf(dst + o, len - o, "}");
	}
}

static void
path_from(struct client *cl, const struct rib_path *p, char *dst,
    size_t len)
{
	const struct rib_peer	*rp = rib_peer_get(C.st->rib, p->peer);

	if (rp != NULL && (rp->flags & RIB_PEER_LOCAL))
		snprintf(dst, len, "self");
	else if (p->peer < cl->nnames && cl->names[p->peer].set)
		snprintf(dst, len, "%s", cl->names[p->peer].name);
	else if (rp != NULL)
		ipaddr_fmt(&rp->addr, dst, len);
	else
		snprintf(dst, len, "?");
}

static void
comm_text(const struct bgp_attr_set *a, char *dst, size_t len, bool json)
{
	size_t	i, o = 0;

	dst[0] = '\0';
	for (i = 0; i < a->ncommunities && o + 32 < len; i++)
		o += (size_t)snprintf(dst + o, len - o, json ? "%s\"%u:%u\"" :
		    "%s(%u,%u)", i > 0 ? (json ? ", " : " ") : "",
		    a->communities[i] >> 16, a->communities[i] & 0xffff);
}

static void
lcomm_text(const struct bgp_attr_set *a, char *dst, size_t len, bool json)
{
	size_t	i, o = 0;

	dst[0] = '\0';
	for (i = 0; i < a->nlcomms && o + 48 < len; i++)
		o += (size_t)snprintf(dst + o, len - o, json ?
		    "%s\"%u:%u:%u\"" : "%s(%u,%u,%u)",
		    i > 0 ? (json ? ", " : " ") : "", a->lcomms[i].global,
		    a->lcomms[i].local1, a->lcomms[i].local2);
}

static void
route_json(struct client *cl, const struct rib_entry *e)
{
	const struct bgp_attr_set	*a;
	const struct rib_path		*p;
	char				 pfx[PREFIX_STRLEN], nh[IPADDR_STRLEN];
	char				 from[CTL_NAME_MAX + 1], j[160];
	char				 asp[1024], cm[1024], lc[1024], id[16];
	size_t				 i, np = 0;

	prefix_fmt(&e->prefix, pfx, sizeof(pfx));
	evbuffer_add_printf(out(cl), "%04u-%s{\"prefix\": \"%s\", "
	    "\"paths\": [", CTL_R_JSON, cl->first ? "" : ",", pfx);
	cl->first = false;
	for (i = 0; i < e->npaths; i++) {
		p = &e->paths[i];
		if (cl->proto_peer >= 0 && p->peer != cl->proto_peer)
			continue;
		a = p->attr;
		ipaddr_fmt(&a->nexthop, nh, sizeof(nh));
		path_from(cl, p, from, sizeof(from));
		aspath_text(a, asp, sizeof(asp), true);
		evbuffer_add_printf(out(cl), "%s{\"best\": %s, \"selected\": "
		    "%s, \"nexthop\": \"%s\", \"from\": %s, \"as_path\": [%s], "
		    "\"origin\": \"%s\"", np++ > 0 ? ", " : "",
		    i == 0 && e->nbest > 0 ? "true" : "false",
		    i < e->nbest ? "true" : "false", nh,
		    jstr(from, j, sizeof(j)), asp, origin_name(a->origin));
		if (cl->cmd.all) {
			comm_text(a, cm, sizeof(cm), true);
			lcomm_text(a, lc, sizeof(lc), true);
			evbuffer_add_printf(out(cl), ", \"path_id\": %u, "
			    "\"stale\": %s, \"nexthop_unreachable\": %s, "
			    "\"communities\": [%s], \"large_communities\": "
			    "[%s]", p->path_id,
			    p->flags & RIB_PF_STALE ? "true" : "false",
			    p->flags & RIB_PF_NH_UNREACH ? "true" : "false",
			    cm, lc);
			if (a->flags & BGP_AS_LOCAL_PREF)
				evbuffer_add_printf(out(cl), ", "
				    "\"local_pref\": %u", a->local_pref);
			if (a->flags & BGP_AS_MED)
				evbuffer_add_printf(out(cl), ", \"med\": %u",
				    a->med);
			if (a->flags & BGP_AS_ORIGINATOR_ID) {
				fmt_id(a->originator_id, id, sizeof(id));
				evbuffer_add_printf(out(cl), ", "
				    "\"originator_id\": \"%s\"", id);
			}
			if (a->ncluster > 0)
				evbuffer_add_printf(out(cl), ", "
				    "\"cluster_list_length\": %zu",
				    a->ncluster);
		}
		evbuffer_add(out(cl), "}", 1);
	}
	evbuffer_add(out(cl), "]}\n", 3);
}

static void
route_text(struct client *cl, const struct rib_entry *e)
{
	const struct bgp_attr_set	*a;
	const struct rib_path		*p;
	char				 pfx[PREFIX_STRLEN], nh[IPADDR_STRLEN];
	char				 from[CTL_NAME_MAX + 1], asp[1024];
	char				 buf[1024], id[16];
	size_t				 i;
	bool				 firstp = true;

	prefix_fmt(&e->prefix, pfx, sizeof(pfx));
	for (i = 0; i < e->npaths; i++) {
		p = &e->paths[i];
		if (cl->proto_peer >= 0 && p->peer != cl->proto_peer)
			continue;
		a = p->attr;
		ipaddr_fmt(&a->nexthop, nh, sizeof(nh));
		path_from(cl, p, from, sizeof(from));
		aspath_text(a, asp, sizeof(asp), false);
		line(cl, CTL_R_ROUTE, false, "%-18s %c %-15s %-12s %s",
		    firstp ? pfx : "", i == 0 && e->nbest > 0 ? '*' :
		    i < e->nbest ? '=' : ' ', nh, from,
		    asp[0] != '\0' ? asp : "(empty)");
		firstp = false;
		if (!cl->cmd.all)
			continue;
		line(cl, CTL_R_ROUTE_DETAIL, false, "    origin %s%s%s",
		    origin_name(a->origin), p->flags & RIB_PF_STALE ?
		    ", stale" : "", p->flags & RIB_PF_NH_UNREACH ?
		    ", next hop unreachable" : "");
		if (a->flags & BGP_AS_LOCAL_PREF)
			line(cl, CTL_R_ROUTE_DETAIL, false, "    local-pref "
			    "%u", a->local_pref);
		if (a->flags & BGP_AS_MED)
			line(cl, CTL_R_ROUTE_DETAIL, false, "    med %u",
			    a->med);
		if (a->ncommunities > 0) {
			comm_text(a, buf, sizeof(buf), false);
			line(cl, CTL_R_ROUTE_DETAIL, false, "    communities "
			    "%s", buf);
		}
		if (a->nlcomms > 0) {
			lcomm_text(a, buf, sizeof(buf), false);
			line(cl, CTL_R_ROUTE_DETAIL, false, "    large "
			    "communities %s", buf);
		}
		if (a->flags & BGP_AS_ORIGINATOR_ID) {
			fmt_id(a->originator_id, id, sizeof(id));
			line(cl, CTL_R_ROUTE_DETAIL, false, "    originator "
			    "%s", id);
		}
		if (p->path_id != 0)
			line(cl, CTL_R_ROUTE_DETAIL, false, "    path id %u",
			    p->path_id);
	}
}

static bool
entry_wanted(struct client *cl, const struct rib_entry *e, size_t *np)
{
	size_t	i;

	if (cl->proto_peer < 0) {
		*np = e->npaths;
		return e->npaths > 0;
	}
	*np = 0;
	for (i = 0; i < e->npaths; i++)
		if (e->paths[i].peer == cl->proto_peer)
			(*np)++;
	return *np > 0;
}

/*
 * One step of a walk over the Loc-RIB for show route and show fib: the
 * one prefix the command names (then phase done), or the next of the
 * table, family after family (then done at the end). emit gets each.
 */
static void
rib_step(struct client *cl,
    void (*emit)(struct client *, const struct rib_entry *), int done)
{
	struct rib_entry	e;
	int			found;

	if (cl->cmd.match != CTL_MATCH_ANY) {
		if (cl->cmd.match == CTL_MATCH_PREFIX)
			found = rib_lookup(C.st->rib, &cl->cmd.prefix, &e);
		else
			found = rib_match_addr(C.st->rib, &cl->cmd.addr, &e);
		if (found)
			emit(cl, &e);
		cl->phase = done;
		return;
	}
	if (rib_dump_next(C.st->rib, &cl->cur, &e) == 1) {
		emit(cl, &e);
		return;
	}
	if (++cl->aid < BGP_AID_MAX) {
		rib_cursor_init(&cl->cur, cl->aid);
		return;
	}
	cl->phase = done;
}

static void
route_emit(struct client *cl, const struct rib_entry *e)
{
	size_t	np;

	if (!entry_wanted(cl, e, &np))
		return;
	cl->nprefixes++;
	cl->npaths += np;
	if (cl->cmd.count)
		return;
	if (cl->cmd.json)
		route_json(cl, e);
	else
		route_text(cl, e);
}

struct find_peer {
	const char	*name;
	int		 peer;
	bool		 found;
};

static void
find_peer_cb(const struct session_info *si, void *arg)
{
	struct find_peer	*f = arg;

	if (!f->found && si_matches(si, f->name)) {
		f->found = true;
		f->peer = si->rib_peer;
	}
}

/*
 * show route: phase 0 checks and header, 1 the walk (or the single
 * lookup), 2 the end.
 */
static void
show_route(struct client *cl)
{
	struct find_peer	f;

	switch (cl->phase) {
	case 0:
		cl->proto_peer = -1;
		if (cl->cmd.proto[0] != '\0') {
			memset(&f, 0, sizeof(f));
			f.name = cl->cmd.proto;
			session_foreach(find_peer_cb, &f);
			if (!f.found) {
				error_reply(cl, CTL_E_NO_PROTOCOL, "no "
				    "protocol named %s", cl->cmd.proto);
				return;
			}
			/* a session that never came up has no RIB peer */
			cl->proto_peer = f.peer >= 0 ? f.peer : RIB_PEER_MAX;
		}
		cl->aid = BGP_AID_IPV4;
		rib_cursor_init(&cl->cur, BGP_AID_IPV4);
		if (cl->cmd.json && !cl->cmd.count)
			line(cl, CTL_R_JSON, false, "{\"routes\": [");
		else if (!cl->cmd.json && !cl->cmd.count)
			line(cl, CTL_R_ROUTE, false, "%-18s %c %-15s %-12s %s",
			    "Prefix", ' ', "Next hop", "From", "AS path");
		cl->phase = 1;
		return;
	case 1:
		rib_step(cl, route_emit, 2);
		return;
	default:
		if (cl->cmd.count && cl->cmd.json)
			line(cl, CTL_R_JSON, false, "{\"prefixes\": %zu, "
			    "\"paths\": %zu}", cl->nprefixes, cl->npaths);
		else if (cl->cmd.count)
			line(cl, CTL_R_ROUTE_COUNT, false, "%zu prefixes, %zu "
			    "paths", cl->nprefixes, cl->npaths);
		else if (cl->cmd.json)
			line(cl, CTL_R_JSON, false, "]}");
		done(cl);
	}
}

/* --- the kernel: show fib, show route ... table kernel ----------------- */

static const char *
rt_type_name(uint8_t t)
{
	switch (t) {
	case RTN_UNICAST:
		return "unicast";
	case RTN_BLACKHOLE:
		return "blackhole";
	case 0:
		return "-";
	default:
		return "other";
	}
}

/* Stable JSON names of enum fib_why. */
static const char *
why_key(enum fib_why w)
{
	static const char *const	keys[FIB_WHY_MAX] = {
		[FIB_WHY_INSTALLED] = "installed",
		[FIB_WHY_NOT_SELECTED] = "not_selected",
		[FIB_WHY_OWN_BLACKHOLE] = "own_blackhole",
		[FIB_WHY_LOCAL] = "own_route",
		[FIB_WHY_NH_UNRESOLVED] = "nexthop_unresolved",
		[FIB_WHY_LINK_DOWN] = "link_down",
		[FIB_WHY_FOREIGN] = "foreign",
		[FIB_WHY_STALE] = "stale",
		[FIB_WHY_QUEUED] = "queued",
		[FIB_WHY_DIFFERS] = "differs",
		[FIB_WHY_MISSING] = "missing",
		[FIB_WHY_UNWANTED] = "unwanted",
	};

	return (unsigned)w < FIB_WHY_MAX ? keys[w] : "?";
}

/* Whether the kernel and the Loc-RIB agree on a prefix. */
static bool
why_agrees(enum fib_why w)
{
	return w == FIB_WHY_INSTALLED || w == FIB_WHY_OWN_BLACKHOLE ||
	    w == FIB_WHY_NOT_SELECTED || w == FIB_WHY_LOCAL;
}

/* "10.0.0.2 dev eth0 (down)"; "-" without a gateway. */
static void
nh_text(const struct fib_nexthop *nh, char *dst, size_t len)
{
	char	gw[IPADDR_STRLEN];

	if (nh->gw.family == 0)
		snprintf(gw, sizeof(gw), "-");
	else
		ipaddr_fmt(&nh->gw, gw, sizeof(gw));
	if (nh->ifname[0] != '\0')
		snprintf(dst, len, "%s dev %s%s", gw, nh->ifname,
		    nh->up ? "" : " (down)");
	else if (nh->ifindex != 0)
		snprintf(dst, len, "%s dev #%d", gw, nh->ifindex);
	else
		snprintf(dst, len, "%s", gw);
}

/* The next hops as a JSON array's members. */
static void
nhs_json(struct client *cl, const struct fib_nexthop *nh, size_t n)
{
	char	gw[IPADDR_STRLEN], j[64];
	size_t	i;

	for (i = 0; i < n; i++) {
		if (nh[i].gw.family != 0)
			ipaddr_fmt(&nh[i].gw, gw, sizeof(gw));
		evbuffer_add_printf(out(cl), "%s{\"gateway\": %s%s%s, "
		    "\"interface\": %s, \"up\": %s}", i > 0 ? ", " : "",
		    nh[i].gw.family != 0 ? "\"" : "",
		    nh[i].gw.family != 0 ? gw : "null",
		    nh[i].gw.family != 0 ? "\"" : "",
		    nh[i].ifname[0] != '\0' ? jstr(nh[i].ifname, j,
		    sizeof(j)) : "null", nh[i].up ? "true" : "false");
	}
}

static void
fib_flags_text(unsigned f, char *dst, size_t len)
{
	snprintf(dst, len, "%s%s%s%s%s", f & FIB_E_KERNEL ? "" :
	    "not-in-kernel ", f & FIB_E_STALE ? "stale " : "",
	    f & FIB_E_FOREIGN ? "foreign " : "", f & FIB_E_QUEUED ?
	    "queued " : "", f & FIB_E_UNKNOWN ? "unknown " : "");
	if (dst[0] != '\0')
		dst[strlen(dst) - 1] = '\0';
}

/*
 * One shadow entry: in show fib with why (the comparison with the
 * Loc-RIB), in show route table kernel without (why NULL).
 */
static void
fib_row(struct client *cl, const struct fib_entry *e, const enum fib_why *why)
{
	char	pfx[PREFIX_STRLEN], nh[IPADDR_STRLEN + IF_NAMESIZE + 16];
	char	fl[64], info[160];
	size_t	i;

	prefix_fmt(&e->prefix, pfx, sizeof(pfx));
	if (cl->cmd.json) {
		evbuffer_add_printf(out(cl), "%04u-%s{\"prefix\": \"%s\", "
		    "\"type\": \"%s\", \"in_kernel\": %s, \"stale\": %s, "
		    "\"foreign\": %s, \"queued\": %s, \"unknown\": %s, "
		    "\"nexthops\": [", CTL_R_JSON, cl->first ? "" : ",", pfx,
		    rt_type_name(e->type), e->flags & FIB_E_KERNEL ? "true" :
		    "false", e->flags & FIB_E_STALE ? "true" : "false",
		    e->flags & FIB_E_FOREIGN ? "true" : "false",
		    e->flags & FIB_E_QUEUED ? "true" : "false",
		    e->flags & FIB_E_UNKNOWN ? "true" : "false");
		nhs_json(cl, e->nh, e->nnh);
		evbuffer_add_printf(out(cl), "]");
		if (why != NULL)
			evbuffer_add_printf(out(cl), ", \"rib\": \"%s\", "
			    "\"differs\": %s", why_key(*why),
			    why_agrees(*why) ? "false" : "true");
		evbuffer_add(out(cl), "}\n", 2);
		cl->first = false;
		return;
	}
	fib_flags_text(e->flags, fl, sizeof(fl));
	if (why != NULL && !why_agrees(*why))
		snprintf(info, sizeof(info), "%s%s%s", fl, fl[0] != '\0' ?
		    "; " : "", fib_why_name(*why));
	else
		snprintf(info, sizeof(info), "%s", fl);
	if (e->nnh == 0)
		snprintf(nh, sizeof(nh), "-");
	else
		nh_text(&e->nh[0], nh, sizeof(nh));
	if (info[0] != '\0')
		line(cl, CTL_R_FIB, false, "%-18s %-9s %-32s %s", pfx,
		    rt_type_name(e->type), nh, info);
	else
		line(cl, CTL_R_FIB, false, "%-18s %-9s %s", pfx,
		    rt_type_name(e->type), nh);
	for (i = 1; i < e->nnh; i++) {
		nh_text(&e->nh[i], nh, sizeof(nh));
		line(cl, CTL_R_FIB, false, "%-18s %-9s %s", "", "", nh);
	}
}

static void
fib_entry_cb(const struct fib_entry *e, void *arg)
{
	struct client		*cl = arg;
	struct fib_entry	*want;
	enum fib_why		 why;

	if (cl->cmd.id == CTL_CMD_SHOW_ROUTE) {
		/* table kernel: what the kernel has of ours */
		if (!(e->flags & FIB_E_KERNEL) || (e->flags & FIB_E_FOREIGN))
			return;
		cl->nprefixes++;
		cl->npaths += e->nnh;
		if (!cl->cmd.count)
			fib_row(cl, e, NULL);
		return;
	}
	want = xmalloc(sizeof(*want));
	why = fib_explain(C.st->fib, &e->prefix, want);
	free(want);
	if ((e->flags & FIB_E_KERNEL) && !(e->flags & FIB_E_FOREIGN))
		cl->nprefixes++;
	if (e->flags & FIB_E_STALE)
		cl->fstale++;
	if (e->flags & FIB_E_FOREIGN)
		cl->fforeign++;
	if (e->flags & FIB_E_QUEUED)
		cl->fqueued++;
	if (e->flags & FIB_E_UNKNOWN)
		cl->funknown++;
	if (!why_agrees(why))
		cl->fdiff++;
	if (!cl->cmd.count)
		fib_row(cl, e, &why);
}

/* A prefix the Loc-RIB selects that the shadow table does not have. */
static void
fib_missing(struct client *cl, const struct rib_entry *re)
{
	struct fib_entry	*want;
	enum fib_why		 why;
	char			 pfx[PREFIX_STRLEN], nh[64];

	if (re->nbest == 0 || fib_lookup(C.st->fib, &re->prefix,
	    &cl->fent) == 1)
		return;		/* reported with the kernel's routes */
	want = xmalloc(sizeof(*want));
	why = fib_explain(C.st->fib, &re->prefix, want);
	if (why_agrees(why)) {
		free(want);
		return;
	}
	cl->fdiff++;
	if (cl->cmd.count) {
		free(want);
		return;
	}
	prefix_fmt(&re->prefix, pfx, sizeof(pfx));
	if (cl->cmd.json) {
		if (cl->nmissing == 0)
			line(cl, CTL_R_JSON, false, "], \"not_installed\": [");
		evbuffer_add_printf(out(cl), "%04u-%s{\"prefix\": \"%s\", "
		    "\"rib\": \"%s\", \"reason\": \"%s\", \"wanted\": [",
		    CTL_R_JSON, cl->nmissing > 0 ? "," : "", pfx,
		    why_key(why), fib_why_name(why));
		nhs_json(cl, want->nh, want->nnh);
		evbuffer_add(out(cl), "]}\n", 3);
		cl->nmissing++;
		free(want);
		return;
	}
	if (cl->nmissing++ == 0)
		line(cl, CTL_R_FIB_DIFF, false, "Selected in the Loc-RIB, not "
		    "in the kernel:");
	if (want->nnh > 0)
		nh_text(&want->nh[0], nh, sizeof(nh));
	else
		snprintf(nh, sizeof(nh), "-");
	line(cl, CTL_R_FIB_DIFF, false, "%-18s %-9s %-32s %s", pfx,
	    rt_type_name(want->type), nh, fib_why_name(why));
	free(want);
}

/*
 * show fib and show route ... table kernel: phase 0 header, 1 the
 * shadow table (or the one prefix), 2 (show fib) the Loc-RIB's
 * selected prefixes missing from it, 3 the summary.
 */
static void
show_fib(struct client *cl)
{
	const struct fib	*fib = C.st->fib;
	bool			 route = cl->cmd.id == CTL_CMD_SHOW_ROUTE;
	bool			 rsing;
	unsigned long		 rsdone;
	char			 rs[64] = "";
	int			 found;

	switch (cl->phase) {
	case 0:
		if (fib == NULL) {
			error_reply(cl, CTL_E_NO_FIB, "podbgpd writes no "
			    "routes to the kernel (fib.install is off, or "
			    "the kernel could not be followed)");
			return;
		}
		memset(&cl->fcur, 0, sizeof(cl->fcur));
		cl->fstale = cl->fforeign = cl->fqueued = cl->funknown = 0;
		cl->fdiff = cl->nmissing = 0;
		cl->aid = BGP_AID_IPV4;
		rib_cursor_init(&cl->cur, BGP_AID_IPV4);
		if (cl->cmd.json && !cl->cmd.count)
			line(cl, CTL_R_JSON, false, "{\"routes\": [");
		else if (!cl->cmd.json && !cl->cmd.count && route)
			line(cl, CTL_R_ROUTE, false, "%-18s %-9s %s",
			    "Prefix", "Type", "Next hop");
		else if (!cl->cmd.json && !cl->cmd.count)
			line(cl, CTL_R_FIB, false, "%-18s %-9s %-32s %s",
			    "Prefix", "Type", "Next hop",
			    "Flags, differences");
		cl->phase = 1;
		return;
	case 1:
		if (cl->cmd.match != CTL_MATCH_ANY) {
			if (cl->cmd.match == CTL_MATCH_PREFIX)
				found = fib_lookup(fib, &cl->cmd.prefix,
				    &cl->fent);
			else
				found = fib_match_addr(fib, &cl->cmd.addr,
				    &cl->fent);
			if (found)
				fib_entry_cb(&cl->fent, cl);
			cl->phase = 2;
			return;
		}
		if (fib_dump_next(fib, &cl->fcur, fib_entry_cb, cl) == 0)
			cl->phase = 2;
		return;
	case 2:
		if (route) {
			cl->phase = 3;
			return;
		}
		rib_step(cl, fib_missing, 3);
		return;
	default:
		if (route) {
			if (cl->cmd.count && cl->cmd.json)
				line(cl, CTL_R_JSON, false, "{\"prefixes\": "
				    "%zu, \"nexthops\": %zu}", cl->nprefixes,
				    cl->npaths);
			else if (cl->cmd.count)
				line(cl, CTL_R_ROUTE_COUNT, false, "%zu "
				    "prefixes, %zu next hops", cl->nprefixes,
				    cl->npaths);
			else if (cl->cmd.json)
				line(cl, CTL_R_JSON, false, "]}");
			done(cl);
			return;
		}
		fib_resync_state(fib, &rsing, &rsdone);
		if (rsing || rsdone > 0)
			snprintf(rs, sizeof(rs), "; %lu resyncs with the "
			    "kernel%s", rsdone, rsing ? ", one running" : "");
		if (cl->cmd.json) {
			if (cl->cmd.count)
				evbuffer_add_printf(out(cl), "%04u-{",
				    CTL_R_JSON);
			else if (cl->nmissing == 0)
				evbuffer_add_printf(out(cl), "%04u-], "
				    "\"not_installed\": [], ", CTL_R_JSON);
			else
				evbuffer_add_printf(out(cl), "%04u-], ",
				    CTL_R_JSON);
			evbuffer_add_printf(out(cl), "\"summary\": "
			    "{\"routes\": %zu, \"stale\": %zu, \"unknown\": "
			    "%zu, \"foreign\": %zu, \"queued\": %zu, "
			    "\"differences\": %zu, \"resyncs\": %lu, "
			    "\"resyncing\": %s}}\n", cl->nprefixes,
			    cl->fstale, cl->funknown, cl->fforeign,
			    cl->fqueued, cl->fdiff, rsdone,
			    rsing ? "true" : "false");
		} else
			line(cl, CTL_R_FIB_SUMMARY, false, "%zu routes of "
			    "podbgp in the kernel (%zu stale, %zu unknown), "
			    "%zu prefixes held by other protocols, %zu "
			    "queued; %zu differ from the Loc-RIB%s",
			    cl->nprefixes, cl->fstale, cl->funknown,
			    cl->fforeign, cl->fqueued, cl->fdiff, rs);
		done(cl);
	}
}

/* --- show route ... explain ------------------------------------------- */

static const char *
nh_kind_key(enum fib_nh_kind k)
{
	switch (k) {
	case FIB_NH_CONNECTED:
		return "connected";
	case FIB_NH_LINKLOCAL:
		return "link_local";
	case FIB_NH_RESOLVED:
		return "resolved";
	case FIB_NH_UNRESOLVED:
		return "unresolved";
	default:
		return "not_looked_up";
	}
}

/* How a path's next hop resolves, as one text line or a JSON member. */
static void
explain_nh(struct client *cl, const struct ipaddr *a)
{
	struct fib_nh_state	*st;
	char			 addr[IPADDR_STRLEN], via[PREFIX_STRLEN];
	char			 gws[512], nh[IPADDR_STRLEN + IF_NAMESIZE + 16];
	size_t			 i, o = 0;

	if (C.st->fib == NULL)
		return;
	st = xmalloc(sizeof(*st));
	fib_nexthop_state(C.st->fib, a, st);
	ipaddr_fmt(a, addr, sizeof(addr));
	if (cl->cmd.json) {
		evbuffer_add_printf(out(cl), ", \"nexthop_resolution\": "
		    "{\"kind\": \"%s\"", nh_kind_key(st->kind));
		if (st->kind == FIB_NH_RESOLVED)
			evbuffer_add_printf(out(cl), ", \"via\": \"%s\", "
			    "\"metric\": %u", prefix_fmt(&st->via, via,
			    sizeof(via)), st->metric);
		evbuffer_add_printf(out(cl), ", \"gateways\": [");
		nhs_json(cl, st->nh, st->nnh);
		evbuffer_add_printf(out(cl), "]}");
		free(st);
		return;
	}
	gws[0] = '\0';
	for (i = 0; i < st->nnh && o < sizeof(gws); i++) {
		nh_text(&st->nh[i], nh, sizeof(nh));
		o += (size_t)snprintf(gws + o, sizeof(gws) - o, "%s%s",
		    i > 0 ? ", " : "", nh);
	}
	switch (st->kind) {
	case FIB_NH_CONNECTED:
	case FIB_NH_LINKLOCAL:
		line(cl, CTL_R_EXPLAIN, false, "    next hop %s: on a "
		    "connected link: %s", addr, gws);
		break;
	case FIB_NH_RESOLVED:
		line(cl, CTL_R_EXPLAIN, false, "    next hop %s: resolved "
		    "through %s (metric %u): %s", addr, prefix_fmt(&st->via,
		    via, sizeof(via)), st->metric, gws);
		break;
	case FIB_NH_UNRESOLVED:
		line(cl, CTL_R_EXPLAIN, false, "    next hop %s: unresolved: "
		    "no usable route of another protocol leads to it", addr);
		break;
	default:
		line(cl, CTL_R_EXPLAIN, false, "    next hop %s: on no "
		    "connected subnet and not looked up yet", addr);
		break;
	}
	free(st);
}

static void
explain_path(struct client *cl, const struct rib_entry *e, size_t i)
{
	const struct rib_path		*p = &e->paths[i];
	const struct bgp_attr_set	*a = p->attr;
	const struct rib_peer		*rp;
	enum rib_step			 step = RIB_STEP_NONE;
	const char			*state, *skey;
	char				 from[CTL_NAME_MAX + 1], j[160];
	char				 nh[IPADDR_STRLEN], pa[IPADDR_STRLEN];
	char				 asp[1024], buf[1200], why[96];

	if (i < e->nbest && i == 0) {
		state = "best";
		skey = "best";
	} else if (i < e->nbest) {
		state = "selected with the best (ECMP)";
		skey = "ecmp";
	} else if (p->flags & RIB_PF_NH_UNREACH) {
		state = "not feasible: next hop unreachable";
		skey = "not_feasible";
	} else {
		state = "not selected";
		skey = "not_selected";
	}
	if (e->nbest > 0 && i > 0)
		rib_path_compare(C.st->rib, &e->paths[0], p, &step);
	why[0] = '\0';
	if (i >= e->nbest && step != RIB_STEP_NONE)
		snprintf(why, sizeof(why), ": the best wins on %s",
		    rib_step_name(step));
	else if (i > 0 && i < e->nbest && step != RIB_STEP_NONE)
		snprintf(why, sizeof(why), "; the best is first by %s",
		    rib_step_name(step));
	path_from(cl, p, from, sizeof(from));
	rp = rib_peer_get(C.st->rib, p->peer);
	if (rp != NULL)
		ipaddr_fmt(&rp->addr, pa, sizeof(pa));
	else
		snprintf(pa, sizeof(pa), "?");
	ipaddr_fmt(&a->nexthop, nh, sizeof(nh));
	if (cl->cmd.json) {
		aspath_text(a, asp, sizeof(asp), true);
		evbuffer_add_printf(out(cl), "%04u-%s{\"from\": %s, "
		    "\"peer_address\": \"%s\", \"path_id\": %u, \"state\": "
		    "\"%s\", \"decided_by\": ", CTL_R_JSON, i > 0 ? "," : "",
		    jstr(from, j, sizeof(j)), pa, p->path_id, skey);
		if (step != RIB_STEP_NONE)
			evbuffer_add_printf(out(cl), "\"%s\"",
			    rib_step_name(step));
		else
			evbuffer_add_printf(out(cl), "null");
		evbuffer_add_printf(out(cl), ", \"nexthop\": \"%s\", "
		    "\"nexthop_unreachable\": %s, \"stale\": %s, "
		    "\"as_path\": [%s], \"origin\": \"%s\", \"local_pref\": ",
		    nh, p->flags & RIB_PF_NH_UNREACH ? "true" : "false",
		    p->flags & RIB_PF_STALE ? "true" : "false", asp,
		    origin_name(a->origin));
		if (a->flags & BGP_AS_LOCAL_PREF)
			evbuffer_add_printf(out(cl), "%u", a->local_pref);
		else
			evbuffer_add_printf(out(cl), "null");
		evbuffer_add_printf(out(cl), ", \"med\": ");
		if (a->flags & BGP_AS_MED)
			evbuffer_add_printf(out(cl), "%u", a->med);
		else
			evbuffer_add_printf(out(cl), "null");
		if (cl->cmd.all) {
			comm_text(a, buf, sizeof(buf), true);
			evbuffer_add_printf(out(cl), ", \"communities\": "
			    "[%s]", buf);
			lcomm_text(a, buf, sizeof(buf), true);
			evbuffer_add_printf(out(cl), ", \"large_communities\": "
			    "[%s]", buf);
		}
		if (rp == NULL || !(rp->flags & RIB_PEER_LOCAL))
			explain_nh(cl, &a->nexthop);
		evbuffer_add(out(cl), "}\n", 2);
		return;
	}
	aspath_text(a, asp, sizeof(asp), false);
	line(cl, CTL_R_EXPLAIN, false, "  %s from %s (%s), path id %u: "
	    "%s%s%s", i == 0 && e->nbest > 0 ? "*" : i < e->nbest ? "=" : "-",
	    from, pa, p->path_id, state, why, p->flags & RIB_PF_STALE ?
	    " (stale: graceful restart)" : "");
	snprintf(buf, sizeof(buf), "    next hop %s, AS path %s, origin %s",
	    nh, asp[0] != '\0' ? asp : "(empty)", origin_name(a->origin));
	if (a->flags & BGP_AS_LOCAL_PREF)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    ", local-pref %u", a->local_pref);
	if (a->flags & BGP_AS_MED)
		snprintf(buf + strlen(buf), sizeof(buf) - strlen(buf),
		    ", med %u", a->med);
	line(cl, CTL_R_EXPLAIN, false, "%s", buf);
	if (cl->cmd.all && a->ncommunities > 0) {
		comm_text(a, buf, sizeof(buf), false);
		line(cl, CTL_R_EXPLAIN, false, "    communities %s", buf);
	}
	if (cl->cmd.all && a->nlcomms > 0) {
		lcomm_text(a, buf, sizeof(buf), false);
		line(cl, CTL_R_EXPLAIN, false, "    large communities %s", buf);
	}
	if (rp == NULL || !(rp->flags & RIB_PEER_LOCAL))
		explain_nh(cl, &a->nexthop);
}

struct rej_find {
	struct client	*cl;
	size_t		 n;
};

static void
rej_cb(const char *name, const struct session_reject *r,
    enum policy_reason now, void *arg)
{
	struct rej_find	*f = arg;
	struct client	*cl = f->cl;
	char		 j[160], pfx[PREFIX_STRLEN];
	uint64_t	 ago = (log_now_ms() - r->at_ms) / 1000;

	prefix_fmt(&r->prefix, pfx, sizeof(pfx));
	if (cl->cmd.json)
		line(cl, CTL_R_JSON, false, "%s{\"from\": %s, \"prefix\": "
		    "\"%s\", \"reason\": \"%s\", \"ago_s\": %" PRIu64 ", "
		    "\"now\": \"%s\"}", f->n > 0 ? "," : "",
		    jstr(name, j, sizeof(j)), pfx, policy_reason_name(r->why),
		    ago, now == POLICY_OK ? "accepted" :
		    policy_reason_name(now));
	else {
		if (now == POLICY_OK)
			snprintf(j, sizeof(j), "the policy accepts it now "
			    "(once the peer sends it again)");
		else if (now == r->why)
			snprintf(j, sizeof(j), "the policy still refuses it");
		else
			snprintf(j, sizeof(j), "the policy refuses it now: "
			    "%s", policy_reason_name(now));
		line(cl, CTL_R_EXPLAIN, false, "  %s refused by the import "
		    "policy of %s: %s (%" PRIu64 " s ago); %s", pfx, name,
		    policy_reason_name(r->why), ago, j);
	}
	f->n++;
}

/* The kernel's part of explain. */
static void
explain_kernel(struct client *cl)
{
	struct fib_entry	*want, *have;
	enum fib_why		 why;
	char			 nh[IPADDR_STRLEN + IF_NAMESIZE + 16];
	char			 fl[64];
	size_t			 i;
	bool			 in;

	if (C.st->fib == NULL || !cl->xhave) {
		if (cl->cmd.json)
			line(cl, CTL_R_JSON, false, "\"kernel\": null}");
		else
			line(cl, CTL_R_EXPLAIN, false, "Kernel: %s",
			    C.st->fib == NULL ? "podbgpd writes no routes "
			    "(fib.install is off)" : "no route of podbgp");
		return;
	}
	want = xmalloc(sizeof(*want));
	have = xmalloc(sizeof(*have));
	why = fib_explain(C.st->fib, &cl->xprefix, want);
	in = fib_lookup(C.st->fib, &cl->xprefix, have) == 1;
	if (!in)
		have->flags = 0;
	if (cl->cmd.json) {
		evbuffer_add_printf(out(cl), "%04u-\"kernel\": {\"state\": "
		    "\"%s\", \"text\": \"%s\", \"agrees\": %s, \"in_kernel\": "
		    "%s, \"stale\": %s, \"foreign\": %s, \"queued\": %s, "
		    "\"nexthops\": [", CTL_R_JSON, why_key(why),
		    fib_why_name(why), why_agrees(why) ? "true" : "false",
		    in && (have->flags & FIB_E_KERNEL) ? "true" : "false",
		    have->flags & FIB_E_STALE ? "true" : "false",
		    have->flags & FIB_E_FOREIGN ? "true" : "false",
		    have->flags & FIB_E_QUEUED ? "true" : "false");
		if (in)
			nhs_json(cl, have->nh, have->nnh);
		evbuffer_add_printf(out(cl), "], \"wanted\": [");
		nhs_json(cl, want->nh, want->nnh);
		evbuffer_add_printf(out(cl), "]}}\n");
	} else {
		fl[0] = '\0';
		if (in)
			fib_flags_text(have->flags, fl, sizeof(fl));
		line(cl, CTL_R_EXPLAIN, false, "Kernel: %s%s%s%s",
		    fib_why_name(why), fl[0] != '\0' ? " (" : "", fl,
		    fl[0] != '\0' ? ")" : "");
		for (i = 0; in && i < have->nnh; i++) {
			nh_text(&have->nh[i], nh, sizeof(nh));
			line(cl, CTL_R_EXPLAIN, false, "  in the kernel: %s "
			    "via %s", rt_type_name(have->type), nh);
		}
		if (!why_agrees(why) || !in)
			for (i = 0; i < want->nnh; i++) {
				nh_text(&want->nh[i], nh, sizeof(nh));
				line(cl, CTL_R_EXPLAIN, false, "  wanted: %s "
				    "via %s", rt_type_name(want->type), nh);
			}
	}
	free(want);
	free(have);
}

/*
 * show route PREFIX|for ADDRESS explain: phase 0 the prefix and its
 * Loc-RIB state, 1 its paths one by one, 2 the refusals remembered, 3
 * the kernel.
 */
static void
show_explain(struct client *cl)
{
	struct rib_entry	e;
	struct rej_find		f;
	char			pfx[PREFIX_STRLEN], addr[IPADDR_STRLEN];
	bool			found = false;

	switch (cl->phase) {
	case 0:
		cl->xhave = true;
		if (cl->cmd.match == CTL_MATCH_PREFIX)
			cl->xprefix = cl->cmd.prefix;
		else if (rib_match_addr(C.st->rib, &cl->cmd.addr, &e) == 1)
			cl->xprefix = e.prefix;
		else if (C.st->fib != NULL && fib_match_addr(C.st->fib,
		    &cl->cmd.addr, &cl->fent) == 1)
			cl->xprefix = cl->fent.prefix;
		else
			cl->xhave = false;
		if (cl->xhave)
			found = rib_lookup(C.st->rib, &cl->xprefix, &e) == 1;
		ipaddr_fmt(&cl->cmd.addr, addr, sizeof(addr));
		if (cl->xhave)
			prefix_fmt(&cl->xprefix, pfx, sizeof(pfx));
		if (cl->cmd.json) {
			evbuffer_add_printf(out(cl), "%04u-{", CTL_R_JSON);
			if (cl->cmd.match == CTL_MATCH_FOR)
				evbuffer_add_printf(out(cl), "\"address\": "
				    "\"%s\", ", addr);
			evbuffer_add_printf(out(cl), "\"prefix\": %s%s%s, "
			    "\"loc_rib\": {\"paths\": %zu, \"selected\": "
			    "%zu}, \"paths\": [\n", cl->xhave ? "\"" : "",
			    cl->xhave ? pfx : "null", cl->xhave ? "\"" : "",
			    found ? e.npaths : 0, found ? e.nbest : 0);
		} else if (!cl->xhave)
			line(cl, CTL_R_EXPLAIN, false, "%s: no route in the "
			    "Loc-RIB or the kernel covers it", addr);
		else {
			if (cl->cmd.match == CTL_MATCH_FOR)
				line(cl, CTL_R_EXPLAIN, false, "%s: the most "
				    "specific route is %s", addr, pfx);
			if (!found)
				line(cl, CTL_R_EXPLAIN, false, "%s: not in "
				    "the Loc-RIB: no peer's path for it is "
				    "held (never sent, withdrawn or refused)",
				    pfx);
			else if (e.nbest == 0)
				line(cl, CTL_R_EXPLAIN, false, "%s: in the "
				    "Adj-RIB-In (%zu paths), none selected: "
				    "no feasible path", pfx, e.npaths);
			else
				line(cl, CTL_R_EXPLAIN, false, "%s: in the "
				    "Loc-RIB: %zu paths, %zu selected "
				    "(RFC 4271 9.1.2)", pfx, e.npaths,
				    e.nbest);
		}
		cl->idx = 0;
		cl->phase = 1;
		return;
	case 1:
		/* looked up again: the RIB may have changed in between */
		if (!cl->xhave || rib_lookup(C.st->rib, &cl->xprefix,
		    &e) != 1 || cl->idx >= e.npaths) {
			cl->phase = 2;
			return;
		}
		explain_path(cl, &e, cl->idx++);
		return;
	case 2:
		if (cl->cmd.json)
			line(cl, CTL_R_JSON, false, "], \"rejected\": [");
		memset(&f, 0, sizeof(f));
		f.cl = cl;
		/* for ADDRESS: every refused prefix that holds it */
		session_foreach_reject(cl->cmd.match == CTL_MATCH_PREFIX ?
		    &cl->xprefix : NULL, true, &cl->cmd.addr, rej_cb, &f);
		if (cl->cmd.json)
			line(cl, CTL_R_JSON, false, "], "
			    "\"rejections_kept_per_peer\": %d,",
			    SESSION_REJECT_KEEP);
		else if (f.n == 0)
			line(cl, CTL_R_EXPLAIN, false, "Import policy: no "
			    "refusal among the last %d kept per peer "
			    "(counters by reason: show protocols all)",
			    SESSION_REJECT_KEEP);
		cl->phase = 3;
		return;
	default:
		explain_kernel(cl);
		done(cl);
	}
}

/* --- show nodes, show memory, help ------------------------------------ */

static const char *
node_role(const struct conf *c, const struct node *n)
{
	const char	*v;

	if (strcmp(n->name, C.st->node_name) == 0 &&
	    c->mesh_mode == CONF_MESH_NONE)
		return "self";
	switch (c->mesh_mode) {
	case CONF_MESH_FULL:
		return "mesh";
	case CONF_MESH_RR:
		if (n->rr_role == NODE_RR_SERVER)
			return "reflector";
		if (c->reflector_label != NULL &&
		    (v = node_label(n, c->reflector_label)) != NULL &&
		    (c->reflector_value == NULL ||
		    strcmp(v, c->reflector_value) == 0))
			return "reflector";
		return "client";
	default:
		return "-";
	}
}

static void
list_cidrs(const struct node *n, char *dst, size_t len, bool json)
{
	char	s[PREFIX_STRLEN];
	size_t	i, o = 0;

	dst[0] = '\0';
	for (i = 0; i < n->ncidrs && o < len; i++)
		o += (size_t)snprintf(dst + o, len - o, json ? "%s\"%s\"" :
		    "%s%s", i > 0 ? (json ? ", " : ",") : "",
		    prefix_fmt(&n->cidrs[i], s, sizeof(s)));
	if (o == 0 && !json)
		snprintf(dst, len, "-");
}

static void
list_addrs(const struct node *n, char *dst, size_t len, bool json)
{
	char	s[IPADDR_STRLEN];
	size_t	i, o = 0;

	dst[0] = '\0';
	for (i = 0; i < n->naddrs && o + IPADDR_STRLEN + 4 < len; i++)
		o += (size_t)snprintf(dst + o, len - o, json ? "%s\"%s\"" :
		    "%s%s", i > 0 ? (json ? ", " : ",") : "",
		    ipaddr_fmt(&n->addrs[i], s, sizeof(s)));
	if (o == 0 && !json)
		snprintf(dst, len, "-");
}

/*
 * The pod CIDRs of n that lose to an older claim, as "CIDR (NODE)" items,
 * or "-".
 */
static void
list_conflicts(const struct node *n, char *dst, size_t len, bool json)
{
	const struct node_overlap	*ov;
	char				 s[PREFIX_STRLEN], j[300];
	size_t				 i, o = 0;

	dst[0] = '\0';
	for (i = 0; i < C.st->noverlaps && o < len; i++) {
		ov = &C.st->overlaps[i];
		if (ov->loser != n)
			continue;
		prefix_fmt(&ov->loser_cidr, s, sizeof(s));
		if (json)
			o += (size_t)snprintf(dst + o, len - o, "%s{\"cidr\": "
			    "\"%s\", \"older_claim\": %s}", o > 0 ? ", " : "",
			    s, jstr(ov->winner->name, j, sizeof(j)));
		else
			o += (size_t)snprintf(dst + o, len - o, "%s%s (%s)",
			    o > 0 ? "," : "", s, ov->winner->name);
	}
	if (o == 0 && !json)
		snprintf(dst, len, "-");
}

static void
show_nodes(struct client *cl)
{
	const struct node_set	*ns = C.st->nodes;
	const struct node	*n;
	char			 cidrs[128], addrs[1024], j[300];
	char			 conflicts[640];
	size_t			 i, w = 4;
	bool			 self;

	switch (cl->phase) {
	case 0:
		for (i = 0; ns != NULL && i < ns->n; i++)
			if (strlen(ns->v[i]->name) > w)
				w = strlen(ns->v[i]->name);
		cl->wname = w;
		if (cl->cmd.json)
			line(cl, CTL_R_JSON, false, "{\"source\": \"%s\", "
			    "\"nodes\": [", source_name(C.st->conf));
		else
			line(cl, CTL_R_NODES, false, "%-*s %-4s %-10s %-34s "
			    "%-32s %s", (int)w, "Name", "Self", "Role",
			    "Pod CIDRs", "Addresses", "Ignored (older claim)");
		cl->phase = 1;
		return;
	case 1:
		if (ns == NULL || cl->idx >= ns->n) {
			cl->phase = 2;
			return;
		}
		n = ns->v[cl->idx++];
		self = strcmp(n->name, C.st->node_name) == 0;
		list_cidrs(n, cidrs, sizeof(cidrs), cl->cmd.json);
		list_addrs(n, addrs, sizeof(addrs), cl->cmd.json);
		list_conflicts(n, conflicts, sizeof(conflicts), cl->cmd.json);
		if (cl->cmd.json) {
			line(cl, CTL_R_JSON, false, "%s{\"name\": %s, "
			    "\"self\": %s, \"role\": \"%s\", \"pod_cidrs\": "
			    "[%s], \"addresses\": [%s], \"ignored_cidrs\": "
			    "[%s]}", cl->first ? "" : ",",
			    jstr(n->name, j, sizeof(j)), self ? "true" :
			    "false", node_role(C.st->conf, n), cidrs, addrs,
			    conflicts);
			cl->first = false;
		} else
			line(cl, CTL_R_NODES, false, "%-*s %-4s %-10s %-34s "
			    "%-32s %s", (int)cl->wname, n->name, self ? "*" :
			    "", node_role(C.st->conf, n), cidrs, addrs,
			    conflicts);
		return;
	default:
		if (cl->cmd.json)
			line(cl, CTL_R_JSON, false, "]}");
		done(cl);
	}
}

static void
show_memory(struct client *cl)
{
	struct rib_mem	 m[RIB_MT_MAX];
	struct client	*c;
	size_t		 total, i, nattr, cbytes = 0;

	total = rib_memory(C.st->rib, m);
	nattr = bgp_attr_table_count(C.st->attrs);
	/* what the control clients hold in their buffers, this one's too */
	TAILQ_FOREACH(c, &C.clients, entry)
		cbytes += evbuffer_get_length(bufferevent_get_input(c->bev)) +
		    evbuffer_get_length(bufferevent_get_output(c->bev));
	if (cl->cmd.json) {
		evbuffer_add_printf(out(cl), "%04u-{\"rib\": [", CTL_R_JSON);
		for (i = 0; i < RIB_MT_MAX; i++)
			evbuffer_add_printf(out(cl), "%s{\"name\": \"%s\", "
			    "\"count\": %zu, \"bytes\": %zu}", i > 0 ? ", " :
			    "", m[i].name, m[i].count, m[i].bytes);
		evbuffer_add_printf(out(cl), "], \"rib_bytes\": %zu, "
		    "\"attribute_sets\": %zu, \"control_clients\": %zu, "
		    "\"control_buffer_bytes\": %zu}\n", total, nattr,
		    C.nclients, cbytes);
		done(cl);
		return;
	}
	line(cl, CTL_R_MEMORY, false, "%-24s %12s %14s", "Part", "Count",
	    "Bytes");
	for (i = 0; i < RIB_MT_MAX; i++)
		line(cl, CTL_R_MEMORY, false, "%-24s %12zu %14zu",
		    m[i].name, m[i].count, m[i].bytes);
	line(cl, CTL_R_MEMORY, false, "%-24s %12s %14zu", "rib total", "",
	    total);
	line(cl, CTL_R_MEMORY, false, "%-24s %12zu %14s", "attribute sets",
	    nattr, "-");
	line(cl, CTL_R_MEMORY, false, "%-24s %12zu %14zu", "control buffers",
	    C.nclients, cbytes);
	done(cl);
}

static void
show_help(struct client *cl)
{
	const char *const	*h = ctl_help_lines();
	char			 j[300];
	size_t			 i;

	if (cl->cmd.json) {
		line(cl, CTL_R_JSON, false, "{\"help\": [");
		for (i = 0; h[i] != NULL; i++)
			line(cl, CTL_R_JSON, false, "%s%s", i > 0 ? "," : "",
			    jstr(h[i], j, sizeof(j)));
		line(cl, CTL_R_JSON, false, "]}");
	} else
		for (i = 0; h[i] != NULL; i++)
			line(cl, CTL_R_HELP, false, "%s", h[i]);
	done(cl);
}

/* --- commands that change things -------------------------------------- */

static void
do_session(struct client *cl)
{
	const char	*name = cl->cmd.name;
	int		 r;

	switch (cl->cmd.id) {
	case CTL_CMD_ENABLE:
		r = session_enable(name);
		if (r >= 0)
			line(cl, CTL_R_ACTION, false, "%s: %s", name, r == 1 ?
			    "enabled" : "already enabled");
		break;
	case CTL_CMD_DISABLE:
		r = session_disable(name, "disabled by the operator");
		if (r >= 0)
			line(cl, CTL_R_ACTION, false, "%s: %s", name, r == 1 ?
			    "disabled" : "already disabled");
		break;
	default:
		r = session_restart(name, "restarted by the operator");
		if (r >= 0)
			line(cl, CTL_R_ACTION, false, "%s: restarted", name);
		break;
	}
	if (r == -1) {
		error_reply(cl, CTL_E_NO_PROTOCOL, "no protocol '%s'", name);
		return;
	}
	done(cl);
}

static void
do_configure(struct client *cl)
{
	const struct control_ops	*ops = C.st->ops;
	struct conf_errors		*errs;
	char				 msg[CTL_ERR_LEN];
	size_t				 i;
	int				 r;

	if (ops == NULL || ops->configure == NULL) {
		error_reply(cl, CTL_E_NOT_IMPL, "'configure' is not served");
		return;
	}
	if (cl->cmd.file[0] != '\0' && cl->cmd.file[0] != '/') {
		error_reply(cl, CTL_E_CONFIG, "%s: not an absolute path "
		    "(podbgpctl makes it one)", cl->cmd.file);
		return;
	}
	errs = xcalloc(1, sizeof(*errs));
	msg[0] = '\0';
	r = ops->configure(ops->arg, cl->cmd.file[0] != '\0' ?
	    cl->cmd.file : NULL, cl->cmd.check, errs, msg, sizeof(msg));
	if (r == 0) {
		line(cl, CTL_R_CONFIG, false, "%s", msg);
		done(cl);
	} else if (errs->n == 0 && errs->dropped == 0)
		error_reply(cl, CTL_E_CONFIG, "%s; the running configuration "
		    "stays", msg[0] != '\0' ? msg : "cannot be loaded");
	else if (cl->cmd.json) {
		const char	**d = xcalloc(errs->n + 1, sizeof(*d));
		char		  more[64];

		for (i = 0; i < errs->n; i++)
			d[i] = errs->e[i].text;
		snprintf(more, sizeof(more), "(%zu more errors not shown)",
		    errs->dropped);
		if (errs->dropped > 0)
			d[i++] = more;
		json_error(cl, CTL_E_CONFIG, "the configuration has errors; "
		    "the running configuration stays", d, i);
		cl->busy = false;
		free(d);
	} else {
		for (i = 0; i < errs->n; i++)
			line(cl, CTL_E_CONFIG, false, "%s", errs->e[i].text);
		if (errs->dropped > 0)
			line(cl, CTL_E_CONFIG, false, "(%zu more errors not "
			    "shown)", errs->dropped);
		error_reply(cl, CTL_E_CONFIG, "the configuration has errors; "
		    "the running configuration stays");
	}
	free(errs);
}

static void
do_down(struct client *cl)
{
	const struct control_ops	*ops = C.st->ops;

	if (ops == NULL || ops->down == NULL) {
		error_reply(cl, CTL_E_NOT_IMPL, "'down' is not served");
		return;
	}
	line(cl, CTL_R_ACTION, false, "stopping%s", cl->cmd.flush ?
	    "; podbgp's routes leave the kernel" : "");
	done(cl);
	/* the stop waits for the reply to be out (client_write_cb) */
	cl->down = true;
}

/* --- requests --------------------------------------------------------- */

/* One step of the reply in progress. */
static void
step(struct client *cl)
{
	switch (cl->cmd.id) {
	case CTL_CMD_SHOW_STATUS:
		show_status(cl);
		break;
	case CTL_CMD_SHOW_PROTOCOLS:
		show_protocols(cl);
		break;
	case CTL_CMD_SHOW_ROUTE:
		if (cl->cmd.explain)
			show_explain(cl);
		else if (cl->cmd.kernel)
			show_fib(cl);
		else
			show_route(cl);
		break;
	case CTL_CMD_SHOW_FIB:
		show_fib(cl);
		break;
	case CTL_CMD_SHOW_NODES:
		show_nodes(cl);
		break;
	case CTL_CMD_SHOW_MEMORY:
		show_memory(cl);
		break;
	case CTL_CMD_HELP:
		show_help(cl);
		break;
	case CTL_CMD_ENABLE:
	case CTL_CMD_DISABLE:
	case CTL_CMD_RESTART:
		do_session(cl);
		break;
	case CTL_CMD_CONFIGURE:
		do_configure(cl);
		break;
	case CTL_CMD_DOWN:
		do_down(cl);
		break;
	default:
		error_reply(cl, CTL_E_NOT_IMPL, "'%s' is not implemented "
		    "yet", ctl_cmd_name(cl->cmd.id));
		break;
	}
}

static void
request(struct client *cl, const char *text)
{
	char	err[CTL_ERR_LEN];

	/* a request that says json gets its error in JSON too */
	if (ctl_cmd_parse(text, &cl->cmd, err, sizeof(err)) == -1) {
		error_reply(cl, CTL_E_SYNTAX, "%s", err);
		return;
	}
	if (cl->ro && !ctl_cmd_readonly(cl->cmd.id)) {
		error_reply(cl, CTL_E_DENIED, "'%s' is not allowed on the "
		    "read-only socket", ctl_cmd_name(cl->cmd.id));
		return;
	}
	cl->busy = true;
	cl->phase = 0;
	cl->idx = 0;
	cl->first = true;
	cl->nprefixes = cl->npaths = 0;
	cl->wname = 0;
	fill(cl);
}

/* Produces the reply until the output is full or the budget spent. */
static void
fill(struct client *cl)
{
	unsigned	budget = CTL_STEP_BUDGET;

	if (cl->busy && cl->cmd.id == CTL_CMD_SHOW_ROUTE)
		refresh_names(cl);
	while (cl->busy && budget-- > 0 &&
	    evbuffer_get_length(out(cl)) < CTL_OUT_HIGH)
		step(cl);
	/* out of budget with room left: go on next turn */
	if (cl->busy && evbuffer_get_length(out(cl)) < CTL_OUT_HIGH)
		event_active(cl->ev_more, EV_TIMEOUT, 0);
}

static void
client_input(struct client *cl)
{
	struct evbuffer	*in = bufferevent_get_input(cl->bev);
	char		*s;
	size_t		 n;

	while (!cl->busy && !cl->dead) {
		s = evbuffer_readln(in, &n, EVBUFFER_EOL_CRLF);
		if (s == NULL) {
			if (evbuffer_get_length(in) > CTL_LINE_MAX) {
				line(cl, CTL_E_TOO_LONG, true, "request "
				    "longer than %d bytes; closing",
				    CTL_LINE_MAX);
				cl->dead = true;
				bufferevent_disable(cl->bev, EV_READ);
			}
			return;
		}
		if (n > CTL_LINE_MAX) {
			cl->cmd.json = strncmp(s, "j", 1) == 0;
			error_reply(cl, CTL_E_TOO_LONG, "request longer than "
			    "%d bytes", CTL_LINE_MAX);
		}
		else
			request(cl, s);
		free(s);
	}
}

static void
client_read_cb(struct bufferevent *bev, void *arg)
{
	client_input(arg);
}

/* A client that hung up (or was cut off) goes once its replies are out. */
static void
maybe_close(struct client *cl)
{
	if (!cl->busy && (cl->eof || cl->dead) &&
	    evbuffer_get_length(out(cl)) == 0)
		client_free(cl);
}

/* More of the reply, then the requests that came while it was made. */
static void
client_resume(struct client *cl)
{
	if (cl->busy)
		fill(cl);
	if (!cl->busy)
		client_input(cl);
	maybe_close(cl);
}

/* `down`: the daemon stops once its reply is out (or the client gone). */
static void
down_now(struct client *cl)
{
	const struct control_ops	*ops = C.st->ops;

	if (!cl->down)
		return;
	cl->down = false;
	ops->down(ops->arg, cl->cmd.flush);
}

static void
client_write_cb(struct bufferevent *bev, void *arg)
{
	struct client	*cl = arg;

	if (cl->down && evbuffer_get_length(out(cl)) == 0) {
		down_now(cl);
		return;
	}
	client_resume(cl);
}

static void
client_more_cb(evutil_socket_t fd, short what, void *arg)
{
	client_resume(arg);
}

static void
client_event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct client	*cl = arg;

	if (what & BEV_EVENT_ERROR) {
		/* a reply in progress has nobody to go to */
		client_free(cl);
		return;
	}
	if (what & BEV_EVENT_EOF) {
		/* `echo show status | socat - UNIX:...`: answer, then close */
		cl->eof = true;
		client_input(cl);
		maybe_close(cl);
	}
}

static void
client_free(struct client *cl)
{
	down_now(cl);
	TAILQ_REMOVE(&C.clients, cl, entry);
	C.nclients--;
	event_free(cl->ev_more);
	bufferevent_free(cl->bev);
	free(cl->names);
	snap_free(cl);
	free(cl);
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	struct listener	*l = arg;
	struct client	*cl;
	char		 msg[64];
	int		 fd, n;

	fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd == -1) {
		if (errno != EAGAIN && errno != EINTR &&
		    errno != ECONNABORTED)
			log_warn("control: accept on %s", l->path);
		return;
	}
	if (C.nclients >= CONTROL_CLIENTS_MAX) {
		/* one line, best effort: the socket is fresh and empty */
		n = snprintf(msg, sizeof(msg), "%04u too many clients (%d)\n",
		    CTL_E_BUSY, CONTROL_CLIENTS_MAX);
		if (write(fd, msg, (size_t)n) == -1)
			log_debug("control: refusing a client: %s",
			    strerror(errno));
		close(fd);
		return;
	}
	cl = xcalloc(1, sizeof(*cl));
	cl->ro = l->ro;
	cl->bev = bufferevent_socket_new(C.base, fd, BEV_OPT_CLOSE_ON_FREE);
	cl->ev_more = event_new(C.base, -1, 0, client_more_cb, cl);
	if (cl->bev == NULL || cl->ev_more == NULL)
		fatalx("control: out of memory");
	TAILQ_INSERT_TAIL(&C.clients, cl, entry);
	C.nclients++;
	bufferevent_setcb(cl->bev, client_read_cb, client_write_cb,
	    client_event_cb, cl);
	bufferevent_setwatermark(cl->bev, EV_READ, 0, CTL_IN_MAX);
	bufferevent_setwatermark(cl->bev, EV_WRITE, CTL_OUT_LOW, 0);
	line(cl, CTL_HELLO, true, "podbgpd %s ready%s", PACKAGE_VERSION,
	    cl->ro ? " (read-only)" : "");
	bufferevent_enable(cl->bev, EV_READ | EV_WRITE);
}

/* --- sockets ---------------------------------------------------------- */

/*
 * path is free for a new socket: absent, or a socket nobody listens on
 * (left by a daemon that died), which is removed. -1 with why otherwise.
 */
static int
clear_path(const char *path, char *why, size_t len)
{
	struct sockaddr_un	sa;
	struct stat		sb;
	int			fd, r, e;

	if (lstat(path, &sb) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISSOCK(sb.st_mode)) {
		snprintf(why, len, "%s exists and is not a socket; not "
		    "touching it", path);
		return -1;
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1) {
		snprintf(why, len, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	r = connect(fd, (struct sockaddr *)&sa, sizeof(sa));
	e = errno;
	close(fd);
	if (r == 0) {
		snprintf(why, len, "%s: another process (podbgpd?) is "
		    "serving this socket", path);
		return -1;
	}
	if (e != ECONNREFUSED) {
		snprintf(why, len, "%s: cannot tell whether it is in use: "
		    "%s", path, strerror(e));
		return -1;
	}
	if (unlink(path) == -1) {
		snprintf(why, len, "%s: cannot remove the stale socket: %s",
		    path, strerror(errno));
		return -1;
	}
	log_info("control: removed the stale socket %s", path);
	return 0;
}

static int
open_listener(struct listener *l, const char *path, mode_t mode,
    const struct group *gr, bool ro, char *why, size_t len)
{
	struct sockaddr_un	sa;
	struct stat		sb;
	mode_t			old;
	int			fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(why, len, "%s: longer than %zu bytes", path,
		    sizeof(sa.sun_path) - 1);
		return -1;
	}
	if (clear_path(path, why, len) == -1)
		return -1;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1) {
		snprintf(why, len, "socket: %s", strerror(errno));
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	strcpy(sa.sun_path, path);
	/* nobody may connect before the mode and group are set */
	old = umask(0177);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1) {
		umask(old);
		snprintf(why, len, "cannot create %s: %s%s", path,
		    strerror(errno), errno == ENOENT ? " (its directory "
		    "does not exist)" : "");
		close(fd);
		return -1;
	}
	umask(old);
	if ((gr != NULL && chown(path, (uid_t)-1, gr->gr_gid) == -1) ||
	    chmod(path, mode) == -1 || stat(path, &sb) == -1 ||
	    listen(fd, 64) == -1) {
		snprintf(why, len, "%s: cannot set its group, mode or "
		    "listen: %s", path, strerror(errno));
		unlink(path);
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->path = xstrdup(path);
	l->dev = sb.st_dev;
	l->ino = sb.st_ino;
	l->ro = ro;
	l->ev = event_new(C.base, fd, EV_READ | EV_PERSIST, accept_cb, l);
	if (l->ev == NULL || event_add(l->ev, NULL) == -1)
		fatalx("control: cannot watch %s", path);
	log_info("control: listening on %s (mode %04o%s%s%s)", path,
	    (unsigned)mode, gr != NULL ? ", group " : "",
	    gr != NULL ? gr->gr_name : "", ro ? ", read-only" : "");
	return 0;
}

int
control_init(struct event_base *base, const struct control_state *st)
{
	const struct conf	*c = st->conf;
	struct group		*gr = NULL;
	char			 why[512];

	memset(&C, 0, sizeof(C));
	TAILQ_INIT(&C.clients);
	C.base = base;
	C.st = st;
	if (c->ctl_group != NULL && (gr = getgrnam(c->ctl_group)) == NULL) {
		log_error("control: group %s (control.group) does not exist",
		    c->ctl_group);
		return -1;
	}
	if (open_listener(&C.ls[0], c->ctl_socket, (mode_t)c->ctl_mode, gr,
	    false, why, sizeof(why)) == -1) {
		log_error("control: %s", why);
		return -1;
	}
	C.nls = 1;
	if (c->ro_socket != NULL) {
		if (open_listener(&C.ls[1], c->ro_socket, (mode_t)c->ro_mode,
		    gr, true, why, sizeof(why)) == -1) {
			log_error("control: read-only socket: %s", why);
			control_free();
			return -1;
		}
		C.nls = 2;
	}
	return 0;
}

void
control_free(void)
{
	struct client	*cl;
	struct stat	 sb;
	size_t		 i;

	while ((cl = TAILQ_FIRST(&C.clients)) != NULL)
		client_free(cl);
	for (i = 0; i < C.nls; i++) {
		struct listener	*l = &C.ls[i];

		event_free(l->ev);
		close(l->fd);
		/* only if it is still ours, not a successor's */
		if (stat(l->path, &sb) == 0 && sb.st_dev == l->dev &&
		    sb.st_ino == l->ino)
			unlink(l->path);
		free(l->path);
	}
	C.nls = 0;
}
