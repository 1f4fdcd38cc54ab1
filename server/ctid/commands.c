/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * commands.c - ctid's WebSocket commands (docs/ctid-protocol.md): one JSON
 * object per message, dispatched by name through the table at the end.
 *
 * Runs on ctid's single thread (server.c hands over what ws.c received), so
 * handlers act on calls and the ACD directly. A handler replies exactly once
 * (reply_ok or reply_error) before emitting the events its action causes.
 */
#include "server_int.h"
#include "campaign.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct sess *sess_get(struct server *s, int client, bool create)
{
	for (struct sess *x = s->sessions; x; x = x->next)
		if (x->client == client)
			return x;
	if (!create)
		return NULL;
	struct sess *x = calloc(1, sizeof(*x));
	if (x) {
		x->client = client;
		x->next = s->sessions;
		s->sessions = x;
	}
	return x;
}

void commands_drop(struct server *s, int client)
{
	for (struct sess **pp = &s->sessions; *pp; pp = &(*pp)->next)
		if ((*pp)->client == client) {
			struct sess *x = *pp;
			*pp = x->next;
			free(x);
			return;
		}
}

void commands_free(struct server *s)
{
	while (s->sessions) {
		struct sess *x = s->sessions;
		s->sessions = x->next;
		free(x);
	}
}

void reply_error(const struct cmd *k, const char *error, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	json_t *o = json_pack("{s:s, s:s}", "error", error, "message", msg);
	if (k->invoke)
		json_object_set(o, "invokeID", k->invoke);
	send_json(k->s, k->client, o);
	json_decref(o);
}

void reply_ok(const struct cmd *k, json_t *extra)
{
	json_t *o = extra ? extra : json_object();
	json_object_set_new(o, "response", json_string(k->name));
	if (k->invoke)
		json_object_set(o, "invokeID", k->invoke);
	send_json(k->s, k->client, o);
	json_decref(o);
}

struct ccall *find_call_id(struct server *s, json_t *id)
{
	unsigned n = 0;
	if (json_is_string(id))
		n = (unsigned)strtoul(json_string_value(id), NULL, 10);
	else if (json_is_integer(id))
		n = (unsigned)json_integer_value(id);
	for (struct ccall *c = s->calls; n && c; c = c->next)
		if (c->id == n)
			return c;
	return NULL;
}

struct ccall *own_call(const struct cmd *k)
{
	return own_call_id(k, json_object_get(k->msg, "callID"));
}

struct ccall *own_call_id(const struct cmd *k, json_t *id)
{
	struct ccall *c = find_call_id(k->s, id);
	if (!c || c->state == C_CLEARING) {
		reply_error(k, "invalidCallID", "no such call");
		return NULL;
	}
	if (!k->x->supervisor && strcmp(c->agent_id, k->x->agent)) {
		reply_error(k, "privilegeViolation", "call %u is not agent %s's call", c->id, k->x->agent);
		return NULL;
	}
	return c;
}

static void cmd_login(const struct cmd *k)
{
	const char *token = json_string_value(json_object_get(k->msg, "token"));
	const struct ctid_agent *a = ctid_config_agent_by_token(k->s->cfg, token);
	if (!a) {
		logmsg(k->s, "ws client %d: login refused", k->client);
		reply_error(k, "authenticationFailed", "unknown token");
		return;
	}
	snprintf(k->x->agent, sizeof(k->x->agent), "%s", a->acd.id);
	k->x->supervisor = a->supervisor;
	logmsg(k->s, "ws client %d: logged in as %s%s", k->client, k->x->agent,
	       k->x->supervisor ? " (supervisor)" : "");
	reply_ok(k, json_pack("{s:s, s:b}", "agent", k->x->agent, "supervisor", k->x->supervisor));
}

static void cmd_agent_state(const struct cmd *k)
{
	struct server *s = k->s;
	const char *agent = json_string_value(json_object_get(k->msg, "agent"));
	if (!agent)
		agent = k->x->agent;
	if (strcmp(agent, k->x->agent) && !k->x->supervisor) {
		reply_error(k, "privilegeViolation", "agent %s cannot act for agent %s", k->x->agent, agent);
		return;
	}
	int r = ACD_OK;
	if (!strcmp(k->name, "SetAgentState")) {
		const char *st = json_string_value(json_object_get(k->msg, "agentState"));
		json_t *rc = json_object_get(k->msg, "reasonCode");
		int reason = json_is_integer(rc) ? (int)json_integer_value(rc) : 0;
		if (!st) {
			reply_error(k, "invalidMessage", "no \"agentState\" (accepted: LoggedIn, LoggedOut, Ready, NotReady)");
			return;
		}
		if (!strcmp(st, "LoggedIn"))
			r = acd_agent_login(s->acd, agent, k->now);
		else if (!strcmp(st, "LoggedOut"))
			r = acd_agent_logout(s->acd, agent, k->now);
		else if (!strcmp(st, "Ready"))
			r = acd_agent_ready(s->acd, agent, k->now);
		else if (!strcmp(st, "NotReady"))
			r = acd_agent_not_ready(s->acd, agent, reason, k->now);
		else {
			reply_error(k, "invalidAgentState",
				    "agentState '%s' unknown (accepted: LoggedIn, LoggedOut, Ready, NotReady)", st);
			return;
		}
	}
	enum acd_agent_state as;
	int reason = 0;
	if (r == ACD_OK)
		r = acd_agent_state(s->acd, agent, &as, &reason);
	if (r) {
		reply_error(k, r == ACD_ENOENT ? "invalidAgent" : "invalidAgentState", "agent %s: %s", agent,
			    acd_strerror(r));
		return;
	}
	reply_ok(k, json_pack("{s:s, s:s, s:i}", "agent", agent, "agentState", acd_state_name(as), "reasonCode",
			      reason));
}

static void cmd_clear_connection(const struct cmd *k)
{
	if (calls_clear_connection(k))	/* a consultation, or leaving a conference */
		return;
	struct ccall *c = own_call(k);
	if (!c)
		return;
	if (!k->x->supervisor && c->state != C_RINGING && c->state != C_TALKING && c->state != C_HELD) {
		reply_error(k, "privilegeViolation", "call %u is not agent %s's call", c->id, k->x->agent);
		return;
	}
	logmsg(k->s, "call %u: ClearConnection by %s", c->id, k->x->agent);
	/* The legs' hangup events come in state C_CLEARING, which tells the ACD nothing: tell it
	 * here, or the agent would stay Talking (or Ringing) for ever. */
	if (c->acd_call) {
		if (c->state == C_TALKING || c->state == C_HELD)
			acd_call_end(k->s->acd, c->acd_call, k->now);
		else
			acd_abandon(k->s->acd, c->acd_call, k->now);
		c->acd_call = 0;
	}
	if (c->agent)
		cti_call_hangup(c->agent, 16, CTI_LOC_DEFAULT);
	clear_caller(c, 16);
	reply_ok(k, NULL);
}

/* To another agent (who must be Ready): this agent's leg is cleared, the caller rings the other. */
static void cmd_single_step_transfer(const struct cmd *k)
{
	struct server *s = k->s;
	struct ccall *c = own_call(k);
	if (!c)
		return;
	const char *to = json_string_value(json_object_get(k->msg, "transferredTo"));
	if (!to) {
		reply_error(k, "invalidMessage", "no \"transferredTo\" (the agent to transfer to)");
		return;
	}
	if (c->state != C_TALKING || !c->agent) {
		reply_error(k, "invalidCallState", "call %u is not connected", c->id);
		return;
	}
	int r = acd_transfer(s->acd, c->acd_call, to, k->now);
	if (r) {
		reply_error(k, r == ACD_ENOENT ? "invalidAgent" : "invalidAgentState",
			    "cannot transfer call %u to agent %s: %s", c->id, to, acd_strerror(r));
		return;
	}
	reply_ok(k, NULL);	/* before the events it causes */
	cti_call_t *old = c->agent;
	cti_unbridge(c->in);
	c->agent_cause = 16;
	write_cdr(s, c, 2);
	json_t *tr = call_event("TransferredEvent", c);
	json_object_set_new(tr, "transferredTo", json_string(to));
	emit(s, c->agent_id, tr);
	json_t *cleared = call_event("ConnectionClearedEvent", c);
	json_object_set_new(cleared, "cause", json_integer(16));
	emit(s, c->agent_id, cleared);
	cti_call_set_user(old, &orphan_kind);
	cti_call_hangup(old, 16, CTI_LOC_DEFAULT);
	c->agent = NULL;
	c->state = C_QUEUED;
	play_moh(s, c);
	logmsg(s, "call %u: SingleStepTransfer from %s to %s", c->id, c->agent_id, to);
	acd_events(s);	/* rings the target's position */
}

static void cmd_snapshot_queue(const struct cmd *k)
{
	const char *q = json_string_value(json_object_get(k->msg, "queue"));
	struct acd_queue_stats st;
	if (!q || acd_queue_stats(k->s->acd, q, k->now, &st)) {
		reply_error(k, "invalidQueue", "no queue '%s'", q ? q : "");
		return;
	}
	reply_ok(k, json_pack("{s:s, s:i, s:i, s:I, s:i, s:i, s:i, s:i, s:i, s:i}", "queue", q, "waiting", st.waiting,
			      "ringing", st.ringing, "longestWaitMs", (json_int_t)st.longest_wait_ms, "offered",
			      st.offered, "answered", st.answered, "abandoned", st.abandoned, "overflowed",
			      st.overflowed, "timedOut", st.timed_out, "serviceLevelPermille",
			      st.service_level_permille));
}

/* StartCampaign, PauseCampaign, ResumeCampaign, SnapshotCampaign (campaign.c): supervisors only. */
static void cmd_campaign(const struct cmd *k)
{
	const char *name = json_string_value(json_object_get(k->msg, "campaign"));
	char err[1024];
	const char *ename = NULL;
	if (!k->x->supervisor) {
		reply_error(k, "privilegeViolation", "%s: supervisors only", k->name);
		return;
	}
	if (!name) {
		reply_error(k, "invalidMessage", "no \"campaign\" (the name of a [campaign])");
		return;
	}
	int r = 0;
	if (!strcmp(k->name, "StartCampaign"))
		r = campaign_start(k->s, name, &ename, err, sizeof(err));
	else if (strcmp(k->name, "SnapshotCampaign"))
		r = campaign_pause(k->s, name, !strcmp(k->name, "PauseCampaign"), &ename, err, sizeof(err));
	if (r) {
		reply_error(k, ename, "%s", err);
		return;
	}
	json_t *o = campaign_snapshot(k->s, name);
	if (!o) {
		reply_error(k, "invalidCampaign", "no [campaign %s]", name);
		return;
	}
	reply_ok(k, o);
}

/* AcceptPreview, RejectPreview: the agent of a PreviewEvent (or a supervisor). */
static void cmd_preview(const struct cmd *k)
{
	const char *name = json_string_value(json_object_get(k->msg, "campaign"));
	json_t *id = json_object_get(k->msg, "contactID");
	long long contact = json_is_integer(id) ? (long long)json_integer_value(id)
			    : json_is_string(id)  ? strtoll(json_string_value(id), NULL, 10)
						  : 0;
	if (!name || contact <= 0) {
		reply_error(k, "invalidMessage", "%s needs \"campaign\" and \"contactID\" (from the PreviewEvent)",
			    k->name);
		return;
	}
	char err[512];
	const char *ename;
	if (campaign_preview_reply(k->s, k->x->agent, k->x->supervisor, name, contact, !strcmp(k->name, "AcceptPreview"),
				   &ename, err, sizeof(err))) {
		reply_error(k, ename, "%s", err);
		return;
	}
	reply_ok(k, NULL);
}

/* The web desktop's and wallboard's commands (webcmds.c). */
static void cmd_web(const struct cmd *k)
{
	const char *error = "invalidMessage";
	char message[512] = "";
	json_t *r = webcmd_run(k->s, k->x, k->name, k->msg, k->now, &error, message, sizeof(message));
	if (r)
		reply_ok(k, r);
	else
		reply_error(k, error, "%s", message);
}

static void cmd_not_yet(const struct cmd *k)
{
	reply_error(k, "serviceNotSupported", "%s is not implemented yet", k->name);
}

/* Every command ctid knows; "unknownCommand" lists the implemented ones from here. */
static const struct {
	const char *name;
	void (*run)(const struct cmd *k);
	bool before_login;
} commands[] = {
	{ "Login", cmd_login, true },
	{ "SetAgentState", cmd_agent_state, false },
	{ "QueryAgentState", cmd_agent_state, false },
	{ "ClearConnection", cmd_clear_connection, false },
	{ "HoldCall", cmd_hold_call, false },
	{ "RetrieveCall", cmd_retrieve_call, false },
	{ "SingleStepTransfer", cmd_single_step_transfer, false },
	{ "SnapshotQueue", cmd_snapshot_queue, false },
	{ "AnswerCall", cmd_answer_call, false },
	{ "ConsultationCall", cmd_consultation_call, false },
	{ "ReconnectCall", cmd_reconnect_call, false },
	{ "TransferCall", cmd_transfer_call, false },
	{ "ConferenceCall", cmd_conference_call, false },
	{ "MakeCall", cmd_make_call, false },
	{ "StartCampaign", cmd_campaign, false },
	{ "PauseCampaign", cmd_campaign, false },
	{ "ResumeCampaign", cmd_campaign, false },
	{ "SnapshotCampaign", cmd_campaign, false },
	{ "AcceptPreview", cmd_preview, false },
	{ "RejectPreview", cmd_preview, false },
	{ "SnapshotQueues", cmd_web, false },
	{ "SnapshotAgents", cmd_web, false },
	{ "SnapshotTrunks", cmd_web, false },
	{ "QueryCallHistory", cmd_web, false },
	{ "MonitorStart", cmd_monitor_start, false },
	{ "MonitorStop", cmd_monitor_stop, false },
	{ "StartRecording", cmd_start_recording, false },
	{ "StopRecording", cmd_stop_recording, false },
};

void commands_handle(struct server *s, int client, const char *text)
{
	json_error_t jerr;
	struct cmd k = { .s = s, .client = client };
	k.msg = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!k.msg || !json_is_object(k.msg)) {
		if (k.msg)
			reply_error(&k, "invalidMessage", "expected a JSON object");
		else
			reply_error(&k, "invalidMessage", "malformed JSON at line %d column %d: %s", jerr.line,
				    jerr.column, jerr.text);
		json_decref(k.msg);
		return;
	}
	k.invoke = json_object_get(k.msg, "invokeID");
	k.name = json_string_value(json_object_get(k.msg, "command"));
	k.x = sess_get(s, client, true);
	k.now = cti_now_ms(s->ctx);
	size_t n = sizeof(commands) / sizeof(commands[0]), i;
	if (!k.name) {
		reply_error(&k, "invalidMessage", "no \"command\" string");
		goto out;
	}
	if (!k.x) {
		reply_error(&k, "resourceBusy", "out of memory");
		goto out;
	}
	for (i = 0; i < n && strcmp(commands[i].name, k.name); i++)
		;
	if (i == n) {
		char list[512] = "";
		size_t len = 0;
		for (size_t j = 0; j < n; j++)
			if (commands[j].run != cmd_not_yet && len < sizeof(list))
				len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "",
							commands[j].name);
		reply_error(&k, "unknownCommand", "command '%s' unknown (accepted: %s)", k.name, list);
		goto out;
	}
	if (!commands[i].before_login && !k.x->agent[0]) {
		reply_error(&k, "notLoggedIn", "send Login with your token first");
		goto out;
	}
	commands[i].run(&k);
out:
	json_decref(k.msg);
}
