/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * acd.h - ctid's automatic call distribution engine.
 *
 * Pure logic, no I/O and no clock of its own: every function that can change
 * state takes the current time in milliseconds (any monotonic origin), so the
 * engine is exact and deterministic in virtual time. What the engine decides
 * (deliver this call to that agent, a call leaves its queue, an agent changes
 * state) comes out as events the caller drains with acd_next_event().
 *
 * Agents:  LOGGED_OUT -> READY <-> NOT_READY(reason)
 *          READY -> RINGING (call delivered) -> TALKING (acd_answered)
 *          RINGING -> NOT_READY(ACD_REASON_NO_ANSWER) (acd_no_answer; the call
 *                     goes back to the head of its queue)
 *          TALKING -> WRAPUP (acd_call_end) -> READY when the wrap-up timer
 *                     expires in acd_tick() (or at once by acd_agent_ready()).
 * Calls:   waiting in a queue until an eligible READY agent is found: the
 *          agent must hold every skill the queue requires at least at the
 *          required level. Among eligible agents the queue's strategy picks
 *          the longest idle one (ACD_LONGEST_IDLE) or the one with the highest
 *          sum of the required skills' levels, ties to the longest idle
 *          (ACD_BEST_SKILL). Calls are served by queue priority (higher first),
 *          then VIP callers (ANI in the VIP list) first, then by arrival.
 *          After overflow_ms a waiting call moves to the overflow queue (or
 *          leaves the ACD for an IVR target); after max_wait_ms it leaves.
 */
#ifndef CTID_ACD_H
#define CTID_ACD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ACD_NAME_MAX 32
#define ACD_MAX_SKILLS 16
#define ACD_TARGET_MAX 64
#define ACD_ANI_MAX 32

/* Reason code the engine itself sets when a ringing agent does not answer. */
#define ACD_REASON_NO_ANSWER 9999

typedef struct acd acd_t;

enum acd_agent_state {
	ACD_LOGGED_OUT,
	ACD_READY,
	ACD_NOT_READY,
	ACD_RINGING,
	ACD_TALKING,
	ACD_WRAPUP,
};

enum acd_strategy { ACD_LONGEST_IDLE, ACD_BEST_SKILL };

struct acd_skill {
	char name[ACD_NAME_MAX];
	int level;	/* 1..100; for a queue: the minimum level required */
};

struct acd_queue_cfg {
	char name[ACD_NAME_MAX];
	int priority;			/* higher is served first */
	enum acd_strategy strategy;
	int nskills;
	struct acd_skill skills[ACD_MAX_SKILLS];	/* required */
	uint64_t overflow_ms;		/* 0: never */
	char overflow_to[ACD_TARGET_MAX];	/* a queue name, or any other target (e.g. "ivr:main") */
	uint64_t max_wait_ms;		/* 0: unlimited */
	char max_wait_to[ACD_TARGET_MAX];	/* where the caller goes then (e.g. "hangup") */
	uint64_t service_level_ms;	/* answered within this counts as in service level */
	uint64_t wrapup_ms;		/* wrap-up time after a call of this queue */
};

struct acd_agent_cfg {
	char id[ACD_NAME_MAX];
	char position[ACD_NAME_MAX];	/* number of the agent's position (phone) */
	int nskills;
	struct acd_skill skills[ACD_MAX_SKILLS];
};

enum acd_event_type {
	ACD_EV_DELIVER,		/* call -> agent: ring the agent's position */
	ACD_EV_LEAVE,		/* call left the ACD: overflow to a non-queue target or max wait */
	ACD_EV_MOVED,		/* call overflowed into another queue */
	ACD_EV_AGENT_STATE,	/* agent changed state */
};

enum acd_leave_reason { ACD_LEAVE_OVERFLOW, ACD_LEAVE_MAX_WAIT };

struct acd_event {
	enum acd_event_type type;
	uint64_t time_ms;
	uint64_t call;			/* DELIVER, LEAVE, MOVED */
	char agent[ACD_NAME_MAX];	/* DELIVER, AGENT_STATE */
	char queue[ACD_NAME_MAX];	/* DELIVER, LEAVE: the queue; MOVED: the new queue */
	char target[ACD_TARGET_MAX];	/* LEAVE: where the call goes */
	enum acd_leave_reason reason;	/* LEAVE */
	enum acd_agent_state old_state, new_state;	/* AGENT_STATE */
	int reason_code;		/* AGENT_STATE into NOT_READY */
};

struct acd_queue_stats {
	unsigned waiting;		/* calls waiting now */
	unsigned ringing;		/* calls delivered, agent not answered yet */
	uint64_t longest_wait_ms;	/* of the calls waiting now */
	unsigned offered;		/* calls that entered the queue (also by overflow) */
	unsigned answered;		/* answered by an agent */
	unsigned answered_in_sl;	/* ... within service_level_ms */
	unsigned abandoned;		/* caller hung up while waiting or ringing */
	unsigned abandoned_in_sl;	/* ... within service_level_ms (short abandons) */
	unsigned overflowed;		/* left by overflow (to a queue or elsewhere) */
	unsigned timed_out;		/* left by max wait */
	uint64_t total_answer_wait_ms;	/* sum of waits of answered calls (ASA = this / answered) */
	/* answered_in_sl / (answered + abandoned - abandoned_in_sl), in per mille; 1000 when nothing counted */
	unsigned service_level_permille;
};

/* Error codes (negative returns). */
enum {
	ACD_OK = 0,
	ACD_ENOENT = -1,	/* no such agent / queue / call */
	ACD_EEXIST = -2,	/* duplicate agent / queue */
	ACD_ESTATE = -3,	/* not allowed in the current state */
	ACD_EINVAL = -4,	/* bad argument */
	ACD_ENOMEM = -5,
	ACD_EUNAVAIL = -6,	/* the shared store (cluster mode) cannot be reached */
};
const char *acd_strerror(int err);
const char *acd_state_name(enum acd_agent_state s);

acd_t *acd_new(void);
void acd_free(acd_t *acd);

int acd_add_queue(acd_t *acd, const struct acd_queue_cfg *cfg);
/* Replace a queue's settings (reload): calls waiting in it stay. */
int acd_update_queue(acd_t *acd, const struct acd_queue_cfg *cfg);
int acd_queue_config(const acd_t *acd, const char *queue, struct acd_queue_cfg *cfg);
int acd_add_agent(acd_t *acd, const struct acd_agent_cfg *cfg);
/* Replace an agent's position and skills (reload): the state stays. */
int acd_update_agent(acd_t *acd, const struct acd_agent_cfg *cfg);
int acd_add_vip(acd_t *acd, const char *ani);
void acd_clear_vips(acd_t *acd);

/* Agent commands. Each emits ACD_EV_AGENT_STATE and may deliver calls. */
int acd_agent_login(acd_t *acd, const char *agent, uint64_t now);	/* -> NOT_READY(0) */
int acd_agent_logout(acd_t *acd, const char *agent, uint64_t now);	/* not while RINGING/TALKING */
int acd_agent_ready(acd_t *acd, const char *agent, uint64_t now);	/* from NOT_READY or WRAPUP */
int acd_agent_not_ready(acd_t *acd, const char *agent, int reason, uint64_t now);	/* from READY/WRAPUP/NOT_READY */
int acd_agent_state(const acd_t *acd, const char *agent, enum acd_agent_state *state, int *reason);
/*
 * A call outside the ACD (MakeCall, a consultation): the agent goes TALKING
 * with no ACD call, so nothing is delivered to it, from READY, NOT_READY or
 * WRAPUP; acd_agent_free() puts it back in the state before (WRAPUP: READY).
 * ACD_ESTATE from any other state (free: unless TALKING without an ACD call).
 */
int acd_agent_busy(acd_t *acd, const char *agent, uint64_t now);
int acd_agent_free(acd_t *acd, const char *agent, uint64_t now);
/* The call an agent is ringing or talking on (0: none). */
uint64_t acd_agent_call(const acd_t *acd, const char *agent);
const char *acd_agent_position(const acd_t *acd, const char *agent);

/* A call arrives in a queue; returns its id (> 0) or an error (< 0). */
int64_t acd_enqueue(acd_t *acd, const char *queue, const char *ani, uint64_t now);
/* The agent answered the delivered call. */
int acd_answered(acd_t *acd, uint64_t call, uint64_t now);
/* The agent did not answer: agent -> NOT_READY(ACD_REASON_NO_ANSWER), call back to the head. */
int acd_no_answer(acd_t *acd, uint64_t call, uint64_t now);
/* The caller hung up before an agent answered (waiting or ringing). */
int acd_abandon(acd_t *acd, uint64_t call, uint64_t now);
/* A talking call ended (either side): agent -> WRAPUP (or READY without wrap-up time). */
int acd_call_end(acd_t *acd, uint64_t call, uint64_t now);
/*
 * Single-step transfer of a talking call to a READY agent: the current agent
 * goes to wrap-up, the target gets ACD_EV_DELIVER (RINGING). Queue statistics
 * count the call once. ACD_ESTATE if the call is not talking or the target
 * not ready.
 */
int acd_transfer(acd_t *acd, uint64_t call, const char *to, uint64_t now);
/*
 * A call for one agent (preview dialing: the agent accepted the contact and is
 * held NOT_READY meanwhile): it enters the queue's statistics and is delivered
 * to that agent at once (ACD_EV_DELIVER, agent RINGING). The agent must be
 * READY or NOT_READY (ACD_ESTATE otherwise). If the agent does not answer
 * (acd_no_answer) the call waits in the queue like any other.
 */
int64_t acd_enqueue_agent(acd_t *acd, const char *queue, const char *ani, const char *agent, uint64_t now);
/* The call left the ACD by other means (transferred away by the agent, etc.): same as acd_call_end. */

/* Timers: wrap-up expiry, overflow, max wait; then routing. Call it whenever time moves. */
void acd_tick(acd_t *acd, uint64_t now);
/* Earliest time acd_tick has something to do (UINT64_MAX: nothing). */
uint64_t acd_next_deadline(const acd_t *acd);

/* Drain events: returns 1 and fills *ev, or 0 when there are none. */
int acd_next_event(acd_t *acd, struct acd_event *ev);

int acd_queue_stats(const acd_t *acd, const char *queue, uint64_t now, struct acd_queue_stats *st);
/* The queue a call is in (or was delivered from); NULL if unknown. */
const char *acd_call_queue(const acd_t *acd, uint64_t call);
/* A waiting call's place in its queue's serving order (1: next), 0 if it is not waiting. */
int acd_call_position(const acd_t *acd, uint64_t call);
size_t acd_agent_count(const acd_t *acd);

/*
 * An outside engine can take the decisions over (cluster.c: the ACD of
 * several ctid hosts, shared through Redis). The acd_t keeps the local
 * configuration (queues, this host's agents, VIPs) and its event queue; the
 * agent and call functions above, acd_tick and the statistics go to the
 * backend, which reports its decisions with acd_post_event(). NULL: the
 * embedded engine again.
 */
enum acd_agent_op { ACD_OP_LOGIN, ACD_OP_LOGOUT, ACD_OP_READY, ACD_OP_NOT_READY };
enum acd_call_op { ACD_OP_ANSWERED, ACD_OP_NO_ANSWER, ACD_OP_ABANDON, ACD_OP_END, ACD_OP_TRANSFER };
struct acd_backend {
	void *ctx;
	int (*agent)(void *ctx, enum acd_agent_op op, const char *agent, int reason);
	int (*agent_state)(void *ctx, const char *agent, enum acd_agent_state *state, int *reason, uint64_t *call);
	const char *(*agent_position)(void *ctx, const char *agent);
	int64_t (*enqueue)(void *ctx, const char *queue, const char *ani, int vip);
	int (*call)(void *ctx, enum acd_call_op op, uint64_t call, const char *to);	/* to: TRANSFER */
	const char *(*call_queue)(void *ctx, uint64_t call);
	int (*queue_stats)(void *ctx, const char *queue, struct acd_queue_stats *st);
	void (*tick)(void *ctx);
};
void acd_set_backend(acd_t *acd, const struct acd_backend *be);
int acd_post_event(acd_t *acd, const struct acd_event *ev);
bool acd_is_vip(const acd_t *acd, const char *ani);
size_t acd_memory_per_agent(void);

#endif
