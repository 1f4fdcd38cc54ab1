/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ctitdm.h - DAHDI span driver for the CTI E1/T1 PRI board family,
 * hosting the board's firmware engine (firmware/) as an emulated board.
 */
#ifndef CTITDM_H
#define CTITDM_H

#include <linux/kobject.h>
#include <linux/platform_device.h>
#include <linux/spinlock.h>
#include <dahdi/kernel.h>

#include "ctifw.h"

#define CTITDM_MAX_BOARDS	4
#define CTITDM_MAX_PORTS	8
#define CTITDM_MAX_CHANS	31	/* E1: TS1..31; T1 uses 24 */
#define CTITDM_FRAMES_PER_MS	8	/* DAHDI_CHUNKSIZE */
#define CTITDM_MAX_BATCH_MS	(CTIFW_MAX_FRAMES / CTITDM_FRAMES_PER_MS)

/* port->flags bits */
#define CTITDM_HDLC_TX_PENDING	0

struct ctitdm_board;

struct ctitdm_port {
	struct ctitdm_board *board;
	unsigned int index;		/* 0-based on the board */
	unsigned int gno;		/* 1-based, global over all boards */
	struct kobject kobj;		/* /sys/devices/platform/ctitdm.B/portN */
	bool kobj_added;

	struct dahdi_span span;
	struct dahdi_chan *chans[CTITDM_MAX_CHANS];
	struct dahdi_echocan_state *ec[CTITDM_MAX_CHANS];
	u8 rchunk[CTITDM_MAX_CHANS][DAHDI_CHUNKSIZE];
	u8 wchunk[CTITDM_MAX_CHANS][DAHDI_CHUNKSIZE];

	/*
	 * Firmware state; everything below up to 'flags' is protected by
	 * board->lock. The engine's cable pointer (ctifw_cable_peer) changes
	 * only with every board's lock held (ctitdm_lock_all).
	 */
	struct ctifw_port *fw;
	struct ctifw_port_config cfg;
	bool running;			/* DAHDI startup done */
	bool tx_on;			/* sysfs 'tx': transmit pair intact */
	int sync_prio;			/* dahdi_cfg timing priority, 0 = never */
	u32 fw_alarms;			/* last ctifw_port_alarms() */
	bool fw_loop;			/* a loopback is active (any cause) */
	u32 sim_step;			/* DAHDI_MAINT_ALARM_SIM state */
	/*
	 * T1 loop code sent from lc_from_ms until lc_until_ms, in line time
	 * (ms since load, as ctitdm_done_ms counts it). A maint command takes
	 * effect at the line time of the moment it was issued, so a code sent
	 * for 5 s of wall time (dahdi_maint) is 5 s on the line, however far
	 * the tick lags behind the clock.
	 */
	enum ctifw_loopcode lc_code;
	u64 lc_from_ms, lc_until_ms;
	bool prbs_on;
	u8 rx_cas[CTITDM_MAX_CHANS + 1];
	unsigned long flags;

	/* Frames of one batch, CTIFW_SLOTS bytes per frame. */
	u8 txbuf[CTIFW_MAX_FRAMES * CTIFW_SLOTS];
	u8 rxbuf[CTIFW_MAX_FRAMES * CTIFW_SLOTS];

	/*
	 * HDLC: the hard HDLC channel (board->lock: written by chanconfig,
	 * spanconfig and set_spantype, read by the tick under the same lock)
	 * and the frame buffers (tick context only).
	 */
	struct dahdi_chan *hdlc_chan;
	unsigned int hdlc_txlen;
	bool hdlc_tx_discard;		/* dropping the rest of a long frame */
	u8 hdlc_tx[CTIFW_HDLC_MAX_FRAME + 2];
	u8 hdlc_rx[CTIFW_HDLC_MAX_FRAME + 2];
	u32 hdlc_tx_dropped;
};

/*
 * One board = one platform device "ctitdm.<index>" bound to the platform
 * driver "ctitdm", one DAHDI device, 'ports' spans.
 */
struct ctitdm_board {
	/*
	 * Protects the engine state of this board's ports. Taken with
	 * interrupts off (irqsave; maint runs under DAHDI's span->lock).
	 * Several board locks are taken only in ascending board index
	 * (ctitdm_lock_all), and no DAHDI function is called with one held.
	 */
	spinlock_t lock;
	unsigned int index;
	unsigned int nports;
	struct platform_device *pdev;
	struct dahdi_device *ddev;
	bool registered;
	char location[48];
	char hardware_id[32];
	struct ctitdm_port *ports[CTITDM_MAX_PORTS];
};

/* The board's platform device: every message of the driver names it. */
static inline struct device *ctitdm_dev(const struct ctitdm_port *port)
{
	return &port->board->pdev->dev;
}

void ctitdm_lock_all(unsigned long *flags);
void ctitdm_unlock_all(unsigned long flags);

struct ctitdm_port *ctitdm_port_by_number(unsigned int gno);
unsigned int ctitdm_dahdi_alarms(const struct ctitdm_port *port);
void ctitdm_port_apply_tx(struct ctitdm_port *port);

void ctitdm_port_sysfs_init(struct ctitdm_port *port);
int ctitdm_port_sysfs_add(struct ctitdm_port *port);
void ctitdm_port_sysfs_del(struct ctitdm_port *port);
void ctitdm_port_put(struct ctitdm_port *port);
int ctitdm_parse_ber(const char *s, u64 *e12);

#endif /* CTITDM_H */
