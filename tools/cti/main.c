// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - `cti`, line testing and test calls on E1/T1 PRI spans.
 *
 *   cti [GLOBAL OPTIONS] COMMAND [ARGS]     (see cti(1), cti COMMAND --help)
 *
 * Global options choose the spans: the built-in emulated board (--sim, in
 * virtual time), a libcti configuration (--config), or by default every
 * DAHDI span of the system. --batch runs several commands on one context,
 * which is how emulated-board scenarios (cut a cable, then look at the
 * alarms) are scripted.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

struct tool T;

const struct command commands[] = {
	{ "status", cmd_status, "[SPAN...] [--watch] [--interval S] [--count N] [--reset]",
	  "spans, alarms, timing, counters, D-channel and channel states",
	  "  --watch          refresh every --interval seconds (default 1) until --count\n"
	  "                   refreshes, --duration seconds (default 3600) or Ctrl-C\n"
	  "  --interval S     seconds between refreshes (1-3600)\n"
	  "  --count N        refreshes with --watch (1-1000000)\n"
	  "  --duration S     stop watching after S seconds (1-86400)\n"
	  "  --reset          reset the error counters of the spans first\n"
	  "Exit status: 0 when no span shows an alarm (LOS, LOF/RED, AIS/BLUE, RAI/YELLOW, LMFA), 1 otherwise.\n" },
	{ "loop", cmd_loop, "SPAN local|line|payload|off|up|down [--duration S]",
	  "loopbacks, and T1 loop-up/loop-down codes to the far end",
	  "  local            our transmit signal returns to our receiver (and goes to the line)\n"
	  "  line             network line loopback: the received signal is sent back as is\n"
	  "  payload          network payload loopback: received payload sent back, framing regenerated\n"
	  "  off              no loopback\n"
	  "  up | down        T1 only: send the in-band loop-up (00001) or loop-down (001) code\n"
	  "                   (T1.403 9.3.1) for --duration seconds (default 6; the far end acts after 4 s)\n"
	  "Exit status: 0 done; 1 when the far end is on this board and did not follow a loop code.\n" },
	{ "inject", cmd_inject, "SPAN fas|mfas|crc|cas|prbs|bpv [--count N | --rate N/s] [--duration S]",
	  "inject framing, CRC, CAS, PRBS or bipolar errors",
	  "  --count N        inject N single errors (default 1; 1-100000)\n"
	  "  --rate N/s       inject continuously at N errors per second (0 stops; max 8000)\n"
	  "  --duration S     with --rate: inject for S seconds, then stop (default: run 1 s and leave\n"
	  "                   the rate on for the next commands of a --batch)\n"
	  "When the far end of the cable is a span of this context, its counter is read back.\n"
	  "Exit status: 0 when the far end counted the errors (or cannot be read), 1 otherwise.\n" },
	{ "bert", cmd_bert, "SPAN [--pattern P] [--slots S] [--duration S] [--threshold BER] [--far MODE] "
	  "[--insert N]",
	  "bit error rate test (O.150 patterns, G.821/G.826 results)",
	  "  --pattern P      2e11, 2e15 (E1 default), 2e20, qrss (T1 default), 2e23\n"
	  "  --slots S        all (default: every B-channel), unframed (the whole line), or channels\n"
	  "                   like 1-15,17-31\n"
	  "  --duration S     seconds to run (default 10; 1-86400)\n"
	  "  --threshold BER  pass when the measured BER is at most this (default 1e-6)\n"
	  "  --far MODE       auto (default), loop (far end is looped), peer (far end runs a BERT too;\n"
	  "                   emulated board: started on the cable's other port), none\n"
	  "  --insert N       insert N single bit errors into our pattern once measuring (1-1000):\n"
	  "                   the checker at the far end (peer) or here (loop) must count exactly N\n"
	  "The span is out of call service while the test runs.\n"
	  "Exit status: 0 pass (pattern in sync, BER <= threshold), 1 fail.\n" },
	{ "cable", cmd_cable, "show | connect A B | cut P [--rx] | ais P on|off | ber P RATE [--burst N] | "
	  "ppm P N | clear P",
	  "emulated board cables and line faults",
	  "  show             ports, their peers and the faults on the signal arriving at each\n"
	  "  connect A B      plug a cable between ports A and B (A = B: a loop plug)\n"
	  "  cut P            cut the cable at port P: both ends lose the signal\n"
	  "  cut P --rx       break only the pair arriving at P (P loses signal, the far end does not)\n"
	  "  ais P on|off     the signal arriving at P becomes AIS (unframed all ones)\n"
	  "  ber P RATE       bit errors on the signal arriving at P (0 .. 0.5, e.g. 1e-5); --burst N\n"
	  "  ppm P N          clock offset of the far end (-1000..1000 ppm): controlled slips\n"
	  "  clear P          remove every fault at P (and reconnect a --rx cut)\n"
	  "Ports are board port numbers or span names.\n" },
	{ "wait", cmd_wait, "SECONDS", "let the line run (virtual time on --sim)",
	  "  SECONDS          0.001-86400; alarms need 2.5 s to rise and 1 s to clear (G.775)\n" },
	{ "call", cmd_call, "NUMBER [--span S] [--channel C] [--timeout S] [--tone] [--dtmf DIGITS] "
	  "[--hold S] [--responder R]",
	  "place a test call, report progress, cause and timing",
	  "  --span S         span (name or index) to call on (default: any)\n"
	  "  --channel C      B-channel (default: hunt)\n"
	  "  --calling N      calling party number\n"
	  "  --timeout S      give up when not answered within S seconds (default 30)\n"
	  "  --hold S         stay connected S seconds (default 1), then hang up\n"
	  "  --tone           play a 1004 Hz test tone and measure the level that comes back\n"
	  "  --dtmf DIGITS    send DTMF and collect the digits that come back (echo responder)\n"
	  "  --responder R    --sim: answer on the far span with echo (default), milliwatt, record,\n"
	  "                   silent, or none (nobody answers)\n"
	  "  --record FILE    record the call (WAV)\n"
	  "Exit status: 0 answered (and digits/tone as expected), 1 not answered or mismatch.\n" },
	{ "answer", cmd_answer, "[--span S] [--mode echo|milliwatt|record|silent|fax] [--file F] "
	  "[--count N] [--timeout S]",
	  "test responder: answer calls",
	  "  --span S         answer only on this span (default: any)\n"
	  "  --mode M         echo (DTMF echo; default), milliwatt (1004 Hz 0 dBm0), record (to --file),\n"
	  "                   silent, fax (receive to --file)\n"
	  "  --file F         recording or fax file (record: %d is replaced by the call number)\n"
	  "  --count N        stop after N calls (default 1)\n"
	  "  --timeout S      give up after S seconds (default 60)\n"
	  "Exit status: 0 when N calls were answered, 1 otherwise.\n" },
	{ "dtmf", cmd_dtmf, "NUMBER DIGITS [call options]", "test call sending DTMF, digits echoed back checked",
	  "  Same as: cti call NUMBER --dtmf DIGITS (see cti call --help)\n" },
	{ "record", cmd_record, "NUMBER FILE [--seconds S] [call options]", "test call recording what the far end sends",
	  "  --seconds S      seconds to record (default 5)\n" },
	{ "play", cmd_play, "NUMBER FILE [call options]", "test call playing a WAV file to the far end",
	  "  Plays FILE (WAV 8 kHz mono, or raw .al/.ul) once the call is answered.\n" },
	{ "fax", cmd_fax, "send NUMBER FILE.tif... | receive FILE.tif [options]", "send or receive a fax on a test call",
	  "  send NUMBER TIFF...   call NUMBER and send the TIFF documents (progress line per page)\n"
	  "  receive TIFF          wait for a call (--timeout, default 120 s) and receive to TIFF\n"
	  "  --span S, --timeout S, --ident ID, --no-ecm\n"
	  "  --sim: send answers with a fax receiver on the far span (--responder fax, file --peer-file)\n"
	  "Exit status: 0 when the fax completed (T.30 result OK), 1 otherwise.\n" },
	{ "levels", cmd_levels, "[NUMBER] [--duration S] [--interval S]", "live rx/tx levels (dBm0) of active calls",
	  "  NUMBER           place a test call first (--sim: the responder answers with milliwatt)\n"
	  "  --duration S     seconds (default 5); --interval S (default 1)\n" },
	{ "trace", cmd_trace, "[SPAN] [-w FILE.pcap] [--duration S] [--call NUMBER]",
	  "D-channel capture to pcap and Q.931 decode",
	  "  SPAN             span to trace (default: every span)\n"
	  "  -w FILE          also write a pcap file (LINKTYPE_LINUX_LAPD, for wireshark/tshark)\n"
	  "  --duration S     seconds to capture (default 10)\n"
	  "  --call NUMBER    place a test call while tracing (--sim: answered by the responder)\n" },
	{ "hold", cmd_hold, "NUMBER [--span S] [--seconds S] [--timeout S]",
	  "test call put on hold and retrieved (Q.931 HOLD/RETRIEVE)",
	  "  --span S         span (name or index) to call on (default: any; --sim: sim2, the user side)\n"
	  "  --seconds S      time on hold (default 2)\n"
	  "  --timeout S      give up when not answered within S seconds (default 30)\n"
	  "Reports whether the network acknowledged HOLD (or the cause it refused with), whether the\n"
	  "B-channel was free while held, and the channel RETRIEVE got. --sim: the responder serves.\n"
	  "Exit status: 0 held, channel freed and retrieved; 1 refused or not supported by the switch type.\n" },
	{ "transfer", cmd_transfer, "NUMBER1 NUMBER2 [--span S] [--blind] [--timeout S]",
	  "call NUMBER1, then NUMBER2, and have the network join them (ECT, 2BCT, RLT, QSIG)",
	  "  --span S         span (name or index) to call on (default: any; --sim: sim2, the user side)\n"
	  "  --blind          transfer while NUMBER2 is still ringing (default: consultative: NUMBER1\n"
	  "                   is held where the switch type has hold, NUMBER2 answered)\n"
	  "  --timeout S      seconds to wait for each answer and for the network (default 30)\n"
	  "Reports the method of the switch type, the outcome and the busy B-channels of the span\n"
	  "before and after (a transfer by the network frees both). --sim: the responder serves.\n"
	  "Exit status: 0 transferred; 1 refused, or not supported by the switch type.\n" },
	{ "mwi", cmd_mwi, "MAILBOX on|off [--span S] [--centre NUMBER] [--timeout S]",
	  "message waiting indication to a mailbox (QSIG MWIActivate/MWIDeactivate)",
	  "  --span S         span (name or index) to send on (default: the first QSIG span;\n"
	  "                   --sim: sim2 with --switch qsig)\n"
	  "  --centre NUMBER  the message centre's number (the SETUP's calling number)\n"
	  "  --timeout S      seconds to wait for the far end (default 10)\n"
	  "Sends the indication in a call-independent SETUP (no B-channel) and reports what the far\n"
	  "PINX answered. A PINX built on libpri 1.6 (libcti included) clears it with cause 69 even\n"
	  "when it took the indication: on --sim the far span's report is shown too.\n"
	  "QSIG only (libpri 1.6 has no MWI on a PRI of another switch type).\n"
	  "Exit status: 0 acknowledged (or, on --sim, received by the far span); 1 refused, no answer\n"
	  "or not supported by the switch type.\n" },
	{ NULL, NULL, NULL, NULL, NULL },
};

static const char global_help[] =
	"Usage: cti [GLOBAL OPTIONS] COMMAND [ARGS]\n"
	"Line testing and test calls on E1/T1 ISDN PRI spans.\n\n"
	"Global options:\n"
	"  --sim            use the built-in emulated board (virtual time: tests run instantly)\n"
	"  --ports N        --sim: ports of the board, cabled in pairs 1-2, 3-4... (2-256, even; default 2)\n"
	"  --line e1|t1     --sim: line type (default e1)\n"
	"  --switch TYPE    --sim: euroisdn, ni2, ni1, dms100, 4ess, 5ess, qsig (default: by line)\n"
	"  --real-time      --sim: run the board on the real clock\n"
	"  --config FILE    spans of a libcti configuration file\n"
	"                   (default: every DAHDI span of the system, line maintenance only)\n"
	"  --batch FILE     run the commands of FILE ('-': stdin), one a line, on one context\n"
	"  --force          --batch: go on after a failing command\n"
	"  --json           machine readable output: one JSON document per line\n"
	"  --progress       live progress lines on stderr even when it is not a terminal\n"
	"  --no-progress    no progress lines\n"
	"  -v, --verbose    print every library event on stderr\n"
	"  -q, --quiet      --batch: do not echo each command ('cti> ...') before its output\n"
	"  -h, --help       this help; cti COMMAND --help for a command\n\n"
	"Commands:\n";

static void print_global_help(FILE *f)
{
	fputs(global_help, f);
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-8s %s\n", c->name, c->summary);
	fputs("\nExit status: 0 pass, 1 test failed, 2 bad arguments or configuration file, 3 could not run (no\n"
	      "spans, device, I/O or library error), 4 interrupted (SIGINT/SIGTERM during a test call). See cti(1).\n",
	      f);
}

int show_help(const char *cmd)
{
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, cmd))
			continue;
		printf("Usage: cti [GLOBAL OPTIONS] %s %s\n%s.\n\n%s", c->name, c->args, c->summary, c->help);
		return EXIT_PASS;
	}
	return EXIT_USAGE;
}

/* ------------------------------------------------------------------ */
/* context                                                              */

/*
 * A call offered while no responder runs (cti status on PRI spans, a test
 * call in progress...) is refused as busy (Q.850 cause 17), so that the far
 * end gets a clean answer instead of a protocol timeout, and released.
 */
#define MAX_REFUSED 16
static cti_call_t *refused[MAX_REFUSED];

static void refuse_event(const cti_event_t *ev)
{
	int i;

	if (ev->type == CTI_EV_CALL_OFFERED) {
		for (i = 0; i < MAX_REFUSED && refused[i]; i++)
			;
		if (i < MAX_REFUSED)
			refused[i] = ev->call;
		cti_call_reject(ev->call, 17);
		return;
	}
	for (i = 0; i < MAX_REFUSED && ev->call; i++) {
		if (refused[i] != ev->call)
			continue;
		if (ev->type == CTI_EV_CALL_HANGUP)
			cti_call_release(ev->call);
		else if (ev->type == CTI_EV_CALL_RELEASED)
			refused[i] = NULL;
	}
}

static void on_event(cti_ctx_t *ctx, const cti_event_t *ev, void *user)
{
	(void)ctx;
	(void)user;
	if (T.verbose) {
		fprintf(stderr, "[%8llu ms] %s span %d chan %d", (unsigned long long)ev->time_ms,
			cti_event_name(ev->type), ev->span, ev->channel);
		if (ev->type == CTI_EV_ALARM) {
			char buf[96];

			fprintf(stderr, " alarms %s", cti_alarm_text(ev->u.alarm.alarms, buf, sizeof(buf)));
		}
		fputc('\n', stderr);
	}
	/* the responder also sees the end of its calls after its command is over */
	if (T.resp != RESP_NONE || ev->type != CTI_EV_CALL_OFFERED)
		responder_event(ev);
	if (T.resp == RESP_NONE)
		refuse_event(ev);
	if (T.hook)
		T.hook(ev, T.hook_arg);
}

uint64_t now_ms(void)
{
	return T.ctx ? cti_now_ms(T.ctx) : 0;
}

void run_for(uint32_t ms, int (*done)(void *), void *arg)
{
	uint64_t end = now_ms() + ms;

	while (!T.stop) {
		uint64_t now;
		int r;

		if (done && done(arg))
			break;
		now = now_ms();
		if (now >= end)
			break;
		r = cti_dispatch(T.ctx, end - now > 100 ? 100 : (int)(end - now));
		if (r < 0)
			break;
	}
}

int sim_mode(void)
{
	return T.sim && !T.config_path;
}

/*
 * Lines are up: every PRI D-channel is up (Q.921 multiframe established),
 * and on the emulated board no span is in alarm. A real span in alarm
 * cannot bring its D-channel up: it is not waited for.
 */
static int settled(void *arg)
{
	int n = cti_span_count(T.ctx);

	(void)arg;
	for (int i = 1; i <= n; i++) {
		cti_span_status_t st;

		if (cti_span_status(T.ctx, i, &st) < 0)
			return 1;	/* nothing to wait for */
		if (st.alarms & ~(uint32_t)CTI_ALARM_LOOPBACK) {
			if (sim_mode())
				return 0;
			continue;
		}
		if (st.signalling == CTI_SIG_PRI && !st.dchan_up)
			return 0;
	}
	return 1;
}

int tool_open(const char *cmd)
{
	cti_config_t *cfg;
	int rc = 0;

	if (T.ctx)
		return 0;
	cfg = cti_config_new();
	if (!cfg)
		return lib_error(cmd, CTI_ENOMEM);
	if (T.config_path) {
		rc = cti_config_load(cfg, T.config_path);
	} else if (T.sim) {
		int sw = T.switchtype >= 0 ? T.switchtype
					   : T.line == CTI_LINE_T1 ? CTI_SWITCH_NI2 : CTI_SWITCH_EUROISDN;

		rc = cti_config_set_sim_ports(cfg, T.sim_ports);
		if (rc >= 0)
			rc = cti_config_sim_pairs(cfg, T.sim_ports / 2, T.line, (enum cti_switchtype)sw);
		if (rc >= 0 && !T.real_clock)
			rc = cti_config_set_clock(cfg, CTI_CLOCK_VIRTUAL);
	} else {
		rc = cti_config_dahdi_scan(cfg);
	}
	if (rc < 0) {
		cti_config_free(cfg);
		return lib_error(cmd, rc);
	}
	T.ctx = cti_open(cfg);
	cti_config_free(cfg);
	if (!T.ctx)
		return lib_error(cmd, cti_last_error_code());
	cti_set_event_handler(T.ctx, on_event, NULL);
	if (cti_span_count(T.ctx) <= 0) {
		fprintf(stderr, "cti %s: no spans%s\n", cmd,
			T.config_path ? " in the configuration"
				      : T.sim ? "" : " found: is DAHDI loaded and configured (dahdi_cfg)? "
						     "Use --sim for the emulated board");
		return EXIT_ERROR;
	}
	/*
	 * Let the lines come up before the command: on the emulated board the alarm clear
	 * time and the SABME exchange (up to 10 s of virtual time); on DAHDI PRI spans the
	 * D-channels of spans without alarm (up to 5 s).
	 */
	run_for(sim_mode() ? 10000 : 5000, settled, NULL);
	return 0;
}

int span_arg(const char *cmd, const char *s, int *out)
{
	int n = cti_span_count(T.ctx), i;
	char list[256] = "";
	size_t used = 0;
	char *end;
	long v;

	i = cti_span_find(T.ctx, s);
	if (i > 0) {
		*out = i;
		return 0;
	}
	v = strtol(s, &end, 10);
	if (*s && !*end && v >= 1 && v <= n) {
		*out = (int)v;
		return 0;
	}
	for (i = 1; i <= n && used < sizeof(list); i++) {
		cti_span_status_t st;

		if (cti_span_status(T.ctx, i, &st) == 0)
			used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s", used ? ", " : "", st.name);
	}
	return usage_error(cmd, "no span '%s' (spans: %s, or an index 1-%d)", s, used ? list : "none", n);
}

int span_of_port(int port)
{
	int n = cti_span_count(T.ctx);

	for (int i = 1; i <= n; i++) {
		cti_span_status_t st;

		if (cti_span_status(T.ctx, i, &st) == 0 && st.transport == CTI_TRANSPORT_SIM && st.port == port)
			return i;
	}
	return 0;
}

int port_arg(const char *cmd, const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	int span;
	cti_span_status_t st;

	if (*s && !*end) {
		if (v < 1 || v > 256)
			return usage_error(cmd, "port %ld out of range (accepted: 1-256 or a span name)", v);
		*out = (int)v;
		return 0;
	}
	span = cti_span_find(T.ctx, s);
	if (span <= 0)
		return usage_error(cmd, "'%s' is neither a port number nor a span name", s);
	if (cti_span_status(T.ctx, span, &st) < 0)
		return lib_error(cmd, CTI_ENOENT);
	*out = st.port;
	return 0;
}

int cmd_wait(int argc, char **argv)
{
	double s;
	int rc;

	if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")))
		return show_help("wait");
	if (argc != 2)
		return usage_error("wait", "expects SECONDS");
	rc = arg_double("wait", "SECONDS", argv[1], 0.001, 86400, &s);
	if (rc)
		return rc;
	rc = tool_open("wait");
	if (rc)
		return rc;
	run_for((uint32_t)(s * 1000 + 0.5), NULL, NULL);
	return EXIT_PASS;
}

/* ------------------------------------------------------------------ */
/* command dispatch and batch                                           */

static int run_command(int argc, char **argv)
{
	extern int optind, opterr;

	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(c->name, argv[0]))
			continue;
		optind = 0;	/* GNU: reinitialise getopt for the subcommand */
		opterr = 0;
		return c->fn(argc, argv);
	}
	return usage_error(NULL, "unknown command '%s' (accepted: status, loop, inject, bert, cable, wait, call, "
			   "answer, dtmf, record, play, fax, levels, trace)", argv[0]);
}

/* Split a batch line into words; quotes group words; '#' starts a comment. */
static int split_line(char *line, char **argv, int max)
{
	int argc = 0;
	char *p = line, *w;

	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			break;
		if (argc == max - 1)
			return -1;
		w = p;
		argv[argc++] = w;
		while (*p && !isspace((unsigned char)*p)) {
			if (*p == '"' || *p == '\'') {
				char q = *p++;

				while (*p && *p != q)
					*w++ = *p++;
				if (*p)
					p++;
			} else {
				*w++ = *p++;
			}
		}
		if (*p)
			p++;
		*w = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

#define BATCH_LINE_MAX 65536

static int run_batch(const char *path, int force)
{
	FILE *f;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	int worst = 0, lineno = 0, rc;

	if (strcmp(path, "-")) {
		f = open_regular(NULL, "--batch", path, &rc);
		if (!f)
			return rc;
	} else {
		f = stdin;
	}
	/* whole lines of any length: a long line is never cut into two commands */
	while (!T.stop && (len = getline(&line, &cap, f)) >= 0) {
		char *argv[64];
		int argc;

		lineno++;
		if (len > BATCH_LINE_MAX) {
			fprintf(stderr, "cti: %s:%d: line longer than %d characters\n", path, lineno, BATCH_LINE_MAX);
			rc = EXIT_USAGE;
			argc = -2;
		} else if (strlen(line) != (size_t)len) {
			fprintf(stderr, "cti: %s:%d: NUL byte in the line\n", path, lineno);
			rc = EXIT_USAGE;
			argc = -2;
		} else {
			argc = split_line(line, argv, 64);
		}
		if (argc == -2) {
			/* reported above */
		} else if (argc < 0) {
			fprintf(stderr, "cti: %s:%d: too many words\n", path, lineno);
			rc = EXIT_USAGE;
		} else if (argc == 0) {
			continue;
		} else {
			if (!T.json && !T.quiet)
				printf("cti> %s", argv[0]);
			for (int i = 1; i < argc && !T.json && !T.quiet; i++)
				printf(" %s", argv[i]);
			if (!T.json && !T.quiet)
				putchar('\n');
			fflush(stdout);
			rc = run_command(argc, argv);
		}
		if (rc && !worst)
			worst = rc;
		if (rc && !force) {
			fprintf(stderr, "cti: %s:%d: stopped (exit status %d)\n", path, lineno, rc);
			break;
		}
	}
	if (T.stop) {
		/* a signal also ends a blocking read of stdin (EINTR): that is no read error */
		fprintf(stderr, "cti: --batch %s:%d: interrupted\n", path, lineno);
		if (!worst)
			worst = EXIT_INTERRUPTED;
	} else if (ferror(f)) {
		fprintf(stderr, "cti: --batch %s:%d: read error: %s\n", path, lineno + 1, strerror(errno));
		if (!worst)
			worst = EXIT_ERROR;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return worst;
}

static void on_signal(int sig)
{
	(void)sig;
	T.stop = 1;
}

int main(int argc, char **argv)
{
	static const char *const lines[] = { "e1", "t1", NULL };
	static const char *const switches[] = { "euroisdn", "ni2", "ni1", "dms100", "4ess", "5ess", "qsig", NULL };
	static const struct option opts[] = {
		{ "sim", no_argument, NULL, 's' },
		{ "ports", required_argument, NULL, 'p' },
		{ "line", required_argument, NULL, 'l' },
		{ "switch", required_argument, NULL, 'S' },
		{ "real-time", no_argument, NULL, 'R' },
		{ "config", required_argument, NULL, 'c' },
		{ "batch", required_argument, NULL, 'b' },
		{ "force", no_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "progress", no_argument, NULL, 'P' },
		{ "no-progress", no_argument, NULL, 'N' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *batch = NULL;
	int force = 0, ports_set = 0, line_set = 0, rc, o;
	long v;

	T.sim_ports = 2;
	T.switchtype = -1;
	T.progress = isatty(STDERR_FILENO);
	opterr = 0;
	while ((o = getopt_long(argc, argv, "+hvq", opts, NULL)) != -1) {
		switch (o) {
		case 's': T.sim = 1; break;
		case 'p':
			rc = arg_int(NULL, "--ports", optarg, 2, 256, &v);
			if (rc)
				return rc;
			if (v % 2)
				return usage_error(NULL, "--ports %ld: the board is cabled in pairs (accepted: an even "
						   "number 2-256)", v);
			T.sim_ports = (int)v;
			ports_set = 1;
			break;
		case 'l':
			rc = arg_choice(NULL, "--line", optarg, lines);
			if (rc < 0)
				return EXIT_USAGE;
			T.line = rc ? CTI_LINE_T1 : CTI_LINE_E1;
			line_set = 1;
			break;
		case 'S':
			rc = arg_choice(NULL, "--switch", optarg, switches);
			if (rc < 0)
				return EXIT_USAGE;
			T.switchtype = rc;
			break;
		case 'R': T.real_clock = 1; break;
		case 'c':
			if (!optarg[0])
				return usage_error(NULL, "--config: empty file name");
			T.config_path = optarg;
			break;
		case 'b':
			if (!optarg[0])
				return usage_error(NULL, "--batch: empty file name ('-' reads standard input)");
			batch = optarg;
			break;
		case 'f': force = 1; break;
		case 'j': T.json = 1; break;
		case 'P': T.progress = 1; break;
		case 'N': T.progress = 0; break;
		case 'v': T.verbose = 1; break;
		case 'q': T.quiet = 1; break;
		case 'h': print_global_help(stdout); return EXIT_PASS;
		default:
			return arg_getopt_error(NULL, argv, optopt, "--sim, --ports, --line, --switch, --real-time, "
						"--config, --batch, --force, --json, --progress, --no-progress, "
						"--verbose, --quiet, --help");
		}
	}
	if (T.sim && T.config_path)
		return usage_error(NULL, "--sim and --config exclude each other (--config FILE can declare sim spans)");
	if (!T.sim && (ports_set || line_set || T.switchtype >= 0 || T.real_clock))
		return usage_error(NULL, "--ports, --line, --switch and --real-time need --sim");
	if (T.json)
		T.progress = 0;
	{
		/* no SA_RESTART: a signal ends a blocking read or poll at once */
		struct sigaction sa;

		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = on_signal;
		sigemptyset(&sa.sa_mask);
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
	}
	signal(SIGPIPE, SIG_IGN);

	if (batch) {
		if (optind < argc)
			return usage_error(NULL, "--batch takes the commands from %s, not the command line ('%s')",
					   batch, argv[optind]);
		rc = run_batch(batch, force);
	} else if (optind >= argc) {
		print_global_help(stderr);
		return EXIT_USAGE;
	} else {
		rc = run_command(argc - optind, argv + optind);
	}
	if (T.ctx)
		cti_close(T.ctx);
	return rc;
}
