/* tests/core/simcalls.h - event recorder and helpers for calls over the sim board in virtual time. */
#ifndef SIMCALLS_H
#define SIMCALLS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cti.h"

#define REC_MAX 8192

struct rec {
	cti_event_t ev[REC_MAX];
	int n;
	int auto_answer;	/* answer offered calls: 0 no, 1 proceeding+alerting+answer, 2 reject */
	int reject_cause;
	int auto_release;	/* release after CALL_HANGUP */
	int offered, answered, connected, hangups, released, dchan_up, dchan_down;
	int verbose;
	int bad;		/* handle or re-entry checks that failed */
	/* Trace frames are valid only during the handler: recorded events point in here. */
	uint8_t frames[1 << 20];
	size_t frames_len;
	cti_call_params_t params_scratch;
};

static inline void rec_handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	struct rec *r = user;

	if (r->verbose) {
		fprintf(stderr, "[%6llu] %-16s span %d ch %d call %p", (unsigned long long)ev->time_ms,
			cti_event_name(ev->type), ev->span, ev->channel, (void *)ev->call);
		if (ev->type == CTI_EV_CALL_HANGUP)
			fprintf(stderr, " cause %d loc %d remote %d", ev->u.hangup.cause, ev->u.hangup.location,
				ev->u.hangup.remote);
		if (ev->type == CTI_EV_ALARM)
			fprintf(stderr, " alarms 0x%x", ev->u.alarm.alarms);
		fprintf(stderr, "\n");
	}
	if (r->n < REC_MAX) {
		r->ev[r->n] = *ev;
		if (ev->type == CTI_EV_TRACE) {
			uint32_t len = ev->u.trace.len;

			if (r->frames_len + len > sizeof(r->frames))
				len = 0;
			memcpy(r->frames + r->frames_len, ev->u.trace.data, len);
			r->ev[r->n].u.trace.data = r->frames + r->frames_len;
			r->ev[r->n].u.trace.len = len;
			r->frames_len += len;
		}
		r->n++;
	}
	switch (ev->type) {
	case CTI_EV_DCHAN_UP: r->dchan_up++; break;
	case CTI_EV_DCHAN_DOWN: r->dchan_down++; break;
	case CTI_EV_CALL_OFFERED:
		r->offered++;
		if (r->auto_answer == 1) {
			cti_call_proceeding(ev->call);
			cti_call_alerting(ev->call);
			cti_call_answer(ev->call);
		} else if (r->auto_answer == 2) {
			cti_call_reject(ev->call, r->reject_cause);
		}
		break;
	case CTI_EV_CALL_ANSWERED: r->answered++; break;
	case CTI_EV_CALL_CONNECTED: r->connected++; break;
	case CTI_EV_CALL_HANGUP:
		r->hangups++;
		if (r->auto_release)
			cti_call_release(ev->call);
		break;
	case CTI_EV_CALL_RELEASED:
		r->released++;
		/* the handle is still valid inside this handler; dispatch is not re-entrant */
		if (cti_call_state(ev->call) != CTI_CALL_CLEARED || cti_call_get_params(ev->call, &r->params_scratch) < 0 ||
		    cti_dispatch(ctx, 0) != CTI_ESTATE)
			r->bad++;
		break;
	default: break;
	}
}

/* Count recorded events of a type (optionally for one span). */
static inline int rec_count(const struct rec *r, int type, int span)
{
	int n = 0;

	for (int i = 0; i < r->n; i++)
		if (r->ev[i].type == type && (!span || r->ev[i].span == span))
			n++;
	return n;
}

static inline const cti_event_t *rec_find(const struct rec *r, int type, int span, int nth)
{
	for (int i = 0; i < r->n; i++)
		if (r->ev[i].type == type && (!span || r->ev[i].span == span) && nth-- == 0)
			return &r->ev[i];
	return NULL;
}

static inline const cti_event_t *rec_find_call(const struct rec *r, int type, cti_call_t *call)
{
	for (int i = 0; i < r->n; i++)
		if (r->ev[i].type == type && r->ev[i].call == call)
			return &r->ev[i];
	return NULL;
}

/* Same, among events recorded from index `from` on (call handles are reused after release). */
static inline const cti_event_t *rec_find_call_from(const struct rec *r, int type, cti_call_t *call, int from)
{
	for (int i = from; i < r->n; i++)
		if (r->ev[i].type == type && r->ev[i].call == call)
			return &r->ev[i];
	return NULL;
}

/* Run virtual time until *counter >= want, or max_ms passed. Returns 1 if reached. */
static inline int run_until(cti_ctx_t *ctx, const int *counter, int want, int max_ms)
{
	uint64_t end = cti_now_ms(ctx) + (uint64_t)max_ms;

	while (*counter < want && cti_now_ms(ctx) < end)
		cti_dispatch(ctx, 5);
	return *counter >= want;
}

static inline cti_ctx_t *open_pairs(struct rec *r, int pairs, enum cti_line line, enum cti_switchtype sw)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;

	cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	if (cti_config_sim_pairs(cfg, pairs, line, sw) < 0) {
		cti_config_free(cfg);
		return NULL;
	}
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	if (ctx)
		cti_set_event_handler(ctx, rec_handler, r);
	return ctx;
}

#endif
