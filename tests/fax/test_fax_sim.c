/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_fax_sim.c - fax over real calls: libcti with the sim board in virtual
 * time. Span 1 (sim1, network) calls span 2 (sim2, user) over an E1 PRI; the
 * caller sends, the called side receives (or the reverse). Pages are compared
 * pel by pel. Line faults come from the emulated cable (cti_cable_*).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <math.h>
#include <cmocka.h>

#include "cti.h"
#include "testdoc.h"

static char dir[64];

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

struct side {
	cti_call_t *call;
	int fax_op;
	int op_done;		/* fax OP_DONE seen */
	int op_reason, op_error;
	int phase_b, pages, done;
	int result, done_pages, bit_rate, ecm;
	char remote_ident[21];
	int hangup, released;
};

struct run {
	cti_ctx_t *ctx;
	int dchan_up;
	struct side out, in;	/* caller, called */
	int caller_sends;
	cti_fax_params_t tx, rx;
	cti_fax_doc_t tx_docs[1];
	int start_err;
	int tones_cng;		/* CTI_TONE_CNG seen on the called side */
	int ivr;		/* called side plays a prompt first, switches to fax on CNG */
	int prompt_op, prompt_reason, prompt_done;
	uint64_t cng_ms;
	int16_t *prompt;
	size_t prompt_len;
};

static struct side *side_of(struct run *r, cti_call_t *c)
{
	if (c && c == r->out.call)
		return &r->out;
	if (c && c == r->in.call)
		return &r->in;
	return NULL;
}

static void start_fax(struct run *r, struct side *s, int sender)
{
	int rc = sender ? cti_fax_send(s->call, &r->tx) : cti_fax_receive(s->call, &r->rx);

	if (rc <= 0) {
		fprintf(stderr, "fax start failed: %s\n", cti_last_error());
		r->start_err = rc;
		return;
	}
	s->fax_op = rc;
}

static void handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	struct run *r = user;
	struct side *s = side_of(r, ev->call);

	(void)ctx;
	switch (ev->type) {
	case CTI_EV_DCHAN_UP:
		r->dchan_up++;
		break;
	case CTI_EV_CALL_OFFERED:
		r->in.call = ev->call;
		cti_call_answer(ev->call);
		break;
	case CTI_EV_CALL_ANSWERED:
		if (s == &r->out)
			start_fax(r, s, r->caller_sends);
		break;
	case CTI_EV_CALL_CONNECTED:
		if (s == &r->in && r->ivr) {
			/* IVR: greet the caller; a fax machine will be heard calling (CNG). */
			cti_play_item_t it = { NULL, r->prompt, r->prompt_len, CTI_FMT_RAW_PCM16 };

			r->prompt_op = cti_play(s->call, &it, 1, NULL);
			assert_true(r->prompt_op > 0);
		} else if (s == &r->in) {
			start_fax(r, s, !r->caller_sends);
		}
		break;
	case CTI_EV_TONE:
		if (s == &r->in && ev->u.tone.tone == CTI_TONE_CNG) {
			r->tones_cng++;
			/* The pattern of docs/fax.md: stop the prompt, receive. */
			if (r->ivr && !s->fax_op) {
				r->cng_ms = ev->time_ms;
				assert_int_equal(cti_stop(s->call, 0), 0);
				r->rx.calling = 0;
				start_fax(r, s, 0);
			}
		}
		break;
	case CTI_EV_FAX_PHASE_B:
		if (s) {
			s->phase_b++;
			s->bit_rate = ev->u.fax.bit_rate;
			s->ecm = ev->u.fax.ecm;
			snprintf(s->remote_ident, sizeof(s->remote_ident), "%s", ev->u.fax.remote_ident);
		}
		break;
	case CTI_EV_FAX_PAGE:
		if (s)
			s->pages++;
		break;
	case CTI_EV_FAX_DONE:
		if (s) {
			s->done++;
			s->result = ev->u.fax.result;
			s->done_pages = ev->u.fax.page;
			printf("# %s: fax done at %llu ms: %d %s, %d pages\n", s == &r->out ? "caller" : "called",
			       (unsigned long long)ev->time_ms, ev->u.fax.result, ev->u.fax.result_text, ev->u.fax.page);
		}
		break;
	case CTI_EV_OP_DONE:
		if (s && ev->u.op.kind == CTI_OP_PLAY && ev->u.op.id == r->prompt_op) {
			r->prompt_done++;
			r->prompt_reason = ev->u.op.reason;
		}
		if (s && ev->u.op.kind == CTI_OP_FAX) {
			s->op_done++;
			s->op_reason = ev->u.op.reason;
			s->op_error = ev->u.op.error;
			assert_int_equal(ev->u.op.id, s->fax_op);
			/* Done: clear the call from the sending side. */
			if (s == &r->out && s->op_reason == CTI_TERM_EOD)
				cti_call_hangup(s->call, 16, CTI_LOC_DEFAULT);
		}
		break;
	case CTI_EV_CALL_HANGUP:
		if (s) {
			s->hangup = 1;
			cti_call_release(ev->call);
		}
		break;
	case CTI_EV_CALL_RELEASED:
		if (s) {
			s->released = 1;
			s->call = NULL;
		}
		break;
	default:
		break;
	}
}

static struct run *open_run_line(enum cti_line line, enum cti_switchtype sw)
{
	struct run *r = calloc(1, sizeof(*r));
	cti_config_t *cfg = cti_config_new();
	int guard = 0;

	assert_non_null(r);
	assert_non_null(cfg);
	assert_int_equal(cti_config_sim_pairs(cfg, 1, line, sw), 0);
	assert_int_equal(cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL), 0);
	r->ctx = cti_open(cfg);
	cti_config_free(cfg);
	if (!r->ctx)
		fail_msg("cti_open: %s", cti_last_error());
	cti_set_event_handler(r->ctx, handler, r);
	while (r->dchan_up < 2 && guard++ < 100)
		cti_dispatch(r->ctx, 100);
	assert_int_equal(r->dchan_up, 2);
	cti_fax_params_init(&r->tx);
	r->tx.docs = r->tx_docs;
	cti_fax_params_init(&r->rx);
	strcpy(r->tx.ident, "+86 10 5555 0001");
	strcpy(r->rx.ident, "+86 10 5555 0002");
	r->caller_sends = 1;
	return r;
}

static struct run *open_run(void)
{
	return open_run_line(CTI_LINE_E1, CTI_SWITCH_EUROISDN);
}

static void place(struct run *r)
{
	cti_call_params_t p;

	cti_call_params_init(&p);
	p.span = 1;
	strcpy(p.called.number, "2000");
	strcpy(p.calling.number, "1000");
	r->out.call = cti_call_place(r->ctx, &p);
	if (!r->out.call)
		fail_msg("cti_call_place: %s", cti_last_error());
}

/* Dispatch until cond or max_ms of virtual time. */
static void run_until(struct run *r, int (*cond)(struct run *), uint32_t max_ms)
{
	uint64_t end = cti_now_ms(r->ctx) + max_ms;

	while (!cond(r) && cti_now_ms(r->ctx) < end && !r->start_err)
		cti_dispatch(r->ctx, 200);
	assert_int_equal(r->start_err, 0);
}

static int both_done(struct run *r)
{
	return r->out.op_done && r->in.op_done;
}

static int both_released(struct run *r)
{
	return r->out.released && r->in.released;
}

static int rx_two_pages(struct run *r)
{
	struct side *rx = r->caller_sends ? &r->in : &r->out;

	return rx->pages >= 2;
}

static void close_run(struct run *r)
{
	cti_close(r->ctx);
	free(r);
}

static void fax_over_call_line(int caller_sends, int pages, enum cti_line line, enum cti_switchtype sw)
{
	struct run *r = open_run_line(line, sw);
	struct testdoc d;
	char doc[128], rx[128], msg[200];
	struct side *tx, *rxs;

	path(doc, sizeof(doc), "sim.tif");
	path(rx, sizeof(rx), "sim-rx.tif");
	testdoc_defaults(&d, pages, 100 + caller_sends);
	assert_int_equal(testdoc_write(doc, &d), 0);
	r->caller_sends = caller_sends;
	r->tx.ndocs = 1;
	r->tx_docs[0].path = doc;
	r->rx.receive_path = rx;
	place(r);
	run_until(r, both_done, 300000);
	tx = caller_sends ? &r->out : &r->in;
	rxs = caller_sends ? &r->in : &r->out;
	assert_int_equal(tx->op_reason, CTI_TERM_EOD);
	assert_int_equal(rxs->op_reason, CTI_TERM_EOD);
	assert_int_equal(tx->result, 0);
	assert_int_equal(rxs->result, 0);
	assert_int_equal(tx->phase_b, 1);
	assert_int_equal(rxs->phase_b, 1);
	assert_int_equal(tx->bit_rate, 14400);
	assert_int_equal(tx->ecm, 1);
	assert_string_equal(tx->remote_ident, r->rx.ident);
	assert_string_equal(rxs->remote_ident, r->tx.ident);
	assert_int_equal(tx->pages, pages);
	assert_int_equal(rxs->pages, pages);
	assert_int_equal(rxs->done_pages, pages);
	assert_int_equal(testdoc_pages(rx), pages);
	if (testdoc_compare(doc, 1, rx, 1, pages, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	/* The caller calls CNG (T.30): the called side's tone detector heard it. */
	if (caller_sends)
		assert_true(r->tones_cng > 0);
	if (!r->out.hangup)
		cti_call_hangup(r->out.call, 16, CTI_LOC_DEFAULT);
	run_until(r, both_released, 30000);
	close_run(r);
}

static void fax_over_call(int caller_sends, int pages)
{
	fax_over_call_line(caller_sends, pages, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
}

/* T1 NI-2: the B-channel is u-law. */
static void t1_ulaw_1_page(void **state)
{
	(void)state;
	fax_over_call_line(1, 1, CTI_LINE_T1, CTI_SWITCH_NI2);
}

static void caller_sends_3_pages(void **state)
{
	(void)state;
	fax_over_call(1, 3);
}

static void called_sends_1_page(void **state)
{
	(void)state;
	fax_over_call(0, 1);
}

/* A fax calls an IVR line: CNG heard during the prompt, prompt stopped, fax received. */
static void cng_during_prompt(void **state)
{
	struct run *r = open_run();
	struct testdoc d;
	char doc[128], rx[128], msg[200];
	size_t i;

	(void)state;
	path(doc, sizeof(doc), "ivr.tif");
	path(rx, sizeof(rx), "ivr-rx.tif");
	testdoc_defaults(&d, 2, 130);
	assert_int_equal(testdoc_write(doc, &d), 0);
	/* 20 s prompt: a 440 Hz tone at about -20 dBm0, long enough to be interrupted. */
	r->prompt_len = 20 * 8000 * sizeof(int16_t);
	r->prompt = malloc(r->prompt_len);
	assert_non_null(r->prompt);
	for (i = 0; i < r->prompt_len / 2; i++)
		r->prompt[i] = (int16_t)(1500 * sin(2 * M_PI * 440 * (double)i / 8000));
	r->ivr = 1;
	r->tx.ndocs = 1;
	r->tx_docs[0].path = doc;
	r->rx.receive_path = rx;
	place(r);
	run_until(r, both_done, 300000);
	/* CNG is 0.5 s on / 3 s off (T.30): heard within the first cycle. */
	assert_true(r->tones_cng > 0);
	assert_int_equal(r->prompt_done, 1);
	assert_int_equal(r->prompt_reason, CTI_TERM_STOPPED);
	assert_true(r->in.fax_op > 0);
	assert_int_equal(r->in.result, 0);
	assert_int_equal(r->out.result, 0);
	assert_int_equal(r->in.op_reason, CTI_TERM_EOD);
	assert_int_equal(r->in.pages, 2);
	if (testdoc_compare(doc, 1, rx, 1, 2, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	printf("# CNG heard %d times, switched at %llu ms\n", r->tones_cng, (unsigned long long)r->cng_ms);
	if (!r->out.hangup)
		cti_call_hangup(r->out.call, 16, CTI_LOC_DEFAULT);
	run_until(r, both_released, 30000);
	free(r->prompt);
	close_run(r);
}

/* cti_stop(call, fax op) on the receiver during page 2: STOPPED, page 1 kept. */
static void stop_fax(void **state)
{
	struct run *r = open_run();
	struct testdoc d;
	char doc[128], rx[128], msg[200];
	int guard = 0;

	(void)state;
	path(doc, sizeof(doc), "simstop.tif");
	path(rx, sizeof(rx), "simstop-rx.tif");
	testdoc_defaults(&d, 3, 140);
	d.rows = 1500;
	assert_int_equal(testdoc_write(doc, &d), 0);
	r->tx.ndocs = 1;
	r->tx_docs[0].path = doc;
	r->rx.receive_path = rx;
	place(r);
	while (r->in.pages < 1 && guard++ < 3000)
		cti_dispatch(r->ctx, 100);
	assert_int_equal(r->in.pages, 1);
	cti_dispatch(r->ctx, 1000);
	assert_int_equal(cti_stop(r->in.call, r->in.fax_op), 0);
	cti_dispatch(r->ctx, 0);
	assert_int_equal(r->in.op_done, 1);
	assert_int_equal(r->in.op_reason, CTI_TERM_STOPPED);
	assert_int_not_equal(r->in.result, 0);
	assert_int_equal(r->in.done_pages, 1);
	assert_int_equal(testdoc_pages(rx), 1);
	if (testdoc_compare(doc, 1, rx, 1, 1, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	/* Stopping it again: nothing of that id runs any more. */
	assert_int_equal(cti_stop(r->in.call, r->in.fax_op), CTI_ENOENT);
	/* The sender, left alone, gives up by T.30 timeouts. */
	run_until(r, both_done, 300000);
	assert_int_not_equal(r->out.result, 0);
	close_run(r);
}

/* Bit errors on the cable during an ECM transfer: pages still exact. */
static void line_ber_ecm(void **state)
{
	struct run *r = open_run();
	struct testdoc d;
	cti_line_faults_t f;
	char doc[128], rx[128], msg[200];

	(void)state;
	path(doc, sizeof(doc), "simber.tif");
	path(rx, sizeof(rx), "simber-rx.tif");
	testdoc_defaults(&d, 2, 110);
	assert_int_equal(testdoc_write(doc, &d), 0);
	r->tx.ndocs = 1;
	r->tx_docs[0].path = doc;
	r->rx.receive_path = rx;
	place(r);
	memset(&f, 0, sizeof(f));
	f.ber = 1e-5;
	/* Both directions: image data one way, ECM responses (PPR/MCF) the other. */
	assert_int_equal(cti_cable_set_faults(r->ctx, 1, &f), 0);
	assert_int_equal(cti_cable_set_faults(r->ctx, 2, &f), 0);
	run_until(r, both_done, 300000);
	assert_int_equal(r->in.result, 0);
	assert_int_equal(r->out.result, 0);
	assert_int_equal(r->in.pages, 2);
	/* The line really was bad: the E1 CRC-4 check saw the errors on both ports. */
	{
		cti_span_status_t st1, st2;

		assert_int_equal(cti_span_status(r->ctx, 1, &st1), 0);
		assert_int_equal(cti_span_status(r->ctx, 2, &st2), 0);
		printf("# BER 1e-5: CRC errors %u / %u, code violations %u / %u\n", st1.counters.crc,
		       st2.counters.crc, st1.counters.cv, st2.counters.cv);
		assert_true(st1.counters.crc > 0 && st2.counters.crc > 0);
	}
	if (testdoc_compare(doc, 1, rx, 1, 2, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	memset(&f, 0, sizeof(f));
	cti_cable_set_faults(r->ctx, 1, &f);
	cti_cable_set_faults(r->ctx, 2, &f);
	if (!r->out.hangup)
		cti_call_hangup(r->out.call, 16, CTI_LOC_DEFAULT);
	run_until(r, both_released, 30000);
	close_run(r);
}

/*
 * BER 1e-4 on both directions of the E1 cable (the board's line model,
 * under HDB3 and CRC-4), 10 transfers of different 2-page documents: ECM
 * completes at least 9, pages pixel exact (docs/reliability.md).
 */
static void line_ber_1e4_ecm_10(void **state)
{
	int i, ok = 0, n = 10;

	(void)state;
	for (i = 0; i < n; i++) {
		struct run *r = open_run();
		struct testdoc d;
		cti_line_faults_t f;
		char doc[128], rx[128], msg[200];
		int good;

		path(doc, sizeof(doc), "simber4.tif");
		path(rx, sizeof(rx), "simber4-rx.tif");
		testdoc_defaults(&d, 2, 300 + i);
		d.rows = 1100;	/* A4 fine */
		assert_int_equal(testdoc_write(doc, &d), 0);
		r->tx.ndocs = 1;
		r->tx_docs[0].path = doc;
		r->rx.receive_path = rx;
		place(r);
		memset(&f, 0, sizeof(f));
		f.ber = 1e-4;
		assert_int_equal(cti_cable_set_faults(r->ctx, 1, &f), 0);
		assert_int_equal(cti_cable_set_faults(r->ctx, 2, &f), 0);
		run_until(r, both_done, 900000);
		good = r->out.op_done && r->in.op_done && r->in.result == 0 && r->out.result == 0 &&
		       r->in.pages == 2 && testdoc_compare(doc, 1, rx, 1, 2, 0, msg, sizeof(msg)) == 0;
		printf("# run %d: sender %d, receiver %d, %d pages, %d bit/s: %s\n", i + 1, r->out.result,
		       r->in.result, r->in.pages, r->in.bit_rate, good ? "ok" : "FAILED");
		ok += good;
		memset(&f, 0, sizeof(f));
		cti_cable_set_faults(r->ctx, 1, &f);
		cti_cable_set_faults(r->ctx, 2, &f);
		if (r->out.call && !r->out.hangup)
			cti_call_hangup(r->out.call, 16, CTI_LOC_DEFAULT);
		run_until(r, both_released, 30000);
		close_run(r);
	}
	printf("# ECM over the sim board at BER 1e-4: %d/%d complete, pixel exact\n", ok, n);
	assert_true(ok >= 9);
}

/* Cable cut during page 3: clear failure on both ends, partial file with pages 1-2. */
static void cable_cut(void **state)
{
	struct run *r = open_run();
	struct testdoc d;
	char doc[128], rx[128], msg[200], cmd[300];

	(void)state;
	path(doc, sizeof(doc), "simcut.tif");
	path(rx, sizeof(rx), "simcut-rx.tif");
	testdoc_defaults(&d, 3, 120);
	d.rows = 2000;
	assert_int_equal(testdoc_write(doc, &d), 0);
	r->tx.ndocs = 1;
	r->tx_docs[0].path = doc;
	r->rx.receive_path = rx;
	place(r);
	run_until(r, rx_two_pages, 300000);
	assert_int_equal(r->in.pages, 2);
	cti_dispatch(r->ctx, 1500);	/* into page 3 */
	assert_int_equal(cti_cable_cut(r->ctx, 1), 0);
	run_until(r, both_done, 300000);
	assert_int_not_equal(r->in.result, 0);
	assert_int_not_equal(r->out.result, 0);
	assert_true(r->in.op_reason == CTI_TERM_HANGUP || r->in.op_reason == CTI_TERM_ERROR);
	assert_int_equal(r->in.done_pages, 2);
	snprintf(cmd, sizeof(cmd), "tiffinfo %s >/dev/null 2>&1", rx);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(testdoc_pages(rx), 2);
	if (testdoc_compare(doc, 1, rx, 1, 2, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	close_run(r);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/cti-faxsim-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("TMPDIR", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(caller_sends_3_pages),
		cmocka_unit_test(called_sends_1_page),
		cmocka_unit_test(t1_ulaw_1_page),
		cmocka_unit_test(cng_during_prompt),
		cmocka_unit_test(stop_fax),
		cmocka_unit_test(line_ber_ecm),
		cmocka_unit_test(line_ber_1e4_ecm_10),
		cmocka_unit_test(cable_cut),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
