/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * io.c - file I/O of recordings and playbacks off the 20 ms tick.
 *
 * With a real clock a stalled disk must not stall every call: the tick runs
 * under the context lock. So each engine has a few I/O workers (started at
 * its first file job; MEDIA_IO_THREADS) and every recording or playback of a
 * file is a job with bounded single-producer/single-consumer rings of
 * samples. A file stalled in write() or read() holds one worker; the others
 * go on with the other files:
 *
 *   recording  the tick puts each block into the ring(s); the thread writes
 *              them (media_rec_write: samples, then the WAV sizes, so the
 *              file is valid on disk at any time) and closes the file.
 *              A full ring (the disk stalled for longer than the ring
 *              holds) ends the recording with CTI_TERM_ERROR; nothing
 *              accepted before is lost, the file is finished by the thread.
 *   playback   the thread reads ahead (1 s) through the same item reader
 *              as the synchronous path; the tick takes 160 samples per
 *              block. An empty ring plays silence, counted as underrun.
 *
 * The workers never take the context lock; jobs and rings are shared
 * through the engine's io mutex and atomics. A job is freed by its owner
 * (the operation) once the thread has marked it done, or by the thread when
 * the owner let go of it first (media_io_release). With a virtual clock the
 * engine does its file I/O synchronously in the tick (deterministic runs);
 * see docs/media.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "media_int.h"

/* ---------------------------------------------------------------- rings */

static int ring_init(struct io_ring *r, size_t cap)
{
	r->buf = malloc(sizeof(int16_t) * cap);
	r->cap = cap;
	atomic_init(&r->wr, 0);
	atomic_init(&r->rd, 0);
	return r->buf ? 0 : -1;
}

size_t media_ring_used(struct io_ring *r)
{
	return atomic_load_explicit(&r->wr, memory_order_acquire) -
	       atomic_load_explicit(&r->rd, memory_order_acquire);
}

/* Producer: all n samples or none (-1: no room). */
int media_ring_put(struct io_ring *r, const int16_t *x, size_t n)
{
	size_t wr = atomic_load_explicit(&r->wr, memory_order_relaxed);
	size_t rd = atomic_load_explicit(&r->rd, memory_order_acquire);

	if (r->cap - (wr - rd) < n)
		return -1;
	for (size_t i = 0; i < n; i++)
		r->buf[(wr + i) % r->cap] = x[i];
	atomic_store_explicit(&r->wr, wr + n, memory_order_release);
	return 0;
}

/* Consumer: up to n samples; returns how many. */
size_t media_ring_get(struct io_ring *r, int16_t *x, size_t n)
{
	size_t rd = atomic_load_explicit(&r->rd, memory_order_relaxed);
	size_t wr = atomic_load_explicit(&r->wr, memory_order_acquire);

	if (n > wr - rd)
		n = wr - rd;
	for (size_t i = 0; i < n; i++)
		x[i] = r->buf[(rd + i) % r->cap];
	atomic_store_explicit(&r->rd, rd + n, memory_order_release);
	return n;
}

/* ---------------------------------------------------------------- test knob */

/* Test knob: the next read or write of a file whose path contains match first sleeps ms. */
static char stall_match[256];
static _Atomic unsigned stall_ms;

void media_io_test_stall(const char *match, unsigned ms)
{
	snprintf(stall_match, sizeof(stall_match), "%s", match ? match : "");
	atomic_store(&stall_ms, ms);
}

void media_io_maybe_stall(const char *path)
{
	if (!atomic_load(&stall_ms) || !strstr(path, stall_match))
		return;
	unsigned ms = atomic_exchange(&stall_ms, 0);
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* ---------------------------------------------------------------- jobs */

static void job_free(struct io_job *j)
{
	for (int k = 0; k < 2; k++) {
		if (j->rf[k].sf)
			sf_close(j->rf[k].sf);
		free(j->ring[k].buf);
	}
	media_op_free(j->src);
	free(j);
}

/* Write what the ring(s) hold. Returns 1 when the job is finished (files closed). */
static int rec_service(struct io_job *j)
{
	int16_t buf[2 * 4000];
	int ch = j->rf[0].channels;
	int closing = atomic_load_explicit(&j->closing, memory_order_acquire);

	for (;;) {
		size_t n = media_ring_used(&j->ring[0]) / (size_t)ch;	/* frames */
		if (j->nrf == 2 && media_ring_used(&j->ring[1]) < n)
			n = media_ring_used(&j->ring[1]);
		if (n > 4000)
			n = 4000;
		if (!n)
			break;
		for (int k = 0; k < j->nrf; k++) {
			int kch = k ? 1 : ch;
			media_ring_get(&j->ring[k], buf, n * (size_t)kch);
			if (atomic_load(&j->failed))
				continue;	/* drop: the recording has ended in error */
			media_io_maybe_stall(j->path[k]);
			errno = 0;
			if (media_rec_write(&j->rf[k], buf, (int)n) < 0) {
				const char *why = errno ? strerror(errno) : sf_strerror(j->rf[k].sf);
				snprintf(j->err, sizeof(j->err), "record: writing '%.60s' failed: %.40s", j->path[k], why);
				atomic_store_explicit(&j->failed, 1, memory_order_release);
			}
		}
	}
	if (!closing)
		return 0;
	for (int k = 0; k < 2; k++)
		if (j->rf[k].sf) {
			sf_close(j->rf[k].sf);
			j->rf[k].sf = NULL;
		}
	return 1;
}

/* Read ahead while the ring has room. Returns 1 when the job is finished. */
static int play_service(struct io_job *j)
{
	if (atomic_load_explicit(&j->closing, memory_order_acquire))
		return 1;	/* job_free closes the file */
	while (!atomic_load(&j->eof) && j->ring[0].cap - media_ring_used(&j->ring[0]) >= MEDIA_BLOCK) {
		int32_t acc[MEDIA_BLOCK];
		int16_t x[MEDIA_BLOCK];
		uint64_t before = j->src->samples;

		if (j->src->cur < j->src->nitems && j->src->items[j->src->cur].path)
			media_io_maybe_stall(j->src->items[j->src->cur].path);
		memset(acc, 0, sizeof(acc));
		int r = media_play_block(NULL, j->src, acc);
		size_t got = (size_t)(j->src->samples - before);
		for (size_t i = 0; i < got; i++)
			x[i] = (int16_t)acc[i];
		media_ring_put(&j->ring[0], x, got);
		if (r < 0) {
			snprintf(j->err, sizeof(j->err), "%s", j->src->errmsg);
			atomic_store_explicit(&j->failed, 1, memory_order_release);
		}
		if (r)
			atomic_store_explicit(&j->eof, 1, memory_order_release);
	}
	return 0;
}

static _Atomic int orphans;

int media_io_test_orphans(void)
{
	return atomic_load(&orphans);
}

static uint64_t mono_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static struct timespec ts_of_us(uint64_t us)
{
	struct timespec ts = { .tv_sec = (time_t)(us / 1000000u), .tv_nsec = (long)(us % 1000000u) * 1000L };

	return ts;
}

static void q_push(struct media_io *io, struct io_job *j, int front)
{
	j->queued = 1;
	if (front) {
		j->next = io->qhead;
		io->qhead = j;
		if (!io->qtail)
			io->qtail = j;
		return;
	}
	j->next = NULL;
	if (io->qtail)
		io->qtail->next = j;
	else
		io->qhead = j;
	io->qtail = j;
}

static void q_unlink(struct media_io *io, struct io_job *j)
{
	struct io_job *prev = NULL;

	for (struct io_job *p = io->qhead; p; prev = p, p = p->next)
		if (p == j) {
			if (prev)
				prev->next = j->next;
			else
				io->qhead = j->next;
			if (io->qtail == j)
				io->qtail = prev;
			break;
		}
	j->queued = 0;
}

static void all_unlink(struct media_io *io, struct io_job *j)
{
	if (j->aprev)
		j->aprev->anext = j->anext;
	else
		io->all = j->anext;
	if (j->anext)
		j->anext->aprev = j->aprev;
}

/*
 * A worker: takes the job due first, services it without the mutex, puts it
 * back due 10 ms later. A job stalled in write() or read() holds only its
 * worker: the others go on with the other files.
 */
static void *io_main(void *arg)
{
	struct media_io *io = arg;

	pthread_mutex_lock(&io->mu);
	for (;;) {
		struct io_job *j = io->qhead;

		if (!j) {
			if (io->quit)
				break;
			pthread_cond_wait(&io->cv, &io->mu);
			continue;
		}
		if (!io->rush && !io->quit && !atomic_load(&j->closing) && j->due_us > mono_us()) {
			struct timespec ts = ts_of_us(j->due_us);
			pthread_cond_timedwait(&io->cv, &io->mu, &ts);
			continue;
		}
		io->qhead = j->next;
		if (!io->qhead)
			io->qtail = NULL;
		j->queued = 0;
		j->starts++;
		pthread_mutex_unlock(&io->mu);
		int fin = j->kind == CTI_OP_RECORD ? rec_service(j) : play_service(j);
		pthread_mutex_lock(&io->mu);
		j->svc++;
		if (fin) {
			all_unlink(io, j);
			if (j->detached)
				job_free(j);
			else
				j->done = 1;
		} else {
			j->due_us = mono_us() + 10000;
			q_push(io, j, 0);
		}
		pthread_cond_broadcast(&io->done_cv);
	}
	io->running--;
	if (io->orphan && !io->running) {
		/* media_io_stop gave up waiting and left: the last worker out frees the engine */
		void *mem = io->orphan;
		pthread_mutex_unlock(&io->mu);
		pthread_cond_destroy(&io->cv);
		pthread_cond_destroy(&io->done_cv);
		pthread_mutex_destroy(&io->mu);
		free(mem);
		atomic_fetch_sub(&orphans, 1);
		return NULL;
	}
	pthread_cond_broadcast(&io->done_cv);
	pthread_mutex_unlock(&io->mu);
	return NULL;
}

static int io_start(struct media_io *io)
{
	if (io->nthreads)
		return 0;
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&io->cv, &ca);
	pthread_cond_init(&io->done_cv, &ca);
	pthread_condattr_destroy(&ca);
	pthread_mutex_init(&io->mu, NULL);
	pthread_mutex_lock(&io->mu);	/* running is the workers' to decrement */
	for (int i = 0; i < MEDIA_IO_THREADS; i++)
		if (pthread_create(&io->th[io->nthreads], NULL, io_main, io) == 0)
			io->nthreads++;
	io->running = io->nthreads;
	pthread_mutex_unlock(&io->mu);
	if (!io->nthreads) {
		pthread_cond_destroy(&io->cv);
		pthread_cond_destroy(&io->done_cv);
		pthread_mutex_destroy(&io->mu);
		return -1;
	}
	return 0;
}

/* The workers are running (io_start). */
static struct io_job *job_add(struct media_io *io, struct io_job *j)
{
	pthread_mutex_lock(&io->mu);
	j->anext = io->all;
	if (io->all)
		io->all->aprev = j;
	io->all = j;
	q_push(io, j, 1);	/* due now: the first read ahead / write */
	pthread_cond_signal(&io->cv);
	pthread_mutex_unlock(&io->mu);
	return j;
}

struct io_job *media_io_rec(struct media_io *io, struct op *o, size_t ring_frames)
{
	struct io_job *j = io_start(io) < 0 ? NULL : calloc(1, sizeof(*j));

	if (!j)
		return NULL;
	j->kind = CTI_OP_RECORD;
	j->nrf = o->rf[1].sf ? 2 : 1;
	for (int k = 0; k < j->nrf; k++) {
		int ch = k ? 1 : o->rf[0].channels;
		if (ring_init(&j->ring[k], ring_frames * (size_t)ch) < 0) {
			job_free(j);
			return NULL;
		}
		snprintf(j->path[k], sizeof(j->path[k]), "%s", o->rpath[k]);
	}
	/* the files are the job's from now on */
	memcpy(j->rf, o->rf, sizeof(j->rf));
	memset(o->rf, 0, sizeof(o->rf));
	return job_add(io, j);
}

struct io_job *media_io_play(struct media_io *io, struct op *o, size_t ring_samples)
{
	struct io_job *j = io_start(io) < 0 ? NULL : calloc(1, sizeof(*j));
	struct op *src = calloc(1, sizeof(*src));

	if (!j || !src || ring_init(&j->ring[0], ring_samples) < 0 ||
	    !(src->pbuf = malloc(sizeof(int16_t) * PLAY_CHUNK))) {
		free(src);
		if (j)
			free(j->ring[0].buf);
		free(j);
		return NULL;
	}
	j->kind = CTI_OP_PLAY;
	/* the items are read by the thread from now on */
	src->kind = CTI_OP_PLAY;
	src->items = o->items;
	src->nitems = o->nitems;
	o->items = NULL;
	o->nitems = 0;
	j->src = src;
	return job_add(io, j);
}

/*
 * The owner lets go of a job: no more data (closing). If wait_ms > 0, wait up
 * to that for the thread to finish it. Returns 1 if the job is finished (and
 * freed), 0 if the thread finishes and frees it later, -1 if a write failed
 * (err set; finished or not).
 */
int media_io_release(struct media_io *io, struct io_job *j, int wait_ms, char *err, size_t errsz)
{
	int fin, failed;

	atomic_store_explicit(&j->closing, 1, memory_order_release);
	pthread_mutex_lock(&io->mu);
	if (j->queued) {	/* finish it next */
		q_unlink(io, j);
		q_push(io, j, 1);
	}
	pthread_cond_broadcast(&io->cv);
	if (wait_ms > 0 && !j->done) {
		struct timespec ts = ts_of_us(mono_us() + (uint64_t)wait_ms * 1000u);
		while (!j->done && pthread_cond_timedwait(&io->done_cv, &io->mu, &ts) == 0)
			;
	}
	fin = j->done;
	failed = atomic_load_explicit(&j->failed, memory_order_acquire);
	if (failed && err)
		snprintf(err, errsz, "%s", j->err);
	if (!fin)
		j->detached = 1;	/* the thread frees it */
	pthread_mutex_unlock(&io->mu);
	if (fin)
		job_free(j);
	return failed ? -1 : fin;
}

/* Wait until the workers have serviced every job once more (prefetched, drained). Tests. */
void media_io_settle(struct media_io *io)
{
	if (!io->nthreads)
		return;
	pthread_mutex_lock(&io->mu);
	io->rush++;
	for (struct io_job *j = io->all; j; j = j->anext)
		j->want = j->starts + 1;	/* a service starting after now (they run one at a time) */
	pthread_cond_broadcast(&io->cv);
	for (;;) {
		struct io_job *j = io->all;
		while (j && j->svc >= j->want)
			j = j->anext;
		if (!j)
			break;
		pthread_cond_wait(&io->done_cv, &io->mu);
	}
	io->rush--;
	pthread_mutex_unlock(&io->mu);
}

/*
 * Finish every job (recordings drained and closed; all released before) and
 * stop the workers. A disk stalled for good (NFS server gone) must not hang
 * cti_close: after MEDIA_IO_STOP_WAIT_MS the workers are detached and the
 * last one to finish frees owner (see media_int.h).
 */
int media_io_stop(struct media_io *io, void *owner)
{
	if (!io->nthreads)
		return 1;
	struct timespec ts = ts_of_us(mono_us() + (uint64_t)MEDIA_IO_STOP_WAIT_MS * 1000u);

	pthread_mutex_lock(&io->mu);
	io->quit = 1;
	for (struct io_job *j = io->all; j; j = j->anext)
		atomic_store(&j->closing, 1);
	pthread_cond_broadcast(&io->cv);
	while (io->running && pthread_cond_timedwait(&io->done_cv, &io->mu, &ts) == 0)
		;
	if (io->running) {
		for (int i = 0; i < io->nthreads; i++)
			pthread_detach(io->th[i]);
		atomic_fetch_add(&orphans, 1);
		io->orphan = owner;
		pthread_mutex_unlock(&io->mu);
		return 0;
	}
	pthread_mutex_unlock(&io->mu);
	for (int i = 0; i < io->nthreads; i++)
		pthread_join(io->th[i], NULL);
	pthread_cond_destroy(&io->cv);
	pthread_cond_destroy(&io->done_cv);
	pthread_mutex_destroy(&io->mu);
	io->nthreads = 0;
	return 1;
}
