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

#define DAHDI_BBUFS 16	/* B-channel buffers of 20 ms: tx starts with 160 ms queued, rx holds 320 ms */

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
		struct dahdi_bufferinfo bi;

		/*
		 * Transmit starts (and restarts after an underrun) only with
		 * half the buffers queued: DAHDI_BBUFS/2 blocks of cushion.
		 */
		memset(&bi, 0, sizeof(bi));
		bi.txbufpolicy = DAHDI_POLICY_HALF_FULL;
		bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
		bi.numbufs = DAHDI_BBUFS;
		bi.bufsize = CORE_BLOCK;
		if (ioctl(fd, DAHDI_SET_BUFINFO, &bi) < 0) {
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
		}
	}
	sp->alarms = ~0u;	/* first SPANSTAT reports the state */
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
 * Read one received block on every B-channel if the reference channel has
 * one (1), else nothing (0). Channels of the other spans run on the same
 * timing source; one that has no block yet (read between two spans' receive
 * in the same tick) gets idle once and keeps a block of backlog from then on.
 */
int core_dahdi_rx_block(cti_ctx_t *ctx)
{
	struct core_span *rsp;
	int rch, fd = ref_fd(ctx, &rsp, &rch);
	uint8_t tmp[CORE_BLOCK];

	if (fd < 0 || read(fd, tmp, CORE_BLOCK) != CORE_BLOCK)
		return 0;
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
	for (int i = 1; i <= ctx->nspans; i++) {
		struct core_span *sp = ctx->spans[i];

		if (sp->cfg.transport != CTI_TRANSPORT_DAHDI)
			continue;
		for (int ch = 1; ch <= sp->maxchan; ch++) {
			if (sp->bfd[ch] < 0)
				continue;
			if (out) {
				if (write(sp->bfd[ch], sp->txbuf[ch], CORE_BLOCK) < 0) {
					/* buffer full: DAHDI plays what it has */
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
