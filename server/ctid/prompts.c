/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * prompts.c - text-to-speech prompts of ctid's configuration (tts:VOICE:TEXT,
 * see prompts.h and tts.h): synthesized into the configured cache when ctid
 * starts or reloads, found there by resolve() when played.
 */
#include "prompts.h"

#include <stdio.h>
#include <string.h>

#include "tts.h"

/* A path named in ctid.conf: absolute, or relative to the file's directory. */
void ctid_conf_path(const struct server *s, const char *file, char *out, size_t size)
{
	const char *slash = strrchr(s->cfg_path, '/');
	if (file[0] == '/' || !slash)
		snprintf(out, size, "%s", file);
	else
		snprintf(out, size, "%.*s/%s", (int)(slash - s->cfg_path), s->cfg_path, file);
}


void ctid_tts_path(const struct server *s, const char *spec, char *out, size_t size)
{
	char dir[2 * CTID_PATH_MAX + 2], voice[TTS_VOICE_MAX], err[256];
	const char *text;
	ctid_conf_path(s, s->cfg->tts_cache, dir, sizeof(dir));
	if (tts_parse(spec, voice, &text, err, sizeof(err)))
		snprintf(out, size, "%s/invalid.wav", dir);
	else
		tts_cache_path(dir, voice, text, out, size);
}

static int tts_one(struct server *s, const struct ctid_config *cfg, const char *spec, char *err, size_t esize)
{
	char out[3 * CTID_PATH_MAX];
	return ctid_tts_render(s, cfg, spec, out, sizeof(out), err, esize);
}

int ctid_tts_render(struct server *s, const struct ctid_config *cfg, const char *spec, char *out, size_t size,
		    char *err, size_t esize)
{
	char dir[2 * CTID_PATH_MAX + 2];
	ctid_conf_path(s, cfg->tts_cache, dir, sizeof(dir));
	int r = tts_render(dir, spec, out, size, err, esize);
	if (r > 0)
		logmsg(s, "text to speech: %s -> %s", spec, out);
	return r < 0 ? -1 : 0;
}

int ctid_tts_prepare(struct server *s, const struct ctid_config *cfg, char *err, size_t esize)
{
	for (int i = 0; i < cfg->nflows; i++)
		for (int j = 0; j < cfg->flows[i].nsteps; j++)
			if (tts_is_spec(cfg->flows[i].steps[j].arg) &&
			    tts_one(s, cfg, cfg->flows[i].steps[j].arg, err, esize))
				return -1;
	for (int i = 0; i < cfg->nqueues; i++) {
		if (tts_is_spec(cfg->queues[i].moh) && tts_one(s, cfg, cfg->queues[i].moh, err, esize))
			return -1;
		if (tts_is_spec(cfg->queues[i].announce) && tts_one(s, cfg, cfg->queues[i].announce, err, esize))
			return -1;
	}
	for (int i = 0; i < cfg->ncampaigns; i++)
		if (tts_is_spec(cfg->campaigns[i].message) && tts_one(s, cfg, cfg->campaigns[i].message, err, esize))
			return -1;
	return 0;
}
