/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * campaign.h - outbound campaigns in ctid at run time (docs/ctid.md, "Outbound campaigns").
 *
 * The contacts of a [campaign NAME] are imported from its CSV into SQLite
 * when the campaign first starts; from then on the database is the truth:
 * each contact's status (pending, dialing, done, failed), last result,
 * attempts and next attempt time, and one row per attempt. Dialing is paced
 * (calls per second, channels at once, time-of-day window), every call runs
 * call progress analysis, and the result decides: the message (recorded WAV
 * or text to speech) or the fax, the agents' queue (progressive), or a retry
 * after the delay configured for that result.
 *
 * All of it runs on ctid's one thread, from server.c's event handler.
 */
#ifndef CTID_CAMPAIGN_H
#define CTID_CAMPAIGN_H

#include <stdio.h>

#include "server_int.h"

/* Open the campaign database and start the scheduler. 0, or -1 with err. */
int campaigns_open(struct server *s, char *err, size_t esize);
void campaigns_close(struct server *s);
/* The configuration was replaced (SIGHUP): campaigns follow their new settings by name. */
void campaigns_reload(struct server *s);
/* D-channel of a span came up. */
void campaigns_dchan_up(struct server *s, int span);
/* Events whose call or timer belongs to the campaigns (user data kind KIND_CAMPAIGN). */
void campaigns_event(struct server *s, const cti_event_t *ev);
/* A call offered with no owner: the emulated far end of an outbound trunk takes it (returns true). */
bool campaigns_offered(struct server *s, const cti_event_t *ev);
/* Hang up every campaign call (shutdown); true while any is still up. */
void campaigns_hangup_all(struct server *s);
bool campaigns_busy(const struct server *s);
/* Every campaign started with --campaign has no contact left to try. */
bool campaigns_finished(const struct server *s);

/* WebSocket and command line: 0, or -1 with an error name (protocol) and message. */
int campaign_start(struct server *s, const char *name, const char **ename, char *err, size_t esize);
int campaign_pause(struct server *s, const char *name, bool pause, const char **ename, char *err, size_t esize);
/* Preview: the agent (or a supervisor) accepts or rejects a contact of a PreviewEvent. */
int campaign_preview_reply(struct server *s, const char *agent, bool supervisor, const char *name, int64_t contact,
			   bool accept, const char **ename, char *err, size_t esize);
/* Counts of a campaign (SnapshotCampaign reply, CampaignProgressEvent); NULL if unknown. */
json_t *campaign_snapshot(struct server *s, const char *name);

/* The CSV report of a campaign from its database (ctid --campaign-report). 0, or -1 with err. */
int campaign_report(const char *db_path, const char *name, FILE *out, char *err, size_t esize);

#endif
