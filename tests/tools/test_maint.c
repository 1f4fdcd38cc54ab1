// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_maint.c - lib/maint (the line maintenance API of cti.h) over the sim
 * board in virtual time: status, alarms following cable faults, loopbacks,
 * loop codes, injection counters, BERT and its effect on call service,
 * argument checking; plus the DAHDI alarm mapping. Runs in the ASan build too.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <dahdi/user.h>

#include "cti.h"
#include "../../lib/internal.h"

static cti_ctx_t *open_sim(enum cti_line line, const char *extra_config)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;

	assert_non_null(cfg);
	if (extra_config) {
		assert_int_equal(cti_config_parse(cfg, extra_config, "test"), 0);
	} else {
		assert_int_equal(cti_config_set_sim_ports(cfg, 2), 0);
		assert_int_equal(cti_config_sim_pairs(cfg, 1, line, line == CTI_LINE_T1 ? CTI_SWITCH_NI2
											 : CTI_SWITCH_EUROISDN), 0);
	}
	assert_int_equal(cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL), 0);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	assert_non_null(ctx);
	return ctx;
}

/* Run the virtual clock for ms. */
static void run(cti_ctx_t *ctx, uint32_t ms)
{
	uint64_t end = cti_now_ms(ctx) + ms;

	while (cti_now_ms(ctx) < end)
		assert_true(cti_dispatch(ctx, (int)(end - cti_now_ms(ctx))) >= 0);
}

static cti_span_status_t status(cti_ctx_t *ctx, int span)
{
	cti_span_status_t st;

	assert_int_equal(cti_span_status(ctx, span, &st), 0);
	return st;
}

static void test_alarm_text(void **state)
{
	char buf[64], tiny[4];

	(void)state;
	assert_string_equal(cti_alarm_text(0, buf, sizeof(buf)), "OK");
	assert_string_equal(cti_alarm_text(CTI_ALARM_LOS | CTI_ALARM_LOF, buf, sizeof(buf)), "RED LOS LOF");
	assert_string_equal(cti_alarm_text(CTI_ALARM_LOF, buf, sizeof(buf)), "RED LOF");
	assert_string_equal(cti_alarm_text(CTI_ALARM_AIS, buf, sizeof(buf)), "BLUE");
	assert_string_equal(cti_alarm_text(CTI_ALARM_RAI | CTI_ALARM_LOOPBACK, buf, sizeof(buf)), "YELLOW LOOPBACK");
	/* truncated, still terminated */
	cti_alarm_text(CTI_ALARM_LOS | CTI_ALARM_AIS | CTI_ALARM_RAI, tiny, sizeof(tiny));
	assert_true(strlen(tiny) < sizeof(tiny));
}

static void test_dahdi_alarm_map(void **state)
{
	(void)state;
	assert_int_equal(cti__alarms_from_dahdi(DAHDI_ALARM_NONE), 0);
	assert_int_equal(cti__alarms_from_dahdi(DAHDI_ALARM_RED | DAHDI_ALARM_LOS), CTI_ALARM_LOF | CTI_ALARM_LOS);
	assert_int_equal(cti__alarms_from_dahdi(DAHDI_ALARM_BLUE), CTI_ALARM_AIS);
	assert_int_equal(cti__alarms_from_dahdi(DAHDI_ALARM_YELLOW), CTI_ALARM_RAI);
	assert_int_equal(cti__alarms_from_dahdi(DAHDI_ALARM_LOOPBACK | DAHDI_ALARM_NOTOPEN),
			 CTI_ALARM_LOOPBACK | CTI_ALARM_NOTOPEN);
	assert_int_equal(cti__alarms_from_dahdi(DAHDI_ALARM_LMFA | DAHDI_ALARM_RECOVER),
			 CTI_ALARM_LMFA | CTI_ALARM_RECOVER);
}

static void test_parse_ranges(void **state)
{
	uint32_t m = 0;

	(void)state;
	assert_int_equal(cti_parse_channels("1-15,17-31", 31, &m), 0);
	assert_int_equal(m, 0xfffefffeu);
	assert_int_equal(cti_parse_channels(" 1 - 3 , 5", 31, &m), CTI_EINVAL);	/* space inside a range */
	assert_int_equal(cti_parse_channels("1-3, 5", 31, &m), 0);
	assert_int_equal(m, 0x2eu);
	assert_int_equal(cti_parse_channels("24", 24, &m), 0);
	assert_int_equal(m, 1u << 24);
	assert_int_equal(cti_parse_channels("0-3", 31, &m), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "outside 1-31"));
	assert_int_equal(cti_parse_channels("1-32", 31, &m), CTI_EINVAL);
	assert_int_equal(cti_parse_channels("5-3", 31, &m), CTI_EINVAL);
	assert_int_equal(cti_parse_channels("25", 24, &m), CTI_EINVAL);
	assert_int_equal(cti_parse_channels("1,x", 31, &m), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "'1,x'"));
	assert_int_equal(cti_parse_channels("1,", 31, &m), CTI_EINVAL);
	assert_int_equal(cti_parse_channels("", 31, &m), CTI_EINVAL);
}

static void test_status_healthy(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_E1, NULL);
	cti_span_status_t a, b;

	(void)state;
	run(ctx, 3000);
	a = status(ctx, 1);
	b = status(ctx, 2);
	assert_string_equal(a.name, "sim1");
	assert_int_equal(a.index, 1);
	assert_int_equal(a.port, 1);
	assert_int_equal(a.transport, CTI_TRANSPORT_SIM);
	assert_int_equal(a.alarms, 0);
	assert_int_equal(b.alarms, 0);
	assert_true(a.dchan_up && b.dchan_up);
	assert_int_equal(a.nchannels, 31);
	assert_int_equal(a.chan_state[15], 'D');
	assert_int_equal(a.chan_state[0], '.');
	/* the user side (sim2) takes timing from the network side */
	assert_int_equal(a.timing_source, 0);
	assert_int_equal(b.timing_source, 1);
	assert_int_equal(a.counters.fas + a.counters.crc + a.counters.cv, 0);
	assert_true(a.counters.seconds >= 2);
	/* errors */
	assert_int_equal(cti_span_status(ctx, 9, &a), CTI_ENOENT);
	assert_non_null(strstr(cti_last_error(), "no span 9"));
	assert_int_equal(cti_span_status(ctx, 1, NULL), CTI_EINVAL);
	assert_int_equal(cti_span_status(NULL, 1, &a), CTI_EINVAL);
	cti_close(ctx);
}

static void test_cable_cut_and_los(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_E1, NULL);
	cti_line_faults_t f;

	(void)state;
	run(ctx, 3000);
	assert_int_equal(cti_cable_peer(ctx, 1), 2);
	assert_int_equal(cti_cable_peer(ctx, 2), 1);
	/* cut: both ends lose signal, RED with LOS */
	assert_int_equal(cti_cable_cut(ctx, 1), 0);
	assert_int_equal(cti_cable_peer(ctx, 1), 0);
	run(ctx, 3000);
	assert_true(status(ctx, 1).alarms & CTI_ALARM_LOS);
	assert_true(status(ctx, 2).alarms & CTI_ALARM_LOS);
	assert_true(status(ctx, 1).alarms & CTI_ALARM_LOF);
	/* reconnect: alarms clear (1 s clear time) */
	assert_int_equal(cti_cable_connect(ctx, 1, 2), 0);
	run(ctx, 3000);
	assert_int_equal(status(ctx, 1).alarms, 0);
	assert_int_equal(status(ctx, 2).alarms, 0);
	/* broken receive pair at port 1: sim1 RED/LOS, sim2 only YELLOW (RAI from sim1) */
	memset(&f, 0, sizeof(f));
	f.los = 1;
	assert_int_equal(cti_cable_set_faults(ctx, 1, &f), 0);
	run(ctx, 3500);
	assert_true(status(ctx, 1).alarms & CTI_ALARM_LOS);
	assert_int_equal(status(ctx, 2).alarms, CTI_ALARM_RAI);
	assert_int_equal(cti_cable_get_faults(ctx, 1, &f), 0);
	assert_int_equal(f.los, 1);
	assert_int_equal(cti_cable_get_faults(ctx, 2, &f), 0);
	assert_int_equal(f.los, 0);
	f.los = 0;
	assert_int_equal(cti_cable_set_faults(ctx, 1, &f), 0);
	run(ctx, 3000);
	assert_int_equal(status(ctx, 1).alarms, 0);
	assert_int_equal(status(ctx, 2).alarms, 0);
	/* AIS arriving at port 2: BLUE there */
	f.ais = 1;
	assert_int_equal(cti_cable_set_faults(ctx, 2, &f), 0);
	run(ctx, 3500);
	assert_true(status(ctx, 2).alarms & CTI_ALARM_AIS);
	assert_false(status(ctx, 2).alarms & CTI_ALARM_LOS);
	cti_close(ctx);
}

static void test_faults_roundtrip_and_errors(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_E1, NULL);
	cti_line_faults_t f = { 0 }, g;

	(void)state;
	f.ber = 1e-5;
	f.burst_bits = 8;
	f.ppm = -120;
	assert_int_equal(cti_cable_set_faults(ctx, 2, &f), 0);
	assert_int_equal(cti_cable_get_faults(ctx, 2, &g), 0);
	assert_true(g.ber > 0.99e-5 && g.ber < 1.01e-5);
	assert_int_equal(g.burst_bits, 8);
	assert_int_equal(g.ppm, -120);
	assert_int_equal(g.ais, 0);
	f.ber = 0.7;
	assert_int_equal(cti_cable_set_faults(ctx, 2, &f), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "ber 0.7"));
	f.ber = 0;
	f.ppm = 2000;
	assert_int_equal(cti_cable_set_faults(ctx, 2, &f), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "ppm 2000"));
	assert_int_equal(cti_cable_cut(ctx, 3), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "port 3 out of range (the board has ports 1-2)"));
	assert_int_equal(cti_cable_connect(ctx, 0, 1), CTI_EINVAL);
	assert_int_equal(cti_cable_get_faults(ctx, 1, NULL), CTI_EINVAL);
	/* a loop plug */
	assert_int_equal(cti_cable_connect(ctx, 1, 1), 0);
	assert_int_equal(cti_cable_peer(ctx, 1), 1);
	assert_int_equal(cti_cable_peer(ctx, 2), 0);
	cti_close(ctx);
}

static void test_loopbacks(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_E1, NULL);

	(void)state;
	run(ctx, 2000);
	assert_int_equal(cti_span_loopback(ctx, 2, CTI_LOOP_NETWORK_LINE), 0);
	assert_int_equal(status(ctx, 2).loopback, CTI_LOOP_NETWORK_LINE);
	assert_true(status(ctx, 2).alarms & CTI_ALARM_LOOPBACK);
	assert_int_equal(cti_span_loopback(ctx, 2, CTI_LOOP_NETWORK_PAYLOAD), 0);
	assert_int_equal(status(ctx, 2).loopback, CTI_LOOP_NETWORK_PAYLOAD);
	assert_int_equal(cti_span_loopback(ctx, 2, CTI_LOOP_NONE), 0);
	assert_int_equal(status(ctx, 2).loopback, CTI_LOOP_NONE);
	assert_false(status(ctx, 2).alarms & CTI_ALARM_LOOPBACK);
	assert_int_equal(cti_span_loopback(ctx, 2, (enum cti_loopback)7), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "mode 7"));
	/* E1 has no in-band loop codes */
	assert_int_equal(cti_span_loopcode(ctx, 1, 1), CTI_ENOTSUP);
	assert_non_null(strstr(cti_last_error(), "T1 only"));
	cti_close(ctx);
}

static void test_t1_loopcodes(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_T1, NULL);

	(void)state;
	run(ctx, 2000);
	assert_int_equal(cti_span_loopcode(ctx, 1, 1), 0);
	run(ctx, 6000);
	assert_int_equal(cti_span_loopcode(ctx, 1, -1), 0);
	run(ctx, 100);
	assert_int_equal(status(ctx, 2).loopback, CTI_LOOP_NETWORK_LINE);
	assert_int_equal(cti_span_loopcode(ctx, 1, 0), 0);
	run(ctx, 6000);
	assert_int_equal(cti_span_loopcode(ctx, 1, -1), 0);
	run(ctx, 100);
	assert_int_equal(status(ctx, 2).loopback, CTI_LOOP_NONE);
	assert_int_equal(cti_span_loopcode(ctx, 1, 2), CTI_EINVAL);
	cti_close(ctx);
}

static void test_inject_counters(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_E1, NULL);
	cti_span_status_t before, after, us;

	(void)state;
	run(ctx, 3000);
	assert_int_equal(cti_span_reset_counters(ctx, 1), 0);
	assert_int_equal(cti_span_reset_counters(ctx, 2), 0);
	before = status(ctx, 2);
	assert_int_equal(cti_span_inject(ctx, 1, CTI_INJ_FAS, 3, 0), 0);
	assert_int_equal(cti_span_inject(ctx, 1, CTI_INJ_CRC, 4, 0), 0);
	assert_int_equal(cti_span_inject(ctx, 1, CTI_INJ_BPV, 5, 0), 0);
	run(ctx, 200);
	after = status(ctx, 2);
	assert_int_equal(after.counters.fas - before.counters.fas, 3);
	assert_int_equal(after.counters.crc - before.counters.crc, 4);
	assert_int_equal(after.counters.bpv - before.counters.bpv, 5);
	/* CRC-4 errors come back as E-bits (G.704 2.3.3.4) */
	us = status(ctx, 1);
	assert_int_equal(us.counters.ebit, 4);
	/* continuous rate */
	assert_int_equal(cti_span_inject(ctx, 1, CTI_INJ_FAS, 0, 50), 0);
	run(ctx, 2000);
	assert_int_equal(cti_span_inject(ctx, 1, CTI_INJ_FAS, 0, 0), 0);
	run(ctx, 100);
	before = after;
	after = status(ctx, 2);
	assert_in_range(after.counters.fas - before.counters.fas, 95, 105);
	/* reset */
	assert_int_equal(cti_span_reset_counters(ctx, 2), 0);
	after = status(ctx, 2);
	assert_int_equal(after.counters.fas + after.counters.crc + after.counters.bpv, 0);
	/* errors */
	assert_int_equal(cti_span_inject(ctx, 1, CTI_INJ_FAS, 2, 10), CTI_EINVAL);
	assert_int_equal(cti_span_inject(ctx, 1, (enum cti_inject)9, 1, 0), CTI_EINVAL);
	assert_int_equal(cti_span_inject(ctx, 1, CTI_INJ_FAS, 0, 9000), CTI_EINVAL);
	assert_int_equal(cti_span_inject(ctx, 5, CTI_INJ_FAS, 1, 0), CTI_ENOENT);
	cti_close(ctx);
}

static void test_inject_crc_needs_crc4(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_E1, "[general]\nsim_ports = 2\n"
				  "[span a]\ntransport = sim\nport = 1\nline = e1\nframing = nocrc4\nsignalling = none\n"
				  "[span b]\ntransport = sim\nport = 2\nline = e1\nframing = nocrc4\nsignalling = none\n");

	(void)state;
	run(ctx, 2000);
	assert_int_equal(cti_span_inject(ctx, 1, CTI_INJ_CRC, 1, 0), CTI_ENOTSUP);
	assert_non_null(strstr(cti_last_error(), "nocrc4"));
	cti_close(ctx);
}

static void test_bert(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_E1, NULL);
	cti_bert_status_t a, b;
	cti_span_status_t st;
	cti_line_faults_t f = { 0 };

	(void)state;
	run(ctx, 3000);
	assert_true(status(ctx, 1).dchan_up);
	assert_int_equal(cti_bert_start(ctx, 1, CTI_PRBS_2E15, 0xffffffffu), 0);
	assert_int_equal(cti_bert_start(ctx, 2, CTI_PRBS_2E15, 0xffffffffu), 0);
	assert_int_equal(cti_bert_start(ctx, 1, CTI_PRBS_2E15, 0xffffffffu), CTI_EBUSY);
	run(ctx, 3000);
	/* out of call service while testing */
	st = status(ctx, 1);
	assert_false(st.dchan_up);
	assert_int_equal(cti_bert_status(ctx, 1, &a), 0);
	assert_int_equal(cti_bert_status(ctx, 2, &b), 0);
	assert_true(a.running && a.sync && b.sync);
	assert_true(a.bits > 2 * 1920000);
	assert_int_equal(a.errors, 0);
	assert_int_equal(b.errors, 0);
	/* line errors at port 1 show in the checker at port 1 only */
	f.ber = 1e-4;
	assert_int_equal(cti_cable_set_faults(ctx, 1, &f), 0);
	run(ctx, 5000);
	assert_int_equal(cti_bert_status(ctx, 1, &a), 0);
	assert_int_equal(cti_bert_status(ctx, 2, &b), 0);
	assert_true(a.errors > 0);
	assert_int_equal(b.errors, 0);
	assert_int_equal(cti_bert_stop(ctx, 1), 0);
	assert_int_equal(cti_bert_stop(ctx, 2), 0);
	assert_int_equal(cti_bert_stop(ctx, 2), CTI_ENOENT);
	assert_int_equal(cti_bert_status(ctx, 1, &a), 0);
	assert_false(a.running);
	f.ber = 0;
	assert_int_equal(cti_cable_set_faults(ctx, 1, &f), 0);
	/* back in call service */
	run(ctx, 10000);
	assert_true(status(ctx, 1).dchan_up);
	/* argument checks */
	assert_int_equal(cti_bert_start(ctx, 1, (enum cti_prbs)0, 0), CTI_EINVAL);
	assert_int_equal(cti_bert_start(ctx, 1, CTI_PRBS_2E11, 1u), CTI_EINVAL);	/* TS0 is framing */
	assert_non_null(strstr(cti_last_error(), "outside E1"));
	assert_int_equal(cti_bert_status(ctx, 1, NULL), CTI_EINVAL);
	cti_close(ctx);
}

static void test_no_sim_board_cables(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_E1, "[general]\nsim_ports = 2\n"
				  "[span a]\ntransport = sim\nport = 1\nline = e1\nsignalling = none\n");

	(void)state;
	/* the board exists: port 2 has no span but a cable */
	assert_int_equal(cti_cable_peer(ctx, 1), 2);
	cti_close(ctx);
}

/* ---- ctitdm cables through sysfs, against a directory tree laid out like the driver's ---- */

static char sysroot[64];

static void put(int port, const char *attr, const char *val)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/ctitdm.0/port%d/%s", sysroot, port, attr);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(val, f);
	fclose(f);
}

static void get(int port, const char *attr, char *buf, size_t size)
{
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/ctitdm.0/port%d/%s", sysroot, port, attr);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, size - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int fake_sysfs(void **state)
{
	char cmd[400];

	(void)state;
	snprintf(sysroot, sizeof(sysroot), "/tmp/cti-test-sysfs-%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "rm -rf %s && mkdir -p %s/ctitdm.0/port1 %s/ctitdm.0/port2", sysroot, sysroot,
		 sysroot);
	assert_int_equal(system(cmd), 0);
	for (int p = 1; p <= 2; p++) {
		put(p, "peer", p == 1 ? "2\n" : "1\n");
		put(p, "tx", "1\n");
		put(p, "ais", "0\n");
		put(p, "ber", "0\n");
		put(p, "burst", "0\n");
		put(p, "ppm", "0\n");
		put(p, "span", p == 1 ? "1\n" : "2\n");
	}
	setenv("CTI_CTITDM_SYSFS", sysroot, 1);
	return 0;
}

static int fake_sysfs_done(void **state)
{
	char cmd[200];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", sysroot);
	unsetenv("CTI_CTITDM_SYSFS");
	return system(cmd) == 0 ? 0 : -1;
}

static void test_ctitdm_cables(void **state)
{
	cti_ctx_t *ctx = open_sim(CTI_LINE_E1, "# no spans: no sim board\n");
	cti_line_faults_t f = { 0 }, g;
	char buf[64];

	(void)state;
	assert_int_equal(cti_cable_peer(ctx, 1), 2);
	assert_int_equal(cti_cable_cut(ctx, 1), 0);
	get(1, "peer", buf, sizeof(buf));
	assert_string_equal(buf, "0");
	assert_int_equal(cti_cable_connect(ctx, 1, 2), 0);
	get(1, "peer", buf, sizeof(buf));
	assert_string_equal(buf, "2");
	/* faults go to the attributes of the port they arrive at; ber as errors per 10^12 bits */
	f.ais = 1;
	f.ber = 2.5e-6;
	f.burst_bits = 16;
	f.ppm = -40;
	assert_int_equal(cti_cable_set_faults(ctx, 2, &f), 0);
	get(2, "ais", buf, sizeof(buf));
	assert_string_equal(buf, "1");
	get(2, "ber", buf, sizeof(buf));
	assert_string_equal(buf, "2500000");
	get(2, "burst", buf, sizeof(buf));
	assert_string_equal(buf, "16");
	get(2, "ppm", buf, sizeof(buf));
	assert_string_equal(buf, "-40");
	assert_int_equal(cti_cable_get_faults(ctx, 2, &g), 0);
	assert_int_equal(g.ais, 1);
	assert_true(g.ber > 2.49e-6 && g.ber < 2.51e-6);
	assert_int_equal(g.burst_bits, 16);
	assert_int_equal(g.ppm, -40);
	assert_int_equal(g.los, 0);
	/* a broken pair arriving at 2 is port 1's transmitter off */
	memset(&f, 0, sizeof(f));
	f.los = 1;
	assert_int_equal(cti_cable_set_faults(ctx, 2, &f), 0);
	get(1, "tx", buf, sizeof(buf));
	assert_string_equal(buf, "0");
	assert_int_equal(cti_cable_get_faults(ctx, 2, &g), 0);
	assert_int_equal(g.los, 1);
	f.los = 0;
	assert_int_equal(cti_cable_set_faults(ctx, 2, &f), 0);
	get(1, "tx", buf, sizeof(buf));
	assert_string_equal(buf, "1");
	/* errors name the port */
	assert_int_equal(cti_cable_cut(ctx, 3), CTI_EINVAL);
	assert_non_null(strstr(cti_last_error(), "port 3 out of range (the ctitdm board has 2 ports)"));
	cti_close(ctx);
}

/*
 * lib/maint's state belongs to its context: a context closed with a broken
 * receive pair still set leaves nothing behind for the next one (which the
 * allocator often places at the same address), and there is no cap on how
 * many contexts or ports have had the fault.
 */
static void test_state_per_context(void **state)
{
	(void)state;
	for (int i = 0; i < 40; i++) {
		cti_ctx_t *ctx = open_sim(CTI_LINE_E1, NULL);
		int port = 1 + i % 2, other = 3 - port;
		cti_line_faults_t f;

		/* a new context: no broken pair recorded on any port */
		assert_int_equal(cti_cable_get_faults(ctx, 1, &f), 0);
		assert_int_equal(f.los, 0);
		assert_int_equal(cti_cable_get_faults(ctx, 2, &f), 0);
		assert_int_equal(f.los, 0);
		/* the fault really switches the far transmitter off in this context: LOS at port */
		memset(&f, 0, sizeof(f));
		f.los = 1;
		assert_int_equal(cti_cable_set_faults(ctx, port, &f), 0);
		run(ctx, 3500);
		assert_true(status(ctx, port).alarms & CTI_ALARM_LOS);
		assert_false(status(ctx, other).alarms & CTI_ALARM_LOS);
		assert_int_equal(cti_cable_get_faults(ctx, port, &f), 0);
		assert_int_equal(f.los, 1);
		assert_int_equal(cti_cable_get_faults(ctx, other, &f), 0);
		assert_int_equal(f.los, 0);
		if (i % 3 == 0) {
			/* cleared before closing: the transmitter comes back, alarms go */
			f.los = 0;
			assert_int_equal(cti_cable_set_faults(ctx, port, &f), 0);
			assert_int_equal(cti_cable_get_faults(ctx, port, &f), 0);
			assert_int_equal(f.los, 0);
			run(ctx, 3000);
			assert_int_equal(status(ctx, port).alarms, 0);
			assert_int_equal(status(ctx, other).alarms, 0);
		} else if (i % 3 == 1) {
			/* both ports broken at close */
			f.los = 1;
			assert_int_equal(cti_cable_set_faults(ctx, other, &f), 0);
			assert_int_equal(cti_cable_get_faults(ctx, other, &f), 0);
			assert_int_equal(f.los, 1);
		}
		cti_close(ctx);	/* the rest closes with the fault set: ASan checks it is freed */
	}
}

static void test_no_board_at_all(void **state)
{
	cti_ctx_t *ctx;

	(void)state;
	setenv("CTI_CTITDM_SYSFS", "/nonexistent", 1);
	ctx = open_sim(CTI_LINE_E1, "# no spans: no sim board\n");
	assert_int_equal(cti_cable_peer(ctx, 1), CTI_ENOTSUP);
	assert_non_null(strstr(cti_last_error(), "no emulated board"));
	cti_close(ctx);
	unsetenv("CTI_CTITDM_SYSFS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alarm_text),
		cmocka_unit_test(test_dahdi_alarm_map),
		cmocka_unit_test(test_parse_ranges),
		cmocka_unit_test(test_status_healthy),
		cmocka_unit_test(test_cable_cut_and_los),
		cmocka_unit_test(test_faults_roundtrip_and_errors),
		cmocka_unit_test(test_loopbacks),
		cmocka_unit_test(test_t1_loopcodes),
		cmocka_unit_test(test_inject_counters),
		cmocka_unit_test(test_inject_crc_needs_crc4),
		cmocka_unit_test(test_bert),
		cmocka_unit_test(test_no_sim_board_cables),
		cmocka_unit_test_setup_teardown(test_ctitdm_cables, fake_sysfs, fake_sysfs_done),
		cmocka_unit_test(test_no_board_at_all),
		cmocka_unit_test(test_state_per_context),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
