/* test_fw_prbs.c - PRBS generator/checker (O.150/O.151) through the line. */
#include "fwtest.h"

struct pat {
	enum ctifw_prbs_pattern p;
	unsigned int n, k;
	int inv, qrss;
};

static const struct pat pats[] = {
	{ CTIFW_PRBS_2E11, 11, 9, 0, 0 },
	{ CTIFW_PRBS_2E15, 15, 14, 1, 0 },
	{ CTIFW_PRBS_2E20, 20, 3, 0, 0 },
	{ CTIFW_PRBS_QRSS, 20, 17, 0, 1 },
	{ CTIFW_PRBS_2E23, 23, 18, 1, 0 },
};

static struct ctifw_prbs_status status(struct ctifw_port *p)
{
	struct ctifw_prbs_status s;

	ctifw_prbs_get_status(p, &s);
	return s;
}

/*
 * Independent reference: collect the bits of slot 1 as received, seed a
 * plain bitwise register from the first bits and require every later bit
 * to follow b(t) = b(t-n) ^ b(t-k) (inverted on the line where O.150 says
 * so; QRSS: forced ones after which 14 zeros follow, max 14 zeros).
 */
static void test_generator_sequences(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);
	static uint8_t bits[200000];
	unsigned int i, t;

	(void)st;
	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		const struct pat *pt = &pats[i];
		struct pair s;
		unsigned int nb = 0, f, b, mism = 0, zrun = 0, maxz = 0, ones = 0;

		pair_init(&s, &cfg, 30 + i);
		pair_run(&s, 200);
		ctifw_prbs_start(s.p[0], pt->p, 1u << 1, true, false);
		pair_run(&s, 16);
		for (t = 0; t < 2500; t++) {
			pair_step(&s, 8);
			for (f = 0; f < 8; f++)
				for (b = 0; b < 8; b++)
					bits[nb++] = (s.rx[1][f * CTIFW_SLOTS + 1] >> (7 - b)) & 1;
		}
		for (t = 0; t < nb; t++) {
			zrun = bits[t] ? 0 : zrun + 1;
			maxz = zrun > maxz ? zrun : maxz;
			ones += bits[t];
		}
		if (pt->qrss) {
			/* raw recurrence holds except where a one was forced */
			for (t = 40; t < nb; t++)
				if (bits[t] != (bits[t - pt->n] ^ bits[t - pt->k]))
					mism++;
			assert_in_range(maxz, 12, 14);
			assert_true(mism < nb / 1000);
		} else {
			for (t = 40; t < nb; t++) {
				unsigned int u = bits[t] ^ pt->inv;
				unsigned int e = (bits[t - pt->n] ^ pt->inv) ^ (bits[t - pt->k] ^ pt->inv);

				if (u != e)
					mism++;
			}
			assert_int_equal(mism, 0);
			/* longest zero run of an m-sequence: n - 1 (seen within a full period) */
			if (pt->n == 11)
				assert_int_equal(maxz, pt->n - 1);
		}
		/* about half ones */
		assert_true(ones > nb * 45 / 100 && ones < nb * 55 / 100);
		pair_free(&s);
	}
}

static void sync_case(enum ctifw_line line, enum ctifw_framing fr, uint32_t mask)
{
	struct ctifw_port_config cfg = cfg_of(line, fr, 0);
	unsigned int i;

	for (i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		struct pair s;
		struct ctifw_prbs_status a;

		pair_init(&s, &cfg, 40 + i);
		pair_run(&s, 200);
		ctifw_prbs_start(s.p[0], pats[i].p, mask, true, false);
		ctifw_prbs_start(s.p[1], pats[i].p, mask, false, true);
		pair_run(&s, 800);
		a = status(s.p[1]);
		if (!a.sync)
			fail_msg("line %d mask %x pattern %d: no sync", line, mask, pats[i].p);
		ctifw_prbs_reset_counts(s.p[1]);
		pair_run(&s, 8000);
		a = status(s.p[1]);
		assert_true(a.sync);
		assert_int_equal(a.errors, 0);
		assert_int_equal(a.sync_losses, 0);
		assert_int_equal(a.seconds, 1);
		assert_int_equal(a.errored_seconds, 0);
		assert_true(a.bits > 0);
		assert_int_equal(a.pattern, pats[i].p);
		pair_free(&s);
	}
}

static void test_sync_slots(void **st)
{
	(void)st;
	sync_case(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 1u << 5);
	sync_case(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0x001e001eu);
	sync_case(CTIFW_LINE_E1, CTIFW_FRAMING_E1_DF, CTIFW_PRBS_ALL_SLOTS);
	sync_case(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 1u << 24);
	sync_case(CTIFW_LINE_T1, CTIFW_FRAMING_T1_D4, CTIFW_PRBS_ALL_SLOTS);
}

static void test_sync_unframed(void **st)
{
	(void)st;
	sync_case(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, CTIFW_PRBS_UNFRAMED);
	sync_case(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, CTIFW_PRBS_UNFRAMED);
}

/* Measured BER within the 99.9 % interval of the Poisson count. */
static void ber_case(enum ctifw_line line, uint32_t mask, uint64_t ber_e12, uint32_t burst,
		     unsigned int seconds)
{
	struct ctifw_port_config cfg = cfg_of(line, line == CTIFW_LINE_E1 ? CTIFW_FRAMING_E1_CRC4 :
					      CTIFW_FRAMING_T1_ESF, 0);
	struct ctifw_line_faults f;
	struct ctifw_prbs_status a;
	struct pair s;
	double mean, ber = (double)ber_e12 * 1e-12;

	pair_init(&s, &cfg, 50);
	pair_run(&s, 200);
	ctifw_prbs_start(s.p[0], CTIFW_PRBS_2E15, mask, true, false);
	ctifw_prbs_start(s.p[1], CTIFW_PRBS_2E15, mask, false, true);
	pair_run(&s, 400);
	assert_true(status(s.p[1]).sync);
	memset(&f, 0, sizeof(f));
	f.ber_e12 = ber_e12;
	f.burst_bits = burst;
	ctifw_line_set_faults(s.p[1], &f);
	ctifw_prbs_reset_counts(s.p[1]);
	pair_run(&s, 8000 * seconds);
	a = status(s.p[1]);
	mean = (double)a.bits * ber;
	print_message("BER %g burst %u: %llu errors in %llu bits (expected %.1f)\n", ber, burst,
		      (unsigned long long)a.errors, (unsigned long long)a.bits, mean);
	/* bursts make the count a compound variable: variance * burst */
	assert_true(within((double)a.errors, mean, mean * (burst > 1 ? burst : 1), 3.29));
	assert_int_equal(a.sync_losses, 0);
	pair_free(&s);
}

static void test_ber_1e4(void **st)
{
	(void)st;
	ber_case(CTIFW_LINE_E1, CTIFW_PRBS_UNFRAMED, 100000000ull, 0, 2);
}

static void test_ber_1e5(void **st)
{
	(void)st;
	ber_case(CTIFW_LINE_E1, CTIFW_PRBS_UNFRAMED, 10000000ull, 0, 6);
}

static void test_ber_slots_t1_bursts(void **st)
{
	(void)st;
	ber_case(CTIFW_LINE_T1, CTIFW_PRBS_ALL_SLOTS, 100000000ull, 0, 3);
	ber_case(CTIFW_LINE_E1, CTIFW_PRBS_ALL_SLOTS, 100000000ull, 4, 3);
}

static void test_inject_and_seconds(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);
	struct ctifw_line_faults f;
	struct ctifw_prbs_status a;
	struct ctifw_counters c;
	struct pair s;

	(void)st;
	pair_init(&s, &cfg, 60);
	pair_run(&s, 200);
	ctifw_prbs_start(s.p[0], CTIFW_PRBS_2E23, 0x00000006u, true, false);
	ctifw_prbs_start(s.p[1], CTIFW_PRBS_2E23, 0x00000006u, false, true);
	pair_run(&s, 400);
	ctifw_prbs_reset_counts(s.p[1]);
	ctifw_port_inject(s.p[0], CTIFW_INJECT_PRBS, 10);
	pair_run(&s, 8000 * 2);
	a = status(s.p[1]);
	assert_int_equal(a.errors, 10);
	assert_int_equal(a.seconds, 2);
	assert_int_equal(a.errored_seconds, 1);
	assert_int_equal(a.severely_errored_seconds, 0);
	ctifw_port_get_counters(s.p[1], &c);
	assert_int_equal(c.prbs_errors, 10);

	/* Slips shift the pattern: sync is lost and found again. */
	memset(&f, 0, sizeof(f));
	f.ppm = 500;
	ctifw_line_set_faults(s.p[1], &f);
	pair_run(&s, 8000);
	f.ppm = 0;
	ctifw_line_set_faults(s.p[1], &f);
	pair_run(&s, 400);
	a = status(s.p[1]);
	assert_true(a.sync_losses >= 3);
	assert_true(a.sync);
	assert_true(a.severely_errored_seconds >= 1);
	ctifw_prbs_stop(s.p[0]);
	ctifw_prbs_stop(s.p[1]);
	assert_int_equal(status(s.p[1]).pattern, CTIFW_PRBS_OFF);
	pair_free(&s);
}

static void test_inject_unframed(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 0);
	struct ctifw_prbs_status a;
	struct ctifw_counters c;
	struct pair s;

	(void)st;
	pair_init(&s, &cfg, 61);
	ctifw_prbs_start(s.p[0], CTIFW_PRBS_QRSS, CTIFW_PRBS_UNFRAMED, true, false);
	ctifw_prbs_start(s.p[1], CTIFW_PRBS_QRSS, CTIFW_PRBS_UNFRAMED, false, true);
	pair_run(&s, 400);
	assert_true(status(s.p[1]).sync);
	assert_true(ctifw_port_defects(s.p[1]) & CTIFW_ALARM_LOF);	/* no framing on the line */
	ctifw_prbs_reset_counts(s.p[1]);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_PRBS, 7), 0);
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_BPV, 2), 0);
	pair_run(&s, 800);
	a = status(s.p[1]);
	assert_int_equal(a.errors, 7);
	ctifw_port_get_counters(s.p[1], &c);
	assert_int_equal(c.bpv, 2);
	assert_int_equal(ctifw_port_inject_rate(s.p[0], CTIFW_INJECT_PRBS, 50), 0);
	pair_run(&s, 8000 * 2);
	assert_int_equal(ctifw_port_inject_rate(s.p[0], CTIFW_INJECT_PRBS, 0), 0);
	pair_run(&s, 80);
	a = status(s.p[1]);
	assert_int_equal(a.errors, 107);
	assert_int_equal(a.sync_losses, 0);
	pair_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generator_sequences),
		cmocka_unit_test(test_sync_slots),
		cmocka_unit_test(test_sync_unframed),
		cmocka_unit_test(test_ber_1e4),
		cmocka_unit_test(test_ber_1e5),
		cmocka_unit_test(test_ber_slots_t1_bursts),
		cmocka_unit_test(test_inject_and_seconds),
		cmocka_unit_test(test_inject_unframed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
