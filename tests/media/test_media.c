/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_media.c - unit tests of lib/media through the fake core (harness.c).
 * Calls are "wired" back to back (one tick of line delay) or fed with
 * synthetic audio; outcomes are checked on events, decoded digits, files
 * and the spectrum of what each leg receives.
 */
#include <math.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sndfile.h>
#include <spandsp.h>

#include "harness.h"
#include "../../lib/media/media_int.h"

static char tmpdir[256];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_media.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	return 0;
}

static int teardown_dir(void **state)
{
	char cmd[300];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static const char *tpath(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

/* Tick until the call got `want` events of type, at most max ticks. Returns ticks run. */
static int run_until(cti_ctx_t *ctx, int type, cti_call_t *call, int want, int max)
{
	int t = 0;

	while (h_count(ctx, type, call) < want && t < max) {
		h_tick(ctx, 1);
		t++;
	}
	return t;
}

static const cti_event_t *op_done(cti_ctx_t *ctx, int id)
{
	const cti_event_t *ev;

	for (int k = 0; (ev = h_find(ctx, CTI_EV_OP_DONE, NULL, k)); k++)
		if (ev->u.op.id == id)
			return ev;
	return NULL;
}

static int count_done(cti_ctx_t *ctx, int id)
{
	int n = 0;
	const cti_event_t *ev;

	for (int k = 0; (ev = h_find(ctx, CTI_EV_OP_DONE, NULL, k)); k++)
		n += ev->u.op.id == id;
	return n;
}

static void dtmf_pair(char d, double *lo, double *hi)
{
	static const char keys[] = "123A456B789C*0#D";
	static const double row[4] = { 697, 770, 852, 941 };
	static const double col[4] = { 1209, 1336, 1477, 1633 };
	const char *p = strchr(keys, d);

	assert_non_null(p);
	*lo = row[(p - keys) / 4];
	*hi = col[(p - keys) % 4];
}

/* Synthesise digits (per-tone level, on/off ms) starting at sample offset. */
static int16_t *synth_digits(const char *digits, double dbm0, int on_ms, int off_ms, int offset, size_t *n)
{
	size_t len = (size_t)offset + strlen(digits) * (size_t)(on_ms + off_ms) * 8 + 8000;
	int16_t *x = calloc(len, sizeof(int16_t));
	size_t pos = (size_t)offset;

	for (const char *d = digits; *d; d++) {
		double lo, hi;
		dtmf_pair(*d, &lo, &hi);
		h_sine(x + pos, (size_t)on_ms * 8, lo, dbm0, 1);
		h_sine(x + pos, (size_t)on_ms * 8, hi, dbm0, 1);
		pos += (size_t)(on_ms + off_ms) * 8;
	}
	*n = len;
	return x;
}

static const char ALL_DIGITS[] = "0123456789*#ABCD";

static void decode_digits(enum cti_law law, double dbm0, double noise_dbm0, int on_ms, int off_ms)
{
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, law);
	size_t n;
	int16_t *x = synth_digits(ALL_DIGITS, dbm0, on_ms, off_ms, 37, &n);
	unsigned seed = 1234;
	char got[64], buf[64];

	if (noise_dbm0 > -99)
		h_noise(x, n, noise_dbm0, &seed);
	h_feed(a, x, n);
	h_tick(ctx, (int)(n / MEDIA_BLOCK) + 1);
	h_digits(ctx, a, got, sizeof(got));
	assert_string_equal(got, ALL_DIGITS);
	assert_int_equal(cti_digits_read(a, buf, sizeof(buf)), 16);
	assert_string_equal(buf, ALL_DIGITS);
	assert_int_equal(cti_digits_read(a, buf, sizeof(buf)), 0);
	free(x);
	h_ctx_free(ctx);
}

static void test_dtmf_decode_minus30(void **state)
{
	(void)state;
	/* -33 dBm0 per tone = -30 dBm0 for the pair */
	decode_digits(CTI_LAW_ALAW, -33, -99, 70, 70);
	decode_digits(CTI_LAW_ULAW, -33, -99, 70, 70);
}

static void test_dtmf_decode_noise(void **state)
{
	(void)state;
	decode_digits(CTI_LAW_ALAW, -33, -50, 70, 70);	/* -30 dBm0 digits, 20 dB SNR */
	decode_digits(CTI_LAW_ULAW, -13, -30, 50, 50);	/* -10 dBm0 digits, -30 dBm0 noise, fast */
}

/*
 * Twist (the engine accepts the high group up to 8 dB below the low group
 * and 4 dB above it: tested 7 and 3 dB) and the shortest Q.24 timing (40/40 ms).
 */
static void test_dtmf_twist_short(void **state)
{
	(void)state;
	for (int k = 0; k < 4; k++) {
		static const double lo_db[4] = { -20, -23, -12, -30 }, hi_db[4] = { -27, -20, -16, -27 };
		cti_ctx_t *ctx = h_ctx("itu");
		cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
		int on = k == 2 ? 40 : 60, off = k == 2 ? 40 : 60;
		size_t n = 123 + strlen(ALL_DIGITS) * (size_t)(on + off) * 8 + 8000;
		int16_t *x = calloc(n, sizeof(int16_t));
		size_t pos = 123;
		char got[64];

		for (const char *d = ALL_DIGITS; *d; d++) {
			double lo, hi;
			dtmf_pair(*d, &lo, &hi);
			h_sine(x + pos, (size_t)on * 8, lo, lo_db[k], 1);
			h_sine(x + pos, (size_t)on * 8, hi, hi_db[k], 1);
			pos += (size_t)(on + off) * 8;
		}
		h_feed(a, x, n);
		h_tick(ctx, (int)(n / MEDIA_BLOCK) + 1);
		h_digits(ctx, a, got, sizeof(got));
		if (strcmp(got, ALL_DIGITS))
			fail_msg("row %g dBm0, column %g dBm0, %d/%d ms: got '%s'", lo_db[k], hi_db[k], on, off, got);
		free(x);
		h_ctx_free(ctx);
	}
}

/* Talk-off: a minute of speech-like noise bursts and sweeps gives no digit and no tone. */
static void test_no_false_detection(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	size_t n = 8000 * 60;
	int16_t *x = calloc(n, sizeof(int16_t));
	unsigned seed = 99;

	for (size_t s = 0; s < n; s += 8000) {
		/* 300 ms noise syllables at -25..-10 dBm0, a 400 ms sweep 300..3300 Hz */
		for (int k = 0; k < 2; k++)
			h_noise(x + s + (size_t)k * 1600, 1200, -25 + (double)(rand_r(&seed) % 16), &seed);
		for (size_t i = 0; i < 3200; i++) {
			double tt = (double)i / 8000;
			x[s + 4000 + i] = (int16_t)lrint(6000 * sin(2 * M_PI * (300 * tt + 3750 * tt * tt)));
		}
	}
	h_feed(a, x, n);
	h_tick(ctx, (int)(n / MEDIA_BLOCK));
	assert_int_equal(h_count(ctx, CTI_EV_DIGIT, a), 0);
	assert_int_equal(h_count(ctx, CTI_EV_TONE, a), 0);
	free(x);
	h_ctx_free(ctx);
}

static void test_dtmf_sox(void **state)
{
	(void)state;
	const char *digits = "159D*0#8";
	char cmd[1024], path[300];
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);

	/* each digit 100 ms at -20 dB full scale, 100 ms of silence after */
	snprintf(path, sizeof(path), "%s", tpath("sox_digits.al"));
	snprintf(cmd, sizeof(cmd), "rm -f %s", path);
	assert_int_equal(system(cmd), 0);
	for (const char *d = digits; *d; d++) {
		double lo, hi;
		dtmf_pair(*d, &lo, &hi);
		snprintf(cmd, sizeof(cmd),
			 "sox -n -r 8000 -c 1 -e a-law -t al - synth 0.1 sin %g sin %g vol 0.1 pad 0 0.1 >> %s",
			 lo, hi, path);
		assert_int_equal(system(cmd), 0);
	}
	size_t n;
	int16_t *x = h_read_raw(path, &n, CTI_LAW_ALAW);
	assert_non_null(x);
	assert_int_equal(n, strlen(digits) * 1600);
	h_feed(a, x, n);
	h_tick(ctx, (int)(n / MEDIA_BLOCK) + 10);
	char got[32];
	h_digits(ctx, a, got, sizeof(got));
	assert_string_equal(got, digits);
	free(x);
	h_ctx_free(ctx);
}

static void test_dtmf_generate_multimon(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_call_t *b = h_call(ctx, CTI_LAW_ALAW);
	char cmd[1024], got[64];

	h_wire(a, b);
	a->capture = 1;
	int id = cti_send_dtmf(a, ALL_DIGITS, 0, 0, 0);
	assert_true(id > 0);
	run_until(ctx, CTI_EV_OP_DONE, a, 1, 1000);
	const cti_event_t *ev = op_done(ctx, id);
	assert_non_null(ev);
	assert_int_equal(ev->u.op.reason, CTI_TERM_EOD);
	assert_int_equal(ev->u.op.samples, 16 * 160 * 8);
	h_tick(ctx, 10);
	/* our own detector on the far end of the wire */
	h_digits(ctx, b, got, sizeof(got));
	assert_string_equal(got, ALL_DIGITS);
	/* an independent decoder */
	FILE *f = fopen(tpath("gen.s16"), "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(a->cap, 2, a->cap_len, f), a->cap_len);
	fclose(f);
	snprintf(cmd, sizeof(cmd),
		 "sox -t raw -r 8000 -e signed -b 16 -c 1 %s -t raw -r 22050 -e signed -b 16 -c 1 %s && "
		 "multimon-ng -q -t raw -a DTMF %s 2>/dev/null | sed -n 's/^DTMF: //p' | tr -d '\\n' > %s",
		 tpath("gen.s16"), tpath("gen22.s16"), tpath("gen22.s16"), tpath("mm.txt"));
	assert_int_equal(system(cmd), 0);
	f = fopen(tpath("mm.txt"), "r");
	assert_non_null(f);
	memset(got, 0, sizeof(got));
	assert_true(fread(got, 1, sizeof(got) - 1, f) > 0);
	fclose(f);
	assert_string_equal(got, ALL_DIGITS);
	h_ctx_free(ctx);
}

static void test_dtmf_timing_level(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ULAW);

	a->capture = 1;
	int id = cti_send_dtmf(a, "5,5", 100, 60, -20);
	assert_true(id > 0);
	run_until(ctx, CTI_EV_OP_DONE, a, 1, 1000);
	/* 100 on, 60 off, 500 pause, 100 on, 60 off */
	assert_int_equal(op_done(ctx, id)->u.op.samples, (100 + 60 + 500 + 100 + 60) * 8);
	/* level of each component in the first burst: -20 dBm0 (G.711 error < 0.5 dB) */
	assert_true(fabs(h_tone_dbm0(a->cap, 800, 770) + 20) < 0.5);
	assert_true(fabs(h_tone_dbm0(a->cap, 800, 1336) + 20) < 0.5);
	assert_true(h_dbm0(a->cap + 800, 480) < -60);		/* off */
	assert_true(h_dbm0(a->cap + 1280, 4000) < -60);	/* pause */
	assert_true(fabs(h_tone_dbm0(a->cap + 5280, 800, 770) + 20) < 0.5);
	/* bad input */
	assert_int_equal(cti_send_dtmf(a, "12x", 0, 0, 0), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "'x'"));
	h_ctx_free(ctx);
}

/* ---- play and record ---- */

static void write_wav(const char *path, int fmt, const int16_t *x, size_t n)
{
	SF_INFO info = { .samplerate = 8000, .channels = 1, .format = fmt };
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);

	assert_non_null(sf);
	assert_int_equal(sf_write_short(sf, x, (sf_count_t)n), (sf_count_t)n);
	sf_close(sf);
}

static int16_t *read_wav(const char *path, size_t *n, int *channels)
{
	SF_INFO info;
	memset(&info, 0, sizeof(info));
	SNDFILE *sf = sf_open(path, SFM_READ, &info);

	if (!sf)
		return NULL;
	int16_t *x = calloc((size_t)(info.frames * info.channels + 1), sizeof(int16_t));
	*n = (size_t)sf_readf_short(sf, x, info.frames);
	*channels = info.channels;
	sf_close(sf);
	return x;
}

static int16_t q(enum cti_law law, int16_t v)
{
	return law == CTI_LAW_ALAW ? alaw_to_linear(linear_to_alaw(v)) : ulaw_to_linear(linear_to_ulaw(v));
}

/* A test signal: chirp plus noise, not a multiple of the block. */
static int16_t *test_signal(size_t n, unsigned seed)
{
	int16_t *x = calloc(n, sizeof(int16_t));
	for (size_t i = 0; i < n; i++) {
		double f = 200 + 3000.0 * (double)i / (double)n;
		x[i] = (int16_t)lrint(8000 * sin(2 * M_PI * f * (double)i / 8000) +
				      (double)(rand_r(&seed) % 2001) - 1000);
	}
	return x;
}

static void play_record_law(enum cti_law law)
{
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, law);
	cti_call_t *b = h_call(ctx, law);
	size_t n = 12345, n2 = 3000, n3 = 2500;
	int16_t *x = test_signal(n, 7), *y = test_signal(n2, 9), *z = test_signal(n3, 13);
	cti_record_params_t rp;
	cti_play_item_t items[4];
	uint8_t mem[2000];

	h_wire(a, b);
	write_wav(tpath("in.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, x, n);
	write_wav(tpath("in_a.wav"), SF_FORMAT_WAV | SF_FORMAT_ALAW, y, n2);
	write_wav(tpath("in_u.wav"), SF_FORMAT_WAV | SF_FORMAT_ULAW, z, n3);
	for (size_t i = 0; i < sizeof(mem); i++)	/* in-memory raw item, the span's law */
		mem[i] = law == CTI_LAW_ALAW ? linear_to_alaw(x[i]) : linear_to_ulaw(x[i]);
	memset(items, 0, sizeof(items));
	items[0].path = tpath("in.wav");
	items[1].path = tpath("in_a.wav");
	items[2].path = tpath("in_u.wav");
	items[3].buf = mem;
	items[3].len = sizeof(mem);
	items[3].format = law == CTI_LAW_ALAW ? CTI_FMT_RAW_ALAW : CTI_FMT_RAW_ULAW;

	cti_record_params_init(&rp);
	rp.path = tpath("rec.wav");
	rp.mode = CTI_REC_STEREO;
	int rid = cti_record(b, &rp, NULL);
	assert_true(rid > 0);
	int pid = cti_play(a, items, 4, NULL);
	assert_true(pid > 0);
	run_until(ctx, CTI_EV_OP_DONE, a, 1, 2000);
	const cti_event_t *ev = op_done(ctx, pid);
	assert_non_null(ev);
	assert_int_equal(ev->u.op.reason, CTI_TERM_EOD);
	assert_int_equal(ev->u.op.samples, n + n2 + n3 + sizeof(mem));
	h_tick(ctx, 5);
	assert_int_equal(cti_stop(b, rid), 0);
	assert_int_equal(op_done(ctx, rid)->u.op.reason, CTI_TERM_STOPPED);

	size_t rn, yn, zn;
	int ch;
	int16_t *r = read_wav(tpath("rec.wav"), &rn, &ch);
	assert_non_null(r);
	assert_int_equal(ch, 2);
	/* the A-law file holds libsndfile's quantisation of y: compare with what it decodes */
	int16_t *ya = read_wav(tpath("in_a.wav"), &yn, &ch);
	assert_int_equal(yn, n2);
	int16_t *zu = read_wav(tpath("in_u.wav"), &zn, &ch);
	assert_int_equal(zn, n3);
	/* the wire delays by one block: A's first block reaches B on the next tick */
	size_t total = n + n2 + n3 + sizeof(mem);
	assert_true(rn >= total + MEDIA_BLOCK);
	for (size_t i = 0; i < MEDIA_BLOCK; i++)
		assert_int_equal(r[2 * i], q(law, 0));
	for (size_t i = 0; i < total; i++) {
		int16_t want = i < n ? q(law, x[i]) : i < n + n2 ? q(law, ya[i - n]) :
			       i < n + n2 + n3 ? q(law, zu[i - n - n2]) : q(law, x[i - n - n2 - n3]);
		if (r[2 * (i + MEDIA_BLOCK)] != want)
			fail_msg("sample %zu: recorded %d, played %d", i, r[2 * (i + MEDIA_BLOCK)], want);
		assert_int_equal(r[2 * (i + MEDIA_BLOCK) + 1], 0);	/* B sent silence */
	}
	free(r);
	free(ya);
	free(zu);
	free(x);
	free(y);
	free(z);
	h_ctx_free(ctx);
}

static void test_play_record_exact(void **state)
{
	(void)state;
	play_record_law(CTI_LAW_ALAW);
	play_record_law(CTI_LAW_ULAW);
}

static void test_play_raw_by_extension(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	size_t n = 4000;
	int16_t *x = test_signal(n, 3);
	uint8_t al[4000], ul[4000];

	for (size_t i = 0; i < n; i++) {
		al[i] = linear_to_alaw(x[i]);
		ul[i] = linear_to_ulaw(x[i]);
	}
	FILE *f = fopen(tpath("p.al"), "wb");
	fwrite(al, 1, n, f);
	fclose(f);
	f = fopen(tpath("p.ul"), "wb");
	fwrite(ul, 1, n, f);
	fclose(f);
	f = fopen(tpath("p.raw"), "wb");
	fwrite(x, 2, n, f);
	fclose(f);
	const char *names[] = { "p.al", "p.ul", "p.raw" };
	for (int k = 0; k < 3; k++) {
		a->capture = 1;
		a->cap_len = 0;
		int id = cti_play_file(a, tpath(names[k]), NULL);
		assert_true(id > 0);
		run_until(ctx, CTI_EV_OP_DONE, a, k + 1, 1000);
		assert_int_equal(op_done(ctx, id)->u.op.samples, n);
		for (size_t i = 0; i < n; i++) {
			int16_t want = k == 0 ? alaw_to_linear(al[i]) : k == 1 ? q(CTI_LAW_ALAW, ulaw_to_linear(ul[i]))
										: q(CTI_LAW_ALAW, x[i]);
			if (a->cap[i] != want)
				fail_msg("%s sample %zu: sent %d want %d", names[k], i, a->cap[i], want);
		}
	}
	/* errors name the item and the file */
	cti_play_item_t it[2] = { { .path = tpath("p.al") }, { .path = tpath("missing.wav") } };
	assert_int_equal(cti_play(a, it, 2, NULL), CTI_ENOENT);
	assert_non_null(strstr(cti_last_error(), "item 2"));
	assert_non_null(strstr(cti_last_error(), "missing.wav"));
	f = fopen(tpath("bad.wav"), "wb");
	fputs("this is no wav file at all", f);
	fclose(f);
	assert_int_equal(cti_play_file(a, tpath("bad.wav"), NULL), CTI_EFORMAT);
	/* wrong rate */
	SF_INFO info = { .samplerate = 16000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	SNDFILE *sf = sf_open(tpath("16k.wav"), SFM_WRITE, &info);
	sf_write_short(sf, x, 100);
	sf_close(sf);
	assert_int_equal(cti_play_file(a, tpath("16k.wav"), NULL), CTI_EFORMAT);
	assert_non_null(strstr(cti_last_error(), "16000 Hz"));
	/* one output operation at a time */
	int id = cti_play_file(a, tpath("p.al"), NULL);
	assert_true(id > 0);
	assert_int_equal(cti_play_tone(a, CTI_TONE_BUSY, NULL), CTI_EBUSY);
	assert_int_equal(cti_stop(a, id), 0);
	assert_int_equal(cti_stop(a, id), CTI_ENOENT);
	assert_int_equal(count_done(ctx, id), 1);
	/* a file of the list removed while the first plays: error naming it, after the first item */
	FILE *g = fopen(tpath("gone.al"), "wb");
	fwrite(al, 1, n, g);
	fclose(g);
	cti_play_item_t it2[2] = { { .path = tpath("p.al") }, { .path = tpath("gone.al") } };
	h_clear_events(ctx);
	id = cti_play(a, it2, 2, NULL);
	assert_true(id > 0);
	unlink(tpath("gone.al"));
	run_until(ctx, CTI_EV_OP_DONE, a, 1, 1000);
	const cti_event_t *ev = op_done(ctx, id);
	assert_int_equal(ev->u.op.reason, CTI_TERM_ERROR);
	assert_int_equal(ev->u.op.samples, n);
	assert_non_null(strstr(ev->u.op.message, "item 2"));
	assert_non_null(strstr(ev->u.op.message, "gone.al"));
	free(x);
	h_ctx_free(ctx);
}

static void test_record_formats_split_beep(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	int16_t x[8000];
	const int fmts[3] = { CTI_FMT_WAV_PCM16, CTI_FMT_WAV_ALAW, CTI_FMT_WAV_ULAW };
	const int sff[3] = { SF_FORMAT_PCM_16, SF_FORMAT_ALAW, SF_FORMAT_ULAW };

	h_sine(x, 8000, 600, -10, 0);
	for (int k = 0; k < 3; k++) {
		cti_record_params_t rp;
		cti_term_t t;
		char p1[64], p2[64];
		snprintf(p1, sizeof(p1), "rx%d.wav", k);
		snprintf(p2, sizeof(p2), "tx%d.wav", k);
		cti_record_params_init(&rp);
		rp.mode = CTI_REC_SPLIT;
		rp.path = tpath(p1);
		rp.path2 = tpath(p2);
		rp.format = fmts[k];
		rp.beep = 1;
		cti_term_init(&t);
		t.max_time_ms = 1000;
		h_feed(a, x, 8000);
		a->capture = 1;
		a->cap_len = 0;
		h_clear_events(ctx);
		int id = cti_record(a, &rp, &t);
		assert_true(id > 0);
		run_until(ctx, CTI_EV_OP_DONE, a, 1, 200);
		const cti_event_t *ev = op_done(ctx, id);
		assert_non_null(ev);
		assert_int_equal(ev->u.op.reason, CTI_TERM_MAX_TIME);
		/* the beep went out: 1 kHz, 200 ms, before recording started */
		assert_true(h_tone_dbm0(a->cap, 1600, 1000) > -12);
		assert_true(h_dbm0(a->cap + 1600, 1600) < -60);
		SF_INFO info;
		memset(&info, 0, sizeof(info));
		SNDFILE *sf = sf_open(tpath(p1), SFM_READ, &info);
		assert_non_null(sf);
		assert_int_equal(info.format & SF_FORMAT_SUBMASK, sff[k]);
		assert_int_equal(info.channels, 1);
		assert_int_equal((uint64_t)info.frames, ev->u.op.samples);
		assert_true(info.frames >= 8000 - 1600 - 320 && info.frames <= 8000);
		sf_close(sf);
		size_t n;
		int ch;
		int16_t *r = read_wav(tpath(p1), &n, &ch);
		assert_true(h_tone_dbm0(r, n, 600) > -10.7);
		free(r);
		r = read_wav(tpath(p2), &n, &ch);	/* transmitted leg: silence after the beep */
		assert_true(h_dbm0(r, n) < -60);
		free(r);
	}
	h_ctx_free(ctx);
}

static void test_record_pause(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_record_params_t rp;

	cti_record_params_init(&rp);
	rp.path = tpath("pause.wav");
	int id = cti_record(a, &rp, NULL);
	assert_true(id > 0);
	/* valid from the start: before the first write and between writes */
	for (int k = 0; k < 8; k++) {
		SF_INFO info;
		memset(&info, 0, sizeof(info));
		SNDFILE *sf = sf_open(tpath("pause.wav"), SFM_READ, &info);
		if (!sf)
			fail_msg("after %d ticks: %s", k, sf_strerror(NULL));
		assert_int_equal(info.frames, k < 5 ? 0 : 5 * MEDIA_BLOCK);
		sf_close(sf);
		h_tick(ctx, 1);
	}
	h_tick(ctx, 43);
	assert_int_equal(cti_record_pause(a, 1), 0);
	/* on disk at once: all 51 blocks (the last one not due for a write yet) */
	{
		SF_INFO info;
		memset(&info, 0, sizeof(info));
		SNDFILE *sf = sf_open(tpath("pause.wav"), SFM_READ, &info);
		assert_non_null(sf);
		assert_int_equal(info.frames, 51 * MEDIA_BLOCK);
		sf_close(sf);
	}
	h_tick(ctx, 50);
	assert_int_equal(cti_record_pause(a, 0), 0);
	h_tick(ctx, 49);
	assert_int_equal(cti_stop(a, 0), 0);
	const cti_event_t *ev = op_done(ctx, id);
	assert_int_equal(ev->u.op.samples, 100 * MEDIA_BLOCK);
	assert_int_equal(ev->u.op.duration_ms, 3000);
	size_t n;
	int ch;
	int16_t *r = read_wav(tpath("pause.wav"), &n, &ch);
	assert_int_equal(n, 100 * MEDIA_BLOCK);
	free(r);
	h_ctx_free(ctx);
}

/* ---- termination conditions ---- */

struct gd_case {
	const char *send;
	cti_term_t t;
	int reason;
	const char *digits;
	const char *left;	/* digits left in the buffer */
};

static void test_get_digits_terms(void **state)
{
	(void)state;
	struct gd_case cases[6];
	memset(cases, 0, sizeof(cases));
	for (int i = 0; i < 6; i++)
		cti_term_init(&cases[i].t);
	cases[0].send = "12345"; cases[0].t.max_digits = 3; cases[0].reason = CTI_TERM_MAX_DIGITS;
	cases[0].digits = "123"; cases[0].left = "45";
	cases[1].send = "12#45"; strcpy(cases[1].t.term_digits, "#*"); cases[1].reason = CTI_TERM_TERM_DIGIT;
	cases[1].digits = "12#"; cases[1].left = "45";
	cases[2].send = ""; cases[2].t.first_digit_ms = 2000; cases[2].reason = CTI_TERM_FIRST_DIGIT_TIMEOUT;
	cases[2].digits = ""; cases[2].left = "";
	cases[3].send = "98"; cases[3].t.inter_digit_ms = 1000; cases[3].t.first_digit_ms = 5000;
	cases[3].reason = CTI_TERM_INTER_DIGIT_TIMEOUT; cases[3].digits = "98"; cases[3].left = "";
	cases[4].send = "1"; cases[4].t.max_time_ms = 3000; cases[4].reason = CTI_TERM_MAX_TIME;
	cases[4].digits = "1"; cases[4].left = "";
	cases[5].send = ""; cases[5].t.initial_silence_ms = 1500; cases[5].reason = CTI_TERM_INITIAL_SILENCE;
	cases[5].digits = ""; cases[5].left = "";

	for (int i = 0; i < 6; i++) {
		cti_ctx_t *ctx = h_ctx("itu");
		cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
		cti_call_t *b = h_call(ctx, CTI_LAW_ALAW);
		char buf[32];
		h_wire(a, b);
		int gid = cti_get_digits(b, &cases[i].t);
		assert_true(gid > 0);
		if (*cases[i].send)
			assert_true(cti_send_dtmf(a, cases[i].send, 0, 0, 0) > 0);
		run_until(ctx, CTI_EV_OP_DONE, b, 1, 1000);
		h_tick(ctx, 100);
		const cti_event_t *ev = op_done(ctx, gid);
		assert_non_null(ev);
		if (ev->u.op.reason != cases[i].reason)
			fail_msg("case %d: reason %s, want %s", i, cti_term_reason_name(ev->u.op.reason),
				 cti_term_reason_name(cases[i].reason));
		assert_string_equal(ev->u.op.digits, cases[i].digits);
		assert_int_equal(count_done(ctx, gid), 1);
		cti_digits_read(b, buf, sizeof(buf));
		assert_string_equal(buf, cases[i].left);
		if (i == 2)
			assert_int_equal(ev->u.op.duration_ms, 2000);
		if (i == 4)
			assert_int_equal(ev->u.op.duration_ms, 3000);
		if (i == 5)
			assert_int_equal(ev->u.op.duration_ms, 1500);
		h_ctx_free(ctx);
	}
}

static void test_record_silence_terms(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_record_params_t rp;
	cti_term_t t;
	unsigned seed = 5;
	int16_t *x = calloc(8000 * 6, sizeof(int16_t));

	/* 1 s of "speech" (noise at -20 dBm0), then silence: max silence 1500 ms */
	h_noise(x, 8000, -20, &seed);
	h_feed(a, x, 8000 * 6);
	cti_record_params_init(&rp);
	rp.path = tpath("sil.wav");
	cti_term_init(&t);
	t.max_silence_ms = 1500;
	t.initial_silence_ms = 500;
	int id = cti_record(a, &rp, &t);
	run_until(ctx, CTI_EV_OP_DONE, a, 1, 1000);
	const cti_event_t *ev = op_done(ctx, id);
	assert_int_equal(ev->u.op.reason, CTI_TERM_MAX_SILENCE);
	assert_int_equal(ev->u.op.duration_ms, 2500);
	/* silence from the start: initial silence */
	h_clear_events(ctx);
	id = cti_record(a, &rp, &t);
	run_until(ctx, CTI_EV_OP_DONE, a, 1, 1000);
	ev = op_done(ctx, id);
	assert_int_equal(ev->u.op.reason, CTI_TERM_INITIAL_SILENCE);
	assert_int_equal(ev->u.op.duration_ms, 500);
	/* a quieter threshold: -25 dBm0 noise counts as silence with silence_dbm0 -20 */
	h_clear_events(ctx);
	memset(x, 0, sizeof(int16_t) * 8000 * 6);
	h_noise(x, 8000 * 6, -25, &seed);
	h_feed(a, x, 8000 * 6);
	t.silence_dbm0 = -20;
	id = cti_record(a, &rp, &t);
	run_until(ctx, CTI_EV_OP_DONE, a, 1, 1000);
	assert_int_equal(op_done(ctx, id)->u.op.reason, CTI_TERM_INITIAL_SILENCE);
	free(x);
	h_ctx_free(ctx);
}

static void test_play_stop_on_digit_and_hangup(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_call_t *b = h_call(ctx, CTI_LAW_ALAW);
	cti_term_t t;
	cti_record_params_t rp;
	char buf[8];

	h_wire(a, b);
	cti_term_init(&t);
	t.stop_on_digit = 1;
	int pid = cti_play_tone(b, CTI_TONE_DIAL, &t);	/* a prompt on B, barge-in by A's digit */
	assert_true(pid > 0);
	h_tick(ctx, 20);
	assert_null(op_done(ctx, pid));
	assert_true(cti_send_dtmf(a, "7", 0, 0, 0) > 0);
	run_until(ctx, CTI_EV_OP_DONE, b, 1, 200);
	const cti_event_t *ev = op_done(ctx, pid);
	assert_non_null(ev);
	assert_int_equal(ev->u.op.reason, CTI_TERM_DIGIT);
	assert_int_equal(ev->u.op.digits[0], '7');
	assert_int_equal(cti_digits_read(b, buf, sizeof(buf)), 1);	/* the digit stays for get digits */
	assert_string_equal(buf, "7");
	/* max time on a tone */
	cti_term_init(&t);
	t.max_time_ms = 700;
	pid = cti_play_tone(b, CTI_TONE_RINGBACK, &t);
	run_until(ctx, CTI_EV_OP_DONE, b, 2, 200);
	assert_int_equal(op_done(ctx, pid)->u.op.reason, CTI_TERM_MAX_TIME);
	assert_int_equal(op_done(ctx, pid)->u.op.duration_ms, 700);
	/* hangup ends everything once, file valid */
	cti_record_params_init(&rp);
	rp.path = tpath("hup.wav");
	int rid = cti_record(b, &rp, NULL);
	pid = cti_play_tone(b, CTI_TONE_BUSY, NULL);
	int cid = cti_cpa_start(b, NULL);
	assert_true(rid > 0 && pid > 0 && cid > 0);
	assert_int_equal(cti_get_digits(b, NULL), CTI_EBUSY);
	h_tick(ctx, 30);
	h_hangup(b);
	assert_int_equal(op_done(ctx, rid)->u.op.reason, CTI_TERM_HANGUP);
	assert_int_equal(op_done(ctx, pid)->u.op.reason, CTI_TERM_HANGUP);
	assert_int_equal(op_done(ctx, cid)->u.op.reason, CTI_TERM_HANGUP);
	assert_int_equal(count_done(ctx, rid) + count_done(ctx, pid) + count_done(ctx, cid), 3);
	assert_int_equal(cti_play_tone(b, CTI_TONE_BUSY, NULL), CTI_ESTATE);
	size_t n;
	int ch;
	int16_t *r = read_wav(tpath("hup.wav"), &n, &ch);
	assert_non_null(r);
	assert_int_equal(n, 30 * MEDIA_BLOCK);
	free(r);
	h_ctx_free(ctx);
}

static void test_record_unwritable(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_record_params_t rp;

	cti_record_params_init(&rp);
	rp.path = "/nonexistent-dir/x/rec.wav";
	int id = cti_record(a, &rp, NULL);
	assert_true(id > 0);
	h_tick(ctx, 1);
	const cti_event_t *ev = op_done(ctx, id);
	assert_non_null(ev);
	assert_int_equal(ev->u.op.reason, CTI_TERM_ERROR);
	assert_int_equal(ev->u.op.error, CTI_EIO);
	assert_non_null(strstr(ev->u.op.message, "/nonexistent-dir/x/rec.wav"));
	assert_int_equal(count_done(ctx, id), 1);
	/* the call goes on: other operations work */
	int pid = cti_play_tone(a, CTI_TONE_BEEP, NULL);
	assert_true(pid > 0);
	run_until(ctx, CTI_EV_OP_DONE, a, 2, 100);
	assert_int_equal(op_done(ctx, pid)->u.op.reason, CTI_TERM_EOD);
	h_ctx_free(ctx);
}

/* Disk full mid-recording: a file size limit in a child process. */
static void test_record_disk_full(void **state)
{
	(void)state;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		struct rlimit rl = { 20000, 20000 };
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		cti_ctx_t *ctx = h_ctx("itu");
		cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
		cti_record_params_t rp;
		cti_record_params_init(&rp);
		rp.path = tpath("full.wav");
		int id = cti_record(a, &rp, NULL);
		run_until(ctx, CTI_EV_OP_DONE, a, 1, 200);	/* 4 s = 64000 bytes wanted */
		const cti_event_t *ev = op_done(ctx, id);
		int ok = ev && ev->u.op.reason == CTI_TERM_ERROR && ev->u.op.error == CTI_EIO &&
			 strstr(ev->u.op.message, "full.wav") && strstr(ev->u.op.message, "too large");
		if (!ok && ev)
			fprintf(stderr, "disk full: reason %d message '%s'\n", ev->u.op.reason, ev->u.op.message);
		/* the call goes on */
		ok = ok && cti_play_tone(a, CTI_TONE_BEEP, NULL) > 0;
		h_ctx_free(ctx);
		_exit(ok ? 0 : 1);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 0);
	/* what was written is a valid WAV */
	size_t n;
	int ch;
	int16_t *r = read_wav(tpath("full.wav"), &n, &ch);
	assert_non_null(r);
	assert_true(n > 4000 && n <= 10000);
	free(r);
}

/* kill -9 a process in the middle of a recording: the file opens, nearly all samples are there. */
static void test_record_killed(void **state)
{
	(void)state;
	int fd[2];

	assert_int_equal(pipe(fd), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fd[0]);
		cti_ctx_t *ctx = h_ctx("itu");
		cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
		static int16_t x[8000 * 10];
		h_sine(x, 8000 * 10, 440, -10, 0);
		h_feed(a, x, 8000 * 10);
		cti_record_params_t rp;
		cti_record_params_init(&rp);
		rp.path = tpath("killed.wav");
		rp.mode = CTI_REC_STEREO;
		cti_record(a, &rp, NULL);
		h_tick(ctx, 250);	/* 5 s */
		if (write(fd[1], "x", 1) != 1)
			_exit(2);
		for (;;)
			pause();
	}
	close(fd[1]);
	char c;
	assert_int_equal(read(fd[0], &c, 1), 1);
	kill(pid, SIGKILL);
	int st;
	waitpid(pid, &st, 0);
	close(fd[0]);
	assert_true(WIFSIGNALED(st));
	size_t n;
	int ch;
	int16_t *r = read_wav(tpath("killed.wav"), &n, &ch);
	assert_non_null(r);
	assert_int_equal(ch, 2);
	/* at most one flush interval (100 ms) is lost */
	assert_true(n >= 40000 - 800 && n <= 40000);
	double e = 0;
	for (size_t i = 0; i < n; i++)
		e += (double)r[2 * i] * r[2 * i];
	assert_true(e / (double)n > 1e6);	/* the 440 Hz is there */
	free(r);
}

/* ---- file I/O in the engine's I/O thread (real clock) ---- */

static int io_on(void **state)
{
	(void)state;
	h_io_thread = 1;
	h_io_settle = 1;
	h_rec_ring_ms = 0;
	return 0;
}

static int io_off(void **state)
{
	(void)state;
	h_io_thread = 0;
	h_io_settle = 1;
	h_rec_ring_ms = 0;
	return 0;
}

static uint64_t mono_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/*
 * Real time, I/O thread: call A records to a file whose first write stalls
 * for 1.5 s (the test knob of io.c; a dead NFS server or a full disk queue
 * in the field), while B plays a WAV file of DTMF digits to C, which records.
 * Every 20 ms tick must stay short (the stall would freeze it for 1.5 s if
 * the tick wrote the file); the digits arrive 200 ms apart as played; C's
 * recording has exactly its ticks' samples; A's recording ends with
 * CTI_TERM_ERROR naming the file once its 400 ms ring is full, and its file
 * holds exactly what was accepted once the disk is back.
 */
static void io_stall_run(int thread)
{
	h_io_thread = thread;
	h_io_settle = 0;
	h_rec_ring_ms = 400;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW), *b = h_call(ctx, CTI_LAW_ALAW), *c = h_call(ctx, CTI_LAW_ALAW);
	static int16_t tone[8000 * 4], dt[8800];
	const char *digits = "159#";
	static const double lo[] = { 697, 770, 852, 941 }, hi[] = { 1209, 1336, 1477, 1633 };
	static const int row[] = { 0, 1, 2, 3 }, col[] = { 0, 1, 2, 2 };	/* 1 5 9 # */

	h_sine(tone, 8000 * 4, 440, -10, 0);
	h_feed(a, tone, 8000 * 4);
	h_wire(b, c);
	memset(dt, 0, sizeof(dt));
	for (int d = 0; d < 4; d++) {	/* 100 ms on at 200, 400, 600, 800 ms */
		int16_t *p = dt + 1600 * (d + 1);
		h_sine(p, 800, lo[row[d]], -10, 0);
		h_sine(p, 800, hi[col[d]], -10, 1);
	}
	write_wav(tpath("dtmf.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, dt, 8800);

	cti_record_params_t rp;
	cti_record_params_init(&rp);
	rp.path = tpath("stalled.wav");
	media_io_test_stall("stalled.wav", 1500);
	int ra = cti_record(a, &rp, NULL);
	cti_record_params_init(&rp);
	rp.path = tpath("fine.wav");
	int rc = cti_record(c, &rp, NULL);
	int pb = cti_play_file(b, tpath("dtmf.wav"), NULL);
	assert_true(ra > 0 && rc > 0 && pb > 0);

	const int ticks = 75;	/* 1.5 s */
	uint64_t worst = 0, next = mono_us();
	for (int k = 0; k < ticks; k++) {
		next += 20000;
		uint64_t t0 = mono_us();
		h_tick(ctx, 1);
		uint64_t dt_us = mono_us() - t0;
		if (dt_us > worst)
			worst = dt_us;
		uint64_t now = mono_us();
		if (now < next)
			usleep((useconds_t)(next - now));
	}
	assert_int_equal(cti_stop(c, rc), 0);
	fprintf(stderr, "# io stall (%s): longest tick %.1f ms\n", thread ? "I/O thread" : "in the tick",
		worst / 1000.0);
	/* generous for a loaded machine, far below the 1.5 s stall */
	if (worst > 500000)
		fail_msg("a tick took %.1f ms while another call's disk stalled", worst / 1000.0);

	/* A: ended by the stall, file named */
	const cti_event_t *ev = op_done(ctx, ra);
	assert_non_null(ev);
	assert_int_equal(ev->u.op.reason, CTI_TERM_ERROR);
	assert_int_equal(ev->u.op.error, CTI_EIO);
	assert_non_null(strstr(ev->u.op.message, "stalled.wav"));
	assert_non_null(strstr(ev->u.op.message, "disk stalled"));
	uint64_t a_samples = ev->u.op.samples;
	assert_true(a_samples >= 400 * 8 - MEDIA_BLOCK && a_samples <= 400 * 8 + MEDIA_BLOCK);
	/* B: the whole file, on time, no underrun */
	ev = op_done(ctx, pb);
	assert_non_null(ev);
	assert_int_equal(ev->u.op.reason, CTI_TERM_EOD);
	assert_int_equal(ev->u.op.samples, 8800);
	assert_string_equal(ev->u.op.message, "");
	char got[16];
	h_digits(ctx, c, got, sizeof(got));
	assert_string_equal(got, digits);
	for (int d = 1; d < 4; d++) {
		int64_t gap = (int64_t)h_find(ctx, CTI_EV_DIGIT, c, d)->time_ms -
			      (int64_t)h_find(ctx, CTI_EV_DIGIT, c, d - 1)->time_ms;
		if (gap < 180 || gap > 220)
			fail_msg("digits %d and %d %lld ms apart (played 200 ms apart)", d - 1, d, (long long)gap);
	}
	/* C: every tick recorded */
	ev = op_done(ctx, rc);
	assert_non_null(ev);
	assert_int_equal(ev->u.op.reason, CTI_TERM_STOPPED);
	assert_int_equal(ev->u.op.samples, (uint64_t)ticks * MEDIA_BLOCK);
	size_t n;
	int ch;
	int16_t *r = read_wav(tpath("fine.wav"), &n, &ch);
	assert_non_null(r);
	assert_int_equal(n, (size_t)ticks * MEDIA_BLOCK);
	free(r);
	h_ctx_free(ctx);	/* waits for the stalled file */
	r = read_wav(tpath("stalled.wav"), &n, &ch);
	assert_non_null(r);
	assert_int_equal(n, a_samples);
	free(r);
	media_io_test_stall(NULL, 0);
}

static void test_io_stall_other_calls_keep_time(void **state)
{
	(void)state;
	io_stall_run(1);
}

/*
 * A playback whose reader is late (its disk stalls 300 ms after the first
 * second was read ahead): silence, counted and reported in OP_DONE's
 * message; every sample of the file is still played, in order, and the
 * play ends normally.
 */
static void test_io_play_underrun_reported(void **state)
{
	(void)state;
	h_io_thread = 1;
	h_io_settle = 0;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	static int16_t x[16000];

	h_sine(x, 16000, 440, -10, 0);
	write_wav(tpath("under.wav"), SF_FORMAT_WAV | SF_FORMAT_PCM_16, x, 16000);
	int id = cti_play_file(a, tpath("under.wav"), NULL);
	assert_true(id > 0);
	media_io_settle(&ctx->m->io);		/* 1 s read ahead */
	media_io_test_stall("under.wav", 300);	/* the next read waits 300 ms */
	uint64_t t0 = mono_us();
	h_tick(ctx, 60);			/* 50 blocks from the ring, then 10 empty */
	uint64_t took = mono_us() - t0;
	for (int k = 0; k < 200 && !op_done(ctx, id); k++) {
		media_io_settle(&ctx->m->io);
		h_tick(ctx, 1);
	}
	const cti_event_t *ev = op_done(ctx, id);
	assert_non_null(ev);
	assert_int_equal(ev->u.op.reason, CTI_TERM_EOD);
	assert_int_equal(ev->u.op.samples, 16000);	/* every sample played, none lost */
	unsigned ms = 0;
	if (sscanf(ev->u.op.message, "play: %u ms of silence", &ms) != 1)
		fail_msg("OP_DONE message '%s'", ev->u.op.message);
	if (took < 250000)	/* the 60 ticks ran inside the stall (always, unless the machine froze) */
		assert_int_equal(ms, 200);
	media_io_test_stall(NULL, 0);
	h_ctx_free(ctx);
}

/* The same unit tests with the file I/O in the I/O thread (h_tick settles it: deterministic). */
static void test_io_play_record_exact(void **state) { test_play_record_exact(state); }
static void test_io_record_killed(void **state) { test_record_killed(state); }
static void test_io_record_disk_full(void **state) { test_record_disk_full(state); }
static void test_io_record_unwritable(void **state) { test_record_unwritable(state); }

/* ---- tones and CPA ---- */

/*
 * Tones of a country's table, generated by the engine, reach another
 * channel 37 samples off the block grid with line noise (-50 dBm0): the
 * detector reports exactly that tone and CPA classifies it.
 */
static void tone_detect_country(const char *country)
{
	const enum cti_tone tones[] = { CTI_TONE_BUSY, CTI_TONE_RINGBACK, CTI_TONE_CONGESTION, CTI_TONE_SIT,
					CTI_TONE_DIAL };
	const int cpa[] = { CTI_CPA_BUSY, CTI_CPA_NO_ANSWER, CTI_CPA_CONGESTION, CTI_CPA_SIT, -1 };

	for (size_t k = 0; k < sizeof(tones) / sizeof(tones[0]); k++) {
		cti_ctx_t *gctx = h_ctx(country);
		cti_call_t *g = h_call(gctx, CTI_LAW_ALAW);
		g->capture = 1;
		assert_true(cti_play_tone(g, tones[k], NULL) > 0);
		h_tick(gctx, 700);	/* 14 s */
		size_t n = g->cap_len + 37;
		int16_t *x = calloc(n, sizeof(int16_t));
		unsigned seed = 11;
		memcpy(x + 37, g->cap, g->cap_len * sizeof(int16_t));
		h_noise(x, n, -50, &seed);
		h_ctx_free(gctx);

		cti_ctx_t *ctx = h_ctx(country);
		cti_call_t *b = h_call(ctx, CTI_LAW_ALAW);
		cti_cpa_params_t cp;
		h_feed(b, x, n);
		cti_cpa_params_init(&cp);
		cp.no_answer_ms = 12000;
		int cid = cpa[k] >= 0 ? cti_cpa_start(b, &cp) : 0;
		run_until(ctx, CTI_EV_TONE, b, 1, 700);
		const cti_event_t *ev = h_find(ctx, CTI_EV_TONE, b, 0);
		if (!ev || ev->u.tone.tone != (int)tones[k])
			fail_msg("%s: played %s, detected %s", country, cti_tone_name(tones[k]),
				 ev ? cti_tone_name(ev->u.tone.tone) : "nothing");
		if (cid > 0) {
			run_until(ctx, CTI_EV_CPA_DONE, b, 1, 700);
			ev = h_find(ctx, CTI_EV_CPA_DONE, b, 0);
			if (!ev)
				fail_msg("%s: %s: no CPA result", country, cti_tone_name(tones[k]));
			if (ev->u.cpa.result != cpa[k])
				fail_msg("%s: %s: CPA %s", country, cti_tone_name(tones[k]),
					 cti_cpa_result_name(ev->u.cpa.result));
			if (tones[k] == CTI_TONE_RINGBACK)
				assert_int_equal(ev->u.cpa.duration_ms, 12000);
			assert_int_equal(count_done(ctx, cid), 1);
		}
		/* only the tone played was ever reported */
		for (int i = 0; (ev = h_find(ctx, CTI_EV_TONE, b, i)); i++)
			if (ev->u.tone.tone != (int)tones[k])
				fail_msg("%s: played %s, also detected %s", country, cti_tone_name(tones[k]),
					 cti_tone_name(ev->u.tone.tone));
		free(x);
		h_ctx_free(ctx);
	}
}

static void test_tones_itu(void **state) { (void)state; tone_detect_country("itu"); }
static void test_tones_us(void **state) { (void)state; tone_detect_country("us"); }
static void test_tones_uk(void **state) { (void)state; tone_detect_country("uk"); }
static void test_tones_cn(void **state) { (void)state; tone_detect_country("cn"); }

/* The one tone country list: names, canonical spelling, the eu alias, and every listed name has a table. */
static void test_tone_countries(void **state)
{
	(void)state;
	const char *canon = NULL;

	assert_string_equal(media_tone_countries(), "itu, us, uk, cn");
	assert_true(media_tone_country_ok("CN", &canon));
	assert_string_equal(canon, "cn");
	assert_true(media_tone_country_ok("eu", &canon));
	assert_string_equal(canon, "itu");
	assert_false(media_tone_country_ok("fr", &canon));
	assert_false(media_tone_country_ok("", &canon));
	assert_false(media_tone_country_ok(NULL, &canon));
	char list[64];
	snprintf(list, sizeof(list), "%s", media_tone_countries());
	for (char *save, *name = strtok_r(list, ", ", &save); name; name = strtok_r(NULL, ", ", &save)) {
		assert_non_null(tone_table_find(name));
		assert_true(media_tone_country_ok(name, &canon));
		assert_string_equal(canon, name);
	}
}

/* Generated cadences: on/off times and levels as in the table (UK ringback: 0.4/0.2/0.4/2.0, 400+450 Hz). */
static void test_tone_cadence_generated(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("uk");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	const int on[] = { 1, 0, 1, 0, 1 }, ms[] = { 400, 200, 400, 2000, 400 };

	a->capture = 1;
	assert_true(cti_play_tone(a, CTI_TONE_RINGBACK, NULL) > 0);
	h_tick(ctx, 170);
	size_t pos = 0;
	for (int k = 0; k < 5; k++) {
		size_t len = (size_t)ms[k] * 8;
		/* the inside of each segment (edges excluded by 2 ms) */
		if (on[k]) {
			assert_true(fabs(h_tone_dbm0(a->cap + pos + 16, len - 32, 400) + 19) < 0.6);
			assert_true(fabs(h_tone_dbm0(a->cap + pos + 16, len - 32, 450) + 19) < 0.6);
		} else {
			assert_true(h_dbm0(a->cap + pos + 16, len - 32) < -60);
		}
		pos += len;
	}
	h_ctx_free(ctx);
}

/* The split-block Goertzel gives each frequency's share of the block energy. */
static void test_goertzel_shares(void **state)
{
	(void)state;
	struct tone_det d;
	int16_t x[MEDIA_BLOCK];
	int cls;

	media_tables_init();
	tone_det_init(&d, tone_table_find("us"));
	for (int k = 0; k < d.ncomp; k++) {
		double f = d.comp_f[k];
		h_sine(x, MEDIA_BLOCK, f, -20, 0);
		double e = 0;
		for (int i = 0; i < MEDIA_BLOCK; i++)
			e += (double)x[i] * x[i];
		tone_det_block(&d, x, MEDIA_BLOCK, e, &cls);
		assert_true(d.measured);
		if (fabs(d.ratio[k] - 1.0) > 0.03)
			fail_msg("%g Hz: share %.3f of its own bin", f, d.ratio[k]);
		for (int j = 0; j < d.ncomp; j++)	/* other bins 70 Hz or more away (40 Hz leaks sinc^2(0.8)) */
			if (j != k && fabs(d.comp_f[j] - f) >= 70 && d.ratio[j] > 0.05)
				fail_msg("%g Hz: %.3f in the %d Hz bin", f, d.ratio[j], d.comp_f[j]);
	}
	/* two tones at -13 dBm0 each (US dial): half each */
	h_sine(x, MEDIA_BLOCK, 350, -13, 0);
	h_sine(x, MEDIA_BLOCK, 440, -13, 1);
	double e = 0;
	for (int i = 0; i < MEDIA_BLOCK; i++)
		e += (double)x[i] * x[i];
	tone_det_block(&d, x, MEDIA_BLOCK, e, &cls);
	assert_true(cls >= 0);
	assert_int_equal(d.sig[cls].f1, 350);
	assert_int_equal(d.sig[cls].f2, 440);
}

/* Progress tones made by sox (another generator, frequencies off by up to 1 %) are classified. */
struct sox_tone {
	const char *country;
	const char *law;	/* sox -e */
	const char *segs[8];	/* "dur sin f [sin f] vol v" or "dur" of silence, repeated */
	int reps;
	int want;
};

static void test_tones_sox(void **state)
{
	(void)state;
	const struct sox_tone cases[] = {
		{ "us", "u-law", { "0.5 sin 483 sin 616 vol 0.05", "0.5" }, 4, CTI_CPA_BUSY },
		{ "itu", "a-law", { "1.0 sin 429 vol 0.2", "4.0" }, 3, CTI_CPA_NO_ANSWER },
		{ "itu", "a-law", { "0.33 sin 955 vol 0.1", "0.33 sin 1395 vol 0.1", "0.33 sin 1805 vol 0.1", "1.0" }, 2,
		  CTI_CPA_SIT },
		{ "cn", "a-law", { "0.7 sin 448 vol 0.2", "0.7" }, 4, CTI_CPA_CONGESTION },
		{ "uk", "a-law", { "0.375 sin 401 vol 0.2", "0.375" }, 5, CTI_CPA_BUSY },
	};
	for (size_t k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		const struct sox_tone *t = &cases[k];
		char cmd[600], path[300];
		snprintf(path, sizeof(path), "%s", tpath("sox_tone.raw"));
		unlink(path);
		for (int r = 0; r < t->reps; r++)
			for (int j = 0; t->segs[j]; j++) {
				const char *sg = t->segs[j];
				if (strchr(sg, ' '))
					snprintf(cmd, sizeof(cmd), "sox -n -r 8000 -c 1 -e %s -t raw - synth %s >> %s",
						 t->law, sg, path);
				else
					snprintf(cmd, sizeof(cmd), "sox -n -r 8000 -c 1 -e %s -t raw - trim 0 %s >> %s",
						 t->law, sg, path);
				assert_int_equal(system(cmd), 0);
			}
		enum cti_law law = t->law[0] == 'u' ? CTI_LAW_ULAW : CTI_LAW_ALAW;
		size_t n;
		int16_t *x = h_read_raw(path, &n, law);
		assert_non_null(x);
		assert_true(n > 8000);
		cti_ctx_t *ctx = h_ctx(t->country);
		cti_call_t *a = h_call(ctx, law);
		cti_cpa_params_t cp;
		cti_cpa_params_init(&cp);
		cp.no_answer_ms = 8000;
		h_feed(a, x, n);
		cti_cpa_start(a, &cp);
		run_until(ctx, CTI_EV_CPA_DONE, a, 1, (int)(n / MEDIA_BLOCK));
		const cti_event_t *ev = h_find(ctx, CTI_EV_CPA_DONE, a, 0);
		if (!ev || ev->u.cpa.result != t->want)
			fail_msg("%s %s: CPA %s, want %s", t->country, t->segs[0],
				 ev ? cti_cpa_result_name(ev->u.cpa.result) : "nothing", cti_cpa_result_name(t->want));
		free(x);
		h_ctx_free(ctx);
	}
}

/* Tones of one table are not taken for tones of another country's table. */
static void test_tones_wrong_table(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("us");
	cti_call_t *a = h_call(ctx, CTI_LAW_ULAW);
	int16_t *x = calloc(8000 * 6, sizeof(int16_t));

	/* European busy (425 Hz 0.5/0.5) on a US table: no busy */
	for (int s = 0; s < 6; s++)
		h_sine(x + s * 8000, 4000, 425, -10, 0);
	h_feed(a, x, 8000 * 6);
	h_tick(ctx, 300);
	assert_int_equal(h_count(ctx, CTI_EV_TONE, a), 0);
	free(x);
	h_ctx_free(ctx);
}

static void test_fax_tones(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_call_t *b = h_call(ctx, CTI_LAW_ALAW);

	h_wire(a, b);
	int cid = cti_cpa_start(b, NULL);
	assert_true(cti_play_tone(a, CTI_TONE_CED, NULL) > 0);
	run_until(ctx, CTI_EV_CPA_DONE, b, 1, 500);
	const cti_event_t *ev = h_find(ctx, CTI_EV_CPA_DONE, b, 0);
	assert_non_null(ev);
	assert_int_equal(ev->u.cpa.result, CTI_CPA_FAX);
	assert_int_equal(op_done(ctx, cid)->u.op.kind, CTI_OP_CPA);
	ev = h_find(ctx, CTI_EV_TONE, b, 0);
	assert_non_null(ev);
	assert_int_equal(ev->u.tone.tone, CTI_TONE_CED);
	run_until(ctx, CTI_EV_OP_DONE, a, 1, 500);	/* CED is 3.3 s */
	h_clear_events(ctx);
	assert_true(cti_play_tone(b, CTI_TONE_CNG, NULL) > 0);
	run_until(ctx, CTI_EV_TONE, a, 1, 500);
	ev = h_find(ctx, CTI_EV_TONE, a, 0);
	assert_non_null(ev);
	assert_int_equal(ev->u.tone.tone, CTI_TONE_CNG);
	h_ctx_free(ctx);
}

static void cpa_voice(uint32_t burst_ms, int want, uint32_t want_ms)
{
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	unsigned seed = 77;
	size_t n = 8000 * 10;
	int16_t *x = calloc(n, sizeof(int16_t));

	/* 400 ms silence, then a burst of speech-like noise with short pauses */
	for (uint32_t ms = 0; ms < burst_ms; ms += 300) {
		uint32_t len = burst_ms - ms < 250 ? burst_ms - ms : 250;
		h_noise(x + 3200 + ms * 8, len * 8, -18, &seed);
	}
	h_feed(a, x, n);
	int cid = cti_cpa_start(a, NULL);
	run_until(ctx, CTI_EV_CPA_DONE, a, 1, 1000);
	const cti_event_t *ev = h_find(ctx, CTI_EV_CPA_DONE, a, 0);
	assert_non_null(ev);
	if (ev->u.cpa.result != want)
		fail_msg("burst %u ms: %s", burst_ms, cti_cpa_result_name(ev->u.cpa.result));
	assert_true(ev->u.cpa.duration_ms >= want_ms - 60 && ev->u.cpa.duration_ms <= want_ms + 60);
	assert_int_equal(count_done(ctx, cid), 1);
	free(x);
	h_ctx_free(ctx);
}

static void test_cpa_voice_machine_silence(void **state)
{
	(void)state;
	cpa_voice(800, CTI_CPA_VOICE, 400 + 800 - 50 + 800);	/* "hello?", then 800 ms of silence */
	cpa_voice(4000, CTI_CPA_MACHINE, 400 + 1500);		/* a greeting longer than 1.5 s */
	cpa_voice(0, CTI_CPA_SILENCE, 5000);

	/* silence before the answer is no result: max time ends it */
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_cpa_params_t cp;
	a->state = CTI_CALL_ALERTING;
	cti_cpa_params_init(&cp);
	cp.max_ms = 8000;
	int cid = cti_cpa_start(a, &cp);
	run_until(ctx, CTI_EV_CPA_DONE, a, 1, 1000);
	assert_int_equal(h_find(ctx, CTI_EV_CPA_DONE, a, 0)->u.cpa.result, CTI_CPA_NONE);
	assert_int_equal(h_find(ctx, CTI_EV_CPA_DONE, a, 0)->u.cpa.duration_ms, 8000);
	assert_int_equal(op_done(ctx, cid)->u.op.reason, CTI_TERM_MAX_TIME);
	h_ctx_free(ctx);
}

/* ---- bridge, conference, monitor ---- */

struct party {
	cti_call_t *c;
	double f;
	int16_t *x;
};

static void parties(cti_ctx_t *ctx, struct party *p, int n, const double *f)
{
	for (int i = 0; i < n; i++) {
		p[i].c = h_call(ctx, CTI_LAW_ALAW);
		p[i].f = f[i];
		p[i].x = calloc(8000 * 30, sizeof(int16_t));
		h_sine(p[i].x, 8000 * 30, f[i], -16, 0);
		h_feed(p[i].c, p[i].x, 8000 * 30);
		p[i].c->capture = 1;
	}
}

/* Run 0.5 s and check which party's frequency each leg hears (hears[i][j]: i hears j). */
static void check_hears(cti_ctx_t *ctx, struct party *p, int n, const int *hears, const char *what)
{
	for (int i = 0; i < n; i++)
		p[i].c->cap_len = 0;
	h_tick(ctx, 25);
	for (int i = 0; i < n; i++)
		for (int j = 0; j < n; j++) {
			/* skip the first block: routing changes take effect on the next tick */
			double l = h_tone_dbm0(p[i].c->cap + 160, p[i].c->cap_len - 160, p[j].f);
			int heard = l > -20;
			if (heard != hears[i * n + j] || (!heard && l > -50))
				fail_msg("%s: party %d hears party %d at %.1f dBm0 (want %s)", what, i, j, l,
					 hears[i * n + j] ? "heard" : "nothing");
			if (heard && fabs(l + 16) > 0.7)
				fail_msg("%s: party %d hears party %d at %.1f dBm0, sent at -16", what, i, j, l);
		}
}

static void test_bridge_conference(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	struct party p[4];
	const double f[4] = { 500, 900, 1300, 1700 };

	parties(ctx, p, 4, f);
	const int none[16] = { 0 };
	check_hears(ctx, p, 4, none, "idle");
	assert_int_equal(cti_bridge(p[0].c, p[1].c), 0);
	const int br[16] = { 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	check_hears(ctx, p, 4, br, "bridge 0-1");
	assert_int_equal(cti_bridge(p[2].c, p[1].c), 0);	/* moves 1 to a new bridge */
	const int br2[16] = { 0, 0, 0, 0, 0, 0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0 };
	check_hears(ctx, p, 4, br2, "bridge 1-2");
	assert_int_equal(cti_unbridge(p[2].c), 0);
	assert_int_equal(cti_unbridge(p[2].c), CTI_ENOENT);
	check_hears(ctx, p, 4, none, "unbridged");
	cti_conf_t *cf = cti_conf_new(ctx);
	assert_non_null(cf);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cti_conf_add(cf, p[i].c), 0);
	const int cnf[16] = { 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 0, 0, 0, 0 };
	check_hears(ctx, p, 4, cnf, "conference 0,1,2");
	assert_int_equal(cti_conf_remove(cf, p[1].c), 0);
	assert_int_equal(cti_conf_remove(cf, p[1].c), CTI_ENOENT);
	const int cnf2[16] = { 0, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0 };
	check_hears(ctx, p, 4, cnf2, "conference 0,2");
	cti_ctx_t *other = h_ctx("itu");
	cti_call_t *stranger = h_call(other, CTI_LAW_ALAW);
	assert_int_equal(cti_conf_add(cf, stranger), CTI_EINVAL);
	assert_int_equal(cti_bridge(p[3].c, stranger), CTI_EINVAL);
	h_ctx_free(other);
	h_hangup(p[2].c);	/* leaves the conference */
	p[2].c->capture = 0;
	cti_conf_free(cf);
	for (int i = 0; i < 4; i++)
		free(p[i].x);
	h_ctx_free(ctx);
}

static void test_monitor_modes(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	struct party p[3];	/* 0 caller, 1 agent (target), 2 supervisor */
	const double f[3] = { 400, 1100, 2000 };

	parties(ctx, p, 3, f);
	assert_int_equal(cti_bridge(p[0].c, p[1].c), 0);
	assert_int_equal(cti_monitor(p[2].c, p[1].c, CTI_MONITOR_LISTEN), 0);
	const int listen[9] = { 0, 1, 0, 1, 0, 0, 1, 1, 0 };
	check_hears(ctx, p, 3, listen, "listen");
	assert_int_equal(cti_monitor(p[2].c, p[1].c, CTI_MONITOR_WHISPER), 0);
	const int whisper[9] = { 0, 1, 0, 1, 0, 1, 1, 1, 0 };
	check_hears(ctx, p, 3, whisper, "whisper");
	assert_int_equal(cti_monitor(p[2].c, p[1].c, CTI_MONITOR_BARGE), 0);
	const int barge[9] = { 0, 1, 1, 1, 0, 1, 1, 1, 0 };
	check_hears(ctx, p, 3, barge, "barge");
	assert_int_equal(cti_monitor(p[2].c, p[1].c, CTI_MONITOR_LISTEN), 0);
	check_hears(ctx, p, 3, listen, "back to listen");
	/* the supervisor also hears prompts played to the agent */
	int id = cti_play_tone(p[1].c, CTI_TONE_MILLIWATT, NULL);
	assert_true(id > 0);
	p[2].c->cap_len = 0;
	h_tick(ctx, 10);
	assert_true(h_tone_dbm0(p[2].c->cap + 160, p[2].c->cap_len - 160, 1004) > -1);
	cti_stop(p[1].c, id);
	assert_int_equal(cti_monitor_stop(p[2].c), 0);
	assert_int_equal(cti_monitor_stop(p[2].c), CTI_ENOENT);
	const int stop[9] = { 0, 1, 0, 1, 0, 0, 0, 0, 0 };
	check_hears(ctx, p, 3, stop, "stopped");
	/* the target hangs up: monitoring ends, nothing dangles */
	assert_int_equal(cti_monitor(p[2].c, p[1].c, CTI_MONITOR_BARGE), 0);
	h_hangup(p[1].c);
	p[1].c->capture = 0;
	h_tick(ctx, 5);
	assert_int_equal(cti_monitor_stop(p[2].c), CTI_ENOENT);
	for (int i = 0; i < 3; i++)
		free(p[i].x);
	h_ctx_free(ctx);
}

/* Supervising a conference member: listen hears the member and the conference, barge reaches all. */
static void test_monitor_conference(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	struct party p[4];	/* 0, 1, 2 in conference, 3 supervises 1 */
	const double f[4] = { 500, 900, 1300, 1700 };

	parties(ctx, p, 4, f);
	cti_conf_t *cf = cti_conf_new(ctx);
	for (int i = 0; i < 3; i++)
		assert_int_equal(cti_conf_add(cf, p[i].c), 0);
	assert_int_equal(cti_monitor(p[3].c, p[1].c, CTI_MONITOR_LISTEN), 0);
	const int listen[16] = { 0, 1, 1, 0, 1, 0, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0 };
	check_hears(ctx, p, 4, listen, "listen to a conference member");
	assert_int_equal(cti_monitor(p[3].c, p[1].c, CTI_MONITOR_BARGE), 0);
	const int barge[16] = { 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0, 1, 1, 1, 1, 0 };
	check_hears(ctx, p, 4, barge, "barge into a conference");
	cti_conf_free(cf);
	for (int i = 0; i < 4; i++)
		free(p[i].x);
	h_ctx_free(ctx);
}

/* ---- levels, hook, misc ---- */

static int hook_ends, hook_reason;
static void hook_fn(void *user, const int16_t *rx, int16_t *tx, int n)
{
	(void)user;
	for (int i = 0; i < n; i++)
		tx[i] = rx[i];	/* echo */
}
static void hook_end(void *user, int reason)
{
	(void)user;
	hook_ends++;
	hook_reason = reason;
}

static void test_levels_hook(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	int16_t x[16000];
	double rx, tx;

	h_sine(x, 16000, 1000, -20, 0);
	h_feed(a, x, 16000);
	int id = cti_play_tone(a, CTI_TONE_MILLIWATT, NULL);
	h_tick(ctx, 10);
	assert_int_equal(cti_levels(a, &rx, &tx), 0);
	assert_true(fabs(rx + 20) < 0.3);
	assert_true(fabs(tx - 0) < 0.3);
	/* the hook owns the output: the play stops, others are refused */
	assert_int_equal(media_chan_set_hook(a->mc, hook_fn, hook_end, NULL), 0);
	assert_int_equal(op_done(ctx, id)->u.op.reason, CTI_TERM_STOPPED);
	assert_int_equal(cti_play_tone(a, CTI_TONE_BEEP, NULL), CTI_EBUSY);
	h_tick(ctx, 10);
	cti_levels(a, &rx, &tx);
	assert_true(fabs(tx + 20) < 0.3);	/* echoed */
	assert_int_equal(media_chan_set_hook(a->mc, NULL, NULL, NULL), 0);
	assert_int_equal(hook_ends, 1);
	assert_int_equal(hook_reason, CTI_TERM_STOPPED);
	/* cti_stop removes the hook: by the owner's operation id, or all (0) */
	media_chan_set_hook(a->mc, hook_fn, hook_end, NULL);
	/* continuity (the transport's deep cushion) lasts as long as this hook */
	assert_false(media_chan_continuous(a->mc));
	media_chan_set_hook_continuous(a->mc, 1);
	assert_true(media_chan_continuous(a->mc));
	media_chan_set_hook(a->mc, hook_fn, hook_end, NULL);
	assert_false(media_chan_continuous(a->mc));
	assert_int_equal(hook_ends, 2);
	hook_ends = 1;
	media_chan_set_hook_op(a->mc, 777);
	assert_int_equal(cti_stop(a, 776), CTI_ENOENT);
	assert_int_equal(cti_stop(a, 777), 0);
	assert_int_equal(hook_ends, 2);
	assert_int_equal(hook_reason, CTI_TERM_STOPPED);
	media_chan_set_hook(a->mc, hook_fn, hook_end, NULL);
	assert_int_equal(cti_stop(a, 0), 0);
	assert_int_equal(hook_ends, 3);
	assert_true(cti_play_tone(a, CTI_TONE_BEEP, NULL) > 0);	/* output free again */
	cti_stop(a, 0);
	media_chan_set_hook(a->mc, hook_fn, hook_end, NULL);
	h_hangup(a);
	assert_int_equal(hook_ends, 4);
	assert_int_equal(hook_reason, CTI_TERM_HANGUP);
	assert_int_equal(cti_levels(a, &rx, &tx), CTI_ESTATE);
	assert_string_equal(cti_term_reason_name(CTI_TERM_INTER_DIGIT_TIMEOUT), "inter-digit-timeout");
	assert_string_equal(cti_tone_name(CTI_TONE_SIT), "sit");
	assert_string_equal(cti_cpa_result_name(CTI_CPA_MACHINE), "machine");
	h_ctx_free(ctx);
}

/* Digits are never lost or doubled: a long random string at random on/off times. */
static void test_dtmf_no_loss(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_call_t *b = h_call(ctx, CTI_LAW_ALAW);
	char digits[200], got[256];
	unsigned seed = 42;

	h_wire(a, b);
	for (int i = 0; i < 199; i++)
		digits[i] = ALL_DIGITS[rand_r(&seed) % 16];
	digits[199] = 0;
	for (int part = 0; part < 4; part++) {	/* 4 sends with different timing */
		char d[64];
		memcpy(d, digits + part * 50, 50);
		d[50] = 0;
		if (part == 3)
			d[49] = 0;
		int on = 45 + part * 17, off = 45 + part * 13;
		int id = cti_send_dtmf(a, d, on, off, -10 - part * 5);
		assert_true(id > 0);
		run_until(ctx, CTI_EV_OP_DONE, a, part + 1, 5000);
	}
	h_tick(ctx, 10);
	h_digits(ctx, b, got, sizeof(got));
	assert_string_equal(got, digits);
	h_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dtmf_decode_minus30),
		cmocka_unit_test(test_dtmf_decode_noise),
		cmocka_unit_test(test_dtmf_twist_short),
		cmocka_unit_test(test_no_false_detection),
		cmocka_unit_test(test_dtmf_sox),
		cmocka_unit_test(test_dtmf_generate_multimon),
		cmocka_unit_test(test_dtmf_timing_level),
		cmocka_unit_test(test_dtmf_no_loss),
		cmocka_unit_test(test_play_record_exact),
		cmocka_unit_test(test_play_raw_by_extension),
		cmocka_unit_test(test_record_formats_split_beep),
		cmocka_unit_test(test_record_pause),
		cmocka_unit_test(test_get_digits_terms),
		cmocka_unit_test(test_record_silence_terms),
		cmocka_unit_test(test_play_stop_on_digit_and_hangup),
		cmocka_unit_test(test_record_unwritable),
		cmocka_unit_test(test_record_disk_full),
		cmocka_unit_test(test_record_killed),
		cmocka_unit_test(test_tones_itu),
		cmocka_unit_test(test_tones_us),
		cmocka_unit_test(test_tones_uk),
		cmocka_unit_test(test_tones_cn),
		cmocka_unit_test(test_tones_wrong_table),
		cmocka_unit_test(test_tone_countries),
		cmocka_unit_test_setup_teardown(test_io_stall_other_calls_keep_time, io_on, io_off),
		cmocka_unit_test_setup_teardown(test_io_play_underrun_reported, io_on, io_off),
		cmocka_unit_test_setup_teardown(test_io_play_record_exact, io_on, io_off),
		cmocka_unit_test_setup_teardown(test_io_record_killed, io_on, io_off),
		cmocka_unit_test_setup_teardown(test_io_record_disk_full, io_on, io_off),
		cmocka_unit_test_setup_teardown(test_io_record_unwritable, io_on, io_off),
		cmocka_unit_test(test_tones_sox),
		cmocka_unit_test(test_goertzel_shares),
		cmocka_unit_test(test_tone_cadence_generated),
		cmocka_unit_test(test_fax_tones),
		cmocka_unit_test(test_cpa_voice_machine_silence),
		cmocka_unit_test(test_bridge_conference),
		cmocka_unit_test(test_monitor_modes),
		cmocka_unit_test(test_monitor_conference),
		cmocka_unit_test(test_levels_hook),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
