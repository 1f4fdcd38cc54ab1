/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * webcmds.h - what the web desktop and wallboard need from ctid beyond the
 * call commands (webcmds.c; protocol in docs/ctid-protocol.md):
 * SnapshotAgents, SnapshotQueues, SnapshotTrunks, QueryCallHistory,
 * TrunkStateEvent, and the customer record of the screen pop.
 */
#ifndef CTID_WEBCMDS_H
#define CTID_WEBCMDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct server;
struct sess;
struct ccall;

/*
 * Run one of the commands above for a logged-in client. Returns the reply's
 * fields (commands.c adds "response" and "invokeID"), or NULL with *error (a
 * CSTA error name) and message set.
 */
json_t *webcmd_run(struct server *s, const struct sess *x, const char *name, json_t *msg, uint64_t now,
		   const char **error, char *message, size_t size);

/* TrunkStateEvent to supervisors: for one libcti span (alarm, D-channel change), or span 0: every trunk. */
void web_trunk_events(struct server *s, int span);

/* Customer records ([customer] of ctid.conf): start the lookup service (0, or -1 after logging why). */
int web_customer_start(struct server *s);
/* A call was offered: look up its caller. */
void web_customer_lookup(struct server *s, struct ccall *c);
/* Attach finished lookups to their calls (CallInformationEvent if already at an agent). */
void web_customer_poll(struct server *s);
void web_customer_stop(struct server *s);

#endif
