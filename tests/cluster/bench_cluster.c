/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_cluster PORT HOSTS AGENTS CALLS - the cluster ACD (server/ctid/cluster.c + cluster.lua)
 * through a real redis-server: HOSTS processes, each a ctid host with AGENTS agents of its own
 * (all Ready), push CALLS calls each through the shared ACD as fast as it answers: enqueue ->
 * the deliver event arrives through the stream -> answered -> call end (no wrap-up) -> the next.
 * Each host keeps 8 calls in flight and ticks every 250 ms like ctid. Prints per host:
 *   host N calls C seconds S ops O
 * (O: Redis commands its main thread sent). bench_cluster.sh starts redis-server and turns the
 * figures and Redis' own counters into BENCH lines.
 */
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "acd.h"
#include "cluster.h"
#include "config.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int host_main(int port, int h, int nagents, int ncalls)
{
	size_t cap = 4096 + (size_t)nagents * 96;
	char *text = malloc(cap);
	if (!text)
		return 1;
	int len = snprintf(text, cap,
			   "[ctid]\nsim = 1 e1 euroisdn\nlisten = none\ncdr = sqlite:/dev/null\n"
			   "[trunk pstn]\nspan = sim2\n[trunk desks]\nspan = sim1\nrole = positions\n[routes]\n1 = queue:q\n[queue q]\nskills = sales:1\n"
			   "[cluster]\nredis = 127.0.0.1:%d\nhost = h%d\nlease = 10\n",
			   port, h);
	for (int i = 0; i < nagents; i++)
		len += snprintf(text + len, cap - (size_t)len, "[agent h%d-a%d]\nposition = %d%04d\nskills = sales:%d\n",
				h, i, h, i, 1 + i % 9);
	struct ctid_config *cfg;
	char *errors = NULL;
	if (ctid_config_parse(text, "bench.conf", ".", &cfg, &errors)) {
		fprintf(stderr, "bench_cluster: config: %s", errors ? errors : "?");
		return 1;
	}
	free(text);
	acd_t *acd = acd_new();
	char err[256];
	if (!acd || ctid_config_apply(cfg, acd))
		return 1;
	cluster_t *cl = cluster_start(cfg, acd, err, sizeof(err));
	if (!cl) {
		fprintf(stderr, "bench_cluster: %s\n", err);
		return 1;
	}
	for (int i = 0; i < cfg->nagents; i++) {
		acd_agent_login(acd, cfg->agents[i].acd.id, 0);
		acd_agent_ready(acd, cfg->agents[i].acd.id, 0);
	}
	uint64_t ops0 = cluster_ops(cl);
	double t0 = now_s(), next_tick = t0 + 0.25;
	int placed = 0, done = 0, inflight = 0;
	while (done < ncalls) {
		while (inflight < 8 && placed < ncalls) {
			if (acd_enqueue(acd, "q", "0301", 0) < 0) {
				fprintf(stderr, "bench_cluster: enqueue failed\n");
				return 1;
			}
			placed++;
			inflight++;
		}
		struct pollfd pf = { .fd = cluster_fd(cl), .events = POLLIN };
		poll(&pf, 1, 50);
		cluster_process(cl);
		struct acd_event ev;
		while (acd_next_event(acd, &ev)) {
			if (ev.type != ACD_EV_DELIVER)
				continue;
			if (acd_answered(acd, ev.call, 0) || acd_call_end(acd, ev.call, 0)) {
				fprintf(stderr, "bench_cluster: answer/end of call %" PRIu64 " failed\n", ev.call);
				return 1;
			}
			done++;
			inflight--;
		}
		if (now_s() >= next_tick) {
			acd_tick(acd, 0);
			next_tick += 0.25;
		}
		if (now_s() - t0 > 120) {
			fprintf(stderr, "bench_cluster: host %d: only %d of %d calls in 120 s\n", h, done, ncalls);
			return 1;
		}
	}
	double secs = now_s() - t0;
	printf("host %d calls %d seconds %.3f ops %" PRIu64 "\n", h, done, secs, cluster_ops(cl) - ops0);
	fflush(stdout);
	cluster_stop(cl);
	acd_free(acd);
	ctid_config_free(cfg);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 5) {
		fprintf(stderr, "usage: bench_cluster PORT HOSTS AGENTS CALLS\n");
		return 2;
	}
	int port = atoi(argv[1]), hosts = atoi(argv[2]), agents = atoi(argv[3]), calls = atoi(argv[4]);
	for (int h = 1; h <= hosts; h++) {
		pid_t pid = fork();
		if (pid == 0)
			_exit(host_main(port, h, agents, calls));
		if (pid < 0)
			return 1;
	}
	int rc = 0, st;
	while (wait(&st) > 0)
		if (!WIFEXITED(st) || WEXITSTATUS(st))
			rc = 1;
	return rc;
}
