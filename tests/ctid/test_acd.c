// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_acd.c - ctid's ACD engine (server/ctid/acd.c) in virtual time: agent
 * states with reason codes and wrap-up timer, longest-idle and skill-based
 * routing, queue priority, VIP by ANI, overflow to a queue and to the IVR,
 * max wait, abandon, ring-no-answer, statistics and service level. Every
 * expectation is exact: the clock is a number the test passes in.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "acd.h"

static void add_queue(acd_t *acd, const char *name, int prio, enum acd_strategy strat, const char *skills)
{
	struct acd_queue_cfg q;
	memset(&q, 0, sizeof(q));
	snprintf(q.name, sizeof(q.name), "%s", name);
	q.priority = prio;
	q.strategy = strat;
	q.service_level_ms = 20000;
	/* skills: "sales:3,english:1" */
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", skills ? skills : "");
	for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		assert_non_null(colon);
		*colon = 0;
		snprintf(q.skills[q.nskills].name, ACD_NAME_MAX, "%s", tok);
		q.skills[q.nskills++].level = atoi(colon + 1);
	}
	assert_int_equal(acd_add_queue(acd, &q), ACD_OK);
}

static void set_queue(acd_t *acd, const char *name, void (*edit)(struct acd_queue_cfg *, const void *), const void *arg);

static void add_agent(acd_t *acd, const char *id, const char *skills)
{
	struct acd_agent_cfg a;
	memset(&a, 0, sizeof(a));
	snprintf(a.id, sizeof(a.id), "%s", id);
	snprintf(a.position, sizeof(a.position), "2%s", id);
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", skills ? skills : "");
	for (char *save, *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(tok, ':');
		assert_non_null(colon);
		*colon = 0;
		snprintf(a.skills[a.nskills].name, ACD_NAME_MAX, "%s", tok);
		a.skills[a.nskills++].level = atoi(colon + 1);
	}
	assert_int_equal(acd_add_agent(acd, &a), ACD_OK);
}

/* Log in and make ready at time t. */
static void ready(acd_t *acd, const char *id, uint64_t t)
{
	assert_int_equal(acd_agent_login(acd, id, t), ACD_OK);
	assert_int_equal(acd_agent_ready(acd, id, t), ACD_OK);
}

static void drain(acd_t *acd)
{
	struct acd_event ev;
	while (acd_next_event(acd, &ev))
		;
}

/* The next DELIVER event (skipping state events); fails if none. */
static struct acd_event next_deliver(acd_t *acd)
{
	struct acd_event ev;
	while (acd_next_event(acd, &ev))
		if (ev.type == ACD_EV_DELIVER)
			return ev;
	fail_msg("no DELIVER event");
	return ev;
}

static void assert_no_deliver(acd_t *acd)
{
	struct acd_event ev;
	while (acd_next_event(acd, &ev))
		assert_int_not_equal(ev.type, ACD_EV_DELIVER);
}

static enum acd_agent_state state_of(acd_t *acd, const char *id, int *reason)
{
	enum acd_agent_state s;
	assert_int_equal(acd_agent_state(acd, id, &s, reason), ACD_OK);
	return s;
}

/* Preview dialing: a call for one agent reaches that agent even when another has been idle longer. */
static void test_enqueue_agent(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);
	add_agent(acd, "1001", NULL);
	add_agent(acd, "1002", NULL);
	add_agent(acd, "1003", NULL);
	ready(acd, "1001", 0);	/* idle longest */
	ready(acd, "1002", 10);
	assert_int_equal(acd_agent_not_ready(acd, "1002", 9100, 20), ACD_OK);	/* holds the preview */
	drain(acd);
	assert_int_equal(acd_enqueue_agent(acd, "q", "555", "1003", 30), ACD_ESTATE);	/* logged out */
	assert_int_equal(acd_enqueue_agent(acd, "q", "555", "ghost", 30), ACD_ENOENT);
	assert_int_equal(acd_enqueue_agent(acd, "nope", "555", "1002", 30), ACD_ENOENT);
	int64_t call = acd_enqueue_agent(acd, "q", "555", "1002", 100);
	assert_true(call > 0);
	struct acd_event ev = next_deliver(acd);
	assert_int_equal(ev.call, (uint64_t)call);
	assert_string_equal(ev.agent, "1002");
	assert_string_equal(ev.queue, "q");
	assert_int_equal(state_of(acd, "1002", NULL), ACD_RINGING);
	assert_int_equal(state_of(acd, "1001", NULL), ACD_READY);
	assert_int_equal(acd_agent_call(acd, "1002"), (uint64_t)call);
	/* Not answered: back to the queue, where the longest idle agent takes it. */
	assert_int_equal(acd_no_answer(acd, (uint64_t)call, 5000), ACD_OK);
	ev = next_deliver(acd);
	assert_string_equal(ev.agent, "1001");
	assert_int_equal(acd_answered(acd, (uint64_t)call, 6000), ACD_OK);
	struct acd_queue_stats st;
	assert_int_equal(acd_queue_stats(acd, "q", 6000, &st), ACD_OK);
	assert_int_equal(st.offered, 1);
	assert_int_equal(st.answered, 1);
	acd_free(acd);
}

static void test_agent_states(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);
	add_agent(acd, "1001", NULL);
	int reason;
	assert_int_equal(state_of(acd, "1001", NULL), ACD_LOGGED_OUT);
	/* Not allowed while logged out. */
	assert_int_equal(acd_agent_ready(acd, "1001", 0), ACD_ESTATE);
	assert_int_equal(acd_agent_not_ready(acd, "1001", 3, 0), ACD_ESTATE);
	assert_int_equal(acd_agent_logout(acd, "1001", 0), ACD_ESTATE);
	assert_int_equal(acd_agent_login(acd, "nobody", 0), ACD_ENOENT);

	assert_int_equal(acd_agent_login(acd, "1001", 100), ACD_OK);
	assert_int_equal(state_of(acd, "1001", &reason), ACD_NOT_READY);
	assert_int_equal(reason, 0);
	assert_int_equal(acd_agent_login(acd, "1001", 100), ACD_ESTATE);
	/* Reason codes are kept and reported. */
	assert_int_equal(acd_agent_not_ready(acd, "1001", 7, 200), ACD_OK);
	assert_int_equal(state_of(acd, "1001", &reason), ACD_NOT_READY);
	assert_int_equal(reason, 7);
	assert_int_equal(acd_agent_not_ready(acd, "1001", -1, 200), ACD_EINVAL);

	struct acd_event ev;
	assert_true(acd_next_event(acd, &ev));
	assert_int_equal(ev.type, ACD_EV_AGENT_STATE);
	assert_string_equal(ev.agent, "1001");
	assert_int_equal(ev.old_state, ACD_LOGGED_OUT);
	assert_int_equal(ev.new_state, ACD_NOT_READY);
	assert_int_equal(ev.time_ms, 100);
	assert_true(acd_next_event(acd, &ev));
	assert_int_equal(ev.old_state, ACD_NOT_READY);
	assert_int_equal(ev.new_state, ACD_NOT_READY);
	assert_int_equal(ev.reason_code, 7);
	assert_int_equal(ev.time_ms, 200);
	assert_false(acd_next_event(acd, &ev));

	/* Ready -> ringing -> talking: no logout, no not-ready. */
	assert_int_equal(acd_agent_ready(acd, "1001", 300), ACD_OK);
	int64_t call = acd_enqueue(acd, "q", "0301234", 400);
	assert_true(call > 0);
	assert_int_equal(state_of(acd, "1001", NULL), ACD_RINGING);
	assert_int_equal(acd_agent_call(acd, "1001"), (uint64_t)call);
	assert_int_equal(acd_agent_logout(acd, "1001", 400), ACD_ESTATE);
	assert_int_equal(acd_agent_not_ready(acd, "1001", 1, 400), ACD_ESTATE);
	assert_int_equal(acd_call_end(acd, call, 400), ACD_ESTATE);	/* not answered yet */
	assert_int_equal(acd_answered(acd, call, 1400), ACD_OK);
	assert_int_equal(acd_answered(acd, call, 1400), ACD_ESTATE);
	assert_int_equal(state_of(acd, "1001", NULL), ACD_TALKING);
	assert_int_equal(acd_abandon(acd, call, 1500), ACD_ESTATE);	/* talking: not an abandon */
	assert_int_equal(acd_agent_logout(acd, "1001", 1500), ACD_ESTATE);
	/* No wrap-up configured: ready again at once. */
	assert_int_equal(acd_call_end(acd, call, 5000), ACD_OK);
	assert_int_equal(state_of(acd, "1001", NULL), ACD_READY);
	assert_int_equal(acd_agent_call(acd, "1001"), 0);
	assert_int_equal(acd_call_end(acd, call, 5000), ACD_ENOENT);
	assert_int_equal(acd_agent_logout(acd, "1001", 6000), ACD_OK);
	assert_int_equal(state_of(acd, "1001", NULL), ACD_LOGGED_OUT);
	acd_free(acd);
}

static void edit_wrapup(struct acd_queue_cfg *q, const void *arg)
{
	q->wrapup_ms = *(const uint64_t *)arg;
}

static void test_wrapup_timer(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);
	uint64_t wrap = 10000;
	set_queue(acd, "q", edit_wrapup, &wrap);
	add_agent(acd, "a", NULL);
	ready(acd, "a", 0);
	int64_t c1 = acd_enqueue(acd, "q", "1", 1000);
	assert_int_equal(acd_answered(acd, c1, 2000), ACD_OK);
	assert_int_equal(acd_call_end(acd, c1, 30000), ACD_OK);
	assert_int_equal(state_of(acd, "a", NULL), ACD_WRAPUP);
	assert_int_equal(acd_next_deadline(acd), 40000);
	drain(acd);
	/* A call arriving during wrap-up waits. */
	int64_t c2 = acd_enqueue(acd, "q", "2", 35000);
	assert_no_deliver(acd);
	acd_tick(acd, 39999);
	assert_int_equal(state_of(acd, "a", NULL), ACD_WRAPUP);
	assert_no_deliver(acd);
	acd_tick(acd, 40000);
	struct acd_event ev = next_deliver(acd);
	assert_int_equal(ev.call, (uint64_t)c2);
	assert_string_equal(ev.agent, "a");
	assert_int_equal(state_of(acd, "a", NULL), ACD_RINGING);
	assert_int_equal(acd_answered(acd, c2, 41000), ACD_OK);
	/* Ending wrap-up early by Ready, or going not ready from wrap-up. */
	assert_int_equal(acd_call_end(acd, c2, 50000), ACD_OK);
	assert_int_equal(acd_agent_ready(acd, "a", 51000), ACD_OK);
	assert_int_equal(state_of(acd, "a", NULL), ACD_READY);
	int64_t c3 = acd_enqueue(acd, "q", "3", 52000);
	acd_answered(acd, c3, 52000);
	acd_call_end(acd, c3, 53000);
	int reason;
	assert_int_equal(acd_agent_not_ready(acd, "a", 4, 54000), ACD_OK);
	acd_tick(acd, 70000);	/* wrap-up timer no longer applies */
	assert_int_equal(state_of(acd, "a", &reason), ACD_NOT_READY);
	assert_int_equal(reason, 4);
	assert_int_equal(acd_next_deadline(acd), UINT64_MAX);
	acd_free(acd);
}

static void test_longest_idle(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);
	add_agent(acd, "a", NULL);
	add_agent(acd, "b", NULL);
	add_agent(acd, "c", NULL);
	ready(acd, "b", 100);	/* idle the longest */
	ready(acd, "c", 200);
	ready(acd, "a", 300);
	drain(acd);
	const char *expect[] = { "b", "c", "a" };
	int64_t calls[3];
	for (int i = 0; i < 3; i++) {
		calls[i] = acd_enqueue(acd, "q", "x", 1000 + (uint64_t)i);
		struct acd_event ev = next_deliver(acd);
		assert_int_equal(ev.call, (uint64_t)calls[i]);
		assert_string_equal(ev.agent, expect[i]);
		assert_string_equal(ev.queue, "q");
		assert_int_equal(acd_answered(acd, calls[i], 2000), ACD_OK);
	}
	/* Freed in the order c, a, b: the next calls go c then a. */
	acd_call_end(acd, calls[1], 3000);
	acd_call_end(acd, calls[2], 3100);
	acd_call_end(acd, calls[0], 3200);
	drain(acd);
	int64_t c = acd_enqueue(acd, "q", "x", 4000);
	assert_string_equal(next_deliver(acd).agent, "c");
	acd_answered(acd, c, 4000);
	c = acd_enqueue(acd, "q", "x", 4001);
	assert_string_equal(next_deliver(acd).agent, "a");
	acd_free(acd);
}

static void test_skills(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "sales", 0, ACD_LONGEST_IDLE, "sales:3,english:1");
	add_queue(acd, "expert", 0, ACD_BEST_SKILL, "tech:1");
	add_agent(acd, "novice", "sales:2,english:5");	/* sales too low */
	add_agent(acd, "mono", "sales:9");		/* no english */
	add_agent(acd, "ok", "SALES:3,english:1");	/* skill names are case insensitive */
	add_agent(acd, "t1", "tech:2");
	add_agent(acd, "t9", "tech:9");
	ready(acd, "novice", 0);
	ready(acd, "mono", 0);
	ready(acd, "t1", 0);	/* idle longer than t9 but less skilled */
	ready(acd, "t9", 10);
	drain(acd);
	int64_t s = acd_enqueue(acd, "sales", "x", 100);
	assert_no_deliver(acd);	/* nobody qualified is ready */
	ready(acd, "ok", 200);
	struct acd_event ev = next_deliver(acd);
	assert_int_equal(ev.call, (uint64_t)s);
	assert_string_equal(ev.agent, "ok");

	int64_t t = acd_enqueue(acd, "expert", "x", 300);
	ev = next_deliver(acd);
	assert_int_equal(ev.call, (uint64_t)t);
	assert_string_equal(ev.agent, "t9");
	t = acd_enqueue(acd, "expert", "x", 301);
	assert_string_equal(next_deliver(acd).agent, "t1");
	acd_free(acd);
}

static void test_priority_and_vip(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "low", 1, ACD_LONGEST_IDLE, NULL);
	add_queue(acd, "high", 5, ACD_LONGEST_IDLE, NULL);
	assert_int_equal(acd_add_vip(acd, "0891234567"), ACD_OK);
	assert_int_equal(acd_add_vip(acd, ""), ACD_EINVAL);
	add_agent(acd, "a", NULL);
	int64_t l1 = acd_enqueue(acd, "low", "111", 0);
	int64_t l2 = acd_enqueue(acd, "low", "0891234567", 10);	/* VIP, later */
	int64_t h1 = acd_enqueue(acd, "high", "222", 20);
	int64_t l3 = acd_enqueue(acd, "low", "333", 30);
	drain(acd);
	/* Position in its own queue (announcements): the VIP is ahead of the earlier caller. */
	assert_int_equal(acd_call_position(acd, (uint64_t)l2), 1);
	assert_int_equal(acd_call_position(acd, (uint64_t)l1), 2);
	assert_int_equal(acd_call_position(acd, (uint64_t)l3), 3);
	assert_int_equal(acd_call_position(acd, (uint64_t)h1), 1);
	assert_int_equal(acd_call_position(acd, 999), 0);
	/* One agent serves them one by one: high queue, then VIP, then by arrival. */
	int64_t expect[] = { h1, l2, l1, l3 };
	ready(acd, "a", 100);
	for (int i = 0; i < 4; i++) {
		struct acd_event ev = next_deliver(acd);
		assert_int_equal(ev.call, (uint64_t)expect[i]);
		assert_int_equal(acd_call_position(acd, ev.call), 0);	/* ringing: no longer waiting */
		if (i < 3)
			assert_int_equal(acd_call_position(acd, (uint64_t)expect[i + 1]), 1);
		assert_int_equal(acd_answered(acd, ev.call, 200 + (uint64_t)i), ACD_OK);
		assert_int_equal(acd_call_end(acd, ev.call, 300 + (uint64_t)i), ACD_OK);
	}
	assert_no_deliver(acd);
	acd_clear_vips(acd);
	acd_free(acd);
}

static void edit_overflow(struct acd_queue_cfg *q, const void *arg)
{
	const char *to = arg;
	q->overflow_ms = 60000;
	snprintf(q->overflow_to, sizeof(q->overflow_to), "%s", to);
}

static void edit_maxwait(struct acd_queue_cfg *q, const void *arg)
{
	q->max_wait_ms = 300000;
	snprintf(q->max_wait_to, sizeof(q->max_wait_to), "%s", (const char *)arg);
}

static void test_overflow(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "first", 0, ACD_LONGEST_IDLE, "billing:5");
	add_queue(acd, "backup", 0, ACD_LONGEST_IDLE, NULL);
	add_queue(acd, "night", 0, ACD_LONGEST_IDLE, NULL);
	set_queue(acd, "first", edit_overflow, "backup");
	set_queue(acd, "backup", edit_overflow, "ivr:voicemail");
	set_queue(acd, "backup", edit_maxwait, "hangup");	/* max wait wins over its overflow? no: 300 s > 60 s */
	add_agent(acd, "generalist", NULL);
	ready(acd, "generalist", 0);
	drain(acd);
	int64_t c = acd_enqueue(acd, "first", "1", 1000);
	assert_no_deliver(acd);	/* the generalist lacks billing */
	assert_int_equal(acd_next_deadline(acd), 61000);
	acd_tick(acd, 60999);
	assert_string_equal(acd_call_queue(acd, c), "first");
	acd_tick(acd, 61000);
	struct acd_event ev;
	assert_true(acd_next_event(acd, &ev));
	assert_int_equal(ev.type, ACD_EV_MOVED);
	assert_int_equal(ev.call, (uint64_t)c);
	assert_string_equal(ev.queue, "backup");
	assert_string_equal(ev.target, "first");
	/* ... and the generalist gets it in the same tick. */
	assert_true(acd_next_event(acd, &ev));
	assert_int_equal(ev.type, ACD_EV_DELIVER);
	assert_string_equal(ev.queue, "backup");
	assert_string_equal(ev.agent, "generalist");
	assert_int_equal(acd_answered(acd, c, 62000), ACD_OK);

	struct acd_queue_stats st;
	assert_int_equal(acd_queue_stats(acd, "first", 62000, &st), ACD_OK);
	assert_int_equal(st.offered, 1);
	assert_int_equal(st.overflowed, 1);
	assert_int_equal(st.answered, 0);
	assert_int_equal(acd_queue_stats(acd, "backup", 62000, &st), ACD_OK);
	assert_int_equal(st.offered, 1);
	assert_int_equal(st.answered, 1);
	assert_int_equal(st.total_answer_wait_ms, 1000);	/* wait counts from entering backup */

	/* From backup (agent busy) the caller overflows back to the IVR 60 s later. */
	drain(acd);
	int64_t d = acd_enqueue(acd, "backup", "2", 100000);
	acd_tick(acd, 160000);
	assert_true(acd_next_event(acd, &ev));
	assert_int_equal(ev.type, ACD_EV_LEAVE);
	assert_int_equal(ev.call, (uint64_t)d);
	assert_int_equal(ev.reason, ACD_LEAVE_OVERFLOW);
	assert_string_equal(ev.target, "ivr:voicemail");
	assert_null(acd_call_queue(acd, d));
	assert_int_equal(acd_queue_stats(acd, "backup", 160000, &st), ACD_OK);
	assert_int_equal(st.overflowed, 1);
	assert_int_equal(st.waiting, 0);
	acd_free(acd);
}

static void test_max_wait(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);
	set_queue(acd, "q", edit_maxwait, "ivr:sorry");
	int64_t c1 = acd_enqueue(acd, "q", "1", 0);
	int64_t c2 = acd_enqueue(acd, "q", "2", 100000);
	int64_t c3 = acd_enqueue(acd, "q", "3", 200000);
	assert_int_equal(acd_next_deadline(acd), 300000);
	struct acd_queue_stats st;
	assert_int_equal(acd_queue_stats(acd, "q", 250000, &st), ACD_OK);
	assert_int_equal(st.waiting, 3);
	assert_int_equal(st.longest_wait_ms, 250000);
	acd_tick(acd, 400000);	/* c1 and c2 are over, c3 not */
	struct acd_event ev;
	uint64_t left[2] = { 0, 0 };
	for (int i = 0; i < 2; i++) {
		assert_true(acd_next_event(acd, &ev));
		assert_int_equal(ev.type, ACD_EV_LEAVE);
		assert_int_equal(ev.reason, ACD_LEAVE_MAX_WAIT);
		assert_string_equal(ev.target, "ivr:sorry");
		left[i] = ev.call;
	}
	assert_false(acd_next_event(acd, &ev));
	assert_true((left[0] == (uint64_t)c1 && left[1] == (uint64_t)c2) ||
		    (left[0] == (uint64_t)c2 && left[1] == (uint64_t)c1));
	assert_string_equal(acd_call_queue(acd, c3), "q");
	assert_int_equal(acd_queue_stats(acd, "q", 400000, &st), ACD_OK);
	assert_int_equal(st.timed_out, 2);
	assert_int_equal(st.waiting, 1);
	assert_int_equal(st.longest_wait_ms, 200000);
	acd_free(acd);
}

static void test_abandon_and_no_answer(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);
	add_agent(acd, "a", NULL);
	add_agent(acd, "b", NULL);
	ready(acd, "a", 0);
	drain(acd);
	/* Abandon while ringing: the agent is ready again and keeps its place. */
	int64_t c1 = acd_enqueue(acd, "q", "1", 1000);
	assert_string_equal(next_deliver(acd).agent, "a");
	ready(acd, "b", 1500);
	assert_int_equal(acd_abandon(acd, c1, 2000), ACD_OK);
	assert_int_equal(state_of(acd, "a", NULL), ACD_READY);
	int64_t c2 = acd_enqueue(acd, "q", "2", 3000);
	assert_string_equal(next_deliver(acd).agent, "a");
	/* Ring no answer: the agent goes not ready (RONA) and b gets the call. */
	int reason;
	assert_int_equal(acd_no_answer(acd, c2, 23000), ACD_OK);
	assert_int_equal(state_of(acd, "a", &reason), ACD_NOT_READY);
	assert_int_equal(reason, ACD_REASON_NO_ANSWER);
	struct acd_event ev = next_deliver(acd);
	assert_int_equal(ev.call, (uint64_t)c2);
	assert_string_equal(ev.agent, "b");
	assert_int_equal(acd_answered(acd, c2, 24000), ACD_OK);	/* 21 s after queueing: out of SL */
	/* Abandon while waiting, short (in SL) and long. */
	int64_t c3 = acd_enqueue(acd, "q", "3", 30000);
	int64_t c4 = acd_enqueue(acd, "q", "4", 30000);
	assert_int_equal(acd_abandon(acd, c3, 35000), ACD_OK);
	assert_int_equal(acd_abandon(acd, c4, 90000), ACD_OK);
	assert_int_equal(acd_abandon(acd, c4, 90000), ACD_ENOENT);

	struct acd_queue_stats st;
	assert_int_equal(acd_queue_stats(acd, "q", 90000, &st), ACD_OK);
	assert_int_equal(st.offered, 4);
	assert_int_equal(st.answered, 1);
	assert_int_equal(st.answered_in_sl, 0);
	assert_int_equal(st.abandoned, 3);
	assert_int_equal(st.abandoned_in_sl, 2);	/* c1 after 1 s, c3 after 5 s */
	assert_int_equal(st.waiting, 0);
	assert_int_equal(st.ringing, 0);
	/* SL = 0 / (1 + 3 - 2) */
	assert_int_equal(st.service_level_permille, 0);
	acd_free(acd);
}

static void test_service_level(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);	/* SL threshold 20 s */
	add_agent(acd, "a", NULL);
	struct acd_queue_stats st;
	assert_int_equal(acd_queue_stats(acd, "q", 0, &st), ACD_OK);
	assert_int_equal(st.service_level_permille, 1000);
	assert_int_equal(acd_queue_stats(acd, "nope", 0, &st), ACD_ENOENT);
	ready(acd, "a", 0);
	/* Waits of 5, 20 (in SL: <=), 21 and 40 s. */
	uint64_t waits[] = { 5000, 20000, 21000, 40000 };
	uint64_t t = 0;
	for (int i = 0; i < 4; i++) {
		int64_t c = acd_enqueue(acd, "q", "x", t);
		assert_true(c > 0);
		assert_int_equal(acd_answered(acd, c, t + waits[i]), ACD_OK);
		assert_int_equal(acd_call_end(acd, c, t + waits[i] + 1000), ACD_OK);
		t += 100000;
	}
	assert_int_equal(acd_queue_stats(acd, "q", t, &st), ACD_OK);
	assert_int_equal(st.answered, 4);
	assert_int_equal(st.answered_in_sl, 2);
	assert_int_equal(st.total_answer_wait_ms, 86000);
	assert_int_equal(st.service_level_permille, 500);
	acd_free(acd);
}

static void test_config_errors(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	struct acd_queue_cfg q;
	memset(&q, 0, sizeof(q));
	assert_int_equal(acd_add_queue(acd, &q), ACD_EINVAL);	/* no name */
	snprintf(q.name, sizeof(q.name), "q");
	q.nskills = 1;
	snprintf(q.skills[0].name, ACD_NAME_MAX, "x");
	q.skills[0].level = 101;
	assert_int_equal(acd_add_queue(acd, &q), ACD_EINVAL);
	q.skills[0].level = 100;
	assert_int_equal(acd_add_queue(acd, &q), ACD_OK);
	assert_int_equal(acd_add_queue(acd, &q), ACD_EEXIST);
	assert_int_equal(acd_enqueue(acd, "other", "1", 0), ACD_ENOENT);
	add_agent(acd, "a", "x:100");
	struct acd_agent_cfg a;
	memset(&a, 0, sizeof(a));
	snprintf(a.id, sizeof(a.id), "a");
	assert_int_equal(acd_add_agent(acd, &a), ACD_EEXIST);
	/* Reload: new skills apply, the state stays. */
	ready(acd, "a", 0);
	a.nskills = 1;
	snprintf(a.skills[0].name, ACD_NAME_MAX, "x");
	a.skills[0].level = 50;
	snprintf(a.position, sizeof(a.position), "3001");
	assert_int_equal(acd_update_agent(acd, &a), ACD_OK);
	assert_int_equal(state_of(acd, "a", NULL), ACD_READY);
	drain(acd);
	acd_enqueue(acd, "q", "1", 10);
	assert_no_deliver(acd);	/* 50 < 100 now */
	q.skills[0].level = 50;
	assert_int_equal(acd_update_queue(acd, &q), ACD_OK);
	acd_tick(acd, 20);
	assert_string_equal(next_deliver(acd).agent, "a");
	assert_int_equal(acd_agent_count(acd), 1);
	assert_string_equal(acd_agent_position(acd, "a"), "3001");
	assert_string_equal(acd_strerror(ACD_ESTATE), "not allowed in the current state");
	assert_string_equal(acd_state_name(ACD_WRAPUP), "WorkingAfterCall");
	acd_free(acd);
}

static void test_transfer(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);
	uint64_t wrap = 5000;
	set_queue(acd, "q", edit_wrapup, &wrap);
	add_agent(acd, "a", NULL);
	add_agent(acd, "b", NULL);
	ready(acd, "a", 0);
	int64_t c = acd_enqueue(acd, "q", "1", 100);
	assert_int_equal(acd_transfer(acd, c, "b", 200), ACD_ESTATE);	/* ringing, not talking */
	assert_int_equal(acd_answered(acd, c, 1000), ACD_OK);
	assert_int_equal(acd_transfer(acd, c, "b", 2000), ACD_ESTATE);	/* b logged out */
	assert_int_equal(acd_transfer(acd, c, "nobody", 2000), ACD_ENOENT);
	assert_int_equal(acd_transfer(acd, c, "a", 2000), ACD_ESTATE);	/* to itself */
	ready(acd, "b", 2000);
	drain(acd);
	assert_int_equal(acd_transfer(acd, c, "b", 3000), ACD_OK);
	struct acd_event ev = next_deliver(acd);
	assert_int_equal(ev.call, (uint64_t)c);
	assert_string_equal(ev.agent, "b");
	assert_int_equal(state_of(acd, "a", NULL), ACD_WRAPUP);
	assert_int_equal(state_of(acd, "b", NULL), ACD_RINGING);
	assert_int_equal(acd_agent_call(acd, "a"), 0);
	assert_int_equal(acd_agent_call(acd, "b"), (uint64_t)c);
	assert_int_equal(acd_answered(acd, c, 4000), ACD_OK);
	assert_int_equal(acd_call_end(acd, c, 9000), ACD_OK);
	struct acd_queue_stats st;
	assert_int_equal(acd_queue_stats(acd, "q", 9000, &st), ACD_OK);
	assert_int_equal(st.offered, 1);
	assert_int_equal(st.answered, 1);	/* counted once */
	assert_int_equal(st.total_answer_wait_ms, 900);
	acd_tick(acd, 8000);
	assert_int_equal(state_of(acd, "a", NULL), ACD_READY);	/* wrap-up from the transfer at 3000 */
	acd_free(acd);
}

/* Many agents and calls: every call is delivered exactly once, nothing leaks (ASan). */
static void test_load(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);
	char id[16];
	for (int i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "%d", i);
		add_agent(acd, id, NULL);
		ready(acd, id, (uint64_t)i);
	}
	drain(acd);
	unsigned delivered = 0;
	for (uint64_t t = 1000; t < 1000 + 5000 * 50; t += 50) {	/* 20 calls/s */
		int64_t c = acd_enqueue(acd, "q", "x", t);
		struct acd_event ev = next_deliver(acd);
		assert_int_equal(ev.call, (uint64_t)c);
		delivered++;
		assert_int_equal(acd_answered(acd, c, t), ACD_OK);
		assert_int_equal(acd_call_end(acd, c, t + 10), ACD_OK);
	}
	struct acd_queue_stats st;
	acd_queue_stats(acd, "q", 0, &st);
	assert_int_equal(st.answered, delivered);
	assert_int_equal(st.answered_in_sl, delivered);
	acd_free(acd);
}

/* MakeCall / consultation: an agent busy outside the ACD gets no call, then goes back to its state. */
static void test_busy_outside_acd(void **state)
{
	(void)state;
	acd_t *acd = acd_new();
	add_queue(acd, "q", 0, ACD_LONGEST_IDLE, NULL);
	add_agent(acd, "a", NULL);
	add_agent(acd, "b", NULL);
	enum acd_agent_state st;
	int reason;
	assert_int_equal(acd_agent_busy(acd, "a", 0), ACD_ESTATE);	/* logged out */
	assert_int_equal(acd_agent_busy(acd, "x", 0), ACD_ENOENT);
	ready(acd, "a", 0);
	assert_int_equal(acd_agent_login(acd, "b", 0), ACD_OK);
	assert_int_equal(acd_agent_not_ready(acd, "b", 7, 0), ACD_OK);
	assert_int_equal(acd_agent_busy(acd, "a", 10), ACD_OK);
	assert_int_equal(acd_agent_busy(acd, "b", 10), ACD_OK);
	assert_int_equal(acd_agent_busy(acd, "a", 10), ACD_ESTATE);	/* already */
	drain(acd);
	int64_t call = acd_enqueue(acd, "q", "0301", 20);
	assert_true(call > 0);
	acd_tick(acd, 30);
	struct acd_event ev;
	while (acd_next_event(acd, &ev))
		assert_int_not_equal(ev.type, ACD_EV_DELIVER);	/* nobody READY */
	assert_int_equal(acd_agent_logout(acd, "a", 40), ACD_ESTATE);
	assert_int_equal(acd_agent_free(acd, "b", 50), ACD_OK);
	assert_int_equal(acd_agent_state(acd, "b", &st, &reason), ACD_OK);
	assert_int_equal(st, ACD_NOT_READY);
	assert_int_equal(reason, 7);
	assert_int_equal(acd_agent_free(acd, "b", 50), ACD_ESTATE);
	assert_int_equal(acd_agent_free(acd, "a", 60), ACD_OK);	/* READY again: the waiting call goes to a */
	ev = next_deliver(acd);
	assert_string_equal(ev.agent, "a");
	assert_int_equal(ev.call, (uint64_t)call);
	assert_int_equal(acd_agent_free(acd, "a", 60), ACD_ESTATE);	/* ringing an ACD call */
	acd_free(acd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_agent_states),
		cmocka_unit_test(test_wrapup_timer),
		cmocka_unit_test(test_longest_idle),
		cmocka_unit_test(test_skills),
		cmocka_unit_test(test_priority_and_vip),
		cmocka_unit_test(test_overflow),
		cmocka_unit_test(test_max_wait),
		cmocka_unit_test(test_abandon_and_no_answer),
		cmocka_unit_test(test_service_level),
		cmocka_unit_test(test_config_errors),
		cmocka_unit_test(test_transfer),
		cmocka_unit_test(test_busy_outside_acd),
		cmocka_unit_test(test_enqueue_agent),
		cmocka_unit_test(test_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* Edit a queue's settings the way a reload does: read, change, update. */
static void set_queue(acd_t *acd, const char *name, void (*edit)(struct acd_queue_cfg *, const void *), const void *arg)
{
	struct acd_queue_cfg q;
	assert_int_equal(acd_queue_config(acd, name, &q), ACD_OK);
	edit(&q, arg);
	assert_int_equal(acd_update_queue(acd, &q), ACD_OK);
}
