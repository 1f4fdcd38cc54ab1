/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * internal.h - what libcti's modules share. Not installed.
 *
 *   lib/core   context, config, events, calls (libpri), trace, and the transport
 *              interface (transport.h) with its sim and dahdi implementations
 *   lib/media  media engine: DTMF/tones/play/record/CPA/bridging per B-channel (media.h)
 *   lib/fax    T.30 sessions on a media channel (fax.h)
 *   lib/maint  line maintenance API: status, loopbacks, injection, BERT, cables,
 *              through the transport interface only (lib/core/transport.h)
 *
 * Locking: one mutex per context (cti__lock). Everything that touches the
 * context's state (calls, media channels, firmware ports) runs with it held.
 * Public entry points take it; cti__post() queues events that cti_dispatch()
 * delivers after dropping it, so handlers never run under the lock.
 */
#ifndef CTI_INTERNAL_H
#define CTI_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include "cti.h"
#include "error.h"		/* cti__error() */
#include "abi.h"		/* cti__abi_*(): growable public structs */

struct media_engine;
struct media_chan;

/* ---- context (lib/core) ---- */
void cti__lock(cti_ctx_t *ctx);
void cti__unlock(cti_ctx_t *ctx);
/* Queue an event (copied; time_ms filled if 0). Call with the lock held. */
void cti__post(cti_ctx_t *ctx, const cti_event_t *ev);
/* Context clock in ms / in 8 kHz samples. Lock held or not. */
uint64_t cti__now_ms(cti_ctx_t *ctx);
struct media_engine *cti__media(cti_ctx_t *ctx);

/* ---- calls (lib/core) ---- */
cti_ctx_t *cti__call_ctx(cti_call_t *call);
/* The call's media channel: NULL while it has no B-channel or after clearing. */
struct media_chan *cti__call_media(cti_call_t *call);
/* Law of the call's span. */
enum cti_law cti__call_law(cti_call_t *call);
/* libpri instances created in this process, and those idle in the pool (lib/core/call.c). */
void cti__pri_pool_stats(int *created, int *idle);
/* Call objects the context holds (not yet freed after CTI_EV_CALL_RELEASED); takes the lock. */
int cti__call_count(cti_ctx_t *ctx);
/* cti_call_span/channel/state for code that holds the lock (the public ones take it). */
int cti__call_span(cti_call_t *call);
int cti__call_channel(cti_call_t *call);
enum cti_call_state cti__call_state(cti_call_t *call);

/* ---- spans, for lib/maint (lock held) ---- */
const cti_span_config_t *cti__span_config(cti_ctx_t *ctx, int span);	/* NULL if no such span */
int cti__span_dchan_up(cti_ctx_t *ctx, int span);
/* Per-channel state characters as in cti_span_status_t.chan_state. */
void cti__span_chan_states(cti_ctx_t *ctx, int span, char *out, size_t size);
/* Stop (0) or restart (1) call service on a span: D-channel down/up, B-channels freed (BERT). */
int cti__span_set_service(cti_ctx_t *ctx, int span, int in_service);
/* The line itself (transports, cables): lib/core/transport.h. */
/*
 * Test hook only (tests/core, tests/soak drive the firmware directly): the
 * sim board's port 1..n of a context, NULL if none. No lib/ module uses it
 * (tests/core/test_layering.sh).
 */
struct ctifw_port;
struct ctifw_port *cti__sim_port(cti_ctx_t *ctx, int port);
/* DAHDI_SPANSTAT alarm bits as CTI_ALARM_*, the one mapping events and status share (transport_dahdi.c). */
uint32_t cti__alarms_from_dahdi(int dahdi_alarms);

#endif /* CTI_INTERNAL_H */
