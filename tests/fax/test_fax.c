/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_fax.c - lib/fax on its own: two T.30 sessions back to back through
 * G.711 in virtual time (fake core/media, harness.c), documents generated
 * here (different text and pattern on every page), received pages compared
 * pel by pel with the sent ones.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <glob.h>
#include <cmocka.h>
#include <tiffio.h>
#include <spandsp.h>

#include "harness.h"
#include "testdoc.h"
#include "../../lib/fax/fax.h"

static cti_ctx_t *ctx;
static char dir[64];

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

/* ---- one transfer ---- */

struct xfer {
	cti_fax_params_t tx, rx;
	cti_fax_doc_t tx_docs[CTI_FAX_MAX_DOCS];
	int tx_calls;		/* the sender is the calling party (normal case) */
	enum cti_law law;
	double ber;
	cti_call_t a, b;	/* a sends, b receives */
	int tx_op, rx_op;
	uint64_t ms;
};

static void xfer_init(struct xfer *x, const char *rx_path)
{
	memset(x, 0, sizeof(*x));
	cti_fax_params_init(&x->tx);
	x->tx.docs = x->tx_docs;
	cti_fax_params_init(&x->rx);
	strcpy(x->tx.ident, "+44 20 7946 0001");
	strcpy(x->rx.ident, "+44 20 7946 0002");
	x->rx.receive_path = rx_path;
	x->tx_calls = 1;
	x->law = CTI_LAW_ALAW;
}

static void xfer_add_doc(struct xfer *x, const char *doc, int first, int last)
{
	x->tx_docs[x->tx.ndocs].path = doc;
	x->tx_docs[x->tx.ndocs].first_page = first;
	x->tx_docs[x->tx.ndocs].last_page = last;
	x->tx.ndocs++;
}

static void xfer_start(struct xfer *x)
{
	harness_init(ctx);
	harness_set_ber(x->ber, x->ber, 12345);
	harness_call_init(&x->a, ctx, x->tx_calls, 1, 1);
	harness_call_init(&x->b, ctx, !x->tx_calls, 2, 1);
	x->a.law = x->b.law = x->law;
	x->tx_op = cti_fax_send(&x->a, &x->tx);
	assert_true(x->tx_op > 0);
	x->rx_op = cti_fax_receive(&x->b, &x->rx);
	assert_true(x->rx_op > 0);
	assert_int_not_equal(x->tx_op, x->rx_op);
}

/* Both ends completed: events in order, results, op ids, page counts. */
static int want_x_res = 8031;

static void check_success(struct xfer *x, int pages, int rate, int ecm)
{
	cti_call_t *calls[2] = { &x->a, &x->b };
	int k;

	for (k = 0; k < 2; k++) {
		cti_call_t *c = calls[k];
		const cti_event_t *pb = harness_find(ctx, CTI_EV_FAX_PHASE_B, c, 0);
		const cti_event_t *done = harness_find(ctx, CTI_EV_FAX_DONE, c, 0);
		const cti_event_t *op = harness_find(ctx, CTI_EV_OP_DONE, c, 0);
		int i;

		assert_non_null(pb);
		assert_non_null(done);
		assert_non_null(op);
		assert_string_equal(pb->u.fax.remote_ident, k == 0 ? x->rx.ident : x->tx.ident);
		assert_int_equal(pb->u.fax.sending, k == 0);
		if (rate)
			assert_int_equal(pb->u.fax.bit_rate, rate);
		assert_int_equal(pb->u.fax.ecm, ecm);
		assert_int_equal(pb->u.fax.x_res, want_x_res);
		assert_int_equal(pb->span, c->span);
		assert_int_equal(pb->channel, c->channel);
		/* One PAGE event per page, numbered 1..n, between PHASE_B and DONE. */
		assert_int_equal(harness_count(ctx, CTI_EV_FAX_PAGE, c), pages);
		for (i = 0; i < pages; i++) {
			const cti_event_t *pg = harness_find(ctx, CTI_EV_FAX_PAGE, c, i);

			assert_int_equal(pg->u.fax.page, i + 1);
			assert_true(pg > pb && pg < done);
		}
		assert_int_equal(done->u.fax.result, 0);
		assert_string_equal(done->u.fax.result_text, "OK");
		assert_int_equal(done->u.fax.page, pages);
		assert_int_equal(done->u.fax.bad_rows, 0);
		if (rate)
			assert_int_equal(done->u.fax.bit_rate, rate);
		assert_true(op > done);
		assert_int_equal(harness_count(ctx, CTI_EV_OP_DONE, c), 1);
		assert_int_equal(op->u.op.kind, CTI_OP_FAX);
		assert_int_equal(op->u.op.id, k == 0 ? x->tx_op : x->rx_op);
		assert_int_equal(op->u.op.reason, CTI_TERM_EOD);
		assert_true(op->u.op.duration_ms > 3000);
		/* Detached itself: the channel is free for other operations. */
		assert_null(c->chan.fn);
		assert_int_equal(c->chan.ends, 1);
	}
}

static void run_modem(int modem, int ecm, int rate)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128], msg[200];

	path(doc, sizeof(doc), "m.tif");
	path(rx, sizeof(rx), "m-rx.tif");
	testdoc_defaults(&d, 1, 10 + modem);
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	x.tx.modems = x.rx.modems = modem;
	x.tx.ecm = x.rx.ecm = ecm;
	xfer_start(&x);
	x.ms = harness_run(ctx, &x.a, &x.b, 180000, 0);
	check_success(&x, 1, rate, ecm);
	assert_int_equal(testdoc_pages(rx), 1);
	if (testdoc_compare(doc, 1, rx, 1, 1, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
}

static void modem_v17_ecm(void **s) { (void)s; run_modem(CTI_FAX_V17, 1, 14400); }
static void modem_v17_noecm(void **s) { (void)s; run_modem(CTI_FAX_V17, 0, 14400); }
static void modem_v29_ecm(void **s) { (void)s; run_modem(CTI_FAX_V29, 1, 9600); }
static void modem_v29_noecm(void **s) { (void)s; run_modem(CTI_FAX_V29, 0, 9600); }
static void modem_v27_ecm(void **s) { (void)s; run_modem(CTI_FAX_V27TER, 1, 4800); }
static void modem_v27_noecm(void **s) { (void)s; run_modem(CTI_FAX_V27TER, 0, 4800); }

/* max_rate caps the modem family on the sending side; the receiver offers all. */
static void max_rate(void **state)
{
	static const int caps[][2] = { { 12000, 9600 }, { 9600, 9600 }, { 7200, 4800 }, { 4800, 4800 } };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		struct xfer x;
		struct testdoc d;
		char doc[128], rx[128], msg[200];

		path(doc, sizeof(doc), "rate.tif");
		path(rx, sizeof(rx), "rate-rx.tif");
		testdoc_defaults(&d, 1, 140);
		d.rows = 200;
		assert_int_equal(testdoc_write(doc, &d), 0);
		xfer_init(&x, rx);
		xfer_add_doc(&x, doc, 0, 0);
		x.tx.max_rate = caps[i][0];
		xfer_start(&x);
		harness_run(ctx, &x.a, &x.b, 600000, 0);
		check_success(&x, 1, caps[i][1], 1);
		if (testdoc_compare(doc, 1, rx, 1, 1, 0, msg, sizeof(msg)) != 0)
			fail_msg("%s", msg);
	}
}

/* Each compression on its own (the sender restricts), and the default choice. */
static void compressions(void **state)
{
	static const struct {
		int mask, ecm, want;
	} c[] = {
		{ CTI_FAX_T4_1D, 0, CTI_FAX_T4_1D },
		{ CTI_FAX_T4_1D | CTI_FAX_T4_2D, 0, CTI_FAX_T4_2D },
		{ CTI_FAX_T4_1D | CTI_FAX_T4_2D | CTI_FAX_T6, 0, CTI_FAX_T4_2D },	/* T.6 needs ECM */
		{ CTI_FAX_T4_1D | CTI_FAX_T4_2D | CTI_FAX_T6, 1, CTI_FAX_T6 },
		{ CTI_FAX_T4_1D, 1, CTI_FAX_T4_1D },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct xfer x;
		struct testdoc d;
		char doc[128], rx[128], msg[200];
		int k;

		path(doc, sizeof(doc), "comp.tif");
		path(rx, sizeof(rx), "comp-rx.tif");
		testdoc_defaults(&d, 1, 150 + (int)i);
		d.rows = 250;
		assert_int_equal(testdoc_write(doc, &d), 0);
		xfer_init(&x, rx);
		xfer_add_doc(&x, doc, 0, 0);
		x.tx.compressions = c[i].mask;
		x.tx.ecm = x.rx.ecm = c[i].ecm;
		xfer_start(&x);
		harness_run(ctx, &x.a, &x.b, 600000, 0);
		check_success(&x, 1, 14400, c[i].ecm);
		for (k = 0; k < 2; k++) {
			const cti_event_t *pb = harness_find(ctx, CTI_EV_FAX_PHASE_B, k ? &x.b : &x.a, 0);

			if (pb->u.fax.compression != c[i].want)
				fail_msg("case %zu side %d: compression %d, want %d", i, k, pb->u.fax.compression,
					 c[i].want);
		}
		if (testdoc_compare(doc, 1, rx, 1, 1, 0, msg, sizeof(msg)) != 0)
			fail_msg("case %zu: %s", i, msg);
	}
}

static void run_pages(int pages, int ecm)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128], msg[200];

	path(doc, sizeof(doc), "p.tif");
	path(rx, sizeof(rx), "p-rx.tif");
	testdoc_defaults(&d, pages, pages);
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	x.tx.ecm = x.rx.ecm = ecm;
	xfer_start(&x);
	x.ms = harness_run(ctx, &x.a, &x.b, 600000, 0);
	check_success(&x, pages, 14400, ecm);
	assert_int_equal(testdoc_pages(rx), pages);
	if (testdoc_compare(doc, 1, rx, 1, pages, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
}

static void pages_3_ecm(void **s) { (void)s; run_pages(3, 1); }
static void pages_3_noecm(void **s) { (void)s; run_pages(3, 0); }
static void pages_10_ecm(void **s) { (void)s; run_pages(10, 1); }

/* Resolutions and widths other than A4 R8 fine: each arrives as sent. */
static void resolutions(void **state)
{
	static const struct {
		uint32_t width;
		float xres, yres;
		int x_res, y_res;	/* expected in PHASE_B, pels per metre */
	} r[] = {
		{ 1728, 204, 98, 8031, 3850 },
		{ 1728, 204, 391, 8031, 15400 },
		{ 2048, 204, 196, 8031, 7700 },
		{ 2432, 204, 196, 8031, 7700 },
		{ 3456, 408, 391, 16063, 15400 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(r) / sizeof(r[0]); i++) {
		struct xfer x;
		struct testdoc d;
		char doc[128], rx[128], msg[200];
		const cti_event_t *pb;

		path(doc, sizeof(doc), "res.tif");
		path(rx, sizeof(rx), "res-rx.tif");
		testdoc_defaults(&d, 1, 90 + (int)i);
		d.width = r[i].width;
		d.xres = r[i].xres;
		d.yres = r[i].yres;
		d.rows = 300;
		assert_int_equal(testdoc_write(doc, &d), 0);
		xfer_init(&x, rx);
		xfer_add_doc(&x, doc, 0, 0);
		xfer_start(&x);
		harness_run(ctx, &x.a, &x.b, 600000, 0);
		want_x_res = r[i].x_res;
		check_success(&x, 1, 14400, 1);
		want_x_res = 8031;
		pb = harness_find(ctx, CTI_EV_FAX_PHASE_B, &x.b, 0);
		assert_int_equal(pb->u.fax.y_res, r[i].y_res);
		if (testdoc_compare(doc, 1, rx, 1, 1, 0, msg, sizeof(msg)) != 0)
			fail_msg("width %u %gx%g: %s", r[i].width, r[i].xres, r[i].yres, msg);
	}
}

/* Three documents with page ranges, one of them MINISBLACK and uncompressed. */
static void multi_docs(void **state)
{
	struct xfer x;
	struct testdoc d;
	char a[128], b[128], c[128], rx[128], msg[200];

	(void)state;
	path(a, sizeof(a), "a.tif");
	path(b, sizeof(b), "b.tif");
	path(c, sizeof(c), "c.tif");
	path(rx, sizeof(rx), "multi-rx.tif");
	testdoc_defaults(&d, 3, 21);
	assert_int_equal(testdoc_write(a, &d), 0);
	testdoc_defaults(&d, 2, 22);
	d.compression = COMPRESSION_CCITTFAX3;
	assert_int_equal(testdoc_write(b, &d), 0);
	testdoc_defaults(&d, 1, 23);
	d.compression = COMPRESSION_NONE;
	d.minisblack = 1;
	assert_int_equal(testdoc_write(c, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, a, 2, 3);
	xfer_add_doc(&x, b, 1, 1);
	xfer_add_doc(&x, c, 0, 0);
	xfer_start(&x);
	harness_run(ctx, &x.a, &x.b, 600000, 0);
	check_success(&x, 4, 14400, 1);
	assert_int_equal(testdoc_pages(rx), 4);
	if (testdoc_compare(a, 2, rx, 1, 2, 0, msg, sizeof(msg)) != 0 ||
	    testdoc_compare(b, 1, rx, 3, 1, 0, msg, sizeof(msg)) != 0 ||
	    testdoc_compare(c, 1, rx, 4, 1, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
	/* The temporary combined document (in $TMPDIR, our directory) is gone. */
	{
		glob_t g;
		char pat[128];

		path(pat, sizeof(pat), "cti-fax-*");
		assert_int_equal(glob(pat, 0, NULL, &g), GLOB_NOMATCH);
	}
}

/* Documents of different resolutions in one send: T.30 EOM, new phase B, all exact. */
static void mixed_resolutions(void **state)
{
	struct xfer x;
	struct testdoc d;
	char a[128], b[128], rx[128], msg[200];
	int k;

	(void)state;
	path(a, sizeof(a), "fine.tif");
	path(b, sizeof(b), "std.tif");
	path(rx, sizeof(rx), "mixed-rx.tif");
	testdoc_defaults(&d, 1, 24);
	assert_int_equal(testdoc_write(a, &d), 0);
	testdoc_defaults(&d, 2, 25);
	d.yres = 98;
	assert_int_equal(testdoc_write(b, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, a, 0, 0);
	xfer_add_doc(&x, b, 0, 0);
	xfer_start(&x);
	harness_run(ctx, &x.a, &x.b, 600000, 0);
	for (k = 0; k < 2; k++) {
		cti_call_t *c = k ? &x.b : &x.a;
		const cti_event_t *done = harness_find(ctx, CTI_EV_FAX_DONE, c, 0);

		assert_non_null(done);
		assert_int_equal(done->u.fax.result, 0);
		assert_int_equal(done->u.fax.page, 3);
		assert_int_equal(harness_count(ctx, CTI_EV_FAX_PAGE, c), 3);
		/* Renegotiated for the second resolution. */
		assert_int_equal(harness_count(ctx, CTI_EV_FAX_PHASE_B, c), 2);
		assert_int_equal(harness_find(ctx, CTI_EV_FAX_PHASE_B, c, 0)->u.fax.y_res, 7700);
		assert_int_equal(harness_find(ctx, CTI_EV_FAX_PHASE_B, c, 1)->u.fax.y_res, 3850);
	}
	assert_int_equal(testdoc_pages(rx), 3);
	if (testdoc_compare(a, 1, rx, 1, 1, 0, msg, sizeof(msg)) != 0 ||
	    testdoc_compare(b, 1, rx, 2, 2, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
}

/* One document, pages 2-4 of 5: spandsp's own start/stop page. */
static void single_doc_range(void **state)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128], msg[200];

	(void)state;
	path(doc, sizeof(doc), "r.tif");
	path(rx, sizeof(rx), "r-rx.tif");
	testdoc_defaults(&d, 5, 31);
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 2, 4);
	xfer_start(&x);
	harness_run(ctx, &x.a, &x.b, 600000, 0);
	check_success(&x, 3, 14400, 1);
	assert_int_equal(testdoc_pages(rx), 3);
	if (testdoc_compare(doc, 2, rx, 1, 3, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
}

/* The answering party sends, the caller receives (T.30 polling, DTC), over u-law. */
static void answerer_sends_ulaw(void **state)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128], msg[200];

	(void)state;
	path(doc, sizeof(doc), "poll.tif");
	path(rx, sizeof(rx), "poll-rx.tif");
	testdoc_defaults(&d, 2, 41);
	d.yres = 98;	/* standard resolution */
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	x.tx_calls = 0;
	x.law = CTI_LAW_ULAW;
	xfer_start(&x);
	harness_run(ctx, &x.a, &x.b, 600000, 0);
	check_success(&x, 2, 14400, 1);
	assert_int_equal(harness_find(ctx, CTI_EV_FAX_PHASE_B, &x.b, 0)->u.fax.y_res, 3850);
	if (testdoc_compare(doc, 1, rx, 1, 2, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
}

/* Page header: 32 rows on top of each page, the image unchanged below. */
static void header_line(void **state)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128], msg[200];

	(void)state;
	path(doc, sizeof(doc), "h.tif");
	path(rx, sizeof(rx), "h-rx.tif");
	testdoc_defaults(&d, 1, 51);
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	strcpy(x.tx.header, "ACME Corp invoices");
	xfer_start(&x);
	harness_run(ctx, &x.a, &x.b, 600000, 0);
	check_success(&x, 1, 14400, 1);
	assert_int_equal(testdoc_rows(rx, 1), d.rows + 32);
	if (testdoc_compare(doc, 1, rx, 1, 1, 32, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
}

/* Bit errors on the line: ECM repeats the bad frames, pages arrive exact. */
static void line_errors_ecm(void **state)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128], msg[200];

	(void)state;
	path(doc, sizeof(doc), "ber.tif");
	path(rx, sizeof(rx), "ber-rx.tif");
	testdoc_defaults(&d, 2, 61);
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	x.ber = 2e-5;
	xfer_start(&x);
	harness_run(ctx, &x.a, &x.b, 600000, 0);
	harness_set_ber(0, 0, 1);
	check_success(&x, 2, 0, 1);
	if (testdoc_compare(doc, 1, rx, 1, 2, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);

	/* Control: the same line without ECM damages the image (bad rows or differing pels). */
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	x.ber = 2e-5;
	x.tx.ecm = x.rx.ecm = 0;
	xfer_start(&x);
	harness_run(ctx, &x.a, &x.b, 600000, 0);
	harness_set_ber(0, 0, 1);
	{
		const cti_event_t *done = harness_find(ctx, CTI_EV_FAX_DONE, &x.b, 0);

		assert_non_null(done);
		printf("# without ECM: result %d, %d pages, %d bad rows\n", done->u.fax.result, done->u.fax.page,
		       done->u.fax.bad_rows);
		assert_true(done->u.fax.bad_rows > 0 || done->u.fax.result != 0 ||
			    testdoc_compare(doc, 1, rx, 1, 2, 0, msg, sizeof(msg)) != 0);
	}
}

/* Run until the receiver confirmed n pages. */
static void run_until_pages(struct xfer *x, int n)
{
	int guard = 0;

	while (harness_count(ctx, CTI_EV_FAX_PAGE, &x->b) < n && guard++ < 3000)
		harness_run(ctx, &x->a, &x->b, 100, 0);

	assert_int_equal(harness_count(ctx, CTI_EV_FAX_PAGE, &x->b), n);
}

/* The line goes down during page 3: both ends end with HANGUP, 2 pages on disk valid. */
static void cut_mid_page(void **state)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128], msg[200], cmd[300];
	const cti_event_t *done, *op;

	(void)state;
	path(doc, sizeof(doc), "cut.tif");
	path(rx, sizeof(rx), "cut-rx.tif");
	testdoc_defaults(&d, 3, 71);
	d.rows = 2000;	/* a few seconds per page */
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	x.tx.ecm = x.rx.ecm = 0;
	xfer_start(&x);
	run_until_pages(&x, 2);
	harness_run(ctx, &x.a, &x.b, 1500, 0);	/* into page 3 */
	assert_non_null(x.b.chan.fn);
	harness_run(ctx, &x.a, &x.b, 1000, 20);	/* cable cut */
	assert_null(x.a.chan.fn);
	assert_null(x.b.chan.fn);
	done = harness_find(ctx, CTI_EV_FAX_DONE, &x.b, 0);
	op = harness_find(ctx, CTI_EV_OP_DONE, &x.b, 0);
	assert_non_null(done);
	assert_non_null(op);
	assert_int_not_equal(done->u.fax.result, 0);
	assert_int_equal(done->u.fax.page, 2);
	assert_int_equal(op->u.op.reason, CTI_TERM_HANGUP);
	assert_true(op > done);
	op = harness_find(ctx, CTI_EV_OP_DONE, &x.a, 0);
	assert_non_null(op);
	assert_int_equal(op->u.op.reason, CTI_TERM_HANGUP);
	assert_int_not_equal(harness_find(ctx, CTI_EV_FAX_DONE, &x.a, 0)->u.fax.result, 0);
	/* The partial file is a valid TIFF holding exactly the completed pages. */
	snprintf(cmd, sizeof(cmd), "tiffinfo %s >/dev/null 2>&1", rx);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(testdoc_pages(rx), 2);
	if (testdoc_compare(doc, 1, rx, 1, 2, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
}

/* Stopped right after the start: STOPPED with a failure result, never "OK". */
static void stop_at_once(void **state)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128];
	int k;

	(void)state;
	path(doc, sizeof(doc), "once.tif");
	path(rx, sizeof(rx), "once-rx.tif");
	testdoc_defaults(&d, 1, 73);
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	xfer_start(&x);
	harness_run(ctx, &x.a, &x.b, 100, 0);
	assert_int_equal(media_chan_set_hook(&x.a.chan, NULL, NULL, NULL), 0);
	assert_int_equal(media_chan_set_hook(&x.b.chan, NULL, NULL, NULL), 0);
	for (k = 0; k < 2; k++) {
		cti_call_t *c = k ? &x.b : &x.a;
		const cti_event_t *done = harness_find(ctx, CTI_EV_FAX_DONE, c, 0);
		const cti_event_t *op = harness_find(ctx, CTI_EV_OP_DONE, c, 0);

		assert_non_null(done);
		assert_non_null(op);
		printf("# stopped at once: result %d %s\n", done->u.fax.result, done->u.fax.result_text);
		assert_int_not_equal(done->u.fax.result, 0);
		assert_int_equal(done->u.fax.page, 0);
		assert_int_equal(op->u.op.reason, CTI_TERM_STOPPED);
	}
}

/* Cut before any page completed: failure result, no pages, no TIFF left behind. */
static void cut_before_first_page(void **state)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128];
	const cti_event_t *done;
	int guard = 0;

	(void)state;
	path(doc, sizeof(doc), "cut0.tif");
	path(rx, sizeof(rx), "cut0-rx.tif");
	testdoc_defaults(&d, 1, 72);
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	xfer_start(&x);
	while (!harness_count(ctx, CTI_EV_FAX_PHASE_B, &x.b) && guard++ < 1000)
		harness_run(ctx, &x.a, &x.b, 100, 0);
	assert_int_equal(harness_count(ctx, CTI_EV_FAX_PHASE_B, &x.b), 1);
	harness_run(ctx, &x.a, &x.b, 100, 20);
	done = harness_find(ctx, CTI_EV_FAX_DONE, &x.b, 0);
	assert_non_null(done);
	assert_int_not_equal(done->u.fax.result, 0);
	assert_int_equal(done->u.fax.page, 0);
	assert_int_equal(harness_count(ctx, CTI_EV_FAX_PAGE, &x.b), 0);
	printf("# no page: receive file %s\n", access(rx, F_OK) == 0 ? "kept" : "removed");
	assert_true(access(rx, F_OK) != 0 || testdoc_pages(rx) <= 0);
}

/* The one-line ghostscript conversion of docs/fax.md gives a sendable TIFF. */
static void ghostscript_recipe(void **state)
{
	char ps[128], pdf[128], tif[128], cmd[800];
	FILE *f;

	(void)state;
	if (system("command -v gs >/dev/null 2>&1") != 0) {
		skip();
		return;
	}
	path(ps, sizeof(ps), "doc.ps");
	path(pdf, sizeof(pdf), "doc.pdf");
	path(tif, sizeof(tif), "doc-pdf.tif");
	f = fopen(ps, "w");
	assert_non_null(f);
	fputs("%!PS\n/Helvetica findfont 24 scalefont setfont\n"
	      "72 700 moveto (Page one) show showpage\n72 700 moveto (Page two) show showpage\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=pdfwrite -sPAPERSIZE=a4 "
		 "-sOutputFile=%s %s >/dev/null 2>&1 && "
		 "gs -q -dNOPAUSE -dBATCH -dSAFER -sDEVICE=tiffg4 -r204x196 -g1728x2292 -dPDFFitPage "
		 "-sOutputFile=%s %s >/dev/null 2>&1", pdf, ps, tif, pdf);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(cti_fax_check_tiff(tif), 2);
}

/* Hook removed by the media engine (cti_stop): STOPPED, file valid. */
static void stopped(void **state)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128];
	const cti_event_t *op;

	(void)state;
	path(doc, sizeof(doc), "stop.tif");
	path(rx, sizeof(rx), "stop-rx.tif");
	testdoc_defaults(&d, 2, 81);
	assert_int_equal(testdoc_write(doc, &d), 0);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	xfer_start(&x);
	/* The media engine knows each fax's operation id (for cti_stop). */
	assert_int_equal(x.a.chan.hook_op, x.tx_op);
	assert_int_equal(x.b.chan.hook_op, x.rx_op);
	/* ... and that a fax needs unbroken audio (deep DAHDI cushion) */
	assert_int_equal(x.a.chan.continuous, 1);
	assert_int_equal(x.b.chan.continuous, 1);
	run_until_pages(&x, 1);
	assert_int_equal(media_chan_set_hook(&x.b.chan, NULL, NULL, NULL), 0);
	op = harness_find(ctx, CTI_EV_OP_DONE, &x.b, 0);
	assert_non_null(op);
	assert_int_equal(op->u.op.reason, CTI_TERM_STOPPED);
	assert_int_equal(op->u.op.id, x.rx_op);
	assert_int_not_equal(harness_find(ctx, CTI_EV_FAX_DONE, &x.b, 0)->u.fax.result, 0);
	assert_int_equal(testdoc_pages(rx), 1);
	/* The sender notices the silence and gives up on its own (T.30 timeouts). */
	harness_run(ctx, &x.a, &x.b, 300000, 0);
	op = harness_find(ctx, CTI_EV_OP_DONE, &x.a, 0);
	assert_non_null(op);
	assert_int_equal(op->u.op.reason, CTI_TERM_ERROR);
	assert_int_equal(op->u.op.error, CTI_EIO);
	assert_int_not_equal(harness_find(ctx, CTI_EV_FAX_DONE, &x.a, 0)->u.fax.result, 0);
	assert_null(x.a.chan.fn);
}

/*
 * A fax longer than its time limit (30 minutes; 1 minute here, the same
 * code path) stops there and says so: op reason CTI_TERM_MAX_TIME, result
 * text and op message naming the limit, the pages that got through kept.
 */
static void time_limit(void **state)
{
	struct xfer x;
	struct testdoc d;
	char doc[128], rx[128], msg[200];
	int k, pages;

	(void)state;
	assert_int_equal(FAX_MAX_MS, 30u * 60 * 1000);
	path(doc, sizeof(doc), "long.tif");
	path(rx, sizeof(rx), "long-rx.tif");
	testdoc_defaults(&d, 10, 85);
	d.rows = 1100;
	assert_int_equal(testdoc_write(doc, &d), 0);
	fax_set_max_ms(60000);
	xfer_init(&x, rx);
	xfer_add_doc(&x, doc, 0, 0);
	x.tx.modems = x.rx.modems = CTI_FAX_V27TER;	/* 4800 bit/s: 10 pages take minutes */
	xfer_start(&x);
	fax_set_max_ms(0);
	harness_run(ctx, &x.a, &x.b, 300000, 0);
	for (k = 0; k < 2; k++) {
		cti_call_t *c = k ? &x.b : &x.a;
		const cti_event_t *done = harness_find(ctx, CTI_EV_FAX_DONE, c, 0);
		const cti_event_t *op = harness_find(ctx, CTI_EV_OP_DONE, c, 0);

		assert_non_null(done);
		assert_non_null(op);
		assert_int_not_equal(done->u.fax.result, 0);
		assert_string_equal(done->u.fax.result_text, "Stopped at the 1-minute fax time limit");
		assert_int_equal(op->u.op.reason, CTI_TERM_MAX_TIME);
		if (!strstr(op->u.op.message, "fax stopped at its 1-minute time limit after"))
			fail_msg("op message '%s'", op->u.op.message);
		assert_true(op->u.op.duration_ms >= 60000 && op->u.op.duration_ms <= 60020);
		assert_true(done->u.fax.page >= 1 && done->u.fax.page < 10);
		assert_null(c->chan.fn);
	}
	/* The receiver's file holds exactly the pages it confirmed, pixel exact. */
	pages = harness_find(ctx, CTI_EV_FAX_DONE, &x.b, 0)->u.fax.page;
	printf("# stopped at 60 s after %d pages\n", pages);
	assert_int_equal(testdoc_pages(rx), pages);
	if (testdoc_compare(doc, 1, rx, 1, pages, 0, msg, sizeof(msg)) != 0)
		fail_msg("%s", msg);
}

/* ---- input checks ---- */

static void expect_format(const char *p, int first, int last, const char *needle1, const char *needle2)
{
	cti_call_t call;
	cti_fax_params_t fp;
	cti_fax_doc_t fp_docs[1] = { { NULL, 0, 0 } };
	int rc;

	harness_init(ctx);
	harness_call_init(&call, ctx, 1, 1, 1);
	cti_fax_params_init(&fp);
	fp.docs = fp_docs;
	fp.ndocs = 1;
	fp_docs[0].path = p;
	fp_docs[0].first_page = first;
	fp_docs[0].last_page = last;
	rc = cti_fax_send(&call, &fp);
	if (rc != CTI_EFORMAT || !strstr(cti_last_error(), needle1) || (needle2 && !strstr(cti_last_error(), needle2)))
		fail_msg("rc %d message '%s' (want '%s' '%s')", rc, cti_last_error(), needle1, needle2 ? needle2 : "");
	if (!strstr(cti_last_error(), p))
		fail_msg("message '%s' does not name the file", cti_last_error());
	/* The call was not touched. */
	assert_null(call.chan.fn);
	assert_int_equal(ctx->nev, 0);
	assert_int_equal(ctx->next_op, 0);
}

static void check_tiff_good(void **state)
{
	struct testdoc d;
	char p[128];

	(void)state;
	path(p, sizeof(p), "good.tif");
	testdoc_defaults(&d, 3, 1);
	assert_int_equal(testdoc_write(p, &d), 0);
	assert_int_equal(cti_fax_check_tiff(p), 3);
	/* R16 A4 superfine, MINISBLACK uncompressed, B4 and A3 at R8. */
	d.width = 3456;
	d.xres = 408;
	d.yres = 391;
	d.minisblack = 1;
	d.compression = COMPRESSION_NONE;
	assert_int_equal(testdoc_write(p, &d), 0);
	assert_int_equal(cti_fax_check_tiff(p), 3);
	testdoc_defaults(&d, 1, 1);
	d.width = 2048;
	assert_int_equal(testdoc_write(p, &d), 0);
	assert_int_equal(cti_fax_check_tiff(p), 1);
	d.width = 2432;
	d.yres = 98;
	assert_int_equal(testdoc_write(p, &d), 0);
	assert_int_equal(cti_fax_check_tiff(p), 1);
}

static void check_tiff_bad(void **state)
{
	struct testdoc d;
	char p[128], cmd[600];
	FILE *f;

	(void)state;
	path(p, sizeof(p), "bad.tif");
	/* Not bilevel. */
	assert_int_equal(testdoc_write_grey(p, 1728, 100, 0, 204), 0);
	expect_format(p, 0, 0, "page 1", "not bilevel");
	assert_int_equal(cti_fax_check_tiff(p), CTI_EFORMAT);
	/* Illegal width at R8, on page 2 of 3. */
	testdoc_defaults(&d, 3, 1);
	d.odd_page = 2;
	d.odd_width = 1700;
	assert_int_equal(testdoc_write(p, &d), 0);
	expect_format(p, 0, 0, "page 2", "width 1700");
	expect_format(p, 2, 3, "page 2", "width 1700");
	/* R8 width at R16 resolution. */
	testdoc_defaults(&d, 1, 1);
	d.xres = 408;
	d.yres = 391;
	assert_int_equal(testdoc_write(p, &d), 0);
	expect_format(p, 0, 0, "page 1", "width 1728 is not a fax width at R16");
	/* 300 dpi is not a T.30 resolution we send. */
	testdoc_defaults(&d, 1, 1);
	d.xres = 300;
	assert_int_equal(testdoc_write(p, &d), 0);
	expect_format(p, 0, 0, "page 1", "horizontal resolution 300 dpi");
	/* No resolution tags. */
	testdoc_defaults(&d, 1, 1);
	d.xres = 0;
	assert_int_equal(testdoc_write(p, &d), 0);
	expect_format(p, 0, 0, "page 1", "no resolution");
	/* Missing file, not a TIFF, truncated TIFF. */
	path(p, sizeof(p), "missing.tif");
	expect_format(p, 0, 0, "cannot open", NULL);
	path(p, sizeof(p), "text.tif");
	f = fopen(p, "w");
	assert_non_null(f);
	fputs("this is not a TIFF file\n", f);
	fclose(f);
	expect_format(p, 0, 0, "cannot open", NULL);
	path(p, sizeof(p), "trunc.tif");
	testdoc_defaults(&d, 1, 1);
	d.compression = COMPRESSION_NONE;
	assert_int_equal(testdoc_write(p, &d), 0);
	/* Uncompressed data comes first, the directory last: cut data, keep the directory. */
	snprintf(cmd, sizeof(cmd), "python3 -c \"import sys;b=bytearray(open('%s','rb').read());"
		 "import struct;o=struct.unpack('<I',b[4:8])[0];b[8:o]=b'';"
		 "b[4:8]=struct.pack('<I',8);open('%s','wb').write(b)\" 2>/dev/null", p, p);
	if (system(cmd) == 0) {
		int rc = cti_fax_check_tiff(p);

		assert_int_equal(rc, CTI_EFORMAT);
	}
}

static void bad_args(void **state)
{
	cti_call_t call;
	cti_fax_params_t fp;
	cti_fax_doc_t fp_docs[1] = { { NULL, 0, 0 } };
	struct testdoc d;
	char doc[128], rx[128];
	int op;

	(void)state;
	path(doc, sizeof(doc), "args.tif");
	path(rx, sizeof(rx), "args-rx.tif");
	testdoc_defaults(&d, 2, 1);
	assert_int_equal(testdoc_write(doc, &d), 0);
	harness_init(ctx);
	harness_call_init(&call, ctx, 1, 1, 1);
	cti_fax_params_init(&fp);
	fp.docs = fp_docs;
	assert_int_equal(fp.ecm, 1);
	assert_int_equal(fp.max_rate, 14400);
	assert_int_equal(fp.calling, -1);
	assert_int_equal(fp.modems, CTI_FAX_V17 | CTI_FAX_V29 | CTI_FAX_V27TER);
	assert_int_equal(cti_fax_send(NULL, &fp), CTI_EINVAL);
	assert_int_equal(cti_fax_send(&call, NULL), CTI_EINVAL);
	assert_int_equal(cti_fax_send(&call, &fp), CTI_EINVAL);	/* no documents */
	assert_non_null(strstr(cti_last_error(), "ndocs"));
	assert_int_equal(cti_fax_receive(&call, &fp), CTI_EINVAL);	/* no path */
	fp.ndocs = 1;
	fp_docs[0].path = doc;
	fp_docs[0].first_page = 3;
	assert_int_equal(cti_fax_send(&call, &fp), CTI_EINVAL);	/* past the end */
	assert_non_null(strstr(cti_last_error(), "2 pages"));
	fp_docs[0].first_page = 2;
	fp_docs[0].last_page = 1;
	assert_int_equal(cti_fax_send(&call, &fp), CTI_EINVAL);
	fp_docs[0].first_page = fp_docs[0].last_page = 0;
	fp.modems = 0;
	assert_int_equal(cti_fax_send(&call, &fp), CTI_EINVAL);
	fp.modems = CTI_FAX_V17;
	fp.max_rate = 9600;
	assert_int_equal(cti_fax_send(&call, &fp), CTI_EINVAL);	/* V.17 alone cannot stay under 9600 */
	assert_non_null(strstr(cti_last_error(), "max_rate 9600"));
	fp.modems = CTI_FAX_V17 | CTI_FAX_V29;
	fp.calling = 2;
	assert_int_equal(cti_fax_send(&call, &fp), CTI_EINVAL);
	fp.calling = -1;
	fp.compressions = 8;
	assert_int_equal(cti_fax_send(&call, &fp), CTI_EINVAL);
	fp.compressions = CTI_FAX_T4_1D;
	/* No B-channel. */
	call.has_media = 0;
	assert_int_equal(cti_fax_send(&call, &fp), CTI_ESTATE);
	call.has_media = 1;
	/* Unwritable receive path. */
	fp.receive_path = "/nonexistent-dir/rx.tif";
	assert_int_equal(cti_fax_receive(&call, &fp), CTI_EIO);
	assert_non_null(strstr(cti_last_error(), "/nonexistent-dir/rx.tif"));
	assert_int_equal(ctx->nev, 0);
	/* Busy: a second fax on the same channel. */
	fp.receive_path = rx;
	op = cti_fax_send(&call, &fp);
	assert_true(op > 0);
	assert_int_equal(cti_fax_receive(&call, &fp), CTI_EBUSY);
	/* The first one is intact; end it as a hangup would. */
	assert_non_null(call.chan.fn);
	call.chan.end(call.chan.user, CTI_TERM_HANGUP);
	assert_int_equal(harness_find(ctx, CTI_EV_OP_DONE, &call, 0)->u.op.reason, CTI_TERM_HANGUP);
	assert_int_equal(harness_find(ctx, CTI_EV_OP_DONE, &call, 0)->u.op.id, op);
}

static void convert(void **state)
{
	char in[128], out[128];
	TIFF *t;
	uint32_t w = 0, h = 0;
	uint8_t row[1728 / 8];
	uint32_t y;
	int rgb;

	(void)state;
	path(in, sizeof(in), "grey.tif");
	path(out, sizeof(out), "grey-fax.tif");
	for (rgb = 0; rgb < 2; rgb++) {
		/* 1000x1400 at 100 dpi, left half dark grey, right half light grey. */
		assert_int_equal(testdoc_write_grey(in, 1000, 1400, rgb, 100), 0);
		assert_int_equal(cti_fax_check_tiff(in), CTI_EFORMAT);
		assert_int_equal(cti_fax_convert_tiff(in, out), 1);
		assert_int_equal(cti_fax_check_tiff(out), 1);
		t = TIFFOpen(out, "r");
		assert_non_null(t);
		TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w);
		TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h);
		assert_int_equal(w, 1728);
		/* Same aspect: 1400 * 1.728 * 196/204 rows. */
		assert_true(h >= 2322 && h <= 2326);
		for (y = 0; y <= 1000; y++)	/* G4 decodes in order only */
			assert_true(TIFFReadScanline(t, row, y, 0) >= 0);
		assert_int_equal(row[10], 0xff);		/* dark -> black (MINISWHITE 1) */
		assert_int_equal(row[200], 0x00);		/* light -> white */
		TIFFClose(t);
	}
	assert_int_equal(cti_fax_convert_tiff("/nonexistent.tif", out), CTI_EFORMAT);
}

static void result_text(void **state)
{
	(void)state;
	assert_string_equal(cti_fax_result_text(0), "OK");
	assert_string_equal(cti_fax_result_text(T30_ERR_CALLDROPPED), "The call dropped prematurely");
	assert_string_equal(cti_fax_result_text(T30_ERR_NOSIZESUPPORT), "Far end cannot receive at the size of image");
}

static int setup(void **state)
{
	(void)state;
	ctx = calloc(1, sizeof(*ctx));
	snprintf(dir, sizeof(dir), "/tmp/cti-faxtest-XXXXXX");
	if (!mkdtemp(dir) || !ctx)
		return -1;
	/* Temporary combined documents go here, where tests can see them. */
	setenv("TMPDIR", dir, 1);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(check_tiff_good),
		cmocka_unit_test(check_tiff_bad),
		cmocka_unit_test(bad_args),
		cmocka_unit_test(convert),
		cmocka_unit_test(result_text),
		cmocka_unit_test(modem_v17_ecm),
		cmocka_unit_test(modem_v17_noecm),
		cmocka_unit_test(modem_v29_ecm),
		cmocka_unit_test(modem_v29_noecm),
		cmocka_unit_test(modem_v27_ecm),
		cmocka_unit_test(modem_v27_noecm),
		cmocka_unit_test(max_rate),
		cmocka_unit_test(compressions),
		cmocka_unit_test(pages_3_ecm),
		cmocka_unit_test(pages_3_noecm),
		cmocka_unit_test(pages_10_ecm),
		cmocka_unit_test(resolutions),
		cmocka_unit_test(multi_docs),
		cmocka_unit_test(mixed_resolutions),
		cmocka_unit_test(single_doc_range),
		cmocka_unit_test(answerer_sends_ulaw),
		cmocka_unit_test(header_line),
		cmocka_unit_test(line_errors_ecm),
		cmocka_unit_test(cut_mid_page),
		cmocka_unit_test(stopped),
		cmocka_unit_test(cut_before_first_page),
		cmocka_unit_test(stop_at_once),
		cmocka_unit_test(time_limit),
		cmocka_unit_test(ghostscript_recipe),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
