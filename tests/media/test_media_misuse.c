/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_media_misuse.c - a hostile application against lib/media's part of
 * cti.h: parameter structs without init or with garbage sizes, unterminated
 * strings, NULL pointers, recordings to /dev/full, a FIFO and a directory
 * removed mid-recording, playing a FIFO, a truncated file and WAVs with
 * lying headers, 200 simultaneous recordings. Every failure must return a
 * CTI_E* code equal to cti_last_error_code() and a message naming the
 * problem; nothing may hang (a watchdog alarm fails the test instead).
 * docs/reliability.md "API misuse and media files" has the findings.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <sndfile.h>

#include "harness.h"
#include "../../lib/media/media_int.h"


static char tmpdir[256];

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_media_misuse.XXXXXX");
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

/* A hang is a failure, not a stuck `make check`. */
static void watchdog(int sig)
{
	(void)sig;
	static const char m[] = "watchdog: the library hung\n";
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(3);
	_exit(2);
}

static void arm(unsigned s)
{
	signal(SIGALRM, watchdog);
	alarm(s);
}

static const cti_event_t *op_done(cti_ctx_t *ctx, int id)
{
	const cti_event_t *ev;

	for (int k = 0; (ev = h_find(ctx, CTI_EV_OP_DONE, NULL, k)); k++)
		if (ev->u.op.id == id)
			return ev;
	return NULL;
}

/* rc is a failure with the code `code`, cti_last_error_code() agrees and the message holds `word`. */
static void failed_with(int rc, int code, const char *word)
{
	if (rc != code || cti_last_error_code() != code || !strstr(cti_last_error(), word))
		fail_msg("want %d naming '%s': got rc %d, last code %d, '%s'", code, word, rc,
			 cti_last_error_code(), cti_last_error());
}

static void write_wav(const char *path, size_t n)
{
	SF_INFO info = { .samplerate = 8000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	SNDFILE *sf = sf_open(path, SFM_WRITE, &info);
	int16_t *x = calloc(n, sizeof(int16_t));

	assert_non_null(sf);
	for (size_t i = 0; i < n; i++)
		x[i] = (int16_t)((i * 37) % 2000 - 1000);
	assert_int_equal(sf_write_short(sf, x, (sf_count_t)n), (sf_count_t)n);
	sf_close(sf);
	free(x);
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

/* A hand-made 44-byte PCM WAV header claiming what the caller says, then `data` bytes of samples. */
static void lying_wav(const char *path, uint32_t data_size, uint16_t channels, uint32_t rate, size_t data)
{
	uint8_t h[44];
	uint32_t v;
	uint16_t s;
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	memcpy(h, "RIFF", 4);
	v = data_size + 36;
	memcpy(h + 4, &v, 4);
	memcpy(h + 8, "WAVEfmt ", 8);
	v = 16;
	memcpy(h + 16, &v, 4);
	s = 1;
	memcpy(h + 20, &s, 2);
	memcpy(h + 22, &channels, 2);
	memcpy(h + 24, &rate, 4);
	v = rate * 2u * channels;
	memcpy(h + 28, &v, 4);
	s = (uint16_t)(2 * channels);
	memcpy(h + 32, &s, 2);
	s = 16;
	memcpy(h + 34, &s, 2);
	memcpy(h + 36, "data", 4);
	memcpy(h + 40, &data_size, 4);
	assert_int_equal(fwrite(h, 1, 44, f), 44);
	for (size_t i = 0; i < data; i++)
		fputc((int)(i & 0x7f), f);
	fclose(f);
}

static int run_until_done(cti_ctx_t *ctx, int id, int max_ticks)
{
	for (int i = 0; i < max_ticks && !op_done(ctx, id); i++)
		h_tick(ctx, 1);
	return op_done(ctx, id) != NULL;
}

/* ------------------------------------------------------------ parameter structs */

static void test_params_garbage_sizes(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_record_params_t rp;
	cti_term_t t;
	cti_cpa_params_t cp;

	/* without init: size 0 */
	memset(&rp, 0, sizeof(rp));
	rp.path = tpath("x.wav");
	failed_with(cti_record(a, &rp, NULL), CTI_EINVAL, "cti_record_params_init");
	memset(&t, 0, sizeof(t));
	failed_with(cti_play_tone(a, CTI_TONE_BEEP, &t), CTI_EINVAL, "cti_term_init");
	memset(&cp, 0, sizeof(cp));
	failed_with(cti_cpa_start(a, &cp), CTI_EINVAL, "cti_cpa_params_init");
	/* huge, tiny */
	cti_record_params_init(&rp);
	rp.path = tpath("x.wav");
	rp.size = 0xffffffffu;
	failed_with(cti_record(a, &rp, NULL), CTI_EINVAL, "size");
	rp.size = 2;
	failed_with(cti_record(a, &rp, NULL), CTI_EINVAL, "size");
	/*
	 * A size inside a field (no cti.h ever had it): the library would take
	 * half of the path pointer and the rest from its default (NULL).
	 */
	rp.size = (uint32_t)(offsetof(cti_record_params_t, path) + 4);
	failed_with(cti_record(a, &rp, NULL), CTI_EINVAL, "size");
	failed_with(cti_record(a, &rp, NULL), CTI_EINVAL, "inside field 'path'");
	cti_term_init(&t);
	t.size = 5;
	failed_with(cti_play_tone(a, CTI_TONE_BEEP, &t), CTI_EINVAL, "inside field 'max_digits'");
	t.size = (uint32_t)offsetof(cti_term_t, max_time_ms) + 2;
	failed_with(cti_play_tone(a, CTI_TONE_BEEP, &t), CTI_EINVAL, "inside field 'max_time_ms'");
	/* an older cti.h's struct ending at a field boundary is fine */
	t.size = (uint32_t)offsetof(cti_term_t, max_time_ms);
	int id = cti_play_tone(a, CTI_TONE_BEEP, &t);
	assert_true(id > 0);
	assert_int_equal(cti_stop(a, id), 0);
	/* newer cti.h, fields we do not know set: refused; zero: fine */
	struct { cti_term_t t; uint32_t extra; } big;
	memset(&big, 0, sizeof(big));
	cti_term_init(&big.t);
	big.t.size = sizeof(big);
	big.extra = 1;
	failed_with(cti_play_tone(a, CTI_TONE_BEEP, &big.t), CTI_ENOTSUP, "does not know");
	big.extra = 0;
	id = cti_play_tone(a, CTI_TONE_BEEP, &big.t);
	assert_true(id > 0);
	assert_int_equal(cti_stop(a, id), 0);
	/* the init macros with a NULL struct or a too small size do nothing (no crash) */
	cti_term_init_sized(NULL, sizeof(t));
	cti_record_params_init_sized(&rp, 2);
	h_ctx_free(ctx);
}

/* term_digits without its NUL: the check read on into the next fields. */
static void test_term_digits_unterminated(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_term_t t;

	cti_term_init(&t);
	memset(t.term_digits, '#', sizeof(t.term_digits));
	failed_with(cti_get_digits(a, &t), CTI_EINVAL, "term_digits");
	failed_with(cti_play_tone(a, CTI_TONE_BEEP, &t), CTI_EINVAL, "term_digits");
	h_ctx_free(ctx);
}

static void test_null_pointers(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_record_params_t rp;
	cti_play_item_t it;
	double rx, tx;
	char buf[8];

	cti_record_params_init(&rp);
	failed_with(cti_record(NULL, &rp, NULL), CTI_EINVAL, "cti_record");
	failed_with(cti_record(a, NULL, NULL), CTI_EINVAL, "NULL");
	failed_with(cti_record(a, &rp, NULL), CTI_EINVAL, "path is NULL");
	rp.path = tpath("n.wav");
	rp.mode = CTI_REC_SPLIT;
	failed_with(cti_record(a, &rp, NULL), CTI_EINVAL, "path2");
	rp.mode = (enum cti_record_mode)77;
	failed_with(cti_record(a, &rp, NULL), CTI_EINVAL, "mode 77");
	rp.mode = CTI_REC_MIXED;
	rp.format = (enum cti_format)-3;
	failed_with(cti_record(a, &rp, NULL), CTI_EINVAL, "format -3");
	failed_with(cti_play(a, NULL, 1, NULL), CTI_EINVAL, "items is NULL");
	memset(&it, 0, sizeof(it));
	failed_with(cti_play(a, &it, 0, NULL), CTI_EINVAL, "no items");
	failed_with(cti_play(a, &it, -5, NULL), CTI_EINVAL, "no items");
	failed_with(cti_play(a, &it, 1, NULL), CTI_EINVAL, "neither path nor buf");
	it.buf = buf;
	it.len = sizeof(buf);
	failed_with(cti_play(a, &it, 1, NULL), CTI_EINVAL, "RAW format");
	it.format = (enum cti_format)99;
	failed_with(cti_play(a, &it, 1, NULL), CTI_EINVAL, "RAW format");
	failed_with(cti_play_file(a, NULL, NULL), CTI_EINVAL, "path is NULL");
	failed_with(cti_play_file(NULL, "x.wav", NULL), CTI_EINVAL, "call is NULL");
	failed_with(cti_play_file(a, tpath("nonexistent.wav"), NULL), CTI_ENOENT, "nonexistent.wav");
	/* a path the system refuses is not "no such file" */
	char longp[5000];
	memset(longp, 'a', sizeof(longp) - 1);
	longp[sizeof(longp) - 1] = 0;
	failed_with(cti_play_file(a, longp, NULL), CTI_EIO, "File name too long");
	/* unreadable is not "no such file" */
	FILE *f = fopen(tpath("secret.wav"), "wb");
	fclose(f);
	chmod(tpath("secret.wav"), 0);
	if (geteuid() != 0)	/* root reads it anyway */
		failed_with(cti_play_file(a, tpath("secret.wav"), NULL), CTI_EIO, "Permission denied");
	failed_with(cti_stop(NULL, 0), CTI_EINVAL, "call is NULL");
	failed_with(cti_record_pause(NULL, 1), CTI_EINVAL, "call is NULL");
	failed_with(cti_record_pause(a, 1), CTI_ENOENT, "no recording");
	failed_with(cti_get_digits(NULL, NULL), CTI_EINVAL, "call is NULL");
	failed_with(cti_play_tone(NULL, CTI_TONE_BEEP, NULL), CTI_EINVAL, "call is NULL");
	failed_with(cti_send_dtmf(NULL, "1", 0, 0, 0), CTI_EINVAL, "call is NULL");
	failed_with(cti_levels(NULL, &rx, &tx), CTI_EINVAL, "call is NULL");
	/* NULL outputs and NULL strings */
	int rc = cti_send_dtmf(a, NULL, 0, 0, 0);
	assert_true(rc < 0);
	assert_int_equal(rc, cti_last_error_code());
	rc = cti_digits_read(a, NULL, 4);
	assert_true(rc < 0);
	assert_int_equal(rc, cti_last_error_code());
	rc = cti_levels(a, NULL, NULL);
	assert_true(rc == 0 || rc == cti_last_error_code());
	h_ctx_free(ctx);
}

/* ------------------------------------------------------------ recording files */

/* The recording ends in CTI_TERM_ERROR/CTI_EIO naming the file and `why`; the call goes on. */
static enum cti_format rec_format = CTI_FMT_WAV_PCM16;

static void record_fails(const char *path, const char *why, int ticks)
{
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_record_params_t rp;

	arm(20);
	cti_record_params_init(&rp);
	rp.path = path;
	rp.format = rec_format;
	int id = cti_record(a, &rp, NULL);
	assert_true(id > 0);
	assert_true(run_until_done(ctx, id, ticks));
	const cti_event_t *ev = op_done(ctx, id);
	if (ev->u.op.reason != CTI_TERM_ERROR || ev->u.op.error != CTI_EIO ||
	    !strstr(ev->u.op.message, path) || !strstr(ev->u.op.message, why))
		fail_msg("record to %s: reason %d error %d '%s'", path, ev->u.op.reason, ev->u.op.error,
			 ev->u.op.message);
	int pid = cti_play_tone(a, CTI_TONE_BEEP, NULL);	/* the call goes on */
	assert_true(pid > 0);
	assert_true(run_until_done(ctx, pid, 100));
	assert_int_equal(op_done(ctx, pid)->u.op.reason, CTI_TERM_EOD);
	h_ctx_free(ctx);
	alarm(0);
}

static void test_record_dev_full(void **state)
{
	(void)state;
	record_fails("/dev/full", "No space left", 400);
}

/*
 * A FIFO nobody reads: the first writes fit the pipe, then write() blocks
 * for ever (in the tick with a virtual clock; a worker and cti_close with
 * the I/O thread). It must be refused as "not a regular file".
 */
static void test_record_fifo(void **state)
{
	(void)state;
	const char *p = tpath("rec.fifo");

	unlink(p);
	assert_int_equal(mkfifo(p, 0600), 0);
	record_fails(p, "not a regular file", 600);
	rec_format = CTI_FMT_RAW_ALAW;	/* libsndfile writes raw to a pipe: 64 KB, then blocks */
	record_fails(p, "not a regular file", 600);
	rec_format = CTI_FMT_WAV_PCM16;
	/* a directory */
	record_fails(tmpdir, "", 10);
}

/* The directory removed mid-recording: the open file goes on (unlinked), stop ends it normally. */
static void test_record_dir_removed(void **state)
{
	(void)state;
	char dir[300], cmd[400];
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_record_params_t rp;

	arm(20);
	snprintf(dir, sizeof(dir), "%s", tpath("gone"));
	assert_int_equal(mkdir(dir, 0700), 0);
	cti_record_params_init(&rp);
	char path[400];
	snprintf(path, sizeof(path), "%s/rec.wav", dir);
	rp.path = path;
	int id = cti_record(a, &rp, NULL);
	assert_true(id > 0);
	h_tick(ctx, 20);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
	h_tick(ctx, 100);
	assert_null(op_done(ctx, id));
	assert_int_equal(cti_stop(a, id), 0);
	assert_int_equal(op_done(ctx, id)->u.op.reason, CTI_TERM_STOPPED);
	assert_int_equal(op_done(ctx, id)->u.op.samples, 120 * MEDIA_BLOCK);
	h_ctx_free(ctx);
	alarm(0);
}

/* 200 recordings at once (I/O thread): every file complete and valid. */
static void test_record_200(void **state)
{
	(void)state;
	enum { N = 200 };
	cti_call_t *c[N];
	int id[N];
	char name[32];

	h_io_thread = 1;
	h_io_settle = 1;
	cti_ctx_t *ctx = h_ctx("itu");
	h_io_thread = 0;
	arm(120);
	for (int i = 0; i < N; i++) {
		cti_record_params_t rp;
		c[i] = h_call(ctx, CTI_LAW_ALAW);
		cti_record_params_init(&rp);
		snprintf(name, sizeof(name), "r%03d.wav", i);
		rp.path = tpath(name);
		rp.mode = i % 2 ? CTI_REC_STEREO : CTI_REC_MIXED;
		id[i] = cti_record(c[i], &rp, NULL);
		assert_true(id[i] > 0);
	}
	h_tick(ctx, 50);
	for (int i = 0; i < N; i++) {
		assert_int_equal(cti_stop(c[i], id[i]), 0);
		const cti_event_t *ev = op_done(ctx, id[i]);
		assert_non_null(ev);
		assert_int_equal(ev->u.op.reason, CTI_TERM_STOPPED);
	}
	h_ctx_free(ctx);
	for (int i = 0; i < N; i++) {
		size_t n;
		int ch;
		snprintf(name, sizeof(name), "r%03d.wav", i);
		int16_t *x = read_wav(tpath(name), &n, &ch);
		assert_non_null(x);
		assert_int_equal(ch, i % 2 ? 2 : 1);
		assert_int_equal(n, 50 * MEDIA_BLOCK);
		free(x);
		unlink(tpath(name));
	}
	alarm(0);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/*
 * Closing while a recording's disk is stalled (real time, I/O worker): the
 * close returns within MEDIA_IO_STOP_WAIT_MS (+ the 200 ms the ending
 * recording waits), not when the disk comes back; the worker then finishes
 * the file (valid, every accepted sample) and frees the engine.
 */
static void test_close_while_disk_stalled(void **state)
{
	(void)state;
	h_io_thread = 1;
	h_io_settle = 0;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);
	cti_record_params_t rp;

	h_io_thread = 0;
	h_io_settle = 1;
	arm(30);
	cti_record_params_init(&rp);
	rp.path = tpath("stall_close.wav");
	media_io_test_stall("stall_close.wav", 3500);	/* the first write sleeps 3.5 s */
	int id = cti_record(a, &rp, NULL);
	assert_true(id > 0);
	h_tick(ctx, 10);
	usleep(300000);	/* the worker is in the stalled write */
	h_tick(ctx, 10);	/* 20 blocks accepted into the ring */
	uint64_t t0 = mono_ms();
	h_ctx_free(ctx);
	uint64_t took = mono_ms() - t0;
	fprintf(stderr, "# close with a stalled disk took %llu ms\n", (unsigned long long)took);
	if (took > 2500)	/* the stall has 3.2 s left: an unbounded close takes that long */
		fail_msg("close waited %llu ms for the stalled disk", (unsigned long long)took);
	/* the worker finishes the file, then frees the engine */
	uint64_t end = mono_ms() + 15000;
	while (media_io_test_orphans() && mono_ms() < end)
		usleep(20000);
	assert_int_equal(media_io_test_orphans(), 0);
	size_t n;
	int ch;
	int16_t *x = read_wav(tpath("stall_close.wav"), &n, &ch);
	assert_non_null(x);
	assert_int_equal(n, 20 * MEDIA_BLOCK);
	free(x);
	media_io_test_stall(NULL, 0);
	alarm(0);
}

/* ------------------------------------------------------------ playing files */

/* A FIFO with no writer: open() would block cti_play for ever. */
static void test_play_fifo(void **state)
{
	(void)state;
	const char *p = tpath("play.fifo");
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);

	arm(10);
	unlink(p);
	assert_int_equal(mkfifo(p, 0600), 0);
	failed_with(cti_play_file(a, p, NULL), CTI_EFORMAT, "not a regular file");
	failed_with(cti_play_file(a, tmpdir, NULL), CTI_EFORMAT, "not a regular file");
	h_ctx_free(ctx);
	alarm(0);
}

static void test_play_lying_headers(void **state)
{
	(void)state;
	cti_ctx_t *ctx = h_ctx("itu");
	cti_call_t *a = h_call(ctx, CTI_LAW_ALAW);

	arm(20);
	/* data chunk claims 4 GB, 1000 samples are there: those play, then EOD */
	lying_wav(tpath("huge.wav"), 0xfffffff0u, 1, 8000, 2000);
	int id = cti_play_file(a, tpath("huge.wav"), NULL);
	assert_true(id > 0);
	assert_true(run_until_done(ctx, id, 200));
	assert_int_equal(op_done(ctx, id)->u.op.reason, CTI_TERM_EOD);
	assert_int_equal(op_done(ctx, id)->u.op.samples, 1000);
	lying_wav(tpath("zero.wav"), 2000, 0, 8000, 2000);
	failed_with(cti_play_file(a, tpath("zero.wav"), NULL), CTI_EFORMAT, "zero.wav");
	lying_wav(tpath("hi.wav"), 2000, 1, 96000, 2000);
	failed_with(cti_play_file(a, tpath("hi.wav"), NULL), CTI_EFORMAT, "96000 Hz");
	lying_wav(tpath("st.wav"), 2000, 2, 8000, 2000);
	failed_with(cti_play_file(a, tpath("st.wav"), NULL), CTI_EFORMAT, "2 channel");
	lying_wav(tpath("many.wav"), 2000, 65535, 8000, 2000);
	failed_with(cti_play_file(a, tpath("many.wav"), NULL), CTI_EFORMAT, "many.wav");
	/* header only / empty file / garbage */
	lying_wav(tpath("empty.wav"), 0, 1, 8000, 0);
	id = cti_play_file(a, tpath("empty.wav"), NULL);
	assert_true(id > 0);
	assert_true(run_until_done(ctx, id, 10));
	assert_int_equal(op_done(ctx, id)->u.op.samples, 0);
	FILE *f = fopen(tpath("nothing.wav"), "wb");
	fclose(f);
	failed_with(cti_play_file(a, tpath("nothing.wav"), NULL), CTI_EFORMAT, "nothing.wav");
	h_ctx_free(ctx);
	alarm(0);
}

/* The file truncated while it plays: it ends (EOD) where the data ends, no crash, no hang. */
static void play_truncated(int io)
{
	cti_ctx_t *ctx;
	cti_call_t *a;

	h_io_thread = io;
	h_io_settle = 1;
	ctx = h_ctx("itu");
	a = h_call(ctx, CTI_LAW_ALAW);
	arm(20);
	write_wav(tpath("trunc.wav"), 80000);	/* 10 s */
	int id = cti_play_file(a, tpath("trunc.wav"), NULL);
	assert_true(id > 0);
	h_tick(ctx, 10);
	assert_int_equal(truncate(tpath("trunc.wav"), 44 + 2 * 24000), 0);	/* 3 s left */
	assert_true(run_until_done(ctx, id, 1000));
	const cti_event_t *ev = op_done(ctx, id);
	assert_int_equal(ev->u.op.reason, CTI_TERM_EOD);
	/* no more than was there, no less than was played before the cut (the read-ahead may hold more) */
	assert_true(ev->u.op.samples >= 10 * MEDIA_BLOCK && ev->u.op.samples <= 80000);
	h_ctx_free(ctx);
	h_io_thread = 0;
	alarm(0);
}

static void test_play_truncated(void **state)
{
	(void)state;
	play_truncated(0);
	play_truncated(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_params_garbage_sizes),
		cmocka_unit_test(test_term_digits_unterminated),
		cmocka_unit_test(test_null_pointers),
		cmocka_unit_test(test_record_dev_full),
		cmocka_unit_test(test_record_fifo),
		cmocka_unit_test(test_record_dir_removed),
		cmocka_unit_test(test_record_200),
		cmocka_unit_test(test_close_while_disk_stalled),
		cmocka_unit_test(test_play_fifo),
		cmocka_unit_test(test_play_lying_headers),
		cmocka_unit_test(test_play_truncated),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
