/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* server.h - ctid at run time (server.c). */
#ifndef CTID_SERVER_H
#define CTID_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

#define SIM_PHONES_MAX 8

struct server_opts {
	bool login_all;		/* log every agent in and make it ready at start */
	bool stats;		/* print queue statistics as JSON lines at exit */
	uint64_t max_ms;	/* stop after this much (context) time; 0: never */
	/* Built-in traffic on the emulated board (sim = ... only): */
	int sim_calls;		/* callers to place; ctid exits when all are done */
	bool sim_serve;		/* far ends emulated, SIGUSR1 places a caller; run until SIGTERM */
	int sim_interval_ms;	/* between callers */
	int sim_talk_ms;	/* agents' phones answer and hang up after this */
	char sim_dnis[32];	/* number the callers dial */
	char sim_digits[256];	/* DTMF they send once answered: comma list, caller N sends item N mod count */
	/* More of the outside world (sim.c): */
	int sim_start_ms;	/* first caller this long after the D-channels are up */
	char sim_fax_digits[32];	/* callers who sent these digits are fax machines and receive */
	char sim_dir[1024];	/* where the far ends write: fax-<calling number>.tif ("": the current directory) */
	char sim_caller_voice[1024];	/* callers play this (looped) after their digits */
	char sim_agent_voice[1024];	/* agents' phones play this (looped) while connected */
	char sim_listener[32];	/* the phone at this position records what it hears, "": none */
	int nsim_phones;	/* --sim-phone NUMBER:dtmf=D,hangup=MS (simphone.c) */
	struct sim_phone_opt {
		char number[32];
		char dtmf;	/* sent in the phone's time slot while connected (0: none) */
		int hangup_ms;	/* hang up this long after connecting (0: --sim-talk) */
	} sim_phones[SIM_PHONES_MAX];
	int sim_wait_clients;	/* place the first call once this many WebSocket sessions logged in */
	char trace[1024];	/* D-channel capture of every span (pcap), "": none */
	/* Outbound campaigns (campaign.c): */
	const char *campaign;	/* start this campaign at once; ctid exits when it is finished */
	const char *sim_outbound;	/* emulated far end of the outbound trunk: NUMBER=KIND[/KIND...],... */
	const char *sim_record;	/* directory: what the far end heard (WAV) and received (TIFF), far.log */
};

/* Parse one --sim-phone option into o (simphone.c). -1 with the message in err. */
int sim_phone_parse(struct server_opts *o, const char *spec, char *err, size_t errsize);

/* Run until SIGTERM/SIGINT (or the sim traffic is done). Takes cfg (frees it). Returns the exit code. */
int server_run(struct ctid_config *cfg, const char *cfg_path, const struct server_opts *opts);

#endif
