/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * config.h - ctid.conf, the configuration of ctid (format: docs/ctid.md).
 *
 * ctid_config_load() parses the whole file, keeps going after an error and
 * reports every problem as "file:line: message" (one per line) so
 * `ctid --check` shows them all at once. Cross references (routes to queues
 * and IVR flows, overflow targets, branch labels, prompt files) are checked
 * after the whole file is read and name the line of the reference.
 */
#ifndef CTID_CONFIG_H
#define CTID_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "acd.h"
#include "campaign_conf.h"

#define CTID_PATH_MAX 256
#define CTID_IVR_MAX_BRANCHES 16
/* The prompt of one digit (0-9), relative to prompts: queue positions are said with these. */
#define CTID_DIGIT_PROMPT "digits/%d.wav"

enum ctid_record { CTID_RECORD_NONE, CTID_RECORD_ALL };
enum ctid_record_mode { CTID_RECORD_STEREO, CTID_RECORD_SPLIT };
enum ctid_trunk_role { CTID_TRUNK_INBOUND, CTID_TRUNK_POSITIONS, CTID_TRUNK_OUTBOUND };

enum ivr_op {
	IVR_PLAY,	/* play FILE */
	IVR_DIGITS,	/* digits MAX [timeout=S] [terminator=C] */
	IVR_BRANCH,	/* branch DIGITS=TARGET ... [default=TARGET] */
	IVR_FAX,	/* fax FILE (send a TIFF) */
	IVR_QUEUE,	/* queue NAME */
	IVR_RECORD,	/* record FILE [max=S] */
	IVR_HANGUP,	/* hangup [CAUSE] */
	IVR_GOTO,	/* goto TARGET */
};

struct ivr_branch {
	char digits[ACD_NAME_MAX];
	char target[ACD_TARGET_MAX];
};

struct ivr_step {
	char label[ACD_NAME_MAX];
	enum ivr_op op;
	char arg[CTID_PATH_MAX];	/* file, queue name or goto target */
	int max_digits, timeout_s, max_s, cause;
	char terminator;		/* 0: none */
	int nbranches;
	struct ivr_branch branches[CTID_IVR_MAX_BRANCHES];
	char dflt[ACD_TARGET_MAX];	/* branch: no match (default: next step) */
	int line;
};

struct ivr_flow {
	char name[ACD_NAME_MAX];
	int nsteps;
	struct ivr_step *steps;
	int line;
};

struct ctid_queue {
	struct acd_queue_cfg acd;
	char announce[CTID_PATH_MAX];	/* played on entry (and every announce_every_s) */
	int announce_every_s;
	char announce_position[CTID_PATH_MAX];	/* after announce: this, then the caller's position */
	char announce_wait[CTID_PATH_MAX];	/* ... then this, then the expected wait in minutes */
	char moh[CTID_PATH_MAX];	/* music on hold while waiting */
	bool record;			/* record this queue's calls (policy "queues") */
	int line;
	int overflow_line, max_wait_line, announce_line, moh_line, announce_position_line, announce_wait_line;
};

struct ctid_agent {
	struct acd_agent_cfg acd;
	char name[64];
	char token[128];		/* WebSocket auth token */
	bool supervisor;
	bool answer_desktop;		/* answer = desktop: AnswerCall connects (auto-answer headset) */
	int line;
};

struct ctid_route {
	char dnis[ACD_NAME_MAX];	/* called number, or "*" for any other */
	char target[ACD_TARGET_MAX];	/* queue:NAME | ivr:NAME | hangup */
	int line;
};

struct ctid_trunk {
	char name[ACD_NAME_MAX];
	char span[ACD_NAME_MAX];	/* libcti span or group name */
	bool is_group;
	enum ctid_trunk_role role;
	bool outbound;			/* outbound = yes: MakeCall / consultations to numbers go here */
	int line;
};

/* [customer]: the caller's record for the screen pop (customer.c). */
struct ctid_customer {
	char sqlite[CTID_PATH_MAX];	/* database file, relative to the configuration file; "" = none */
	char sql[512];			/* SELECT with one ? (the ANI); "" = SELECT * FROM customer WHERE ani = ? */
	char url[512];			/* HTTP(S) template with {ani}; "" = none */
	int timeout_ms;			/* per HTTP request */
	int line, sqlite_line, sql_line, url_line;
};

struct ctid_config {
	char path[CTID_PATH_MAX];
	/* [ctid] */
	char cti_conf[CTID_PATH_MAX];	/* libcti configuration file, or */
	int sim_pairs;			/* > 0: built-in emulated board */
	char sim_line[8], sim_switch[16];
	bool virtual_clock;
	char listen[64];		/* host:port of the WebSocket interface */
	char tls_cert[CTID_PATH_MAX];	/* PEM certificate (chain): wss:// when set with tls_key */
	char tls_key[CTID_PATH_MAX];
	int tls_line;
	char cdr[CTID_PATH_MAX];	/* sqlite:PATH | postgresql:CONNINFO */
	char prompts[CTID_PATH_MAX];	/* base directory of relative file names */
	int ring_timeout_s;		/* ring an agent's position this long (RONA after) */
	int stats_interval_s;		/* QueueStatsEvent to supervisors this often (0: off) */
	/* [cluster] (docs/ctid.md "Several hosts"): empty redis = one host, embedded ACD */
	char cluster_redis[CTID_PATH_MAX];	/* HOST:PORT or a unix socket path */
	char cluster_host[ACD_NAME_MAX];	/* this host's name in the cluster */
	int cluster_lease_s;			/* agents of a silent host are released after this */
	int cluster_line;
	char tts_cache[CTID_PATH_MAX];	/* text-to-speech WAV cache (tts.h) */
	char campaign_db[CTID_PATH_MAX];	/* SQLite file of the campaigns' contacts and results */
	char web_root[CTID_PATH_MAX];	/* static web pages on the listener; "" = the installed default, "none" */
	int web_root_line;
	/* [recording] */
	enum { CTID_POLICY_NONE, CTID_POLICY_ALL, CTID_POLICY_QUEUES } record_policy;
	enum ctid_record_mode record_mode;
	char record_dir[CTID_PATH_MAX];
	struct ctid_customer customer;

	struct ctid_trunk *trunks;
	int ntrunks;
	struct ctid_route *routes;
	int nroutes;
	struct ctid_queue *queues;
	int nqueues;
	struct ctid_agent *agents;
	int nagents;
	char (*vips)[ACD_ANI_MAX];
	int nvips;
	struct ivr_flow *flows;
	int nflows;
	struct ctid_campaign *campaigns;	/* [campaign NAME] (campaign_conf.h) */
	int ncampaigns;
};

/*
 * Parse a file. Returns the number of errors (0: *out is the configuration,
 * to free with ctid_config_free; else *out is NULL and *errors holds the
 * messages, one per line, to free()). -1 with *errors set if the file
 * cannot be read.
 */
int ctid_config_load(const char *path, struct ctid_config **out, char **errors);
/* The same from a string; `name` stands for the file name in messages. */
int ctid_config_parse(const char *text, const char *name, const char *base_dir, struct ctid_config **out,
		      char **errors);
void ctid_config_free(struct ctid_config *cfg);

const struct ctid_queue *ctid_config_queue(const struct ctid_config *cfg, const char *name);
const struct ivr_flow *ctid_config_flow(const struct ctid_config *cfg, const char *name);
const struct ctid_campaign *ctid_config_campaign(const struct ctid_config *cfg, const char *name);
const struct ctid_trunk *ctid_config_trunk(const struct ctid_config *cfg, const char *name);
/* The route for a called number: exact match, else "*", else NULL. */
const struct ctid_route *ctid_config_route(const struct ctid_config *cfg, const char *dnis);
/* An agent by its token (WebSocket login), NULL if none. */
const struct ctid_agent *ctid_config_agent_by_token(const struct ctid_config *cfg, const char *token);
/* Index of a step in a flow by label, -1 if none. */
/*
 * Load queues, agents and VIPs into an ACD: new ones are added, existing ones
 * updated in place (SIGHUP reload: waiting calls and agent states stay).
 * Returns 0 or an ACD_E* error.
 */
int ctid_config_apply(const struct ctid_config *cfg, acd_t *acd);
int ivr_step_index(const struct ivr_flow *flow, const char *label);
const char *ivr_op_name(enum ivr_op op);

#endif
