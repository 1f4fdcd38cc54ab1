/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * supervise.c - what ctid does for supervisors and around a waiting or
 * connected call, beside the call itself (docs/ctid-protocol.md):
 *
 *   - MonitorStart / MonitorStop: ctid calls the supervisor's position and
 *     joins it to the agent's leg of a connected call with cti_monitor()
 *     (listen: the supervisor hears both parties; whisper: the agent also
 *     hears the supervisor; barge: both do). MonitorStart again changes the
 *     mode, or moves the supervisor's line to another call. It ends on
 *     MonitorStop, when the supervisor hangs up, or when the monitored leg
 *     clears (MonitorEndedEvent with the reason).
 *   - StartRecording / StopRecording: on-demand recording of a connected
 *     call that the recording policy does not record, in the policy's mode
 *     (stereo or split); the paths go to the CDR rows.
 *   - Queue announcements: a queue's `announce` on entry and every
 *     `announce_every` seconds, interrupting the music on hold (which
 *     starts again when the announcement ends), optionally followed by the
 *     caller's position (`announce_position`) and the expected wait
 *     (`announce_wait`), numbers said with digit prompt files.
 *
 * supervise_event() sees every libcti event first (server.c's on_event) and
 * takes those that belong to the objects here: the supervisors' legs, the
 * timers, the recordings' OP_DONE. All on ctid's one thread.
 */
#include "server_int.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

/* A supervisor's line: the call ctid placed to the supervisor's position, and what it monitors. */
struct monitor {
	struct monitor *next;
	unsigned xref;			/* monitorCrossRefID of the current monitoring */
	char supervisor[ACD_NAME_MAX];
	cti_call_t *leg;		/* to the supervisor's position; NULL once released */
	bool answered, ended;		/* ended: MonitorEndedEvent sent, the leg is clearing */
	int ring_timer;
	unsigned call_id;		/* the monitored ccall */
	cti_call_t *target;		/* its agent leg (the call cti_monitor() joins) */
	char agent[ACD_NAME_MAX];	/* the monitored agent */
	enum cti_monitor_mode mode;
};

/* An on-demand recording of a call's caller leg (one at a time per call). */
struct rec {
	struct rec *next;
	unsigned call_id;
	cti_call_t *call;		/* the caller leg */
	int op;				/* running record op, 0 once done */
	char path[CTID_PATH_MAX + 64], path2[CTID_PATH_MAX + 64];
	uint64_t started_ms;
};

/* A waiting caller's announcement timer. */
struct ann {
	struct ann *next;
	unsigned call_id;
	int timer;
	uint64_t queued_ms;		/* entered the queue (context time) */
};

struct supervise {
	struct monitor *monitors;
	struct rec *recs;
	struct ann *anns;
	unsigned next_xref;
};

static const char *const mode_names[] = { "listen", "whisper", "barge" };

static struct supervise *sv(struct server *s)
{
	if (!s->sup)
		s->sup = calloc(1, sizeof(*s->sup));
	return s->sup;
}

static struct ccall *call_by_id(struct server *s, unsigned id)
{
	for (struct ccall *c = s->calls; id && c; c = c->next)
		if (c->id == id)
			return c;
	return NULL;
}

/* ------------------------------------------------------------ monitoring */

static json_t *monitor_json(const char *event, const struct monitor *m)
{
	char xref[16], call[16];
	snprintf(xref, sizeof(xref), "%u", m->xref);
	snprintf(call, sizeof(call), "%u", m->call_id);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s}", "monitorCrossRefID", xref, "callID", call, "agent",
			      m->agent, "supervisor", m->supervisor, "monitorType", mode_names[m->mode]);
	if (event)
		json_object_set_new(o, "event", json_string(event));
	return o;
}

/* Events about a monitor go to its supervisor and the other supervisors, never to the agent. */
static void monitor_emit(struct server *s, struct monitor *m, const char *event, const char *reason, int cause)
{
	json_t *o = monitor_json(event, m);
	if (reason)
		json_object_set_new(o, "reason", json_string(reason));
	if (cause)
		json_object_set_new(o, "cause", json_integer(cause));
	emit(s, m->supervisor, o);
}

/* Join the supervisor's answered leg to the monitored agent leg in the current mode. */
static int monitor_join(struct server *s, struct monitor *m)
{
	if (cti_monitor(m->leg, m->target, m->mode)) {
		logmsg(s, "monitor %u: cti_monitor: %s", m->xref, cti_last_error());
		return -1;
	}
	logmsg(s, "monitor %u: supervisor %s %s on call %u (agent %s)", m->xref, m->supervisor,
	       mode_names[m->mode], m->call_id, m->agent);
	return 0;
}

/* End the monitoring: MonitorEndedEvent; with hangup, also clear the supervisor's leg (else it is clearing). */
static void monitor_end(struct server *s, struct monitor *m, const char *reason, int cause, bool hangup)
{
	if (m->ended)
		return;
	logmsg(s, "monitor %u: ended (%s)", m->xref, reason);
	monitor_emit(s, m, "MonitorEndedEvent", reason, cause);
	m->target = NULL;
	if (!hangup)
		return;
	m->ended = true;
	if (m->ring_timer > 0)
		cti_timer_cancel(s->ctx, m->ring_timer);
	m->ring_timer = 0;
	if (m->leg)
		cti_call_hangup(m->leg, 16, CTI_LOC_DEFAULT);
}

static struct monitor *monitor_of(struct server *s, const char *supervisor)
{
	for (struct monitor *m = sv(s) ? s->sup->monitors : NULL; m; m = m->next)
		if (!m->ended && !strcmp(m->supervisor, supervisor))
			return m;
	return NULL;
}

static void monitor_free(struct server *s, struct monitor *m)
{
	for (struct monitor **pp = &s->sup->monitors; *pp; pp = &(*pp)->next)
		if (*pp == m) {
			*pp = m->next;
			break;
		}
	free(m);
}

/* Events of a supervisor's leg. */
static void monitor_leg_event(struct server *s, struct monitor *m, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_CALL_ANSWERED:
		if (m->ring_timer > 0)
			cti_timer_cancel(s->ctx, m->ring_timer);
		m->ring_timer = 0;
		m->answered = true;
		if (m->ended)
			break;
		if (!m->target || monitor_join(s, m)) {
			monitor_end(s, m, "error", 0, true);
			break;
		}
		monitor_emit(s, m, "MonitorStartedEvent", NULL, 0);
		break;
	case CTI_EV_CALL_HANGUP:
		monitor_end(s, m, m->answered ? "supervisorCleared" : "noAnswer", ev->u.hangup.cause, false);
		m->ended = true;
		if (m->ring_timer > 0)
			cti_timer_cancel(s->ctx, m->ring_timer);
		m->ring_timer = 0;
		cti_call_release(ev->call);
		break;
	case CTI_EV_CALL_RELEASED:
		m->leg = NULL;
		monitor_free(s, m);
		break;
	default:
		break;
	}
}

static int parse_mode(const char *v, enum cti_monitor_mode *mode)
{
	for (int i = 0; i < 3; i++)
		if (v && !strcmp(v, mode_names[i])) {
			*mode = (enum cti_monitor_mode)i;
			return 0;
		}
	return -1;
}

void cmd_monitor_start(const struct cmd *k)
{
	struct server *s = k->s;
	if (!k->x->supervisor) {
		reply_error(k, "privilegeViolation", "agent %s is not a supervisor: only supervisors monitor calls",
			    k->x->agent);
		return;
	}
	json_t *jt = json_object_get(k->msg, "monitorType");
	enum cti_monitor_mode mode = CTI_MONITOR_LISTEN;
	if (jt && parse_mode(json_string_value(jt), &mode)) {
		char *v = json_dumps(jt, JSON_ENCODE_ANY);
		reply_error(k, "invalidMessage", "monitorType %s unknown (accepted: listen, whisper, barge)", v ? v : "?");
		free(v);
		return;
	}
	/* The call: "callID", or "agent" = that agent's connected call. */
	struct ccall *c = NULL;
	json_t *jid = json_object_get(k->msg, "callID");
	const char *agent = json_string_value(json_object_get(k->msg, "agent"));
	if (jid) {
		c = find_call_id(s, jid);
		if (!c || c->state == C_CLEARING) {
			reply_error(k, "invalidCallID", "no such call");
			return;
		}
	} else if (agent) {
		enum acd_agent_state st;
		int reason;
		if (acd_agent_state(s->acd, agent, &st, &reason)) {
			reply_error(k, "invalidAgent", "no agent '%s'", agent);
			return;
		}
		for (c = s->calls; c; c = c->next)
			if (c->agent && !strcmp(c->agent_id, agent) && (c->state == C_TALKING || c->state == C_HELD))
				break;
		if (!c) {
			reply_error(k, "invalidCallState", "agent %s has no connected call (%s)", agent,
				    acd_state_name(st));
			return;
		}
	} else {
		reply_error(k, "invalidMessage", "no \"callID\" or \"agent\" (the call to monitor)");
		return;
	}
	if ((c->state != C_TALKING && c->state != C_HELD) || !c->agent) {
		reply_error(k, "invalidCallState", "call %u is not connected to an agent", c->id);
		return;
	}
	struct supervise *g = sv(s);
	if (!g) {
		reply_error(k, "resourceBusy", "out of memory");
		return;
	}
	struct monitor *m = monitor_of(s, k->x->agent);
	if (m && m->call_id == c->id && m->target == c->agent) {	/* a new mode on the fly */
		enum cti_monitor_mode old = m->mode;
		m->mode = mode;
		if (m->answered && old != mode && monitor_join(s, m)) {
			m->mode = old;
			reply_error(k, "resourceBusy", "cannot change the monitor: %s", cti_last_error());
			return;
		}
		reply_ok(k, monitor_json(NULL, m));
		if (m->answered && old != mode)
			monitor_emit(s, m, "MonitorChangedEvent", NULL, 0);
		return;
	}
	const char *pos = acd_agent_position(s->acd, k->x->agent);
	if (!m && (!pos || !pos[0] || s->pos_span <= 0)) {
		reply_error(k, "invalidDevice", "supervisor %s has no position for ctid to call (position = ...)",
			    k->x->agent);
		return;
	}
	json_t *replaced = NULL;	/* the line moves to another call: that monitor's end, sent after the reply */
	if (m) {
		replaced = monitor_json("MonitorEndedEvent", m);
		json_object_set_new(replaced, "reason", json_string("replaced"));
		logmsg(s, "monitor %u: ended (replaced)", m->xref);
		m->target = NULL;
	}
	bool fresh = !m;
	if (fresh) {
		m = calloc(1, sizeof(*m));
		if (!m) {
			reply_error(k, "resourceBusy", "out of memory");
			return;
		}
		snprintf(m->supervisor, sizeof(m->supervisor), "%s", k->x->agent);
		cti_call_params_t p;
		cti_call_params_init(&p);
		snprintf(p.called.number, sizeof(p.called.number), "%s", pos);
		const char *apos = acd_agent_position(s->acd, c->agent_id);
		snprintf(p.calling.number, sizeof(p.calling.number), "%s", apos ? apos : "");
		p.span = s->pos_span;
		m->leg = cti_call_place(s->ctx, &p);
		if (!m->leg) {
			reply_error(k, "resourceBusy", "cannot call supervisor %s at %s: %s", k->x->agent, pos,
				    cti_last_error());
			free(m);
			return;
		}
		cti_call_set_user(m->leg, m);
		m->ring_timer = cti_timer_start(s->ctx, (uint32_t)s->cfg->ring_timeout_s * 1000, m);
		m->next = g->monitors;
		g->monitors = m;
		logmsg(s, "monitor: calling supervisor %s at %s", m->supervisor, pos);
	}
	m->xref = ++g->next_xref;
	m->call_id = c->id;
	m->target = c->agent;
	snprintf(m->agent, sizeof(m->agent), "%s", c->agent_id);
	m->mode = mode;
	if (m->answered && monitor_join(s, m)) {
		reply_error(k, "resourceBusy", "cannot monitor call %u: %s", c->id, cti_last_error());
		if (replaced)
			emit(s, m->supervisor, replaced);
		monitor_end(s, m, "error", 0, true);
		return;
	}
	reply_ok(k, monitor_json(NULL, m));
	if (replaced)
		emit(s, m->supervisor, replaced);
	if (m->answered)
		monitor_emit(s, m, "MonitorStartedEvent", NULL, 0);
}

void cmd_monitor_stop(const struct cmd *k)
{
	struct server *s = k->s;
	if (!k->x->supervisor) {
		reply_error(k, "privilegeViolation", "agent %s is not a supervisor", k->x->agent);
		return;
	}
	json_t *jx = json_object_get(k->msg, "monitorCrossRefID");
	struct monitor *m = NULL;
	if (jx) {
		unsigned x = json_is_string(jx) ? (unsigned)strtoul(json_string_value(jx), NULL, 10)
			   : json_is_integer(jx) ? (unsigned)json_integer_value(jx) : 0;
		for (m = sv(s) ? s->sup->monitors : NULL; m; m = m->next)
			if (!m->ended && m->xref == x)
				break;
	} else {
		m = monitor_of(s, k->x->agent);
	}
	if (!m) {
		reply_error(k, "invalidCrossRefID", "no such monitor%s", jx ? "" : " of this supervisor");
		return;
	}
	reply_ok(k, NULL);
	if (m->answered && m->leg)
		cti_monitor_stop(m->leg);
	monitor_end(s, m, "stopped", 0, true);
}

/* ------------------------------------------------------------ recording */

static struct rec *rec_of(struct server *s, unsigned call_id)
{
	for (struct rec *r = sv(s) ? s->sup->recs : NULL; r; r = r->next)
		if (r->call_id == call_id)
			return r;
	return NULL;
}

/*
 * The file name from the client's template: %i call ID, %a caller's number, %d
 * called number, %g agent, %q queue, %t date-time (YYYYmmdd-HHMMSS), %% a %.
 * A plain name under the recording directory: letters, digits and ._-+=@#*,
 * only (no '/'; no ';', which separates recordings in the CDR), not starting
 * with '.'. Returns 0, or -1 with why in err.
 */
static int expand_name(struct server *s, const struct ccall *c, const char *tpl, char *out, size_t size, char *err,
		       size_t errsize)
{
	size_t n = 0;
	char tbuf[32];
	for (const char *p = tpl; *p; p++) {
		const char *add = NULL;
		char one[2] = { *p, 0 }, id[16];
		if (*p == '%') {
			switch (*++p) {
			case 'i': snprintf(id, sizeof(id), "%u", c->id); add = id; break;
			case 'a': add = c->ani; break;
			case 'd': add = c->dnis; break;
			case 'g': add = c->agent_id; break;
			case 'q': add = c->queue; break;
			case 't': {
				time_t t = (time_t)(wall_ms(s) / 1000);
				struct tm tm;
				gmtime_r(&t, &tm);
				strftime(tbuf, sizeof(tbuf), "%Y%m%d-%H%M%S", &tm);
				add = tbuf;
				break;
			}
			case '%': add = "%"; break;
			default:
				snprintf(err, errsize, "fileName '%s': unknown '%%%c' (accepted: %%i %%a %%d %%g %%q %%t %%%%)",
					 tpl, *p ? *p : ' ');
				return -1;
			}
		} else {
			add = one;
		}
		size_t len = strlen(add);
		if (n + len >= size) {
			snprintf(err, errsize, "fileName '%s' is too long", tpl);
			return -1;
		}
		memcpy(out + n, add, len);
		n += len;
	}
	out[n] = 0;
	static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-+=@#*,";
	if (!n || out[0] == '.' || strspn(out, ok) != n) {
		snprintf(err, errsize, "fileName '%s' gives '%s': a plain file name of letters, digits and ._-+=@#*, "
			 "not starting with '.'", tpl, out);
		return -1;
	}
	if (n > 4 && !strcmp(out + n - 4, ".wav"))
		out[n - 4] = 0;
	return 0;
}

static bool exists(const char *path)
{
	struct stat st;
	return !stat(path, &st);
}

/* Paths for base (no extension): never overwrite a file, add -2, -3, ... instead. */
static void rec_paths(struct server *s, struct rec *r, const char *base, bool split)
{
	for (int i = 1; i < 1000; i++) {
		char suffix[16] = "";
		if (i > 1)
			snprintf(suffix, sizeof(suffix), "-%d", i);
		if (split) {
			snprintf(r->path, sizeof(r->path), "%s/%s%s-caller.wav", s->cfg->record_dir, base, suffix);
			snprintf(r->path2, sizeof(r->path2), "%s/%s%s-agent.wav", s->cfg->record_dir, base, suffix);
		} else {
			snprintf(r->path, sizeof(r->path), "%s/%s%s.wav", s->cfg->record_dir, base, suffix);
			r->path2[0] = 0;
		}
		if (!exists(r->path) && (!split || !exists(r->path2)))
			return;
	}
}

static json_t *rec_event(const char *name, const struct ccall *c, const struct rec *r)
{
	json_t *o = call_event(name, c);
	json_object_set_new(o, "recording", json_string(r->path));
	if (r->path2[0])
		json_object_set_new(o, "recording2", json_string(r->path2));
	return o;
}

void cmd_start_recording(const struct cmd *k)
{
	struct server *s = k->s;
	struct ccall *c = own_call(k);
	if (!c)
		return;
	if ((c->state != C_TALKING && c->state != C_HELD) || !c->agent) {
		reply_error(k, "invalidCallState", "call %u is not connected", c->id);
		return;
	}
	struct rec *r = rec_of(s, c->id);
	if (r && r->op) {
		reply_error(k, "invalidCallState", "call %u is already being recorded to %s", c->id, r->path);
		return;
	}
	if (!r && c->recording[0]) {
		reply_error(k, "invalidCallState", "call %u is recorded by the recording policy (%s)", c->id,
			    c->recording);
		return;
	}
	json_t *jn = json_object_get(k->msg, "fileName");
	if (jn && !json_is_string(jn)) {
		reply_error(k, "invalidMessage", "fileName must be a string");
		return;
	}
	char base[CTID_PATH_MAX], err[CTID_PATH_MAX + 128];
	if (expand_name(s, c, jn ? json_string_value(jn) : "call-%i", base, sizeof(base), err, sizeof(err))) {
		reply_error(k, "invalidMessage", "%s", err);
		return;
	}
	bool fresh = !r;
	if (fresh && !(r = calloc(1, sizeof(*r)))) {
		reply_error(k, "resourceBusy", "out of memory");
		return;
	}
	bool split = s->cfg->record_mode == CTID_RECORD_SPLIT;
	rec_paths(s, r, base, split);
	cti_record_params_t rp;
	cti_record_params_init(&rp);
	rp.path = r->path;
	rp.path2 = split ? r->path2 : NULL;
	rp.mode = split ? CTI_REC_SPLIT : CTI_REC_STEREO;	/* the policy's mode: caller left/first, agent right */
	int op = cti_record(c->in, &rp, NULL);
	if (op <= 0) {
		reply_error(k, "resourceBusy", "cannot record call %u: %s", c->id, cti_last_error());
		if (fresh)
			free(r);
		return;
	}
	r->op = op;
	r->call = c->in;
	r->call_id = c->id;
	r->started_ms = cti_now_ms(s->ctx);
	if (fresh) {
		r->next = s->sup->recs;
		s->sup->recs = r;
	}
	/* The CDR rows name every recording of the call, ';' between them. */
	size_t len = strlen(c->recording);
	if (len + strlen(r->path) + 2 <= sizeof(c->recording))
		snprintf(c->recording + len, sizeof(c->recording) - len, "%s%s", len ? ";" : "", r->path);
	else
		logmsg(s, "call %u: no room for %s in the CDR's recording column", c->id, r->path);
	logmsg(s, "call %u: recording to %s%s%s by %s", c->id, r->path, split ? " and " : "", r->path2, k->x->agent);
	char id[16];
	snprintf(id, sizeof(id), "%u", c->id);
	json_t *o = json_pack("{s:s, s:s}", "callID", id, "recording", r->path);
	if (split)
		json_object_set_new(o, "recording2", json_string(r->path2));
	reply_ok(k, o);
	emit(s, c->agent_id, rec_event("RecordingStartedEvent", c, r));
}

void cmd_stop_recording(const struct cmd *k)
{
	struct server *s = k->s;
	struct ccall *c = own_call(k);
	if (!c)
		return;
	struct rec *r = rec_of(s, c->id);
	if (!r || !r->op) {
		if (c->recording[0] && !r)
			reply_error(k, "invalidCallState", "call %u is recorded by the recording policy: not stoppable",
				    c->id);
		else
			reply_error(k, "invalidCallState", "call %u is not being recorded", c->id);
		return;
	}
	reply_ok(k, NULL);	/* RecordingStoppedEvent follows with the op's end */
	cti_stop(r->call, r->op);
}

/* The recording's OP_DONE: stopped, the call cleared, or a write error. The file is a valid WAV in each case. */
static void rec_done(struct server *s, struct rec *r, const cti_event_t *ev)
{
	struct ccall *c = call_by_id(s, r->call_id);
	r->op = 0;
	const char *why = ev->u.op.reason == CTI_TERM_STOPPED ? "stopped"
			  : ev->u.op.reason == CTI_TERM_HANGUP ? "callCleared"
			  : ev->u.op.reason == CTI_TERM_ERROR ? "error" : cti_term_reason_name(ev->u.op.reason);
	logmsg(s, "call %u: recording %s ended (%s, %" PRIu64 " samples)%s%s", r->call_id, r->path, why,
	       (uint64_t)ev->u.op.samples, ev->u.op.reason == CTI_TERM_ERROR ? ": " : "",
	       ev->u.op.reason == CTI_TERM_ERROR ? ev->u.op.message : "");
	if (!c)
		return;
	json_t *o = rec_event("RecordingStoppedEvent", c, r);
	json_object_set_new(o, "reason", json_string(why));
	json_object_set_new(o, "durationMs", json_integer((json_int_t)(ev->u.op.samples / 8)));
	if (ev->u.op.reason == CTI_TERM_ERROR)
		json_object_set_new(o, "message", json_string(ev->u.op.message));
	emit(s, c->agent_id, o);
}

static void rec_forget(struct server *s, cti_call_t *call)
{
	for (struct rec **pp = &s->sup->recs; *pp;)
		if ((*pp)->call == call) {
			struct rec *r = *pp;
			*pp = r->next;
			free(r);
		} else {
			pp = &(*pp)->next;
		}
}

/* ------------------------------------------------------------ announcements */

static struct ann *ann_get(struct server *s, unsigned call_id, bool create)
{
	struct ann *a;
	for (a = s->sup->anns; a && a->call_id != call_id; a = a->next)
		;
	if (!a && create && (a = calloc(1, sizeof(*a)))) {
		a->call_id = call_id;
		a->next = s->sup->anns;
		s->sup->anns = a;
	}
	return a;
}

static void ann_schedule(struct server *s, struct ann *a, int every_s)
{
	if (a->timer > 0)
		cti_timer_cancel(s->ctx, a->timer);
	a->timer = cti_timer_start(s->ctx, (uint32_t)every_s * 1000, a);
}

static void ann_free(struct server *s, struct ann *a)
{
	for (struct ann **pp = &s->sup->anns; *pp; pp = &(*pp)->next)
		if (*pp == a) {
			*pp = a->next;
			break;
		}
	if (a->timer > 0)
		cti_timer_cancel(s->ctx, a->timer);
	free(a);
}

#define SAY_MAX 24	/* announce, position prompt and digits, wait prompt and digits */

/* Add prompt, then n said digit by digit, to the play list. */
static void say_number(struct server *s, const char *prompt, unsigned n, char paths[][3 * CTID_PATH_MAX],
		       cti_play_item_t *items, int *count)
{
	char digits[16];
	resolve(s, prompt, paths[*count], sizeof(paths[0]));
	items[*count].path = paths[*count];
	(*count)++;
	snprintf(digits, sizeof(digits), "%u", n);
	for (const char *d = digits; *d && *count < SAY_MAX; d++) {
		char f[32];
		snprintf(f, sizeof(f), CTID_DIGIT_PROMPT, *d - '0');
		resolve(s, f, paths[*count], sizeof(paths[0]));
		items[*count].path = paths[*count];
		(*count)++;
	}
}

/*
 * The expected wait in minutes, as call centers usually estimate it: the
 * queue's average answer wait so far (answered calls) less what this caller
 * has waited, rounded up, at least 1; 0 (not said) before any call of the
 * queue was answered.
 */
static unsigned expected_wait_min(struct server *s, const struct ccall *c, uint64_t waited_ms)
{
	struct acd_queue_stats st;
	if (acd_queue_stats(s->acd, c->queue, cti_now_ms(s->ctx), &st) || !st.answered)
		return 0;
	uint64_t asa = st.total_answer_wait_ms / st.answered;
	uint64_t left = asa > waited_ms ? asa - waited_ms : 0;
	unsigned min = (unsigned)((left + 59999) / 60000);
	return min ? min : 1;
}

/* Play the queue's announcement (position, expected wait) now; the music starts again at its end. */
static void announce_play(struct server *s, struct ccall *c, const struct ctid_queue *q, uint64_t waited_ms)
{
	char paths[SAY_MAX][3 * CTID_PATH_MAX];
	cti_play_item_t items[SAY_MAX];
	int n = 0;
	memset(items, 0, sizeof(items));
	resolve(s, q->announce, paths[n], sizeof(paths[n]));	/* a TTS prompt resolver would plug in here */
	items[n].path = paths[n];
	n++;
	int pos = q->announce_position[0] ? acd_call_position(s->acd, c->acd_call) : 0;
	if (pos > 0)
		say_number(s, q->announce_position, (unsigned)pos, paths, items, &n);
	unsigned wait = q->announce_wait[0] ? expected_wait_min(s, c, waited_ms) : 0;
	if (wait)
		say_number(s, q->announce_wait, wait, paths, items, &n);
	if (c->op > 0)
		cti_stop(c->in, c->op);	/* the music's OP_DONE no longer matches c->op: ignored */
	c->op = cti_play(c->in, items, n, NULL);
	if (c->op <= 0) {
		logmsg(s, "call %u: announcement %s: %s", c->id, paths[0], cti_last_error());
		c->op = 0;
		play_moh(s, c);
		return;
	}
	logmsg(s, "call %u: announcement in %s, position %d, expected wait %u min", c->id, c->queue, pos, wait);
}

void announce_queued(struct server *s, struct ccall *c)
{
	const struct ctid_queue *q = ctid_config_queue(s->cfg, c->queue);
	if (!q || !q->announce[0] || !sv(s)) {
		play_moh(s, c);
		return;
	}
	announce_play(s, c, q, 0);
	struct ann *a = q->announce_every_s ? ann_get(s, c->id, true) : NULL;
	if (a) {
		a->queued_ms = cti_now_ms(s->ctx);
		ann_schedule(s, a, q->announce_every_s);
	}
}

static void ann_timer(struct server *s, struct ann *a)
{
	a->timer = 0;
	struct ccall *c = call_by_id(s, a->call_id);
	const struct ctid_queue *q = c ? ctid_config_queue(s->cfg, c->queue) : NULL;
	if (!c || (c->state != C_QUEUED && c->state != C_RINGING) || !q || !q->announce[0] || !q->announce_every_s) {
		ann_free(s, a);	/* connected, gone, or the queue no longer announces (reload) */
		return;
	}
	if (c->state == C_QUEUED)	/* ringing an agent: the caller keeps the music */
		announce_play(s, c, q, cti_now_ms(s->ctx) - a->queued_ms);
	ann_schedule(s, a, q->announce_every_s);
}

/* ------------------------------------------------------------ the hooks */

bool supervise_event(struct server *s, const cti_event_t *ev)
{
	struct supervise *g = s->sup;
	if (ev->type == CTI_EV_TIMER) {
		void *u = ev->u.timer.user;
		if (sim_phone_timer(s, u))
			return true;
		if (!g)
			return false;
		for (struct ann *a = g->anns; a; a = a->next)
			if ((void *)a == u) {
				if (a->timer == ev->u.timer.id)
					ann_timer(s, a);
				return true;
			}
		for (struct monitor *m = g->monitors; m; m = m->next)
			if ((void *)m == u) {
				if (m->ring_timer == ev->u.timer.id && !m->answered && m->leg) {
					m->ring_timer = 0;
					logmsg(s, "monitor %u: supervisor %s did not answer", m->xref, m->supervisor);
					cti_call_hangup(m->leg, 16, CTI_LOC_DEFAULT);
				}
				return true;
			}
		return false;
	}
	if (!g || !ev->call)
		return false;
	for (struct monitor *m = g->monitors, *next; m; m = next) {
		next = m->next;
		if (m->leg == ev->call) {
			monitor_leg_event(s, m, ev);
			return true;
		}
		if (ev->type == CTI_EV_CALL_HANGUP && m->target == ev->call)	/* the monitored leg clears */
			monitor_end(s, m, "callCleared", 0, true);
	}
	if (ev->type == CTI_EV_OP_DONE)
		for (struct rec *r = g->recs; r; r = r->next)
			if (r->call == ev->call && r->op && r->op == ev->u.op.id) {
				rec_done(s, r, ev);
				return true;
			}
	if (ev->type == CTI_EV_CALL_HANGUP)
		rec_forget(s, ev->call);	/* OP_DONE came first; the handle goes with the release */
	return false;
}

void supervise_shutdown(struct server *s)
{
	for (struct monitor *m = s->sup ? s->sup->monitors : NULL; m; m = m->next)
		monitor_end(s, m, "stopped", 0, true);
}

bool supervise_busy(const struct server *s)
{
	return s->sup && s->sup->monitors;
}

void supervise_free(struct server *s)
{
	struct supervise *g = s->sup;
	if (!g)
		return;
	while (g->monitors) {
		struct monitor *m = g->monitors;
		g->monitors = m->next;
		free(m);
	}
	while (g->recs) {
		struct rec *r = g->recs;
		g->recs = r->next;
		free(r);
	}
	while (g->anns) {
		struct ann *a = g->anns;
		g->anns = a->next;
		free(a);
	}
	free(g);
	s->sup = NULL;
}
