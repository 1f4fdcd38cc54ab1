// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/* crc.c - the pure CRC helpers exposed by ctifw.h. */
#include "fw_int.h"

/* Remainder of M(x) * x^4 / (x^4 + x + 1), G.704 2.3.3.5; bits MSB first. */
uint8_t ctifw_crc4(const uint8_t *bits, unsigned int nbits)
{
	uint8_t crc = fw_crc4_bytes(0, bits, nbits >> 3);
	unsigned int i, r = nbits & 7u;

	for (i = 0; i < r; i++) {
		unsigned int b = (bits[nbits >> 3] >> (7u - i)) & 1u;
		unsigned int fbk = ((crc >> 3) ^ b) & 1u;

		crc = (uint8_t)((crc << 1) & 0x0f);
		if (fbk)
			crc ^= 0x03;
	}
	return crc;
}

/* Remainder of M(x) * x^6 / (x^6 + x + 1), G.704 2.1.3.1.3; bits MSB first. */
uint8_t ctifw_crc6(const uint8_t *bits, unsigned int nbits)
{
	uint8_t crc = fw_crc6_bytes(0, bits, nbits >> 3);
	unsigned int i, r = nbits & 7u;

	for (i = 0; i < r; i++)
		crc = fw_crc6_bit(crc, (bits[nbits >> 3] >> (7u - i)) & 1u);
	return crc;
}

/* ISO 3309 FCS-16: init 0xffff, reflected x^16 + x^12 + x^5 + 1, complemented. */
uint16_t ctifw_fcs16(const uint8_t *data, unsigned int len)
{
	uint16_t fcs = 0xffff;
	unsigned int i;

	for (i = 0; i < len; i++)
		fcs = (uint16_t)((fcs >> 8) ^ ctifw_fcs16_tab[(fcs ^ data[i]) & 0xff]);
	return (uint16_t)~fcs;
}
