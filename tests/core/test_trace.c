/*
 * tests/core/test_trace.c - Q.921/Q.931 decoder, CTI_EV_TRACE, per-span pcap
 * capture (LINKTYPE_LINUX_LAPD with the 16-byte pseudo header), and the sim
 * board's B-channel byte path (white box: payload byte index = channel).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <unistd.h>
#include <cmocka.h>
#include <pcap/pcap.h>
#include "simcalls.h"
#include <libpri.h>
#include "ctifw.h"
#include "../../lib/core/core.h"
#include "../../lib/internal.h"

static struct rec R;

static void test_decode(void **state)
{
	/* SAPI 0, C/R 1, TEI 0, I-frame N(S)=0 N(R)=0, SETUP cref 1, chan 1 excl, called 5551234 */
	static const uint8_t setup[] = { 0x02, 0x01, 0x00, 0x00, 0x08, 0x02, 0x00, 0x01, 0x05,
					 0x18, 0x03, 0xa9, 0x83, 0x81,
					 0x6c, 0x05, 0x21, 0x80, '4', '4', '4',
					 0x70, 0x08, 0x81, '5', '5', '5', '1', '2', '3', '4', 0xa1 };
	/* DISCONNECT cref 1 from the destination side, cause 17 at location 2 */
	static const uint8_t disc[] = { 0x00, 0x01, 0x02, 0x02, 0x08, 0x02, 0x80, 0x01, 0x45, 0x08, 0x02, 0x82, 0x91 };
	static const uint8_t sabme[] = { 0x00, 0x01, 0x7f };
	static const uint8_t rr[] = { 0x02, 0x01, 0x01, 0x05 };
	char out[256];
	int n;

	(void)state;
	n = cti_decode_frame(setup, sizeof(setup), out, sizeof(out));
	assert_int_equal(n, (int)strlen(out));
	assert_non_null(strstr(out, "SETUP"));
	assert_non_null(strstr(out, "called 5551234"));
	assert_non_null(strstr(out, "calling 444"));
	assert_non_null(strstr(out, "chan 1"));
	assert_non_null(strstr(out, "cref 1/orig"));
	assert_non_null(strstr(out, "complete"));
	cti_decode_frame(disc, sizeof(disc), out, sizeof(out));
	assert_non_null(strstr(out, "DISCONNECT"));
	assert_non_null(strstr(out, "cause 17 (User busy) loc 2"));
	assert_non_null(strstr(out, "/dest"));
	cti_decode_frame(sabme, sizeof(sabme), out, sizeof(out));
	assert_non_null(strstr(out, "SABME P/F"));
	cti_decode_frame(rr, sizeof(rr), out, sizeof(out));
	assert_non_null(strstr(out, "RR N(R)=2"));
	/* truncated output stays terminated */
	n = cti_decode_frame(setup, sizeof(setup), out, 10);
	assert_true(n <= 9);
	assert_int_equal(strlen(out), (size_t)n);
	cti_decode_frame(setup, 2, out, sizeof(out));
	assert_non_null(strstr(out, "short"));
}

static void test_trace_events_and_pcap(void **state)
{
	char path[] = "/tmp/cti_trace_XXXXXX";
	int fd = mkstemp(path);
	cti_ctx_t *ctx;
	cti_call_params_t p;
	cti_call_t *c;
	int tx = 0, rx = 0, setup_seen = 0, pkts = 0;
	char errbuf[PCAP_ERRBUF_SIZE];
	pcap_t *pc;
	struct pcap_pkthdr *h;
	const u_char *data;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	memset(&R, 0, sizeof(R));
	ctx = open_pairs(&R, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	assert_non_null(ctx);
	assert_true(run_until(ctx, &R.dchan_up, 2, 10000));
	assert_int_equal(cti_trace_start(ctx, 1, path), 0);
	assert_int_equal(cti_trace_events(ctx, 2, 1), 0);
	assert_int_equal(cti_trace_start(ctx, 7, path), CTI_ENOENT);
	R.auto_answer = 1;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "123");
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.connected, 1, 5000));
	cti_call_hangup(c, 16, CTI_LOC_DEFAULT);
	assert_true(run_until(ctx, &R.released, 2, 5000));
	assert_int_equal(cti_trace_stop(ctx, 1), 0);
	for (int i = 0; i < R.n; i++) {
		const cti_event_t *e = &R.ev[i];
		char out[256];

		if (e->type != CTI_EV_TRACE)
			continue;
		assert_int_equal(e->span, 2);	/* events asked for span 2 only */
		if (e->u.trace.tx)
			tx++;
		else
			rx++;
		cti_decode_frame(e->u.trace.data, e->u.trace.len, out, sizeof(out));
		if (!e->u.trace.tx && strstr(out, "Q.931 SETUP") && strstr(out, "called 123"))
			setup_seen++;
	}
	assert_true(tx >= 4);
	assert_true(rx >= 4);
	assert_int_equal(setup_seen, 1);
	cti_close(ctx);

	pc = pcap_open_offline(path, errbuf);
	assert_non_null(pc);
	assert_int_equal(pcap_datalink(pc), 177);	/* LINKTYPE_LINUX_LAPD */
	while (pcap_next_ex(pc, &h, &data) == 1) {
		assert_true(h->caplen > 16 + 2);
		assert_true(data[1] == 0 || data[1] == 4);	/* received / sent */
		assert_int_equal(data[2] << 8 | data[3], 8445);	/* ARPHRD_LAPD */
		assert_int_equal(data[6], 1);			/* span 1 is the network side */
		assert_int_equal(data[14] << 8 | data[15], 0x30);	/* ETH_P_LAPD */
		pkts++;
	}
	pcap_close(pc);
	assert_true(pkts >= 8);
	unlink(path);
}

/* B-channel bytes: what core puts in a channel's transmit buffer arrives in the peer's receive buffer, per channel. */
static void test_bchannel_bytes(void **state)
{
	cti_ctx_t *ctx;
	struct core_span *a, *b;

	(void)state;
	memset(&R, 0, sizeof(R));
	ctx = open_pairs(&R, 1, CTI_LINE_T1, CTI_SWITCH_NI2);
	assert_non_null(ctx);
	assert_true(run_until(ctx, &R.dchan_up, 2, 10000));
	a = ctx->spans[1];
	b = ctx->spans[2];
	cti__lock(ctx);
	for (int ch = 1; ch <= 23; ch++)
		memset(a->txbuf[ch], 0x10 + ch, CORE_BLOCK);
	cti__unlock(ctx);
	cti_dispatch(ctx, 60);
	cti__lock(ctx);
	for (int ch = 1; ch <= 23; ch++)
		for (int i = 0; i < CORE_BLOCK; i++)
			if (b->rxbuf[ch][i] != 0x10 + ch)
				fail_msg("channel %d byte %d: 0x%02x", ch, i, b->rxbuf[ch][i]);
	cti__unlock(ctx);
	cti_close(ctx);
}

/* Overlap sending (cti_call_send_digits, lib/internal.h) and receiving (CTI_EV_CALL_INFO). */
static void test_overlap_info(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;
	cti_call_params_t p;
	cti_call_t *c;
	const cti_event_t *o, *i1, *i2;

	(void)state;
	memset(&R, 0, sizeof(R));
	cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	assert_int_equal(cti_config_parse(cfg, "[span net]\nport = 1\nrole = network\n[span usr]\nport = 2\n"
					  "overlap = yes\n", "t"), 0);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(ctx);
	cti_set_event_handler(ctx, rec_handler, &R);
	assert_true(run_until(ctx, &R.dchan_up, 2, 10000));
	cti_call_params_init(&p);
	strcpy(p.called.number, "12");
	p.sending_complete = 0;
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.offered, 1, 5000));
	o = rec_find(&R, CTI_EV_CALL_OFFERED, 2, 0);
	assert_int_equal(o->u.offered.overlap, 1);
	assert_int_equal(cti_call_send_digits(c, "3"), 0);
	assert_int_equal(cti_call_send_digits(c, "4"), 0);
	assert_int_equal(cti_call_send_digits(c, "4x"), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "'x'"));
	{
		cti_call_params_t cp;

		assert_int_equal(cti_call_get_params(c, &cp), 0);
		assert_string_equal(cp.called.number, "1234");
		assert_int_equal(cp.size, sizeof(cp));
	}
	{
		int n = 0;

		while (rec_count(&R, CTI_EV_CALL_INFO, 2) < 2 && n++ < 100)
			cti_dispatch(ctx, 10);
	}
	i1 = rec_find(&R, CTI_EV_CALL_INFO, 2, 0);
	i2 = rec_find(&R, CTI_EV_CALL_INFO, 2, 1);
	assert_non_null(i1);
	assert_non_null(i2);
	assert_string_equal(i1->u.info.digits, "3");
	assert_string_equal(i2->u.info.digits, "4");
	assert_ptr_equal(i1->call, o->call);
	{
		cti_call_params_t cp;

		assert_int_equal(cti_call_get_params(o->call, &cp), 0);
		assert_string_equal(cp.called.number, "1234");
	}
	assert_int_equal(cti_call_answer(o->call), 0);
	assert_true(run_until(ctx, &R.answered, 1, 5000));
	assert_int_equal(cti_call_send_digits(c, "5"), CTI_ESTATE);	/* answered */
	cti_close(ctx);
}

/*
 * D-channel lost without a line alarm (HDLC of one port switched off, white
 * box): libpri reports the link down, active calls survive it, T309 (90 s)
 * clears them with cause 27; the link comes back when HDLC is restored.
 */
static void test_dchan_loss_t309(void **state)
{
	cti_ctx_t *ctx;
	cti_call_params_t p;
	cti_call_t *c;
	struct ctifw_port_config pc;
	struct ctifw_port *port2;
	uint64_t down_at;
	const cti_event_t *h;

	(void)state;
	memset(&R, 0, sizeof(R));
	R.verbose = getenv("CTI_TEST_VERBOSE") != NULL;
	ctx = open_pairs(&R, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	assert_non_null(ctx);
	assert_true(run_until(ctx, &R.dchan_up, 2, 10000));
	R.auto_answer = 1;
	R.auto_release = 1;
	cti_call_params_init(&p);
	strcpy(p.called.number, "309");
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_true(run_until(ctx, &R.connected, 1, 5000));
	cti__lock(ctx);
	port2 = cti__sim_port(ctx, 2);
	ctifw_port_get_config(port2, &pc);
	pc.dchan = 0;
	assert_int_equal(ctifw_port_configure(port2, &pc), 0);
	cti__unlock(ctx);
	assert_true(run_until(ctx, &R.dchan_down, 1, 30000));
	down_at = cti_now_ms(ctx);
	assert_int_equal(rec_count(&R, CTI_EV_ALARM, 0) == 0 ||
			 !(rec_find(&R, CTI_EV_ALARM, 1, 0)->u.alarm.alarms & (CTI_ALARM_LOS | CTI_ALARM_LOF)), 1);
	assert_int_equal(R.hangups, 0);			/* the active call is kept */
	assert_int_equal(cti_call_state(c), CTI_CALL_CONNECTED);
	assert_true(run_until(ctx, &R.hangups, 1, 100000));
	/* libpri's T309 (6 s in libpri 1.6) runs once its Q.931 learns of the failure, after its own
	 * re-establishment attempts (N200 x T200): 10 s after the DCHAN_DOWN event in this setup */
	{
		int t309 = pri_get_timer(ctx->spans[1]->pri, PRI_TIMER_T309);
		uint64_t took = cti_now_ms(ctx) - down_at;

		if (t309 <= 0 || took < (uint64_t)t309 || took > (uint64_t)t309 + 6000)
			fail_msg("cleared %llu ms after the link went down, T309 = %d ms", (unsigned long long)took, t309);
	}
	assert_true(run_until(ctx, &R.hangups, 2, 100000));
	h = rec_find_call(&R, CTI_EV_CALL_HANGUP, c);
	assert_non_null(h);
	assert_int_equal(h->u.hangup.cause, 27);
	assert_int_equal(rec_find(&R, CTI_EV_CALL_HANGUP, 2, 0)->u.hangup.cause, 27);
	cti__lock(ctx);
	pc.dchan = 16;
	assert_int_equal(ctifw_port_configure(port2, &pc), 0);
	cti__unlock(ctx);
	assert_true(run_until(ctx, &R.dchan_up, 4, 60000));
	cti_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode),
		cmocka_unit_test(test_trace_events_and_pcap),
		cmocka_unit_test(test_bchannel_bytes),
		cmocka_unit_test(test_overlap_info),
		cmocka_unit_test(test_dchan_loss_t309),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
