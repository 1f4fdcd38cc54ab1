/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * tts.c - espeak-ng prompts cached as 8 kHz WAV (see tts.h).
 *
 * espeak-ng writes a 22050 Hz WAV; sox resamples it to 8 kHz mono 16 bit.
 * Both run as child processes (posix_spawnp, no shell); the text goes through
 * a file (-f), so no text can be taken for an option. The result is written
 * under a temporary name and renamed into place, so the cache never holds a
 * half-written file and two ctid processes sharing a cache do not collide.
 */
#include "tts.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* Bumped when the rendering changes, so old cache files are not reused. */
#define TTS_RENDER_TAG "espeak-ng>sox 8000 Hz mono s16 v1"

bool tts_is_spec(const char *prompt)
{
	return prompt && !strncmp(prompt, "tts:", 4);
}

static bool voice_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' ||
	       c == '+';
}

int tts_parse(const char *spec, char voice[TTS_VOICE_MAX], const char **text, char *err, size_t esize)
{
	if (!tts_is_spec(spec)) {
		snprintf(err, esize, "'%s' is not tts:VOICE:TEXT", spec);
		return -1;
	}
	const char *v = spec + 4, *colon = strchr(v, ':');
	size_t n = colon ? (size_t)(colon - v) : 0;
	if (!colon || !n || n >= TTS_VOICE_MAX || v[0] == '-') {
		snprintf(err, esize, "bad text-to-speech prompt '%s' (write tts:VOICE:TEXT, e.g. tts:en:Hello)", spec);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (!voice_char(v[i])) {
			snprintf(err, esize, "bad voice name '%.*s' in '%s' (letters, digits, - _ +)", (int)n, v, spec);
			return -1;
		}
	const char *t = colon + 1;
	while (*t == ' ' || *t == '\t')
		t++;
	if (!*t) {
		snprintf(err, esize, "text-to-speech prompt '%s' has no text", spec);
		return -1;
	}
	memcpy(voice, v, n);
	voice[n] = 0;
	*text = t;
	return 0;
}

/*
 * Run argv (argv[0] through PATH), stdout and stderr into out (last bytes kept).
 * Returns the exit status, or -1 if it could not run (out says why).
 */
static int run(char *const argv[], char *out, size_t osize)
{
	int fds[2];
	out[0] = 0;
	if (pipe2(fds, O_CLOEXEC)) {
		snprintf(out, osize, "pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	pid_t pid;
	int r = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (r) {
		close(fds[0]);
		snprintf(out, osize, "cannot run %s: %s", argv[0], strerror(r));
		return -1;
	}
	size_t len = 0;
	char buf[512];
	ssize_t n;
	while ((n = read(fds[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR)) {
		for (ssize_t i = 0; i < n; i++) {
			if (len + 1 >= osize) {	/* keep the end: errors come last */
				memmove(out, out + osize / 2, len - osize / 2);
				len -= osize / 2;
			}
			out[len++] = buf[i];
		}
	}
	out[len] = 0;
	while (len && (out[len - 1] == '\n' || out[len - 1] == ' '))
		out[--len] = 0;
	close(fds[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR) {
			snprintf(out, osize, "waitpid: %s", strerror(errno));
			return -1;
		}
	if (WIFSIGNALED(st)) {
		snprintf(out + len, osize - len, "%skilled by signal %d", len ? "; " : "", WTERMSIG(st));
		return 128 + WTERMSIG(st);
	}
	return WEXITSTATUS(st);
}

/* Voices checked in this process (a handful at most). */
static struct {
	char voice[TTS_VOICE_MAX];
	bool ok;
} checked[64];
static int nchecked;

int tts_check_voice(const char *voice, char *err, size_t esize)
{
	for (int i = 0; i < nchecked; i++)
		if (!strcmp(checked[i].voice, voice)) {
			if (!checked[i].ok)
				snprintf(err, esize, "espeak-ng has no voice '%s' (espeak-ng --voices lists them)", voice);
			return checked[i].ok ? 0 : -1;
		}
	char out[512];
	char *argv[] = { "espeak-ng", "-q", "-v", (char *)voice, "", NULL };
	int r = run(argv, out, sizeof(out));
	if (r < 0) {
		snprintf(err, esize, "text-to-speech voice '%s': %s (install espeak-ng: make deps)", voice, out);
		return -1;	/* not remembered: may be installed later */
	}
	if (nchecked < (int)(sizeof(checked) / sizeof(checked[0]))) {
		snprintf(checked[nchecked].voice, sizeof(checked[nchecked].voice), "%s", voice);
		checked[nchecked++].ok = r == 0;
	}
	if (r) {
		snprintf(err, esize, "espeak-ng has no voice '%s' (espeak-ng --voices lists them)", voice);
		return -1;
	}
	return 0;
}

/* FNV-1a, 64 bits, over the tag, the voice and the text (NUL separated). */
static uint64_t fnv(uint64_t h, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s;; p++) {
		h ^= *p;
		h *= 1099511628211ULL;
		if (!*p)
			return h;
	}
}

void tts_cache_path(const char *cache_dir, const char *voice, const char *text, char *out, size_t size)
{
	uint64_t h = fnv(fnv(fnv(14695981039346656037ULL, TTS_RENDER_TAG), voice), text);
	snprintf(out, size, "%s/%s-%016" PRIx64 ".wav", cache_dir, voice, h);
}

static int mkdirs(const char *dir, char *err, size_t esize)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = 0;
		if (mkdir(path, 0755) && errno != EEXIST) {
			snprintf(err, esize, "text-to-speech cache %s: cannot create %s: %s", dir, path, strerror(errno));
			return -1;
		}
		if (!c)
			return 0;
		*p = c;
	}
}

int tts_render(const char *cache_dir, const char *spec, char *out, size_t size, char *err, size_t esize)
{
	char voice[TTS_VOICE_MAX];
	const char *text;
	if (tts_parse(spec, voice, &text, err, esize))
		return -1;
	tts_cache_path(cache_dir, voice, text, out, size);
	struct stat st;
	if (!stat(out, &st) && st.st_size > 44)
		return 0;
	if (tts_check_voice(voice, err, esize) || mkdirs(cache_dir, err, esize))
		return -1;
	char txt[4200], raw[4200], tmp[4200], msg[1024];
	snprintf(txt, sizeof(txt), "%s.%d.txt", out, (int)getpid());
	snprintf(raw, sizeof(raw), "%s.%d.22k.wav", out, (int)getpid());
	snprintf(tmp, sizeof(tmp), "%s.%d.tmp.wav", out, (int)getpid());
	FILE *f = fopen(txt, "w");
	if (!f || fputs(text, f) < 0 || fputc('\n', f) < 0) {
		snprintf(err, esize, "text-to-speech: cannot write %s: %s", txt, strerror(errno));
		if (f)
			fclose(f);
		unlink(txt);
		return -1;
	}
	if (fclose(f)) {
		snprintf(err, esize, "text-to-speech: cannot write %s: %s", txt, strerror(errno));
		unlink(txt);
		return -1;
	}
	int rc = 0;
	char *espeak[] = { "espeak-ng", "-v", voice, "-w", raw, "-f", txt, NULL };
	int r = run(espeak, msg, sizeof(msg));
	if (r) {
		snprintf(err, esize, "espeak-ng -v %s failed (%s%d): %s", voice, r < 0 ? "" : "exit ", r < 0 ? 0 : r,
			 msg[0] ? msg : "no message");
		rc = -1;
	} else {
		char *sox[] = { "sox", raw, "-r", "8000", "-c", "1", "-b", "16", "-e", "signed-integer", tmp, NULL };
		r = run(sox, msg, sizeof(msg));
		if (r) {
			snprintf(err, esize, "sox (8 kHz conversion of %s) failed: %s", raw, msg[0] ? msg : "no message");
			rc = -1;
		} else if (rename(tmp, out)) {
			snprintf(err, esize, "text-to-speech: cannot rename %s to %s: %s", tmp, out, strerror(errno));
			rc = -1;
		}
	}
	unlink(txt);
	unlink(raw);
	unlink(tmp);
	return rc < 0 ? -1 : 1;
}
