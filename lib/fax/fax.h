/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * fax.h - libcti's fax module (lib/fax), internal.
 *
 *   fax.c          public entry points (cti_fax_*), argument checks, op setup
 *   fax_session.c  one T.30 session (spandsp fax_state_t) driven by the media
 *                  channel's exclusive hook: 160 linear samples in/out per tick
 *   fax_tiff.c     TIFF checks (bilevel, legal width), conversion, page copy
 *
 * Everything here is compiled only with CONFIG_FAX; without it fax.c returns
 * CTI_ENOTSUP from every cti_fax_* function.
 */
#ifndef CTI_FAX_H
#define CTI_FAX_H

#include <stdint.h>
#include "../internal.h"

struct media_chan;
struct fax_session;

/* ---- TIFF (fax_tiff.c) ---- */

/*
 * Check a TIFF for sending: every page in [first, last] (1-based, 0 = open)
 * bilevel, legal fax width for its horizontal resolution (R8: 1728, 2048,
 * 2432; R16: 3456, 4096, 4864). Returns the page count of the file, or
 * CTI_EFORMAT / CTI_EINVAL via cti__error() naming file, page and problem.
 */
int fax_tiff_check(const char *path, int first, int last);
/* Write the chosen ranges of several documents into one new TIFF at out. Returns pages. */
int fax_tiff_concat(const cti_fax_doc_t *docs, int ndocs, const char *out);
/* Any TIFF to a 1728-wide G4 fax TIFF (204x196 dpi). Returns pages. */
int fax_tiff_convert(const char *in, const char *out);

/* ---- sessions (fax_session.c) ---- */

struct fax_session_cfg {
	cti_ctx_t *ctx;
	cti_call_t *call;
	int span, channel;		/* for events */
	int op_id;
	int sending;			/* 1: send tx_file, 0: receive to rx_file */
	int calling;			/* 1: calling party (CNG, waits for DIS), 0: answerer */
	const char *tx_file;		/* file spandsp reads */
	int tx_first, tx_last;		/* 0-based page range of tx_file, -1 = open */
	int tx_is_temp;			/* unlink tx_file when the session ends */
	const char *rx_file;
	const char *ident;
	const char *header;
	int ecm;
	int modems;			/* CTI_FAX_* mask */
	int max_rate;
	int compressions;		/* CTI_FAX_T4_2D / CTI_FAX_T6 mask; T.4 1D always */
};

/* Create a session (spandsp state set up, nothing run yet). NULL + cti__error on failure. */
struct fax_session *fax_session_new(const struct fax_session_cfg *cfg);
/*
 * The media hook pair. fax_session_hook processes one block (rx is copied
 * first: fax_rx modifies its input). When T.30 reaches phase E the session
 * posts CTI_EV_FAX_DONE and CTI_EV_OP_DONE and detaches itself from chan
 * (media_chan_set_hook(chan, NULL, ...)), which frees it.
 * fax_session_end ends it early (hangup, stop): T.30 terminated, the
 * received file closed valid, events posted, session freed.
 */
void fax_session_hook(void *user, const int16_t *rx, int16_t *tx, int n);
void fax_session_end(void *user, int reason);
/* Media channel the hook is installed on (registered as busy until the session ends). */
void fax_session_set_chan(struct fax_session *s, struct media_chan *chan);
/* A fax session is installed on chan (second fax: CTI_EBUSY). */
int fax_chan_busy(struct media_chan *chan);
/* Free without events (setup failed before the hook was installed). */
void fax_session_free(struct fax_session *s);

/*
 * Longest a fax session may run: 30 minutes of line time (virtual or real).
 * At the limit T.30 is terminated and the session ends with op reason
 * CTI_TERM_MAX_TIME, a FAX_DONE result text saying so, and the pages that
 * got through. fax_set_max_ms changes it for sessions started afterwards
 * (tests; 0 restores the default).
 */
#define FAX_MAX_MS (30u * 60 * 1000)
void fax_set_max_ms(uint32_t ms);

/* Map a CTI_FAX_* modem mask and bit-rate cap to spandsp T30_SUPPORT_* bits (0: nothing left). */
int fax_modem_mask(int modems, int max_rate);

#endif /* CTI_FAX_H */
