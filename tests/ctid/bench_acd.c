// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench_acd.c - ctid's ACD engine against the target: 1000 agents,
 * 200,000 calls a day with a peak of 20 calls/s, on one core with headroom
 * x10. A day of traffic (peak hour at 20 calls/s, the rest spread evenly)
 * runs through the engine in virtual time: every call is queued, delivered,
 * answered, talks 30 s, the agent wraps up 10 s (at the peak about 800
 * of the 1000 agents are busy). Prints the CPU per
 * call as calls/s and the engine's memory per agent.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acd.h"

#define AGENTS 1000
#define CALLS 200000
#define TALK_MS 30000

static double cpu(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct talk { uint64_t call, end; };

int main(void)
{
	acd_t *acd = acd_new();
	struct acd_queue_cfg q;
	memset(&q, 0, sizeof(q));
	strcpy(q.name, "main");
	q.service_level_ms = 20000;
	q.wrapup_ms = 10000;
	q.strategy = ACD_BEST_SKILL;
	q.nskills = 1;
	strcpy(q.skills[0].name, "general");
	q.skills[0].level = 1;
	acd_add_queue(acd, &q);
	for (int i = 0; i < AGENTS; i++) {
		struct acd_agent_cfg a;
		memset(&a, 0, sizeof(a));
		snprintf(a.id, sizeof(a.id), "a%d", i);
		snprintf(a.position, sizeof(a.position), "3%04d", i);
		a.nskills = 2;
		strcpy(a.skills[0].name, "general");
		a.skills[0].level = 1 + i % 10;
		strcpy(a.skills[1].name, "lang");
		a.skills[1].level = 5;
		acd_add_agent(acd, &a);
		acd_agent_login(acd, a.id, 0);
		acd_agent_ready(acd, a.id, 0);
	}
	struct acd_event ev;
	while (acd_next_event(acd, &ev))
		;
	/* Talking calls in a ring ordered by end time (constant talk time). */
	struct talk *ring = calloc(CALLS, sizeof(*ring));
	size_t head = 0, tail = 0;
	unsigned delivered = 0, answered = 0, ended = 0;
	double t0 = cpu();
	uint64_t now = 0;
	const uint64_t peak_calls = 20 * 3600, rest_gap = (23 * 3600 * 1000ULL) / (CALLS - peak_calls);
	for (unsigned i = 0; i < CALLS; i++) {
		now += i < peak_calls ? 50 : rest_gap;
		while (head < tail && ring[head].end <= now) {
			acd_call_end(acd, ring[head].call, ring[head].end);
			ended++;
			head++;
		}
		acd_tick(acd, now);
		acd_enqueue(acd, "main", i % 500 ? "0301234" : "VIP", now);
		while (acd_next_event(acd, &ev)) {
			if (ev.type != ACD_EV_DELIVER)
				continue;
			delivered++;
			if (acd_answered(acd, ev.call, ev.time_ms + 3000) == ACD_OK) {
				answered++;
				ring[tail].call = ev.call;
				ring[tail++].end = ev.time_ms + 3000 + TALK_MS;
			}
		}
	}
	double t1 = cpu();
	struct acd_queue_stats st;
	acd_queue_stats(acd, "main", now, &st);
	fprintf(stderr, "# %u calls, %u delivered, %u answered, %u ended in %.3f s CPU; %u waiting at the end, "
		"service level %u per mille\n", CALLS, delivered, answered, ended, t1 - t0, st.waiting,
		st.service_level_permille);
	if (answered < CALLS * 0.9) {
		fprintf(stderr, "only %u of %d calls answered\n", answered, CALLS);
		return 1;
	}
	printf("BENCH acd_calls_per_cpu_s %.0f calls/s 200 higher\n", CALLS / (t1 - t0));
	printf("BENCH acd_memory_per_agent %zu bytes 4096 lower\n", acd_memory_per_agent());
	free(ring);
	acd_free(acd);
	return 0;
}
