/*
 * pri-test - a PRI call across the emulated board: libpri's network side on
 * one hardhdlc D-channel, its CPE side on the cabled peer's D-channel.
 * The D-channels must come up (SABME/UA over the ctitdm HDLC controller),
 * then the CPE places a call, the network answers, the CPE hangs up.
 *
 *   pri-test NET_DCHAN CPE_DCHAN e1|t1 NUMBER
 *
 * Exit 0 when the whole call ran; the reason is printed otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <dahdi/user.h>
#include <libpri.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int open_dchan(int chan)
{
	struct dahdi_bufferinfo bi;
	int fd, bs = 1024;

	fd = open("/dev/dahdi/channel", O_RDWR | O_NONBLOCK);
	if (fd < 0 || ioctl(fd, DAHDI_SPECIFY, &chan)) {
		fprintf(stderr, "open D-channel %d: %s\n", chan, strerror(errno));
		return -1;
	}
	ioctl(fd, DAHDI_SET_BLOCKSIZE, &bs);
	memset(&bi, 0, sizeof(bi));
	bi.txbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.rxbufpolicy = DAHDI_POLICY_IMMEDIATE;
	bi.numbufs = 16;
	bi.bufsize = bs;
	ioctl(fd, DAHDI_SET_BUFINFO, &bi);
	return fd;
}

/* libpri wants 0 for "nothing"; DAHDI events (ELAST) are consumed here. */
static int io_read(struct pri *pri, void *buf, int len)
{
	int fd = pri_fd(pri), r, ev;

	r = read(fd, buf, len);
	if (r < 0) {
		if (errno == ELAST && !ioctl(fd, DAHDI_GETEVENT, &ev))
			printf("# event %d on D-channel fd %d\n", ev, fd);
		return 0;
	}
	return r;
}

static int io_write(struct pri *pri, void *buf, int len)
{
	int fd = pri_fd(pri), r, ev;

	r = write(fd, buf, len);
	if (r < 0 && errno == ELAST && !ioctl(fd, DAHDI_GETEVENT, &ev))
		r = write(fd, buf, len);
	return r < 0 ? 0 : r;
}

struct side {
	const char *name;
	struct pri *pri;
	int up;
};

int main(int argc, char **argv)
{
	struct side net = { .name = "net" }, cpe = { .name = "cpe" };
	struct side *sides[2] = { &net, &cpe };
	q931_call *ocall = NULL;
	int t1, answered = 0, rang = 0, done = 0, released = 0, i;
	const char *number;
	double deadline;

	if (argc < 5) {
		fprintf(stderr, "usage: %s NET_DCHAN CPE_DCHAN e1|t1 NUMBER\n", argv[0]);
		return 2;
	}
	t1 = !strcmp(argv[3], "t1");
	number = argv[4];
	for (i = 0; i < 2; i++) {
		int fd = open_dchan(atoi(argv[1 + i]));

		if (fd < 0)
			return 2;
		sides[i]->pri = pri_new_cb(fd, i ? PRI_CPE : PRI_NETWORK,
					   t1 ? PRI_SWITCH_NI2 : PRI_SWITCH_EUROISDN_E1,
					   io_read, io_write, NULL);
		if (!sides[i]->pri) {
			printf("pri_new_cb failed\n");
			return 1;
		}
	}
	deadline = now() + 60;
	while (!done && now() < deadline) {
		struct pollfd p[2];

		for (i = 0; i < 2; i++) {
			p[i].fd = pri_fd(sides[i]->pri);
			p[i].events = POLLIN | POLLPRI;
		}
		poll(p, 2, 20);
		for (i = 0; i < 2; i++) {
			struct side *s = sides[i];
			struct timeval *next, tv;
			pri_event *e = NULL;

			if (p[i].revents & (POLLIN | POLLPRI))
				e = pri_check_event(s->pri);
			next = pri_schedule_next(s->pri);
			gettimeofday(&tv, NULL);
			if (!e && next && timercmp(next, &tv, <=))
				e = pri_schedule_run(s->pri);
			if (!e)
				continue;
			switch (e->e) {
			case PRI_EVENT_DCHAN_UP:
				printf("# %s: D-channel up\n", s->name);
				s->up = 1;
				break;
			case PRI_EVENT_DCHAN_DOWN:
				printf("# %s: D-channel down\n", s->name);
				s->up = 0;
				break;
			case PRI_EVENT_RING:
				printf("# %s: SETUP for %s on B%d\n", s->name,
				       e->ring.callednum, e->ring.channel & 0xff);
				if (strcmp(e->ring.callednum, number)) {
					printf("called number '%s', want '%s'\n",
					       e->ring.callednum, number);
					return 1;
				}
				rang = 1;
				pri_answer(s->pri, e->ring.call, e->ring.channel, 1);
				break;
			case PRI_EVENT_ANSWER:
				printf("# %s: CONNECT\n", s->name);
				answered = 1;
				pri_hangup(s->pri, e->answer.call, PRI_CAUSE_NORMAL_CLEARING);
				break;
			case PRI_EVENT_HANGUP:
				printf("# %s: hangup cause %d\n", s->name, e->hangup.cause);
				pri_hangup(s->pri, e->hangup.call, e->hangup.cause);
				if (s == &net)
					released = 1;
				break;
			case PRI_EVENT_HANGUP_ACK:
				printf("# %s: release complete\n", s->name);
				if (s == &cpe && answered)
					done = 1;
				break;
			default:
				break;
			}
		}
		if (net.up && cpe.up && !ocall) {
			struct pri_sr *sr = pri_sr_new();

			ocall = pri_new_call(cpe.pri);
			pri_sr_set_channel(sr, 1, 1, 0);
			pri_sr_set_bearer(sr, PRI_TRANS_CAP_SPEECH, t1 ? PRI_LAYER_1_ULAW :
					  PRI_LAYER_1_ALAW);
			pri_sr_set_called(sr, (char *)number, PRI_UNKNOWN, 1);
			pri_sr_set_caller(sr, "5551000", NULL, PRI_UNKNOWN,
					  PRES_ALLOWED_USER_NUMBER_NOT_SCREENED);
			if (pri_setup(cpe.pri, ocall, sr)) {
				printf("pri_setup failed\n");
				return 1;
			}
			pri_sr_free(sr);
			printf("# cpe: SETUP sent\n");
		}
	}
	if (!net.up || !cpe.up) {
		printf("D-channel not up (net %d, cpe %d)\n", net.up, cpe.up);
		return 1;
	}
	if (!rang || !answered || !released || !done) {
		printf("call incomplete: setup seen %d, answered %d, released %d, complete %d\n",
		       rang, answered, released, done);
		return 1;
	}
	printf("PRI call to %s: SETUP, CONNECT, RELEASE over the board\n", number);
	return 0;
}
