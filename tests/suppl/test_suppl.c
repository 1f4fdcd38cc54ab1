/*
 * tests/suppl/test_suppl.c - ISDN supplementary services on the sim board in
 * virtual time, libpri (through libcti) on both ends of each trunk: span 1
 * is the network side, span 2 the user side (a call center's PBX/ACD).
 *
 * Hold/retrieve (EuroISDN E1 and T1), transfer (ECT on EuroISDN, 2BCT on
 * NI2/5ESS/4ESS, QSIG join, RLT on DMS100, none on NI1), deflection
 * (EuroISDN, QSIG), keypad and display; refusals name the switch type; the
 * B-channels a service frees are checked in cti_span_status().chan_state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "../core/simcalls.h"

#define NET 1
#define USR 2

static struct rec R;

/* What the test application does on each side on a request. */
static struct {
	int hold_reply;		/* cause to answer HOLD_REQUEST with (0 accept), -1 leave it */
	int retrieve_reply;
	int xfer_reply;		/* 1 accept, 0 refuse, -1 leave it */
	int defl_reply;
	int answer_net_only;	/* auto-answer only calls offered on the network span */
	const char *deflect_to;	/* user side deflects offered calls there */
	int deflect_rc;
	char last_error[256];
	int xfer_requests;
	cti_call_t *xfer_c1, *xfer_c2;
} S;

static void handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	if (ev->type == CTI_EV_CALL_OFFERED && ev->span == USR && S.deflect_to) {
		cti_party_t to;

		memset(&to, 0, sizeof(to));
		strcpy(to.number, S.deflect_to);
		to.ton = CTI_TON_NATIONAL;
		to.npi = CTI_NPI_E164;
		S.deflect_rc = cti_call_deflect(ev->call, &to);
		snprintf(S.last_error, sizeof(S.last_error), "%s", cti_last_error());
	}
	if (ev->type == CTI_EV_CALL_OFFERED && S.answer_net_only && ev->span != NET) {
		R.auto_answer = 0;
		rec_handler(ctx, ev, user);
		R.auto_answer = 1;
		return;
	}
	rec_handler(ctx, ev, user);
	switch (ev->type) {
	case CTI_EV_HOLD_REQUEST:
		if (S.hold_reply >= 0)
			assert_int_equal(cti_call_hold_reply(ev->call, S.hold_reply), 0);
		break;
	case CTI_EV_RETRIEVE_REQUEST:
		if (S.retrieve_reply >= 0)
			assert_int_equal(cti_call_retrieve_reply(ev->call, S.retrieve_reply), 0);
		break;
	case CTI_EV_TRANSFER_REQUEST:
		S.xfer_requests++;
		S.xfer_c1 = ev->call;
		S.xfer_c2 = ev->u.suppl.other;
		if (S.xfer_reply >= 0)
			assert_int_equal(cti_transfer_reply(ev->call, S.xfer_reply), 0);
		break;
	case CTI_EV_DEFLECT_REQUEST:
		if (S.defl_reply >= 0)
			assert_int_equal(cti_deflect_reply(ev->call, S.defl_reply), 0);
		break;
	default:
		break;
	}
}

/* Set before up(): capture that scenario's D-channels to $SUPPL_PCAP_DIR/<name>.pcap (tshark-suppl.sh). */
static const char *pcap_name;

static const char *swname(enum cti_switchtype sw)
{
	return (const char *[]){ "euroisdn", "ni2", "ni1", "dms100", "4ess", "5ess", "qsig" }[sw];
}

static cti_ctx_t *up(enum cti_line line, enum cti_switchtype sw)
{
	cti_ctx_t *ctx;

	memset(&R, 0, sizeof(R));
	R.verbose = getenv("CTI_TEST_VERBOSE") != NULL;
	memset(&S, 0, sizeof(S));
	S.hold_reply = S.retrieve_reply = S.xfer_reply = S.defl_reply = -1;
	ctx = open_pairs(&R, 1, line, sw);
	if (!ctx)
		fail_msg("cti_open: %s", cti_last_error());
	cti_set_event_handler(ctx, handler, &R);
	if (pcap_name && getenv("SUPPL_PCAP_DIR")) {
		char path[512];

		snprintf(path, sizeof(path), "%s/%s.pcap", getenv("SUPPL_PCAP_DIR"), pcap_name);
		if (cti_trace_start(ctx, 0, path) < 0)
			fail_msg("cti_trace_start %s: %s", path, cti_last_error());
	}
	pcap_name = NULL;
	if (!run_until(ctx, &R.dchan_up, 2, 10000))
		fail_msg("D-channels not up");
	return ctx;
}

static int count_type(int type, int span)
{
	return rec_count(&R, type, span);
}

/* Run until an event of type on span was recorded n times. */
static int run_for(cti_ctx_t *ctx, int type, int span, int n, int max_ms)
{
	uint64_t end = cti_now_ms(ctx) + (uint64_t)max_ms;

	while (count_type(type, span) < n && cti_now_ms(ctx) < end)
		cti_dispatch(ctx, 5);
	return count_type(type, span) >= n;
}

static char chan_state(cti_ctx_t *ctx, int span, int ch)
{
	cti_span_status_t st;

	assert_int_equal(cti_span_status(ctx, span, &st), 0);
	return st.chan_state[ch - 1];
}

static int busy_channels(cti_ctx_t *ctx, int span)
{
	cti_span_status_t st;
	int n = 0;

	assert_int_equal(cti_span_status(ctx, span, &st), 0);
	for (int i = 0; i < st.nchannels; i++)
		n += st.chan_state[i] == 'B';
	return n;
}

/* A connected call placed from span `from`; returns the caller's handle, *far = the answering side's. */
static cti_call_t *connect_call(cti_ctx_t *ctx, int from, const char *number, cti_call_t **far)
{
	cti_call_params_t p;
	cti_call_t *c;
	int answered = R.answered;
	const cti_event_t *off;

	cti_call_params_init(&p);
	strcpy(p.called.number, number);
	strcpy(p.calling.number, "5550001");
	p.span = from;
	c = cti_call_place(ctx, &p);
	if (!c)
		fail_msg("cti_call_place: %s", cti_last_error());
	if (!run_until(ctx, &R.answered, answered + 1, 5000))
		fail_msg("call to %s not answered", number);
	off = NULL;
	for (int i = R.n - 1; i >= 0; i--)
		if (R.ev[i].type == CTI_EV_CALL_OFFERED && !strcmp(R.ev[i].u.offered.called.number, number)) {
			off = &R.ev[i];
			break;
		}
	assert_non_null(off);
	if (far)
		*far = off->call;
	return c;
}

/* Last event of type for call. */
static const cti_event_t *last_of(int type, cti_call_t *call)
{
	for (int i = R.n - 1; i >= 0; i--)
		if (R.ev[i].type == type && R.ev[i].call == call)
			return &R.ev[i];
	return NULL;
}

/* ---------------- hold / retrieve ---------------- */

static void hold_retrieve(enum cti_line line)
{
	cti_ctx_t *ctx = up(line, CTI_SWITCH_EUROISDN);
	cti_call_t *u, *n;
	int ch;
	const cti_event_t *ev;

	R.auto_answer = 1;
	R.auto_release = 1;
	S.hold_reply = 0;
	S.retrieve_reply = 0;
	u = connect_call(ctx, USR, "100", &n);
	ch = cti_call_channel(u);
	assert_true(ch > 0);
	assert_int_equal(chan_state(ctx, USR, ch), 'B');
	assert_int_equal(chan_state(ctx, NET, ch), 'B');
	assert_int_equal(cti_suppl_supported(ctx, USR, CTI_SUPPL_HOLD), 1);

	/* hold: both sides see the call held and the B-channel free */
	assert_int_equal(cti_call_hold(u), 0);
	assert_int_equal(cti_call_hold(u), CTI_ESTATE);	/* one at a time */
	assert_true(run_for(ctx, CTI_EV_CALL_HELD, USR, 1, 5000));
	assert_true(run_for(ctx, CTI_EV_CALL_HELD, NET, 1, 5000));
	assert_int_equal(count_type(CTI_EV_HOLD_REQUEST, NET), 1);
	ev = last_of(CTI_EV_CALL_HELD, u);
	assert_non_null(ev);
	assert_int_equal(ev->u.suppl.result, 0);
	assert_int_equal(ev->u.suppl.remote, 0);
	ev = last_of(CTI_EV_CALL_HELD, n);
	assert_non_null(ev);
	assert_int_equal(ev->u.suppl.remote, 1);
	assert_int_equal(cti_call_held(u), 1);
	assert_int_equal(cti_call_held(n), 1);
	assert_int_equal(cti_call_channel(u), 0);
	assert_int_equal(cti_call_channel(n), 0);
	assert_int_equal(chan_state(ctx, USR, ch), '.');
	assert_int_equal(chan_state(ctx, NET, ch), '.');
	assert_int_equal(cti_call_state(u), CTI_CALL_CONNECTED);
	/* media needs a B-channel */
	assert_true(cti_send_dtmf(u, "1", 0, 0, 0) < 0);
	assert_int_equal(cti_call_hold(u), CTI_ESTATE);

	/* the freed channel carries another call meanwhile: retrieve takes a different one */
	{
		cti_call_t *u2 = connect_call(ctx, USR, "101", NULL);

		assert_int_equal(cti_call_channel(u2), ch);
		assert_int_equal(cti_call_retrieve(u), 0);
		assert_true(run_for(ctx, CTI_EV_CALL_RETRIEVED, USR, 1, 5000));
		assert_true(run_for(ctx, CTI_EV_CALL_RETRIEVED, NET, 1, 5000));
		ev = last_of(CTI_EV_CALL_RETRIEVED, u);
		assert_int_equal(ev->u.suppl.result, 0);
		assert_int_not_equal(cti_call_channel(u), 0);
		assert_int_not_equal(cti_call_channel(u), ch);
		assert_int_equal(cti_call_channel(n), cti_call_channel(u));
		assert_int_equal(ev->channel, cti_call_channel(u));
		assert_int_equal(chan_state(ctx, USR, cti_call_channel(u)), 'B');
		assert_int_equal(chan_state(ctx, NET, cti_call_channel(u)), 'B');
		assert_int_equal(cti_call_held(u), 0);
		assert_int_equal(cti_call_held(n), 0);
		assert_int_equal(busy_channels(ctx, USR), 2);
		cti_call_hangup(u2, 16, CTI_LOC_DEFAULT);
	}

	/* audio flows on the new channel: a digit sent by the user side is detected by the network side */
	{
		int before = count_type(CTI_EV_DIGIT, NET);

		assert_true(cti_send_dtmf(u, "7", 0, 0, 0) > 0);
		assert_true(run_for(ctx, CTI_EV_DIGIT, NET, before + 1, 3000));
		assert_int_equal(rec_find(&R, CTI_EV_DIGIT, NET, before)->u.digit.digit, '7');
	}

	/* hangup of a held call works too */
	assert_int_equal(cti_call_hold(u), 0);
	assert_true(run_for(ctx, CTI_EV_CALL_HELD, USR, 2, 5000));
	assert_int_equal(cti_call_hangup(u, 16, CTI_LOC_DEFAULT), 0);
	assert_true(run_until(ctx, &R.released, 4, 5000));
	assert_int_equal(busy_channels(ctx, USR), 0);
	assert_int_equal(busy_channels(ctx, NET), 0);
	cti_close(ctx);
}

static void test_hold_retrieve_e1(void **state)
{
	(void)state;
	pcap_name = "hold";
	hold_retrieve(CTI_LINE_E1);
}

static void test_hold_retrieve_t1(void **state)
{
	(void)state;
	hold_retrieve(CTI_LINE_T1);
}

/* The serving side refuses: the requester gets the cause, keeps its channel. */
static void test_hold_rejected(void **state)
{
	cti_ctx_t *ctx = up(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_t *u, *n;
	const cti_event_t *ev;
	int ch;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	S.hold_reply = 29;	/* facility rejected */
	u = connect_call(ctx, USR, "100", &n);
	ch = cti_call_channel(u);
	assert_int_equal(cti_call_hold(u), 0);
	assert_true(run_for(ctx, CTI_EV_CALL_HELD, USR, 1, 5000));
	ev = last_of(CTI_EV_CALL_HELD, u);
	assert_int_equal(ev->u.suppl.result, 29);
	assert_int_equal(count_type(CTI_EV_CALL_HELD, NET), 0);
	assert_int_equal(cti_call_held(u), 0);
	assert_int_equal(cti_call_channel(u), ch);
	assert_int_equal(chan_state(ctx, USR, ch), 'B');
	/* the network side may hold too (either side may ask) */
	S.hold_reply = 0;
	assert_int_equal(cti_call_hold(n), 0);
	assert_true(run_for(ctx, CTI_EV_CALL_HELD, NET, 1, 5000));
	assert_int_equal(last_of(CTI_EV_CALL_HELD, n)->u.suppl.result, 0);
	assert_int_equal(chan_state(ctx, USR, ch), '.');
	/* retrieve refused: still held, no channel */
	S.retrieve_reply = 34;
	assert_int_equal(cti_call_retrieve(n), 0);
	assert_true(run_for(ctx, CTI_EV_CALL_RETRIEVED, NET, 1, 5000));
	assert_int_equal(last_of(CTI_EV_CALL_RETRIEVED, n)->u.suppl.result, 34);
	assert_int_equal(cti_call_held(n), 1);
	assert_int_equal(cti_call_channel(n), 0);
	assert_int_equal(busy_channels(ctx, NET), 0);
	assert_int_equal(busy_channels(ctx, USR), 0);
	/* replies without a request */
	assert_int_equal(cti_call_hold_reply(u, 0), CTI_ESTATE);
	assert_int_equal(cti_call_retrieve_reply(u, 0), CTI_ESTATE);
	assert_int_equal(cti_call_hold_reply(u, 300), CTI_EINVAL);
	cti_close(ctx);
}

/* Switch types without HOLD: CTI_ENOTSUP naming the switch type, nothing sent. */
static void test_hold_unsupported(void **state)
{
	static const enum cti_switchtype sws[] = { CTI_SWITCH_NI2, CTI_SWITCH_DMS100, CTI_SWITCH_5ESS,
						   CTI_SWITCH_4ESS, CTI_SWITCH_NI1, CTI_SWITCH_QSIG };

	(void)state;
	for (size_t i = 0; i < sizeof(sws) / sizeof(sws[0]); i++) {
		cti_ctx_t *ctx = up(CTI_LINE_T1, sws[i]);
		cti_call_t *u;

		R.auto_answer = 1;
		R.auto_release = 1;
		u = connect_call(ctx, USR, "100", NULL);
		assert_int_equal(cti_suppl_supported(ctx, USR, CTI_SUPPL_HOLD), 0);
		assert_int_equal(cti_call_hold(u), CTI_ENOTSUP);
		if (!strstr(cti_last_error(), swname(sws[i])))
			fail_msg("message does not name %s: %s", swname(sws[i]), cti_last_error());
		run_until(ctx, &R.hangups, 99, 200);
		assert_int_equal(count_type(CTI_EV_HOLD_REQUEST, 0), 0);
		assert_int_equal(cti_call_channel(u), 1);
		cti_close(ctx);
	}
}

/* ---------------- transfer ---------------- */

/*
 * The user side (a PBX) has call a from the network (a caller) and places
 * call b (to an agent outside); consultative (b answered, a held where the
 * switch type has hold) or blind (b only alerting). cti_call_transfer(a, b):
 * the network side sees TRANSFER_REQUEST with both calls, accepts, both legs
 * toward the user are cleared and the user's B-channels are free again.
 */
static void transfer_ok(enum cti_line line, enum cti_switchtype sw, int consult, const char *method)
{
	cti_ctx_t *ctx = up(line, sw);
	cti_call_t *a, *b, *na, *nb = NULL;
	const cti_event_t *ev;
	char what[64];

	snprintf(what, sizeof(what), "%s %s %s", line == CTI_LINE_T1 ? "T1" : "E1", swname(sw),
		 consult ? "consultative" : "blind");
	R.auto_answer = 1;
	R.auto_release = 1;
	S.hold_reply = 0;
	S.xfer_reply = 1;
	assert_string_equal(cti_transfer_method(ctx, USR), method);
	assert_int_equal(cti_suppl_supported(ctx, USR, CTI_SUPPL_TRANSFER), 1);
	/* a: the caller, from the network to the user */
	na = connect_call(ctx, NET, "200", &a);
	if (consult) {
		if (cti_suppl_supported(ctx, USR, CTI_SUPPL_HOLD) == 1) {
			assert_int_equal(cti_call_hold(a), 0);
			assert_true(run_for(ctx, CTI_EV_CALL_HELD, USR, 1, 5000));
		}
		b = connect_call(ctx, USR, "300", &nb);
	} else {
		cti_call_params_t p;

		/* b rings at the network: not answered */
		R.auto_answer = 0;
		cti_call_params_init(&p);
		strcpy(p.called.number, "301");
		p.span = USR;
		b = cti_call_place(ctx, &p);
		assert_non_null(b);
		assert_true(run_for(ctx, CTI_EV_CALL_OFFERED, NET, 1, 5000));
		nb = rec_find(&R, CTI_EV_CALL_OFFERED, NET, 0)->call;
		assert_int_equal(cti_call_alerting(nb), 0);
		assert_true(run_for(ctx, CTI_EV_CALL_ALERTING, USR, 1, 5000));
		R.auto_answer = 1;
	}
	assert_true(busy_channels(ctx, USR) >= 1);
	assert_int_equal(cti_call_transfer(a, b), 0);
	if (!run_for(ctx, CTI_EV_TRANSFER_DONE, USR, 1, 10000))
		fail_msg("%s: no TRANSFER_DONE (requests seen by the network: %d)", what, S.xfer_requests);
	assert_int_equal(S.xfer_requests, 1);
	/* the network side was told which two calls to join */
	assert_true((S.xfer_c1 == na && S.xfer_c2 == nb) || (S.xfer_c1 == nb && S.xfer_c2 == na));
	ev = rec_find(&R, CTI_EV_TRANSFER_DONE, USR, 0);
	assert_ptr_equal(ev->call, a);
	assert_ptr_equal(ev->u.suppl.other, b);
	assert_int_equal(ev->u.suppl.result, 0);
	assert_true(run_until(ctx, &R.released, 4, 5000));
	assert_int_equal(rec_find_call(&R, CTI_EV_CALL_HANGUP, a)->u.hangup.remote, 1);
	assert_int_equal(rec_find_call(&R, CTI_EV_CALL_HANGUP, b)->u.hangup.remote, 1);
	assert_int_equal(rec_find_call(&R, CTI_EV_CALL_HANGUP, b)->u.hangup.cause, 16);
	/* both B-channels of the user side are free again */
	assert_int_equal(busy_channels(ctx, USR), 0);
	assert_int_equal(busy_channels(ctx, NET), 0);
	cti_close(ctx);
}

static void test_transfer_ect_e1(void **state)
{
	(void)state;
	pcap_name = "ect";
	transfer_ok(CTI_LINE_E1, CTI_SWITCH_EUROISDN, 1, "ECT");
	transfer_ok(CTI_LINE_E1, CTI_SWITCH_EUROISDN, 0, "ECT");
}

static void test_transfer_ect_t1(void **state)
{
	(void)state;
	transfer_ok(CTI_LINE_T1, CTI_SWITCH_EUROISDN, 1, "ECT");
}

static void test_transfer_2bct(void **state)
{
	(void)state;
	pcap_name = "2bct";
	transfer_ok(CTI_LINE_T1, CTI_SWITCH_NI2, 1, "2BCT");
	transfer_ok(CTI_LINE_T1, CTI_SWITCH_NI2, 0, "2BCT");
	transfer_ok(CTI_LINE_T1, CTI_SWITCH_5ESS, 1, "2BCT");
	transfer_ok(CTI_LINE_T1, CTI_SWITCH_5ESS, 0, "2BCT");
	transfer_ok(CTI_LINE_T1, CTI_SWITCH_4ESS, 1, "2BCT");
	transfer_ok(CTI_LINE_T1, CTI_SWITCH_4ESS, 0, "2BCT");
	transfer_ok(CTI_LINE_E1, CTI_SWITCH_NI2, 1, "2BCT");
}

/* The network refuses (ECT): no clearing, both calls stay; the far end's refusal is reported. */
static void test_transfer_refused(void **state)
{
	cti_ctx_t *ctx;
	cti_call_t *a, *b;

	(void)state;
	pcap_name = "ect-refused";
	ctx = up(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	R.auto_answer = 1;
	R.auto_release = 1;
	S.xfer_reply = 0;
	connect_call(ctx, NET, "200", &a);
	b = connect_call(ctx, USR, "300", NULL);
	assert_int_equal(cti_call_transfer(a, b), 0);
	assert_true(run_for(ctx, CTI_EV_TRANSFER_REQUEST, NET, 1, 5000));
	/* the refusal (ROSE returnError) comes back to the requester */
	assert_true(run_for(ctx, CTI_EV_TRANSFER_DONE, USR, 1, 5000));
	assert_int_equal(rec_find(&R, CTI_EV_TRANSFER_DONE, USR, 0)->u.suppl.result, CTI_EIO);
	assert_ptr_equal(rec_find(&R, CTI_EV_TRANSFER_DONE, USR, 0)->call, a);
	assert_non_null(strstr(rec_find(&R, CTI_EV_TRANSFER_DONE, USR, 0)->u.suppl.text, "ECT"));
	run_until(ctx, &R.hangups, 1, 2000);
	assert_int_equal(R.hangups, 0);
	assert_int_equal(busy_channels(ctx, USR), 2);
	assert_int_equal(cti_call_state(a), CTI_CALL_CONNECTED);
	/* calls of different spans, same call twice, NULL */
	assert_int_equal(cti_call_transfer(a, a), CTI_EINVAL);
	assert_int_equal(cti_call_transfer(NULL, b), CTI_EINVAL);
	assert_int_equal(cti_transfer_reply(a, 1), CTI_ESTATE);
	cti_close(ctx);
}

/*
 * QSIG: the transferring PINX (span 2) tells both far ends and joins the two
 * calls itself: both stay up on their B-channels, and audio from one far
 * party reaches the other through the join.
 */
static void test_transfer_qsig(void **state)
{
	cti_ctx_t *ctx = up(CTI_LINE_E1, CTI_SWITCH_QSIG);
	cti_call_t *a, *b, *na, *nb;
	const cti_event_t *ev;

	(void)state;
	R.auto_answer = 1;
	R.auto_release = 1;
	assert_string_equal(cti_transfer_method(ctx, USR), "QSIG");
	na = connect_call(ctx, NET, "200", &a);
	b = connect_call(ctx, USR, "300", &nb);
	assert_int_equal(cti_call_transfer(a, b), 0);
	assert_true(run_for(ctx, CTI_EV_TRANSFER_DONE, USR, 1, 5000));
	ev = rec_find(&R, CTI_EV_TRANSFER_DONE, USR, 0);
	assert_int_equal(ev->u.suppl.result, 0);
	assert_ptr_equal(ev->u.suppl.other, b);
	assert_non_null(strstr(ev->u.suppl.text, "QSIG"));
	assert_true(cti_send_dtmf(na, "5", 0, 0, 0) > 0);
	/* the digit crosses the join: detected on nb's channel, on the network span */
	{
		uint64_t end = cti_now_ms(ctx) + 3000;
		const cti_event_t *d = NULL;

		while (!d && cti_now_ms(ctx) < end) {
			cti_dispatch(ctx, 5);
			for (int i = 0; i < R.n; i++)
				if (R.ev[i].type == CTI_EV_DIGIT && R.ev[i].call == nb)
					d = &R.ev[i];
		}
		assert_non_null(d);
		assert_int_equal(d->u.digit.digit, '5');
	}
	assert_int_equal(R.hangups, 0);
	assert_int_equal(busy_channels(ctx, USR), 2);
	cti_close(ctx);

	/* blind: b still ringing when joined; audio flows once it answers */
	ctx = up(CTI_LINE_E1, CTI_SWITCH_QSIG);
	R.auto_answer = 1;
	R.auto_release = 1;
	na = connect_call(ctx, NET, "200", &a);
	R.auto_answer = 0;
	{
		cti_call_params_t p;
		int from;

		cti_call_params_init(&p);
		strcpy(p.called.number, "301");
		p.span = USR;
		b = cti_call_place(ctx, &p);
		assert_non_null(b);
		assert_true(run_for(ctx, CTI_EV_CALL_OFFERED, NET, 1, 5000));
		nb = rec_find(&R, CTI_EV_CALL_OFFERED, NET, 0)->call;
		assert_int_equal(cti_call_alerting(nb), 0);
		assert_true(run_for(ctx, CTI_EV_CALL_ALERTING, USR, 1, 5000));
		assert_int_equal(cti_call_transfer(a, b), 0);
		assert_true(run_for(ctx, CTI_EV_TRANSFER_DONE, USR, 1, 5000));
		assert_int_equal(rec_find(&R, CTI_EV_TRANSFER_DONE, USR, 0)->u.suppl.result, 0);
		assert_int_equal(cti_call_answer(nb), 0);
		assert_true(run_until(ctx, &R.answered, 2, 5000));
		from = R.n;
		assert_true(cti_send_dtmf(nb, "8", 0, 0, 0) > 0);
		{
			uint64_t end = cti_now_ms(ctx) + 3000;
			const cti_event_t *d = NULL;

			while (!d && cti_now_ms(ctx) < end) {
				cti_dispatch(ctx, 5);
				for (int i = from; i < R.n; i++)
					if (R.ev[i].type == CTI_EV_DIGIT && R.ev[i].call == na)
						d = &R.ev[i];
			}
			assert_non_null(d);
			assert_int_equal(d->u.digit.digit, '8');
		}
	}
	cti_close(ctx);
}

/*
 * DMS100 RLT: libpri's user side asks for an RLT call id in its SETUP and
 * libcti's network side gives it (libpri's would not): a call placed by the
 * user side can be transferred, the network clears both legs.
 */
static void test_transfer_rlt(void **state)
{
	(void)state;
	pcap_name = "rlt";
	transfer_ok(CTI_LINE_T1, CTI_SWITCH_DMS100, 1, "RLT");
	transfer_ok(CTI_LINE_T1, CTI_SWITCH_DMS100, 0, "RLT");
}

/*
 * DMS100 RLT needs the call id the network gives only for calls the user
 * placed: two calls from the network cannot be transferred (refused naming
 * DMS100, both stay up); NI1: no transfer at all.
 */
static void test_transfer_unsupported(void **state)
{
	static const enum cti_switchtype sws[] = { CTI_SWITCH_DMS100, CTI_SWITCH_NI1 };

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		cti_ctx_t *ctx = up(CTI_LINE_T1, sws[i]);
		cti_call_t *a, *b;

		R.auto_answer = 1;
		R.auto_release = 1;
		connect_call(ctx, NET, "200", &a);
		connect_call(ctx, NET, "201", &b);
		assert_int_equal(cti_call_transfer(a, b), CTI_ENOTSUP);
		if (!strstr(cti_last_error(), swname(sws[i])))
			fail_msg("message does not name %s: %s", swname(sws[i]), cti_last_error());
		assert_string_equal(cti_transfer_method(ctx, USR), i == 0 ? "RLT" : "none");
		run_until(ctx, &R.hangups, 1, 1000);
		assert_int_equal(R.hangups, 0);
		assert_int_equal(busy_channels(ctx, USR), 2);
		cti_close(ctx);
	}
}

/* ---------------- deflection ---------------- */

static void deflect_ok(enum cti_switchtype sw)
{
	cti_ctx_t *ctx = up(CTI_LINE_E1, sw);
	cti_call_params_t p;
	cti_call_t *nc;
	const cti_event_t *ev;

	R.auto_answer = 0;
	R.auto_release = 1;
	S.deflect_to = "4930555123";
	S.defl_reply = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "200");
	p.span = NET;
	nc = cti_call_place(ctx, &p);
	assert_non_null(nc);
	assert_true(run_for(ctx, CTI_EV_DEFLECT_DONE, USR, 1, 10000));
	if (S.deflect_rc)
		fail_msg("%s: cti_call_deflect: %d %s", swname(sw), S.deflect_rc, S.last_error);
	ev = rec_find(&R, CTI_EV_DEFLECT_REQUEST, NET, 0);
	assert_non_null(ev);
	assert_ptr_equal(ev->call, nc);
	assert_string_equal(ev->u.suppl.party.number, "4930555123");
	assert_int_equal(rec_find(&R, CTI_EV_DEFLECT_DONE, USR, 0)->u.suppl.result, 0);
	assert_true(run_until(ctx, &R.released, 2, 5000));
	assert_int_equal(busy_channels(ctx, USR), 0);
	assert_int_equal(busy_channels(ctx, NET), 0);
	cti_close(ctx);
}

static void test_deflect(void **state)
{
	(void)state;
	pcap_name = "deflect";
	deflect_ok(CTI_SWITCH_EUROISDN);
	pcap_name = "deflect-qsig";
	deflect_ok(CTI_SWITCH_QSIG);
}

/* The network refuses the deflection: the user side learns it, the call stays offered. */
static void test_deflect_refused(void **state)
{
	cti_ctx_t *ctx = up(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	cti_call_params_t p;
	const cti_event_t *ev;

	(void)state;
	R.auto_release = 1;
	S.deflect_to = "4930555123";
	S.defl_reply = 0;
	cti_call_params_init(&p);
	strcpy(p.called.number, "200");
	p.span = NET;
	assert_non_null(cti_call_place(ctx, &p));
	assert_true(run_for(ctx, CTI_EV_DEFLECT_DONE, USR, 1, 5000));
	ev = rec_find(&R, CTI_EV_DEFLECT_DONE, USR, 0);
	assert_int_equal(ev->u.suppl.result, CTI_EIO);
	assert_non_null(strstr(ev->u.suppl.text, "deflection"));
	assert_int_equal(R.hangups, 0);
	/* still offered: the user side may answer it */
	assert_int_equal(cti_call_answer(ev->call), 0);
	assert_true(run_until(ctx, &R.answered, 1, 5000));
	cti_close(ctx);
}

static void test_deflect_unsupported(void **state)
{
	cti_ctx_t *ctx = up(CTI_LINE_T1, CTI_SWITCH_NI2);
	cti_call_params_t p;

	(void)state;
	S.deflect_to = "5551000";
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "200");
	p.span = NET;
	assert_non_null(cti_call_place(ctx, &p));
	assert_true(run_for(ctx, CTI_EV_CALL_OFFERED, USR, 1, 5000));
	assert_int_equal(S.deflect_rc, CTI_ENOTSUP);
	assert_non_null(strstr(S.last_error, "ni2"));
	assert_int_equal(cti_suppl_supported(ctx, USR, CTI_SUPPL_DEFLECT), 0);
	cti_close(ctx);
}

/* ---------------- keypad, display ---------------- */

static void keypad_display(enum cti_line line, enum cti_switchtype sw)
{
	cti_ctx_t *ctx = up(line, sw);
	cti_call_t *u, *n;
	const cti_event_t *ev;

	R.auto_answer = 1;
	R.auto_release = 1;
	u = connect_call(ctx, USR, "100", &n);
	assert_int_equal(cti_call_keypad(u, "*21#"), 0);
	if (!run_for(ctx, CTI_EV_KEYPAD, NET, 1, 3000))
		fail_msg("%s: no keypad event", swname(sw));
	ev = last_of(CTI_EV_KEYPAD, n);
	assert_string_equal(ev->u.suppl.text, "*21#");
	assert_int_equal(cti_call_display(n, "Queue position 3"), 0);
	if (!run_for(ctx, CTI_EV_DISPLAY, USR, 1, 3000))
		fail_msg("%s: no display event", swname(sw));
	assert_string_equal(last_of(CTI_EV_DISPLAY, u)->u.suppl.text, "Queue position 3");
	assert_int_equal(cti_call_keypad(u, "12a"), CTI_EINVAL);
	assert_int_equal(cti_call_display(u, ""), CTI_EINVAL);
	assert_int_equal(cti_call_display(u, "bad\001"), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "0x01"));
	cti_close(ctx);
}

static void test_keypad_display(void **state)
{
	(void)state;
	pcap_name = "keypad";
	keypad_display(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	keypad_display(CTI_LINE_T1, CTI_SWITCH_NI2);
	keypad_display(CTI_LINE_T1, CTI_SWITCH_DMS100);
	keypad_display(CTI_LINE_T1, CTI_SWITCH_5ESS);
	keypad_display(CTI_LINE_T1, CTI_SWITCH_4ESS);
	keypad_display(CTI_LINE_T1, CTI_SWITCH_NI1);
	keypad_display(CTI_LINE_E1, CTI_SWITCH_QSIG);
}

/* ---------------- user-user information ---------------- */

static void uui(enum cti_line line, enum cti_switchtype sw)
{
	cti_ctx_t *ctx = up(line, sw);
	cti_call_params_t p;
	cti_call_t *u, *n;
	const cti_event_t *ev;
	int i;

	R.auto_answer = 0;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "100");
	p.span = USR;
	u = cti_call_place_uui(ctx, &p, "ACCT 4711");
	if (!u)
		fail_msg("cti_call_place_uui: %s", cti_last_error());
	assert_true(run_for(ctx, CTI_EV_UUI, NET, 1, 3000));
	/* after the offer, on the same call */
	for (i = 0; i < R.n && R.ev[i].type != CTI_EV_UUI; i++)
		;
	assert_int_equal(R.ev[i - 1].type, CTI_EV_CALL_OFFERED);
	n = R.ev[i].call;
	assert_ptr_equal(R.ev[i - 1].call, n);
	assert_string_equal(R.ev[i].u.suppl.text, "ACCT 4711");
	/* in ALERTING, ahead of CALL_ALERTING */
	assert_int_equal(cti_call_set_uui(n, "agent 12 ringing"), 0);
	assert_int_equal(cti_call_alerting(n), 0);
	assert_true(run_for(ctx, CTI_EV_CALL_ALERTING, USR, 1, 3000));
	ev = last_of(CTI_EV_UUI, u);
	if (!ev)
		fail_msg("%s: no UUI in ALERTING", swname(sw));
	assert_string_equal(ev->u.suppl.text, "agent 12 ringing");
	assert_true(ev < last_of(CTI_EV_CALL_ALERTING, u));
	/* in DISCONNECT */
	assert_int_equal(cti_call_answer(n), 0);
	assert_true(run_until(ctx, &R.answered, 1, 3000));
	assert_int_equal(cti_call_set_uui(n, "bye"), 0);
	assert_int_equal(cti_call_hangup(n, 16, CTI_LOC_DEFAULT), 0);
	assert_true(run_until(ctx, &R.released, 2, 3000));
	ev = last_of(CTI_EV_UUI, u);
	assert_string_equal(ev->u.suppl.text, "bye");
	assert_true(ev < last_of(CTI_EV_CALL_HANGUP, u));
	/* bad input */
	assert_null(cti_call_place_uui(ctx, &p, "this text is longer than thirty-five chars"));
	assert_non_null(strstr(cti_last_error(), "1-35"));
	assert_null(cti_call_place_uui(ctx, &p, "tab\there"));
	assert_non_null(strstr(cti_last_error(), "0x09"));
	cti_close(ctx);
}

static void test_uui(void **state)
{
	(void)state;
	pcap_name = "uui";
	uui(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	uui(CTI_LINE_T1, CTI_SWITCH_NI2);
	uui(CTI_LINE_T1, CTI_SWITCH_DMS100);
	uui(CTI_LINE_T1, CTI_SWITCH_5ESS);
	uui(CTI_LINE_T1, CTI_SWITCH_4ESS);
	uui(CTI_LINE_T1, CTI_SWITCH_NI1);
	uui(CTI_LINE_E1, CTI_SWITCH_QSIG);
}

/* ---------------- advice of charge ---------------- */

static const cti_event_t *nth_aoc(cti_call_t *call, int nth)
{
	for (int i = 0; i < R.n; i++)
		if (R.ev[i].type == CTI_EV_AOC && R.ev[i].call == call && nth-- == 0)
			return &R.ev[i];
	return NULL;
}

static void test_aoc(void **state)
{
	cti_ctx_t *ctx;
	cti_call_t *u, *n;
	cti_aoc_t a;
	const cti_event_t *ev;

	(void)state;
	pcap_name = "aoc";
	ctx = up(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	R.auto_answer = 1;
	R.auto_release = 1;
	u = connect_call(ctx, USR, "100", &n);	/* the network charges the user's outgoing call */
	/* AOC-S: the rate, per minute then flat */
	cti_aoc_init(&a, CTI_AOC_S);
	assert_int_equal(a.units, -1);
	a.amount = 12;
	a.per_seconds = 60;
	strcpy(a.currency, "EUR");
	assert_int_equal(cti_call_aoc(n, &a), 0);
	a.per_seconds = 0;
	a.amount = 50;
	assert_int_equal(cti_call_aoc(n, &a), 0);
	assert_true(run_for(ctx, CTI_EV_AOC, USR, 2, 3000));
	ev = nth_aoc(u, 0);
	assert_int_equal(ev->u.aoc.type, CTI_AOC_S);
	assert_int_equal(ev->u.aoc.amount, 12);
	assert_int_equal(ev->u.aoc.per_seconds, 60);
	assert_string_equal(ev->u.aoc.currency, "EUR");
	ev = nth_aoc(u, 1);
	assert_int_equal(ev->u.aoc.amount, 50);
	assert_int_equal(ev->u.aoc.per_seconds, 0);
	R.n = 0;	/* AOC-D/E below count from 0 */
	cti_aoc_init(&a, CTI_AOC_D);
	a.units = 3;
	assert_int_equal(cti_call_aoc(n, &a), 0);
	a.units = -1;
	a.amount = 250;
	strcpy(a.currency, "EUR");
	a.total = 1;
	assert_int_equal(cti_call_aoc(n, &a), 0);
	assert_true(run_for(ctx, CTI_EV_AOC, USR, 2, 3000));
	ev = nth_aoc(u, 0);
	assert_non_null(ev);
	assert_int_equal(ev->u.aoc.type, CTI_AOC_D);
	assert_int_equal(ev->u.aoc.units, 3);
	assert_int_equal(ev->u.aoc.total, 0);
	ev = nth_aoc(u, 1);
	assert_int_equal(ev->u.aoc.units, -1);
	assert_int_equal(ev->u.aoc.amount, 250);
	assert_string_equal(ev->u.aoc.currency, "EUR");
	/* libpri 1.6 does not encode typeOfChargingInfo: every AOC-D goes out as subTotal */
	assert_int_equal(ev->u.aoc.total, 0);
	/* AOC-E with the clearing, reported before the hangup */
	cti_aoc_init(&a, CTI_AOC_E);
	a.units = 7;
	assert_int_equal(cti_call_aoc(n, &a), 0);
	assert_int_equal(cti_call_hangup(n, 16, CTI_LOC_DEFAULT), 0);
	assert_true(run_until(ctx, &R.released, 2, 3000));
	ev = nth_aoc(u, 2);
	assert_non_null(ev);
	assert_int_equal(ev->u.aoc.type, CTI_AOC_E);
	assert_int_equal(ev->u.aoc.units, 7);
	assert_true(ev < rec_find_call(&R, CTI_EV_CALL_HANGUP, u));
	/* bad input */
	a.units = -1;
	a.amount = -1;
	assert_int_equal(cti_call_aoc(u, &a), CTI_EINVAL);
	memset(&a, 0, sizeof(a));	/* no init */
	assert_int_equal(cti_call_aoc(u, &a), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "cti_aoc_init() first"));
	cti_close(ctx);

	/* no AOC in libpri outside EuroISDN */
	ctx = up(CTI_LINE_T1, CTI_SWITCH_NI2);
	R.auto_answer = 1;
	R.auto_release = 1;
	connect_call(ctx, USR, "100", &n);
	cti_aoc_init(&a, CTI_AOC_D);
	a.units = 1;
	assert_int_equal(cti_call_aoc(n, &a), CTI_ENOTSUP);
	assert_non_null(strstr(cti_last_error(), "ni2"));
	cti_close(ctx);
}

/* ---------------- message waiting (QSIG) ---------------- */

/* The n-th (from 0) event of type on span. */
static const cti_event_t *nth_on(int type, int span, int nth)
{
	for (int i = 0; i < R.n; i++)
		if (R.ev[i].type == type && R.ev[i].span == span && nth-- == 0)
			return &R.ev[i];
	return NULL;
}

static void test_mwi_qsig(void **state)
{
	cti_ctx_t *ctx;
	const cti_event_t *ev;

	(void)state;
	pcap_name = "mwi";
	ctx = up(CTI_LINE_E1, CTI_SWITCH_QSIG);
	assert_int_equal(cti_suppl_supported(ctx, USR, CTI_SUPPL_MWI), 1);

	/* the voicemail behind span 1 lights the lamp of 2001, served by the PINX on span 2 */
	assert_int_equal(cti_mwi_send(ctx, NET, "2001", "8000", 1), 0);
	assert_true(run_for(ctx, CTI_EV_MWI, USR, 1, 3000));
	ev = nth_on(CTI_EV_MWI, USR, 0);
	assert_null(ev->call);
	assert_int_equal(ev->channel, 0);
	assert_int_equal(ev->u.mwi.active, 1);
	assert_string_equal(ev->u.mwi.mailbox, "2001");
	assert_string_equal(ev->u.mwi.centre, "8000");
	assert_int_equal(ev->u.mwi.basic_service, 1);	/* speech: all libpri sends */
	assert_int_equal(ev->u.mwi.messages, -1);
	/* libpri on the receiving side clears the call-independent connection with 69 */
	assert_true(run_for(ctx, CTI_EV_MWI_DONE, NET, 1, 3000));
	ev = nth_on(CTI_EV_MWI_DONE, NET, 0);
	assert_int_equal(ev->u.mwi.result, 69);
	assert_int_equal(ev->u.mwi.active, 1);
	assert_string_equal(ev->u.mwi.mailbox, "2001");
	assert_string_equal(ev->u.mwi.centre, "8000");
	/* a signalling-only connection: no call offered, no B-channel taken */
	assert_int_equal(R.offered, 0);
	assert_int_equal(busy_channels(ctx, NET), 0);
	assert_int_equal(busy_channels(ctx, USR), 0);

	/* the other way, switched off, without a message centre number */
	assert_int_equal(cti_mwi_send(ctx, USR, "31#", NULL, 0), 0);
	assert_true(run_for(ctx, CTI_EV_MWI_DONE, USR, 1, 3000));
	assert_int_equal(count_type(CTI_EV_MWI, NET), 1);
	ev = nth_on(CTI_EV_MWI, NET, 0);
	assert_int_equal(ev->u.mwi.active, 0);
	assert_string_equal(ev->u.mwi.mailbox, "31#");
	assert_string_equal(ev->u.mwi.centre, "");
	assert_int_equal(nth_on(CTI_EV_MWI_DONE, USR, 0)->u.mwi.result, 69);
	assert_int_equal(nth_on(CTI_EV_MWI_DONE, USR, 0)->u.mwi.active, 0);

	/* 16 unanswered at most per span; each one answered exactly once, in order */
	for (int i = 0; i < 16; i++) {
		char box[8];

		snprintf(box, sizeof(box), "%d", 3000 + i);
		assert_int_equal(cti_mwi_send(ctx, NET, box, "8000", i & 1), 0);
	}
	assert_int_equal(cti_mwi_send(ctx, NET, "3999", "8000", 1), CTI_EBUSY);
	assert_non_null(strstr(cti_last_error(), "16 indications still unanswered"));
	assert_true(run_for(ctx, CTI_EV_MWI_DONE, NET, 17, 5000));
	run_for(ctx, CTI_EV_MWI_DONE, NET, 18, 500);
	assert_int_equal(count_type(CTI_EV_MWI_DONE, NET), 17);
	assert_int_equal(count_type(CTI_EV_MWI, USR), 17);
	for (int i = 0; i < 16; i++) {
		char box[8];

		snprintf(box, sizeof(box), "%d", 3000 + i);
		ev = nth_on(CTI_EV_MWI, USR, i + 1);
		assert_string_equal(ev->u.mwi.mailbox, box);
		assert_int_equal(ev->u.mwi.active, i & 1);
		ev = nth_on(CTI_EV_MWI_DONE, NET, i + 1);
		assert_string_equal(ev->u.mwi.mailbox, box);
		assert_int_equal(ev->u.mwi.result, 69);
	}
	/* a slot is free again */
	assert_int_equal(cti_mwi_send(ctx, NET, "3999", NULL, 1), 0);
	assert_true(run_for(ctx, CTI_EV_MWI_DONE, NET, 18, 3000));

	/* bad arguments name the problem and send nothing */
	assert_int_equal(cti_mwi_send(ctx, NET, "", NULL, 1), CTI_EINVAL);
	assert_int_equal(cti_mwi_send(ctx, NET, "20a1", NULL, 1), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "mailbox '20a1'"));
	assert_int_equal(cti_mwi_send(ctx, NET, "2001", "80-00", 1), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "message centre '80-00'"));
	assert_int_equal(cti_mwi_send(ctx, NET, "2001", NULL, 2), CTI_EINVAL);
	assert_int_equal(cti_mwi_send(ctx, NET, NULL, NULL, 1), CTI_EINVAL);
	assert_int_equal(cti_mwi_send(NULL, NET, "2001", NULL, 1), CTI_EINVAL);
	assert_int_equal(cti_mwi_send(ctx, 9, "2001", NULL, 1), CTI_ENOENT);
	run_for(ctx, CTI_EV_MWI, USR, 99, 300);
	assert_int_equal(count_type(CTI_EV_MWI, USR), 18);
	cti_close(ctx);
}

static void test_mwi_unsupported(void **state)
{
	static const enum cti_switchtype sws[] = { CTI_SWITCH_EUROISDN, CTI_SWITCH_NI2, CTI_SWITCH_DMS100,
						   CTI_SWITCH_5ESS, CTI_SWITCH_4ESS, CTI_SWITCH_NI1 };

	(void)state;
	for (size_t i = 0; i < sizeof(sws) / sizeof(sws[0]); i++) {
		cti_ctx_t *ctx = up(CTI_LINE_T1, sws[i]);

		assert_int_equal(cti_suppl_supported(ctx, USR, CTI_SUPPL_MWI), 0);
		if (!strstr(cti_last_error(), swname(sws[i])))
			fail_msg("message does not name %s: %s", swname(sws[i]), cti_last_error());
		assert_int_equal(cti_mwi_send(ctx, NET, "2001", "8000", 1), CTI_ENOTSUP);
		if (!strstr(cti_last_error(), swname(sws[i])))
			fail_msg("message does not name %s: %s", swname(sws[i]), cti_last_error());
		if (sws[i] == CTI_SWITCH_EUROISDN)
			assert_non_null(strstr(cti_last_error(), "BRI point-to-multipoint"));
		run_for(ctx, CTI_EV_MWI, USR, 1, 300);
		assert_int_equal(count_type(CTI_EV_MWI, USR) + count_type(CTI_EV_MWI_DONE, NET), 0);
		cti_close(ctx);
	}
}

static void test_names_and_args(void **state)
{
	cti_ctx_t *ctx = up(CTI_LINE_E1, CTI_SWITCH_EUROISDN);

	(void)state;
	assert_string_equal(cti_event_name(CTI_EV_HOLD_REQUEST), "HOLD_REQUEST");
	assert_string_equal(cti_event_name(CTI_EV_TRANSFER_DONE), "TRANSFER_DONE");
	assert_string_equal(cti_event_name(CTI_EV_AOC), "AOC");
	assert_string_equal(cti_event_name(CTI_EV_MWI), "MWI");
	assert_string_equal(cti_event_name(CTI_EV_MWI_DONE), "MWI_DONE");
	assert_string_equal(cti_event_name(CTI_EV_MWI_DONE + 1), "UNKNOWN");
	assert_string_equal(cti_event_name(CTI_EV_TIMER), "TIMER");
	assert_int_equal(cti_suppl_supported(ctx, 9, CTI_SUPPL_HOLD), CTI_ENOENT);
	assert_int_equal(cti_suppl_supported(ctx, 1, (enum cti_suppl)42), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "unknown service 42"));
	assert_int_equal(cti_suppl_supported(ctx, 1, CTI_SUPPL_DEFLECT), 1);
	assert_string_equal(cti_transfer_method(ctx, 9), "none");
	assert_int_equal(cti_call_hold(NULL), CTI_EINVAL);
	assert_int_equal(cti_call_deflect(NULL, NULL), CTI_EINVAL);
	/* the one-line decoder (cti trace, CTI_EV_TRACE) names the hold messages */
	{
		static const struct { uint8_t mt; const char *name; } m[] = {
			{ 0x24, "Q.931 HOLD cref" }, { 0x28, "Q.931 HOLD ACKNOWLEDGE" }, { 0x30, "Q.931 HOLD REJECT" },
			{ 0x31, "Q.931 RETRIEVE cref" }, { 0x33, "Q.931 RETRIEVE ACKNOWLEDGE" },
			{ 0x37, "Q.931 RETRIEVE REJECT" },
		};
		for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
			uint8_t f[] = { 0x00, 0x01, 0x00, 0x00, 0x08, 0x02, 0x80, 0x01, m[i].mt };
			char out[256];

			cti_decode_frame(f, sizeof(f), out, sizeof(out));
			if (!strstr(out, m[i].name))
				fail_msg("decode of 0x%02x: '%s' (want '%s')", m[i].mt, out, m[i].name);
		}
	}
	cti_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_retrieve_e1),
		cmocka_unit_test(test_hold_retrieve_t1),
		cmocka_unit_test(test_hold_rejected),
		cmocka_unit_test(test_hold_unsupported),
		cmocka_unit_test(test_transfer_ect_e1),
		cmocka_unit_test(test_transfer_ect_t1),
		cmocka_unit_test(test_transfer_2bct),
		cmocka_unit_test(test_transfer_refused),
		cmocka_unit_test(test_transfer_qsig),
		cmocka_unit_test(test_transfer_rlt),
		cmocka_unit_test(test_transfer_unsupported),
		cmocka_unit_test(test_deflect),
		cmocka_unit_test(test_deflect_refused),
		cmocka_unit_test(test_deflect_unsupported),
		cmocka_unit_test(test_keypad_display),
		cmocka_unit_test(test_uui),
		cmocka_unit_test(test_aoc),
		cmocka_unit_test(test_mwi_qsig),
		cmocka_unit_test(test_mwi_unsupported),
		cmocka_unit_test(test_names_and_args),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
