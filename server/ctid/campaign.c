/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * campaign.c - outbound campaigns at run time (see campaign.h, docs/ctid.md).
 *
 * A scheduler timer (every 50 ms of context time) dials the next due
 * contacts of each running campaign while the pacing allows: no more than
 * max_channels calls of the campaign at once, at least 1000/cps ms between
 * two dials, only inside the time-of-day window, and in progressive mode only
 * while the queue has more Ready agents than calls waiting or being dialled.
 * Each call: call progress analysis from dialling on (libcti CPA), then by
 * result: a person hears the message (or goes to the agents' queue), an
 * answering machine gets the message after its greeting, a fax machine gets
 * the fax; busy, no answer, SIT and the rest end the attempt. The contact is
 * then done, failed, or pending again after the retry delay of the result.
 *
 * With --sim-outbound the far end of the outbound trunk is campaign_sim.c.
 */
#include "campaign.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "campaign_sim.h"
#include "prompts.h"
#include "tts.h"

enum { TICK_MS = 50 };

enum crun_state { CS_IDLE, CS_RUNNING, CS_PAUSED, CS_FINISHED };
static const char *const state_names[] = { "idle", "running", "paused", "finished" };

/* Preview: a contact offered to an agent, who is held NotReady (CAMP_PREVIEW_REASON) meanwhile. */
#define CAMP_PREVIEW_REASON 9100

struct preview {
	struct preview *next;
	int64_t contact;
	char agent[ACD_NAME_MAX];
	char number[CAMP_NUMBER_MAX], message[CAMP_PATH_MAX], fax[CAMP_PATH_MAX];
	int attempts;
	uint64_t deadline;	/* context ms */
};

struct crun {
	struct crun *next;
	struct preview *previews;
	int npreview;
	char name[CAMP_NAME_MAX];
	const struct ctid_campaign *cfg;	/* &conf once configured (never NULL after that) */
	struct ctid_campaign conf;	/* a copy: calls up keep their settings if a reload drops the campaign */
	bool configured;		/* in the running configuration */
	json_t *snap;			/* counts for CampaignProgressEvents, from snap_ms */
	uint64_t snap_ms;
	enum crun_state state;
	int span;		/* libcti span of the trunk (0: a group) */
	char group[CTI_NAME_MAX];
	int active;		/* calls of this campaign up */
	uint64_t next_dial;	/* context ms */
};

enum dphase { D_DIALING, D_ANSWERED, D_GREETING, D_MESSAGE, D_FAX, D_CLEARING };

struct dial {
	int kind, sub;		/* KIND_CAMPAIGN, CAMP_SUB_DIAL */
	struct dial *next;
	struct campaigns *cs;
	struct crun *r;
	int64_t contact;
	int attempt;
	char number[CAMP_NUMBER_MAX];
	char agent[ACD_NAME_MAX];	/* preview: who accepted it */
	char media[3 * CTID_PATH_MAX + 64];	/* resolved message WAV or fax TIFF */
	bool is_fax, has_message;
	cti_call_t *call;
	int cpa, op, timer;
	enum dphase phase;
	enum camp_result result;
	bool success, answered, handed;	/* handed: to the agents' queue */
	int cause, fax_pages, channel;
	int64_t start_ms, answer_ms;
};

struct campaigns {
	int kind, sub;	/* KIND_CAMPAIGN, CAMP_SUB_TICK: the scheduler timer's user data */
	struct server *s;
	sqlite3 *db;
	struct crun *runs;
	struct dial *dials;
	int timer;
	bool dchan[256];
	struct camp_sim *sim;	/* --sim-outbound: the far end (campaign_sim.c) */
};

/* ---- helpers ---- */

static uint64_t now_ms(const struct campaigns *cs)
{
	return cti_now_ms(cs->s->ctx);
}


/* Run SQL built with sqlite3_mprintf (%Q quotes strings; no printf format check for it); logs failures. */
static int db_exec(struct campaigns *cs, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	char *msg = NULL;
	int rc = sql ? sqlite3_exec(cs->db, sql, NULL, NULL, &msg) : SQLITE_NOMEM;
	if (rc != SQLITE_OK) {
		logmsg(cs->s, "campaign database: %s (%s)", msg ? msg : sqlite3_errstr(rc), sql ? sql : "");
		cs->s->errors++;
	}
	sqlite3_free(msg);
	sqlite3_free(sql);
	return rc == SQLITE_OK ? 0 : -1;
}

/* One integer from SQL (or dflt). */
static int64_t db_int(struct campaigns *cs, int64_t dflt, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *sql = sqlite3_vmprintf(fmt, ap);
	va_end(ap);
	sqlite3_stmt *st = NULL;
	int64_t v = dflt;
	if (sql && sqlite3_prepare_v2(cs->db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
	    sqlite3_column_type(st, 0) != SQLITE_NULL)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return v;
}

static struct crun *find_run(struct campaigns *cs, const char *name)
{
	for (struct crun *r = cs->runs; r; r = r->next)
		if (!strcmp(r->name, name))
			return r;
	return NULL;
}

/* ---- events to supervisors ---- */

/* Counts of column col (status or result) of a campaign's contacts, into o; returns their sum. */
static int64_t count_by(struct campaigns *cs, const char *name, const char *col, json_t *o)
{
	sqlite3_stmt *st = NULL;
	int64_t total = 0;
	char *sql = sqlite3_mprintf("SELECT %s, count(*) FROM contact WHERE campaign = %Q AND %s IS NOT NULL GROUP BY 1",
				    col, name, col);
	if (sql && sqlite3_prepare_v2(cs->db, sql, -1, &st, NULL) == SQLITE_OK)
		while (sqlite3_step(st) == SQLITE_ROW) {
			int64_t n = sqlite3_column_int64(st, 1);
			json_object_set_new(o, (const char *)sqlite3_column_text(st, 0), json_integer(n));
			total += n;
		}
	sqlite3_finalize(st);
	sqlite3_free(sql);
	return total;
}

json_t *campaign_snapshot(struct server *s, const char *name)
{
	struct campaigns *cs = s->camp;
	const struct ctid_campaign *c = ctid_config_campaign(s->cfg, name);
	if (!cs || !c)
		return NULL;
	struct crun *r = find_run(cs, name);
	json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:i, s:i, s:i, s:i}", "campaign", name, "state",
			      state_names[r ? r->state : CS_IDLE], "active", r ? r->active : 0, "pending", 0, "preview", 0,
			      "dialing", 0, "done", 0, "failed", 0);
	json_object_set_new(o, "contacts", json_integer(count_by(cs, name, "status", o)));
	json_object_set_new(o, "attempts",
			    json_integer(db_int(cs, 0, "SELECT count(*) FROM attempt WHERE campaign = %Q", name)));
	json_t *res = json_object();
	count_by(cs, name, "result", res);
	json_object_set_new(o, "results", res);
	return o;
}

/*
 * To supervisors after each attempt and state change. The counts come from the
 * database at most once a second per campaign (a big list and many calls a
 * second would otherwise recount it for every call).
 */
static void progress_event(struct campaigns *cs, struct crun *r, const struct dial *d, const char *status)
{
	bool any = false;
	for (struct sess *x = cs->s->sessions; x; x = x->next)
		any |= x->supervisor;
	if (!any)
		return;
	if (!r->snap || !d || now_ms(cs) >= r->snap_ms + 1000) {
		json_decref(r->snap);
		r->snap = campaign_snapshot(cs->s, r->name);
		r->snap_ms = now_ms(cs);
	}
	if (!r->snap)
		return;
	json_t *o = json_deep_copy(r->snap);
	json_object_set_new(o, "state", json_string(state_names[r->state]));
	json_object_set_new(o, "active", json_integer(r->active));
	json_object_set_new(o, "event", json_string("CampaignProgressEvent"));
	if (d) {
		json_object_set_new(o, "number", json_string(d->number));
		json_object_set_new(o, "result", json_string(camp_result_name(d->result)));
		json_object_set_new(o, "status", json_string(status));
		json_object_set_new(o, "attempt", json_integer(d->attempt));
	}
	emit(cs->s, NULL, o);	/* supervisors */
}

static void set_state(struct campaigns *cs, struct crun *r, enum crun_state st)
{
	if (r->state == st)
		return;
	r->state = st;
	db_exec(cs, "UPDATE campaign SET state = %Q WHERE name = %Q", state_names[st], r->name);
	logmsg(cs->s, "campaign %s: %s", r->name, state_names[st]);
	progress_event(cs, r, NULL, NULL);
}

/* ---- dialing ---- */

static bool in_window(struct campaigns *cs, const struct ctid_campaign *c)
{
	if (c->window_from == c->window_to)
		return true;
	int m;
	if (cs->s->cfg->virtual_clock) {
		m = (int)((now_ms(cs) / 60000) % 1440);	/* virtual time 0 is 00:00 */
	} else {
		time_t t = time(NULL);
		struct tm tm;
		localtime_r(&t, &tm);
		m = tm.tm_hour * 60 + tm.tm_min;
	}
	if (c->window_from < c->window_to)
		return m >= c->window_from && m < c->window_to;
	return m >= c->window_from || m < c->window_to;	/* over midnight */
}

/* Progressive/preview: Ready agents of the queue beyond the calls waiting there; first: one of them. */
static int agent_room(struct campaigns *cs, struct crun *r, char first[ACD_NAME_MAX])
{
	struct server *s = cs->s;
	const struct ctid_queue *q = ctid_config_queue(s->cfg, r->cfg->queue);
	if (!q)
		return 0;
	int ready = 0;
	for (int i = 0; i < s->cfg->nagents; i++) {
		const struct ctid_agent *a = &s->cfg->agents[i];
		enum acd_agent_state st;
		int reason;
		if (a->supervisor || acd_agent_state(s->acd, a->acd.id, &st, &reason) || st != ACD_READY)
			continue;
		bool ok = true;
		for (int k = 0; k < q->acd.nskills && ok; k++) {
			bool has = false;
			for (int j = 0; j < a->acd.nskills; j++)
				has |= !strcmp(a->acd.skills[j].name, q->acd.skills[k].name) &&
				       a->acd.skills[j].level >= q->acd.skills[k].level;
			ok = has;
		}
		if (ok && !ready++ && first)
			snprintf(first, ACD_NAME_MAX, "%s", a->acd.id);
	}
	struct acd_queue_stats qs;
	if (acd_queue_stats(s->acd, q->acd.name, now_ms(cs), &qs))
		return 0;
	return ready - (int)qs.waiting;
}

static void finish(struct dial *d);

static void start_cpa(struct dial *d)
{
	if (d->cpa > 0 || d->phase != D_DIALING)
		return;
	cti_cpa_params_t p;
	cti_cpa_params_init(&p);
	p.no_answer_ms = (uint32_t)d->r->cfg->no_answer_s * 1000;
	p.max_ms = p.no_answer_ms + 15000;
	int id = cti_cpa_start(d->call, &p);
	if (id > 0)
		d->cpa = id;	/* else too early (no B-channel yet): again at the next progress */
}

static void hangup(struct dial *d, enum camp_result res)
{
	if (d->result == CR_NONE)
		d->result = res;
	if (d->phase != D_CLEARING && d->call) {
		d->phase = D_CLEARING;
		cti_call_hangup(d->call, 16, CTI_LOC_DEFAULT);
	}
}

/* Resolve the contact's message or fax (the campaign's when it has none). */
static void contact_media(struct dial *d, const char *message, const char *fax)
{
	const struct ctid_campaign *c = d->r->cfg;
	const char *m = message[0] ? message : fax[0] ? "" : c->message;
	const char *f = message[0] ? "" : fax[0] ? fax : m[0] ? "" : c->fax;
	d->is_fax = f[0] != 0;
	d->has_message = m[0] != 0;
	if (d->is_fax || d->has_message)
		resolve(d->cs->s, d->is_fax ? f : m, d->media, sizeof(d->media));
}

static void dial(struct campaigns *cs, struct crun *r, int64_t id, const char *number, const char *message,
		 const char *fax, int attempts, const char *agent)
{
	struct server *s = cs->s;
	struct dial *d = calloc(1, sizeof(*d));
	if (!d) {
		s->errors++;
		return;
	}
	d->kind = KIND_CAMPAIGN;
	d->sub = CAMP_SUB_DIAL;
	d->cs = cs;
	d->r = r;
	d->contact = id;
	d->attempt = attempts + 1;
	snprintf(d->number, sizeof(d->number), "%s", number);
	snprintf(d->agent, sizeof(d->agent), "%s", agent ? agent : "");
	contact_media(d, message, fax);
	cti_call_params_t p;
	cti_call_params_init(&p);
	snprintf(p.called.number, sizeof(p.called.number), "%s", number);
	snprintf(p.calling.number, sizeof(p.calling.number), "%s", r->cfg->caller_id);
	if (r->group[0])
		snprintf(p.group, sizeof(p.group), "%s", r->group);
	else
		p.span = r->span;
	d->start_ms = wall_ms(s);
	d->call = cti_call_place(s->ctx, &p);
	if (!d->call && cti_last_error_code() == CTI_ENOCHAN && !d->agent[0]) {	/* trunk full: later, no attempt */
		logmsg(s, "campaign %s: no free channel for %s, later", r->name, number);
		r->next_dial = now_ms(cs) + 1000;
		free(d);
		return;
	}
	db_exec(cs, "UPDATE contact SET status = 'dialing', attempts = attempts + 1, last_ms = %lld WHERE id = %lld",
		(long long)d->start_ms, (long long)id);
	d->next = cs->dials;
	cs->dials = d;
	r->active++;
	if (!d->call) {
		logmsg(s, "campaign %s: cannot call %s: %s", r->name, number, cti_last_error());
		d->result = CR_ERROR;
		finish(d);
		return;
	}
	logmsg(s, "campaign %s: calling %s (attempt %d)", r->name, number, d->attempt);
	cti_call_set_user(d->call, d);
	d->timer = cti_timer_start(s->ctx, (uint32_t)(r->cfg->no_answer_s + 20) * 1000, d);
	start_cpa(d);
}

/* Preview: the contact to an agent first (PreviewEvent); AcceptPreview dials it. */
static void preview_offer(struct campaigns *cs, struct crun *r, int64_t id, const char *number, const char *name,
			  const char *message, const char *fax, int attempts, const char *agent)
{
	struct server *s = cs->s;
	struct preview *p = calloc(1, sizeof(*p));
	if (!p || acd_agent_not_ready(s->acd, agent, CAMP_PREVIEW_REASON, now_ms(cs))) {
		free(p);
		return;
	}
	p->contact = id;
	snprintf(p->agent, sizeof(p->agent), "%s", agent);
	snprintf(p->number, sizeof(p->number), "%s", number);
	snprintf(p->message, sizeof(p->message), "%s", message);
	snprintf(p->fax, sizeof(p->fax), "%s", fax);
	p->attempts = attempts;
	p->deadline = now_ms(cs) + (uint64_t)r->cfg->preview_timeout_s * 1000;
	p->next = r->previews;
	r->previews = p;
	r->npreview++;
	db_exec(cs, "UPDATE contact SET status = 'preview' WHERE id = %lld", (long long)id);
	char cid[24];
	snprintf(cid, sizeof(cid), "%lld", (long long)id);
	logmsg(s, "campaign %s: contact %s (%s) offered to agent %s", r->name, cid, number, agent);
	emit(s, agent, json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:i}", "event", "PreviewEvent", "campaign", r->name,
				 "contactID", cid, "agent", agent, "number", number, "name", name, "timeoutMs",
				 r->cfg->preview_timeout_s * 1000));
}

static void preview_drop(struct crun *r, struct preview *p)
{
	for (struct preview **pp = &r->previews; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	r->npreview--;
	free(p);
}

/* Previews nobody answered in time: the contact waits again, the agent is NotReady as after a RONA. */
static void preview_timeouts(struct campaigns *cs, struct crun *r)
{
	for (struct preview *p = r->previews, *next; p; p = next) {
		next = p->next;
		if (now_ms(cs) < p->deadline)
			continue;
		logmsg(cs->s, "campaign %s: agent %s did not answer the preview of %s", r->name, p->agent, p->number);
		acd_agent_not_ready(cs->s->acd, p->agent, ACD_REASON_NO_ANSWER, now_ms(cs));
		db_exec(cs, "UPDATE contact SET status = 'pending' WHERE id = %lld", (long long)p->contact);
		preview_drop(r, p);
	}
}

/* Dial what the pacing allows now. */
static void pump(struct campaigns *cs, struct crun *r)
{
	const struct ctid_campaign *c = r->cfg;
	if (r->state != CS_RUNNING || (r->span > 0 && r->span < 256 && !cs->dchan[r->span]) || !in_window(cs, c))
		return;
	while (r->active + r->npreview < c->max_channels && now_ms(cs) >= r->next_dial) {
		char agent[ACD_NAME_MAX] = "";
		int room = c->mode == CAMP_BROADCAST ? 1 : agent_room(cs, r, agent);
		if ((c->mode == CAMP_PROGRESSIVE && room - r->active <= 0) || (c->mode == CAMP_PREVIEW && room <= 0))
			return;
		sqlite3_stmt *st = NULL;
		char *sql = sqlite3_mprintf("SELECT id, number, coalesce(message, ''), coalesce(fax, ''), attempts, "
					    "coalesce(name, '') "
					    "FROM contact WHERE campaign = %Q AND status = 'pending' AND next_ms <= %lld "
					    "ORDER BY next_ms, id LIMIT 1",
					    r->name, (long long)wall_ms(cs->s));
		bool got = sql && sqlite3_prepare_v2(cs->db, sql, -1, &st, NULL) == SQLITE_OK &&
			   sqlite3_step(st) == SQLITE_ROW;
		sqlite3_free(sql);
		if (!got) {
			sqlite3_finalize(st);
			break;
		}
		char number[CAMP_NUMBER_MAX], message[CAMP_PATH_MAX], fax[CAMP_PATH_MAX];
		snprintf(number, sizeof(number), "%s", (const char *)sqlite3_column_text(st, 1));
		snprintf(message, sizeof(message), "%s", (const char *)sqlite3_column_text(st, 2));
		snprintf(fax, sizeof(fax), "%s", (const char *)sqlite3_column_text(st, 3));
		char name[64];
		snprintf(name, sizeof(name), "%s", (const char *)sqlite3_column_text(st, 5));
		int64_t id = sqlite3_column_int64(st, 0);
		int attempts = sqlite3_column_int(st, 4);
		sqlite3_finalize(st);
		r->next_dial = now_ms(cs) + (uint64_t)c->gap_ms;
		if (c->mode == CAMP_PREVIEW)
			preview_offer(cs, r, id, number, name, message, fax, attempts, agent);
		else
			dial(cs, r, id, number, message, fax, attempts, NULL);
	}
	if (!r->active && !r->npreview &&
	    !db_int(cs, 1, "SELECT EXISTS (SELECT 1 FROM contact WHERE campaign = %Q AND status IN ('pending', "
			   "'dialing', 'preview'))", r->name))
		set_state(cs, r, CS_FINISHED);
}

/* The attempt is over: its row, the contact's new status, the next attempt. */
static void finish(struct dial *d)
{
	struct campaigns *cs = d->cs;
	struct crun *r = d->r;
	const struct ctid_campaign *c = r->cfg;
	int64_t now = wall_ms(cs->s);
	if (d->result == CR_NONE)
		d->result = CR_ERROR;
	const char *status = "done";
	int64_t next = 0;
	if (!d->success) {
		const struct camp_retry *rt = &c->retry[d->result];
		if (d->attempt < 1 + rt->retries) {
			status = "pending";
			next = now + (int64_t)rt->delay_s * 1000;
		} else {
			status = "failed";
		}
	}
	char answer[24] = "NULL";
	if (d->answered)
		snprintf(answer, sizeof(answer), "%lld", (long long)d->answer_ms);
	db_exec(cs, "INSERT INTO attempt (campaign, contact, attempt, number, start_ms, answer_ms, end_ms, result, cause, "
		    "fax_pages, channel) VALUES (%Q, %lld, %d, %Q, %lld, %s, %lld, %Q, NULLIF(%d, 0), %d, %d)",
		r->name, (long long)d->contact, d->attempt, d->number, (long long)d->start_ms, answer, (long long)now,
		camp_result_name(d->result), d->cause, d->fax_pages, d->channel);
	db_exec(cs, "UPDATE contact SET status = %Q, result = %Q, cause = NULLIF(%d, 0), fax_pages = %d, next_ms = %lld, "
		    "queue = NULLIF(%Q, '') WHERE id = %lld",
		status, camp_result_name(d->result), d->cause, d->fax_pages, (long long)next, d->handed ? c->queue : "",
		(long long)d->contact);
	logmsg(cs->s, "campaign %s: %s attempt %d: %s, %s%s", r->name, d->number, d->attempt,
	       camp_result_name(d->result), status, !strcmp(status, "pending") ? " (retry later)" : "");
	if (d->timer > 0)
		cti_timer_cancel(cs->s->ctx, d->timer);
	enum acd_agent_state ast;
	int reason;
	if (d->agent[0] && !d->handed && !acd_agent_state(cs->s->acd, d->agent, &ast, &reason) &&
	    ast == ACD_NOT_READY && reason == CAMP_PREVIEW_REASON)
		acd_agent_ready(cs->s->acd, d->agent, now_ms(cs));	/* nobody to talk to: free again */
	for (struct dial **pp = &cs->dials; *pp; pp = &(*pp)->next)
		if (*pp == d) {
			*pp = d->next;
			break;
		}
	r->active--;
	progress_event(cs, r, d, status);
	free(d);
	pump(cs, r);
}

/* A person answered (or the machine's greeting ended): the message, or the agents. */
static void deliver(struct dial *d)
{
	struct server *s = d->cs->s;
	const struct ctid_campaign *c = d->r->cfg;
	if (c->mode != CAMP_BROADCAST && d->result == CR_VOICE) {
		char user[64];
		snprintf(user, sizeof(user), "campaign:%s", c->name);
		cti_call_t *call = d->call;
		d->call = NULL;	/* the ACD's call from now on */
		d->success = d->handed = true;
		if (!server_adopt(s, call, d->number, c->caller_id, c->queue, user, d->agent[0] ? d->agent : NULL)) {
			cti_call_set_user(call, NULL);
			cti_call_hangup(call, 47, CTI_LOC_DEFAULT);
			d->success = d->handed = false;
			d->result = CR_ERROR;
		}
		finish(d);
		return;
	}
	if (!d->has_message) {
		hangup(d, d->result);
		return;
	}
	d->op = cti_play_file(d->call, d->media, NULL);
	if (d->op <= 0) {
		logmsg(s, "campaign %s: %s: cannot play %s: %s", c->name, d->number, d->media, cti_last_error());
		hangup(d, CR_ERROR);
		d->result = CR_ERROR;
		return;
	}
	d->phase = D_MESSAGE;
}

static void start_fax(struct dial *d)
{
	cti_fax_params_t fp;
	cti_fax_doc_t doc = { d->media, 0, 0 };
	cti_fax_params_init(&fp);
	fp.docs = &doc;
	fp.ndocs = 1;
	if (d->cpa > 0)
		cti_stop(d->call, d->cpa);
	d->cpa = 0;
	d->op = cti_fax_send(d->call, &fp);
	if (d->op <= 0) {
		logmsg(d->cs->s, "campaign %s: %s: cannot send %s: %s", d->r->name, d->number, d->media, cti_last_error());
		hangup(d, CR_FAX_FAILED);
		return;
	}
	d->phase = D_FAX;
}

static enum camp_result cause_result(int cause)
{
	switch (cause) {
	case 17:
	case 21:
		return CR_BUSY;
	case 18:
	case 19:
		return CR_NO_ANSWER;
	case 1:
	case 3:
	case 22:
	case 28:
		return CR_SIT;
	case 34:
	case 38:
	case 41:
	case 42:
	case 44:
		return CR_CONGESTION;
	default:
		return CR_ERROR;
	}
}

static void cpa_done(struct dial *d, int cpa)
{
	d->cpa = 0;
	if (d->phase != D_DIALING && d->phase != D_ANSWERED)
		return;
	const struct ctid_campaign *c = d->r->cfg;
	if ((cpa == CTI_CPA_VOICE || cpa == CTI_CPA_MACHINE) && !d->answered) {
		hangup(d, CR_SIT);	/* speech before any answer: a network announcement ("not in service") */
		return;
	}
	switch (cpa) {
	case CTI_CPA_VOICE:
		d->result = CR_VOICE;
		if (d->is_fax) {	/* a person on a fax number: try the fax anyway, T.30 decides */
			start_fax(d);
			return;
		}
		deliver(d);
		return;
	case CTI_CPA_MACHINE:
		d->result = CR_MACHINE;
		if (d->is_fax) {
			start_fax(d);
			return;
		}
		if (!c->machine_message || !d->has_message) {
			hangup(d, CR_MACHINE);
			return;
		}
		/* Wait for the end of the greeting: one second of silence after it (at most 60 s). */
		cti_term_t t;
		cti_term_init(&t);
		t.max_silence_ms = 1000;
		t.initial_silence_ms = 1000;
		t.max_time_ms = 60000;
		d->op = cti_get_digits(d->call, &t);
		if (d->op <= 0) {
			deliver(d);
			return;
		}
		d->phase = D_GREETING;
		return;
	case CTI_CPA_FAX:
		if (d->is_fax && d->answered) {
			d->result = CR_FAX;
			start_fax(d);
		} else {
			hangup(d, CR_FAX);
		}
		return;
	case CTI_CPA_BUSY:
		hangup(d, CR_BUSY);
		return;
	case CTI_CPA_NO_ANSWER:
		hangup(d, CR_NO_ANSWER);
		return;
	case CTI_CPA_SIT:
		hangup(d, CR_SIT);
		return;
	case CTI_CPA_CONGESTION:
		hangup(d, CR_CONGESTION);
		return;
	case CTI_CPA_SILENCE:
		if (d->is_fax) {	/* many fax machines answer silently and wait for CNG */
			start_fax(d);
			return;
		}
		hangup(d, CR_SILENCE);
		return;
	default:
		hangup(d, d->answered ? CR_SILENCE : CR_NO_ANSWER);
		return;
	}
}

static void dial_event(struct dial *d, const cti_event_t *ev)
{
	struct server *s = d->cs->s;
	switch (ev->type) {
	case CTI_EV_TIMER:
		d->timer = 0;
		if (!d->answered && d->phase == D_DIALING) {
			logmsg(s, "campaign %s: %s: no answer within %d s", d->r->name, d->number, d->r->cfg->no_answer_s);
			hangup(d, CR_NO_ANSWER);
		}
		return;
	case CTI_EV_CALL_PROCEEDING:
	case CTI_EV_CALL_ALERTING:
	case CTI_EV_CALL_PROGRESS:
		if (ev->channel)
			d->channel = ev->channel;
		start_cpa(d);
		return;
	case CTI_EV_CALL_ANSWERED:
		d->answered = true;
		d->answer_ms = wall_ms(s);
		if (d->timer > 0)
			cti_timer_cancel(s->ctx, d->timer);
		d->timer = 0;
		if (d->phase != D_DIALING)
			return;
		d->phase = D_ANSWERED;
		if (d->is_fax) {	/* the fax's own tones (CNG, then the answerer's CED/DIS) decide */
			d->result = CR_FAX_FAILED;
			start_fax(d);
			return;
		}
		if (d->cpa <= 0) {
			d->phase = D_DIALING;
			start_cpa(d);
			d->phase = D_ANSWERED;
		}
		return;
	case CTI_EV_CPA_DONE:
		cpa_done(d, ev->u.cpa.result);
		return;
	case CTI_EV_OP_DONE:
		if (ev->u.op.id != d->op)
			return;
		d->op = 0;
		if (d->phase == D_GREETING) {
			if (ev->u.op.reason != CTI_TERM_HANGUP)
				deliver(d);
		} else if (d->phase == D_MESSAGE) {
			d->success = ev->u.op.reason == CTI_TERM_EOD;
			logmsg(s, "campaign %s: %s: message %s after %u ms", d->r->name, d->number,
			       d->success ? "played" : "cut", ev->u.op.duration_ms);
			hangup(d, d->result);
		}
		return;
	case CTI_EV_FAX_PAGE:
		d->fax_pages = ev->u.fax.page;
		return;
	case CTI_EV_FAX_DONE:
		d->fax_pages = ev->u.fax.page;
		d->success = ev->u.fax.result == 0 && d->fax_pages > 0;
		d->result = d->success ? CR_FAX : CR_FAX_FAILED;
		logmsg(s, "campaign %s: %s: fax %s, %d pages (%s)", d->r->name, d->number, d->success ? "sent" : "failed",
		       d->fax_pages, ev->u.fax.result_text);
		hangup(d, d->result);
		return;
	case CTI_EV_CALL_HANGUP:
		d->cause = ev->u.hangup.cause;
		if (d->result == CR_NONE || (!d->answered && d->result == CR_ERROR))
			d->result = d->answered ? CR_ERROR : cause_result(d->cause);
		if (d->phase == D_FAX && !d->success)
			d->result = CR_FAX_FAILED;
		d->phase = D_CLEARING;
		cti_call_release(ev->call);
		return;
	case CTI_EV_CALL_RELEASED:
		d->call = NULL;
		finish(d);
		return;
	default:
		return;
	}
}

bool campaigns_offered(struct server *s, const cti_event_t *ev)
{
	return s->camp && s->camp->sim && camp_sim_offered(s->camp->sim, ev);
}

/* ---- life cycle ---- */

static const char schema[] =
	"PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
	"CREATE TABLE IF NOT EXISTS campaign (name TEXT PRIMARY KEY, source TEXT, imported_ms INTEGER, state TEXT);"
	"CREATE TABLE IF NOT EXISTS contact (id INTEGER PRIMARY KEY, campaign TEXT NOT NULL, line INTEGER,"
	" number TEXT NOT NULL, name TEXT, message TEXT, fax TEXT, status TEXT NOT NULL DEFAULT 'pending',"
	" result TEXT, attempts INTEGER NOT NULL DEFAULT 0, next_ms INTEGER NOT NULL DEFAULT 0, last_ms INTEGER,"
	" cause INTEGER, fax_pages INTEGER NOT NULL DEFAULT 0, queue TEXT, UNIQUE (campaign, number));"
	"CREATE TABLE IF NOT EXISTS attempt (id INTEGER PRIMARY KEY, campaign TEXT NOT NULL, contact INTEGER NOT NULL,"
	" attempt INTEGER, number TEXT, start_ms INTEGER, answer_ms INTEGER, end_ms INTEGER, result TEXT,"
	" cause INTEGER, fax_pages INTEGER, channel INTEGER);"
	"CREATE INDEX IF NOT EXISTS contact_due ON contact (campaign, status, next_ms);"
	"CREATE INDEX IF NOT EXISTS attempt_campaign ON attempt (campaign, contact);";

static void bind_runs(struct campaigns *cs)
{
	struct server *s = cs->s;
	for (struct crun *r = cs->runs; r; r = r->next) {
		const struct ctid_campaign *c = ctid_config_campaign(s->cfg, r->name);
		r->configured = c != NULL;
		if (c) {
			r->conf = *c;
			r->cfg = &r->conf;
		}
		const struct ctid_trunk *t = c ? ctid_config_trunk(s->cfg, c->trunk) : NULL;
		r->span = 0;
		r->group[0] = 0;
		if (t && t->is_group)
			snprintf(r->group, sizeof(r->group), "%s", t->span);
		else if (t)
			r->span = cti_span_find(s->ctx, t->span);
	}
}

int campaigns_open(struct server *s, char *err, size_t esize)
{
	struct ctid_config *cfg = s->cfg;
	if (!cfg->ncampaigns && !s->opts.sim_outbound)
		return 0;
	struct campaigns *cs = calloc(1, sizeof(*cs));
	if (!cs) {
		snprintf(err, esize, "out of memory");
		return -1;
	}
	cs->kind = KIND_CAMPAIGN;
	cs->sub = CAMP_SUB_TICK;
	cs->s = s;
	s->camp = cs;
	char path[2 * CTID_PATH_MAX + 2];
	ctid_conf_path(s, cfg->campaign_db, path, sizeof(path));
	char *msg = NULL;
	if (sqlite3_open(path, &cs->db) != SQLITE_OK || sqlite3_busy_timeout(cs->db, 2000) != SQLITE_OK ||
	    sqlite3_exec(cs->db, schema, NULL, NULL, &msg) != SQLITE_OK) {
		snprintf(err, esize, "campaign database %s: %s", path, msg ? msg : sqlite3_errmsg(cs->db));
		sqlite3_free(msg);
		return -1;
	}
	for (int i = 0; i < cfg->ncampaigns; i++) {
		struct crun *r = calloc(1, sizeof(*r));
		if (!r) {
			snprintf(err, esize, "out of memory");
			return -1;
		}
		snprintf(r->name, sizeof(r->name), "%s", cfg->campaigns[i].name);
		r->next = cs->runs;
		cs->runs = r;
	}
	bind_runs(cs);
	if (s->opts.sim_outbound && !(cs->sim = camp_sim_new(s, s->opts.sim_outbound, s->opts.sim_record, err, esize)))
		return -1;
	cs->timer = cti_timer_start(s->ctx, TICK_MS, cs);
	return 0;
}

void campaigns_close(struct server *s)
{
	struct campaigns *cs = s->camp;
	if (!cs)
		return;
	while (cs->runs) {
		struct crun *r = cs->runs;
		cs->runs = r->next;
		while (r->previews) {
			struct preview *p = r->previews;
			r->previews = p->next;
			free(p);
		}
		json_decref(r->snap);
		free(r);
	}
	while (cs->dials) {	/* only if the shutdown ran out of time */
		struct dial *d = cs->dials;
		cs->dials = d->next;
		free(d);
	}
	camp_sim_free(cs->sim);
	sqlite3_close(cs->db);
	free(cs);
	s->camp = NULL;
}

void campaigns_reload(struct server *s)
{
	struct campaigns *cs = s->camp;
	if (!cs)
		return;
	for (int i = 0; i < s->cfg->ncampaigns; i++)
		if (!find_run(cs, s->cfg->campaigns[i].name)) {
			struct crun *r = calloc(1, sizeof(*r));
			if (!r)
				continue;
			snprintf(r->name, sizeof(r->name), "%s", s->cfg->campaigns[i].name);
			r->next = cs->runs;
			cs->runs = r;
		}
	bind_runs(cs);
	for (struct crun *r = cs->runs; r; r = r->next)
		if (!r->configured && r->state == CS_RUNNING) {
			logmsg(s, "campaign %s: no longer configured, paused", r->name);
			r->state = CS_PAUSED;
		}
}

void campaigns_dchan_up(struct server *s, int span)
{
	if (s->camp && span > 0 && span < 256)
		s->camp->dchan[span] = true;
}

void campaigns_event(struct server *s, const cti_event_t *ev)
{
	struct campaigns *cs = s->camp;
	void *u = ev->type == CTI_EV_TIMER ? ev->u.timer.user : ev->call ? cti_call_get_user(ev->call) : NULL;
	if (!cs || !u)
		return;
	switch (((int *)u)[1]) {
	case CAMP_SUB_TICK:
		for (struct crun *r = cs->runs; r; r = r->next)
			if (r->configured) {
				preview_timeouts(cs, r);
				pump(cs, r);
			}
		cs->timer = cti_timer_start(s->ctx, TICK_MS, cs);
		break;
	case CAMP_SUB_DIAL:
		dial_event(u, ev);
		break;
	case CAMP_SUB_FAR:
		camp_sim_event(u, ev);
		break;
	}
}

void campaigns_hangup_all(struct server *s)
{
	struct campaigns *cs = s->camp;
	if (!cs)
		return;
	for (struct crun *r = cs->runs; r; r = r->next)
		if (r->state == CS_RUNNING)
			r->state = CS_PAUSED;	/* in memory only: the database says running, a restart goes on */
	for (struct dial *d = cs->dials; d; d = d->next)
		if (d->call && d->phase != D_CLEARING) {
			d->phase = D_CLEARING;
			if (d->result == CR_NONE)
				d->result = CR_ERROR;
			cti_call_hangup(d->call, 16, CTI_LOC_DEFAULT);
		}
}

bool campaigns_busy(const struct server *s)
{
	return s->camp && (s->camp->dials || camp_sim_up(s->camp->sim));
}

bool campaigns_finished(const struct server *s)
{
	struct crun *r = s->camp && s->opts.campaign ? find_run(s->camp, s->opts.campaign) : NULL;
	return r && r->state == CS_FINISHED && !s->camp->dials && !camp_sim_up(s->camp->sim);
}

/* ---- start, pause, report ---- */

struct import {
	struct camp_contact *rows;
	int n, cap;
	bool oom;
};

static void import_row(void *user, const struct camp_contact *row)
{
	struct import *im = user;
	if (im->n == im->cap) {
		int cap = im->cap ? im->cap * 2 : 64;
		struct camp_contact *p = realloc(im->rows, (size_t)cap * sizeof(*p));
		if (!p) {
			im->oom = true;
			return;
		}
		im->rows = p;
		im->cap = cap;
	}
	im->rows[im->n++] = *row;
}

/* The message or fax of a row (or of the campaign, line 0) can be used: "" or why not. */
static void check_media(struct server *s, const char *what, const char *file, bool fax, char *why, size_t size)
{
	char path[3 * CTID_PATH_MAX + 64], err[512], tmp[3 * CTID_PATH_MAX];
	why[0] = 0;
	if (!file[0])
		return;
	if (tts_is_spec(file)) {
		if (ctid_tts_render(s, s->cfg, file, tmp, sizeof(tmp), err, sizeof(err)))
			snprintf(why, size, "%s: %s", what, err);
		return;
	}
	resolve(s, file, path, sizeof(path));
	if (fax) {
		int n = cti_fax_check_tiff(path);
		if (n <= 0)
			snprintf(why, size, "%s '%s': %s", what, path, cti_last_error());
	} else if (access(path, R_OK)) {
		snprintf(why, size, "%s: cannot read '%s': %s", what, path, strerror(errno));
	}
}

static int import(struct campaigns *cs, const struct ctid_campaign *c, char *err, size_t esize)
{
	struct server *s = cs->s;
	char csv[2 * CTID_PATH_MAX + 2], *errors = NULL, why[1024];
	ctid_conf_path(s, c->contacts, csv, sizeof(csv));
	struct import im = { 0 };
	int n = campaign_contacts_read(csv, c, import_row, &im, &errors);
	size_t len = 0;
	err[0] = 0;
	if (n) {
		snprintf(err, esize, "%s", errors ? errors : "cannot read the contact list");
		free(errors);
		free(im.rows);
		return -1;
	}
	free(errors);
	check_media(s, "message", c->message, false, why, sizeof(why));
	if (why[0])
		len += (size_t)snprintf(err + len, len < esize ? esize - len : 0, "%s\n", why);
	check_media(s, "fax", c->fax, true, why, sizeof(why));
	if (why[0])
		len += (size_t)snprintf(err + len, len < esize ? esize - len : 0, "%s\n", why);
	for (int i = 0; i < im.n; i++) {
		char what[64];
		const struct camp_contact *row = &im.rows[i];
		snprintf(what, sizeof(what), "%s", row->message[0] ? "message" : "fax");
		check_media(s, what, row->message[0] ? row->message : row->fax, !row->message[0], why, sizeof(why));
		if (why[0])
			len += (size_t)snprintf(err + len, len < esize ? esize - len : 0, "%s:%d: %s\n", csv, row->line,
						why);
	}
	if (len || im.oom) {
		if (im.oom)
			snprintf(err, esize, "out of memory");
		free(im.rows);
		return -1;
	}
	int rc = db_exec(cs, "BEGIN");
	rc |= db_exec(cs, "INSERT INTO campaign (name, source, imported_ms, state) VALUES (%Q, %Q, %lld, 'idle')",
		      c->name, csv, (long long)wall_ms(s));
	for (int i = 0; i < im.n && !rc; i++) {
		const struct camp_contact *row = &im.rows[i];
		rc |= db_exec(cs, "INSERT INTO contact (campaign, line, number, name, message, fax) VALUES (%Q, %d, %Q, "
				  "%Q, NULLIF(%Q, ''), NULLIF(%Q, ''))",
			      c->name, row->line, row->number, row->name, row->message, row->fax);
	}
	rc |= db_exec(cs, rc ? "ROLLBACK" : "COMMIT");
	logmsg(s, "campaign %s: %d contacts imported from %s", c->name, im.n, csv);
	free(im.rows);
	if (rc)
		snprintf(err, esize, "campaign %s: the database refused the import (see the log)", c->name);
	return rc ? -1 : 0;
}

int campaign_start(struct server *s, const char *name, const char **ename, char *err, size_t esize)
{
	struct campaigns *cs = s->camp;
	struct crun *r = cs ? find_run(cs, name) : NULL;
	*ename = "invalidCampaign";
	if (!r || !r->configured) {
		snprintf(err, esize, "no [campaign %s]", name);
		return -1;
	}
	if (r->state == CS_RUNNING) {
		*ename = "invalidCampaignState";
		snprintf(err, esize, "campaign %s is already running", name);
		return -1;
	}
	if (!db_int(cs, 0, "SELECT count(*) FROM campaign WHERE name = %Q", name)) {
		*ename = "invalidContacts";
		if (import(cs, r->cfg, err, esize)) {
			logmsg(s, "campaign %s not started: %s", name, err);
			return -1;
		}
	} else {	/* started before (maybe by a ctid that died): calls in flight then count as not made */
		db_exec(cs, "UPDATE contact SET status = 'pending', attempts = max(attempts - 1, 0) WHERE campaign = %Q "
			    "AND status = 'dialing'", name);
		db_exec(cs, "UPDATE contact SET status = 'pending' WHERE campaign = %Q AND status = 'preview'", name);
	}
	r->next_dial = 0;
	set_state(cs, r, CS_RUNNING);
	pump(cs, r);
	return 0;
}

int campaign_pause(struct server *s, const char *name, bool pause, const char **ename, char *err, size_t esize)
{
	struct campaigns *cs = s->camp;
	struct crun *r = cs ? find_run(cs, name) : NULL;
	*ename = "invalidCampaign";
	if (!r || !r->configured) {
		snprintf(err, esize, "no [campaign %s]", name);
		return -1;
	}
	*ename = "invalidCampaignState";
	if (pause && r->state != CS_RUNNING) {
		snprintf(err, esize, "campaign %s is %s, not running", name, state_names[r->state]);
		return -1;
	}
	if (!pause && r->state != CS_PAUSED) {
		snprintf(err, esize, "campaign %s is %s, not paused", name, state_names[r->state]);
		return -1;
	}
	set_state(cs, r, pause ? CS_PAUSED : CS_RUNNING);	/* calls up go on; no new ones while paused */
	if (!pause)
		pump(cs, r);
	return 0;
}

int campaign_preview_reply(struct server *s, const char *agent, bool supervisor, const char *name, int64_t contact,
			   bool accept, const char **ename, char *err, size_t esize)
{
	struct campaigns *cs = s->camp;
	struct crun *r = cs ? find_run(cs, name) : NULL;
	*ename = "invalidCampaign";
	if (!r || !r->configured) {
		snprintf(err, esize, "no [campaign %s]", name);
		return -1;
	}
	struct preview *p = r->previews;
	while (p && p->contact != contact)
		p = p->next;
	if (!p) {
		*ename = "invalidContact";
		snprintf(err, esize, "campaign %s has no contact %lld in preview", name, (long long)contact);
		return -1;
	}
	if (!supervisor && strcmp(agent, p->agent)) {
		*ename = "privilegeViolation";
		snprintf(err, esize, "contact %lld is agent %s's preview", (long long)contact, p->agent);
		return -1;
	}
	logmsg(s, "campaign %s: agent %s %s contact %lld (%s)", name, p->agent, accept ? "accepts" : "rejects",
	       (long long)contact, p->number);
	if (accept) {
		struct preview keep = *p;
		preview_drop(r, p);
		dial(cs, r, keep.contact, keep.number, keep.message, keep.fax, keep.attempts, keep.agent);
		return 0;
	}
	db_exec(cs, "UPDATE contact SET status = 'failed', result = 'skipped' WHERE id = %lld", (long long)contact);
	enum acd_agent_state ast;
	int reason;
	if (!acd_agent_state(s->acd, p->agent, &ast, &reason) && ast == ACD_NOT_READY && reason == CAMP_PREVIEW_REASON)
		acd_agent_ready(s->acd, p->agent, now_ms(cs));
	preview_drop(r, p);
	pump(cs, r);
	return 0;
}

static void csv_field(FILE *out, const char *v, bool last)
{
	if (strpbrk(v, ",\"\n\r")) {
		fputc('"', out);
		for (; *v; v++) {
			if (*v == '"')
				fputc('"', out);
			fputc(*v, out);
		}
		fputc('"', out);
	} else {
		fputs(v, out);
	}
	fputc(last ? '\n' : ',', out);
}

int campaign_report(const char *db_path, const char *name, FILE *out, char *err, size_t esize)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int rc = -1;
	if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
		snprintf(err, esize, "campaign database %s: %s", db_path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_busy_timeout(db, 2000);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM campaign WHERE name = ?", -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, esize, "campaign database %s: %s", db_path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (sqlite3_step(st) != SQLITE_ROW || !sqlite3_column_int(st, 0)) {
		snprintf(err, esize, "campaign %s: not in %s (never started)", name, db_path);
		goto out;
	}
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db,
			       "SELECT number, coalesce(name, ''), status, coalesce(result, ''), attempts, "
			       "coalesce(last_ms, ''), coalesce(cause, ''), fax_pages, coalesce(queue, '') "
			       "FROM contact WHERE campaign = ? ORDER BY line",
			       -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, esize, "campaign database %s: %s", db_path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	fputs("number,name,status,result,attempts,last_attempt_ms,cause,fax_pages,queue\n", out);
	int r;
	while ((r = sqlite3_step(st)) == SQLITE_ROW)
		for (int i = 0; i < 9; i++)
			csv_field(out, (const char *)sqlite3_column_text(st, i), i == 8);
	if (r != SQLITE_DONE) {
		snprintf(err, esize, "campaign database %s: %s", db_path, sqlite3_errmsg(db));
		goto out;
	}
	rc = fflush(out) ? -1 : 0;
	if (rc)
		snprintf(err, esize, "writing the report: %s", strerror(errno));
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	return rc;
}
