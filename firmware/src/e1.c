// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * e1.c - E1 framer and deframer, ITU-T G.704 2.3 / G.706 4.
 *
 * TS0 of even frames carries the FAS x0011011, odd frames the NFAS
 * x1ASSSSS (A = remote alarm, S = Sa4..Sa8). With CRC-4 (G.704 2.3.3) bit 1
 * of FAS frames carries C1..C4 of the previous sub-multiframe, bit 1 of
 * NFAS frames 1..11 the MFAS 001011 and frames 13, 15 the E-bits.
 */
#include "fw_int.h"

#define FAS		0x1b	/* bits 2..8 of TS0: 0011011 */
#define MFAS		0x0b	/* 001011, G.704 table 5B */

/* ---- transmit ---- */

static uint8_t cas_ts16(struct ctifw_port *p, unsigned int fn)
{
	if (fn == 0) {
		/* 0000 X Y X X, Y = 1: CAS multiframe alignment lost (G.704 5.1.3.1). */
		uint8_t b = p->cas_aligned ? 0x0b : 0x0f;

		if ((p->tx_mf & 3u) == 0 && fw_inject_take(p, CTIFW_INJECT_CAS))
			b |= 0x80;
		return b;
	}
	return (uint8_t)((p->cas_tx[fn] << 4) | p->cas_tx[fn + 16]);
}

void fw_e1_tx_frame(struct ctifw_port *p, uint8_t *out, const uint8_t *in)
{
	unsigned int fn = p->tx_fn, dchan = p->cfg.dchan;
	bool crc4 = p->cfg.framing == CTIFW_FRAMING_E1_CRC4;
	uint8_t ts0;

	if (in)
		FW_MEMCPY(out + 1, in + 1, 31);
	else
		FW_MEMSET(out + 1, 0xff, 31);
	if (p->loop != CTIFW_LOOP_NETWORK_PAYLOAD) {
		if (p->cfg.cas)
			out[16] = cas_ts16(p, fn);
		if (dchan)
			out[dchan] = fw_hdlc_tx_byte(p);
		if (p->prbs.gen)
			fw_prbs_tx_frame(p, out);
	}
	if (!(fn & 1u)) {
		ts0 = FAS;
		if (!crc4)
			ts0 |= 0x80;	/* Si = 1 when not used */
		if (fn == 0 && p->inj_active && fw_inject_take(p, CTIFW_INJECT_FAS))
			ts0 ^= 0x01;
	} else {
		unsigned int si;

		if (!crc4)
			si = 1;
		else if (fn <= 11)
			si = (MFAS >> (5u - (fn >> 1))) & 1u;
		else if (p->ebits_pending) {
			p->ebits_pending--;	/* E = 0: errored sub-multiframe received */
			si = 0;
		} else {
			si = 1;
		}
		if (crc4 && fn == 1 && (p->tx_mf & 3u) == 0 && p->inj_active &&
		    fw_inject_take(p, CTIFW_INJECT_MFAS))
			si ^= 1u;
		ts0 = (uint8_t)((si << 7) | 0x40 | (fw_send_rai(p) ? 0x20 : 0) | p->sa_bits);
	}
	if (crc4) {
		if (!(fn & 7u)) {
			p->tx_crc_prev = p->tx_crc;
			p->tx_crc = 0;
		}
		/* CRC over the sub-multiframe with the C bits taken as 0. */
		p->tx_crc = fw_crc4_frame(p->tx_crc, ts0, out);
		if (!(fn & 1u)) {
			unsigned int c = (p->tx_crc_prev >> (3u - ((fn & 7u) >> 1))) & 1u;

			if (fn == 0 && p->inj_active && fw_inject_take(p, CTIFW_INJECT_CRC))
				c ^= 1u;
			ts0 |= (uint8_t)(c << 7);
		}
	}
	out[0] = ts0;
	p->tx_fn = (fn + 1) & 15u;
	if (!p->tx_fn)
		p->tx_mf++;
}

/* ---- receive: alignment search (G.706 4.1.2) ---- */

void fw_e1_search(struct ctifw_port *p)
{
	uint32_t pos = p->spos;

	/* Candidate frame start pos: FAS, then NFAS bit 2 = 1, then FAS again. */
	while (fw_diff(p->rx_wr, pos) >= 512 + 16) {
		uint32_t i = pos >> 3;

		if (!(pos & 7u)) {
			uint8_t a = p->ring[i & RING_MASK], b = p->ring[(i + 1) & RING_MASK];

			if (a == b && (a == 0 || a == 0xff)) {
				pos += 8;	/* no FAS starts in a run of all zeros or ones */
				continue;
			}
		}
		if ((ring_byte_at(p, pos) & 0x7f) == FAS &&
		    (ring_byte_at(p, pos + 256) & 0x40) &&
		    (ring_byte_at(p, pos + 512) & 0x7f) == FAS) {
			p->spos = pos;
			fw_frame_found(p, pos, 0);
			return;
		}
		pos++;
	}
	p->spos = pos;
}

/* ---- receive: CRC-4 multiframe (G.706 4.2, 4.3) ---- */

static void crc4_mf_search(struct ctifw_port *p, uint8_t ts0, unsigned int fn)
{
	if (fn & 1u) {
		p->mf_sr = (uint8_t)(((p->mf_sr << 1) | (ts0 >> 7)) & 0x3f);
		if (p->mf_cand)
			p->mf_cand_cnt += 2;
		if (p->mf_sr == MFAS) {
			/* Two MFAS 2 ms (or a multiple) apart: aligned, this is frame 11. */
			if (p->mf_cand && !(p->mf_cand_cnt & 15u)) {
				p->mf_aligned = true;
				p->annexb = false;
				p->mf_fail = 0;
				p->mf_consec = 0;
				p->rx_fn = 11;
				p->rx_crc_valid = false;
				p->rx_crc_prev_valid = false;
				p->blk_cnt = p->blk_err = 0;
				return;
			}
			p->mf_cand = true;
			p->mf_cand_cnt = 0;
		}
	}
	p->mf_fail++;
	if (p->mf_fail >= 3200)
		p->annexb = true;	/* G.706 Annex B: far end without CRC-4 */
	if (++p->mf_timer >= 64 && !(fn & 1u) && !p->annexb) {
		/* No MF alignment in 8 ms: spurious FAS, search again just after it. */
		fw_frame_lost(p, p->fpos + 1, false);
	}
}

static void crc4_rx(struct ctifw_port *p, const uint8_t *fr, uint8_t ts0, unsigned int fn)
{
	unsigned int smf = fn & 7u;

	if (!smf) {
		p->rx_crc_prev = p->rx_crc;
		p->rx_crc_prev_valid = p->rx_crc_valid;
		p->rx_crc = 0;
		p->rx_crc_valid = true;
		p->rx_c = 0;
	}
	p->rx_crc = fw_crc4_frame(p->rx_crc, (fn & 1u) ? ts0 : (uint8_t)(ts0 & 0x7f), fr);
	if (!(fn & 1u)) {
		p->rx_c = (uint8_t)((p->rx_c << 1) | (ts0 >> 7));
		if (smf == 6 && p->rx_crc_prev_valid) {
			p->blk_cnt++;
			if ((p->rx_c & 0x0f) != p->rx_crc_prev) {
				p->cnt.crc++;
				p->blk_err++;
				if (p->ebits_pending < 2000)
					p->ebits_pending++;
			}
			if (p->blk_cnt >= 1000) {
				bool lost = p->blk_err >= 915;

				p->blk_cnt = p->blk_err = 0;
				if (lost) {
					/* G.706 4.3.2: >= 915 errored of 1000: false alignment. */
					fw_frame_lost(p, p->fpos + 1, true);
				}
			}
		}
		return;
	}
	if (fn <= 11) {
		p->mf_sr = (uint8_t)(((p->mf_sr << 1) | (ts0 >> 7)) & 0x3f);
		if (fn == 11) {
			if (p->mf_sr != MFAS) {
				p->cnt.mfas++;
				if (++p->mf_consec >= 3) {
					p->mf_aligned = false;
					p->mf_cand = false;
					p->mf_timer = 0;
				}
			} else {
				p->mf_consec = 0;
			}
		}
	} else if (!(ts0 & 0x80)) {
		p->cnt.ebit++;		/* frames 13, 15: E = 0 */
	}
}

/* ---- receive: CAS multiframe in TS16 (G.704 5.1.3, G.732 5.2) ---- */

static void cas_rx(struct ctifw_port *p, uint8_t ts16)
{
	uint8_t hi = ts16 >> 4;

	if (!p->cas_aligned) {
		if (p->cas_cand && !hi && p->cas_fn == 15) {
			p->cas_aligned = true;
			p->cas_fn = 0;
			p->cas_consec = 0;
			p->cas_zero = 0;
		} else if (!hi && p->cas_prev_hi) {
			p->cas_cand = true;
			p->cas_fn = 0;
		} else if (p->cas_cand) {
			p->cas_fn++;
			if (p->cas_fn > 15)
				p->cas_cand = false;
		}
		p->cas_prev_hi = hi;
		return;
	}
	/* G.732 5.2: TS16 all zeros for a whole multiframe also means loss. */
	p->cas_zero = ts16 ? 0 : p->cas_zero + 1;
	if (p->cas_zero >= 16) {
		p->cas_aligned = false;
		p->cas_cand = false;
		p->cas_prev_hi = hi;
		return;
	}
	p->cas_fn = (p->cas_fn + 1) & 15u;
	if (!p->cas_fn) {
		if (hi) {
			p->cnt.mfas++;
			if (++p->cas_consec >= 2)
				p->cas_aligned = false;
		} else {
			p->cas_consec = 0;
		}
	} else {
		p->cas_rx[p->cas_fn] = hi;
		p->cas_rx[p->cas_fn + 16] = ts16 & 0x0f;
	}
	p->cas_prev_hi = hi;
}

/* ---- receive: one aligned frame ---- */

void fw_e1_rx_frame(struct ctifw_port *p)
{
	uint8_t *fr = p->es[p->es_wr & ES_MASK];
	unsigned int fn = p->rx_fn;
	uint8_t ts0;

	fw_ring_get(p, p->fpos, fr, 32);
	ts0 = fr[0];
	if (!(fn & 1u)) {
		if ((ts0 & 0x7f) != FAS) {
			p->cnt.fas++;
			if (++p->fas_consec >= 3) {
				/* G.706 4.1.1: three consecutive incorrect FAS. */
				fw_frame_lost(p, p->fpos + 1, true);
				return;
			}
		} else {
			p->fas_consec = 0;
		}
	} else {
		/* RAI: A bit set in 4 consecutive NFAS (cleared by 4 zeros). */
		p->a_hist = (uint8_t)(((p->a_hist << 1) | ((ts0 >> 5) & 1u)) & 0x0f);
		if (p->a_hist == 0x0f)
			p->rai_det = true;
		else if (!p->a_hist)
			p->rai_det = false;
		p->rx_sa = (uint8_t)(((ts0 >> 4) & 1u) | ((ts0 >> 2) & 2u) | (ts0 & 4u) |
				     ((ts0 << 2) & 8u) | ((ts0 << 4) & 16u));
	}
	if (p->cfg.framing == CTIFW_FRAMING_E1_CRC4) {
		if (p->mf_aligned)
			crc4_rx(p, fr, ts0, fn);
		else
			crc4_mf_search(p, ts0, fn);
		if (p->fr_state != FR_ALIGNED)
			return;
	}
	if (p->cfg.cas)
		cas_rx(p, fr[16]);
	fr[0] = 0;
	p->rx_fn = (p->rx_fn + 1) & 15u;
	fw_store_frame(p);
	p->fpos += 256;
}
