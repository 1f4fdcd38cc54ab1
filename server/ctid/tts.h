/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tts.h - text to speech for ctid's prompts and campaign messages.
 *
 * A prompt written "tts:VOICE:TEXT" (or an IVR step "say VOICE: TEXT") is
 * spoken by espeak-ng with that voice (e.g. en, cmn) and converted by sox to
 * the 8 kHz mono 16-bit WAV libcti plays. The WAV is cached in a directory
 * under a name made of the voice and a hash of (voice, text), so the same
 * text is synthesized once, ever: later runs and reloads find the file.
 * The programs are found through PATH ("espeak-ng", "sox").
 *
 * No dependency on the rest of ctid (config.c calls tts_check_voice()).
 */
#ifndef CTID_TTS_H
#define CTID_TTS_H

#include <stdbool.h>
#include <stddef.h>

#define TTS_VOICE_MAX 32

/* Does this prompt name start with "tts:"? */
bool tts_is_spec(const char *prompt);
/*
 * Split "tts:VOICE:TEXT": voice (letters, digits, - _ +), text not empty.
 * Returns 0, or -1 with a message in err.
 */
int tts_parse(const char *spec, char voice[TTS_VOICE_MAX], const char **text, char *err, size_t esize);
/* Does espeak-ng have this voice? 0, or -1 with a message naming it (remembered per process). */
int tts_check_voice(const char *voice, char *err, size_t esize);
/* Where the WAV of (voice, text) lives in the cache directory. */
void tts_cache_path(const char *cache_dir, const char *voice, const char *text, char *out, size_t size);
/*
 * The WAV of a spec, synthesized unless cached: out gets its path. Returns 1
 * (synthesized now), 0 (cache hit), or -1 with a message in err (bad spec,
 * unknown voice, espeak-ng or sox failed; the cache is left without a file).
 */
int tts_render(const char *cache_dir, const char *spec, char *out, size_t size, char *err, size_t esize);

#endif
