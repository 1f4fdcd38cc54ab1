/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * main.c - the ctid program.
 *
 *   ctid --check FILE   validate ctid.conf (and the cti.conf it names) without starting
 *   ctid --campaign-report NAME FILE   the CSV report of a campaign (from its database)
 *   ctid [OPTIONS] FILE run the server (SIGTERM/SIGINT: clear calls with cause 16, flush CDRs, exit;
 *                       SIGHUP: reload FILE, keeping calls, agent states and waiting callers)
 *
 * Exit codes: 0 valid / clean stop, 1 the configuration has errors (all
 * listed on stderr as FILE:LINE: message) or the server failed, 2 bad command line.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cti.h"

#include "acd.h"
#include "config.h"
#include "campaign.h"
#include "server.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: ctid --check FILE\n"
		   "       ctid [OPTIONS] FILE\n"
		   "  -c, --check FILE      validate the configuration and exit (0: valid, 1: errors)\n"
		   "      --login-all       log every agent in and make it ready at start\n"
		   "      --stats           print each queue's statistics as a JSON line at exit\n"
		   "      --max-time S      stop after S seconds (of the configured clock)\n"
		   "      --sim-calls N     emulated board: place N calls from the far end of the inbound trunk,\n"
		   "                        agents' phones answer; exit when all are done\n"
		   "      --sim-dnis NUM    number the simulated callers dial (default: the first route)\n"
		   "      --sim-digits D    DTMF they send once answered (default none); a comma list\n"
		   "                        D1,D2,...: caller N sends item N (cycling)\n"
		   "      --sim-interval MS between callers (default 1000); SIGUSR1 places the next one at once\n"
		   "      --sim-talk MS     agents' phones hang up after (default 5000)\n"
		   "      --sim-start MS    first caller MS after the D-channels are up (default 0)\n"
		   "      --sim-fax-digits D  callers who sent D are fax machines: receive to fax-<calling>.tif\n"
		   "      --sim-dir DIR     where the simulated far ends write files (default .)\n"
		   "      --sim-caller-voice FILE  callers play FILE (looped) after their digits\n"
		   "      --sim-agent-voice FILE   agents' phones play FILE (looped) while connected\n"
		   "      --sim-listener NUM  the phone at position NUM records what it hears (heard-NUM-K.wav)\n"
		   "      --sim-phone NUMBER:dtmf=D,hangup=MS\n"
		   "                        the far-end phone of NUMBER sends DTMF D in its time slot and/or\n"
		   "                        hangs up MS after connecting; every sim phone logs the DTMF it hears\n"
		   "      --sim-serve       emulated board: phones answer, each SIGUSR1 places one more caller,\n"
		   "                        run until SIGTERM (tests of several hosts)\n"
		   "      --sim-wait-clients N  place the first call once N WebSocket sessions have logged in\n"
		   "      --trace FILE      D-channel capture of every span to FILE (pcap)\n"
		   "      --campaign NAME   start [campaign NAME] at once; exit when it is finished\n"
		   "      --campaign-report NAME  print the campaign's CSV report (contacts, results) and exit\n"
		   "      --sim-outbound SPEC emulated board: the far end of the outbound trunk answers per number,\n"
		   "                        NUMBER=KIND[/KIND...],... KIND: person, machine, speaker, voicemail,\n"
		   "                        fax, busy, noanswer, sit, congestion, announcement (one per call,\n"
		   "                        the last repeats)\n"
		   "      --sim-record DIR  what the far end heard (NUMBER-N.wav), received (NUMBER-N.tif), far.log\n"
		   "  -h, --help            this text\n"
		   "See docs/ctid.md.\n");
}

/* ", N campaigns" for the --check summary. */
static const char *campaigns_text(const struct ctid_config *cfg)
{
	static char text[64];
	snprintf(text, sizeof(text), ", %d campaign%s", cfg->ncampaigns, cfg->ncampaigns == 1 ? "" : "s");
	return text;
}

/* Everything --check can verify without opening the trunks. */
static int check(const char *path)
{
	struct ctid_config *cfg;
	char *errors;
	int n = ctid_config_load(path, &cfg, &errors);
	if (n) {
		fputs(errors ? errors : "out of memory\n", stderr);
		free(errors);
		return 1;
	}
	int bad = 0;
	if (cfg->cti_conf[0]) {
		cti_config_t *cc = cti_config_new();
		if (!cc || cti_config_load(cc, cfg->cti_conf)) {
			fprintf(stderr, "%s: cti_conf %s: %s\n", path, cfg->cti_conf, cti_last_error());
			bad = 1;
		}
		cti_config_free(cc);
	}
	acd_t *acd = acd_new();
	int r = acd ? ctid_config_apply(cfg, acd) : ACD_ENOMEM;
	if (r) {
		fprintf(stderr, "%s: ACD refused the configuration: %s\n", path, acd_strerror(r));
		bad = 1;
	}
	acd_free(acd);
	if (!bad)
		printf("%s: OK: %d trunks, %d routes, %d queues, %d agents, %d IVR flows, %d VIP numbers%s\n", path,
		       cfg->ntrunks, cfg->nroutes, cfg->nqueues, cfg->nagents, cfg->nflows, cfg->nvips,
		       cfg->ncampaigns ? campaigns_text(cfg) : "");
	ctid_config_free(cfg);
	return bad;
}

/* Digits 0-9 * # (a comma list of them when list is set), fitting in size. */
static int sim_digits_opt(const char *opt, const char *v, int list, char *dst, size_t size)
{
	size_t len = strlen(v);
	const char *accepted = list ? "0123456789*#," : "0123456789*#";
	int bad = len >= size || strspn(v, accepted) != len || (list && (!len || v[0] == ',' || v[len - 1] == ',' ||
									  strstr(v, ",,")));
	if (bad) {
		fprintf(stderr, "ctid: %s '%s': expected %s%zu characters\n", opt, v,
			list ? "a comma list of 0-9 * # groups, up to " : "up to ", size - 1);
		return -1;
	}
	memcpy(dst, v, len + 1);
	return 0;
}

static int number(const char *opt, const char *v, long min, long max, long *out)
{
	char *end;
	long n = strtol(v, &end, 10);
	if (!*v || *end || n < min || n > max) {
		fprintf(stderr, "ctid: %s '%s': expected a number %ld-%ld\n", opt, v, min, max);
		return -1;
	}
	*out = n;
	return 0;
}

int main(int argc, char **argv)
{
	enum { O_LOGIN = 256, O_STATS, O_MAXT, O_SCALLS, O_SDNIS, O_SDIGITS, O_SINT, O_STALK, O_SSERVE, O_SWAIT, O_CAMP,
	       O_REPORT, O_SOUT, O_SREC, O_SPHONE };
	enum { O_SSTART = 300, O_SFAXD, O_SDIR, O_SCVOICE, O_SAVOICE, O_TRACE, O_SLISTEN };
	static const struct option opts[] = {
		{ "check", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "login-all", no_argument, NULL, O_LOGIN },
		{ "stats", no_argument, NULL, O_STATS },
		{ "max-time", required_argument, NULL, O_MAXT },
		{ "sim-calls", required_argument, NULL, O_SCALLS },
		{ "sim-dnis", required_argument, NULL, O_SDNIS },
		{ "sim-digits", required_argument, NULL, O_SDIGITS },
		{ "sim-interval", required_argument, NULL, O_SINT },
		{ "sim-talk", required_argument, NULL, O_STALK },
		{ "sim-start", required_argument, NULL, O_SSTART },
		{ "sim-fax-digits", required_argument, NULL, O_SFAXD },
		{ "sim-dir", required_argument, NULL, O_SDIR },
		{ "sim-caller-voice", required_argument, NULL, O_SCVOICE },
		{ "sim-agent-voice", required_argument, NULL, O_SAVOICE },
		{ "trace", required_argument, NULL, O_TRACE },
		{ "sim-listener", required_argument, NULL, O_SLISTEN },
		{ "sim-phone", required_argument, NULL, O_SPHONE },
		{ "sim-serve", no_argument, NULL, O_SSERVE },
		{ "sim-wait-clients", required_argument, NULL, O_SWAIT },
		{ "campaign", required_argument, NULL, O_CAMP },
		{ "campaign-report", required_argument, NULL, O_REPORT },
		{ "sim-outbound", required_argument, NULL, O_SOUT },
		{ "sim-record", required_argument, NULL, O_SREC },
		{ NULL, 0, NULL, 0 },
	};
	struct server_opts so;
	memset(&so, 0, sizeof(so));
	so.sim_interval_ms = 1000;
	so.sim_talk_ms = 5000;
	const char *check_file = NULL, *report = NULL;
	int c;
	long n;
	while ((c = getopt_long(argc, argv, "c:h", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			check_file = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case O_LOGIN:
			so.login_all = true;
			break;
		case O_STATS:
			so.stats = true;
			break;
		case O_MAXT:
			if (number("--max-time", optarg, 1, 86400 * 365, &n))
				return 2;
			so.max_ms = (uint64_t)n * 1000;
			break;
		case O_SCALLS:
			if (number("--sim-calls", optarg, 1, 1000000, &n))
				return 2;
			so.sim_calls = (int)n;
			break;
		case O_SINT:
			if (number("--sim-interval", optarg, 1, 3600000, &n))
				return 2;
			so.sim_interval_ms = (int)n;
			break;
		case O_STALK:
			if (number("--sim-talk", optarg, 1, 3600000, &n))
				return 2;
			so.sim_talk_ms = (int)n;
			break;
		case O_SSTART:
			if (number("--sim-start", optarg, 0, 3600000, &n))
				return 2;
			so.sim_start_ms = (int)n;
			break;
		case O_SPHONE: {
			char err[256];
			if (sim_phone_parse(&so, optarg, err, sizeof(err))) {
				fprintf(stderr, "ctid: %s\n", err);
				return 2;
			}
			break;
		}
		case O_SSERVE:
			so.sim_serve = true;
			break;
		case O_SWAIT:
			if (number("--sim-wait-clients", optarg, 1, 1000000, &n))
				return 2;
			so.sim_wait_clients = (int)n;
			break;
		case O_CAMP:
			so.campaign = optarg;
			break;
		case O_REPORT:
			report = optarg;
			break;
		case O_SOUT:
			so.sim_outbound = optarg;
			break;
		case O_SREC:
			so.sim_record = optarg;
			break;
		case O_SDNIS:
		case O_SDIGITS:
		case O_SFAXD:
		case O_SLISTEN:
			if (sim_digits_opt(c == O_SDNIS ? "--sim-dnis" : c == O_SDIGITS ? "--sim-digits" :
					   c == O_SFAXD ? "--sim-fax-digits" : "--sim-listener", optarg, c == O_SDIGITS,
					   c == O_SDNIS ? so.sim_dnis : c == O_SDIGITS ? so.sim_digits :
					   c == O_SFAXD ? so.sim_fax_digits : so.sim_listener,
					   c == O_SDIGITS ? sizeof(so.sim_digits) : sizeof(so.sim_dnis)))
				return 2;
			break;
		case O_SDIR:
		case O_SCVOICE:
		case O_SAVOICE:
		case O_TRACE: {
			char *dst = c == O_SDIR ? so.sim_dir : c == O_SCVOICE ? so.sim_caller_voice :
				    c == O_SAVOICE ? so.sim_agent_voice : so.trace;
			if (!*optarg || strlen(optarg) >= sizeof(so.trace)) {
				const char *name = "";
				for (const struct option *o = opts; o->name; o++)
					if (o->val == c)
						name = o->name;
				fprintf(stderr, "ctid: --%s: expected a path of 1-%zu characters\n", name,
					sizeof(so.trace) - 1);
				return 2;
			}
			strcpy(dst, optarg);
			break;
		}
		default:
			usage(stderr);
			return 2;
		}
	}
	if (check_file) {
		if (optind < argc) {
			fprintf(stderr, "ctid: unexpected argument '%s'\n", argv[optind]);
			usage(stderr);
			return 2;
		}
		return check(check_file);
	}
	if (optind != argc - 1) {
		fprintf(stderr, optind < argc ? "ctid: unexpected argument '%s'\n" : "ctid: no configuration file%s\n",
			optind < argc ? argv[optind + 1] : "");
		usage(stderr);
		return 2;
	}
	const char *path = argv[optind];
	struct ctid_config *cfg;
	char *errors;
	if (ctid_config_load(path, &cfg, &errors)) {
		fputs(errors ? errors : "out of memory\n", stderr);
		free(errors);
		return 1;
	}
	if (report) {	/* read-only: works while ctid runs (WAL) */
		char db[2 * CTID_PATH_MAX + 2], err[1024];
		const char *slash = strrchr(path, '/');
		if (cfg->campaign_db[0] == '/' || !slash)
			snprintf(db, sizeof(db), "%s", cfg->campaign_db);
		else
			snprintf(db, sizeof(db), "%.*s/%s", (int)(slash - path), path, cfg->campaign_db);
		int r = 1;
		if (!ctid_config_campaign(cfg, report))
			fprintf(stderr, "ctid: --campaign-report: no [campaign %s] in %s\n", report, path);
		else if (campaign_report(db, report, stdout, err, sizeof(err)))
			fprintf(stderr, "ctid: %s\n", err);
		else
			r = 0;
		ctid_config_free(cfg);
		return r;
	}
	if ((so.sim_calls || so.sim_serve) && !so.sim_dnis[0]) {
		if (!cfg->nroutes || !strcmp(cfg->routes[0].dnis, "*")) {
			fprintf(stderr, "ctid: --sim-calls: give --sim-dnis (no numbered route)\n");
			ctid_config_free(cfg);
			return 2;
		}
		strcpy(so.sim_dnis, cfg->routes[0].dnis);
	}
	return server_run(cfg, path, &so);
}
