/*
 * test_fw_line.c - the transmitted line signal, parsed by an independent
 * decoder written from G.704 (not by the engine's receiver): E1 FAS/NFAS,
 * CRC-4 multiframe, C bits = CRC-4 of the previous sub-multiframe, E, A
 * and Sa bits; T1 D4 F pattern, ESF FPS, CRC-6 and FDL idle flags.
 */
#include "fwtest.h"

#define CAP_BITS (8000 * 256)

static uint8_t cap[CAP_BITS / 8 + 64];

static unsigned int bit(unsigned int i)
{
	return (cap[i / 8] >> (7 - i % 8)) & 1;
}

/* Capture `frames` frames of A's line signal at bit nb of cap, 8 frames per tick. */
static unsigned int capture_at(struct pair *s, unsigned int frames, unsigned int nb)
{
	while (frames) {
		uint8_t buf[CTIFW_MAX_FRAMES * 32];
		unsigned int got, i;

		pair_step(s, 8);
		got = ctifw_port_tx_line(s->p[0], buf, sizeof(buf));
		assert_true(got > 0);
		for (i = 0; i < got; i++, nb++) {
			unsigned int b = (buf[i / 8] >> (7 - i % 8)) & 1;

			if (b)
				cap[nb / 8] |= (uint8_t)(0x80 >> (nb % 8));
			else
				cap[nb / 8] &= (uint8_t)~(0x80 >> (nb % 8));
		}
		frames -= 8;
	}
	return nb;
}

static unsigned int capture(struct pair *s, unsigned int frames)
{
	return capture_at(s, frames, 0);
}

/* M(x) * x^w mod G(x) over bits [from, from + n) of cap, with a bit mask callback. */
static unsigned int crc_div(unsigned int from, unsigned int n, unsigned int w, unsigned int g,
			    int (*force)(unsigned int rel))
{
	unsigned int r = 0, i, top = 1u << w;

	for (i = 0; i < n + w; i++) {
		unsigned int b = 0;

		if (i < n) {
			int f = force(i);

			b = f >= 0 ? (unsigned int)f : bit(from + i);
		}
		r = (r << 1) | b;
		if (r & top)
			r ^= top | g;
	}
	return r;
}

/* E1: C bits (bit 1 of TS0 in even frames) count as 0 in the CRC-4. */
static int e1_force(unsigned int rel)
{
	return (rel % 512 == 0) ? 0 : -1;
}

static unsigned int ts0(unsigned int frame)
{
	unsigned int i, v = 0;

	for (i = 0; i < 8; i++)
		v = (v << 1) | bit(frame * 256 + i);
	return v;
}

static void test_e1_crc4_line(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);
	struct pair s;
	unsigned int nf = 1024, f, m0 = 99, smf, mism = 0;

	(void)st;
	pair_init(&s, &cfg, 200);
	s.random_tx = 1;
	ctifw_port_set_sa(s.p[0], 0x03);	/* Sa4 = Sa5 = 1, Sa6..8 = 0 */
	pair_run(&s, 408);	/* mid-multiframe: the injection falls inside the capture */
	assert_int_equal(ctifw_port_inject(s.p[0], CTIFW_INJECT_CRC, 1), 0);
	capture(&s, nf);
	for (f = 0; f < nf; f++) {
		unsigned int t = ts0(f);

		if ((t & 0x7f) == 0x1b) {
			assert_int_equal(ts0(f + 1 < nf ? f + 1 : f - 1) & 0x40, 0x40);
		} else {
			assert_int_equal(t & 0x40, 0x40);	/* NFAS bit 2 */
			assert_int_equal(t & 0x20, 0);		/* A: no alarm */
			assert_int_equal(t & 0x1f, 0x18);	/* Sa4 Sa5 = 1 */
		}
	}
	/* Multiframe: bit 1 of NFAS frames 1..11 = 001011 (G.704 table 5B). */
	for (f = 0; f < 32 && m0 == 99; f++) {
		unsigned int k, ok = (ts0(f) & 0x7f) == 0x1b;
		static const unsigned int mfas[6] = { 0, 0, 1, 0, 1, 1 };

		for (k = 0; k < 6 && ok; k++)
			ok = (ts0(f + 1 + 2 * k) >> 7) == mfas[k];
		if (ok)
			m0 = f;
	}
	assert_true(m0 < 16);
	for (smf = 0; m0 % 8 + 8 * (smf + 2) <= nf; smf++) {
		unsigned int start = m0 % 8 + 8 * smf, next = start + 8, c = 0, k, crc;

		for (k = 0; k < 4; k++)
			c = (c << 1) | (ts0(next + 2 * k) >> 7);
		crc = crc_div(start * 256, 2048, 4, 0x3, e1_force);
		if (crc != c)
			mism++;
		if ((start + 16 - m0 % 16) % 16 == 8) {	/* E bits in frames 13, 15 = 1: no errors */
			assert_int_equal(ts0(start + 5) >> 7, 1);
			assert_int_equal(ts0(start + 7) >> 7, 1);
		}
	}
	assert_int_equal(mism, 1);	/* the injected one */

	/* A's receiver loses the signal: A sends A = 1. */
	ctifw_port_set_tx_enabled(s.p[1], false);
	pair_run(&s, 16);
	capture(&s, 16);
	for (f = 0; f < 16; f++)
		if ((ts0(f) & 0x7f) != 0x1b)
			assert_int_equal(ts0(f) & 0x20, 0x20);
	pair_free(&s);
}

static void test_e1_df_line(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_DF, 0);
	struct pair s;
	unsigned int f;

	(void)st;
	pair_init(&s, &cfg, 201);
	pair_run(&s, 400);
	capture(&s, 64);
	for (f = 0; f < 64; f += 2) {
		assert_int_equal(ts0(f), 0x9b);		/* Si = 1, FAS 0011011 */
		assert_int_equal(ts0(f + 1), 0xdf);	/* Si = 1, 1, A = 0, Sa = 11111 */
	}
	pair_free(&s);
}

/* T1 ESF: F bits are taken as 1 in the CRC-6. */
static int t1_force(unsigned int rel)
{
	return (rel % 193 == 0) ? 1 : -1;
}

static void test_t1_esf_line(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_ESF, 0);
	struct pair s;
	unsigned int nf = 24 * 40, e, k, fdl = 0, nfdl = 0;

	(void)st;
	pair_init(&s, &cfg, 202);
	s.random_tx = 1;
	pair_run(&s, 480);	/* 20 ESF: the capture starts at an ESF */
	capture(&s, nf);
	for (e = 0; e + 1 < nf / 24; e++) {
		unsigned int base = e * 24 * 193, c = 0, crc;

		for (k = 0; k < 6; k++) {
			static const unsigned int fps[6] = { 0, 0, 1, 0, 1, 1 };

			assert_int_equal(bit(base + (4 * k + 3) * 193), fps[k]);
			c = (c << 1) | bit(base + 24 * 193 + (4 * k + 1) * 193);
		}
		crc = crc_div(base, 24 * 193, 6, 0x3, t1_force);
		assert_int_equal(crc, c);
		for (k = 0; k < 24; k += 2) {	/* FDL: odd frames 1, 3, .. */
			fdl = (fdl << 1) | bit(base + k * 193);
			if (++nfdl >= 8 && nfdl % 8 == 0)
				assert_true((fdl & 0xff) == 0x7e || nfdl < 16);
		}
	}
	pair_free(&s);
}

static void test_t1_d4_line(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_T1, CTIFW_FRAMING_T1_D4, 0);
	static const unsigned int fseq[12] = { 1, 0, 0, 0, 1, 1, 0, 1, 1, 1, 0, 0 };
	struct pair s;
	unsigned int f;

	(void)st;
	pair_init(&s, &cfg, 203);
	pair_run(&s, 480);
	capture(&s, 240);
	for (f = 0; f < 240; f++)
		assert_int_equal(bit(f * 193), fseq[f % 12]);
	pair_free(&s);
}

/*
 * HDLC on TS16 decoded independently: timeslot octets MSB first on the
 * line, HDLC octets LSB first, zero after five ones removed, FCS-16 low
 * octet first (ISO 3309), flags between frames.
 */
static void test_hdlc_line(void **st)
{
	struct ctifw_port_config cfg = cfg_of(CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, 16);
	static const uint8_t msg[] = { 0x02, 0x01, 0x7f, 0xff, 0xff, 0x00, 0x3e, 0x7e, 0xf8 };
	uint8_t out[64];
	struct pair s;
	unsigned int f, i, ones = 0, n = 0, nbit = 0, cur = 0, frames = 0, flags = 0;
	int in = 0;

	(void)st;
	pair_init(&s, &cfg, 204);
	pair_run(&s, 400);
	capture(&s, 8);	/* idle flags first */
	assert_int_equal(ctifw_hdlc_send(s.p[0], msg, sizeof(msg)), 0);
	capture_at(&s, 56, 8 * 256);
	for (f = 0; f < 64; f++) {
		for (i = 0; i < 8; i++) {
			unsigned int b = bit(f * 256 + 16 * 8 + i);

			if (b) {
				ones++;
				continue;
			}
			if (ones == 6) {	/* flag */
				flags++;
				if (in && n) {
					uint16_t fcs = 0xffff;
					unsigned int k, j;

					assert_int_equal(nbit, 1);	/* the flag's leading 0 */
					assert_int_equal(n, sizeof(msg) + 2);
					assert_memory_equal(out, msg, sizeof(msg));
					for (k = 0; k < sizeof(msg); k++)
						for (j = 0; j < 8; j++)
							fcs = (uint16_t)((fcs >> 1) ^ ((((fcs ^ (msg[k] >> j)) & 1)) ? 0x8408 : 0));
					fcs = (uint16_t)~fcs;
					assert_int_equal(out[n - 2], fcs & 0xff);
					assert_int_equal(out[n - 1], fcs >> 8);
					frames++;
				}
				in = 1;
				n = nbit = cur = 0;
				ones = 0;
				continue;
			}
			/* pending ones are data; a zero after five ones is stuffing */
			if (ones >= 7) {
				in = 0;	/* abort */
				ones = 0;
				continue;
			}
			{
				unsigned int k = ones, z;

				ones = 0;
				for (z = 0; z <= k; z++) {
					if (z == k && k == 5)
						break;	/* stuffed zero */
					if (z < k)
						cur |= 1u << nbit;
					if (++nbit == 8) {
						if (n < sizeof(out))
							out[n++] = (uint8_t)cur;
						cur = nbit = 0;
					}
				}
			}
		}
	}
	assert_int_equal(frames, 1);
	assert_true(flags > 40);
	pair_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_e1_crc4_line),
		cmocka_unit_test(test_e1_df_line),
		cmocka_unit_test(test_t1_esf_line),
		cmocka_unit_test(test_t1_d4_line),
		cmocka_unit_test(test_hdlc_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
