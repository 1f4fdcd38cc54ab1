/* test_fw_maint.c - loopbacks (local, network line, network payload) and loop plugs. */
#include "fwtest.h"

#define HIST 128

/* Sends random payload from port `from`, returns how many received frames at `at` matched a sent one. */
struct tracker {
	uint8_t hist[HIST][CTIFW_SLOTS];
	unsigned int k;
	int lat;	/* latency found (frames), -1 unknown */
};

static unsigned int slots_of(const struct ctifw_port_config *c)
{
	return c->line == CTIFW_LINE_E1 ? 31 : 24;
}

/* One tick; check every frame received at `at` equals the frame sent `lat` frames before. */
static unsigned int step_check(struct pair *s, struct tracker *t, int from, int at, unsigned int nslots,
			       unsigned int skip_slot)
{
	unsigned int f, ok = 0, c;

	fill_random(s->tx[from], 8 * CTIFW_SLOTS, &s->rnd);
	for (f = 0; f < 8; f++)
		memcpy(t->hist[(t->k + f) % HIST], s->tx[from] + f * CTIFW_SLOTS, CTIFW_SLOTS);
	pair_step(s, 8);
	for (f = 0; f < 8; f++) {
		const uint8_t *fr = s->rx[at] + f * CTIFW_SLOTS;
		unsigned int now = t->k + f;

		if (t->lat < 0) {
			int l;

			for (l = 0; l < HIST - 8 && l <= (int)now; l++)
				if (!memcmp(t->hist[(now - l) % HIST] + 1, fr + 1, 5))
					break;
			if (l < HIST - 8 && l <= (int)now)
				t->lat = l;
			continue;
		}
		for (c = 1; c <= nslots; c++) {
			if (c == skip_slot)
				continue;
			assert_int_equal(fr[c], t->hist[(now - t->lat) % HIST][c]);
		}
		ok++;
	}
	t->k += 8;
	return ok;
}

static void loop_case(const struct ctifw_port_config *cfg, enum ctifw_loopback mode)
{
	struct pair s;
	struct tracker t;
	unsigned int i, ok = 0;
	struct ctifw_port *looper;

	memset(&t, 0, sizeof(t));
	t.lat = -1;
	pair_init(&s, cfg, 70 + mode);
	s.rnd = 17 + mode;
	pair_run(&s, 400);
	if (mode == CTIFW_LOOP_LOCAL) {
		ctifw_port_set_loopback(s.p[0], mode);
		looper = s.p[0];
	} else {
		ctifw_port_set_loopback(s.p[1], mode);
		looper = s.p[1];
	}
	assert_int_equal(ctifw_port_get_loopback(looper), mode);
	pair_run(&s, 400);
	assert_true(ctifw_port_in_sync(s.p[0]));
	for (i = 0; i < 300; i++)
		ok += step_check(&s, &t, 0, 0, slots_of(cfg), 0);	/* A gets its own payload */
	assert_true(ok > 2000);
	assert_true(t.lat >= 0 && t.lat < 100);
	ctifw_port_set_loopback(looper, CTIFW_LOOP_NONE);
	pair_run(&s, 400);
	assert_true(ctifw_port_in_sync(s.p[0]));
	assert_true(ctifw_port_in_sync(s.p[1]));
	pair_free(&s);
}

static void test_loopbacks_e1(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);

	(void)st;
	loop_case(&cfg, CTIFW_LOOP_LOCAL);
	loop_case(&cfg, CTIFW_LOOP_NETWORK_LINE);
	loop_case(&cfg, CTIFW_LOOP_NETWORK_PAYLOAD);
}

static void test_loopbacks_t1(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 0);

	(void)st;
	loop_case(&cfg, CTIFW_LOOP_LOCAL);
	loop_case(&cfg, CTIFW_LOOP_NETWORK_LINE);
	cfg.framing = CTIFW_FRAMING_T1_D4;
	loop_case(&cfg, CTIFW_LOOP_NETWORK_PAYLOAD);
}

/*
 * Line loopback returns the line as received, errors and CRC included, so
 * the sender counts CRC errors; payload loopback regenerates the framing,
 * so the sender sees clean CRC-4 while the payload errors come back.
 */
static void test_line_vs_payload_loop_crc(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);
	struct ctifw_line_faults f;
	struct ctifw_counters c;
	struct pair s;

	(void)st;
	pair_init(&s, &cfg, 80);
	s.random_tx = 1;
	pair_run(&s, 400);
	memset(&f, 0, sizeof(f));
	f.ber_e12 = 100000000ull;
	ctifw_line_set_faults(s.p[1], &f);
	ctifw_port_set_loopback(s.p[1], CTIFW_LOOP_NETWORK_LINE);
	pair_run(&s, 400);
	ctifw_port_reset_counters(s.p[0]);
	pair_run(&s, 8000);
	ctifw_port_get_counters(s.p[0], &c);
	assert_true(c.crc > 100);
	assert_true(c.cv == 0);	/* the retransmitted line is clean from B to A */

	ctifw_port_set_loopback(s.p[1], CTIFW_LOOP_NETWORK_PAYLOAD);
	pair_run(&s, 400);
	ctifw_port_reset_counters(s.p[0]);
	pair_run(&s, 8000);
	ctifw_port_get_counters(s.p[0], &c);
	assert_int_equal(c.crc, 0);
	pair_free(&s);
}

/*
 * Far-end loopbacks have a fixed delay: with a random batch size 1..64 per
 * tick, A's numbered frames come back through B's line or payload loopback
 * in order, none lost, none repeated, no idle inserted, at one delay, the
 * same delay as with the usual 8-frame ticks.
 */
#define FD_FRAMES 6000

static uint8_t fd_byte(uint32_t k, unsigned int c)
{
	if (c <= 3)
		return (uint8_t)(k >> (8u * (c - 1u)));	/* frame number, 24 bits */
	return (uint8_t)(((k * 2654435761u) ^ (c * 40503u)) >> 11);
}

/* Frame number carried by fr, or -1 when fr is not a pattern frame. */
static int32_t fd_decode(const uint8_t *fr, unsigned int nslots)
{
	uint32_t k = (uint32_t)fr[1] | ((uint32_t)fr[2] << 8) | ((uint32_t)fr[3] << 16);
	unsigned int c;

	for (c = 4; c <= nslots; c++)
		if (fr[c] != fd_byte(k, c))
			return -1;
	return (int32_t)k;
}

/* Returns the loop delay in frames; random_n picks each tick's batch size at random. */
static int fixed_delay_case(const struct ctifw_port_config *cfg, enum ctifw_loopback mode, int random_n)
{
	unsigned int nslots = slots_of(cfg), f, c, n;
	uint32_t sent = 0, recvd = 0, rnd = 555 + (uint32_t)mode;
	int32_t *got = calloc(FD_FRAMES + CTIFW_MAX_FRAMES, sizeof(*got));
	int delay = -1, first = -1;
	struct pair s;

	assert_non_null(got);
	pair_init(&s, cfg, 90 + mode);
	pair_run(&s, 400);
	assert_true(ctifw_port_in_sync(s.p[0]));
	ctifw_port_set_loopback(s.p[1], mode);
	while (sent < FD_FRAMES) {
		uint8_t r;

		fill_random(&r, 1, &rnd);
		n = random_n ? 1u + r % CTIFW_MAX_FRAMES : 8u;
		for (f = 0; f < n; f++)
			for (c = 1; c <= nslots; c++)
				s.tx[0][f * CTIFW_SLOTS + c] = fd_byte(sent + f, c);
		pair_step(&s, n);
		for (f = 0; f < n; f++)
			got[recvd + f] = fd_decode(s.rx[0] + f * CTIFW_SLOTS, nslots);
		sent += n;
		recvd += n;
	}
	assert_true(ctifw_port_in_sync(s.p[0]));
	/*
	 * From the first pattern frame that comes back (after the initial fill
	 * and, for line loopback, A's realignment on its returned signal) every
	 * frame received is the frame sent `delay` frames earlier: contiguous,
	 * constant delay, no idle frame inserted.
	 */
	for (f = 0; f < recvd && first < 0; f++)
		if (got[f] >= 0)
			first = (int)f;
	assert_true(first >= 0);
	delay = first - got[first];
	for (f = (unsigned int)first; f < recvd; f++)
		if (got[f] < 0 || (int)f - got[f] != delay)
			fail_msg("frame %u: got frame %d, expected %d (first returned at %d)",
				 f, got[f], (int)f - delay, first);
	/* Payload loop: back after the fill; line loop: A realigns within 50 ms. */
	assert_true(first < (mode == CTIFW_LOOP_NETWORK_PAYLOAD ? delay + 8 : 400));
	assert_true(delay >= CTIFW_MAX_FRAMES && delay < CTIFW_MAX_FRAMES + 16);
	pair_free(&s);
	free(got);
	return delay;
}

static void test_loop_fixed_delay(void **st)
{
	struct ctifw_port_config e1 = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);
	struct ctifw_port_config t1 = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 0);
	int d;

	(void)st;
	d = fixed_delay_case(&e1, CTIFW_LOOP_NETWORK_PAYLOAD, 1);
	assert_int_equal(fixed_delay_case(&e1, CTIFW_LOOP_NETWORK_PAYLOAD, 0), d);
	d = fixed_delay_case(&e1, CTIFW_LOOP_NETWORK_LINE, 1);
	assert_int_equal(fixed_delay_case(&e1, CTIFW_LOOP_NETWORK_LINE, 0), d);
	d = fixed_delay_case(&t1, CTIFW_LOOP_NETWORK_PAYLOAD, 1);
	assert_int_equal(fixed_delay_case(&t1, CTIFW_LOOP_NETWORK_PAYLOAD, 0), d);
	d = fixed_delay_case(&t1, CTIFW_LOOP_NETWORK_LINE, 1);
	assert_int_equal(fixed_delay_case(&t1, CTIFW_LOOP_NETWORK_LINE, 0), d);
	t1.framing = CTIFW_FRAMING_T1_D4;
	d = fixed_delay_case(&t1, CTIFW_LOOP_NETWORK_PAYLOAD, 1);
	assert_int_equal(fixed_delay_case(&t1, CTIFW_LOOP_NETWORK_PAYLOAD, 0), d);
}

static void test_loop_plug_and_tx_off(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_DF, 16);
	struct ctifw_port *p = port_new(&cfg, 90), *q = port_new(&cfg, 91);
	uint8_t buf[64];
	unsigned int i;
	int r, status;

	(void)st;
	ctifw_cable_connect(p, p);
	assert_ptr_equal(ctifw_cable_peer(p), p);
	for (i = 0; i < 100; i++) {
		if (i == 50)	/* aligned by now */
			assert_int_equal(ctifw_hdlc_send(p, (const uint8_t *)"hello", 5), 0);
		ctifw_port_tx(p, NULL, 8);
		ctifw_port_rx(p, NULL, 8);
	}
	assert_true(ctifw_port_in_sync(p));
	r = ctifw_hdlc_recv(p, buf, sizeof(buf), &status);
	assert_int_equal(r, 5);
	assert_memory_equal(buf, "hello", 5);
	/* A new cable replaces the plug. */
	ctifw_cable_connect(p, q);
	assert_ptr_equal(ctifw_cable_peer(p), q);
	assert_ptr_equal(ctifw_cable_peer(q), p);
	ctifw_cable_cut(q);
	assert_null(ctifw_cable_peer(p));
	assert_null(ctifw_cable_peer(q));
	/* Bad configuration is refused and changes nothing. */
	cfg.line = CTIFW_LINE_T1;
	assert_int_equal(ctifw_port_configure(p, &cfg), -CTIFW_EINVAL);
	ctifw_port_get_config(p, &cfg);
	assert_int_equal(cfg.line, CTIFW_LINE_E1);
	free(p);
	free(q);
}

/* G.706 Annex B: a CRC-4 receiver facing a far end without CRC-4 keeps frame alignment, LMFA. */
static void test_annex_b(void **st)
{
	struct ctifw_port_config crc4 = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);
	struct ctifw_port_config df = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_DF, 16);
	struct pair s;

	(void)st;
	pair_init(&s, &crc4, 100);
	assert_int_equal(ctifw_port_configure(s.p[0], &df), 0);
	pair_run(&s, 8 * 300);
	assert_false(ctifw_port_in_sync(s.p[1]));
	pair_run(&s, 8 * 300);	/* 600 ms: past the 400 ms of Annex B */
	assert_int_equal(ctifw_port_defects(s.p[1]), CTIFW_ALARM_LMFA);
	assert_int_equal(ctifw_port_alarms(s.p[1]), CTIFW_ALARM_LMFA);
	assert_true(ctifw_port_rx_bit_offset(s.p[1]) == 0);
	/* The far end turns CRC-4 on: multiframe found, LMFA clears. */
	assert_int_equal(ctifw_port_configure(s.p[0], &crc4), 0);
	pair_run(&s, 8 * 300);
	assert_true(ctifw_port_in_sync(s.p[1]));
	assert_int_equal(ctifw_port_defects(s.p[1]), 0);
	assert_int_equal(ctifw_port_alarms(s.p[1]), 0);
	pair_free(&s);
}

/* G.706 4.3.2: >= 915 errored CRC-4 blocks of 1000 force a new frame search. */
static void test_crc4_excessive_errors(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 0);
	struct ctifw_line_faults f;
	struct ctifw_counters c;
	struct pair s;

	(void)st;
	pair_init(&s, &cfg, 101);
	s.random_tx = 1;
	pair_run(&s, 400);
	ctifw_port_reset_counters(s.p[1]);
	memset(&f, 0, sizeof(f));
	f.ber_e12 = 3000000000ull;	/* 3e-3: ~99.8 % of blocks errored, FAS rarely lost */
	ctifw_line_set_faults(s.p[1], &f);
	pair_run(&s, 8000 * 3);
	ctifw_port_get_counters(s.p[1], &c);
	print_message("crc %u fas %u lof events %u\n", c.crc, c.fas, c.lof_events);
	assert_true(c.crc > 2500);
	assert_in_range(c.lof_events, 2, 6);
	pair_free(&s);
}

/* AMI: zero runs of the data are the line's; B8ZS substitutes them. */
static void test_ami_los(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_D4, 0);
	struct pair s;

	(void)st;
	cfg.coding = CTIFW_CODING_AMI;
	pair_init(&s, &cfg, 102);
	memset(s.tx[0], 0xd5, sizeof(s.tx[0]));
	memset(s.tx[1], 0xd5, sizeof(s.tx[1]));
	pair_run(&s, 400);
	assert_int_equal(ctifw_port_defects(s.p[1]), 0);
	memset(s.tx[0], 0, sizeof(s.tx[0]));	/* all-zero payload: runs of 3 F zeros = 771 bits */
	pair_run(&s, 80);
	assert_true(ctifw_port_defects(s.p[1]) & CTIFW_ALARM_LOS);
	assert_int_equal(ctifw_port_defects(s.p[0]), 0);
	memset(s.tx[0], 0xd5, sizeof(s.tx[0]));
	pair_run(&s, 80);
	assert_int_equal(ctifw_port_defects(s.p[1]), 0);
	pair_free(&s);

	cfg.coding = CTIFW_CODING_B8ZS;
	pair_init(&s, &cfg, 103);
	pair_run(&s, 400);
	memset(s.tx[0], 0, sizeof(s.tx[0]));
	pair_run(&s, 400);
	assert_int_equal(ctifw_port_defects(s.p[1]) & CTIFW_ALARM_LOS, 0);
	pair_free(&s);
}

/*
 * Random fault episodes (cuts, transmitter off, AIS, delay jumps, high
 * BER and bursts, ppm, reconfiguration, loopbacks): after each, a clean
 * line must bring both ports back to sync with no defects, and HDLC and
 * PRBS must work again. Catches state machines that get stuck.
 */
static void chaos(enum ctifw_line line, enum ctifw_framing fr, uint8_t dchan, uint32_t seed)
{
	struct ctifw_port_config cfg = cfg_of(line, fr, dchan);
	struct ctifw_line_faults f;
	struct pair s;
	uint32_t rnd = seed;
	unsigned int ep, i;
	uint8_t buf[300];
	int st;

	pair_init(&s, &cfg, seed);
	s.random_tx = 1;
	s.rnd = seed + 1;
	ctifw_prbs_start(s.p[0], CTIFW_PRBS_2E11, 1u << 3, true, true);
	ctifw_prbs_start(s.p[1], CTIFW_PRBS_2E11, 1u << 3, true, true);
	for (ep = 0; ep < 25; ep++) {
		uint8_t r[8];
		int victim;

		fill_random(r, sizeof(r), &rnd);
		victim = r[0] & 1;
		memset(&f, 0, sizeof(f));
		ctifw_line_get_faults(s.p[victim], &f);
		switch (r[1] % 8) {
		case 0:
			ctifw_cable_cut(s.p[0]);
			break;
		case 1:
			ctifw_port_set_tx_enabled(s.p[victim], false);
			break;
		case 2:
			f.ais = true;
			break;
		case 3:
			f.bit_delay = (r[2] | r[3] << 8) % 3000;
			break;
		case 4:
			f.ber_e12 = 1000000000ull * (1 + r[2] % 50);	/* 1e-3 .. 5e-2 */
			f.burst_bits = r[3] % 3 ? 0 : 1 + r[4] % 20;
			break;
		case 5:
			f.ppm = (int32_t)(r[2] % 200) * 5 - 500;
			break;
		case 6:
			ctifw_port_set_loopback(s.p[victim], (enum ctifw_loopback)(1 + r[2] % 3));
			break;
		default:
			cfg.coding = r[2] & 1 ? CTIFW_CODING_AMI : cfg.coding;
			assert_int_equal(ctifw_port_configure(s.p[victim], &cfg), 0);
			break;
		}
		ctifw_line_set_faults(s.p[victim], &f);
		for (i = 0; i < 5; i++)	/* HDLC traffic into the trouble */
			ctifw_hdlc_send(s.p[i & 1], buf, 1 + r[5] % 200);
		pair_run(&s, 8 * (1 + (r[6] | r[7] << 8) % 700));
		/* Repair everything, keep the delay (any offset must work). */
		ctifw_cable_connect(s.p[0], s.p[1]);
		ctifw_port_set_tx_enabled(s.p[victim], true);
		ctifw_port_set_loopback(s.p[victim], CTIFW_LOOP_NONE);
		f.ais = false;
		f.ber_e12 = 0;
		f.burst_bits = 0;
		f.ppm = 0;
		ctifw_line_set_faults(s.p[victim], &f);
		cfg.coding = line == CTIFW_LINE_E1 ? CTIFW_CODING_HDB3 : CTIFW_CODING_B8ZS;
		ctifw_port_configure(s.p[0], &cfg);
		ctifw_port_configure(s.p[1], &cfg);
		ctifw_prbs_start(s.p[0], CTIFW_PRBS_2E11, 1u << 3, true, true);
		ctifw_prbs_start(s.p[1], CTIFW_PRBS_2E11, 1u << 3, true, true);
		pair_run(&s, 8 * 300);
		for (i = 0; i < 2; i++) {
			struct ctifw_prbs_status ps;

			if (!ctifw_port_in_sync(s.p[i]) || ctifw_port_defects(s.p[i]))
				fail_msg("episode %u (kind %u): port %u sync %d defects 0x%x", ep, r[1] % 8, i,
					 ctifw_port_in_sync(s.p[i]), ctifw_port_defects(s.p[i]));
			ctifw_prbs_get_status(s.p[i], &ps);
			assert_true(ps.sync);
			while (ctifw_hdlc_recv(s.p[i], buf, sizeof(buf), &st) > 0)
				;
		}
		assert_int_equal(ctifw_hdlc_send(s.p[0], (const uint8_t *)"ping", 4), 0);
		pair_run(&s, 8 * 10);
		assert_int_equal(ctifw_hdlc_recv(s.p[1], buf, sizeof(buf), &st), 4);
		assert_memory_equal(buf, "ping", 4);
	}
	pair_free(&s);
}

/* Ticks of any size 1..64 frames (hosts catch up missed ticks). */
static void test_tick_sizes(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 24);
	struct pair s;
	uint32_t rnd = 5;
	unsigned int t, got = 0, sent = 0;
	uint8_t b[2], buf[64];
	int st2;

	(void)st;
	pair_init(&s, &cfg, 110);
	ctifw_prbs_start(s.p[0], CTIFW_PRBS_2E20, 1u << 7, true, false);
	ctifw_prbs_start(s.p[1], CTIFW_PRBS_2E20, 1u << 7, false, true);
	for (t = 0; t < 3000; t++) {
		fill_random(b, 2, &rnd);
		if (t > 100 && ctifw_hdlc_tx_space(s.p[0]) == CTIFW_HDLC_QUEUE && sent < 200) {
			assert_int_equal(ctifw_hdlc_send(s.p[0], (const uint8_t *)"tick-size", 9), 0);
			sent++;
		}
		pair_step(&s, 1 + b[0] % CTIFW_MAX_FRAMES);
		while (ctifw_hdlc_recv(s.p[1], buf, sizeof(buf), &st2) == 9)
			got++;
		if (t == 100) {	/* after alignment and PRBS sync */
			ctifw_prbs_reset_counts(s.p[1]);
			ctifw_port_reset_counters(s.p[1]);
		}
	}
	assert_true(ctifw_port_in_sync(s.p[0]) && ctifw_port_in_sync(s.p[1]));
	{
		struct ctifw_prbs_status ps;
		struct ctifw_counters c;

		ctifw_prbs_get_status(s.p[1], &ps);
		ctifw_port_get_counters(s.p[1], &c);
		assert_true(ps.sync);
		assert_int_equal(ps.errors, 0);
		assert_int_equal(ps.sync_losses, 0);
		assert_true(ps.bits > 8 * 40000);
		assert_int_equal(c.crc + c.fas + c.lof_events + c.hdlc_crc_errors, 0);
	}
	assert_true(sent > 100);
	assert_true(got >= sent - 1);
	pair_free(&s);
}

static void test_chaos(void **st)
{
	(void)st;
	chaos(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16, 1000);
	chaos(CTIFW_LINE_E1, CTIFW_FRAMING_E1_DF, 16, 2000);
	chaos(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 24, 3000);
	chaos(CTIFW_LINE_T1, CTIFW_FRAMING_T1_D4, 24, 4000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopbacks_e1),
		cmocka_unit_test(test_loopbacks_t1),
		cmocka_unit_test(test_line_vs_payload_loop_crc),
		cmocka_unit_test(test_loop_fixed_delay),
		cmocka_unit_test(test_loop_plug_and_tx_off),
		cmocka_unit_test(test_annex_b),
		cmocka_unit_test(test_crc4_excessive_errors),
		cmocka_unit_test(test_ami_los),
		cmocka_unit_test(test_tick_sizes),
		cmocka_unit_test(test_chaos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
