/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_media.c - channels per core of the media engine doing what every
 * channel of an IVR/call-centre does all the time: DTMF (and CNG/CED and
 * call progress tone) detection, plus a two-leg (stereo) recording, in
 * 20 ms ticks. Compared with bare spandsp dtmf_rx on the same audio.
 *
 * Audio: speech-like noise bursts with DTMF digits, A-law. Recordings go to
 * /dev/shm (tmpfs) so the disk is not measured. CPU time is process time.
 *
 *   BENCH media_channels_per_core <n> channels 6000 higher
 *   BENCH media_vs_bare_spandsp <ratio> x 4 lower
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <spandsp.h>

#include "harness.h"

#define SECONDS 10
#define ROUNDS SECONDS	/* one second of audio each */

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void make_audio(uint8_t *al, int16_t *lin, size_t n, unsigned seed)
{
	static const char digits[] = "0123456789*#";
	static const double row[4] = { 697, 770, 852, 941 }, col[3] = { 1209, 1336, 1477 };

	memset(lin, 0, n * sizeof(int16_t));
	/* 1 s cycle: 400 ms of speech-like noise, a 100 ms digit, silence */
	for (size_t s = 0; s + 8000 <= n; s += 8000) {
		h_noise(lin + s, 3200, -20, &seed);
		int d = rand_r(&seed) % 12;
		(void)digits;
		int r = d < 9 ? d / 3 : 3, c = d < 9 ? d % 3 : (d == 9 ? 0 : d == 10 ? 1 : 2);
		h_sine(lin + s + 4000, 800, row[r], -15, 1);
		h_sine(lin + s + 4000, 800, col[c], -15, 1);
	}
	for (size_t i = 0; i < n; i++)
		al[i] = linear_to_alaw(lin[i]);
}

static void dtmf_count(void *user, const char *d, int len)
{
	(void)d;
	*(int *)user += len;
}

int main(int argc, char **argv)
{
	int nch = argc > 1 ? atoi(argv[1]) : 1000;
	size_t n = (size_t)SECONDS * 8000;
	uint8_t *al = malloc(n);
	int16_t *lin = malloc(n * sizeof(int16_t));
	char dir[64];

	make_audio(al, lin, n, 99);
	snprintf(dir, sizeof(dir), "/dev/shm/bench_media.%d", (int)getpid());
	if (access("/dev/shm", W_OK) != 0)
		snprintf(dir, sizeof(dir), "/tmp/bench_media.%d", (int)getpid());
	char cmd[160];
	snprintf(cmd, sizeof(cmd), "mkdir -p %s", dir);
	if (system(cmd) != 0)
		return 1;

	/* bare spandsp: dtmf_rx on linear audio, per channel */
	int bare_digits = 0;
	dtmf_rx_state_t **st = calloc((size_t)nch, sizeof(*st));
	for (int i = 0; i < nch; i++)
		st[i] = dtmf_rx_init(NULL, dtmf_count, &bare_digits);
	/* The machine is shared: time rounds of 1 s of audio and keep the fastest. */
	double bare = 0, t0;
	for (int r = 0; r < ROUNDS; r++) {
		t0 = cpu_now();
		for (int t = r * 50; t < (r + 1) * 50; t++)
			for (int i = 0; i < nch; i++)
				dtmf_rx(st[i], lin + (size_t)t * MEDIA_BLOCK, MEDIA_BLOCK);
		double d = cpu_now() - t0;
		if (r == 0 || d < bare)
			bare = d;
	}
	for (int i = 0; i < nch; i++)
		dtmf_rx_free(st[i]);
	free(st);

	/* the engine: detection always on + stereo recording per channel */
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t **calls = calloc((size_t)nch, sizeof(*calls));
	for (int i = 0; i < nch; i++) {
		cti_record_params_t rp;
		char path[128];
		calls[i] = h_call(ctx, CTI_LAW_ALAW);
		snprintf(path, sizeof(path), "%s/rec%d.wav", dir, i);
		cti_record_params_init(&rp);
		rp.path = path;
		rp.mode = CTI_REC_STEREO;
		rp.format = CTI_FMT_WAV_ALAW;
		if (cti_record(calls[i], &rp, NULL) <= 0) {
			fprintf(stderr, "bench_media: cti_record: %s\n", cti_last_error());
			return 1;
		}
	}
	double eng = 0, eng_sum = 0;
	for (int r = 0; r < ROUNDS; r++) {
		t0 = cpu_now();
		for (int t = r * 50; t < (r + 1) * 50; t++) {
			for (int i = 0; i < nch; i++)
				memcpy(media_chan_rx(calls[i]->mc), al + (size_t)t * MEDIA_BLOCK, MEDIA_BLOCK);
			media_engine_tick(ctx->m);
			if (ctx->nev > 100000)
				h_clear_events(ctx);
		}
		double d = cpu_now() - t0;
		eng_sum += d;
		if (r == 0 || d < eng)
			eng = d;
	}
	int digits = h_count(ctx, CTI_EV_DIGIT, NULL);
	h_ctx_free(ctx);	/* closes the recordings */
	free(calls);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;

	double audio = (double)nch;	/* per round: one second per channel */
	printf("bench_media: %d channels, best of %d rounds of 1 s: engine %.3f s CPU (%.2f us per channel-tick), "
	       "bare dtmf_rx %.3f s\n", nch, ROUNDS, eng, eng / nch / 50 * 1e6, bare);
	printf("bench_media: mean of the rounds %.3f s CPU = %.0f channels per core\n", eng_sum / ROUNDS,
	       audio / (eng_sum / ROUNDS));
	printf("bench_media: digits detected: engine %d (events, last batch), bare %d\n", digits, bare_digits);
	printf("BENCH media_channels_per_core %.0f channels 6000 higher\n", audio / eng);
	printf("BENCH media_vs_bare_spandsp %.2f x 4 lower\n", eng / bare);
	free(al);
	free(lin);
	return 0;
}
