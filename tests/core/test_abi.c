/*
 * tests/core/test_abi.c - the growable-struct rules of cti.h ("ABI" at its top):
 * init macros set .size, size 0 is refused, an older program's smaller struct
 * is read only up to its size (defaults beyond), a newer program's extra
 * fields are refused when set, output structs are written only up to the
 * caller's size, and cti_call_get_params copies out.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cti.h"
#include "simcalls.h"

static struct rec R;

static void test_init_sets_size(void **state)
{
	cti_span_config_t sc;
	cti_call_params_t cp;
	cti_term_t t;
	cti_record_params_t rp;
	cti_cpa_params_t cpa;
	cti_fax_params_t fp;

	(void)state;
	memset(&t, 0x5a, sizeof(t));
	cti_term_init(&t);
	assert_int_equal(t.size, sizeof(t));
	assert_int_equal(t.silence_dbm0, -42);
	assert_int_equal(t.max_digits, 0);	/* garbage cleared */
	cti_span_config_init(&sc, CTI_LINE_T1);
	assert_int_equal(sc.size, sizeof(sc));
	assert_int_equal(sc.framing, CTI_FRAMING_ESF);
	cti_call_params_init(&cp);
	assert_int_equal(cp.size, sizeof(cp));
	assert_int_equal(cp.sending_complete, 1);
	cti_record_params_init(&rp);
	assert_int_equal(rp.size, sizeof(rp));
	assert_int_equal(rp.format, CTI_FMT_WAV_PCM16);
	cti_cpa_params_init(&cpa);
	assert_int_equal(cpa.size, sizeof(cpa));
	assert_int_equal(cpa.no_answer_ms, 30000);
	cti_fax_params_init(&fp);
	assert_int_equal(fp.size, sizeof(fp));
	assert_int_equal(fp.max_rate, 14400);
	assert_null(fp.docs);

	/* An older program's init: only its bytes are touched. */
	memset(&t, 0x5a, sizeof(t));
	cti_term_init_sized(&t, offsetof(cti_term_t, silence_dbm0));
	assert_int_equal(t.size, offsetof(cti_term_t, silence_dbm0));
	assert_int_equal(t.max_time_ms, 0);
	assert_int_equal(t.silence_dbm0, 0x5a5a5a5a);
}

static void test_size_zero_refused(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_span_config_t sc;

	(void)state;
	cti_span_config_init(&sc, CTI_LINE_E1);
	sc.size = 0;	/* as if filled in by hand, without init */
	assert_int_equal(cti_config_add_span(cfg, &sc), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "cti_span_config_init() first"));
	assert_int_equal(cti_last_error_code(), CTI_EINVAL);
	cti_config_free(cfg);
}

static void test_calls_sizes(void **state)
{
	cti_ctx_t *ctx;
	cti_call_params_t p, out;
	struct {
		cti_call_params_t p;
		uint32_t future;	/* a field of a newer cti.h */
	} newer;
	cti_call_t *c;
	unsigned char buf[sizeof(cti_call_params_t) + 16];
	size_t part = offsetof(cti_call_params_t, called) + sizeof(cti_party_t);

	(void)state;
	memset(&R, 0, sizeof(R));
	ctx = open_pairs(&R, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	assert_non_null(ctx);
	assert_true(run_until(ctx, &R.dchan_up, 2, 10000));

	/* size 0: refused, the pointer-returning function reports the code */
	memset(&p, 0, sizeof(p));
	strcpy(p.called.number, "123");
	assert_null(cti_call_place(ctx, &p));
	assert_int_equal(cti_last_error_code(), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "cti_call_params_init() first"));

	/* an older program's struct ends before .user: the garbage there is not read */
	cti_call_params_init_sized(&p, offsetof(cti_call_params_t, user));
	strcpy(p.called.number, "123");
	p.user = (void *)&p;	/* beyond its size: must be ignored */
	c = cti_call_place(ctx, &p);
	assert_non_null(c);
	assert_null(cti_call_get_user(c));
	assert_int_equal(cti_call_get_params(c, &out), 0);
	assert_int_equal(out.size, sizeof(out));
	assert_string_equal(out.called.number, "123");
	assert_int_equal(out.sending_complete, 1);
	assert_null(out.user);
	/* copy-out is limited to the caller's size */
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(cti_call_get_params_sized(c, (cti_call_params_t *)buf, part), 0);
	assert_string_equal(((cti_call_params_t *)buf)->called.number, "123");
	assert_int_equal(((cti_call_params_t *)buf)->size, part);
	for (size_t i = part; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xa5);
	assert_int_equal(cti_call_get_params(NULL, &out), CTI_EINVAL);
	cti_call_release(c);

	/* a newer program: unknown fields zero are fine, set ones are refused */
	memset(&newer, 0, sizeof(newer));
	cti_call_params_init_sized(&newer.p, sizeof(newer));
	assert_int_equal(newer.p.size, sizeof(newer));
	strcpy(newer.p.called.number, "124");
	newer.future = 7;
	assert_null(cti_call_place(ctx, &newer.p));
	assert_int_equal(cti_last_error_code(), CTI_ENOTSUP);
	assert_non_null(strstr(cti_last_error(), "does not know"));
	newer.future = 0;
	c = cti_call_place(ctx, &newer.p);
	assert_non_null(c);
	cti_call_release(c);
	run_until(ctx, &R.released, 2, 10000);
	cti_close(ctx);
}

static void test_outputs_sized(void **state)
{
	cti_ctx_t *ctx;
	unsigned char buf[sizeof(cti_span_status_t) + 16];
	cti_span_status_t st;
	cti_line_faults_t f;
	size_t part = offsetof(cti_span_status_t, transport);

	(void)state;
	memset(&R, 0, sizeof(R));
	ctx = open_pairs(&R, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN);
	assert_non_null(ctx);
	assert_int_equal(cti_span_status(ctx, 2, &st), 0);
	assert_int_equal(st.index, 2);
	assert_string_equal(st.name, "sim2");
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(cti_span_status_sized(ctx, 2, (cti_span_status_t *)buf, part), 0);
	assert_string_equal(((cti_span_status_t *)buf)->name, "sim2");
	for (size_t i = part; i < sizeof(buf); i++)
		assert_int_equal(buf[i], 0xa5);
	/* faults in: an older struct without .los leaves los off */
	memset(&f, 0, sizeof(f));
	f.ppm = 50;
	f.los = 1;	/* beyond the size passed: ignored */
	assert_int_equal(cti_cable_set_faults_sized(ctx, 2, &f, offsetof(cti_line_faults_t, los)), 0);
	memset(&f, 0, sizeof(f));
	assert_int_equal(cti_cable_get_faults(ctx, 2, &f), 0);
	assert_int_equal(f.ppm, 50);
	assert_int_equal(f.los, 0);
	cti_close(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sets_size),
		cmocka_unit_test(test_size_zero_refused),
		cmocka_unit_test(test_calls_sizes),
		cmocka_unit_test(test_outputs_sized),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
