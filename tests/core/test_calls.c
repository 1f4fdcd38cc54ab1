/*
 * tests/core/test_calls.c - calls between spans of the sim board in virtual
 * time: every switch type on E1 and T1, every field intact, filling an E1,
 * far-end refusal, glare, hunting, restart, cable cut, causes and locations.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <poll.h>
#include <pthread.h>
#include <unistd.h>
#include <cmocka.h>
#include "simcalls.h"
#include "../../lib/internal.h"

static struct rec R;

static void rec_reset(void)
{
	memset(&R, 0, sizeof(R));
	R.verbose = getenv("CTI_TEST_VERBOSE") != NULL;
}

static cti_ctx_t *up_pairs(int pairs, enum cti_line line, enum cti_switchtype sw)
{
	cti_ctx_t *ctx;

	rec_reset();
	ctx = open_pairs(&R, pairs, line, sw);
	if (!ctx)
		fail_msg("cti_open: %s", cti_last_error());
	if (!run_until(ctx, &R.dchan_up, 2 * pairs, 10000))
		fail_msg("D-channels not up: %d of %d", R.dchan_up, 2 * pairs);
	return ctx;
}

static void fill_params(cti_call_params_t *p)
{
	cti_call_params_init(p);
	strcpy(p->called.number, "4930123456");
	p->called.ton = CTI_TON_NATIONAL;
	p->called.npi = CTI_NPI_E164;
	strcpy(p->calling.number, "8005551212");
	p->calling.ton = CTI_TON_INTERNATIONAL;
	p->calling.npi = CTI_NPI_E164;
	p->calling.presentation = CTI_PRES_ALLOWED;
	strcpy(p->calling.name, "Alice Smith");
	strcpy(p->redirecting.number, "2125550000");
	/* libpri carries EuroISDN/QSIG redirection in ROSE PartyNumber, where a private
	 * plan has no TON and subscriber numbers come back as unknown: use a national
	 * E.164 number so every switch type can round-trip it */
	p->redirecting.ton = CTI_TON_NATIONAL;
	p->redirecting.npi = CTI_NPI_E164;
	p->redirect_reason = CTI_REDIR_BUSY;
	p->bearer = CTI_BEARER_AUDIO_3K1;
	p->span = 1;
}

/* Which switch types carry the calling name in libpri 1.6 (display or facility). */
static int name_carried(enum cti_switchtype sw)
{
	return sw == CTI_SWITCH_EUROISDN || sw == CTI_SWITCH_QSIG || sw == CTI_SWITCH_NI2 ||
	       sw == CTI_SWITCH_DMS100 || sw == CTI_SWITCH_5ESS || sw == CTI_SWITCH_4ESS || sw == CTI_SWITCH_NI1;
}

static void one_call(enum cti_line line, enum cti_switchtype sw)
{
	cti_ctx_t *ctx = up_pairs(1, line, sw);
	cti_call_params_t p;
	cti_call_t *c;
	const cti_event_t *off, *h;
	const cti_call_params_t *o;
	char what[64];

	snprintf(what, sizeof(what), "%s/%s", line == CTI_LINE_T1 ? "T1" : "E1",
		 (const char *[]){ "euroisdn", "ni2", "ni1", "dms100", "4ess", "5ess", "qsig" }[sw]);
	R.auto_answer = 1;
	R.auto_release = 1;
	fill_params(&p);
	c = cti_call_place(ctx, &p);
	if (!c)
		fail_msg("%s: place: %s", what, cti_last_error());
	assert_int_equal(cti_call_state(c), CTI_CALL_DIALING);
	if (!run_until(ctx, &R.connected, 1, 5000))
		fail_msg("%s: not connected (offered %d answered %d)", what, R.offered, R.answered);
	assert_int_equal(R.answered, 1);
	assert_int_equal(cti_call_state(c), CTI_CALL_CONNECTED);
	assert_int_equal(cti_call_span(c), 1);
	assert_int_equal(cti_call_channel(c), 1);
	assert_non_null(rec_find_call(&R, CTI_EV_CALL_PROCEEDING, c));
	assert_non_null(rec_find_call(&R, CTI_EV_CALL_ALERTING, c));
	off = rec_find(&R, CTI_EV_CALL_OFFERED, 2, 0);
	assert_non_null(off);
	assert_int_equal(off->channel, 1);
	o = &off->u.offered;
	if (strcmp(o->called.number, p.called.number) || strcmp(o->calling.number, p.calling.number))
		fail_msg("%s: numbers '%s' '%s'", what, o->called.number, o->calling.number);
	assert_int_equal(o->called.ton, CTI_TON_NATIONAL);
	assert_int_equal(o->called.npi, CTI_NPI_E164);
	assert_int_equal(o->calling.ton, CTI_TON_INTERNATIONAL);
	assert_int_equal(o->calling.npi, CTI_NPI_E164);
	assert_int_equal(o->calling.presentation, CTI_PRES_ALLOWED);
	if (name_carried(sw) && strcmp(o->calling.name, "Alice Smith"))
		fail_msg("%s: name '%s'", what, o->calling.name);
	if (strcmp(o->redirecting.number, "2125550000"))
		fail_msg("%s: redirecting '%s'", what, o->redirecting.number);
	if (o->redirecting.ton != CTI_TON_NATIONAL)
		fail_msg("%s: redirecting ton %d npi %d reason %d", what, o->redirecting.ton, o->redirecting.npi,
			 o->redirect_reason);
	assert_int_equal(o->redirecting.npi, CTI_NPI_E164);
	assert_int_equal(o->redirect_reason, CTI_REDIR_BUSY);
	assert_int_equal(o->bearer, CTI_BEARER_AUDIO_3K1);
	/* clear from the caller with cause 16 at location "public network serving the local user" */
	assert_int_equal(cti_call_hangup(c, 16, CTI_LOC_PUB_LOCAL), 0);
	if (!run_until(ctx, &R.released, 2, 5000))
		fail_msg("%s: released %d", what, R.released);
	h = rec_find(&R, CTI_EV_CALL_HANGUP, 2, 0);
	assert_non_null(h);
	assert_int_equal(h->u.hangup.cause, 16);
	assert_int_equal(h->u.hangup.remote, 1);
	assert_int_equal(h->u.hangup.location, CTI_LOC_PUB_LOCAL);
	h = rec_find(&R, CTI_EV_CALL_HANGUP, 1, 0);
	assert_int_equal(h->u.hangup.cause, 16);
	assert_int_equal(h->u.hangup.remote, 0);
	assert_int_equal(h->u.hangup.location, CTI_LOC_PUB_LOCAL);
	/* released is the last event of each call; handles valid in its handler */
	assert_int_equal(R.ev[R.n - 1].type, CTI_EV_CALL_RELEASED);
	assert_int_equal(R.bad, 0);
	cti_close(ctx);
}

#define SW_TEST(name, line, sw) \
	static void name(void **state) { (void)state; one_call(line, sw); }
SW_TEST(test_e1_euroisdn, CTI_LINE_E1, CTI_SWITCH_EUROISDN)
SW_TEST(test_e1_qsig, CTI_LINE_E1, CTI_SWITCH_QSIG)
SW_TEST(test_e1_ni2, CTI_LINE_E1, CTI_SWITCH_NI2)
SW_TEST(test_e1_dms100, CTI_LINE_E1, CTI_SWITCH_DMS100)
SW_TEST(test_t1_ni2, CTI_LINE_T1, CTI_SWITCH_NI2)
SW_TEST(test_t1_ni1, CTI_LINE_T1, CTI_SWITCH_NI1)
SW_TEST(test_t1_dms100, CTI_LINE_T1, CTI_SWITCH_DMS100)
SW_TEST(test_t1_4ess, CTI_LINE_T1, CTI_SWITCH_4ESS)
SW_TEST(test_t1_5ess, CTI_LINE_T1, CTI_SWITCH_5ESS)
SW_TEST(test_t1_euroisdn, CTI_LINE_T1, CTI_SWITCH_EUROISDN)
SW_TEST(test_t1_qsig, CTI_LINE_T1, CTI_SWITCH_QSIG)

static void test_reject_and_bearer_speech(void **state)
{
	cti_ctx_t *ctx = up_pairs(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_params_t p;
	cti_call_t *c;
	const cti_event_t *h;

	(void)state;
	R.auto_answer = 2;
	R.reject_cause = 17;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "100");
	strcpy(p.calling.number, "777");
	p.calling.presentation = CTI_PRES_RESTRICTED;
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.released, 2, 5000));
	h = rec_find_call(&R, CTI_EV_CALL_HANGUP, c);
	assert_non_null(h);
	assert_int_equal(h->u.hangup.cause, 17);
	assert_int_equal(h->u.hangup.remote, 1);
	assert_int_equal(rec_find(&R, CTI_EV_CALL_OFFERED, 2, 0)->u.offered.bearer, CTI_BEARER_SPEECH);
	assert_int_equal(rec_find(&R, CTI_EV_CALL_OFFERED, 2, 0)->u.offered.calling.presentation, CTI_PRES_RESTRICTED);
	assert_string_equal(rec_find(&R, CTI_EV_CALL_OFFERED, 2, 0)->u.offered.calling.number, "777");
	assert_string_equal(cti_cause_text(17), "User busy");
	cti_close(ctx);
}

/* 30 calls fill an E1; hunting for a 31st reports CTI_ENOCHAN. */
static void test_fill_e1(void **state)
{
	cti_ctx_t *ctx = up_pairs(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_params_t p;
	cti_call_t *calls[30];
	char st[40];

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "200");
	p.span = 1;
	for (int i = 0; i < 30; i++) {
		calls[i] = cti_call_place(ctx, &p);
		if (!calls[i])
			fail_msg("call %d: %s", i + 1, cti_last_error());
		/* first free: 1-15 then 17-31 */
		assert_int_equal(cti_call_channel(calls[i]), i < 15 ? i + 1 : i + 2);
	}
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "no free B-channel"));
	assert_true(run_until(ctx, &R.connected, 30, 10000));
	assert_int_equal(R.answered, 30);
	p.span = 0;	/* any span: the far end's span is full too */
	assert_null(cti_call_place(ctx, &p));
	{
		cti_call_params_t q = p;

		q.span = 1;
		q.channel = 5;
		assert_null(cti_call_place(ctx, &q));
		assert_non_null(strstr(cti_last_error(), "busy"));
	}
	for (int i = 0; i < 30; i++)
		cti_call_hangup(calls[i], 16, CTI_LOC_DEFAULT);
	assert_true(run_until(ctx, &R.released, 60, 10000));
	(void)st;
	cti_close(ctx);
}

/* The far end has fewer channels: asking explicitly for one it does not have when it is full gives 34. */
static void test_far_end_34(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_span_config_t a, b;
	cti_call_params_t p;
	cti_ctx_t *ctx;
	cti_call_t *c;
	const cti_event_t *h;

	(void)state;
	rec_reset();
	cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	cti_span_config_init(&a, CTI_LINE_E1);
	strcpy(a.name, "a");
	a.port = 1;
	a.role = CTI_ROLE_NETWORK;
	b = a;
	strcpy(b.name, "b");
	b.port = 2;
	b.role = CTI_ROLE_USER;
	strcpy(b.bchannels, "1-15,17-30");
	assert_int_equal(cti_config_add_span(cfg, &a), 1);
	assert_int_equal(cti_config_add_span(cfg, &b), 2);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(ctx);
	cti_set_event_handler(ctx, rec_handler, &R);
	assert_true(run_until(ctx, &R.dchan_up, 2, 10000));
	R.auto_answer = 1;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "300");
	p.span = 1;
	for (int i = 0; i < 29; i++)
		assert_non_null(cti_call_place(ctx, &p));
	assert_true(run_until(ctx, &R.connected, 29, 10000));
	p.channel = 31;
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.hangups, 1, 5000));
	h = rec_find_call(&R, CTI_EV_CALL_HANGUP, c);
	assert_non_null(h);
	assert_int_equal(h->u.hangup.cause, 34);
	assert_int_equal(h->u.hangup.remote, 1);
	cti_close(ctx);
}

/* Both ends seize channel 1 at once: the network side keeps it, the user side's call moves. */
static void test_glare(void **state)
{
	cti_ctx_t *ctx = up_pairs(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_params_t p;
	cti_call_t *a, *b;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "400");
	p.span = 1;
	a = cti_call_place(ctx, &p);
	p.span = 2;
	b = cti_call_place(ctx, &p);
	assert_non_null(a);
	assert_non_null(b);
	assert_int_equal(cti_call_channel(a), 1);
	assert_int_equal(cti_call_channel(b), 1);
	assert_true(run_until(ctx, &R.answered, 2, 10000));
	assert_int_equal(R.offered, 2);
	assert_int_equal(cti_call_state(a), CTI_CALL_CONNECTED);
	assert_int_equal(cti_call_state(b), CTI_CALL_CONNECTED);
	assert_int_equal(cti_call_channel(a), 1);
	assert_int_equal(cti_call_channel(b), 2);	/* user side retried on cause 44 */
	cti_call_hangup(a, 16, CTI_LOC_DEFAULT);
	cti_call_hangup(b, 16, CTI_LOC_DEFAULT);
	assert_true(run_until(ctx, &R.released, 4, 5000));
	cti_close(ctx);
}

/* Hunt groups over two network-side spans: round robin alternates, first free fills the first. */
static void test_groups(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_call_params_t p;
	cti_ctx_t *ctx;
	int spans[4];

	(void)state;
	rec_reset();
	cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	assert_int_equal(cti_config_sim_pairs(cfg, 2, CTI_LINE_E1, CTI_SWITCH_EUROISDN), 0);
	assert_int_equal(cti_config_add_group(cfg, "rr", CTI_HUNT_ROUND_ROBIN, "sim1,sim3"), 1);
	assert_int_equal(cti_config_add_group(cfg, "ff", CTI_HUNT_FIRST_FREE, "sim3, sim1"), 2);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(ctx);
	cti_set_event_handler(ctx, rec_handler, &R);
	assert_true(run_until(ctx, &R.dchan_up, 4, 10000));
	R.auto_answer = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "500");
	strcpy(p.group, "rr");
	for (int i = 0; i < 4; i++) {
		cti_call_t *c = cti_call_place(ctx, &p);

		assert_non_null(c);
		spans[i] = cti_call_span(c);
	}
	assert_int_equal(spans[0], 1);
	assert_int_equal(spans[1], 3);
	assert_int_equal(spans[2], 1);
	assert_int_equal(spans[3], 3);
	strcpy(p.group, "ff");
	for (int i = 0; i < 2; i++) {
		cti_call_t *c = cti_call_place(ctx, &p);

		assert_non_null(c);
		assert_int_equal(cti_call_span(c), 3);
	}
	strcpy(p.group, "nope");
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "'nope'"));
	assert_true(run_until(ctx, &R.connected, 6, 10000));
	cti_close(ctx);
}

static void test_bad_numbers(void **state)
{
	cti_ctx_t *ctx = up_pairs(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_params_t p;

	(void)state;
	cti_call_params_init(&p);
	strcpy(p.called.number, "12a4");
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "'12a4'"));
	assert_non_null(strstr(cti_last_error(), "'a'"));
	p.called.number[0] = 0;
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "called number is empty"));
	strcpy(p.called.number, "123");
	strcpy(p.calling.number, "5 5");
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "calling number '5 5'"));
	strcpy(p.calling.number, "55");
	p.calling.ton = 5;
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "type of number 5"));
	p.calling.ton = 0;
	p.span = 9;
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "no PRI span 9"));
	p.span = 1;
	p.channel = 16;
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "no B-channel 16"));
	assert_int_equal(cti_call_hangup(NULL, 16, 0), CTI_EINVAL);
	cti_close(ctx);
}

/* Abandon a ringing call with cti_call_release: HANGUP then RELEASED, far end cleared. */
static void test_release_abandon(void **state)
{
	cti_ctx_t *ctx = up_pairs(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_params_t p;
	cti_call_t *c, *in;

	(void)state;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "600");
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.offered, 1, 5000));
	in = rec_find(&R, CTI_EV_CALL_OFFERED, 2, 0)->call;
	assert_int_equal(cti_call_alerting(in), 0);
	assert_int_equal(cti_call_answer(c), CTI_ESTATE);	/* not an incoming call */
	assert_true(run_until(ctx, &R.ev[0].type /* dummy */, 0, 10) || 1);
	{
		int before = R.n;

		while (!rec_find_call(&R, CTI_EV_CALL_ALERTING, c) && cti_now_ms(ctx) < 20000)
			cti_dispatch(ctx, 5);
		assert_true(R.n > before);
	}
	/* in-band information: PROGRESS */
	assert_int_equal(cti_call_progress(in), 0);
	{
		int n = 0;

		while (!rec_find_call(&R, CTI_EV_CALL_PROGRESS, c) && n++ < 100)
			cti_dispatch(ctx, 5);
		assert_non_null(rec_find_call(&R, CTI_EV_CALL_PROGRESS, c));
	}
	assert_int_equal(cti_call_state(c), CTI_CALL_ALERTING);
	assert_int_equal(cti_call_release(c), 0);
	assert_int_equal(cti_call_release(c), CTI_ESTATE);
	assert_true(run_until(ctx, &R.released, 2, 5000));
	assert_int_equal(rec_find_call(&R, CTI_EV_CALL_HANGUP, in)->u.hangup.cause, 16);
	cti_close(ctx);
}

/* RESTART of one channel clears its call on both sides and is reported to the far end. */
static void test_restart(void **state)
{
	cti_ctx_t *ctx = up_pairs(1, CTI_LINE_T1, CTI_SWITCH_NI2);
	cti_call_params_t p;
	cti_call_t *c;
	const cti_event_t *r;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "700");
	p.span = 2;
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.connected, 1, 5000));
	assert_int_equal(cti_span_restart(ctx, 2, cti_call_channel(c)), 0);
	assert_true(run_until(ctx, &R.released, 2, 5000));
	{
		int n = 0;

		while (!rec_count(&R, CTI_EV_RESTART, 1) && n++ < 100)
			cti_dispatch(ctx, 10);
	}
	r = rec_find(&R, CTI_EV_RESTART, 1, 0);
	assert_non_null(r);
	assert_int_equal(r->u.restart.channel, 1);
	assert_int_equal(rec_find_call(&R, CTI_EV_CALL_HANGUP, c)->u.hangup.cause, 41);
	assert_int_equal(cti_span_restart(ctx, 2, 24), CTI_EINVAL);	/* the D-channel */
	/* whole span: every B-channel restarted, the far end reports each */
	{
		int before = rec_count(&R, CTI_EV_RESTART, 1), n = 0;

		assert_int_equal(cti_span_restart(ctx, 2, 0), 0);
		while (rec_count(&R, CTI_EV_RESTART, 1) < before + 23 && n++ < 300)
			cti_dispatch(ctx, 10);
		assert_int_equal(rec_count(&R, CTI_EV_RESTART, 1), before + 23);
	}
	/* the channel is usable again */
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.connected, 2, 5000));
	cti_close(ctx);
}

/* Cut the cable mid-call: LOS alarms, calls cleared with 38, D-channel down; restore: back up. */
static void test_cable_cut(void **state)
{
	cti_ctx_t *ctx = up_pairs(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_params_t p;
	cti_call_t *c, *c2;
	const cti_event_t *h;
	int up0;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "800");
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.connected, 1, 5000));
	assert_int_equal(cti_cable_cut(ctx, 1), 0);
	assert_true(run_until(ctx, &R.released, 2, 10000));
	h = rec_find_call(&R, CTI_EV_CALL_HANGUP, c);
	assert_int_equal(h->u.hangup.cause, 38);
	h = rec_find(&R, CTI_EV_CALL_HANGUP, 2, 0);
	assert_int_equal(h->u.hangup.cause, 38);
	{
		const cti_event_t *a = rec_find(&R, CTI_EV_ALARM, 1, 0);

		assert_non_null(a);
		assert_true(a->u.alarm.alarms & CTI_ALARM_LOS);
	}
	assert_true(run_until(ctx, &R.dchan_down, 2, 10000));
	assert_null(cti_call_place(ctx, &p));
	assert_non_null(strstr(cti_last_error(), "D-channel down"));
	up0 = R.dchan_up;
	assert_int_equal(cti_cable_connect(ctx, 1, 2), 0);
	assert_true(run_until(ctx, &R.dchan_up, up0 + 2, 30000));
	/* last alarm event of each span says OK */
	for (int s = 1; s <= 2; s++) {
		const cti_event_t *last = NULL;

		for (int i = 0; i < R.n; i++)
			if (R.ev[i].type == CTI_EV_ALARM && R.ev[i].span == s)
				last = &R.ev[i];
		assert_non_null(last);
		assert_int_equal(last->u.alarm.alarms & (CTI_ALARM_LOS | CTI_ALARM_LOF | CTI_ALARM_AIS), 0);
	}
	c2 = cti_call_place(ctx, &p);
	assert_non_null(c2);
	assert_true(run_until(ctx, &R.connected, 2, 5000));
	cti_close(ctx);
}

/* Overlap receiving: a SETUP without Sending Complete arrives as overlap on a span with overlap = yes. */
static void test_overlap_offer(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;
	cti_call_params_t p;
	const cti_event_t *o;

	(void)state;
	rec_reset();
	cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	assert_int_equal(cti_config_parse(cfg, "[span net]\nport = 1\nrole = network\n[span usr]\nport = 2\n"
					  "role = user\noverlap = yes\n", "overlap.conf"), 0);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(ctx);
	cti_set_event_handler(ctx, rec_handler, &R);
	assert_true(run_until(ctx, &R.dchan_up, 2, 10000));
	cti_call_params_init(&p);
	strcpy(p.called.number, "12");
	p.sending_complete = 0;
	assert_non_null(cti_call_place(ctx, &p));
	assert_true(run_until(ctx, &R.offered, 1, 5000));
	o = rec_find(&R, CTI_EV_CALL_OFFERED, 2, 0);
	assert_int_equal(o->u.offered.overlap, 1);
	assert_string_equal(o->u.offered.called.number, "12");
	assert_int_equal(cti_call_answer(o->call), 0);
	assert_true(run_until(ctx, &R.answered, 1, 5000));
	cti_close(ctx);
}

static void test_timers(void **state)
{
	cti_ctx_t *ctx = up_pairs(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	uint64_t t0 = cti_now_ms(ctx);
	int id1, id2, n;
	const cti_event_t *t;

	(void)state;
	id1 = cti_timer_start(ctx, 250, (void *)0x1);
	id2 = cti_timer_start(ctx, 100, (void *)0x2);
	assert_true(id1 > 0 && id2 > 0 && id1 != id2);
	assert_int_equal(cti_timer_cancel(ctx, id2), 0);
	assert_int_equal(cti_timer_cancel(ctx, id2), CTI_ENOENT);
	R.n = 0;
	n = cti_dispatch(ctx, 1000);
	assert_int_equal(n, 1);
	t = &R.ev[0];
	assert_int_equal(t->type, CTI_EV_TIMER);
	assert_int_equal(t->u.timer.id, id1);
	assert_ptr_equal(t->u.timer.user, (void *)0x1);
	assert_int_equal(t->time_ms - t0, 250);	/* virtual time is exact */
	assert_int_equal(cti_dispatch(ctx, 0), 0);	/* nothing waiting, time stands */
	assert_int_equal(cti_now_ms(ctx), t->time_ms);
	cti_close(ctx);
}

/* Real clock: the internal thread runs the board; cti_fd becomes readable. */
static void test_real_clock(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;
	int spins = 0;

	(void)state;
	rec_reset();
	assert_int_equal(cti_config_sim_pairs(cfg, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN), 0);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(ctx);
	cti_set_event_handler(ctx, rec_handler, &R);
	while (R.dchan_up < 2 && spins++ < 200) {
		struct pollfd pf = { .fd = cti_fd(ctx), .events = POLLIN };

		if (poll(&pf, 1, 100) > 0)
			assert_true(cti_dispatch(ctx, 0) > 0);
	}
	assert_int_equal(R.dchan_up, 2);
	cti_close(ctx);
}

/* Clearing corner cases: caller gives up before any answer; reject after SETUP ACK; channel the far end lacks. */
static void test_clear_flows(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;
	cti_call_params_t p;
	cti_call_t *c;
	const cti_event_t *h, *o;
	int from;

	(void)state;
	rec_reset();
	R.auto_release = 1;
	cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	assert_int_equal(cti_config_parse(cfg, "[span a]\nport = 1\nrole = network\n"
					  "[span b]\nport = 2\noverlap = yes\nbchannels = 1-10\n", "t"), 0);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(ctx);
	cti_set_event_handler(ctx, rec_handler, &R);
	assert_true(run_until(ctx, &R.dchan_up, 2, 10000));
	cti_call_params_init(&p);
	strcpy(p.called.number, "55");
	p.span = 1;

	/* 1. the caller hangs up before the callee said anything: libpri clears the callee's side by itself */
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.offered, 1, 5000));
	o = rec_find(&R, CTI_EV_CALL_OFFERED, 2, 0);
	assert_int_equal(cti_call_hangup(c, 16, CTI_LOC_DEFAULT), 0);
	assert_true(run_until(ctx, &R.released, 2, 5000));
	h = rec_find_call(&R, CTI_EV_CALL_HANGUP, o->call);
	assert_non_null(h);
	assert_int_equal(h->u.hangup.cause, 16);
	assert_int_equal(h->u.hangup.remote, 1);

	/* 2. overlap offer acknowledged (SETUP ACK), then rejected with 21 */
	from = R.n;
	p.sending_complete = 0;
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.offered, 2, 5000));
	o = rec_find(&R, CTI_EV_CALL_OFFERED, 2, 1);
	assert_int_equal(o->u.offered.overlap, 1);
	assert_int_equal(cti_call_reject(o->call, 21), 0);
	assert_true(run_until(ctx, &R.released, 4, 5000));
	assert_int_equal(rec_find_call_from(&R, CTI_EV_CALL_HANGUP, c, from)->u.hangup.cause, 21);

	/* 3. an exclusive channel the far end does not have (it has others free): 82 */
	from = R.n;
	p.sending_complete = 1;
	p.channel = 20;
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.released, 5, 5000));
	assert_int_equal(rec_find_call_from(&R, CTI_EV_CALL_HANGUP, c, from)->u.hangup.cause, 82);
	assert_int_equal(R.bad, 0);
	cti_close(ctx);
}

/*
 * Glare under load: both ends hunt first-free on the same trunk at the same
 * time, 15 calls in flight each way, 150 calls each; every call completes and
 * every channel is idle at the end.
 */
static int gs_placed[3], gs_done[3], gs_target = 150;

static void gs_place(cti_ctx_t *ctx, int span)
{
	cti_call_params_t p;

	cti_call_params_init(&p);
	strcpy(p.called.number, span == 1 ? "100" : "200");
	p.span = span;
	if (cti_call_place(ctx, &p))
		gs_placed[span]++;
}

static void gs_handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	rec_handler(ctx, ev, user);
	if (ev->type == CTI_EV_CALL_ANSWERED)
		cti_call_hangup(ev->call, 16, CTI_LOC_DEFAULT);
	if (ev->type == CTI_EV_CALL_RELEASED && cti_call_outgoing(ev->call)) {
		int s = ev->span ? ev->span : cti_call_span(ev->call);

		if (s >= 1 && s <= 2) {
			gs_done[s]++;
			if (gs_placed[s] < gs_target)
				gs_place(ctx, s);
		}
	}
}

static void test_glare_stress(void **state)
{
	cti_ctx_t *ctx = up_pairs(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	char st[40];
	uint64_t end;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	R.n = 0;
	cti_set_event_handler(ctx, gs_handler, &R);
	for (int i = 0; i < 15; i++) {
		gs_place(ctx, 1);
		gs_place(ctx, 2);
	}
	end = cti_now_ms(ctx) + 120000;
	while ((gs_done[1] < gs_target || gs_done[2] < gs_target) && cti_now_ms(ctx) < end) {
		R.n = 0;	/* keep the recorder from filling up */
		cti_dispatch(ctx, 100);
	}
	if (gs_done[1] != gs_target || gs_done[2] != gs_target)
		fail_msg("done %d/%d, placed %d/%d", gs_done[1], gs_done[2], gs_placed[1], gs_placed[2]);
	assert_int_equal(R.bad, 0);
	assert_int_equal(R.answered, 2 * gs_target);
	/* let the answering sides finish their clearing */
	for (int i = 0; i < 10; i++) {
		R.n = 0;
		cti_dispatch(ctx, 100);
	}
	cti__lock(ctx);
	for (int s = 1; s <= 2; s++) {
		cti__span_chan_states(ctx, s, st, sizeof(st));
		if (strcmp(st, "...............D..............."))
			fail_msg("span %d channels '%s'", s, st);
	}
	cti__unlock(ctx);
	cti_close(ctx);
}

/* Real clock, two threads: one places calls while the other dispatches (handlers answer and release). */
static cti_ctx_t *thr_ctx;
static volatile int thr_placed, thr_fail;

static void *placer(void *arg)
{
	(void)arg;
	for (int i = 0; i < 20; i++) {
		cti_call_params_t p;

		cti_call_params_init(&p);
		snprintf(p.called.number, sizeof(p.called.number), "9%d", i);
		p.span = 1;
		if (cti_call_place(thr_ctx, &p))
			__atomic_add_fetch(&thr_placed, 1, __ATOMIC_SEQ_CST);
		else
			__atomic_add_fetch(&thr_fail, 1, __ATOMIC_SEQ_CST);
		usleep(2000);
	}
	return NULL;
}

static void thr_handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	rec_handler(ctx, ev, user);
	if (ev->type == CTI_EV_CALL_ANSWERED)
		cti_call_hangup(ev->call, 16, CTI_LOC_DEFAULT);
}

static void test_threads(void **state)
{
	cti_config_t *cfg = cti_config_new();
	pthread_t th;
	int spins = 0;

	(void)state;
	rec_reset();
	R.auto_answer = 1;
	R.auto_release = 1;
	assert_int_equal(cti_config_sim_pairs(cfg, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN), 0);
	thr_ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(thr_ctx);
	cti_set_event_handler(thr_ctx, thr_handler, &R);
	while (R.dchan_up < 2 && spins++ < 300)
		cti_dispatch(thr_ctx, 20);
	assert_int_equal(R.dchan_up, 2);
	assert_int_equal(pthread_create(&th, NULL, placer, NULL), 0);
	spins = 0;
	/* the placer counts with atomics: read them the same way (TSan, make check-tsan) */
	while ((R.released < 40 ||
		__atomic_load_n(&thr_placed, __ATOMIC_SEQ_CST) + __atomic_load_n(&thr_fail, __ATOMIC_SEQ_CST) < 20) &&
	       spins++ < 3000)
		cti_dispatch(thr_ctx, 10);
	pthread_join(th, NULL);
	assert_int_equal(thr_fail, 0);
	assert_int_equal(thr_placed, 20);
	assert_int_equal(R.released, 40);
	assert_int_equal(R.answered, 20);
	cti_close(thr_ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e1_euroisdn),
		cmocka_unit_test(test_e1_qsig),
		cmocka_unit_test(test_e1_ni2),
		cmocka_unit_test(test_e1_dms100),
		cmocka_unit_test(test_t1_ni2),
		cmocka_unit_test(test_t1_ni1),
		cmocka_unit_test(test_t1_dms100),
		cmocka_unit_test(test_t1_4ess),
		cmocka_unit_test(test_t1_5ess),
		cmocka_unit_test(test_t1_euroisdn),
		cmocka_unit_test(test_t1_qsig),
		cmocka_unit_test(test_reject_and_bearer_speech),
		cmocka_unit_test(test_fill_e1),
		cmocka_unit_test(test_far_end_34),
		cmocka_unit_test(test_glare),
		cmocka_unit_test(test_groups),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_release_abandon),
		cmocka_unit_test(test_restart),
		cmocka_unit_test(test_cable_cut),
		cmocka_unit_test(test_overlap_offer),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_real_clock),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_clear_flows),
		cmocka_unit_test(test_glare_stress),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
