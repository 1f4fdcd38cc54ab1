/*
 * tests/core/bench_core.c - call setups+releases per second over the sim
 * board in virtual time (one E1 pair, up to 30 calls in flight), and the time
 * to seize all 30 channels of an E1.
 *
 *   BENCH call_setups_per_s <n> calls/s 1000 higher      (CPU time)
 *   BENCH seize_30_channels_ms <ms> ms 1000 lower        (virtual time)
 *   BENCH seize_30_channels_cpu_ms <ms> ms 1000 lower    (CPU time)
 */
#include <time.h>
#include "simcalls.h"

static struct rec R;
static int placed, done, target, failed;
static cti_ctx_t *CTX;

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void place_one(cti_ctx_t *ctx)
{
	cti_call_params_t p;

	cti_call_params_init(&p);
	strcpy(p.called.number, "4930123456");
	strcpy(p.calling.number, "8005551212");
	p.span = 1;
	if (cti_call_place(ctx, &p))
		placed++;
	else
		failed++;
}

static void handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	(void)user;
	switch (ev->type) {
	case CTI_EV_DCHAN_UP: R.dchan_up++; break;
	case CTI_EV_CALL_OFFERED:
		cti_call_proceeding(ev->call);
		cti_call_alerting(ev->call);
		cti_call_answer(ev->call);
		break;
	case CTI_EV_CALL_ANSWERED:
		R.answered++;
		if (target)
			cti_call_hangup(ev->call, 16, CTI_LOC_DEFAULT);
		break;
	case CTI_EV_CALL_HANGUP:
		cti_call_release(ev->call);
		break;
	case CTI_EV_CALL_RELEASED:
		if (cti_call_outgoing(ev->call)) {
			done++;
			if (placed < target)
				place_one(ctx);
		}
		break;
	default:
		break;
	}
}

int main(int argc, char **argv)
{
	int calls = argc > 1 ? atoi(argv[1]) : 3000;
	double t0, t1;
	uint64_t v0, v1;

	/* 1. seize 30 channels */
	CTX = open_pairs(&R, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	if (!CTX) {
		fprintf(stderr, "cti_open: %s\n", cti_last_error());
		return 1;
	}
	cti_set_event_handler(CTX, handler, NULL);
	if (!run_until(CTX, &R.dchan_up, 2, 10000))
		return 1;
	t0 = cpu_s();
	v0 = cti_now_ms(CTX);
	for (int i = 0; i < 30; i++)
		place_one(CTX);
	if (!run_until(CTX, &R.answered, 30, 60000)) {
		fprintf(stderr, "only %d of 30 answered\n", R.answered);
		return 1;
	}
	v1 = cti_now_ms(CTX);
	t1 = cpu_s();
	printf("BENCH seize_30_channels_ms %llu ms 1000 lower\n", (unsigned long long)(v1 - v0));
	printf("BENCH seize_30_channels_cpu_ms %.1f ms 1000 lower\n", (t1 - t0) * 1000);
	cti_close(CTX);

	/* 2. setups + releases, 30 in flight */
	memset(&R, 0, sizeof(R));
	placed = done = failed = 0;
	CTX = open_pairs(&R, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_set_event_handler(CTX, handler, NULL);
	if (!run_until(CTX, &R.dchan_up, 2, 10000))
		return 1;
	target = calls;
	t0 = cpu_s();
	v0 = cti_now_ms(CTX);
	for (int i = 0; i < 30 && placed < target; i++)
		place_one(CTX);
	while (done < target && cti_now_ms(CTX) - v0 < 3600000)
		cti_dispatch(CTX, 100);
	t1 = cpu_s();
	v1 = cti_now_ms(CTX);
	fprintf(stderr, "# %d calls in %.3f s CPU, %.1f s virtual (%.0f calls per virtual second), %d refused\n", done,
		t1 - t0, (v1 - v0) / 1000.0, done / ((v1 - v0) / 1000.0), failed);
	printf("BENCH call_setups_per_s %.0f calls/s 1000 higher\n", done / (t1 - t0));
	cti_close(CTX);
	return done == target ? 0 : 1;
}
