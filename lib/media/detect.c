/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * detect.c - receive side: DTMF (spandsp), CNG/CED, progress tones, digit buffer
 * and get digits, call progress analysis (CPA).
 */
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#include "media_int.h"
#include "../abi.h"

void media_cpa_end(struct media_chan *c, int result, int reason)
{
	struct cpa *p = c->cpa;
	cti_event_t ev;

	c->cpa = NULL;
	memset(&ev, 0, sizeof(ev));
	ev.u.cpa.result = result;
	ev.u.cpa.duration_ms = p->ms;
	media_post(c, &ev, CTI_EV_CPA_DONE);
	memset(&ev, 0, sizeof(ev));
	ev.u.op.id = p->id;
	ev.u.op.kind = CTI_OP_CPA;
	ev.u.op.reason = reason;
	ev.u.op.duration_ms = p->ms;
	media_post(c, &ev, CTI_EV_OP_DONE);
	free(p);
}

/* ---------------------------------------------------------------- detection callbacks */

void media_dtmf_cb(void *user, const char *digits, int len)
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
		media_post(c, &ev, CTI_EV_DIGIT);
	}
}

static void tone_event(struct media_chan *c, enum cti_tone t)
{
	cti_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.u.tone.tone = t;
	media_post(c, &ev, CTI_EV_TONE);
}

void media_cng_cb(void *user, int code, int level, int delay)
{
	struct media_chan *c = user;

	(void)level;
	(void)delay;
	if (code == MODEM_CONNECT_TONES_FAX_CNG) {
		c->fax_tone = 1;
		tone_event(c, CTI_TONE_CNG);
	}
}

void media_ced_cb(void *user, int code, int level, int delay)
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

/* ---------------------------------------------------------------- the tick */

void media_chan_detect(struct media_chan *c)
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

/* ---------------------------------------------------------------- CPA */

void media_cpa_block(struct media_chan *c)
{
	struct cpa *p = c->cpa;

	p->ms += 20;
	if (c->fax_tone) {
		media_cpa_end(c, CTI_CPA_FAX, CTI_TERM_EOD);
		return;
	}
	switch (c->tone_now) {
	case CTI_TONE_BUSY:
		media_cpa_end(c, CTI_CPA_BUSY, CTI_TERM_EOD);
		return;
	case CTI_TONE_CONGESTION:
		media_cpa_end(c, CTI_CPA_CONGESTION, CTI_TERM_EOD);
		return;
	case CTI_TONE_SIT:
		media_cpa_end(c, CTI_CPA_SIT, CTI_TERM_EOD);
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
		media_cpa_end(c, CTI_CPA_NO_ANSWER, CTI_TERM_EOD);
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
			media_cpa_end(c, CTI_CPA_MACHINE, CTI_TERM_EOD);
			return;
		}
		if (p->gap_ms >= 800) {			/* short "hello?", then quiet: a person */
			media_cpa_end(c, CTI_CPA_VOICE, CTI_TERM_EOD);
			return;
		}
	} else if (cls == -1 && !ring_on && c->m->ops->call_connected(c->call)) {
		/* silence counts once the call is answered */
		p->silence_ms += 20;
		if (p->p.silence_ms && p->silence_ms >= p->p.silence_ms) {
			media_cpa_end(c, CTI_CPA_SILENCE, CTI_TERM_EOD);
			return;
		}
	} else if (cls != -1) {
		p->silence_ms = 0;
	}
	if (p->p.max_ms && p->ms >= p->p.max_ms)
		media_cpa_end(c, ring_on ? CTI_CPA_NO_ANSWER : CTI_CPA_NONE, CTI_TERM_MAX_TIME);
}

int cti_get_digits(cti_call_t *call, const cti_term_t *term)
{
	int err = 0;

	if ((err = media_term_check(term, "cti_get_digits")) < 0)
		return err;
	struct media_chan *c = media_begin(call, "cti_get_digits", &err);
	if (!c)
		return err;
	if (c->in)
		return media_end(c, cti__error(CTI_EBUSY, "cti_get_digits: operation %d (%s) is already running on the call",
					 c->in->id, c->in->kind == CTI_OP_RECORD ? "record" : "get digits"));
	struct op *o = media_op_new(c, CTI_OP_GET_DIGITS, term);
	if (!o)
		return media_end(c, cti__error(CTI_ENOMEM, "cti_get_digits: out of memory"));
	c->in = o;
	return media_end(c, o->id);
}

int cti_digits_read(cti_call_t *call, char *buf, size_t size)
{
	int err = 0;

	if (!buf || !size)
		return cti__error(CTI_EINVAL, "cti_digits_read: no buffer");
	struct media_chan *c = media_begin(call, "cti_digits_read", &err);
	if (!c)
		return err;
	int n = 0;
	if (c->in && c->in->kind == CTI_OP_GET_DIGITS) {
		buf[0] = 0;
		return media_end(c, 0);	/* the running get digits owns the buffer */
	}
	while (c->dig_count && (size_t)n + 1 < size) {
		buf[n++] = c->digbuf[c->dig_head];
		c->dig_head = (c->dig_head + 1) % DIGBUF;
		c->dig_count--;
	}
	buf[n] = 0;
	return media_end(c, n);
}

void cti_digits_flush(cti_call_t *call)
{
	int err = 0;
	struct media_chan *c = media_begin(call, "cti_digits_flush", &err);

	if (!c)
		return;
	c->dig_count = 0;
	c->dig_head = 0;
	media_end(c, 0);
}

int cti_cpa_start(cti_call_t *call, const cti_cpa_params_t *p)
{
	int err = 0;
	cti_cpa_params_t def;

	cti_cpa_params_init(&def);
	if (p && (err = cti__abi_in(&def, sizeof(def), p, "cti_cpa_start", "cti_cpa_params")) < 0)
		return err;
	p = &def;
	struct media_chan *c = media_begin(call, "cti_cpa_start", &err);
	if (!c)
		return err;
	if (c->cpa)
		return media_end(c, cti__error(CTI_EBUSY, "cti_cpa_start: analysis %d already running", c->cpa->id));
	struct cpa *a = calloc(1, sizeof(*a));
	if (!a)
		return media_end(c, cti__error(CTI_ENOMEM, "cti_cpa_start: out of memory"));
	a->id = media_next_op_id(c->m);
	a->p = *p;
	a->ring_sig = -3;
	c->fax_tone = 0;
	c->cpa = a;
	return media_end(c, a->id);
}
