/* test_fw_crc.c - CRC-4, CRC-6 and FCS-16 against independent computations. */
#include "fwtest.h"

/* Remainder of M(x) * x^w / G(x) by long division over a bit array (G without x^w). */
static unsigned int long_div(const uint8_t *msg, unsigned int nbits, unsigned int w, unsigned int g)
{
	uint8_t bits[4096 + 8];
	unsigned int i, j, r = 0;

	for (i = 0; i < nbits; i++)
		bits[i] = (msg[i / 8] >> (7 - i % 8)) & 1;
	for (i = 0; i < w; i++)
		bits[nbits + i] = 0;
	for (i = 0; i < nbits; i++) {
		if (!bits[i])
			continue;
		/* subtract G aligned at i: x^w term at i, lower terms after it */
		bits[i] = 0;
		for (j = 0; j < w; j++)
			bits[i + 1 + j] ^= (g >> (w - 1 - j)) & 1;
	}
	for (i = 0; i < w; i++)
		r = (r << 1) | bits[nbits + i];
	return r;
}

static void test_crc_vs_long_division(void **st)
{
	uint8_t msg[300];
	uint32_t rnd = 12345;
	unsigned int t;

	(void)st;
	for (t = 0; t < 2000; t++) {
		unsigned int nbits = 1 + t % 2400;

		fill_random(msg, sizeof(msg), &rnd);
		assert_int_equal(ctifw_crc4(msg, nbits), long_div(msg, nbits, 4, 0x3));
		assert_int_equal(ctifw_crc6(msg, nbits), long_div(msg, nbits, 6, 0x3));
	}
}

static unsigned int reflect(unsigned int v, unsigned int w)
{
	unsigned int r = 0, i;

	for (i = 0; i < w; i++)
		r |= ((v >> i) & 1) << (w - 1 - i);
	return r;
}

/* Catalogue check values (reflected in/out): CRC-4/G-704 = 0x7, CRC-6/G-704 = 0x06. */
static void test_crc_catalogue(void **st)
{
	const char *s = "123456789";
	uint8_t rev[9];
	unsigned int i;

	(void)st;
	for (i = 0; i < 9; i++)
		rev[i] = (uint8_t)reflect((uint8_t)s[i], 8);
	assert_int_equal(reflect(ctifw_crc4(rev, 72), 4), 0x7);
	assert_int_equal(reflect(ctifw_crc6(rev, 72), 6), 0x06);
	/* A message followed by its own CRC leaves remainder 0. */
	{
		uint8_t m[3] = { 0xa5, 0x3c, 0 };
		uint8_t c = ctifw_crc4(m, 16);

		m[2] = (uint8_t)(c << 4);
		assert_int_equal(ctifw_crc4(m, 20), 0);
	}
}

static void test_fcs16(void **st)
{
	const uint8_t check[] = "123456789";
	uint8_t buf[300];
	uint32_t rnd = 7;
	unsigned int t;

	(void)st;
	assert_int_equal(ctifw_fcs16(check, 9), 0x906e);	/* CRC-16/X-25 check value */
	assert_int_equal(ctifw_fcs16(check, 0), 0x0000);
	for (t = 0; t < 200; t++) {
		unsigned int len = 1 + t, i;
		uint16_t f, ref = 0xffff;

		fill_random(buf, len, &rnd);
		for (i = 0; i < len * 8; i++) {	/* bitwise, LSB first */
			unsigned int b = (buf[i / 8] >> (i % 8)) & 1;

			ref = (uint16_t)((ref >> 1) ^ (((ref ^ b) & 1) ? 0x8408 : 0));
		}
		f = ctifw_fcs16(buf, len);
		assert_int_equal(f, (uint16_t)~ref);
		/* Appended low octet first, the FCS gives the good residue (~0xf0b8). */
		buf[len] = (uint8_t)f;
		buf[len + 1] = (uint8_t)(f >> 8);
		assert_int_equal(ctifw_fcs16(buf, len + 2), 0x0f47);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_crc_vs_long_division),
		cmocka_unit_test(test_crc_catalogue),
		cmocka_unit_test(test_fcs16),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
