// SPDX-License-Identifier: GPL-2.0-or-later
/* line.c - `cti loop` (loopbacks, T1 loop codes) and `cti inject` (defect injection). */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

/* The span at the other end of span's cable (emulated board), or 0. */
static int far_span(int span)
{
	cti_span_status_t st;
	int peer;

	if (!sim_mode() || cti_span_status(T.ctx, span, &st) < 0 || st.transport != CTI_TRANSPORT_SIM)
		return 0;
	peer = cti_cable_peer(T.ctx, st.port);
	return peer > 0 ? span_of_port(peer) : 0;
}

int cmd_loop(int argc, char **argv)
{
	static const char *const modes[] = { "off", "local", "line", "payload", "up", "down", NULL };
	static const struct option opts[] = {
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long duration = 6;
	int rc, o, span, mode, far, result = EXIT_PASS;
	cti_span_status_t st;

	while ((o = tool_getopt(argc, argv, "h", opts)) != -1) {
		switch (o) {
		case 'd': if ((rc = arg_int("loop", "--duration", optarg, 1, 600, &duration))) return rc; break;
		case 'h': return show_help("loop");
		default: return arg_getopt_error("loop", argv, optopt, "--duration, --help");
		}
	}
	if (argc - optind != 2)
		return usage_error("loop", "expects SPAN and a mode (accepted: local, line, payload, off, up, down)");
	mode = arg_choice("loop", "mode", argv[optind + 1], modes);
	if (mode < 0)
		return EXIT_USAGE;
	if ((rc = tool_open("loop")) || (rc = span_arg("loop", argv[optind], &span)))
		return rc;
	far = far_span(span);
	if (mode <= 3) {
		rc = cti_span_loopback(T.ctx, span, (enum cti_loopback)mode);
		if (rc < 0)
			return lib_error("loop", rc);
		cti_span_status(T.ctx, span, &st);
		if (T.json)
			json_out(json_pack("{s:s, s:s}", "span", st.name, "loopback", loop_name(st.loopback)));
		else
			printf("%s: loopback %s\n", st.name, loop_name(st.loopback));
		return EXIT_PASS;
	}
	/* T1 loop codes: send for the duration, then stop; see whether the far end followed. */
	rc = cti_span_loopcode(T.ctx, span, mode == 4);
	if (rc < 0)
		return lib_error("loop", rc);
	cti_span_status(T.ctx, span, &st);
	for (long s = 0; s < duration && !T.stop; s++) {
		/* DAHDI drivers stop a code after 10 s: renew it to keep it up */
		if (s && s % 5 == 0 && (rc = cti_span_loopcode(T.ctx, span, mode == 4)) < 0) {
			progress_end();
			cti_span_loopcode(T.ctx, span, -1);
			return lib_error("loop", rc);
		}
		progress("%s: sending loop-%s code: %ld/%ld s", st.name, mode == 4 ? "up" : "down", s, duration);
		run_for(1000, NULL, NULL);
	}
	progress_end();
	cti_span_loopcode(T.ctx, span, -1);
	/* a few frames without the code before reading the far end */
	run_for(100, NULL, NULL);
	if (far) {
		cti_span_status_t fst;

		cti_span_status(T.ctx, far, &fst);
		if ((mode == 4) != (fst.loopback == CTI_LOOP_NETWORK_LINE))
			result = EXIT_FAIL;
		if (T.json)
			json_out(json_pack("{s:s, s:s, s:i, s:s, s:s, s:b}", "span", st.name, "code",
					   mode == 4 ? "up" : "down", "seconds", (int)duration, "far_span", fst.name,
					   "far_loopback", loop_name(fst.loopback), "followed", result == EXIT_PASS));
		else
			printf("%s: sent loop-%s code for %ld s; far end %s: loopback %s (%s)\n", st.name,
			       mode == 4 ? "up" : "down", duration, fst.name, loop_name(fst.loopback),
			       result == EXIT_PASS ? "followed" : "did NOT follow");
	} else {
		if (T.json)
			json_out(json_pack("{s:s, s:s, s:i}", "span", st.name, "code", mode == 4 ? "up" : "down",
					   "seconds", (int)duration));
		else
			printf("%s: sent loop-%s code for %ld s\n", st.name, mode == 4 ? "up" : "down", duration);
	}
	return result;
}

static uint32_t counter_of(const cti_counters_t *c, int kind)
{
	switch (kind) {
	case CTI_INJ_FAS: return c->fas;
	case CTI_INJ_MFAS: return c->mfas;
	case CTI_INJ_CRC: return c->crc;
	case CTI_INJ_PRBS: return c->prbs_errors;
	case CTI_INJ_BPV: return c->bpv;
	default: return 0;
	}
}

static const char *const kinds[] = { "fas", "mfas", "crc", "cas", "prbs", "bpv", NULL };

int cmd_inject(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "count", required_argument, NULL, 'n' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long count = 0, rate = -1, duration = 0;
	int rc, o, span, kind, far;
	cti_span_status_t st, fst0, fst1;
	char *slash;

	while ((o = tool_getopt(argc, argv, "h", opts)) != -1) {
		switch (o) {
		case 'n': if ((rc = arg_int("inject", "--count", optarg, 1, 100000, &count))) return rc; break;
		case 'r':
			slash = strstr(optarg, "/s");
			if (slash && !slash[2])
				*slash = '\0';
			if ((rc = arg_int("inject", "--rate", optarg, 0, 8000, &rate)))
				return rc;
			break;
		case 'd': if ((rc = arg_int("inject", "--duration", optarg, 1, 86400, &duration))) return rc; break;
		case 'h': return show_help("inject");
		default: return arg_getopt_error("inject", argv, optopt, "--count, --rate, --duration, --help");
		}
	}
	if (argc - optind != 2)
		return usage_error("inject", "expects SPAN and an error kind (accepted: fas, mfas, crc, cas, prbs, bpv)");
	kind = arg_choice("inject", "error kind", argv[optind + 1], kinds);
	if (kind < 0)
		return EXIT_USAGE;
	if (count && rate >= 0)
		return usage_error("inject", "give --count or --rate, not both");
	if (duration && rate < 0)
		return usage_error("inject", "--duration goes with --rate");
	if (rate < 0 && !count)
		count = 1;
	if ((rc = tool_open("inject")) || (rc = span_arg("inject", argv[optind], &span)))
		return rc;
	cti_span_status(T.ctx, span, &st);
	if (kind == CTI_INJ_PRBS) {
		cti_bert_status_t bs;

		if (cti_bert_status(T.ctx, span, &bs) < 0 || !bs.running) {
			fprintf(stderr, "cti inject: %s: PRBS errors go into a running BERT's pattern: use "
				"'cti bert %s --insert N'\n", st.name, st.name);
			return EXIT_ERROR;
		}
	}
	far = far_span(span);
	if (far)
		cti_span_status(T.ctx, far, &fst0);
	rc = cti_span_inject(T.ctx, span, (enum cti_inject)kind, rate >= 0 ? 0 : (uint32_t)count,
			     rate >= 0 ? (uint32_t)rate : 0);
	if (rc < 0)
		return lib_error("inject", rc);
	if (rate >= 0) {
		/*
		 * Continuous: run --duration (default 1 s) for the far end to count; without
		 * --duration the rate stays on for the next commands of a batch.
		 */
		if (rate)
			run_for(duration ? (uint32_t)duration * 1000 : 1000, NULL, NULL);
		if (duration) {
			cti_span_inject(T.ctx, span, (enum cti_inject)kind, 0, 0);
			run_for(10, NULL, NULL);
		}
	} else {
		/* one error per frame (per 2 ms multiframe for CRC/MFAS), then let the far end count */
		run_for((uint32_t)(count * 2 + 100), NULL, NULL);
	}
	if (!far || kind == CTI_INJ_CAS) {
		if (T.json)
			json_out(json_pack("{s:s, s:s, s:i, s:i}", "span", st.name, "kind", kinds[kind], "count",
					   (int)count, "rate", (int)(rate < 0 ? 0 : rate)));
		else if (rate >= 0)
			printf("%s: injecting %s errors at %ld/s\n", st.name, kinds[kind], rate);
		else
			printf("%s: injected %ld %s error%s\n", st.name, count, kinds[kind], count == 1 ? "" : "s");
		return EXIT_PASS;
	}
	cti_span_status(T.ctx, far, &fst1);
	{
		uint32_t delta = counter_of(&fst1.counters, kind) - counter_of(&fst0.counters, kind);
		uint32_t ebit = 0;
		int ok = rate >= 0 ? 1 : delta == (uint32_t)count;
		cti_span_status_t st1;

		/* CRC-4 errors come back to us as E-bits (G.704 2.3.3.4) */
		cti_span_status(T.ctx, span, &st1);
		if (kind == CTI_INJ_CRC)
			ebit = st1.counters.ebit - st.counters.ebit;
		if (T.json)
			json_out(json_pack("{s:s, s:s, s:i, s:i, s:s, s:i, s:i, s:b}", "span", st.name, "kind",
					   kinds[kind], "count", (int)count, "rate", (int)(rate < 0 ? 0 : rate),
					   "far_span", fst1.name, "far_counted", (int)delta, "ebit_back", (int)ebit,
					   "pass", ok));
		else {
			if (rate >= 0)
				printf("%s: injecting %s errors at %ld/s", st.name, kinds[kind], rate);
			else
				printf("%s: injected %ld %s error%s", st.name, count, kinds[kind], count == 1 ? "" : "s");
			printf("; far end %s counted %u", fst1.name, delta);
			if (kind == CTI_INJ_CRC)
				printf(" (E-bits back to us: %u)", ebit);
			printf("%s\n", ok ? "" : " - MISMATCH");
		}
		return ok ? EXIT_PASS : EXIT_FAIL;
	}
}
