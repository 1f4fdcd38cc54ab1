/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * player.c - playback: files (WAV, raw G.711/PCM16) and in-memory items, in order.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sndfile.h>

#include "media_int.h"

/* ---------------------------------------------------------------- play */

static int ext_is(const char *path, const char *const *exts)
{
	const char *dot = strrchr(path, '.');

	if (!dot)
		return 0;
	for (int i = 0; exts[i]; i++)
		if (!strcasecmp(dot + 1, exts[i]))
			return 1;
	return 0;
}

static enum cti_format fmt_by_ext(const char *path)
{
	static const char *const al[] = { "al", "alaw", "a", NULL };
	static const char *const ul[] = { "ul", "ulaw", "u", "mu", NULL };
	static const char *const raw[] = { "raw", "pcm", "sln", "s16", NULL };

	if (ext_is(path, al))
		return CTI_FMT_RAW_ALAW;
	if (ext_is(path, ul))
		return CTI_FMT_RAW_ULAW;
	if (ext_is(path, raw))
		return CTI_FMT_RAW_PCM16;
	return CTI_FMT_AUTO;	/* WAV by header */
}

static int fmt_is_raw(enum cti_format f)
{
	return f == CTI_FMT_RAW_ALAW || f == CTI_FMT_RAW_ULAW || f == CTI_FMT_RAW_PCM16;
}

int media_sf_fmt(enum cti_format f)
{
	switch (f) {
	case CTI_FMT_WAV_ALAW: return SF_FORMAT_WAV | SF_FORMAT_ALAW;
	case CTI_FMT_WAV_ULAW: return SF_FORMAT_WAV | SF_FORMAT_ULAW;
	case CTI_FMT_RAW_ALAW: return SF_FORMAT_RAW | SF_FORMAT_ALAW;
	case CTI_FMT_RAW_ULAW: return SF_FORMAT_RAW | SF_FORMAT_ULAW;
	case CTI_FMT_RAW_PCM16: return SF_FORMAT_RAW | SF_FORMAT_PCM_16 | SF_ENDIAN_CPU;
	default: return SF_FORMAT_WAV | SF_FORMAT_PCM_16;
	}
}

/*
 * Open a file item. Non-blocking open and fstat first: a FIFO with no
 * writer would block open() (cti_play, or the tick) for ever, a directory
 * is no audio. *code (if given): CTI_ENOENT when the file is missing,
 * CTI_EIO when it cannot be opened, CTI_EFORMAT when it is no usable audio.
 */
static SNDFILE *play_open(const struct play_src *s, char *err, size_t errsz, int *code)
{
	SF_INFO info;
	SNDFILE *sf;
	struct stat st;
	int fd, c = CTI_EFORMAT;

	fd = open(s->path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0) {
		c = errno == ENOENT || errno == ENOTDIR ? CTI_ENOENT : CTI_EIO;
		snprintf(err, errsz, "cannot open '%.200s': %s", s->path, strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) < 0 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode))) {
		snprintf(err, errsz, "'%.200s' is not a regular file (a %s)", s->path,
			 S_ISDIR(st.st_mode) ? "directory" : S_ISFIFO(st.st_mode) ? "FIFO" : "socket or device");
		close(fd);
		goto fail;
	}
	memset(&info, 0, sizeof(info));
	if (fmt_is_raw(s->fmt)) {
		info.samplerate = 8000;
		info.channels = 1;
		info.format = media_sf_fmt(s->fmt);
	}
	sf = sf_open_fd(fd, SFM_READ, &info, SF_TRUE);	/* closes fd on error too */
	if (!sf) {
		snprintf(err, errsz, "cannot open '%.200s': %s", s->path, sf_strerror(NULL));
		goto fail;
	}
	if (info.samplerate != 8000 || info.channels != 1) {
		snprintf(err, errsz, "'%.200s' is %d Hz, %d channel(s): need 8000 Hz mono", s->path,
			 info.samplerate, info.channels);
		sf_close(sf);
		goto fail;
	}
	return sf;
fail:
	if (code)
		*code = c;
	return NULL;
}

/* Fill n samples from the in-memory item; returns samples produced. */
static int mem_read(struct op *o, struct play_src *s, int16_t *out, int n, const struct media_chan *c)
{
	int i = 0;

	(void)c;
	if (s->fmt == CTI_FMT_RAW_PCM16) {
		for (; i < n && o->mpos + 2 <= s->len; i++, o->mpos += 2) {
			int16_t v;
			memcpy(&v, s->buf + o->mpos, 2);
			out[i] = v;
		}
	} else {
		const int16_t *dec = s->fmt == CTI_FMT_RAW_ALAW ? media_alaw_dec : media_ulaw_dec;
		for (; i < n && o->mpos < s->len; i++, o->mpos++)
			out[i] = dec[s->buf[o->mpos]];
	}
	return i;
}


/* Produce the play op's next block into acc; returns 1 at end of data, -1 on error (o->errmsg). */
/*
 * The block from the I/O thread's read-ahead ring. Empty before the first
 * samples arrive: the play starts a block later. Empty after: silence,
 * counted (o->underrun) and reported in OP_DONE's message.
 */
static int play_block_io(struct op *o, int32_t *acc)
{
	struct io_job *j = o->job;
	int eof = atomic_load_explicit(&j->eof, memory_order_acquire);
	int16_t buf[MEDIA_BLOCK];
	size_t got = media_ring_get(&j->ring[0], buf, MEDIA_BLOCK);

	for (size_t i = 0; i < got; i++)
		acc[i] += buf[i];
	if (got < MEDIA_BLOCK && eof) {
		if (atomic_load_explicit(&j->failed, memory_order_acquire)) {
			snprintf(o->errmsg, sizeof(o->errmsg), "%s", j->err);
			return -1;
		}
		o->samples += got;
		return 1;
	}
	if (got < MEDIA_BLOCK && (o->samples || got))
		o->underrun += MEDIA_BLOCK - got;
	o->samples += got;
	return 0;
}

int media_play_block(struct media_chan *c, struct op *o, int32_t *acc)
{
	int16_t buf[MEDIA_BLOCK];
	int have = 0;

	if (o->job)
		return play_block_io(o, acc);

	while (have < MEDIA_BLOCK && o->cur < o->nitems) {
		struct play_src *s = &o->items[o->cur];
		int got;

		if (s->path) {
			if (!o->sf) {
				char err[300];
				o->sf = play_open(s, err, sizeof(err), NULL);
				if (!o->sf) {	/* checked at the start: gone or changed since */
					snprintf(o->errmsg, sizeof(o->errmsg), "play: item %d: %.100s", o->cur + 1, err);
					return -1;
				}
				o->pn = o->ppos = 0;
			}
			if (o->ppos == o->pn) {
				o->pn = (int)sf_read_short(o->sf, o->pbuf, PLAY_CHUNK);
				o->ppos = 0;
			}
			got = o->pn - o->ppos;
			if (got > MEDIA_BLOCK - have)
				got = MEDIA_BLOCK - have;
			memcpy(buf + have, o->pbuf + o->ppos, sizeof(int16_t) * (size_t)got);
			o->ppos += got;
		} else {
			got = mem_read(o, s, buf + have, MEDIA_BLOCK - have, c);
		}
		if (got <= 0) {	/* item exhausted: the next one continues this block */
			if (o->sf) {
				sf_close(o->sf);
				o->sf = NULL;
			}
			o->mpos = 0;
			o->cur++;
			continue;
		}
		have += got;
	}
	for (int i = 0; i < have; i++)
		acc[i] += buf[i];
	o->samples += (uint64_t)have;
	return o->cur >= o->nitems;
}

int cti_play(cti_call_t *call, const cti_play_item_t *items, int n, const cti_term_t *term)
{
	int err = 0;

	if (!items || n <= 0)
		return cti__error(CTI_EINVAL, "cti_play: %s", !items ? "items is NULL" : "no items");
	if ((err = media_term_check(term, "cti_play")) < 0)
		return err;
	struct media_chan *c = media_begin(call, "cti_play", &err);
	if (!c)
		return err;
	if ((err = media_out_free(c, "cti_play")) < 0)
		return media_end(c, err);
	struct op *o = media_op_new(c, CTI_OP_PLAY, term);
	if (!o || !(o->items = calloc((size_t)n, sizeof(*o->items))) ||
	    !(o->pbuf = malloc(sizeof(int16_t) * PLAY_CHUNK))) {
		media_op_free(o);
		return media_end(c, cti__error(CTI_ENOMEM, "cti_play: out of memory"));
	}
	for (int i = 0; i < n; i++) {
		const cti_play_item_t *it = &items[i];
		struct play_src *s = &o->items[i];
		o->nitems = i + 1;
		if (it->path) {
			char msg[300];
			SNDFILE *sf;
			s->fmt = it->format != CTI_FMT_AUTO ? it->format : fmt_by_ext(it->path);
			if (!(s->path = strdup(it->path))) {
				media_op_free(o);
				return media_end(c, cti__error(CTI_ENOMEM, "cti_play: out of memory"));
			}
			int code;
			if (!(sf = play_open(s, msg, sizeof(msg), &code))) {
				media_op_free(o);
				return media_end(c, cti__error(code, "cti_play: item %d: %s", i + 1, msg));
			}
			sf_close(sf);
		} else {
			if (!it->buf || !fmt_is_raw(it->format)) {
				media_op_free(o);
				return media_end(c, cti__error(CTI_EINVAL, "cti_play: item %d: %s", i + 1,
							 !it->buf ? "neither path nor buf" :
							 "buf needs a RAW format (CTI_FMT_RAW_*)"));
			}
			s->fmt = it->format;
			s->len = it->len;
			if (!(s->buf = malloc(it->len ? it->len : 1))) {
				media_op_free(o);
				return media_end(c, cti__error(CTI_ENOMEM, "cti_play: out of memory"));
			}
			memcpy(s->buf, it->buf, it->len);
		}
	}
	for (int i = 0; i < n && c->m->io_thread && !o->job; i++)
		if (items[i].path)	/* files are read ahead by the I/O thread (NULL: in the tick) */
			o->job = media_io_play(&c->m->io, o, c->m->play_ring_samples);
	c->out = o;
	return media_end(c, o->id);
}

int cti_play_file(cti_call_t *call, const char *path, const cti_term_t *term)
{
	cti_play_item_t it;

	if (!path)
		return cti__error(CTI_EINVAL, "cti_play_file: path is NULL");
	memset(&it, 0, sizeof(it));
	it.path = path;
	return cti_play(call, &it, 1, term);
}
