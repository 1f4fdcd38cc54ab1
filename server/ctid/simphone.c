/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * simphone.c - what the emulated far-end phones of --sim-calls say and hear,
 * so tests can check who hears whom (supervisor listen/whisper/barge, queue
 * announcements):
 *
 *   --sim-phone NUMBER:dtmf=D   the phone of NUMBER (an agent's or
 *                               supervisor's position, or a caller's
 *                               number) sends DTMF D, 80 ms, in its own
 *                               time slot while connected: the k-th of K
 *                               such phones at 250*k ms of every 250*K ms
 *                               of the context clock, so two never overlap
 *   --sim-phone NUMBER:hangup=MS  that phone hangs up MS after it connected
 *                               (instead of --sim-talk)
 *
 * Keys combine with ','. Every sim phone logs each DTMF digit it hears as
 * "sim: NUMBER heard DTMF D" (with ctid's clock in the log prefix).
 */
#include "server_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOT_MS 250

struct heard {	/* a connected sim phone */
	struct heard *next;
	cti_call_t *call;
	char number[CTI_NUMBER_MAX];
	char dtmf;			/* 0: silent */
	int slot, nslots;
	int timer;
};

static struct heard *phones;	/* ctid runs one server per process */

int sim_phone_parse(struct server_opts *o, const char *spec, char *err, size_t errsize)
{
	const char *colon = strchr(spec, ':');
	size_t nlen = colon ? (size_t)(colon - spec) : 0;
	if (o->nsim_phones >= SIM_PHONES_MAX) {
		snprintf(err, errsize, "--sim-phone '%s': at most %d phones", spec, SIM_PHONES_MAX);
		return -1;
	}
	struct sim_phone_opt *p = &o->sim_phones[o->nsim_phones];
	memset(p, 0, sizeof(*p));
	if (!nlen || nlen >= sizeof(p->number) || strspn(spec, "0123456789*#") != nlen) {
		snprintf(err, errsize, "--sim-phone '%s': expected NUMBER:dtmf=D[,hangup=MS] (NUMBER: 0-9 * #)", spec);
		return -1;
	}
	memcpy(p->number, spec, nlen);
	char buf[128];
	snprintf(buf, sizeof(buf), "%s", colon + 1);
	for (char *save, *kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *end;
		if (!strncmp(kv, "dtmf=", 5) && strlen(kv) == 6 && strchr("0123456789*#ABCD", kv[5])) {
			p->dtmf = kv[5];
		} else if (!strncmp(kv, "hangup=", 7) && (p->hangup_ms = (int)strtol(kv + 7, &end, 10)) > 0 &&
			   !*end && p->hangup_ms <= 3600000) {
			;
		} else {
			snprintf(err, errsize, "--sim-phone '%s': bad '%s' (accepted: dtmf=0-9*#A-D, hangup=1-3600000)",
				 spec, kv);
			return -1;
		}
	}
	if (!p->dtmf && !p->hangup_ms) {
		snprintf(err, errsize, "--sim-phone '%s': give dtmf=D and/or hangup=MS", spec);
		return -1;
	}
	o->nsim_phones++;
	return 0;
}

static void schedule(struct server *s, struct heard *h)
{
	uint32_t period = (uint32_t)(SLOT_MS * h->nslots);
	uint32_t at = (uint32_t)(SLOT_MS * h->slot);
	uint32_t now = (uint32_t)(cti_now_ms(s->ctx) % period);
	uint32_t delay = (at + period - now) % period;
	h->timer = cti_timer_start(s->ctx, delay ? delay : period, h);
}

void sim_phone_event(struct server *s, struct phone *ph, const cti_event_t *ev)
{
	struct heard *h;
	for (h = phones; h && h->call != ev->call; h = h->next)
		;
	switch (ev->type) {
	case CTI_EV_CALL_CONNECTED:	/* an agent's or supervisor's phone answered */
	case CTI_EV_CALL_ANSWERED: {	/* a caller was answered */
		cti_call_params_t p;
		cti_call_params_init(&p);
		if (h || !ph || cti_call_get_params(ev->call, &p))
			break;
		if (!(h = calloc(1, sizeof(*h))))
			break;
		h->call = ev->call;
		snprintf(h->number, sizeof(h->number), "%s",
			 cti_call_outgoing(ev->call) ? p.calling.number : p.called.number);
		h->next = phones;
		phones = h;
		int ndtmf = 0;
		for (int i = 0; i < s->opts.nsim_phones; i++)
			ndtmf += s->opts.sim_phones[i].dtmf != 0;
		for (int i = 0, k = 0; i < s->opts.nsim_phones; i++) {
			const struct sim_phone_opt *o = &s->opts.sim_phones[i];
			if (!strcmp(o->number, h->number)) {
				if (o->dtmf) {
					h->dtmf = o->dtmf;
					h->slot = k;
					h->nslots = ndtmf;
					schedule(s, h);
				}
				if (o->hangup_ms && ev->type == CTI_EV_CALL_CONNECTED) {
					if (ph->timer > 0)
						cti_timer_cancel(s->ctx, ph->timer);
					ph->timer = cti_timer_start(s->ctx, (uint32_t)o->hangup_ms, ph);
				}
			}
			k += o->dtmf != 0;
		}
		break;
	}
	case CTI_EV_DIGIT:
		logmsg(s, "sim: %s heard DTMF %c", h ? h->number : "?", ev->u.digit.digit);
		break;
	case CTI_EV_CALL_HANGUP:
	case CTI_EV_CALL_RELEASED:
		if (!h)
			break;
		for (struct heard **pp = &phones; *pp; pp = &(*pp)->next)
			if (*pp == h) {
				*pp = h->next;
				break;
			}
		if (h->timer > 0)
			cti_timer_cancel(s->ctx, h->timer);
		free(h);
		break;
	default:
		break;
	}
}

bool sim_phone_timer(struct server *s, void *u)
{
	for (struct heard *h = phones; h; h = h->next)
		if ((void *)h == u) {
			h->timer = 0;
			if (cti_send_dtmf(h->call, (char[]){ h->dtmf, 0 }, 80, 80, 0) <= 0)
				logmsg(s, "sim: %s cannot send DTMF: %s", h->number, cti_last_error());
			schedule(s, h);
			return true;
		}
	return false;
}

void sim_phone_free(void)
{
	while (phones) {
		struct heard *h = phones;
		phones = h->next;
		free(h);
	}
}
