/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * server_int.h - ctid's run time, shared by its own files only: server.c
 * (calls, IVR, ACD to positions, CDRs) and commands.c (the WebSocket
 * commands). Not an interface for anything outside server/ctid.
 */
#ifndef CTID_SERVER_INT_H
#define CTID_SERVER_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cti.h"

#include "acd.h"
#include "cdr.h"
#include "config.h"
#include "server.h"
#include "webcmds.h"
#include "ws.h"

enum cstate { C_NEW, C_IVR, C_QUEUED, C_RINGING, C_TALKING, C_HELD, C_CLEARING };

enum { KIND_CCALL = 1, KIND_PHONE = 2, KIND_ORPHAN = 3, KIND_CAMPAIGN = 4 /* campaign.c's calls and timers */ };

/* User data of an agent leg left behind by a transfer: released when it clears. */
extern int orphan_kind;

struct ccall {
	int kind;		/* KIND_CCALL: first member, like struct phone's */
	struct ccall *next;
	struct server *srv;
	cti_call_t *in;		/* caller leg */
	cti_call_t *agent;	/* agent leg */
	enum cstate state;
	unsigned id;
	char ani[CTI_NUMBER_MAX], dnis[CTI_NUMBER_MAX];
	char digits[64];
	char flow[ACD_NAME_MAX];
	int step;
	int op;			/* running media op on the caller leg */
	uint64_t acd_call;
	char queue[ACD_NAME_MAX], agent_id[ACD_NAME_MAX];
	int ring_timer;
	int64_t start_ms, answer_ms, agent_start_ms, agent_answer_ms;
	int cause, agent_cause;
	int fax_pages;
	char recording[CTID_PATH_MAX + 48];
	bool in_released;
	bool outbound;		/* leg 1 placed by ctid: MakeCall, or a campaign's call handed to the ACD (CDR out) */
	struct xcall *x;	/* calls.c: consultation, network hold, desktop answer, MakeCall (NULL: none) */
	json_t *customer;	/* the caller's record (webcmds.c), NULL: none (yet) */
};

struct phone {	/* sim traffic: a far-end party */
	int kind;	/* KIND_PHONE */
	cti_call_t *call;
	int timer;
	int n;		/* caller 1, 2, ...; 0: an agent's phone */
	int op;		/* its running media operation (sim.c) */
	bool fax;	/* a caller acting as a fax machine */
	bool listener;	/* a phone recording what it hears (--sim-listener) */
};

struct sess {	/* a WebSocket client as the main thread knows it */
	struct sess *next;
	int client;
	char agent[ACD_NAME_MAX];	/* "" until Login */
	bool supervisor;
};

struct server {
	struct ctid_config *cfg;
	struct supervise *sup;		/* supervise.c: monitors, on-demand recordings, announcements */
	ws_t *ws;
	struct sess *sessions;
	const char *cfg_path;
	struct server_opts opts;
	cti_ctx_t *ctx;
	acd_t *acd;
	cdr_t *cdr;
	struct ccall *calls;
	unsigned next_id;
	int tick_timer;
	uint64_t next_stats;		/* next QueueStatsEvent round */
	bool dchan_up_in, dchan_up_pos;
	int in_span, pos_span;		/* libcti span indexes of the trunks */
	/* sim traffic */
	int caller_span, phone_span;
	int placed, finished;
	int phones;			/* live far-end parties */
	int place_timer;
	int errors;
	struct cluster *cluster;	/* [cluster]: the ACD shared through Redis (cluster.h), or NULL */
	struct campaigns *camp;		/* campaign.c */
	struct customer *customer;	/* customer record lookups (webcmds.c), NULL: none */
};


/* server.c */
__attribute__((format(printf, 2, 3)))
void logmsg(struct server *s, const char *fmt, ...);
int64_t wall_ms(struct server *s);				/* CDR time */
void resolve(struct server *s, const char *file, char *out, size_t size);	/* prompt path */
void send_json(struct server *s, int client, json_t *obj);
void emit(struct server *s, const char *agent, json_t *obj);	/* to the agent + supervisors; takes obj */
json_t *call_event(const char *name, const struct ccall *c);
void write_cdr(struct server *s, struct ccall *c, int leg);	/* leg 1 caller, 2 agent */
void clear_caller(struct ccall *c, int cause);
void play_moh(struct server *s, struct ccall *c);		/* the queue's music to the caller */
void acd_events(struct server *s);				/* act on what the ACD decided */
void agent_connect(struct server *s, struct ccall *c);		/* the agent answered: bridge, Established */
void free_if_done(struct server *s, struct ccall *c);		/* free the call once every leg is released */
/* An answered outbound call (campaign) into an ACD queue like a caller, or straight to one agent; NULL: no memory. */
struct ccall *server_adopt(struct server *s, cti_call_t *call, const char *number, const char *dnis,
			   const char *queue, const char *user_data, const char *agent);	/* agent: preview, or NULL */

/* sim.c: the far ends of --sim-calls beyond answering and hanging up */
void sim_caller_answered(struct server *s, struct phone *ph);	/* send digits, then fax or talk */
void sim_phone_connected(struct server *s, struct phone *ph);	/* an agent's phone talks */
void sim_op_done(struct server *s, struct phone *ph, const cti_event_t *ev);

/* commands.c */
/* What every command handler gets. */
struct cmd {
	struct server *s;
	struct sess *x;		/* the client's session (agent "" before Login) */
	int client;
	const char *name;	/* the command */
	json_t *msg;		/* the whole message */
	json_t *invoke;		/* invokeID to echo, or NULL */
	uint64_t now;		/* context time, ms */
};
__attribute__((format(printf, 3, 4)))
void reply_error(const struct cmd *k, const char *error, const char *fmt, ...);
void reply_ok(const struct cmd *k, json_t *extra);	/* takes extra (may be NULL) */
struct ccall *find_call_id(struct server *s, json_t *id);	/* "callID" as a string or a number */
/*
 * The live call named by "callID" that this client may act on (its own agent's
 * call, or any call for a supervisor), or NULL after replying the error.
 */
struct ccall *own_call(const struct cmd *k);
struct ccall *own_call_id(const struct cmd *k, json_t *id);	/* the same, for the call named by id */
void commands_handle(struct server *s, int client, const char *text);	/* one JSON message */
void commands_drop(struct server *s, int client);			/* the client went away */
void commands_free(struct server *s);					/* every session, at exit */

/* supervise.c: supervisors' monitors, on-demand recording, queue announcements */
bool supervise_event(struct server *s, const cti_event_t *ev);	/* sees every event first; true: taken */
void announce_queued(struct server *s, struct ccall *c);	/* entered a queue: announcement, music */
void supervise_shutdown(struct server *s);			/* clear the supervisors' legs */
bool supervise_busy(const struct server *s);			/* supervisors' legs not released yet */
void supervise_free(struct server *s);
void cmd_monitor_start(const struct cmd *k);
void cmd_monitor_stop(const struct cmd *k);
void cmd_start_recording(const struct cmd *k);
void cmd_stop_recording(const struct cmd *k);

/* simphone.c: --sim-phone (what the far-end phones send, what they hear) */
void sim_phone_event(struct server *s, struct phone *ph, const cti_event_t *ev);
bool sim_phone_timer(struct server *s, void *user);		/* true: the timer was a sim phone's */
void sim_phone_free(void);
/* calls.c: AnswerCall, MakeCall, HoldCall/RetrieveCall (network hold), consultation, transfer, conference */
bool calls_event(struct server *s, struct ccall *c, const cti_event_t *ev);	/* first look; true: taken */
bool calls_sim_event(struct server *s, const cti_event_t *ev);	/* the emulated network's side of them */
bool calls_busy(const struct ccall *c);				/* a consultation leg still up */
void calls_free(struct ccall *c);
bool calls_clear_connection(const struct cmd *k);		/* consultation or conference: true if handled */
void cmd_answer_call(const struct cmd *k);
void cmd_make_call(const struct cmd *k);
void cmd_hold_call(const struct cmd *k);
void cmd_retrieve_call(const struct cmd *k);
void cmd_consultation_call(const struct cmd *k);
void cmd_reconnect_call(const struct cmd *k);
void cmd_transfer_call(const struct cmd *k);
void cmd_conference_call(const struct cmd *k);

#endif
