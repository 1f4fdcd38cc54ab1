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

#endif /* CTI_MEDIA_INT_H */
