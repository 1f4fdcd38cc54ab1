/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tones.c - call progress tone tables, tone/DTMF generator and the
 * cadence-based call progress tone detector of lib/media.
 *
 * Tables: ITU-T E.180 and ETSI TR 101 041-2 (Europe, 425 Hz), the North
 * American precise audible tone plan (ITU-T E.300-series Supplement 3),
 * the UK's and China's national tones (400/450 Hz and 450 Hz families, as
 * the operators publish them). SIT: 950/1400/1800 Hz x 330 ms (ITU-T E.180);
 * North America: 913.8/1370.6/1776.7 Hz.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "media_int.h"

#define RATE 8000.0

double media_dbm0(double mean_square)
{
	if (mean_square < 1e-3)
		return -99.0;
	double d = 10.0 * log10(mean_square / (32767.0 * 32767.0)) + 6.15;
	return d < -99.0 ? -99.0 : d;
}

double media_sine_amp(double dbm0)
{
	return 32767.0 * pow(10.0, (dbm0 - 3.14) / 20.0);
}

double media_ms_of_dbm0(double dbm0)
{
	return 32767.0 * 32767.0 * pow(10.0, (dbm0 - 6.15) / 10.0);
}

/* ---------------------------------------------------------------- generator */

#define SIN_BITS 12
static int16_t sin_tab[1 << SIN_BITS];
static double sound_ms, measure_ms;	/* mean squares of -40 and -45 dBm0 */

/* Once per process (media.c runs it under pthread_once). */
void media_tables_init(void)
{
	for (int i = 0; i < (1 << SIN_BITS); i++)
		sin_tab[i] = (int16_t)lrint(32767.0 * sin(2.0 * M_PI * i / (1 << SIN_BITS)));
	sound_ms = media_ms_of_dbm0(-40.0);
	measure_ms = media_ms_of_dbm0(-45.0);
}

void gen_reset(struct gen *g)
{
	memset(g, 0, sizeof(*g));
}

int gen_add(struct gen *g, double f1, double f2, double dbm0, uint32_t ms)
{
	if (g->nseg >= GEN_MAX_SEG)
		return -1;
	struct gen_seg *s = &g->seg[g->nseg++];
	int32_t amp = (int32_t)lrint(media_sine_amp(dbm0));

	s->step1 = f1 > 0 ? (uint32_t)llrint(f1 * 4294967296.0 / RATE) : 0;
	s->step2 = f2 > 0 ? (uint32_t)llrint(f2 * 4294967296.0 / RATE) : 0;
	s->amp1 = f1 > 0 ? amp : 0;
	s->amp2 = f2 > 0 ? amp : 0;
	s->samples = ms * 8;
	return 0;
}

int gen_done(const struct gen *g)
{
	return g->cur >= g->nseg;
}

int gen_run(struct gen *g, int32_t *out, int n)
{
	int i = 0;

	while (i < n && g->cur < g->nseg) {
		const struct gen_seg *s = &g->seg[g->cur];
		int k = n - i;

		if (s->samples && (uint32_t)k > s->samples - g->pos)
			k = (int)(s->samples - g->pos);
		if (s->step1 || s->step2) {
			for (int j = 0; j < k; j++) {
				int32_t v = 0;
				if (s->step1) {
					v += (s->amp1 * sin_tab[g->ph1 >> (32 - SIN_BITS)]) >> 15;
					g->ph1 += s->step1;
				}
				if (s->step2) {
					v += (s->amp2 * sin_tab[g->ph2 >> (32 - SIN_BITS)]) >> 15;
					g->ph2 += s->step2;
				}
				out[i + j] += v;
			}
		}
		i += k;
		g->pos += (uint32_t)k;
		if (s->samples && g->pos >= s->samples) {
			g->pos = 0;
			g->ph1 = g->ph2 = 0;	/* each burst starts at phase 0 */
			if (++g->cur >= g->nseg && g->repeat)
				g->cur = 0;
		}
	}
	return i;
}

/* Q.23 / ITU-T Q.24 DTMF frequencies. */
static int dtmf_freqs(char d, double *lo, double *hi)
{
	static const char keys[] = "123A456B789C*0#D";
	static const double row[4] = { 697, 770, 852, 941 };
	static const double col[4] = { 1209, 1336, 1477, 1633 };
	const char *p = d ? strchr(keys, d >= 'a' && d <= 'd' ? d - 32 : d) : NULL;

	if (!p)
		return -1;
	*lo = row[(p - keys) / 4];
	*hi = col[(p - keys) % 4];
	return 0;
}

int gen_dtmf(struct gen *g, const char *digits, int on_ms, int off_ms, int level_dbm0)
{
	gen_reset(g);
	for (int i = 0; digits[i]; i++) {
		double lo, hi;

		if (digits[i] == ',') {
			if (gen_add(g, 0, 0, 0, 500) < 0)
				return i + 1;
			continue;
		}
		if (dtmf_freqs(digits[i], &lo, &hi) < 0)
			return i + 1;
		if (gen_add(g, lo, hi, level_dbm0, (uint32_t)on_ms) < 0 ||
		    gen_add(g, 0, 0, 0, (uint32_t)off_ms) < 0)
			return i + 1;
	}
	return 0;
}

/* ---------------------------------------------------------------- tables */

#define SIT_ITU { { 950, 0, 330 }, { 1400, 0, 330 }, { 1800, 0, 330 }, { 0, 0, 1000 } }, 4, -19, 3, 0
#define COMMON_TONES \
	{ CTI_TONE_CNG, { { 1100, 0, 500 }, { 0, 0, 3000 } }, 2, -10, 0, 0 }, \
	{ CTI_TONE_CED, { { 2100, 0, 3300 } }, 1, -10, 0, 1 }, \
	{ CTI_TONE_BEEP, { { 1000, 0, 200 } }, 1, -10, 0, 1 }, \
	{ CTI_TONE_MILLIWATT, { { 1004, 0, 0 } }, 1, 0, 0, 0 }

static const struct tone_def itu_defs[] = {
	{ CTI_TONE_DIAL, { { 425, 0, 0 } }, 1, -10, 1, 0 },
	{ CTI_TONE_RINGBACK, { { 425, 0, 1000 }, { 0, 0, 4000 } }, 2, -10, 2, 0 },
	{ CTI_TONE_BUSY, { { 425, 0, 500 }, { 0, 0, 500 } }, 2, -10, 3, 0 },
	{ CTI_TONE_CONGESTION, { { 425, 0, 250 }, { 0, 0, 250 } }, 2, -10, 3, 0 },
	{ CTI_TONE_SIT, SIT_ITU },
	COMMON_TONES,
};

static const struct tone_def us_defs[] = {
	{ CTI_TONE_DIAL, { { 350, 440, 0 } }, 1, -13, 1, 0 },
	{ CTI_TONE_RINGBACK, { { 440, 480, 2000 }, { 0, 0, 4000 } }, 2, -19, 2, 0 },
	{ CTI_TONE_BUSY, { { 480, 620, 500 }, { 0, 0, 500 } }, 2, -24, 3, 0 },
	{ CTI_TONE_CONGESTION, { { 480, 620, 250 }, { 0, 0, 250 } }, 2, -24, 3, 0 },
	{ CTI_TONE_SIT, { { 914, 0, 274 }, { 1371, 0, 274 }, { 1777, 0, 380 }, { 0, 0, 1000 } }, 4, -24, 3, 0 },
	COMMON_TONES,
};

static const struct tone_def uk_defs[] = {
	{ CTI_TONE_DIAL, { { 350, 440, 0 } }, 1, -13, 1, 0 },
	{ CTI_TONE_RINGBACK, { { 400, 450, 400 }, { 0, 0, 200 }, { 400, 450, 400 }, { 0, 0, 2000 } }, 4, -19, 4, 0 },
	{ CTI_TONE_BUSY, { { 400, 0, 375 }, { 0, 0, 375 } }, 2, -13, 3, 0 },
	{ CTI_TONE_CONGESTION, { { 400, 0, 400 }, { 0, 0, 350 }, { 400, 0, 225 }, { 0, 0, 525 } }, 4, -13, 4, 0 },
	{ CTI_TONE_SIT, SIT_ITU },
	COMMON_TONES,
};

static const struct tone_def cn_defs[] = {
	{ CTI_TONE_DIAL, { { 450, 0, 0 } }, 1, -10, 1, 0 },
	{ CTI_TONE_RINGBACK, { { 450, 0, 1000 }, { 0, 0, 4000 } }, 2, -10, 2, 0 },
	{ CTI_TONE_BUSY, { { 450, 0, 350 }, { 0, 0, 350 } }, 2, -10, 3, 0 },
	{ CTI_TONE_CONGESTION, { { 450, 0, 700 }, { 0, 0, 700 } }, 2, -10, 3, 0 },
	{ CTI_TONE_SIT, SIT_ITU },
	COMMON_TONES,
};

#define TABLE(c, n, d) { c, n, d, (int)(sizeof(d) / sizeof(d[0])) }
static const struct tone_table tables[] = {
	TABLE("itu", "ITU-T E.180 / Europe (425 Hz)", itu_defs),
	TABLE("us", "North America (precise tone plan)", us_defs),
	TABLE("uk", "United Kingdom", uk_defs),
	TABLE("cn", "China (450 Hz)", cn_defs),
};

/*
 * The one list of tone countries: the configuration (lib/core/config.c)
 * checks names against it through media_tone_country_ok().
 */
const struct tone_table *tone_table_find(const char *country)
{
	if (!country || !*country || !strcasecmp(country, "eu"))	/* eu: an alias of itu */
		country = "itu";
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		if (!strcasecmp(tables[i].country, country))
			return &tables[i];
	return NULL;
}

int media_tone_country_ok(const char *country, const char **canon)
{
	const struct tone_table *t = country && *country ? tone_table_find(country) : NULL;

	if (t && canon)
		*canon = t->country;
	return t != NULL;
}

static char country_list[64];
static pthread_once_t country_list_once = PTHREAD_ONCE_INIT;

static void country_list_fill(void)
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		n += (size_t)snprintf(country_list + n, sizeof(country_list) - n, "%s%s", i ? ", " : "",
				      tables[i].country);
}

const char *media_tone_countries(void)
{
	pthread_once(&country_list_once, country_list_fill);
	return country_list;
}

const struct tone_def *tone_table_def(const struct tone_table *t, enum cti_tone tone)
{
	for (int i = 0; i < t->ndefs; i++)
		if (t->defs[i].tone == tone)
			return &t->defs[i];
	return NULL;
}

int gen_tone(struct gen *g, const struct tone_table *t, enum cti_tone tone)
{
	const struct tone_def *d = tone_table_def(t, tone);

	if (!d)
		return -1;
	gen_reset(g);
	for (int i = 0; i < d->ncad; i++)
		gen_add(g, d->cad[i].f1, d->cad[i].f2, d->dbm0, d->cad[i].ms);
	g->repeat = !d->once;
	return 0;
}

/* ---------------------------------------------------------------- detector */

/* Tones the detector reports (CNG/CED come from spandsp, beep/milliwatt are not progress tones). */
static int detectable(enum cti_tone t)
{
	return t == CTI_TONE_DIAL || t == CTI_TONE_RINGBACK || t == CTI_TONE_BUSY ||
	       t == CTI_TONE_CONGESTION || t == CTI_TONE_SIT;
}

static int find_sig(const struct tone_det *d, int f1, int f2)
{
	for (int i = 0; i < d->nsig; i++)
		if (d->sig[i].f1 == f1 && d->sig[i].f2 == f2)
			return i;
	return -1;
}

static int comp_of(struct tone_det *d, int f)
{
	for (int i = 0; i < d->ncomp; i++)
		if (d->comp_f[i] == f)
			return i;
	if (d->ncomp >= 4 * TD_VEC)
		return -1;
	double w = 2.0 * M_PI * f / RATE;
	int v = d->ncomp / 4, k = d->ncomp % 4;

	d->comp_f[d->ncomp] = (uint16_t)f;
	d->coef[v][k] = (float)(2.0 * cos(w));
	d->cosw[v][k] = (float)cos(w);
	d->sinw[v][k] = (float)sin(w);
	d->cosh[v][k] = (float)cos(w * MEDIA_BLOCK / 2);
	d->sinh[v][k] = (float)sin(w * MEDIA_BLOCK / 2);
	return d->ncomp++;
}

void tone_det_init(struct tone_det *d, const struct tone_table *tt)
{
	memset(d, 0, sizeof(*d));
	d->tt = tt;
	d->cur_sig = -1;
	for (int i = 0; i < tt->ndefs; i++) {
		const struct tone_def *td = &tt->defs[i];
		if (!detectable(td->tone))
			continue;
		for (int k = 0; k < td->ncad; k++) {
			int f1 = td->cad[k].f1, f2 = td->cad[k].f2;
			if (!f1 || find_sig(d, f1, f2) >= 0 || d->nsig >= TD_MAX_SIG)
				continue;
			int c1 = comp_of(d, f1), c2 = f2 ? comp_of(d, f2) : -1;
			if (c1 < 0 || (f2 && c2 < 0))
				continue;
			d->sig[d->nsig].f1 = (uint16_t)f1;
			d->sig[d->nsig].f2 = (uint16_t)f2;
			d->sig[d->nsig].c1 = (int8_t)c1;
			d->sig[d->nsig].c2 = (int8_t)c2;
			d->nsig++;
		}
	}
	/* fax tones: the spandsp detectors only run when these carry energy */
	d->comp_cng = comp_of(d, 1100);
	d->comp_ced = comp_of(d, 2100);
	/* DTMF pre-screen: spandsp's receiver runs only around blocks that may hold a digit */
	static const int row[4] = { 697, 770, 852, 941 }, col[4] = { 1209, 1336, 1477, 1633 };
	for (int i = 0; i < 4; i++) {
		d->comp_row[i] = comp_of(d, row[i]);
		d->comp_col[i] = comp_of(d, col[i]);
	}
}

int tone_det_dtmf_like(const struct tone_det *d)
{
	float r = 0, c = 0;

	if (!d->measured)
		return 0;
	for (int i = 0; i < 4; i++) {
		if (d->ratio[d->comp_row[i]] > r)
			r = d->ratio[d->comp_row[i]];
		if (d->ratio[d->comp_col[i]] > c)
			c = d->ratio[d->comp_col[i]];
	}
	/*
	 * A pair holds ~100 % of a clean block, 8 dB twist leaves the weak tone
	 * 14 %, block edges halve that. spandsp itself wants the pair to hold
	 * ~80 % of its 102-sample block's energy: this screen is far looser.
	 */
	return r >= 0.05f && c >= 0.05f && r + c >= 0.2f;
}

/*
 * All components' Goertzel filters in one pass, four at a time, the two
 * halves of the block as independent chains (the recursion is latency
 * bound); the halves' DFT terms are then combined:
 * y = s1 - e^-jw s2 per half, X = y1 + e^(-jw n/2) y2.
 */
static void measure(struct tone_det *d, const int16_t *x, int n, double energy)
{
	td_v4 a1[TD_VEC], a2[TD_VEC], b1[TD_VEC], b2[TD_VEC];
	int nv = (d->ncomp + 3) / 4, h = n / 2;

	memset(a1, 0, sizeof(a1));
	memset(a2, 0, sizeof(a2));
	memset(b1, 0, sizeof(b1));
	memset(b2, 0, sizeof(b2));
	for (int i = 0; i < h; i++) {
		float xa = (float)x[i], xb = (float)x[h + i];
		for (int v = 0; v < nv; v++) {
			td_v4 sa = xa + d->coef[v] * a1[v] - a2[v];
			td_v4 sb = xb + d->coef[v] * b1[v] - b2[v];
			a2[v] = a1[v];
			a1[v] = sa;
			b2[v] = b1[v];
			b1[v] = sb;
		}
	}
	float norm = (float)(2.0 / ((double)n * energy));
	for (int v = 0; v < nv; v++) {
		td_v4 re1 = a1[v] - d->cosw[v] * a2[v], im1 = d->sinw[v] * a2[v];
		td_v4 re2 = b1[v] - d->cosw[v] * b2[v], im2 = d->sinw[v] * b2[v];
		td_v4 re = re1 + re2 * d->cosh[v] + im2 * d->sinh[v];
		td_v4 im = im1 + im2 * d->cosh[v] - re2 * d->sinh[v];
		td_v4 p = re * re + im * im;
		for (int k = 0; k < 4; k++)
			d->ratio[4 * v + k] = p[k] * norm;
	}
	d->measured = 1;
}

/* Classify a block: -1 silence, -2 other sound, else signature index. */
static int classify(struct tone_det *d, const int16_t *x, int n, double energy)
{
	d->measured = 0;
	if (energy / n < measure_ms)
		return -1;
	measure(d, x, n, energy);
	if (energy / n < sound_ms)
		return -1;
	int best = -2;
	double best_r = 0;

	for (int i = 0; i < d->nsig; i++) {
		double r0 = d->ratio[d->sig[i].c1];
		double r1 = d->sig[i].c2 >= 0 ? d->ratio[d->sig[i].c2] : 0;
		int nc = d->sig[i].c2 >= 0 ? 2 : 1;
		double sum = r0 + r1;
		if (sum < 0.6)
			continue;
		if (nc == 2 && (r0 < 0.15 || r1 < 0.15))
			continue;
		if (sum > best_r + (nc == 2 ? -0.05 : 0.05)) {
			best_r = sum;
			best = i;
		}
	}
	return best;
}

static int dur_ok(uint32_t got, uint32_t want)
{
	uint32_t tol = want * 15 / 100;

	if (tol < 60)
		tol = 60;
	return got + tol >= want && got <= want + tol;
}

static int elem_sig(const struct tone_det *d, const struct tone_def *td, int k)
{
	return td->cad[k].f1 ? find_sig(d, td->cad[k].f1, td->cad[k].f2) : -1;
}

/* Does the history (finished segments) plus the running one end with td's cadence? */
static int cadence_match(const struct tone_det *d, const struct tone_def *td)
{
	if (td->ncad == 1 && td->cad[0].ms == 0)	/* continuous */
		return d->cur_sig >= 0 && d->cur_sig == elem_sig(d, td, 0) && d->cur_ms >= 3000;
	int m = td->match;
	if (m < 1 || d->nhist < m - 1)
		return 0;
	for (int s = 0; s < td->ncad; s++) {
		int ok = 1;
		for (int j = 0; j < m && ok; j++) {
			int k = (s + j) % td->ncad;
			int sig = elem_sig(d, td, k);
			uint32_t want = td->cad[k].ms;
			if (j < m - 1) {
				int h = d->nhist - (m - 1) + j;
				ok = d->hist[h].sig == sig && dur_ok(d->hist[h].ms, want);
			} else {
				/* the running segment: long enough so far */
				uint32_t tol = want * 15 / 100 < 60 ? 60 : want * 15 / 100;
				uint32_t need = want > tol ? want - tol : 0;
				if (need > 800)
					need = 800;
				ok = d->cur_sig == sig && d->cur_ms >= need;
			}
		}
		if (ok)
			return 1;
	}
	return 0;
}

int tone_det_sig_of(const struct tone_det *d, enum cti_tone tone)
{
	const struct tone_def *td = tone_table_def(d->tt, tone);

	return td ? elem_sig(d, td, 0) : -3;
}

enum cti_tone tone_det_block(struct tone_det *d, const int16_t *x, int n, double energy, int *cls)
{
	int c = classify(d, x, n, energy);
	uint32_t ms = (uint32_t)n / 8;

	*cls = c;
	if (c != d->cur_sig) {
		/* Blocks straddling a tone edge look like "other sound": fold short ones into the next segment. */
		if (d->cur_sig == -2 && d->cur_ms <= 40) {
			d->cur_sig = c;
			d->cur_ms += ms;
		} else {
			if (d->nhist == TD_HIST) {
				memmove(d->hist, d->hist + 1, sizeof(d->hist[0]) * (TD_HIST - 1));
				d->nhist--;
			}
			d->hist[d->nhist].sig = d->cur_sig;
			d->hist[d->nhist].ms = d->cur_ms;
			d->nhist++;
			d->cur_sig = c;
			d->cur_ms = ms;
		}
	} else {
		d->cur_ms += ms;
	}
	if (c >= 0)
		d->quiet_ms = 0;
	else
		d->quiet_ms += ms;
	/* Forget the last report after speech or a long silence so a new tone is reported again. */
	if ((d->cur_sig == -2 && d->cur_ms >= 500) || (d->cur_sig == -1 && d->cur_ms >= 6000))
		d->last = CTI_TONE_NONE;

	for (int i = 0; i < d->tt->ndefs; i++) {
		const struct tone_def *td = &d->tt->defs[i];
		if (!detectable(td->tone) || !cadence_match(d, td))
			continue;
		if (td->tone != d->last) {
			d->last = td->tone;
			return td->tone;
		}
		return CTI_TONE_NONE;
	}
	return CTI_TONE_NONE;
}
