/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_fax_tiff.c - the TIFF check refuses damaged documents before a call.
 *
 * Good documents are generated (testdoc.c), then damaged the way files get
 * damaged in the field: bits flipped in the coded image, the file cut short,
 * a page chain pointing outside the file, header tags claiming absurd sizes.
 * Each must be refused with CTI_EFORMAT by cti_fax_check_tiff() and by
 * cti_fax_send() (call untouched), with a message naming file, page and
 * problem; the undamaged document must still pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <tiffio.h>

#include "harness.h"
#include "testdoc.h"

static cti_ctx_t *ctx;
static char dir[64];

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

/* ---- raw file access (classic little-endian TIFF, as libtiff writes here) ---- */

static uint8_t *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	uint8_t *b;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	b = malloc((size_t)n);
	assert_non_null(b);
	assert_int_equal(fread(b, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void spill(const char *p, const uint8_t *b, size_t len)
{
	FILE *f = fopen(p, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(b, 1, len, f), len);
	fclose(f);
}

static uint32_t rd32(const uint8_t *b)
{
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void wr32(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
	b[2] = (uint8_t)(v >> 16);
	b[3] = (uint8_t)(v >> 24);
}

/* Offset of IFD number n (0-based) in a file image. */
static uint32_t ifd_offset(const uint8_t *b, size_t len, int n)
{
	uint32_t off;

	assert_true(len > 8 && b[0] == 'I' && b[1] == 'I');
	off = rd32(b + 4);
	while (n-- > 0) {
		uint32_t cnt = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8;

		off = rd32(b + off + 2 + 12 * cnt);
	}
	assert_true(off + 2 <= len);
	return off;
}

/* Entry of tag in IFD n: pointer to its 12 bytes, NULL if absent. */
static uint8_t *ifd_entry(uint8_t *b, size_t len, int n, uint16_t tag)
{
	uint32_t off = ifd_offset(b, len, n);
	uint32_t cnt = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8, i;

	for (i = 0; i < cnt; i++) {
		uint8_t *e = b + off + 2 + 12 * i;

		if (((uint32_t)e[0] | (uint32_t)e[1] << 8) == tag)
			return e;
	}
	return NULL;
}

/* Set a SHORT or LONG single-valued tag in IFD n of the file p. */
static void patch_tag(const char *p, int n, uint16_t tag, uint32_t value)
{
	size_t len;
	uint8_t *b = slurp(p, &len), *e = ifd_entry(b, len, n, tag);

	assert_non_null(e);
	if (e[2] == 3 && value > 0xffff) {
		e[2] = 4;		/* SHORT becomes LONG: still one value in the entry */
		wr32(e + 8, value);
	} else if (e[2] == 3) {		/* SHORT */
		e[8] = (uint8_t)value;
		e[9] = (uint8_t)(value >> 8);
	} else {
		assert_int_equal(e[2], 4);	/* LONG */
		wr32(e + 8, value);
	}
	spill(p, b, len);
	free(b);
}

/* ---- expectations ---- */

/* cti_fax_check_tiff and cti_fax_send both refuse p, message names file and needles. */
static void expect_refused(const char *p, const char *needle1, const char *needle2)
{
	cti_call_t call;
	cti_fax_params_t fp;
	cti_fax_doc_t fp_docs[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	int rc;

	rc = cti_fax_check_tiff(p);
	if (rc != CTI_EFORMAT || !strstr(cti_last_error(), p) || !strstr(cti_last_error(), needle1) ||
	    (needle2 && !strstr(cti_last_error(), needle2)))
		fail_msg("check: rc %d message '%s' (want '%s' '%s')", rc, cti_last_error(), needle1,
			 needle2 ? needle2 : "");
	harness_init(ctx);
	harness_call_init(&call, ctx, 1, 1, 1);
	cti_fax_params_init(&fp);
	fp.docs = fp_docs;
	fp.ndocs = 1;
	fp_docs[0].path = p;
	rc = cti_fax_send(&call, &fp);
	if (rc != CTI_EFORMAT || !strstr(cti_last_error(), needle1))
		fail_msg("send: rc %d message '%s' (want '%s')", rc, cti_last_error(), needle1);
	/* The call was not touched. */
	assert_null(call.chan.fn);
	assert_int_equal(ctx->nev, 0);
	assert_int_equal(ctx->next_op, 0);
}

static void write_good(const char *p, int pages)
{
	struct testdoc d;

	testdoc_defaults(&d, pages, 7);
	assert_int_equal(testdoc_write(p, &d), 0);
	assert_int_equal(cti_fax_check_tiff(p), pages);
}

/* The strip of page n (0-based): offset and length in the file. */
static void strip_of(const char *p, int n, uint32_t *off, uint32_t *cnt)
{
	size_t len;
	uint8_t *b = slurp(p, &len), *eo = ifd_entry(b, len, n, TIFFTAG_STRIPOFFSETS),
		*ec = ifd_entry(b, len, n, TIFFTAG_STRIPBYTECOUNTS);

	assert_non_null(eo);
	assert_non_null(ec);
	/* One strip per page (ROWSPERSTRIP = rows): the value is in the entry. */
	assert_int_equal(rd32(eo + 4), 1);
	*off = rd32(eo + 8);
	*cnt = ec[2] == 3 ? (uint32_t)ec[8] | (uint32_t)ec[9] << 8 : rd32(ec + 8);
	free(b);
}

/* ---- tests ---- */

static void good_multipage_passes(void **state)
{
	char p[128];

	(void)state;
	path(p, sizeof(p), "good.tif");
	write_good(p, 3);
	/* A4 superfine at R16, the longest page the limit allows (8192 rows). */
	{
		struct testdoc d;

		testdoc_defaults(&d, 2, 8);
		d.width = 3456;
		d.xres = 408;
		d.yres = 391;
		d.rows = 8192;
		assert_int_equal(testdoc_write(p, &d), 0);
		assert_int_equal(cti_fax_check_tiff(p), 2);
	}
}

/*
 * Bits flipped in the G4 data of page 2: libtiff says "Bad code word" to its
 * error handler and TIFFReadScanline still returns 1.
 */
static void bit_flipped(void **state)
{
	char p[128];
	uint32_t off, cnt, i;
	size_t len;
	uint8_t *b;
	int seed, refused = 0;

	(void)state;
	path(p, sizeof(p), "flip.tif");
	write_good(p, 3);
	strip_of(p, 1, &off, &cnt);
	b = slurp(p, &len);
	for (i = cnt / 3; i < cnt / 3 + 6; i++)
		b[off + i] ^= 0x5a;
	spill(p, b, len);
	free(b);
	expect_refused(p, "page 2", "does not decode");

	/* Single bit flips at 20 places in page 1: at least 18 refused (G4 resyncs rarely). */
	for (seed = 0; seed < 20; seed++) {
		write_good(p, 3);
		strip_of(p, 0, &off, &cnt);
		b = slurp(p, &len);
		b[off + 50 + (uint32_t)seed * (cnt - 100) / 20] ^= (uint8_t)(1u << (seed % 8));
		spill(p, b, len);
		free(b);
		if (cti_fax_check_tiff(p) == CTI_EFORMAT) {
			refused++;
			if (!strstr(cti_last_error(), "page 1"))
				fail_msg("flip %d: '%s'", seed, cti_last_error());
		}
	}
	printf("# single bit flips refused: %d/20\n", refused);
	assert_true(refused >= 18);
}

/* A copy cut to 25, 50 and 90 % of its size. */
static void truncated(void **state)
{
	static const int pct[] = { 25, 50, 90, 99 };
	char p[128], good[128];
	size_t len, i;
	uint8_t *b;

	(void)state;
	path(good, sizeof(good), "trunc-src.tif");
	path(p, sizeof(p), "trunc.tif");
	write_good(good, 3);
	b = slurp(good, &len);
	for (i = 0; i < sizeof(pct) / sizeof(pct[0]); i++) {
		spill(p, b, len * (size_t)pct[i] / 100);
		if (cti_fax_check_tiff(p) != CTI_EFORMAT || !strstr(cti_last_error(), p) ||
		    !strstr(cti_last_error(), "page") ||
		    (!strstr(cti_last_error(), "truncated") && !strstr(cti_last_error(), "does not decode")))
			fail_msg("cut to %d %%: '%s'", pct[i], cti_last_error());
		printf("# cut to %d %%: %s\n", pct[i], cti_last_error());
		expect_refused(p, "page", NULL);
	}
	free(b);
}

/* Page 1's next-page offset points outside the file. */
static void broken_chain(void **state)
{
	char p[128];
	size_t len;
	uint8_t *b;
	uint32_t off, cnt;

	(void)state;
	path(p, sizeof(p), "chain.tif");
	write_good(p, 3);
	b = slurp(p, &len);
	off = ifd_offset(b, len, 0);
	cnt = (uint32_t)b[off] | (uint32_t)b[off + 1] << 8;
	wr32(b + off + 2 + 12 * cnt, (uint32_t)len + 4096);
	spill(p, b, len);
	free(b);
	expect_refused(p, "page chain is broken after page 1", NULL);
}

/* Strip byte count beyond the end of the file: a truncated strip. */
static void strip_beyond_eof(void **state)
{
	char p[128];

	(void)state;
	path(p, sizeof(p), "strip.tif");
	write_good(p, 2);
	patch_tag(p, 1, TIFFTAG_STRIPBYTECOUNTS, 1000000);
	expect_refused(p, "page 2", NULL);
}

/* Length tags saying 2e9 rows: refused at once, not decoded for minutes. */
static void absurd_rows(void **state)
{
	char p[128];
	struct timespec t0, t1;
	double ms;

	(void)state;
	path(p, sizeof(p), "rows.tif");
	write_good(p, 2);
	patch_tag(p, 1, TIFFTAG_IMAGELENGTH, 2000000000u);
	patch_tag(p, 1, TIFFTAG_ROWSPERSTRIP, 2000000000u);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	expect_refused(p, "page 2", "2000000000 rows is beyond the fax page limit of 8192 rows");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	/* Generous bound (ASan, loaded machine): the old check decoded for minutes. */
	assert_true(ms < 5000);
	/* One row over the limit, on page 1. */
	write_good(p, 1);
	patch_tag(p, 0, TIFFTAG_IMAGELENGTH, 8193);
	patch_tag(p, 0, TIFFTAG_ROWSPERSTRIP, 8193);
	expect_refused(p, "page 1", "8193 rows");
}

static void zero_width(void **state)
{
	char p[128];

	(void)state;
	path(p, sizeof(p), "zero.tif");
	write_good(p, 2);
	patch_tag(p, 0, TIFFTAG_IMAGEWIDTH, 0);
	/* libtiff itself may refuse the directory; either way page 1 is named. */
	expect_refused(p, "page 1", NULL);
	if (!strstr(cti_last_error(), "empty image") && !strstr(cti_last_error(), "directory"))
		fail_msg("'%s'", cti_last_error());
	write_good(p, 2);
	patch_tag(p, 1, TIFFTAG_IMAGEWIDTH, 100000);
	expect_refused(p, "page 2", "width 100000 is not a fax width");
}

static void not_bilevel(void **state)
{
	char p[128], out[128];

	(void)state;
	path(p, sizeof(p), "grey.tif");
	path(out, sizeof(out), "grey-fax.tif");
	assert_int_equal(testdoc_write_grey(p, 1728, 100, 0, 204), 0);
	expect_refused(p, "page 1", "not bilevel (1 samples of 8 bits per pixel");
	assert_int_equal(testdoc_write_grey(p, 1000, 80, 1, 150), 0);
	expect_refused(p, "page 1", "not bilevel (3 samples of 8 bits per pixel");
	/* ... and after cti_fax_convert_tiff it goes. */
	assert_int_equal(cti_fax_convert_tiff(p, out), 1);
	assert_int_equal(cti_fax_check_tiff(out), 1);
}

/* Several documents: the damaged second one is named, nothing is started. */
static void damaged_second_doc(void **state)
{
	char a[128], b2[128];
	cti_call_t call;
	cti_fax_params_t fp;
	cti_fax_doc_t fp_docs[2] = { { NULL, 0, 0 }, { NULL, 0, 0 } };
	size_t len;
	uint8_t *b;

	(void)state;
	path(a, sizeof(a), "doc-a.tif");
	path(b2, sizeof(b2), "doc-b.tif");
	write_good(a, 2);
	write_good(b2, 3);
	b = slurp(b2, &len);
	spill(b2, b, len / 2);
	free(b);
	harness_init(ctx);
	harness_call_init(&call, ctx, 1, 1, 1);
	cti_fax_params_init(&fp);
	fp.docs = fp_docs;
	fp.ndocs = 2;
	fp_docs[0].path = a;
	fp_docs[1].path = b2;
	assert_int_equal(cti_fax_send(&call, &fp), CTI_EFORMAT);
	if (!strstr(cti_last_error(), b2))
		fail_msg("'%s'", cti_last_error());
	assert_null(call.chan.fn);
	assert_int_equal(ctx->nev, 0);
}

static int setup(void **state)
{
	(void)state;
	ctx = calloc(1, sizeof(*ctx));
	snprintf(dir, sizeof(dir), "/tmp/cti-faxtiff-XXXXXX");
	if (!ctx || !mkdtemp(dir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return -1;
	free(ctx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_multipage_passes),
		cmocka_unit_test(bit_flipped),
		cmocka_unit_test(truncated),
		cmocka_unit_test(broken_chain),
		cmocka_unit_test(strip_beyond_eof),
		cmocka_unit_test(absurd_rows),
		cmocka_unit_test(zero_width),
		cmocka_unit_test(not_bilevel),
		cmocka_unit_test(damaged_second_doc),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
