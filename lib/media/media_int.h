/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media_int.h - internals shared by the files of lib/media (not for core).
 */
#ifndef CTI_MEDIA_INT_H
#define CTI_MEDIA_INT_H

#include <stdint.h>
#include "media.h"

/* ---- levels ---- */
/*
 * dBm0 from the mean square of linear 16-bit samples: a full-scale sine
 * (peak 32767) is +3.14 dBm0 (G.711 A-law, ITU-T G.711 table 5), its mean
 * square is 32767^2/2, hence the +6.15 dB.
 */
double media_dbm0(double mean_square);
/* Peak amplitude of a sine of level dbm0. */
double media_sine_amp(double dbm0);
/* Mean square threshold of a level (per sample). */
double media_ms_of_dbm0(double dbm0);

/* Process-wide tables (sine, thresholds); run once before any engine is used. */
void media_tables_init(void);

/* ---- tone generator: a list of segments, optionally repeated ---- */
#define GEN_MAX_SEG 256

struct gen_seg {
	uint32_t step1, step2;	/* phase steps (0: component off) */
	int32_t amp1, amp2;	/* peak amplitudes */
	uint32_t samples;	/* 0: forever */
};

struct gen {
	struct gen_seg seg[GEN_MAX_SEG];
	int nseg;
	int repeat;		/* restart at the first segment at the end */
	int cur;
	uint32_t pos;
	uint32_t ph1, ph2;
};

void gen_reset(struct gen *g);
/* Append a segment; f in Hz, level in dBm0 per component, ms (0 = forever). Returns 0 or -1 (full). */
int gen_add(struct gen *g, double f1, double f2, double dbm0, uint32_t ms);
/* Produce n samples (added to out, int32 accumulators). Returns samples produced before the end (n if not ended). */
int gen_run(struct gen *g, int32_t *out, int n);
int gen_done(const struct gen *g);
/* DTMF: 0 ok, else index+1 of the bad character. */
int gen_dtmf(struct gen *g, const char *digits, int on_ms, int off_ms, int level_dbm0);

/* ---- tone tables ---- */
#define TT_MAX_CAD 8

struct tone_def {
	enum cti_tone tone;
	/* frequencies (Hz) of each cadence element; f1 = 0: silence */
	struct { uint16_t f1, f2; uint16_t ms; } cad[TT_MAX_CAD];
	int ncad;		/* 1 with ms 0: continuous */
	int16_t dbm0;		/* level per component */
	int match;		/* elements a detector must see in a row to report it */
	int once;		/* generation stops after one pass (beep, CED) */
};

struct tone_table {
	const char *country;
	const char *name;
	const struct tone_def *defs;
	int ndefs;
};

/* The table for a country code ("itu", "us", "uk", "cn"; also "eu"); NULL if unknown. */
const struct tone_table *tone_table_find(const char *country);
const struct tone_def *tone_table_def(const struct tone_table *t, enum cti_tone tone);
/* Set up a generator for a tone of the table. -1 if the table has no such tone. */
int gen_tone(struct gen *g, const struct tone_table *t, enum cti_tone tone);

/* ---- call progress tone detector (per channel) ---- */
#define TD_MAX_SIG 12
#define TD_HIST 12
#define TD_VEC 5		/* Goertzel components in vectors of 4: up to 20 frequencies */

typedef float td_v4 __attribute__((vector_size(16)));

struct tone_det {
	const struct tone_table *tt;
	int nsig;
	struct { uint16_t f1, f2; int8_t c1, c2; } sig[TD_MAX_SIG];	/* distinct signatures, component indices */
	int ncomp;
	uint16_t comp_f[4 * TD_VEC];	/* frequencies measured per block */
	td_v4 coef[TD_VEC];		/* Goertzel 2cos(w) per component */
	td_v4 cosw[TD_VEC], sinw[TD_VEC];	/* to combine two half-block filters */
	td_v4 cosh[TD_VEC], sinh[TD_VEC];	/* rotation by w * n/2 */
	int comp_cng, comp_ced;		/* components at 1100 Hz and 2100 Hz */
	int comp_row[4], comp_col[4];	/* DTMF frequencies (Q.23) */
	float ratio[4 * TD_VEC];	/* share of the block's energy per component (last block) */
	int measured;			/* ratio[] valid for the last block */
	int cur_sig;		/* signature of the running segment: -1 silence, -2 other sound, >= 0 index */
	uint32_t cur_ms;
	struct { int sig; uint32_t ms; } hist[TD_HIST];	/* finished segments, newest last */
	int nhist;
	enum cti_tone last;	/* last tone reported */
	uint32_t quiet_ms;	/* time without any table tone */
};

void tone_det_init(struct tone_det *d, const struct tone_table *tt);
/*
 * Feed a 20 ms block (energy = sum of squares, given). Returns a tone newly
 * recognised in this block (CTI_TONE_NONE if none). *cls gets the block's
 * class: -1 silence, -2 other sound (speech), >= 0 a table signature.
 */
enum cti_tone tone_det_block(struct tone_det *d, const int16_t *x, int n, double energy, int *cls);

/* The last measured block looks like a DTMF pair: a row and a column frequency hold energy. */
int tone_det_dtmf_like(const struct tone_det *d);

/* Signature index of a tone's first element (-3 if the table has no such tone). */
int tone_det_sig_of(const struct tone_det *d, enum cti_tone tone);

/* ---- engine state: channels, operations, conferences (media.c) ---- */
#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sndfile.h>
#include <spandsp.h>

/* ---- file I/O thread (io.c) ---- */
struct io_ring {		/* single producer, single consumer */
	int16_t *buf;
	size_t cap;		/* samples */
	_Atomic size_t wr, rd;	/* samples put / taken so far */
};

struct op;

/*
 * A recording file: libsndfile writes header and samples; after each write
 * we patch the WAV sizes in place (one pwrite) so the file on disk is
 * always complete (libsndfile's own SFC_SET_UPDATE_HEADER_AUTO costs 3
 * lseeks, an fstat and a write per write call).
 */
struct recfile {
	SNDFILE *sf;
	int fd;
	int channels, bps, wav;
	uint64_t frames;
	uint8_t hdr[128];
	int hdr_len;		/* offset of the samples; 0: not parsed yet, -1: unknown layout */
	int fact_off, size_off;	/* offsets of the fact sample count (-1: none) and the data chunk size */
};

#define MEDIA_IO_THREADS 4	/* workers per engine: a file stalled holds one */

struct media_io {
	int nthreads;			/* 0: not started (the first file job starts them) */
	pthread_t th[MEDIA_IO_THREADS];
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* wakes the workers */
	pthread_cond_t done_cv;		/* a job was serviced or finished */
	int quit, rush;			/* rush: due times ignored (media_io_settle) */
	struct io_job *qhead, *qtail;	/* jobs waiting for service, due first at the head (mu) */
	struct io_job *all;		/* every job not finished (mu) */
	int running;			/* workers not yet exited (mu) */
	void *orphan;			/* set by media_io_stop giving up: the last worker frees it (mu) */
};

/* media_io_stop waits this long for stalled workers, then leaves them to finish on their own. */
#define MEDIA_IO_STOP_WAIT_MS 1000

#define DIGBUF 256		/* per-channel digit buffer */
#define REC_FLUSH_BLOCKS 5	/* recordings are written every 100 ms */
#define LEVEL_BLOCKS 5		/* cti_levels: 100 ms */

struct play_src {
	char *path;		/* file (NULL: memory) */
	uint8_t *buf;		/* copy of the in-memory audio */
	size_t len;
	enum cti_format fmt;	/* resolved: WAV_* (any) or RAW_* */
};


struct io_job {
	struct io_job *next;		/* media_io queue (mu) */
	struct io_job *anext, *aprev;	/* media_io.all (mu) */
	int queued;			/* (mu) in the queue, not held by a worker */
	uint64_t due_us;		/* (mu) next service */
	unsigned long starts, svc, want;	/* (mu) services started, ended; media_io_settle's target */
	int kind;			/* CTI_OP_RECORD or CTI_OP_PLAY */
	_Atomic int closing;		/* owner: no more data; finish */
	_Atomic int failed;		/* thread: err[] says why */
	_Atomic int eof;		/* play: all items read into the ring */
	int done, detached;		/* (mu) thread finished / owner let go */
	char err[128];
	/* record: the files, one ring per file (frames interleaved as in the file) */
	struct recfile rf[2];
	int nrf;
	char path[2][256];
	struct io_ring ring[2];
	/* play: a private operation holding the items, read by media_play_block() */
	struct op *src;
};

struct op {
	struct io_job *job;	/* file I/O done by the engine's I/O thread (NULL: in the tick) */
	uint64_t underrun;	/* play: samples of silence because the reader was late */
	int id;
	int kind;
	cti_term_t term;
	int silence_set;	/* term has silence conditions */
	double silence_energy;	/* block energy of silence_dbm0 */
	uint32_t ticks;		/* 20 ms blocks since the start */
	int ndig;		/* digits seen (or collected) */
	uint32_t last_digit_tick;
	uint32_t digit_seq;	/* channel digit counter when last looked */
	int heard;		/* sound heard */
	uint32_t silence_ms;	/* current run of silence */
	char digits[64];
	uint64_t samples;
	/* play */
	struct play_src *items;
	int nitems, cur;
	SNDFILE *sf;
	int16_t *pbuf;		/* file read-ahead */
	int pn, ppos;
	size_t mpos;
	/* tone / dtmf / record beep */
	struct gen gen;
	int gen_on;
	/* record */
	struct recfile rf[2];	/* [1]: split mode's transmitted leg */
	enum cti_record_mode mode;
	int paused;
	int16_t *rbuf1, *rbuf2;	/* pending frames */
	int rn;			/* frames pending */
	char rpath[2][256];
	char errmsg[128];	/* what failed (for OP_DONE) */
};

struct media_chan {
	struct media_engine *m;
	struct media_chan *next, *prev;
	cti_call_t *call;
	int span, channel;
	enum cti_law law;
	const int16_t *dec;	/* G.711 decode table */
	const uint8_t *enc;	/* encode table, index (uint16_t)x */
	uint8_t rx[MEDIA_BLOCK];
	uint8_t tx[MEDIA_BLOCK];
	int16_t rxl[MEDIA_BLOCK];
	int16_t txl[MEDIA_BLOCK];
	int32_t acc[MEDIA_BLOCK];
	int acc_on;			/* acc holds audio this tick (else the channel sends silence) */
	int tx_live;			/* tx/txl hold audio from an earlier tick */
	int32_t base[MEDIA_BLOCK];	/* what the channel hears before monitor audio */
	double rx_energy;		/* sum of squares of this block */
	int rx_sound;			/* block above -40 dBm0 */
	double lev_rx[LEVEL_BLOCKS], lev_tx[LEVEL_BLOCKS];
	int lev_i;
	/* detectors */
	dtmf_rx_state_t *dtmf;
	modem_connect_tones_rx_state_t *cng, *ced;
	struct tone_det td;
	int blk_class;			/* tone detector class of this block */
	int dtmf_after;			/* blocks fed to dtmf_rx since the last DTMF-like block */
	int16_t rxprev[MEDIA_BLOCK];	/* previous block, fed first when a digit may start */
	int cng_feed, ced_feed;		/* last block had energy at 1100/2100 Hz */
	char digbuf[DIGBUF];
	int dig_head, dig_count;
	uint32_t digit_seq;		/* digits detected so far */
	char new_digits[32];		/* detected in this tick */
	int n_new;
	int fax_tone;			/* CNG/CED seen (for CPA) */
	enum cti_tone tone_now;		/* progress tone recognised in this tick */
	/* operations */
	struct op *out, *in;
	struct cpa *cpa;
	/* routing */
	struct media_chan *bridge;
	struct cti_conf *conf;
	struct media_chan *mon_target;	/* this channel supervises mon_target */
	enum cti_monitor_mode mon_mode;
	/* hook */
	media_hook_fn hook;
	media_hook_end_fn hook_end;
	void *hook_user;
	int hook_op;			/* operation id of the hook's owner (0: unknown) */
	int hook_continuous;		/* the hook needs unbroken audio (fax): deep transport cushion */
};

struct cpa {
	int id;
	cti_cpa_params_t p;
	uint32_t ms;
	int ringing;			/* ringback recognised */
	uint32_t since_ring;		/* ms since the last ringback tone block */
	int ring_sig;			/* signature index of ringback */
	uint32_t voice_ms;		/* length of the current speech burst */
	uint32_t gap_ms;		/* silence inside/after the burst */
	int in_voice;
	int other_blocks;		/* non-tone sound blocks in a row */
	uint32_t silence_ms;
};

#define CONF_MAX 64
struct cti_conf {
	struct media_engine *m;
	struct cti_conf *next;
	struct media_chan *mem[CONF_MAX];
	int n;
};

struct media_engine {
	struct media_io io;
	int io_thread;		/* file I/O in the I/O thread (else in the tick) */
	size_t rec_ring_frames, play_ring_samples;
	const struct media_core_ops *ops;
	void *core;		/* the core's context, for ops */
	const struct tone_table *tt;
	struct media_chan *chans;
	struct cti_conf *confs;
	int next_op;
	uint64_t ticks;
	int monitors;		/* channels supervising another */
};

/* ---- G.711 (media.c): decode tables, encode tables indexed by (uint16_t)x ---- */
extern int16_t media_alaw_dec[256], media_ulaw_dec[256];
extern uint8_t media_alaw_enc[65536], media_ulaw_enc[65536];

static inline uint8_t enc1(const uint8_t *t, int16_t x)
{
	return t[(uint16_t)x];
}

static inline int16_t sat16(int32_t v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}

/* ---- media.c: events, operations, API helpers ---- */
/* The core's interface, registered by media_engine_new() (NULL before). */
const struct media_core_ops *media_core(void);
/* The engine of a call's context (NULL: none). */
struct media_engine *media_call_engine(cti_call_t *call);
void media_lock(struct media_engine *m);
void media_unlock(struct media_engine *m);
void media_post(struct media_chan *c, cti_event_t *ev, int type);
void media_op_free(struct op *o);
/* End an operation: exactly one OP_DONE. Detaches it from the channel. */
void media_op_end(struct media_chan *c, struct op *o, int reason, int err, const char *msg);
/* The channel's transmit accumulator, cleared on first use in a tick. */
int32_t *media_acc(struct media_chan *c);
/* Look up and lock: returns the channel or NULL with *err set (lock released). */
struct media_chan *media_begin(cti_call_t *call, const char *fn, int *err);
/* Unlock and return rc. */
int media_end(struct media_chan *c, int rc);
struct op *media_op_new(struct media_chan *c, int kind, const cti_term_t *term);
int media_term_check(const cti_term_t *t, const char *fn);
int media_out_free(struct media_chan *c, const char *fn);

/* ---- player.c ---- */
#define REC_CLOSE_WAIT_MS 200	/* an ending recording waits this long at most for the I/O thread */
#define PLAY_CHUNK 2000	/* samples read from a file at once (250 ms): one read() per 12 ticks */
/* Produce the play op's next block into acc; returns 1 at end of data, -1 on error (o->errmsg). */
int media_play_block(struct media_chan *c, struct op *o, int32_t *acc);
int media_sf_fmt(enum cti_format f);

/* ---- recorder.c ---- */
int media_rec_flush(struct media_chan *c, struct op *o);
/* Append this tick's audio of the call to the recording. */
int media_rec_block(struct media_chan *c, struct op *o);

int media_rec_write(struct recfile *r, const int16_t *x, int frames);

/* ---- io.c ---- */
size_t media_ring_used(struct io_ring *r);
int media_ring_put(struct io_ring *r, const int16_t *x, size_t n);
size_t media_ring_get(struct io_ring *r, int16_t *x, size_t n);
/* Hand an opened recording (o->rf) / a play's items to the thread; NULL: out of memory (o unchanged). */
struct io_job *media_io_rec(struct media_io *io, struct op *o, size_t ring_frames);
struct io_job *media_io_play(struct media_io *io, struct op *o, size_t ring_samples);
/* Let go of a job (see io.c): 1 finished, 0 finishing in the background, -1 write failed (err). */
int media_io_release(struct media_io *io, struct io_job *j, int wait_ms, char *err, size_t errsz);
void media_io_settle(struct media_io *io);
/*
 * Finish every job and stop the workers, waiting MEDIA_IO_STOP_WAIT_MS at
 * most. Returns 1 when they are done (owner, the memory holding io, may be
 * freed), 0 when a worker is still stalled in write()/read(): the workers
 * were detached, they finish their files and the last one frees owner.
 */
int media_io_stop(struct media_io *io, void *owner);
/* Engines whose stalled workers have not finished yet (tests). */
int media_io_test_orphans(void);
/* Test knob: the next read or write of a file whose path contains match first sleeps ms. */
void media_io_test_stall(const char *match, unsigned ms);
void media_io_maybe_stall(const char *path);	/* where files are read/written (thread or tick) */

/* ---- detect.c ---- */
/* Decode the received block, run the detectors (tones, DTMF, CNG/CED). */
void media_chan_detect(struct media_chan *c);
void media_cpa_block(struct media_chan *c);
void media_cpa_end(struct media_chan *c, int result, int reason);
/* spandsp callbacks of the channel's detectors (user = the channel) */
void media_dtmf_cb(void *user, const char *digits, int len);
void media_cng_cb(void *user, int code, int level, int delay);
void media_ced_cb(void *user, int code, int level, int delay);

/* ---- mix.c ---- */
void media_mix(struct media_engine *m);
void media_set_mon(struct media_chan *s, struct media_chan *t);
void media_conf_drop(struct cti_conf *cf, struct media_chan *c);
void media_unroute(struct media_chan *c);

#endif /* CTI_MEDIA_INT_H */
