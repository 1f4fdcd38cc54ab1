/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * bench_fax.c - fax CPU cost on the back-to-back harness (virtual time).
 *
 *   fax_sessions_per_core  N pairs (2N sessions) run interleaved, 1 s of audio
 *                          at a time, for 30 s of audio each: sessions one core
 *                          keeps in real time = session-seconds / CPU seconds.
 *   fax_cpu_ms_per_page    one complete 10-page A4 fine transfer (V.17, ECM),
 *                          CPU of both ends (+ G.711 line) per page.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "testdoc.h"

#define PAIRS 40
#define AUDIO_S 30

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct pair {
	cti_ctx_t ctx;
	cti_call_t a, b;
	char rx[128];
};

static int start_pair(struct pair *p, const char *doc, const char *rx)
{
	cti_fax_params_t tx, r;
	cti_fax_doc_t tx_docs[1] = { { NULL, 0, 0 } };

	harness_init(&p->ctx);
	harness_call_init(&p->a, &p->ctx, 1, 1, 1);
	harness_call_init(&p->b, &p->ctx, 0, 2, 1);
	cti_fax_params_init(&tx);
	tx.docs = tx_docs;
	tx.ndocs = 1;
	tx_docs[0].path = doc;
	cti_fax_params_init(&r);
	snprintf(p->rx, sizeof(p->rx), "%s", rx);
	r.receive_path = p->rx;
	if (cti_fax_send(&p->a, &tx) <= 0 || cti_fax_receive(&p->b, &r) <= 0) {
		fprintf(stderr, "bench: start failed: %s\n", cti_last_error());
		return -1;
	}
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/cti-faxbench-XXXXXX", doc[128], rx[160], cmd[160];
	struct testdoc d;
	struct pair *pairs;
	double t0, cpu;
	int i, s, pages;
	uint64_t audio_ms = 0;

	if (!mkdtemp(dir))
		return 1;
	snprintf(doc, sizeof(doc), "%s/doc.tif", dir);
	testdoc_defaults(&d, 10, 3);
	d.rows = 2200;	/* A4 at fine resolution */
	if (testdoc_write(doc, &d) != 0)
		return 1;

	/* Per page: one whole transfer. */
	pairs = calloc(PAIRS, sizeof(*pairs));
	if (!pairs)
		return 1;
	snprintf(rx, sizeof(rx), "%s/rx-page.tif", dir);
	t0 = cpu_s();
	if (start_pair(&pairs[0], doc, rx))
		return 1;
	audio_ms = harness_run(&pairs[0].ctx, &pairs[0].a, &pairs[0].b, 1200000, 0);
	cpu = cpu_s() - t0;
	pages = harness_count(&pairs[0].ctx, CTI_EV_FAX_PAGE, &pairs[0].b);
	if (pages != 10) {
		fprintf(stderr, "bench: transfer delivered %d pages\n", pages);
		return 1;
	}
	printf("10-page A4 transfer: %.1f s of audio, %.1f ms CPU (both ends)\n", audio_ms / 1000.0, cpu * 1000);
	printf("BENCH fax_cpu_ms_per_page %.1f ms 1000 lower\n", cpu * 1000 / pages);

	/* Sessions per core. */
	for (i = 0; i < PAIRS; i++) {
		snprintf(rx, sizeof(rx), "%s/rx%d.tif", dir, i);
		if (start_pair(&pairs[i], doc, rx))
			return 1;
	}
	t0 = cpu_s();
	for (s = 0; s < AUDIO_S; s++)
		for (i = 0; i < PAIRS; i++)
			harness_run(&pairs[i].ctx, &pairs[i].a, &pairs[i].b, 1000, 0);
	cpu = cpu_s() - t0;
	printf("%d sessions x %d s of audio: %.2f s CPU\n", 2 * PAIRS, AUDIO_S, cpu);
	printf("BENCH fax_sessions_per_core %.0f sessions 500 higher\n", 2.0 * PAIRS * AUDIO_S / cpu);
	for (i = 0; i < PAIRS; i++)	/* hang up: files closed */
		harness_run(&pairs[i].ctx, &pairs[i].a, &pairs[i].b, 100, 20);
	free(pairs);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : 1;
}
