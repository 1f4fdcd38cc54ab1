/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fax_session.c - one T.30 fax session (spandsp) on a media channel's hook.
 *
 * The media engine calls fax_session_hook() every 20 ms with the linear
 * samples received on the B-channel and takes the transmitted ones back.
 * spandsp's T.30 timers advance only with the samples fed to fax_rx(), so
 * the session keeps working in virtual time exactly as in real time.
 *
 * Events (cti__post, lock held since the hook runs under the context lock):
 *   CTI_EV_FAX_PHASE_B  after each successful training (CFR seen, T.30 5.3.6):
 *                       remote ident, bit rate, ECM, resolution
 *   CTI_EV_FAX_PAGE     each page confirmed (phase D: MCF sent/received)
 *   CTI_EV_FAX_DONE     phase E: T.30 completion code, pages, rate, bad rows
 *   CTI_EV_OP_DONE      kind CTI_OP_FAX, the operation id of cti_fax_send/receive
 */
#include "cticonfig.h"
#ifdef CONFIG_FAX

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Internal structures: the T.30 state, for the receiver workaround in rt_frame_cb. */
#define SPANDSP_EXPOSE_INTERNAL_STRUCTURES 1
#include <tiffio.h>
#include <spandsp.h>

#include "fax.h"
#include "../media/media.h"

#define T30_FCF_CFR 0x84	/* confirmation to receive (T.30 5.3.6) */
#define T30_FCF_DCS 0x82	/* digital command signal */
#define T30_FCF_PPS 0xbe	/* partial page signal (ECM) */
#define T30_FCF_PPR 0xbc	/* partial page request (ECM) */
/*
 * spandsp 0.0.6's private T.30 states (t30.c: T30_STATE_F_TCF,
 * T30_STATE_F_DOC_ECM, T30_STATE_F_FTT, T30_STATE_R), as its FLOW log
 * prints them, and its PPR limit before CTC/EOR. Debian's libspandsp2 is
 * 0.0.6; a build against another version must recheck these.
 */
#define SPANDSP_T30_STATE_F_TCF 7
#define SPANDSP_T30_STATE_F_FTT 9
#define SPANDSP_T30_STATE_F_DOC_ECM 12
#define SPANDSP_T30_STATE_R 17
#define SPANDSP_PPR_LIMIT 4

/* Samples on each side of one that despike() compares it with. */
#define SPIKE_REACH 3

struct fax_session {
	struct fax_session *next;	/* registry of sessions on channels */
	cti_ctx_t *ctx;
	cti_call_t *call;
	struct media_chan *chan;
	int span, channel, op_id;
	int sending, calling;
	char tx_file[4096];
	int tx_is_temp;
	fax_state_t *fs;
	t30_state_t *t30;

	int phase_e;		/* phase E handler ran */
	int result;		/* T.30 completion code */
	int done;		/* events posted: only freeing is left */
	int pages_posted;
	int bad_rows;
	int bit_rate;
	int timed_out;		/* stopped at max_ms */
	uint32_t max_ms;
	uint64_t samples;
	int16_t rxbuf[MEDIA_BLOCK];
	int16_t hist[2 * SPIKE_REACH];	/* received samples not yet passed on (delay line) */
	unsigned spikes;		/* samples repaired by despike() */
};

/*
 * Sessions installed on channels. media_chan_set_hook() replaces a hook
 * silently; a second fax on a busy channel must be CTI_EBUSY instead, so
 * the fax module keeps its own list (contexts have separate locks).
 */
static pthread_mutex_t reg_lock = PTHREAD_MUTEX_INITIALIZER;
static struct fax_session *reg_head;
static uint32_t max_ms_setting;		/* 0: FAX_MAX_MS; under reg_lock */

void fax_set_max_ms(uint32_t ms)
{
	pthread_mutex_lock(&reg_lock);
	max_ms_setting = ms;
	pthread_mutex_unlock(&reg_lock);
}

int fax_chan_busy(struct media_chan *chan)
{
	struct fax_session *s;
	int busy = 0;

	pthread_mutex_lock(&reg_lock);
	for (s = reg_head; s; s = s->next)
		if (s->chan == chan)
			busy = 1;
	pthread_mutex_unlock(&reg_lock);
	return busy;
}

static void reg_remove(struct fax_session *s)
{
	struct fax_session **pp;

	pthread_mutex_lock(&reg_lock);
	for (pp = &reg_head; *pp; pp = &(*pp)->next)
		if (*pp == s) {
			*pp = s->next;
			break;
		}
	pthread_mutex_unlock(&reg_lock);
}

int fax_modem_mask(int modems, int max_rate)
{
	int m = 0;

	/* spandsp trains each family at its top rate first, falls back below it. */
	if ((modems & CTI_FAX_V27TER) && max_rate >= 4800)
		m |= T30_SUPPORT_V27TER;
	if ((modems & CTI_FAX_V29) && max_rate >= 9600)
		m |= T30_SUPPORT_V29;
	if ((modems & CTI_FAX_V17) && max_rate >= 14400)
		m |= T30_SUPPORT_V17;
	return m;
}

static void fill_fax_event(struct fax_session *s, cti_event_t *ev, int type)
{
	t30_stats_t st;
	const char *id;

	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->call = s->call;
	ev->span = s->span;
	ev->channel = s->channel;
	t30_get_transfer_statistics(s->t30, &st);
	ev->u.fax.sending = s->sending;
	ev->u.fax.page = s->sending ? st.pages_tx : st.pages_rx;
	id = t30_get_rx_ident(s->t30);
	if (id)
		snprintf(ev->u.fax.remote_ident, sizeof(ev->u.fax.remote_ident), "%s", id);
	ev->u.fax.bit_rate = st.bit_rate;
	ev->u.fax.ecm = st.error_correcting_mode;
	ev->u.fax.x_res = st.x_resolution;
	ev->u.fax.y_res = st.y_resolution;
	ev->u.fax.bad_rows = st.bad_rows;
	switch (st.encoding) {
	case T4_COMPRESSION_ITU_T4_1D:
		ev->u.fax.compression = CTI_FAX_T4_1D;
		break;
	case T4_COMPRESSION_ITU_T4_2D:
		ev->u.fax.compression = CTI_FAX_T4_2D;
		break;
	case T4_COMPRESSION_ITU_T6:
		ev->u.fax.compression = CTI_FAX_T6;
		break;
	default:
		ev->u.fax.compression = 0;
		break;
	}
}

static void post_pages(struct fax_session *s, int pages)
{
	cti_event_t ev;

	while (s->pages_posted < pages) {
		fill_fax_event(s, &ev, CTI_EV_FAX_PAGE);
		ev.u.fax.page = ++s->pages_posted;
		cti__post(s->ctx, &ev);
	}
}

static void rt_frame_cb(t30_state_t *t, void *user, int incoming, const uint8_t *msg, int len)
{
	struct fax_session *s = user;
	cti_event_t ev;

	/*
	 * spandsp 0.0.6 bug: when the receiver's modem fails to train on TCF it
	 * sends nothing (no FTT) and stays in F_TCF; the sender repeats DCS
	 * after T4, and the receiver takes that DCS as unexpected and hangs up
	 * (DCN, "Unexpected message received"). A repeated DCS after a failed
	 * training is T.30's normal retry (T.30 5.3.6): put the receiver where
	 * it is after sending FTT, which handles DCS as the next attempt. This
	 * frame handler runs before spandsp processes the frame.
	 * At BER 1e-4 this and the two below took ECM from 23/30 to 29/30.
	 */
	if (incoming && len >= 3 && (msg[2] & 0xfe) == T30_FCF_DCS && t->state == SPANDSP_T30_STATE_F_TCF)
		t->state = SPANDSP_T30_STATE_F_FTT;
	/*
	 * Receiver, ECM: when its modem fails to train on an image burst it
	 * hears nothing, T2 expires, and it goes back to phase B (DIS, state R)
	 * with its error set; the sender's PPS at the end of the burst is then
	 * "unexpected" and ends the call. T.30 (Annex A) answers a PPS whose
	 * frames were all lost with a PPR asking for every frame: put the
	 * receiver back in its ECM document state, which does exactly that,
	 * and clear the T2 error, the page is still being received.
	 */
	if (incoming && len >= 3 && (msg[2] & 0xfe) == T30_FCF_PPS && !s->sending &&
	    t->state == SPANDSP_T30_STATE_R && t->error_correcting_mode) {
		t->state = SPANDSP_T30_STATE_F_DOC_ECM;
		t->current_status = T30_ERR_OK;
	}
	/*
	 * Sender, ECM: after the 4th PPR for a block spandsp sends CTC
	 * (continue to correct) only if the last rounds made "progress", else
	 * EOR, and gives up on the ERR that follows. On a line with steady bit
	 * errors each round still repairs some frames: always continue (T.30
	 * Annex A leaves CTC or EOR to the sender). A dead line still ends by
	 * T.30 timeouts, an endless one by the session's time limit.
	 */
	if (incoming && len >= 3 && (msg[2] & 0xfe) == T30_FCF_PPR && s->sending &&
	    t->ppr_count >= SPANDSP_PPR_LIMIT - 1 && !t->ecm_progress)
		t->ecm_progress = 1;
	/* Training accepted: rate, ECM and resolution of this phase C are final. */
	if (len >= 3 && (msg[2] & 0xfe) == T30_FCF_CFR) {
		fill_fax_event(s, &ev, CTI_EV_FAX_PHASE_B);
		ev.u.fax.page = s->pages_posted;
		ev.u.fax.bad_rows = 0;
		s->bit_rate = ev.u.fax.bit_rate;
		cti__post(s->ctx, &ev);
	}
}

static int phase_d_cb(t30_state_t *t, void *user, int result)
{
	struct fax_session *s = user;
	t30_stats_t st;
	int pages;

	(void)result;
	t30_get_transfer_statistics(t, &st);
	pages = s->sending ? st.pages_tx : st.pages_rx;
	if (pages > s->pages_posted)
		s->bad_rows += st.bad_rows;
	post_pages(s, pages);
	return T30_ERR_OK;
}

static void phase_e_cb(t30_state_t *t, void *user, int result)
{
	struct fax_session *s = user;

	(void)t;
	if (!s->phase_e) {
		s->phase_e = 1;
		s->result = result;
	}
}

void fax_session_free(struct fax_session *s)
{
	if (!s)
		return;
	reg_remove(s);
	if (s->fs) {
		/* Closes the received TIFF: pages written as they completed stay valid. */
		fax_release(s->fs);
		fax_free(s->fs);
	}
	if (s->tx_is_temp && s->tx_file[0])
		unlink(s->tx_file);
	free(s);
}

struct fax_session *fax_session_new(const struct fax_session_cfg *c)
{
	struct fax_session *s = calloc(1, sizeof(*s));
	int modems = fax_modem_mask(c->modems, c->max_rate);
	int comp;

	if (!s) {
		cti__error(CTI_ENOMEM, "fax: out of memory");
		return NULL;
	}
	s->ctx = c->ctx;
	s->call = c->call;
	s->span = c->span;
	s->channel = c->channel;
	s->op_id = c->op_id;
	s->sending = c->sending;
	s->calling = c->calling;
	s->tx_is_temp = c->tx_is_temp;
	pthread_mutex_lock(&reg_lock);
	s->max_ms = max_ms_setting ? max_ms_setting : FAX_MAX_MS;
	pthread_mutex_unlock(&reg_lock);
	if (c->tx_file)
		snprintf(s->tx_file, sizeof(s->tx_file), "%s", c->tx_file);
	s->fs = fax_init(NULL, c->calling ? 1 : 0);
	if (!s->fs) {
		fax_session_free(s);
		cti__error(CTI_ENOMEM, "fax: spandsp fax_init failed");
		return NULL;
	}
	s->t30 = fax_get_t30_state(s->fs);
	/* Keep sending silence between signals: the line must never run dry. */
	fax_set_transmit_on_idle(s->fs, 1);
	fax_set_tep_mode(s->fs, 0);
	if (c->ident && c->ident[0])
		t30_set_tx_ident(s->t30, c->ident);
	if (c->header && c->header[0])
		t30_set_tx_page_header_info(s->t30, c->header);
	t30_set_ecm_capability(s->t30, c->ecm ? 1 : 0);
	t30_set_supported_modems(s->t30, modems);
	/* T.4 1D is what every fax machine has; T.6 needs ECM (T.30 Table 2, DIS/DCS bit 31). */
	comp = T30_SUPPORT_T4_1D_COMPRESSION;
	if (c->compressions & CTI_FAX_T4_2D)
		comp |= T30_SUPPORT_T4_2D_COMPRESSION;
	if ((c->compressions & CTI_FAX_T6) && c->ecm)
		comp |= T30_SUPPORT_T6_COMPRESSION;
	t30_set_supported_compressions(s->t30, comp);
	t30_set_supported_resolutions(s->t30, T30_SUPPORT_STANDARD_RESOLUTION | T30_SUPPORT_FINE_RESOLUTION |
				      T30_SUPPORT_SUPERFINE_RESOLUTION | T30_SUPPORT_R8_RESOLUTION |
				      T30_SUPPORT_R16_RESOLUTION);
	t30_set_supported_image_sizes(s->t30, T30_SUPPORT_215MM_WIDTH | T30_SUPPORT_255MM_WIDTH |
				      T30_SUPPORT_303MM_WIDTH | T30_SUPPORT_UNLIMITED_LENGTH |
				      T30_SUPPORT_A4_LENGTH | T30_SUPPORT_B4_LENGTH |
				      T30_SUPPORT_US_LETTER_LENGTH | T30_SUPPORT_US_LEGAL_LENGTH);
	if (c->sending) {
		t30_set_tx_file(s->t30, s->tx_file, c->tx_first, c->tx_last);
	} else {
		t30_set_rx_file(s->t30, c->rx_file, -1);
		t30_set_rx_encoding(s->t30, T4_COMPRESSION_ITU_T6);
	}
	t30_set_phase_d_handler(s->t30, phase_d_cb, s);
	t30_set_phase_e_handler(s->t30, phase_e_cb, s);
	t30_set_real_time_frame_handler(s->t30, rt_frame_cb, s);
	return s;
}

void fax_session_set_chan(struct fax_session *s, struct media_chan *chan)
{
	s->chan = chan;
	pthread_mutex_lock(&reg_lock);
	s->next = reg_head;
	reg_head = s;
	pthread_mutex_unlock(&reg_lock);
}

/* "30-minute" or "90-second". */
static const char *limit_text(const struct fax_session *s, char *buf, size_t size)
{
	if (s->max_ms % 60000 == 0)
		snprintf(buf, size, "%u-minute", s->max_ms / 60000);
	else
		snprintf(buf, size, "%u-second", s->max_ms / 1000);
	return buf;
}

/* Post FAX_DONE and OP_DONE (reason for the op), release spandsp (files closed). */
static void finish(struct fax_session *s, int reason)
{
	char lim[32];
	cti_event_t ev;
	t30_stats_t st;
	int pages;

	t30_get_transfer_statistics(s->t30, &st);
	pages = s->sending ? st.pages_tx : st.pages_rx;
	post_pages(s, pages);
	fill_fax_event(s, &ev, CTI_EV_FAX_DONE);
	ev.u.fax.page = s->pages_posted;
	ev.u.fax.result = s->result;
	ev.u.fax.bad_rows = s->bad_rows;
	if (!ev.u.fax.bit_rate)
		ev.u.fax.bit_rate = s->bit_rate;
	if (s->timed_out)
		snprintf(ev.u.fax.result_text, sizeof(ev.u.fax.result_text), "Stopped at the %s fax time limit",
			 limit_text(s, lim, sizeof(lim)));
	else
		snprintf(ev.u.fax.result_text, sizeof(ev.u.fax.result_text), "%s",
			 t30_completion_code_to_str(s->result));
	/* Files closed before anyone hears of the result. */
	fax_release(s->fs);
	fax_free(s->fs);
	s->fs = NULL;
	s->t30 = NULL;
	cti__post(s->ctx, &ev);

	memset(&ev, 0, sizeof(ev));
	ev.type = CTI_EV_OP_DONE;
	ev.call = s->call;
	ev.span = s->span;
	ev.channel = s->channel;
	ev.u.op.id = s->op_id;
	ev.u.op.kind = CTI_OP_FAX;
	/*
	 * The document got through (phase E OK) even if the call went down
	 * while DCN was still on the wire: that is a completed fax.
	 */
	if (s->result == T30_ERR_OK) {
		reason = CTI_TERM_EOD;
	} else if (reason == CTI_TERM_EOD) {
		reason = CTI_TERM_ERROR;
		ev.u.op.error = CTI_EIO;
	}
	if (s->timed_out) {
		reason = CTI_TERM_MAX_TIME;
		ev.u.op.error = 0;
		snprintf(ev.u.op.message, sizeof(ev.u.op.message), "fax stopped at its %s time limit after %d "
			 "page%s", limit_text(s, lim, sizeof(lim)), s->pages_posted, s->pages_posted == 1 ? "" : "s");
	}
	ev.u.op.reason = reason;
	ev.u.op.duration_ms = (uint32_t)(s->samples / 8);
	ev.u.op.samples = s->samples;
	cti__post(s->ctx, &ev);
	s->done = 1;
}

/*
 * A bit error on a G.711 line hits one 8-bit sample: a flipped segment bit
 * multiplies the sample by 2 to 128, an isolated spike far above anything
 * around it. Such spikes break V.21 control frames (HDLC CRC) and
 * high-speed training far more often than the small error a flipped
 * mantissa bit leaves, and every lost control frame costs a T.30 retry;
 * ECM, with more control exchanges per page (PPS, PPR), suffers most.
 * A sample more than six times the largest of its SPIKE_REACH neighbours
 * on either side (plus 512) is replaced by the mean of its two neighbours.
 * Modem signals do not look like that; a factor of 2 or 3 does hit V.17 and
 * V.29 signals (their QAM envelope dips) and makes training fall back on a
 * clean line, 6 never did in the tests. Measured (test_fax_ber, 30 seeds,
 * BER 1e-4 both ways): ECM 23/30 complete instead of 20/30. Costs
 * SPIKE_REACH samples of delay (0.4 ms).
 */
static void despike(struct fax_session *s, int16_t *x, int n)
{
	int16_t w[MEDIA_BLOCK + 2 * SPIKE_REACH];
	int i, k;

	memcpy(w, s->hist, sizeof(s->hist));
	memcpy(w + 2 * SPIKE_REACH, x, (size_t)n * sizeof(*x));
	for (i = 0; i < n; i++) {
		int c = i + SPIKE_REACH, a = abs(w[c]), m = 0;

		for (k = 1; k <= SPIKE_REACH; k++) {
			if (abs(w[c - k]) > m)
				m = abs(w[c - k]);
			if (abs(w[c + k]) > m)
				m = abs(w[c + k]);
		}
		x[i] = w[c];
		if (a > 6 * m + 512) {
			x[i] = (int16_t)((w[c - 1] + w[c + 1]) / 2);
			w[c] = x[i];
			s->spikes++;
		}
	}
	memcpy(s->hist, w + n, sizeof(s->hist));
}

void fax_session_hook(void *user, const int16_t *rx, int16_t *tx, int n)
{
	struct fax_session *s = user;
	int k = 0;

	if (s->done || n > MEDIA_BLOCK) {
		memset(tx, 0, (size_t)n * sizeof(*tx));
		return;
	}
	/* fax_rx works on its input in place: never hand it the engine's buffer. */
	memcpy(s->rxbuf, rx, (size_t)n * sizeof(*rx));
	despike(s, s->rxbuf, n);
	fax_rx(s->fs, s->rxbuf, n);
	if (!s->phase_e)
		k = fax_tx(s->fs, tx, n);
	if (k < n)
		memset(tx + k, 0, (size_t)(n - k) * sizeof(*tx));
	s->samples += (uint64_t)n;
	if (!s->phase_e && s->samples >= (uint64_t)s->max_ms * 8) {
		/* Time limit: end T.30 here (closes the received file with its complete pages). */
		s->timed_out = 1;
		t30_terminate(s->t30);
		if (!s->phase_e) {
			s->phase_e = 1;
			s->result = T30_ERR_CALLDROPPED;
		}
		if (s->result == T30_ERR_OK)
			s->result = T30_ERR_CALLDROPPED;	/* cut short: never "OK" */
	}
	if (s->phase_e) {
		finish(s, CTI_TERM_EOD);
		/* Detach: media calls fax_session_end(CTI_TERM_STOPPED), which frees s. */
		if (s->chan)
			media_chan_set_hook(s->chan, NULL, NULL, NULL);
		else
			fax_session_free(s);
	}
}

void fax_session_end(void *user, int reason)
{
	struct fax_session *s = user;

	if (!s)
		return;
	if (!s->done) {
		/* Cut short (hangup, stop): let T.30 wind down, which closes the file. */
		t30_stats_t st;

		t30_terminate(s->t30);
		if (!s->phase_e) {
			s->phase_e = 1;
			s->result = T30_ERR_CALLDROPPED;
		}
		/* Never report "OK" for a session cut before any page got through. */
		t30_get_transfer_statistics(s->t30, &st);
		if (s->result == T30_ERR_OK && (s->sending ? st.pages_tx : st.pages_rx) == 0)
			s->result = T30_ERR_CALLDROPPED;
		finish(s, reason);
	}
	fax_session_free(s);
}

#endif /* CONFIG_FAX */
