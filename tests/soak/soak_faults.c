/*
 * tests/soak/soak_faults.c - line faults under calls on the sim board, in
 * virtual time (issue 11): cable cuts, AIS, receive pair cuts (LOS), bit
 * errors, clock offsets (slips), D-channel-only losses, one after another
 * while calls are placed, answered and hung up on two E1 trunks.
 *
 * After each fault is removed and the line settled, every D-channel must be
 * up, both ends of each trunk must hold the same number of B-channels and
 * every remaining call must be connected (no leg left behind). At the end
 * every call is hung up: no call left, every channel idle, a new call on
 * each span connects. Output is TAP with the figures as comments.
 *
 *   soak_faults [--faults N] [--seed S] [-v]
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cti.h"
#include "ctifw.h"
#include "../../lib/internal.h"

#define PAIRS 2
#define SPANS (2 * PAIRS)
#define MAX_CALLS 256
#define LOAD_PER_PAIR 8		/* calls kept up per trunk */

enum fault { F_CUT, F_AIS, F_LOS, F_BER, F_SLIP, F_DCHAN, F_BER_SLIP, F_NTYPES };
static const char *const fault_names[F_NTYPES] = { "cut", "ais", "los", "ber", "slips", "dchan", "ber+slips" };

struct call_rec {
	cti_call_t *c;
	uint64_t hang_at;	/* hang up when connected and now >= hang_at (0: not yet connected) */
	int hung;
};

static struct {
	cti_ctx_t *ctx;
	uint64_t rng;
	int verbose;
	int placing;		/* new calls and hang-ups allowed */
	struct call_rec calls[MAX_CALLS];
	int ncalls;
	/* figures */
	long placed, place_refused, offered, answered, connected, hangups, released, rejected;
	long causes[128];
	long dchan_down, dchan_up, restarts, alarms;
	long faults[F_NTYPES], survived[F_NTYPES];
	int tap;
	int failures;
} S;

static uint32_t rnd(uint32_t n)
{
	S.rng ^= S.rng << 13;
	S.rng ^= S.rng >> 7;
	S.rng ^= S.rng << 17;
	return n ? (uint32_t)(S.rng % n) : 0;
}

static struct call_rec *rec_of(cti_call_t *c)
{
	for (int i = 0; i < S.ncalls; i++)
		if (S.calls[i].c == c)
			return &S.calls[i];
	return NULL;
}

static void rec_add(cti_call_t *c)
{
	if (S.ncalls < MAX_CALLS)
		S.calls[S.ncalls++] = (struct call_rec){ .c = c };
	else
		S.failures++;	/* more calls than the test can follow: a bug in the test or the library */
}

static void rec_del(cti_call_t *c)
{
	for (int i = 0; i < S.ncalls; i++)
		if (S.calls[i].c == c) {
			S.calls[i] = S.calls[--S.ncalls];
			return;
		}
}

static void handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	struct call_rec *r;

	(void)user;
	if (S.verbose)
		fprintf(stderr, "[%8" PRIu64 "] %-16s span %d ch %2d %p%s%d\n", ev->time_ms, cti_event_name(ev->type),
			ev->span, ev->channel, (void *)ev->call, ev->type == CTI_EV_CALL_HANGUP ? " cause " : " ",
			ev->type == CTI_EV_CALL_HANGUP ? ev->u.hangup.cause : (int)ev->u.alarm.alarms);
	switch (ev->type) {
	case CTI_EV_DCHAN_UP: S.dchan_up++; break;
	case CTI_EV_DCHAN_DOWN: S.dchan_down++; break;
	case CTI_EV_RESTART: S.restarts++; break;
	case CTI_EV_ALARM: S.alarms++; break;
	case CTI_EV_CALL_OFFERED:
		S.offered++;
		rec_add(ev->call);
		if (rnd(20) == 0) {
			S.rejected++;
			cti_call_reject(ev->call, 17);
		} else {
			cti_call_proceeding(ev->call);
			cti_call_alerting(ev->call);
			cti_call_answer(ev->call);
		}
		break;
	case CTI_EV_CALL_ANSWERED:
	case CTI_EV_CALL_CONNECTED:
		if (ev->type == CTI_EV_CALL_ANSWERED)
			S.answered++;
		else
			S.connected++;
		r = rec_of(ev->call);
		if (r)
			r->hang_at = cti_now_ms(ctx) + 1000 + rnd(60000);
		break;
	case CTI_EV_CALL_HANGUP:
		S.hangups++;
		S.causes[ev->u.hangup.cause & 127]++;
		cti_call_release(ev->call);
		break;
	case CTI_EV_CALL_RELEASED:
		S.released++;
		if (!rec_of(ev->call))
			S.failures++;	/* a handle we never saw */
		rec_del(ev->call);
		break;
	default:
		break;
	}
}

static void step_calls(void)
{
	uint64_t now = cti_now_ms(S.ctx);
	int out[PAIRS] = { 0 };

	if (!S.placing)
		return;
	for (int i = 0; i < S.ncalls; i++) {
		struct call_rec *r = &S.calls[i];

		if (!r->hung && r->hang_at && now >= r->hang_at &&
		    cti_call_state(r->c) == CTI_CALL_CONNECTED) {
			r->hung = 1;
			cti_call_hangup(r->c, 16, CTI_LOC_DEFAULT);
		}
		if (cti_call_outgoing(r->c) && !r->hung && cti_call_span(r->c) > 0)
			out[(cti_call_span(r->c) - 1) / 2]++;
	}
	for (int p = 0; p < PAIRS; p++) {
		if (out[p] >= LOAD_PER_PAIR || rnd(4))
			continue;
		cti_call_params_t prm;
		cti_call_t *c;

		cti_call_params_init(&prm);
		snprintf(prm.called.number, sizeof(prm.called.number), "%u", 1000 + rnd(9000));
		strcpy(prm.calling.number, "5550100");
		prm.span = 2 * p + 1 + (int)rnd(2);
		c = cti_call_place(S.ctx, &prm);
		if (c) {
			S.placed++;
			rec_add(c);
		} else {
			S.place_refused++;	/* D-channel down or no channel: expected during faults */
		}
	}
}

static void run_ms(uint64_t ms)
{
	uint64_t end = cti_now_ms(S.ctx) + ms;

	while (cti_now_ms(S.ctx) < end) {
		uint64_t left = end - cti_now_ms(S.ctx);

		cti_dispatch(S.ctx, left > 100 ? 100 : (int)left);
		step_calls();
	}
}

static int busy(int span)
{
	char st[40];
	int n = 0;

	cti__lock(S.ctx);
	cti__span_chan_states(S.ctx, span, st, sizeof(st));
	cti__unlock(S.ctx);
	for (char *s = st; *s; s++)
		n += *s == 'B';
	return n;
}

static int dchan_up(int span)
{
	int up;

	cti__lock(S.ctx);
	up = cti__span_dchan_up(S.ctx, span);
	cti__unlock(S.ctx);
	return up;
}

static void set_faults(int port, int ais, double ber, int ppm, int los)
{
	cti_line_faults_t f;

	memset(&f, 0, sizeof(f));
	f.ais = ais;
	f.ber = ber;
	f.ppm = ppm;
	f.los = los;
	if (cti_cable_set_faults(S.ctx, port, &f) < 0) {
		printf("# cti_cable_set_faults: %s\n", cti_last_error());
		S.failures++;
	}
}

static void garble_dchan(int pair, int on)
{
	cti__lock(S.ctx);
	for (int port = 2 * pair + 1; port <= 2 * pair + 2; port++) {
		struct ctifw_port *p = cti__sim_port(S.ctx, port);

		if (on)
			ctifw_prbs_start(p, CTIFW_PRBS_2E11, 1u << 16, true, false);
		else
			ctifw_prbs_stop(p);
	}
	cti__unlock(S.ctx);
}

/* After a fault: every D-channel up, both ends of each trunk hold the same channels, calls all connected. */
static int check_consistent(char *why, size_t size)
{
	why[0] = 0;
	for (int s = 1; s <= SPANS; s++)
		if (!dchan_up(s)) {
			snprintf(why, size, "span %d D-channel down", s);
			return 0;
		}
	for (int p = 0; p < PAIRS; p++) {
		int a = busy(2 * p + 1), b = busy(2 * p + 2);

		if (a != b) {
			char sa[40], sb[40];

			cti__lock(S.ctx);
			cti__span_chan_states(S.ctx, 2 * p + 1, sa, sizeof(sa));
			cti__span_chan_states(S.ctx, 2 * p + 2, sb, sizeof(sb));
			cti__unlock(S.ctx);
			snprintf(why, size, "trunk %d: %d B-channels busy on span %d (%s), %d on span %d (%s)", p + 1, a,
				 2 * p + 1, sa, b, 2 * p + 2, sb);
			return 0;
		}
	}
	for (int i = 0; i < S.ncalls; i++)
		if (cti_call_state(S.calls[i].c) != CTI_CALL_CONNECTED) {
			snprintf(why, size, "call %p on span %d ch %d left in state %s", (void *)S.calls[i].c,
				 cti_call_span(S.calls[i].c), cti_call_channel(S.calls[i].c),
				 cti_call_state_name(cti_call_state(S.calls[i].c)));
			return 0;
		}
	return 1;
}

static void one_fault(void)
{
	enum fault type = (enum fault)rnd(F_NTYPES);
	int pair = (int)rnd(PAIRS), port = 2 * pair + 1 + (int)rnd(2), peer = port % 2 ? port + 1 : port - 1;
	uint32_t dur = 1000 + rnd(39000);	/* 1-40 s: some last beyond T309 */
	double ber = 0;
	int ppm = 0, both = 0;
	char what[96], why[200];
	uint64_t t0 = cti_now_ms(S.ctx);

	switch (type) {
	case F_CUT:
		cti_cable_cut(S.ctx, port);
		snprintf(what, sizeof(what), "cable %d-%d cut", port, peer);
		break;
	case F_AIS:
		set_faults(port, 1, 0, 0, 0);
		snprintf(what, sizeof(what), "AIS into port %d", port);
		break;
	case F_LOS:
		set_faults(port, 0, 0, 0, 1);
		snprintf(what, sizeof(what), "receive pair of port %d cut", port);
		break;
	case F_BER:
	case F_BER_SLIP:
		ber = (double[]){ 1e-5, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2 }[rnd(6)];
		both = (int)rnd(2);
		if (type == F_BER_SLIP)
			ppm = (int)rnd(2001) - 1000;
		set_faults(port, 0, ber, ppm, 0);
		if (both)
			set_faults(peer, 0, ber, 0, 0);
		snprintf(what, sizeof(what), "BER %.0e into port %d%s%s", ber, port, both ? " and its peer" : "",
			 ppm ? " with slips" : "");
		break;
	case F_SLIP:
		ppm = (int)rnd(2001) - 1000;
		set_faults(port, 0, 0, ppm, 0);
		snprintf(what, sizeof(what), "clock %+d ppm into port %d", ppm, port);
		break;
	case F_DCHAN:
	default:
		garble_dchan(pair, 1);
		snprintf(what, sizeof(what), "D-channel of trunk %d garbled", pair + 1);
		break;
	}
	S.faults[type]++;
	run_ms(dur);
	switch (type) {
	case F_CUT:
		cti_cable_connect(S.ctx, port < peer ? port : peer, port < peer ? peer : port);
		break;
	case F_DCHAN:
		garble_dchan(pair, 0);
		break;
	default:
		set_faults(port, 0, 0, 0, 0);
		if (both)
			set_faults(peer, 0, 0, 0, 0);
		break;
	}
	/* settle with calls going on (RESTARTs are retried every 10 s), then a quiet moment to check */
	run_ms(40000);
	S.placing = 0;
	run_ms(3000);
	if (check_consistent(why, sizeof(why))) {
		S.survived[type]++;
		printf("ok %d - %s for %u ms at %" PRIu64 " s: %d calls up, D-channels up\n", ++S.tap, what, dur,
		       t0 / 1000, S.ncalls);
	} else {
		S.failures++;
		printf("not ok %d - %s for %u ms at %" PRIu64 " s: %s\n", ++S.tap, what, dur, t0 / 1000, why);
	}
	fflush(stdout);
	S.placing = 1;
}

static void final_checks(void)
{
	char why[160];
	int ok;

	/* everybody hangs up */
	S.placing = 0;
	for (int i = 0; i < S.ncalls; i++)
		if (cti_call_state(S.calls[i].c) == CTI_CALL_CONNECTED || cti_call_state(S.calls[i].c) == CTI_CALL_ALERTING)
			cti_call_hangup(S.calls[i].c, 16, CTI_LOC_DEFAULT);
	run_ms(30000);
	ok = S.ncalls == 0 && cti__call_count(S.ctx) == 0;
	printf("%sok %d - every call released: %d followed, %d held by the library\n", ok ? "" : "not ", ++S.tap,
	       S.ncalls, cti__call_count(S.ctx));
	S.failures += !ok;
	ok = 1;
	why[0] = 0;
	for (int s = 1; s <= SPANS; s++)
		if (busy(s) || !dchan_up(s)) {
			snprintf(why, sizeof(why), ": span %d has %d busy channels, D-channel %s", s, busy(s),
				 dchan_up(s) ? "up" : "down");
			ok = 0;
		}
	printf("%sok %d - every channel idle, every D-channel up%s\n", ok ? "" : "not ", ++S.tap, why);
	S.failures += !ok;
	/* a new call on every span connects */
	{
		long c0 = S.connected + S.answered;

		for (int s = 1; s <= SPANS; s++) {
			cti_call_params_t prm;
			cti_call_t *c;

			cti_call_params_init(&prm);
			strcpy(prm.called.number, "4000");
			prm.span = s;
			c = cti_call_place(S.ctx, &prm);
			if (c)
				rec_add(c);
		}
		run_ms(2000);
		ok = S.connected + S.answered == c0 + 2 * SPANS;
		printf("%sok %d - a new call on each of the %d spans connects\n", ok ? "" : "not ", ++S.tap, SPANS);
		S.failures += !ok;
	}
}

int main(int argc, char **argv)
{
	int nfaults = 20;
	uint64_t seed = 1;
	cti_config_t *cfg;
	struct timespec w0, w1;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--faults") && i + 1 < argc)
			nfaults = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			seed = strtoull(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "-v"))
			S.verbose = 1;
		else {
			fprintf(stderr, "usage: %s [--faults N] [--seed S] [-v]\n", argv[0]);
			return 2;
		}
	}
	if (nfaults < 1 || nfaults > 1000000) {
		fprintf(stderr, "soak_faults: --faults %d outside 1-1000000\n", nfaults);
		return 2;
	}
	S.rng = seed * 0x9e3779b97f4a7c15ull + 1;
	clock_gettime(CLOCK_MONOTONIC, &w0);
	printf("1..%d\n", nfaults + 3);
	printf("# soak: %d faults under calls, seed %" PRIu64 ", %d E1 trunks, %d calls per trunk\n", nfaults, seed,
	       PAIRS, LOAD_PER_PAIR);
	cfg = cti_config_new();
	cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	if (cti_config_sim_pairs(cfg, PAIRS, CTI_LINE_E1, CTI_SWITCH_EUROISDN) < 0 || !(S.ctx = cti_open(cfg))) {
		printf("Bail out! cti_open: %s\n", cti_last_error());
		return 1;
	}
	cti_config_free(cfg);
	cti_set_event_handler(S.ctx, handler, NULL);
	run_ms(3000);
	S.placing = 1;
	run_ms(20000);
	for (int k = 0; k < nfaults; k++)
		one_fault();
	final_checks();
	clock_gettime(CLOCK_MONOTONIC, &w1);
	printf("# faults survived: ");
	for (int t = 0; t < F_NTYPES; t++)
		printf("%s %ld/%ld%s", fault_names[t], S.survived[t], S.faults[t], t + 1 < F_NTYPES ? ", " : "\n");
	printf("# calls: %ld placed (%ld refused while down), %ld offered (%ld rejected), %ld answered, %ld "
	       "connected, %ld hang-ups, %ld released\n", S.placed, S.place_refused, S.offered, S.rejected,
	       S.answered, S.connected, S.hangups, S.released);
	printf("# causes:");
	for (int c = 0; c < 128; c++)
		if (S.causes[c])
			printf(" %d x%ld", c, S.causes[c]);
	printf("\n# line: %ld alarm changes, %ld D-channel downs, %ld ups, %ld RESTARTs received\n", S.alarms,
	       S.dchan_down, S.dchan_up, S.restarts);
	printf("# %" PRIu64 " s of virtual time in %.1f s\n", cti_now_ms(S.ctx) / 1000,
	       (double)(w1.tv_sec - w0.tv_sec) + (double)(w1.tv_nsec - w0.tv_nsec) / 1e9);
	cti_close(S.ctx);
	return S.failures ? 1 : 0;
}
