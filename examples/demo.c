/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demo.c - a fax-on-demand call center on the built-in emulated board.
 *
 *   demo DIR      DIR holds prompts/NAME.wav and fax-sent.tif (examples/demo.sh
 *                 makes them); recordings, the received fax and the
 *                 D-channel capture are written there.
 *   demo --reminders DIR
 *                 only the outbound reminder calls with call progress analysis
 *                 (capture: DIR/dchan-reminders.pcap). `make demo` runs the
 *                 inbound call center through ctid and, until ctid's campaigns
 *                 take them over, the reminders with this program.
 *
 * One context, virtual time, three E1 PRI trunks on the emulated board:
 *
 *   span sim1 (network) == sim2 (user)   PSTN <-> call center
 *   span sim3 (network) == sim4 (user)   agent positions <-> call center
 *   span sim5 (network) == sim6 (user)   PSTN <-> subscriber lines (phones)
 *
 * Most PSTN callers are the network end of sim1 itself. Caller 9 and the
 * remote agent dave are phones behind the PSTN's switch (sim6): the PSTN
 * connects them to the call center trunk through a bridge (a tandem), so
 * that when the call center transfers caller 9 to dave (ECT), the PSTN can
 * join the two phones itself and free both B-channels of the call center.
 *
 * This file plays "the world": callers on the PSTN who dial the call
 * center (8000) and press digits, their fax machine, subscribers the call
 * center calls back, and the agents' and supervisor's phones. The call
 * center itself is ivr.c and acd.c, plus the outbound reminder dialer here
 * (call progress analysis). At the end every step is checked; the exit
 * status is 0 only when all checks passed.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo.h"

cti_ctx_t *demo_ctx;
const char *demo_dir;

#define MAX_LEGS 64
static struct leg *legs[MAX_LEGS];
static int nlegs;
static int failures;
static int dchan_up;
static int span_pstn, span_cc, span_pos, span_agents, span_sw, span_phones;
static struct ivr ivr;
static struct acd acd;
static int fax_doc_pages;

/* ---- helpers shared with ivr.c and acd.c ---- */

void demo_fail(const char *what, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "demo: FAILED: %s: ", what);
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	failures++;
}

struct leg *leg_new(const char *name, leg_fn fn, void *owner)
{
	if (nlegs == MAX_LEGS) {
		fprintf(stderr, "demo: more than %d call legs\n", MAX_LEGS);
		exit(1);
	}
	struct leg *leg = calloc(1, sizeof(*leg));
	if (!leg) {
		perror("demo");
		exit(1);
	}
	snprintf(leg->name, sizeof(leg->name), "%s", name);
	leg->fn = fn;
	leg->owner = owner;
	leg->cause = leg->fax_pages = leg->fax_result = leg->cpa = -1;
	leg->t_start = cti_now_ms(demo_ctx);
	legs[nlegs++] = leg;
	return leg;
}

void leg_attach(struct leg *leg, cti_call_t *call)
{
	cti_call_params_t p;

	leg->call = call;
	cti_call_set_user(call, leg);
	if (cti_call_get_params(call, &p) == 0) {
		snprintf(leg->from, sizeof(leg->from), "%s", p.calling.number);
		snprintf(leg->to, sizeof(leg->to), "%s", p.called.number);
	}
}

int leg_timer(struct leg *leg, uint32_t ms)
{
	return cti_timer_start(demo_ctx, ms, leg);
}

const char *demo_path(const char *fmt, const char *name)
{
	static char buf[4096];
	char rel[1024];
	snprintf(rel, sizeof(rel), fmt, name);
	snprintf(buf, sizeof(buf), "%s/%s", demo_dir, rel);
	return buf;
}

static void play_voice(struct leg *leg, const char *prompt)
{
	cti_term_t t;
	cti_term_init(&t);
	if (cti_play_file(leg->call, demo_path("prompts/%s.wav", prompt), &t) < 0)
		demo_fail(leg->name, "play %s: %s", prompt, cti_last_error());
}

static cti_call_t *place(struct leg *leg, int span, const char *from, const char *to)
{
	cti_call_params_t p;
	cti_call_params_init(&p);
	snprintf(p.calling.number, sizeof(p.calling.number), "%s", from);
	snprintf(p.called.number, sizeof(p.called.number), "%s", to);
	p.span = span;
	cti_call_t *call = cti_call_place(demo_ctx, &p);
	if (!call) {
		demo_fail(leg->name, "place call %s -> %s: %s", from, to, cti_last_error());
		leg->released = 1;	/* nothing to wait for */
		return NULL;
	}
	leg_attach(leg, call);
	return call;
}

/* ---- the world: PSTN callers dialling the call center ---- */

enum { C_SCHEDULED, C_DIALLING, C_PRESSING, C_FAX, C_TALKING };

#define TALK_MS 8000

static void pstn_caller_event(struct leg *leg, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_DIGIT:	/* phones behind the PSTN switch: what the far party keys (after a transfer) */
		if (leg->data && strlen(leg->digits) + 1 < sizeof(leg->digits))
			leg->digits[strlen(leg->digits)] = ev->u.digit.digit;
		break;
	case CTI_EV_TIMER:
		if (leg->state == C_SCHEDULED) {
			leg->state = C_DIALLING;
			place(leg, leg->data ? span_phones : span_pstn, leg->from, "8000");
		} else if (leg->state == C_PRESSING) {
			if (cti_send_dtmf(leg->call, leg->script, 0, 0, 0) < 0)
				demo_fail(leg->name, "send DTMF: %s", cti_last_error());
		}
		break;
	case CTI_EV_CALL_ANSWERED:
		leg->state = C_PRESSING;
		leg_timer(leg, 1500);	/* listen to the menu a little, then press */
		break;
	case CTI_EV_OP_DONE:
		if (ev->u.op.kind == CTI_OP_SEND_DTMF && !strcmp(leg->script, "1")) {
			/* Fax on demand: our fax machine answers (T.30 called terminal) and receives. */
			cti_fax_params_t p;
			cti_fax_params_init(&p);
			p.receive_path = demo_path("%s", "fax-received.tif");
			strcpy(p.ident, "+1 555 1001");
			p.calling = 0;
			leg->state = C_FAX;
			if (cti_fax_receive(leg->call, &p) < 0)
				demo_fail(leg->name, "fax receive: %s", cti_last_error());
		} else if ((ev->u.op.kind == CTI_OP_SEND_DTMF ||
			    (ev->u.op.kind == CTI_OP_PLAY && ev->u.op.reason == CTI_TERM_EOD)) &&
			   leg->call && cti_call_state(leg->call) == CTI_CALL_CONNECTED) {
			leg->state = C_TALKING;
			play_voice(leg, "caller-voice");	/* the caller talks until cleared */
		}
		break;
	case CTI_EV_FAX_PAGE:
		leg->fax_pages = ev->u.fax.page;
		break;
	case CTI_EV_FAX_DONE:
		leg->fax_pages = ev->u.fax.page;
		leg->fax_result = ev->u.fax.result;
		snprintf(leg->note, sizeof(leg->note), "fax received: %s, %d bit/s%s", ev->u.fax.result_text,
			 ev->u.fax.bit_rate, ev->u.fax.ecm ? ", ECM" : "");
		break;
	}
}

static struct leg *schedule_caller(const char *name, const char *from, const char *digits, uint32_t at_ms)
{
	struct leg *leg = leg_new(name, pstn_caller_event, NULL);
	snprintf(leg->from, sizeof(leg->from), "%s", from);
	leg->script = digits;
	leg_timer(leg, at_ms);
	return leg;
}

/* ---- the world: the PSTN switch between subscriber lines (sim5) and the call center trunk (sim1) ---- */

/*
 * A tandem call: leg "in" arrived on one trunk, leg "out" placed on the
 * other; bridged once "out" is answered. On a transfer request from the call
 * center (on two "out"/"in" legs of sim1), the switch joins the two phones'
 * legs on sim5 and confirms: the call center's legs are cleared.
 */
enum { T_DIALLING, T_BRIDGED, T_TRANSFERRED };

static void tandem_event(struct leg *leg, const cti_event_t *ev)
{
	struct leg *peer = leg->peer;

	switch (ev->type) {
	case CTI_EV_CALL_ANSWERED:	/* onward call answered: answer the incoming one, bridge */
		if (peer && peer->call) {
			cti_call_answer(peer->call);
			if (cti_bridge(leg->call, peer->call) < 0)
				demo_fail(leg->name, "PSTN bridge: %s", cti_last_error());
			leg->state = peer->state = T_BRIDGED;
		}
		break;
	case CTI_EV_TRANSFER_REQUEST: {
		struct leg *other = cti_call_get_user(ev->u.suppl.other);
		struct leg *p1 = peer, *p2 = other ? other->peer : NULL;
		if (!p1 || !p2 || !p1->call || !p2->call) {
			cti_transfer_reply(ev->call, 0);
			break;
		}
		/* Join the two phones' legs on the subscriber side; the call center's two legs go. */
		cti_unbridge(leg->call);
		cti_unbridge(other->call);
		if (cti_bridge(p1->call, p2->call) < 0) {
			demo_fail(leg->name, "PSTN join: %s", cti_last_error());
			cti_transfer_reply(ev->call, 0);
			break;
		}
		p1->peer = p2;
		p2->peer = p1;
		leg->peer = other->peer = NULL;
		leg->state = other->state = T_TRANSFERRED;
		p1->state = p2->state = T_TRANSFERRED;
		snprintf(p1->note, sizeof(p1->note), "joined to %s by the PSTN (ECT)", p2->to[0] ? p2->to : p2->from);
		if (cti_transfer_reply(ev->call, 1) < 0)
			demo_fail(leg->name, "transfer reply: %s", cti_last_error());
		break;
	}
	case CTI_EV_CALL_HANGUP:
		if (peer && peer->call)
			cti_call_hangup(peer->call, 16, CTI_LOC_DEFAULT);
		if (peer)
			peer->peer = NULL;
		leg->peer = NULL;
		break;
	}
}

/* A call arrives at the PSTN switch for the other trunk: place it onward. */
static void tandem_offered(const cti_event_t *ev, int out_span)
{
	char name[48];
	snprintf(name, sizeof(name), "pstn %s", ev->u.offered.called.number);
	struct leg *in = leg_new(name, tandem_event, NULL);
	leg_attach(in, ev->call);
	cti_call_proceeding(ev->call);
	struct leg *out = leg_new(name, tandem_event, NULL);
	in->peer = out;
	out->peer = in;
	if (!place(out, out_span, ev->u.offered.calling.number, ev->u.offered.called.number))
		cti_call_reject(ev->call, 34);
}

/* ---- the world: a remote agent's phone on a subscriber line ---- */

static void home_phone_event(struct leg *leg, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_TIMER:
		if (!leg->answered) {
			cti_call_answer(leg->call);
		} else if (leg->state == 0) {
			/* talking with the caller: key a digit the caller's phone must hear through the PSTN */
			leg->state = 1;
			cti_send_dtmf(leg->call, "5", 0, 0, 0);
			leg_timer(leg, TALK_MS);
		} else {
			cti_call_hangup(leg->call, 16, CTI_LOC_DEFAULT);
		}
		break;
	case CTI_EV_CALL_CONNECTED:
		leg_timer(leg, 3000);
		break;
	}
}

static void phones_offered(const cti_event_t *ev)
{
	struct leg *leg = leg_new("home phone dave", home_phone_event, NULL);
	leg_attach(leg, ev->call);
	cti_call_alerting(ev->call);
	leg_timer(leg, 1000);
}

/* ---- the world: PSTN subscribers called back by the reminder dialer ---- */

static void subscriber_event(struct leg *leg, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_TIMER:
		cti_call_answer(leg->call);	/* after ringing */
		break;
	case CTI_EV_CALL_CONNECTED:
		play_voice(leg, "greeting");	/* "Hello?" then silence: a live person */
		break;
	case CTI_EV_OP_DONE:
		if (ev->u.op.kind == CTI_OP_TONE && leg->call && ev->u.op.reason != CTI_TERM_HANGUP)
			cti_call_hangup(leg->call, 17, CTI_LOC_DEFAULT);	/* nobody cleared the busy line */
		break;
	}
}

static void subscriber_offered(const cti_event_t *ev)
{
	if (!strcmp(ev->u.offered.called.number, "5553000")) {
		/* a remote agent's home: through the PSTN switch to the subscriber lines */
		tandem_offered(ev, span_sw);
		return;
	}
	char name[48];
	snprintf(name, sizeof(name), "subscriber %s", ev->u.offered.called.number);
	struct leg *leg = leg_new(name, subscriber_event, NULL);
	leg_attach(leg, ev->call);
	if (!strcmp(leg->to, "5552001")) {
		cti_call_alerting(ev->call);
		leg_timer(leg, 2000);
	} else if (!strcmp(leg->to, "5552002")) {
		/* Busy: in-band busy tone with progress, as a local exchange does. */
		cti_term_t t;
		cti_term_init(&t);
		t.max_time_ms = 30000;
		cti_call_progress(ev->call);
		if (cti_play_tone(ev->call, CTI_TONE_BUSY, &t) < 0)
			demo_fail(leg->name, "busy tone: %s", cti_last_error());
	} else {
		cti_call_reject(ev->call, 1);	/* unallocated number */
	}
}

/* ---- the world: agent and supervisor phones at the agent positions ---- */


static void phone_event(struct leg *leg, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_TIMER:
		if (!leg->answered)
			cti_call_answer(leg->call);	/* picked up after one ring */
		else
			cti_call_hangup(leg->call, 16, CTI_LOC_DEFAULT);	/* conversation over */
		break;
	case CTI_EV_CALL_CONNECTED:
		if (!strcmp(leg->to, "299")) {
			/* The supervisor's headset: record what the supervisor hears. */
			cti_record_params_t rp;
			cti_record_params_init(&rp);
			snprintf(leg->recording, sizeof(leg->recording), "supervisor.wav");
			rp.path = demo_path("%s", leg->recording);
			cti_term_t t;
			cti_term_init(&t);
			if (cti_record(leg->call, &rp, &t) < 0)
				demo_fail(leg->name, "record: %s", cti_last_error());
		} else {
			play_voice(leg, "agent-voice");
			leg_timer(leg, TALK_MS);
		}
		break;
	case CTI_EV_OP_DONE:
		if (ev->u.op.kind == CTI_OP_RECORD)
			leg->rec_samples = ev->u.op.samples;
		else if (ev->u.op.kind == CTI_OP_PLAY && ev->u.op.reason == CTI_TERM_EOD)
			play_voice(leg, "agent-voice");
		break;
	}
}

static void phone_offered(const cti_event_t *ev)
{
	char name[48];
	snprintf(name, sizeof(name), "position %s", ev->u.offered.called.number);
	struct leg *leg = leg_new(name, phone_event, NULL);
	leg_attach(leg, ev->call);
	cti_call_alerting(ev->call);
	leg_timer(leg, 1000);
}

/* ---- the call center's outbound reminder dialer ---- */

static void start_cpa(struct leg *leg)
{
	cti_cpa_params_t p;
	cti_cpa_params_init(&p);
	p.no_answer_ms = 20000;
	if (cti_cpa_start(leg->call, &p) >= 0)
		leg->state = 2;
}

static void reminder_event(struct leg *leg, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_TIMER:
		leg->state = 1;
		if (place(leg, span_cc, "8000", leg->script))
			start_cpa(leg);	/* from dialling on; if too early, at the first progress */
		break;
	case CTI_EV_CALL_PROCEEDING:
	case CTI_EV_CALL_ALERTING:
	case CTI_EV_CALL_PROGRESS:
	case CTI_EV_CALL_ANSWERED:
		if (leg->state == 1)
			start_cpa(leg);
		if (leg->state == 1 && ev->type == CTI_EV_CALL_ANSWERED) {
			demo_fail(leg->name, "call progress analysis: %s", cti_last_error());
			cti_call_hangup(leg->call, 16, CTI_LOC_DEFAULT);
		}
		break;
	case CTI_EV_CPA_DONE:
		leg->cpa = ev->u.cpa.result;
		snprintf(leg->note, sizeof(leg->note), "CPA %s after %u ms", cti_cpa_result_name(ev->u.cpa.result),
			 ev->u.cpa.duration_ms);
		if (ev->u.cpa.result == CTI_CPA_VOICE && cti_call_state(leg->call) == CTI_CALL_CONNECTED)
			play_voice(leg, "reminder");
		else
			cti_call_hangup(leg->call, 16, CTI_LOC_DEFAULT);
		break;
	case CTI_EV_OP_DONE:
		if (ev->u.op.kind == CTI_OP_PLAY && leg->call) {
			if (ev->u.op.reason == CTI_TERM_EOD)
				leg->plays++;
			cti_call_hangup(leg->call, 16, CTI_LOC_DEFAULT);
		}
		break;
	}
}

static struct leg *schedule_reminder(const char *name, const char *number, uint32_t at_ms)
{
	struct leg *leg = leg_new(name, reminder_event, NULL);
	leg->script = number;
	leg_timer(leg, at_ms);
	return leg;
}

/* ---- event loop glue ---- */

static void log_event(const struct leg *leg, const cti_event_t *ev)
{
	char extra[96] = "";
	switch (ev->type) {
	case CTI_EV_DIGIT: case CTI_EV_TONE: case CTI_EV_TRACE: case CTI_EV_TIMER:
		return;
	case CTI_EV_CALL_OFFERED:
		snprintf(extra, sizeof(extra), "%s -> %s", ev->u.offered.calling.number, ev->u.offered.called.number);
		break;
	case CTI_EV_CALL_HANGUP:
		snprintf(extra, sizeof(extra), "cause %d %s%s", ev->u.hangup.cause, cti_cause_text(ev->u.hangup.cause),
			 ev->u.hangup.remote ? " (far end)" : "");
		break;
	case CTI_EV_OP_DONE:
		snprintf(extra, sizeof(extra), "op %d: %s%s%s", ev->u.op.kind, cti_term_reason_name(ev->u.op.reason),
			 ev->u.op.digits[0] ? " digits " : "", ev->u.op.digits);
		break;
	case CTI_EV_FAX_PAGE:
		snprintf(extra, sizeof(extra), "page %d", ev->u.fax.page);
		break;
	case CTI_EV_FAX_DONE:
		snprintf(extra, sizeof(extra), "result %d %s", ev->u.fax.result, ev->u.fax.result_text);
		break;
	case CTI_EV_CPA_DONE:
		snprintf(extra, sizeof(extra), "%s", cti_cpa_result_name(ev->u.cpa.result));
		break;
	}
	printf("%9.3f  %-16s %-22s %s\n", ev->time_ms / 1000.0, leg ? leg->name : "-", cti_event_name(ev->type),
	       extra);
}

static void on_event(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	(void)ctx;
	(void)user;
	struct leg *leg = NULL;

	if (ev->type == CTI_EV_DCHAN_UP) {
		dchan_up++;
		printf("%9.3f  span %d D-channel up\n", ev->time_ms / 1000.0, ev->span);
		return;
	}
	if (ev->type == CTI_EV_DCHAN_DOWN) {
		demo_fail("D-channel", "span %d went down", ev->span);
		return;
	}
	if (ev->type == CTI_EV_TIMER) {
		leg = ev->u.timer.user;
		if (leg && !leg->released && (leg->call || leg->state == 0))
			leg->fn(leg, ev);
		return;
	}
	if (ev->type == CTI_EV_CALL_OFFERED) {
		/* Route new calls by the span they arrive on. */
		if (ev->span == span_cc)
			ivr_offered(&ivr, ev);
		else if (ev->span == span_pstn)
			subscriber_offered(ev);
		else if (ev->span == span_pos)
			phone_offered(ev);
		else if (ev->span == span_sw)
			tandem_offered(ev, span_pstn);	/* a phone calls the call center */
		else if (ev->span == span_phones)
			phones_offered(ev);
		else
			cti_call_reject(ev->call, 21);
		leg = cti_call_get_user(ev->call);
	} else if (ev->call) {
		leg = cti_call_get_user(ev->call);
	}
	log_event(leg, ev);
	if (!leg)
		return;

	/* Bookkeeping common to every leg, then the owner's handler. */
	if (ev->span)
		leg->span = ev->span;
	if (ev->channel)
		leg->channel = ev->channel;
	if (ev->type == CTI_EV_CALL_ANSWERED || ev->type == CTI_EV_CALL_CONNECTED) {
		leg->answered = 1;
		leg->t_answer = ev->time_ms;
	}
	if (ev->type == CTI_EV_CALL_HANGUP) {
		leg->cause = ev->u.hangup.cause;
		leg->remote = ev->u.hangup.remote;
	}
	if (ev->type != CTI_EV_CALL_OFFERED)
		leg->fn(leg, ev);
	if (ev->type == CTI_EV_CALL_HANGUP)
		cti_call_release(ev->call);
	if (ev->type == CTI_EV_CALL_RELEASED) {
		leg->call = NULL;
		leg->released = 1;
		leg->t_end = ev->time_ms;
	}
}

/* Run the board until virtual time reaches t (ms). */
static void run_until(uint64_t t)
{
	while (cti_now_ms(demo_ctx) < t)
		if (cti_dispatch(demo_ctx, (int)(t - cti_now_ms(demo_ctx))) < 0) {
			fprintf(stderr, "demo: cti_dispatch: %s\n", cti_last_error());
			exit(1);
		}
}

static int all_released(void)
{
	for (int i = 0; i < nlegs; i++)
		if (!legs[i]->released)
			return 0;
	return 1;
}

/* ---- checks and report ---- */

static int checks_failed;

static void check(int ok, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	printf("  [%s] ", ok ? " ok " : "FAIL");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
	if (!ok)
		checks_failed++;
}

static struct leg *find_leg(const char *name)
{
	for (int i = 0; i < nlegs; i++)
		if (!strcmp(legs[i]->name, name))
			return legs[i];
	return NULL;
}

/* The IVR's end of a caller's call: same calling number. */
static struct leg *ivr_leg_of(const struct leg *caller)
{
	for (int i = 0; i < nlegs; i++)
		if (!strncmp(legs[i]->name, "ivr ", 4) && !strcmp(legs[i]->from, caller->from))
			return legs[i];
	return NULL;
}

static void report(void)
{
	printf("\n== Calls (%d call ends)\n", nlegs);
	printf("%-16s %-8s %-9s %-9s %-4s %-6s %-30s %s\n", "leg", "span/ch", "from", "to", "ans", "digits",
	       "cleared", "notes");
	for (int i = 0; i < nlegs; i++) {
		const struct leg *l = legs[i];
		char sc[16], cause[48];
		snprintf(sc, sizeof(sc), "%d/%d", l->span, l->channel);
		if (l->cause >= 0)
			snprintf(cause, sizeof(cause), "%d %s%s", l->cause, cti_cause_text(l->cause),
				 l->remote ? " (far)" : "");
		else
			snprintf(cause, sizeof(cause), "-");
		printf("%-16s %-8s %-9s %-9s %-4s %-6s %-30.30s %s", l->name, sc, l->from, l->to,
		       l->answered ? "yes" : "no", l->digits[0] ? l->digits : "-", cause, l->note);
		if (l->recording[0])
			printf("%s%s (%.1f s)", l->note[0] ? "; " : "", l->recording, l->rec_samples / 8000.0);
		printf("\n");
	}

	/* Summary: one line per kind of result. */
	int calls = 0, answered = 0, causes[128] = { 0 };
	char digits[64] = "", recs[512] = "", cpa[128] = "", fax[128] = "";
	for (int i = 0; i < nlegs; i++) {
		const struct leg *l = legs[i];
		size_t n;
		if (!strncmp(l->name, "caller", 6) || !strncmp(l->name, "agent", 5) || !strncmp(l->name, "reminder", 8) ||
		    !strcmp(l->name, "supervisor")) {	/* the placing end: one per call */
			calls++;
			answered += l->answered;
		}
		if (l->cause >= 0 && l->cause < 128)
			causes[l->cause]++;
		if (l->digits[0] && (n = strlen(digits)) < sizeof(digits) - 8)
			snprintf(digits + n, sizeof(digits) - n, "%s%s", n ? " " : "", l->digits);
		if (l->recording[0] && (n = strlen(recs)) < sizeof(recs) - 80)
			snprintf(recs + n, sizeof(recs) - n, "%s%s %.1f s", n ? ", " : "", l->recording,
				 l->rec_samples / 8000.0);
		if (l->cpa >= 0 && (n = strlen(cpa)) < sizeof(cpa) - 40)
			snprintf(cpa + n, sizeof(cpa) - n, "%s%s: %s", n ? ", " : "", l->script, cti_cpa_result_name(l->cpa));
		if (l->fax_result >= 0 && (n = strlen(fax)) < sizeof(fax) - 60)
			snprintf(fax + n, sizeof(fax) - n, "%s%s %d page(s) result %d", n ? "; " : "",
				 l->name, l->fax_pages, l->fax_result);
	}
	printf("\n== Summary\n");
	printf("  calls       %d placed, %d answered (%d call ends)\n", calls, answered, nlegs);
	printf("  causes     ");
	for (int c = 0; c < 128; c++)
		if (causes[c])
			printf(" %d %s x%d;", c, cti_cause_text(c), causes[c]);
	printf("\n  digits      %s\n", digits[0] ? digits : "-");
	printf("  fax         %s\n", fax[0] ? fax : "-");
	printf("  agents      %s (longest idle first; longest queue wait %d ms)\n", acd.assigned, acd.max_wait_ms);
	printf("  recordings  %s\n", recs[0] ? recs : "-");
	printf("  CPA         %s\n", cpa[0] ? cpa : "-");
}

static void check_reminders(void)
{
	struct leg *r1 = find_leg("reminder 1");
	struct leg *r2 = find_leg("reminder 2");
	check(r1 && r1->cpa == CTI_CPA_VOICE && r1->plays == 1, "reminder 1: CPA %s, reminder played %d time(s)",
	      r1 && r1->cpa >= 0 ? cti_cpa_result_name(r1->cpa) : "none", r1 ? r1->plays : 0);
	check(r2 && r2->cpa == CTI_CPA_BUSY && !r2->answered, "reminder 2: CPA %s (want busy), not answered",
	      r2 && r2->cpa >= 0 ? cti_cpa_result_name(r2->cpa) : "none");
}

static void check_end(void)
{
	int unreleased = 0;
	for (int i = 0; i < nlegs; i++)
		unreleased += !legs[i]->released;
	check(unreleased == 0, "every call released (%d left)", unreleased);
	check(failures == 0, "no API call failed (%d failures, see above)", failures);
}

static void run_checks(void)
{
	printf("\n== Checks\n");
	check(dchan_up == 6, "D-channels up on the 6 spans (%d)", dchan_up);

	/* Digits as dialled, reaching the IVR. */
	static const char *callers[] = { "caller 1", "caller 2", "caller 3", "caller 4", "caller 5" };
	for (size_t i = 0; i < sizeof(callers) / sizeof(callers[0]); i++) {
		struct leg *c = find_leg(callers[i]);
		struct leg *v = c ? ivr_leg_of(c) : NULL;
		check(c && c->answered, "%s answered by the IVR", callers[i]);
		check(c && v && !strcmp(v->digits, c->script), "%s pressed '%s', the IVR read '%s'", callers[i],
		      c ? c->script : "?", v ? v->digits : "(no IVR call)");
		check(c && c->cause == 16 && c->remote, "%s cleared by the call center, cause 16 (got %d)",
		      callers[i], c ? c->cause : -1);
	}

	/* Fax on demand. */
	struct leg *fc = find_leg("caller 1");
	struct leg *fi = fc ? ivr_leg_of(fc) : NULL;
	check(fi && fi->fax_result == 0 && fi->fax_pages == fax_doc_pages, "IVR sent the %d-page fax: result %d, %d pages",
	      fax_doc_pages, fi ? fi->fax_result : -1, fi ? fi->fax_pages : -1);
	check(fc && fc->fax_result == 0 && fc->fax_pages == fax_doc_pages,
	      "caller 1's fax received %d pages, result %d (want %d pages, 0)", fc ? fc->fax_pages : -1,
	      fc ? fc->fax_result : -1, fax_doc_pages);

	/* ACD: longest-idle distribution, queueing, stereo recordings. */
	check(!strcmp(acd.assigned, "bob,carol,alice,bob,carol,alice,bob,dave"),
	      "longest-idle distribution, remote agent on overflow: agents in order '%s' "
	      "(want bob,carol,alice,bob,carol,alice,bob,dave)", acd.assigned);
	check(acd.max_wait_ms >= 1000, "caller 5 waited in the queue for a free agent (%d ms)", acd.max_wait_ms);
	for (size_t i = 1; i < sizeof(callers) / sizeof(callers[0]); i++) {
		struct leg *c = find_leg(callers[i]);
		struct leg *v = c ? ivr_leg_of(c) : NULL;
		check(v && v->recording[0] && v->rec_samples >= 8000 * 4,
		      "%s's conversation recorded: %s, %.1f s (want >= 4 s)", callers[i], v ? v->recording : "-",
		      v ? v->rec_samples / 8000.0 : 0.0);
	}

	/* Supervisor. */
	struct leg *sup = find_leg("supervisor");
	struct leg *head = find_leg("position 299");
	check(sup && acd.monitor_done, "supervisor listened to the first agent call (%s)", sup ? sup->note : "-");
	check(head && head->rec_samples >= 8000 * 4, "supervisor heard and recorded %.1f s (want >= 4 s)",
	      head ? head->rec_samples / 8000.0 : 0.0);

	/* Outbound reminders with call progress analysis. */
	check_reminders();

	/* Remote agent: caller 9 transferred by the network (ECT), the call center's channels freed at once. */
	struct leg *c9 = find_leg("caller 9");
	struct leg *home = find_leg("home phone dave");
	struct leg *v9 = c9 ? ivr_leg_of(c9) : NULL;
	struct leg *ag = find_leg("agent dave");
	check(v9 && !strcmp(v9->digits, "2") && strstr(v9->note, "transferred to dave by the network"),
	      "caller 9 (a phone behind the PSTN) pressed 2 and was transferred to remote agent dave: %s",
	      v9 ? v9->note : "-");
	check(acd.agents[3].transfers == 1, "ACD used the network transfer (ECT) for dave, not a bridge (%d)",
	      acd.agents[3].transfers);
	check(v9 && ag && home && v9->t_end && ag->t_end && v9->t_end < home->t_end && ag->t_end < home->t_end &&
	      v9->remote && ag->remote,
	      "the call center's two legs were cleared by the network while caller and dave still talked "
	      "(released at %.1f s / %.1f s, conversation until %.1f s)", v9 ? v9->t_end / 1000.0 : 0.0,
	      ag ? ag->t_end / 1000.0 : 0.0, home ? home->t_end / 1000.0 : 0.0);
	check(c9 && strchr(c9->digits, '5'), "caller 9 heard dave's key press through the PSTN after the transfer "
	      "(digits '%s')", c9 ? c9->digits : "-");
	check_end();
}

int main(int argc, char **argv)
{
	int reminders_only = argc == 3 && !strcmp(argv[1], "--reminders");
	if (argc != 2 + reminders_only) {
		fprintf(stderr, "usage: demo DIR   (DIR with prompts/*.wav and fax-sent.tif; see examples/demo.sh)\n"
				"       demo --reminders DIR   (only the outbound reminders; prompts/*.wav)\n");
		return 2;
	}
	demo_dir = argv[1 + reminders_only];
	setvbuf(stdout, NULL, _IOLBF, 0);

	fax_doc_pages = reminders_only ? 0 : cti_fax_check_tiff(demo_path("%s", "fax-sent.tif"));
	if (fax_doc_pages <= 0 && !reminders_only) {
		fprintf(stderr, "demo: fax document: %s\n", cti_last_error());
		return 1;
	}

	cti_config_t *cfg = cti_config_new();
	if (!cfg || cti_config_sim_pairs(cfg, 3, CTI_LINE_E1, CTI_SWITCH_EUROISDN) < 0 ||
	    cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL) < 0 ||
	    cti_config_set_trace(cfg, demo_path("%s", reminders_only ? "dchan-reminders.pcap" : "dchan.pcap")) < 0) {
		fprintf(stderr, "demo: configuration: %s\n", cti_last_error());
		return 1;
	}
	demo_ctx = cti_open(cfg);
	cti_config_free(cfg);
	if (!demo_ctx) {
		fprintf(stderr, "demo: cti_open: %s\n", cti_last_error());
		return 1;
	}
	cti_set_event_handler(demo_ctx, on_event, NULL);
	span_pstn = cti_span_find(demo_ctx, "sim1");
	span_cc = cti_span_find(demo_ctx, "sim2");
	span_pos = cti_span_find(demo_ctx, "sim3");
	span_agents = cti_span_find(demo_ctx, "sim4");
	span_sw = cti_span_find(demo_ctx, "sim5");
	span_phones = cti_span_find(demo_ctx, "sim6");
	if (span_pstn <= 0 || span_cc <= 0 || span_pos <= 0 || span_agents <= 0 || span_sw <= 0 || span_phones <= 0) {
		fprintf(stderr, "demo: spans sim1..sim6 not found: %s\n", cti_last_error());
		return 1;
	}

	printf("== Bringing up 3 E1 PRI trunks (virtual time)\n");
	for (int i = 0; i < 100 && dchan_up < 6; i++)
		run_until(cti_now_ms(demo_ctx) + 100);
	if (dchan_up < 6) {
		fprintf(stderr, "demo: only %d of 6 D-channels came up in 10 s\n", dchan_up);
		return 1;
	}

	if (reminders_only) {
		printf("== Reminder calls\n");
		schedule_reminder("reminder 1", "5552001", 0);	/* answers: voice */
		schedule_reminder("reminder 2", "5552002", 2000);	/* busy */
		uint64_t limit = cti_now_ms(demo_ctx) + 120000;
		while (!all_released() && cti_now_ms(demo_ctx) < limit)
			run_until(cti_now_ms(demo_ctx) + 1000);
		uint64_t end = cti_now_ms(demo_ctx);
		cti_close(demo_ctx);
		report();
		printf("\n== Checks\n");
		check(dchan_up == 6, "D-channels up on the 6 spans (%d)", dchan_up);
		check_reminders();
		check_end();
		printf("\n%.1f s of virtual time; reminders %s (%d check(s) failed)\n", end / 1000.0,
		       checks_failed ? "FAILED" : "OK", checks_failed);
		for (int i = 0; i < nlegs; i++)
			free(legs[i]);
		return checks_failed ? 1 : 0;
	}

	/* The call center opens: agents log in one after the other, the supervisor sits down. */
	static char fax_doc[4096];
	snprintf(fax_doc, sizeof(fax_doc), "%s", demo_path("%s", "fax-sent.tif"));
	ivr.fax_doc = fax_doc;
	ivr.acd = &acd;
	acd_init(&acd, span_agents);
	static const char *agents[][2] = { { "bob", "201" }, { "carol", "202" }, { "alice", "203" } };
	for (int i = 0; i < 3; i++) {
		acd_add_agent(&acd, agents[i][0], agents[i][1]);
		run_until(cti_now_ms(demo_ctx) + 500);
	}
	acd_supervisor_login(&acd, "299");

	printf("== Calls\n");
	schedule_caller("caller 1", "5551001", "1", 0);	/* fax on demand */
	schedule_caller("caller 2", "5551002", "2", 1000);	/* agents ... */
	schedule_caller("caller 3", "5551003", "2", 3000);
	schedule_caller("caller 4", "5551004", "2", 5000);
	schedule_caller("caller 5", "5551005", "2", 7000);	/* ... all busy: waits in the queue */
	schedule_reminder("reminder 1", "5552001", 20000);	/* answers: voice */
	schedule_reminder("reminder 2", "5552002", 22000);	/* busy */
	/* A home worker logs in (overflow only); later all positions are busy and caller 9 overflows to him. */
	run_until(cti_now_ms(demo_ctx) + 25000);
	acd_add_remote_agent(&acd, "dave", "5553000", span_cc);
	schedule_caller("caller 6", "5551006", "2", 5000);
	schedule_caller("caller 7", "5551007", "2", 6000);
	schedule_caller("caller 8", "5551008", "2", 7000);
	schedule_caller("caller 9", "5551009", "2", 8000)->data = &span_phones;	/* a phone behind the PSTN */

	uint64_t limit = cti_now_ms(demo_ctx) + 300000;
	while (!all_released() && cti_now_ms(demo_ctx) < limit)
		run_until(cti_now_ms(demo_ctx) + 1000);
	uint64_t end = cti_now_ms(demo_ctx);
	cti_close(demo_ctx);	/* closes recordings and the capture */

	report();
	run_checks();
	printf("\n%.1f s of virtual time; demo %s (%d check(s) failed)\n", end / 1000.0,
	       checks_failed ? "FAILED" : "OK", checks_failed);
	for (int i = 0; i < nlegs; i++)
		free(legs[i]);
	return checks_failed ? 1 : 0;
}
