// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * mwi.c - `cti mwi MAILBOX on|off`: send a QSIG message waiting indication
 * (cti_mwi_send) and report what the far PINX answered. On the emulated
 * board the far span is in this process too: what it received is reported.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

struct mwi_run {
	int span;		/* the sending span */
	int done, result;	/* CTI_EV_MWI_DONE */
	int got, got_active;	/* CTI_EV_MWI on another span (emulated board) */
	char got_mailbox[CTI_NUMBER_MAX], got_centre[CTI_NUMBER_MAX];
};

static void mwi_hook(const cti_event_t *ev, void *arg)
{
	struct mwi_run *r = arg;

	if (ev->type == CTI_EV_MWI_DONE && ev->span == r->span && !r->done) {
		r->done = 1;
		r->result = ev->u.mwi.result;
	} else if (ev->type == CTI_EV_MWI && ev->span != r->span && !r->got) {
		r->got = 1;
		r->got_active = ev->u.mwi.active;
		snprintf(r->got_mailbox, sizeof(r->got_mailbox), "%s", ev->u.mwi.mailbox);
		snprintf(r->got_centre, sizeof(r->got_centre), "%s", ev->u.mwi.centre);
	}
}

static int w_done(void *arg)
{
	return ((struct mwi_run *)arg)->done;
}

static int digits_arg(const char *cmd, const char *what, const char *s, int allow_empty)
{
	if ((!*s && !allow_empty) || strlen(s) >= CTI_NUMBER_MAX || strspn(s, "0123456789*#") != strlen(s))
		return usage_error(cmd, "%s '%s': digits 0-9 * # only (%d-%d)", what, s, allow_empty ? 0 : 1,
				   CTI_NUMBER_MAX - 1);
	return 0;
}

int cmd_mwi(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "span", required_argument, NULL, 's' },
		{ "centre", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	static const char *const states[] = { "off", "on", NULL };
	const char *cmd = argv[0], *span_s = NULL, *centre = NULL, *failed = NULL;
	long timeout = 10;
	int opt, rc, active, supported, result = EXIT_PASS;
	struct mwi_run r;

	optind = 0;
	while ((opt = tool_getopt(argc, argv, "h", opts)) != -1) {
		switch (opt) {
		case 's': span_s = optarg; break;
		case 'c': centre = optarg; break;
		case 't':
			if ((rc = arg_int(cmd, "--timeout", optarg, 1, 3600, &timeout)))
				return rc;
			break;
		case 'h': return show_help(cmd) == 0 ? 0 : EXIT_USAGE;
		default: return arg_getopt_error(cmd, argv, optopt, "--span, --centre, --timeout, --help");
		}
	}
	if (optind != argc - 2)
		return usage_error(cmd, "expected MAILBOX on|off (see cti mwi --help)");
	if ((rc = digits_arg(cmd, "mailbox", argv[optind], 0)) ||
	    (centre && (rc = digits_arg(cmd, "--centre", centre, 1))))
		return rc;
	if ((active = arg_choice(cmd, "state", argv[optind + 1], states)) < 0)
		return EXIT_USAGE;
	if ((rc = tool_open(cmd)))
		return rc;
	memset(&r, 0, sizeof(r));
	if (span_s) {
		if ((rc = span_arg(cmd, span_s, &r.span)))
			return rc;
	} else {
		/* the first QSIG span (on --sim: sim2, the user side, when the pair runs QSIG) */
		int n = cti_span_count(T.ctx);

		r.span = sim_mode() && cti_span_find(T.ctx, "sim2") > 0 ? cti_span_find(T.ctx, "sim2") : 1;
		for (int i = 1; i <= n && cti_suppl_supported(T.ctx, r.span, CTI_SUPPL_MWI) != 1; i++)
			if (cti_suppl_supported(T.ctx, i, CTI_SUPPL_MWI) == 1)
				r.span = i;
	}
	supported = cti_suppl_supported(T.ctx, r.span, CTI_SUPPL_MWI) == 1;
	T.hook = mwi_hook;
	T.hook_arg = &r;
	rc = cti_mwi_send(T.ctx, r.span, argv[optind], centre, active);
	if (rc < 0) {
		failed = cti_last_error();
		result = rc == CTI_ENOTSUP || rc == CTI_EDOWN ? EXIT_FAIL : EXIT_ERROR;
		if (!T.json)
			printf("mwi: %s\n", failed);
	} else {
		run_for((uint32_t)timeout * 1000, w_done, &r);
		run_for(200, NULL, NULL);	/* the far span's event on the emulated board */
		if (!r.done) {
			result = EXIT_FAIL;
			failed = "no answer from the far end";
		} else if (r.result && !r.got) {
			result = EXIT_FAIL;
			failed = cti_cause_text(r.result);
		}
		if (!T.json) {
			printf("mwi: %s for %s sent on span %d (QSIG %s)\n", active ? "on" : "off", argv[optind], r.span,
			       active ? "MWIActivate" : "MWIDeactivate");
			if (!r.done)
				printf("far end: no answer\n");
			else if (r.result)
				printf("far end: cleared with cause %d (%s)\n", r.result, cti_cause_text(r.result));
			else
				printf("far end: acknowledged\n");
			if (r.got)
				printf("far span received: %s for %s%s%s\n", r.got_active ? "on" : "off",
				       r.got_mailbox, r.got_centre[0] ? " from " : "", r.got_centre);
		}
	}
	T.hook = NULL;
	if (T.json)
		json_out(json_pack("{s:s, s:b, s:i, s:b, s:b, s:i, s:b, s:s?, s:s?, s:b, s:s?, s:b}", "mailbox",
				   argv[optind], "active", active, "span", r.span, "supported", supported, "answered",
				   r.done, "cause", r.result, "received", r.got, "received_mailbox",
				   r.got ? r.got_mailbox : NULL, "received_centre", r.got ? r.got_centre : NULL,
				   "received_active", r.got_active, "error", failed, "pass", result == EXIT_PASS));
	else
		printf("result: %s\n", result == EXIT_PASS ? "PASS" : "FAIL");
	return result;
}
