/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ctx.c - context, event queue and dispatch, clocks, application timers.
 *
 * Events are queued with the context lock held (cti__post) and delivered by
 * cti_dispatch() after the lock is dropped, so handlers may call any public
 * function. A call handle is freed only after the handler of its
 * CTI_EV_CALL_RELEASED event returned.
 *
 * Clocks: virtual (time moves only inside cti_dispatch, 1 ms board ticks as
 * fast as the CPU allows) or real (a thread woken every 1 ms by a timerfd).
 *
 * The lines are reached only through the transport interface (transport.h):
 * one instance per transport kind in the context, opened if a span uses it.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>
#include "core.h"
#include "../media/media.h"

/* Virtual clock: libpri's timers read cti__pri_gettimeofday(); see below. */
#define VIRT_EPOCH_S 1700000000LL
/* cti_dispatch(-1) in virtual time gives up after this much virtual time without an event. */
#define VIRT_WAIT_MAX_MS 600000

static _Thread_local cti_ctx_t *tls_pri_ctx;	/* libpri runs for this virtual-clock context */
static _Thread_local cti_ctx_t *tls_dispatching;

/*
 * libpri 1.6 schedules its Q.921/Q.931 timers with gettimeofday() and exports
 * no clock hook (pri_schedule_run_tv() is declared but not exported). libcti
 * links Debian's static libpri with that one reference renamed to this
 * function (lib/build.mk: objcopy --redefine-sym), so only libpri's timers
 * see it; the process's gettimeofday() stays libc's. While this thread is
 * inside a libpri call made for a virtual-clock context it returns the
 * virtual time; otherwise (real clock) the real time.
 */
int cti__pri_gettimeofday(struct timeval *tv, void *tz)
{
	cti_ctx_t *ctx = tls_pri_ctx;

	(void)tz;
	if (ctx) {
		uint64_t us = ctx->frames * 125;

		tv->tv_sec = (time_t)(VIRT_EPOCH_S + (int64_t)(us / 1000000));
		tv->tv_usec = (suseconds_t)(us % 1000000);
	} else {
		/* not gettimeofday(): an application may define its own */
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		tv->tv_sec = ts.tv_sec;
		tv->tv_usec = ts.tv_nsec / 1000;
	}
	return 0;
}

/*
 * enter/leave nest: an event handler run from inside libpri's timers or
 * frame input (call clearing, glare retry) enters again. Leaving the inner
 * level must not switch libpri back to the real clock for the rest of the
 * outer call: its timers would then be scheduled decades ahead of the
 * virtual clock and never expire (a data link stuck in state 5).
 */
static _Thread_local int tls_pri_depth;

void core_pri_enter(cti_ctx_t *ctx)
{
	if (tls_pri_depth++ == 0)
		tls_pri_ctx = ctx->clock == CTI_CLOCK_VIRTUAL ? ctx : NULL;
}

void core_pri_leave(void)
{
	if (tls_pri_depth > 0 && --tls_pri_depth == 0)
		tls_pri_ctx = NULL;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t core_now_ms(cti_ctx_t *ctx)
{
	if (ctx->clock == CTI_CLOCK_VIRTUAL)
		return ctx->frames / 8;
	return mono_ms() - ctx->mono0_ms;
}

uint64_t cti__now_ms(cti_ctx_t *ctx)
{
	return ctx ? core_now_ms(ctx) : 0;
}

uint64_t cti_now_ms(cti_ctx_t *ctx)
{
	uint64_t now;

	if (!ctx)
		return 0;
	/* the virtual clock advances under the lock in the dispatching thread */
	cti__lock(ctx);
	now = core_now_ms(ctx);
	cti__unlock(ctx);
	return now;
}

void cti__lock(cti_ctx_t *ctx)
{
	pthread_mutex_lock(&ctx->lock);
}

void cti__unlock(cti_ctx_t *ctx)
{
	pthread_mutex_unlock(&ctx->lock);
}

struct media_engine *cti__media(cti_ctx_t *ctx)
{
	return ctx ? ctx->media : NULL;
}

/* ---------------- event queue ---------------- */

void cti__post(cti_ctx_t *ctx, const cti_event_t *ev)
{
	if (ctx->qlen == ctx->qcap) {
		size_t ncap = ctx->qcap ? ctx->qcap * 2 : 64;
		cti_event_t *nq = malloc(ncap * sizeof(*nq));

		if (!nq)
			return;	/* out of memory: the event is lost */
		for (size_t i = 0; i < ctx->qlen; i++)
			nq[i] = ctx->q[(ctx->qhead + i) % ctx->qcap];
		free(ctx->q);
		ctx->q = nq;
		ctx->qcap = ncap;
		ctx->qhead = 0;
	}
	cti_event_t *slot = &ctx->q[(ctx->qhead + ctx->qlen) % ctx->qcap];

	*slot = *ev;
	if (ev->type == CTI_EV_TRACE && ev->u.trace.data) {
		/* The frame is the event's own until its handler returned (deliver() frees it). */
		uint8_t *copy = malloc(ev->u.trace.len ? ev->u.trace.len : 1);

		if (!copy)
			return;	/* out of memory: the event is lost */
		memcpy(copy, ev->u.trace.data, ev->u.trace.len);
		slot->u.trace.data = copy;
	}
	if (!slot->time_ms)
		slot->time_ms = core_now_ms(ctx);
	if (ctx->qlen++ == 0 && ctx->efd >= 0) {
		uint64_t one = 1;

		if (write(ctx->efd, &one, sizeof(one)) < 0) {
			/* eventfd counter cannot overflow here; nothing to do */
		}
	}
}

static void drain_efd(cti_ctx_t *ctx)
{
	uint64_t v;

	if (ctx->efd >= 0 && read(ctx->efd, &v, sizeof(v)) < 0) {
		/* EAGAIN: already drained */
	}
}

/* Deliver every waiting event. Lock held on entry and exit, dropped around handlers. */
static int deliver(cti_ctx_t *ctx)
{
	int n = 0;

	while (ctx->qlen) {
		cti_event_t ev = ctx->q[ctx->qhead];

		ctx->qhead = (ctx->qhead + 1) % ctx->qcap;
		ctx->qlen--;
		if (!ctx->qlen)
			drain_efd(ctx);
		cti_event_fn fn = ctx->handler;
		void *user = ctx->handler_user;

		cti__unlock(ctx);
		if (fn)
			fn(ctx, &ev, user);
		cti__lock(ctx);
		if (ev.type == CTI_EV_CALL_RELEASED && ev.call)
			core_call_free(ev.call);
		if (ev.type == CTI_EV_TRACE)
			free((void *)ev.u.trace.data);
		n++;
		if (ctx->close_requested)	/* cti_close() from the handler: no more events */
			break;
	}
	return n;
}

int cti_dispatch(cti_ctx_t *ctx, int timeout_ms)
{
	int n;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_dispatch: NULL context");
	if (tls_dispatching == ctx)
		return cti__error(CTI_ESTATE, "cti_dispatch: called from inside an event handler");
	pthread_mutex_lock(&ctx->dispatch_lock);
	tls_dispatching = ctx;
	cti__lock(ctx);
	if (ctx->qlen == 0 && timeout_ms != 0) {
		if (ctx->clock == CTI_CLOCK_VIRTUAL) {
			uint64_t limit = timeout_ms < 0 ? VIRT_WAIT_MAX_MS : (uint64_t)timeout_ms;
			uint64_t end = ctx->frames + limit * 8;

			while (ctx->qlen == 0 && ctx->frames < end)
				core_tick_ms(ctx);
		} else {
			struct pollfd pf = { .fd = ctx->efd, .events = POLLIN };

			cti__unlock(ctx);
			poll(&pf, 1, timeout_ms);
			cti__lock(ctx);
		}
	}
	n = deliver(ctx);
	cti__unlock(ctx);
	tls_dispatching = NULL;
	pthread_mutex_unlock(&ctx->dispatch_lock);
	if (ctx->close_requested)	/* the handler called cti_close(): do it now it returned */
		cti_close(ctx);
	return n;
}

void cti_set_event_handler(cti_ctx_t *ctx, cti_event_fn fn, void *user)
{
	if (!ctx)
		return;
	cti__lock(ctx);
	ctx->handler = fn;
	ctx->handler_user = user;
	cti__unlock(ctx);
}

int cti_fd(cti_ctx_t *ctx)
{
	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_fd: NULL context");
	return ctx->efd;
}

/* ---------------- application timers ---------------- */

int cti_timer_start(cti_ctx_t *ctx, uint32_t ms, void *user)
{
	struct core_timer *t, **pp;
	int id;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_timer_start: NULL context");
	t = calloc(1, sizeof(*t));
	if (!t)
		return cti__error(CTI_ENOMEM, "cti_timer_start: out of memory");
	cti__lock(ctx);
	if (++ctx->next_timer_id <= 0)
		ctx->next_timer_id = 1;
	id = t->id = ctx->next_timer_id;
	t->due_ms = core_now_ms(ctx) + ms;
	t->user = user;
	for (pp = &ctx->timers; *pp && (*pp)->due_ms <= t->due_ms; pp = &(*pp)->next)
		;
	t->next = *pp;
	*pp = t;
	cti__unlock(ctx);
	return id;
}

int cti_timer_cancel(cti_ctx_t *ctx, int id)
{
	struct core_timer **pp;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_timer_cancel: NULL context");
	cti__lock(ctx);
	for (pp = &ctx->timers; *pp; pp = &(*pp)->next)
		if ((*pp)->id == id) {
			struct core_timer *t = *pp;

			*pp = t->next;
			free(t);
			cti__unlock(ctx);
			return 0;
		}
	cti__unlock(ctx);
	return cti__error(CTI_ENOENT, "cti_timer_cancel: no timer %d", id);
}

void core_run_timers(cti_ctx_t *ctx)
{
	uint64_t now = core_now_ms(ctx);

	while (ctx->timers && ctx->timers->due_ms <= now) {
		struct core_timer *t = ctx->timers;
		cti_event_t ev;

		ctx->timers = t->next;
		memset(&ev, 0, sizeof(ev));
		ev.type = CTI_EV_TIMER;
		ev.u.timer.id = t->id;
		ev.u.timer.user = t->user;
		cti__post(ctx, &ev);
		free(t);
	}
}

/* ---------------- ticking ---------------- */

static void idle_fill(struct core_span *sp, int ch)
{
	memset(sp->txbuf[ch], sp->cfg.law == CTI_LAW_ULAW ? 0xff : 0xd5, CORE_BLOCK);
}

/* The transports in table order (the ones spans use). */
static const struct cti_transport_ops *const transport_table[CORE_NTRANSPORTS] = {
	[CTI_TRANSPORT_SIM] = &core_transport_sim,
	[CTI_TRANSPORT_DAHDI] = &core_transport_dahdi,
};

const struct cti_transport_ops *core_transport_ops(enum cti_transport kind)
{
	return (unsigned)kind < CORE_NTRANSPORTS ? transport_table[kind] : NULL;
}

#define for_each_used_transport(ctx, tp) \
	for (struct core_transport *tp = (ctx)->tp; tp < (ctx)->tp + CORE_NTRANSPORTS; tp++) \
		if (tp->used)

void core_media_block(cti_ctx_t *ctx)
{
	struct cti_call *c;

	for_each_used_transport(ctx, tp)
		if (tp->ops->block_in)
			tp->ops->block_in(tp);
	if (!ctx->media)
		goto out;
	for (c = ctx->calls; c; c = c->next)
		if (c->media && c->span)
			memcpy(media_chan_rx(c->media), c->span->rxbuf[c->channel], CORE_BLOCK);
	media_engine_tick(ctx->media);
	for (c = ctx->calls; c; c = c->next)
		if (c->media && c->span) {
			memcpy(c->span->txbuf[c->channel], media_chan_tx(c->media), CORE_BLOCK);
			/* fax and other hooks that need unbroken audio: deep DAHDI cushion */
			c->span->bwant[c->channel] = CORE_B_MEDIA |
						     (media_chan_continuous(c->media) ? CORE_B_DEEP : 0);
		}
out:
	for_each_used_transport(ctx, tp)
		if (tp->ops->block_out)
			tp->ops->block_out(tp);
}

/* The transport that paces the media steps: the only one in use, if it can (else NULL). */
static struct core_transport *pacer(cti_ctx_t *ctx)
{
	struct core_transport *only = NULL;
	int n = 0;

	for_each_used_transport(ctx, tp) {
		only = tp;
		n++;
	}
	if (n != 1 || !only->ops->paced || !only->ops->paced(only))
		return NULL;
	return only;
}

void core_tick_ms(cti_ctx_t *ctx)
{
	struct core_transport *pace;

	ctx->frames += CORE_TICK_FRAMES;
	for_each_used_transport(ctx, tp)
		if (tp->ops->tick_frames)
			tp->ops->tick_frames(tp, ctx->block_pos);
	pace = pacer(ctx);
	if (pace) {
		/*
		 * The media clock is the line's clock (DAHDI B-channels): one
		 * media block per block received, so nothing slips however the
		 * two clocks jitter; several if we were late.
		 */
		for (int k = 0; k < 16 && pace->ops->block_rx(pace); k++)
			core_media_block(ctx);
	} else {
		ctx->block_pos += CORE_TICK_FRAMES;
		if (ctx->block_pos >= CORE_BLOCK) {
			ctx->block_pos = 0;
			core_media_block(ctx);
		}
	}
	for_each_used_transport(ctx, tp)
		if (tp->ops->service)
			tp->ops->service(tp);
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];

		if (sp->pri)
			core_span_pri_timers(sp);
		core_span_service_check(sp);
	}
	core_run_timers(ctx);
}

static void *clock_thread(void *arg)
{
	cti_ctx_t *ctx = arg;

	while (1) {
		struct pollfd pf = { .fd = ctx->tfd, .events = POLLIN };
		uint64_t exp = 0;

		poll(&pf, 1, 100);
		if (read(ctx->tfd, &exp, sizeof(exp)) != sizeof(exp))
			exp = 0;
		cti__lock(ctx);
		if (ctx->thread_stop) {
			cti__unlock(ctx);
			break;
		}
		/* catch up missed ticks, at most 64 ms at once */
		if (exp > 64)
			exp = 64;
		for (uint64_t i = 0; i < exp; i++)
			core_tick_ms(ctx);
		cti__unlock(ctx);
	}
	return NULL;
}

/* ---------------- open / close ---------------- */

static int group_setup(cti_ctx_t *ctx, const cti_config_t *cfg)
{
	for (int i = 0; i < cfg->ngroups; i++) {
		const struct core_group_cfg *gc = &cfg->groups[i];
		struct core_group *g = &ctx->groups[ctx->ngroups++];
		char list[256], *save = NULL, *tok;

		snprintf(g->name, sizeof(g->name), "%s", gc->name);
		g->hunt = gc->hunt;
		snprintf(list, sizeof(list), "%s", gc->spans);
		for (tok = strtok_r(list, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
			int idx = 0;

			for (int s = 1; s <= ctx->nspans; s++)
				if (!strcmp(ctx->spans[s]->cfg.name, tok))
					idx = s;
			if (!idx)
				return cti__error(CTI_ECONFIG, "cti_open: group '%s': no span named '%s'", g->name, tok);
			if (ctx->spans[idx]->cfg.signalling != CTI_SIG_PRI)
				return cti__error(CTI_ECONFIG, "cti_open: group '%s': span '%s' has signalling none",
						  g->name, tok);
			if (g->nspans < CORE_MAX_SPANS)
				g->spans[g->nspans++] = idx;
		}
	}
	return 0;
}

cti_ctx_t *cti_open(const cti_config_t *cfg)
{
	cti_ctx_t *ctx;

	cti__clear_error();
	if (!cfg) {
		cti__error(CTI_EINVAL, "cti_open: NULL config");
		return NULL;
	}
	for (int i = 0; i < cfg->nspans; i++) {
		const cti_span_config_t *sc = &cfg->spans[i];
		const struct cti_transport_ops *ops;

		if ((unsigned)sc->transport >= CORE_NTRANSPORTS) {
			cti__error(CTI_ECONFIG, "cti_open: span '%s': bad transport %d", sc->name, (int)sc->transport);
			return NULL;
		}
		ops = transport_table[sc->transport];
		if (ops->check && ops->check(cfg, i) < 0)
			return NULL;
	}
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx) {
		cti__error(CTI_ENOMEM, "cti_open: out of memory");
		return NULL;
	}
	pthread_mutex_init(&ctx->lock, NULL);
	pthread_mutex_init(&ctx->dispatch_lock, NULL);
	ctx->clock = cfg->clock;
	ctx->tfd = -1;
	for (int k = 0; k < CORE_NTRANSPORTS; k++) {
		ctx->tp[k].ops = transport_table[k];
		ctx->tp[k].ctx = ctx;
	}
	snprintf(ctx->tones, sizeof(ctx->tones), "%s", cfg->tones);
	ctx->mono0_ms = mono_ms();
	ctx->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (ctx->efd < 0) {
		cti__error(CTI_EIO, "cti_open: eventfd: %s", strerror(errno));
		goto fail;
	}
	for (int i = 0; i < cfg->nspans; i++) {
		struct core_span *sp = calloc(1, sizeof(*sp));
		uint32_t mask = 0;
		char err[160];

		if (!sp) {
			cti__error(CTI_ENOMEM, "cti_open: out of memory");
			goto fail;
		}
		ctx->spans[++ctx->nspans] = sp;
		sp->ctx = ctx;
		sp->index = ctx->nspans;
		sp->cfg = cfg->spans[i];
		sp->maxchan = core_span_max_chan(sp->cfg.line);
		if (!sp->cfg.dchannel)
			sp->cfg.dchannel = core_default_dchan(sp->cfg.line);
		if (sp->cfg.bchannels[0]) {
			core_parse_channels(sp->cfg.bchannels, &mask, err, sizeof(err));
		} else {
			for (int ch = 1; ch <= sp->maxchan; ch++)
				mask |= 1u << ch;
			if (sp->cfg.signalling == CTI_SIG_PRI)
				mask &= ~(1u << sp->cfg.dchannel);
		}
		sp->bmask = mask;
		sp->in_service = 1;
		for (int ch = 0; ch < CORE_MAX_CHAN; ch++)
			idle_fill(sp, ch);
		sp->tp = &ctx->tp[sp->cfg.transport];
		sp->ops = sp->tp->ops;
	}
	if (group_setup(ctx, cfg) < 0)
		goto fail;
	ctx->media = core_media_engine_new(ctx);
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_transport *tp = ctx->spans[i]->tp;

		if (tp->used)
			continue;
		tp->used = 1;	/* closed by cti_close() even if open() fails half way */
		if (tp->ops->open && tp->ops->open(tp, cfg) < 0)
			goto fail;
	}
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];

		if (sp->ops->span_start(sp) < 0)
			goto fail;
	}
	if (cfg->trace[0] && core_trace_open_config(ctx, cfg->trace) < 0)
		goto fail;
	cti__lock(ctx);
	for (int i = 1; i <= ctx->nspans; i++)
		if (ctx->spans[i]->cfg.signalling == CTI_SIG_PRI && core_span_pri_start(ctx->spans[i]) < 0) {
			cti__unlock(ctx);
			goto fail;
		}
	cti__unlock(ctx);
	if (ctx->clock == CTI_CLOCK_REAL) {
		struct itimerspec its = { { 0, 1000000 }, { 0, 1000000 } };

		ctx->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
		if (ctx->tfd < 0 || timerfd_settime(ctx->tfd, 0, &its, NULL) < 0) {
			cti__error(CTI_EIO, "cti_open: timerfd: %s", strerror(errno));
			goto fail;
		}
		if (pthread_create(&ctx->thread, NULL, clock_thread, ctx)) {
			cti__error(CTI_EIO, "cti_open: cannot start the clock thread");
			goto fail;
		}
		ctx->thread_running = 1;
	}
	return ctx;
fail:
	{
		char msg[512];
		/* Keep the failing step's code: EIO for a device, ENOENT for a missing span... */
		int code = cti_last_error_code() < 0 ? cti_last_error_code() : CTI_EIO;

		snprintf(msg, sizeof(msg), "%s", cti_last_error());
		cti_close(ctx);
		cti__error(code, "%s", msg);
	}
	return NULL;
}

void cti_close(cti_ctx_t *ctx)
{
	if (!ctx)
		return;
	/*
	 * From inside an event handler the context is still in use by the
	 * cti_dispatch() below it: close when that dispatch returns.
	 */
	if (tls_dispatching == ctx) {
		ctx->close_requested = 1;
		return;
	}
	if (ctx->thread_running) {
		cti__lock(ctx);
		ctx->thread_stop = 1;
		cti__unlock(ctx);
		pthread_join(ctx->thread, NULL);
		ctx->thread_running = 0;
	}
	cti__lock(ctx);
	ctx->closing = 1;
	core_calls_close(ctx);
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];

		core_span_pri_stop(sp);
		if (sp->ops)
			sp->ops->span_stop(sp);
	}
	core_trace_close_all(ctx);
	if (ctx->media)
		media_engine_free(ctx->media);
	ctx->media = NULL;
	for_each_used_transport(ctx, tp) {
		if (tp->ops->close)
			tp->ops->close(tp);
		tp->used = 0;
	}
	while (ctx->timers) {
		struct core_timer *t = ctx->timers;

		ctx->timers = t->next;
		free(t);
	}
	cti__unlock(ctx);
	for (int i = 1; i <= ctx->nspans; i++)
		free(ctx->spans[i]);
	if (ctx->efd >= 0)
		close(ctx->efd);
	if (ctx->tfd >= 0)
		close(ctx->tfd);
	for (size_t i = 0; i < ctx->qlen; i++)	/* undelivered trace frames */
		if (ctx->q[(ctx->qhead + i) % ctx->qcap].type == CTI_EV_TRACE)
			free((void *)ctx->q[(ctx->qhead + i) % ctx->qcap].u.trace.data);
	free(ctx->q);
	pthread_mutex_destroy(&ctx->lock);
	pthread_mutex_destroy(&ctx->dispatch_lock);
	free(ctx);
}

/* ---------------- spans ---------------- */

int cti_span_count(cti_ctx_t *ctx)
{
	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_span_count: NULL context");
	return ctx->nspans;
}

int cti_span_find(cti_ctx_t *ctx, const char *name)
{
	if (!ctx || !name)
		return cti__error(CTI_EINVAL, "cti_span_find: NULL argument");
	for (int i = 1; i <= ctx->nspans; i++)
		if (!strcmp(ctx->spans[i]->cfg.name, name))
			return i;
	return cti__error(CTI_ENOENT, "cti_span_find: no span named '%s'", name);
}

const cti_span_config_t *cti__span_config(cti_ctx_t *ctx, int span)
{
	if (!ctx || span < 1 || span > ctx->nspans)
		return NULL;
	return &ctx->spans[span]->cfg;
}

int cti__span_dchan_up(cti_ctx_t *ctx, int span)
{
	if (!ctx || span < 1 || span > ctx->nspans)
		return 0;
	return ctx->spans[span]->dchan_up;
}

void cti__span_chan_states(cti_ctx_t *ctx, int span, char *out, size_t size)
{
	struct core_span *sp;
	size_t n = 0;

	if (!out || !size)
		return;
	out[0] = 0;
	if (!ctx || span < 1 || span > ctx->nspans)
		return;
	sp = ctx->spans[span];
	for (int ch = 1; ch <= sp->maxchan && n + 1 < size; ch++) {
		char c;

		if (sp->cfg.signalling == CTI_SIG_PRI && ch == sp->cfg.dchannel)
			c = 'D';
		else if (!(sp->bmask & (1u << ch)))
			c = '-';
		else if (!sp->in_service)
			c = 'X';
		else if (sp->chan_call[ch])
			c = 'B';
		else
			c = '.';
		out[n++] = c;
	}
	out[n] = 0;
}

struct core_span *cti__span(cti_ctx_t *ctx, const char *fn, int span)
{
	if (!ctx || span < 1 || span > ctx->nspans) {
		cti__error(CTI_ENOENT, "%s: no span %d in this context", fn, span);
		return NULL;
	}
	return ctx->spans[span];
}

const struct cti_transport_ops *cti__span_ops(struct core_span *sp)
{
	return sp->ops;
}

struct core_transport *cti__cable_board(cti_ctx_t *ctx, const char *fn)
{
	char why[CORE_NTRANSPORTS][160], msg[400];
	size_t used = 0;

	for (int k = 0; k < CORE_NTRANSPORTS; k++) {
		struct core_transport *tp = &ctx->tp[k];

		why[k][0] = 0;
		if (tp->ops->cable_ports && tp->ops->cable_ports(tp, why[k], sizeof(why[k])) > 0)
			return tp;
	}
	msg[0] = 0;
	for (int k = 0; k < CORE_NTRANSPORTS && used < sizeof(msg); k++)
		if (why[k][0])
			used += (size_t)snprintf(msg + used, sizeof(msg) - used, "%s%s", used ? " and " : "", why[k]);
	cti__error(CTI_ENOTSUP, "%s: no emulated board: %s", fn, msg);
	return NULL;
}

const char *cti_event_name(int type)
{
	static const char *const names[] = {
		[CTI_EV_DCHAN_UP] = "DCHAN_UP", [CTI_EV_DCHAN_DOWN] = "DCHAN_DOWN", [CTI_EV_ALARM] = "ALARM",
		[CTI_EV_RESTART] = "RESTART", [CTI_EV_CALL_OFFERED] = "CALL_OFFERED", [CTI_EV_CALL_INFO] = "CALL_INFO",
		[CTI_EV_CALL_PROCEEDING] = "CALL_PROCEEDING", [CTI_EV_CALL_ALERTING] = "CALL_ALERTING",
		[CTI_EV_CALL_PROGRESS] = "CALL_PROGRESS", [CTI_EV_CALL_ANSWERED] = "CALL_ANSWERED",
		[CTI_EV_CALL_CONNECTED] = "CALL_CONNECTED", [CTI_EV_CALL_HANGUP] = "CALL_HANGUP",
		[CTI_EV_CALL_RELEASED] = "CALL_RELEASED", [CTI_EV_DIGIT] = "DIGIT", [CTI_EV_TONE] = "TONE",
		[CTI_EV_OP_DONE] = "OP_DONE", [CTI_EV_CPA_DONE] = "CPA_DONE", [CTI_EV_FAX_PHASE_B] = "FAX_PHASE_B",
		[CTI_EV_FAX_PAGE] = "FAX_PAGE", [CTI_EV_FAX_DONE] = "FAX_DONE", [CTI_EV_TRACE] = "TRACE",
		[CTI_EV_TIMER] = "TIMER",
	};

	if (type >= CTI_EV_HOLD_REQUEST)
		return core_suppl_event_name(type);	/* suppl.c */
	if (type < 1 || type > CTI_EV_TIMER || !names[type])
		return "UNKNOWN";
	return names[type];
}
