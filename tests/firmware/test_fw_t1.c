/* test_fw_t1.c - T1 D4/ESF framing, alignment, yellow, CRC-6, loop codes, robbed bits. */
#include "fwtest.h"

static struct ctifw_counters counters(struct ctifw_port *p)
{
	struct ctifw_counters c;

	ctifw_port_get_counters(p, &c);
	return c;
}

static void set_faults(struct ctifw_port *p, uint32_t delay, uint64_t ber, bool ais)
{
	struct ctifw_line_faults f;

	memset(&f, 0, sizeof(f));
	f.bit_delay = delay;
	f.ber_e12 = ber;
	f.ais = ais;
	ctifw_line_set_faults(p, &f);
}

static void align_all_offsets(enum ctifw_framing fr)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, fr, 0);
	unsigned int d;

	for (d = 0; d <= 192; d++) {
		struct pair s;

		pair_init(&s, &cfg, d);
		s.random_tx = 1;
		s.rnd = d * 31u + 7;
		set_faults(s.p[1], d, 0, false);
		pair_run(&s, fr == CTIFW_FRAMING_T1_ESF ? 160 : 64);
		if (!ctifw_port_in_sync(s.p[1]) || ctifw_port_rx_bit_offset(s.p[1]) != (int)d)
			fail_msg("framing %d delay %u: in_sync %d offset %d", fr, d,
				 ctifw_port_in_sync(s.p[1]), ctifw_port_rx_bit_offset(s.p[1]));
		assert_int_equal(ctifw_port_rx_bit_offset(s.p[0]), 0);
		assert_int_equal(ctifw_port_defects(s.p[1]), 0);
		pair_free(&s);
	}
}

static void test_align_d4(void **st)
{
	(void)st;
	align_all_offsets(CTIFW_FRAMING_T1_D4);
}

static void test_align_esf(void **st)
{
	(void)st;
	align_all_offsets(CTIFW_FRAMING_T1_ESF);
}

static void test_payload_integrity(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 0);
	struct pair s;
	unsigned int i, f, c;
	uint8_t hist[16][24];
	unsigned int k = 0;

	(void)st;
	pair_init(&s, &cfg, 11);
	set_faults(s.p[1], 1000, 0, false);
	s.rnd = 3;
	pair_run(&s, 400);
	assert_true(ctifw_port_in_sync(s.p[1]));
	/* Random payload; find the latency once, then every byte must match. */
	for (i = 0; i < 500; i++) {
		fill_random(s.tx[0], 8 * CTIFW_SLOTS, &s.rnd);
		for (f = 0; f < 8; f++)
			memcpy(hist[(k + f) & 15], s.tx[0] + f * CTIFW_SLOTS + 1, 24);
		pair_step(&s, 8);
		for (f = 0; f < 8; f++) {
			const uint8_t *fr = s.rx[1] + f * CTIFW_SLOTS;
			unsigned int lat;

			for (lat = 0; lat < 8; lat++)
				if (!memcmp(hist[(k + f - lat) & 15], fr + 1, 24))
					break;
			if (i > 0)
				assert_true(lat < 8);
			for (c = 25; c < 32; c++)
				assert_int_equal(fr[c], 0);
		}
		k += 8;
	}
	assert_int_equal(counters(s.p[1]).crc, 0);
	assert_int_equal(counters(s.p[1]).fas, 0);
	pair_free(&s);
}

static void yellow(enum ctifw_framing fr)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, fr, 0);
	struct pair s;

	pair_init(&s, &cfg, 12);
	s.random_tx = 1;
	s.rnd = 1;
	pair_run(&s, 400);
	assert_int_equal(ctifw_port_defects(s.p[0]), 0);
	ctifw_port_set_tx_enabled(s.p[0], false);
	pair_run(&s, 8 * 70);
	assert_true(ctifw_port_alarms(s.p[1]) == 0);
	assert_int_equal(ctifw_port_defects(s.p[1]), CTIFW_ALARM_LOS | CTIFW_ALARM_LOF);
	assert_int_equal(ctifw_port_defects(s.p[0]), CTIFW_ALARM_RAI);
	assert_int_equal(ctifw_port_alarms(s.p[0]), CTIFW_ALARM_RAI);
	pair_run(&s, 8 * 40);
	assert_int_equal(ctifw_port_alarms(s.p[1]), CTIFW_ALARM_LOS | CTIFW_ALARM_LOF);
	ctifw_port_set_tx_enabled(s.p[0], true);
	pair_run(&s, 8 * 250);
	assert_int_equal(ctifw_port_alarms(s.p[0]), 0);
	assert_int_equal(ctifw_port_alarms(s.p[1]), 0);
	/* AIS into B: BLUE at B, yellow at A. */
	set_faults(s.p[1], 0, 0, true);
	pair_run(&s, 8 * 120);
	assert_int_equal(ctifw_port_alarms(s.p[1]), CTIFW_ALARM_AIS);
	assert_int_equal(ctifw_port_alarms(s.p[0]), CTIFW_ALARM_RAI);
	set_faults(s.p[1], 0, 0, false);
	pair_run(&s, 8 * 250);
	assert_int_equal(ctifw_port_alarms(s.p[1]), 0);
	assert_int_equal(ctifw_port_alarms(s.p[0]), 0);
	pair_free(&s);
}

static void test_yellow_d4(void **st)
{
	(void)st;
	yellow(CTIFW_FRAMING_T1_D4);
}

static void test_yellow_esf(void **st)
{
	(void)st;
	yellow(CTIFW_FRAMING_T1_ESF);
}

static void test_ber_crc6(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 0);
	struct ctifw_counters b;
	struct pair s;
	double ber = 1e-4, n = 3 * 8000 / 24.0, p = 1 - pow(1 - ber, 4632), bits = 3 * 8000 * 193.0;

	(void)st;
	pair_init(&s, &cfg, 13);
	s.random_tx = 1;
	s.rnd = 8;
	pair_run(&s, 400);
	ctifw_port_reset_counters(s.p[1]);
	set_faults(s.p[1], 0, 100000000ull, false);
	pair_run(&s, 3 * 8000);
	b = counters(s.p[1]);
	print_message("CRC-6 errors %u (exp %.1f), cv %u (exp %.1f)\n", b.crc, n * p, b.cv, bits * ber);
	assert_true(within(b.crc, n * p, n * p * (1 - p), 3.29));
	assert_true(within(b.cv, bits * ber, bits * ber, 3.29));
	assert_true(ctifw_port_in_sync(s.p[1]));
	pair_free(&s);
}

static void test_inject(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 24);
	struct ctifw_counters b;
	struct pair s;

	(void)st;
	pair_init(&s, &cfg, 14);
	pair_run(&s, 800);
	ctifw_port_reset_counters(s.p[1]);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_FAS, 4), 0);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_CRC, 6), 0);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_BPV, 3), 0);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_MFAS, 1), -CTIFW_EINVAL);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_CAS, 1), -CTIFW_EINVAL);
	pair_run(&s, 800);
	b = counters(s.p[1]);
	assert_int_equal(b.fas, 4);
	assert_int_equal(b.crc, 6);
	assert_int_equal(b.bpv, 3);
	assert_int_equal(b.cv, 3);
	assert_int_equal(b.lof_events, 0);

	cfg.framing = CTIFW_FRAMING_T1_D4;
	assert_int_equal(ctifw_port_configure(s.p[0], &cfg), 0);
	assert_int_equal(ctifw_port_configure(s.p[1], &cfg), 0);
	pair_run(&s, 800);
	ctifw_port_reset_counters(s.p[1]);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_FAS, 5), 0);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_MFAS, 2), 0);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_CRC, 1), -CTIFW_EINVAL);
	pair_run(&s, 800);
	b = counters(s.p[1]);
	assert_int_equal(b.fas, 5);
	assert_int_equal(b.mfas, 2);
	assert_int_equal(b.lof_events, 0);
	assert_true(ctifw_port_in_sync(s.p[1]));
	pair_free(&s);
}

static void robbed_bits(enum ctifw_framing fr)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, fr, 24);
	struct pair s;
	unsigned int c;
	bool d4 = fr == CTIFW_FRAMING_T1_D4;

	cfg.cas = true;
	pair_init(&s, &cfg, 15);
	for (c = 1; c <= 23; c++)
		ctifw_port_set_cas(s.p[0], c, (uint8_t)(c & 15));
	pair_run(&s, 800);
	for (c = 1; c <= 23; c++) {
		uint8_t v = c & 15, exp = d4 ? (uint8_t)((v & 0xc) | (v >> 2)) : v;

		assert_int_equal(ctifw_port_get_rx_cas(s.p[1], c), exp);
	}
	pair_free(&s);
}

static void test_robbed_bits(void **st)
{
	(void)st;
	robbed_bits(CTIFW_FRAMING_T1_ESF);
	robbed_bits(CTIFW_FRAMING_T1_D4);
}

/*
 * Per-channel robbed bits (cfg.cas_mask): channels outside the mask and the
 * HDLC D-channel pass all 8 bits; channels in the mask carry ABCD in bit 8
 * of the signalling frames (6, 12 / 6, 12, 18, 24) and are clear otherwise.
 */
#define RB_FRAMES 2400

static uint8_t rb_expect(const uint8_t *sent, unsigned int k, unsigned int c, uint32_t mask, bool d4,
			 uint8_t abcd)
{
	unsigned int fn = k % (d4 ? 12u : 24u), si;

	if (!(mask & (1u << c)) || fn % 6u != 5u)
		return sent[c];
	si = fn / 6u;
	if (d4)
		si &= 1u;
	return (uint8_t)((sent[c] & 0xfe) | ((abcd >> (3u - si)) & 1u));
}

static void robbed_mask_case(enum ctifw_framing fr, uint32_t cas_mask)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, fr, 24);
	bool d4 = fr == CTIFW_FRAMING_T1_D4;
	uint32_t mask = (cas_mask ? cas_mask : 0x1fffffeu) & ~(1u << 24);
	uint8_t *tx = calloc(RB_FRAMES, CTIFW_SLOTS), *rx = calloc(RB_FRAMES, CTIFW_SLOTS);
	uint8_t msg[40], buf[64];
	unsigned int k, c, got = 0, i;
	int lat, st;
	struct ctifw_counters cn;
	struct pair s;

	assert_non_null(tx);
	assert_non_null(rx);
	cfg.cas = true;
	cfg.cas_mask = cas_mask;
	pair_init(&s, &cfg, 41);
	s.rnd = 99;
	for (c = 1; c <= 24; c++)
		ctifw_port_set_cas(s.p[0], c, (uint8_t)((c * 5u + 3u) & 15u));
	fill_random(tx, (size_t)RB_FRAMES * CTIFW_SLOTS, &s.rnd);
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 37u + 1u);
	for (k = 0; k < RB_FRAMES; k += 8) {
		if (k >= 800 && k % 80 == 0)
			assert_int_equal(ctifw_hdlc_send(s.p[0], msg, sizeof(msg)), 0);
		ctifw_port_tx(s.p[0], tx + (size_t)k * CTIFW_SLOTS, 8);
		ctifw_port_tx(s.p[1], NULL, 8);
		ctifw_port_rx(s.p[0], NULL, 8);
		ctifw_port_rx(s.p[1], rx + (size_t)k * CTIFW_SLOTS, 8);
		while ((i = (unsigned int)ctifw_hdlc_recv(s.p[1], buf, sizeof(buf), &st)) > 0) {
			assert_int_equal(i, sizeof(msg));
			assert_int_equal(st, CTIFW_HDLC_RX_OK);
			assert_memory_equal(buf, msg, sizeof(msg));
			got++;
		}
	}
	assert_true(ctifw_port_in_sync(s.p[1]));
	/* Latency: the delay at which channels 1..23 match the expected frames. */
	for (lat = 0; lat < 200; lat++) {
		for (k = 1000; k < 1048; k++) {
			for (c = 1; c <= 23; c++)
				if (rx[k * CTIFW_SLOTS + c] !=
				    rb_expect(tx + (k - lat) * CTIFW_SLOTS, k - lat, c, mask, d4,
					      (uint8_t)((c * 5u + 3u) & 15u)))
					break;
			if (c <= 23)
				break;
		}
		if (k == 1048)
			break;
	}
	assert_true(lat < 200);
	for (k = 1000; k < RB_FRAMES; k++)
		for (c = 1; c <= 23; c++)
			assert_int_equal(rx[k * CTIFW_SLOTS + c],
					 rb_expect(tx + (k - lat) * CTIFW_SLOTS, k - lat, c, mask, d4,
						   (uint8_t)((c * 5u + 3u) & 15u)));
	for (c = 1; c <= 24; c++) {
		uint8_t v = (uint8_t)((c * 5u + 3u) & 15u), exp = d4 ? (uint8_t)((v & 0xc) | (v >> 2)) : v;

		assert_int_equal(ctifw_port_get_rx_cas(s.p[1], c), mask & (1u << c) ? exp : 0);
	}
	/* Every HDLC frame sent (but those still on the way) arrived intact. */
	assert_true(got >= (RB_FRAMES - 800) / 80 - 2);
	ctifw_port_get_counters(s.p[1], &cn);
	assert_int_equal(cn.hdlc_crc_errors, 0);
	assert_int_equal(cn.hdlc_aborts, 0);
	pair_free(&s);
	free(tx);
	free(rx);
}

static void test_robbed_bit_mask(void **st)
{
	(void)st;
	/* Channels 1..12 and 20 signal; 13..19, 21..23 are clear; 24 is HDLC. */
	robbed_mask_case(CTIFW_FRAMING_T1_ESF, 0x1ffeu | (1u << 20));
	robbed_mask_case(CTIFW_FRAMING_T1_D4, 0x1ffeu | (1u << 20));
	/* 0: every channel but the D-channel (which is even listed here). */
	robbed_mask_case(CTIFW_FRAMING_T1_ESF, 0);
	robbed_mask_case(CTIFW_FRAMING_T1_D4, (1u << 3) | (1u << 24));
}

static void test_robbed_bit_mask_invalid(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 24), got;
	struct ctifw_port *p = port_new(&cfg, 3);

	(void)st;
	cfg.cas = true;
	cfg.cas_mask = 1u << 25;	/* no channel 25 on T1 */
	assert_int_equal(ctifw_port_configure(p, &cfg), -CTIFW_EINVAL);
	cfg.cas_mask = 1u;		/* nor a channel 0 */
	assert_int_equal(ctifw_port_configure(p, &cfg), -CTIFW_EINVAL);
	cfg.cas_mask = 0x6u;
	assert_int_equal(ctifw_port_configure(p, &cfg), 0);
	ctifw_port_get_config(p, &got);
	assert_int_equal(got.cas_mask, 0x6u);
	free(p);
}

static void test_loop_codes(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 0);
	struct pair s;
	unsigned int i, f, lat, found = 0;
	uint8_t hist[128][24];
	unsigned int k = 0;

	(void)st;
	pair_init(&s, &cfg, 16);
	pair_run(&s, 400);
	ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_UP);
	assert_int_equal(ctifw_port_tx_loopcode(s.p[0]), CTIFW_LOOPCODE_UP);
	/* detection takes CTIFW_LOOPCODE_DETECT_MS (4 s) of the code */
	pair_run(&s, 8 * (CTIFW_LOOPCODE_DETECT_MS - 100));
	assert_int_equal(ctifw_port_get_loopback(s.p[1]), CTIFW_LOOP_NONE);
	assert_int_equal(ctifw_port_rx_loopcode(s.p[1]), CTIFW_LOOPCODE_NONE);
	pair_run(&s, 8 * 300);
	assert_int_equal(ctifw_port_rx_loopcode(s.p[1]), CTIFW_LOOPCODE_UP);
	assert_int_equal(ctifw_port_get_loopback(s.p[1]), CTIFW_LOOP_NETWORK_LINE);
	assert_int_equal(ctifw_port_get_loopback(s.p[0]), CTIFW_LOOP_NONE);
	ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_NONE);
	assert_int_equal(ctifw_port_tx_loopcode(s.p[0]), CTIFW_LOOPCODE_NONE);
	pair_run(&s, 400);
	/* B now returns A's own signal: A receives its payload back. */
	s.rnd = 77;
	for (i = 0; i < 200; i++) {
		fill_random(s.tx[0], 8 * CTIFW_SLOTS, &s.rnd);
		for (f = 0; f < 8; f++)
			memcpy(hist[(k + f) & 127], s.tx[0] + f * CTIFW_SLOTS + 1, 24);
		pair_step(&s, 8);
		/* The loop returns the line 64 frames (8 ms) later: skip the first 10 ticks. */
		for (f = 0; f < 8 && i > 10; f++) {
			for (lat = 0; lat < 100; lat++)
				if (!memcmp(hist[(k + f - lat) & 127], s.rx[0] + f * CTIFW_SLOTS + 1, 24))
					break;
			assert_true(lat < 100);
			found++;
		}
		k += 8;
	}
	assert_true(found > 1000);
	assert_true(ctifw_port_in_sync(s.p[0]));
	ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_DOWN);
	pair_run(&s, 8000 * 53 / 10);
	assert_int_equal(ctifw_port_rx_loopcode(s.p[1]), CTIFW_LOOPCODE_DOWN);
	assert_int_equal(ctifw_port_get_loopback(s.p[1]), CTIFW_LOOP_NONE);
	ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_NONE);
	pair_run(&s, 800);
	assert_int_equal(ctifw_port_rx_loopcode(s.p[1]), CTIFW_LOOPCODE_NONE);

	/* Response disabled: the code is detected but B does not loop. */
	ctifw_port_set_loopcode_response(s.p[1], false);
	ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_UP);
	pair_run(&s, 8000 * 53 / 10);
	assert_int_equal(ctifw_port_rx_loopcode(s.p[1]), CTIFW_LOOPCODE_UP);
	assert_int_equal(ctifw_port_get_loopback(s.p[1]), CTIFW_LOOP_NONE);
	pair_free(&s);
}

/*
 * Run with uneven ticks of 1..8 ms, as a host that catches up on late timer
 * expiries does; return the frames run until cond(p) or until limit frames.
 */
static unsigned int run_uneven(struct pair *s, unsigned int limit, uint32_t *rnd,
			       int (*cond)(struct ctifw_port *), struct ctifw_port *p)
{
	unsigned int done = 0;

	while (done < limit && !(cond && cond(p))) {
		unsigned int n = 8 * (1 + (unsigned int)(rand_r(rnd) % 8));

		if (n > limit - done)
			n = limit - done;
		pair_step(s, n);
		done += n;
	}
	return done;
}

static int looped(struct ctifw_port *p)
{
	return ctifw_port_get_loopback(p) == CTIFW_LOOP_NETWORK_LINE;
}

static int unlooped(struct ctifw_port *p)
{
	return ctifw_port_get_loopback(p) == CTIFW_LOOP_NONE;
}

/*
 * dahdi_maint sends a loop code for exactly 5 s, then stops it. The far end
 * must follow every time, loop-down included (sent through its own line
 * loopback), whatever the tick sizes and the phase of the code; a code
 * shorter than the detection time must do nothing.
 */
static void test_loop_codes_5s_uneven_ticks(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 24);
	struct pair s;
	uint32_t rnd = 4242;
	unsigned int i, t;

	(void)st;
	pair_init(&s, &cfg, 31);
	pair_run(&s, 800);
	for (i = 0; i < 8; i++) {
		/* a short burst (3 s) of loop-up is ignored */
		ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_UP);
		run_uneven(&s, 8 * 3000, &rnd, NULL, NULL);
		ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_NONE);
		run_uneven(&s, 8 * (100 + rand_r(&rnd) % 900), &rnd, NULL, NULL);
		assert_int_equal(ctifw_port_get_loopback(s.p[1]), CTIFW_LOOP_NONE);

		ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_UP);
		t = run_uneven(&s, 8 * 5000, &rnd, looped, s.p[1]);
		assert_true(looped(s.p[1]));
		assert_true(t >= 8 * CTIFW_LOOPCODE_DETECT_MS && t <= 8 * (CTIFW_LOOPCODE_DETECT_MS + 80));
		run_uneven(&s, 8 * 5000 - t, &rnd, NULL, NULL);
		ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_NONE);
		run_uneven(&s, 8 * (rand_r(&rnd) % 3000), &rnd, NULL, NULL);
		assert_true(looped(s.p[1]));

		ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_DOWN);
		t = run_uneven(&s, 8 * 5000, &rnd, unlooped, s.p[1]);
		assert_true(unlooped(s.p[1]));
		assert_true(t <= 8 * (CTIFW_LOOPCODE_DETECT_MS + 80));
		run_uneven(&s, 8 * 5000 - t, &rnd, NULL, NULL);
		ctifw_port_send_loopcode(s.p[0], CTIFW_LOOPCODE_NONE);
		run_uneven(&s, 8 * (rand_r(&rnd) % 3000), &rnd, NULL, NULL);
	}
	pair_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_align_d4),
		cmocka_unit_test(test_align_esf),
		cmocka_unit_test(test_payload_integrity),
		cmocka_unit_test(test_yellow_d4),
		cmocka_unit_test(test_yellow_esf),
		cmocka_unit_test(test_ber_crc6),
		cmocka_unit_test(test_inject),
		cmocka_unit_test(test_robbed_bits),
		cmocka_unit_test(test_robbed_bit_mask),
		cmocka_unit_test(test_robbed_bit_mask_invalid),
		cmocka_unit_test(test_loop_codes),
		cmocka_unit_test(test_loop_codes_5s_uneven_ticks),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
