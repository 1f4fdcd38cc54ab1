/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media.c - libcti media engine: per B-channel detection (DTMF, CNG/CED,
 * progress tones), operations (play, record, get digits, DTMF, tones, CPA)
 * and the audio routing between channels (bridges, conferences, monitors).
 *
 * Everything runs in media_engine_tick(), every 20 ms, with the context lock
 * held: for each channel the received G.711 block is decoded, detectors and
 * operations run, then the transmit blocks are mixed (linear, saturating)
 * and encoded. See docs/media.md.
 */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include <sndfile.h>
#include <spandsp.h>

#include "media_int.h"

#define DIGBUF 256		/* per-channel digit buffer */
#define REC_FLUSH_BLOCKS 5	/* recordings are written every 100 ms */
#define LEVEL_BLOCKS 5		/* cti_levels: 100 ms */

struct play_src {
	char *path;		/* file (NULL: memory) */
	uint8_t *buf;		/* copy of the in-memory audio */
	size_t len;
	enum cti_format fmt;	/* resolved: WAV_* (any) or RAW_* */
};

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

struct op {
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
	cti_ctx_t *ctx;
	struct media_chan *chans;
	struct cti_conf *confs;
	int next_op;
	uint64_t ticks;
	int monitors;		/* channels supervising another */
};

/* ---------------------------------------------------------------- G.711 */

static int16_t alaw_dec[256], ulaw_dec[256];
static uint8_t alaw_enc[65536], ulaw_enc[65536];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void g711_tables(void)
{
	for (int i = 0; i < 256; i++) {
		alaw_dec[i] = alaw_to_linear((uint8_t)i);
		ulaw_dec[i] = ulaw_to_linear((uint8_t)i);
	}
	/* full 16-bit index: u-law's bias makes the low bits matter for rounding */
	for (int i = 0; i < 65536; i++) {
		int x = (int16_t)(uint16_t)i;
		alaw_enc[i] = linear_to_alaw(x);
		ulaw_enc[i] = linear_to_ulaw(x);
	}
	media_tables_init();
}

static inline uint8_t enc1(const uint8_t *t, int16_t x)
{
	return t[(uint16_t)x];
}

static inline int16_t sat16(int32_t v)
{
	return v > 32767 ? 32767 : v < -32768 ? -32768 : (int16_t)v;
}

/* ---------------------------------------------------------------- names */

const char *cti_term_reason_name(enum cti_term_reason r)
{
	static const char *const n[] = {
		"eod", "max-digits", "term-digit", "first-digit-timeout", "inter-digit-timeout",
		"max-time", "max-silence", "initial-silence", "digit", "stopped", "hangup", "error",
	};
	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : "unknown";
}

const char *cti_tone_name(enum cti_tone t)
{
	static const char *const n[] = {
		"none", "dial", "ringback", "busy", "congestion", "sit", "cng", "ced", "beep", "milliwatt",
	};
	return (unsigned)t < sizeof(n) / sizeof(n[0]) ? n[t] : "unknown";
}

const char *cti_cpa_result_name(enum cti_cpa_result r)
{
	static const char *const n[] = {
		"none", "busy", "no-answer", "sit", "fax", "voice", "machine", "silence", "congestion",
	};
	return (unsigned)r < sizeof(n) / sizeof(n[0]) ? n[r] : "unknown";
}

void cti_term_init(cti_term_t *t)
{
	memset(t, 0, sizeof(*t));
	t->silence_dbm0 = -42;
}

void cti_record_params_init(cti_record_params_t *p)
{
	memset(p, 0, sizeof(*p));
	p->mode = CTI_REC_MIXED;
	p->format = CTI_FMT_WAV_PCM16;
}

void cti_cpa_params_init(cti_cpa_params_t *p)
{
	memset(p, 0, sizeof(*p));
	p->no_answer_ms = 30000;
	p->voice_ms = 1500;
	p->max_ms = 45000;
	p->silence_ms = 5000;
}

/* ---------------------------------------------------------------- events */

static void post(struct media_chan *c, cti_event_t *ev, int type)
{
	ev->type = type;
	ev->call = c->call;
	ev->span = c->span;
	ev->channel = c->channel;
	cti__post(c->m->ctx, ev);
}

static void op_free(struct op *o)
{
	if (!o)
		return;
	if (o->sf)
		sf_close(o->sf);
	for (int i = 0; i < o->nitems; i++) {
		free(o->items[i].path);
		free(o->items[i].buf);
	}
	free(o->items);
	free(o->pbuf);
	free(o->rbuf1);
	free(o->rbuf2);
	free(o);
}

static int rec_flush(struct media_chan *c, struct op *o);

/* End an operation: exactly one OP_DONE. Detaches it from the channel. */
static void op_end(struct media_chan *c, struct op *o, int reason, int err, const char *msg)
{
	cti_event_t ev;

	if (o->kind == CTI_OP_RECORD) {
		if (reason != CTI_TERM_ERROR && rec_flush(c, o) < 0) {
			reason = CTI_TERM_ERROR;
			err = CTI_EIO;
			msg = o->errmsg;
		}
		for (int k = 0; k < 2; k++)
			if (o->rf[k].sf) {
				sf_close(o->rf[k].sf);
				o->rf[k].sf = NULL;
			}
	}
	if (c->out == o)
		c->out = NULL;
	if (c->in == o)
		c->in = NULL;
	memset(&ev, 0, sizeof(ev));
	ev.u.op.id = o->id;
	ev.u.op.kind = o->kind;
	ev.u.op.reason = reason;
	ev.u.op.error = reason == CTI_TERM_ERROR ? (err ? err : CTI_EIO) : 0;
	memcpy(ev.u.op.digits, o->digits, sizeof(ev.u.op.digits));
	ev.u.op.duration_ms = o->ticks * 20;
	ev.u.op.samples = o->samples;
	if (msg)
		snprintf(ev.u.op.message, sizeof(ev.u.op.message), "%s", msg);
	post(c, &ev, CTI_EV_OP_DONE);
	op_free(o);
}

static void cpa_end(struct media_chan *c, int result, int reason)
{
	struct cpa *p = c->cpa;
	cti_event_t ev;

	c->cpa = NULL;
	memset(&ev, 0, sizeof(ev));
	ev.u.cpa.result = result;
	ev.u.cpa.duration_ms = p->ms;
	post(c, &ev, CTI_EV_CPA_DONE);
	memset(&ev, 0, sizeof(ev));
	ev.u.op.id = p->id;
	ev.u.op.kind = CTI_OP_CPA;
	ev.u.op.reason = reason;
	ev.u.op.duration_ms = p->ms;
	post(c, &ev, CTI_EV_OP_DONE);
	free(p);
}

/* ---------------------------------------------------------------- detection callbacks */

static void dtmf_cb(void *user, const char *digits, int len)
{
	struct media_chan *c = user;

	for (int i = 0; i < len; i++) {
		cti_event_t ev;

		if (c->dig_count == DIGBUF) {	/* full: drop the oldest, never the newest */
			c->dig_head = (c->dig_head + 1) % DIGBUF;
			c->dig_count--;
		}
		c->digbuf[(c->dig_head + c->dig_count) % DIGBUF] = digits[i];
		c->dig_count++;
		c->digit_seq++;
		if (c->n_new < (int)sizeof(c->new_digits))
			c->new_digits[c->n_new++] = digits[i];
		memset(&ev, 0, sizeof(ev));
		ev.u.digit.digit = digits[i];
		post(c, &ev, CTI_EV_DIGIT);
	}
}

static void tone_event(struct media_chan *c, enum cti_tone t)
{
	cti_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.u.tone.tone = t;
	post(c, &ev, CTI_EV_TONE);
}

static void cng_cb(void *user, int code, int level, int delay)
{
	struct media_chan *c = user;

	(void)level;
	(void)delay;
	if (code == MODEM_CONNECT_TONES_FAX_CNG) {
		c->fax_tone = 1;
		tone_event(c, CTI_TONE_CNG);
	}
}

static void ced_cb(void *user, int code, int level, int delay)
{
	struct media_chan *c = user;

	(void)level;
	(void)delay;
	if (code == MODEM_CONNECT_TONES_FAX_CED || code == MODEM_CONNECT_TONES_ANS_PR ||
	    code == MODEM_CONNECT_TONES_FAX_PREAMBLE) {
		c->fax_tone = 2;
		tone_event(c, CTI_TONE_CED);
	}
}

/* ---------------------------------------------------------------- engine and channels */

struct media_engine *media_engine_new(cti_ctx_t *ctx)
{
	struct media_engine *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_once(&tables_once, g711_tables);	/* contexts may be opened in parallel */
	m->ctx = ctx;
	return m;
}

struct media_chan *media_chan_new(struct media_engine *m, cti_call_t *call, enum cti_law law)
{
	struct media_chan *c = calloc(1, sizeof(*c));
	const struct tone_table *tt = tone_table_find(cti__tone_country(m->ctx));

	if (!c)
		return NULL;
	c->m = m;
	c->call = call;
	c->span = cti__call_span(call);		/* lock held: core_call_media_new() */
	c->channel = cti__call_channel(call);
	c->law = law;
	c->dec = law == CTI_LAW_ALAW ? alaw_dec : ulaw_dec;
	c->enc = law == CTI_LAW_ALAW ? alaw_enc : ulaw_enc;
	memset(c->tx, enc1(c->enc, 0), MEDIA_BLOCK);
	memset(c->rx, enc1(c->enc, 0), MEDIA_BLOCK);
	c->dtmf = dtmf_rx_init(NULL, dtmf_cb, c);
	c->cng = modem_connect_tones_rx_init(NULL, MODEM_CONNECT_TONES_FAX_CNG, cng_cb, c);
	c->ced = modem_connect_tones_rx_init(NULL, MODEM_CONNECT_TONES_FAX_CED, ced_cb, c);
	if (!c->dtmf || !c->cng || !c->ced) {
		if (c->dtmf)
			dtmf_rx_free(c->dtmf);
		if (c->cng)
			modem_connect_tones_rx_free(c->cng);
		if (c->ced)
			modem_connect_tones_rx_free(c->ced);
		free(c);
		return NULL;
	}
	/*
	 * Accept digits down to -36 dBm0 per tone; twist as spandsp's defaults
	 * (high group up to 8 dB below the low group, 4 dB above), said here so
	 * a library update cannot change it silently.
	 */
	dtmf_rx_parms(c->dtmf, 0, 8, 4, -36);
	tone_det_init(&c->td, tt ? tt : tone_table_find("itu"));
	for (int i = 0; i < LEVEL_BLOCKS; i++)
		c->lev_rx[i] = c->lev_tx[i] = 0;
	c->next = m->chans;
	if (m->chans)
		m->chans->prev = c;
	m->chans = c;
	return c;
}

static void set_mon(struct media_chan *s, struct media_chan *t)
{
	s->m->monitors += (t != NULL) - (s->mon_target != NULL);
	s->mon_target = t;
}

static void conf_drop(struct cti_conf *cf, struct media_chan *c)
{
	for (int i = 0; i < cf->n; i++)
		if (cf->mem[i] == c) {
			cf->mem[i] = cf->mem[--cf->n];
			break;
		}
	c->conf = NULL;
}

void media_chan_free(struct media_chan *c)
{
	if (!c)
		return;
	struct media_engine *m = c->m;

	if (c->out)
		op_end(c, c->out, CTI_TERM_HANGUP, 0, NULL);
	if (c->in)
		op_end(c, c->in, CTI_TERM_HANGUP, 0, NULL);
	if (c->cpa)
		cpa_end(c, CTI_CPA_NONE, CTI_TERM_HANGUP);
	if (c->bridge)
		c->bridge->bridge = NULL;
	if (c->conf)
		conf_drop(c->conf, c);
	for (struct media_chan *o = m->chans; o; o = o->next)
		if (o->mon_target == c)
			set_mon(o, NULL);
	set_mon(c, NULL);
	if (c->hook_end) {
		media_hook_end_fn end = c->hook_end;
		c->hook = NULL;
		c->hook_end = NULL;
		end(c->hook_user, CTI_TERM_HANGUP);
	}
	if (c->prev)
		c->prev->next = c->next;
	else
		m->chans = c->next;
	if (c->next)
		c->next->prev = c->prev;
	dtmf_rx_free(c->dtmf);
	modem_connect_tones_rx_free(c->cng);
	modem_connect_tones_rx_free(c->ced);
	free(c);
}

void media_engine_free(struct media_engine *m)
{
	if (!m)
		return;
	while (m->chans)
		media_chan_free(m->chans);
	while (m->confs) {
		struct cti_conf *cf = m->confs;
		m->confs = cf->next;
		free(cf);
	}
	free(m);
}

uint8_t *media_chan_rx(struct media_chan *c)
{
	return c->rx;
}

const uint8_t *media_chan_tx(struct media_chan *c)
{
	return c->tx;
}

int media_chan_set_hook(struct media_chan *c, media_hook_fn fn, media_hook_end_fn end, void *user)
{
	if (c->hook_end) {
		media_hook_end_fn old = c->hook_end;
		void *ou = c->hook_user;
		c->hook = NULL;
		c->hook_end = NULL;
		old(ou, CTI_TERM_STOPPED);
	}
	/* The hook owns the output: a running play/tone/DTMF stops. */
	if (fn && c->out)
		op_end(c, c->out, CTI_TERM_STOPPED, 0, NULL);
	c->hook = fn;
	c->hook_end = fn ? end : NULL;
	c->hook_user = user;
	c->hook_op = 0;
	return 0;
}

void media_chan_set_hook_op(struct media_chan *c, int op_id)
{
	if (c->hook)
		c->hook_op = op_id;
}

int media_next_op_id(struct media_engine *m)
{
	if (++m->next_op <= 0)
		m->next_op = 1;
	return m->next_op;
}

/* ---------------------------------------------------------------- play */

static int ext_is(const char *path, const char *const *exts)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return 0;
	for (int i = 0; exts[i]; i++)
		if (!strcasecmp(dot + 1, exts[i]))
			return 1;
	return 0;
}

static enum cti_format fmt_by_ext(const char *path)
{
	static const char *const al[] = { "al", "alaw", "a", NULL };
	static const char *const ul[] = { "ul", "ulaw", "u", "mu", NULL };
	static const char *const raw[] = { "raw", "pcm", "sln", "s16", NULL };

	if (ext_is(path, al))
		return CTI_FMT_RAW_ALAW;
	if (ext_is(path, ul))
		return CTI_FMT_RAW_ULAW;
	if (ext_is(path, raw))
		return CTI_FMT_RAW_PCM16;
	return CTI_FMT_AUTO;	/* WAV by header */
}

static int fmt_is_raw(enum cti_format f)
{
	return f == CTI_FMT_RAW_ALAW || f == CTI_FMT_RAW_ULAW || f == CTI_FMT_RAW_PCM16;
}

static int sf_fmt_of(enum cti_format f)
{
	switch (f) {
	case CTI_FMT_WAV_ALAW: return SF_FORMAT_WAV | SF_FORMAT_ALAW;
	case CTI_FMT_WAV_ULAW: return SF_FORMAT_WAV | SF_FORMAT_ULAW;
	case CTI_FMT_RAW_ALAW: return SF_FORMAT_RAW | SF_FORMAT_ALAW;
	case CTI_FMT_RAW_ULAW: return SF_FORMAT_RAW | SF_FORMAT_ULAW;
	case CTI_FMT_RAW_PCM16: return SF_FORMAT_RAW | SF_FORMAT_PCM_16 | SF_ENDIAN_CPU;
	default: return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	}
}

static SNDFILE *play_open(const struct play_src *s, char *err, size_t errsz)
{
	SF_INFO info;
	SNDFILE *sf;

	memset(&info, 0, sizeof(info));
	if (fmt_is_raw(s->fmt)) {
		info.samplerate = 8000;
		info.channels = 1;
		info.format = sf_fmt_of(s->fmt);
	}
	sf = sf_open(s->path, SFM_READ, &info);
	if (!sf) {
		snprintf(err, errsz, "cannot open '%s': %s", s->path, sf_strerror(NULL));
		return NULL;
	}
	if (info.samplerate != 8000 || info.channels != 1) {
		snprintf(err, errsz, "'%s' is %d Hz, %d channel(s): need 8000 Hz mono", s->path,
			 info.samplerate, info.channels);
		sf_close(sf);
		return NULL;
	}
	return sf;
}

/* Fill n samples from the in-memory item; returns samples produced. */
static int mem_read(struct op *o, struct play_src *s, int16_t *out, int n, const struct media_chan *c)
{
	int i = 0;

	(void)c;
	if (s->fmt == CTI_FMT_RAW_PCM16) {
		for (; i < n && o->mpos + 2 <= s->len; i++, o->mpos += 2) {
			int16_t v;
			memcpy(&v, s->buf + o->mpos, 2);
			out[i] = v;
		}
	} else {
		const int16_t *dec = s->fmt == CTI_FMT_RAW_ALAW ? alaw_dec : ulaw_dec;
		for (; i < n && o->mpos < s->len; i++, o->mpos++)
			out[i] = dec[s->buf[o->mpos]];
	}
	return i;
}

#define PLAY_CHUNK 2000	/* samples read from a file at once (250 ms): one read() per 12 ticks */

/* Produce the play op's next block into acc; returns 1 at end of data, -1 on error (o->errmsg). */
static int play_block(struct media_chan *c, struct op *o, int32_t *acc)
{
	int16_t buf[MEDIA_BLOCK];
	int have = 0;

	while (have < MEDIA_BLOCK && o->cur < o->nitems) {
		struct play_src *s = &o->items[o->cur];
		int got;

		if (s->path) {
			if (!o->sf) {
				char err[300];
				o->sf = play_open(s, err, sizeof(err));
				if (!o->sf) {	/* checked at the start: gone or changed since */
					snprintf(o->errmsg, sizeof(o->errmsg), "play: item %d: %.100s", o->cur + 1, err);
					return -1;
				}
				o->pn = o->ppos = 0;
			}
			if (o->ppos == o->pn) {
				o->pn = (int)sf_read_short(o->sf, o->pbuf, PLAY_CHUNK);
				o->ppos = 0;
			}
			got = o->pn - o->ppos;
			if (got > MEDIA_BLOCK - have)
				got = MEDIA_BLOCK - have;
			memcpy(buf + have, o->pbuf + o->ppos, sizeof(int16_t) * (size_t)got);
			o->ppos += got;
		} else {
			got = mem_read(o, s, buf + have, MEDIA_BLOCK - have, c);
		}
		if (got <= 0) {	/* item exhausted: the next one continues this block */
			if (o->sf) {
				sf_close(o->sf);
				o->sf = NULL;
			}
			o->mpos = 0;
			o->cur++;
			continue;
		}
		have += got;
	}
	for (int i = 0; i < have; i++)
		acc[i] += buf[i];
	o->samples += (uint64_t)have;
	return o->cur >= o->nitems;
}

/* ---------------------------------------------------------------- record */

static int rec_open(struct recfile *r, const char *path, enum cti_format fmt, int channels, char *err,
		    size_t errsz)
{
	SF_INFO info;

	memset(r, 0, sizeof(*r));
	r->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		snprintf(err, errsz, "record: cannot create '%s': %s", path, strerror(errno));
		return -1;
	}
	memset(&info, 0, sizeof(info));
	info.samplerate = 8000;
	info.channels = channels;
	info.format = sf_fmt_of(fmt);
	r->sf = sf_open_fd(r->fd, SFM_WRITE, &info, SF_TRUE);	/* closes fd on error too */
	if (!r->sf) {
		snprintf(err, errsz, "record: cannot create '%s': %s", path, sf_strerror(NULL));
		return -1;
	}
	r->channels = channels;
	r->bps = (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16 ? 2 : 1;
	r->wav = (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV;
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint64_t v)
{
	if (v > 0xffffffffu)
		v = 0xffffffffu;
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Find the chunks of the header libsndfile wrote. */
static void rec_parse(struct recfile *r)
{
	ssize_t n = pread(r->fd, r->hdr, sizeof(r->hdr), 0);
	size_t pos = 12;

	r->hdr_len = -1;
	r->fact_off = -1;
	if (n < 44 || memcmp(r->hdr, "RIFF", 4) || memcmp(r->hdr + 8, "WAVE", 4))
		return;
	while (pos + 8 <= (size_t)n) {
		uint32_t sz = le32(r->hdr + pos + 4);
		if (!memcmp(r->hdr + pos, "fact", 4) && pos + 12 <= (size_t)n)
			r->fact_off = (int)pos + 8;
		if (!memcmp(r->hdr + pos, "data", 4)) {
			r->size_off = (int)pos + 4;
			r->hdr_len = (int)pos + 8;
			return;
		}
		pos += 8 + sz + (sz & 1);
	}
}

static int rec_write(struct recfile *r, const int16_t *x, int frames)
{
	if (sf_writef_short(r->sf, x, frames) != frames)
		return -1;
	r->frames += (uint64_t)frames;
	if (!r->wav)
		return 0;
	if (r->hdr_len == 0)
		rec_parse(r);
	if (r->hdr_len < 0)	/* a layout we do not know: let libsndfile do it */
		return sf_command(r->sf, SFC_UPDATE_HEADER_NOW, NULL, 0) == 0 ? 0 : 0;
	uint64_t bytes = r->frames * (uint64_t)r->channels * (uint64_t)r->bps;
	put_le32(r->hdr + 4, (uint64_t)r->hdr_len - 8 + bytes);
	if (r->fact_off > 0)
		put_le32(r->hdr + r->fact_off, r->frames);
	put_le32(r->hdr + r->size_off, bytes);
	/* samples first, then the sizes: the header never claims what is not on disk */
	return pwrite(r->fd, r->hdr, (size_t)r->hdr_len, 0) == r->hdr_len ? 0 : -1;
}

static int rec_flush(struct media_chan *c, struct op *o)
{
	(void)c;
	if (!o->rn || !o->rf[0].sf)
		return 0;
	int n = o->rn;

	o->rn = 0;
	for (int k = 0; k < 2; k++) {
		if (!o->rf[k].sf)
			continue;
		errno = 0;
		if (rec_write(&o->rf[k], k ? o->rbuf2 : o->rbuf1, n) < 0) {
			const char *why = errno ? strerror(errno) : sf_strerror(o->rf[k].sf);
			snprintf(o->errmsg, sizeof(o->errmsg), "record: writing '%s' failed: %s", o->rpath[k], why);
			return -1;
		}
	}
	return 0;
}

/* Append this tick's audio of the call to the recording. */
static int rec_block(struct media_chan *c, struct op *o)
{
	int n = MEDIA_BLOCK;
	int16_t *p1 = o->rbuf1 + (o->mode == CTI_REC_STEREO ? 2 : 1) * o->rn * 1;

	switch (o->mode) {
	case CTI_REC_MIXED:
		for (int i = 0; i < n; i++)
			p1[i] = sat16((int32_t)c->rxl[i] + c->txl[i]);
		break;
	case CTI_REC_STEREO:
		for (int i = 0; i < n; i++) {
			p1[2 * i] = c->rxl[i];
			p1[2 * i + 1] = c->txl[i];
		}
		break;
	case CTI_REC_SPLIT:
		memcpy(p1, c->rxl, sizeof(c->rxl));
		memcpy(o->rbuf2 + o->rn, c->txl, sizeof(c->txl));
		break;
	}
	o->rn += n;
	o->samples += (uint64_t)n;
	if (o->rn >= REC_FLUSH_BLOCKS * MEDIA_BLOCK)
		return rec_flush(c, o);
	return 0;
}

/* ---------------------------------------------------------------- termination */

/* Check an operation's termination conditions after this tick's detection. Returns 1 if it ended. */
static int op_check(struct media_chan *c, struct op *o)
{
	const cti_term_t *t = &o->term;
	uint32_t el = o->ticks * 20;

	/* digits: get digits consumes them from the buffer, others watch the new ones */
	if (o->kind == CTI_OP_GET_DIGITS) {
		while (c->dig_count) {
			char d = c->digbuf[c->dig_head];
			c->dig_head = (c->dig_head + 1) % DIGBUF;
			c->dig_count--;
			if (o->ndig < (int)sizeof(o->digits) - 1)
				o->digits[o->ndig] = d;
			o->ndig++;
			o->last_digit_tick = o->ticks;
			o->heard = 1;
			o->silence_ms = 0;
			if (t->term_digits[0] && strchr(t->term_digits, d)) {
				op_end(c, o, CTI_TERM_TERM_DIGIT, 0, NULL);
				return 1;
			}
			if (t->max_digits > 0 && o->ndig >= t->max_digits) {
				op_end(c, o, CTI_TERM_MAX_DIGITS, 0, NULL);
				return 1;
			}
		}
	} else if (c->digit_seq != o->digit_seq) {
		for (int i = 0; i < c->n_new; i++) {
			char d = c->new_digits[i];
			o->ndig++;
			o->last_digit_tick = o->ticks;
			if (t->stop_on_digit) {
				o->digits[0] = d;
				op_end(c, o, CTI_TERM_DIGIT, 0, NULL);
				return 1;
			}
			if (t->term_digits[0] && strchr(t->term_digits, d)) {
				o->digits[0] = d;
				op_end(c, o, CTI_TERM_TERM_DIGIT, 0, NULL);
				return 1;
			}
			if (t->max_digits > 0 && o->ndig >= t->max_digits) {
				op_end(c, o, CTI_TERM_MAX_DIGITS, 0, NULL);
				return 1;
			}
		}
		o->digit_seq = c->digit_seq;
	}
	if (t->max_time_ms && el >= t->max_time_ms) {
		op_end(c, o, CTI_TERM_MAX_TIME, 0, NULL);
		return 1;
	}
	if (t->first_digit_ms && !o->ndig && el >= t->first_digit_ms) {
		op_end(c, o, CTI_TERM_FIRST_DIGIT_TIMEOUT, 0, NULL);
		return 1;
	}
	if (t->inter_digit_ms && o->ndig && (o->ticks - o->last_digit_tick) * 20 >= t->inter_digit_ms) {
		op_end(c, o, CTI_TERM_INTER_DIGIT_TIMEOUT, 0, NULL);
		return 1;
	}
	if (o->silence_set) {
		if (c->rx_energy >= o->silence_energy) {
			o->heard = 1;
			o->silence_ms = 0;
		} else {
			o->silence_ms += 20;
		}
		if (t->max_silence_ms && o->heard && o->silence_ms >= t->max_silence_ms) {
			op_end(c, o, CTI_TERM_MAX_SILENCE, 0, NULL);
			return 1;
		}
		if (t->initial_silence_ms && !o->heard && el >= t->initial_silence_ms) {
			op_end(c, o, CTI_TERM_INITIAL_SILENCE, 0, NULL);
			return 1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- CPA */

static void cpa_block(struct media_chan *c)
{
	struct cpa *p = c->cpa;

	p->ms += 20;
	if (c->fax_tone) {
		cpa_end(c, CTI_CPA_FAX, CTI_TERM_EOD);
		return;
	}
	switch (c->tone_now) {
	case CTI_TONE_BUSY:
		cpa_end(c, CTI_CPA_BUSY, CTI_TERM_EOD);
		return;
	case CTI_TONE_CONGESTION:
		cpa_end(c, CTI_CPA_CONGESTION, CTI_TERM_EOD);
		return;
	case CTI_TONE_SIT:
		cpa_end(c, CTI_CPA_SIT, CTI_TERM_EOD);
		return;
	case CTI_TONE_RINGBACK:
		p->ringing = 1;
		p->since_ring = 0;
		p->ring_sig = tone_det_sig_of(&c->td, CTI_TONE_RINGBACK);
		break;
	default:
		break;
	}
	int cls = c->blk_class;
	if (p->ringing) {
		if (cls >= 0 && cls == p->ring_sig)
			p->since_ring = 0;
		else
			p->since_ring += 20;
	}
	/* ringback stays "on" while its cadence goes on: longest off is 4 s */
	int ring_on = p->ringing && p->since_ring <= 4500;
	if (ring_on && p->ms >= p->p.no_answer_ms) {
		cpa_end(c, CTI_CPA_NO_ANSWER, CTI_TERM_EOD);
		return;
	}
	/*
	 * Voice: sound that is no table tone, 60 ms in a row to start (blocks
	 * straddling a tone edge are single); pauses shorter than 800 ms belong
	 * to the same utterance.
	 */
	if (cls == -2)
		p->other_blocks++;
	else
		p->other_blocks = 0;
	if (!p->in_voice && p->other_blocks >= 3) {
		p->in_voice = 1;
		p->voice_ms = 60;
		p->gap_ms = 0;
	} else if (p->in_voice && cls == -2) {
		p->voice_ms += 20 + p->gap_ms;
		p->gap_ms = 0;
	} else if (p->in_voice) {
		p->gap_ms += 20;
	}
	if (p->in_voice) {
		p->silence_ms = 0;
		if (p->voice_ms >= p->p.voice_ms) {	/* long greeting: answering machine */
			cpa_end(c, CTI_CPA_MACHINE, CTI_TERM_EOD);
			return;
		}
		if (p->gap_ms >= 800) {			/* short "hello?", then quiet: a person */
			cpa_end(c, CTI_CPA_VOICE, CTI_TERM_EOD);
			return;
		}
	} else if (cls == -1 && !ring_on && cti__call_state(c->call) == CTI_CALL_CONNECTED) {
		/* silence counts once the call is answered */
		p->silence_ms += 20;
		if (p->p.silence_ms && p->silence_ms >= p->p.silence_ms) {
			cpa_end(c, CTI_CPA_SILENCE, CTI_TERM_EOD);
			return;
		}
	} else if (cls != -1) {
		p->silence_ms = 0;
	}
	if (p->p.max_ms && p->ms >= p->p.max_ms)
		cpa_end(c, ring_on ? CTI_CPA_NO_ANSWER : CTI_CPA_NONE, CTI_TERM_MAX_TIME);
}

/* ---------------------------------------------------------------- the tick */

static void chan_rx(struct media_chan *c)
{
	int64_t e = 0;
	enum cti_tone t;

	for (int i = 0; i < MEDIA_BLOCK; i++) {
		int16_t v = c->dec[c->rx[i]];
		c->rxl[i] = v;
		e += (int32_t)v * v;
	}
	c->rx_energy = (double)e;
	c->lev_rx[c->lev_i] = (double)e;
	c->n_new = 0;
	c->tone_now = CTI_TONE_NONE;
	t = tone_det_block(&c->td, c->rxl, MEDIA_BLOCK, c->rx_energy, &c->blk_class);
	if (t != CTI_TONE_NONE) {
		c->tone_now = t;
		tone_event(c, t);
	}
	/*
	 * DTMF (spandsp dtmf_rx) runs around blocks that may hold a digit: the
	 * Goertzel pass above has the eight Q.23 frequencies. When one starts,
	 * the previous block goes first (a digit may have begun in it); after
	 * the last one, two more blocks let the receiver see the digit end.
	 */
	if (tone_det_dtmf_like(&c->td)) {
		if (c->dtmf_after > 2)
			dtmf_rx(c->dtmf, c->rxprev, MEDIA_BLOCK);
		c->dtmf_after = 0;
		dtmf_rx(c->dtmf, c->rxl, MEDIA_BLOCK);
	} else if (c->dtmf_after < 2) {
		c->dtmf_after++;
		dtmf_rx(c->dtmf, c->rxl, MEDIA_BLOCK);
	} else {
		c->dtmf_after = 3;
	}
	memcpy(c->rxprev, c->rxl, sizeof(c->rxl));
	/* CNG/CED (spandsp) only while there is energy at 1100/2100 Hz, and one block after */
	int cng = c->td.measured && c->td.ratio[c->td.comp_cng] > 0.25f;
	int ced = c->td.measured && c->td.ratio[c->td.comp_ced] > 0.25f;
	if (cng || c->cng_feed)
		modem_connect_tones_rx(c->cng, c->rxl, MEDIA_BLOCK);
	if (ced || c->ced_feed)
		modem_connect_tones_rx(c->ced, c->rxl, MEDIA_BLOCK);
	c->cng_feed = cng;
	c->ced_feed = ced;
}

/* The channel's own output (hook, play, tone, DTMF, record beep) into acc. */
/* The channel's transmit accumulator, cleared on first use in a tick. */
static int32_t *acc(struct media_chan *c)
{
	if (!c->acc_on) {
		memset(c->acc, 0, sizeof(c->acc));
		c->acc_on = 1;
	}
	return c->acc;
}

static void chan_out(struct media_chan *c)
{
	c->acc_on = 0;
	if (c->hook) {
		int32_t *a = acc(c);
		int16_t out[MEDIA_BLOCK];
		memset(out, 0, sizeof(out));
		c->hook(c->hook_user, c->rxl, out, MEDIA_BLOCK);
		for (int i = 0; i < MEDIA_BLOCK; i++)
			a[i] = out[i];
	}
	struct op *o = c->out;
	if (o) {
		o->ticks++;
		if (o->kind == CTI_OP_PLAY) {
			int r = play_block(c, o, acc(c));
			if (r) {
				op_end(c, o, r < 0 ? CTI_TERM_ERROR : CTI_TERM_EOD, r < 0 ? CTI_EIO : 0,
				       r < 0 ? o->errmsg : NULL);
				o = NULL;
			}
		} else {
			int got = gen_run(&o->gen, acc(c), MEDIA_BLOCK);
			o->samples += (uint64_t)got;
			if (gen_done(&o->gen)) {
				op_end(c, o, CTI_TERM_EOD, 0, NULL);
				o = NULL;
			}
		}
		if (o)
			op_check(c, o);
	}
	if (c->in && c->in->gen_on) {	/* record beep */
		gen_run(&c->in->gen, acc(c), MEDIA_BLOCK);
		if (gen_done(&c->in->gen))
			c->in->gen_on = 2;	/* recording starts with the next block */
	}
}

static void add16(int32_t *acc, const int16_t *x)
{
	for (int i = 0; i < MEDIA_BLOCK; i++)
		acc[i] += x[i];
}

static void add32(int32_t *acc, const int32_t *x)
{
	for (int i = 0; i < MEDIA_BLOCK; i++)
		acc[i] += sat16(x[i]);
}

void media_engine_tick(struct media_engine *m)
{
	struct media_chan *c;

	m->ticks++;
	/* 1. receive side: decode, detect */
	for (c = m->chans; c; c = c->next)
		chan_rx(c);
	/* 2. own output of each channel, then the parties it is connected to */
	for (c = m->chans; c; c = c->next)
		chan_out(c);
	for (c = m->chans; c; c = c->next) {
		if (c->bridge)
			add16(acc(c), c->bridge->rxl);
		if (c->conf)
			for (int i = 0; i < c->conf->n; i++)
				if (c->conf->mem[i] != c)
					add16(acc(c), c->conf->mem[i]->rxl);
	}
	/* 3. supervision: the supervisor hears what the target says and hears */
	if (m->monitors) {
		for (c = m->chans; c; c = c->next)
			if (c->mon_target) {
				struct media_chan *t = c->mon_target;
				if (t->acc_on)
					memcpy(t->base, t->acc, sizeof(t->acc));
				else
					memset(t->base, 0, sizeof(t->base));
			}
		for (c = m->chans; c; c = c->next) {
			struct media_chan *t = c->mon_target;
			if (!t)
				continue;
			add16(acc(c), t->rxl);
			add32(acc(c), t->base);
			if (c->mon_mode == CTI_MONITOR_LISTEN)
				continue;
			add16(acc(t), c->rxl);			/* whisper: the agent hears us */
			if (c->mon_mode != CTI_MONITOR_BARGE)
				continue;
			if (t->bridge && t->bridge != c)	/* barge: so does the other party */
				add16(acc(t->bridge), c->rxl);
			if (t->conf)
				for (int i = 0; i < t->conf->n; i++)
					if (t->conf->mem[i] != t && t->conf->mem[i] != c)
						add16(acc(t->conf->mem[i]), c->rxl);
		}
	}
	/* 4. encode, levels, recording, operations on the receive side */
	for (c = m->chans; c; c = c->next) {
		int64_t e = 0;
		if (!c->acc_on) {
			if (c->tx_live) {	/* silence: the same bytes every tick */
				memset(c->txl, 0, sizeof(c->txl));
				memset(c->tx, enc1(c->enc, 0), sizeof(c->tx));
				c->tx_live = 0;
			}
		} else {
			for (int i = 0; i < MEDIA_BLOCK; i++) {
				int16_t v = sat16(c->acc[i]);
				c->txl[i] = v;
				c->tx[i] = enc1(c->enc, v);
				e += (int32_t)v * v;
			}
			c->tx_live = 1;
		}
		c->lev_tx[c->lev_i] = (double)e;
		c->lev_i = (c->lev_i + 1) % LEVEL_BLOCKS;
	}
	for (c = m->chans; c; c = c->next) {
		struct op *o = c->in;
		if (o) {
			o->ticks++;
			if (o->kind == CTI_OP_RECORD) {
				if (o->gen_on == 2)
					o->gen_on = 0;
				else if (!o->gen_on && !o->paused && rec_block(c, o) < 0) {
					op_end(c, o, CTI_TERM_ERROR, CTI_EIO, o->errmsg);
					o = NULL;
				}
			}
			if (o && !(o->kind == CTI_OP_RECORD && o->gen_on))
				op_check(c, o);
		}
		if (c->cpa)
			cpa_block(c);
	}
}

/* ---------------------------------------------------------------- public API */

/* Look up and lock: returns the channel or NULL with *err set (lock released). */
static struct media_chan *begin(cti_call_t *call, const char *fn, int *err)
{
	if (!call) {
		*err = cti__error(CTI_EINVAL, "%s: call is NULL", fn);
		return NULL;
	}
	cti_ctx_t *ctx = cti__call_ctx(call);
	cti__lock(ctx);
	struct media_chan *c = cti__call_media(call);
	if (!c) {
		cti__unlock(ctx);
		*err = cti__error(CTI_ESTATE, "%s: the call has no B-channel (not connected or cleared)", fn);
		return NULL;
	}
	return c;
}

static int end(struct media_chan *c, int rc)
{
	cti__unlock(c->m->ctx);
	return rc;
}

static struct op *op_new(struct media_chan *c, int kind, const cti_term_t *term)
{
	struct op *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->id = media_next_op_id(c->m);
	o->kind = kind;
	if (term)
		o->term = *term;
	else
		cti_term_init(&o->term);
	if (o->term.silence_dbm0 == 0)
		o->term.silence_dbm0 = -42;
	o->silence_set = o->term.max_silence_ms || o->term.initial_silence_ms;
	o->silence_energy = media_ms_of_dbm0(o->term.silence_dbm0) * MEDIA_BLOCK;
	o->digit_seq = c->digit_seq;
	if (o->term.clear_digits) {
		c->dig_count = 0;
		c->dig_head = 0;
	}
	return o;
}

static int term_check(const cti_term_t *t, const char *fn)
{
	if (!t)
		return 0;
	if (t->max_digits < 0 || t->max_digits > 63)
		return cti__error(CTI_EINVAL, "%s: max_digits %d out of range 0..63", fn, t->max_digits);
	for (const char *p = t->term_digits; *p; p++)
		if (!strchr("0123456789*#ABCD", *p))
			return cti__error(CTI_EINVAL, "%s: term_digits: '%c' is no DTMF digit", fn, *p);
	if (t->silence_dbm0 > 3 || t->silence_dbm0 < -90)
		return cti__error(CTI_EINVAL, "%s: silence_dbm0 %d out of range -90..3", fn, t->silence_dbm0);
	return 0;
}

static int out_free(struct media_chan *c, const char *fn)
{
	if (c->hook)
		return cti__error(CTI_EBUSY, "%s: the channel is in use by fax", fn);
	if (c->out)
		return cti__error(CTI_EBUSY, "%s: operation %d (%s) is already playing on the call", fn,
				  c->out->id, c->out->kind == CTI_OP_PLAY ? "play" :
				  c->out->kind == CTI_OP_TONE ? "tone" : "dtmf");
	return 0;
}

int cti_play(cti_call_t *call, const cti_play_item_t *items, int n, const cti_term_t *term)
{
	int err = 0;

	if (!items || n <= 0)
		return cti__error(CTI_EINVAL, "cti_play: %s", !items ? "items is NULL" : "no items");
	if ((err = term_check(term, "cti_play")) < 0)
		return err;
	struct media_chan *c = begin(call, "cti_play", &err);
	if (!c)
		return err;
	if ((err = out_free(c, "cti_play")) < 0)
		return end(c, err);
	struct op *o = op_new(c, CTI_OP_PLAY, term);
	if (!o || !(o->items = calloc((size_t)n, sizeof(*o->items))) ||
	    !(o->pbuf = malloc(sizeof(int16_t) * PLAY_CHUNK))) {
		op_free(o);
		return end(c, cti__error(CTI_ENOMEM, "cti_play: out of memory"));
	}
	for (int i = 0; i < n; i++) {
		const cti_play_item_t *it = &items[i];
		struct play_src *s = &o->items[i];
		o->nitems = i + 1;
		if (it->path) {
			char msg[300];
			SNDFILE *sf;
			s->fmt = it->format != CTI_FMT_AUTO ? it->format : fmt_by_ext(it->path);
			if (!(s->path = strdup(it->path))) {
				op_free(o);
				return end(c, cti__error(CTI_ENOMEM, "cti_play: out of memory"));
			}
			FILE *f = fopen(it->path, "rb");
			if (!f) {
				op_free(o);
				return end(c, cti__error(CTI_ENOENT, "cti_play: item %d: no such file '%s'",
							 i + 1, it->path));
			}
			fclose(f);
			if (!(sf = play_open(s, msg, sizeof(msg)))) {
				op_free(o);
				return end(c, cti__error(CTI_EFORMAT, "cti_play: item %d: %s", i + 1, msg));
			}
			sf_close(sf);
		} else {
			if (!it->buf || !fmt_is_raw(it->format)) {
				op_free(o);
				return end(c, cti__error(CTI_EINVAL, "cti_play: item %d: %s", i + 1,
							 !it->buf ? "neither path nor buf" :
							 "buf needs a RAW format (CTI_FMT_RAW_*)"));
			}
			s->fmt = it->format;
			s->len = it->len;
			if (!(s->buf = malloc(it->len ? it->len : 1))) {
				op_free(o);
				return end(c, cti__error(CTI_ENOMEM, "cti_play: out of memory"));
			}
			memcpy(s->buf, it->buf, it->len);
		}
	}
	c->out = o;
	return end(c, o->id);
}

int cti_play_file(cti_call_t *call, const char *path, const cti_term_t *term)
{
	cti_play_item_t it;

	if (!path)
		return cti__error(CTI_EINVAL, "cti_play_file: path is NULL");
	memset(&it, 0, sizeof(it));
	it.path = path;
	return cti_play(call, &it, 1, term);
}

int cti_record(cti_call_t *call, const cti_record_params_t *p, const cti_term_t *term)
{
	int err = 0;

	if (!p || !p->path)
		return cti__error(CTI_EINVAL, "cti_record: %s", !p ? "params is NULL" : "path is NULL");
	if (p->mode == CTI_REC_SPLIT && !p->path2)
		return cti__error(CTI_EINVAL, "cti_record: split mode needs path2");
	if ((unsigned)p->mode > CTI_REC_SPLIT)
		return cti__error(CTI_EINVAL, "cti_record: mode %d unknown", p->mode);
	if ((unsigned)p->format > CTI_FMT_RAW_PCM16)
		return cti__error(CTI_EINVAL, "cti_record: format %d unknown", p->format);
	if ((err = term_check(term, "cti_record")) < 0)
		return err;
	struct media_chan *c = begin(call, "cti_record", &err);
	if (!c)
		return err;
	if (c->in)
		return end(c, cti__error(CTI_EBUSY, "cti_record: operation %d (%s) is already running on the call",
					 c->in->id, c->in->kind == CTI_OP_RECORD ? "record" : "get digits"));
	struct op *o = op_new(c, CTI_OP_RECORD, term);
	int ch1 = p->mode == CTI_REC_STEREO ? 2 : 1;
	if (!o || !(o->rbuf1 = malloc(sizeof(int16_t) * ch1 * REC_FLUSH_BLOCKS * MEDIA_BLOCK)) ||
	    (p->mode == CTI_REC_SPLIT && !(o->rbuf2 = malloc(sizeof(int16_t) * REC_FLUSH_BLOCKS * MEDIA_BLOCK)))) {
		op_free(o);
		return end(c, cti__error(CTI_ENOMEM, "cti_record: out of memory"));
	}
	o->mode = p->mode;
	snprintf(o->rpath[0], sizeof(o->rpath[0]), "%s", p->path);
	snprintf(o->rpath[1], sizeof(o->rpath[1]), "%s", p->path2 ? p->path2 : "");
	enum cti_format fmt = p->format == CTI_FMT_AUTO ? CTI_FMT_WAV_PCM16 : p->format;
	char msg[300];
	int id = o->id;
	c->in = o;
	int bad = rec_open(&o->rf[0], p->path, fmt, ch1, msg, sizeof(msg)) < 0 ||
		  (p->mode == CTI_REC_SPLIT && rec_open(&o->rf[1], p->path2, fmt, 1, msg, sizeof(msg)) < 0);
	if (bad) {
		/* the call goes on: the operation reports the error */
		cti__error(CTI_EIO, "cti_record: %s", msg);
		op_end(c, o, CTI_TERM_ERROR, CTI_EIO, msg);
		return end(c, id);
	}
	if (p->beep) {
		const struct tone_table *tt = c->td.tt;
		gen_tone(&o->gen, tt, CTI_TONE_BEEP);
		o->gen_on = 1;
	}
	return end(c, id);
}

int cti_record_pause(cti_call_t *call, int paused)
{
	int err = 0;
	struct media_chan *c = begin(call, "cti_record_pause", &err);

	if (!c)
		return err;
	if (!c->in || c->in->kind != CTI_OP_RECORD)
		return end(c, cti__error(CTI_ENOENT, "cti_record_pause: no recording on the call"));
	c->in->paused = !!paused;
	/* what was recorded so far goes to disk now, not after the pause */
	if (paused && rec_flush(c, c->in) < 0)
		op_end(c, c->in, CTI_TERM_ERROR, CTI_EIO, c->in->errmsg);
	return end(c, 0);
}

int cti_get_digits(cti_call_t *call, const cti_term_t *term)
{
	int err = 0;

	if ((err = term_check(term, "cti_get_digits")) < 0)
		return err;
	struct media_chan *c = begin(call, "cti_get_digits", &err);
	if (!c)
		return err;
	if (c->in)
		return end(c, cti__error(CTI_EBUSY, "cti_get_digits: operation %d (%s) is already running on the call",
					 c->in->id, c->in->kind == CTI_OP_RECORD ? "record" : "get digits"));
	struct op *o = op_new(c, CTI_OP_GET_DIGITS, term);
	if (!o)
		return end(c, cti__error(CTI_ENOMEM, "cti_get_digits: out of memory"));
	c->in = o;
	return end(c, o->id);
}

int cti_digits_read(cti_call_t *call, char *buf, size_t size)
{
	int err = 0;

	if (!buf || !size)
		return cti__error(CTI_EINVAL, "cti_digits_read: no buffer");
	struct media_chan *c = begin(call, "cti_digits_read", &err);
	if (!c)
		return err;
	int n = 0;
	if (c->in && c->in->kind == CTI_OP_GET_DIGITS) {
		buf[0] = 0;
		return end(c, 0);	/* the running get digits owns the buffer */
	}
	while (c->dig_count && (size_t)n + 1 < size) {
		buf[n++] = c->digbuf[c->dig_head];
		c->dig_head = (c->dig_head + 1) % DIGBUF;
		c->dig_count--;
	}
	buf[n] = 0;
	return end(c, n);
}

void cti_digits_flush(cti_call_t *call)
{
	int err = 0;
	struct media_chan *c = begin(call, "cti_digits_flush", &err);

	if (!c)
		return;
	c->dig_count = 0;
	c->dig_head = 0;
	end(c, 0);
}

int cti_send_dtmf(cti_call_t *call, const char *digits, int on_ms, int off_ms, int level_dbm0)
{
	int err = 0;

	if (!digits || !*digits)
		return cti__error(CTI_EINVAL, "cti_send_dtmf: no digits");
	if (on_ms == 0)
		on_ms = 80;
	if (off_ms == 0)
		off_ms = 80;
	if (level_dbm0 == 0)
		level_dbm0 = -10;
	if (on_ms < 20 || on_ms > 10000 || off_ms < 20 || off_ms > 10000)
		return cti__error(CTI_EINVAL, "cti_send_dtmf: on %d ms / off %d ms out of range 20..10000",
				  on_ms, off_ms);
	if (level_dbm0 > 0 || level_dbm0 < -50)
		return cti__error(CTI_EINVAL, "cti_send_dtmf: level %d dBm0 out of range -50..-1", level_dbm0);
	struct gen g;
	int bad = gen_dtmf(&g, digits, on_ms, off_ms, level_dbm0);
	if (bad)
		return cti__error(CTI_EINVAL, "cti_send_dtmf: character %d '%c' of \"%s\" is no DTMF digit%s", bad,
				  digits[bad - 1], digits, (size_t)bad > GEN_MAX_SEG / 2 ? " (or too many)" : "");
	struct media_chan *c = begin(call, "cti_send_dtmf", &err);
	if (!c)
		return err;
	if ((err = out_free(c, "cti_send_dtmf")) < 0)
		return end(c, err);
	struct op *o = op_new(c, CTI_OP_SEND_DTMF, NULL);
	if (!o)
		return end(c, cti__error(CTI_ENOMEM, "cti_send_dtmf: out of memory"));
	o->gen = g;
	c->out = o;
	return end(c, o->id);
}

int cti_play_tone(cti_call_t *call, enum cti_tone tone, const cti_term_t *term)
{
	int err = 0;

	if (tone <= CTI_TONE_NONE || tone > CTI_TONE_MILLIWATT)
		return cti__error(CTI_EINVAL, "cti_play_tone: tone %d unknown", tone);
	if ((err = term_check(term, "cti_play_tone")) < 0)
		return err;
	struct media_chan *c = begin(call, "cti_play_tone", &err);
	if (!c)
		return err;
	if ((err = out_free(c, "cti_play_tone")) < 0)
		return end(c, err);
	struct op *o = op_new(c, CTI_OP_TONE, term);
	if (!o)
		return end(c, cti__error(CTI_ENOMEM, "cti_play_tone: out of memory"));
	if (gen_tone(&o->gen, c->td.tt, tone) < 0) {
		op_free(o);
		return end(c, cti__error(CTI_ENOTSUP, "cti_play_tone: tone table '%s' has no %s tone",
					 c->td.tt->country, cti_tone_name(tone)));
	}
	c->out = o;
	return end(c, o->id);
}

int cti_stop(cti_call_t *call, int op)
{
	int err = 0;
	struct media_chan *c = begin(call, "cti_stop", &err);

	if (!c)
		return err;
	int found = 0;
	if (c->out && (!op || c->out->id == op)) {
		op_end(c, c->out, CTI_TERM_STOPPED, 0, NULL);
		found++;
	}
	if (c->in && (!op || c->in->id == op)) {
		op_end(c, c->in, CTI_TERM_STOPPED, 0, NULL);
		found++;
	}
	if (c->cpa && (!op || c->cpa->id == op)) {
		cpa_end(c, CTI_CPA_NONE, CTI_TERM_STOPPED);
		found++;
	}
	if (c->hook && (!op || (c->hook_op && c->hook_op == op))) {
		media_chan_set_hook(c, NULL, NULL, NULL);	/* the owner reports its OP_DONE */
		found++;
	}
	if (op && !found)
		return end(c, cti__error(CTI_ENOENT, "cti_stop: operation %d is not running on the call", op));
	return end(c, 0);
}

int cti_levels(cti_call_t *call, double *rx_dbm0, double *tx_dbm0)
{
	int err = 0;
	struct media_chan *c = begin(call, "cti_levels", &err);

	if (!c)
		return err;
	double r = 0, t = 0;
	for (int i = 0; i < LEVEL_BLOCKS; i++) {
		r += c->lev_rx[i];
		t += c->lev_tx[i];
	}
	if (rx_dbm0)
		*rx_dbm0 = media_dbm0(r / (LEVEL_BLOCKS * MEDIA_BLOCK));
	if (tx_dbm0)
		*tx_dbm0 = media_dbm0(t / (LEVEL_BLOCKS * MEDIA_BLOCK));
	return end(c, 0);
}

int cti_cpa_start(cti_call_t *call, const cti_cpa_params_t *p)
{
	int err = 0;
	cti_cpa_params_t def;

	if (!p) {
		cti_cpa_params_init(&def);
		p = &def;
	}
	struct media_chan *c = begin(call, "cti_cpa_start", &err);
	if (!c)
		return err;
	if (c->cpa)
		return end(c, cti__error(CTI_EBUSY, "cti_cpa_start: analysis %d already running", c->cpa->id));
	struct cpa *a = calloc(1, sizeof(*a));
	if (!a)
		return end(c, cti__error(CTI_ENOMEM, "cti_cpa_start: out of memory"));
	a->id = media_next_op_id(c->m);
	a->p = *p;
	a->ring_sig = -3;
	c->fax_tone = 0;
	c->cpa = a;
	return end(c, a->id);
}

/* ---------------------------------------------------------------- bridging */

static void unroute(struct media_chan *c)
{
	if (c->bridge) {
		c->bridge->bridge = NULL;
		c->bridge = NULL;
	}
	if (c->conf)
		conf_drop(c->conf, c);
}

int cti_bridge(cti_call_t *a, cti_call_t *b)
{
	int err = 0;

	if (!a || !b || a == b)
		return cti__error(CTI_EINVAL, "cti_bridge: %s", a == b && a ? "a call cannot be bridged to itself" :
				  "call is NULL");
	if (cti__call_ctx(a) != cti__call_ctx(b))
		return cti__error(CTI_EINVAL, "cti_bridge: calls of different contexts");
	struct media_chan *ca = begin(a, "cti_bridge", &err);
	if (!ca)
		return err;
	struct media_chan *cb = cti__call_media(b);
	if (!cb)
		return end(ca, cti__error(CTI_ESTATE, "cti_bridge: the second call has no B-channel"));
	if (ca->bridge == cb)
		return end(ca, 0);
	unroute(ca);
	unroute(cb);
	ca->bridge = cb;
	cb->bridge = ca;
	return end(ca, 0);
}

int cti_unbridge(cti_call_t *call)
{
	int err = 0;
	struct media_chan *c = begin(call, "cti_unbridge", &err);

	if (!c)
		return err;
	if (!c->bridge)
		return end(c, cti__error(CTI_ENOENT, "cti_unbridge: the call is not bridged"));
	c->bridge->bridge = NULL;
	c->bridge = NULL;
	return end(c, 0);
}

cti_conf_t *cti_conf_new(cti_ctx_t *ctx)
{
	if (!ctx) {
		cti__error(CTI_EINVAL, "cti_conf_new: ctx is NULL");
		return NULL;
	}
	cti__lock(ctx);
	struct media_engine *m = cti__media(ctx);
	struct cti_conf *cf = m ? calloc(1, sizeof(*cf)) : NULL;
	if (!cf) {
		cti__unlock(ctx);
		cti__error(m ? CTI_ENOMEM : CTI_ESTATE, "cti_conf_new: %s", m ? "out of memory" : "no media engine");
		return NULL;
	}
	cf->m = m;
	cf->next = m->confs;
	m->confs = cf;
	cti__unlock(ctx);
	return cf;
}

int cti_conf_add(cti_conf_t *conf, cti_call_t *call)
{
	int err = 0;

	if (!conf)
		return cti__error(CTI_EINVAL, "cti_conf_add: conf is NULL");
	struct media_chan *c = begin(call, "cti_conf_add", &err);
	if (!c)
		return err;
	if (conf->m != c->m)
		return end(c, cti__error(CTI_EINVAL, "cti_conf_add: the call belongs to another context"));
	if (c->conf == conf)
		return end(c, 0);
	if (conf->n >= CONF_MAX)
		return end(c, cti__error(CTI_EBUSY, "cti_conf_add: conference full (%d members)", CONF_MAX));
	unroute(c);
	conf->mem[conf->n++] = c;
	c->conf = conf;
	return end(c, 0);
}

int cti_conf_remove(cti_conf_t *conf, cti_call_t *call)
{
	int err = 0;

	if (!conf)
		return cti__error(CTI_EINVAL, "cti_conf_remove: conf is NULL");
	struct media_chan *c = begin(call, "cti_conf_remove", &err);
	if (!c)
		return err;
	if (c->conf != conf)
		return end(c, cti__error(CTI_ENOENT, "cti_conf_remove: the call is not in this conference"));
	conf_drop(conf, c);
	return end(c, 0);
}

void cti_conf_free(cti_conf_t *conf)
{
	if (!conf)
		return;
	struct media_engine *m = conf->m;
	cti__lock(m->ctx);
	while (conf->n)
		conf_drop(conf, conf->mem[0]);
	for (struct cti_conf **pp = &m->confs; *pp; pp = &(*pp)->next)
		if (*pp == conf) {
			*pp = conf->next;
			break;
		}
	cti__unlock(m->ctx);
	free(conf);
}

int cti_monitor(cti_call_t *supervisor, cti_call_t *target, enum cti_monitor_mode mode)
{
	int err = 0;

	if (!supervisor || !target || supervisor == target)
		return cti__error(CTI_EINVAL, "cti_monitor: %s", supervisor == target && target ?
				  "a call cannot monitor itself" : "call is NULL");
	if ((unsigned)mode > CTI_MONITOR_BARGE)
		return cti__error(CTI_EINVAL, "cti_monitor: mode %d unknown", mode);
	if (cti__call_ctx(supervisor) != cti__call_ctx(target))
		return cti__error(CTI_EINVAL, "cti_monitor: calls of different contexts");
	struct media_chan *s = begin(supervisor, "cti_monitor", &err);
	if (!s)
		return err;
	struct media_chan *t = cti__call_media(target);
	if (!t)
		return end(s, cti__error(CTI_ESTATE, "cti_monitor: the target call has no B-channel"));
	if (t->mon_target == s)
		return end(s, cti__error(CTI_EINVAL, "cti_monitor: the target is monitoring the supervisor"));
	if (s->mon_target != t)
		unroute(s);	/* a supervisor is in no bridge/conference while monitoring */
	set_mon(s, t);
	s->mon_mode = mode;
	return end(s, 0);
}

int cti_monitor_stop(cti_call_t *supervisor)
{
	int err = 0;
	struct media_chan *s = begin(supervisor, "cti_monitor_stop", &err);

	if (!s)
		return err;
	if (!s->mon_target)
		return end(s, cti__error(CTI_ENOENT, "cti_monitor_stop: the call monitors nobody"));
	set_mon(s, NULL);
	return end(s, 0);
}
