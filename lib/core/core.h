/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * core.h - private structures of lib/core (context, spans, calls, config).
 * Other modules use lib/internal.h only.
 */
#ifndef CTI_CORE_H
#define CTI_CORE_H

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/time.h>
#include "../internal.h"
#include "transport.h"

#define CORE_MAX_SPANS 256
#define CORE_MAX_GROUPS 64
#define CORE_MAX_CHAN 32		/* channel numbers 1..31 */
#define CORE_BLOCK 160			/* 20 ms at 8 kHz */
#define CORE_TICK_FRAMES 8		/* 1 ms */
#define CORE_DFRAME_MAX 1100
#define CORE_NTRANSPORTS 2
#define CORE_MWI_MAX 16			/* unanswered MWI connections per span */
#define CORE_RLT_MAX 32			/* DMS100 calls awaiting their RLT call id per span */		/* enum cti_transport: sim, dahdi */

struct pri;
struct q931_call;
struct media_chan;

/* ---- configuration ---- */
struct core_group_cfg {
	char name[CTI_NAME_MAX];
	enum cti_hunt hunt;
	char spans[256];
};

struct cti_config {
	enum cti_clock clock;
	int sim_ports;
	char tones[8];
	char trace[256];
	int nspans;
	cti_span_config_t spans[CORE_MAX_SPANS];
	int ngroups;
	struct core_group_cfg groups[CORE_MAX_GROUPS];
};

/* Parse "1-15,17-31" into a channel bit mask (bit n = channel n). 0 + message on error. */
int core_parse_channels(const char *s, uint32_t *mask, char *err, size_t errsize);
int core_span_max_chan(enum cti_line line);	/* 31 E1, 24 T1 */
int core_default_dchan(enum cti_line line);	/* 16 E1, 24 T1 */
const char *core_switch_name(enum cti_switchtype sw);

/* ---- calls ---- */
struct core_span;

struct cti_call {
	cti_ctx_t *ctx;
	struct core_span *span;		/* NULL before a channel is chosen */
	int channel;
	struct q931_call *pc;		/* libpri call, NULL once libpri freed it */
	cti_call_params_t params;
	int outgoing;
	enum cti_call_state state;
	struct media_chan *media;
	int cause, location, remote;
	int hangup_sent;		/* pri_hangup called on pc */
	int hangup_posted;		/* CTI_EV_CALL_HANGUP queued */
	int release_req;		/* cti_call_release called: release on hangup */
	int released;			/* CTI_EV_CALL_RELEASED queued: freed after delivery */
	int explicit_chan;		/* outgoing: channel asked by the app */
	int group;			/* outgoing: hunt group index + 1, 0 = span */
	uint32_t tried[CORE_MAX_SPANS + 1];	/* channels tried per span (glare) */
	int attempts;
	int rx_loc;			/* location of the received Cause IE, -1 none */
	int connected_posted;
	int cref;			/* incoming: Q.931 call reference (libpri's) */
	int tx_loc;			/* location in the Cause IE we sent */
	struct cti_call *next;		/* ctx->calls list */
	/* supplementary services (suppl.c) */
	int hold;			/* enum core_hold */
	int xfer_invoke;		/* serving side: invoke id of a transfer request, -1 none */
	int xfer_ni2;			/* serving side: request decoded from the frame (NI2 2BCT, DMS100 RLT): no answer */
	struct cti_call *xfer_other;	/* transfer: the other call (both sides) */
	int xfer_pending;		/* requesting side: cti_call_transfer() waits for the network */
	int xfer_master;		/* requesting side: this call gets CTI_EV_TRANSFER_DONE */
	int defl_invoke;		/* serving side: invoke id of a deflection request, -1 none */
	int defl_pending;		/* requesting side: cti_call_deflect() waits */
	char uui_setup[36];		/* cti_call_place_uui(): UUI for the SETUP */
};

enum core_hold {
	CORE_HOLD_IDLE = 0,
	CORE_HOLD_REQ,			/* we sent HOLD */
	CORE_HOLD_IND,			/* far end sent HOLD, application to reply */
	CORE_HOLD_HELD,
	CORE_HOLD_RETRIEVE_REQ,		/* we sent RETRIEVE */
	CORE_HOLD_RETRIEVE_IND,		/* far end sent RETRIEVE, application to reply */
};

/* ---- spans ---- */
struct core_span {
	int index;			/* 1-based */
	cti_span_config_t cfg;
	cti_ctx_t *ctx;
	uint32_t bmask;			/* B-channels */
	int maxchan;
	struct pri *pri;
	int dchan_up;			/* as reported to the application */
	int l2_up;			/* libpri's view of the data link */
	uint64_t dchan_down_ms;		/* when it went down (T309) */
	uint32_t alarms;		/* CTI_ALARM_* last reported */
	int in_service;
	int rr_next;			/* round robin hunting position */
	struct cti_call *chan_call[CORE_MAX_CHAN];
	uint8_t rxbuf[CORE_MAX_CHAN][CORE_BLOCK];
	uint8_t txbuf[CORE_MAX_CHAN][CORE_BLOCK];
	/* frame handed to libpri's read callback */
	uint8_t dframe[CORE_DFRAME_MAX];
	int dframe_len;
	/* libpri timer bookkeeping */
	/* trace */
	void *pcap;			/* pcap_dumper_t (own file) */
	void *pcap_dead;
	int trace_events;
	/* the line: its transport (sp->ops == sp->tp->ops) and that transport's span state */
	struct core_transport *tp;
	const struct cti_transport_ops *ops;
	void *tpriv;
	uint8_t bwant[CORE_MAX_CHAN];	/* CORE_B_*: what its call's media needs this step */
	int rx_loc;			/* location in the Cause IE of the frame being processed */
	struct cti_call *hangup_call;	/* call being cleared by us inside pri_hangup() */
	/*
	 * Channels whose call we dropped without clearing messages (data link
	 * or line down): the far end may still hold them. RESTART them once the
	 * D-channel is up; not used for calls until acknowledged.
	 */
	int in_timers;			/* libpri's timers are running (events are not from a message) */
	int pri_sink;			/* libpri's frames are dropped (pooled instance being reset) */
	uint32_t restart_pending;
	uint64_t restart_next_ms;	/* next (re)transmission of those RESTARTs */
	int restart_tries;
	/* DMS100 network side: user calls whose RLT_OperationInd awaits our call id (suppl.c), 0 free */
	int rlt_cref[CORE_RLT_MAX];
	/* message waiting indications sent, outcome pending (mwi.c) */
	struct core_mwi {
		struct q931_call *pc;	/* libpri's call-independent call, NULL: slot free */
		int active;
		int answered;		/* CONNECT or a ROSE returnResult came back */
		char mailbox[CTI_NUMBER_MAX];
		char centre[CTI_NUMBER_MAX];
	} mwi[CORE_MWI_MAX];
};

struct core_group {
	char name[CTI_NAME_MAX];
	enum cti_hunt hunt;
	int nspans;
	int spans[CORE_MAX_SPANS];
	int rr_next;
};

struct core_timer {
	int id;
	uint64_t due_ms;
	void *user;
	struct core_timer *next;
};

struct cti_ctx {
	pthread_mutex_t lock;
	pthread_mutex_t dispatch_lock;
	enum cti_clock clock;
	char tones[8];
	/* events */
	cti_event_t *q;
	size_t qhead, qlen, qcap;
	int efd;
	cti_event_fn handler;
	void *handler_user;
	/* clock */
	uint64_t frames;		/* virtual time in 8 kHz frames */
	uint64_t mono0_ms;		/* real clock origin */
	int64_t tv0_us;			/* virtual clock: timeval at frame 0 (for libpri) */
	int block_pos;			/* frame within the 20 ms block */
	/* timers */
	struct core_timer *timers;
	int next_timer_id;
	/* spans */
	int nspans;
	struct core_span *spans[CORE_MAX_SPANS + 1];
	int ngroups;
	struct core_group groups[CORE_MAX_GROUPS];
	/* calls */
	struct cti_call *calls;
	struct media_engine *media;
	/* transports, indexed by enum cti_transport (used ones opened) */
	struct core_transport tp[CORE_NTRANSPORTS];
	/* global trace (span 0) */
	void *pcap;
	void *pcap_dead;
	int trace_events_all;
	/* real clock thread */
	pthread_t thread;
	int thread_running;
	int thread_stop;
	int tfd;
	int closing;
	int close_requested;		/* cti_close() called from an event handler */
};

/* ctx.c */
void core_tick_ms(cti_ctx_t *ctx);			/* sim: one 1 ms tick (lock held) */
void core_media_block(cti_ctx_t *ctx);			/* 20 ms media step (lock held) */
/* The context's media engine, given the core's interface (media_ops.c). */
struct media_engine *core_media_engine_new(cti_ctx_t *ctx);
uint64_t core_now_ms(cti_ctx_t *ctx);
void core_run_timers(cti_ctx_t *ctx);
/* libpri's clock: its gettimeofday reference is renamed to this (lib/build.mk, ctx.c). */
__attribute__((visibility("hidden"))) int cti__pri_gettimeofday(struct timeval *tv, void *tz);
/* Around every libpri call (lock held): libpri's clock is this context's. */
void core_pri_enter(cti_ctx_t *ctx);
void core_pri_leave(void);

/* call.c */
int core_span_pri_start(struct core_span *sp);
void core_span_pri_stop(struct core_span *sp);
void core_span_dframe(struct core_span *sp, const uint8_t *buf, int len);	/* received frame */
void core_span_pri_timers(struct core_span *sp);
void core_span_alarms(struct core_span *sp, uint32_t alarms);
void core_span_service_check(struct core_span *sp);
void core_call_free(struct cti_call *c);
void core_calls_close(cti_ctx_t *ctx);
void core_call_media_new(struct cti_call *c);
/* core_span.bwant: set by the media step, read by the transport's block_out */
#define CORE_B_MEDIA 1	/* a call's media runs on the B-channel */
#define CORE_B_DEEP 2	/* ... and needs unbroken audio (fax): deep transport cushion */

/* call.c, for suppl.c (lock held) */
struct cti_call *core_call_find(cti_ctx_t *ctx, struct q931_call *pc);
void core_call_post(struct cti_call *c, int type);
void core_chan_take(struct cti_call *c, struct core_span *sp, int ch);
void core_chan_release(struct cti_call *c);	/* B-channel (and media) free, call goes on */
int core_span_free_chan(struct core_span *sp);
int core_call_hangup(struct cti_call *c, int cause);
int core_pri_switch(const cti_span_config_t *cfg);

/* suppl.c (lock held) */
void core_suppl_span_start(struct core_span *sp);	/* enable libpri's services after pri_new_cb */
void core_suppl_init_call(struct cti_call *c);
/* A libpri event not handled by call.c, or subcommands of one that was: 1 if consumed. */
int core_suppl_event(struct core_span *sp, void *pri_ev);
void core_suppl_subcmds(struct core_span *sp, struct cti_call *c, void *subcmds);
/* A received D-channel frame, before libpri sees it (services libpri's network side lacks). */
void core_suppl_frame(struct core_span *sp, const uint8_t *buf, int len);
/* A frame libpri sends: >0 new length of the copy in out with what libpri cannot add (DMS100 RLT call id), 0 as is. */
int core_suppl_tx_frame(struct core_span *sp, const uint8_t *f, int len, uint8_t *out, int outmax);
/* The call is cleared (before CTI_EV_CALL_HANGUP is posted). */
void core_suppl_call_cleared(struct cti_call *c);
const char *core_suppl_event_name(int type);
/* UUI: into an outgoing SETUP (struct pri_sr *), and received with a libpri event (before: 1 ahead of call.c's handling). */
void core_suppl_setup(struct cti_call *c, void *sr);
void core_suppl_uui(struct core_span *sp, void *pri_ev, int before);

/* mwi.c (lock held) */
/* A received frame (from core_suppl_frame): QSIG MWIActivate/MWIDeactivate in a SETUP, answers to ours. */
void core_mwi_frame(struct core_span *sp, const uint8_t *buf, int len);
/* A libpri clearing event: 1 if it ended one of our MWI connections (consumed). */
int core_mwi_hangup(struct core_span *sp, void *pri_ev);

/* transport_dahdi.c: add every E1/T1 DAHDI span to cfg (cti_config_dahdi_scan). */
int core_dahdi_scan(cti_config_t *cfg);

/* trace.c */
void core_trace_frame(struct core_span *sp, int tx, const uint8_t *buf, int len);
int core_trace_open_config(cti_ctx_t *ctx, const char *path);
void core_trace_close_all(cti_ctx_t *ctx);

/* Send a D-channel frame on the span's transport (without FCS). */
int core_span_send(struct core_span *sp, const uint8_t *buf, int len);

#endif
