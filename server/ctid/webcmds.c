/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * webcmds.c - ctid's commands and events for the web desktop and the
 * wallboard (see webcmds.h), on ctid's single thread like commands.c.
 */
#include "webcmds.h"

#include "customer.h"
#include "server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HISTORY_MAX 200

static json_t *snapshot_agents(struct server *s, const struct sess *x)
{
	json_t *list = json_array();
	for (int i = 0; i < s->cfg->nagents; i++) {
		const struct ctid_agent *a = &s->cfg->agents[i];
		enum acd_agent_state st;
		int reason = 0;
		if (a->supervisor || (!x->supervisor && strcmp(a->acd.id, x->agent)))
			continue;
		if (acd_agent_state(s->acd, a->acd.id, &st, &reason))
			continue;
		json_array_append_new(list, json_pack("{s:s, s:s, s:s, s:i, s:s}", "agent", a->acd.id, "name", a->name,
						      "agentState", acd_state_name(st), "reasonCode", reason,
						      "position", a->acd.position));
	}
	return json_pack("{s:o}", "agents", list);
}

static json_t *queue_object(const char *q, const struct acd_queue_stats *st)
{
	return json_pack("{s:s, s:i, s:i, s:I, s:i, s:i, s:i, s:i, s:i, s:i}", "queue", q, "waiting", st->waiting,
			 "ringing", st->ringing, "longestWaitMs", (json_int_t)st->longest_wait_ms, "offered", st->offered,
			 "answered", st->answered, "abandoned", st->abandoned, "overflowed", st->overflowed, "timedOut",
			 st->timed_out, "serviceLevelPermille", st->service_level_permille);
}

static json_t *snapshot_queues(struct server *s, uint64_t now)
{
	json_t *list = json_array();
	for (int i = 0; i < s->cfg->nqueues; i++) {
		struct acd_queue_stats st;
		const char *q = s->cfg->queues[i].acd.name;
		if (!acd_queue_stats(s->acd, q, now, &st))
			json_array_append_new(list, queue_object(q, &st));
	}
	return json_pack("{s:o}", "queues", list);
}

/* One trunk's span as a JSON object (NULL if libcti does not know the span). */
static json_t *trunk_object(struct server *s, const struct ctid_trunk *t, int *span_out)
{
	int span = cti_span_find(s->ctx, t->span);
	cti_span_status_t st;
	if (span <= 0 || cti_span_status(s->ctx, span, &st))
		return NULL;
	char alarms[64];
	int busy = 0, channels = 0;
	for (int i = 0; i < st.nchannels && st.chan_state[i]; i++) {
		char ch = st.chan_state[i];
		busy += ch == 'B';
		channels += ch == 'B' || ch == '.' || ch == 'X';
	}
	if (span_out)
		*span_out = span;
	return json_pack("{s:s, s:s, s:s, s:s, s:i, s:b, s:i, s:i, s:s}", "trunk", t->name, "span", t->span, "role",
			 t->role == CTID_TRUNK_POSITIONS ? "positions" : "inbound", "alarms",
			 cti_alarm_text(st.alarms, alarms, sizeof(alarms)), "alarmBits", (int)st.alarms, "dchanUp",
			 st.dchan_up, "busy", busy, "channels", channels, "chanState", st.chan_state);
}

static json_t *snapshot_trunks(struct server *s)
{
	json_t *list = json_array();
	for (int i = 0; i < s->cfg->ntrunks; i++) {
		json_t *o = trunk_object(s, &s->cfg->trunks[i], NULL);
		if (o)
			json_array_append_new(list, o);
	}
	return json_pack("{s:o}", "trunks", list);
}

void web_trunk_events(struct server *s, int span)
{
	if (!s->ws)
		return;
	bool any = false;
	for (struct sess *x = s->sessions; x; x = x->next)
		any |= x->supervisor;
	if (!any)
		return;
	for (int i = 0; i < s->cfg->ntrunks; i++) {
		int sp = 0;
		json_t *o = trunk_object(s, &s->cfg->trunks[i], &sp);
		if (!o || (span && sp != span)) {
			json_decref(o);
			continue;
		}
		json_object_set_new(o, "event", json_string("TrunkStateEvent"));
		emit(s, NULL, o);	/* agent NULL: supervisors only */
	}
}

struct history {
	struct server *s;
	json_t *list;
};

static void history_row(void *user, const struct cdr_leg *row)
{
	struct history *h = user;
	struct cdr_leg copy = *row, *l = &copy;
	if (!l->dnis[0]) {	/* the caller's leg is still up: its numbers from the live call */
		unsigned id = (unsigned)strtoul(l->call_id, NULL, 10);
		for (struct ccall *c = h->s->calls; c; c = c->next)
			if (c->id == id && c->start_ms <= l->start_ms) {
				snprintf(l->dnis, sizeof(l->dnis), "%s", c->dnis);
				snprintf(l->digits, sizeof(l->digits), "%s", c->digits);
			}
	}
	json_t *o = json_pack("{s:s, s:I, s:I, s:I, s:s, s:s, s:s, s:s, s:i, s:s}", "callID", l->call_id, "startMs",
			      (json_int_t)l->start_ms, "answerMs", (json_int_t)l->answer_ms, "endMs",
			      (json_int_t)l->end_ms, "callingDevice", l->ani, "calledDevice", l->dnis, "userData",
			      l->digits, "queue", l->queue, "cause", l->cause, "recording", l->recording);
	json_array_append_new(h->list, o);
}

static json_t *call_history(struct server *s, const struct sess *x, json_t *msg, const char **error, char *message,
			    size_t size)
{
	const char *agent = json_string_value(json_object_get(msg, "agent"));
	json_t *lim = json_object_get(msg, "limit");
	int limit = 20;
	if (!agent)
		agent = x->agent;
	if (strcmp(agent, x->agent) && !x->supervisor) {
		*error = "privilegeViolation";
		snprintf(message, size, "agent %s cannot read agent %s's calls", x->agent, agent);
		return NULL;
	}
	if (lim) {
		if (!json_is_integer(lim) || json_integer_value(lim) < 1 || json_integer_value(lim) > HISTORY_MAX) {
			*error = "invalidMessage";
			snprintf(message, size, "\"limit\" must be an integer 1-%d", HISTORY_MAX);
			return NULL;
		}
		limit = (int)json_integer_value(lim);
	}
	if (!s->cdr) {
		*error = "serviceNotSupported";
		snprintf(message, size, "no CDR store");
		return NULL;
	}
	json_t *list = json_array();
	char err[512];
	struct history h = { s, list };
	if (cdr_history(s->cdr, agent, limit, history_row, &h, err, sizeof(err)) < 0) {
		json_decref(list);
		logmsg(s, "%s", err);
		*error = "systemResourceUnavailable";
		snprintf(message, size, "%s", err);
		return NULL;
	}
	return json_pack("{s:s, s:o}", "agent", agent, "calls", list);
}

json_t *webcmd_run(struct server *s, const struct sess *x, const char *name, json_t *msg, uint64_t now,
		   const char **error, char *message, size_t size)
{
	if (!strcmp(name, "SnapshotAgents"))
		return snapshot_agents(s, x);
	if (!strcmp(name, "QueryCallHistory"))
		return call_history(s, x, msg, error, message, size);
	if (!x->supervisor) {
		*error = "privilegeViolation";
		snprintf(message, size, "%s is for supervisors", name);
		return NULL;
	}
	if (!strcmp(name, "SnapshotQueues"))
		return snapshot_queues(s, now);
	if (!strcmp(name, "SnapshotTrunks"))
		return snapshot_trunks(s);
	*error = "unknownCommand";
	snprintf(message, size, "command '%s' unknown", name);
	return NULL;
}

/* ---- customer records ---- */

int web_customer_start(struct server *s)
{
	const struct ctid_customer *cc = &s->cfg->customer;
	if (!cc->sqlite[0] && !cc->url[0])
		return 0;
	char path[2 * CTID_PATH_MAX + 2], err[1200];
	const char *slash = strrchr(s->cfg_path, '/');
	if (cc->sqlite[0] == '/' || !slash)
		snprintf(path, sizeof(path), "%s", cc->sqlite);
	else
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - s->cfg_path), s->cfg_path, cc->sqlite);
	s->customer = customer_start(cc->sqlite[0] ? path : NULL, cc->sql[0] ? cc->sql : NULL,
				     cc->url[0] ? cc->url : NULL, cc->timeout_ms, err, sizeof(err));
	if (!s->customer) {
		logmsg(s, "%s", err);
		return -1;
	}
	logmsg(s, "customer records from%s%s%s%s", cc->sqlite[0] ? " " : "", cc->sqlite[0] ? path : "",
	       cc->url[0] ? " then " : "", cc->url);
	return 0;
}

void web_customer_lookup(struct server *s, struct ccall *c)
{
	if (s->customer && c->ani[0])
		customer_lookup(s->customer, c->id, c->ani);
}

void web_customer_poll(struct server *s)
{
	unsigned id;
	json_t *rec;
	char err[300];
	while (s->customer && customer_next(s->customer, &id, &rec, err, sizeof(err))) {
		struct ccall *c = s->calls;
		while (c && c->id != id)
			c = c->next;
		if (err[0])
			logmsg(s, "call %u: %s", id, err);
		if (!c || !rec) {
			json_decref(rec);
			continue;
		}
		json_decref(c->customer);
		c->customer = rec;
		if (c->agent && c->agent_id[0] && c->state != C_CLEARING) {	/* already popped: update it */
			json_t *ev = call_event("CallInformationEvent", c);
			emit(s, c->agent_id, ev);
		}
	}
}

void web_customer_stop(struct server *s)
{
	customer_stop(s->customer);
	s->customer = NULL;
}
