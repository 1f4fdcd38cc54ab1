/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * sim.c - more of the outside world for ctid's built-in traffic (--sim-calls),
 * beside the basic callers and phones in server.c:
 *
 *   --sim-digits D1,D2,...  caller N sends item N of the list (cycling), so one
 *                           run mixes menu choices (fax, agent, ...)
 *   --sim-fax-digits D      a caller who sent D is a fax machine (T.30 answering
 *                           terminal) and receives what the IVR sends, to
 *                           <--sim-dir>/fax-<calling number>.tif
 *   --sim-caller-voice F    the other callers then talk: F played in a loop
 *   --sim-agent-voice F     agents' phones talk while connected: F in a loop
 *   --sim-listener NUMBER   the phone at position NUMBER (e.g. a supervisor's
 *                           headset) stays silent and records what it hears to
 *                           <--sim-dir>/heard-NUMBER-K.wav (K: its Kth call)
 *
 * so recordings carry two different legs and the fax on demand really
 * arrives. Everything here acts on struct phone (server_int.h) from the
 * hooks sim_event() in server.c calls.
 */
#include "server_int.h"

#include <stdio.h>
#include <string.h>

/* Item n (0-based, cycling) of the comma list --sim-digits; "" when there is none. */
static void caller_digits(const struct server *s, int n, char *out, size_t size)
{
	const char *list = s->opts.sim_digits;
	int items = 1;
	out[0] = 0;
	if (!list[0] || size == 0)
		return;
	for (const char *p = list; *p; p++)
		items += *p == ',';
	int want = n % items;
	const char *p = list;
	for (int i = 0; i < want; i++)
		p = strchr(p, ',') + 1;
	size_t len = strcspn(p, ",");
	if (len >= size)
		len = size - 1;
	memcpy(out, p, len);
	out[len] = 0;
}

static void talk(struct server *s, struct phone *ph, const char *file)
{
	if (!file[0] || !ph->call || cti_call_state(ph->call) != CTI_CALL_CONNECTED)
		return;
	ph->op = cti_play_file(ph->call, file, NULL);
	if (ph->op <= 0) {
		logmsg(s, "sim: cannot play %s: %s", file, cti_last_error());
		ph->op = 0;
		s->errors++;
	}
}

/* The caller's digits are out (or there were none): receive a fax or talk. */
static void caller_dialled(struct server *s, struct phone *ph)
{
	if (ph->fax) {
		char path[sizeof(s->opts.sim_dir) + CTI_NUMBER_MAX + 16];
		cti_call_params_t p;
		cti_fax_params_t fp;
		if (cti_call_get_params(ph->call, &p) < 0)
			p.calling.number[0] = 0;
		snprintf(path, sizeof(path), "%s/fax-%s.tif", s->opts.sim_dir[0] ? s->opts.sim_dir : ".",
			 p.calling.number);
		cti_fax_params_init(&fp);
		fp.receive_path = path;
		fp.calling = 0;	/* answering terminal: the IVR's fax calls us */
		snprintf(fp.ident, sizeof(fp.ident), "%s", p.calling.number);
		ph->op = cti_fax_receive(ph->call, &fp);
		if (ph->op <= 0) {
			logmsg(s, "sim: fax receive to %s: %s", path, cti_last_error());
			ph->op = 0;
			s->errors++;
		} else {
			logmsg(s, "sim: caller %d receives a fax to %s", ph->n, path);
		}
		return;
	}
	talk(s, ph, s->opts.sim_caller_voice);
}

void sim_caller_answered(struct server *s, struct phone *ph)
{
	char digits[sizeof(s->opts.sim_digits)];
	caller_digits(s, ph->n - 1, digits, sizeof(digits));
	ph->fax = s->opts.sim_fax_digits[0] && !strcmp(digits, s->opts.sim_fax_digits);
	if (!digits[0]) {
		caller_dialled(s, ph);
		return;
	}
	ph->op = cti_send_dtmf(ph->call, digits, 0, 0, 0);
	if (ph->op <= 0) {
		logmsg(s, "sim: caller %d cannot send DTMF '%s': %s", ph->n, digits, cti_last_error());
		ph->op = 0;
		s->errors++;
	}
}

void sim_phone_connected(struct server *s, struct phone *ph)
{
	static int heard;	/* calls recorded so far (one server per process) */
	cti_call_params_t p;
	if (s->opts.sim_listener[0] && cti_call_get_params(ph->call, &p) == 0 &&
	    !strcmp(p.called.number, s->opts.sim_listener)) {
		char path[sizeof(s->opts.sim_dir) + CTI_NUMBER_MAX + 32];
		cti_record_params_t rp;
		snprintf(path, sizeof(path), "%s/heard-%s-%d.wav", s->opts.sim_dir[0] ? s->opts.sim_dir : ".",
			 p.called.number, ++heard);
		cti_record_params_init(&rp);
		rp.path = path;
		rp.mode = CTI_REC_MIXED;	/* it sends nothing: what it hears */
		ph->listener = true;
		ph->op = cti_record(ph->call, &rp, NULL);
		if (ph->op <= 0) {
			logmsg(s, "sim: phone %s cannot record to %s: %s", p.called.number, path, cti_last_error());
			ph->op = 0;
			s->errors++;
		} else {
			logmsg(s, "sim: phone %s records what it hears to %s", p.called.number, path);
		}
		return;
	}
	talk(s, ph, s->opts.sim_agent_voice);
}

void sim_op_done(struct server *s, struct phone *ph, const cti_event_t *ev)
{
	if (ev->u.op.id != ph->op)
		return;
	ph->op = 0;
	if (ev->u.op.reason != CTI_TERM_EOD)
		return;	/* hung up, stopped */
	if (ev->u.op.kind == CTI_OP_SEND_DTMF)
		caller_dialled(s, ph);
	else if (ev->u.op.kind == CTI_OP_PLAY && !ph->listener)	/* keep talking until cleared */
		talk(s, ph, ph->n ? s->opts.sim_caller_voice : s->opts.sim_agent_voice);
}
