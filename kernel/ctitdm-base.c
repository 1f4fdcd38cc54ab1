// SPDX-License-Identifier: GPL-2.0
/*
 * ctitdm - DAHDI span driver for the CTI E1/T1 PRI board family.
 *
 * The board's firmware engine (firmware/src, API in ctifw.h) runs inside the
 * driver as an emulated board: each port is one E1/T1 line interface and one
 * DAHDI span. An hrtimer ticks every millisecond; each tick moves 8 frames
 * per port through the engine in its two phases (all ports transmit, then
 * all ports receive), feeds DAHDI with dahdi_receive/dahdi_transmit and
 * reports alarms, counters, CAS bits and HDLC frames.
 *
 * Device model: module init registers the platform driver "ctitdm" and one
 * platform device "ctitdm.<b>" per board; probe builds the board (its ports,
 * engines, DAHDI device and sysfs port directories under the device), remove
 * tears it down. Every message names the board's device (dev_*); only a bad
 * module parameter, found before any device exists, is logged with pr_err.
 *
 * Locking: each board has its own spinlock (board->lock, irqsave) over the
 * engine state of its ports; span operations and sysfs attributes of a port
 * take only that board's lock. A cable may join ports of different boards,
 * so the tick runs the line in two passes over the boards, each board under
 * its own lock: all ports transmit, then all ports receive. A port's receive
 * reads its peer's transmit output, which only the tick writes, so it needs
 * no lock of the peer's board. Changing a cable (sysfs 'peer') rewrites the
 * peer pointers of up to four ports and takes every board's lock, always in
 * ascending board index (ctitdm_lock_all). No DAHDI function is called with
 * a board lock held: DAHDI calls us with its own locks held (span->lock
 * around maint), so the order is always DAHDI lock -> board lock.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/hrtimer.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "ctitdm.h"

#define CTITDM_DEVICETYPE	"CTI E1/T1 PRI (emulated)"

static int boards = 1;
module_param(boards, int, 0444);
MODULE_PARM_DESC(boards, "Emulated boards to create (1..4)");

static int ports = CTITDM_DEFAULT_PORTS;
module_param(ports, int, 0444);
MODULE_PARM_DESC(ports, "Ports (spans) per board: 1, 2, 4 or 8");

static char *linemode = "e1";
module_param(linemode, charp, 0444);
MODULE_PARM_DESC(linemode, "Line type of every port at load: e1 or t1");

static char *cables = "pairs";
module_param(cables, charp, 0444);
MODULE_PARM_DESC(cables, "Initial cabling: pairs (1<->2, 3<->4, ...), loop (each port to itself) or none");

static int alarm_set_ms = 2500;
module_param(alarm_set_ms, int, 0444);
MODULE_PARM_DESC(alarm_set_ms, "LOS/LOF/AIS persistence before RED/BLUE, ms (G.775: 2500)");

static int rai_set_ms = 500;
module_param(rai_set_ms, int, 0444);
MODULE_PARM_DESC(rai_set_ms, "RAI persistence before YELLOW, ms");

static int alarm_clear_ms = 1000;
module_param(alarm_clear_ms, int, 0444);
MODULE_PARM_DESC(alarm_clear_ms, "Defect absence before an alarm clears, ms");

static int max_catchup_ms = 100;
module_param(max_catchup_ms, int, 0444);
MODULE_PARM_DESC(max_catchup_ms, "Missed ticks processed at once; older ones are dropped (8..1000)");

static int catchup_ms = CTITDM_MAX_BATCH_MS;
module_param(catchup_ms, int, 0444);
MODULE_PARM_DESC(catchup_ms, "Most ms of line time processed per timer expiry when behind; the rest follows at the next expiries (1..1000)");

static struct ctitdm_board *ctitdm_boards[CTITDM_MAX_BOARDS];
static struct platform_device *ctitdm_pdevs[CTITDM_MAX_BOARDS];
static unsigned int ctitdm_nboards;
static bool ctitdm_driver_registered;
static enum ctifw_line ctitdm_default_line;
static struct hrtimer ctitdm_timer;
static ktime_t ctitdm_start;
static u64 ctitdm_done_ms;	/* milliseconds of line time processed */
static u64 ctitdm_dropped_ms;	/* ticks dropped when too far behind */
static bool ctitdm_stopping;

/* Every board's lock, in ascending board index, interrupts off. */
void ctitdm_lock_all(unsigned long *flags)
{
	unsigned int b;

	local_irq_save(*flags);
	for (b = 0; b < CTITDM_MAX_BOARDS; b++)
		if (ctitdm_boards[b])
			spin_lock_nested(&ctitdm_boards[b]->lock, b);
}

void ctitdm_unlock_all(unsigned long flags)
{
	unsigned int b;

	for (b = CTITDM_MAX_BOARDS; b-- > 0;)
		if (ctitdm_boards[b])
			spin_unlock(&ctitdm_boards[b]->lock);
	local_irq_restore(flags);
}

struct ctitdm_port *ctitdm_port_by_number(unsigned int gno)
{
	unsigned int b;

	for (b = 0; b < ctitdm_nboards; b++) {
		struct ctitdm_board *board = READ_ONCE(ctitdm_boards[b]);
		struct ctitdm_port *port;

		if (!board || !board->ports[0] || gno < board->ports[0]->gno ||
		    gno >= board->ports[0]->gno + board->nports)
			continue;
		port = board->ports[gno - board->ports[0]->gno];
		/* a board still being created has ports without an engine */
		return port && port->fw ? port : NULL;
	}
	return NULL;
}

static inline struct ctitdm_port *span_to_port(struct dahdi_span *span)
{
	return container_of(span, struct ctitdm_port, span);
}

/* ---- line configuration ---- */

static void ctitdm_default_config(struct ctifw_port_config *cfg,
				  enum ctifw_line line)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->line = line;
	if (line == CTIFW_LINE_E1) {
		cfg->framing = CTIFW_FRAMING_E1_CRC4;
		cfg->coding = CTIFW_CODING_HDB3;
	} else {
		cfg->framing = CTIFW_FRAMING_T1_ESF;
		cfg->coding = CTIFW_CODING_B8ZS;
	}
}

static void ctitdm_span_set_type(struct ctitdm_port *port, enum ctifw_line line)
{
	struct dahdi_span *span = &port->span;
	int i;

	if (line == CTIFW_LINE_E1) {
		span->spantype = SPANTYPE_DIGITAL_E1;
		span->channels = 31;
		span->deflaw = DAHDI_LAW_ALAW;
		span->linecompat = DAHDI_CONFIG_AMI | DAHDI_CONFIG_HDB3 |
				   DAHDI_CONFIG_CCS | DAHDI_CONFIG_CRC4;
		span->lineconfig = DAHDI_CONFIG_HDB3 | DAHDI_CONFIG_CCS |
				   DAHDI_CONFIG_CRC4;
	} else {
		span->spantype = SPANTYPE_DIGITAL_T1;
		span->channels = 24;
		span->deflaw = DAHDI_LAW_MULAW;
		span->linecompat = DAHDI_CONFIG_AMI | DAHDI_CONFIG_B8ZS |
				   DAHDI_CONFIG_D4 | DAHDI_CONFIG_ESF;
		span->lineconfig = DAHDI_CONFIG_B8ZS | DAHDI_CONFIG_ESF;
	}
	for (i = 0; i < CTITDM_MAX_CHANS; i++) {
		struct dahdi_chan *chan = port->chans[i];

		chan->sigcap = DAHDI_SIG_CLEAR | DAHDI_SIG_HARDHDLC |
			DAHDI_SIG_HDLCRAW | DAHDI_SIG_HDLCFCS |
			DAHDI_SIG_HDLCNET | DAHDI_SIG_EM | DAHDI_SIG_FXSLS |
			DAHDI_SIG_FXSGS | DAHDI_SIG_FXSKS | DAHDI_SIG_FXOLS |
			DAHDI_SIG_FXOGS | DAHDI_SIG_FXOKS | DAHDI_SIG_CAS |
			DAHDI_SIG_SF | DAHDI_SIG_DACS_RBS;
		if (line == CTIFW_LINE_E1)
			chan->sigcap |= DAHDI_SIG_EM_E1;
	}
}

/* Apply port->cfg to the engine, only if it changed (it resets alignment). */
static int ctitdm_port_reconfigure(struct ctitdm_port *port)
{
	struct ctifw_port_config cur;
	int res;

	ctifw_port_get_config(port->fw, &cur);
	if (cur.line == port->cfg.line && cur.framing == port->cfg.framing &&
	    cur.coding == port->cfg.coding && cur.cas == port->cfg.cas &&
	    cur.cas_mask == port->cfg.cas_mask && cur.dchan == port->cfg.dchan)
		return 0;
	res = ctifw_port_configure(port->fw, &port->cfg);
	if (res < 0) {
		dev_warn(ctitdm_dev(port), "port %u: firmware refused configuration (line %d framing %d coding %d dchan %u): %d\n",
			port->gno, port->cfg.line, port->cfg.framing,
			port->cfg.coding, port->cfg.dchan, res);
		return -EINVAL;
	}
	return 0;
}

/* Transmitter on only when DAHDI started the span and the pair is intact. */
void ctitdm_port_apply_tx(struct ctitdm_port *port)
{
	ctifw_port_set_tx_enabled(port->fw, port->running && port->tx_on);
}

/* ---- alarms ---- */

unsigned int ctitdm_dahdi_alarms(const struct ctitdm_port *port)
{
	u32 a = port->fw_alarms;
	unsigned int d = 0;

	if (a & CTIFW_ALARM_LOS)
		d |= DAHDI_ALARM_RED | DAHDI_ALARM_LOS;
	if (a & CTIFW_ALARM_LOF)
		d |= DAHDI_ALARM_RED | DAHDI_ALARM_LFA;
	if (a & CTIFW_ALARM_AIS)
		d |= DAHDI_ALARM_BLUE;
	if (a & CTIFW_ALARM_RAI)
		d |= DAHDI_ALARM_YELLOW;
	if (a & CTIFW_ALARM_LMFA)
		d |= DAHDI_ALARM_LMFA;
	if (a & CTIFW_ALARM_RECOVER)
		d |= DAHDI_ALARM_RECOVER;
	return d;
}

/* ---- DAHDI span operations ---- */

static int ctitdm_spanconfig(struct file *file, struct dahdi_span *span,
			     struct dahdi_lineconfig *lc)
{
	struct ctitdm_port *port = span_to_port(span);
	struct ctifw_port_config cfg;
	int lcfg = lc->lineconfig;
	unsigned long flags;
	int res;

	spin_lock_irqsave(&port->board->lock, flags);
	cfg = port->cfg;
	spin_unlock_irqrestore(&port->board->lock, flags);

	if (cfg.line == CTIFW_LINE_E1) {
		if (lcfg & (DAHDI_CONFIG_D4 | DAHDI_CONFIG_ESF | DAHDI_CONFIG_B8ZS)) {
			dev_warn(ctitdm_dev(port), "span %d (E1): lineconfig 0x%x has T1 framing/coding\n",
				span->spanno, lcfg);
			return -EINVAL;
		}
		if ((lcfg & DAHDI_CONFIG_AMI) && (lcfg & DAHDI_CONFIG_HDB3)) {
			dev_warn(ctitdm_dev(port), "span %d: lineconfig 0x%x asks for both AMI and HDB3\n",
				span->spanno, lcfg);
			return -EINVAL;
		}
		cfg.coding = (lcfg & DAHDI_CONFIG_AMI) ? CTIFW_CODING_AMI :
							 CTIFW_CODING_HDB3;
		cfg.framing = (lcfg & DAHDI_CONFIG_CRC4) ? CTIFW_FRAMING_E1_CRC4 :
							   CTIFW_FRAMING_E1_DF;
		cfg.cas = !(lcfg & DAHDI_CONFIG_CCS);
	} else {
		if (lcfg & (DAHDI_CONFIG_HDB3 | DAHDI_CONFIG_CRC4)) {
			dev_warn(ctitdm_dev(port), "span %d (T1): lineconfig 0x%x has E1 coding/CRC-4\n",
				span->spanno, lcfg);
			return -EINVAL;
		}
		if ((lcfg & DAHDI_CONFIG_D4) && (lcfg & DAHDI_CONFIG_ESF)) {
			dev_warn(ctitdm_dev(port), "span %d: lineconfig 0x%x asks for both D4 and ESF\n",
				span->spanno, lcfg);
			return -EINVAL;
		}
		if ((lcfg & DAHDI_CONFIG_AMI) && (lcfg & DAHDI_CONFIG_B8ZS)) {
			dev_warn(ctitdm_dev(port), "span %d: lineconfig 0x%x asks for both AMI and B8ZS\n",
				span->spanno, lcfg);
			return -EINVAL;
		}
		cfg.coding = (lcfg & DAHDI_CONFIG_AMI) ? CTIFW_CODING_AMI :
							 CTIFW_CODING_B8ZS;
		cfg.framing = (lcfg & DAHDI_CONFIG_D4) ? CTIFW_FRAMING_T1_D4 :
							 CTIFW_FRAMING_T1_ESF;
	}
	if (lc->sync < 0 || lc->sync > 255) {
		dev_warn(ctitdm_dev(port), "span %d: timing priority %d out of range\n",
			span->spanno, lc->sync);
		return -EINVAL;
	}

	spin_lock_irqsave(&port->board->lock, flags);
	port->cfg.framing = cfg.framing;
	port->cfg.coding = cfg.coding;
	if (cfg.line == CTIFW_LINE_E1) {
		port->cfg.cas = cfg.cas;
		port->cfg.cas_mask = 0;
	} else {
		/* T1: robbed bits follow the channels' signalling (chanconfig) */
		port->cfg.cas = port->cfg.cas_mask != 0;
	}
	if (cfg.line == CTIFW_LINE_E1 && cfg.cas && port->cfg.dchan == 16) {
		/* G.704 5.1.3: with CAS, TS16 carries the signalling */
		port->cfg.dchan = 0;
		port->hdlc_chan = NULL;
	}
	res = ctitdm_port_reconfigure(port);
	if (!res) {
		port->sync_prio = lc->sync;
		span->lineconfig = lcfg;
		span->txlevel = lc->lbo;
		span->rxlevel = 0;
	}
	spin_unlock_irqrestore(&port->board->lock, flags);
	return res;
}

static int ctitdm_startup(struct file *file, struct dahdi_span *span)
{
	struct ctitdm_port *port = span_to_port(span);
	unsigned long flags;

	spin_lock_irqsave(&port->board->lock, flags);
	port->running = true;
	ctitdm_port_apply_tx(port);
	memset(port->rx_cas, 0, sizeof(port->rx_cas));
	spin_unlock_irqrestore(&port->board->lock, flags);
	set_bit(DAHDI_FLAGBIT_RUNNING, &span->flags);
	return 0;
}

static int ctitdm_shutdown(struct dahdi_span *span)
{
	struct ctitdm_port *port = span_to_port(span);
	unsigned long flags;

	clear_bit(DAHDI_FLAGBIT_RUNNING, &span->flags);
	spin_lock_irqsave(&port->board->lock, flags);
	port->running = false;
	ctitdm_port_apply_tx(port);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return 0;
}

static int ctitdm_chanconfig(struct file *file, struct dahdi_chan *chan,
			     int sigtype)
{
	struct ctitdm_port *port = chan->pvt;
	unsigned long flags;
	int res = 0;

	spin_lock_irqsave(&port->board->lock, flags);
	if ((sigtype & DAHDI_SIG_HARDHDLC) == DAHDI_SIG_HARDHDLC) {
		if (port->hdlc_chan && port->hdlc_chan != chan) {
			dev_warn(ctitdm_dev(port), "span %d: hardhdlc already on channel %d, refused on %d (one HDLC controller per port)\n",
				port->span.spanno, port->hdlc_chan->channo,
				chan->channo);
			res = -EBUSY;
			goto out;
		}
		if (port->cfg.line == CTIFW_LINE_E1 && port->cfg.cas &&
		    chan->chanpos == 16) {
			dev_warn(ctitdm_dev(port), "span %d: hardhdlc on TS16 refused: the span uses CAS (TS16 carries signalling)\n",
				port->span.spanno);
			res = -EINVAL;
			goto out;
		}
		port->cfg.dchan = chan->chanpos;
		res = ctitdm_port_reconfigure(port);
		if (!res) {
			port->hdlc_chan = chan;
			ctifw_hdlc_deliver_bad(port->fw, true);
		} else {
			port->cfg.dchan = 0;
		}
	} else if (port->hdlc_chan == chan) {
		port->hdlc_chan = NULL;
		port->cfg.dchan = 0;
		res = ctitdm_port_reconfigure(port);
	}
	/*
	 * T1 robbed-bit signalling, per channel as real framers do: only the
	 * channels with a CAS signalling type lose bit 8; clear channels and
	 * the D-channel pass all 8 bits.
	 */
	if (!res && port->cfg.line == CTIFW_LINE_T1) {
		u32 mask = port->cfg.cas_mask;

		if (sigtype && !(sigtype & DAHDI_SIG_CLEAR))
			mask |= BIT(chan->chanpos);
		else
			mask &= ~BIT(chan->chanpos);
		if (mask != port->cfg.cas_mask) {
			port->cfg.cas_mask = mask;
			port->cfg.cas = mask != 0;
			res = ctitdm_port_reconfigure(port);
		}
	}
out:
	spin_unlock_irqrestore(&port->board->lock, flags);
	return res;
}

static int ctitdm_rbsbits(struct dahdi_chan *chan, int bits)
{
	struct ctitdm_port *port = chan->pvt;
	unsigned long flags;

	spin_lock_irqsave(&port->board->lock, flags);
	ctifw_port_set_cas(port->fw, chan->chanpos, bits & 0xf);
	spin_unlock_irqrestore(&port->board->lock, flags);
	return 0;
}

static void ctitdm_hdlc_hard_xmit(struct dahdi_chan *chan)
{
	struct ctitdm_port *port = chan->pvt;

	/* The next tick pulls the frame with dahdi_hdlc_getbuf. */
	set_bit(CTITDM_HDLC_TX_PENDING, &port->flags);
}

static int ctitdm_inject(struct ctitdm_port *port, enum ctifw_inject what,
			 const char *name)
{
	int res = ctifw_port_inject(port->fw, what, 1);

	if (res < 0) {
		dev_info(ctitdm_dev(port), "span %d: %s error injection refused by the firmware (%d)\n",
			port->span.spanno, name, res);
		return -EINVAL;
	}
	return 0;
}

/* The line time that corresponds to the clock now (the tick may lag it). */
static u64 ctitdm_line_now_ms(void)
{
	u64 now = ktime_ms_delta(ktime_get(), ctitdm_start);
	u64 done = READ_ONCE(ctitdm_done_ms);

	return max(now, done);
}

/* Start or stop the port's loop code when line time reaches it. */
static void ctitdm_loopcode_step(struct ctitdm_port *port, u64 now)
{
	enum ctifw_loopcode want = CTIFW_LOOPCODE_NONE;

	if (port->lc_code != CTIFW_LOOPCODE_NONE) {
		if (now >= port->lc_until_ms)
			port->lc_code = CTIFW_LOOPCODE_NONE;
		else if (now >= port->lc_from_ms)
			want = port->lc_code;
	}
	if (ctifw_port_tx_loopcode(port->fw) != want)
		ctifw_port_send_loopcode(port->fw, want);
}

/* Alarm simulation steps through the alarms a far end can cause. */
static const u32 ctitdm_sim_steps[] = {
	CTIFW_ALARM_LOF, CTIFW_ALARM_RAI, CTIFW_ALARM_AIS, CTIFW_ALARM_LOS, 0,
};

/* Called by DAHDI with span->lock held and interrupts off. */
static int ctitdm_maint(struct dahdi_span *span, int cmd)
{
	struct ctitdm_port *port = span_to_port(span);
	bool t1;
	int res = 0;

	spin_lock(&port->board->lock);
	t1 = port->cfg.line == CTIFW_LINE_T1;
	switch (cmd) {
	case DAHDI_MAINT_NONE:
		ctifw_port_set_loopback(port->fw, CTIFW_LOOP_NONE);
		/* stop the loop code at the line time of this command */
		port->lc_until_ms = min(port->lc_until_ms,
					max(ctitdm_line_now_ms(), port->lc_from_ms));
		ctifw_port_simulate_alarm(port->fw, 0);
		port->sim_step = 0;
		if (port->prbs_on) {
			ctifw_prbs_stop(port->fw);
			port->prbs_on = false;
		}
		break;
	case DAHDI_MAINT_LOCALLOOP:
		ctifw_port_set_loopback(port->fw, CTIFW_LOOP_LOCAL);
		break;
	case DAHDI_MAINT_NETWORKLINELOOP:
		ctifw_port_set_loopback(port->fw, CTIFW_LOOP_NETWORK_LINE);
		break;
	case DAHDI_MAINT_NETWORKPAYLOADLOOP:
		ctifw_port_set_loopback(port->fw, CTIFW_LOOP_NETWORK_PAYLOAD);
		break;
	case DAHDI_MAINT_LOOPUP:
	case DAHDI_MAINT_LOOPDOWN:
		if (!t1) {
			/* In-band loop codes are T1 (T1.403 9.3.1); E1 has none. */
			dev_info(ctitdm_dev(port), "span %d: loop codes exist on T1 lines only\n",
				span->spanno);
			res = -ENOSYS;
			break;
		}
		/* DAHDI never stops the code itself: stop after DAHDI_LOOPCODE_TIME */
		port->lc_code = cmd == DAHDI_MAINT_LOOPUP ? CTIFW_LOOPCODE_UP :
							     CTIFW_LOOPCODE_DOWN;
		port->lc_from_ms = ctitdm_line_now_ms();
		port->lc_until_ms = port->lc_from_ms + DAHDI_LOOPCODE_TIME;
		break;
	case DAHDI_MAINT_FAS_DEFECT:
		res = ctitdm_inject(port, CTIFW_INJECT_FAS, "FAS");
		break;
	case DAHDI_MAINT_MULTI_DEFECT:
		res = ctitdm_inject(port, CTIFW_INJECT_MFAS, "multiframe");
		break;
	case DAHDI_MAINT_CRC_DEFECT:
		res = ctitdm_inject(port, CTIFW_INJECT_CRC, "CRC");
		break;
	case DAHDI_MAINT_CAS_DEFECT:
		if (!port->cfg.cas) {
			/* a CCS line has no CAS multiframe to corrupt */
			dev_info(ctitdm_dev(port), "span %d: CAS error injection needs CAS signalling\n",
				span->spanno);
			res = -EINVAL;
			break;
		}
		res = ctitdm_inject(port, CTIFW_INJECT_CAS, "CAS");
		break;
	case DAHDI_MAINT_PRBS_DEFECT:
		if (!port->prbs_on) {
			dev_info(ctitdm_dev(port), "span %d: PRBS error injection needs PRBS running (DAHDI_MAINT_PRBS)\n",
				span->spanno);
			res = -EINVAL;
			break;
		}
		res = ctitdm_inject(port, CTIFW_INJECT_PRBS, "PRBS");
		break;
	case DAHDI_MAINT_BIPOLAR_DEFECT:
		res = ctitdm_inject(port, CTIFW_INJECT_BPV, "bipolar");
		break;
	case DAHDI_MAINT_PRBS:
		/*
		 * A toggle: DAHDI drops DAHDI_MAINT_NONE when no loopback is
		 * set, so a second PRBS request is the way to stop it.
		 * O.151: 2^15-1 at 2048 kbit/s; QRSS is the T1 test pattern.
		 */
		if (port->prbs_on) {
			ctifw_prbs_stop(port->fw);
			port->prbs_on = false;
			break;
		}
		ctifw_prbs_start(port->fw, t1 ? CTIFW_PRBS_QRSS : CTIFW_PRBS_2E15,
				 CTIFW_PRBS_ALL_SLOTS, true, true);
		port->prbs_on = true;
		break;
	case DAHDI_RESET_COUNTERS:
		ctifw_port_reset_counters(port->fw);
		ctifw_prbs_reset_counts(port->fw);
		memset(&span->count, 0, sizeof(span->count));
		break;
	case DAHDI_MAINT_ALARM_SIM:
		ctifw_port_simulate_alarm(port->fw,
					  ctitdm_sim_steps[port->sim_step]);
		port->sim_step = (port->sim_step + 1) % ARRAY_SIZE(ctitdm_sim_steps);
		break;
	default:
		dev_info(ctitdm_dev(port), "span %d: unknown maintenance mode %d\n",
			span->spanno, cmd);
		res = -ENOSYS;
		break;
	}
	spin_unlock(&port->board->lock);
	return res;
}

static int ctitdm_set_spantype(struct dahdi_span *span, enum spantypes st)
{
	struct ctitdm_port *port = span_to_port(span);
	enum ctifw_line line;
	unsigned long flags;
	int res;

	if (st == SPANTYPE_DIGITAL_E1) {
		line = CTIFW_LINE_E1;
	} else if (st == SPANTYPE_DIGITAL_T1) {
		line = CTIFW_LINE_T1;
	} else {
		dev_warn(ctitdm_dev(port), "span %s: spantype %s not supported (E1 or T1)\n",
			span->name, dahdi_spantype2str(st));
		return -EINVAL;
	}
	spin_lock_irqsave(&port->board->lock, flags);
	ctitdm_default_config(&port->cfg, line);
	res = ctitdm_port_reconfigure(port);
	if (!res) {
		port->hdlc_chan = NULL;
		ctitdm_span_set_type(port, line);
	}
	spin_unlock_irqrestore(&port->board->lock, flags);
	return res;
}

static const struct dahdi_span_ops ctitdm_span_ops = {
	.owner = THIS_MODULE,
	.spanconfig = ctitdm_spanconfig,
	.startup = ctitdm_startup,
	.shutdown = ctitdm_shutdown,
	.chanconfig = ctitdm_chanconfig,
	.rbsbits = ctitdm_rbsbits,
	.maint = ctitdm_maint,
	.hdlc_hard_xmit = ctitdm_hdlc_hard_xmit,
	.set_spantype = ctitdm_set_spantype,
};

/* ---- the tick ---- */

/* Move queued DAHDI HDLC frames into the firmware's HDLC controller. */
static void ctitdm_hdlc_tx(struct ctitdm_port *port)
{
	struct dahdi_chan *chan;
	unsigned long flags;
	unsigned int size, space;
	int res;

	/* hdlc_chan under the lock its writers (chanconfig, ...) take */
	spin_lock_irqsave(&port->board->lock, flags);
	chan = port->hdlc_chan;
	spin_unlock_irqrestore(&port->board->lock, flags);
	if (!chan || !test_and_clear_bit(CTITDM_HDLC_TX_PENDING, &port->flags))
		return;
	for (;;) {
		spin_lock_irqsave(&port->board->lock, flags);
		if (port->hdlc_chan != chan) {
			/* reconfigured meanwhile: drop the partial frame */
			port->hdlc_txlen = 0;
			port->hdlc_tx_discard = false;
			spin_unlock_irqrestore(&port->board->lock, flags);
			return;
		}
		space = ctifw_hdlc_tx_space(port->fw);
		spin_unlock_irqrestore(&port->board->lock, flags);
		if (!space) {
			set_bit(CTITDM_HDLC_TX_PENDING, &port->flags);
			return;
		}
		size = sizeof(port->hdlc_tx) - port->hdlc_txlen;
		res = dahdi_hdlc_getbuf(chan, port->hdlc_tx + port->hdlc_txlen,
					&size);
		port->hdlc_txlen += size;
		if (res == 0) {
			if (port->hdlc_txlen < sizeof(port->hdlc_tx))
				continue;
			/* Longer than the controller takes: drop all of it. */
			if (!port->hdlc_tx_discard)
				port->hdlc_tx_dropped++;
			port->hdlc_tx_discard = true;
			port->hdlc_txlen = 0;
			continue;
		}
		if (port->hdlc_tx_discard) {
			/* the tail of an oversized frame */
			port->hdlc_tx_discard = false;
			port->hdlc_txlen = 0;
		} else if (port->hdlc_txlen) {
			spin_lock_irqsave(&port->board->lock, flags);
			if (port->hdlc_txlen > CTIFW_HDLC_MAX_FRAME ||
			    ctifw_hdlc_send(port->fw, port->hdlc_tx,
					    port->hdlc_txlen) < 0)
				port->hdlc_tx_dropped++;
			spin_unlock_irqrestore(&port->board->lock, flags);
			port->hdlc_txlen = 0;
		}
		if (res < 0)
			return;
	}
}

/* Deliver received frames to DAHDI, with the FCS appended as on the wire. */
static void ctitdm_hdlc_rx(struct ctitdm_port *port)
{
	struct dahdi_chan *chan;
	unsigned long flags;
	int len, status;
	u16 fcs;

	for (;;) {
		/*
		 * The channel and the frame in one lock hold: a frame goes
		 * only to the channel that is hardhdlc when it is taken.
		 */
		spin_lock_irqsave(&port->board->lock, flags);
		chan = port->hdlc_chan;
		len = chan ? ctifw_hdlc_recv(port->fw, port->hdlc_rx,
					     CTIFW_HDLC_MAX_FRAME, &status) : 0;
		spin_unlock_irqrestore(&port->board->lock, flags);
		if (len == 0)
			return;
		if (len < 0 || status == CTIFW_HDLC_RX_ABORT) {
			dahdi_hdlc_abort(chan, DAHDI_EVENT_ABORT);
			continue;
		}
		if (status == CTIFW_HDLC_RX_BADFCS) {
			dahdi_hdlc_abort(chan, DAHDI_EVENT_BADFCS);
			continue;
		}
		fcs = ctifw_fcs16(port->hdlc_rx, len);
		port->hdlc_rx[len] = fcs & 0xff;
		port->hdlc_rx[len + 1] = fcs >> 8;
		dahdi_hdlc_putbuf(chan, port->hdlc_rx, len + 2);
		dahdi_hdlc_finish(chan);
	}
}

static inline bool ctitdm_port_active(const struct ctitdm_port *port)
{
	return port->board->registered &&
	       test_bit(DAHDI_FLAGBIT_RUNNING, &port->span.flags);
}

/* Collect DAHDI's transmit audio of ms milliseconds into port->txbuf. */
static void ctitdm_collect_tx(struct ctitdm_port *port, unsigned int ms)
{
	unsigned int m, c, f;

	for (m = 0; m < ms; m++) {
		u8 *frame = port->txbuf + m * CTITDM_FRAMES_PER_MS * CTIFW_SLOTS;

		dahdi_transmit(&port->span);
		for (c = 0; c < port->span.channels; c++)
			for (f = 0; f < DAHDI_CHUNKSIZE; f++)
				frame[f * CTIFW_SLOTS + c + 1] = port->wchunk[c][f];
	}
}

/* Hand the received audio of ms milliseconds to DAHDI. */
static void ctitdm_deliver_rx(struct ctitdm_port *port, unsigned int ms)
{
	unsigned int m, c, f;

	for (m = 0; m < ms; m++) {
		const u8 *rx = port->rxbuf + m * CTITDM_FRAMES_PER_MS * CTIFW_SLOTS;
		const u8 *tx = port->txbuf + m * CTITDM_FRAMES_PER_MS * CTIFW_SLOTS;

		for (c = 0; c < port->span.channels; c++) {
			for (f = 0; f < DAHDI_CHUNKSIZE; f++) {
				port->rchunk[c][f] = rx[f * CTIFW_SLOTS + c + 1];
				/* the echo canceller's reference is what went out */
				port->wchunk[c][f] = tx[f * CTIFW_SLOTS + c + 1];
			}
		}
		dahdi_ec_span(&port->span);
		dahdi_receive(&port->span);
	}
}

static void ctitdm_report_alarms(struct ctitdm_port *port)
{
	struct dahdi_span *span = &port->span;
	unsigned int alarms = ctitdm_dahdi_alarms(port);
	unsigned int want = alarms;
	unsigned long flags;

	/*
	 * span->lock: DAHDI's maint ioctl changes maintstat and notifies
	 * alarms under it. dahdi_alarm_notify() sets LOOPBACK only while a
	 * DAHDI maintenance mode is on; a loopback the far end commanded
	 * (T1 loop-up code) is reported too.
	 */
	spin_lock_irqsave(&span->lock, flags);
	if (span->maintstat || span->mainttimer || port->fw_loop)
		want |= DAHDI_ALARM_LOOPBACK;
	if (span->alarms != want) {
		span->alarms = alarms;
		dahdi_alarm_notify(span);
		if (port->fw_loop)
			span->alarms |= DAHDI_ALARM_LOOPBACK;
	}
	spin_unlock_irqrestore(&span->lock, flags);
}

static void ctitdm_report_cas(struct ctitdm_port *port, const u8 *rx_cas)
{
	unsigned int c;

	for (c = 0; c < port->span.channels; c++) {
		struct dahdi_chan *chan = port->chans[c];

		if (!chan->sig || (chan->sig & DAHDI_SIG_CLEAR))
			continue;
		if (port->rx_cas[c + 1] != rx_cas[c + 1]) {
			port->rx_cas[c + 1] = rx_cas[c + 1];
			dahdi_rbsbits(chan, rx_cas[c + 1]);
		}
	}
}

static void ctitdm_update_counters(struct ctitdm_port *port,
				   const struct ctifw_counters *c,
				   const struct ctifw_prbs_status *prbs)
{
	struct dahdi_count *cnt = &port->span.count;

	cnt->fe = c->fas + c->mfas;
	cnt->fas = c->fas;
	cnt->cv = c->cv;
	cnt->bpv = c->bpv;
	cnt->crc4 = port->cfg.line == CTIFW_LINE_E1 ? c->crc : 0;
	cnt->be = c->crc;
	cnt->ebit = c->ebit;
	cnt->prbs = (u32)prbs->errors;
	cnt->errsec = c->es;
	cnt->timingslips = c->slips;
}

/* Pick the timing source: lowest non-zero priority among alarm-free ports. */
static void ctitdm_update_sync(struct ctitdm_board *board)
{
	struct ctitdm_port *best = NULL;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&board->lock, flags);
	for (i = 0; i < board->nports; i++) {
		struct ctitdm_port *p = board->ports[i];

		if (!p->running || !p->sync_prio || ctitdm_dahdi_alarms(p))
			continue;
		if (!best || p->sync_prio < best->sync_prio)
			best = p;
	}
	for (i = 0; i < board->nports; i++)
		board->ports[i]->span.syncsrc = best ? best->span.spanno : 0;
	spin_unlock_irqrestore(&board->lock, flags);
}

static void ctitdm_run_batch(unsigned int ms, bool second)
{
	struct ctifw_counters counters[CTITDM_MAX_PORTS];
	struct ctifw_prbs_status prbs[CTITDM_MAX_PORTS];
	u8 rx_cas[CTITDM_MAX_CHANS + 1];
	unsigned int n = ms * CTITDM_FRAMES_PER_MS;
	u64 now = ctitdm_done_ms;
	unsigned long flags;
	unsigned int b, i, c;

	/* 1. DAHDI -> transmit buffers (no firmware lock held) */
	for (b = 0; b < ctitdm_nboards; b++) {
		struct ctitdm_board *board = ctitdm_boards[b];

		for (i = 0; i < board->nports; i++) {
			struct ctitdm_port *port = board->ports[i];

			if (ctitdm_port_active(port)) {
				ctitdm_collect_tx(port, ms);
				ctitdm_hdlc_tx(port);
			}
		}
	}

	/*
	 * 2. the line: every port transmits, then every port receives, each
	 * board under its own lock. Receive reads the peer's transmit output,
	 * written only here, so a cable to another board needs no second lock.
	 */
	for (b = 0; b < ctitdm_nboards; b++) {
		struct ctitdm_board *board = ctitdm_boards[b];

		spin_lock_irqsave(&board->lock, flags);
		for (i = 0; i < board->nports; i++) {
			struct ctitdm_port *port = board->ports[i];

			ctitdm_loopcode_step(port, now);
			ctifw_port_tx(port->fw, ctitdm_port_active(port) ?
				      port->txbuf : NULL, n);
		}
		spin_unlock_irqrestore(&board->lock, flags);
	}
	for (b = 0; b < ctitdm_nboards; b++) {
		struct ctitdm_board *board = ctitdm_boards[b];

		spin_lock_irqsave(&board->lock, flags);
		for (i = 0; i < board->nports; i++) {
			struct ctitdm_port *port = board->ports[i];

			ctifw_port_rx(port->fw, port->rxbuf, n);
			port->fw_alarms = ctifw_port_alarms(port->fw);
			port->fw_loop = ctifw_port_get_loopback(port->fw) !=
					CTIFW_LOOP_NONE;
		}
		spin_unlock_irqrestore(&board->lock, flags);
	}

	/* 3. receive buffers, alarms, signalling, HDLC -> DAHDI */
	for (b = 0; b < ctitdm_nboards; b++) {
		struct ctitdm_board *board = ctitdm_boards[b];

		if (!board->registered)
			continue;
		if (second) {
			spin_lock_irqsave(&board->lock, flags);
			for (i = 0; i < board->nports; i++) {
				ctifw_port_get_counters(board->ports[i]->fw,
							&counters[i]);
				ctifw_prbs_get_status(board->ports[i]->fw,
						      &prbs[i]);
			}
			spin_unlock_irqrestore(&board->lock, flags);
		}
		for (i = 0; i < board->nports; i++) {
			struct ctitdm_port *port = board->ports[i];

			ctitdm_report_alarms(port);
			if (second)
				ctitdm_update_counters(port, &counters[i], &prbs[i]);
			if (!ctitdm_port_active(port))
				continue;
			ctitdm_deliver_rx(port, ms);
			ctitdm_hdlc_rx(port);
			if (port->span.flags & DAHDI_FLAG_RBS) {
				spin_lock_irqsave(&port->board->lock, flags);
				for (c = 1; c <= port->span.channels; c++)
					rx_cas[c] = ctifw_port_get_rx_cas(port->fw, c);
				spin_unlock_irqrestore(&port->board->lock, flags);
				ctitdm_report_cas(port, rx_cas);
			}
		}
		if (second)
			ctitdm_update_sync(board);
	}
}

/*
 * Count ticks from the clock, not from timer expiries: under load (or
 * software emulation) expiries come late, and the milliseconds that elapsed
 * are caught up in batches of up to CTIFW_MAX_FRAMES frames, at most
 * catchup_ms per expiry: a backlog is spread over the next expiries (1 ms
 * apart), so the line runs at most catchup_ms times faster than real time
 * and a B-channel reader/writer with one 20 ms block queued keeps pace
 * instead of facing one burst of the whole stall.
 */
static enum hrtimer_restart ctitdm_tick(struct hrtimer *timer)
{
	u64 elapsed = ktime_ms_delta(ktime_get(), ctitdm_start);
	u64 behind;

	if (ctitdm_stopping)
		return HRTIMER_NORESTART;
	behind = elapsed > ctitdm_done_ms ? elapsed - ctitdm_done_ms : 0;
	if (behind > (u64)max_catchup_ms) {
		u64 drop = behind - max_catchup_ms;
		unsigned int b;

		ctitdm_dropped_ms += drop;
		for (b = 0; b < ctitdm_nboards; b++)
			if (ctitdm_boards[b]->ddev)
				ctitdm_boards[b]->ddev->irqmisses += drop;
		WRITE_ONCE(ctitdm_done_ms, ctitdm_done_ms + drop);
		behind = max_catchup_ms;
	}
	behind = min_t(u64, behind, catchup_ms);
	while (behind) {
		unsigned int ms = min_t(u64, behind, CTITDM_MAX_BATCH_MS);
		bool second = (ctitdm_done_ms / 1000) !=
			      ((ctitdm_done_ms + ms) / 1000);

		ctitdm_run_batch(ms, second);
		WRITE_ONCE(ctitdm_done_ms, ctitdm_done_ms + ms);
		behind -= ms;
	}
	hrtimer_forward_now(timer, ms_to_ktime(1));
	return HRTIMER_RESTART;
}

/* ---- boards ---- */

static void ctitdm_board_free(struct ctitdm_board *board)
{
	unsigned int i, c;

	if (board->registered)
		dahdi_unregister_device(board->ddev);
	for (i = 0; i < board->nports; i++) {
		struct ctitdm_port *port = board->ports[i];

		if (!port)
			continue;
		ctitdm_port_sysfs_del(port);
		for (c = 0; c < CTITDM_MAX_CHANS; c++)
			kfree(port->chans[c]);
		kvfree(port->fw);
		ctitdm_port_put(port);
	}
	if (board->ddev)
		dahdi_free_device(board->ddev);
	kfree(board);
}

static int ctitdm_port_create(struct ctitdm_board *board, unsigned int index,
			      unsigned int gno)
{
	struct ctitdm_port *port;
	struct dahdi_span *span;
	struct ctifw_alarm_timing timing = {
		.set_ms = alarm_set_ms,
		.rai_set_ms = rai_set_ms,
		.clear_ms = alarm_clear_ms,
	};
	unsigned int c;

	port = kzalloc(sizeof(*port), GFP_KERNEL);
	if (!port)
		return -ENOMEM;
	board->ports[index] = port;
	port->board = board;
	port->index = index;
	port->gno = gno;
	port->tx_on = true;
	ctitdm_port_sysfs_init(port);

	port->fw = kvzalloc(ctifw_port_size(), GFP_KERNEL);	/* ~48 KB: no need for contiguous pages */
	if (!port->fw)
		return -ENOMEM;
	ctitdm_default_config(&port->cfg, ctitdm_default_line);
	ctifw_port_init(port->fw, &port->cfg, 0x5eed0000u + gno);
	ctifw_port_set_alarm_timing(port->fw, &timing);
	ctitdm_port_apply_tx(port);

	span = &port->span;
	for (c = 0; c < CTITDM_MAX_CHANS; c++) {
		struct dahdi_chan *chan = kzalloc(sizeof(*chan), GFP_KERNEL);

		if (!chan)
			return -ENOMEM;
		port->chans[c] = chan;
		chan->pvt = port;
		chan->chanpos = c + 1;
		chan->readchunk = port->rchunk[c];
		chan->writechunk = port->wchunk[c];
		snprintf(chan->name, sizeof(chan->name), "CTITDM/%u/%u/%u",
			 board->index, index + 1, c + 1);
	}
	snprintf(span->name, sizeof(span->name), "CTITDM/%u/%u",
		 board->index, index + 1);
	snprintf(span->desc, sizeof(span->desc),
		 "CTI E1/T1 PRI (emulated) board %u port %u",
		 board->index, index + 1);
	span->chans = port->chans;
	span->offset = index;
	span->flags = DAHDI_FLAG_RBS;
	span->ops = &ctitdm_span_ops;
	ctitdm_span_set_type(port, ctitdm_default_line);
	list_add_tail(&span->device_node, &board->ddev->spans);
	return 0;
}

/* Builds the board of the platform device ctitdm.<b>; init publishes it. */
static int ctitdm_probe(struct platform_device *pdev)
{
	struct ctitdm_board *board;
	unsigned int i;
	int res;

	if (pdev->id < 0 || pdev->id >= boards) {
		dev_err(&pdev->dev, "no board %d (boards=%d)\n", pdev->id,
			boards);
		return -ENODEV;
	}
	board = kzalloc(sizeof(*board), GFP_KERNEL);
	if (!board)
		return -ENOMEM;
	spin_lock_init(&board->lock);
	board->index = pdev->id;
	board->nports = ports;
	board->pdev = pdev;
	board->ddev = dahdi_create_device();
	if (!board->ddev) {
		res = -ENOMEM;
		goto fail;
	}
	snprintf(board->location, sizeof(board->location),
		 "Emulated Board %u", board->index);
	snprintf(board->hardware_id, sizeof(board->hardware_id),
		 "CTIEMU%02u%02u", board->index, ports);
	board->ddev->manufacturer = "CTI";
	board->ddev->devicetype = CTITDM_DEVICETYPE;
	board->ddev->location = board->location;
	board->ddev->hardware_id = board->hardware_id;

	for (i = 0; i < board->nports; i++) {
		res = ctitdm_port_create(board, i,
					 1 + board->index * ports + i);
		if (res)
			goto fail;
	}
	for (i = 0; i < board->nports; i++) {
		res = ctitdm_port_sysfs_add(board->ports[i]);
		if (res)
			goto fail;
	}
	platform_set_drvdata(pdev, board);
	dev_info(&pdev->dev, "board %u: %u %s ports (spans) %u..%u\n",
		 board->index, board->nports,
		 ctitdm_default_line == CTIFW_LINE_E1 ? "E1" : "T1",
		 board->ports[0]->gno, board->ports[0]->gno + board->nports - 1);
	return 0;
fail:
	dev_err(&pdev->dev, "board %u: setup failed: %d\n", board->index, res);
	ctitdm_board_free(board);
	return res;
}

/*
 * Unbinding: module exit, after the tick stopped and every port's sysfs
 * directory is gone (a 'peer' write may look up a port on another board).
 */
static int ctitdm_remove(struct platform_device *pdev)
{
	struct ctitdm_board *board = platform_get_drvdata(pdev);

	if (board) {
		WRITE_ONCE(ctitdm_boards[board->index], NULL);
		ctitdm_board_free(board);
	}
	return 0;
}

static struct platform_driver ctitdm_driver = {
	.probe = ctitdm_probe,
	.remove = ctitdm_remove,
	.driver = {
		.name = KBUILD_MODNAME,
		/* boards are made and unmade by the module only */
		.suppress_bind_attrs = true,
		.probe_type = PROBE_FORCE_SYNCHRONOUS,
	},
};

static void ctitdm_wire_cables(void)
{
	unsigned long flags;
	unsigned int b, i;

	ctitdm_lock_all(&flags);
	for (b = 0; b < ctitdm_nboards; b++) {
		struct ctitdm_board *board = ctitdm_boards[b];

		for (i = 0; i < board->nports; i++) {
			struct ctitdm_port *p = board->ports[i];

			if (!strcmp(cables, "loop"))
				ctifw_cable_connect(p->fw, p->fw);
			else if (!strcmp(cables, "pairs") && (i & 1) &&
				 i < board->nports)
				ctifw_cable_connect(board->ports[i - 1]->fw, p->fw);
		}
	}
	ctitdm_unlock_all(flags);
}

static void ctitdm_cleanup(void)
{
	int b;

	ctitdm_stopping = true;
	hrtimer_cancel(&ctitdm_timer);
	/*
	 * Remove every port's sysfs directory before freeing any board: a
	 * write to 'peer' may look up a port on another board.
	 */
	for (b = 0; b < CTITDM_MAX_BOARDS; b++) {
		struct ctitdm_board *board = ctitdm_boards[b];
		unsigned int i;

		for (i = 0; board && i < board->nports; i++)
			if (board->ports[i])
				ctitdm_port_sysfs_del(board->ports[i]);
	}
	ctitdm_nboards = 0;
	/* unregistering a device unbinds it: ctitdm_remove frees the board */
	for (b = CTITDM_MAX_BOARDS - 1; b >= 0; b--) {
		if (ctitdm_pdevs[b])
			platform_device_unregister(ctitdm_pdevs[b]);
		ctitdm_pdevs[b] = NULL;
	}
	if (ctitdm_driver_registered)
		platform_driver_unregister(&ctitdm_driver);
	ctitdm_driver_registered = false;
}

static int ctitdm_check_params(void)
{
	if (boards < 1 || boards > CTITDM_MAX_BOARDS) {
		pr_err("boards=%d: must be 1..%d\n", boards, CTITDM_MAX_BOARDS);
		return -EINVAL;
	}
	if (ports != 1 && ports != 2 && ports != 4 && ports != 8) {
		pr_err("ports=%d: must be 1, 2, 4 or 8\n", ports);
		return -EINVAL;
	}
	if (!strcasecmp(linemode, "e1")) {
		ctitdm_default_line = CTIFW_LINE_E1;
	} else if (!strcasecmp(linemode, "t1")) {
		ctitdm_default_line = CTIFW_LINE_T1;
	} else {
		pr_err("linemode=%s: must be e1 or t1\n", linemode);
		return -EINVAL;
	}
	if (strcmp(cables, "pairs") && strcmp(cables, "loop") &&
	    strcmp(cables, "none")) {
		pr_err("cables=%s: must be pairs, loop or none\n", cables);
		return -EINVAL;
	}
	if (alarm_set_ms < 1 || alarm_set_ms > 60000 || rai_set_ms < 1 ||
	    rai_set_ms > 60000 || alarm_clear_ms < 1 || alarm_clear_ms > 60000) {
		pr_err("alarm_set_ms=%d rai_set_ms=%d alarm_clear_ms=%d: each must be 1..60000\n",
		       alarm_set_ms, rai_set_ms, alarm_clear_ms);
		return -EINVAL;
	}
	if (catchup_ms < 1 || catchup_ms > 1000) {
		pr_err("catchup_ms=%d: must be 1..1000\n", catchup_ms);
		return -EINVAL;
	}
	if (max_catchup_ms < CTITDM_MAX_BATCH_MS || max_catchup_ms > 1000) {
		pr_err("max_catchup_ms=%d: must be %d..1000\n", max_catchup_ms,
		       CTITDM_MAX_BATCH_MS);
		return -EINVAL;
	}
	return 0;
}

static int __init ctitdm_init(void)
{
	struct platform_device *pdev;
	unsigned int b;
	int res;

	res = ctitdm_check_params();
	if (res)
		return res;
	hrtimer_init(&ctitdm_timer, CLOCK_MONOTONIC, HRTIMER_MODE_REL_SOFT);
	ctitdm_timer.function = ctitdm_tick;
	ctitdm_stopping = false;
	ctitdm_done_ms = 0;
	ctitdm_dropped_ms = 0;

	res = platform_driver_register(&ctitdm_driver);
	if (res) {
		pr_err("platform_driver_register failed: %d\n", res);
		return res;
	}
	ctitdm_driver_registered = true;
	for (b = 0; b < boards; b++) {
		pdev = platform_device_register_simple(KBUILD_MODNAME, b, NULL, 0);
		if (IS_ERR(pdev)) {
			res = PTR_ERR(pdev);
			pr_err("board %u: platform_device_register failed: %d\n",
			       b, res);
			goto fail;
		}
		ctitdm_pdevs[b] = pdev;
		/* synchronous probe: bound now, or probe failed (logged) */
		if (!platform_get_drvdata(pdev)) {
			res = -ENODEV;
			goto fail;
		}
		WRITE_ONCE(ctitdm_boards[b], platform_get_drvdata(pdev));
	}
	ctitdm_nboards = boards;
	ctitdm_wire_cables();

	/* Tick before registering so alarms are current when spans appear. */
	ctitdm_start = ktime_get();
	hrtimer_start(&ctitdm_timer, ms_to_ktime(1), HRTIMER_MODE_REL_SOFT);

	for (b = 0; b < ctitdm_nboards; b++) {
		struct ctitdm_board *board = ctitdm_boards[b];

		res = dahdi_register_device(board->ddev, &board->pdev->dev);
		if (res) {
			dev_err(&board->pdev->dev,
				"board %u: dahdi_register_device failed: %d\n",
				b, res);
			goto fail;
		}
		board->registered = true;
	}
	dev_info(&ctitdm_boards[0]->pdev->dev,
		 "%u board(s) x %d %s ports, cables %s, alarm timing %d/%d/%d ms\n",
		 ctitdm_nboards, ports, ctitdm_default_line == CTIFW_LINE_E1 ?
		 "E1" : "T1", cables, alarm_set_ms, rai_set_ms, alarm_clear_ms);
	return 0;
fail:
	ctitdm_cleanup();
	return res;
}

static void __exit ctitdm_exit(void)
{
	ctitdm_stopping = true;
	hrtimer_cancel(&ctitdm_timer);
	dev_info(&ctitdm_boards[0]->pdev->dev,
		 "unloaded (%llu ms processed, %llu ms dropped)\n",
		 ctitdm_done_ms, ctitdm_dropped_ms);
	ctitdm_cleanup();
}

module_init(ctitdm_init);
module_exit(ctitdm_exit);

MODULE_DESCRIPTION("DAHDI driver for the CTI E1/T1 PRI board family (emulated board)");
MODULE_AUTHOR("CTI project");
MODULE_LICENSE("GPL");
