// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * suppl.c - `cti hold` and `cti transfer`: test what a carrier supports of
 * the ISDN supplementary services. Test calls are placed from this side (a
 * PBX on the user side); on the emulated board the responder on the far
 * span serves the requests as a network would.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

#define NCALLS 2

struct sup_run {
	cti_call_t *call[NCALLS];
	int answered[NCALLS], alerting[NCALLS], hungup[NCALLS], released[NCALLS], remote[NCALLS], cause[NCALLS];
	int held_ev, held_result;
	int retr_ev, retr_result;
	int xfer_ev, xfer_result;
	char xfer_text[128];
};

static int idx_of(struct sup_run *r, cti_call_t *c)
{
	for (int i = 0; i < NCALLS; i++)
		if (c && r->call[i] == c)
			return i;
	return -1;
}

static void sup_hook(const cti_event_t *ev, void *arg)
{
	struct sup_run *r = arg;
	int i = idx_of(r, ev->call);

	if (i < 0)
		return;
	switch (ev->type) {
	case CTI_EV_CALL_ALERTING: r->alerting[i] = 1; break;
	case CTI_EV_CALL_ANSWERED: r->answered[i] = 1; break;
	case CTI_EV_CALL_HANGUP:
		r->hungup[i] = 1;
		r->remote[i] = ev->u.hangup.remote;
		r->cause[i] = ev->u.hangup.cause;
		cti_call_release(ev->call);
		break;
	case CTI_EV_CALL_RELEASED:
		r->released[i] = 1;
		r->call[i] = NULL;
		break;
	case CTI_EV_CALL_HELD:
		r->held_ev = 1;
		r->held_result = ev->u.suppl.result;
		break;
	case CTI_EV_CALL_RETRIEVED:
		r->retr_ev = 1;
		r->retr_result = ev->u.suppl.result;
		break;
	case CTI_EV_TRANSFER_DONE:
		r->xfer_ev = 1;
		r->xfer_result = ev->u.suppl.result;
		snprintf(r->xfer_text, sizeof(r->xfer_text), "%s", ev->u.suppl.text);
		break;
	default:
		break;
	}
}

static struct sup_run *W;
static int wait_i;

static int w_answered(void *a) { (void)a; return W->answered[wait_i] || W->hungup[wait_i]; }
static int w_alerting(void *a) { (void)a; return W->alerting[wait_i] || W->answered[wait_i] || W->hungup[wait_i]; }
static int w_held(void *a) { (void)a; return W->held_ev || W->hungup[0]; }
static int w_retr(void *a) { (void)a; return W->retr_ev || W->hungup[0]; }
static int w_xfer(void *a) { (void)a; return W->xfer_ev && (W->released[0] || W->xfer_result); }
static int w_released(void *a)
{
	(void)a;
	for (int i = 0; i < NCALLS; i++)
		if (W->call[i] && !W->released[i])
			return 0;
	return 1;
}

static int busy_on(int span)
{
	cti_span_status_t st;
	int n = 0;

	if (cti_span_status(T.ctx, span, &st) < 0)
		return -1;
	for (int i = 0; i < st.nchannels; i++)
		n += st.chan_state[i] == 'B';
	return n;
}

struct sup_opts {
	const char *cmd;
	const char *span_arg;
	long timeout;
	double seconds;
	int blind;
};

static int sup_parse(struct sup_opts *o, int argc, char **argv, int transfer)
{
	static const struct option opts[] = {
		{ "span", required_argument, NULL, 's' },
		{ "timeout", required_argument, NULL, 't' },
		{ "seconds", required_argument, NULL, 'S' },
		{ "blind", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int opt, rc;

	o->cmd = argv[0];
	o->timeout = 30;
	o->seconds = 2;
	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 's': o->span_arg = optarg; break;
		case 't':
			if ((rc = arg_int(o->cmd, "--timeout", optarg, 1, 3600, &o->timeout)))
				return rc;
			break;
		case 'S':
			if (transfer)
				return usage_error(o->cmd, "--seconds: only for cti hold");
			if ((rc = arg_double(o->cmd, "--seconds", optarg, 0, 3600, &o->seconds)))
				return rc;
			break;
		case 'b':
			if (!transfer)
				return usage_error(o->cmd, "--blind: only for cti transfer");
			o->blind = 1;
			break;
		case 'h': return show_help(o->cmd) == 0 ? -1 : EXIT_USAGE;
		default:
			return arg_getopt_error(o->cmd, argv, optopt, transfer ? "--span, --timeout, --blind, --help"
									: "--span, --timeout, --seconds, --help");
		}
	}
	return 0;
}

static int number_ok(const char *cmd, const char *s)
{
	if (!*s || strlen(s) >= CTI_NUMBER_MAX || strspn(s, "0123456789*#") != strlen(s))
		return usage_error(cmd, "number '%s': digits 0-9 * # only (1-%d)", s, CTI_NUMBER_MAX - 1);
	return 0;
}

/* Place call i to number on span (0: any); wait for answer (or alerting). 0 ok, else exit code. */
static int sup_place(struct sup_run *r, int i, const char *number, int span, long timeout, int alerting_only)
{
	cti_call_params_t p;

	cti_call_params_init(&p);
	snprintf(p.called.number, sizeof(p.called.number), "%s", number);
	p.span = span;
	r->call[i] = cti_call_place(T.ctx, &p);
	if (!r->call[i])
		return lib_error("call", CTI_EIO);
	W = r;
	wait_i = i;
	run_for((uint32_t)timeout * 1000, alerting_only ? w_alerting : w_answered, NULL);
	if (alerting_only ? (r->alerting[i] || r->answered[i]) : r->answered[i])
		return 0;
	if (!T.json)
		printf("call %d to %s: %s\n", i + 1, number, r->hungup[i] ? "refused" : "no answer");
	return EXIT_FAIL;
}

/* Default span: the given one, or on the emulated board the user side of the first pair (sim2). */
static int sup_span(struct sup_opts *o, int *span)
{
	int rc;

	*span = 0;
	if (o->span_arg) {
		if ((rc = span_arg(o->cmd, o->span_arg, span)))
			return rc;
	} else if (sim_mode()) {
		*span = cti_span_find(T.ctx, "sim2") > 0 ? cti_span_find(T.ctx, "sim2") : 0;
	}
	if (sim_mode() && T.resp == RESP_NONE) {
		cti_span_status_t st;
		int pport;

		T.resp = RESP_SILENT;
		T.resp_span = 0;
		if (*span && cti_span_status(T.ctx, *span, &st) == 0 && (pport = cti_cable_peer(T.ctx, st.port)) > 0)
			T.resp_span = span_of_port(pport);
	}
	return 0;
}

static void sup_finish(struct sup_run *r)
{
	for (int i = 0; i < NCALLS; i++)
		if (r->call[i] && !r->hungup[i])
			cti_call_hangup(r->call[i], 16, CTI_LOC_DEFAULT);
	W = r;
	run_for(10000, w_released, NULL);
	run_for(1000, NULL, NULL);
	T.hook = NULL;
	T.resp_ring_only = 0;
}

int cmd_hold(int argc, char **argv)
{
	struct sup_opts o;
	struct sup_run r;
	int rc, span, result = EXIT_PASS, ch = 0, ch_free = 0, ch2 = 0, supported;
	const char *failed = NULL;

	memset(&o, 0, sizeof(o));
	if ((rc = sup_parse(&o, argc, argv, 0)))
		return rc < 0 ? 0 : rc;
	if (optind != argc - 1)
		return usage_error(o.cmd, "expected one NUMBER (see cti hold --help)");
	if ((rc = number_ok(o.cmd, argv[optind])) || (rc = tool_open(o.cmd)) || (rc = sup_span(&o, &span)))
		return rc;
	memset(&r, 0, sizeof(r));
	T.hook = sup_hook;
	T.hook_arg = &r;
	if ((rc = sup_place(&r, 0, argv[optind], span, o.timeout, 0))) {
		sup_finish(&r);
		return rc;
	}
	span = cti_call_span(r.call[0]);
	ch = cti_call_channel(r.call[0]);
	supported = cti_suppl_supported(T.ctx, span, CTI_SUPPL_HOLD) == 1;
	rc = cti_call_hold(r.call[0]);
	if (rc < 0) {
		failed = cti_last_error();
		result = rc == CTI_ENOTSUP ? EXIT_FAIL : EXIT_ERROR;
		if (!T.json)
			printf("hold: %s\n", failed);
	} else {
		W = &r;
		run_for(10000, w_held, NULL);
		if (!r.held_ev || r.held_result) {
			result = EXIT_FAIL;
			failed = r.held_ev ? cti_cause_text(r.held_result) : "no answer to HOLD";
			if (!T.json)
				printf("hold: refused: %s%s\n", r.held_ev ? "cause " : "", failed);
		} else {
			cti_span_status_t ss;

			ch_free = cti_span_status(T.ctx, span, &ss) == 0 && ss.chan_state[ch - 1] == '.';
			if (!T.json)
				printf("hold: acknowledged, channel %d %s\n", ch, ch_free ? "free while held" : "STILL BUSY");
			run_for((uint32_t)(o.seconds * 1000), NULL, NULL);
			rc = cti_call_retrieve(r.call[0]);
			if (rc == 0) {
				run_for(10000, w_retr, NULL);
			}
			if (rc < 0 || !r.retr_ev || r.retr_result) {
				result = EXIT_FAIL;
				failed = rc < 0 ? cti_last_error() : r.retr_ev ? cti_cause_text(r.retr_result)
									 : "no answer to RETRIEVE";
				if (!T.json)
					printf("retrieve: refused: %s\n", failed);
			} else {
				ch2 = cti_call_channel(r.call[0]);
				if (!T.json)
					printf("retrieve: acknowledged on channel %d\n", ch2);
			}
			if (!ch_free)
				result = EXIT_FAIL;
		}
	}
	sup_finish(&r);
	if (T.json)
		json_out(json_pack("{s:s, s:i, s:b, s:i, s:b, s:i, s:b, s:i, s:s?, s:b}", "number", argv[optind],
				   "span", span, "supported", supported, "channel", ch, "held", r.held_ev && !r.held_result,
				   "held_cause", r.held_result, "channel_freed", ch_free, "retrieved_channel", ch2,
				   "error", failed, "pass", result == EXIT_PASS));
	else
		printf("result: %s\n", result == EXIT_PASS ? "PASS" : "FAIL");
	return result;
}

int cmd_transfer(int argc, char **argv)
{
	struct sup_opts o;
	struct sup_run r;
	int rc, span, result = EXIT_PASS, busy_before = 0, busy_after = -1, held = 0;
	const char *method = "none", *failed = NULL;

	memset(&o, 0, sizeof(o));
	if ((rc = sup_parse(&o, argc, argv, 1)))
		return rc < 0 ? 0 : rc;
	if (optind != argc - 2)
		return usage_error(o.cmd, "expected NUMBER1 NUMBER2 (see cti transfer --help)");
	if ((rc = number_ok(o.cmd, argv[optind])) || (rc = number_ok(o.cmd, argv[optind + 1])) ||
	    (rc = tool_open(o.cmd)) || (rc = sup_span(&o, &span)))
		return rc;
	memset(&r, 0, sizeof(r));
	T.hook = sup_hook;
	T.hook_arg = &r;
	if ((rc = sup_place(&r, 0, argv[optind], span, o.timeout, 0))) {
		sup_finish(&r);
		return rc;
	}
	span = cti_call_span(r.call[0]);
	method = cti_transfer_method(T.ctx, span);
	/* consultative: the first party waits on hold where the switch type has it */
	if (!o.blind && cti_suppl_supported(T.ctx, span, CTI_SUPPL_HOLD) == 1 && cti_call_hold(r.call[0]) == 0) {
		W = &r;
		run_for(10000, w_held, NULL);
		held = r.held_ev && !r.held_result;
	}
	if (T.resp != RESP_NONE && o.blind)
		T.resp_ring_only = 1;	/* the second party only rings */
	if ((rc = sup_place(&r, 1, argv[optind + 1], span, o.timeout, o.blind))) {
		sup_finish(&r);
		return rc;
	}
	busy_before = busy_on(span);
	rc = cti_call_transfer(r.call[0], r.call[1]);
	if (rc < 0) {
		failed = cti_last_error();
		result = rc == CTI_ENOTSUP ? EXIT_FAIL : EXIT_ERROR;
		if (!T.json)
			printf("transfer (%s): %s\n", method, failed);
	} else {
		W = &r;
		run_for((uint32_t)o.timeout * 1000, w_xfer, NULL);
		run_for(2000, w_released, NULL);
		busy_after = busy_on(span);
		if (!r.xfer_ev || r.xfer_result) {
			result = EXIT_FAIL;
			failed = r.xfer_ev ? r.xfer_text : "no answer from the network";
		}
		if (!T.json)
			printf("transfer (%s): %s%s%s%s; B-channels busy on span %d: %d before, %d after\n", method,
			       failed ? "FAILED: " : "done", failed ? failed : !r.xfer_text[0] ? "" : " (",
			       !failed && r.xfer_text[0] ? r.xfer_text : "", !failed && r.xfer_text[0] ? ")" : "", span, busy_before, busy_after);
	}
	sup_finish(&r);
	if (T.json)
		json_out(json_pack("{s:s, s:s, s:i, s:s, s:b, s:b, s:b, s:i, s:i, s:s?, s:b}", "number1", argv[optind],
				   "number2", argv[optind + 1], "span", span, "method", method, "blind", o.blind,
				   "held", held, "transferred", r.xfer_ev && !r.xfer_result, "busy_before", busy_before,
				   "busy_after", busy_after, "error", failed, "pass", result == EXIT_PASS));
	else
		printf("result: %s\n", result == EXIT_PASS ? "PASS" : "FAIL");
	return result;
}
