// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_ws.c - ctid's WebSocket transport (server/ctid/ws.c) with real sockets:
 * what the batching of make bench's fixes (one wake per round, dirty list,
 * several messages per writable callback, re-queueing when lws holds a
 * partial frame, hash lookup) must not change:
 *
 *  - every message queued for a client arrives, byte-exact and in order,
 *    also when the client's socket is full for a while (messages up to
 *    60 KB, clients read one after another so the others' sockets fill);
 *  - a client that goes away mid-stream is reported (text NULL) and the
 *    others still get everything; sending to it afterwards is harmless;
 *  - ws_stop() delivers what is queued, then closes with 1001.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "ws.h"
#include "wsclient.h"

struct client {
	int fd;
	int id;			/* ws.c's client id */
	unsigned char *buf;
	size_t len, cap;
};

static void client_send(struct client *c, int opcode, const char *text, size_t n)
{
	size_t len = 0;
	unsigned char *f = wsc_frame(opcode, text, n, &len);
	assert_non_null(f);
	assert_int_equal(send(c->fd, f, len, MSG_NOSIGNAL), (ssize_t)len);
	free(f);
}

/* Blocking read of the next frame (10 s at most); the payload is copied, NUL-terminated. */
static int client_read(struct client *c, char **payload, size_t *plen)
{
	for (;;) {
		struct wsc_parsed f;
		long used = wsc_parse(c->buf, c->len, &f);
		assert_true(used >= 0);
		if (used > 0) {
			*payload = malloc(f.len + 1);
			assert_non_null(*payload);
			memcpy(*payload, f.payload, f.len);
			(*payload)[f.len] = 0;
			*plen = f.len;
			int op = f.opcode;
			assert_true(f.fin);	/* ws.c sends each message as one frame */
			memmove(c->buf, c->buf + used, c->len - (size_t)used);
			c->len -= (size_t)used;
			return op;
		}
		if (c->cap - c->len < 65536) {
			c->cap = c->len + 131072;
			c->buf = realloc(c->buf, c->cap);
			assert_non_null(c->buf);
		}
		ssize_t r = recv(c->fd, c->buf + c->len, c->cap - c->len, 0);
		if (r <= 0)
			return -1;
		c->len += (size_t)r;
	}
}

/* Connect, upgrade, say hello; the server side's id comes from ws_next. */
static void client_open(ws_t *ws, struct client *c, int k)
{
	memset(c, 0, sizeof(*c));
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(c->fd >= 0);
	struct timeval tv = { 10, 0 };
	setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)ws_port(ws)) };
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(c->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	char req[256], resp[1024];
	int n = wsc_request(req, sizeof(req), ws_port(ws));
	assert_int_equal(send(c->fd, req, (size_t)n, 0), n);
	size_t got = 0;
	while (got < sizeof(resp) - 1) {	/* read byte-wise up to the end of the headers */
		ssize_t r = recv(c->fd, resp + got, 1, 0);
		assert_int_equal(r, 1);
		got++;
		resp[got] = 0;
		if (got >= 4 && !memcmp(resp + got - 4, "\r\n\r\n", 4))
			break;
	}
	assert_memory_equal(resp, "HTTP/1.1 101", 12);
	char hello[32];
	snprintf(hello, sizeof(hello), "hello-%d", k);
	client_send(c, WSC_TEXT, hello, strlen(hello));
	for (int tries = 0; tries < 1000; tries++) {
		int id;
		char *text;
		if (ws_next(ws, &id, &text)) {
			bool mine = text && !strcmp(text, hello);
			free(text);
			if (mine) {
				c->id = id;
				return;
			}
			continue;
		}
		struct pollfd p = { .fd = ws_fd(ws), .events = POLLIN };
		poll(&p, 1, 10);
	}
	fail_msg("client %d: its hello never reached ws_next", k);
}

static void client_close(struct client *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	free(c->buf);
	c->buf = NULL;
}

/* Message seq for client k: numbered, of varied length (every 251st ~60 KB: partial writes). */
static char *message(int k, int seq, size_t *len)
{
	size_t n = seq % 251 == 0 ? 60000 : 24 + (size_t)(seq * 7 % 300);
	char *m = malloc(n + 1);
	assert_non_null(m);
	int h = snprintf(m, n + 1, "{\"k\":%d,\"seq\":%d,\"pad\":\"", k, seq);
	for (size_t i = (size_t)h; i < n - 2; i++)
		m[i] = (char)('a' + (i + (size_t)seq) % 26);
	m[n - 2] = '"';
	m[n - 1] = '}';
	m[n] = 0;
	*len = n;
	return m;
}

static void expect_messages(struct client *c, int k, int from, int to)
{
	for (int seq = from; seq < to; seq++) {
		size_t want_len, got_len;
		char *want = message(k, seq, &want_len), *got = NULL;
		int op = client_read(c, &got, &got_len);
		if (op != WSC_TEXT || got_len != want_len || memcmp(got, want, want_len))
			fail_msg("client %d, message %d: opcode %d, %zu bytes '%.40s', expected %zu bytes '%.40s'", k, seq,
				 op, got_len, got ? got : "", want_len, want);
		free(want);
		free(got);
	}
}

static ws_t *start(void)
{
	char err[256];
	ws_t *ws = ws_start("127.0.0.1:0", NULL, NULL, NULL, err, sizeof(err));
	if (!ws)
		fail_msg("ws_start: %s", err);
	assert_true(ws_port(ws) > 0);
	return ws;
}

#define NCLIENTS 8
#define NMSG 3000

static void test_order_and_completeness(void **state)
{
	(void)state;
	ws_t *ws = start();
	struct client c[NCLIENTS];
	for (int k = 0; k < NCLIENTS; k++)
		client_open(ws, &c[k], k);
	assert_int_equal(ws_clients(ws), NCLIENTS);
	/* Interleaved, as events to several sessions are. */
	for (int seq = 0; seq < NMSG; seq++)
		for (int k = 0; k < NCLIENTS; k++) {
			size_t n;
			char *m = message(k, seq, &n);
			ws_send(ws, c[k].id, m);
			free(m);
		}
	/* One client after the other: the later ones' sockets are full meanwhile. */
	for (int k = 0; k < NCLIENTS; k++)
		expect_messages(&c[k], k, 0, NMSG);
	for (int k = 0; k < NCLIENTS; k++)
		client_close(&c[k]);
	ws_stop(ws);
}

static void test_client_gone_midstream(void **state)
{
	(void)state;
	ws_t *ws = start();
	struct client a, b;
	client_open(ws, &a, 0);
	client_open(ws, &b, 1);
	for (int seq = 0; seq < 2000; seq++) {
		size_t n;
		char *m = message(0, seq, &n);
		ws_send(ws, a.id, m);
		free(m);
		m = message(1, seq, &n);
		ws_send(ws, b.id, m);
		free(m);
	}
	expect_messages(&a, 0, 0, 10);
	client_close(&a);	/* with most of its messages still queued */
	expect_messages(&b, 1, 0, 2000);
	/* ws_next reports a's departure, and only a's. */
	int gone = 0;
	for (int tries = 0; tries < 500 && !gone; tries++) {
		int id;
		char *text;
		while (ws_next(ws, &id, &text)) {
			assert_null(text);
			assert_int_equal(id, a.id);
			gone = 1;
		}
		if (!gone) {
			struct pollfd p = { .fd = ws_fd(ws), .events = POLLIN };
			poll(&p, 1, 10);
		}
	}
	assert_true(gone);
	assert_int_equal(ws_clients(ws), 1);
	ws_send(ws, a.id, "{\"to\":\"nobody\"}");	/* dropped */
	ws_send(ws, b.id, "{\"still\":\"here\"}");
	char *got;
	size_t n;
	assert_int_equal(client_read(&b, &got, &n), WSC_TEXT);
	assert_string_equal(got, "{\"still\":\"here\"}");
	free(got);
	client_close(&b);
	ws_stop(ws);
}

struct stop_reader {
	struct client *c;
	int messages, close_code;
};

/* Reads what ws_stop() flushes, then answers the close frame as a client must. */
static void *stop_reader(void *arg)
{
	struct stop_reader *r = arg;
	for (;;) {
		char *p = NULL;
		size_t n;
		int op = client_read(r->c, &p, &n);
		if (op == WSC_TEXT) {
			size_t wl;
			char *want = message(2, r->messages, &wl);
			if (n == wl && !memcmp(p, want, wl))
				r->messages++;
			free(want);
		} else if (op == WSC_CLOSE) {
			r->close_code = n >= 2 ? ((unsigned char)p[0] << 8 | (unsigned char)p[1]) : 1005;
			size_t fl = 0;
			unsigned char *f = wsc_frame(WSC_CLOSE, p, n >= 2 ? 2 : 0, &fl);
			if (f && send(r->c->fd, f, fl, MSG_NOSIGNAL) < 0) {
				/* the server may have closed already */
			}
			free(f);
			free(p);
			return NULL;
		}
		free(p);
		if (op < 0)
			return NULL;
	}
}

static void test_stop_flushes_then_1001(void **state)
{
	(void)state;
	ws_t *ws = start();
	struct client c;
	client_open(ws, &c, 2);
	for (int seq = 0; seq < 500; seq++) {
		size_t n;
		char *m = message(2, seq, &n);
		ws_send(ws, c.id, m);
		free(m);
	}
	struct stop_reader r = { &c, 0, 0 };
	pthread_t t;
	assert_int_equal(pthread_create(&t, NULL, stop_reader, &r), 0);
	ws_stop(ws);
	pthread_join(t, NULL);
	assert_int_equal(r.messages, 500);
	assert_int_equal(r.close_code, 1001);
	client_close(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_completeness),
		cmocka_unit_test(test_client_gone_midstream),
		cmocka_unit_test(test_stop_flushes_then_1001),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
