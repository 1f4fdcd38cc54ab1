/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * harness.h - fake libcti core for unit tests of lib/media: gives the
 * engine a media_core_ops (lock counted, events appended to an array,
 * clock advanced by the test) and "wires" that carry each call's transmit
 * block to another call's receive side one tick later, like a line.
 */
#ifndef MEDIA_HARNESS_H
#define MEDIA_HARNESS_H

#include <stddef.h>
#include <stdint.h>
#include "../../lib/media/media.h"

struct cti_call {
	cti_ctx_t *ctx;
	struct media_chan *mc;
	enum cti_law law;
	int span, channel;
	enum cti_call_state state;	/* CONNECTED unless a test says otherwise */
	struct cti_call *wire;		/* receives what this call's far end (wire) sent last tick */
	uint8_t wire_buf[MEDIA_BLOCK];	/* last tx, for the wired peer */
	const int16_t *feed;		/* linear samples to receive (when not wired) */
	size_t feed_len, feed_pos;
	int16_t *cap;			/* captured transmit audio (linear) */
	size_t cap_len, cap_size;
	int capture;
};

struct cti_ctx {
	struct media_engine *m;
	cti_event_t *ev;
	int nev, evsize;
	uint64_t now;
	const char *country;
	struct cti_call **calls;
	int ncalls, callsize;
	int locks;			/* lock depth: 0 outside API calls */
	int io_settle;
};

/*
 * Engine options for the next h_ctx(): file I/O in the engine's I/O thread
 * (as with a real clock) and its recording ring. h_io_settle: h_tick waits
 * for the thread to have drained/prefetched before each tick, so runs stay
 * deterministic (set 0 for real-time tests).
 */
extern int h_io_thread, h_io_settle;
extern unsigned h_rec_ring_ms;
cti_ctx_t *h_ctx(const char *country);
void h_ctx_free(cti_ctx_t *ctx);
cti_call_t *h_call(cti_ctx_t *ctx, enum cti_law law);
void h_hangup(cti_call_t *call);	/* media_chan_free */
void h_wire(cti_call_t *a, cti_call_t *b);
void h_feed(cti_call_t *call, const int16_t *x, size_t n);	/* not copied */
void h_tick(cti_ctx_t *ctx, int n);
/* Events: count of a type (and call if non-NULL); find the k-th (0-based) or NULL. */
int h_count(cti_ctx_t *ctx, int type, cti_call_t *call);
const cti_event_t *h_find(cti_ctx_t *ctx, int type, cti_call_t *call, int k);
/* Digits of DIGIT events of a call, in order. */
void h_digits(cti_ctx_t *ctx, cti_call_t *call, char *out, size_t size);
void h_clear_events(cti_ctx_t *ctx);

/* Signal helpers. */
double h_dbm0(const int16_t *x, size_t n);
/* Level (dBm0) of frequency f in x (Goertzel, whole span). */
double h_tone_dbm0(const int16_t *x, size_t n, double f);
void h_sine(int16_t *x, size_t n, double f, double dbm0, int add);
void h_noise(int16_t *x, size_t n, double dbm0, unsigned *seed);
int16_t *h_read_raw(const char *path, size_t *n, enum cti_law law);	/* G.711 file -> linear */

#endif
