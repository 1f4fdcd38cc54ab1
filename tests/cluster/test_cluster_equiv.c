/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_cluster_equiv PORT SEED STEPS - the cluster ACD decides exactly as the embedded one.
 *
 * The same random scenario runs through the embedded engine (acd.c, virtual time) and through
 * two cluster hosts (cluster.c + cluster.lua on the redis-server at PORT, real time): 3 queues
 * (priorities, skills with levels, one best-skill), 24 agents with random skills split over
 * hosts h1 and h2, VIP callers, and random steps: a caller arrives (on h1 or h2), a ringing
 * agent answers / does not answer / the caller abandons, a talking call ends, a NotReady agent
 * becomes Ready again. Steps are at least 3 ms apart so Redis' clock orders them as the virtual
 * clock does. After every step the deliveries (which caller to which agent) must be the same.
 * Prints TAP lines; stops at the first difference (printed) and exits 1.
 */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acd.h"
#include "cluster.h"
#include "config.h"

#define NAGENTS 24
#define MAXCALLS 4096

static int n;
static void ok(int cond, const char *what)
{
	printf("%sok %d - %s\n", cond ? "" : "not ", ++n, what);
}

/* One call as the test tracks it, by its arrival number. */
struct tcall {
	int64_t ref;		/* id in the embedded engine */
	int64_t cl;		/* id on its cluster host */
	int host;		/* 0: h1, 1: h2 */
	int state;		/* 0 waiting, 1 ringing, 2 talking, 3 gone */
	char agent_ref[ACD_NAME_MAX], agent_cl[ACD_NAME_MAX];
};

static struct tcall calls[MAXCALLS];
static int ncalls;

static int by_ref(int64_t id)
{
	for (int i = 0; i < ncalls; i++)
		if (calls[i].ref == id)
			return i;
	return -1;
}

static int by_cl(int host, int64_t id)
{
	for (int i = 0; i < ncalls; i++)
		if (calls[i].host == host && calls[i].cl == id)
			return i;
	return -1;
}

static char *conf_text(int port, const char *host, int first, int last, unsigned seed)
{
	static char text[16384];
	int len = snprintf(text, sizeof(text),
			   "[ctid]\nsim = 1 e1 euroisdn\nlisten = none\ncdr = sqlite:/dev/null\n"
			   "[trunk pstn]\nspan = sim2\n[trunk desks]\nspan = sim1\nrole = positions\n"
			   "[routes]\n1 = queue:sales\n"
			   "[queue sales]\nskills = sales:2\n"
			   "[queue expert]\npriority = 3\nskills = sales:6, tech:2\n"
			   "[queue tech]\npriority = 1\nstrategy = best-skill\nskills = tech:1\n"
			   "[vip]\nani = 0309\n");
	if (port)
		len += snprintf(text + len, sizeof(text) - (size_t)len, "[cluster]\nredis = 127.0.0.1:%d\nhost = %s\n",
				port, host);
	srand(seed);	/* the same skills for the same agent in every configuration */
	for (int i = 0; i < NAGENTS; i++) {
		int sales = rand() % 10, tech = rand() % 10;
		if (i < first || i > last)
			continue;
		len += snprintf(text + len, sizeof(text) - (size_t)len, "[agent x%02d]\nposition = 30%02d\n", i, i);
		if (sales || tech)
			len += snprintf(text + len, sizeof(text) - (size_t)len, "skills = %s%.0d%s%s%.0d\n",
					sales ? "sales:" : "", sales, sales && tech ? ", " : "", tech ? "tech:" : "", tech);
	}
	return text;
}

static struct ctid_config *parse(const char *text)
{
	struct ctid_config *cfg;
	char *errors = NULL;
	if (ctid_config_parse(text, "equiv.conf", ".", &cfg, &errors)) {
		fprintf(stderr, "config: %s\n%s", errors ? errors : "?", text);
		exit(1);
	}
	return cfg;
}

static acd_t *ref;
static acd_t *host_acd[2];
static cluster_t *host_cl[2];
static uint64_t vnow;

static void drain_ref(void)
{
	struct acd_event ev;
	while (acd_next_event(ref, &ev))
		if (ev.type == ACD_EV_DELIVER) {
			int i = by_ref((int64_t)ev.call);
			if (i >= 0) {
				calls[i].state = 1;
				snprintf(calls[i].agent_ref, sizeof(calls[i].agent_ref), "%s", ev.agent);
			}
		}
}

static int pending_cl(void)
{
	int d = 0;
	for (int i = 0; i < ncalls; i++)
		d += calls[i].state == 1 && !calls[i].agent_cl[0];
	return d;
}

/* Take in the cluster's events until it delivered as many as the embedded engine (or 2 s). */
static void drain_cl(void)
{
	struct timespec t0, t;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		for (int h = 0; h < 2; h++) {
			cluster_process(host_cl[h]);
			struct acd_event ev;
			while (acd_next_event(host_acd[h], &ev))
				if (ev.type == ACD_EV_DELIVER) {
					int i = by_cl(h, (int64_t)ev.call);
					if (i >= 0)
						snprintf(calls[i].agent_cl, sizeof(calls[i].agent_cl), "%s", ev.agent);
				}
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		double el = (double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9;
		if (!pending_cl() && el > 0.003)
			return;	/* and at least 3 ms between steps */
		if (el > 2)
			return;
		struct pollfd pf[2] = { { .fd = cluster_fd(host_cl[0]), .events = POLLIN },
					{ .fd = cluster_fd(host_cl[1]), .events = POLLIN } };
		poll(pf, 2, 2);
	}
}

static int agent_host(const char *id)
{
	return atoi(id + 1) < NAGENTS / 2 ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: test_cluster_equiv PORT SEED STEPS\n");
		return 2;
	}
	int port = atoi(argv[1]), steps = atoi(argv[3]);
	unsigned seed = (unsigned)strtoul(argv[2], NULL, 10);
	struct ctid_config *rcfg = parse(conf_text(0, "", 0, NAGENTS - 1, seed));
	struct ctid_config *hcfg[2] = { parse(conf_text(port, "h1", 0, NAGENTS / 2 - 1, seed)),
					parse(conf_text(port, "h2", NAGENTS / 2, NAGENTS - 1, seed)) };
	ref = acd_new();
	if (!ref || ctid_config_apply(rcfg, ref))
		return 1;
	char err[256];
	for (int h = 0; h < 2; h++) {
		host_acd[h] = acd_new();
		if (!host_acd[h] || ctid_config_apply(hcfg[h], host_acd[h]))
			return 1;
		host_cl[h] = cluster_start(hcfg[h], host_acd[h], err, sizeof(err));
		if (!host_cl[h]) {
			fprintf(stderr, "%s\n", err);
			return 1;
		}
	}
	ok(1, "embedded engine and two cluster hosts on Redis set up");
	/* Agents log in and become Ready one after the other: the same idle order in both. */
	char id[16];
	for (int i = 0; i < NAGENTS; i++) {
		snprintf(id, sizeof(id), "x%02d", i);
		vnow += 10;
		acd_agent_login(ref, id, vnow);
		acd_agent_ready(ref, id, vnow);
		acd_agent_login(host_acd[agent_host(id)], id, 0);
		acd_agent_ready(host_acd[agent_host(id)], id, 0);
		drain_ref();
		drain_cl();
	}
	srand(seed * 7919u + 1);
	static const char *const queues[] = { "sales", "expert", "tech" };
	int delivered = 0, mismatches = 0;
	for (int s = 0; s < steps && ncalls < MAXCALLS && !mismatches; s++) {	/* stop at the first difference */
		vnow += 10;
		int r = rand() % 100;
		int pick = -1, want = r < 35 ? -1 : r < 55 ? 1 : r < 80 ? 2 : 9;	/* the state of the call to act on */
		if (want >= 0 && want != 9) {
			int cand[MAXCALLS], nc = 0;
			for (int i = 0; i < ncalls; i++)
				if (calls[i].state == want)
					cand[nc++] = i;
			if (nc)
				pick = cand[rand() % nc];
		}
		if (want == -1 || (want != 9 && pick < 0)) {	/* a caller arrives */
			struct tcall *c = &calls[ncalls];
			c->host = rand() % 2;
			const char *q = queues[rand() % 3];
			const char *ani = rand() % 6 ? "0301" : "0309";	/* 0309 is VIP */
			c->ref = acd_enqueue(ref, q, ani, vnow);
			ncalls++;
			c->cl = acd_enqueue(host_acd[c->host], q, ani, 0);
		} else if (want == 1) {	/* ringing: answer (most), no answer, or the caller abandons */
			struct tcall *c = &calls[pick];
			int how = rand() % 10;
			if (how < 6) {
				acd_answered(ref, (uint64_t)c->ref, vnow);
				acd_answered(host_acd[c->host], (uint64_t)c->cl, 0);
				c->state = 2;
			} else if (how < 8) {
				acd_no_answer(ref, (uint64_t)c->ref, vnow);
				acd_no_answer(host_acd[c->host], (uint64_t)c->cl, 0);
				c->state = 0;
			} else {
				acd_abandon(ref, (uint64_t)c->ref, vnow);
				acd_abandon(host_acd[c->host], (uint64_t)c->cl, 0);
				c->state = 3;
			}
			c->agent_ref[0] = c->agent_cl[0] = 0;
		} else if (want == 2) {	/* talking: the call ends */
			struct tcall *c = &calls[pick];
			acd_call_end(ref, (uint64_t)c->ref, vnow);
			acd_call_end(host_acd[c->host], (uint64_t)c->cl, 0);
			c->state = 3;
		} else {	/* agents NotReady after a no answer become Ready again */
			for (int i = 0; i < NAGENTS; i++) {
				snprintf(id, sizeof(id), "x%02d", i);
				enum acd_agent_state st;
				if (!acd_agent_state(ref, id, &st, NULL) && st == ACD_NOT_READY) {
					acd_agent_ready(ref, id, vnow);
					acd_agent_ready(host_acd[agent_host(id)], id, 0);
					break;
				}
			}
		}
		drain_ref();
		drain_cl();
		for (int i = 0; i < ncalls; i++) {
			if (calls[i].state == 0 && calls[i].agent_cl[0]) {
				if (!mismatches++)
					printf("# step %d: caller %d waits in the embedded engine, the cluster gave it to '%s'\n",
					       s, i, calls[i].agent_cl);
				continue;
			}
			if (calls[i].state != 1)
				continue;
			if (strcmp(calls[i].agent_ref, calls[i].agent_cl)) {
				if (!mismatches++)
					printf("# step %d: caller %d delivered to '%s' by the embedded engine, '%s' by the "
					       "cluster\n", s, i, calls[i].agent_ref, calls[i].agent_cl);
			} else if (!calls[i].agent_cl[0]) {
				mismatches++;
			}
		}
	}
	for (int i = 0; i < ncalls; i++)
		delivered += calls[i].state >= 1;
	char what[160];
	snprintf(what, sizeof(what), "seed %u: %d steps, %d callers, %d reached an agent: every delivery the same",
		 seed, steps, ncalls, delivered);
	ok(mismatches == 0 && delivered > ncalls / 3, what);
	/* Queue counters agree too. */
	int same = 1;
	for (int q = 0; q < 3; q++) {
		struct acd_queue_stats a, b;
		acd_queue_stats(ref, queues[q], vnow, &a);
		acd_queue_stats(host_acd[0], queues[q], 0, &b);
		if (a.offered != b.offered || a.answered != b.answered || a.abandoned != b.abandoned ||
		    a.waiting != b.waiting || a.ringing != b.ringing) {
			printf("# queue %s: embedded offered %u answered %u abandoned %u waiting %u ringing %u; cluster %u %u %u "
			       "%u %u\n", queues[q], a.offered, a.answered, a.abandoned, a.waiting, a.ringing, b.offered,
			       b.answered, b.abandoned, b.waiting, b.ringing);
			same = 0;
		}
	}
	ok(same, "queue counters (offered, answered, abandoned, waiting, ringing) the same");
	for (int h = 0; h < 2; h++) {
		cluster_stop(host_cl[h]);
		acd_free(host_acd[h]);
		ctid_config_free(hcfg[h]);
	}
	acd_free(ref);
	ctid_config_free(rcfg);
	return mismatches || !same ? 1 : 0;
}
