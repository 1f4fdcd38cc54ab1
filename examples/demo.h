/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * demo.h - what the parts of the call center demo share.
 *
 *   demo.c  main: the emulated world (PSTN callers and subscribers, agent
 *           phones), the scenario, checks and the report
 *   ivr.c   the IVR: menu, digits, fax on demand, hand-over to the ACD
 *   acd.c   the ACD: agents, queue, longest-idle distribution, recording,
 *           supervisor monitoring; remote agents reached over the PSTN
 *           trunk get their callers by network transfer (ECT) instead of
 *           a bridge
 *
 * Every call end (a "leg") is a struct leg set as the call's user data. Its
 * fn gets the call's events (and the timers started for it), so each module
 * only sees the calls it owns. A call changes owner by changing leg->fn.
 */
#ifndef DEMO_H
#define DEMO_H

#include <cti.h>
#include <stdint.h>

struct leg;
typedef void (*leg_fn)(struct leg *leg, const cti_event_t *ev);

struct leg {
	leg_fn fn;			/* handler of this leg's events */
	void *owner;			/* module data of the owner (struct ivr, struct acd, ...) */
	cti_call_t *call;		/* NULL before placing and after release */
	char name[48];			/* for the report: "caller 2", "agent bob" */
	int state;			/* the owner's step */
	int tries;
	struct leg *peer;		/* related leg (bridged agent, queued caller) */
	const char *script;		/* demo callers: digits to press; reminders: number */
	void *data;			/* the owner's per-call data (acd.c: the agent reached) */

	/* Filled as events arrive, printed in the report, checked at the end. */
	char from[CTI_NUMBER_MAX], to[CTI_NUMBER_MAX];
	int span, channel;
	int answered;
	char digits[16];		/* collected by the IVR */
	int cause;			/* Q.850 cause at hangup, -1 before */
	int remote;			/* the far end cleared */
	int fax_pages, fax_result;	/* -1 before */
	int cpa;			/* enum cti_cpa_result, -1 before */
	int plays;			/* prompts played to the end */
	char recording[64];		/* file name in the output folder */
	uint64_t rec_samples;
	char note[128];
	uint64_t t_start, t_answer, t_end;
	int released;
};

/* demo.c */
extern cti_ctx_t *demo_ctx;
extern const char *demo_dir;		/* output folder (prompts in demo_dir/prompts) */
struct leg *leg_new(const char *name, leg_fn fn, void *owner);
void leg_attach(struct leg *leg, cti_call_t *call);	/* set as the call's user data */
int leg_timer(struct leg *leg, uint32_t ms);		/* CTI_EV_TIMER to leg->fn */
const char *demo_path(const char *fmt, const char *name);	/* demo_dir/fmt(name), static buffer */
void demo_fail(const char *what, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ivr.c */
struct acd;
struct ivr {
	const char *fax_doc;		/* TIFF sent by option 1 */
	struct acd *acd;		/* option 2 */
	int calls;
};
void ivr_offered(struct ivr *ivr, const cti_event_t *ev);

/* acd.c */
#define ACD_MAX_AGENTS 8
#define ACD_MAX_QUEUE 16

struct agent {
	char name[16];
	char ext[8];			/* number of the agent position */
	int busy;
	uint64_t idle_since;		/* ms; the longest idle agent gets the next call */
	int calls;
	int span;			/* remote agents: the PSTN trunk they are called over (0: positions) */
	int transfers;			/* callers handed to this agent by network transfer */
};

struct acd {
	int span;			/* trunk to the agent positions */
	struct agent agents[ACD_MAX_AGENTS];
	int nagents;
	struct leg *queue[ACD_MAX_QUEUE];
	int qlen;
	struct leg *supervisor;		/* supervisor position call (listens to the first agent call) */
	struct leg *monitored;		/* agent leg the supervisor listens to */
	int monitor_done;
	char assigned[128];		/* agent names in order of distribution, for the check */
	int max_wait_ms;		/* longest time a caller waited in the queue */
};
void acd_init(struct acd *acd, int span);
void acd_add_agent(struct acd *acd, const char *name, const char *ext);
void acd_supervisor_login(struct acd *acd, const char *ext);
/*
 * A remote agent (home worker) reached at a PSTN number over `span`, the
 * trunk the callers arrive on. Used only when no agent position is idle
 * (overflow). When the trunk can transfer (ECT/2BCT: both B-channels freed),
 * the caller is transferred to the agent by the network; otherwise bridged.
 */
void acd_add_remote_agent(struct acd *acd, const char *name, const char *number, int span);
/* Take over a caller's leg (answered, no media running): queue it and distribute. */
void acd_enqueue(struct acd *acd, struct leg *caller);

#endif /* DEMO_H */
