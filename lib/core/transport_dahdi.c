/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * transport_dahdi.c - the dahdi transport (transport.h): any DAHDI span (our
 * ctitdm board or a real card). B-channels: /dev/dahdi/channel + DAHDI_SPECIFY, blocksize 160,
 * DAHDI_SETLAW, audio mode. D-channel: same, in HDLC FCS mode
 * (DAHDI_HDLCFCSMODE: DAHDI adds/checks the FCS; reads and writes carry 2
 * FCS bytes, exactly what libpri produces and expects). Alarms from
 * DAHDI_SPANSTAT. Runs on the real clock only: the clock thread services the
 * descriptors every 1 ms (non-blocking) with the context lock held. The
 * media blocks are paced by the B-channels (the block_rx operation): one 20 ms
 * step per block DAHDI received, never by the thread's own timer.
 *
 * Maintenance: DAHDI_SPANSTAT / DAHDI_MAINT ioctls on /dev/dahdi/ctl, as
 * dahdi_maint and dahdi_tool do; on our ctitdm board also its sysfs view
 * (counters, loopback, PRBS checker) and its cables (peer, tx, ais, ber,
 * burst, ppm attributes of each port).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <dahdi/user.h>
#include "core.h"

/*
 * B-channel buffering and pacing, per channel (docs/kernel.md, "Latency").
 * One media block (20 ms) is written per block received; the added one-way
 * delay is that media step plus the wait of a written block in DAHDI's
 * write buffers plus the wait of a received block for the media step.
 *
 * Voice (every channel unless its media needs unbroken audio):
 * DAHDI_POLICY_IMMEDIATE with DAHDI_VOICE_PREFILL samples of idle queued
 * before the first block, so a block waits about 10 ms. The read phases
 * of all B-channels are aligned when they open (realign): a received block
 * is read in the tick it completes. A stall of the process makes DAHDI play
 * idle and the late blocks queue behind: the cushion grows by the stall
 * instead of audio being dropped. The transport follows the queue's depth
 * (bq, bw): DAHDI plays one block for every block received, so after a
 * burst of k blocks read at once the queue holds max(0, before - k blocks)
 * plus what was written. When it holds more than the prefill, quiet blocks
 * (silence, pauses of speech: from the third quiet block in a row, so DTMF
 * gaps stay whole) are left out, whole or half, until it is back
 * at the prefill; so a single descheduling does not leave the call with a
 * longer delay and no speech is cut. A step late by less than a block
 * makes no burst but may still grow the queue: every DAHDI_PROBE_STEPS
 * steps half a quiet block is left out anyway (if the queue was only the
 * prefill, it runs dry in silence and the next block starts at once), and
 * a call's media starts on a queue emptied to the prefill. Without a quiet block for
 * DAHDI_LOUD_STEPS steps, a block is left out anyway if the queue is 40 ms
 * or more over.
 *
 * Deep (fax: media that needs unbroken audio, told by core): the previous buffering,
 * DAHDI_FAX_BUFS blocks with DAHDI_POLICY_HALF_FULL, so transmit starts and
 * restarts after an underrun with 160 ms queued: T.30 training and non-ECM
 * pages survive stalls. Switched per channel when the hook attaches and
 * back when it is removed.
 */
#define DAHDI_VOICE_BUFS 8
#define DAHDI_VOICE_PREFILL 80	/* 10 ms */
#define DAHDI_FAX_BUFS 16
#define DAHDI_LOUD_STEPS 50	/* 1 s */
#define DAHDI_PROBE_STEPS 25	/* 500 ms */
#define DAHDI_QUIET_RUN 3	/* blocks: only pauses >= 60 ms get shorter, not DTMF gaps */
#define REALIGN_READ 1
#define REALIGN_WRITE 2

#define SPANSTAT_EVERY_MS 100

/* The context's DAHDI state (tp->priv). */
struct dahdi_board {
	int ctl;			/* /dev/dahdi/ctl, opened on demand */
	int rx_done;			/* block_rx read this step's blocks */
	int realign;			/* REALIGN_* pending */
	int burst;			/* blocks read since the reference had none */
};

/*
 * One DAHDI span (sp->tpriv): its channel descriptors, and what the driver
 * cannot tell back: the loopback we set and the BERT baseline (DAHDI counts
 * bit errors in becount since the last counter reset and has no bit count).
 */
struct dahdi_span {
	int dfd;
	int bfd[CORE_MAX_CHAN];
	/* B-channel buffering (see DAHDI_VOICE_BUFS) */
	uint8_t bdeep[CORE_MAX_CHAN];	/* on the deep (fax) cushion */
	uint8_t bhad[CORE_MAX_CHAN];	/* CORE_B_* of the step before */
	uint16_t bprobe[CORE_MAX_CHAN];	/* voice: steps since the cushion was last probed */
	uint16_t bloud[CORE_MAX_CHAN];	/* voice: media steps since a quiet block */
	uint8_t bquiet[CORE_MAX_CHAN];	/* voice: quiet blocks sent in a row */
	uint8_t brxquiet[CORE_MAX_CHAN];	/* voice: quiet blocks received in a row */
	int bq[CORE_MAX_CHAN];		/* voice: samples in DAHDI's write queue at the burst's start */
	int bw[CORE_MAX_CHAN];		/* voice: samples written in this burst */
	uint64_t next_stat_ms;		/* next DAHDI_SPANSTAT */
	int loopback;
	int bert_running;
	uint64_t bert_start_ms;
	uint32_t bert_be0;
	uint32_t bert_es0;
	uint32_t bert_mask;
};

static struct dahdi_span *ds_of(struct core_span *sp)
{
	return sp->tpriv;
}

static int read_sys_int(int span, const char *attr, int *out)
{
	char path[128], buf[64];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/dahdi_spans/devices/span-%d/%s", span, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, sizeof(buf), f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	*out = atoi(buf);
	return 0;
}

static int read_sys_str(int span, const char *attr, char *buf, size_t size)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "/sys/bus/dahdi_spans/devices/span-%d/%s", span, attr);
	f = fopen(path, "r");
	if (!f)
		return -1;
	if (!fgets(buf, (int)size, f)) {
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[strcspn(buf, "\n")] = 0;
	return 0;
}

/* The control fd of the context, opened on demand; -1 on error. */
static int dahdi_ctl(cti_ctx_t *ctx)
{
	struct dahdi_board *b = ctx->tp[CTI_TRANSPORT_DAHDI].priv;

	if (!b)
		return -1;
	if (b->ctl < 0)
		b->ctl = open("/dev/dahdi/ctl", O_RDWR | O_CLOEXEC);
	return b->ctl;
}

/* First channel number of a span: sysfs, else the sum of the spans before it. */
static int span_basechan(cti_ctx_t *ctx, int span)
{
	int base, fd, sum = 1;

	if (read_sys_int(span, "basechan", &base) == 0 && base > 0)
		return base;
	fd = dahdi_ctl(ctx);
	if (fd < 0)
		return -1;
	for (int s = 1; s < span; s++) {
		struct dahdi_spaninfo si;

		memset(&si, 0, sizeof(si));
		si.spanno = s;
		if (ioctl(fd, DAHDI_SPANSTAT, &si) == 0)
			sum += si.totalchans;
	}
	return sum;
}

/* Voice (deep = 0) or fax (1) buffering of a B-channel; DAHDI empties its buffers. */
static int set_bufs(int fd, int deep)
{
	struct dahdi_bufferinfo bi;

	memset(&bi, 0, sizeof(bi));
	bi.txbufpolicy = deep ? DAHDI_POLICY_HALF_FULL : DAHDI_POLICY_IMMEDIATE;
	bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.numbufs = deep ? DAHDI_FAX_BUFS : DAHDI_VOICE_BUFS;
	bi.bufsize = CORE_BLOCK;
	return ioctl(fd, DAHDI_SET_BUFINFO, &bi);
}

/*
 * Voice: DAHDI_VOICE_PREFILL samples of idle ahead of the next block written
 * (the write queue was just emptied); burst: blocks read in this burst.
 */
static void prefill(struct core_span *sp, struct dahdi_span *ds, int ch, int burst)
{
	uint8_t idle[DAHDI_VOICE_PREFILL];

	memset(idle, sp->cfg.law == CTI_LAW_ULAW ? 0xff : 0xd5, sizeof(idle));
	if (write(ds->bfd[ch], idle, sizeof(idle)) < 0) {
		/* DAHDI plays idle anyway */
	}
	/* at the burst's end the queue holds the prefill plus this burst's writes */
	ds->bq[ch] = DAHDI_VOICE_PREFILL + CORE_BLOCK * burst;
	ds->bw[ch] = 0;
}

/* Quiet block: every sample in the two lowest segments of the law (< -36 dBov). */
static int quiet_block(const struct core_span *sp, const uint8_t *b)
{
	for (int i = 0; i < CORE_BLOCK; i++) {
		int m = sp->cfg.law == CTI_LAW_ULAW ? (~b[i] & 0x7f) : ((b[i] ^ 0x55) & 0x7f);

		if (m >= 0x20)
			return 0;
	}
	return 1;
}

static int open_chan(struct core_span *sp, int absch, int hdlc)
{
	int fd = open("/dev/dahdi/channel", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	int v;

	if (fd < 0)
		return cti__error(CTI_EIO, "span '%s': open /dev/dahdi/channel: %s", sp->cfg.name, strerror(errno));
	if (ioctl(fd, DAHDI_SPECIFY, &absch) < 0) {
		int e = errno;

		close(fd);
		return cti__error(CTI_EIO, "span '%s': DAHDI_SPECIFY channel %d: %s", sp->cfg.name, absch, strerror(e));
	}
	if (hdlc) {
		struct dahdi_bufferinfo bi;
		struct dahdi_params pa;

		/*
		 * dahdi_cfg made it "dchan" (HDLC with FCS done by DAHDI) or
		 * "hardhdlc" (the card's controller); otherwise ask for FCS mode.
		 */
		memset(&pa, 0, sizeof(pa));
		pa.channo = absch;
		if (ioctl(fd, DAHDI_GET_PARAMS, &pa) < 0 ||
		    (pa.sigtype != DAHDI_SIG_HDLCFCS && pa.sigtype != DAHDI_SIG_HARDHDLC)) {
			v = 1;
			if (ioctl(fd, DAHDI_HDLCFCSMODE, &v) < 0) {
				int e = errno;

				close(fd);
				return cti__error(CTI_EIO, "span '%s': DAHDI_HDLCFCSMODE channel %d: %s (configure it "
						  "as dchan or hardhdlc in system.conf)", sp->cfg.name, absch,
						  strerror(e));
			}
		}
		memset(&bi, 0, sizeof(bi));
		bi.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
		bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
		bi.numbufs = 32;
		bi.bufsize = 1024;
		if (ioctl(fd, DAHDI_SET_BUFINFO, &bi) < 0) {
			/* keep DAHDI's defaults */
		}
	} else {
		/* voice buffering to start with (see DAHDI_VOICE_BUFS) */
		if (set_bufs(fd, 0) < 0) {
			int e = errno;

			close(fd);
			return cti__error(CTI_EIO, "span '%s': DAHDI_SET_BUFINFO channel %d: %s", sp->cfg.name, absch,
					  strerror(e));
		}
		v = CORE_BLOCK;
		if (ioctl(fd, DAHDI_SET_BLOCKSIZE, &v) < 0) {
			int e = errno;

			close(fd);
			return cti__error(CTI_EIO, "span '%s': DAHDI_SET_BLOCKSIZE channel %d: %s", sp->cfg.name, absch,
					  strerror(e));
		}
		v = sp->cfg.law == CTI_LAW_ULAW ? DAHDI_LAW_MULAW : DAHDI_LAW_ALAW;
		if (ioctl(fd, DAHDI_SETLAW, &v) < 0) {
			/* some drivers fix the law per span */
		}
		v = 1;
		if (ioctl(fd, DAHDI_AUDIOMODE, &v) < 0) {
			/* not fatal: channel stays in its default mode */
		}
	}
	return fd;
}

static int dahdi_check(const cti_config_t *cfg, int index)
{
	if (cfg->clock == CTI_CLOCK_VIRTUAL)
		return cti__error(CTI_ECONFIG, "cti_open: span '%s': clock virtual works with transport sim only",
				  cfg->spans[index].name);
	return 0;
}

static int dahdi_open(struct core_transport *tp, const cti_config_t *cfg)
{
	struct dahdi_board *b = calloc(1, sizeof(*b));

	(void)cfg;
	if (!b)
		return cti__error(CTI_ENOMEM, "cti_open: out of memory");
	b->ctl = -1;
	tp->priv = b;
	return 0;
}

static void dahdi_close(struct core_transport *tp)
{
	struct dahdi_board *b = tp->priv;

	if (b && b->ctl >= 0)
		close(b->ctl);
	free(b);
	tp->priv = NULL;
}

static int dahdi_span_start(struct core_span *sp)
{
	cti_ctx_t *ctx = sp->ctx;
	struct dahdi_span *ds = calloc(1, sizeof(*ds));
	int base;

	if (!ds)
		return cti__error(CTI_ENOMEM, "cti_open: span '%s': out of memory", sp->cfg.name);
	ds->dfd = -1;
	for (int ch = 0; ch < CORE_MAX_CHAN; ch++)
		ds->bfd[ch] = -1;
	sp->tpriv = ds;
	base = span_basechan(ctx, sp->cfg.port);
	if (base < 0)
		return cti__error(CTI_EIO, "cti_open: span '%s': DAHDI span %d not found (no /sys/bus/dahdi_spans and "
				  "no /dev/dahdi/ctl)", sp->cfg.name, sp->cfg.port);
	/* DAHDI is there (sysfs lists its spans) but not this span: a missing span, not a device error. */
	if (access("/sys/bus/dahdi_spans/devices", F_OK) == 0 && read_sys_int(sp->cfg.port, "basechan", &base) < 0)
		return cti__error(CTI_ENOENT, "cti_open: span '%s': no DAHDI span %d (not in /sys/bus/dahdi_spans)",
				  sp->cfg.name, sp->cfg.port);
	if (sp->cfg.signalling == CTI_SIG_PRI) {
		int fd = open_chan(sp, base + sp->cfg.dchannel - 1, 1);

		if (fd < 0)
			return fd;
		ds->dfd = fd;
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (!(sp->bmask & (1u << ch)))
				continue;
			fd = open_chan(sp, base + ch - 1, 0);
			if (fd < 0)
				return fd;
			ds->bfd[ch] = fd;
		}
	}
	sp->alarms = ~0u;	/* first SPANSTAT reports the state */
	if (sp->tp && sp->tp->priv)
		((struct dahdi_board *)sp->tp->priv)->realign = REALIGN_READ | REALIGN_WRITE;	/* new B-channels */
	return 0;
}

static void dahdi_span_stop(struct core_span *sp)
{
	struct dahdi_span *ds = ds_of(sp);

	if (!ds)
		return;
	if (ds->dfd >= 0)
		close(ds->dfd);
	for (int ch = 0; ch < CORE_MAX_CHAN; ch++)
		if (ds->bfd[ch] >= 0)
			close(ds->bfd[ch]);
	free(ds);
	sp->tpriv = NULL;
}

static int dahdi_dframe_send(struct core_span *sp, const uint8_t *buf, int len)
{
	uint8_t tmp[CORE_DFRAME_MAX + 2];
	struct dahdi_span *ds = ds_of(sp);

	if (!ds || ds->dfd < 0 || len <= 0 || len > CORE_DFRAME_MAX)
		return -1;
	memcpy(tmp, buf, (size_t)len);
	tmp[len] = tmp[len + 1] = 0;	/* FCS filled in by DAHDI */
	return write(ds->dfd, tmp, (size_t)len + 2) < 0 ? -1 : len;
}

uint32_t cti__alarms_from_dahdi(int a)
{
	uint32_t out = 0;

	if (a & DAHDI_ALARM_LOS)
		out |= CTI_ALARM_LOS;
	if (a & (DAHDI_ALARM_RED | DAHDI_ALARM_LFA))
		out |= CTI_ALARM_LOF;
	if (a & DAHDI_ALARM_BLUE)
		out |= CTI_ALARM_AIS;
	if (a & DAHDI_ALARM_YELLOW)
		out |= CTI_ALARM_RAI;
	if (a & DAHDI_ALARM_LMFA)
		out |= CTI_ALARM_LMFA;
	if (a & DAHDI_ALARM_RECOVER)
		out |= CTI_ALARM_RECOVER;
	if (a & DAHDI_ALARM_LOOPBACK)
		out |= CTI_ALARM_LOOPBACK;
	if (a & DAHDI_ALARM_NOTOPEN)
		out |= CTI_ALARM_NOTOPEN;
	return out;
}

/* One service step for every dahdi span (lock held, non-blocking). */
static void dahdi_service(struct core_transport *tp)
{
	cti_ctx_t *ctx = tp->ctx;

	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];
		struct dahdi_span *ds = ds_of(sp);
		uint8_t buf[CORE_DFRAME_MAX + 2];
		int n;

		if (sp->tp != tp || !ds)
			continue;
		if (core_now_ms(ctx) >= ds->next_stat_ms || sp->alarms == ~0u) {
			ds->next_stat_ms = core_now_ms(ctx) + SPANSTAT_EVERY_MS;
			struct dahdi_spaninfo si;
			int fd = ds->dfd >= 0 ? ds->dfd : dahdi_ctl(ctx);

			memset(&si, 0, sizeof(si));
			si.spanno = sp->cfg.port;
			if (fd >= 0 && ioctl(fd, DAHDI_SPANSTAT, &si) == 0) {
				uint32_t a = cti__alarms_from_dahdi(si.alarms);

				if (a != sp->alarms)
					core_span_alarms(sp, a);
			}
		}
		if (ds->dfd < 0)
			continue;
		for (int k = 0; k < 32; k++) {
			n = (int)read(ds->dfd, buf, sizeof(buf));
			if (n < 0 && errno == ELAST) {
				int ev = 0;

				/* DAHDI reports events (alarm, bad FCS, abort) as ELAST */
				ioctl(ds->dfd, DAHDI_GETEVENT, &ev);
				continue;
			}
			if (n <= 2)
				break;
			core_span_dframe(sp, buf, n - 2);
		}
	}
}

/* The reference B-channel: the first one open on the first DAHDI span. */
static int ref_fd(struct core_transport *tp, struct core_span **rsp, int *rch)
{
	cti_ctx_t *ctx = tp->ctx;

	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];
		struct dahdi_span *ds = ds_of(sp);

		if (sp->tp != tp || !ds)
			continue;
		for (int ch = 1; ch <= sp->maxchan; ch++)
			if (ds->bfd[ch] >= 0) {
				*rsp = sp;
				*rch = ch;
				return ds->bfd[ch];
			}
	}
	return -1;
}

/*
 * Media paced by the DAHDI spans when they have B-channels (core asks only
 * when every span of the context is DAHDI).
 */
static int dahdi_paced(struct core_transport *tp)
{
	struct core_span *sp;
	int ch;

	return ref_fd(tp, &sp, &ch) >= 0;
}

/*
 * Align the block phases: empty every B-channel's DAHDI read buffers at
 * once, the reference last, so every channel's next received block starts
 * with the same chunk (all spans run on one timing source); and (write)
 * empty the voice channels' write buffers and queue the prefill. Costs the
 * part blocks in the buffers: done when the B-channels open.
 */
static void realign(struct core_transport *tp, int rfd, int what)
{
	cti_ctx_t *ctx = tp->ctx;
	struct dahdi_board *b = tp->priv;

	for (int pass = 0; pass < 2; pass++) {
		for (int i = 1; i <= ctx->nspans; i++) {
			struct core_span *sp = ctx->spans[i];
			struct dahdi_span *ds = ds_of(sp);

			if (sp->tp != tp || !ds)
				continue;
			for (int ch = 1; ch <= sp->maxchan; ch++) {
				int fd = ds->bfd[ch], fl = 0;

				if (fd < 0 || (fd == rfd) != (pass == 1))
					continue;
				if (what & REALIGN_READ)
					fl |= DAHDI_FLUSH_READ;
				if ((what & REALIGN_WRITE) && !ds->bdeep[ch])
					fl |= DAHDI_FLUSH_WRITE;
				if (ioctl(fd, DAHDI_FLUSH, &fl) < 0) {
					/* best effort: the phase stays as it was */
				}
				if (fl & DAHDI_FLUSH_WRITE)
					prefill(sp, ds, ch, b->burst);
			}
		}
	}
	b->realign &= ~what;
}

/*
 * Read one received block on every B-channel if the reference channel has
 * one (1), else nothing (0). Channels of the other spans run on the same
 * timing source and, aligned, complete their blocks in the same tick as the
 * reference; one that has no block yet (read between two spans' receive in
 * the same tick) gets idle once and keeps a block of backlog until a quiet
 * block lets it drop it (voice).
 * The blocks read until the reference has none are a burst: DAHDI played
 * as many blocks from the write queues meanwhile (bq, bw).
 */
static int dahdi_block_rx(struct core_transport *tp)
{
	cti_ctx_t *ctx = tp->ctx;
	struct dahdi_board *b = tp->priv;
	struct core_span *rsp;
	int rch, fd = ref_fd(tp, &rsp, &rch);
	uint8_t tmp[CORE_BLOCK];

	if (fd >= 0 && (b->realign & REALIGN_READ)) {
		realign(tp, fd, REALIGN_READ);
		b->burst = 0;
		return 0;
	}
	if (fd < 0 || read(fd, tmp, CORE_BLOCK) != CORE_BLOCK) {
		if (b->burst > 0) {
			for (int i = 1; i <= ctx->nspans; i++) {
				struct core_span *sp = ctx->spans[i];
				struct dahdi_span *ds = ds_of(sp);

				if (sp->tp != tp || !ds)
					continue;
				for (int ch = 1; ch <= sp->maxchan; ch++) {
					int q = ds->bq[ch] - CORE_BLOCK * b->burst;

					ds->bq[ch] = (q > 0 ? q : 0) + ds->bw[ch];
					ds->bw[ch] = 0;
				}
			}
		}
		b->burst = 0;
		return 0;
	}
	b->burst++;
	memcpy(rsp->rxbuf[rch], tmp, CORE_BLOCK);
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];
		struct dahdi_span *ds = ds_of(sp);

		if (sp->tp != tp || !ds)
			continue;
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (ds->bfd[ch] < 0 || (sp == rsp && ch == rch))
				continue;
			if (read(ds->bfd[ch], tmp, CORE_BLOCK) == CORE_BLOCK) {
				/*
				 * Voice: a quiet block with the next one already
				 * waiting is a block of backlog (left by a stall or a
				 * late phase): leave it out, the receive wait shrinks.
				 */
				int quiet = quiet_block(sp, tmp);

				ds->brxquiet[ch] = quiet ? (ds->brxquiet[ch] < 255 ? ds->brxquiet[ch] + 1 : 255) : 0;
				if (!ds->bdeep[ch] && quiet && ds->brxquiet[ch] >= DAHDI_QUIET_RUN &&
				    read(ds->bfd[ch], sp->rxbuf[ch], CORE_BLOCK) == CORE_BLOCK)
					continue;
				memcpy(sp->rxbuf[ch], tmp, CORE_BLOCK);
			} else {
				memset(sp->rxbuf[ch], sp->cfg.law == CTI_LAW_ULAW ? 0xff : 0xd5, CORE_BLOCK);
			}
		}
	}
	b->rx_done = 1;
	return 1;
}

/* 20 ms media step: blocks in before, out after (lock held). */
static void dahdi_blocks(struct core_transport *tp, int out)
{
	cti_ctx_t *ctx = tp->ctx;
	struct dahdi_board *b = tp->priv;

	if (!out && b->rx_done) {
		b->rx_done = 0;		/* dahdi_block_rx read them */
		return;
	}
	if (out && (b->realign & REALIGN_WRITE)) {
		/* right before the step's write, so the cushion is the prefill */
		struct core_span *rsp;
		int rch, fd = ref_fd(tp, &rsp, &rch);

		if (fd >= 0)
			realign(tp, fd, REALIGN_WRITE);
	}
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];
		struct dahdi_span *ds = ds_of(sp);

		if (sp->tp != tp || !ds)
			continue;
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (ds->bfd[ch] < 0)
				continue;
			if (out) {
				int fd = ds->bfd[ch], want = sp->bwant[ch], n = CORE_BLOCK, q, over;
				int deep = !!(want & CORE_B_DEEP);
				const uint8_t *blk = sp->txbuf[ch];

				sp->bwant[ch] = 0;
				if ((want & CORE_B_MEDIA) && !(ds->bhad[ch] & CORE_B_MEDIA) && !deep && !ds->bdeep[ch]) {
					/* a call's media starts: its cushion starts at the prefill */
					int fl = DAHDI_FLUSH_WRITE;

					if (ioctl(fd, DAHDI_FLUSH, &fl) == 0)
						prefill(sp, ds, ch, b->burst);
				}
				ds->bhad[ch] = (uint8_t)want;
				if (deep != ds->bdeep[ch]) {
					/* fax attached or gone: switch this channel's buffering */
					if (set_bufs(fd, deep) == 0) {
						ds->bdeep[ch] = (uint8_t)deep;
						if (!deep)
							prefill(sp, ds, ch, b->burst);
					}
				}
				if (ds->bdeep[ch]) {
					if (write(fd, blk, CORE_BLOCK) < 0) {
						/* buffers full: DAHDI plays what it has */
					}
					continue;
				}
				/* samples queued now, and how far past the prefill after this block */
				q = ds->bq[ch] - CORE_BLOCK * b->burst;
				q = (q > 0 ? q : 0) + ds->bw[ch];
				over = q - DAHDI_VOICE_PREFILL;
				if (ds->bprobe[ch] < DAHDI_PROBE_STEPS)
					ds->bprobe[ch]++;
				if (!quiet_block(sp, blk))
					ds->bquiet[ch] = 0;
				else if (ds->bquiet[ch] < 255)
					ds->bquiet[ch]++;
				if (ds->bquiet[ch]) {
					ds->bloud[ch] = 0;
					if (ds->bquiet[ch] < DAHDI_QUIET_RUN) {
						/* a short pause (a DTMF gap) is sent whole */
					} else if (over >= CORE_BLOCK) {
						n = 0;			/* leave it out */
					} else if (over >= CORE_BLOCK / 2) {
						n = CORE_BLOCK / 2;	/* leave half out */
					} else if (ds->bprobe[ch] >= DAHDI_PROBE_STEPS) {
						/*
						 * Probe: a late step that did not make a burst grew
						 * the queue unseen. Leave half a quiet block out but
						 * count it whole: too short, the queue runs dry in
						 * silence and the next block starts at once.
						 */
						ds->bprobe[ch] = 0;
						n = CORE_BLOCK / 2;
						ds->bw[ch] += CORE_BLOCK / 2;
					}
				} else if (ds->bloud[ch] < DAHDI_LOUD_STEPS) {
					ds->bloud[ch]++;
				} else if (over >= 2 * CORE_BLOCK) {
					ds->bloud[ch] = 0;
					n = 0;
				}
				if (n == 0)
					continue;
				if (write(fd, blk + CORE_BLOCK - n, (size_t)n) >= 0) {
					ds->bw[ch] += n;
				} else {
					/* every buffer full (160 ms): start again from the prefill */
					int fl = DAHDI_FLUSH_WRITE;

					if (ioctl(fd, DAHDI_FLUSH, &fl) == 0) {
						prefill(sp, ds, ch, b->burst);
						if (write(fd, blk, CORE_BLOCK) >= 0)
							ds->bw[ch] += CORE_BLOCK;
					}
				}
			} else {
				uint8_t tmp[CORE_BLOCK];

				if (read(ds->bfd[ch], tmp, CORE_BLOCK) == CORE_BLOCK)
					memcpy(sp->rxbuf[ch], tmp, CORE_BLOCK);
			}
		}
	}
}

static void dahdi_block_in(struct core_transport *tp)
{
	dahdi_blocks(tp, 0);
}

static void dahdi_block_out(struct core_transport *tp)
{
	dahdi_blocks(tp, 1);
}

static int add_span(cti_config_t *cfg, int span, const char *type)
{
	cti_span_config_t sc;
	int rc;

	cti_span_config_init(&sc, !strncasecmp(type, "T1", 2) || !strncasecmp(type, "J1", 2) ? CTI_LINE_T1 :
				  CTI_LINE_E1);
	sc.transport = CTI_TRANSPORT_DAHDI;
	sc.port = span;
	sc.signalling = CTI_SIG_NONE;
	snprintf(sc.name, sizeof(sc.name), "dahdi%d", span);
	for (int i = 0; i < cfg->nspans; i++)
		if (cfg->spans[i].transport == CTI_TRANSPORT_DAHDI && cfg->spans[i].port == span)
			return 0;	/* already configured */
	rc = cti_config_add_span(cfg, &sc);
	return rc < 0 ? rc : 1;
}

int core_dahdi_scan(cti_config_t *cfg)
{
	DIR *d = opendir("/sys/bus/dahdi_spans/devices");
	struct dirent *de;
	int added = 0, spans[CORE_MAX_SPANS], n = 0;

	if (d) {
		while ((de = readdir(d)) && n < CORE_MAX_SPANS) {
			int s;

			if (sscanf(de->d_name, "span-%d", &s) == 1)
				spans[n++] = s;
		}
		closedir(d);
		/* add in span number order */
		for (int i = 0; i < n; i++)
			for (int j = i + 1; j < n; j++)
				if (spans[j] < spans[i]) {
					int t = spans[i];

					spans[i] = spans[j];
					spans[j] = t;
				}
		for (int i = 0; i < n; i++) {
			char type[32] = "E1";
			int rc;

			read_sys_str(spans[i], "spantype", type, sizeof(type));
			if (strncasecmp(type, "E1", 2) && strncasecmp(type, "T1", 2) && strncasecmp(type, "J1", 2))
				continue;	/* analog, BRI: not ours */
			rc = add_span(cfg, spans[i], type);
			if (rc < 0)
				return rc;
			added += rc;
		}
		return added;
	}
	d = opendir("/proc/dahdi");
	if (!d)
		return cti__error(CTI_ENOENT, "cti_config_dahdi_scan: no DAHDI (neither /sys/bus/dahdi_spans nor "
				  "/proc/dahdi exists: is dahdi.ko loaded?)");
	while ((de = readdir(d)) && n < CORE_MAX_SPANS) {
		int s;
		char extra;

		if (sscanf(de->d_name, "%d%c", &s, &extra) == 1)
			spans[n++] = s;
	}
	closedir(d);
	for (int i = 0; i < n; i++) {
		char path[64], line[256];
		FILE *f;
		int chans = 0;

		snprintf(path, sizeof(path), "/proc/dahdi/%d", spans[i]);
		f = fopen(path, "r");
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f))
			if (line[0] == ' ' || line[0] == '\t')
				chans++;
		fclose(f);
		/* /proc has no span type: 24 channels is a T1, else E1 */
		{
			int rc = add_span(cfg, spans[i], chans == 24 ? "T1" : "E1");

			if (rc < 0)
				return rc;
			added += rc;
		}
	}
	return added;
}

/* ------------------------------------------------------------------ */
/* ctitdm sysfs: our emulated board's own view and its cables          */

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

/* ------------------------------------------------------------------ */
/* maintenance: DAHDI_SPANSTAT / DAHDI_MAINT                            */

static int ctl_fd(struct core_span *sp, const char *fn)
{
	int fd = dahdi_ctl(sp->ctx);

	if (fd < 0)
		return cti__error(CTI_EIO, "%s: cannot open /dev/dahdi/ctl", fn);
	return fd;
}

static int dahdi_maint(struct core_span *sp, const char *fn, int command)
{
	struct dahdi_maintinfo mi;
	int fd = ctl_fd(sp, fn);

	if (fd < 0)
		return fd;
	memset(&mi, 0, sizeof(mi));
	mi.spanno = sp->cfg.port;
	mi.command = command;
	if (ioctl(fd, DAHDI_MAINT, &mi) < 0) {
		int e = errno;

		if (e == ENOSYS || e == EOPNOTSUPP)
			return cti__error(CTI_ENOTSUP, "%s: DAHDI span %d: the driver does not support "
					  "maintenance command %d", fn, sp->cfg.port, command);
		return cti__error(CTI_EIO, "%s: DAHDI_MAINT(span %d, command %d): %s", fn, sp->cfg.port, command,
				  strerror(e));
	}
	return 0;
}

static int dahdi_spanstat(struct core_span *sp, const char *fn, struct dahdi_spaninfo *si)
{
	int fd = ctl_fd(sp, fn);

	if (fd < 0)
		return fd;
	memset(si, 0, sizeof(*si));
	si->spanno = sp->cfg.port;
	if (ioctl(fd, DAHDI_SPANSTAT, si) < 0)
		return cti__error(CTI_EIO, "%s: DAHDI_SPANSTAT(span %d): %s", fn, sp->cfg.port, strerror(errno));
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

static int dahdi_status(struct core_span *sp, const char *fn, cti_span_status_t *st)
{
	struct dahdi_spaninfo si;
	int r = dahdi_spanstat(sp, fn, &si);

	if (r < 0)
		return r;
	st->alarms = cti__alarms_from_dahdi(si.alarms);
	st->counters.fas = si.fascount ? (uint32_t)si.fascount : si.fecount;
	st->counters.crc = (uint32_t)si.crc4count;
	st->counters.ebit = (uint32_t)si.ebitcount;
	st->counters.cv = si.cvcount;
	st->counters.bpv = (uint32_t)si.bpvcount;
	st->counters.es = si.errsec;
	st->counters.prbs_errors = si.becount;
	st->counters.slips = dahdi_proc_slips(sp->cfg.port);
	st->timing_source = si.syncsrc == sp->cfg.port;
	if (si.totalchans > 0 && si.totalchans <= 32)
		st->nchannels = si.totalchans;
	if (si.alarms & DAHDI_ALARM_LOOPBACK)
		st->loopback = ds_of(sp)->loopback ? ds_of(sp)->loopback : CTI_LOOP_LOCAL;
	ctitdm_status(sp->cfg.port, st);
	return 0;
}

static int dahdi_reset_counters(struct core_span *sp, const char *fn)
{
	return dahdi_maint(sp, fn, DAHDI_RESET_COUNTERS);
}

static int dahdi_loopback(struct core_span *sp, const char *fn, enum cti_loopback mode)
{
	static const int cmd[] = {
		[CTI_LOOP_NONE] = DAHDI_MAINT_NONE,
		[CTI_LOOP_LOCAL] = DAHDI_MAINT_LOCALLOOP,
		[CTI_LOOP_NETWORK_LINE] = DAHDI_MAINT_NETWORKLINELOOP,
		[CTI_LOOP_NETWORK_PAYLOAD] = DAHDI_MAINT_NETWORKPAYLOADLOOP,
	};
	int r = dahdi_maint(sp, fn, cmd[mode]);

	if (r == 0)
		ds_of(sp)->loopback = mode;
	return r;
}

static int dahdi_loopcode(struct core_span *sp, const char *fn, int up)
{
	/*
	 * Drivers stop a code after DAHDI_LOOPCODE_TIME (10 s); NONE ends
	 * it sooner (DAHDI passes NONE on only while a code or loopback is
	 * set, so it is harmless after the code ended by itself).
	 */
	return dahdi_maint(sp, fn, up < 0 ? DAHDI_MAINT_NONE : up ? DAHDI_MAINT_LOOPUP : DAHDI_MAINT_LOOPDOWN);
}

static int dahdi_inject(struct core_span *sp, const char *fn, enum cti_inject what, uint32_t count,
			uint32_t per_second)
{
	static const int cmd[] = {
		[CTI_INJ_FAS] = DAHDI_MAINT_FAS_DEFECT,
		[CTI_INJ_MFAS] = DAHDI_MAINT_MULTI_DEFECT,
		[CTI_INJ_CRC] = DAHDI_MAINT_CRC_DEFECT,
		[CTI_INJ_CAS] = DAHDI_MAINT_CAS_DEFECT,
		[CTI_INJ_PRBS] = DAHDI_MAINT_PRBS_DEFECT,
		[CTI_INJ_BPV] = DAHDI_MAINT_BIPOLAR_DEFECT,
	};
	int r = 0;

	if (per_second)
		return cti__error(CTI_ENOTSUP, "%s: DAHDI span %d: DAHDI injects single errors only (no rate)", fn,
				  sp->cfg.port);
	for (uint32_t i = 0; i < count && r == 0; i++)
		r = dahdi_maint(sp, fn, cmd[what]);
	return r;
}

static int dahdi_bert_check(struct core_span *sp, const char *fn, enum cti_prbs pattern, int all_slots)
{
	/*
	 * DAHDI has no pattern or timeslot selection: DAHDI_MAINT_PRBS runs the driver's
	 * pattern on the whole payload (ctitdm: 2^15-1 on E1 per O.151, QRSS on T1).
	 */
	enum cti_prbs drv = sp->cfg.line == CTI_LINE_T1 ? CTI_PRBS_QRSS : CTI_PRBS_2E15;

	if (pattern != drv || !all_slots)
		return cti__error(CTI_ENOTSUP, "%s: DAHDI span %d: DAHDI_MAINT_PRBS runs the driver's %s pattern on "
				  "all timeslots only", fn, sp->cfg.port, drv == CTI_PRBS_QRSS ? "QRSS" : "2^15-1");
	return 0;
}

static int dahdi_bert_start(struct core_span *sp, const char *fn, enum cti_prbs pattern, uint32_t mask)
{
	struct dahdi_span *ds = ds_of(sp);
	struct dahdi_spaninfo si;
	int r = dahdi_spanstat(sp, fn, &si);

	(void)pattern;
	if (r == 0)
		r = dahdi_maint(sp, fn, DAHDI_MAINT_PRBS);
	if (r < 0)
		return r;
	ds->bert_running = 1;
	ds->bert_start_ms = core_now_ms(sp->ctx);
	ds->bert_be0 = si.becount;
	ds->bert_es0 = si.errsec;
	ds->bert_mask = mask;
	return 0;
}

static int dahdi_bert_stop(struct core_span *sp, const char *fn, int *running)
{
	struct dahdi_span *ds = ds_of(sp);

	*running = ds->bert_running;
	if (!*running)
		return 0;
	ds->bert_running = 0;
	/* DAHDI_MAINT_PRBS is a toggle (DAHDI drops NONE when no loopback was set) */
	return dahdi_maint(sp, fn, DAHDI_MAINT_PRBS);
}

static unsigned int popcount32(uint32_t v)
{
	unsigned int n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static int dahdi_bert_status(struct core_span *sp, const char *fn, cti_bert_status_t *st)
{
	static const char *const k[8] = { "pattern", "sync", "bits", "errors", "sync_losses", "seconds",
					  "errored_seconds", "severely_errored_seconds" };
	struct dahdi_span *ds = ds_of(sp);
	struct dahdi_spaninfo si;
	char dir[PATH_MAX];
	long long v[8];
	uint64_t now = core_now_ms(sp->ctx);
	int ok, r;

	if (!ds->bert_running)
		return 0;
	ok = ctitdm_dir_of_span(sp->cfg.port, dir, sizeof(dir)) == 0;
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
		return 0;
	}
	r = dahdi_spanstat(sp, fn, &si);
	if (r < 0)
		return r;
	st->running = 1;
	/* Drivers put the framer's PRBS status register in prbs: non-zero = pattern locked. */
	st->sync = si.prbs != 0;
	st->seconds = (uint32_t)((now - ds->bert_start_ms) / 1000);
	st->errors = si.becount - ds->bert_be0;
	st->errored_seconds = si.errsec - ds->bert_es0;
	st->bits = (uint64_t)(now - ds->bert_start_ms) *
		   (ds->bert_mask ? popcount32(ds->bert_mask) * 64u : (sp->cfg.line == CTI_LINE_T1 ? 1544u : 2048u));
	return 0;
}

/* ------------------------------------------------------------------ */
/* cables of the ctitdm board (sysfs), whether or not a span uses DAHDI */

static int dahdi_cable_ports(struct core_transport *tp, char *why, size_t size)
{
	int n = ctitdm_nports();

	(void)tp;
	if (n <= 0)
		snprintf(why, size, "no ctitdm board is loaded (%s/ctitdm.*)", ctitdm_root());
	return n > 0 ? n : 0;
}

static int cable_dir(const char *fn, int port, char *dir, size_t size)
{
	if (port < 1 || ctitdm_port_dir(port, dir, size) < 0)
		return cti__error(CTI_EINVAL, "%s: port %d out of range (the ctitdm board has %d ports)", fn, port,
				  ctitdm_nports());
	return 0;
}

static int dahdi_cable_connect(struct core_transport *tp, const char *fn, int port_a, int port_b)
{
	char a[PATH_MAX], b[PATH_MAX];
	int r = cable_dir(fn, port_a, a, sizeof(a));

	(void)tp;
	if (r == 0)
		r = cable_dir(fn, port_b, b, sizeof(b));
	if (r == 0)
		r = attr_write(fn, a, "peer", "%d", port_b);
	return r;
}

static int dahdi_cable_cut(struct core_transport *tp, const char *fn, int port)
{
	char dir[PATH_MAX];
	int r = cable_dir(fn, port, dir, sizeof(dir));

	(void)tp;
	return r < 0 ? r : attr_write(fn, dir, "peer", "0");
}

static int peer_of(const char *fn, const char *dir)
{
	long long v;
	int r = attr_long(fn, dir, "peer", &v);

	return r < 0 ? r : (int)v;
}

static int dahdi_cable_peer(struct core_transport *tp, const char *fn, int port)
{
	char dir[PATH_MAX];
	int r = cable_dir(fn, port, dir, sizeof(dir));

	(void)tp;
	return r < 0 ? r : peer_of(fn, dir);
}

/* A broken receive pair arriving at port is the far end's 'tx' off. */
static int ctitdm_los(const char *fn, int port, const char *pdir, int set, int *los)
{
	char dir[PATH_MAX];
	long long tx;
	int peer = peer_of(fn, pdir), r;

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

static int dahdi_cable_set_faults(struct core_transport *tp, const char *fn, int port, const cti_line_faults_t *f)
{
	char dir[PATH_MAX];
	int los = f->los != 0;
	int r = cable_dir(fn, port, dir, sizeof(dir));

	(void)tp;
	if (r == 0)
		r = attr_write(fn, dir, "ais", "%d", f->ais ? 1 : 0);
	if (r == 0)
		r = attr_write(fn, dir, "ber", "%llu", (unsigned long long)llround(f->ber * 1e12));
	if (r == 0)
		r = attr_write(fn, dir, "burst", "%d", f->burst_bits);
	if (r == 0)
		r = attr_write(fn, dir, "ppm", "%d", f->ppm);
	if (r == 0)
		r = ctitdm_los(fn, port, dir, 1, &los);
	return r;
}

static int dahdi_cable_get_faults(struct core_transport *tp, const char *fn, int port, cti_line_faults_t *f)
{
	char dir[PATH_MAX];
	long long v;
	int r = cable_dir(fn, port, dir, sizeof(dir));

	(void)tp;
	if (r == 0 && (r = attr_long(fn, dir, "ais", &v)) == 0)
		f->ais = v != 0;
	if (r == 0 && (r = attr_long(fn, dir, "ber", &v)) == 0)
		f->ber = (double)v / 1e12;
	if (r == 0 && (r = attr_long(fn, dir, "burst", &v)) == 0)
		f->burst_bits = (int)v;
	if (r == 0 && (r = attr_long(fn, dir, "ppm", &v)) == 0)
		f->ppm = (int)v;
	if (r == 0)
		r = ctitdm_los(fn, port, dir, 0, &f->los);
	return r;
}

const struct cti_transport_ops core_transport_dahdi = {
	.name = "dahdi",
	.port_noun = "DAHDI span",
	.max_port = 1024,
	.check = dahdi_check,
	.open = dahdi_open,
	.close = dahdi_close,
	.span_start = dahdi_span_start,
	.span_stop = dahdi_span_stop,
	.dframe_send = dahdi_dframe_send,
	.paced = dahdi_paced,
	.block_rx = dahdi_block_rx,
	.block_in = dahdi_block_in,
	.block_out = dahdi_block_out,
	.service = dahdi_service,
	.status = dahdi_status,
	.reset_counters = dahdi_reset_counters,
	.loopback = dahdi_loopback,
	.loopcode = dahdi_loopcode,
	.inject = dahdi_inject,
	.bert_check = dahdi_bert_check,
	.bert_start = dahdi_bert_start,
	.bert_stop = dahdi_bert_stop,
	.bert_status = dahdi_bert_status,
	.cable_ports = dahdi_cable_ports,
	.cable_connect = dahdi_cable_connect,
	.cable_cut = dahdi_cable_cut,
	.cable_peer = dahdi_cable_peer,
	.cable_set_faults = dahdi_cable_set_faults,
	.cable_get_faults = dahdi_cable_get_faults,
};
