/*
 * bgp_fsm: one table row per (state, event) of RFC 4271 8.2.2, reached by
 * driving a fresh FSM through real events, checking the next state, the
 * exact action bits, the NOTIFICATION and every timer operation: what the
 * session glue carries out. Then timer durations and jitter, hold time 0,
 * the damping back-off, collision resolution and names.
 */
#include <stdio.h>
#include <string.h>

#include "bgp_fsm.h"
#include "check_unit.h"

#define NROWS(a)	(sizeof(a) / sizeof((a)[0]))

#define NOTIF	BGP_FSM_A_SEND_NOTIFICATION
#define OPEN	BGP_FSM_A_SEND_OPEN
#define KA	BGP_FSM_A_SEND_KEEPALIVE
#define DROP	BGP_FSM_A_TCP_DROP
#define REJ	BGP_FSM_A_TCP_REJECT
#define CONN	BGP_FSM_A_TCP_CONNECT
#define INIT	BGP_FSM_A_INIT_RESOURCES
#define REL	BGP_FSM_A_RELEASE_RESOURCES
#define DEL	BGP_FSM_A_DELETE_ROUTES
#define CZ	BGP_FSM_A_CRC_ZERO
#define CI	BGP_FSM_A_CRC_INCR
#define DAMP	BGP_FSM_A_DAMP
#define UP	BGP_FSM_A_SESSION_UP
#define DOWN	BGP_FSM_A_SESSION_DOWN

/* a counted failure, and one that also ends an Established session */
#define FAIL	(DROP | REL | CI | DAMP)
#define EFAIL	(FAIL | DEL | DOWN)

#define IDLE	BGP_FSM_IDLE
#define CONNECT	BGP_FSM_CONNECT
#define ACTIVE	BGP_FSM_ACTIVE
#define OSENT	BGP_FSM_OPENSENT
#define OCONF	BGP_FSM_OPENCONFIRM
#define ESTAB	BGP_FSM_ESTABLISHED

/* The states a row starts from, each reached by real events. */
enum setup {
	S_IDLE,		/* fresh, never started */
	S_IDLE_HELD,	/* started, TCP failed: IdleHoldTimer runs */
	S_CONNECT,	/* ConnectRetryTimer runs */
	S_CONNECT_DO,	/* DelayOpen: TCP up, DelayOpenTimer runs */
	S_ACTIVE,	/* passive, ConnectRetryTimer runs */
	S_ACTIVE_DO,	/* passive, DelayOpen: TCP up, DelayOpenTimer runs */
	S_ACTIVE_NP,	/* not passive, back from Connect */
	S_OPENSENT,	/* large HoldTimer runs */
	S_OPENCONFIRM,	/* hold 90: HoldTimer, KeepaliveTimer run */
	S_OPENCONFIRM_H0,	/* hold 0: no timer runs */
	S_ESTABLISHED,
	S_ESTABLISHED_H0,
};

static const struct {
	enum bgp_fsm_state	state;
	const char		*running;	/* "CHKDI" timers that run */
} setup_want[] = {
	[S_IDLE] = { IDLE, "....." },
	[S_IDLE_HELD] = { IDLE, "....I" },
	[S_CONNECT] = { CONNECT, "C...." },
	[S_CONNECT_DO] = { CONNECT, "...D." },
	[S_ACTIVE] = { ACTIVE, "C...." },
	[S_ACTIVE_DO] = { ACTIVE, "...D." },
	[S_ACTIVE_NP] = { ACTIVE, "C...." },
	[S_OPENSENT] = { OSENT, ".H..." },
	[S_OPENCONFIRM] = { OCONF, ".HK.." },
	[S_OPENCONFIRM_H0] = { OCONF, "....." },
	[S_ESTABLISHED] = { ESTAB, ".HK.." },
	[S_ESTABLISHED_H0] = { ESTAB, "....." },
};

static struct bgp_fsm_input
input(uint64_t now, uint32_t hold)
{
	struct bgp_fsm_input	in;

	memset(&in, 0, sizeof(in));
	in.now_ms = now;
	in.hold_time = hold;
	return in;
}

/* A step that must be accepted and land in `want`. */
static struct bgp_fsm_out
step(struct bgp_fsm *f, enum bgp_fsm_event ev, uint64_t now, uint32_t hold,
    enum bgp_fsm_state want)
{
	struct bgp_fsm_input	in = input(now, hold);
	struct bgp_fsm_out	out;

	ck_assert_int_eq(bgp_fsm_step(f, ev, &in, &out), 0);
	ck_assert_msg(out.state == want && f->state == want,
	    "%s: got %s, want %s", bgp_fsm_event_name(ev),
	    bgp_fsm_state_name(out.state), bgp_fsm_state_name(want));
	return out;
}

static void
setup(struct bgp_fsm *f, enum setup s)
{
	struct bgp_fsm_conf	c;
	const char		*r;
	int			 t;

	bgp_fsm_conf_default(&c);
	if (s == S_CONNECT_DO || s == S_ACTIVE_DO || s == S_ACTIVE_NP)
		c.delay_open = true;
	bgp_fsm_init(f, &c);
	switch (s) {
	case S_IDLE:
		break;
	case S_IDLE_HELD:
		step(f, BGP_EV_MANUAL_START, 0, 0, CONNECT);
		step(f, BGP_EV_TCP_FAILS, 0, 0, IDLE);
		break;
	case S_CONNECT:
		step(f, BGP_EV_MANUAL_START, 0, 0, CONNECT);
		break;
	case S_CONNECT_DO:
		step(f, BGP_EV_MANUAL_START, 0, 0, CONNECT);
		step(f, BGP_EV_TCP_CR_ACKED, 0, 0, CONNECT);
		break;
	case S_ACTIVE:
		step(f, BGP_EV_MANUAL_START_PASSIVE, 0, 0, ACTIVE);
		break;
	case S_ACTIVE_DO:
		step(f, BGP_EV_MANUAL_START_PASSIVE, 0, 0, ACTIVE);
		step(f, BGP_EV_TCP_CONFIRMED, 0, 0, ACTIVE);
		break;
	case S_ACTIVE_NP:
		step(f, BGP_EV_MANUAL_START, 0, 0, CONNECT);
		step(f, BGP_EV_TCP_CR_ACKED, 0, 0, CONNECT);
		step(f, BGP_EV_TCP_FAILS, 0, 0, ACTIVE);
		break;
	case S_OPENSENT:
		step(f, BGP_EV_MANUAL_START, 0, 0, CONNECT);
		step(f, BGP_EV_TCP_CR_ACKED, 0, 0, OSENT);
		break;
	case S_OPENCONFIRM:
	case S_OPENCONFIRM_H0:
	case S_ESTABLISHED:
	case S_ESTABLISHED_H0:
		step(f, BGP_EV_MANUAL_START, 0, 0, CONNECT);
		step(f, BGP_EV_TCP_CR_ACKED, 0, 0, OSENT);
		step(f, BGP_EV_OPEN, 0, s == S_OPENCONFIRM ||
		    s == S_ESTABLISHED ? 90 : 0, OCONF);
		if (s == S_ESTABLISHED || s == S_ESTABLISHED_H0)
			step(f, BGP_EV_KEEPALIVE, 0, 0, ESTAB);
		break;
	}
	ck_assert_int_eq(f->state, setup_want[s].state);
	r = setup_want[s].running;
	for (t = 0; t < BGP_TIMER_MAX; t++)
		ck_assert_msg(f->running[t] == (r[t] != '.'),
		    "setup %d: %s running %d", s, bgp_fsm_timer_name(t),
		    f->running[t]);
}

struct row {
	enum setup		from;
	enum bgp_fsm_event	ev;
	enum bgp_fsm_state	to;
	uint32_t		actions;
	uint8_t			code;		/* with NOTIF */
	uint8_t			subcode;
	const char		*timers;	/* "CHKDI": S start, X stop */
};

/* Input code/subcode the glue passes with message error events. */
#define IN_CODE_HDR	BGP_ERR_HEADER
#define IN_SUB_HDR	BGP_ERR_HDR_LEN
#define IN_CODE_OPEN	BGP_ERR_OPEN
#define IN_SUB_OPEN	BGP_ERR_OPEN_PEER_AS
#define IN_CODE_UPD	BGP_ERR_UPDATE
#define IN_SUB_UPD	BGP_ERR_UPD_ATTR_LIST

#define HDRERR		BGP_ERR_HEADER, BGP_ERR_HDR_LEN
#define OPENERR		BGP_ERR_OPEN, BGP_ERR_OPEN_PEER_AS
#define UPDERR		BGP_ERR_UPDATE, BGP_ERR_UPD_ATTR_LIST
#define SHUTDOWN	BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_SHUTDOWN
#define RESET		BGP_ERR_CEASE, BGP_ERR_CEASE_ADMIN_RESET
#define COLLIDE		BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION
#define HOLDEXP		BGP_ERR_HOLD, BGP_FSM_SUBCODE_NONE
#define FSM_UNSPEC	BGP_ERR_FSM, BGP_ERR_FSM_UNSPEC
#define FSM_OSENT	BGP_ERR_FSM, BGP_ERR_FSM_OPENSENT
#define FSM_OCONF	BGP_ERR_FSM, BGP_ERR_FSM_OPENCONFIRM
#define FSM_ESTAB	BGP_ERR_FSM, BGP_ERR_FSM_ESTABLISHED
#define NONE		0, 0

static const struct row rows[] = {
	/* Idle: starts; stops ignored; connections refused; rest ignored */
	{ S_IDLE, 1, CONNECT, INIT | CZ | CONN, NONE, "S...." },
	{ S_IDLE, 2, IDLE, 0, NONE, "....." },
	{ S_IDLE, 3, CONNECT, INIT | CZ | CONN, NONE, "S...." },
	{ S_IDLE, 4, ACTIVE, INIT | CZ, NONE, "S...." },
	{ S_IDLE, 5, ACTIVE, INIT | CZ, NONE, "S...." },
	{ S_IDLE, 6, CONNECT, INIT | CZ | CONN, NONE, "S...." },
	{ S_IDLE, 7, ACTIVE, INIT | CZ, NONE, "S...." },
	{ S_IDLE, 8, IDLE, 0, NONE, "....." },
	{ S_IDLE, 9, IDLE, 0, NONE, "....." },
	{ S_IDLE, 10, IDLE, 0, NONE, "....." },
	{ S_IDLE, 11, IDLE, 0, NONE, "....." },
	{ S_IDLE, 12, IDLE, 0, NONE, "....." },
	{ S_IDLE, 13, IDLE, 0, NONE, "....." },
	{ S_IDLE, 14, IDLE, REJ, NONE, "....." },
	{ S_IDLE, 15, IDLE, REJ, NONE, "....." },
	{ S_IDLE, 16, IDLE, REJ, NONE, "....." },
	{ S_IDLE, 17, IDLE, REJ, NONE, "....." },
	{ S_IDLE, 18, IDLE, 0, NONE, "....." },
	{ S_IDLE, 19, IDLE, 0, NONE, "....." },
	{ S_IDLE, 20, IDLE, 0, NONE, "....." },
	{ S_IDLE, 21, IDLE, 0, NONE, "....." },
	{ S_IDLE, 22, IDLE, 0, NONE, "....." },
	{ S_IDLE, 23, IDLE, 0, NONE, "....." },
	{ S_IDLE, 24, IDLE, 0, NONE, "....." },
	{ S_IDLE, 25, IDLE, 0, NONE, "....." },
	{ S_IDLE, 26, IDLE, 0, NONE, "....." },
	{ S_IDLE, 27, IDLE, 0, NONE, "....." },
	{ S_IDLE, 28, IDLE, 0, NONE, "....." },

	/* Idle with the IdleHoldTimer running (DampPeerOscillations) */
	{ S_IDLE_HELD, 13, CONNECT, INIT | CONN, NONE, "S...." },
	{ S_IDLE_HELD, 6, IDLE, 0, NONE, "....." },
	{ S_IDLE_HELD, 7, IDLE, 0, NONE, "....." },
	{ S_IDLE_HELD, 1, CONNECT, INIT | CZ | CONN, NONE, "S...X" },
	{ S_IDLE_HELD, 3, CONNECT, INIT | CZ | CONN, NONE, "S...X" },
	{ S_IDLE_HELD, 4, ACTIVE, INIT | CZ, NONE, "S...X" },
	{ S_IDLE_HELD, 2, IDLE, 0, NONE, "....X" },
	{ S_IDLE_HELD, 8, IDLE, 0, NONE, "....." },
	{ S_IDLE_HELD, 16, IDLE, REJ, NONE, "....." },

	/* Connect */
	{ S_CONNECT, 1, CONNECT, 0, NONE, "....." },
	{ S_CONNECT, 2, IDLE, DROP | REL | CZ, NONE, "X...." },
	{ S_CONNECT, 3, CONNECT, 0, NONE, "....." },
	{ S_CONNECT, 4, CONNECT, 0, NONE, "....." },
	{ S_CONNECT, 5, CONNECT, 0, NONE, "....." },
	{ S_CONNECT, 6, CONNECT, 0, NONE, "....." },
	{ S_CONNECT, 7, CONNECT, 0, NONE, "....." },
	{ S_CONNECT, 8, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 9, CONNECT, DROP | CONN, NONE, "S...." },
	{ S_CONNECT, 10, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 11, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 12, OSENT, INIT | OPEN, NONE, "XS..." },
	{ S_CONNECT, 13, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 14, CONNECT, 0, NONE, "....." },
	{ S_CONNECT, 15, CONNECT, REJ, NONE, "....." },
	{ S_CONNECT, 16, OSENT, INIT | OPEN, NONE, "XS..." },
	{ S_CONNECT, 17, OSENT, INIT | OPEN, NONE, "XS..." },
	{ S_CONNECT, 18, IDLE, DROP | REL, NONE, "X...S" },
	{ S_CONNECT, 19, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 20, OCONF, INIT | OPEN | KA, NONE, "XSS.." },
	{ S_CONNECT, 21, IDLE, NOTIF | FAIL, HDRERR, "X...S" },
	{ S_CONNECT, 22, IDLE, NOTIF | FAIL, OPENERR, "X...S" },
	{ S_CONNECT, 23, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 24, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 25, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 26, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 27, IDLE, FAIL, NONE, "X...S" },
	{ S_CONNECT, 28, IDLE, FAIL, NONE, "X...S" },

	/* Connect, DelayOpenTimer running */
	{ S_CONNECT_DO, 2, IDLE, DROP | REL | CZ, NONE, "...X." },
	{ S_CONNECT_DO, 9, CONNECT, DROP | CONN, NONE, "S..X." },
	{ S_CONNECT_DO, 12, OSENT, INIT | OPEN, NONE, ".S.X." },
	{ S_CONNECT_DO, 18, ACTIVE, DROP, NONE, "S..X." },
	{ S_CONNECT_DO, 19, OCONF, INIT | OPEN | KA, NONE, ".SSX." },
	{ S_CONNECT_DO, 20, OCONF, INIT | OPEN | KA, NONE, ".SSX." },
	{ S_CONNECT_DO, 21, IDLE, NOTIF | FAIL, HDRERR, "...XS" },
	{ S_CONNECT_DO, 22, IDLE, NOTIF | FAIL, OPENERR, "...XS" },
	{ S_CONNECT_DO, 24, IDLE, DROP | REL, NONE, "...XS" },
	{ S_CONNECT_DO, 25, IDLE, FAIL, NONE, "...XS" },
	{ S_CONNECT_DO, 26, IDLE, FAIL, NONE, "...XS" },

	/* Active (passive) */
	{ S_ACTIVE, 1, ACTIVE, 0, NONE, "....." },
	{ S_ACTIVE, 2, IDLE, DROP | REL | CZ, NONE, "X...." },
	{ S_ACTIVE, 3, ACTIVE, 0, NONE, "....." },
	{ S_ACTIVE, 4, ACTIVE, 0, NONE, "....." },
	{ S_ACTIVE, 5, ACTIVE, 0, NONE, "....." },
	{ S_ACTIVE, 6, ACTIVE, 0, NONE, "....." },
	{ S_ACTIVE, 7, ACTIVE, 0, NONE, "....." },
	{ S_ACTIVE, 8, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 9, ACTIVE, 0, NONE, "S...." },
	{ S_ACTIVE, 10, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 11, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 12, OSENT, INIT | OPEN, NONE, "XS..." },
	{ S_ACTIVE, 13, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 14, ACTIVE, 0, NONE, "....." },
	{ S_ACTIVE, 15, ACTIVE, REJ, NONE, "....." },
	{ S_ACTIVE, 16, OSENT, INIT | OPEN, NONE, "XS..." },
	{ S_ACTIVE, 17, OSENT, INIT | OPEN, NONE, "XS..." },
	{ S_ACTIVE, 18, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 19, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 20, OCONF, INIT | OPEN | KA, NONE, "XSS.." },
	{ S_ACTIVE, 21, IDLE, NOTIF | FAIL, HDRERR, "X...S" },
	{ S_ACTIVE, 22, IDLE, NOTIF | FAIL, OPENERR, "X...S" },
	{ S_ACTIVE, 23, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 24, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 25, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 26, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 27, IDLE, FAIL, NONE, "X...S" },
	{ S_ACTIVE, 28, IDLE, FAIL, NONE, "X...S" },

	/* Active, DelayOpenTimer running */
	{ S_ACTIVE_DO, 2, IDLE, NOTIF | DROP | REL | CZ, SHUTDOWN, "...X." },
	{ S_ACTIVE_DO, 12, OSENT, INIT | OPEN, NONE, ".S.X." },
	{ S_ACTIVE_DO, 18, IDLE, FAIL, NONE, "...XS" },
	{ S_ACTIVE_DO, 19, OCONF, INIT | OPEN | KA, NONE, ".SSX." },
	{ S_ACTIVE_DO, 22, IDLE, NOTIF | FAIL, OPENERR, "...XS" },
	{ S_ACTIVE_DO, 24, IDLE, DROP | REL, NONE, "...XS" },

	/* Active, not passive: the retry connects */
	{ S_ACTIVE_NP, 9, CONNECT, CONN, NONE, "S...." },
	{ S_ACTIVE_NP, 16, ACTIVE, 0, NONE, "X..S." },

	/* OpenSent */
	{ S_OPENSENT, 1, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 2, IDLE, NOTIF | DROP | REL | CZ, SHUTDOWN, ".X..." },
	{ S_OPENSENT, 3, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 4, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 5, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 6, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 7, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 8, IDLE, NOTIF | FAIL, RESET, ".X..S" },
	{ S_OPENSENT, 9, IDLE, NOTIF | FAIL, FSM_UNSPEC, ".X..S" },
	{ S_OPENSENT, 10, IDLE, NOTIF | FAIL, HOLDEXP, ".X..S" },
	{ S_OPENSENT, 11, IDLE, NOTIF | FAIL, FSM_UNSPEC, ".X..S" },
	{ S_OPENSENT, 12, IDLE, NOTIF | FAIL, FSM_UNSPEC, ".X..S" },
	{ S_OPENSENT, 13, IDLE, NOTIF | FAIL, FSM_UNSPEC, ".X..S" },
	{ S_OPENSENT, 14, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 15, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 16, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 17, OSENT, 0, NONE, "....." },
	{ S_OPENSENT, 18, ACTIVE, DROP, NONE, "SX..." },
	{ S_OPENSENT, 19, OCONF, KA, NONE, ".SS.." },
	{ S_OPENSENT, 20, IDLE, NOTIF | FAIL, FSM_OSENT, ".X..S" },
	{ S_OPENSENT, 21, IDLE, NOTIF | FAIL, HDRERR, ".X..S" },
	{ S_OPENSENT, 22, IDLE, NOTIF | FAIL, OPENERR, ".X..S" },
	{ S_OPENSENT, 23, IDLE, NOTIF | FAIL, COLLIDE, ".X..S" },
	{ S_OPENSENT, 24, IDLE, DROP | REL, NONE, ".X..S" },
	{ S_OPENSENT, 25, IDLE, FAIL, NONE, ".X..S" },
	{ S_OPENSENT, 26, IDLE, NOTIF | FAIL, FSM_OSENT, ".X..S" },
	{ S_OPENSENT, 27, IDLE, NOTIF | FAIL, FSM_OSENT, ".X..S" },
	{ S_OPENSENT, 28, IDLE, NOTIF | FAIL, FSM_OSENT, ".X..S" },

	/* OpenConfirm */
	{ S_OPENCONFIRM, 1, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 2, IDLE, NOTIF | DROP | REL | CZ, SHUTDOWN,
	    ".XX.." },
	{ S_OPENCONFIRM, 3, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 4, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 5, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 6, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 7, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 8, IDLE, NOTIF | FAIL, RESET, ".XX.S" },
	{ S_OPENCONFIRM, 9, IDLE, NOTIF | FAIL, FSM_UNSPEC, ".XX.S" },
	{ S_OPENCONFIRM, 10, IDLE, NOTIF | FAIL, HOLDEXP, ".XX.S" },
	{ S_OPENCONFIRM, 11, OCONF, KA, NONE, "..S.." },
	{ S_OPENCONFIRM, 12, IDLE, NOTIF | FAIL, FSM_UNSPEC, ".XX.S" },
	{ S_OPENCONFIRM, 13, IDLE, NOTIF | FAIL, FSM_UNSPEC, ".XX.S" },
	{ S_OPENCONFIRM, 14, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 15, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 16, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 17, OCONF, 0, NONE, "....." },
	{ S_OPENCONFIRM, 18, IDLE, FAIL, NONE, ".XX.S" },
	{ S_OPENCONFIRM, 19, IDLE, NOTIF | FAIL, FSM_OCONF, ".XX.S" },
	{ S_OPENCONFIRM, 20, IDLE, NOTIF | FAIL, FSM_OCONF, ".XX.S" },
	{ S_OPENCONFIRM, 21, IDLE, NOTIF | FAIL, HDRERR, ".XX.S" },
	{ S_OPENCONFIRM, 22, IDLE, NOTIF | FAIL, OPENERR, ".XX.S" },
	{ S_OPENCONFIRM, 23, IDLE, NOTIF | FAIL, COLLIDE, ".XX.S" },
	{ S_OPENCONFIRM, 24, IDLE, DROP | REL, NONE, ".XX.S" },
	{ S_OPENCONFIRM, 25, IDLE, FAIL, NONE, ".XX.S" },
	{ S_OPENCONFIRM, 26, ESTAB, UP, NONE, ".S..." },
	{ S_OPENCONFIRM, 27, IDLE, NOTIF | FAIL, FSM_OCONF, ".XX.S" },
	{ S_OPENCONFIRM, 28, IDLE, NOTIF | FAIL, FSM_OCONF, ".XX.S" },

	/* OpenConfirm, hold time 0: no timer to restart or stop */
	{ S_OPENCONFIRM_H0, 26, ESTAB, UP, NONE, "....." },
	{ S_OPENCONFIRM_H0, 18, IDLE, FAIL, NONE, "....S" },

	/* Established */
	{ S_ESTABLISHED, 1, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 2, IDLE, NOTIF | DROP | REL | CZ | DEL | DOWN,
	    SHUTDOWN, ".XX.." },
	{ S_ESTABLISHED, 3, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 4, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 5, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 6, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 7, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 8, IDLE, NOTIF | EFAIL, RESET, ".XX.S" },
	{ S_ESTABLISHED, 9, IDLE, NOTIF | EFAIL, FSM_UNSPEC, ".XX.S" },
	{ S_ESTABLISHED, 10, IDLE, NOTIF | EFAIL, HOLDEXP, ".XX.S" },
	{ S_ESTABLISHED, 11, ESTAB, KA, NONE, "..S.." },
	{ S_ESTABLISHED, 12, IDLE, NOTIF | EFAIL, FSM_UNSPEC, ".XX.S" },
	{ S_ESTABLISHED, 13, IDLE, NOTIF | EFAIL, FSM_UNSPEC, ".XX.S" },
	{ S_ESTABLISHED, 14, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 15, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 16, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 17, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 18, IDLE, EFAIL, NONE, ".XX.S" },
	{ S_ESTABLISHED, 19, IDLE, NOTIF | EFAIL, FSM_ESTAB, ".XX.S" },
	{ S_ESTABLISHED, 20, IDLE, NOTIF | EFAIL, FSM_ESTAB, ".XX.S" },
	{ S_ESTABLISHED, 21, IDLE, NOTIF | EFAIL, HDRERR, ".XX.S" },
	{ S_ESTABLISHED, 22, IDLE, NOTIF | EFAIL, FSM_ESTAB, ".XX.S" },
	{ S_ESTABLISHED, 23, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED, 24, IDLE, EFAIL, NONE, ".XX.S" },
	{ S_ESTABLISHED, 25, IDLE, EFAIL, NONE, ".XX.S" },
	{ S_ESTABLISHED, 26, ESTAB, 0, NONE, ".S..." },
	{ S_ESTABLISHED, 27, ESTAB, 0, NONE, ".S..." },
	{ S_ESTABLISHED, 28, IDLE, NOTIF | EFAIL, UPDERR, ".XX.S" },

	/* Established, hold time 0: no HoldTimer, no KeepaliveTimer */
	{ S_ESTABLISHED_H0, 11, ESTAB, KA, NONE, "....." },
	{ S_ESTABLISHED_H0, 26, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED_H0, 27, ESTAB, 0, NONE, "....." },
	{ S_ESTABLISHED_H0, 10, IDLE, NOTIF | EFAIL, HOLDEXP, "....S" },
};

static void
actions_str(uint32_t a, char *buf, size_t len)
{
	uint32_t	bit;

	buf[0] = '\0';
	for (bit = 1; bit < BGP_FSM_A_MAX; bit <<= 1)
		if (a & bit) {
			strncat(buf, bgp_fsm_action_name(bit),
			    len - strlen(buf) - 1);
			strncat(buf, " ", len - strlen(buf) - 1);
		}
}

START_TEST(fsm_table)
{
	const struct row	*r = &rows[_i];
	struct bgp_fsm		 f;
	struct bgp_fsm_input	 in;
	struct bgp_fsm_out	 out;
	char			 got[256], want[256], where[128];
	uint32_t		 crc;
	int			 t;

	setup(&f, r->from);
	crc = f.connect_retry_counter;
	in = input(1000, 90);
	in.rand = 0;
	if (r->ev == BGP_EV_HEADER_ERR) {
		in.code = IN_CODE_HDR;
		in.subcode = IN_SUB_HDR;
	} else if (r->ev == BGP_EV_OPEN_ERR) {
		in.code = IN_CODE_OPEN;
		in.subcode = IN_SUB_OPEN;
	} else if (r->ev == BGP_EV_UPDATE_ERR) {
		in.code = IN_CODE_UPD;
		in.subcode = IN_SUB_UPD;
	}
	snprintf(where, sizeof(where), "row %d: setup %d, %s (%d)", _i,
	    r->from, bgp_fsm_event_name(r->ev), r->ev);

	ck_assert_int_eq(bgp_fsm_step(&f, r->ev, &in, &out), 0);
	ck_assert_msg(out.state == r->to && f.state == r->to,
	    "%s: state %s, want %s", where, bgp_fsm_state_name(out.state),
	    bgp_fsm_state_name(r->to));
	ck_assert_int_eq(out.prev, setup_want[r->from].state);
	/* an OPEN while DelayOpenTimer runs is taken as event 20 */
	ck_assert_int_eq(out.event, r->ev == BGP_EV_OPEN &&
	    setup_want[r->from].running[BGP_TIMER_DELAY_OPEN] == 'D' ?
	    BGP_EV_OPEN_DELAYED : r->ev);
	actions_str(out.actions, got, sizeof(got));
	actions_str(r->actions, want, sizeof(want));
	ck_assert_msg(out.actions == r->actions, "%s: actions [%s], want [%s]",
	    where, got, want);
	if (r->actions & NOTIF)
		ck_assert_msg(out.code == r->code && out.subcode == r->subcode,
		    "%s: NOTIFICATION %u/%u, want %u/%u", where, out.code,
		    out.subcode, r->code, r->subcode);
	for (t = 0; t < BGP_TIMER_MAX; t++) {
		char	op = ".SX"[out.timer[t].op];

		ck_assert_msg(op == r->timers[t], "%s: %s op %c, want %c",
		    where, bgp_fsm_timer_name(t), op, r->timers[t]);
		/* the FSM's own view follows what it asked for */
		if (op == 'S')
			ck_assert(f.running[t]);
		if (op == 'X')
			ck_assert(!f.running[t]);
	}
	/* the counter follows its action bits */
	if (out.actions & CZ)
		ck_assert_uint_eq(f.connect_retry_counter,
		    (out.actions & CI) ? 1 : 0);
	else if (out.actions & CI)
		ck_assert_uint_eq(f.connect_retry_counter, crc + 1);
	else
		ck_assert_uint_eq(f.connect_retry_counter, crc);
	/* Idle never keeps a session timer */
	if (f.state == BGP_FSM_IDLE)
		for (t = 0; t < BGP_TIMER_IDLE_HOLD; t++)
			ck_assert(!f.running[t]);
}
END_TEST

/* Every (state, event) pair has a row from at least one setup. */
START_TEST(fsm_table_complete)
{
	bool	seen[BGP_FSM_STATE_MAX][BGP_EV_MAX];
	size_t	i;
	int	s, ev;

	memset(seen, 0, sizeof(seen));
	for (i = 0; i < NROWS(rows); i++)
		seen[setup_want[rows[i].from].state][rows[i].ev] = true;
	for (s = 0; s < BGP_FSM_STATE_MAX; s++)
		for (ev = BGP_EV_MANUAL_START; ev < BGP_EV_MAX; ev++)
			ck_assert_msg(seen[s][ev], "no row for %s, %s",
			    bgp_fsm_state_name(s), bgp_fsm_event_name(ev));
	ck_assert_uint_ge(NROWS(rows), 150);
}
END_TEST

START_TEST(fsm_bad_event)
{
	struct bgp_fsm		f;
	struct bgp_fsm_out	out;

	setup(&f, S_ESTABLISHED);
	ck_assert_int_eq(bgp_fsm_step(&f, 0, NULL, &out), -1);
	ck_assert_int_eq(bgp_fsm_step(&f, BGP_EV_MAX, NULL, &out), -1);
	ck_assert_int_eq(bgp_fsm_step(&f, (enum bgp_fsm_event)-1, NULL,
	    &out), -1);
	ck_assert_int_eq(f.state, BGP_FSM_ESTABLISHED);
	ck_assert_int_eq(out.state, BGP_FSM_ESTABLISHED);
	ck_assert_uint_eq(out.actions, 0);
	/* a NULL input is all zero, not a crash */
	ck_assert_int_eq(bgp_fsm_step(&f, BGP_EV_KEEPALIVE, NULL, &out), 0);
	ck_assert_int_eq(out.timer[BGP_TIMER_HOLD].op, BGP_TIMER_START);
}
END_TEST

START_TEST(fsm_jitter_bounds)
{
	static const uint32_t	rs[] = { 0, 1, 0x3fffffff, 0x80000000,
	    0xc0000000, 0xfffffffe, 0xffffffff };
	static const uint32_t	ms[] = { 1, 3, 4, 1000, 30000, 120000,
	    0xffffffff };
	size_t			i, j;
	uint32_t		v;

	for (i = 0; i < NROWS(ms); i++)
		for (j = 0; j < NROWS(rs); j++) {
			v = bgp_fsm_jitter(ms[i], rs[j]);
			ck_assert_uint_le(v, ms[i]);
			/* v >= 0.75 ms, in integers */
			ck_assert_uint_ge((uint64_t)v * 4, (uint64_t)ms[i] * 3);
		}
	ck_assert_uint_eq(bgp_fsm_jitter(120000, 0), 120000);
	ck_assert_uint_eq(bgp_fsm_jitter(120000, 0x80000000), 105000);
	ck_assert_uint_eq(bgp_fsm_jitter(120000, 0xffffffff), 90001);
	ck_assert_uint_eq(bgp_fsm_jitter(30000, 0x80000000), 26250);
}
END_TEST

START_TEST(fsm_timer_values)
{
	struct bgp_fsm		f;
	struct bgp_fsm_conf	c;
	struct bgp_fsm_input	in;
	struct bgp_fsm_out	out;

	/* ConnectRetryTime 120 s by default, jittered by the input */
	bgp_fsm_init(&f, NULL);
	in = input(5000, 0);
	in.rand = 0x80000000;
	bgp_fsm_step(&f, BGP_EV_MANUAL_START, &in, &out);
	ck_assert_int_eq(out.timer[BGP_TIMER_CONNECT_RETRY].op,
	    BGP_TIMER_START);
	ck_assert_uint_eq(out.timer[BGP_TIMER_CONNECT_RETRY].ms, 105000);
	ck_assert_uint_eq(f.deadline_ms[BGP_TIMER_CONNECT_RETRY], 110000);

	/* the large HoldTimer in OpenSent: 4 minutes, not jittered */
	in.rand = 0xffffffff;
	bgp_fsm_step(&f, BGP_EV_TCP_CR_ACKED, &in, &out);
	ck_assert_int_eq(out.state, BGP_FSM_OPENSENT);
	ck_assert_uint_eq(out.timer[BGP_TIMER_HOLD].ms, 240000);

	/* negotiated 90 s: HoldTimer 90 s, KeepaliveTimer 30 s jittered */
	in = input(6000, 90);
	bgp_fsm_step(&f, BGP_EV_OPEN, &in, &out);
	ck_assert_uint_eq(out.timer[BGP_TIMER_HOLD].ms, 90000);
	ck_assert_uint_eq(out.timer[BGP_TIMER_KEEPALIVE].ms, 30000);
	ck_assert_uint_eq(f.deadline_ms[BGP_TIMER_HOLD], 96000);
	in.rand = 0x80000000;
	bgp_fsm_step(&f, BGP_EV_KEEPALIVE_EXPIRES, &in, &out);
	ck_assert_uint_eq(out.timer[BGP_TIMER_KEEPALIVE].ms, 26250);
	bgp_fsm_step(&f, BGP_EV_KEEPALIVE, &in, &out);
	ck_assert_int_eq(out.state, BGP_FSM_ESTABLISHED);
	ck_assert_uint_eq(out.timer[BGP_TIMER_HOLD].ms, 90000);
	/* an UPDATE sent restarts the KeepaliveTimer */
	in.rand = 0;
	bgp_fsm_update_sent(&f, &in, &out);
	ck_assert_int_eq(out.timer[BGP_TIMER_KEEPALIVE].op, BGP_TIMER_START);
	ck_assert_uint_eq(out.timer[BGP_TIMER_KEEPALIVE].ms, 30000);
	ck_assert_uint_eq(out.actions, 0);

	/* a configured keepalive overrides hold / 3; own ConnectRetryTime */
	bgp_fsm_conf_default(&c);
	c.connect_retry_ms = 30000;
	c.hold_open_ms = 180000;
	bgp_fsm_init(&f, &c);
	in = input(0, 0);
	bgp_fsm_step(&f, BGP_EV_MANUAL_START, &in, &out);
	ck_assert_uint_eq(out.timer[BGP_TIMER_CONNECT_RETRY].ms, 30000);
	bgp_fsm_step(&f, BGP_EV_TCP_CONFIRMED, &in, &out);
	ck_assert_uint_eq(out.timer[BGP_TIMER_HOLD].ms, 180000);
	in = input(0, 9);
	in.keepalive = 2;
	bgp_fsm_step(&f, BGP_EV_OPEN, &in, &out);
	ck_assert_uint_eq(out.timer[BGP_TIMER_HOLD].ms, 9000);
	ck_assert_uint_eq(out.timer[BGP_TIMER_KEEPALIVE].ms, 2000);

	/* a hold time past the 16-bit wire field is clamped, not wrapped */
	setup(&f, S_OPENSENT);
	in = input(0, 5000000);
	bgp_fsm_step(&f, BGP_EV_OPEN, &in, &out);
	ck_assert_uint_eq(out.timer[BGP_TIMER_HOLD].ms, 65535000);
	ck_assert_uint_eq(out.timer[BGP_TIMER_KEEPALIVE].ms, 21845000);

	/* DelayOpenTime from the configuration */
	bgp_fsm_conf_default(&c);
	c.delay_open = true;
	c.delay_open_ms = 7000;
	bgp_fsm_init(&f, &c);
	in = input(0, 0);
	bgp_fsm_step(&f, BGP_EV_MANUAL_START, &in, &out);
	bgp_fsm_step(&f, BGP_EV_TCP_CR_ACKED, &in, &out);
	ck_assert_int_eq(out.timer[BGP_TIMER_DELAY_OPEN].op, BGP_TIMER_START);
	ck_assert_uint_eq(out.timer[BGP_TIMER_DELAY_OPEN].ms, 7000);
	ck_assert_uint_eq(out.actions & OPEN, 0);
}
END_TEST

/* Hold time 0: neither timer ever starts, UPDATEs sent restart nothing. */
START_TEST(fsm_hold_zero)
{
	struct bgp_fsm		f;
	struct bgp_fsm_input	in = input(0, 0);
	struct bgp_fsm_out	out;
	int			t;

	setup(&f, S_OPENSENT);
	bgp_fsm_step(&f, BGP_EV_OPEN, &in, &out);
	ck_assert_int_eq(out.state, BGP_FSM_OPENCONFIRM);
	ck_assert_int_eq(out.timer[BGP_TIMER_HOLD].op, BGP_TIMER_STOP);
	ck_assert_int_eq(out.timer[BGP_TIMER_KEEPALIVE].op, BGP_TIMER_KEEP);
	ck_assert(out.actions & KA);
	bgp_fsm_step(&f, BGP_EV_KEEPALIVE, &in, &out);
	ck_assert_int_eq(out.state, BGP_FSM_ESTABLISHED);
	ck_assert_uint_eq(f.hold_ms, 0);
	ck_assert_uint_eq(f.keepalive_ms, 0);
	bgp_fsm_update_sent(&f, &in, &out);
	for (t = 0; t < BGP_TIMER_MAX; t++) {
		ck_assert_int_eq(out.timer[t].op, BGP_TIMER_KEEP);
		ck_assert(!f.running[t]);
	}
	/* a configured keepalive does not bring the timer back */
	setup(&f, S_OPENSENT);
	in.keepalive = 10;
	bgp_fsm_step(&f, BGP_EV_OPEN, &in, &out);
	ck_assert_int_eq(out.timer[BGP_TIMER_KEEPALIVE].op, BGP_TIMER_KEEP);
	ck_assert(!f.running[BGP_TIMER_KEEPALIVE]);
	/* not Established: an UPDATE sent changes nothing */
	setup(&f, S_OPENCONFIRM);
	bgp_fsm_update_sent(&f, &in, &out);
	ck_assert_int_eq(out.timer[BGP_TIMER_KEEPALIVE].op, BGP_TIMER_KEEP);
}
END_TEST

/* One flap from Established at `now` after coming up at `up`. */
static uint32_t
flap_established(struct bgp_fsm *f, uint64_t up, uint64_t now)
{
	struct bgp_fsm_out	out;

	step(f, BGP_EV_IDLE_HOLD_EXPIRES, up, 0, CONNECT);
	step(f, BGP_EV_TCP_CR_ACKED, up, 0, OSENT);
	step(f, BGP_EV_OPEN, up, 90, OCONF);
	step(f, BGP_EV_KEEPALIVE, up, 0, ESTAB);
	out = step(f, BGP_EV_NOTIF, now, 0, IDLE);
	ck_assert(out.actions & DOWN);
	ck_assert_int_eq(out.timer[BGP_TIMER_IDLE_HOLD].op, BGP_TIMER_START);
	return out.timer[BGP_TIMER_IDLE_HOLD].ms;
}

START_TEST(fsm_damping_backoff)
{
	static const uint32_t	want[] = { 5000, 10000, 20000, 40000, 80000,
	    160000, 300000, 300000, 300000 };
	struct bgp_fsm		f;
	struct bgp_fsm_out	out;
	uint64_t		now = 0;
	size_t			i;

	bgp_fsm_init(&f, NULL);
	step(&f, BGP_EV_MANUAL_START, now, 0, CONNECT);
	for (i = 0; i < NROWS(want); i++) {
		step(&f, BGP_EV_TCP_CR_ACKED, now, 0, OSENT);
		out = step(&f, BGP_EV_HOLD_EXPIRES, now, 0, IDLE);
		ck_assert(out.actions & DAMP);
		ck_assert_int_eq(out.timer[BGP_TIMER_IDLE_HOLD].op,
		    BGP_TIMER_START);
		ck_assert_msg(out.timer[BGP_TIMER_IDLE_HOLD].ms == want[i],
		    "flap %zu: idle hold %u, want %u", i + 1,
		    out.timer[BGP_TIMER_IDLE_HOLD].ms, want[i]);
		ck_assert_uint_eq(f.connect_retry_counter, i + 1);
		/* held back: an automatic start waits for the timer */
		out = step(&f, BGP_EV_AUTO_START_DAMP, now, 0, IDLE);
		ck_assert_uint_eq(out.actions, 0);
		now += want[i];
		out = step(&f, BGP_EV_IDLE_HOLD_EXPIRES, now, 0, CONNECT);
		ck_assert(out.actions & CONN);
		/* automatic restarts keep counting */
		ck_assert_uint_eq(f.connect_retry_counter, i + 1);
	}

	/* a non-counted drop waits the current time, without doubling */
	out = step(&f, BGP_EV_TCP_FAILS, now, 0, IDLE);
	ck_assert_uint_eq(out.actions & DAMP, 0);
	ck_assert_uint_eq(out.timer[BGP_TIMER_IDLE_HOLD].ms, 300000);

	/* up for less than the stable period: still backed off */
	ck_assert_uint_eq(flap_established(&f, now, now + 299999), 300000);
	now += 400000;
	/* up for the stable period: the back-off starts over */
	ck_assert_uint_eq(flap_established(&f, now, now + 300000), 5000);
	ck_assert_uint_eq(flap_established(&f, now + 300000,
	    now + 300001), 10000);

	/* ManualStart forgets the back-off as well */
	step(&f, BGP_EV_MANUAL_START, now, 0, CONNECT);
	step(&f, BGP_EV_TCP_CR_ACKED, now, 0, OSENT);
	out = step(&f, BGP_EV_HOLD_EXPIRES, now, 0, IDLE);
	ck_assert_uint_eq(out.timer[BGP_TIMER_IDLE_HOLD].ms, 5000);
}
END_TEST

START_TEST(fsm_damping_off)
{
	struct bgp_fsm		f;
	struct bgp_fsm_conf	c;
	struct bgp_fsm_out	out;
	int			i;

	bgp_fsm_conf_default(&c);
	c.damp = false;
	c.idle_hold_ms = 2000;
	bgp_fsm_init(&f, &c);
	step(&f, BGP_EV_AUTO_START, 0, 0, CONNECT);
	for (i = 0; i < 5; i++) {
		step(&f, BGP_EV_TCP_CR_ACKED, 0, 0, OSENT);
		out = step(&f, BGP_EV_NOTIF, 0, 0, IDLE);
		ck_assert_uint_eq(out.actions, FAIL & ~DAMP);
		ck_assert_uint_eq(out.timer[BGP_TIMER_IDLE_HOLD].ms, 2000);
		step(&f, BGP_EV_IDLE_HOLD_EXPIRES, 0, 0, CONNECT);
	}
	ck_assert_uint_eq(f.connect_retry_counter, 5);
}
END_TEST

/* ManualStop stops for good; a passive start restarts passive. */
START_TEST(fsm_restart_modes)
{
	struct bgp_fsm		f;
	struct bgp_fsm_out	out;
	int			t;

	setup(&f, S_ESTABLISHED);
	out = step(&f, BGP_EV_MANUAL_STOP, 0, 0, IDLE);
	for (t = 0; t < BGP_TIMER_MAX; t++)
		ck_assert(!f.running[t]);
	ck_assert(!f.enabled);
	out = step(&f, BGP_EV_IDLE_HOLD_EXPIRES, 0, 0, IDLE);
	ck_assert_uint_eq(out.actions, 0);

	/* passive, damped: held back, then restarts passive */
	setup(&f, S_IDLE_HELD);
	step(&f, BGP_EV_AUTO_START_DAMP_PASSIVE, 0, 0, IDLE);
	out = step(&f, BGP_EV_IDLE_HOLD_EXPIRES, 0, 0, ACTIVE);
	ck_assert_uint_eq(out.actions & CONN, 0);
	out = step(&f, BGP_EV_CONNECT_RETRY_EXPIRES, 0, 0, ACTIVE);
	ck_assert_uint_eq(out.actions & CONN, 0);
	ck_assert_int_eq(out.timer[BGP_TIMER_CONNECT_RETRY].op,
	    BGP_TIMER_START);
	/* and a failure there comes back passive again */
	step(&f, BGP_EV_TCP_CONFIRMED, 0, 0, OSENT);
	step(&f, BGP_EV_NOTIF, 0, 0, IDLE);
	step(&f, BGP_EV_IDLE_HOLD_EXPIRES, 0, 0, ACTIVE);

	/* OpenSent TcpConnectionFails: listen again, no counter */
	setup(&f, S_OPENSENT);
	out = step(&f, BGP_EV_TCP_FAILS, 0, 0, ACTIVE);
	ck_assert_uint_eq(f.connect_retry_counter, 0);
	ck_assert(f.running[BGP_TIMER_CONNECT_RETRY]);
	ck_assert(!f.running[BGP_TIMER_HOLD]);
}
END_TEST

START_TEST(fsm_options)
{
	struct bgp_fsm		f;
	struct bgp_fsm_conf	c;
	struct bgp_fsm_input	in = input(0, 0);
	struct bgp_fsm_out	out;

	/* SendNOTIFICATIONwithoutOPEN off: drop silently before OPEN */
	bgp_fsm_conf_default(&c);
	c.delay_open = true;
	c.notify_without_open = false;
	bgp_fsm_init(&f, &c);
	step(&f, BGP_EV_MANUAL_START, 0, 0, CONNECT);
	step(&f, BGP_EV_TCP_CR_ACKED, 0, 0, CONNECT);
	in.code = BGP_ERR_OPEN;
	in.subcode = BGP_ERR_OPEN_BGP_ID;
	bgp_fsm_step(&f, BGP_EV_OPEN_ERR, &in, &out);
	ck_assert_int_eq(out.state, BGP_FSM_IDLE);
	ck_assert_uint_eq(out.actions & NOTIF, 0);
	bgp_fsm_init(&f, &c);
	step(&f, BGP_EV_MANUAL_START_PASSIVE, 0, 0, ACTIVE);
	step(&f, BGP_EV_TCP_CONFIRMED, 0, 0, ACTIVE);
	out = step(&f, BGP_EV_MANUAL_STOP, 0, 0, IDLE);
	ck_assert_uint_eq(out.actions & NOTIF, 0);

	/* CollisionDetectEstablishedState */
	bgp_fsm_conf_default(&c);
	c.collision_established = true;
	bgp_fsm_init(&f, &c);
	step(&f, BGP_EV_MANUAL_START, 0, 0, CONNECT);
	step(&f, BGP_EV_TCP_CR_ACKED, 0, 0, OSENT);
	step(&f, BGP_EV_OPEN, 0, 90, OCONF);
	step(&f, BGP_EV_KEEPALIVE, 0, 0, ESTAB);
	out = step(&f, BGP_EV_COLLISION_DUMP, 0, 0, IDLE);
	ck_assert_uint_eq(out.actions, NOTIF | EFAIL);
	ck_assert_uint_eq(out.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(out.subcode, BGP_ERR_CEASE_COLLISION);

	/* the Cease subcode of a stop comes from the glue */
	setup(&f, S_ESTABLISHED);
	in = input(0, 0);
	in.subcode = BGP_ERR_CEASE_PEER_DECONF;
	bgp_fsm_step(&f, BGP_EV_AUTO_STOP, &in, &out);
	ck_assert_uint_eq(out.code, BGP_ERR_CEASE);
	ck_assert_uint_eq(out.subcode, BGP_ERR_CEASE_PEER_DECONF);

	/* an UpdateMsgErr without a code still sends an UPDATE error */
	setup(&f, S_ESTABLISHED);
	in = input(0, 0);
	bgp_fsm_step(&f, BGP_EV_UPDATE_ERR, &in, &out);
	ck_assert_uint_eq(out.code, BGP_ERR_UPDATE);

	/* start events for the configuration */
	bgp_fsm_conf_default(&c);
	c.damp = false;
	ck_assert_int_eq(bgp_fsm_start_event(&c, true), BGP_EV_MANUAL_START);
	ck_assert_int_eq(bgp_fsm_start_event(&c, false), BGP_EV_AUTO_START);
	c.passive = true;
	ck_assert_int_eq(bgp_fsm_start_event(&c, true),
	    BGP_EV_MANUAL_START_PASSIVE);
	ck_assert_int_eq(bgp_fsm_start_event(&c, false),
	    BGP_EV_AUTO_START_PASSIVE);
	c.damp = true;
	ck_assert_int_eq(bgp_fsm_start_event(&c, false),
	    BGP_EV_AUTO_START_DAMP_PASSIVE);
	c.passive = false;
	ck_assert_int_eq(bgp_fsm_start_event(&c, false),
	    BGP_EV_AUTO_START_DAMP);
}
END_TEST

static const struct {
	uint32_t		local_id, local_as, remote_id, remote_as;
	enum bgp_fsm_conn	close;
} coll[] = {
	/* RFC 4271 6.8: the lower Identifier's own connection closes */
	{ 0x0a000001, 65000, 0x0a000002, 65001, BGP_CONN_OUTBOUND },
	{ 0x0a000002, 65000, 0x0a000001, 65001, BGP_CONN_INBOUND },
	/* compared as unsigned: 192.0.2.1 > 10.0.0.1 */
	{ 0xc0000201, 65000, 0x0a000001, 65000, BGP_CONN_INBOUND },
	{ 0x0a000001, 65000, 0xc0000201, 65000, BGP_CONN_OUTBOUND },
	/* the AS numbers do not matter while the Identifiers differ */
	{ 0x0a000001, 4200000000u, 0x0a000002, 1, BGP_CONN_OUTBOUND },
	/* RFC 6286 2.2: equal Identifiers, the higher AS's connection */
	{ 0x0a000001, 65000, 0x0a000001, 65001, BGP_CONN_OUTBOUND },
	{ 0x0a000001, 65001, 0x0a000001, 65000, BGP_CONN_INBOUND },
	{ 0x0a000001, 4200000000u, 0x0a000001, 65000, BGP_CONN_INBOUND },
	/* equal both: not resolvable */
	{ 0x0a000001, 65000, 0x0a000001, 65000, BGP_CONN_NONE },
};

START_TEST(fsm_collision_table)
{
	const __typeof__(coll[0])	*c = &coll[_i];
	bool				 out, in;

	ck_assert_int_eq(bgp_fsm_collision(c->local_id, c->local_as,
	    c->remote_id, c->remote_as), c->close);
	out = bgp_fsm_collision_dump(BGP_CONN_OUTBOUND, c->local_id,
	    c->local_as, c->remote_id, c->remote_as);
	in = bgp_fsm_collision_dump(BGP_CONN_INBOUND, c->local_id,
	    c->local_as, c->remote_id, c->remote_as);
	ck_assert(out == (c->close == BGP_CONN_OUTBOUND));
	ck_assert(in == (c->close == BGP_CONN_INBOUND));
	/* both sides agree on which TCP connection dies */
	ck_assert_int_eq(bgp_fsm_collision(c->remote_id, c->remote_as,
	    c->local_id, c->local_as), c->close == BGP_CONN_NONE ?
	    BGP_CONN_NONE : c->close == BGP_CONN_OUTBOUND ?
	    BGP_CONN_INBOUND : BGP_CONN_OUTBOUND);
}
END_TEST

/*
 * A collision as the glue runs it: our outbound connection is in
 * OpenConfirm when the peer's inbound one delivers an OPEN with a higher
 * Identifier; the outbound loses, the inbound goes on to Established.
 */
START_TEST(fsm_collision_glue)
{
	struct bgp_fsm		ob, ib;
	struct bgp_fsm_out	out;

	bgp_fsm_init(&ob, NULL);
	step(&ob, BGP_EV_MANUAL_START, 0, 0, CONNECT);
	step(&ob, BGP_EV_TCP_CR_ACKED, 0, 0, OSENT);
	step(&ob, BGP_EV_OPEN, 0, 90, OCONF);

	bgp_fsm_init(&ib, NULL);
	step(&ib, BGP_EV_MANUAL_START_PASSIVE, 0, 0, ACTIVE);
	step(&ib, BGP_EV_TCP_CONFIRMED, 0, 0, OSENT);
	ck_assert(bgp_fsm_collision_dump(BGP_CONN_OUTBOUND, 0x0a000001,
	    65000, 0x0a000002, 65000));
	out = step(&ob, BGP_EV_COLLISION_DUMP, 0, 0, IDLE);
	ck_assert(out.actions & NOTIF);
	ck_assert_uint_eq(out.subcode, BGP_ERR_CEASE_COLLISION);
	ck_assert(out.actions & DROP);
	ck_assert_uint_eq(out.actions & DOWN, 0);
	step(&ib, BGP_EV_OPEN, 0, 90, OCONF);
	out = step(&ib, BGP_EV_KEEPALIVE, 0, 0, ESTAB);
	ck_assert(out.actions & UP);
}
END_TEST

/* One step as the glue would log it: state, event, result, actions. */
static void
trace(struct bgp_fsm *f, enum bgp_fsm_event ev, struct bgp_fsm_input *in,
    char *buf, size_t len)
{
	struct bgp_fsm_out	out;
	char			line[512];
	uint32_t		bit;
	int			t, n;

	ck_assert_int_eq(bgp_fsm_step(f, ev, in, &out), 0);
	n = snprintf(line, sizeof(line), "%s %s -> %s:",
	    bgp_fsm_state_name(out.prev), bgp_fsm_event_name(out.event),
	    bgp_fsm_state_name(out.state));
	for (bit = 1; bit < BGP_FSM_A_MAX; bit <<= 1) {
		if ((out.actions & bit) == 0)
			continue;
		n += snprintf(line + n, sizeof(line) - n, " %s",
		    bgp_fsm_action_name(bit));
		if (bit == NOTIF)
			n += snprintf(line + n, sizeof(line) - n, "(%s, %s)",
			    bgp_err_code_name(out.code),
			    bgp_err_subcode_name(out.code, out.subcode));
	}
	for (t = 0; t < BGP_TIMER_MAX; t++)
		if (out.timer[t].op == BGP_TIMER_START)
			n += snprintf(line + n, sizeof(line) - n, " %s=%u",
			    bgp_fsm_timer_name(t), out.timer[t].ms);
		else if (out.timer[t].op == BGP_TIMER_STOP)
			n += snprintf(line + n, sizeof(line) - n, " %s-",
			    bgp_fsm_timer_name(t));
	ck_assert_int_lt(n, sizeof(line) - 1);
	strncat(buf, line, len - strlen(buf) - 1);
	strncat(buf, "\n", len - strlen(buf) - 1);
}

/* A whole life as the glue logs it, against a transcript. */
START_TEST(fsm_trace_active)
{
	static const char	want[] =
	    "Idle ManualStart -> Connect: tcp-connect init-resources "
	    "connect-retry-counter-zero ConnectRetryTimer=120000\n"
	    "Connect TcpConnectionFails -> Idle: tcp-drop release-resources "
	    "ConnectRetryTimer- IdleHoldTimer=5000\n"
	    "Idle IdleHoldTimer_Expires -> Connect: tcp-connect "
	    "init-resources ConnectRetryTimer=90001\n"
	    "Connect Tcp_CR_Acked -> OpenSent: send-open init-resources "
	    "ConnectRetryTimer- HoldTimer=240000\n"
	    "OpenSent BGPOpen -> OpenConfirm: send-keepalive HoldTimer=9000 "
	    "KeepaliveTimer=3000\n"
	    "OpenConfirm KeepAliveMsg -> Established: session-up "
	    "HoldTimer=9000\n"
	    "Established KeepaliveTimer_Expires -> Established: "
	    "send-keepalive KeepaliveTimer=2251\n"
	    "Established UpdateMsg -> Established: HoldTimer=9000\n"
	    "Established HoldTimer_Expires -> Idle: send-notification"
	    "(hold timer expired, unspecific) tcp-drop release-resources "
	    "delete-routes connect-retry-counter-incr damp session-down "
	    "HoldTimer- KeepaliveTimer- IdleHoldTimer=5000\n";
	char			buf[2048] = "";
	struct bgp_fsm		f;
	struct bgp_fsm_input	in = input(0, 0);

	bgp_fsm_init(&f, NULL);
	trace(&f, BGP_EV_MANUAL_START, &in, buf, sizeof(buf));
	trace(&f, BGP_EV_TCP_FAILS, &in, buf, sizeof(buf));
	in.rand = 0xffffffff;
	trace(&f, BGP_EV_IDLE_HOLD_EXPIRES, &in, buf, sizeof(buf));
	in.rand = 0;
	trace(&f, BGP_EV_TCP_CR_ACKED, &in, buf, sizeof(buf));
	in.hold_time = 9;
	trace(&f, BGP_EV_OPEN, &in, buf, sizeof(buf));
	in.hold_time = 0;
	trace(&f, BGP_EV_KEEPALIVE, &in, buf, sizeof(buf));
	in.rand = 0xffffffff;
	trace(&f, BGP_EV_KEEPALIVE_EXPIRES, &in, buf, sizeof(buf));
	trace(&f, BGP_EV_UPDATE, &in, buf, sizeof(buf));
	trace(&f, BGP_EV_HOLD_EXPIRES, &in, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}
END_TEST

/* Passive with DelayOpen: the peer's OPEN comes first. */
START_TEST(fsm_trace_passive)
{
	static const char	want[] =
	    "Idle ManualStart_with_PassiveTcpEstablishment -> Active: "
	    "init-resources connect-retry-counter-zero "
	    "ConnectRetryTimer=120000\n"
	    "Active TcpConnectionConfirmed -> Active: ConnectRetryTimer- "
	    "DelayOpenTimer=5000\n"
	    "Active BGPOpen_with_DelayOpenTimer_running -> OpenConfirm: "
	    "send-open send-keepalive init-resources HoldTimer=90000 "
	    "KeepaliveTimer=30000 DelayOpenTimer-\n"
	    "OpenConfirm KeepAliveMsg -> Established: session-up "
	    "HoldTimer=90000\n"
	    "Established UpdateMsgErr -> Idle: send-notification"
	    "(UPDATE message error, malformed attribute list) tcp-drop "
	    "release-resources delete-routes connect-retry-counter-incr damp "
	    "session-down HoldTimer- KeepaliveTimer- IdleHoldTimer=5000\n"
	    "Idle IdleHoldTimer_Expires -> Active: init-resources "
	    "ConnectRetryTimer=120000\n"
	    "Active ManualStop -> Idle: tcp-drop release-resources "
	    "connect-retry-counter-zero ConnectRetryTimer-\n";
	char			buf[2048] = "";
	struct bgp_fsm_conf	c;
	struct bgp_fsm		f;
	struct bgp_fsm_input	in = input(0, 0);

	bgp_fsm_conf_default(&c);
	c.delay_open = true;
	bgp_fsm_init(&f, &c);
	trace(&f, BGP_EV_MANUAL_START_PASSIVE, &in, buf, sizeof(buf));
	trace(&f, BGP_EV_TCP_CONFIRMED, &in, buf, sizeof(buf));
	in.hold_time = 90;
	trace(&f, BGP_EV_OPEN, &in, buf, sizeof(buf));
	in.hold_time = 0;
	trace(&f, BGP_EV_KEEPALIVE, &in, buf, sizeof(buf));
	in.code = BGP_ERR_UPDATE;
	in.subcode = BGP_ERR_UPD_ATTR_LIST;
	trace(&f, BGP_EV_UPDATE_ERR, &in, buf, sizeof(buf));
	trace(&f, BGP_EV_IDLE_HOLD_EXPIRES, &in, buf, sizeof(buf));
	trace(&f, BGP_EV_MANUAL_STOP, &in, buf, sizeof(buf));
	ck_assert_str_eq(buf, want);
}
END_TEST

START_TEST(fsm_names)
{
	const char	*seen[BGP_EV_MAX];
	int		 i, j;

	ck_assert_str_eq(bgp_fsm_state_name(BGP_FSM_IDLE), "Idle");
	ck_assert_str_eq(bgp_fsm_state_name(BGP_FSM_OPENCONFIRM),
	    "OpenConfirm");
	ck_assert_str_eq(bgp_fsm_state_name(BGP_FSM_ESTABLISHED),
	    "Established");
	ck_assert_str_eq(bgp_fsm_state_name(BGP_FSM_STATE_MAX), "unknown");
	ck_assert_str_eq(bgp_fsm_event_name(BGP_EV_OPEN_DELAYED),
	    "BGPOpen_with_DelayOpenTimer_running");
	ck_assert_str_eq(bgp_fsm_event_name(BGP_EV_COLLISION_DUMP),
	    "OpenCollisionDump");
	ck_assert_str_eq(bgp_fsm_event_name(0), "unknown");
	ck_assert_str_eq(bgp_fsm_event_name(BGP_EV_MAX), "unknown");
	ck_assert_str_eq(bgp_fsm_timer_name(BGP_TIMER_IDLE_HOLD),
	    "IdleHoldTimer");
	ck_assert_str_eq(bgp_fsm_action_name(BGP_FSM_A_SESSION_DOWN),
	    "session-down");
	ck_assert_str_eq(bgp_fsm_action_name(BGP_FSM_A_MAX), "unknown");
	for (i = BGP_EV_MANUAL_START; i < BGP_EV_MAX; i++) {
		seen[i] = bgp_fsm_event_name(i);
		ck_assert_str_ne(seen[i], "unknown");
		for (j = BGP_EV_MANUAL_START; j < i; j++)
			ck_assert_str_ne(seen[i], seen[j]);
	}
	for (i = 1; i < BGP_FSM_A_MAX; i <<= 1)
		ck_assert_str_ne(bgp_fsm_action_name(i), "unknown");
}
END_TEST

Suite *
bgp_fsm_suite(void)
{
	Suite	*s;
	TCase	*tc;

	s = suite_create("bgp_fsm");

	tc = tcase_create("transitions");
	tcase_add_loop_test(tc, fsm_table, 0, NROWS(rows));
	tcase_add_test(tc, fsm_table_complete);
	tcase_add_test(tc, fsm_bad_event);
	tcase_add_test(tc, fsm_restart_modes);
	tcase_add_test(tc, fsm_options);
	suite_add_tcase(s, tc);

	tc = tcase_create("timers");
	tcase_add_test(tc, fsm_jitter_bounds);
	tcase_add_test(tc, fsm_timer_values);
	tcase_add_test(tc, fsm_hold_zero);
	suite_add_tcase(s, tc);

	tc = tcase_create("damping");
	tcase_add_test(tc, fsm_damping_backoff);
	tcase_add_test(tc, fsm_damping_off);
	suite_add_tcase(s, tc);

	tc = tcase_create("collision");
	tcase_add_loop_test(tc, fsm_collision_table, 0, NROWS(coll));
	tcase_add_test(tc, fsm_collision_glue);
	suite_add_tcase(s, tc);

	tc = tcase_create("names");
	tcase_add_test(tc, fsm_trace_active);
	tcase_add_test(tc, fsm_trace_passive);
	tcase_add_test(tc, fsm_names);
	suite_add_tcase(s, tc);
	return s;
}
