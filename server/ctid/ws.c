/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ws.c - WebSocket transport of ctid on libwebsockets (see ws.h).
 *
 * libwebsockets runs its own event loop in one thread; everything shared with
 * the main thread (the inbox of complete messages, each client's outbox) is
 * under one mutex. The main thread wakes the lws thread with
 * lws_cancel_service(); the lws thread wakes the main thread through an
 * eventfd.
 *
 * Cost per event with a thousand clients (make bench, docs/ctid.md
 * "Performance"): each lws service round polls every socket, so the work is
 * batched per round, not per message: ws_send wakes the lws thread only
 * when no wake is pending, the wake visits only the clients with new
 * messages (the dirty list), and a writable client is sent all its queued
 * messages while its socket takes them. Clients are found by id through a
 * hash table.
 */
#include "ws.h"

#include <errno.h>
#include <libwebsockets.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#define WS_HASH 1024
/* Messages written per writable callback at most (then the next service round). */
#define WS_WRITE_BATCH 256

struct msg {
	struct msg *next;
	int client;
	char *text;
	size_t len;
};

struct wsc {
	struct wsc *next;
	struct wsc *hnext;	/* same hash bucket */
	struct wsc *dnext;	/* dirty list: new messages since the last wake */
	bool dirty;
	int id;
	struct lws *wsi;
	struct msg *out, *out_tail;
	bool close_after;
};

struct pss {
	int id;
	char *buf;
	size_t len;
	bool too_big;
};

struct ws {
	struct lws_context *ctx;
	pthread_t thread;
	pthread_mutex_t lock;
	volatile int stop;
	int going_away;	/* under lock: ws_stop() asks every client to close (1001) */
	int efd;
	int port;
	int next_id;
	int nclients;
	struct wsc *clients;
	struct wsc *hash[WS_HASH];
	struct wsc *dirty;		/* clients to ask for a writable callback */
	bool wake_pending;		/* lws_cancel_service() called, not yet seen by the lws thread */
	struct msg *in, *in_tail;
	struct lws_http_mount mount;	/* static files (web_root) on the same port */
	char *web_root;
};

static struct ws *the_ws;	/* lws callbacks reach it through the context user */

static struct wsc *find(struct ws *ws, int id)
{
	for (struct wsc *c = ws->hash[(unsigned)id % WS_HASH]; c; c = c->hnext)
		if (c->id == id)
			return c;
	return NULL;
}

/* Under lock: forget a client (its messages too). */
static void unlink_locked(struct ws *ws, struct wsc *c)
{
	for (struct wsc **pp = &ws->clients; *pp; pp = &(*pp)->next)
		if (*pp == c) {
			*pp = c->next;
			break;
		}
	for (struct wsc **pp = &ws->hash[(unsigned)c->id % WS_HASH]; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	if (c->dirty)
		for (struct wsc **pp = &ws->dirty; *pp; pp = &(*pp)->dnext)
			if (*pp == c) {
				*pp = c->dnext;
				break;
			}
	while (c->out) {
		struct msg *m = c->out;
		c->out = m->next;
		free(m->text);
		free(m);
	}
	free(c);
	ws->nclients--;
}

static void push_in(struct ws *ws, int id, char *text)
{
	struct msg *m = calloc(1, sizeof(*m));
	if (!m) {
		free(text);
		return;
	}
	m->client = id;
	m->text = text;
	pthread_mutex_lock(&ws->lock);
	if (ws->in_tail)
		ws->in_tail->next = m;
	else
		ws->in = m;
	ws->in_tail = m;
	pthread_mutex_unlock(&ws->lock);
	uint64_t one = 1;
	if (write(ws->efd, &one, sizeof(one)) < 0) {
		/* eventfd counter saturated: the main thread is already woken */
	}
}

static void push_out_locked(struct wsc *c, const char *text)
{
	struct msg *m = calloc(1, sizeof(*m));
	if (!m)
		return;
	m->len = strlen(text);
	m->text = malloc(LWS_PRE + m->len + 1);
	if (!m->text) {
		free(m);
		return;
	}
	memcpy(m->text + LWS_PRE, text, m->len + 1);
	if (c->out_tail)
		c->out_tail->next = m;
	else
		c->out = m;
	c->out_tail = m;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct ws *ws = the_ws;
	struct pss *p = user;
	switch (reason) {
	case LWS_CALLBACK_ESTABLISHED: {
		struct wsc *c = calloc(1, sizeof(*c));
		if (!c)
			return -1;
		pthread_mutex_lock(&ws->lock);
		c->id = ++ws->next_id;
		c->wsi = wsi;
		c->next = ws->clients;
		ws->clients = c;
		c->hnext = ws->hash[(unsigned)c->id % WS_HASH];
		ws->hash[(unsigned)c->id % WS_HASH] = c;
		ws->nclients++;
		pthread_mutex_unlock(&ws->lock);
		memset(p, 0, sizeof(*p));
		p->id = c->id;
		break;
	}
	case LWS_CALLBACK_RECEIVE:
		if (!p->too_big) {
			if (p->len + len > WS_MAX_MESSAGE) {
				p->too_big = true;
				free(p->buf);
				p->buf = NULL;
				p->len = 0;
			} else {
				char *b = realloc(p->buf, p->len + len + 1);
				if (!b)
					return -1;
				p->buf = b;
				memcpy(b + p->len, in, len);
				p->len += len;
				b[p->len] = 0;
			}
		}
		if (!lws_is_final_fragment(wsi) || lws_remaining_packet_payload(wsi))
			break;
		if (p->too_big) {
			pthread_mutex_lock(&ws->lock);
			struct wsc *c = find(ws, p->id);
			if (c) {
				char err[160];
				snprintf(err, sizeof(err),
					 "{\"error\":\"messageTooLarge\",\"message\":\"messages are limited to %d bytes\"}",
					 WS_MAX_MESSAGE);
				push_out_locked(c, err);
				c->close_after = true;
			}
			pthread_mutex_unlock(&ws->lock);
			lws_callback_on_writable(wsi);
			p->too_big = false;
			break;
		}
		if (lws_frame_is_binary(wsi)) {
			free(p->buf);
			p->buf = strdup("\x01");	/* not JSON: answered as invalidMessage */
		}
		push_in(ws, p->id, p->buf ? p->buf : strdup(""));
		p->buf = NULL;
		p->len = 0;
		break;
	case LWS_CALLBACK_SERVER_WRITEABLE: {
		/* Take the queued messages (up to a batch) and write them while the socket takes them. */
		pthread_mutex_lock(&ws->lock);
		struct wsc *c = find(ws, p->id);
		struct msg *batch = c ? c->out : NULL, *last = NULL;
		int nb = 0;
		for (struct msg *m = batch; m && nb < WS_WRITE_BATCH; m = m->next, nb++)
			last = m;
		if (last) {
			c->out = last->next;
			if (!c->out)
				c->out_tail = NULL;
			last->next = NULL;
		}
		pthread_mutex_unlock(&ws->lock);
		while (batch) {
			struct msg *m = batch;
			batch = m->next;
			int n = lws_write(wsi, (unsigned char *)m->text + LWS_PRE, m->len, LWS_WRITE_TEXT);
			free(m->text);
			free(m);
			if (n < 0) {
				while (batch) {
					m = batch;
					batch = m->next;
					free(m->text);
					free(m);
				}
				return -1;
			}
			if (batch && lws_partial_buffered(wsi)) {
				/* lws holds part of that frame (the socket is full): the rest goes back to the front. */
				pthread_mutex_lock(&ws->lock);
				for (last = batch; last->next; last = last->next)
					;
				last->next = c->out;
				if (!c->out)
					c->out_tail = last;
				c->out = batch;
				pthread_mutex_unlock(&ws->lock);
				batch = NULL;
			}
		}
		pthread_mutex_lock(&ws->lock);
		bool more = c && c->out;
		bool close_now = c && !c->out && c->close_after;
		bool going_away = c && !c->out && ws->going_away;
		pthread_mutex_unlock(&ws->lock);
		if (close_now) {
			lws_close_reason(wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, NULL, 0);
			return -1;
		}
		if (going_away) {	/* lws sends the close frame and awaits the client's */
			lws_close_reason(wsi, LWS_CLOSE_STATUS_GOINGAWAY, NULL, 0);
			return -1;
		}
		if (more)
			lws_callback_on_writable(wsi);
		break;
	}
	case LWS_CALLBACK_CLOSED: {
		free(p->buf);
		p->buf = NULL;
		pthread_mutex_lock(&ws->lock);
		struct wsc *c = find(ws, p->id);
		if (c)
			unlink_locked(ws, c);
		pthread_mutex_unlock(&ws->lock);
		push_in(ws, p->id, NULL);
		break;
	}
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		pthread_mutex_lock(&ws->lock);
		ws->wake_pending = false;
		for (struct wsc *c = ws->dirty; c; c = c->dnext) {
			c->dirty = false;
			lws_callback_on_writable(c->wsi);
		}
		ws->dirty = NULL;
		if (ws->going_away)
			for (struct wsc *c = ws->clients; c; c = c->next)
				lws_callback_on_writable(c->wsi);
		pthread_mutex_unlock(&ws->lock);
		break;
	default:
		/* Plain HTTP requests: lws serves web_root's files through the mount. */
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
	return 0;
}

static const struct lws_protocols protocols[] = {
	{ "ctid", callback, sizeof(struct pss), 4096, 0, NULL, 0 },
	{ NULL, NULL, 0, 0, 0, NULL, 0 },
};

/*
 * Under load the lws thread runs at most one service round per WS_ROUND_US:
 * a round polls every socket (the cost grows with the clients), so it
 * should carry many messages, not one. Idle, lws_service() just waits; busy,
 * this adds at most WS_ROUND_US of latency.
 */
#define WS_ROUND_US 5000

static void *run(void *arg)
{
	struct ws *ws = arg;
	struct timespec last = { 0, 0 };
	while (!ws->stop) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		long us = (now.tv_sec - last.tv_sec) * 1000000L + (now.tv_nsec - last.tv_nsec) / 1000;
		if (us >= 0 && us < WS_ROUND_US) {
			struct timespec ts = { 0, (WS_ROUND_US - us) * 1000L };
			nanosleep(&ts, NULL);
			clock_gettime(CLOCK_MONOTONIC, &now);
		}
		last = now;
		if (lws_service(ws->ctx, 0) < 0)
			break;
	}
	return NULL;
}

ws_t *ws_start(const char *listen, const char *cert, const char *key, const char *web_root, char *err,
	       size_t errlen)
{
	if (the_ws) {
		snprintf(err, errlen, "listen: already started");
		return NULL;
	}
	char host[64];
	const char *colon = strrchr(listen, ':');
	if (!colon || (size_t)(colon - listen) >= sizeof(host)) {
		snprintf(err, errlen, "listen '%s': expected HOST:PORT", listen);
		return NULL;
	}
	memcpy(host, listen, (size_t)(colon - listen));
	host[colon - listen] = 0;
	struct ws *ws = calloc(1, sizeof(*ws));
	if (!ws) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&ws->lock, NULL);
	ws->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	lws_set_log_level(getenv("CTID_LWS_DEBUG") ? LLL_ERR | LLL_WARN | LLL_NOTICE | LLL_INFO : LLL_ERR | LLL_WARN, NULL);
	struct lws_context_creation_info info;
	memset(&info, 0, sizeof(info));
	info.port = atoi(colon + 1);
	info.iface = strcmp(host, "0.0.0.0") && strcmp(host, "*") ? host : NULL;
	info.protocols = protocols;
	info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
	if (cert && key) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cert;
		info.ssl_private_key_filepath = key;
	}
	info.gid = -1;
	info.uid = -1;
	if (web_root) {
		/* lws serves the files itself (with their MIME types) and refuses paths with "..". */
		ws->web_root = strdup(web_root);
		if (!ws->web_root) {
			snprintf(err, errlen, "out of memory");
			goto bad;
		}
		ws->mount.mountpoint = "/";
		ws->mount.mountpoint_len = 1;
		ws->mount.origin = ws->web_root;
		ws->mount.def = "index.html";
		ws->mount.origin_protocol = LWSMPRO_FILE;
		ws->mount.cache_max_age = 0;
		info.mounts = &ws->mount;
	}
	the_ws = ws;
	ws->ctx = lws_create_context(&info);
	if (!ws->ctx) {
		snprintf(err, errlen, "listen %s: cannot listen (address in use or not local?%s)", listen,
			 cert ? " or TLS certificate/key not usable" : "");
		goto bad;
	}
	struct lws_vhost *vh = lws_get_vhost_by_name(ws->ctx, "default");
	ws->port = vh ? lws_get_vhost_listen_port(vh) : info.port;
	if (pthread_create(&ws->thread, NULL, run, ws)) {
		snprintf(err, errlen, "cannot start the WebSocket thread");
		lws_context_destroy(ws->ctx);
		goto bad;
	}
	return ws;
bad:
	the_ws = NULL;
	free(ws->web_root);
	close(ws->efd);
	pthread_mutex_destroy(&ws->lock);
	free(ws);
	return NULL;
}

int ws_port(ws_t *ws)
{
	return ws->port;
}

int ws_fd(ws_t *ws)
{
	return ws->efd;
}

int ws_next(ws_t *ws, int *client, char **text)
{
	pthread_mutex_lock(&ws->lock);
	struct msg *m = ws->in;
	if (m) {
		ws->in = m->next;
		if (!ws->in)
			ws->in_tail = NULL;
	} else {
		uint64_t v;
		if (read(ws->efd, &v, sizeof(v)) < 0) {
			/* EAGAIN: already drained */
		}
	}
	pthread_mutex_unlock(&ws->lock);
	if (!m)
		return 0;
	*client = m->client;
	*text = m->text;
	free(m);
	return 1;
}

void ws_send(ws_t *ws, int client, const char *text)
{
	pthread_mutex_lock(&ws->lock);
	struct wsc *c = find(ws, client);
	bool wake = false;
	if (c) {
		push_out_locked(c, text);
		if (!c->dirty) {
			c->dirty = true;
			c->dnext = ws->dirty;
			ws->dirty = c;
		}
		wake = !ws->wake_pending;	/* one wake serves every message queued until it is seen */
		ws->wake_pending = true;
	}
	pthread_mutex_unlock(&ws->lock);
	if (wake)
		lws_cancel_service(ws->ctx);
}

int ws_clients(ws_t *ws)
{
	pthread_mutex_lock(&ws->lock);
	int n = ws->nclients;
	pthread_mutex_unlock(&ws->lock);
	return n;
}

/*
 * Closing the context alone would drop every client's TCP connection without
 * a close frame (the client sees 1006, "abnormal closure"). So first each
 * client is sent its queued messages and a close frame with 1001 (going
 * away), and the lws thread goes on serving until the clients have answered
 * it or WS_STOP_GRACE_MS have passed.
 */
#define WS_STOP_GRACE_MS 2000

void ws_stop(ws_t *ws)
{
	if (!ws)
		return;
	pthread_mutex_lock(&ws->lock);
	ws->going_away = 1;
	pthread_mutex_unlock(&ws->lock);
	lws_cancel_service(ws->ctx);
	for (int ms = 0; ms < WS_STOP_GRACE_MS && ws_clients(ws) > 0; ms += 10) {
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	ws->stop = 1;
	lws_cancel_service(ws->ctx);
	pthread_join(ws->thread, NULL);
	lws_context_destroy(ws->ctx);	/* closes the clients (CLOSED callbacks push to the inbox) */
	struct msg *m = ws->in;
	while (m) {
		struct msg *n = m->next;
		free(m->text);
		free(m);
		m = n;
	}
	close(ws->efd);
	pthread_mutex_destroy(&ws->lock);
	the_ws = NULL;
	free(ws->web_root);
	free(ws);
}
