/*
 * bgp_fsm: the RFC 4271 section 8 finite state machine of one BGP
 * connection, as a pure step function.
 *
 * The session glue (src/) owns the socket and the timers. It turns what
 * happens into an event, calls bgp_fsm_step() with the time and a random
 * value, and carries out the actions the step returns: timers to start or
 * stop (with their durations), TCP to open or close, messages to send, and
 * the session going up or down. Nothing here reads a clock, draws a random
 * number, logs or touches a descriptor, so any sequence of events replays
 * exactly in a test.
 *
 * One struct bgp_fsm per TCP connection (RFC 4271 8.2.1): during a
 * connection collision the glue runs a second FSM for the other
 * connection, decides the loser with bgp_fsm_collision() once an OPEN
 * tells the remote BGP Identifier, and feeds the loser OpenCollisionDump.
 */
#ifndef PODBGP_BGP_FSM_H
#define PODBGP_BGP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "bgp.h"

/* Defaults of struct bgp_fsm_conf, milliseconds. */
#define BGP_FSM_CONNECT_RETRY_MS	120000	/* RFC 4271 10 */
#define BGP_FSM_HOLD_OPEN_MS		240000	/* RFC 4271 8.2.2: 4 min */
#define BGP_FSM_DELAY_OPEN_MS		5000
#define BGP_FSM_IDLE_HOLD_MS		5000
#define BGP_FSM_IDLE_HOLD_MAX_MS	300000
#define BGP_FSM_IDLE_STABLE_MS		300000

/* Subcode of NOTIFICATIONs whose code has none (Hold Timer Expired). */
#define BGP_FSM_SUBCODE_NONE		0

enum bgp_fsm_state {
	BGP_FSM_IDLE = 0,
	BGP_FSM_CONNECT,
	BGP_FSM_ACTIVE,
	BGP_FSM_OPENSENT,
	BGP_FSM_OPENCONFIRM,
	BGP_FSM_ESTABLISHED,
	BGP_FSM_STATE_MAX
};

/* RFC 4271 8.1, with the RFC's numbers (8.2.1.4 allows them in MIBs). */
enum bgp_fsm_event {
	BGP_EV_MANUAL_START = 1,
	BGP_EV_MANUAL_STOP = 2,
	BGP_EV_AUTO_START = 3,
	BGP_EV_MANUAL_START_PASSIVE = 4,
	BGP_EV_AUTO_START_PASSIVE = 5,
	BGP_EV_AUTO_START_DAMP = 6,
	BGP_EV_AUTO_START_DAMP_PASSIVE = 7,
	BGP_EV_AUTO_STOP = 8,
	BGP_EV_CONNECT_RETRY_EXPIRES = 9,
	BGP_EV_HOLD_EXPIRES = 10,
	BGP_EV_KEEPALIVE_EXPIRES = 11,
	BGP_EV_DELAY_OPEN_EXPIRES = 12,
	BGP_EV_IDLE_HOLD_EXPIRES = 13,
	BGP_EV_TCP_VALID = 14,
	BGP_EV_TCP_CR_INVALID = 15,
	BGP_EV_TCP_CR_ACKED = 16,
	BGP_EV_TCP_CONFIRMED = 17,
	BGP_EV_TCP_FAILS = 18,
	BGP_EV_OPEN = 19,
	BGP_EV_OPEN_DELAYED = 20,	/* BGPOpen, DelayOpenTimer running */
	BGP_EV_HEADER_ERR = 21,
	BGP_EV_OPEN_ERR = 22,
	BGP_EV_COLLISION_DUMP = 23,
	BGP_EV_NOTIF_VERSION = 24,
	BGP_EV_NOTIF = 25,
	BGP_EV_KEEPALIVE = 26,
	BGP_EV_UPDATE = 27,
	BGP_EV_UPDATE_ERR = 28,
	BGP_EV_MAX
};

enum bgp_fsm_timer {
	BGP_TIMER_CONNECT_RETRY = 0,
	BGP_TIMER_HOLD,
	BGP_TIMER_KEEPALIVE,
	BGP_TIMER_DELAY_OPEN,
	BGP_TIMER_IDLE_HOLD,
	BGP_TIMER_MAX
};

/*
 * Action bits of a step. The glue carries them out in this order: send
 * NOTIFICATION, OPEN, KEEPALIVE (flushing them before a close), then close
 * or refuse TCP, then open TCP, then the session notifications, then the
 * timers.
 */
#define BGP_FSM_A_SEND_NOTIFICATION	0x0001	/* out.code, out.subcode */
#define BGP_FSM_A_SEND_OPEN		0x0002
#define BGP_FSM_A_SEND_KEEPALIVE	0x0004
#define BGP_FSM_A_TCP_DROP		0x0008	/* close this FSM's socket */
#define BGP_FSM_A_TCP_REJECT		0x0010	/* refuse the connection the
						   event was about */
#define BGP_FSM_A_TCP_CONNECT		0x0020	/* initiate a connection */
#define BGP_FSM_A_INIT_RESOURCES	0x0040
#define BGP_FSM_A_RELEASE_RESOURCES	0x0080
#define BGP_FSM_A_DELETE_ROUTES		0x0100	/* flush (or mark stale) */
#define BGP_FSM_A_CRC_ZERO		0x0200	/* ConnectRetryCounter = 0 */
#define BGP_FSM_A_CRC_INCR		0x0400	/* ConnectRetryCounter + 1 */
#define BGP_FSM_A_DAMP			0x0800	/* IdleHoldTime backed off */
#define BGP_FSM_A_SESSION_UP		0x1000	/* entered Established */
#define BGP_FSM_A_SESSION_DOWN		0x2000	/* left Established */
#define BGP_FSM_A_MAX			0x4000

/*
 * Per-FSM settings, RFC 4271 8 "optional session attributes". Times are
 * milliseconds. bgp_fsm_conf_default() fills the defaults above.
 */
struct bgp_fsm_conf {
	uint32_t	connect_retry_ms;	/* ConnectRetryTime */
	uint32_t	hold_open_ms;		/* HoldTimer in OpenSent */
	bool		delay_open;		/* DelayOpen */
	uint32_t	delay_open_ms;		/* DelayOpenTime */
	bool		passive;		/* PassiveTcpEstablishment */
	bool		damp;			/* DampPeerOscillations */
	uint32_t	idle_hold_ms;		/* IdleHoldTime, first wait */
	uint32_t	idle_hold_max_ms;	/* cap of the back-off */
	uint32_t	idle_stable_ms;		/* Established this long
						   resets the back-off */
	/* SendNOTIFICATIONwithoutOPEN */
	bool		notify_without_open;
	bool		collision_established;	/* CollisionDetect-
						   EstablishedState */
};

/* What the glue knows at the event; NULL in bgp_fsm_step() = all zero. */
struct bgp_fsm_input {
	uint64_t	now_ms;		/* monotonic clock */
	uint32_t	rand;		/* uniform 32 random bits for jitter */
	/* BGPOpen, BGPOpen_with_DelayOpenTimer_running: */
	uint32_t	hold_time;	/* negotiated, seconds; 0 = none */
	uint32_t	keepalive;	/* seconds; 0 = hold_time / 3 */
	/*
	 * BGPHeaderErr, BGPOpenMsgErr, UpdateMsgErr: the NOTIFICATION the
	 * decoder chose (struct bgp_err); code 0 = that event's code with
	 * subcode as given. ManualStop, AutomaticStop: subcode is the Cease
	 * subcode; 0 = Administrative Shutdown / Administrative Reset.
	 */
	uint8_t		code;
	uint8_t		subcode;
};

enum bgp_fsm_timer_op {
	BGP_TIMER_KEEP = 0,	/* leave as it is */
	BGP_TIMER_START,	/* (re)arm to fire in ms */
	BGP_TIMER_STOP,
};

struct bgp_fsm_timer_act {
	enum bgp_fsm_timer_op	op;
	uint32_t		ms;
};

struct bgp_fsm_out {
	enum bgp_fsm_event	 event;		/* as taken (BGPOpen may become
						   event 20); 0 if refused */
	enum bgp_fsm_state	 prev;		/* state before the step */
	enum bgp_fsm_state	 state;		/* state after the step */
	uint32_t		 actions;	/* BGP_FSM_A_* */
	uint8_t			 code;		/* NOTIFICATION to send */
	uint8_t			 subcode;
	struct bgp_fsm_timer_act timer[BGP_TIMER_MAX];
};

/* The state of one connection. Read freely; change only through steps. */
struct bgp_fsm {
	struct bgp_fsm_conf	conf;
	enum bgp_fsm_state	state;
	uint32_t		connect_retry_counter;
	bool			enabled;	/* started, not ManualStop'd:
						   IdleHoldTimer restarts */
	bool			passive;	/* started passive */
	bool			running[BGP_TIMER_MAX];
	uint64_t		deadline_ms[BGP_TIMER_MAX];	/* if running */
	uint32_t		hold_ms;	/* negotiated; 0: none */
	uint32_t		keepalive_ms;	/* before jitter; 0: none */
	uint32_t		idle_hold_ms;	/* next damped wait */
	uint64_t		established_ms;	/* when Established began */
	uint32_t		flaps;		/* consecutive damped flaps */
};

void	bgp_fsm_conf_default(struct bgp_fsm_conf *c);

/* A fresh FSM in Idle with a copy of conf (NULL: the defaults). */
void	bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_conf *conf);

/*
 * One RFC 4271 8.2.2 transition. Fills *out completely; returns 0, or -1
 * (state unchanged, no actions) if ev is not an event number.
 *
 * Choices where the RFC leaves room or is self-contradictory:
 *  - BGPOpen while the DelayOpenTimer runs is taken as event 20, so the
 *    glue may always pass BGPOpen.
 *  - Entering Idle stops every timer (the RFC restarts ConnectRetryTimer
 *    on Active's TcpConnectionFails, which would only fire into Idle). If
 *    the FSM was started and not ManualStop'd, IdleHoldTimer starts and its
 *    expiry restarts the connection (passive if it was started passive):
 *    this is the "method of preventing oscillations" 8.2.2 leaves open.
 *  - Every transition that increments ConnectRetryCounter counts as a flap
 *    for DampPeerOscillations: the k-th consecutive flap waits
 *    idle_hold_ms * 2^(k-1) in Idle, capped at idle_hold_max_ms; a session
 *    that stayed Established idle_stable_ms resets it, as does ManualStart.
 *    Without damping every wait is idle_hold_ms.
 *  - ManualStop in Idle cancels a pending automatic restart.
 *  - A passive FSM never initiates TCP: ConnectRetryTimer_Expires in Active
 *    re-arms the timer and stays.
 *  - A NOTIFICATION is never answered with one (NotifMsg in OpenSent is not
 *    met with an FSM error); BGPHeaderErr in Established sends the header
 *    error, not an FSM error; an OPEN received in OpenConfirm or
 *    Established is an FSM error (RFC 6608 subcodes): collisions reach
 *    the FSM as OpenCollisionDump.
 *  - Unexpected messages get the RFC 6608 subcode of the state; unexpected
 *    timer events get subcode Unspecified.
 *  - TcpConnectionFails always closes the descriptor (TCP_DROP).
 *  - Until an OPEN arrives the FSM holds one connection: on
 *    TcpConnectionConfirmed (the peer's, accepted) in Connect the glue
 *    gives up its own pending connect; Tcp_CR_Acked is its own completing.
 *  - In Idle, incoming connections are refused (TCP_REJECT); in OpenSent
 *    and later, a second connection is the glue's (another FSM), so
 *    TcpConnection_Valid, Tcp_CR_Acked and TcpConnectionConfirmed change
 *    nothing here.
 *  - AutomaticStop counts as a failure and leaves the FSM started: it
 *    restarts after IdleHoldTimer (max-prefix). To keep a peer down the glue
 *    sends ManualStop or discards the FSM.
 * Timers: ConnectRetry and Keepalive are jittered (RFC 4271 10) by
 * bgp_fsm_jitter(time, in->rand); the others are not. The glue delivers a
 * timer event only for a timer that runs (f->running[]); a timer the step
 * stops must not fire afterwards. Hold times above 65535 s are clamped.
 */
int	bgp_fsm_step(struct bgp_fsm *f, enum bgp_fsm_event ev,
	    const struct bgp_fsm_input *in, struct bgp_fsm_out *out);

/*
 * The glue sent an UPDATE: in Established with a non-zero hold time the
 * KeepaliveTimer restarts (RFC 4271 8.2.2). Fills *out like a step.
 */
void	bgp_fsm_update_sent(struct bgp_fsm *f, const struct bgp_fsm_input *in,
	    struct bgp_fsm_out *out);

/* The start event for conf's passive and damp settings. */
enum bgp_fsm_event	bgp_fsm_start_event(const struct bgp_fsm_conf *c,
			    bool manual);

/* ms times a factor in (0.75, 1.0] drawn from r: RFC 4271 10 jitter. */
uint32_t	bgp_fsm_jitter(uint32_t ms, uint32_t r);

/*
 * RFC 4271 6.8, RFC 6286 2.2: of a locally initiated (outbound) and an
 * accepted (inbound) connection to the same peer, which one to close.
 * BGP Identifiers in host order, compared as unsigned integers: the
 * connection initiated by the higher Identifier survives; equal
 * Identifiers, the one initiated by the higher AS number. Equal both:
 * BGP_CONN_NONE, the OPEN is bad (Bad BGP Identifier).
 */
enum bgp_fsm_conn {
	BGP_CONN_NONE = 0,
	BGP_CONN_OUTBOUND,
	BGP_CONN_INBOUND,
};

enum bgp_fsm_conn	bgp_fsm_collision(uint32_t local_id, uint32_t local_as,
			    uint32_t remote_id, uint32_t remote_as);
/* Whether connection `which` is the one to close (OpenCollisionDump). */
bool		bgp_fsm_collision_dump(enum bgp_fsm_conn which,
		    uint32_t local_id, uint32_t local_as, uint32_t remote_id,
		    uint32_t remote_as);

/* Names for logs and `show protocols`; never NULL. */
const char	*bgp_fsm_state_name(enum bgp_fsm_state s);
const char	*bgp_fsm_event_name(enum bgp_fsm_event ev);
const char	*bgp_fsm_timer_name(enum bgp_fsm_timer t);
const char	*bgp_fsm_action_name(uint32_t bit);	/* one bit */

#endif
