/*
 * ctitdm-test - guest-side helper of the QEMU tests of the ctitdm driver.
 *
 *   ctitdm-test maint SPAN MODE     DAHDI_MAINT (MODE: name or number)
 *   ctitdm-test spanstat SPAN       DAHDI_SPANSTAT: alarms and counters
 *   ctitdm-test bchan TX RX [N [MASK]]  N bytes written on TX arrive on RX
 *                                   (only the bits in MASK compared)
 *   ctitdm-test hdlc TX RX [N]      N HDLC frames written on TX arrive on RX
 *   ctitdm-test hdlcerr TX RX [N]   bad-FCS frames reported, never delivered
 *   ctitdm-test hdlcbig TX RX       a too long frame is dropped, the next passes
 *   ctitdm-test echo CHAN TAPS SECS  returned (echo) power with EC taps (0 = off)
 *   ctitdm-test rbs TX RX           off/on hook on TX: RX receives TX's ABCD bits
 *
 * Exit status 0 when the check passed; the reason is printed otherwise.
 * Built statically so the initramfs needs no libraries for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <dahdi/user.h>

static const struct {
	const char *name;
	int mode;
} maint_modes[] = {
	{ "none", DAHDI_MAINT_NONE },
	{ "localloop", DAHDI_MAINT_LOCALLOOP },
	{ "networkline", DAHDI_MAINT_NETWORKLINELOOP },
	{ "loopup", DAHDI_MAINT_LOOPUP },
	{ "loopdown", DAHDI_MAINT_LOOPDOWN },
	{ "fas", DAHDI_MAINT_FAS_DEFECT },
	{ "multi", DAHDI_MAINT_MULTI_DEFECT },
	{ "crc", DAHDI_MAINT_CRC_DEFECT },
	{ "cas", DAHDI_MAINT_CAS_DEFECT },
	{ "prbsdefect", DAHDI_MAINT_PRBS_DEFECT },
	{ "bipolar", DAHDI_MAINT_BIPOLAR_DEFECT },
	{ "prbs", DAHDI_MAINT_PRBS },
	{ "networkpayload", DAHDI_MAINT_NETWORKPAYLOADLOOP },
	{ "reset", DAHDI_RESET_COUNTERS },
	{ "alarmsim", DAHDI_MAINT_ALARM_SIM },
};

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_chan(int chan, int hdlc)
{
	struct dahdi_bufferinfo bi;
	int fd, bs = hdlc == 1 ? 1024 : 160, zero = 0, one = 1;

	fd = open("/dev/dahdi/channel", O_RDWR | O_NONBLOCK);
	if (fd < 0) {
		perror("open /dev/dahdi/channel");
		return -1;
	}
	if (ioctl(fd, DAHDI_SPECIFY, &chan)) {
		fprintf(stderr, "DAHDI_SPECIFY %d: %s\n", chan, strerror(errno));
		close(fd);
		return -1;
	}
	if (ioctl(fd, DAHDI_SET_BLOCKSIZE, &bs))
		fprintf(stderr, "DAHDI_SET_BLOCKSIZE %d: %s\n", bs, strerror(errno));
	memset(&bi, 0, sizeof(bi));
	bi.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.numbufs = 32;
	bi.bufsize = bs;
	if (ioctl(fd, DAHDI_SET_BUFINFO, &bi))
		fprintf(stderr, "DAHDI_SET_BUFINFO: %s\n", strerror(errno));
	/* raw bytes: no gain tables, no echo canceller (mode 2 keeps audio) */
	if (hdlc == 0 && ioctl(fd, DAHDI_AUDIOMODE, &zero))
		fprintf(stderr, "DAHDI_AUDIOMODE: %s\n", strerror(errno));
	if (hdlc == 2 && ioctl(fd, DAHDI_AUDIOMODE, &one))
		fprintf(stderr, "DAHDI_AUDIOMODE on: %s\n", strerror(errno));
	return fd;
}

static int bad_frames;	/* DAHDI_EVENT_BADFCS / ABORT seen */

/* An event pending (alarm, ...) makes read/write fail with ELAST. */
static void drain_event(int fd)
{
	int ev;

	if (ioctl(fd, DAHDI_GETEVENT, &ev) == 0 && ev) {
		if (ev == DAHDI_EVENT_BADFCS || ev == DAHDI_EVENT_ABORT)
			bad_frames++;
		else
			fprintf(stderr, "# event %d on fd %d\n", ev, fd);
	}
}

static int cmd_maint(int span, const char *mode)
{
	struct dahdi_maintinfo mi = { .spanno = span, .command = -1 };
	unsigned int i;
	int fd;

	for (i = 0; i < sizeof(maint_modes) / sizeof(maint_modes[0]); i++)
		if (!strcasecmp(mode, maint_modes[i].name))
			mi.command = maint_modes[i].mode;
	if (mi.command < 0)
		mi.command = atoi(mode);
	fd = open("/dev/dahdi/ctl", O_RDWR);
	if (fd < 0) {
		perror("open /dev/dahdi/ctl");
		return 2;
	}
	if (ioctl(fd, DAHDI_MAINT, &mi)) {
		printf("maint span %d mode %d: %s\n", span, mi.command,
		       strerror(errno));
		close(fd);
		return 1;
	}
	close(fd);
	return 0;
}

static int cmd_spanstat(int span)
{
	struct dahdi_spaninfo si;
	int fd;

	fd = open("/dev/dahdi/ctl", O_RDWR);
	if (fd < 0) {
		perror("open /dev/dahdi/ctl");
		return 2;
	}
	memset(&si, 0, sizeof(si));
	si.spanno = span;
	if (ioctl(fd, DAHDI_SPANSTAT, &si)) {
		perror("DAHDI_SPANSTAT");
		close(fd);
		return 1;
	}
	close(fd);
	printf("alarms=%d fe=%u cv=%u bpv=%d crc4=%d ebit=%d fas=%d be=%u prbs=%u errsec=%u syncsrc=%d irqmisses=%d\n",
	       si.alarms, si.fecount, si.cvcount, si.bpvcount, si.crc4count,
	       si.ebitcount, si.fascount, si.becount, si.prbs, si.errsec,
	       si.syncsrc, si.irqmisses);
	return 0;
}

/*
 * Write a known sequence on one channel and find it, unchanged and in
 * order, in what the other channel receives (after the line's idle bytes).
 */
static int cmd_bchan(int txc, int rxc, int n, unsigned int mask)
{
	unsigned char *tx, *rx, buf[160];
	int txfd, rxfd, sent = 0, got = 0, i, start = -1;
	double deadline;

	tx = malloc(n);
	rx = malloc(n * 4 + 16000);
	for (i = 0; i < n; i++)
		tx[i] = (unsigned char)((i * 7 + (i >> 8) * 13 + 1) & 0xff);
	/* a marker the idle stream cannot contain */
	memcpy(tx, "\x00\x55\xaa\x0f\xf0\x33\xcc\x01", 8);
	txfd = open_chan(txc, 0);
	rxfd = txc == rxc ? txfd : open_chan(rxc, 0);
	if (txfd < 0 || rxfd < 0)
		return 2;
	deadline = now() + 15;
	while (now() < deadline && got < n * 4 + 8000) {
		struct pollfd p[2] = {
			{ .fd = rxfd, .events = POLLIN | POLLPRI },
			{ .fd = txfd, .events = sent < n ? POLLOUT : 0 },
		};
		int r;

		poll(p, txfd == rxfd ? 1 : 2, 100);
		if (txfd == rxfd && sent < n)
			p[0].revents |= POLLOUT;
		if ((p[0].revents | p[1].revents) & POLLPRI) {
			drain_event(rxfd);
			drain_event(txfd);
		}
		/* queue as much as DAHDI takes so the transmitter never idles */
		while (sent < n && ((p[1].revents | p[0].revents) & POLLOUT)) {
			int len = n - sent > 160 ? 160 : n - sent;

			r = write(txfd, tx + sent, len);
			if (r > 0) {
				sent += r;
				continue;
			}
			if (r < 0 && errno == ELAST)
				drain_event(txfd);
			break;
		}
		r = read(rxfd, buf, sizeof(buf));
		if (r > 0) {
			memcpy(rx + got, buf, r);
			got += r;
		} else if (r < 0 && errno == ELAST) {
			drain_event(rxfd);
		}
		if (start < 0) {
			for (i = 0; start < 0 && i + 8 <= got; i++) {
				int k;

				for (k = 0; k < 8; k++)
					if ((rx[i + k] ^ tx[k]) & mask)
						break;
				if (k == 8)
					start = i;
			}
		}
		if (start >= 0 && got - start >= n)
			break;
	}
	if (start < 0) {
		printf("bchan %d->%d: marker not found in %d received bytes (sent %d)\n",
		       txc, rxc, got, sent);
		return 1;
	}
	if (got - start < n) {
		printf("bchan %d->%d: only %d of %d bytes arrived\n", txc, rxc,
		       got - start, n);
		return 1;
	}
	for (i = 0; i < n; i++)
		if ((rx[start + i] ^ tx[i]) & mask) {
			printf("bchan %d->%d: byte %d is 0x%02x, sent 0x%02x\n",
			       txc, rxc, i, rx[start + i], tx[i]);
			return 1;
		}
	printf("bchan %d->%d: %d bytes arrived unchanged (offset %d)\n", txc,
	       rxc, n, start);
	return 0;
}

/* Frames of varied length; each read must return one frame + 2 FCS bytes. */
static int cmd_hdlc(int txc, int rxc, int nframes)
{
	unsigned char frame[300], buf[1100];
	int txfd, rxfd, sent = 0, got = 0, r, len;
	double deadline;

	txfd = open_chan(txc, 1);
	rxfd = open_chan(rxc, 1);
	if (txfd < 0 || rxfd < 0)
		return 2;
	deadline = now() + 15;
	while (got < nframes && now() < deadline) {
		struct pollfd p[2] = {
			{ .fd = rxfd, .events = POLLIN | POLLPRI },
			{ .fd = txfd, .events = sent < nframes ? POLLOUT : 0 },
		};

		poll(p, 2, 100);
		if ((p[0].revents | p[1].revents) & POLLPRI) {
			drain_event(rxfd);
			drain_event(txfd);
		}
		if (sent < nframes && (p[1].revents & POLLOUT)) {
			len = 3 + (sent * 37) % 260;
			frame[0] = sent & 0xff;
			for (r = 1; r < len; r++)
				frame[r] = (unsigned char)(sent + r * 11);
			/* DAHDI expects 2 bytes of room for the FCS */
			r = write(txfd, frame, len + 2);
			if (r == len + 2)
				sent++;
			else if (r < 0 && errno == ELAST)
				drain_event(txfd);
		}
		r = read(rxfd, buf, sizeof(buf));
		if (r < 0) {
			if (errno == ELAST)
				drain_event(rxfd);
			continue;
		}
		if (r == 0)
			continue;
		len = 3 + (got * 37) % 260;
		if (r != len + 2) {
			printf("hdlc %d->%d: frame %d has %d bytes, want %d+2\n",
			       txc, rxc, got, r, len);
			return 1;
		}
		if (buf[0] != (got & 0xff)) {
			printf("hdlc %d->%d: frame %d arrived out of order (tag %d)\n",
			       txc, rxc, got, buf[0]);
			return 1;
		}
		for (int i = 1; i < len; i++)
			if (buf[i] != (unsigned char)(got + i * 11)) {
				printf("hdlc %d->%d: frame %d byte %d differs\n",
				       txc, rxc, got, i);
				return 1;
			}
		got++;
	}
	if (got < nframes) {
		printf("hdlc %d->%d: %d of %d frames arrived (sent %d)\n", txc,
		       rxc, got, nframes, sent);
		return 1;
	}
	printf("hdlc %d->%d: %d frames arrived intact\n", txc, rxc, got);
	return 0;
}

/*
 * HDLC over a line with bit errors: frames with a bad FCS must be reported
 * as DAHDI_EVENT_BADFCS (or ABORT), never delivered; every frame that is
 * delivered must be intact and in order.
 */
static int cmd_hdlcerr(int txc, int rxc, int nframes)
{
	unsigned char frame[300], buf[1100];
	int txfd, rxfd, sent = 0, got = 0, last = -1, r, len, i;
	double deadline, quiet = 0;

	txfd = open_chan(txc, 1);
	rxfd = open_chan(rxc, 1);
	if (txfd < 0 || rxfd < 0)
		return 2;
	deadline = now() + 30;
	while (now() < deadline) {
		struct pollfd p[2] = {
			{ .fd = rxfd, .events = POLLIN | POLLPRI },
			{ .fd = txfd, .events = sent < nframes ? POLLOUT : 0 },
		};

		poll(p, 2, 100);
		if (sent < nframes && (p[1].revents & POLLOUT)) {
			len = 100 + (sent * 37) % 160;
			frame[0] = sent & 0xff;
			for (r = 1; r < len; r++)
				frame[r] = (unsigned char)(sent + r * 11);
			r = write(txfd, frame, len + 2);
			if (r == len + 2)
				sent++;
			else if (r < 0 && errno == ELAST)
				drain_event(txfd);
			if (sent == nframes)
				quiet = now() + 2;
		}
		if (sent == nframes && now() > quiet)
			break;
		r = read(rxfd, buf, sizeof(buf));
		if (r < 0) {
			if (errno == ELAST)
				drain_event(rxfd);
			continue;
		}
		if (r == 0)
			continue;
		/* the tag tells which frame this is (nframes < 256) */
		if (buf[0] <= last && last >= 0) {
			printf("hdlcerr: frame tag %d after %d\n", buf[0], last);
			return 1;
		}
		last = buf[0];
		len = 100 + (last * 37) % 160;
		if (r != len + 2) {
			printf("hdlcerr: frame %d has %d bytes, want %d+2\n", last, r, len);
			return 1;
		}
		for (i = 1; i < len; i++)
			if (buf[i] != (unsigned char)(last + i * 11)) {
				printf("hdlcerr: corrupted frame %d delivered (byte %d)\n",
				       last, i);
				return 1;
			}
		got++;
	}
	printf("hdlcerr %d->%d: sent %d, %d intact, %d reported bad\n", txc,
	       rxc, sent, got, bad_frames);
	if (!bad_frames || !got) {
		printf("hdlcerr: want both intact and reported-bad frames\n");
		return 1;
	}
	return 0;
}

/*
 * A frame longer than the HDLC controller takes (CTIFW_HDLC_MAX_FRAME) is
 * dropped whole; the frame after it still arrives intact.
 */
static int cmd_hdlcbig(int txc, int rxc)
{
	static unsigned char big[1502], small[52], buf[2048];
	struct dahdi_bufferinfo bi;
	int txfd, rxfd, bs = 2048, r;
	double deadline;

	txfd = open_chan(txc, 1);
	rxfd = open_chan(rxc, 1);
	if (txfd < 0 || rxfd < 0)
		return 2;
	memset(&bi, 0, sizeof(bi));
	bi.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.numbufs = 4;
	bi.bufsize = bs;
	if (ioctl(txfd, DAHDI_SET_BUFINFO, &bi) ||
	    ioctl(txfd, DAHDI_SET_BLOCKSIZE, &bs)) {
		perror("hdlcbig: 2048-byte buffers");
		return 2;
	}
	memset(big, 0xb1, sizeof(big));
	memset(small, 0x5a, sizeof(small));
	if (write(txfd, big, sizeof(big)) != (ssize_t)sizeof(big) ||
	    write(txfd, small, sizeof(small)) != (ssize_t)sizeof(small)) {
		perror("hdlcbig: write");
		return 1;
	}
	deadline = now() + 15;
	while (now() < deadline) {
		struct pollfd p = { .fd = rxfd, .events = POLLIN | POLLPRI };

		poll(&p, 1, 100);
		r = read(rxfd, buf, sizeof(buf));
		if (r < 0) {
			if (errno == ELAST)
				drain_event(rxfd);
			continue;
		}
		if (r == 0)
			continue;
		if (r == (int)sizeof(small) && !memcmp(buf, small, 50)) {
			printf("hdlcbig: 1500-byte frame dropped, next frame intact\n");
			return 0;
		}
		printf("hdlcbig: unexpected %d-byte frame (first byte 0x%02x)\n",
		       r, buf[0]);
		return 1;
	}
	printf("hdlcbig: the frame after the oversized one never arrived\n");
	return 1;
}

/*
 * Echo: with the far end in network line loopback everything channel C
 * sends comes back. Send noise (16-bit linear) for SECONDS and report the
 * power of what comes back relative to what was sent over the last second,
 * in dB (0 = full echo). TAPS 0 leaves the echo canceller off.
 */
static int cmd_echo(int c, int taps, int seconds)
{
	struct {
		struct dahdi_echocanparams p;
		struct dahdi_echocanparam pad[1];
	} ecp;
	short out[160], in[160];
	double txe = 0, rxe = 0, end, tail;
	unsigned int seed = 12345;
	int fd, one = 1, sent = 0, got = 0, i, r;

	fd = open_chan(c, 2);
	if (fd < 0)
		return 2;
	if (ioctl(fd, DAHDI_SETLINEAR, &one)) {
		perror("DAHDI_SETLINEAR");
		return 2;
	}
	memset(&ecp, 0, sizeof(ecp));
	ecp.p.tap_length = taps;
	if (ioctl(fd, DAHDI_ECHOCANCEL_PARAMS, &ecp.p)) {
		perror("DAHDI_ECHOCANCEL_PARAMS");
		return 2;
	}
	end = now() + seconds;
	tail = end - 1.0;
	while (now() < end) {
		struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLPRI };

		poll(&p, 1, 100);
		if (p.revents & POLLPRI)
			drain_event(fd);
		while (sent - got < 4 * 160) {
			for (i = 0; i < 160; i++) {
				seed = seed * 1103515245 + 12345;
				out[i] = (short)((int)((seed >> 16) % 24000) - 12000);
			}
			r = write(fd, out, sizeof(out));
			if (r <= 0)
				break;
			sent += r / 2;
			if (now() >= tail)
				for (i = 0; i < r / 2; i++)
					txe += (double)out[i] * out[i];
		}
		r = read(fd, in, sizeof(in));
		if (r <= 0) {
			if (r < 0 && errno == ELAST)
				drain_event(fd);
			continue;
		}
		got += r / 2;
		if (now() >= tail)
			for (i = 0; i < r / 2; i++)
				rxe += (double)in[i] * in[i];
	}
	if (txe <= 0) {
		printf("echo: nothing sent in the last second\n");
		return 1;
	}
	/* integer tenths of dB without libm: 10*log10 by repeated division */
	{
		double ratio = (rxe + 1) / txe;
		int tenths = 0;

		while (ratio < 1.0 && tenths > -1000) {
			ratio *= 1.258925412;	/* 10^0.1 */
			tenths--;
		}
		printf("echo chan %d taps %d: returned power %s%d.%d dB relative to sent\n",
		       c, taps, tenths < 0 ? "-" : "", -tenths / 10, -tenths % 10);
	}
	return 0;
}

static int get_params(int fd, struct dahdi_params *p)
{
	memset(p, 0, sizeof(*p));
	p->channo = 0;	/* the channel the fd is bound to */
	return ioctl(fd, DAHDI_GET_PARAMS, p);
}

/* Wait until RX receives the signalling bits TX sends. */
static int rbs_wait(int txfd, int rxfd, int txc, int rxc, const char *what)
{
	struct dahdi_params tp, rp;
	double deadline = now() + 15;

	do {
		if (get_params(txfd, &tp) || get_params(rxfd, &rp)) {
			perror("DAHDI_GET_PARAMS");
			return 1;
		}
		if (rp.rxbits == tp.txbits) {
			printf("rbs %d->%d %s: txbits 0x%x arrived\n", txc, rxc,
			       what, tp.txbits);
			return 0;
		}
		drain_event(rxfd);
		drain_event(txfd);
		usleep(20000);
	} while (now() < deadline);
	printf("rbs %d->%d %s: sent 0x%x, peer receives 0x%x\n", txc, rxc,
	       what, tp.txbits, rp.rxbits);
	return 1;
}

static int cmd_rbs(int txc, int rxc)
{
	struct dahdi_params before, after;
	int txfd = open_chan(txc, 0), rxfd = open_chan(rxc, 0);
	int hook = DAHDI_OFFHOOK;

	if (txfd < 0 || rxfd < 0)
		return 2;
	if (rbs_wait(txfd, rxfd, txc, rxc, "idle"))
		return 1;
	get_params(txfd, &before);
	if (ioctl(txfd, DAHDI_HOOK, &hook)) {
		perror("DAHDI_HOOK offhook");
		return 1;
	}
	get_params(txfd, &after);
	if (after.txbits == before.txbits) {
		printf("rbs: offhook did not change txbits (0x%x)\n", after.txbits);
		return 1;
	}
	if (rbs_wait(txfd, rxfd, txc, rxc, "offhook"))
		return 1;
	hook = DAHDI_ONHOOK;
	if (ioctl(txfd, DAHDI_HOOK, &hook)) {
		perror("DAHDI_HOOK onhook");
		return 1;
	}
	return rbs_wait(txfd, rxfd, txc, rxc, "onhook");
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "hdlcerr"))
		return cmd_hdlcerr(atoi(argv[2]), atoi(argv[3]),
				   argc > 4 ? atoi(argv[4]) : 60);
	if (argc >= 4 && !strcmp(argv[1], "hdlcbig"))
		return cmd_hdlcbig(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 5 && !strcmp(argv[1], "echo"))
		return cmd_echo(atoi(argv[2]), atoi(argv[3]), atoi(argv[4]));
	if (argc >= 4 && !strcmp(argv[1], "rbs"))
		return cmd_rbs(atoi(argv[2]), atoi(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "maint"))
		return cmd_maint(atoi(argv[2]), argv[3]);
	if (argc >= 3 && !strcmp(argv[1], "spanstat"))
		return cmd_spanstat(atoi(argv[2]));
	if (argc >= 4 && !strcmp(argv[1], "bchan"))
		return cmd_bchan(atoi(argv[2]), atoi(argv[3]),
				 argc > 4 ? atoi(argv[4]) : 4000,
				 argc > 5 ? strtoul(argv[5], NULL, 0) : 0xff);
	if (argc >= 4 && !strcmp(argv[1], "hdlc"))
		return cmd_hdlc(atoi(argv[2]), atoi(argv[3]),
				argc > 4 ? atoi(argv[4]) : 20);
	fprintf(stderr,
		"usage: %s maint SPAN MODE | spanstat SPAN | bchan TX RX [N [MASK]] | hdlc TX RX [N] | rbs TX RX | echo CHAN TAPS SECS\n",
		argv[0]);
	return 2;
}
