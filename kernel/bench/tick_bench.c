/*
 * tick_bench - CPU cost of the ctitdm driver's 1 ms tick per port, measured
 * in userspace on the same code path: DAHDI chunk -> frame copy for 31
 * channels, the firmware's two phases for 8 frames (tx on every port, then
 * rx on every port, with HDLC traffic on TS16 and BER on the line), frame
 * -> chunk copy and the alarm read, as ctitdm_run_batch() does it.
 *
 * Prints: BENCH kernel_tick_us_per_port <us> us 50 lower
 * (and the same for 8 ms catch-up batches, which amortise per-call costs).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ctifw.h"

#define PORTS	8
#define CHANS	31
#define CHUNK	8

static struct ctifw_port *port[PORTS];
static uint8_t txbuf[PORTS][CTIFW_MAX_FRAMES * CTIFW_SLOTS];
static uint8_t rxbuf[PORTS][CTIFW_MAX_FRAMES * CTIFW_SLOTS];
static uint8_t wchunk[PORTS][CHANS][CHUNK], rchunk[PORTS][CHANS][CHUNK];
static volatile uint32_t sink;

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One batch of ms milliseconds, as the driver's ctitdm_run_batch. */
static void batch(unsigned int ms)
{
	unsigned int p, m, c, f, n = ms * CHUNK;
	static uint8_t frame[16];
	uint8_t hb[CTIFW_HDLC_MAX_FRAME];
	int st;

	for (p = 0; p < PORTS; p++) {
		for (m = 0; m < ms; m++) {
			uint8_t *fr = txbuf[p] + m * CHUNK * CTIFW_SLOTS;

			for (c = 0; c < CHANS; c++) {
				for (f = 0; f < CHUNK; f++)
					wchunk[p][c][f]++;	/* DAHDI's audio */
				for (f = 0; f < CHUNK; f++)
					fr[f * CTIFW_SLOTS + c + 1] = wchunk[p][c][f];
			}
		}
		if (ctifw_hdlc_tx_space(port[p]) > CTIFW_HDLC_QUEUE / 2) {
			frame[0]++;
			ctifw_hdlc_send(port[p], frame, sizeof(frame));
		}
	}
	for (p = 0; p < PORTS; p++)
		ctifw_port_tx(port[p], txbuf[p], n);
	for (p = 0; p < PORTS; p++) {
		ctifw_port_rx(port[p], rxbuf[p], n);
		sink += ctifw_port_alarms(port[p]);
	}
	for (p = 0; p < PORTS; p++) {
		for (m = 0; m < ms; m++) {
			const uint8_t *fr = rxbuf[p] + m * CHUNK * CTIFW_SLOTS;

			for (c = 0; c < CHANS; c++)
				for (f = 0; f < CHUNK; f++)
					rchunk[p][c][f] = fr[f * CTIFW_SLOTS + c + 1];
		}
		while (ctifw_hdlc_recv(port[p], hb, sizeof(hb), &st) > 0)
			sink += hb[0];
	}
}

static double run(unsigned int ms_per_batch, unsigned int total_ms)
{
	double t0 = cpu_now();
	unsigned int done;

	for (done = 0; done < total_ms; done += ms_per_batch)
		batch(ms_per_batch);
	return (cpu_now() - t0) * 1e6 / total_ms / PORTS;
}

int main(int argc, char **argv)
{
	struct ctifw_port_config cfg = {
		.line = CTIFW_LINE_E1, .framing = CTIFW_FRAMING_E1_CRC4,
		.coding = CTIFW_CODING_HDB3, .dchan = 16,
	};
	struct ctifw_line_faults faults = { .ber_e12 = 1000000 };	/* 1e-6 */
	unsigned int total = argc > 1 ? (unsigned int)atoi(argv[1]) : 4000;
	unsigned int p;
	double one, eight;

	for (p = 0; p < PORTS; p++) {
		port[p] = calloc(1, ctifw_port_size());
		if (!port[p])
			return 1;
		ctifw_port_init(port[p], &cfg, 1234 + p);
		ctifw_line_set_faults(port[p], &faults);
	}
	for (p = 0; p + 1 < PORTS; p += 2)
		ctifw_cable_connect(port[p], port[p + 1]);
	run(8, 1000);	/* let the receivers align */
	for (p = 0; p < PORTS; p++)
		if (!ctifw_port_in_sync(port[p]))
			fprintf(stderr, "tick_bench: port %u not aligned\n", p);
	one = run(1, total);
	eight = run(8, total);
	printf("per port: %.2f us per 1 ms tick, %.2f us per ms in 8 ms batches (%u ms of line time, %d E1 ports)\n",
	       one, eight, total, PORTS);
	printf("BENCH kernel_tick_us_per_port %.2f us 50 lower\n", one);
	printf("BENCH kernel_tick_batch8_us_per_port_ms %.2f us 50 lower\n", eight);
	return 0;
}
