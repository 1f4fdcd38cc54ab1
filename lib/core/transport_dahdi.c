/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * transport_dahdi.c - the dahdi transport: any DAHDI span (our ctitdm board or a real
 * card). B-channels: /dev/dahdi/channel + DAHDI_SPECIFY, blocksize 160,
 * DAHDI_SETLAW, audio mode. D-channel: same, in HDLC FCS mode
 * (DAHDI_HDLCFCSMODE: DAHDI adds/checks the FCS; reads and writes carry 2
 * FCS bytes, exactly what libpri produces and expects). Alarms from
 * DAHDI_SPANSTAT. Runs on the real clock only: the clock thread services the
 * descriptors every 1 ms (non-blocking) with the context lock held. The
 * media blocks are paced by the B-channels (core_dahdi_rx_block): one 20 ms
 * step per block DAHDI received, never by the thread's own timer.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
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
 * (silence, pauses of speech) are left out, whole or half, until it is back
 * at the prefill; so a single descheduling does not leave the call with a
 * longer delay and no speech is cut. A step late by less than a block
 * makes no burst but may still grow the queue: every DAHDI_PROBE_STEPS
 * steps half a quiet block is left out anyway (if the queue was only the
 * prefill, it runs dry in silence and the next block starts at once), and
 * a call's media starts on a queue emptied to the prefill. Without a quiet block for
 * DAHDI_LOUD_STEPS steps, a block is left out anyway if the queue is 40 ms
 * or more over.
 *
 * Deep (fax, media_chan_continuous()): the previous buffering,
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
#define REALIGN_READ 1
#define REALIGN_WRITE 2

#define SPANSTAT_EVERY_MS 100

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

int cti__dahdi_ctl(cti_ctx_t *ctx)
{
	if (!ctx)
		return -1;
	if (ctx->dahdi_ctl < 0)
		ctx->dahdi_ctl = open("/dev/dahdi/ctl", O_RDWR | O_CLOEXEC);
	return ctx->dahdi_ctl;
}

/* First channel number of a span: sysfs, else the sum of the spans before it. */
static int span_basechan(cti_ctx_t *ctx, int span)
{
	int base, fd, sum = 1;

	if (read_sys_int(span, "basechan", &base) == 0 && base > 0)
		return base;
	fd = cti__dahdi_ctl(ctx);
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
static void prefill(struct core_span *sp, int ch, int burst)
{
	uint8_t idle[DAHDI_VOICE_PREFILL];

	memset(idle, sp->cfg.law == CTI_LAW_ULAW ? 0xff : 0xd5, sizeof(idle));
	if (write(sp->bfd[ch], idle, sizeof(idle)) < 0) {
		/* DAHDI plays idle anyway */
	}
	/* at the burst's end the queue holds the prefill plus this burst's writes */
	sp->bq[ch] = DAHDI_VOICE_PREFILL + CORE_BLOCK * burst;
	sp->bw[ch] = 0;
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

int core_dahdi_span_start(struct core_span *sp)
{
	cti_ctx_t *ctx = sp->ctx;
	int base = span_basechan(ctx, sp->cfg.port);

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
		sp->dfd = fd;
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (!(sp->bmask & (1u << ch)))
				continue;
			fd = open_chan(sp, base + ch - 1, 0);
			if (fd < 0)
				return fd;
			sp->bfd[ch] = fd;
			sp->bdeep[ch] = sp->bwant[ch] = sp->bhad[ch] = 0;
			sp->bprobe[ch] = 0;
			sp->bq[ch] = sp->bw[ch] = sp->bloud[ch] = 0;
		}
	}
	sp->alarms = ~0u;	/* first SPANSTAT reports the state */
	ctx->dahdi_realign = REALIGN_READ | REALIGN_WRITE;	/* the new B-channels */
	return 0;
}

void core_dahdi_span_stop(struct core_span *sp)
{
	if (sp->dfd >= 0)
		close(sp->dfd);
	sp->dfd = -1;
	for (int ch = 0; ch < CORE_MAX_CHAN; ch++) {
		if (sp->bfd[ch] >= 0)
			close(sp->bfd[ch]);
		sp->bfd[ch] = -1;
	}
}

int core_dahdi_send(struct core_span *sp, const uint8_t *buf, int len)
{
	uint8_t tmp[CORE_DFRAME_MAX + 2];

	if (sp->dfd < 0 || len <= 0 || len > CORE_DFRAME_MAX)
		return -1;
	memcpy(tmp, buf, (size_t)len);
	tmp[len] = tmp[len + 1] = 0;	/* FCS filled in by DAHDI */
	return write(sp->dfd, tmp, (size_t)len + 2) < 0 ? -1 : len;
}

int core_dahdi_bchan_open(struct core_span *sp, int chan)
{
	return sp->bfd[chan] >= 0 ? 0 : CTI_ENOENT;
}

void core_dahdi_bchan_close(struct core_span *sp, int chan)
{
	(void)sp;
	(void)chan;
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
void core_dahdi_poll(cti_ctx_t *ctx, int timeout_ms)
{
	(void)timeout_ms;
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];
		uint8_t buf[CORE_DFRAME_MAX + 2];
		int n;

		if (sp->cfg.transport != CTI_TRANSPORT_DAHDI)
			continue;
		if (core_now_ms(ctx) >= sp->next_stat_ms || sp->alarms == ~0u) {
			sp->next_stat_ms = core_now_ms(ctx) + SPANSTAT_EVERY_MS;
			struct dahdi_spaninfo si;
			int fd = sp->dfd >= 0 ? sp->dfd : cti__dahdi_ctl(ctx);

			memset(&si, 0, sizeof(si));
			si.spanno = sp->cfg.port;
			if (fd >= 0 && ioctl(fd, DAHDI_SPANSTAT, &si) == 0) {
				uint32_t a = cti__alarms_from_dahdi(si.alarms);

				if (a != sp->alarms)
					core_span_alarms(sp, a);
			}
		}
		if (sp->dfd < 0)
			continue;
		for (int k = 0; k < 32; k++) {
			n = (int)read(sp->dfd, buf, sizeof(buf));
			if (n < 0 && errno == ELAST) {
				int ev = 0;

				/* DAHDI reports events (alarm, bad FCS, abort) as ELAST */
				ioctl(sp->dfd, DAHDI_GETEVENT, &ev);
				continue;
			}
			if (n <= 2)
				break;
			core_span_dframe(sp, buf, n - 2);
		}
	}
}

/* The reference B-channel: the first one open on the first DAHDI span. */
static int ref_fd(cti_ctx_t *ctx, struct core_span **rsp, int *rch)
{
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];

		if (sp->cfg.transport != CTI_TRANSPORT_DAHDI)
			continue;
		for (int ch = 1; ch <= sp->maxchan; ch++)
			if (sp->bfd[ch] >= 0) {
				*rsp = sp;
				*rch = ch;
				return sp->bfd[ch];
			}
	}
	return -1;
}

/* Media paced by the DAHDI spans: only when every span is DAHDI and has B-channels. */
int core_dahdi_paced(cti_ctx_t *ctx)
{
	struct core_span *sp;
	int ch;

	return !ctx->has_sim && ref_fd(ctx, &sp, &ch) >= 0;
}

/*
 * Align the block phases: empty every B-channel's DAHDI read buffers at
 * once, the reference last, so every channel's next received block starts
 * with the same chunk (all spans run on one timing source); and (write)
 * empty the voice channels' write buffers and queue the prefill. Costs the
 * part blocks in the buffers: done when the B-channels open.
 */
static void realign(cti_ctx_t *ctx, int rfd, int what)
{
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 1; i <= ctx->nspans; i++) {
			struct core_span *sp = ctx->spans[i];

			if (sp->cfg.transport != CTI_TRANSPORT_DAHDI)
				continue;
			for (int ch = 1; ch <= sp->maxchan; ch++) {
				int fd = sp->bfd[ch], fl = 0;

				if (fd < 0 || (fd == rfd) != (pass == 1))
					continue;
				if (what & REALIGN_READ)
					fl |= DAHDI_FLUSH_READ;
				if ((what & REALIGN_WRITE) && !sp->bdeep[ch])
					fl |= DAHDI_FLUSH_WRITE;
				if (ioctl(fd, DAHDI_FLUSH, &fl) < 0) {
					/* best effort: the phase stays as it was */
				}
				if (fl & DAHDI_FLUSH_WRITE)
					prefill(sp, ch, ctx->dahdi_burst);
			}
		}
	}
	ctx->dahdi_realign &= ~what;
}

/*
 * Read one received block on every B-channel if the reference channel has
 * one (1), else nothing (0). Channels of the other spans run on the same
 * timing source and, aligned, complete their blocks in the same tick as the
 * reference; one that has no block yet (read between two spans' receive in
 * the same tick) gets idle once and keeps a block of backlog from then on.
 * The blocks read until the reference has none are a burst: DAHDI played
 * as many blocks from the write queues meanwhile (bq, bw).
 */
int core_dahdi_rx_block(cti_ctx_t *ctx)
{
	struct core_span *rsp;
	int rch, fd = ref_fd(ctx, &rsp, &rch);
	uint8_t tmp[CORE_BLOCK];

	if (fd >= 0 && (ctx->dahdi_realign & REALIGN_READ)) {
		realign(ctx, fd, REALIGN_READ);
		return 0;
	}
	if (fd < 0 || read(fd, tmp, CORE_BLOCK) != CORE_BLOCK) {
		if (ctx->dahdi_burst > 0) {
			for (int i = 1; i <= ctx->nspans; i++) {
				struct core_span *sp = ctx->spans[i];

				if (sp->cfg.transport != CTI_TRANSPORT_DAHDI)
					continue;
				for (int ch = 1; ch <= sp->maxchan; ch++) {
					int q = sp->bq[ch] - CORE_BLOCK * ctx->dahdi_burst;

					sp->bq[ch] = (q > 0 ? q : 0) + sp->bw[ch];
					sp->bw[ch] = 0;
				}
			}
		}
		ctx->dahdi_burst = 0;
		return 0;
	}
	ctx->dahdi_burst++;
	memcpy(rsp->rxbuf[rch], tmp, CORE_BLOCK);
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];

		if (sp->cfg.transport != CTI_TRANSPORT_DAHDI)
			continue;
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (sp->bfd[ch] < 0 || (sp == rsp && ch == rch))
				continue;
			if (read(sp->bfd[ch], tmp, CORE_BLOCK) == CORE_BLOCK)
				memcpy(sp->rxbuf[ch], tmp, CORE_BLOCK);
			else
				memset(sp->rxbuf[ch], sp->cfg.law == CTI_LAW_ULAW ? 0xff : 0xd5, CORE_BLOCK);
		}
	}
	ctx->dahdi_rx_done = 1;
	return 1;
}

/* 20 ms media step: blocks in before, out after (lock held). */
void core_dahdi_blocks(cti_ctx_t *ctx, int out)
{
	if (!out && ctx->dahdi_rx_done) {
		ctx->dahdi_rx_done = 0;		/* core_dahdi_rx_block read them */
		return;
	}
	if (out && (ctx->dahdi_realign & REALIGN_WRITE)) {
		/* right before the step's write, so the cushion is the prefill */
		struct core_span *rsp;
		int rch, fd = ref_fd(ctx, &rsp, &rch);

		if (fd >= 0)
			realign(ctx, fd, REALIGN_WRITE);
	}
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];

		if (sp->cfg.transport != CTI_TRANSPORT_DAHDI)
			continue;
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (sp->bfd[ch] < 0)
				continue;
			if (out) {
				int fd = sp->bfd[ch], want = sp->bwant[ch], n = CORE_BLOCK, q, over;
				int deep = !!(want & CORE_B_DEEP);
				const uint8_t *blk = sp->txbuf[ch];

				sp->bwant[ch] = 0;
				if ((want & CORE_B_MEDIA) && !(sp->bhad[ch] & CORE_B_MEDIA) && !deep && !sp->bdeep[ch]) {
					/* a call's media starts: its cushion starts at the prefill */
					int fl = DAHDI_FLUSH_WRITE;

					if (ioctl(fd, DAHDI_FLUSH, &fl) == 0)
						prefill(sp, ch, ctx->dahdi_burst);
				}
				sp->bhad[ch] = (uint8_t)want;
				if (deep != sp->bdeep[ch]) {
					/* fax attached or gone: switch this channel's buffering */
					if (set_bufs(fd, deep) == 0) {
						sp->bdeep[ch] = (uint8_t)deep;
						if (!deep)
							prefill(sp, ch, ctx->dahdi_burst);
					}
				}
				if (sp->bdeep[ch]) {
					if (write(fd, blk, CORE_BLOCK) < 0) {
						/* buffers full: DAHDI plays what it has */
					}
					continue;
				}
				/* samples queued now, and how far past the prefill after this block */
				q = sp->bq[ch] - CORE_BLOCK * ctx->dahdi_burst;
				q = (q > 0 ? q : 0) + sp->bw[ch];
				over = q - DAHDI_VOICE_PREFILL;
				if (sp->bprobe[ch] < DAHDI_PROBE_STEPS)
					sp->bprobe[ch]++;
				if (quiet_block(sp, blk)) {
					sp->bloud[ch] = 0;
					if (over >= CORE_BLOCK) {
						n = 0;			/* leave it out */
					} else if (over >= CORE_BLOCK / 2) {
						n = CORE_BLOCK / 2;	/* leave half out */
					} else if (sp->bprobe[ch] >= DAHDI_PROBE_STEPS) {
						/*
						 * Probe: a late step that did not make a burst grew
						 * the queue unseen. Leave half a quiet block out but
						 * count it whole: too short, the queue runs dry in
						 * silence and the next block starts at once.
						 */
						sp->bprobe[ch] = 0;
						n = CORE_BLOCK / 2;
						sp->bw[ch] += CORE_BLOCK / 2;
					}
				} else if (sp->bloud[ch] < DAHDI_LOUD_STEPS) {
					sp->bloud[ch]++;
				} else if (over >= 2 * CORE_BLOCK) {
					sp->bloud[ch] = 0;
					n = 0;
				}
				if (n == 0)
					continue;
				if (write(fd, blk + CORE_BLOCK - n, (size_t)n) >= 0) {
					sp->bw[ch] += n;
				} else {
					/* every buffer full (160 ms): start again from the prefill */
					int fl = DAHDI_FLUSH_WRITE;

					if (ioctl(fd, DAHDI_FLUSH, &fl) == 0) {
						prefill(sp, ch, ctx->dahdi_burst);
						if (write(fd, blk, CORE_BLOCK) >= 0)
							sp->bw[ch] += CORE_BLOCK;
					}
				}
			} else {
				uint8_t tmp[CORE_BLOCK];

				if (read(sp->bfd[ch], tmp, CORE_BLOCK) == CORE_BLOCK)
					memcpy(sp->rxbuf[ch], tmp, CORE_BLOCK);
			}
		}
	}
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
