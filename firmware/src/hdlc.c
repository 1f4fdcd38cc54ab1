// SPDX-License-Identifier: GPL-2.0 OR BSD-3-Clause
/*
 * hdlc.c - HDLC controller on the D-channel timeslot (ISO 3309 / Q.921 2).
 *
 * Octets go LSB first on the line; the timeslot octet goes MSB first, so
 * the first HDLC bit of a timeslot octet is its bit 7. Flags 0x7e, a zero
 * after five data ones, FCS-16 low octet first, abort = 7+ ones.
 */
#include "fw_int.h"

void fw_hdlc_reset(struct ctifw_port *p)
{
	bool bad = p->hrx.deliver_bad;

	FW_MEMSET(&p->htx.len, 0, sizeof(p->htx.len));
	p->htx.head = p->htx.count = 0;
	p->htx.active = false;
	p->htx.pos = 0;
	p->htx.obits = 0;
	p->htx.on = 0;
	p->htx.ones = 0;
	p->hrx.head = p->hrx.count = 0;
	p->hrx.in_frame = false;
	p->hrx.too_long = false;
	p->hrx.ones = 0;
	p->hrx.cur = p->hrx.nbit = 0;
	p->hrx.n = 0;
	p->hrx.deliver_bad = bad;
}

/* ---- transmit ---- */

int ctifw_hdlc_send(struct ctifw_port *p, const uint8_t *data, unsigned int len)
{
	struct fw_hdlc_tx *t = &p->htx;
	unsigned int slot;
	uint16_t fcs;

	if (!len || len > CTIFW_HDLC_MAX_FRAME)
		return -CTIFW_EMSGSIZE;
	if (t->count >= CTIFW_HDLC_QUEUE)
		return -CTIFW_ENOSPC;
	slot = (t->head + t->count) % CTIFW_HDLC_QUEUE;
	FW_MEMCPY(t->buf[slot], data, len);
	fcs = ctifw_fcs16(data, len);
	t->buf[slot][len] = (uint8_t)fcs;
	t->buf[slot][len + 1] = (uint8_t)(fcs >> 8);
	t->len[slot] = (uint16_t)(len + 2);
	t->count++;
	return 0;
}

void ctifw_hdlc_abort_tx(struct ctifw_port *p)
{
	struct fw_hdlc_tx *t = &p->htx;

	if (t->active) {
		/* Keep what is on the wire, then 8 ones (abort) and flags. */
		t->obits |= 0xffu << t->on;
		t->on = (uint8_t)(t->on + 8);
	}
	t->active = false;
	t->count = 0;
	t->pos = 0;
	t->ones = 0;
}

unsigned int ctifw_hdlc_tx_space(const struct ctifw_port *p)
{
	return CTIFW_HDLC_QUEUE - p->htx.count;
}

static void tx_fill(struct ctifw_port *p, struct fw_hdlc_tx *t)
{
	while (t->on < 8) {
		if (!t->active && t->count) {
			t->active = true;
			t->pos = 0;
		}
		if (!t->active) {
			t->obits |= 0x7eu << t->on;	/* idle flags */
			t->on = (uint8_t)(t->on + 8);
			continue;
		}
		if (t->pos < t->len[t->head]) {
			unsigned int v = t->buf[t->head][t->pos++], i, k = t->ones;
			unsigned int y = (v << k) | ((1u << k) - 1u);	/* HDLC order, LSB first */

			if (!(y & (y >> 1) & (y >> 2) & (y >> 3) & (y >> 4))) {
				/* No five ones in a row: the octet goes out unstuffed. */
				unsigned int inv = ~v & 0xffu;

				t->obits |= v << t->on;
				t->on = (uint8_t)(t->on + 8);
				t->ones = (uint8_t)(inv ? __builtin_clz(inv << 24) : 8);
				continue;
			}
			for (i = 0; i < 8; i++, v >>= 1) {
				unsigned int b = v & 1u;

				t->obits |= b << t->on++;
				if (!b) {
					t->ones = 0;
				} else if (++t->ones == 5) {
					t->on++;	/* stuffed zero */
					t->ones = 0;
				}
			}
		} else {
			/* Closing flag (it also opens the next frame). */
			t->obits |= 0x7eu << t->on;
			t->on = (uint8_t)(t->on + 8);
			t->ones = 0;
			t->active = false;
			t->head = (uint8_t)((t->head + 1) % CTIFW_HDLC_QUEUE);
			t->count--;
			p->cnt.hdlc_tx_frames++;
		}
	}
}

uint8_t fw_hdlc_tx_byte(struct ctifw_port *p)
{
	struct fw_hdlc_tx *t = &p->htx;
	uint8_t out;

	if (!t->on && !t->active && !t->count)
		return 0x7e;
	tx_fill(p, t);
	out = ctifw_bitrev8[t->obits & 0xffu];
	t->obits >>= 8;
	t->on = (uint8_t)(t->on - 8);
	return out;
}

/* ---- receive ---- */

static void rx_deliver(struct ctifw_port *p, uint8_t status)
{
	struct fw_hdlc_rx *r = &p->hrx;
	unsigned int slot = (r->head + r->count) % CTIFW_HDLC_QUEUE;

	if (status != CTIFW_HDLC_RX_OK && !r->deliver_bad)
		return;
	if (r->count >= CTIFW_HDLC_QUEUE) {
		p->cnt.hdlc_overruns++;
		return;
	}
	r->len[slot] = r->n;
	r->status[slot] = status;
	r->count++;
}

static void rx_end_frame(struct ctifw_port *p)
{
	struct fw_hdlc_rx *r = &p->hrx;

	if (r->too_long) {
		p->cnt.hdlc_overruns++;
	} else if (r->nbit != 1 || r->n < 3) {
		/* Not a whole number of octets, or too short to hold an FCS. */
		if (r->n || r->nbit > 1) {
			p->cnt.hdlc_crc_errors++;
			rx_deliver(p, CTIFW_HDLC_RX_BADFCS);
		}
	} else if (r->fcs != 0xf0b8) {
		p->cnt.hdlc_crc_errors++;
		rx_deliver(p, CTIFW_HDLC_RX_BADFCS);
	} else {
		p->cnt.hdlc_rx_frames++;
		rx_deliver(p, CTIFW_HDLC_RX_OK);
	}
}

static void rx_store(struct ctifw_port *p)
{
	struct fw_hdlc_rx *r = &p->hrx;

	if (r->n >= CTIFW_HDLC_MAX_FRAME + 2) {
		r->too_long = true;
	} else if (r->count < CTIFW_HDLC_QUEUE) {
		r->buf[(r->head + r->count) % CTIFW_HDLC_QUEUE][r->n] = r->cur;
	}
	r->fcs = (uint16_t)((r->fcs >> 8) ^ ctifw_fcs16_tab[(r->fcs ^ r->cur) & 0xff]);
	r->n++;
	r->cur = 0;
	r->nbit = 0;
}

static void rx_bit(struct ctifw_port *p, unsigned int b)
{
	struct fw_hdlc_rx *r = &p->hrx;

	if (!r->in_frame || r->too_long)
		return;
	r->cur |= (uint8_t)(b << r->nbit);
	if (++r->nbit == 8)
		rx_store(p);
}

/* Append nb (<= 15) data bits, first in bit 0. */
static void rx_bits(struct ctifw_port *p, unsigned int v, unsigned int nb)
{
	struct fw_hdlc_rx *r = &p->hrx;
	uint32_t acc = r->cur | (v << r->nbit);
	unsigned int n = r->nbit + nb;

	while (n >= 8) {
		r->cur = (uint8_t)acc;
		rx_store(p);
		if (r->too_long)
			return;
		acc >>= 8;
		n -= 8;
	}
	r->cur = (uint8_t)acc;
	r->nbit = (uint8_t)n;
}

void fw_hdlc_rx_byte(struct ctifw_port *p, uint8_t byte)
{
	struct fw_hdlc_rx *r = &p->hrx;
	int i;

	/* Fast paths: flags between frames and an idle (all ones) line. */
	if (byte == 0x7e && !r->ones && r->in_frame && !r->n && !r->nbit)
		return;
	if (byte == 0xff && !r->in_frame && r->ones >= 7)
		return;
	if (r->in_frame && !r->too_long && r->ones < 5) {
		unsigned int k = r->ones, x = (((1u << k) - 1u) << 8) | byte;

		if (!(x & (x >> 1) & (x >> 2) & (x >> 3) & (x >> 4))) {
			/* No five ones in a row: pending ones and the octet are data, except
			 * the trailing ones, which stay pending (they may start a flag). */
			unsigned int t = (unsigned int)__builtin_ctz(~(unsigned int)byte);
			unsigned int nb = k + 8 - t;
			unsigned int v = ((1u << k) - 1u) | ((unsigned int)ctifw_bitrev8[byte] << k);

			rx_bits(p, v & ((1u << nb) - 1u), nb);
			r->ones = (uint8_t)t;
			return;
		}
	}
	for (i = 7; i >= 0; i--) {
		unsigned int b = (byte >> i) & 1u;

		if (b) {
			if (++r->ones == 7 && r->in_frame) {
				/* Abort: drop the frame, wait for a flag. */
				if (r->n || r->nbit > 1) {
					p->cnt.hdlc_aborts++;
					rx_deliver(p, CTIFW_HDLC_RX_ABORT);
				}
				r->in_frame = false;
			}
			if (r->ones > 7)
				r->ones = 7;
			continue;
		}
		if (r->ones == 6) {
			/* Flag: ends a frame (the 0 before it was taken as data). */
			if (r->in_frame && (r->n || r->nbit > 1))
				rx_end_frame(p);
			r->in_frame = true;
			r->too_long = false;
			r->n = 0;
			r->nbit = 0;
			r->cur = 0;
			r->fcs = 0xffff;
		} else if (r->ones == 5) {
			while (r->ones--)
				rx_bit(p, 1);	/* the zero after five ones is stuffing */
		} else if (r->ones < 5) {
			while (r->ones) {
				rx_bit(p, 1);
				r->ones--;
			}
			rx_bit(p, 0);
		}
		r->ones = 0;
	}
}

int ctifw_hdlc_recv(struct ctifw_port *p, uint8_t *buf, unsigned int size, int *status)
{
	struct fw_hdlc_rx *r = &p->hrx;
	unsigned int len;
	int st;

	if (!r->count)
		return 0;
	st = r->status[r->head];
	len = r->len[r->head];
	if (st == CTIFW_HDLC_RX_OK)
		len -= 2;
	else if (len > CTIFW_HDLC_MAX_FRAME)
		len = CTIFW_HDLC_MAX_FRAME;
	if (status)
		*status = st;
	if (len > size) {
		r->head = (uint8_t)((r->head + 1) % CTIFW_HDLC_QUEUE);
		r->count--;
		return -CTIFW_EMSGSIZE;
	}
	FW_MEMCPY(buf, r->buf[r->head], len);
	r->head = (uint8_t)((r->head + 1) % CTIFW_HDLC_QUEUE);
	r->count--;
	return (int)len;
}

void ctifw_hdlc_deliver_bad(struct ctifw_port *p, bool on)
{
	p->hrx.deliver_bad = on;
}
