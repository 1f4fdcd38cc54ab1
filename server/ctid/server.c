/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server.c - ctid at run time: libcti calls, DNIS routing, the declarative
 * IVR, the ACD handing callers to agents' positions, CDRs, signals.
 *
 * One thread: libcti delivers events (cti_dispatch) and everything reacts
 * in the handler. A caller's call: offered on an inbound trunk -> answered
 * -> route by called number -> IVR steps / queue -> the ACD picks an agent
 * -> ctid calls the agent's position on a positions trunk (calling number =
 * the caller's ANI) -> answered: bridged, ACD "talking" -> either side hangs
 * up: the other is cleared with cause 16, the agent goes to wrap-up, one CDR
 * row per leg.
 *
 * The built-in traffic generator (--sim-calls) plays the outside world on
 * the emulated board: callers on the network side of the inbound pair dial,
 * send DTMF and wait; phones on the user side of the positions pair answer
 * and hang up after the talk time.
 */
#include "server_int.h"
#include "cluster.h"
#include "campaign.h"
#include "prompts.h"
#include "tts.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>


/* User data of an agent leg left behind by a transfer: released when it clears. */
int orphan_kind = KIND_ORPHAN;

static volatile sig_atomic_t got_term, got_hup, got_usr1;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGUSR1)
		got_usr1 = 1;	/* --sim-serve: one more caller; --sim-calls: the next caller now (tests, demos) */
	else
		got_term = 1;
}

__attribute__((format(printf, 2, 3)))
void logmsg(struct server *s, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "ctid: [%" PRIu64 "] ", s->ctx ? cti_now_ms(s->ctx) : 0);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int64_t wall_ms(struct server *s)
{
	/* CDR times: Unix time in ms; under the virtual clock the virtual time from 0. */
	if (s->cfg->virtual_clock)
		return (int64_t)cti_now_ms(s->ctx);
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void resolve(struct server *s, const char *file, char *out, size_t size)
{
	if (tts_is_spec(file)) {	/* tts:VOICE:TEXT: the cached WAV (ctid_tts_prepare made it) */
		ctid_tts_path(s, file, out, size);
		return;
	}
	const char *dir = s->cfg_path;
	const char *slash = strrchr(dir, '/');
	int dlen = slash ? (int)(slash - dir) : 1;
	if (!slash)
		dir = ".";
	const char *p = s->cfg->prompts;
	if (file[0] == '/')
		snprintf(out, size, "%s", file);
	else if (p[0] == '/')
		snprintf(out, size, "%s/%s", p, file);
	else if (p[0])
		snprintf(out, size, "%.*s/%s/%s", dlen, dir, p, file);
	else
		snprintf(out, size, "%.*s/%s", dlen, dir, file);
}

/* A path from the configuration file: absolute, or relative to the file's directory. */
static void resolve_conf(struct server *s, const char *file, char *out, size_t size)
{
	const char *slash = strrchr(s->cfg_path, '/');
	if (file[0] == '/' || !slash)
		snprintf(out, size, "%s", file);
	else
		snprintf(out, size, "%.*s/%s", (int)(slash - s->cfg_path), s->cfg_path, file);
}

/*
 * The directory of the web pages (web_root of [ctid]) as an absolute path, or
 * NULL: none. Default: share/ctid/web beside the bin directory of the running
 * ctid (make install puts them there for any PREFIX).
 */
static const char *web_root_dir(struct server *s, char *out, size_t size)
{
	char path[PATH_MAX + 3 * CTID_PATH_MAX];
	const char *wr = s->cfg->web_root;
	if (!strcasecmp(wr, "none"))
		return NULL;
	if (wr[0])
		resolve_conf(s, wr, path, sizeof(path));
	else {
		char exe[PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
		exe[n > 0 ? n : 0] = 0;
		for (int up = 0; up < 2; up++) {	/* PREFIX/bin/ctid -> PREFIX */
			char *slash = strrchr(exe, '/');
			if (slash)
				*slash = 0;
		}
		snprintf(path, sizeof(path), "%s/share/ctid/web", exe);
	}
	if (size < PATH_MAX || !realpath(path, out)) {
		logmsg(s, "web pages: %s: %s (none served)", path, strerror(errno));
		return NULL;
	}
	return out;
}

static struct ccall *find_by_acd(struct server *s, uint64_t id)
{
	for (struct ccall *c = s->calls; c; c = c->next)
		if (c->acd_call == id)
			return c;
	return NULL;
}


/* ---- WebSocket events (docs/ctid-protocol.md) ---- */

void send_json(struct server *s, int client, json_t *obj)
{
	char *text = json_dumps(obj, JSON_COMPACT);
	if (text)
		ws_send(s->ws, client, text);
	free(text);
}

/* An event about an agent goes to that agent's sessions and to every supervisor. Takes obj. */
void emit(struct server *s, const char *agent, json_t *obj)
{
	char *text = NULL;	/* serialized once for all its receivers */
	if (s->ws)
		for (struct sess *x = s->sessions; x; x = x->next)
			if (x->supervisor || (x->agent[0] && agent && !strcmp(x->agent, agent))) {
				if (!text && !(text = json_dumps(obj, JSON_COMPACT)))
					break;
				ws_send(s->ws, x->client, text);
			}
	free(text);
	json_decref(obj);
}

json_t *call_event(const char *name, const struct ccall *c)
{
	char id[16];
	snprintf(id, sizeof(id), "%u", c->id);
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "event", name, "callID", id, "agent", c->agent_id,
			      "callingDevice", c->ani, "calledDevice", c->dnis, "queue", c->queue, "userData", c->digits);
	if (c->customer)
		json_object_set(o, "customer", c->customer);
	return o;
}

void write_cdr(struct server *s, struct ccall *c, int leg)
{
	if (!s->cdr)
		return;
	struct cdr_leg l;
	memset(&l, 0, sizeof(l));
	if (s->cluster)	/* unique across the hosts writing to one CDR store */
		snprintf(l.call_id, sizeof(l.call_id), "%s-%u", cluster_call_prefix(s->cluster), c->id);
	else
		snprintf(l.call_id, sizeof(l.call_id), "%u", c->id);
	l.leg = leg;
	snprintf(l.direction, sizeof(l.direction), "%s", leg == 1 && !c->outbound ? "in" : "out");
	snprintf(l.ani, sizeof(l.ani), "%s", c->ani);
	snprintf(l.queue, sizeof(l.queue), "%s", c->queue);
	snprintf(l.agent, sizeof(l.agent), "%s", c->agent_id);
	snprintf(l.recording, sizeof(l.recording), "%s", c->recording);
	if (leg == 1) {
		snprintf(l.dnis, sizeof(l.dnis), "%s", c->dnis);
		snprintf(l.digits, sizeof(l.digits), "%s", c->digits);
		l.start_ms = c->start_ms;
		l.answer_ms = c->answer_ms;
		l.cause = c->cause;
		l.fax_pages = c->fax_pages;
	} else {
		const char *pos = acd_agent_position(s->acd, c->agent_id);
		snprintf(l.dnis, sizeof(l.dnis), "%s", pos ? pos : "");
		l.start_ms = c->agent_start_ms;
		l.answer_ms = c->agent_answer_ms;
		l.cause = c->agent_cause;
	}
	l.end_ms = wall_ms(s);
	char err[512];
	if (cdr_write(s->cdr, &l, err, sizeof(err))) {
		logmsg(s, "%s", err);
		s->errors++;
	}
}

void free_if_done(struct server *s, struct ccall *c)
{
	if (!c->in_released || c->agent || calls_busy(c))
		return;
	for (struct ccall **pp = &s->calls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	calls_free(c);
	json_decref(c->customer);
	free(c);
	if (s->opts.sim_calls)
		s->finished++;
}

void play_moh(struct server *s, struct ccall *c)
{
	const struct ctid_queue *q = ctid_config_queue(s->cfg, c->queue);
	if (q && q->moh[0]) {
		char path[3 * CTID_PATH_MAX];
		resolve(s, q->moh, path, sizeof(path));
		c->op = cti_play_file(c->in, path, NULL);
	}
}

void clear_caller(struct ccall *c, int cause)
{
	if (c->in && !c->in_released && c->state != C_CLEARING) {
		/* Still in the ACD (ClearConnection, shutdown): the agent is free again (wrap-up). */
		uint64_t now = cti_now_ms(c->srv->ctx);
		if (c->acd_call && (c->state == C_TALKING || c->state == C_HELD))
			acd_call_end(c->srv->acd, c->acd_call, now);
		else if (c->acd_call)
			acd_abandon(c->srv->acd, c->acd_call, now);
		c->acd_call = 0;
		c->state = C_CLEARING;
		cti_call_hangup(c->in, cause, CTI_LOC_DEFAULT);
	}
}

static void run_step(struct ccall *c);

/* Go to a target: queue:X, ivr:X, hangup, a queue's bare name (ACD), or a label of the current flow. */
static void go_target(struct ccall *c, const char *t)
{
	struct server *s = c->srv;
	if (!strcasecmp(t, "hangup")) {
		clear_caller(c, 16);
		return;
	}
	if (!strncasecmp(t, "ivr:", 4)) {
		snprintf(c->flow, sizeof(c->flow), "%s", t + 4);
		c->step = 0;
		c->state = C_IVR;
		run_step(c);
		return;
	}
	const char *qname = !strncasecmp(t, "queue:", 6) ? t + 6 : NULL;
	if (!qname && c->flow[0]) {
		const struct ivr_flow *f = ctid_config_flow(s->cfg, c->flow);
		int i = f ? ivr_step_index(f, t) : -1;
		if (i >= 0) {
			c->step = i;
			run_step(c);
			return;
		}
	}
	if (!qname)
		qname = t;
	const struct ctid_queue *q = ctid_config_queue(s->cfg, qname);
	int64_t id = q ? acd_enqueue(s->acd, qname, c->ani, cti_now_ms(s->ctx)) : ACD_ENOENT;
	if (id < 0) {
		logmsg(s, "call %u: cannot queue into '%s': %s", c->id, qname, acd_strerror((int)id));
		clear_caller(c, 34);
		return;
	}
	c->acd_call = (uint64_t)id;
	c->state = C_QUEUED;
	snprintf(c->queue, sizeof(c->queue), "%s", qname);
	logmsg(s, "call %u: queued in %s", c->id, qname);
	announce_queued(s, c);
}

static void next_step(struct ccall *c)
{
	c->step++;
	run_step(c);
}

static void run_step(struct ccall *c)
{
	struct server *s = c->srv;
	const struct ivr_flow *f = ctid_config_flow(s->cfg, c->flow);
	if (!f || c->step >= f->nsteps) {
		clear_caller(c, 16);	/* falling off the end of a flow */
		return;
	}
	const struct ivr_step *st = &f->steps[c->step];
	char path[3 * CTID_PATH_MAX];
	cti_term_t term;
	cti_term_init(&term);
	c->op = 0;
	switch (st->op) {
	case IVR_PLAY:
		resolve(s, st->arg, path, sizeof(path));
		c->op = cti_play_file(c->in, path, &term);
		break;
	case IVR_DIGITS:
		term.max_digits = st->max_digits;
		term.first_digit_ms = (uint32_t)st->timeout_s * 1000;
		term.inter_digit_ms = (uint32_t)st->timeout_s * 1000;
		if (st->terminator)
			term.term_digits[0] = st->terminator;
		c->op = cti_get_digits(c->in, &term);
		break;
	case IVR_RECORD: {
		cti_record_params_t rp;
		cti_record_params_init(&rp);
		char file[CTID_PATH_MAX];
		snprintf(file, sizeof(file), st->arg, c->ani);	/* %s: the caller's number */
		resolve(s, file, path, sizeof(path));
		rp.path = path;
		term.max_time_ms = (uint32_t)st->max_s * 1000;
		c->op = cti_record(c->in, &rp, &term);
		break;
	}
	case IVR_FAX: {
		cti_fax_params_t fp;
		cti_fax_doc_t doc;
		cti_fax_params_init(&fp);
		resolve(s, st->arg, path, sizeof(path));
		memset(&doc, 0, sizeof(doc));
		doc.path = path;
		fp.docs = &doc;
		fp.ndocs = 1;
		c->op = cti_fax_send(c->in, &fp);
		break;
	}
	case IVR_BRANCH:
		for (int i = 0; i < st->nbranches; i++)
			if (!strcmp(st->branches[i].digits, c->digits)) {
				go_target(c, st->branches[i].target);
				return;
			}
		if (st->dflt[0])
			go_target(c, st->dflt);
		else
			next_step(c);
		return;
	case IVR_QUEUE:
		go_target(c, st->arg);
		return;
	case IVR_GOTO:
		go_target(c, st->arg);
		return;
	case IVR_HANGUP:
		clear_caller(c, st->cause);
		return;
	}
	if (c->op <= 0) {
		logmsg(s, "call %u: step '%s' (%s %s) failed: %s", c->id, st->label, ivr_op_name(st->op), st->arg,
		       cti_last_error());
		next_step(c);
	}
}

static void route_call(struct ccall *c)
{
	const struct ctid_route *r = ctid_config_route(c->srv->cfg, c->dnis);
	if (!r) {
		logmsg(c->srv, "call %u: no route for %s", c->id, c->dnis);
		clear_caller(c, 1);	/* unallocated number */
		return;
	}
	c->flow[0] = 0;
	go_target(c, r->target);
}

struct ccall *server_adopt(struct server *s, cti_call_t *call, const char *number, const char *dnis,
			   const char *queue, const char *user_data, const char *agent)
{
	struct ccall *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->kind = KIND_CCALL;
	c->srv = s;
	c->in = call;
	c->id = ++s->next_id;
	c->outbound = true;
	c->start_ms = c->answer_ms = wall_ms(s);
	snprintf(c->ani, sizeof(c->ani), "%s", number);
	snprintf(c->dnis, sizeof(c->dnis), "%s", dnis);
	snprintf(c->digits, sizeof(c->digits), "%s", user_data);
	c->next = s->calls;
	s->calls = c;
	cti_call_set_user(call, c);
	logmsg(s, "call %u: outbound call to %s into queue %s", c->id, number, queue);
	int64_t id = agent ? acd_enqueue_agent(s->acd, queue, number, agent, cti_now_ms(s->ctx)) : ACD_ENOENT;
	if (id > 0) {	/* preview: the agent who accepted the contact */
		c->acd_call = (uint64_t)id;
		c->state = C_QUEUED;
		snprintf(c->queue, sizeof(c->queue), "%s", queue);
		play_moh(s, c);
		return c;
	}
	if (agent)
		logmsg(s, "call %u: agent %s cannot take it (%s), to the queue", c->id, agent, acd_strerror((int)id));
	char target[ACD_TARGET_MAX];
	snprintf(target, sizeof(target), "queue:%s", queue);
	go_target(c, target);
	return c;
}

static void deliver(struct server *s, const struct acd_event *ev)
{
	struct ccall *c = find_by_acd(s, ev->call);
	if (!c)
		return;
	cti_call_params_t p;
	cti_call_params_init(&p);
	const char *pos = acd_agent_position(s->acd, ev->agent);
	snprintf(p.called.number, sizeof(p.called.number), "%s", pos ? pos : "");
	snprintf(p.calling.number, sizeof(p.calling.number), "%s", c->ani);
	p.span = s->pos_span;
	snprintf(c->agent_id, sizeof(c->agent_id), "%s", ev->agent);
	c->agent_start_ms = wall_ms(s);
	c->agent_answer_ms = 0;
	c->agent_cause = 0;
	c->agent = cti_call_place(s->ctx, &p);
	if (!c->agent) {
		logmsg(s, "call %u: cannot call agent %s at %s: %s", c->id, ev->agent, p.called.number, cti_last_error());
		acd_no_answer(s->acd, c->acd_call, cti_now_ms(s->ctx));
		return;
	}
	cti_call_set_user(c->agent, c);
	c->state = C_RINGING;
	c->ring_timer = cti_timer_start(s->ctx, (uint32_t)s->cfg->ring_timeout_s * 1000, c);
	logmsg(s, "call %u: delivered to agent %s (position %s)", c->id, ev->agent, p.called.number);
	emit(s, c->agent_id, call_event("DeliveredEvent", c));
}

void acd_events(struct server *s)
{
	struct acd_event ev;
	while (acd_next_event(s->acd, &ev)) {
		struct ccall *c;
		switch (ev.type) {
		case ACD_EV_DELIVER:
			deliver(s, &ev);
			break;
		case ACD_EV_MOVED:
			if ((c = find_by_acd(s, ev.call)))
				snprintf(c->queue, sizeof(c->queue), "%s", ev.queue);
			logmsg(s, "ACD call %" PRIu64 ": overflow from %s to %s", ev.call, ev.target, ev.queue);
			break;
		case ACD_EV_LEAVE:
			if ((c = find_by_acd(s, ev.call))) {
				c->acd_call = 0;
				if (c->op > 0)
					cti_stop(c->in, 0);
				c->op = 0;
				go_target(c, ev.target);
			}
			break;
		case ACD_EV_AGENT_STATE:
			logmsg(s, "agent %s: %s -> %s", ev.agent, acd_state_name(ev.old_state),
			       acd_state_name(ev.new_state));
			emit(s, ev.agent, json_pack("{s:s, s:s, s:s, s:i}", "event", "AgentStateEvent", "agent", ev.agent,
						    "agentState", acd_state_name(ev.new_state), "reasonCode",
						    ev.reason_code));
			break;
		}
	}
}

/* ---- the built-in traffic generator ---- */

static void sim_place(struct server *s)
{
	if (s->placed >= s->opts.sim_calls)
		return;
	if (!s->placed && s->opts.sim_wait_clients)
		logmsg(s, "sim: %d WebSocket sessions logged in, placing calls", s->opts.sim_wait_clients);
	cti_call_params_t p;
	cti_call_params_init(&p);
	snprintf(p.called.number, sizeof(p.called.number), "%s", s->opts.sim_dnis);
	snprintf(p.calling.number, sizeof(p.calling.number), "0301000%03d", s->placed + 1);
	p.span = s->caller_span;
	struct phone *ph = calloc(1, sizeof(*ph));
	if (!ph) {
		s->errors++;
		return;
	}
	ph->kind = KIND_PHONE;
	ph->n = s->placed + 1;
	s->phones++;
	ph->call = cti_call_place(s->ctx, &p);
	if (!ph->call) {
		logmsg(s, "sim: cannot place a call: %s", cti_last_error());
		free(ph);
		s->phones--;
		s->errors++;
		s->finished++;
	} else {
		cti_call_set_user(ph->call, ph);
	}
	s->placed++;
	if (s->placed < s->opts.sim_calls)
		s->place_timer = cti_timer_start(s->ctx, (uint32_t)s->opts.sim_interval_ms, &s->placed);
}

static void sim_event(struct server *s, const cti_event_t *ev)
{
	if (calls_sim_event(s, ev))
		return;
	struct phone *ph = ev->call ? cti_call_get_user(ev->call) : NULL;
	switch (ev->type) {
	case CTI_EV_CALL_OFFERED:	/* an agent's phone rings: answer */
		ph = calloc(1, sizeof(*ph));
		if (!ph) {
			cti_call_reject(ev->call, 47);
			break;
		}
		s->phones++;
		ph->kind = KIND_PHONE;
		ph->call = ev->call;
		cti_call_set_user(ev->call, ph);
		cti_call_answer(ev->call);
		break;
	case CTI_EV_CALL_CONNECTED:	/* phone: talk, then hang up */
		if (ph) {
			ph->timer = cti_timer_start(s->ctx, (uint32_t)s->opts.sim_talk_ms, ph);
			sim_phone_connected(s, ph);
		}
		break;
	case CTI_EV_CALL_ANSWERED:	/* caller: the IVR answered, dial the menu choice */
		if (ph)
			sim_caller_answered(s, ph);
		break;
	case CTI_EV_OP_DONE:
		if (ph)
			sim_op_done(s, ph, ev);
		break;
	case CTI_EV_CALL_HANGUP:
		cti_call_release(ev->call);
		break;
	case CTI_EV_CALL_RELEASED:
		sim_phone_event(s, ph, ev);
		if (ph) {
			if (ph->timer > 0)
				cti_timer_cancel(s->ctx, ph->timer);
			free(ph);
			s->phones--;
		}
		break;
	default:
		break;
	}
	if (ev->type != CTI_EV_CALL_RELEASED)
		sim_phone_event(s, ph, ev);
}

/* ---- libcti events ---- */

static void caller_event(struct server *s, struct ccall *c, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_CALL_CONNECTED:
		c->answer_ms = wall_ms(s);
		route_call(c);
		break;
	case CTI_EV_OP_DONE:
		if (ev->u.op.id != c->op)
			break;
		c->op = 0;
		if ((c->state == C_QUEUED || c->state == C_HELD) && ev->u.op.kind == CTI_OP_PLAY &&
		    ev->u.op.reason == CTI_TERM_EOD) {
			play_moh(s, c);	/* music on hold loops while the caller waits */
			break;
		}
		if (c->state != C_IVR || ev->u.op.reason == CTI_TERM_HANGUP || ev->u.op.reason == CTI_TERM_STOPPED)
			break;
		if (ev->u.op.kind == CTI_OP_GET_DIGITS)
			snprintf(c->digits, sizeof(c->digits), "%s", ev->u.op.digits);
		next_step(c);
		break;
	case CTI_EV_FAX_DONE:
	case CTI_EV_FAX_PAGE:
		c->fax_pages = ev->u.fax.page;
		break;
	case CTI_EV_CALL_HANGUP:
		c->cause = ev->u.hangup.cause;
		if (c->state == C_QUEUED || c->state == C_RINGING) {
			if (c->acd_call)
				acd_abandon(s->acd, c->acd_call, cti_now_ms(s->ctx));
			if (c->agent)
				cti_call_hangup(c->agent, 16, CTI_LOC_DEFAULT);
		} else if (c->state == C_TALKING || c->state == C_HELD) {
			acd_call_end(s->acd, c->acd_call, cti_now_ms(s->ctx));
			if (c->agent)
				cti_call_hangup(c->agent, 16, CTI_LOC_DEFAULT);
		}
		c->acd_call = 0;
		c->state = C_CLEARING;
		write_cdr(s, c, 1);
		cti_call_set_user(c->in, NULL);
		cti_call_release(c->in);
		c->in_released = true;
		free_if_done(s, c);
		break;
	default:
		break;
	}
}


/* Recording policy: all calls, or the calls of queues with record = yes; from the agent's answer. */
static void start_recording(struct server *s, struct ccall *c)
{
	const struct ctid_queue *q = ctid_config_queue(s->cfg, c->queue);
	if (s->cfg->record_policy == CTID_POLICY_NONE ||
	    (s->cfg->record_policy == CTID_POLICY_QUEUES && !(q && q->record)))
		return;
	char path2[CTID_PATH_MAX + 48];
	cti_record_params_t rp;
	cti_record_params_init(&rp);
	snprintf(c->recording, sizeof(c->recording), "%s/call-%u%s.wav", s->cfg->record_dir, c->id,
		 s->cfg->record_mode == CTID_RECORD_SPLIT ? "-caller" : "");
	rp.path = c->recording;
	if (s->cfg->record_mode == CTID_RECORD_SPLIT) {
		snprintf(path2, sizeof(path2), "%s/call-%u-agent.wav", s->cfg->record_dir, c->id);
		rp.path2 = path2;
		rp.mode = CTI_REC_SPLIT;
	} else {
		rp.mode = CTI_REC_STEREO;	/* left: the caller, right: the agent */
	}
	if (cti_record(c->in, &rp, NULL) <= 0) {
		logmsg(s, "call %u: recording %s failed: %s", c->id, c->recording, cti_last_error());
		c->recording[0] = 0;
	}
}

void agent_connect(struct server *s, struct ccall *c)
{
	if (c->ring_timer > 0)
		cti_timer_cancel(s->ctx, c->ring_timer);
	c->ring_timer = 0;
	if (c->op > 0)
		cti_stop(c->in, 0);
	c->op = 0;
	c->agent_answer_ms = wall_ms(s);
	c->state = C_TALKING;
	acd_answered(s->acd, c->acd_call, cti_now_ms(s->ctx));
	if (cti_bridge(c->in, c->agent))
		logmsg(s, "call %u: bridge failed: %s", c->id, cti_last_error());
	start_recording(s, c);
	logmsg(s, "call %u: agent %s talking", c->id, c->agent_id);
	emit(s, c->agent_id, call_event("EstablishedEvent", c));
}

static void agent_event(struct server *s, struct ccall *c, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_CALL_ANSWERED:
		if (c->state == C_RINGING)
			agent_connect(s, c);
		break;
	case CTI_EV_CALL_HANGUP:
		c->agent_cause = ev->u.hangup.cause;
		if (c->ring_timer > 0)
			cti_timer_cancel(s->ctx, c->ring_timer);
		c->ring_timer = 0;
		/* This leg is done: its CDR row now, then forget the handle (a new
		 * agent leg may be placed for the same caller). */
		write_cdr(s, c, 2);
		json_t *cleared = call_event("ConnectionClearedEvent", c);
		json_object_set_new(cleared, "cause", json_integer(c->agent_cause));
		emit(s, c->agent_id, cleared);
		cti_call_set_user(c->agent, NULL);
		cti_call_release(c->agent);
		c->agent = NULL;
		if (c->state == C_RINGING) {	/* busy, rejected, no answer */
			c->state = C_QUEUED;
			acd_no_answer(s->acd, c->acd_call, cti_now_ms(s->ctx));
		} else if (c->state == C_TALKING || c->state == C_HELD) {
			acd_call_end(s->acd, c->acd_call, cti_now_ms(s->ctx));
			c->acd_call = 0;
			clear_caller(c, 16);
		}
		free_if_done(s, c);
		break;
	default:
		break;
	}
}


/* Wallboards: every stats_interval seconds each queue's figures to the supervisors. */
static void queue_stats_events(struct server *s)
{
	uint64_t now = cti_now_ms(s->ctx);
	if (!s->ws || !s->cfg->stats_interval_s || now < s->next_stats)
		return;
	s->next_stats = now + (uint64_t)s->cfg->stats_interval_s * 1000;
	bool any = false;
	for (struct sess *x = s->sessions; x; x = x->next)
		any |= x->supervisor;
	if (!any)
		return;
	for (int i = 0; i < s->cfg->nqueues; i++) {
		struct acd_queue_stats st;
		const char *q = s->cfg->queues[i].acd.name;
		if (acd_queue_stats(s->acd, q, now, &st))
			continue;
		/* agent NULL: supervisors only */
		emit(s, NULL, json_pack("{s:s, s:s, s:i, s:i, s:I, s:i, s:i, s:i, s:i, s:i, s:i}", "event",
					"QueueStatsEvent", "queue", q, "waiting", st.waiting, "ringing", st.ringing,
					"longestWaitMs", (json_int_t)st.longest_wait_ms, "offered", st.offered, "answered",
					st.answered, "abandoned", st.abandoned, "overflowed", st.overflowed, "timedOut",
					st.timed_out, "serviceLevelPermille", st.service_level_permille));
	}
	web_trunk_events(s, 0);
}

/* --sim-wait-clients N: the sim traffic starts once N WebSocket sessions have logged in (benches, desktop tests). */
static bool sim_may_start(struct server *s)
{
	int n = 0;
	for (struct sess *x = s->sessions; x && n < s->opts.sim_wait_clients; x = x->next)
		n += x->agent[0] != 0;
	return n >= s->opts.sim_wait_clients;
}

static void on_event(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	struct server *s = user;
	(void)ctx;
	if (ev->type == CTI_EV_ALARM || ev->type == CTI_EV_DCHAN_UP || ev->type == CTI_EV_DCHAN_DOWN)
		web_trunk_events(s, ev->span);	/* wallboards see it at once */
	if (ev->type == CTI_EV_DCHAN_UP) {
		if (ev->span == s->in_span)
			s->dchan_up_in = true;
		if (ev->span == s->pos_span)
			s->dchan_up_pos = true;
		if (s->opts.sim_calls && s->dchan_up_in && s->dchan_up_pos && !s->placed && !s->place_timer &&
		    sim_may_start(s)) {
			if (s->opts.sim_start_ms)	/* e.g. time for agents to log in */
				s->place_timer = cti_timer_start(s->ctx, (uint32_t)s->opts.sim_start_ms, &s->placed);
			else
				sim_place(s);
		}
		campaigns_dchan_up(s, ev->span);
		return;
	}
	if (supervise_event(s, ev)) {
		acd_events(s);
		return;
	}
	if (ev->type == CTI_EV_TIMER) {
		void *u = ev->u.timer.user;
		if (u == s) {
			acd_tick(s->acd, cti_now_ms(s->ctx));
			queue_stats_events(s);
			s->tick_timer = cti_timer_start(s->ctx, 250, s);
		} else if (u == &s->placed) {
			sim_place(s);
		} else if (u && *(int *)u == KIND_PHONE) {	/* a phone's talk time is over */
			struct phone *ph = u;
			ph->timer = 0;
			cti_call_hangup(ph->call, 16, CTI_LOC_DEFAULT);
		} else if (u && *(int *)u == KIND_CAMPAIGN) {
			campaigns_event(s, ev);
		} else if (u && *(int *)u == KIND_CCALL) {	/* ring timeout */
			struct ccall *c = u;
			if (c->ring_timer == ev->u.timer.id && c->state == C_RINGING && c->agent) {
				c->ring_timer = 0;
				logmsg(s, "call %u: agent %s did not answer", c->id, c->agent_id);
				cti_call_hangup(c->agent, 16, CTI_LOC_DEFAULT);	/* HANGUP -> no answer */
			}
		}
		acd_events(s);
		return;
	}
	if (!ev->call)
		return;
	void *u = cti_call_get_user(ev->call);
	if (u && *(int *)u == KIND_ORPHAN) {
		if (ev->type == CTI_EV_CALL_HANGUP)
			cti_call_release(ev->call);
		return;
	}
	if ((u && *(int *)u == KIND_CAMPAIGN) || (!u && ev->type == CTI_EV_CALL_OFFERED && campaigns_offered(s, ev))) {
		if (u)
			campaigns_event(s, ev);
		acd_events(s);
		return;
	}
	if ((u && *(int *)u == KIND_PHONE) ||
	    (!u && ev->type == CTI_EV_CALL_OFFERED && (s->opts.sim_calls || s->opts.sim_serve || s->opts.sim_outbound) &&
	     (ev->span == s->phone_span || ev->span == s->caller_span))) {
		sim_event(s, ev);
		return;
	}
	if (ev->type == CTI_EV_CALL_OFFERED) {
		if (ev->span != s->in_span) {
			cti_call_reject(ev->call, 21);
			return;
		}
		struct ccall *c = calloc(1, sizeof(*c));
		if (!c) {
			cti_call_reject(ev->call, 47);
			return;
		}
		c->kind = KIND_CCALL;
		c->srv = s;
		c->in = ev->call;
		c->id = ++s->next_id;
		c->start_ms = wall_ms(s);
		snprintf(c->ani, sizeof(c->ani), "%s", ev->u.offered.calling.number);
		snprintf(c->dnis, sizeof(c->dnis), "%s", ev->u.offered.called.number);
		c->next = s->calls;
		s->calls = c;
		cti_call_set_user(ev->call, c);
		logmsg(s, "call %u: offered from %s to %s", c->id, c->ani, c->dnis);
		web_customer_lookup(s, c);
		cti_call_answer(ev->call);
		acd_events(s);
		return;
	}
	struct ccall *c = u;
	if (!c)
		return;
	if (calls_event(s, c, ev)) {
		acd_events(s);
		return;
	}
	if (ev->call == c->in)
		caller_event(s, c, ev);
	else if (ev->call == c->agent)
		agent_event(s, c, ev);
	acd_events(s);
}


static void ws_process(struct server *s)
{
	int client;
	char *text;
	while (s->ws && ws_next(s->ws, &client, &text)) {
		if (!text)
			commands_drop(s, client);
		else
			commands_handle(s, client, text);
		free(text);
		acd_events(s);	/* e.g. Ready delivers a waiting caller at once */
	}
}

static int span_of(struct server *s, enum ctid_trunk_role role)
{
	for (int i = 0; i < s->cfg->ntrunks; i++)
		if (s->cfg->trunks[i].role == role) {
			int sp = cti_span_find(s->ctx, s->cfg->trunks[i].span);
			if (sp <= 0)
				logmsg(s, "trunk %s: no span '%s' in libcti", s->cfg->trunks[i].name,
				       s->cfg->trunks[i].span);
			return sp;
		}
	return 0;
}

static void reload(struct server *s)
{
	struct ctid_config *cfg;
	char *errors;
	if (ctid_config_load(s->cfg_path, &cfg, &errors)) {
		logmsg(s, "reload of %s refused, keeping the running configuration:\n%s", s->cfg_path,
		       errors ? errors : "");
		free(errors);
		return;
	}
	int r = ctid_config_apply(cfg, s->acd);
	if (r) {
		logmsg(s, "reload: ACD refused the configuration: %s", acd_strerror(r));
		ctid_config_free(cfg);
		return;
	}
	char err[1024];
	if (ctid_tts_prepare(s, cfg, err, sizeof(err)))
		logmsg(s, "reload: %s (the prompt stays silent)", err);
	ctid_config_free(s->cfg);
	s->cfg = cfg;
	if (s->cluster)
		cluster_reload(s->cluster, cfg);	/* the other hosts see the new queue settings */
	campaigns_reload(s);
	logmsg(s, "reloaded %s", s->cfg_path);
}

static void shutdown_calls(struct server *s)
{
	logmsg(s, "shutting down: clearing calls with cause 16");
	for (struct ccall *c = s->calls; c; c = c->next) {
		clear_caller(c, 16);
		if (c->agent)
			cti_call_hangup(c->agent, 16, CTI_LOC_DEFAULT);
	}
	supervise_shutdown(s);
	campaigns_hangup_all(s);
	uint64_t until = cti_now_ms(s->ctx) + 5000;
	while ((s->calls || s->phones || campaigns_busy(s) || supervise_busy(s)) && cti_now_ms(s->ctx) < until)
		cti_dispatch(s->ctx, 100);
}

int server_run(struct ctid_config *cfg, const char *cfg_path, const struct server_opts *opts)
{
	struct server srv, *s = &srv;
	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->cfg_path = cfg_path;
	s->opts = *opts;

	cti_config_t *cc = cti_config_new();
	int rc = 1;
	if (!cc) {
		ctid_config_free(cfg);
		return 1;
	}
	if (cfg->sim_pairs) {
		enum cti_line line = strcasecmp(cfg->sim_line, "t1") ? CTI_LINE_E1 : CTI_LINE_T1;
		static const char *sws[] = { "euroisdn", "ni2", "ni1", "dms100", "4ess", "5ess", "qsig" };
		int sw = 0;
		for (int i = 0; i < 7; i++)
			if (!strcasecmp(cfg->sim_switch, sws[i]))
				sw = i;
		if (cti_config_set_sim_ports(cc, cfg->sim_pairs * 2) ||
		    cti_config_sim_pairs(cc, cfg->sim_pairs, line, (enum cti_switchtype)sw) ||
		    (cfg->virtual_clock && cti_config_set_clock(cc, CTI_CLOCK_VIRTUAL))) {
			fprintf(stderr, "ctid: sim board: %s\n", cti_last_error());
			cti_config_free(cc);
			ctid_config_free(cfg);
			return 1;
		}
	} else if (cti_config_load(cc, cfg->cti_conf)) {
		fprintf(stderr, "ctid: %s\n", cti_last_error());
		cti_config_free(cc);
		ctid_config_free(cfg);
		return 1;
	}
	if (opts->trace[0] && cti_config_set_trace(cc, opts->trace)) {
		fprintf(stderr, "ctid: --trace %s: %s\n", opts->trace, cti_last_error());
		cti_config_free(cc);
		ctid_config_free(cfg);
		return 1;
	}
	s->ctx = cti_open(cc);
	cti_config_free(cc);
	if (!s->ctx) {
		fprintf(stderr, "ctid: cti_open: %s\n", cti_last_error());
		ctid_config_free(cfg);
		return 1;
	}
	char err[512];
	s->acd = acd_new();
	if (!s->acd || ctid_config_apply(cfg, s->acd)) {
		fprintf(stderr, "ctid: ACD setup failed\n");
		goto out;
	}
	s->cdr = cdr_open(cfg->cdr, err, sizeof(err));
	if (!s->cdr) {
		fprintf(stderr, "ctid: %s\n", err);
		goto out;
	}
	if (cfg->cluster_redis[0] && !(s->cluster = cluster_start(cfg, s->acd, err, sizeof(err)))) {
		fprintf(stderr, "ctid: %s\n", err);
		goto out;
	}
	if (web_customer_start(s))
		goto out;
	if (strcmp(cfg->listen, "none")) {
		char cert[3 * CTID_PATH_MAX], key[3 * CTID_PATH_MAX];
		if (cfg->tls_cert[0]) {
			resolve_conf(s, cfg->tls_cert, cert, sizeof(cert));
			resolve_conf(s, cfg->tls_key, key, sizeof(key));
		}
		char web[PATH_MAX];
		const char *web_root = web_root_dir(s, web, sizeof(web));
		s->ws = ws_start(cfg->listen, cfg->tls_cert[0] ? cert : NULL, cfg->tls_cert[0] ? key : NULL, web_root,
				 err, sizeof(err));
		if (!s->ws) {
			fprintf(stderr, "ctid: %s\n", err);
			goto out;
		}
		logmsg(s, "WebSocket interface on port %d%s%s%s", ws_port(s->ws), cfg->tls_cert[0] ? " (TLS)" : "",
		       web_root ? ", web pages from " : "", web_root ? web_root : "");
	}
	if (ctid_tts_prepare(s, cfg, err, sizeof(err)) || campaigns_open(s, err, sizeof(err))) {
		fprintf(stderr, "ctid: %s\n", err);
		goto out;
	}
	s->in_span = span_of(s, CTID_TRUNK_INBOUND);
	s->pos_span = span_of(s, CTID_TRUNK_POSITIONS);
	if (s->in_span <= 0) {
		fprintf(stderr, "ctid: no inbound span\n");
		goto out;
	}
	if (opts->sim_calls || opts->sim_serve || opts->sim_outbound) {	/* agents' phones answer for campaigns too */
		if (!cfg->sim_pairs) {
			fprintf(stderr, "ctid: --sim-calls needs sim = ... in [ctid]\n");
			goto out;
		}
		if (opts->sim_wait_clients && !s->ws) {
			fprintf(stderr, "ctid: --sim-wait-clients needs the WebSocket interface (listen = none in %s)\n",
				cfg_path);
			goto out;
		}
		/* The far ends of the trunks: the other port of each cabled pair. */
		cti_span_status_t st;
		char name[CTI_NAME_MAX];
		cti_span_status(s->ctx, s->in_span, &st);
		snprintf(name, sizeof(name), "sim%d", st.port % 2 ? st.port + 1 : st.port - 1);
		s->caller_span = cti_span_find(s->ctx, name);
		if (s->pos_span > 0) {
			cti_span_status(s->ctx, s->pos_span, &st);
			snprintf(name, sizeof(name), "sim%d", st.port % 2 ? st.port + 1 : st.port - 1);
			s->phone_span = cti_span_find(s->ctx, name);
		}
	}
	if (opts->login_all)
		for (int i = 0; i < cfg->nagents; i++)
			if (!cfg->agents[i].supervisor) {
				acd_agent_login(s->acd, cfg->agents[i].acd.id, cti_now_ms(s->ctx));
				acd_agent_ready(s->acd, cfg->agents[i].acd.id, cti_now_ms(s->ctx));
			}
	cti_set_event_handler(s->ctx, on_event, s);
	s->tick_timer = cti_timer_start(s->ctx, 250, s);
	if (opts->campaign) {
		const char *ename;
		if (campaign_start(s, opts->campaign, &ename, err, sizeof(err))) {
			fprintf(stderr, "ctid: --campaign %s: %s\n", opts->campaign, err);
			goto out;
		}
	}
	acd_events(s);

	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	logmsg(s, "running: %d queues, %d agents, inbound span %d, positions span %d", cfg->nqueues, cfg->nagents,
	       s->in_span, s->pos_span);
	while (!got_term) {
		if (got_usr1) {
			got_usr1 = 0;
			if (opts->sim_serve) {
				s->opts.sim_calls++;
				sim_place(s);
			} else if (s->placed > 0 && s->placed < opts->sim_calls) {
				if (s->place_timer > 0)
					cti_timer_cancel(s->ctx, s->place_timer);
				sim_place(s);
			}
		}
		if (got_hup) {
			got_hup = 0;
			reload(s);
		}
		bool sim_waits = opts->sim_calls && !s->placed && !sim_may_start(s);
		if ((s->ws || s->cluster) && (!s->cfg->virtual_clock || sim_waits)) {
			struct pollfd pf[3] = { { .fd = cti_fd(s->ctx), .events = POLLIN },
						{ .fd = s->ws ? ws_fd(s->ws) : -1, .events = POLLIN },
						{ .fd = s->cluster ? cluster_fd(s->cluster) : -1, .events = POLLIN } };
			poll(pf, 3, s->cfg->virtual_clock ? 10 : 200);	/* virtual: no busy loop while waiting */
		}
		/* Virtual time stands still while the sim traffic waits for its WebSocket sessions. */
		int n = cti_dispatch(s->ctx, s->cfg->virtual_clock ? (sim_waits && s->dchan_up_in && s->dchan_up_pos ? 0 : 1000)
								 : (s->ws || s->cluster) ? 0 : 200);
		ws_process(s);
		if (sim_waits && s->dchan_up_in && s->dchan_up_pos && sim_may_start(s))
			sim_place(s);
		web_customer_poll(s);
		if (n < 0 && n != -EINTR && errno != EINTR) {
			logmsg(s, "cti_dispatch: %s", cti_last_error());
			break;
		}
		if (s->cluster) {	/* what any host decided, in order: deliveries of our calls, agent states */
			cluster_process(s->cluster);
			acd_events(s);
		}
		if (opts->sim_calls && !opts->sim_serve && s->finished >= opts->sim_calls && !s->calls && !s->phones)
			break;
		if (opts->campaign && campaigns_finished(s) && !s->calls) {
			logmsg(s, "campaign %s finished", opts->campaign);
			break;
		}
		if (opts->max_ms && cti_now_ms(s->ctx) >= opts->max_ms) {
			logmsg(s, "--max-time reached");
			break;
		}
	}
	shutdown_calls(s);
	if (opts->stats) {
		for (int i = 0; i < s->cfg->nqueues; i++) {
			struct acd_queue_stats qs;
			acd_queue_stats(s->acd, s->cfg->queues[i].acd.name, cti_now_ms(s->ctx), &qs);
			printf("{\"queue\":\"%s\",\"offered\":%u,\"answered\":%u,\"abandoned\":%u,\"overflowed\":%u,"
			       "\"timed_out\":%u,\"waiting\":%u,\"service_level\":%u}\n",
			       s->cfg->queues[i].acd.name, qs.offered, qs.answered, qs.abandoned, qs.overflowed,
			       qs.timed_out, qs.waiting, qs.service_level_permille);
		}
	}
	rc = s->errors ? 1 : 0;
	logmsg(s, "stopped");
out:
	ws_stop(s->ws);
	web_customer_stop(s);
	commands_free(s);
	cti_set_event_handler(s->ctx, NULL, NULL);
	cti_close(s->ctx);
	supervise_free(s);
	sim_phone_free();
	while (s->calls) {	/* only if shutdown_calls ran out of time */
		struct ccall *c = s->calls;
		s->calls = c->next;
		calls_free(c);
		json_decref(c->customer);
		free(c);
	}
	cluster_stop(s->cluster);	/* after the calls were cleared: the others need not wait for the lease */
	campaigns_close(s);
	cdr_close(s->cdr);
	acd_free(s->acd);
	ctid_config_free(s->cfg);
	return rc;
}
