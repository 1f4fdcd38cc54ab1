/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mwi.c - message waiting indication (MWI) on QSIG spans (ECMA-242).
 *
 * What libpri 1.6 (Debian's 1.6.0) does, read in its pri.c, q931.c and
 * pri_facility.c:
 *   - Sending: pri_mwi_activate()/pri_mwi_deactivate() (pri.c) put a QSIG
 *     MWIActivate/MWIDeactivate invoke (local opcodes 80/81: servedUserNr
 *     with the plan forced to unknown, basicService speech) into the SETUP
 *     of a call-independent signalling connection (channel id "D-channel
 *     indicated", no B-channel) and hang up by themselves once the far end
 *     answers CONNECT (q931.c, cis_auto_disconnect). mwi_message_send()
 *     encodes the QSIG operation whatever the switch type, so libcti offers
 *     it on QSIG only. pri_mwi_indicate_v2() (ETSI MWIIndicate in a
 *     FACILITY on the dummy call reference) returns -1 unless the instance
 *     is a BRI network in point-to-multipoint mode (BRI_NT_PTMP): never on
 *     a PRI.
 *   - Receiving: the MWI operations are under "#if 0  Not handled yet" in
 *     rose_handle_invoke() (pri_facility.c: ROSE_QSIG_MWIActivate,
 *     ROSE_ETSI_MWIIndicate), there is no PRI_SUBCMD_MWI_*, and q931.c
 *     answers a call-independent SETUP nobody marked as recognised with
 *     RELEASE COMPLETE, cause 69 ("CIS call not marked as handled") without
 *     an event. So the invoke is decoded here from the received frame
 *     (core_suppl_frame() runs before libpri sees it) and reported as
 *     CTI_EV_MWI; libpri still clears the connection with cause 69.
 * All functions run with the context lock held (cti_mwi_send takes it).
 */
#include <stdio.h>
#include <string.h>
#include <libpri.h>
#include "core.h"

#define MT_SETUP 0x05
#define MT_CONNECT 0x07
#define IE_FACILITY 0x1c
#define IE_CALLING 0x6c
#define QSIG_MWI_ACTIVATE 80
#define QSIG_MWI_DEACTIVATE 81

/* ---------------- BER, just what the MWI components need ---------------- */

struct ber {
	int tag;
	const uint8_t *v;	/* contents */
	int len;
};

/* Read one TLV at *p (before end); moves *p past it. 0 at the end or on malformed input. */
static int ber_next(const uint8_t **p, const uint8_t *end, struct ber *t)
{
	const uint8_t *q = *p;
	int l;

	if (end - q < 2 || (q[0] & 0x1f) == 0x1f)	/* multi-octet tags: not used by these operations */
		return 0;
	t->tag = q[0];
	l = q[1];
	q += 2;
	if (l == 0x81 && end - q >= 1) {
		l = q[0];
		q += 1;
	} else if (l == 0x82 && end - q >= 2) {
		l = (q[0] << 8) | q[1];
		q += 2;
	} else if (l & 0x80) {
		return 0;
	}
	if (l > end - q)
		return 0;
	t->v = q;
	t->len = l;
	*p = q + l;
	return 1;
}

static long ber_int(const struct ber *t)
{
	long v = (t->len > 0 && (t->v[0] & 0x80)) ? -1 : 0;

	for (int i = 0; i < t->len && i < 4; i++)
		v = (v << 8) | t->v[i];
	return v;
}

static void copy_digits(char *dst, const uint8_t *src, int n)
{
	int k = 0;

	for (int i = 0; i < n && k < CTI_NUMBER_MAX - 1; i++)
		if ((src[i] >= '0' && src[i] <= '9') || src[i] == '*' || src[i] == '#')
			dst[k++] = (char)src[i];
	dst[k] = 0;
}

/*
 * PartyNumber (ECMA-155): [0] unknown, [3] data, [4] telex, [8] national
 * standard: the digits themselves; [1] public, [5] private: SEQUENCE {
 * type of number, NumericString digits }.
 */
static void party_number(const struct ber *t, char *out)
{
	out[0] = 0;
	switch (t->tag) {
	case 0x80: case 0x83: case 0x84: case 0x88:
		copy_digits(out, t->v, t->len);
		break;
	case 0xa1: case 0xa5: {
		const uint8_t *p = t->v, *end = t->v + t->len;
		struct ber e;

		while (ber_next(&p, end, &e))
			if (e.tag == 0x12)
				copy_digits(out, e.v, e.len);
		break;
	}
	default:
		break;
	}
}

/*
 * MWIActivateArg / MWIDeactivateArg ::= SEQUENCE { servedUserNr PartyNumber,
 * basicService ENUMERATED, msgCentreId OPTIONAL, nbOfMessages [3] INTEGER
 * OPTIONAL (activate only), originatingNr [4] EXPLICIT PartyNumber OPTIONAL,
 * ... }. 1 when servedUserNr was found.
 */
static int mwi_arg(const struct ber *seq, cti_event_t *ev)
{
	const uint8_t *p = seq->v, *end = seq->v + seq->len;
	struct ber e;
	int n = 0;

	while (ber_next(&p, end, &e)) {
		if (n++ == 0) {
			party_number(&e, ev->u.mwi.mailbox);
			continue;
		}
		if (e.tag == 0x0a && ev->u.mwi.basic_service < 0)
			ev->u.mwi.basic_service = (int)ber_int(&e);
		else if (e.tag == 0x83)
			ev->u.mwi.messages = (int)ber_int(&e);
	}
	return ev->u.mwi.mailbox[0] != 0;
}

/*
 * Components of a Facility IE (after the protocol profile octet): the
 * QSIG header (0xaa network facility extension, 0x8b interpretation) and
 * ROSE components. Returns the MWI opcode of an invoke (ev filled), 0 none;
 * *result = 1 for a returnResult, -1 returnError/reject.
 */
static int facility_components(const uint8_t *p, const uint8_t *end, cti_event_t *ev, int *result)
{
	struct ber comp;
	int op = 0;

	while (ber_next(&p, end, &comp)) {
		const uint8_t *q = comp.v, *qend = comp.v + comp.len;
		struct ber e;
		long code = -1;
		int seen_id = 0;

		if (comp.tag == 0xa2)
			*result = 1;
		else if (comp.tag == 0xa3 || comp.tag == 0xa4)
			*result = -1;
		if (comp.tag != 0xa1)
			continue;
		/* invoke: invokeId INTEGER, [0] linkedId, operation (local INTEGER), argument */
		while (ber_next(&q, qend, &e)) {
			if (e.tag == 0x02) {
				if (seen_id++)
					code = ber_int(&e);
				continue;
			}
			if (e.tag == 0x30 && (code == QSIG_MWI_ACTIVATE || code == QSIG_MWI_DEACTIVATE) &&
			    mwi_arg(&e, ev)) {
				ev->u.mwi.active = code == QSIG_MWI_ACTIVATE;
				op = (int)code;
			}
		}
	}
	return op;
}

/* ---------------- received frames ---------------- */

static struct core_mwi *slot_by_cref(struct core_span *sp, int cref)
{
	for (int i = 0; i < CORE_MWI_MAX; i++) {
		struct core_mwi *m = &sp->mwi[i];
		int mode = 0, crv;

		if (!m->pc)
			continue;
		crv = pri_get_crv(sp->pri, m->pc, &mode);
		/* our own calls: libpri's key has 0x8000 set (suppl.c call_by_cref) */
		if (crv >= 0 && (((crv << 3) | (mode & 7)) | 0x8000) == cref)
			return m;
	}
	return NULL;
}

void core_mwi_frame(struct core_span *sp, const uint8_t *f, int len)
{
	int i = 4, crlen, cref, mt, op = 0, result = 0;
	char calling[CTI_NUMBER_MAX] = "";
	cti_event_t ev;
	struct core_mwi *mine;

	if (sp->cfg.switchtype != CTI_SWITCH_QSIG || len < 8 || (f[2] & 1) || f[i] != 0x08)
		return;
	crlen = f[i + 1] & 0x0f;
	if (crlen < 1 || crlen > 2 || i + 2 + crlen + 1 > len)
		return;
	/* as libpri keys its calls: the flag bit (set: the call is the receiver's own) as 0x8000 */
	cref = (crlen == 2 ? ((f[i + 2] & 0x7f) << 8) | f[i + 3] : (f[i + 2] & 0x7f)) | ((f[i + 2] & 0x80) << 8);
	i += 2 + crlen;
	mt = f[i++];
	mine = (cref & 0x8000) ? slot_by_cref(sp, cref) : NULL;
	if (mt != MT_SETUP && !mine)
		return;
	if (mine && mt == MT_CONNECT)
		mine->answered = 1;
	memset(&ev, 0, sizeof(ev));
	ev.u.mwi.messages = -1;
	ev.u.mwi.basic_service = -1;
	while (i + 1 < len) {
		int ielen;

		if (f[i] & 0x80) {	/* single-octet IE */
			i++;
			continue;
		}
		ielen = f[i + 1];
		if (i + 2 + ielen > len)
			return;
		if (f[i] == IE_FACILITY && ielen > 1)
			op |= facility_components(&f[i + 3], &f[i + 2 + ielen], &ev, &result);
		else if (f[i] == IE_CALLING && ielen > 1) {
			/* type/plan octet, presentation octet unless bit 8 ends octet 3, then the digits */
			int d = (f[i + 2] & 0x80) ? 1 : 2;

			if (ielen > d)
				copy_digits(calling, &f[i + 2 + d], ielen - d);
		}
		i += 2 + ielen;
	}
	if (mine) {
		if (result > 0)
			mine->answered = 1;
		return;
	}
	if (mt != MT_SETUP || !op)
		return;
	ev.type = CTI_EV_MWI;
	ev.span = sp->index;
	memcpy(ev.u.mwi.centre, calling, sizeof(calling));
	cti__post(sp->ctx, &ev);
}

/* ---------------- sending ---------------- */

static int digits_ok(const char *s, int allow_empty)
{
	size_t n = strnlen(s, CTI_NUMBER_MAX);

	return (allow_empty || n) && n < CTI_NUMBER_MAX && strspn(s, "0123456789*#") == n;
}

int cti_mwi_send(cti_ctx_t *ctx, int span, const char *mailbox, const char *centre, int active)
{
	struct core_span *sp;
	struct core_mwi *m = NULL;
	int rc = 0;

	if (!ctx || !mailbox)
		return cti__error(CTI_EINVAL, "cti_mwi_send: NULL %s", ctx ? "mailbox" : "context");
	if (!digits_ok(mailbox, 0))
		return cti__error(CTI_EINVAL, "cti_mwi_send: mailbox '%.*s': 1-%d of 0-9 * #", CTI_NUMBER_MAX,
				  mailbox, CTI_NUMBER_MAX - 1);
	if (centre && !digits_ok(centre, 1))
		return cti__error(CTI_EINVAL, "cti_mwi_send: message centre '%.*s': up to %d of 0-9 * #",
				  CTI_NUMBER_MAX, centre, CTI_NUMBER_MAX - 1);
	if (active != 0 && active != 1)
		return cti__error(CTI_EINVAL, "cti_mwi_send: active %d (accepted: 1 messages waiting, 0 none)", active);
	cti__lock(ctx);
	if (span < 1 || span > ctx->nspans || !ctx->spans[span]->pri) {
		rc = cti__error(CTI_ENOENT, "cti_mwi_send: no PRI span %d", span);
		goto out;
	}
	sp = ctx->spans[span];
	if (sp->cfg.switchtype != CTI_SWITCH_QSIG) {
		rc = CTI_ENOTSUP;
		if (sp->cfg.switchtype == CTI_SWITCH_EUROISDN)
			cti__error(rc, "cti_mwi_send: span %d: switch type %s: libpri 1.6 sends MWIIndicate only on BRI "
				   "point-to-multipoint, not on a PRI (message waiting is QSIG only here)", span,
				   core_switch_name(sp->cfg.switchtype));
		else
			cti__error(rc, "cti_mwi_send: span %d: switch type %s has no message waiting indication in "
				   "libpri 1.6 (QSIG only)", span, core_switch_name(sp->cfg.switchtype));
		goto out;
	}
	if (!sp->dchan_up) {
		rc = cti__error(CTI_EDOWN, "cti_mwi_send: span %d: D-channel down", span);
		goto out;
	}
	for (int i = 0; i < CORE_MWI_MAX && !m; i++)
		if (!sp->mwi[i].pc)
			m = &sp->mwi[i];
	if (!m) {
		rc = cti__error(CTI_EBUSY, "cti_mwi_send: span %d: %d indications still unanswered", span, CORE_MWI_MAX);
		goto out;
	}
	core_pri_enter(ctx);
	{
		q931_call *pc = pri_new_call(sp->pri);
		char box[CTI_NUMBER_MAX], from[CTI_NUMBER_MAX];
		int prc;

		snprintf(box, sizeof(box), "%s", mailbox);
		snprintf(from, sizeof(from), "%s", centre ? centre : "");
		if (!pc) {
			rc = cti__error(CTI_ENOMEM, "cti_mwi_send: span %d: libpri has no call for the connection", span);
		} else {
			prc = active ? pri_mwi_activate(sp->pri, pc, from[0] ? from : NULL, PRI_UNKNOWN, NULL,
							PRES_ALLOWED_USER_NUMBER_NOT_SCREENED, box, PRI_UNKNOWN)
				     : pri_mwi_deactivate(sp->pri, pc, from[0] ? from : NULL, PRI_UNKNOWN, NULL,
							  PRES_ALLOWED_USER_NUMBER_NOT_SCREENED, box, PRI_UNKNOWN);
			if (prc) {
				pri_destroycall(sp->pri, pc);
				rc = cti__error(CTI_EIO, "cti_mwi_send: span %d: libpri refused the MWI%s SETUP", span,
						active ? "Activate" : "Deactivate");
			} else {
				memset(m, 0, sizeof(*m));
				m->pc = pc;
				m->active = active;
				memcpy(m->mailbox, box, sizeof(box));
				memcpy(m->centre, from, sizeof(from));
			}
		}
	}
	core_pri_leave();
out:
	cti__unlock(ctx);
	return rc;
}

int core_mwi_hangup(struct core_span *sp, void *pri_ev)
{
	pri_event *e = pri_ev;
	struct core_mwi *m = NULL;
	cti_event_t ev;
	int cause = e->hangup.cause;

	for (int i = 0; i < CORE_MWI_MAX && !m; i++)
		if (sp->mwi[i].pc && sp->mwi[i].pc == e->hangup.call)
			m = &sp->mwi[i];
	if (!m)
		return 0;
	/* DISCONNECT: answer RELEASE; RELEASE (COMPLETE): libpri wants pri_hangup() to free the call */
	if (e->e == PRI_EVENT_HANGUP_REQ || e->e == PRI_EVENT_HANGUP)
		pri_hangup(sp->pri, m->pc, cause > 0 ? cause : PRI_CAUSE_NORMAL_CLEARING);
	memset(&ev, 0, sizeof(ev));
	ev.type = CTI_EV_MWI_DONE;
	ev.span = sp->index;
	ev.u.mwi.active = m->active;
	ev.u.mwi.result = m->answered ? 0 : cause > 0 ? cause : PRI_CAUSE_NORMAL_UNSPECIFIED;
	ev.u.mwi.messages = -1;
	ev.u.mwi.basic_service = 1;	/* libpri sends speech */
	memcpy(ev.u.mwi.mailbox, m->mailbox, sizeof(m->mailbox));
	memcpy(ev.u.mwi.centre, m->centre, sizeof(m->centre));
	memset(m, 0, sizeof(*m));	/* a later HANGUP_ACK of the same call: not ours any more, ignored */
	cti__post(sp->ctx, &ev);
	return 1;
}
