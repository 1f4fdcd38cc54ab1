/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * campaign_sim.h - the emulated far end of ctid's outbound trunks (--sim-outbound),
 * for trying and testing campaigns on the emulated board (docs/ctid.md).
 *
 * Per called number a person (rings 1.5 s, "hello?" for 0.7 s, then listens),
 * an answering machine (5 s greeting, then listens) - as syllable noise, or
 * spoken by espeak-ng (speaker: "Hello?", voicemail: a 6.5 s greeting) -, a
 * fax machine (receives),
 * busy, no answer (ringback), SIT or congestion; one kind per call to the
 * number, the last repeating. What a party heard goes to DIR/NUMBER-N.wav, a
 * fax to DIR/NUMBER-N.tif, and every offer/answer/clear to DIR/far.log with
 * the number of calls up.
 */
#ifndef CTID_CAMPAIGN_SIM_H
#define CTID_CAMPAIGN_SIM_H

#include "server_int.h"

/* Second int of every user-data struct of KIND_CAMPAIGN (campaign.c, campaign_sim.c). */
enum { CAMP_SUB_TICK = 1, CAMP_SUB_DIAL, CAMP_SUB_FAR };

struct camp_sim;

/* spec: NUMBER=KIND[/KIND...],...; record_dir may be NULL. NULL with err on error. */
struct camp_sim *camp_sim_new(struct server *s, const char *spec, const char *record_dir, char *err, size_t esize);
void camp_sim_free(struct camp_sim *cs);
/* An offered call on the far side of an outbound trunk: taken (true). */
bool camp_sim_offered(struct camp_sim *cs, const cti_event_t *ev);
/* An event of a far-end party (user data with CAMP_SUB_FAR). */
void camp_sim_event(void *party, const cti_event_t *ev);
/* Far-end calls up. */
int camp_sim_up(const struct camp_sim *cs);

#endif
