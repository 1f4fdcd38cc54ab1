/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * harness.h - fake libcti core + media for testing lib/fax on its own.
 *
 * Implements the cti__* / media_* functions lib/fax uses with a minimal
 * context: events are queued in an array, a "media channel" is just the hook
 * triple. harness_run() connects two calls back to back through G.711
 * (A-law or u-law), 160 samples per tick, in virtual time.
 */
#ifndef FAX_HARNESS_H
#define FAX_HARNESS_H

#include <stdint.h>
#include "cti.h"
#include "../../lib/internal.h"
#include "../../lib/media/media.h"

#define HARNESS_MAX_EVENTS 1024

struct cti_ctx {
	cti_event_t ev[HARNESS_MAX_EVENTS];
	int nev;
	int next_op;
	uint64_t samples;
	int16_t a_tx[MEDIA_BLOCK], b_tx[MEDIA_BLOCK];	/* in flight between runs */
};

struct media_chan {
	media_hook_fn fn;
	media_hook_end_fn end;
	void *user;
	int hook_op;		/* from media_chan_set_hook_op */
	int continuous;		/* from media_chan_set_hook_continuous */
	int ended_reason;	/* last reason passed to end, -1 none */
	int ends;
};

struct cti_call {
	cti_ctx_t *ctx;
	struct media_chan chan;
	int has_media;
	int outgoing;
	int span, channel;
	enum cti_law law;
};

void harness_init(cti_ctx_t *ctx);
void harness_call_init(cti_call_t *call, cti_ctx_t *ctx, int outgoing, int span, int channel);
/*
 * Run both calls back to back until both hooks detached or max_ms of audio.
 * cut_at_ms > 0: at that time, the line is cut (both channels freed with
 * CTI_TERM_HANGUP, like media_chan_free). Returns audio ms run.
 */
uint64_t harness_run(cti_ctx_t *ctx, cti_call_t *a, cti_call_t *b, uint64_t max_ms, uint64_t cut_at_ms);
/* Count events of a type for a call (NULL: any). */
int harness_count(cti_ctx_t *ctx, int type, cti_call_t *call);
/* The n-th (0-based) event of type for call, or NULL. */
const cti_event_t *harness_find(cti_ctx_t *ctx, int type, cti_call_t *call, int n);
/* Bit error rate applied to the G.711 bytes from a to b / b to a (0 = clean). */
void harness_set_ber(double ber_ab, double ber_ba, unsigned seed);

#endif
