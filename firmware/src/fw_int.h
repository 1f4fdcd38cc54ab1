/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * fw_int.h - internal state and helpers of the firmware engine.
 *
 * Everything a port needs lives in struct ctifw_port (no mutable globals),
 * so the engine can run in the kernel, in libcti's emulated board and in
 * host tests alike. Freestanding: only __builtin_* helpers, no libc.
 */
#ifndef CTIFW_INT_H
#define CTIFW_INT_H

#include "ctifw.h"

#define FW_MEMCPY(d, s, n)	__builtin_memcpy((d), (s), (n))
#define FW_MEMSET(d, c, n)	__builtin_memset((d), (c), (n))

/* Receive ring: the raw line bits, addressed by absolute bit index (u32). */
#define RING_BYTES	8192u
#define RING_MASK	(RING_BYTES - 1u)
#define RING_BITS	(RING_BYTES * 8u)
/* Elastic store: deframed frames (CTIFW_SLOTS bytes each). */
#define ES_FRAMES	128u
#define ES_MASK		(ES_FRAMES - 1u)
#define TXBUF_BYTES	(CTIFW_MAX_FRAMES * 32u + 8u)
/*
 * Far-end loopback delay in frames: at least the largest batch, so the
 * frames a tx needs were always received in an earlier tick and the delay
 * does not depend on the host's batch size. Power of two (ring mask).
 */
#define LOOP_FRAMES	CTIFW_MAX_FRAMES
#define LOOP_MASK	(LOOP_FRAMES - 1u)
#define MAX_BIT_DELAY	16384u

#define FPS_PER_SEC	CTIFW_FRAMES_PER_SEC

extern const uint8_t ctifw_bitrev8[256];
extern const uint8_t ctifw_ones8[256];
extern const uint8_t ctifw_crc4_tab[256];
extern const uint8_t ctifw_crc6_tab[256];
extern const uint16_t ctifw_fcs16_tab[256];
extern const uint8_t ctifw_crc4_pos[15][256];
extern const uint8_t ctifw_crc4_class[32];
extern const uint8_t ctifw_crc6_pos[24][256];
extern const uint8_t ctifw_crc6_x4[64];
extern const uint8_t ctifw_crc6_f1;

struct fw_hdlc_tx {
	uint8_t buf[CTIFW_HDLC_QUEUE][CTIFW_HDLC_MAX_FRAME + 2];
	uint16_t len[CTIFW_HDLC_QUEUE];	/* with FCS */
	uint8_t head, count;
	bool active;		/* sending buf[head] */
	uint16_t pos;		/* next byte of buf[head] */
	uint32_t obits;		/* line bits waiting, first to send in bit 0 */
	uint8_t on;		/* number of bits in obits */
	uint8_t ones;		/* consecutive data ones (for zero insertion) */
};

struct fw_hdlc_rx {
	uint8_t buf[CTIFW_HDLC_QUEUE][CTIFW_HDLC_MAX_FRAME + 2];
	uint16_t len[CTIFW_HDLC_QUEUE];
	uint8_t status[CTIFW_HDLC_QUEUE];
	uint8_t head, count;
	bool in_frame;		/* after an opening flag */
	bool deliver_bad;
	bool too_long;
	uint8_t ones;		/* consecutive ones not yet taken as data */
	uint8_t cur, nbit;	/* octet being assembled, LSB first */
	uint16_t n;		/* octets of the current frame */
	uint16_t fcs;
};

struct fw_prbs {
	uint8_t pat;		/* enum ctifw_prbs_pattern */
	uint8_t n, k;		/* x^n + x^k + 1 */
	bool invert, qrss;
	bool gen, chk, unframed;
	uint8_t nslots;
	uint8_t slots[CTIFW_SLOTS];
	uint64_t gh;		/* generator history, newest bit in bit 0 */
	uint64_t ch;		/* checker reference history */
	uint64_t rxh;		/* received bits (un-inverted), for self-sync */
	uint32_t good;		/* consecutive self-sync predictions right */
	bool sync;
	uint32_t win_bits, win_err;
	uint32_t ck_pos;	/* unframed: next ring bit to check */
	uint64_t bits, errors;
	uint32_t losses, seconds, es, ses;
	uint32_t sec_frames, sec_bits, sec_err;
	bool sec_oos;
};

enum { FR_SEARCH = 0, FR_ALIGNED = 1 };

struct ctifw_port {
	struct ctifw_port_config cfg;
	unsigned int fb;		/* frame bits: 256 or 193 */
	unsigned int mf_len;		/* frames per multiframe: 16 / 12 / 24 */
	uint32_t rb_mask;		/* T1: channels carrying robbed bits (bit n = channel n) */
	struct ctifw_port *peer;
	bool tx_enabled;
	enum ctifw_loopback loop;
	uint8_t idle[CTIFW_SLOTS];	/* payload sent/delivered when none */

	/* ---- transmit ---- */
	bool tx_signal;			/* pulses on the line in the last tx */
	unsigned int tx_n;
	uint32_t tx_nbits;
	uint32_t tx_bpv;		/* BPVs injected in the last tx */
	unsigned int tx_fn;		/* frame number in the multiframe */
	uint32_t tx_mf;			/* multiframes sent (for injection spacing) */
	uint8_t tx_crc, tx_crc_prev;
	uint32_t ebits_pending;		/* errored SMFs to report in E-bits */
	uint8_t sa, sa_bits;
	unsigned int fdl_idx;
	uint8_t cas_tx[CTIFW_SLOTS];
	/*
	 * Network payload loopback: the frames delivered by the elastic store,
	 * retransmitted LOOP_FRAMES frames later (a fixed delay whatever n is).
	 */
	uint8_t lb[LOOP_FRAMES][CTIFW_SLOTS];
	uint32_t lb_wr;			/* frames written (rx); read at lb_wr - LOOP_FRAMES */
	uint8_t txbuf[TXBUF_BYTES];

	/* ---- line model (signal arriving at our receiver) ---- */
	struct ctifw_line_faults faults;
	uint64_t rng;
	uint64_t ber_mean;		/* mean bits between error events, 0 = none */
	uint64_t skip;			/* bits before the next error event */
	uint32_t slip_acc;

	/* ---- receive ring and deframer ---- */
	uint8_t ring[RING_BYTES];
	uint32_t rx_wr;			/* next bit written */
	uint32_t rx_phase;		/* rx_wr mod fb (for rx_bit_offset) */
	bool rx_signal;
	int fr_state;
	uint32_t spos;			/* search candidate */
	uint32_t fpos;			/* start of the next aligned frame */
	uint32_t pushed_end;		/* end bit of the last frame stored */
	bool pushed_any;
	unsigned int rx_fn;
	unsigned int fas_consec;
	uint8_t ft_hist;		/* T1: last framing bit errors */
	uint8_t a_hist;			/* E1: last A bits */
	bool rai_det;
	uint32_t yel_cnt, yel_clr;	/* T1 yellow integration */
	uint32_t fdl_sr;
	uint8_t rx_sa;
	/* CRC-4 / CRC-6 receive */
	bool mf_aligned, mf_cand, annexb;
	unsigned int mf_cand_cnt, mf_timer, mf_consec;
	uint32_t mf_fail;
	uint8_t mf_sr;
	uint8_t rx_crc, rx_crc_prev, rx_c;
	bool rx_crc_valid, rx_crc_prev_valid;
	uint32_t blk_cnt, blk_err;
	/* CAS receive */
	bool cas_aligned, cas_cand;
	unsigned int cas_fn, cas_consec, cas_zero;
	uint8_t cas_prev_hi;
	uint8_t cas_rx[CTIFW_SLOTS];
	/* line scan: AIS / LOS */
	uint32_t scan;			/* next ring byte to scan */
	uint32_t win_left, win_zeros, win_ones;
	uint8_t ais_hist;
	bool ais, los, los_hit;
	uint32_t zrun;

	/* ---- elastic store ---- */
	uint8_t es[ES_FRAMES][CTIFW_SLOTS];
	uint32_t es_wr, es_rd, es_last;
	bool es_have_last, es_toggle;

	/* ---- defects, alarms, performance ---- */
	uint32_t defects, alarms, sim;
	struct ctifw_alarm_timing timing;
	uint32_t on_frames[5], off_frames[5];
	struct ctifw_counters cnt;
	uint32_t sec_frames, sec_crc, sec_fas;
	bool sec_defect;
	bool unavail;
	uint32_t ses_run, avail_run, es_in_run;

	/* ---- maintenance ---- */
	bool inj_active;
	uint32_t inj_pending[CTIFW_INJECT_COUNT];
	uint32_t inj_rate[CTIFW_INJECT_COUNT];
	uint32_t inj_acc[CTIFW_INJECT_COUNT];
	enum ctifw_loopcode lc_tx;
	unsigned int lc_idx;
	bool lc_respond;
	unsigned int lc_win, lc_up, lc_dn;
	enum ctifw_loopcode lc_cur, lc_det;
	uint32_t lc_run;
	bool lc_looped;

	/* ---- HDLC and PRBS ---- */
	struct fw_hdlc_tx htx;
	struct fw_hdlc_rx hrx;
	struct fw_prbs prbs;
};

/* ---- bit helpers ---- */

static inline uint8_t ring_byte_at(const struct ctifw_port *p, uint32_t bit)
{
	uint32_t i = bit >> 3, s = bit & 7u;
	uint32_t w = ((uint32_t)p->ring[i & RING_MASK] << 8) | p->ring[(i + 1u) & RING_MASK];

	return (uint8_t)(w >> (8u - s));
}

static inline unsigned int ring_bit(const struct ctifw_port *p, uint32_t bit)
{
	return (p->ring[(bit >> 3) & RING_MASK] >> (7u - (bit & 7u))) & 1u;
}

/* Signed distance b - a of two absolute bit (or frame) indices. */
static inline int32_t fw_diff(uint32_t b, uint32_t a)
{
	return (int32_t)(b - a);
}

void fw_ring_get(const struct ctifw_port *p, uint32_t bit, uint8_t *dst, unsigned int nbytes);
void fw_put_bits(uint8_t *d, uint32_t pos, const uint8_t *s, uint32_t nbits);

/* ---- framers (e1.c, t1.c) ---- */
void fw_e1_tx_frame(struct ctifw_port *p, uint8_t *out, const uint8_t *in);
void fw_e1_search(struct ctifw_port *p);
void fw_e1_rx_frame(struct ctifw_port *p);
void fw_t1_tx_frame(struct ctifw_port *p, unsigned int f, const uint8_t *in);
void fw_t1_search(struct ctifw_port *p);
void fw_t1_rx_frame(struct ctifw_port *p);
void fw_frame_lost(struct ctifw_port *p, uint32_t restart, bool count);
void fw_frame_found(struct ctifw_port *p, uint32_t pos, unsigned int fn);
void fw_store_frame(struct ctifw_port *p);
bool fw_send_rai(const struct ctifw_port *p);
bool fw_inject_take(struct ctifw_port *p, enum ctifw_inject what);
void fw_inject_tick(struct ctifw_port *p);	/* per frame: rates, BPV */

/* ---- HDLC (hdlc.c) ---- */
void fw_hdlc_reset(struct ctifw_port *p);
uint8_t fw_hdlc_tx_byte(struct ctifw_port *p);
void fw_hdlc_rx_byte(struct ctifw_port *p, uint8_t b);

/* ---- PRBS (prbs.c) ---- */
uint8_t fw_prbs_gen_byte(struct fw_prbs *g);
uint8_t fw_prbs_gen_bits(struct fw_prbs *g, unsigned int m);
void fw_prbs_check_byte(struct ctifw_port *p, uint8_t b);
void fw_prbs_tx_frame(struct ctifw_port *p, uint8_t *fr);
void fw_prbs_rx_frame(struct ctifw_port *p, const uint8_t *fr);
void fw_prbs_tx_unframed(struct ctifw_port *p);
void fw_prbs_rx_unframed(struct ctifw_port *p);
void fw_prbs_second(struct ctifw_port *p, unsigned int n);

/* ---- CRC helpers ---- */
static inline uint8_t fw_crc4_bytes(uint8_t crc, const uint8_t *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		crc = ctifw_crc4_tab[(uint8_t)(crc << 4) ^ b[i]];
	return crc;
}

static inline uint8_t fw_crc6_bytes(uint8_t crc, const uint8_t *b, unsigned int n)
{
	unsigned int i;

	for (i = 0; i < n; i++)
		crc = ctifw_crc6_tab[(uint8_t)(crc << 2) ^ b[i]];
	return crc;
}

static inline uint8_t fw_crc6_bit(uint8_t crc, unsigned int bit)
{
	unsigned int fbk = ((crc >> 5) ^ bit) & 1u;

	crc = (uint8_t)((crc << 1) & 0x3f);
	return fbk ? (uint8_t)(crc ^ 0x03) : crc;
}

/*
 * Whole-frame CRCs by linearity: the remainder is the XOR of per-position
 * octet contributions (independent table loads instead of a serial chain).
 * E1: crc' = crc * x^256 ^ frame = crc * x ^ frame (x^15 = 1 mod x^4 + x + 1).
 */
static inline uint8_t fw_crc4_frame(uint8_t crc, uint8_t ts0, const uint8_t *fr)
{
	unsigned int v = ctifw_crc4_pos[ctifw_crc4_class[0]][ts0], i;

	for (i = 1; i < 32; i++)
		v ^= ctifw_crc4_pos[ctifw_crc4_class[i]][fr[i]];
	crc = (uint8_t)(((crc << 1) & 0x0f) ^ ((crc & 8u) ? 0x03 : 0));
	return (uint8_t)(crc ^ v);
}

/* T1: crc' = crc * x^193 ^ frame, F bit taken as 1 (T1.403 / G.704 2.1.3.1.3). */
static inline uint8_t fw_crc6_frame(uint8_t crc, const uint8_t *ch)
{
	unsigned int v = ctifw_crc6_x4[crc & 0x3f] ^ ctifw_crc6_f1, i;

	for (i = 0; i < 24; i++)
		v ^= ctifw_crc6_pos[i][ch[i]];
	return (uint8_t)v;
}

#endif /* CTIFW_INT_H */
