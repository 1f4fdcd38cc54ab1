// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bert.c - `cti bert`: O.150 PRBS test through a far-end loop or against a
 * far-end BERT, with the G.821 / G.826 performance figures: errored
 * seconds (ES), severely errored seconds (SES: BER >= 1e-3 or no pattern
 * sync in the second) and availability (a period of unavailable time starts
 * with 10 consecutive SES and ends with 10 consecutive non-SES seconds,
 * G.821 Annex A; ES% and SES% are counted over available time only).
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "tool.h"

enum far_mode { FAR_AUTO, FAR_LOOP, FAR_PEER, FAR_NONE };

struct g821 {
	uint32_t seconds, available, unavailable, es, ses;
};

/* Classify seconds per G.821 Annex A; ses[i]/es[i] are per-second flags. */
static void g821_eval(const uint8_t *es, const uint8_t *ses, uint32_t n, struct g821 *g)
{
	int unavail = 0;
	uint32_t i = 0;

	memset(g, 0, sizeof(*g));
	g->seconds = n;
	while (i < n) {
		uint32_t run = 0;

		/* length of the run of equal SES state starting at i (up to 10) */
		while (i + run < n && run < 10 && (ses[i + run] != 0) == !unavail)
			run++;
		if (run == 10) {
			/* 10 consecutive seconds of the other kind: state changes, they belong to it */
			unavail = !unavail;
		}
		for (uint32_t k = 0; k < (run == 10 ? 10 : 1); k++, i++) {
			if (unavail) {
				g->unavailable++;
			} else {
				g->available++;
				g->es += es[i] || ses[i];
				g->ses += ses[i];
			}
		}
	}
}

struct bert_side {
	int span;
	cti_span_status_t st;
	cti_bert_status_t base;	/* counts when the measurement started */
	cti_bert_status_t bs, prev;	/* since base */
	uint8_t *es, *ses;
	uint32_t n;
	struct g821 g;
};

static void side_sample(struct bert_side *s)
{
	cti_bert_status_t now;

	s->prev = s->bs;
	cti_bert_status(T.ctx, s->span, &now);
	s->bs = now;
	s->bs.bits -= s->base.bits;
	s->bs.errors -= s->base.errors;
	s->bs.sync_losses -= s->base.sync_losses;
	s->bs.seconds -= s->base.seconds;
	s->bs.errored_seconds -= s->base.errored_seconds;
	s->bs.severely_errored_seconds -= s->base.severely_errored_seconds;
	s->es[s->n] = s->bs.errored_seconds > s->prev.errored_seconds || s->bs.errors > s->prev.errors;
	s->ses[s->n] = s->bs.severely_errored_seconds > s->prev.severely_errored_seconds || !s->bs.sync ||
		       s->bs.sync_losses > s->prev.sync_losses;
	s->n++;
}

static double ber_of(const cti_bert_status_t *b)
{
	return b->bits ? (double)b->errors / (double)b->bits : 0.0;
}

static int side_pass(const struct bert_side *s, double threshold)
{
	return s->bs.bits > 0 && ber_of(&s->bs) <= threshold && s->bs.sync;
}

static json_t *side_json(const struct bert_side *s, double threshold)
{
	const struct g821 *g = &s->g;

	return json_pack("{s:s, s:b, s:I, s:I, s:f, s:i, s:i, s:i, s:i, s:f, s:f, s:i, s:i, s:b}",
			 "span", s->st.name, "sync", s->bs.sync, "bits", (json_int_t)s->bs.bits,
			 "errors", (json_int_t)s->bs.errors, "ber", ber_of(&s->bs), "sync_losses",
			 (int)s->bs.sync_losses, "seconds", (int)g->seconds, "es", (int)g->es, "ses", (int)g->ses,
			 "es_percent", g->available ? 100.0 * g->es / g->available : 0.0,
			 "ses_percent", g->available ? 100.0 * g->ses / g->available : 0.0,
			 "unavailable_seconds", (int)g->unavailable, "available_seconds", (int)g->available,
			 "pass", side_pass(s, threshold));
}

static void side_print(const char *dir, const struct bert_side *s, double threshold)
{
	const struct g821 *g = &s->g;

	printf("  %s (checked at %s):\n", dir, s->st.name);
	printf("    bits %llu  errors %llu  BER %.2e  sync %s  sync losses %u\n",
	       (unsigned long long)s->bs.bits, (unsigned long long)s->bs.errors, ber_of(&s->bs),
	       s->bs.sync ? "yes" : "NO", s->bs.sync_losses);
	printf("    G.821: ES %u (%.2f%%)  SES %u (%.2f%%)  unavailable %u s  available %u s\n", g->es,
	       g->available ? 100.0 * g->es / g->available : 0.0, g->ses,
	       g->available ? 100.0 * g->ses / g->available : 0.0, g->unavailable, g->available);
	printf("    %s", side_pass(s, threshold) ? "PASS" : "FAIL");
	if (!s->bs.sync || !s->bs.bits)
		printf(" (no pattern sync: check the far-end loop or BERT)\n");
	else
		printf(" (BER %.2e %s threshold %.2e)\n", ber_of(&s->bs), side_pass(s, threshold) ? "<=" : ">",
		       threshold);
}

int cmd_bert(int argc, char **argv)
{
	static const char *const patterns[] = { "2e11", "2e15", "2e20", "qrss", "2e23", NULL };
	static const char *const fars[] = { "auto", "loop", "peer", "none", NULL };
	static const struct option opts[] = {
		{ "pattern", required_argument, NULL, 'p' },
		{ "slots", required_argument, NULL, 's' },
		{ "duration", required_argument, NULL, 'd' },
		{ "threshold", required_argument, NULL, 't' },
		{ "far", required_argument, NULL, 'f' },
		{ "insert", required_argument, NULL, 'i' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *slots = "all";
	long duration = 10, insert = 0;
	int insert_ok = 0;
	double threshold = 1e-6;
	int pattern = 0, far = FAR_AUTO, rc, o, span, result;
	struct bert_side me = { 0 }, peer = { 0 };
	uint32_t mask;
	char masktxt[96];

	while ((o = tool_getopt(argc, argv, "h", opts)) != -1) {
		switch (o) {
		case 'p':
			rc = arg_choice("bert", "--pattern", optarg, patterns);
			if (rc < 0)
				return EXIT_USAGE;
			pattern = CTI_PRBS_2E11 + rc;
			break;
		case 's': slots = optarg; break;
		case 'd': if ((rc = arg_int("bert", "--duration", optarg, 1, 86400, &duration))) return rc; break;
		case 't':
			if ((rc = arg_double("bert", "--threshold", optarg, 0, 0.5, &threshold)))
				return rc;
			break;
		case 'f':
			far = arg_choice("bert", "--far", optarg, fars);
			if (far < 0)
				return EXIT_USAGE;
			break;
		case 'i': if ((rc = arg_int("bert", "--insert", optarg, 1, 1000, &insert))) return rc; break;
		case 'h': return show_help("bert");
		default: return arg_getopt_error("bert", argv, optopt, "--pattern, --slots, --duration, --threshold, "
						 "--far, --insert, --help");
		}
	}
	if (argc - optind != 1)
		return usage_error("bert", "expects one SPAN");
	if (strcmp(slots, "all") && strcmp(slots, "unframed") && cti_parse_channels(slots, 31, &mask) < 0)
		return usage_error("bert", "--slots '%s' invalid (accepted: all, unframed, or channels like "
				   "1-15,17-31)", slots);
	if ((rc = tool_open("bert")) || (rc = span_arg("bert", argv[optind], &span)))
		return rc;
	me.span = span;
	cti_span_status(T.ctx, span, &me.st);
	if (!pattern)	/* O.151 / T1.403 practice: 2^15-1 on E1, QRSS on T1 */
		pattern = me.st.line == CTI_LINE_T1 ? CTI_PRBS_QRSS : CTI_PRBS_2E15;
	if (!strcmp(slots, "all")) {
		mask = 0xffffffffu;
	} else if (!strcmp(slots, "unframed")) {
		mask = 0;
	} else {
		int max = me.st.line == CTI_LINE_T1 ? 24 : 31;

		if (cti_parse_channels(slots, max, &mask) < 0)
			return usage_error("bert", "--slots '%s' invalid (accepted: all, unframed, or channels 1-%d "
					   "like 1-15,17-%d)", slots, max, max);
	}

	/* Far end: on the emulated board the cable's other port may be one of our spans. */
	if (far == FAR_AUTO || far == FAR_PEER) {
		int pspan = 0;

		if (sim_mode() && me.st.transport == CTI_TRANSPORT_SIM) {
			int pport = cti_cable_peer(T.ctx, me.st.port);

			pspan = pport > 0 ? span_of_port(pport) : 0;
		}
		if (pspan && pspan != span) {
			cti_span_status(T.ctx, pspan, &peer.st);
			if (far == FAR_PEER || peer.st.loopback == CTI_LOOP_NONE)
				peer.span = pspan;
			else
				far = FAR_LOOP;
		} else if (far == FAR_PEER) {
			return usage_error("bert", "--far peer: the far end of %s is not a span of this context",
					   me.st.name);
		}
		if (far == FAR_AUTO)
			far = peer.span ? FAR_PEER : FAR_LOOP;
	}
	rc = cti_bert_start(T.ctx, span, (enum cti_prbs)pattern, mask);
	if (rc < 0)
		return lib_error("bert", rc);
	if (peer.span) {
		rc = cti_bert_start(T.ctx, peer.span, (enum cti_prbs)pattern, mask);
		if (rc < 0) {
			cti_bert_stop(T.ctx, span);
			return lib_error("bert", rc);
		}
	}
	me.es = calloc((size_t)duration, 2);
	peer.es = calloc((size_t)duration, 2);
	if (!me.es || !peer.es) {
		free(me.es);
		free(peer.es);
		return lib_error("bert", CTI_ENOMEM);
	}
	me.ses = me.es + duration;
	peer.ses = peer.es + duration;
	if (mask == 0xffffffffu) {
		/* what "all" means on this span: every channel but the D-channel */
		mask = 0;
		for (int c = 1; c <= me.st.nchannels && c < 32; c++)
			if (me.st.chan_state[c - 1] != 'D' || me.st.signalling == CTI_SIG_NONE)
				mask |= 1u << c;
	}
	mask_text(mask, masktxt, sizeof(masktxt));
	/* The measurement starts once the checkers are in sync (O.151), within 5 s. */
	for (int i = 0; i < 500 && !T.stop; i++) {
		cti_bert_status(T.ctx, span, &me.base);
		if (peer.span)
			cti_bert_status(T.ctx, peer.span, &peer.base);
		if (me.base.sync && (!peer.span || peer.base.sync))
			break;
		run_for(10, NULL, NULL);
	}
	/* ... at the checker's next one-second boundary, so that the second of acquisition is not counted */
	if (me.base.sync) {
		uint32_t sec = me.base.seconds;

		for (int i = 0; i < 110 && !T.stop && me.base.seconds == sec; i++) {
			run_for(10, NULL, NULL);
			cti_bert_status(T.ctx, span, &me.base);
		}
		if (peer.span)
			cti_bert_status(T.ctx, peer.span, &peer.base);
	}
	for (long s = 0; s < duration && !T.stop; s++) {
		/* O.150 single error insertion: into our generator, in the first second measured */
		if (s == 0 && insert && (rc = cti_span_inject(T.ctx, span, CTI_INJ_PRBS, (uint32_t)insert, 0)) < 0) {
			cti_bert_stop(T.ctx, span);
			if (peer.span)
				cti_bert_stop(T.ctx, peer.span);
			free(me.es);
			free(peer.es);
			return lib_error("bert", rc);
		}
		run_for(1000, NULL, NULL);
		side_sample(&me);
		if (peer.span)
			side_sample(&peer);
		progress("BERT %s %s %s: %ld/%ld s  %s  bits %.3g  errors %llu  BER %.2e  ES %u  SES %u", me.st.name,
			 prbs_name((enum cti_prbs)pattern), mask ? masktxt : "unframed", s + 1, duration,
			 me.bs.sync ? "SYNC" : "NO SYNC", (double)me.bs.bits, (unsigned long long)me.bs.errors,
			 ber_of(&me.bs), me.bs.errored_seconds, me.bs.severely_errored_seconds);
	}
	progress_end();
	cti_bert_stop(T.ctx, span);
	if (peer.span)
		cti_bert_stop(T.ctx, peer.span);
	g821_eval(me.es, me.ses, me.n, &me.g);
	if (peer.span)
		g821_eval(peer.es, peer.ses, peer.n, &peer.g);
	if (insert) {
		/* the checker receiving our pattern must count exactly the inserted errors */
		struct bert_side *rx = peer.span ? &peer : &me;

		insert_ok = rx->bs.sync && rx->bs.errors == (uint64_t)insert;
		result = insert_ok && (!peer.span || side_pass(&me, threshold)) ? EXIT_PASS : EXIT_FAIL;
	} else {
		result = side_pass(&me, threshold) && (!peer.span || side_pass(&peer, threshold)) ? EXIT_PASS
												   : EXIT_FAIL;
	}
	if (T.json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:i, s:f, s:i, s:o, s:b}", "span", me.st.name, "pattern",
				      prbs_name((enum cti_prbs)pattern), "slots", mask ? masktxt : "unframed", "far",
				      fars[far], "duration", (int)me.n, "threshold", threshold, "inserted", (int)insert,
				      "result", side_json(&me, threshold), "pass", result == EXIT_PASS);

		if (peer.span)
			json_object_set_new(j, "far_result", side_json(&peer, threshold));
		if (insert)
			json_object_set_new(j, "inserted_counted", json_boolean(insert_ok));
		json_out(j);
	} else {
		printf("BERT %s: pattern %s, %s (%u kbit/s), %u s, far end: %s\n", me.st.name,
		       prbs_name((enum cti_prbs)pattern), mask ? masktxt : "unframed",
		       mask ? 64u * (unsigned)__builtin_popcount(mask) : me.st.line == CTI_LINE_T1 ? 1544u : 2048u,
		       me.n, far == FAR_LOOP ? "loopback" : far == FAR_PEER ? "BERT on the peer span" : "not managed");
		if (insert)
			printf("  %ld single error%s inserted into our pattern\n", insert, insert == 1 ? "" : "s");
		side_print(peer.span ? "far end to us" : "round trip", &me, threshold);
		if (peer.span)
			side_print("us to far end", &peer, threshold);
		if (insert)
			printf("inserted errors: %ld sent, %llu counted by %s (%s)\n", insert,
			       (unsigned long long)(peer.span ? peer.bs.errors : me.bs.errors),
			       peer.span ? peer.st.name : me.st.name, insert_ok ? "exact" : "MISMATCH");
		printf("result: %s\n", result == EXIT_PASS ? "PASS" : "FAIL");
	}
	free(me.es);
	free(peer.es);
	return result;
}
