/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* harness.c - fake core/media for lib/fax unit tests (see harness.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#include "harness.h"

static __thread char last_err[512];
static __thread int last_code;
static double ber[2];
static uint64_t rng = 1;

int cti__error(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_err, sizeof(last_err), fmt, ap);
	va_end(ap);
	last_code = code;
	return code;
}

const char *cti_last_error(void)
{
	return last_err;
}

int cti_last_error_code(void)
{
	return last_code;
}

void cti__lock(cti_ctx_t *ctx)
{
	(void)ctx;
}

void cti__unlock(cti_ctx_t *ctx)
{
	(void)ctx;
}

void cti__post(cti_ctx_t *ctx, const cti_event_t *ev)
{
	if (ctx->nev < HARNESS_MAX_EVENTS) {
		ctx->ev[ctx->nev] = *ev;
		if (!ctx->ev[ctx->nev].time_ms)
			ctx->ev[ctx->nev].time_ms = ctx->samples / 8;
		ctx->nev++;
	}
}

uint64_t cti__now_ms(cti_ctx_t *ctx)
{
	return ctx->samples / 8;
}

struct media_engine *cti__media(cti_ctx_t *ctx)
{
	return (struct media_engine *)ctx;
}

int media_next_op_id(struct media_engine *m)
{
	return ++((cti_ctx_t *)m)->next_op;
}

cti_ctx_t *cti__call_ctx(cti_call_t *call)
{
	return call->ctx;
}

struct media_chan *cti__call_media(cti_call_t *call)
{
	return call->has_media ? &call->chan : NULL;
}

enum cti_law cti__call_law(cti_call_t *call)
{
	return call->law;
}

int cti_call_outgoing(cti_call_t *call)
{
	return call->outgoing;
}

int cti_call_span(cti_call_t *call)
{
	return call->span;
}

int cti_call_channel(cti_call_t *call)
{
	return call->channel;
}

/* As lib/media does it: replacing or removing calls the old end(STOPPED) first. */
int media_chan_set_hook(struct media_chan *c, media_hook_fn fn, media_hook_end_fn end, void *user)
{
	if (c->end) {
		media_hook_end_fn old_end = c->end;
		void *old_user = c->user;

		c->fn = NULL;
		c->end = NULL;
		c->ended_reason = CTI_TERM_STOPPED;
		c->ends++;
		old_end(old_user, CTI_TERM_STOPPED);
	}
	c->fn = fn;
	c->end = fn ? end : NULL;
	c->user = user;
	c->hook_op = 0;
	c->continuous = 0;
	return 0;
}

void media_chan_set_hook_op(struct media_chan *c, int op_id)
{
	if (c->fn)
		c->hook_op = op_id;
}

void media_chan_set_hook_continuous(struct media_chan *c, int on)
{
	if (c->fn)
		c->continuous = !!on;
}

void harness_init(cti_ctx_t *ctx)
{
	memset(ctx, 0, sizeof(*ctx));
}

void harness_call_init(cti_call_t *call, cti_ctx_t *ctx, int outgoing, int span, int channel)
{
	memset(call, 0, sizeof(*call));
	call->ctx = ctx;
	call->has_media = 1;
	call->outgoing = outgoing;
	call->span = span;
	call->channel = channel;
	call->law = CTI_LAW_ALAW;
	call->chan.ended_reason = -1;
}

void harness_set_ber(double ber_ab, double ber_ba, unsigned seed)
{
	ber[0] = ber_ab;
	ber[1] = ber_ba;
	rng = seed ? seed : 1;
}

static double rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (rng >> 11) * (1.0 / 9007199254740992.0);
}

/* Linear -> G.711 byte (with line bit errors) -> linear. */
static void line(const int16_t *in, int16_t *out, int n, enum cti_law law, double b)
{
	int i, k;

	for (i = 0; i < n; i++) {
		uint8_t c = law == CTI_LAW_ALAW ? linear_to_alaw(in[i]) : linear_to_ulaw(in[i]);

		if (b > 0)
			for (k = 0; k < 8; k++)
				if (rnd() < b)
					c ^= (uint8_t)(1u << k);
		out[i] = law == CTI_LAW_ALAW ? alaw_to_linear(c) : ulaw_to_linear(c);
	}
}

static void free_chan(cti_call_t *call)
{
	struct media_chan *c = &call->chan;
	media_hook_end_fn end = c->end;
	void *user = c->user;

	c->fn = NULL;
	c->end = NULL;
	c->user = NULL;
	call->has_media = 0;
	if (end) {
		c->ended_reason = CTI_TERM_HANGUP;
		c->ends++;
		end(user, CTI_TERM_HANGUP);
	}
}

uint64_t harness_run(cti_ctx_t *ctx, cti_call_t *a, cti_call_t *b, uint64_t max_ms, uint64_t cut_at_ms)
{
	int16_t *a_tx = ctx->a_tx, *b_tx = ctx->b_tx;
	int16_t a_rx[MEDIA_BLOCK], b_rx[MEDIA_BLOCK];
	uint64_t start = ctx->samples, ms = 0;

	while (ms < max_ms && (a->chan.fn || b->chan.fn)) {
		if (cut_at_ms && ms >= cut_at_ms) {
			if (a->has_media)
				free_chan(a);
			if (b->has_media)
				free_chan(b);
			break;
		}
		line(b_tx, a_rx, MEDIA_BLOCK, a->law, ber[1]);
		line(a_tx, b_rx, MEDIA_BLOCK, b->law, ber[0]);
		if (a->chan.fn)
			a->chan.fn(a->chan.user, a_rx, a_tx, MEDIA_BLOCK);
		else
			memset(a_tx, 0, sizeof(ctx->a_tx));
		if (b->chan.fn)
			b->chan.fn(b->chan.user, b_rx, b_tx, MEDIA_BLOCK);
		else
			memset(b_tx, 0, sizeof(ctx->b_tx));
		ctx->samples += MEDIA_BLOCK;
		ms = (ctx->samples - start) / 8;
	}
	return ms;
}

int harness_count(cti_ctx_t *ctx, int type, cti_call_t *call)
{
	int i, n = 0;

	for (i = 0; i < ctx->nev; i++)
		if (ctx->ev[i].type == type && (!call || ctx->ev[i].call == call))
			n++;
	return n;
}

const cti_event_t *harness_find(cti_ctx_t *ctx, int type, cti_call_t *call, int n)
{
	int i;

	for (i = 0; i < ctx->nev; i++)
		if (ctx->ev[i].type == type && (!call || ctx->ev[i].call == call))
			if (n-- == 0)
				return &ctx->ev[i];
	return NULL;
}
