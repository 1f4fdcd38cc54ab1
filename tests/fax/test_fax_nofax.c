/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test_fax_nofax.c - lib/fax/fax.c built without CONFIG_FAX: every entry point CTI_ENOTSUP. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>

#include "harness.h"

static void enotsup(void **state)
{
	cti_ctx_t *ctx = test_calloc(1, sizeof(*ctx));
	cti_call_t call;
	cti_fax_params_t p;
	cti_fax_doc_t docs[1] = { { NULL, 0, 0 } };

	(void)state;
	harness_init(ctx);
	harness_call_init(&call, ctx, 1, 1, 1);
	cti_fax_params_init(&p);
	p.docs = docs;
	assert_int_equal(p.ecm, 1);
	p.ndocs = 1;
	docs[0].path = "x.tif";
	p.receive_path = "y.tif";
	assert_int_equal(cti_fax_send(&call, &p), CTI_ENOTSUP);
	assert_non_null(strstr(cti_last_error(), "CONFIG_FAX"));
	assert_int_equal(cti_fax_receive(&call, &p), CTI_ENOTSUP);
	assert_int_equal(cti_fax_check_tiff("x.tif"), CTI_ENOTSUP);
	assert_int_equal(cti_fax_convert_tiff("x.tif", "y.tif"), CTI_ENOTSUP);
	assert_non_null(cti_fax_result_text(0));
	assert_null(call.chan.fn);
	assert_int_equal(ctx->nev, 0);
	test_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(enotsup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
