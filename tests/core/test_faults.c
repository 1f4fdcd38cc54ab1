/*
 * tests/core/test_faults.c - calls and D-channels through line faults on the
 * sim board in virtual time (issue 11 items 3 and 4): AIS during a call
 * attempt, bit errors mid-call, a receive pair cut or AIS at one port
 * mid-call, short and long D-channel losses (T309). Every fault must end
 * with every call released with the right cause on both legs, every
 * B-channel free and both D-channels up again.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "simcalls.h"
#include "../../lib/internal.h"
#include "ctifw.h"

static struct rec R;
static int placed;	/* outgoing calls placed by the test */

static cti_ctx_t *up_pair(enum cti_line line, enum cti_switchtype sw)
{
	cti_ctx_t *ctx;

	memset(&R, 0, sizeof(R));
	R.verbose = getenv("CTI_TEST_VERBOSE") != NULL;
	placed = 0;
	ctx = open_pairs(&R, 1, line, sw);
	if (!ctx)
		fail_msg("cti_open: %s", cti_last_error());
	if (!run_until(ctx, &R.dchan_up, 2, 10000))
		fail_msg("D-channels not up: %d of 2", R.dchan_up);
	return ctx;
}

static void run_ms(cti_ctx_t *ctx, uint64_t ms)
{
	uint64_t end = cti_now_ms(ctx) + ms;

	while (cti_now_ms(ctx) < end)
		cti_dispatch(ctx, (int)(end - cti_now_ms(ctx)));
}

static void faults(cti_ctx_t *ctx, int port, int ais, double ber, int los)
{
	cti_line_faults_t f;

	memset(&f, 0, sizeof(f));
	f.ais = ais;
	f.ber = ber;
	f.los = los;
	assert_int_equal(cti_cable_set_faults(ctx, port, &f), 0);
}

static cti_call_t *place(cti_ctx_t *ctx, int span)
{
	cti_call_params_t p;
	cti_call_t *c;

	cti_call_params_init(&p);
	strcpy(p.called.number, "100");
	p.span = span;
	c = cti_call_place(ctx, &p);
	if (!c)
		fail_msg("cti_call_place: %s", cti_last_error());
	placed++;
	return c;
}

/* Both legs up: one call from span 1, answered on span 2. Returns the outgoing handle. */
static cti_call_t *connected_call(cti_ctx_t *ctx)
{
	int c0 = R.connected, a0 = R.answered;
	cti_call_t *c = place(ctx, 1);

	if (!run_until(ctx, &R.connected, c0 + 1, 5000) || R.answered != a0 + 1)
		fail_msg("call not connected");
	return c;
}

/* The incoming leg of the last offered call. */
static cti_call_t *last_offered(void)
{
	for (int i = R.n - 1; i >= 0; i--)
		if (R.ev[i].type == CTI_EV_CALL_OFFERED)
			return R.ev[i].call;
	return NULL;
}

static int chans_busy(cti_ctx_t *ctx, int span)
{
	char st[40];
	int n = 0;

	cti__lock(ctx);
	cti__span_chan_states(ctx, span, st, sizeof(st));
	cti__unlock(ctx);
	for (char *s = st; *s; s++)
		n += *s == 'B';
	return n;
}

static int dchan_up(cti_ctx_t *ctx, int span)
{
	int up;

	cti__lock(ctx);
	up = cti__span_dchan_up(ctx, span);
	cti__unlock(ctx);
	return up;
}

/* Run until every call has been released, at most max_ms. */
static int run_until_all_released(cti_ctx_t *ctx, int max_ms)
{
	uint64_t end = cti_now_ms(ctx) + (uint64_t)max_ms;

	while (R.released < placed + R.offered && cti_now_ms(ctx) < end)
		cti_dispatch(ctx, 5);
	return R.released == placed + R.offered;
}

/* Run until both D-channels are up (as the library reports it), at most max_ms. */
static int run_until_dchans_up(cti_ctx_t *ctx, int max_ms)
{
	uint64_t end = cti_now_ms(ctx) + (uint64_t)max_ms;

	while (!(dchan_up(ctx, 1) && dchan_up(ctx, 2)) && cti_now_ms(ctx) < end)
		cti_dispatch(ctx, 5);
	return dchan_up(ctx, 1) && dchan_up(ctx, 2);
}

/* Everything clean: calls released, channels free, D-channels up and staying up, a new call works. */
static void assert_clean_and_usable(cti_ctx_t *ctx)
{
	int down0;

	assert_true(run_until_all_released(ctx, 120000));
	assert_int_equal(cti__call_count(ctx), 0);
	assert_int_equal(chans_busy(ctx, 1), 0);
	assert_int_equal(chans_busy(ctx, 2), 0);
	if (!run_until_dchans_up(ctx, 120000))
		fail_msg("D-channels not back: span 1 %d, span 2 %d", dchan_up(ctx, 1), dchan_up(ctx, 2));
	/* stays up through several T203 polls */
	down0 = R.dchan_down;
	run_ms(ctx, 45000);
	assert_int_equal(R.dchan_down, down0);
	assert_true(dchan_up(ctx, 1) && dchan_up(ctx, 2));
	{
		int r0 = R.released;
		cti_call_t *c = connected_call(ctx);

		assert_int_equal(cti_call_hangup(c, 16, CTI_LOC_DEFAULT), 0);
		assert_true(run_until(ctx, &R.released, r0 + 2, 5000));
		assert_int_equal(rec_find_call_from(&R, CTI_EV_CALL_HANGUP, c, R.n - 4)->u.hangup.cause, 16);
	}
	assert_int_equal(cti__call_count(ctx), 0);
	assert_int_equal(chans_busy(ctx, 1) + chans_busy(ctx, 2), 0);
}

static int hangup_cause(cti_call_t *c, int from)
{
	const cti_event_t *h = rec_find_call_from(&R, CTI_EV_CALL_HANGUP, c, from);

	return h ? h->u.hangup.cause : -1;
}

/*
 * Item 3: AIS arrives at port 2; span 1 (yellow alarm only) attempts a call,
 * which fails with cause 41 when its data link gives up; AIS removed: both
 * D-channels must come back and stay up, calls work again.
 */
static void test_ais_call_attempt_recovers(void **state)
{
	cti_ctx_t *ctx = up_pair(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_t *c;
	int from;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	faults(ctx, 2, 1, 0, 0);
	run_ms(ctx, 3000);
	assert_false(dchan_up(ctx, 2));
	from = R.n;
	c = place(ctx, 1);
	assert_true(run_until(ctx, &R.released, 1, 15000));
	assert_int_equal(hangup_cause(c, from), 41);
	run_ms(ctx, 2000);	/* the SABMEs span 1 sends meanwhile are lost too */
	faults(ctx, 2, 0, 0, 0);
	assert_clean_and_usable(ctx);
	cti_close(ctx);
}

/* Same with the call attempted from the side that receives the AIS (its D-channel is down: refused at once). */
static void test_ais_call_attempt_far_side(void **state)
{
	cti_ctx_t *ctx = up_pair(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_params_t p;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	faults(ctx, 1, 1, 0, 0);
	run_ms(ctx, 3000);
	cti_call_params_init(&p);
	strcpy(p.called.number, "100");
	p.span = 1;
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "D-channel down"));
	place(ctx, 2);	/* span 2 only has a yellow alarm */
	assert_true(run_until(ctx, &R.released, 1, 15000));
	faults(ctx, 1, 0, 0, 0);
	assert_clean_and_usable(ctx);
	cti_close(ctx);
}

/*
 * Item 4: bit errors (1e-2) on both directions mid-call, the caller hangs up
 * while they last; errors removed later: both legs released, channels free.
 */
static void test_ber_hangup_midcall(void **state)
{
	cti_ctx_t *ctx = up_pair(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_t *c;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	c = connected_call(ctx);
	faults(ctx, 1, 0, 1e-2, 0);
	faults(ctx, 2, 0, 1e-2, 0);
	run_ms(ctx, 2000);
	assert_int_equal(cti_call_hangup(c, 16, CTI_LOC_DEFAULT), 0);
	run_ms(ctx, 20000);
	faults(ctx, 1, 0, 0, 0);
	faults(ctx, 2, 0, 0, 0);
	assert_clean_and_usable(ctx);
	cti_close(ctx);
}

/* Bit errors on one direction only (the incoming leg's receive side), hang-up from span 1. */
static void test_ber_one_way_hangup(void **state)
{
	cti_ctx_t *ctx = up_pair(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_t *c;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	c = connected_call(ctx);
	faults(ctx, 2, 0, 1e-2, 0);
	run_ms(ctx, 1000);
	assert_int_equal(cti_call_hangup(c, 16, CTI_LOC_DEFAULT), 0);
	run_ms(ctx, 20000);
	faults(ctx, 2, 0, 0, 0);
	assert_clean_and_usable(ctx);
	cti_close(ctx);
}

/*
 * Receive pair cut at port 2 mid-call (port 1 still receives): span 2 goes
 * red (LOS) and clears with 38; span 1 sees the far end's RAI and must clear
 * its leg too, with the same cause, not wait for the application.
 */
static void one_sided_l1(int port, int ais, int los)
{
	cti_ctx_t *ctx = up_pair(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_t *c, *in;
	int from = R.n;
	uint64_t t0;

	R.auto_answer = 1;
	R.auto_release = 1;
	c = connected_call(ctx);
	in = last_offered();
	assert_non_null(in);
	from = R.n;
	t0 = cti_now_ms(ctx);
	faults(ctx, port, ais, 0, los);
	/* both legs cleared within a few seconds of the alarms (no application action) */
	assert_true(run_until(ctx, &R.released, 2, 10000));
	assert_true(cti_now_ms(ctx) - t0 < 6000);
	assert_int_equal(hangup_cause(c, from), 38);
	assert_int_equal(hangup_cause(in, from), 38);
	assert_int_equal(chans_busy(ctx, 1) + chans_busy(ctx, 2), 0);
	faults(ctx, port, 0, 0, 0);
	assert_clean_and_usable(ctx);
	cti_close(ctx);
}

static void test_rx_cut_at_answering_port(void **state)
{
	(void)state;
	one_sided_l1(2, 0, 1);
}

static void test_rx_cut_at_calling_port(void **state)
{
	(void)state;
	one_sided_l1(1, 0, 1);
}

static void test_ais_at_answering_port(void **state)
{
	(void)state;
	one_sided_l1(2, 1, 0);
}

static void test_ais_at_calling_port(void **state)
{
	(void)state;
	one_sided_l1(1, 1, 0);
}

/*
 * D-channel lost with no layer 1 alarm: both ports send a PRBS in the
 * D-channel timeslot instead of HDLC (framing intact, B-channels intact).
 */
static void garble_dchan(cti_ctx_t *ctx, int on)
{
	cti__lock(ctx);
	for (int port = 1; port <= 2; port++) {
		struct ctifw_port *p = cti__sim_port(ctx, port);

		if (on)
			ctifw_prbs_start(p, CTIFW_PRBS_2E11, 1u << 16, true, false);
		else
			ctifw_prbs_stop(p);
	}
	cti__unlock(ctx);
}

/* A stable call survives a data link loss shorter than T309 (Q.931 5.8.9). */
static void test_t309_short_loss(void **state)
{
	cti_ctx_t *ctx = up_pair(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_t *c, *in;
	int from;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	c = connected_call(ctx);
	in = last_offered();
	from = R.n;
	garble_dchan(ctx, 1);
	/* span 1 notices first (its T203 poll); T309 (6 s) runs from its data link release */
	assert_true(run_until(ctx, &R.dchan_down, 1, 30000));
	run_ms(ctx, 3000);
	garble_dchan(ctx, 0);
	assert_true(run_until_dchans_up(ctx, 30000));
	run_ms(ctx, 10000);
	assert_null(rec_find_call_from(&R, CTI_EV_CALL_HANGUP, c, from));
	assert_null(rec_find_call_from(&R, CTI_EV_CALL_HANGUP, in, from));
	assert_int_equal(cti_call_state(c), CTI_CALL_CONNECTED);
	assert_int_equal(cti_call_state(in), CTI_CALL_CONNECTED);
	assert_int_equal(chans_busy(ctx, 1), 1);
	assert_int_equal(chans_busy(ctx, 2), 1);
	/* and clears normally */
	assert_int_equal(cti_call_hangup(in, 16, CTI_LOC_DEFAULT), 0);
	assert_true(run_until(ctx, &R.released, 2, 5000));
	assert_int_equal(hangup_cause(c, from), 16);
	assert_int_equal(hangup_cause(in, from), 16);
	assert_clean_and_usable(ctx);
	cti_close(ctx);
}

/* A longer loss: T309 clears both legs with cause 27; the channels come back after RESTART. */
static void test_t309_long_loss(void **state)
{
	cti_ctx_t *ctx = up_pair(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_t *c, *in;
	int from;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	c = connected_call(ctx);
	in = last_offered();
	from = R.n;
	garble_dchan(ctx, 1);
	assert_true(run_until(ctx, &R.released, 2, 60000));
	assert_int_equal(hangup_cause(c, from), 27);
	assert_int_equal(hangup_cause(in, from), 27);
	assert_int_equal(chans_busy(ctx, 1) + chans_busy(ctx, 2), 0);
	run_ms(ctx, 5000);
	garble_dchan(ctx, 0);
	assert_clean_and_usable(ctx);
	cti_close(ctx);
}

/*
 * The application hangs up during a data link loss: cleared locally at
 * once; the far end, which never heard the DISCONNECT, is cleared by the
 * RESTART sent when the link is back (cause 41), not left holding the channel.
 */
static void test_hangup_during_dchan_loss(void **state)
{
	cti_ctx_t *ctx = up_pair(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_t *c, *in;
	int from;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	c = connected_call(ctx);
	in = last_offered();
	from = R.n;
	garble_dchan(ctx, 1);
	assert_true(run_until(ctx, &R.dchan_down, 1, 30000));	/* span 1 first: its T309 runs */
	assert_int_equal(R.released, 0);
	assert_int_equal(cti_call_hangup(c, 16, CTI_LOC_DEFAULT), 0);
	assert_true(run_until(ctx, &R.released, 1, 1000));
	assert_int_equal(hangup_cause(c, from), 16);
	assert_int_equal(chans_busy(ctx, 1), 0);
	assert_int_equal(chans_busy(ctx, 2), 1);	/* T309 still runs there */
	garble_dchan(ctx, 0);
	assert_true(run_until(ctx, &R.released, 2, 30000));
	assert_int_equal(hangup_cause(in, from), 41);
	assert_clean_and_usable(ctx);
	cti_close(ctx);
}

/*
 * The far end resets the data link while a call is half set up: span 2
 * called span 1 and got CALL PROCEEDING; span 1's ALERTING and CONNECT are
 * lost (its D-channel transmit garbled), its T200 runs out, it sends SABME,
 * which arrives once the garbling stops: span 2's data link is reset without
 * ever going down, the lost messages are gone for good. Both legs must be
 * cleared (cause 41), not left PROCEEDING on one side and active on the other.
 */
static void test_link_reset_half_setup(void **state)
{
	cti_ctx_t *ctx = up_pair(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_t *c, *in;
	struct ctifw_port *p1;
	int from, down0, pr0;

	(void)state;
	R.auto_answer = 0;
	R.auto_release = 1;
	from = R.n;
	c = place(ctx, 2);
	assert_true(run_until(ctx, &R.offered, 1, 2000));
	in = last_offered();
	pr0 = rec_count(&R, CTI_EV_CALL_PROCEEDING, 2);
	assert_int_equal(cti_call_proceeding(in), 0);
	while (rec_count(&R, CTI_EV_CALL_PROCEEDING, 2) == pr0)
		cti_dispatch(ctx, 5);
	cti__lock(ctx);
	p1 = cti__sim_port(ctx, 1);
	ctifw_prbs_start(p1, CTIFW_PRBS_2E11, 1u << 16, true, false);
	cti__unlock(ctx);
	down0 = R.dchan_down;
	assert_int_equal(cti_call_alerting(in), 0);
	assert_int_equal(cti_call_answer(in), 0);
	assert_true(run_until(ctx, &R.dchan_down, down0 + 1, 20000));
	assert_false(dchan_up(ctx, 1));
	assert_true(dchan_up(ctx, 2));	/* span 2 never noticed */
	cti__lock(ctx);
	ctifw_prbs_stop(p1);
	cti__unlock(ctx);
	assert_true(run_until(ctx, &R.released, 2, 30000));
	assert_int_equal(hangup_cause(c, from), 41);
	assert_int_equal(hangup_cause(in, from), 41);
	R.auto_answer = 1;
	assert_clean_and_usable(ctx);
	cti_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ais_call_attempt_recovers),
		cmocka_unit_test(test_ais_call_attempt_far_side),
		cmocka_unit_test(test_ber_hangup_midcall),
		cmocka_unit_test(test_ber_one_way_hangup),
		cmocka_unit_test(test_rx_cut_at_answering_port),
		cmocka_unit_test(test_rx_cut_at_calling_port),
		cmocka_unit_test(test_ais_at_answering_port),
		cmocka_unit_test(test_ais_at_calling_port),
		cmocka_unit_test(test_t309_short_loss),
		cmocka_unit_test(test_t309_long_loss),
		cmocka_unit_test(test_hangup_during_dchan_loss),
		cmocka_unit_test(test_link_reset_half_setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
