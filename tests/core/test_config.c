/* tests/core/test_config.c - configuration file parser and API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include "cti.h"

static const char *good =
	"# sample\n"
	"[general]\n"
	"clock = virtual\n"
	"sim_ports = 6   # comment\n"
	"tones = us\n"
	"\n"
	"[span pstn1]\n"
	"transport = sim\n"
	"port = 1\n"
	"line = e1\n"
	"role = network\n"
	"switchtype = qsig\n"
	"bchannels = 1-15,17-20\n"
	"overlap = yes\n"
	"[span pstn2]\n"
	"port = 2\n"
	"line = t1\n"
	"[group sales]\n"
	"spans = pstn1, pstn2\n"
	"hunt = round-robin\n";

static void test_parse_good(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;

	(void)state;
	assert_non_null(cfg);
	assert_int_equal(cti_config_parse(cfg, good, "good.conf"), 0);
	ctx = cti_open(cfg);
	assert_non_null(ctx);
	assert_int_equal(cti_span_count(ctx), 2);
	assert_int_equal(cti_span_find(ctx, "pstn2"), 2);
	assert_int_equal(cti_span_find(ctx, "nope"), CTI_ENOENT);
	assert_non_null(strstr(cti_last_error(), "nope"));
	cti_close(ctx);
	cti_config_free(cfg);
}

/* Each bad line must give CTI_ECONFIG naming file:line and the value. */
static void expect_error(const char *text, const char *expect1, const char *expect2)
{
	cti_config_t *cfg = cti_config_new();
	int rc = cti_config_parse(cfg, text, "bad.conf");

	assert_int_equal(rc, CTI_ECONFIG);
	if (!strstr(cti_last_error(), expect1) || (expect2 && !strstr(cti_last_error(), expect2)))
		fail_msg("message '%s' lacks '%s' / '%s'", cti_last_error(), expect1, expect2 ? expect2 : "");
	cti_config_free(cfg);
}

static void test_parse_errors(void **state)
{
	(void)state;
	expect_error("[general]\nclock = fast\n", "bad.conf:2:", "'fast'");
	expect_error("[general]\nclock = fast\n", "accepted: real, virtual", NULL);
	expect_error("[span a]\nswitchtype = foo\n", "bad.conf:2: bad value 'foo' for switchtype", "euroisdn, ni2");
	expect_error("[span a]\nport = 1\ncolor = red\n", "bad.conf:3: unknown key 'color'", "transport, port");
	expect_error("[spam a]\n", "bad.conf:1: unknown section", "[span NAME]");
	expect_error("clock = real\n", "bad.conf:1:", "outside a section");
	expect_error("[span a]\nbchannels = 1-15,x\n", "bad.conf:2:", "'1-15,x'");
	expect_error("[span a]\nbchannels = 0-40\n", "bad.conf:2:", "outside 1-31");
	expect_error("[span a]\nline = t1\nbchannels = 1-30\n", "bad.conf:1:", "beyond channel 24");
	expect_error("[span a]\nline = e1\nframing = esf\n", "bad.conf:1:", "does not fit line e1");
	expect_error("[span a]\nport = 1\n[span a]\nport = 2\n", "bad.conf:3:", "defined twice");
	expect_error("[general]\nsim_ports = 999\n", "bad.conf:2:", "'999'");
	expect_error("[span a]\noverlap = maybe\n", "bad.conf:2:", "accepted: yes, no");
	expect_error("[group g]\nhunt = random\n", "bad.conf:2:", "first-free, round-robin");
	expect_error("[group g]\nhunt = first-free\n", "bad.conf:1:", "no 'spans");
	expect_error("[general]\ntones = fr\n", "bad.conf:2:", "itu, us, uk, cn");
	expect_error("[span a]\ndchannel = 5\nbchannels = 1-10\n", "bad.conf:1:", "include the D-channel 5");
	expect_error("[span a b]\n", "bad.conf:1:", "bad span name");
	expect_error("[span a]\nnonsense\n", "bad.conf:2:", "expected 'key = value'");
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/cti_cfg_XXXXXX";
	int fd = mkstemp(path);
	cti_config_t *cfg = cti_config_new();
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("[general]\nclock = virtual\n[span x]\nport = 3\nlaw = ulaw\ncoding = b8zs\n", f);
	fclose(f);
	assert_int_equal(cti_config_load(cfg, path), CTI_ECONFIG);	/* b8zs on e1 */
	assert_non_null(strstr(cti_last_error(), path));
	assert_non_null(strstr(cti_last_error(), ":3:"));
	unlink(path);
	assert_int_equal(cti_config_load(cfg, "/nonexistent/cti.conf"), CTI_ECONFIG);
	assert_non_null(strstr(cti_last_error(), "/nonexistent/cti.conf"));
	cti_config_free(cfg);
}

static void test_api(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_span_config_t sc;
	cti_ctx_t *ctx;

	(void)state;
	cti_span_config_init(&sc, CTI_LINE_T1);
	assert_int_equal(sc.framing, CTI_FRAMING_ESF);
	assert_int_equal(sc.coding, CTI_CODING_B8ZS);
	assert_int_equal(sc.switchtype, CTI_SWITCH_NI2);
	assert_int_equal(sc.law, CTI_LAW_ULAW);
	assert_int_equal(cti_config_add_span(cfg, &sc), 1);	/* named span1 */
	sc.framing = CTI_FRAMING_CRC4;
	strcpy(sc.name, "bad");
	assert_int_equal(cti_config_add_span(cfg, &sc), CTI_ECONFIG);
	assert_non_null(strstr(cti_last_error(), "'bad'"));
	assert_int_equal(cti_config_set_tones(cfg, "xx"), CTI_ECONFIG);
	assert_int_equal(cti_config_set_sim_ports(cfg, 0), CTI_EINVAL);
	assert_int_equal(cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL), 0);
	assert_int_equal(cti_config_add_group(cfg, "g", CTI_HUNT_FIRST_FREE, "span1, ghost"), 1);
	ctx = cti_open(cfg);
	assert_null(ctx);
	assert_non_null(strstr(cti_last_error(), "ghost"));
	cti_config_free(cfg);

	/* sim pairs: odd ports network, even user, named sim<port> */
	cfg = cti_config_new();
	assert_int_equal(cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL), 0);
	assert_int_equal(cti_config_sim_pairs(cfg, 2, CTI_LINE_E1, CTI_SWITCH_EUROISDN), 0);
	ctx = cti_open(cfg);
	assert_non_null(ctx);
	assert_int_equal(cti_span_count(ctx), 4);
	assert_int_equal(cti_span_find(ctx, "sim4"), 4);
	cti_close(ctx);
	/* virtual clock refuses DAHDI spans */
	cti_span_config_init(&sc, CTI_LINE_E1);
	sc.transport = CTI_TRANSPORT_DAHDI;
	strcpy(sc.name, "d1");
	assert_true(cti_config_add_span(cfg, &sc) > 0);
	assert_null(cti_open(cfg));
	assert_non_null(strstr(cti_last_error(), "virtual"));
	assert_int_equal(cti_last_error_code(), CTI_ECONFIG);
	cti_config_free(cfg);
	assert_string_equal(cti_strerror(CTI_ENOCHAN), "no free B-channel");

	/* a failure late in cti_open (after the board started) cleans up and names the problem */
	cfg = cti_config_new();
	cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	assert_int_equal(cti_config_sim_pairs(cfg, 1, CTI_LINE_E1, CTI_SWITCH_EUROISDN), 0);
	assert_int_equal(cti_config_set_trace(cfg, "/nonexistent/dir/x.pcap"), 0);
	assert_null(cti_open(cfg));
	assert_non_null(strstr(cti_last_error(), "/nonexistent/dir/x.pcap"));
	/* the failing step's code, not relabelled CTI_ECONFIG */
	assert_int_equal(cti_last_error_code(), CTI_EIO);
	/* sim port beyond sim_ports */
	cti_config_set_trace(cfg, NULL);
	assert_int_equal(cti_config_set_sim_ports(cfg, 1), 0);
	assert_null(cti_open(cfg));
	assert_non_null(strstr(cti_last_error(), "beyond sim_ports"));
	assert_int_equal(cti_last_error_code(), CTI_ECONFIG);
	cti_config_free(cfg);
}

/* Error codes of functions returning pointers, and the run-time version. */
static void test_error_codes_version(void **state)
{
	cti_config_t *cfg;
	cti_span_config_t sc;
	char v[32];

	(void)state;
	snprintf(v, sizeof(v), "%d.%d.%d", CTI_VERSION_MAJOR, CTI_VERSION_MINOR, CTI_VERSION_PATCH);
	assert_string_equal(cti_version(), v);
	assert_string_equal(cti_version(), CTI_VERSION_STRING);
	assert_int_equal(cti_version_number(), CTI_VERSION_NUMBER);
	assert_int_equal(cti_version_number(), (CTI_VERSION_MAJOR << 16) | (CTI_VERSION_MINOR << 8) | CTI_VERSION_PATCH);

	assert_null(cti_open(NULL));
	assert_int_equal(cti_last_error_code(), CTI_EINVAL);
	/* set with every message, by int-returning functions too */
	cfg = cti_config_new();
	assert_int_equal(cti_config_set_tones(cfg, "xx"), CTI_ECONFIG);
	assert_int_equal(cti_last_error_code(), CTI_ECONFIG);
	/* a DAHDI span that is not there: a device (EIO: no DAHDI) or missing span (ENOENT), not ECONFIG */
	cti_span_config_init(&sc, CTI_LINE_E1);
	sc.transport = CTI_TRANSPORT_DAHDI;
	sc.port = 250;
	strcpy(sc.name, "nodahdi");
	assert_true(cti_config_add_span(cfg, &sc) > 0);
	assert_null(cti_open(cfg));
	assert_true(cti_last_error_code() == CTI_EIO || cti_last_error_code() == CTI_ENOENT);
	assert_non_null(strstr(cti_last_error(), "250"));
	cti_config_free(cfg);
}

/* The sample shipped in docs/ must parse (run from the top of the tree). */
static void test_sample(void **state)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;

	(void)state;
	if (access("docs/cti.conf.sample", R_OK) != 0)
		skip();
	if (cti_config_load(cfg, "docs/cti.conf.sample"))
		fail_msg("%s", cti_last_error());
	assert_int_equal(cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL), 0);
	ctx = cti_open(cfg);
	if (!ctx)
		fail_msg("%s", cti_last_error());
	assert_int_equal(cti_span_find(ctx, "pbx"), 2);
	cti_close(ctx);
	cti_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_error_codes_version),
		cmocka_unit_test(test_sample),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
