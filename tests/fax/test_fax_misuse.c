/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * test_fax_misuse.c - a hostile application against cti.h's fax calls:
 * parameter structs without init or with garbage sizes, docs NULL with
 * ndocs > 0, negative and huge ndocs, unterminated ident/header, and FIFOs
 * or directories as documents, receive paths and conversion files (open()
 * of a FIFO blocks until the other end opens: a watchdog alarm turns a
 * hang into a failure). Every failure returns the code cti_last_error_code()
 * holds with a message naming the problem, and the call is not touched.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "harness.h"
#include "testdoc.h"

static char tmpdir[256];
static cti_ctx_t *ctx;

static const char *tpath(const char *name)
{
	static char p[4][512];
	static int k;

	k = (k + 1) % 4;
	snprintf(p[k], sizeof(p[k]), "%s/%s", tmpdir, name);
	return p[k];
}

static void watchdog(int sig)
{
	static const char m[] = "watchdog: the library hung\n";

	(void)sig;
	if (write(2, m, sizeof(m) - 1) < 0)
		_exit(3);
	_exit(2);
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/test_fax_misuse.XXXXXX");
	assert_non_null(mkdtemp(tmpdir));
	ctx = calloc(1, sizeof(*ctx));
	signal(SIGALRM, watchdog);
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	(void)state;
	free(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

static cti_call_t call;

static void fresh_call(void)
{
	harness_init(ctx);
	harness_call_init(&call, ctx, 1, 1, 1);
}

/* rc is `code`, cti_last_error_code() agrees, the message holds word, and the call was not touched. */
static void refused(int rc, int code, const char *word)
{
	if (rc != code || cti_last_error_code() != code || !strstr(cti_last_error(), word))
		fail_msg("want %d naming '%s': got rc %d, last code %d, '%s'", code, word, rc,
			 cti_last_error_code(), cti_last_error());
	assert_null(call.chan.fn);
	assert_int_equal(ctx->nev, 0);
	assert_int_equal(ctx->next_op, 0);
}

static void test_fax_params_misuse(void **state)
{
	(void)state;
	cti_fax_params_t fp;
	cti_fax_doc_t docs[2];
	struct testdoc d;

	fresh_call();
	testdoc_defaults(&d, 1, 3);
	assert_int_equal(testdoc_write(tpath("ok.tif"), &d), 0);
	memset(docs, 0, sizeof(docs));
	docs[0].path = tpath("ok.tif");

	memset(&fp, 0, sizeof(fp));	/* no init */
	fp.docs = docs;
	fp.ndocs = 1;
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "cti_fax_params_init");
	cti_fax_params_init(&fp);
	fp.docs = docs;
	fp.ndocs = 1;
	fp.size = (uint32_t)offsetof(cti_fax_params_t, docs) + 4;	/* half the docs pointer */
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "inside field 'docs'");
	fp.size = 0x7fffffff;
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "size");
	fp.size = sizeof(fp);
	refused(cti_fax_send(NULL, &fp), CTI_EINVAL, "NULL call");
	refused(cti_fax_send(&call, NULL), CTI_EINVAL, "NULL params");
	refused(cti_fax_receive(&call, NULL), CTI_EINVAL, "NULL params");
	fp.docs = NULL;
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "docs is NULL");
	fp.docs = docs;
	fp.ndocs = -1;
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "ndocs -1");
	fp.ndocs = 0x7fffffff;
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "ndocs 2147483647");
	fp.ndocs = 2;	/* second document has no path */
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "document 2");
	fp.ndocs = 1;
	docs[0].first_page = 3;
	docs[0].last_page = 2;
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "page range");
	docs[0].first_page = docs[0].last_page = 0;
	memset(fp.ident, 'x', sizeof(fp.ident));
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "ident");
	fp.ident[0] = 0;
	memset(fp.header, 'x', sizeof(fp.header));
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "header");
	fp.header[0] = 0;
	fp.modems = 0x100;
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "modem bits");
	fp.modems = CTI_FAX_V17;
	fp.calling = 7;
	refused(cti_fax_send(&call, &fp), CTI_EINVAL, "calling");
	fp.calling = -1;
	fp.receive_path = NULL;
	refused(cti_fax_receive(&call, &fp), CTI_EINVAL, "receive_path");
	fp.receive_path = "";
	refused(cti_fax_receive(&call, &fp), CTI_EINVAL, "receive_path");
	fp.receive_path = "/nonexistent-dir/rx.tif";
	refused(cti_fax_receive(&call, &fp), CTI_EIO, "No such file");
}

/* FIFOs and directories: refused at once, never an open() that waits for a writer or reader. */
static void test_fax_fifo_and_dir(void **state)
{
	(void)state;
	const char *fifo = tpath("doc.fifo");
	cti_fax_params_t fp;
	cti_fax_doc_t doc = { NULL, 0, 0 };
	struct testdoc d;

	fresh_call();
	alarm(20);
	unlink(fifo);
	assert_int_equal(mkfifo(fifo, 0600), 0);
	refused(cti_fax_check_tiff(fifo), CTI_EFORMAT, "not a regular file");
	refused(cti_fax_check_tiff(tmpdir), CTI_EFORMAT, "not a regular file");
	cti_fax_params_init(&fp);
	doc.path = fifo;
	fp.docs = &doc;
	fp.ndocs = 1;
	refused(cti_fax_send(&call, &fp), CTI_EFORMAT, "not a regular file");
	fp.receive_path = fifo;
	refused(cti_fax_receive(&call, &fp), CTI_EIO, "not a regular file");
	fp.receive_path = tmpdir;
	refused(cti_fax_receive(&call, &fp), CTI_EIO, tmpdir);
	/* conversion: from a FIFO, to a FIFO */
	testdoc_defaults(&d, 1, 5);
	assert_int_equal(testdoc_write(tpath("in.tif"), &d), 0);
	refused(cti_fax_convert_tiff(fifo, tpath("out.tif")), CTI_EFORMAT, "not a regular file");
	int rc = cti_fax_convert_tiff(tpath("in.tif"), fifo);
	if (rc >= 0 || rc != cti_last_error_code() || !strstr(cti_last_error(), "not a regular file"))
		fail_msg("convert to a FIFO: rc %d '%s'", rc, cti_last_error());
	alarm(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fax_params_misuse),
		cmocka_unit_test(test_fax_fifo_and_dir),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
