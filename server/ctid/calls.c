/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * calls.c - ctid's call control beyond the ACD (docs/ctid-protocol.md):
 * AnswerCall (agents with answer = desktop), MakeCall, HoldCall/RetrieveCall
 * with a network hold where the trunk has one, ConsultationCall and what
 * follows it (ReconnectCall, TransferCall by the network or bridged in ctid,
 * ConferenceCall), and the emulated network's side of those services.
 *
 * State beyond server.c's struct ccall lives in a struct xcall hung on the
 * call (c->x). server.c passes every event of a ccall to calls_event() first;
 * what it does not take goes on to server.c's caller/agent handlers.
 *
 * Legs of one ccall: c->in (the caller, or MakeCall's external leg), c->agent
 * (the agent's position) and x->cons (the consultation: another agent's
 * position or an external number). CDR rows: leg 1 caller, leg 2 agent,
 * leg 3 a consultation that did not become the call's agent leg.
 */
#include "server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum xleg { X_NONE, X_DIALING, X_TALKING, X_JOINED };
enum after { AFTER_RETRIEVE = 1, AFTER_TRANSFER, AFTER_CONFERENCE };
enum mk { MK_NONE, MK_POSITION, MK_DIALING, MK_TALKING };

struct xcall {
	/* answer = desktop */
	bool pos_up;		/* the headset answered: waiting for AnswerCall */
	bool desk_answered;	/* AnswerCall came before the headset answered */
	/* hold */
	bool hold_asked;	/* HOLD sent, CTI_EV_CALL_HELD not yet */
	bool net_held;		/* the caller is held in the network */
	bool retrieve_asked;	/* RETRIEVE sent */
	enum after after;	/* what follows the RETRIEVE */
	/* MakeCall */
	enum mk mk;
	bool delivered;		/* DeliveredEvent sent for the external leg */
	int far_cause;		/* the external leg's clearing cause, for the agent's event */
	bool agent_busy;	/* c->agent_id is busy outside the ACD (acd_agent_busy) */
	/* consultation */
	cti_call_t *cons;
	unsigned cons_id;
	enum xleg cons_state;
	char cons_num[CTI_NUMBER_MAX];	/* the number called */
	char cons_agent[ACD_NAME_MAX];	/* consulted agent, "" for an external number */
	bool cons_delivered, cons_pos_up, cons_desk_answered;
	int64_t cons_start_ms, cons_answer_ms;
	bool xfer_asked;	/* network transfer asked, CTI_EV_TRANSFER_DONE not yet */
	cti_conf_t *conf;	/* ConferenceCall: caller, agent, consulted party */
};

static struct xcall *xget(struct ccall *c)
{
	if (!c->x)
		c->x = calloc(1, sizeof(*c->x));
	return c->x;
}

void calls_free(struct ccall *c)
{
	if (c->x)
		cti_conf_free(c->x->conf);
	free(c->x);
	c->x = NULL;
}

bool calls_busy(const struct ccall *c)
{
	return c->x && c->x->cons;
}

static const struct ctid_agent *agent_cfg(const struct server *s, const char *id)
{
	for (int i = 0; i < s->cfg->nagents; i++)
		if (!strcmp(s->cfg->agents[i].acd.id, id))
			return &s->cfg->agents[i];
	return NULL;
}

static const char *position_of(const struct server *s, const char *agent)
{
	const char *p = agent[0] ? acd_agent_position(s->acd, agent) : NULL;
	return p ? p : "";
}

/* The trunk external numbers are called on (outbound = yes): fills span or group, false if none. */
static bool outbound_trunk(struct server *s, cti_call_params_t *p)
{
	for (int i = 0; i < s->cfg->ntrunks; i++) {
		const struct ctid_trunk *t = &s->cfg->trunks[i];
		if (!t->outbound)
			continue;
		if (t->is_group) {
			snprintf(p->group, sizeof(p->group), "%s", t->span);
			return true;
		}
		p->span = cti_span_find(s->ctx, t->span);
		return p->span > 0;
	}
	return false;
}

static bool valid_number(const char *n)
{
	return n && n[0] && strlen(n) < CTI_NUMBER_MAX && strspn(n, "0123456789*#") == strlen(n);
}

static unsigned id_of(json_t *v)
{
	if (json_is_string(v))
		return (unsigned)strtoul(json_string_value(v), NULL, 10);
	if (json_is_integer(v))
		return (unsigned)json_integer_value(v);
	return 0;
}

static json_t *str_id(unsigned id)
{
	char b[16];
	snprintf(b, sizeof(b), "%u", id);
	return json_string(b);
}

/* ---- events ---- */

static void emit_with(struct server *s, struct ccall *c, json_t *e, const char *method)
{
	if (method)
		json_object_set_new(e, "method", json_string(method));
	emit(s, c->agent_id, e);
}

/* An event of the consultation leg: its own callID, the held call as primaryCallID. */
static json_t *cons_event(const char *name, const struct ccall *c)
{
	const struct xcall *x = c->x;
	json_t *e = call_event(name, c);
	json_object_set_new(e, "callID", str_id(x->cons_id));
	json_object_set_new(e, "primaryCallID", str_id(c->id));
	json_object_set_new(e, "callingDevice", json_string(position_of(c->srv, c->agent_id)));
	json_object_set_new(e, "calledDevice", json_string(x->cons_num));
	if (x->cons_agent[0])
		json_object_set_new(e, "consultedAgent", json_string(x->cons_agent));
	return e;
}

/* To the consulting agent and the supervisors, and to the consulted agent. Takes e. */
static void emit_cons(struct server *s, const struct ccall *c, json_t *e)
{
	const char *other = c->x->cons_agent;
	if (other[0] && s->ws)
		for (struct sess *w = s->sessions; w; w = w->next)
			if (!w->supervisor && !strcmp(w->agent, other))
				send_json(s, w->client, e);
	emit(s, c->agent_id, e);
}

static void cons_cdr(struct server *s, struct ccall *c, int cause)
{
	const struct xcall *x = c->x;
	if (!s->cdr)
		return;
	struct cdr_leg l;
	memset(&l, 0, sizeof(l));
	snprintf(l.call_id, sizeof(l.call_id), "%u", c->id);
	l.leg = 3;
	snprintf(l.direction, sizeof(l.direction), "out");
	snprintf(l.ani, sizeof(l.ani), "%s", position_of(s, c->agent_id));
	snprintf(l.dnis, sizeof(l.dnis), "%s", x->cons_num);
	snprintf(l.queue, sizeof(l.queue), "%s", c->queue);
	snprintf(l.agent, sizeof(l.agent), "%s", x->cons_agent[0] ? x->cons_agent : c->agent_id);
	l.start_ms = x->cons_start_ms;
	l.answer_ms = x->cons_answer_ms;
	l.end_ms = wall_ms(s);
	l.cause = cause;
	char err[512];
	if (cdr_write(s->cdr, &l, err, sizeof(err))) {
		logmsg(s, "%s", err);
		s->errors++;
	}
}

/* The consultation leg ends: its CDR row and ConnectionClearedEvent; hang it up (or release it). */
static void drop_cons(struct server *s, struct ccall *c, int cause, bool hangup)
{
	struct xcall *x = c->x;
	if (!x->cons)
		return;
	cons_cdr(s, c, cause);
	json_t *e = cons_event("ConnectionClearedEvent", c);
	json_object_set_new(e, "cause", json_integer(cause));
	emit_cons(s, c, e);
	if (x->cons_agent[0])
		acd_agent_free(s->acd, x->cons_agent, cti_now_ms(s->ctx));
	if (hangup) {
		cti_call_set_user(x->cons, &orphan_kind);	/* released when it clears */
		cti_call_hangup(x->cons, cause, CTI_LOC_DEFAULT);
	} else {
		cti_call_set_user(x->cons, NULL);
		cti_call_release(x->cons);
	}
	logmsg(s, "call %u: consultation %u cleared (cause %d)", c->id, x->cons_id, cause);
	x->cons = NULL;
	x->cons_state = X_NONE;
	x->cons_agent[0] = 0;
	x->cons_delivered = x->cons_pos_up = x->cons_desk_answered = x->xfer_asked = false;
}

/* The agent's own leg ends while the call goes on (transfer, leaving a conference). */
static void end_agent_leg(struct server *s, struct ccall *c, int cause, bool hangup)
{
	struct xcall *x = c->x;
	uint64_t now = cti_now_ms(s->ctx);
	c->agent_cause = cause;
	write_cdr(s, c, 2);
	json_t *e = call_event("ConnectionClearedEvent", c);
	json_object_set_new(e, "cause", json_integer(cause));
	emit(s, c->agent_id, e);
	if (hangup) {
		cti_call_set_user(c->agent, &orphan_kind);
		cti_call_hangup(c->agent, cause, CTI_LOC_DEFAULT);
	} else {
		cti_call_set_user(c->agent, NULL);
		cti_call_release(c->agent);
	}
	c->agent = NULL;
	if (c->acd_call)
		acd_call_end(s->acd, c->acd_call, now);	/* the agent goes to wrap-up */
	c->acd_call = 0;
	if (x->agent_busy)
		acd_agent_free(s->acd, c->agent_id, now);
	x->agent_busy = false;
}

/* ---- hold ---- */

static bool network_hold(struct server *s, struct ccall *c)
{
	int sp = cti_call_span(c->in);
	return sp > 0 && cti_suppl_supported(s->ctx, sp, CTI_SUPPL_HOLD) == 1;
}

/* The connected caller is held: in the network where the trunk has hold, else by ctid with music. */
static void hold_caller(struct server *s, struct ccall *c)
{
	struct xcall *x = c->x;
	cti_unbridge(c->in);
	c->state = C_HELD;
	if (network_hold(s, c) && cti_call_hold(c->in) == 0) {
		x->hold_asked = true;	/* HeldEvent when the network confirms */
		return;
	}
	play_moh(s, c);
	emit_with(s, c, call_event("HeldEvent", c), "server");
}

static void conference(struct server *s, struct ccall *c);
static void bridge_transfer(struct server *s, struct ccall *c);

/* The caller is back (RETRIEVE done, or ctid's own hold ended): do what was asked. */
static void retrieved(struct server *s, struct ccall *c, enum after after)
{
	if (c->op > 0)
		cti_stop(c->in, c->op);
	c->op = 0;
	switch (after) {
	case AFTER_RETRIEVE:
		if (cti_bridge(c->in, c->agent))
			logmsg(s, "call %u: bridge failed: %s", c->id, cti_last_error());
		c->state = C_TALKING;
		emit(s, c->agent_id, call_event("RetrievedEvent", c));
		break;
	case AFTER_TRANSFER:
		bridge_transfer(s, c);
		break;
	case AFTER_CONFERENCE:
		conference(s, c);
		break;
	}
}

/* Returns 0, or -1 if RETRIEVE could not be sent (cti_last_error()). */
static int retrieve_caller(struct server *s, struct ccall *c, enum after after)
{
	struct xcall *x = c->x;
	if (x->net_held) {
		if (cti_call_retrieve(c->in))
			return -1;
		x->retrieve_asked = true;
		x->after = after;
		return 0;
	}
	retrieved(s, c, after);
	return 0;
}

/* ---- consultation, transfer, conference ---- */

/* The caller and the consulted party talk on without the agent (whose leg is gone). */
static void join_consulted(struct server *s, struct ccall *c)
{
	struct xcall *x = c->x;
	cti_unbridge(x->cons);
	if (cti_bridge(c->in, x->cons))
		logmsg(s, "call %u: bridge failed: %s", c->id, cti_last_error());
	c->state = C_TALKING;
	if (!x->cons_agent[0]) {
		x->cons_state = X_JOINED;	/* cleared with the caller */
		return;
	}
	/* The consulted agent owns the call now: its leg is the agent leg. */
	c->agent = x->cons;
	snprintf(c->agent_id, sizeof(c->agent_id), "%s", x->cons_agent);
	c->agent_start_ms = x->cons_start_ms;
	c->agent_answer_ms = x->cons_answer_ms;
	c->agent_cause = 0;
	x->agent_busy = true;	/* made busy by the consultation; free when its leg clears */
	x->cons = NULL;
	x->cons_state = X_NONE;
	x->cons_agent[0] = 0;
	x->cons_delivered = x->cons_pos_up = x->cons_desk_answered = false;
	logmsg(s, "call %u: now agent %s's call", c->id, c->agent_id);
	emit(s, c->agent_id, call_event("EstablishedEvent", c));
}

static void bridge_transfer(struct server *s, struct ccall *c)
{
	struct xcall *x = c->x;
	json_t *e = call_event("TransferredEvent", c);
	json_object_set_new(e, "transferredTo", json_string(x->cons_agent[0] ? x->cons_agent : x->cons_num));
	emit_with(s, c, e, "bridged");
	logmsg(s, "call %u: transferred by %s to %s, bridged in ctid", c->id, c->agent_id, x->cons_num);
	cti_unbridge(c->agent);
	end_agent_leg(s, c, 16, true);
	join_consulted(s, c);
}

/* The network took both calls over (ECT, 2BCT): the agent's leg goes; the network clears the others. */
static void network_transferred(struct server *s, struct ccall *c)
{
	struct xcall *x = c->x;
	json_t *e = call_event("TransferredEvent", c);
	json_object_set_new(e, "transferredTo", json_string(x->cons_num));
	emit_with(s, c, e, "network");
	logmsg(s, "call %u: transferred by %s to %s in the network (%s)", c->id, c->agent_id, x->cons_num,
	       cti_transfer_method(s->ctx, cti_call_span(x->cons)));
	c->state = C_CLEARING;	/* the network clears the caller's and the consultation's legs */
	cti_unbridge(c->agent);
	end_agent_leg(s, c, 16, true);
	free_if_done(s, c);
}

static void conference(struct server *s, struct ccall *c)
{
	struct xcall *x = c->x;
	cti_unbridge(c->agent);
	x->conf = cti_conf_new(s->ctx);
	if (!x->conf || cti_conf_add(x->conf, c->in) || cti_conf_add(x->conf, c->agent) ||
	    cti_conf_add(x->conf, x->cons)) {
		logmsg(s, "call %u: conference failed: %s; back to the caller", c->id, cti_last_error());
		cti_conf_free(x->conf);
		x->conf = NULL;
		drop_cons(s, c, 16, true);
		retrieved(s, c, AFTER_RETRIEVE);
		return;
	}
	c->state = C_TALKING;
	x->cons_state = X_JOINED;
	logmsg(s, "call %u: conference of the caller, agent %s and %s", c->id, c->agent_id, x->cons_num);
	json_t *e = call_event("ConferencedEvent", c);
	json_object_set_new(e, "consultedDevice", json_string(x->cons_agent[0] ? x->cons_agent : x->cons_num));
	json_object_set_new(e, "method", json_string("bridged"));
	emit_cons(s, c, e);
}

static void cons_connected(struct server *s, struct ccall *c)
{
	struct xcall *x = c->x;
	x->cons_state = X_TALKING;
	x->cons_answer_ms = wall_ms(s);
	if (cti_bridge(c->agent, x->cons))
		logmsg(s, "call %u: bridge to the consultation failed: %s", c->id, cti_last_error());
	emit_cons(s, c, cons_event("EstablishedEvent", c));
}

static void cons_leg_event(struct server *s, struct ccall *c, const cti_event_t *ev)
{
	struct xcall *x = c->x;
	switch (ev->type) {
	case CTI_EV_CALL_ALERTING:
		if (!x->cons_delivered)
			emit_cons(s, c, cons_event("DeliveredEvent", c));
		x->cons_delivered = true;
		break;
	case CTI_EV_CALL_ANSWERED: {
		if (!x->cons_delivered)
			emit_cons(s, c, cons_event("DeliveredEvent", c));
		x->cons_delivered = true;
		const struct ctid_agent *a = x->cons_agent[0] ? agent_cfg(s, x->cons_agent) : NULL;
		if (a && a->answer_desktop && !x->cons_desk_answered) {
			x->cons_pos_up = true;	/* the headset answered: AnswerCall connects */
			break;
		}
		cons_connected(s, c);
		break;
	}
	case CTI_EV_CALL_HANGUP: {
		int cause = ev->u.hangup.cause;
		if (x->conf) {	/* the consulted party left the conference: caller and agent talk on */
			cti_conf_free(x->conf);
			x->conf = NULL;
			drop_cons(s, c, cause, false);
			if (c->agent && cti_bridge(c->in, c->agent))
				logmsg(s, "call %u: bridge failed: %s", c->id, cti_last_error());
			break;
		}
		bool joined = x->cons_state == X_JOINED;
		drop_cons(s, c, cause, false);
		if (joined)	/* transferred to this number: the caller goes too */
			clear_caller(c, 16);
		free_if_done(s, c);
		break;
	}
	default:
		break;
	}
}

/* ---- MakeCall ---- */

static void makecall_event(struct server *s, struct ccall *c, const cti_event_t *ev)
{
	struct xcall *x = c->x;
	if (ev->call == c->agent) {
		if (ev->type == CTI_EV_CALL_ANSWERED && x->mk == MK_POSITION) {
			c->agent_answer_ms = wall_ms(s);
			cti_call_params_t p;
			cti_call_params_init(&p);
			snprintf(p.called.number, sizeof(p.called.number), "%s", c->dnis);
			snprintf(p.calling.number, sizeof(p.calling.number), "%s", c->ani);
			outbound_trunk(s, &p);
			c->start_ms = wall_ms(s);
			c->in = cti_call_place(s->ctx, &p);
			if (!c->in) {
				logmsg(s, "call %u: cannot call %s: %s", c->id, c->dnis, cti_last_error());
				x->far_cause = 34;	/* no circuit/channel available */
				c->state = C_CLEARING;
				cti_call_hangup(c->agent, 16, CTI_LOC_DEFAULT);
				return;
			}
			cti_call_set_user(c->in, c);
			x->mk = MK_DIALING;
			logmsg(s, "call %u: agent %s calls %s", c->id, c->agent_id, c->dnis);
			emit(s, c->agent_id, call_event("OriginatedEvent", c));
		} else if (ev->type == CTI_EV_CALL_HANGUP) {
			c->agent_cause = ev->u.hangup.cause;
			write_cdr(s, c, 2);
			json_t *e = call_event("ConnectionClearedEvent", c);
			json_object_set_new(e, "cause", json_integer(x->far_cause ? x->far_cause : c->agent_cause));
			emit(s, c->agent_id, e);
			cti_call_set_user(c->agent, NULL);
			cti_call_release(c->agent);
			c->agent = NULL;
			if (x->agent_busy)
				acd_agent_free(s->acd, c->agent_id, cti_now_ms(s->ctx));
			x->agent_busy = false;
			if (c->in && !c->in_released) {
				c->state = C_CLEARING;
				cti_call_hangup(c->in, 16, CTI_LOC_DEFAULT);
			} else {
				c->in_released = true;
			}
			free_if_done(s, c);
		}
		return;
	}
	if (ev->call != c->in)
		return;
	switch (ev->type) {
	case CTI_EV_CALL_ALERTING:
		if (!x->delivered)
			emit(s, c->agent_id, call_event("DeliveredEvent", c));
		x->delivered = true;
		break;
	case CTI_EV_CALL_ANSWERED:
		if (!x->delivered)
			emit(s, c->agent_id, call_event("DeliveredEvent", c));
		x->delivered = true;
		c->answer_ms = wall_ms(s);
		x->mk = MK_TALKING;	/* from now on a call like any other */
		c->state = C_TALKING;
		if (cti_bridge(c->in, c->agent))
			logmsg(s, "call %u: bridge failed: %s", c->id, cti_last_error());
		logmsg(s, "call %u: %s answered agent %s", c->id, c->dnis, c->agent_id);
		emit(s, c->agent_id, call_event("EstablishedEvent", c));
		break;
	case CTI_EV_CALL_HANGUP:
		c->cause = ev->u.hangup.cause;
		x->far_cause = c->cause;
		logmsg(s, "call %u: %s cleared before answering (cause %d)", c->id, c->dnis, c->cause);
		write_cdr(s, c, 1);
		cti_call_set_user(c->in, NULL);
		cti_call_release(c->in);
		c->in_released = true;
		c->state = C_CLEARING;
		if (c->agent)
			cti_call_hangup(c->agent, 16, CTI_LOC_DEFAULT);
		free_if_done(s, c);
		break;
	default:
		break;
	}
}

/* ---- events ---- */

bool calls_event(struct server *s, struct ccall *c, const cti_event_t *ev)
{
	struct xcall *x = c->x;
	if (x && x->mk && x->mk < MK_TALKING) {
		makecall_event(s, c, ev);
		return true;
	}
	/* answer = desktop: the headset answered, the caller keeps ringing until AnswerCall */
	if (ev->call == c->agent && ev->type == CTI_EV_CALL_ANSWERED && c->state == C_RINGING) {
		const struct ctid_agent *a = agent_cfg(s, c->agent_id);
		if (!a || !a->answer_desktop || !(x = xget(c)))
			return false;
		if (x->desk_answered)
			return false;	/* AnswerCall came first: connect now */
		x->pos_up = true;
		logmsg(s, "call %u: agent %s's headset is up, waiting for AnswerCall", c->id, c->agent_id);
		return true;
	}
	if (!x)
		return false;
	if (x->cons && ev->call == x->cons) {
		cons_leg_event(s, c, ev);
		return true;
	}
	if (ev->call == c->in) {
		switch (ev->type) {
		case CTI_EV_CALL_HELD:
			if (!x->hold_asked)
				return true;
			x->hold_asked = false;
			if (ev->u.suppl.result == 0) {
				x->net_held = true;
				logmsg(s, "call %u: held in the network", c->id);
				emit_with(s, c, call_event("HeldEvent", c), "network");
			} else {	/* refused: ctid holds the call itself */
				logmsg(s, "call %u: the network refused hold (cause %d): held in ctid", c->id,
				       ev->u.suppl.result);
				play_moh(s, c);
				emit_with(s, c, call_event("HeldEvent", c), "server");
			}
			return true;
		case CTI_EV_CALL_RETRIEVED:
			if (!x->retrieve_asked)
				return true;
			x->retrieve_asked = false;
			if (ev->u.suppl.result) {
				logmsg(s, "call %u: the network refused retrieve (cause %d): still held", c->id,
				       ev->u.suppl.result);
				return true;
			}
			x->net_held = false;
			retrieved(s, c, x->after);
			return true;
		case CTI_EV_TRANSFER_DONE:
			if (!x->xfer_asked)
				return true;
			x->xfer_asked = false;
			if (ev->u.suppl.result == 0) {
				network_transferred(s, c);
			} else {
				logmsg(s, "call %u: the network refused the transfer (%s): bridging in ctid", c->id,
				       ev->u.suppl.text);
				if (retrieve_caller(s, c, AFTER_TRANSFER))
					logmsg(s, "call %u: retrieve failed: %s", c->id, cti_last_error());
			}
			return true;
		case CTI_EV_CALL_HANGUP:	/* the caller left: the consultation and conference go too */
			cti_conf_free(x->conf);
			x->conf = NULL;
			drop_cons(s, c, 16, true);
			x->net_held = x->hold_asked = x->retrieve_asked = false;
			return false;
		default:
			return false;
		}
	}
	if (ev->call == c->agent && ev->type == CTI_EV_CALL_HANGUP) {
		if (x->conf && c->state != C_CLEARING) {	/* the agent left the conference: the others talk on */
			cti_conf_free(x->conf);
			x->conf = NULL;
			logmsg(s, "call %u: agent %s left the conference", c->id, c->agent_id);
			end_agent_leg(s, c, ev->u.hangup.cause, false);
			join_consulted(s, c);
			return true;
		}
		drop_cons(s, c, 16, true);
		if (x->agent_busy)
			acd_agent_free(s->acd, c->agent_id, cti_now_ms(s->ctx));
		x->agent_busy = false;
		x->pos_up = x->desk_answered = false;
		return false;
	}
	return false;
}

/* The emulated network (the far end of the trunks, --sim-calls) serves hold, retrieve, transfer. */
bool calls_sim_event(struct server *s, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_CALL_OFFERED: {
		/* External numbers starting 99 do not exist (cause 1, unallocated number). */
		if (ev->span != s->caller_span || strncmp(ev->u.offered.called.number, "99", 2))
			return false;
		struct phone *ph = calloc(1, sizeof(*ph));
		if (!ph)
			return false;
		ph->kind = KIND_PHONE;
		ph->call = ev->call;
		s->phones++;
		cti_call_set_user(ev->call, ph);
		cti_call_reject(ev->call, 1);
		return true;
	}
	case CTI_EV_HOLD_REQUEST:
		cti_call_hold_reply(ev->call, 0);
		return true;
	case CTI_EV_RETRIEVE_REQUEST:
		cti_call_retrieve_reply(ev->call, 0);
		return true;
	case CTI_EV_TRANSFER_REQUEST:
		cti_transfer_reply(ev->call, 1);
		return true;
	default:
		return false;
	}
}

/* ---- commands ---- */

/* The call heldCall names with its consultation activeCall, or NULL after replying the error. */
static struct ccall *consultation(const struct cmd *k)
{
	json_t *held = json_object_get(k->msg, "heldCall"), *active = json_object_get(k->msg, "activeCall");
	if (!held || !active) {
		reply_error(k, "invalidMessage", "give \"heldCall\" (the held call) and \"activeCall\" (its consultation)");
		return NULL;
	}
	struct ccall *c = own_call_id(k, held);
	if (!c)
		return NULL;
	unsigned a = id_of(active);
	if (!c->x || !c->x->cons || c->x->cons_id != a || c->x->cons_state == X_JOINED) {
		reply_error(k, "invalidCallState", "call %u has no consultation %u", c->id, a);
		return NULL;
	}
	if (c->x->hold_asked || c->x->retrieve_asked || c->x->xfer_asked) {
		reply_error(k, "invalidCallState", "call %u: hold, retrieve or transfer in progress", c->id);
		return NULL;
	}
	return c;
}

void cmd_answer_call(const struct cmd *k)
{
	struct server *s = k->s;
	unsigned id = id_of(json_object_get(k->msg, "callID"));
	/* A consultation call ringing a desktop agent? */
	for (struct ccall *c = s->calls; id && c; c = c->next) {
		struct xcall *x = c->x;
		if (!x || !x->cons || x->cons_id != id)
			continue;
		if (!k->x->supervisor && strcmp(x->cons_agent, k->x->agent)) {
			reply_error(k, "privilegeViolation", "consultation %u is not for agent %s", id, k->x->agent);
			return;
		}
		const struct ctid_agent *a = agent_cfg(s, x->cons_agent);
		if (!a || !a->answer_desktop) {
			reply_error(k, "serviceNotSupported", "agent %s answers on the phone (answer = phone)",
				    x->cons_agent[0] ? x->cons_agent : "-");
			return;
		}
		if (x->cons_state != X_DIALING || x->cons_desk_answered) {
			reply_error(k, "invalidCallState", "consultation %u is not ringing", id);
			return;
		}
		reply_ok(k, NULL);
		if (x->cons_pos_up)
			cons_connected(s, c);
		else
			x->cons_desk_answered = true;
		return;
	}
	struct ccall *c = own_call(k);
	if (!c)
		return;
	const struct ctid_agent *a = agent_cfg(s, c->agent_id);
	if (!a || !a->answer_desktop) {
		reply_error(k, "serviceNotSupported", "agent %s answers on the phone (answer = phone)", c->agent_id);
		return;
	}
	struct xcall *x = xget(c);
	if (!x) {
		reply_error(k, "resourceBusy", "out of memory");
		return;
	}
	if (c->state != C_RINGING || !c->agent || x->desk_answered || (x->mk && x->mk < MK_TALKING)) {
		reply_error(k, "invalidCallState", "call %u is not ringing", c->id);
		return;
	}
	logmsg(s, "call %u: AnswerCall by %s", c->id, k->x->agent);
	reply_ok(k, NULL);
	if (x->pos_up) {
		x->pos_up = false;
		agent_connect(s, c);
	} else {
		x->desk_answered = true;	/* connect when the headset answers */
	}
}

void cmd_make_call(const struct cmd *k)
{
	struct server *s = k->s;
	const char *agent = json_string_value(json_object_get(k->msg, "agent"));
	if (!agent)
		agent = k->x->agent;
	if (strcmp(agent, k->x->agent) && !k->x->supervisor) {
		reply_error(k, "privilegeViolation", "agent %s cannot act for agent %s", k->x->agent, agent);
		return;
	}
	const char *num = json_string_value(json_object_get(k->msg, "calledDirectoryNumber"));
	if (!valid_number(num)) {
		reply_error(k, "invalidDestination", "calledDirectoryNumber '%s': expected a number (0-9 * #, up to %d)",
			    num ? num : "", CTI_NUMBER_MAX - 1);
		return;
	}
	cti_call_params_t out;
	cti_call_params_init(&out);
	if (!outbound_trunk(s, &out)) {
		reply_error(k, "invalidDestination", "no [trunk] with outbound = yes to call %s on", num);
		return;
	}
	const struct ctid_agent *a = agent_cfg(s, agent);
	if (!a || !a->acd.position[0]) {
		reply_error(k, "invalidAgent", "agent '%s' has no position to call from", agent);
		return;
	}
	int r = acd_agent_busy(s->acd, agent, k->now);
	if (r) {
		enum acd_agent_state st = ACD_LOGGED_OUT;
		acd_agent_state(s->acd, agent, &st, NULL);
		reply_error(k, r == ACD_ENOENT ? "invalidAgent" : "invalidAgentState", "agent %s is %s", agent,
			    acd_state_name(st));
		return;
	}
	struct ccall *c = calloc(1, sizeof(*c));
	struct xcall *x = c ? xget(c) : NULL;
	if (!x) {
		free(c);
		acd_agent_free(s->acd, agent, k->now);
		reply_error(k, "resourceBusy", "out of memory");
		return;
	}
	c->kind = KIND_CCALL;
	c->srv = s;
	c->outbound = true;
	c->state = C_RINGING;
	snprintf(c->agent_id, sizeof(c->agent_id), "%s", agent);
	snprintf(c->ani, sizeof(c->ani), "%s", a->acd.position);
	snprintf(c->dnis, sizeof(c->dnis), "%s", num);
	x->mk = MK_POSITION;
	x->agent_busy = true;
	cti_call_params_t p;
	cti_call_params_init(&p);
	snprintf(p.called.number, sizeof(p.called.number), "%s", a->acd.position);
	snprintf(p.calling.number, sizeof(p.calling.number), "%s", num);
	p.span = s->pos_span;
	c->agent_start_ms = wall_ms(s);
	c->agent = cti_call_place(s->ctx, &p);
	if (!c->agent) {
		reply_error(k, "resourceBusy", "cannot call agent %s's position %s: %s", agent, a->acd.position,
			    cti_last_error());
		acd_agent_free(s->acd, agent, k->now);
		calls_free(c);
		free(c);
		return;
	}
	c->id = ++s->next_id;
	cti_call_set_user(c->agent, c);
	c->next = s->calls;
	s->calls = c;
	logmsg(s, "call %u: MakeCall by %s to %s", c->id, agent, num);
	reply_ok(k, json_pack("{s:o}", "callID", str_id(c->id)));
}

void cmd_hold_call(const struct cmd *k)
{
	struct ccall *c = own_call(k);
	if (!c)
		return;
	if (c->state != C_TALKING || !c->agent || (c->x && (c->x->conf || c->x->cons))) {
		reply_error(k, "invalidCallState", "call %u is not connected", c->id);
		return;
	}
	if (!xget(c)) {
		reply_error(k, "resourceBusy", "out of memory");
		return;
	}
	logmsg(k->s, "call %u: HoldCall by %s", c->id, k->x->agent);
	reply_ok(k, NULL);
	hold_caller(k->s, c);
}

void cmd_retrieve_call(const struct cmd *k)
{
	struct ccall *c = own_call(k);
	if (!c)
		return;
	struct xcall *x = xget(c);
	if (c->state != C_HELD || !c->agent || !x) {
		reply_error(k, "invalidCallState", "call %u is not held", c->id);
		return;
	}
	if (x->cons) {
		reply_error(k, "invalidCallState", "call %u: consultation %u is up (ReconnectCall, or clear it first)",
			    c->id, x->cons_id);
		return;
	}
	if (x->hold_asked || x->retrieve_asked) {
		reply_error(k, "invalidCallState", "call %u: hold or retrieve in progress", c->id);
		return;
	}
	if (retrieve_caller(k->s, c, AFTER_RETRIEVE)) {
		reply_error(k, "resourceBusy", "retrieve: %s", cti_last_error());
		return;
	}
	logmsg(k->s, "call %u: RetrieveCall by %s", c->id, k->x->agent);
	reply_ok(k, NULL);
}

void cmd_consultation_call(const struct cmd *k)
{
	struct server *s = k->s;
	struct ccall *c = own_call(k);
	if (!c)
		return;
	const char *dev = json_string_value(json_object_get(k->msg, "consultedDevice"));
	if (!dev || !dev[0]) {
		reply_error(k, "invalidDestination", "no \"consultedDevice\" (an agent's ID or a number)");
		return;
	}
	struct xcall *x = xget(c);
	if (!x) {
		reply_error(k, "resourceBusy", "out of memory");
		return;
	}
	if (c->state != C_TALKING || !c->agent || c->in_released || x->cons || x->conf) {
		reply_error(k, "invalidCallState", "call %u is not connected (or has a consultation already)", c->id);
		return;
	}
	cti_call_params_t p;
	cti_call_params_init(&p);
	const struct ctid_agent *a = agent_cfg(s, dev);
	const char *num = dev;
	if (a) {
		enum acd_agent_state st = ACD_LOGGED_OUT;
		if (!a->acd.position[0] || !strcmp(a->acd.id, c->agent_id)) {
			reply_error(k, "invalidDestination", "agent '%s' cannot be consulted (%s)", dev,
				    a->acd.position[0] ? "it is this call's agent" : "no position");
			return;
		}
		acd_agent_state(s->acd, dev, &st, NULL);
		if (st != ACD_READY || acd_agent_busy(s->acd, dev, k->now)) {
			reply_error(k, "invalidAgentState", "agent %s is %s, not Ready", dev, acd_state_name(st));
			return;
		}
		num = a->acd.position;
		p.span = s->pos_span;
	} else if (!valid_number(dev)) {
		reply_error(k, "invalidDestination", "consultedDevice '%s' is neither an agent nor a number", dev);
		return;
	} else if (!outbound_trunk(s, &p)) {
		reply_error(k, "invalidDestination", "no [trunk] with outbound = yes to call %s on", dev);
		return;
	}
	snprintf(p.called.number, sizeof(p.called.number), "%s", num);
	snprintf(p.calling.number, sizeof(p.calling.number), "%s", position_of(s, c->agent_id));
	x->cons = cti_call_place(s->ctx, &p);
	if (!x->cons) {
		if (a)
			acd_agent_free(s->acd, dev, k->now);
		reply_error(k, "resourceBusy", "cannot call %s: %s", num, cti_last_error());
		return;
	}
	cti_call_set_user(x->cons, c);
	x->cons_id = ++s->next_id;
	x->cons_state = X_DIALING;
	x->cons_start_ms = wall_ms(s);
	x->cons_answer_ms = 0;
	snprintf(x->cons_num, sizeof(x->cons_num), "%s", num);
	snprintf(x->cons_agent, sizeof(x->cons_agent), "%s", a ? a->acd.id : "");
	logmsg(s, "call %u: ConsultationCall %u by %s to %s", c->id, x->cons_id, c->agent_id, num);
	reply_ok(k, json_pack("{s:o, s:o}", "heldCall", str_id(c->id), "initiatedCall", str_id(x->cons_id)));
	hold_caller(s, c);
	emit_cons(s, c, cons_event("OriginatedEvent", c));
}

void cmd_reconnect_call(const struct cmd *k)
{
	struct ccall *c = consultation(k);
	if (!c)
		return;
	logmsg(k->s, "call %u: ReconnectCall by %s", c->id, k->x->agent);
	reply_ok(k, NULL);
	drop_cons(k->s, c, 16, true);
	if (retrieve_caller(k->s, c, AFTER_RETRIEVE))
		logmsg(k->s, "call %u: retrieve failed: %s", c->id, cti_last_error());
}

void cmd_transfer_call(const struct cmd *k)
{
	struct server *s = k->s;
	struct ccall *c = consultation(k);
	if (!c)
		return;
	struct xcall *x = c->x;
	if (x->cons_state != X_TALKING) {
		reply_error(k, "invalidCallState", "consultation %u is not answered yet", x->cons_id);
		return;
	}
	reply_ok(k, NULL);
	/* The network joins them where the trunk can, both legs on it: no B-channel stays in use. */
	int sp = cti_call_span(c->in);
	const char *m = cti_transfer_method(s->ctx, sp);
	bool net_method = m && (!strcmp(m, "ECT") || !strcmp(m, "2BCT") || !strcmp(m, "RLT"));
	if (!x->cons_agent[0] && net_method && cti_call_span(x->cons) == sp) {
		if (cti_call_transfer(c->in, x->cons) == 0) {
			x->xfer_asked = true;	/* TransferredEvent on CTI_EV_TRANSFER_DONE */
			logmsg(s, "call %u: TransferCall by %s: asking the network (%s)", c->id, k->x->agent, m);
			return;
		}
		logmsg(s, "call %u: network transfer refused (%s): bridging in ctid", c->id, cti_last_error());
	} else {
		logmsg(s, "call %u: TransferCall by %s: bridging in ctid (%s)", c->id, k->x->agent,
		       x->cons_agent[0] ? "the consulted party is an agent" :
		       !net_method ? "the trunk has no network transfer" : "the legs are on different trunks");
	}
	if (retrieve_caller(s, c, AFTER_TRANSFER))
		logmsg(s, "call %u: retrieve failed: %s", c->id, cti_last_error());
}

void cmd_conference_call(const struct cmd *k)
{
	struct ccall *c = consultation(k);
	if (!c)
		return;
	if (c->x->cons_state != X_TALKING) {
		reply_error(k, "invalidCallState", "consultation %u is not answered yet", c->x->cons_id);
		return;
	}
	logmsg(k->s, "call %u: ConferenceCall by %s", c->id, k->x->agent);
	reply_ok(k, NULL);
	if (retrieve_caller(k->s, c, AFTER_CONFERENCE))
		logmsg(k->s, "call %u: retrieve failed: %s", c->id, cti_last_error());
}

bool calls_clear_connection(const struct cmd *k)
{
	struct server *s = k->s;
	unsigned id = id_of(json_object_get(k->msg, "callID"));
	for (struct ccall *c = s->calls; id && c; c = c->next) {
		struct xcall *x = c->x;
		if (!x)
			continue;
		if (x->cons && x->cons_id == id && x->cons_state != X_JOINED) {	/* a consultation */
			if (!k->x->supervisor && strcmp(c->agent_id, k->x->agent) && strcmp(x->cons_agent, k->x->agent)) {
				reply_error(k, "privilegeViolation", "call %u is not agent %s's call", id, k->x->agent);
				return true;
			}
			if (x->xfer_asked) {
				reply_error(k, "invalidCallState", "consultation %u is being transferred", id);
				return true;
			}
			logmsg(s, "call %u: ClearConnection of consultation %u by %s", c->id, id, k->x->agent);
			reply_ok(k, NULL);
			drop_cons(s, c, 16, true);	/* the caller stays held: RetrieveCall */
			return true;
		}
		if (c->id == id && x->conf && c->agent && c->state != C_CLEARING &&
		    (k->x->supervisor || !strcmp(c->agent_id, k->x->agent))) {	/* the agent leaves */
			logmsg(s, "call %u: ClearConnection by %s: the agent leaves the conference", c->id, k->x->agent);
			reply_ok(k, NULL);
			cti_conf_free(x->conf);
			x->conf = NULL;
			end_agent_leg(s, c, 16, true);
			join_consulted(s, c);
			return true;
		}
	}
	return false;
}
