// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * maint.c - line maintenance API of libcti (cti.h "Line maintenance"):
 * span status and counters, loopbacks, T1 loop codes, defect injection,
 * BERT and the emulated board's cables.
 *
 * It checks the arguments and the span's configuration, then calls the
 * span's transport (lib/core/transport.h: sim = the firmware engine,
 * dahdi = DAHDI ioctls and the ctitdm sysfs files); it knows neither.
 * It keeps no state of its own: what a transport must remember (the DAHDI
 * loopback and BERT baseline, the sim board's broken receive pairs) lives
 * in that transport's state and dies with the context.
 *
 * Alarm names follow G.775 / T1.231 usage: LOS and LOF (loss of frame
 * alignment) are the RED alarm, AIS the BLUE alarm, RAI the YELLOW alarm.
 */
#include <stdio.h>
#include <string.h>

#include "../internal.h"
#include "../core/transport.h"

/* ------------------------------------------------------------------ */
/* helpers                                                              */

const char *cti_alarm_text(uint32_t alarms, char *buf, size_t size)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ CTI_ALARM_LOS, "LOS" },
		{ CTI_ALARM_LOF, "LOF" },
		{ CTI_ALARM_AIS, "BLUE" },
		{ CTI_ALARM_RAI, "YELLOW" },
		{ CTI_ALARM_LMFA, "LMFA" },
		{ CTI_ALARM_RECOVER, "RECOVERING" },
		{ CTI_ALARM_LOOPBACK, "LOOPBACK" },
		{ CTI_ALARM_NOTOPEN, "NOTOPEN" },
	};
	size_t used = 0;

	if (!buf || size == 0)
		return "";
	buf[0] = '\0';
	/* RED is the consequent action of LOS or LOF (G.775 / T1.231). */
	if (alarms & (CTI_ALARM_LOS | CTI_ALARM_LOF))
		used += (size_t)snprintf(buf, size, "RED");
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (!(alarms & names[i].bit) || used >= size)
			continue;
		used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? " " : "", names[i].name);
	}
	if (!used)
		snprintf(buf, size, "OK");
	return buf;
}

/* The span's transport has no such operation. */
static int no_op(const char *fn, int span)
{
	return cti__error(CTI_ENOTSUP, "%s: span %d: its transport has no such maintenance operation", fn, span);
}

#define SPAN_OP(sp, op) (cti__span_ops(sp)->op)

/* ------------------------------------------------------------------ */
/* status and counters                                                  */

/* Bits of a timeslot mask (bit n = channel n) valid on a line type. */
static uint32_t line_slots(enum cti_line line)
{
	return line == CTI_LINE_T1 ? 0x01fffffeu : 0xfffffffeu;
}

/* B-channels of a span as a slot mask (for BERT "all"). */
static uint32_t span_bchan_mask(const cti_span_config_t *sc)
{
	int max = sc->line == CTI_LINE_T1 ? 24 : 31;
	uint32_t m = line_slots(sc->line);

	if (sc->signalling == CTI_SIG_NONE)
		return m;
	if (sc->bchannels[0] && cti_parse_channels(sc->bchannels, max, &m) == 0)
		return m;
	m = line_slots(sc->line);
	m &= ~(1u << (sc->dchannel ? sc->dchannel : (sc->line == CTI_LINE_T1 ? 24 : 16)));
	return m;
}

static void status_common(cti_ctx_t *ctx, int span, const cti_span_config_t *sc, cti_span_status_t *st)
{
	memset(st, 0, sizeof(*st));
	st->index = span;
	snprintf(st->name, sizeof(st->name), "%s", sc->name);
	st->transport = sc->transport;
	st->port = sc->port;
	st->line = sc->line;
	st->framing = sc->framing;
	st->coding = sc->coding;
	st->signalling = sc->signalling;
	st->dchan_up = cti__span_dchan_up(ctx, span);
	st->nchannels = sc->line == CTI_LINE_T1 ? 24 : 31;
}

static int span_status_full(cti_ctx_t *ctx, int span, cti_span_status_t *st);

/* Sized public entry points (see "ABI" in cti.h): full structs inside, the caller's size outside. */
int cti_span_status_sized(cti_ctx_t *ctx, int span, cti_span_status_t *st, size_t size)
{
	cti_span_status_t full;
	int r;

	if (!st)
		return cti__error(CTI_EINVAL, "cti_span_status: NULL status");
	memset(&full, 0, sizeof(full));
	r = span_status_full(ctx, span, &full);
	cti__abi_out(st, size, &full, sizeof(full), "cti_span_status", "cti_span_status_t");
	return r;
}

static int span_status_full(cti_ctx_t *ctx, int span, cti_span_status_t *st)
{
	static const char fn[] = "cti_span_status";
	const cti_span_config_t *sc;
	struct core_span *sp;
	int r;

	if (!ctx || !st)
		return cti__error(CTI_EINVAL, "%s: NULL %s", fn, ctx ? "status" : "context");
	cti__lock(ctx);
	sp = cti__span(ctx, fn, span);
	if (!sp) {
		r = CTI_ENOENT;
		goto out;
	}
	sc = cti__span_config(ctx, span);
	status_common(ctx, span, sc, st);
	r = SPAN_OP(sp, status) ? SPAN_OP(sp, status)(sp, fn, st) : no_op(fn, span);
	if (r < 0)
		goto out;
	cti__span_chan_states(ctx, span, st->chan_state, sizeof(st->chan_state));
out:
	cti__unlock(ctx);
	return r;
}

int cti_span_reset_counters(cti_ctx_t *ctx, int span)
{
	static const char fn[] = "cti_span_reset_counters";
	struct core_span *sp;
	int r = CTI_ENOENT;

	if (!ctx)
		return cti__error(CTI_EINVAL, "%s: NULL context", fn);
	cti__lock(ctx);
	sp = cti__span(ctx, fn, span);
	if (sp)
		r = SPAN_OP(sp, reset_counters) ? SPAN_OP(sp, reset_counters)(sp, fn) : no_op(fn, span);
	cti__unlock(ctx);
	return r;
}

/* ------------------------------------------------------------------ */
/* loopbacks, loop codes, injection                                     */

int cti_span_loopback(cti_ctx_t *ctx, int span, enum cti_loopback mode)
{
	static const char fn[] = "cti_span_loopback";
	struct core_span *sp;
	int r = CTI_ENOENT;

	if (!ctx)
		return cti__error(CTI_EINVAL, "%s: NULL context", fn);
	if ((int)mode < CTI_LOOP_NONE || mode > CTI_LOOP_NETWORK_PAYLOAD)
		return cti__error(CTI_EINVAL, "%s: mode %d (accepted: 0 none, 1 local, "
				  "2 network line, 3 network payload)", fn, (int)mode);
	cti__lock(ctx);
	sp = cti__span(ctx, fn, span);
	if (sp)
		r = SPAN_OP(sp, loopback) ? SPAN_OP(sp, loopback)(sp, fn, mode) : no_op(fn, span);
	cti__unlock(ctx);
	return r;
}

int cti_span_loopcode(cti_ctx_t *ctx, int span, int up)
{
	static const char fn[] = "cti_span_loopcode";
	const cti_span_config_t *sc;
	struct core_span *sp;
	int r = CTI_ENOENT;

	if (!ctx)
		return cti__error(CTI_EINVAL, "%s: NULL context", fn);
	if (up < -1 || up > 1)
		return cti__error(CTI_EINVAL, "%s: code %d (accepted: 1 loop-up, 0 loop-down, "
				  "-1 stop sending)", fn, up);
	cti__lock(ctx);
	sp = cti__span(ctx, fn, span);
	if (!sp)
		goto out;
	sc = cti__span_config(ctx, span);
	if (sc->line != CTI_LINE_T1) {
		r = cti__error(CTI_ENOTSUP, "%s: span %d (%s) is E1: in-band loop codes are "
			       "T1 only (T1.403 9.3.1)", fn, span, sc->name);
		goto out;
	}
	r = SPAN_OP(sp, loopcode) ? SPAN_OP(sp, loopcode)(sp, fn, up) : no_op(fn, span);
out:
	cti__unlock(ctx);
	return r;
}

/* E1 and T1 both carry 8000 frames a second: the highest injection rate is one per frame. */
#define FRAMES_PER_SEC 8000

int cti_span_inject(cti_ctx_t *ctx, int span, enum cti_inject what, uint32_t count, uint32_t per_second)
{
	static const char fn[] = "cti_span_inject";
	const cti_span_config_t *sc;
	struct core_span *sp;
	int r = CTI_ENOENT;

	if (!ctx)
		return cti__error(CTI_EINVAL, "%s: NULL context", fn);
	if ((int)what < CTI_INJ_FAS || what > CTI_INJ_BPV)
		return cti__error(CTI_EINVAL, "%s: error kind %d (accepted: 0 fas, 1 mfas, 2 crc, "
				  "3 cas, 4 prbs, 5 bpv)", fn, (int)what);
	if (count && per_second)
		return cti__error(CTI_EINVAL, "%s: give a count (%u) or a rate (%u/s), not both", fn,
				  count, per_second);
	if (per_second > FRAMES_PER_SEC)
		return cti__error(CTI_EINVAL, "%s: rate %u/s above one per frame (max %d/s)", fn,
				  per_second, FRAMES_PER_SEC);
	cti__lock(ctx);
	sp = cti__span(ctx, fn, span);
	if (!sp)
		goto out;
	sc = cti__span_config(ctx, span);
	if (what == CTI_INJ_CRC && (sc->framing == CTI_FRAMING_NOCRC4 || sc->framing == CTI_FRAMING_D4)) {
		r = cti__error(CTI_ENOTSUP, "%s: span %d (%s): framing %s carries no CRC "
			       "(CRC-4 needs crc4, CRC-6 needs esf)", fn, span, sc->name,
			       sc->framing == CTI_FRAMING_D4 ? "d4" : "nocrc4");
		goto out;
	}
	r = SPAN_OP(sp, inject) ? SPAN_OP(sp, inject)(sp, fn, what, count, per_second) : no_op(fn, span);
out:
	cti__unlock(ctx);
	return r;
}

/* ------------------------------------------------------------------ */
/* BERT (O.150 patterns; results per G.821)                             */

int cti_bert_start(cti_ctx_t *ctx, int span, enum cti_prbs pattern, uint32_t slot_mask)
{
	static const char fn[] = "cti_bert_start";
	const cti_span_config_t *sc;
	struct core_span *sp;
	uint32_t mask = slot_mask;
	int all = slot_mask == 0xffffffffu;
	int r = CTI_ENOENT;

	if (!ctx)
		return cti__error(CTI_EINVAL, "%s: NULL context", fn);
	if ((int)pattern < CTI_PRBS_2E11 || pattern > CTI_PRBS_2E23)
		return cti__error(CTI_EINVAL, "%s: pattern %d (accepted: 1 2^11-1, 2 2^15-1, "
				  "3 2^20-1, 4 QRSS, 5 2^23-1)", fn, (int)pattern);
	cti__lock(ctx);
	sp = cti__span(ctx, fn, span);
	if (!sp)
		goto out;
	sc = cti__span_config(ctx, span);
	if (all) {
		mask = span_bchan_mask(sc);
	} else if (mask & ~line_slots(sc->line)) {
		r = cti__error(CTI_EINVAL, "%s: slot mask 0x%08x has channels outside %s (1-%d)", fn,
			       mask, sc->line == CTI_LINE_T1 ? "T1" : "E1", sc->line == CTI_LINE_T1 ? 24 : 31);
		goto out;
	}
	if (!SPAN_OP(sp, bert_start)) {
		r = no_op(fn, span);
		goto out;
	}
	r = SPAN_OP(sp, bert_check) ? SPAN_OP(sp, bert_check)(sp, fn, pattern, all) : 0;
	if (r < 0)
		goto out;
	/* the test pattern takes the B-channels: call service stops until cti_bert_stop() */
	if (sc->signalling == CTI_SIG_PRI) {
		r = cti__span_set_service(ctx, span, 0);
		if (r < 0)
			goto out;
	}
	r = SPAN_OP(sp, bert_start)(sp, fn, pattern, mask);
	if (r < 0 && sc->signalling == CTI_SIG_PRI)
		cti__span_set_service(ctx, span, 1);
out:
	cti__unlock(ctx);
	return r;
}

static int bert_status_full(cti_ctx_t *ctx, int span, cti_bert_status_t *st);

int cti_bert_status_sized(cti_ctx_t *ctx, int span, cti_bert_status_t *st, size_t size)
{
	cti_bert_status_t full;
	int r;

	if (!st)
		return cti__error(CTI_EINVAL, "cti_bert_status: NULL status");
	memset(&full, 0, sizeof(full));
	r = bert_status_full(ctx, span, &full);
	cti__abi_out(st, size, &full, sizeof(full), "cti_bert_status", "cti_bert_status_t");
	return r;
}

static int bert_status_full(cti_ctx_t *ctx, int span, cti_bert_status_t *st)
{
	static const char fn[] = "cti_bert_status";
	struct core_span *sp;
	int r = CTI_ENOENT;

	if (!ctx || !st)
		return cti__error(CTI_EINVAL, "%s: NULL %s", fn, ctx ? "status" : "context");
	memset(st, 0, sizeof(*st));
	cti__lock(ctx);
	sp = cti__span(ctx, fn, span);
	if (sp)
		r = SPAN_OP(sp, bert_status) ? SPAN_OP(sp, bert_status)(sp, fn, st) : no_op(fn, span);
	cti__unlock(ctx);
	return r;
}

int cti_bert_stop(cti_ctx_t *ctx, int span)
{
	static const char fn[] = "cti_bert_stop";
	const cti_span_config_t *sc;
	struct core_span *sp;
	int r = CTI_ENOENT, running = 0;

	if (!ctx)
		return cti__error(CTI_EINVAL, "%s: NULL context", fn);
	cti__lock(ctx);
	sp = cti__span(ctx, fn, span);
	if (!sp)
		goto out;
	sc = cti__span_config(ctx, span);
	if (!SPAN_OP(sp, bert_stop)) {
		r = no_op(fn, span);
		goto out;
	}
	r = SPAN_OP(sp, bert_stop)(sp, fn, &running);
	if (!running) {
		r = cti__error(CTI_ENOENT, "%s: span %d (%s): no BERT running", fn, span, sc->name);
		goto out;
	}
	if (sc->signalling == CTI_SIG_PRI) {
		int r2 = cti__span_set_service(ctx, span, 1);

		if (r == 0)
			r = r2;
	}
out:
	cti__unlock(ctx);
	return r;
}

/* ------------------------------------------------------------------ */
/* emulated cables: the sim board, or the ctitdm kernel board            */

/*
 * The context's board is the first transport with ports (cti__cable_board):
 * the sim board when a span uses it, else the ctitdm board in sysfs.
 */
#define CABLE_OP(ctx, fn, op, ...)                                                              \
	do {                                                                                    \
		struct core_transport *tp_;                                                      \
                                                                                                \
		if (!(ctx))                                                                     \
			return cti__error(CTI_EINVAL, "%s: NULL context", fn);                  \
		cti__lock(ctx);                                                                 \
		tp_ = cti__cable_board(ctx, fn);                                                \
		r = !tp_ ? CTI_ENOTSUP : tp_->ops->op ? tp_->ops->op(tp_, fn, __VA_ARGS__)      \
						     : cti__error(CTI_ENOTSUP, "%s: not supported " \
								  "by the %s board", fn,        \
								  tp_->ops->name);              \
		cti__unlock(ctx);                                                               \
	} while (0)

int cti_cable_connect(cti_ctx_t *ctx, int port_a, int port_b)
{
	int r;

	CABLE_OP(ctx, "cti_cable_connect", cable_connect, port_a, port_b);
	return r;
}

int cti_cable_cut(cti_ctx_t *ctx, int port)
{
	int r;

	CABLE_OP(ctx, "cti_cable_cut", cable_cut, port);
	return r;
}

int cti_cable_peer(cti_ctx_t *ctx, int port)
{
	int r;

	CABLE_OP(ctx, "cti_cable_peer", cable_peer, port);
	return r;
}

static int cable_set_faults_full(cti_ctx_t *ctx, int port, const cti_line_faults_t *f);

int cti_cable_set_faults_sized(cti_ctx_t *ctx, int port, const cti_line_faults_t *f, size_t size)
{
	cti_line_faults_t full;

	if (!f)
		return cti__error(CTI_EINVAL, "cti_cable_set_faults: NULL %s", ctx ? "faults" : "context");
	memset(&full, 0, sizeof(full));	/* fields the caller does not know: no fault */
	memcpy(&full, f, size < sizeof(full) ? size : sizeof(full));
	return cable_set_faults_full(ctx, port, &full);
}

static int cable_set_faults_full(cti_ctx_t *ctx, int port, const cti_line_faults_t *f)
{
	static const char fn[] = "cti_cable_set_faults";
	int r;

	if (!ctx || !f)
		return cti__error(CTI_EINVAL, "%s: NULL %s", fn, ctx ? "faults" : "context");
	if (!(f->ber >= 0.0 && f->ber <= 0.5))
		return cti__error(CTI_EINVAL, "%s: ber %g out of range (0 .. 0.5)", fn, f->ber);
	if (f->ppm < -1000 || f->ppm > 1000)
		return cti__error(CTI_EINVAL, "%s: ppm %d out of range (-1000 .. 1000)", fn, f->ppm);
	if (f->burst_bits < 0 || f->burst_bits > 1000000)
		return cti__error(CTI_EINVAL, "%s: burst_bits %d out of range (0 .. 1000000)", fn, f->burst_bits);
	CABLE_OP(ctx, fn, cable_set_faults, port, f);
	return r;
}

static int cable_get_faults_full(cti_ctx_t *ctx, int port, cti_line_faults_t *f);

int cti_cable_get_faults_sized(cti_ctx_t *ctx, int port, cti_line_faults_t *f, size_t size)
{
	cti_line_faults_t full;
	int r;

	if (!f)
		return cti__error(CTI_EINVAL, "cti_cable_get_faults: NULL %s", ctx ? "faults" : "context");
	memset(&full, 0, sizeof(full));
	r = cable_get_faults_full(ctx, port, &full);
	cti__abi_out(f, size, &full, sizeof(full), "cti_cable_get_faults", "cti_line_faults_t");
	return r;
}

static int cable_get_faults_full(cti_ctx_t *ctx, int port, cti_line_faults_t *f)
{
	static const char fn[] = "cti_cable_get_faults";
	int r;

	if (!ctx || !f)
		return cti__error(CTI_EINVAL, "%s: NULL %s", fn, ctx ? "faults" : "context");
	memset(f, 0, sizeof(*f));
	CABLE_OP(ctx, fn, cable_get_faults, port, f);
	return r;
}
