/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * transport_sim.c - the built-in emulated board: firmware engine ports (ctifw) hosted
 * in the library, cabled in pairs (1-2, 3-4, ...), moved every 1 ms
 * (8 frames: tx phase for all ports, then rx phase for all). D-channel
 * frames go through the firmware HDLC controller, B-channel bytes through
 * the payload buffers (byte index = channel number).
 */
#include <stdlib.h>
#include <string.h>
#include "core.h"
#include "ctifw.h"

int core_sim_open(cti_ctx_t *ctx, int nports)
{
	size_t sz = ctifw_port_size();

	ctx->sim_ports = calloc((size_t)nports, sizeof(*ctx->sim_ports));
	ctx->sim_port_span = calloc((size_t)nports, sizeof(*ctx->sim_port_span));
	if (!ctx->sim_ports || !ctx->sim_port_span)
		return cti__error(CTI_ENOMEM, "cti_open: out of memory for %d sim ports", nports);
	ctx->sim_nports = nports;
	for (int i = 0; i < nports; i++) {
		struct ctifw_port_config pc = { .line = CTIFW_LINE_E1, .framing = CTIFW_FRAMING_E1_CRC4,
						.coding = CTIFW_CODING_HDB3, .cas = false, .dchan = 0 };

		ctx->sim_ports[i] = calloc(1, sz);
		if (!ctx->sim_ports[i])
			return cti__error(CTI_ENOMEM, "cti_open: out of memory for sim port %d", i + 1);
		ctifw_port_init(ctx->sim_ports[i], &pc, 0x5eed0000u + (uint32_t)i);
		/* a port without a span is not started: its peer sees LOS */
		ctifw_port_set_tx_enabled(ctx->sim_ports[i], false);
	}
	for (int i = 0; i + 1 < nports; i += 2)
		ctifw_cable_connect(ctx->sim_ports[i], ctx->sim_ports[i + 1]);
	return 0;
}

void core_sim_close(cti_ctx_t *ctx)
{
	if (ctx->sim_ports)
		for (int i = 0; i < ctx->sim_nports; i++)
			free(ctx->sim_ports[i]);
	free(ctx->sim_ports);
	free(ctx->sim_port_span);
	ctx->sim_ports = NULL;
	ctx->sim_port_span = NULL;
	ctx->sim_nports = 0;
}

int core_sim_span_start(struct core_span *sp)
{
	cti_ctx_t *ctx = sp->ctx;
	struct ctifw_port_config pc;
	struct ctifw_port *p;

	if (sp->cfg.port < 1 || sp->cfg.port > ctx->sim_nports)
		return cti__error(CTI_ECONFIG, "cti_open: span '%s': no sim port %d", sp->cfg.name, sp->cfg.port);
	p = ctx->sim_ports[sp->cfg.port - 1];
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
	sp->port = p;
	ctx->sim_port_span[sp->cfg.port - 1] = sp;
	return 0;
}

int core_sim_send(struct core_span *sp, const uint8_t *buf, int len)
{
	if (!sp->port || len <= 0)
		return -1;
	return ctifw_hdlc_send(sp->port, buf, (unsigned)len) < 0 ? -1 : len;
}

uint32_t cti__sim_port_alarms(const struct ctifw_port *p)
{
	uint32_t a = ctifw_port_alarms(p);
	uint32_t out = a & (CTI_ALARM_LOS | CTI_ALARM_LOF | CTI_ALARM_AIS | CTI_ALARM_RAI | CTI_ALARM_LMFA |
			    CTI_ALARM_RECOVER);

	if (ctifw_port_get_loopback(p) != CTIFW_LOOP_NONE)
		out |= CTI_ALARM_LOOPBACK;
	return out;
}

void core_sim_tick(cti_ctx_t *ctx)
{
	uint8_t buf[CORE_TICK_FRAMES * CTIFW_SLOTS];
	int pos = ctx->block_pos;
	int n = ctx->sim_nports;

	for (int i = 0; i < n; i++) {
		struct core_span *sp = ctx->sim_port_span[i];

		if (!sp) {
			ctifw_port_tx(ctx->sim_ports[i], NULL, CORE_TICK_FRAMES);
			continue;
		}
		memset(buf, 0xff, sizeof(buf));
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (!(sp->bmask & (1u << ch)))
				continue;
			for (int f = 0; f < CORE_TICK_FRAMES; f++)
				buf[f * CTIFW_SLOTS + ch] = sp->txbuf[ch][pos + f];
		}
		ctifw_port_tx(sp->port, buf, CORE_TICK_FRAMES);
	}
	for (int i = 0; i < n; i++) {
		struct core_span *sp = ctx->sim_port_span[i];

		if (!sp) {
			ctifw_port_rx(ctx->sim_ports[i], NULL, CORE_TICK_FRAMES);
			continue;
		}
		ctifw_port_rx(sp->port, buf, CORE_TICK_FRAMES);
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (!(sp->bmask & (1u << ch)))
				continue;
			for (int f = 0; f < CORE_TICK_FRAMES; f++)
				sp->rxbuf[ch][pos + f] = buf[f * CTIFW_SLOTS + ch];
		}
	}
	ctx->block_pos += CORE_TICK_FRAMES;
	if (ctx->block_pos >= CORE_BLOCK) {
		ctx->block_pos = 0;
		core_media_block(ctx);
	}
	for (int i = 0; i < n; i++) {
		struct core_span *sp = ctx->sim_port_span[i];
		uint8_t frame[CTIFW_HDLC_MAX_FRAME + 8];
		uint32_t a;
		int len, st;

		if (!sp)
			continue;
		a = cti__sim_port_alarms(sp->port);
		if (a != sp->alarms)
			core_span_alarms(sp, a);
		if (sp->cfg.signalling != CTI_SIG_PRI)
			continue;
		while ((len = ctifw_hdlc_recv(sp->port, frame, CTIFW_HDLC_MAX_FRAME, &st)) > 0 ||
		       len == -CTIFW_EMSGSIZE) {
			if (len > 0 && st == CTIFW_HDLC_RX_OK)
				core_span_dframe(sp, frame, len);
		}
	}
}
