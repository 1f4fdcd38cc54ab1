// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * prbs.c - PRBS generator and checker, ITU-T O.150 / O.151.
 *
 * Sequences are b(t) = b(t-n) ^ b(t-k) for x^n + x^k + 1 (O.150 5: the
 * outputs of stages k and n are added and fed back). 2^15-1 and 2^23-1 go
 * on the line inverted; QRSS forces a one whenever the next 14 bits are
 * zero (O.150 5.6, at most 14 zeros in a row).
 *
 * Checker: self-synchronising hunt (the received bits seed the register;
 * 64 correct predictions in a row = sync), then comparison against a free
 * running local reference so every line error counts once. Sync is lost
 * when a quarter or more of a 256-bit window is wrong (O.151 1.3 style).
 */
#include "fw_int.h"

#define SYNC_BITS	64u
#define WIN_BITS	256u

static unsigned int raw_bits(uint64_t *h, unsigned int n, unsigned int k, unsigned int m)
{
	unsigned int v = (unsigned int)(((*h >> (n - m)) ^ (*h >> (k - m))) & ((1u << m) - 1u));

	*h = (*h << m) | v;
	return v;
}

/* Next m (<= 8) bits of the line sequence from history h, first in the MSB. */
static unsigned int seq_bits(const struct fw_prbs *g, uint64_t *h, unsigned int m)
{
	unsigned int v = 0, left = m;

	if (m == 8 && g->k >= 8 && !g->qrss) {
		/* the common case: one step makes the octet */
		v = raw_bits(h, g->n, g->k, 8);
		return g->invert ? v ^ 0xffu : v;
	}

	if (g->qrss) {
		while (left--) {
			raw_bits(h, g->n, g->k, 1);
			v = (v << 1) | (unsigned int)(((*h >> 14) & 1u) | !(*h & 0x3fffu));
		}
		return v;
	}
	while (left) {
		unsigned int c = left < g->k ? left : g->k;

		if (c > 8)
			c = 8;
		v = (v << c) | raw_bits(h, g->n, g->k, c);
		left -= c;
	}
	if (g->invert)
		v ^= (1u << m) - 1u;
	return v;
}

uint8_t fw_prbs_gen_byte(struct fw_prbs *g)
{
	return (uint8_t)seq_bits(g, &g->gh, 8);
}

uint8_t fw_prbs_gen_bits(struct fw_prbs *g, unsigned int m)
{
	return (uint8_t)seq_bits(g, &g->gh, m);
}

static void lose_sync(struct fw_prbs *g)
{
	g->sync = false;
	g->good = 0;
	g->losses++;
	g->sec_oos = true;
}

static void account(struct fw_prbs *g, unsigned int nbits, unsigned int nerr)
{
	g->bits += nbits;
	g->errors += nerr;
	g->sec_bits += nbits;
	g->sec_err += nerr;
	g->win_bits += nbits;
	g->win_err += nerr;
	if (g->win_bits >= WIN_BITS) {
		if (g->win_err * 4u >= g->win_bits)
			lose_sync(g);
		g->win_bits = g->win_err = 0;
	}
}

static void hunt_byte(struct fw_prbs *g, uint8_t b)
{
	unsigned int i, nmask = (1u << g->n) - 1u;

	g->sec_oos = true;
	for (i = 8; i-- > 0;) {
		unsigned int bit = (b >> i) & 1u, u = g->invert ? bit ^ 1u : bit;
		unsigned int pred = (unsigned int)(((g->rxh >> (g->n - 1)) ^ (g->rxh >> (g->k - 1))) & 1u);

		g->good = pred == u ? g->good + 1 : 0;
		g->rxh = (g->rxh << 1) | u;
		if (g->good >= SYNC_BITS && (g->rxh & nmask)) {
			unsigned int j, e = 0;

			g->sync = true;
			g->win_bits = g->win_err = 0;
			g->ch = g->rxh;
			if (g->qrss)
				for (j = 0; j < 14; j++)
					raw_bits(&g->ch, g->n, g->k, 1);
			for (j = i; j-- > 0;)
				e += seq_bits(g, &g->ch, 1) != ((b >> j) & 1u);
			if (i)
				account(g, i, e);
			return;
		}
	}
}

void fw_prbs_check_byte(struct ctifw_port *p, uint8_t b)
{
	struct fw_prbs *g = &p->prbs;

	if (g->sync)
		account(g, 8, ctifw_ones8[(uint8_t)(seq_bits(g, &g->ch, 8) ^ b)]);
	else
		hunt_byte(g, b);
}

void fw_prbs_tx_frame(struct ctifw_port *p, uint8_t *fr)
{
	struct fw_prbs *g = &p->prbs;
	unsigned int i;

	if (g->unframed || !g->nslots)
		return;
	for (i = 0; i < g->nslots; i++)
		fr[g->slots[i]] = fw_prbs_gen_byte(g);
	if (p->inj_active && fw_inject_take(p, CTIFW_INJECT_PRBS))
		fr[g->slots[0]] ^= 0x80;
}

void fw_prbs_rx_frame(struct ctifw_port *p, const uint8_t *fr)
{
	struct fw_prbs *g = &p->prbs;
	unsigned int i, e = 0;

	if (!g->sync) {
		for (i = 0; i < g->nslots; i++)
			fw_prbs_check_byte(p, fr[g->slots[i]]);
		return;
	}
	/* In sync: compare the frame's slots, account once per frame. */
	for (i = 0; i < g->nslots; i++)
		e += ctifw_ones8[(uint8_t)(seq_bits(g, &g->ch, 8) ^ fr[g->slots[i]])];
	account(g, 8u * g->nslots, e);
}

void fw_prbs_tx_unframed(struct ctifw_port *p)
{
	struct fw_prbs *g = &p->prbs;
	uint32_t nbytes = p->tx_nbits >> 3, r = p->tx_nbits & 7u, i;

	for (i = 0; i < nbytes; i++)
		p->txbuf[i] = fw_prbs_gen_byte(g);
	if (r)
		p->txbuf[nbytes] = (uint8_t)(fw_prbs_gen_bits(g, r) << (8u - r));
	for (i = 0; i < p->tx_n; i++) {
		uint32_t b = i * p->fb;

		if (!p->inj_active)
			continue;
		fw_inject_tick(p);
		if (fw_inject_take(p, CTIFW_INJECT_PRBS))
			p->txbuf[b >> 3] ^= (uint8_t)(0x80u >> (b & 7u));
	}
}

void fw_prbs_rx_unframed(struct ctifw_port *p)
{
	struct fw_prbs *g = &p->prbs;
	int32_t lag = fw_diff(p->rx_wr, g->ck_pos);

	if (lag < 0 || lag > (int32_t)(RING_BITS / 2))
		g->ck_pos = p->rx_wr;
	while (fw_diff(p->rx_wr, g->ck_pos) >= 8) {
		fw_prbs_check_byte(p, ring_byte_at(p, g->ck_pos));
		g->ck_pos += 8;
	}
}

void fw_prbs_second(struct ctifw_port *p, unsigned int n)
{
	struct fw_prbs *g = &p->prbs;

	g->sec_frames += n;
	if (g->sec_frames < FPS_PER_SEC)
		return;
	g->sec_frames -= FPS_PER_SEC;
	g->seconds++;
	if (g->sec_err || g->sec_oos)
		g->es++;
	/* SES: BER >= 1e-3 in the second, or out of sync (O.150 / G.821 style). */
	if (g->sec_oos || (g->sec_bits && (uint64_t)g->sec_err * 1000u >= g->sec_bits))
		g->ses++;
	g->sec_bits = g->sec_err = 0;
	g->sec_oos = !g->sync;
}

void ctifw_prbs_start(struct ctifw_port *p, enum ctifw_prbs_pattern pat, uint32_t slot_mask,
		      bool generate, bool check)
{
	struct fw_prbs *g = &p->prbs;
	unsigned int s, last = p->cfg.line == CTIFW_LINE_E1 ? 31u : 24u;

	FW_MEMSET(g, 0, sizeof(*g));
	switch (pat) {
	case CTIFW_PRBS_2E11:
		g->n = 11; g->k = 9;
		break;
	case CTIFW_PRBS_2E15:
		g->n = 15; g->k = 14; g->invert = true;
		break;
	case CTIFW_PRBS_2E20:
		g->n = 20; g->k = 3;
		break;
	case CTIFW_PRBS_QRSS:
		g->n = 20; g->k = 17; g->qrss = true;
		break;
	case CTIFW_PRBS_2E23:
		g->n = 23; g->k = 18; g->invert = true;
		break;
	default:
		return;
	}
	g->pat = (uint8_t)pat;
	g->gen = generate;
	g->chk = check;
	g->unframed = slot_mask == CTIFW_PRBS_UNFRAMED;
	for (s = 1; s <= last && !g->unframed; s++)
		if (slot_mask & (1u << s))
			g->slots[g->nslots++] = (uint8_t)s;
	g->gh = (1ull << g->n) - 1u;
	g->ck_pos = p->rx_wr;
	g->sec_oos = false;
}

void ctifw_prbs_stop(struct ctifw_port *p)
{
	p->prbs.gen = false;
	p->prbs.chk = false;
	p->prbs.pat = CTIFW_PRBS_OFF;
}

void ctifw_prbs_get_status(const struct ctifw_port *p, struct ctifw_prbs_status *s)
{
	const struct fw_prbs *g = &p->prbs;

	s->pattern = (enum ctifw_prbs_pattern)g->pat;
	s->sync = g->sync;
	s->bits = g->bits;
	s->errors = g->errors;
	s->sync_losses = g->losses;
	s->seconds = g->seconds;
	s->errored_seconds = g->es;
	s->severely_errored_seconds = g->ses;
}

void ctifw_prbs_reset_counts(struct ctifw_port *p)
{
	struct fw_prbs *g = &p->prbs;

	g->bits = g->errors = 0;
	g->losses = g->seconds = g->es = g->ses = 0;
	g->sec_bits = g->sec_err = 0;
	g->sec_frames = 0;
	g->sec_oos = !g->sync;
}
