/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ws.h - ctid's WebSocket transport (libwebsockets in a thread of its own).
 *
 * The transport only frames text messages: a complete message from a client
 * is queued for the main thread (ws_next, pollable through ws_fd), and the
 * main thread queues replies and events per client (ws_send). Messages over
 * WS_MAX_MESSAGE get an error reply and the connection is closed (1009);
 * the server keeps serving the others. Protocol: docs/ctid-protocol.md.
 */
#ifndef CTID_WS_H
#define CTID_WS_H

#include <stddef.h>

#define WS_MAX_MESSAGE 65536

typedef struct ws ws_t;

/*
 * listen: "HOST:PORT" (PORT 0: any free port, see ws_port); cert and key: PEM
 * files for wss:// (NULL: plain ws://); web_root: a directory whose files are
 * served over plain HTTP(S) GET on the same port (the web desktop and
 * wallboard), NULL: none. NULL and err on failure.
 */
ws_t *ws_start(const char *listen, const char *cert, const char *key, const char *web_root, char *err,
	       size_t errlen);
int ws_port(ws_t *ws);
/* Readable while ws_next has something. */
int ws_fd(ws_t *ws);
/* 1: *client and *text (malloc'd; NULL: the client disconnected), 0: nothing waiting. */
int ws_next(ws_t *ws, int *client, char **text);
/* Queue a text message for a client (dropped if it is gone). */
void ws_send(ws_t *ws, int client, const char *text);
/* Number of connected clients. */
int ws_clients(ws_t *ws);
/* Send each client its queued messages and a close frame (1001), wait up to 2 s for
 * their close replies, then close everything. */
void ws_stop(ws_t *ws);

#endif
