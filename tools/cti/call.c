// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * call.c - test calls: `cti call`, `answer`, `dtmf`, `record`, `play`,
 * `fax`, `levels`, and the test responder that answers calls (echo,
 * milliwatt, record, silent, fax). On the emulated board both ends run in
 * this process: the responder answers on the far span.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tool.h"

/* ------------------------------------------------------------------ */
/* responder                                                            */

#define MAX_RESP 64

struct resp_call {
	cti_call_t *call;
	char pending[64];	/* DTMF echo: digits waiting for the generator */
	int sending;
	int number;
};

static struct resp_call rcalls[MAX_RESP];

/* First error of a responder's recording or fax file since the command started. */
static char resp_error[1024];

/*
 * The responder's recording file: the --file/--peer-file pattern with each
 * "%d" replaced by the call number. Everything else is taken literally (the
 * name is never a printf format). Returns 0, or -1 when the name does not fit.
 */
static int resp_path(const char *pattern, int number, char *buf, size_t size)
{
	size_t used = 0;

	for (const char *p = pattern; *p; p++) {
		int n;

		if (p[0] == '%' && p[1] == 'd') {
			n = snprintf(buf + used, size - used, "%d", number);
			p++;
		} else {
			n = snprintf(buf + used, size - used, "%c", *p);
		}
		if (n < 0 || (size_t)n >= size - used)
			return -1;
		used += (size_t)n;
	}
	if (!used && size)
		buf[0] = '\0';
	return 0;
}

/* Fax responder (`cti fax receive`): outcome of the last fax received. */
static struct {
	int done, result, pages;
	char text[64];
} rfax;

static struct resp_call *rfind(cti_call_t *call)
{
	for (int i = 0; i < MAX_RESP; i++)
		if (rcalls[i].call == call)
			return &rcalls[i];
	return NULL;
}

static void echo_flush(struct resp_call *r)
{
	if (r->sending || !r->pending[0])
		return;
	if (cti_send_dtmf(r->call, r->pending, 0, 0, 0) > 0) {
		r->sending = 1;
		r->pending[0] = '\0';
	}
}

static void resp_start(struct resp_call *r)
{
	cti_term_t term;

	cti_term_init(&term);
	switch (T.resp) {
	case RESP_MILLIWATT:
		cti_play_tone(r->call, CTI_TONE_MILLIWATT, &term);
		break;
	case RESP_RECORD: {
		cti_record_params_t rp;
		char path[512];

		cti_record_params_init(&rp);
		if (resp_path(T.resp_file ? T.resp_file : "cti-answer-%d.wav", r->number, path, sizeof(path))) {
			if (!resp_error[0])
				snprintf(resp_error, sizeof(resp_error), "recording file name longer than %zu characters",
					 sizeof(path) - 1);
			break;
		}
		rp.path = path;
		if (cti_record(r->call, &rp, &term) < 0 && !resp_error[0])
			snprintf(resp_error, sizeof(resp_error), "record %s: %s", path, cti_last_error());
		break;
	}
	case RESP_FAX: {
		cti_fax_params_t fp;

		cti_fax_params_init(&fp);
		fp.receive_path = T.resp_file ? T.resp_file : "cti-fax-received.tif";
		snprintf(fp.ident, sizeof(fp.ident), "cti responder");
		if (cti_fax_receive(r->call, &fp) < 0 && !resp_error[0])
			snprintf(resp_error, sizeof(resp_error), "fax receive %s: %s", fp.receive_path, cti_last_error());
		break;
	}
	default:
		break;
	}
}

void responder_event(const cti_event_t *ev)
{
	struct resp_call *r;

	if (ev->type == CTI_EV_CALL_OFFERED) {
		if (T.resp_span && ev->span != T.resp_span)
			return;
		r = rfind(NULL);
		if (!r) {
			cti_call_reject(ev->call, 17);
			return;
		}
		memset(r, 0, sizeof(*r));
		r->call = ev->call;
		r->number = ++T.resp_ops;
		cti_call_alerting(ev->call);
		if (!T.resp_ring_only)
			cti_call_answer(ev->call);
		return;
	}
	if (!ev->call || !(r = rfind(ev->call)))
		return;
	switch (ev->type) {
	case CTI_EV_CALL_CONNECTED:
		resp_start(r);
		break;
	case CTI_EV_DIGIT:
		if (T.resp == RESP_ECHO && strlen(r->pending) + 1 < sizeof(r->pending)) {
			size_t n = strlen(r->pending);

			r->pending[n] = ev->u.digit.digit;
			r->pending[n + 1] = '\0';
			echo_flush(r);
		}
		break;
	case CTI_EV_OP_DONE:
		if (ev->u.op.kind == CTI_OP_SEND_DTMF) {
			r->sending = 0;
			echo_flush(r);
		}
		if (ev->u.op.reason == CTI_TERM_ERROR && !resp_error[0])
			snprintf(resp_error, sizeof(resp_error), "%s", ev->u.op.message[0] ? ev->u.op.message
								       : cti_strerror(ev->u.op.error));
		break;
	case CTI_EV_FAX_PAGE:
		rfax.pages = ev->u.fax.page;
		progress("fax: page %d received, %d bit/s%s", ev->u.fax.page, ev->u.fax.bit_rate,
			 ev->u.fax.ecm ? ", ECM" : "");
		break;
	case CTI_EV_FAX_DONE:
		rfax.done = 1;
		rfax.result = ev->u.fax.result;
		rfax.pages = ev->u.fax.page;
		snprintf(rfax.text, sizeof(rfax.text), "%s", ev->u.fax.result_text);
		break;
	case CTI_EV_CALL_HANGUP:
		cti_call_release(ev->call);
		break;
	case CTI_EV_CALL_RELEASED:
		r->call = NULL;
		break;
	/* supplementary services: the responder serves them as a network would (cti hold/transfer) */
	case CTI_EV_HOLD_REQUEST:
		cti_call_hold_reply(ev->call, 0);
		break;
	case CTI_EV_RETRIEVE_REQUEST:
		cti_call_retrieve_reply(ev->call, 0);
		break;
	case CTI_EV_TRANSFER_REQUEST:
		/* both far parties are this responder: joining them is accepting */
		cti_transfer_reply(ev->call, 1);
		break;
	case CTI_EV_DEFLECT_REQUEST:
		cti_deflect_reply(ev->call, 1);
		break;
	default:
		break;
	}
}

static int resp_active(void)
{
	for (int i = 0; i < MAX_RESP; i++)
		if (rcalls[i].call)
			return 1;
	return 0;
}

static int resp_idle(void *arg)
{
	(void)arg;
	return !resp_active();
}

/* ------------------------------------------------------------------ */
/* one test call                                                        */

struct callopts {
	const char *cmd;
	const char *number;
	const char *calling;
	const char *span_arg;
	int channel;
	long timeout;		/* s: answer within */
	double hold;		/* s: connected time */
	int tone;
	const char *dtmf;
	const char *record;
	const char *play;
	int resp;		/* -1: default */
	const char *peer_file;
	int levels;		/* print levels every `interval` s while connected */
	long interval;
	cti_fax_params_t *fax;	/* send a fax */
};

struct callrun {
	cti_call_t *call;
	uint64_t t0, t_proc, t_alert, t_answer, t_hangup;
	int answered, hungup, released;
	int cause, location, remote;
	char digits[64];
	int op_kind, op_reason, op_done;
	int fax_pages, fax_done, fax_result;
	char fax_text[64];
	int span, channel;
	int rec_id, rec_error;	/* our recording: its id, CTI_TERM_ERROR seen */
	char rec_message[128];
};

static void call_hook(const cti_event_t *ev, void *arg)
{
	struct callrun *cr = arg;
	uint64_t t;

	if (!cr->call || ev->call != cr->call)
		return;
	t = ev->time_ms - cr->t0;
	switch (ev->type) {
	case CTI_EV_CALL_PROCEEDING:
		cr->t_proc = t ? t : 1;
		break;
	case CTI_EV_CALL_ALERTING:
		cr->t_alert = t ? t : 1;
		break;
	case CTI_EV_CALL_ANSWERED:
		cr->t_answer = t ? t : 1;
		cr->answered = 1;
		cr->span = cti_call_span(ev->call);
		cr->channel = cti_call_channel(ev->call);
		break;
	case CTI_EV_CALL_HANGUP:
		cr->t_hangup = t;
		cr->hungup = 1;
		cr->cause = ev->u.hangup.cause;
		cr->location = ev->u.hangup.location;
		cr->remote = ev->u.hangup.remote;
		break;
	case CTI_EV_CALL_RELEASED:
		cr->released = 1;
		cr->call = NULL;
		break;
	case CTI_EV_DIGIT: {
		size_t n = strlen(cr->digits);

		if (n + 1 < sizeof(cr->digits)) {
			cr->digits[n] = ev->u.digit.digit;
			cr->digits[n + 1] = '\0';
		}
		break;
	}
	case CTI_EV_OP_DONE:
		if (cr->rec_id > 0 && ev->u.op.id == cr->rec_id) {
			if (ev->u.op.reason == CTI_TERM_ERROR && !cr->rec_error) {
				cr->rec_error = 1;
				snprintf(cr->rec_message, sizeof(cr->rec_message), "%s",
					 ev->u.op.message[0] ? ev->u.op.message : cti_strerror(ev->u.op.error));
			}
			break;
		}
		cr->op_kind = ev->u.op.kind;
		cr->op_reason = ev->u.op.reason;
		cr->op_done++;
		break;
	case CTI_EV_FAX_PAGE:
		cr->fax_pages = ev->u.fax.page;
		progress("fax: page %d %s, %d bit/s%s", ev->u.fax.page, ev->u.fax.sending ? "sent" : "received",
			 ev->u.fax.bit_rate, ev->u.fax.ecm ? ", ECM" : "");
		if (!T.json && !T.progress)
			printf("fax: page %d %s (%d bit/s%s)\n", ev->u.fax.page,
			       ev->u.fax.sending ? "sent" : "received", ev->u.fax.bit_rate, ev->u.fax.ecm ? ", ECM" : "");
		break;
	case CTI_EV_FAX_DONE:
		cr->fax_done = 1;
		cr->fax_result = ev->u.fax.result;
		cr->fax_pages = ev->u.fax.page;
		snprintf(cr->fax_text, sizeof(cr->fax_text), "%s", ev->u.fax.result_text);
		break;
	default:
		break;
	}
}

static int answered_or_gone(void *arg)
{
	struct callrun *cr = arg;

	return cr->answered || cr->hungup || cr->released;
}

static int gone(void *arg)
{
	struct callrun *cr = arg;

	return cr->hungup || cr->released;
}

static int released(void *arg)
{
	return ((struct callrun *)arg)->released;
}

static int op_finished(void *arg)
{
	struct callrun *cr = arg;

	return cr->op_done || cr->hungup;
}

static int fax_finished(void *arg)
{
	struct callrun *cr = arg;

	return cr->fax_done || cr->hungup;
}

struct digits_wait {
	struct callrun *cr;
	size_t want;
};

static int digits_back(void *arg)
{
	struct digits_wait *w = arg;

	return strlen(w->cr->digits) >= w->want || w->cr->hungup;
}

static int valid_number(const char *s)
{
	if (!*s || strlen(s) >= CTI_NUMBER_MAX)
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789*#", *s))
			return 0;
	return 1;
}

static int valid_dtmf(const char *s)
{
	if (!*s || strlen(s) > 32)
		return 0;
	for (; *s; s++)
		if (!strchr("0123456789*#ABCD", *s))
			return 0;
	return 1;
}

/* Levels of every active call of this process: the test call and the responder's calls. */
static void print_levels(cti_call_t *ours, double t)
{
	json_t *arr = T.json ? json_array() : NULL;

	for (int i = -1; i < MAX_RESP; i++) {
		cti_call_t *c = i < 0 ? ours : rcalls[i].call;
		double rx, tx;

		if (!c || cti_levels(c, &rx, &tx) < 0)
			continue;
		if (arr)
			json_array_append_new(arr, json_pack("{s:s, s:i, s:i, s:f, s:f}", "role",
							     i < 0 ? "test call" : "responder", "span",
							     cti_call_span(c), "channel", cti_call_channel(c),
							     "rx_dbm0", rx, "tx_dbm0", tx));
		else
			printf("%6.1f s  span %d channel %2d (%s): rx %6.1f dBm0  tx %6.1f dBm0\n", t, cti_call_span(c),
			       cti_call_channel(c), i < 0 ? "test call" : "responder", rx, tx);
	}
	if (arr)
		json_out(json_pack("{s:f, s:o}", "time", t, "calls", arr));
	fflush(stdout);
}

/* Span at the other end of span's cable (emulated board), or 0. */
static int peer_span_of(int span)
{
	cti_span_status_t st;
	int pport;

	if (!sim_mode() || cti_span_status(T.ctx, span, &st) < 0)
		return 0;
	pport = cti_cable_peer(T.ctx, st.port);
	return pport > 0 ? span_of_port(pport) : 0;
}

/* --channel C on span: a B-channel of that span, or a usage error naming the span's B-channels. */
static int channel_check(struct callopts *o, int span)
{
	cti_span_status_t st;
	char bch[96];
	size_t n = 0;

	if (cti_span_status(T.ctx, span, &st) < 0)
		return lib_error(o->cmd, CTI_ENOENT);
	for (int c = 1; c <= st.nchannels && c <= 32; c++) {
		int last = c;

		if (st.chan_state[c - 1] == 'D' || st.chan_state[c - 1] == '-')
			continue;
		while (last < st.nchannels && st.chan_state[last] != 'D' && st.chan_state[last] != '-')
			last++;
		if (n < sizeof(bch))
			n += (size_t)snprintf(bch + n, sizeof(bch) - n, last > c ? "%s%d-%d" : "%s%d", n ? "," : "", c,
					      last);
		c = last;
	}
	if (!n)
		snprintf(bch, sizeof(bch), "none");
	if (o->channel > st.nchannels)
		return usage_error(o->cmd, "--channel %d: span %s has channels 1-%d (B-channels: %s)", o->channel,
				   st.name, st.nchannels, bch);
	if (st.chan_state[o->channel - 1] == 'D')
		return usage_error(o->cmd, "--channel %d is the D-channel of span %s (B-channels: %s)", o->channel,
				   st.name, bch);
	if (st.chan_state[o->channel - 1] == '-')
		return usage_error(o->cmd, "--channel %d is not a B-channel of span %s (B-channels: %s)", o->channel,
				   st.name, bch);
	return 0;
}

/* Lowest level (dBm0) a returned test tone may have: the milliwatt is sent at 0 dBm0. */
#define TONE_MIN_DBM0 (-20.0)

static int call_run(struct callopts *o)
{
	struct callrun cr;
	cti_call_params_t p;
	json_t *j = NULL;
	int rc, span = 0, result = EXIT_PASS, own_resp = 0, interrupted = 0, resp;
	double rx = -99, tx = -99;
	const char *what_failed = NULL;

	/* arguments and files first: a bad command line never opens the spans */
	if (o->channel && !o->span_arg)
		return usage_error(o->cmd, "--channel %d needs --span (channel numbers are per span)", o->channel);
	if (o->record && (rc = out_path_check(o->cmd, !strcmp(o->cmd, "record") ? "FILE"
							  : "--record", o->record)))
		return rc;
	resp = o->resp >= 0 ? o->resp : o->tone || o->levels ? RESP_MILLIWATT : o->fax ? RESP_FAX : RESP_ECHO;
	if (o->peer_file && (resp == RESP_RECORD || resp == RESP_FAX)) {
		char first[512];

		if (resp_path(o->peer_file, 1, first, sizeof(first)))
			return usage_error(o->cmd, "--peer-file: file name longer than %zu characters",
					   sizeof(first) - 1);
		if ((rc = out_path_check(o->cmd, "--peer-file", first)))
			return rc;
	}
	if ((rc = tool_open(o->cmd)))
		return rc;
	if (o->span_arg && (rc = span_arg(o->cmd, o->span_arg, &span)))
		return rc;
	if (o->channel && (rc = channel_check(o, span)))
		return rc;
	if (T.stop) {
		fprintf(stderr, "cti %s: interrupted before the call\n", o->cmd);
		return EXIT_INTERRUPTED;
	}
	/*
	 * The responder answers on the far end: by default on the emulated board (echo;
	 * milliwatt for --tone), and with --responder wherever both ends are spans of this
	 * context (a --config with both sides of a DAHDI trunk). It answers for this
	 * command only: the next command of a --batch starts with its own default.
	 */
	if ((sim_mode() || o->resp > 0) && T.resp == RESP_NONE) {
		T.resp = (enum responder)resp;
		T.resp_file = o->peer_file;
		T.resp_span = span ? peer_span_of(span) : 0;
		resp_error[0] = '\0';
		own_resp = 1;
	}
	/*
	 * Real spans: when both ends start at about the same time their SABMEs cross and one
	 * side re-establishes the link after T200 (1 s, Q.921 5.5.1), dropping what was sent
	 * meanwhile: give the link two T200 to be stable before the SETUP.
	 */
	if (!sim_mode())
		run_for(2000, NULL, NULL);
	memset(&cr, 0, sizeof(cr));
	cti_call_params_init(&p);
	snprintf(p.called.number, sizeof(p.called.number), "%s", o->number);
	if (o->calling)
		snprintf(p.calling.number, sizeof(p.calling.number), "%s", o->calling);
	p.span = span;
	p.channel = o->channel;
	T.hook = call_hook;
	T.hook_arg = &cr;
	cr.t0 = now_ms();
	cr.call = cti_call_place(T.ctx, &p);
	if (!cr.call) {
		T.hook = NULL;
		if (own_resp)
			T.resp = RESP_NONE;
		return lib_error(o->cmd, CTI_EIO);
	}
	if (!T.json)
		printf("calling %s%s%s\n", o->number, span ? " on span " : "", span ? o->span_arg : "");
	fflush(stdout);	/* live progress also through a pipe or into a file */
	run_for((uint32_t)o->timeout * 1000, answered_or_gone, &cr);
	if (cr.answered) {
		cti_term_t term;

		if (!T.json)
			printf("answered after %llu ms on span %d channel %d\n", (unsigned long long)cr.t_answer,
			       cr.span, cr.channel);
		fflush(stdout);
		cti_term_init(&term);
		if (o->record) {
			cti_record_params_t rp;

			cti_record_params_init(&rp);
			rp.path = o->record;
			rc = cti_record(cr.call, &rp, &term);
			if (rc < 0)
				what_failed = "record", result = lib_error(o->cmd, rc);
			else
				cr.rec_id = rc;
		}
		if (o->tone && !T.stop) {
			rc = cti_play_tone(cr.call, CTI_TONE_MILLIWATT, &term);
			if (rc < 0) {
				what_failed = "tone", result = lib_error(o->cmd, rc);
			} else {
				int got = 0;

				/* the tone must come back steadily: the lowest of 4 readings, 100 ms apart */
				run_for(500, gone, &cr);
				rx = 99;
				for (int i = 0; i < 4 && !cr.hungup && !T.stop; i++) {
					double r, t;

					run_for(100, gone, &cr);
					if (cr.hungup || cti_levels(cr.call, &r, &t) < 0)
						break;
					if (r < rx)
						rx = r;
					tx = t;
					got++;
				}
				if (!got)
					rx = -99;
				if (got && !T.json)
					printf("levels: tx %.1f dBm0, rx %.1f dBm0%s\n", tx, rx,
					       rx < TONE_MIN_DBM0 ? " - NO TONE CAME BACK" : "");
				if (!T.stop && (got < 4 || rx < TONE_MIN_DBM0)) {
					if (!T.json)
						printf("tone: received %.1f dBm0, expected at least %.0f dBm0 - FAIL\n",
						       rx, TONE_MIN_DBM0);
					what_failed = "tone";
					result = EXIT_FAIL;
				}
			}
		}
		if (o->dtmf && !T.stop) {
			struct digits_wait w = { &cr, strlen(o->dtmf) };

			cr.digits[0] = '\0';
			rc = cti_send_dtmf(cr.call, o->dtmf, 0, 0, 0);
			if (rc < 0) {
				what_failed = "dtmf", result = lib_error(o->cmd, rc);
			} else {
				/* 160 ms per digit, plus the way back */
				run_for((uint32_t)(w.want * 200 + 3000), digits_back, &w);
				if (!T.json)
					printf("dtmf: sent %s, received %s%s\n", o->dtmf, cr.digits[0] ? cr.digits : "nothing",
					       strcmp(cr.digits, o->dtmf) ? " - MISMATCH" : "");
				if (strcmp(cr.digits, o->dtmf)) {
					what_failed = "dtmf";
					result = EXIT_FAIL;
				}
			}
		}
		if (o->play && !T.stop) {
			cr.op_done = 0;
			rc = cti_play_file(cr.call, o->play, &term);
			if (rc < 0) {
				what_failed = "play", result = lib_error(o->cmd, rc);
			} else {
				run_for(3600 * 1000, op_finished, &cr);
				if (!T.json)
					printf("play: %s ended (%s)\n", o->play, cti_term_reason_name(cr.op_reason));
				if (cr.op_reason != CTI_TERM_EOD)
					what_failed = "play", result = EXIT_FAIL;
			}
		}
		if (o->fax && !T.stop) {
			rc = cti_fax_send(cr.call, o->fax);
			if (rc < 0) {
				what_failed = "fax", result = lib_error(o->cmd, rc);
			} else {
				/* libcti stops a fax at 30 minutes and says so: wait a little longer. */
				run_for(31 * 60 * 1000, fax_finished, &cr);
				progress_end();
				if (!T.json)
					printf("fax: %s, %d page%s\n", cr.fax_done ? cr.fax_text : "no result",
					       cr.fax_pages, cr.fax_pages == 1 ? "" : "s");
				if (!cr.fax_done || cr.fax_result != 0)
					what_failed = "fax", result = EXIT_FAIL;
			}
		}
		if (o->levels) {
			for (double s = 0; s < o->hold && !cr.hungup && !T.stop; s += (double)o->interval) {
				run_for((uint32_t)o->interval * 1000, gone, &cr);
				if (cr.hungup)
					break;
				print_levels(cr.call, (double)(now_ms() - cr.t0) / 1000.0);
			}
		} else {
			run_for((uint32_t)(o->hold * 1000), gone, &cr);
		}
		if (!cr.hungup)
			cti_call_hangup(cr.call, 16, CTI_LOC_DEFAULT);
	} else if (!cr.hungup) {
		if (!T.json && !T.stop)
			printf("no answer within %ld s\n", o->timeout);
		cti_call_hangup(cr.call, 16, CTI_LOC_DEFAULT);
		result = EXIT_FAIL;
	} else {
		result = EXIT_FAIL;
	}
	/*
	 * SIGINT/SIGTERM: the call is cleared normally (cause 16) and the result is
	 * "interrupted", never PASS. The clearing below runs despite the signal; a
	 * second signal cuts it short.
	 */
	if (T.stop) {
		interrupted = 1;
		T.stop = 0;
		if (!T.json)
			printf("interrupted: clearing the call\n");
	}
	run_for(10000, gone, &cr);
	if (cr.call && !cr.released)
		cti_call_release(cr.call);
	run_for(10000, released, &cr);
	/* let the responder's side finish clearing too */
	run_for(2000, NULL, NULL);
	T.hook = NULL;
	if (interrupted)
		T.stop = 1;
	if (own_resp) {
		T.resp = RESP_NONE;
		T.resp_file = NULL;
		T.resp_span = 0;
	}
	if (!cr.answered)
		result = EXIT_FAIL;
	if (cr.rec_error) {
		fprintf(stderr, "cti %s: recording to %s failed: %s\n", o->cmd, o->record, cr.rec_message);
		what_failed = "record";
		result = EXIT_ERROR;
	}
	if (own_resp && resp_error[0]) {
		fprintf(stderr, "cti %s: responder: %s\n", o->cmd, resp_error);
		what_failed = "responder";
		result = EXIT_ERROR;
	}
	if (interrupted) {
		what_failed = "interrupted";
		result = EXIT_INTERRUPTED;
	}
	if (T.json) {
		j = json_pack("{s:s, s:b, s:I, s:I, s:I, s:i, s:i, s:i, s:s, s:b, s:b}", "number", o->number,
			      "answered", cr.answered, "proceeding_ms", (json_int_t)cr.t_proc, "alerting_ms",
			      (json_int_t)cr.t_alert, "answer_ms", (json_int_t)cr.t_answer, "span", cr.span,
			      "channel", cr.channel, "cause", cr.cause, "cause_text", cti_cause_text(cr.cause),
			      "remote_clear", cr.remote, "pass", result == EXIT_PASS);
		if (interrupted)
			json_object_set_new(j, "interrupted", json_true());
		if (o->dtmf)
			json_object_set_new(j, "dtmf", json_pack("{s:s, s:s}", "sent", o->dtmf, "received", cr.digits));
		if (o->tone)
			json_object_set_new(j, "levels", json_pack("{s:f, s:f}", "tx_dbm0", tx, "rx_dbm0", rx));
		if (o->fax)
			json_object_set_new(j, "fax", json_pack("{s:b, s:i, s:i, s:s}", "done", cr.fax_done, "result",
								 cr.fax_result, "pages", cr.fax_pages, "text",
								 cr.fax_text));
		if (what_failed)
			json_object_set_new(j, "failed", json_string(what_failed));
		json_out(j);
	} else {
		if (cr.t_proc)
			printf("progress: proceeding %llu ms", (unsigned long long)cr.t_proc);
		if (cr.t_alert)
			printf("%salerting %llu ms", cr.t_proc ? ", " : "progress: ", (unsigned long long)cr.t_alert);
		if (cr.t_proc || cr.t_alert)
			printf("\n");
		printf("cleared by %s: cause %d (%s)\n", cr.remote ? "the far end" : "us", cr.cause,
		       cti_cause_text(cr.cause));
		printf("result: %s\n", result == EXIT_PASS ? "PASS" : interrupted ? "INTERRUPTED" : "FAIL");
	}
	return result;
}

/* ------------------------------------------------------------------ */
/* option parsing shared by the call commands                           */

enum {
	O_SPAN = 1000, O_CHANNEL, O_CALLING, O_TIMEOUT, O_HOLD, O_TONE, O_DTMF, O_RESP, O_RECORD, O_SECONDS,
	O_PEERFILE, O_IDENT, O_NOECM, O_DURATION, O_INTERVAL,
};

static const struct option call_opts[] = {
	{ "span", required_argument, NULL, O_SPAN },
	{ "channel", required_argument, NULL, O_CHANNEL },
	{ "calling", required_argument, NULL, O_CALLING },
	{ "timeout", required_argument, NULL, O_TIMEOUT },
	{ "hold", required_argument, NULL, O_HOLD },
	{ "tone", no_argument, NULL, O_TONE },
	{ "dtmf", required_argument, NULL, O_DTMF },
	{ "responder", required_argument, NULL, O_RESP },
	{ "record", required_argument, NULL, O_RECORD },
	{ "seconds", required_argument, NULL, O_SECONDS },
	{ "peer-file", required_argument, NULL, O_PEERFILE },
	{ "ident", required_argument, NULL, O_IDENT },
	{ "no-ecm", no_argument, NULL, O_NOECM },
	{ "duration", required_argument, NULL, O_DURATION },
	{ "interval", required_argument, NULL, O_INTERVAL },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const char *const resp_names[] = { "none", "echo", "milliwatt", "record", "silent", "fax", NULL };

/* Parse the options; returns 0 or an exit code; positional args left at argv[optind..]. */
static int call_parse(struct callopts *o, cti_fax_params_t *fp, int argc, char **argv)
{
	int opt, rc;
	long v;
	double d;

	while ((opt = tool_getopt(argc, argv, "h", call_opts)) != -1) {
		switch (opt) {
		case O_SPAN: o->span_arg = optarg; break;
		case O_CHANNEL:
			if ((rc = arg_int(o->cmd, "--channel", optarg, 1, 31, &v)))
				return rc;
			o->channel = (int)v;
			break;
		case O_CALLING:
			if (!valid_number(optarg))
				return usage_error(o->cmd, "--calling '%s': digits 0-9 * # only (up to %d)", optarg,
						   CTI_NUMBER_MAX - 1);
			o->calling = optarg;
			break;
		case O_TIMEOUT:
			if ((rc = arg_int(o->cmd, "--timeout", optarg, 1, 3600, &o->timeout)))
				return rc;
			break;
		case O_HOLD:
		case O_SECONDS:
		case O_DURATION:
			if ((rc = arg_double(o->cmd, opt == O_HOLD ? "--hold" : opt == O_SECONDS ? "--seconds"
									    : "--duration",
					     optarg, 0, 86400, &d)))
				return rc;
			o->hold = d;
			break;
		case O_INTERVAL:
			if ((rc = arg_int(o->cmd, "--interval", optarg, 1, 3600, &o->interval)))
				return rc;
			break;
		case O_TONE: o->tone = 1; break;
		case O_DTMF:
			if (!valid_dtmf(optarg))
				return usage_error(o->cmd, "--dtmf '%s': digits 0-9 * # A-D only (1-32)", optarg);
			o->dtmf = optarg;
			break;
		case O_RESP:
			o->resp = arg_choice(o->cmd, "--responder", optarg, resp_names);
			if (o->resp < 0)
				return EXIT_USAGE;
			break;
		case O_RECORD: o->record = optarg; break;
		case O_PEERFILE: o->peer_file = optarg; break;
		case O_IDENT: snprintf(fp->ident, sizeof(fp->ident), "%s", optarg); break;
		case O_NOECM: fp->ecm = 0; break;
		case 'h': return show_help(o->cmd) == 0 ? -1 : EXIT_USAGE;
		default:
			return arg_getopt_error(o->cmd, argv, optopt, "--span, --channel, --calling, --timeout, --hold, "
						"--tone, --dtmf, --responder, --record, --seconds, --peer-file, --ident, "
						"--no-ecm, --duration, --interval, --help");
		}
	}
	return 0;
}

static void call_defaults(struct callopts *o, const char *cmd)
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->timeout = 30;
	o->hold = 1;
	o->resp = -1;
	o->interval = 1;
}

#define PARSE_OR_RETURN(o, fp, argc, argv)                          \
	do {                                                        \
		int rc_ = call_parse(o, fp, argc, argv);            \
		if (rc_)                                            \
			return rc_ < 0 ? EXIT_PASS : rc_;           \
	} while (0)

static int need_number(struct callopts *o, const char *s)
{
	if (!valid_number(s))
		return usage_error(o->cmd, "NUMBER '%s': digits 0-9 * # only (1-%d)", s, CTI_NUMBER_MAX - 1);
	o->number = s;
	return 0;
}

int cmd_call(int argc, char **argv)
{
	struct callopts o;
	cti_fax_params_t fp;
	int rc;

	call_defaults(&o, "call");
	PARSE_OR_RETURN(&o, &fp, argc, argv);
	if (argc - optind != 1)
		return usage_error("call", "expects one NUMBER");
	if ((rc = need_number(&o, argv[optind])))
		return rc;
	return call_run(&o);
}

int cmd_dtmf(int argc, char **argv)
{
	struct callopts o;
	cti_fax_params_t fp;
	int rc;

	call_defaults(&o, "dtmf");
	PARSE_OR_RETURN(&o, &fp, argc, argv);
	if (argc - optind != 2)
		return usage_error("dtmf", "expects NUMBER and DIGITS");
	if ((rc = need_number(&o, argv[optind])))
		return rc;
	if (!valid_dtmf(argv[optind + 1]))
		return usage_error("dtmf", "DIGITS '%s': 0-9 * # A-D only (1-32)", argv[optind + 1]);
	o.dtmf = argv[optind + 1];
	return call_run(&o);
}

int cmd_record(int argc, char **argv)
{
	struct callopts o;
	cti_fax_params_t fp;
	int rc;

	call_defaults(&o, "record");
	o.hold = 5;
	PARSE_OR_RETURN(&o, &fp, argc, argv);
	if (argc - optind != 2)
		return usage_error("record", "expects NUMBER and FILE");
	if ((rc = need_number(&o, argv[optind])))
		return rc;
	o.record = argv[optind + 1];
	if (o.resp < 0)
		o.resp = RESP_MILLIWATT;
	return call_run(&o);
}

int cmd_play(int argc, char **argv)
{
	struct callopts o;
	cti_fax_params_t fp;
	int rc;

	call_defaults(&o, "play");
	o.hold = 0;
	PARSE_OR_RETURN(&o, &fp, argc, argv);
	if (argc - optind != 2)
		return usage_error("play", "expects NUMBER and FILE");
	if ((rc = need_number(&o, argv[optind])))
		return rc;
	if ((rc = in_path_check("play", "FILE", argv[optind + 1])))
		return rc;
	o.play = argv[optind + 1];
	return call_run(&o);
}

int cmd_levels(int argc, char **argv)
{
	struct callopts o;
	cti_fax_params_t fp;
	int rc;

	call_defaults(&o, "levels");
	o.hold = 5;
	PARSE_OR_RETURN(&o, &fp, argc, argv);
	if (argc - optind != 1)
		return usage_error("levels", "expects NUMBER (a test call is placed and its levels shown)");
	if ((rc = need_number(&o, argv[optind])))
		return rc;
	o.levels = 1;
	return call_run(&o);
}

/* Wait for calls and let the responder handle them. */
static int answered_enough(void *arg)
{
	long want = *(long *)arg;

	return T.resp_ops >= want && !resp_active();
}

int cmd_answer(int argc, char **argv)
{
	static const char *const modes[] = { "echo", "milliwatt", "record", "silent", "fax", NULL };
	static const struct option opts[] = {
		{ "span", required_argument, NULL, 's' },
		{ "mode", required_argument, NULL, 'm' },
		{ "file", required_argument, NULL, 'f' },
		{ "count", required_argument, NULL, 'n' },
		{ "timeout", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *span_s = NULL, *file = NULL;
	long count = 1, timeout = 60;
	int mode = RESP_ECHO, rc, o, span = 0, pass;

	while ((o = tool_getopt(argc, argv, "h", opts)) != -1) {
		switch (o) {
		case 's': span_s = optarg; break;
		case 'm':
			rc = arg_choice("answer", "--mode", optarg, modes);
			if (rc < 0)
				return EXIT_USAGE;
			mode = RESP_ECHO + rc;
			break;
		case 'f': file = optarg; break;
		case 'n': if ((rc = arg_int("answer", "--count", optarg, 1, 1000000, &count))) return rc; break;
		case 't': if ((rc = arg_int("answer", "--timeout", optarg, 1, 86400, &timeout))) return rc; break;
		case 'h': return show_help("answer");
		default: return arg_getopt_error("answer", argv, optopt, "--span, --mode, --file, --count, --timeout, "
						 "--help");
		}
	}
	if (optind != argc)
		return usage_error("answer", "takes no arguments ('%s')", argv[optind]);
	if ((mode == RESP_RECORD || mode == RESP_FAX) && !file)
		return usage_error("answer", "--mode %s needs --file", modes[mode - RESP_ECHO]);
	if (file && mode != RESP_RECORD && mode != RESP_FAX)
		return usage_error("answer", "--file goes with --mode record or fax");
	if (file) {
		char first[512];

		if (resp_path(file, 1, first, sizeof(first)))
			return usage_error("answer", "--file: file name longer than %zu characters", sizeof(first) - 1);
		if ((rc = out_path_check("answer", "--file", mode == RESP_FAX ? file : first)))
			return rc;
	}
	/* the responder runs from the start: a call may arrive while the lines settle */
	T.resp = (enum responder)mode;
	T.resp_file = file;
	T.resp_span = 0;
	T.resp_ops = 0;
	resp_error[0] = '\0';
	memset(&rfax, 0, sizeof(rfax));
	if ((rc = tool_open("answer")) || (span_s && (rc = span_arg("answer", span_s, &span)))) {
		T.resp = RESP_NONE;
		return rc;
	}
	T.resp_span = span;
	if (!T.json)
		printf("answering%s%s (%s), up to %ld call%s, %ld s\n", span ? " on " : "", span ? span_s : "",
		       modes[mode - RESP_ECHO], count, count == 1 ? "" : "s", timeout);
	fflush(stdout);
	run_for((uint32_t)timeout * 1000, answered_enough, &count);
	/* a fax responder passes only on a complete fax (T.30 result OK), not on answering */
	pass = T.resp_ops >= count && (mode != RESP_FAX || (rfax.done && rfax.result == 0)) && !resp_error[0] &&
	       !T.stop;
	if (T.json) {
		json_t *j = json_pack("{s:i, s:b}", "answered", T.resp_ops, "pass", pass);

		if (mode == RESP_FAX)
			json_object_set_new(j, "fax", json_pack("{s:b, s:i, s:i, s:s}", "done", rfax.done, "result",
								 rfax.result, "pages", rfax.pages, "text",
								 rfax.done ? rfax.text : "no result"));
		json_out(j);
	} else {
		printf("answered %d call%s\n", T.resp_ops, T.resp_ops == 1 ? "" : "s");
		if (mode == RESP_FAX)
			printf("fax: %s, %d page%s\n", rfax.done ? rfax.text : "no result", rfax.pages,
			       rfax.pages == 1 ? "" : "s");
	}
	rc = pass ? EXIT_PASS : EXIT_FAIL;
	if (resp_error[0]) {
		fprintf(stderr, "cti answer: %s\n", resp_error);
		rc = EXIT_ERROR;
	}
	if (T.stop) {
		/* clear the calls still up with cause 16; a second signal cuts this short */
		T.stop = 0;
		for (int i = 0; i < MAX_RESP; i++)
			if (rcalls[i].call)
				cti_call_hangup(rcalls[i].call, 16, CTI_LOC_DEFAULT);
		run_for(5000, resp_idle, NULL);
		T.stop = 1;
		fprintf(stderr, "cti answer: interrupted\n");
		rc = EXIT_INTERRUPTED;
	}
	T.resp = RESP_NONE;
	T.resp_file = NULL;
	return rc;
}

int cmd_fax(int argc, char **argv)
{
	static const char *const dirs[] = { "send", "receive", NULL };
	struct callopts o;
	cti_fax_params_t fp;
	cti_fax_doc_t fax_docs[CTI_FAX_MAX_DOCS];
	int dir, rc;

	call_defaults(&o, "fax");
	o.timeout = 60;
	o.hold = 0;
	cti_fax_params_init(&fp);
	memset(fax_docs, 0, sizeof(fax_docs));
	fp.docs = fax_docs;
	PARSE_OR_RETURN(&o, &fp, argc, argv);
	if (optind >= argc)
		return usage_error("fax", "expects send NUMBER TIFF... or receive TIFF");
	dir = arg_choice("fax", "direction", argv[optind], dirs);
	if (dir < 0)
		return EXIT_USAGE;
	if (dir == 0) {
		if (argc - optind < 3)
			return usage_error("fax", "send expects NUMBER and at least one TIFF");
		if ((rc = need_number(&o, argv[optind + 1])))
			return rc;
		for (int i = optind + 2; i < argc; i++) {
			if (fp.ndocs == CTI_FAX_MAX_DOCS)
				return usage_error("fax", "more than %d documents", CTI_FAX_MAX_DOCS);
			if ((rc = in_path_check("fax", "TIFF", argv[i])))
				return rc;
			rc = cti_fax_check_tiff(argv[i]);
			if (rc < 0) {
				fprintf(stderr, "cti fax: %s\n", cti_last_error());
				return EXIT_USAGE;
			}
			fax_docs[fp.ndocs++].path = argv[i];
		}
		o.fax = &fp;
		if (!o.peer_file)
			o.peer_file = "cti-fax-received.tif";
		return call_run(&o);
	}
	if (argc - optind != 2)
		return usage_error("fax", "receive expects one TIFF file to write");
	if ((rc = out_path_check("fax", "TIFF", argv[optind + 1])))
		return rc;
	{
		char *av[] = { "answer", "--mode", "fax", "--file", argv[optind + 1], "--timeout", NULL, NULL, NULL,
			       NULL };
		char tbuf[32];
		int ac = 7;

		snprintf(tbuf, sizeof(tbuf), "%ld", o.timeout);
		av[6] = tbuf;
		if (o.span_arg) {
			av[ac++] = "--span";
			av[ac++] = (char *)o.span_arg;
		}
		optind = 0;
		return cmd_answer(ac, av);
	}
}
