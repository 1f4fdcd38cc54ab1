// SPDX-License-Identifier: GPL-2.0-or-later
/* trace.c - `cti trace`: D-channel capture (pcap) and Q.921/Q.931 decode on screen. */
#include <getopt.h>
#include <string.h>

#include <sys/stat.h>

#include "tool.h"

struct trace_run {
	uint64_t t0;
	int frames;
	cti_call_t *call;
	int answered, hungup, released;
};

static void trace_hook(const cti_event_t *ev, void *arg)
{
	struct trace_run *tr = arg;

	if (ev->type == CTI_EV_TRACE) {
		char text[512];
		cti_span_status_t st;
		uint32_t len = ev->u.trace.len < 300 ? ev->u.trace.len : 300;	/* Q.931 frames are shorter */

		cti_decode_frame(ev->u.trace.data, len, text, sizeof(text));
		if (cti_span_status(T.ctx, ev->span, &st) < 0)
			snprintf(st.name, sizeof(st.name), "span%d", ev->span);
		tr->frames++;
		if (T.json) {
			char hex[2 * 300 + 1];

			for (uint32_t i = 0; i < len; i++)
				snprintf(hex + 2 * i, 3, "%02x", ev->u.trace.data[i]);
			hex[2 * len] = '\0';
			json_out(json_pack("{s:f, s:s, s:s, s:i, s:s, s:s}", "time",
					   (double)(ev->time_ms - tr->t0) / 1000.0, "span", st.name, "dir",
					   ev->u.trace.tx ? "tx" : "rx", "len", (int)ev->u.trace.len, "hex", hex,
					   "decode", text));
		} else {
			printf("%9.3f %-8s %s %s\n", (double)(ev->time_ms - tr->t0) / 1000.0, st.name,
			       ev->u.trace.tx ? ">" : "<", text);
		}
		fflush(stdout);
		return;
	}
	if (!tr->call || ev->call != tr->call)
		return;
	if (ev->type == CTI_EV_CALL_ANSWERED)
		tr->answered = 1;
	else if (ev->type == CTI_EV_CALL_HANGUP)
		tr->hungup = 1;
	else if (ev->type == CTI_EV_CALL_RELEASED)
		tr->released = 1, tr->call = NULL;
}

static int call_settled(void *arg)
{
	struct trace_run *tr = arg;

	return tr->answered || tr->hungup;
}

static int call_gone(void *arg)
{
	return ((struct trace_run *)arg)->released;
}

int cmd_trace(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "write", required_argument, NULL, 'w' },
		{ "duration", required_argument, NULL, 'd' },
		{ "call", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pcap = NULL, *number = NULL;
	long duration = 10;
	int rc, o, span = 0;
	struct trace_run tr;

	while ((o = tool_getopt(argc, argv, "hw:", opts)) != -1) {
		switch (o) {
		case 'w': pcap = optarg; break;
		case 'd': if ((rc = arg_int("trace", "--duration", optarg, 1, 86400, &duration))) return rc; break;
		case 'c':
			if (!*optarg || strspn(optarg, "0123456789*#") != strlen(optarg) ||
			    strlen(optarg) >= CTI_NUMBER_MAX)
				return usage_error("trace", "--call '%s': digits 0-9 * # only", optarg);
			number = optarg;
			break;
		case 'h': return show_help("trace");
		default: return arg_getopt_error("trace", argv, optopt, "-w/--write, --duration, --call, --help");
		}
	}
	if (argc - optind > 1)
		return usage_error("trace", "expects at most one SPAN");
	if (pcap && (rc = out_path_check("trace", "-w", pcap)))
		return rc;
	if (pcap) {
		/* a FIFO would block in the pcap open, a device drop the frames unnoticed */
		struct stat st;

		if (stat(pcap, &st) == 0 && !S_ISREG(st.st_mode))
			return usage_error("trace", "-w '%s' is not a regular file (%s): the capture is written to a "
					   "file", pcap, S_ISFIFO(st.st_mode) ? "a FIFO" : S_ISCHR(st.st_mode)
					   ? "a character device" : "not a plain file");
	}
	if ((rc = tool_open("trace")) || (optind < argc && (rc = span_arg("trace", argv[optind], &span))))
		return rc;
	memset(&tr, 0, sizeof(tr));
	tr.t0 = now_ms();
	T.hook = trace_hook;
	T.hook_arg = &tr;
	if (pcap && (rc = cti_trace_start(T.ctx, span, pcap)) < 0) {
		T.hook = NULL;
		return lib_error("trace", rc);
	}
	if ((rc = cti_trace_events(T.ctx, span, 1)) < 0) {
		if (pcap)
			cti_trace_stop(T.ctx, span);
		T.hook = NULL;
		return lib_error("trace", rc);
	}
	if (number) {
		cti_call_params_t p;

		if (sim_mode() && T.resp == RESP_NONE)
			T.resp = RESP_SILENT;
		cti_call_params_init(&p);
		snprintf(p.called.number, sizeof(p.called.number), "%s", number);
		p.span = span;
		tr.call = cti_call_place(T.ctx, &p);
		if (!tr.call)
			fprintf(stderr, "cti trace: call not placed: %s\n", cti_last_error());
		else {
			run_for((uint32_t)duration * 500, call_settled, &tr);
			if (!tr.hungup)
				cti_call_hangup(tr.call, 16, CTI_LOC_DEFAULT);
			run_for((uint32_t)duration * 250, NULL, NULL);
			if (tr.call)
				cti_call_release(tr.call);
			run_for(5000, call_gone, &tr);
		}
	}
	run_for((uint32_t)duration * 1000 - (uint32_t)(now_ms() - tr.t0 < (uint64_t)duration * 1000
						       ? now_ms() - tr.t0 : (uint64_t)duration * 1000), NULL, NULL);
	cti_trace_events(T.ctx, span, 0);
	if (pcap)
		cti_trace_stop(T.ctx, span);
	T.hook = NULL;
	if (!T.json)
		printf("%d frame%s%s%s\n", tr.frames, tr.frames == 1 ? "" : "s", pcap ? " written to " : "",
		       pcap ? pcap : "");
	return EXIT_PASS;
}
