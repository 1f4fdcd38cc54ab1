/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * transport.h - the one interface between libcti's core and a span's line
 * (compare DAHDI's struct dahdi_span_ops and freetdm's io interface).
 *
 * A transport is a kind of line hardware: "sim" (the firmware engine ports
 * hosted in the library, lib/core/transport_sim.c) or "dahdi" (any DAHDI
 * span, lib/core/transport_dahdi.c). Each context has one instance of each
 * kind (struct core_transport); the instances whose kind some span uses are
 * opened by cti_open() and closed by cti_close(). Core (ctx.c, call.c) and
 * lib/maint reach the line only through these operations: nothing outside
 * the two transport files knows firmware ports, DAHDI ioctls or sysfs.
 *
 * Direction: core and lib/maint call the transport; the transport calls
 * back into core only through core_span_dframe() (received D-channel frame)
 * and core_span_alarms() (alarm change), and reads/writes the spans' 20 ms
 * rxbuf/txbuf. The media steps are core's (core_tick_ms). Every operation
 * runs with the context lock held.
 *
 * Optional operations are NULL; the maintenance operations of a transport
 * that has none set an error and return CTI_ENOTSUP.
 */
#ifndef CTI_TRANSPORT_H
#define CTI_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include "cti.h"

struct core_span;
struct core_transport;

struct cti_transport_ops {
	const char *name;			/* "sim", "dahdi" (config keyword) */
	const char *port_noun;			/* what a span's port number counts: "sim port", "DAHDI span" */
	int max_port;				/* port numbers 1..max_port */

	/* ---- lifecycle (cti_open / cti_close) ---- */
	/* Is span index (0-based in cfg) acceptable? CTI_ECONFIG + message if not. Before anything opens. */
	int (*check)(const cti_config_t *cfg, int index);
	/* Board-wide start, once, before the first span_start (NULL: nothing to do). */
	int (*open)(struct core_transport *tp, const cti_config_t *cfg);
	/* Free everything open() and span_start() allocated; also after a failed open. */
	void (*close)(struct core_transport *tp);
	/* Bring a span's line up: D- and B-channel paths ready (error: message naming the span). */
	int (*span_start)(struct core_span *sp);
	/* Release the span's channels (also after a failed or missing span_start). */
	void (*span_stop)(struct core_span *sp);

	/* ---- D-channel ---- */
	/* Send one frame without FCS: len, or -1. Received frames go to core_span_dframe() from service(). */
	int (*dframe_send)(struct core_span *sp, const uint8_t *buf, int len);

	/* ---- clock and B-channels (core_tick_ms, every 1 ms) ---- */
	/*
	 * Move 1 ms (CORE_TICK_FRAMES) of B-channel bytes between the spans'
	 * txbuf/rxbuf at frame pos of the 20 ms block and the line (NULL: the
	 * transport moves whole blocks in block_in/block_out instead).
	 */
	void (*tick_frames)(struct core_transport *tp, int pos);
	/*
	 * Media pacing by the line: when this transport is the only one in the
	 * context and paced() says so, core runs one 20 ms media step per
	 * block_rx() that returns 1 (it read a received block into the spans'
	 * rxbuf), instead of counting its own 1 ms ticks (NULL: never paced).
	 */
	int (*paced)(struct core_transport *tp);
	int (*block_rx)(struct core_transport *tp);
	/* Around every 20 ms media step: fill rxbuf before, send txbuf after (NULL: nothing). */
	void (*block_in)(struct core_transport *tp);
	void (*block_out)(struct core_transport *tp);
	/* After the media step: alarm changes (core_span_alarms), received D-frames (core_span_dframe). */
	void (*service)(struct core_transport *tp);

	/* ---- maintenance (lib/maint; fn names the public function in messages) ---- */
	/* Fill alarms, loopback, counters, timing_source, nchannels of st (the rest is core's). */
	int (*status)(struct core_span *sp, const char *fn, cti_span_status_t *st);
	int (*reset_counters)(struct core_span *sp, const char *fn);
	int (*loopback)(struct core_span *sp, const char *fn, enum cti_loopback mode);
	int (*loopcode)(struct core_span *sp, const char *fn, int up);	/* 1 up, 0 down, -1 stop */
	/* count errors now, or per_second from now on (both 0: stop a rate) */
	int (*inject)(struct core_span *sp, const char *fn, enum cti_inject what, uint32_t count,
		      uint32_t per_second);
	/*
	 * BERT: bert_check() refuses what the line cannot run (before call
	 * service stops); bert_start() starts it on slot mask (all_slots: the
	 * application asked for every B-channel); bert_stop() sets *running
	 * to whether one was running.
	 */
	int (*bert_check)(struct core_span *sp, const char *fn, enum cti_prbs pattern, int all_slots);
	int (*bert_start)(struct core_span *sp, const char *fn, enum cti_prbs pattern, uint32_t mask);
	int (*bert_stop)(struct core_span *sp, const char *fn, int *running);
	int (*bert_status)(struct core_span *sp, const char *fn, cti_bert_status_t *st);

	/* ---- emulated cables between board ports 1..n (NULL: the transport has none) ---- */
	/* Number of ports; 0 and a phrase for the error message ("no sim ports") if there is no board. */
	int (*cable_ports)(struct core_transport *tp, char *why, size_t size);
	int (*cable_connect)(struct core_transport *tp, const char *fn, int port_a, int port_b);
	int (*cable_cut)(struct core_transport *tp, const char *fn, int port);
	int (*cable_peer)(struct core_transport *tp, const char *fn, int port);	/* 0: none */
	int (*cable_set_faults)(struct core_transport *tp, const char *fn, int port, const cti_line_faults_t *f);
	int (*cable_get_faults)(struct core_transport *tp, const char *fn, int port, cti_line_faults_t *f);
};

/* One transport kind in one context. */
struct core_transport {
	const struct cti_transport_ops *ops;
	cti_ctx_t *ctx;
	int used;			/* a span of the context uses it: opened */
	void *priv;			/* the transport's own board state */
};

extern const struct cti_transport_ops core_transport_sim;
extern const struct cti_transport_ops core_transport_dahdi;
/* The operations of a transport kind (NULL: no such kind). */
const struct cti_transport_ops *core_transport_ops(enum cti_transport kind);

/* ---- what core offers the transport interface's users (lib/maint), lock held ---- */
/* The span (NULL: no such span, error set naming fn) and its transport's operations. */
struct core_span *cti__span(cti_ctx_t *ctx, const char *fn, int span);
const struct cti_transport_ops *cti__span_ops(struct core_span *sp);
/* The context's board with cables: the first transport that has ports (NULL: error set naming fn). */
struct core_transport *cti__cable_board(cti_ctx_t *ctx, const char *fn);

#endif /* CTI_TRANSPORT_H */
