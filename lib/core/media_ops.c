/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media_ops.c - what the core gives the media engine (media.h's
 * media_core_ops): events, the context lock, a call's engine and channel.
 * lib/media includes no core header; the dependency goes core -> media.
 */
#include "core.h"
#include "../media/media.h"

static void ops_post(void *core, const cti_event_t *ev)
{
	cti__post(core, ev);
}

static void ops_lock(void *core)
{
	cti__lock(core);
}

static void ops_unlock(void *core)
{
	cti__unlock(core);
}

static struct media_engine *ops_ctx_engine(cti_ctx_t *ctx)
{
	return ctx ? ctx->media : NULL;
}

static struct media_engine *ops_call_engine(cti_call_t *call)
{
	return call && call->ctx ? call->ctx->media : NULL;
}

static struct media_chan *ops_call_chan(cti_call_t *call)
{
	return call->media;
}

static int ops_call_connected(cti_call_t *call)
{
	return call->state == CTI_CALL_CONNECTED;
}

static const struct media_core_ops core_media_ops = {
	.post = ops_post,
	.lock = ops_lock,
	.unlock = ops_unlock,
	.ctx_engine = ops_ctx_engine,
	.call_engine = ops_call_engine,
	.call_chan = ops_call_chan,
	.call_connected = ops_call_connected,
};

struct media_engine *core_media_engine_new(cti_ctx_t *ctx)
{
	struct media_config cfg = {
		.tone_country = ctx->tones,
		/* real clock: files are read and written by the engine's I/O thread, never in the tick */
		.io_thread = ctx->clock == CTI_CLOCK_REAL,
	};

	return media_engine_new(&core_media_ops, ctx, &cfg);
}
