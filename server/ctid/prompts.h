/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * prompts.h - text-to-speech prompts of ctid's configuration (prompts.c):
 * tts.c's cache placed at [ctid] tts_cache, used by server.c (IVR, queues),
 * campaign.c (messages) and campaign_sim.c (the far end's voices).
 */
#ifndef CTID_PROMPTS_H
#define CTID_PROMPTS_H

#include <stddef.h>

#include "server_int.h"

/* A path named in ctid.conf: absolute, or relative to the file's directory. */
void ctid_conf_path(const struct server *s, const char *file, char *out, size_t size);
/* Synthesize (or find cached) every tts: prompt of the configuration. 0, or -1 with err. */
int ctid_tts_prepare(struct server *s, const struct ctid_config *cfg, char *err, size_t esize);
/* Synthesize (or find cached) one tts:VOICE:TEXT prompt of cfg: out gets its WAV. 0, or -1 with err. */
int ctid_tts_render(struct server *s, const struct ctid_config *cfg, const char *spec, char *out, size_t size,
		    char *err, size_t esize);
/* The cache file of a tts:VOICE:TEXT prompt (server.c's resolve()). */
void ctid_tts_path(const struct server *s, const char *spec, char *out, size_t size);

#endif
