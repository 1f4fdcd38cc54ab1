/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_media_sim.c - media over real calls: libcti (core + media) with the
 * sim board in virtual time. Calls go from span sim1 to sim2 (and sim3 to
 * sim4) across the emulated E1/T1 cables; one side plays, sends DTMF or
 * tones, the other records, collects digits, analyses progress.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sndfile.h>
#include <spandsp.h>

#include "cti.h"

#define MAXEV 20000

static struct {
	cti_event_t ev[MAXEV];
	int n;
	int dchan_up, connected, answered;
	cti_call_t *offered[8];
	int noffered;
} R;

static char tmpdir[128];

static void handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	(void)ctx;
	(void)user;
	if (getenv("CTI_TEST_VERBOSE"))
		fprintf(stderr, "[%6llu] %-16s span %d ch %d call %p\n", (unsigned long long)ev->time_ms,
			cti_event_name(ev->type), ev->span, ev->channel, (void *)ev->call);
	if (R.n < MAXEV)
		R.ev[R.n++] = *ev;
	switch (ev->type) {
	case CTI_EV_DCHAN_UP: R.dchan_up++; break;
	case CTI_EV_CALL_OFFERED:
		if (R.noffered < 8)
			R.offered[R.noffered++] = ev->call;
		cti_call_answer(ev->call);
		break;
	case CTI_EV_CALL_CONNECTED: R.connected++; break;
	case CTI_EV_CALL_ANSWERED: R.answered++; break;
	case CTI_EV_CALL_HANGUP: cti_call_release(ev->call); break;
	default: break;
	}
}

static int count(int type, cti_call_t *call)
{
	int n = 0;
	for (int i = 0; i < R.n; i++)
		n += R.ev[i].type == type && (!call || R.ev[i].call == call);
	return n;
}

static const cti_event_t *find_op(int id)
{
	for (int i = 0; i < R.n; i++)
		if (R.ev[i].type == CTI_EV_OP_DONE && R.ev[i].u.op.id == id)
			return &R.ev[i];
	return NULL;
}

/* Dispatch in virtual time until fn() or max_ms. */
static int run_for(cti_ctx_t *ctx, int max_ms, int (*fn)(void *), void *arg)
{
	uint64_t end = cti_now_ms(ctx) + (uint64_t)max_ms;

	while (cti_now_ms(ctx) < end) {
		if (fn && fn(arg))
			return 1;
		cti_dispatch(ctx, 10);
	}
	return fn ? fn(arg) : 1;
}

static int op_is_done(void *arg) { return find_op(*(int *)arg) != NULL; }

static enum cti_clock up_clock = CTI_CLOCK_VIRTUAL;

static cti_ctx_t *up(int pairs, enum cti_line line, enum cti_switchtype sw, const char *tones)
{
	cti_config_t *cfg = cti_config_new();

	memset(&R, 0, sizeof(R));
	cti_config_set_clock(cfg, up_clock);
	if (cti_config_sim_pairs(cfg, pairs, line, sw) < 0)
		fail_msg("cti_config_sim_pairs: %s", cti_last_error());
	if (tones)
		assert_int_equal(cti_config_set_tones(cfg, tones), 0);
	cti_ctx_t *ctx = cti_open(cfg);
	cti_config_free(cfg);
	if (!ctx)
		fail_msg("cti_open: %s", cti_last_error());
	cti_set_event_handler(ctx, handler, NULL);
	uint64_t end = cti_now_ms(ctx) + 10000;
	while (R.dchan_up < 2 * pairs && cti_now_ms(ctx) < end)
		cti_dispatch(ctx, 10);
	if (R.dchan_up < 2 * pairs)
		fail_msg("D-channels up: %d of %d", R.dchan_up, 2 * pairs);
	return ctx;
}

/* Place a call from span `from` (to its cabled peer), wait until both ends are connected. */
static cti_call_t *call(cti_ctx_t *ctx, int from, cti_call_t **callee)
{
	cti_call_params_t p;
	int before = R.connected, off = R.noffered;

	cti_call_params_init(&p);
	strcpy(p.called.number, "1000");
	strcpy(p.calling.number, "2000");
	p.span = from;
	cti_call_t *c = cti_call_place(ctx, &p);
	if (!c)
		fail_msg("cti_call_place: %s", cti_last_error());
	uint64_t end = cti_now_ms(ctx) + 5000;
	while ((R.connected == before || R.noffered == off) && cti_now_ms(ctx) < end)
		cti_dispatch(ctx, 10);
	if (R.connected == before)
		fail_msg("call from span %d not connected", from);
	*callee = R.offered[off];
	cti_dispatch(ctx, 100);	/* CONNECT ACK and media set up on both ends */
	return c;
}

static int setup_dir(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_media_sim.XXXXXX");
	return mkdtemp(tmpdir) ? 0 : -1;
}

static int teardown_dir(void **state)
{
	char cmd[200];
	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static void test_dtmf_across_call(void **state)
{
	(void)state;
	cti_ctx_t *ctx = up(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN, NULL);
	cti_call_t *b, *a = call(ctx, 1, &b);
	cti_term_t t;

	cti_term_init(&t);
	strcpy(t.term_digits, "#");
	t.first_digit_ms = 5000;
	int gid = cti_get_digits(b, &t);
	assert_true(gid > 0);
	int sid = cti_send_dtmf(a, "0123456789*ABCD#", 0, 0, 0);
	assert_true(sid > 0);
	assert_true(run_for(ctx, 10000, op_is_done, &gid));
	const cti_event_t *ev = find_op(gid);
	assert_int_equal(ev->u.op.reason, CTI_TERM_TERM_DIGIT);
	assert_string_equal(ev->u.op.digits, "0123456789*ABCD#");
	assert_int_equal(ev->span, 2);
	assert_true(ev->channel >= 1);
	assert_true(run_for(ctx, 5000, op_is_done, &sid));
	assert_int_equal(find_op(sid)->u.op.reason, CTI_TERM_EOD);
	assert_int_equal(count(CTI_EV_DIGIT, b), 16);
	assert_int_equal(count(CTI_EV_DIGIT, a), 0);
	/* first-digit timeout in virtual time */
	gid = cti_get_digits(b, &t);
	assert_true(run_for(ctx, 10000, op_is_done, &gid));
	assert_int_equal(find_op(gid)->u.op.reason, CTI_TERM_FIRST_DIGIT_TIMEOUT);
	assert_int_equal(find_op(gid)->u.op.duration_ms, 5000);
	cti_close(ctx);
}

static void play_record(enum cti_line line, enum cti_switchtype sw)
{
	cti_ctx_t *ctx = up(1, line, sw, NULL);
	cti_call_t *b, *a = call(ctx, 1, &b);
	char in[256], out[256];
	size_t n = 16000;
	int16_t *x = calloc(n, sizeof(int16_t));
	unsigned seed = 3;

	for (size_t i = 0; i < n; i++)
		x[i] = (int16_t)lrint(6000 * sin(2 * M_PI * (300 + 2500.0 * i / n) * i / 8000) +
				      (rand_r(&seed) % 1001) - 500);
	snprintf(in, sizeof(in), "%s/in%d.wav", tmpdir, line);
	snprintf(out, sizeof(out), "%s/out%d.wav", tmpdir, line);
	SF_INFO info = { .samplerate = 8000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	SNDFILE *sf = sf_open(in, SFM_WRITE, &info);
	sf_write_short(sf, x, (sf_count_t)n);
	sf_close(sf);

	cti_record_params_t rp;
	cti_record_params_init(&rp);
	rp.path = out;
	int rid = cti_record(b, &rp, NULL);
	int pid = cti_play_file(a, in, NULL);
	assert_true(rid > 0 && pid > 0);
	assert_true(run_for(ctx, 5000, op_is_done, &pid));
	assert_int_equal(find_op(pid)->u.op.samples, n);
	cti_dispatch(ctx, 500);
	assert_int_equal(cti_stop(b, rid), 0);
	cti_dispatch(ctx, 0);
	assert_non_null(find_op(rid));
	assert_int_equal(find_op(rid)->u.op.reason, CTI_TERM_STOPPED);

	memset(&info, 0, sizeof(info));
	sf = sf_open(out, SFM_READ, &info);
	assert_non_null(sf);
	int16_t *r = calloc((size_t)info.frames, sizeof(int16_t));
	sf_count_t rn = sf_read_short(sf, r, info.frames);
	sf_close(sf);
	/* find the line delay, then every sample must be the played one through the span's law */
	int law_a = line == CTI_LINE_E1;
	size_t off = 0;
	int found = 0;
	for (off = 0; off + n <= (size_t)rn && !found; off++) {
		int ok = 1;
		for (size_t i = 0; i < 64 && ok; i++) {
			int16_t q = law_a ? alaw_to_linear(linear_to_alaw(x[i])) : ulaw_to_linear(linear_to_ulaw(x[i]));
			ok = r[off + i] == q;
		}
		if (ok) {
			found = 1;
			break;
		}
	}
	if (!found)
		fail_msg("played audio not found in the recording (%lld samples)", (long long)rn);
	for (size_t i = 0; i < n; i++) {
		int16_t q = law_a ? alaw_to_linear(linear_to_alaw(x[i])) : ulaw_to_linear(linear_to_ulaw(x[i]));
		if (r[off + i] != q)
			fail_msg("sample %zu (delay %zu): recorded %d, played %d", i, off, r[off + i], q);
	}
	free(r);
	free(x);
	cti_close(ctx);
}

static void test_play_record_e1(void **state) { (void)state; play_record(CTI_LINE_E1, CTI_SWITCH_EUROISDN); }
static void test_play_record_t1(void **state) { (void)state; play_record(CTI_LINE_T1, CTI_SWITCH_NI2); }

static int cpa_done(void *arg) { return count(CTI_EV_CPA_DONE, (cti_call_t *)arg) > 0; }

static void cpa_case(const char *tones, enum cti_tone tone, int want)
{
	cti_ctx_t *ctx = up(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN, tones);
	cti_call_t *b, *a = call(ctx, 1, &b);
	cti_cpa_params_t cp;

	cti_cpa_params_init(&cp);
	cp.no_answer_ms = 10000;
	int cid = cti_cpa_start(a, &cp);
	assert_true(cid > 0);
	assert_true(cti_play_tone(b, tone, NULL) > 0);
	assert_true(run_for(ctx, 20000, cpa_done, a));
	const cti_event_t *ev = NULL;
	for (int i = 0; i < R.n; i++)
		if (R.ev[i].type == CTI_EV_CPA_DONE && R.ev[i].call == a)
			ev = &R.ev[i];
	if (ev->u.cpa.result != want)
		fail_msg("%s %s: CPA %s", tones, cti_tone_name(tone), cti_cpa_result_name(ev->u.cpa.result));
	assert_non_null(find_op(cid));
	cti_close(ctx);
}

/* The called side "speaks" (noise bursts from memory, PCM16) for ms, then is quiet. */
static void cpa_speech(uint32_t ms, int want)
{
	cti_ctx_t *ctx = up(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN, "itu");
	cti_call_t *b, *a = call(ctx, 1, &b);
	size_t n = (size_t)ms * 8;
	int16_t *x = calloc(n + 1, sizeof(int16_t));
	unsigned seed = 5;

	for (size_t i = 0; i < n; i++)	/* 250 ms of sound, 50 ms pause: syllables */
		x[i] = (i / 8) % 300 < 250 ? (int16_t)((int)(rand_r(&seed) % 8001) - 4000) : 0;
	cti_play_item_t it = { NULL, x, n * 2, CTI_FMT_RAW_PCM16 };
	int cid = cti_cpa_start(a, NULL);
	assert_true(cti_play(b, &it, 1, NULL) > 0);
	assert_true(run_for(ctx, 20000, cpa_done, a));
	const cti_event_t *ev = NULL;
	for (int i = 0; i < R.n; i++)
		if (R.ev[i].type == CTI_EV_CPA_DONE && R.ev[i].call == a)
			ev = &R.ev[i];
	if (ev->u.cpa.result != want)
		fail_msg("%u ms of speech: CPA %s", ms, cti_cpa_result_name(ev->u.cpa.result));
	assert_non_null(find_op(cid));
	free(x);
	cti_close(ctx);
}

static void test_cpa_over_calls(void **state)
{
	(void)state;
	cpa_speech(700, CTI_CPA_VOICE);
	cpa_speech(4000, CTI_CPA_MACHINE);
	cpa_speech(1, CTI_CPA_SILENCE);
	cpa_case("itu", CTI_TONE_BUSY, CTI_CPA_BUSY);
	cpa_case("us", CTI_TONE_RINGBACK, CTI_CPA_NO_ANSWER);
	cpa_case("uk", CTI_TONE_SIT, CTI_CPA_SIT);
	cpa_case("cn", CTI_TONE_CONGESTION, CTI_CPA_CONGESTION);
	cpa_case("itu", CTI_TONE_CED, CTI_CPA_FAX);
}

/* IVR: a prompt with barge-in; the caller's first digit stops it, get digits collects the rest. */
static void test_ivr_barge_in(void **state)
{
	(void)state;
	cti_ctx_t *ctx = up(1, CTI_LINE_T1, CTI_SWITCH_NI2, "us");
	cti_call_t *b, *a = call(ctx, 1, &b);
	cti_term_t t;

	cti_term_init(&t);
	t.stop_on_digit = 1;
	t.max_time_ms = 30000;
	int pid = cti_play_tone(b, CTI_TONE_DIAL, &t);	/* stands for a long prompt */
	assert_true(pid > 0);
	run_for(ctx, 3500, NULL, NULL);	/* dial tone is recognised after 3 s */
	assert_null(find_op(pid));
	int sid = cti_send_dtmf(a, "42#", 0, 0, 0);
	assert_true(sid > 0);
	assert_true(run_for(ctx, 2000, op_is_done, &pid));
	assert_int_equal(find_op(pid)->u.op.reason, CTI_TERM_DIGIT);
	assert_int_equal(find_op(pid)->u.op.digits[0], '4');
	cti_term_init(&t);
	strcpy(t.term_digits, "#");
	t.inter_digit_ms = 3000;
	int gid = cti_get_digits(b, &t);
	assert_true(run_for(ctx, 5000, op_is_done, &gid));
	assert_int_equal(find_op(gid)->u.op.reason, CTI_TERM_TERM_DIGIT);
	assert_string_equal(find_op(gid)->u.op.digits, "42#");
	/* the dial tone was heard by the caller as a tone of the US table */
	int dial = 0;
	for (int i = 0; i < R.n; i++)
		dial += R.ev[i].type == CTI_EV_TONE && R.ev[i].call == a && R.ev[i].u.tone.tone == CTI_TONE_DIAL;
	assert_int_equal(dial, 1);
	cti_close(ctx);
}

/* Two calls bridged on the switch side: what caller 1 sends reaches caller 2. */
static void test_bridge_over_calls(void **state)
{
	(void)state;
	cti_ctx_t *ctx = up(2, CTI_LINE_E1, CTI_SWITCH_EUROISDN, NULL);
	cti_call_t *b1, *a1 = call(ctx, 1, &b1);
	cti_call_t *b2, *a2 = call(ctx, 3, &b2);
	cti_term_t t;

	assert_int_equal(cti_bridge(b1, b2), 0);
	cti_term_init(&t);
	t.max_digits = 3;
	int g2 = cti_get_digits(a2, &t);
	int g1 = cti_get_digits(a1, &t);
	assert_true(cti_send_dtmf(a1, "123", 0, 0, 0) > 0);
	assert_true(cti_send_dtmf(a2, "789", 0, 0, 0) > 0);
	assert_true(run_for(ctx, 5000, op_is_done, &g2));
	assert_true(run_for(ctx, 5000, op_is_done, &g1));
	assert_string_equal(find_op(g2)->u.op.digits, "123");
	assert_string_equal(find_op(g1)->u.op.digits, "789");
	/* the switch legs themselves heard the digits too (detection is always on) */
	assert_int_equal(count(CTI_EV_DIGIT, b1), 3);
	assert_int_equal(count(CTI_EV_DIGIT, b2), 3);
	cti_close(ctx);
}

static int digits_of(cti_call_t *c, char *out, int size)
{
	int n = 0;
	for (int i = 0; i < R.n && n + 1 < size; i++)
		if (R.ev[i].type == CTI_EV_DIGIT && R.ev[i].call == c)
			out[n++] = R.ev[i].u.digit.digit;
	out[n] = 0;
	return n;
}

/*
 * Call centre: caller 1 -> switch leg s1, agent 2 <- switch leg s2 (bridged),
 * supervisor 3 <- switch leg s3 monitoring s2. DTMF stands for speech: who
 * hears whom is read from the digits each phone detects.
 */
static void test_monitor_over_calls(void **state)
{
	(void)state;
	cti_ctx_t *ctx = up(3, CTI_LINE_E1, CTI_SWITCH_EUROISDN, NULL);
	cti_call_t *s1, *s2, *s3;
	cti_call_t *caller = call(ctx, 1, &s1);
	cti_call_t *agent = call(ctx, 3, &s2);
	cti_call_t *sup = call(ctx, 5, &s3);
	char d[32];

	assert_int_equal(cti_bridge(s1, s2), 0);
	assert_int_equal(cti_monitor(s3, s2, CTI_MONITOR_LISTEN), 0);
	struct { enum cti_monitor_mode mode; const char *sup, *agent_hears, *caller_hears; } step[] = {
		{ CTI_MONITOR_LISTEN, "1", "", "" },
		{ CTI_MONITOR_WHISPER, "2", "2", "" },
		{ CTI_MONITOR_BARGE, "3", "23", "3" },
	};
	/* caller and agent talk: the supervisor hears both */
	int id = cti_send_dtmf(caller, "4", 0, 0, 0);
	assert_true(run_for(ctx, 2000, op_is_done, &id));
	id = cti_send_dtmf(agent, "5", 0, 0, 0);
	assert_true(run_for(ctx, 2000, op_is_done, &id));
	run_for(ctx, 300, NULL, NULL);
	digits_of(sup, d, sizeof(d));
	assert_string_equal(d, "45");
	digits_of(agent, d, sizeof(d));
	assert_string_equal(d, "4");
	digits_of(caller, d, sizeof(d));
	assert_string_equal(d, "5");
	for (int k = 0; k < 3; k++) {
		assert_int_equal(cti_monitor(s3, s2, step[k].mode), 0);	/* switched during the call */
		id = cti_send_dtmf(sup, step[k].sup, 0, 0, 0);
		assert_true(run_for(ctx, 2000, op_is_done, &id));
		run_for(ctx, 300, NULL, NULL);
		digits_of(agent, d, sizeof(d));
		if (strcmp(d + 1, step[k].agent_hears))
			fail_msg("mode %d: agent heard '%s' after the caller's digit", step[k].mode, d + 1);
		digits_of(caller, d, sizeof(d));
		if (strcmp(d + 1, step[k].caller_hears))
			fail_msg("mode %d: caller heard '%s' after the agent's digit", step[k].mode, d + 1);
	}
	assert_int_equal(cti_monitor_stop(s3), 0);
	id = cti_send_dtmf(caller, "6", 0, 0, 0);
	assert_true(run_for(ctx, 2000, op_is_done, &id));
	run_for(ctx, 300, NULL, NULL);
	digits_of(sup, d, sizeof(d));
	assert_string_equal(d, "45");	/* no longer listening */
	digits_of(agent, d, sizeof(d));
	assert_string_equal(d, "4236");
	cti_close(ctx);
}

/* The far end hangs up while we record: OP_DONE hangup, the file is complete. */
static void test_record_hangup(void **state)
{
	(void)state;
	cti_ctx_t *ctx = up(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN, NULL);
	cti_call_t *b, *a = call(ctx, 1, &b);
	char out[256];
	cti_record_params_t rp;

	snprintf(out, sizeof(out), "%s/hup.wav", tmpdir);
	cti_record_params_init(&rp);
	rp.path = out;
	rp.mode = CTI_REC_STEREO;
	int rid = cti_record(b, &rp, NULL);
	assert_true(cti_play_tone(a, CTI_TONE_MILLIWATT, NULL) > 0);
	run_for(ctx, 2000, NULL, NULL);
	assert_int_equal(cti_call_hangup(a, 16, CTI_LOC_DEFAULT), 0);
	assert_true(run_for(ctx, 5000, op_is_done, &rid));
	assert_int_equal(find_op(rid)->u.op.reason, CTI_TERM_HANGUP);
	uint64_t samples = find_op(rid)->u.op.samples;
	SF_INFO info;
	memset(&info, 0, sizeof(info));
	SNDFILE *sf = sf_open(out, SFM_READ, &info);
	assert_non_null(sf);
	assert_int_equal(info.channels, 2);
	assert_int_equal((uint64_t)info.frames, samples);
	assert_true(info.frames >= 2 * 8000);
	sf_close(sf);
	cti_close(ctx);
}

/* cti_close during a recording: the file is closed valid with everything recorded. */
static void test_close_while_recording(void **state)
{
	(void)state;
	cti_ctx_t *ctx = up(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN, NULL);
	cti_call_t *b, *a = call(ctx, 1, &b);
	char out[256];
	cti_record_params_t rp;

	snprintf(out, sizeof(out), "%s/close.wav", tmpdir);
	cti_record_params_init(&rp);
	rp.path = out;
	rp.format = CTI_FMT_WAV_ALAW;
	assert_true(cti_record(b, &rp, NULL) > 0);
	assert_true(cti_play_tone(a, CTI_TONE_MILLIWATT, NULL) > 0);
	uint64_t t0 = cti_now_ms(ctx);
	run_for(ctx, 1530, NULL, NULL);
	uint64_t ms = cti_now_ms(ctx) - t0;
	cti_close(ctx);
	SF_INFO info;
	memset(&info, 0, sizeof(info));
	SNDFILE *sf = sf_open(out, SFM_READ, &info);
	assert_non_null(sf);
	/* every tick up to the close is in the file (not only what the 100 ms writes had flushed) */
	if (info.frames < (sf_count_t)(ms - 20) * 8 || info.frames > (sf_count_t)(ms + 20) * 8)
		fail_msg("%lld frames recorded in %llu ms", (long long)info.frames, (unsigned long long)ms);
	assert_true(info.frames % 160 == 0);
	sf_close(sf);
}

/*
 * Real clock: files go through the media engine's I/O workers. A WAV file
 * played on one end arrives whole in a stereo recording on the other; the
 * hangup ends the recording with the file complete (frames = OP_DONE
 * samples), and the play reports no underrun.
 */
static void test_real_clock_play_record(void **state)
{
	(void)state;
	up_clock = CTI_CLOCK_REAL;
	cti_ctx_t *ctx = up(1, CTI_LINE_E1, CTI_SWITCH_EUROISDN, NULL);
	up_clock = CTI_CLOCK_VIRTUAL;
	cti_call_t *b, *a = call(ctx, 1, &b);
	char in[256], out[256];
	static int16_t x[8000];

	for (int i = 0; i < 8000; i++)
		x[i] = (int16_t)(8000 * sin(2 * M_PI * 440 * i / 8000.0));
	snprintf(in, sizeof(in), "%s/rt_in.wav", tmpdir);
	snprintf(out, sizeof(out), "%s/rt_out.wav", tmpdir);
	SF_INFO wi = { .samplerate = 8000, .channels = 1, .format = SF_FORMAT_WAV | SF_FORMAT_PCM_16 };
	SNDFILE *w = sf_open(in, SFM_WRITE, &wi);
	assert_non_null(w);
	assert_int_equal(sf_write_short(w, x, 8000), 8000);
	sf_close(w);
	cti_record_params_t rp;
	cti_record_params_init(&rp);
	rp.path = out;
	rp.mode = CTI_REC_STEREO;
	int rid = cti_record(b, &rp, NULL);
	assert_true(rid > 0);
	int pid = cti_play_file(a, in, NULL);
	assert_true(pid > 0);
	assert_true(run_for(ctx, 5000, op_is_done, &pid));
	const cti_event_t *ev = find_op(pid);
	assert_int_equal(ev->u.op.reason, CTI_TERM_EOD);
	assert_int_equal(ev->u.op.samples, 8000);
	assert_string_equal(ev->u.op.message, "");
	run_for(ctx, 200, NULL, NULL);
	assert_int_equal(cti_call_hangup(a, 16, CTI_LOC_DEFAULT), 0);
	assert_true(run_for(ctx, 5000, op_is_done, &rid));
	ev = find_op(rid);
	assert_int_equal(ev->u.op.reason, CTI_TERM_HANGUP);
	uint64_t samples = ev->u.op.samples;
	SF_INFO info;
	memset(&info, 0, sizeof(info));
	SNDFILE *sf = sf_open(out, SFM_READ, &info);
	assert_non_null(sf);
	assert_int_equal(info.channels, 2);
	assert_int_equal((uint64_t)info.frames, samples);
	assert_true(info.frames >= 8000);
	/* the far end's 440 Hz is in the received channel: energy of the left samples */
	static int16_t st[2 * 16000];
	sf_count_t n = sf_readf_short(sf, st, 16000);
	double e = 0;
	for (sf_count_t i = 0; i < n; i++)
		e += (double)st[2 * i] * st[2 * i];
	assert_true(e / (double)n > 1e6);
	sf_close(sf);
	cti_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dtmf_across_call),
		cmocka_unit_test(test_play_record_e1),
		cmocka_unit_test(test_play_record_t1),
		cmocka_unit_test(test_cpa_over_calls),
		cmocka_unit_test(test_ivr_barge_in),
		cmocka_unit_test(test_bridge_over_calls),
		cmocka_unit_test(test_monitor_over_calls),
		cmocka_unit_test(test_record_hangup),
		cmocka_unit_test(test_close_while_recording),
		cmocka_unit_test(test_real_clock_play_record),
	};
	return cmocka_run_group_tests(tests, setup_dir, teardown_dir);
}
