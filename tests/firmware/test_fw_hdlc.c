/* test_fw_hdlc.c - HDLC controller on the D-channel through the line. */
#include "fwtest.h"

#define NFR 300

struct stream {
	uint32_t seed;
	unsigned int sent, got;
};

/* Frame number i: 2-octet sequence number, then pseudo-random content. */
static unsigned int make_frame(uint8_t *buf, unsigned int i, uint32_t seed, unsigned int maxlen)
{
	uint32_t st = seed * 2654435761u + i * 40503u + 1;
	unsigned int len;

	fill_random(buf, 2, &st);
	len = 3 + (buf[0] | buf[1] << 8) % (maxlen - 2);
	buf[0] = (uint8_t)i;
	buf[1] = (uint8_t)(i >> 8);
	fill_random(buf + 2, len - 2, &st);
	return len;
}

static void pump(struct pair *s, struct stream *st, int from, unsigned int total, unsigned int maxlen)
{
	uint8_t buf[CTIFW_HDLC_MAX_FRAME], exp[CTIFW_HDLC_MAX_FRAME];
	int to = !from, r, status;

	while (st->sent < total && ctifw_hdlc_tx_space(s->p[from])) {
		unsigned int len = make_frame(buf, st->sent, st->seed, maxlen);

		assert_int_equal(ctifw_hdlc_send(s->p[from], buf, len), 0);
		st->sent++;
	}
	while ((r = ctifw_hdlc_recv(s->p[to], buf, sizeof(buf), &status)) > 0) {
		unsigned int len = make_frame(exp, st->got, st->seed, maxlen);

		assert_int_equal(status, CTIFW_HDLC_RX_OK);
		assert_int_equal(r, len);
		assert_memory_equal(buf, exp, len);
		st->got++;
	}
	assert_true(r == 0);
}

static void both_ways(const struct ctifw_port_config *cfg, unsigned int total)
{
	struct pair s;
	struct stream ab = { 1, 0, 0 }, ba = { 2, 0, 0 };
	struct ctifw_counters ca, cb;
	unsigned int t;

	pair_init(&s, cfg, 21);
	s.random_tx = 1;
	s.rnd = 4;
	pair_run(&s, 200);
	for (t = 0; t < 200000 && (ab.got < total || ba.got < total); t++) {
		pump(&s, &ab, 0, total, 262);
		pump(&s, &ba, 1, total, 262);
		pair_step(&s, 8);
	}
	assert_int_equal(ab.got, total);
	assert_int_equal(ba.got, total);
	ctifw_port_get_counters(s.p[0], &ca);
	ctifw_port_get_counters(s.p[1], &cb);
	assert_int_equal(ca.hdlc_tx_frames, total);
	assert_int_equal(cb.hdlc_rx_frames, total);
	assert_int_equal(ca.hdlc_crc_errors + cb.hdlc_crc_errors + ca.hdlc_aborts + cb.hdlc_aborts, 0);
	pair_free(&s);
}

static void test_e1_both_ways(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);

	(void)st;
	both_ways(&cfg, NFR);
}

static void test_t1_both_ways(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 24);

	(void)st;
	both_ways(&cfg, 120);
}

static void test_limits(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);
	uint8_t buf[CTIFW_HDLC_MAX_FRAME + 1], out[CTIFW_HDLC_MAX_FRAME];
	struct pair s;
	unsigned int i, t;
	int r, status;

	(void)st;
	pair_init(&s, &cfg, 22);
	pair_run(&s, 200);
	memset(buf, 0x7e, sizeof(buf));	/* flags as data: every octet needs stuffing */
	assert_int_equal(ctifw_hdlc_send(s.p[0], buf, 0), -CTIFW_EMSGSIZE);
	assert_int_equal(ctifw_hdlc_send(s.p[0], buf, CTIFW_HDLC_MAX_FRAME + 1), -CTIFW_EMSGSIZE);
	for (i = 0; i < CTIFW_HDLC_QUEUE; i++)
		assert_int_equal(ctifw_hdlc_send(s.p[0], buf, i ? 5 : CTIFW_HDLC_MAX_FRAME), 0);
	assert_int_equal(ctifw_hdlc_tx_space(s.p[0]), 0);
	assert_int_equal(ctifw_hdlc_send(s.p[0], buf, 5), -CTIFW_ENOSPC);
	pair_run(&s, 8 * 400);
	r = ctifw_hdlc_recv(s.p[1], out, sizeof(out), &status);
	assert_int_equal(r, CTIFW_HDLC_MAX_FRAME);
	assert_memory_equal(out, buf, CTIFW_HDLC_MAX_FRAME);
	assert_int_equal(ctifw_hdlc_recv(s.p[1], out, 4, &status), -CTIFW_EMSGSIZE);
	for (i = 2; i < CTIFW_HDLC_QUEUE; i++)
		assert_int_equal(ctifw_hdlc_recv(s.p[1], out, sizeof(out), &status), 5);
	assert_int_equal(ctifw_hdlc_recv(s.p[1], out, sizeof(out), &status), 0);

	/* Abort in the middle of a long frame: counted, delivered only on request. */
	ctifw_hdlc_deliver_bad(s.p[1], true);
	assert_int_equal(ctifw_hdlc_send(s.p[0], buf, 800), 0);
	pair_run(&s, 8 * 20);
	ctifw_hdlc_abort_tx(s.p[0]);
	pair_run(&s, 8 * 4);
	r = ctifw_hdlc_recv(s.p[1], out, sizeof(out), &status);
	assert_true(r > 0);
	assert_int_equal(status, CTIFW_HDLC_RX_ABORT);
	{
		struct ctifw_counters c;

		ctifw_port_get_counters(s.p[1], &c);
		assert_int_equal(c.hdlc_aborts, 1);
	}
	/* And the next frame is fine. */
	assert_int_equal(ctifw_hdlc_send(s.p[0], (const uint8_t *)"\x02\x01\x7f", 3), 0);
	for (t = 0; t < 10; t++)
		pair_step(&s, 8);
	r = ctifw_hdlc_recv(s.p[1], out, sizeof(out), &status);
	assert_int_equal(r, 3);
	assert_int_equal(status, CTIFW_HDLC_RX_OK);
	assert_memory_equal(out, "\x02\x01\x7f", 3);

	/* Nobody reads: the receive queue holds 16 frames, the rest overrun. */
	for (i = 0; i < CTIFW_HDLC_QUEUE + 4; i++) {
		while (!ctifw_hdlc_tx_space(s.p[0]))
			pair_step(&s, 8);
		assert_int_equal(ctifw_hdlc_send(s.p[0], buf, 10), 0);
	}
	pair_run(&s, 8 * 40);
	{
		struct ctifw_counters c;

		ctifw_port_get_counters(s.p[1], &c);
		assert_int_equal(c.hdlc_overruns, 4);
	}
	for (i = 0; i < CTIFW_HDLC_QUEUE; i++)
		assert_int_equal(ctifw_hdlc_recv(s.p[1], out, sizeof(out), &status), 10);
	assert_int_equal(ctifw_hdlc_recv(s.p[1], out, sizeof(out), &status), 0);
	pair_free(&s);
}

/* Bit errors: every frame either arrives intact or is counted as FCS error / abort. */
static void test_errors_counted(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);
	struct ctifw_line_faults f;
	uint8_t buf[CTIFW_HDLC_MAX_FRAME], exp[CTIFW_HDLC_MAX_FRAME];
	struct ctifw_counters c;
	struct pair s;
	unsigned int sent = 0, good = 0, t;
	int r, status;

	(void)st;
	pair_init(&s, &cfg, 23);
	pair_run(&s, 200);
	memset(&f, 0, sizeof(f));
	f.ber_e12 = 200000000ull;	/* 2e-4: about 1 in 4 frames of 260 octets hit */
	ctifw_line_set_faults(s.p[1], &f);
	for (t = 0; t < 20000 && sent < 200; t++) {
		while (sent < 200 && ctifw_hdlc_tx_space(s.p[0])) {
			unsigned int len = make_frame(buf, sent, 9, 262);

			assert_int_equal(ctifw_hdlc_send(s.p[0], buf, len), 0);
			sent++;
		}
		pair_step(&s, 8);
		while ((r = ctifw_hdlc_recv(s.p[1], buf, sizeof(buf), &status)) > 0) {
			unsigned int i = buf[0] | buf[1] << 8, len = make_frame(exp, i, 9, 262);

			assert_int_equal(r, len);
			assert_memory_equal(buf, exp, len);
			good++;
		}
	}
	for (t = 0; t < 2000 && ctifw_hdlc_tx_space(s.p[0]) < CTIFW_HDLC_QUEUE; t++)
		pair_step(&s, 8);
	pair_run(&s, 8 * 10);
	while ((r = ctifw_hdlc_recv(s.p[1], buf, sizeof(buf), &status)) > 0)
		good++;
	ctifw_port_get_counters(s.p[1], &c);
	print_message("sent %u good %u fcs errors %u aborts %u\n", sent, good, c.hdlc_crc_errors,
		      c.hdlc_aborts);
	assert_int_equal(good, c.hdlc_rx_frames);
	assert_true(c.hdlc_crc_errors + c.hdlc_aborts > 10);
	/* A hit flag can merge two frames into one bad one: allow a few. */
	assert_true(good + c.hdlc_crc_errors + c.hdlc_aborts >= sent - 3);
	assert_true(good > sent / 2);
	pair_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e1_both_ways),
		cmocka_unit_test(test_t1_both_ways),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_errors_counted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
