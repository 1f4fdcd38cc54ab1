// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * maint.c - line maintenance API of libcti (cti.h "Line maintenance"):
 * span status and counters, loopbacks, T1 loop codes, defect injection,
 * BERT and the emulated board's cables.
 *
 * Two back ends:
 *   sim    the firmware engine port hosted by core (cti__sim_port), driven
 *          directly with ctifw_* under the context lock;
 *   dahdi  DAHDI_SPANSTAT / DAHDI_MAINT ioctls on the control fd
 *          (cti__dahdi_ctl), as dahdi_maint and dahdi_tool do.
 *
 * Alarm names follow G.775 / T1.231 usage: LOS and LOF (loss of frame
 * alignment) are the RED alarm, AIS the BLUE alarm, RAI the YELLOW alarm.
 */
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <dahdi/user.h>

#include "../internal.h"	/* declares struct ctifw_port before ctifw.h uses it */
#include "ctifw.h"

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

/* Span config and back end for span, or an error naming fn. */
static int span_get(cti_ctx_t *ctx, const char *fn, int span, const cti_span_config_t **scp,
		    struct ctifw_port **portp)
{
	const cti_span_config_t *sc = cti__span_config(ctx, span);

	if (!sc)
		return cti__error(CTI_ENOENT, "%s: no span %d in this context", fn, span);
	*scp = sc;
	*portp = NULL;
	if (sc->transport == CTI_TRANSPORT_SIM) {
		*portp = cti__sim_port(ctx, sc->port);
		if (!*portp)
			return cti__error(CTI_ENOENT, "%s: span %d (%s): sim port %d does not exist", fn, span,
					  sc->name, sc->port);
	}
	return 0;
}

static int dahdi_fd(cti_ctx_t *ctx, const char *fn)
{
	int fd = cti__dahdi_ctl(ctx);

	if (fd < 0)
		return cti__error(CTI_EIO, "%s: cannot open /dev/dahdi/ctl", fn);
	return fd;
}

static int dahdi_maint(cti_ctx_t *ctx, const char *fn, const cti_span_config_t *sc, int command)
{
	struct dahdi_maintinfo mi;
	int fd = dahdi_fd(ctx, fn);

	if (fd < 0)
		return fd;
	memset(&mi, 0, sizeof(mi));
	mi.spanno = sc->port;
	mi.command = command;
	if (ioctl(fd, DAHDI_MAINT, &mi) < 0) {
		int e = errno;

		if (e == ENOSYS || e == EOPNOTSUPP)
			return cti__error(CTI_ENOTSUP, "%s: DAHDI span %d: the driver does not support "
					  "maintenance command %d", fn, sc->port, command);
		return cti__error(CTI_EIO, "%s: DAHDI_MAINT(span %d, command %d): %s", fn, sc->port, command,
				  strerror(e));
	}
	return 0;
}

static int dahdi_spanstat(cti_ctx_t *ctx, const char *fn, int spanno, struct dahdi_spaninfo *si)
{
	int fd = dahdi_fd(ctx, fn);

	if (fd < 0)
		return fd;
	memset(si, 0, sizeof(*si));
	si->spanno = spanno;
	if (ioctl(fd, DAHDI_SPANSTAT, si) < 0)
		return cti__error(CTI_EIO, "%s: DAHDI_SPANSTAT(span %d): %s", fn, spanno, strerror(errno));
	return 0;
}

/* Timing slips appear only in /proc/dahdi/<span> ("Timing slips: N"). */
static uint32_t dahdi_proc_slips(int spanno)
{
	char path[64], line[256];
	unsigned int n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/dahdi/%d", spanno);
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, " Timing slips: %u", &n) == 1)
			break;
	fclose(f);
	return n;
}

/*
 * State the DAHDI back end cannot read back from the kernel: the loopback
 * we set and the BERT baseline (DAHDI counts bit errors in becount since
 * the last counter reset and has no bit count). One per DAHDI span touched.
 */
struct dahdi_state {
	struct dahdi_state *next;
	int spanno;
	int loopback;
	int bert_running;
	uint64_t bert_start_ms;
	uint32_t bert_be0;
	uint32_t bert_es0;
	uint32_t bert_mask;
	enum cti_line line;
};

/* A sim board port with a broken receive pair (cti_cable_set_faults los). */
struct los_state {
	struct los_state *next;
	int port;
	int dark;			/* port number whose transmitter we switched off, 0 if none */
};

/*
 * lib/maint's state of one context, kept in the context (cti__maint_slot)
 * and freed by cti_close(): it dies with its context, so a context opened
 * later at the same address starts clean. Touched only with the context lock.
 */
struct maint_ctx {
	struct dahdi_state *dahdi;
	struct los_state *los;
};

/* The context's state; allocated on first use if create (NULL: none / no memory). Lock held. */
static struct maint_ctx *maint_get(cti_ctx_t *ctx, int create)
{
	struct maint_ctx **slot = cti__maint_slot(ctx);

	if (!*slot && create)
		*slot = calloc(1, sizeof(**slot));
	return *slot;
}

void maint_ctx_free(struct maint_ctx *m)
{
	if (!m)
		return;
	while (m->dahdi) {
		struct dahdi_state *ds = m->dahdi;

		m->dahdi = ds->next;
		free(ds);
	}
	while (m->los) {
		struct los_state *ls = m->los;

		m->los = ls->next;
		free(ls);
	}
	free(m);
}

/* State of DAHDI span spanno, created zeroed if create (NULL: none / no memory). Lock held. */
static struct dahdi_state *dstate_get(cti_ctx_t *ctx, int spanno, int create)
{
	struct maint_ctx *m = maint_get(ctx, create);
	struct dahdi_state *ds;

	if (!m)
		return NULL;
	for (ds = m->dahdi; ds; ds = ds->next)
		if (ds->spanno == spanno)
			return ds;
	if (!create)
		return NULL;
	ds = calloc(1, sizeof(*ds));
	if (!ds)
		return NULL;
	ds->spanno = spanno;
	ds->next = m->dahdi;
	m->dahdi = ds;
	return ds;
}

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

/* ctitdm sysfs helpers (defined with the cables below) */
static int ctitdm_dir_of_span(int spanno, char *dir, size_t size);
static int ctitdm_kv(const char *dir, const char *name, const char *key, long long *v);

/* ------------------------------------------------------------------ */
/* status and counters                                                  */

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

/*
 * A DAHDI span of our ctitdm board: the engine's own view from sysfs is
 * complete (every counter, seconds, the loopback actually set).
 */
static void ctitdm_status(int spanno, cti_span_status_t *st)
{
	static const struct { const char *key; size_t off; } keys[] = {
		{ "fas", offsetof(cti_counters_t, fas) }, { "mfas", offsetof(cti_counters_t, mfas) },
		{ "crc", offsetof(cti_counters_t, crc) }, { "ebit", offsetof(cti_counters_t, ebit) },
		{ "cv", offsetof(cti_counters_t, cv) }, { "bpv", offsetof(cti_counters_t, bpv) },
		{ "slips", offsetof(cti_counters_t, slips) }, { "es", offsetof(cti_counters_t, es) },
		{ "ses", offsetof(cti_counters_t, ses) }, { "uas", offsetof(cti_counters_t, uas) },
		{ "seconds", offsetof(cti_counters_t, seconds) },
		{ "prbs_errors", offsetof(cti_counters_t, prbs_errors) },
	};
	static const char *const loops[] = { "none", "local", "network_line", "network_payload" };
	char dir[PATH_MAX], buf[32];
	FILE *f;
	long long v;

	if (ctitdm_dir_of_span(spanno, dir, sizeof(dir)) < 0)
		return;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (ctitdm_kv(dir, "counters", keys[i].key, &v) == 0)
			*(uint32_t *)((char *)&st->counters + keys[i].off) = (uint32_t)v;
	buf[0] = '\0';
	{
		char path[PATH_MAX + 16];

		snprintf(path, sizeof(path), "%s/loopback", dir);
		f = fopen(path, "r");
		if (f) {
			if (fscanf(f, "%31s", buf) == 1)
				for (int i = 0; i < 4; i++)
					if (!strcmp(buf, loops[i]))
						st->loopback = i;
			fclose(f);
		}
	}
}

/*
 * The sim board's ports run from one board clock; a user (CPE) side span
 * recovers timing from the network, so the first healthy user side span
 * is the timing source, as DAHDI would pick by span priority.
 */
static int sim_timing_source(cti_ctx_t *ctx, int span)
{
	for (int i = 1; i <= span; i++) {
		const cti_span_config_t *sc = cti__span_config(ctx, i);
		struct ctifw_port *p;

		if (!sc || sc->transport != CTI_TRANSPORT_SIM || sc->role != CTI_ROLE_USER)
			continue;
		p = cti__sim_port(ctx, sc->port);
		if (!p || (ctifw_port_alarms(p) & (CTIFW_ALARM_LOS | CTIFW_ALARM_LOF | CTIFW_ALARM_AIS)))
			continue;
		return i == span;
	}
	return 0;
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
	const cti_span_config_t *sc;
	struct ctifw_port *p;
	int r;

	if (!ctx || !st)
		return cti__error(CTI_EINVAL, "cti_span_status: NULL %s", ctx ? "status" : "context");
	cti__lock(ctx);
	r = span_get(ctx, "cti_span_status", span, &sc, &p);
	if (r < 0)
		goto out;
	status_common(ctx, span, sc, st);
	if (p) {
		struct ctifw_counters c;

		ctifw_port_get_counters(p, &c);
		st->alarms = cti__sim_port_alarms(p);
		st->loopback = (int)ctifw_port_get_loopback(p);
		st->counters.fas = c.fas;
		st->counters.mfas = c.mfas;
		st->counters.crc = c.crc;
		st->counters.ebit = c.ebit;
		st->counters.cv = c.cv;
		st->counters.bpv = c.bpv;
		st->counters.slips = c.slips;
		st->counters.es = c.es;
		st->counters.ses = c.ses;
		st->counters.uas = c.uas;
		st->counters.seconds = c.seconds;
		st->counters.prbs_errors = c.prbs_errors;
		st->timing_source = sim_timing_source(ctx, span);
	} else {
		struct dahdi_spaninfo si;
		struct dahdi_state *ds;

		r = dahdi_spanstat(ctx, "cti_span_status", sc->port, &si);
		if (r < 0)
			goto out;
		st->alarms = cti__alarms_from_dahdi(si.alarms);
		st->counters.fas = si.fascount ? (uint32_t)si.fascount : si.fecount;
		st->counters.crc = (uint32_t)si.crc4count;
		st->counters.ebit = (uint32_t)si.ebitcount;
		st->counters.cv = si.cvcount;
		st->counters.bpv = (uint32_t)si.bpvcount;
		st->counters.es = si.errsec;
		st->counters.prbs_errors = si.becount;
		st->counters.slips = dahdi_proc_slips(sc->port);
		st->timing_source = si.syncsrc == sc->port;
		if (si.totalchans > 0 && si.totalchans <= 32)
			st->nchannels = si.totalchans;
		ds = dstate_get(ctx, sc->port, 0);
		if (si.alarms & DAHDI_ALARM_LOOPBACK)
			st->loopback = ds && ds->loopback ? ds->loopback : CTI_LOOP_LOCAL;
		ctitdm_status(sc->port, st);
	}
	cti__span_chan_states(ctx, span, st->chan_state, sizeof(st->chan_state));
	r = 0;
out:
	cti__unlock(ctx);
	return r;
}

int cti_span_reset_counters(cti_ctx_t *ctx, int span)
{
	const cti_span_config_t *sc;
	struct ctifw_port *p;
	int r;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_span_reset_counters: NULL context");
	cti__lock(ctx);
	r = span_get(ctx, "cti_span_reset_counters", span, &sc, &p);
	if (r == 0) {
		if (p)
			ctifw_port_reset_counters(p);
		else
			r = dahdi_maint(ctx, "cti_span_reset_counters", sc, DAHDI_RESET_COUNTERS);
	}
	cti__unlock(ctx);
	return r;
}

/* ------------------------------------------------------------------ */
/* loopbacks, loop codes, injection                                     */

int cti_span_loopback(cti_ctx_t *ctx, int span, enum cti_loopback mode)
{
	static const int dahdi_cmd[] = {
		[CTI_LOOP_NONE] = DAHDI_MAINT_NONE,
		[CTI_LOOP_LOCAL] = DAHDI_MAINT_LOCALLOOP,
		[CTI_LOOP_NETWORK_LINE] = DAHDI_MAINT_NETWORKLINELOOP,
		[CTI_LOOP_NETWORK_PAYLOAD] = DAHDI_MAINT_NETWORKPAYLOADLOOP,
	};
	const cti_span_config_t *sc;
	struct ctifw_port *p;
	int r;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_span_loopback: NULL context");
	if ((int)mode < CTI_LOOP_NONE || mode > CTI_LOOP_NETWORK_PAYLOAD)
		return cti__error(CTI_EINVAL, "cti_span_loopback: mode %d (accepted: 0 none, 1 local, "
				  "2 network line, 3 network payload)", (int)mode);
	cti__lock(ctx);
	r = span_get(ctx, "cti_span_loopback", span, &sc, &p);
	if (r == 0) {
		if (p) {
			ctifw_port_set_loopback(p, (enum ctifw_loopback)mode);
		} else {
			r = dahdi_maint(ctx, "cti_span_loopback", sc, dahdi_cmd[mode]);
			if (r == 0) {
				struct dahdi_state *ds;

				ds = dstate_get(ctx, sc->port, 1);
				if (ds)
					ds->loopback = mode;
			}
		}
	}
	cti__unlock(ctx);
	return r;
}

int cti_span_loopcode(cti_ctx_t *ctx, int span, int up)
{
	const cti_span_config_t *sc;
	struct ctifw_port *p;
	int r;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_span_loopcode: NULL context");
	if (up < -1 || up > 1)
		return cti__error(CTI_EINVAL, "cti_span_loopcode: code %d (accepted: 1 loop-up, 0 loop-down, "
				  "-1 stop sending)", up);
	cti__lock(ctx);
	r = span_get(ctx, "cti_span_loopcode", span, &sc, &p);
	if (r < 0)
		goto out;
	if (sc->line != CTI_LINE_T1) {
		r = cti__error(CTI_ENOTSUP, "cti_span_loopcode: span %d (%s) is E1: in-band loop codes are "
			       "T1 only (T1.403 9.3.1)", span, sc->name);
		goto out;
	}
	if (p) {
		ctifw_port_send_loopcode(p, up < 0 ? CTIFW_LOOPCODE_NONE :
					 up ? CTIFW_LOOPCODE_UP : CTIFW_LOOPCODE_DOWN);
	} else {
		/*
		 * Drivers stop a code after DAHDI_LOOPCODE_TIME (10 s); NONE ends
		 * it sooner (DAHDI passes NONE on only while a code or loopback is
		 * set, so it is harmless after the code ended by itself).
		 */
		r = dahdi_maint(ctx, "cti_span_loopcode", sc, up < 0 ? DAHDI_MAINT_NONE :
				up ? DAHDI_MAINT_LOOPUP : DAHDI_MAINT_LOOPDOWN);
	}
out:
	cti__unlock(ctx);
	return r;
}

int cti_span_inject(cti_ctx_t *ctx, int span, enum cti_inject what, uint32_t count, uint32_t per_second)
{
	static const int dahdi_cmd[] = {
		[CTI_INJ_FAS] = DAHDI_MAINT_FAS_DEFECT,
		[CTI_INJ_MFAS] = DAHDI_MAINT_MULTI_DEFECT,
		[CTI_INJ_CRC] = DAHDI_MAINT_CRC_DEFECT,
		[CTI_INJ_CAS] = DAHDI_MAINT_CAS_DEFECT,
		[CTI_INJ_PRBS] = DAHDI_MAINT_PRBS_DEFECT,
		[CTI_INJ_BPV] = DAHDI_MAINT_BIPOLAR_DEFECT,
	};
	const cti_span_config_t *sc;
	struct ctifw_port *p;
	int r;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_span_inject: NULL context");
	if ((int)what < CTI_INJ_FAS || what > CTI_INJ_BPV)
		return cti__error(CTI_EINVAL, "cti_span_inject: error kind %d (accepted: 0 fas, 1 mfas, 2 crc, "
				  "3 cas, 4 prbs, 5 bpv)", (int)what);
	if (count && per_second)
		return cti__error(CTI_EINVAL, "cti_span_inject: give a count (%u) or a rate (%u/s), not both",
				  count, per_second);
	if (per_second > CTIFW_FRAMES_PER_SEC)
		return cti__error(CTI_EINVAL, "cti_span_inject: rate %u/s above one per frame (max %d/s)",
				  per_second, CTIFW_FRAMES_PER_SEC);
	cti__lock(ctx);
	r = span_get(ctx, "cti_span_inject", span, &sc, &p);
	if (r < 0)
		goto out;
	if (what == CTI_INJ_CRC && (sc->framing == CTI_FRAMING_NOCRC4 || sc->framing == CTI_FRAMING_D4)) {
		r = cti__error(CTI_ENOTSUP, "cti_span_inject: span %d (%s): framing %s carries no CRC "
			       "(CRC-4 needs crc4, CRC-6 needs esf)", span, sc->name,
			       sc->framing == CTI_FRAMING_D4 ? "d4" : "nocrc4");
		goto out;
	}
	if (p) {
		int e = per_second || !count ? ctifw_port_inject_rate(p, (enum ctifw_inject)what, per_second)
					     : ctifw_port_inject(p, (enum ctifw_inject)what, count);
		if (e < 0)
			r = cti__error(CTI_EINVAL, "cti_span_inject: span %d (%s): the firmware refused "
				       "injection %d (error %d)", span, sc->name, (int)what, -e);
	} else {
		if (per_second) {
			r = cti__error(CTI_ENOTSUP, "cti_span_inject: DAHDI span %d: DAHDI injects single errors "
				       "only (no rate)", sc->port);
			goto out;
		}
		for (uint32_t i = 0; i < count && r == 0; i++)
			r = dahdi_maint(ctx, "cti_span_inject", sc, dahdi_cmd[what]);
	}
out:
	cti__unlock(ctx);
	return r;
}

/* ------------------------------------------------------------------ */
/* BERT (O.150 patterns; results per G.821)                             */

int cti_bert_start(cti_ctx_t *ctx, int span, enum cti_prbs pattern, uint32_t slot_mask)
{
	const cti_span_config_t *sc;
	struct ctifw_port *p;
	uint32_t mask = slot_mask;
	int r;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_bert_start: NULL context");
	if ((int)pattern < CTI_PRBS_2E11 || pattern > CTI_PRBS_2E23)
		return cti__error(CTI_EINVAL, "cti_bert_start: pattern %d (accepted: 1 2^11-1, 2 2^15-1, "
				  "3 2^20-1, 4 QRSS, 5 2^23-1)", (int)pattern);
	cti__lock(ctx);
	r = span_get(ctx, "cti_bert_start", span, &sc, &p);
	if (r < 0)
		goto out;
	if (mask == 0xffffffffu) {
		mask = span_bchan_mask(sc);
	} else if (mask & ~line_slots(sc->line)) {
		r = cti__error(CTI_EINVAL, "cti_bert_start: slot mask 0x%08x has channels outside %s (1-%d)",
			       mask, sc->line == CTI_LINE_T1 ? "T1" : "E1", sc->line == CTI_LINE_T1 ? 24 : 31);
		goto out;
	}
	if (p) {
		struct ctifw_prbs_status ps;

		ctifw_prbs_get_status(p, &ps);
		if (ps.pattern != CTIFW_PRBS_OFF) {
			r = cti__error(CTI_EBUSY, "cti_bert_start: span %d (%s): a BERT is already running",
				       span, sc->name);
			goto out;
		}
		if (sc->signalling == CTI_SIG_PRI) {
			r = cti__span_set_service(ctx, span, 0);
			if (r < 0)
				goto out;
		}
		ctifw_prbs_start(p, (enum ctifw_prbs_pattern)pattern, mask, true, true);
		ctifw_prbs_reset_counts(p);
	} else {
		struct dahdi_spaninfo si;
		struct dahdi_state *ds;

		/*
		 * DAHDI has no pattern or timeslot selection: DAHDI_MAINT_PRBS runs the driver's
		 * pattern on the whole payload (ctitdm: 2^15-1 on E1 per O.151, QRSS on T1).
		 */
		enum cti_prbs drv = sc->line == CTI_LINE_T1 ? CTI_PRBS_QRSS : CTI_PRBS_2E15;

		if (pattern != drv || slot_mask != 0xffffffffu) {
			r = cti__error(CTI_ENOTSUP, "cti_bert_start: DAHDI span %d: DAHDI_MAINT_PRBS runs the "
				       "driver's %s pattern on all timeslots only", sc->port,
				       drv == CTI_PRBS_QRSS ? "QRSS" : "2^15-1");
			goto out;
		}
		r = dahdi_spanstat(ctx, "cti_bert_start", sc->port, &si);
		if (r < 0)
			goto out;
		if (sc->signalling == CTI_SIG_PRI) {
			r = cti__span_set_service(ctx, span, 0);
			if (r < 0)
				goto out;
		}
		r = dahdi_maint(ctx, "cti_bert_start", sc, DAHDI_MAINT_PRBS);
		if (r < 0) {
			if (sc->signalling == CTI_SIG_PRI)
				cti__span_set_service(ctx, span, 1);
			goto out;
		}
		ds = dstate_get(ctx, sc->port, 1);
		if (ds) {
			ds->bert_running = 1;
			ds->bert_start_ms = cti__now_ms(ctx);
			ds->bert_be0 = si.becount;
			ds->bert_es0 = si.errsec;
			ds->bert_mask = mask;
			ds->line = sc->line;
		}
	}
out:
	cti__unlock(ctx);
	return r;
}

static unsigned int popcount32(uint32_t v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
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
	const cti_span_config_t *sc;
	struct ctifw_port *p;
	int r;

	if (!ctx || !st)
		return cti__error(CTI_EINVAL, "cti_bert_status: NULL %s", ctx ? "status" : "context");
	memset(st, 0, sizeof(*st));
	cti__lock(ctx);
	r = span_get(ctx, "cti_bert_status", span, &sc, &p);
	if (r < 0)
		goto out;
	if (p) {
		struct ctifw_prbs_status ps;

		ctifw_prbs_get_status(p, &ps);
		st->running = ps.pattern != CTIFW_PRBS_OFF;
		st->sync = ps.sync;
		st->bits = ps.bits;
		st->errors = ps.errors;
		st->sync_losses = ps.sync_losses;
		st->seconds = ps.seconds;
		st->errored_seconds = ps.errored_seconds;
		st->severely_errored_seconds = ps.severely_errored_seconds;
	} else {
		struct dahdi_spaninfo si;
		struct dahdi_state ds = { 0 }, *dsp;

		dsp = dstate_get(ctx, sc->port, 0);
		if (dsp)
			ds = *dsp;
		if (!ds.bert_running)
			goto out;
		{
			char dir[PATH_MAX];
			long long v[8];
			static const char *const k[8] = { "pattern", "sync", "bits", "errors", "sync_losses",
							  "seconds", "errored_seconds",
							  "severely_errored_seconds" };
			int ok = ctitdm_dir_of_span(sc->port, dir, sizeof(dir)) == 0;

			for (int i = 0; ok && i < 8; i++)
				ok = ctitdm_kv(dir, "prbs", k[i], &v[i]) == 0;
			if (ok) {
				/* ctitdm: the engine's checker status in sysfs */
				st->running = v[0] != 0;
				st->sync = v[1] != 0;
				st->bits = (uint64_t)v[2];
				st->errors = (uint64_t)v[3];
				st->sync_losses = (uint32_t)v[4];
				st->seconds = (uint32_t)v[5];
				st->errored_seconds = (uint32_t)v[6];
				st->severely_errored_seconds = (uint32_t)v[7];
				goto out;
			}
		}
		r = dahdi_spanstat(ctx, "cti_bert_status", sc->port, &si);
		if (r < 0)
			goto out;
		st->running = 1;
		/* Drivers put the framer's PRBS status register in prbs: non-zero = pattern locked. */
		st->sync = si.prbs != 0;
		st->seconds = (uint32_t)((cti__now_ms(ctx) - ds.bert_start_ms) / 1000);
		st->errors = si.becount - ds.bert_be0;
		st->errored_seconds = si.errsec - ds.bert_es0;
		st->bits = (uint64_t)(cti__now_ms(ctx) - ds.bert_start_ms) *
			   (ds.bert_mask ? popcount32(ds.bert_mask) * 64u
					 : (ds.line == CTI_LINE_T1 ? 1544u : 2048u));
	}
out:
	cti__unlock(ctx);
	return r;
}

int cti_bert_stop(cti_ctx_t *ctx, int span)
{
	const cti_span_config_t *sc;
	struct ctifw_port *p;
	int r;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_bert_stop: NULL context");
	cti__lock(ctx);
	r = span_get(ctx, "cti_bert_stop", span, &sc, &p);
	if (r < 0)
		goto out;
	if (p) {
		struct ctifw_prbs_status ps;

		ctifw_prbs_get_status(p, &ps);
		if (ps.pattern == CTIFW_PRBS_OFF) {
			r = cti__error(CTI_ENOENT, "cti_bert_stop: span %d (%s): no BERT running", span, sc->name);
			goto out;
		}
		ctifw_prbs_stop(p);
	} else {
		struct dahdi_state *ds;
		int running;

		ds = dstate_get(ctx, sc->port, 0);
		running = ds && ds->bert_running;
		if (ds)
			ds->bert_running = 0;
		if (!running) {
			r = cti__error(CTI_ENOENT, "cti_bert_stop: span %d (%s): no BERT running", span, sc->name);
			goto out;
		}
		/* DAHDI_MAINT_PRBS is a toggle (DAHDI drops NONE when no loopback was set) */
		r = dahdi_maint(ctx, "cti_bert_stop", sc, DAHDI_MAINT_PRBS);
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
/* emulated cables: the sim board, or the ctitdm kernel board in sysfs    */

/*
 * ctitdm (kernel/ctitdm-sysfs.c, docs/kernel.md): one directory per port,
 * /sys/devices/platform/ctitdm.<board>/port<N>/ with N global and 1-based;
 * peer, tx, ais, ber, burst, ppm are writable. CTI_CTITDM_SYSFS replaces
 * /sys/devices/platform (tests use a directory tree of their own).
 */
static const char *ctitdm_root(void)
{
	const char *r = getenv("CTI_CTITDM_SYSFS");

	return r && *r ? r : "/sys/devices/platform";
}

static int ctitdm_port_dir(int port, char *dir, size_t size)
{
	char pattern[PATH_MAX];
	glob_t g;
	int r = -1;

	snprintf(pattern, sizeof(pattern), "%s/ctitdm.*/port%d", ctitdm_root(), port);
	if (glob(pattern, 0, NULL, &g) == 0 && g.gl_pathc > 0) {
		snprintf(dir, size, "%s", g.gl_pathv[0]);
		r = 0;
	}
	globfree(&g);
	return r;
}

static int ctitdm_nports(void)
{
	char pattern[PATH_MAX];
	glob_t g;
	int n = 0;

	snprintf(pattern, sizeof(pattern), "%s/ctitdm.*/port*", ctitdm_root());
	if (glob(pattern, GLOB_ONLYDIR, NULL, &g) == 0)
		n = (int)g.gl_pathc;
	globfree(&g);
	return n;
}

/* "key value" lines of a sysfs attribute (counters, prbs). */
static int ctitdm_kv(const char *dir, const char *name, const char *key, long long *v)
{
	char path[PATH_MAX + 16], k[64];
	long long val;
	FILE *f;
	int r = -1;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fscanf(f, "%63s %lld", k, &val) == 2)
		if (!strcmp(k, key)) {
			*v = val;
			r = 0;
			break;
		}
	fclose(f);
	return r;
}

static int ctitdm_dir_of_span(int spanno, char *dir, size_t size)
{
	char pattern[PATH_MAX];
	glob_t g;
	int r = -1;

	snprintf(pattern, sizeof(pattern), "%s/ctitdm.*/port*", ctitdm_root());
	if (glob(pattern, GLOB_ONLYDIR, NULL, &g) == 0) {
		for (size_t i = 0; i < g.gl_pathc && r < 0; i++) {
			char path[PATH_MAX + 8];
			FILE *f;
			int s;

			snprintf(path, sizeof(path), "%s/span", g.gl_pathv[i]);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fscanf(f, "%d", &s) == 1 && s == spanno) {
				snprintf(dir, size, "%s", g.gl_pathv[i]);
				r = 0;
			}
			fclose(f);
		}
	}
	globfree(&g);
	return r;
}

static int attr_read(const char *fn, const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return cti__error(CTI_EIO, "%s: %s: %s", fn, path, strerror(errno));
	n = fread(buf, 1, size - 1, f);
	fclose(f);
	buf[n] = '\0';
	while (n && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		buf[--n] = '\0';
	return 0;
}

static int attr_long(const char *fn, const char *dir, const char *name, long long *v)
{
	char buf[64], *end;
	int r = attr_read(fn, dir, name, buf, sizeof(buf));

	if (r < 0)
		return r;
	*v = strtoll(buf, &end, 10);
	if (end == buf)
		return cti__error(CTI_EIO, "%s: %s/%s: '%s' is not a number", fn, dir, name, buf);
	return 0;
}

static int attr_write(const char *fn, const char *dir, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int attr_write(const char *fn, const char *dir, const char *name, const char *fmt, ...)
{
	char path[PATH_MAX], val[64];
	va_list ap;
	FILE *f;
	int bad;

	va_start(ap, fmt);
	vsnprintf(val, sizeof(val), fmt, ap);
	va_end(ap);
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		return cti__error(CTI_EIO, "%s: %s: %s", fn, path, strerror(errno));
	bad = fputs(val, f) < 0;
	bad |= fclose(f) != 0;	/* sysfs reports a refused value on the flush */
	if (bad)
		return cti__error(errno == EINVAL ? CTI_EINVAL : CTI_EIO, "%s: %s: writing '%s': %s", fn, path, val,
				  strerror(errno));
	return 0;
}

/* A board port: the sim firmware port, or a ctitdm sysfs directory. */
struct cport {
	struct ctifw_port *fw;
	char dir[PATH_MAX];
};

static int cable_port(cti_ctx_t *ctx, const char *fn, int port, struct cport *cp)
{
	int n = cti__sim_ports(ctx);

	memset(cp, 0, sizeof(*cp));
	if (n > 0) {
		if (port < 1 || port > n)
			return cti__error(CTI_EINVAL, "%s: port %d out of range (the board has ports 1-%d)", fn,
					  port, n);
		cp->fw = cti__sim_port(ctx, port);
		if (!cp->fw)
			return cti__error(CTI_ENOENT, "%s: sim port %d does not exist", fn, port);
		return 0;
	}
	n = ctitdm_nports();
	if (n <= 0)
		return cti__error(CTI_ENOTSUP, "%s: no emulated board: this context has no sim ports and no "
				  "ctitdm board is loaded (%s/ctitdm.*)", fn, ctitdm_root());
	if (port < 1 || ctitdm_port_dir(port, cp->dir, sizeof(cp->dir)) < 0)
		return cti__error(CTI_EINVAL, "%s: port %d out of range (the ctitdm board has %d ports)", fn, port, n);
	return 0;
}

int cti_cable_connect(cti_ctx_t *ctx, int port_a, int port_b)
{
	struct cport a, b;
	int r;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_cable_connect: NULL context");
	cti__lock(ctx);
	r = cable_port(ctx, "cti_cable_connect", port_a, &a);
	if (r == 0)
		r = cable_port(ctx, "cti_cable_connect", port_b, &b);
	if (r == 0) {
		if (a.fw)
			ctifw_cable_connect(a.fw, b.fw);
		else
			r = attr_write("cti_cable_connect", a.dir, "peer", "%d", port_b);
	}
	cti__unlock(ctx);
	return r;
}

int cti_cable_cut(cti_ctx_t *ctx, int port)
{
	struct cport p;
	int r;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_cable_cut: NULL context");
	cti__lock(ctx);
	r = cable_port(ctx, "cti_cable_cut", port, &p);
	if (r == 0) {
		if (p.fw)
			ctifw_cable_cut(p.fw);
		else
			r = attr_write("cti_cable_cut", p.dir, "peer", "0");
	}
	cti__unlock(ctx);
	return r;
}

/* Called with the lock held. */
static int peer_of(cti_ctx_t *ctx, const char *fn, int port, const struct cport *p)
{
	long long v;
	int r;

	if (!p->fw) {
		r = attr_long(fn, p->dir, "peer", &v);
		return r < 0 ? r : (int)v;
	}
	{
		struct ctifw_port *peer = ctifw_cable_peer(p->fw);
		int n = cti__sim_ports(ctx);

		(void)port;
		for (int i = 1; peer && i <= n; i++)
			if (cti__sim_port(ctx, i) == peer)
				return i;
	}
	return 0;
}

int cti_cable_peer(cti_ctx_t *ctx, int port)
{
	struct cport p;
	int r;

	if (!ctx)
		return cti__error(CTI_EINVAL, "cti_cable_peer: NULL context");
	cti__lock(ctx);
	r = cable_port(ctx, "cti_cable_peer", port, &p);
	if (r == 0)
		r = peer_of(ctx, "cti_cable_peer", port, &p);
	cti__unlock(ctx);
	return r;
}

/*
 * A broken receive pair at a port is the far end's transmitter going dark
 * on that cable. ctitdm has the 'tx' attribute for it. On the sim board we
 * remember which transmitter we switched off, so that clearing the fault
 * switches that one on again even after recabling (struct los_state).
 */

/* The broken receive pair recorded at a sim port, or NULL. Lock held. */
static struct los_state *los_find(cti_ctx_t *ctx, int port)
{
	struct maint_ctx *m = maint_get(ctx, 0);

	for (struct los_state *ls = m ? m->los : NULL; ls; ls = ls->next)
		if (ls->port == port)
			return ls;
	return NULL;
}

/*
 * The transmitter is remembered by number and found again in the live
 * context, so recabling in between switches the right one back on.
 * Called with the lock held.
 */
static int los_set(cti_ctx_t *ctx, int port, struct ctifw_port *p, int on)
{
	struct los_state *ls = los_find(ctx, port);
	struct ctifw_port *dark;

	if (on && !ls) {
		struct maint_ctx *m = maint_get(ctx, 1);

		ls = m ? calloc(1, sizeof(*ls)) : NULL;
		if (!ls)
			return cti__error(CTI_ENOMEM, "cti_cable_set_faults: port %d: no memory to record "
					  "the broken receive pair", port);
		ls->port = port;
		dark = ctifw_cable_peer(p);
		for (int i = 1; dark && i <= cti__sim_ports(ctx); i++)
			if (cti__sim_port(ctx, i) == dark)
				ls->dark = i;
		if (dark)
			ctifw_port_set_tx_enabled(dark, false);
		ls->next = m->los;
		m->los = ls;
	} else if (!on && ls) {
		struct maint_ctx *m = maint_get(ctx, 0);
		struct los_state **pp = &m->los;

		dark = ls->dark ? cti__sim_port(ctx, ls->dark) : NULL;
		if (dark)
			ctifw_port_set_tx_enabled(dark, true);
		while (*pp != ls)
			pp = &(*pp)->next;
		*pp = ls->next;
		free(ls);
	}
	return 0;
}

/* ctitdm: the far end's 'tx' carries the broken pair arriving at port. */
static int ctitdm_los(cti_ctx_t *ctx, const char *fn, int port, const struct cport *p, int set, int *los)
{
	char dir[PATH_MAX];
	long long tx;
	int peer = peer_of(ctx, fn, port, p), r;

	if (peer <= 0) {
		if (!set)
			*los = 0;
		return peer < 0 ? peer : 0;	/* no cable: nothing arrives anyway */
	}
	if (ctitdm_port_dir(peer, dir, sizeof(dir)) < 0)
		return cti__error(CTI_EIO, "%s: port %d: its peer port %d has no sysfs directory", fn, port, peer);
	if (set)
		return attr_write(fn, dir, "tx", "%d", *los ? 0 : 1);
	r = attr_long(fn, dir, "tx", &tx);
	if (r == 0)
		*los = tx == 0;
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
	struct ctifw_line_faults lf;
	struct cport p;
	int r;

	if (!ctx || !f)
		return cti__error(CTI_EINVAL, "%s: NULL %s", fn, ctx ? "faults" : "context");
	if (!(f->ber >= 0.0 && f->ber <= 0.5))
		return cti__error(CTI_EINVAL, "%s: ber %g out of range (0 .. 0.5)", fn, f->ber);
	if (f->ppm < -1000 || f->ppm > 1000)
		return cti__error(CTI_EINVAL, "%s: ppm %d out of range (-1000 .. 1000)", fn, f->ppm);
	if (f->burst_bits < 0 || f->burst_bits > 1000000)
		return cti__error(CTI_EINVAL, "%s: burst_bits %d out of range (0 .. 1000000)", fn, f->burst_bits);
	cti__lock(ctx);
	r = cable_port(ctx, fn, port, &p);
	if (r == 0 && p.fw) {
		ctifw_line_get_faults(p.fw, &lf);	/* keeps bit_delay */
		lf.ais = f->ais != 0;
		lf.ber_e12 = (uint64_t)llround(f->ber * 1e12);
		lf.burst_bits = (uint32_t)f->burst_bits;
		lf.ppm = f->ppm;
		ctifw_line_set_faults(p.fw, &lf);
		r = los_set(ctx, port, p.fw, f->los != 0);
	} else if (r == 0) {
		int los = f->los != 0;

		r = attr_write(fn, p.dir, "ais", "%d", f->ais ? 1 : 0);
		if (r == 0)
			r = attr_write(fn, p.dir, "ber", "%llu", (unsigned long long)llround(f->ber * 1e12));
		if (r == 0)
			r = attr_write(fn, p.dir, "burst", "%d", f->burst_bits);
		if (r == 0)
			r = attr_write(fn, p.dir, "ppm", "%d", f->ppm);
		if (r == 0)
			r = ctitdm_los(ctx, fn, port, &p, 1, &los);
	}
	cti__unlock(ctx);
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
	struct ctifw_line_faults lf;
	struct cport p;
	int r;

	if (!ctx || !f)
		return cti__error(CTI_EINVAL, "%s: NULL %s", fn, ctx ? "faults" : "context");
	memset(f, 0, sizeof(*f));
	cti__lock(ctx);
	r = cable_port(ctx, fn, port, &p);
	if (r == 0 && p.fw) {
		ctifw_line_get_faults(p.fw, &lf);
		f->ais = lf.ais;
		f->ber = (double)lf.ber_e12 / 1e12;
		f->burst_bits = (int)lf.burst_bits;
		f->ppm = lf.ppm;
		f->los = los_find(ctx, port) != NULL;
	} else if (r == 0) {
		long long v;

		if ((r = attr_long(fn, p.dir, "ais", &v)) == 0)
			f->ais = v != 0;
		if (r == 0 && (r = attr_long(fn, p.dir, "ber", &v)) == 0)
			f->ber = (double)v / 1e12;
		if (r == 0 && (r = attr_long(fn, p.dir, "burst", &v)) == 0)
			f->burst_bits = (int)v;
		if (r == 0 && (r = attr_long(fn, p.dir, "ppm", &v)) == 0)
			f->ppm = (int)v;
		if (r == 0)
			r = ctitdm_los(ctx, fn, port, &p, 0, &f->los);
	}
	cti__unlock(ctx);
	return r;
}
