// SPDX-License-Identifier: GPL-2.0-or-later
/* status.c - `cti status`: spans, alarms, timing, counters, channels. */
#include <getopt.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

#define ALARM_FAIL (CTI_ALARM_LOS | CTI_ALARM_LOF | CTI_ALARM_AIS | CTI_ALARM_RAI | CTI_ALARM_LMFA | \
		    CTI_ALARM_NOTOPEN)

static json_t *status_json(const cti_span_status_t *st)
{
	const cti_counters_t *c = &st->counters;

	return json_pack("{s:i, s:s, s:s, s:i, s:s, s:s, s:s, s:s, s:o, s:i, s:b, s:b, s:s, "
			 "s:{s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i, s:i}, s:i, s:s}",
			 "index", st->index, "name", st->name,
			 "transport", st->transport == CTI_TRANSPORT_SIM ? "sim" : "dahdi", "port", st->port,
			 "line", line_name(st->line), "framing", framing_name(st->framing),
			 "coding", coding_name(st->coding),
			 "signalling", st->signalling == CTI_SIG_PRI ? "pri" : "none",
			 "alarms", alarms_json(st->alarms), "alarm_bits", (int)st->alarms,
			 "timing_source", st->timing_source, "dchan_up", st->dchan_up,
			 "loopback", loop_name(st->loopback),
			 "counters", "fas", (int)c->fas, "mfas", (int)c->mfas, "crc", (int)c->crc, "ebit", (int)c->ebit,
			 "cv", (int)c->cv, "bpv", (int)c->bpv, "slips", (int)c->slips, "es", (int)c->es,
			 "ses", (int)c->ses, "uas", (int)c->uas, "seconds", (int)c->seconds,
			 "prbs_errors", (int)c->prbs_errors,
			 "nchannels", st->nchannels, "channels", st->chan_state);
}

static void status_print(const cti_span_status_t *st)
{
	const cti_counters_t *c = &st->counters;
	char alarms[128];

	printf("span %d %s: %s %s/%s, %s, %s %d\n", st->index, st->name, line_name(st->line),
	       framing_name(st->framing), coding_name(st->coding),
	       st->signalling == CTI_SIG_PRI ? "PRI" : "no signalling",
	       st->transport == CTI_TRANSPORT_SIM ? "sim port" : "DAHDI span", st->port);
	printf("  alarms: %s   timing: %s   D-channel: %s   loopback: %s\n",
	       cti_alarm_text(st->alarms, alarms, sizeof(alarms)), st->timing_source ? "source" : "-",
	       st->signalling != CTI_SIG_PRI ? "none" : st->dchan_up ? "up" : "down", loop_name(st->loopback));
	printf("  counters: FAS %u  MFAS %u  CRC %u  E-bit %u  CV %u  BPV %u  slips %u  ES %u  SES %u  UAS %u"
	       "  (%u s)\n", c->fas, c->mfas, c->crc, c->ebit, c->cv, c->bpv, c->slips, c->es, c->ses, c->uas,
	       c->seconds);
	if (c->prbs_errors)
		printf("  PRBS errors: %u\n", c->prbs_errors);
	if (st->chan_state[0])
		printf("  channels: %s  (. idle  B busy  D D-channel  - unused  X out of service)\n", st->chan_state);
}

int cmd_status(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "watch", no_argument, NULL, 'w' },
		{ "interval", required_argument, NULL, 'i' },
		{ "count", required_argument, NULL, 'n' },
		{ "duration", required_argument, NULL, 'd' },
		{ "reset", no_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long interval = 1, count = 0, duration = 3600;
	int watch = 0, reset = 0, rc, o, spans[256], nspans = 0, fail = 0;
	uint64_t start;

	while ((o = tool_getopt(argc, argv, "h", opts)) != -1) {
		switch (o) {
		case 'w': watch = 1; break;
		case 'i': if ((rc = arg_int("status", "--interval", optarg, 1, 3600, &interval))) return rc; break;
		case 'n': if ((rc = arg_int("status", "--count", optarg, 1, 1000000, &count))) return rc; break;
		case 'd': if ((rc = arg_int("status", "--duration", optarg, 1, 86400, &duration))) return rc; break;
		case 'r': reset = 1; break;
		case 'h': return show_help("status");
		default: return arg_getopt_error("status", argv, optopt, "--watch, --interval, --count, --duration, "
						 "--reset, --help");
		}
	}
	if (!watch && count)
		return usage_error("status", "--count needs --watch");
	if (argc - optind > 256)
		return usage_error("status", "too many spans");
	rc = tool_open("status");
	if (rc)
		return rc;
	for (int i = optind; i < argc; i++) {
		rc = span_arg("status", argv[i], &spans[nspans++]);
		if (rc)
			return rc;
	}
	if (!nspans) {
		int n = cti_span_count(T.ctx);

		for (int i = 1; i <= n && i <= 256; i++)
			spans[nspans++] = i;
	}
	if (reset)
		for (int i = 0; i < nspans; i++)
			if ((rc = cti_span_reset_counters(T.ctx, spans[i])) < 0)
				return lib_error("status", rc);
	start = now_ms();
	for (long round = 0;; round++) {
		json_t *arr = T.json ? json_array() : NULL;

		fail = 0;
		if (watch && !T.json && isatty(STDOUT_FILENO))
			printf("\033[H\033[J");	/* a terminal: redraw in place */
		else if (watch && !T.json && round)
			printf("\n");
		if (watch && !T.json)
			printf("--- %.1f s (refresh every %ld s, Ctrl-C to stop)\n", (double)(now_ms() - start) / 1000.0,
			       interval);
		for (int i = 0; i < nspans; i++) {
			cti_span_status_t st;

			rc = cti_span_status(T.ctx, spans[i], &st);
			if (rc < 0) {
				json_decref(arr);
				return lib_error("status", rc);
			}
			if (st.alarms & ALARM_FAIL)
				fail = 1;
			if (arr)
				json_array_append_new(arr, status_json(&st));
			else
				status_print(&st);
		}
		if (arr)
			json_out(json_pack("{s:f, s:o}", "time", (double)now_ms() / 1000.0, "spans", arr));
		fflush(stdout);
		if (!watch || (count && round + 1 >= count) || T.stop ||
		    now_ms() - start >= (uint64_t)duration * 1000)
			break;
		run_for((uint32_t)interval * 1000, NULL, NULL);
	}
	return fail ? EXIT_FAIL : EXIT_PASS;
}
