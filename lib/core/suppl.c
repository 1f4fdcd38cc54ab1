/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * suppl.c - ISDN supplementary services over libpri: hold/retrieve,
 * transfer (ECT, 2BCT, RLT, QSIG), deflection/rerouting, keypad facility,
 * display text. Both sides of a trunk: the requesting side's calls and the
 * serving side's events and replies. docs/supplementary.md has the table.
 *
 * What libpri 1.6 does per switch type (read in its pri.c, q931.c,
 * pri_facility.c):
 *   - HOLD/RETRIEVE messages: every switch type parses them; they are the
 *     ETSI call hold procedure (EN 300 139), offered here on EuroISDN only.
 *   - pri_channel_bridge(): EuroISDN ECT (EctLinkIdRequest, then
 *     ExplicitEctExecute; the network side gets PRI_SUBCMD_TRANSFER_CALL and
 *     answers pri_transfer_rsp), NI2/5ESS/4ESS 2BCT (InitiateTransfer invoke,
 *     no answer; libpri's network side does not decode it: done here from the
 *     frame), DMS100 RLT (only once the network gave an RLT call id, which
 *     libpri's network side never does: done here from the frames too), QSIG CallTransferComplete to both
 *     far ends (the transferring PINX keeps the B-channels joined).
 *   - pri_reroute_call(): EuroISDN CallRerouting (point to point), QSIG
 *     CallRerouting; the serving side gets PRI_SUBCMD_REROUTING.
 * All entry points take the context lock; the core_suppl_* hooks run with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libpri.h>
#include "core.h"
#include "../abi.h"

/* ---------------- what each switch type offers ---------------- */

static int sw_hold(enum cti_switchtype sw)
{
	return sw == CTI_SWITCH_EUROISDN;
}

static const char *sw_transfer(enum cti_switchtype sw)
{
	switch (sw) {
	case CTI_SWITCH_EUROISDN: return "ECT";
	case CTI_SWITCH_NI2: case CTI_SWITCH_5ESS: case CTI_SWITCH_4ESS: return "2BCT";
	case CTI_SWITCH_DMS100: return "RLT";
	case CTI_SWITCH_QSIG: return "QSIG";
	default: return "none";
	}
}

static int sw_deflect(enum cti_switchtype sw)
{
	return sw == CTI_SWITCH_EUROISDN || sw == CTI_SWITCH_QSIG;
}

/* 1 if offered, else 0 with a message naming the switch type (no error code). */
static int supported(const struct core_span *sp, enum cti_suppl what, const char *fn)
{
	const char *sw = core_switch_name(sp->cfg.switchtype);

	switch (what) {
	case CTI_SUPPL_HOLD:
		if (sw_hold(sp->cfg.switchtype))
			return 1;
		cti__error(CTI_ENOTSUP, "%s: span %d: switch type %s has no call hold (HOLD/RETRIEVE is EuroISDN only)",
			   fn, sp->index, sw);
		return 0;
	case CTI_SUPPL_TRANSFER:
		if (strcmp(sw_transfer(sp->cfg.switchtype), "none"))
			return 1;
		cti__error(CTI_ENOTSUP, "%s: span %d: switch type %s has no call transfer (ECT EuroISDN, 2BCT "
			   "NI2/5ESS/4ESS, RLT DMS100, QSIG)", fn, sp->index, sw);
		return 0;
	case CTI_SUPPL_DEFLECT:
		if (sw_deflect(sp->cfg.switchtype))
			return 1;
		cti__error(CTI_ENOTSUP, "%s: span %d: switch type %s has no call deflection (EuroISDN and QSIG only)",
			   fn, sp->index, sw);
		return 0;
	case CTI_SUPPL_KEYPAD:
	case CTI_SUPPL_DISPLAY:
		return 1;
	case CTI_SUPPL_MWI:
		if (sp->cfg.switchtype == CTI_SWITCH_QSIG)
			return 1;
		if (sp->cfg.switchtype == CTI_SWITCH_EUROISDN)
			cti__error(CTI_ENOTSUP, "%s: span %d: switch type %s: libpri 1.6 sends MWIIndicate only on BRI "
				   "point-to-multipoint, not on a PRI (message waiting is QSIG only here)", fn, sp->index, sw);
		else
			cti__error(CTI_ENOTSUP, "%s: span %d: switch type %s has no message waiting indication in "
				   "libpri 1.6 (QSIG only)", fn, sp->index, sw);
		return 0;
	}
	cti__error(CTI_EINVAL, "%s: unknown service %d", fn, (int)what);
	return 0;
}

void core_suppl_span_start(struct core_span *sp)
{
	struct pri *pri = sp->pri;
	enum cti_switchtype sw = sp->cfg.switchtype;

	pri_hold_enable(pri, sw_hold(sw));
	/* serving side of ECT (EctLinkIdRequest) */
	pri_transfer_enable(pri, sw == CTI_SWITCH_EUROISDN);
	pri_reroute_enable(pri, sw_deflect(sw));
	pri_aoc_events_enable(pri, sw == CTI_SWITCH_EUROISDN);
	/* display text in INFORMATION during calls, both ways */
	pri_display_options_send(pri, PRI_DISPLAY_OPTION_NAME_INITIAL | PRI_DISPLAY_OPTION_TEXT);
	pri_display_options_receive(pri, PRI_DISPLAY_OPTION_NAME_INITIAL | PRI_DISPLAY_OPTION_TEXT);
}

/* cti_call_place_uui() hands its UUI to the call cti_call_place() creates in this thread. */
static _Thread_local char place_uui[36];

void core_suppl_init_call(struct cti_call *c)
{
	memcpy(c->uui_setup, place_uui, sizeof(c->uui_setup));
	place_uui[0] = 0;
	c->hold = CORE_HOLD_IDLE;
	c->xfer_invoke = -1;
	c->defl_invoke = -1;
}

static void post_suppl(struct cti_call *c, int type, int result, int remote, struct cti_call *other,
		       const char *text)
{
	cti_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = type;
	ev.call = c;
	ev.span = c->span ? c->span->index : 0;
	ev.channel = c->channel;
	ev.u.suppl.result = result;
	ev.u.suppl.remote = remote;
	ev.u.suppl.other = other;
	if (text)
		snprintf(ev.u.suppl.text, sizeof(ev.u.suppl.text), "%s", text);
	cti__post(c->ctx, &ev);
}

static int live(struct cti_call *c, const char *fn)
{
	if (!c)
		return cti__error(CTI_EINVAL, "%s: NULL call", fn);
	if (c->released || c->hangup_posted || c->hangup_sent || c->state == CTI_CALL_CLEARING ||
	    c->state == CTI_CALL_CLEARED || !c->pc || !c->span || !c->span->pri)
		return cti__error(CTI_ESTATE, "%s: call is %s", fn, cti_call_state_name(c->state));
	return 0;
}

/* ---------------- public: capabilities ---------------- */

static struct core_span *pri_span(cti_ctx_t *ctx, int span)
{
	if (span < 1 || span > ctx->nspans || !ctx->spans[span]->pri)
		return NULL;
	return ctx->spans[span];
}

int cti_suppl_supported(cti_ctx_t *ctx, int span, enum cti_suppl what)
{
	struct core_span *sp;
	int rc;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_suppl_supported: NULL context");
	cti__lock(ctx);
	sp = pri_span(ctx, span);
	if (!sp)
		rc = cti__error(CTI_ENOENT, "cti_suppl_supported: no PRI span %d", span);
	else if ((unsigned)what < CTI_SUPPL_HOLD || what > CTI_SUPPL_MWI)
		rc = cti__error(CTI_EINVAL, "cti_suppl_supported: unknown service %d (accepted: 1-6)", (int)what);
	else
		rc = supported(sp, what, "cti_suppl_supported");
	cti__unlock(ctx);
	return rc;
}

const char *cti_transfer_method(cti_ctx_t *ctx, int span)
{
	struct core_span *sp;
	const char *m = "none";

	if (!ctx)
		return m;
	cti__lock(ctx);
	sp = pri_span(ctx, span);
	if (sp)
		m = sw_transfer(sp->cfg.switchtype);
	cti__unlock(ctx);
	return m;
}

/* ---------------- hold / retrieve ---------------- */

int cti_call_hold(cti_call_t *c)
{
	int rc;

	if (!c)
		return cti__error(CTI_EINVAL, "cti_call_hold: NULL call");
	cti__lock(c->ctx);
	rc = live(c, "cti_call_hold");
	if (!rc && !supported(c->span, CTI_SUPPL_HOLD, "cti_call_hold"))
		rc = CTI_ENOTSUP;
	if (!rc && c->hold != CORE_HOLD_IDLE)
		rc = cti__error(CTI_ESTATE, "cti_call_hold: call is held or a hold/retrieve is under way");
	if (!rc && c->state != CTI_CALL_CONNECTED)
		rc = cti__error(CTI_ESTATE, "cti_call_hold: call is %s (hold needs CONNECTED)",
				cti_call_state_name(c->state));
	if (!rc) {
		core_pri_enter(c->ctx);
		if (pri_hold(c->span->pri, c->pc))
			rc = cti__error(CTI_EIO, "cti_call_hold: libpri refused HOLD on span %d", c->span->index);
		core_pri_leave();
		if (!rc)
			c->hold = CORE_HOLD_REQ;
	}
	cti__unlock(c->ctx);
	return rc;
}

int cti_call_retrieve(cti_call_t *c)
{
	int rc, ch = 0;

	if (!c)
		return cti__error(CTI_EINVAL, "cti_call_retrieve: NULL call");
	cti__lock(c->ctx);
	rc = live(c, "cti_call_retrieve");
	if (!rc && c->hold != CORE_HOLD_HELD)
		rc = cti__error(CTI_ESTATE, "cti_call_retrieve: call is not held");
	if (!rc) {
		ch = core_span_free_chan(c->span);
		if (!ch)
			rc = cti__error(CTI_ENOCHAN, "cti_call_retrieve: no free B-channel on span %d", c->span->index);
	}
	if (!rc) {
		/* the channel is ours from now; the network may choose another in RETRIEVE ACKNOWLEDGE */
		core_chan_take(c, c->span, ch);
		core_pri_enter(c->ctx);
		if (pri_retrieve(c->span->pri, c->pc, ch))
			rc = cti__error(CTI_EIO, "cti_call_retrieve: libpri refused RETRIEVE on span %d", c->span->index);
		core_pri_leave();
		if (rc)
			core_chan_release(c);
		else
			c->hold = CORE_HOLD_RETRIEVE_REQ;
	}
	cti__unlock(c->ctx);
	return rc;
}

int cti_call_held(cti_call_t *c)
{
	int held;

	if (!c)
		return 0;
	cti__lock(c->ctx);
	held = c->hold == CORE_HOLD_HELD || c->hold == CORE_HOLD_RETRIEVE_REQ || c->hold == CORE_HOLD_RETRIEVE_IND;
	cti__unlock(c->ctx);
	return held;
}

static int check_cause(int cause, const char *fn)
{
	if (cause < 0 || cause > 127)
		return cti__error(CTI_EINVAL, "%s: cause %d outside 0 (accept) or 1-127", fn, cause);
	return 0;
}

int cti_call_hold_reply(cti_call_t *c, int cause)
{
	int rc;

	if (!c)
		return cti__error(CTI_EINVAL, "cti_call_hold_reply: NULL call");
	if ((rc = check_cause(cause, "cti_call_hold_reply")))
		return rc;
	cti__lock(c->ctx);
	rc = live(c, "cti_call_hold_reply");
	if (!rc && c->hold != CORE_HOLD_IND)
		rc = cti__error(CTI_ESTATE, "cti_call_hold_reply: no HOLD request pending on the call");
	if (!rc) {
		core_pri_enter(c->ctx);
		if (cause ? pri_hold_rej(c->span->pri, c->pc, cause) : pri_hold_ack(c->span->pri, c->pc))
			rc = cti__error(CTI_EIO, "cti_call_hold_reply: libpri refused HOLD %s",
					cause ? "REJECT" : "ACKNOWLEDGE");
		core_pri_leave();
		if (!rc && !cause) {
			c->hold = CORE_HOLD_HELD;
			core_chan_release(c);
			post_suppl(c, CTI_EV_CALL_HELD, 0, 1, NULL, NULL);
		} else if (!rc) {
			c->hold = CORE_HOLD_IDLE;
		}
	}
	cti__unlock(c->ctx);
	return rc;
}

int cti_call_retrieve_reply(cti_call_t *c, int cause)
{
	int rc;

	if (!c)
		return cti__error(CTI_EINVAL, "cti_call_retrieve_reply: NULL call");
	if ((rc = check_cause(cause, "cti_call_retrieve_reply")))
		return rc;
	cti__lock(c->ctx);
	rc = live(c, "cti_call_retrieve_reply");
	if (!rc && c->hold != CORE_HOLD_RETRIEVE_IND)
		rc = cti__error(CTI_ESTATE, "cti_call_retrieve_reply: no RETRIEVE request pending on the call");
	if (!rc && !cause && !c->channel) {
		/* the channel the user asked for was taken meanwhile: any free one */
		int ch = core_span_free_chan(c->span);

		if (ch)
			core_chan_take(c, c->span, ch);
		else
			cause = PRI_CAUSE_REQUESTED_CHAN_UNAVAIL;
	}
	if (!rc) {
		core_pri_enter(c->ctx);
		if (cause ? pri_retrieve_rej(c->span->pri, c->pc, cause) :
			    pri_retrieve_ack(c->span->pri, c->pc, c->channel | 0x10000))
			rc = cti__error(CTI_EIO, "cti_call_retrieve_reply: libpri refused RETRIEVE %s",
					cause ? "REJECT" : "ACKNOWLEDGE");
		core_pri_leave();
		if (!rc && !cause) {
			c->hold = CORE_HOLD_IDLE;
			post_suppl(c, CTI_EV_CALL_RETRIEVED, 0, 1, NULL, NULL);
		} else if (!rc) {
			c->hold = CORE_HOLD_HELD;
			core_chan_release(c);
		}
	}
	cti__unlock(c->ctx);
	return rc;
}

static void ev_hold(struct core_span *sp, pri_event *e)
{
	struct cti_call *c;

	switch (e->e) {
	case PRI_EVENT_HOLD:
		c = core_call_find(sp->ctx, e->hold.call);
		if (!c) {
			pri_hold_rej(sp->pri, e->hold.call, PRI_CAUSE_WRONG_CALL_STATE);
			return;
		}
		c->hold = CORE_HOLD_IND;
		post_suppl(c, CTI_EV_HOLD_REQUEST, 0, 1, NULL, NULL);
		break;
	case PRI_EVENT_HOLD_ACK:
		c = core_call_find(sp->ctx, e->hold_ack.call);
		if (!c || c->hold != CORE_HOLD_REQ)
			return;
		c->hold = CORE_HOLD_HELD;
		core_chan_release(c);
		post_suppl(c, CTI_EV_CALL_HELD, 0, 0, NULL, NULL);
		break;
	case PRI_EVENT_HOLD_REJ:
		c = core_call_find(sp->ctx, e->hold_rej.call);
		if (!c || c->hold != CORE_HOLD_REQ)
			return;
		c->hold = CORE_HOLD_IDLE;
		post_suppl(c, CTI_EV_CALL_HELD, e->hold_rej.cause > 0 ? e->hold_rej.cause : PRI_CAUSE_NORMAL_UNSPECIFIED,
			   0, NULL, cti_cause_text(e->hold_rej.cause));
		break;
	case PRI_EVENT_RETRIEVE: {
		int ch = e->retrieve.channel < 0 ? 0 : (e->retrieve.channel & 0xff);

		c = core_call_find(sp->ctx, e->retrieve.call);
		if (!c || c->hold != CORE_HOLD_HELD) {
			pri_retrieve_rej(sp->pri, e->retrieve.call, PRI_CAUSE_WRONG_CALL_STATE);
			return;
		}
		/* reserve the channel the user asked for (or any, if it may be changed) */
		if (!ch || ch > sp->maxchan || !(sp->bmask & (1u << ch)) || sp->chan_call[ch])
			ch = (e->retrieve.flexible || !ch) ? core_span_free_chan(sp) : 0;
		if (ch)
			core_chan_take(c, sp, ch);
		c->hold = CORE_HOLD_RETRIEVE_IND;
		post_suppl(c, CTI_EV_RETRIEVE_REQUEST, 0, 1, NULL, NULL);
		break;
	}
	case PRI_EVENT_RETRIEVE_ACK: {
		int ch = e->retrieve_ack.channel < 0 ? 0 : (e->retrieve_ack.channel & 0xff);

		c = core_call_find(sp->ctx, e->retrieve_ack.call);
		if (!c || c->hold != CORE_HOLD_RETRIEVE_REQ)
			return;
		if (ch && ch != c->channel) {
			/* the network chose another channel */
			core_chan_release(c);
			if (ch <= sp->maxchan && !sp->chan_call[ch])
				core_chan_take(c, sp, ch);
		}
		c->hold = CORE_HOLD_IDLE;
		post_suppl(c, CTI_EV_CALL_RETRIEVED, 0, 0, NULL, NULL);
		break;
	}
	case PRI_EVENT_RETRIEVE_REJ:
		c = core_call_find(sp->ctx, e->retrieve_rej.call);
		if (!c || c->hold != CORE_HOLD_RETRIEVE_REQ)
			return;
		c->hold = CORE_HOLD_HELD;
		core_chan_release(c);
		post_suppl(c, CTI_EV_CALL_RETRIEVED,
			   e->retrieve_rej.cause > 0 ? e->retrieve_rej.cause : PRI_CAUSE_NORMAL_UNSPECIFIED, 0, NULL,
			   cti_cause_text(e->retrieve_rej.cause));
		break;
	}
}

/* ---------------- transfer ---------------- */

int cti_call_transfer(cti_call_t *a, cti_call_t *b)
{
	cti_ctx_t *ctx;
	int rc;

	if (!a || !b || a == b)
		return cti__error(CTI_EINVAL, "cti_call_transfer: need two different calls");
	ctx = a->ctx;
	if (b->ctx != ctx)
		return cti__error(CTI_EINVAL, "cti_call_transfer: calls of different contexts");
	cti__lock(ctx);
	rc = live(a, "cti_call_transfer");
	if (!rc)
		rc = live(b, "cti_call_transfer");
	if (!rc && a->span != b->span)
		rc = cti__error(CTI_EINVAL, "cti_call_transfer: calls on spans %d and %d: transfer joins calls of one "
				"span (use cti_bridge across spans)", a->span->index, b->span->index);
	if (!rc && !supported(a->span, CTI_SUPPL_TRANSFER, "cti_call_transfer"))
		rc = CTI_ENOTSUP;
	if (!rc && (a->xfer_pending || b->xfer_pending))
		rc = cti__error(CTI_ESTATE, "cti_call_transfer: a transfer of these calls is under way");
	if (!rc) {
		const char *m = sw_transfer(a->span->cfg.switchtype);
		int prc;

		core_pri_enter(ctx);
		prc = pri_channel_bridge(a->pc, b->pc);
		core_pri_leave();
		if (prc && !strcmp(m, "RLT"))
			rc = cti__error(CTI_ENOTSUP, "cti_call_transfer: span %d: switch type %s: the network gave "
					"no RLT call id for these calls (RLT not subscribed)",
					a->span->index, core_switch_name(a->span->cfg.switchtype));
		else if (prc)
			rc = cti__error(CTI_EIO, "cti_call_transfer: span %d: libpri refused the %s request (calls "
					"not both set up, or bearer capabilities differ)", a->span->index, m);
	}
	if (!rc && a->span->cfg.switchtype == CTI_SWITCH_QSIG) {
		/*
		 * QSIG (ECMA-178 by join): both far ends were told
		 * (CallTransferComplete); this PINX joins the two B-channels
		 * itself. libpri has no path replacement to give them back.
		 */
		cti__unlock(ctx);
		rc = cti_bridge(a, b);
		cti__lock(ctx);
		if (!a->released && !a->hangup_posted)
			post_suppl(a, CTI_EV_TRANSFER_DONE, rc, 0, b,
				   rc ? cti_last_error() : "QSIG: joined by this PINX, the two B-channels stay in use");
		cti__unlock(ctx);
		return rc;
	}
	if (!rc) {
		a->xfer_pending = b->xfer_pending = 1;
		a->xfer_master = 1;
		b->xfer_master = 0;
		a->xfer_other = b;
		b->xfer_other = a;
	}
	cti__unlock(ctx);
	return rc;
}

/*
 * A leg of a transfer we asked for is cleared: the network took the calls
 * over (it clears both legs; the other follows) or the transfer was given
 * up here. Reported once, on the first call of cti_call_transfer() while
 * both handles are still valid.
 */
static void xfer_leg_cleared(struct cti_call *c)
{
	struct cti_call *o = c->xfer_other;
	struct cti_call *m = c->xfer_master || !o ? c : o;

	post_suppl(m, CTI_EV_TRANSFER_DONE, c->remote ? 0 : CTI_ESTATE, 0, m == c ? o : c,
		   c->remote ? NULL : "a call was cleared here before the network completed the transfer");
	c->xfer_pending = 0;
	if (o)
		o->xfer_pending = 0;
}

void core_suppl_call_cleared(struct cti_call *c)
{
	if (c->xfer_pending)
		xfer_leg_cleared(c);
	c->xfer_other = NULL;
	for (struct cti_call *o = c->ctx->calls; o; o = o->next)
		if (o->xfer_other == c)
			o->xfer_other = NULL;
	if (c->defl_pending) {
		c->defl_pending = 0;
		post_suppl(c, CTI_EV_DEFLECT_DONE, c->remote ? 0 : CTI_ESTATE, 0, NULL,
			   c->remote ? NULL : "the call was cleared here before the network rerouted it");
	}
}

int cti_transfer_reply(cti_call_t *c, int accept)
{
	int rc;

	if (!c)
		return cti__error(CTI_EINVAL, "cti_transfer_reply: NULL call");
	cti__lock(c->ctx);
	rc = live(c, "cti_transfer_reply");
	if (!rc && c->xfer_invoke < 0 && !c->xfer_ni2)
		rc = cti__error(CTI_ESTATE, "cti_transfer_reply: no transfer request pending on the call");
	if (!rc) {
		struct cti_call *o = c->xfer_other;

		if (!c->xfer_ni2) {
			core_pri_enter(c->ctx);
			if (pri_transfer_rsp(c->span->pri, c->pc, c->xfer_invoke, accept ? 1 : 0))
				rc = cti__error(CTI_EIO, "cti_transfer_reply: libpri refused the ECT response");
			core_pri_leave();
		}
		c->xfer_invoke = -1;
		c->xfer_ni2 = 0;
		c->xfer_other = NULL;
		if (o && o->xfer_other == c)
			o->xfer_other = NULL;
		if (!rc && accept) {
			/* the network took the far parties over: both legs to the user are cleared */
			core_call_hangup(c, PRI_CAUSE_NORMAL_CLEARING);
			if (o)
				core_call_hangup(o, PRI_CAUSE_NORMAL_CLEARING);
		}
	}
	cti__unlock(c->ctx);
	return rc;
}

static void transfer_request(struct core_span *sp, struct cti_call *c1, struct cti_call *c2, int invoke, int ni2)
{
	c1->xfer_invoke = invoke;
	c1->xfer_ni2 = ni2;
	c1->xfer_other = c2;
	c2->xfer_other = c1;
	(void)sp;
	post_suppl(c1, CTI_EV_TRANSFER_REQUEST, 0, 1, c2, NULL);
}

/*
 * NI2 InitiateTransfer (2BCT) as the network: libpri 1.6 encodes it but its
 * network side ignores it. Facility IE (0x1c) of a FACILITY message, ROSE
 * invoke component whose operation is the OID {1 2 840 10005 0 8}, argument
 * SEQUENCE { INTEGER call reference of the other call (flag as seen here) }.
 */
static const uint8_t ni2_xfer_oid[] = { 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x15, 0x00, 0x08 };

#define Q931_FACILITY_MT 0x62

static int parse_ni2_transfer(const uint8_t *f, int len, int *cref, int *other_cref)
{
	int i = 4, crlen, mt;

	if (len < 8 || (f[2] & 1) || f[i] != 0x08)
		return 0;
	crlen = f[i + 1] & 0x0f;
	if (crlen < 1 || crlen > 2 || i + 2 + crlen + 1 > len)
		return 0;
	/* as libpri keys its calls: value with the flag bit as 0x8000 */
	*cref = (crlen == 2 ? ((f[i + 2] & 0x7f) << 8) | f[i + 3] : (f[i + 2] & 0x7f)) | ((f[i + 2] & 0x80) << 8);
	i += 2 + crlen;
	mt = f[i++];
	if (mt != Q931_FACILITY_MT)
		return 0;
	while (i + 1 < len) {
		int ielen;

		if (f[i] & 0x80) {
			i++;
			continue;
		}
		ielen = f[i + 1];
		if (i + 2 + ielen > len)
			return 0;
		if (f[i] == 0x1c) {
			const uint8_t *p = &f[i + 2];

			for (int k = 0; k + (int)sizeof(ni2_xfer_oid) + 4 <= ielen; k++) {
				const uint8_t *q = p + k + sizeof(ni2_xfer_oid);
				int n, v = 0;

				if (memcmp(p + k, ni2_xfer_oid, sizeof(ni2_xfer_oid)))
					continue;
				/* SEQUENCE { INTEGER } */
				if (q[0] != 0x30 || q[2] != 0x02)
					return 0;
				n = q[3];
				if (n < 1 || n > 3 || (q + 4 + n) > p + ielen)
					return 0;
				for (int j = 0; j < n; j++)
					v = (v << 8) | q[4 + j];
				*other_cref = v;
				return 1;
			}
		}
		i += 2 + ielen;
	}
	return 0;
}

/*
 * libpri's key of a call: the call reference with 0x8000 set for the calls
 * this side originated. pri_get_crv() gives it shifted (GR-303 layout:
 * crv << 3 | mode); the flag is ours to add.
 */
static struct cti_call *call_by_cref(struct core_span *sp, int cref)
{
	for (struct cti_call *c = sp->ctx->calls; c; c = c->next) {
		int mode = 0, crv, cr;

		if (c->span != sp || !c->pc || c->hangup_posted)
			continue;
		crv = pri_get_crv(sp->pri, c->pc, &mode);
		if (crv < 0)
			continue;
		cr = ((crv << 3) | (mode & 7)) | (c->outgoing ? 0x8000 : 0);
		if (cr == cref)
			return c;
	}
	return NULL;
}

/*
 * A FACILITY whose Facility IE carries a ROSE returnError (0xa3) or reject
 * (0xa4) component: the answer to an invoke we sent. libpri 1.6 reports
 * none for ECT execute or rerouting; seen here. Returns the call reference
 * (libpri's key) or -1.
 */
static int parse_rose_error(const uint8_t *f, int len, int *code)
{
	int i = 4, crlen, cref, mt;

	if (len < 8 || (f[2] & 1) || f[i] != 0x08)
		return -1;
	crlen = f[i + 1] & 0x0f;
	if (crlen < 1 || crlen > 2 || i + 2 + crlen + 1 > len)
		return -1;
	cref = (crlen == 2 ? ((f[i + 2] & 0x7f) << 8) | f[i + 3] : (f[i + 2] & 0x7f)) | ((f[i + 2] & 0x80) << 8);
	i += 2 + crlen;
	mt = f[i++];
	if (mt != Q931_FACILITY_MT)
		return -1;
	while (i + 1 < len) {
		int ielen;

		if (f[i] & 0x80) {
			i++;
			continue;
		}
		ielen = f[i + 1];
		if (i + 2 + ielen > len)
			return -1;
		if (f[i] == 0x1c && ielen > 1) {
			const uint8_t *p = &f[i + 3], *end = &f[i + 2 + ielen];	/* after the protocol profile */

			while (p + 2 <= end) {
				int tag = p[0], l = p[1], hl = 2;

				if (l == 0x81 && p + 3 <= end) {
					l = p[2];
					hl = 3;
				} else if (l > 0x7f) {
					break;
				}
				if (tag == 0xa3 || tag == 0xa4) {
					*code = tag;
					return cref;
				}
				p += hl + l;
			}
		}
		i += 2 + ielen;
	}
	return -1;
}

/*
 * DMS100 RLT (release link trunk) as the network. libpri 1.6's user side
 * puts an RLT_OperationInd invoke (ROSE invoke id 1, operation 1, no
 * argument) in every SETUP and can transfer a call only once the network
 * answered it with an RLT call id (rose_handle_result, pri_facility.c: sets
 * call->transferable); libpri's network side never answers it (nothing in
 * libpri encodes that result) and ignores the RLT_ThirdParty invoke that
 * follows. Both are done here from the frames: the answer goes into the
 * first CALL PROCEEDING / ALERTING / CONNECT the network sends for such a
 * call (the call id is the user's call reference), and RLT_ThirdParty
 * (invoke id 2, operation 2, SEQUENCE { [0] call id, [1] reason }) in a
 * FACILITY on one call naming the other becomes CTI_EV_TRANSFER_REQUEST.
 * The Facility IE of DMS100: protocol profile 0x11 (no extension bit), the
 * RLT service octet 0xbe, then the ROSE component.
 */
#define RLT_PROFILE 0x11
#define RLT_SERVICE 0xbe

/* Q.931 header of an I-frame: 1 with libpri's key of the call (0x8000: the receiver's own), type, first IE. */
static int q931_head(const uint8_t *f, int len, int *cref, int *mt, int *ies)
{
	int i = 4, crlen;

	if (len < 8 || (f[2] & 1) || f[i] != 0x08)
		return 0;
	crlen = f[i + 1] & 0x0f;
	if (crlen < 1 || crlen > 2 || i + 2 + crlen + 1 > len)
		return 0;
	*cref = (crlen == 2 ? ((f[i + 2] & 0x7f) << 8) | f[i + 3] : (f[i + 2] & 0x7f)) | ((f[i + 2] & 0x80) << 8);
	i += 2 + crlen;
	*mt = f[i++];
	*ies = i;
	return 1;
}

/* The DMS100 RLT invoke in the frame's Facility IE: operation 1 or 2 (*call_id for 2), else 0. */
static int rlt_invoke(const uint8_t *f, int len, int i, long *call_id)
{
	while (i + 1 < len) {
		int ielen;

		if (f[i] & 0x80) {
			i++;
			continue;
		}
		ielen = f[i + 1];
		if (i + 2 + ielen > len)
			return 0;
		/* 1c L 11 be a1 L 02 01 id 02 01 op [30 L 80 n id.. 81 n reason] */
		if (f[i] == 0x1c && ielen >= 10 && f[i + 2] == RLT_PROFILE && f[i + 3] == RLT_SERVICE &&
		    f[i + 4] == 0xa1 && f[i + 6] == 0x02 && f[i + 7] == 1 && f[i + 9] == 0x02 && f[i + 10] == 1) {
			const uint8_t *q = &f[i + 12], *end = &f[i + 2 + ielen];
			int op = f[i + 11];

			if (op == 1)
				return 1;
			if (op == 2 && end - q >= 5 && q[0] == 0x30 && q[2] == 0x80 && q[3] >= 1 && q[3] <= 3 &&
			    q + 4 + q[3] <= end) {
				*call_id = 0;
				for (int k = 0; k < q[3]; k++)
					*call_id = (*call_id << 8) | q[4 + k];
				return 2;
			}
			return 0;
		}
		i += 2 + ielen;
	}
	return 0;
}

static int rlt_network(const struct core_span *sp)
{
	return sp->cfg.switchtype == CTI_SWITCH_DMS100 && sp->cfg.role == CTI_ROLE_NETWORK;
}

/* A frame the user side sent (network side of DMS100): remember RLT_OperationInd, serve RLT_ThirdParty. */
static void rlt_frame(struct core_span *sp, const uint8_t *f, int len)
{
	int cref, mt, ies, op;
	long call_id = -1;

	if (!rlt_network(sp) || !q931_head(f, len, &cref, &mt, &ies))
		return;
	op = rlt_invoke(f, len, ies, &call_id);
	if (op == 1 && mt == 0x05 && !(cref & 0x8000)) {
		for (int k = 0; k < CORE_RLT_MAX; k++)
			if (!sp->rlt_cref[k]) {
				sp->rlt_cref[k] = cref;	/* answered with its first message back */
				break;
			}
	} else if (op == 2 && mt == Q931_FACILITY_MT) {
		struct cti_call *c1 = call_by_cref(sp, cref), *c2 = call_by_cref(sp, (int)call_id);

		if (c1 && c2 && c1 != c2)
			transfer_request(sp, c1, c2, -1, 1);
	}
}

int core_suppl_tx_frame(struct core_span *sp, const uint8_t *f, int len, uint8_t *out, int outmax)
{
	int cref, mt, ies, k, at;
	uint8_t ie[32];
	int n = 0;

	if (!rlt_network(sp) || !q931_head(f, len, &cref, &mt, &ies))
		return 0;
	for (k = 0; k < CORE_RLT_MAX; k++)
		if (sp->rlt_cref[k] && (sp->rlt_cref[k] | 0x8000) == cref)
			break;
	if (k == CORE_RLT_MAX)
		return 0;
	if (mt != 0x02 && mt != 0x01 && mt != 0x07) {	/* not CALL PROCEEDING, ALERTING, CONNECT */
		if (mt == 0x45 || mt == 0x4d || mt == 0x5a)
			sp->rlt_cref[k] = 0;	/* cleared before an answer: no call id */
		return 0;
	}
	sp->rlt_cref[k] = 0;
	/* returnResult { invokeId 1, SEQUENCE { operation 1, [0] call id } } */
	cref &= 0x7fff;
	ie[n++] = 0x1c;
	ie[n++] = 0;
	ie[n++] = RLT_PROFILE;
	ie[n++] = RLT_SERVICE;
	ie[n++] = 0xa2;
	ie[n++] = 0;
	ie[n++] = 0x02; ie[n++] = 1; ie[n++] = 1;
	ie[n++] = 0x30;
	ie[n++] = 0;
	ie[n++] = 0x02; ie[n++] = 1; ie[n++] = 1;
	ie[n++] = 0x80; ie[n++] = 2;
	if (n + 2 > (int)sizeof(ie))
		return 0;
	ie[n++] = (uint8_t)(cref >> 8);
	ie[n++] = (uint8_t)cref;
	ie[10] = (uint8_t)(n - 11);	/* SEQUENCE */
	ie[5] = (uint8_t)(n - 6);	/* returnResult */
	ie[1] = (uint8_t)(n - 2);	/* IE */
	if (len + n > outmax)
		return 0;
	/* keep the IEs in ascending order: before the first one above 0x1c (or a shift) */
	for (at = ies; at + 1 < len;) {
		if (f[at] & 0x80) {
			if ((f[at] & 0xf0) == 0x90)
				break;
			at++;
			continue;
		}
		if (f[at] > 0x1c)
			break;
		at += 2 + f[at + 1];
	}
	if (at > len)
		at = len;
	memcpy(out, f, (size_t)at);
	memcpy(out + at, ie, (size_t)n);
	memcpy(out + at + n, f + at, (size_t)(len - at));
	return len + n;
}

void core_suppl_frame(struct core_span *sp, const uint8_t *buf, int len)
{
	int cref, other, code;
	struct cti_call *c1, *c2;
	enum cti_switchtype sw = sp->cfg.switchtype;

	core_mwi_frame(sp, buf, len);	/* message waiting (mwi.c) */
	rlt_frame(sp, buf, len);	/* DMS100 RLT as the network */
	cref = parse_rose_error(buf, len, &code);
	if (cref >= 0 && (c1 = call_by_cref(sp, cref)) != NULL) {
		const char *what = code == 0xa3 ? "returned an error" : "rejected the request";
		char text[96];

		if (c1->xfer_pending) {
			struct cti_call *m = c1->xfer_master || !c1->xfer_other ? c1 : c1->xfer_other;

			snprintf(text, sizeof(text), "the network %s (transfer by %s)", what, sw_transfer(sw));
			post_suppl(m, CTI_EV_TRANSFER_DONE, CTI_EIO, 0, m == c1 ? c1->xfer_other : c1, text);
			if (c1->xfer_other)
				c1->xfer_other->xfer_pending = 0;
			c1->xfer_pending = 0;
		}
		if (c1->defl_pending) {
			snprintf(text, sizeof(text), "the network %s (deflection)", what);
			c1->defl_pending = 0;
			post_suppl(c1, CTI_EV_DEFLECT_DONE, CTI_EIO, 0, NULL, text);
		}
	}
	if (sp->cfg.role != CTI_ROLE_NETWORK || strcmp(sw_transfer(sw), "2BCT"))
		return;
	if (!parse_ni2_transfer(buf, len, &cref, &other))
		return;
	c1 = call_by_cref(sp, cref);
	c2 = call_by_cref(sp, other);
	if (!c1 || !c2 || c1 == c2)
		return;		/* nothing to join: the user's calls stay as they are */
	transfer_request(sp, c1, c2, -1, 1);
}

/* ---------------- deflection ---------------- */

int cti_call_deflect(cti_call_t *c, const cti_party_t *to)
{
	int rc;

	if (!c || !to)
		return cti__error(CTI_EINVAL, "cti_call_deflect: NULL argument");
	if (!to->number[0] || strnlen(to->number, CTI_NUMBER_MAX) >= CTI_NUMBER_MAX ||
	    strspn(to->number, "0123456789*#") != strlen(to->number))
		return cti__error(CTI_EINVAL, "cti_call_deflect: number '%.*s': 1-%d of 0-9 * #", CTI_NUMBER_MAX,
				  to->number, CTI_NUMBER_MAX - 1);
	cti__lock(c->ctx);
	rc = live(c, "cti_call_deflect");
	if (!rc && !supported(c->span, CTI_SUPPL_DEFLECT, "cti_call_deflect"))
		rc = CTI_ENOTSUP;
	if (!rc && c->defl_pending)
		rc = cti__error(CTI_ESTATE, "cti_call_deflect: a deflection of this call is under way");
	if (!rc) {
		struct pri_party_redirecting r;

		memset(&r, 0, sizeof(r));
		r.to.number.valid = 1;
		r.to.number.plan = (to->ton << 4) | to->npi;
		r.to.number.presentation = PRES_ALLOWED_USER_NUMBER_NOT_SCREENED;
		snprintf(r.to.number.str, sizeof(r.to.number.str), "%s", to->number);
		r.from.number.valid = c->params.called.number[0] != 0;
		r.from.number.plan = (c->params.called.ton << 4) | c->params.called.npi;
		snprintf(r.from.number.str, sizeof(r.from.number.str), "%s", c->params.called.number);
		r.count = 1;
		r.reason = PRI_REDIR_DEFLECTION;
		r.orig_reason = PRI_REDIR_DEFLECTION;
		core_pri_enter(c->ctx);
		if (pri_reroute_call(c->span->pri, c->pc, NULL, &r, 2))
			rc = cti__error(CTI_EIO, "cti_call_deflect: libpri refused the rerouting request on span %d",
					c->span->index);
		core_pri_leave();
		if (!rc)
			c->defl_pending = 1;
	}
	cti__unlock(c->ctx);
	return rc;
}

int cti_deflect_reply(cti_call_t *c, int accept)
{
	int rc;

	if (!c)
		return cti__error(CTI_EINVAL, "cti_deflect_reply: NULL call");
	cti__lock(c->ctx);
	rc = live(c, "cti_deflect_reply");
	if (!rc && c->defl_invoke < 0)
		rc = cti__error(CTI_ESTATE, "cti_deflect_reply: no deflection request pending on the call");
	if (!rc) {
		core_pri_enter(c->ctx);
		if (pri_rerouting_rsp(c->span->pri, c->pc, c->defl_invoke,
				      accept ? PRI_REROUTING_RSP_OK_CLEAR : PRI_REROUTING_RSP_NOT_ALLOWED))
			rc = cti__error(CTI_EIO, "cti_deflect_reply: libpri refused the rerouting response");
		core_pri_leave();
		c->defl_invoke = -1;
		if (!rc && accept)
			core_call_hangup(c, PRI_CAUSE_NORMAL_CLEARING);
	}
	cti__unlock(c->ctx);
	return rc;
}

/* ---------------- keypad, display ---------------- */

int cti_call_keypad(cti_call_t *c, const char *digits)
{
	int rc;

	if (!c || !digits || !digits[0])
		return cti__error(CTI_EINVAL, "cti_call_keypad: NULL call or no digits");
	if (strlen(digits) > 31 || strspn(digits, "0123456789*#") != strlen(digits))
		return cti__error(CTI_EINVAL, "cti_call_keypad: '%s': 1-31 of 0-9 * #", digits);
	cti__lock(c->ctx);
	rc = live(c, "cti_call_keypad");
	if (!rc) {
		core_pri_enter(c->ctx);
		if (pri_keypad_facility(c->span->pri, c->pc, digits))
			rc = cti__error(CTI_EIO, "cti_call_keypad: libpri refused INFORMATION");
		core_pri_leave();
	}
	cti__unlock(c->ctx);
	return rc;
}

int cti_call_display(cti_call_t *c, const char *text)
{
	int rc;
	size_t n;

	if (!c || !text)
		return cti__error(CTI_EINVAL, "cti_call_display: NULL argument");
	n = strlen(text);
	if (!n || n > 80)
		return cti__error(CTI_EINVAL, "cti_call_display: text of %zu characters (1-80)", n);
	for (size_t i = 0; i < n; i++)
		if (text[i] < 0x20 || text[i] > 0x7e)
			return cti__error(CTI_EINVAL, "cti_call_display: character 0x%02x at %zu is not printable ASCII",
					  (unsigned char)text[i], i + 1);
	cti__lock(c->ctx);
	rc = live(c, "cti_call_display");
	if (!rc) {
		struct pri_subcmd_display_txt d;

		memset(&d, 0, sizeof(d));
		d.char_set = 1;	/* iso8859-1 */
		d.length = (int)n;
		memcpy(d.text, text, n);
		core_pri_enter(c->ctx);
		if (pri_display_text(c->span->pri, c->pc, &d))
			rc = cti__error(CTI_EIO, "cti_call_display: libpri refused the display text");
		core_pri_leave();
	}
	cti__unlock(c->ctx);
	return rc;
}

/* ---------------- events from libpri ---------------- */

/* ---------------- advice of charge ---------------- */

static long to_hundredths(const struct pri_aoc_amount *a)
{
	static const long mul[] = { 1, 1, 10, 100, 1000, 10000, 100000 };	/* x1/1000 .. x1000, in 1/100 */

	if (a->multiplier == PRI_AOC_MULTIPLIER_THOUSANDTH)
		return a->cost / 10;
	if (a->multiplier < 0 || a->multiplier > PRI_AOC_MULTIPLIER_THOUSAND)
		return a->cost;
	return a->cost * mul[a->multiplier];
}

/* Seconds of an AOC time length (sub-second scales rounded up). */
static uint32_t aoc_seconds(const struct pri_aoc_time *t)
{
	static const long hundredths[] = { 1, 10, 100, 1000, 6000, 360000, 8640000 };

	if (t->length <= 0 || t->scale < 0 || t->scale > PRI_AOC_TIME_SCALE_DAY)
		return 0;
	return (uint32_t)((t->length * hundredths[t->scale] + 99) / 100);
}

/* AOC-S: the rate of the basic communication (first item otherwise). */
static void post_aoc_s(struct cti_call *c, const struct pri_subcmd_aoc_s *a)
{
	const struct pri_aoc_s_element *it = NULL;
	cti_event_t ev;

	for (int i = 0; i < a->num_items && i < 10 && !it; i++)
		if (a->item[i].chargeable == PRI_AOC_CHARGED_ITEM_BASIC_COMMUNICATION)
			it = &a->item[i];
	if (!it && a->num_items > 0)
		it = &a->item[0];
	memset(&ev, 0, sizeof(ev));
	ev.type = CTI_EV_AOC;
	ev.u.aoc.size = sizeof(ev.u.aoc);
	ev.call = c;
	ev.span = c->span ? c->span->index : 0;
	ev.channel = c->channel;
	ev.u.aoc.type = CTI_AOC_S;
	ev.u.aoc.units = ev.u.aoc.amount = -1;
	if (it && (it->rate_type == PRI_AOC_RATE_TYPE_FREE || it->rate_type == PRI_AOC_RATE_TYPE_FREE_FROM_BEGINNING)) {
		ev.u.aoc.free_of_charge = 1;
	} else if (it && it->rate_type == PRI_AOC_RATE_TYPE_DURATION) {
		ev.u.aoc.amount = to_hundredths(&it->rate.duration.amount);
		ev.u.aoc.per_seconds = aoc_seconds(&it->rate.duration.time);
		snprintf(ev.u.aoc.currency, sizeof(ev.u.aoc.currency), "%s", it->rate.duration.currency);
	} else if (it && it->rate_type == PRI_AOC_RATE_TYPE_FLAT) {
		ev.u.aoc.amount = to_hundredths(&it->rate.flat.amount);
		snprintf(ev.u.aoc.currency, sizeof(ev.u.aoc.currency), "%s", it->rate.flat.currency);
	}
	cti__post(c->ctx, &ev);
}

static void post_aoc(struct cti_call *c, const struct pri_subcommand *s)
{
	const struct pri_aoc_recorded_units *u;
	const struct pri_aoc_recorded_currency *m;
	int charge;
	cti_event_t ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = CTI_EV_AOC;
	ev.u.aoc.size = sizeof(ev.u.aoc);
	ev.call = c;
	ev.span = c->span ? c->span->index : 0;
	ev.channel = c->channel;
	if (s->cmd == PRI_SUBCMD_AOC_D) {
		ev.u.aoc.type = CTI_AOC_D;
		charge = s->u.aoc_d.charge;
		ev.u.aoc.total = s->u.aoc_d.billing_accumulation;
		u = &s->u.aoc_d.recorded.unit;
		m = &s->u.aoc_d.recorded.money;
	} else {
		ev.u.aoc.type = CTI_AOC_E;
		charge = s->u.aoc_e.charge;
		ev.u.aoc.total = 1;
		u = &s->u.aoc_e.recorded.unit;
		m = &s->u.aoc_e.recorded.money;
	}
	ev.u.aoc.units = ev.u.aoc.amount = -1;
	if (charge == PRI_AOC_DE_CHARGE_FREE) {
		ev.u.aoc.free_of_charge = 1;
	} else if (charge == PRI_AOC_DE_CHARGE_UNITS) {
		ev.u.aoc.units = 0;
		for (int i = 0; i < u->num_items && i < 32; i++)
			if (u->item[i].number > 0)
				ev.u.aoc.units += u->item[i].number;
	} else if (charge == PRI_AOC_DE_CHARGE_CURRENCY) {
		ev.u.aoc.amount = to_hundredths(&m->amount);
		snprintf(ev.u.aoc.currency, sizeof(ev.u.aoc.currency), "%s", m->currency);
	}
	cti__post(c->ctx, &ev);
}

/* libpri's currency fields and ours: 10 characters and a NUL. */
static void copy_currency(char dst[11], const char src[11])
{
	size_t n = strnlen(src, 10);

	memcpy(dst, src, n);
	dst[n] = 0;
}

void cti_aoc_init_sized(cti_aoc_t *app, size_t size, enum cti_aoc_type type)
{
	cti_aoc_t a = { .type = type, .units = -1, .amount = -1 };

	cti__abi_init(app, size, &a, sizeof(a));
}

int cti_call_aoc(cti_call_t *c, const cti_aoc_t *app)
{
	cti_aoc_t full = { .units = -1, .amount = -1 }, *aoc = &full;
	int rc;

	if (!c || !app)
		return cti__error(CTI_EINVAL, "cti_call_aoc: NULL argument");
	if ((rc = cti__abi_in(&full, sizeof(full), app, "cti_call_aoc", "cti_aoc")))
		return rc;
	if (aoc->type != CTI_AOC_D && aoc->type != CTI_AOC_E && aoc->type != CTI_AOC_S)
		return cti__error(CTI_EINVAL, "cti_call_aoc: type %d (accepted: 1 AOC-D, 2 AOC-E, 3 AOC-S)", aoc->type);
	if (aoc->type == CTI_AOC_S && !aoc->free_of_charge && (aoc->amount < 0 || !aoc->currency[0]))
		return cti__error(CTI_EINVAL, "cti_call_aoc: AOC-S needs an amount >= 0 with a currency, or free_of_charge");
	if (!aoc->free_of_charge && aoc->units < 0 && (aoc->amount < 0 || !aoc->currency[0]))
		return cti__error(CTI_EINVAL, "cti_call_aoc: give units >= 0, or an amount >= 0 with a currency, "
				  "or free_of_charge");
	if (strnlen(aoc->currency, sizeof(aoc->currency)) >= sizeof(aoc->currency))
		return cti__error(CTI_EINVAL, "cti_call_aoc: currency not terminated (up to 10 characters)");
	cti__lock(c->ctx);
	rc = live(c, "cti_call_aoc");
	if (!rc && c->span->cfg.switchtype != CTI_SWITCH_EUROISDN)
		rc = cti__error(CTI_ENOTSUP, "cti_call_aoc: span %d: switch type %s has no advice of charge in libpri "
				"(EuroISDN only)", c->span->index, core_switch_name(c->span->cfg.switchtype));
	if (!rc) {
		int charge = aoc->free_of_charge ? PRI_AOC_DE_CHARGE_FREE :
			     aoc->units >= 0 ? PRI_AOC_DE_CHARGE_UNITS : PRI_AOC_DE_CHARGE_CURRENCY;
		struct pri_aoc_recorded_units u;
		struct pri_aoc_recorded_currency m;
		int prc;

		memset(&u, 0, sizeof(u));
		memset(&m, 0, sizeof(m));
		u.num_items = 1;
		u.item[0].number = aoc->units;
		u.item[0].type = -1;
		m.amount.cost = aoc->amount;
		m.amount.multiplier = PRI_AOC_MULTIPLIER_HUNDREDTH;
		copy_currency(m.currency, aoc->currency);
		core_pri_enter(c->ctx);
		if (aoc->type == CTI_AOC_S) {
			struct pri_subcmd_aoc_s as;
			struct pri_aoc_s_element *it = &as.item[0];

			memset(&as, 0, sizeof(as));
			as.num_items = 1;
			it->chargeable = PRI_AOC_CHARGED_ITEM_BASIC_COMMUNICATION;
			if (aoc->free_of_charge) {
				it->rate_type = PRI_AOC_RATE_TYPE_FREE;
			} else if (aoc->per_seconds) {
				it->rate_type = PRI_AOC_RATE_TYPE_DURATION;
				it->rate.duration.amount = m.amount;
				it->rate.duration.time.length = (long)aoc->per_seconds;
				it->rate.duration.time.scale = PRI_AOC_TIME_SCALE_SECOND;
				it->rate.duration.charging_type = 1;	/* stepFunction */
				copy_currency(it->rate.duration.currency, aoc->currency);
			} else {
				it->rate_type = PRI_AOC_RATE_TYPE_FLAT;
				it->rate.flat.amount = m.amount;
				copy_currency(it->rate.flat.currency, aoc->currency);
			}
			prc = pri_aoc_s_send(c->span->pri, c->pc, &as);
		} else if (aoc->type == CTI_AOC_D) {
			struct pri_subcmd_aoc_d d;

			memset(&d, 0, sizeof(d));
			d.charge = charge;
			d.billing_accumulation = aoc->total ? 1 : 0;
			d.billing_id = PRI_AOC_D_BILLING_ID_NORMAL;
			if (charge == PRI_AOC_DE_CHARGE_UNITS)
				d.recorded.unit = u;
			else
				d.recorded.money = m;
			prc = pri_aoc_d_send(c->span->pri, c->pc, &d);
		} else {
			struct pri_subcmd_aoc_e e;

			memset(&e, 0, sizeof(e));
			e.charge = charge;
			e.billing_id = PRI_AOC_E_BILLING_ID_NORMAL;
			if (charge == PRI_AOC_DE_CHARGE_UNITS)
				e.recorded.unit = u;
			else
				e.recorded.money = m;
			prc = pri_aoc_e_send(c->span->pri, c->pc, &e);
		}
		core_pri_leave();
		if (prc)
			rc = cti__error(CTI_EIO, "cti_call_aoc: libpri refused the AOC-%c",
					aoc->type == CTI_AOC_D ? 'D' : aoc->type == CTI_AOC_E ? 'E' : 'S');
	}
	cti__unlock(c->ctx);
	return rc;
}

void core_suppl_subcmds(struct core_span *sp, struct cti_call *c, void *subcmds_v)
{
	struct pri_subcommands *subcmds = subcmds_v;

	if (!subcmds)
		return;
	for (int i = 0; i < subcmds->counter_subcmd && i < PRI_MAX_SUBCOMMANDS; i++) {
		struct pri_subcommand *s = &subcmds->subcmd[i];

		switch (s->cmd) {
		case PRI_SUBCMD_TRANSFER_CALL: {
			struct cti_call *c1 = core_call_find(sp->ctx, s->u.transfer.call_1);
			struct cti_call *c2 = core_call_find(sp->ctx, s->u.transfer.call_2);

			if (!c1 || !c2) {
				pri_transfer_rsp(sp->pri, s->u.transfer.call_1, s->u.transfer.invoke_id, 0);
				break;
			}
			transfer_request(sp, c1, c2, s->u.transfer.invoke_id, 0);
			break;
		}
		case PRI_SUBCMD_REROUTING: {
			const struct pri_party_number *n = &s->u.rerouting.deflection.to.number;
			cti_event_t ev;

			if (!c) {
				break;
			}
			c->defl_invoke = s->u.rerouting.invoke_id;
			memset(&ev, 0, sizeof(ev));
			ev.type = CTI_EV_DEFLECT_REQUEST;
			ev.call = c;
			ev.span = sp->index;
			ev.channel = c->channel;
			ev.u.suppl.remote = 1;
			snprintf(ev.u.suppl.party.number, sizeof(ev.u.suppl.party.number), "%s", n->str);
			ev.u.suppl.party.ton = (n->plan >> 4) & 7;
			ev.u.suppl.party.npi = n->plan & 0x0f;
			cti__post(sp->ctx, &ev);
			break;
		}
		case PRI_SUBCMD_AOC_D:
		case PRI_SUBCMD_AOC_E:
			if (c)
				post_aoc(c, s);
			break;
		case PRI_SUBCMD_AOC_S:
			if (c)
				post_aoc_s(c, &s->u.aoc_s);
			break;
		case PRI_SUBCMD_DISPLAY_TEXT:
			if (c)
				post_suppl(c, CTI_EV_DISPLAY, 0, 1, NULL, s->u.display.text);
			break;
		default:
			break;
		}
	}
}

int core_suppl_event(struct core_span *sp, void *pri_ev)
{
	pri_event *e = pri_ev;
	struct cti_call *c;

	switch (e->e) {
	case PRI_EVENT_HOLD:
	case PRI_EVENT_HOLD_ACK:
	case PRI_EVENT_HOLD_REJ:
	case PRI_EVENT_RETRIEVE:
	case PRI_EVENT_RETRIEVE_ACK:
	case PRI_EVENT_RETRIEVE_REJ:
		ev_hold(sp, e);
		return 1;
	case PRI_EVENT_FACILITY:
		c = core_call_find(sp->ctx, e->facility.call);
		core_suppl_subcmds(sp, c, e->facility.subcmds);
		return 1;
	case PRI_EVENT_KEYPAD_DIGIT:
		c = core_call_find(sp->ctx, e->digit.call);
		if (c)
			post_suppl(c, CTI_EV_KEYPAD, 0, 1, NULL, e->digit.digits);
		core_suppl_subcmds(sp, c, e->digit.subcmds);
		return 1;
	default:
		return 0;
	}
}

const char *core_suppl_event_name(int type)
{
	static const char *const names[] = {
		"HOLD_REQUEST", "CALL_HELD", "RETRIEVE_REQUEST", "CALL_RETRIEVED", "TRANSFER_REQUEST",
		"TRANSFER_DONE", "DEFLECT_REQUEST", "DEFLECT_DONE", "KEYPAD", "DISPLAY", "UUI", "AOC", "MWI", "MWI_DONE",
	};
	int i = type - CTI_EV_HOLD_REQUEST;

	return i >= 0 && i < (int)(sizeof(names) / sizeof(names[0])) ? names[i] : "UNKNOWN";
}

/* ---------------- user-user information ---------------- */

static int check_uui(const char *uui, const char *fn)
{
	size_t n;

	if (!uui)
		return cti__error(CTI_EINVAL, "%s: NULL user-user information", fn);
	n = strlen(uui);
	if (!n || n > 35)
		return cti__error(CTI_EINVAL, "%s: user-user information of %zu characters (1-35)", fn, n);
	for (size_t i = 0; i < n; i++)
		if (uui[i] < 0x20 || uui[i] > 0x7e)
			return cti__error(CTI_EINVAL, "%s: user-user character 0x%02x at %zu is not printable ASCII (IA5)",
					  fn, (unsigned char)uui[i], i + 1);
	return 0;
}

cti_call_t *cti_call_place_uui(cti_ctx_t *ctx, const cti_call_params_t *p, const char *uui)
{
	cti_call_t *c;

	if (check_uui(uui, "cti_call_place_uui"))
		return NULL;
	snprintf(place_uui, sizeof(place_uui), "%s", uui);
	c = cti_call_place(ctx, p);
	place_uui[0] = 0;
	return c;
}

int cti_call_set_uui(cti_call_t *c, const char *uui)
{
	int rc;

	if (!c)
		return cti__error(CTI_EINVAL, "cti_call_set_uui: NULL call");
	if ((rc = check_uui(uui, "cti_call_set_uui")))
		return rc;
	cti__lock(c->ctx);
	rc = live(c, "cti_call_set_uui");
	if (!rc) {
		core_pri_enter(c->ctx);
		pri_call_set_useruser(c->pc, uui);
		core_pri_leave();
	}
	cti__unlock(c->ctx);
	return rc;
}

void core_suppl_setup(struct cti_call *c, void *sr)
{
	if (c->uui_setup[0])
		pri_sr_set_useruser(sr, c->uui_setup);
}

void core_suppl_uui(struct core_span *sp, void *pri_ev, int before)
{
	pri_event *e = pri_ev;
	const char *text = NULL;
	q931_call *pc = NULL;
	struct cti_call *c;

	switch (e->e) {
	case PRI_EVENT_RING:
		if (before)
			return;
		text = e->ring.useruserinfo;
		pc = e->ring.call;
		break;
	case PRI_EVENT_RINGING:
		text = e->ringing.useruserinfo;
		pc = e->ringing.call;
		break;
	case PRI_EVENT_ANSWER:
		text = e->answer.useruserinfo;
		pc = e->answer.call;
		break;
	case PRI_EVENT_HANGUP:
	case PRI_EVENT_HANGUP_REQ:
	case PRI_EVENT_HANGUP_ACK:
		text = e->hangup.useruserinfo;
		pc = e->hangup.call;
		break;
	default:
		return;
	}
	if (!before && e->e != PRI_EVENT_RING)
		return;
	if (before && (e->e == PRI_EVENT_HANGUP || e->e == PRI_EVENT_HANGUP_REQ || e->e == PRI_EVENT_HANGUP_ACK) &&
	    (c = core_call_find(sp->ctx, pc)) && !c->hangup_posted)
		core_suppl_subcmds(sp, c, e->hangup.subcmds);	/* AOC-E with the clearing */
	if (!text || !text[0] || !(c = core_call_find(sp->ctx, pc)) || c->hangup_posted)
		return;
	post_suppl(c, CTI_EV_UUI, 0, 1, NULL, text);
}
