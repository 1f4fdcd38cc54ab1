// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * t1.c - T1 (DS1) framer and deframer: G.704 2.1, ANSI T1.403.
 *
 * A frame is one F bit followed by 24 channel octets (193 bits).
 * D4/SF (G.704 2.1.3.2): 12 frames, Ft = 101010 in odd frames, Fs = 001110
 * in even frames; yellow = bit 2 of every channel 0. ESF (G.704 2.1.3.1,
 * T1.403 8): 24 frames, FPS 001011 in frames 4, 8, .., 24, CRC-6 bits
 * C1..C6 in frames 2, 6, .., 22 over the previous ESF (F bits taken as 1),
 * 4 kbit/s FDL in odd frames; yellow = FDL pattern 1111111100000000.
 */
#include "fw_int.h"

#define D4_SEQ		0x8dcu	/* F bits of frames 1..12, frame 1 in the MSB: 100011011100 */
#define D4_MASK		0x3b1u	/* the same, bit n = frame n + 1 */
#define FPS		0x0bu	/* 001011, first in the MSB */
#define FPS_MASK	0x34u	/* the same, bit n = n-th FPS bit */
#define FDL_IDLE	0x7e7eu	/* HDLC flags */
#define FDL_YELLOW	0xff00u

/* In-band loop codes, T1.403 9.3.1, as octet streams (period 5 resp. 3 octets). */
static const uint8_t lc_up[5] = { 0x08, 0x42, 0x10, 0x84, 0x21 };	/* 00001 ... */
static const uint8_t lc_dn[3] = { 0x24, 0x92, 0x49 };			/* 001 ... */

static unsigned int sig_index(unsigned int fn)
{
	/* Robbed-bit signalling frames: 6 and 12 (D4: A, B), 6, 12, 18, 24 (ESF: A..D). */
	if (fn % 6u != 5u)
		return 4;
	return fn / 6u;
}

void fw_t1_tx_frame(struct ctifw_port *p, unsigned int f, const uint8_t *in)
{
	bool d4 = p->cfg.framing == CTIFW_FRAMING_T1_D4;
	unsigned int fn = p->tx_fn, dchan = p->cfg.dchan, c, fbit;
	uint8_t fr[26], fbyte;
	uint32_t pos = f * CTIFW_T1_FRAME_BITS;

	if (in)
		FW_MEMCPY(fr + 1, in + 1, 24);
	else
		FW_MEMSET(fr + 1, 0xff, 24);
	if (p->loop != CTIFW_LOOP_NETWORK_PAYLOAD) {
		if (p->lc_tx != CTIFW_LOOPCODE_NONE) {
			const uint8_t *pat = p->lc_tx == CTIFW_LOOPCODE_UP ? lc_up : lc_dn;
			unsigned int per = p->lc_tx == CTIFW_LOOPCODE_UP ? 5u : 3u;

			for (c = 1; c <= 24; c++) {
				fr[c] = pat[p->lc_idx];
				if (++p->lc_idx == per)
					p->lc_idx = 0;
			}
		} else {
			unsigned int si = sig_index(fn);

			if (p->rb_mask && si < 4) {
				unsigned int k = d4 ? (si & 1u) : si;

				for (c = 1; c <= 24; c++) {
					if (!(p->rb_mask & (1u << c)))
						continue;
					fr[c] = (uint8_t)((fr[c] & 0xfe) | ((p->cas_tx[c] >> (3u - k)) & 1u));
				}
			}
			if (dchan)
				fr[dchan] = fw_hdlc_tx_byte(p);
			if (p->prbs.gen)
				fw_prbs_tx_frame(p, fr);
			if (d4 && fw_send_rai(p))
				for (c = 1; c <= 24; c++)
					fr[c] &= 0xbf;	/* D4 yellow: bit 2 = 0 */
		}
	}
	if (d4) {
		fbit = (D4_SEQ >> (11u - fn)) & 1u;
		if (p->inj_active && fn <= 1 &&
		    fw_inject_take(p, fn ? CTIFW_INJECT_MFAS : CTIFW_INJECT_FAS))
			fbit ^= 1u;
	} else {
		if ((fn & 3u) == 3u) {
			fbit = (FPS >> (5u - (fn >> 2))) & 1u;
			if (fn == 3 && p->inj_active && fw_inject_take(p, CTIFW_INJECT_FAS))
				fbit ^= 1u;
		} else if ((fn & 3u) == 1u) {
			fbit = (p->tx_crc_prev >> (5u - (fn >> 2))) & 1u;
			if (fn == 1 && p->inj_active && fw_inject_take(p, CTIFW_INJECT_CRC))
				fbit ^= 1u;
		} else {
			uint16_t w = fw_send_rai(p) ? FDL_YELLOW : FDL_IDLE;

			fbit = (w >> (15u - p->fdl_idx)) & 1u;
			p->fdl_idx = (p->fdl_idx + 1) & 15u;
		}
		if (!fn) {
			p->tx_crc_prev = p->tx_crc;
			p->tx_crc = 0;
		}
		p->tx_crc = fw_crc6_frame(p->tx_crc, fr + 1);
	}
	fbyte = (uint8_t)(fbit << 7);
	fw_put_bits(p->txbuf, pos, &fbyte, 1);
	fw_put_bits(p->txbuf, pos + 1, fr + 1, 192);
	if (++p->tx_fn == p->mf_len) {
		p->tx_fn = 0;
		p->tx_mf++;
	}
}

/* ---- alignment search ---- */

static unsigned int rot(unsigned int x, unsigned int k, unsigned int w)
{
	unsigned int full = (1u << w) - 1u;

	return k ? ((x >> k) | (x << (w - k))) & full : x;
}

/* CRC-6 of the ESF starting at bit s, as its F bits would be taken (all 1). */
static uint8_t esf_crc(const struct ctifw_port *p, uint32_t s)
{
	uint8_t crc = 0, fr[24];
	unsigned int f;

	for (f = 0; f < 24; f++, s += CTIFW_T1_FRAME_BITS) {
		fw_ring_get(p, s + 1, fr, 24);
		crc = fw_crc6_frame(crc, fr);
	}
	return crc;
}

/* C1..C6 carried by the ESF starting at bit s. */
static uint8_t esf_cbits(const struct ctifw_port *p, uint32_t s)
{
	uint8_t c = 0;
	unsigned int i;

	for (i = 0; i < 6; i++)
		c = (uint8_t)((c << 1) | ring_bit(p, s + (4u * i + 1u) * CTIFW_T1_FRAME_BITS));
	return c;
}

/*
 * ESF candidates are confirmed by CRC-6 (T1.403 allows it; it rejects
 * payload that mimics the FPS): one of two consecutive ESFs must match the
 * CRC carried in the following ESF.
 */
static bool esf_crc_ok(const struct ctifw_port *p, uint32_t s0)
{
	uint32_t esf = 24u * CTIFW_T1_FRAME_BITS;

	return esf_crc(p, s0) == esf_cbits(p, s0 + esf) ||
	       esf_crc(p, s0 + esf) == esf_cbits(p, s0 + 2u * esf);
}

/*
 * Candidate F bit at pos: the framing bits at pos + span * j (j < 24) must
 * follow the pattern in one rotation (D4: 24 F bits = two superframes; ESF:
 * 24 FPS bits = four ESFs), which makes payload mimics negligible.
 */
void fw_t1_search(struct ctifw_port *p)
{
	bool d4 = p->cfg.framing == CTIFW_FRAMING_T1_D4;
	unsigned int span = d4 ? 193u : 772u, per = d4 ? 12u : 6u;
	unsigned int pat = d4 ? D4_MASK : FPS_MASK, full = (1u << per) - 1u;
	uint32_t pos = p->spos;

	while (fw_diff(p->rx_wr, pos) > (int32_t)(span * 23u + 16u)) {
		unsigned int feas = full, j, k = 0;

		if (!(pos & 7u)) {
			/*
			 * Eight candidates at once, bit-sliced: bit 7 - c of each
			 * sample octet belongs to candidate pos + c; one mask of
			 * surviving candidates per rotation.
			 */
			uint8_t alive = 0, fz[12];
			unsigned int r;

			for (r = 0; r < per; r++)
				fz[r] = 0xff;
			for (j = 0; j < 24; j++) {
				uint8_t b = ring_byte_at(p, pos + span * j);
				unsigned int m = rot(pat, k, per);

				alive = 0;
				for (r = 0; r < per; r++) {
					fz[r] &= (m >> r) & 1u ? b : (uint8_t)~b;
					alive |= fz[r];
				}
				if (!alive)
					break;
				if (++k == per)
					k = 0;
			}
			if (!alive) {
				pos += 8;
				continue;
			}
			k = 0;	/* a survivor: look at these eight one by one */
		}
		for (j = 0; j < 24 && feas; j++) {
			unsigned int m = rot(pat, k, per);

			feas &= ring_bit(p, pos + span * j) ? m : (~m & full);
			if (++k == per)
				k = 0;
		}
		if (feas && !(feas & (feas - 1u))) {
			unsigned int r = (unsigned int)__builtin_ctz(feas);
			unsigned int fn = d4 ? r : 4u * r + 3u;

			if (d4 || esf_crc_ok(p, pos + (24u - fn) * CTIFW_T1_FRAME_BITS)) {
				p->spos = pos;
				fw_frame_found(p, pos, fn);
				return;
			}
		}
		pos++;
	}
	p->spos = pos;
}

/* ---- receive ---- */

static enum ctifw_loopcode lc_classify(const uint8_t *b)
{
	unsigned int j, i;

	for (j = 0; j < 5; j++) {
		if (b[0] == lc_up[j]) {
			for (i = 1; i < 24; i++)
				if (b[i] != lc_up[(j + i) % 5u])
					return CTIFW_LOOPCODE_NONE;
			return CTIFW_LOOPCODE_UP;
		}
	}
	for (j = 0; j < 3; j++) {
		if (b[0] == lc_dn[j]) {
			for (i = 1; i < 24; i++)
				if (b[i] != lc_dn[(j + i) % 3u])
					return CTIFW_LOOPCODE_NONE;
			return CTIFW_LOOPCODE_DOWN;
		}
	}
	return CTIFW_LOOPCODE_NONE;
}

/*
 * Loop codes: a 5 ms window counts when 36 of its 40 frames carry the
 * code (tolerates errors); CTIFW_LOOPCODE_DETECT_MS worth of such windows
 * in a row detect it. A port that sends a loop code itself does not respond.
 */
#define LC_WINDOW_FRAMES	40u
#define LC_DETECT_WINDOWS	(CTIFW_LOOPCODE_DETECT_MS * 8u / LC_WINDOW_FRAMES)
static void lc_rx(struct ctifw_port *p, const uint8_t *fr)
{
	enum ctifw_loopcode c = lc_classify(fr + 1), cur;

	if (c == CTIFW_LOOPCODE_UP)
		p->lc_up++;
	else if (c == CTIFW_LOOPCODE_DOWN)
		p->lc_dn++;
	if (++p->lc_win < LC_WINDOW_FRAMES)
		return;
	cur = p->lc_up >= 36 ? CTIFW_LOOPCODE_UP :
	      p->lc_dn >= 36 ? CTIFW_LOOPCODE_DOWN : CTIFW_LOOPCODE_NONE;
	p->lc_win = p->lc_up = p->lc_dn = 0;
	if (cur != p->lc_cur) {
		p->lc_cur = cur;
		p->lc_run = 0;
		p->lc_det = CTIFW_LOOPCODE_NONE;
	}
	if (cur == CTIFW_LOOPCODE_NONE || ++p->lc_run != LC_DETECT_WINDOWS)
		return;
	p->lc_det = cur;
	if (!p->lc_respond || p->lc_tx != CTIFW_LOOPCODE_NONE)
		return;
	if (cur == CTIFW_LOOPCODE_UP && p->loop == CTIFW_LOOP_NONE) {
		ctifw_port_set_loopback(p, CTIFW_LOOP_NETWORK_LINE);
		p->lc_looped = true;
	} else if (cur == CTIFW_LOOPCODE_DOWN && p->loop == CTIFW_LOOP_NETWORK_LINE) {
		ctifw_port_set_loopback(p, CTIFW_LOOP_NONE);
	}
}

static void yellow(struct ctifw_port *p, bool on, uint32_t need)
{
	if (on) {
		p->yel_clr = 0;
		if (++p->yel_cnt >= need)
			p->rai_det = true;
	} else {
		p->yel_cnt = 0;
		if (++p->yel_clr >= need)
			p->rai_det = false;
	}
}

static bool fdl_yellow(uint32_t sr)
{
	uint32_t x = sr & 0xffffu, r = ((x << 1) | (x >> 15)) & 0xffffu, t = x ^ r;

	/* Repeating 16-bit word with 8 ones in one run: a rotation of 0xff00. */
	return (sr >> 16) == x && ctifw_ones8[x & 0xff] + ctifw_ones8[x >> 8] == 8 &&
	       ctifw_ones8[t & 0xff] + ctifw_ones8[t >> 8] == 2;
}

static void fbit_error(struct ctifw_port *p, bool err)
{
	if (err)
		p->cnt.fas++;
	p->ft_hist = (uint8_t)(((p->ft_hist << 1) | err) & 0x0f);
}

void fw_t1_rx_frame(struct ctifw_port *p)
{
	bool d4 = p->cfg.framing == CTIFW_FRAMING_T1_D4;
	uint8_t *fr = p->es[p->es_wr & ES_MASK];
	unsigned int fn = p->rx_fn, fbit = ring_bit(p, p->fpos), c, si;

	fw_ring_get(p, p->fpos + 1, fr + 1, 24);
	fr[0] = 0;
	FW_MEMSET(fr + 25, 0, CTIFW_SLOTS - 25);
	if (d4) {
		unsigned int exp = (D4_SEQ >> (11u - fn)) & 1u;

		if (!(fn & 1u))
			fbit_error(p, fbit != exp);
		else if (fbit != exp)
			p->cnt.mfas++;		/* Fs: superframe alignment */
		if (!(fn & 1u)) {
			uint8_t any = 0;

			for (c = 1; c <= 24; c++)
				any |= fr[c];
			yellow(p, !(any & 0x40), 64);
		}
	} else {
		if ((fn & 3u) == 3u) {
			fbit_error(p, fbit != ((FPS >> (5u - (fn >> 2))) & 1u));
		} else if ((fn & 3u) == 1u) {
			p->rx_c = (uint8_t)((p->rx_c << 1) | fbit);
		} else {
			p->fdl_sr = (p->fdl_sr << 1) | fbit;
			yellow(p, fdl_yellow(p->fdl_sr), 16);
		}
		if (!fn) {
			p->rx_crc_prev = p->rx_crc;
			p->rx_crc_prev_valid = p->rx_crc_valid;
			p->rx_crc = 0;
			p->rx_crc_valid = true;
		}
		p->rx_crc = fw_crc6_frame(p->rx_crc, fr + 1);
		if (fn == 21 && p->rx_crc_prev_valid && (p->rx_c & 0x3f) != p->rx_crc_prev)
			p->cnt.crc++;
	}
	/* OOF: 2 errors in 4 consecutive Ft / FPS bits (T1.231). */
	if (p->ft_hist && ctifw_ones8[p->ft_hist] >= 2) {
		fw_frame_lost(p, p->fpos + 1, true);
		return;
	}
	si = sig_index(fn);
	if (p->rb_mask && si < 4) {
		for (c = 1; c <= 24; c++) {
			unsigned int b = fr[c] & 1u;

			if (!(p->rb_mask & (1u << c)))
				continue;
			if (d4) {
				unsigned int m = si & 1u ? 0x5u : 0xau;	/* B -> B, D; A -> A, C */

				p->cas_rx[c] = (uint8_t)((p->cas_rx[c] & ~m) | (b ? m : 0));
			} else {
				unsigned int m = 8u >> si;

				p->cas_rx[c] = (uint8_t)((p->cas_rx[c] & ~m) | (b ? m : 0));
			}
		}
	}
	lc_rx(p, fr);
	if (++p->rx_fn == p->mf_len)
		p->rx_fn = 0;
	fw_store_frame(p);
	p->fpos += CTIFW_T1_FRAME_BITS;
}
