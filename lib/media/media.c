/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media.c - libcti media engine: engine and channels, operations and their
 * termination conditions, the 20 ms tick, tones and DTMF generation, stop,
 * levels. The other concerns have their own files: player.c, recorder.c,
 * detect.c (DTMF/tones/CPA), mix.c (bridges, conferences, monitors),
 * tones.c (tone tables, generator and detector).
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
#include "../abi.h"

/* ---------------------------------------------------------------- G.711 */

int16_t media_alaw_dec[256], media_ulaw_dec[256];
uint8_t media_alaw_enc[65536], media_ulaw_enc[65536];
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

static void g711_tables(void)
{
	for (int i = 0; i < 256; i++) {
		media_alaw_dec[i] = alaw_to_linear((uint8_t)i);
		media_ulaw_dec[i] = ulaw_to_linear((uint8_t)i);
	}
	/* full 16-bit index: u-law's bias makes the low bits matter for rounding */
	for (int i = 0; i < 65536; i++) {
		int x = (int16_t)(uint16_t)i;
		media_alaw_enc[i] = linear_to_alaw(x);
		media_ulaw_enc[i] = linear_to_ulaw(x);
	}
	media_tables_init();
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

void cti_term_init_sized(cti_term_t *app, size_t size)
{
	cti_term_t t = { .silence_dbm0 = -42 };

	cti__abi_init(app, size, &t, sizeof(t));
}

void cti_record_params_init_sized(cti_record_params_t *app, size_t size)
{
	cti_record_params_t p = { .mode = CTI_REC_MIXED, .format = CTI_FMT_WAV_PCM16 };

	cti__abi_init(app, size, &p, sizeof(p));
}

void cti_cpa_params_init_sized(cti_cpa_params_t *app, size_t size)
{
	cti_cpa_params_t p = { .no_answer_ms = 30000, .voice_ms = 1500, .max_ms = 45000, .silence_ms = 5000 };

	cti__abi_init(app, size, &p, sizeof(p));
}

/* ---------------------------------------------------------------- events */

void media_post(struct media_chan *c, cti_event_t *ev, int type)
{
	ev->type = type;
	ev->call = c->call;
	ev->span = c->span;
	ev->channel = c->channel;
	c->m->ops->post(c->m->core, ev);
}

void media_op_free(struct op *o)
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

/* End an operation: exactly one OP_DONE. Detaches it from the channel. */
void media_op_end(struct media_chan *c, struct op *o, int reason, int err, const char *msg)
{
	cti_event_t ev;

	if (o->job) {
		struct io_job *j = o->job;
		int kind = j->kind, rc;

		o->job = NULL;
		/* a recording ended by a full ring does not wait for the stalled disk */
		rc = media_io_release(&c->m->io, j, kind == CTI_OP_RECORD && reason != CTI_TERM_ERROR ?
				      REC_CLOSE_WAIT_MS : 0, o->errmsg, sizeof(o->errmsg));
		if (kind == CTI_OP_RECORD && reason != CTI_TERM_ERROR && rc <= 0) {
			if (rc == 0)
				snprintf(o->errmsg, sizeof(o->errmsg),
					 "record: '%.60s': disk stalled, file finished in the background",
					 o->rpath[0]);
			reason = CTI_TERM_ERROR;
			err = CTI_EIO;
			msg = o->errmsg;
		}
	}
	if (o->kind == CTI_OP_PLAY && o->underrun && !msg) {
		snprintf(o->errmsg, sizeof(o->errmsg), "play: %llu ms of silence: the file was read late",
			 (unsigned long long)o->underrun / 8);
		msg = o->errmsg;
	}
	if (o->kind == CTI_OP_RECORD) {
		if (reason != CTI_TERM_ERROR && media_rec_flush(c, o) < 0) {
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
	media_post(c, &ev, CTI_EV_OP_DONE);
	media_op_free(o);
}

/* ---------------------------------------------------------------- engine and channels */

static const struct media_core_ops *_Atomic core_ops;

const struct media_core_ops *media_core(void)
{
	return core_ops;
}

struct media_engine *media_call_engine(cti_call_t *call)
{
	const struct media_core_ops *ops = core_ops;

	return ops ? ops->call_engine(call) : NULL;
}

void media_lock(struct media_engine *m)
{
	m->ops->lock(m->core);
}

void media_unlock(struct media_engine *m)
{
	m->ops->unlock(m->core);
}

struct media_engine *media_engine_new(const struct media_core_ops *ops, void *core,
				      const struct media_config *cfg)
{
	struct media_engine *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_once(&tables_once, g711_tables);	/* contexts may be opened in parallel */
	core_ops = ops;		/* one core per process: every engine gets the same */
	m->ops = ops;
	m->core = core;
	m->tt = tone_table_find(cfg && cfg->tone_country ? cfg->tone_country : "itu");
	m->io_thread = cfg && cfg->io_thread;
	m->rec_ring_frames = (cfg && cfg->rec_ring_ms ? cfg->rec_ring_ms : 2000) * 8;
	m->play_ring_samples = (cfg && cfg->play_ring_ms ? cfg->play_ring_ms : 1000) * 8;
	if (m->rec_ring_frames < 2 * MEDIA_BLOCK)
		m->rec_ring_frames = 2 * MEDIA_BLOCK;
	if (m->play_ring_samples < 2 * MEDIA_BLOCK)
		m->play_ring_samples = 2 * MEDIA_BLOCK;
	if (!m->tt)
		m->tt = tone_table_find("itu");
	return m;
}

struct media_chan *media_chan_new(struct media_engine *m, cti_call_t *call, enum cti_law law, int span,
				  int channel)
{
	struct media_chan *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->m = m;
	c->call = call;
	c->span = span;
	c->channel = channel;
	c->law = law;
	c->dec = law == CTI_LAW_ALAW ? media_alaw_dec : media_ulaw_dec;
	c->enc = law == CTI_LAW_ALAW ? media_alaw_enc : media_ulaw_enc;
	memset(c->tx, enc1(c->enc, 0), MEDIA_BLOCK);
	memset(c->rx, enc1(c->enc, 0), MEDIA_BLOCK);
	c->dtmf = dtmf_rx_init(NULL, media_dtmf_cb, c);
	c->cng = modem_connect_tones_rx_init(NULL, MODEM_CONNECT_TONES_FAX_CNG, media_cng_cb, c);
	c->ced = modem_connect_tones_rx_init(NULL, MODEM_CONNECT_TONES_FAX_CED, media_ced_cb, c);
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
	tone_det_init(&c->td, m->tt);
	for (int i = 0; i < LEVEL_BLOCKS; i++)
		c->lev_rx[i] = c->lev_tx[i] = 0;
	c->next = m->chans;
	if (m->chans)
		m->chans->prev = c;
	m->chans = c;
	return c;
}

void media_chan_free(struct media_chan *c)
{
	if (!c)
		return;
	struct media_engine *m = c->m;

	if (c->out)
		media_op_end(c, c->out, CTI_TERM_HANGUP, 0, NULL);
	if (c->in)
		media_op_end(c, c->in, CTI_TERM_HANGUP, 0, NULL);
	if (c->cpa)
		media_cpa_end(c, CTI_CPA_NONE, CTI_TERM_HANGUP);
	if (c->bridge)
		c->bridge->bridge = NULL;
	if (c->conf)
		media_conf_drop(c->conf, c);
	for (struct media_chan *o = m->chans; o; o = o->next)
		if (o->mon_target == c)
			media_set_mon(o, NULL);
	media_set_mon(c, NULL);
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
	/* every file finished and closed, or (disk stalled) left to the workers, which free m */
	if (media_io_stop(&m->io, m))
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
		media_op_end(c, c->out, CTI_TERM_STOPPED, 0, NULL);
	c->hook = fn;
	c->hook_end = fn ? end : NULL;
	c->hook_user = user;
	c->hook_op = 0;
	c->hook_continuous = 0;
	return 0;
}

void media_chan_set_hook_op(struct media_chan *c, int op_id)
{
	if (c->hook)
		c->hook_op = op_id;
}

void media_chan_set_hook_continuous(struct media_chan *c, int on)
{
	if (c->hook)
		c->hook_continuous = !!on;
}

int media_chan_continuous(const struct media_chan *c)
{
	return c && c->hook && c->hook_continuous;
}

int media_next_op_id(struct media_engine *m)
{
	if (++m->next_op <= 0)
		m->next_op = 1;
	return m->next_op;
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
				media_op_end(c, o, CTI_TERM_TERM_DIGIT, 0, NULL);
				return 1;
			}
			if (t->max_digits > 0 && o->ndig >= t->max_digits) {
				media_op_end(c, o, CTI_TERM_MAX_DIGITS, 0, NULL);
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
				media_op_end(c, o, CTI_TERM_DIGIT, 0, NULL);
				return 1;
			}
			if (t->term_digits[0] && strchr(t->term_digits, d)) {
				o->digits[0] = d;
				media_op_end(c, o, CTI_TERM_TERM_DIGIT, 0, NULL);
				return 1;
			}
			if (t->max_digits > 0 && o->ndig >= t->max_digits) {
				media_op_end(c, o, CTI_TERM_MAX_DIGITS, 0, NULL);
				return 1;
			}
		}
		o->digit_seq = c->digit_seq;
	}
	if (t->max_time_ms && el >= t->max_time_ms) {
		media_op_end(c, o, CTI_TERM_MAX_TIME, 0, NULL);
		return 1;
	}
	if (t->first_digit_ms && !o->ndig && el >= t->first_digit_ms) {
		media_op_end(c, o, CTI_TERM_FIRST_DIGIT_TIMEOUT, 0, NULL);
		return 1;
	}
	if (t->inter_digit_ms && o->ndig && (o->ticks - o->last_digit_tick) * 20 >= t->inter_digit_ms) {
		media_op_end(c, o, CTI_TERM_INTER_DIGIT_TIMEOUT, 0, NULL);
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
			media_op_end(c, o, CTI_TERM_MAX_SILENCE, 0, NULL);
			return 1;
		}
		if (t->initial_silence_ms && !o->heard && el >= t->initial_silence_ms) {
			media_op_end(c, o, CTI_TERM_INITIAL_SILENCE, 0, NULL);
			return 1;
		}
	}
	return 0;
}

/* The channel's own output (hook, play, tone, DTMF, record beep) into acc. */
/* The channel's transmit accumulator, cleared on first use in a tick. */
int32_t *media_acc(struct media_chan *c)
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
		int32_t *a = media_acc(c);
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
			int r = media_play_block(c, o, media_acc(c));
			if (r) {
				media_op_end(c, o, r < 0 ? CTI_TERM_ERROR : CTI_TERM_EOD, r < 0 ? CTI_EIO : 0,
				       r < 0 ? o->errmsg : NULL);
				o = NULL;
			}
		} else {
			int got = gen_run(&o->gen, media_acc(c), MEDIA_BLOCK);
			o->samples += (uint64_t)got;
			if (gen_done(&o->gen)) {
				media_op_end(c, o, CTI_TERM_EOD, 0, NULL);
				o = NULL;
			}
		}
		if (o)
			op_check(c, o);
	}
	if (c->in && c->in->gen_on) {	/* record beep */
		gen_run(&c->in->gen, media_acc(c), MEDIA_BLOCK);
		if (gen_done(&c->in->gen))
			c->in->gen_on = 2;	/* recording starts with the next block */
	}
}

void media_engine_tick(struct media_engine *m)
{
	struct media_chan *c;

	m->ticks++;
	/* 1. receive side: decode, detect */
	for (c = m->chans; c; c = c->next)
		media_chan_detect(c);
	/* 2. own output of each channel, then the parties it is connected to */
	for (c = m->chans; c; c = c->next)
		chan_out(c);
	media_mix(m);
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
				else if (!o->gen_on && !o->paused && media_rec_block(c, o) < 0) {
					media_op_end(c, o, CTI_TERM_ERROR, CTI_EIO, o->errmsg);
					o = NULL;
				}
			}
			if (o && !(o->kind == CTI_OP_RECORD && o->gen_on))
				op_check(c, o);
		}
		if (c->cpa)
			media_cpa_block(c);
	}
}

/* ---------------------------------------------------------------- public API */

/* Look up and lock: returns the channel or NULL with *err set (lock released). */
struct media_chan *media_begin(cti_call_t *call, const char *fn, int *err)
{
	if (!call) {
		*err = cti__error(CTI_EINVAL, "%s: call is NULL", fn);
		return NULL;
	}
	struct media_engine *m = media_call_engine(call);
	if (!m) {
		*err = cti__error(CTI_ESTATE, "%s: the call's context has no media engine", fn);
		return NULL;
	}
	media_lock(m);
	struct media_chan *c = m->ops->call_chan(call);
	if (!c) {
		media_unlock(m);
		*err = cti__error(CTI_ESTATE, "%s: the call has no B-channel (not connected or cleared)", fn);
		return NULL;
	}
	return c;
}

int media_end(struct media_chan *c, int rc)
{
	media_unlock(c->m);
	return rc;
}

struct op *media_op_new(struct media_chan *c, int kind, const cti_term_t *term)
{
	struct op *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->id = media_next_op_id(c->m);
	o->kind = kind;
	cti_term_init(&o->term);
	if (term)	/* checked by media_term_check() */
		cti__abi_in(&o->term, sizeof(o->term), term, "op", "cti_term");
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

int media_term_check(const cti_term_t *app, const char *fn)
{
	cti_term_t full, *t = &full;
	int rc;

	if (!app)
		return 0;
	cti_term_init(t);
	if ((rc = cti__abi_in(t, sizeof(*t), app, fn, "cti_term")) < 0)
		return rc;
	if (!memchr(t->term_digits, '\0', sizeof(t->term_digits)))
		return cti__error(CTI_EINVAL, "%s: term_digits is not NUL-terminated (at most %zu digits)", fn,
				  sizeof(t->term_digits) - 1);
	if (t->max_digits < 0 || t->max_digits > 63)
		return cti__error(CTI_EINVAL, "%s: max_digits %d out of range 0..63", fn, t->max_digits);
	for (const char *p = t->term_digits; *p; p++)
		if (!strchr("0123456789*#ABCD", *p))
			return cti__error(CTI_EINVAL, "%s: term_digits: '%c' is no DTMF digit", fn, *p);
	if (t->silence_dbm0 > 3 || t->silence_dbm0 < -90)
		return cti__error(CTI_EINVAL, "%s: silence_dbm0 %d out of range -90..3", fn, t->silence_dbm0);
	return 0;
}

int media_out_free(struct media_chan *c, const char *fn)
{
	if (c->hook)
		return cti__error(CTI_EBUSY, "%s: the channel is in use by fax", fn);
	if (c->out)
		return cti__error(CTI_EBUSY, "%s: operation %d (%s) is already playing on the call", fn,
				  c->out->id, c->out->kind == CTI_OP_PLAY ? "play" :
				  c->out->kind == CTI_OP_TONE ? "tone" : "dtmf");
	return 0;
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
	struct media_chan *c = media_begin(call, "cti_send_dtmf", &err);
	if (!c)
		return err;
	if ((err = media_out_free(c, "cti_send_dtmf")) < 0)
		return media_end(c, err);
	struct op *o = media_op_new(c, CTI_OP_SEND_DTMF, NULL);
	if (!o)
		return media_end(c, cti__error(CTI_ENOMEM, "cti_send_dtmf: out of memory"));
	o->gen = g;
	c->out = o;
	return media_end(c, o->id);
}

int cti_play_tone(cti_call_t *call, enum cti_tone tone, const cti_term_t *term)
{
	int err = 0;

	if (tone <= CTI_TONE_NONE || tone > CTI_TONE_MILLIWATT)
		return cti__error(CTI_EINVAL, "cti_play_tone: tone %d unknown", tone);
	if ((err = media_term_check(term, "cti_play_tone")) < 0)
		return err;
	struct media_chan *c = media_begin(call, "cti_play_tone", &err);
	if (!c)
		return err;
	if ((err = media_out_free(c, "cti_play_tone")) < 0)
		return media_end(c, err);
	struct op *o = media_op_new(c, CTI_OP_TONE, term);
	if (!o)
		return media_end(c, cti__error(CTI_ENOMEM, "cti_play_tone: out of memory"));
	if (gen_tone(&o->gen, c->td.tt, tone) < 0) {
		media_op_free(o);
		return media_end(c, cti__error(CTI_ENOTSUP, "cti_play_tone: tone table '%s' has no %s tone",
					 c->td.tt->country, cti_tone_name(tone)));
	}
	c->out = o;
	return media_end(c, o->id);
}

int cti_stop(cti_call_t *call, int op)
{
	int err = 0;
	struct media_chan *c = media_begin(call, "cti_stop", &err);

	if (!c)
		return err;
	int found = 0;
	if (c->out && (!op || c->out->id == op)) {
		media_op_end(c, c->out, CTI_TERM_STOPPED, 0, NULL);
		found++;
	}
	if (c->in && (!op || c->in->id == op)) {
		media_op_end(c, c->in, CTI_TERM_STOPPED, 0, NULL);
		found++;
	}
	if (c->cpa && (!op || c->cpa->id == op)) {
		media_cpa_end(c, CTI_CPA_NONE, CTI_TERM_STOPPED);
		found++;
	}
	if (c->hook && (!op || (c->hook_op && c->hook_op == op))) {
		media_chan_set_hook(c, NULL, NULL, NULL);	/* the owner reports its OP_DONE */
		found++;
	}
	if (op && !found)
		return media_end(c, cti__error(CTI_ENOENT, "cti_stop: operation %d is not running on the call", op));
	return media_end(c, 0);
}

int cti_levels(cti_call_t *call, double *rx_dbm0, double *tx_dbm0)
{
	int err = 0;
	struct media_chan *c = media_begin(call, "cti_levels", &err);

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
	return media_end(c, 0);
}
