// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * test_transport.c - the transport interface (lib/core/transport.h): every
 * transport fills the operations core and lib/maint rely on, its name is
 * the config keyword, port ranges and the cable board come from the ops,
 * spans reach their transport through it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include "cti.h"
#include "../../lib/core/core.h"

static const enum cti_transport kinds[] = { CTI_TRANSPORT_SIM, CTI_TRANSPORT_DAHDI };

static void test_ops_complete(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct cti_transport_ops *o = core_transport_ops(kinds[i]);

		assert_non_null(o);
		assert_non_null(o->name);
		assert_non_null(o->port_noun);
		assert_true(o->max_port > 0);
		/* what cti_open/cti_close, call.c and the 1 ms tick call without checking */
		assert_non_null(o->span_start);
		assert_non_null(o->span_stop);
		assert_non_null(o->dframe_send);
		assert_non_null(o->service);
		/* pacing comes as a pair */
		assert_int_equal(o->paced == NULL, o->block_rx == NULL);
		/* a transport moves B-channel bytes per tick or per block */
		assert_true(o->tick_frames || (o->block_in && o->block_out));
		/* maintenance and cables: both transports have all of them */
		assert_non_null(o->status);
		assert_non_null(o->reset_counters);
		assert_non_null(o->loopback);
		assert_non_null(o->loopcode);
		assert_non_null(o->inject);
		assert_non_null(o->bert_start);
		assert_non_null(o->bert_stop);
		assert_non_null(o->bert_status);
		assert_non_null(o->cable_ports);
		assert_non_null(o->cable_connect);
		assert_non_null(o->cable_cut);
		assert_non_null(o->cable_peer);
		assert_non_null(o->cable_set_faults);
		assert_non_null(o->cable_get_faults);
	}
	assert_ptr_equal(core_transport_ops(CTI_TRANSPORT_SIM), &core_transport_sim);
	assert_ptr_equal(core_transport_ops(CTI_TRANSPORT_DAHDI), &core_transport_dahdi);
	assert_null(core_transport_ops((enum cti_transport)2));
	assert_null(core_transport_ops((enum cti_transport)-1));
}

/* The ops' name is the keyword of "transport =" that selects them. */
static void test_names_are_keywords(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		cti_config_t *cfg = cti_config_new();
		char text[160];

		assert_non_null(cfg);
		snprintf(text, sizeof(text), "[span a]\ntransport = %s\nport = 1\nline = e1\n",
			 core_transport_ops(kinds[i])->name);
		assert_int_equal(cti_config_parse(cfg, text, "test"), 0);
		assert_int_equal(cfg->nspans, 1);
		assert_int_equal(cfg->spans[0].transport, kinds[i]);
		cti_config_free(cfg);
	}
}

/* A span's port is checked against its transport's range, and the message says what it counts. */
static void test_port_range(void **state)
{
	static const char *const want[] = { "span 'x': sim port 257 outside 1-256",
					    "span 'x': DAHDI span 1025 outside 1-1024" };

	(void)state;
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		const struct cti_transport_ops *o = core_transport_ops(kinds[i]);
		cti_config_t *cfg = cti_config_new();
		cti_span_config_t sc;

		cti_span_config_init(&sc, CTI_LINE_E1);
		snprintf(sc.name, sizeof(sc.name), "x");
		sc.transport = kinds[i];
		sc.port = o->max_port;
		assert_int_equal(cti_config_add_span(cfg, &sc), 1);
		snprintf(sc.name, sizeof(sc.name), "x");
		sc.port = o->max_port + 1;
		assert_int_equal(cti_config_add_span(cfg, &sc), CTI_ECONFIG);
		assert_non_null(strstr(cti_last_error(), want[i]));
		sc.port = 0;
		assert_int_equal(cti_config_add_span(cfg, &sc), CTI_ECONFIG);
		assert_non_null(strstr(cti_last_error(), "port 0 outside") || strstr(cti_last_error(), "span 0 outside"));
		cti_config_free(cfg);
	}
}

static cti_ctx_t *open_text(const char *text)
{
	cti_config_t *cfg = cti_config_new();
	cti_ctx_t *ctx;

	assert_non_null(cfg);
	assert_int_equal(cti_config_parse(cfg, text, "test"), 0);
	assert_int_equal(cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL), 0);
	ctx = cti_open(cfg);
	cti_config_free(cfg);
	return ctx;
}

/* Spans point at their context's transport instance; only used kinds are opened. */
static void test_span_transport(void **state)
{
	cti_ctx_t *ctx = open_text("[general]\nsim_ports = 4\n"
				   "[span a]\ntransport = sim\nport = 3\nline = e1\nsignalling = none\n"
				   "[span b]\ntransport = sim\nport = 4\nline = t1\nsignalling = none\n");
	struct core_span *sp;

	(void)state;
	assert_non_null(ctx);
	assert_int_equal(ctx->tp[CTI_TRANSPORT_SIM].used, 1);
	assert_int_equal(ctx->tp[CTI_TRANSPORT_DAHDI].used, 0);
	assert_null(ctx->tp[CTI_TRANSPORT_DAHDI].priv);
	cti__lock(ctx);
	assert_null(cti__span(ctx, "probe", 3));
	assert_non_null(strstr(cti_last_error(), "probe: no span 3 in this context"));
	sp = cti__span(ctx, "probe", 2);
	assert_non_null(sp);
	assert_ptr_equal(sp, ctx->spans[2]);
	assert_ptr_equal(cti__span_ops(sp), &core_transport_sim);
	assert_ptr_equal(sp->tp, &ctx->tp[CTI_TRANSPORT_SIM]);
	/* the span's line state is its firmware port: port 4 of the board */
	assert_ptr_equal(sp->tpriv, cti__sim_port(ctx, 4));
	assert_ptr_equal(ctx->spans[1]->tpriv, cti__sim_port(ctx, 3));
	/* the board has ports: it is the cable board */
	assert_ptr_equal(cti__cable_board(ctx, "probe"), &ctx->tp[CTI_TRANSPORT_SIM]);
	cti__unlock(ctx);
	cti_close(ctx);
}

/* Without sim ports and without a ctitdm board there is no cable board: the message says both. */
static void test_no_cable_board(void **state)
{
	cti_ctx_t *ctx;

	(void)state;
	setenv("CTI_CTITDM_SYSFS", "/nonexistent", 1);
	ctx = open_text("# no spans\n");
	assert_non_null(ctx);
	cti__lock(ctx);
	assert_null(cti__cable_board(ctx, "probe"));
	assert_non_null(strstr(cti_last_error(), "probe: no emulated board: this context has no sim ports and "
				"no ctitdm board is loaded (/nonexistent/ctitdm.*)"));
	cti__unlock(ctx);
	cti_close(ctx);
	unsetenv("CTI_CTITDM_SYSFS");
}

/* A DAHDI span cannot run on the virtual clock: the dahdi transport's check refuses it by name. */
static void test_check_refuses(void **state)
{
	(void)state;
	assert_null(open_text("[span d]\ntransport = dahdi\nport = 1\nline = e1\n"));
	assert_non_null(strstr(cti_last_error(), "span 'd': clock virtual works with transport sim only"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ops_complete),
		cmocka_unit_test(test_names_are_keywords),
		cmocka_unit_test(test_port_range),
		cmocka_unit_test(test_span_transport),
		cmocka_unit_test(test_no_cable_board),
		cmocka_unit_test(test_check_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
