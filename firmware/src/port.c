// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * port.c - port lifecycle, the two tick phases, the line model, alarm
 * integration, performance seconds, loopbacks, loop codes and injection.
 * Framing lives in e1.c / t1.c, HDLC in hdlc.c, PRBS in prbs.c.
 */
#include "fw_int.h"

#define NDEF 5	/* LOS, LOF, AIS, RAI, LMFA: bits 0..4 of the defect mask */
#define T1_CHAN_MASK 0x1fffffeu	/* channels 1..24 */

size_t ctifw_port_size(void)
{
	return sizeof(struct ctifw_port);
}

/* ---- bit buffers ---- */

/* Write nbits from s (starting at s's MSB) at bit pos of d; bits of d before pos are kept. */
void fw_put_bits(uint8_t *d, uint32_t pos, const uint8_t *s, uint32_t nbits)
{
	uint32_t i = pos >> 3, sh = pos & 7u, nb = (nbits + 7u) >> 3, k;
	uint8_t keep;

	if (!sh) {
		FW_MEMCPY(d + i, s, nb);
		return;
	}
	keep = (uint8_t)(d[i] & (0xffu << (8u - sh)));
	for (k = 0; k < nb; k++) {
		d[i + k] = (uint8_t)(keep | (s[k] >> sh));
		keep = (uint8_t)(s[k] << (8u - sh));
	}
	d[i + nb] = keep;
}

/* Append nbits to the receive ring; src_inc 0 repeats *s (constant fill). */
static void ring_put(struct ctifw_port *p, const uint8_t *s, unsigned int src_inc, uint32_t nbits)
{
	uint32_t i = p->rx_wr >> 3, sh = p->rx_wr & 7u, nb = (nbits + 7u) >> 3, k;
	uint8_t keep;

	if (!sh && src_inc && ((i & RING_MASK) + nb) <= RING_BYTES) {
		FW_MEMCPY(&p->ring[i & RING_MASK], s, nb);
	} else if (!sh) {
		for (k = 0; k < nb; k++)
			p->ring[(i + k) & RING_MASK] = s[k * src_inc];
	} else {
		keep = (uint8_t)(p->ring[i & RING_MASK] & (0xffu << (8u - sh)));
		for (k = 0; k < nb; k++) {
			uint8_t v = s[k * src_inc];

			p->ring[(i + k) & RING_MASK] = (uint8_t)(keep | (v >> sh));
			keep = (uint8_t)(v << (8u - sh));
		}
		p->ring[(i + nb) & RING_MASK] = keep;
	}
	p->rx_wr += nbits;
	p->rx_phase = (p->rx_phase + nbits) % p->fb;
}

/* Copy nbytes of ring bits starting at bit into dst (shifting if unaligned). */
void fw_ring_get(const struct ctifw_port *p, uint32_t bit, uint8_t *dst, unsigned int nbytes)
{
	uint32_t i = bit >> 3, k;

	if (!(bit & 7u) && (i & RING_MASK) + nbytes <= RING_BYTES) {
		FW_MEMCPY(dst, &p->ring[i & RING_MASK], nbytes);
		return;
	}
	if ((i & RING_MASK) + nbytes + 1 <= RING_BYTES) {
		/* unaligned, no wrap: shift octets without index masking */
		const uint8_t *s = &p->ring[i & RING_MASK];
		unsigned int sh = bit & 7u;

		for (k = 0; k < nbytes; k++)
			dst[k] = (uint8_t)((s[k] << sh) | (s[k + 1] >> (8u - sh)));
		return;
	}
	for (k = 0; k < nbytes; k++)
		dst[k] = ring_byte_at(p, bit + 8u * k);
}

/* ---- PRNG and the error process of the line model ---- */

static uint32_t rng_next(struct ctifw_port *p)
{
	uint64_t x = p->rng;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	p->rng = x;
	return (uint32_t)((x * 2685821657736338717ull) >> 32);
}

/* log2(x) in Q16 for x >= 1, by repeated squaring of the mantissa (no FP). */
static uint32_t log2_q16(uint32_t x)
{
	uint32_t e = 31u - (uint32_t)__builtin_clz(x), frac = 0, i;
	uint64_t m = (uint64_t)x << (31u - e);	/* mantissa in [2^31, 2^32) = [1, 2) */

	for (i = 0; i < 16; i++) {
		m = (m * m) >> 31;
		frac <<= 1;
		if (m >= (1ull << 32)) {
			m >>= 1;
			frac |= 1;
		}
	}
	return (e << 16) | frac;
}

/* Exponential gap with mean ber_mean bits: -ln(U) * mean (geometric skip). */
static uint64_t draw_gap(struct ctifw_port *p)
{
	uint32_t u = rng_next(p);
	uint64_t nl;

	if (!u)
		u = 1;
	nl = ((uint64_t)((32u << 16) - log2_q16(u)) * 45426u) >> 16;	/* * ln 2, Q16 */
	return (nl * p->ber_mean) >> 16;
}

static uint64_t fw_div64(uint64_t n, uint64_t d)
{
	uint64_t q = 0, r = 0;
	int i;

	if (!d)
		return 0;
	for (i = 63; i >= 0; i--) {
		r = (r << 1) | ((n >> i) & 1u);
		if (r >= d) {
			r -= d;
			q |= 1ull << i;
		}
	}
	return q;
}

/* Flip bits of the chunk just written ([start, start + nbits)) at the line's BER. */
static void apply_errors(struct ctifw_port *p, uint32_t start, uint32_t nbits)
{
	uint32_t off = 0, burst = p->faults.burst_bits > 1 ? p->faults.burst_bits : 1, j, nerr = 0;

	while (p->skip < (uint64_t)(nbits - off)) {
		off += (uint32_t)p->skip;
		for (j = 0; j < burst && off < nbits; j++, off++) {
			uint32_t b = start + off;

			p->ring[(b >> 3) & RING_MASK] ^= (uint8_t)(0x80u >> (b & 7u));
			nerr++;
		}
		p->skip = draw_gap(p);
	}
	p->skip -= nbits - off;
	/* Every line bit error breaks the alternate mark inversion once. */
	p->cnt.cv += nerr;
	p->cnt.bpv += nerr;
}

/* ---- lifecycle ---- */

static bool cfg_valid(const struct ctifw_port_config *c)
{
	if (c->coding > CTIFW_CODING_B8ZS)
		return false;
	if (c->line == CTIFW_LINE_E1) {
		if (c->framing != CTIFW_FRAMING_E1_DF && c->framing != CTIFW_FRAMING_E1_CRC4)
			return false;
		if (c->coding == CTIFW_CODING_B8ZS || c->dchan > 31)
			return false;
	} else if (c->line == CTIFW_LINE_T1) {
		if (c->framing != CTIFW_FRAMING_T1_D4 && c->framing != CTIFW_FRAMING_T1_ESF)
			return false;
		if (c->coding == CTIFW_CODING_HDB3 || c->dchan > 24)
			return false;
		if (c->cas_mask & ~T1_CHAN_MASK)
			return false;
	} else {
		return false;
	}
	return true;
}

static void reset_rx(struct ctifw_port *p)
{
	p->fr_state = FR_SEARCH;
	p->spos = p->rx_wr;
	p->fpos = p->rx_wr;
	p->mf_aligned = false;
	p->mf_cand = false;
	p->annexb = false;
	p->mf_fail = 0;
	p->cas_aligned = false;
	p->cas_cand = false;
	p->rai_det = false;
	p->scan = p->rx_wr >> 3;
	p->win_left = 0;
	p->ais_hist = 0;
	p->ais = false;
	p->zrun = 0;
}

static void apply_cfg(struct ctifw_port *p, const struct ctifw_port_config *cfg)
{
	unsigned int i;

	p->cfg = *cfg;
	if (cfg->line == CTIFW_LINE_E1) {
		p->fb = CTIFW_E1_FRAME_BITS;
		p->mf_len = 16;
	} else {
		p->fb = CTIFW_T1_FRAME_BITS;
		p->mf_len = cfg->framing == CTIFW_FRAMING_T1_D4 ? 12 : 24;
	}
	/* Robbed bits only where the host asked; never on the D-channel. */
	p->rb_mask = 0;
	if (cfg->line == CTIFW_LINE_T1 && cfg->cas) {
		p->rb_mask = cfg->cas_mask ? cfg->cas_mask : T1_CHAN_MASK;
		if (cfg->dchan)
			p->rb_mask &= ~(1u << cfg->dchan);
	}
	FW_MEMSET(p->idle, 0, sizeof(p->idle));
	for (i = 1; i < (cfg->line == CTIFW_LINE_E1 ? 32u : 25u); i++)
		p->idle[i] = 0xff;
	p->rx_phase = p->rx_wr % p->fb;
	p->tx_fn = 0;
	p->tx_crc = 0;
	p->tx_crc_prev = 0;
	p->lc_tx = CTIFW_LOOPCODE_NONE;
	p->lc_win = p->lc_up = p->lc_dn = 0;
	p->lc_run = 0;
	p->lc_cur = p->lc_det = CTIFW_LOOPCODE_NONE;
	reset_rx(p);
	fw_hdlc_reset(p);
}

void ctifw_port_init(struct ctifw_port *p, const struct ctifw_port_config *cfg, uint32_t seed)
{
	struct ctifw_port_config def = { CTIFW_LINE_E1, CTIFW_FRAMING_E1_CRC4, CTIFW_CODING_HDB3, false, 16, 0 };
	unsigned int i;

	FW_MEMSET(p, 0, sizeof(*p));
	p->rng = 0x9e3779b97f4a7c15ull ^ ((uint64_t)seed << 17) ^ seed;
	if (!p->rng)
		p->rng = 1;
	p->tx_enabled = true;
	p->sa = 0x1f;		/* G.704: spare bits are set to 1 */
	p->sa_bits = 0x1f;
	p->timing.set_ms = 2500;
	p->timing.rai_set_ms = 500;
	p->timing.clear_ms = 1000;
	p->lc_respond = true;
	for (i = 0; i < CTIFW_SLOTS; i++)
		p->cas_tx[i] = 0x0d;	/* ABCD 1101: idle, never 0000 (G.704 5.1.3.2) */
	p->defects = CTIFW_ALARM_LOS | CTIFW_ALARM_LOF;
	apply_cfg(p, cfg_valid(cfg) ? cfg : &def);
}

int ctifw_port_configure(struct ctifw_port *p, const struct ctifw_port_config *cfg)
{
	if (!cfg_valid(cfg))
		return -CTIFW_EINVAL;
	apply_cfg(p, cfg);
	ctifw_prbs_stop(p);
	return 0;
}

void ctifw_port_get_config(const struct ctifw_port *p, struct ctifw_port_config *cfg)
{
	*cfg = p->cfg;
}

void ctifw_port_set_tx_enabled(struct ctifw_port *p, bool on)
{
	p->tx_enabled = on;
}

/* ---- cables ---- */

static void unplug(struct ctifw_port *p)
{
	if (p->peer && p->peer != p)
		p->peer->peer = NULL;
	p->peer = NULL;
}

void ctifw_cable_connect(struct ctifw_port *a, struct ctifw_port *b)
{
	unplug(a);
	unplug(b);
	a->peer = b;
	b->peer = a;
}

void ctifw_cable_cut(struct ctifw_port *p)
{
	unplug(p);
}

struct ctifw_port *ctifw_cable_peer(const struct ctifw_port *p)
{
	return p->peer;
}

void ctifw_line_set_faults(struct ctifw_port *p, const struct ctifw_line_faults *f)
{
	uint32_t nd = f->bit_delay > MAX_BIT_DELAY ? MAX_BIT_DELAY : f->bit_delay;
	uint32_t od = p->faults.bit_delay;

	p->faults = *f;
	p->faults.bit_delay = nd;
	if (p->faults.ppm > 1000)
		p->faults.ppm = 1000;
	if (p->faults.ppm < -1000)
		p->faults.ppm = -1000;
	if (nd > od) {
		/* Longer line: the extra bits are an idle line (no pulses). */
		static const uint8_t zero;
		uint32_t left = nd - od;

		while (left) {
			uint32_t c = left > 8192 ? 8192 : left;

			ring_put(p, &zero, 0, c);
			left -= c;
		}
	} else if (nd < od) {
		/* Shorter line: the newest bits are overtaken. */
		p->rx_wr -= od - nd;
		p->rx_phase = (p->rx_phase + p->fb - (od - nd) % p->fb) % p->fb;
	}
	if (f->ber_e12) {
		uint64_t burst = f->burst_bits > 1 ? f->burst_bits : 1;
		uint64_t mean = fw_div64(1000000000000ull, f->ber_e12);

		mean = mean * burst;
		if (mean > (1ull << 42))
			mean = 1ull << 42;
		p->ber_mean = mean;
		p->skip = draw_gap(p);
	} else {
		p->ber_mean = 0;
	}
}

void ctifw_line_get_faults(const struct ctifw_port *p, struct ctifw_line_faults *f)
{
	*f = p->faults;
}

/* ---- transmit phase ---- */

bool fw_send_rai(const struct ctifw_port *p)
{
	/* G.732 / T1.403 consequent action: RAI towards the far end on LOS, LOF or AIS. */
	return (p->defects & (CTIFW_ALARM_LOS | CTIFW_ALARM_LOF | CTIFW_ALARM_AIS)) != 0 ||
	       (p->sim & CTIFW_ALARM_RAI) != 0;
}

bool fw_inject_take(struct ctifw_port *p, enum ctifw_inject what)
{
	if (!p->inj_pending[what])
		return false;
	p->inj_pending[what]--;
	return true;
}

void fw_inject_tick(struct ctifw_port *p)
{
	unsigned int i;
	bool any = false;

	for (i = 0; i < CTIFW_INJECT_COUNT; i++) {
		if (p->inj_rate[i]) {
			p->inj_acc[i] += p->inj_rate[i];
			while (p->inj_acc[i] >= FPS_PER_SEC) {
				p->inj_acc[i] -= FPS_PER_SEC;
				p->inj_pending[i]++;
			}
			any = true;
		}
		if (p->inj_pending[i])
			any = true;
	}
	if (fw_inject_take(p, CTIFW_INJECT_BPV))
		p->tx_bpv++;
	p->inj_active = any;
}

void ctifw_port_tx(struct ctifw_port *p, const uint8_t *payload, unsigned int n)
{
	unsigned int f;

	if (n > CTIFW_MAX_FRAMES)
		n = CTIFW_MAX_FRAMES;
	p->tx_n = n;
	p->tx_nbits = n * p->fb;
	p->tx_bpv = 0;
	if (!p->tx_enabled || !n) {
		p->tx_signal = false;
		return;
	}
	p->tx_signal = true;
	if (p->loop == CTIFW_LOOP_NETWORK_LINE) {
		/*
		 * Retransmit the line bits received LOOP_FRAMES frames ago: rx_wr
		 * and our tx advance by the same n * fb per tick, so reading at a
		 * fixed distance behind rx_wr gives a seamless stream with a
		 * constant delay for any batch size (the ring holds 8 KB).
		 */
		fw_ring_get(p, p->rx_wr - LOOP_FRAMES * p->fb, p->txbuf, (p->tx_nbits + 7u) >> 3);
		p->tx_signal = p->rx_signal;
		return;
	}
	if (p->prbs.gen && p->prbs.unframed) {
		fw_prbs_tx_unframed(p);
		return;
	}
	for (f = 0; f < n; f++) {
		const uint8_t *in = payload ? payload + f * CTIFW_SLOTS : NULL;

		if (p->inj_active)
			fw_inject_tick(p);
		if (p->loop == CTIFW_LOOP_NETWORK_PAYLOAD)	/* received LOOP_FRAMES frames ago */
			in = p->lb[(p->lb_wr - LOOP_FRAMES + f) & LOOP_MASK];
		if (p->cfg.line == CTIFW_LINE_E1)
			fw_e1_tx_frame(p, p->txbuf + f * 32u, in);
		else
			fw_t1_tx_frame(p, f, in);
	}
}

unsigned int ctifw_port_tx_line(const struct ctifw_port *p, uint8_t *buf, unsigned int size)
{
	uint32_t nbits = p->tx_signal ? p->tx_nbits : 0;
	uint32_t nbytes = (nbits + 7u) >> 3;

	if (nbytes > size) {
		nbytes = size;
		nbits = size * 8u;
	}
	FW_MEMCPY(buf, p->txbuf, nbytes);
	return nbits;
}

/* ---- receive phase ---- */

static void line_receive(struct ctifw_port *p, uint32_t nbits)
{
	static const uint8_t zero, ones = 0xff;
	const struct ctifw_port *src;
	bool faults = true;
	uint32_t start = p->rx_wr;

	if (p->loop == CTIFW_LOOP_LOCAL) {
		src = p;
		faults = false;
	} else {
		src = p->peer;
	}
	p->rx_signal = src && src->tx_signal && src->tx_nbits;
	if (!p->rx_signal) {
		ring_put(p, &zero, 0, nbits);
		return;
	}
	if (faults && p->faults.ais) {
		ring_put(p, &ones, 0, nbits);
	} else if (src->tx_nbits >= nbits) {
		ring_put(p, src->txbuf, 1, nbits);
	} else {
		ring_put(p, src->txbuf, 1, src->tx_nbits);
		ring_put(p, &ones, 0, nbits - src->tx_nbits);
	}
	if (src->tx_bpv) {
		p->cnt.cv += src->tx_bpv;
		p->cnt.bpv += src->tx_bpv;
	}
	if (faults && p->ber_mean)
		apply_errors(p, start, nbits);
}

/*
 * AIS per G.775: fewer than 3 zeros in each of two consecutive windows
 * (E1: 512 bits; T1: 4632 bits, one ESF, so a framed signal never looks
 * like AIS); cleared when two windows have 3 or more zeros. LOS: no pulses.
 * HDB3/B8ZS replace zero runs by pulses, so only a dead line has none;
 * with AMI a run of 255 zeros is LOS, cleared by a 512-bit window of
 * 12.5 % ones density without such a run.
 */
static void line_scan(struct ctifw_port *p)
{
	uint32_t end = p->rx_wr >> 3;
	uint32_t win = p->cfg.line == CTIFW_LINE_E1 ? 64u : 579u;
	bool ami = p->cfg.coding == CTIFW_CODING_AMI;

	if (fw_diff(end, p->scan) > (int32_t)RING_BYTES / 2 || fw_diff(end, p->scan) < 0)
		p->scan = end - 64u;
	while (p->scan != end) {
		if (!p->win_left) {
			p->win_left = win;
			p->win_zeros = 0;
			p->win_ones = 0;
			p->los_hit = false;
		}
		if (ami) {
			uint8_t b = p->ring[p->scan & RING_MASK];

			p->win_zeros += 8u - ctifw_ones8[b];
			p->win_ones += ctifw_ones8[b];
			if (!b) {
				p->zrun += 8;
			} else {
				if (p->zrun + (uint32_t)__builtin_clz((uint32_t)b << 24) >= 255)
					p->los_hit = true;
				p->zrun = (uint32_t)__builtin_ctz(b);
			}
			if (p->zrun >= 255)
				p->los_hit = true;
			p->scan++;
			p->win_left--;
		} else if (p->win_zeros < 3) {
			p->win_zeros += 8u - ctifw_ones8[p->ring[p->scan & RING_MASK]];
			p->scan++;
			p->win_left--;
		} else {
			uint32_t step = (uint32_t)fw_diff(end, p->scan);

			if (step > p->win_left)
				step = p->win_left;
			p->scan += step;
			p->win_left -= step;
		}
		if (!p->win_left) {
			p->ais_hist = (uint8_t)(((p->ais_hist << 1) | (p->win_zeros < 3)) & 3u);
			if (p->ais_hist == 3)
				p->ais = true;
			else if (!p->ais_hist)
				p->ais = false;
			if (ami) {
				if (p->los_hit)
					p->los = true;
				else if (p->win_ones >= win)	/* 12.5 % of win * 8 bits */
					p->los = false;
			}
		}
	}
	if (!ami)
		p->los = !p->rx_signal;
	else if (!p->rx_signal)
		p->los = true;
}

static void deframe(struct ctifw_port *p)
{
	for (;;) {
		if (p->fr_state == FR_SEARCH) {
			int32_t lag = fw_diff(p->rx_wr, p->spos);

			/*
			 * A dead line or AIS has no alignment to find: skip what it
			 * brought (AIS masks LOF anyway, G.775); the search resumes
			 * on the newest bits once AIS clears (two windows).
			 */
			if ((!p->rx_signal || p->ais) && lag > 0) {
				p->spos = p->rx_wr;
				return;
			}
			if (lag > (int32_t)(RING_BITS - 4096) || lag < -(int32_t)MAX_BIT_DELAY)
				p->spos = p->rx_wr - (RING_BITS / 2);
			if (p->cfg.line == CTIFW_LINE_E1)
				fw_e1_search(p);
			else
				fw_t1_search(p);
			if (p->fr_state == FR_SEARCH)
				return;
		}
		if (fw_diff(p->rx_wr, p->fpos) < (int32_t)p->fb)
			return;
		if (p->cfg.line == CTIFW_LINE_E1)
			fw_e1_rx_frame(p);
		else
			fw_t1_rx_frame(p);
	}
}

void fw_frame_found(struct ctifw_port *p, uint32_t pos, unsigned int fn)
{
	p->fr_state = FR_ALIGNED;
	p->fpos = pos;
	p->rx_fn = fn;
	p->fas_consec = 0;
	p->ft_hist = 0;
	p->mf_cand = false;
	p->mf_timer = 0;
	p->mf_consec = 0;
	p->rx_crc_valid = false;
	p->rx_crc_prev_valid = false;
	p->blk_cnt = p->blk_err = 0;
	p->a_hist = 0;
	p->yel_cnt = p->yel_clr = 0;
	p->cas_aligned = false;
	p->cas_cand = false;
	p->cas_prev_hi = 0xff;
	if (p->cfg.line == CTIFW_LINE_T1)
		p->mf_aligned = true;	/* D4/ESF alignment includes the multiframe */
}

void fw_frame_lost(struct ctifw_port *p, uint32_t restart, bool count)
{
	p->fr_state = FR_SEARCH;
	p->spos = restart;
	if (p->cfg.line == CTIFW_LINE_E1)
		p->mf_aligned = false;
	p->cas_aligned = false;
	p->rai_det = false;
	if (count)
		p->cnt.lof_events++;
}

/* A deframed frame enters the elastic store unless its bits were stored before. */
void fw_store_frame(struct ctifw_port *p)
{
	uint32_t end = p->fpos + p->fb;

	if (p->pushed_any && fw_diff(end, p->pushed_end) <= 0)
		return;
	p->pushed_end = end;
	p->pushed_any = true;
	p->es_wr++;
	if (fw_diff(p->es_wr, p->es_rd) > (int32_t)(ES_FRAMES - 8))
		p->es_rd = p->es_wr - 8;
}

static void output(struct ctifw_port *p, uint8_t *payload, unsigned int n)
{
	unsigned int f, dchan = p->cfg.dchan;
	uint32_t ppm = (uint32_t)(p->faults.ppm < 0 ? -p->faults.ppm : p->faults.ppm);
	int32_t lvl = fw_diff(p->es_wr, p->es_rd);

	/* Keep the store's latency bounded after realignments. */
	if (lvl > (int32_t)(n + 4))
		p->es_rd = p->es_wr - n;
	for (f = 0; f < n; f++) {
		const uint8_t *fr = p->idle;

		if (ppm && p->fr_state == FR_ALIGNED) {
			p->slip_acc += ppm;
			if (p->slip_acc >= 1000000u) {
				/*
				 * Controlled slip (G.822): one frame repeated or deleted. Both
				 * ends run on the host's clock, so successive slips alternate
				 * repeat and delete to keep the store from draining.
				 */
				p->slip_acc -= 1000000u;
				p->cnt.slips++;
				if (!p->es_toggle && p->es_have_last) {
					p->es_toggle = true;
					fr = p->es[p->es_last & ES_MASK];
					goto deliver;
				}
				p->es_toggle = false;
				if (p->es_rd != p->es_wr)
					p->es_rd++;
			}
		}
		if (p->es_rd != p->es_wr) {
			p->es_last = p->es_rd++;
			p->es_have_last = true;
			fr = p->es[p->es_last & ES_MASK];
		}
deliver:
		if (payload)
			FW_MEMCPY(payload + f * CTIFW_SLOTS, fr, CTIFW_SLOTS);
		if (p->loop == CTIFW_LOOP_NETWORK_PAYLOAD)
			FW_MEMCPY(p->lb[p->lb_wr++ & LOOP_MASK], fr, CTIFW_SLOTS);
		if (dchan)
			fw_hdlc_rx_byte(p, fr[dchan]);
		if (p->prbs.chk && !p->prbs.unframed)
			fw_prbs_rx_frame(p, fr);
	}
}

/* ---- defects, alarms, seconds ---- */

static void update_defects(struct ctifw_port *p)
{
	uint32_t d = 0;

	if (p->los)
		d |= CTIFW_ALARM_LOS;
	else if (p->ais)
		d |= CTIFW_ALARM_AIS;
	if (p->fr_state != FR_ALIGNED) {
		if (!(d & CTIFW_ALARM_AIS))
			d |= CTIFW_ALARM_LOF;	/* G.775: AIS masks LOF */
	} else {
		if (p->rai_det)
			d |= CTIFW_ALARM_RAI;
		if (p->cfg.framing == CTIFW_FRAMING_E1_CRC4 && !p->mf_aligned)
			d |= CTIFW_ALARM_LMFA;
		if (p->cfg.line == CTIFW_LINE_E1 && p->cfg.cas && !p->cas_aligned)
			d |= CTIFW_ALARM_LMFA;	/* CAS multiframe (G.732 5.2) */
	}
	p->defects = d;
	if (d & (CTIFW_ALARM_LOS | CTIFW_ALARM_LOF | CTIFW_ALARM_AIS))
		p->sec_defect = true;
}

static void update_alarms(struct ctifw_port *p, unsigned int n)
{
	uint32_t set = p->timing.set_ms * 8u, rai = p->timing.rai_set_ms * 8u;
	uint32_t clr = p->timing.clear_ms * 8u, rec = 0;
	unsigned int i;

	for (i = 0; i < NDEF; i++) {
		uint32_t bit = 1u << i;

		if (p->defects & bit) {
			p->off_frames[i] = 0;
			if (p->on_frames[i] < 0x7fffffffu)
				p->on_frames[i] += n;
			if (p->on_frames[i] >= (bit == CTIFW_ALARM_RAI ? rai : set))
				p->alarms |= bit;
		} else {
			p->on_frames[i] = 0;
			if (p->off_frames[i] < 0x7fffffffu)
				p->off_frames[i] += n;
			if (p->alarms & bit) {
				if (p->off_frames[i] >= clr)
					p->alarms &= ~bit;
				else
					rec = CTIFW_ALARM_RECOVER;
			}
		}
	}
	p->alarms = (p->alarms & ~CTIFW_ALARM_RECOVER) | rec;
}

/* G.826 / T1.231 seconds: ES (>= 1 errored block or defect), SES, UAS. */
static void end_second(struct ctifw_port *p)
{
	uint32_t err, thr;
	bool es_now, ses_now;

	switch (p->cfg.framing) {
	case CTIFW_FRAMING_E1_CRC4:
		err = p->sec_crc;
		thr = 300;	/* 30 % of 1000 blocks */
		break;
	case CTIFW_FRAMING_T1_ESF:
		err = p->sec_crc;
		thr = 320;	/* T1.231 */
		break;
	case CTIFW_FRAMING_T1_D4:
		err = p->sec_fas;
		thr = 8;	/* T1.231: SF framing errors */
		break;
	default:
		err = p->sec_fas;
		thr = 28;
		break;
	}
	es_now = err || p->sec_defect;
	ses_now = err >= thr || p->sec_defect;
	p->cnt.seconds++;
	if (!p->unavail) {
		if (ses_now) {
			if (++p->ses_run >= 10) {
				/* 10 SES start unavailable time, counted from the first of them. */
				p->unavail = true;
				p->cnt.uas += 10;
				p->cnt.ses -= 9;
				p->cnt.es -= 9;
				p->avail_run = 0;
				p->es_in_run = 0;
			} else {
				p->cnt.es++;
				p->cnt.ses++;
			}
		} else {
			p->ses_run = 0;
			if (es_now)
				p->cnt.es++;
		}
	} else {
		p->cnt.uas++;
		if (ses_now) {
			p->avail_run = 0;
			p->es_in_run = 0;
		} else {
			if (es_now)
				p->es_in_run++;
			if (++p->avail_run >= 10) {
				/* 10 non-SES seconds end it; they were available time. */
				p->unavail = false;
				p->cnt.uas -= 10;
				p->cnt.es += p->es_in_run;
				p->ses_run = 0;
			}
		}
	}
	p->sec_crc = p->sec_fas = 0;
	p->sec_defect = false;
}

void ctifw_port_rx(struct ctifw_port *p, uint8_t *payload, unsigned int n)
{
	uint32_t c0 = p->cnt.crc, f0 = p->cnt.fas;

	if (n > CTIFW_MAX_FRAMES)
		n = CTIFW_MAX_FRAMES;
	if (!n)
		return;
	line_receive(p, n * p->fb);
	line_scan(p);
	if (p->prbs.chk && p->prbs.unframed)
		fw_prbs_rx_unframed(p);
	deframe(p);
	output(p, payload, n);
	update_defects(p);
	update_alarms(p, n);
	p->sec_crc += p->cnt.crc - c0;
	p->sec_fas += p->cnt.fas - f0;
	p->sec_frames += n;
	if (p->sec_frames >= FPS_PER_SEC) {
		p->sec_frames -= FPS_PER_SEC;
		end_second(p);
	}
	if (p->prbs.chk)
		fw_prbs_second(p, n);
}

/* ---- status ---- */

uint32_t ctifw_port_defects(const struct ctifw_port *p)
{
	return p->defects;
}

uint32_t ctifw_port_alarms(const struct ctifw_port *p)
{
	if (p->sim)
		return p->sim | CTIFW_ALARM_SIM;
	return p->alarms;
}

void ctifw_port_set_alarm_timing(struct ctifw_port *p, const struct ctifw_alarm_timing *t)
{
	p->timing = *t;
}

void ctifw_port_simulate_alarm(struct ctifw_port *p, uint32_t alarms)
{
	p->sim = alarms & ~(CTIFW_ALARM_SIM | CTIFW_ALARM_RECOVER);
}

void ctifw_port_get_counters(const struct ctifw_port *p, struct ctifw_counters *c)
{
	*c = p->cnt;
	c->prbs_errors = (uint32_t)p->prbs.errors;
}

void ctifw_port_reset_counters(struct ctifw_port *p)
{
	FW_MEMSET(&p->cnt, 0, sizeof(p->cnt));
	p->sec_crc = p->sec_fas = 0;
	p->sec_defect = false;
	p->unavail = false;
	p->ses_run = p->avail_run = p->es_in_run = 0;
	ctifw_prbs_reset_counts(p);
}

bool ctifw_port_in_sync(const struct ctifw_port *p)
{
	if (p->fr_state != FR_ALIGNED)
		return false;
	if (p->cfg.framing == CTIFW_FRAMING_E1_CRC4 && !p->mf_aligned)
		return false;
	return true;
}

int ctifw_port_rx_bit_offset(const struct ctifw_port *p)
{
	uint32_t back;

	if (p->fr_state != FR_ALIGNED)
		return -1;
	back = (uint32_t)fw_diff(p->rx_wr, p->fpos);
	return (int)((p->rx_phase + p->fb - back % p->fb) % p->fb);
}

void ctifw_port_set_sa(struct ctifw_port *p, uint8_t sa)
{
	unsigned int i;

	p->sa = sa & 0x1f;
	p->sa_bits = 0;
	for (i = 0; i < 5; i++)	/* Sa4 is bit 4 of TS0 = 0x10, Sa8 is bit 8 = 0x01 */
		if (sa & (1u << i))
			p->sa_bits |= (uint8_t)(0x10u >> i);
}

uint8_t ctifw_port_get_rx_sa(const struct ctifw_port *p)
{
	return p->rx_sa;
}

void ctifw_port_set_cas(struct ctifw_port *p, unsigned int chan, uint8_t abcd)
{
	if (chan < CTIFW_SLOTS)
		p->cas_tx[chan] = abcd & 0x0f;
}

uint8_t ctifw_port_get_rx_cas(const struct ctifw_port *p, unsigned int chan)
{
	return chan < CTIFW_SLOTS ? p->cas_rx[chan] : 0;
}

/* ---- loopbacks, loop codes, injection ---- */

void ctifw_port_set_loopback(struct ctifw_port *p, enum ctifw_loopback mode)
{
	unsigned int i;

	if (mode > CTIFW_LOOP_NETWORK_PAYLOAD)
		mode = CTIFW_LOOP_NONE;
	p->loop = mode;
	/* Payload loopback starts with LOOP_FRAMES idle frames in its delay line. */
	for (i = 0; i < LOOP_FRAMES; i++)
		FW_MEMCPY(p->lb[i], p->idle, CTIFW_SLOTS);
	p->lb_wr = 0;
	p->lc_looped = false;
}

enum ctifw_loopback ctifw_port_get_loopback(const struct ctifw_port *p)
{
	return p->loop;
}

void ctifw_port_send_loopcode(struct ctifw_port *p, enum ctifw_loopcode code)
{
	if (p->cfg.line != CTIFW_LINE_T1 || code > CTIFW_LOOPCODE_DOWN)
		code = CTIFW_LOOPCODE_NONE;
	p->lc_tx = code;
	p->lc_idx = 0;
}

enum ctifw_loopcode ctifw_port_tx_loopcode(const struct ctifw_port *p)
{
	return p->lc_tx;
}

void ctifw_port_set_loopcode_response(struct ctifw_port *p, bool respond)
{
	p->lc_respond = respond;
}

enum ctifw_loopcode ctifw_port_rx_loopcode(const struct ctifw_port *p)
{
	return p->lc_det;
}

int ctifw_port_inject(struct ctifw_port *p, enum ctifw_inject what, uint32_t count)
{
	bool e1 = p->cfg.line == CTIFW_LINE_E1;

	switch (what) {
	case CTIFW_INJECT_FAS:
	case CTIFW_INJECT_PRBS:
	case CTIFW_INJECT_BPV:
		break;
	case CTIFW_INJECT_MFAS:
		if (e1 ? p->cfg.framing != CTIFW_FRAMING_E1_CRC4 : p->cfg.framing != CTIFW_FRAMING_T1_D4)
			return -CTIFW_EINVAL;
		break;
	case CTIFW_INJECT_CRC:
		if (p->cfg.framing != CTIFW_FRAMING_E1_CRC4 && p->cfg.framing != CTIFW_FRAMING_T1_ESF)
			return -CTIFW_EINVAL;
		break;
	case CTIFW_INJECT_CAS:
		if (!e1 || !p->cfg.cas)
			return -CTIFW_EINVAL;
		break;
	default:
		return -CTIFW_EINVAL;
	}
	p->inj_pending[what] += count;
	if (count)
		p->inj_active = true;
	return 0;
}

int ctifw_port_inject_rate(struct ctifw_port *p, enum ctifw_inject what, uint32_t per_second)
{
	int r = ctifw_port_inject(p, what, 0);

	if (r)
		return r;
	p->inj_rate[what] = per_second;
	p->inj_acc[what] = 0;
	if (per_second)
		p->inj_active = true;
	return 0;
}
