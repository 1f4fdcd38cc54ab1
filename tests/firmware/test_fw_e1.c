/* test_fw_e1.c - E1 framing, alignment, alarms, CRC-4, line faults (G.704/G.706/G.775). */
#include "fwtest.h"

static struct ctifw_counters counters(struct ctifw_port *p)
{
	struct ctifw_counters c;

	ctifw_port_get_counters(p, &c);
	return c;
}

static void set_delay(struct ctifw_port *p, uint32_t d)
{
	struct ctifw_line_faults f;

	ctifw_line_get_faults(p, &f);
	f.bit_delay = d;
	ctifw_line_set_faults(p, &f);
}

static void align_all_offsets(enum ctifw_framing fr)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, fr, 0);
	unsigned int d;

	for (d = 0; d < 256; d++) {
		struct pair s;

		pair_init(&s, &cfg, d);
		s.random_tx = 1;
		s.rnd = d * 7919u + 1;
		set_delay(s.p[1], d);
		pair_run(&s, 240);	/* 30 ms */
		if (!ctifw_port_in_sync(s.p[1]) || ctifw_port_rx_bit_offset(s.p[1]) != (int)d)
			fail_msg("framing %d delay %u: in_sync %d offset %d", fr, d,
				 ctifw_port_in_sync(s.p[1]), ctifw_port_rx_bit_offset(s.p[1]));
		assert_true(ctifw_port_in_sync(s.p[0]));
		assert_int_equal(ctifw_port_rx_bit_offset(s.p[0]), 0);
		assert_int_equal(ctifw_port_defects(s.p[1]), 0);
		pair_free(&s);
	}
}

static void test_align_df(void **st)
{
	(void)st;
	align_all_offsets(CTIFW_FRAMING_E1_DF);
}

static void test_align_crc4(void **st)
{
	(void)st;
	align_all_offsets(CTIFW_FRAMING_E1_CRC4);
}

/* Frame k carries byte (k * 31 + slot) in every slot; recover k from slot 1. */
static void fill_counter(uint8_t *buf, unsigned int n, uint32_t *k)
{
	unsigned int f, s;

	for (f = 0; f < n; f++, (*k)++)
		for (s = 0; s < CTIFW_SLOTS; s++)
			buf[f * CTIFW_SLOTS + s] = (uint8_t)(*k * 31u + s);
}

/* Check frames carry consecutive counters; returns the number of discontinuities. */
static unsigned int check_counter(const uint8_t *buf, unsigned int n, int *last, unsigned int nslots)
{
	unsigned int f, s, jumps = 0;

	for (f = 0; f < n; f++) {
		const uint8_t *fr = buf + f * CTIFW_SLOTS;
		int k = (uint8_t)((fr[1] - 1) * 223u);	/* 223 = 31^-1 mod 256 */

		for (s = 1; s < nslots; s++)
			assert_int_equal(fr[s], (uint8_t)(k * 31 + s));
		if (*last >= 0 && k != ((*last + 1) & 255))
			jumps++;
		*last = k;
	}
	return jumps;
}

static void test_payload_integrity(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);
	struct pair s;
	uint32_t k = 0;
	int last = -1;
	unsigned int i, jumps = 0;

	(void)st;
	pair_init(&s, &cfg, 1);
	set_delay(s.p[1], 77);
	for (i = 0; i < 100; i++) {
		fill_counter(s.tx[0], 8, &k);
		pair_step(&s, 8);
	}
	assert_true(ctifw_port_in_sync(s.p[1]));
	for (i = 0; i < 1000; i++) {
		fill_counter(s.tx[0], 8, &k);
		pair_step(&s, 8);
		assert_int_equal(s.rx[1][0], 0);
		jumps += check_counter(s.rx[1], 8, &last, 32);
	}
	assert_int_equal(jumps, 0);
	assert_int_equal(counters(s.p[1]).crc, 0);
	assert_int_equal(counters(s.p[1]).fas, 0);
	pair_free(&s);
}

static void test_alarms_cut_restore(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);
	struct pair s;
	int i;

	(void)st;
	pair_init(&s, &cfg, 2);
	pair_run(&s, 400);
	for (i = 0; i < 2; i++) {
		assert_int_equal(ctifw_port_defects(s.p[i]), 0);
		assert_int_equal(ctifw_port_alarms(s.p[i]), 0);
	}
	ctifw_port_reset_counters(s.p[1]);
	ctifw_cable_cut(s.p[0]);
	pair_run(&s, 16);
	for (i = 0; i < 2; i++) {
		assert_true(ctifw_port_defects(s.p[i]) & CTIFW_ALARM_LOS);
		assert_true(ctifw_port_defects(s.p[i]) & CTIFW_ALARM_LOF);
		assert_int_equal(ctifw_port_alarms(s.p[i]), 0);	/* not yet: 100 ms */
	}
	pair_run(&s, 8 * 80);	/* 82 ms in total */
	assert_int_equal(ctifw_port_alarms(s.p[1]), 0);
	pair_run(&s, 8 * 30);	/* 112 ms */
	for (i = 0; i < 2; i++)
		assert_int_equal(ctifw_port_alarms(s.p[i]), CTIFW_ALARM_LOS | CTIFW_ALARM_LOF);
	assert_int_equal(counters(s.p[1]).lof_events, 1);

	ctifw_cable_connect(s.p[0], s.p[1]);
	pair_run(&s, 8 * 20);
	for (i = 0; i < 2; i++) {
		assert_int_equal(ctifw_port_defects(s.p[i]), 0);
		assert_int_equal(ctifw_port_alarms(s.p[i]),
				 CTIFW_ALARM_LOS | CTIFW_ALARM_LOF | CTIFW_ALARM_RECOVER);
	}
	pair_run(&s, 8 * 160);	/* 180 ms after restore: still held */
	assert_true(ctifw_port_alarms(s.p[1]) & CTIFW_ALARM_LOS);
	pair_run(&s, 8 * 40);	/* 220 ms */
	for (i = 0; i < 2; i++)
		assert_int_equal(ctifw_port_alarms(s.p[i]), 0);
	pair_free(&s);
}

static void test_alarms_rai_ais(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);
	struct ctifw_line_faults f;
	struct pair s;

	(void)st;
	pair_init(&s, &cfg, 3);
	pair_run(&s, 400);
	/* A stops transmitting: B sees LOS and sends RAI (A bit) back. */
	ctifw_port_set_tx_enabled(s.p[0], false);
	pair_run(&s, 8 * 30);
	assert_true(ctifw_port_defects(s.p[1]) & CTIFW_ALARM_LOS);
	assert_int_equal(ctifw_port_defects(s.p[0]), CTIFW_ALARM_RAI);
	assert_int_equal(ctifw_port_alarms(s.p[0]), 0);
	pair_run(&s, 8 * 30);
	assert_int_equal(ctifw_port_alarms(s.p[0]), CTIFW_ALARM_RAI);
	ctifw_port_set_tx_enabled(s.p[0], true);
	pair_run(&s, 8 * 250);
	assert_int_equal(ctifw_port_alarms(s.p[0]), 0);
	assert_int_equal(ctifw_port_alarms(s.p[1]), 0);

	/* AIS towards B: AIS (not LOF), and RAI at A. */
	memset(&f, 0, sizeof(f));
	f.ais = true;
	ctifw_line_set_faults(s.p[1], &f);
	pair_run(&s, 8 * 120);
	assert_int_equal(ctifw_port_defects(s.p[1]), CTIFW_ALARM_AIS);
	assert_int_equal(ctifw_port_alarms(s.p[1]), CTIFW_ALARM_AIS);
	assert_int_equal(ctifw_port_alarms(s.p[0]), CTIFW_ALARM_RAI);
	f.ais = false;
	ctifw_line_set_faults(s.p[1], &f);
	pair_run(&s, 8 * 250);
	assert_int_equal(ctifw_port_alarms(s.p[1]), 0);
	assert_int_equal(ctifw_port_alarms(s.p[0]), 0);

	/* Simulated alarms override, and stop. */
	ctifw_port_simulate_alarm(s.p[0], CTIFW_ALARM_LOF);
	assert_int_equal(ctifw_port_alarms(s.p[0]), CTIFW_ALARM_LOF | CTIFW_ALARM_SIM);
	ctifw_port_simulate_alarm(s.p[0], 0);
	assert_int_equal(ctifw_port_alarms(s.p[0]), 0);
	pair_free(&s);
}

/* BER on the line: CV, CRC-4 block errors at 1-(1-BER)^2048 per SMF, E-bits back. */
static void ber_crc4(uint64_t ber_e12, unsigned int seconds)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);
	struct ctifw_line_faults f;
	struct ctifw_counters a, b;
	struct pair s;
	double ber = (double)ber_e12 * 1e-12, p, n, bits;

	pair_init(&s, &cfg, 4);
	s.random_tx = 1;
	s.rnd = 99;
	pair_run(&s, 400);
	memset(&f, 0, sizeof(f));
	f.ber_e12 = ber_e12;
	ctifw_line_set_faults(s.p[1], &f);
	ctifw_port_reset_counters(s.p[0]);
	ctifw_port_reset_counters(s.p[1]);
	pair_run(&s, 8000 * seconds);
	f.ber_e12 = 0;
	ctifw_line_set_faults(s.p[1], &f);
	pair_run(&s, 800);	/* let the E-bits of the last blocks come back */
	a = counters(s.p[0]);
	b = counters(s.p[1]);
	assert_true(ctifw_port_in_sync(s.p[1]));
	n = 1000.0 * seconds;
	p = 1.0 - pow(1.0 - ber, 2048);
	bits = 256.0 * 8000 * seconds;
	print_message("BER %g: cv %u (exp %.1f) crc %u (exp %.1f) ebit at far end %u\n", ber, b.cv,
		      bits * ber, b.crc, n * p, a.ebit);
	assert_true(within(b.cv, bits * ber, bits * ber, 3.29));
	assert_true(within(b.crc, n * p, n * p * (1 - p), 3.29));
	assert_int_equal(a.ebit, b.crc);
	assert_true(b.ebit <= 3);	/* only E-bits hit by the line errors */
	pair_free(&s);
}

static void test_ber_crc4_1e4(void **st)
{
	(void)st;
	ber_crc4(100000000ull, 2);
}

static void test_ber_crc4_1e5(void **st)
{
	(void)st;
	ber_crc4(10000000ull, 4);
}

static void test_inject(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);
	struct ctifw_counters a, b;
	struct pair s;

	(void)st;
	cfg.cas = true;
	pair_init(&s, &cfg, 5);
	pair_run(&s, 800);
	ctifw_port_reset_counters(s.p[0]);
	ctifw_port_reset_counters(s.p[1]);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_FAS, 5), 0);
	pair_run(&s, 800);
	b = counters(s.p[1]);
	assert_int_equal(b.fas, 5);
	assert_int_equal(b.crc + b.mfas + b.cv + b.lof_events, 0);

	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_MFAS, 3), 0);
	pair_run(&s, 800);
	b = counters(s.p[1]);
	assert_int_equal(b.mfas, 3);
	assert_int_equal(b.crc + b.cv, 0);

	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_CRC, 4), 0);
	pair_run(&s, 800);
	a = counters(s.p[0]);
	b = counters(s.p[1]);
	assert_int_equal(b.crc, 4);
	assert_int_equal(a.ebit, 4);
	assert_int_equal(b.fas, 5);

	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_BPV, 7), 0);
	pair_run(&s, 800);
	b = counters(s.p[1]);
	assert_int_equal(b.bpv, 7);
	assert_int_equal(b.cv, 7);

	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_CAS, 2), 0);
	pair_run(&s, 800);
	b = counters(s.p[1]);
	assert_int_equal(b.mfas, 5);
	assert_int_equal(b.crc, 4);
	assert_int_equal(b.lof_events, 0);

	/* Rate injection: 100 FAS errors per second. */
	assert_int_equal(ctifw_port_inject_rate(s.p[0], CTIFW_INJECT_FAS, 100), 0);
	pair_run(&s, 8000);
	assert_int_equal(ctifw_port_inject_rate(s.p[0], CTIFW_INJECT_FAS, 0), 0);
	pair_run(&s, 800);
	b = counters(s.p[1]);
	assert_in_range(b.fas - 5, 99, 100);
	assert_true(ctifw_port_in_sync(s.p[1]));

	cfg.framing = CTIFW_FRAMING_E1_DF;
	cfg.cas = false;
	assert_int_equal(ctifw_port_configure(s.p[0], &cfg), 0);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_CRC, 1), -CTIFW_EINVAL);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_CAS, 1), -CTIFW_EINVAL);
	pair_free(&s);
}

static void test_slips(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_DF, 0);
	struct ctifw_line_faults f;
	struct pair s;
	uint32_t k = 0;
	int last = -1;
	unsigned int i, jumps = 0;

	(void)st;
	pair_init(&s, &cfg, 6);
	for (i = 0; i < 50; i++) {
		fill_counter(s.tx[0], 8, &k);
		pair_step(&s, 8);
	}
	memset(&f, 0, sizeof(f));
	f.ppm = 250;	/* one slip per 1e6 / 250 = 4000 frames */
	ctifw_line_set_faults(s.p[1], &f);
	ctifw_port_reset_counters(s.p[1]);
	for (i = 0; i < 4000; i++) {	/* 4 s */
		fill_counter(s.tx[0], 8, &k);
		pair_step(&s, 8);
		jumps += check_counter(s.rx[1], 8, &last, 32);
	}
	assert_int_equal(counters(s.p[1]).slips, 8);
	assert_int_equal(jumps, 8);	/* each slip repeats or deletes exactly one frame */
	assert_int_equal(counters(s.p[1]).fas, 0);
	pair_free(&s);
}

static void test_sa_cas(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);
	struct pair s;
	unsigned int c;

	(void)st;
	cfg.cas = true;
	pair_init(&s, &cfg, 7);
	ctifw_port_set_sa(s.p[0], 0x15);
	for (c = 1; c < 32; c++)
		if (c != 16)
			ctifw_port_set_cas(s.p[0], c, (uint8_t)(1 + c % 15));
	pair_run(&s, 800);
	assert_int_equal(ctifw_port_get_rx_sa(s.p[1]), 0x15);
	assert_int_equal(ctifw_port_get_rx_sa(s.p[0]), 0x1f);
	for (c = 1; c < 32; c++)
		if (c != 16)
			assert_int_equal(ctifw_port_get_rx_cas(s.p[1], c), 1 + c % 15);
	assert_int_equal(ctifw_port_get_rx_cas(s.p[0], 5), 0x0d);
	assert_int_equal(ctifw_port_defects(s.p[1]), 0);
	/* A stops sending the CAS multiframe: B reports LMFA. */
	cfg.cas = false;
	assert_int_equal(ctifw_port_configure(s.p[0], &cfg), 0);
	pair_run(&s, 800);
	assert_int_equal(ctifw_port_defects(s.p[1]), CTIFW_ALARM_LMFA);
	assert_true(ctifw_port_in_sync(s.p[1]));
	pair_free(&s);
}

static void test_realign_and_seconds(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);
	struct ctifw_counters b;
	struct pair s;

	(void)st;
	pair_init(&s, &cfg, 8);
	s.random_tx = 1;
	s.rnd = 5;
	pair_run(&s, 400);
	ctifw_port_reset_counters(s.p[1]);
	/* Line gets 37 bits longer: alignment lost and found at the new offset. */
	set_delay(s.p[1], 37);
	pair_run(&s, 400);
	assert_true(ctifw_port_in_sync(s.p[1]));
	assert_int_equal(ctifw_port_rx_bit_offset(s.p[1]), 37);
	assert_int_equal(counters(s.p[1]).lof_events, 1);

	/* 15 s without signal: unavailable from the first of 10 SES on. */
	pair_run(&s, 8000 * 2 - 800);
	ctifw_port_reset_counters(s.p[1]);
	pair_run(&s, 8000 * 2);
	b = counters(s.p[1]);
	assert_int_equal(b.seconds, 2);
	assert_int_equal(b.es + b.ses + b.uas, 0);
	ctifw_cable_cut(s.p[0]);
	pair_run(&s, 8000 * 15);
	b = counters(s.p[1]);
	assert_int_equal(b.uas, 15);
	assert_int_equal(b.es, 0);
	assert_int_equal(b.ses, 0);
	ctifw_cable_connect(s.p[0], s.p[1]);
	pair_run(&s, 8000 * 12);
	b = counters(s.p[1]);
	assert_int_equal(b.seconds, 29);
	assert_in_range(b.uas, 15, 16);
	assert_int_equal(b.ses, 0);
	pair_free(&s);
}

/* G.826: ES = a second with an errored block, SES = >= 30 % errored blocks. */
static void test_es_ses_thresholds(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);
	struct ctifw_counters b;
	struct pair s;

	(void)st;
	pair_init(&s, &cfg, 9);
	pair_run(&s, 8000 - 400);	/* the first second holds the alignment */
	pair_run(&s, 400);
	ctifw_port_reset_counters(s.p[1]);
	assert_int_equal(ctifw_port_inject_rate(s.p[0], CTIFW_INJECT_CRC, 20), 0);
	pair_run(&s, 8000 * 3);
	b = counters(s.p[1]);
	assert_int_equal(b.seconds, 3);
	assert_int_equal(b.es, 3);
	assert_int_equal(b.ses, 0);
	assert_in_range(b.crc, 58, 60);
	/* 400 of 1000 blocks errored: severely errored. */
	assert_int_equal(ctifw_port_inject_rate(s.p[0], CTIFW_INJECT_CRC, 400), 0);
	pair_run(&s, 8000 * 3);
	assert_int_equal(ctifw_port_inject_rate(s.p[0], CTIFW_INJECT_CRC, 0), 0);
	b = counters(s.p[1]);
	assert_int_equal(b.es, 6);
	assert_in_range(b.ses, 2, 3);
	assert_int_equal(b.uas, 0);
	assert_true(ctifw_port_in_sync(s.p[1]));
	pair_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_align_df),
		cmocka_unit_test(test_align_crc4),
		cmocka_unit_test(test_payload_integrity),
		cmocka_unit_test(test_alarms_cut_restore),
		cmocka_unit_test(test_alarms_rai_ais),
		cmocka_unit_test(test_ber_crc4_1e4),
		cmocka_unit_test(test_ber_crc4_1e5),
		cmocka_unit_test(test_inject),
		cmocka_unit_test(test_slips),
		cmocka_unit_test(test_sa_cas),
		cmocka_unit_test(test_realign_and_seconds),
		cmocka_unit_test(test_es_ses_thresholds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
