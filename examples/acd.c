/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * acd.c - automatic call distribution on libcti.
 *
 * Callers handed over by the IVR wait in a queue (with hold music) until an
 * agent is free; the free agent who has been idle the longest gets the
 * next caller. Agents sit at agent positions reached over a PRI trunk of
 * their own: we call the position, and when the agent answers we
 *
 *   - stop the hold music and bridge caller and agent,
 *   - record the conversation as two-leg stereo (left: caller, right: agent),
 *   - let the supervisor listen in (cti_monitor, LISTEN) on the first call.
 *
 * When either side hangs up, the other is cleared and the agent is idle again.
 *
 * Remote agents (home workers) are called over the PSTN trunk the callers
 * arrive on, when no agent position is idle. Bridging would keep two
 * B-channels of that trunk busy for the whole conversation; where the
 * trunk offers a network transfer that frees them (ECT on EuroISDN, 2BCT
 * on NI2/5ESS/4ESS: cti_transfer_method), the ACD transfers the caller to
 * the agent with cti_call_transfer() and is out of the call.
 */
#include <stdio.h>
#include <string.h>

#include "demo.h"

enum { Q_WAITING, Q_RINGING_AGENT, Q_TALKING, Q_CLEARING, Q_TRANSFERRING };

static void caller_event(struct leg *leg, const cti_event_t *ev);
static void agent_event(struct leg *leg, const cti_event_t *ev);
static void supervisor_event(struct leg *leg, const cti_event_t *ev);

void acd_init(struct acd *acd, int span)
{
	memset(acd, 0, sizeof(*acd));
	acd->span = span;
}

void acd_add_remote_agent(struct acd *acd, const char *name, const char *number, int span)
{
	acd_add_agent(acd, name, number);
	acd->agents[acd->nagents - 1].span = span;
}

/* Agents log in in order: the first one has been idle the longest. */
void acd_add_agent(struct acd *acd, const char *name, const char *ext)
{
	struct agent *a = &acd->agents[acd->nagents++];
	snprintf(a->name, sizeof(a->name), "%s", name);
	snprintf(a->ext, sizeof(a->ext), "%s", ext);
	a->idle_since = cti_now_ms(demo_ctx);
}

/* Longest idle agent position; a remote agent only when no position is idle (overflow). */
static struct agent *longest_idle(struct acd *acd)
{
	struct agent *best = NULL;
	for (int remote = 0; remote < 2 && !best; remote++)
		for (int i = 0; i < acd->nagents; i++) {
			struct agent *a = &acd->agents[i];
			if (!a->busy && (a->span != 0) == remote && (!best || a->idle_since < best->idle_since))
				best = a;
		}
	return best;
}

static cti_call_t *call_position(struct acd *acd, const char *ext, const char *calling, struct leg *leg,
				 int span)
{
	cti_call_params_t p;
	cti_call_params_init(&p);
	snprintf(p.called.number, sizeof(p.called.number), "%s", ext);
	snprintf(p.calling.number, sizeof(p.calling.number), "%s", calling);	/* agent sees the caller */
	p.span = span ? span : acd->span;
	cti_call_t *call = cti_call_place(demo_ctx, &p);
	if (!call)
		demo_fail(leg->name, "calling position %s: %s", ext, cti_last_error());
	else
		leg_attach(leg, call);
	return call;
}

static void hold_music(struct leg *caller)
{
	cti_term_t t;
	cti_term_init(&t);
	if (cti_play_file(caller->call, demo_path("prompts/%s.wav", "music"), &t) < 0)
		demo_fail(caller->name, "hold music: %s", cti_last_error());
}

/* Give waiting callers to idle agents, first come first served. */
static void distribute(struct acd *acd)
{
	struct agent *a;
	while (acd->qlen > 0 && (a = longest_idle(acd)) != NULL) {
		struct leg *caller = acd->queue[0];
		memmove(acd->queue, acd->queue + 1, --acd->qlen * sizeof(acd->queue[0]));

		char name[48];
		snprintf(name, sizeof(name), "agent %s", a->name);
		struct leg *agent = leg_new(name, agent_event, acd);
		agent->peer = caller;
		caller->peer = agent;
		caller->state = Q_RINGING_AGENT;
		a->busy = 1;
		agent->data = a;	/* which agent this leg reaches */

		int waited = (int)(cti_now_ms(demo_ctx) - caller->t_start);
		if (waited > acd->max_wait_ms)
			acd->max_wait_ms = waited;
		snprintf(caller->note, sizeof(caller->note), "to agent %s after %d ms in the ACD", a->name, waited);
		snprintf(acd->assigned + strlen(acd->assigned), sizeof(acd->assigned) - strlen(acd->assigned),
			 "%s%s", acd->assigned[0] ? "," : "", a->name);
		if (!call_position(acd, a->ext, caller->from, agent, a->span))
			cti_call_hangup(caller->call, 34, CTI_LOC_DEFAULT);	/* no circuit available */
	}
}

void acd_enqueue(struct acd *acd, struct leg *caller)
{
	caller->fn = caller_event;
	caller->owner = acd;
	caller->state = Q_WAITING;
	caller->t_start = cti_now_ms(demo_ctx);	/* from now on: time in the ACD */
	if (acd->qlen == ACD_MAX_QUEUE) {
		cti_call_hangup(caller->call, 17, CTI_LOC_DEFAULT);	/* busy */
		return;
	}
	acd->queue[acd->qlen++] = caller;
	hold_music(caller);
	distribute(acd);
}

/*
 * Where the trunk allows it, hand the caller to a remote agent by network
 * transfer: 1 if asked (CTI_EV_TRANSFER_DONE follows on the caller's call).
 */
static int transfer_to_remote(struct leg *caller, struct leg *agent)
{
	struct agent *a = agent->data;
	int span = cti_call_span(caller->call);
	const char *method = cti_transfer_method(demo_ctx, span);

	if (!a->span || cti_call_span(agent->call) != span ||
	    (strcmp(method, "ECT") && strcmp(method, "2BCT")))	/* QSIG/RLT/none: bridge instead */
		return 0;
	if (cti_call_transfer(caller->call, agent->call) < 0) {
		printf("           ACD: %s cannot transfer (%s): bridging\n", caller->name, cti_last_error());
		return 0;
	}
	caller->state = agent->state = Q_TRANSFERRING;
	snprintf(agent->note, sizeof(agent->note), "transfer by the network (%s) asked", method);
	return 1;
}

static void connect_agent(struct acd *acd, struct leg *caller, struct leg *agent)
{
	cti_stop(caller->call, 0);	/* hold music */
	if (transfer_to_remote(caller, agent))
		return;
	if (cti_bridge(caller->call, agent->call) < 0) {
		demo_fail(caller->name, "bridge: %s", cti_last_error());
		cti_call_hangup(agent->call, 41, CTI_LOC_DEFAULT);
		return;
	}
	caller->state = Q_TALKING;

	cti_record_params_t rp;
	cti_record_params_init(&rp);
	snprintf(caller->recording, sizeof(caller->recording), "rec-%s-%s.wav", caller->from,
		 ((struct agent *)agent->data)->name);
	rp.path = demo_path("%s", caller->recording);
	rp.mode = CTI_REC_STEREO;
	rp.format = CTI_FMT_WAV_PCM16;
	cti_term_t t;
	cti_term_init(&t);
	if (cti_record(caller->call, &rp, &t) < 0)
		demo_fail(caller->name, "record: %s", cti_last_error());

	/* The supervisor listens to the first conversation. */
	if (acd->supervisor && acd->supervisor->answered && !acd->monitored && !acd->monitor_done) {
		if (cti_monitor(acd->supervisor->call, agent->call, CTI_MONITOR_LISTEN) < 0) {
			demo_fail("supervisor", "monitor: %s", cti_last_error());
		} else {
			acd->monitored = agent;
			snprintf(acd->supervisor->note, sizeof(acd->supervisor->note), "listened to %s and caller %s",
				 agent->name, caller->from);
		}
	}
}

/* One side of a conversation ended: clear the other, free the agent. */
static void conversation_over(struct acd *acd, struct leg *agent)
{
	if (acd->monitored == agent) {
		cti_monitor_stop(acd->supervisor->call);
		cti_call_hangup(acd->supervisor->call, 16, CTI_LOC_DEFAULT);
		acd->monitored = NULL;
		acd->monitor_done = 1;
	}
	struct agent *a = agent->data;
	if (a->busy) {
		a->busy = 0;
		a->calls++;
		a->idle_since = cti_now_ms(demo_ctx);
	}
	distribute(acd);
}

static void caller_event(struct leg *leg, const cti_event_t *ev)
{
	struct acd *acd = leg->owner;

	switch (ev->type) {
	case CTI_EV_TRANSFER_DONE: {
		struct leg *agent = leg->peer;
		struct agent *a = agent ? agent->data : NULL;
		if (ev->u.suppl.result == 0) {
			/* The network joined caller and agent: both our calls are cleared next, channels free. */
			snprintf(leg->note, sizeof(leg->note), "transferred to %s by the network", a ? a->name : "?");
			if (a)
				a->transfers++;
			leg->state = Q_CLEARING;
			if (agent)
				agent->state = Q_CLEARING;
		} else {
			/* Refused: bridge after all. */
			printf("           ACD: transfer refused (%s): bridging\n", ev->u.suppl.text);
			leg->state = Q_RINGING_AGENT;
			if (agent && agent->call) {
				agent->state = Q_TALKING;
				struct agent *keep = agent->data;
				int span = keep->span;
				keep->span = 0;	/* no second transfer attempt */
				connect_agent(acd, leg, agent);
				keep->span = span;
			}
		}
		break;
	}
	case CTI_EV_OP_DONE:
		if (ev->u.op.kind == CTI_OP_RECORD)
			leg->rec_samples = ev->u.op.samples;
		else if (ev->u.op.kind == CTI_OP_PLAY && leg->state == Q_WAITING && ev->u.op.reason == CTI_TERM_EOD)
			hold_music(leg);	/* still waiting: loop the music */
		break;

	case CTI_EV_CALL_HANGUP:
		/* The caller left: out of the queue, or clear the agent. */
		for (int i = 0; i < acd->qlen; i++)
			if (acd->queue[i] == leg) {
				memmove(acd->queue + i, acd->queue + i + 1, (acd->qlen - i - 1) * sizeof(acd->queue[0]));
				acd->qlen--;
				break;
			}
		if (leg->peer && leg->peer->call && leg->state != Q_CLEARING) {
			leg->peer->state = Q_CLEARING;
			cti_call_hangup(leg->peer->call, 16, CTI_LOC_DEFAULT);
		}
		leg->state = Q_CLEARING;
		break;
	}
}

static void agent_event(struct leg *leg, const cti_event_t *ev)
{
	struct acd *acd = leg->owner;
	struct leg *caller = leg->peer;

	switch (ev->type) {
	case CTI_EV_CALL_ANSWERED:
		leg->state = Q_TALKING;
		if (caller->call && caller->state == Q_RINGING_AGENT)
			connect_agent(acd, caller, leg);
		else
			cti_call_hangup(leg->call, 16, CTI_LOC_DEFAULT);	/* caller gone meanwhile */
		break;

	case CTI_EV_CALL_HANGUP:
		if (caller->call && caller->state != Q_CLEARING) {
			caller->state = Q_CLEARING;
			cti_call_hangup(caller->call, 16, CTI_LOC_DEFAULT);
		}
		leg->state = Q_CLEARING;
		conversation_over(acd, leg);
		break;
	}
}

void acd_supervisor_login(struct acd *acd, const char *ext)
{
	acd->supervisor = leg_new("supervisor", supervisor_event, acd);
	call_position(acd, ext, "8000", acd->supervisor, 0);
}

static void supervisor_event(struct leg *leg, const cti_event_t *ev)
{
	(void)leg;
	(void)ev;	/* answered/hangup are noted by demo.c; monitoring is driven by the agent calls */
}
