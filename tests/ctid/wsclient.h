/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wsclient.h - the client side of RFC 6455 framing for ctid's tests and
 * benchmarks (bench_ws.c, test_ws.c): the upgrade request, masked frames
 * out, server frames in. No I/O policy: callers read and write as they like.
 */
#ifndef CTID_TEST_WSCLIENT_H
#define CTID_TEST_WSCLIENT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { WSC_CONT = 0x0, WSC_TEXT = 0x1, WSC_BINARY = 0x2, WSC_CLOSE = 0x8, WSC_PING = 0x9, WSC_PONG = 0xA };

/* The upgrade request (fixed key: these clients test servers, they are not browsers). */
static inline int wsc_request(char *out, size_t size, int port)
{
	return snprintf(out, size,
			"GET / HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
			"Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n",
			port);
}

/* A masked client frame (RFC 6455 5.3) in a malloc'd buffer of *len bytes. */
static inline unsigned char *wsc_frame(int opcode, const void *payload, size_t n, size_t *len)
{
	static const unsigned char mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	unsigned char *out = malloc(14 + n);
	size_t h = 0;
	if (!out)
		return NULL;
	out[h++] = (unsigned char)(0x80 | opcode);
	if (n < 126) {
		out[h++] = (unsigned char)(0x80 | n);
	} else if (n < 65536) {
		out[h++] = 0x80 | 126;
		out[h++] = (unsigned char)(n >> 8);
		out[h++] = (unsigned char)n;
	} else {
		out[h++] = 0x80 | 127;
		for (int i = 7; i >= 0; i--)
			out[h++] = (unsigned char)((uint64_t)n >> (8 * i));
	}
	memcpy(out + h, mask, 4);
	h += 4;
	for (size_t i = 0; i < n; i++)
		out[h + i] = ((const unsigned char *)payload)[i] ^ mask[i % 4];
	*len = h + n;
	return out;
}

struct wsc_parsed {
	bool fin;
	int opcode;
	const unsigned char *payload;
	size_t len;
};

/*
 * One server frame from b[0..n): the bytes it takes (header + payload), 0 when
 * incomplete, -1 when malformed (a masked frame: servers never mask, RFC 6455 5.1).
 */
static inline long wsc_parse(const unsigned char *b, size_t n, struct wsc_parsed *f)
{
	if (n < 2)
		return 0;
	uint64_t plen = b[1] & 0x7f;
	size_t h = 2;
	if (b[1] & 0x80)
		return -1;
	if (plen == 126) {
		if (n < 4)
			return 0;
		plen = (uint64_t)b[2] << 8 | b[3];
		h = 4;
	} else if (plen == 127) {
		if (n < 10)
			return 0;
		plen = 0;
		for (int i = 0; i < 8; i++)
			plen = plen << 8 | b[2 + i];
		h = 10;
	}
	if (n - h < plen)
		return 0;
	f->fin = b[0] & 0x80;
	f->opcode = b[0] & 0x0f;
	f->payload = b + h;
	f->len = (size_t)plen;
	return (long)(h + plen);
}

#endif
