/* SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause */
/*
 * ctifw.h - firmware engine of the CTI E1/T1 PRI board.
 *
 * One engine, hosted three ways: in the kernel driver (kernel/ctitdm),
 * in libcti's built-in emulated board (lib/core/transport_sim.c) and in host unit tests.
 * Freestanding C: no libc, no floating point, no allocation. The host
 * allocates ctifw_port_size() bytes per port and calls ctifw_port_init().
 *
 * A port is one E1/T1 line interface: transmit framer, receive deframer
 * (alignment search from any bit offset), alarm detector, counters,
 * HDLC controller on the D-channel timeslot, PRBS generator/checker,
 * loopbacks and the line model of the cable arriving at its receiver.
 *
 * Time is counted in frames (8000 per second). The host moves the line in
 * two phases per tick so that the order of ports never matters:
 *
 *   for every port: ctifw_port_tx(port, payload_out, n);   // build line signal
 *   for every port: ctifw_port_rx(port, payload_in, n);    // take peer's signal
 *
 * n is 1..CTIFW_MAX_FRAMES frames (8 frames = the usual 1 ms tick); every
 * port must be given the same n in one tick.
 *
 * Payload buffers hold CTIFW_SLOTS bytes per frame indexed by channel
 * number as DAHDI numbers them: E1 index 1..31 = timeslot 1..31 (index 0 is
 * TS0, framing, ignored on tx and zero on rx); T1 index 1..24 = channel
 * 1..24 (index 0 and 25..31 unused). Bytes are the line's octets, bit 7
 * (MSB) sent first, exactly as G.711 words travel.
 *
 * Not thread safe: the host serialises all calls on a port and its peer.
 */
#ifndef CTIFW_H
#define CTIFW_H

#ifdef __KERNEL__
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#endif

#ifdef __cplusplus
extern "C" {
#endif

#define CTIFW_VERSION		0x010000	/* 1.0.0 */
#define CTIFW_FRAMES_PER_SEC	8000
#define CTIFW_SLOTS		32	/* payload bytes per frame in host buffers */
#define CTIFW_MAX_FRAMES	64	/* per tx/rx call: 8 ms, to catch up ticks */
#define CTIFW_E1_FRAME_BITS	256
#define CTIFW_T1_FRAME_BITS	193
#define CTIFW_HDLC_MAX_FRAME	1024	/* bytes, without FCS */
#define CTIFW_HDLC_QUEUE	16	/* frames queued each way */

/* Error returns (negative). */
#define CTIFW_EINVAL		22
#define CTIFW_ENOSPC		28
#define CTIFW_EMSGSIZE		90

enum ctifw_line {
	CTIFW_LINE_E1 = 0,
	CTIFW_LINE_T1 = 1,
};

enum ctifw_framing {
	CTIFW_FRAMING_E1_DF = 0,	/* G.704 2.3.2 double frame, no CRC-4 */
	CTIFW_FRAMING_E1_CRC4,		/* G.704 2.3.3 CRC-4 multiframe */
	CTIFW_FRAMING_T1_D4,		/* G.704 2.1.3.2 / SF: 12-frame superframe */
	CTIFW_FRAMING_T1_ESF,		/* G.704 2.1.3.1 / T1.403: 24-frame ESF */
};

enum ctifw_coding {
	CTIFW_CODING_HDB3 = 0,		/* E1 */
	CTIFW_CODING_AMI,		/* E1 or T1 */
	CTIFW_CODING_B8ZS,		/* T1 */
};

struct ctifw_port_config {
	enum ctifw_line line;
	enum ctifw_framing framing;
	enum ctifw_coding coding;
	bool cas;		/* E1: TS16 CAS multiframe (G.704 5.1.3); T1: robbed bit */
	uint8_t dchan;		/* HDLC timeslot/channel (16 E1, 24 T1); 0 = no HDLC */
	/*
	 * T1 with cas: bit n = channel n (1..24) uses robbed-bit signalling;
	 * the others are clear channels (all 8 bits pass). 0 = every channel
	 * except dchan. The D-channel is never robbed. Bits 0 and 25..31 must
	 * be 0 (-CTIFW_EINVAL). Ignored on E1 (CAS lives in TS16).
	 */
	uint32_t cas_mask;
};

/*
 * Defects (instantaneous, G.775 / T1.231) and alarms (what the host
 * reports: a defect that persisted for the set time, cleared after the
 * clear time; see struct ctifw_alarm_timing). Same bit values for both.
 */
#define CTIFW_ALARM_LOS		(1u << 0)	/* loss of signal */
#define CTIFW_ALARM_LOF		(1u << 1)	/* loss of frame alignment: RED */
#define CTIFW_ALARM_AIS		(1u << 2)	/* all ones: BLUE */
#define CTIFW_ALARM_RAI		(1u << 3)	/* remote alarm indication: YELLOW */
#define CTIFW_ALARM_LMFA	(1u << 4)	/* CRC-4 (or CAS) multiframe lost */
#define CTIFW_ALARM_RECOVER	(1u << 5)	/* alarms: defect gone, clear timer running */
#define CTIFW_ALARM_SIM		(1u << 6)	/* alarms forced by ctifw_port_simulate_alarm */

struct ctifw_alarm_timing {
	uint32_t set_ms;	/* LOS/LOF/AIS/LMFA persist before alarm (default 2500) */
	uint32_t rai_set_ms;	/* RAI persists before YELLOW (default 500) */
	uint32_t clear_ms;	/* defect absent before alarm clears (default 1000) */
};

/* Counters; monotonically increasing, wrap at 2^32; reset by ctifw_port_reset_counters. */
struct ctifw_counters {
	uint32_t fas;		/* FAS (E1) / Ft,Fs or FPS (T1) framing bit errors */
	uint32_t mfas;		/* CRC-4 MFAS or CAS MFAS errors */
	uint32_t crc;		/* CRC-4 sub-multiframe / CRC-6 ESF block errors */
	uint32_t ebit;		/* E-bits received = far-end block errors (E1 CRC-4) */
	uint32_t cv;		/* line code violations (HDB3/B8ZS/AMI) */
	uint32_t bpv;		/* bipolar violations (excluding valid substitutions) */
	uint32_t slips;		/* controlled frame slips at the elastic store */
	uint32_t lof_events;	/* transitions into LOF */
	uint32_t es;		/* errored seconds (G.826 / T1.231) */
	uint32_t ses;		/* severely errored seconds */
	uint32_t uas;		/* unavailable seconds (10 consecutive SES) */
	uint32_t seconds;	/* seconds counted since reset */
	uint32_t hdlc_rx_frames;
	uint32_t hdlc_tx_frames;
	uint32_t hdlc_crc_errors;	/* received frames with bad FCS */
	uint32_t hdlc_aborts;	/* received aborts (7+ ones) */
	uint32_t hdlc_overruns;	/* frames dropped: rx queue full or frame too long */
	uint32_t prbs_errors;	/* PRBS checker bit errors (also in prbs status) */
};

/* ---- Port lifecycle ---- */

struct ctifw_port;	/* opaque: ctifw_port_size() bytes owned by the host */

size_t ctifw_port_size(void);	/* about 50 KB: in the kernel use kvzalloc */
/* Initialise zeroed memory of ctifw_port_size() bytes. seed feeds the line model's PRNG. */
void ctifw_port_init(struct ctifw_port *p, const struct ctifw_port_config *cfg, uint32_t seed);
/*
 * Change line type/framing/coding/HDLC at run time; resets alignment, keeps
 * counters, empties the HDLC queues and stops PRBS. -CTIFW_EINVAL (port
 * unchanged) for an invalid combination (E1 with D4/ESF or B8ZS, T1 with
 * DF/CRC-4 or HDB3, dchan beyond the line's channels).
 */
int ctifw_port_configure(struct ctifw_port *p, const struct ctifw_port_config *cfg);
void ctifw_port_get_config(const struct ctifw_port *p, struct ctifw_port_config *cfg);
/* Stop transmitting: the peer sees LOS (transmitter off), as a port not started. */
void ctifw_port_set_tx_enabled(struct ctifw_port *p, bool on);

/* ---- The two phases of a tick ---- */

/* Build n frames of line signal; payload may be NULL (idle 0xff / 0x7f pattern not needed: sends 0xff). */
void ctifw_port_tx(struct ctifw_port *p, const uint8_t *payload, unsigned int n);
/* Receive n frames from the cable (peer's last tx, through the line model); payload may be NULL. */
void ctifw_port_rx(struct ctifw_port *p, uint8_t *payload, unsigned int n);

/*
 * Line monitor: copy the line signal of the last ctifw_port_tx (bit 0 of
 * buf[0] MSB first) into buf; returns its length in bits (0 with no
 * signal), at most size * 8 bits are copied. For tests and line taps.
 */
unsigned int ctifw_port_tx_line(const struct ctifw_port *p, uint8_t *buf, unsigned int size);

/* ---- Cables and the line model ---- */

/* Connect a cable between a and b (a == b: a loop plug). Previous cables of either are removed. */
void ctifw_cable_connect(struct ctifw_port *a, struct ctifw_port *b);
/* Cut the cable at p: both ends lose signal. */
void ctifw_cable_cut(struct ctifw_port *p);
struct ctifw_port *ctifw_cable_peer(const struct ctifw_port *p);

/* Faults of the signal arriving at a port's receiver (one direction of a cable). */
struct ctifw_line_faults {
	bool ais;		/* upstream sends AIS (unframed all ones) */
	uint64_t ber_e12;	/* bit error rate in errors per 10^12 bits (1e-6 = 1000000) */
	uint32_t burst_bits;	/* 0/1: random errors; >1: errors come in bursts of this length */
	int32_t ppm;		/* clock offset of the far end in ppm (+-1000): controlled slips */
	uint32_t bit_delay;	/* extra line delay in bits: shifts alignment (any bit offset) */
};
void ctifw_line_set_faults(struct ctifw_port *p, const struct ctifw_line_faults *f);
void ctifw_line_get_faults(const struct ctifw_port *p, struct ctifw_line_faults *f);

/* ---- Status, alarms, counters ---- */

uint32_t ctifw_port_defects(const struct ctifw_port *p);
uint32_t ctifw_port_alarms(const struct ctifw_port *p);
void ctifw_port_set_alarm_timing(struct ctifw_port *p, const struct ctifw_alarm_timing *t);
/* Force alarms for testing (DAHDI_MAINT_ALARM_SIM); 0 stops simulating. */
void ctifw_port_simulate_alarm(struct ctifw_port *p, uint32_t alarms);
void ctifw_port_get_counters(const struct ctifw_port *p, struct ctifw_counters *c);
void ctifw_port_reset_counters(struct ctifw_port *p);
bool ctifw_port_in_sync(const struct ctifw_port *p);	/* frame (and multiframe) aligned */
/* Bit offset of frame alignment in the received stream, for tests; -1 when not aligned. */
int ctifw_port_rx_bit_offset(const struct ctifw_port *p);

/* E1 Sa bits (Sa4..Sa8, bit 0 = Sa4) sent in NFAS, and last received. */
void ctifw_port_set_sa(struct ctifw_port *p, uint8_t sa);
uint8_t ctifw_port_get_rx_sa(const struct ctifw_port *p);

/* CAS/robbed-bit signalling: ABCD bits (low nibble) per channel 1..31. */
void ctifw_port_set_cas(struct ctifw_port *p, unsigned int chan, uint8_t abcd);
uint8_t ctifw_port_get_rx_cas(const struct ctifw_port *p, unsigned int chan);

/* ---- Loopbacks, loop codes, error injection ---- */

enum ctifw_loopback {
	CTIFW_LOOP_NONE = 0,
	CTIFW_LOOP_LOCAL,		/* our tx returns to our rx; tx also goes to line */
	CTIFW_LOOP_NETWORK_LINE,	/* received line signal retransmitted as is */
	CTIFW_LOOP_NETWORK_PAYLOAD,	/* received payload retransmitted, framing regenerated */
};
/* Network loopbacks return the signal CTIFW_MAX_FRAMES frames (8 ms) later, for any n. */
void ctifw_port_set_loopback(struct ctifw_port *p, enum ctifw_loopback mode);
enum ctifw_loopback ctifw_port_get_loopback(const struct ctifw_port *p);

/* T1 in-band loop codes (T1.403 9.3.1: loop-up 00001, loop-down 001, framed). */
enum ctifw_loopcode { CTIFW_LOOPCODE_NONE = 0, CTIFW_LOOPCODE_UP, CTIFW_LOOPCODE_DOWN };
void ctifw_port_send_loopcode(struct ctifw_port *p, enum ctifw_loopcode code);
enum ctifw_loopcode ctifw_port_tx_loopcode(const struct ctifw_port *p);	/* the code being sent */
/*
 * A code is detected after CTIFW_LOOPCODE_DETECT_MS of it. Senders keep it
 * up for at least 5 s (T1.403; dahdi_maint sends exactly 5 s), so detection
 * takes less, leaving margin for timing jitter. When enabled (default), a
 * port detecting loop-up enters network line loopback; loop-down leaves it.
 */
#define CTIFW_LOOPCODE_DETECT_MS	4000
void ctifw_port_set_loopcode_response(struct ctifw_port *p, bool respond);
enum ctifw_loopcode ctifw_port_rx_loopcode(const struct ctifw_port *p);	/* the code detected */

enum ctifw_inject {
	CTIFW_INJECT_FAS = 0,	/* corrupt one FAS word / F-bit */
	CTIFW_INJECT_MFAS,	/* corrupt one CRC-4 (or CAS) multiframe alignment signal */
	CTIFW_INJECT_CRC,	/* corrupt one CRC-4 / CRC-6 checksum */
	CTIFW_INJECT_CAS,	/* corrupt one CAS multiframe signalling word */
	CTIFW_INJECT_PRBS,	/* one bit error in the PRBS pattern */
	CTIFW_INJECT_BPV,	/* one bipolar violation on the line */
	CTIFW_INJECT_COUNT
};
/*
 * Inject count single errors from the next tx, spaced so that they never
 * cause a loss of alignment: FAS one per multiframe, CRC one per (CRC-4 /
 * ESF) multiframe, MFAS and CAS one per 4 multiframes, PRBS and BPV one per
 * frame. Each bumps exactly one far-end counter by one (see docs/firmware.md).
 * -CTIFW_EINVAL when the framing has no such signal (e.g. CRC without CRC-4/ESF).
 */
int ctifw_port_inject(struct ctifw_port *p, enum ctifw_inject what, uint32_t count);
/* Continuous injection: rate errors per second (0 stops). */
int ctifw_port_inject_rate(struct ctifw_port *p, enum ctifw_inject what, uint32_t per_second);

/* ---- HDLC controller on the D-channel (cfg.dchan) ---- */

/* Queue a frame (without FCS; the controller adds FCS-16 and flags). */
int ctifw_hdlc_send(struct ctifw_port *p, const uint8_t *data, unsigned int len);
/* Abort the frame being sent (7 ones on the line) and drop the queue. */
void ctifw_hdlc_abort_tx(struct ctifw_port *p);
unsigned int ctifw_hdlc_tx_space(const struct ctifw_port *p);	/* frames that can be queued */

#define CTIFW_HDLC_RX_OK	0
#define CTIFW_HDLC_RX_BADFCS	1	/* delivered only if ctifw_hdlc_deliver_bad(p, true) */
#define CTIFW_HDLC_RX_ABORT	2	/* ditto */
/*
 * Take the next received frame (FCS checked and removed). Returns its length,
 * 0 when none is waiting, -CTIFW_EMSGSIZE if buf is too small (frame dropped).
 * *status receives CTIFW_HDLC_RX_*.
 */
int ctifw_hdlc_recv(struct ctifw_port *p, uint8_t *buf, unsigned int size, int *status);
void ctifw_hdlc_deliver_bad(struct ctifw_port *p, bool on);

/* ---- PRBS generator / checker (ITU-T O.150 / O.151) ---- */

enum ctifw_prbs_pattern {
	CTIFW_PRBS_OFF = 0,
	CTIFW_PRBS_2E11,	/* O.150 5.2: x^11 + x^9 + 1 */
	CTIFW_PRBS_2E15,	/* O.150 5.3: x^15 + x^14 + 1, inverted */
	CTIFW_PRBS_2E20,	/* O.150 5.5: x^20 + x^3 + 1 */
	CTIFW_PRBS_QRSS,	/* O.150 5.6: x^20 + x^17 + 1, max 14 zeros */
	CTIFW_PRBS_2E23,	/* O.150 5.8: x^23 + x^18 + 1, inverted */
};

/* Which timeslots carry the pattern: bit n = payload index n (see payload layout). */
#define CTIFW_PRBS_ALL_SLOTS	0xffffffffu	/* every payload slot of the line type */
#define CTIFW_PRBS_UNFRAMED	0u		/* the whole line, framing included */

/* (Re)start: resets the checker and its counts. PRBS slots override payload and HDLC. */
void ctifw_prbs_start(struct ctifw_port *p, enum ctifw_prbs_pattern pat, uint32_t slot_mask,
		      bool generate, bool check);
void ctifw_prbs_stop(struct ctifw_port *p);

struct ctifw_prbs_status {
	enum ctifw_prbs_pattern pattern;
	bool sync;		/* checker locked on the pattern */
	uint64_t bits;		/* bits compared while in sync */
	uint64_t errors;	/* bit errors while in sync */
	uint32_t sync_losses;	/* times sync was lost after being gained */
	uint32_t seconds;	/* seconds the checker ran */
	uint32_t errored_seconds;	/* seconds with >= 1 error or out of sync */
	uint32_t severely_errored_seconds;	/* BER >= 1e-3 in the second or out of sync */
};
void ctifw_prbs_get_status(const struct ctifw_port *p, struct ctifw_prbs_status *s);
void ctifw_prbs_reset_counts(struct ctifw_port *p);

/* ---- Pure helpers (exposed for tests and for hosts) ---- */

/* CRC-4 of G.704 2.3.3.5 over n bits (bitstream MSB-first). */
uint8_t ctifw_crc4(const uint8_t *bits, unsigned int nbits);
/* CRC-6 of G.704 2.1.3.1.3 over n bits. */
uint8_t ctifw_crc6(const uint8_t *bits, unsigned int nbits);
/* FCS-16 of ISO 3309 / Q.921 (init 0xffff, reflected 0x8408, result complemented). */
uint16_t ctifw_fcs16(const uint8_t *data, unsigned int len);

#ifdef __cplusplus
}
#endif

#endif /* CTIFW_H */
