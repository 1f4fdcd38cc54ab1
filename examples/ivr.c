/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ivr.c - an IVR on libcti: answer, play a menu, read a digit.
 *
 *   1  fax on demand: "press start" prompt, then the document is faxed back
 *      on the same call (we take the calling role of T.30, the caller's fax
 *      machine answers), and we hang up
 *   2  "please hold", then the call goes to the ACD (acd.c)
 *   else the menu again (three times at most)
 *
 * Each step starts one media operation; its CTI_EV_OP_DONE says how it
 * ended and starts the next step. Prompts are WAV files, 8 kHz mono.
 */
#include <stdio.h>
#include <string.h>

#include "demo.h"

enum { IVR_ANSWERING, IVR_MENU, IVR_DIGITS, IVR_FAX_PROMPT, IVR_FAX, IVR_HOLD_PROMPT, IVR_BYE };

#define MENU_TRIES 3

static void ivr_event(struct leg *leg, const cti_event_t *ev);

static void play(struct leg *leg, const char *prompt, int barge_in)
{
	cti_term_t t;
	cti_term_init(&t);
	t.stop_on_digit = barge_in;	/* a digit pressed during the menu ends it */
	if (cti_play_file(leg->call, demo_path("prompts/%s.wav", prompt), &t) < 0) {
		demo_fail(leg->name, "play %s: %s", prompt, cti_last_error());
		cti_call_hangup(leg->call, 41, CTI_LOC_DEFAULT);	/* temporary failure */
	}
}

static void menu(struct leg *leg)
{
	if (leg->tries++ == MENU_TRIES) {
		leg->state = IVR_BYE;
		play(leg, "bye", 0);
		return;
	}
	leg->state = IVR_MENU;
	play(leg, "menu", 1);
}

static void read_digit(struct leg *leg)
{
	cti_term_t t;
	cti_term_init(&t);
	t.max_digits = 1;
	t.first_digit_ms = 5000;	/* digits typed during the menu are already buffered */
	if (cti_get_digits(leg->call, &t) < 0) {
		demo_fail(leg->name, "get digits: %s", cti_last_error());
		cti_call_hangup(leg->call, 41, CTI_LOC_DEFAULT);
	}
}

static void send_fax(struct leg *leg, struct ivr *ivr)
{
	cti_fax_params_t p;
	cti_fax_doc_t doc = { ivr->fax_doc, 0, 0 };	/* read when the fax starts */

	cti_fax_params_init(&p);
	p.docs = &doc;
	p.ndocs = 1;
	strcpy(p.ident, "+1 555 8000");
	p.calling = 1;		/* we transmit as the calling terminal; the caller's fax answers */
	if (cti_fax_send(leg->call, &p) < 0) {
		demo_fail(leg->name, "fax send: %s", cti_last_error());
		cti_call_hangup(leg->call, 41, CTI_LOC_DEFAULT);
	}
}

void ivr_offered(struct ivr *ivr, const cti_event_t *ev)
{
	char name[48];
	snprintf(name, sizeof(name), "ivr %d", ++ivr->calls);
	struct leg *leg = leg_new(name, ivr_event, ivr);
	leg_attach(leg, ev->call);
	leg->state = IVR_ANSWERING;
	cti_call_answer(ev->call);
}

/* The operation of the current step ended normally: take the next step. */
static void next_step(struct leg *leg, struct ivr *ivr, const cti_event_t *ev)
{
	const char *d = ev->u.op.digits;

	switch (leg->state) {
	case IVR_MENU:		/* menu played, or cut short by a digit: read the choice */
		leg->state = IVR_DIGITS;
		read_digit(leg);
		break;
	case IVR_DIGITS:
		snprintf(leg->digits + strlen(leg->digits), sizeof(leg->digits) - strlen(leg->digits), "%.4s", d);
		if (!strcmp(d, "1")) {
			leg->state = IVR_FAX_PROMPT;
			play(leg, "fax", 0);
		} else if (!strcmp(d, "2")) {
			leg->state = IVR_HOLD_PROMPT;
			play(leg, "hold", 0);
		} else {
			menu(leg);	/* no digit in time, or not on the menu */
		}
		break;
	case IVR_FAX_PROMPT:
		leg->state = IVR_FAX;
		send_fax(leg, ivr);
		break;
	case IVR_HOLD_PROMPT:
		acd_enqueue(ivr->acd, leg);	/* the ACD owns the call from now on */
		break;
	case IVR_FAX:		/* document delivered (FAX_DONE came first) */
	case IVR_BYE:
		cti_call_hangup(leg->call, 16, CTI_LOC_DEFAULT);
		break;
	}
}

static void ivr_event(struct leg *leg, const cti_event_t *ev)
{
	switch (ev->type) {
	case CTI_EV_CALL_CONNECTED:	/* our answer is through: start with the menu */
		menu(leg);
		break;

	case CTI_EV_OP_DONE:
		if (ev->u.op.reason == CTI_TERM_HANGUP)
			break;		/* the caller hung up: CTI_EV_CALL_HANGUP follows */
		if (ev->u.op.reason == CTI_TERM_ERROR) {
			demo_fail(leg->name, "operation %d: error %d (%s)", ev->u.op.kind, ev->u.op.error,
				  cti_strerror(ev->u.op.error));
			cti_call_hangup(leg->call, 41, CTI_LOC_DEFAULT);	/* temporary failure */
			break;
		}
		next_step(leg, leg->owner, ev);
		break;

	case CTI_EV_FAX_PAGE:
		leg->fax_pages = ev->u.fax.page;
		break;

	case CTI_EV_FAX_DONE:
		leg->fax_pages = ev->u.fax.page;
		leg->fax_result = ev->u.fax.result;
		snprintf(leg->note, sizeof(leg->note), "fax sent: %s", ev->u.fax.result_text);
		break;
	}
}
