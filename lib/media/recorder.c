/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * recorder.c - recording: mixed, stereo and split WAV/raw files, valid on disk at every
 * flush (sizes patched in place), pause/resume and beep.
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
#include "../abi.h"

/* ---------------------------------------------------------------- record */

static int rec_open(struct recfile *r, const char *path, enum cti_format fmt, int channels, char *err,
		    size_t errsz)
{
	SF_INFO info;

	memset(r, 0, sizeof(*r));
	r->fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (r->fd < 0) {
		snprintf(err, errsz, "record: cannot create '%.200s': %s", path, strerror(errno));
		return -1;
	}
	/*
	 * A FIFO or socket nobody reads blocks write() for ever once its
	 * buffer is full (the tick, or an I/O worker and cti_close): refused.
	 * Character devices (/dev/null, /dev/full) are taken.
	 */
	struct stat st;
	if (fstat(r->fd, &st) < 0 || S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode)) {
		snprintf(err, errsz, "record: cannot create '%.200s': not a regular file (a FIFO or socket)", path);
		close(r->fd);
		r->fd = -1;
		return -1;
	}
	memset(&info, 0, sizeof(info));
	info.samplerate = 8000;
	info.channels = channels;
	info.format = media_sf_fmt(fmt);
	r->sf = sf_open_fd(r->fd, SFM_WRITE, &info, SF_TRUE);	/* closes fd on error too */
	if (!r->sf) {
		snprintf(err, errsz, "record: cannot create '%.200s': %s", path, sf_strerror(NULL));
		return -1;
	}
	r->channels = channels;
	r->bps = (info.format & SF_FORMAT_SUBMASK) == SF_FORMAT_PCM_16 ? 2 : 1;
	r->wav = (info.format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAV;
	return 0;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint64_t v)
{
	if (v > 0xffffffffu)
		v = 0xffffffffu;
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* Find the chunks of the header libsndfile wrote. */
static void rec_parse(struct recfile *r)
{
	ssize_t n = pread(r->fd, r->hdr, sizeof(r->hdr), 0);
	size_t pos = 12;

	r->hdr_len = -1;
	r->fact_off = -1;
	if (n < 44 || memcmp(r->hdr, "RIFF", 4) || memcmp(r->hdr + 8, "WAVE", 4))
		return;
	while (pos + 8 <= (size_t)n) {
		uint32_t sz = le32(r->hdr + pos + 4);
		if (!memcmp(r->hdr + pos, "fact", 4) && pos + 12 <= (size_t)n)
			r->fact_off = (int)pos + 8;
		if (!memcmp(r->hdr + pos, "data", 4)) {
			r->size_off = (int)pos + 4;
			r->hdr_len = (int)pos + 8;
			return;
		}
		pos += 8 + sz + (sz & 1);
	}
}

int media_rec_write(struct recfile *r, const int16_t *x, int frames)
{
	if (sf_writef_short(r->sf, x, frames) != frames)
		return -1;
	r->frames += (uint64_t)frames;
	if (!r->wav)
		return 0;
	if (r->hdr_len == 0)
		rec_parse(r);
	if (r->hdr_len < 0)	/* a layout we do not know: let libsndfile do it */
		return sf_command(r->sf, SFC_UPDATE_HEADER_NOW, NULL, 0) == 0 ? 0 : 0;
	uint64_t bytes = r->frames * (uint64_t)r->channels * (uint64_t)r->bps;
	put_le32(r->hdr + 4, (uint64_t)r->hdr_len - 8 + bytes);
	if (r->fact_off > 0)
		put_le32(r->hdr + r->fact_off, r->frames);
	put_le32(r->hdr + r->size_off, bytes);
	/* samples first, then the sizes: the header never claims what is not on disk */
	return pwrite(r->fd, r->hdr, (size_t)r->hdr_len, 0) == r->hdr_len ? 0 : -1;
}

int media_rec_flush(struct media_chan *c, struct op *o)
{
	(void)c;
	if (o->job)
		return 0;	/* the I/O thread writes continuously */
	if (!o->rn || !o->rf[0].sf)
		return 0;
	int n = o->rn;

	o->rn = 0;
	for (int k = 0; k < 2; k++) {
		if (!o->rf[k].sf)
			continue;
		media_io_maybe_stall(o->rpath[k]);
		errno = 0;
		if (media_rec_write(&o->rf[k], k ? o->rbuf2 : o->rbuf1, n) < 0) {
			const char *why = errno ? strerror(errno) : sf_strerror(o->rf[k].sf);
			snprintf(o->errmsg, sizeof(o->errmsg), "record: writing '%.60s' failed: %.40s", o->rpath[k], why);
			return -1;
		}
	}
	return 0;
}

/*
 * The block into the I/O thread's ring(s). A full ring means the disk has
 * stalled longer than the ring holds: the recording ends (CTI_TERM_ERROR)
 * rather than the tick waiting; what the ring took is written.
 */
static int rec_block_io(struct media_chan *c, struct op *o)
{
	struct io_job *j = o->job;
	int16_t x[2 * MEDIA_BLOCK], y[MEDIA_BLOCK];
	size_t n1 = MEDIA_BLOCK;
	int bad;

	if (atomic_load_explicit(&j->failed, memory_order_acquire)) {
		snprintf(o->errmsg, sizeof(o->errmsg), "%s", j->err);
		return -1;
	}
	switch (o->mode) {
	case CTI_REC_MIXED:
		for (int i = 0; i < MEDIA_BLOCK; i++)
			x[i] = sat16((int32_t)c->rxl[i] + c->txl[i]);
		break;
	case CTI_REC_STEREO:
		for (int i = 0; i < MEDIA_BLOCK; i++) {
			x[2 * i] = c->rxl[i];
			x[2 * i + 1] = c->txl[i];
		}
		n1 = 2 * MEDIA_BLOCK;
		break;
	case CTI_REC_SPLIT:
		memcpy(x, c->rxl, sizeof(c->rxl));
		memcpy(y, c->txl, sizeof(c->txl));
		break;
	}
	bad = o->mode == CTI_REC_SPLIT && j->ring[1].cap - media_ring_used(&j->ring[1]) < MEDIA_BLOCK;
	if (bad || media_ring_put(&j->ring[0], x, n1) < 0) {
		snprintf(o->errmsg, sizeof(o->errmsg),
			 "record: '%.60s': disk stalled (%u ms queued), recording ended", o->rpath[0],
			 (unsigned)(c->m->rec_ring_frames / 8));
		return -1;
	}
	if (o->mode == CTI_REC_SPLIT)
		media_ring_put(&j->ring[1], y, MEDIA_BLOCK);
	o->samples += MEDIA_BLOCK;
	return 0;
}

/* Append this tick's audio of the call to the recording. */
int media_rec_block(struct media_chan *c, struct op *o)
{
	int n = MEDIA_BLOCK;
	int16_t *p1 = o->rbuf1 + (o->mode == CTI_REC_STEREO ? 2 : 1) * o->rn * 1;

	if (o->job)
		return rec_block_io(c, o);

	switch (o->mode) {
	case CTI_REC_MIXED:
		for (int i = 0; i < n; i++)
			p1[i] = sat16((int32_t)c->rxl[i] + c->txl[i]);
		break;
	case CTI_REC_STEREO:
		for (int i = 0; i < n; i++) {
			p1[2 * i] = c->rxl[i];
			p1[2 * i + 1] = c->txl[i];
		}
		break;
	case CTI_REC_SPLIT:
		memcpy(p1, c->rxl, sizeof(c->rxl));
		memcpy(o->rbuf2 + o->rn, c->txl, sizeof(c->txl));
		break;
	}
	o->rn += n;
	o->samples += (uint64_t)n;
	if (o->rn >= REC_FLUSH_BLOCKS * MEDIA_BLOCK)
		return media_rec_flush(c, o);
	return 0;
}

int cti_record(cti_call_t *call, const cti_record_params_t *p, const cti_term_t *term)
{
	int err = 0;
	cti_record_params_t in;

	cti_record_params_init(&in);
	if (p && (err = cti__abi_in(&in, sizeof(in), p, "cti_record", "cti_record_params")) < 0)
		return err;
	p = p ? &in : NULL;

	if (!p || !p->path)
		return cti__error(CTI_EINVAL, "cti_record: %s", !p ? "params is NULL" : "path is NULL");
	if (p->mode == CTI_REC_SPLIT && !p->path2)
		return cti__error(CTI_EINVAL, "cti_record: split mode needs path2");
	if ((unsigned)p->mode > CTI_REC_SPLIT)
		return cti__error(CTI_EINVAL, "cti_record: mode %d unknown", p->mode);
	if ((unsigned)p->format > CTI_FMT_RAW_PCM16)
		return cti__error(CTI_EINVAL, "cti_record: format %d unknown", p->format);
	if ((err = media_term_check(term, "cti_record")) < 0)
		return err;
	struct media_chan *c = media_begin(call, "cti_record", &err);
	if (!c)
		return err;
	if (c->in)
		return media_end(c, cti__error(CTI_EBUSY, "cti_record: operation %d (%s) is already running on the call",
					 c->in->id, c->in->kind == CTI_OP_RECORD ? "record" : "get digits"));
	struct op *o = media_op_new(c, CTI_OP_RECORD, term);
	int ch1 = p->mode == CTI_REC_STEREO ? 2 : 1;
	if (!o || !(o->rbuf1 = malloc(sizeof(int16_t) * ch1 * REC_FLUSH_BLOCKS * MEDIA_BLOCK)) ||
	    (p->mode == CTI_REC_SPLIT && !(o->rbuf2 = malloc(sizeof(int16_t) * REC_FLUSH_BLOCKS * MEDIA_BLOCK)))) {
		media_op_free(o);
		return media_end(c, cti__error(CTI_ENOMEM, "cti_record: out of memory"));
	}
	o->mode = p->mode;
	snprintf(o->rpath[0], sizeof(o->rpath[0]), "%s", p->path);
	snprintf(o->rpath[1], sizeof(o->rpath[1]), "%s", p->path2 ? p->path2 : "");
	enum cti_format fmt = p->format == CTI_FMT_AUTO ? CTI_FMT_WAV_PCM16 : p->format;
	char msg[300];
	int id = o->id;
	c->in = o;
	int bad = rec_open(&o->rf[0], p->path, fmt, ch1, msg, sizeof(msg)) < 0 ||
		  (p->mode == CTI_REC_SPLIT && rec_open(&o->rf[1], p->path2, fmt, 1, msg, sizeof(msg)) < 0);
	if (bad) {
		/* the call goes on: the operation reports the error */
		cti__error(CTI_EIO, "cti_record: %s", msg);
		media_op_end(c, o, CTI_TERM_ERROR, CTI_EIO, msg);
		return media_end(c, id);
	}
	if (c->m->io_thread)
		o->job = media_io_rec(&c->m->io, o, c->m->rec_ring_frames);	/* NULL: written in the tick */
	if (p->beep) {
		const struct tone_table *tt = c->td.tt;
		gen_tone(&o->gen, tt, CTI_TONE_BEEP);
		o->gen_on = 1;
	}
	return media_end(c, id);
}

int cti_record_pause(cti_call_t *call, int paused)
{
	int err = 0;
	struct media_chan *c = media_begin(call, "cti_record_pause", &err);

	if (!c)
		return err;
	if (!c->in || c->in->kind != CTI_OP_RECORD)
		return media_end(c, cti__error(CTI_ENOENT, "cti_record_pause: no recording on the call"));
	c->in->paused = !!paused;
	/* what was recorded so far goes to disk now, not after the pause */
	if (paused && media_rec_flush(c, c->in) < 0)
		media_op_end(c, c->in, CTI_TERM_ERROR, CTI_EIO, c->in->errmsg);
	return media_end(c, 0);
}
