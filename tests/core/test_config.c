/* tests/core/test_config.c - configuration file parser and API. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
/* cti_close() from inside an event handler closes once the handler returned (was a use after free). */
static int close_seen;
static void close_from_handler(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	(void)user;
	if (ev->type == CTI_EV_DCHAN_UP) {
		close_seen++;
		cti_close(ctx);
		/* still usable until the handler returns */
		assert_true(cti_span_count(ctx) >= 1);
	}
}

static void test_close_in_handler(void **state)
{
	(void)state;
	cti_config_t *cfg = cti_config_new();

	assert_int_equal(cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL), 0);
	assert_int_equal(cti_config_sim_pairs(cfg, 2, CTI_LINE_E1, CTI_SWITCH_EUROISDN), 0);
	cti_ctx_t *ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(ctx);
	cti_set_event_handler(ctx, close_from_handler, NULL);
	int n = 0;
	while (!close_seen && n < 200) {
		int rc = cti_dispatch(ctx, 100);
		assert_true(rc >= 0);
		n++;
	}
	/* The context is gone now; only its first DCHAN_UP reached the handler. */
	assert_int_equal(close_seen, 1);
}

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

/*
 * Errors that only show with the whole file (a group naming spans, two spans
 * on one port) are found by cti_config_parse with file:line, not by cti_open.
 */
static void test_parse_cross_errors(void **state)
{
	cti_config_t *cfg;

	(void)state;
	expect_error("[span a]\nport = 1\n[group g]\nspans = a, ghost\n", "bad.conf:3: group 'g': no span named 'ghost'",
		     NULL);
	expect_error("[span a]\nport = 1\nsignalling = none\n[group g]\nspans = a\n",
		     "bad.conf:4: group 'g': span 'a' has signalling none", NULL);
	expect_error("[span a]\nport = 2\n[span b]\nport = 2\n", "bad.conf:3: span 'b': sim port 2 is already used by "
		     "span 'a'", NULL);
	expect_error("[span a]\ntransport = dahdi\nport = 1\n[span b]\ntransport = dahdi\nport = 1\n",
		     "bad.conf:4: span 'b': DAHDI span 1 is already used by span 'a'", NULL);
	/* the same port on two transports is fine, and a group may come before its spans */
	cfg = cti_config_new();
	assert_int_equal(cti_config_parse(cfg, "[group g]\nspans = a,b\n[span a]\nport = 1\n[span b]\nport = 2\n"
					  "[span c]\ntransport = dahdi\nport = 1\n", "ok.conf"), 0);
	cti_config_free(cfg);
	/* the API names the span */
	{
		cti_span_config_t sc;

		cfg = cti_config_new();
		cti_span_config_init(&sc, CTI_LINE_E1);
		strcpy(sc.name, "one");
		sc.port = 3;
		assert_int_equal(cti_config_add_span(cfg, &sc), 1);
		strcpy(sc.name, "two");
		assert_int_equal(cti_config_add_span(cfg, &sc), CTI_ECONFIG);
		assert_non_null(strstr(cti_last_error(), "cti_config_add_span: span 'two': sim port 3 is already used by "
					"span 'one'"));
		cti_config_free(cfg);
	}
	/* format characters in names and values are text, never formats */
	expect_error("[span %s%s%n]\ncolor = %x%x\n", "bad.conf:2: unknown key 'color' in [span %s%s%n]", NULL);
	expect_error("[span a]\nswitchtype = %s%n%s\n", "bad.conf:2: bad value '%s%n%s' for switchtype", NULL);
}

/* cti_config_load never blocks and never reads what is not a regular file. */
static void test_load_special(void **state)
{
	char dir[] = "/tmp/cti_cfgd_XXXXXX", path[64];
	cti_config_t *cfg = cti_config_new();
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/fifo", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	assert_int_equal(cti_config_load(cfg, path), CTI_ECONFIG);	/* would block in fopen() */
	assert_non_null(strstr(cti_last_error(), "not a regular file (a FIFO)"));
	unlink(path);
	assert_int_equal(cti_config_load(cfg, dir), CTI_ECONFIG);
	assert_non_null(strstr(cti_last_error(), "not a regular file (a directory)"));
	assert_int_equal(cti_config_load(cfg, "/dev/null"), CTI_ECONFIG);
	assert_non_null(strstr(cti_last_error(), "a character device"));
	assert_int_equal(cti_config_load(cfg, ""), CTI_ECONFIG);
	assert_non_null(strstr(cti_last_error(), "empty file name"));
	snprintf(path, sizeof(path), "%s/nul.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite("[general]\nclock = real\n\0[span a]\n", 1, 34, f);
	fclose(f);
	assert_int_equal(cti_config_load(cfg, path), CTI_ECONFIG);
	assert_non_null(strstr(cti_last_error(), ":3: NUL byte"));
	unlink(path);
	rmdir(dir);
	cti_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_close_in_handler),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_error_codes_version),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_parse_cross_errors),
		cmocka_unit_test(test_load_special),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
