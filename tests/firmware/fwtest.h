/* fwtest.h - shared helpers of the firmware engine tests (host only). */
#ifndef FWTEST_H
#define FWTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "ctifw.h"

#define FR_BYTES (CTIFW_MAX_FRAMES * CTIFW_SLOTS)

/* Two ports joined by a cable; tx/rx payload buffers per port. */
struct pair {
	struct ctifw_port *p[2];
	uint8_t tx[2][FR_BYTES];
	uint8_t rx[2][FR_BYTES];
	int payload_null[2];	/* pass NULL as tx payload */
	int random_tx;		/* fresh random tx payload every tick */
	uint32_t rnd;
};

static inline struct ctifw_port *port_new(const struct ctifw_port_config *cfg, uint32_t seed)
{
	struct ctifw_port *p = calloc(1, ctifw_port_size());

	assert_non_null(p);
	ctifw_port_init(p, cfg, seed);
	return p;
}

static inline struct ctifw_port_config cfg_of(enum ctifw_line line, enum ctifw_framing fr, uint8_t dchan)
{
	struct ctifw_port_config c;

	memset(&c, 0, sizeof(c));
	c.line = line;
	c.framing = fr;
	c.coding = line == CTIFW_LINE_E1 ? CTIFW_CODING_HDB3 : CTIFW_CODING_B8ZS;
	c.dchan = dchan;
	return c;
}

/* Shortened alarm timing so tests run quickly: set 100 ms, RAI 50 ms, clear 200 ms. */
static inline void fast_alarms(struct ctifw_port *p)
{
	struct ctifw_alarm_timing t = { 100, 50, 200 };

	ctifw_port_set_alarm_timing(p, &t);
}

static inline void pair_init(struct pair *s, const struct ctifw_port_config *cfg, uint32_t seed)
{
	memset(s, 0, sizeof(*s));
	s->p[0] = port_new(cfg, seed);
	s->p[1] = port_new(cfg, seed + 1000);
	ctifw_cable_connect(s->p[0], s->p[1]);
	fast_alarms(s->p[0]);
	fast_alarms(s->p[1]);
}

static inline void pair_free(struct pair *s)
{
	free(s->p[0]);
	free(s->p[1]);
}

/* One tick of n frames: every port transmits, then every port receives. */
static inline void fill_random(uint8_t *b, size_t n, uint32_t *st);

static inline void pair_step(struct pair *s, unsigned int n)
{
	if (s->random_tx) {
		fill_random(s->tx[0], n * CTIFW_SLOTS, &s->rnd);
		fill_random(s->tx[1], n * CTIFW_SLOTS, &s->rnd);
	}
	ctifw_port_tx(s->p[0], s->payload_null[0] ? NULL : s->tx[0], n);
	ctifw_port_tx(s->p[1], s->payload_null[1] ? NULL : s->tx[1], n);
	ctifw_port_rx(s->p[0], s->rx[0], n);
	ctifw_port_rx(s->p[1], s->rx[1], n);
}

static inline void pair_run(struct pair *s, unsigned int frames)
{
	while (frames) {
		unsigned int n = frames > 8 ? 8 : frames;

		pair_step(s, n);
		frames -= n;
	}
}

static inline void fill_random(uint8_t *b, size_t n, uint32_t *st)
{
	size_t i;

	/* xorshift32: an LCG's low bits are too regular (they mimic framing). */
	for (i = 0; i < n; i++) {
		uint32_t x = *st ? *st : 1u;

		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		*st = x;
		b[i] = (uint8_t)(x >> 24);
	}
}

/* |k - mean| within z standard deviations (normal approximation of Poisson/binomial). */
static inline int within(double k, double mean, double var, double z)
{
	return fabs(k - mean) <= z * sqrt(var) + 1.0;
}

#endif
