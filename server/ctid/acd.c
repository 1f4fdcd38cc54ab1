/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * acd.c - ctid's automatic call distribution engine (see acd.h).
 *
 * Sizes: a site has up to a few thousand agents and at most a few hundred
 * calls in queue, so agents, queues and calls are plain arrays searched
 * linearly; routing sorts the waiting calls and scans the agents once per
 * call, and stops at once when no agent is READY (the common case at peak).
 */
#include "acd.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum call_state { CALL_WAITING, CALL_RINGING, CALL_TALKING };

struct agent {
	struct acd_agent_cfg cfg;
	enum acd_agent_state state;
	int reason;
	uint64_t idle_since;	/* READY since (routing key for longest idle) */
	uint64_t wrapup_until;
	uint64_t call;		/* ringing / talking call */
	enum acd_agent_state before;	/* acd_agent_busy(): the state to go back to */
	int before_reason;
};

struct queue {
	struct acd_queue_cfg cfg;
	struct acd_queue_stats st;	/* counters; the live fields are computed */
};

struct call {
	uint64_t id;
	int queue;		/* index */
	int agent;		/* index while RINGING/TALKING, else -1 */
	enum call_state state;
	bool vip;
	bool answered;		/* an agent answered it once (a transfer rings another) */
	uint64_t arrived;	/* into the ACD: routing order */
	uint64_t queued_at;	/* into the current queue: overflow, max wait, service level */
};

struct acd {
	struct agent *agents;
	size_t nagents, cap_agents;
	struct queue *queues;
	size_t nqueues, cap_queues;
	struct call *calls;
	size_t ncalls, cap_calls;
	char (*vips)[ACD_ANI_MAX];
	size_t nvips, cap_vips;
	struct acd_event *events;
	size_t ev_head, ev_count, cap_events;	/* ring */
	uint64_t next_call_id;
	int *order;		/* scratch for routing: the ready agents */
	size_t cap_order;
	const struct acd_backend *be;	/* an outside engine decides (cluster mode), or NULL */
};

static int grow(void **arr, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap * 2 : 16;
	while (n < need)
		n *= 2;
	void *p = realloc(*arr, n * elem);
	if (!p)
		return ACD_ENOMEM;
	*arr = p;
	*cap = n;
	return 0;
}

const char *acd_strerror(int err)
{
	switch (err) {
	case ACD_OK: return "ok";
	case ACD_ENOENT: return "no such agent, queue or call";
	case ACD_EEXIST: return "already exists";
	case ACD_ESTATE: return "not allowed in the current state";
	case ACD_EINVAL: return "invalid argument";
	case ACD_ENOMEM: return "out of memory";
	case ACD_EUNAVAIL: return "the cluster store (Redis) cannot be reached";
	}
	return "unknown error";
}

const char *acd_state_name(enum acd_agent_state s)
{
	switch (s) {
	case ACD_LOGGED_OUT: return "LoggedOut";
	case ACD_READY: return "Ready";
	case ACD_NOT_READY: return "NotReady";
	case ACD_RINGING: return "Ringing";
	case ACD_TALKING: return "Talking";
	case ACD_WRAPUP: return "WorkingAfterCall";
	}
	return "?";
}

acd_t *acd_new(void)
{
	acd_t *acd = calloc(1, sizeof(*acd));
	if (acd)
		acd->next_call_id = 1;
	return acd;
}

void acd_free(acd_t *acd)
{
	if (!acd)
		return;
	free(acd->agents);
	free(acd->queues);
	free(acd->calls);
	free(acd->vips);
	free(acd->events);
	free(acd->order);
	free(acd);
}

static int find_queue(const acd_t *acd, const char *name)
{
	for (size_t i = 0; i < acd->nqueues; i++)
		if (!strcmp(acd->queues[i].cfg.name, name))
			return (int)i;
	return -1;
}

static int find_agent(const acd_t *acd, const char *id)
{
	if (!id)
		return -1;
	for (size_t i = 0; i < acd->nagents; i++)
		if (!strcmp(acd->agents[i].cfg.id, id))
			return (int)i;
	return -1;
}

static int find_call(const acd_t *acd, uint64_t id)
{
	for (size_t i = 0; i < acd->ncalls; i++)
		if (acd->calls[i].id == id)
			return (int)i;
	return -1;
}

static bool skills_valid(int n, const struct acd_skill *s)
{
	if (n < 0 || n > ACD_MAX_SKILLS)
		return false;
	for (int i = 0; i < n; i++)
		if (!s[i].name[0] || s[i].level < 1 || s[i].level > 100)
			return false;
	return true;
}

static bool queue_cfg_valid(const struct acd_queue_cfg *cfg)
{
	return cfg && cfg->name[0] && skills_valid(cfg->nskills, cfg->skills) &&
	       (cfg->strategy == ACD_LONGEST_IDLE || cfg->strategy == ACD_BEST_SKILL);
}

int acd_add_queue(acd_t *acd, const struct acd_queue_cfg *cfg)
{
	if (!queue_cfg_valid(cfg))
		return ACD_EINVAL;
	if (find_queue(acd, cfg->name) >= 0)
		return ACD_EEXIST;
	if (grow((void **)&acd->queues, &acd->cap_queues, acd->nqueues + 1, sizeof(*acd->queues)))
		return ACD_ENOMEM;
	struct queue *q = &acd->queues[acd->nqueues++];
	memset(q, 0, sizeof(*q));
	q->cfg = *cfg;
	return ACD_OK;
}

int acd_update_queue(acd_t *acd, const struct acd_queue_cfg *cfg)
{
	if (!queue_cfg_valid(cfg))
		return ACD_EINVAL;
	int qi = find_queue(acd, cfg->name);
	if (qi < 0)
		return ACD_ENOENT;
	acd->queues[qi].cfg = *cfg;
	return ACD_OK;
}

int acd_queue_config(const acd_t *acd, const char *queue, struct acd_queue_cfg *cfg)
{
	int qi = find_queue(acd, queue);
	if (qi < 0)
		return ACD_ENOENT;
	*cfg = acd->queues[qi].cfg;
	return ACD_OK;
}

int acd_add_agent(acd_t *acd, const struct acd_agent_cfg *cfg)
{
	if (!cfg || !cfg->id[0] || !skills_valid(cfg->nskills, cfg->skills))
		return ACD_EINVAL;
	if (find_agent(acd, cfg->id) >= 0)
		return ACD_EEXIST;
	if (grow((void **)&acd->agents, &acd->cap_agents, acd->nagents + 1, sizeof(*acd->agents)))
		return ACD_ENOMEM;
	struct agent *a = &acd->agents[acd->nagents++];
	memset(a, 0, sizeof(*a));
	a->cfg = *cfg;
	a->state = ACD_LOGGED_OUT;
	return ACD_OK;
}

int acd_update_agent(acd_t *acd, const struct acd_agent_cfg *cfg)
{
	if (!cfg || !skills_valid(cfg->nskills, cfg->skills))
		return ACD_EINVAL;
	int ai = find_agent(acd, cfg->id);
	if (ai < 0)
		return ACD_ENOENT;
	acd->agents[ai].cfg = *cfg;
	return ACD_OK;
}

int acd_add_vip(acd_t *acd, const char *ani)
{
	if (!ani || !ani[0] || strlen(ani) >= ACD_ANI_MAX)
		return ACD_EINVAL;
	if (grow((void **)&acd->vips, &acd->cap_vips, acd->nvips + 1, sizeof(*acd->vips)))
		return ACD_ENOMEM;
	strcpy(acd->vips[acd->nvips++], ani);
	return ACD_OK;
}

void acd_clear_vips(acd_t *acd)
{
	acd->nvips = 0;
}

bool acd_is_vip(const acd_t *acd, const char *ani)
{
	if (!ani)
		return false;
	for (size_t i = 0; i < acd->nvips; i++)
		if (!strcmp(acd->vips[i], ani))
			return true;
	return false;
}

/* ---- events ---- */

static struct acd_event *push_event(acd_t *acd, enum acd_event_type type, uint64_t now)
{
	if (acd->ev_count == acd->cap_events) {
		/* Unroll the ring into a bigger array. */
		size_t n = acd->cap_events ? acd->cap_events * 2 : 64;
		struct acd_event *p = malloc(n * sizeof(*p));
		if (!p)
			return NULL;
		for (size_t i = 0; i < acd->ev_count; i++)
			p[i] = acd->events[(acd->ev_head + i) % acd->cap_events];
		free(acd->events);
		acd->events = p;
		acd->cap_events = n;
		acd->ev_head = 0;
	}
	struct acd_event *ev = &acd->events[(acd->ev_head + acd->ev_count++) % acd->cap_events];
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->time_ms = now;
	return ev;
}

int acd_next_event(acd_t *acd, struct acd_event *ev)
{
	if (!acd->ev_count)
		return 0;
	*ev = acd->events[acd->ev_head];
	acd->ev_head = (acd->ev_head + 1) % acd->cap_events;
	acd->ev_count--;
	return 1;
}

static void set_state(acd_t *acd, struct agent *a, enum acd_agent_state s, int reason, uint64_t now)
{
	struct acd_event *ev = push_event(acd, ACD_EV_AGENT_STATE, now);
	if (ev) {
		snprintf(ev->agent, sizeof(ev->agent), "%s", a->cfg.id);
		ev->old_state = a->state;
		ev->new_state = s;
		ev->reason_code = s == ACD_NOT_READY ? reason : 0;
	}
	a->state = s;
	a->reason = s == ACD_NOT_READY ? reason : 0;
	if (s == ACD_READY)
		a->idle_since = now;
}

/* ---- routing ---- */

static int agent_skill(const struct agent *a, const char *skill)
{
	for (int i = 0; i < a->cfg.nskills; i++)
		if (!strcasecmp(a->cfg.skills[i].name, skill))
			return a->cfg.skills[i].level;
	return 0;
}

/* Sum of the required skills' levels, or -1 if the agent lacks one. */
static int skill_score(const struct agent *a, const struct acd_queue_cfg *q)
{
	int sum = 0;
	for (int i = 0; i < q->nskills; i++) {
		int l = agent_skill(a, q->skills[i].name);
		if (l < q->skills[i].level)
			return -1;
		sum += l;
	}
	return sum;
}

/* Serving order: queue priority (higher first), VIP first, arrival, id. < 0: a before b. */
static int call_cmp(const acd_t *acd, const struct call *a, const struct call *b)
{
	int pra = acd->queues[a->queue].cfg.priority, prb = acd->queues[b->queue].cfg.priority;
	if (pra != prb)
		return pra > prb ? -1 : 1;
	if (a->vip != b->vip)
		return a->vip ? -1 : 1;
	if (a->arrived != b->arrived)
		return a->arrived < b->arrived ? -1 : 1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* The agent (index into ready[], -1: none) the queue's strategy picks among the ready ones. */
static int pick_agent(const acd_t *acd, const int *ready, size_t nready, const struct acd_queue_cfg *q)
{
	int best = -1, best_score = -1;
	for (size_t k = 0; k < nready; k++) {
		const struct agent *a = &acd->agents[ready[k]];
		int score = skill_score(a, q);
		if (score < 0)
			continue;
		if (q->strategy != ACD_BEST_SKILL)
			score = 0;
		if (best < 0 || score > best_score ||
		    (score == best_score && a->idle_since < acd->agents[ready[best]].idle_since)) {
			best = (int)k;
			best_score = score;
		}
	}
	return best;
}

/*
 * Deliver calls while a ready agent can take one: each round the first call
 * in serving order that some ready agent qualifies for gets the agent its
 * queue's strategy picks. No sort: a round is one pass over the waiting
 * calls, checking eligibility only for calls ahead of the best found so
 * far, and there are at most as many rounds as ready agents. So an overload
 * (many waiting, few ready) costs O(waiting) per event, not O(waiting x agents).
 */
static void route(acd_t *acd, uint64_t now)
{
	if (!acd->ncalls)
		return;
	if (grow((void **)&acd->order, &acd->cap_order, acd->nagents, sizeof(*acd->order)))
		return;
	int *ready = acd->order;
	size_t nready = 0;
	for (size_t i = 0; i < acd->nagents; i++)
		if (acd->agents[i].state == ACD_READY)
			ready[nready++] = (int)i;
	while (nready) {
		int best = -1, best_k = -1;
		for (size_t i = 0; i < acd->ncalls; i++) {
			const struct call *c = &acd->calls[i];
			if (c->state != CALL_WAITING || (best >= 0 && call_cmp(acd, c, &acd->calls[best]) > 0))
				continue;
			int k = pick_agent(acd, ready, nready, &acd->queues[c->queue].cfg);
			if (k >= 0) {
				best = (int)i;
				best_k = k;
			}
		}
		if (best < 0)
			return;
		struct call *c = &acd->calls[best];
		struct queue *q = &acd->queues[c->queue];
		struct agent *a = &acd->agents[ready[best_k]];
		ready[best_k] = ready[--nready];
		c->state = CALL_RINGING;
		c->agent = (int)(a - acd->agents);
		a->call = c->id;
		struct acd_event *ev = push_event(acd, ACD_EV_DELIVER, now);
		if (ev) {
			ev->call = c->id;
			snprintf(ev->agent, sizeof(ev->agent), "%s", a->cfg.id);
			snprintf(ev->queue, sizeof(ev->queue), "%s", q->cfg.name);
		}
		set_state(acd, a, ACD_RINGING, 0, now);
	}
}

static void remove_call(acd_t *acd, int ci)
{
	acd->calls[ci] = acd->calls[--acd->ncalls];
}

static void run_timers(acd_t *acd, uint64_t now)
{
	for (size_t i = 0; i < acd->nagents; i++) {
		struct agent *a = &acd->agents[i];
		if (a->state == ACD_WRAPUP && now >= a->wrapup_until) {
			set_state(acd, a, ACD_READY, 0, a->wrapup_until);
			a->idle_since = a->wrapup_until;
		}
	}
	for (size_t i = 0; i < acd->ncalls;) {
		struct call *c = &acd->calls[i];
		struct queue *q = &acd->queues[c->queue];
		if (c->state != CALL_WAITING) {
			i++;
			continue;
		}
		uint64_t waited = now - c->queued_at;
		bool maxwait = q->cfg.max_wait_ms && waited >= q->cfg.max_wait_ms;
		bool overflow = !maxwait && q->cfg.overflow_ms && q->cfg.overflow_to[0] &&
				waited >= q->cfg.overflow_ms;
		if (!maxwait && !overflow) {
			i++;
			continue;
		}
		int to = overflow ? find_queue(acd, q->cfg.overflow_to) : -1;
		if (overflow && to >= 0 && to != c->queue) {
			q->st.overflowed++;
			c->queue = to;
			c->queued_at = now;
			acd->queues[to].st.offered++;
			struct acd_event *ev = push_event(acd, ACD_EV_MOVED, now);
			if (ev) {
				ev->call = c->id;
				snprintf(ev->queue, sizeof(ev->queue), "%s", acd->queues[to].cfg.name);
				snprintf(ev->target, sizeof(ev->target), "%s", q->cfg.name);	/* from */
			}
			i++;
			continue;
		}
		if (overflow && to == c->queue) {	/* overflow into itself: nothing to do */
			i++;
			continue;
		}
		struct acd_event *ev = push_event(acd, ACD_EV_LEAVE, now);
		if (ev) {
			ev->call = c->id;
			snprintf(ev->queue, sizeof(ev->queue), "%s", q->cfg.name);
			snprintf(ev->target, sizeof(ev->target), "%s",
				 maxwait ? (q->cfg.max_wait_to[0] ? q->cfg.max_wait_to : "hangup") : q->cfg.overflow_to);
			ev->reason = maxwait ? ACD_LEAVE_MAX_WAIT : ACD_LEAVE_OVERFLOW;
		}
		if (maxwait)
			q->st.timed_out++;
		else
			q->st.overflowed++;
		remove_call(acd, (int)i);	/* the last call moved into slot i: look at it next */
	}
}

void acd_tick(acd_t *acd, uint64_t now)
{
	if (acd->be) {
		acd->be->tick(acd->be->ctx);
		return;
	}
	run_timers(acd, now);
	route(acd, now);
}

uint64_t acd_next_deadline(const acd_t *acd)
{
	if (acd->be)
		return UINT64_MAX;	/* the backend keeps its own time */
	uint64_t t = UINT64_MAX;
	for (size_t i = 0; i < acd->nagents; i++)
		if (acd->agents[i].state == ACD_WRAPUP && acd->agents[i].wrapup_until < t)
			t = acd->agents[i].wrapup_until;
	for (size_t i = 0; i < acd->ncalls; i++) {
		const struct call *c = &acd->calls[i];
		const struct acd_queue_cfg *q = &acd->queues[c->queue].cfg;
		if (c->state != CALL_WAITING)
			continue;
		if (q->max_wait_ms && c->queued_at + q->max_wait_ms < t)
			t = c->queued_at + q->max_wait_ms;
		if (q->overflow_ms && q->overflow_to[0] && strcmp(q->overflow_to, q->name) &&
		    c->queued_at + q->overflow_ms < t)
			t = c->queued_at + q->overflow_ms;
	}
	return t;
}

/* ---- agent commands ---- */

int acd_agent_login(acd_t *acd, const char *agent, uint64_t now)
{
	if (acd->be)
		return acd->be->agent(acd->be->ctx, ACD_OP_LOGIN, agent, 0);
	int ai = find_agent(acd, agent);
	if (ai < 0)
		return ACD_ENOENT;
	if (acd->agents[ai].state != ACD_LOGGED_OUT)
		return ACD_ESTATE;
	set_state(acd, &acd->agents[ai], ACD_NOT_READY, 0, now);
	acd_tick(acd, now);
	return ACD_OK;
}

int acd_agent_logout(acd_t *acd, const char *agent, uint64_t now)
{
	if (acd->be)
		return acd->be->agent(acd->be->ctx, ACD_OP_LOGOUT, agent, 0);
	int ai = find_agent(acd, agent);
	if (ai < 0)
		return ACD_ENOENT;
	struct agent *a = &acd->agents[ai];
	if (a->state == ACD_LOGGED_OUT || a->state == ACD_RINGING || a->state == ACD_TALKING)
		return ACD_ESTATE;
	set_state(acd, a, ACD_LOGGED_OUT, 0, now);
	acd_tick(acd, now);
	return ACD_OK;
}

int acd_agent_ready(acd_t *acd, const char *agent, uint64_t now)
{
	if (acd->be)
		return acd->be->agent(acd->be->ctx, ACD_OP_READY, agent, 0);
	int ai = find_agent(acd, agent);
	if (ai < 0)
		return ACD_ENOENT;
	struct agent *a = &acd->agents[ai];
	if (a->state != ACD_NOT_READY && a->state != ACD_WRAPUP && a->state != ACD_READY)
		return ACD_ESTATE;
	if (a->state != ACD_READY)
		set_state(acd, a, ACD_READY, 0, now);
	acd_tick(acd, now);
	return ACD_OK;
}

int acd_agent_not_ready(acd_t *acd, const char *agent, int reason, uint64_t now)
{
	if (acd->be)
		return acd->be->agent(acd->be->ctx, ACD_OP_NOT_READY, agent, reason);
	int ai = find_agent(acd, agent);
	if (ai < 0)
		return ACD_ENOENT;
	if (reason < 0)
		return ACD_EINVAL;
	struct agent *a = &acd->agents[ai];
	if (a->state != ACD_READY && a->state != ACD_WRAPUP && a->state != ACD_NOT_READY)
		return ACD_ESTATE;
	set_state(acd, a, ACD_NOT_READY, reason, now);
	acd_tick(acd, now);
	return ACD_OK;
}

int acd_agent_state(const acd_t *acd, const char *agent, enum acd_agent_state *state, int *reason)
{
	if (acd->be)
		return acd->be->agent_state(acd->be->ctx, agent, state, reason, NULL);
	int ai = find_agent(acd, agent);
	if (ai < 0)
		return ACD_ENOENT;
	if (state)
		*state = acd->agents[ai].state;
	if (reason)
		*reason = acd->agents[ai].reason;
	return ACD_OK;
}

uint64_t acd_agent_call(const acd_t *acd, const char *agent)
{
	if (acd->be) {
		uint64_t call = 0;
		return acd->be->agent_state(acd->be->ctx, agent, NULL, NULL, &call) ? 0 : call;
	}
	int ai = find_agent(acd, agent);
	if (ai < 0)
		return 0;
	const struct agent *a = &acd->agents[ai];
	return a->state == ACD_RINGING || a->state == ACD_TALKING ? a->call : 0;
}

const char *acd_agent_position(const acd_t *acd, const char *agent)
{
	if (acd->be)
		return acd->be->agent_position(acd->be->ctx, agent);
	int ai = find_agent(acd, agent);
	return ai < 0 ? NULL : acd->agents[ai].cfg.position;
}

/* ---- calls ---- */

int64_t acd_enqueue(acd_t *acd, const char *queue, const char *ani, uint64_t now)
{
	if (!queue)
		return ACD_EINVAL;
	int qi = find_queue(acd, queue);
	if (qi < 0)
		return ACD_ENOENT;
	if (acd->be)
		return acd->be->enqueue(acd->be->ctx, queue, ani, acd_is_vip(acd, ani));
	if (grow((void **)&acd->calls, &acd->cap_calls, acd->ncalls + 1, sizeof(*acd->calls)))
		return ACD_ENOMEM;
	struct call *c = &acd->calls[acd->ncalls++];
	memset(c, 0, sizeof(*c));
	c->id = acd->next_call_id++;
	c->queue = qi;
	c->agent = -1;
	c->state = CALL_WAITING;
	c->vip = acd_is_vip(acd, ani);
	c->arrived = now;
	c->queued_at = now;
	acd->queues[qi].st.offered++;
	int64_t id = (int64_t)c->id;
	acd_tick(acd, now);
	return id;
}

int acd_answered(acd_t *acd, uint64_t call, uint64_t now)
{
	if (acd->be)
		return acd->be->call(acd->be->ctx, ACD_OP_ANSWERED, call, NULL);
	int ci = find_call(acd, call);
	if (ci < 0)
		return ACD_ENOENT;
	struct call *c = &acd->calls[ci];
	if (c->state != CALL_RINGING)
		return ACD_ESTATE;
	struct queue *q = &acd->queues[c->queue];
	uint64_t waited = now - c->queued_at;
	if (!c->answered) {	/* a transferred call was counted when first answered */
		q->st.answered++;
		q->st.total_answer_wait_ms += waited;
		if (waited <= q->cfg.service_level_ms)
			q->st.answered_in_sl++;
	}
	c->answered = true;
	c->state = CALL_TALKING;
	set_state(acd, &acd->agents[c->agent], ACD_TALKING, 0, now);
	return ACD_OK;
}

int acd_no_answer(acd_t *acd, uint64_t call, uint64_t now)
{
	if (acd->be)
		return acd->be->call(acd->be->ctx, ACD_OP_NO_ANSWER, call, NULL);
	int ci = find_call(acd, call);
	if (ci < 0)
		return ACD_ENOENT;
	struct call *c = &acd->calls[ci];
	if (c->state != CALL_RINGING)
		return ACD_ESTATE;
	struct agent *a = &acd->agents[c->agent];
	a->call = 0;
	c->state = CALL_WAITING;	/* keeps its arrival time: first in line again */
	c->agent = -1;
	set_state(acd, a, ACD_NOT_READY, ACD_REASON_NO_ANSWER, now);
	acd_tick(acd, now);
	return ACD_OK;
}

int acd_abandon(acd_t *acd, uint64_t call, uint64_t now)
{
	if (acd->be)
		return acd->be->call(acd->be->ctx, ACD_OP_ABANDON, call, NULL);
	int ci = find_call(acd, call);
	if (ci < 0)
		return ACD_ENOENT;
	struct call *c = &acd->calls[ci];
	if (c->state == CALL_TALKING)
		return ACD_ESTATE;
	struct queue *q = &acd->queues[c->queue];
	if (!c->answered) {
		q->st.abandoned++;
		if (now - c->queued_at <= q->cfg.service_level_ms)
			q->st.abandoned_in_sl++;
	}
	if (c->state == CALL_RINGING) {
		struct agent *a = &acd->agents[c->agent];
		uint64_t idle = a->idle_since;
		a->call = 0;
		set_state(acd, a, ACD_READY, 0, now);
		a->idle_since = idle;	/* never talked: keeps its place in line */
	}
	remove_call(acd, ci);
	acd_tick(acd, now);
	return ACD_OK;
}

int acd_call_end(acd_t *acd, uint64_t call, uint64_t now)
{
	if (acd->be)
		return acd->be->call(acd->be->ctx, ACD_OP_END, call, NULL);
	int ci = find_call(acd, call);
	if (ci < 0)
		return ACD_ENOENT;
	struct call *c = &acd->calls[ci];
	if (c->state != CALL_TALKING)
		return ACD_ESTATE;
	struct agent *a = &acd->agents[c->agent];
	uint64_t wrap = acd->queues[c->queue].cfg.wrapup_ms;
	a->call = 0;
	if (wrap) {
		a->wrapup_until = now + wrap;
		set_state(acd, a, ACD_WRAPUP, 0, now);
	} else {
		set_state(acd, a, ACD_READY, 0, now);
	}
	remove_call(acd, ci);
	acd_tick(acd, now);
	return ACD_OK;
}

int acd_transfer(acd_t *acd, uint64_t call, const char *to, uint64_t now)
{
	if (acd->be)
		return to ? acd->be->call(acd->be->ctx, ACD_OP_TRANSFER, call, to) : ACD_EINVAL;
	int ci = find_call(acd, call);
	if (ci < 0)
		return ACD_ENOENT;
	int ti = find_agent(acd, to);
	if (ti < 0)
		return ACD_ENOENT;
	struct call *c = &acd->calls[ci];
	struct agent *t = &acd->agents[ti];
	if (c->state != CALL_TALKING || t->state != ACD_READY || c->agent == ti)
		return ACD_ESTATE;
	/* The first agent's part ends as a call end (wrap-up) ... */
	struct agent *a = &acd->agents[c->agent];
	uint64_t wrap = acd->queues[c->queue].cfg.wrapup_ms;
	a->call = 0;
	if (wrap) {
		a->wrapup_until = now + wrap;
		set_state(acd, a, ACD_WRAPUP, 0, now);
	} else {
		set_state(acd, a, ACD_READY, 0, now);
	}
	/* ... and the call is delivered to the target like a routed one. */
	c->state = CALL_RINGING;
	c->agent = ti;
	t->call = c->id;
	struct acd_event *ev = push_event(acd, ACD_EV_DELIVER, now);
	if (ev) {
		ev->call = c->id;
		snprintf(ev->agent, sizeof(ev->agent), "%s", t->cfg.id);
		snprintf(ev->queue, sizeof(ev->queue), "%s", acd->queues[c->queue].cfg.name);
	}
	set_state(acd, t, ACD_RINGING, 0, now);
	acd_tick(acd, now);
	return ACD_OK;
}

int64_t acd_enqueue_agent(acd_t *acd, const char *queue, const char *ani, const char *agent, uint64_t now)
{
	int qi = queue ? find_queue(acd, queue) : -1;
	int ai = agent ? find_agent(acd, agent) : -1;
	if (qi < 0 || ai < 0)
		return ACD_ENOENT;
	struct agent *a = &acd->agents[ai];
	if (a->state != ACD_READY && a->state != ACD_NOT_READY)
		return ACD_ESTATE;
	if (grow((void **)&acd->calls, &acd->cap_calls, acd->ncalls + 1, sizeof(*acd->calls)))
		return ACD_ENOMEM;
	struct call *c = &acd->calls[acd->ncalls++];
	memset(c, 0, sizeof(*c));
	c->id = acd->next_call_id++;
	c->queue = qi;
	c->agent = ai;
	c->state = CALL_RINGING;
	c->vip = acd_is_vip(acd, ani);
	c->arrived = now;
	c->queued_at = now;
	a->call = c->id;
	acd->queues[qi].st.offered++;
	struct acd_event *ev = push_event(acd, ACD_EV_DELIVER, now);
	if (ev) {
		ev->call = c->id;
		snprintf(ev->agent, sizeof(ev->agent), "%s", a->cfg.id);
		snprintf(ev->queue, sizeof(ev->queue), "%s", acd->queues[qi].cfg.name);
	}
	set_state(acd, a, ACD_RINGING, 0, now);
	return (int64_t)c->id;
}

const char *acd_call_queue(const acd_t *acd, uint64_t call)
{
	if (acd->be)
		return acd->be->call_queue(acd->be->ctx, call);
	int ci = find_call(acd, call);
	return ci < 0 ? NULL : acd->queues[acd->calls[ci].queue].cfg.name;
}

int acd_call_position(const acd_t *acd, uint64_t call)
{
	int ci = find_call(acd, call);
	if (ci < 0 || acd->calls[ci].state != CALL_WAITING)
		return 0;
	int pos = 1;
	for (size_t i = 0; i < acd->ncalls; i++)
		if ((int)i != ci && acd->calls[i].state == CALL_WAITING && acd->calls[i].queue == acd->calls[ci].queue &&
		    call_cmp(acd, &acd->calls[i], &acd->calls[ci]) < 0)
			pos++;
	return pos;
}

int acd_queue_stats(const acd_t *acd, const char *queue, uint64_t now, struct acd_queue_stats *st)
{
	int qi = find_queue(acd, queue);
	if (qi < 0 || !st)
		return ACD_ENOENT;
	if (acd->be)
		return acd->be->queue_stats(acd->be->ctx, queue, st);
	*st = acd->queues[qi].st;
	st->waiting = st->ringing = 0;
	st->longest_wait_ms = 0;
	for (size_t i = 0; i < acd->ncalls; i++) {
		const struct call *c = &acd->calls[i];
		if (c->queue != qi)
			continue;
		if (c->state == CALL_WAITING) {
			st->waiting++;
			if (now - c->queued_at > st->longest_wait_ms)
				st->longest_wait_ms = now - c->queued_at;
		} else if (c->state == CALL_RINGING) {
			st->ringing++;
		}
	}
	unsigned den = st->answered + st->abandoned - st->abandoned_in_sl;
	st->service_level_permille = den ? (unsigned)((uint64_t)st->answered_in_sl * 1000 / den) : 1000;
	return ACD_OK;
}

size_t acd_agent_count(const acd_t *acd)
{
	return acd->nagents;
}

size_t acd_memory_per_agent(void)
{
	return sizeof(struct agent);
}

void acd_set_backend(acd_t *acd, const struct acd_backend *be)
{
	acd->be = be;
}

int acd_post_event(acd_t *acd, const struct acd_event *ev)
{
	struct acd_event *e = push_event(acd, ev->type, ev->time_ms);
	if (!e)
		return ACD_ENOMEM;
	*e = *ev;
	return ACD_OK;
}

int acd_agent_busy(acd_t *acd, const char *agent, uint64_t now)
{
	int ai = find_agent(acd, agent);
	if (ai < 0)
		return ACD_ENOENT;
	struct agent *a = &acd->agents[ai];
	if (a->state != ACD_READY && a->state != ACD_NOT_READY && a->state != ACD_WRAPUP)
		return ACD_ESTATE;
	a->before = a->state == ACD_WRAPUP ? ACD_READY : a->state;
	a->before_reason = a->reason;
	set_state(acd, a, ACD_TALKING, 0, now);
	return ACD_OK;
}

int acd_agent_free(acd_t *acd, const char *agent, uint64_t now)
{
	int ai = find_agent(acd, agent);
	if (ai < 0)
		return ACD_ENOENT;
	struct agent *a = &acd->agents[ai];
	if (a->state != ACD_TALKING || a->call)
		return ACD_ESTATE;
	set_state(acd, a, a->before, a->before_reason, now);
	acd_tick(acd, now);
	return ACD_OK;
}
