/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * call.c - calls over libpri: one struct pri per PRI span, frames moved by
 * read/write callbacks to the span's transport D-channel, libpri events
 * turned into cti events, channel hunting with glare handling.
 *
 * libpri writes len+2 bytes (room for the FCS the HDLC controller adds) and
 * expects 2 FCS bytes after each received frame, which it ignores.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <libpri.h>
#include "core.h"
#include "../media/media.h"

#define MAX_GLARE_RETRIES 8

static struct cti_call *find_call(cti_ctx_t *ctx, q931_call *pc)
{
	if (!pc)
		return NULL;
	for (struct cti_call *c = ctx->calls; c; c = c->next)
		if (c->pc == pc)
			return c;
	return NULL;
}

/* ---------------- libpri I/O ---------------- */

static int pri_read_cb(struct pri *pri, void *buf, int buflen)
{
	struct core_span *sp = pri_get_userdata(pri);
	int n = sp ? sp->dframe_len : 0;

	if (n <= 0 || n + 2 > buflen)
		return 0;
	memcpy(buf, sp->dframe, (size_t)n);
	((uint8_t *)buf)[n] = 0;
	((uint8_t *)buf)[n + 1] = 0;
	sp->dframe_len = 0;
	return n + 2;
}

/* Q.931 message types carrying the Cause IE on clearing. */
#define Q931_DISCONNECT 0x45
#define Q931_RELEASE 0x4d
#define Q931_RELEASE_COMPLETE 0x5a

/*
 * Find the Cause IE of a clearing message in a Q.921 I-frame. Returns a
 * pointer to the cause's octet 3 (location in the low nibble) or NULL;
 * *cref gets the call reference value (flag bit stripped).
 */
static uint8_t *find_cause(uint8_t *f, int len, int *cref, int *mt, int *flag)
{
	int i, crlen;

	*mt = -1;
	if (len < 4 || (f[2] & 1))	/* I-frames only */
		return NULL;
	i = 4;
	if (i + 2 > len || f[i] != 0x08)
		return NULL;
	crlen = f[i + 1] & 0x0f;
	if (crlen < 1 || crlen > 2 || i + 2 + crlen + 1 > len)
		return NULL;
	*cref = crlen == 2 ? ((f[i + 2] & 0x7f) << 8) | f[i + 3] : (f[i + 2] & 0x7f);
	*flag = f[i + 2] >> 7;
	i += 2 + crlen;
	*mt = f[i++];
	if (*mt != Q931_DISCONNECT && *mt != Q931_RELEASE && *mt != Q931_RELEASE_COMPLETE)
		return NULL;
	while (i < len) {
		uint8_t ie = f[i];

		if (ie & 0x80) {	/* single octet IE */
			i++;
			continue;
		}
		if (i + 1 >= len)
			break;
		if (ie == 0x08 && f[i + 1] >= 2 && i + 2 + f[i + 1] <= len)
			return &f[i + 2];
		i += 2 + f[i + 1];
	}
	return NULL;
}

static int pri_write_cb(struct pri *pri, void *buf, int buflen)
{
	struct core_span *sp = pri_get_userdata(pri);
	uint8_t *f = buf;
	int len = buflen - 2;	/* drop the FCS placeholder */
	int cref, mt, flag;
	uint8_t *cause;

	if (!sp || sp->pri_sink || len <= 0 || !sp->in_service)
		return buflen;
	/* Q.850 location of our clearing: libpri 1.6 has no API for it, set it in the frame */
	cause = find_cause(f, len, &cref, &mt, &flag);
	if (cause && sp->hangup_call) {
		struct cti_call *c = sp->hangup_call;

		if (c->location >= 0)
			*cause = (uint8_t)((*cause & 0xf0) | (c->location & 0x0f));
		c->tx_loc = *cause & 0x0f;
	}
	{
		/* what libpri's network side cannot send itself (suppl.c: the DMS100 RLT call id) */
		uint8_t tmp[CORE_DFRAME_MAX];
		int n = core_suppl_tx_frame(sp, f, len, tmp, sizeof(tmp));

		if (n > 0) {
			core_trace_frame(sp, 1, tmp, n);
			return core_span_send(sp, tmp, n) < 0 ? -1 : buflen;
		}
	}
	core_trace_frame(sp, 1, f, len);
	if (core_span_send(sp, f, len) < 0)
		return -1;
	return buflen;
}

int core_span_send(struct core_span *sp, const uint8_t *buf, int len)
{
	return sp->ops->dframe_send(sp, buf, len);
}

static void pri_msg_silent(struct pri *pri, char *s)
{
	(void)pri;
	if (getenv("CTI_DEBUG_PRI")) fputs(s, stderr);
}

static int pri_switch(const cti_span_config_t *cfg)
{
	switch (cfg->switchtype) {
	case CTI_SWITCH_EUROISDN:
		return cfg->line == CTI_LINE_T1 ? PRI_SWITCH_EUROISDN_T1 : PRI_SWITCH_EUROISDN_E1;
	case CTI_SWITCH_NI2: return PRI_SWITCH_NI2;
	case CTI_SWITCH_NI1: return PRI_SWITCH_NI1;
	case CTI_SWITCH_DMS100: return PRI_SWITCH_DMS100;
	case CTI_SWITCH_4ESS: return PRI_SWITCH_ATT4ESS;
	case CTI_SWITCH_5ESS: return PRI_SWITCH_LUCENT5E;
	case CTI_SWITCH_QSIG: return PRI_SWITCH_QSIG;
	}
	return PRI_SWITCH_EUROISDN_E1;
}

static pthread_once_t pri_once = PTHREAD_ONCE_INIT;

static void pri_global_init(void)
{
	/* libpri prints to stderr by default; the trace API replaces that */
	pri_set_message(pri_msg_silent);
	pri_set_error(pri_msg_silent);
}

static void handle_event(struct core_span *sp, pri_event *e);
static void call_finish(struct cti_call *c, int cause, int location, int remote);
static void span_clear_calls(struct core_span *sp, int cause, int active_too, int chan, int restart);

/*
 * libpri 1.6 has no destructor for what pri_new_cb() allocates (the
 * controller, its timer table, its links: about 18 KB). Instead of losing that
 * at every cti_close, stopped instances go to a process-wide pool and the
 * next span with the same role and switch type takes one back: the memory
 * held is bounded by the most spans ever open at once, and stays reachable.
 * Everything libpri can free (its calls) is freed when the span stops.
 */
struct pri_pooled {
	struct pri *pri;
	int node, sw;
	struct pri_pooled *next;
};

static pthread_mutex_t pri_pool_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pri_pooled *pri_pool;
static int pri_pool_created, pri_pool_idle;

void cti__pri_pool_stats(int *created, int *idle)
{
	pthread_mutex_lock(&pri_pool_lock);
	if (created)
		*created = pri_pool_created;
	if (idle)
		*idle = pri_pool_idle;
	pthread_mutex_unlock(&pri_pool_lock);
}

static struct pri *pri_pool_take(int node, int sw)
{
	struct pri *pri = NULL;

	pthread_mutex_lock(&pri_pool_lock);
	for (struct pri_pooled **pp = &pri_pool; *pp; pp = &(*pp)->next)
		if ((*pp)->node == node && (*pp)->sw == sw) {
			struct pri_pooled *e = *pp;

			*pp = e->next;
			pri = e->pri;
			free(e);
			pri_pool_idle--;
			break;
		}
	pthread_mutex_unlock(&pri_pool_lock);
	return pri;
}

static void pri_pool_put(struct pri *pri, int node, int sw)
{
	struct pri_pooled *e = malloc(sizeof(*e));

	if (!e)
		return;	/* out of memory: this instance is lost, nothing else to do */
	e->pri = pri;
	e->node = node;
	e->sw = sw;
	pthread_mutex_lock(&pri_pool_lock);
	e->next = pri_pool;
	pri_pool = e;
	pri_pool_idle++;
	pthread_mutex_unlock(&pri_pool_lock);
}

/* Hand libpri one received Q.921 frame (its reply frames go nowhere while sp->pri_sink). */
static void pri_feed(struct core_span *sp, uint8_t a0, uint8_t ctl)
{
	sp->dframe[0] = a0;
	sp->dframe[1] = 0x01;	/* TEI 0, EA */
	sp->dframe[2] = ctl;
	sp->dframe_len = 3;
	pri_check_event(sp->pri);
	sp->dframe_len = 0;
}

/*
 * A pooled instance starts on a new line in a known Q.921 state: whatever
 * it was in, a DISC (7/8 -> 4), a DM with F=1 (5/6 -> 4) and a DM with F=0
 * (4 -> 5: SABME sent, T200 started on this context's clock) leave it
 * awaiting establishment, exactly as a new instance is. The replies to the
 * first two are not sent.
 */
static void pri_reset_link(struct core_span *sp)
{
	int net = sp->cfg.role == CTI_ROLE_NETWORK;
	/* C/R bit of the peer: commands from the network side carry 1, from the user side 0 */
	uint8_t cmd = net ? 0x00 : 0x02, rsp = net ? 0x02 : 0x00;

	sp->pri_sink = 1;
	pri_feed(sp, cmd, 0x53);	/* DISC, P=1 */
	pri_feed(sp, rsp, 0x1f);	/* DM, F=1 */
	sp->pri_sink = 0;
	pri_feed(sp, rsp, 0x0f);	/* DM, F=0 */
}

int core_span_pri_start(struct core_span *sp)
{
	cti_ctx_t *ctx = sp->ctx;
	int node = sp->cfg.role == CTI_ROLE_NETWORK ? PRI_NETWORK : PRI_CPE, sw = pri_switch(&sp->cfg);
	struct pri *pri;

	pthread_once(&pri_once, pri_global_init);
	core_pri_enter(ctx);
	pri = pri_pool_take(node, sw);
	if (pri) {
		pri_set_userdata(pri, sp);
		sp->pri = pri;
		pri_reset_link(sp);
	} else {
		pri = pri_new_cb(-1, node, sw, pri_read_cb, pri_write_cb, sp);
		if (pri) {
			pthread_mutex_lock(&pri_pool_lock);
			pri_pool_created++;
			pthread_mutex_unlock(&pri_pool_lock);
		}
	}
	if (pri) {
		sp->pri = pri;
		/* CTI_DEBUG_PRI=1: Q.931 states; a larger value is libpri's PRI_DEBUG_* mask */
		{
			const char *d = getenv("CTI_DEBUG_PRI");
			int mask = d ? atoi(d) : 0;

			pri_set_debug(pri, !d ? 0 : mask > 1 ? mask : PRI_DEBUG_Q931_STATE);
		}
		if (sp->cfg.switchtype == CTI_SWITCH_EUROISDN || sp->cfg.switchtype == CTI_SWITCH_QSIG) {
			pri_display_options_send(pri, PRI_DISPLAY_OPTION_NAME_INITIAL);
			pri_display_options_receive(pri, PRI_DISPLAY_OPTION_NAME_INITIAL);
		}
		pri_facility_enable(pri);
		/* report CONNECT ACKNOWLEDGE (CTI_EV_CALL_CONNECTED); we send ours on ANSWER */
		pri_connect_ack_enable(pri, 1);
		pri_hangup_fix_enable(pri, 1);
		/* lets a SETUP go without Sending Complete (sending_complete = 0) */
		pri_set_overlapdial(pri, 1);
		/* hold, transfer, deflection, keypad, display (suppl.c) */
		core_suppl_span_start(sp);
	}
	core_pri_leave();
	if (!pri)
		return cti__error(CTI_EIO, "cti_open: span '%s': libpri refused switchtype %s/role", sp->cfg.name,
				  core_switch_name(sp->cfg.switchtype));
	return 0;
}

void core_span_pri_stop(struct core_span *sp)
{
	struct pri *pri = sp->pri;

	if (!pri)
		return;
	/* the calls are freed (core_calls_close); the instance goes back to the pool */
	core_pri_enter(sp->ctx);
	pri_set_userdata(pri, NULL);
	core_pri_leave();
	sp->pri = NULL;
	pri_pool_put(pri, sp->cfg.role == CTI_ROLE_NETWORK ? PRI_NETWORK : PRI_CPE, pri_switch(&sp->cfg));
}

void core_span_dframe(struct core_span *sp, const uint8_t *buf, int len)
{
	pri_event *e;
	int cref = -1, mt = -1, flag = 1, cause_val = 0;
	uint8_t *cause;

	if (!sp->pri || !sp->in_service || len < 3 || len > CORE_DFRAME_MAX - 2)
		return;
	core_trace_frame(sp, 0, buf, len);
	memcpy(sp->dframe, buf, (size_t)len);
	sp->dframe_len = len;
	/* received Cause IE location, for the hangup event this frame causes */
	{
		uint8_t tmp[CORE_DFRAME_MAX];

		memcpy(tmp, buf, (size_t)len);
		cause = find_cause(tmp, len, &cref, &mt, &flag);
		sp->rx_loc = cause ? (*cause & 0x0f) : -1;
		if (cause)
			cause_val = (*cause & 0x80) ? (cause[1] & 0x7f) : (cause[2] & 0x7f);
	}
	core_pri_enter(sp->ctx);
	/* services libpri's network side does not decode itself (suppl.c) */
	core_suppl_frame(sp, buf, len);
	e = pri_check_event(sp->pri);
	if (e)
		handle_event(sp, e);
	core_pri_leave();
	/*
	 * SABME while our data link was up: the far end re-established it
	 * (its T200 ran out N200 times). Frames in flight were discarded on
	 * both sides, libpri reports nothing: calls not yet active may have
	 * lost a message for good (a CONNECT, an ALERTING) and would hang half
	 * set up. Clear them as on a data link failure (Q.931 5.8.9, cause 41)
	 * and RESTART their channels, as the far end does on its side.
	 */
	if (len >= 3 && (buf[2] & 0xef) == 0x6f && sp->l2_up && sp->dchan_up)
		span_clear_calls(sp, PRI_CAUSE_NORMAL_TEMPORARY_FAILURE, 0, 0, 1);
	/*
	 * The caller cleared an offered call we have not answered at all yet:
	 * libpri ("not yet a call") clears it by itself and reports nothing.
	 * Seen here in the frame; the libpri call is libpri's to free.
	 */
	if ((mt == Q931_DISCONNECT || mt == Q931_RELEASE || mt == Q931_RELEASE_COMPLETE) && !flag) {
		for (struct cti_call *c = sp->ctx->calls; c; c = c->next) {
			if (c->outgoing || c->span != sp || !c->pc || c->attempts || c->hangup_sent || c->hangup_posted ||
			    (c->cref & 0x7fff) != cref)
				continue;
			c->pc = NULL;
			c->cause = cause_val > 0 ? cause_val : PRI_CAUSE_NORMAL_CLEARING;
			c->remote = 1;
			call_finish(c, c->cause, sp->rx_loc, 1);
			break;
		}
	}
	sp->rx_loc = -1;
	/* line back after an alarm and libpri kept its link: frames flow again, report it up */
	if (sp->l2_up && !sp->dchan_up && !(sp->alarms & (CTI_ALARM_LOS | CTI_ALARM_LOF | CTI_ALARM_AIS))) {
		cti_event_t ev;

		sp->dchan_up = 1;
		sp->dchan_down_ms = 0;
		memset(&ev, 0, sizeof(ev));
		ev.type = CTI_EV_DCHAN_UP;
		ev.span = sp->index;
		cti__post(sp->ctx, &ev);
	}
}

void core_span_pri_timers(struct core_span *sp)
{
	struct timeval *tv, now;
	pri_event *e;

	if (!sp->pri)
		return;
	core_pri_enter(sp->ctx);
	sp->in_timers = 1;
	for (int guard = 0; guard < 64; guard++) {
		tv = pri_schedule_next(sp->pri);
		if (!tv)
			break;
		cti__pri_gettimeofday(&now, NULL);
		if (timercmp(tv, &now, >))
			break;
		/* libpri 1.6 declares pri_schedule_run_tv() but does not export it;
		 * pri_schedule_run() reads libpri's clock, cti__pri_gettimeofday (ctx.c) */
		e = pri_schedule_run(sp->pri);
		if (e)
			handle_event(sp, e);
	}
	sp->in_timers = 0;
	core_pri_leave();
}

/* ---------------- call objects ---------------- */

static struct cti_call *call_new(cti_ctx_t *ctx)
{
	struct cti_call *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ctx = ctx;
	c->location = CTI_LOC_DEFAULT;
	c->rx_loc = -1;
	c->tx_loc = -1;
	core_suppl_init_call(c);
	c->next = ctx->calls;
	ctx->calls = c;
	return c;
}

void core_call_free(struct cti_call *c)
{
	cti_ctx_t *ctx = c->ctx;

	for (struct cti_call **pp = &ctx->calls; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	free(c);
}

static void post_call(struct cti_call *c, int type)
{
	cti_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.call = c;
	ev.span = c->span ? c->span->index : 0;
	ev.channel = c->channel;
	cti__post(c->ctx, &ev);
}

void core_call_media_new(struct cti_call *c)
{
	if (!c->media && c->ctx->media && c->span)
		c->media = media_chan_new(c->ctx->media, c, c->span->cfg.law, cti__call_span(c),
					  cti__call_channel(c));
}

static void chan_take(struct cti_call *c, struct core_span *sp, int ch)
{
	c->span = sp;
	c->channel = ch;
	sp->chan_call[ch] = c;
}

static void chan_free(struct cti_call *c)
{
	if (c->media) {
		media_chan_free(c->media);
		c->media = NULL;
	}
	if (c->span && c->channel && c->span->chan_call[c->channel] == c) {
		c->span->chan_call[c->channel] = NULL;
		memset(c->span->txbuf[c->channel], c->span->cfg.law == CTI_LAW_ULAW ? 0xff : 0xd5, CORE_BLOCK);
	}
}

static void post_released(struct cti_call *c)
{
	if (c->released)
		return;
	c->released = 1;
	post_call(c, CTI_EV_CALL_RELEASED);
}

/* Clearing complete on the line (or locally): report it once. */
static void call_finish(struct cti_call *c, int cause, int location, int remote)
{
	cti_event_t ev;

	if (c->hangup_posted)
		return;
	chan_free(c);
	c->state = CTI_CALL_CLEARED;
	c->hangup_posted = 1;
	if (!c->cause) {
		c->cause = cause;
		c->remote = remote;
	}
	core_suppl_call_cleared(c);	/* transfer/deflection outcome before the hangup */
	memset(&ev, 0, sizeof(ev));
	ev.type = CTI_EV_CALL_HANGUP;
	ev.call = c;
	ev.span = c->span ? c->span->index : 0;
	ev.channel = c->channel;
	ev.u.hangup.cause = c->cause;
	ev.u.hangup.location = location;
	ev.u.hangup.remote = c->remote;
	cti__post(c->ctx, &ev);
	if (c->release_req)
		post_released(c);
}

/* The far end may still hold this channel's call: RESTART it when the D-channel is up. */
static void chan_restart_later(struct core_span *sp, int ch)
{
	if (!sp || !sp->pri || ch <= 0 || ch >= CORE_MAX_CHAN)
		return;
	if (!sp->restart_pending) {
		sp->restart_next_ms = 0;
		sp->restart_tries = 0;
	}
	sp->restart_pending |= 1u << ch;
}

/*
 * Drop a call without signalling (D-channel/line lost, restart). restart:
 * the far end was not told (line or data link down): RESTART the channel
 * once the D-channel is back so that its leg is cleared too.
 */
static void call_drop(struct cti_call *c, int cause, int location, int restart)
{
	if (c->pc && c->span && c->span->pri) {
		core_pri_enter(c->ctx);
		pri_destroycall(c->span->pri, c->pc);
		core_pri_leave();
		if (restart)
			chan_restart_later(c->span, c->channel);
	}
	c->pc = NULL;
	call_finish(c, cause, location, 1);
}

void core_calls_close(cti_ctx_t *ctx)
{
	for (struct cti_call *c = ctx->calls; c; c = c->next) {
		if (c->pc && c->span && c->span->pri) {
			/* best effort: tell the far end (the DISCONNECT goes out if the transport still runs) */
			core_pri_enter(ctx);
			if (c->span->dchan_up && !c->hangup_sent && !c->hangup_posted)
				pri_hangup(c->span->pri, c->pc, PRI_CAUSE_NORMAL_CLEARING);
			/* the line stops: nothing will answer; free libpri's call now (no-op if gone) */
			pri_destroycall(c->span->pri, c->pc);
			core_pri_leave();
		}
		c->pc = NULL;
		chan_free(c);
	}
	while (ctx->calls)
		core_call_free(ctx->calls);
}

/* ---------------- parties ---------------- */

static int ton_from_plan(int plan)
{
	int t = (plan >> 4) & 7;

	switch (t) {
	case 1: case 2: case 3: case 4: case 6: return t;
	default: return CTI_TON_UNKNOWN;
	}
}

static int npi_from_plan(int plan)
{
	int n = plan & 0x0f;

	return n == 1 ? CTI_NPI_E164 : n == 9 ? CTI_NPI_PRIVATE : CTI_NPI_UNKNOWN;
}

static int pres_to_pri(enum cti_presentation p)
{
	switch (p) {
	case CTI_PRES_RESTRICTED: return PRES_PROHIB_USER_NUMBER_NOT_SCREENED;
	case CTI_PRES_UNAVAILABLE: return PRES_NUMBER_NOT_AVAILABLE;
	default: return PRES_ALLOWED_USER_NUMBER_NOT_SCREENED;
	}
}

static enum cti_presentation pres_from_pri(int p)
{
	switch (p & 0x60) {
	case 0x20: return CTI_PRES_RESTRICTED;
	case 0x40: return CTI_PRES_UNAVAILABLE;
	default: return CTI_PRES_ALLOWED;
	}
}

static int redir_to_pri(enum cti_redirect_reason r)
{
	switch (r) {
	case CTI_REDIR_BUSY: return PRI_REDIR_FORWARD_ON_BUSY;
	case CTI_REDIR_NO_REPLY: return PRI_REDIR_FORWARD_ON_NO_REPLY;
	case CTI_REDIR_UNCONDITIONAL: return PRI_REDIR_UNCONDITIONAL;
	case CTI_REDIR_DEFLECTION: return PRI_REDIR_DEFLECTION;
	default: return PRI_REDIR_UNKNOWN;
	}
}

static enum cti_redirect_reason redir_from_pri(int r)
{
	switch (r) {
	case PRI_REDIR_FORWARD_ON_BUSY: return CTI_REDIR_BUSY;
	case PRI_REDIR_FORWARD_ON_NO_REPLY: return CTI_REDIR_NO_REPLY;
	case PRI_REDIR_UNCONDITIONAL: return CTI_REDIR_UNCONDITIONAL;
	case PRI_REDIR_DEFLECTION: return CTI_REDIR_DEFLECTION;
	default: return CTI_REDIR_UNKNOWN;
	}
}

static void copy_str(char *dst, size_t size, const char *src)
{
	size_t n = src ? strnlen(src, size - 1) : 0;

	if (n)
		memcpy(dst, src, n);
	dst[n] = 0;
}

/* ---------------- events from libpri ---------------- */

static int chan_of(int pchan)
{
	return pchan < 0 ? 0 : (pchan & 0xff);
}

static int span_free_chan(struct core_span *sp)
{
	for (int ch = 1; ch <= sp->maxchan; ch++)
		if ((sp->bmask & (1u << ch)) && !sp->chan_call[ch] && !(sp->restart_pending & (1u << ch)))
			return ch;
	return 0;
}

static void ev_ring(struct core_span *sp, pri_event *e)
{
	cti_ctx_t *ctx = sp->ctx;
	pri_event_ring *r = &e->ring;
	int ch = chan_of(r->channel);
	struct cti_call *c, *other;
	cti_call_params_t *p;
	cti_event_t ev;

	other = ch ? sp->chan_call[ch] : NULL;
	if (ch && other && other->outgoing && other->state == CTI_CALL_DIALING &&
	    sp->cfg.role == CTI_ROLE_USER) {
		/* Glare (Q.931 5.7): the network's call wins; ours gets cause 44 and hunts again. */
		sp->chan_call[ch] = NULL;
		other->span = sp;
		other->channel = 0;
		if (other->media) {
			media_chan_free(other->media);
			other->media = NULL;
		}
		other = NULL;
	}
	if (!ch || !(sp->bmask & (1u << ch)) || other || (sp->restart_pending & (1u << ch))) {
		int want = ch;

		ch = (!want || r->flexible) ? span_free_chan(sp) : 0;
		if (!ch) {
			/*
			 * Q.850: 34 nothing free at all; 82 the channel asked for does not
			 * exist here; 44 it exists but is busy.
			 */
			int cause = !span_free_chan(sp) ? PRI_CAUSE_NORMAL_CIRCUIT_CONGESTION :
				    !(sp->bmask & (1u << want)) ? PRI_CAUSE_IDENTIFIED_CHANNEL_NOTEXIST :
								   PRI_CAUSE_REQUESTED_CHAN_UNAVAIL;

			pri_hangup(sp->pri, r->call, cause);
			return;
		}
	}
	c = call_new(ctx);
	if (!c) {
		pri_hangup(sp->pri, r->call, PRI_CAUSE_SWITCH_CONGESTION);
		return;
	}
	c->pc = r->call;
	c->cref = r->cref;
	c->outgoing = 0;
	c->state = CTI_CALL_OFFERED;
	chan_take(c, sp, ch);
	p = &c->params;
	cti_call_params_init(p);
	copy_str(p->called.number, sizeof(p->called.number), r->callednum);
	p->called.ton = ton_from_plan(r->calledplan);
	p->called.npi = npi_from_plan(r->calledplan);
	copy_str(p->calling.number, sizeof(p->calling.number), r->callingnum);
	p->calling.ton = ton_from_plan(r->callingplan);
	p->calling.npi = npi_from_plan(r->callingplan);
	p->calling.presentation = pres_from_pri(r->callingpres);
	copy_str(p->calling.name, sizeof(p->calling.name), r->callingname);
	copy_str(p->redirecting.number, sizeof(p->redirecting.number), r->redirectingnum);
	if (p->redirecting.number[0]) {
		p->redirecting.ton = ton_from_plan(r->callingplanrdnis);
		p->redirecting.npi = npi_from_plan(r->callingplanrdnis);
		p->redirect_reason = redir_from_pri(r->redirectingreason);
	}
	p->bearer = r->ctype == PRI_TRANS_CAP_3_1K_AUDIO ? CTI_BEARER_AUDIO_3K1 : CTI_BEARER_SPEECH;
	p->span = sp->index;
	p->channel = ch;
	p->sending_complete = r->complete;
	p->overlap = 0;
	if (!r->complete && sp->cfg.overlap) {
		p->overlap = 1;
		pri_need_more_info(sp->pri, c->pc, ch, 0);
		c->hangup_sent = 0;
		c->attempts = 1;	/* responded (SETUP ACKNOWLEDGE sent) */
	}
	core_call_media_new(c);
	memset(&ev, 0, sizeof(ev));
	ev.type = CTI_EV_CALL_OFFERED;
	ev.call = c;
	ev.span = sp->index;
	ev.channel = ch;
	ev.u.offered = *p;
	cti__post(ctx, &ev);
}

static int hunt(cti_ctx_t *ctx, struct cti_call *c, struct core_span **out_sp, int *out_ch);
static int call_setup(struct cti_call *c);

/* Outgoing call refused with cause 44 before any answer: try another channel. */
static int glare_retry(struct cti_call *c, int cause)
{
	struct core_span *sp;
	int ch;

	if (cause != PRI_CAUSE_REQUESTED_CHAN_UNAVAIL || !c->outgoing || c->explicit_chan ||
	    c->state != CTI_CALL_DIALING || c->hangup_sent || c->release_req || c->attempts >= MAX_GLARE_RETRIES)
		return 0;
	if (c->span && c->channel)
		c->tried[c->span->index] |= 1u << c->channel;
	chan_free(c);
	c->span = NULL;
	c->channel = 0;
	c->pc = NULL;
	if (hunt(c->ctx, c, &sp, &ch) < 0)
		return 0;
	chan_take(c, sp, ch);
	c->params.span = sp->index;
	c->params.channel = ch;
	core_call_media_new(c);
	if (call_setup(c) < 0) {
		chan_free(c);
		return 0;
	}
	return 1;
}

static void ev_hangup(struct core_span *sp, pri_event *e, int kind)
{
	struct cti_call *c = find_call(sp->ctx, e->hangup.call);
	int loc = sp->rx_loc;	/* location of the received Cause IE, -1 if none */
	int cause = e->hangup.cause;

	if (!c)
		return;
	if (kind == PRI_EVENT_HANGUP_REQ) {
		/* DISCONNECT received: answer with RELEASE */
		if (!c->cause) {
			c->cause = cause;
			c->remote = 1;
			c->rx_loc = loc;
		}
		c->state = CTI_CALL_CLEARING;
		if (!c->hangup_sent) {
			c->hangup_sent = 1;
			pri_hangup(sp->pri, c->pc, cause);
		}
		return;
	}
	if (kind == PRI_EVENT_HANGUP) {
		q931_call *pc = c->pc;

		/*
		 * Cleared by libpri itself, from a timer, not a message: T309 while
		 * the data link is down, T303 twice without an answer, T308 twice
		 * without RELEASE COMPLETE. The far end may still hold the call (a
		 * message lost on a bad line): RESTART the channel once we can.
		 */
		if ((!sp->l2_up || sp->in_timers) && c->span == sp && c->channel &&
		    sp->chan_call[c->channel] == c)
			chan_restart_later(sp, c->channel);
		c->pc = NULL;
		/* libpri wants pri_hangup() after PRI_EVENT_HANGUP to free its call */
		pri_hangup(sp->pri, pc, cause);
		if (!c->hangup_sent && glare_retry(c, cause))
			return;
		if (!c->cause) {
			c->cause = cause;
			c->remote = 1;
		}
		if (!c->remote)
			loc = c->tx_loc;
		else if (loc < 0 || c->rx_loc >= 0)
			loc = c->rx_loc >= 0 ? c->rx_loc : loc;
		call_finish(c, cause, loc, c->remote);
		return;
	}
	/* HANGUP_ACK: our clearing completed; libpri freed the call */
	c->pc = NULL;
	call_finish(c, c->cause ? c->cause : cause, c->remote ? c->rx_loc : c->tx_loc, c->remote);
}

static void span_clear_calls(struct core_span *sp, int cause, int active_too, int chan, int restart)
{
	struct cti_call *c, *next;

	for (c = sp->ctx->calls; c; c = next) {
		next = c->next;
		if (c->span != sp || c->hangup_posted)
			continue;
		if (chan && c->channel != chan)
			continue;
		if (!active_too && c->state == CTI_CALL_CONNECTED)
			continue;
		c->cause = cause;
		c->remote = 1;
		call_drop(c, cause, -1, restart);
	}
}

static void span_dchan_down(struct core_span *sp)
{
	cti_event_t ev;

	if (!sp->dchan_up)
		return;
	sp->dchan_up = 0;
	sp->dchan_down_ms = core_now_ms(sp->ctx);
	memset(&ev, 0, sizeof(ev));
	ev.type = CTI_EV_DCHAN_DOWN;
	ev.span = sp->index;
	cti__post(sp->ctx, &ev);
	/* Q.931 5.8.9: calls not yet active are cleared, cause 41 */
	span_clear_calls(sp, PRI_CAUSE_NORMAL_TEMPORARY_FAILURE, 0, 0, 1);
}

static void handle_event(struct core_span *sp, pri_event *e)
{
	cti_ctx_t *ctx = sp->ctx;
	struct cti_call *c;
	cti_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.span = sp->index;
	core_suppl_uui(sp, e, 1);	/* user-user information ahead of the message's own event */
	switch (e->e) {
	case PRI_EVENT_DCHAN_UP:
		sp->l2_up = 1;
		if (!sp->dchan_up && !(sp->alarms & (CTI_ALARM_LOS | CTI_ALARM_LOF | CTI_ALARM_AIS))) {
			sp->dchan_up = 1;
			sp->dchan_down_ms = 0;
			ev.type = CTI_EV_DCHAN_UP;
			cti__post(ctx, &ev);
		}
		break;
	case PRI_EVENT_DCHAN_DOWN:
		sp->l2_up = 0;
		span_dchan_down(sp);
		break;
	case PRI_EVENT_RESTART: {
		int ch = chan_of(e->restart.channel);

		ev.type = CTI_EV_RESTART;
		ev.channel = ch;
		ev.u.restart.channel = ch;
		cti__post(ctx, &ev);
		span_clear_calls(sp, PRI_CAUSE_NORMAL_TEMPORARY_FAILURE, 1, ch, 0);
		if (ch)
			sp->restart_pending &= ~(1u << ch);
		else
			sp->restart_pending = 0;
		break;
	}
	case PRI_EVENT_RESTART_ACK: {
		int ch = chan_of(e->restartack.channel);

		if (ch > 0 && ch < CORE_MAX_CHAN)
			sp->restart_pending &= ~(1u << ch);
		break;
	}
	case PRI_EVENT_RING:
		ev_ring(sp, e);
		break;
	case PRI_EVENT_INFO_RECEIVED:
		c = find_call(ctx, e->ring.call);
		if (c)
			core_suppl_subcmds(sp, c, e->ring.subcmds);	/* display text during the call */
		if (c && c->state == CTI_CALL_OFFERED) {
			size_t n = strlen(c->params.called.number);

			copy_str(c->params.called.number + n, sizeof(c->params.called.number) - n, e->ring.callednum);
			ev.type = CTI_EV_CALL_INFO;
			ev.call = c;
			ev.channel = c->channel;
			copy_str(ev.u.info.digits, sizeof(ev.u.info.digits), e->ring.callednum);
			ev.u.info.complete = e->ring.complete;
			if (e->ring.complete)
				c->params.overlap = 0;
			cti__post(ctx, &ev);
		}
		break;
	case PRI_EVENT_PROCEEDING:
		c = find_call(ctx, e->proceeding.call);
		if (c && c->state == CTI_CALL_DIALING) {
			c->state = CTI_CALL_PROCEEDING;
			post_call(c, CTI_EV_CALL_PROCEEDING);
		}
		break;
	case PRI_EVENT_RINGING:
		c = find_call(ctx, e->ringing.call);
		if (c && (c->state == CTI_CALL_DIALING || c->state == CTI_CALL_PROCEEDING)) {
			c->state = CTI_CALL_ALERTING;
			post_call(c, CTI_EV_CALL_ALERTING);
		}
		break;
	case PRI_EVENT_PROGRESS:
		c = find_call(ctx, e->proceeding.call);
		if (c && c->state != CTI_CALL_CLEARING && c->state != CTI_CALL_CLEARED)
			post_call(c, CTI_EV_CALL_PROGRESS);
		break;
	case PRI_EVENT_ANSWER:
		c = find_call(ctx, e->answer.call);
		if (c && c->state != CTI_CALL_CLEARING && c->state != CTI_CALL_CLEARED) {
			c->state = CTI_CALL_CONNECTED;
			pri_connect_ack(sp->pri, c->pc, c->channel);
			post_call(c, CTI_EV_CALL_ANSWERED);
		}
		break;
	case PRI_EVENT_CONNECT_ACK:
		c = find_call(ctx, e->connect_ack.call);
		if (c && !c->outgoing && c->state == CTI_CALL_CONNECTED && !c->connected_posted) {
			c->connected_posted = 1;
			post_call(c, CTI_EV_CALL_CONNECTED);
		}
		break;
	case PRI_EVENT_HANGUP:
	case PRI_EVENT_HANGUP_REQ:
	case PRI_EVENT_HANGUP_ACK:
		if (!core_mwi_hangup(sp, e))	/* the end of an MWI connection (mwi.c) */
			ev_hangup(sp, e, e->e);
		break;
	default:
		/* HOLD/RETRIEVE, FACILITY (transfer, deflection, display), keypad: suppl.c */
		core_suppl_event(sp, e);
		break;
	}
	core_suppl_uui(sp, e, 0);	/* a SETUP's user-user information after CALL_OFFERED */
}

/* ---------------- line state ---------------- */

void core_span_alarms(struct core_span *sp, uint32_t alarms)
{
	uint32_t red = CTI_ALARM_LOS | CTI_ALARM_LOF | CTI_ALARM_AIS;
	cti_event_t ev;
	int was_red = (sp->alarms & red) != 0;
	int was_down = (sp->alarms & (red | CTI_ALARM_RAI)) != 0;

	sp->alarms = alarms;
	memset(&ev, 0, sizeof(ev));
	ev.type = CTI_EV_ALARM;
	ev.span = sp->index;
	ev.u.alarm.alarms = alarms;
	cti__post(sp->ctx, &ev);
	/*
	 * Physical layer lost: no call can survive it (cause 38, network out
	 * of order). The same on the far end of a one-way fault: a remote
	 * alarm (RAI, yellow) says the far end lost our signal and clears its
	 * calls by this rule; ours cannot reach it (its receive side is what
	 * failed) and its D-channel answers nothing, so clear ours the same
	 * way instead of holding the B-channels until the application hangs up.
	 */
	if (!was_down && (alarms & (red | CTI_ALARM_RAI)))
		span_clear_calls(sp, PRI_CAUSE_NETWORK_OUT_OF_ORDER, 1, 0, 1);
	/* layer 1 is gone: so is the data link (libpri notices only at T200/T203) */
	if (!was_red && (alarms & red))
		span_dchan_down(sp);
}

#define RESTART_RETRY_MS 10000
#define RESTART_TRIES 3

void core_span_service_check(struct core_span *sp)
{
	uint64_t now;

	/*
	 * T309 (Q.931 5.8.9: active calls survive a data link failure for T309,
	 * then are cleared with cause 27) runs inside libpri, which reports the
	 * clearing as PRI_EVENT_HANGUP.
	 *
	 * Channels whose calls were dropped while the far end could not be
	 * told: RESTART them (Q.931 5.5) as soon as the D-channel is up, again
	 * every RESTART_RETRY_MS until acknowledged; after RESTART_TRIES they
	 * are given back to service anyway.
	 */
	if (!sp->restart_pending || !sp->pri || !sp->dchan_up || !sp->in_service)
		return;
	now = core_now_ms(sp->ctx);
	if (now < sp->restart_next_ms)
		return;
	if (sp->restart_tries >= RESTART_TRIES) {
		sp->restart_pending = 0;
		return;
	}
	sp->restart_tries++;
	sp->restart_next_ms = now + RESTART_RETRY_MS;
	core_pri_enter(sp->ctx);
	for (int ch = 1; ch <= sp->maxchan; ch++)
		if (sp->restart_pending & (1u << ch))
			pri_reset(sp->pri, ch);
	core_pri_leave();
}

int cti__span_set_service(cti_ctx_t *ctx, int span, int in_service)
{
	struct core_span *sp;

	if (!ctx || span < 1 || span > ctx->nspans)
		return cti__error(CTI_ENOENT, "cti__span_set_service: no span %d", span);
	sp = ctx->spans[span];
	if (!in_service && sp->in_service) {
		span_clear_calls(sp, PRI_CAUSE_NETWORK_OUT_OF_ORDER, 1, 0, 1);
		sp->in_service = 0;
		if (sp->dchan_up) {
			cti_event_t ev;

			sp->dchan_up = 0;
			memset(&ev, 0, sizeof(ev));
			ev.type = CTI_EV_DCHAN_DOWN;
			ev.span = span;
			cti__post(ctx, &ev);
		}
	} else if (in_service) {
		sp->in_service = 1;
	}
	return 0;
}

/* ---------------- outgoing calls ---------------- */

void cti_call_params_init_sized(cti_call_params_t *app, size_t size)
{
	cti_call_params_t full, *p = &full;

	memset(p, 0, sizeof(*p));
	p->sending_complete = 1;
	p->called.ton = CTI_TON_UNKNOWN;
	p->called.npi = CTI_NPI_E164;
	p->calling.npi = CTI_NPI_E164;
	cti__abi_init(app, size, p, sizeof(*p));
}

static int check_number(const char *what, const char *num, int may_be_empty)
{
	size_t n = strnlen(num, CTI_NUMBER_MAX);

	if (n >= CTI_NUMBER_MAX)
		return cti__error(CTI_EINVAL, "cti_call_place: %s number longer than %d digits", what,
				  CTI_NUMBER_MAX - 1);
	if (!n && !may_be_empty)
		return cti__error(CTI_EINVAL, "cti_call_place: %s number is empty", what);
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789*#", num[i]))
			return cti__error(CTI_EINVAL, "cti_call_place: %s number '%s': bad character '%c' at %zu "
					  "(accepted: 0-9 * #)", what, num, num[i], i + 1);
	return 0;
}

static int check_party(const char *what, const cti_party_t *p, int may_be_empty)
{
	int rc = check_number(what, p->number, may_be_empty);

	if (rc)
		return rc;
	switch (p->ton) {
	case CTI_TON_UNKNOWN: case CTI_TON_INTERNATIONAL: case CTI_TON_NATIONAL: case CTI_TON_NETWORK:
	case CTI_TON_SUBSCRIBER: case CTI_TON_ABBREVIATED: break;
	default: return cti__error(CTI_EINVAL, "cti_call_place: %s type of number %d (accepted: 0-4, 6)", what, p->ton);
	}
	if (p->npi != CTI_NPI_UNKNOWN && p->npi != CTI_NPI_E164 && p->npi != CTI_NPI_PRIVATE)
		return cti__error(CTI_EINVAL, "cti_call_place: %s numbering plan %d (accepted: 0, 1, 9)", what, p->npi);
	if ((unsigned)p->presentation > CTI_PRES_UNAVAILABLE)
		return cti__error(CTI_EINVAL, "cti_call_place: %s presentation %d (accepted: 0-2)", what,
				  p->presentation);
	if (strnlen(p->name, sizeof(p->name)) >= sizeof(p->name))
		return cti__error(CTI_EINVAL, "cti_call_place: %s name not terminated", what);
	return 0;
}

static int span_usable(struct core_span *sp)
{
	return sp->pri && sp->in_service && sp->dchan_up;
}

static int pick_chan(struct core_span *sp, struct cti_call *c, int rr)
{
	int start = rr ? sp->rr_next : 1;

	for (int k = 0; k < sp->maxchan; k++) {
		int ch = ((start - 1 + k) % sp->maxchan) + 1;

		if ((sp->bmask & (1u << ch)) && !sp->chan_call[ch] && !(c->tried[sp->index] & (1u << ch)) &&
		    !(sp->restart_pending & (1u << ch))) {
			if (rr)
				sp->rr_next = ch % sp->maxchan + 1;
			return ch;
		}
	}
	return 0;
}

/* Choose span and channel for an outgoing call. */
static int hunt(cti_ctx_t *ctx, struct cti_call *c, struct core_span **out_sp, int *out_ch)
{
	const cti_call_params_t *p = &c->params;
	int idx[CORE_MAX_SPANS], n = 0, rr = 0, start = 0, any_up = 0;
	struct core_group *g = NULL;

	if (c->group) {
		g = &ctx->groups[c->group - 1];
		for (int i = 0; i < g->nspans; i++)
			idx[n++] = g->spans[i];
		rr = g->hunt == CTI_HUNT_ROUND_ROBIN;
		start = rr ? g->rr_next : 0;
	} else if (p->span) {
		idx[n++] = p->span;
	} else {
		for (int i = 1; i <= ctx->nspans; i++)
			if (ctx->spans[i]->pri)
				idx[n++] = i;
	}
	for (int k = 0; k < n; k++) {
		struct core_span *sp = ctx->spans[idx[(start + k) % n]];
		int ch;

		if (!span_usable(sp))
			continue;
		any_up = 1;
		ch = pick_chan(sp, c, rr);
		if (ch) {
			if (g && rr)
				g->rr_next = (start + k + 1) % n;
			*out_sp = sp;
			*out_ch = ch;
			return 0;
		}
	}
	if (!any_up)
		return cti__error(CTI_EDOWN, "cti_call_place: D-channel down on every span %s%s",
				  g ? "of group " : "", g ? g->name : "asked for");
	return cti__error(CTI_ENOCHAN, "cti_call_place: no free B-channel on %s%s", g ? "group " : "span(s)",
			  g ? g->name : "");
}

static int call_setup(struct cti_call *c)
{
	struct core_span *sp = c->span;
	const cti_call_params_t *p = &c->params;
	struct pri_sr *sr;
	int rc;

	core_pri_enter(c->ctx);
	c->pc = pri_new_call(sp->pri);
	sr = pri_sr_new();
	if (!c->pc || !sr) {
		if (sr)
			pri_sr_free(sr);
		core_pri_leave();
		return cti__error(CTI_ENOMEM, "cti_call_place: libpri could not create a call");
	}
	pri_sr_set_channel(sr, c->channel, 1, 0);
	pri_sr_set_bearer(sr, p->bearer == CTI_BEARER_AUDIO_3K1 ? PRI_TRANS_CAP_3_1K_AUDIO : PRI_TRANS_CAP_SPEECH,
			  sp->cfg.law == CTI_LAW_ULAW ? PRI_LAYER_1_ULAW : PRI_LAYER_1_ALAW);
	pri_sr_set_called(sr, (char *)p->called.number, (p->called.ton << 4) | p->called.npi,
			  p->sending_complete ? 1 : 0);
	pri_sr_set_caller(sr, p->calling.number[0] ? (char *)p->calling.number : NULL,
			  p->calling.name[0] ? (char *)p->calling.name : NULL,
			  (p->calling.ton << 4) | p->calling.npi, pres_to_pri(p->calling.presentation));
	if (p->redirecting.number[0])
		pri_sr_set_redirecting(sr, (char *)p->redirecting.number,
				       (p->redirecting.ton << 4) | p->redirecting.npi,
				       pres_to_pri(p->redirecting.presentation), redir_to_pri(p->redirect_reason));
	core_suppl_setup(c, sr);	/* user-user information (suppl.c) */
	rc = pri_setup(sp->pri, c->pc, sr);
	pri_sr_free(sr);
	if (rc) {
		pri_destroycall(sp->pri, c->pc);
		c->pc = NULL;
	}
	core_pri_leave();
	c->attempts++;
	if (rc)
		return cti__error(CTI_EIO, "cti_call_place: libpri refused the SETUP on span %d channel %d",
				  sp->index, c->channel);
	return 0;
}

cti_call_t *cti_call_place(cti_ctx_t *ctx, const cti_call_params_t *p)
{
	struct cti_call *c;
	struct core_span *sp = NULL;
	int ch = 0, group = 0, rc;
	cti_call_params_t in;

	if (!ctx || !p) {
		cti__error(CTI_EINVAL, "cti_call_place: NULL argument");
		return NULL;
	}
	cti_call_params_init(&in);
	if (cti__abi_in(&in, sizeof(in), p, "cti_call_place", "cti_call_params") < 0)
		return NULL;
	p = &in;
	if (check_party("called", &p->called, 0) || check_party("calling", &p->calling, 1) ||
	    check_party("redirecting", &p->redirecting, 1))
		return NULL;
	if ((unsigned)p->bearer > CTI_BEARER_AUDIO_3K1) {
		cti__error(CTI_EINVAL, "cti_call_place: bearer %d (accepted: 0 speech, 1 3.1 kHz audio)", p->bearer);
		return NULL;
	}
	cti__lock(ctx);
	if (p->group[0]) {
		for (int i = 0; i < ctx->ngroups; i++)
			if (!strncmp(ctx->groups[i].name, p->group, CTI_NAME_MAX))
				group = i + 1;
		if (!group) {
			cti__unlock(ctx);
			cti__error(CTI_ENOENT, "cti_call_place: no hunt group '%.*s'", CTI_NAME_MAX, p->group);
			return NULL;
		}
	} else if (p->span) {
		if (p->span < 1 || p->span > ctx->nspans || !ctx->spans[p->span]->pri) {
			cti__unlock(ctx);
			cti__error(CTI_ENOENT, "cti_call_place: no PRI span %d (spans 1-%d)", p->span, ctx->nspans);
			return NULL;
		}
	}
	if (p->channel) {
		if (!p->span || group) {
			cti__unlock(ctx);
			cti__error(CTI_EINVAL, "cti_call_place: channel %d needs a span (not a group or any span)",
				   p->channel);
			return NULL;
		}
		sp = ctx->spans[p->span];
		if (p->channel < 1 || p->channel > sp->maxchan || !(sp->bmask & (1u << p->channel))) {
			cti__unlock(ctx);
			cti__error(CTI_EINVAL, "cti_call_place: span %d has no B-channel %d (%s)", p->span, p->channel,
				   sp->cfg.bchannels[0] ? sp->cfg.bchannels : "default channels");
			return NULL;
		}
		if (!span_usable(sp)) {
			cti__unlock(ctx);
			cti__error(CTI_EDOWN, "cti_call_place: span %d: D-channel down", p->span);
			return NULL;
		}
		if (sp->chan_call[p->channel]) {
			cti__unlock(ctx);
			cti__error(CTI_EBUSY, "cti_call_place: span %d channel %d is busy", p->span, p->channel);
			return NULL;
		}
		if (sp->restart_pending & (1u << p->channel)) {
			cti__unlock(ctx);
			cti__error(CTI_EBUSY, "cti_call_place: span %d channel %d is being restarted after a line fault",
				   p->span, p->channel);
			return NULL;
		}
	}
	c = call_new(ctx);
	if (!c) {
		cti__unlock(ctx);
		cti__error(CTI_ENOMEM, "cti_call_place: out of memory");
		return NULL;
	}
	c->params = *p;
	c->params.overlap = 0;
	c->outgoing = 1;
	c->group = group;
	c->state = CTI_CALL_DIALING;
	if (p->channel) {
		c->explicit_chan = 1;
		ch = p->channel;
	} else if (hunt(ctx, c, &sp, &ch) < 0) {
		core_call_free(c);
		cti__unlock(ctx);
		return NULL;
	}
	chan_take(c, sp, ch);
	c->params.span = sp->index;
	c->params.channel = ch;
	core_call_media_new(c);
	rc = call_setup(c);
	if (rc < 0) {
		chan_free(c);
		core_call_free(c);
		cti__unlock(ctx);
		return NULL;
	}
	cti__unlock(ctx);
	return c;
}

/*
 * Overlap sending: more called-number digits for an outgoing call placed with
 * sending_complete = 0 (Q.931 5.1.3, INFORMATION messages). Declared in
 * lib/internal.h until cti.h takes it.
 */
int cti_call_send_digits(cti_call_t *call, const char *digits)
{
	int rc = 0;

	if (!call || !digits || !digits[0])
		return cti__error(CTI_EINVAL, "cti_call_send_digits: NULL call or no digits");
	for (const char *d = digits; *d; d++)
		if (!strchr("0123456789*#", *d))
			return cti__error(CTI_EINVAL, "cti_call_send_digits: '%s': bad character '%c' (accepted: 0-9 * #)",
					  digits, *d);
	cti__lock(call->ctx);
	if (!call->outgoing || call->released || !call->pc || !call->span || !call->span->pri ||
	    call->state == CTI_CALL_CLEARING || call->state == CTI_CALL_CLEARED || call->state == CTI_CALL_CONNECTED) {
		rc = cti__error(CTI_ESTATE, "cti_call_send_digits: not an outgoing call being set up (%s)",
				cti_call_state_name(call->state));
	} else if (strlen(call->params.called.number) + strlen(digits) >= CTI_NUMBER_MAX) {
		rc = cti__error(CTI_EINVAL, "cti_call_send_digits: called number would exceed %d digits",
				CTI_NUMBER_MAX - 1);
	} else {
		core_pri_enter(call->ctx);
		for (const char *d = digits; *d && !rc; d++)
			if (pri_information(call->span->pri, call->pc, *d))
				rc = cti__error(CTI_EIO, "cti_call_send_digits: libpri refused INFORMATION");
		core_pri_leave();
		if (!rc)
			strcat(call->params.called.number, digits);
	}
	cti__unlock(call->ctx);
	return rc;
}

/* ---------------- incoming call handling ---------------- */

static int call_check(struct cti_call *c, const char *fn, int incoming_only)
{
	if (!c)
		return cti__error(CTI_EINVAL, "%s: NULL call", fn);
	if (c->released)
		return cti__error(CTI_ESTATE, "%s: call already released", fn);
	if (incoming_only && c->outgoing)
		return cti__error(CTI_ESTATE, "%s: not an incoming call", fn);
	if (c->state == CTI_CALL_CLEARING || c->state == CTI_CALL_CLEARED || !c->pc || !c->span ||
	    !c->span->pri)
		return cti__error(CTI_ESTATE, "%s: call is %s", fn, cti_call_state_name(c->state));
	return 0;
}

static int incoming_step(struct cti_call *c, const char *fn, int what)
{
	cti_ctx_t *ctx;
	int rc;

	if (!c)
		return cti__error(CTI_EINVAL, "%s: NULL call", fn);
	ctx = c->ctx;
	cti__lock(ctx);
	rc = call_check(c, fn, 1);
	if (!rc) {
		struct pri *pri = c->span->pri;
		int ch = c->channel;

		int prc = 0;

		core_pri_enter(ctx);
		switch (what) {
		case 0:
			if (c->state != CTI_CALL_OFFERED)
				rc = CTI_ESTATE;
			else if (!(prc = pri_proceeding(pri, c->pc, ch, 0)))
				c->state = CTI_CALL_PROCEEDING;
			break;
		case 1:
			if (c->state != CTI_CALL_OFFERED && c->state != CTI_CALL_PROCEEDING)
				rc = CTI_ESTATE;
			else if (!(prc = pri_acknowledge(pri, c->pc, ch, 1)))
				c->state = CTI_CALL_ALERTING;
			break;
		case 2:
			if (c->state == CTI_CALL_CONNECTED)
				rc = CTI_ESTATE;
			else
				prc = pri_progress(pri, c->pc, ch, 1);
			break;
		default:
			if (c->state == CTI_CALL_CONNECTED)
				rc = CTI_ESTATE;
			else if (!(prc = pri_answer(pri, c->pc, ch, 0)))
				c->state = CTI_CALL_CONNECTED;
			break;
		}
		core_pri_leave();
		if (rc)
			rc = cti__error(CTI_ESTATE, "%s: call is %s", fn, cti_call_state_name(c->state));
		else if (prc)
			rc = cti__error(CTI_EIO, "%s: libpri refused the message", fn);
		else
			c->attempts = 1;	/* the far end has a response: clearing uses DISCONNECT */
	}
	cti__unlock(ctx);
	return rc;
}

int cti_call_proceeding(cti_call_t *call)
{
	return incoming_step(call, "cti_call_proceeding", 0);
}

int cti_call_alerting(cti_call_t *call)
{
	return incoming_step(call, "cti_call_alerting", 1);
}

int cti_call_progress(cti_call_t *call)
{
	return incoming_step(call, "cti_call_progress", 2);
}

int cti_call_answer(cti_call_t *call)
{
	return incoming_step(call, "cti_call_answer", 3);
}

/* Start clearing (lock held). */
static int do_hangup(struct cti_call *c, int cause, int location)
{
	struct core_span *sp = c->span;
	int responded = c->outgoing || c->attempts;

	if (c->hangup_posted)
		return 0;
	if (c->hangup_sent || c->state == CTI_CALL_CLEARING)
		return 0;
	c->cause = cause;
	c->remote = 0;
	c->location = location;
	c->state = CTI_CALL_CLEARING;
	if (!c->pc || !sp || !sp->pri || !sp->dchan_up) {
		call_drop(c, cause, location, 1);
		return 0;
	}
	c->hangup_sent = 1;
	core_pri_enter(c->ctx);
	if (!responded && cause != 1 && cause != 34 && cause != 44 && cause != 81 && cause != 82) {
		/*
		 * libpri 1.6 queues a DISCONNECT for a call still in state 6 (call
		 * present) but never sends it; answer CALL PROCEEDING first, then clear
		 * normally (Q.931 5.3.2 allows DISCONNECT after CALL PROCEEDING).
		 */
		pri_proceeding(sp->pri, c->pc, c->channel, 0);
		responded = 1;
	}
	sp->hangup_call = c;	/* the write callback sets the location in our clearing message */
	pri_hangup(sp->pri, c->pc, cause);
	sp->hangup_call = NULL;
	core_pri_leave();
	if (!responded) {
		/* an unanswered SETUP is refused with RELEASE COMPLETE: libpri freed the call */
		c->pc = NULL;
		call_finish(c, cause, c->tx_loc, 0);
	}
	return 0;
}

int cti_call_reject(cti_call_t *call, int cause)
{
	int rc;

	if (!call)
		return cti__error(CTI_EINVAL, "cti_call_reject: NULL call");
	if (cause < 1 || cause > 127)
		return cti__error(CTI_EINVAL, "cti_call_reject: cause %d outside 1-127", cause);
	cti__lock(call->ctx);
	rc = call_check(call, "cti_call_reject", 1);
	if (!rc && call->state == CTI_CALL_CONNECTED)
		rc = cti__error(CTI_ESTATE, "cti_call_reject: call already answered (use cti_call_hangup)");
	if (!rc)
		rc = do_hangup(call, cause, CTI_LOC_DEFAULT);
	cti__unlock(call->ctx);
	return rc;
}

int cti_call_hangup(cti_call_t *call, int cause, int location)
{
	int rc = 0;

	if (!call)
		return cti__error(CTI_EINVAL, "cti_call_hangup: NULL call");
	if (cause < 1 || cause > 127)
		return cti__error(CTI_EINVAL, "cti_call_hangup: cause %d outside 1-127", cause);
	if (location != CTI_LOC_DEFAULT && (location < 0 || location > 15 || location == 6 || location == 8 ||
					    location == 9 || (location > 10)))
		return cti__error(CTI_EINVAL, "cti_call_hangup: location %d (accepted: 0-5, 7, 10, -1 default)",
				  location);
	cti__lock(call->ctx);
	if (call->released)
		rc = cti__error(CTI_ESTATE, "cti_call_hangup: call already released");
	else
		rc = do_hangup(call, cause, location);
	cti__unlock(call->ctx);
	return rc;
}

int cti_call_release(cti_call_t *call)
{
	int rc = 0;

	if (!call)
		return cti__error(CTI_EINVAL, "cti_call_release: NULL call");
	cti__lock(call->ctx);
	if (call->released || call->release_req) {
		rc = cti__error(CTI_ESTATE, "cti_call_release: call already released");
	} else {
		call->release_req = 1;
		if (call->hangup_posted)
			post_released(call);
		else
			do_hangup(call, PRI_CAUSE_NORMAL_CLEARING, CTI_LOC_DEFAULT);
	}
	cti__unlock(call->ctx);
	return rc;
}

int cti_span_restart(cti_ctx_t *ctx, int span, int channel)
{
	struct core_span *sp;
	int rc = 0;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_span_restart: NULL context");
	cti__lock(ctx);
	if (span < 1 || span > ctx->nspans || !ctx->spans[span]->pri) {
		cti__unlock(ctx);
		return cti__error(CTI_ENOENT, "cti_span_restart: no PRI span %d", span);
	}
	sp = ctx->spans[span];
	if (channel && (channel < 0 || channel > sp->maxchan || !(sp->bmask & (1u << channel)))) {
		cti__unlock(ctx);
		return cti__error(CTI_EINVAL, "cti_span_restart: span %d has no B-channel %d", span, channel);
	}
	if (!sp->dchan_up) {
		cti__unlock(ctx);
		return cti__error(CTI_EDOWN, "cti_span_restart: span %d: D-channel down", span);
	}
	/* our calls on the channel(s) are gone (Q.931 5.5.2) */
	span_clear_calls(sp, PRI_CAUSE_NORMAL_TEMPORARY_FAILURE, 1, channel, 0);
	core_pri_enter(ctx);
	for (int ch = 1; ch <= sp->maxchan; ch++) {
		if ((channel && ch != channel) || !(sp->bmask & (1u << ch)))
			continue;
		if (pri_reset(sp->pri, ch))
			rc = cti__error(CTI_EIO, "cti_span_restart: libpri refused RESTART of channel %d", ch);
	}
	core_pri_leave();
	cti__unlock(ctx);
	return rc;
}

/* ---------------- accessors ---------------- */

int cti_call_get_params_sized(cti_call_t *call, cti_call_params_t *out, size_t size)
{
	cti_call_params_t copy;

	if (!call || !out)
		return cti__error(CTI_EINVAL, "cti_call_get_params: NULL %s", call ? "out" : "call");
	if (size < sizeof(uint32_t))
		return cti__error(CTI_EINVAL, "cti_call_get_params: size %zu too small", size);
	cti__lock(call->ctx);
	copy = call->params;
	cti__unlock(call->ctx);
	copy.size = (uint32_t)sizeof(copy);
	cti__abi_out(out, size, &copy, sizeof(copy), "cti_call_get_params", "cti_call_params");
	out->size = (uint32_t)size;
	return 0;
}

/*
 * The accessors read live call state, which the clock thread and the
 * dispatching thread change under the context lock: they take it too. A
 * handle stays valid until the handler of its CTI_EV_CALL_RELEASED event
 * returns; the application must not use it afterwards (from any thread).
 * The cti__call_* variants are for library code that already holds the lock.
 */
int cti__call_span(cti_call_t *call)
{
	return call && call->span ? call->span->index : 0;
}

int cti__call_channel(cti_call_t *call)
{
	return call ? call->channel : 0;
}

enum cti_call_state cti__call_state(cti_call_t *call)
{
	return call ? call->state : CTI_CALL_IDLE;
}

int cti_call_span(cti_call_t *call)
{
	int span;

	if (!call)
		return 0;
	cti__lock(call->ctx);
	span = cti__call_span(call);
	cti__unlock(call->ctx);
	return span;
}

int cti_call_channel(cti_call_t *call)
{
	int ch;

	if (!call)
		return 0;
	cti__lock(call->ctx);
	ch = cti__call_channel(call);
	cti__unlock(call->ctx);
	return ch;
}

int cti_call_outgoing(cti_call_t *call)
{
	int out;

	if (!call)
		return 0;
	cti__lock(call->ctx);
	out = call->outgoing;
	cti__unlock(call->ctx);
	return out;
}

void cti_call_set_user(cti_call_t *call, void *user)
{
	if (!call)
		return;
	cti__lock(call->ctx);
	call->params.user = user;
	cti__unlock(call->ctx);
}

void *cti_call_get_user(cti_call_t *call)
{
	void *user;

	if (!call)
		return NULL;
	cti__lock(call->ctx);
	user = call->params.user;
	cti__unlock(call->ctx);
	return user;
}

enum cti_call_state cti_call_state(cti_call_t *call)
{
	enum cti_call_state st;

	if (!call)
		return CTI_CALL_IDLE;
	cti__lock(call->ctx);
	st = cti__call_state(call);
	cti__unlock(call->ctx);
	return st;
}

const char *cti_call_state_name(enum cti_call_state s)
{
	static const char *const names[] = { "IDLE", "DIALING", "OFFERED", "PROCEEDING", "ALERTING", "CONNECTED",
					     "CLEARING", "CLEARED" };

	return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "UNKNOWN";
}

cti_ctx_t *cti__call_ctx(cti_call_t *call)
{
	return call ? call->ctx : NULL;
}

struct media_chan *cti__call_media(cti_call_t *call)
{
	return call ? call->media : NULL;
}

int cti__call_count(cti_ctx_t *ctx)
{
	int n = 0;

	if (!ctx)
		return 0;
	cti__lock(ctx);
	for (struct cti_call *c = ctx->calls; c; c = c->next)
		n++;
	cti__unlock(ctx);
	return n;
}

enum cti_law cti__call_law(cti_call_t *call)
{
	return call && call->span ? call->span->cfg.law : CTI_LAW_ALAW;
}

/* ---------------- for suppl.c (lock held) ---------------- */

struct cti_call *core_call_find(cti_ctx_t *ctx, struct q931_call *pc)
{
	return find_call(ctx, pc);
}

void core_call_post(struct cti_call *c, int type)
{
	post_call(c, type);
}

void core_chan_take(struct cti_call *c, struct core_span *sp, int ch)
{
	chan_take(c, sp, ch);
	c->params.channel = ch;
	core_call_media_new(c);
}

void core_chan_release(struct cti_call *c)
{
	chan_free(c);
	c->channel = 0;
	c->params.channel = 0;
}

int core_span_free_chan(struct core_span *sp)
{
	return span_free_chan(sp);
}

int core_call_hangup(struct cti_call *c, int cause)
{
	return do_hangup(c, cause, CTI_LOC_DEFAULT);
}

int core_pri_switch(const cti_span_config_t *cfg)
{
	return pri_switch(cfg);
}
