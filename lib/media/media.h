/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * media.h - libcti's media engine (lib/media), as the core drives it.
 *
 * Each B-channel carrying a call has a media_chan. Every 20 ms the core
 * fills each channel's receive block (MEDIA_BLOCK G.711 bytes as they came
 * off the line), calls media_engine_tick() once, then sends each channel's
 * transmit block. The tick runs detection (DTMF, tones, CPA), operations
 * (play/record/get digits/tones), bridges, conferences and monitors across
 * channels, and the exclusive hook (fax). All with the context lock held.
 *
 * The dependency goes one way, core -> media: lib/media includes no core
 * header. What it needs from the core (post an event, the context lock,
 * a call's engine and channel) it gets through the media_core_ops the core
 * gives media_engine_new().
 */
#ifndef CTI_MEDIA_H
#define CTI_MEDIA_H

#include <stdint.h>
#include "cti.h"
#include "../error.h"

#define MEDIA_BLOCK 160		/* samples per 20 ms tick at 8 kHz */

struct media_engine;
struct media_chan;

/*
 * What the core provides. One set per process (the core's); the public
 * media functions of cti.h take a call or a context and find their engine,
 * channel and lock through it. "core" is the core's context pointer given
 * to media_engine_new().
 */
struct media_core_ops {
	void (*post)(void *core, const cti_event_t *ev);	/* queue an event (lock held) */
	void (*lock)(void *core);
	void (*unlock)(void *core);
	struct media_engine *(*ctx_engine)(cti_ctx_t *ctx);	/* NULL: none */
	struct media_engine *(*call_engine)(cti_call_t *call);	/* engine of the call's context */
	struct media_chan *(*call_chan)(cti_call_t *call);	/* lock held; NULL: no B-channel */
	int (*call_connected)(cti_call_t *call);		/* lock held; answered (CPA) */
};

struct media_config {
	const char *tone_country;	/* "itu", "us", "uk", "cn" (NULL: itu) */
	/*
	 * File I/O of recordings and playbacks in the engine's I/O thread, the
	 * tick only moving samples through bounded rings (real clock). 0: in
	 * the tick (virtual clock: deterministic). See docs/media.md.
	 */
	int io_thread;
	unsigned rec_ring_ms;		/* recording ring, 0: 2000 ms (how long a disk may stall) */
	unsigned play_ring_ms;		/* playback read-ahead, 0: 1000 ms */
};

struct media_engine *media_engine_new(const struct media_core_ops *ops, void *core,
				      const struct media_config *cfg);
void media_engine_free(struct media_engine *m);

/* A call got a B-channel (span, channel): create its media channel (law of the span). */
struct media_chan *media_chan_new(struct media_engine *m, cti_call_t *call, enum cti_law law, int span,
				  int channel);
/*
 * The call was cleared: stop every operation with CTI_TERM_HANGUP (recordings
 * closed, files valid; with I/O workers a recording waits up to 200 ms for
 * its file, see docs/media.md), leave bridges/conferences/monitors, end the
 * hook. Then free.
 */
void media_chan_free(struct media_chan *c);

uint8_t *media_chan_rx(struct media_chan *c);		/* MEDIA_BLOCK bytes to fill */
const uint8_t *media_chan_tx(struct media_chan *c);	/* MEDIA_BLOCK bytes to send */
void media_engine_tick(struct media_engine *m);

/*
 * Exclusive hook (fax): while set, the channel's received audio goes to
 * fn and fn produces the transmitted audio (linear, n = MEDIA_BLOCK);
 * other output operations are refused with CTI_EBUSY. end(user, reason) is
 * called once when the channel is freed (reason CTI_TERM_HANGUP) or the
 * hook is replaced/removed (CTI_TERM_STOPPED).
 */
typedef void (*media_hook_fn)(void *user, const int16_t *rx, int16_t *tx, int n);
typedef void (*media_hook_end_fn)(void *user, int reason);
int media_chan_set_hook(struct media_chan *c, media_hook_fn fn, media_hook_end_fn end, void *user);
/*
 * Tell the engine the operation id the hook's owner reports (fax): then
 * cti_stop(call, id) removes the hook (end(user, CTI_TERM_STOPPED)), as
 * cti_stop(call, 0) always does. Call after media_chan_set_hook().
 */
void media_chan_set_hook_op(struct media_chan *c, int op_id);
/*
 * The hook needs unbroken audio (fax: a gap of idle breaks training or loses
 * page rows): the transport then trades delay for a deep cushion on this
 * channel (DAHDI: docs/kernel.md, "Latency") until the hook is removed or
 * replaced. Call after media_chan_set_hook().
 */
void media_chan_set_hook_continuous(struct media_chan *c, int on);
int media_chan_continuous(const struct media_chan *c);	/* hook set and continuous */
/* New operation id, unique in the context (for OP_DONE events of fax/CPA). */
int media_next_op_id(struct media_engine *m);

/* Tone tables: 1 if country names one (case-insensitive), its canonical name in *canon. */
int media_tone_country_ok(const char *country, const char **canon);
/* The accepted names, comma separated ("itu, us, uk, cn"). */
const char *media_tone_countries(void);

#endif /* CTI_MEDIA_H */
