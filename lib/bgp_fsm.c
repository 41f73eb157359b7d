/*
 * bgp_fsm: RFC 4271 8.2.2, one function per state. A step only changes
 * the struct bgp_fsm it is given and describes in struct bgp_fsm_out what
 * the glue must do; it never reads a clock or a random source (both come
 * in struct bgp_fsm_input). The running[] flags mirror the timers the glue
 * holds, so a stop is only asked for a timer that runs.
 */
#include <string.h>

#include "bgp_fsm.h"

/* go_idle() flags */
#define IDLE_CRC_INCR	0x01	/* counts as a failure: counter + 1, damping */
#define IDLE_CRC_ZERO	0x02
#define IDLE_DISABLE	0x04	/* ManualStop: no automatic restart */

void
bgp_fsm_conf_default(struct bgp_fsm_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->connect_retry_ms = BGP_FSM_CONNECT_RETRY_MS;
	c->hold_open_ms = BGP_FSM_HOLD_OPEN_MS;
	c->delay_open = false;
	c->delay_open_ms = BGP_FSM_DELAY_OPEN_MS;
	c->passive = false;
	c->damp = true;
	c->idle_hold_ms = BGP_FSM_IDLE_HOLD_MS;
	c->idle_hold_max_ms = BGP_FSM_IDLE_HOLD_MAX_MS;
	c->idle_stable_ms = BGP_FSM_IDLE_STABLE_MS;
	/* tell a peer that sent an OPEN early why it is dropped */
	c->notify_without_open = true;
	c->collision_established = false;
}

void
bgp_fsm_init(struct bgp_fsm *f, const struct bgp_fsm_conf *conf)
{
	memset(f, 0, sizeof(*f));
	if (conf != NULL)
		f->conf = *conf;
	else
		bgp_fsm_conf_default(&f->conf);
	f->state = BGP_FSM_IDLE;
	f->idle_hold_ms = f->conf.idle_hold_ms;
}

uint32_t
bgp_fsm_jitter(uint32_t ms, uint32_t r)
{
	/* subtract ms/4 * r/2^32, so the result is in (0.75 ms, ms] */
	return ms - (uint32_t)(((uint64_t)ms * r) >> 34);
}

enum bgp_fsm_event
bgp_fsm_start_event(const struct bgp_fsm_conf *c, bool manual)
{
	if (manual)
		return c->passive ? BGP_EV_MANUAL_START_PASSIVE :
		    BGP_EV_MANUAL_START;
	if (c->damp)
		return c->passive ? BGP_EV_AUTO_START_DAMP_PASSIVE :
		    BGP_EV_AUTO_START_DAMP;
	return c->passive ? BGP_EV_AUTO_START_PASSIVE : BGP_EV_AUTO_START;
}

static void
timer_start(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out, enum bgp_fsm_timer t, uint32_t ms)
{
	f->running[t] = true;
	f->deadline_ms[t] = in->now_ms + ms;
	out->timer[t].op = BGP_TIMER_START;
	out->timer[t].ms = ms;
}

static void
timer_stop(struct bgp_fsm *f, struct bgp_fsm_out *out, enum bgp_fsm_timer t)
{
	if (!f->running[t])
		return;
	f->running[t] = false;
	f->deadline_ms[t] = 0;
	out->timer[t].op = BGP_TIMER_STOP;
	out->timer[t].ms = 0;
}

static void
connect_retry_start(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out)
{
	timer_start(f, in, out, BGP_TIMER_CONNECT_RETRY,
	    bgp_fsm_jitter(f->conf.connect_retry_ms, in->rand));
}

static void
keepalive_start(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out)
{
	if (f->hold_ms == 0 || f->keepalive_ms == 0)
		return;
	timer_start(f, in, out, BGP_TIMER_KEEPALIVE,
	    bgp_fsm_jitter(f->keepalive_ms, in->rand));
}

static void
hold_restart(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out)
{
	if (f->hold_ms != 0)
		timer_start(f, in, out, BGP_TIMER_HOLD, f->hold_ms);
}

static void
notify(struct bgp_fsm_out *out, uint8_t code, uint8_t subcode)
{
	out->actions |= BGP_FSM_A_SEND_NOTIFICATION;
	out->code = code;
	out->subcode = subcode;
}

static void
notify_cease(struct bgp_fsm_out *out, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in)
{
	uint8_t	sub = in->subcode;

	if (sub == 0)
		sub = ev == BGP_EV_MANUAL_STOP ? BGP_ERR_CEASE_ADMIN_SHUTDOWN :
		    BGP_ERR_CEASE_ADMIN_RESET;
	notify(out, BGP_ERR_CEASE, sub);
}

/* The decoder's NOTIFICATION for a message error event. */
static void
notify_msg_err(struct bgp_fsm_out *out, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in)
{
	uint8_t	code = in->code;

	if (code == 0) {
		if (ev == BGP_EV_HEADER_ERR)
			code = BGP_ERR_HEADER;
		else if (ev == BGP_EV_OPEN_ERR)
			code = BGP_ERR_OPEN;
		else
			code = BGP_ERR_UPDATE;
	}
	notify(out, code, in->subcode);
}

/*
 * Every way back to Idle: close, release, stop the timers, count, damp,
 * and arm IdleHoldTimer for the automatic restart.
 */
static void
go_idle(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out, unsigned how)
{
	uint32_t	wait, cap;
	int		t;

	out->actions |= BGP_FSM_A_TCP_DROP | BGP_FSM_A_RELEASE_RESOURCES;
	for (t = 0; t < BGP_TIMER_MAX; t++)
		timer_stop(f, out, t);
	if (f->state == BGP_FSM_ESTABLISHED) {
		out->actions |= BGP_FSM_A_DELETE_ROUTES |
		    BGP_FSM_A_SESSION_DOWN;
		/* a session that held long enough forgets earlier flaps */
		if (in->now_ms - f->established_ms >=
		    f->conf.idle_stable_ms) {
			f->flaps = 0;
			f->idle_hold_ms = f->conf.idle_hold_ms;
		}
	}
	f->hold_ms = 0;
	f->keepalive_ms = 0;
	if (how & IDLE_CRC_ZERO) {
		out->actions |= BGP_FSM_A_CRC_ZERO;
		f->connect_retry_counter = 0;
	}
	if (how & IDLE_DISABLE)
		f->enabled = false;

	wait = f->conf.idle_hold_ms;
	if (how & IDLE_CRC_INCR) {
		out->actions |= BGP_FSM_A_CRC_INCR;
		f->connect_retry_counter++;
		if (f->conf.damp) {
			out->actions |= BGP_FSM_A_DAMP;
			cap = f->conf.idle_hold_max_ms;
			if (cap < f->conf.idle_hold_ms)
				cap = f->conf.idle_hold_ms;
			wait = f->idle_hold_ms;
			f->flaps++;
			f->idle_hold_ms = wait > cap / 2 ? cap : wait * 2;
		}
	} else if (f->conf.damp)
		wait = f->idle_hold_ms;
	if (f->enabled)
		timer_start(f, in, out, BGP_TIMER_IDLE_HOLD, wait);
	f->state = BGP_FSM_IDLE;
}

static void
fsm_error(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out, enum bgp_fsm_event ev)
{
	uint8_t	sub = BGP_ERR_FSM_UNSPEC;

	/* RFC 6608 3: the subcode names the state for unexpected messages */
	if (ev >= BGP_EV_OPEN && ev != BGP_EV_COLLISION_DUMP) {
		if (f->state == BGP_FSM_OPENSENT)
			sub = BGP_ERR_FSM_OPENSENT;
		else if (f->state == BGP_FSM_OPENCONFIRM)
			sub = BGP_ERR_FSM_OPENCONFIRM;
		else if (f->state == BGP_FSM_ESTABLISHED)
			sub = BGP_ERR_FSM_ESTABLISHED;
	}
	notify(out, BGP_ERR_FSM, sub);
	go_idle(f, in, out, IDLE_CRC_INCR);
}

/* Idle -> Connect or Active. */
static void
start(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out, bool passive, bool zero_counter)
{
	f->enabled = true;
	f->passive = passive;
	timer_stop(f, out, BGP_TIMER_IDLE_HOLD);
	out->actions |= BGP_FSM_A_INIT_RESOURCES;
	if (zero_counter) {
		out->actions |= BGP_FSM_A_CRC_ZERO;
		f->connect_retry_counter = 0;
	}
	connect_retry_start(f, in, out);
	if (passive)
		f->state = BGP_FSM_ACTIVE;
	else {
		out->actions |= BGP_FSM_A_TCP_CONNECT;
		f->state = BGP_FSM_CONNECT;
	}
}

/* TCP is up (Connect, Active): wait for DelayOpen, or send OPEN. */
static void
tcp_up(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out)
{
	timer_stop(f, out, BGP_TIMER_CONNECT_RETRY);
	if (f->conf.delay_open) {
		timer_start(f, in, out, BGP_TIMER_DELAY_OPEN,
		    f->conf.delay_open_ms);
		return;
	}
	out->actions |= BGP_FSM_A_INIT_RESOURCES | BGP_FSM_A_SEND_OPEN;
	timer_start(f, in, out, BGP_TIMER_HOLD, f->conf.hold_open_ms);
	f->state = BGP_FSM_OPENSENT;
}

/* DelayOpenTimer expired in Connect or Active: now send our OPEN. */
static void
delay_open_done(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out)
{
	timer_stop(f, out, BGP_TIMER_CONNECT_RETRY);
	timer_stop(f, out, BGP_TIMER_DELAY_OPEN);
	out->actions |= BGP_FSM_A_INIT_RESOURCES | BGP_FSM_A_SEND_OPEN;
	timer_start(f, in, out, BGP_TIMER_HOLD, f->conf.hold_open_ms);
	f->state = BGP_FSM_OPENSENT;
}

/* A valid OPEN: negotiated timers, KEEPALIVE, OpenConfirm. */
static void
open_received(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out, bool send_open)
{
	timer_stop(f, out, BGP_TIMER_CONNECT_RETRY);
	timer_stop(f, out, BGP_TIMER_DELAY_OPEN);
	if (send_open)
		out->actions |= BGP_FSM_A_INIT_RESOURCES | BGP_FSM_A_SEND_OPEN;
	out->actions |= BGP_FSM_A_SEND_KEEPALIVE;
	/* the wire field has 16 bits; keep the products in range */
	f->hold_ms = (in->hold_time > UINT16_MAX ? UINT16_MAX :
	    in->hold_time) * 1000;
	if (in->keepalive != 0)
		f->keepalive_ms = (in->keepalive > UINT16_MAX ? UINT16_MAX :
		    in->keepalive) * 1000;
	else
		f->keepalive_ms = f->hold_ms / 3;
	if (f->hold_ms != 0) {
		/* RFC 4271 4.4: KEEPALIVE at a third of the hold time */
		timer_start(f, in, out, BGP_TIMER_HOLD, f->hold_ms);
		keepalive_start(f, in, out);
	} else {
		/* RFC 4271 4.2: hold time 0, neither timer runs */
		f->keepalive_ms = 0;
		timer_stop(f, out, BGP_TIMER_HOLD);
		timer_stop(f, out, BGP_TIMER_KEEPALIVE);
	}
	f->state = BGP_FSM_OPENCONFIRM;
}

static void
st_idle(struct bgp_fsm *f, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in, struct bgp_fsm_out *out)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_MANUAL_START_PASSIVE:
		/* the operator asked: forget the back-off */
		f->flaps = 0;
		f->idle_hold_ms = f->conf.idle_hold_ms;
		start(f, in, out, ev == BGP_EV_MANUAL_START_PASSIVE, true);
		break;
	case BGP_EV_AUTO_START:
	case BGP_EV_AUTO_START_PASSIVE:
		start(f, in, out, ev == BGP_EV_AUTO_START_PASSIVE, true);
		break;
	case BGP_EV_AUTO_START_DAMP:
	case BGP_EV_AUTO_START_DAMP_PASSIVE:
		if (f->running[BGP_TIMER_IDLE_HOLD]) {
			/* held back: IdleHoldTimer_Expires starts it */
			f->enabled = true;
			f->passive = ev == BGP_EV_AUTO_START_DAMP_PASSIVE;
			break;
		}
		start(f, in, out, ev == BGP_EV_AUTO_START_DAMP_PASSIVE, true);
		break;
	case BGP_EV_IDLE_HOLD_EXPIRES:
		f->running[BGP_TIMER_IDLE_HOLD] = false;
		f->deadline_ms[BGP_TIMER_IDLE_HOLD] = 0;
		/* the counter keeps counting across automatic restarts */
		if (f->enabled)
			start(f, in, out, f->passive, false);
		break;
	case BGP_EV_MANUAL_STOP:
		f->enabled = false;
		timer_stop(f, out, BGP_TIMER_IDLE_HOLD);
		break;
	case BGP_EV_TCP_VALID:
	case BGP_EV_TCP_CR_INVALID:
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		/* Idle refuses all incoming connections */
		out->actions |= BGP_FSM_A_TCP_REJECT;
		break;
	default:
		break;
	}
}

static void
st_connect(struct bgp_fsm *f, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in, struct bgp_fsm_out *out)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTO_START_PASSIVE:
	case BGP_EV_AUTO_START_DAMP:
	case BGP_EV_AUTO_START_DAMP_PASSIVE:
		break;
	case BGP_EV_MANUAL_STOP:
		go_idle(f, in, out, IDLE_CRC_ZERO | IDLE_DISABLE);
		break;
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		out->actions |= BGP_FSM_A_TCP_DROP | BGP_FSM_A_TCP_CONNECT;
		connect_retry_start(f, in, out);
		timer_stop(f, out, BGP_TIMER_DELAY_OPEN);
		break;
	case BGP_EV_DELAY_OPEN_EXPIRES:
		delay_open_done(f, in, out);
		break;
	case BGP_EV_TCP_VALID:
		break;
	case BGP_EV_TCP_CR_INVALID:
		out->actions |= BGP_FSM_A_TCP_REJECT;
		break;
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		tcp_up(f, in, out);
		break;
	case BGP_EV_TCP_FAILS:
		if (f->running[BGP_TIMER_DELAY_OPEN]) {
			out->actions |= BGP_FSM_A_TCP_DROP;
			connect_retry_start(f, in, out);
			timer_stop(f, out, BGP_TIMER_DELAY_OPEN);
			f->state = BGP_FSM_ACTIVE;
		} else
			go_idle(f, in, out, 0);
		break;
	case BGP_EV_OPEN_DELAYED:
		open_received(f, in, out, true);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		if (f->conf.notify_without_open)
			notify_msg_err(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_NOTIF_VERSION:
		go_idle(f, in, out, f->running[BGP_TIMER_DELAY_OPEN] ? 0 :
		    IDLE_CRC_INCR);
		break;
	default:	/* 8, 10-11, 13, 19, 23, 25-28 */
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	}
}

static void
st_active(struct bgp_fsm *f, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in, struct bgp_fsm_out *out)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTO_START_PASSIVE:
	case BGP_EV_AUTO_START_DAMP:
	case BGP_EV_AUTO_START_DAMP_PASSIVE:
		break;
	case BGP_EV_MANUAL_STOP:
		if (f->running[BGP_TIMER_DELAY_OPEN] &&
		    f->conf.notify_without_open)
			notify_cease(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_ZERO | IDLE_DISABLE);
		break;
	case BGP_EV_CONNECT_RETRY_EXPIRES:
		connect_retry_start(f, in, out);
		if (!f->passive) {
			out->actions |= BGP_FSM_A_TCP_CONNECT;
			f->state = BGP_FSM_CONNECT;
		}
		break;
	case BGP_EV_DELAY_OPEN_EXPIRES:
		delay_open_done(f, in, out);
		break;
	case BGP_EV_TCP_VALID:
		break;
	case BGP_EV_TCP_CR_INVALID:
		out->actions |= BGP_FSM_A_TCP_REJECT;
		break;
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		tcp_up(f, in, out);
		break;
	case BGP_EV_TCP_FAILS:
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_OPEN_DELAYED:
		open_received(f, in, out, true);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		if (f->conf.notify_without_open)
			notify_msg_err(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_NOTIF_VERSION:
		go_idle(f, in, out, f->running[BGP_TIMER_DELAY_OPEN] ? 0 :
		    IDLE_CRC_INCR);
		break;
	default:	/* 8, 10-11, 13, 19, 23, 25-28 */
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	}
}

static void
st_opensent(struct bgp_fsm *f, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in, struct bgp_fsm_out *out)
{
	int	t;

	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTO_START_PASSIVE:
	case BGP_EV_AUTO_START_DAMP:
	case BGP_EV_AUTO_START_DAMP_PASSIVE:
	case BGP_EV_TCP_VALID:
	case BGP_EV_TCP_CR_INVALID:
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		break;
	case BGP_EV_MANUAL_STOP:
		notify_cease(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_ZERO | IDLE_DISABLE);
		break;
	case BGP_EV_AUTO_STOP:
		notify_cease(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_HOLD_EXPIRES:
		notify(out, BGP_ERR_HOLD, BGP_FSM_SUBCODE_NONE);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_TCP_FAILS:
		/* back to listening; the connection is gone */
		out->actions |= BGP_FSM_A_TCP_DROP;
		for (t = 0; t < BGP_TIMER_MAX; t++)
			timer_stop(f, out, t);
		connect_retry_start(f, in, out);
		f->state = BGP_FSM_ACTIVE;
		break;
	case BGP_EV_OPEN:
		open_received(f, in, out, false);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		notify_msg_err(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_COLLISION_DUMP:
		notify(out, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_NOTIF_VERSION:
		go_idle(f, in, out, 0);
		break;
	case BGP_EV_NOTIF:
		/* never answer a NOTIFICATION with one */
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	default:	/* 9, 11-13, 20, 26-28 */
		fsm_error(f, in, out, ev);
		break;
	}
}

/*
 * The events OpenConfirm and Established handle alike (RFC 4271 8.2.2):
 * starts and TCP events ignored, stops, hold and keepalive timers, a
 * failed connection and a NOTIFICATION. Returns false for the others.
 */
static bool
st_synced(struct bgp_fsm *f, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in, struct bgp_fsm_out *out)
{
	switch (ev) {
	case BGP_EV_MANUAL_START:
	case BGP_EV_AUTO_START:
	case BGP_EV_MANUAL_START_PASSIVE:
	case BGP_EV_AUTO_START_PASSIVE:
	case BGP_EV_AUTO_START_DAMP:
	case BGP_EV_AUTO_START_DAMP_PASSIVE:
	case BGP_EV_TCP_VALID:
	case BGP_EV_TCP_CR_INVALID:
	case BGP_EV_TCP_CR_ACKED:
	case BGP_EV_TCP_CONFIRMED:
		break;
	case BGP_EV_MANUAL_STOP:
		notify_cease(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_ZERO | IDLE_DISABLE);
		break;
	case BGP_EV_AUTO_STOP:
		notify_cease(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_HOLD_EXPIRES:
		notify(out, BGP_ERR_HOLD, BGP_FSM_SUBCODE_NONE);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_KEEPALIVE_EXPIRES:
		out->actions |= BGP_FSM_A_SEND_KEEPALIVE;
		keepalive_start(f, in, out);
		break;
	case BGP_EV_TCP_FAILS:
	case BGP_EV_NOTIF:
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	default:
		return false;
	}
	return true;
}

static void
st_openconfirm(struct bgp_fsm *f, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in, struct bgp_fsm_out *out)
{
	if (st_synced(f, ev, in, out))
		return;
	switch (ev) {
	case BGP_EV_NOTIF_VERSION:
		go_idle(f, in, out, 0);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_OPEN_ERR:
		notify_msg_err(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_COLLISION_DUMP:
		notify(out, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_KEEPALIVE:
		hold_restart(f, in, out);
		out->actions |= BGP_FSM_A_SESSION_UP;
		f->established_ms = in->now_ms;
		f->state = BGP_FSM_ESTABLISHED;
		break;
	default:	/* 9, 12-13, 19 (a second OPEN), 20, 27-28 */
		fsm_error(f, in, out, ev);
		break;
	}
}

static void
st_established(struct bgp_fsm *f, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in, struct bgp_fsm_out *out)
{
	if (st_synced(f, ev, in, out))
		return;
	switch (ev) {
	case BGP_EV_COLLISION_DUMP:
		if (!f->conf.collision_established)
			break;
		notify(out, BGP_ERR_CEASE, BGP_ERR_CEASE_COLLISION);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_NOTIF_VERSION:
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	case BGP_EV_KEEPALIVE:
	case BGP_EV_UPDATE:
		hold_restart(f, in, out);
		break;
	case BGP_EV_HEADER_ERR:
	case BGP_EV_UPDATE_ERR:
		/* RFC 4271 6.1, 6.3: the message's own error */
		notify_msg_err(out, ev, in);
		go_idle(f, in, out, IDLE_CRC_INCR);
		break;
	default:	/* 9, 12-13, 19-20, 22 */
		fsm_error(f, in, out, ev);
		break;
	}
}

int
bgp_fsm_step(struct bgp_fsm *f, enum bgp_fsm_event ev,
    const struct bgp_fsm_input *in, struct bgp_fsm_out *out)
{
	static const struct bgp_fsm_input	 zero;

	memset(out, 0, sizeof(*out));
	out->prev = out->state = f->state;
	if (ev < BGP_EV_MANUAL_START || ev >= BGP_EV_MAX ||
	    f->state >= BGP_FSM_STATE_MAX)
		return -1;
	if (in == NULL)
		in = &zero;
	if (ev == BGP_EV_OPEN && f->running[BGP_TIMER_DELAY_OPEN])
		ev = BGP_EV_OPEN_DELAYED;
	out->event = ev;

	switch (f->state) {
	case BGP_FSM_IDLE:
		st_idle(f, ev, in, out);
		break;
	case BGP_FSM_CONNECT:
		st_connect(f, ev, in, out);
		break;
	case BGP_FSM_ACTIVE:
		st_active(f, ev, in, out);
		break;
	case BGP_FSM_OPENSENT:
		st_opensent(f, ev, in, out);
		break;
	case BGP_FSM_OPENCONFIRM:
		st_openconfirm(f, ev, in, out);
		break;
	case BGP_FSM_ESTABLISHED:
		st_established(f, ev, in, out);
		break;
	default:
		break;
	}
	out->state = f->state;
	return 0;
}

void
bgp_fsm_update_sent(struct bgp_fsm *f, const struct bgp_fsm_input *in,
    struct bgp_fsm_out *out)
{
	static const struct bgp_fsm_input	 zero;

	memset(out, 0, sizeof(*out));
	out->prev = out->state = f->state;
	if (in == NULL)
		in = &zero;
	if (f->state == BGP_FSM_ESTABLISHED)
		keepalive_start(f, in, out);
}

enum bgp_fsm_conn
bgp_fsm_collision(uint32_t local_id, uint32_t local_as, uint32_t remote_id,
    uint32_t remote_as)
{
	/* RFC 4271 6.8: the connection the higher Identifier opened stays */
	if (local_id < remote_id)
		return BGP_CONN_OUTBOUND;
	if (local_id > remote_id)
		return BGP_CONN_INBOUND;
	/* RFC 6286 2.2: equal Identifiers, the higher AS's connection stays */
	if (local_as < remote_as)
		return BGP_CONN_OUTBOUND;
	if (local_as > remote_as)
		return BGP_CONN_INBOUND;
	return BGP_CONN_NONE;
}

bool
bgp_fsm_collision_dump(enum bgp_fsm_conn which, uint32_t local_id,
    uint32_t local_as, uint32_t remote_id, uint32_t remote_as)
{
	enum bgp_fsm_conn	loser;

	loser = bgp_fsm_collision(local_id, local_as, remote_id, remote_as);
	return loser != BGP_CONN_NONE && loser == which;
}

const char *
bgp_fsm_state_name(enum bgp_fsm_state s)
{
	static const char *const names[BGP_FSM_STATE_MAX] = {
		[BGP_FSM_IDLE] = "Idle",
		[BGP_FSM_CONNECT] = "Connect",
		[BGP_FSM_ACTIVE] = "Active",
		[BGP_FSM_OPENSENT] = "OpenSent",
		[BGP_FSM_OPENCONFIRM] = "OpenConfirm",
		[BGP_FSM_ESTABLISHED] = "Established",
	};

	if ((unsigned)s >= BGP_FSM_STATE_MAX)
		return "unknown";
	return names[s];
}

const char *
bgp_fsm_event_name(enum bgp_fsm_event ev)
{
	static const char *const names[BGP_EV_MAX] = {
		[BGP_EV_MANUAL_START] = "ManualStart",
		[BGP_EV_MANUAL_STOP] = "ManualStop",
		[BGP_EV_AUTO_START] = "AutomaticStart",
		[BGP_EV_MANUAL_START_PASSIVE] =
		    "ManualStart_with_PassiveTcpEstablishment",
		[BGP_EV_AUTO_START_PASSIVE] =
		    "AutomaticStart_with_PassiveTcpEstablishment",
		[BGP_EV_AUTO_START_DAMP] =
		    "AutomaticStart_with_DampPeerOscillations",
		[BGP_EV_AUTO_START_DAMP_PASSIVE] =
		    "AutomaticStart_with_DampPeerOscillations_and_"
		    "PassiveTcpEstablishment",
		[BGP_EV_AUTO_STOP] = "AutomaticStop",
		[BGP_EV_CONNECT_RETRY_EXPIRES] = "ConnectRetryTimer_Expires",
		[BGP_EV_HOLD_EXPIRES] = "HoldTimer_Expires",
		[BGP_EV_KEEPALIVE_EXPIRES] = "KeepaliveTimer_Expires",
		[BGP_EV_DELAY_OPEN_EXPIRES] = "DelayOpenTimer_Expires",
		[BGP_EV_IDLE_HOLD_EXPIRES] = "IdleHoldTimer_Expires",
		[BGP_EV_TCP_VALID] = "TcpConnection_Valid",
		[BGP_EV_TCP_CR_INVALID] = "Tcp_CR_Invalid",
		[BGP_EV_TCP_CR_ACKED] = "Tcp_CR_Acked",
		[BGP_EV_TCP_CONFIRMED] = "TcpConnectionConfirmed",
		[BGP_EV_TCP_FAILS] = "TcpConnectionFails",
		[BGP_EV_OPEN] = "BGPOpen",
		[BGP_EV_OPEN_DELAYED] = "BGPOpen_with_DelayOpenTimer_running",
		[BGP_EV_HEADER_ERR] = "BGPHeaderErr",
		[BGP_EV_OPEN_ERR] = "BGPOpenMsgErr",
		[BGP_EV_COLLISION_DUMP] = "OpenCollisionDump",
		[BGP_EV_NOTIF_VERSION] = "NotifMsgVerErr",
		[BGP_EV_NOTIF] = "NotifMsg",
		[BGP_EV_KEEPALIVE] = "KeepAliveMsg",
		[BGP_EV_UPDATE] = "UpdateMsg",
		[BGP_EV_UPDATE_ERR] = "UpdateMsgErr",
	};

	if ((unsigned)ev >= BGP_EV_MAX || names[ev] == NULL)
		return "unknown";
	return names[ev];
}

const char *
bgp_fsm_timer_name(enum bgp_fsm_timer t)
{
	static const char *const names[BGP_TIMER_MAX] = {
		[BGP_TIMER_CONNECT_RETRY] = "ConnectRetryTimer",
		[BGP_TIMER_HOLD] = "HoldTimer",
		[BGP_TIMER_KEEPALIVE] = "KeepaliveTimer",
		[BGP_TIMER_DELAY_OPEN] = "DelayOpenTimer",
		[BGP_TIMER_IDLE_HOLD] = "IdleHoldTimer",
	};

	if ((unsigned)t >= BGP_TIMER_MAX)
		return "unknown";
	return names[t];
}

const char *
bgp_fsm_action_name(uint32_t bit)
{
	switch (bit) {
	case BGP_FSM_A_SEND_NOTIFICATION:
		return "send-notification";
	case BGP_FSM_A_SEND_OPEN:
		return "send-open";
	case BGP_FSM_A_SEND_KEEPALIVE:
		return "send-keepalive";
	case BGP_FSM_A_TCP_DROP:
		return "tcp-drop";
	case BGP_FSM_A_TCP_REJECT:
		return "tcp-reject";
	case BGP_FSM_A_TCP_CONNECT:
		return "tcp-connect";
	case BGP_FSM_A_INIT_RESOURCES:
		return "init-resources";
	case BGP_FSM_A_RELEASE_RESOURCES:
		return "release-resources";
	case BGP_FSM_A_DELETE_ROUTES:
		return "delete-routes";
	case BGP_FSM_A_CRC_ZERO:
		return "connect-retry-counter-zero";
	case BGP_FSM_A_CRC_INCR:
		return "connect-retry-counter-incr";
	case BGP_FSM_A_DAMP:
		return "damp";
	case BGP_FSM_A_SESSION_UP:
		return "session-up";
	case BGP_FSM_A_SESSION_DOWN:
		return "session-down";
	default:
		return "unknown";
	}
}
