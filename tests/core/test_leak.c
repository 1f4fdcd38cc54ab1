/*
 * tests/core/test_leak.c - cti_open/cti_close cycles do not lose memory
 * (issue 11 item 7). libpri 1.6 cannot free what pri_new_cb() allocates;
 * libcti pools those instances, so the heap in use after N cycles (each
 * with calls) does not grow with N, the number of libpri instances created
 * stays at the most spans open at once, and reused instances bring their
 * D-channel up and carry calls like new ones, in both roles.
 */
#include <malloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "simcalls.h"
#include "../../lib/internal.h"

static struct rec R;

/* Open `pairs` pairs, bring them up, one call each way on every pair, close. */
static void cycle(int pairs)
{
	cti_ctx_t *ctx;
	int spans = 2 * pairs;

	memset(&R, 0, sizeof(R));
	R.auto_answer = 1;
	R.auto_release = 1;
	ctx = open_pairs(&R, pairs, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	if (!ctx)
		fail_msg("cti_open: %s", cti_last_error());
	if (!run_until(ctx, &R.dchan_up, spans, 10000))
		fail_msg("D-channels up: %d of %d", R.dchan_up, spans);
	for (int s = 1; s <= spans; s++) {
		cti_call_params_t p;

		cti_call_params_init(&p);
		strcpy(p.called.number, "555");
		p.span = s;
		if (!cti_call_place(ctx, &p))
			fail_msg("span %d: %s", s, cti_last_error());
	}
	if (!run_until(ctx, &R.connected, spans, 10000))
		fail_msg("connected %d of %d", R.connected, spans);
	if (R.answered != spans)
		fail_msg("answered %d of %d", R.answered, spans);
	/* close with the calls up: their libpri calls must be freed too */
	cti_close(ctx);
}

static size_t heap_in_use(void)
{
	struct mallinfo2 mi = mallinfo2();

	return mi.uordblks;
}

static void test_open_close_cycles(void **state)
{
	int created0, created, idle;
	size_t before, after;
	const int n = 40;

	(void)state;
	cycle(1);
	cycle(2);
	cti__pri_pool_stats(&created0, &idle);
	assert_int_equal(created0, 4);	/* the most spans open at once */
	assert_int_equal(idle, 4);
	before = heap_in_use();
	for (int i = 0; i < n; i++)
		cycle(1 + i % 2);
	after = heap_in_use();
	cti__pri_pool_stats(&created, &idle);
	assert_int_equal(created, created0);
	assert_int_equal(idle, 4);
	/* libpri's instance alone is 24-72 KB: losing one per cycle would show as megabytes */
	if (after > before + 16384)
		fail_msg("heap grew by %zu bytes over %d open/close cycles", after - before, n);
	print_message("heap in use: %zu before, %zu after %d cycles; %d libpri instances\n", before, after, n,
		      created);
}

/* More spans than ever before: new instances are created for the extra ones only. */
static void test_pool_grows_to_peak(void **state)
{
	int created0, created, idle;

	(void)state;
	cti__pri_pool_stats(&created0, NULL);
	cycle(3);
	cti__pri_pool_stats(&created, &idle);
	assert_int_equal(created, created0 < 6 ? 6 : created0);
	assert_int_equal(idle, created);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_close_cycles),
		cmocka_unit_test(test_pool_grows_to_peak),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
