/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * transport_sim.c - the sim transport (transport.h): the built-in emulated
 * board, firmware engine ports (ctifw) hosted in the library, cabled in
 * pairs (1-2, 3-4, ...), moved every 1 ms (8 frames: tx phase for all
 * ports, then rx phase for all). D-channel frames go through the firmware
 * HDLC controller, B-channel bytes through the payload buffers (byte index =
 * channel number). Maintenance drives the engine's loopbacks, loop codes,
 * error injection, PRBS generator/checker and counters; the cables between
 * the ports are the board's own.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "ctifw.h"

/* A port with a broken receive pair (cti_cable_set_faults los). */
struct los_state {
	struct los_state *next;
	int port;
	int dark;			/* port number whose transmitter we switched off, 0 if none */
};

struct sim_board {
	int nports;
	struct ctifw_port **ports;
	struct core_span **port_span;	/* span using each port (index 0..n-1) */
	struct los_state *los;
};

static struct sim_board *board_of(struct core_transport *tp)
{
	return tp->priv;
}

static struct ctifw_port *port_of(struct core_span *sp)
{
	return sp->tpriv;
}

struct ctifw_port *cti__sim_port(cti_ctx_t *ctx, int port)
{
	struct sim_board *b = ctx ? ctx->tp[CTI_TRANSPORT_SIM].priv : NULL;

	if (!b || port < 1 || port > b->nports)
		return NULL;
	return b->ports[port - 1];
}

/* Port number (1..n) of p on the board, 0 if none. */
static int port_number(struct sim_board *b, const struct ctifw_port *p)
{
	for (int i = 0; p && i < b->nports; i++)
		if (b->ports[i] == p)
			return i + 1;
	return 0;
}

/* ---------------- lifecycle ---------------- */

static int sim_check(const cti_config_t *cfg, int index)
{
	const cti_span_config_t *sc = &cfg->spans[index];

	if (sc->port > cfg->sim_ports)
		return cti__error(CTI_ECONFIG, "cti_open: span '%s': sim port %d beyond sim_ports = %d", sc->name,
				  sc->port, cfg->sim_ports);
	for (int j = 0; j < index; j++)
		if (cfg->spans[j].transport == sc->transport && cfg->spans[j].port == sc->port)
			return cti__error(CTI_ECONFIG, "cti_open: spans '%s' and '%s' both use %s port %d",
					  cfg->spans[j].name, sc->name, "sim", sc->port);
	return 0;
}

static int sim_open(struct core_transport *tp, const cti_config_t *cfg)
{
	int nports = cfg->sim_ports;
	size_t sz = ctifw_port_size();
	struct sim_board *b = calloc(1, sizeof(*b));

	if (!b)
		return cti__error(CTI_ENOMEM, "cti_open: out of memory for %d sim ports", nports);
	tp->priv = b;
	b->ports = calloc((size_t)nports, sizeof(*b->ports));
	b->port_span = calloc((size_t)nports, sizeof(*b->port_span));
	if (!b->ports || !b->port_span)
		return cti__error(CTI_ENOMEM, "cti_open: out of memory for %d sim ports", nports);
	b->nports = nports;
	for (int i = 0; i < nports; i++) {
		struct ctifw_port_config pc = { .line = CTIFW_LINE_E1, .framing = CTIFW_FRAMING_E1_CRC4,
						.coding = CTIFW_CODING_HDB3, .cas = false, .dchan = 0 };

		b->ports[i] = calloc(1, sz);
		if (!b->ports[i])
			return cti__error(CTI_ENOMEM, "cti_open: out of memory for sim port %d", i + 1);
		ctifw_port_init(b->ports[i], &pc, 0x5eed0000u + (uint32_t)i);
		/* a port without a span is not started: its peer sees LOS */
		ctifw_port_set_tx_enabled(b->ports[i], false);
	}
	for (int i = 0; i + 1 < nports; i += 2)
		ctifw_cable_connect(b->ports[i], b->ports[i + 1]);
	return 0;
}

static void sim_close(struct core_transport *tp)
{
	struct sim_board *b = board_of(tp);

	if (!b)
		return;
	if (b->ports)
		for (int i = 0; i < b->nports; i++)
			free(b->ports[i]);
	while (b->los) {
		struct los_state *ls = b->los;

		b->los = ls->next;
		free(ls);
	}
	free(b->ports);
	free(b->port_span);
	free(b);
	tp->priv = NULL;
}

static int sim_span_start(struct core_span *sp)
{
	struct sim_board *b = board_of(sp->tp);
	struct ctifw_port_config pc;
	struct ctifw_port *p;

	if (sp->cfg.port < 1 || sp->cfg.port > b->nports)
		return cti__error(CTI_ECONFIG, "cti_open: span '%s': no sim port %d", sp->cfg.name, sp->cfg.port);
	p = b->ports[sp->cfg.port - 1];
	memset(&pc, 0, sizeof(pc));
	pc.line = sp->cfg.line == CTI_LINE_T1 ? CTIFW_LINE_T1 : CTIFW_LINE_E1;
	switch (sp->cfg.framing) {
	case CTI_FRAMING_NOCRC4: pc.framing = CTIFW_FRAMING_E1_DF; break;
	case CTI_FRAMING_ESF: pc.framing = CTIFW_FRAMING_T1_ESF; break;
	case CTI_FRAMING_D4: pc.framing = CTIFW_FRAMING_T1_D4; break;
	default: pc.framing = CTIFW_FRAMING_E1_CRC4; break;
	}
	pc.coding = sp->cfg.coding == CTI_CODING_AMI ? CTIFW_CODING_AMI :
		    sp->cfg.coding == CTI_CODING_B8ZS ? CTIFW_CODING_B8ZS : CTIFW_CODING_HDB3;
	pc.dchan = sp->cfg.signalling == CTI_SIG_PRI ? (uint8_t)sp->cfg.dchannel : 0;
	if (ctifw_port_configure(p, &pc) < 0)
		return cti__error(CTI_ECONFIG, "cti_open: span '%s': sim port %d refused the line configuration",
				  sp->cfg.name, sp->cfg.port);
	ctifw_port_set_tx_enabled(p, true);
	sp->tpriv = p;
	b->port_span[sp->cfg.port - 1] = sp;
	return 0;
}

static void sim_span_stop(struct core_span *sp)
{
	(void)sp;	/* the ports live until sim_close() */
}

/* ---------------- D-channel, clock, B-channels ---------------- */

static int sim_dframe_send(struct core_span *sp, const uint8_t *buf, int len)
{
	if (!port_of(sp) || len <= 0)
		return -1;
	return ctifw_hdlc_send(port_of(sp), buf, (unsigned)len) < 0 ? -1 : len;
}

/* Span alarms as CTI_ALARM_* bits, the one mapping events and status share (loopback included). */
static uint32_t port_alarms(const struct ctifw_port *p)
{
	uint32_t a = ctifw_port_alarms(p);
	uint32_t out = a & (CTI_ALARM_LOS | CTI_ALARM_LOF | CTI_ALARM_AIS | CTI_ALARM_RAI | CTI_ALARM_LMFA |
			    CTI_ALARM_RECOVER);

	if (ctifw_port_get_loopback(p) != CTIFW_LOOP_NONE)
		out |= CTI_ALARM_LOOPBACK;
	return out;
}

static void sim_tick_frames(struct core_transport *tp, int pos)
{
	struct sim_board *b = board_of(tp);
	uint8_t buf[CORE_TICK_FRAMES * CTIFW_SLOTS];
	int n = b->nports;

	for (int i = 0; i < n; i++) {
		struct core_span *sp = b->port_span[i];

		if (!sp) {
			ctifw_port_tx(b->ports[i], NULL, CORE_TICK_FRAMES);
			continue;
		}
		memset(buf, 0xff, sizeof(buf));
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (!(sp->bmask & (1u << ch)))
				continue;
			for (int f = 0; f < CORE_TICK_FRAMES; f++)
				buf[f * CTIFW_SLOTS + ch] = sp->txbuf[ch][pos + f];
		}
		ctifw_port_tx(port_of(sp), buf, CORE_TICK_FRAMES);
	}
	for (int i = 0; i < n; i++) {
		struct core_span *sp = b->port_span[i];

		if (!sp) {
			ctifw_port_rx(b->ports[i], NULL, CORE_TICK_FRAMES);
			continue;
		}
		ctifw_port_rx(port_of(sp), buf, CORE_TICK_FRAMES);
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (!(sp->bmask & (1u << ch)))
				continue;
			for (int f = 0; f < CORE_TICK_FRAMES; f++)
				sp->rxbuf[ch][pos + f] = buf[f * CTIFW_SLOTS + ch];
		}
	}
}

static void sim_service(struct core_transport *tp)
{
	struct sim_board *b = board_of(tp);

	for (int i = 0; i < b->nports; i++) {
		struct core_span *sp = b->port_span[i];
		uint8_t frame[CTIFW_HDLC_MAX_FRAME + 8];
		uint32_t a;
		int len, st;

		if (!sp)
			continue;
		a = port_alarms(port_of(sp));
		if (a != sp->alarms)
			core_span_alarms(sp, a);
		if (sp->cfg.signalling != CTI_SIG_PRI)
			continue;
		while ((len = ctifw_hdlc_recv(port_of(sp), frame, CTIFW_HDLC_MAX_FRAME, &st)) > 0 ||
		       len == -CTIFW_EMSGSIZE) {
			if (len > 0 && st == CTIFW_HDLC_RX_OK)
				core_span_dframe(sp, frame, len);
		}
	}
}

/* ---------------- maintenance ---------------- */

/*
 * The board's ports run from one board clock; a user (CPE) side span
 * recovers timing from the network, so the first healthy user side span
 * is the timing source, as DAHDI would pick by span priority.
 */
static int timing_source(struct core_span *sp)
{
	cti_ctx_t *ctx = sp->ctx;

	for (int i = 1; i <= sp->index; i++) {
		struct core_span *o = ctx->spans[i];

		if (o->tp != sp->tp || o->cfg.role != CTI_ROLE_USER || !port_of(o) ||
		    (ctifw_port_alarms(port_of(o)) & (CTIFW_ALARM_LOS | CTIFW_ALARM_LOF | CTIFW_ALARM_AIS)))
			continue;
		return o == sp;
	}
	return 0;
}

static int sim_status(struct core_span *sp, const char *fn, cti_span_status_t *st)
{
	struct ctifw_port *p = port_of(sp);
	struct ctifw_counters c;

	(void)fn;
	ctifw_port_get_counters(p, &c);
	st->alarms = port_alarms(p);
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
	st->timing_source = timing_source(sp);
	return 0;
}

static int sim_reset_counters(struct core_span *sp, const char *fn)
{
	(void)fn;
	ctifw_port_reset_counters(port_of(sp));
	return 0;
}

static int sim_loopback(struct core_span *sp, const char *fn, enum cti_loopback mode)
{
	(void)fn;
	ctifw_port_set_loopback(port_of(sp), (enum ctifw_loopback)mode);
	return 0;
}

static int sim_loopcode(struct core_span *sp, const char *fn, int up)
{
	(void)fn;
	ctifw_port_send_loopcode(port_of(sp), up < 0 ? CTIFW_LOOPCODE_NONE :
				 up ? CTIFW_LOOPCODE_UP : CTIFW_LOOPCODE_DOWN);
	return 0;
}

static int sim_inject(struct core_span *sp, const char *fn, enum cti_inject what, uint32_t count,
		      uint32_t per_second)
{
	struct ctifw_port *p = port_of(sp);
	int e = per_second || !count ? ctifw_port_inject_rate(p, (enum ctifw_inject)what, per_second)
				     : ctifw_port_inject(p, (enum ctifw_inject)what, count);

	if (e < 0)
		return cti__error(CTI_EINVAL, "%s: span %d (%s): the firmware refused injection %d (error %d)", fn,
				  sp->index, sp->cfg.name, (int)what, -e);
	return 0;
}

static int sim_bert_check(struct core_span *sp, const char *fn, enum cti_prbs pattern, int all_slots)
{
	struct ctifw_prbs_status ps;

	(void)pattern;
	(void)all_slots;
	ctifw_prbs_get_status(port_of(sp), &ps);
	if (ps.pattern != CTIFW_PRBS_OFF)
		return cti__error(CTI_EBUSY, "%s: span %d (%s): a BERT is already running", fn, sp->index,
				  sp->cfg.name);
	return 0;
}

static int sim_bert_start(struct core_span *sp, const char *fn, enum cti_prbs pattern, uint32_t mask)
{
	(void)fn;
	ctifw_prbs_start(port_of(sp), (enum ctifw_prbs_pattern)pattern, mask, true, true);
	ctifw_prbs_reset_counts(port_of(sp));
	return 0;
}

static int sim_bert_stop(struct core_span *sp, const char *fn, int *running)
{
	struct ctifw_prbs_status ps;

	(void)fn;
	ctifw_prbs_get_status(port_of(sp), &ps);
	*running = ps.pattern != CTIFW_PRBS_OFF;
	if (*running)
		ctifw_prbs_stop(port_of(sp));
	return 0;
}

static int sim_bert_status(struct core_span *sp, const char *fn, cti_bert_status_t *st)
{
	struct ctifw_prbs_status ps;

	(void)fn;
	ctifw_prbs_get_status(port_of(sp), &ps);
	st->running = ps.pattern != CTIFW_PRBS_OFF;
	st->sync = ps.sync;
	st->bits = ps.bits;
	st->errors = ps.errors;
	st->sync_losses = ps.sync_losses;
	st->seconds = ps.seconds;
	st->errored_seconds = ps.errored_seconds;
	st->severely_errored_seconds = ps.severely_errored_seconds;
	return 0;
}

/* ---------------- cables ---------------- */

static int sim_cable_ports(struct core_transport *tp, char *why, size_t size)
{
	struct sim_board *b = board_of(tp);

	if (b && b->nports > 0)
		return b->nports;
	snprintf(why, size, "this context has no sim ports");
	return 0;
}

/* Port number checked against the board (error naming fn). */
static struct ctifw_port *cable_port(struct core_transport *tp, const char *fn, int port, int *err)
{
	struct sim_board *b = board_of(tp);

	if (port < 1 || port > b->nports) {
		*err = cti__error(CTI_EINVAL, "%s: port %d out of range (the board has ports 1-%d)", fn, port,
				  b->nports);
		return NULL;
	}
	return b->ports[port - 1];
}

static int sim_cable_connect(struct core_transport *tp, const char *fn, int port_a, int port_b)
{
	struct ctifw_port *a, *b;
	int r = 0;

	a = cable_port(tp, fn, port_a, &r);
	b = a ? cable_port(tp, fn, port_b, &r) : NULL;
	if (a && b)
		ctifw_cable_connect(a, b);
	return r;
}

static int sim_cable_cut(struct core_transport *tp, const char *fn, int port)
{
	int r = 0;
	struct ctifw_port *p = cable_port(tp, fn, port, &r);

	if (p)
		ctifw_cable_cut(p);
	return r;
}

static int sim_cable_peer(struct core_transport *tp, const char *fn, int port)
{
	int r = 0;
	struct ctifw_port *p = cable_port(tp, fn, port, &r);

	return p ? port_number(board_of(tp), ctifw_cable_peer(p)) : r;
}

/*
 * A broken receive pair at a port is the far end's transmitter going dark
 * on that cable. We remember which transmitter we switched off, by number,
 * so that clearing the fault switches that one on again even after
 * recabling. The record dies with the board (cti_close).
 */
static struct los_state *los_find(struct sim_board *b, int port)
{
	for (struct los_state *ls = b->los; ls; ls = ls->next)
		if (ls->port == port)
			return ls;
	return NULL;
}

static int los_set(struct sim_board *b, const char *fn, int port, struct ctifw_port *p, int on)
{
	struct los_state *ls = los_find(b, port);
	struct ctifw_port *dark;

	if (on && !ls) {
		ls = calloc(1, sizeof(*ls));
		if (!ls)
			return cti__error(CTI_ENOMEM, "%s: port %d: no memory to record the broken receive pair", fn,
					  port);
		ls->port = port;
		dark = ctifw_cable_peer(p);
		ls->dark = port_number(b, dark);
		if (dark)
			ctifw_port_set_tx_enabled(dark, false);
		ls->next = b->los;
		b->los = ls;
	} else if (!on && ls) {
		struct los_state **pp = &b->los;

		dark = ls->dark ? b->ports[ls->dark - 1] : NULL;
		if (dark)
			ctifw_port_set_tx_enabled(dark, true);
		while (*pp != ls)
			pp = &(*pp)->next;
		*pp = ls->next;
		free(ls);
	}
	return 0;
}

static int sim_cable_set_faults(struct core_transport *tp, const char *fn, int port, const cti_line_faults_t *f)
{
	struct ctifw_line_faults lf;
	int r = 0;
	struct ctifw_port *p = cable_port(tp, fn, port, &r);

	if (!p)
		return r;
	ctifw_line_get_faults(p, &lf);	/* keeps bit_delay */
	lf.ais = f->ais != 0;
	lf.ber_e12 = (uint64_t)llround(f->ber * 1e12);
	lf.burst_bits = (uint32_t)f->burst_bits;
	lf.ppm = f->ppm;
	ctifw_line_set_faults(p, &lf);
	return los_set(board_of(tp), fn, port, p, f->los != 0);
}

static int sim_cable_get_faults(struct core_transport *tp, const char *fn, int port, cti_line_faults_t *f)
{
	struct ctifw_line_faults lf;
	int r = 0;
	struct ctifw_port *p = cable_port(tp, fn, port, &r);

	if (!p)
		return r;
	ctifw_line_get_faults(p, &lf);
	f->ais = lf.ais;
	f->ber = (double)lf.ber_e12 / 1e12;
	f->burst_bits = (int)lf.burst_bits;
	f->ppm = lf.ppm;
	f->los = los_find(board_of(tp), port) != NULL;
	return 0;
}

const struct cti_transport_ops core_transport_sim = {
	.name = "sim",
	.port_noun = "sim port",
	.max_port = 256,
	.check = sim_check,
	.open = sim_open,
	.close = sim_close,
	.span_start = sim_span_start,
	.span_stop = sim_span_stop,
	.dframe_send = sim_dframe_send,
	.tick_frames = sim_tick_frames,
	.service = sim_service,
	.status = sim_status,
	.reset_counters = sim_reset_counters,
	.loopback = sim_loopback,
	.loopcode = sim_loopcode,
	.inject = sim_inject,
	.bert_check = sim_bert_check,
	.bert_start = sim_bert_start,
	.bert_stop = sim_bert_stop,
	.bert_status = sim_bert_status,
	.cable_ports = sim_cable_ports,
	.cable_connect = sim_cable_connect,
	.cable_cut = sim_cable_cut,
	.cable_peer = sim_cable_peer,
	.cable_set_faults = sim_cable_set_faults,
	.cable_get_faults = sim_cable_get_faults,
};
