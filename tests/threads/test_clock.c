/*
 * tests/threads/test_clock.c - libpri's timers follow the context's virtual
 * clock while the application's gettimeofday() stays the real clock.
 *
 * The program defines gettimeofday() itself, as an application may (a test
 * double, a tracer): it counts the calls and forwards to the next definition
 * (libc's, or a sanitizer's interceptor). libcti must never call it: libpri's
 * clock is libcti's own (lib/build.mk renames libpri's reference). Before that,
 * libcti defined gettimeofday() for the whole process: this program did not
 * link (static libcti) or libpri took the application's clock (shared).
 *
 * Checks: a SETUP nobody answers times out on libpri's T303 twice (2 x 4 s,
 * Q.931 5.1.1) at exactly that virtual time, while gettimeofday() called from
 * the event handler (same thread as the virtual clock) and from another
 * thread running concurrently returns the real time, and every call to it is
 * one this program made.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdatomic.h>
#include <stdint.h>
#include <dlfcn.h>
#include <pthread.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <cmocka.h>
#include "cti.h"

static atomic_long gtod_calls;		/* every call of gettimeofday() in the process */
static atomic_long own_calls;		/* the ones this program made */

typedef int (*gtod_fn)(struct timeval *restrict, void *restrict);

int gettimeofday(struct timeval *restrict tv, void *restrict tz)
{
	static gtod_fn next;

	atomic_fetch_add(&gtod_calls, 1);
	if (!next)
		next = (gtod_fn)dlsym(RTLD_NEXT, "gettimeofday");
	return next(tv, tz);
}

/* |gettimeofday - CLOCK_REALTIME| in ms, from the application's point of view */
static long real_skew_ms(void)
{
	struct timeval tv;
	struct timespec ts;
	long d;

	atomic_fetch_add(&own_calls, 1);
	gettimeofday(&tv, NULL);
	clock_gettime(CLOCK_REALTIME, &ts);
	d = (long)(ts.tv_sec - tv.tv_sec) * 1000 + (ts.tv_nsec / 1000 - tv.tv_usec) / 1000;
	return d < 0 ? -d : d;
}

struct rec {
	int dchan_up, offered, hangups, released, out_released;
	uint64_t placed_ms, hangup_ms;
	int cause;
	long max_skew_ms, handler_checks;
};

static void on_event(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	struct rec *r = user;
	long skew = real_skew_ms();	/* in the thread that runs the virtual clock */

	(void)ctx;
	if (skew > r->max_skew_ms)
		r->max_skew_ms = skew;
	r->handler_checks++;
	switch (ev->type) {
	case CTI_EV_DCHAN_UP: r->dchan_up++; break;
	case CTI_EV_CALL_OFFERED: r->offered++; break;	/* never answered: the caller's T303 runs */
	case CTI_EV_CALL_HANGUP:
		r->hangups++;
		if (cti_call_outgoing(ev->call)) {
			r->hangup_ms = ev->time_ms;
			r->cause = ev->u.hangup.cause;
		}
		cti_call_release(ev->call);
		break;
	case CTI_EV_CALL_RELEASED:
		r->released++;
		r->out_released += cti_call_outgoing(ev->call);
		break;
	default: break;
	}
}

struct watcher {
	atomic_int stop;
	long checks, max_skew_ms;
};

static void *watch(void *arg)
{
	struct watcher *w = arg;

	while (!atomic_load(&w->stop)) {
		long skew = real_skew_ms();

		if (skew > w->max_skew_ms)
			w->max_skew_ms = skew;
		w->checks++;
		nanosleep(&(struct timespec){ 0, 200000 }, NULL);
	}
	return NULL;
}

static void *run_virtual(void *arg)
{
	struct rec *r = arg;
	cti_config_t *cfg = cti_config_new();
	cti_call_params_t p;
	cti_ctx_t *ctx;

	if (cti_config_sim_pairs(cfg, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN) ||
	    cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL)) {
		cti_config_free(cfg);
		return NULL;
	}
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	if (!ctx)
		return NULL;
	cti_set_event_handler(ctx, on_event, r);
	while (r->dchan_up < 2 && cti_now_ms(ctx) < 10000)
		cti_dispatch(ctx, 10);
	cti_call_params_init(&p);
	p.span = 1;
	strcpy(p.called.number, "4711");
	if (cti_call_place(ctx, &p)) {
		r->placed_ms = cti_now_ms(ctx);
		while (!r->out_released && cti_now_ms(ctx) < r->placed_ms + 30000)
			cti_dispatch(ctx, 100);
	}
	cti_close(ctx);
	return r;
}

static void test_t303_virtual_gettimeofday_real(void **state)
{
	struct rec r;
	struct watcher w;
	pthread_t vt, wt;
	void *ret;

	(void)state;
	memset(&r, 0, sizeof(r));
	memset(&w, 0, sizeof(w));
	assert_int_equal(pthread_create(&wt, NULL, watch, &w), 0);
	/* the virtual clock runs inside cti_dispatch() in its own thread, the watcher beside it */
	assert_int_equal(pthread_create(&vt, NULL, run_virtual, &r), 0);
	pthread_join(vt, &ret);
	atomic_store(&w.stop, 1);
	pthread_join(wt, NULL);
	assert_ptr_equal(ret, &r);

	assert_int_equal(r.dchan_up, 2);
	assert_int_equal(r.offered, 1);
	/* T303 twice in virtual time: cleared 8 s after the SETUP, libpri 1.6 says "no user responding" */
	assert_int_equal(r.cause, 18);
	assert_true(r.hangup_ms >= r.placed_ms + 8000);
	assert_true(r.hangup_ms <= r.placed_ms + 8050);
	assert_int_equal(r.out_released, 1);
	/* the virtual epoch is 2023-11-14: a second off would already fail */
	assert_true(r.handler_checks >= 4);
	assert_true(r.max_skew_ms < 1000);
	assert_true(w.checks > 0);
	assert_true(w.max_skew_ms < 1000);
	/* nobody but this program called its gettimeofday */
	assert_int_equal(atomic_load(&gtod_calls), atomic_load(&own_calls));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_t303_virtual_gettimeofday_real),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
