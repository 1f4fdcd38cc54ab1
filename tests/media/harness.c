/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* harness.c - fake core for lib/media unit tests (see harness.h). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <spandsp.h>

#include "harness.h"
#include "../../lib/media/media_int.h"

int h_io_thread, h_io_settle = 1;
unsigned h_rec_ring_ms;

static char errbuf[512];
static int errcode;

int cti__error(int code, const char *fmt, ...)
{
	va_list ap;

	errcode = code;
	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
	return code;
}

const char *cti_last_error(void)
{
	return errbuf;
}

int cti_last_error_code(void)
{
	return errcode;
}

static void h_post(void *core, const cti_event_t *ev)
{
	cti_ctx_t *ctx = core;

	if (ctx->nev == ctx->evsize) {
		ctx->evsize = ctx->evsize ? 2 * ctx->evsize : 256;
		ctx->ev = realloc(ctx->ev, sizeof(*ctx->ev) * (size_t)ctx->evsize);
	}
	ctx->ev[ctx->nev] = *ev;
	if (!ctx->ev[ctx->nev].time_ms)
		ctx->ev[ctx->nev].time_ms = ctx->now;
	ctx->nev++;
}

static void h_lock(void *core) { ((cti_ctx_t *)core)->locks++; }
static void h_unlock(void *core) { ((cti_ctx_t *)core)->locks--; }
static struct media_engine *h_ctx_engine(cti_ctx_t *ctx) { return ctx->m; }
static struct media_engine *h_call_engine(cti_call_t *call) { return call->ctx->m; }
static struct media_chan *h_call_chan(cti_call_t *call) { return call->mc; }
static int h_call_connected(cti_call_t *call) { return call->state == CTI_CALL_CONNECTED; }

static const struct media_core_ops h_ops = {
	.post = h_post,
	.lock = h_lock,
	.unlock = h_unlock,
	.ctx_engine = h_ctx_engine,
	.call_engine = h_call_engine,
	.call_chan = h_call_chan,
	.call_connected = h_call_connected,
};

cti_ctx_t *h_ctx(const char *country)
{
	cti_ctx_t *ctx = calloc(1, sizeof(*ctx));

	struct media_config cfg = { .tone_country = country, .io_thread = h_io_thread,
				    .rec_ring_ms = h_rec_ring_ms };

	ctx->country = country;
	ctx->io_settle = h_io_thread && h_io_settle;
	ctx->m = media_engine_new(&h_ops, ctx, &cfg);
	return ctx;
}

void h_ctx_free(cti_ctx_t *ctx)
{
	for (int i = 0; i < ctx->ncalls; i++) {
		h_hangup(ctx->calls[i]);
		free(ctx->calls[i]->cap);
		free(ctx->calls[i]);
	}
	media_engine_free(ctx->m);
	free(ctx->calls);
	free(ctx->ev);
	free(ctx);
}

cti_call_t *h_call(cti_ctx_t *ctx, enum cti_law law)
{
	cti_call_t *c = calloc(1, sizeof(*c));

	c->ctx = ctx;
	c->law = law;
	c->span = 1;
	c->state = CTI_CALL_CONNECTED;
	c->channel = ctx->ncalls + 1;
	c->mc = media_chan_new(ctx->m, c, law, c->span, c->channel);
	memset(c->wire_buf, law == CTI_LAW_ALAW ? 0xd5 : 0xff, MEDIA_BLOCK);
	if (ctx->ncalls == ctx->callsize) {
		ctx->callsize = ctx->callsize ? 2 * ctx->callsize : 16;
		ctx->calls = realloc(ctx->calls, sizeof(*ctx->calls) * (size_t)ctx->callsize);
	}
	ctx->calls[ctx->ncalls++] = c;
	return c;
}

void h_hangup(cti_call_t *call)
{
	if (call->mc) {
		media_chan_free(call->mc);
		call->mc = NULL;
	}
}

void h_wire(cti_call_t *a, cti_call_t *b)
{
	a->wire = b;
	b->wire = a;
}

void h_feed(cti_call_t *call, const int16_t *x, size_t n)
{
	call->feed = x;
	call->feed_len = n;
	call->feed_pos = 0;
}

void h_tick(cti_ctx_t *ctx, int n)
{
	if (ctx->locks != 0) {	/* every API call of lib/media unlocks what it locked */
		fprintf(stderr, "harness: lock depth %d between API calls\n", ctx->locks);
		abort();
	}
	while (n-- > 0) {
		for (int i = 0; i < ctx->ncalls; i++) {
			cti_call_t *c = ctx->calls[i];
			if (!c->mc)
				continue;
			uint8_t *rx = media_chan_rx(c->mc);
			if (c->wire) {
				memcpy(rx, c->wire->wire_buf, MEDIA_BLOCK);
				continue;
			}
			for (int k = 0; k < MEDIA_BLOCK; k++) {
				int16_t v = c->feed_pos < c->feed_len ? c->feed[c->feed_pos++] : 0;
				rx[k] = c->law == CTI_LAW_ALAW ? linear_to_alaw(v) : linear_to_ulaw(v);
			}
		}
		if (ctx->io_settle)
			media_io_settle(&ctx->m->io);
		media_engine_tick(ctx->m);
		ctx->now += 20;
		for (int i = 0; i < ctx->ncalls; i++) {
			cti_call_t *c = ctx->calls[i];
			if (!c->mc)
				continue;
			const uint8_t *tx = media_chan_tx(c->mc);
			memcpy(c->wire_buf, tx, MEDIA_BLOCK);
			if (!c->capture)
				continue;
			if (c->cap_len + MEDIA_BLOCK > c->cap_size) {
				c->cap_size = c->cap_size ? 2 * c->cap_size : 8000;
				c->cap = realloc(c->cap, sizeof(int16_t) * c->cap_size);
			}
			for (int k = 0; k < MEDIA_BLOCK; k++)
				c->cap[c->cap_len++] = c->law == CTI_LAW_ALAW ? alaw_to_linear(tx[k]) : ulaw_to_linear(tx[k]);
		}
	}
}

int h_count(cti_ctx_t *ctx, int type, cti_call_t *call)
{
	int n = 0;

	for (int i = 0; i < ctx->nev; i++)
		if (ctx->ev[i].type == type && (!call || ctx->ev[i].call == call))
			n++;
	return n;
}

const cti_event_t *h_find(cti_ctx_t *ctx, int type, cti_call_t *call, int k)
{
	for (int i = 0; i < ctx->nev; i++)
		if (ctx->ev[i].type == type && (!call || ctx->ev[i].call == call) && k-- == 0)
			return &ctx->ev[i];
	return NULL;
}

void h_digits(cti_ctx_t *ctx, cti_call_t *call, char *out, size_t size)
{
	size_t n = 0;

	for (int i = 0; i < ctx->nev && n + 1 < size; i++)
		if (ctx->ev[i].type == CTI_EV_DIGIT && (!call || ctx->ev[i].call == call))
			out[n++] = ctx->ev[i].u.digit.digit;
	out[n] = 0;
}

void h_clear_events(cti_ctx_t *ctx)
{
	ctx->nev = 0;
}

double h_dbm0(const int16_t *x, size_t n)
{
	double e = 0;

	for (size_t i = 0; i < n; i++)
		e += (double)x[i] * x[i];
	if (!n || e <= 0)
		return -99;
	return 10 * log10(e / n / (32767.0 * 32767.0)) + 6.15;
}

double h_tone_dbm0(const int16_t *x, size_t n, double f)
{
	double coef = 2 * cos(2 * M_PI * f / 8000), s1 = 0, s2 = 0;

	for (size_t i = 0; i < n; i++) {
		double s = x[i] + coef * s1 - s2;
		s2 = s1;
		s1 = s;
	}
	double p = s1 * s1 + s2 * s2 - coef * s1 * s2;	/* (A n / 2)^2 */
	double amp = 2 * sqrt(p > 0 ? p : 0) / (double)n;
	if (amp <= 0)
		return -99;
	return 20 * log10(amp / 32767.0) + 3.14;
}

void h_sine(int16_t *x, size_t n, double f, double dbm0, int add)
{
	double a = 32767.0 * pow(10, (dbm0 - 3.14) / 20);

	for (size_t i = 0; i < n; i++) {
		double v = a * sin(2 * M_PI * f * (double)i / 8000) + (add ? x[i] : 0);
		x[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
	}
}

void h_noise(int16_t *x, size_t n, double dbm0, unsigned *seed)
{
	/* white noise, uniform: rms = a / sqrt(3) */
	double rms = 32767.0 * pow(10, (dbm0 - 6.15) / 20) * sqrt(2) / sqrt(2);
	double a = rms * sqrt(3);

	for (size_t i = 0; i < n; i++) {
		double v = x[i] + a * (2.0 * rand_r(seed) / RAND_MAX - 1.0);
		x[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : lrint(v));
	}
}

int16_t *h_read_raw(const char *path, size_t *n, enum cti_law law)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc((size_t)len + 1);
	int16_t *x = malloc(sizeof(int16_t) * ((size_t)len + 1));
	*n = fread(b, 1, (size_t)len, f);
	fclose(f);
	for (size_t i = 0; i < *n; i++)
		x[i] = law == CTI_LAW_ALAW ? alaw_to_linear(b[i]) : ulaw_to_linear(b[i]);
	free(b);
	return x;
}
