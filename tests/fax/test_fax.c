/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "harness.h"
#include "testdoc.h"

static cti_ctx_t *ctx;
static char dir[64];

static void path(char *out, size_t size, const char *name)
{
	snprintf(out, size, "%s/%s", dir, name);
}

static void smoke(void **state)
{
	cti_call_t a, b;
	cti_fax_params_t pa, pb;
	struct testdoc d;
	char doc[128], rx[128], msg[200];
	uint64_t ms;

	(void)state;
	path(doc, sizeof(doc), "doc1.tif");
	path(rx, sizeof(rx), "rx1.tif");
	testdoc_defaults(&d, 1, 1);
	assert_int_equal(testdoc_write(doc, &d), 0);
	harness_init(ctx);
	harness_call_init(&a, ctx, 1, 1, 1);
	harness_call_init(&b, ctx, 0, 2, 1);
	cti_fax_params_init(&pa);
	pa.ndocs = 1;
	pa.docs[0].path = doc;
	strcpy(pa.ident, "+1 555 0100");
	cti_fax_params_init(&pb);
	pb.receive_path = rx;
	strcpy(pb.ident, "+1 555 0200");
	assert_true(cti_fax_send(&a, &pa) > 0);
	assert_true(cti_fax_receive(&b, &pb) > 0);
	ms = harness_run(ctx, &a, &b, 120000, 0);
	printf("ran %llu ms, %d events\n", (unsigned long long)ms, ctx->nev);
	for (int i = 0; i < ctx->nev; i++)
		printf("ev %d call %s page %d rate %d ecm %d res %d/%d result %d %s id '%s'\n", ctx->ev[i].type,
		       ctx->ev[i].call == &a ? "a" : "b", ctx->ev[i].u.fax.page, ctx->ev[i].u.fax.bit_rate,
		       ctx->ev[i].u.fax.ecm, ctx->ev[i].u.fax.x_res, ctx->ev[i].u.fax.y_res,
		       ctx->ev[i].u.fax.result, ctx->ev[i].u.fax.result_text, ctx->ev[i].u.fax.remote_ident);
	assert_int_equal(testdoc_compare(doc, 1, rx, 1, 1, 0, msg, sizeof(msg)), 0);
}

static int setup(void **state)
{
	(void)state;
	ctx = calloc(1, sizeof(*ctx));
	snprintf(dir, sizeof(dir), "/tmp/cti-faxtest-XXXXXX");
	return mkdtemp(dir) && ctx ? 0 : -1;
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
		cmocka_unit_test(smoke),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
